/* The table and JSON of `pronet eval` (tools/eval_report.h). */
#include "tools/eval_report.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util/atomic_file.h"

static const char *class_name(const struct pronet_eval_result *r, const struct pronet_dataset *d,
                              size_t k)
{
	(void)d;
	return r->class_names[k];
}

/* Running mean and sum of squares (Welford) of one score field. */
static void accumulate(double *mean, double *m2, double x, size_t n)
{
	double delta = x - *mean;

	*mean += delta / (double)n;
	*m2 += delta * (x - *mean);
}

static void score_stats(struct pronet_class_score *mean, struct pronet_class_score *sd,
                        const struct pronet_class_score *runs, size_t n)
{
	double m[3] = {0, 0, 0}, s[3] = {0, 0, 0};

	memset(mean, 0, sizeof(*mean));
	memset(sd, 0, sizeof(*sd));
	for (size_t i = 0; i < n; i++) {
		accumulate(&m[0], &s[0], runs[i].precision, i + 1);
		accumulate(&m[1], &s[1], runs[i].recall, i + 1);
		accumulate(&m[2], &s[2], runs[i].f1, i + 1);
		mean->support += runs[i].support;
		mean->predicted += runs[i].predicted;
		mean->correct += runs[i].correct;
	}
	mean->precision = m[0];
	mean->recall = m[1];
	mean->f1 = m[2];
	if (n > 1) {
		sd->precision = sqrt(s[0] / (double)(n - 1));
		sd->recall = sqrt(s[1] / (double)(n - 1));
		sd->f1 = sqrt(s[2] / (double)(n - 1));
	}
	/* Counts are per run on average. */
	mean->support /= n;
	mean->predicted /= n;
	mean->correct /= n;
}

/* Mean and sd over runs of the macro F1 over focus set `set`'s classes
 * present in each run. */
static void summarise_focus(const struct pronet_eval_result *r, const struct pronet_dataset *data,
                            const struct pronet_eval_report_context *context, size_t set,
                            const struct pronet_class_score *per, size_t runs,
                            struct pronet_eval_summary *s)
{
	double fm = 0.0, fs = 0.0;

	s->focus_found[set] = 0;
	for (size_t i = 0; context->focus[set] != NULL && i < runs; i++) {
		double sum = 0.0;
		size_t found = 0;

		for (size_t f = 0; f < context->num_focus[set]; f++)
			for (size_t k = 0; k < r->num_classes; k++)
				if (strcmp(class_name(r, data, k), context->focus[set][f]) == 0 &&
				    per[i * r->num_classes + k].support > 0) {
					sum += per[i * r->num_classes + k].f1;
					found++;
				}
		s->focus_found[set] = found;
		accumulate(&fm, &fs, found ? sum / (double)found : 0.0, i + 1);
	}
	s->focus_macro_f1_mean[set] = fm;
	s->focus_macro_f1_sd[set] = runs > 1 ? sqrt(fs / (double)(runs - 1)) : 0.0;
}

void pronet_eval_summarise(const struct pronet_eval_result *r, const uint64_t *confusion,
                           const struct pronet_dataset *data,
                           const struct pronet_eval_report_context *context,
                           struct pronet_eval_summary *s)
{
	size_t classes = r->num_classes, cells = classes * (classes + 1), runs = r->repeats;
	struct pronet_class_score *per = calloc(runs * classes, sizeof(*per));
	struct pronet_class_score *macro = calloc(runs, sizeof(*macro));
	struct pronet_class_score *micro = calloc(runs, sizeof(*micro));
	struct pronet_class_score column[100];

	memset(s, 0, sizeof(*s));
	if (per == NULL || macro == NULL || micro == NULL)
		goto out;
	for (size_t i = 0; i < runs; i++)
		pronet_eval_scores(confusion + i * cells, classes, per + i * classes, &macro[i],
		                   &micro[i]);
	for (size_t k = 0; k < classes; k++) {
		for (size_t i = 0; i < runs; i++)
			column[i] = per[i * classes + k];
		score_stats(&s->mean[k], &s->sd[k], column, runs);
	}
	score_stats(&s->macro_mean, &s->macro_sd, macro, runs);
	score_stats(&s->micro_mean, &s->micro_sd, micro, runs);
	/* Macro F1 over each set of focus classes only, per run. */
	for (size_t set = 0; set < PRONET_EVAL_FOCUS_SETS; set++)
		summarise_focus(r, data, context, set, per, runs, s);
out:
	free(per);
	free(macro);
	free(micro);
}

