/*
 * The data path: capgate-ipc://localhost/call, where the transport of a
 * window's top frame (runtime/transport.js) sends binary calls as fetch
 * bodies, and where their answers come back as responses: the bytes of a
 * binary answer straight from the handler's buffer (no copy, no base64),
 * or "1"/"0" and JSON.
 *
 * Measured on WebKitGTK 2.50 (bench/README.md, "Data path"): a script
 * message carries strings only (a typed array arrives as a plain object),
 * so bytes in a message are base64, encoded in one process and decoded in
 * the other; a custom-scheme request carries its body whole, and reading
 * it here is one copy. For answers the message is the faster of the two
 * (WebKit reads a scheme response 8 KiB at a time, one IPC each), which is
 * why only answers to calls that came this way come back this way.
 *
 * Who calls: the request's web view says which window, and the
 * Capgate-Key header must be that window's top document's key, which only
 * the transport of that document holds (identity.c); the Origin header,
 * which WebCore sets and no page can, must be that document's origin. A
 * sub-frame's key is refused here: its page may know it, and WebKitGTK
 * 2.50 crashes the process that reads a request body made of a Blob
 * (webkit_uri_scheme_request_get_http_body), so no body is read unless
 * the request is the transport's own. The body's size (Capgate-Length)
 * is checked against limits.binary_size before a byte of it is read, and
 * exactly that many are read. Then the router judges the call as any
 * other: the policy, and under the isolation pattern the seal. Requests
 * from any frame whose document is not the app's own never get here: a
 * content rule stops them in the web process (cgr_ipc_filter_init).
 */
#include "runtime.h"

#include <errno.h>
#include <stdatomic.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#define IPC_SCHEME "capgate-ipc"

static void respond(WebKitURISchemeRequest *req, guint status, const char *origin, GBytes *body,
		    const char *type)
{
	GInputStream *in = g_memory_input_stream_new_from_bytes(body);
	WebKitURISchemeResponse *resp = webkit_uri_scheme_response_new(in, (gint64)g_bytes_get_size(body));
	webkit_uri_scheme_response_set_status(resp, status, status == 200 ? "OK" : "Forbidden");
	SoupMessageHeaders *h = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
	soup_message_headers_set_content_type(h, type, NULL);
	soup_message_headers_append(h, "Cache-Control", "no-store");
	soup_message_headers_append(h, "X-Content-Type-Options", "nosniff");
	/* Only the document that asked may read it. */
	if (origin) {
		soup_message_headers_append(h, "Access-Control-Allow-Origin", origin);
		soup_message_headers_append(h, "Vary", "Origin");
	}
	webkit_uri_scheme_response_set_http_headers(resp, h);
	webkit_uri_scheme_request_finish_with_response(req, resp);
	g_object_unref(resp);
	g_object_unref(in);
}

static void respond_text(WebKitURISchemeRequest *req, guint status, const char *origin, const char *text)
{
	GBytes *b = g_bytes_new(text, strlen(text));
	respond(req, status, origin, b, "text/plain; charset=utf-8");
	g_bytes_unref(b);
}

/* A refusal the page's invoke rejects with: "0" and the message as JSON. */
static void refuse(WebKitURISchemeRequest *req, const char *origin, const char *why)
{
	json_object *s = json_object_new_string(why);
	char *t = g_strconcat("0", json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN), NULL);
	respond_text(req, 200, origin, t);
	g_free(t);
	json_object_put(s);
}

void cgr_ipc_reply(cgr_pending *p, int ok, const char *json, size_t len)
{
	GByteArray *a = g_byte_array_sized_new((guint)len + 1);
	g_byte_array_append(a, (const guint8 *)(ok ? "1" : "0"), 1);
	g_byte_array_append(a, (const guint8 *)json, (guint)len);
	GBytes *b = g_byte_array_free_to_bytes(a);
	respond(p->request, 200, p->origin, b, "text/plain; charset=utf-8");
	g_bytes_unref(b);
	cgr_pending_free(p);
}

static void bytes_unref(gpointer b) { cg_bytes_unref(b); }

