/* libFuzzer harness: the dataset loader (core/dataset.c) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "core/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *dataset = NULL;

	if (pronet_dataset_load_buffer(data, size, "fuzz", &dataset, errbuf) == PRONET_OK)
		pronet_dataset_free(dataset);
	return 0;
}
