/* Synthetic flows and small models for the flow-cnn tests
 * (tests/core/arch/flow_cnn/flow_cnn_synthetic.h). */
#include "tests/core/arch/flow_cnn/flow_cnn_synthetic.h"

#include <string.h>

#include "tests/unit.h"

const char *const classes[CLASSES] = {"marked", "slow", "fast"};

struct flow_cnn_config small_config(void)
{
	struct flow_cnn_config config;

	flow_cnn_config_default(&config);
	config.input_values = 64;
	config.filters[0] = 2;
	config.filters[1] = 3;
	config.filters[2] = 2;
	config.filters[3] = 3;
	config.hidden[0] = 5;
	config.hidden[1] = 4;
	return config;
}

struct pronet_model *new_model(const struct flow_cnn_config *config, uint64_t seed)
{
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	CU_ASSERT_EQUAL_FATAL(pronet_model_new(&pronet_arch_flow_cnn, config, sizeof(*config),
	                                       classes, CLASSES, seed, &model, errbuf),
	                      PRONET_OK);
	return model;
}

struct pronet_workspace *workspace_for(const struct pronet_model *model)
{
	struct pronet_workspace *ws = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL_FATAL(pronet_workspace_new(model, &ws, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	return ws;
}

/* A payload record of `length` bytes (caller fills them) at time t us. */
struct pronet_packet_record record_at(size_t length, uint64_t t, uint8_t protocol, uint16_t index)
{
	struct pronet_packet_record r;

	memset(&r, 0, sizeof(r));
	r.bytes = pronet_unit_record_bytes(length ? length : 1);
	r.length = (uint16_t)length;
	r.payload_length = (uint16_t)length;
	r.timestamp_us = t;
	r.l4_protocol = protocol;
	r.payload_index = index;
	r.layer = PRONET_LAYER_PAYLOAD;
	return r;
}

/* Flow f of class c: FLOW_PACKETS payload packets of 6..21 random bytes. */
void synthetic_flow(struct pronet_packet_record *r, size_t c, struct pronet_rng *rng)
{
	uint64_t t = 1000000 + pronet_rng_below(rng, 1000);

	for (size_t k = 0; k < FLOW_PACKETS; k++) {
		size_t length = 6 + (size_t)pronet_rng_below(rng, 16);
		uint32_t low = c == 0 ? 0 : 128, span = c == 0 ? 64 : 128;

		r[k] = record_at(length, t, TCP, (uint16_t)k);
		r[k].direction = (uint8_t)(k % 2);
		for (size_t i = 0; i < length; i++)
			PRONET_UNIT_BYTES(r[k])[i] = (uint8_t)(low + pronet_rng_below(rng, span));
		t += c == 1 ? 50000 + pronet_rng_below(rng, 5000) : 100 + pronet_rng_below(rng, 50);
	}
}

struct pronet_dataset *synthetic_dataset(size_t per_class, uint64_t seed)
{
	struct pronet_dataset *data = pronet_dataset_new();
	struct flow_cnn_config config = small_config();
	struct pronet_packet_record r[FLOW_PACKETS];
	struct pronet_rng rng;
	uint32_t capture;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	flow_cnn_spec(&config, &data->spec);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_intern_capture(data, "synthetic", &capture),
	                      PRONET_OK);
	pronet_rng_seed(&rng, seed);
	for (size_t f = 0; f < per_class * CLASSES; f++) {
		uint16_t label;

		CU_ASSERT_EQUAL_FATAL(
		    pronet_dataset_intern_class(data, classes[f % CLASSES], &label), PRONET_OK);
		synthetic_flow(r, f % CLASSES, &rng);
		for (size_t k = 0; k < FLOW_PACKETS; k++) {
			struct pronet_sample sample = {r[k], label, capture, f};

			CU_ASSERT_EQUAL_FATAL(pronet_dataset_append(data, &sample), PRONET_OK);
		}
	}
	return data;
}
