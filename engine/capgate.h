/*
 * capgate.h - the capgate policy engine.
 *
 * capgate loads Tauri v2 compatible capability files and permission
 * manifests, resolves them once into an immutable compiled policy and
 * answers "may this window / webview / origin call this command, with which
 * scopes?" and "may it emit / listen to this event?".
 *
 * Conventions:
 *   - every function that can fail returns 0 or a negative CG_E* code;
 *     cg_strerror() names it;
 *   - handles are opaque, created by *_new (or a builder) and released by
 *     *_free / *_unref, which accept NULL;
 *   - loading functions take an optional cg_diag list that receives one
 *     entry per problem, each with file, line, column, JSON pointer, a
 *     message and a hint on how to fix it;
 *   - a cg_policy is immutable and safe to query from many threads at once.
 */
#ifndef CAPGATE_H
#define CAPGATE_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CAPGATE_BUILDING) && defined(__GNUC__)
#define CG_EXPORT __attribute__((visibility("default")))
#else
#define CG_EXPORT
#endif

#define CG_VERSION_MAJOR 0
#define CG_VERSION_MINOR 1
#define CG_VERSION_MICRO 0
#define CG_VERSION_STRING "0.1.0"
#define CG_VERSION_NUMBER \
	((CG_VERSION_MAJOR * 10000) + (CG_VERSION_MINOR * 100) + CG_VERSION_MICRO)

/* The library's version at run time (may differ from the header's). */
CG_EXPORT const char *cg_version(void);
CG_EXPORT int cg_version_number(void);

/* ---------------------------------------------------------------- errors */

enum {
	CG_OK = 0,
	CG_ENOMEM = -1,      /* out of memory */
	CG_EINVAL = -2,      /* invalid argument */
	CG_EIO = -3,         /* a file could not be read */
	CG_EPARSE = -4,      /* not well-formed JSON (or not UTF-8) */
	CG_ESCHEMA = -5,     /* wrong type, missing or unknown field */
	CG_EUNKNOWN = -6,    /* unknown permission, plugin or command */
	CG_ECYCLE = -7,      /* permission sets that include themselves */
	CG_EDUPLICATE = -8,  /* a duplicate identifier or key */
	CG_ELIMIT = -9,      /* a size, depth or count limit was exceeded */
	CG_EPATTERN = -10,   /* a bad glob or URL pattern */
	CG_EIDENT = -11,     /* an identifier that breaks the naming rules */
	CG_ENOTFOUND = -12,  /* no such item */
	CG_ESTATE = -13,     /* the call is not valid in this state */
};

/* A short English description of a CG_E* code; never NULL. */
CG_EXPORT const char *cg_strerror(int err);

/* ----------------------------------------------------------- diagnostics */

typedef enum {
	CG_SEV_ERROR = 0,
	CG_SEV_WARNING = 1,
	CG_SEV_NOTE = 2,
} cg_severity;

typedef struct cg_diag cg_diag;

CG_EXPORT cg_diag *cg_diag_new(void);
CG_EXPORT void cg_diag_free(cg_diag *d);
CG_EXPORT size_t cg_diag_count(const cg_diag *d);
CG_EXPORT size_t cg_diag_error_count(const cg_diag *d);
/* Accessors for entry i (< cg_diag_count); strings are owned by d. file,
 * pointer and hint may be NULL; line and column are 1-based, 0 when not
 * known. */
CG_EXPORT cg_severity cg_diag_severity(const cg_diag *d, size_t i);
CG_EXPORT int cg_diag_code(const cg_diag *d, size_t i);
CG_EXPORT const char *cg_diag_file(const cg_diag *d, size_t i);
CG_EXPORT unsigned cg_diag_line(const cg_diag *d, size_t i);
CG_EXPORT unsigned cg_diag_column(const cg_diag *d, size_t i);
CG_EXPORT const char *cg_diag_pointer(const cg_diag *d, size_t i);
CG_EXPORT const char *cg_diag_message(const cg_diag *d, size_t i);
CG_EXPORT const char *cg_diag_hint(const cg_diag *d, size_t i);
/* "file:line:col: error: message (at /pointer)\n  hint: ...\n"; the caller
 * frees the result with free(). NULL on allocation failure. */
CG_EXPORT char *cg_diag_format(const cg_diag *d, size_t i);

/* ---------------------------------------------------------------- limits */

typedef enum {
	CG_LIMIT_FILE_SIZE = 0,   /* bytes of one JSON file (16 MiB) */
	CG_LIMIT_JSON_DEPTH = 1,  /* nesting depth of one JSON file (64) */
	CG_LIMIT_FILES = 2,       /* files read by one builder (100000) */
	CG_LIMIT_SET_DEPTH = 3,   /* nesting of permission sets (64) */
} cg_limit;

