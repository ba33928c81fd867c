/*
 * Test and benchmark hooks: built only into the test library
 * (libcgruntime-testing, -DCG_TESTING) that the tests, the benchmarks and
 * the example's scripted tour link, never into the installed
 * libcapgate-runtime. Declared in runtime/capgate-testing.h.
 */
#include "runtime.h"
#include "capgate-testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ the floor */

/* CAPGATE_BENCH=1: an ipc-like scheme that answers a POST at once, to
 * measure the custom-scheme transport against the message handler. */
static void on_bench_scheme(WebKitURISchemeRequest *req, gpointer data)
{
	static const char body[] = "1null";
	GInputStream *in = g_memory_input_stream_new_from_data(body, sizeof(body) - 1, NULL);
	WebKitURISchemeResponse *resp = webkit_uri_scheme_response_new(in, sizeof(body) - 1);
	webkit_uri_scheme_response_set_content_type(resp, "text/plain");
	SoupMessageHeaders *h = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
	soup_message_headers_append(h, "Access-Control-Allow-Origin", "*");
	soup_message_headers_set_content_type(h, "text/plain", NULL);
	webkit_uri_scheme_response_set_http_headers(resp, h);
	webkit_uri_scheme_request_finish_with_response(req, resp);
	g_object_unref(resp);
	g_object_unref(in);
}

/* CAPGATE_BENCH=1: a bare handler that answers at once, with no router
 * and no policy: the floor that make bench compares invoke against. */
static gboolean on_bare(WebKitUserContentManager *ucm, JSCValue *value, WebKitScriptMessageReply *reply,
			gpointer data)
{
	JSCValue *v = jsc_value_new_string(jsc_value_get_context(value), "1null");
	webkit_script_message_reply_return_value(reply, v);
	g_object_unref(v);
	return TRUE;
}

void cgr_testing_register_schemes(cg_app *app)
{
	if (!g_getenv("CAPGATE_BENCH"))
		return;
	webkit_web_context_register_uri_scheme(app->ctx, "capgate-ipc", on_bench_scheme, app, NULL);
	WebKitSecurityManager *bsm = webkit_web_context_get_security_manager(app->ctx);
	webkit_security_manager_register_uri_scheme_as_secure(bsm, "capgate-ipc");
	webkit_security_manager_register_uri_scheme_as_cors_enabled(bsm, "capgate-ipc");
}

void cgr_testing_attach(cg_win *w)
{
	if (!g_getenv("CAPGATE_BENCH"))
		return;
	/* In both worlds: make bench compares the page's and the
	 * transport's round trips. */
	webkit_user_content_manager_register_script_message_handler_with_reply(w->ucm, "capgate_bare", NULL);
	webkit_user_content_manager_register_script_message_handler_with_reply(w->ucm, "capgate_bare", CGR_WORLD);
	g_signal_connect(w->ucm, "script-message-with-reply-received::capgate_bare", G_CALLBACK(on_bare), w);
}

/* ---------------------------------------------------------------- hooks */

int cg_app_post(cg_app *app, const char *label, const char *text, cg_app_js_fn cb, void *user)
{
	cg_win *w = cgr_window(app, label);
	if (!w || !w->wv || !text || !cb)
		return w ? CG_EINVAL : CG_ENOTFOUND;
	cgr_host_invoke(app, w->wv, text, strlen(text), cb, user);
	return 0;
}


typedef struct eval_ctx {
	cg_app *app;
	cg_app_js_fn cb;
	void *user;
} eval_ctx;

static void eval_done(GObject *src, GAsyncResult *res, gpointer data)
{
	eval_ctx *e = data;
	GError *err = NULL;
	JSCValue *v = webkit_web_view_call_async_javascript_function_finish(WEBKIT_WEB_VIEW(src), res, &err);
	if (!v) {
		e->cb(e->app, NULL, err ? err->message : "failed", e->user);
		g_clear_error(&err);
	} else {
		char *json = jsc_value_to_json(v, 0);
		e->cb(e->app, json ? json : "null", NULL, e->user);
		g_free(json);
		g_object_unref(v);
	}
	g_free(e);
}

