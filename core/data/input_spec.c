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

static const char *layer_name(uint8_t layer)
{
	return layer == PRONET_LAYER_L3 ? "l3" : "payload";
}

enum pronet_err pronet_input_spec_covers(const struct pronet_input_spec *have,
                                         const struct pronet_input_spec *need, const char *what,
                                         char *errbuf)
{
	if (have->layer != need->layer)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s holds %s-layer bytes, the model reads %s-layer bytes "
		                    "(pronet label --layer %s)",
		                    what, layer_name(have->layer), layer_name(need->layer),
		                    layer_name(need->layer));
	if (have->window_bytes < need->window_bytes)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s holds %u bytes per packet, the model reads %u "
		                    "(pronet label --bytes %u)",
		                    what, (unsigned)have->window_bytes,
		                    (unsigned)need->window_bytes, (unsigned)need->window_bytes);
	if ((need->flags & PRONET_SPEC_ALL_PACKETS) && !(have->flags & PRONET_SPEC_ALL_PACKETS))
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s holds payload packets only, the model reads every packet "
		                    "(pronet label --all-packets)",
		                    what);
	return PRONET_OK;
}