static void print_row(FILE *out, const char *name, const struct pronet_class_score *m,
                      const struct pronet_class_score *sd, int counts)
{
	fprintf(out, "%-20s %6.3f ± %5.3f  %6.3f ± %5.3f  %6.3f ± %5.3f", name, m->precision,
	        sd->precision, m->recall, sd->recall, m->f1, sd->f1);
	if (counts)
		fprintf(out, "  %7llu", (unsigned long long)m->support);
	fputc('\n', out);
}

static void print_scores(FILE *out, const struct pronet_eval_result *r,
                         const struct pronet_dataset *data,
                         const struct pronet_eval_report_context *context,
                         const uint64_t *confusion, const char *title)
{
	struct pronet_eval_summary *s = malloc(sizeof(*s));

	if (s == NULL)
		return;
	pronet_eval_summarise(r, confusion, data, context, s);
	fprintf(out, "%s\n%-20s %-14s  %-14s  %-14s  %7s\n", title, "class", "precision", "recall",
	        "F1", "flows");
	for (size_t k = 0; k < r->num_classes; k++)
		print_row(out, class_name(r, data, k), &s->mean[k], &s->sd[k], 1);
	print_row(out, "macro average", &s->macro_mean, &s->macro_sd, 0);
	print_row(out, "micro average", &s->micro_mean, &s->micro_sd, 0);
	for (size_t set = 0; set < PRONET_EVAL_FOCUS_SETS; set++)
		if (context->focus[set] != NULL)
			fprintf(out, "macro F1 over the %zu named classes present: %.3f ± %.3f\n",
			        s->focus_found[set], s->focus_macro_f1_mean[set],
			        s->focus_macro_f1_sd[set]);
	free(s);
}

static const char *combine_name(enum pronet_flow_combine combine)
{
	switch (combine) {
	case PRONET_COMBINE_MEAN_LOGITS:
		return "mean logits";
	case PRONET_COMBINE_MEAN_PROBABILITIES:
		return "mean probabilities";
	case PRONET_COMBINE_FIRST_PACKET:
		return "first packet";
	case PRONET_COMBINE_WEIGHT_MAX:
		return "logits weighted by largest probability";
	case PRONET_COMBINE_WEIGHT_ENTROPY:
		return "logits weighted by 1 - normalised entropy";
	}
	return "?";
}

static void print_confusion(FILE *out, const struct pronet_eval_result *r,
                            const struct pronet_dataset *data)
{
	size_t classes = r->num_classes, cells = classes * (classes + 1);

	fprintf(out,
	        "\nConfusion matrix (flows, all runs; rows: true class, columns: verdict "
	        "by number, '-' abstained)\n%-4s %-20s",
	        "", "");
	for (size_t j = 0; j < classes; j++)
		fprintf(out, " %5zu", j + 1);
	fprintf(out, " %5s\n", "-");
	for (size_t i = 0; i < classes; i++) {
		fprintf(out, "%-4zu %-20s", i + 1, class_name(r, data, i));
		for (size_t j = 0; j <= classes; j++) {
			uint64_t sum = 0;

			for (uint32_t run = 0; run < r->repeats; run++)
				sum += r->confusion[run * cells + i * (classes + 1) + j];
			fprintf(out, " %5llu", (unsigned long long)sum);
		}
		fputc('\n', out);
	}
}

/* Why flows abstained, and how the reject class's flows (protocols too rare
 * to be classes, mostly unseen in training when folds split captures) were
 * decided. */
static void print_decisions(FILE *out, const struct pronet_eval_result *r,
                            const struct pronet_dataset *data)
{
	size_t classes = r->num_classes, cells = classes * (classes + 1);

	fprintf(out,
	        "with abstention, flows: %llu named, %llu below threshold, %llu rejected, "
	        "%llu random-looking\n",
	        (unsigned long long)r->decisions[PRONET_FLOW_NAMED],
	        (unsigned long long)r->decisions[PRONET_FLOW_BELOW_THRESHOLD],
	        (unsigned long long)r->decisions[PRONET_FLOW_REJECTED],
	        (unsigned long long)r->decisions[PRONET_FLOW_RANDOM]);
	fprintf(out,
	        "random-looking flows: %llu; without the gate the thresholds name %llu, %llu "
	        "rightly; with it %llu, %llu rightly\n",
	        (unsigned long long)r->random_flows, (unsigned long long)r->random_named,
	        (unsigned long long)r->random_right, (unsigned long long)r->random_gated_named,
	        (unsigned long long)r->random_gated_right);
	for (size_t i = 0; i < classes; i++) {
		uint64_t total = 0, abstained = 0;

		if (strcasecmp(class_name(r, data, i), PRONET_REJECT_CLASS) != 0)
			continue;
		for (uint32_t run = 0; run < r->repeats; run++)
			for (size_t j = 0; j <= classes; j++) {
				uint64_t n =
				    r->confusion_thresholded[run * cells + i * (classes + 1) + j];

				total += n;
				if (j == i || j == classes)
					abstained += n;
			}
		fprintf(out,
		        "reject class %s (rare protocols): %llu of %llu test flows abstained "
		        "(%.1f%%)\n",
		        PRONET_REJECT_CLASS, (unsigned long long)abstained,
		        (unsigned long long)total,
		        total ? 100.0 * (double)abstained / (double)total : 0.0);
	}
}

