/* Test helper for tests/tools/explain.sh: writes the model of
 * tests/core/arch/pronet_cnn/explain_fixture.h (its evidence known by hand:
 * 0x16 at positions 0-13 gives "tls" +1) and a dataset of 20 "tls" flows,
 * whose first packet is 16 03 then lowercase letters, and 20 "other" flows
 * of lowercase letters, 2 of which start with 16 03 as well: the signature
 * [0]=0x16 [1]=0x03 must name 22 flows, 20 right and 2 wrong.
 *
 * Usage: make_explain_fixture MODEL DATASET */
#include <stdio.h>
#include <string.h>

#include "core/data/dataset.h"
#include "tests/core/arch/pronet_cnn/explain_fixture.h"

#define FLOWS 20

static enum pronet_err write_flow(struct pronet_dataset_writer *w, const char *label, uint64_t flow,
                                  int tls_start, char *errbuf)
{
	uint8_t bytes[PRONET_PAYLOAD_BYTES];
	struct pronet_packet_record r;
	enum pronet_err err = PRONET_OK;

	for (uint32_t packet = 0; err == PRONET_OK && packet < 2; packet++) {
		for (size_t i = 0; i < sizeof(bytes); i++)
			bytes[i] = (uint8_t)('a' + (flow * 7 + i * 3 + packet * 5 + i * i) % 26);
		if (tls_start && packet == 0) {
			bytes[0] = 0x16;
			bytes[1] = 0x03;
		}
		memset(&r, 0, sizeof(r));
		r.bytes = bytes;
		r.length = sizeof(bytes);
		r.payload_length = 100;
		r.l4_protocol = 6;
		r.direction = (uint8_t)packet;
		r.packet_index = packet;
		r.payload_index = (uint16_t)packet;
		err = pronet_dataset_writer_write_named(w, &r, label, "fixture.pcap", flow, errbuf);
	}
	return err;
}

int main(int argc, char **argv)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_model *model;
	struct pronet_dataset_writer *w = NULL;
	enum pronet_err err;

	if (argc != 3) {
		fprintf(stderr, "usage: make_explain_fixture MODEL DATASET\n");
		return 2;
	}
	model = explain_fixture_model(errbuf);
	err = model == NULL ? PRONET_ERR_ARG : pronet_model_save(model, argv[1], errbuf);
	pronet_model_free(model);
	if (err == PRONET_OK)
		err = pronet_dataset_writer_open(argv[2], &w, errbuf);
	for (uint64_t f = 0; err == PRONET_OK && f < 2 * FLOWS; f++)
		err = write_flow(w, f < FLOWS ? "tls" : "other", f, f < FLOWS || f >= 2 * FLOWS - 2,
		                 errbuf);
	if (err == PRONET_OK)
		err = pronet_dataset_writer_close(w, errbuf);
	else
		pronet_dataset_writer_abort(w);
	if (err != PRONET_OK) {
		fprintf(stderr, "make_explain_fixture: %s\n", errbuf);
		return 1;
	}
	return 0;
}
