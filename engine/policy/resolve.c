/*
 * Resolution: manifests and capabilities become the compiled policy.
 *
 * Each entry of a capability's "permissions" resolves as one unit per
 * plugin its permissions belong to (within a plugin, the rule of
 * tauri-apps/tauri#8731, which ../shared/conformance/tauri-acl follows):
 * the commands of that plugin's permissions active on this platform (a
 * set's members together, each once) and one scope made of the entry's
 * inline allow/deny plus every such permission's scope. A unit with
 * commands grants (or denies) them with that scope to the capability's
 * callers; a unit of scope-only permissions adds its scope to the plugin's
 * global scope, for that capability's callers only; a unit with no active
 * permission adds nothing. One plugin's scope never reaches another's.
 *
 * The work is linear in the size of the manifests whatever the shape of
 * their set graph: each set is checked once (cg_perm keeps how far), and
 * an entry's walk visits each set and permission below it once. Only what
 * a capability for this platform names is walked in full, and the total is
 * bounded by CG_LIMIT_EXPANSION, which ends in a located error.
 */
#include "policy/model.h"
#include "base/strhash.h"
#include "base/glob.h"
#include "base/ident.h"
#include "base/jsonval.h"
#include "base/text.h"

#include <stdlib.h>
#include <string.h>

/* How far a set has been checked (cg_perm.rstate). */
enum { RS_UNCHECKED = 0, RS_OPEN, RS_SOUND, RS_BROKEN };

/* One set being walked: its next member. */
typedef struct frame {
	cg_perm *pm;
	size_t next;
	uint32_t height;       /* the highest member's height so far */
	bool ok;
} frame;

/* The grants of one command, as they are made. */
typedef struct cmd_acc {
	char *name;
	const cg_plugin *pl;
	cg_grant *v;
	size_t n, cap;
} cmd_acc;

typedef struct resolver {
	cg_policy *p;
	cg_diag *d;
	GHashTable *cmds;      /* command name -> cmd_acc* (owned) */
	int err;
	size_t max_depth;
	bool soft;             /* problems are warnings (disabled capability, unused set) */
	/* Sets are walked with a stack of their own, not the C stack: the
	 * nesting limit is the user's to raise. */
	frame *stack;
	size_t depth, stack_cap;
	/* The permissions one entry reaches, each once. */
	const cg_perm **leaves;
	size_t n_leaves, leaves_cap;
	uint32_t walk;
	/* Work done expanding entries (members visited, grants made, scope
	 * values gathered) against CG_LIMIT_EXPANSION: sets let a small file
	 * name a great deal, so the total is bounded, not just each file. */
	size_t work, max_work;
} resolver;

static void keep(resolver *r, int e)
{
	if (e < 0 && !r->err)
		r->err = e;
}

bool cg_perm_unreachable(const cg_perm *pm)
{
	return pm->kind != CG_PERM_DEFAULT && strcmp(pm->id, "default") == 0;
}

const cg_perm *cg_plugin_lookup(const cg_plugin *pl, const char *base)
{
	if (!pl)
		return NULL;
	if (strcmp(base, "default") == 0)
		return pl->def;
	return g_hash_table_lookup(pl->perms, base);
}

const cg_perm *cg_policy_lookup(GHashTable *plugins, const char *ident, const cg_plugin **plp)
{
	size_t pl_len = cg_ident_prefix_len(ident);
	char key[CG_IDENT_MAX + 1];
	if (plp)
		*plp = NULL;
	if (strlen(ident) > CG_IDENT_MAX)
		return NULL;
	memcpy(key, ident, pl_len);
	key[pl_len] = 0;
	const char *base = pl_len ? ident + pl_len + 1 : ident;
	const cg_plugin *pl = g_hash_table_lookup(plugins, key);
	if (plp)
		*plp = pl;
	return cg_plugin_lookup(pl, base);
}

