/* Our own seeded random numbers (no rand()): xoshiro256** seeded through
 * splitmix64, normal deviates by Box-Muller. The same seed gives the same
 * stream on every platform, which is what makes training reproducible. */
#ifndef PRONET_CORE_RNG_H
#define PRONET_CORE_RNG_H

#include <stdint.h>

struct pronet_rng {
	uint64_t state[4];
};

/* Seeds all 256 bits of state from one 64-bit seed (splitmix64). */
void pronet_rng_seed(struct pronet_rng *rng, uint64_t seed);
/* One splitmix64 step on *x: also a good 64-bit mixing function. */
uint64_t pronet_splitmix64(uint64_t *x);
uint64_t pronet_rng_next(struct pronet_rng *rng);
/* Uniform in [0, 1) with 53 bits of resolution. */
double pronet_rng_uniform(struct pronet_rng *rng);
/* Uniform integer in [0, bound), bound > 0, without modulo bias. */
uint64_t pronet_rng_below(struct pronet_rng *rng, uint64_t bound);
/* A draw from N(mean, stddev^2). */
float pronet_rng_normal(struct pronet_rng *rng, float mean, float stddev);

#endif
