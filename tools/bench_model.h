/* `make bench`'s rows measured inside it (tools/bench_model.c): ProNet's
 * prediction and training, and the whole-packet families'. */
#ifndef PRONET_TOOLS_BENCH_MODEL_H
#define PRONET_TOOLS_BENCH_MODEL_H

#include <stddef.h>

#include "tools/bench.h"

/* The baseline, prediction, training and whole-packet families' rows, each
 * measured in a child process of its own, in the table's order. */
void bench_model_rows(struct bench *b);
/* The paper's model as a file, for `pronet classify -m`. */
int bench_save_paper_model(char *path, size_t size, const char *workdir, char *errbuf);

#endif
