#include "rules/rules_file.h"

#include "core/util/file_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef PRONET_DATADIR
#define PRONET_DATADIR "/usr/local/share/pronet"
#endif

enum pronet_err pronet_rules_read_file(const char *path, char **text, size_t *size, char *errbuf)
{
	uint8_t *data;
	size_t used;
	enum pronet_err err = pronet_file_read(path, PRONET_RULES_FILE_MAX, &data, &used, errbuf);
	if (err != PRONET_OK)
		return err;
	char *buffer = (char *)data; /* NUL-terminated by pronet_file_read */
	if (memchr(buffer, '\0', used) != NULL) {
		size_t line = 1;

		for (const char *p = buffer; *p != '\0'; p++)
			line += *p == '\n';
		free(buffer);
		return pronet_error(errbuf, PRONET_ERR_PARSE, "%s:%zu: NUL byte (not a text file)",
		                    path, line);
	}
	*text = buffer;
	*size = used;
	return PRONET_OK;
}

void pronet_rules_lines_init(struct pronet_rules_lines *lines, const char *text, size_t size)
{
	lines->text = text;
	lines->size = size;
	lines->offset = 0;
	lines->number = 0;
}

int pronet_rules_lines_next(struct pronet_rules_lines *lines, const char **line, size_t *length,
                            int *terminated)
{
	const char *start, *newline;
	size_t remaining;

	if (lines->offset >= lines->size)
		return 0;
	start = lines->text + lines->offset;
	remaining = lines->size - lines->offset;
	newline = memchr(start, '\n', remaining);
	*line = start;
	*length = newline != NULL ? (size_t)(newline - start) : remaining;
	*terminated = newline != NULL;
	lines->offset += *length + (newline != NULL);
	lines->number++;
	return 1;
}

enum pronet_err pronet_rules_load_buffer(const struct pronet_rules_format *format, const char *text,
                                         size_t size, const char *name, void **out, char *errbuf)
{
	void *result = format->create();
	struct pronet_rules_lines lines;
	struct pronet_rules_line line = {name != NULL ? name : format->unnamed, 0, NULL, 0, 0};
	enum pronet_err err = PRONET_OK;

	*out = NULL;
	if (result == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: out of memory", line.file);
	pronet_rules_lines_init(&lines, text, size);
	while (err == PRONET_OK &&
	       pronet_rules_lines_next(&lines, &line.text, &line.length, &line.terminated)) {
		line.number = lines.number;
		err = format->parse_line(result, &line, errbuf);
	}
	if (err != PRONET_OK) {
		format->destroy(result);
		return err;
	}
	*out = result;
	return PRONET_OK;
}

enum pronet_err pronet_rules_load(const struct pronet_rules_format *format, const char *path,
                                  void **out, char *errbuf)
{
	char *text;
	size_t size;
	enum pronet_err err;

	*out = NULL;
	err = pronet_rules_read_file(path, &text, &size, errbuf);
	if (err != PRONET_OK)
		return err;
	err = pronet_rules_load_buffer(format, text, size, path, out, errbuf);
	free(text);
	return err;
}

int pronet_rules_is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

int pronet_rules_check_protocol_name(const char *name, size_t length, char *why, size_t why_size)
{
	if (length == 0) {
		snprintf(why, why_size, "empty");
		return 0;
	}
	if (length > PRONET_RULES_NAME_MAX) {
		snprintf(why, why_size, "longer than %d characters", PRONET_RULES_NAME_MAX);
		return 0;
	}
	for (size_t i = 0; i < length; i++)
		if (!pronet_rules_is_name_char(name[i])) {
			snprintf(why, why_size,
			         "character 0x%02x not allowed (letters, digits, _ and -; nDPI "
			         "rewrites or splits on others)",
			         (unsigned char)name[i]);
			return 0;
		}
	if (length == 7 && strncasecmp(name, "Unknown", 7) == 0) {
		snprintf(why, why_size, "'Unknown' is nDPI's protocol 0");
		return 0;
	}
	return 1;
}

enum pronet_err pronet_rules_default_path(const char *rules_dir, const char *file_name, char *path,
                                          size_t size, char *errbuf)
{
	const char *dir = rules_dir;
	int written;

	if (dir == NULL || *dir == '\0')
		dir = PRONET_DATADIR;
	written = snprintf(path, size, "%s/%s", dir, file_name);
	if (written < 0 || (size_t)written >= size)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s/%s: path too long", dir,
		                    file_name);
	return PRONET_OK;
}
