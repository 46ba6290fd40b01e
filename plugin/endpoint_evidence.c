/* Endpoint evidence (plugin/endpoint_evidence.h): two fixed open-addressing
 * tables of vote counts, split into lock-striped shares. */
#include "plugin/endpoint_evidence.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STRIPES 16
/* Slots a key may live in, from its home slot on (linear probing). */
#define PROBE_WINDOW 8
/* Protocols counted apart per entry; votes for any further one only add to
 * the total, so they count as conflict. */
#define PROTOCOL_SLOTS 3
#define KEY_SIZE 20
#define MIN_CAPACITY 16
#define MAX_CAPACITY (1u << 24)

struct entry {
	uint8_t key[KEY_SIZE];
	uint8_t used;
	uint32_t total; /* every vote, saturating */
	uint32_t protocol[PROTOCOL_SLOTS];
	uint32_t count[PROTOCOL_SLOTS];
	uint64_t stamp; /* last touched: the table's clock */
};

struct stripe {
	pthread_mutex_t lock;
	struct entry *entries;
	size_t in_use;
};

struct table {
	struct stripe stripes[MAX_STRIPES];
	uint32_t num_stripes;     /* a power of two */
	uint32_t slots_per_share; /* a power of two */
	uint32_t window;
	atomic_uint_fast64_t clock;
	atomic_uint_fast64_t evicted;
};

struct pronet_endpoint_evidence {
	struct pronet_endpoint_evidence_options options;
	struct table endpoints, sockets;
	atomic_uint_fast64_t named_flows, links;
};

void pronet_endpoint_evidence_options_default(struct pronet_endpoint_evidence_options *options)
{
	memset(options, 0, sizeof(*options));
	options->max_endpoints = 65536;
	options->max_sockets = 65536;
	options->min_agreement = 2;
	options->max_conflict_share = 0.1f;
}

static uint32_t round_up_pow2(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static void table_free(struct table *table)
{
	for (uint32_t s = 0; s < table->num_stripes; s++) {
		pthread_mutex_destroy(&table->stripes[s].lock);
		free(table->stripes[s].entries);
	}
	table->num_stripes = 0;
}

static enum pronet_err table_init(struct table *table, uint32_t capacity, char *errbuf)
{
	uint32_t slots = round_up_pow2(capacity);

	/* A share of at least 64 slots per stripe, at most MAX_STRIPES. */
	table->num_stripes = 1;
	while (table->num_stripes < MAX_STRIPES && slots / (2 * table->num_stripes) >= 64)
		table->num_stripes <<= 1;
	table->slots_per_share = slots / table->num_stripes;
	table->window =
	    table->slots_per_share < PROBE_WINDOW ? table->slots_per_share : PROBE_WINDOW;
	atomic_init(&table->clock, 0);
	atomic_init(&table->evicted, 0);
	for (uint32_t s = 0; s < table->num_stripes; s++) {
		struct stripe *stripe = &table->stripes[s];

		pthread_mutex_init(&stripe->lock, NULL);
		stripe->in_use = 0;
		stripe->entries = calloc(table->slots_per_share, sizeof(*stripe->entries));
		if (stripe->entries == NULL) {
			table->num_stripes = s + 1;
			table_free(table);
			return pronet_error(errbuf, PRONET_ERR_NOMEM,
			                    "endpoint evidence: out of memory for %u entries",
			                    slots);
		}
	}
	return PRONET_OK;
}

enum pronet_err pronet_endpoint_evidence_new(const struct pronet_endpoint_evidence_options *options,
                                             struct pronet_endpoint_evidence **out, char *errbuf)
{
	struct pronet_endpoint_evidence_options defaults;
	struct pronet_endpoint_evidence *evidence;
	enum pronet_err err;

	*out = NULL;
	if (options == NULL) {
		pronet_endpoint_evidence_options_default(&defaults);
		options = &defaults;
	}
	if (options->max_endpoints < MIN_CAPACITY || options->max_endpoints > MAX_CAPACITY ||
	    options->max_sockets < MIN_CAPACITY || options->max_sockets > MAX_CAPACITY)
		return pronet_error(
		    errbuf, PRONET_ERR_ARG, "endpoint evidence: table sizes %u / %u not in %u..%u",
		    options->max_endpoints, options->max_sockets, MIN_CAPACITY, MAX_CAPACITY);
	if (options->min_agreement < 2)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "endpoint evidence: agreement of %u flows; at least 2",
		                    options->min_agreement);
	if (!(options->max_conflict_share >= 0.0f && options->max_conflict_share < 0.5f))
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "endpoint evidence: conflict share %g not in [0, 0.5)",
		                    (double)options->max_conflict_share);
	evidence = calloc(1, sizeof(*evidence));
	if (evidence == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "endpoint evidence: out of memory");
	evidence->options = *options;
	atomic_init(&evidence->named_flows, 0);
	atomic_init(&evidence->links, 0);
	err = table_init(&evidence->endpoints, options->max_endpoints, errbuf);
	if (!err) {
		err = table_init(&evidence->sockets, options->max_sockets, errbuf);
		if (err)
			table_free(&evidence->endpoints);
	}
	if (err) {
		free(evidence);
		return err;
	}
	*out = evidence;
	return PRONET_OK;
}

