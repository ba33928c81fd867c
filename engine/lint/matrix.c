/*
 * The audit matrix: what each window or webview may do, from each origin,
 * and which capability entry grants it (docs/capabilities.md, "Audit").
 *
 * A row ("context") is a label written in a capability, or one the caller
 * names (an app config's windows), seen from the app's own content or from
 * one remote URL pattern. The matrix answers for the label *as written*: a
 * pattern row ("editor-*") gets what every window it stands for gets, by
 * exact string or by matching the pattern text, and a remote row gets what
 * the capabilities that list exactly that pattern grant (a page whose URL
 * matches several patterns gets the union of their rows). The rules are
 * otherwise the engine's own (policy.c): deny rules of applying
 * capabilities win, scopes are the union of the applying grants'.
 *
 * Output order is fixed (rows by kind, label, origin; commands by name;
 * plugins by key) so that two matrices can be compared line by line.
 */
#include "policy/model.h"
#include "base/glob.h"
#include "base/ident.h"
#include "base/jsonset.h"
#include "lint/lint.h"

#include <stdlib.h>
#include <string.h>

/* One row of the matrix. */
typedef struct row {
	const char *label;
	bool webview;     /* a webview label; else a window (and its own webview) */
	bool extra;       /* given by the caller, listed even when nothing applies */
	const char *origin; /* a remote pattern's source, or NULL for local */
} row;

/* Building state. Every json-c allocation goes through put()/push(), which
 * record a failure here instead of making each caller check: the result
 * is thrown away whole when anything failed, never returned half-built. */
typedef struct audit {
	const cg_policy *p;
	bool *applies;    /* per capability, for the row being built */
	bool oom;
	/* A policy's scope value -> its one copy, which every row that shows
	 * the value shares: a scope of n values granted to w windows costs n
	 * copies, not n * w. */
	GHashTable *copies;
} audit;

static const char *const PLATFORMS[] = {"linux", "macOS", "windows", "android", "iOS"};
static const char *const EVENT_OPS[3] = {"listen", "emit", "emit_to"};

/* ------------------------------------------------------------ json-c glue */

static json_object *put(audit *a, json_object *obj, const char *key, json_object *v)
{
	if (!obj || !v || json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		a->oom = true;
		return NULL;
	}
	return v;
}

/* JSON null is a NULL value in json-c, so it cannot go through put(). */
static void put_null(audit *a, json_object *obj, const char *key)
{
	if (!obj || json_object_object_add(obj, key, NULL) < 0)
		a->oom = true;
}

static json_object *push(audit *a, json_object *arr, json_object *v)
{
	if (!arr || !v || json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		a->oom = true;
		return NULL;
	}
	return v;
}

static json_object *str(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static void put_str(audit *a, json_object *obj, const char *key, const char *s)
{
	put(a, obj, key, str(s));
}

static void push_str(audit *a, json_object *arr, const char *s)
{
	push(a, arr, str(s));
}

static void put_copy(gpointer v)
{
	json_object_put(v);
}

/* A new reference to the matrix's copy of a value of the policy: the
 * matrix is not the policy's (whose values must stay as they are, and are
 * shared by threads), but within the matrix one value is one object. */
static json_object *copy(audit *a, json_object *v)
{
	json_object *c = g_hash_table_lookup(a->copies, v);
	if (c)
		return json_object_get(c);
	if (json_object_deep_copy(v, &c, NULL) < 0) {
		a->oom = true;
		return NULL;
	}
	g_hash_table_insert(a->copies, v, c);
	return json_object_get(c);
}

/* Adds the values of src that dst does not hold yet (a set union, linear
 * in the values' size: base/jsonset.h). */
static void add_unique(audit *a, cg_jsonset *dst, json_object *src)
{
	if (!dst->arr)
		return; /* its allocation failed and was recorded */
	for (size_t i = 0; src && i < json_object_array_length(src); i++) {
		json_object *v = json_object_array_get_idx(src, i);
		if (cg_jsonset_has(dst, v))
			continue;
		/* JSON null is a NULL json_object: nothing to copy. */
		json_object *c = v ? copy(a, v) : NULL;
		if ((v && !c) || cg_jsonset_add(dst, v, c) < 0)
			a->oom = true;
	}
}

/* ------------------------------------------------------------------ order */

/* Scopes are sets and sources a list of places: both are sorted, so that
 * the matrix does not change when files are renamed or reordered. */
static const char *text_of(json_object *v)
{
	const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE);
	return s ? s : "";
}

