/* libFuzzer harness: the model-file loader (core/model/model_file.c) on arbitrary
 * bytes, as given and with the checksum made right (crc_fixup.h). A load
 * either fails with a message or yields a model that predicts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/model.h"
#include "tests/fuzz/crc_fixup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load_and_predict(const uint8_t *data, size_t size)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_model *model = NULL;
	float probabilities[PRONET_MAX_CLASSES];
	struct pronet_packet_record input;
	size_t best;
	struct pronet_workspace *workspace = NULL;

	if (pronet_model_load_buffer(data, size, "fuzz", &model, errbuf) != PRONET_OK)
		return;
	memset(&input, 0, sizeof(input));
	input.bytes = (const uint8_t *)"GET / HTTP/1.1\r\n";
	input.length = PRONET_PAYLOAD_BYTES;
	input.payload_length = PRONET_PAYLOAD_BYTES;
	input.l4_protocol = 6;
	if (pronet_workspace_new(model, &workspace, NULL) == PRONET_OK &&
	    pronet_model_predict(model, workspace, &input, probabilities, &best) == PRONET_OK &&
	    best >= pronet_model_num_classes(model))
		abort(); /* the best class must be one of the model's */
	pronet_workspace_free(workspace);
	for (size_t i = 0; i < pronet_model_num_classes(model); i++)
		(void)pronet_model_class_name(model, i);
	pronet_model_free(model);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_with_and_without_crc(data, size, load_and_predict);
	return 0;
}
