/* Deep Packet (Lotfollahi, Jafari Siavoshani, Shirali Hossein Zade, Saberian:
 * "Deep Packet: A Novel Approach For Encrypted Traffic Classification Using
 * Deep Learning", seed 001), its two networks over the first 1500 bytes of a
 * packet from the IP header on (Sec. 3.1 pre-processing, Sec. 3.3 and the
 * appendix for the architectures):
 *   deep-packet-cnn: conv 200 x 5, conv 80 x 4, average pool, dropout 0.25,
 *                    dense 600-500-400-300-200-100-50, softmax;
 *   deep-packet-sae: dense 400-300-200-100-50 with dropout 0.25 after each,
 *                    greedy layer-wise autoencoder pretraining (MSE), then
 *                    fine-tuning with cross-entropy.
 * Where the paper is silent (strides, the pooling's reading, the learning
 * rate) the choices are docs/deep-packet.md's. Both share the input step
 * (deep_packet_input.c) and the stack of dense layers (dense_stack.c). */
#ifndef PRONET_CORE_ARCH_DEEP_PACKET_H
#define PRONET_CORE_ARCH_DEEP_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "core/arch/deep_packet/dense_stack.h"
#include "core/model/model_internal.h"

#define PRONET_ARCH_TAG_DEEP_PACKET_CNN 3u
#define PRONET_ARCH_TAG_DEEP_PACKET_SAE 4u

/* Sec. 3.1: the IP header and the bytes after it, 1500 in all. */
#define DEEP_PACKET_INPUT_BYTES 1500
/* Sec. 3.1: the UDP header (8 bytes) is zero-padded to TCP's 20. */
#define DEEP_PACKET_UDP_HEADER 8
#define DEEP_PACKET_TCP_HEADER 20

/* The one input step of both networks, used by training and prediction
 * alike: the record's bytes (layer l3, addresses already masked by the
 * input builder) with 12 zeros after a UDP header, cut or zero-padded to
 * 1500, each divided by 255 (Sec. 3.1). */
void deep_packet_input(const struct pronet_packet_record *record, float x[DEEP_PACKET_INPUT_BYTES]);
/* What both read of a flow: 1500 bytes from the IP header on, of the first
 * 4 payload packets per direction (the handshake's payload-less packets are
 * not recorded, as Sec. 3.1 drops them). */
struct pronet_input_spec;
void deep_packet_input_spec(const struct pronet_model *model, struct pronet_input_spec *spec);

/* ---- deep-packet-cnn ---- */

/* The width of every layer divided by width_divisor (1 keeps the paper's;
 * tests and quick runs use a larger one). */
struct deep_packet_cnn_config {
	uint32_t conv1_stride; /* 5: the paper gives none (docs/deep-packet.md) */
	uint32_t conv2_stride; /* 4 */
	uint32_t
	    pool_regions;     /* 2: average over 2 regions ("2 x 80" in the appendix); 0: windows */
	uint32_t pool_window; /* with pool_regions 0: windows of 2, stride 2 (the text's reading) */
	uint32_t max_pool;    /* 0: average (the text), 1: max (Fig. 8's caption) */
	uint32_t width_divisor; /* 1 */
	float dropout;          /* 0.25, after the pooling */
};

#define DEEP_PACKET_CNN_HIDDEN 7 /* dense 600-500-400-300-200-100-50 */
#define DEEP_PACKET_CONV1_FILTERS 200
#define DEEP_PACKET_CONV1_WIDTH 5
#define DEEP_PACKET_CONV2_FILTERS 80
#define DEEP_PACKET_CONV2_WIDTH 4
/* The flattened features the dense layers may see: bounds the first dense
 * layer (600 x 16384 floats, 39 MB) whatever a file asks. */
#define DEEP_PACKET_CNN_MAX_FLATTEN 16384

/* Sizes derived from the config at create. */
struct deep_packet_cnn_shape {
	size_t filters1, filters2;
	size_t positions1, positions2, pooled_positions, flatten;
};

struct deep_packet_cnn_weights {
	float *conv1_w, *conv1_b; /* [filters1][5][1], [filters1] */
	float *conv2_w, *conv2_b; /* [filters2][4][filters1], [filters2] */
	struct dense_stack_weights dense;
};

