/* flow-cnn, its hyperparameters as data: defaults, the CLI's option
 * descriptors, the HYPR and ZSCR blocks (docs/flow-cnn.md) and `pronet
 * info`. */
#include <stddef.h>
#include <stdio.h>

#include "core/arch/flow_cnn/flow_cnn.h"
#include "core/model/model_io.h"

void flow_cnn_config_default(struct flow_cnn_config *config)
{
	config->input_values = 3000; /* len_bytes, Sec. IV-B2 */
	config->filters[0] = 16;     /* Sec. IV-B1 */
	config->filters[1] = 16;
	config->filters[2] = 32;
	config->filters[3] = 32;
	config->hidden[0] = 500;
	config->hidden[1] = 300;
	config->dropout = 0.2f;
	config->record_packets = 8; /* what `pronet label` keeps per direction */
	config->keep_tls_headers = 0;
}

const struct pronet_arch_option flow_cnn_options[FLOW_CNN_NUM_OPTIONS] = {
    {"input-values", "N",
     "values per flow: payload bytes and 4-byte gaps,\n"
     "cut or zero padded (the paper's len_bytes)",
     PRONET_OPTION_U32, offsetof(struct flow_cnn_config, input_values), 16, FLOW_CNN_MAX_VALUES},
    {"filters1", "F", "filters of conv 1", PRONET_OPTION_U32,
     offsetof(struct flow_cnn_config, filters[0]), 1, FLOW_CNN_MAX_FILTERS},
    {"filters2", "F", "filters of conv 2", PRONET_OPTION_U32,
     offsetof(struct flow_cnn_config, filters[1]), 1, FLOW_CNN_MAX_FILTERS},
    {"filters3", "F", "filters of conv 3", PRONET_OPTION_U32,
     offsetof(struct flow_cnn_config, filters[2]), 1, FLOW_CNN_MAX_FILTERS},
    {"filters4", "F", "filters of conv 4", PRONET_OPTION_U32,
     offsetof(struct flow_cnn_config, filters[3]), 1, FLOW_CNN_MAX_FILTERS},
    {"dense1", "U", "units of the first dense layer", PRONET_OPTION_U32,
     offsetof(struct flow_cnn_config, hidden[0]), 1, FLOW_CNN_MAX_HIDDEN},
    {"dense2", "U", "units of the second dense layer", PRONET_OPTION_U32,
     offsetof(struct flow_cnn_config, hidden[1]), 1, FLOW_CNN_MAX_HIDDEN},
    {"dropout", "P", "dropout after each max-pool", PRONET_OPTION_F32,
     offsetof(struct flow_cnn_config, dropout), 0, 0.95},
    {"record-packets", "K", "payload packets per direction a host records", PRONET_OPTION_U32,
     offsetof(struct flow_cnn_config, record_packets), 1, FLOW_CNN_MAX_RECORD_PACKETS},
    {"keep-tls-headers", NULL,
     "keep TLS record headers in the payload (the paper\n"
     "strips them)",
     PRONET_OPTION_FLAG, offsetof(struct flow_cnn_config, keep_tls_headers), 0, 1},
};

/* HYPR, 52 bytes: kernel width, pool size, IAT bytes (constants, stored so
 * a file says what it was made with; a reader refuses others), input
 * values, the four filter counts, the two dense widths, dropout, packets
 * per direction, keep-tls-headers. */
void flow_cnn_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w)
{
	const struct flow_cnn_config *c = &flow_cnn_state(model)->config;

	pronet_io_put_u32(w, FLOW_CNN_KERNEL);
	pronet_io_put_u32(w, FLOW_CNN_POOL);
	pronet_io_put_u32(w, FLOW_CNN_IAT_BYTES);
	pronet_io_put_u32(w, c->input_values);
	for (size_t i = 0; i < FLOW_CNN_CONVS; i++)
		pronet_io_put_u32(w, c->filters[i]);
	for (size_t i = 0; i < FLOW_CNN_HIDDEN; i++)
		pronet_io_put_u32(w, c->hidden[i]);
	pronet_io_put_f32(w, c->dropout);
	pronet_io_put_u32(w, c->record_packets);
	pronet_io_put_u32(w, c->keep_tls_headers);
}

/* Values are range-checked by create, which the loader runs on these. */
enum pronet_err flow_cnn_read_hyper(struct pronet_io_reader *r, void *config)
{
	struct flow_cnn_config *c = config;
	static const char *const filters[FLOW_CNN_CONVS] = {"conv 1 filters", "conv 2 filters",
	                                                    "conv 3 filters", "conv 4 filters"};
	static const char *const hidden[FLOW_CNN_HIDDEN] = {"dense 1 units", "dense 2 units"};
	enum pronet_err err =
	    pronet_io_expect_u32(r, "kernel width", FLOW_CNN_KERNEL, PRONET_ERR_UNSUPPORTED);