void cgr_ipc_reply_bytes(cgr_pending *p, cg_bytes *bytes)
{
	size_t n = 0;
	const void *data = cg_bytes_data(bytes, &n);
	/* WebKit reads the handler's own buffer: no copy here. */
	GBytes *b = g_bytes_new_with_free_func(data, n, bytes_unref, cg_bytes_ref(bytes));
	respond(p->request, 200, p->origin, b, "application/octet-stream");
	g_bytes_unref(b);
	cgr_pending_free(p);
}

void cgr_ipc_drop(cgr_pending *p)
{
	GError *e = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "capgate: the page is gone");
	webkit_uri_scheme_request_finish_error(p->request, e);
	g_error_free(e);
	cgr_pending_free(p);
}

/* A decimal count with nothing else, or -1. */
static gint64 parse_length(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return -1;
	for (const char *c = s; *c; c++)
		if (*c < '0' || *c > '9')
			return -1;
	return g_ascii_strtoll(s, NULL, 10);
}

/*
 * limits.binary_in_flight: what a window's data path holds at once. Each
 * body admitted counts from before it is read until the router frees it
 * (its call answered, refused or timed out), whichever thread that is on;
 * the check is made on the main loop only, so the count it reads can only
 * have gone down since. WebKit's own copy of a body lives about as long
 * (until the answer), so the core holds about twice this at most.
 */
struct cgr_budget {
	atomic_uint ref;
	atomic_size_t used;
};

cgr_budget *cgr_budget_new(void)
{
	cgr_budget *b = g_new0(cgr_budget, 1);
	atomic_init(&b->ref, 1);
	atomic_init(&b->used, 0);
	return b;
}

void cgr_budget_unref(cgr_budget *b)
{
	if (b && atomic_fetch_sub(&b->ref, 1) == 1)
		g_free(b);
}

/* A body is allocated behind a header that says whose budget it counts
 * against; BODY_HEAD keeps the body as aligned as malloc's memory. */
typedef struct {
	cgr_budget *budget;
	size_t n;
} body_head;
#define BODY_HEAD (sizeof(body_head) > 16 ? 32 : 16)

static void body_release(void *body)
{
	if (!body)
		return;
	body_head *h = (body_head *)(void *)((char *)body - BODY_HEAD);
	if (h->budget) {
		atomic_fetch_sub(&h->budget->used, h->n);
		cgr_budget_unref(h->budget);
	}
	g_free(h);
}

static size_t budget_limit(cg_app *app)
{
	size_t set = cg_appconfig_binary_in_flight(app->cfg);
	size_t one = cg_router_get_limit(app->r, CG_RLIMIT_BINARY_SIZE);
	size_t lim = set ? set : CG_BINARY_IN_FLIGHT_DEFAULT;
	return lim < one ? one : lim;
}

/* Reads exactly n bytes of the body into a new buffer counted against b;
 * NULL (and *why) when it is shorter or longer. Free it with
 * body_release. */
static void *read_body(WebKitURISchemeRequest *req, size_t n, cgr_budget *b, const char **why)
{
	GInputStream *in = n ? webkit_uri_scheme_request_get_http_body(req) : NULL;
	body_head *h = n <= G_MAXSIZE - BODY_HEAD ? g_try_malloc(BODY_HEAD + n) : NULL;
	void *buf = h ? (char *)h + BODY_HEAD : NULL;
	if (h) {
		h->budget = b;
		h->n = n;
		atomic_fetch_add(&b->ref, 1);
		atomic_fetch_add(&b->used, n);
	}
	if (!buf) {
		*why = "capgate: refused: out of memory for the body";
		g_clear_object(&in);
		return NULL;
	}
	gsize got = 0;
	char extra;
	gsize more = 0;
	if (n && (!in || !g_input_stream_read_all(in, buf, n, &got, NULL, NULL) || got != n ||
		  !g_input_stream_read_all(in, &extra, 1, &more, NULL, NULL) || more != 0)) {
		*why = "capgate: refused: the body is not as long as Capgate-Length says";
		body_release(buf);
		buf = NULL;
	}
	g_clear_object(&in);
	return buf;
}

