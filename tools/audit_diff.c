/*
 * capgate audit --diff: what a change to the files grants or removes.
 */
#include "audit.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------- diff */

/*
 * A diff compares two matrices context by context (a context missing on
 * one side counts as an empty one): the applying capabilities, commands
 * allowed and denied, the scopes of commands allowed on both sides, global
 * scopes and event scopes. Provenance alone (the same grant moved to
 * another file) is not a difference: the effective permissions are equal.
 */
typedef struct differ {
	size_t changes;
	int oom;
} differ;

static json_object *dput(differ *df, json_object *o, const char *key, json_object *v)
{
	if (!o || !v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		df->oom = 1;
		return NULL;
	}
	return v;
}

static json_object *dpush(differ *df, json_object *arr, json_object *v)
{
	if (!arr || !v || json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		df->oom = 1;
		return NULL;
	}
	return v;
}

/* ------------------------------------------------------ set differences */

/* A growable text. */
typedef struct text {
	char *s;
	size_t n, cap;
	int oom;
} text;

static void put_bytes(text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->n + n + 1 > t->cap) {
		size_t cap = (t->n + n + 1) * 2;
		char *ns = realloc(t->s, cap);
		if (!ns) {
			t->oom = 1;
			return;
		}
		t->s = ns;
		t->cap = cap;
	}
	memcpy(t->s + t->n, s, n);
	t->n += n;
	t->s[t->n] = 0;
}

