/* A class's evidence heat map (tools/explain_svg.h). */
#include "tools/explain_svg.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch/pronet_cnn/tokens.h"
#include "core/util/atomic_file.h"
#include "tools/svg_text.h"

#define CELL_WIDTH 28
#define CELL_HEIGHT 3
#define LEFT 60
#define TOP 60

static void heat_map(FILE *out, const char *class_name, const float *evidence)
{
	size_t rows = PRONET_BYTE_VOCABULARY, columns = PRONET_PAYLOAD_BYTES;
	double scale = 0.0;

	for (size_t i = 0; i < rows * columns; i++)
		if (fabs(evidence[i]) > scale)
			scale = fabs(evidence[i]);
	fprintf(out,
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
	        "font-family=\"sans-serif\" font-size=\"11\">\n"
	        "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"10\" y=\"18\" "
	        "font-size=\"14\">",
	        LEFT + CELL_WIDTH * 16 + 20, TOP + rows * CELL_HEIGHT + 30);
	pronet_svg_put_text(out, class_name);
	fprintf(out,
	        ": evidence by position and byte (red: towards, blue: away; full colour "
	        "%.3g)</text>\n<text x=\"10\" y=\"34\">rows: byte 0x00 (top) to 0xff, then "
	        "padding; columns: position 0-15</text>\n",
	        scale);
	for (size_t i = 0; i < columns; i++)
		fprintf(out, "<text x=\"%zu\" y=\"%d\" text-anchor=\"middle\">%zu</text>\n",
		        LEFT + i * CELL_WIDTH + CELL_WIDTH / 2, TOP - 4, i);
	for (size_t b = 0; b < rows; b += 16)
		fprintf(out, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">%s%02zx</text>\n",
		        LEFT - 4, TOP + b * CELL_HEIGHT + 8,
		        b == PRONET_PADDING_TOKEN ? "pad " : "0x",
		        b == PRONET_PADDING_TOKEN ? (size_t)0 : b);
	for (size_t b = 0; b < rows; b++)
		for (size_t i = 0; i < columns; i++) {
			double s = evidence[i * rows + b],
			       share = scale > 0.0 ? fabs(s) / scale : 0.0;
			int fade = (int)lround(255.0 * (1.0 - share));

			if (fade >= 250)
				continue; /* near white: the background */
			fprintf(out,
			        "<rect x=\"%zu\" y=\"%zu\" width=\"%d\" height=\"%d\" "
			        "fill=\"rgb(%d,%d,%d)\">"
			        "<title>position %zu byte %s%02zx: %.4g</title></rect>\n",
			        LEFT + i * CELL_WIDTH, TOP + b * CELL_HEIGHT, CELL_WIDTH,
			        CELL_HEIGHT, s > 0 ? 255 : fade, fade, s > 0 ? fade : 255, i,
			        b == PRONET_PADDING_TOKEN ? "pad " : "0x",
			        b == PRONET_PADDING_TOKEN ? (size_t)0 : b, s);
		}
	fputs("</svg>\n", out);
}

int pronet_explain_write_svg(const char *dir, const char *class_name, const float *evidence)
{
	size_t size = strlen(dir) + strlen("/explain-.svg") + strlen(class_name) + 1;
	char *path = malloc(size), errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_atomic_file *file = NULL;
	size_t at;
	int ok = 0;

	if (path == NULL) {
		fprintf(stderr, "pronet explain: %s: out of memory\n", dir);
		return 0;
	}
	at = (size_t)snprintf(path, size, "%s/explain-", dir);
	for (const char *c = class_name; *c != '\0'; c++)
		path[at++] = isalnum((unsigned char)*c) || *c == '-' || *c == '_' ? *c : '_';
	memcpy(path + at, ".svg", sizeof(".svg"));
	if (pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf) ==
	    PRONET_OK) {
		heat_map(pronet_atomic_file_stream(file), class_name, evidence);
		ok = pronet_atomic_file_commit(file, errbuf) == PRONET_OK;
	}
	if (!ok)
		fprintf(stderr, "pronet explain: %s\n", errbuf);
	free(path);
	return ok;
}
