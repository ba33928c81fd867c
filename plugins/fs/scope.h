/*
 * The fs plugin's scope: what a caller may touch, compiled once from the
 * scope entries its capabilities grant, and the file operations that act
 * on a path only through it, without a race.
 *
 * What is allowed is Tauri's rule (plugins-workspace plugins/fs/src/
 * commands.rs resolve_path, tauri crates/tauri/src/scope/fs.rs):
 *   - an entry is a string or {"path": string}; a "$VAR" first component
 *     is a base directory (path/paths.h), ".." components are dropped, an
 *     entry whose directory is unknown here is ignored;
 *   - entries are globs (cg_glob) matched with require_literal_separator
 *     and, unless CG_FS_DOTFILES, require_literal_leading_dot;
 *   - allowed = runtime grants U every scope's "allow" (global and command
 *     scope); denied likewise from "deny"; a deny always wins.
 * capgate differs where Tauri is weak (docs/plugins.md has the list):
 *   - a requested path must be absolute, UTF-8 and free of ".."; it is
 *     matched as written (lexically normalized), not canonicalized;
 *   - THE SCOPE OF AN OPEN: each allow entry has a root, the longest
 *     literal directory its pattern starts with ("$APPDATA/db/" + "**": the
 *     app data dir's "db"; a literal entry's parent directory). Its
 *     symlinks are resolved once, when the scope is compiled; an
 *     operation then opens the root with no symlink followed at all
 *     (openat2 RESOLVE_NO_SYMLINKS) and the rest of the path beneath it
 *     (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), or, on kernels without
 *     openat2, walks every component with O_NOFOLLOW. So what is opened is
 *     exactly the path that was checked: a symlink below a root is never
 *     followed (ELOOP), and one swapped in between check and open cannot
 *     lead anywhere else. A deny entry is checked against the path as
 *     requested and as opened (with the root's symlinks resolved);
 *   - runtime grants (dialog picks) are literal paths, not globs.
 *
 * Compiling returns CG_E* codes (capgate.h). The file operations return
 * what the kernel says, as -errno, or a file descriptor; a scope refusal
 * is -EACCES with why->verdict saying which rule refused (a refusal by
 * the kernel itself leaves why->verdict CG_FS_ALLOWED).
 *
 * A cg_fs_scope is immutable and may be used from many threads at once; a
 * cg_fs_grants may be added to while other threads check against it.
 */
#ifndef CG_PLUGIN_FS_SCOPE_H
#define CG_PLUGIN_FS_SCOPE_H

#include <capgate.h>

#include "path/paths.h"

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef struct cg_fs_scope cg_fs_scope;
typedef struct cg_fs_grants cg_fs_grants;

/* plugins.fs.requireLiteralLeadingDot = false: wildcards match dotfiles. */
#define CG_FS_DOTFILES 1u

/* Compiles the entries of n scope objects ({"allow": [...], "deny":
 * [...]}, as cg_call_global_scope and cg_call_command_scope give them;
 * NULL ones are skipped) into *out. Patterns are expanded with paths.
 * Problems go to d (may be NULL), each naming the entry: an entry that is
 * not a string or {"path": string} (CG_ESCHEMA) or not a valid glob
 * (CG_EPATTERN) fails the whole scope, as in Tauri; an entry whose
 * directory is unknown, or that is relative, is ignored with a warning. */
int cg_fs_scope_new(const cg_paths *paths, json_object *const *scopes, size_t n, unsigned flags,
		    cg_fs_scope **out, cg_diag *d);
void cg_fs_scope_free(cg_fs_scope *s);
/* The compiled entries, for audit: [{"entry": as written, "pattern":
 * expanded, "root": ..., "resolved_root": (when its symlinks lead
 * elsewhere), "deny": bool}], a new reference; NULL on allocation failure. */
json_object *cg_fs_scope_describe(const cg_fs_scope *s);

/* Paths granted at run time (what the user picked in a dialog): literal
 * paths, each allowing exactly itself (FILE), also its direct children
 * (DIR), or everything below it (DIR_RECURSIVE; leading dots protected
 * as in a "**" pattern unless the scope has CG_FS_DOTFILES). */
typedef enum {
	CG_FS_GRANT_FILE,
	CG_FS_GRANT_DIR,
	CG_FS_GRANT_DIR_RECURSIVE,
} cg_fs_grant_kind;

