/* libFuzzer harness: the model-file loader (core/model_file.c) on arbitrary
 * bytes. A load either fails with a message or yields a model that predicts. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_model *model = NULL;
	float probabilities[PRONET_MAX_CLASSES];
	struct pronet_input input;
	size_t best;

	if (pronet_model_load_buffer(data, size, "fuzz", &model, errbuf) != PRONET_OK)
		return 0;
	memset(&input, 0, sizeof(input));
	memcpy(input.bytes, "GET / HTTP/1.1\r\n", PRONET_PAYLOAD_BYTES);
	input.length = PRONET_PAYLOAD_BYTES;
	input.l4_protocol = 6;
	(void)pronet_model_predict(model, &input, probabilities, &best);
	pronet_model_free(model);
	return 0;
}
