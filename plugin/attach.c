/* Attaching the plugin to nDPI modules: naming the model's classes in nDPI,
 * registering the dissector, and the registry that lets a callback without a
 * user pointer (nDPI's dissector signature) find its module's settings. */
#include "plugin/attachment.h"
#include "plugin/ndpi_undeclared.h"
#include "plugin/pronet_plugin.h"
#include "rules/rules_file.h"
#include "rules/thresholds.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_MODULES 256
#define MAX_CLASS_NAMES 4096
#define DEFAULT_PACKETS_PER_DIRECTION 4
#define DEFAULT_MAX_FLOWS 65536

/* The process-wide state nDPI forces on us (a dissector has no user
 * pointer), and its lifetime scheme. Readers - the dissector, the fallback,
 * pronet_plugin_flow_result/forget - take no lock; writers (attach, detach)
 * hold registry_lock. What a reader may hold is never freed while the
 * process runs, so no interleaving of threads can make it dangle:
 *   - flow_store: created by the first attach (sized by its max_flows), kept
 *     until the process exits; the last detach does not free it. Verdicts
 *     and recorded packets therefore outlive detach: a host may read a
 *     flow's result after detaching, and until it forgets the flow.
 *   - attachments: immutable once published in a slot. Re-attaching a
 *     module with the same settings keeps the published one (the LD_PRELOAD
 *     shim re-attaches on every ndpi_set_protocol_detection_bitmask2);
 *     with new settings a new one is published. The replaced one, and a
 *     detached module's, go to `retired`, which is never freed: a reader
 *     that loaded it a moment before still reads valid memory. Each is one
 *     small allocation (8 bytes a class), made once per attach that
 *     changes something. Its prediction workspace is freed when it is
 *     retired: only the fallback on its own module uses that, which never
 *     runs during the module's attach or detach (pronet_plugin.h).
 *   - endpoint evidence (plugin/endpoint_evidence.h): one table per module
 *     slot, made by the slot's first attach, kept until the process exits
 *     like the flow store, and emptied (not freed) when the slot goes to a
 *     module other than the one that fed it: nDPI's own caches are per
 *     module too, and a new module is another capture or network, whose
 *     addresses say nothing of the last one's. A re-attach of the same
 *     module keeps what it learnt. Bounded (its fixed tables evict) and
 *     lock-striped, like the store.
 *   - class_names: an append-only table of the classes' names; verdicts
 *     keep IDs into it, never pointers into a model the host may free.
 *   - models are borrowed: the caller keeps one alive while a module is
 *     attached with it (plugin/host.c defers its unload until the last such
 *     detach); after the detach nothing reads it.
 * All of it is reachable from these globals until exit, so leak checkers
 * count it as in use, not lost. */
struct slot {
	_Atomic(const struct ndpi_detection_module_struct *) ndpi;
	_Atomic(struct pronet_attachment *) attachment;
	struct pronet_endpoint_evidence *evidence; /* under registry_lock; NULL until used */
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[MAX_MODULES];
static atomic_size_t slots_used;
static _Atomic(struct pronet_flow_store *) flow_store;
static struct pronet_attachment *retired;
static char class_names[MAX_CLASS_NAMES][PRONET_CLASS_NAME_MAX];
static atomic_size_t num_class_names;

void pronet_plugin_options_default(struct pronet_plugin_options *options)
{
	memset(options, 0, sizeof(*options));
	options->threshold = PRONET_THRESHOLD_DEFAULT;
	options->packets_per_direction = DEFAULT_PACKETS_PER_DIRECTION;
	options->max_flows = DEFAULT_MAX_FLOWS;
}

const struct pronet_attachment *
pronet_attachment_find(const struct ndpi_detection_module_struct *ndpi)
{
	size_t used = atomic_load_explicit(&slots_used, memory_order_acquire);

	for (size_t i = 0; i < used; i++)
		if (atomic_load_explicit(&slots[i].ndpi, memory_order_acquire) == ndpi) {
			const struct pronet_attachment *a =
			    atomic_load_explicit(&slots[i].attachment, memory_order_acquire);

			/* The slot may have gone to another module in between. */
			return a != NULL && a->ndpi == ndpi ? a : NULL;
		}
	return NULL;
}

struct pronet_flow_store *pronet_attachment_store(void)
{
	return atomic_load_explicit(&flow_store, memory_order_acquire);
}

const char *pronet_attachment_class_name(uint16_t id)
{
	if (id >= atomic_load_explicit(&num_class_names, memory_order_acquire))
		return "";
	return class_names[id];
}

size_t pronet_attachment_count_model(const struct pronet_model *model)
{
	size_t count = 0, used;

	pthread_mutex_lock(&registry_lock);
	used = atomic_load(&slots_used);
	for (size_t i = 0; i < used; i++) {
		const struct pronet_attachment *a = atomic_load(&slots[i].attachment);

		count += a != NULL && a->model == model;
	}
	pthread_mutex_unlock(&registry_lock);
	return count;
}

/* Under registry_lock: the ID of `name` in class_names, added if new. */
static enum pronet_err intern_class_name(const char *name, uint16_t *id, char *errbuf)
{
	size_t count = atomic_load_explicit(&num_class_names, memory_order_relaxed);

