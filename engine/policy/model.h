/*
 * The engine's internal model: what the loaders produce (manifests and
 * capabilities, as written), and what resolution compiles them into (the
 * immutable policy that answers checks).
 */
#ifndef CG_MODEL_H
#define CG_MODEL_H

#include "base/internal.h"
#include "base/jsondoc.h"
#include "base/urlpattern.h"

#include <glib.h>
#include <pthread.h>

/* Where something was written, for diagnostics and provenance. */
typedef struct cg_loc {
	const char *file; /* interned in the owning store's string chunk */
	unsigned line, col;
	char *pointer;
} cg_loc;

/* ------------------------------------------------------------ manifests */

typedef enum { CG_PERM_PERMISSION, CG_PERM_SET, CG_PERM_DEFAULT } cg_perm_kind;

/* A permission, a set, or a plugin's default set, as declared. */
typedef struct cg_perm {
	cg_perm_kind kind;
	char *id;           /* base identifier ("allow-read-file", "default") */
	char *description;
	/* permission: */
	char **cmd_allow;
	size_t n_cmd_allow;
	char **cmd_deny;
	size_t n_cmd_deny;
	json_object *scope_allow; /* array or NULL */
	json_object *scope_deny;
	unsigned platforms;       /* bitmask; 0 means every platform */
	bool generated;           /* an allow-/deny- made for a declared command */
	const struct cg_plugin *owner; /* set by resolution */
	/* set / default: */
	char **members;
	size_t n_members;
	cg_loc loc;
	/* Resolution's bookkeeping (resolve.c), so that each set is checked
	 * once and each entry's walk visits a permission once, without a
	 * table the size of the manifests: */
	uint8_t rstate;           /* unchecked, being checked, sound, broken */
	bool rreported;           /* its own problem has been reported */
	uint32_t rheight;         /* a sound set: levels of sets, itself included */
	uint32_t rwalk;           /* the last entry walk that reached it */
} cg_perm;

/* One plugin's (or the app's) permissions, from one or more files. */
typedef struct cg_plugin {
	char *key;          /* "" for the app, "fs", "core:event", "core" */
	GHashTable *perms;  /* base id -> cg_perm* (owned); never the default set */
	/* The plugin's default set ("default" in a permission file,
	 * "default_permission" in acl-manifests.json), owned, or NULL. It is
	 * what "x:default" names: a permission or set whose identifier is
	 * "default" is in perms but no identifier reaches it (as in Tauri). */
	cg_perm *def;
	GPtrArray *order;   /* cg_perm* in declaration order, def too (borrowed) */
	GHashTable *commands; /* declared command names (plain) -> NULL */
	bool builtin;
	bool from_manifest;   /* a manifest source defines it (not only declared commands) */
} cg_plugin;

/* --------------------------------------------------------- capabilities */

/* One entry of a capability's "permissions" array. */
typedef struct cg_entry {
	char *ident;              /* full identifier as written */
	json_object *allow;       /* inline scope (object form), or NULL */
	json_object *deny;
	cg_loc loc;
} cg_entry;

typedef struct cg_cap {
	char *id;
	char *description;
	char **windows;
	size_t n_windows;
	char **webviews;
	size_t n_webviews;
	bool local;
	cg_urlpattern **remote;
	size_t n_remote;
	unsigned platforms;       /* 0 means every platform */
	bool has_platforms;
	cg_entry *entries;
	size_t n_entries;
	cg_loc loc;
	bool enabled;             /* set by resolution: its platform matches */
} cg_cap;

/* ----------------------------------------------------------------- policy */

/* A grant (or deny rule) of one command to one capability's callers. */
typedef struct cg_grant {
	uint32_t cap;            /* index into policy->caps */
	uint32_t entry;          /* index into that capability's entries */
	bool deny;
	const cg_perm *via;      /* the permission that named the command */
	json_object *scope_allow;/* the unit's scope (arrays), or NULL */
	json_object *scope_deny;
} cg_grant;

typedef struct cg_cmd {
	char *name;              /* IPC name: "greet", "plugin:fs|read_file" */
	const cg_plugin *plugin;
	char *plain;             /* name inside the plugin: "read_file" */
	cg_grant *grants;        /* deny rules first, then grants */
	uint32_t n_grants;
	uint32_t n_deny;
} cg_cmd;

/* A scope-only entry: goes to its plugin's global scope. */
typedef struct cg_global {
	uint32_t cap, entry;
	json_object *scope_allow;
	json_object *scope_deny;
} cg_global;

typedef struct cg_global_list {
	const cg_plugin *plugin;
	cg_global *v;
	size_t n, cap;
} cg_global_list;

/* What a policy was built from, so that it can be rebuilt. */
typedef enum {
	CG_SRC_MANIFEST_FILE, CG_SRC_MANIFEST_DIR, CG_SRC_MANIFEST_JSON,
	CG_SRC_PLUGINS_DIR, CG_SRC_TAURI_MANIFESTS,
	CG_SRC_CAP_FILE, CG_SRC_CAP_DIR, CG_SRC_CAP_JSON, CG_SRC_DECLARE,
	CG_SRC_TAURI_CONFIG, CG_SRC_MANIFEST_FALLBACK,
} cg_src_kind;

typedef struct cg_source {
	cg_src_kind kind;
	char *plugin;
	char *path;   /* path, or name for JSON sources, or command */
	char *text;   /* JSON sources only */
	size_t len;
} cg_source;