/* Is ident (a full identifier, or a set member) "default" or "x:default"? */
static bool names_default(const char *ident)
{
	size_t plen = cg_ident_prefix_len(ident);
	return strcmp(plen ? ident + plen + 1 : ident, "default") == 0;
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
			if (cg_perm_unreachable(pl->order->pdata[i]))
				continue;
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

static void report(resolver *r, int code, const cg_loc *loc, const char *hint, const char *msg)
{
	cg_diag_add(r->d, r->soft ? CG_SEV_WARNING : CG_SEV_ERROR, code, loc->file, loc->line,
		    loc->col, loc->pointer, hint, "%s", msg);
	if (!r->soft)
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
		guint shown = 0;
		for (guint i = 0; i < pl->order->len && shown < 5; i++) {
			const cg_perm *pm = pl->order->pdata[i];
			if (cg_perm_unreachable(pm))
				continue;
			g_string_append_printf(gs, "%s\"%s%s%s\"", shown++ ? ", " : "", pl->key,
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
	report(r, CG_EUNKNOWN, loc, hint, msg ? msg : "unknown permission");
	free(msg);
	free(hint);
}

/* What member m of set pm names, as Tauri reads it: "x:y" is y of plugin
 * x; a member without a prefix is one of the set's own plugin; "default"
 * (or "x:default") is that plugin's default set. *out is NULL when the
 * member names a default set that does not exist, which grants nothing
 * (Tauri: unwrap_or_default). False when it names nothing known. */
static bool member_target(const resolver *r, const cg_perm *pm, const char *m,
			  const cg_perm **out, const cg_plugin **plp)
{
	const cg_plugin *pl = NULL;
	if (strchr(m, ':'))
		*out = cg_policy_lookup(r->p->plugins, m, &pl);
	else
		*out = cg_plugin_lookup(pl = pm->owner, m);
	if (plp)
		*plp = pl;
	return *out || (pl && names_default(m));
}

static int push_frame(resolver *r, cg_perm *pm)
{
	if (r->depth == r->stack_cap) {
		size_t cap = r->stack_cap ? r->stack_cap * 2 : 16;
		frame *ns = realloc(r->stack, cap * sizeof(*ns));
		if (!ns)
			return CG_ENOMEM;
		r->stack = ns;
		r->stack_cap = cap;
	}
	r->stack[r->depth++] = (frame){pm, 0, 0, true};
	return 0;
}

static void member_problem(resolver *r, const cg_perm *pm, size_t i, const char *ident,
			   const cg_plugin *pl, bool missing_default)
{
	char *f = full_ident(pm);
	cg_loc l = pm->loc;
	char *mptr = cg_strdup_printf("%s/permissions/%zu", pm->loc.pointer ? pm->loc.pointer : "", i);
	l.pointer = mptr;
	if (missing_default) {
		/* Loads, as in Tauri, but say it: the set's author meant
		 * something by it. */
		cg_diag_add(r->d, CG_SEV_WARNING, CG_EUNKNOWN, l.file, l.line, l.col, l.pointer,
			    "name the plugin's permissions the set needs instead",
			    "\"%s\" in set \"%s\" grants nothing: %s%s%s has no default set", ident,
			    f ? f : pm->id, *pl->key ? "plugin \"" : "the app", pl->key, *pl->key ? "\"" : "");
	} else {
		char *ctx = cg_strdup_printf(" (member of set \"%s\")", f ? f : pm->id);
		unknown_ident(r, ident, pm->owner, &l, ctx ? ctx : "");
		free(ctx);
	}
	free(mptr);
	free(f);
}

static void set_problem(resolver *r, cg_perm *pm, bool cycle, uint32_t height)
{
	if (pm->rreported)
		return;
	pm->rreported = true;
	char *f = full_ident(pm);
	char *msg = cycle ? cg_strdup_printf("permission set \"%s\" includes itself", f ? f : pm->id)
			  : cg_strdup_printf("permission set \"%s\" nests too deeply: %u levels of sets inside it, more than the limit of %zu",
					     f ? f : pm->id, height - 1, r->max_depth);
	report(r, cycle ? CG_ECYCLE : CG_ELIMIT, &pm->loc,
	       cycle ? "a set may not include itself, directly or through other sets: remove one member of the loop"
		     : "name the permissions of the inner sets directly, or raise the limit with cg_builder_set_limit(CG_LIMIT_SET_DEPTH)",
	       msg ? msg : "permission set is broken");
	free(msg);
	free(f);
}

/*
 * Checks set root and every set below it, each set once over the whole
 * resolution: that its members exist, that no set includes itself and that
 * sets nest no deeper than the limit. Each problem is reported once, where
 * it is written, as an error (or a warning with r->soft); a set is broken
 * when it or a set below it has one. Linear in the size of the manifests.
 */
static int check_sets(resolver *r, cg_perm *root)
{
	if (root->kind == CG_PERM_PERMISSION || root->rstate != RS_UNCHECKED)
		return 0;
	int ret = push_frame(r, root);
	if (ret == 0)
		root->rstate = RS_OPEN;
	while (ret == 0 && r->depth) {
		frame *f = &r->stack[r->depth - 1];
		cg_perm *pm = f->pm;
		if (f->next == pm->n_members) {
			uint32_t h = f->height + 1;
			bool ok = f->ok;
			if (ok && h - 1 > r->max_depth) {
				set_problem(r, pm, false, h);
				ok = false;
			}
			pm->rheight = h;
			pm->rstate = ok ? RS_SOUND : RS_BROKEN;
			if (--r->depth) {
				frame *up = &r->stack[r->depth - 1];
				up->ok &= ok;
				if (h > up->height)
					up->height = h;
			}
			continue;
		}
		size_t i = f->next++;
		const char *m = pm->members[i];
		const cg_perm *t;
		const cg_plugin *tpl;
		if (!member_target(r, pm, m, &t, &tpl)) {
			member_problem(r, pm, i, m, tpl, false);
			f->ok = false;
			continue;
		}
		if (!t) {
			member_problem(r, pm, i, m, tpl, true);
			continue;
		}
		if (t->kind == CG_PERM_PERMISSION)
			continue;
		cg_perm *ts = (cg_perm *)t;
		switch (ts->rstate) {
		case RS_UNCHECKED:
			if ((ret = push_frame(r, ts)) == 0) /* f may move */
				ts->rstate = RS_OPEN;
			break;
		case RS_OPEN:
			set_problem(r, ts, true, 0);
			f->ok = false;
			break;
		case RS_SOUND:
			if (ts->rheight > f->height)
				f->height = ts->rheight;
			break;
		default:
			f->ok = false;
			break;
		}
	}
	if (ret < 0) {
		/* Leave nothing half-checked behind. */
		for (size_t k = 0; k < r->depth; k++)
			r->stack[k].pm->rstate = RS_BROKEN;
		r->depth = 0;
	}
	return ret;
}

static bool spend(resolver *r, size_t n)
{
	if (r->max_work - r->work < n) {
		r->work = r->max_work;
		return false;
	}
	r->work += n;
	return true;
}

static int add_leaf(resolver *r, const cg_perm *pm)
{
	if (r->n_leaves == r->leaves_cap) {
		size_t cap = r->leaves_cap ? r->leaves_cap * 2 : 32;
		const cg_perm **nv = realloc(r->leaves, cap * sizeof(*nv));
		if (!nv)
			return CG_ENOMEM;
		r->leaves = nv;
		r->leaves_cap = cap;
	}
	r->leaves[r->n_leaves++] = pm;
	return 0;
}

/* The permissions a sound set (or a permission) reaches, each once, in
 * the order a depth-first walk meets them, into r->leaves. Every set below
 * a sound set is sound: the walk meets no cycle and no unknown member.
 * CG_ELIMIT when it goes over the work limit. */
static int walk_leaves(resolver *r, cg_perm *root)
{
	r->n_leaves = 0;
	if (++r->walk == 0) {
		/* 2^32 walks: start the marks again. */
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, r->p->plugins);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			cg_plugin *pl = v;
			for (guint i = 0; i < pl->order->len; i++)
				((cg_perm *)pl->order->pdata[i])->rwalk = 0;
		}
		r->walk = 1;
	}
	root->rwalk = r->walk;
	if (root->kind == CG_PERM_PERMISSION)
		return add_leaf(r, root);
	int ret = push_frame(r, root);
	while (ret == 0 && r->depth) {
		frame *f = &r->stack[r->depth - 1];
		if (f->next == f->pm->n_members) {
			r->depth--;
			continue;
		}
		const cg_perm *t;
		member_target(r, f->pm, f->pm->members[f->next++], &t, NULL);
		if (!spend(r, 1)) {
			ret = CG_ELIMIT;
			break;
		}
		if (!t || t->rwalk == r->walk)
			continue;
		cg_perm *tp = (cg_perm *)t;
		tp->rwalk = r->walk;
		if (tp->kind == CG_PERM_PERMISSION) {
			ret = add_leaf(r, tp);
		} else {
			ret = push_frame(r, tp);
		}
	}
	r->depth = 0;
	return ret;
}

/* ------------------------------------------------------------------ units */

/* Appends src's values to dst; a value that could not be added is not
 * silently dropped: CG_ENOMEM. */
static int append_all(resolver *r, json_object *dst, json_object *src)
{
	size_t n = src ? json_object_array_length(src) : 0;
	if (!n)
		return 0;
	if (!spend(r, n))
		return CG_ELIMIT;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(src, i);
		if (json_object_array_add(dst, json_object_get(v)) < 0) {
			json_object_put(v);
			return CG_ENOMEM;
		}
	}
	return 0;
}

