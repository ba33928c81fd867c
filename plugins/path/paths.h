/*
 * core:path for capgate's built-in plugins: the 23 base directories of
 * Tauri's BaseDirectory, resolved on Linux as Tauri resolves them (the
 * `dirs` crate: XDG base directories, xdg-user-dirs' user-dirs.dirs, the
 * app identifier), the "$VAR" expansion Tauri applies to scope entries
 * (PathResolver::parse), and the pure path functions of the core:path
 * commands, with Tauri's results for edge cases (Rust's Path on Unix).
 * docs/plugins.md lists where capgate differs, and why.
 *
 * Every function returns 0 or a negative CG_E* code (capgate.h); strings
 * handed out through char ** are malloc'd and the caller frees them; on
 * error *out is NULL. A cg_paths is immutable once made: its directories
 * are read from the environment once, in cg_paths_new, and it may be used
 * from many threads at once.
 */
#ifndef CG_PLUGIN_PATHS_H
#define CG_PLUGIN_PATHS_H

#include <capgate.h>

#include <stddef.h>

/* Tauri's BaseDirectory as @tauri-apps/api numbers it (the JS enum; Tauri
 * 2.1.0's Rust enum disagreed from Desktop on, tauri#11633). */
typedef enum cg_basedir {
	CG_DIR_AUDIO = 1,
	CG_DIR_CACHE = 2,
	CG_DIR_CONFIG = 3,
	CG_DIR_DATA = 4,
	CG_DIR_LOCAL_DATA = 5,
	CG_DIR_DOCUMENT = 6,
	CG_DIR_DOWNLOAD = 7,
	CG_DIR_PICTURE = 8,
	CG_DIR_PUBLIC = 9,
	CG_DIR_VIDEO = 10,
	CG_DIR_RESOURCE = 11,
	CG_DIR_TEMP = 12,
	CG_DIR_APP_CONFIG = 13,
	CG_DIR_APP_DATA = 14,
	CG_DIR_APP_LOCAL_DATA = 15,
	CG_DIR_APP_CACHE = 16,
	CG_DIR_APP_LOG = 17,
	CG_DIR_DESKTOP = 18,
	CG_DIR_EXECUTABLE = 19,
	CG_DIR_FONT = 20,
	CG_DIR_HOME = 21,
	CG_DIR_RUNTIME = 22,
	CG_DIR_TEMPLATE = 23,
} cg_basedir;

#define CG_DIR_MAX 23

/* The variable of a base directory in scope entries ("$APPDATA", "$EXE"
 * for Executable) and its JS name ("AppData"); NULL out of range. */
const char *cg_basedir_variable(int dir);
const char *cg_basedir_name(int dir);
/* The directory a variable names ("$APPDATA": CG_DIR_APP_DATA), matched
 * exactly and case-sensitively as Tauri's BaseDirectory::from_variable
 * does; 0 for anything else. */
int cg_basedir_from_variable(const char *variable);

/* Where the directories come from. Everything may be NULL/0. */
typedef struct cg_paths_config {
	/* The app's identifier ("com.example.notes"), which the App*
	 * directories are named after; NULL: those are unknown. It must be
	 * a single path component (no '/', not "." or ".."). */
	const char *identifier;
	/* The app's resource directory (an absolute path); NULL: unknown.
	 * (Tauri derives it from the executable's location; a capgate host
	 * says where its app's files are.) */
	const char *resource_dir;
	/* The environment (HOME, XDG_*, TMPDIR): NULL uses the process's. */
	const char *(*getenv)(void *ud, const char *name);
	/* The home directory when HOME is unset, empty or relative: NULL
	 * asks the password database (getpwuid_r), as the `dirs` crate does. */
	const char *(*passwd_home)(void *ud);
	void *ud;
} cg_paths_config;

typedef struct cg_paths cg_paths;

/* Resolves every base directory now. cfg may be NULL (the process's
 * environment, no identifier, no resource directory). CG_EINVAL for an
 * identifier that is not one path component or a relative resource_dir;
 * CG_ENOMEM. */
int cg_paths_new(const cg_paths_config *cfg, cg_paths **out);
void cg_paths_free(cg_paths *p);

/* The directory, owned by p. CG_ENOTFOUND when it is unknown here (Tauri's
 * "unknown path": no identifier, no XDG_RUNTIME_DIR, no user-dirs.dirs
 * entry for it, ...); CG_EINVAL for a number that is not a directory. */
int cg_paths_dir(const cg_paths *p, int dir, const char **out);

/* The resolve_directory command: the directory, with path (may be NULL)
 * appended as Rust's PathBuf::push does (an absolute path replaces it).
 * For Resource, path is mapped as Tauri's bundler lays resources out:
 * a root becomes "_root_", ".." becomes "_up_", "." is dropped. */
int cg_paths_resolve_directory(const cg_paths *p, int dir, const char *path, char **out);

/* Tauri's PathResolver::parse, which turns a scope entry into a path: a
 * first component that is a base-directory variable ("$APPDATA" in "$APPDATA/db") is
 * replaced by the directory; a variable anywhere else, or an unknown one,
 * stays as written; ".." components after the first are dropped.
 * CG_ENOTFOUND when the variable's directory is unknown (Tauri then
 * ignores the entry). With CG_PATHS_GLOB the directory is escaped
 * (cg_glob_escape) so that a '*' or '[' in it is literal in a pattern. */
#define CG_PATHS_GLOB 1u
int cg_paths_expand(const cg_paths *p, const char *path, unsigned flags, char **out);

/* ------------------------------------------------- pure path functions */

/* Rust's PathBuf::push on Unix: base, a '/' unless base is empty or ends
 * with one, then comp; an absolute comp replaces base. */
int cg_path_push(const char *base, const char *comp, char **out);
/* The path as Rust's components().collect() rebuilds it: "//" and "."
 * components dropped (a leading "." kept), no trailing '/', ".." kept. */
int cg_path_lexical(const char *path, char **out);

/* The core:path commands (crates/tauri/src/path/plugin.rs). */
int cg_path_normalize(const char *path, char **out);
int cg_path_join(const char *const *paths, size_t n, char **out);
/* paths pushed one by one onto cwd (an absolute one replaces what came
 * before), then "." and ".." resolved lexically. */
int cg_path_resolve(const char *cwd, const char *const *paths, size_t n, char **out);
/* CG_ENOTFOUND: "/" and "" have no parent. */
int cg_path_dirname(const char *path, char **out);
/* CG_ENOTFOUND: no extension ("a", ".bashrc", "a/.."). */
int cg_path_extname(const char *path, char **out);
/* The last component, without the suffix ext (may be NULL) if it ends
 * with it. CG_ENOTFOUND: no file name ("/", "..", ""). */
int cg_path_basename(const char *path, const char *ext, char **out);
/* 1 if path starts with '/', else 0. */
int cg_path_is_absolute(const char *path);

#endif
