/* Tests of core/arch/flow_cnn/: the paper's shapes and weight count, the
 * input step on hand-built flows (TLS record headers stripped, gaps as 4
 * big-endian bytes, truncation and padding), the z-score fit by hand, the
 * gradient of every layer's weights against central finite differences,
 * the same batch over several threads, a save -> load round trip
 * predicting bit for bit the same, damaged HYPR and ZSCR blocks refused, a
 * tiny run that learns a separable set of flows, and training bit for bit
 * reproducible for a seed and thread count.
 *
 * The synthetic flows (three classes, 4 packets each of 6..21 random
 * bytes): "marked" has bytes below 64 and 100 us gaps, "slow" bytes from
 * 128 up and 50 ms gaps, "fast" bytes from 128 up and 100 us gaps. Easy on purpose: they show that
 * the network learns from both bytes and times, not how well it does on traffic. */
#include "core/arch/flow_cnn/flow_cnn.h"
#include "core/data/dataset.h"
#include "core/model/flow_predict.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "core/train/train.h"
#include "core/util/crc32.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLASSES 3
#define BATCH 3
#define FLOW_PACKETS 4
#define TCP 6
#define UDP 17

static const char *const classes[CLASSES] = {"marked", "slow", "fast"};

static struct flow_cnn_config small_config(void)
{
	struct flow_cnn_config config;

	flow_cnn_config_default(&config);
	config.input_values = 64;
	config.filters[0] = 2;
	config.filters[1] = 3;
	config.filters[2] = 2;
	config.filters[3] = 3;
	config.hidden[0] = 5;
	config.hidden[1] = 4;
	return config;
}

static struct pronet_model *new_model(const struct flow_cnn_config *config, uint64_t seed)
{
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	CU_ASSERT_EQUAL_FATAL(pronet_model_new(&pronet_arch_flow_cnn, config, sizeof(*config),
	                                       classes, CLASSES, seed, &model, errbuf),
	                      PRONET_OK);
	return model;
}

