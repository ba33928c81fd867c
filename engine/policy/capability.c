/*
 * Capability files. Unlike Tauri, unknown fields and duplicate capability
 * identifiers are errors: a typo such as "window" must not silently grant
 * nothing (or everything).
 */
#include "policy/model.h"
#include "base/glob.h"
#include "base/ident.h"
#include "base/jsonval.h"

#include <stdlib.h>
#include <string.h>

void cg_cap_free(cg_cap *c)
{
	if (!c)
		return;
	cg_cap_clear(c);
	free(c);
}

void cg_cap_clear(cg_cap *c)
{
	free(c->id);
	free(c->description);
	cg_strv_free(c->windows);
	cg_strv_free(c->webviews);
	for (size_t i = 0; i < c->n_remote; i++)
		cg_urlpattern_free(c->remote[i]);
	free(c->remote);
	for (size_t i = 0; i < c->n_entries; i++) {
		free(c->entries[i].ident);
		json_object_put(c->entries[i].allow);
		json_object_put(c->entries[i].deny);
		free(c->entries[i].loc.pointer);
	}
	free(c->entries);
	free(c->loc.pointer);
}

static int read_globs(const cg_jsondoc *doc, json_object *v, const char *ptr,
		      const char *what, char ***out, size_t *n, cg_diag *d)
{
	int r = cg_jv_strings(d, doc, v, ptr, what, out, n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < *n; i++) {
		size_t off = 0;
		const char *msg = NULL;
		if (cg_glob_validate((*out)[i], &off, &msg) < 0) {
			char *ep = cg_pointer_join_index(ptr, i);
			cg_jsondoc_error(d, doc, CG_EPATTERN, ep ? ep : ptr,
					 "globs use * (any run), ? (one character) and [a-z] classes, e.g. \"main\" or \"editor-*\"",
					 "bad glob \"%s\" at offset %zu: %s", (*out)[i], off, msg);
			free(ep);
			r = CG_EPATTERN;
		}
	}
	return r;
}

static int read_remote(const cg_jsondoc *doc, json_object *v, const char *ptr,
		       cg_cap *c, cg_diag *d)
{
	static const char *const keys[] = {"urls", NULL};
	if (!cg_jv_expect(d, doc, v, ptr, json_type_object, "\"remote\""))
		return CG_ESCHEMA;
	if (cg_jv_unknown_keys(d, doc, v, ptr, keys, CG_SEV_ERROR, "\"remote\""))
		return CG_ESCHEMA;
	json_object *urls = cg_jv_get(v, "urls");
	if (!urls) {
		cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr, "add \"urls\": [\"https://example.com\"]",
				 "\"remote\" has no \"urls\"");
		return CG_ESCHEMA;
	}
	char *up = cg_pointer_join(ptr, "urls");
	char **vec = NULL;
	size_t n = 0;
	int r = up ? cg_jv_strings(d, doc, urls, up, "\"remote.urls\"", &vec, &n) : CG_ENOMEM;
	if (r == 0 && !(c->remote = calloc(n ? n : 1, sizeof(*c->remote))))
		r = CG_ENOMEM;
	for (size_t i = 0; r >= 0 && i < n; i++) {
		const char *err = NULL;
		size_t off = 0;
		cg_urlpattern *pat = cg_urlpattern_new(vec[i], &err, &off);
		if (!pat && CG_URLPATTERN_NOMEM(err)) {
			r = CG_ENOMEM;
			break;
		}
		if (!pat) {
			char *ep = cg_pointer_join_index(up, i);
			cg_jsondoc_error(d, doc, CG_EPATTERN, ep ? ep : up,
					 "write a URL pattern such as \"https://example.com\" (any path) or \"https://*.example.com/app/*\"",
					 "bad URL pattern \"%s\" at offset %zu: %s", vec[i], off, err ? err : "invalid");
			free(ep);
			r = CG_EPATTERN;
			continue;
		}
		c->remote[c->n_remote++] = pat;
	}
	cg_strv_free(vec);
	free(up);
	return r;
}

