/* Tests of core/arch/deep_packet/: the input step (UDP header padded to 20
 * bytes, / 255, zero padding); each network's gradient against central
 * finite differences; a save/load round trip gives the same predictions bit
 * for bit, and batched predictions equal single ones; a damaged HYPR block
 * is refused; a short training run learns a separable two-class set;
 * training twice with one seed and thread count gives the same weights bit
 * for bit, and the SAE's pretraining changes its first layer. */
#include "core/arch/deep_packet/deep_packet.h"
#include "core/data/dataset.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "core/train/train.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const classes[] = {"a", "b"};

/* A 60-byte IPv4/UDP or TCP record: 20-byte IP header (addresses zero, as
 * the input builder leaves them), the transport header, then payload bytes
 * of `pattern` with noise from rng. */
static struct pronet_packet_record make_record(int udp, uint8_t pattern, struct pronet_rng *rng)
{
	struct pronet_packet_record r = {0};
	uint8_t *bytes = pronet_unit_record_bytes(DEEP_PACKET_INPUT_BYTES);
	size_t header = udp ? 8 : 20;

	r.bytes = bytes;
	r.length = 100;
	r.layer = PRONET_LAYER_L3;
	r.l4_protocol = udp ? 17 : 6;
	r.l4_offset = 20;
	r.payload_offset = (uint16_t)(20 + header);
	bytes[0] = 0x45; /* IPv4, 5 words */
	bytes[9] = r.l4_protocol;
	for (size_t i = 20; i < 20 + header; i++)
		bytes[i] = (uint8_t)pronet_rng_below(rng, 256);
	for (size_t i = 20 + header; i < r.length; i++)
		bytes[i] = (uint8_t)(pattern ^ (pronet_rng_below(rng, 4) == 0
		                                    ? (uint8_t)pronet_rng_below(rng, 256)
		                                    : 0));
	return r;
}

