/*
 * Permission manifests: Tauri's permission files (the JSON form of their
 * TOML: "permission", "set", "default") and Tauri's generated
 * acl-manifests.json. Unknown fields in manifests are warnings, not errors:
 * manifests come from plugin authors and Tauri loads them, so refusing them
 * would make an app's policy unloadable for a plugin's typo; the lint shows
 * them.
 */
#include "policy/model.h"
#include "base/strhash.h"
#include "base/ident.h"
#include "base/jsonval.h"

#include <stdlib.h>
#include <string.h>

void cg_perm_free(cg_perm *p)
{
	if (!p)
		return;
	free(p->id);
	free(p->description);
	cg_strv_free(p->cmd_allow);
	cg_strv_free(p->cmd_deny);
	cg_strv_free(p->members);
	json_object_put(p->scope_allow);
	json_object_put(p->scope_deny);
	free(p->loc.pointer);
	free(p);
}

void cg_plugin_free(cg_plugin *pl)
{
	if (!pl)
		return;
	if (pl->order)
		g_ptr_array_free(pl->order, TRUE);
	if (pl->perms)
		g_hash_table_destroy(pl->perms);
	cg_perm_free(pl->def);
	if (pl->commands)
		g_hash_table_destroy(pl->commands);
	free(pl->key);
	free(pl);
}

cg_plugin *cg_store_plugin(cg_store *st, const char *key)
{
	cg_plugin *pl = g_hash_table_lookup(st->plugins, key);
	if (pl)
		return pl;
	pl = calloc(1, sizeof(*pl));
	if (!pl || !(pl->key = strdup(key))) {
		free(pl);
		return NULL;
	}
	pl->perms = cg_str_table_new(NULL,
					  (GDestroyNotify)cg_perm_free);
	pl->order = g_ptr_array_new();
	pl->commands = cg_str_table_new(free, NULL);
	g_hash_table_insert(st->plugins, pl->key, pl);
	return pl;
}

int cg_plugin_declare(cg_plugin *pl, const char *cmd)
{
	if (g_hash_table_contains(pl->commands, cmd))
		return 0;
	char *c = strdup(cmd);
	if (!c)
		return CG_ENOMEM;
	g_hash_table_add(pl->commands, c);
	return 0;
}

int cg_loc_set(cg_loc *l, cg_store *st, const cg_jsondoc *doc, const char *pointer)
{
	l->file = g_string_chunk_insert_const(st->strings, doc->name);
	l->line = l->col = 0;
	int r = cg_jsondoc_find(doc, pointer, &l->line, &l->col);
	free(l->pointer);
	l->pointer = strdup(pointer);
	return r < 0 || !l->pointer ? CG_ENOMEM : 0;
}

/* Command names are Rust function names in Tauri; we only insist that they
 * cannot be confused with the IPC name syntax. */
static bool bad_command(const char *c)
{
	for (const unsigned char *p = (const unsigned char *)c; *p; p++)
		if (*p <= ' ' || *p == '|' || *p == 0x7f)
			return true;
	return false;
}

static int read_commands(cg_store *st, cg_plugin *pl, const cg_jsondoc *doc,
			 json_object *v, const char *ptr, cg_perm *p, cg_diag *d)
{
	static const char *const keys[] = {"allow", "deny", NULL};
	if (!cg_jv_expect(d, doc, v, ptr, json_type_object, "\"commands\""))
		return CG_ESCHEMA;
	cg_jv_unknown_keys(d, doc, v, ptr, keys, CG_SEV_WARNING, "\"commands\"");
	int ret = 0;
	for (int k = 0; k < 2; k++) {
		json_object *list = cg_jv_get(v, keys[k]);
		if (!list)
			continue;
		char *lp = cg_pointer_join(ptr, keys[k]);
		char **vec = NULL;
		size_t n = 0;
		int r = lp ? cg_jv_strings(d, doc, list, lp, k ? "commands.deny" : "commands.allow", &vec, &n)
			   : CG_ENOMEM;
		for (size_t i = 0; r == 0 && i < n; i++) {
			if (bad_command(vec[i])) {
				char *ep = cg_pointer_join_index(lp, i);
				cg_jsondoc_error(d, doc, CG_ESCHEMA, ep ? ep : lp,
						 "use the command's function name, e.g. \"read_file\"",
						 "invalid command name \"%s\"", vec[i]);
				free(ep);
				r = CG_ESCHEMA;
			} else {
				r = cg_plugin_declare(pl, vec[i]);
			}
		}
		free(lp);
		if (r < 0) {
			cg_strv_free(vec);
			ret = ret ? ret : r;
			continue;
		}
		if (k) {
			p->cmd_deny = vec;
			p->n_cmd_deny = n;
		} else {
			p->cmd_allow = vec;
			p->n_cmd_allow = n;
		}
	}
	(void)st;
	return ret;
}

