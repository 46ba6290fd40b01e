/* Event lines to a Redis server, as Suricata's EVE `filetype: redis` sends
 * them (docs/classify-events.md, "Redis"): one command per line, LPUSH
 * (mode list, Suricata's default), RPUSH (rpush), PUBLISH (channel) or
 * XADD KEY [MAXLEN ~ N] * eve LINE (stream), on KEY.
 *
 * hiredis formats the commands and parses the replies; the socket is ours and
 * never blocks: the connect is non-blocking and bounded by a timeout, writes
 * take what the kernel accepts now, replies are read when they are there. So a
 * dead or hung server never stops the caller (the packet path) for longer than
 * one poll of the socket.
 *
 * Every line goes into a bounded backlog first (`backlog` lines) and leaves it
 * when the server has replied to its command: OK (delivered) or an error
 * (refused). While the server is away the backlog holds the lines; the
 * connection is retried with a doubling backoff; a line that finds the backlog
 * full is dropped and counted. Lines sent on a connection that was lost before
 * their reply are sent again on the next one (at least once: a server that
 * executed a command and died before replying gets it twice).
 *
 * Pipelining (Suricata's `pipelining.batch-size`): commands are written
 * `batch_size` at a time in one write. A partial batch goes out at
 * redis_output_poll and at the end; 1 sends each line at once.
 *
 * Status changes (connection lost, connect failed, reconnected, backlog
 * full, a refused command) are told to `notify` as one sentence naming
 * HOST:PORT, once per change, so that a long outage does not flood it. */
#ifndef PRONET_TOOLS_REDIS_OUTPUT_H
#define PRONET_TOOLS_REDIS_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

enum redis_output_mode {
	REDIS_OUTPUT_LPUSH = 0, /* "list" (Suricata's alias) or "lpush" */
	REDIS_OUTPUT_RPUSH,     /* "rpush" */
	REDIS_OUTPUT_PUBLISH,   /* "channel" or "publish" */
	REDIS_OUTPUT_XADD,      /* "stream" or "xadd" */
};

#define REDIS_OUTPUT_DEFAULT_KEY "pronet"
#define REDIS_OUTPUT_DEFAULT_PORT 6379
/* Suricata's default stream-maxlen. */
#define REDIS_OUTPUT_DEFAULT_STREAM_MAXLEN 100000u
#define REDIS_OUTPUT_DEFAULT_BACKLOG 10000u
#define REDIS_OUTPUT_DEFAULT_TIMEOUT_MS 2000u
#define REDIS_OUTPUT_MAX_BACKLOG (1u << 24)

struct redis_output_options {
	const char *address; /* "HOST:PORT", "HOST" (port 6379), "[V6]:PORT" */
	const char *key;     /* list, channel or stream name */
	enum redis_output_mode mode;
	uint32_t stream_maxlen; /* XADD MAXLEN ~ N; 0: no trimming */
	uint32_t batch_size;    /* commands per write, >= 1 */
	uint32_t backlog;       /* lines held at most, 1..REDIS_OUTPUT_MAX_BACKLOG */
	/* Bounds a connect, the wait for a reply (a server silent this long
	 * with commands outstanding is taken as gone) and, at the end, the wait
	 * without progress before what is left counts as dropped. */
	uint32_t timeout_ms;
	void (*notify)(void *user, const char *message);
	void *notify_user;
};

/* What became of the lines: lines = delivered + dropped() once closed. */
struct redis_output_counts {
	uint64_t lines;        /* handed to redis_output_write */
	uint64_t delivered;    /* the server replied OK */
	uint64_t backlog_full; /* dropped: the backlog was full */
	uint64_t refused;      /* dropped: the server replied with an error */
	uint64_t undelivered;  /* dropped: still in the backlog at the end */
	uint64_t connections_lost;
	uint64_t reconnects;
};

static inline uint64_t redis_output_dropped(const struct redis_output_counts *counts)
{
	return counts->backlog_full + counts->refused + counts->undelivered;
}

struct redis_output;

/* Defaults above, address NULL. */
void redis_output_options_default(struct redis_output_options *options);
/* "list", "lpush", "rpush", "channel", "publish", "stream", "xadd"; 0 if
 * `name` is none of them. */
int redis_output_mode_from_name(const char *name, enum redis_output_mode *mode);
const char *redis_output_mode_name(enum redis_output_mode mode);

/* Resolves the address (the one blocking step, done here and not on the
 * packet path) and starts connecting. A server that does not answer yet is
 * not an error: the lines wait in the backlog. */
enum pronet_err redis_output_open(const struct redis_output_options *options,
                                  struct redis_output **out, char *errbuf);
/* Queues one line (without its newline) and sends what is due. Never
 * fails: a line that cannot be held is counted as dropped. */
void redis_output_write(struct redis_output *output, const char *line, size_t length);
/* A quiet moment: sends a partial batch, reads replies, retries a lost
 * connection when its backoff has passed. */
void redis_output_poll(struct redis_output *output);
/* "HOST:PORT" as given. */
const char *redis_output_address(const struct redis_output *output);
void redis_output_get_counts(const struct redis_output *output, struct redis_output_counts *out);
/* Delivers what is left (waiting at most timeout_ms without progress),
 * counts the rest as undelivered, disconnects. Counts are final after. */
void redis_output_finish(struct redis_output *output);
/* Frees (redis_output_finish first to deliver). NULL: no-op. */
void redis_output_free(struct redis_output *output);

#endif