static struct pronet_workspace *workspace_for(const struct pronet_model *model)
{
	struct pronet_workspace *ws = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL_FATAL(pronet_workspace_new(model, &ws, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	return ws;
}

/* A payload record of `length` bytes (caller fills them) at time t us. */
static struct pronet_packet_record record_at(size_t length, uint64_t t, uint8_t protocol,
                                             uint16_t index)
{
	struct pronet_packet_record r;

	memset(&r, 0, sizeof(r));
	r.bytes = pronet_unit_record_bytes(length ? length : 1);
	r.length = (uint16_t)length;
	r.payload_length = (uint16_t)length;
	r.timestamp_us = t;
	r.l4_protocol = protocol;
	r.payload_index = index;
	r.layer = PRONET_LAYER_PAYLOAD;
	return r;
}

static void test_shapes_and_weight_count(void)
{
	struct flow_cnn_config config;
	struct pronet_input_spec spec;
	struct pronet_model *model;
	const struct flow_cnn_state *s;
	size_t expected;

	flow_cnn_config_default(&config);
	model = new_model(&config, 1);
	s = flow_cnn_state(model);
	CU_ASSERT_EQUAL(s->shapes.conv_size[0], 2998 * 16);
	CU_ASSERT_EQUAL(s->shapes.conv_size[1], 2996 * 16);
	CU_ASSERT_EQUAL(s->shapes.pool_size[0], 1498 * 16);
	CU_ASSERT_EQUAL(s->shapes.conv_size[2], 1496 * 32);
	CU_ASSERT_EQUAL(s->shapes.conv_size[3], 1494 * 32);
	CU_ASSERT_EQUAL(s->shapes.pool_size[1], 747 * 32);
	CU_ASSERT_EQUAL(s->shapes.features, 23904);
	/* convs (w + b), dense 23904-500-300-3 (docs/flow-cnn.md) */
	expected = (16 * 3 * 1 + 16) + (16 * 3 * 16 + 16) + (32 * 3 * 16 + 32) +
	           (32 * 3 * 32 + 32) + (23904 * 500 + 500) + (500 * 300 + 300) + (300 * 3 + 3);
	CU_ASSERT_EQUAL(model->num_weights, expected);
	CU_ASSERT_EQUAL(model->num_trainable, expected);
	CU_ASSERT_EQUAL(model->num_tensors, 14);
	CU_ASSERT_EQUAL(s->shapes.multiply_adds, 2998ull * 16 * 3 + 2996ull * 16 * 3 * 16 +
	                                             1496ull * 32 * 3 * 16 + 1494ull * 32 * 3 * 32 +
	                                             23904ull * 500 + 500 * 300 + 300 * 3);
	/* input, four convs, two pools, two dense rows of 512: 973,952 bytes */
	CU_ASSERT_EQUAL(pronet_model_workspace_size(model),
	                (3008 + 47968 + 47936 + 23968 + 47872 + 47808 + 23904 + 2 * 512) *
	                    sizeof(float));
	pronet_model_input_spec(model, &spec);
	CU_ASSERT_EQUAL(spec.window_bytes, 1500);
	CU_ASSERT_EQUAL(spec.layer, PRONET_LAYER_PAYLOAD);
	CU_ASSERT_EQUAL(spec.flags, 0);
	CU_ASSERT_EQUAL(spec.packets_per_direction, 8);
	pronet_model_free(model);
}

/* A TLS 1.2 application_data header: type 23, version 3.3, length. */
static size_t put_tls_header(uint8_t *at, uint8_t type, size_t length)
{
	at[0] = type;
	at[1] = 0x03;
	at[2] = 0x03;
	at[3] = (uint8_t)(length >> 8);
	at[4] = (uint8_t)length;
	return 5;
}

static void test_tls_headers_are_stripped(void)
{
	uint8_t in[64], out[64];
	size_t n = 0;

	/* Two whole records in one segment: header, 3 bytes, header, 4 bytes. */
	n += put_tls_header(in + n, 23, 3);
	memcpy(in + n, "\x01\x02\x03", 3), n += 3;
	n += put_tls_header(in + n, 22, 4);
	memcpy(in + n, "\x04\x05\x06\x07", 4), n += 4;
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n, out, sizeof(out)), 7);
	CU_ASSERT_EQUAL(memcmp(out, "\x01\x02\x03\x04\x05\x06\x07", 7), 0);
	/* A record continued in the next segment: its header goes, its 10
	 * bytes here stay. */
	n = put_tls_header(in, 23, 1000);
	memset(in + n, 0x55, 10), n += 10;
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n, out, sizeof(out)), 10);
	CU_ASSERT_EQUAL(out[0], 0x55);
	CU_ASSERT_EQUAL(out[9], 0x55);
	/* A record, then bytes that are not a header: kept as they are. */
	n = put_tls_header(in, 23, 2);
	memcpy(in + n, "\xaa\xbb\x17\x03\x09\x00\x01", 7), n += 7; /* version 3.9: not TLS */
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n, out, sizeof(out)), 7);
	CU_ASSERT_EQUAL(memcmp(out, "\xaa\xbb\x17\x03\x09\x00\x01", 7), 0);
	/* Not TLS at all (an HTTP request), type 24, a 4-byte stub: whole. */
	CU_ASSERT_EQUAL(flow_cnn_strip_tls((const uint8_t *)"GET / HTTP/1.1", 14, out, 64), 14);
	CU_ASSERT_EQUAL(memcmp(out, "GET / HTTP/1.1", 14), 0);
	n = put_tls_header(in, 24, 2);
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n + 2, out, sizeof(out)), 7);
	CU_ASSERT_EQUAL(flow_cnn_strip_tls((const uint8_t *)"\x17\x03\x03\x00", 4, out, 64), 4);
	/* A length past the largest record: not a header. */
	n = put_tls_header(in, 23, 20000);
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n + 3, out, sizeof(out)), 8);
	/* The room bounds the copy. */
	n = put_tls_header(in, 23, 30);
	memset(in + n, 1, 30), n += 30;
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n, out, 12), 12);
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in + 5, 30, out, 12), 12);
}

/* A hand-built flow: TLS client payload at t = 1 s, a pure ACK (skipped),
 * a server payload 0x010203 us later, a third 5 s later; the layout is
 * each payload, then its gap as 4 big-endian bytes. */