/* eval -m: the dataset's classes the model does not know. They have no row
 * in the tables (the model cannot name them rightly); abstaining is their
 * right answer, and each one named is a false positive of that class that
 * the tables' precision does not include. */
static void print_unknown_classes(FILE *out, const struct pronet_eval_result *r,
                                  const struct pronet_dataset *data)
{
	size_t printed = 0;

	if (r->held_out_flows == 0)
		return;
	fprintf(out,
	        "\nClasses of the dataset the model does not know (no row above; abstaining is "
	        "right, a name is a false positive not in the tables' precision): %llu flows, "
	        "%llu abstained (%.1f%%)\n",
	        (unsigned long long)r->held_out_flows, (unsigned long long)r->held_out_abstained,
	        100.0 * (double)r->held_out_abstained / (double)r->held_out_flows);
	for (size_t l = 0; l < data->num_classes; l++)
		if (r->unknown_flows[l] > 0)
			fprintf(out, "  %-20s %7llu flows, %7llu abstained\n", data->class_names[l],
			        (unsigned long long)r->unknown_flows[l],
			        (unsigned long long)r->unknown_abstained[l]);
	for (size_t k = 0; k < r->num_classes; k++)
		if (r->held_out_named[k] > 0)
			fprintf(out, "%s%s: %llu",
			        printed++ ? ", " : "  named: ", class_name(r, data, k),
			        (unsigned long long)r->held_out_named[k]);
	if (printed)
		fputc('\n', out);
}

void pronet_eval_print_table(FILE *out, const struct pronet_eval_result *r,
                             const struct pronet_dataset *data,
                             const struct pronet_eval_report_context *c)
{
	const struct pronet_eval_options *o = c->options;

	fprintf(out, "pronet eval: %s\n%s\n", c->dataset_path, c->command_line);
	if (c->model_path != NULL)
		fprintf(out,
		        "model %s scored as it is (no training), with its own calibration; "
		        "decided per flow as the plugin decides (%s of %s samples)\n",
		        c->model_path, combine_name(o->combine),
		        o->flow_packets ? "its first N" : "all its");
	else
		fprintf(out,
		        "%u runs of %u-fold cross-validation, folds split by %s; decided per "
		        "flow (%s of %s samples); mean ± sd over runs\n",
		        r->repeats, r->folds, o->by == PRONET_FOLD_BY_FLOW ? "flow" : "capture",
		        combine_name(o->combine), o->flow_packets ? "its first N" : "all its");
	if (o->flow_packets)
		fprintf(out, "(N = %u)\n", o->flow_packets);
	fputc('\n', out);
	print_scores(out, r, data, c, r->confusion, "Best class always (as the paper's Table 1)");
	if (r->calibrated > 0) {
		fputc('\n', out);
		print_scores(out, r, data, c, r->confusion_thresholded,
		             "With abstention (calibrated thresholds; abstained flows count "
		             "against recall)");
		if (c->model_path != NULL)
			fprintf(out, "temperature: %.3f (the model file's)\n", r->temperature_sum);
		else
			fprintf(out, "mean temperature: %.3f over %u trainings\n",
			        r->temperature_sum / r->calibrated, r->calibrated);
		print_decisions(out, r, data);
	}
	print_confusion(out, r, data);
	if (c->held_out_name != NULL)
		fprintf(out,
		        "\nOpen set: class %s held out of training: %llu of %llu flows "
		        "abstained (%.1f%%)\n",
		        c->held_out_name, (unsigned long long)r->held_out_abstained,
		        (unsigned long long)r->held_out_flows,
		        r->held_out_flows
		            ? 100.0 * (double)r->held_out_abstained / (double)r->held_out_flows
		            : 0.0);
	for (size_t k = 0; c->held_out_name != NULL && k < r->num_classes; k++)
		if (r->held_out_named[k] > 0)
			fprintf(out, "  named %s: %llu\n", class_name(r, data, k),
			        (unsigned long long)r->held_out_named[k]);
	if (c->model_path != NULL)
		print_unknown_classes(out, r, data);
	for (size_t i = 0; i < c->num_dropped; i++)
		fprintf(out, "%sleft out (fewer flows than --min-flows): %s (%llu flows)\n",
		        i == 0 ? "\n" : "", c->dropped[i], (unsigned long long)c->dropped_flows[i]);
	if (r->trainings == 0)
		return;
	fprintf(out, "\ntraining: %u models, %llu steps, %.1f s, %.0f samples/s\n", r->trainings,
	        (unsigned long long)r->steps, r->train_seconds,
	        r->train_seconds > 0 ? (double)r->samples_seen / r->train_seconds : 0.0);
}

