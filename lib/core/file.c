/*
 * file.c - a file replaced whole through a temporary name and a rename
 * (file.h). What to write, and whether to write at all, is the caller's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "util.h"

int
file_replace(const char *path, const void *data, size_t len, mode_t mode,
	     uid_t uid, gid_t gid)
{
	char tmp[PATH_MAX];
	int fd, ok, err;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >=
	    sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1)
		return -1;
	ok = fchmod(fd, mode) == 0 &&
	     ((uid == (uid_t)-1 && gid == (gid_t)-1) ||
	      fchown(fd, uid, gid) == 0) &&
	     write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
	if (!ok) {
		err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	return 0;
}
