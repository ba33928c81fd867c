/*
 * Resolution: manifests and capabilities become the compiled policy.
 *
 * Each entry of a capability's "permissions" resolves as one unit (the rule
 * of tauri-apps/tauri#8731, which ../shared/conformance/tauri-acl follows):
 * the commands of all its permissions (a set's members together) and one
 * scope made of the entry's inline allow/deny plus every member's scope. A
 * unit with commands grants (or denies) them with that scope to the
 * capability's callers; a unit without commands adds its scope to the
 * plugin's global scope, for that capability's callers only.
 */
#include "policy/model.h"
#include "base/glob.h"
#include "base/ident.h"
#include "base/jsonval.h"
#include "base/text.h"

#include <stdlib.h>
#include <string.h>

typedef struct leaf {
	const cg_perm *perm;
} leaf;

typedef struct resolver {
	cg_policy *p;
	cg_diag *d;
	GHashTable *memo;      /* cg_perm* -> GPtrArray of cg_perm* (leaves) */
	GHashTable *visiting;  /* cg_perm* being expanded */
	GHashTable *failed;    /* cg_perm* already reported as broken */
	GHashTable *grants;    /* command name -> GArray of cg_grant */
	GHashTable *cmd_plugin;/* command name -> cg_plugin* */
	int err;
	size_t max_depth;
	bool soft;             /* checking sets no capability uses: warnings */
	bool soft_unknown;     /* unknown identifiers are warnings (disabled capability) */
} resolver;

static void keep(resolver *r, int e)
{
	if (e < 0 && !r->err)
		r->err = e;
}

const cg_perm *cg_policy_lookup(GHashTable *plugins, const char *ident, const cg_plugin **plp)
{
	size_t pl_len = cg_ident_prefix_len(ident);
	char key[CG_IDENT_MAX + 1];
	if (strlen(ident) > CG_IDENT_MAX)
		return NULL;
	memcpy(key, ident, pl_len);
	key[pl_len] = 0;
	const char *base = pl_len ? ident + pl_len + 1 : ident;
	const cg_plugin *pl = g_hash_table_lookup(plugins, key);
	if (plp)
		*plp = pl;
	return pl ? g_hash_table_lookup(pl->perms, base) : NULL;
}

/* -------------------------------------------------- generated permissions */

static int generate_one(cg_plugin *pl, const char *cmd, bool deny)
{
	char *ci = cg_command_ident(cmd);
	char *id = ci ? cg_strdup_printf("%s-%s", deny ? "deny" : "allow", ci) : NULL;
	free(ci);
	if (!id)
		return CG_ENOMEM;
	if (g_hash_table_contains(pl->perms, id) || cg_ident_validate(id, NULL) < 0) {
		free(id);
		return 0;
	}
	cg_perm *p = calloc(1, sizeof(*p));
	char **v = calloc(2, sizeof(char *));
	if (!p || !v || !(v[0] = strdup(cmd))) {
		free(p);
		free(v);
		free(id);
		return CG_ENOMEM;
	}
	p->kind = CG_PERM_PERMISSION;
	p->id = id;
	p->generated = true;
	p->description = cg_strdup_printf("%s the %s command without any pre-configured scope.",
					  deny ? "Denies" : "Enables", cmd);
	if (deny) {
		p->cmd_deny = v;
		p->n_cmd_deny = 1;
	} else {
		p->cmd_allow = v;
		p->n_cmd_allow = 1;
	}
	g_hash_table_insert(pl->perms, p->id, p);
	g_ptr_array_add(pl->order, p);
	return 0;
}

static int generate_permissions(cg_policy *p)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, p->plugins);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		cg_plugin *pl = v;
		GHashTableIter ci;
		gpointer cmd;
		g_hash_table_iter_init(&ci, pl->commands);
		while (g_hash_table_iter_next(&ci, &cmd, NULL)) {
			int r = generate_one(pl, cmd, false);
			if (r == 0)
				r = generate_one(pl, cmd, true);
			if (r < 0)
				return r;
		}
		for (guint i = 0; i < pl->order->len; i++)
			((cg_perm *)pl->order->pdata[i])->owner = pl;
	}
	return 0;
}

/* ------------------------------------------------------------- expansion */

