/* image-cnn: the 2D-CNN of Zhou, Shi, Zhao, Gao, Zhang, "Encrypted Network
 * Traffic Identification Based on 2D-CNN Model" (seed 002), Table I:
 *
 *   layer 1  conv 3x3, 32 filters, stride 1, ReLU   32x32x1  -> 30x30x32
 *   layer 2  max-pool 2x2, stride 2                 30x30x32 -> 15x15x32
 *   layer 3  conv 3x3, 64 filters, stride 1, ReLU   15x15x32 -> 13x13x64
 *   layer 4  max-pool 2x2, stride 2                 13x13x64 -> 6x6x64
 *   layer 5  conv 3x3, 64 filters, stride 1, ReLU   6x6x64   -> 4x4x64
 *   layer 6  flatten                                          -> 1024
 *   layer 7  dense                                            -> C
 *   layer 8  softmax
 *
 * Input (Sec. III-B): 1024 bytes of a packet, zero-padded or cut, laid out row
 * by row as a 32x32 grayscale image whose pixels are the raw byte values
 * 0..255. The paper starts at the Ethernet header; nDPI hosts hand pronet L3
 * packets, so pronet starts at the IP header (layer l3, addresses and
 * checksums zeroed by the input builder): the image is the paper's shifted
 * up by the 14-byte Ethernet header. A flow's verdict combines its packets'
 * logits (core/model/flow_predict.h). The paper's conclusion reads "the first
 * 1024 bytes of each session" instead: that reading (one image per flow) is
 * not built yet; the HYPR block's unit field is 0 (packet) and a reader
 * refuses another.
 *
 * Decisions where the paper is silent or self-contradictory
 * (docs/image-cnn.md says why):
 *   - Table I says "Same" padding but its sizes (30, 13, 4) are valid
 *     padding's: valid by default, same as an option (flatten 4096).
 *   - The network sees byte * input_scale, 1/255 by default (the pixels
 *     scaled to [0, 1] as image networks are fed); scale 1 feeds the raw
 *     0..255 values.
 *   - Glorot-uniform kernels and dense matrix, zero biases; no dropout by
 *     default (the paper has none; an option adds it before the dense
 *     layer).
 *
 * Layouts are core/nn/conv2d.h's (channels last): kernels
 * [filters][3][3][channels], activations [row][column][channel]; the
 * flattened features are conv 3's output in that order. */
#ifndef PRONET_CORE_ARCH_IMAGE_CNN_H
#define PRONET_CORE_ARCH_IMAGE_CNN_H

#include <stddef.h>
#include <stdint.h>

#include "core/arch/arch.h"
#include "core/data/input_spec.h"
#include "core/model/model_internal.h"
#include "core/nn/conv2d.h"
#include "core/nn/pool2d.h"

#define PRONET_ARCH_TAG_IMAGE_CNN 5u

#define PRONET_IMAGE_SIDE 32 /* m in the paper: the image is m x m */
#define PRONET_IMAGE_BYTES (PRONET_IMAGE_SIDE * PRONET_IMAGE_SIDE)
#define PRONET_IMAGE_KERNEL 3
#define PRONET_IMAGE_POOL 2
#define PRONET_IMAGE_CONVS 3
#define PRONET_IMAGE_MAX_FILTERS 256

/* HYPR's unit field: one image per packet, from the IP header on. */
#define PRONET_IMAGE_UNIT_PACKET 0u
/* Packets per direction a host records by default: as ProNet's default spec. */
#define PRONET_IMAGE_DEFAULT_PACKETS 4u

/* The hyperparameters (HYPR block, docs/image-cnn.md). */
struct pronet_image_cnn_config {
	uint32_t filters[PRONET_IMAGE_CONVS]; /* 32, 64, 64 (Table I) */
	uint32_t same_padding;                /* 0: valid (Table I's sizes), 1: same */
	float input_scale;                    /* pixel fed to the network = byte * scale */
	float dropout;                        /* before the dense layer while training */
	/* Payload packets per direction the model asks a host to record: what
	 * a flow's verdict combines (4). */
	uint32_t record_packets;
};

void pronet_image_cnn_config_default(struct pronet_image_cnn_config *config);
/* The input spec a config asks for (core/data/input_spec.h). */
void pronet_image_cnn_spec(const struct pronet_image_cnn_config *config,
                           struct pronet_input_spec *spec);

/* Every layer's shape and every activation's size, derived from the config
 * once at create. */