/* --------------------------------------------------------------- builder */

/*
 * A builder collects manifest and capability sources, then resolves them
 * into a policy. Sources are parsed when added (so errors point at the file
 * at once) and resolved by cg_builder_build(). If any source had an error,
 * build fails and no policy is made: a policy is never half-loaded.
 */
typedef struct cg_builder cg_builder;
typedef struct cg_policy cg_policy;

CG_EXPORT cg_builder *cg_builder_new(void);
CG_EXPORT void cg_builder_free(cg_builder *b);

/* The target platform: "linux" (default), "macOS", "windows", "android" or
 * "iOS". Permissions and capabilities for other platforms are ignored. */
CG_EXPORT int cg_builder_set_platform(cg_builder *b, const char *platform);
CG_EXPORT int cg_builder_set_limit(cg_builder *b, cg_limit which, size_t value);
/* Whether to load capgate's built-in core:* manifests (default on). A
 * manifest source that defines a core:* key replaces the built-in one. */
CG_EXPORT int cg_builder_use_builtin_core(cg_builder *b, int on);

/* One plugin's manifests. plugin is the permission prefix ("fs",
 * "core:event"); NULL or "" means the app's own permissions. A directory
 * is read for *.json files (not recursively). */
CG_EXPORT int cg_builder_add_manifest_file(cg_builder *b, const char *plugin,
					   const char *path, cg_diag *d);
CG_EXPORT int cg_builder_add_manifest_dir(cg_builder *b, const char *plugin,
					  const char *dir, cg_diag *d);
CG_EXPORT int cg_builder_add_manifest_json(cg_builder *b, const char *plugin,
					   const char *name, const char *text,
					   size_t len, cg_diag *d);
/* A directory with one sub-directory per plugin, named by its prefix.
 * "core/<module>/" stands for core:<module> and files directly in "core/"
 * for "core"; a sub-directory named "app" or "__app-acl__" holds the app's
 * own permissions. */
CG_EXPORT int cg_builder_add_plugins_dir(cg_builder *b, const char *dir,
					 cg_diag *d);
/* Tauri's generated src-tauri/gen/schemas/acl-manifests.json. */
CG_EXPORT int cg_builder_add_tauri_manifests(cg_builder *b, const char *path,
					     cg_diag *d);

/* Capability files: one capability, an array, or {"capabilities": [...]}.
 * A directory is read for *.json files, recursively, in name order. */
CG_EXPORT int cg_builder_add_capability_file(cg_builder *b, const char *path,
					     cg_diag *d);
CG_EXPORT int cg_builder_add_capability_dir(cg_builder *b, const char *dir,
					    cg_diag *d);
CG_EXPORT int cg_builder_add_capability_json(cg_builder *b, const char *name,
					     const char *text, size_t len,
					     cg_diag *d);

/* Declares that a plugin (NULL or "" for the app) owns a command, so that
 * allow-<cmd> and deny-<cmd> exist for it even when no manifest names it. */
CG_EXPORT int cg_builder_declare_command(cg_builder *b, const char *plugin,
					 const char *command);

/* Resolves everything added so far. On success *out is a new policy (one
 * reference). On failure *out is NULL and d says why. The builder can be
 * freed afterwards; the policy does not depend on it. */
CG_EXPORT int cg_builder_build(cg_builder *b, cg_policy **out, cg_diag *d);

/* ---------------------------------------------------------------- policy */

CG_EXPORT cg_policy *cg_policy_ref(cg_policy *p);
CG_EXPORT void cg_policy_unref(cg_policy *p);
/* Rebuilds a policy from the same sources (files are read again). */
CG_EXPORT int cg_policy_reload(const cg_policy *p, cg_policy **out,
			       cg_diag *d);

CG_EXPORT size_t cg_policy_capability_count(const cg_policy *p);
CG_EXPORT size_t cg_policy_command_count(const cg_policy *p);
CG_EXPORT const char *cg_policy_platform(const cg_policy *p);

/* The id of a command name ("greet", "plugin:fs|read_file") in this policy,
 * or CG_ENOTFOUND when no manifest declares it. Ids are dense, >= 0, and
 * valid only for the policy that returned them. */
CG_EXPORT int cg_policy_command_id(const cg_policy *p, const char *command);
CG_EXPORT const char *cg_policy_command_name(const cg_policy *p, int id);

/* --------------------------------------------------------------- subject */

