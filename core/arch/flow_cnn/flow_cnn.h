/* flow-cnn: E2E-EACF's 1D-CNN (Yang, Xu, Xu, Chao, "Encrypted Application
 * Classification with Convolutional Neural Network", seed 003), a per-flow
 * family. Per flow (Sec. III-A):
 *
 *   input   the flow's payload packets in arrival order, each one's
 *           application payload (TLS record headers stripped) followed by
 *           its inter-arrival time as 4 big-endian bytes of microseconds;
 *           3000 values, truncated or zero padded; z-scored per position
 *           with statistics measured on the training flows
 *   conv 1  16 x 3, ReLU      3000 x 1  -> 2998 x 16
 *   conv 2  16 x 3, ReLU                -> 2996 x 16
 *   pool    max 2, dropout 0.2          -> 1498 x 16
 *   conv 3  32 x 3, ReLU                -> 1496 x 32
 *   conv 4  32 x 3, ReLU                -> 1494 x 32
 *   pool    max 2, dropout 0.2          ->  747 x 32 = 23904
 *   dense   500, ReLU; dense 300, ReLU; dense C; softmax (the model API's)
 *
 * (Sec. IV-B1: "four conv. layers ... the first two have 16 convolutional
 * kernels, and the last two have 32 ... 3 x 1 ... Max Pooling ... 2 x 1 ...
 * at the end of every two conv. layers ... dropout after each pooling layer
 * with a rate of 0.2 ... two dense layers ... 500 nodes and 300 nodes ...
 * Relu"). Where the paper is silent the choices are docs/flow-cnn.md's:
 * valid padding (Keras's default), payload packets only, the IAT after its
 * packet's payload, UDP datagrams concatenated as they are, z-score per
 * position (scikit-learn's StandardScaler, the paper's toolkit).
 *
 * Layouts are core/nn/conv1d.h's (channels last). The dense layers are Deep
 * Packet's dense stack (core/arch/deep_packet/dense_stack.h). */
#ifndef PRONET_CORE_ARCH_FLOW_CNN_H
#define PRONET_CORE_ARCH_FLOW_CNN_H

#include <stddef.h>
#include <stdint.h>

#include "core/arch/arch.h"
#include "core/arch/deep_packet/dense_stack.h"
#include "core/data/input_spec.h"
#include "core/model/model_internal.h"
#include "core/nn/conv1d.h"
#include "core/nn/pool1d.h"

#define PRONET_ARCH_TAG_FLOW_CNN 6u

#define FLOW_CNN_CONVS 4
#define FLOW_CNN_POOLS 2 /* after convs 2 and 4 */
#define FLOW_CNN_HIDDEN 2
#define FLOW_CNN_KERNEL 3
#define FLOW_CNN_POOL 2
#define FLOW_CNN_IAT_BYTES 4
#define FLOW_CNN_MAX_VALUES 12000 /* 8 packets x 1500 bytes, both directions */
#define FLOW_CNN_MAX_FILTERS 256
#define FLOW_CNN_MAX_HIDDEN 4096
/* The most records a flow's input reads: K per direction, both ways. */
#define FLOW_CNN_MAX_RECORD_PACKETS 64
/* The first dense layer's inputs, bounded so that a file cannot ask for a
 * weight block past what a model holds (500 x 65536 floats, 131 MB). */
#define FLOW_CNN_MAX_FLATTEN 65536
/* TLS: a record header is 5 bytes (type, version, length), RFC 8446 5.1;
 * a record's ciphertext is at most 2^14 + 2048 bytes. */
#define FLOW_CNN_TLS_HEADER 5
#define FLOW_CNN_TLS_MAX_RECORD 18432

/* The ZSCR block's mode field: one mean and deviation per input position. */
#define FLOW_CNN_ZSCORE_PER_POSITION 0u

/* The hyperparameters (HYPR block, docs/flow-cnn.md). */
struct flow_cnn_config {
	uint32_t input_values;            /* len_bytes: 3000 */
	uint32_t filters[FLOW_CNN_CONVS]; /* 16, 16, 32, 32 */
	uint32_t hidden[FLOW_CNN_HIDDEN]; /* 500, 300 */
	float dropout;                    /* 0.2, after each pool while training */
	uint32_t record_packets;          /* payload packets per direction a host records (8) */
	uint32_t keep_tls_headers;        /* 0: TLS record headers removed (the paper) */
};

/* Every layer's shape, derived from the config at create. */
struct flow_cnn_shapes {
	struct pronet_conv1d_shape conv[FLOW_CNN_CONVS];
	struct pronet_pool1d_shape pool[FLOW_CNN_POOLS];
	size_t conv_size[FLOW_CNN_CONVS]; /* floats of conv i's output */
	size_t pool_size[FLOW_CNN_POOLS]; /* floats of pool i's output */
	size_t features;                  /* the second pool's output, flattened */
	uint64_t multiply_adds;           /* per flow, forward, dense layers included */
};

struct flow_cnn_weights {
	float *conv_w[FLOW_CNN_CONVS]; /* [filters][3][channels] */
	float *conv_b[FLOW_CNN_CONVS]; /* [filters] */
	struct dense_stack_weights dense;
};

/* One flow's forward activations, slices of a caller's buffer. Conv outputs
 * hold the values after their ReLU. */
