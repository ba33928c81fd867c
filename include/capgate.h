/*
 * capgate.h - the capgate policy engine.
 *
 * capgate loads Tauri v2 compatible capability files and permission
 * manifests, resolves them once into an immutable compiled policy and
 * answers "may this window / webview / origin call this command, with which
 * scopes?" and "may it emit / listen to this event?".
 *
 * Conventions (the same in every function below):
 *   - Errors. A function that can fail for any reason but lack of memory
 *     returns 0 or a negative CG_E* code (cg_strerror() names it) and gives
 *     what it makes through an out parameter, which it sets to NULL on
 *     failure. Loading functions also take a cg_diag (may be NULL) that
 *     receives one entry per problem with file, line, column, JSON pointer,
 *     message and hint. A function that returns a pointer either gives
 *     NULL a meaning in its comment ("not set", "no such item") or returns
 *     NULL only when memory runs out or an argument is invalid (a NULL
 *     handle); it has no other way to fail.
 *   - Ownership. Handles are opaque, made by *_new (or a builder) and
 *     released by *_free / *_unref, which accept NULL. Strings a function
 *     returns as const char * belong to the object they came from and live
 *     as long as it; char * results are the caller's to free().
 *   - Names. cg_<object>_<verb>; a property with a setter is read with
 *     _get_ (cg_router_set_limit / cg_router_get_limit); a read-only
 *     property is read by its name (cg_subject_window).
 *   - Threads. A cg_policy, cg_subject and cg_decision are immutable and
 *     may be used from any number of threads at once; a cg_engine swaps
 *     policies under a lock. A cg_builder, cg_diag and cg_lint belong to
 *     one thread at a time. A cg_router runs on the host's main loop
 *     thread; the few calls that any thread may make say so.
 *   - JSON. Scopes, arguments, results and event payloads are json-c
 *     objects (json_object *), on purpose: they are arbitrary JSON that the
 *     host reads and builds anyway, json-c is the JSON library capgate is
 *     built on, and a wrapper would add a copy to every call for no gain.
 *     The public API therefore depends on json-c's (stable) ABI; capgate.pc
 *     names it in Requires. Reference counts follow json-c: a function that
 *     "takes ownership" consumes one reference, one that returns "a new
 *     reference" gives one.
 *   - Structs. Everything is opaque but cg_decision (allocated by the
 *     caller: fixed size, with reserved room), cg_transport (filled by the
 *     host: its first member is its version, CG_TRANSPORT_VERSION) and
 *     cg_window_config (read-only, owned by the config; members may be
 *     added at its end).
 *   - Versions. CG_VERSION_* (capgate-version.h) are the headers';
 *     cg_version() the library's. Symbols carry the version node CAPGATE_0.
 */
#ifndef CAPGATE_H
#define CAPGATE_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "capgate-version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CAPGATE_BUILDING) && defined(__GNUC__)
#define CG_EXPORT __attribute__((visibility("default")))
#else
#define CG_EXPORT
#endif

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
	CG_ESEAL = -14,      /* a message not sealed, or its seal did not verify */
	CG_ESECCOMP = -15,   /* the kernel refused a seccomp filter */
};

/* A short English description of a CG_E* code; never NULL. Any thread. */
CG_EXPORT const char *cg_strerror(int err);

/* Fills buf with len bytes from the kernel's random generator
 * (getrandom(2)), for keys and nonces: the engine's own source of random
 * bytes, shared with hosts so that there is one. 0, or CG_EIO when the
 * kernel gives none (errno says why). Any thread. */
CG_EXPORT int cg_random(void *buf, size_t len);

/* ----------------------------------------------------------- diagnostics */

typedef enum {
	CG_SEV_ERROR = 0,
	CG_SEV_WARNING = 1,
	CG_SEV_NOTE = 2,
} cg_severity;

typedef struct cg_diag cg_diag;

/* A list of errors, warnings and notes, filled by the calls that take a
 * cg_diag *d (d may be NULL there: nothing is recorded). NULL when memory
 * runs out. One thread at a time; free accepts NULL. */
CG_EXPORT cg_diag *cg_diag_new(void);
CG_EXPORT void cg_diag_free(cg_diag *d);
/* Entries recorded so far (all severities; 0 for NULL). */
CG_EXPORT size_t cg_diag_count(const cg_diag *d);
/* Entries of severity CG_SEV_ERROR (0 for NULL). */
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
/* Adds an entry (for hosts and tools that report through the same list);
 * any string may be NULL. */
CG_EXPORT void cg_diag_add_message(cg_diag *d, cg_severity sev, int code,
				   const char *file, unsigned line, unsigned col,
				   const char *pointer, const char *hint,
				   const char *message);

/* The lint rule that produced entry i ("unknown-permission", ...; see
 * cg_lint_rule_*), or NULL for entries not made by cg_lint_run. */
CG_EXPORT const char *cg_diag_rule(const cg_diag *d, size_t i);
/* Suggested JSON text to put at entry i's pointer instead of what is there
 * (for instance "\"fs:allow-read-file\"" for a misspelt identifier), or NULL. */
CG_EXPORT const char *cg_diag_replacement(const cg_diag *d, size_t i);

/* ---------------------------------------------------------------- limits */