/*
 * A subject is the caller's identity resolved against one policy: window
 * label, webview label and origin. remote_url is the page's URL for remote
 * content, NULL for the app's own (local) content. Resolve it once when a
 * webview is created or navigates; checks with it then cost a few bit
 * tests. A subject keeps its policy alive.
 */
typedef struct cg_subject cg_subject;

CG_EXPORT int cg_subject_new(cg_policy *p, const char *window,
			     const char *webview, const char *remote_url,
			     cg_subject **out);
CG_EXPORT void cg_subject_free(cg_subject *s);
CG_EXPORT const char *cg_subject_window(const cg_subject *s);
CG_EXPORT const char *cg_subject_webview(const cg_subject *s);
/* The remote URL, or NULL for local content. */
CG_EXPORT const char *cg_subject_url(const cg_subject *s);

/* -------------------------------------------------------------- decision */

typedef enum {
	CG_REASON_ALLOWED = 0,        /* some grant matched, no deny did */
	CG_REASON_DENY_RULE = 1,      /* a deny rule for this caller matched */
	CG_REASON_NOT_GRANTED = 2,    /* declared, but nothing grants it here */
	CG_REASON_UNKNOWN_COMMAND = 3,/* no manifest declares the command */
	CG_REASON_EVENT_SCOPE = 4,    /* the event name is outside the scope */
} cg_reason;

typedef enum {
	CG_EVENT_LISTEN = 0,
	CG_EVENT_EMIT = 1,
	CG_EVENT_EMIT_TO = 2,
} cg_event_op;

/*
 * The answer to one check. It lives on the caller's stack so that the fast
 * path allocates nothing; its scopes and explanation are computed on demand
 * from the subject and policy, which must outlive it.
 */
typedef struct cg_decision {
	int allowed;       /* 1 allowed, 0 denied */
	cg_reason reason;
	/* private */
	const cg_subject *priv_subject;
	int priv_command;
	int priv_rule;     /* the grant or deny rule that decided, or -1 */
	const char *priv_name;  /* event name, or an unknown command name */
	cg_event_op priv_op;
} cg_decision;

/* The fast path: a resolved subject and a command id. */
CG_EXPORT int cg_check(const cg_subject *s, int command_id, cg_decision *out);
/* By command name; unknown names are denied (CG_REASON_UNKNOWN_COMMAND). */
CG_EXPORT int cg_check_command(const cg_subject *s, const char *command,
			       cg_decision *out);
/* From plain strings (resolved through a bounded per-policy cache). The
 * decision refers to a subject cached inside the policy. */
CG_EXPORT int cg_check_str(cg_policy *p, const char *window,
			   const char *webview, const char *remote_url,
			   const char *command, cg_decision *out);
/* May the subject emit / listen to this event name? The event string must
 * outlive the decision. */
CG_EXPORT int cg_check_event(const cg_subject *s, cg_event_op op,
			     const char *event, cg_decision *out);

/* {"allow": [...], "deny": [...]}: the union of the scopes of every grant
 * of the command that matches the caller; a new reference. Empty arrays on
 * a denied decision. NULL on allocation failure. */
CG_EXPORT json_object *cg_decision_command_scope(const cg_decision *dc);
/* The plugin's global scope, from capabilities that apply to the caller. */
CG_EXPORT json_object *cg_decision_global_scope(const cg_decision *dc);
/* One line naming what decided and, for a denial, the exact fix; free(). */
CG_EXPORT char *cg_decision_reason(const cg_decision *dc);
/* A readable multi-line account: every rule that mattered, with its file
 * and line, and the capabilities that apply to the caller; free(). */
CG_EXPORT char *cg_decision_explain(const cg_decision *dc);

/* ---------------------------------------------------------------- engine */

/*
 * An engine holds the current policy and swaps it atomically on reload.
 * Readers take a reference with cg_engine_policy() and keep answering from
 * it even while a reload happens.
 */
typedef struct cg_engine cg_engine;

CG_EXPORT cg_engine *cg_engine_new(cg_policy *initial);
CG_EXPORT void cg_engine_free(cg_engine *e);
/* A new reference to the current policy; release it with cg_policy_unref. */
CG_EXPORT cg_policy *cg_engine_policy(cg_engine *e);
/* Rebuilds from the current policy's sources. On failure the current
 * policy stays in place and d says what was wrong with the new files. */
CG_EXPORT int cg_engine_reload(cg_engine *e, cg_diag *d);
/* Installs p (takes a reference of its own). */
CG_EXPORT void cg_engine_swap(cg_engine *e, cg_policy *p);

#ifdef __cplusplus
}
#endif
#endif /* CAPGATE_H */
