/*
 * Resources: objects the core keeps for a page between calls, named by a
 * resource id (rid) the page holds, as Tauri's ResourceTable. One table
 * per webview, made on first use, under the webview's own lock, so that
 * handlers on any thread may add, look up and close. A resource is
 * reference-counted: the table holds one reference, a handler using it
 * another, and its free function runs when the last goes, on the thread
 * that drops it and never under the lock (a free function may block, or
 * call back into the table).
 *
 * A rid is random (cg_random) rather than a counter:
 * a page that learns one rid cannot name its neighbours, and a rid of a
 * closed resource is not soon handed out again. Types keep one plugin
 * from receiving another's object under a rid the page chose.
 */
#include "router/router.h"

#include <stdlib.h>
#include <string.h>

struct cg_resource {
	int refs;                 /* atomic */
	uint32_t rid;
	const char *type;
	void *object;
	void (*free_fn)(void *);
};

static void resource_unref(gpointer p) { cg_resource_unref(p); }

CG_EXPORT void cg_resource_unref(cg_resource *res)
{
	if (!res || __atomic_sub_fetch(&res->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (res->free_fn)
		res->free_fn(res->object);
	free(res);
}

CG_EXPORT void *cg_resource_object(const cg_resource *res) { return res ? res->object : NULL; }
CG_EXPORT uint32_t cg_resource_rid(const cg_resource *res) { return res ? res->rid : 0; }
CG_EXPORT const char *cg_resource_type(const cg_resource *res) { return res ? res->type : NULL; }

/* The webview a handler's call came from, while it may still use it. */
static cg_webview *call_webview(cg_call *c) { return c ? c->wv : NULL; }

CG_EXPORT int cg_call_add_resource(cg_call *c, const char *type, void *object, void (*free_fn)(void *),
				   uint32_t *rid)
{
	cg_webview *wv = call_webview(c);
	if (!wv || !type || !rid)
		return CG_EINVAL;
	*rid = 0;
	cg_resource *res = calloc(1, sizeof(*res));
	if (!res)
		return CG_ENOMEM;
	res->refs = 1;
	res->type = type;
	res->object = object;
	res->free_fn = free_fn;
	pthread_mutex_lock(&wv->rlock);
	if (__atomic_load_n(&wv->removed, __ATOMIC_ACQUIRE)) {
		pthread_mutex_unlock(&wv->rlock);
		cg_resource_unref(res); /* runs free_fn: the webview is gone */
		return CG_ESTATE;
	}
	if (!wv->resources)
		wv->resources = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, resource_unref);
	/* Random and unused; 0 and the top bit never (a rid is a JavaScript
	 * number the page may keep in an int32). */
	uint32_t id = 0;
	for (int tries = 0; tries < 64 && !id; tries++) {
		if (cg_random(&id, sizeof(id)) < 0) {
			id = 0;
			break;
		}
		id &= 0x7fffffffu;
		if (g_hash_table_contains(wv->resources, GUINT_TO_POINTER(id)))
			id = 0;
	}
	if (!id) {
		pthread_mutex_unlock(&wv->rlock);
		free(res);
		return CG_ENOMEM;
	}
	res->rid = id;
	g_hash_table_insert(wv->resources, GUINT_TO_POINTER(id), res);
	pthread_mutex_unlock(&wv->rlock);
	*rid = id;
	return 0;
}

CG_EXPORT int cg_call_get_resource(cg_call *c, uint32_t rid, const char *type, cg_resource **out)
{
	cg_webview *wv = call_webview(c);
	if (out)
		*out = NULL;
	if (!wv || !type || !out)
		return CG_EINVAL;
	pthread_mutex_lock(&wv->rlock);
	cg_resource *res = wv->resources ? g_hash_table_lookup(wv->resources, GUINT_TO_POINTER(rid)) : NULL;
	if (res && strcmp(res->type, type) == 0)
		__atomic_add_fetch(&res->refs, 1, __ATOMIC_RELAXED);
	else
		res = NULL;
	pthread_mutex_unlock(&wv->rlock);
	*out = res;
	return res ? 0 : CG_ENOTFOUND;
}

/* Takes rid out of wv's table: its reference, to drop outside the lock. */
static cg_resource *take(cg_webview *wv, uint32_t rid)
{
	gpointer key = GUINT_TO_POINTER(rid), value = NULL;
	pthread_mutex_lock(&wv->rlock);
	if (wv->resources && !g_hash_table_steal_extended(wv->resources, key, NULL, &value))
		value = NULL;
	pthread_mutex_unlock(&wv->rlock);
	return value;
}

CG_EXPORT int cg_call_close_resource(cg_call *c, uint32_t rid)
{
	cg_webview *wv = call_webview(c);
	if (!wv)
		return CG_EINVAL;
	cg_resource *res = take(wv, rid);
	if (!res)
		return CG_ENOTFOUND;
	cg_resource_unref(res);
	return 0;
}

CG_EXPORT int cg_webview_free_resources(cg_webview *wv)
{
	if (!wv)
		return CG_EINVAL;
	pthread_mutex_lock(&wv->rlock);
	GHashTable *t = wv->resources;
	wv->resources = NULL;
	pthread_mutex_unlock(&wv->rlock);
	int n = t ? (int)g_hash_table_size(t) : 0;
	if (t)
		g_hash_table_destroy(t); /* each resource's free function, here */
	return n;
}

CG_EXPORT size_t cg_webview_resource_count(const cg_webview *wv)
{
	if (!wv)
		return 0;
	cg_webview *w = (cg_webview *)wv; /* the lock, not the table, changes */
	pthread_mutex_lock(&w->rlock);
	size_t n = w->resources ? g_hash_table_size(w->resources) : 0;
	pthread_mutex_unlock(&w->rlock);
	return n;
}

void cg_resources_fini(cg_webview *wv)
{
	cg_webview_free_resources(wv);
}

/* plugin:resources|close {rid}: the page lets go of one of its own. As in
 * Tauri, closing a rid that is not there is an error. */
static int h_close(cg_call *c, void *user)
{
	(void)user;
	json_object *v = NULL;
	if (!json_object_object_get_ex(cg_call_args(c), "rid", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0 || json_object_get_int64(v) > UINT32_MAX)
		return cg_call_reject(c, "plugin:resources|close needs {\"rid\": a resource id}");
	uint32_t rid = (uint32_t)json_object_get_int64(v);
	if (cg_call_close_resource(c, rid) < 0) {
		char *why = cg_strdup_printf("resource id %u is invalid", rid);
		int rc = cg_call_reject(c, why ? why : "resource id is invalid");
		free(why);
		return rc;
	}
	return cg_call_resolve(c, NULL);
}

int cg_resources_register(cg_router *r)
{
	return cg_router_register(r, "core:resources", "close", h_close, NULL, CG_CMD_SYNC);
}
