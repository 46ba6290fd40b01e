/* Folds by capture group or by flow (core/eval/folds.h). */
#include "core/eval/folds.h"

#include <stdlib.h>
#include <string.h>

#include "core/util/rng.h"

enum pronet_err pronet_eval_assign_folds(const struct pronet_flows *flows, const size_t *members,
                                         size_t n, const uint32_t *group_of_capture,
                                         size_t num_groups, enum pronet_fold_by by, uint32_t k,
                                         uint64_t seed, uint32_t *fold, char *errbuf)
{
	size_t units = 0, *unit_of = NULL, *unit_size = NULL, *order = NULL;
	uint64_t fold_size[256];
	uint32_t *unit_fold = NULL;
	struct pronet_rng rng;
	enum pronet_err err = PRONET_OK;

	if (k < 2 || k > 256)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%u folds is outside 2..256", k);
	/* Units: flows, or groups of captures (by their number). */
	for (size_t i = 0; i < n; i++) {
		size_t unit;

		if (members[i] >= flows->num_flows)
			return pronet_error(errbuf, PRONET_ERR_ARG, "flow %zu is out of range",
			                    members[i]);
		if (by == PRONET_FOLD_BY_FLOW) {
			unit = i;
		} else if (group_of_capture != NULL) {
			unit = group_of_capture[flows->capture[members[i]]];
			if (unit >= num_groups)
				return pronet_error(errbuf, PRONET_ERR_ARG,
				                    "capture %u has group %zu of %zu",
				                    flows->capture[members[i]], unit, num_groups);
		} else {
			unit = flows->capture[members[i]];
		}
		if (unit + 1 > units)
			units = unit + 1;
	}
	unit_of = malloc((n > 0 ? n : 1) * sizeof(*unit_of));
	unit_size = calloc(units + 1, sizeof(*unit_size));
	unit_fold = malloc((units + 1) * sizeof(*unit_fold));
	order = malloc((units + 1) * sizeof(*order));
	if (unit_of == NULL || unit_size == NULL || unit_fold == NULL || order == NULL) {
		err = pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory to assign folds");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		unit_of[i] = by == PRONET_FOLD_BY_FLOW ? i
		             : group_of_capture != NULL
		                 ? group_of_capture[flows->capture[members[i]]]
		                 : flows->capture[members[i]];
		unit_size[unit_of[i]]++;
	}
	for (size_t u = 0; u < units; u++)
		order[u] = u;
	pronet_rng_seed(&rng, seed);
	for (size_t u = units; u > 1; u--) { /* Fisher-Yates */
		size_t j = (size_t)pronet_rng_below(&rng, u), swap = order[u - 1];

		order[u - 1] = order[j];
		order[j] = swap;
	}
	memset(fold_size, 0, sizeof(fold_size));
	for (size_t i = 0; i < units; i++) {
		size_t u = order[i];
		uint32_t smallest = 0;

		if (unit_size[u] == 0)
			continue;
		for (uint32_t f = 1; f < k; f++)
			if (fold_size[f] < fold_size[smallest])
				smallest = f;
		unit_fold[u] = smallest;
		fold_size[smallest] += unit_size[u];
	}
	for (size_t i = 0; i < n; i++)
		fold[i] = unit_fold[unit_of[i]];
out:
	free(unit_of);
	free(unit_size);
	free(unit_fold);
	free(order);
	return err;
}
