/* Capture arguments -> capture files (ndpi-glue/capture/capture_inputs.h). */
#include "ndpi-glue/capture/capture_inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* A growable array of malloc'd strings. */
struct string_list {
	char **items;
	size_t count, capacity;
};

struct pronet_capture_inputs {
	struct string_list paths;
	struct string_list failed;
};

/* Directories nested deeper than this are reported, not walked: a bound on
 * recursion whatever the file system holds. */
#define MAX_DEPTH 64

static void string_list_free(struct string_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
}

/* Takes ownership of `item` (freed on failure). */
static enum pronet_err string_list_push(struct string_list *list, char *item, char *errbuf)
{
	if (item == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "capture list: out of memory");
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? 2 * list->capacity : 16;
		char **items = realloc(list->items, capacity * sizeof(*items));
		if (items == NULL) {
			free(item);
			return pronet_error(errbuf, PRONET_ERR_NOMEM,
			                    "capture list: out of memory");
		}
		list->items = items;
		list->capacity = capacity;
	}
	list->items[list->count++] = item;
	return PRONET_OK;
}

/* Formats a failed entry and records it. */
static enum pronet_err add_failed(struct pronet_capture_inputs *inputs, char *errbuf,
                                  const char *path, const char *what, int error)
{
	size_t size = strlen(path) + strlen(what) + 128;
	char *message = malloc(size), reason[PRONET_STRERROR_SIZE];
	if (message != NULL)
		snprintf(message, size, "%s: %s%s%s", path, what, error ? ": " : "",
		         error ? pronet_strerror_errno(error, reason, sizeof(reason)) : "");
	return string_list_push(&inputs->failed, message, errbuf);
}

struct pronet_capture_inputs *pronet_capture_inputs_new(void)
{
	return calloc(1, sizeof(struct pronet_capture_inputs));
}

void pronet_capture_inputs_free(struct pronet_capture_inputs *inputs)
{
	if (inputs == NULL)
		return;
	string_list_free(&inputs->paths);
	string_list_free(&inputs->failed);
	free(inputs);
}

