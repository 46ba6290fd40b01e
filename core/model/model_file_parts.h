/* The pieces of the model file that versions 1 and 2 share (model_file.c),
 * and the version 1 reader (model_file_v1.c). Internal. */
#ifndef PRONET_CORE_MODEL_MODEL_FILE_PARTS_H
#define PRONET_CORE_MODEL_MODEL_FILE_PARTS_H

#include <stdint.h>

#include "core/model/model_internal.h"
#include "core/model/model_io.h"

struct pronet_model_classes {
	char names[PRONET_MAX_CLASSES][PRONET_CLASS_NAME_MAX];
	const char *pointers[PRONET_MAX_CLASSES];
	uint32_t count;
};

struct pronet_model_calibration {
	float temperature;
	uint32_t count;
	float thresholds[PRONET_MAX_CLASSES];
};

/* u32 C, then C strings: 1..63 bytes, unique. */
enum pronet_err pronet_model_file_read_classes(struct pronet_io_reader *r,
                                               struct pronet_model_classes *classes);
/* u32 tensor count, then the tensor records, checked against model's layout. */
enum pronet_err pronet_model_file_read_tensors(struct pronet_io_reader *r,
                                               struct pronet_model *model);
/* f32 temperature, u32 count, f32 thresholds[count] (not yet checked against
 * a model: pronet_model_file_apply_calibration does that). */
enum pronet_err pronet_model_file_read_calibration(struct pronet_io_reader *r,
                                                   struct pronet_model_calibration *calibration);
enum pronet_err pronet_model_file_apply_calibration(struct pronet_io_reader *r,
                                                    const struct pronet_model_calibration *c,
                                                    struct pronet_model *model);
/* The CRC-32 of every byte before it, and nothing after it. */
enum pronet_err pronet_model_file_read_checksum(struct pronet_io_reader *r);

/* Version 1 (the shipped rules/default.pronet): r stands right after the
 * version field. */
enum pronet_err pronet_model_file_read_v1(struct pronet_io_reader *r, struct pronet_model **out);

#endif
