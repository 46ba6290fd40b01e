/* libFuzzer harness: the plugin's dissector entry (plugin/dissector.c) and
 * the give-up fallback (plugin/fallback.c), reached the way a host reaches
 * them: arbitrary payloads in crafted IPv4 packets through
 * ndpi_detection_process_packet on a module with the plugin attached, then
 * ndpi_detection_giveup via pronet_plugin_detection_giveup.
 *
 * Input: byte 0: bit 0 TCP (else UDP), bit 1 open a TCP flow with a
 * handshake first; bytes 1-2 and 3-4: client and server port (big-endian).
 * Then up to MAX_PACKETS records: one byte (bit 7: server to client, bits
 * 0-6: payload length), then that many payload bytes (fewer if the input
 * ends). The model is untrained (seeded) and the threshold 0, so every flow
 * nDPI leaves Unknown is labelled: the labelling path runs on every input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "plugin/pronet_plugin.h"
#include "tests/plugin/fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PACKETS 24
#define CLIENT 0x0a000001u /* 10.0.0.1 */
#define SERVER 0x0a000002u /* 10.0.0.2 */

static const char *const class_names[] = {"PronetFuzzAlpha", "PronetFuzzBeta", "DNS"};

/* One module for the whole run, as a host keeps one: built on first use. */
static struct ndpi_detection_module_struct *module_get(void)
{
	static struct ndpi_detection_module_struct *ndpi;
	static struct pronet_model *model;
	struct pronet_plugin_options options;
	char errbuf[PRONET_ERRBUF_SIZE];

	if (ndpi != NULL)
		return ndpi;
	ndpi = fixture_module_new();
	model = fixture_model_new(class_names, 3, 11);
	if (ndpi == NULL || model == NULL)
		abort();
	pronet_plugin_options_default(&options);
	options.threshold = 0.0f;
	options.packets_per_direction = 2;
	if (pronet_plugin_attach(ndpi, model, &options, errbuf) != PRONET_OK)
		abort();
	ndpi_finalize_initialization(ndpi);
	return ndpi;
}

struct tcp_state {
	uint32_t seq[2]; /* next sequence number per direction */
};

static void send_packet(struct ndpi_detection_module_struct *ndpi, struct ndpi_flow_struct *flow,
                        int tcp, struct tcp_state *state, int reply, uint16_t client_port,
                        uint16_t server_port, uint8_t flags, const uint8_t *payload, size_t length)
{
	uint32_t src = reply ? SERVER : CLIENT, dst = reply ? CLIENT : SERVER;
	uint16_t sport = reply ? server_port : client_port;
	uint16_t dport = reply ? client_port : server_port;

	if (!tcp) {
		fixture_udp(ndpi, flow, src, sport, dst, dport, payload, length);
		return;
	}
	fixture_tcp(ndpi, flow, src, sport, dst, dport, flags, state->seq[reply],
	            state->seq[!reply], payload, length);
	state->seq[reply] += (uint32_t)length + ((flags & TEST_TCP_SYN) ? 1u : 0u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndpi_detection_module_struct *ndpi = module_get();
	struct tcp_state state = {{1000, 5000}};
	struct pronet_plugin_result result;
	struct ndpi_flow_struct *flow;

	if (size < 5)
		return 0;
	int tcp = data[0] & 1;
	uint16_t client_port = (uint16_t)(data[1] << 8 | data[2]);
	uint16_t server_port = (uint16_t)(data[3] << 8 | data[4]);
	flow = fixture_flow_new();
	if (flow == NULL)
		return 0;
	if (tcp && (data[0] & 2)) {
		send_packet(ndpi, flow, 1, &state, 0, client_port, server_port, TEST_TCP_SYN, NULL,
		            0);
		send_packet(ndpi, flow, 1, &state, 1, client_port, server_port, TEST_TCP_SYN_ACK,
		            NULL, 0);
		send_packet(ndpi, flow, 1, &state, 0, client_port, server_port, TEST_TCP_ACK, NULL,
		            0);
	}
	size_t offset = 5;
	for (int i = 0; i < MAX_PACKETS && offset < size; i++) {
		int reply = data[offset] >> 7;
		size_t length = data[offset] & 0x7fu;
		offset++;
		if (length > size - offset)
			length = size - offset;
		send_packet(ndpi, flow, tcp, &state, reply, client_port, server_port,
		            TEST_TCP_PSH_ACK, data + offset, length);
		offset += length;
	}
	(void)fixture_giveup(ndpi, flow);
	(void)pronet_plugin_flow_result(flow, &result);
	fixture_flow_free(flow);
	/* Every flow's state is forgotten: the pool must not fill up. */
	if (pronet_plugin_flows_in_use() != 0)
		abort();
	return 0;
}
