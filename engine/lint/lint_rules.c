/*
 * Lint rules on reach (which windows and pages a capability applies to)
 * and on grants (what it hands them): over-broad, dead, shadowed and
 * platform-mismatched grants.
 */
#include "lint/lint.h"
#include "base/strhash.h"

#include "base/glob.h"
#include "base/ident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cg_command_danger(const char *plugin_key, const char *cmd)
{
	static const struct {
		const char *plugin, *what;
	} plugins[] = {
		{"fs", "files"}, {"persisted-scope", "files"}, {"sql", "files"},
		{"shell", "shell"},
		{"process", "processes"},
		{"http", "network"}, {"websocket", "network"}, {"upload", "network"},
	};
	if (!plugin_key)
		return NULL;
	/* The opener opens URLs in the browser, which is routine; opening a
	 * path runs whatever program the desktop associates with it. */
	if (strcmp(plugin_key, "opener") == 0)
		return cmd && strcmp(cmd, "open_path") == 0 ? "processes" : NULL;
	/* Checking for an update reads a feed; installing one runs a program. */
	if (strcmp(plugin_key, "updater") == 0)
		return cmd && strcmp(cmd, "check") != 0 ? "processes" : NULL;
	for (size_t i = 0; i < sizeof(plugins) / sizeof(plugins[0]); i++)
		if (strcmp(plugin_key, plugins[i].plugin) == 0)
			return plugins[i].what;
	return NULL;
}

/* ---------------------------------------------------------------- helpers */

void lint_loc_at(lint_ctx *x, const char *file, const char *pointer, cg_loc *out)
{
	out->file = file;
	out->line = out->col = 0;
	out->pointer = pointer ? strdup(pointer) : NULL;
	if (!file || !pointer)
		return;
	cg_jsondoc *doc = g_hash_table_lookup(x->docs, file);
	if (!doc && !g_hash_table_contains(x->docs, file)) {
		/* Capabilities given as JSON text have no file to reread. */
		if (cg_jsondoc_load_file(file, NULL, &doc, NULL) < 0)
			doc = NULL;
		g_hash_table_insert(x->docs, (gpointer)file, doc);
	}
	if (doc)
		cg_jsondoc_locate(doc, pointer, &out->line, &out->col);
}

/* A location below a capability or entry: base pointer + suffix. */
static void sub_loc(lint_ctx *x, const cg_loc *base, const char *suffix, cg_loc *out)
{
	char *ptr = cg_strdup_printf("%s%s", base->pointer ? base->pointer : "", suffix);
	lint_loc_at(x, base->file, ptr, out);
	free(ptr);
	if (!out->line) {
		/* Fall back on the base position rather than none at all. */
		out->line = base->line;
		out->col = base->col;
	}
}

static void platform_names(unsigned bits, char *buf, size_t len)
{
	static const char *const names[] = {"linux", "macOS", "windows", "android", "iOS"};
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < 5; i++)
		if (bits & cg_platform_bit(names[i]))
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? ", " : "", names[i]);
}

static bool cap_all_windows(const cg_cap *c)
{
	for (size_t i = 0; i < c->n_windows; i++)
		if (strcmp(c->windows[i], "*") == 0)
			return true;
	for (size_t i = 0; i < c->n_webviews; i++)
		if (strcmp(c->webviews[i], "*") == 0)
			return true;
	return false;
}

static char *full_ident(const cg_perm *pm)
{
	const char *key = lint_plugin_key(pm);
	return *key ? cg_strdup_printf("%s:%s", key, pm->id) : strdup(pm->id);
}

/* The first dangerous command the entry's leaves allow, and what it
 * touches; NULL when there is none. */