	for (size_t i = 0; i < count; i++)
		if (strcmp(class_names[i], name) == 0) {
			*id = (uint16_t)i;
			return PRONET_OK;
		}
	if (count == MAX_CLASS_NAMES)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "plugin: more than %d distinct class names", MAX_CLASS_NAMES);
	snprintf(class_names[count], sizeof(class_names[count]), "%s", name);
	atomic_store_explicit(&num_class_names, count + 1, memory_order_release);
	*id = (uint16_t)count;
	return PRONET_OK;
}

int pronet_plugin_is_attached(const struct ndpi_detection_module_struct *ndpi)
{
	return ndpi != NULL && pronet_attachment_find(ndpi) != NULL;
}

/* nDPI's ID for `name` (built-in or custom, any case), or -1. Our own loop:
 * ndpi_get_protocol_id would pass a NULL name of an unused ID to strcasecmp. */
static int find_protocol(struct ndpi_detection_module_struct *ndpi, const char *name)
{
	u_int count = ndpi_get_num_supported_protocols(ndpi);

	for (u_int id = 1; id < count; id++) {
		const char *known = ndpi_get_proto_name(ndpi, (u_int16_t)id);

		/* An unused ID answers "Unknown", which no caller asks for. */
		if (known != NULL && strcasecmp(known, name) == 0)
			return (int)id;
	}
	return -1;
}

/* The ID nDPI knows `name` by, creating a custom protocol without any port
 * or host rule when it knows none (a port rule would bypass every dissector
 * for matching flows). */
static enum pronet_err ensure_protocol(struct ndpi_detection_module_struct *ndpi, const char *name,
                                       uint16_t *id, char *errbuf)
{
	char rule[PRONET_CLASS_NAME_MAX + 2];
	int found = find_protocol(ndpi, name);

	if (found < 0) {
		char why[128];

		if (!pronet_rules_check_protocol_name(name, strlen(name), why, sizeof(why)))
			return pronet_error(errbuf, PRONET_ERR_ARG, "protocol name '%s': %s", name,
			                    why);
		snprintf(rule, sizeof(rule), "@%s", name);
		if (ndpi_handle_rule(ndpi, rule, 1) != 0)
			return pronet_error(
			    errbuf, PRONET_ERR_NDPI,
			    "nDPI refused to create protocol '%s' (too many custom protocols?)",
			    name);
		found = find_protocol(ndpi, name);
		if (found < 0)
			return pronet_error(errbuf, PRONET_ERR_NDPI,
			                    "nDPI did not create protocol '%s'", name);
	}
	*id = (uint16_t)found;
	return PRONET_OK;
}

