/*
 * Lint driver: the rule table, the app config's windows, and the two-pass
 * build that lets the rules see every capability file that loads even when
 * others in the same directory do not.
 */
#include "lint/lint.h"
#include "base/strhash.h"
#include "app/windows.h"

#include "base/ident.h"
#include "base/jsonval.h"
#include "base/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *id;
	cg_severity sev;
	const char *summary;
} rules[R_COUNT] = {
	[R_UNREADABLE] = {"unreadable", CG_SEV_ERROR, "a file or directory that cannot be read"},
	[R_JSON] = {"json-syntax", CG_SEV_ERROR, "a file that is not well-formed JSON (or not UTF-8)"},
	[R_SCHEMA] = {"schema", CG_SEV_ERROR, "a wrong type, a missing field or an unknown field"},
	[R_UNKNOWN] = {"unknown-permission", CG_SEV_ERROR, "a permission, plugin or command no manifest defines"},
	[R_CYCLE] = {"permission-cycle", CG_SEV_ERROR, "permission sets that include themselves"},
	[R_DUPLICATE] = {"duplicate", CG_SEV_ERROR, "an identifier or key defined twice"},
	[R_LIMIT] = {"limit", CG_SEV_ERROR, "a file, nesting or count over the engine's limits"},
	[R_PATTERN] = {"bad-pattern", CG_SEV_ERROR, "a window glob, URL pattern or event pattern that does not parse"},
	[R_IDENT] = {"bad-identifier", CG_SEV_ERROR, "an identifier that breaks the naming rules"},
	[R_ENGINE] = {"engine", CG_SEV_ERROR, "any other problem the engine reports"},
	[R_NO_WINDOW] = {"no-matching-window", CG_SEV_WARNING, "a capability that applies to no window or webview"},
	[R_UNCOVERED_WINDOW] = {"uncovered-window", CG_SEV_NOTE, "a window of the app config that no capability covers"},
	[R_BROAD_WINDOWS] = {"broad-windows", CG_SEV_WARNING, "every window (\"*\") granted files, processes, shell or network"},
	[R_REMOTE_WILDCARD] = {"remote-wildcard-host", CG_SEV_WARNING, "a remote URL pattern with a wildcard host"},
	[R_REMOTE_HTTP] = {"remote-insecure", CG_SEV_WARNING, "a remote URL pattern that admits plain http:"},
	[R_REMOTE_DANGEROUS] = {"remote-dangerous", CG_SEV_WARNING, "remote pages granted files, processes, shell or network"},
	[R_EVENT_NO_SCOPE] = {"event-no-scope", CG_SEV_WARNING, "event listen/emit granted for every event name"},
	[R_SCOPE_ESCAPES] = {"scope-escapes-root", CG_SEV_WARNING, "an allowed path that reaches outside its root (.., /, $HOME/**)"},
	[R_SCOPE_CANCELLED] = {"scope-cancelled", CG_SEV_WARNING, "an allowed scope that a deny entry of the same grant takes back"},
	[R_DENY_NEVER_MATCHES] = {"deny-never-matches", CG_SEV_WARNING, "a deny scope entry that no path can match"},
	[R_DUPLICATE_GRANT] = {"duplicate-grant", CG_SEV_WARNING, "a permission listed twice in one capability"},
	[R_SHADOWED] = {"shadowed-grant", CG_SEV_NOTE, "a grant that another entry of the capability already covers"},
	[R_DENY_UNUSED] = {"deny-unused", CG_SEV_WARNING, "a deny rule for a command that nothing grants"},
	[R_PLATFORM] = {"platform-mismatch", CG_SEV_WARNING, "a permission whose platforms exclude all of its capability's"},
	[R_SECCOMP_OFF] = {"seccomp-off", CG_SEV_WARNING, "the core's seccomp filter turned off (security.seccomp)"},
	[R_SECCOMP_LOG] = {"seccomp-log", CG_SEV_WARNING, "a seccomp profile in log mode, which blocks nothing (not for a release)"},
	[R_SECCOMP_UNNEEDED] = {"seccomp-unneeded", CG_SEV_WARNING, "exec or network allowed to handlers though no granted command needs it"},
	[R_SECCOMP_LIFTED] = {"seccomp-lifted", CG_SEV_NOTE, "a seccomp allow list that lifts part of the baseline"},
	[R_NAMED_DEFAULT] = {"named-default", CG_SEV_WARNING, "a permission or set named \"default\", which no identifier can grant"},
};

