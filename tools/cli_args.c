#include "tools/cli_args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* strtoull accepts a sign and leading spaces; a count must be plain digits. */
static int starts_with_digit(const char *text)
{
	return text[0] >= '0' && text[0] <= '9';
}

int pronet_cli_parse_u64(const char *command, const char *option, const char *text, uint64_t *out)
{
	char *end;
	unsigned long long value;

	errno = 0;
	value = starts_with_digit(text) ? strtoull(text, &end, 10) : 0;
	if (!starts_with_digit(text) || *end != '\0' || errno != 0) {
		fprintf(stderr, "pronet %s: --%s: '%s' is not a whole number 0..%llu\n", command,
		        option, text, (unsigned long long)UINT64_MAX);
		return 0;
	}
	*out = (uint64_t)value;
	return 1;
}

int pronet_cli_parse_u32(const char *command, const char *option, const char *text, uint32_t min,
                         uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long value;

	errno = 0;
	value = starts_with_digit(text) ? strtoull(text, &end, 10) : 0;
	if (!starts_with_digit(text) || *end != '\0' || errno != 0 || value < min || value > max) {
		fprintf(stderr, "pronet %s: --%s: '%s' is not a whole number %u..%u\n", command,
		        option, text, min, max);
		return 0;
	}
	*out = (uint32_t)value;
	return 1;
}

int pronet_cli_parse_float(const char *command, const char *option, const char *text, float min,
                           float max, float *out)
{
	char *end;
	double value;

	errno = 0;
	value = strtod(text, &end);
	if (end == text || *end != '\0' || errno != 0 || !isfinite(value) || value < min ||
	    value > max) {
		fprintf(stderr, "pronet %s: --%s: '%s' is not a number %g..%g\n", command, option,
		        text, (double)min, (double)max);
		return 0;
	}
	*out = (float)value;
	return 1;
}