static int cmp_value(const void *x, const void *y)
{
	return strcmp(text_of(*(json_object *const *)x), text_of(*(json_object *const *)y));
}

static const char *field(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : "";
}

static int cmp_source(const void *x, const void *y)
{
	json_object *sx = *(json_object *const *)x, *sy = *(json_object *const *)y, *lx, *ly;
	static const char *const keys[] = {"capability", "file", "entry", "permission"};
	int r = 0;
	for (size_t i = 0; !r && i < 2; i++)
		r = strcmp(field(sx, keys[i]), field(sy, keys[i]));
	if (!r && json_object_object_get_ex(sx, "line", &lx) && json_object_object_get_ex(sy, "line", &ly))
		r = json_object_get_int(lx) - json_object_get_int(ly);
	for (size_t i = 2; !r && i < 4; i++)
		r = strcmp(field(sx, keys[i]), field(sy, keys[i]));
	return r;
}

static void sort(json_object *arr, int (*cmp)(const void *, const void *))
{
	if (arr)
		json_object_array_sort(arr, cmp);
}

static json_object *scope_pair(audit *a, json_object *obj, const char *key,
			       json_object **allow, json_object **deny)
{
	json_object *o = put(a, obj, key, json_object_new_object());
	*allow = put(a, o, "allow", json_object_new_array());
	*deny = put(a, o, "deny", json_object_new_array());
	return o;
}

/* ---------------------------------------------------------- applicability */

static bool label_matches(char *const *globs, size_t n, const char *label)
{
	/* A label that is itself a pattern is compared as text: the same
	 * pattern, or one that matches its characters ("*" covers any). */
	for (size_t i = 0; i < n; i++)
		if (strcmp(globs[i], label) == 0 || cg_glob_match(globs[i], label))
			return true;
	return false;
}

/* Whether c names r's label (whatever the origin). */
static bool label_applies(const cg_cap *c, const row *r)
{
	if (!c->enabled)
		return false;
	/* A window's own webview carries the window's label (as
	 * cg_subject_new assumes), so "webviews" reaches window rows too; a
	 * webview row cannot know its window, so only "webviews" counts. */
	if (!r->webview && label_matches(c->windows, c->n_windows, r->label))
		return true;
	return label_matches(c->webviews, c->n_webviews, r->label);
}

static bool cap_applies(const cg_cap *c, const row *r)
{
	if (!c->enabled)
		return false;
	if (r->origin) {
		bool listed = false;
		for (size_t i = 0; !listed && i < c->n_remote; i++)
			listed = strcmp(cg_urlpattern_source(c->remote[i]), r->origin) == 0;
		if (!listed)
			return false;
	} else if (!c->local) {
		return false;
	}
	return label_applies(c, r);
}

static size_t mark_applying(audit *a, const row *r)
{
	size_t n = 0;
	for (size_t i = 0; i < a->p->n_caps; i++) {
		a->applies[i] = cap_applies(&a->p->caps[i], r);
		n += a->applies[i];
	}
	return n;
}

/* ------------------------------------------------------------- provenance */

static char *full_ident(const cg_perm *pm)
{
	const char *key = pm->owner ? pm->owner->key : "";
	return *key ? cg_strdup_printf("%s:%s", key, pm->id) : strdup(pm->id);
}

/* {"capability", "file", "line", "entry"[, "permission"]}: the entry as
 * written and, for commands, the permission that names the command. */
static json_object *provenance(audit *a, uint32_t ci, uint32_t ei, const cg_perm *via)
{
	const cg_cap *c = &a->p->caps[ci];
	const cg_entry *e = &c->entries[ei];
	json_object *o = json_object_new_object();
	if (!o) {
		a->oom = true;
		return NULL;
	}
	put_str(a, o, "capability", c->id);
	put_str(a, o, "file", e->loc.file);
	put(a, o, "line", json_object_new_int((int)e->loc.line));
	put_str(a, o, "entry", e->ident);
	if (via) {
		char *fi = full_ident(via);
		if (!fi)
			a->oom = true;
		else
			put_str(a, o, "permission", fi);
		free(fi);
	}
	return o;
}