CG_EXPORT size_t cg_lint_rule_count(void) { return R_COUNT; }
CG_EXPORT const char *cg_lint_rule_id(size_t i) { return i < R_COUNT ? rules[i].id : NULL; }
CG_EXPORT cg_severity cg_lint_rule_severity(size_t i)
{
	return i < R_COUNT ? rules[i].sev : CG_SEV_ERROR;
}
CG_EXPORT const char *cg_lint_rule_summary(size_t i)
{
	return i < R_COUNT ? rules[i].summary : NULL;
}

CG_EXPORT const char *cg_lint_rule_suggest(const char *name)
{
	if (!name)
		return NULL;
	/* Close enough to be what was meant: a third of the letters wrong
	 * at most. */
	size_t cap = strlen(name) / 3, best_d = cap + 1;
	const char *best = NULL;
	for (size_t i = 0; i < R_COUNT; i++) {
		size_t d = cg_edit_distance(name, rules[i].id, cap);
		if (d < best_d) {
			best_d = d;
			best = rules[i].id;
		}
	}
	return best;
}

CG_EXPORT int cg_lint_new(cg_lint **out)
{
	if (!out)
		return CG_EINVAL;
	*out = NULL;
	cg_lint *l = calloc(1, sizeof(*l));
	if (!l || !(l->strings = g_string_chunk_new(256))) {
		free(l);
		return CG_ENOMEM;
	}
	cg_seccomp_conf_init(&l->seccomp);
	*out = l;
	return 0;
}

static void clear_windows(cg_lint *l)
{
	for (size_t i = 0; i < l->n_windows; i++) {
		free(l->windows[i].label);
		free(l->windows[i].loc.pointer);
	}
	free(l->windows);
	l->windows = NULL;
	l->n_windows = 0;
	l->have_config = false;
	cg_seccomp_conf_clear(&l->seccomp);
}

CG_EXPORT void cg_lint_free(cg_lint *l)
{
	if (!l)
		return;
	clear_windows(l);
	free(l->config_path);
	if (l->strings)
		g_string_chunk_free(l->strings);
	free(l);
}

CG_EXPORT int cg_lint_disable(cg_lint *l, const char *rule)
{
	if (!l || !rule)
		return CG_EINVAL;
	for (size_t i = 0; i < R_COUNT; i++)
		if (strcmp(rules[i].id, rule) == 0) {
			l->disabled[i] = true;
			return 0;
		}
	return CG_ENOTFOUND;
}

static int add_window(cg_lint *l, const cg_jsondoc *doc, const char *label, const char *ptr)
{
	lint_window *nv = realloc(l->windows, (l->n_windows + 1) * sizeof(*nv));
	if (!nv)
		return CG_ENOMEM;
	l->windows = nv;
	lint_window *w = &nv[l->n_windows];
	memset(w, 0, sizeof(*w));
	w->label = strdup(label);
	w->loc.pointer = strdup(ptr);
	if (!w->label || !w->loc.pointer) {
		free(w->label);
		free(w->loc.pointer);
		return CG_ENOMEM;
	}
	w->loc.file = g_string_chunk_insert_const(l->strings, doc->name);
	cg_jsondoc_locate(doc, ptr, &w->loc.line, &w->loc.col);
	l->n_windows++;
	return 0;
}

typedef struct lint_window_ctx {
	cg_lint *l;
	const cg_jsondoc *doc;
} lint_window_ctx;

static int take_window(const char *label, const char *pointer, void *user)
{
	lint_window_ctx *wc = user;
	return add_window(wc->l, wc->doc, label, pointer);
}

/*
 * Window labels from a capgate config ({"windows": [{"label"}]}) or from
 * Tauri's tauri.conf.json ({"app": {"windows": [{"label"}]}}, where a
 * window without a label is "main"). Only the labels are read here: the
 * runtime validates the rest of a capgate config.
 */
