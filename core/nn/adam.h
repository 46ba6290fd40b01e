/* Adam (Kingma & Ba 2015), the optimiser of ProNet Sec. 3.3. */
#ifndef PRONET_CORE_ADAM_H
#define PRONET_CORE_ADAM_H

#include <stddef.h>
#include <stdint.h>

struct pronet_adam {
	float learning_rate; /* alpha (1e-3) */
	float beta1;         /* 0.9 */
	float beta2;         /* 0.999 */
	float epsilon;       /* 1e-8 */
	uint64_t step;       /* t: updates done so far */
};

void pronet_adam_init(struct pronet_adam *adam, float learning_rate);
/* One update of n parameters from their gradients; first and second moment
 * estimates m, v (zero at the start) are updated in place; adam->step grows
 * by one. */
void pronet_adam_update(struct pronet_adam *adam, float *params, const float *grads, float *m,
                        float *v, size_t n);

/* The same update split so workers can share it: pronet_adam_begin
 * advances adam->step once and fixes the step's constants; then
 * pronet_adam_apply on disjoint ranges [begin, end) of the parameters (in
 * any order or thread) gives the bits pronet_adam_update gives. */
struct pronet_adam_step {
	float learning_rate, beta1, beta2, epsilon;
	float correction1, correction2; /* 1 - beta^t */
};

void pronet_adam_begin(struct pronet_adam *adam, struct pronet_adam_step *step);
void pronet_adam_apply(const struct pronet_adam_step *step, float *params, const float *grads,
                       float *m, float *v, size_t begin, size_t end);

#endif
