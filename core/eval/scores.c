/* Per-class and averaged scores (core/eval/scores.h). */
#include "core/eval/scores.h"

#include <string.h>

static double ratio(uint64_t numerator, uint64_t denominator)
{
	return denominator > 0 ? (double)numerator / (double)denominator : 0.0;
}

static double harmonic(double precision, double recall)
{
	return precision + recall > 0.0 ? 2.0 * precision * recall / (precision + recall) : 0.0;
}

void pronet_eval_scores(const uint64_t *confusion, size_t classes,
                        struct pronet_class_score *per_class, struct pronet_class_score *macro,
                        struct pronet_class_score *micro)
{
	size_t columns = classes + 1, counted = 0;

	memset(macro, 0, sizeof(*macro));
	memset(micro, 0, sizeof(*micro));
	for (size_t c = 0; c < classes; c++) {
		struct pronet_class_score *s = &per_class[c];

		memset(s, 0, sizeof(*s));
		for (size_t j = 0; j < columns; j++)
			s->support += confusion[c * columns + j];
		for (size_t i = 0; i < classes; i++)
			s->predicted += confusion[i * columns + c];
		s->correct = confusion[c * columns + c];
		s->precision = ratio(s->correct, s->predicted);
		s->recall = ratio(s->correct, s->support);
		s->f1 = harmonic(s->precision, s->recall);
		micro->support += s->support;
		micro->predicted += s->predicted;
		micro->correct += s->correct;
		if (s->support == 0)
			continue;
		counted++;
		macro->precision += s->precision;
		macro->recall += s->recall;
		macro->f1 += s->f1;
		macro->support += s->support;
		macro->predicted += s->predicted;
		macro->correct += s->correct;
	}
	if (counted > 0) {
		macro->precision /= (double)counted;
		macro->recall /= (double)counted;
		macro->f1 /= (double)counted;
	}
	micro->precision = ratio(micro->correct, micro->predicted);
	micro->recall = ratio(micro->correct, micro->support);
	micro->f1 = harmonic(micro->precision, micro->recall);
}
