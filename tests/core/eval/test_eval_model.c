/* Tests of core/eval/eval_model.c (`pronet eval -m`): a small model with
 * random weights and its own calibration, scored on a crafted dataset that
 * has a class the model lacks ("delta") and lacks one it has ("omega"),
 * gives exactly the confusion matrices, decisions and open-set figures
 * computed here independently (each packet through pronet_model_predict,
 * the flow's probabilities as the normalised geometric mean of its
 * packets', argmax, the model's thresholds); a dataset with no class of
 * the model and one whose records the model cannot read are refused with
 * a message. */
#include "core/eval/eval_model.h"
#include "core/model/flow_predict.h"
#include "core/train/train.h"
#include "tests/unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CAPTURES 3
#define FLOWS 8   /* per capture */
#define PACKETS 3 /* per flow */

static char *data_classes[4] = {"alpha", "beta", "gamma", "delta"};
static const char *model_classes[4] = {"gamma", "alpha", "omega", "beta"};
static char *train_classes[4] = {"gamma", "alpha", "omega", "beta"};
static char *other_classes[2] = {"x", "y"};
static char *capture_names[CAPTURES] = {"a.pcap", "b.pcap", "c.pcap"};

/* Flow f of capture c has class (f + c) % 4; its packets' bytes are
 * lowercase letters that vary with the class, packet and flow, and not
 * periodically (a max-pooled CNN barely tells shifts of one sequence
 * apart); text-like, not random-looking. */
static struct pronet_dataset *crafted(char **names, size_t num_names)
{
	struct pronet_dataset *d = calloc(1, sizeof(*d));
	size_t n = CAPTURES * FLOWS * PACKETS;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	pronet_input_spec_default(&d->spec);
	d->samples = calloc(n, sizeof(*d->samples));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->samples);
	d->num_samples = n;
	d->class_names = names;
	d->num_classes = num_names;
	d->capture_names = capture_names;
	d->num_captures = CAPTURES;
	for (size_t i = 0; i < n; i++) {
		size_t packet = i % PACKETS, flow = (i / PACKETS) % FLOWS,
		       capture = i / (PACKETS * FLOWS);
		struct pronet_sample *s = &d->samples[i];

		s->input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
		s->capture = (uint32_t)capture;
		s->flow = flow;
		s->label = (uint16_t)((flow + capture) % num_names);
		s->input.packet_index = (uint32_t)packet;
		s->input.payload_index = (uint16_t)packet;
		s->input.length = 16;
		s->input.l4_protocol = 6;
		for (size_t b = 0; b < 16; b++) {
			size_t mix = s->label * 131 + packet * 31 + flow * 17 + b * b * 7 + b;

			PRONET_UNIT_BYTES(s->input)[b] = (uint8_t)('a' + mix % 26);
		}
	}
	return d;
}

static void crafted_free(struct pronet_dataset *d)
{
	free(d->samples);
	free(d);
}

static void crafted_free(struct pronet_dataset *d);

/* A few training steps on crafted data of the model's classes: weights
 * whose verdicts differ from flow to flow. */
static struct pronet_model *small_model(void)
{
	struct pronet_dataset *d = crafted(train_classes, 4);
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_cnn_config config;
	struct pronet_train_options train;
	struct pronet_model *model = NULL;

	pronet_cnn_config_default(&config);
	config.embed_dim = 6;
	config.filters = 4;
	config.ngram_buckets = 32;
	CU_ASSERT_EQUAL_FATAL(pronet_model_new_cnn(&config, model_classes, 4, 11, &model, errbuf),
	                      PRONET_OK);
	pronet_train_options_default(&train);
	train.steps = 20;
	train.epochs = 0;
	train.batch_size = 8;
	train.learning_rate = 0.01f;
	train.progress_every = 0;
	CU_ASSERT_EQUAL_FATAL(pronet_train(model, d, &train, NULL, NULL, errbuf), PRONET_OK);
	crafted_free(d);
	CU_ASSERT_EQUAL_FATAL(pronet_model_set_calibration(model, 0.5f, NULL, errbuf), PRONET_OK);
	return model;
}