struct deep_packet_cnn_state {
	struct deep_packet_cnn_config config;
	struct deep_packet_cnn_shape shape;
	struct dense_stack_layout layout;
	struct deep_packet_cnn_weights weights;
};

extern const struct pronet_arch_ops pronet_arch_deep_packet_cnn;

static inline struct deep_packet_cnn_state *deep_packet_cnn_state(const struct pronet_model *model)
{
	return (struct deep_packet_cnn_state *)pronet_model_state(model);
}

void deep_packet_cnn_config_default(struct deep_packet_cnn_config *config);
void deep_packet_cnn_bind(const struct pronet_model *model, float *block,
                          struct deep_packet_cnn_weights *weights);
/* Per-sample activations of the convolutional part, in caller memory:
 * x [1500], a1 [positions1][filters1], a2 [positions2][filters2],
 * pooled [flatten]; argmax [flatten] (max pooling while training; may be NULL). */
struct deep_packet_cnn_activations {
	float *x, *a1, *a2, *pooled;
	uint32_t *argmax;
};
void deep_packet_cnn_features(const struct pronet_model *model, const float *x,
                              struct deep_packet_cnn_activations *act);

extern const struct pronet_grad_family deep_packet_cnn_grad; /* core/train/grad_workers.h */

/* ---- deep-packet-sae ---- */

struct deep_packet_sae_config {
	uint32_t width_divisor;   /* 1 */
	float dropout;            /* 0.25, after each hidden layer */
	uint32_t pretrain_epochs; /* per layer; the paper's 200 is a cap for a GPU's day */
};

#define DEEP_PACKET_SAE_HIDDEN 5 /* dense 400-300-200-100-50 */

struct deep_packet_sae_state {
	struct deep_packet_sae_config config;
	struct dense_stack_layout layout;
	struct dense_stack_weights weights;
};

extern const struct pronet_arch_ops pronet_arch_deep_packet_sae;

static inline struct deep_packet_sae_state *deep_packet_sae_state(const struct pronet_model *model)
{
	return (struct deep_packet_sae_state *)pronet_model_state(model);
}

void deep_packet_sae_config_default(struct deep_packet_sae_config *config);
extern const struct pronet_grad_family deep_packet_sae_grad; /* core/train/grad_workers.h */
struct pronet_dataset;
struct pronet_train_options;
enum pronet_err deep_packet_sae_pretrain(struct pronet_model *model,
                                         const struct pronet_dataset *data,
                                         const struct pronet_train_options *options, char *errbuf);

/* ---- hyperparameters as data (deep_packet_hyper.c) ---- */

#define DEEP_PACKET_CNN_NUM_OPTIONS 7
#define DEEP_PACKET_SAE_NUM_OPTIONS 3
extern const struct pronet_arch_option deep_packet_cnn_options[DEEP_PACKET_CNN_NUM_OPTIONS];
extern const struct pronet_arch_option deep_packet_sae_options[DEEP_PACKET_SAE_NUM_OPTIONS];
struct pronet_io_writer;
struct pronet_io_reader;
void deep_packet_cnn_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w);
enum pronet_err deep_packet_cnn_read_hyper(struct pronet_io_reader *r, void *config);
void deep_packet_cnn_describe(const struct pronet_model *model, pronet_describe_emit *emit,
                              void *user);
void deep_packet_sae_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w);
enum pronet_err deep_packet_sae_read_hyper(struct pronet_io_reader *r, void *config);
void deep_packet_sae_describe(const struct pronet_model *model, pronet_describe_emit *emit,
                              void *user);

/* Appends tensor `name` ([d0] or [d0][d1] or [d0][d1][d2]; 0 ends the dims)
 * to the model's layout. PRONET_ERR_LIMIT past PRONET_MAX_TENSORS. */
enum pronet_err deep_packet_add_tensor(struct pronet_model *model, const char *name, uint32_t d0,
                                       uint32_t d1, uint32_t d2, char *errbuf);
/* Glorot-uniform (Keras's default, which the paper used): U(-l, l) with
 * l = sqrt(6 / (fan_in + fan_out)). */
void deep_packet_fill_glorot(float *x, size_t n, size_t fan_in, size_t fan_out,
                             struct pronet_rng *rng);

#endif
