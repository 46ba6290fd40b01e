/* The dense layers of Deep Packet (seed 001, Sec. 3.3): o = W z + b per
 * layer, ReLU on the hidden ones, dropout on them while training. */
#include "core/arch/deep_packet/dense_stack.h"

#include <stdio.h>
#include <string.h>

#include "core/arch/deep_packet/deep_packet.h"
#include "core/nn/dense.h"
#include "core/nn/dropout.h"
#include "core/nn/relu.h"

enum pronet_err dense_stack_create(struct pronet_model *model, struct dense_stack_layout *layout,
                                   size_t inputs, const size_t *hidden, size_t num_hidden,
                                   size_t classes, char *errbuf)
{
	enum pronet_err err = PRONET_OK;
	char name[PRONET_TENSOR_NAME_MAX];

	if (num_hidden + 1 > DENSE_STACK_MAX_LAYERS)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "dense stack: %zu layers, past %d",
		                    num_hidden + 1, DENSE_STACK_MAX_LAYERS);
	memset(layout, 0, sizeof(*layout));
	layout->num_layers = num_hidden + 1;
	layout->widths[0] = inputs;
	for (size_t i = 0; i < num_hidden; i++)
		layout->widths[i + 1] = hidden[i];
	layout->widths[layout->num_layers] = classes;
	layout->first_tensor = model->num_tensors;
	for (size_t i = 0; i < layout->num_layers; i++) {
		size_t out = layout->widths[i + 1];
		int last = i + 1 == layout->num_layers;

		layout->offsets[i] = layout->activations;
		layout->activations += out;
		if (out > layout->widest)
			layout->widest = out;
		if (last)
			snprintf(name, sizeof(name), "output.w");
		else
			snprintf(name, sizeof(name), "dense%zu.w", i + 1);
		if (err == PRONET_OK)
			err = deep_packet_add_tensor(model, name, (uint32_t)out,
			                             (uint32_t)layout->widths[i], 0, errbuf);
		name[strlen(name) - 1] = 'b';
		if (err == PRONET_OK)
			err = deep_packet_add_tensor(model, name, (uint32_t)out, 0, 0, errbuf);
	}
	return err;
}

void dense_stack_bind(const struct pronet_model *model, const struct dense_stack_layout *layout,
                      float *block, struct dense_stack_weights *weights)
{
	const struct pronet_tensor *tensor = &model->tensors[layout->first_tensor];

	memset(weights, 0, sizeof(*weights));
	for (size_t i = 0; i < layout->num_layers; i++) {
		weights->w[i] = block + (tensor++)->offset;
		weights->b[i] = block + (tensor++)->offset;
	}
}

void dense_stack_init(const struct dense_stack_layout *layout,
                      const struct dense_stack_weights *weights, struct pronet_rng *rng)
{
	for (size_t i = 0; i < layout->num_layers; i++) {
		size_t in = layout->widths[i], out = layout->widths[i + 1];

		deep_packet_fill_glorot(weights->w[i], in * out, in, out, rng);
		memset(weights->b[i], 0, out * sizeof(float));
	}
}

void dense_stack_forward(const struct dense_stack_layout *layout,
                         const struct dense_stack_weights *weights, const float *x, float *scratch,
                         float *logits)
{
	const float *in = x;

	for (size_t i = 0; i < layout->num_layers; i++) {
		size_t out = layout->widths[i + 1];
		int last = i + 1 == layout->num_layers;
		float *y = last ? logits : scratch + (i % 2) * layout->widest;

		pronet_dense_forward(in, layout->widths[i], weights->w[i], weights->b[i], out, y);
		if (!last)
			pronet_relu_forward(y, out, y);
		in = y;
	}
}

void dense_stack_train_forward(const struct dense_stack_layout *layout,
                               const struct dense_stack_weights *weights, const float *x, float p,
                               struct pronet_rng *rng, float *h, float *mask)
{
	const float *in = x;

	for (size_t i = 0; i < layout->num_layers; i++) {
		size_t out = layout->widths[i + 1];
		float *y = h + layout->offsets[i];

		pronet_dense_forward(in, layout->widths[i], weights->w[i], weights->b[i], out, y);
		if (i + 1 < layout->num_layers) {
			pronet_relu_forward(y, out, y);
			if (p > 0.0f)
				pronet_dropout_forward(y, out, p, rng, mask + layout->offsets[i],
				                       y);
		}
		in = y;
	}
}

void dense_stack_backward(const struct dense_stack_layout *layout,
                          const struct dense_stack_weights *weights, const float *x, const float *h,
                          const float *mask, const float *dlogits, float *dh, float *dx,
                          const struct dense_stack_weights *grads)
{
	size_t last = layout->num_layers - 1;
	const float *dy = dlogits;

	for (size_t i = last + 1; i-- > 0;) {
		size_t out = layout->widths[i + 1];
		float *dz = dh + layout->offsets[i];
		const float *in = i == 0 ? x : h + layout->offsets[i - 1];
		float *din = i == 0 ? dx : dh + layout->offsets[i - 1];

		if (i < last) {
			/* y = dropout(relu(z)): a kept unit has mask > 0, so y > 0 says
			 * both that the ReLU passed and that dropout kept it. */
			const float *y = h + layout->offsets[i];

			for (size_t k = 0; k < out; k++)
				dz[k] = y[k] > 0.0f
				            ? (mask != NULL ? dy[k] * mask[layout->offsets[i] + k]
				                            : dy[k])
				            : 0.0f;
			dy = dz;
		}
		pronet_dense_backward(in, layout->widths[i], weights->w[i], out, dy, din,
		                      grads->w[i], grads->b[i]);
		if (i > 0)
			dy = din;
	}
}