static void test_input_step(void)
{
	struct pronet_rng rng;
	struct pronet_packet_record udp, tcp;
	static float x[DEEP_PACKET_INPUT_BYTES];

	pronet_rng_seed(&rng, 3);
	udp = make_record(1, 0x80, &rng);
	deep_packet_input(&udp, x);
	CU_ASSERT_EQUAL(x[0], (float)0x45 / 255.0f);
	CU_ASSERT_EQUAL(x[27], (float)udp.bytes[27] / 255.0f); /* last UDP header byte */
	for (size_t i = 28; i < 40; i++)
		CU_ASSERT_EQUAL(x[i], 0.0f);                   /* the 12 bytes of padding */
	CU_ASSERT_EQUAL(x[40], (float)udp.bytes[28] / 255.0f); /* first payload byte */
	CU_ASSERT_EQUAL(x[111], (float)udp.bytes[99] / 255.0f);
	CU_ASSERT_EQUAL(x[112], 0.0f);
	CU_ASSERT_EQUAL(x[DEEP_PACKET_INPUT_BYTES - 1], 0.0f);

	tcp = make_record(0, 0x80, &rng);
	deep_packet_input(&tcp, x);
	for (size_t i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(x[i], (float)tcp.bytes[i] / 255.0f);
	CU_ASSERT_EQUAL(x[100], 0.0f);

	/* Offsets that do not describe a UDP header inside the bytes: as is. */
	udp.payload_offset = 200;
	deep_packet_input(&udp, x);
	CU_ASSERT_EQUAL(x[28], (float)udp.bytes[28] / 255.0f);
}

static struct pronet_model *new_model(const char *arch, uint32_t divisor, float dropout,
                                      uint64_t seed)
{
	const struct pronet_arch_ops *ops = pronet_arch_find(arch);
	char config[PRONET_ARCH_CONFIG_MAX], errbuf[PRONET_ERRBUF_SIZE], value[16];
	struct pronet_model *model = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
	pronet_arch_config_default(ops, config);
	snprintf(value, sizeof(value), "%u", divisor);
	CU_ASSERT_EQUAL_FATAL(pronet_arch_config_set(ops, config, "width-divisor", value, errbuf),
	                      PRONET_OK);
	snprintf(value, sizeof(value), "%g", (double)dropout);
	CU_ASSERT_EQUAL_FATAL(pronet_arch_config_set(ops, config, "dropout", value, errbuf),
	                      PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_model_new(ops, config, pronet_arch_config_size(ops), classes,
	                                       2, seed, &model, errbuf),
	                      PRONET_OK);
	return model;
}

#define GRAD_BATCH 4

/* Mean loss of a fixed batch and (if gradient) its gradient, 1 thread. */
static double batch_loss(struct pronet_model *model, const struct pronet_packet_record *records,
                         float *gradient)
{
	const struct pronet_packet_record *inputs[GRAD_BATCH];
	uint32_t labels[GRAD_BATCH];
	float losses[GRAD_BATCH];
	uint8_t correct[GRAD_BATCH];
	float *grads[1];
	void *ws = NULL;
	double sum = 0.0;

	for (size_t b = 0; b < GRAD_BATCH; b++) {
		inputs[b] = &records[b];
		labels[b] = (uint32_t)(b % 2);
	}
	struct pronet_train_batch batch = {inputs, labels, GRAD_BATCH, 5, 1, losses, correct, NULL};

	grads[0] = gradient != NULL ? gradient : calloc(model->num_trainable, sizeof(float));
	CU_ASSERT_PTR_NOT_NULL_FATAL(grads[0]);
	CU_ASSERT_EQUAL_FATAL(model->ops->train_begin(model, GRAD_BATCH, 1, &ws), PRONET_OK);
	model->ops->train_batch(model, ws, &batch, grads);
	model->ops->train_end(ws);
	for (size_t b = 0; b < GRAD_BATCH; b++)
		sum += losses[b];
	if (gradient == NULL)
		free(grads[0]);
	return sum / GRAD_BATCH;
}

/* Every 97th weight (and the last): backpropagation against (L(w+h) -
 * L(w-h)) / 2h. The ReLUs may cross a kink for a handful of weights; more
 * than 3 misses of the ~dozens checked is a wrong gradient. */
static void check_gradient(const char *arch)
{
	struct pronet_model *model = new_model(arch, 20, 0.0f, 11);
	struct pronet_packet_record records[GRAD_BATCH];
	struct pronet_rng rng;
	float *gradient = calloc(model->num_trainable, sizeof(float));
	size_t checked = 0, misses = 0;
	const double h = 1e-3;

	CU_ASSERT_PTR_NOT_NULL_FATAL(gradient);
	pronet_rng_seed(&rng, 8);
	for (size_t b = 0; b < GRAD_BATCH; b++)
		records[b] = make_record((int)(b % 2), (uint8_t)(0x30 * (b + 1)), &rng);
	batch_loss(model, records, gradient);
	for (size_t i = 0; i < model->num_trainable;
	     i += (i + 97 < model->num_trainable ? 97 : 1)) {
		float saved = model->weights[i];
		double up, down, numeric;

		model->weights[i] = saved + (float)h;
		up = batch_loss(model, records, NULL);
		model->weights[i] = saved - (float)h;
		down = batch_loss(model, records, NULL);
		model->weights[i] = saved;
		numeric = (up - down) / (2 * h);
		checked++;
		if (fabs(numeric - gradient[i]) > 2e-3 + 0.05 * fabs(numeric))
			misses++;
		if (i + 1 == model->num_trainable)
			break;
	}
	CU_ASSERT(checked > 20);
	CU_ASSERT(misses <= 3);
	if (misses > 3)
		printf("%s: %zu of %zu gradient checks missed\n", arch, misses, checked);
	free(gradient);
	pronet_model_free(model);
}

static void test_cnn_gradient(void)
{
	check_gradient("deep-packet-cnn");
}

static void test_sae_gradient(void)
{
	check_gradient("deep-packet-sae");
}

/* Predictions of records[n] into probabilities[n][2]. */
static void predict_all(const struct pronet_model *model,
                        const struct pronet_packet_record *records, size_t n, float *probabilities)
{
	struct pronet_workspace *ws = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL_FATAL(pronet_workspace_new(model, &ws, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL(ws);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(
		    pronet_model_predict(model, ws, &records[i], probabilities + 2 * i, NULL),
		    PRONET_OK);
	/* Without a workspace the model cannot run: refused, not a crash. */
	CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, &records[0], probabilities, NULL),
	                PRONET_ERR_ARG);
	pronet_workspace_free(ws);
}

static void round_trip(const char *arch)
{
	struct pronet_model *model = new_model(arch, 10, 0.25f, 4), *loaded = NULL;
	struct pronet_packet_record records[6];
	float before[12], after[12];
	char path[512], errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_rng rng;
	struct pronet_input_spec spec;

	pronet_rng_seed(&rng, 5);
	for (size_t i = 0; i < 6; i++)
		records[i] = make_record((int)(i % 2), (uint8_t)(17 * i), &rng);
	predict_all(model, records, 6, before);
	snprintf(path, sizeof(path), "%s/deep-packet-%s.pronet", pronet_unit_tmpdir(), arch);
	CU_ASSERT_EQUAL_FATAL(pronet_model_save(model, path, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_model_load(path, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_STRING_EQUAL(pronet_arch_name(pronet_model_arch(loaded)), arch);
	predict_all(loaded, records, 6, after);
	CU_ASSERT_EQUAL(memcmp(before, after, sizeof(before)), 0);
	pronet_model_input_spec(loaded, &spec);
	CU_ASSERT_EQUAL(spec.window_bytes, DEEP_PACKET_INPUT_BYTES);
	CU_ASSERT_EQUAL(spec.layer, PRONET_LAYER_L3);
	remove(path);
	pronet_model_free(loaded);
	pronet_model_free(model);
}

static void test_round_trip(void)
{
	round_trip("deep-packet-cnn");
	round_trip("deep-packet-sae");
}

#define BATCH_RECORDS 70 /* past two of the SAE's groups of 32, and a partial one */

/* pronet_model_predict_batch gives each packet the bits pronet_model_predict
 * gives it alone, whatever group the packet falls in (the SAE's batch hook
 * runs its dense layers over a group at once). */
static void batch_equals_single(const char *arch, uint32_t divisor)
{
	struct pronet_model *model = new_model(arch, divisor, 0.25f, 9);
	static struct pronet_packet_record records[BATCH_RECORDS];
	static float single[BATCH_RECORDS * 2], batched[BATCH_RECORDS * 2];
	size_t best[BATCH_RECORDS], distinct = 0;
	struct pronet_workspace *ws = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_rng rng;

	pronet_rng_seed(&rng, 11);
	for (size_t i = 0; i < BATCH_RECORDS; i++)
		records[i] = make_record((int)(i % 3 == 0), (uint8_t)(37 * i), &rng);
	predict_all(model, records, BATCH_RECORDS, single);
	CU_ASSERT_EQUAL_FATAL(pronet_workspace_new(model, &ws, errbuf), PRONET_OK);
	memset(batched, 0, sizeof(batched));
	CU_ASSERT_EQUAL(
	    pronet_model_predict_batch(model, ws, records, BATCH_RECORDS, batched, best),
	    PRONET_OK);
	CU_ASSERT_EQUAL(memcmp(single, batched, sizeof(single)), 0);
	for (size_t i = 0; i < BATCH_RECORDS; i++) {
		CU_ASSERT_EQUAL(best[i], batched[2 * i + 1] > batched[2 * i] ? 1u : 0u);
		distinct += single[2 * i] != single[0];
	}
	CU_ASSERT(distinct > BATCH_RECORDS / 2); /* the packets' outputs differ */
	/* One packet, then none. */
	CU_ASSERT_EQUAL(pronet_model_predict_batch(model, ws, records + 5, 1, batched, NULL),
	                PRONET_OK);
	CU_ASSERT_EQUAL(memcmp(single + 10, batched, 2 * sizeof(float)), 0);
	CU_ASSERT_EQUAL(pronet_model_predict_batch(model, ws, records, 0, batched, NULL),
	                PRONET_OK);
	CU_ASSERT_EQUAL(pronet_model_predict_batch(model, NULL, records, 1, batched, NULL),
	                PRONET_ERR_ARG);
	pronet_workspace_free(ws);
	pronet_model_free(model);
}

static void test_batch_predictions(void)
{
	CU_ASSERT_PTR_NOT_NULL(pronet_arch_find("deep-packet-sae")->batch_logits);
	batch_equals_single("deep-packet-sae", 1);
	batch_equals_single("deep-packet-sae", 7);
	batch_equals_single("deep-packet-cnn", 4);
}

/* The model file in memory, and where its HYPR block's bytes start. */
static uint8_t *saved_bytes(const struct pronet_model *model, size_t *size, size_t *hyper)
{
	char path[512], errbuf[PRONET_ERRBUF_SIZE];
	uint8_t *bytes;
	FILE *file;
	long length;

	snprintf(path, sizeof(path), "%s/deep-packet-hypr.pronet", pronet_unit_tmpdir());
	CU_ASSERT_EQUAL_FATAL(pronet_model_save(model, path, errbuf), PRONET_OK);
	file = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	CU_ASSERT_EQUAL_FATAL(fseek(file, 0, SEEK_END), 0);
	length = ftell(file);
	rewind(file);
	bytes = malloc((size_t)length);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
	CU_ASSERT_EQUAL_FATAL(fread(bytes, 1, (size_t)length, file), (size_t)length);
	fclose(file);
	remove(path);
	*size = (size_t)length;
	*hyper = 0;
	for (size_t i = 0; i + 8 < *size && *hyper == 0; i++)
		if (memcmp(bytes + i, "HYPR", 4) == 0)
			*hyper = i + 8; /* tag, u32 length */
	CU_ASSERT_FATAL(*hyper != 0);
	return bytes;
}

/* Damaging a HYPR field, little-endian u32 `value` at field `index`. */
static void expect_refused(const uint8_t *bytes, size_t size, size_t at, uint32_t value)
{
	uint8_t *copy = malloc(size);
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, bytes, size);
	for (int k = 0; k < 4; k++)
		copy[at + (size_t)k] = (uint8_t)(value >> (8 * k));
	CU_ASSERT_NOT_EQUAL(pronet_model_load_buffer(copy, size, "damaged", &model, errbuf),
	                    PRONET_OK);
	CU_ASSERT_PTR_NULL(model);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "damaged"));
	free(copy);
}

static void test_damaged_hyper(void)
{
	struct pronet_model *cnn = new_model("deep-packet-cnn", 10, 0.25f, 1);
	struct pronet_model *sae = new_model("deep-packet-sae", 10, 0.25f, 1);
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t size, hyper;
	uint8_t *bytes = saved_bytes(cnn, &size, &hyper);

	/* Intact, it loads. */
	CU_ASSERT_EQUAL(pronet_model_load_buffer(bytes, size, "intact", &model, errbuf), PRONET_OK);
	pronet_model_free(model);
	expect_refused(bytes, size, hyper + 0, 1499);        /* input bytes */
	expect_refused(bytes, size, hyper + 4, 0);           /* stride1 0 */
	expect_refused(bytes, size, hyper + 8, 1000);        /* stride2 past 64 */
	expect_refused(bytes, size, hyper + 12, 0);          /* pool windows: too many features */
	expect_refused(bytes, size, hyper + 20, 2);          /* max_pool neither 0 nor 1 */
	expect_refused(bytes, size, hyper + 24, 1);          /* another width: tensors disagree */
	expect_refused(bytes, size, hyper + 28, 0x7fc00000); /* dropout NaN */
	free(bytes);
	bytes = saved_bytes(sae, &size, &hyper);
	expect_refused(bytes, size, hyper + 0, 1024);
	expect_refused(bytes, size, hyper + 4, 0);
	expect_refused(bytes, size, hyper + 8, 0x3f800000); /* dropout 1 */
	free(bytes);
	pronet_model_free(cnn);
	pronet_model_free(sae);
}

/* Two classes told apart by their payload bytes (0x11.. against 0xee..,
 * a quarter of them noise), UDP and TCP mixed. */
static struct pronet_dataset *separable_set(size_t n, uint64_t seed)
{
	struct pronet_dataset *data = pronet_dataset_new();
	struct pronet_rng rng;
	uint16_t label;
	uint32_t capture;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_intern_capture(data, "synthetic", &capture),
	                      PRONET_OK);
	data->spec.window_bytes = DEEP_PACKET_INPUT_BYTES;
	data->spec.layer = PRONET_LAYER_L3;
	data->spec.flags = 0;
	data->spec.packets_per_direction = 4;
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_intern_class(data, "a", &label), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_intern_class(data, "b", &label), PRONET_OK);
	pronet_rng_seed(&rng, seed);
	for (size_t i = 0; i < n; i++) {
		struct pronet_sample sample = {0};

		sample.label = (uint16_t)(i % 2);
		sample.input =
		    make_record((int)(pronet_rng_below(&rng, 2)), sample.label ? 0xee : 0x11, &rng);
		sample.flow = i;
		CU_ASSERT_EQUAL_FATAL(pronet_dataset_append(data, &sample), PRONET_OK);
	}
	return data;
}

