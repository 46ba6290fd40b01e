/* The per-packet entry (pronet_plugin_process_packet, plugin/pronet_plugin.h):
 * every packet a host hands nDPI is first decoded with ndpi-glue's decoder
 * and offered to the flow's input builder (ndpi-glue/flow/input_builder.h), the
 * one `pronet label`'s flow table uses, then goes to nDPI. So the plugin
 * sees the flow's first packet (its initiator: a TCP SYN, or a server's
 * first message), every direction by (address, port), and the TCP
 * retransmissions the builder skips, exactly as training did.
 *
 * The flow's endpoints the builder keeps are in the flow store from the
 * first packet on (pronet_plugin_flow_endpoints); what the host's nDPI call
 * returns is available right after it, in pronet_plugin_hook_packet, which
 * feeds the module's endpoint evidence (plugin/endpoint_evidence.h) with it:
 * a flow nDPI's DPI names enters its ends once; a flow nDPI has not named
 * links its ends to what DPI named on the other ends, at each packet until
 * a link is cast. */
#include "plugin/attachment.h"
#include "plugin/pronet_plugin.h"

#include "ndpi-glue/capture/decode.h"

/* Depth of pronet_plugin_hook_packet on this thread: in pronet_ndpi.so,
 * pronet_plugin_process_packet's call of ndpi_detection_process_packet
 * reaches the LD_PRELOAD shim's, which hooks again; the packet is recorded
 * by the outer call only. */
static __thread unsigned hook_depth;

static void record_packet(struct ndpi_detection_module_struct *ndpi, struct ndpi_flow_struct *flow,
                          const unsigned char *l3, unsigned short length, uint64_t time_ms)
{
	const struct pronet_attachment *a = pronet_attachment_find(ndpi);
	struct pronet_flow_store *store = pronet_attachment_store();
	struct pronet_packet packet;
	enum pronet_packet_skip skip;
	enum pronet_record_status status;

	if (a == NULL || store == NULL || flow == NULL || l3 == NULL)
		return;
	if (pronet_decode_l3(l3, length, time_ms * 1000, &packet, &skip) != PRONET_OK ||
	    skip != PRONET_SKIP_NONE)
		return;
	/* Before nDPI's call: num_processed_pkts is the count of the flow's
	 * earlier packets, which only grows during the flow's life (0: the
	 * flow's first packet). */
	status =
	    pronet_flow_store_record(store, flow, flow->num_processed_pkts, PRONET_RECORD_FROM_HOOK,
	                             &packet, a->packets_per_direction);
	/* A flow the hook cannot record from its first packet (no space then,
	 * or attached mid-flow) is not recorded by the dissector either: its
	 * inputs would not be the ones training saw. */
	if (status == PRONET_RECORD_NO_SPACE || status == PRONET_RECORD_LATE)
		ndpi_exclude_protocol(ndpi, flow, a->dissector_protocol, __FILE__, __func__,
		                      __LINE__);
}

/* After nDPI's call on a packet of a flow the store records: the flow's part
 * in the module's endpoint evidence. Only a signature match (confidence
 * DPI) names an endpoint: never a port or IP guess, nDPI's caches, nor
 * pronet's own verdicts (confidence DPI_CACHE or UNKNOWN, set by the
 * fallback), which would spread the fallback's mistakes. */
static void feed_evidence(struct ndpi_detection_module_struct *ndpi, struct ndpi_flow_struct *flow,
                          ndpi_protocol result)
{
	const struct pronet_attachment *a = pronet_attachment_find(ndpi);
	struct pronet_flow_store *store = pronet_attachment_store();
	struct pronet_flow_endpoints endpoints;
	struct pronet_endpoint ends[2];
	unsigned marks;
	int named = result.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
	            result.master_protocol != NDPI_PROTOCOL_UNKNOWN;

	if (a == NULL || a->evidence == NULL || store == NULL || flow == NULL)
		return;
	if (named && flow->confidence != NDPI_CONFIDENCE_DPI)
		return;
	if (!pronet_flow_store_evidence_view(store, flow, &endpoints, &marks))
		return; /* not recorded from its first packet: its ends are not known */
	pronet_endpoint_ends_of_flow(&endpoints, ends);
	if (named) {
		struct pronet_endpoint_protocol protocol = {result.master_protocol,
		                                            result.app_protocol};

		if (marks & PRONET_EVIDENCE_NAMED)
			return;
		pronet_endpoint_evidence_add_named(a->evidence, ends, protocol);
		pronet_flow_store_add_evidence_marks(store, flow, PRONET_EVIDENCE_NAMED);
	} else if (!(marks & PRONET_EVIDENCE_LINKED) &&
	           pronet_endpoint_evidence_link(a->evidence, ends) > 0) {
		pronet_flow_store_add_evidence_marks(store, flow, PRONET_EVIDENCE_LINKED);
	}
}

ndpi_protocol pronet_plugin_hook_packet(pronet_plugin_process_fn process,
                                        struct ndpi_detection_module_struct *ndpi,
                                        struct ndpi_flow_struct *flow, const unsigned char *packet,
                                        unsigned short length, uint64_t time_ms)
{
	ndpi_protocol result;

	unsigned outer = hook_depth == 0;

	if (outer)
		record_packet(ndpi, flow, packet, length, time_ms);
	hook_depth++;
	result = process(ndpi, flow, packet, length, time_ms);
	hook_depth--;
	if (outer)
		feed_evidence(ndpi, flow, result);
	return result;
}

ndpi_protocol pronet_plugin_process_packet(struct ndpi_detection_module_struct *ndpi,
                                           struct ndpi_flow_struct *flow,
                                           const unsigned char *packet, unsigned short length,
                                           u_int64_t time_ms)
{
	return pronet_plugin_hook_packet(ndpi_detection_process_packet, ndpi, flow, packet, length,
	                                 time_ms);
}

enum pronet_err pronet_plugin_flow_endpoints(const struct ndpi_flow_struct *flow,
                                             struct pronet_flow_endpoints *out)
{
	struct pronet_flow_store *store = pronet_attachment_store();

	if (out == NULL)
		return PRONET_ERR_ARG;
	if (flow == NULL || store == NULL || !pronet_flow_store_endpoints(store, flow, out))
		return PRONET_ERR_NOT_FOUND;
	return PRONET_OK;
}