static json_object *score_json(const struct pronet_class_score *m,
                               const struct pronet_class_score *sd)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "precision", json_object_new_double(m->precision));
	json_object_object_add(o, "precision_sd", json_object_new_double(sd->precision));
	json_object_object_add(o, "recall", json_object_new_double(m->recall));
	json_object_object_add(o, "recall_sd", json_object_new_double(sd->recall));
	json_object_object_add(o, "f1", json_object_new_double(m->f1));
	json_object_object_add(o, "f1_sd", json_object_new_double(sd->f1));
	json_object_object_add(o, "flows_per_run", json_object_new_int64((int64_t)m->support));
	return o;
}

static json_object *scores_json(const struct pronet_eval_result *r,
                                const struct pronet_dataset *data,
                                const struct pronet_eval_report_context *c,
                                const uint64_t *confusion)
{
	struct pronet_eval_summary *s = malloc(sizeof(*s));
	json_object *o = json_object_new_object(), *classes = json_object_new_object();

	if (s == NULL)
		return o;
	pronet_eval_summarise(r, confusion, data, c, s);
	for (size_t k = 0; k < r->num_classes; k++)
		json_object_object_add(classes, class_name(r, data, k),
		                       score_json(&s->mean[k], &s->sd[k]));
	json_object_object_add(o, "classes", classes);
	json_object_object_add(o, "macro", score_json(&s->macro_mean, &s->macro_sd));
	json_object_object_add(o, "micro", score_json(&s->micro_mean, &s->micro_sd));
	for (size_t set = 0; set < PRONET_EVAL_FOCUS_SETS; set++) {
		char key[3][40];

		if (c->focus[set] == NULL)
			continue;
		/* The first set keeps its keys; the second is focus2_... */
		snprintf(key[0], sizeof(key[0]), "focus%s_macro_f1", set ? "2" : "");
		snprintf(key[1], sizeof(key[1]), "focus%s_macro_f1_sd", set ? "2" : "");
		snprintf(key[2], sizeof(key[2]), "focus%s_classes_present", set ? "2" : "");
		json_object_object_add(o, key[0],
		                       json_object_new_double(s->focus_macro_f1_mean[set]));
		json_object_object_add(o, key[1],
		                       json_object_new_double(s->focus_macro_f1_sd[set]));
		json_object_object_add(o, key[2],
		                       json_object_new_int64((int64_t)s->focus_found[set]));
	}
	free(s);
	return o;
}

static json_object *confusion_json(const struct pronet_eval_result *r)
{
	size_t classes = r->num_classes, cells = classes * (classes + 1);
	json_object *rows = json_object_new_array();

	for (size_t i = 0; i < classes; i++) {
		json_object *row = json_object_new_array();

		for (size_t j = 0; j <= classes; j++) {
			uint64_t sum = 0;

			for (uint32_t run = 0; run < r->repeats; run++)
				sum += r->confusion[run * cells + i * (classes + 1) + j];
			json_object_array_add(row, json_object_new_int64((int64_t)sum));
		}
		json_object_array_add(rows, row);
	}
	return rows;
}

