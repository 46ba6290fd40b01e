/* ProNet's CNN as a caller sees it: its hyperparameters, their limits and the
 * typed way to make one (the family is "pronet-cnn" in core/arch/registry.h,
 * the default of every tool). core/model/model.h includes this header, so
 * that callers of the default family need no include of their own. */
#ifndef PRONET_CORE_ARCH_PRONET_CNN_CONFIG_H
#define PRONET_CORE_ARCH_PRONET_CNN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

#define PRONET_ARCH_TAG_PRONET_CNN 1u

/* Hyperparameters of the ProNet CNN; defaults follow the paper. */
struct pronet_cnn_config {
	uint32_t embed_dim;     /* m: embedding dimension (50) */
	uint32_t filters;       /* t: filters per convolution width (30) */
	uint32_t ngram_buckets; /* 3-gram vocabulary size incl. the unknown bucket */
	uint32_t batch_norm;    /* 1: batch normalisation on the pooled features */
	float dropout;          /* dropout probability while training (0.5) */
	/* Not in the paper (0 keeps its architecture): 1 concatenates the
	 * packet's context features (core/arch/pronet_cnn/packet_context.h: direction, packet
	 * index, transport, payload length) to the pooled features, after batch
	 * norm and dropout, before the dense layer. */
	uint32_t context_features;
};

void pronet_cnn_config_default(struct pronet_cnn_config *config);

/* Bounds enforced by pronet_model_new and the loader, so that prediction can
 * run on fixed-size stack buffers and a damaged file cannot ask for gigabytes. */
#define PRONET_MAX_EMBED_DIM 256
#define PRONET_MAX_FILTERS 256
#define PRONET_MIN_NGRAM_BUCKETS 2 /* the padding bucket and one hashed bucket */
#define PRONET_MAX_NGRAM_BUCKETS 65536

struct pronet_model;

/* pronet_model_new for "pronet-cnn". */
enum pronet_err pronet_model_new_cnn(const struct pronet_cnn_config *config,
                                     const char *const *class_names, size_t num_classes,
                                     uint64_t seed, struct pronet_model **out, char *errbuf);
/* The CNN's hyperparameters; PRONET_ERR_UNSUPPORTED for other families. */
enum pronet_err pronet_model_cnn_config(const struct pronet_model *model,
                                        struct pronet_cnn_config *config);

#endif
