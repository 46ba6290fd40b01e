/* `make bench`'s rows for the families over whole packets (tools/bench_arch.c). */
#ifndef PRONET_TOOLS_BENCH_ARCH_H
#define PRONET_TOOLS_BENCH_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/record.h"

/* Layer-3 records of the corpus's packets, window_bytes each at most. */
struct bench_arch_inputs {
	const struct pronet_packet_record *records;
	const uint32_t *labels; /* any small numbers: the class is labels[i] % 16 */
	size_t count;
	uint16_t window_bytes;
};

/* Predictions per CPU second of the family `arch` (default configuration,
 * 16 classes) for about `seconds`, one call each or batches of 256; NAN
 * and a note on failure. */
double bench_arch_predict(const char *arch, const struct bench_arch_inputs *inputs, int batched,
                          double seconds, char *note, size_t note_size);
/* Training samples per wall second (pronet_train, batch 128) on `threads`. */
double bench_arch_train(const char *arch, const struct bench_arch_inputs *inputs, uint32_t threads,
                        double seconds, char *note, size_t note_size);

#endif
