/*
 * Lint rules on scopes: allowed paths and URLs that reach too far, allow
 * entries that a deny entry of the same grant takes back, and deny entries
 * that can never match. Scope values are plugin-defined; these rules read
 * the two shapes the official plugins use for places: a path (a string, or
 * {"path": ...}, as fs and its kin) and {"url": ...} (as http).
 */
#include "lint/lint.h"

#include "base/glob.h"

#include <stdlib.h>
#include <string.h>

typedef enum { V_NONE, V_PATH, V_URL } vkind;

/* Where a scope entry's value came from, for the finding's location. */
typedef struct scoped {
	const char *text;
	vkind kind;
	bool inline_;   /* the entry's own "allow"/"deny" (else a permission's) */
	size_t index;   /* in the inline array */
} scoped;

static const char *value_of(json_object *v, vkind *kind)
{
	json_object *s;
	*kind = V_NONE;
	if (json_object_is_type(v, json_type_string)) {
		*kind = V_PATH;
		return json_object_get_string(v);
	}
	if (!json_object_is_type(v, json_type_object))
		return NULL;
	if (json_object_object_get_ex(v, "path", &s) && json_object_is_type(s, json_type_string)) {
		*kind = V_PATH;
		return json_object_get_string(s);
	}
	if (json_object_object_get_ex(v, "url", &s) && json_object_is_type(s, json_type_string)) {
		*kind = V_URL;
		return json_object_get_string(s);
	}
	return NULL;
}

static void collect(GArray *out, json_object *arr, bool inline_)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		scoped sc = {.inline_ = inline_, .index = i};
		sc.text = value_of(json_object_array_get_idx(arr, i), &sc.kind);
		if (sc.text)
			g_array_append_val(out, sc);
	}
}

/* The entry's scope values: its own, then those of the permissions it
 * expands to (a plugin's "fs:scope-home" reaches as far as an inline one). */
static void entry_values(lint_ctx *x, const cg_entry *e, bool deny, GArray *out)
{
	collect(out, deny ? e->deny : e->allow, true);
	const cg_perm *pm = lint_entry_perm(x, e, NULL);
	GPtrArray *lv = pm ? lint_leaves(x, pm) : NULL;
	for (guint i = 0; lv && i < lv->len; i++) {
		const cg_perm *lp = lv->pdata[i];
		collect(out, deny ? lp->scope_deny : lp->scope_allow, false);
	}
}

static void value_loc(lint_ctx *x, const cg_entry *e, const scoped *sc, bool deny, cg_loc *out)
{
	if (!sc->inline_) {
		*out = e->loc;
		out->pointer = e->loc.pointer ? strdup(e->loc.pointer) : NULL;
		return;
	}
	char *ptr = cg_strdup_printf("%s/%s/%zu", e->loc.pointer ? e->loc.pointer : "",
				     deny ? "deny" : "allow", sc->index);
	lint_loc_at(x, e->loc.file, ptr, out);
	free(ptr);
	if (!out->line) {
		out->line = e->loc.line;
		out->col = e->loc.col;
	}
}

/* -------------------------------------------------------------- too far */

static bool has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2) {
		bool start = s == p || s[-1] == '/' || s[-1] == '\\';
		bool end = s[2] == '\0' || s[2] == '/' || s[2] == '\\';
		if (start && end)
			return true;
	}
	return false;
}

/* What an allowed path reaches when it reaches too far, or NULL. */
static const char *path_too_far(const char *p)
{
	if (has_dotdot(p))
		return "a \"..\" component climbs out of the directory it names";
	size_t n = strlen(p);
	/* Strip the recursive tails to find the directory granted. */
	static const char *const tails[] = {"/**/*", "/**", "/*"};
	bool recursive = false, shallow = false;
	for (size_t t = 0; t < 3; t++) {
		size_t k = strlen(tails[t]);
		if (n >= k && strcmp(p + n - k, tails[t]) == 0) {
			n -= k;
			recursive = true;
			shallow = t == 2;
			break;
		}
	}
	if ((n == 0 && (recursive || p[0] == '/')) || (n == 1 && p[0] == '/') ||
	    strcmp(p, "*") == 0 || strcmp(p, "**") == 0)
		return "it is the whole file system";
	if (recursive && ((n == 5 && strncmp(p, "$HOME", 5) == 0) || (n == 1 && p[0] == '~')))
		return shallow ? "it is every file at the top of the home directory (.bash_history, .netrc, ...)"
			       : "it is the whole home directory (keys, browser profiles, shell history)";
	return NULL;
}

/* An allowed URL whose host part is a bare wildcard reaches every site. */
static bool url_every_host(const char *u)
{
	if (strcmp(u, "*") == 0 || strcmp(u, "**") == 0)
		return true;
	const char *h = strstr(u, "://");
	if (!h)
		return false;
	h += 3;
	size_t n = strcspn(h, ":/?#");
	for (size_t i = 0; i < n; i++)
		if (h[i] != '*')
			return false;
	return true;
}