static int read_entry(const cg_jsondoc *doc, json_object *v, const char *ptr,
		      cg_entry *e, cg_store *st, cg_diag *d)
{
	static const char *const keys[] = {"identifier", "allow", "deny", NULL};
	json_object *id = v;
	char *ip = NULL;
	int r = 0;
	if (json_object_is_type(v, json_type_object)) {
		static const char *const with_scope[] = {"identifier", "allow", "deny", "scope", NULL};
		if (cg_jv_get(v, "scope")) {
			/* A common mistake that Tauri silently ignores: the scope
			 * the author meant never applies. */
			char *sp = cg_pointer_join(ptr, "scope");
			cg_jsondoc_error(d, doc, CG_ESCHEMA, sp ? sp : ptr,
					 "write the scope's values directly in the entry: {\"identifier\": ..., \"allow\": [...], \"deny\": [...]}",
					 "unknown field \"scope\" in a permission entry (Tauri ignores it, so this scope never applied)");
			free(sp);
			r = CG_ESCHEMA;
		}
		if (cg_jv_unknown_keys(d, doc, v, ptr, with_scope, CG_SEV_ERROR,
				       "a permission entry (only \"identifier\", \"allow\" and \"deny\" are allowed)"))
			r = CG_ESCHEMA;
		id = cg_jv_get(v, "identifier");
		if (!id) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr, "add \"identifier\": \"plugin:permission\"",
					 "permission entry has no \"identifier\"");
			return CG_ESCHEMA;
		}
		ip = cg_pointer_join(ptr, "identifier");
		for (int k = 0; k < 2; k++) {
			json_object *s = cg_jv_get(v, keys[k + 1]);
			if (!s)
				continue;
			char *sp = cg_pointer_join(ptr, keys[k + 1]);
			if (cg_jv_expect(d, doc, s, sp ? sp : ptr, json_type_array,
					 k ? "\"deny\"" : "\"allow\"")) {
				if (k)
					e->deny = json_object_get(s);
				else
					e->allow = json_object_get(s);
			} else {
				r = CG_ESCHEMA;
			}
			free(sp);
		}
	} else if (!json_object_is_type(v, json_type_string)) {
		cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr,
				 "write \"plugin:permission\" or {\"identifier\": ..., \"allow\": [...]}",
				 "permission entry must be a string or an object, found %s",
				 cg_jv_type_name(v));
		return CG_ESCHEMA;
	}
	const char *where = ip ? ip : ptr;
	if (!cg_jv_expect(d, doc, id, where, json_type_string, "\"identifier\"")) {
		free(ip);
		return CG_ESCHEMA;
	}
	const char *why = NULL;
	if (cg_ident_validate(json_object_get_string(id), &why) < 0) {
		cg_jsondoc_error(d, doc, CG_EIDENT, where,
				 "permission identifiers look like \"fs:allow-read-file\", \"core:event:default\" or \"allow-greet\"",
				 "invalid permission identifier \"%s\": %s", json_object_get_string(id), why);
		r = CG_EIDENT;
	}
	if (r == 0 && !(e->ident = strdup(json_object_get_string(id))))
		r = CG_ENOMEM;
	if (r == 0)
		r = cg_loc_set(&e->loc, st, doc, ptr);
	free(ip);
	return r;
}

static int read_entries(const cg_jsondoc *doc, json_object *v, const char *ptr,
			cg_cap *c, cg_store *st, cg_diag *d)
{
	if (!cg_jv_expect(d, doc, v, ptr, json_type_array, "\"permissions\""))
		return CG_ESCHEMA;
	size_t n = json_object_array_length(v);
	c->entries = calloc(n ? n : 1, sizeof(*c->entries));
	if (!c->entries)
		return CG_ENOMEM;
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		char *ep = cg_pointer_join_index(ptr, i);
		if (!ep)
			return CG_ENOMEM;
		int r = read_entry(doc, json_object_array_get_idx(v, i), ep,
				   &c->entries[c->n_entries], st, d);
		if (r == 0)
			c->n_entries++;
		else {
			cg_entry *e = &c->entries[c->n_entries];
			free(e->ident);
			json_object_put(e->allow);
			json_object_put(e->deny);
			free(e->loc.pointer);
			memset(e, 0, sizeof(*e));
			ret = ret ? ret : r;
		}
		free(ep);
	}
	return ret;
}

static int read_platforms(const cg_jsondoc *doc, json_object *v, const char *ptr,
			  cg_cap *c, cg_diag *d)
{
	size_t n = 0;
	c->has_platforms = true;
	return cg_jv_platforms(d, doc, v, ptr, &c->platforms, &n);
}

/* Replaces *sub with the pointer of member k of ptr; on failure *ret
 * becomes CG_ENOMEM (unless it holds an error already). */
static char *sub_ptr(char **sub, const char *ptr, const char *k, int *ret)
{
	free(*sub);
	*sub = cg_pointer_join(ptr, k);
	if (!*sub && *ret == 0)
		*ret = CG_ENOMEM;
	return *sub;
}