static char *full_ident(const cg_perm *pm)
{
	const char *key = pm->owner ? pm->owner->key : "";
	return *key ? cg_strdup_printf("%s:%s", key, pm->id) : strdup(pm->id);
}

static void suggest(resolver *r, const char *ident, char **hint)
{
	/* Pre-2.0 core identifiers ("window:allow-close") moved under core:. */
	char *core = cg_strdup_printf("core:%s", ident);
	if (core && cg_ident_prefix_len(ident) && cg_policy_lookup(r->p->plugins, core, NULL)) {
		*hint = cg_strdup_printf("did you mean \"%s\"? (core permissions gained the \"core:\" prefix in Tauri 2.0)", core);
		free(core);
		return;
	}
	free(core);
	const char *best = NULL;
	size_t bestd = 4;
	char *bestfull = NULL;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->p->plugins);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		cg_plugin *pl = v;
		for (guint i = 0; i < pl->order->len; i++) {
			char *f = full_ident(pl->order->pdata[i]);
			size_t dist = f ? cg_edit_distance(ident, f, 3) : 99;
			if (dist < bestd) {
				bestd = dist;
				free(bestfull);
				bestfull = f;
				best = f;
			} else {
				free(f);
			}
		}
	}
	if (best)
		*hint = cg_strdup_printf("did you mean \"%s\"?", best);
	free(bestfull);
}

static void report(resolver *r, bool soft, int code, const cg_loc *loc, const char *hint,
		   const char *msg)
{
	cg_diag_add(r->d, soft ? CG_SEV_WARNING : CG_SEV_ERROR, code, loc->file, loc->line,
		    loc->col, loc->pointer, hint, "%s", msg);
	if (!soft)
		keep(r, code);
}

/* rel: the plugin whose set names ident without a prefix, or NULL. */
static void unknown_ident(resolver *r, const char *ident, const cg_plugin *rel,
			  const cg_loc *loc, const char *context)
{
	const cg_plugin *pl = NULL;
	char *hint = NULL;
	size_t plen = cg_ident_prefix_len(ident);
	if (rel && !plen) {
		char *a = cg_strdup_printf("allow-%s", ident);
		if (a && g_hash_table_contains(rel->perms, a))
			hint = cg_strdup_printf("did you mean \"%s\"?", a);
		free(a);
		if (!hint)
			hint = cg_strdup_printf("members without a prefix name permissions of the set's own plugin \"%s\"", rel->key);
	}
	cg_policy_lookup(r->p->plugins, ident, &pl);
	if (!hint)
		suggest(r, ident, &hint);
	if (!hint && pl && pl->order->len) {
		/* Name a few of what the plugin has: the full list is long. */
		GString *gs = g_string_new(NULL);
		for (guint i = 0; i < pl->order->len && i < 5; i++) {
			const cg_perm *pm = pl->order->pdata[i];
			g_string_append_printf(gs, "%s\"%s%s%s\"", i ? ", " : "", pl->key,
					       *pl->key ? ":" : "", pm->id);
		}
		hint = cg_strdup_printf("%s%s%s defines %u permissions, e.g. %s%s; 'capgate schema' lists them all",
					*pl->key ? "plugin \"" : "the app", pl->key, *pl->key ? "\"" : "", pl->order->len, gs->str, pl->order->len > 5 ? ", ..." : "");
		g_string_free(gs, TRUE);
	}
	if (!hint && !pl && plen)
		hint = cg_strdup_printf("no manifest defines plugin \"%.*s\": add its permission files (--plugins DIR with a \"%.*s/\" sub-directory) or the app's acl-manifests.json (--tauri-manifests)",
					(int)plen, ident, (int)plen, ident);
	if (!hint && !plen)
		hint = strdup("permissions without a prefix are the app's own: declare the command in an app manifest or with cg_builder_declare_command()");
	char *msg = cg_strdup_printf("unknown permission \"%s\"%s", ident, context);
	report(r, r->soft || r->soft_unknown, CG_EUNKNOWN, loc, hint, msg ? msg : "unknown permission");
	free(msg);
	free(hint);
}

