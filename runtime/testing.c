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

/* CAPGATE_BENCH=1: what WebKit alone costs, with no bridge, no router and
 * no policy, for make bench to print beside capgate's own path:
 *   capgate_bare            a message handler that answers "1null" at once
 *                           (in the page's world and the transport's);
 *   capgate_bare_src        a message handler that answers N bytes (the
 *                           message is N) the only way a message can carry
 *                           them: "2" and their base64, made per call;
 *   capgate_bare_json       one that answers "1" and a JSON string of N
 *                           characters, made per call;
 *   capgate-bare://localhost/ping   a POST answered "1null" at once;
 *   capgate-bare://localhost/sink   a POST whose body is read whole into a
 *                           fresh buffer, answered with its length;
 *   capgate-bare://localhost/src?n=N  N bytes from memory.
 * The bytes are bench_byte(i) = (i * 7 + 3) & 255, as the bench checks. */

static guint8 *bench_bytes;
static size_t bench_bytes_len;

static const guint8 *bench_pattern(size_t n)
{
	if (n > bench_bytes_len) {
		g_free(bench_bytes);
		bench_bytes = g_malloc(n ? n : 1);
		for (size_t i = 0; i < n; i++)
			bench_bytes[i] = (guint8)((i * 7 + 3) & 255);
		bench_bytes_len = n;
	}
	return bench_bytes;
}

/* The most the floor makes: twice the default binary limit. */
#define BENCH_MAX ((size_t)128 << 20)

static void bench_answer(WebKitURISchemeRequest *req, GBytes *body, const char *type)
{
	GInputStream *in = g_memory_input_stream_new_from_bytes(body);
	WebKitURISchemeResponse *resp = webkit_uri_scheme_response_new(in, (gint64)g_bytes_get_size(body));
	SoupMessageHeaders *h = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
	soup_message_headers_append(h, "Access-Control-Allow-Origin", "*");
	soup_message_headers_set_content_type(h, type, NULL);
	webkit_uri_scheme_response_set_http_headers(resp, h);
	webkit_uri_scheme_request_finish_with_response(req, resp);
	g_object_unref(resp);
	g_object_unref(in);
}

static void on_bench_scheme(WebKitURISchemeRequest *req, gpointer data)
{
	const char *path = webkit_uri_scheme_request_get_path(req);
	GBytes *out = NULL;
	if (g_strcmp0(path, "/sink") == 0) {
		/* Only this bench's own page posts here, and never a Blob:
		 * WebKitGTK 2.50 crashes reading a Blob body (docs/ARCHITECTURE.md). */
		GInputStream *body = webkit_uri_scheme_request_get_http_body(req);
		size_t cap = 64 * 1024, n = 0;
		guint8 *buf = g_malloc(cap);
		gsize got = 0;
		while (body && g_input_stream_read_all(body, buf + n, cap - n, &got, NULL, NULL) && got == cap - n &&
		       cap < BENCH_MAX) {
			n += got;
			cap *= 2;
			buf = g_realloc(buf, cap);
		}
		n += got;
		g_free(buf);
		if (body)
			g_object_unref(body);
		char *txt = g_strdup_printf("1%zu", n);
		out = g_bytes_new_take(txt, strlen(txt));
	} else if (g_strcmp0(path, "/src") == 0) {
		const char *q = webkit_uri_scheme_request_get_uri(req);
		q = strstr(q, "?n=");
		size_t n = q ? strtoul(q + 3, NULL, 10) : 0;
		n = n > BENCH_MAX ? BENCH_MAX : n;
		out = g_bytes_new_static(bench_pattern(n), n);
		bench_answer(req, out, "application/octet-stream");
		g_bytes_unref(out);
		return;
	} else {
		out = g_bytes_new_static("1null", 5);
	}
	bench_answer(req, out, "text/plain");
	g_bytes_unref(out);
}

static gboolean on_bare(WebKitUserContentManager *ucm, JSCValue *value, WebKitScriptMessageReply *reply,
			gpointer data)
{
	JSCValue *v = jsc_value_new_string(jsc_value_get_context(value), "1null");
	webkit_script_message_reply_return_value(reply, v);
	g_object_unref(v);
	return TRUE;
}

static gboolean on_bare_src(WebKitUserContentManager *ucm, JSCValue *value, WebKitScriptMessageReply *reply,
			    gpointer data)
{
	double d = jsc_value_is_number(value) ? jsc_value_to_double(value) : 0;
	size_t n = d > 0 && d < (double)BENCH_MAX ? (size_t)d : 0;
	char *b64 = g_base64_encode(bench_pattern(n), n);
	char *s = g_strconcat("2", b64, NULL);
	g_free(b64);
	JSCValue *v = jsc_value_new_string(jsc_value_get_context(value), s);
	g_free(s);
	webkit_script_message_reply_return_value(reply, v);
	g_object_unref(v);
	return TRUE;
}

static gboolean on_bare_json(WebKitUserContentManager *ucm, JSCValue *value, WebKitScriptMessageReply *reply,
			     gpointer data)
{
	double d = jsc_value_is_number(value) ? jsc_value_to_double(value) : 0;
	size_t n = d > 0 && d < (double)BENCH_MAX ? (size_t)d : 0;
	char *s = g_malloc(n + 4);
	s[0] = '1';
	s[1] = '"';
	memset(s + 2, 'x', n);
	s[n + 2] = '"';
	s[n + 3] = 0;
	JSCValue *v = jsc_value_new_string(jsc_value_get_context(value), s);
	g_free(s);
	webkit_script_message_reply_return_value(reply, v);
	g_object_unref(v);
	return TRUE;
}

void cgr_testing_register_schemes(cg_app *app)
{
	if (!g_getenv("CAPGATE_BENCH"))
		return;
	webkit_web_context_register_uri_scheme(app->ctx, "capgate-bare", on_bench_scheme, app, NULL);
	WebKitSecurityManager *bsm = webkit_web_context_get_security_manager(app->ctx);
	webkit_security_manager_register_uri_scheme_as_secure(bsm, "capgate-bare");
	webkit_security_manager_register_uri_scheme_as_cors_enabled(bsm, "capgate-bare");
}

void cgr_testing_attach(cg_win *w)
{
	if (!g_getenv("CAPGATE_BENCH"))
		return;
	/* In both worlds: make bench compares the page's and the
	 * transport's round trips. */
	static const char *const names[] = {"capgate_bare", "capgate_bare_src", "capgate_bare_json"};
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		webkit_user_content_manager_register_script_message_handler_with_reply(w->ucm, names[i], NULL);
		webkit_user_content_manager_register_script_message_handler_with_reply(w->ucm, names[i], CGR_WORLD);
	}
	g_signal_connect(w->ucm, "script-message-with-reply-received::capgate_bare", G_CALLBACK(on_bare), w);
	g_signal_connect(w->ucm, "script-message-with-reply-received::capgate_bare_src", G_CALLBACK(on_bare_src), w);
	g_signal_connect(w->ucm, "script-message-with-reply-received::capgate_bare_json", G_CALLBACK(on_bare_json), w);
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

int cg_app_lose_handovers(cg_app *app, const char *label, int n)
{
	cg_win *w = cgr_window(app, label);
	if (!w)
		return CG_ENOTFOUND;
	w->lose_handovers = n > 0 ? n : 0;
	return 0;
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
