/* The dissector pronet adds to nDPI's callback tables, in the shape of
 * nDPI's own (ndpi_search_<proto> + registration through
 * ndpi_set_bitmask_protocol_detection). It never names a flow. Its entry
 * gives the plugin a protocol ID and an exclusion bit in nDPI's tables, and
 * in hosts without the per-packet entry (plugin/packet_hook.c) it records
 * the first payload bytes of each direction while nDPI's dissectors are
 * still trying, for the give-up fallback (plugin/fallback.c) to classify.
 *
 * Appended after every built-in entry, it runs on a packet only when no
 * built-in dissector named the flow on that packet. It needs the module's
 * layout (NDPI_LIB_COMPILATION) to append to the tables, and refuses to run
 * when libndpi's API version, module size or flow size differs from the
 * headers'. */
#define NDPI_LIB_COMPILATION
#include "plugin/attachment.h"

#include <string.h>

#include "ndpi-glue/capture/decode.h"

#define TABLE_CAPACITY (NDPI_MAX_SUPPORTED_PROTOCOLS + 1)
/* TCP with payload (not a retransmission) and UDP, over IPv4 or IPv6. */
#define SELECTION                                                                                  \
	NDPI_SELECTION_BITMASK_PROTOCOL_V4_V6_TCP_OR_UDP_WITH_PAYLOAD_WITHOUT_RETRANSMISSION

static char dissector_label[] = PRONET_PLUGIN_DISSECTOR_NAME;

void pronet_dissector_library_layout(struct pronet_ndpi_layout *out)
{
	out->api_version = ndpi_get_api_version();
	out->module_size = ndpi_get_ndpi_detection_module_size();
	out->flow_size = ndpi_detection_get_sizeof_ndpi_flow_struct();
}

void pronet_dissector_compiled_layout(struct pronet_ndpi_layout *out)
{
	out->api_version = NDPI_API_VERSION;
	out->module_size = sizeof(struct ndpi_detection_module_struct);
	out->flow_size = SIZEOF_FLOW_STRUCT;
}

enum pronet_err pronet_dissector_check_layout(const struct pronet_ndpi_layout *library,
                                              const struct pronet_ndpi_layout *compiled,
                                              char *errbuf)
{
	if (library->api_version != compiled->api_version)
		return pronet_error(errbuf, PRONET_ERR_UNSUPPORTED,
		                    "libndpi's API version is %u, this plugin was built against %u "
		                    "(nDPI 4.2's headers): rebuild it against the libndpi in use",
		                    library->api_version, compiled->api_version);
	if (library->module_size != compiled->module_size)
		return pronet_error(errbuf, PRONET_ERR_UNSUPPORTED,
		                    "libndpi's detection module is %zu bytes, the headers this "
		                    "plugin was built with say %zu: rebuild it against the libndpi "
		                    "in use",
		                    library->module_size, compiled->module_size);
	if (library->flow_size != compiled->flow_size)
		return pronet_error(errbuf, PRONET_ERR_UNSUPPORTED,
		                    "libndpi's flow struct is %zu bytes, the headers this plugin "
		                    "and its engine allocate flows by say %zu: rebuild against the "
		                    "libndpi in use",
		                    library->flow_size, compiled->flow_size);
	return PRONET_OK;
}

int pronet_dissector_tables_ready(const struct ndpi_detection_module_struct *ndpi)
{
	return ndpi->callback_buffer_size > 0;
}

/* Called by nDPI for TCP payload and UDP packets of flows still Unknown.
 * A flow the per-packet entry records (pronet_plugin_process_packet) needs
 * nothing from here: the dissector excludes itself for it. Otherwise (a
 * host that only registered the plugin, the weaker mode of docs/plugin.md)
 * it records nDPI's current packet through the same decoder and input
 * builder; the initiator is then the source of the first packet nDPI
 * dispatches here, and retransmissions are those nDPI never dispatches. */