int pronet_capture_inputs_is_capture_name(const char *name)
{
	static const char *const suffixes[] = {".pcap", ".pcapng", ".cap"};
	size_t length = strlen(name);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t n = strlen(suffixes[i]);
		if (length > n && strcasecmp(name + length - n, suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

static char *join_path(const char *directory, const char *name)
{
	size_t length = strlen(directory);
	int slash = length > 0 && directory[length - 1] != '/';
	size_t size = length + slash + strlen(name) + 1;
	char *path = malloc(size);
	if (path != NULL)
		snprintf(path, size, "%s%s%s", directory, slash ? "/" : "", name);
	return path;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the capture files below `directory` to inputs->paths, unsorted.
 * Symbolic links to directories are not followed (no loops); links to
 * files are. */
static enum pronet_err walk_directory(struct pronet_capture_inputs *inputs, const char *directory,
                                      int depth, char *errbuf)
{
	if (depth > MAX_DEPTH)
		return add_failed(inputs, errbuf, directory, "directories nested too deep", 0);
	DIR *dir = opendir(directory);
	if (dir == NULL)
		return add_failed(inputs, errbuf, directory, "cannot open directory", errno);
	enum pronet_err err = PRONET_OK;
	struct dirent *entry;
	errno = 0;
	while (err == PRONET_OK && (entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		char *path = join_path(directory, entry->d_name);
		struct stat link_info, info;
		if (path == NULL) {
			err = pronet_error(errbuf, PRONET_ERR_NOMEM, "capture list: out of memory");
			break;
		}
		if (lstat(path, &link_info) != 0 || stat(path, &info) != 0) {
			/* A dangling link to a capture is a capture that fails to open. */
			if (pronet_capture_inputs_is_capture_name(entry->d_name))
				err = string_list_push(&inputs->paths, path, errbuf);
			else
				free(path);
		} else if (S_ISDIR(info.st_mode)) {
			if (!S_ISLNK(link_info.st_mode))
				err = walk_directory(inputs, path, depth + 1, errbuf);
			free(path);
		} else if (pronet_capture_inputs_is_capture_name(entry->d_name)) {
			err = string_list_push(&inputs->paths, path, errbuf);
		} else {
			free(path);
		}
		errno = 0;
	}
	if (err == PRONET_OK && errno != 0)
		err = add_failed(inputs, errbuf, directory, "cannot read directory", errno);
	closedir(dir);
	return err;
}

/* A file or a directory argument (no '@' handling). */
static enum pronet_err add_path(struct pronet_capture_inputs *inputs, const char *path,
                                char *errbuf)
{
	struct stat info;
	if (stat(path, &info) == 0 && S_ISDIR(info.st_mode)) {
		size_t first = inputs->paths.count;
		enum pronet_err err = walk_directory(inputs, path, 0, errbuf);
		/* Only when it found some: items is still NULL after an empty
		 * first directory, and qsort's array may not be NULL. */
		if (err == PRONET_OK && inputs->paths.count > first)
			qsort(inputs->paths.items + first, inputs->paths.count - first,
			      sizeof(char *), compare_strings);
		return err;
	}
	return string_list_push(&inputs->paths, strdup(path), errbuf);
}

/* Trims blanks (and a '\r') at both ends of line, in place. */
static char *trim(char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	size_t length = strlen(line);
	while (length > 0 && strchr(" \t\r\n", line[length - 1]) != NULL)
		line[--length] = '\0';
	return line;
}

/* `entry` as read from the list at `list_path`: relative entries are taken
 * relative to the list's directory. */
static char *resolve_entry(const char *list_path, const char *entry)
{
	const char *slash = strrchr(list_path, '/');
	if (entry[0] == '/' || slash == NULL)
		return strdup(entry);
	size_t directory_length = (size_t)(slash - list_path) + 1;
	size_t size = directory_length + strlen(entry) + 1;
	char *path = malloc(size);
	if (path != NULL)
		snprintf(path, size, "%.*s%s", (int)directory_length, list_path, entry);
	return path;
}

enum pronet_err pronet_capture_inputs_add_list(struct pronet_capture_inputs *inputs,
                                               const char *list_path, char *errbuf)
{
	FILE *list = fopen(list_path, "r");
	if (list == NULL)
		return add_failed(inputs, errbuf, list_path, "cannot open capture list", errno);
	enum pronet_err err = PRONET_OK;
	char *line = NULL;
	size_t capacity = 0;
	errno = 0;
	while (err == PRONET_OK && getline(&line, &capacity, list) != -1) {
		char *entry = trim(line);
		if (entry[0] == '\0' || entry[0] == '#')
			continue;
		char *path = resolve_entry(list_path, entry);
		if (path == NULL)
			err = pronet_error(errbuf, PRONET_ERR_NOMEM, "capture list: out of memory");
		else
			err = add_path(inputs, path, errbuf);
		free(path);
		errno = 0;
	}
	if (err == PRONET_OK && ferror(list))
		err = add_failed(inputs, errbuf, list_path, "cannot read capture list", errno);
	free(line);
	fclose(list);
	return err;
}

enum pronet_err pronet_capture_inputs_add(struct pronet_capture_inputs *inputs,
                                          const char *argument, char *errbuf)
{
	if (argument[0] == '@')
		return pronet_capture_inputs_add_list(inputs, argument + 1, errbuf);
	return add_path(inputs, argument, errbuf);
}

size_t pronet_capture_inputs_count(const struct pronet_capture_inputs *inputs)
{
	return inputs->paths.count;
}

const char *pronet_capture_inputs_path(const struct pronet_capture_inputs *inputs, size_t i)
{
	return i < inputs->paths.count ? inputs->paths.items[i] : NULL;
}

size_t pronet_capture_inputs_failed_count(const struct pronet_capture_inputs *inputs)
{
	return inputs->failed.count;
}

const char *pronet_capture_inputs_failed_message(const struct pronet_capture_inputs *inputs,
                                                 size_t i)
{
	return i < inputs->failed.count ? inputs->failed.items[i] : NULL;
}