static void test_input_layout_on_a_hand_built_flow(void)
{
	struct pronet_packet_record r[4];
	float v[40];
	size_t filled;

	r[0] = record_at(8, 1000000, TCP, 0);
	put_tls_header(PRONET_UNIT_BYTES(r[0]), 23, 3);
	memcpy(PRONET_UNIT_BYTES(r[0]) + 5, "\x0a\x0b\x0c", 3);
	r[1] = record_at(0, 1000100, TCP, PRONET_PAYLOAD_INDEX_NONE);
	r[2] = record_at(2, 1000000 + 0x010203, TCP, 1);
	memcpy(PRONET_UNIT_BYTES(r[2]), "\x61\x62", 2);
	r[2].direction = PRONET_DIR_SERVER_TO_CLIENT;
	r[3] = record_at(1, 1000000 + 0x010203 + 5000000, TCP, 2);
	PRONET_UNIT_BYTES(r[3])[0] = 0xff;
	filled = flow_cnn_raw_values(r, 4, 1, v, 40);
	{
		static const float want[] = {
		    10,  11, 12,   0,    0,    0, 0, /* payload, first gap 0 */
		    97,  98, 0,    1,    2,    3,    /* 0x010203 us */
		    255, 0,  0x4c, 0x4b, 0x40,       /* 5,000,000 us = 0x004c4b40 */
		};
		CU_ASSERT_EQUAL(filled, sizeof(want) / sizeof(want[0]));
		for (size_t i = 0; i < filled; i++)
			CU_ASSERT_EQUAL(v[i], want[i]);
		for (size_t i = filled; i < 40; i++)
			CU_ASSERT_EQUAL(v[i], 0.0f); /* zero padded */
	}
	/* Without stripping the header stays; cut at 6 values. */
	filled = flow_cnn_raw_values(r, 4, 0, v, 6);
	CU_ASSERT_EQUAL(filled, 6);
	CU_ASSERT_EQUAL(v[0], 23);
	CU_ASSERT_EQUAL(v[5], 10);
	/* UDP: datagrams as they are (a TLS-looking start is not stripped). */
	r[0].l4_protocol = UDP;
	filled = flow_cnn_raw_values(r, 1, 1, v, 40);
	CU_ASSERT_EQUAL(filled, 8 + 4);
	CU_ASSERT_EQUAL(v[0], 23);
	/* Times that go back, or are unknown, give a gap of 0. */
	r[0].l4_protocol = TCP;
	r[2].timestamp_us = 10;
	filled = flow_cnn_raw_values(r, 3, 1, v, 40);
	CU_ASSERT_EQUAL(v[9] + v[10] + v[11] + v[12], 0.0f);
	/* A gap past 2^32 us saturates. */
	r[2].timestamp_us = 1000000 + (1ull << 33);
	flow_cnn_raw_values(r, 3, 1, v, 40);
	CU_ASSERT_EQUAL(v[9], 255);
	CU_ASSERT_EQUAL(v[12], 255);
}

/* Flow f of class c: FLOW_PACKETS payload packets of 6..21 random bytes. */
static void synthetic_flow(struct pronet_packet_record *r, size_t c, struct pronet_rng *rng)
{
	uint64_t t = 1000000 + pronet_rng_below(rng, 1000);

	for (size_t k = 0; k < FLOW_PACKETS; k++) {
		size_t length = 6 + (size_t)pronet_rng_below(rng, 16);
		uint32_t low = c == 0 ? 0 : 128, span = c == 0 ? 64 : 128;

		r[k] = record_at(length, t, TCP, (uint16_t)k);
		r[k].direction = (uint8_t)(k % 2);
		for (size_t i = 0; i < length; i++)
			PRONET_UNIT_BYTES(r[k])[i] = (uint8_t)(low + pronet_rng_below(rng, span));
		t += c == 1 ? 50000 + pronet_rng_below(rng, 5000) : 100 + pronet_rng_below(rng, 50);
	}
}

static struct pronet_dataset *synthetic_dataset(size_t per_class, uint64_t seed)
{
	struct pronet_dataset *data = pronet_dataset_new();
	struct flow_cnn_config config = small_config();
	struct pronet_packet_record r[FLOW_PACKETS];
	struct pronet_rng rng;
	uint32_t capture;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	flow_cnn_spec(&config, &data->spec);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_intern_capture(data, "synthetic", &capture),
	                      PRONET_OK);
	pronet_rng_seed(&rng, seed);
	for (size_t f = 0; f < per_class * CLASSES; f++) {
		uint16_t label;

		CU_ASSERT_EQUAL_FATAL(
		    pronet_dataset_intern_class(data, classes[f % CLASSES], &label), PRONET_OK);
		synthetic_flow(r, f % CLASSES, &rng);
		for (size_t k = 0; k < FLOW_PACKETS; k++) {
			struct pronet_sample sample = {r[k], label, capture, f};

			CU_ASSERT_EQUAL_FATAL(pronet_dataset_append(data, &sample), PRONET_OK);
		}
	}
	return data;
}

