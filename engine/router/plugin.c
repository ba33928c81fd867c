/*
 * Plugins on the router: enabling a described plugin (its state, its
 * commands, its manifest and init script), and the cache of its compiled
 * scopes.
 *
 * A scope is compiled once per (policy generation, command, subject): the
 * subject stands for one caller under one policy (the webview's, remade
 * when the policy changes), so two calls from one page to one command
 * share a matcher, and what another window is granted never leaks into
 * it. Installing a policy empties the cache; a call judged under an older
 * policy still gets a scope compiled from its own decision, but it is not
 * cached (it would never be asked for again). Compiling happens under the
 * cache's lock, so a scope is compiled exactly once even when workers ask
 * for it together; that costs a wait only on the first calls after a
 * policy swap.
 */
#include "router/router.h"
#include "base/ident.h"

#include <stdlib.h>
#include <string.h>

typedef struct scope_key {
	unsigned gen;
	const cg_reg *reg;
	cg_subject *subject;     /* ref, held by the cache */
} scope_key;

static guint key_hash(gconstpointer p)
{
	const scope_key *k = p;
	return g_direct_hash(k->reg) * 31u + g_direct_hash(k->subject) + k->gen;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	const scope_key *x = a, *y = b;
	return x->gen == y->gen && x->reg == y->reg && x->subject == y->subject;
}

static void key_free(gpointer p)
{
	scope_key *k = p;
	cg_subject_free(k->subject);
	free(k);
}