struct flow_cnn_activations {
	float *x;                         /* [input_values]: z-scored input */
	float *conv[FLOW_CNN_CONVS];      /* conv_size[i] */
	float *pool[FLOW_CNN_POOLS];      /* pool_size[i] */
	uint32_t *argmax[FLOW_CNN_POOLS]; /* pool_size[i], training only (else NULL) */
	float *dropped[FLOW_CNN_POOLS];   /* pool_size[i], training only: after dropout */
	float *mask[FLOW_CNN_POOLS];      /* pool_size[i], training only */
};

/* The family's state, right after struct pronet_model: the z-score
 * statistics live here, not in TENS (they are not trained by gradients);
 * the ZSCR block stores them. */
struct flow_cnn_state {
	struct flow_cnn_config config;
	struct flow_cnn_shapes shapes;
	struct dense_stack_layout layout;
	struct flow_cnn_weights weights;
	float mean[FLOW_CNN_MAX_VALUES];      /* per position */
	float deviation[FLOW_CNN_MAX_VALUES]; /* per position, > 0 */
	float inverse[FLOW_CNN_MAX_VALUES];   /* 1 / deviation */
};

extern const struct pronet_arch_ops pronet_arch_flow_cnn;

static inline struct flow_cnn_state *flow_cnn_state(const struct pronet_model *model)
{
	return (struct flow_cnn_state *)pronet_model_state(model);
}

void flow_cnn_config_default(struct flow_cnn_config *config);
void flow_cnn_spec(const struct flow_cnn_config *config, struct pronet_input_spec *spec);
/* The shapes of a config; PRONET_ERR_LIMIT naming `name` if a layer has no
 * output or the flatten is too wide. */
enum pronet_err flow_cnn_shapes(const struct flow_cnn_config *config, struct flow_cnn_shapes *s,
                                const char *name, char *errbuf);
void flow_cnn_bind(const struct pronet_model *model, float *block,
                   struct flow_cnn_weights *weights);

/* ---- the one input step (flow_cnn_input.c) ---- */

/* The bytes of one payload after its TLS record headers: a header at the
 * start, and each one that follows a whole record inside the payload, is
 * removed (Sec. III-A2 "even TLS header"); a payload that does not start
 * with one is kept whole. Copies at most `room` bytes into out; returns
 * how many. */
size_t flow_cnn_strip_tls(const uint8_t *bytes, size_t length, uint8_t *out, size_t room);
/* The raw values of a flow (0..255 each): per payload packet in arrival
 * order its payload (stripped of TLS record headers when strip_tls, TCP
 * only), then its gap since the flow's previous payload packet in
 * microseconds (0 for the first; saturated at 2^32 - 1) as 4 big-endian
 * bytes; cut at count, zeros after. Returns the values filled before the
 * padding. */
size_t flow_cnn_raw_values(const struct pronet_packet_record *records, size_t n, int strip_tls,
                           float *values, size_t count);
/* The network's input: the raw values z-scored with the model's statistics
 * into x[input_values]. Used by training, eval and prediction alike. */
void flow_cnn_input(const struct pronet_model *model, const struct pronet_packet_record *records,
                    size_t n, float *x);
/* Sets the statistics from mean/deviation arrays (deviation > 0). */
void flow_cnn_set_zscore(struct pronet_model *model, const float *mean, const float *deviation);

/* ---- forward (flow_cnn.c) ---- */

/* Floats of one flow's activations (64-byte aligned slices); training adds
 * argmax, dropout output and mask slices. */
size_t flow_cnn_activation_floats(const struct flow_cnn_state *state, int training);
void flow_cnn_activations_at(const struct flow_cnn_state *state, float *buffer, int training,
                             struct flow_cnn_activations *a);
/* Convs and pools on a->x, up to the flattened features: the second pool's
 * output (inference), or its dropout output (training: a->mask set, masks
 * drawn from rng with the config's rate). Returns the features. */
struct pronet_rng;
const float *flow_cnn_features(const struct pronet_model *model,
                               const struct flow_cnn_activations *a, struct pronet_rng *rng);

/* ---- training (flow_cnn_train.c) ---- */

extern const struct pronet_grad_family flow_cnn_grad; /* core/train/grad_workers.h */
/* The z-score statistics from the training flows (the pretrain hook). */
struct pronet_dataset;
struct pronet_train_options;
enum pronet_err flow_cnn_fit_zscore(struct pronet_model *model, const struct pronet_dataset *data,
                                    const struct pronet_train_options *options, char *errbuf);

/* ---- hyperparameters as data (flow_cnn_hyper.c) ---- */

#define FLOW_CNN_NUM_OPTIONS 10
extern const struct pronet_arch_option flow_cnn_options[FLOW_CNN_NUM_OPTIONS];
struct pronet_io_writer;
struct pronet_io_reader;
void flow_cnn_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w);
enum pronet_err flow_cnn_read_hyper(struct pronet_io_reader *r, void *config);
void flow_cnn_write_zscore(const struct pronet_model *model, struct pronet_io_writer *w);
enum pronet_err flow_cnn_read_zscore(struct pronet_model *model, struct pronet_io_reader *r);
void flow_cnn_describe(const struct pronet_model *model, pronet_describe_emit *emit, void *user);

#endif
