/* Which vector kernels this CPU runs. The fast inference path (tables,
 * folded head, softmax) writes each kernel once with GCC/clang vector
 * extensions and instantiates it for 16-byte vectors (SSE2, NEON, any
 * target) and, on x86-64, for AVX2 (with FMA) and AVX-512: a distribution's
 * -O2 build targets the x86-64 baseline, which alone would leave three
 * quarters of a modern core's vector width unused. */
#ifndef PRONET_CORE_VECTOR_ISA_H
#define PRONET_CORE_VECTOR_ISA_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PRONET_HAVE_X86_KERNELS 1
#endif

enum pronet_vector_isa {
	PRONET_ISA_WIDEST = 0, /* the widest this CPU runs */
	PRONET_ISA_GENERIC,    /* 16-byte vectors */
	PRONET_ISA_AVX2,
	PRONET_ISA_AVX512,
};

/* isa itself, or the widest for PRONET_ISA_WIDEST; GENERIC with *supported
 * 0 when this CPU or build cannot run isa. */
enum pronet_vector_isa pronet_vector_isa_resolve(enum pronet_vector_isa isa, int *supported);

#endif