static int read_scope(const cg_jsondoc *doc, json_object *v, const char *ptr,
		      cg_perm *p, cg_diag *d)
{
	static const char *const keys[] = {"allow", "deny", NULL};
	if (!cg_jv_expect(d, doc, v, ptr, json_type_object, "\"scope\""))
		return CG_ESCHEMA;
	cg_jv_unknown_keys(d, doc, v, ptr, keys, CG_SEV_WARNING, "\"scope\"");
	int ret = 0;
	for (int k = 0; k < 2; k++) {
		json_object *list = cg_jv_get(v, keys[k]);
		if (!list)
			continue;
		char *lp = cg_pointer_join(ptr, keys[k]);
		if (!cg_jv_expect(d, doc, list, lp ? lp : ptr, json_type_array,
				  k ? "scope.deny" : "scope.allow")) {
			ret = CG_ESCHEMA;
		} else if (k) {
			p->scope_deny = json_object_get(list);
		} else {
			p->scope_allow = json_object_get(list);
		}
		free(lp);
	}
	return ret;
}

static int read_platforms(const cg_jsondoc *doc, json_object *v, const char *ptr,
			  unsigned *out, cg_diag *d)
{
	size_t n = 0;
	int r = cg_jv_platforms(d, doc, v, ptr, out, &n);
	/* An empty list means "no platform": keep a bit no platform has. */
	if (r == 0 && n == 0)
		*out = 1u << 31;
	return r;
}

static int check_base_ident(const cg_jsondoc *doc, const char *id, const char *ptr,
			    cg_diag *d)
{
	const char *why = NULL;
	if (cg_ident_validate(id, &why) < 0) {
		cg_jsondoc_error(d, doc, CG_EIDENT, ptr,
				 "identifiers use ASCII letters, digits and '-', e.g. \"allow-read-file\"",
				 "invalid permission identifier \"%s\": %s", id, why);
		return CG_EIDENT;
	}
	if (strchr(id, ':')) {
		cg_jsondoc_error(d, doc, CG_EIDENT, ptr,
				 "write the identifier without its plugin prefix; the prefix comes from the plugin's directory",
				 "permission identifier \"%s\" must not contain ':' in a manifest", id);
		return CG_EIDENT;
	}
	return 0;
}

/* The default set is kept apart from the permissions and sets: "x:default"
 * names it and nothing else, even when a permission is called "default". */
static int add_perm(cg_store *st, cg_plugin *pl, const cg_jsondoc *doc, cg_perm *p,
		    const char *ptr, cg_diag *d)
{
	bool is_default = p->kind == CG_PERM_DEFAULT;
	cg_perm *old = is_default ? pl->def : g_hash_table_lookup(pl->perms, p->id);
	if (old) {
		char *hint = cg_strdup_printf("the first definition is at %s:%u:%u; rename or remove one",
					      old->loc.file ? old->loc.file : "?", old->loc.line, old->loc.col);
		if (is_default)
			cg_jsondoc_error(d, doc, CG_EDUPLICATE, ptr, hint,
					 "the default set of %s%s%s is defined twice",
					 *pl->key ? "plugin \"" : "the app", pl->key, *pl->key ? "\"" : "");
		else
			cg_jsondoc_error(d, doc, CG_EDUPLICATE, ptr, hint,
					 "permission \"%s%s%s\" is defined twice", pl->key,
					 *pl->key ? ":" : "", p->id);
		free(hint);
		cg_perm_free(p);
		return CG_EDUPLICATE;
	}
	if (cg_loc_set(&p->loc, st, doc, ptr) < 0) {
		cg_perm_free(p);
		return CG_ENOMEM;
	}
	if (is_default)
		pl->def = p;
	else
		g_hash_table_insert(pl->perms, p->id, p);
	g_ptr_array_add(pl->order, p);
	return 0;
}

