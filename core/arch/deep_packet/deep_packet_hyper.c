/* Deep Packet's two networks, their hyperparameters as data: defaults, the
 * CLI's option descriptors, the model file's HYPR blocks (docs/deep-packet.md)
 * and the lines of `pronet info`. */
#include <stddef.h>
#include <stdio.h>

#include "core/arch/deep_packet/deep_packet.h"
#include "core/model/model_io.h"

void deep_packet_cnn_config_default(struct deep_packet_cnn_config *config)
{
	config->conv1_stride = 5;
	config->conv2_stride = 4;
	config->pool_regions = 2;
	config->pool_window = 2;
	config->max_pool = 0;
	config->width_divisor = 1;
	config->dropout = 0.25f;
}

void deep_packet_sae_config_default(struct deep_packet_sae_config *config)
{
	config->width_divisor = 1;
	config->dropout = 0.25f;
	config->pretrain_epochs = 10;
}

const struct pronet_arch_option deep_packet_cnn_options[DEEP_PACKET_CNN_NUM_OPTIONS] = {
    {"stride1", "S", "stride of the first convolution (the paper\ngives none)", PRONET_OPTION_U32,
     offsetof(struct deep_packet_cnn_config, conv1_stride), 1, 64},
    {"stride2", "S", "stride of the second convolution", PRONET_OPTION_U32,
     offsetof(struct deep_packet_cnn_config, conv2_stride), 1, 64},
    {"pool-regions", "R",
     "pool over R regions (2: the appendix's\n\"2 x 80\"); 0: windows of --pool-window",
     PRONET_OPTION_U32, offsetof(struct deep_packet_cnn_config, pool_regions), 0, 64},
    {"pool-window", "W", "pooling window and stride when --pool-regions 0", PRONET_OPTION_U32,
     offsetof(struct deep_packet_cnn_config, pool_window), 1, 64},
    {"max-pool", NULL, "max pooling (Fig. 8's caption) instead of average", PRONET_OPTION_FLAG,
     offsetof(struct deep_packet_cnn_config, max_pool), 0, 1},
    {"width-divisor", "D", "divide every layer's width by D (1: the paper's)", PRONET_OPTION_U32,
     offsetof(struct deep_packet_cnn_config, width_divisor), 1, 100},
    {"dropout", "P", "dropout after the pooling while training", PRONET_OPTION_F32,
     offsetof(struct deep_packet_cnn_config, dropout), 0, 0.95},
};

const struct pronet_arch_option deep_packet_sae_options[DEEP_PACKET_SAE_NUM_OPTIONS] = {
    {"width-divisor", "D", "divide every layer's width by D (1: the paper's)", PRONET_OPTION_U32,
     offsetof(struct deep_packet_sae_config, width_divisor), 1, 100},
    {"dropout", "P", "dropout after each hidden layer while training", PRONET_OPTION_F32,
     offsetof(struct deep_packet_sae_config, dropout), 0, 0.95},
    {"pretrain-epochs", "E",
     "epochs of autoencoder pretraining per layer\n(the paper's 200; 0: none)", PRONET_OPTION_U32,
     offsetof(struct deep_packet_sae_config, pretrain_epochs), 0, 1000},
};

/* HYPR of deep-packet-cnn, 32 bytes: input bytes (1500), stride1, stride2,
 * pool_regions, pool_window, max_pool, width_divisor, dropout. */
void deep_packet_cnn_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w)
{
	const struct deep_packet_cnn_config *c = &deep_packet_cnn_state(model)->config;

	pronet_io_put_u32(w, DEEP_PACKET_INPUT_BYTES);
	pronet_io_put_u32(w, c->conv1_stride);
	pronet_io_put_u32(w, c->conv2_stride);
	pronet_io_put_u32(w, c->pool_regions);
	pronet_io_put_u32(w, c->pool_window);
	pronet_io_put_u32(w, c->max_pool);
	pronet_io_put_u32(w, c->width_divisor);
	pronet_io_put_f32(w, c->dropout);
}

