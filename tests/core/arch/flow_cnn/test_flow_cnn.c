/* Tests of core/arch/flow_cnn/flow_cnn.c: the paper's shapes and weight
 * count, and configurations it refuses. The input step, training and the
 * model file have programs of their own beside this one
 * (test_flow_cnn_input.c, test_flow_cnn_train.c, test_flow_cnn_hyper.c). */
#include "core/arch/flow_cnn/flow_cnn.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "tests/core/arch/flow_cnn/flow_cnn_synthetic.h"
#include "tests/unit.h"

#include <string.h>

static void test_shapes_and_weight_count(void)
{
	struct flow_cnn_config config;
	struct pronet_input_spec spec;
	struct pronet_model *model;
	const struct flow_cnn_state *s;
	size_t expected;

	flow_cnn_config_default(&config);
	model = new_model(&config, 1);
	s = flow_cnn_state(model);
	CU_ASSERT_EQUAL(s->shapes.conv_size[0], 2998 * 16);
	CU_ASSERT_EQUAL(s->shapes.conv_size[1], 2996 * 16);
	CU_ASSERT_EQUAL(s->shapes.pool_size[0], 1498 * 16);
	CU_ASSERT_EQUAL(s->shapes.conv_size[2], 1496 * 32);
	CU_ASSERT_EQUAL(s->shapes.conv_size[3], 1494 * 32);
	CU_ASSERT_EQUAL(s->shapes.pool_size[1], 747 * 32);
	CU_ASSERT_EQUAL(s->shapes.features, 23904);
	/* convs (w + b), dense 23904-500-300-3 (docs/flow-cnn.md) */
	expected = (16 * 3 * 1 + 16) + (16 * 3 * 16 + 16) + (32 * 3 * 16 + 32) +
	           (32 * 3 * 32 + 32) + (23904 * 500 + 500) + (500 * 300 + 300) + (300 * 3 + 3);
	CU_ASSERT_EQUAL(model->num_weights, expected);
	CU_ASSERT_EQUAL(model->num_trainable, expected);
	CU_ASSERT_EQUAL(model->num_tensors, 14);
	CU_ASSERT_EQUAL(s->shapes.multiply_adds, 2998ull * 16 * 3 + 2996ull * 16 * 3 * 16 +
	                                             1496ull * 32 * 3 * 16 + 1494ull * 32 * 3 * 32 +
	                                             23904ull * 500 + 500 * 300 + 300 * 3);
	/* input, four convs, two pools, two dense rows of 512: 973,952 bytes */
	CU_ASSERT_EQUAL(pronet_model_workspace_size(model),
	                (3008 + 47968 + 47936 + 23968 + 47872 + 47808 + 23904 + 2 * 512) *
	                    sizeof(float));
	pronet_model_input_spec(model, &spec);
	CU_ASSERT_EQUAL(spec.window_bytes, 1500);
	CU_ASSERT_EQUAL(spec.layer, PRONET_LAYER_PAYLOAD);
	CU_ASSERT_EQUAL(spec.flags, 0);
	CU_ASSERT_EQUAL(spec.packets_per_direction, 8);
	pronet_model_free(model);
}

static void test_bad_config_is_refused(void)
{
	struct flow_cnn_config config = small_config();
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	config.input_values = 8; /* too short for four convs and two pools anyway */
	CU_ASSERT_EQUAL(pronet_model_new(&pronet_arch_flow_cnn, &config, sizeof(config), classes,
	                                 CLASSES, 1, &model, errbuf),
	                PRONET_ERR_LIMIT);
	CU_ASSERT_PTR_NULL(model);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "8 input values"));
	config = small_config();
	config.input_values = 16; /* 14, 12, 6, 4, 2, 1: the last pool still has one */
	CU_ASSERT_EQUAL(pronet_model_new(&pronet_arch_flow_cnn, &config, sizeof(config), classes,
	                                 CLASSES, 1, &model, errbuf),
	                PRONET_OK);
	pronet_model_free(model);
	model = NULL;
	config.filters[2] = FLOW_CNN_MAX_FILTERS + 1;
	CU_ASSERT_EQUAL(pronet_model_new(&pronet_arch_flow_cnn, &config, sizeof(config), classes,
	                                 CLASSES, 1, &model, errbuf),
	                PRONET_ERR_LIMIT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "conv 3 has 257 filters"));
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"shapes and weight count follow Sec. IV-B1", test_shapes_and_weight_count},
	    {"bad configs are refused", test_bad_config_is_refused},
	    CU_TEST_INFO_NULL,
	};
	return pronet_unit_run("flow_cnn", tests);
}