/* The z-score fit by hand: two flows of one 1-byte packet each (values
 * 10 then gap 0, and 30 then gap 0): position 0 has mean 20, deviation 10;
 * every other position never varies and gets deviation 1. */
static void test_zscore_fit_by_hand(void)
{
	struct flow_cnn_config config = small_config();
	struct pronet_model *model = new_model(&config, 1);
	struct pronet_dataset *data = pronet_dataset_new();
	struct pronet_train_options options;
	const struct flow_cnn_state *s = flow_cnn_state(model);
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	uint32_t capture;
	uint16_t label;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	flow_cnn_spec(&config, &data->spec);
	pronet_dataset_intern_capture(data, "hand", &capture);
	pronet_dataset_intern_class(data, classes[0], &label);
	for (size_t f = 0; f < 2; f++) {
		struct pronet_sample sample;

		memset(&sample, 0, sizeof(sample));
		sample.input = record_at(1, 5, TCP, 0);
		PRONET_UNIT_BYTES(sample.input)[0] = (uint8_t)(10 + 20 * f);
		sample.label = label;
		sample.capture = capture;
		sample.flow = f;
		CU_ASSERT_EQUAL_FATAL(pronet_dataset_append(data, &sample), PRONET_OK);
	}
	pronet_train_options_default(&options);
	CU_ASSERT_EQUAL(flow_cnn_fit_zscore(model, data, &options, errbuf), PRONET_OK);
	CU_ASSERT_DOUBLE_EQUAL(s->mean[0], 20.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(s->deviation[0], 10.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(s->inverse[0], 0.1, 1e-7);
	for (size_t i = 1; i < config.input_values; i++) {
		CU_ASSERT_EQUAL(s->mean[i], 0.0f);
		CU_ASSERT_EQUAL(s->deviation[i], 1.0f);
	}
	pronet_dataset_free(data);
	pronet_model_free(model);
}

/* A model with weights spread wide (N(0, 0.5)) and a z-score that is not
 * the identity, so that max-pool winners and ReLU signs are far apart
 * compared with the step. */
struct fixture {
	struct pronet_model *model;
	struct pronet_packet_record records[BATCH][FLOW_PACKETS];
	const struct pronet_packet_record *pointers[BATCH];
	size_t lengths[BATCH];
	uint32_t labels[BATCH];
	float losses[BATCH];
	uint8_t correct[BATCH];
	void *workspace;
};

static void fixture_init(struct fixture *f, size_t threads, float dropout)
{
	struct flow_cnn_config config = small_config();
	float mean[64], deviation[64];
	struct pronet_rng rng;

	memset(f, 0, sizeof(*f));
	config.dropout = dropout;
	f->model = new_model(&config, 1);
	pronet_rng_seed(&rng, 5);
	for (size_t i = 0; i < f->model->num_trainable; i++)
		f->model->weights[i] = pronet_rng_normal(&rng, 0.0f, 0.5f);
	for (size_t i = 0; i < 64; i++) {
		mean[i] = 100.0f;
		deviation[i] = 80.0f;
	}
	flow_cnn_set_zscore(f->model, mean, deviation);
	pronet_model_weights_changed(f->model);
	for (size_t b = 0; b < BATCH; b++) {
		synthetic_flow(f->records[b], b, &rng);
		f->pointers[b] = f->records[b];
		f->lengths[b] = FLOW_PACKETS;
		f->labels[b] = (uint32_t)b;
	}
	CU_ASSERT_EQUAL_FATAL(f->model->ops->train_begin(f->model, BATCH, threads, &f->workspace),
	                      PRONET_OK);
}

static void fixture_free(struct fixture *f)
{
	f->model->ops->train_end(f->workspace);
	pronet_model_free(f->model);
}

static double batch_loss(struct fixture *f, size_t threads, float *gradient)
{
	struct pronet_train_batch batch = {f->pointers, f->labels, BATCH,      7,
	                                   threads,     f->losses, f->correct, f->lengths};
	size_t n = f->model->num_trainable;
	float *grads[4];
	double sum = 0.0;

	for (size_t i = 0; i < threads; i++) {
		grads[i] = calloc(n, sizeof(float));
		CU_ASSERT_PTR_NOT_NULL_FATAL(grads[i]);
	}
	f->model->ops->train_batch(f->model, f->workspace, &batch, grads);
	for (size_t k = 0; gradient != NULL && k < n; k++) {
		gradient[k] = 0.0f;
		for (size_t i = 0; i < threads; i++)
			gradient[k] += grads[i][k];
	}
	for (size_t i = 0; i < threads; i++)
		free(grads[i]);
	for (size_t b = 0; b < BATCH; b++)
		sum += f->losses[b];
	return sum / BATCH;
}

/* Every weight of every tensor, with dropout on (the masks are the same
 * for the same batch seed); each tensor has gradients that are not zero.
 * A weight whose step moves a ReLU or a max-pool's winner across a kink
 * has one-sided differences that disagree: it is counted, not compared,
 * and such weights must stay rare. */
static void test_gradient_matches_finite_differences(void)
{
	struct fixture f;
	float *gradient;
	const float h = 1e-3f;
	size_t bad = 0, kinks = 0, checked = 0;
	double base;

	fixture_init(&f, 1, 0.2f);
	gradient = malloc(f.model->num_trainable * sizeof(float));
	CU_ASSERT_PTR_NOT_NULL_FATAL(gradient);
	base = batch_loss(&f, 1, gradient);
	for (size_t t = 0; t < f.model->num_tensors; t++) {
		const struct pronet_tensor *tensor = &f.model->tensors[t];
		size_t nonzero = 0;

		for (size_t k = tensor->offset; k < tensor->offset + tensor->count; k++) {
			float *w = &f.model->weights[k];
			float saved = *w, analytic = gradient[k];
			double plus, minus, numeric, left, right;

			*w = saved + h;
			plus = batch_loss(&f, 1, NULL);
			*w = saved - h;
			minus = batch_loss(&f, 1, NULL);
			*w = saved;
			numeric = (plus - minus) / (2 * h);
			left = (base - minus) / h;
			right = (plus - base) / h;
			checked++;
			if (fabs(left - right) > 2e-3 + 0.02 * fabs(numeric)) {
				kinks++;
				continue;
			}
			if (fabs(analytic - numeric) > 2e-3 + 0.02 * fabs(numeric)) {
				printf("%s[%zu]: analytic %g numeric %g (%g %g)\n", tensor->name,
				       k - tensor->offset, (double)analytic, numeric, left, right);
				bad++;
			}
			nonzero += fabs(numeric) > 1e-4;
		}
		if (nonzero == 0)
			printf("%s: no gradient\n", tensor->name);
		CU_ASSERT_TRUE(nonzero > 0); /* not vacuous for any layer */
	}
	printf("\n  %zu weights, %zu at a kink\n", checked, kinks);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_TRUE(kinks * 50 < checked);
	free(gradient);
	fixture_free(&f);
}

static void test_threads_agree(void)
{
	struct fixture one, three;
	float *g1, *g3;

	fixture_init(&one, 1, 0.2f);
	fixture_init(&three, 3, 0.2f);
	g1 = malloc(one.model->num_trainable * sizeof(float));
	g3 = malloc(one.model->num_trainable * sizeof(float));
	CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g3);
	CU_ASSERT_EQUAL(batch_loss(&one, 1, g1), batch_loss(&three, 3, g3));
	for (size_t k = 0; k < one.model->num_trainable; k++)
		CU_ASSERT_DOUBLE_EQUAL(g1[k], g3[k], 1e-6 + 1e-5 * fabs(g1[k]));
	free(g1);
	free(g3);
	fixture_free(&one);
	fixture_free(&three);
}

/* Without dropout, training's forward pass and a flow prediction agree. */
static void test_prediction_matches_training_forward(void)
{
	struct fixture f;
	struct pronet_workspace *ws;
	float p[CLASSES];

	fixture_init(&f, 1, 0.0f);
	ws = workspace_for(f.model);
	batch_loss(&f, 1, NULL);
	for (size_t b = 0; b < BATCH; b++) {
		CU_ASSERT_EQUAL(
		    pronet_model_predict_flow(f.model, ws, f.records[b], FLOW_PACKETS, p, NULL),
		    PRONET_OK);
		CU_ASSERT_DOUBLE_EQUAL(f.losses[b], -log(p[f.labels[b]]), 1e-4);
	}
	pronet_workspace_free(ws);
	fixture_free(&f);
}

static uint8_t *saved_bytes(const struct pronet_model *model, size_t *size)
{
	char path[512], errbuf[PRONET_ERRBUF_SIZE];
	uint8_t *data;
	FILE *file;
	long length;

	snprintf(path, sizeof(path), "%s/pronet-test-flow-cnn-%ld.pnm", pronet_unit_tmpdir(),
	         (long)getpid());
	CU_ASSERT_EQUAL_FATAL(pronet_model_save(model, path, errbuf), PRONET_OK);
	file = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	fseek(file, 0, SEEK_END);
	length = ftell(file);
	rewind(file);
	data = malloc((size_t)length);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL(fread(data, 1, (size_t)length, file), (size_t)length);
	fclose(file);
	remove(path);
	*size = (size_t)length;
	return data;
}

static void assert_same_predictions(const struct pronet_model *a, const struct pronet_model *b)
{
	struct pronet_workspace *wa = workspace_for(a), *wb = workspace_for(b);
	struct pronet_packet_record r[FLOW_PACKETS];
	float pa[CLASSES], pb[CLASSES];
	struct pronet_rng rng;

	pronet_rng_seed(&rng, 5);
	for (size_t k = 0; k < 12; k++) {
		synthetic_flow(r, k % CLASSES, &rng);
		CU_ASSERT_EQUAL(pronet_model_predict_flow(a, wa, r, FLOW_PACKETS, pa, NULL),
		                PRONET_OK);
		CU_ASSERT_EQUAL(pronet_model_predict_flow(b, wb, r, FLOW_PACKETS, pb, NULL),
		                PRONET_OK);
		CU_ASSERT_EQUAL(memcmp(pa, pb, sizeof(pa)), 0);
	}
	pronet_workspace_free(wa);
	pronet_workspace_free(wb);
}

/* A small model whose z-score was fitted on synthetic flows. */
static struct pronet_model *fitted_model(struct flow_cnn_config *config)
{
	struct pronet_model *model = new_model(config, 3);
	struct pronet_dataset *data = synthetic_dataset(4, 9);
	struct pronet_train_options options;
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	pronet_train_options_default(&options);
	CU_ASSERT_EQUAL(flow_cnn_fit_zscore(model, data, &options, errbuf), PRONET_OK);
	pronet_dataset_free(data);
	return model;
}

static void test_save_load_predicts_the_same(void)
{
	struct flow_cnn_config config = small_config(), loaded_config;
	struct pronet_model *model, *loaded = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	uint8_t *data;
	size_t size;

	config.dropout = 0.3f;
	config.record_packets = 5;
	config.keep_tls_headers = 1;
	model = fitted_model(&config);
	CU_ASSERT_NOT_EQUAL(flow_cnn_state(model)->deviation[0], 1.0f); /* fitted */
	data = saved_bytes(model, &size);
	CU_ASSERT_EQUAL_FATAL(pronet_model_load_buffer(data, size, "round.pnm", &loaded, errbuf),
	                      PRONET_OK);
	CU_ASSERT_PTR_EQUAL(pronet_model_arch(loaded), &pronet_arch_flow_cnn);
	CU_ASSERT_EQUAL(pronet_model_config(loaded, &loaded_config, sizeof(loaded_config)),
	                PRONET_OK);
	CU_ASSERT_EQUAL(memcmp(&config, &loaded_config, sizeof(config)), 0);
	CU_ASSERT_EQUAL(memcmp(model->weights, loaded->weights, model->num_weights * sizeof(float)),
	                0);
	CU_ASSERT_EQUAL(memcmp(flow_cnn_state(model)->mean, flow_cnn_state(loaded)->mean,
	                       config.input_values * sizeof(float)),
	                0);
	CU_ASSERT_EQUAL(memcmp(flow_cnn_state(model)->inverse, flow_cnn_state(loaded)->inverse,
	                       config.input_values * sizeof(float)),
	                0);
	assert_same_predictions(model, loaded);
	free(data);
	pronet_model_free(model);
	pronet_model_free(loaded);
}

static void put_u32(uint8_t *at, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		at[i] = (uint8_t)(value >> (8 * i));
}

/* Loads the model's bytes with u32 `field` of block `tag`'s data set to
 * value (the CRC resealed); the error, and its message in errbuf. */
static enum pronet_err load_with(const uint8_t *data, size_t size, const char *tag, size_t field,
                                 uint32_t value, char *errbuf)
{
	uint8_t *copy = malloc(size), *block = NULL;
	struct pronet_model *loaded = NULL;
	enum pronet_err err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, data, size);
	for (size_t i = 0; block == NULL && i + 8 < size; i++)
		if (memcmp(copy + i, tag, 4) == 0)
			block = copy + i;
	CU_ASSERT_PTR_NOT_NULL_FATAL(block);
	put_u32(block + 8 + 4 * field, value);
	put_u32(copy + size - 4, pronet_crc32(0, copy, size - 4));
	errbuf[0] = '\0';
	err = pronet_model_load_buffer(copy, size, "damaged.pnm", &loaded, errbuf);
	CU_ASSERT_EQUAL(err != PRONET_OK, loaded == NULL);
	pronet_model_free(loaded);
	free(copy);
	return err;
}