static void put_fmt(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_fmt(text *t, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put_bytes(t, buf, n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A canonical text of v: equal values as json_object_equal has them
 * (objects whatever their key order, 1 and 1.0 apart, -0.0 as 0.0), and
 * only they, get the same bytes (tagged and length-prefixed; as the
 * engine's base/jsonset.c does). */
static void canon(text *t, json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: put_bytes(t, "n", 1); break;
	case json_type_boolean: put_bytes(t, json_object_get_boolean(v) ? "t" : "f", 1); break;
	case json_type_double: {
		double x = json_object_get_double(v);
		put_fmt(t, "d%a;", x == 0 ? 0.0 : x);
		break;
	}
	case json_type_int: {
		int64_t i = json_object_get_int64(v);
		if (i == INT64_MAX)
			put_fmt(t, "u%" PRIu64 ";", json_object_get_uint64(v));
		else
			put_fmt(t, "i%" PRId64 ";", i);
		break;
	}
	case json_type_string: {
		size_t n = (size_t)json_object_get_string_len(v);
		put_fmt(t, "s%zu:", n);
		put_bytes(t, json_object_get_string(v), n);
		break;
	}
	case json_type_array: {
		size_t n = json_object_array_length(v);
		put_fmt(t, "a%zu[", n);
		for (size_t i = 0; i < n; i++)
			canon(t, json_object_array_get_idx(v, i));
		put_bytes(t, "]", 1);
		break;
	}
	case json_type_object: {
		size_t n = (size_t)json_object_object_length(v), k = 0;
		const char **keys = malloc((n ? n : 1) * sizeof(*keys));
		if (!keys) {
			t->oom = 1;
			return;
		}
		json_object_object_foreach(v, key, val) {
			(void)val;
			keys[k++] = key;
		}
		qsort(keys, k, sizeof(*keys), cmp_cstr);
		put_fmt(t, "o%zu{", k);
		for (size_t i = 0; i < k; i++) {
			put_fmt(t, "%zu:", strlen(keys[i]));
			put_bytes(t, keys[i], strlen(keys[i]));
			canon(t, json_object_object_get(v, keys[i]));
		}
		put_bytes(t, "}", 1);
		free(keys);
		break;
	}
	}
}

/* The canonical texts of arr's values (strings may hold NUL: compared by
 * length and bytes), sorted, so that membership is a binary search and a
 * difference of n values costs n log n, not n^2 comparisons. */
typedef struct vkey {
	char *s;
	size_t n;
} vkey;

static int cmp_key(const void *a, const void *b)
{
	const vkey *x = a, *y = b;
	int r = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
	return r ? r : (x->n > y->n) - (x->n < y->n);
}

static vkey canon_key(differ *df, json_object *v)
{
	text t = {0};
	canon(&t, v);
	put_bytes(&t, "", 0);
	if (t.oom || !t.s) {
		free(t.s);
		df->oom = 1;
		return (vkey){NULL, 0};
	}
	return (vkey){t.s, t.n};
}

/* Values of a that b lacks, appended to out; how many. */
static size_t minus(differ *df, json_object *out, json_object *a, json_object *b)
{
	size_t nb = alen(b), n = 0;
	vkey *kb = calloc(nb ? nb : 1, sizeof(*kb));
	if (!kb) {
		df->oom = 1;
		return 0;
	}
	for (size_t i = 0; i < nb; i++)
		kb[i] = canon_key(df, aget(b, i));
	qsort(kb, nb, sizeof(*kb), cmp_key);
	for (size_t i = 0; !df->oom && i < alen(a); i++) {
		vkey k = canon_key(df, aget(a, i));
		if (k.s && !bsearch(&k, kb, nb, sizeof(*kb), cmp_key)) {
			dpush(df, out, json_object_get(aget(a, i)));
			n++;
		}
		free(k.s);
	}
	for (size_t i = 0; i < nb; i++)
		free(kb[i].s);
	free(kb);
	return n;
}

/* o[key] = {"added": new - old, "removed": old - new}; how many values. */
static size_t set_delta(differ *df, json_object *o, const char *key, json_object *old,
			json_object *new)
{
	json_object *d = dput(df, o, key, json_object_new_object());
	size_t n = minus(df, dput(df, d, "added", json_object_new_array()), new, old);
	return n + minus(df, dput(df, d, "removed", json_object_new_array()), old, new);
}

static json_object *find_named(json_object *list, const char *key, const char *name)
{
	for (size_t i = 0; name && i < alen(list); i++) {
		const char *s = jstr(aget(list, i), key);
		if (s && strcmp(s, name) == 0)
			return aget(list, i);
	}
	return NULL;
}

/* Commands of a missing from b, by name, appended whole to out. */
static size_t cmd_minus(differ *df, json_object *out, json_object *a, json_object *b)
{
	size_t n = 0;
	for (size_t i = 0; i < alen(a); i++)
		if (!find_named(b, "command", jstr(aget(a, i), "command"))) {
			dpush(df, out, json_object_get(aget(a, i)));
			n++;
		}
	return n;
}

static size_t cmd_delta(differ *df, json_object *o, const char *key, json_object *old, json_object *new)
{
	json_object *d = dput(df, o, key, json_object_new_object());
	size_t n = cmd_minus(df, dput(df, d, "added", json_object_new_array()), new, old);
	return n + cmd_minus(df, dput(df, d, "removed", json_object_new_array()), old, new);
}

/* Allow and deny deltas of two {"allow", "deny"} objects into a new
 * object pushed on list (with name under key) when anything changed. */
static size_t scope_delta(differ *df, json_object *list, const char *key, const char *name,
			  json_object *old, json_object *new)
{
	json_object *o = json_object_new_object();
	if (!o) {
		df->oom = 1;
		return 0;
	}
	dput(df, o, key, json_object_new_string(name));
	size_t n = set_delta(df, o, "allow", jget(old, "allow"), jget(new, "allow"));
	n += set_delta(df, o, "deny", jget(old, "deny"), jget(new, "deny"));
	if (n)
		dpush(df, list, o);
	else
		json_object_put(o);
	return n;
}

static size_t scopes_delta(differ *df, json_object *o, json_object *old, json_object *new)
{
	json_object *list = dput(df, o, "scopes", json_object_new_array());
	json_object *nc = jget(new, "commands");
	size_t n = 0;
	for (size_t i = 0; i < alen(nc); i++) {
		json_object *c = aget(nc, i);
		json_object *oc = find_named(jget(old, "commands"), "command", jstr(c, "command"));
		if (oc)
			n += scope_delta(df, list, "command", jstr(c, "command"), jget(oc, "scope"),
					 jget(c, "scope"));
	}
	return n;
}

static size_t globals_delta(differ *df, json_object *o, json_object *old, json_object *new)
{
	json_object *list = dput(df, o, "global_scopes", json_object_new_array());
	json_object *og = jget(old, "global_scopes"), *ng = jget(new, "global_scopes");
	size_t n = 0;
	if (ng) {
		json_object_object_foreach(ng, key, g)
			n += scope_delta(df, list, "plugin", key, jget(og, key), g);
	}
	if (og) {
		json_object_object_foreach(og, okey, ogv)
			if (!jget(ng, okey))
				n += scope_delta(df, list, "plugin", okey, ogv, NULL);
	}
	return n;
}

static size_t events_delta(differ *df, json_object *o, json_object *old, json_object *new)
{
	static const char *const ops[] = {"listen", "emit", "emit_to"};
	json_object *list = dput(df, o, "events", json_object_new_array());
	size_t n = 0;
	for (int i = 0; i < 3; i++)
		n += scope_delta(df, list, "op", ops[i], jget(jget(old, "events"), ops[i]),
				 jget(jget(new, "events"), ops[i]));
	return n;
}

/* The changes of one context (old or new may be NULL: it appeared or
 * went away); NULL when there are none. */
static json_object *context_delta(differ *df, json_object *old, json_object *new)
{
	json_object *any = new ? new : old, *o = json_object_new_object();
	if (!o) {
		df->oom = 1;
		return NULL;
	}
	dput(df, o, "kind", json_object_get(jget(any, "kind")));
	dput(df, o, "label", json_object_get(jget(any, "label")));
	dput(df, o, "origin", json_object_get(jget(any, "origin")));
	dput(df, o, "status", json_object_new_string(!old ? "added" : !new ? "removed" : "changed"));
	size_t n = set_delta(df, o, "capabilities", jget(old, "capabilities"), jget(new, "capabilities"));
	n += cmd_delta(df, o, "commands", jget(old, "commands"), jget(new, "commands"));
	n += cmd_delta(df, o, "denied", jget(old, "denied"), jget(new, "denied"));
	n += scopes_delta(df, o, old, new);
	n += globals_delta(df, o, old, new);
	n += events_delta(df, o, old, new);
	/* A window of the app config that no capability covers is a row on
	 * both sides but not a difference. */
	if (!n && (old && new)) {
		json_object_put(o);
		return NULL;
	}
	df->changes += n ? n : 1;
	return o;
}

static int kind_rank(json_object *ctx)
{
	const char *k = jstr(ctx, "kind");
	return k && strcmp(k, "webview") == 0;
}

/* The order cg_policy_audit writes contexts in: windows before webviews,
 * then by label, then "local" before remote patterns, by pattern. */
static int ctx_cmp(json_object *a, json_object *b)
{
	int r = kind_rank(a) - kind_rank(b);
	if (r)
		return r;
	const char *la = jstr(a, "label"), *lb = jstr(b, "label");
	if ((r = strcmp(la ? la : "", lb ? lb : "")))
		return r;
	const char *oa = jstr(a, "origin"), *ob = jstr(b, "origin");
	oa = oa ? oa : "";
	ob = ob ? ob : "";
	int loca = strcmp(oa, "local") == 0, locb = strcmp(ob, "local") == 0;
	if (loca != locb)
		return locb - loca;
	return strcmp(oa, ob);
}

/* The diff of two matrices (see the help); NULL when memory runs out. */
json_object *audit_diff_matrices(json_object *old, json_object *new, const char *old_name,
				  const char *new_name, size_t *changes)
{
	differ df = {0, 0};
	json_object *root = json_object_new_object();
	json_object *oc = jget(old, "contexts"), *nc = jget(new, "contexts");
	dput(&df, root, "old", json_object_new_string(old_name));
	dput(&df, root, "new", json_object_new_string(new_name));
	json_object *list = dput(&df, root, "contexts", json_object_new_array());
	size_t i = 0, k = 0;
	while (!df.oom && (i < alen(oc) || k < alen(nc))) {
		json_object *a = i < alen(oc) ? aget(oc, i) : NULL;
		json_object *b = k < alen(nc) ? aget(nc, k) : NULL;
		int c = !a ? 1 : !b ? -1 : ctx_cmp(a, b);
		json_object *d = context_delta(&df, c <= 0 ? a : NULL, c >= 0 ? b : NULL);
		if (d)
			dpush(&df, list, d);
		i += c <= 0;
		k += c >= 0;
	}
	dput(&df, root, "differences", json_object_new_int64((int64_t)df.changes));
	if (df.oom) {
		json_object_put(root);
		return NULL;
	}
	*changes = df.changes;
	return root;
}