static void on_ipc(WebKitURISchemeRequest *req, gpointer data)
{
	cg_app *app = data;
	WebKitWebView *view = webkit_uri_scheme_request_get_web_view(req);
	cg_win *w = view ? g_object_get_data(G_OBJECT(view), "capgate-window") : NULL;
	SoupMessageHeaders *h = webkit_uri_scheme_request_get_http_headers(req);
	const char *origin = h ? soup_message_headers_get_one(h, "Origin") : NULL;
	const char *key = h ? soup_message_headers_get_one(h, "Capgate-Key") : NULL;
	cg_webview *wv = w && key ? cgr_top_webview_by_key(w, key, strlen(key)) : NULL;
	/* The document's origin as WebKit committed it, and as WebCore put
	 * it on this request. */
	char *want = wv && w->view ? cgr_url_origin(webkit_web_view_get_uri(w->view)) : NULL;
	char *given = cgr_origin_normalise(origin);
	bool post = g_strcmp0(webkit_uri_scheme_request_get_http_method(req), "POST") == 0;
	if (!wv || !want || g_strcmp0(want, given) != 0 || !post ||
	    g_strcmp0(webkit_uri_scheme_request_get_path(req), "/call") != 0) {
		if (w)
			cg_router_log(app->r, "window \"%s\": refused a data-path request from %s (%s)", w->label,
				      given ? given : "a request without an Origin",
				      !key ? "no key" : !wv ? "not the key of the window's top document"
					      : !post ? "not a POST" : "not the top document's origin or path");
		g_free(want);
		g_free(given);
		/* No CORS header: the page learns nothing from it. */
		respond_text(req, 403, NULL, "capgate: refused");
		return;
	}
	g_free(want);
	const char *call = soup_message_headers_get_one(h, "Capgate-Call");
	const char *sealed = soup_message_headers_get_one(h, "Capgate-Sealed");
	gint64 n = parse_length(soup_message_headers_get_one(h, "Capgate-Length"));
	size_t max = cg_router_get_limit(app->r, CG_RLIMIT_BINARY_SIZE);
	/* A sealed body also holds its message, a NUL and the tag (the
	 * router counts the bytes once it has opened it). */
	size_t slack = sealed ? cg_router_get_limit(app->r, CG_RLIMIT_MESSAGE_SIZE) + 17 : 0;
	if ((call == NULL) == (sealed == NULL) || n < 0) {
		refuse(req, given, "capgate: refused: malformed binary call (Capgate-Call or Capgate-Sealed, and "
				   "Capgate-Length)");
		g_free(given);
		return;
	}
	/* Before a byte of the body is read. */
	if ((guint64)n > max + slack) {
		char *why = g_strdup_printf("capgate: refused: a binary call of %" G_GINT64_FORMAT " bytes is larger "
					    "than limits.binary_size (%zu bytes); send big data through a channel, "
					    "in pieces", n, max);
		cg_router_log(app->r, "window \"%s\": %s", w->label, why + strlen("capgate: "));
		refuse(req, given, why);
		g_free(why);
		g_free(given);
		return;
	}
	/* And the window's bytes in flight, also before a byte is read. */
	size_t lim = budget_limit(app), used = atomic_load(&w->budget->used);
	if ((guint64)n > lim || used > lim - (size_t)n) {
		char *why = g_strdup_printf("capgate: refused: a binary call of %" G_GINT64_FORMAT " bytes would put "
					    "%zu bytes in flight in this window, more than "
					    "limits.binary_in_flight (%zu bytes); wait for the calls in flight "
					    "to be answered, or send big data through a channel, in pieces",
					    n, used + (size_t)n, lim);
		cg_router_log(app->r, "window \"%s\": %s", w->label, why + strlen("capgate: "));
		refuse(req, given, why);
		g_free(why);
		g_free(given);
		return;
	}
	char *msg = g_uri_unescape_string(call ? call : sealed, NULL);
	const char *why = NULL;
	void *body = msg ? read_body(req, (size_t)n, w->budget, &why) : NULL;
	if (!body) {
		refuse(req, given, msg ? why : "capgate: refused: malformed binary call (its header is not URI-encoded)");
		g_free(msg);
		g_free(given);
		return;
	}
	cgr_pending *p = g_new0(cgr_pending, 1);
	p->request = g_object_ref(req);
	p->origin = given;
	p->app = app;
	cg_router_invoke_body(app->r, wv, msg, strlen(msg), body, (size_t)n, body_release, p);
	g_free(msg);
}

