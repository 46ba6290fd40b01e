/* Tests of core/eval/eval.c and core/model/flow_predict.c: flows are grouped by
 * (capture, flow) in packet order and a flow with two labels is refused;
 * fold assignment never splits a capture, a family of captures or a flow
 * and uses every fold; scores match a confusion matrix computed by hand;
 * a flow's verdict is the softmax of its packets' mean logits (or of
 * their mean weighted by each packet's confidence); a small
 * cross-validation runs end to end and counts every flow once per run. */
#include "core/eval/eval.h"
#include "core/model/flow_predict.h"
#include "core/nn/softmax_xent.h"
#include "core/train/train.h"
#include "tests/unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *class_names[3] = {"alpha", "beta", "gamma"};
static char *capture_names[6] = {"a.pcap", "b.pcap", "c.pcap", "d.pcap", "e.pcap", "f.pcap"};

/* flows_per_capture flows in each of 6 captures, `packets` samples each;
 * class = flow number % 3; the first four bytes say the class ("AAAA",
 * "BBBB", "CCCC"), then the packet number and a per-flow byte >= 0x80, so
 * a model can learn it; samples are stored in a scrambled order. */
static struct pronet_dataset *crafted(size_t flows_per_capture, size_t packets)
{
	struct pronet_dataset *d = calloc(1, sizeof(*d));
	size_t n = 6 * flows_per_capture * packets;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	pronet_input_spec_default(&d->spec); /* the 16 payload bytes made below */
	d->samples = calloc(n, sizeof(*d->samples));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->samples);
	d->num_samples = n;
	d->class_names = class_names;
	d->num_classes = 3;
	d->capture_names = capture_names;
	d->num_captures = 6;
	for (size_t i = 0; i < n; i++) {
		size_t j = (i * 7919) % n; /* 7919 is prime to every n used here */
		size_t packet = j % packets, flow = (j / packets) % flows_per_capture;
		size_t capture = j / (packets * flows_per_capture);
		struct pronet_sample *s = &d->samples[i];

		s->input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);

		s->capture = (uint32_t)capture;
		s->flow = flow;
		s->label = (uint16_t)(flow % 3);
		s->input.packet_index = (uint32_t)packet;
		s->input.payload_index = (uint16_t)packet;
		s->input.length = 16;
		memset(PRONET_UNIT_BYTES(s->input), 'A' + s->label, 4);
		PRONET_UNIT_BYTES(s->input)[4] = (uint8_t)packet;
		PRONET_UNIT_BYTES(s->input)[5] = (uint8_t)(0x80 + flow * 13 + capture);
		s->input.l4_protocol = 17;
	}
	return d;
}

static void crafted_free(struct pronet_dataset *d)
{
	free(d->samples);
	free(d);
}