/* Returns the leaves (plain permissions) of pm, memoised; NULL on error. */
static GPtrArray *expand(resolver *r, const cg_perm *pm, size_t depth)
{
	GPtrArray *got = g_hash_table_lookup(r->memo, pm);
	if (got)
		return got;
	if (g_hash_table_contains(r->failed, pm))
		return NULL; /* reported once is enough */
	GPtrArray *out = g_ptr_array_new();
	if (pm->kind == CG_PERM_PERMISSION) {
		g_ptr_array_add(out, (gpointer)pm);
		g_hash_table_insert(r->memo, (gpointer)pm, out);
		return out;
	}
	if (g_hash_table_contains(r->visiting, pm) || depth > r->max_depth) {
		char *f = full_ident(pm);
		char *msg = cg_strdup_printf(depth > r->max_depth ? "permission set \"%s\" nests too deeply"
								  : "permission set \"%s\" includes itself",
					     f ? f : pm->id);
		report(r, r->soft, depth > r->max_depth ? CG_ELIMIT : CG_ECYCLE, &pm->loc,
		       "a set may not include itself, directly or through other sets: remove one member of the loop",
		       msg ? msg : "permission set includes itself");
		free(msg);
		free(f);
		g_hash_table_add(r->failed, (gpointer)pm);
		g_ptr_array_free(out, TRUE);
		return NULL;
	}
	g_hash_table_add(r->visiting, (gpointer)pm);
	bool ok = true;
	for (size_t i = 0; i < pm->n_members; i++) {
		const char *m = pm->members[i];
		const cg_perm *mp = NULL;
		if (strchr(m, ':')) {
			mp = cg_policy_lookup(r->p->plugins, m, NULL);
		} else if (pm->owner) {
			mp = g_hash_table_lookup(pm->owner->perms, m);
		}
		if (!mp) {
			char *f = full_ident(pm);
			char *ctx = cg_strdup_printf(" (member of set \"%s\")", f ? f : pm->id);
			cg_loc l = pm->loc;
			char *mptr = cg_strdup_printf("%s/permissions/%zu", pm->loc.pointer ? pm->loc.pointer : "", i);
			l.pointer = mptr;
			unknown_ident(r, m, pm->owner, &l, ctx ? ctx : "");
			free(mptr);
			free(ctx);
			free(f);
			ok = false;
			continue;
		}
		GPtrArray *sub = expand(r, mp, depth + 1);
		if (!sub) {
			ok = false;
			continue;
		}
		for (guint j = 0; j < sub->len; j++)
			g_ptr_array_add(out, sub->pdata[j]);
	}
	g_hash_table_remove(r->visiting, pm);
	if (!ok) {
		g_hash_table_add(r->failed, (gpointer)pm);
		g_ptr_array_free(out, TRUE);
		return NULL;
	}
	g_hash_table_insert(r->memo, (gpointer)pm, out);
	return out;
}

/* ------------------------------------------------------------------ units */

static void append_all(json_object *dst, json_object *src)
{
	if (!src)
		return;
	for (size_t i = 0; i < json_object_array_length(src); i++)
		json_object_array_add(dst, json_object_get(json_object_array_get_idx(src, i)));
}

