/* image-cnn, its hyperparameters as data: defaults, the CLI's option
 * descriptors, the HYPR block (docs/image-cnn.md) and `pronet info`. */
#include <stddef.h>
#include <stdio.h>

#include "core/arch/image_cnn/image_cnn.h"
#include "core/model/model_io.h"

void pronet_image_cnn_config_default(struct pronet_image_cnn_config *config)
{
	config->filters[0] = 32; /* Table I */
	config->filters[1] = 64;
	config->filters[2] = 64;
	config->same_padding = 0;
	config->input_scale = 1.0f / 255.0f;
	config->dropout = 0.0f;
	config->record_packets = PRONET_IMAGE_DEFAULT_PACKETS;
}

const struct pronet_arch_option pronet_image_cnn_options[PRONET_IMAGE_CNN_NUM_OPTIONS] = {
    {"filters1", "F", "filters of conv 1 (Table I)", PRONET_OPTION_U32,
     offsetof(struct pronet_image_cnn_config, filters[0]), 1, PRONET_IMAGE_MAX_FILTERS},
    {"filters2", "F", "filters of conv 2 (Table I)", PRONET_OPTION_U32,
     offsetof(struct pronet_image_cnn_config, filters[1]), 1, PRONET_IMAGE_MAX_FILTERS},
    {"filters3", "F", "filters of conv 3 (Table I)", PRONET_OPTION_U32,
     offsetof(struct pronet_image_cnn_config, filters[2]), 1, PRONET_IMAGE_MAX_FILTERS},
    {"same-padding", NULL,
     "same padding (Table I's word; its sizes are\n"
     "valid padding's, the default): flatten 4096",
     PRONET_OPTION_FLAG, offsetof(struct pronet_image_cnn_config, same_padding), 0, 1},
    {"input-scale", "S",
     "the network sees byte * S (1/255; 1 feeds the\n"
     "raw 0..255 pixel values)",
     PRONET_OPTION_F32, offsetof(struct pronet_image_cnn_config, input_scale), 1e-6, 1},
    {"dropout", "P", "dropout before the dense layer (not in the paper)", PRONET_OPTION_F32,
     offsetof(struct pronet_image_cnn_config, dropout), 0, 0.95},
    {"record-packets", "K",
     "payload packets per direction a host records\n"
     "and a flow's verdict combines",
     PRONET_OPTION_U32, offsetof(struct pronet_image_cnn_config, record_packets), 1, 64},
};

/* HYPR, 44 bytes: image side, kernel, pool, the three filter counts,
 * padding, input scale, dropout, unit, packets per direction. The constants
 * are stored so that a file says what it was made with; a reader refuses
 * other values (PRONET_ERR_UNSUPPORTED). */
void pronet_image_cnn_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w)
{
	const struct pronet_image_cnn_config *c = &pronet_image_cnn_state(model)->config;

	pronet_io_put_u32(w, PRONET_IMAGE_SIDE);
	pronet_io_put_u32(w, PRONET_IMAGE_KERNEL);
	pronet_io_put_u32(w, PRONET_IMAGE_POOL);
	for (size_t i = 0; i < PRONET_IMAGE_CONVS; i++)
		pronet_io_put_u32(w, c->filters[i]);
	pronet_io_put_u32(w, c->same_padding);
	pronet_io_put_f32(w, c->input_scale);
	pronet_io_put_f32(w, c->dropout);
	pronet_io_put_u32(w, PRONET_IMAGE_UNIT_PACKET);
	pronet_io_put_u32(w, c->record_packets);
}

/* Values are range-checked by create (pronet_image_cnn_check), which the
 * loader runs on what this returns. */
enum pronet_err pronet_image_cnn_read_hyper(struct pronet_io_reader *r, void *config)
{
	struct pronet_image_cnn_config *c = config;
	static const char *const filter_names[PRONET_IMAGE_CONVS] = {
	    "conv 1 filters", "conv 2 filters", "conv 3 filters"};
	enum pronet_err err =
	    pronet_io_expect_u32(r, "image side", PRONET_IMAGE_SIDE, PRONET_ERR_UNSUPPORTED);

	if (err == PRONET_OK)
		err = pronet_io_expect_u32(r, "kernel size", PRONET_IMAGE_KERNEL,
		                           PRONET_ERR_UNSUPPORTED);
	if (err == PRONET_OK)
		err =
		    pronet_io_expect_u32(r, "pool size", PRONET_IMAGE_POOL, PRONET_ERR_UNSUPPORTED);
	for (size_t i = 0; err == PRONET_OK && i < PRONET_IMAGE_CONVS; i++)
		err = pronet_io_get_u32(r, filter_names[i], &c->filters[i]);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "padding", &c->same_padding);
	if (err == PRONET_OK)
		err = pronet_io_get_f32(r, "input scale", &c->input_scale);
	if (err == PRONET_OK)
		err = pronet_io_get_f32(r, "dropout", &c->dropout);
	if (err == PRONET_OK)
		err = pronet_io_expect_u32(r, "unit", PRONET_IMAGE_UNIT_PACKET,
		                           PRONET_ERR_UNSUPPORTED);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "packets per direction", &c->record_packets);
	return err;
}

void pronet_image_cnn_describe(const struct pronet_model *model, pronet_describe_emit *emit,
                               void *user)
{
	const struct pronet_image_cnn_state *state = pronet_image_cnn_state(model);
	const struct pronet_image_cnn_config *c = &state->config;
	const struct pronet_image_cnn_shapes *s = &state->shapes;
	char value[160];

	snprintf(value, sizeof(value), "%d bytes from the IP header on, as a %dx%d image",
	         PRONET_IMAGE_BYTES, PRONET_IMAGE_SIDE, PRONET_IMAGE_SIDE);
	emit(user, "input", value);
	snprintf(value, sizeof(value), "byte * %g", (double)c->input_scale);
	emit(user, "pixel scale", value);
	snprintf(value, sizeof(value),
	         "conv 3x3x%u, max-pool 2, conv 3x3x%u, max-pool 2, conv 3x3x%u, dense %zu",
	         c->filters[0], c->filters[1], c->filters[2], model->num_classes);
	emit(user, "layers", value);
	emit(user, "padding", c->same_padding ? "same" : "valid");
	snprintf(value, sizeof(value), "%zu", s->features);
	emit(user, "flattened features", value);
	snprintf(value, sizeof(value), "%llu",
	         (unsigned long long)s->multiply_adds +
	             (unsigned long long)s->features * model->num_classes);
	emit(user, "multiply-adds per packet", value);
	snprintf(value, sizeof(value), "%g", (double)c->dropout);
	emit(user, "dropout", value);
	snprintf(value, sizeof(value), "%u", c->record_packets);
	emit(user, "packets per direction", value);
}
