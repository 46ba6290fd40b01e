/* libFuzzer harness: the rules parsers (rules/class_map.c, thresholds.c,
 * protos.c) on arbitrary text.
 *
 * Input: byte 0 picks the parser (0 class map, 1 thresholds, 2 protos,
 * modulo 3); the rest is the file's text. A parsed file is queried the way
 * the plugin and the CLI query it. */
#include <stddef.h>
#include <stdint.h>

#include "rules/class_map.h"
#include "rules/protos.h"
#include "rules/thresholds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void class_map(const char *text, size_t size, char *errbuf)
{
	struct pronet_class_map *map = NULL;
	char label[PRONET_CLASS_MAP_LABEL_SIZE];

	if (pronet_class_map_load_buffer(text, size, "fuzz", &map, errbuf) != PRONET_OK)
		return;
	(void)pronet_class_map_num_rules(map);
	(void)pronet_class_map_lookup(map, "TLS", "Google", label);
	(void)pronet_class_map_lookup(map, NULL, "DNS", label);
	(void)pronet_class_map_lookup(map, "", "Unknown", label);
	pronet_class_map_free(map);
}

static void thresholds(const char *text, size_t size, char *errbuf)
{
	struct pronet_thresholds *thresholds = NULL;
	float value;
	int from_file;

	if (pronet_thresholds_load_buffer(text, size, "fuzz", &thresholds, errbuf) != PRONET_OK)
		return;
	(void)pronet_thresholds_lookup(thresholds, "HTTP");
	(void)pronet_thresholds_find(thresholds, "DNS", &value);
	(void)pronet_thresholds_default(thresholds, &from_file);
	(void)pronet_thresholds_count(thresholds);
	pronet_thresholds_free(thresholds);
}

static void protos(const char *text, size_t size, char *errbuf)
{
	struct pronet_protos *protos = NULL;

	if (pronet_protos_load_buffer(text, size, "fuzz", &protos, errbuf) != PRONET_OK)
		return;
	for (size_t i = 0; i < pronet_protos_count(protos); i++) {
		(void)pronet_protos_find(protos, pronet_protos_name(protos, i));
		(void)pronet_protos_rule(protos, i);
	}
	pronet_protos_free(protos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[PRONET_ERRBUF_SIZE];

	if (size < 1)
		return 0;
	/* data + 1 is exactly size - 1 bytes with no NUL after it: the parsers
	 * must honour the length they are given. */
	const char *text = (const char *)data + 1;
	switch (data[0] % 3) {
	case 0:
		class_map(text, size - 1, errbuf);
		break;
	case 1:
		thresholds(text, size - 1, errbuf);
		break;
	default:
		protos(text, size - 1, errbuf);
		break;
	}
	return 0;
}
