/* Tests of core/data/record_pool.c: slots are handed out once each, in
 * order, until the pool is full; given-back slots are taken again first
 * (the order a flow table's records have always had), and a slot never
 * taken is never touched. */
#include <stdlib.h>
#include <string.h>

#include "core/data/record_pool.h"
#include "tests/unit.h"

#define SLOTS 1000

static struct pronet_record_pool *new_pool(size_t slots)
{
	struct pronet_record_pool *pool = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL_FATAL(pronet_record_pool_new(16, slots, &pool, errbuf), PRONET_OK);
	return pool;
}

static void test_every_slot_once_then_full(void)
{
	struct pronet_record_pool *pool = new_pool(SLOTS);
	int in_order = 1;

	for (uint32_t i = 0; i < SLOTS; i++) {
		uint32_t slot = pronet_record_pool_take(pool);

		in_order &=
		    slot == i && *pronet_record_pool_next(pool, slot) == PRONET_RECORD_SLOT_NONE;
		memset(pronet_record_pool_bytes(pool, slot), (int)(i & 0xff), 16);
	}
	CU_ASSERT(in_order);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), PRONET_RECORD_SLOT_NONE);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), PRONET_RECORD_SLOT_NONE);
	CU_ASSERT_EQUAL(pronet_record_pool_bytes(pool, SLOTS - 1)[15], (SLOTS - 1) & 0xff);
	pronet_record_pool_free(pool);
}

static void test_given_back_first(void)
{
	struct pronet_record_pool *pool = new_pool(SLOTS);
	uint32_t a, b, c;

	a = pronet_record_pool_take(pool); /* 0 */
	b = pronet_record_pool_take(pool); /* 1 */
	c = pronet_record_pool_take(pool); /* 2 */
	CU_ASSERT_EQUAL_FATAL(c, 2);
	/* A chain a -> c given back: c is taken first, then a, then slot 3. */
	*pronet_record_pool_next(pool, a) = c;
	pronet_record_pool_give_chain(pool, a);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), c);
	CU_ASSERT_EQUAL(*pronet_record_pool_next(pool, c), PRONET_RECORD_SLOT_NONE);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), a);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), 3);
	/* Full, then one given back: that one, then full again. */
	for (uint32_t i = 4; i < SLOTS; i++)
		CU_ASSERT_EQUAL(pronet_record_pool_take(pool), i);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), PRONET_RECORD_SLOT_NONE);
	pronet_record_pool_give_chain(pool, b);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), b);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), PRONET_RECORD_SLOT_NONE);
	pronet_record_pool_give_chain(pool, PRONET_RECORD_SLOT_NONE);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), PRONET_RECORD_SLOT_NONE);
	pronet_record_pool_free(pool);
}

static void test_one_slot(void)
{
	struct pronet_record_pool *pool = new_pool(1);

	CU_ASSERT_EQUAL(pronet_record_pool_capacity(pool), 1);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), 0);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), PRONET_RECORD_SLOT_NONE);
	pronet_record_pool_give_chain(pool, 0);
	CU_ASSERT_EQUAL(pronet_record_pool_take(pool), 0);
	pronet_record_pool_free(pool);
}

static CU_TestInfo tests[] = {
    {"every slot once, in order, then full", test_every_slot_once_then_full},
    {"given-back slots are taken first", test_given_back_first},
    {"a pool of one slot", test_one_slot},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("record_pool", tests);
}
