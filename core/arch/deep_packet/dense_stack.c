/* The dense layers of Deep Packet (seed 001, Sec. 3.3): o = W z + b per
 * layer, ReLU on the hidden ones, dropout on them while training. */
#include "core/arch/deep_packet/dense_stack.h"

#include <stdio.h>
#include <string.h>

#include "core/arch/deep_packet/deep_packet.h"
#include "core/nn/dense.h"
#include "core/nn/dropout.h"
#include "core/nn/gemm.h"
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

		pronet_gemm_nt(1, out, layout->widths[i], in, layout->widths[i], weights->w[i],
		               layout->widths[i], weights->b[i], y, out);
		if (!last)
			pronet_relu_forward(y, out, y);
		in = y;
	}
}

void dense_stack_train_forward(const struct dense_stack_layout *layout,
                               const struct dense_stack_weights *weights, size_t rows,
                               const float *x, size_t ldx, float p, struct pronet_rng *rngs,
                               float *h, float *mask)
{
	size_t acts = layout->activations;
	const float *in = x;
	size_t ld_in = ldx;

	for (size_t i = 0; i < layout->num_layers; i++) {
		size_t out = layout->widths[i + 1];
		float *y = h + layout->offsets[i];

		pronet_gemm_nt(rows, out, layout->widths[i], in, ld_in, weights->w[i],
		               layout->widths[i], weights->b[i], y, acts);
		for (size_t r = 0; i + 1 < layout->num_layers && r < rows; r++) {
			float *yr = y + r * acts;

			pronet_relu_forward(yr, out, yr);
			if (p > 0.0f) /* each row's generator, layer after layer */
				pronet_dropout_forward(yr, out, p, &rngs[r],
				                       mask + r * acts + layout->offsets[i], yr);
		}
		in = y;
		ld_in = acts;
	}
}

/* dW += dY^T X, db += the column sums of dY, dX = dY W (dX may be NULL). */
static void dense_rows_backward(size_t rows, const float *x, size_t ldx, size_t inputs,
                                const float *w, size_t outputs, const float *dy, size_t ldy,
                                float *dx, size_t lddx, float *dw, float *db)
{
	for (size_t r = 0; r < rows; r++)
		for (size_t o = 0; o < outputs; o++)
			db[o] += dy[r * ldy + o];
	pronet_gemm_tn_acc(rows, outputs, inputs, dy, ldy, x, ldx, dw, inputs);
	if (dx == NULL)
		return;
	for (size_t r = 0; r < rows; r++)
		memset(dx + r * lddx, 0, inputs * sizeof(float));
	pronet_gemm_nn_acc(rows, outputs, inputs, dy, ldy, w, inputs, dx, lddx);
}

void dense_stack_backward(const struct dense_stack_layout *layout,
                          const struct dense_stack_weights *weights, size_t rows, const float *x,
                          size_t ldx, const float *h, const float *mask, const float *dlogits,
                          float *dh, float *dx, const struct dense_stack_weights *grads)
{
	size_t last = layout->num_layers - 1, acts = layout->activations;
	size_t classes = layout->widths[layout->num_layers];
	const float *dy = dlogits;
	size_t ldy = classes;

	for (size_t i = last + 1; i-- > 0;) {
		size_t out = layout->widths[i + 1];
		float *dz = dh + layout->offsets[i];
		const float *in = i == 0 ? x : h + layout->offsets[i - 1];
		float *din = i == 0 ? dx : dh + layout->offsets[i - 1];

		if (i < last) {
			/* y = dropout(relu(z)): a kept unit has mask > 0, so y > 0 says
			 * both that the ReLU passed and that dropout kept it. */
			for (size_t r = 0; r < rows; r++) {
				const float *y = h + r * acts + layout->offsets[i];
				const float *m =
				    mask != NULL ? mask + r * acts + layout->offsets[i] : NULL;
				const float *g = dy + r * ldy;
				float *d = dz + r * acts;

				for (size_t k = 0; k < out; k++)
					d[k] =
					    y[k] > 0.0f ? (m != NULL ? g[k] * m[k] : g[k]) : 0.0f;
			}
			dy = dz;
			ldy = acts;
		}
		dense_rows_backward(rows, in, i == 0 ? ldx : acts, layout->widths[i], weights->w[i],
		                    out, dy, ldy, din, i == 0 ? ldx : acts, grads->w[i],
		                    grads->b[i]);
		if (i > 0) {
			dy = din;
			ldy = acts;
		}
	}
}
