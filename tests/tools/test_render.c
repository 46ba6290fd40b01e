/* Tests of tools/cmd_render.c through the real `pronet render`: a small v2
 * dataset written here, rendered per record and per flow; the PNGs read back
 * with libpng have the documented sizes, the mean images' pixels equal the
 * means computed here by hand, the sample grids hold the records' bytes,
 * index.tsv lists every class, and bad arguments fail without output.
 *
 * The dataset (layer l3, 1024-byte window), records' bytes by formula:
 *   class alpha, flow 1: A 100 bytes, A[i] = 7i + 1 (mod 256), payload from 28
 *                        B 60 bytes of 200, payload from 28
 *   class alpha, flow 2: C 1024 bytes, C[i] = i (mod 256), payload from 20
 *   class beta,  flow 3: D 10 bytes of 255, payload from 0
 *   class gamma: defined, no records.
 * Each then made a masked IPv4 header as a v2 l3 record must be: byte 0 is
 * 0x45, bytes 10..19 (checksum and addresses) are 0. */
#include "core/data/dataset.h"
#include "tests/unit.h"

#include <dirent.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WINDOW 1024

static uint8_t a_bytes[100], b_bytes[60], c_bytes[WINDOW], d_bytes[10];
static char dir[512], dataset_path[600];

static struct pronet_packet_record record(const uint8_t *bytes, size_t length, size_t payload,
                                          uint32_t index)
{
	struct pronet_packet_record r;

	memset(&r, 0, sizeof(r));
	r.bytes = bytes;
	r.length = (uint16_t)length;
	r.layer = PRONET_LAYER_L3;
	r.l4_protocol = 17;
	r.l4_offset = (uint16_t)(payload < 20 ? payload : 20);
	r.payload_offset = (uint16_t)payload;
	r.packet_index = index;
	r.payload_index = (uint16_t)index;
	return r;
}

static void write_dataset(void)
{
	struct pronet_input_spec spec = {
	    .window_bytes = WINDOW, .layer = PRONET_LAYER_L3, .packets_per_direction = 4};
	struct pronet_packet_record flow1[2] = {record(a_bytes, 100, 28, 0),
	                                        record(b_bytes, 60, 28, 1)};
	struct pronet_packet_record flow2[1] = {record(c_bytes, WINDOW, 20, 0)};
	struct pronet_packet_record flow3[1] = {record(d_bytes, 10, 0, 0)};
	struct pronet_dataset_writer *writer = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	uint16_t gamma;

	for (size_t i = 0; i < sizeof(a_bytes); i++)
		a_bytes[i] = (uint8_t)(7 * i + 1);
	memset(b_bytes, 200, sizeof(b_bytes));
	for (size_t i = 0; i < sizeof(c_bytes); i++)
		c_bytes[i] = (uint8_t)i;
	memset(d_bytes, 255, sizeof(d_bytes));
	a_bytes[0] = b_bytes[0] = c_bytes[0] = d_bytes[0] = 0x45;
	memset(a_bytes + 10, 0, 10);
	memset(b_bytes + 10, 0, 10);
	memset(c_bytes + 10, 0, 10);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_open_v2(dataset_path, &spec, &writer, errbuf),
	                      PRONET_OK);
	CU_ASSERT_EQUAL(
	    pronet_dataset_writer_write_flow(writer, "alpha", "cap", 1, flow1, 2, 0, errbuf),
	    PRONET_OK);
	if (errbuf[0] != '\0')
		printf("%s\n", errbuf);
	CU_ASSERT_EQUAL(
	    pronet_dataset_writer_write_flow(writer, "alpha", "cap", 2, flow2, 1, 0, errbuf),
	    PRONET_OK);
	CU_ASSERT_EQUAL(
	    pronet_dataset_writer_write_flow(writer, "beta", "cap", 3, flow3, 1, 0, errbuf),
	    PRONET_OK);
	CU_ASSERT_EQUAL(pronet_dataset_writer_define_class(writer, "gamma", &gamma, errbuf),
	                PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_close(writer, errbuf), PRONET_OK);
}

/* Runs argv[0] (searched in PATH) with its standard error discarded; its
 * exit status, or -1. */