void cgr_ipc_register_scheme(cg_app *app)
{
	webkit_web_context_register_uri_scheme(app->ctx, IPC_SCHEME, on_ipc, app, NULL);
	WebKitSecurityManager *sm = webkit_web_context_get_security_manager(app->ctx);
	/* Secure, so that https pages' transports may fetch it; CORS-enabled,
	 * so that a fetch from any page's origin is allowed at all. */
	webkit_security_manager_register_uri_scheme_as_secure(sm, IPC_SCHEME);
	webkit_security_manager_register_uri_scheme_as_cors_enabled(sm, IPC_SCHEME);
}

/*
 * WebKit carries a request's whole body into this process before a scheme
 * handler runs, so refusing a stranger's POST in on_ipc comes too late: a
 * remote page's keyless 256 MiB no-cors fetch cost the core 512 MiB
 * (tests/test_runtime_hostile.c, remote_body_costs_the_core_nothing). Content rules
 * are matched in the web process, before the request leaves it, so these
 * stop it there: capgate-ipc:// loads from any frame whose document is not
 * the app's own are blocked (the transport sends the data path from the
 * app's top documents only, transport.js). Registering the scheme as
 * local would also stop them, but WebKit then lets only local origins
 * load it, which the app's pages are not unless capgate:// is made local
 * too, and that changes how same-app frames reach each other
 * (docs/ARCHITECTURE.md, "Trust model").
 */
static const char filter_rules[] =
	"[{\"trigger\":{\"url-filter\":\"^capgate-ipc:\"},\"action\":{\"type\":\"block\"}},"
	"{\"trigger\":{\"url-filter\":\"^capgate-ipc:\",\"if-frame-url\":[\"^capgate://localhost/\"]},"
	"\"action\":{\"type\":\"ignore-previous-rules\"}}]";

typedef struct {
	WebKitUserContentFilter *filter;
	GError *err;
	bool done;
} filter_wait;

static void on_filter_saved(GObject *src, GAsyncResult *res, gpointer data)
{
	filter_wait *fw = data;
	fw->filter = webkit_user_content_filter_store_save_finish(WEBKIT_USER_CONTENT_FILTER_STORE(src), res, &fw->err);
	fw->done = true;
}

static void remove_tree(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, name, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			remove_tree(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
}

int cgr_ipc_filter_init(cg_app *app, cg_diag *d)
{
	/* WebKit compiles rules into a store on disk and maps them from there;
	 * the mapping outlives the file, so the directory goes at once. */
	char *dir = g_dir_make_tmp("capgate-rules-XXXXXX", NULL);
	if (!dir) {
		cg_diag_add_message(d, CG_SEV_ERROR, CG_ESTATE, NULL, 0, 0, NULL, "check that TMPDIR is writable",
				    "cannot make a directory for WebKit's content rules");
		return CG_ESTATE;
	}
	WebKitUserContentFilterStore *store = webkit_user_content_filter_store_new(dir);
	GBytes *src = g_bytes_new_static(filter_rules, sizeof(filter_rules) - 1);
	filter_wait fw = {0};
	webkit_user_content_filter_store_save(store, "capgate-ipc", src, NULL, on_filter_saved, &fw);
	while (!fw.done)
		g_main_context_iteration(NULL, TRUE);
	g_bytes_unref(src);
	g_object_unref(store);
	remove_tree(dir);
	g_free(dir);
	if (!fw.filter) {
		char *m = g_strdup_printf("WebKit refused capgate's content rules: %s",
					  fw.err ? fw.err->message : "unknown error");
		cg_diag_add_message(d, CG_SEV_ERROR, CG_ESTATE, NULL, 0, 0, NULL,
				    "this WebKitGTK is too old for capgate (2.50 or newer is needed)", m);
		g_free(m);
		g_clear_error(&fw.err);
		return CG_ESTATE;
	}
	app->ipc_filter = fw.filter;
	return 0;
}

void cgr_ipc_filter_attach(cg_app *app, WebKitUserContentManager *ucm)
{
	if (app->ipc_filter)
		webkit_user_content_manager_add_filter(ucm, app->ipc_filter);
}