typedef enum {
	CG_LIMIT_FILE_SIZE = 0,   /* bytes of one JSON file (16 MiB) */
	CG_LIMIT_JSON_DEPTH = 1,  /* nesting depth of one JSON file (64) */
	CG_LIMIT_FILES = 2,       /* files read by one builder (100000) */
	CG_LIMIT_SET_DEPTH = 3,   /* nesting of permission sets (64) */
	/* Resolving capability entries through permission sets: set members
	 * visited, grants made and scope values gathered, in total for one
	 * policy (1000000). A policy over it is refused with an error at the
	 * entry that went over; memory stays in proportion. */
	CG_LIMIT_EXPANSION = 4,
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

/* A new, empty builder (platform "linux", default limits); NULL when
 * memory runs out. A builder is used by one thread at a time; free accepts
 * NULL and does not touch policies already built. */
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
 * is read for *.json files, sub-directories included (their files belong
 * to the same plugin). */
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
/* The capabilities inlined in Tauri's tauri.conf.json: the objects of
 * app.security.capabilities, read like a capability file's and located in
 * the config (its identifiers name capability files, which are added as
 * files are). Returns how many it added (0 when there are none, or no
 * such list), or a negative CG_E* code. */
CG_EXPORT int cg_builder_add_tauri_config(cg_builder *b, const char *path,
					  cg_diag *d);

/* A plugin's manifest to use only if no other source defines that
 * plugin's permissions when the policy is built (an app that ships its
 * own fs manifest keeps it). Parsed when the policy is built; text is
 * copied. CG_EINVAL, CG_EIDENT (bad plugin name), CG_ENOMEM. */
CG_EXPORT int cg_builder_add_manifest_fallback(cg_builder *b, const char *plugin,
					       const char *name, const char *text,
					       size_t len);

/* Declares that a plugin (NULL or "" for the app) owns a command, so that
 * allow-<cmd> and deny-<cmd> exist for it even when no manifest names it. */
CG_EXPORT int cg_builder_declare_command(cg_builder *b, const char *plugin,
					 const char *command);

/* Resolves everything added so far. On success *out is a new policy (one
 * reference). On failure *out is NULL and d says why. The builder can be
 * freed afterwards; the policy does not depend on it. */
CG_EXPORT int cg_builder_build(cg_builder *b, cg_policy **out, cg_diag *d);

/* ---------------------------------------------------------------- policy */

/* A policy is immutable once built, so any thread may read it; these two
 * are atomic. ref returns p (NULL for NULL); the last unref frees it.
 * Every cg_policy_* query below may run on any thread. */
CG_EXPORT cg_policy *cg_policy_ref(cg_policy *p);
CG_EXPORT void cg_policy_unref(cg_policy *p);
/* Rebuilds a policy from the same sources (files are read again). */
CG_EXPORT int cg_policy_reload(const cg_policy *p, cg_policy **out,
			       cg_diag *d);

/* Capabilities that apply on the policy's platform, and commands its
 * manifests declare (ids run from 0 to this count - 1). */
CG_EXPORT size_t cg_policy_capability_count(const cg_policy *p);
CG_EXPORT size_t cg_policy_command_count(const cg_policy *p);
/* The platform the policy was built for; owned by p. */
CG_EXPORT const char *cg_policy_platform(const cg_policy *p);

/* The id of a command name ("greet", "plugin:fs|read_file") in this policy,
 * or CG_ENOTFOUND when no manifest declares it. Ids are dense, >= 0, and
 * valid only for the policy that returned them. */
CG_EXPORT int cg_policy_command_id(const cg_policy *p, const char *command);
/* Every permission and set the policy's manifests define, by full
 * identifier ("fs:read", "core:event:default", "allow-greet"), sorted;
 * for schemas, completion and audits. Strings are owned by the policy. */
CG_EXPORT size_t cg_policy_permission_count(const cg_policy *p);
CG_EXPORT const char *cg_policy_permission_id(const cg_policy *p, size_t i);
/* Its description ("" when the manifest gives none). */
CG_EXPORT const char *cg_policy_permission_description(const cg_policy *p, size_t i);
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

/* On success 0 and *out a new subject; CG_EINVAL for a NULL policy or
 * out, CG_ENOMEM. webview NULL means the window's own webview (same
 * label). A subject is immutable: any thread may check with it. free
 * accepts NULL. */
CG_EXPORT int cg_subject_new(cg_policy *p, const char *window,
			     const char *webview, const char *remote_url,
			     cg_subject **out);
CG_EXPORT void cg_subject_free(cg_subject *s);
/* The window and webview labels; owned by s. */
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
	/* Private: the engine's, read by cg_decision_*. The struct's size is
	 * part of the ABI (callers allocate it), so it ends in room that later
	 * private members take; its size stays 88 bytes on LP64. */
	const cg_subject *priv_subject;
	int priv_command;
	int priv_rule;     /* the grant or deny rule that decided, or -1 */
	const char *priv_name;  /* event name, or an unknown command name */
	cg_event_op priv_op;
	void *priv_reserved[6];
} cg_decision;

/* The fast path: a resolved subject and a command id. */
CG_EXPORT int cg_check(const cg_subject *s, int command_id, cg_decision *out);
/* By command name; unknown names are denied (CG_REASON_UNKNOWN_COMMAND). */
CG_EXPORT int cg_check_command(const cg_subject *s, const char *command,
			       cg_decision *out);
/* From plain strings, resolved through a per-policy cache of subjects.
 * The decision refers to a subject cached inside the policy, which keeps
 * it as long as the policy lives: the cache holds at most 4096 distinct
 * callers (window, webview, origin) per policy, and a caller beyond them
 * gets CG_ELIMIT with a denying decision. A host with more callers makes
 * its own subjects with cg_subject_new() and uses cg_check_command(). */
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

/* A new engine holding initial (it takes a reference of its own) in *out.
 * CG_EINVAL without a policy, CG_ENOMEM. */
CG_EXPORT int cg_engine_new(cg_policy *initial, cg_engine **out);
CG_EXPORT void cg_engine_free(cg_engine *e);
/* A new reference to the current policy; release it with cg_policy_unref. */
CG_EXPORT cg_policy *cg_engine_policy(cg_engine *e);
/* Rebuilds from the current policy's sources. On failure the current
 * policy stays in place and d says what was wrong with the new files. */
CG_EXPORT int cg_engine_reload(cg_engine *e, cg_diag *d);
/* Installs p (takes a reference of its own). */
CG_EXPORT void cg_engine_swap(cg_engine *e, cg_policy *p);


/* ---------------------------------------------------------------- router */

/*
 * The IPC router: every message between a web page and the core passes
 * through it, and it consults the policy before every dispatch and every
 * event delivery. It knows no transport: the host (capgate's WebKitGTK
 * runtime, or your own) hands it each message with the webview it came
 * from, and the router answers through the host's cg_transport.
 *
 * Threads: the router runs on one thread, the host's main loop. Handlers
 * registered CG_CMD_ASYNC run on a bounded worker pool; cg_call_resolve,
 * cg_call_resolve_bytes, cg_call_reject, cg_channel_send,
 * cg_channel_send_bytes and the resource calls (cg_call_add_resource...)
 * may be called from any thread. Their
 * effects reach the transport on the main loop: the host watches
 * cg_router_fd() for readability and then calls cg_router_process().
 */
typedef struct cg_router cg_router;
typedef struct cg_webview cg_webview;
typedef struct cg_call cg_call;
typedef struct cg_channel cg_channel;

/* Bytes on their way to a page (a binary answer or channel message),
 * shared without copies between the router and the host: immutable,
 * reference-counted (atomically: any thread may take or drop a
 * reference), freed with the last reference. */
typedef struct cg_bytes cg_bytes;
/* The bytes and their count (*len; len may be NULL). Valid while a
 * reference is held. NULL only for b NULL. */
CG_EXPORT const void *cg_bytes_data(const cg_bytes *b, size_t *len);
/* A new reference to b (b may be NULL: then NULL). */
CG_EXPORT cg_bytes *cg_bytes_ref(cg_bytes *b);
/* Drops one reference; the last frees the bytes (with the free function
 * they were given, on the calling thread). b may be NULL. */
CG_EXPORT void cg_bytes_unref(cg_bytes *b);

/* The version of cg_transport this header describes. A host sets
 * .version to it; a later library that adds members reads only those its
 * caller's version has, so a host built against this header keeps
 * working. Version 2 added reply_bytes and callback_bytes. */
#define CG_TRANSPORT_VERSION 2