static enum pronet_err check_options(const struct pronet_plugin_options *options,
                                     const struct pronet_model *model, char *errbuf)
{
	size_t num_classes = pronet_model_num_classes(model);
	struct pronet_input_spec spec;
	unsigned most;

	/* Records without bytes are small: a model of sizes and times may
	 * see many packets of a flow (its windows). */
	pronet_model_input_spec(model, &spec);
	most = spec.window_bytes == 0 ? PRONET_PLUGIN_MAX_SIZE_PACKETS_PER_DIRECTION
	                              : PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION;
	if (!(options->threshold >= 0.0f && options->threshold <= 1.0f))
		return pronet_error(errbuf, PRONET_ERR_ARG, "threshold %g is not in [0, 1]",
		                    (double)options->threshold);
	if (options->packets_per_direction < 1 || options->packets_per_direction > most)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "packets per direction %u is not in 1..%u%s",
		                    options->packets_per_direction, most,
		                    spec.window_bytes == 0 ? ""
		                                           : " (1024 for a model that reads no "
		                                             "bytes)");
	if (options->max_flows < 1 || options->max_flows > PRONET_FLOW_STORE_MAX_CAPACITY)
		return pronet_error(errbuf, PRONET_ERR_ARG, "max flows %u is not in 1..%u",
		                    options->max_flows, PRONET_FLOW_STORE_MAX_CAPACITY);
	for (size_t c = 0; options->class_thresholds != NULL && c < num_classes; c++)
		if (options->class_thresholds[c] > 1.0f)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "class %zu: threshold %g above 1", c,
			                    (double)options->class_thresholds[c]);
	return PRONET_OK;
}

/* The protos file's names: custom protocols, never nDPI's own. */
static enum pronet_err create_custom_protocols(struct ndpi_detection_module_struct *ndpi,
                                               const struct pronet_plugin_options *options,
                                               char *errbuf)
{
	for (size_t i = 0; i < options->num_custom_protocol_names; i++) {
		const char *name = options->custom_protocol_names[i];
		int known = find_protocol(ndpi, name);
		uint16_t id;
		enum pronet_err err;

		if (known >= 0 && known < NDPI_MAX_SUPPORTED_PROTOCOLS)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "protos: '%s' is a protocol nDPI already has", name);
		err = ensure_protocol(ndpi, name, &id, errbuf);
		if (err)
			return err;
	}
	return PRONET_OK;
}

/* Names every class of the model in `ndpi` and fills the attachment. */
static enum pronet_err map_classes(struct pronet_attachment *a,
                                   const struct pronet_plugin_options *options, char *errbuf)
{
	enum pronet_err err;

	for (size_t c = 0; c < a->num_classes; c++) {
		const char *name = pronet_model_class_name(a->model, c);

		err = intern_class_name(name, &a->class_name[c], errbuf);
		if (err)
			return err;
		if (options->class_protocol_names != NULL &&
		    options->class_protocol_names[c] != NULL)
			name = options->class_protocol_names[c];
		/* Rules file first, then the model file's calibration (0: unset),
		 * then the default: the rule eval decides with. */
		a->class_threshold[c] =
		    pronet_model_decision_threshold(a->model, c, options->threshold);
		if (options->class_thresholds != NULL && options->class_thresholds[c] >= 0.0f)
			a->class_threshold[c] = options->class_thresholds[c];
		a->class_protocol[c] = NDPI_PROTOCOL_UNKNOWN;
		if (name == NULL || strcasecmp(name, "Unknown") == 0)
			continue; /* a class that means "none of the above" never labels */
		err = ensure_protocol(a->ndpi, name, &a->class_protocol[c], errbuf);
		if (err)
			return err;
		if (a->class_protocol[c] == a->dissector_protocol)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "class '%s' uses the dissector's own name", name);
	}
	return PRONET_OK;
}

/* Frees an attachment that was never published. */
static void discard_attachment(struct pronet_attachment *a)
{
	pronet_workspace_free(a->workspace);
	free(a);
}

static enum pronet_err build_attachment(struct ndpi_detection_module_struct *ndpi,
                                        const struct pronet_model *model,
                                        const struct pronet_plugin_options *options,
                                        struct pronet_attachment **out, char *errbuf)
{
	struct pronet_attachment *a;
	enum pronet_err err;

	size_t num_classes = pronet_model_num_classes(model);