static const char *entry_danger(lint_ctx *x, const cg_entry *e, const cg_perm **leaf,
				const char **cmd)
{
	const cg_perm *pm = lint_entry_perm(x, e, NULL);
	if (!pm)
		return NULL;
	GPtrArray *lv = lint_leaves(x, pm);
	for (guint i = 0; i < lv->len; i++) {
		const cg_perm *lp = lv->pdata[i];
		for (size_t k = 0; k < lp->n_cmd_allow; k++) {
			const char *what = cg_command_danger(lint_plugin_key(lp), lp->cmd_allow[k]);
			if (what) {
				*leaf = lp;
				*cmd = lp->cmd_allow[k];
				return what;
			}
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------ reach */

static bool cap_reaches_config(const lint_ctx *x, const cg_cap *c)
{
	for (size_t w = 0; w < x->l->n_windows; w++)
		for (size_t i = 0; i < c->n_windows; i++)
			if (cg_glob_match(c->windows[i], x->l->windows[w].label))
				return true;
	return false;
}

static void reach_cap(lint_ctx *x, const cg_cap *c)
{
	if (!c->n_windows && !c->n_webviews) {
		lint_report(x, R_NO_WINDOW, CG_SEV_WARNING, &c->loc,
			    NULL, "add \"windows\": [\"main\"] (or the labels of the windows that need it)",
			    "capability \"%s\" names no window or webview: it grants nothing", c->id);
		return;
	}
	if (!c->local && !c->n_remote) {
		lint_report(x, R_NO_WINDOW, CG_SEV_WARNING, &c->loc, NULL,
			    "set \"local\": true, or list the pages in \"remote\": {\"urls\": [...]}",
			    "capability \"%s\" has \"local\": false and no remote URLs: it applies to no page", c->id);
		return;
	}
	/* Windows made at run time are not in the config, and webview labels
	 * never are: only a capability for windows alone, all of them missing
	 * from a config that lists windows, is worth a word. */
	if (x->l->have_config && x->l->n_windows && !c->n_webviews && !cap_reaches_config(x, c)) {
		GString *labels = g_string_new(NULL);
		for (size_t w = 0; w < x->l->n_windows; w++)
			g_string_append_printf(labels, "%s\"%s\"", w ? ", " : "", x->l->windows[w].label);
		cg_loc wl;
		sub_loc(x, &c->loc, "/windows", &wl);
		lint_report(x, R_NO_WINDOW, CG_SEV_NOTE, &wl, NULL,
			    "fix the labels if they are typos; windows created at run time are not in the config",
			    "capability \"%s\" matches none of the windows in %s (%s)", c->id,
			    x->l->config_path, labels->str);
		free(wl.pointer);
		g_string_free(labels, TRUE);
	}
}

static void uncovered_windows(lint_ctx *x)
{
	for (size_t w = 0; w < x->l->n_windows; w++) {
		const lint_window *lw = &x->l->windows[w];
		bool covered = false;
		for (size_t ci = 0; !covered && ci < x->p->n_caps; ci++) {
			const cg_cap *c = &x->p->caps[ci];
			for (size_t i = 0; !covered && i < c->n_windows; i++)
				covered = cg_glob_match(c->windows[i], lw->label);
			for (size_t i = 0; !covered && i < c->n_webviews; i++)
				covered = cg_glob_match(c->webviews[i], lw->label);
		}
		for (guint i = 0; !covered && x->failed_windows && i < x->failed_windows->len; i++) {
			const char *g = x->failed_windows->pdata[i];
			covered = g && cg_glob_validate(g, NULL, NULL) == 0 && cg_glob_match(g, lw->label);
		}
		if (!covered)
			lint_report(x, R_UNCOVERED_WINDOW, CG_SEV_NOTE, &lw->loc, NULL,
				    "nothing is allowed by default, which is safe; add the label to a capability's \"windows\" if its pages need commands",
				    "no capability covers window \"%s\": its pages can call no command", lw->label);
	}
}

/* The host of a URL pattern's source, for telling a dev server apart. */
static bool pattern_is_loopback(const char *src)
{
	const char *h = strstr(src, "://");
	if (!h)
		return false;
	h += 3;
	size_t n = strcspn(h, ":/?#");
	return (n == 9 && strncmp(h, "localhost", 9) == 0) || (n == 9 && strncmp(h, "127.0.0.1", 9) == 0) ||
	       (n == 5 && strncmp(h, "[::1]", 5) == 0);
}

static void remote_urls(lint_ctx *x, const cg_cap *c)
{
	for (size_t i = 0; i < c->n_remote; i++) {
		const char *src = cg_urlpattern_source(c->remote[i]);
		char suffix[48];
		snprintf(suffix, sizeof(suffix), "/remote/urls/%zu", i);
		cg_loc l;
		sub_loc(x, &c->loc, suffix, &l);
		if (cg_urlpattern_wildcard_host(c->remote[i]))
			lint_report(x, R_REMOTE_WILDCARD, CG_SEV_WARNING, &l, NULL,
				    "list the exact hosts you serve pages from (\"https://app.example.com/*\")",
				    "remote URL pattern \"%s\" has a wildcard host: pages on any matching host get capability \"%s\"",
				    src, c->id);
		if (cg_urlpattern_insecure_scheme(c->remote[i])) {
			/* Dev servers are plain http on loopback: worth a note, since
			 * a release build should not keep them. */
			bool loop = pattern_is_loopback(src);
			lint_report(x, R_REMOTE_HTTP, loop ? CG_SEV_NOTE : CG_SEV_WARNING, &l, NULL,
				    loop ? "keep dev-server URLs out of release builds (a separate capability file for development)"
					 : "use https: anyone on the network path can inject script into a plain-http page",
				    "remote URL pattern \"%s\" admits plain http:%s", src,
				    loop ? " (a local dev server?)" : "");
		}
		free(l.pointer);
	}
}

void lint_reach(lint_ctx *x)
{
	for (size_t ci = 0; ci < x->p->n_caps; ci++) {
		reach_cap(x, &x->p->caps[ci]);
		remote_urls(x, &x->p->caps[ci]);
	}
	/* With a capability file whose windows are unknown (it is not even
	 * JSON), "no capability covers it" could be false: say nothing. */
	if (x->l->have_config && !x->partial &&
	    (x->p->n_caps || (x->failed_windows && x->failed_windows->len)))
		uncovered_windows(x);
}

/* ----------------------------------------------------------------- grants */

static void broad_and_remote(lint_ctx *x, const cg_cap *c, const cg_entry *e)
{
	const cg_perm *leaf = NULL;
	const char *cmd = NULL;
	bool all = cap_all_windows(c);
	if (!all && !c->n_remote)
		return;
	const char *what = entry_danger(x, e, &leaf, &cmd);
	if (!what)
		return;
	char *lid = full_ident(leaf);
	if (all)
		lint_report(x, R_BROAD_WINDOWS, CG_SEV_WARNING, &e->loc, NULL,
			    "move it to a capability for the windows that need it (\"windows\": [\"main\"])",
			    "every window (\"*\") of capability \"%s\" is granted \"%s\", which reaches %s (%s via %s)",
			    c->id, e->ident, what, cmd, lid ? lid : "?");
	if (c->n_remote)
		lint_report(x, R_REMOTE_DANGEROUS, CG_SEV_WARNING, &e->loc, NULL,
			    "grant it to local content only, or narrow it with a scope and review the remote site's integrity",
			    "remote pages (\"%s\"%s) are granted \"%s\", which reaches %s (%s via %s)",
			    cg_urlpattern_source(c->remote[0]), c->n_remote > 1 ? ", ..." : "", e->ident, what, cmd,
			    lid ? lid : "?");
	free(lid);
}

static bool scope_has_event(json_object *scope)
{
	for (size_t i = 0; scope && i < json_object_array_length(scope); i++) {
		json_object *v = json_object_array_get_idx(scope, i), *ev;
		if (json_object_is_type(v, json_type_object) && json_object_object_get_ex(v, "event", &ev))
			return true;
	}
	return false;
}

static bool is_event_cmd(const char *plain)
{
	return strcmp(plain, "listen") == 0 || strcmp(plain, "emit") == 0 || strcmp(plain, "emit_to") == 0;
}

/* Only entries naming core:event directly: core:default also grants
 * every event, but an app author asked for that bundle knowingly. */
static void event_scope(lint_ctx *x, const cg_entry *e)
{
	const cg_plugin *pl = NULL;
	const cg_perm *pm = lint_entry_perm(x, e, &pl);
	if (!pm || !pl || strcmp(pl->key, "core:event") != 0)
		return;
	if (scope_has_event(e->allow))
		return;
	GPtrArray *lv = lint_leaves(x, pm);
	const char *cmd = NULL;
	for (guint i = 0; i < lv->len; i++) {
		const cg_perm *lp = lv->pdata[i];
		if (scope_has_event(lp->scope_allow))
			return;
		for (size_t k = 0; !cmd && k < lp->n_cmd_allow; k++)
			if (is_event_cmd(lp->cmd_allow[k]))
				cmd = lp->cmd_allow[k];
	}
	if (!cmd)
		return;
	bool listen = strcmp(cmd, "listen") == 0;
	char *hint = cg_strdup_printf("name the events: {\"identifier\": \"%s\", \"allow\": [{\"event\": \"file-*\"}]}",
				      strcmp(pm->id, "default") == 0
					      ? (listen ? "core:event:allow-listen" : "core:event:allow-emit")
					      : e->ident);
	lint_report(x, R_EVENT_NO_SCOPE, CG_SEV_WARNING, &e->loc, NULL, hint,
		    "\"%s\" allows %s for every event name", e->ident, listen ? "listening" : "emitting");
	free(hint);
}

static bool same_scope(json_object *a, json_object *b)
{
	if (!a || !b)
		return !a && !b;
	return json_object_equal(a, b);
}

static bool leaves_subset(GPtrArray *a, GPtrArray *b)
{
	for (guint i = 0; i < a->len; i++) {
		bool found = false;
		for (guint k = 0; !found && k < b->len; k++)
			found = a->pdata[i] == b->pdata[k];
		if (!found)
			return false;
	}
	return true;
}

static void dead_entries(lint_ctx *x, const cg_cap *c)
{
	for (size_t i = 0; i < c->n_entries; i++) {
		const cg_entry *e = &c->entries[i];
		const cg_perm *pm = lint_entry_perm(x, e, NULL);
		if (!pm)
			continue;
		bool dup = false;
		for (size_t k = 0; !dup && k < i; k++) {
			const cg_entry *o = &c->entries[k];
			if (strcmp(o->ident, e->ident) == 0 && same_scope(o->allow, e->allow) &&
			    same_scope(o->deny, e->deny)) {
				lint_report(x, R_DUPLICATE_GRANT, CG_SEV_WARNING, &e->loc, NULL,
					    "remove one of them",
					    "\"%s\" is listed twice in capability \"%s\" (first at line %u)",
					    e->ident, c->id, o->loc.line);
				dup = true;
			}
		}
		/* An entry with an inline scope adds that scope; only a bare
		 * entry can be wholly covered by another. */
		if (dup || e->allow || e->deny)
			continue;
		GPtrArray *mine = lint_leaves(x, pm);
		if (!mine->len)
			continue;
		for (size_t k = 0; k < c->n_entries; k++) {
			const cg_entry *o = &c->entries[k];
			const cg_perm *opm = k == i ? NULL : lint_entry_perm(x, o, NULL);
			if (!opm || opm == pm)
				continue;
			GPtrArray *theirs = lint_leaves(x, opm);
			if (theirs->len > mine->len && leaves_subset(mine, theirs)) {
				lint_report(x, R_SHADOWED, CG_SEV_NOTE, &e->loc, NULL, "remove this entry",
					    "\"%s\" adds nothing: \"%s\" (line %u) already grants all of it",
					    e->ident, o->ident, o->loc.line);
				break;
			}
		}
	}
}

/* "plugin\x1fcommand" of every command some capability allows, on any
 * platform: a deny rule is dead only if none of them is its target. */
static GHashTable *allowed_commands(lint_ctx *x)
{
	GHashTable *h = cg_str_table_new(free, NULL);
	for (size_t ci = 0; ci < x->p->n_caps; ci++) {
		const cg_cap *c = &x->p->caps[ci];
		for (size_t i = 0; i < c->n_entries; i++) {
			const cg_perm *pm = lint_entry_perm(x, &c->entries[i], NULL);
			GPtrArray *lv = pm ? lint_leaves(x, pm) : NULL;
			for (guint k = 0; lv && k < lv->len; k++) {
				const cg_perm *lp = lv->pdata[k];
				for (size_t j = 0; j < lp->n_cmd_allow; j++) {
					char *key = cg_strdup_printf("%s\x1f%s", lint_plugin_key(lp), lp->cmd_allow[j]);
					if (key)
						g_hash_table_add(h, key);
				}
			}
		}
	}
	return h;
}

static void unused_denies(lint_ctx *x, const cg_cap *c, GHashTable *allowed)
{
	for (size_t i = 0; i < c->n_entries; i++) {
		const cg_entry *e = &c->entries[i];
		const cg_perm *pm = lint_entry_perm(x, e, NULL);
		GPtrArray *lv = pm ? lint_leaves(x, pm) : NULL;
		const char *target = NULL;
		bool any = false, used = false;
		for (guint k = 0; lv && !used && k < lv->len; k++) {
			const cg_perm *lp = lv->pdata[k];
			for (size_t j = 0; !used && j < lp->n_cmd_deny; j++) {
				char *key = cg_strdup_printf("%s\x1f%s", lint_plugin_key(lp), lp->cmd_deny[j]);
				any = true;
				target = lp->cmd_deny[j];
				used = key && g_hash_table_contains(allowed, key);
				free(key);
			}
		}
		if (any && !used)
			lint_report(x, R_DENY_UNUSED, CG_SEV_WARNING, &e->loc, NULL,
				    "remove it, or check the identifier: deny rules take back what a grant gives",
				    "\"%s\" denies \"%s\", which no capability grants: the rule has no effect",
				    e->ident, target);
	}
}

static void platforms(lint_ctx *x, const cg_cap *c)
{
	unsigned cap_bits = c->has_platforms ? c->platforms : 0x1f;
	for (size_t i = 0; i < c->n_entries; i++) {
		const cg_entry *e = &c->entries[i];
		const cg_perm *pm = lint_entry_perm(x, e, NULL);
		GPtrArray *lv = pm ? lint_leaves(x, pm) : NULL;
		if (!lv || !lv->len)
			continue;
		unsigned leaf_bits = 0;
		for (guint k = 0; k < lv->len; k++) {
			const cg_perm *lp = lv->pdata[k];
			leaf_bits |= lp->platforms ? lp->platforms : 0x1f;
		}
		if (leaf_bits & cap_bits)
			continue;
		char have[64], want[64];
		platform_names(leaf_bits, have, sizeof(have));
		platform_names(cap_bits, want, sizeof(want));
		/* "platforms": [] names no platform: say that, not "only for ". */
		if (!*have)
			lint_report(x, R_PLATFORM, CG_SEV_WARNING, &e->loc, NULL,
				    "give its permissions the platforms they are for, or remove it",
				    "\"%s\" is for no platform (its permissions have \"platforms\": []): it grants nothing",
				    e->ident);
		else if (!*want)
			lint_report(x, R_PLATFORM, CG_SEV_WARNING, &e->loc, NULL,
				    "list the platforms the capability is for, or remove \"platforms\" to mean all of them",
				    "capability \"%s\" is for no platform (\"platforms\": []): \"%s\" grants nothing",
				    c->id, e->ident);
		else
			lint_report(x, R_PLATFORM, CG_SEV_WARNING, &e->loc, NULL,
				    "move it to a capability with a matching \"platforms\" list, or remove it",
				    "\"%s\" is only for %s, but capability \"%s\" is for %s: it grants nothing",
				    e->ident, have, c->id, want);
	}
}

/* "x:default" is the plugin's default set, always (Tauri reads it so): a
 * permission or set whose identifier is "default" is granted by nothing,
 * and an author who wrote one meant "x:default" to grant it. */
static void named_default(lint_ctx *x)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, x->p->plugins);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const cg_plugin *pl = v;
		const cg_perm *pm = g_hash_table_lookup(pl->perms, "default");
		if (!pm)
			continue;
		const char *what = pm->kind == CG_PERM_SET ? "set" : "permission";
		char *hint = pl->def
			? cg_strdup_printf("rename it; \"%s%sdefault\" is the default set at %s:%u:%u",
					   pl->key, *pl->key ? ":" : "", pl->def->loc.file ? pl->def->loc.file : "?",
					   pl->def->loc.line, pl->def->loc.col)
			: strdup("rename it, or make it the default set (\"default\" in a permission file, "
				 "\"default_permission\" in acl-manifests.json)");
		lint_report(x, R_NAMED_DEFAULT, CG_SEV_WARNING, &pm->loc, NULL, hint,
			    "%s \"default\" of %s%s%s can never be granted: \"%s%sdefault\" names the %s default set%s",
			    what, *pl->key ? "plugin \"" : "the app", pl->key, *pl->key ? "\"" : "", pl->key,
			    *pl->key ? ":" : "", *pl->key ? "plugin's" : "app's", pl->def ? "" : ", and there is none");
		free(hint);
	}
}

void lint_grants(lint_ctx *x)
{
	named_default(x);
	GHashTable *allowed = allowed_commands(x);
	for (size_t ci = 0; ci < x->p->n_caps; ci++) {
		const cg_cap *c = &x->p->caps[ci];
		for (size_t i = 0; i < c->n_entries; i++) {
			broad_and_remote(x, c, &c->entries[i]);
			event_scope(x, &c->entries[i]);
		}
		dead_entries(x, c);
		unused_denies(x, c, allowed);
		platforms(x, c);
	}
	g_hash_table_destroy(allowed);
}
