/* CPU feature checks for the vector kernels (core/util/vector_isa.h). */
#include "core/util/vector_isa.h"

enum pronet_vector_isa pronet_vector_isa_resolve(enum pronet_vector_isa isa, int *supported)
{
	int avx512 = 0, avx2 = 0;

#ifdef PRONET_HAVE_X86_KERNELS
	__builtin_cpu_init();
	avx512 = __builtin_cpu_supports("avx512f");
	avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
	*supported = 1;
	if (isa == PRONET_ISA_WIDEST)
		isa = avx512 ? PRONET_ISA_AVX512 : avx2 ? PRONET_ISA_AVX2 : PRONET_ISA_GENERIC;
	if ((isa == PRONET_ISA_AVX512 && !avx512) || (isa == PRONET_ISA_AVX2 && !avx2)) {
		*supported = 0;
		isa = PRONET_ISA_GENERIC;
	}
	return isa;
}
