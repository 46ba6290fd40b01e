/* pronet render: a dataset's records as grayscale PNG images, the way Zhou
 * et al. (seed 002, Sec. III-B and their figures) look at traffic: a
 * record's bytes row by row, one byte one pixel (0 black, 255 white), zeros
 * past its end. Per class a mean image and a grid of sample images, so that
 * one sees where the classes' bytes differ. PNG by libpng; every file is
 * written whole or not at all (core/util/atomic_file.h). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/data/dataset.h"
#include "core/data/flows.h"
#include "core/util/atomic_file.h"
#include "tools/cli_args.h"

int pronet_cmd_render(int argc, char **argv);

#define GAP 2             /* pixels between the images of a grid */
#define GAP_VALUE 255     /* white: a zero byte is black */
#define NAME_MAX_BYTES 80 /* of a file name built from a class name */

static void usage(FILE *out)
{
	fprintf(out, "Usage: pronet render [OPTION]... DATASET -o DIR\n"
	             "Write a dataset's records as grayscale PNG images, as Zhou et al. (seed\n"
	             "002) show traffic: the first S*S bytes of a record row by row, one byte one\n"
	             "pixel (0 black, 255 white), zeros past the record's end. For class number\n"
	             "I named C, DIR gets (C with characters other than A-Z a-z 0-9 . _ - as _):\n"
	             "  I-C.mean.png     the class's mean image: each pixel the mean of that\n"
	             "                   byte over the class's images, rounded half up\n"
	             "  I-C.samples.png  a grid of up to N of its images, spread evenly over\n"
	             "                   the class in dataset order, 2 white pixels apart\n"
	             "and means.png (every class's mean image in class order, one grid) and\n"
	             "index.tsv (class number, name, images, the two file names). Classes\n"
	             "without a record get no images. Each file is written whole or not at all.\n"
	             "\n"
	             "  -o, --output DIR   directory to write into (created if missing; required)\n"
	             "      --flow         one image per flow instead of per record: the payload\n"
	             "                     bytes of its records concatenated in packet order\n"
	             "                     (layer l3 records from their payload offset on)\n"
	             "      --side S       image side, 8..64 (default 32: 1024 bytes)\n"
	             "      --samples N    images in a class's grid, 1..1024 (default 64)\n"
	             "      --columns K    images per row of a grid, 1..64 (default 8)\n"
	             "  -h, --help         show this help and exit\n"
	             "\n"
	             "Exit status: 0 written, 1 the dataset could not be read or a file not\n"
	             "written, 2 usage error.\n");
}

struct render_options {
	const char *dataset, *output;
	int flow;
	uint32_t side, samples, columns;
};

/* What is rendered: the records (packet mode) or the flows, by class. */
struct render_units {
	const struct pronet_dataset *data;
	const struct pronet_flows *flows; /* NULL in packet mode */
	size_t count;
};

static size_t unit_label(const struct render_units *u, size_t i)
{
	return u->flows != NULL ? u->flows->label[i] : u->data->samples[i].label;
}

/* Unit i's image into image[side * side]: its bytes, zero-padded. */
static void unit_image(const struct render_units *u, size_t i, size_t pixels, uint8_t *image)
{
	size_t filled = 0;

	memset(image, 0, pixels);
	if (u->flows == NULL) {
		const struct pronet_packet_record *r = &u->data->samples[i].input;

		filled = r->length < pixels ? r->length : pixels;
		if (filled > 0)
			memcpy(image, r->bytes, filled);
		return;
	}
	for (size_t k = u->flows->start[i]; k < u->flows->start[i + 1] && filled < pixels; k++) {
		const struct pronet_packet_record *r =
		    &u->data->samples[u->flows->samples[k]].input;
		size_t from = r->layer == PRONET_LAYER_L3 ? r->payload_offset : 0;
		size_t take = r->length > from ? r->length - from : 0;

		if (take > pixels - filled)
			take = pixels - filled;
		if (take > 0)
			memcpy(image + filled, r->bytes + from, take);
		filled += take;
	}
}

struct png_failure {
	jmp_buf jump;
	char message[160];
};

static void on_png_error(png_structp png, png_const_charp message)
{
	struct png_failure *failure = png_get_error_ptr(png);

	snprintf(failure->message, sizeof(failure->message), "%s", message);
	longjmp(failure->jump, 1);
}

static void on_png_warning(png_structp png, png_const_charp message)
{
	(void)png;
	(void)message;
}

/* An 8-bit grayscale PNG of pixels[height][width] onto stream. */
static int encode_png(FILE *stream, const uint8_t *pixels, size_t width, size_t height,
                      char *message, size_t message_size)
{
	struct png_failure failure = {.message = ""};
	png_structp png =
	    png_create_write_struct(PNG_LIBPNG_VER_STRING, &failure, on_png_error, on_png_warning);
	png_infop info = png != NULL ? png_create_info_struct(png) : NULL;

	if (info == NULL) {
		png_destroy_write_struct(&png, NULL);
		snprintf(message, message_size, "out of memory");
		return -1;
	}
	if (setjmp(failure.jump)) {
		png_destroy_write_struct(&png, &info);
		snprintf(message, message_size, "libpng: %s", failure.message);
		return -1;
	}
	png_init_io(png, stream);
	png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_GRAY,
	             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (size_t row = 0; row < height; row++)
		png_write_row(png, pixels + row * width);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return 0;
}