static json_object *nonempty(json_object *a)
{
	if (a && json_object_array_length(a) == 0) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

static int add_grant(resolver *r, const cg_plugin *pl, const char *cmd, const cg_grant *g)
{
	char *name = cg_command_name(pl->key, cmd);
	if (!name)
		return CG_ENOMEM;
	GArray *arr = g_hash_table_lookup(r->grants, name);
	if (!arr) {
		arr = g_array_new(FALSE, FALSE, sizeof(cg_grant));
		g_hash_table_insert(r->grants, name, arr);
		g_hash_table_insert(r->cmd_plugin, name, (gpointer)pl);
	} else {
		free(name);
	}
	cg_grant copy = *g;
	if (copy.scope_allow)
		json_object_get(copy.scope_allow);
	if (copy.scope_deny)
		json_object_get(copy.scope_deny);
	g_array_append_val(arr, copy);
	return 0;
}

/* Event scopes ({"event": "<glob>"}) on core:event commands are checked
 * here so that a bad glob is an error at load time, not a silent deny. */
static void check_event_scope(resolver *r, const cg_entry *e, json_object *scope)
{
	if (!scope)
		return;
	for (size_t i = 0; i < json_object_array_length(scope); i++) {
		json_object *v = json_object_array_get_idx(scope, i), *ev;
		if (!json_object_is_type(v, json_type_object) ||
		    !json_object_object_get_ex(v, "event", &ev))
			continue;
		size_t off = 0;
		const char *msg = "must be a string";
		if (json_object_is_type(ev, json_type_string) &&
		    cg_glob_validate(json_object_get_string(ev), &off, &msg) == 0)
			continue;
		cg_diag_add(r->d, CG_SEV_ERROR, CG_EPATTERN, e->loc.file, e->loc.line, e->loc.col,
			    e->loc.pointer, "event scopes look like {\"event\": \"file-*\"}",
			    "bad event pattern in the scope of \"%s\": %s", e->ident, msg);
		keep(r, CG_EPATTERN);
	}
}

static int resolve_entry(resolver *r, cg_cap *c, uint32_t ci, uint32_t ei)
{
	cg_entry *e = &c->entries[ei];
	const cg_plugin *pl = NULL;
	const cg_perm *pm = cg_policy_lookup(r->p->plugins, e->ident, &pl);
	if (!pm) {
		size_t plen = cg_ident_prefix_len(e->ident);
		if (pl && strcmp(e->ident + plen + 1, "default") == 0) {
			/* Tauri accepts "x:default" for a plugin with no default
			 * set and grants nothing; say so rather than refuse. */
			cg_diag_add(r->d, CG_SEV_WARNING, CG_EUNKNOWN, e->loc.file, e->loc.line,
				    e->loc.col, e->loc.pointer, "name the plugin's permissions you need instead",
				    "plugin \"%s\" has no default set: \"%s\" grants nothing", pl->key, e->ident);
			return 0;
		}
		r->soft_unknown = !c->enabled;
		unknown_ident(r, e->ident, NULL, &e->loc,
			      c->enabled ? "" : " (in a capability for other platforms: not resolved)");
		r->soft_unknown = false;
		return 0;
	}
	r->soft_unknown = !c->enabled;
	GPtrArray *leaves = expand(r, pm, 0);
	r->soft_unknown = false;
	if (!leaves || !c->enabled)
		return 0;
	json_object *allow = json_object_new_array();
	json_object *deny = json_object_new_array();
	if (!allow || !deny) {
		json_object_put(allow);
		json_object_put(deny);
		return CG_ENOMEM;
	}
	append_all(allow, e->allow);
	append_all(deny, e->deny);
	bool has_cmds = false;
	for (guint i = 0; i < leaves->len; i++) {
		const cg_perm *lp = leaves->pdata[i];
		if (lp->platforms && !(lp->platforms & r->p->cfg.platform))
			continue;
		append_all(allow, lp->scope_allow);
		append_all(deny, lp->scope_deny);
		has_cmds |= lp->n_cmd_allow || lp->n_cmd_deny;
	}
	allow = nonempty(allow);
	deny = nonempty(deny);
	int ret = 0;
	if (has_cmds) {
		for (guint i = 0; ret == 0 && i < leaves->len; i++) {
			const cg_perm *lp = leaves->pdata[i];
			if (lp->platforms && !(lp->platforms & r->p->cfg.platform))
				continue;
			cg_grant g = {ci, ei, false, lp, allow, deny};
			for (size_t k = 0; ret == 0 && k < lp->n_cmd_allow; k++)
				ret = add_grant(r, lp->owner, lp->cmd_allow[k], &g);
			g.deny = true;
			for (size_t k = 0; ret == 0 && k < lp->n_cmd_deny; k++)
				ret = add_grant(r, lp->owner, lp->cmd_deny[k], &g);
			if (lp->owner && strcmp(lp->owner->key, "core:event") == 0) {
				check_event_scope(r, e, allow);
				check_event_scope(r, e, deny);
			}
		}
	} else if (allow || deny) {
		cg_global_list *gl = g_hash_table_lookup(r->p->globals, pl->key);
		if (!gl) {
			gl = calloc(1, sizeof(*gl));
			if (!gl) {
				ret = CG_ENOMEM;
				goto out;
			}
			gl->plugin = pl;
			g_hash_table_insert(r->p->globals, pl->key, gl);
		}
		cg_global *nv = realloc(gl->v, (gl->n + 1) * sizeof(*nv));
		if (!nv) {
			ret = CG_ENOMEM;
			goto out;
		}
		gl->v = nv;
		nv[gl->n++] = (cg_global){ci, ei, allow ? json_object_get(allow) : NULL,
					  deny ? json_object_get(deny) : NULL};
	}
out:
	json_object_put(allow);
	json_object_put(deny);
	return ret;
}

/* --------------------------------------------------------------- commands */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int build_commands(resolver *r)
{
	cg_policy *p = r->p;
	/* Every declared command gets an id, granted or not, so that a denial
	 * can tell "not granted" from "no such command". */
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, p->plugins);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		cg_plugin *pl = v;
		GHashTableIter ci;
		gpointer cmd;
		g_hash_table_iter_init(&ci, pl->commands);
		while (g_hash_table_iter_next(&ci, &cmd, NULL)) {
			char *name = cg_command_name(pl->key, cmd);
			if (!name)
				return CG_ENOMEM;
			if (g_hash_table_contains(r->grants, name)) {
				free(name);
				continue;
			}
			g_hash_table_insert(r->grants, name, g_array_new(FALSE, FALSE, sizeof(cg_grant)));
			g_hash_table_insert(r->cmd_plugin, name, pl);
		}
	}
	size_t n = g_hash_table_size(r->grants);
	char **names = malloc((n ? n : 1) * sizeof(char *));
	p->cmds = calloc(n ? n : 1, sizeof(cg_cmd));
	if (!names || !p->cmds) {
		free(names);
		return CG_ENOMEM;
	}
	size_t i = 0;
	g_hash_table_iter_init(&it, r->grants);
	while (g_hash_table_iter_next(&it, &k, &v))
		names[i++] = k;
	qsort(names, n, sizeof(char *), cmp_str);
	for (i = 0; i < n; i++) {
		GArray *arr = g_hash_table_lookup(r->grants, names[i]);
		cg_cmd *c = &p->cmds[i];
		const cg_plugin *pl = g_hash_table_lookup(r->cmd_plugin, names[i]);
		c->name = strdup(names[i]);
		const char *bar = strchr(names[i], '|');
		c->plain = strdup(bar ? bar + 1 : names[i]);
		c->plugin = pl;
		c->grants = malloc((arr->len ? arr->len : 1) * sizeof(cg_grant));
		p->n_cmds = i + 1;
		if (!c->name || !c->plain || !c->grants) {
			free(names);
			return CG_ENOMEM;
		}
		/* Deny rules first: the check stops at the first match. */
		uint32_t w = 0;
		for (int pass = 0; pass < 2; pass++)
			for (guint j = 0; j < arr->len; j++) {
				cg_grant *g = &g_array_index(arr, cg_grant, j);
				if (g->deny == (pass == 0))
					c->grants[w++] = *g;
				if (g->deny && pass == 0)
					c->n_deny++;
			}
		c->n_grants = w;
		g_array_set_size(arr, 0); /* references moved to the policy */
		g_hash_table_insert(p->cmd_ids, c->name, GINT_TO_POINTER(i + 1));
	}
	free(names);
	return 0;
}