CG_EXPORT int cg_lint_set_app_config(cg_lint *l, const char *path, cg_diag *d)
{
	if (!l || !path)
		return CG_EINVAL;
	cg_jsondoc *doc = NULL;
	int r = cg_jsondoc_load_file(path, NULL, &doc, d);
	if (r < 0)
		return r;
	clear_windows(l);
	free(l->config_path);
	l->config_path = strdup(path);
	bool tauri = false;
	lint_window_ctx wc = {l, doc};
	r = cg_config_windows(doc, &tauri, take_window, &wc, d);
	/* A capgate config's seccomp profile (Tauri's config has none). */
	json_object *sec = tauri ? NULL : cg_jv_get(doc->root, "security");
	json_object *sc = sec && json_object_is_type(sec, json_type_object) ? cg_jv_get(sec, "seccomp") : NULL;
	if (r == 0 && sc)
		r = cg_seccomp_conf_read(&l->seccomp, d, doc, sc, "/security/seccomp");
	if (r == 0)
		l->have_config = true;
	else
		clear_windows(l);
	cg_jsondoc_free(doc);
	return r;
}

/* ------------------------------------------------------------- findings */

void lint_report(lint_ctx *x, int rule, cg_severity sev, const cg_loc *loc,
		 const char *replacement, const char *hint, const char *fmt, ...)
{
	if (x->l->disabled[rule])
		return;
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	size_t n0 = cg_diag_count(x->d);
	cg_diag_add(x->d, sev, 0, loc ? loc->file : NULL, loc ? loc->line : 0, loc ? loc->col : 0,
		    loc ? loc->pointer : NULL, hint, "%s", msg ? msg : rules[rule].summary);
	if (cg_diag_count(x->d) > n0)
		cg_diag_tag_last(x->d, rules[rule].id, replacement);
	if (sev == CG_SEV_ERROR)
		x->errors++;
	free(msg);
}

static int rule_of_code(int code)
{
	switch (code) {
	case CG_EIO: return R_UNREADABLE;
	case CG_EPARSE: return R_JSON;
	case CG_ESCHEMA: return R_SCHEMA;
	case CG_EUNKNOWN: return R_UNKNOWN;
	case CG_ECYCLE: return R_CYCLE;
	case CG_EDUPLICATE: return R_DUPLICATE;
	case CG_ELIMIT: return R_LIMIT;
	case CG_EPATTERN: return R_PATTERN;
	case CG_EIDENT: return R_IDENT;
	default: return R_ENGINE;
	}
}

/* "did you mean \"x\"?" -> "\"x\"" when the value at the finding's pointer
 * is a string, so a tool can apply the fix as it is. */