static int run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ./pronet render [up to 6 options] DATASET -o OUT */
static int render_from(const char *dataset, const char *options, const char *out)
{
	char copy[256], *rest = NULL, *argv[12] = {"./pronet", "render"};
	size_t n = 2;

	snprintf(copy, sizeof(copy), "%s", options);
	for (char *word = strtok_r(copy, " ", &rest); word != NULL && n < 8;
	     word = strtok_r(NULL, " ", &rest))
		argv[n++] = word;
	argv[n++] = (char *)dataset;
	argv[n++] = "-o";
	argv[n++] = (char *)out;
	argv[n] = NULL;
	return run(argv);
}

static int render(const char *options, const char *out)
{
	return render_from(dataset_path, options, out);
}

/* An 8-bit grayscale PNG read back: its pixels (the caller frees) and size. */
static uint8_t *read_png(const char *out, const char *name, size_t *width, size_t *height)
{
	char path[1200];
	png_image image;
	uint8_t *pixels;

	snprintf(path, sizeof(path), "%s/%s", out, name);
	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&image, path)) {
		printf("%s: %s\n", path, image.message);
		return NULL;
	}
	CU_ASSERT_EQUAL(image.format & (PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA), 0);
	image.format = PNG_FORMAT_GRAY;
	pixels = malloc(PNG_IMAGE_SIZE(image));
	CU_ASSERT_PTR_NOT_NULL_FATAL(pixels);
	CU_ASSERT_FATAL(png_image_finish_read(&image, NULL, pixels, 0, NULL) != 0);
	*width = image.width;
	*height = image.height;
	return pixels;
}

static uint8_t at(const uint8_t *bytes, size_t length, size_t from, size_t i)
{
	return from + i < length ? bytes[from + i] : 0;
}

/* Round half up, as the help says. */
static uint8_t mean_of(unsigned sum, unsigned count)
{
	return (uint8_t)((2 * sum + count) / (2 * count));
}

static int no_temporary_files(const char *out)
{
	DIR *d = opendir(out);
	struct dirent *entry;
	int clean = 1;

	if (d == NULL)
		return 0;
	while ((entry = readdir(d)) != NULL)
		clean &= strstr(entry->d_name, ".tmp.") == NULL;
	closedir(d);
	return clean;
}

static void test_records(void)
{
	char out[600], path[700];
	size_t width, height;
	uint8_t *mean, *beta, *grid, *means;

	snprintf(out, sizeof(out), "%s/records", dir);
	CU_ASSERT_EQUAL_FATAL(render("", out), 0);
	mean = read_png(out, "00-alpha.mean.png", &width, &height);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mean);
	CU_ASSERT_EQUAL(width, 32);
	CU_ASSERT_EQUAL(height, 32);
	for (size_t p = 0; p < 1024; p++)
		CU_ASSERT_EQUAL(mean[p], mean_of(at(a_bytes, 100, 0, p) + at(b_bytes, 60, 0, p) +
		                                     at(c_bytes, WINDOW, 0, p),
		                                 3));
	beta = read_png(out, "01-beta.mean.png", &width, &height);
	CU_ASSERT_PTR_NOT_NULL_FATAL(beta);
	for (size_t p = 0; p < 1024; p++)
		CU_ASSERT_EQUAL(beta[p], at(d_bytes, 10, 0, p));
	/* alpha's grid: A, B, C side by side, 2 white columns between. */
	grid = read_png(out, "00-alpha.samples.png", &width, &height);
	CU_ASSERT_PTR_NOT_NULL_FATAL(grid);
	CU_ASSERT_EQUAL(width, 3 * 32 + 2 * 2);
	CU_ASSERT_EQUAL(height, 32);
	for (size_t r = 0; r < 32; r++) {
		for (size_t c = 0; c < 32; c++) {
			size_t p = r * 32 + c;

			CU_ASSERT_EQUAL(grid[r * width + c], at(a_bytes, 100, 0, p));
			CU_ASSERT_EQUAL(grid[r * width + 34 + c], at(b_bytes, 60, 0, p));
			CU_ASSERT_EQUAL(grid[r * width + 68 + c], at(c_bytes, WINDOW, 0, p));
		}
		CU_ASSERT_EQUAL(grid[r * width + 32], 255);
		CU_ASSERT_EQUAL(grid[r * width + 33], 255);
	}
	means = read_png(out, "means.png", &width, &height);
	CU_ASSERT_PTR_NOT_NULL_FATAL(means);
	CU_ASSERT_EQUAL(width, 2 * 32 + 2); /* alpha and beta; gamma has no image */
	CU_ASSERT_EQUAL(height, 32);
	CU_ASSERT_EQUAL(means[5], mean[5]);
	CU_ASSERT_EQUAL(means[34 + 5], beta[5]);
	snprintf(path, sizeof(path), "%s/02-gamma.mean.png", out);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	CU_ASSERT(no_temporary_files(out));
	free(mean);
	free(beta);
	free(grid);
	free(means);
}