static void free_grant_array(gpointer a)
{
	GArray *arr = a;
	for (guint j = 0; j < arr->len; j++) {
		cg_grant *g = &g_array_index(arr, cg_grant, j);
		json_object_put(g->scope_allow);
		json_object_put(g->scope_deny);
	}
	g_array_free(arr, TRUE);
}

static void free_global_list(gpointer v)
{
	cg_global_list *gl = v;
	for (size_t i = 0; i < gl->n; i++) {
		json_object_put(gl->v[i].scope_allow);
		json_object_put(gl->v[i].scope_deny);
	}
	free(gl->v);
	free(gl);
}

typedef struct perm_entry {
	char *id;
	const char *desc;
} perm_entry;

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const perm_entry *)a)->id, ((const perm_entry *)b)->id);
}

/* The sorted list of every permission and set, for cg_policy_permission_*. */
static int list_permissions(cg_policy *p)
{
	size_t n = 0;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, p->plugins);
	while (g_hash_table_iter_next(&it, &k, &v))
		n += ((cg_plugin *)v)->order->len;
	perm_entry *e = calloc(n ? n : 1, sizeof(*e));
	if (!e)
		return CG_ENOMEM;
	size_t i = 0;
	g_hash_table_iter_init(&it, p->plugins);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		cg_plugin *pl = v;
		for (guint j = 0; j < pl->order->len; j++) {
			const cg_perm *pm = pl->order->pdata[j];
			e[i].id = full_ident(pm);
			e[i].desc = pm->description ? pm->description : "";
			if (!e[i++].id) {
				for (size_t x = 0; x < i; x++)
					free(e[x].id);
				free(e);
				return CG_ENOMEM;
			}
		}
	}
	qsort(e, n, sizeof(*e), cmp_entry);
	p->perm_ids = calloc(n ? n : 1, sizeof(char *));
	p->perm_desc = calloc(n ? n : 1, sizeof(char *));
	if (!p->perm_ids || !p->perm_desc) {
		for (size_t x = 0; x < n; x++)
			free(e[x].id);
		free(e);
		return CG_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		p->perm_ids[i] = e[i].id;
		p->perm_desc[i] = e[i].desc;
	}
	p->n_perms = n;
	free(e);
	return 0;
}