static int write_png(const char *dir, const char *name, const uint8_t *pixels, size_t width,
                     size_t height)
{
	char path[4096], errbuf[PRONET_ERRBUF_SIZE], message[200];
	struct pronet_atomic_file *file;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf) !=
	    PRONET_OK) {
		fprintf(stderr, "pronet render: %s\n", errbuf);
		return -1;
	}
	if (encode_png(pronet_atomic_file_stream(file), pixels, width, height, message,
	               sizeof(message)) != 0) {
		pronet_atomic_file_abort(file);
		fprintf(stderr, "pronet render: %s: %s\n", path, message);
		return -1;
	}
	if (pronet_atomic_file_commit(file, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet render: %s\n", errbuf);
		return -1;
	}
	return 0;
}

/* A grid of images[n][side * side], `columns` wide, GAP apart: into a new
 * buffer (the caller frees), its size in *width, *height. */
static uint8_t *grid(const uint8_t *images, size_t n, size_t side, size_t columns, size_t *width,
                     size_t *height)
{
	size_t cols = n < columns ? n : columns, rows = (n + cols - 1) / cols;
	uint8_t *pixels;

	*width = cols * side + (cols - 1) * GAP;
	*height = rows * side + (rows - 1) * GAP;
	pixels = malloc(*width * *height);
	if (pixels == NULL)
		return NULL;
	memset(pixels, GAP_VALUE, *width * *height);
	for (size_t i = 0; i < n; i++) {
		size_t top = i / cols * (side + GAP), left = i % cols * (side + GAP);

		for (size_t r = 0; r < side; r++)
			memcpy(pixels + (top + r) * *width + left, images + (i * side + r) * side,
			       side);
	}
	return pixels;
}

static int write_grid(const char *dir, const char *name, const uint8_t *images, size_t n,
                      size_t side, size_t columns)
{
	size_t width, height;
	uint8_t *pixels = grid(images, n, side, columns, &width, &height);
	int status;

	if (pixels == NULL) {
		fprintf(stderr, "pronet render: out of memory\n");
		return -1;
	}
	status = write_png(dir, name, pixels, width, height);
	free(pixels);
	return status;
}

/* "07-Skype_Teams": the class number keeps names unique whatever the
 * characters replaced. */
static void file_stem(size_t index, const char *class_name, char *stem, size_t size)
{
	int n = snprintf(stem, size, "%02zu-", index);

	for (size_t i = 0; class_name[i] != '\0' && (size_t)n + 1 < size && i < NAME_MAX_BYTES;
	     i++) {
		char c = class_name[i];
		int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

		stem[n++] = keep ? c : '_';
	}
	stem[n] = '\0';
}

/* Sum of the class's images and an even spread of up to `samples` of them
 * (unit i * count / samples for i = 0..). */
struct class_images {
	size_t count, shown;
	uint64_t *sum;    /* [pixels] */
	uint8_t *mean;    /* [pixels] */
	uint8_t *samples; /* [samples][pixels] */
};

static void render_class(const struct render_units *u, size_t c, size_t pixels, uint32_t samples,
                         uint8_t *scratch, struct class_images *out)
{
	size_t seen = 0;

	out->count = 0;
	for (size_t i = 0; i < u->count; i++)
		out->count += unit_label(u, i) == c;
	out->shown = out->count < samples ? out->count : samples;
	memset(out->sum, 0, pixels * sizeof(*out->sum));
	for (size_t i = 0, next = 0; i < u->count; i++) {
		if (unit_label(u, i) != c)
			continue;
		unit_image(u, i, pixels, scratch);
		for (size_t p = 0; p < pixels; p++)
			out->sum[p] += scratch[p];
		if (next < out->shown && seen == next * out->count / out->shown)
			memcpy(out->samples + next++ * pixels, scratch, pixels);
		seen++;
	}
	for (size_t p = 0; out->count > 0 && p < pixels; p++)
		out->mean[p] = (uint8_t)((2 * out->sum[p] + out->count) / (2 * out->count));
}

static int write_index(const struct render_options *o, const struct pronet_dataset *data,
                       const size_t *counts)
{
	char path[4096], errbuf[PRONET_ERRBUF_SIZE], stem[NAME_MAX_BYTES + 16];
	struct pronet_atomic_file *file;
	FILE *out;

	snprintf(path, sizeof(path), "%s/index.tsv", o->output);
	if (pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf) !=
	    PRONET_OK) {
		fprintf(stderr, "pronet render: %s\n", errbuf);
		return -1;
	}
	out = pronet_atomic_file_stream(file);
	fprintf(out, "class\tname\t%s\tmean\tsamples\n", o->flow ? "flows" : "records");
	for (size_t c = 0; c < data->num_classes; c++) {
		file_stem(c, data->class_names[c], stem, sizeof(stem));
		if (counts[c] == 0)
			fprintf(out, "%zu\t%s\t0\t-\t-\n", c, data->class_names[c]);
		else
			fprintf(out, "%zu\t%s\t%zu\t%s.mean.png\t%s.samples.png\n", c,
			        data->class_names[c], counts[c], stem, stem);
	}
	if (pronet_atomic_file_commit(file, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet render: %s\n", errbuf);
		return -1;
	}
	return 0;
}