static int read_capability(cg_store *st, const cg_jsondoc *doc, json_object *v,
			   const char *ptr, cg_diag *d)
{
	if (!cg_jv_expect(d, doc, v, ptr, json_type_object, "a capability"))
		return CG_ESCHEMA;
	static const char *const keys_ctx[] = {"$schema", "identifier", "description", "remote",
					       "local", "windows", "webviews", "permissions",
					       "platforms", "context", NULL};
	int ret = 0;
	json_object *ctx = cg_jv_get(v, "context");
	if (ctx) {
		/* Tauri 2.0 betas had "context"; `tauri migrate` still writes
		 * "context": "local", which means what the default means. Any
		 * other value would change who is granted, so it is refused. */
		char *cp = cg_pointer_join(ptr, "context");
		bool local = json_object_is_type(ctx, json_type_string) &&
			     strcmp(json_object_get_string(ctx), "local") == 0;
		if (local)
			cg_jsondoc_warning(d, doc, CG_ESCHEMA, cp ? cp : ptr, "remove it: local content is the default",
					   "\"context\" is a Tauri 2.0 beta field with no effect now");
		else {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, cp ? cp : ptr,
					 "use \"local\": true|false and \"remote\": {\"urls\": [...]} instead",
					 "\"context\" is a Tauri 2.0 beta field that Tauri 2 ignores");
			ret = CG_ESCHEMA;
		}
		free(cp);
	}
	if (cg_jv_unknown_keys(d, doc, v, ptr, keys_ctx, CG_SEV_ERROR, "a capability"))
		ret = CG_ESCHEMA;
	cg_cap *c = calloc(1, sizeof(*c));
	if (!c)
		return CG_ENOMEM;
	c->local = true;
	json_object *x;
	char *sub = NULL;
	/* A member whose pointer cannot be made is not skipped: ret says
	 * CG_ENOMEM (skipping "local" or "platforms" would widen a grant). */
#define SUB(k) sub_ptr(&sub, ptr, k, &ret)
#define KEEP(r) do { int r_ = (r); if (r_ < 0 && !ret) ret = r_; } while (0)
	x = cg_jv_get(v, "identifier");
	if (!x) {
		cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr, "add \"identifier\": \"main-capability\"",
				 "capability has no \"identifier\"");
		KEEP(CG_ESCHEMA);
	} else if (SUB("identifier") && cg_jv_expect(d, doc, x, sub, json_type_string, "\"identifier\"")) {
		if (json_object_get_string_len(x) == 0) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, sub, "name the capability, e.g. \"main-capability\"",
					 "capability identifier is empty");
			KEEP(CG_ESCHEMA);
		} else if (!(c->id = strdup(json_object_get_string(x)))) {
			KEEP(CG_ENOMEM);
		}
	} else {
		KEEP(CG_ESCHEMA);
	}
	if ((x = cg_jv_get(v, "description")) && SUB("description")) {
		if (!cg_jv_expect(d, doc, x, sub, json_type_string, "\"description\""))
			KEEP(CG_ESCHEMA);
		else if (!(c->description = strdup(json_object_get_string(x))))
			KEEP(CG_ENOMEM);
	}
	if ((x = cg_jv_get(v, "local")) && SUB("local")) {
		if (cg_jv_expect(d, doc, x, sub, json_type_boolean, "\"local\""))
			c->local = json_object_get_boolean(x);
		else
			KEEP(CG_ESCHEMA);
	}
	if ((x = cg_jv_get(v, "windows")) && SUB("windows"))
		KEEP(read_globs(doc, x, sub, "\"windows\"", &c->windows, &c->n_windows, d));
	if ((x = cg_jv_get(v, "webviews")) && SUB("webviews"))
		KEEP(read_globs(doc, x, sub, "\"webviews\"", &c->webviews, &c->n_webviews, d));
	if ((x = cg_jv_get(v, "remote")) && SUB("remote"))
		KEEP(read_remote(doc, x, sub, c, d));
	if ((x = cg_jv_get(v, "platforms")) && SUB("platforms"))
		KEEP(read_platforms(doc, x, sub, c, d));
	x = cg_jv_get(v, "permissions");
	if (!x) {
		cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr, "add \"permissions\": [\"core:default\"]",
				 "capability has no \"permissions\"");
		KEEP(CG_ESCHEMA);
	} else if (SUB("permissions")) {
		KEEP(read_entries(doc, x, sub, c, st, d));
	}
	free(sub);