int cg_resolve(cg_policy *p, cg_store *st, cg_diag *d)
{
	/* Take the store's content. */
	p->plugins = st->plugins;
	st->plugins = NULL;
	p->strings = st->strings;
	st->strings = NULL;
	p->n_caps = st->caps->len;
	p->caps = calloc(p->n_caps ? p->n_caps : 1, sizeof(cg_cap));
	p->cmd_ids = g_hash_table_new(g_str_hash, g_str_equal);
	p->globals = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, free_global_list);
	p->subject_cache = g_hash_table_new_full(g_str_hash, g_str_equal, free,
						 (GDestroyNotify)cg_subject_free);
	if (!p->caps)
		return CG_ENOMEM;
	for (guint i = 0; i < st->caps->len; i++) {
		/* Move each capability's fields; the store keeps empty shells. */
		cg_cap *c = st->caps->pdata[i];
		p->caps[i] = *c;
		memset(c, 0, sizeof(*c));
		p->caps[i].enabled = !p->caps[i].has_platforms ||
				     (p->caps[i].platforms & p->cfg.platform);
	}
	p->words = (p->n_caps + 63) / 64;

	int ret = generate_permissions(p);
	if (ret < 0)
		return ret;
	resolver r = {
		.p = p, .d = d,
		.memo = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					      (GDestroyNotify)g_ptr_array_unref),
		.visiting = g_hash_table_new(g_direct_hash, g_direct_equal),
		.failed = g_hash_table_new(g_direct_hash, g_direct_equal),
		.grants = g_hash_table_new_full(g_str_hash, g_str_equal, free, free_grant_array),
		.cmd_plugin = g_hash_table_new(g_str_hash, g_str_equal),
		.max_depth = p->cfg.limits[CG_LIMIT_SET_DEPTH],
	};
	/* Capabilities for this platform first, so that a broken set they use
	 * is reported as an error before any softer mention of it. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t ci = 0; ret == 0 && ci < p->n_caps; ci++)
			for (size_t ei = 0; ret == 0 && p->caps[ci].enabled == !pass &&
					    ei < p->caps[ci].n_entries; ei++)
				ret = resolve_entry(&r, &p->caps[ci], (uint32_t)ci, (uint32_t)ei);
	/* Sets no capability uses are checked too, but a broken one is only a
	 * warning: plugins ship such sets (positioner 2.0's default names a
	 * permission that does not exist) and Tauri loads them. */
	r.soft = true;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, p->plugins);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		cg_plugin *pl = v;
		for (guint i = 0; i < pl->order->len; i++)
			expand(&r, pl->order->pdata[i], 0);
	}
	r.soft = false;
	if (ret == 0 && r.err == 0)
		ret = build_commands(&r);
	if (ret == 0)
		ret = r.err;
	if (ret == 0)
		ret = list_permissions(p);
	static const char *const ev[3] = {"plugin:event|listen", "plugin:event|emit",
					  "plugin:event|emit_to"};
	for (int i = 0; i < 3; i++) {
		gpointer id = g_hash_table_lookup(p->cmd_ids, ev[i]);
		p->event_cmd[i] = id ? GPOINTER_TO_INT(id) - 1 : -1;
	}
	g_hash_table_destroy(r.cmd_plugin);
	g_hash_table_destroy(r.grants);
	g_hash_table_destroy(r.visiting);
	g_hash_table_destroy(r.failed);
	g_hash_table_destroy(r.memo);
	return ret;
}