typedef struct cg_config {
	unsigned platform;
	char *platform_name;
	bool builtin_core;
	size_t limits[5];
	cg_source *sources;
	size_t n_sources;
} cg_config;

struct cg_policy {
	int refs;                /* atomic */
	cg_config cfg;
	GStringChunk *strings;   /* file names */
	/* manifests */
	GHashTable *plugins;     /* key -> cg_plugin* (owned) */
	/* capabilities */
	cg_cap *caps;
	size_t n_caps;
	size_t words;            /* uint64 words in a subject's bitset */
	/* commands */
	cg_cmd *cmds;
	size_t n_cmds;
	GHashTable *cmd_ids;     /* name -> index + 1 */
	GHashTable *globals;     /* plugin key -> cg_global_list* */
	int event_cmd[3];        /* ids of plugin:event|listen, emit, emit_to */
	char **perm_ids;         /* full identifiers, sorted */
	const char **perm_desc;  /* borrowed from the cg_perm */
	size_t n_perms;
	/* subjects made for cg_check_str */
	pthread_mutex_t cache_lock;
	GHashTable *subject_cache;
};

struct cg_subject {
	int refs;                /* atomic: the owner, and calls using it */
	cg_policy *policy;
	bool cached;             /* owned by the policy's cache: holds no ref */
	char *window, *webview, *url;
	uint64_t *bits;          /* capabilities that apply to this caller */
	uint64_t inline_bits[2];
};

static inline bool cg_subject_has(const cg_subject *s, uint32_t cap)
{
	return (s->bits[cap >> 6] >> (cap & 63)) & 1;
}

/* ----------------------------------------------------- module interfaces */

/* Loaders (manifest.c, capability.c): parse a document into the store. */
typedef struct cg_store {
	GHashTable *plugins;     /* key -> cg_plugin* */
	GPtrArray *caps;         /* cg_cap* */
	GHashTable *cap_ids;     /* id -> cg_cap* */
	GStringChunk *strings;
	cg_json_limits jl;
	size_t files, max_files;
} cg_store;

CG_HIDDEN cg_plugin *cg_store_plugin(cg_store *st, const char *key);
CG_HIDDEN int cg_load_manifest_doc(cg_store *st, const char *key,
				   const cg_jsondoc *doc, cg_diag *d);
CG_HIDDEN int cg_load_tauri_manifests_doc(cg_store *st, const cg_jsondoc *doc,
					  cg_diag *d);
CG_HIDDEN int cg_load_capability_doc(cg_store *st, const cg_jsondoc *doc,
				     cg_diag *d);
/* The capabilities inlined in a tauri.conf.json (objects of
 * app.security.capabilities): how many, or a negative code. */
CG_HIDDEN int cg_load_tauri_config_doc(cg_store *st, const cg_jsondoc *doc,
				       cg_diag *d);
CG_HIDDEN void cg_plugin_free(cg_plugin *pl);
CG_HIDDEN void cg_perm_free(cg_perm *p);
CG_HIDDEN void cg_cap_free(cg_cap *c);
/* Frees what c holds, not c itself (a policy's array of capabilities). */
CG_HIDDEN void cg_cap_clear(cg_cap *c);
/* 0, or CG_ENOMEM when the position or pointer could not be recorded. */
CG_HIDDEN int cg_loc_set(cg_loc *l, cg_store *st, const cg_jsondoc *doc,
			 const char *pointer);
/* Declare a plain command name for a plugin. */
CG_HIDDEN int cg_plugin_declare(cg_plugin *pl, const char *cmd);

/* Resolution (resolve.c): the store's content becomes p's. */
CG_HIDDEN int cg_resolve(cg_policy *p, cg_store *st, cg_diag *d);

/* Looks a full identifier up; sets *pl and returns the permission or NULL.
 * "x:default" (or "default" for the app) is plugin x's default set, NULL
 * when it has none (with *pl set: check it to tell that from unknown). */
CG_HIDDEN const cg_perm *cg_policy_lookup(GHashTable *plugins, const char *ident,
					  const cg_plugin **pl);
/* What a base identifier names in plugin pl: "default" is its default set
 * (or NULL), anything else a permission or set of pl, or NULL. */
CG_HIDDEN const cg_perm *cg_plugin_lookup(const cg_plugin *pl, const char *base);
/* A permission or set whose identifier is "default": no identifier
 * reaches it (the name always means the default set). */
CG_HIDDEN bool cg_perm_unreachable(const cg_perm *pm);

/* Builder internals shared with policy.c for reload. */
CG_HIDDEN int cg_build_from_config(const cg_config *cfg, cg_policy **out,
				   cg_diag *d);
/* The same, leaving out the capability files (paths, or names of JSON
 * sources) in skip: lint's second pass. */
CG_HIDDEN int cg_build_from_config_skipping(const cg_config *cfg, GHashTable *skip,
					    cg_policy **out, cg_diag *d);
CG_HIDDEN const cg_config *cg_builder_config(const cg_builder *b);
CG_HIDDEN void cg_config_clear(cg_config *cfg);
CG_HIDDEN int cg_config_copy(cg_config *dst, const cg_config *src);

CG_HIDDEN void cg_policy_destroy(cg_policy *p);
/* Another reference to a subject; cg_subject_free drops one. */
CG_HIDDEN cg_subject *cg_subject_ref(cg_subject *s);

#endif