	if (err == PRONET_OK)
		err = pronet_io_expect_u32(r, "pool size", FLOW_CNN_POOL, PRONET_ERR_UNSUPPORTED);
	if (err == PRONET_OK)
		err = pronet_io_expect_u32(r, "inter-arrival bytes", FLOW_CNN_IAT_BYTES,
		                           PRONET_ERR_UNSUPPORTED);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "input values", &c->input_values);
	for (size_t i = 0; err == PRONET_OK && i < FLOW_CNN_CONVS; i++)
		err = pronet_io_get_u32(r, filters[i], &c->filters[i]);
	for (size_t i = 0; err == PRONET_OK && i < FLOW_CNN_HIDDEN; i++)
		err = pronet_io_get_u32(r, hidden[i], &c->hidden[i]);
	if (err == PRONET_OK)
		err = pronet_io_get_f32(r, "dropout", &c->dropout);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "packets per direction", &c->record_packets);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "keep-tls-headers", &c->keep_tls_headers);
	return err;
}

/* ZSCR, 8 + 8 N bytes: u32 mode (0: per position), u32 N (the input
 * values), f32 mean[N], f32 deviation[N]. */
void flow_cnn_write_zscore(const struct pronet_model *model, struct pronet_io_writer *w)
{
	const struct flow_cnn_state *s = flow_cnn_state(model);
	size_t n = s->config.input_values;

	pronet_io_put_u32(w, FLOW_CNN_ZSCORE_PER_POSITION);
	pronet_io_put_u32(w, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		pronet_io_put_f32(w, s->mean[i]);
	for (size_t i = 0; i < n; i++)
		pronet_io_put_f32(w, s->deviation[i]);
}

enum pronet_err flow_cnn_read_zscore(struct pronet_model *model, struct pronet_io_reader *r)
{
	struct flow_cnn_state *s = flow_cnn_state(model);
	uint32_t n = 0;
	enum pronet_err err = pronet_io_expect_u32(r, "z-score mode", FLOW_CNN_ZSCORE_PER_POSITION,
	                                           PRONET_ERR_UNSUPPORTED);
	float *mean = s->mean, *deviation = s->deviation;

	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "z-score positions", &n);
	if (err == PRONET_OK && n != s->config.input_values)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: block ZSCR holds %u z-score positions, but the model "
		                    "reads %u values",
		                    r->name, n, s->config.input_values);
	for (size_t i = 0; err == PRONET_OK && i < n; i++)
		err = pronet_io_get_f32(r, "z-score mean", &mean[i]);
	for (size_t i = 0; err == PRONET_OK && i < n; i++) {
		err = pronet_io_get_f32(r, "z-score deviation", &deviation[i]);
		if (err == PRONET_OK && !(deviation[i] > 0.0f))
			return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
			                    "%s: z-score deviation %g of position %zu is not "
			                    "positive",
			                    r->name, (double)deviation[i], i);
	}
	if (err == PRONET_OK) /* derives the inverses as training does */
		flow_cnn_set_zscore(model, mean, deviation);
	return err;
}

void flow_cnn_describe(const struct pronet_model *model, pronet_describe_emit *emit, void *user)
{
	const struct flow_cnn_state *s = flow_cnn_state(model);
	const struct flow_cnn_config *c = &s->config;
	char value[200];

	snprintf(value, sizeof(value),
	         "%u values per flow: each payload packet's payload%s, then its gap as 4 "
	         "bytes (us)",
	         c->input_values, c->keep_tls_headers ? "" : " (TLS record headers stripped)");
	emit(user, "input", value);
	emit(user, "normalisation", "z-score per position, from the training flows");
	snprintf(value, sizeof(value),
	         "conv %ux3, conv %ux3, max-pool 2, conv %ux3, conv %ux3, max-pool 2, dense "
	         "%u, dense %u, dense %zu",
	         c->filters[0], c->filters[1], c->filters[2], c->filters[3], c->hidden[0],
	         c->hidden[1], model->num_classes);
	emit(user, "layers", value);
	snprintf(value, sizeof(value), "%zu", s->shapes.features);
	emit(user, "flattened features", value);
	snprintf(value, sizeof(value), "%llu", (unsigned long long)s->shapes.multiply_adds);
	emit(user, "multiply-adds per flow", value);
	snprintf(value, sizeof(value), "%zu", flow_cnn_activation_floats(s, 0) * sizeof(float));
	emit(user, "workspace bytes", value);
	snprintf(value, sizeof(value), "%g", (double)c->dropout);
	emit(user, "dropout", value);
	snprintf(value, sizeof(value), "%u", c->record_packets);
	emit(user, "packets per direction", value);
}
