/* The protos-file parser (see rules/protos.h for what it accepts and why).
 *
 * How nDPI 4.2 reads such a file (ndpi_load_protocols_file and
 * ndpi_handle_rule in src/lib/ndpi_main.c, read, not copied): a line is
 * read up to '\n' (an unterminated last line is dropped); a line of length
 * <= 1 or starting with '#' is skipped; the last character is cut off as the
 * newline; the text after the last '@' is the protocol name, in which
 * '/', '&', '^', ':', ';', '\'', '"' and ' ' become '_'; names compare
 * case-insensitively; the text before '@' is a comma-separated list of
 * tcp:/udp:/ip:/host: rules, and an empty one adds no rule. We accept a
 * strict subset whose reading is the same. */
#include "rules/protos.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules_file.h"

struct proto {
	char rule[PRONET_RULES_NAME_MAX + 2]; /* "@" + name + NUL */
	unsigned line;
};

struct pronet_protos {
	struct proto protos[PRONET_PROTOS_MAX];
	size_t count;
};

void pronet_protos_free(struct pronet_protos *protos)
{
	free(protos);
}

size_t pronet_protos_count(const struct pronet_protos *protos)
{
	return protos != NULL ? protos->count : 0;
}

const char *pronet_protos_name(const struct pronet_protos *protos, size_t i)
{
	return i < pronet_protos_count(protos) ? protos->protos[i].rule + 1 : NULL;
}

const char *pronet_protos_rule(const struct pronet_protos *protos, size_t i)
{
	return i < pronet_protos_count(protos) ? protos->protos[i].rule : NULL;
}

int pronet_protos_find(const struct pronet_protos *protos, const char *name)
{
	for (size_t i = 0; name != NULL && i < pronet_protos_count(protos); i++)
		if (strcasecmp(protos->protos[i].rule + 1, name) == 0)
			return (int)i;
	return -1;
}

/* A rule line: "@NAME". Anything else nDPI would read differently, or is a
 * port/host/ip rule we refuse on purpose. */
static enum pronet_err parse_rule(struct pronet_protos *protos, const char *file, unsigned number,
                                  const char *line, size_t length, char *errbuf)
{
	const char *at = memchr(line, '@', length), *name;
	size_t name_length;
	char why[128];
	int existing;

	if (at == NULL)
		return pronet_error(errbuf, PRONET_ERR_PARSE,
		                    "%s:%u: expected '@NAME' (comments start with '#' in column 1)",
		                    file, number);
	if (at != line)
		return pronet_error(
		    errbuf, PRONET_ERR_PARSE,
		    "%s:%u: '%.*s' before '@': learned classes take no port/host/ip rules (a port "
		    "rule makes nDPI label flows before any dissector runs)",
		    file, number, (int)(at - line), line);
	name = at + 1;
	name_length = length - 1;
	if (name_length == 0)
		return pronet_error(errbuf, PRONET_ERR_PARSE, "%s:%u: no name after '@'", file,
		                    number);
	if (!pronet_rules_check_protocol_name(name, name_length, why, sizeof(why)))
		return pronet_error(errbuf, PRONET_ERR_PARSE, "%s:%u: name %s: '%.*s'", file,
		                    number, why, (int)name_length, name);
	if (protos->count == PRONET_PROTOS_MAX)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s:%u: more than %d names (nDPI 4.2's custom protocol limit)",
		                    file, number, PRONET_PROTOS_MAX);
	memcpy(protos->protos[protos->count].rule, line, length);
	protos->protos[protos->count].rule[length] = '\0';
	existing = pronet_protos_find(protos, protos->protos[protos->count].rule + 1);
	if (existing >= 0)
		return pronet_error(
		    errbuf, PRONET_ERR_PARSE,
		    "%s:%u: '%.*s' already defined on line %u (nDPI compares names ignoring case)",
		    file, number, (int)name_length, name, protos->protos[existing].line);
	protos->protos[protos->count++].line = number;
	return PRONET_OK;
}

/* One line: comments ('#' in column 1) and empty lines are skipped, as
 * nDPI skips them; a rule must end with a newline, or nDPI drops it. */
static enum pronet_err parse_line(void *protos, const struct pronet_rules_line *line, char *errbuf)
{
	if (line->length == 0 || line->text[0] == '#')
		return PRONET_OK;
	if (!line->terminated)
		return pronet_error(errbuf, PRONET_ERR_PARSE,
		                    "%s:%u: no newline at the end of the last line (nDPI "
		                    "ignores such a line)",
		                    line->file, line->number);
	return parse_rule(protos, line->file, line->number, line->text, line->length, errbuf);
}

static void *protos_new(void)
{
	return calloc(1, sizeof(struct pronet_protos));
}

static void protos_free(void *protos)
{
	pronet_protos_free(protos);
}

static const struct pronet_rules_format protos_format = {"(protos)", protos_new, protos_free,
                                                         parse_line};

enum pronet_err pronet_protos_load_buffer(const char *text, size_t size, const char *name,
                                          struct pronet_protos **out, char *errbuf)
{
	void *protos;
	enum pronet_err err =
	    pronet_rules_load_buffer(&protos_format, text, size, name, &protos, errbuf);

	*out = protos;
	return err;
}

enum pronet_err pronet_protos_load(const char *path, struct pronet_protos **out, char *errbuf)
{
	void *protos;
	enum pronet_err err = pronet_rules_load(&protos_format, path, &protos, errbuf);

	*out = protos;
	return err;
}
