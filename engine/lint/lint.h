/* Lint internals shared by lint.c (driver, rule table) and the rule files. */
#ifndef CG_LINT_H
#define CG_LINT_H

#include "policy/model.h"
#include "seccomp/seccomp_conf.h"

/* Rule indices into the table in lint.c; the ids there are stable. */
enum {
	/* what the engine itself rejects or warns about */
	R_UNREADABLE, R_JSON, R_SCHEMA, R_UNKNOWN, R_CYCLE, R_DUPLICATE, R_LIMIT,
	R_PATTERN, R_IDENT, R_ENGINE,
	/* reach */
	R_NO_WINDOW, R_UNCOVERED_WINDOW,
	/* over-broad grants */
	R_BROAD_WINDOWS, R_REMOTE_WILDCARD, R_REMOTE_HTTP, R_REMOTE_DANGEROUS,
	R_EVENT_NO_SCOPE,
	/* scopes */
	R_SCOPE_ESCAPES, R_SCOPE_CANCELLED, R_DENY_NEVER_MATCHES,
	/* dead or shadowed rules */
	R_DUPLICATE_GRANT, R_SHADOWED, R_DENY_UNUSED,
	/* platforms */
	R_PLATFORM,
	/* the app config's seccomp profile */
	R_SECCOMP_OFF, R_SECCOMP_LOG, R_SECCOMP_UNNEEDED, R_SECCOMP_LIFTED,
	/* dead rules in manifests (after the rest: indices stay) */
	R_NAMED_DEFAULT,
	R_COUNT
};

typedef struct lint_window {
	char *label;
	cg_loc loc;      /* in the app config */
} lint_window;

struct cg_lint {
	bool disabled[R_COUNT];
	char *config_path;
	lint_window *windows;
	size_t n_windows;
	bool have_config;
	cg_seccomp_conf seccomp; /* a capgate config's security.seccomp */
	GStringChunk *strings;
};

typedef struct lint_ctx {
	const cg_lint *l;
	const cg_policy *p;
	cg_diag *d;
	int errors;
	GHashTable *leaves; /* const cg_perm* -> GPtrArray of leaf cg_perm* */
	GHashTable *docs;   /* file -> cg_jsondoc* (or NULL): reread for positions */
	bool partial;       /* some capability file failed and its windows are unknown */
	GPtrArray *failed_windows; /* window/webview globs of files that failed */
	size_t work, max_work;     /* set members visited by lint_leaves, and the limit */
	const cg_perm *over;       /* where lint_leaves first stopped at the limit */
} lint_ctx;

/* The location of pointer in file (line and column looked up by rereading
 * the file once); out->pointer is malloc'd, the caller frees it. */
CG_HIDDEN void lint_loc_at(lint_ctx *x, const char *file, const char *pointer, cg_loc *out);

/* Reports one finding at loc (which may be NULL) unless the rule is off. */
CG_HIDDEN void lint_report(lint_ctx *x, int rule, cg_severity sev, const cg_loc *loc,
			   const char *replacement, const char *hint, const char *fmt, ...)
	CG_PRINTF(7, 8);

/* The permissions (not sets) that an entry's permission expands to, in
 * order, without duplicates; borrowed from x. Never NULL. */
CG_HIDDEN GPtrArray *lint_leaves(lint_ctx *x, const cg_perm *pm);
/* The permission an entry names, or NULL (with *pl set as by lookup). */
CG_HIDDEN const cg_perm *lint_entry_perm(lint_ctx *x, const cg_entry *e, const cg_plugin **pl);
/* The plugin key that owns a leaf ("" for the app's own). */
CG_HIDDEN const char *lint_plugin_key(const cg_perm *pm);

/* What a command of a plugin can touch that a reviewer must look at:
 * "files", "processes", "shell" or "network"; NULL for the rest. One list
 * for lint and for the audit's highlighting. */
CG_HIDDEN const char *cg_command_danger(const char *plugin_key, const char *plain_command);

/* The rules, by concern. */
CG_HIDDEN void lint_reach(lint_ctx *x);      /* lint_rules.c */
CG_HIDDEN void lint_grants(lint_ctx *x);     /* lint_rules.c */
CG_HIDDEN void lint_scopes(lint_ctx *x);     /* lint_scope.c */
CG_HIDDEN void lint_seccomp(lint_ctx *x);    /* lint_seccomp.c */

#endif
