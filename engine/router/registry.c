/*
 * The router's registry: the commands handlers are registered for, and
 * the managed state they share.
 */
#include "router/router.h"
#include "base/ident.h"

#include <stdlib.h>
#include <string.h>

typedef struct cg_state_entry {
	void *state;
	void (*free_fn)(void *);
} cg_state_entry;

void cg_reg_free(gpointer p)
{
	cg_reg *g = p;
	free(g->name);
	free(g->plugin);
	free(g->plain);
	free(g);
}

void cg_state_free(gpointer p)
{
	cg_state_entry *e = p;
	if (e->free_fn)
		e->free_fn(e->state);
	free(e);
}

CG_EXPORT int cg_router_declare_commands(const cg_router *r, cg_builder *b)
{
	if (!r || !b)
		return CG_EINVAL;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->regs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const cg_reg *g = v;
		int rc = cg_builder_declare_command(b, g->plugin, g->plain);
		if (rc < 0)
			return rc;
	}
	for (guint i = 0; i < r->plugins->len; i++) {
		const cg_plugin_def *p = ((cg_plugin_rec *)r->plugins->pdata[i])->p;
		if (!p->manifest_json)
			continue;
		int rc = cg_builder_add_manifest_fallback(b, p->name, p->name, p->manifest_json,
							  strlen(p->manifest_json));
		if (rc < 0)
			return rc;
	}
	return 0;
}

CG_EXPORT int cg_router_register(cg_router *r, const char *plugin, const char *command,
				 cg_command_fn fn, void *user, cg_cmd_mode mode)
{
	return cg_router_register_reg(r, plugin, command, fn, user, mode, NULL);
}

int cg_router_register_reg(cg_router *r, const char *plugin, const char *command,
			   cg_command_fn fn, void *user, cg_cmd_mode mode, cg_reg **out)
{
	const char *why;
	if (!r || !command || !*command || !fn ||
	    (mode != CG_CMD_SYNC && mode != CG_CMD_ASYNC && mode != CG_CMD_MAIN))
		return CG_EINVAL;
	if (!plugin)
		plugin = "";
	if (cg_plugin_key_validate(plugin, &why) < 0 || strchr(command, '|'))
		return CG_EIDENT;
	cg_reg *g = calloc(1, sizeof(*g));
	if (!g)
		return CG_ENOMEM;
	g->plugin = strdup(plugin);
	g->plain = strdup(command);
	g->name = cg_command_name(plugin, command);
	g->fn = fn;
	g->user = user;
	g->mode = mode;
	g->policy_id = r->policy ? cg_policy_command_id(r->policy, g->name) : -1;
	if (g->policy_id < 0)
		g->policy_id = -1;
	if (!g->plugin || !g->plain || !g->name) {
		cg_reg_free(g);
		return CG_ENOMEM;
	}
	if (g_hash_table_contains(r->regs, g->name) || cg_events_is_builtin(g->name)) {
		cg_reg_free(g);
		return CG_EDUPLICATE;
	}
	g_hash_table_insert(r->regs, g->name, g);
	if (out)
		*out = g;
	return 0;
}

CG_EXPORT int cg_router_manage(cg_router *r, const char *name, void *state, void (*free_fn)(void *))
{
	if (!r || !name)
		return CG_EINVAL;
	if (g_hash_table_contains(r->state, name))
		return CG_EDUPLICATE;
	cg_state_entry *e = calloc(1, sizeof(*e));
	char *k = strdup(name);
	if (!e || !k) {
		free(e);
		free(k);
		return CG_ENOMEM;
	}
	e->state = state;
	e->free_fn = free_fn;
	g_hash_table_insert(r->state, k, e);
	return 0;
}

CG_EXPORT void *cg_call_state(const cg_call *c, const char *name)
{
	if (!c || !name)
		return NULL;
	cg_state_entry *e = g_hash_table_lookup(c->r->state, name);
	return e ? e->state : NULL;
}