static void train_model(struct pronet_model *model, const struct pronet_dataset *data,
                        uint32_t threads, uint64_t seed, uint32_t epochs)
{
	struct pronet_train_options options;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_train_options_default(&options);
	options.batch_size = 16;
	options.epochs = epochs;
	options.threads = threads;
	options.seed = seed;
	options.progress_every = 0;
	CU_ASSERT_EQUAL_FATAL(pronet_train(model, data, &options, NULL, NULL, errbuf), PRONET_OK);
}

static double accuracy(const struct pronet_model *model, const struct pronet_dataset *data)
{
	float probabilities[2];
	struct pronet_workspace *ws = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t right = 0, best;

	CU_ASSERT_EQUAL_FATAL(pronet_workspace_new(model, &ws, errbuf), PRONET_OK);
	for (size_t i = 0; i < data->num_samples; i++) {
		CU_ASSERT_EQUAL(
		    pronet_model_predict(model, ws, &data->samples[i].input, probabilities, &best),
		    PRONET_OK);
		right += best == data->samples[i].label;
	}
	pronet_workspace_free(ws);
	return (double)right / (double)data->num_samples;
}

static void learns(const char *arch, uint32_t divisor)
{
	struct pronet_dataset *train = separable_set(96, 21), *test = separable_set(40, 22);
	struct pronet_model *model = new_model(arch, divisor, 0.25f, 2);

	CU_ASSERT(accuracy(model, test) < 0.9); /* not by chance before training */
	double after;

	train_model(model, train, 2, 3, 12);
	after = accuracy(model, test);
	CU_ASSERT(after >= 0.95);
	if (after < 0.95)
		printf("%s: accuracy %.3f after training (%.3f on the training set)\n", arch, after,
		       accuracy(model, train));
	pronet_model_free(model);
	pronet_dataset_free(train);
	pronet_dataset_free(test);
}

