/* Shared by the fs scope's compiler and checker (scope.c) and its file
 * operations (ops.c); not used outside plugins/fs. */
#ifndef CG_PLUGIN_FS_INTERNAL_H
#define CG_PLUGIN_FS_INTERNAL_H

#include "fs/scope.h"

#include <limits.h>
#include <stdbool.h>

/* Where a checked path is opened: `path` is the path with its root's
 * symlinks resolved (the root as compiled, then the rest as requested);
 * `req` is the path as requested, normalized. Both end in the same rest,
 * after root_len (path) and req_root_len (req) bytes, which is empty when
 * the path is the root itself. */
struct fs_target {
	char path[PATH_MAX];
	size_t root_len;
	char req[PATH_MAX];
	size_t req_root_len;
};

/* Checks path (deny first) and fills t. 0, or -EACCES (refused by the
 * scope) or -EINVAL (a bad path), with why filled in either case. */
int fs_target(const cg_fs_scope *s, const cg_fs_grants *g, const char *path,
	      struct fs_target *t, cg_fs_why *why);

/* Whether a deny entry matches the path below t's root whose rest is
 * rest (relative, no leading '/'), in either form; *entry gets it. */
bool fs_denied_below(const cg_fs_scope *s, const struct fs_target *t, const char *rest,
		     const char **entry);

/* in with each byte that does not start a valid UTF-8 character
 * replaced by U+FFFD (a name found on disk, as the scope judges it and as
 * a page is shown it). Its length, or 0 if it does not fit in out. */
size_t fs_lossy_utf8(const char *in, char out[PATH_MAX]);

/* A deny entry that may not see the paths below from and below to alike
 * (cg_glob_same_below, for its resolved root too), or NULL. */
const char *fs_deny_moved(const cg_fs_scope *s, const char *from, const char *to);

#endif