typedef struct cg_transport {
	unsigned version;  /* CG_TRANSPORT_VERSION */
	/* The answer to one invoke, exactly once per invoke handed to the
	 * router (ok: 1 resolved, 0 rejected). json is the result, or for a
	 * rejection a JSON string with the error message. req is the host's
	 * token given to cg_router_invoke. */
	void (*reply)(void *user, cg_webview *wv, void *req, int ok,
		      const char *json, size_t len);
	/* Runs the page's callback id with one JSON argument (events and
	 * channel messages). */
	void (*callback)(void *user, cg_webview *wv, uint32_t id,
			 const char *json, size_t len);
	void *user;
	/* Optional: an answer for a webview that is gone is dropped; this
	 * lets the host release its req token then. */
	void (*drop)(void *user, void *req);
	/* Version 2. Optional: a binary answer (cg_call_resolve_bytes), in
	 * place of reply, exactly once per invoke as reply is: the page's
	 * invoke resolves with an ArrayBuffer of these bytes, as Tauri's raw
	 * responses do. bytes belongs to the router; the host takes a
	 * reference (cg_bytes_ref) to keep it past the call, e.g. to hand it
	 * to WebKit without a copy. Without it (or for a version-1 host) the
	 * router calls reply with the bytes as a JSON array of numbers. */
	void (*reply_bytes)(void *user, cg_webview *wv, void *req,
			    cg_bytes *bytes);
	/* Version 2. Optional: a channel message of bytes
	 * (cg_channel_send_bytes) for the page's callback id: the Channel's
	 * onmessage gets an ArrayBuffer. index is the message's place in the
	 * channel's order, which JSON messages (through callback, as
	 * {"message": ..., "index": N}) share. bytes as for reply_bytes.
	 * Without it the router calls callback with
	 * {"message": [numbers], "index": N}. */
	void (*callback_bytes)(void *user, cg_webview *wv, uint32_t id,
			       uint32_t index, cg_bytes *bytes);
} cg_transport;

typedef enum {
	CG_RLIMIT_MESSAGE_SIZE = 0, /* bytes of one message (4 MiB) */
	CG_RLIMIT_DEPTH = 1,        /* JSON nesting of one message (64) */
	CG_RLIMIT_STRING = 2,       /* bytes of one JSON string (1 MiB) */
	CG_RLIMIT_PENDING = 3,      /* calls in flight per webview (256) */
	CG_RLIMIT_LISTENERS = 4,    /* event listeners per webview (1024) */
	CG_RLIMIT_WORKERS = 5,      /* threads for async handlers (4) */
	CG_RLIMIT_TIMEOUT = 6,      /* ms a call may wait for its answer (60000; 0: none) */
	/* Bytes of one binary body: a binary call's, a binary answer's, one
	 * channel message of bytes (64 MiB). Checked before anything is
	 * copied; bigger data goes through a channel, in pieces. */
	CG_RLIMIT_BINARY_SIZE = 7,
} cg_router_limit;

/* A new router answering through t (copied) in *out. CG_EINVAL for a
 * transport without reply or callback, or of a version this library does
 * not know; CG_EIO when the kernel gives no eventfd, timerfd or epoll
 * instance (errno says why); CG_ENOMEM. */
CG_EXPORT int cg_router_new(const cg_transport *t, cg_router **out);
/* Cancels what is pending and frees everything. It waits for every handler
 * still running (worker pool, handler thread), even one whose call timed out.
 *
 * Timeouts (CG_RLIMIT_TIMEOUT): a call not answered in time is rejected
 * ("timed out") and its handler's late answer is ignored (CG_ESTATE). A
 * handler still running then no longer counts against CG_RLIMIT_WORKERS,
 * so hung handlers cannot starve the others; a sync handler that hangs on
 * the handler thread (under a seccomp filter) is left there and a new
 * handler thread serves the next calls. A sync handler on the main loop
 * (no filter, or CG_CMD_MAIN) cannot be timed out. */
CG_EXPORT void cg_router_free(cg_router *r);
CG_EXPORT int cg_router_set_limit(cg_router *r, cg_router_limit which, size_t value);
/* The limit now in force (0 for an unknown one). */
CG_EXPORT size_t cg_router_get_limit(const cg_router *r, cg_router_limit which);
/* Installs a policy (takes a reference). Calls in flight finish under the
 * policy they started with; the next message uses the new one. */
CG_EXPORT int cg_router_set_policy(cg_router *r, cg_policy *p);
/* Declares every registered command to a builder, so allow-/deny- exist
 * for them when the policy is built, and gives it each enabled plugin's
 * manifest as a fallback (cg_builder_add_manifest_fallback). */
CG_EXPORT int cg_router_declare_commands(const cg_router *r, cg_builder *b);

/* A readable fd that becomes readable when work waits for the main loop
 * (answers from other threads, timeouts); then call cg_router_process (it
 * never blocks). */
CG_EXPORT int cg_router_fd(const cg_router *r);
CG_EXPORT int cg_router_process(cg_router *r);

/* ------------------------------------------------------------- commands */

/*
 * Under a seccomp handler filter (cg_router_set_seccomp), a CG_CMD_SYNC
 * handler runs on the router's handler thread while the main loop waits for
 * it: same order, same effects, no concurrency, but not the main thread
 * (cg_router_emit and answers are then queued and delivered as soon as it
 * returns). A handler that must run on the main thread (to call GTK, say)
 * is registered CG_CMD_MAIN; it runs under the process tier only.
 */
typedef enum {
	CG_CMD_SYNC = 0,   /* runs inside cg_router_invoke (see above) */
	CG_CMD_ASYNC = 1,  /* runs on the worker pool */
	CG_CMD_MAIN = 2,   /* runs on the main loop, always */
} cg_cmd_mode;

/* A handler answers with cg_call_resolve or cg_call_reject, exactly once,
 * before it returns or later from any thread. If it returns a negative
 * code without answering, the call is rejected with cg_strerror(code). */
typedef int (*cg_command_fn)(cg_call *call, void *user);

/* plugin: NULL for an app command ("greet"), "fs" for "plugin:fs|read",
 * "core:event" for "plugin:event|listen". */
CG_EXPORT int cg_router_register(cg_router *r, const char *plugin,
				 const char *command, cg_command_fn fn,
				 void *user, cg_cmd_mode mode);

/* Managed global state shared by every handler, by name. free_fn (may be
 * NULL) runs when the router is freed. */
CG_EXPORT int cg_router_manage(cg_router *r, const char *name, void *state,
			       void (*free_fn)(void *));

/* The command's name as the page sent it ("greet", "plugin:fs|read_file");
 * owned by the call. The cg_call_* accessors may be used from the handler's
 * thread until the call is answered. */
CG_EXPORT const char *cg_call_command(const cg_call *c);
/* The parsed arguments (payload); NULL for a binary call. Owned by the call. */
CG_EXPORT json_object *cg_call_args(const cg_call *c);
/* The raw body of a binary call (application/octet-stream), or NULL. */
CG_EXPORT const void *cg_call_body(const cg_call *c, size_t *len);
/* A header of the call's options.headers (case-insensitive), or NULL. */
CG_EXPORT const char *cg_call_header(const cg_call *c, const char *name);
/* The decision's scopes: {"allow": [...], "deny": [...]}. Owned by the call. */
CG_EXPORT json_object *cg_call_command_scope(const cg_call *c);
CG_EXPORT json_object *cg_call_global_scope(const cg_call *c);
/* The caller, as the transport identified it. origin is NULL for local. */
CG_EXPORT const char *cg_call_window(const cg_call *c);
CG_EXPORT const char *cg_call_webview(const cg_call *c);
CG_EXPORT const char *cg_call_origin(const cg_call *c);
/* The router the call came through, for a handler that emits events
 * (cg_router_emit) to the caller or others. Any thread. */
CG_EXPORT cg_router *cg_call_router(const cg_call *c);
CG_EXPORT void *cg_call_state(const cg_call *c, const char *name);
/* True once the caller's webview is gone: the answer will be dropped. */
CG_EXPORT int cg_call_cancelled(const cg_call *c);
/* Answer the call; takes ownership of result (NULL means JSON null).
 * While the handler runs, a second answer is ignored and returns
 * CG_ESTATE. An answer given after the handler returned (a deferred call)
 * releases the call: it must not be used again. */
