/* Reading model files of format version 1 (docs/model-format.md, "Version 1"):
 * the shipped rules/default.pronet and every model written before version 2.
 * Only ProNet's CNN (architecture 1) existed; its hyperparameters were a
 * 20- or 24-byte block told apart by its size, followed by the n-gram
 * vocabulary. Nothing writes version 1 any more. */
#include <stdlib.h>

#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/model/model_file_parts.h"

#define V1_CNN_HYPERPARAMETER_BYTES 20u
/* With the context_features field appended (written only when it was 1). */
#define V1_CNN_HYPERPARAMETER_BYTES_CONTEXT 24u

static enum pronet_err read_config(struct pronet_io_reader *r, struct pronet_cnn_config *c)
{
	uint32_t block = 0;
	enum pronet_err err = pronet_io_get_u32(r, "hyperparameter size", &block);

	if (err == PRONET_OK && block != V1_CNN_HYPERPARAMETER_BYTES &&
	    block != V1_CNN_HYPERPARAMETER_BYTES_CONTEXT)
		err =
		    pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                 "%s: hyperparameter size is %u, expected %u or %u", r->name, block,
		                 V1_CNN_HYPERPARAMETER_BYTES, V1_CNN_HYPERPARAMETER_BYTES_CONTEXT);
	c->context_features = 0;
	if (err == PRONET_OK)
		err = pronet_cnn_read_shared_hyper(r, c);
	if (err == PRONET_OK && !(c->dropout >= 0.0f && c->dropout < 1.0f))
		err = pronet_error(r->errbuf, PRONET_ERR_FORMAT, "%s: dropout %g is outside [0, 1)",
		                   r->name, (double)c->dropout);
	/* The 24-byte block says context features are on; 0 there would be a
	 * second spelling of the 20-byte block, so it is refused. */
	if (err == PRONET_OK && block == V1_CNN_HYPERPARAMETER_BYTES_CONTEXT)
		err = pronet_io_expect_u32(r, "context_features", 1, PRONET_ERR_FORMAT);
	if (err == PRONET_OK && block == V1_CNN_HYPERPARAMETER_BYTES_CONTEXT)
		c->context_features = 1;
	if (err == PRONET_OK)
		err = pronet_cnn_read_vocabulary(r, c);
	return err;
}

enum pronet_err pronet_model_file_read_v1(struct pronet_io_reader *r, struct pronet_model **out)
{
	struct pronet_model_classes *classes = malloc(sizeof(*classes));
	struct pronet_model_calibration *calibration = malloc(sizeof(*calibration));
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	enum pronet_err err = PRONET_OK;

	*out = NULL;
	if (classes == NULL || calibration == NULL)
		err = pronet_error(r->errbuf, PRONET_ERR_NOMEM, "%s: no memory", r->name);
	if (err == PRONET_OK)
		err = pronet_io_expect_u32(r, "architecture", PRONET_ARCH_TAG_PRONET_CNN,
		                           PRONET_ERR_UNSUPPORTED);
	if (err == PRONET_OK)
		err = read_config(r, &config);
	if (err == PRONET_OK)
		err = pronet_model_file_read_classes(r, classes);
	if (err == PRONET_OK)
		err = pronet_model_create(&pronet_arch_pronet_cnn, &config, classes->pointers,
		                          classes->count, (r->size - r->offset) / 4, r->name,
		                          &model, r->errbuf);
	if (err == PRONET_OK)
		err = pronet_model_file_read_tensors(r, model);
	if (err == PRONET_OK)
		err = pronet_model_file_read_calibration(r, calibration);
	if (err == PRONET_OK)
		err = pronet_model_file_apply_calibration(r, calibration, model);
	if (err == PRONET_OK)
		err = pronet_model_file_read_checksum(r);
	free(classes);
	free(calibration);
	if (err != PRONET_OK) {
		pronet_model_free(model);
		return err;
	}
	*out = model;
	return PRONET_OK;
}
