/* Precision, recall and F1 per class and averaged, from a confusion matrix
 * counted per flow (core/eval/scores.c). */
#ifndef PRONET_CORE_EVAL_SCORES_H
#define PRONET_CORE_EVAL_SCORES_H

#include <stddef.h>
#include <stdint.h>

/* Scores of one class, or of an average. */
struct pronet_class_score {
	double precision, recall, f1;
	uint64_t support;   /* flows of the class */
	uint64_t predicted; /* flows named as the class */
	uint64_t correct;
};

/* From confusion[classes][classes + 1] (row: true class; column: the verdict,
 * column `classes` = abstained): per_class[classes], the macro average over
 * the classes with support (unweighted), and the micro average (pooled
 * counts; abstentions lower recall, not precision). A precision or F1 with
 * a zero denominator is 0. */
void pronet_eval_scores(const uint64_t *confusion, size_t classes,
                        struct pronet_class_score *per_class, struct pronet_class_score *macro,
                        struct pronet_class_score *micro);

#endif
