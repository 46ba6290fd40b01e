/* Per-packet context features (layout in core/arch/pronet_cnn/packet_context.h). */
#include "core/arch/pronet_cnn/packet_context.h"

#include <math.h>
#include <string.h>

void pronet_packet_context(const struct pronet_packet_record *input,
                           float features[PRONET_CONTEXT_FEATURES])
{
	static const unsigned length_bounds[4] = {16, 64, 256, 1024};
	unsigned index = input->payload_index < 5 ? input->payload_index : 5;
	unsigned bucket = 0;

	memset(features, 0, PRONET_CONTEXT_FEATURES * sizeof(float));
	features[input->direction == PRONET_DIR_SERVER_TO_CLIENT ? 1 : 0] = 1.0f;
	features[2 + index] = 1.0f;
	if (input->l4_protocol == 6)
		features[8] = 1.0f;
	else if (input->l4_protocol == 17)
		features[9] = 1.0f;
	features[10] = log2f(1.0f + (float)input->payload_length) / 16.0f;
	while (bucket < 4 && input->payload_length > length_bounds[bucket])
		bucket++;
	features[11 + bucket] = 1.0f;
}
