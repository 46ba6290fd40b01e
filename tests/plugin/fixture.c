#include "tests/plugin/fixture.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/pronet_plugin.h"
#include "tests/packet_bytes.h"

/* "PQZX" ...: a made-up header (magic, version, zero padding, a length, a
 * text tag) that starts no known protocol's, and is structured: bytes that
 * look uniformly random abstain below PRONET_RANDOM_FLOOR whatever the
 * threshold (fixture_random_payload). */
const uint8_t fixture_opaque_payload[24] = {
    'P', 'Q', 'Z', 'X', 0x00, 0x01, 0x00, 0x00, 0x00, 0x18, 'o',  'p',
    'a', 'q', 'u', 'e', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
};

/* Ciphertext-like: every nibble value about equally often, no structure. */
const uint8_t fixture_random_payload[24] = {
    0x3b, 0xe1, 0x96, 0x0f, 0x7a, 0xc4, 0x58, 0xd2, 0x21, 0x8e, 0xb7, 0x4d,
    0xf0, 0x65, 0x1c, 0xa9, 0x83, 0x2e, 0xdb, 0x47, 0x9c, 0x10, 0x6f, 0xb5,
};

/* DNS: id 0x1234, RD, 1 question: example.com A IN. */
const uint8_t fixture_dns_query[29] = PACKET_DNS_QUERY;

struct ndpi_detection_module_struct *fixture_module_new(void)
{
	struct ndpi_detection_module_struct *ndpi = ndpi_init_detection_module(ndpi_no_prefs);
	NDPI_PROTOCOL_BITMASK all;

	if (ndpi == NULL)
		return NULL;
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(ndpi, &all);
	return ndpi;
}

void fixture_module_free(struct ndpi_detection_module_struct *ndpi)
{
	if (ndpi == NULL)
		return;
	if (pronet_plugin_is_attached(ndpi))
		pronet_plugin_detach(ndpi);
	ndpi_exit_detection_module(ndpi);
}

struct ndpi_flow_struct *fixture_flow_new(void)
{
	return calloc(1, SIZEOF_FLOW_STRUCT);
}

void fixture_flow_free(struct ndpi_flow_struct *flow)
{
	pronet_plugin_flow_forget(flow);
	ndpi_free_flow(flow);
}

struct pronet_model *fixture_model_new(const char *const *names, size_t num_classes, uint64_t seed)
{
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_cnn_config_default(&config);
	config.embed_dim = 8;
	config.filters = 4;
	if (pronet_model_new_cnn(&config, names, num_classes, seed, &model, errbuf) != PRONET_OK)
		return NULL;
	return model;
}

/* The UDP/IPv4 packet of fixture_udp into packet[1500]; its length. */
static size_t put_udp(uint8_t *packet, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                      const void *payload, size_t length)
{
	size_t total = 20 + 8 + length;

	packet_put_ipv4(packet, IPPROTO_UDP, total, src, dst);
	packet_put16(packet + 20, sport);
	packet_put16(packet + 22, dport);
	packet_put16(packet + 24, (uint16_t)(8 + length));
	packet_put16(packet + 26, 0);
	memcpy(packet + 28, payload, length);
	return total;
}

ndpi_protocol fixture_udp(struct ndpi_detection_module_struct *ndpi, struct ndpi_flow_struct *flow,
                          uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                          const void *payload, size_t length)
{
	uint8_t packet[1500];
	size_t total = put_udp(packet, src, sport, dst, dport, payload, length);

	return ndpi_detection_process_packet(ndpi, flow, packet, (unsigned short)total, 1000);
}

ndpi_protocol fixture_udp_hooked(struct ndpi_detection_module_struct *ndpi,
                                 struct ndpi_flow_struct *flow, uint32_t src, uint16_t sport,
                                 uint32_t dst, uint16_t dport, const void *payload, size_t length)
{
	uint8_t packet[1500];
	size_t total = put_udp(packet, src, sport, dst, dport, payload, length);

	return pronet_plugin_process_packet(ndpi, flow, packet, (unsigned short)total, 1000);
}

ndpi_protocol fixture_tcp(struct ndpi_detection_module_struct *ndpi, struct ndpi_flow_struct *flow,
                          uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t flags,
                          uint32_t seq, uint32_t ack, const void *payload, size_t length)
{
	uint8_t packet[1500];
	size_t total = 20 + 20 + length;

	packet_put_ipv4(packet, IPPROTO_TCP, total, src, dst);
	memset(packet + 20, 0, 20);
	packet_put16(packet + 20, sport);
	packet_put16(packet + 22, dport);
	packet_put32(packet + 24, seq);
	packet_put32(packet + 28, ack);
	packet[32] = 5 << 4; /* data offset: 20 bytes */
	packet[33] = flags;
	packet_put16(packet + 34, 65535);
	if (length > 0)
		memcpy(packet + 40, payload, length);
	return ndpi_detection_process_packet(ndpi, flow, packet, (unsigned short)total, 1000);
}

ndpi_protocol fixture_giveup(struct ndpi_detection_module_struct *ndpi,
                             struct ndpi_flow_struct *flow)
{
	u_int8_t guessed = 0;

	return pronet_plugin_detection_giveup(ndpi, flow, 1, &guessed);
}
