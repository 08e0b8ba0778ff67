/*
 * file.h - replacing a file whole, for the files other programs read
 * while we may be writing them: the signer's tables and keys
 * (senderauth-admin export-keys) and the verifier's metrics file.
 */
#ifndef SA_FILE_H
#define SA_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Writes data to a temporary name beside path (path.XXXXXX, in the same
 * directory, so the rename stays within one file system) with exactly
 * mode, owned by uid and gid ((uid_t)-1 / (gid_t)-1: the process's; the
 * ownership is changed only when one is given, so a process without the
 * right to chown needs none), flushes it to disk and renames it over
 * path: a reader sees the old file or the new one, never a part. 0, or
 * -1 with errno set and the temporary file removed.
 */
int file_replace(const char *path, const void *data, size_t len, mode_t mode,
		 uid_t uid, gid_t gid);

#endif