CG_EXPORT int cg_call_resolve(cg_call *c, json_object *result);
CG_EXPORT int cg_call_reject(cg_call *c, const char *message);
/* Answers the call with bytes: the page's invoke resolves with an
 * ArrayBuffer holding them (as for a Tauri command returning
 * tauri::ipc::Response). The len bytes at data are copied (data may be
 * NULL when len is 0). Any thread, and the same rules as cg_call_resolve
 * for a second or a deferred answer. CG_EINVAL for a NULL call, or NULL
 * data with len > 0; CG_ESTATE when the call was answered already;
 * CG_ELIMIT when len is above CG_RLIMIT_BINARY_SIZE: the call is then
 * rejected with a message that names the limit (send big data through a
 * channel, in pieces); CG_ENOMEM: the call is rejected "out of memory". */
CG_EXPORT int cg_call_resolve_bytes(cg_call *c, const void *data, size_t len);
/* The same without a copy: the router takes data and calls free_fn(data)
 * once nothing needs the bytes any more (free_fn may be NULL for data that
 * outlives the router, such as static data), on whichever thread lets go
 * of them last: the host's main loop, or the answering thread. free_fn
 * also runs when the answer fails (every error above), so the caller never
 * frees data itself after this call. */
CG_EXPORT int cg_call_resolve_bytes_take(cg_call *c, void *data, size_t len,
					 void (*free_fn)(void *));

/* ------------------------------------------------------------- channels */

/* The channel the caller passed as argument `arg` ("__CHANNEL__:<id>"),
 * or NULL. The channel outlives the call; release it with
 * cg_channel_close. Messages arrive in order. */
CG_EXPORT cg_channel *cg_call_channel(cg_call *c, const char *arg);
/* Sends one message (takes ownership of msg); CG_ESTATE once the webview
 * is gone or the channel closed. Any thread. */
CG_EXPORT int cg_channel_send(cg_channel *ch, json_object *msg);
/* Sends one message of bytes (copied): the Channel's onmessage gets an
 * ArrayBuffer, in order with the JSON messages of cg_channel_send. Any
 * thread. CG_EINVAL (NULL channel, NULL data with len > 0), CG_ESTATE
 * (webview gone or channel closed), CG_ELIMIT (len above
 * CG_RLIMIT_BINARY_SIZE: nothing is sent; send smaller pieces), CG_ENOMEM. */
CG_EXPORT int cg_channel_send_bytes(cg_channel *ch, const void *data, size_t len);
/* Sends the end marker and releases the channel. Any thread. */
CG_EXPORT void cg_channel_close(cg_channel *ch);

/* ------------------------------------------------------------ resources */

/*
 * Resources: objects the core keeps for a page between calls (an open
 * file, an HTTP response being read, a store), named by a resource id
 * (rid) that the page holds, as in Tauri (@tauri-apps/api's Resource).
 * Each webview has its own table: a rid means nothing in another webview.
 * A page releases one with plugin:resources|close {rid} (permission
 * core:resources:allow-close, in core:default); all of a webview's
 * resources are released when it is removed (closed, crashed) and when
 * the host calls cg_webview_free_resources (a new document: a reload or
 * a navigation).
 *
 * Every call here may be made from any thread. A resource is
 * reference-counted: closing it takes it out of the table at once, and
 * its free function runs when the last reference goes (the table's, or
 * that of a handler still using it), on the thread that drops it, never
 * under the table's lock. The type is a string the plugin chooses
 * ("fs:file"): a lookup with another type finds nothing, so one plugin
 * never receives another's object.
 */
typedef struct cg_resource cg_resource;

/* Adds object to the caller's webview's table and gives its rid (> 0,
 * random, unused in that table) in *rid, for the handler to answer.
 * type: a string that outlives the resource (a literal). free_fn (may be
 * NULL) releases object. CG_EINVAL (NULL call, type or rid), CG_ESTATE
 * (the webview is gone: free_fn(object) has run), CG_ENOMEM (free_fn has
 * not run: the object is still the caller's). */
CG_EXPORT int cg_call_add_resource(cg_call *c, const char *type, void *object,
				   void (*free_fn)(void *), uint32_t *rid);
/* A reference to the caller's resource rid of this type in *out. Release
 * it with cg_resource_unref. CG_EINVAL, CG_ENOTFOUND (no such rid in the
 * caller's webview, or of another type). */
CG_EXPORT int cg_call_get_resource(cg_call *c, uint32_t rid, const char *type,
				   cg_resource **out);
/* Takes rid out of the caller's table (plugin:resources|close does the
 * same for the page); the object is freed once no reference is left.
 * CG_EINVAL, CG_ENOTFOUND. */
CG_EXPORT int cg_call_close_resource(cg_call *c, uint32_t rid);
/* The object of a resource (res may be NULL: then NULL). */
CG_EXPORT void *cg_resource_object(const cg_resource *res);
/* The rid, and the type it was added with. */
CG_EXPORT uint32_t cg_resource_rid(const cg_resource *res);
CG_EXPORT const char *cg_resource_type(const cg_resource *res);
/* Drops a reference (res may be NULL). */
CG_EXPORT void cg_resource_unref(cg_resource *res);

/* -------------------------------------------------------------- plugins */

/*
 * A plugin: a named set of commands with its permissions, its config and
 * its scope, enabled on a router with one call (cg_router_enable_plugin).
 * capgate's built-in plugins (fs, ...) are described this way, and a host
 * may describe its own; they live beside the host's own commands.
 *
 * Its scope compiler turns what a caller's capabilities grant (the
 * resolved "allow"/"deny" objects of the global and the command scope, as
 * cg_call_global_scope and cg_call_command_scope give them) into the
 * plugin's own matcher. The router compiles it once per (policy, command,
 * caller) and keeps it until the policy is replaced, so handlers check
 * paths against a ready matcher, not against JSON, on every call.
 */
typedef struct cg_plugin_command {
	const char *name;        /* the command inside the plugin ("read_file") */
	cg_command_fn fn;        /* gets the plugin's state (init) as user */
	cg_cmd_mode mode;        /* CG_CMD_MAIN for GTK work, CG_CMD_ASYNC for I/O */
} cg_plugin_command;

/* What a plugin may want to know about the app it serves. Both may be NULL. */
typedef struct cg_plugin_env {
	const char *identifier;   /* the app's identifier ("com.example.notes") */
	const char *resource_dir; /* the app's files (an absolute path) */
} cg_plugin_env;

#define CG_PLUGIN_VERSION 1