static json_object *nonempty(json_object *a)
{
	if (a && json_object_array_length(a) == 0) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

static void free_cmd_acc(gpointer v)
{
	cmd_acc *a = v;
	for (size_t j = 0; j < a->n; j++) {
		json_object_put(a->v[j].scope_allow);
		json_object_put(a->v[j].scope_deny);
	}
	free(a->v);
	free(a->name);
	free(a);
}

/* The accumulator of command name (taken over), made if need be. */
static cmd_acc *cmd_get(resolver *r, char *name, const cg_plugin *pl)
{
	cmd_acc *a = g_hash_table_lookup(r->cmds, name);
	if (a) {
		free(name);
		return a;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		free(name);
		return NULL;
	}
	a->name = name;
	a->pl = pl;
	g_hash_table_insert(r->cmds, a->name, a);
	return a;
}

static int add_grant(resolver *r, const cg_plugin *pl, const char *cmd, const cg_grant *g)
{
	char *name = cg_command_name(pl->key, cmd);
	cmd_acc *a = name ? cmd_get(r, name, pl) : NULL;
	if (!a)
		return CG_ENOMEM;
	if (!spend(r, 1))
		return CG_ELIMIT;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4;
		cg_grant *nv = realloc(a->v, cap * sizeof(*nv));
		if (!nv)
			return CG_ENOMEM;
		a->v = nv;
		a->cap = cap;
	}
	cg_grant copy = *g;
	if (copy.scope_allow)
		json_object_get(copy.scope_allow);
	if (copy.scope_deny)
		json_object_get(copy.scope_deny);
	a->v[a->n++] = copy;
	return 0;
}

