/* Event lines to Redis (tools/redis_output.h): a backlog ring of formatted
 * commands, a non-blocking socket, hiredis's formatter and reply reader. */
#include "config.h"

#include "tools/redis_output.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void redis_output_options_default(struct redis_output_options *options)
{
	memset(options, 0, sizeof(*options));
	options->key = REDIS_OUTPUT_DEFAULT_KEY;
	options->mode = REDIS_OUTPUT_LPUSH;
	options->stream_maxlen = REDIS_OUTPUT_DEFAULT_STREAM_MAXLEN;
	options->batch_size = 1;
	options->backlog = REDIS_OUTPUT_DEFAULT_BACKLOG;
	options->timeout_ms = REDIS_OUTPUT_DEFAULT_TIMEOUT_MS;
}

static const struct {
	const char *name;
	enum redis_output_mode mode;
} mode_names[] = {
    {"list", REDIS_OUTPUT_LPUSH},      {"lpush", REDIS_OUTPUT_LPUSH},
    {"rpush", REDIS_OUTPUT_RPUSH},     {"channel", REDIS_OUTPUT_PUBLISH},
    {"publish", REDIS_OUTPUT_PUBLISH}, {"stream", REDIS_OUTPUT_XADD},
    {"xadd", REDIS_OUTPUT_XADD},
};

int redis_output_mode_from_name(const char *name, enum redis_output_mode *mode)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (strcmp(name, mode_names[i].name) == 0) {
			*mode = mode_names[i].mode;
			return 1;
		}
	return 0;
}

const char *redis_output_mode_name(enum redis_output_mode mode)
{
	switch (mode) {
	case REDIS_OUTPUT_LPUSH:
		return "list";
	case REDIS_OUTPUT_RPUSH:
		return "rpush";
	case REDIS_OUTPUT_PUBLISH:
		return "channel";
	case REDIS_OUTPUT_XADD:
		return "stream";
	}
	return "?";
}

#ifdef PRONET_HAVE_HIREDIS
/* The rest needs hiredis (configure --with-hiredis); without it classify
 * refuses --redis and only the option helpers above are built. */
#include <hiredis/hiredis.h>

/* The first retry after a failure, doubled up to the cap: a restarting
 * server is found within a fraction of a second, a dead one costs one
 * non-blocking connect every few seconds. */
#define RETRY_FIRST_MS 100u
#define RETRY_MAX_MS 5000u
/* At most this many commands per write (the kernel's own iovec limit is
 * IOV_MAX, 1024 on Linux). */
#define WRITE_COMMANDS_MAX 256

enum connection_state { STATE_DOWN, STATE_CONNECTING, STATE_UP };

struct command {
	char *bytes; /* RESP, from redisFormatCommandArgv */
	size_t length;
};

struct redis_output {
	struct redis_output_options options;
	char *address; /* as given, for messages */
	char *key;
	char maxlen_text[16];
	struct sockaddr_storage peer;
	socklen_t peer_length;

	/* The backlog: `count` commands from `head`, ring of options.backlog.
	 * The first `written` are on the wire whole; `partial` bytes of the
	 * next one are too. Replies pop from head. */
	struct command *ring;
	uint32_t head, count, written;
	size_t partial;

	enum connection_state state;
	int fd;
	redisReader *reader;
	uint64_t connect_started_ms, next_attempt_ms, retry_ms;
	uint64_t last_progress_ms; /* last reply, or when replies became due */
	int ever_connected;
	uint32_t failed_attempts; /* since the last connection */
	int outage_told, backlog_full_told, refusal_told;

	struct redis_output_counts counts;
};

static uint64_t now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

