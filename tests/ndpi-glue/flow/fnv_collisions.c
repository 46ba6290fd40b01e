/* Collisions under unkeyed FNV-1a (tests/ndpi-glue/flow/fnv_collisions.h).
 *
 * FNV-1a is state = (state ^ byte) * P mod 2^32, and the low m bits of the
 * result depend only on the low m bits of the state and the byte, so the
 * bucket (the low m bits) can be steered with the last bytes the attacker
 * controls: the source port, bytes 36-37 of the key. For a fixed prefix
 * (the addresses), each of the 256 values of byte 36 leaves one value of
 * byte 37 that lands in the target bucket; it is a byte for about 2^8/2^m
 * of them (all of them when m <= 8). */
#include "tests/ndpi-glue/flow/fnv_collisions.h"

#include <netinet/in.h>
#include <string.h>

#include "ndpi-glue/flow/flow.h"

#define FNV_PRIME 16777619u
#define FNV_OFFSET 2166136261u
#define PORT_OFFSET 36 /* key.port[0]: the bytes we steer */

_Static_assert(sizeof(struct pronet_flow_key) == 40, "the key FNV-1a hashed is 40 bytes");
_Static_assert(offsetof(struct pronet_flow_key, port) == PORT_OFFSET, "port[0] at byte 36");

static uint32_t fnv(uint32_t state, const uint8_t *bytes, size_t length)
{
	for (size_t i = 0; i < length; i++)
		state = (state ^ bytes[i]) * FNV_PRIME;
	return state;
}

/* The inverse of FNV_PRIME mod 2^32 (Newton's iteration; each doubles the
 * correct low bits, five take 3 to 48). */
static uint32_t prime_inverse(void)
{
	uint32_t x = FNV_PRIME;
	for (int i = 0; i < 5; i++)
		x *= 2u - FNV_PRIME * x;
	return x;
}

static struct pronet_packet make_packet(uint32_t source, uint16_t source_port, uint64_t t)
{
	struct pronet_packet p;
	memset(&p, 0, sizeof(p));
	p.timestamp_us = t;
	p.ip_version = 4;
	p.l4_protocol = IPPROTO_UDP;
	p.src_addr[0] = 10;
	p.src_addr[1] = (uint8_t)(source >> 16);
	p.src_addr[2] = (uint8_t)(source >> 8);
	p.src_addr[3] = (uint8_t)source;
	p.dst_addr[0] = 192, p.dst_addr[1] = 0, p.dst_addr[2] = 2, p.dst_addr[3] = 1;
	p.src_port = source_port;
	p.dst_port = 40000;
	p.wire_length = 60;
	return p;
}

/* The normalised key of make_packet()'s packets: 10/8 sorts below
 * 192.0.2.1, so the source is side 0 (as ndpi-glue/flow/flow_table.c keys it). */
static struct pronet_flow_key make_key(const struct pronet_packet *p)
{
	struct pronet_flow_key key;
	memset(&key, 0, sizeof(key));
	key.ip_version = p->ip_version;
	key.l4_protocol = p->l4_protocol;
	key.vlan_id = p->vlan_id;
	memcpy(key.addr[0], p->src_addr, 4);
	memcpy(key.addr[1], p->dst_addr, 4);
	key.port[0] = p->src_port;
	key.port[1] = p->dst_port;
	return key;
}

unsigned pronet_test_fnv_bucket(const struct pronet_packet *packet, unsigned mask_bits)
{
	struct pronet_flow_key key = make_key(packet);
	return fnv(FNV_OFFSET, (const uint8_t *)&key, sizeof(key)) & ((1u << mask_bits) - 1);
}

size_t pronet_test_fnv_colliding_packets(unsigned mask_bits, uint64_t timestamp_us,
                                         struct pronet_packet *out, size_t count)
{
	const uint32_t mask = (1u << mask_bits) - 1, inverse = prime_inverse();
	size_t n = 0;
	for (uint32_t source = 1; source < (1u << 24) && n < count; source++) {
		struct pronet_packet p = make_packet(source, 0, timestamp_us);
		struct pronet_flow_key key = make_key(&p);
		const uint8_t *bytes = (const uint8_t *)&key;
		uint32_t prefix = fnv(FNV_OFFSET, bytes, PORT_OFFSET);
		/* The state needed after byte 37: bucket 0 run back through the
		 * suffix (bytes 38-39), then back through byte 37's multiply. */
		uint32_t want = 0;
		for (size_t i = sizeof(key); i-- > PORT_OFFSET + 2;)
			want = (want * inverse) ^ bytes[i];
		want *= inverse;
		for (uint32_t a = 0; a < 256 && n < count; a++) {
			uint32_t b = (((prefix ^ a) * FNV_PRIME) ^ want) & mask;
			if (b > 255)
				continue;
			uint8_t port_bytes[2] = {(uint8_t)a, (uint8_t)b};
			memcpy(&key.port[0], port_bytes, 2);
			out[n++] = make_packet(source, key.port[0], timestamp_us);
		}
	}
	return n;
}
