/* Softmax (ProNet Sec. 3.2 (E6)) and cross-entropy (Sec. 3.3 (E7)):
 *   p_c = exp(o_c) / sum_k exp(o_k),   L = -log p_y,   dL/do_c = p_c - [c == y]. */
#include "core/nn/softmax_xent.h"

#include <float.h>
#include <math.h>

void pronet_softmax(const float *logits, size_t n, float temperature, float *probabilities)
{
	float largest = logits[0];
	float sum = 0.0f;

	for (size_t i = 1; i < n; i++)
		if (logits[i] > largest)
			largest = logits[i];
	for (size_t i = 0; i < n; i++) {
		probabilities[i] = expf((logits[i] - largest) / temperature);
		sum += probabilities[i];
	}
	for (size_t i = 0; i < n; i++)
		probabilities[i] /= sum;
}

float pronet_softmax_xent_forward(const float *logits, size_t n, uint32_t label,
                                  float *probabilities)
{
	float p;

	pronet_softmax(logits, n, 1.0f, probabilities);
	p = probabilities[label];
	/* A probability that underflowed to 0 would make the loss infinite. */
	return -logf(p > FLT_MIN ? p : FLT_MIN);
}

void pronet_softmax_xent_backward(const float *probabilities, size_t n, uint32_t label, float scale,
                                  float *dlogits)
{
	for (size_t i = 0; i < n; i++)
		dlogits[i] = scale * (probabilities[i] - (i == label ? 1.0f : 0.0f));
}

size_t pronet_argmax(const float *x, size_t n)
{
	float m0 = x[0], m1 = x[0], m2 = x[0], m3 = x[0], top;
	size_t i = 1, best = 0;

	/* Two passes of selects, no branch per class (which class wins varies
	 * from one prediction to the next; a mispredicted branch costs more than
	 * the loop): the largest value with four independent running maxima (a
	 * maximum does not depend on the order it is taken in), then the lowest
	 * index holding it. NaN is never selected, as with a plain scan, unless
	 * it is x[0]: then nothing compares equal and the answer is 0. */
	for (; i + 4 <= n; i += 4) {
		m0 = x[i] > m0 ? x[i] : m0;
		m1 = x[i + 1] > m1 ? x[i + 1] : m1;
		m2 = x[i + 2] > m2 ? x[i + 2] : m2;
		m3 = x[i + 3] > m3 ? x[i + 3] : m3;
	}
	for (; i < n; i++)
		m0 = x[i] > m0 ? x[i] : m0;
	m0 = m1 > m0 ? m1 : m0;
	m2 = m3 > m2 ? m3 : m2;
	top = m2 > m0 ? m2 : m0;
	for (i = n; i-- > 0;)
		best = x[i] == top ? i : best;
	return best;
}