static uint32_t float_bits(float value)
{
	uint32_t bits;

	memcpy(&bits, &value, sizeof(bits));
	return bits;
}

static void test_damaged_blocks_are_refused(void)
{
	struct flow_cnn_config config = small_config();
	struct pronet_model *model = fitted_model(&config);
	char errbuf[PRONET_ERRBUF_SIZE];
	uint8_t *data;
	size_t size;
	struct {
		const char *tag;
		size_t field;
		uint32_t value;
		enum pronet_err err;
		const char *says;
	} cases[] = {
	    {"HYPR", 0, 5, PRONET_ERR_UNSUPPORTED, "kernel width"},
	    {"HYPR", 1, 3, PRONET_ERR_UNSUPPORTED, "pool size"},
	    {"HYPR", 2, 8, PRONET_ERR_UNSUPPORTED, "inter-arrival bytes"},
	    {"HYPR", 3, 5, PRONET_ERR_LIMIT, "5 input values"},
	    {"HYPR", 4, 0, PRONET_ERR_LIMIT, "conv 1 has 0 filters"},
	    {"HYPR", 9, 100000, PRONET_ERR_LIMIT, "dense 2 has 100000 units"},
	    {"HYPR", 10, float_bits(NAN), PRONET_ERR_FORMAT, "dropout"},
	    {"HYPR", 10, float_bits(1.5f), PRONET_ERR_ARG, "dropout 1.5"},
	    {"HYPR", 11, 0, PRONET_ERR_ARG, "0 packets per direction"},
	    {"HYPR", 12, 2, PRONET_ERR_FORMAT, "keep-tls-headers is 2"},
	    {"ZSCR", 0, 1, PRONET_ERR_UNSUPPORTED, "z-score mode"},
	    {"ZSCR", 1, 63, PRONET_ERR_FORMAT, "63 z-score positions"},
	    {"ZSCR", 2, float_bits(INFINITY), PRONET_ERR_FORMAT, "z-score mean"},
	    {"ZSCR", 2 + 64 + 7, float_bits(0.0f), PRONET_ERR_FORMAT,
	     "z-score deviation 0 of position 7"},
	    {"ZSCR", 2 + 64, float_bits(-2.0f), PRONET_ERR_FORMAT, "is not positive"},
	    {"ZSCR", 2 + 64 + 3, float_bits(NAN), PRONET_ERR_FORMAT, "z-score deviation"},
	};

	data = saved_bytes(model, &size);
	CU_ASSERT_EQUAL(load_with(data, size, "HYPR", 3, 64, errbuf), PRONET_OK); /* as saved */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(
		    load_with(data, size, cases[i].tag, cases[i].field, cases[i].value, errbuf),
		    cases[i].err);
		if (strstr(errbuf, cases[i].says) == NULL || strstr(errbuf, "damaged.pnm") == NULL)
			printf("case %zu: %s\n", i, errbuf);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, cases[i].says));
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "damaged.pnm"));
	}
	free(data);
	pronet_model_free(model);
}