static void too_far(lint_ctx *x, const cg_entry *e, GArray *allow)
{
	/* A URL scope reaches too far only where it is fetched from: for the
	 * opener or shell "open", every https: site is the browser's job. */
	const cg_plugin *pl = NULL;
	lint_entry_perm(x, e, &pl);
	bool network = pl && cg_command_danger(pl->key, NULL) && !strcmp(cg_command_danger(pl->key, NULL), "network");
	for (guint i = 0; i < allow->len; i++) {
		const scoped *sc = &g_array_index(allow, scoped, i);
		const char *why = NULL;
		if (sc->kind == V_PATH)
			why = path_too_far(sc->text);
		else if (sc->kind == V_URL && network && url_every_host(sc->text))
			why = "it matches every host";
		if (!why)
			continue;
		cg_loc l;
		value_loc(x, e, sc, false, &l);
		lint_report(x, R_SCOPE_ESCAPES, CG_SEV_WARNING, &l, NULL,
			    sc->kind == V_URL ? "list the hosts the app talks to (\"https://api.example.com/*\")"
					      : "allow the directory the app needs (\"$APPDATA/**\", \"$DOCUMENT/notes/*\")",
			    "\"%s\" allows \"%s\"%s: %s", e->ident, sc->text,
			    sc->inline_ ? "" : " through its permission", why);
		free(l.pointer);
	}
}

/* ------------------------------------------------------------ cancelled */

/* Does a deny pattern take back everything an allow pattern grants? Both
 * are globs; the deny covers the allow when it matches the allow's text
 * (a "*" in the allow is then matched as any other character). */
static bool covers(const char *deny, const char *allow)
{
	if (strcmp(deny, allow) == 0)
		return true;
	return cg_glob_validate(deny, NULL, NULL) == 0 && cg_glob_match(deny, allow);
}

static void cancelled(lint_ctx *x, const cg_entry *e, GArray *allow, GArray *deny)
{
	for (guint i = 0; i < allow->len; i++) {
		const scoped *a = &g_array_index(allow, scoped, i);
		for (guint k = 0; k < deny->len; k++) {
			const scoped *dn = &g_array_index(deny, scoped, k);
			/* A plugin's own allow and deny are its author's business;
			 * the app's file is where a fix can go. */
			if ((!a->inline_ && !dn->inline_) || a->kind != dn->kind ||
			    !covers(dn->text, a->text))
				continue;
			cg_loc l;
			value_loc(x, e, a, false, &l);
			lint_report(x, R_SCOPE_CANCELLED, CG_SEV_WARNING, &l, NULL,
				    "remove one of them, or narrow the deny entry to what must stay out",
				    "\"%s\" allows \"%s\" and denies \"%s\" in the same grant: the deny wins, so the allow grants nothing",
				    e->ident, a->text, dn->text);
			free(l.pointer);
			break;
		}
	}
}

/* ---------------------------------------------------------- never match */

/* Paths reach a scope check absolute (or as a $VARIABLE the plugin
 * resolves first); a relative or empty pattern can match none of them. */
static const char *deny_never(const scoped *sc)
{
	if (sc->kind != V_PATH)
		return NULL;
	const char *p = sc->text;
	if (!*p)
		return "it is empty";
	if (cg_glob_validate(p, NULL, NULL) < 0)
		return "it is not a valid glob";
	if (p[0] != '/' && p[0] != '$' && p[0] != '~' && p[0] != '*' && p[0] != '?' && p[0] != '[' &&
	    !(((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z') && p[1] == ':'))
		return "it is relative, and the paths it is checked against are absolute";
	return NULL;
}

static void never_match(lint_ctx *x, const cg_entry *e, GArray *deny)
{
	for (guint i = 0; i < deny->len; i++) {
		const scoped *sc = &g_array_index(deny, scoped, i);
		const char *why = sc->inline_ ? deny_never(sc) : NULL;
		if (!why)
			continue;
		cg_loc l;
		value_loc(x, e, sc, true, &l);
		lint_report(x, R_DENY_NEVER_MATCHES, CG_SEV_WARNING, &l, NULL,
			    "write it from a base directory: \"$HOME/.ssh/**\", \"$APPDATA/secrets/*\"",
			    "deny entry \"%s\" of \"%s\" can never match: %s", sc->text, e->ident, why);
		free(l.pointer);
	}
}

void lint_scopes(lint_ctx *x)
{
	GArray *allow = g_array_new(FALSE, FALSE, sizeof(scoped));
	GArray *deny = g_array_new(FALSE, FALSE, sizeof(scoped));
	for (size_t ci = 0; ci < x->p->n_caps; ci++) {
		const cg_cap *c = &x->p->caps[ci];
		for (size_t i = 0; i < c->n_entries; i++) {
			const cg_entry *e = &c->entries[i];
			g_array_set_size(allow, 0);
			g_array_set_size(deny, 0);
			entry_values(x, e, false, allow);
			entry_values(x, e, true, deny);
			too_far(x, e, allow);
			cancelled(x, e, allow, deny);
			never_match(x, e, deny);
		}
	}
	g_array_free(allow, TRUE);
	g_array_free(deny, TRUE);
}