#undef SUB
#undef KEEP
	if (ret == 0 && c->id) {
		cg_cap *old = g_hash_table_lookup(st->cap_ids, c->id);
		if (old) {
			char *ip = cg_pointer_join(ptr, "identifier");
			char *hint = cg_strdup_printf("the first is at %s:%u:%u; give each capability its own identifier",
						      old->loc.file, old->loc.line, old->loc.col);
			cg_jsondoc_error(d, doc, CG_EDUPLICATE, ip ? ip : ptr, hint,
					 "duplicate capability identifier \"%s\"", c->id);
			free(hint);
			free(ip);
			ret = CG_EDUPLICATE;
		}
	}
	if (ret < 0) {
		cg_cap_free(c);
		return ret;
	}
	if (cg_loc_set(&c->loc, st, doc, ptr) < 0) {
		cg_cap_free(c);
		return CG_ENOMEM;
	}
	g_ptr_array_add(st->caps, c);
	g_hash_table_insert(st->cap_ids, c->id, c);
	return 0;
}

/*
 * Tauri's app.security.capabilities lists capabilities by identifier or
 * inlines whole capability objects (CapabilityEntry::Inlined in
 * tauri-utils' config.rs), which Tauri's build adds to the app's
 * capabilities as if a file held them. The identifiers select which
 * capability files the app enables; capgate reads every file anyway (a
 * note of lint and audit says so), so only the objects are read here,
 * located in the config.
 */
int cg_load_tauri_config_doc(cg_store *st, const cg_jsondoc *doc, cg_diag *d)
{
	json_object *app = cg_jv_get(doc->root, "app");
	json_object *sec = app && json_object_is_type(app, json_type_object) ? cg_jv_get(app, "security") : NULL;
	json_object *list = sec && json_object_is_type(sec, json_type_object) ? cg_jv_get(sec, "capabilities") : NULL;
	const char *base = "/app/security/capabilities";
	if (!list)
		return 0;
	if (!cg_jv_expect(d, doc, list, base, json_type_array, "\"capabilities\""))
		return CG_ESCHEMA;
	int ret = 0, n = 0;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *v = json_object_array_get_idx(list, i);
		char *ep = cg_pointer_join_index(base, i);
		int r = ep ? 0 : CG_ENOMEM;
		if (r == 0 && json_object_is_type(v, json_type_object)) {
			r = read_capability(st, doc, v, ep, d);
			n += r == 0;
		} else if (r == 0 && !json_object_is_type(v, json_type_string)) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, ep,
					 "write a capability's identifier (\"main-capability\") or a whole capability object",
					 "an entry of \"capabilities\" must be a string or an object, found %s",
					 cg_jv_type_name(v));
			r = CG_ESCHEMA;
		}
		free(ep);
		ret = ret ? ret : r;
	}
	return ret < 0 ? ret : n;
}

int cg_load_capability_doc(cg_store *st, const cg_jsondoc *doc, cg_diag *d)
{
	json_object *root = doc->root;
	json_object *list = NULL;
	const char *base = "";
	if (json_object_is_type(root, json_type_array)) {
		list = root;
	} else if (json_object_is_type(root, json_type_object) &&
		   !cg_jv_get(root, "identifier") && cg_jv_get(root, "capabilities")) {
		static const char *const keys[] = {"$schema", "capabilities", NULL};
		if (cg_jv_unknown_keys(d, doc, root, "", keys, CG_SEV_ERROR, "a capability list"))
			return CG_ESCHEMA;
		list = cg_jv_get(root, "capabilities");
		base = "/capabilities";
		if (!cg_jv_expect(d, doc, list, base, json_type_array, "\"capabilities\""))
			return CG_ESCHEMA;
	} else if (json_object_is_type(root, json_type_object)) {
		return read_capability(st, doc, root, "", d);
	} else {
		cg_jsondoc_error(d, doc, CG_ESCHEMA, "",
				 "a capability file holds one capability object, an array of them, or {\"capabilities\": [...]}",
				 "capability file must hold an object or an array, found %s",
				 cg_jv_type_name(root));
		return CG_ESCHEMA;
	}
	int ret = 0;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		char *ep = cg_pointer_join_index(base, i);
		int r = ep ? read_capability(st, doc, json_object_array_get_idx(list, i), ep, d) : CG_ENOMEM;
		free(ep);
		ret = ret ? ret : r;
	}
	return ret;
}
