/* Tests of tools/privileges.c: an empty or unknown user is refused with its
 * name; not as root, nothing changes; as root (in a child) the process
 * becomes nobody with nobody's group only and cannot regain root. */
#include "tools/privileges.h"
#include "tests/unit.h"

#include <pwd.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_drop_privileges(void)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	CU_ASSERT_EQUAL(pronet_cli_drop_privileges("", errbuf), PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_cli_drop_privileges("pronet-no-such-user", errbuf),
	                PRONET_ERR_NOT_FOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "pronet-no-such-user"));
	if (getpwnam("nobody") == NULL)
		return; /* a system without "nobody": nothing more to test */
	if (geteuid() != 0) {
		uid_t before = geteuid();
		CU_ASSERT_EQUAL(pronet_cli_drop_privileges(NULL, errbuf), PRONET_OK);
		CU_ASSERT_EQUAL(geteuid(), before);
		return;
	}
	/* As root: drop in a child, which reports whether it is "nobody" now,
	 * with nobody's group as its only group, and cannot become root or
	 * regain group 0 again. */
	uid_t nobody = getpwnam("nobody")->pw_uid;
	gid_t nobody_group = getpwnam("nobody")->pw_gid;
	pid_t child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0) {
		gid_t groups[8];
		int ok = pronet_cli_drop_privileges(NULL, errbuf) == PRONET_OK &&
		         geteuid() == nobody && getuid() == nobody && getegid() == nobody_group &&
		         getgid() == nobody_group && getgroups(8, groups) == 1 &&
		         groups[0] == nobody_group && setuid(0) != 0 && setgid(0) != 0;
		_exit(ok ? 0 : 1);
	}
	int status = 0;
	CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static CU_TestInfo tests[] = {
    {"privilege drop", test_drop_privileges},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("tools/privileges", tests);
}