static void tell(struct redis_output *output, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void tell(struct redis_output *output, const char *format, ...)
{
	char message[512];
	int used = snprintf(message, sizeof(message), "redis %s: ", output->address);
	va_list args;
	va_start(args, format);
	if (used > 0 && (size_t)used < sizeof(message))
		vsnprintf(message + used, sizeof(message) - (size_t)used, format, args);
	va_end(args);
	if (output->options.notify != NULL)
		output->options.notify(output->options.notify_user, message);
}

/* "HOST:PORT", "HOST", "[V6]:PORT", "[V6]" or a bare IPv6 address, resolved
 * to its first TCP address. */
static enum pronet_err resolve(struct redis_output *output, char *errbuf)
{
	const char *address = output->address, *start = address;
	char host[256], port[8];
	const char *colon = strrchr(address, ':');
	size_t host_length;
	snprintf(port, sizeof(port), "%d", REDIS_OUTPUT_DEFAULT_PORT);
	if (address[0] == '[') {
		const char *close = strchr(address, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "redis address '%s': no closing ]", address);
		start = address + 1;
		host_length = (size_t)(close - start);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else if (colon != NULL && strchr(address, ':') != colon) {
		colon = NULL; /* a bare IPv6 address */
		host_length = strlen(address);
	} else {
		host_length = colon != NULL ? (size_t)(colon - address) : strlen(address);
	}
	if (host_length == 0 || host_length >= sizeof(host))
		return pronet_error(errbuf, PRONET_ERR_ARG, "redis address '%s': no host", address);
	memcpy(host, start, host_length);
	host[host_length] = '\0';
	if (colon != NULL) {
		char *end;
		errno = 0;
		unsigned long number = strtoul(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || errno != 0 || number == 0 || number > 65535)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "redis address '%s': the port is not 1..65535",
			                    output->address);
		snprintf(port, sizeof(port), "%lu", number);
	}
	struct addrinfo hints, *found = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int status = getaddrinfo(host, port, &hints, &found);
	if (status != 0 || found == NULL)
		return pronet_error(errbuf, PRONET_ERR_IO,
		                    "redis address '%s': cannot resolve %s: %s", output->address,
		                    host, status != 0 ? gai_strerror(status) : "no address");
	memcpy(&output->peer, found->ai_addr, found->ai_addrlen);
	output->peer_length = found->ai_addrlen;
	freeaddrinfo(found);
	return PRONET_OK;
}

enum pronet_err redis_output_open(const struct redis_output_options *options,
                                  struct redis_output **out, char *errbuf)
{
	*out = NULL;
	if (options->address == NULL || options->batch_size == 0 || options->backlog == 0 ||
	    options->backlog > REDIS_OUTPUT_MAX_BACKLOG || options->timeout_ms == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG, "redis output: bad options");
	struct redis_output *output = calloc(1, sizeof(*output));
	if (output == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");
	output->options = *options;
	output->fd = -1;
	output->address = strdup(options->address);
	output->key = strdup(options->key != NULL ? options->key : REDIS_OUTPUT_DEFAULT_KEY);
	output->ring = calloc(options->backlog, sizeof(*output->ring));
	output->reader = redisReaderCreate();
	if (output->address == NULL || output->key == NULL || output->ring == NULL ||
	    output->reader == NULL) {
		redis_output_free(output);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");
	}
	snprintf(output->maxlen_text, sizeof(output->maxlen_text), "%" PRIu32,
	         options->stream_maxlen);
	enum pronet_err err = resolve(output, errbuf);
	if (err != PRONET_OK) {
		redis_output_free(output);
		return err;
	}
	output->retry_ms = RETRY_FIRST_MS;
	output->next_attempt_ms = now_ms();
	*out = output;
	redis_output_poll(output); /* starts the connect */
	return PRONET_OK;
}

const char *redis_output_address(const struct redis_output *output)
{
	return output->address;
}

void redis_output_get_counts(const struct redis_output *output, struct redis_output_counts *out)
{
	*out = output->counts;
}

static struct command *command_at(struct redis_output *output, uint32_t index)
{
	return &output->ring[(output->head + index) % output->options.backlog];
}

/* The command for `line`, by Suricata's verbs; -1 when out of memory. */
static int format_command(const struct redis_output *output, const char *line, size_t length,
                          struct command *command)
{
	static const char *const verbs[] = {"LPUSH", "RPUSH", "PUBLISH", "XADD"};
	const char *argv[8];
	size_t lengths[8];
	int argc = 0;
	argv[argc++] = verbs[output->options.mode];
	argv[argc++] = output->key;
	if (output->options.mode == REDIS_OUTPUT_XADD) {
		if (output->options.stream_maxlen > 0) {
			argv[argc++] = "MAXLEN";
			argv[argc++] = "~";
			argv[argc++] = output->maxlen_text;
		}
		argv[argc++] = "*";
		argv[argc++] = "eve"; /* Suricata's field name */
	}
	argv[argc] = line;
	lengths[argc++] = length;
	for (int i = 0; i + 1 < argc; i++)
		lengths[i] = strlen(argv[i]);
	char *bytes = NULL;
	int formatted = redisFormatCommandArgv(&bytes, argc, argv, lengths);
	if (formatted < 0 || bytes == NULL)
		return -1;
	command->bytes = bytes;
	command->length = (size_t)formatted;
	return 0;
}

static void close_connection(struct redis_output *output)
{
	if (output->fd >= 0)
		close(output->fd);
	output->fd = -1;
	output->state = STATE_DOWN;
	output->written = 0;
	output->partial = 0;
	/* A reply cut in half by the loss must not prefix the next
	 * connection's. */
	redisReader *fresh = redisReaderCreate();
	if (fresh != NULL) {
		redisReaderFree(output->reader);
		output->reader = fresh;
	}
}

static void schedule_retry(struct redis_output *output, uint64_t now)
{
	output->next_attempt_ms = now + output->retry_ms;
	output->retry_ms =
	    output->retry_ms * 2 < RETRY_MAX_MS ? output->retry_ms * 2 : RETRY_MAX_MS;
}

/* The connection is gone: what was on the wire unanswered goes again on the
 * next one. The first retry is at once (a restarted server is back). */
static void lose_connection(struct redis_output *output, uint64_t now, const char *why)
{
	close_connection(output);
	output->counts.connections_lost++;
	output->retry_ms = RETRY_FIRST_MS;
	output->next_attempt_ms = now;
	output->outage_told = 1;
	tell(output,
	     "connection lost: %s; reconnecting, %" PRIu32 " events held (backlog %" PRIu32 ")",
	     why, output->count, output->options.backlog);
}

static void connect_failed(struct redis_output *output, uint64_t now, int error)
{
	close_connection(output);
	output->failed_attempts++;
	if (!output->outage_told)
		tell(output,
		     "cannot connect: %s; retrying with backoff, holding up to %" PRIu32 " events",
		     strerror(error), output->options.backlog);
	output->outage_told = 1;
	schedule_retry(output, now);
}

static void connected(struct redis_output *output, uint64_t now)
{
	int one = 1;
	setsockopt(output->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	output->state = STATE_UP;
	output->last_progress_ms = now;
	if (output->ever_connected)
		output->counts.reconnects++;
	if (output->outage_told)
		tell(output,
		     "connected after %" PRIu32 " failed attempts; sending %" PRIu32 " held events",
		     output->failed_attempts, output->count);
	output->ever_connected = 1;
	output->outage_told = 0;
	output->failed_attempts = 0;
	output->retry_ms = RETRY_FIRST_MS;
}

static void start_connect(struct redis_output *output, uint64_t now)
{
	output->fd = socket(output->peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (output->fd < 0) {
		connect_failed(output, now, errno);
		return;
	}
	if (connect(output->fd, (const struct sockaddr *)&output->peer, output->peer_length) == 0) {
		connected(output, now);
	} else if (errno == EINPROGRESS) {
		output->state = STATE_CONNECTING;
		output->connect_started_ms = now;
	} else {
		connect_failed(output, now, errno);
	}
}

/* A connect in progress, looked at without waiting. */
static void check_connect(struct redis_output *output, uint64_t now)
{
	struct pollfd watch = {.fd = output->fd, .events = POLLOUT};
	if (poll(&watch, 1, 0) > 0) {
		int error = 0;
		socklen_t size = sizeof(error);
		if (getsockopt(output->fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0)
			error = errno;
		if (error == 0)
			connected(output, now);
		else
			connect_failed(output, now, error);
	} else if (now - output->connect_started_ms >= output->options.timeout_ms) {
		connect_failed(output, now, ETIMEDOUT);
	}
}

/* One reply answers the oldest command on the wire. 0, or -1 if it
 * answers none (the connection is then lost). */
static int take_reply(struct redis_output *output, uint64_t now, redisReply *reply)
{
	if (output->written == 0)
		return -1;
	if (reply->type == REDIS_REPLY_ERROR) {
		output->counts.refused++;
		if (!output->refusal_told)
			tell(output,
			     "the server refused an event: %.*s (refused events are dropped)",
			     (int)(reply->len < 200 ? reply->len : 200), reply->str);
		output->refusal_told = 1;
	} else {
		output->counts.delivered++;
		output->backlog_full_told = 0;
	}
	struct command *command = command_at(output, 0);
	redisFreeCommand(command->bytes);
	command->bytes = NULL;
	output->head = (output->head + 1) % output->options.backlog;
	output->count--;
	output->written--;
	output->last_progress_ms = now;
	return 0;
}

static void read_replies(struct redis_output *output, uint64_t now)
{
	char buffer[16384];
	for (;;) {
		ssize_t got = recv(output->fd, buffer, sizeof(buffer), 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (got <= 0) {
			lose_connection(output, now,
			                got == 0 ? "the server closed the connection"
			                         : strerror(errno));
			return;
		}
		if (redisReaderFeed(output->reader, buffer, (size_t)got) != REDIS_OK) {
			lose_connection(output, now, "cannot buffer replies");
			return;
		}
		void *reply = NULL;
		while (redisReaderGetReply(output->reader, &reply) == REDIS_OK && reply != NULL) {
			int unexpected = take_reply(output, now, reply);
			freeReplyObject(reply);
			reply = NULL;
			if (unexpected) {
				lose_connection(output, now, "a reply to no command");
				return;
			}
		}
		if (output->reader->err) {
			char why[160];
			snprintf(why, sizeof(why), "bad reply: %s", output->reader->errstr);
			lose_connection(output, now, why);
			return;
		}
	}
}

/* Writes what is due: a whole batch or more, the rest of a command begun,
 * or (flush) anything waiting; as much as the socket takes now. */
static void write_commands(struct redis_output *output, uint64_t now, int flush)
{
	while (output->state == STATE_UP) {
		uint32_t waiting = output->count - output->written;
		if (waiting == 0 ||
		    (output->partial == 0 && waiting < output->options.batch_size && !flush))
			return;
		struct iovec parts[WRITE_COMMANDS_MAX];
		int used = 0;
		for (uint32_t i = output->written; i < output->count && used < WRITE_COMMANDS_MAX;
		     i++) {
			const struct command *command = command_at(output, i);
			size_t skip = i == output->written ? output->partial : 0;
			parts[used].iov_base = command->bytes + skip;
			parts[used].iov_len = command->length - skip;
			used++;
		}
		struct msghdr message = {.msg_iov = parts, .msg_iovlen = (size_t)used};
		/* MSG_NOSIGNAL: a closed peer is an error here, not SIGPIPE. */
		ssize_t sent = sendmsg(output->fd, &message, MSG_NOSIGNAL);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (sent < 0) {
			lose_connection(output, now, strerror(errno));
			return;
		}
		if (output->written == 0 && output->partial == 0)
			output->last_progress_ms = now; /* replies are due from now */
		size_t left = (size_t)sent;
		while (left > 0) {
			const struct command *command = command_at(output, output->written);
			size_t rest = command->length - output->partial;
			if (left < rest) {
				output->partial += left;
				break;
			}
			left -= rest;
			output->partial = 0;
			output->written++;
		}
	}
}

/* One step of progress without waiting. */
static void service(struct redis_output *output, int flush)
{
	uint64_t now = now_ms();
	if (output->state == STATE_DOWN && now >= output->next_attempt_ms)
		start_connect(output, now);
	if (output->state == STATE_CONNECTING)
		check_connect(output, now);
	if (output->state == STATE_UP)
		read_replies(output, now);
	if (output->state == STATE_UP && (output->written > 0 || output->partial > 0) &&
	    now - output->last_progress_ms >= output->options.timeout_ms) {
		char why[64];
		snprintf(why, sizeof(why), "no reply in %" PRIu32 " ms",
		         output->options.timeout_ms);
		lose_connection(output, now, why);
		schedule_retry(output, now); /* a hung server: not at once */
	}
	if (output->state == STATE_UP)
		write_commands(output, now, flush);
}

void redis_output_write(struct redis_output *output, const char *line, size_t length)
{
	output->counts.lines++;
	if (output->count == output->options.backlog ||
	    format_command(output, line, length, command_at(output, output->count)) != 0) {
		output->counts.backlog_full++;
		if (!output->backlog_full_told)
			tell(output,
			     "backlog full (%" PRIu32 " events): dropping events until the server "
			     "takes them (counted in the summary)",
			     output->options.backlog);
		output->backlog_full_told = 1;
	} else {
		output->count++;
	}
	service(output, 0);
}

void redis_output_poll(struct redis_output *output)
{
	service(output, 1);
}

/* Waits for the socket (or the next retry), at most `limit_ms`. */
static void wait_for_progress(struct redis_output *output, uint64_t now, uint64_t limit_ms)
{
	uint64_t wait = limit_ms < 50 ? limit_ms : 50;
	if (output->state == STATE_DOWN) {
		uint64_t until = output->next_attempt_ms > now ? output->next_attempt_ms - now : 0;
		wait = until < wait ? until : wait;
		struct timespec pause = {.tv_sec = 0, .tv_nsec = (long)wait * 1000000L};
		nanosleep(&pause, NULL);
		return;
	}
	struct pollfd watch = {.fd = output->fd, .events = POLLIN};
	if (output->state == STATE_CONNECTING || output->count > output->written)
		watch.events |= POLLOUT;
	poll(&watch, 1, (int)wait);
}

void redis_output_finish(struct redis_output *output)
{
	uint64_t start = now_ms();
	if (output->state == STATE_DOWN)
		output->next_attempt_ms = start; /* the last chance: try at once */
	/* Only replies are progress: a connect alone is not (a hung server's
	 * kernel still accepts connections, and the wait would never end). */
	uint64_t mark = start;
	uint64_t answered = output->counts.delivered + output->counts.refused;
	while (output->count > 0) {
		service(output, 1);
		uint64_t now = now_ms();
		uint64_t answered_now = output->counts.delivered + output->counts.refused;
		if (answered_now != answered)
			mark = now; /* the wait starts again */
		answered = answered_now;
		if (output->count == 0 || now - mark >= output->options.timeout_ms)
			break;
		wait_for_progress(output, now, output->options.timeout_ms - (now - mark));
	}
	output->counts.undelivered += output->count;
	for (uint32_t i = 0; i < output->count; i++) {
		struct command *command = command_at(output, i);
		redisFreeCommand(command->bytes);
		command->bytes = NULL;
	}
	output->count = 0;
	close_connection(output);
}

void redis_output_free(struct redis_output *output)
{
	if (output == NULL)
		return;
	if (output->ring != NULL)
		for (uint32_t i = 0; i < output->count; i++)
			redisFreeCommand(command_at(output, i)->bytes);
	if (output->fd >= 0)
		close(output->fd);
	if (output->reader != NULL)
		redisReaderFree(output->reader);
	free(output->ring);
	free(output->key);
	free(output->address);
	free(output);
}
#endif /* PRONET_HAVE_HIREDIS */
