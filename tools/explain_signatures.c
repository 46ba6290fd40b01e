/* Class profiles and signature candidates (tools/explain_signatures.h). */
#include "tools/explain_signatures.h"

#include <stdlib.h>
#include <string.h>

static const struct pronet_packet_record *first_record(const struct pronet_dataset *data,
                                                       const struct pronet_flows *flows, size_t f)
{
	return &data->samples[flows->samples[flows->start[f]]].input;
}

static uint32_t token_at(const struct pronet_packet_record *r, size_t i)
{
	return i < r->length ? r->bytes[i] : PRONET_PADDING_TOKEN;
}

static int matches(const struct pronet_class_profile *p, const struct pronet_packet_record *r)
{
	for (size_t k = 0; k < p->num_bytes; k++)
		if (token_at(r, p->offset[k]) != p->value[k])
			return 0;
	return 1;
}

/* Right and wrong hits over all flows; the labels wrongly named most. */
static int test_signature(const struct pronet_dataset *data, const struct pronet_flows *flows,
                          uint16_t label, struct pronet_class_profile *p)
{
	uint64_t *by_label = calloc(data->num_classes + 1, sizeof(*by_label));

	if (by_label == NULL)
		return 0;
	for (size_t f = 0; f < flows->num_flows; f++) {
		if (!matches(p, first_record(data, flows, f)))
			continue;
		if (flows->label[f] == label)
			p->right++;
		else {
			p->wrong++;
			by_label[flows->label[f]]++;
		}
	}
	for (size_t n = 0; n < PRONET_SIGNATURE_WRONG_LISTED; n++) {
		size_t top = data->num_classes;

		for (size_t l = 0; l < data->num_classes; l++)
			if (by_label[l] > 0 &&
			    (top == data->num_classes || by_label[l] > by_label[top]))
				top = l;
		if (top == data->num_classes)
			break;
		p->wrong_label[n] = (uint16_t)top;
		p->wrong_count[n] = by_label[top];
		by_label[top] = 0;
	}
	free(by_label);
	return 1;
}

int pronet_class_profile_build(const struct pronet_cnn_explainer *explainer,
                               const struct pronet_dataset *data, const struct pronet_flows *flows,
                               size_t model_class, uint16_t label, struct pronet_class_profile *p)
{
	uint32_t(*count)[PRONET_BYTE_VOCABULARY] = calloc(PRONET_PAYLOAD_BYTES, sizeof(*count));
	double positive[PRONET_PAYLOAD_BYTES] = {0}, total = 0.0;

	memset(p, 0, sizeof(*p));
	p->model_class = model_class;
	if (count == NULL)
		return 0;
	for (size_t f = 0; f < flows->num_flows; f++) {
		const struct pronet_packet_record *r = first_record(data, flows, f);
		struct pronet_cnn_attribution a;

		if (flows->label[f] != label)
			continue;
		p->flows++;
		pronet_cnn_explain_input(explainer, r, model_class, &a);
		for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++) {
			double part = (double)a.byte_view[i] + (double)a.ngram_view[i];

			count[i][token_at(r, i)]++;
			if (part > 0.0) {
				positive[i] += part;
				total += part;
			}
		}
	}
	for (size_t i = 0; p->flows > 0 && i < PRONET_PAYLOAD_BYTES; i++) {
		for (uint32_t t = 1; t < PRONET_BYTE_VOCABULARY; t++)
			if (count[i][t] > count[i][p->mode[i]])
				p->mode[i] = (uint16_t)t;
		p->share[i] = (double)count[i][p->mode[i]] / (double)p->flows;
		p->evidence[i] = total > 0.0 ? positive[i] / total : 0.0;
		if (p->share[i] >= PRONET_SIGNATURE_SHARE && p->mode[i] != PRONET_PADDING_TOKEN) {
			p->offset[p->num_bytes] = (uint8_t)i;
			p->value[p->num_bytes++] = (uint8_t)p->mode[i];
			p->concentration += p->evidence[i];
		}
	}
	free(count);
	p->proposed = p->num_bytes >= PRONET_SIGNATURE_MIN_BYTES &&
	              p->concentration >= PRONET_SIGNATURE_CONCENTRATION;
	return !p->proposed || test_signature(data, flows, label, p);
}