void pronet_endpoint_evidence_free(struct pronet_endpoint_evidence *evidence)
{
	if (evidence == NULL)
		return;
	table_free(&evidence->endpoints);
	table_free(&evidence->sockets);
	free(evidence);
}

static void table_clear(struct table *table)
{
	for (uint32_t s = 0; s < table->num_stripes; s++) {
		struct stripe *stripe = &table->stripes[s];

		pthread_mutex_lock(&stripe->lock);
		/* A share never used keeps its untouched (calloc'd) pages. */
		if (stripe->in_use > 0)
			memset(stripe->entries, 0,
			       table->slots_per_share * sizeof(*stripe->entries));
		stripe->in_use = 0;
		pthread_mutex_unlock(&stripe->lock);
	}
	atomic_store(&table->evicted, 0);
}

void pronet_endpoint_evidence_clear(struct pronet_endpoint_evidence *evidence)
{
	if (evidence == NULL)
		return;
	table_clear(&evidence->endpoints);
	table_clear(&evidence->sockets);
	atomic_store(&evidence->named_flows, 0);
	atomic_store(&evidence->links, 0);
}

void pronet_endpoint_ends_of_flow(const struct pronet_flow_endpoints *flow,
                                  struct pronet_endpoint ends[2])
{
	memset(ends, 0, 2 * sizeof(*ends));
	for (int side = 0; side < 2; side++) {
		ends[side].ip_version = flow->ip_version;
		ends[side].l4_protocol = flow->l4_protocol;
		ends[side].port = flow->port[side];
		memcpy(ends[side].addr, flow->addr[side], sizeof(ends[side].addr));
	}
}

/* The table key of an end: the L4 protocol only where the table uses it. */
static void make_key(const struct pronet_endpoint *end, int with_l4, uint8_t key[KEY_SIZE])
{
	memset(key, 0, KEY_SIZE);
	key[0] = end->ip_version;
	key[1] = with_l4 ? end->l4_protocol : 0;
	key[2] = (uint8_t)(end->port >> 8);
	key[3] = (uint8_t)end->port;
	memcpy(key + 4, end->addr, end->ip_version == 4 ? 4 : 16);
}

static uint64_t hash_key(const uint8_t key[KEY_SIZE])
{
	uint64_t hash = 0xcbf29ce484222325ull; /* FNV-1a, then a final mix */

	for (size_t i = 0; i < KEY_SIZE; i++) {
		hash ^= key[i];
		hash *= 0x100000001b3ull;
	}
	hash ^= hash >> 29;
	hash *= 0xbf58476d1ce4e5b9ull;
	return hash ^ (hash >> 32);
}

static struct stripe *stripe_of(struct table *table, uint64_t hash)
{
	return &table->stripes[(hash >> 40) & (table->num_stripes - 1)];
}

static uint32_t home_of(const struct table *table, uint64_t hash)
{
	return (uint32_t)hash & (table->slots_per_share - 1);
}

