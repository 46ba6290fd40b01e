/* ProNet's CNN, its hyperparameters as data: defaults, the CLI's option
 * descriptors, the model file's HYPR block (docs/model-format.md) and the
 * lines of `pronet info`. The network itself is pronet_cnn.c. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/arch/pronet_cnn/tokens.h"
#include "core/model/model_io.h"

void pronet_cnn_config_default(struct pronet_cnn_config *config)
{
	config->embed_dim = 50;
	config->filters = 30;
	config->ngram_buckets = 4096;
	config->batch_norm = 0;
	config->dropout = 0.5f;
	config->context_features = 0;
}

const struct pronet_arch_option pronet_cnn_options[PRONET_CNN_NUM_OPTIONS] = {
    {"embed-dim", "M", "embedding dimension", PRONET_OPTION_U32,
     offsetof(struct pronet_cnn_config, embed_dim), 1, PRONET_MAX_EMBED_DIM},
    {"filters", "T", "filters per convolution width", PRONET_OPTION_U32,
     offsetof(struct pronet_cnn_config, filters), 1, PRONET_MAX_FILTERS},
    {"ngram-buckets", "N", "3-gram hash buckets", PRONET_OPTION_U32,
     offsetof(struct pronet_cnn_config, ngram_buckets), PRONET_MIN_NGRAM_BUCKETS,
     PRONET_MAX_NGRAM_BUCKETS},
    {"batch-norm", NULL, "batch normalisation on pooled features", PRONET_OPTION_FLAG,
     offsetof(struct pronet_cnn_config, batch_norm), 0, 1},
    {"dropout", "P", "dropout probability while training", PRONET_OPTION_F32,
     offsetof(struct pronet_cnn_config, dropout), 0, 0.95},
    {"context", NULL,
     "add direction, packet index, transport and\n"
     "payload length to the pooled features (not in\n"
     "the paper; default off)",
     PRONET_OPTION_FLAG, offsetof(struct pronet_cnn_config, context_features), 0, 1},
};

enum pronet_err pronet_model_new_cnn(const struct pronet_cnn_config *config,
                                     const char *const *class_names, size_t num_classes,
                                     uint64_t seed, struct pronet_model **out, char *errbuf)
{
	if (config == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_model_new_cnn: NULL config");
	return pronet_model_new(&pronet_arch_pronet_cnn, config, sizeof(*config), class_names,
	                        num_classes, seed, out, errbuf);
}

enum pronet_err pronet_model_cnn_config(const struct pronet_model *model,
                                        struct pronet_cnn_config *config)
{
	if (model->ops != &pronet_arch_pronet_cnn)
		return PRONET_ERR_UNSUPPORTED;
	*config = pronet_cnn_state(model)->config;
	return PRONET_OK;
}

/* HYPR, 40 bytes: payload bytes, m, t, batch_norm, dropout, context_features,
 * byte vocabulary, n, hash id, buckets. Fixed size: no telling options apart
 * by the block's length as v1 did. */
void pronet_cnn_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w)
{
	const struct pronet_cnn_config *c = &pronet_cnn_state(model)->config;

	pronet_io_put_u32(w, PRONET_PAYLOAD_BYTES);
	pronet_io_put_u32(w, c->embed_dim);
	pronet_io_put_u32(w, c->filters);
	pronet_io_put_u32(w, c->batch_norm);
	pronet_io_put_f32(w, c->dropout);
	pronet_io_put_u32(w, c->context_features);
	pronet_io_put_u32(w, PRONET_BYTE_VOCABULARY);
	pronet_io_put_u32(w, PRONET_NGRAM_SIZE);
	pronet_io_put_u32(w, PRONET_NGRAM_HASH_FNV1A32);
	pronet_io_put_u32(w, c->ngram_buckets);
}

/* Also v1's reader of the fields after the block (model_file_v1.c): the
 * vocabulary, n-gram size and hash, which v1 kept outside its block. */
enum pronet_err pronet_cnn_read_vocabulary(struct pronet_io_reader *r, struct pronet_cnn_config *c)
{
	uint32_t hash = 0;
	enum pronet_err err = pronet_io_expect_u32(r, "byte vocabulary", PRONET_BYTE_VOCABULARY,
	                                           PRONET_ERR_UNSUPPORTED);

	if (err == PRONET_OK)
		err = pronet_io_expect_u32(r, "n-gram size", PRONET_NGRAM_SIZE,
		                           PRONET_ERR_UNSUPPORTED);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "n-gram hash", &hash);
	if (err == PRONET_OK && hash != PRONET_NGRAM_HASH_FNV1A32)
		err = pronet_error(r->errbuf, PRONET_ERR_UNSUPPORTED, "%s: unknown 3-gram hash %u",
		                   r->name, hash);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "n-gram buckets", &c->ngram_buckets);
	return err;
}

enum pronet_err pronet_cnn_read_shared_hyper(struct pronet_io_reader *r,
                                             struct pronet_cnn_config *c)
{
	enum pronet_err err =
	    pronet_io_expect_u32(r, "payload bytes", PRONET_PAYLOAD_BYTES, PRONET_ERR_UNSUPPORTED);

	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "embedding dimension", &c->embed_dim);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "filters", &c->filters);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "batch_norm", &c->batch_norm);
	if (err == PRONET_OK)
		err = pronet_io_get_f32(r, "dropout", &c->dropout);
	return err;
}

enum pronet_err pronet_cnn_read_hyper(struct pronet_io_reader *r, void *config)
{
	struct pronet_cnn_config *c = config;
	enum pronet_err err = pronet_cnn_read_shared_hyper(r, c);

	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "context_features", &c->context_features);
	if (err == PRONET_OK)
		err = pronet_cnn_read_vocabulary(r, c);
	return err;
}

void pronet_cnn_describe(const struct pronet_model *model, pronet_describe_emit *emit, void *user)
{
	const struct pronet_cnn_config *c = &pronet_cnn_state(model)->config;
	char value[32];

	snprintf(value, sizeof(value), "%d", PRONET_PAYLOAD_BYTES);
	emit(user, "input bytes", value);
	snprintf(value, sizeof(value), "%u", c->embed_dim);
	emit(user, "embed dim", value);
	snprintf(value, sizeof(value), "%u", c->filters);
	emit(user, "filters per width", value);
	snprintf(value, sizeof(value), "%u", c->ngram_buckets);
	emit(user, "ngram buckets", value);
	emit(user, "batch norm", c->batch_norm ? "yes" : "no");
	snprintf(value, sizeof(value), "%g", (double)c->dropout);
	emit(user, "dropout", value);
	emit(user, "context features",
	     c->context_features ? "yes (direction, packet index, transport, length)" : "no");
}
