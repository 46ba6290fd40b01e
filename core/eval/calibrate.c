/* Temperature scaling and abstention thresholds (core/eval/calibrate.h). */
#include "core/eval/calibrate.h"

#include <math.h>
#include <stdlib.h>

#include "core/model/model.h"
#include "core/nn/softmax_xent.h"

/* Mean NLL of softmax(logits / T), in double for a smooth objective. */
static double mean_nll(const float *logits, const uint32_t *labels, size_t n, size_t classes,
                       double temperature)
{
	double total = 0.0;

	for (size_t i = 0; i < n; i++) {
		const float *row = logits + i * classes;
		double top = row[0], sum = 0.0;

		for (size_t c = 1; c < classes; c++)
			if (row[c] > top)
				top = row[c];
		for (size_t c = 0; c < classes; c++)
			sum += exp(((double)row[c] - top) / temperature);
		total += log(sum) - ((double)row[labels[i]] - top) / temperature;
	}
	return total / (double)n;
}

enum pronet_err pronet_calibrate_temperature(const float *logits, const uint32_t *labels, size_t n,
                                             size_t classes, float min_t, float max_t,
                                             float *temperature, double *nll, char *errbuf)
{
	const double ratio = 0.6180339887498949;
	double low, high, a, b, fa, fb;

	if (logits == NULL || labels == NULL || temperature == NULL || n == 0 || classes == 0 ||
	    classes > PRONET_MAX_CLASSES)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "temperature calibration needs at least one example");
	for (size_t i = 0; i < n; i++)
		if (labels[i] >= classes)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "calibration example %zu has label %u of %zu classes", i,
			                    labels[i], classes);
	if (!(min_t > 0.0f && max_t >= min_t && isfinite(max_t)))
		return pronet_error(errbuf, PRONET_ERR_ARG, "temperature range [%g, %g] is empty",
		                    (double)min_t, (double)max_t);
	low = log((double)min_t);
	high = log((double)max_t);
	a = high - ratio * (high - low);
	b = low + ratio * (high - low);
	fa = mean_nll(logits, labels, n, classes, exp(a));
	fb = mean_nll(logits, labels, n, classes, exp(b));
	for (int iteration = 0; iteration < 60; iteration++) {
		if (fa <= fb) {
			high = b;
			b = a;
			fb = fa;
			a = high - ratio * (high - low);
			fa = mean_nll(logits, labels, n, classes, exp(a));
		} else {
			low = a;
			a = b;
			fa = fb;
			b = low + ratio * (high - low);
			fb = mean_nll(logits, labels, n, classes, exp(b));
		}
	}
	*temperature = (float)exp((low + high) / 2.0);
	if (nll != NULL)
		*nll = mean_nll(logits, labels, n, classes, (double)*temperature);
	return PRONET_OK;
}

struct scored {
	float probability;
	int correct;
};

static int by_probability_descending(const void *x, const void *y)
{
	const struct scored *a = x, *b = y;

	return (a->probability < b->probability) - (a->probability > b->probability);
}

/* The threshold of one class from its predictions sorted by probability,
 * highest first: the lowest probability at which the prefix (everything at
 * or above it) still has the target precision. Ties are cut together. */
static float class_threshold(const struct scored *s, size_t count, double precision)
{
	size_t correct = 0, i = 0;
	float best = -1.0f, above_wrong = 0.0f;

	while (i < count) {
		size_t j = i;

		while (j < count && s[j].probability == s[i].probability) {
			correct += (size_t)s[j].correct;
			if (!s[j].correct && above_wrong == 0.0f)
				above_wrong = nextafterf(s[j].probability, 2.0f);
			j++;
		}
		if ((double)correct >= precision * (double)j)
			best = s[i].probability;
		i = j;
	}
	if (best >= 0.0f)
		return best;
	return above_wrong < 1.0f ? above_wrong : 1.0f;
}

enum pronet_err pronet_calibrate_thresholds(const float *probabilities, const uint32_t *labels,
                                            size_t n, size_t classes, double precision,
                                            float unseen, float *thresholds, char *errbuf)
{
	struct scored *s;
	size_t *predicted;

	if (probabilities == NULL || labels == NULL || thresholds == NULL || classes == 0 ||
	    !(precision > 0.0 && precision <= 1.0) || !(unseen >= 0.0f && unseen <= 1.0f))
		return pronet_error(errbuf, PRONET_ERR_ARG, "threshold calibration: bad argument");
	s = malloc((n > 0 ? n : 1) * sizeof(*s));
	predicted = malloc((n > 0 ? n : 1) * sizeof(*predicted));
	if (s == NULL || predicted == NULL) {
		free(s);
		free(predicted);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "threshold calibration: no memory");
	}
	for (size_t i = 0; i < n; i++)
		predicted[i] = pronet_argmax(probabilities + i * classes, classes);
	for (size_t c = 0; c < classes; c++) {
		size_t count = 0;

		for (size_t i = 0; i < n; i++) {
			if (predicted[i] != c)
				continue;
			s[count].probability = probabilities[i * classes + c];
			s[count++].correct = labels[i] == c;
		}
		qsort(s, count, sizeof(*s), by_probability_descending);
		thresholds[c] = count == 0 ? unseen : class_threshold(s, count, precision);
	}
	free(s);
	free(predicted);
	return PRONET_OK;
}
