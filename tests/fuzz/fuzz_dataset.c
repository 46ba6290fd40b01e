/* libFuzzer harness: the dataset loader (core/data/dataset.c) on arbitrary bytes,
 * as given and with the checksum made right (crc_fixup.h). A loaded
 * dataset's samples must name classes and captures it has. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/data/dataset.h"
#include "tests/fuzz/crc_fixup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load(const uint8_t *data, size_t size)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *dataset = NULL;
	volatile unsigned sum = 0;

	if (pronet_dataset_load_buffer(data, size, "fuzz", &dataset, errbuf) != PRONET_OK)
		return;
	for (size_t i = 0; i < dataset->num_samples; i++) {
		const struct pronet_sample *sample = &dataset->samples[i];
		if (sample->label >= dataset->num_classes ||
		    sample->capture >= dataset->num_captures ||
		    sample->input.length > dataset->spec.window_bytes)
			abort();
		/* Every byte a record claims is readable (ASan checks). */
		for (size_t k = 0; k < sample->input.length; k++)
			sum += sample->input.bytes[k];
	}
	(void)sum; /* read back, or clang calls it set but not used */
	pronet_dataset_free(dataset);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_with_and_without_crc(data, size, load);
	return 0;
}
