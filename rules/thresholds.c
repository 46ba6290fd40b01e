/* The thresholds parser. Syntax: rules/thresholds.conf. */
#include "rules/thresholds.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_file.h"

struct entry {
	char label[PRONET_RULES_NAME_MAX + 1];
	float threshold;
	unsigned line;
};

struct pronet_thresholds {
	struct entry *entries;
	size_t count, capacity;
	float fallback;
	unsigned default_line; /* 0: no `default` line */
};

void pronet_thresholds_free(struct pronet_thresholds *thresholds)
{
	if (thresholds == NULL)
		return;
	free(thresholds->entries);
	free(thresholds);
}

size_t pronet_thresholds_count(const struct pronet_thresholds *thresholds)
{
	return thresholds != NULL ? thresholds->count : 0;
}

float pronet_thresholds_default(const struct pronet_thresholds *thresholds, int *from_file)
{
	if (from_file != NULL)
		*from_file = thresholds != NULL && thresholds->default_line != 0;
	return thresholds != NULL ? thresholds->fallback : PRONET_THRESHOLD_DEFAULT;
}

int pronet_thresholds_find(const struct pronet_thresholds *thresholds, const char *label,
                           float *threshold)
{
	for (size_t i = 0; thresholds != NULL && label != NULL && i < thresholds->count; i++) {
		if (strcmp(thresholds->entries[i].label, label) == 0) {
			*threshold = thresholds->entries[i].threshold;
			return 1;
		}
	}
	return 0;
}

