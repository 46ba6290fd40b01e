/* Fork-join over pthreads; see core/util/parallel.h. */
#include "core/util/parallel.h"

#include <pthread.h>

#define MAX_WORKERS 256

struct worker_start {
	pronet_parallel_fn fn;
	void *context;
	size_t worker, workers;
};

static void *run_worker(void *argument)
{
	struct worker_start *start = argument;

	start->fn(start->context, start->worker, start->workers);
	return NULL;
}

void pronet_parallel_run(size_t workers, pronet_parallel_fn fn, void *context)
{
	pthread_t threads[MAX_WORKERS];
	struct worker_start starts[MAX_WORKERS];
	int started[MAX_WORKERS];

	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	for (size_t w = 1; w < workers; w++) {
		starts[w] = (struct worker_start){fn, context, w, workers};
		started[w] = pthread_create(&threads[w], NULL, run_worker, &starts[w]) == 0;
	}
	fn(context, 0, workers);
	for (size_t w = 1; w < workers; w++) {
		if (started[w])
			pthread_join(threads[w], NULL);
		else
			fn(context, w, workers);
	}
}

void pronet_parallel_range(size_t n, size_t worker, size_t workers, size_t *begin, size_t *end)
{
	*begin = n * worker / workers;
	*end = n * (worker + 1) / workers;
}