enum pronet_err deep_packet_cnn_read_hyper(struct pronet_io_reader *r, void *config)
{
	struct deep_packet_cnn_config *c = config;
	enum pronet_err err =
	    pronet_io_expect_u32(r, "input bytes", DEEP_PACKET_INPUT_BYTES, PRONET_ERR_UNSUPPORTED);

	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "stride1", &c->conv1_stride);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "stride2", &c->conv2_stride);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "pool_regions", &c->pool_regions);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "pool_window", &c->pool_window);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "max_pool", &c->max_pool);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "width_divisor", &c->width_divisor);
	if (err == PRONET_OK)
		err = pronet_io_get_f32(r, "dropout", &c->dropout);
	return err;
}

/* HYPR of deep-packet-sae, 16 bytes: input bytes (1500), width_divisor,
 * dropout, pretrain_epochs. */
void deep_packet_sae_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w)
{
	const struct deep_packet_sae_config *c = &deep_packet_sae_state(model)->config;

	pronet_io_put_u32(w, DEEP_PACKET_INPUT_BYTES);
	pronet_io_put_u32(w, c->width_divisor);
	pronet_io_put_f32(w, c->dropout);
	pronet_io_put_u32(w, c->pretrain_epochs);
}

enum pronet_err deep_packet_sae_read_hyper(struct pronet_io_reader *r, void *config)
{
	struct deep_packet_sae_config *c = config;
	enum pronet_err err =
	    pronet_io_expect_u32(r, "input bytes", DEEP_PACKET_INPUT_BYTES, PRONET_ERR_UNSUPPORTED);

	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "width_divisor", &c->width_divisor);
	if (err == PRONET_OK)
		err = pronet_io_get_f32(r, "dropout", &c->dropout);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "pretrain_epochs", &c->pretrain_epochs);
	return err;
}

static void emit_widths(const struct dense_stack_layout *layout, pronet_describe_emit *emit,
                        void *user)
{
	char text[128];
	size_t used = 0;

	text[0] = '\0';
	for (size_t i = 1; i < layout->num_layers && used < sizeof(text); i++) {
		int n = snprintf(text + used, sizeof(text) - used, "%s%zu", i > 1 ? "-" : "",
		                 layout->widths[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	emit(user, "dense layers", text);
}

void deep_packet_cnn_describe(const struct pronet_model *model, pronet_describe_emit *emit,
                              void *user)
{
	const struct deep_packet_cnn_state *s = deep_packet_cnn_state(model);
	char value[96];

	emit(user, "input", "1500 bytes from the IP header, UDP header padded to 20, / 255");
	snprintf(value, sizeof(value), "%zu x %d, stride %u -> %zu positions", s->shape.filters1,
	         DEEP_PACKET_CONV1_WIDTH, s->config.conv1_stride, s->shape.positions1);
	emit(user, "conv1", value);
	snprintf(value, sizeof(value), "%zu x %d, stride %u -> %zu positions", s->shape.filters2,
	         DEEP_PACKET_CONV2_WIDTH, s->config.conv2_stride, s->shape.positions2);
	emit(user, "conv2", value);
	if (s->config.pool_regions > 0)
		snprintf(value, sizeof(value), "%s over %u regions -> %zu features",
		         s->config.max_pool ? "max" : "average", s->config.pool_regions,
		         s->shape.flatten);
	else
		snprintf(value, sizeof(value), "%s, window %u -> %zu features",
		         s->config.max_pool ? "max" : "average", s->config.pool_window,
		         s->shape.flatten);
	emit(user, "pool", value);
	snprintf(value, sizeof(value), "%g", (double)s->config.dropout);
	emit(user, "dropout", value);
	emit_widths(&s->layout, emit, user);
}

void deep_packet_sae_describe(const struct pronet_model *model, pronet_describe_emit *emit,
                              void *user)
{
	const struct deep_packet_sae_state *s = deep_packet_sae_state(model);
	char value[32];

	emit(user, "input", "1500 bytes from the IP header, UDP header padded to 20, / 255");
	emit_widths(&s->layout, emit, user);
	snprintf(value, sizeof(value), "%g", (double)s->config.dropout);
	emit(user, "dropout", value);
	snprintf(value, sizeof(value), "%u", s->config.pretrain_epochs);
	emit(user, "pretrain epochs per layer", value);
}