static void pronet_search(struct ndpi_detection_module_struct *ndpi, struct ndpi_flow_struct *flow)
{
	const struct ndpi_packet_struct *packet = &ndpi->packet;
	const struct pronet_attachment *a = pronet_attachment_find(ndpi);
	struct pronet_flow_store *store = pronet_attachment_store();
	const uint8_t *l3 =
	    packet->iph != NULL ? (const uint8_t *)packet->iph : (const uint8_t *)packet->iphv6;
	struct pronet_packet decoded;
	enum pronet_packet_skip skip;
	enum pronet_record_status status;

	if (a == NULL || store == NULL || l3 == NULL)
		return;
	if (pronet_decode_l3(l3, packet->l3_packet_len, packet->current_time_ms * 1000, &decoded,
	                     &skip) != PRONET_OK ||
	    skip != PRONET_SKIP_NONE)
		return;
	status = pronet_flow_store_record(store, flow, flow->num_processed_pkts,
	                                  PRONET_RECORD_FROM_DISSECTOR, &decoded,
	                                  a->packets_per_direction);
	/* With both directions recorded there is nothing left to do per packet;
	 * nDPI's own dissectors keep going. A flow that found the store full
	 * (counted as a miss by the store) is left too: recording from a later
	 * packet would give the model other inputs than training saw, and the
	 * flow is counted once. A flow the per-packet entry records needs
	 * nothing from here. */
	if (status == PRONET_RECORD_ALL_FULL || status == PRONET_RECORD_DECIDED ||
	    status == PRONET_RECORD_NO_SPACE || status == PRONET_RECORD_HOOKED)
		ndpi_exclude_protocol(ndpi, flow, a->dissector_protocol, __FILE__, __func__,
		                      __LINE__);
}

static int table_has(const struct ndpi_call_function_struct *table, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++)
		if (table[i].func == pronet_search)
			return 1;
	return 0;
}

enum pronet_err pronet_dissector_register(struct ndpi_detection_module_struct *ndpi,
                                          uint16_t protocol_id, char *errbuf)
{
	NDPI_PROTOCOL_BITMASK detection_bitmask;
	uint32_t idx = ndpi->callback_buffer_size;

	if (table_has(ndpi->callback_buffer, ndpi->callback_buffer_size))
		return PRONET_OK; /* idempotent per module */
	if (idx >= TABLE_CAPACITY || ndpi->callback_buffer_size_tcp_payload >= TABLE_CAPACITY ||
	    ndpi->callback_buffer_size_udp >= TABLE_CAPACITY)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "nDPI's dissector tables are full");
	NDPI_BITMASK_RESET(detection_bitmask);
	NDPI_ADD_PROTOCOL_TO_BITMASK(detection_bitmask, protocol_id);
	ndpi_set_bitmask_protocol_detection(dissector_label, ndpi, &detection_bitmask, idx,
	                                    protocol_id, pronet_search, SELECTION, 1, 1);
	ndpi->callback_buffer_size++;
	/* What ndpi_set_protocol_detection_bitmask2 does for each built-in
	 * entry: copy it into the per-L4 tables its selection bitmask names. */
	ndpi->callback_buffer_tcp_payload[ndpi->callback_buffer_size_tcp_payload++] =
	    ndpi->callback_buffer[idx];
	ndpi->callback_buffer_udp[ndpi->callback_buffer_size_udp++] = ndpi->callback_buffer[idx];
	return PRONET_OK;
}

/* Removes our entry from one table, keeping the order of the others. */
static void table_remove(struct ndpi_call_function_struct *table, uint32_t *size)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < *size; i++)
		if (table[i].func != pronet_search)
			table[kept++] = table[i];
	*size = kept;
}

void pronet_dissector_unregister(struct ndpi_detection_module_struct *ndpi)
{
	uint32_t idx;

	for (idx = 0; idx < ndpi->callback_buffer_size; idx++)
		if (ndpi->callback_buffer[idx].func == pronet_search)
			break;
	if (idx == ndpi->callback_buffer_size)
		return;
	ndpi->proto_defaults[ndpi->callback_buffer[idx].ndpi_protocol_id].func = NULL;
	ndpi->proto_defaults[ndpi->callback_buffer[idx].ndpi_protocol_id].protoIdx = 0;
	/* Entries after ours move down one: keep their protoIdx right. */
	for (uint32_t i = idx + 1; i < ndpi->callback_buffer_size; i++)
		ndpi->proto_defaults[ndpi->callback_buffer[i].ndpi_protocol_id].protoIdx--;
	table_remove(ndpi->callback_buffer, &ndpi->callback_buffer_size);
	table_remove(ndpi->callback_buffer_tcp_payload, &ndpi->callback_buffer_size_tcp_payload);
	table_remove(ndpi->callback_buffer_udp, &ndpi->callback_buffer_size_udp);
}
