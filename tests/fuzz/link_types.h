/* The link types fuzz_decode.c picks from by its first input byte, shared
 * with make_seeds.c so that a seed from a capture names its capture's type. */
#ifndef PRONET_TESTS_FUZZ_LINK_TYPES_H
#define PRONET_TESTS_FUZZ_LINK_TYPES_H

/* DLT_* values pronet_decode_packet() knows (ndpi-glue/capture/decode.c), and one it
 * does not (147, DLT_USER0) for the refusal path. */
static const int fuzz_link_types[] = {0, 1, 9, 12, 14, 50, 101, 104, 108, 113, 228, 229, 276, 147};
#define FUZZ_NUM_LINK_TYPES (sizeof(fuzz_link_types) / sizeof(fuzz_link_types[0]))

/* Index of `dlt` in fuzz_link_types[], or -1. */
static inline int fuzz_link_type_index(int dlt)
{
	for (unsigned i = 0; i < FUZZ_NUM_LINK_TYPES; i++)
		if (fuzz_link_types[i] == dlt)
			return (int)i;
	return -1;
}

#endif