/* The same capability entry can reach a command twice (a set naming two
 * permissions that both allow it, or one permission twice): once is enough.
 * Resolution makes an entry's grants one after the other (deny rules and
 * grants each in that order), so only the run of grants of the same entry
 * just before is looked at, not every grant. */
static bool seen_before(const cg_cmd *c, uint32_t upto, const cg_grant *g)
{
	for (uint32_t i = upto; i-- > 0;) {
		const cg_grant *h = &c->grants[i];
		if (h->deny != g->deny || h->cap != g->cap || h->entry != g->entry)
			return false;
		if (h->via == g->via)
			return true;
	}
	return false;
}

static void add_scope(audit *a, json_object *obj, const char *key, json_object *allow,
		      json_object *deny)
{
	json_object *ao, *dn;
	scope_pair(a, obj, key, &ao, &dn);
	cg_jsonset as, ds;
	cg_jsonset_init(&as, ao);
	cg_jsonset_init(&ds, dn);
	add_unique(a, &as, allow);
	add_unique(a, &ds, deny);
	cg_jsonset_clear(&as);
	cg_jsonset_clear(&ds);
}

static void add_grant_source(audit *a, json_object *list, const cg_grant *g)
{
	json_object *o = push(a, list, provenance(a, g->cap, g->entry, g->via));
	if (!o || (!g->scope_allow && !g->scope_deny))
		return;
	add_scope(a, o, "scope", g->scope_allow, g->scope_deny);
}

/* --------------------------------------------------------------- commands */

static json_object *command_head(audit *a, json_object *list, const cg_cmd *c)
{
	json_object *o = push(a, list, json_object_new_object());
	const char *key = c->plugin ? c->plugin->key : "";
	const char *danger = cg_command_danger(key, c->plain);
	put_str(a, o, "command", c->name);
	put_str(a, o, "plugin", key);
	if (danger)
		put_str(a, o, "danger", danger);
	else
		put_null(a, o, "danger");
	return o;
}

/* The applying allow grants of c, as provenance, into the array by; their
 * scopes' union into allow and deny when those are given. */
static void add_grants(audit *a, json_object *by, const cg_cmd *c, cg_jsonset *allow,
		       cg_jsonset *deny)
{
	for (uint32_t i = c->n_deny; i < c->n_grants; i++) {
		const cg_grant *g = &c->grants[i];
		if (!a->applies[g->cap] || seen_before(c, i, g))
			continue;
		add_grant_source(a, by, g);
		if (allow) {
			add_unique(a, allow, g->scope_allow);
			add_unique(a, deny, g->scope_deny);
		}
	}
}

static void add_command(audit *a, json_object *allowed, json_object *denied, const cg_cmd *c)
{
	bool has_deny = false, has_grant = false;
	for (uint32_t i = 0; i < c->n_grants; i++)
		if (a->applies[c->grants[i].cap]) {
			has_deny |= c->grants[i].deny;
			has_grant |= !c->grants[i].deny;
		}
	if (has_deny) {
		json_object *o = command_head(a, denied, c);
		json_object *by = put(a, o, "denied_by", json_object_new_array());
		for (uint32_t i = 0; i < c->n_deny; i++)
			if (a->applies[c->grants[i].cap] && !seen_before(c, i, &c->grants[i]))
				add_grant_source(a, by, &c->grants[i]);
		/* What the deny rule wins over, so a reviewer sees the conflict. */
		json_object *over = put(a, o, "overrides", json_object_new_array());
		add_grants(a, over, c, NULL, NULL);
		sort(by, cmp_source);
		sort(over, cmp_source);
	} else if (has_grant) {
		json_object *o = command_head(a, allowed, c), *allow, *deny;
		/* The effective scope before its sources: what a reader wants first. */
		scope_pair(a, o, "scope", &allow, &deny);
		json_object *by = put(a, o, "granted_by", json_object_new_array());
		cg_jsonset as, ds;
		cg_jsonset_init(&as, allow);
		cg_jsonset_init(&ds, deny);
		add_grants(a, by, c, &as, &ds);
		cg_jsonset_clear(&as);
		cg_jsonset_clear(&ds);
		sort(allow, cmp_value);
		sort(deny, cmp_value);
		sort(by, cmp_source);
	}
}

/* ----------------------------------------------------------- global scopes */