	/* The struct, then its three arrays (widest first, each aligned). */
	a = calloc(1, sizeof(*a) + num_classes * (sizeof(float) + 2 * sizeof(uint16_t)));
	if (a == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "plugin: out of memory");
	a->class_threshold = (float *)(a + 1);
	a->class_protocol = (uint16_t *)(a->class_threshold + num_classes);
	a->class_name = a->class_protocol + num_classes;
	a->ndpi = ndpi;
	a->model = model;
	a->packets_per_direction = options->packets_per_direction;
	a->model_generation = options->model_generation;
	a->num_classes = num_classes;
	err = ensure_protocol(ndpi, PRONET_PLUGIN_DISSECTOR_NAME, &a->dissector_protocol, errbuf);
	if (!err && a->dissector_protocol < NDPI_MAX_SUPPORTED_PROTOCOLS)
		err = pronet_error(errbuf, PRONET_ERR_NDPI, "'%s' is a built-in nDPI protocol",
		                   PRONET_PLUGIN_DISSECTOR_NAME);
	if (!err)
		err = create_custom_protocols(ndpi, options, errbuf);
	if (!err)
		err = map_classes(a, options, errbuf);
	if (!err)
		err = pronet_workspace_new(model, &a->workspace, errbuf);
	if (err) {
		discard_attachment(a);
		return err;
	}
	*out = a;
	return PRONET_OK;
}

/* Under registry_lock: the slot of `ndpi`, or a free one, or NULL. */
static struct slot *slot_for(const struct ndpi_detection_module_struct *ndpi)
{
	size_t used = atomic_load(&slots_used);
	struct slot *free_slot = NULL;

	for (size_t i = 0; i < used; i++) {
		const struct ndpi_detection_module_struct *owner = atomic_load(&slots[i].ndpi);

		if (owner == ndpi)
			return &slots[i];
		if (owner == NULL && free_slot == NULL)
			free_slot = &slots[i];
	}
	if (free_slot == NULL && used < MAX_MODULES) {
		free_slot = &slots[used];
		atomic_store(&slots_used, used + 1);
	}
	return free_slot;
}

/* The process-wide store records what the first attached model reads
 * (pronet_model_input_spec): as many bytes per packet as it needs and no
 * more. A later model that reads more than the store records is refused:
 * served fewer bytes than it was trained on, its answers would be fiction. */
static enum pronet_err ensure_store(uint32_t max_flows, const struct pronet_model *model,
                                    char *errbuf)
{
	struct pronet_flow_store *store = atomic_load(&flow_store);
	struct pronet_input_spec need, have;
	enum pronet_err err;

	pronet_model_input_spec(model, &need);
	if (store != NULL) {
		pronet_flow_store_spec(store, &have);
		return pronet_input_spec_covers(&have, &need,
		                                "plugin: the flow store (made for the first model "
		                                "attached)",
		                                errbuf);
	}
	err = pronet_flow_store_new(max_flows, &need, &store, errbuf);
	if (!err)
		atomic_store(&flow_store, store);
	return err;
}

/* Under registry_lock: the slot's evidence for `ndpi`, made at the slot's
 * first use and emptied when the slot changes module. */
static enum pronet_err slot_evidence(struct slot *slot,
                                     const struct ndpi_detection_module_struct *ndpi,
                                     struct pronet_endpoint_evidence **out, char *errbuf)
{
	if (slot->evidence == NULL) {
		enum pronet_err err = pronet_endpoint_evidence_new(NULL, &slot->evidence, errbuf);

		if (err)
			return err;
	} else if (atomic_load(&slot->ndpi) != ndpi) {
		pronet_endpoint_evidence_clear(slot->evidence);
	}
	*out = slot->evidence;
	return PRONET_OK;
}

/* Whether two attachments of one module would act the same. */
static int same_settings(const struct pronet_attachment *x, const struct pronet_attachment *y)
{
	return x->ndpi == y->ndpi && x->model == y->model && x->evidence == y->evidence &&
	       x->packets_per_direction == y->packets_per_direction &&
	       x->model_generation == y->model_generation &&
	       x->dissector_protocol == y->dissector_protocol && x->num_classes == y->num_classes &&
	       memcmp(x->class_threshold, y->class_threshold,
	              x->num_classes * sizeof(*x->class_threshold)) == 0 &&
	       memcmp(x->class_protocol, y->class_protocol,
	              x->num_classes * sizeof(*x->class_protocol)) == 0 &&
	       memcmp(x->class_name, y->class_name, x->num_classes * sizeof(*x->class_name)) == 0;
}

/* Under registry_lock: keeps `a` where readers can no longer find it, but
 * never frees it (the lifetime scheme above). Its workspace goes: only the
 * fallback on a's own module uses it, and attach and detach of a module do
 * not race with its packets, any more than the model the host frees after
 * them (a model swap would otherwise leave one workspace behind each time). */
