/* The nDPI engine: decoded packets -> flows (ndpi-glue/flow/flow_table.h) -> nDPI
 * 4.2, with a report per flow when it ends.
 *
 * It drives nDPI the way ndpiReader 4.2 does (example/reader_util.c,
 * packet_processing()), so that its verdicts can be compared with
 * ndpiReader's on the same capture:
 *   - setup: ndpi_init_detection_module, every protocol in
 *     ndpi_set_protocol_detection_bitmask2, the optional protos file
 *     (ndpi_load_protocols_file, like `ndpiReader -p`), then the caller's
 *     setup hook (the plugin attaches here), ndpi_finalize_initialization;
 *   - every packet of a flow goes to ndpi_detection_process_packet (IP
 *     header on, time in ms, never going backwards) until the flow is done:
 *     an application protocol was found and no extra dissection is possible,
 *     or the flow passed max_tcp_packets / max_udp_packets packets (80 / 24);
 *     a flow that is done while still Unknown goes through the give-up
 *     function right then;
 *   - a flow that ends (idle, active, evicted, end of input) before it was
 *     done goes through the give-up function, then is reported;
 *   - a flow nDPI has no memory for when it starts (ndpi_flow_malloc fails)
 *     is never shown to nDPI, is reported all the same (Unknown, no nDPI
 *     state, ndpi_flow NULL) and counted in stats.uninspected.
 * Like ndpiReader it drops packets the capture cut short of their IP length
 * and non-first fragments, and keeps flows of IP protocols other than TCP
 * and UDP (ICMP...) with ports 0.
 *
 * The give-up function is ndpi_detection_giveup unless the caller passes
 * another (pronet's fallback: ndpi_detection_giveup, then the model); the
 * same for ndpi_detection_process_packet (pronet's per-packet entry). */
#ifndef PRONET_GLUE_NDPI_ENGINE_H
#define PRONET_GLUE_NDPI_ENGINE_H

#include <stdint.h>

#include <ndpi_api.h>

#include "core/util/error.h"
#include "ndpi-glue/capture/capture.h"
#include "ndpi-glue/flow/flow.h"
#include "ndpi-glue/flow/flow_table.h"
#include "ndpi-glue/capture/packet.h"

/* Replaces ndpi_detection_giveup; same arguments plus the caller's pointer. */
typedef ndpi_protocol (*pronet_giveup_fn)(void *user, struct ndpi_detection_module_struct *ndpi,
                                          struct ndpi_flow_struct *flow, uint8_t enable_guess,
                                          uint8_t *protocol_was_guessed);

/* Replaces ndpi_detection_process_packet (pronet_plugin_process_packet, the
 * plugin's per-packet entry, records the packet first); same arguments plus
 * the caller's pointer. */
typedef ndpi_protocol (*pronet_process_packet_fn)(void *user,
                                                  struct ndpi_detection_module_struct *ndpi,
                                                  struct ndpi_flow_struct *flow,
                                                  const unsigned char *packet,
                                                  unsigned short length, uint64_t time_ms);

/* Runs after ndpi_set_protocol_detection_bitmask2 and the protos file,
 * before ndpi_finalize_initialization. An error fails the engine's creation. */
typedef enum pronet_err (*pronet_ndpi_setup_fn)(void *user,
                                                struct ndpi_detection_module_struct *ndpi,
                                                char *errbuf);

/* When a report is made: the flow's end (options.report), or, for the
 * optional options.progress hook, one of the moments nDPId reports a flow
 * (its flow events new, detected, guessed / not-detected). */
enum pronet_flow_stage {
	PRONET_FLOW_STAGE_END = 0,  /* the flow ended (end_reason) */
	PRONET_FLOW_STAGE_NEW,      /* its first packet, before nDPI saw it */
	PRONET_FLOW_STAGE_DETECTED, /* nDPI's DPI first named a protocol */
	PRONET_FLOW_STAGE_GAVE_UP,  /* the give-up function ran on a flow DPI had not
	                               named (guessed says how) */
};

/* What nDPI decided for one flow, delivered when the flow ends (and, with
 * options.progress, at the stages above). Pointers are valid during the
 * callback only. */
struct pronet_flow_report {
	const struct pronet_flow *flow; /* key, client side, times, counts, inputs */
	enum pronet_flow_end_reason end_reason;
	ndpi_protocol protocol;  /* master, app, category */
	const char *master_name; /* ndpi_get_proto_name; "Unknown" for 0 */
	const char *app_name;
	char name[64]; /* "Master.App" or "App", as ndpiReader prints it */
	const char *category_name;
	ndpi_confidence_t confidence; /* how nDPI decided (DPI, match by port...) */
	const char *confidence_name;
	uint8_t gave_up;                    /* the give-up function ran for this flow */
	uint8_t guessed;                    /* ...and said it guessed */
	uint32_t ndpi_packets;              /* packets handed to ndpi_detection_process_packet */
	struct ndpi_flow_struct *ndpi_flow; /* NULL: not inspected (no memory) */
	enum pronet_flow_stage stage;
	uint64_t packets_seen; /* packets offered to the engine so far (stats.packets) */
	uint64_t now_us;       /* the engine's clock: its latest packet's capture time */
};

