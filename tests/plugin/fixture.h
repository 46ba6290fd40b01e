/* Shared by the plugin's tests: fresh nDPI modules, crafted IPv4 packets fed
 * through ndpi_detection_process_packet, and small untrained models. */
#ifndef PRONET_TESTS_PLUGIN_FIXTURE_H
#define PRONET_TESTS_PLUGIN_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <ndpi_api.h>

#include "core/model/model.h"

#define TEST_TCP_SYN 0x02
#define TEST_TCP_PSH_ACK 0x18
#define TEST_TCP_ACK 0x10
#define TEST_TCP_SYN_ACK 0x12

/* A module after ndpi_set_protocol_detection_bitmask2 with every protocol,
 * not yet finalized. */
struct ndpi_detection_module_struct *fixture_module_new(void);
void fixture_module_free(struct ndpi_detection_module_struct *ndpi);
struct ndpi_flow_struct *fixture_flow_new(void);
/* Forgets the plugin's state and frees the flow. */
void fixture_flow_free(struct ndpi_flow_struct *flow);

/* A model with random (seeded) weights and these class names. */
struct pronet_model *fixture_model_new(const char *const *names, size_t num_classes, uint64_t seed);

/* One UDP/IPv4 packet from src:sport to dst:dport through nDPI. */
ndpi_protocol fixture_udp(struct ndpi_detection_module_struct *ndpi, struct ndpi_flow_struct *flow,
                          uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                          const void *payload, size_t length);
/* The same through the plugin's per-packet entry
 * (pronet_plugin_process_packet), as `pronet classify` and the LD_PRELOAD
 * shim hand packets to nDPI. */
ndpi_protocol fixture_udp_hooked(struct ndpi_detection_module_struct *ndpi,
                                 struct ndpi_flow_struct *flow, uint32_t src, uint16_t sport,
                                 uint32_t dst, uint16_t dport, const void *payload, size_t length);
/* One TCP/IPv4 segment. */
ndpi_protocol fixture_tcp(struct ndpi_detection_module_struct *ndpi, struct ndpi_flow_struct *flow,
                          uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t flags,
                          uint32_t seq, uint32_t ack, const void *payload, size_t length);

/* A UDP payload no nDPI 4.2 dissector names (checked by the tests). */
extern const uint8_t fixture_opaque_payload[24];
extern const uint8_t fixture_random_payload[24];
/* A DNS query for example.com, type A. */
extern const uint8_t fixture_dns_query[29];

/* Gives up through `ndpi` with protocol guessing on, as ndpiReader does, via
 * pronet_plugin_detection_giveup (the fallback included). */
ndpi_protocol fixture_giveup(struct ndpi_detection_module_struct *ndpi,
                             struct ndpi_flow_struct *flow);

#endif