typedef struct cg_plugin_def {
	unsigned version;        /* CG_PLUGIN_VERSION */
	/* The permission prefix, which gives the IPC name: "fs" for
	 * "plugin:fs|read_file", "core:path" for "plugin:path|join". */
	const char *name;
	/* Its permission manifest (a permission file's JSON), loaded by
	 * cg_router_declare_commands when the app ships no manifest for the
	 * plugin (cg_builder_add_manifest_fallback). May be NULL. */
	const char *manifest_json;
	const cg_plugin_command *commands;
	size_t n_commands;
	/* JavaScript for every page, run before the page's own scripts (the
	 * host injects cg_router_init_script's); may be NULL. */
	const char *init_script;
	/* Optional: makes the plugin's state from the app and its config (the
	 * app config's plugins.NAME object, or NULL). Returns 0 or a negative
	 * CG_E* code, with *why (malloc'd, may be left NULL) saying what is
	 * wrong. free_state releases it when the router is freed. */
	int (*init)(const cg_plugin_env *env, json_object *config, void **state, char **why);
	void (*free_state)(void *state);
	/* Optional: compiles n scope objects (NULL ones skipped) into *out for
	 * cg_call_plugin_scope; 0 or a negative CG_E* code, problems in d.
	 * Called from any thread, never twice at once for one router.
	 * free_scope releases what it made (from any thread). */
	int (*compile_scope)(void *state, json_object *const *scopes, size_t n, void **out,
			     cg_diag *d);
	void (*free_scope)(void *scope);
} cg_plugin_def;

/* Enables p on r: its state is made (p->init with env and config, both
 * may be NULL), its commands registered, its manifest and init script
 * kept. p must outlive r. Main thread, before the policy is built (so
 * cg_router_declare_commands sees it). CG_EINVAL (bad descriptor or
 * version), CG_EDUPLICATE (a plugin of that name, or one of its commands,
 * is there already: nothing is registered), what p->init returned (its
 * why logged through cg_router_log), CG_ENOMEM. */
CG_EXPORT int cg_router_enable_plugin(cg_router *r, const cg_plugin_def *p,
				      const cg_plugin_env *env, json_object *config);
/* The init scripts of the enabled plugins, in the order they were
 * enabled: i from 0 until NULL. Owned by the plugins. */
CG_EXPORT const char *cg_router_init_script(const cg_router *r, size_t i);
/* The caller's compiled scope for the call's plugin command in *out: the
 * global and the command scope compiled by the plugin's compile_scope,
 * once per policy, command and caller (a new policy compiles again).
 * Valid until the call is answered. Any thread. CG_EINVAL (not a plugin
 * command, or a plugin without compile_scope), the compiler's error (the
 * first of its problems then logged through cg_router_log). */
CG_EXPORT int cg_call_plugin_scope(cg_call *c, const void **out);

/* -------------------------------------------------------------- webviews */

/*
 * A webview as the transport knows it: its identity comes from the
 * transport (the window and webview labels it created, the URL WebKit
 * reports), never from a message. remote_url is NULL for local content.
 * *out belongs to the router until cg_router_remove_webview. CG_EINVAL
 * without a window label; CG_ENOMEM.
 */
CG_EXPORT int cg_router_add_webview(cg_router *r, const char *window,
				     const char *webview, const char *remote_url,
				     cg_webview **out);
/* The page navigated: a new origin (NULL for local content). */
CG_EXPORT int cg_webview_set_origin(cg_webview *wv, const char *remote_url);
/* Cancels its pending calls, removes its listeners, ends its channels,
 * releases its resources and frees it (when the last of its calls is
 * answered). */
CG_EXPORT void cg_router_remove_webview(cg_router *r, cg_webview *wv);
/* Releases every resource of wv's table (see "resources"), as when a new
 * document replaces the one that made them; returns how many were in it,
 * or CG_EINVAL. Any thread. */
CG_EXPORT int cg_webview_free_resources(cg_webview *wv);
/* How many resources wv's table holds (0 for NULL). Any thread. */
CG_EXPORT size_t cg_webview_resource_count(const cg_webview *wv);
CG_EXPORT const char *cg_webview_window(const cg_webview *wv);
CG_EXPORT const char *cg_webview_label(const cg_webview *wv);
CG_EXPORT void cg_webview_set_data(cg_webview *wv, void *data);
CG_EXPORT void *cg_webview_get_data(const cg_webview *wv);

/*
 * One invoke message, as @tauri-apps/api v2 sends it:
 *   {"cmd": "...", "callback": N, "error": N, "payload": ..., "options": {"headers": {...}}}
 * The router parses and validates it, checks the policy and dispatches; the
 * answer comes through transport.reply(req) exactly once, whatever happens
 * (a malformed message is rejected through it too). Returns 0, or a
 * negative code when the message was refused (already answered).
 */
CG_EXPORT int cg_router_invoke(cg_router *r, cg_webview *wv, const char *msg,
			       size_t len, void *req);
/* A binary invoke: the body is raw bytes, the rest travels beside it (as
 * Tauri's ipc:// requests carry it in the URL and headers). headers_json
 * may be NULL or a JSON object of strings. */
CG_EXPORT int cg_router_invoke_raw(cg_router *r, cg_webview *wv,
				   const char *cmd, const void *body, size_t len,
				   const char *headers_json, void *req);
/* A binary invoke that hands its body over without a copy, for
 * transports that read bodies whole (capgate's runtime reads a page's
 * fetch into one buffer).
 *   msg   the invoke message without a payload:
 *           {"cmd": "...", "options": {"headers": {...}}}
 *         (callback and error ids are allowed, as in cg_router_invoke),
 *         or under the isolation pattern the envelope of a sealed binary
 *         call, {"sealed": 2, "cmd", "seq", "iv"}, whose ciphertext and
 *         tag are the body (see "isolation");
 *   body  body_len bytes that the router takes: free_fn(body) (free_fn
 *         may be NULL) runs once the handler is done with them, on any
 *         thread, also when the call is refused.
 * CG_RLIMIT_BINARY_SIZE bounds body_len (the host should check it
 * before reading a body, as capgate's runtime does); above it the call is
 * rejected with the limit named. Answered through the transport exactly
 * once, as cg_router_invoke is; returns 0 or the negative code of a
 * refusal (already answered); CG_EINVAL without a router or a webview of
 * it (nothing answered; body freed). */
CG_EXPORT int cg_router_invoke_body(cg_router *r, cg_webview *wv,
				    const char *msg, size_t len, void *body,
				    size_t body_len, void (*free_fn)(void *),
				    void *req);

/* ------------------------------------------------------------ isolation */

/*
 * The isolation pattern (docs/isolation.md). Once it is on, every message
 * given to cg_router_invoke must be an envelope sealed with AES-256-GCM
 * under the router's key by the app's isolation frame:
 *   {"sealed": 1, "cmd": C, "seq": N, "iv": B64(12 bytes), "ct": B64(ct||tag)}
 * The associated data binds the command, the webview's label, the
 * webview's epoch and N; the plaintext is the whole invoke message (for a
 * binary call, its body as base64 in "body"). A binary call may also
 * travel with its body beside the envelope (cg_router_invoke_body):
 *   {"sealed": 2, "cmd": C, "seq": N, "iv": B64(12 bytes)}
 * with the ciphertext and tag as the body, the associated data marked as
 * a binary call's, and the plaintext the message without a payload, one
 * NUL byte, then the body's bytes. An envelope that does not
 * open, names another command or webview, belongs to an older epoch,
 * whose N was accepted before in its epoch, or whose N is 64 or more below
 * the highest accepted (a binary call travels by another path than a JSON
 * call, so one may overtake the other) is refused
 * (decision "invalid" in the decision log, a line to the log function) and
 * never reaches the policy or a handler. cg_router_invoke_raw is refused.
 * Webviews that share a label share one sequence.
 *
 * key: CG_SEAL_KEY_BYTES bytes, or NULL for a new key from getrandom(2).
 * Isolation cannot be turned off again; a second call changes the key.
 */
