/* L-BFGS (lbfgs.h): two-loop recursion over the last HISTORY pairs
 * (s = x' - x, y = g' - g), a backtracking line search for the Armijo
 * condition f(x + a d) <= f(x) + 1e-4 a g.d. */
#include "core/arch/histogram/lbfgs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY 10
#define ARMIJO 1e-4
#define MAX_HALVINGS 40

struct lbfgs {
	size_t n;
	double *s[HISTORY], *y[HISTORY], rho[HISTORY], alpha[HISTORY];
	size_t stored, newest; /* pairs held; index of the newest */
	double *gradient, *direction, *trial_x, *trial_gradient;
};

static double dot(const double *a, const double *b, size_t n)
{
	double sum = 0.0;

	for (size_t i = 0; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

static double largest_abs(const double *a, size_t n)
{
	double m = 0.0;

	for (size_t i = 0; i < n; i++)
		m = fabs(a[i]) > m ? fabs(a[i]) : m;
	return m;
}

/* direction = -H g by the two-loop recursion; H0 = (s.y / y.y) I. */
static void search_direction(struct lbfgs *b)
{
	size_t n = b->n;
	double *d = b->direction;

	for (size_t i = 0; i < n; i++)
		d[i] = -b->gradient[i];
	for (size_t k = 0; k < b->stored; k++) {
		size_t j = (b->newest + HISTORY - k) % HISTORY;

		b->alpha[j] = b->rho[j] * dot(b->s[j], d, n);
		for (size_t i = 0; i < n; i++)
			d[i] -= b->alpha[j] * b->y[j][i];
	}
	if (b->stored > 0) {
		size_t j = b->newest;
		double gamma = dot(b->s[j], b->y[j], n) / dot(b->y[j], b->y[j], n);

		for (size_t i = 0; i < n; i++)
			d[i] *= gamma;
	}
	for (size_t k = b->stored; k > 0; k--) {
		size_t j = (b->newest + HISTORY - (k - 1)) % HISTORY;
		double beta = b->rho[j] * dot(b->y[j], d, n);

		for (size_t i = 0; i < n; i++)
			d[i] += (b->alpha[j] - beta) * b->s[j][i];
	}
}

static int allocate(struct lbfgs *b, size_t n)
{
	int ok = 1;

	memset(b, 0, sizeof(*b));
	b->n = n;
	for (int k = 0; k < HISTORY; k++) {
		b->s[k] = malloc(n * sizeof(double));
		b->y[k] = malloc(n * sizeof(double));
		ok = ok && b->s[k] && b->y[k];
	}
	b->gradient = malloc(n * sizeof(double));
	b->direction = malloc(n * sizeof(double));
	b->trial_x = malloc(n * sizeof(double));
	b->trial_gradient = malloc(n * sizeof(double));
	return ok && b->gradient && b->direction && b->trial_x && b->trial_gradient;
}

static void release(struct lbfgs *b)
{
	for (int k = 0; k < HISTORY; k++) {
		free(b->s[k]);
		free(b->y[k]);
	}
	free(b->gradient);
	free(b->direction);
	free(b->trial_x);
	free(b->trial_gradient);
}

/* Keeps the pair (s, y) of the step just taken, if it curves upward. */
static void remember(struct lbfgs *b, double step)
{
	size_t j = b->stored ? (b->newest + 1) % HISTORY : 0;
	double sy;

	for (size_t i = 0; i < b->n; i++) {
		b->s[j][i] = step * b->direction[i];
		b->y[j][i] = b->trial_gradient[i] - b->gradient[i];
	}
	sy = dot(b->s[j], b->y[j], b->n);
	if (!(sy > 1e-12))
		return;
	b->rho[j] = 1.0 / sy;
	b->newest = j;
	if (b->stored < HISTORY)
		b->stored++;
}

enum pronet_err pronet_lbfgs_minimise(size_t n, double *x, uint32_t max_iterations,
                                      double tolerance, pronet_objective_fn *objective,
                                      void *context, uint32_t *iterations, char *errbuf)
{
	struct lbfgs b;
	double value;
	uint32_t done = 0;

	if (!allocate(&b, n)) {
		release(&b);
		return pronet_error(errbuf, PRONET_ERR_NOMEM,
		                    "no memory for L-BFGS over %zu values", n);
	}
	value = objective(context, x, b.gradient);
	while (done < max_iterations && largest_abs(b.gradient, n) > tolerance) {
		double slope, step, trial = value;
		int halvings = 0;

		search_direction(&b);
		slope = dot(b.gradient, b.direction, n);
		if (!(slope < 0.0)) { /* not a descent direction: restart from the gradient */
			b.stored = 0;
			search_direction(&b);
			slope = dot(b.gradient, b.direction, n);
		}
		step = b.stored ? 1.0 : 1.0 / fmax(1.0, sqrt(dot(b.gradient, b.gradient, n)));
		for (; halvings < MAX_HALVINGS; halvings++, step /= 2.0) {
			for (size_t i = 0; i < n; i++)
				b.trial_x[i] = x[i] + step * b.direction[i];
			trial = objective(context, b.trial_x, b.trial_gradient);
			if (isfinite(trial) && trial <= value + ARMIJO * step * slope)
				break;
		}
		if (halvings == MAX_HALVINGS)
			break; /* no step lowers it: as good as this search gets */
		remember(&b, step);
		memcpy(x, b.trial_x, n * sizeof(double));
		memcpy(b.gradient, b.trial_gradient, n * sizeof(double));
		value = trial;
		done++;
	}
	if (iterations != NULL)
		*iterations = done;
	release(&b);
	return PRONET_OK;
}
