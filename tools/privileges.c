/* Dropping root after a live capture is open (tools/privileges.h). */
#include "config.h"

#include "tools/privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

enum pronet_err pronet_cli_drop_privileges(const char *user, char *errbuf)
{
	struct passwd entry, *found = NULL;
	char buffer[4096];

	if (user == NULL)
		user = "nobody";
	if (user[0] == '\0')
		return pronet_error(errbuf, PRONET_ERR_ARG, "drop privileges: empty user name");
	int code = getpwnam_r(user, &entry, buffer, sizeof(buffer), &found);
	if (found == NULL) {
		if (code != 0)
			return pronet_error(errbuf, PRONET_ERR_IO, "drop privileges: user %s: %s",
			                    user, strerror(code));
		return pronet_error(errbuf, PRONET_ERR_NOT_FOUND,
		                    "drop privileges: no user named %s", user);
	}
	if (geteuid() != 0)
		return PRONET_OK; /* not root: nothing to drop */

	/* Order matters: groups and gid while we still may change them. */
	if (setgroups(1, &entry.pw_gid) != 0 || setgid(entry.pw_gid) != 0 ||
	    setuid(entry.pw_uid) != 0)
		return pronet_error(errbuf, PRONET_ERR_IO, "drop privileges to %s: %s", user,
		                    strerror(errno));
	if (entry.pw_uid != 0 && setuid(0) == 0)
		return pronet_error(errbuf, PRONET_ERR_IO,
		                    "drop privileges to %s: root could be regained", user);
	return PRONET_OK;
}