static int cmp_strp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void add_global(audit *a, json_object *globals, const cg_global_list *gl)
{
	bool any = false;
	for (size_t i = 0; !any && i < gl->n; i++)
		any = a->applies[gl->v[i].cap];
	if (!any)
		return;
	json_object *allow, *deny;
	json_object *o = scope_pair(a, globals, gl->plugin->key, &allow, &deny);
	json_object *by = put(a, o, "granted_by", json_object_new_array());
	cg_jsonset as, ds;
	cg_jsonset_init(&as, allow);
	cg_jsonset_init(&ds, deny);
	for (size_t i = 0; i < gl->n; i++) {
		const cg_global *g = &gl->v[i];
		if (!a->applies[g->cap])
			continue;
		add_unique(a, &as, g->scope_allow);
		add_unique(a, &ds, g->scope_deny);
		push(a, by, provenance(a, g->cap, g->entry, NULL));
	}
	cg_jsonset_clear(&as);
	cg_jsonset_clear(&ds);
	sort(allow, cmp_value);
	sort(deny, cmp_value);
	sort(by, cmp_source);
}

static void add_globals(audit *a, json_object *ctx)
{
	json_object *globals = put(a, ctx, "global_scopes", json_object_new_object());
	guint n = 0;
	const char **keys = (const char **)g_hash_table_get_keys_as_array(a->p->globals, &n);
	qsort(keys, n, sizeof(*keys), cmp_strp);
	for (guint i = 0; i < n; i++)
		add_global(a, globals, g_hash_table_lookup(a->p->globals, keys[i]));
	g_free(keys);
}

/* ------------------------------------------------------------------ events */

/* The {"event": glob} values of a scope array into out; false when the
 * scope has none (which, for an allow scope, means every event). */
static bool event_globs(audit *a, cg_jsonset *out, json_object *scope)
{
	bool seen = false;
	for (size_t i = 0; scope && i < json_object_array_length(scope); i++) {
		json_object *v = json_object_array_get_idx(scope, i), *ev;
		if (!json_object_object_get_ex(v, "event", &ev) ||
		    !json_object_is_type(ev, json_type_string))
			continue;
		seen = true;
		if (!out->arr || cg_jsonset_has(out, ev))
			continue;
		json_object *c = copy(a, ev);
		if (!c || cg_jsonset_add(out, ev, c) < 0)
			a->oom = true;
	}
	return seen;
}

/* Mirrors cg_check_event: a deny rule refuses the operation, an applying
 * grant without event entries allows every name, deny entries of applying
 * grants and of core:event's global scope refuse matching names. */
static void add_event_op(audit *a, json_object *events, int op)
{
	int id = a->p->event_cmd[op];
	const cg_cmd *c = id >= 0 ? &a->p->cmds[id] : NULL;
	bool granted = false;
	for (uint32_t i = 0; c && i < c->n_grants; i++) {
		if (!a->applies[c->grants[i].cap])
			continue;
		if (c->grants[i].deny) {
			granted = false;
			break;
		}
		granted = true;
	}
	if (!granted) {
		put_null(a, events, EVENT_OPS[op]);
		return;
	}
	json_object *allow, *deny;
	scope_pair(a, events, EVENT_OPS[op], &allow, &deny);
	cg_jsonset as, ds;
	cg_jsonset_init(&as, allow);
	cg_jsonset_init(&ds, deny);
	bool every = false;
	for (uint32_t i = c->n_deny; i < c->n_grants; i++) {
		const cg_grant *g = &c->grants[i];
		if (!a->applies[g->cap])
			continue;
		every |= !event_globs(a, &as, g->scope_allow);
		event_globs(a, &ds, g->scope_deny);
	}
	const cg_global_list *gl = g_hash_table_lookup(a->p->globals, "core:event");
	for (size_t i = 0; gl && i < gl->n; i++)
		if (a->applies[gl->v[i].cap])
			event_globs(a, &ds, gl->v[i].scope_deny);
	cg_jsonset_clear(&as);
	cg_jsonset_clear(&ds);
	if (every && allow) {
		/* One grant without names allows them all: the list is moot. */
		json_object_array_del_idx(allow, 0, json_object_array_length(allow));
		push_str(a, allow, "*");
	}
	sort(allow, cmp_value);
	sort(deny, cmp_value);
}

/* -------------------------------------------------------------------- rows */