/* The JSON pointer of v's member key when v has one (*x is the member),
 * else NULL. A member whose pointer cannot be made is not skipped: *ret
 * becomes CG_ENOMEM (unless it holds an error already). */
static char *member_ptr(json_object *v, const char *ptr, const char *key, json_object **x,
			int *ret)
{
	if (!(*x = cg_jv_get(v, key)))
		return NULL;
	char *sub = cg_pointer_join(ptr, key);
	if (!sub && *ret == 0)
		*ret = CG_ENOMEM;
	return sub;
}

/* acl-manifests.json names a permission or set by its map key, as Tauri
 * looks them up (get_permissions: manifest.permissions.get(name)); its
 * "identifier" field is not what grants it. A field that says otherwise
 * is a warning where it is written: Tauri's build never writes one, so the
 * file was edited, and a reader of it would be misled. */
static int check_map_key(const cg_jsondoc *doc, const char *key, const char *written,
			 const char *ptr, const char *idptr, cg_diag *d)
{
	if (check_base_ident(doc, key, ptr, d) < 0)
		return CG_EIDENT;
	if (written && strcmp(written, key) != 0)
		cg_jsondoc_warning(d, doc, CG_ESCHEMA, idptr,
				   "make \"identifier\" the same as the key (regenerate acl-manifests.json with Tauri's build)",
				   "\"identifier\" is \"%s\" but the key is \"%s\": the key names it, as in Tauri",
				   written, key);
	return 0;
}

/* One permission object: from a permission file ("permission" array), or
 * from acl-manifests.json ("permissions" map, key_id its map key, which is
 * its identifier). */
static int read_permission(cg_store *st, cg_plugin *pl, const cg_jsondoc *doc,
			   json_object *v, const char *ptr, const char *key_id, cg_diag *d)
{
	static const char *const keys[] = {"identifier", "description", "commands",
					   "scope", "platforms", "version", NULL};
	if (!cg_jv_expect(d, doc, v, ptr, json_type_object, "a permission"))
		return CG_ESCHEMA;
	cg_jv_unknown_keys(d, doc, v, ptr, keys, CG_SEV_WARNING, "a permission");
	json_object *id = cg_jv_get(v, "identifier");
	if (!id) {
		cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr, "add \"identifier\": \"allow-...\"",
				 "permission has no \"identifier\"");
		return CG_ESCHEMA;
	}
	char *ip = cg_pointer_join(ptr, "identifier");
	if (!ip)
		return CG_ENOMEM;
	int ret = 0;
	if (!cg_jv_expect(d, doc, id, ip, json_type_string, "\"identifier\"") ||
	    (key_id ? check_map_key(doc, key_id, json_object_get_string(id), ptr, ip, d)
		    : check_base_ident(doc, json_object_get_string(id), ip, d)) < 0) {
		free(ip);
		return CG_ESCHEMA;
	}
	free(ip);
	cg_perm *p = calloc(1, sizeof(*p));
	if (!p || !(p->id = strdup(key_id ? key_id : json_object_get_string(id)))) {
		free(p);
		return CG_ENOMEM;
	}
	p->kind = CG_PERM_PERMISSION;
	json_object *x;
	char *sub;
	if ((sub = member_ptr(v, ptr, "description", &x, &ret))) {
		if (!cg_jv_expect(d, doc, x, sub, json_type_string, "\"description\""))
			ret = ret ? ret : CG_ESCHEMA;
		else if (!(p->description = strdup(json_object_get_string(x))))
			ret = ret ? ret : CG_ENOMEM;
		free(sub);
	}
	if ((sub = member_ptr(v, ptr, "commands", &x, &ret))) {
		int r = read_commands(st, pl, doc, x, sub, p, d);
		ret = ret ? ret : r;
		free(sub);
	}
	if ((sub = member_ptr(v, ptr, "scope", &x, &ret))) {
		int r = read_scope(doc, x, sub, p, d);
		ret = ret ? ret : r;
		free(sub);
	}
	if ((sub = member_ptr(v, ptr, "platforms", &x, &ret))) {
		int r = read_platforms(doc, x, sub, &p->platforms, d);
		ret = ret ? ret : r;
		free(sub);
	}
	if (ret < 0) {
		cg_perm_free(p);
		return ret;
	}
	return add_perm(st, pl, doc, p, ptr, d);
}