static void print_token(FILE *out, uint16_t token)
{
	if (token == PRONET_PADDING_TOKEN)
		fputs("  --", out);
	else
		fprintf(out, "  %02x", token);
}

static void print_wrong(FILE *out, const struct pronet_class_profile *p,
                        const struct pronet_dataset *data)
{
	uint64_t listed = 0;
	size_t n;

	for (n = 0; n < PRONET_SIGNATURE_WRONG_LISTED && p->wrong_count[n] > 0; n++) {
		fprintf(out, "%s%s %llu", n ? ", " : " (", data->class_names[p->wrong_label[n]],
		        (unsigned long long)p->wrong_count[n]);
		listed += p->wrong_count[n];
	}
	if (n > 0)
		fputs(listed < p->wrong ? ", ...)" : ")", out);
}

/* The protos-file block: comment lines only (see the header). */
static void print_protos(FILE *out, const struct pronet_class_profile *p, const char *class_name,
                         const struct pronet_dataset *data, const char *dataset_path)
{
	fprintf(out,
	        "# pronet explain: candidate signature for %s (first payload packet):", class_name);
	for (size_t k = 0; k < p->num_bytes; k++)
		fprintf(out, " [%u]=0x%02x", p->offset[k], p->value[k]);
	fprintf(
	    out, "\n# tested on %s: names %llu flows, %llu right (of %llu %s flows), %llu wrong",
	    dataset_path, (unsigned long long)(p->right + p->wrong), (unsigned long long)p->right,
	    (unsigned long long)p->flows, class_name, (unsigned long long)p->wrong);
	print_wrong(out, p, data);
	fprintf(out,
	        "\n# nDPI's protos file has no payload rule (tcp:/udp: ports, host:, ip: only):"
	        "\n# as a dissector test:\n#   packet->payload_packet_len > %u",
	        p->offset[p->num_bytes - 1]);
	for (size_t k = 0; k < p->num_bytes; k++)
		fprintf(out, " && packet->payload[%u] == 0x%02x", p->offset[k], p->value[k]);
	fputc('\n', out);
}

void pronet_class_profile_print(FILE *out, const struct pronet_class_profile *p,
                                const char *class_name, const struct pronet_dataset *data,
                                const char *dataset_path)
{
	fprintf(out, "\n%s: %llu flows in %s, their first payload packets\n", class_name,
	        (unsigned long long)p->flows, dataset_path);
	if (p->flows == 0)
		return;
	fputs("  position   ", out);
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		fprintf(out, "%4zu", i);
	fputs("\n  commonest  ", out);
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		print_token(out, p->mode[i]);
	fputs("\n  % of flows ", out);
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		fprintf(out, "%4.0f", 100.0 * p->share[i]);
	fputs("\n  % evidence ", out);
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		fprintf(out, "%4.0f", 100.0 * p->evidence[i]);
	fprintf(out,
	        "\n  fixed bytes (in >= %.0f%% of flows): %zu, carrying %.0f%% of the evidence: ",
	        100.0 * PRONET_SIGNATURE_SHARE, p->num_bytes, 100.0 * p->concentration);
	if (!p->proposed) {
		fprintf(out, "no signature (needs >= %d bytes and >= %.0f%%)\n",
		        PRONET_SIGNATURE_MIN_BYTES, 100.0 * PRONET_SIGNATURE_CONCENTRATION);
		return;
	}
	fprintf(out, "signature\n  names %llu flows: %llu right (%.1f%% of %s's), %llu wrong",
	        (unsigned long long)(p->right + p->wrong), (unsigned long long)p->right,
	        100.0 * (double)p->right / (double)p->flows, class_name,
	        (unsigned long long)p->wrong);
	print_wrong(out, p, data);
	fputc('\n', out);
	print_protos(out, p, class_name, data, dataset_path);
}