static void test_index_lists_every_class(void)
{
	char path[700], text[512] = "";
	FILE *file;
	size_t n;

	snprintf(path, sizeof(path), "%s/records/index.tsv", dir);
	file = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	n = fread(text, 1, sizeof(text) - 1, file);
	text[n] = '\0';
	fclose(file);
	CU_ASSERT_STRING_EQUAL(text, "class\tname\trecords\tmean\tsamples\n"
	                             "0\talpha\t3\t00-alpha.mean.png\t00-alpha.samples.png\n"
	                             "1\tbeta\t1\t01-beta.mean.png\t01-beta.samples.png\n"
	                             "2\tgamma\t0\t-\t-\n");
}

/* --flow: flow 1 is A's payload then B's, flow 2 C's: their mean. */
static void test_flows(void)
{
	char out[600];
	size_t width, height;
	uint8_t *mean, flow1[1024];

	snprintf(out, sizeof(out), "%s/flows", dir);
	CU_ASSERT_EQUAL_FATAL(render("--flow", out), 0);
	for (size_t p = 0; p < 1024; p++)
		flow1[p] = p < 72 ? a_bytes[28 + p] : p < 72 + 32 ? b_bytes[28 + p - 72] : 0;
	mean = read_png(out, "00-alpha.mean.png", &width, &height);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mean);
	CU_ASSERT_EQUAL(width, 32);
	CU_ASSERT_EQUAL(height, 32);
	for (size_t p = 0; p < 1024; p++)
		CU_ASSERT_EQUAL(mean[p], mean_of(flow1[p] + at(c_bytes, WINDOW, 20, p), 2));
	free(mean);
}

static void test_side_and_columns(void)
{
	char out[600];
	size_t width, height;
	uint8_t *mean, *grid;

	snprintf(out, sizeof(out), "%s/small", dir);
	CU_ASSERT_EQUAL_FATAL(render("--side 16 --columns 2 --samples 3", out), 0);
	mean = read_png(out, "00-alpha.mean.png", &width, &height);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mean);
	CU_ASSERT_EQUAL(width, 16);
	CU_ASSERT_EQUAL(height, 16);
	CU_ASSERT_EQUAL(mean[255], mean_of(at(c_bytes, WINDOW, 0, 255), 3)); /* only C is long */
	grid = read_png(out, "00-alpha.samples.png", &width, &height);
	CU_ASSERT_PTR_NOT_NULL_FATAL(grid);
	CU_ASSERT_EQUAL(width, 2 * 16 + 2); /* A B / C */
	CU_ASSERT_EQUAL(height, 2 * 16 + 2);
	free(mean);
	free(grid);
}

static void test_bad_arguments_write_nothing(void)
{
	char out[600], missing[600];

	snprintf(out, sizeof(out), "%s/never", dir);
	snprintf(missing, sizeof(missing), "%s/missing.ds", dir);
	CU_ASSERT_EQUAL(render("--side 7", out), 2);
	CU_ASSERT_EQUAL(render("--samples 0", out), 2);
	CU_ASSERT_EQUAL(render_from(missing, "", out), 1);
	CU_ASSERT_EQUAL(access(out, F_OK), -1); /* not even the directory */
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"the dataset is written (every test below reads it)", write_dataset},
	    {"per record: sizes, means, grid, means.png", test_records},
	    {"index.tsv lists every class", test_index_lists_every_class},
	    {"--flow: a flow's payload bytes concatenated", test_flows},
	    {"--side and --columns", test_side_and_columns},
	    {"bad arguments write nothing", test_bad_arguments_write_nothing},
	    CU_TEST_INFO_NULL,
	};
	char *remove_dir[] = {"rm", "-rf", dir, NULL};
	int status;

	snprintf(dir, sizeof(dir), "%s/pronet-test-render-%ld", pronet_unit_tmpdir(),
	         (long)getpid());
	if (run(remove_dir) != 0 || mkdir(dir, 0777) != 0)
		return 1;
	snprintf(dataset_path, sizeof(dataset_path), "%s/small.ds", dir);
	status = pronet_unit_run("render", tests);
	if (status == 0 && run(remove_dir) != 0)
		return 1;
	return status;
}
