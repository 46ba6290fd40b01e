/* Fan one job out to a fixed number of workers (pthreads) and wait. Worker
 * w always gets the same share of the work, whatever thread runs it, so a
 * result reduced in worker order is the same bit for bit on every run. */
#ifndef PRONET_CORE_PARALLEL_H
#define PRONET_CORE_PARALLEL_H

#include <stddef.h>

typedef void (*pronet_parallel_fn)(void *context, size_t worker, size_t workers);

/* Runs fn(context, w, workers) for w = 0..workers-1 and returns when all are
 * done. Worker 0 runs on the calling thread; if a thread cannot be created,
 * its worker runs on the calling thread too (same result, less parallel). */
void pronet_parallel_run(size_t workers, pronet_parallel_fn fn, void *context);
/* Worker w's share [*begin, *end) of n items: contiguous, in order. */
void pronet_parallel_range(size_t n, size_t worker, size_t workers, size_t *begin, size_t *end);

#endif