struct pronet_image_cnn_shapes {
	struct pronet_conv2d_shape conv[PRONET_IMAGE_CONVS];
	struct pronet_pool2d_shape pool[PRONET_IMAGE_CONVS - 1]; /* after convs 1 and 2 */
	size_t conv_size[PRONET_IMAGE_CONVS];                    /* floats of conv i's output */
	size_t pool_size[PRONET_IMAGE_CONVS - 1];                /* floats of pool i's output */
	size_t features;                                         /* conv 3's output, flattened */
	uint64_t multiply_adds;                                  /* per image, forward */
	size_t columns; /* floats of the largest conv's im2col matrix */
};

/* Pointers into a block laid out like the model's weights (the weights, or a
 * gradient buffer). */
struct pronet_image_cnn_weights {
	float *conv_w[PRONET_IMAGE_CONVS]; /* [filters][3][3][channels] */
	float *conv_b[PRONET_IMAGE_CONVS]; /* [filters] */
	float *dense_w;                    /* [C][features] */
	float *dense_b;                    /* [C] */
};

/* One image's forward activations, each a slice of a caller's buffer
 * (the inference workspace, a training worker's scratch). Conv outputs hold
 * the values after their ReLU. */
struct pronet_image_cnn_activations {
	float *image;                             /* [32 * 32]: the scaled pixels */
	float *conv[PRONET_IMAGE_CONVS];          /* conv_size[i] */
	float *pool[PRONET_IMAGE_CONVS - 1];      /* pool_size[i] */
	uint32_t *argmax[PRONET_IMAGE_CONVS - 1]; /* pool_size[i], training only (else NULL) */
	float *columns; /* the largest conv's im2col matrix (core/nn/conv2d.h) */
};

/* The family's state, right after struct pronet_model. */
struct pronet_image_cnn_state {
	struct pronet_image_cnn_config config;
	struct pronet_image_cnn_shapes shapes;
	struct pronet_image_cnn_weights weights; /* into model->weights */
};

extern const struct pronet_arch_ops pronet_arch_image_cnn;

static inline struct pronet_image_cnn_state *
pronet_image_cnn_state(const struct pronet_model *model)
{
	return (struct pronet_image_cnn_state *)pronet_model_state(model);
}

/* Checks a config; PRONET_ERR_LIMIT / PRONET_ERR_ARG naming `name`. */
enum pronet_err pronet_image_cnn_check(const struct pronet_image_cnn_config *config,
                                       const char *name, char *errbuf);
/* The shapes of a checked config. */
void pronet_image_cnn_shapes(const struct pronet_image_cnn_config *config,
                             struct pronet_image_cnn_shapes *shapes);
void pronet_image_cnn_bind(const struct pronet_model *model, float *block,
                           struct pronet_image_cnn_weights *weights);

/* Floats of one image's activations (rounded so every slice starts on a
 * 64-byte boundary of a 64-byte aligned buffer); with_argmax adds the
 * pools' argmax arrays (as many uint32_t as floats). */
size_t pronet_image_cnn_activation_floats(const struct pronet_image_cnn_shapes *shapes,
                                          int with_argmax);
void pronet_image_cnn_activations_at(const struct pronet_image_cnn_shapes *shapes, float *buffer,
                                     int with_argmax, struct pronet_image_cnn_activations *a);

/* The image fed to the network: the record's first 1024 bytes row by row,
 * each times input_scale, zeros past its length. */
void pronet_image_cnn_pixels(const struct pronet_model *model,
                             const struct pronet_packet_record *record, float *image);
/* Table I layers 1-6 on a->image: leaves the flattened features in
 * a->conv[2] (and, with a->argmax set, the pools' winners). */
void pronet_image_cnn_features(const struct pronet_model *model,
                               const struct pronet_image_cnn_activations *a);

/* Training (image_cnn_train.c). */
extern const struct pronet_grad_family pronet_image_cnn_grad; /* core/train/grad_workers.h */

/* Hyperparameters as data (image_cnn_hyper.c). */
#define PRONET_IMAGE_CNN_NUM_OPTIONS 7
extern const struct pronet_arch_option pronet_image_cnn_options[PRONET_IMAGE_CNN_NUM_OPTIONS];
struct pronet_io_writer;
struct pronet_io_reader;
void pronet_image_cnn_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w);
enum pronet_err pronet_image_cnn_read_hyper(struct pronet_io_reader *r, void *config);
void pronet_image_cnn_describe(const struct pronet_model *model, pronet_describe_emit *emit,
                               void *user);

#endif
