/* xoshiro256** (Blackman & Vigna, 2018) seeded with splitmix64, as its
 * authors recommend; Box-Muller for normal deviates. */
#include "core/util/rng.h"

#include <math.h>

uint64_t pronet_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void pronet_rng_seed(struct pronet_rng *rng, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rng->state[i] = pronet_splitmix64(&seed);
}

static uint64_t rotate_left(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t pronet_rng_next(struct pronet_rng *rng)
{
	uint64_t *s = rng->state;
	uint64_t result = rotate_left(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotate_left(s[3], 45);
	return result;
}

double pronet_rng_uniform(struct pronet_rng *rng)
{
	return (double)(pronet_rng_next(rng) >> 11) * 0x1.0p-53;
}

uint64_t pronet_rng_below(struct pronet_rng *rng, uint64_t bound)
{
	/* Reject the top partial range so every residue is equally likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
	uint64_t x;

	do
		x = pronet_rng_next(rng);
	while (x >= limit);
	return x % bound;
}

float pronet_rng_normal(struct pronet_rng *rng, float mean, float stddev)
{
	/* Box-Muller: u1 in (0, 1] keeps log() finite. One deviate per call
	 * (the second is discarded) so the state is just the generator's. */
	double u1 = 1.0 - pronet_rng_uniform(rng);
	double u2 = pronet_rng_uniform(rng);
	double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);

	return mean + stddev * (float)z;
}