static void add_row(audit *a, json_object *contexts, const row *r)
{
	size_t n = mark_applying(a, r);
	if (!n && !(r->extra && !r->origin))
		return;
	json_object *ctx = push(a, contexts, json_object_new_object());
	put_str(a, ctx, "kind", r->webview ? "webview" : "window");
	put_str(a, ctx, "label", r->label);
	put(a, ctx, "pattern", json_object_new_boolean(!cg_glob_is_literal(r->label)));
	put(a, ctx, "extra", json_object_new_boolean(r->extra));
	put_str(a, ctx, "origin", r->origin ? r->origin : "local");
	json_object *ids = put(a, ctx, "capabilities", json_object_new_array());
	for (size_t i = 0; i < a->p->n_caps; i++)
		if (a->applies[i])
			push_str(a, ids, a->p->caps[i].id);
	sort(ids, cmp_value);
	json_object *allowed = put(a, ctx, "commands", json_object_new_array());
	json_object *denied = put(a, ctx, "denied", json_object_new_array());
	for (size_t i = 0; n && i < a->p->n_cmds; i++)
		add_command(a, allowed, denied, &a->p->cmds[i]);
	add_globals(a, ctx);
	json_object *events = put(a, ctx, "events", json_object_new_object());
	for (int op = 0; op < 3; op++)
		add_event_op(a, events, op);
}

/* ----------------------------------------------------------- row headings */

/* Sorted, without duplicates; the strings are borrowed. */
static void sort_unique(GPtrArray *v)
{
	g_ptr_array_sort(v, cmp_strp);
	guint w = 0;
	for (guint i = 0; i < v->len; i++)
		if (w == 0 || strcmp(v->pdata[w - 1], v->pdata[i]) != 0)
			v->pdata[w++] = v->pdata[i];
	g_ptr_array_set_size(v, w);
}

/* Labels and remote patterns of the capabilities that can grant anything:
 * a disabled capability's would only make empty rows. */
static void collect(const cg_policy *p, const char *const *labels, size_t n_labels,
		    GPtrArray *windows, GPtrArray *webviews, GPtrArray *origins)
{
	for (size_t i = 0; i < p->n_caps; i++) {
		const cg_cap *c = &p->caps[i];
		if (!c->enabled)
			continue;
		for (size_t k = 0; k < c->n_windows; k++)
			g_ptr_array_add(windows, c->windows[k]);
		for (size_t k = 0; k < c->n_webviews; k++)
			g_ptr_array_add(webviews, c->webviews[k]);
		for (size_t k = 0; k < c->n_remote; k++)
			g_ptr_array_add(origins, (gpointer)cg_urlpattern_source(c->remote[k]));
	}
	for (size_t i = 0; i < n_labels; i++)
		if (labels[i] && *labels[i])
			g_ptr_array_add(windows, (gpointer)labels[i]);
	sort_unique(windows);
	sort_unique(webviews);
	sort_unique(origins);
}

static bool is_extra(const char *label, const char *const *labels, size_t n_labels)
{
	for (size_t i = 0; i < n_labels; i++)
		if (labels[i] && strcmp(labels[i], label) == 0)
			return true;
	return false;
}

/* A label's rows: the local one, then one per remote pattern that a
 * capability naming the label lists (in the order of the matrix's
 * "origins"). A pattern no such capability lists would make an empty row,
 * which is never shown: not trying them keeps n capabilities with a window
 * and a URL each at n rows tried, not n * n (each costing n). */
static void add_rows(audit *a, json_object *contexts, GPtrArray *labels, bool webview,
		     const char *const *extra, size_t n_extra)
{
	GPtrArray *origins = g_ptr_array_new();
	for (guint i = 0; i < labels->len && !a->oom; i++) {
		row r = {labels->pdata[i], webview, !webview && is_extra(labels->pdata[i], extra, n_extra), NULL};
		add_row(a, contexts, &r);
		g_ptr_array_set_size(origins, 0);
		for (size_t ci = 0; ci < a->p->n_caps; ci++) {
			const cg_cap *c = &a->p->caps[ci];
			if (c->n_remote && label_applies(c, &r))
				for (size_t k = 0; k < c->n_remote; k++)
					g_ptr_array_add(origins, (gpointer)cg_urlpattern_source(c->remote[k]));
		}
		sort_unique(origins);
		for (guint k = 0; k < origins->len; k++) {
			r.origin = origins->pdata[k];
			add_row(a, contexts, &r);
		}
	}
	g_ptr_array_free(origins, TRUE);
}