int cg_fs_grants_new(cg_fs_grants **out);
void cg_fs_grants_free(cg_fs_grants *g);
/* path must be absolute, UTF-8, without "..": CG_EINVAL otherwise. */
int cg_fs_grants_add(cg_fs_grants *g, const char *path, cg_fs_grant_kind kind);

typedef enum {
	CG_FS_ALLOWED = 0,
	CG_FS_DENIED,      /* a deny entry matches */
	CG_FS_NOT_ALLOWED, /* no allow entry and no grant matches */
	CG_FS_BAD_PATH,    /* relative, "..", not UTF-8, empty or too long */
} cg_fs_verdict;

/* Why a path was refused (or which entry allowed it). */
typedef struct cg_fs_why {
	cg_fs_verdict verdict;
	/* The entry that decided, as written (say "$HOME/.ssh/" followed by "**"), or the
	 * granted path; owned by the scope or the grants. NULL otherwise. */
	const char *entry;
	/* CG_FS_BAD_PATH: what is wrong, a static string. */
	const char *problem;
	/* The path concerned (the caller's string), for rename's two. */
	const char *path;
} cg_fs_why;

/* May path be used? No I/O. s and g may be NULL (nothing allowed by
 * them). why may be NULL. */
cg_fs_verdict cg_fs_check(const cg_fs_scope *s, const cg_fs_grants *g, const char *path,
			  cg_fs_why *why);

/* ------------------------------------------------------ file operations
 * Each checks path (deny first), then acts through the root of the allow
 * entry or grant that matched, following no symlink (see above).
 */

/* open(2) flags among O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL,
 * O_TRUNC, O_APPEND, O_DIRECTORY (else -EINVAL); O_NOFOLLOW and O_CLOEXEC
 * are added. Opening does not block on a FIFO. Returns the fd. */
int cg_fs_open(const cg_fs_scope *s, const cg_fs_grants *g, const char *path, int flags,
	       mode_t mode, cg_fs_why *why);
/* lstat(2) of the entry; with follow, a symlink there is -ELOOP instead. */
int cg_fs_stat(const cg_fs_scope *s, const cg_fs_grants *g, const char *path, int follow,
	       struct stat *st, cg_fs_why *why);

#define CG_FS_PARENTS 1u   /* mkdir: create missing directories below the root */
#define CG_FS_RECURSIVE 1u /* remove: a directory with what it holds */
#define CG_FS_NOREPLACE 1u /* rename: fail with -EEXIST rather than replace */

/* mkdir(2). With CG_FS_PARENTS, missing directories between the root and
 * path are made too (each checked against the deny entries, as a
 * recursive remove checks what it finds) and an existing directory is
 * success. */
int cg_fs_mkdir(const cg_fs_scope *s, const cg_fs_grants *g, const char *path, mode_t mode,
		unsigned flags, cg_fs_why *why);
/* unlink(2) / rmdir(2); a symlink is removed, never followed. With
 * CG_FS_RECURSIVE, a directory's contents go first; anything a deny
 * entry matches is kept (and the call then fails with -EACCES, why naming
 * the entry). Below a deny entry, "matches" ignores the leading-dot rule
 * (its dotfiles are kept too) and judges a name that is not UTF-8 by its
 * lossy spelling (U+FFFD for each bad byte), so no name slips past it. */
int cg_fs_remove(const cg_fs_scope *s, const cg_fs_grants *g, const char *path, unsigned flags,
		 cg_fs_why *why);
/* rename(2), both paths checked (why->path says which was refused). */
int cg_fs_rename(const cg_fs_scope *s, const cg_fs_grants *g, const char *from, const char *to,
		 unsigned flags, cg_fs_why *why);

/* How paths are resolved: AUTO uses openat2 when the kernel (and seccomp)
 * allow it, else the O_NOFOLLOW walk; tests force either. Process-wide. */
typedef enum {
	CG_FS_RESOLVE_AUTO,
	CG_FS_RESOLVE_OPENAT2,
	CG_FS_RESOLVE_WALK,
} cg_fs_resolve_mode;
void cg_fs_set_resolve_mode(cg_fs_resolve_mode mode);
/* The mode in use (AUTO resolved to one of the others on first use). */
cg_fs_resolve_mode cg_fs_resolve_mode_in_use(void);

#endif