#define CG_SEAL_KEY_BYTES 32
/* 0, CG_EINVAL for a key of another length, CG_EIO when getrandom(2)
 * fails, CG_ENOMEM. Main thread, before pages load. */
CG_EXPORT int cg_router_set_isolation(cg_router *r, const unsigned char *key,
				      size_t key_len);
/* Copies the key (for the isolation frame); CG_ESTATE when it is off. */
CG_EXPORT int cg_router_isolation_key(const cg_router *r, unsigned char *out,
				      size_t out_len);
/* A new document is starting in wv: moves its label to a new epoch, so
 * that envelopes sealed before (and not yet opened) never open, and its
 * new isolation frame can start its sequence at 1 again. Returns the new
 * epoch (>= 1) for the frame, or a negative code. */
CG_EXPORT int64_t cg_webview_new_epoch(cg_webview *wv);

/* One human-readable line for each message the router refuses before the
 * policy sees it (malformed, over a limit, unsealed or badly sealed),
 * at most 20 a second (then a line says how many were not shown). */
typedef void (*cg_log_fn)(const char *line, void *user);
/* fn (NULL: no log) is called on the main thread; line is valid during the
 * call. Set it from the main thread. */
CG_EXPORT void cg_router_set_log(cg_router *r, cg_log_fn fn, void *user);
/* Logs one line about a message the host refused before the router saw it
 * (no key, a sub-frame, a navigation), through the same log and the same
 * rate limit as the router's own refusals, so that a page cannot flood the
 * log. */