static struct pronet_model *trained(const struct pronet_dataset *data, uint64_t seed,
                                    uint32_t threads, uint32_t epochs)
{
	struct flow_cnn_config config = small_config();
	struct pronet_train_options options;
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_model *model;

	config.input_values = 128;
	config.filters[0] = 4;
	config.filters[1] = 4;
	config.filters[2] = 8;
	config.filters[3] = 8;
	config.hidden[0] = 16;
	config.hidden[1] = 8;
	model = new_model(&config, seed);
	pronet_train_options_default(&options);
	options.batch_size = 16;
	options.epochs = epochs;
	options.learning_rate = 3e-3f;
	options.seed = seed;
	options.threads = threads;
	options.progress_every = 0;
	CU_ASSERT_EQUAL(pronet_train(model, data, &options, NULL, NULL, errbuf), PRONET_OK);
	if (errbuf[0] != '\0')
		printf("train: %s\n", errbuf);
	return model;
}

/* Trained by pronet_train (the z-score fit, then flows as samples), scored
 * per flow on held-out flows. */
static void test_learns_a_separable_set(void)
{
	struct pronet_dataset *train = synthetic_dataset(60, 1), *test = synthetic_dataset(30, 2);
	struct pronet_model *model = trained(train, 1, 2, 40);
	struct pronet_workspace *ws = workspace_for(model);
	struct pronet_packet_record r[FLOW_PACKETS];
	float p[CLASSES];
	size_t right = 0, flows = test->num_samples / FLOW_PACKETS, best;

	for (size_t f = 0; f < flows; f++) {
		for (size_t k = 0; k < FLOW_PACKETS; k++)
			r[k] = test->samples[f * FLOW_PACKETS + k].input;
		CU_ASSERT_EQUAL(pronet_model_predict_flow(model, ws, r, FLOW_PACKETS, p, &best),
		                PRONET_OK);
		right += pronet_model_find_class(
		             model, classes[test->samples[f * FLOW_PACKETS].label]) == (int)best;
	}
	printf("\n  held-out flows right %zu/%zu\n", right, flows);
	CU_ASSERT_TRUE(right >= flows * 95 / 100);
	pronet_workspace_free(ws);
	pronet_model_free(model);
	pronet_dataset_free(train);
	pronet_dataset_free(test);
}

