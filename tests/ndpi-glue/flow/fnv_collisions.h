/* Packets crafted to collide under the flow table's old hash: unkeyed
 * FNV-1a over the normalised 40-byte key, masked to a power of two. This
 * is the attacker's side of the collision flood that the keyed hash
 * answers: tests/ndpi-glue/flow/test_flow_table.c checks such flows spread, and
 * tests/ndpi-glue/flow/bench_flow_table.c times them. */
#ifndef PRONET_TESTS_FNV_COLLISIONS_H
#define PRONET_TESTS_FNV_COLLISIONS_H

#include <stddef.h>

#include "ndpi-glue/capture/packet.h"

/* The old bucket of `packet` in a table of 2^mask_bits buckets. */
unsigned pronet_test_fnv_bucket(const struct pronet_packet *packet, unsigned mask_bits);

/* Writes `count` UDP/IPv4 packets of distinct flows, 10.x.y.z:PORT ->
 * 192.0.2.1:40000 at time `timestamp_us`, all in old bucket 0 of a table of
 * 2^mask_bits buckets (mask_bits 1..16). Returns how many it wrote: `count`
 * unless the address space ran out. */
size_t pronet_test_fnv_colliding_packets(unsigned mask_bits, uint64_t timestamp_us,
                                         struct pronet_packet *out, size_t count);

#endif