static int read_members(const cg_jsondoc *doc, json_object *v, const char *ptr,
			cg_perm *p, cg_diag *d)
{
	char *mp = cg_pointer_join(ptr, "permissions");
	if (!mp)
		return CG_ENOMEM;
	json_object *list = cg_jv_get(v, "permissions");
	int r;
	if (!list) {
		cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr, "add \"permissions\": [...]",
				 "permission set has no \"permissions\"");
		r = CG_ESCHEMA;
	} else {
		r = cg_jv_strings(d, doc, list, mp, "\"permissions\"", &p->members, &p->n_members);
		for (size_t i = 0; r == 0 && i < p->n_members; i++) {
			const char *why = NULL;
			if (cg_ident_validate(p->members[i], &why) < 0) {
				char *ep = cg_pointer_join_index(mp, i);
				cg_jsondoc_error(d, doc, CG_EIDENT, ep ? ep : mp, NULL,
						 "invalid permission identifier \"%s\": %s",
						 p->members[i], why);
				free(ep);
				r = CG_EIDENT;
			}
		}
	}
	free(mp);
	return r;
}

static int read_set(cg_store *st, cg_plugin *pl, const cg_jsondoc *doc,
		    json_object *v, const char *ptr, bool is_default, const char *key_id,
		    cg_diag *d)
{
	static const char *const set_keys[] = {"identifier", "description", "permissions", NULL};
	static const char *const def_keys[] = {"identifier", "description", "permissions", NULL};
	if (!cg_jv_expect(d, doc, v, ptr, json_type_object,
			  is_default ? "\"default\"" : "a permission set"))
		return CG_ESCHEMA;
	cg_jv_unknown_keys(d, doc, v, ptr, is_default ? def_keys : set_keys, CG_SEV_WARNING,
			   is_default ? "the default set" : "a permission set");
	const char *ident = "default";
	json_object *id = cg_jv_get(v, "identifier");
	if (!is_default) {
		char *ip = cg_pointer_join(ptr, "identifier");
		if (!ip)
			return CG_ENOMEM;
		int bad = !id ? (cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr, "add \"identifier\"",
						  "permission set has no \"identifier\""), 1)
			      : !cg_jv_expect(d, doc, id, ip, json_type_string, "\"identifier\"") ||
				(key_id ? check_map_key(doc, key_id, json_object_get_string(id), ptr, ip, d)
					: check_base_ident(doc, json_object_get_string(id), ip, d)) < 0;
		free(ip);
		if (bad)
			return CG_ESCHEMA;
		ident = key_id ? key_id : json_object_get_string(id);
	}
	cg_perm *p = calloc(1, sizeof(*p));
	if (!p || !(p->id = strdup(ident))) {
		free(p);
		return CG_ENOMEM;
	}
	p->kind = is_default ? CG_PERM_DEFAULT : CG_PERM_SET;
	json_object *x = cg_jv_get(v, "description");
	int r = 0;
	if (json_object_is_type(x, json_type_string) && !(p->description = strdup(json_object_get_string(x))))
		r = CG_ENOMEM;
	if (r == 0)
		r = read_members(doc, v, ptr, p, d);
	if (r < 0) {
		cg_perm_free(p);
		return r;
	}
	return add_perm(st, pl, doc, p, ptr, d);
}