/* Under the stripe's lock: the entry of `key`, or NULL. */
static struct entry *find_locked(struct table *table, struct stripe *stripe, uint64_t hash,
                                 const uint8_t key[KEY_SIZE])
{
	uint32_t home = home_of(table, hash);

	for (uint32_t k = 0; k < table->window; k++) {
		struct entry *e = &stripe->entries[(home + k) & (table->slots_per_share - 1)];

		if (e->used && memcmp(e->key, key, KEY_SIZE) == 0)
			return e;
	}
	return NULL;
}

/* Under the stripe's lock: the entry of `key`, created in a free slot of its
 * window or in place of the weakest entry there (fewest votes, then least
 * recently touched), which is counted as evicted. */
static struct entry *find_or_insert_locked(struct table *table, struct stripe *stripe,
                                           uint64_t hash, const uint8_t key[KEY_SIZE])
{
	uint32_t home = home_of(table, hash);
	struct entry *found = find_locked(table, stripe, hash, key);
	struct entry *victim = NULL;

	if (found != NULL)
		return found;
	for (uint32_t k = 0; k < table->window; k++) {
		struct entry *e = &stripe->entries[(home + k) & (table->slots_per_share - 1)];

		if (!e->used) {
			victim = e;
			break;
		}
		if (victim == NULL || e->total < victim->total ||
		    (e->total == victim->total && e->stamp < victim->stamp))
			victim = e;
	}
	if (victim->used)
		atomic_fetch_add_explicit(&table->evicted, 1, memory_order_relaxed);
	else
		stripe->in_use++;
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->key, key, KEY_SIZE);
	victim->used = 1;
	return victim;
}

static uint32_t protocol_code(struct pronet_endpoint_protocol protocol)
{
	return (uint32_t)protocol.master << 16 | protocol.app;
}

static struct pronet_endpoint_protocol protocol_of(uint32_t code)
{
	struct pronet_endpoint_protocol protocol = {(uint16_t)(code >> 16), (uint16_t)code};

	return protocol;
}

static void vote_locked(struct table *table, struct entry *e, uint32_t code)
{
	size_t s;

	e->stamp = atomic_fetch_add_explicit(&table->clock, 1, memory_order_relaxed) + 1;
	if (e->total < UINT32_MAX)
		e->total++;
	for (s = 0; s < PROTOCOL_SLOTS && e->count[s] > 0; s++)
		if (e->protocol[s] == code)
			break;
	if (s == PROTOCOL_SLOTS)
		return; /* a fourth protocol: only the total (conflict) grows */
	e->protocol[s] = code;
	if (e->count[s] < UINT32_MAX)
		e->count[s]++;
}

static void vote(struct table *table, const struct pronet_endpoint *end, int with_l4, uint32_t code)
{
	uint8_t key[KEY_SIZE];
	uint64_t hash;
	struct stripe *stripe;

	make_key(end, with_l4, key);
	hash = hash_key(key);
	stripe = stripe_of(table, hash);
	pthread_mutex_lock(&stripe->lock);
	vote_locked(table, find_or_insert_locked(table, stripe, hash, key), code);
	pthread_mutex_unlock(&stripe->lock);
}

/* The leading protocol of the entry of `end` and its votes; 0 if no entry. */
static int lookup(struct table *table, const struct pronet_endpoint *end, int with_l4,
                  uint32_t *code, uint32_t *leading, uint32_t *total)
{
	uint8_t key[KEY_SIZE];
	uint64_t hash;
	struct stripe *stripe;
	struct entry *e;

	make_key(end, with_l4, key);
	hash = hash_key(key);
	stripe = stripe_of(table, hash);
	pthread_mutex_lock(&stripe->lock);
	e = find_locked(table, stripe, hash, key);
	if (e != NULL) {
		size_t best = 0;

		for (size_t s = 1; s < PROTOCOL_SLOTS; s++)
			if (e->count[s] > e->count[best])
				best = s;
		*code = e->protocol[best];
		*leading = e->count[best];
		*total = e->total;
	}
	pthread_mutex_unlock(&stripe->lock);
	return e != NULL;
}

/* Whether `leading` of `total` votes agree: at least `needed`, and the rest
 * at most the conflict share of the total. */
static int agrees(const struct pronet_endpoint_evidence *evidence, uint32_t leading, uint32_t total,
                  uint32_t needed)
{
	return leading >= needed &&
	       (double)(total - leading) <= (double)evidence->options.max_conflict_share * total;
}