/* ------------------------------------------------------------ capabilities */

static void put_strv(audit *a, json_object *o, const char *key, char *const *v, size_t n)
{
	json_object *arr = put(a, o, key, json_object_new_array());
	for (size_t i = 0; i < n; i++)
		push_str(a, arr, v[i]);
}

static void add_capability(audit *a, json_object *list, const cg_cap *c)
{
	json_object *o = push(a, list, json_object_new_object());
	put_str(a, o, "id", c->id);
	put_str(a, o, "description", c->description);
	put_str(a, o, "file", c->loc.file);
	put(a, o, "line", json_object_new_int((int)c->loc.line));
	put(a, o, "enabled", json_object_new_boolean(c->enabled));
	put_strv(a, o, "windows", c->windows, c->n_windows);
	put_strv(a, o, "webviews", c->webviews, c->n_webviews);
	put(a, o, "local", json_object_new_boolean(c->local));
	json_object *remote = put(a, o, "remote", json_object_new_array());
	for (size_t i = 0; i < c->n_remote; i++)
		push_str(a, remote, cg_urlpattern_source(c->remote[i]));
	if (!c->has_platforms) {
		put_null(a, o, "platforms");
		return;
	}
	json_object *pl = put(a, o, "platforms", json_object_new_array());
	for (size_t i = 0; i < sizeof(PLATFORMS) / sizeof(*PLATFORMS); i++)
		if (c->platforms & cg_platform_bit(PLATFORMS[i]))
			push_str(a, pl, PLATFORMS[i]);
}

static int cmp_cap(const void *x, const void *y)
{
	const cg_cap *cx = *(const cg_cap *const *)x, *cy = *(const cg_cap *const *)y;
	return strcmp(cx->id, cy->id);
}

static void add_capabilities(audit *a, json_object *root)
{
	json_object *list = put(a, root, "capabilities", json_object_new_array());
	const cg_cap **v = malloc((a->p->n_caps ? a->p->n_caps : 1) * sizeof(*v));
	if (!v) {
		a->oom = true;
		return;
	}
	for (size_t i = 0; i < a->p->n_caps; i++)
		v[i] = &a->p->caps[i];
	qsort(v, a->p->n_caps, sizeof(*v), cmp_cap);
	for (size_t i = 0; i < a->p->n_caps; i++)
		add_capability(a, list, v[i]);
	free(v);
}

/* ------------------------------------------------------------------- entry */

CG_EXPORT int cg_policy_audit(const cg_policy *p, const char *const *labels, size_t n_labels,
			      json_object **out)
{
	if (out)
		*out = NULL;
	if (!p || !out || (n_labels && !labels))
		return CG_EINVAL;
	audit a = {p, calloc(p->n_caps ? p->n_caps : 1, sizeof(bool)), false,
		   g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					 put_copy)};
	json_object *root = json_object_new_object();
	GPtrArray *windows = g_ptr_array_new(), *webviews = g_ptr_array_new();
	GPtrArray *origins = g_ptr_array_new();
	if (!a.applies || !root) {
		a.oom = true;
		goto out;
	}
	put(&a, root, "format", json_object_new_int(1));
	put_str(&a, root, "platform", p->cfg.platform_name);
	collect(p, labels, n_labels, windows, webviews, origins);
	json_object *orig = put(&a, root, "origins", json_object_new_array());
	push_str(&a, orig, "local");
	for (guint i = 0; i < origins->len; i++)
		push_str(&a, orig, origins->pdata[i]);
	add_capabilities(&a, root);
	json_object *contexts = put(&a, root, "contexts", json_object_new_array());
	add_rows(&a, contexts, windows, false, labels, n_labels);
	add_rows(&a, contexts, webviews, true, labels, n_labels);
out:
	g_ptr_array_free(windows, TRUE);
	g_ptr_array_free(webviews, TRUE);
	g_ptr_array_free(origins, TRUE);
	free(a.applies);
	g_hash_table_destroy(a.copies);
	if (a.oom) {
		json_object_put(root);
		return CG_ENOMEM;
	}
	*out = root;
	return 0;
}