static int eval_in_world(cg_app *app, const char *label, const char *script, const char *world,
			 cg_app_js_fn cb, void *user)
{
	cg_win *w = cgr_window(app, label);
	if (!w)
		return CG_ENOTFOUND;
	if (!script || !cb)
		return CG_EINVAL;
	eval_ctx *e = g_new0(eval_ctx, 1);
	e->app = app;
	e->cb = cb;
	e->user = user;
	/* A function body: it may await and return a Promise. */
	webkit_web_view_call_async_javascript_function(w->view, script, -1, NULL, world, NULL, NULL,
						       eval_done, e);
	return 0;
}

int cg_app_eval(cg_app *app, const char *label, const char *script, cg_app_js_fn cb, void *user)
{
	return eval_in_world(app, label, script, NULL, cb, user);
}

int cg_app_eval_transport(cg_app *app, const char *label, const char *script, cg_app_js_fn cb,
				    void *user)
{
	return eval_in_world(app, label, script, CGR_WORLD, cb, user);
}

/* WebKitGTK has no call for it: look for WebKitWebProcess processes that
 * descend from this one (bubblewrap may stand between). */
static int parent_of(int pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *close = strrchr(buf, ')');
	int ppid = -1;
	if (close)
		sscanf(close + 2, "%*c %d", &ppid);
	return ppid;
}

static bool descends_from(int pid, int ancestor)
{
	for (int i = 0; i < 16 && pid > 1; i++) {
		pid = parent_of(pid);
		if (pid == ancestor)
			return true;
	}
	return false;
}

int cg_app_web_process_pid(cg_app *app, const char *label)
{
	if (!cgr_window(app, label) || g_hash_table_size(app->windows) != 1)
		return -1; /* only unambiguous with one window */
	GDir *d = g_dir_open("/proc", 0, NULL);
	int found = -1, count = 0;
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		int pid = atoi(name);
		if (pid <= 0)
			continue;
		char path[64], *comm = NULL;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if (g_file_get_contents(path, &comm, NULL, NULL) && g_str_has_prefix(comm, "WebKitWebProces") &&
		    descends_from(pid, getpid())) {
			found = pid;
			count++;
		}
		g_free(comm);
	}
	if (d)
		g_dir_close(d);
	return count == 1 ? found : -1;
}

/* Heap-allocated and shared with the callback: if the wait gives up, the
 * late callback frees it instead of writing into a dead stack frame. */
typedef struct snap_ctx {
	char *path;
	int done, rc, abandoned;
} snap_ctx;

static void snap_free(snap_ctx *s)
{
	g_free(s->path);
	g_free(s);
}

static void snap_done(GObject *src, GAsyncResult *res, gpointer data)
{
	snap_ctx *s = data;
	GError *err = NULL;
	cairo_surface_t *surf = webkit_web_view_get_snapshot_finish(WEBKIT_WEB_VIEW(src), res, &err);
	if (!s->abandoned)
		s->rc = surf && cairo_surface_write_to_png(surf, s->path) == CAIRO_STATUS_SUCCESS ? 0 : CG_EIO;
	if (surf)
		cairo_surface_destroy(surf);
	g_clear_error(&err);
	s->done = 1;
	if (s->abandoned)
		snap_free(s);
}

int cg_app_snapshot(cg_app *app, const char *label, const char *png_path)
{
	cg_win *w = cgr_window(app, label);
	if (!w || !png_path)
		return w ? CG_EINVAL : CG_ENOTFOUND;
	snap_ctx *s = g_new0(snap_ctx, 1);
	s->path = g_strdup(png_path);
	webkit_web_view_get_snapshot(w->view, WEBKIT_SNAPSHOT_REGION_VISIBLE, WEBKIT_SNAPSHOT_OPTIONS_NONE,
				     NULL, snap_done, s);
	/* Waits (10 s at most) so that callers get a file. */
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!s->done && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000); /* nothing ready: do not spin */
	if (!s->done) {
		s->abandoned = 1;
		return CG_ESTATE;
	}
	int rc = s->rc;
	snap_free(s);
	return rc;
}

/* ------------------------------------------------------------- windows */

void *cg_app_gtk_window(cg_app *app, const char *label)
{
	cg_win *w = cgr_window(app, label);
	return w ? w->window : NULL;
}