void cg_pscope_unref(cg_pscope *ps)
{
	if (!ps || __atomic_sub_fetch(&ps->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (ps->free_fn)
		ps->free_fn(ps->obj);
	free(ps);
}

static void pscope_drop(gpointer p)
{
	cg_pscope_unref(p);
}

static void rec_free(gpointer p)
{
	cg_plugin_rec *rec = p;
	if (rec->p->free_state)
		rec->p->free_state(rec->state);
	free(rec);
}

void cg_plugins_init(cg_router *r)
{
	r->plugins = g_ptr_array_new_with_free_func(rec_free);
	pthread_mutex_init(&r->scope_lock, NULL);
	r->scopes = g_hash_table_new_full(key_hash, key_equal, key_free, pscope_drop);
}

void cg_plugins_free(cg_router *r)
{
	if (!r->plugins)
		return;
	/* Scopes first: their free functions may use the plugin's state. */
	g_hash_table_destroy(r->scopes);
	g_ptr_array_free(r->plugins, TRUE);
	pthread_mutex_destroy(&r->scope_lock);
	r->plugins = NULL;
}

void cg_plugins_policy_changed(cg_router *r)
{
	pthread_mutex_lock(&r->scope_lock);
	g_hash_table_remove_all(r->scopes);
	r->scope_gen = r->gen;
	pthread_mutex_unlock(&r->scope_lock);
}

static gboolean of_subject(gpointer key, gpointer value, gpointer user)
{
	return ((scope_key *)key)->subject == user;
}

void cg_plugins_forget_webview(cg_router *r, cg_webview *wv)
{
	if (!r->plugins)
		return;
	pthread_mutex_lock(&r->scope_lock);
	/* A call judged before this may still be on its way to a worker: the
	 * new epoch keeps it from caching a scope under the old subject,
	 * which nothing would ask for or remove again (attack19). */
	wv->scope_epoch++;
	if (wv->subject)
		g_hash_table_foreach_remove(r->scopes, of_subject, wv->subject);
	pthread_mutex_unlock(&r->scope_lock);
}

static bool descriptor_ok(const cg_plugin_def *p)
{
	const char *why;
	if (!p || p->version != CG_PLUGIN_VERSION || !p->name || !*p->name ||
	    cg_plugin_key_validate(p->name, &why) < 0 ||
	    (p->n_commands && !p->commands) || (p->compile_scope && !p->free_scope))
		return false;
	for (size_t i = 0; i < p->n_commands; i++)
		if (!p->commands[i].name || !p->commands[i].fn)
			return false;
	return true;
}

CG_EXPORT int cg_router_enable_plugin(cg_router *r, const cg_plugin_def *p, const cg_plugin_env *env,
				      json_object *config)
{
	if (!r || !descriptor_ok(p))
		return CG_EINVAL;
	for (guint i = 0; i < r->plugins->len; i++)
		if (!strcmp(((cg_plugin_rec *)r->plugins->pdata[i])->p->name, p->name))
			return CG_EDUPLICATE;
	/* Every command must be free before anything is registered. */
	for (size_t i = 0; i < p->n_commands; i++) {
		char *name = cg_command_name(p->name, p->commands[i].name);
		if (!name)
			return CG_ENOMEM;
		bool taken = g_hash_table_contains(r->regs, name);
		free(name);
		if (taken)
			return CG_EDUPLICATE;
	}
	cg_plugin_rec *rec = calloc(1, sizeof(*rec));
	if (!rec)
		return CG_ENOMEM;
	rec->p = p;
	static const cg_plugin_env none = {0};
	if (p->init) {
		char *why = NULL;
		int rc = p->init(env ? env : &none, config, &rec->state, &why);
		if (rc < 0) {
			cg_router_log(r, "plugin %s: %s", p->name, why ? why : cg_strerror(rc));
			free(why);
			free(rec);
			return rc;
		}
		free(why);
	}
	for (size_t i = 0; i < p->n_commands; i++) {
		cg_reg *g = NULL;
		int rc = cg_router_register_reg(r, p->name, p->commands[i].name, p->commands[i].fn,
						rec->state, p->commands[i].mode, &g);
		if (rc < 0) {
			/* Undo: no half-enabled plugin. */
			for (size_t j = 0; j < i; j++) {
				char *name = cg_command_name(p->name, p->commands[j].name);
				if (name)
					g_hash_table_remove(r->regs, name);
				free(name);
			}
			rec_free(rec);
			return rc;
		}
		g->plugin_rec = rec;
	}
	g_ptr_array_add(r->plugins, rec);
	return 0;
}

CG_EXPORT const char *cg_router_init_script(const cg_router *r, size_t i)
{
	if (!r)
		return NULL;
	for (guint k = 0; k < r->plugins->len; k++) {
		const cg_plugin_def *p = ((cg_plugin_rec *)r->plugins->pdata[k])->p;
		if (p->init_script && i-- == 0)
			return p->init_script;
	}
	return NULL;
}

static int compile(cg_call *c, const cg_plugin_rec *rec, cg_pscope **out)
{
	json_object *scopes[2] = {cg_call_global_scope(c), cg_call_command_scope(c)};
	cg_diag *d = cg_diag_new();
	cg_pscope *ps = calloc(1, sizeof(*ps));
	if (!d || !ps) {
		cg_diag_free(d);
		free(ps);
		return CG_ENOMEM;
	}
	int rc = rec->p->compile_scope(rec->state, scopes, 2, &ps->obj, d);
	if (rc < 0) {
		char *msg = cg_diag_count(d) ? cg_diag_format(d, 0) : NULL;
		cg_router_log(c->r, "%s: the caller's scope does not compile: %s", c->reg->name,
			      msg ? msg : cg_strerror(rc));
		free(msg);
		cg_diag_free(d);
		free(ps);
		return rc;
	}
	cg_diag_free(d);
	ps->refs = 1;
	ps->free_fn = rec->p->free_scope;
	*out = ps;
	return 0;
}

CG_EXPORT int cg_call_plugin_scope(cg_call *c, const void **out)
{
	if (out)
		*out = NULL;
	if (!c || !out || !c->reg->plugin_rec || !c->reg->plugin_rec->p->compile_scope)
		return CG_EINVAL;
	if (c->pscope) {
		*out = c->pscope->obj;
		return 0;
	}
	cg_router *r = c->r;
	const cg_plugin_rec *rec = c->reg->plugin_rec;
	scope_key probe = {c->gen, c->reg, c->subject};
	pthread_mutex_lock(&r->scope_lock);
	cg_pscope *ps = g_hash_table_lookup(r->scopes, &probe);
	int rc = 0;
	if (!ps) {
		rc = compile(c, rec, &ps);
		if (rc == 0 && c->gen == r->scope_gen && c->wv && c->scope_epoch == c->wv->scope_epoch) {
			scope_key *k = malloc(sizeof(*k));
			if (k) {
				*k = probe;
				k->subject = cg_subject_ref(c->subject);
				__atomic_add_fetch(&ps->refs, 1, __ATOMIC_RELAXED);
				g_hash_table_insert(r->scopes, k, ps);
			}
		}
		/* ps's first reference becomes the call's below. */
	} else {
		__atomic_add_fetch(&ps->refs, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&r->scope_lock);
	if (rc < 0)
		return rc;
	c->pscope = ps;
	*out = ps->obj;
	return 0;
}