static int by_value(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

struct expected;
static void expect(const struct pronet_model *model, const struct pronet_dataset *d,
                   struct expected *e);

/* The verdicts as this test computes them, without flow_predict.c. */
struct expected {
	uint64_t confusion[4][5], thresholded[4][5];
	uint64_t unknown_flows, unknown_abstained, unknown_named[4], named, below;
	float best_probability[CAPTURES * FLOWS];
};

static void expect(const struct pronet_model *model, const struct pronet_dataset *d,
                   struct expected *e)
{
	memset(e, 0, sizeof(*e));
	for (size_t start = 0; start < d->num_samples; start += PACKETS) {
		double log_mean[4] = {0, 0, 0, 0}, sum = 0.0;
		int truth = pronet_model_find_class(model, d->class_names[d->samples[start].label]);
		size_t best = 0;
		float threshold;
		int accepted;

		CU_ASSERT_FALSE(pronet_flow_looks_random(&d->samples[start].input, 1));
		for (size_t p = 0; p < PACKETS; p++) {
			float probabilities[4];

			CU_ASSERT_EQUAL_FATAL(pronet_model_predict(model, NULL,
			                                           &d->samples[start + p].input,
			                                           probabilities, NULL),
			                      PRONET_OK);
			for (size_t k = 0; k < 4; k++)
				log_mean[k] += log((double)probabilities[k]) / PACKETS;
		}
		for (size_t k = 0; k < 4; k++)
			sum += exp(log_mean[k]);
		for (size_t k = 1; k < 4; k++)
			if (log_mean[k] > log_mean[best])
				best = k;
		e->best_probability[start / PACKETS] = (float)(exp(log_mean[best]) / sum);
		/* A class the calibration left at 0 decides at 0.5, as the plugin
		 * does without a thresholds file (plugin/attach.c). */
		threshold = pronet_model_threshold(model, best);
		if (threshold == 0.0f)
			threshold = 0.5f;
		accepted = e->best_probability[start / PACKETS] >= threshold;
		e->named += accepted;
		e->below += !accepted;
		if (truth < 0) {
			e->unknown_flows++;
			e->unknown_abstained += !accepted;
			if (accepted)
				e->unknown_named[best]++;
			continue;
		}
		e->confusion[truth][best]++;
		e->thresholded[truth][accepted ? best : 4]++;
	}
}

static void test_scores_match_an_independent_count(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *d = crafted(data_classes, 4);
	struct pronet_model *model = small_model();
	struct pronet_eval_options options;
	struct pronet_eval_result *r = NULL;
	struct expected e;
	uint64_t flows = 0;

	float sorted[CAPTURES * FLOWS], thresholds[4];

	/* Thresholds at the median verdict's probability:
	 * some flows are named and some abstain. */
	pronet_eval_options_default(&options);
	expect(model, d, &e);
	memcpy(sorted, e.best_probability, sizeof(sorted));
	qsort(sorted, CAPTURES * FLOWS, sizeof(float), by_value);
	for (size_t k = 0; k < 4; k++)
		thresholds[k] = sorted[CAPTURES * FLOWS / 2];
	CU_ASSERT_EQUAL_FATAL(pronet_model_set_calibration(model, 0.5f, thresholds, errbuf),
	                      PRONET_OK);
	expect(model, d, &e);
	CU_ASSERT_EQUAL_FATAL(pronet_eval_model(model, d, &options, &r, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(r->num_classes, 4);
	CU_ASSERT_EQUAL(r->repeats, 1);
	CU_ASSERT_EQUAL(r->trainings, 0);
	CU_ASSERT_STRING_EQUAL(r->class_names[0], "gamma");
	CU_ASSERT_STRING_EQUAL(r->class_names[2], "omega");
	for (size_t i = 0; i < 4; i++)
		for (size_t j = 0; j < 5; j++) {
			CU_ASSERT_EQUAL(r->confusion[i * 5 + j], e.confusion[i][j]);
			CU_ASSERT_EQUAL(r->confusion_thresholded[i * 5 + j], e.thresholded[i][j]);
			flows += r->confusion_thresholded[i * 5 + j];
		}
	/* omega has no flows; delta's 6 are the open-set figures. */
	for (size_t j = 0; j < 5; j++)
		CU_ASSERT_EQUAL(r->confusion_thresholded[2 * 5 + j], 0);
	CU_ASSERT_EQUAL(flows + r->held_out_flows, CAPTURES * FLOWS);
	CU_ASSERT_EQUAL(r->held_out_flows, e.unknown_flows);
	CU_ASSERT_EQUAL(r->held_out_flows, CAPTURES * FLOWS / 4);
	CU_ASSERT_EQUAL(r->held_out_abstained, e.unknown_abstained);
	CU_ASSERT_EQUAL(r->unknown_flows[3], e.unknown_flows);
	CU_ASSERT_EQUAL(r->unknown_abstained[3], e.unknown_abstained);
	CU_ASSERT_EQUAL(r->unknown_flows[0] + r->unknown_flows[1] + r->unknown_flows[2], 0);
	for (size_t k = 0; k < 4; k++)
		CU_ASSERT_EQUAL(r->held_out_named[k], e.unknown_named[k]);
	CU_ASSERT_EQUAL(r->decisions[PRONET_FLOW_NAMED], e.named);
	CU_ASSERT_EQUAL(r->decisions[PRONET_FLOW_BELOW_THRESHOLD], e.below);
	/* Both kinds of verdict occur, or the comparison tests little. */
	CU_ASSERT(e.named > 0 && e.below > 0);
	CU_ASSERT_DOUBLE_EQUAL(r->temperature_sum, 0.5, 1e-9);
	pronet_eval_result_free(r);
	pronet_model_free(model);
	crafted_free(d);
}

/* Classes without a calibrated threshold (0) decide at the plugin's default,
 * not at 0 (which named every flow): a figure of eval measures the host. */
static void test_uncalibrated_classes_decide_as_the_plugin(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *d = crafted(data_classes, 4);
	struct pronet_model *model = small_model();
	float thresholds[4] = {0.0f, 0.0f, 0.0f, 0.0f};
	struct pronet_eval_options options;
	struct pronet_eval_result *r = NULL;
	struct expected e;
	size_t above = 0;

	/* The first temperature that puts flows on both sides of 0.5, or the
	 * test cannot tell 0 from 0.5. */
	pronet_eval_options_default(&options);
	for (float temperature = 0.001f; temperature < 64.0f; temperature *= 1.1f) {
		CU_ASSERT_EQUAL_FATAL(
		    pronet_model_set_calibration(model, temperature, thresholds, errbuf),
		    PRONET_OK);
		expect(model, d, &e);
		above = 0;
		for (size_t f = 0; f < CAPTURES * FLOWS; f++)
			above += e.best_probability[f] >= PRONET_THRESHOLD_DEFAULT;
		if (above > 0 && above < CAPTURES * FLOWS)
			break;
	}
	CU_ASSERT_FATAL(above > 0 && above < CAPTURES * FLOWS);
	CU_ASSERT_EQUAL_FATAL(pronet_eval_model(model, d, &options, &r, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(r->decisions[PRONET_FLOW_NAMED], above);
	CU_ASSERT_EQUAL(r->decisions[PRONET_FLOW_BELOW_THRESHOLD], CAPTURES * FLOWS - above);
	for (size_t i = 0; i < 4; i++)
		for (size_t j = 0; j < 5; j++)
			CU_ASSERT_EQUAL(r->confusion_thresholded[i * 5 + j], e.thresholded[i][j]);
	pronet_eval_result_free(r);
	pronet_model_free(model);
	crafted_free(d);
}

static void test_no_shared_class_is_refused(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *d = crafted(other_classes, 2);
	struct pronet_model *model = small_model();
	struct pronet_eval_options options;
	struct pronet_eval_result *r = NULL;

	pronet_eval_options_default(&options);
	CU_ASSERT_EQUAL(pronet_eval_model(model, d, &options, &r, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "no class of the dataset is a class of the model"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "model: gamma, alpha, omega, beta"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "dataset: x, y"));
	pronet_model_free(model);
	crafted_free(d);
}

static void test_records_the_model_cannot_read_are_refused(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *d = crafted(data_classes, 4);
	struct pronet_model *model = small_model();
	struct pronet_eval_options options;
	struct pronet_eval_result *r = NULL;

	pronet_eval_options_default(&options);
	d->spec.layer = PRONET_LAYER_L3;
	CU_ASSERT_EQUAL(pronet_eval_model(model, d, &options, &r, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "IP header"));
	d->spec.layer = PRONET_LAYER_PAYLOAD;
	d->spec.window_bytes = 8;
	CU_ASSERT_EQUAL(pronet_eval_model(model, d, &options, &r, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "keeps 8 bytes"));
	CU_ASSERT_PTR_NULL(r);
	pronet_model_free(model);
	crafted_free(d);
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"scores match an independent count", test_scores_match_an_independent_count},
	    {"uncalibrated classes decide as the plugin",
	     test_uncalibrated_classes_decide_as_the_plugin},
	    {"no shared class is refused", test_no_shared_class_is_refused},
	    {"records the model cannot read are refused",
	     test_records_the_model_cannot_read_are_refused},
	    CU_TEST_INFO_NULL,
	};

	return pronet_unit_run("eval_model", tests);
}