/* Every class's two images, then means.png and index.tsv. */
static int render(const struct render_options *o, const struct render_units *u)
{
	size_t pixels = (size_t)o->side * o->side, classes = u->data->num_classes, drawn = 0;
	struct class_images images = {0};
	uint8_t *scratch = malloc(pixels), *means = malloc(classes * pixels);
	size_t *counts = calloc(classes, sizeof(*counts));
	char stem[NAME_MAX_BYTES + 16], name[NAME_MAX_BYTES + 32];
	int status = 0;

	images.sum = malloc(pixels * sizeof(*images.sum));
	images.mean = malloc(pixels);
	images.samples = malloc((size_t)o->samples * pixels);
	if (scratch == NULL || means == NULL || counts == NULL || images.sum == NULL ||
	    images.mean == NULL || images.samples == NULL) {
		fprintf(stderr, "pronet render: out of memory\n");
		status = -1;
	}
	for (size_t c = 0; status == 0 && c < classes; c++) {
		render_class(u, c, pixels, o->samples, scratch, &images);
		counts[c] = images.count;
		if (images.count == 0)
			continue;
		file_stem(c, u->data->class_names[c], stem, sizeof(stem));
		snprintf(name, sizeof(name), "%s.mean.png", stem);
		status = write_png(o->output, name, images.mean, o->side, o->side);
		snprintf(name, sizeof(name), "%s.samples.png", stem);
		if (status == 0)
			status = write_grid(o->output, name, images.samples, images.shown, o->side,
			                    o->columns);
		memcpy(means + drawn++ * pixels, images.mean, pixels);
	}
	if (status == 0 && drawn > 0)
		status = write_grid(o->output, "means.png", means, drawn, o->side, o->columns);
	if (status == 0)
		status = write_index(o, u->data, counts);
	free(images.sum);
	free(images.mean);
	free(images.samples);
	free(scratch);
	free(means);
	free(counts);
	return status;
}

static int parse_options(int argc, char **argv, struct render_options *o)
{
	enum { OPT_FLOW = 256, OPT_SIDE, OPT_SAMPLES, OPT_COLUMNS };
	static const struct option long_options[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"flow", no_argument, NULL, OPT_FLOW},
	    {"side", required_argument, NULL, OPT_SIDE},
	    {"samples", required_argument, NULL, OPT_SAMPLES},
	    {"columns", required_argument, NULL, OPT_COLUMNS},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int option, ok = 1;

	*o = (struct render_options){.side = 32, .samples = 64, .columns = 8};
	while (ok && (option = getopt_long(argc, argv, "o:h", long_options, NULL)) != -1) {
		switch (option) {
		case 'o':
			o->output = optarg;
			break;
		case OPT_FLOW:
			o->flow = 1;
			break;
		case OPT_SIDE:
			ok = pronet_cli_parse_u32("render", "--side", optarg, 8, 64, &o->side);
			break;
		case OPT_SAMPLES:
			ok = pronet_cli_parse_u32("render", "--samples", optarg, 1, 1024,
			                          &o->samples);
			break;
		case OPT_COLUMNS:
			ok =
			    pronet_cli_parse_u32("render", "--columns", optarg, 1, 64, &o->columns);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			ok = 0;
		}
	}
	if (ok && (optind != argc - 1 || o->output == NULL)) {
		fprintf(stderr, "pronet render: one DATASET and -o DIR expected\n");
		ok = 0;
	}
	if (!ok) {
		fprintf(stderr, "Try 'pronet render --help'.\n");
		return 2;
	}
	o->dataset = argv[optind];
	return -1;
}

int pronet_cmd_render(int argc, char **argv)
{
	struct render_options o;
	struct pronet_dataset *data = NULL;
	struct pronet_flows *flows = NULL;
	struct render_units units = {0};
	char errbuf[PRONET_ERRBUF_SIZE];
	int status = parse_options(argc, argv, &o);

	if (status >= 0)
		return status;
	if (pronet_dataset_load(o.dataset, &data, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet render: %s\n", errbuf);
		return 1;
	}
	if (o.flow && pronet_flows_index(data, &flows, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet render: %s: %s\n", o.dataset, errbuf);
		pronet_dataset_free(data);
		return 1;
	}
	if (mkdir(o.output, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "pronet render: %s: cannot create the directory (%s)\n", o.output,
		        strerror(errno));
		status = 1;
	}
	units.data = data;
	units.flows = flows;
	units.count = flows != NULL ? flows->num_flows : data->num_samples;
	if (status < 0)
		status = render(&o, &units) == 0 ? 0 : 1;
	pronet_flows_free(flows);
	pronet_dataset_free(data);
	return status;
}