static void test_learns_separable(void)
{
	/* The SAE's last hidden layer is 50 / divisor units wide: dropout on 5 of
	 * them (divisor 10) leaves too little to learn from in a few steps. */
	learns("deep-packet-cnn", 10);
	learns("deep-packet-sae", 2);
}

static void reproducible(const char *arch)
{
	struct pronet_dataset *train = separable_set(48, 31);
	struct pronet_model *a = new_model(arch, 10, 0.25f, 7), *b = new_model(arch, 10, 0.25f, 7);
	struct pronet_model *c = new_model(arch, 10, 0.25f, 7);

	train_model(a, train, 2, 9, 2);
	train_model(b, train, 2, 9, 2);
	train_model(c, train, 2, 10, 2);
	CU_ASSERT_EQUAL(a->num_weights, b->num_weights);
	CU_ASSERT_EQUAL(memcmp(a->weights, b->weights, a->num_weights * sizeof(float)), 0);
	/* Another seed trains to other weights: the comparison can fail. */
	CU_ASSERT_NOT_EQUAL(memcmp(a->weights, c->weights, a->num_weights * sizeof(float)), 0);
	pronet_model_free(a);
	pronet_model_free(b);
	pronet_model_free(c);
	pronet_dataset_free(train);
}

static void test_reproducible(void)
{
	reproducible("deep-packet-cnn");
	reproducible("deep-packet-sae");
}

