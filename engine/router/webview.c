/*
 * The webviews a router knows: their identity as the transport gave it,
 * and the subject the policy judges them as (made again when the policy
 * changes or the page navigates).
 */
#include "router/router.h"

#include <stdlib.h>
#include <string.h>

/* -------------------------------------------------------------- webviews */

cg_webview *cg_webview_ref(cg_webview *wv)
{
	__atomic_add_fetch(&wv->refs, 1, __ATOMIC_RELAXED);
	return wv;
}

void cg_webview_unref(cg_webview *wv)
{
	if (!wv || __atomic_sub_fetch(&wv->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	cg_resources_fini(wv);
	pthread_mutex_destroy(&wv->rlock);
	cg_subject_free(wv->subject);
	free(wv->window);
	free(wv->label);
	free(wv->url);
	free(wv);
}

CG_EXPORT int cg_router_add_webview(cg_router *r, const char *window, const char *webview,
				     const char *remote_url, cg_webview **out)
{
	if (out)
		*out = NULL;
	if (!r || !out || !window || !*window)
		return CG_EINVAL;
	cg_webview *wv = calloc(1, sizeof(*wv));
	if (!wv)
		return CG_ENOMEM;
	wv->r = r;
	wv->refs = 1;
	pthread_mutex_init(&wv->rlock, NULL);
	wv->window = strdup(window);
	wv->label = strdup(webview ? webview : window);
	wv->url = remote_url ? strdup(remote_url) : NULL;
	if (!wv->window || !wv->label || (remote_url && !wv->url)) {
		cg_webview_unref(wv);
		return CG_ENOMEM;
	}
	g_ptr_array_add(r->webviews, wv);
	*out = wv;
	return 0;
}

CG_EXPORT int cg_webview_set_origin(cg_webview *wv, const char *remote_url)
{
	if (!wv || __atomic_load_n(&wv->removed, __ATOMIC_ACQUIRE))
		return CG_EINVAL;
	char *u = remote_url ? strdup(remote_url) : NULL;
	if (remote_url && !u)
		return CG_ENOMEM;
	free(wv->url);
	wv->url = u;
	/* The old origin's compiled scopes will not be asked for again: a
	 * page that navigates in a loop must not grow the cache. */
	cg_plugins_forget_webview(wv->r, wv);
	cg_subject_free(wv->subject);
	wv->subject = NULL;
	return 0;
}

CG_EXPORT const char *cg_webview_window(const cg_webview *wv) { return wv ? wv->window : NULL; }
CG_EXPORT const char *cg_webview_label(const cg_webview *wv) { return wv ? wv->label : NULL; }
CG_EXPORT void cg_webview_set_data(cg_webview *wv, void *data) { if (wv) wv->data = data; }
CG_EXPORT void *cg_webview_get_data(const cg_webview *wv) { return wv ? wv->data : NULL; }

/* The subject for the current policy, resolved again after a reload or a
 * navigation. NULL when there is no policy or the origin is not a URL. */
cg_subject *cg_webview_subject(cg_webview *wv)
{
	cg_router *r = wv->r;
	if (!r->policy)
		return NULL;
	if (!wv->subject || wv->gen != r->gen) {
		cg_subject_free(wv->subject);
		wv->subject = NULL;
		if (cg_subject_new(r->policy, wv->window, wv->label, wv->url, &wv->subject) < 0)
			return NULL;
		wv->gen = r->gen;
	}
	return wv->subject;
}

CG_EXPORT void cg_router_remove_webview(cg_router *r, cg_webview *wv)
{
	if (!r || !wv || !g_ptr_array_remove_fast(r->webviews, wv))
		return;
	__atomic_store_n(&wv->removed, 1, __ATOMIC_RELEASE);
	cg_plugins_forget_webview(r, wv);
	cg_events_remove_webview(r, wv);
	/* Now, not with the last call: a closed window's files are closed. */
	cg_resources_fini(wv);
	cg_webview_unref(wv);
}

