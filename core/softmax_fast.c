/* Vector softmax with a Cody-Waite range reduction and a degree-6
 * polynomial for exp (the classic single-precision scheme of Cephes' expf);
 * see core/softmax_fast.h for the error it keeps. */
#include "core/softmax_fast.h"

#include <stdint.h>
#include <string.h>

#include "core/model.h"

/* Four lanes: SSE2 or NEON on any target this builds for; 16 classes are
 * four vectors. */
typedef float lanes4 __attribute__((vector_size(16), aligned(16), may_alias));
typedef int32_t ints4 __attribute__((vector_size(16), aligned(16)));

#define LOG2E 1.44269504088896341f
/* ln 2 in two parts: C1 has few significant bits, so n * C1 is exact. */
#define LN2_HIGH 0.693359375f
#define LN2_LOW -2.12194440e-4f
/* Below this exp(x) is under 2^-125; clamping keeps 2^n a normal float. */
#define SMALLEST -87.0f

static inline lanes4 splat(float x)
{
	return (lanes4){x, x, x, x};
}

static inline lanes4 select4(ints4 mask, lanes4 yes, lanes4 no)
{
	return (lanes4)((mask & (ints4)yes) | (~mask & (ints4)no));
}

/* exp(x) for x <= 0: x = n ln2 + r with |r| <= ln2 / 2, exp(r) from its
 * polynomial, 2^n built in the exponent bits. */
static inline lanes4 exp_nonpositive(lanes4 x)
{
	lanes4 fx, tf, r, p;
	ints4 n;

	x = select4(x < splat(SMALLEST), splat(SMALLEST), x);
	fx = x * splat(LOG2E) + splat(0.5f);
	n = __builtin_convertvector(fx, ints4); /* truncates toward 0 */
	tf = __builtin_convertvector(n, lanes4);
	n += (ints4)(tf > fx); /* -1 where truncation rounded up: floor */
	tf = __builtin_convertvector(n, lanes4);
	r = x - tf * splat(LN2_HIGH);
	r = r - tf * splat(LN2_LOW);
	p = splat(1.9875691500e-4f);
	p = p * r + splat(1.3981999507e-3f);
	p = p * r + splat(8.3334519073e-3f);
	p = p * r + splat(4.1665795894e-2f);
	p = p * r + splat(1.6666665459e-1f);
	p = p * r + splat(5.0000001201e-1f);
	p = p * r * r + r + splat(1.0f);
	return p * (lanes4)((n + 127) << 23);
}

/* Four logits at a time from an unaligned array; lanes past n hold `fill`.
 * Vector loads rather than memcpy into a buffer: a variable-length copy
 * followed by vector reads of it stalls store forwarding. */
static inline lanes4 load4(const float *logits, size_t n, size_t v, float fill)
{
	lanes4 x = splat(fill);

	if (4 * v + 4 <= n) {
		memcpy(&x, logits + 4 * v, sizeof(x));
		return x;
	}
	for (size_t i = 4 * v; i < n; i++)
		x[i - 4 * v] = logits[i];
	return x;
}

void pronet_softmax_fast(const float *logits, size_t n, float temperature, float *probabilities)
{
	lanes4 e[(PRONET_MAX_CLASSES + 3) / 4], top = splat(logits[0]), sums = splat(0.0f);
	float largest, inverse = 1.0f / temperature;
	size_t vectors = (n + 3) / 4;

	for (size_t v = 0; v < vectors; v++) {
		lanes4 x = load4(logits, n, v, logits[0]);

		top = select4(x > top, x, top);
	}
	largest = top[0] > top[1] ? top[0] : top[1];
	largest = top[2] > largest ? top[2] : largest;
	largest = top[3] > largest ? top[3] : largest;
	/* Lanes past n hold exp(0); they are not summed. */
	for (size_t v = 0; v < vectors; v++) {
		e[v] = exp_nonpositive((load4(logits, n, v, largest) - splat(largest)) *
		                       splat(inverse));
		if (4 * v + 4 <= n)
			sums += e[v];
		else
			for (size_t i = 4 * v; i < n; i++)
				sums[0] += e[v][i - 4 * v];
	}
	inverse = 1.0f / ((sums[0] + sums[1]) + (sums[2] + sums[3]));
	for (size_t v = 0; v < vectors; v++) {
		lanes4 p = e[v] * splat(inverse);

		if (4 * v + 4 <= n)
			memcpy(probabilities + 4 * v, &p, sizeof(p));
		else
			for (size_t i = 4 * v; i < n; i++)
				probabilities[i] = p[i - 4 * v];
	}
}