static void test_training_is_reproducible(void)
{
	struct pronet_dataset *data = synthetic_dataset(10, 3);
	struct pronet_model *a = trained(data, 7, 2, 2), *b = trained(data, 7, 2, 2),
	                    *c = trained(data, 8, 2, 2);

	CU_ASSERT_EQUAL(memcmp(a->weights, b->weights, a->num_weights * sizeof(float)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a->weights, c->weights, a->num_weights * sizeof(float)), 0);
	pronet_model_free(a);
	pronet_model_free(b);
	pronet_model_free(c);
	pronet_dataset_free(data);
}

static void test_bad_config_is_refused(void)
{
	struct flow_cnn_config config = small_config();
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	config.input_values = 8; /* too short for four convs and two pools anyway */
	CU_ASSERT_EQUAL(pronet_model_new(&pronet_arch_flow_cnn, &config, sizeof(config), classes,
	                                 CLASSES, 1, &model, errbuf),
	                PRONET_ERR_LIMIT);
	CU_ASSERT_PTR_NULL(model);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "8 input values"));
	config = small_config();
	config.input_values = 16; /* 14, 12, 6, 4, 2, 1: the last pool still has one */
	CU_ASSERT_EQUAL(pronet_model_new(&pronet_arch_flow_cnn, &config, sizeof(config), classes,
	                                 CLASSES, 1, &model, errbuf),
	                PRONET_OK);
	pronet_model_free(model);
	model = NULL;
	config.filters[2] = FLOW_CNN_MAX_FILTERS + 1;
	CU_ASSERT_EQUAL(pronet_model_new(&pronet_arch_flow_cnn, &config, sizeof(config), classes,
	                                 CLASSES, 1, &model, errbuf),
	                PRONET_ERR_LIMIT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "conv 3 has 257 filters"));
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"shapes and weight count follow Sec. IV-B1", test_shapes_and_weight_count},
	    {"TLS record headers are stripped", test_tls_headers_are_stripped},
	    {"the input layout of a hand-built flow", test_input_layout_on_a_hand_built_flow},
	    {"the z-score fit by hand", test_zscore_fit_by_hand},
	    {"gradient of every layer matches finite differences",
	     test_gradient_matches_finite_differences},
	    {"the same batch over 1 and 3 threads", test_threads_agree},
	    {"prediction matches training's forward pass",
	     test_prediction_matches_training_forward},
	    {"save -> load predicts bit for bit the same", test_save_load_predicts_the_same},
	    {"damaged HYPR and ZSCR blocks are refused", test_damaged_blocks_are_refused},
	    {"bad configs are refused", test_bad_config_is_refused},
	    {"a tiny run learns a separable set of flows", test_learns_a_separable_set},
	    {"training is bit for bit reproducible", test_training_is_reproducible},
	    CU_TEST_INFO_NULL,
	};
	return pronet_unit_run("flow_cnn", tests);
}