typedef void (*pronet_flow_report_fn)(void *user, const struct pronet_flow_report *report);

struct pronet_ndpi_engine_options {
	struct pronet_flow_table_options flows;
	const char *protos_file;      /* NULL: none */
	uint32_t max_tcp_packets;     /* ndpiReader's defaults: 80 */
	uint32_t max_udp_packets;     /* 24 */
	uint8_t enable_guess;         /* guess by port/IP at give-up (ndpiReader: on) */
	uint8_t keep_snapped;         /* 1: also use packets cut short of their IP length */
	uint8_t keep_other_protocols; /* 1 (default): ICMP etc. make flows too */
	unsigned int decode_options;  /* PRONET_DECODE_* (ndpi-glue/capture/decode.h) */
	pronet_ndpi_setup_fn setup;
	void *setup_user;
	pronet_giveup_fn giveup; /* NULL: ndpi_detection_giveup */
	void *giveup_user;
	pronet_process_packet_fn process_packet; /* NULL: ndpi_detection_process_packet */
	void *process_packet_user;
	pronet_flow_report_fn report; /* required */
	void *report_user;
	/* Optional (NULL: none): the stages before the end, with report_user.
	 * A flow nDPI never saw (no memory) has only NEW. */
	pronet_flow_report_fn progress;
};

void pronet_ndpi_engine_options_default(struct pronet_ndpi_engine_options *options);

struct pronet_ndpi_engine_stats {
	uint64_t packets; /* offered to the engine */
	uint64_t decoded; /* went to a flow */
	uint64_t skipped[PRONET_SKIP_COUNT_];
	uint64_t snapped; /* dropped: cut short of their IP length */
	uint64_t refused; /* dropped: flow table full and refusing */
	uint64_t ndpi_packets;
	uint64_t flows; /* every flow, each reported once when it ends */
	uint64_t evictions;
	uint64_t gave_up;
	uint64_t uninspected; /* flows nDPI had no memory for: reported Unknown */
	/* frames whose capture time was before 1970 or absurdly late, taken as
	 * 0 or the latest time (struct pronet_raw_packet.timestamp_clamped) */
	uint64_t clamped_times;
	/* packets of more than 65,535 bytes of IP (IPv6: a 40-byte header and
	 * a 65,535-byte payload, captured with a snaplen past 65,535), whose
	 * first 65,535 bytes went to nDPI: its length argument is 16 bits */
	uint64_t clamped_lengths;
};

struct pronet_ndpi_engine;

enum pronet_err pronet_ndpi_engine_new(const struct pronet_ndpi_engine_options *options,
                                       struct pronet_ndpi_engine **out, char *errbuf);
/* Frees the engine; flows still open are dropped unreported (finish first). */
void pronet_ndpi_engine_free(struct pronet_ndpi_engine *engine);

/* One decoded packet; `skip` is what the decoder said about it. */
void pronet_ndpi_engine_process_packet(struct pronet_ndpi_engine *engine,
                                       const struct pronet_packet *packet,
                                       enum pronet_packet_skip skip);
/* One captured frame of link type `dlt`: decodes it, then as above. */
enum pronet_err pronet_ndpi_engine_process_frame(struct pronet_ndpi_engine *engine, int dlt,
                                                 const struct pronet_raw_packet *frame);
/* A frame decoded elsewhere (pronet_decode_packet_with under the engine's
 * decode_options): as pronet_ndpi_engine_process_frame after its decoding;
 * `timestamp_clamped` is the frame's (struct pronet_raw_packet).
 * `key_hash`, if not NULL, is the flow table's hash of the packet's flow key
 * (pronet_flow_key_hash under options.flows.hash_key, as a reader that
 * hashed the key to pick an engine has it: pronet_flow_table_update_hashed),
 * so that the key is hashed once; NULL: the table hashes it. */
void pronet_ndpi_engine_process_decoded(struct pronet_ndpi_engine *engine,
                                        const struct pronet_packet *packet,
                                        enum pronet_packet_skip skip, int timestamp_clamped,
                                        const uint32_t *key_hash);
/* Reads a whole capture file through the engine (flows stay open). */
enum pronet_err pronet_ndpi_engine_process_file(struct pronet_ndpi_engine *engine, const char *path,
                                                char *errbuf);

/* Ends flows idle or active past `now_us` (capture time). */
void pronet_ndpi_engine_expire(struct pronet_ndpi_engine *engine, uint64_t now_us);
/* End of input: gives up on and reports every open flow. */
void pronet_ndpi_engine_finish(struct pronet_ndpi_engine *engine);

void pronet_ndpi_engine_get_stats(const struct pronet_ndpi_engine *engine,
                                  struct pronet_ndpi_engine_stats *out);
struct ndpi_detection_module_struct *pronet_ndpi_engine_module(struct pronet_ndpi_engine *engine);

/* Writes end `side` (0 or 1) of a flow key as ndpiReader prints it:
 * "a.b.c.d:port" or "[v6]:port". `size` >= PRONET_FLOW_END_SIZE fits any. */
#define PRONET_FLOW_END_SIZE 64
void pronet_flow_format_end(const struct pronet_flow_key *key, int side, char *out, size_t size);

#endif