static char *replacement_from_hint(const char *hint, const char *file, const char *pointer)
{
	static const char lead[] = "did you mean \"";
	if (!hint || !file || !pointer || strncmp(hint, lead, sizeof(lead) - 1) != 0)
		return NULL;
	const char *s = hint + sizeof(lead) - 1, *e = strchr(s, '"');
	if (!e)
		return NULL;
	cg_jsondoc *doc = NULL;
	json_object *v = NULL;
	char *out = NULL;
	if (cg_jsondoc_load_file(file, NULL, &doc, NULL) == 0 &&
	    json_pointer_get(doc->root, pointer, &v) == 0 && json_object_is_type(v, json_type_string)) {
		json_object *rep = json_object_new_string_len(s, (int)(e - s));
		if (rep)
			out = strdup(json_object_to_json_string_ext(rep, JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(rep);
	}
	cg_jsondoc_free(doc);
	return out;
}

/* Copies the engine's own findings, each under its rule. */
static void copy_engine(lint_ctx *x, const cg_diag *from)
{
	for (size_t i = 0; i < cg_diag_count(from); i++) {
		int rule = rule_of_code(cg_diag_code(from, i));
		if (x->l->disabled[rule])
			continue;
		cg_severity sev = cg_diag_severity(from, i);
		const char *file = cg_diag_file(from, i), *ptr = cg_diag_pointer(from, i);
		const char *hint = cg_diag_hint(from, i);
		char *rep = rule == R_UNKNOWN ? replacement_from_hint(hint, file, ptr) : NULL;
		size_t n0 = cg_diag_count(x->d);
		cg_diag_add(x->d, sev, cg_diag_code(from, i), file, cg_diag_line(from, i),
			    cg_diag_column(from, i), ptr, hint, "%s", cg_diag_message(from, i));
		if (cg_diag_count(x->d) > n0)
			cg_diag_tag_last(x->d, rules[rule].id, rep);
		if (sev == CG_SEV_ERROR)
			x->errors++;
		free(rep);
	}
}

/* ------------------------------------------------------------ expansion */

const char *lint_plugin_key(const cg_perm *pm)
{
	return pm->owner ? pm->owner->key : "";
}

static const cg_perm *member_of(lint_ctx *x, const cg_perm *pm, const char *m)
{
	/* Members without a prefix name the set's own plugin. */
	if (cg_ident_prefix_len(m) == 0 && pm->owner)
		return cg_plugin_lookup(pm->owner, m);
	return cg_policy_lookup(x->p->plugins, m, NULL);
}

/* The permissions below root into out, each once, in depth-first order.
 * The walk keeps its own stack (the set depth limit is the user's to
 * raise) and counts against the expansion limit, as the resolver's does:
 * the lint expands capabilities for every platform, which the build does
 * not. False when it stopped there (or ran out of memory). */
static bool collect(lint_ctx *x, const cg_perm *root, GPtrArray *out)
{
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	const cg_perm **st = NULL;
	size_t *next = NULL, n = 0, cap = 0;
	bool ok = true;
	g_hash_table_add(seen, (gpointer)root);
	const cg_perm *push = root;
	if (root->kind == CG_PERM_PERMISSION) {
		g_ptr_array_add(out, (gpointer)root);
		push = NULL;
	}
	for (;;) {
		if (push) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 16;
				const cg_perm **ns = realloc(st, nc * sizeof(*ns));
				size_t *nn = ns ? realloc(next, nc * sizeof(*nn)) : NULL;
				if (ns)
					st = ns;
				if (!nn) {
					ok = false;
					break;
				}
				next = nn;
				cap = nc;
			}
			st[n] = push;
			next[n++] = 0;
			push = NULL;
		}
		if (!n)
			break;
		const cg_perm *pm = st[n - 1];
		if (next[n - 1] == pm->n_members) {
			n--;
			continue;
		}
		const cg_perm *sub = member_of(x, pm, pm->members[next[n - 1]++]);
		if (x->work >= x->max_work) {
			ok = false;
			break;
		}
		x->work++;
		if (!sub || g_hash_table_contains(seen, sub))
			continue;
		g_hash_table_add(seen, (gpointer)sub);
		if (sub->kind == CG_PERM_PERMISSION)
			g_ptr_array_add(out, (gpointer)sub);
		else
			push = sub;
	}
	free(st);
	free(next);
	g_hash_table_destroy(seen);
	return ok;
}

GPtrArray *lint_leaves(lint_ctx *x, const cg_perm *pm)
{
	GPtrArray *v = g_hash_table_lookup(x->leaves, pm);
	if (v)
		return v;
	v = g_ptr_array_new();
	if (!collect(x, pm, v)) {
		/* Rules then see no permission here: fewer findings, none
		 * made up from half a set. lint_policy says so once. */
		g_ptr_array_set_size(v, 0);
		if (!x->over)
			x->over = pm;
	}
	g_hash_table_insert(x->leaves, (gpointer)pm, v);
	return v;
}

const cg_perm *lint_entry_perm(lint_ctx *x, const cg_entry *e, const cg_plugin **pl)
{
	return cg_policy_lookup(x->p->plugins, e->ident, pl);
}

/* ------------------------------------------------------------------ run */

