/* The class map parser and lookup. Syntax: rules/class-map.conf. */
#include "rules/class_map.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules_file.h"

/* One side of a pattern: a name, "*" (any, including none), or "" (none). */
struct rule {
	char master[PRONET_CLASS_MAP_LABEL_SIZE];
	char app[PRONET_CLASS_MAP_LABEL_SIZE];
	char label[PRONET_CLASS_MAP_LABEL_SIZE]; /* "" when the rule excludes */
	unsigned line;
};

struct pronet_class_map {
	struct rule *rules;
	size_t num_rules, capacity;
};

void pronet_class_map_free(struct pronet_class_map *map)
{
	if (map == NULL)
		return;
	free(map->rules);
	free(map);
}

size_t pronet_class_map_num_rules(const struct pronet_class_map *map)
{
	return map != NULL ? map->num_rules : 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trims spaces from both ends of [*start, *start + *length). */
static void trim(const char **start, size_t *length)
{
	while (*length > 0 && is_space(**start))
		(*start)++, (*length)--;
	while (*length > 0 && is_space((*start)[*length - 1]))
		(*length)--;
}

struct place {
	const char *file;
	unsigned line;
	char *errbuf;
};

/* Copies a name (or "*" if `wildcard_ok`) into out, checking its characters. */
static enum pronet_err copy_name(const struct place *at, const char *what, const char *text,
                                 size_t length, int wildcard_ok, char *out)
{
	if (length == 0)
		return pronet_error(at->errbuf, PRONET_ERR_PARSE, "%s:%u: empty %s", at->file,
		                    at->line, what);
	if (length == 1 && text[0] == '*' && wildcard_ok) {
		memcpy(out, "*", 2);
		return PRONET_OK;
	}
	if (length > PRONET_RULES_NAME_MAX)
		return pronet_error(at->errbuf, PRONET_ERR_PARSE,
		                    "%s:%u: %s longer than %d characters", at->file, at->line, what,
		                    PRONET_RULES_NAME_MAX);
	for (size_t i = 0; i < length; i++) {
		if (pronet_rules_is_name_char(text[i]))
			continue;
		if (text[i] == '*')
			return pronet_error(
			    at->errbuf, PRONET_ERR_PARSE,
			    "%s:%u: '*' in %s '%.*s': a wildcard stands for a whole name", at->file,
			    at->line, what, (int)length, text);
		return pronet_error(
		    at->errbuf, PRONET_ERR_PARSE,
		    "%s:%u: character '%c' not allowed in %s '%.*s' (letters, digits, _ and -)",
		    at->file, at->line, text[i], what, (int)length, text);
	}
	memcpy(out, text, length);
	out[length] = '\0';
	return PRONET_OK;
}

/* PATTERN: NAME | MASTER.APP | MASTER.* | *.APP | * | *.* */
static enum pronet_err parse_pattern(const struct place *at, const char *text, size_t length,
                                     struct rule *rule)
{
	const char *dot = memchr(text, '.', length);
	enum pronet_err err;

	for (size_t i = 0; i < length; i++)
		if (is_space(text[i]))
			return pronet_error(at->errbuf, PRONET_ERR_PARSE,
			                    "%s:%u: pattern '%.*s' contains a space", at->file,
			                    at->line, (int)length, text);
	if (dot == NULL) {
		err = copy_name(at, "pattern", text, length, 1, rule->app);
		if (err == PRONET_OK && strcasecmp(rule->app, "Unknown") == 0)
			return pronet_error(
			    at->errbuf, PRONET_ERR_PARSE,
			    "%s:%u: flows nDPI could not name are always excluded; no rule needed",
			    at->file, at->line);
		/* A single name means "that protocol alone"; "*" means anything. */
		rule->master[0] = strcmp(rule->app, "*") == 0 ? '*' : '\0';
		rule->master[1] = '\0';
		return err;
	}
	if (memchr(dot + 1, '.', length - (size_t)(dot + 1 - text)) != NULL)
		return pronet_error(at->errbuf, PRONET_ERR_PARSE,
		                    "%s:%u: pattern '%.*s' has more than one '.' (MASTER.APP)",
		                    at->file, at->line, (int)length, text);
	err = copy_name(at, "master name", text, (size_t)(dot - text), 1, rule->master);
	if (err == PRONET_OK)
		err = copy_name(at, "app name", dot + 1, length - (size_t)(dot + 1 - text), 1,
		                rule->app);
	if (err == PRONET_OK &&
	    (strcasecmp(rule->master, "Unknown") == 0 || strcasecmp(rule->app, "Unknown") == 0))
		return pronet_error(
		    at->errbuf, PRONET_ERR_PARSE,
		    "%s:%u: 'Unknown' stands for no protocol: write the pattern without it",
		    at->file, at->line);
	return err;
}

static enum pronet_err parse_rule(const struct place *at, const char *line, size_t length,
                                  struct rule *rule)
{
	const char *arrow = NULL, *label, *end = line + length;
	size_t pattern_length, label_length;
	enum pronet_err err;

	for (size_t i = 0; i + 1 < length && arrow == NULL; i++)
		if (line[i] == '-' && line[i + 1] == '>')
			arrow = line + i;
	if (arrow == NULL)
		return pronet_error(at->errbuf, PRONET_ERR_PARSE,
		                    "%s:%u: expected 'PATTERN -> LABEL', found no '->'", at->file,
		                    at->line);
	pattern_length = (size_t)(arrow - line);
	trim(&line, &pattern_length);
	label = arrow + 2;
	label_length = (size_t)(end - label);
	trim(&label, &label_length);
	if (pattern_length == 0)
		return pronet_error(at->errbuf, PRONET_ERR_PARSE, "%s:%u: no pattern before '->'",
		                    at->file, at->line);
	err = parse_pattern(at, line, pattern_length, rule);
	if (err != PRONET_OK)
		return err;
	if (label_length == 1 && label[0] == '-') {
		rule->label[0] = '\0';
		return PRONET_OK;
	}
	for (size_t i = 0; i < label_length; i++)
		if (is_space(label[i]))
			return pronet_error(at->errbuf, PRONET_ERR_PARSE,
			                    "%s:%u: one label expected after '->', found '%.*s'",
			                    at->file, at->line, (int)label_length, label);
	err = copy_name(at, "label", label, label_length, 0, rule->label);
	if (err == PRONET_OK && strcasecmp(rule->label, "Unknown") == 0)
		return pronet_error(at->errbuf, PRONET_ERR_PARSE,
		                    "%s:%u: 'Unknown' is not a label; use '-' to exclude", at->file,
		                    at->line);
	return err;
}

static enum pronet_err add_rule(struct pronet_class_map *map, const struct place *at,
                                const struct rule *rule)
{
	for (size_t i = 0; i < map->num_rules; i++) {
		const struct rule *old = &map->rules[i];

		if (strcasecmp(old->master, rule->master) == 0 &&
		    strcasecmp(old->app, rule->app) == 0)
			return pronet_error(
			    at->errbuf, PRONET_ERR_PARSE,
			    "%s:%u: same pattern as line %u, which always matches first", at->file,
			    at->line, old->line);
	}
	if (map->num_rules == map->capacity) {
		size_t capacity = map->capacity == 0 ? 32 : map->capacity * 2;
		struct rule *grown = realloc(map->rules, capacity * sizeof(*grown));

		if (grown == NULL)
			return pronet_error(at->errbuf, PRONET_ERR_NOMEM, "%s: out of memory",
			                    at->file);
		map->rules = grown;
		map->capacity = capacity;
	}
	map->rules[map->num_rules++] = *rule;
	return PRONET_OK;
}

/* One line: '#' starts a comment; blank lines are skipped. */
static enum pronet_err parse_line(void *map, const struct pronet_rules_line *line, char *errbuf)
{
	struct place at = {line->file, line->number, errbuf};
	const char *text = line->text, *comment = memchr(text, '#', line->length);
	size_t length = comment != NULL ? (size_t)(comment - text) : line->length;
	struct rule rule;
	enum pronet_err err;

	trim(&text, &length);
	if (length == 0)
		return PRONET_OK;
	rule.line = line->number;
	err = parse_rule(&at, text, length, &rule);
	if (err == PRONET_OK)
		err = add_rule(map, &at, &rule);
	return err;
}

static void *class_map_new(void)
{
	return calloc(1, sizeof(struct pronet_class_map));
}

static void class_map_free(void *map)
{
	pronet_class_map_free(map);
}

static const struct pronet_rules_format class_map_format = {"(class map)", class_map_new,
                                                            class_map_free, parse_line};

enum pronet_err pronet_class_map_load_buffer(const char *text, size_t size, const char *name,
                                             struct pronet_class_map **out, char *errbuf)
{
	void *map;
	enum pronet_err err =
	    pronet_rules_load_buffer(&class_map_format, text, size, name, &map, errbuf);

	*out = map;
	return err;
}

enum pronet_err pronet_class_map_load(const char *path, struct pronet_class_map **out, char *errbuf)
{
	void *map;
	enum pronet_err err = pronet_rules_load(&class_map_format, path, &map, errbuf);

	*out = map;
	return err;
}

static int is_none(const char *name)
{
	return name == NULL || *name == '\0' || strcasecmp(name, "Unknown") == 0;
}

/* Does `rule` match the normalised pair (master may be "" for none)? */
static int rule_matches(const struct rule *rule, const char *master, const char *app)
{
	int master_ok;

	if (strcmp(rule->master, "*") == 0)
		master_ok = 1;
	else if (rule->master[0] == '\0')
		master_ok = master[0] == '\0';
	else if (strcasecmp(rule->master, master) == 0)
		master_ok = 1;
	else
		/* MASTER.* also covers the master protocol seen alone (plain TLS). */
		return master[0] == '\0' && strcmp(rule->app, "*") == 0 &&
		       strcasecmp(rule->master, app) == 0;
	return master_ok && (strcmp(rule->app, "*") == 0 || strcasecmp(rule->app, app) == 0);
}

/* nDPI's name as a rules-file name: at most 63 characters, any character
 * outside letters, digits, _ and - read as _ (Z39.50 -> Z39_50). */
static void copy_label(char *label, const char *name)
{
	size_t length = strlen(name);

	if (length >= PRONET_CLASS_MAP_LABEL_SIZE)
		length = PRONET_CLASS_MAP_LABEL_SIZE - 1;
	for (size_t i = 0; i < length; i++)
		label[i] = pronet_rules_is_name_char(name[i]) ? name[i] : '_';
	label[length] = '\0';
}

int pronet_class_map_lookup(const struct pronet_class_map *map, const char *master, const char *app,
                            char *label)
{
	char master_name[PRONET_CLASS_MAP_LABEL_SIZE], app_name[PRONET_CLASS_MAP_LABEL_SIZE];

	/* Normalise to (master or "", app): one protocol alone is an app. */
	if (is_none(app) || (!is_none(master) && strcasecmp(master, app) == 0)) {
		app = is_none(app) ? master : app;
		master = NULL;
	}
	if (is_none(app))
		return 0;
	copy_label(app_name, app);
	copy_label(master_name, is_none(master) ? "" : master);
	for (size_t i = 0; map != NULL && i < map->num_rules; i++) {
		const struct rule *rule = &map->rules[i];

		if (!rule_matches(rule, master_name, app_name))
			continue;
		if (rule->label[0] == '\0')
			return 0;
		copy_label(label, rule->label);
		return 1;
	}
	copy_label(label, master_name[0] != '\0' ? master_name : app_name);
	return 1;
}
