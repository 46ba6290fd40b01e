/* Limited-memory BFGS (Nocedal and Wright, Numerical Optimization, Alg.
 * 7.4 and 7.5) with a backtracking Armijo line search: the minimiser of
 * histogram-lr, as scikit-learn's LogisticRegression uses L-BFGS. */
#ifndef PRONET_CORE_ARCH_HISTOGRAM_LBFGS_H
#define PRONET_CORE_ARCH_HISTOGRAM_LBFGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

/* The objective at x[n]; its gradient into gradient[n]. */
typedef double pronet_objective_fn(void *context, const double *x, double *gradient);

/* Minimises from x[n] in place: stops after max_iterations, when the largest
 * gradient component is below tolerance, or when no step lowers the
 * objective. *iterations (may be NULL) receives how many were made.
 * Deterministic: the same x for the same objective. */
enum pronet_err pronet_lbfgs_minimise(size_t n, double *x, uint32_t max_iterations,
                                      double tolerance, pronet_objective_fn *objective,
                                      void *context, uint32_t *iterations, char *errbuf);

#endif