static void retire(struct pronet_attachment *a)
{
	if (a == NULL)
		return;
	pronet_workspace_free(a->workspace);
	a->workspace = NULL;
	a->retired_next = retired;
	retired = a;
}

/* Under registry_lock: publishes `a` (taking it; freed at once if the module
 * already has an attachment with the same settings). */
static enum pronet_err install(struct pronet_attachment *a, uint32_t max_flows, char *errbuf)
{
	struct pronet_attachment *old;
	struct slot *slot = slot_for(a->ndpi);
	enum pronet_err err;

	if (slot == NULL)
		err = pronet_error(errbuf, PRONET_ERR_LIMIT, "plugin: more than %d nDPI modules",
		                   MAX_MODULES);
	else
		err = ensure_store(max_flows, a->model, errbuf);
	if (!err)
		err = slot_evidence(slot, a->ndpi, &a->evidence, errbuf);
	if (!err)
		err = pronet_dissector_register(a->ndpi, a->dissector_protocol, errbuf);
	if (err) {
		discard_attachment(a);
		return err;
	}
	old = atomic_load(&slot->attachment);
	if (old != NULL && same_settings(old, a)) {
		discard_attachment(a); /* never published */
		return PRONET_OK;
	}
	atomic_store_explicit(&slot->attachment, a, memory_order_release);
	if (atomic_load(&slot->ndpi) == NULL)
		atomic_store_explicit(&slot->ndpi, a->ndpi, memory_order_release);
	retire(old);
	return PRONET_OK;
}

enum pronet_err pronet_plugin_attach(struct ndpi_detection_module_struct *ndpi,
                                     const struct pronet_model *model,
                                     const struct pronet_plugin_options *options, char *errbuf)
{
	struct pronet_plugin_options defaults;
	struct pronet_ndpi_layout library, compiled;
	struct pronet_attachment *a = NULL;
	enum pronet_err err;

	if (ndpi == NULL || model == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "plugin attach: no nDPI module or model");
	if (options == NULL) {
		pronet_plugin_options_default(&defaults);
		options = &defaults;
	}
	pronet_dissector_library_layout(&library);
	pronet_dissector_compiled_layout(&compiled);
	err = pronet_dissector_check_layout(&library, &compiled, errbuf);
	if (err)
		return err;
	if (!pronet_dissector_tables_ready(ndpi))
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "attach after ndpi_set_protocol_detection_bitmask2 (it wipes "
		                    "the dissector tables)");
	if (pronet_model_num_classes(model) > PRONET_MAX_CLASSES)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "model has too many classes");
	err = check_options(options, model, errbuf);
	if (err)
		return err;
	pthread_mutex_lock(&registry_lock);
	err = build_attachment(ndpi, model, options, &a, errbuf);
	if (!err)
		err = install(a, options->max_flows, errbuf);
	pthread_mutex_unlock(&registry_lock);
	return err;
}

void pronet_plugin_reregister(struct ndpi_detection_module_struct *ndpi)
{
	const struct pronet_attachment *a;

	pthread_mutex_lock(&registry_lock);
	a = pronet_attachment_find(ndpi);
	if (a != NULL)
		pronet_dissector_register(ndpi, a->dissector_protocol, NULL);
	pthread_mutex_unlock(&registry_lock);
}

enum pronet_err pronet_plugin_detach(struct ndpi_detection_module_struct *ndpi)
{
	size_t used = atomic_load(&slots_used);
	struct slot *slot = NULL;

	if (ndpi == NULL)
		return PRONET_ERR_ARG;
	pthread_mutex_lock(&registry_lock);
	for (size_t i = 0; i < used && slot == NULL; i++)
		if (atomic_load(&slots[i].ndpi) == ndpi)
			slot = &slots[i];
	if (slot == NULL) {
		pthread_mutex_unlock(&registry_lock);
		return PRONET_ERR_NOT_FOUND;
	}
	pronet_dissector_unregister(ndpi);
	atomic_store(&slot->ndpi, NULL);
	retire(atomic_exchange(&slot->attachment, NULL));
	pthread_mutex_unlock(&registry_lock);
	return PRONET_OK;
}