static json_object *options_json(const struct pronet_eval_result *r,
                                 const struct pronet_eval_report_context *c)
{
	const struct pronet_eval_options *o = c->options;
	json_object *j = json_object_new_object();
	uint32_t context_features = 0;

	if (o->arch == pronet_arch_find("pronet-cnn") && o->arch_config != NULL)
		context_features =
		    ((const struct pronet_cnn_config *)o->arch_config)->context_features;
	json_object_object_add(j, "arch", json_object_new_string(pronet_arch_name(o->arch)));

	json_object_object_add(j, "folds", json_object_new_int64(r->folds));
	json_object_object_add(j, "repeats", json_object_new_int64(r->repeats));
	json_object_object_add(
	    j, "split_by",
	    json_object_new_string(o->by == PRONET_FOLD_BY_FLOW ? "flow" : "capture"));
	json_object_object_add(j, "combine", json_object_new_int64(o->combine));
	json_object_object_add(j, "flow_packets", json_object_new_int64(o->flow_packets));
	json_object_object_add(j, "context_features", json_object_new_int64(context_features));
	json_object_object_add(j, "seed", json_object_new_int64((int64_t)o->seed));
	json_object_object_add(j, "command", json_object_new_string(c->command_line));
	if (c->model_path != NULL)
		json_object_object_add(j, "model", json_object_new_string(c->model_path));
	return j;
}

/* eval -m: flows of the dataset's classes the model does not know. */
static json_object *unknown_json(const struct pronet_eval_result *r,
                                 const struct pronet_dataset *data)
{
	json_object *o = json_object_new_object(), *classes = json_object_new_object(),
	            *named = json_object_new_object();

	for (size_t l = 0; l < data->num_classes; l++) {
		json_object *c;

		if (r->unknown_flows[l] == 0)
			continue;
		c = json_object_new_object();
		json_object_object_add(c, "flows",
		                       json_object_new_int64((int64_t)r->unknown_flows[l]));
		json_object_object_add(c, "abstained",
		                       json_object_new_int64((int64_t)r->unknown_abstained[l]));
		json_object_object_add(classes, data->class_names[l], c);
	}
	for (size_t k = 0; k < r->num_classes; k++)
		if (r->held_out_named[k] > 0)
			json_object_object_add(
			    named, class_name(r, data, k),
			    json_object_new_int64((int64_t)r->held_out_named[k]));
	json_object_object_add(o, "flows", json_object_new_int64((int64_t)r->held_out_flows));
	json_object_object_add(o, "abstained",
	                       json_object_new_int64((int64_t)r->held_out_abstained));
	json_object_object_add(o, "classes", classes);
	json_object_object_add(o, "named", named);
	return o;
}

int pronet_eval_write_json(const char *path, const struct pronet_eval_result *r,
                           const struct pronet_dataset *data,
                           const struct pronet_eval_report_context *c)
{
	struct pronet_atomic_file *file;
	char errbuf[PRONET_ERRBUF_SIZE];
	json_object *root = json_object_new_object(), *names = json_object_new_array();
	const char *text;
	int ok;

	if (root == NULL || names == NULL) {
		fprintf(stderr, "pronet eval: %s: no memory for the report\n", path);
		json_object_put(root);
		json_object_put(names);
		return 0;
	}
	json_object_object_add(root, "dataset", json_object_new_string(c->dataset_path));
	json_object_object_add(root, "options", options_json(r, c));
	for (size_t k = 0; k < r->num_classes; k++)
		json_object_array_add(names, json_object_new_string(class_name(r, data, k)));
	json_object_object_add(root, "class_names", names);
	json_object_object_add(root, "scores", scores_json(r, data, c, r->confusion));
	if (r->calibrated > 0)
		json_object_object_add(root, "scores_with_abstention",
		                       scores_json(r, data, c, r->confusion_thresholded));
	json_object_object_add(root, "confusion", confusion_json(r));
	if (c->held_out_name != NULL) {
		json_object *h = json_object_new_object();

		json_object_object_add(h, "class", json_object_new_string(c->held_out_name));
		json_object_object_add(h, "flows",
		                       json_object_new_int64((int64_t)r->held_out_flows));
		json_object_object_add(h, "abstained",
		                       json_object_new_int64((int64_t)r->held_out_abstained));
		json_object_object_add(root, "held_out", h);
	}
	if (c->model_path != NULL)
		json_object_object_add(root, "unknown_to_model", unknown_json(r, data));
	json_object_object_add(root, "train_seconds", json_object_new_double(r->train_seconds));
	json_object_object_add(root, "samples_seen",
	                       json_object_new_int64((int64_t)r->samples_seen));
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
	if (text == NULL) {
		fprintf(stderr, "pronet eval: %s: no memory for the report\n", path);
		json_object_put(root);
		return 0;
	}
	ok = pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf) ==
	     PRONET_OK;
	if (ok) {
		fputs(text, pronet_atomic_file_stream(file));
		fputc('\n', pronet_atomic_file_stream(file));
		ok = pronet_atomic_file_commit(file, errbuf) == PRONET_OK;
	}
	if (!ok)
		fprintf(stderr, "pronet eval: %s\n", errbuf);
	json_object_put(root);
	return ok;
}