static int add_global(resolver *r, const cg_plugin *pl, uint32_t ci, uint32_t ei,
		      json_object *allow, json_object *deny)
{
	cg_global_list *gl = g_hash_table_lookup(r->p->globals, pl->key);
	if (!gl) {
		gl = calloc(1, sizeof(*gl));
		if (!gl)
			return CG_ENOMEM;
		gl->plugin = pl;
		g_hash_table_insert(r->p->globals, pl->key, gl);
	}
	if (gl->n == gl->cap) {
		size_t cap = gl->cap ? gl->cap * 2 : 4;
		cg_global *nv = realloc(gl->v, cap * sizeof(*nv));
		if (!nv)
			return CG_ENOMEM;
		gl->v = nv;
		gl->cap = cap;
	}
	gl->v[gl->n++] = (cg_global){ci, ei, allow ? json_object_get(allow) : NULL,
				     deny ? json_object_get(deny) : NULL};
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

static bool active(const resolver *r, const cg_perm *lp)
{
	return !lp->platforms || (lp->platforms & r->p->cfg.platform);
}

static int over_limit(resolver *r, const cg_cap *c, const cg_entry *e)
{
	cg_diag_add(r->d, CG_SEV_ERROR, CG_ELIMIT, e->loc.file, e->loc.line, e->loc.col, e->loc.pointer,
		    "the sets it names reach more than a policy may hold; if that is meant, raise the limit with cg_builder_set_limit(CG_LIMIT_EXPANSION)",
		    "resolving \"%s\" in capability \"%s\" goes over the limit of %zu permissions, grants and scope values made from sets (CG_LIMIT_EXPANSION)",
		    e->ident, c->id, r->max_work);
	keep(r, CG_ELIMIT);
	return CG_ELIMIT;
}

/*
 * One plugin's part of an entry as one unit: its active permissions (a
 * set's members, each once) bring their commands and scopes; with the
 * entry's inline scope that makes one scope. A unit with commands grants
 * (or denies) them with it. A unit of active permissions without commands
 * (scope-only ones) adds it to the plugin's global scope. A unit with no
 * active permission at all (one for another platform, an empty set, a set
 * whose members are all for other platforms) contributes nothing: its
 * inline scope belongs to permissions that are not there, as in Tauri,
 * which drops inactive permissions before it merges an entry's scope.
 */
static int resolve_unit(resolver *r, cg_cap *c, uint32_t ci, uint32_t ei,
			const cg_perm *const *lv, size_t n)
{
	cg_entry *e = &c->entries[ei];
	json_object *allow = json_object_new_array();
	json_object *deny = json_object_new_array();
	if (!allow || !deny) {
		json_object_put(allow);
		json_object_put(deny);
		return CG_ENOMEM;
	}
	int ret = 0;
	bool has_cmds = false;
	size_t n_active = 0;
	for (size_t i = 0; i < n; i++)
		if (active(r, lv[i])) {
			n_active++;
			has_cmds |= lv[i]->n_cmd_allow || lv[i]->n_cmd_deny;
		}
	if (n_active) {
		ret = append_all(r, allow, e->allow);
		if (ret == 0)
			ret = append_all(r, deny, e->deny);
	}
	for (size_t i = 0; ret == 0 && i < n; i++) {
		const cg_perm *lp = lv[i];
		if (!active(r, lp))
			continue;
		ret = append_all(r, allow, lp->scope_allow);
		if (ret == 0)
			ret = append_all(r, deny, lp->scope_deny);
	}
	allow = nonempty(allow);
	deny = nonempty(deny);
	const cg_plugin *pl = lv[0]->owner;
	if (ret < 0 || !n_active) {
		/* nothing is active here: nothing to grant, no global scope */
	} else if (has_cmds) {
		for (size_t i = 0; ret == 0 && i < n; i++) {
			const cg_perm *lp = lv[i];
			if (!active(r, lp))
				continue;
			cg_grant g = {ci, ei, false, lp, allow, deny};
			for (size_t k = 0; ret == 0 && k < lp->n_cmd_allow; k++)
				ret = add_grant(r, pl, lp->cmd_allow[k], &g);
			g.deny = true;
			for (size_t k = 0; ret == 0 && k < lp->n_cmd_deny; k++)
				ret = add_grant(r, pl, lp->cmd_deny[k], &g);
		}
		if (ret == 0 && strcmp(pl->key, "core:event") == 0) {
			check_event_scope(r, e, allow);
			check_event_scope(r, e, deny);
		}
	} else if (allow || deny) {
		ret = add_global(r, pl, ci, ei, allow, deny);
	}
	json_object_put(allow);
	json_object_put(deny);
	return ret;
}

typedef struct leaf_at {
	const cg_perm *pm;
	size_t at;  /* where the walk met it */
} leaf_at;

static int cmp_leaf_owner(const void *a, const void *b)
{
	const leaf_at *x = a, *y = b;
	uintptr_t ox = (uintptr_t)x->pm->owner, oy = (uintptr_t)y->pm->owner;
	if (ox != oy)
		return ox < oy ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * One entry: a unit per plugin its permissions belong to. A set may name
 * other plugins' permissions ("dialog:default" may include "fs:default");
 * a permission's scope is for its own plugin's commands (or global scope)
 * only, as Tauri, which resolves each permission with its own scope, files
 * it: a scope-only permission of plugin A in a set with B's commands never
 * becomes a scope of B's commands, nor of B's global scope. The entry's
 * inline scope goes to every unit, as Tauri merges it into every
 * permission the entry names. Within one plugin the unit is the rule of
 * tauri-apps/tauri#8731 (the conformance data's).
 */
static int resolve_entry(resolver *r, cg_cap *c, uint32_t ci, uint32_t ei)
{
	cg_entry *e = &c->entries[ei];
	const cg_plugin *pl = NULL;
	const cg_perm *pm = cg_policy_lookup(r->p->plugins, e->ident, &pl);
	r->soft = !c->enabled;
	if (!pm) {
		if (pl && names_default(e->ident)) {
			/* Tauri accepts "x:default" for a plugin with no default
			 * set and grants nothing; say so rather than refuse. */
			cg_diag_add(r->d, CG_SEV_WARNING, CG_EUNKNOWN, e->loc.file, e->loc.line,
				    e->loc.col, e->loc.pointer, "name the plugin's permissions you need instead",
				    "%s%s%s has no default set: \"%s\" grants nothing", *pl->key ? "plugin \"" : "the app",
				    pl->key, *pl->key ? "\"" : "", e->ident);
			return 0;
		}
		unknown_ident(r, e->ident, NULL, &e->loc,
			      c->enabled ? "" : " (in a capability for other platforms: not resolved)");
		return 0;
	}
	/* A capability for another platform is checked, softly, not resolved. */
	int ret = check_sets(r, (cg_perm *)pm);
	if (ret < 0 || !c->enabled || (pm->kind != CG_PERM_PERMISSION && pm->rstate != RS_SOUND))
		return ret;
	if ((ret = walk_leaves(r, (cg_perm *)pm)) < 0)
		return ret == CG_ELIMIT ? over_limit(r, c, e) : ret;
	size_t n = r->n_leaves;
	bool one_plugin = true;
	for (size_t i = 1; one_plugin && i < n; i++)
		one_plugin = r->leaves[i]->owner == r->leaves[0]->owner;
	if (one_plugin) {
		ret = n ? resolve_unit(r, c, ci, ei, r->leaves, n) : 0;
		return ret == CG_ELIMIT ? over_limit(r, c, e) : ret;
	}
	/* Group the leaves by plugin, each group in the walk's order. */
	leaf_at *v = malloc(n * sizeof(*v));
	const cg_perm **g = malloc(n * sizeof(*g));
	if (!v || !g) {
		free(v);
		free(g);
		return CG_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (leaf_at){r->leaves[i], i};
	qsort(v, n, sizeof(*v), cmp_leaf_owner);
	for (size_t i = 0; i < n; i++)
		g[i] = v[i].pm;
	for (size_t i = 0, j; ret == 0 && i < n; i = j) {
		for (j = i + 1; j < n && g[j]->owner == g[i]->owner; j++)
			;
		ret = resolve_unit(r, c, ci, ei, g + i, j - i);
	}
	free(v);
	free(g);
	return ret == CG_ELIMIT ? over_limit(r, c, e) : ret;
}

/* --------------------------------------------------------------- commands */

static int cmp_acc(const void *a, const void *b)
{
	return strcmp((*(cmd_acc *const *)a)->name, (*(cmd_acc *const *)b)->name);
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
			if (!name || !cmd_get(r, name, pl))
				return CG_ENOMEM;
		}
	}
	size_t n = g_hash_table_size(r->cmds);
	cmd_acc **accs = malloc((n ? n : 1) * sizeof(*accs));
	p->cmds = calloc(n ? n : 1, sizeof(cg_cmd));
	if (!accs || !p->cmds) {
		free(accs);
		return CG_ENOMEM;
	}
	size_t i = 0;
	g_hash_table_iter_init(&it, r->cmds);
	while (g_hash_table_iter_next(&it, &k, &v))
		accs[i++] = v;
	qsort(accs, n, sizeof(*accs), cmp_acc);
	for (i = 0; i < n; i++) {
		cmd_acc *a = accs[i];
		cg_cmd *c = &p->cmds[i];
		c->name = strdup(a->name);
		const char *bar = strchr(a->name, '|');
		c->plain = strdup(bar ? bar + 1 : a->name);
		c->plugin = a->pl;
		c->grants = malloc((a->n ? a->n : 1) * sizeof(cg_grant));
		p->n_cmds = i + 1;
		if (!c->name || !c->plain || !c->grants) {
			free(accs);
			return CG_ENOMEM;
		}
		/* Deny rules first: the check stops at the first match. */
		uint32_t w = 0;
		for (int pass = 0; pass < 2; pass++)
			for (size_t j = 0; j < a->n; j++) {
				cg_grant *g = &a->v[j];
				if (g->deny == (pass == 0))
					c->grants[w++] = *g;
				if (g->deny && pass == 0)
					c->n_deny++;
			}
		c->n_grants = w;
		a->n = 0; /* references moved to the policy */
		g_hash_table_insert(p->cmd_ids, c->name, GINT_TO_POINTER(i + 1));
	}
	free(accs);
	return 0;
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

/* The sorted list of every permission and set an identifier can name, for
 * cg_policy_permission_*. */
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
			if (cg_perm_unreachable(pm))
				continue;
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
	n = i;
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
	p->cmd_ids = cg_str_table_new(NULL, NULL);
	p->globals = cg_str_table_new(NULL, free_global_list);
	p->subject_cache = cg_str_table_new(free,
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
		.cmds = cg_str_table_new(NULL, free_cmd_acc),
		.max_depth = p->cfg.limits[CG_LIMIT_SET_DEPTH],
		.max_work = p->cfg.limits[CG_LIMIT_EXPANSION],
	};
	/* Capabilities for this platform first, so that a broken set they use
	 * is reported as an error before any softer mention of it; what only
	 * capabilities for other platforms reach is a warning. */
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
	while (ret == 0 && g_hash_table_iter_next(&it, &k, &v)) {
		cg_plugin *pl = v;
		for (guint i = 0; ret == 0 && i < pl->order->len; i++)
			ret = check_sets(&r, pl->order->pdata[i]);
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
	g_hash_table_destroy(r.cmds);
	free(r.stack);
	free(r.leaves);
	return ret;
}
