/* `pronet eval`'s pictures, hand-written SVG (no library): the confusion
 * matrix as a row-normalised heat map and the first training's loss curve. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/eval_report.h"
#include "core/util/atomic_file.h"
#include "tools/svg_text.h"

static void confusion_svg(FILE *out, const struct pronet_eval_result *r,
                          const struct pronet_dataset *data)
{
	size_t n = r->num_classes, cells = n * (n + 1), cell = 22, left = 150, top = 150;
	size_t width = left + (n + 1) * cell + 20, height = top + n * cell + 40;

	fprintf(out,
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%zu\" height=\"%zu\" "
	        "font-family=\"sans-serif\" font-size=\"11\">\n"
	        "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	        "<text x=\"10\" y=\"18\" font-size=\"14\">Confusion matrix per flow "
	        "(row-normalised; rows: true class, columns: verdict, last: abstained)</text>\n",
	        width, height);
	for (size_t i = 0; i < n; i++) {
		uint64_t row[PRONET_MAX_CLASSES + 1], total = 0;

		for (size_t j = 0; j <= n; j++) {
			row[j] = 0;
			for (uint32_t run = 0; run < r->repeats; run++)
				row[j] += r->confusion[run * cells + i * (n + 1) + j];
			total += row[j];
		}
		fprintf(out, "<text x=\"%zu\" y=\"%zu\" text-anchor=\"end\">", left - 4,
		        top + i * cell + 15);
		pronet_svg_put_text(out, r->class_names[i]);
		fputs("</text>\n", out);
		for (size_t j = 0; j <= n; j++) {
			double share = total ? (double)row[j] / (double)total : 0.0;
			int shade = (int)lround(255.0 * (1.0 - share));

			fprintf(out,
			        "<rect x=\"%zu\" y=\"%zu\" width=\"%zu\" height=\"%zu\" "
			        "fill=\"rgb(%d,%d,255)\" stroke=\"#ddd\"><title>%.3f (%llu flows)"
			        "</title></rect>\n",
			        left + j * cell, top + i * cell, cell, cell, shade, shade, share,
			        (unsigned long long)row[j]);
		}
	}
	for (size_t j = 0; j <= n; j++) {
		size_t x = left + j * cell + 15;

		fprintf(out, "<text x=\"%zu\" y=\"%zu\" transform=\"rotate(-60 %zu %zu)\">", x,
		        top - 4, x, top - 4);
		pronet_svg_put_text(out, j < n ? r->class_names[j] : "(abstained)");
		fputs("</text>\n", out);
	}
	fputs("</svg>\n", out);
}

static void polyline(FILE *out, const struct pronet_eval_result *r, int validation, double max_loss,
                     uint32_t last_step, const char *colour)
{
	const double left = 60, top = 40, width = 600, height = 300;
	int open = 0;

	for (size_t i = 0; i < r->curve_points; i++) {
		const struct pronet_eval_curve_point *p = &r->curve[i];
		double y = validation ? p->validation_loss : p->loss;

		if (!isfinite(y))
			continue;
		if (!open) {
			fprintf(
			    out,
			    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
			    colour);
			open = 1;
		}
		fprintf(out, "%.1f,%.1f ", left + width * p->step / last_step,
		        top + height * (1.0 - (y < max_loss ? y : max_loss) / max_loss));
	}
	if (open)
		fputs("\"/>\n", out);
}

static void loss_svg(FILE *out, const struct pronet_eval_result *r)
{
	double max_loss = 0.0;
	uint32_t last_step = 1;

	for (size_t i = 0; i < r->curve_points; i++) {
		if (r->curve[i].loss > max_loss)
			max_loss = r->curve[i].loss;
		if (isfinite(r->curve[i].validation_loss) && r->curve[i].validation_loss > max_loss)
			max_loss = r->curve[i].validation_loss;
		if (r->curve[i].step > last_step)
			last_step = r->curve[i].step;
	}
	if (!(max_loss > 0.0))
		max_loss = 1.0;
	fprintf(out,
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"700\" height=\"400\" "
	        "font-family=\"sans-serif\" font-size=\"12\">\n"
	        "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	        "<text x=\"60\" y=\"24\" font-size=\"14\">Training loss (run 1, fold 1): "
	        "training (blue), validation (orange)</text>\n"
	        "<line x1=\"60\" y1=\"340\" x2=\"660\" y2=\"340\" stroke=\"black\"/>\n"
	        "<line x1=\"60\" y1=\"40\" x2=\"60\" y2=\"340\" stroke=\"black\"/>\n"
	        "<text x=\"55\" y=\"44\" text-anchor=\"end\">%.2f</text>\n"
	        "<text x=\"55\" y=\"340\" text-anchor=\"end\">0</text>\n"
	        "<text x=\"660\" y=\"356\" text-anchor=\"end\">step %u</text>\n",
	        max_loss, last_step);
	polyline(out, r, 0, max_loss, last_step, "#1f77b4");
	polyline(out, r, 1, max_loss, last_step, "#ff7f0e");
	fputs("</svg>\n", out);
}

/* Opens DIR/NAME whole-or-nothing (core/util/atomic_file.h); NULL on failure,
 * reported. The path is allocated to fit, so a directory of any length works
 * as far as the system allows. */
static struct pronet_atomic_file *open_in_dir(const char *dir, const char *name)
{
	size_t size = strlen(dir) + 1 + strlen(name) + 1;
	char *path = malloc(size);
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_atomic_file *file;

	if (path == NULL) {
		fprintf(stderr, "pronet eval: %s/%s: out of memory\n", dir, name);
		return NULL;
	}
	snprintf(path, size, "%s/%s", dir, name);
	if (pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf) !=
	    PRONET_OK)
		fprintf(stderr, "pronet eval: %s\n", errbuf);
	free(path);
	return file;
}

/* 0 on failure, reported. */
static int commit(struct pronet_atomic_file *file)
{
	char errbuf[PRONET_ERRBUF_SIZE];

	if (pronet_atomic_file_commit(file, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet eval: %s\n", errbuf);
		return 0;
	}
	return 1;
}

int pronet_eval_write_svgs(const char *dir, const struct pronet_eval_result *r,
                           const struct pronet_dataset *data)
{
	struct pronet_atomic_file *file = open_in_dir(dir, "confusion.svg");

	if (file == NULL)
		return 0;
	confusion_svg(pronet_atomic_file_stream(file), r, data);
	if (!commit(file))
		return 0;
	if (r->trainings == 0)
		return 1; /* a given model (eval -m): no training, no curve */
	if ((file = open_in_dir(dir, "loss.svg")) == NULL)
		return 0;
	loss_svg(pronet_atomic_file_stream(file), r);
	return commit(file);
}