float pronet_thresholds_lookup(const struct pronet_thresholds *thresholds, const char *label)
{
	float threshold;

	if (pronet_thresholds_find(thresholds, label, &threshold))
		return threshold;
	return pronet_thresholds_default(thresholds, NULL);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Splits the next whitespace-separated word off [*text, end). */
static size_t next_word(const char **text, const char *end, const char **word)
{
	const char *p = *text;

	while (p < end && is_space(*p))
		p++;
	*word = p;
	while (p < end && !is_space(*p))
		p++;
	*text = p;
	return (size_t)(p - *word);
}

static enum pronet_err parse_threshold(const char *file, unsigned line, const char *word,
                                       size_t length, float *value, char *errbuf)
{
	char number[64];
	char *end;
	double parsed;

	if (length == 0)
		return pronet_error(errbuf, PRONET_ERR_PARSE, "%s:%u: expected 'LABEL THRESHOLD'",
		                    file, line);
	if (length >= sizeof(number))
		return pronet_error(errbuf, PRONET_ERR_PARSE,
		                    "%s:%u: threshold '%.20s...' is not a number", file, line,
		                    word);
	memcpy(number, word, length);
	number[length] = '\0';
	errno = 0;
	parsed = strtod(number, &end);
	if (end == number || *end != '\0' || errno != 0 || isnan(parsed))
		return pronet_error(errbuf, PRONET_ERR_PARSE,
		                    "%s:%u: threshold '%s' is not a number", file, line, number);
	if (parsed < 0.0 || parsed > 1.0)
		return pronet_error(errbuf, PRONET_ERR_PARSE, "%s:%u: threshold %s is outside 0..1",
		                    file, line, number);
	*value = (float)parsed;
	return PRONET_OK;
}

static enum pronet_err check_label(const char *file, unsigned line, const char *word, size_t length,
                                   char *errbuf)
{
	if (length > PRONET_RULES_NAME_MAX)
		return pronet_error(errbuf, PRONET_ERR_PARSE,
		                    "%s:%u: label longer than %d characters", file, line,
		                    PRONET_RULES_NAME_MAX);
	for (size_t i = 0; i < length; i++)
		if (!pronet_rules_is_name_char(word[i]))
			return pronet_error(errbuf, PRONET_ERR_PARSE,
			                    "%s:%u: character '%c' not allowed in label '%.*s'",
			                    file, line, word[i], (int)length, word);
	return PRONET_OK;
}

static enum pronet_err add_entry(struct pronet_thresholds *thresholds, const char *file,
                                 const struct entry *entry, char *errbuf)
{
	for (size_t i = 0; i < thresholds->count; i++)
		if (strcmp(thresholds->entries[i].label, entry->label) == 0)
			return pronet_error(errbuf, PRONET_ERR_PARSE,
			                    "%s:%u: '%s' already has a threshold on line %u", file,
			                    entry->line, entry->label, thresholds->entries[i].line);
	if (thresholds->count == thresholds->capacity) {
		size_t capacity = thresholds->capacity == 0 ? 16 : thresholds->capacity * 2;
		struct entry *grown = realloc(thresholds->entries, capacity * sizeof(*grown));

		if (grown == NULL)
			return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: out of memory", file);
		thresholds->entries = grown;
		thresholds->capacity = capacity;
	}
	thresholds->entries[thresholds->count++] = *entry;
	return PRONET_OK;
}

/* One non-empty line, comment removed: LABEL THRESHOLD or default THRESHOLD. */
static enum pronet_err parse_line(struct pronet_thresholds *thresholds, const char *file,
                                  unsigned line, const char *text, const char *end, char *errbuf)
{
	const char *label, *number, *extra;
	size_t label_length = next_word(&text, end, &label);
	size_t number_length = next_word(&text, end, &number);
	struct entry entry = {.line = line};
	enum pronet_err err;

	if (next_word(&text, end, &extra) != 0)
		return pronet_error(errbuf, PRONET_ERR_PARSE,
		                    "%s:%u: unexpected '%.*s' after the threshold", file, line,
		                    (int)(end - extra), extra);
	err = check_label(file, line, label, label_length, errbuf);
	if (err == PRONET_OK)
		err = parse_threshold(file, line, number, number_length, &entry.threshold, errbuf);
	if (err != PRONET_OK)
		return err;
	if (label_length == 7 && memcmp(label, "default", 7) == 0) {
		if (thresholds->default_line != 0)
			return pronet_error(errbuf, PRONET_ERR_PARSE,
			                    "%s:%u: second 'default' line (first on line %u)", file,
			                    line, thresholds->default_line);
		thresholds->fallback = entry.threshold;
		thresholds->default_line = line;
		return PRONET_OK;
	}
	memcpy(entry.label, label, label_length);
	entry.label[label_length] = '\0';
	return add_entry(thresholds, file, &entry, errbuf);
}

/* One line: blank and comment-only lines are skipped. */
static enum pronet_err parse_any_line(void *thresholds, const struct pronet_rules_line *line,
                                      char *errbuf)
{
	const char *comment = memchr(line->text, '#', line->length),
	           *end = comment != NULL ? comment : line->text + line->length;
	const char *word, *cursor = line->text;

	if (next_word(&cursor, end, &word) == 0)
		return PRONET_OK;
	return parse_line(thresholds, line->file, line->number, line->text, end, errbuf);
}

static void *thresholds_new(void)
{
	struct pronet_thresholds *thresholds = calloc(1, sizeof(*thresholds));

	if (thresholds != NULL)
		thresholds->fallback = PRONET_THRESHOLD_DEFAULT;
	return thresholds;
}

static void thresholds_free(void *thresholds)
{
	pronet_thresholds_free(thresholds);
}

static const struct pronet_rules_format thresholds_format = {"(thresholds)", thresholds_new,
                                                             thresholds_free, parse_any_line};

enum pronet_err pronet_thresholds_load_buffer(const char *text, size_t size, const char *name,
                                              struct pronet_thresholds **out, char *errbuf)
{
	void *thresholds;
	enum pronet_err err =
	    pronet_rules_load_buffer(&thresholds_format, text, size, name, &thresholds, errbuf);

	*out = thresholds;
	return err;
}

enum pronet_err pronet_thresholds_load(const char *path, struct pronet_thresholds **out,
                                       char *errbuf)
{
	void *thresholds;
	enum pronet_err err = pronet_rules_load(&thresholds_format, path, &thresholds, errbuf);

	*out = thresholds;
	return err;
}