CG_EXPORT void cg_router_log(cg_router *r, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* ---------------------------------------------------------------- events */

typedef enum {
	CG_TARGET_ANY = 0,
	CG_TARGET_ANY_LABEL = 1,
	CG_TARGET_APP = 2,
	CG_TARGET_WINDOW = 3,
	CG_TARGET_WEBVIEW = 4,
	CG_TARGET_WEBVIEW_WINDOW = 5,
} cg_target_kind;

/* The core emits (the core needs no permission; every receiving webview
 * still needs listen permission for the name). payload may be NULL; label
 * is NULL for Any and App. Returns the number of webview listeners reached
 * or a negative code. From another thread than the main loop's the event
 * is queued for the main loop (in order) and 0 is returned. */
CG_EXPORT int cg_router_emit(cg_router *r, const char *event,
			     cg_target_kind kind, const char *label,
			     json_object *payload);

typedef void (*cg_event_fn)(const char *event, json_object *payload,
			    const cg_webview *source, void *user);
/* The core listens: it receives events emitted to Any and to App. Returns
 * a listener id (> 0) or a negative code. */
CG_EXPORT int cg_router_listen(cg_router *r, const char *event, cg_event_fn fn,
			       void *user);
CG_EXPORT int cg_router_unlisten(cg_router *r, int id);

/* ---------------------------------------------------------- decision log */

typedef enum {
	CG_DECISION_LOG_DENIALS = 0,   /* denials and invalid messages (default) */
	CG_DECISION_LOG_ALL = 1,       /* every decision, like OPA's decision logs */
} cg_decision_log_level;

/* One JSON line per record:
 * {"time": "...", "window": ..., "webview": ..., "origin": ..., "command" or
 *  "event": ..., "decision": "allow"|"deny"|"invalid", "reason": ...}
 * and "target" when a window or webview command names the window it acts
 * on ({"label": ...}; the decision is still the caller's), to a file
 * (appended) and/or a callback. At most `per_second` lines a second (burst
 * of twice that); past that, identical records (same caller, command or
 * event, target and decision) are held and written later as one line with
 * "count" (and "last", the time of the last one), so every distinct call
 * keeps its line; allowed command calls are always written at once. Past
 * 1024 distinct held records a line with "dropped" counts the rest.
 * path and fn may be NULL; per_second 0 means 100. */
typedef void (*cg_decision_log_fn)(const char *line, void *user);
/* 0; CG_EINVAL for a bad level; CG_EIO when path cannot be opened for
 * appending (errno says why; the previous log stays). Main thread. */
CG_EXPORT int cg_router_set_decision_log(cg_router *r, cg_decision_log_level level,
					 const char *path, cg_decision_log_fn fn, void *user,
					 unsigned per_second);


/* ------------------------------------------------------------ app config */

/*
 * An app's configuration file (JSON; schemas/app.schema.json):
 *   {"name", "version", "identifier", "frontend": DIR,
 *    "windows": [{"label", "title", "url", "width", "height", "visible"}],
 *    "security": {"pattern": "brownfield" | {"use": "isolation", "options": {"dir"}},
 *                 "csp", "capabilities": DIR, "permissions": DIR,
 *                 "navigation": [URL patterns], "frames": [URL patterns],
 *                 "limits": {"message_size", "depth", "string", "pending",
 *                            "listeners", "workers", "timeout", "binary_size",
 *                            "windows", "binary_in_flight"},
 *                 "seccomp": false | {"enabled", "action", "exec", "network",
 *                                     "allow": [...], "deny": [...]}}}
 * Relative paths are resolved against the config file's directory.
 */
typedef struct cg_appconfig cg_appconfig;

typedef struct cg_window_config {
	const char *label;
	const char *title;
	const char *url;      /* a path in the frontend, or a remote URL */
	int width, height;
	int visible;
} cg_window_config;

/* Reads and checks a capgate app config (capgate.json, schemas/app.schema.json)
 * whole: on success 0 and *out a new config; otherwise a negative CG_E*
 * (the file unreadable, not JSON or not a valid config, each with a
 * located error in d),
 * *out NULL. A config is immutable: any thread may read it; free accepts
 * NULL. Strings below are owned by the config. */
CG_EXPORT int cg_appconfig_load(const char *path, cg_appconfig **out, cg_diag *d);
CG_EXPORT void cg_appconfig_free(cg_appconfig *c);
/* "name", "version" ("0.0.0" when not set) and "identifier". */
/* The app config's plugins.NAME value (as tauri.conf.json's "plugins"
 * object holds each plugin's configuration), for cg_router_enable_plugin;
 * NULL when there is none. Owned by c. */
CG_EXPORT json_object *cg_appconfig_plugin_config(const cg_appconfig *c, const char *name);
CG_EXPORT const char *cg_appconfig_name(const cg_appconfig *c);
CG_EXPORT const char *cg_appconfig_version(const cg_appconfig *c);
CG_EXPORT const char *cg_appconfig_identifier(const cg_appconfig *c);
/* Absolute directories (NULL when not set). */
CG_EXPORT const char *cg_appconfig_frontend_dir(const cg_appconfig *c);
CG_EXPORT const char *cg_appconfig_capabilities_dir(const cg_appconfig *c);
CG_EXPORT const char *cg_appconfig_permissions_dir(const cg_appconfig *c);
CG_EXPORT const char *cg_appconfig_isolation_dir(const cg_appconfig *c);
/* "brownfield" or "isolation". */
CG_EXPORT const char *cg_appconfig_pattern(const cg_appconfig *c);
CG_EXPORT const char *cg_appconfig_csp(const cg_appconfig *c);
CG_EXPORT size_t cg_appconfig_window_count(const cg_appconfig *c);
CG_EXPORT const cg_window_config *cg_appconfig_window(const cg_appconfig *c, size_t i);
/* May a window navigate to / may a sub-frame at this URL use IPC? */
CG_EXPORT int cg_appconfig_navigation_allowed(const cg_appconfig *c, const char *url);
CG_EXPORT int cg_appconfig_frame_allowed(const cg_appconfig *c, const char *url);
/* How many sub-frame origin patterns security.frames lists. */
CG_EXPORT size_t cg_appconfig_frames_count(const cg_appconfig *c);
/* A router limit from security.limits, or 0 when not set. */
CG_EXPORT size_t cg_appconfig_limit(const cg_appconfig *c, cg_router_limit which);
/* The most windows open at once (security.limits.windows, at most
 * CG_WINDOWS_MAX), or 0 when not set (the runtime then allows 32). */
#define CG_WINDOWS_MAX 1024
CG_EXPORT size_t cg_appconfig_window_limit(const cg_appconfig *c);
/* The most bytes of binary calls one window's data path may hold at once,
 * queued or running (security.limits.binary_in_flight, never below
 * limits.binary_size), or 0 when not set (the runtime then allows
 * CG_BINARY_IN_FLIGHT_DEFAULT). The runtime checks it before it reads a
 * body. */
#define CG_BINARY_IN_FLIGHT_DEFAULT ((size_t)256 << 20)
CG_EXPORT size_t cg_appconfig_binary_in_flight(const cg_appconfig *c);

/* The window labels of an app configuration, in order, each given to fn:
 * a capgate app config (read and checked whole, as cg_appconfig_load
 * does) or Tauri's tauri.conf.json ("app"."windows"[]."label", "main" for
 * a window without one). Errors go to d with file, line and column; a
 * Tauri config that enables only some capabilities adds a note. A
 * non-zero return of fn stops the walk and is returned. */
CG_EXPORT int cg_config_window_labels(const char *path,
				      int (*fn)(const char *label, void *user),
				      void *user, cg_diag *d);

/* --------------------------------------------------------------- seccomp */

/*
 * The core's seccomp profile (docs/seccomp.md): a default-allow filter with
 * a deny list, in two tiers.
 *  - CG_SECCOMP_PROCESS is loaded on every thread of the process and is
 *    inherited by every process the core starts later (WebKit's web and
 *    network processes): it denies only what none of them needs (ptrace,
 *    modules, kexec, bpf, keyrings, clock setting, ...).
 *  - CG_SECCOMP_HANDLERS is stacked on the threads that run command
 *    handlers: the whole baseline (mounts, namespaces, personality, ...),
 *    execve unless exec is allowed, AF_INET/AF_INET6 sockets unless network
 *    is allowed, and the app's own deny list. clone3 gets ENOSYS.
 * exec and network, when the config does not set them, are allowed only if
 * a command the policy grants needs them (plugin:shell|execute,
 * plugin:http|fetch, ...). Calls through a foreign ABI (i386, x32) are
 * refused with ENOSYS (killed under CG_SECCOMP_KILL).
 */
typedef struct cg_seccomp cg_seccomp;

typedef enum {
	CG_SECCOMP_ERRNO = 0, /* the call fails with EPERM (the default) */
	CG_SECCOMP_KILL = 1,  /* the process dies with SIGSYS */
	CG_SECCOMP_LOG = 2,   /* the call runs; the kernel logs it (learning) */
} cg_seccomp_action;

typedef enum {
	CG_SECCOMP_PROCESS = 0,
	CG_SECCOMP_HANDLERS = 1,
} cg_seccomp_tier;

typedef enum {
	CG_SECCOMP_PFC = 0,   /* libseccomp's readable pseudo filter code */
	CG_SECCOMP_BPF = 1,   /* the raw BPF program the kernel runs */
} cg_seccomp_format;

/* The profile of an app config's security.seccomp (config NULL: the
 * defaults), with what p grants deciding unset switches (p may be NULL:
 * then nothing is implied). CG_ESECCOMP when the kernel lacks what the
 * filter needs (seccomp(2) with TSYNC and the kill and log actions). */
CG_EXPORT int cg_seccomp_new(const cg_appconfig *config, const cg_policy *p,
			     cg_seccomp **out);
CG_EXPORT void cg_seccomp_free(cg_seccomp *s);
/* 0 when the config turned it off: loading is then a no-op. */
CG_EXPORT int cg_seccomp_enabled(const cg_seccomp *s);
/* What happens to a denied call. */
CG_EXPORT cg_seccomp_action cg_seccomp_deny_action(const cg_seccomp *s);
/* 1 when handlers may start programs / open internet sockets; *reason
 * (owned by s) says why, e.g. "granted command plugin:http|fetch needs it". */
CG_EXPORT int cg_seccomp_exec(const cg_seccomp *s, const char **reason);
CG_EXPORT int cg_seccomp_network(const cg_seccomp *s, const char **reason);
/* Installs a tier: PROCESS on every thread (load it before any handler
 * thread starts), HANDLERS on the calling thread only. It cannot be undone.
 * CG_ESECCOMP when the kernel refuses it. Thread-safe. */
CG_EXPORT int cg_seccomp_load(cg_seccomp *s, cg_seccomp_tier tier);
/* Writes a tier's filter to fd, for review. */
CG_EXPORT int cg_seccomp_export(cg_seccomp *s, cg_seccomp_tier tier,
				cg_seccomp_format fmt, int fd);
/* The router runs every handler except those of the built-in core:*
 * plugins and those registered CG_CMD_MAIN on threads that load s's
 * HANDLERS tier first (s must outlive the router). Call it before the
 * first invoke: CG_ESTATE once a handler thread exists. */
CG_EXPORT int cg_router_set_seccomp(cg_router *r, cg_seccomp *s);

/* ------------------------------------------------------------------ lint */

/*
 * Lint: every error and warning cg_builder_build would report for a
 * builder's sources, then rules a reviewer cares about (over-broad grants,
 * scopes that escape their root, dead rules, ...) on every capability that
 * loaded. Each finding names its rule (cg_diag_rule). The rules are listed
 * by cg_lint_rule_*; their ids are stable.
 */
typedef struct cg_lint cg_lint;

/* The rule table is constant: any thread. Rules are numbered 0 to
 * count - 1; an i out of range gives NULL (CG_SEV_ERROR for the severity). */
CG_EXPORT size_t cg_lint_rule_count(void);
/* The rule's stable id ("wildcard-window", ...), as findings name it. */
CG_EXPORT const char *cg_lint_rule_id(size_t i);
/* The severity the rule reports at most (some findings are softer). */
CG_EXPORT cg_severity cg_lint_rule_severity(size_t i);
/* One line saying what the rule looks for. */
CG_EXPORT const char *cg_lint_rule_summary(size_t i);
/* The rule id closest to name, for "did you mean": NULL unless it is close
 * enough to be what was meant (a third of the letters wrong at most).
 * The string is static. */
CG_EXPORT const char *cg_lint_rule_suggest(const char *name);

/* A new linter in *out; CG_ENOMEM. */
CG_EXPORT int cg_lint_new(cg_lint **out);
CG_EXPORT void cg_lint_free(cg_lint *l);
/* The app's configuration: a capgate app config or Tauri's tauri.conf.json.
 * Its window labels let the rules say which windows a capability reaches
 * and which windows no capability covers. Errors go to d. */
CG_EXPORT int cg_lint_set_app_config(cg_lint *l, const char *path, cg_diag *d);
/* Turns a rule off; CG_ENOTFOUND for an id that is not a rule. */
CG_EXPORT int cg_lint_disable(cg_lint *l, const char *rule);
/* Lints b's sources (b itself is not changed and may still be built).
 * Returns the number of error findings (0: nothing blocks a build), or a
 * negative CG_E* code when linting itself failed. */
CG_EXPORT int cg_lint_run(cg_lint *l, const cg_builder *b, cg_diag *d);

/* ------------------------------------------------------- permission matrix */

/*
 * The effective permission matrix of a policy, as JSON, for review: for
 * each window or webview label (those the capabilities name, plus the
 * extra labels given, e.g. an app config's windows) and each origin
 * ("local", and every remote URL pattern a capability names), the
 * commands it may call with their scopes, the events it may emit and
 * listen to, and the capability and permission that grant each. The
 * format is described in docs/capabilities.md ("Audit"). *out is a new
 * reference (json_object_put() it); CG_EINVAL without a policy, or with
 * n_labels but no labels; CG_ENOMEM. The matrix is the caller's and no
 * part of it is the policy's, but a scope value shown in several places
 * is one json-c object there (its size is the policy's, not the policy's
 * times the rows): copy a value before changing it in one place only.
 */
CG_EXPORT int cg_policy_audit(const cg_policy *p, const char *const *labels,
			      size_t n_labels, json_object **out);

/* ------------------------------------------------------------ JSON files */

/*
 * A JSON file read as strictly as capability files and manifests: UTF-8,
 * RFC 8259 (no comments, NaN or trailing data), no duplicate keys, no
 * \u0000 in any string (json-c would hand such a string on cut at the
 * NUL), numbers as written (see capgate-capability(5)), within the
 * default size and depth limits. For programs that read inputs of their
 * own beside a policy (capgate check's --queries) under the same rules,
 * with errors that name file, line and column.
 */
typedef struct cg_jsondoc cg_json_file;

/* Reads and parses path. Problems go to d, located; on error *out is NULL
 * and the return value a negative CG_E* code. */
CG_EXPORT int cg_json_file_new(const char *path, cg_json_file **out, cg_diag *d);
CG_EXPORT void cg_json_file_free(cg_json_file *f);
/* The document's value, owned by f. */
CG_EXPORT json_object *cg_json_file_root(const cg_json_file *f);
/* Line and column (1-based, columns in characters) of the value at an RFC
 * 6901 JSON pointer ("" is the root): 1 when found, 0 when the pointer
 * names nothing, a negative CG_E* code on error. */
CG_EXPORT int cg_json_file_locate(const cg_json_file *f, const char *pointer,
				  unsigned *line, unsigned *col);

/* ----------------------------------------------------------------- globs */

/*
 * Glob patterns with the syntax and semantics of the Rust `glob` crate's
 * Pattern, which Tauri uses for window labels and event names (default
 * options) and for fs scopes (Pattern::matches_path_with, see below):
 *   ?          one character (a whole UTF-8 sequence)
 *   *          any run of characters
 *   **         any run of whole '/'-separated components; allowed only as
 *              a whole component (after a '/' or at the start, and before
 *              a '/' or at the end: never "a**" nor "**a")
 *   [abc] [a-z] [!a-z]   character classes; a ']' first is a member
 * There are no backslash escapes: a special character is matched literally
 * by a class of its own ("[*]", "[?]", "[[]", "[]]"), as cg_glob_escape()
 * writes it. Matching is case-sensitive and against the whole text; a text
 * that is not UTF-8 never matches (as Path::to_str() fails in Rust).
 *
 * Options (the crate's MatchOptions), or-ed into flags:
 *   CG_GLOB_LITERAL_SEPARATOR    '*', '?' and classes never match '/'
 *                                (so "/dir/" then "*" misses "/dir/sub/f")
 *   CG_GLOB_LITERAL_LEADING_DOT  a '.' that starts the text or follows a
 *                                '/' is matched only by a literal '.'
 *                                (so "$HOME/" then "**" misses
 *                                "$HOME/.ssh/key")
 * CG_GLOB_PATH is both: Tauri's fs scope on Unix.
 *
 * A compiled pattern is immutable and may be matched from many threads at
 * once. Matching allocates nothing and takes O(pattern x text) time at
 * worst, whatever the pattern (no exponential backtracking).
 */
typedef struct cg_glob cg_glob;

enum {
	CG_GLOB_LITERAL_SEPARATOR = 1u << 0,
	CG_GLOB_LITERAL_LEADING_DOT = 1u << 1,
	CG_GLOB_PATH = CG_GLOB_LITERAL_SEPARATOR | CG_GLOB_LITERAL_LEADING_DOT,
};

/* The longest pattern cg_glob_new() accepts, in bytes (PATH_MAX). */
#define CG_GLOB_MAX_PATTERN 4096

/* Compiles pattern with the given options into *out (NULL on failure).
 * Errors: CG_EINVAL (a NULL argument, an unknown flag), CG_EPATTERN (the
 * crate would refuse the pattern: *err_offset gets the byte offset of the
 * problem and *err_msg the crate's message, a static string; either may
 * be NULL), CG_ELIMIT (longer than CG_GLOB_MAX_PATTERN), CG_ENOMEM. */
CG_EXPORT int cg_glob_new(const char *pattern, unsigned flags, cg_glob **out,
			  size_t *err_offset, const char **err_msg);
CG_EXPORT void cg_glob_free(cg_glob *g);
/* 1 if text matches g, 0 if not (also for a NULL argument). */
CG_EXPORT int cg_glob_matches(const cg_glob *g, const char *text);
/* The pattern as given, and the flags; owned by g. */
CG_EXPORT const char *cg_glob_pattern(const cg_glob *g);
CG_EXPORT unsigned cg_glob_flags(const cg_glob *g);
/* The text every match starts with: the pattern's leading literal
 * characters, one-character classes such as "[*]" read as the character
 * (a class of '/' or '.' ends it). Owned by g. *pattern_len (may be NULL)
 * gets the number of bytes of the pattern that spell it. For the pattern
 * "/data/[*]x/" followed by "*.txt" it is "/data/" + "*x/" (the 11 bytes
 * "/data/[*]x/"). */
CG_EXPORT const char *cg_glob_literal_prefix(const cg_glob *g, size_t *pattern_len);
/* 1 if every text below dir_a ("dir_a/" followed by anything) is matched
 * exactly as the same text below dir_b; 0 if they may differ (also for a
 * NULL argument). The matcher's state after "dir_a/" and "dir_b/" is
 * compared, so 0 can be said of two places that in fact agree, never the
 * other way round. The fs scope refuses to move a directory when a deny
 * entry does not see both places alike. */
CG_EXPORT int cg_glob_same_below(const cg_glob *g, const char *dir_a, const char *dir_b);
/* A pattern that matches text and nothing else: every '*', '?', '[' and
 * ']' written as a one-character class (the crate's Pattern::escape).
 * malloc'd; NULL if text is NULL or memory runs out. */
CG_EXPORT char *cg_glob_escape(const char *text);

#ifdef __cplusplus
}
#endif
#endif /* CAPGATE_H */
