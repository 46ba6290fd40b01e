/* A stack of fully connected layers, ReLU after each hidden one, then a
 * linear output layer (the logits): the head of Deep Packet's CNN (dense
 * 600-...-50) and the whole of its SAE (400-...-50). Hidden outputs may pass
 * through dropout while training (the SAE: "after each layer", Sec. 3.3).
 * Layer i maps widths[i] inputs to widths[i + 1] outputs; its weights are the
 * model tensors "<prefix><i+1>.w" [out][in] and ".b" [out], the output
 * layer's "output.w" and "output.b". */
#ifndef PRONET_CORE_ARCH_DEEP_PACKET_DENSE_STACK_H
#define PRONET_CORE_ARCH_DEEP_PACKET_DENSE_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "core/util/rng.h"

#define DENSE_STACK_MAX_LAYERS 8 /* hidden layers and the output layer */

struct dense_stack_layout {
	size_t num_layers;                         /* hidden + 1 */
	size_t widths[DENSE_STACK_MAX_LAYERS + 1]; /* [0] inputs ... [num_layers] classes */
	size_t offsets[DENSE_STACK_MAX_LAYERS];    /* of layer i's outputs in an activation row */
	size_t activations;                        /* sum of widths[1..num_layers] */
	size_t widest;                             /* max of widths[1..num_layers] */
	size_t first_tensor;                       /* the model tensor of layer 0's weights */
};

struct dense_stack_weights {
	float *w[DENSE_STACK_MAX_LAYERS], *b[DENSE_STACK_MAX_LAYERS];
};

struct pronet_model;

/* Fills the layout for inputs -> hidden[0..num_hidden) -> classes and
 * appends the layers' tensors to the model. */
enum pronet_err dense_stack_create(struct pronet_model *model, struct dense_stack_layout *layout,
                                   size_t inputs, const size_t *hidden, size_t num_hidden,
                                   size_t classes, char *errbuf);
/* Points weights into block (laid out like the model's weights). */
void dense_stack_bind(const struct pronet_model *model, const struct dense_stack_layout *layout,
                      float *block, struct dense_stack_weights *weights);
void dense_stack_init(const struct dense_stack_layout *layout,
                      const struct dense_stack_weights *weights, struct pronet_rng *rng);

/* Inference: x [widths[0]] -> logits [classes]; scratch holds 2 * widest floats. */
void dense_stack_forward(const struct dense_stack_layout *layout,
                         const struct dense_stack_weights *weights, const float *x, float *scratch,
                         float *logits);
/* Training over `rows` samples at once (matrix products, so each layer's
 * weights are read once per batch share): x [rows][ldx]; every layer's
 * output kept in h [rows][activations] (hidden ones after ReLU and dropout,
 * p from row r's generator rngs[r] into mask [rows][activations]; rngs and
 * mask may be NULL when p is 0), the logits last, at h + offsets[num_layers
 * - 1] of each row. */
void dense_stack_train_forward(const struct dense_stack_layout *layout,
                               const struct dense_stack_weights *weights, size_t rows,
                               const float *x, size_t ldx, float p, struct pronet_rng *rngs,
                               float *h, float *mask);
/* From dlogits [rows][classes] back: accumulates grads, writes dx
 * [rows][ldx] unless NULL; dh [rows][activations] is scratch. */
void dense_stack_backward(const struct dense_stack_layout *layout,
                          const struct dense_stack_weights *weights, size_t rows, const float *x,
                          size_t ldx, const float *h, const float *mask, const float *dlogits,
                          float *dh, float *dx, const struct dense_stack_weights *grads);

#endif