void pronet_endpoint_evidence_add_named(struct pronet_endpoint_evidence *evidence,
                                        const struct pronet_endpoint ends[2],
                                        struct pronet_endpoint_protocol protocol)
{
	uint32_t code = protocol_code(protocol);

	if (evidence == NULL || code == 0)
		return;
	atomic_fetch_add_explicit(&evidence->named_flows, 1, memory_order_relaxed);
	vote(&evidence->endpoints, &ends[0], 0, code);
	vote(&evidence->endpoints, &ends[1], 0, code);
}

unsigned pronet_endpoint_evidence_link(struct pronet_endpoint_evidence *evidence,
                                       const struct pronet_endpoint ends[2])
{
	uint32_t code[2], leading[2], total[2];
	int known[2];
	unsigned cast = 0;

	if (evidence == NULL)
		return 0;
	/* Look both ends up before voting: a vote must not depend on the
	 * other vote of the same flow. One DPI-named flow on the other end is
	 * enough for a link; a proposal still needs min_agreement links. */
	for (int side = 0; side < 2; side++)
		known[side] = lookup(&evidence->endpoints, &ends[side], 0, &code[side],
		                     &leading[side], &total[side]) &&
		              agrees(evidence, leading[side], total[side], 1);
	for (int side = 0; side < 2; side++) {
		if (!known[1 - side])
			continue;
		vote(&evidence->sockets, &ends[side], 1, code[1 - side]);
		cast++;
	}
	atomic_fetch_add_explicit(&evidence->links, cast, memory_order_relaxed);
	return cast;
}

/* One hop: the proposal of either end of the flow in `table`; conflict
 * between the ends proposes nothing. Returns whether it decided (a
 * proposal, or a conflict that stops the search). */
static int propose_in(struct pronet_endpoint_evidence *evidence, struct table *table, int with_l4,
                      const struct pronet_endpoint ends[2], struct pronet_endpoint_proposal *out)
{
	uint32_t code[2], leading[2], total[2];
	int ok[2];

	for (int side = 0; side < 2; side++)
		ok[side] =
		    lookup(table, &ends[side], with_l4, &code[side], &leading[side],
		           &total[side]) &&
		    agrees(evidence, leading[side], total[side], evidence->options.min_agreement);
	if (ok[0] && ok[1] && code[0] != code[1])
		return 1; /* the two ends disagree: nothing */
	for (int side = 0; side < 2; side++)
		if (ok[side] && (!ok[1 - side] || leading[side] >= leading[1 - side])) {
			out->protocol = protocol_of(code[side]);
			out->agreeing = leading[side];
			out->conflicting = total[side] - leading[side];
			return 1;
		}
	return 0;
}

void pronet_endpoint_evidence_propose(struct pronet_endpoint_evidence *evidence,
                                      const struct pronet_endpoint ends[2],
                                      struct pronet_endpoint_proposal *out)
{
	memset(out, 0, sizeof(*out));
	if (evidence == NULL)
		return;
	if (propose_in(evidence, &evidence->endpoints, 0, ends, out)) {
		if (out->agreeing > 0)
			out->hop = PRONET_ENDPOINT_HOP_ENDPOINT;
		return;
	}
	if (propose_in(evidence, &evidence->sockets, 1, ends, out) && out->agreeing > 0)
		out->hop = PRONET_ENDPOINT_HOP_SOCKET;
}

static size_t table_in_use(struct table *table)
{
	size_t total = 0;

	for (uint32_t s = 0; s < table->num_stripes; s++) {
		pthread_mutex_lock(&table->stripes[s].lock);
		total += table->stripes[s].in_use;
		pthread_mutex_unlock(&table->stripes[s].lock);
	}
	return total;
}

void pronet_endpoint_evidence_get_stats(struct pronet_endpoint_evidence *evidence,
                                        struct pronet_endpoint_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (evidence == NULL)
		return;
	out->endpoints_in_use = table_in_use(&evidence->endpoints);
	out->sockets_in_use = table_in_use(&evidence->sockets);
	out->named_flows = atomic_load(&evidence->named_flows);
	out->links = atomic_load(&evidence->links);
	out->evicted =
	    atomic_load(&evidence->endpoints.evicted) + atomic_load(&evidence->sockets.evicted);
}