int cg_load_manifest_doc(cg_store *st, const char *key, const cg_jsondoc *doc, cg_diag *d)
{
	static const char *const keys[] = {"$schema", "permission", "set", "default", NULL};
	json_object *root = doc->root;
	if (!cg_jv_expect(d, doc, root, "", json_type_object, "a permission file"))
		return CG_ESCHEMA;
	cg_plugin *pl = cg_store_plugin(st, key);
	if (!pl)
		return CG_ENOMEM;
	pl->from_manifest = true;
	cg_jv_unknown_keys(d, doc, root, "", keys, CG_SEV_WARNING, "a permission file");
	int ret = 0;
	json_object *x;
	if ((x = cg_jv_get(root, "permission"))) {
		if (!cg_jv_expect(d, doc, x, "/permission", json_type_array, "\"permission\""))
			ret = CG_ESCHEMA;
		else
			for (size_t i = 0; i < json_object_array_length(x); i++) {
				char *ep = cg_pointer_join_index("/permission", i);
				int r = ep ? read_permission(st, pl, doc, json_object_array_get_idx(x, i), ep, NULL, d)
					   : CG_ENOMEM;
				free(ep);
				ret = ret ? ret : r;
			}
	}
	if ((x = cg_jv_get(root, "set"))) {
		if (!cg_jv_expect(d, doc, x, "/set", json_type_array, "\"set\""))
			ret = CG_ESCHEMA;
		else
			for (size_t i = 0; i < json_object_array_length(x); i++) {
				char *ep = cg_pointer_join_index("/set", i);
				int r = ep ? read_set(st, pl, doc, json_object_array_get_idx(x, i), ep, false, NULL, d)
					   : CG_ENOMEM;
				free(ep);
				ret = ret ? ret : r;
			}
	}
	if ((x = cg_jv_get(root, "default"))) {
		int r = read_set(st, pl, doc, x, "/default", true, NULL, d);
		ret = ret ? ret : r;
	}
	return ret;
}

/* ------------------------------------------------ Tauri acl-manifests.json */

static int read_tauri_entry(cg_store *st, const cg_jsondoc *doc, const char *key,
			    json_object *v, const char *ptr, cg_diag *d)
{
	static const char *const keys[] = {"default_permission", "permissions",
					   "permission_sets", "global_scope_schema", NULL};
	if (!cg_jv_expect(d, doc, v, ptr, json_type_object, "a plugin's manifest"))
		return CG_ESCHEMA;
	cg_jv_unknown_keys(d, doc, v, ptr, keys, CG_SEV_WARNING, "a plugin's manifest");
	const char *pkey = strcmp(key, "__app-acl__") == 0 ? "" : key;
	const char *why = NULL;
	if (cg_plugin_key_validate(pkey, &why) < 0) {
		cg_jsondoc_error(d, doc, CG_EIDENT, ptr, NULL, "invalid plugin name \"%s\": %s", key, why);
		return CG_EIDENT;
	}
	cg_plugin *pl = cg_store_plugin(st, pkey);
	if (!pl)
		return CG_ENOMEM;
	pl->from_manifest = true;
	int ret = 0;
	json_object *x;
	char *sub;
	if ((sub = member_ptr(v, ptr, "permissions", &x, &ret))) {
		if (!cg_jv_expect(d, doc, x, sub, json_type_object, "\"permissions\"")) {
			ret = CG_ESCHEMA;
		} else {
			json_object_object_foreach(x, pid, pv) {
				char *pp = cg_pointer_join(sub, pid);
				int r = pp ? read_permission(st, pl, doc, pv, pp, pid, d) : CG_ENOMEM;
				free(pp);
				ret = ret ? ret : r;
			}
		}
		free(sub);
	}
	if ((sub = member_ptr(v, ptr, "permission_sets", &x, &ret))) {
		if (!cg_jv_expect(d, doc, x, sub, json_type_object, "\"permission_sets\"")) {
			ret = CG_ESCHEMA;
		} else {
			json_object_object_foreach(x, sid, sv) {
				char *sp = cg_pointer_join(sub, sid);
				int r = sp ? read_set(st, pl, doc, sv, sp, false, sid, d) : CG_ENOMEM;
				free(sp);
				ret = ret ? ret : r;
			}
		}
		free(sub);
	}
	if ((sub = member_ptr(v, ptr, "default_permission", &x, &ret))) {
		int r = read_set(st, pl, doc, x, sub, true, NULL, d);
		ret = ret ? ret : r;
		free(sub);
	}
	return ret;
}

int cg_load_tauri_manifests_doc(cg_store *st, const cg_jsondoc *doc, cg_diag *d)
{
	if (!cg_jv_expect(d, doc, doc->root, "", json_type_object, "acl-manifests.json"))
		return CG_ESCHEMA;
	int ret = 0;
	json_object_object_foreach(doc->root, key, v) {
		char *ptr = cg_pointer_join("", key);
		int r = ptr ? read_tauri_entry(st, doc, key, v, ptr, d) : CG_ENOMEM;
		free(ptr);
		ret = ret ? ret : r;
	}
	return ret;
}
