/* The LD_PRELOAD shim: pronet's dissector in an unmodified nDPI 4.2 host.
 *
 *   PRONET_MODEL=model.pronet LD_PRELOAD=pronet_ndpi.so ndpiReader -i capture.pcap
 *
 * Every nDPI host calls these entry points of libndpi, through the PLT (and
 * libndpi itself calls them through its PLT), so the shim sees them first:
 *   ndpi_set_protocol_detection_bitmask2  builds the dissector tables: we
 *                                         attach right after it
 *   ndpi_detection_process_packet         the per-packet entry: records the
 *                                         packet through the input builder
 *                                         (plugin/packet_hook.c), and marks
 *                                         "inside nDPI" so that its internal
 *                                         give-up is left alone
 *   ndpi_detection_giveup                 the host gives up: the fallback
 *   ndpi_free_flow_data                   every flow free ends here: forget
 *   ndpi_exit_detection_module            the module goes away: detach
 * The shim is the host here, so it alone prints, once, prefixed "pronet:".
 * It never takes the host down: on any setup error it disables itself and
 * the host runs as if it were not loaded. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "plugin/attachment.h"
#include "plugin/host.h"
#include "plugin/pronet_plugin.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

typedef void (*bitmask2_fn)(struct ndpi_detection_module_struct *, const NDPI_PROTOCOL_BITMASK *);
typedef ndpi_protocol (*process_packet_fn)(struct ndpi_detection_module_struct *,
                                           struct ndpi_flow_struct *, const unsigned char *,
                                           const unsigned short, const u_int64_t);
typedef ndpi_protocol (*giveup_fn)(struct ndpi_detection_module_struct *, struct ndpi_flow_struct *,
                                   u_int8_t, u_int8_t *);
typedef void (*free_flow_data_fn)(struct ndpi_flow_struct *);
typedef void (*exit_module_fn)(struct ndpi_detection_module_struct *);

static struct {
	bitmask2_fn bitmask2;
	process_packet_fn process_packet;
	giveup_fn giveup;
	free_flow_data_fn free_flow_data;
	exit_module_fn exit_module;
} real;

static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;
/* The environment is read on the first ndpi_set_protocol_detection_bitmask2
 * only: a host that dlopens the module never calls it through us. */
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static atomic_int enabled;
static atomic_flag reported = ATOMIC_FLAG_INIT;
/* Depth of ndpi_detection_process_packet on this thread. */
static __thread int inside_process_packet;

static void report_once(const char *message)
{
	if (!atomic_flag_test_and_set(&reported))
		fprintf(stderr, "pronet: %s; the plugin is disabled\n", message);
}

/* libndpi's definition of `name`: the next one after us when preloaded; the
 * global one when a host dlopened us (never our own, which would recurse). */
static void *next_definition(const char *name, void *ours)
{
	void *found = dlsym(RTLD_NEXT, name);

	if (found == NULL || found == ours) {
		found = dlsym(RTLD_DEFAULT, name);
		if (found == ours)
			found = NULL;
	}
	return found;
}

static void resolve_real(void)
{
	real.bitmask2 = (bitmask2_fn)next_definition("ndpi_set_protocol_detection_bitmask2",
	                                             (void *)ndpi_set_protocol_detection_bitmask2);
	real.process_packet = (process_packet_fn)next_definition(
	    "ndpi_detection_process_packet", (void *)ndpi_detection_process_packet);
	real.giveup =
	    (giveup_fn)next_definition("ndpi_detection_giveup", (void *)ndpi_detection_giveup);
	real.free_flow_data =
	    (free_flow_data_fn)next_definition("ndpi_free_flow_data", (void *)ndpi_free_flow_data);
	real.exit_module = (exit_module_fn)next_definition("ndpi_exit_detection_module",
	                                                   (void *)ndpi_exit_detection_module);
}

static void setup(void)
{
	struct pronet_plugin_config config;
	char errbuf[PRONET_ERRBUF_SIZE];

	pthread_once(&resolve_once, resolve_real);
	if (!real.bitmask2 || !real.process_packet || !real.giveup || !real.free_flow_data ||
	    !real.exit_module) {
		report_once("libndpi's entry points were not found");
		return;
	}
	if (pronet_host_config_from_env(&config, errbuf) != PRONET_OK ||
	    pronet_host_load(&config, errbuf) != PRONET_OK) {
		report_once(errbuf);
		return;
	}
	atomic_store(&enabled, 1);
}

void ndpi_set_protocol_detection_bitmask2(struct ndpi_detection_module_struct *ndpi,
                                          const NDPI_PROTOCOL_BITMASK *dbm)
{
	char errbuf[PRONET_ERRBUF_SIZE];

	pthread_once(&setup_once, setup);
	if (real.bitmask2 == NULL)
		return; /* no libndpi behind us: nothing we could do */
	real.bitmask2(ndpi, dbm);
	if (atomic_load(&enabled) && pronet_host_attach(ndpi, errbuf) != PRONET_OK) {
		atomic_store(&enabled, 0);
		report_once(errbuf);
	}
}

ndpi_protocol ndpi_detection_process_packet(struct ndpi_detection_module_struct *ndpi,
                                            struct ndpi_flow_struct *flow,
                                            const unsigned char *packet,
                                            const unsigned short length, const u_int64_t time_ms)
{
	ndpi_protocol result;

	pthread_once(&resolve_once, resolve_real);
	if (real.process_packet == NULL) {
		ndpi_protocol none = NDPI_PROTOCOL_NULL;
		return none;
	}
	inside_process_packet++;
	result =
	    pronet_plugin_hook_packet(real.process_packet, ndpi, flow, packet, length, time_ms);
	inside_process_packet--;
	return result;
}

ndpi_protocol ndpi_detection_giveup(struct ndpi_detection_module_struct *ndpi,
                                    struct ndpi_flow_struct *flow, u_int8_t enable_guess,
                                    u_int8_t *protocol_was_guessed)
{
	ndpi_protocol result;

	pthread_once(&resolve_once, resolve_real);
	if (real.giveup == NULL) {
		ndpi_protocol none = NDPI_PROTOCOL_NULL;
		return none;
	}
	result = real.giveup(ndpi, flow, enable_guess, protocol_was_guessed);
	/* libndpi gives up internally on a TCP flow whose first packet is not
	 * a SYN; its dissectors still run on later packets, so only the host's
	 * give-up is final. */
	if (inside_process_packet == 0 && atomic_load(&enabled))
		pronet_plugin_fallback(ndpi, flow, &result);
	return result;
}

void ndpi_free_flow_data(struct ndpi_flow_struct *flow)
{
	pthread_once(&resolve_once, resolve_real);
	pronet_plugin_flow_forget(flow);
	if (real.free_flow_data != NULL)
		real.free_flow_data(flow);
}

void ndpi_exit_detection_module(struct ndpi_detection_module_struct *ndpi)
{
	char errbuf[PRONET_ERRBUF_SIZE];

	pthread_once(&resolve_once, resolve_real);
	if (pronet_plugin_is_attached(ndpi))
		pronet_host_detach(ndpi, errbuf);
	if (real.exit_module != NULL)
		real.exit_module(ndpi);
}