static void test_flows_grouped_in_packet_order(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *d = crafted(4, 3);
	struct pronet_flows *f = NULL;

	CU_ASSERT_EQUAL_FATAL(pronet_flows_index(d, &f, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(f->num_flows, 24);
	for (size_t i = 0; i < f->num_flows; i++) {
		CU_ASSERT_EQUAL(f->start[i + 1] - f->start[i], 3);
		for (size_t k = f->start[i]; k < f->start[i + 1]; k++) {
			const struct pronet_sample *s = &d->samples[f->samples[k]];

			CU_ASSERT_EQUAL(s->capture, f->capture[i]);
			CU_ASSERT_EQUAL(s->label, f->label[i]);
			CU_ASSERT_EQUAL(s->input.packet_index, k - f->start[i]);
			CU_ASSERT_EQUAL(s->flow, d->samples[f->samples[f->start[i]]].flow);
		}
	}
	pronet_flows_free(f);
	/* One flow, two labels: refused. */
	d->samples[0].label = (uint16_t)((d->samples[0].label + 1) % 3);
	CU_ASSERT_EQUAL(pronet_flows_index(d, &f, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NULL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "two classes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, d->capture_names[0]));
	crafted_free(d);
}

/* Every unit (capture, family, flow) lies in one fold; every fold is used. */
static void check_folds(const struct pronet_flows *f, const size_t *all, const uint32_t *group,
                        size_t groups, enum pronet_fold_by by, uint32_t k, uint64_t seed)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	uint32_t fold[64], unit_fold[64];
	size_t used[8] = {0};

	CU_ASSERT_FATAL(f->num_flows <= 64 && k <= 8);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_eval_assign_folds(f, all, f->num_flows, group, groups, by, k, seed, fold, errbuf),
	    PRONET_OK);
	for (size_t u = 0; u < 64; u++)
		unit_fold[u] = UINT32_MAX;
	for (size_t i = 0; i < f->num_flows; i++) {
		size_t unit = group != NULL ? group[f->capture[i]] : f->capture[i];

		CU_ASSERT_FATAL(fold[i] < k);
		used[fold[i]]++;
		if (by == PRONET_FOLD_BY_FLOW)
			continue;
		if (unit_fold[unit] == UINT32_MAX)
			unit_fold[unit] = fold[i];
		CU_ASSERT_EQUAL(unit_fold[unit], fold[i]);
	}
	for (uint32_t j = 0; j < k; j++)
		CU_ASSERT(used[j] > 0);
}

static void test_folds_keep_captures_and_families_whole(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *d = crafted(5, 2);
	struct pronet_flows *f = NULL;
	/* Families: {a, b}, {c}, {d, e, f}. */
	const uint32_t family[6] = {0, 0, 1, 2, 2, 2};
	uint32_t fold[64];
	size_t all[64];

	CU_ASSERT_EQUAL_FATAL(pronet_flows_index(d, &f, errbuf), PRONET_OK);
	for (size_t i = 0; i < f->num_flows; i++)
		all[i] = i;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		check_folds(f, all, NULL, 0, PRONET_FOLD_BY_CAPTURE, 3, seed);
		check_folds(f, all, family, 3, PRONET_FOLD_BY_CAPTURE, 3, seed);
		check_folds(f, all, NULL, 0, PRONET_FOLD_BY_FLOW, 5, seed);
	}
	/* More folds than families cannot all be used, but still never split. */
	CU_ASSERT_EQUAL(pronet_eval_assign_folds(f, all, f->num_flows, family, 3,
	                                         PRONET_FOLD_BY_CAPTURE, 5, 1, fold, errbuf),
	                PRONET_OK);
	for (size_t i = 0; i < f->num_flows; i++)
		for (size_t j = 0; j < f->num_flows; j++)
			if (family[f->capture[i]] == family[f->capture[j]])
				CU_ASSERT_EQUAL(fold[i], fold[j]);
	CU_ASSERT_EQUAL(pronet_eval_assign_folds(f, all, f->num_flows, NULL, 0,
	                                         PRONET_FOLD_BY_CAPTURE, 1, 1, fold, errbuf),
	                PRONET_ERR_ARG);
	pronet_flows_free(f);
	crafted_free(d);
}

/* Hand-computed example, 3 classes plus the abstain column:
 *            a   b   c  abst
 *   true a   8   1   1   0     support 10
 *   true b   2   6   0   2     support 10
 *   true c   0   0   0   0     support 0 (left out of the macro average)
 * a: P = 8/10, R = 8/10, F1 = 0.8
 * b: P = 6/7,  R = 6/10, F1 = 2*(6/7)(0.6)/((6/7)+0.6) = 0.70588...
 * c: predicted once (wrongly): P = 0, R = 0, F1 = 0, not in the macro
 * macro F1 = (0.8 + 0.70588) / 2; micro P = 14/18, R = 14/20. */
static void test_scores_match_hand_computed(void)
{
	const uint64_t confusion[12] = {8, 1, 1, 0, 2, 6, 0, 2, 0, 0, 0, 0};
	struct pronet_class_score per[3], macro, micro;
	double f1_b = 2.0 * (6.0 / 7.0) * 0.6 / (6.0 / 7.0 + 0.6);

	pronet_eval_scores(confusion, 3, per, &macro, &micro);
	CU_ASSERT_DOUBLE_EQUAL(per[0].precision, 0.8, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(per[0].recall, 0.8, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(per[0].f1, 0.8, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(per[1].precision, 6.0 / 7.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(per[1].recall, 0.6, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(per[1].f1, f1_b, 1e-12);
	CU_ASSERT_EQUAL(per[2].support, 0);
	CU_ASSERT_EQUAL(per[2].predicted, 1);
	CU_ASSERT_DOUBLE_EQUAL(per[2].f1, 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(macro.f1, (0.8 + f1_b) / 2.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(macro.precision, (0.8 + 6.0 / 7.0) / 2.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(micro.precision, 14.0 / 18.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(micro.recall, 14.0 / 20.0, 1e-12);
	CU_ASSERT_EQUAL(micro.support, 20);
}

/* A flow's probabilities are softmax(mean of its packets' logits / T); the
 * arithmetic mean and the first packet are the alternatives. */
static void test_flow_verdict_combines_packets(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	const char *names[3] = {"alpha", "beta", "gamma"};
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	struct pronet_packet_record inputs[3];
	float logits[3][3], mean[3], expected[3], got[3], p[3], sum[3] = {0, 0, 0};
	size_t best;

	pronet_cnn_config_default(&config);
	config.embed_dim = 8;
	config.filters = 4;
	config.ngram_buckets = 64;
	CU_ASSERT_EQUAL_FATAL(pronet_model_new_cnn(&config, names, 3, 5, &model, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_model_set_calibration(model, 2.0f, NULL, errbuf), PRONET_OK);
	memset(inputs, 0, sizeof(inputs));
	memset(mean, 0, sizeof(mean));
	for (size_t i = 0; i < 3; i++) {
		inputs[i].length = (uint8_t)(6 + 4 * i);
		inputs[i].bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
		memset(PRONET_UNIT_BYTES(inputs[i]), 0x41 + (int)(40 * i), inputs[i].length);
		/* logits = T * log p up to a constant, which softmax ignores */
		CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, &inputs[i], p, NULL), PRONET_OK);
		for (size_t c = 0; c < 3; c++) {
			logits[i][c] = 2.0f * logf(p[c]);
			mean[c] += logits[i][c] / 3.0f;
			sum[c] += p[c] / 3.0f;
		}
	}
	pronet_softmax(mean, 3, 2.0f, expected);
	CU_ASSERT_EQUAL(pronet_model_predict_flow(model, NULL, inputs, 3, got, &best), PRONET_OK);
	for (size_t c = 0; c < 3; c++)
		CU_ASSERT_DOUBLE_EQUAL(got[c], expected[c], 1e-5);
	CU_ASSERT(got[best] >= got[0] && got[best] >= got[1] && got[best] >= got[2]);
	CU_ASSERT_EQUAL(pronet_model_predict_flow_with(model, NULL, inputs, 3,
	                                               PRONET_COMBINE_MEAN_PROBABILITIES, got, NULL,
	                                               NULL),
	                PRONET_OK);
	for (size_t c = 0; c < 3; c++)
		CU_ASSERT_DOUBLE_EQUAL(got[c], sum[c], 1e-5);
	CU_ASSERT_EQUAL(pronet_model_predict_flow_with(model, NULL, inputs, 3, PRONET_COMBINE_FIRST_PACKET,
	                                               got, NULL, NULL),
	                PRONET_OK);
	CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, &inputs[0], p, NULL), PRONET_OK);
	for (size_t c = 0; c < 3; c++)
		CU_ASSERT_DOUBLE_EQUAL(got[c], p[c], 1e-6);
	CU_ASSERT_EQUAL(pronet_model_predict_flow(model, NULL, inputs, 0, got, NULL), PRONET_ERR_ARG);
	pronet_model_free(model);
}

static float expect_max_probability(const float logits[3])
{
	float p[3];

	pronet_softmax(logits, 3, 1.0f, p);
	return fmaxf(p[0], fmaxf(p[1], p[2]));
}

/* The weighted combinations: the logits' mean weighted by each packet's
 * confidence under its own softmax at temperature 1 (largest probability,
 * or 1 - entropy / log 3), computed here by hand; the combined logits
 * returned for calibration are that weighted mean. */
static void expect_weighted(struct pronet_model *model, const struct pronet_packet_record *inputs,
                            const float logits[3][3], enum pronet_flow_combine combine)
{
	float weighted[3] = {0, 0, 0}, expected[3], got[3], combined[3], p[3], total = 0.0f;

	for (size_t i = 0; i < 3; i++) {
		float w = 0.0f, entropy = 0.0f;

		pronet_softmax(logits[i], 3, 1.0f, p);
		for (size_t c = 0; c < 3; c++) {
			w = p[c] > w ? p[c] : w;
			entropy -= p[c] * logf(p[c]);
		}
		if (combine == PRONET_COMBINE_WEIGHT_ENTROPY)
			w = 1.0f - entropy / logf(3.0f);
		for (size_t c = 0; c < 3; c++)
			weighted[c] += w * logits[i][c];
		total += w;
	}
	for (size_t c = 0; c < 3; c++)
		weighted[c] /= total;
	pronet_softmax(weighted, 3, 2.0f, expected);
	CU_ASSERT_EQUAL(pronet_model_predict_flow_with(model, NULL, inputs, 3, combine, got, combined,
	                                               NULL),
	                PRONET_OK);
	for (size_t c = 0; c < 3; c++)
		CU_ASSERT_DOUBLE_EQUAL(got[c], expected[c], 1e-5);
	/* Logits are known up to a constant per packet, so compare differences. */
	CU_ASSERT_DOUBLE_EQUAL(combined[1] - combined[0], weighted[1] - weighted[0], 1e-4);
	CU_ASSERT_DOUBLE_EQUAL(combined[2] - combined[0], weighted[2] - weighted[0], 1e-4);
}

/* A model trained briefly on the crafted set, so that its packets range
 * from certain (a crafted sample) to unsure (bytes it never saw); an
 * untrained model is unsure of everything and every weight would be alike. */
static void test_flow_verdict_weights_confident_packets(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	const char *names[3] = {"alpha", "beta", "gamma"};
	struct pronet_dataset *d = crafted(3, 2);
	struct pronet_cnn_config config;
	struct pronet_train_options train;
	struct pronet_model *model = NULL;
	struct pronet_packet_record inputs[3];
	float logits[3][3], p[3], plain[3], got[3];
	enum pronet_flow_combine unknown = (enum pronet_flow_combine)(PRONET_COMBINE_LAST + 1);
	const enum pronet_flow_combine weightings[2] = {PRONET_COMBINE_WEIGHT_MAX,
	                                                PRONET_COMBINE_WEIGHT_ENTROPY};

	pronet_cnn_config_default(&config);
	config.embed_dim = 8;
	config.filters = 4;
	config.ngram_buckets = 64;
	config.dropout = 0.0f;
	pronet_train_options_default(&train);
	train.steps = 200;
	train.epochs = 0;
	train.batch_size = 16;
	train.learning_rate = 0.01f;
	train.progress_every = 0;
	CU_ASSERT_EQUAL_FATAL(pronet_model_new_cnn(&config, names, 3, 9, &model, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_train(model, d, &train, NULL, NULL, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_model_set_calibration(model, 2.0f, NULL, errbuf), PRONET_OK);
	inputs[0] = d->samples[0].input;
	inputs[1] = d->samples[1].input;
	memset(&inputs[2], 0, sizeof(inputs[2]));
	inputs[2].length = 12;
	inputs[2].bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	memset(PRONET_UNIT_BYTES(inputs[2]), 0x5a, inputs[2].length);
	for (size_t i = 0; i < 3; i++) {
		/* logits = T * log p up to a constant, which softmax ignores */
		CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, &inputs[i], p, NULL), PRONET_OK);
		for (size_t c = 0; c < 3; c++)
			logits[i][c] = 2.0f * logf(p[c]);
	}
	/* The crafted sample is far more certain than the made-up one. */
	CU_ASSERT(expect_max_probability(logits[0]) > expect_max_probability(logits[2]) + 0.2f);
	expect_weighted(model, inputs, logits, PRONET_COMBINE_WEIGHT_MAX);
	expect_weighted(model, inputs, logits, PRONET_COMBINE_WEIGHT_ENTROPY);
	/* Packets that are all the same: every weighting is the plain mean. The
	 * unsure made-up packet, so that its weight is well below 1 and a
	 * weighted sum left undivided would show (a near-certain packet's would
	 * not). */
	inputs[0] = inputs[2];
	inputs[1] = inputs[2];
	CU_ASSERT_EQUAL(pronet_model_predict_flow_with(model, NULL, inputs, 3, PRONET_COMBINE_MEAN_LOGITS,
	                                               plain, NULL, NULL),
	                PRONET_OK);
	for (size_t k = 0; k < 2; k++) {
		CU_ASSERT_EQUAL(pronet_model_predict_flow_with(model, NULL, inputs, 3, weightings[k], got,
		                                               NULL, NULL),
		                PRONET_OK);
		for (size_t c = 0; c < 3; c++)
			CU_ASSERT_DOUBLE_EQUAL(got[c], plain[c], 1e-6);
	}
	CU_ASSERT_EQUAL(pronet_model_predict_flow_with(model, NULL, inputs, 3, unknown, got, NULL, NULL),
	                PRONET_ERR_ARG);
	pronet_model_free(model);
	crafted_free(d);
}

/* End to end on a learnable crafted set: every flow is decided once per
 * run, the model learns the classes, and a held-out class is counted
 * apart. */
static void test_cross_validation_counts_every_flow(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *d = crafted(9, 2);
	struct pronet_eval_options o;
	struct pronet_cnn_config cnn;
	struct pronet_eval_result *r = NULL;
	struct pronet_class_score per[3], macro, micro;
	uint64_t total = 0;

	pronet_eval_options_default(&o);
	pronet_cnn_config_default(&cnn);
	o.arch_config = &cnn;
	o.folds = 3;
	o.repeats = 2;
	cnn.embed_dim = 8;
	cnn.filters = 8;
	cnn.ngram_buckets = 64;
	o.train.steps = 300;
	cnn.dropout = 0.1f;
	o.train.epochs = 0;
	o.train.batch_size = 16;
	o.train.learning_rate = 0.003f;
	o.train.validate_every = 50;
	o.validation_fraction = 0.2f;
	CU_ASSERT_EQUAL_FATAL(pronet_eval_run(d, &o, NULL, NULL, &r, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(r->num_classes, 3);
	CU_ASSERT_EQUAL(r->trainings, 6);
	for (size_t i = 0; i < 2 * 3 * 4; i++)
		total += r->confusion[i];
	CU_ASSERT_EQUAL(total, 2 * 54);
	pronet_eval_scores(r->confusion, 3, per, &macro, &micro);
	CU_ASSERT(macro.f1 > 0.9);
	CU_ASSERT(r->calibrated == 6);
	pronet_eval_result_free(r);
	/* Hold out "gamma": 2 classes remain, its 18 flows are counted apart. */
	o.repeats = 1;
	o.hold_out_class = 2;
	CU_ASSERT_EQUAL_FATAL(pronet_eval_run(d, &o, NULL, NULL, &r, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(r->num_classes, 2);
	CU_ASSERT_EQUAL(r->held_out_flows, 18);
	total = r->held_out_abstained;
	for (size_t c = 0; c < 2; c++)
		total += r->held_out_named[c];
	CU_ASSERT_EQUAL(total, 18);
	pronet_eval_result_free(r);
	crafted_free(d);
}

/* Options that cannot be run are refused before any training, naming
 * what is wrong. */
static void test_run_refuses_bad_options(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *d = crafted(2, 1);
	struct pronet_eval_options o;
	struct pronet_eval_result *r = NULL;
	uint32_t group[6] = {0, 0, 1, 1, 2, 2};

	pronet_eval_options_default(&o);
	o.folds = 1;
	CU_ASSERT_EQUAL(pronet_eval_run(d, &o, NULL, NULL, &r, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "1 folds"));
	o.folds = 2;
	o.hold_out_class = 3;
	CU_ASSERT_EQUAL(pronet_eval_run(d, &o, NULL, NULL, &r, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "held-out class 3"));
	/* A capture mapped to a group beyond num_groups: named by its file. */
	o.hold_out_class = -1;
	o.group_of_capture = group;
	o.num_groups = 2;
	CU_ASSERT_EQUAL(pronet_eval_run(d, &o, NULL, NULL, &r, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "capture e.pcap has group 2 of 2"));
	crafted_free(d);
}

static CU_TestInfo tests[] = {
    {"flows grouped in packet order", test_flows_grouped_in_packet_order},
    {"folds keep captures and families whole", test_folds_keep_captures_and_families_whole},
    {"scores match a hand-computed matrix", test_scores_match_hand_computed},
    {"flow verdict combines packets", test_flow_verdict_combines_packets},
    {"flow verdict weights confident packets", test_flow_verdict_weights_confident_packets},
    {"cross-validation counts every flow", test_cross_validation_counts_every_flow},
    {"run refuses bad options", test_run_refuses_bad_options},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/eval/eval", tests);
}
