/* A ProNet CNN whose weights make its explanation known by hand, shared by
 * tests/core/arch/pronet_cnn/test_explain.c and tests/tools/
 * make_explain_fixture.c (pronet explain's integration test).
 *
 * m = 1, t = 1, no batch norm, no context features, 2 3-gram buckets; every
 * weight 0 except: the byte embedding of 0x16 is 1; the first kernel tap
 * (j = 0) of the byte view's width-3 filter is 1; the dense weight of that
 * filter (feature 0) for class "tls" is 2. So the width-3 filter's window
 * at p is 1 if byte p is 0x16, else 0; its max-pool is 1 iff 0x16 occurs
 * at a position 0..13 (a window start); the logits are (2, 0) then, else
 * (0, 0). Centred (on the mean of the two logits) "tls" gets +1 and
 * "other" -1 from such a 0x16, nothing from any other byte. */
#ifndef PRONET_TESTS_EXPLAIN_FIXTURE_H
#define PRONET_TESTS_EXPLAIN_FIXTURE_H

#include <string.h>

#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"

#define EXPLAIN_FIXTURE_BYTE 0x16

static inline struct pronet_model *explain_fixture_model(char *errbuf)
{
	static const char *const names[2] = {"tls", "other"};
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	const struct pronet_cnn_weights *w;

	pronet_cnn_config_default(&config);
	config.embed_dim = 1;
	config.filters = 1;
	config.ngram_buckets = 2;
	config.batch_norm = 0;
	config.context_features = 0;
	config.dropout = 0.0f;
	if (pronet_model_new_cnn(&config, names, 2, 1, &model, errbuf) != PRONET_OK)
		return NULL;
	memset(model->weights, 0, model->num_weights * sizeof(float));
	w = &pronet_cnn_state(model)->weights;
	w->byte_embedding[EXPLAIN_FIXTURE_BYTE] = 1.0f;
	w->conv_w[0][0][0] = 1.0f; /* filter 0, tap 0, channel 0 of width 3 */
	w->dense_w[0] = 2.0f;      /* class 0 ("tls"), feature 0 */
	pronet_model_weights_changed(model);
	return model;
}

#endif
