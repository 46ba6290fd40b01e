/* Input specs (core/data/input_spec.h). */
#include "core/data/input_spec.h"

#include <string.h>

void pronet_input_spec_default(struct pronet_input_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->window_bytes = PRONET_PAYLOAD_BYTES;
	spec->layer = PRONET_LAYER_PAYLOAD;
	spec->packets_per_direction = 4;
}

enum pronet_err pronet_input_spec_check(const struct pronet_input_spec *spec, const char *what,
                                        char *errbuf)
{
	if (spec->window_bytes > PRONET_RECORD_MAX_BYTES)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: window of %u bytes (at most %d)",
		                    what, (unsigned)spec->window_bytes, PRONET_RECORD_MAX_BYTES);
	if (spec->layer != PRONET_LAYER_PAYLOAD && spec->layer != PRONET_LAYER_L3)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: layer %u is neither payload (0) nor l3 (1)", what,
		                    (unsigned)spec->layer);
	if (spec->flags & ~PRONET_SPEC_KNOWN_FLAGS)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: unknown spec flags 0x%02x", what,
		                    (unsigned)spec->flags);
	return PRONET_OK;
}