/* Pretraining alone (0 fine-tuning steps is not an option of the loop, so
 * call the hook): the first layer moves, the output layer does not. */
static void test_sae_pretrain(void)
{
	struct pronet_dataset *train = separable_set(32, 41);
	struct pronet_model *model = new_model("deep-packet-sae", 10, 0.25f, 7);
	const struct deep_packet_sae_state *s = deep_packet_sae_state(model);
	size_t first = s->layout.widths[0] * s->layout.widths[1];
	size_t last = s->layout.num_layers - 1;
	size_t output = s->layout.widths[last] * s->layout.widths[last + 1];
	float *before = malloc(first * sizeof(float)), *out_before = malloc(output * sizeof(float));
	struct pronet_train_options options;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out_before);
	memcpy(before, s->weights.w[0], first * sizeof(float));
	memcpy(out_before, s->weights.w[last], output * sizeof(float));
	pronet_train_options_default(&options);
	options.batch_size = 8;
	options.threads = 2;
	CU_ASSERT_EQUAL(model->ops->pretrain(model, train, &options, errbuf), PRONET_OK);
	CU_ASSERT_NOT_EQUAL(memcmp(before, s->weights.w[0], first * sizeof(float)), 0);
	CU_ASSERT_EQUAL(memcmp(out_before, s->weights.w[last], output * sizeof(float)), 0);
	free(before);
	free(out_before);
	pronet_model_free(model);
	pronet_dataset_free(train);
}

static CU_TestInfo tests[] = {
    {"input step pads UDP and divides by 255", test_input_step},
    {"CNN gradient matches finite differences", test_cnn_gradient},
    {"SAE gradient matches finite differences", test_sae_gradient},
    {"save and load keep every prediction", test_round_trip},
    {"batched predictions equal single ones", test_batch_predictions},
    {"damaged HYPR fields are refused", test_damaged_hyper},
    {"a short run learns a separable set", test_learns_separable},
    {"training is reproducible per seed", test_reproducible},
    {"SAE pretraining moves the encoder only", test_sae_pretrain},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/arch/deep_packet/deep_packet", tests);
}
