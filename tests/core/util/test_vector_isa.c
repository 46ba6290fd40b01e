/* Tests of core/util/vector_isa.c: the generic kernels always run; WIDEST
 * resolves to a kernel this CPU runs and to none narrower than one it also
 * runs; a kernel the CPU lacks resolves to the generic one, reported. */
#include "core/util/vector_isa.h"
#include "tests/unit.h"

static int width_of(enum pronet_vector_isa isa)
{
	return isa == PRONET_ISA_AVX512 ? 64 : isa == PRONET_ISA_AVX2 ? 32 : 16;
}

static void test_generic_always_runs(void)
{
	int supported = 0;

	CU_ASSERT_EQUAL(pronet_vector_isa_resolve(PRONET_ISA_GENERIC, &supported),
	                PRONET_ISA_GENERIC);
	CU_ASSERT_EQUAL(supported, 1);
}

static void test_widest_is_the_widest_supported(void)
{
	static const enum pronet_vector_isa isas[] = {PRONET_ISA_GENERIC, PRONET_ISA_AVX2,
	                                              PRONET_ISA_AVX512};
	int supported = 0;
	enum pronet_vector_isa widest = pronet_vector_isa_resolve(PRONET_ISA_WIDEST, &supported);

	CU_ASSERT_EQUAL(supported, 1);
	CU_ASSERT_NOT_EQUAL(widest, PRONET_ISA_WIDEST);
	for (size_t i = 0; i < sizeof(isas) / sizeof(isas[0]); i++) {
		enum pronet_vector_isa got = pronet_vector_isa_resolve(isas[i], &supported);

		if (supported) {
			CU_ASSERT_EQUAL(got, isas[i]);
			CU_ASSERT(width_of(widest) >= width_of(isas[i]));
		} else {
			CU_ASSERT_EQUAL(got, PRONET_ISA_GENERIC);
			CU_ASSERT(width_of(widest) < width_of(isas[i]));
		}
	}
#ifndef PRONET_HAVE_X86_KERNELS
	CU_ASSERT_EQUAL(widest, PRONET_ISA_GENERIC);
#endif
}

static CU_TestInfo tests[] = {
    {"the generic kernels always run", test_generic_always_runs},
    {"WIDEST is the widest kernel the CPU runs", test_widest_is_the_widest_supported},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/util/vector_isa", tests);
}