static void add_globs(json_object *cap, const char *key, GPtrArray *out)
{
	json_object *v;
	if (!json_object_is_type(cap, json_type_object) || !json_object_object_get_ex(cap, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *s = json_object_array_get_idx(v, i);
		if (json_object_is_type(s, json_type_string))
			g_ptr_array_add(out, strdup(json_object_get_string(s)));
	}
}

/* The windows a capability file that failed to load was meant for, read
 * without its schema, so that "no capability covers window X" is not said
 * of a window that a broken file covers. False when the file is not JSON
 * to the engine's reader (or is not a capability file) and its windows
 * are unknown. */
static bool failed_file_windows(const char *file, GPtrArray *out)
{
	cg_jsondoc *doc = NULL;
	json_object *list = NULL;
	if (cg_jsondoc_load_file(file, NULL, &doc, NULL) < 0)
		return false;
	json_object *root = doc->root;
	if (json_object_is_type(root, json_type_array))
		list = root;
	else if (json_object_is_type(root, json_type_object) &&
		 !json_object_object_get_ex(root, "capabilities", &list))
		list = NULL;
	bool ok = true;
	if (list && json_object_is_type(list, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			add_globs(json_object_array_get_idx(list, i), "windows", out);
			add_globs(json_object_array_get_idx(list, i), "webviews", out);
		}
	} else if (json_object_is_type(root, json_type_object) && !list) {
		add_globs(root, "windows", out);
		add_globs(root, "webviews", out);
	} else {
		ok = false;
	}
	cg_jsondoc_free(doc);
	return ok;
}

/* Files named by an error: the second build leaves them out. */
static GHashTable *failed_files(const cg_diag *d)
{
	GHashTable *h = cg_str_table_new(free, NULL);
	for (size_t i = 0; i < cg_diag_count(d); i++)
		if (cg_diag_severity(d, i) == CG_SEV_ERROR && cg_diag_file(d, i))
			g_hash_table_add(h, strdup(cg_diag_file(d, i)));
	return h;
}

static void free_doc(gpointer doc)
{
	if (doc)
		cg_jsondoc_free(doc);
}

static void lint_policy(lint_ctx *x)
{
	x->leaves = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					  (GDestroyNotify)g_ptr_array_unref);
	x->docs = cg_str_table_new(NULL, free_doc);
	x->max_work = x->p->cfg.limits[CG_LIMIT_EXPANSION];
	lint_reach(x);
	lint_grants(x);
	lint_scopes(x);
	lint_seccomp(x);
	if (x->over) {
		const char *key = lint_plugin_key(x->over);
		lint_report(x, R_LIMIT, CG_SEV_WARNING, &x->over->loc, NULL,
			    "the rules on grants and scopes skipped the entries naming such sets; raise the limit with cg_builder_set_limit(CG_LIMIT_EXPANSION) to check them",
			    "the lint stopped expanding permission sets at \"%s%s%s\": with the sets before it, they reach more than %zu members (CG_LIMIT_EXPANSION)",
			    key, *key ? ":" : "", x->over->id, x->max_work);
	}
	g_hash_table_destroy(x->docs);
	g_hash_table_destroy(x->leaves);
	x->leaves = x->docs = NULL;
}

CG_EXPORT int cg_lint_run(cg_lint *l, const cg_builder *b, cg_diag *d)
{
	if (!l || !b)
		return CG_EINVAL;
	lint_ctx x = {.l = l, .d = d};
	const cg_config *cfg = cg_builder_config(b);
	cg_diag *first = cg_diag_new();
	if (!first)
		return CG_ENOMEM;
	cg_policy *p = NULL;
	int r = cg_build_from_config(cfg, &p, first);
	copy_engine(&x, first);
	if (r == CG_ENOMEM) {
		cg_diag_free(first);
		return r;
	}
	if (r < 0) {
		/* Build again without the files that failed so that the rules
		 * still see every capability that loads. If that fails too (a
		 * broken manifest, say), the engine's findings are all there is. */
		GHashTable *skip = failed_files(first);
		x.failed_windows = g_ptr_array_new_with_free_func(free);
		GHashTableIter it;
		gpointer f;
		g_hash_table_iter_init(&it, skip);
		while (g_hash_table_iter_next(&it, &f, NULL))
			if (!failed_file_windows(f, x.failed_windows))
				x.partial = true;
		cg_diag *second = cg_diag_new();
		if (second && g_hash_table_size(skip))
			cg_build_from_config_skipping(cfg, skip, &p, second);
		cg_diag_free(second);
		g_hash_table_destroy(skip);
	}
	cg_diag_free(first);
	if (p) {
		x.p = p;
		lint_policy(&x);
		cg_policy_unref(p);
	}
	if (x.failed_windows)
		g_ptr_array_unref(x.failed_windows);
	return x.errors;
}
