/* Shared checks of the tests of rules/ (tests/rules/rules_test.h). */
#include "tests/rules/rules_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util/error.h"
#include "tests/unit.h"

void rules_test_wrong_lines(const struct rules_test_case *cases, size_t count, const char *before,
                            const char *after, const char *place, rules_test_load_fn load)
{
	char errbuf[PRONET_ERRBUF_SIZE], text[512];

	for (size_t i = 0; i < count; i++) {
		snprintf(text, sizeof(text), "%s%s\n%s", before, cases[i].line, after);
		errbuf[0] = '\0';
		CU_ASSERT_FALSE(load(text, errbuf));
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, place));
		if (strstr(errbuf, cases[i].expect) == NULL)
			fprintf(stderr, "\n  line '%s': got '%s'\n", cases[i].line, errbuf);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, cases[i].expect));
	}
}

void rules_test_temporary_path(char *path, size_t size, const char *what)
{
	snprintf(path, size, "%s/pronet-test-%s-%ld", pronet_unit_tmpdir(), what, (long)getpid());
}

void rules_test_write_file(const char *path, const char *text, size_t size)
{
	FILE *file = fopen(path, "wb");

	CU_ASSERT_FATAL(file != NULL);
	CU_ASSERT(fwrite(text, 1, size, file) == size);
	CU_ASSERT(fclose(file) == 0);
}

void rules_test_shipped_path(char *path, size_t size, const char *name)
{
	const char *srcdir = getenv("top_srcdir");

	if (srcdir == NULL)
		fprintf(stderr, "\n  top_srcdir is not set: run through `make check`\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(srcdir);
	snprintf(path, size, "%s/rules/%s", srcdir, name);
}
