/* Tests of core/util/parallel.c: every worker runs once, shares partition the
 * items in order. */
#include "core/util/parallel.h"
#include "tests/unit.h"

#include <pthread.h>

struct tally {
	pthread_mutex_t lock;
	int calls[8];
	size_t workers_seen[8];
};

static void count_call(void *context, size_t worker, size_t workers)
{
	struct tally *tally = context;

	pthread_mutex_lock(&tally->lock);
	tally->calls[worker]++;
	tally->workers_seen[worker] = workers;
	pthread_mutex_unlock(&tally->lock);
}

static void test_every_worker_runs_once(void)
{
	struct tally tally = {PTHREAD_MUTEX_INITIALIZER, {0}, {0}};

	pronet_parallel_run(5, count_call, &tally);
	for (int w = 0; w < 8; w++) {
		CU_ASSERT_EQUAL(tally.calls[w], w < 5 ? 1 : 0);
		CU_ASSERT_EQUAL(tally.workers_seen[w], w < 5 ? 5u : 0u);
	}
}

static void test_ranges_partition_in_order(void)
{
	for (size_t n = 0; n < 20; n++) {
		for (size_t workers = 1; workers <= 7; workers++) {
			size_t expected_begin = 0, begin, end;

			for (size_t w = 0; w < workers; w++) {
				pronet_parallel_range(n, w, workers, &begin, &end);
				CU_ASSERT_EQUAL(begin, expected_begin);
				CU_ASSERT_TRUE(end >= begin && end - begin <= n / workers + 1);
				expected_begin = end;
			}
			CU_ASSERT_EQUAL(expected_begin, n);
		}
	}
}

static CU_TestInfo tests[] = {
    {"every worker runs exactly once", test_every_worker_runs_once},
    {"ranges partition the items in order", test_ranges_partition_in_order},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/util/parallel", tests);
}
