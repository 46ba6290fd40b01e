#include "tools/dataset_filter.h"

#include <stdlib.h>
#include <string.h>

#include "core/eval/eval.h"

/* Keeps the samples of classes keep[]; with reject_class, the others are
 * relabelled as it. Class and capture numbers are the dataset's. */
static struct pronet_dataset *copy_kept(const struct pronet_dataset *data, const uint8_t *keep,
                                        const char *reject_class)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	uint8_t *kept = malloc(data->num_samples + 1);
	struct pronet_dataset *out = NULL;
	uint16_t reject = 0;

	for (size_t i = 0; kept != NULL && i < data->num_samples; i++)
		kept[i] = keep[data->samples[i].label] || reject_class != NULL;
	if (kept == NULL || pronet_dataset_subset(data, kept, &out, errbuf) != PRONET_OK ||
	    (reject_class != NULL &&
	     pronet_dataset_intern_class(out, reject_class, &reject) != PRONET_OK)) {
		pronet_dataset_free(out);
		free(kept);
		return NULL;
	}
	for (size_t i = 0; reject_class != NULL && i < out->num_samples; i++)
		if (!keep[out->samples[i].label])
			out->samples[i].label = reject;
	free(kept);
	return out;
}

struct pronet_dataset *pronet_cli_filter_min_flows(const char *command,
                                                   const struct pronet_dataset *data,
                                                   uint32_t min_flows, const char *reject_class,
                                                   FILE *report, const char **dropped,
                                                   uint64_t *dropped_flows, size_t max_dropped,
                                                   size_t *num_dropped)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_flows *flows = NULL;
	uint64_t *count = calloc(data->num_classes + 1, sizeof(*count));
	uint8_t *keep = calloc(data->num_classes + 1, 1);
	struct pronet_dataset *out = NULL;

	*num_dropped = 0;
	if (count == NULL || keep == NULL ||
	    pronet_flows_index(data, &flows, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet %s: %s\n", command,
		        count && keep ? errbuf : "out of memory");
		goto out;
	}
	for (size_t f = 0; f < flows->num_flows; f++)
		count[flows->label[f]]++;
	for (size_t c = 0; c < data->num_classes; c++) {
		keep[c] = count[c] >= min_flows;
		if (keep[c] || count[c] == 0)
			continue;
		if (report != NULL && reject_class != NULL)
			fprintf(report, "pronet %s: %s (%llu flows < %u) joins %s\n", command,
			        data->class_names[c], (unsigned long long)count[c], min_flows,
			        reject_class);
		else if (report != NULL)
			fprintf(report, "pronet %s: left out %s (%llu flows < %u)\n", command,
			        data->class_names[c], (unsigned long long)count[c], min_flows);
		if (*num_dropped < max_dropped) {
			dropped[*num_dropped] = data->class_names[c];
			dropped_flows[(*num_dropped)++] = count[c];
		}
	}
	out = copy_kept(data, keep, reject_class);
	if (out == NULL)
		fprintf(stderr, "pronet %s: out of memory\n", command);
out:
	pronet_flows_free(flows);
	free(count);
	free(keep);
	return out;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Reads FILE's "capture<TAB>family" lines; captures of one family get one
 * group number, captures the file does not name get their own. */
int pronet_cli_read_groups(const char *command, const char *path, const struct pronet_dataset *data,
                           uint32_t *group, size_t *num_groups)
{
	FILE *in = fopen(path, "r");
	char line[1024], (*family)[256] = calloc(data->num_captures + 1, sizeof(*family));
	size_t line_number = 0;

	if (in == NULL || family == NULL) {
		fprintf(stderr, "pronet %s: %s: cannot read\n", command, path);
		if (in != NULL)
			fclose(in);
		free(family);
		return 0;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		char *tab = strchr(line, '\t');

		line_number++;
		line[strcspn(line, "\r\n")] = '\0';
		if (tab == NULL || line[0] == '#' ||
		    (line_number == 1 && strncmp(line, "file\t", 5) == 0))
			continue;
		*tab = '\0';
		for (size_t c = 0; c < data->num_captures; c++)
			if (strcmp(base_name(data->capture_names[c]), line) == 0)
				snprintf(family[c], sizeof(family[c]), "%s", tab + 1);
	}
	fclose(in);
	*num_groups = 0;
	for (size_t c = 0; c < data->num_captures; c++) {
		size_t same = c;

		for (size_t d = 0; family[c][0] != '\0' && d < c; d++)
			if (strcmp(family[d], family[c]) == 0) {
				same = d;
				break;
			}
		group[c] = same == c ? (uint32_t)(*num_groups)++ : group[same];
	}
	free(family);
	return 1;
}
