/* Per-packet context features (layout in core/arch/pronet_cnn/packet_context.h). */
#include "core/arch/pronet_cnn/packet_context.h"

#include <string.h>

void pronet_packet_context(const struct pronet_packet_record *input,
                           float features[PRONET_CONTEXT_FEATURES])
{
	unsigned index = input->payload_index < 5 ? input->payload_index : 5;

	memset(features, 0, PRONET_CONTEXT_FEATURES * sizeof(float));
	features[input->direction == PRONET_DIR_SERVER_TO_CLIENT ? 1 : 0] = 1.0f;
	features[2 + index] = 1.0f;
	if (input->l4_protocol == 6)
		features[8] = 1.0f;
	else if (input->l4_protocol == 17)
		features[9] = 1.0f;
	features[10] = pronet_packet_context_length(input->payload_length);
	features[11 + pronet_packet_context_bucket(input->payload_length)] = 1.0f;
}
