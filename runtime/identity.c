/*
 * Who a message speaks for. The transport (runtime/transport.js) runs in
 * the "capgate" script world, where the message handlers are registered,
 * so no page code can post to the core at all; each message still starts
 * with a key, and the key alone says which identity judges it:
 *
 *   the document's key   the window's top frame: the router webview with
 *                        the window's labels and the URI WebKit committed.
 *                        Made when a document commits in the main frame and
 *                        given to the transport of that frame only
 *                        (evaluated in the world of the main frame), then
 *                        and again whenever a transport starts without it
 *                        and says capgate_hello (a hand-over made at commit
 *                        that WebKit evaluated before the new document's
 *                        window existed would be lost with the old one:
 *                        seen as a page whose calls never left; the transport
 *                        says it again while calls wait); the next commit
 *                        replaces it, so a message still on its way from a
 *                        replaced document is refused.
 *   a frame key          a sub-frame of an origin that security.frames
 *                        lists: the frame's transport asks for it with a
 *                        POST to capgate-frame://localhost/key, and the
 *                        core binds it to the Origin header that WebCore
 *                        puts on that request (scheme://host:port, never a
 *                        path; no page can choose it). One router webview
 *                        per origin, at most CGR_FRAME_ORIGINS per
 *                        document, all dropped when the top frame commits.
 *
 * Anything else is refused before the router sees it.
 */
#include "runtime.h"

#include <string.h>

#define FRAME_SCHEME "capgate-frame"
#define FRAME_KEY_URL FRAME_SCHEME "://localhost/key"
/* An Origin header is short: scheme, host, port. */
#define ORIGIN_MAX 512

typedef struct cgr_frame {
	char *origin;             /* scheme://host[:port] */
	char *key;
	cg_webview *wv;
} cgr_frame;

static void frame_free(gpointer p)
{
	cgr_frame *f = p;
	if (f->key)
		explicit_bzero(f->key, strlen(f->key));
	g_free(f->key);
	g_free(f->origin);
	g_free(f);
}

GHashTable *cgr_frames_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, NULL, frame_free);
}

const char *cgr_frame_key_url(void) { return FRAME_KEY_URL; }

/* 128 random bits from the kernel's CSPRNG, as base64 (24 characters). */
static char *new_key(void)
{
	guint8 raw[16];
	if (cg_random(raw, sizeof(raw)) < 0)
		return NULL;
	char *k = g_base64_encode(raw, sizeof(raw));
	explicit_bzero(raw, sizeof(raw));
	return k;
}

static void forget_key(cg_win *w)
{
	if (w->doc_key)
		explicit_bzero(w->doc_key, strlen(w->doc_key));
	g_free(w->doc_key);
	w->doc_key = NULL;
}

void cgr_identity_drop(cg_win *w)
{
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, w->frames);
	while (g_hash_table_iter_next(&it, NULL, &v))
		cg_router_remove_webview(w->app->r, ((cgr_frame *)v)->wv);
	g_hash_table_remove_all(w->frames);
	forget_key(w);
}

/* The main frame's world only: WebKit evaluates nothing in sub-frames.
 * If the transport has not run yet, it finds the key in a global of its
 * world when it does. */
static void hand_over(cg_win *w)
{
	if (!w->doc_key || !w->view)
		return;
	if (w->lose_handovers > 0) {
		w->lose_handovers--;
		return;
	}
	char *js = g_strdup_printf("globalThis.__capgateTransport ? __capgateTransport.setKey('%s') "
				   ": (globalThis.__capgateKey = '%s'), void 0",
				   w->doc_key, w->doc_key);
	webkit_web_view_evaluate_javascript(w->view, js, -1, CGR_WORLD, NULL, NULL, NULL, NULL);
	explicit_bzero(js, strlen(js));
	g_free(js);
}

void cgr_identity_new_document(cg_win *w)
{
	cgr_identity_drop(w);
	w->doc_key = new_key();
	if (!w->doc_key)
		cgr_log("window \"%s\": getrandom failed: this page cannot call commands", w->label);
	hand_over(w);
}

/* capgate_hello: a transport without its key. The answer is nothing: the
 * key goes to the main frame only, whichever frame asked. */
static gboolean on_hello(WebKitUserContentManager *ucm, JSCValue *value, WebKitScriptMessageReply *reply,
			 gpointer data)
{
	JSCValue *v = jsc_value_new_string(jsc_value_get_context(value), "1null");
	webkit_script_message_reply_return_value(reply, v);
	g_object_unref(v);
	hand_over(data);
	return TRUE;
}

void cgr_identity_attach(cg_win *w)
{
	webkit_user_content_manager_register_script_message_handler_with_reply(w->ucm, "capgate_hello", CGR_WORLD);
	g_signal_connect(w->ucm, "script-message-with-reply-received::capgate_hello", G_CALLBACK(on_hello), w);
}

/* Whether text starts with key and "\n"; in constant time over the key. */
static bool has_key(const char *text, size_t len, const char *key)
{
	size_t k = strlen(key);
	if (len <= k || text[k] != '\n')
		return false;
	unsigned diff = 0;
	for (size_t i = 0; i < k; i++)
		diff |= (unsigned char)(text[i] ^ key[i]);
	return diff == 0;
}

cg_webview *cgr_message_webview(cg_win *w, const char *text, size_t *len, const char **msg)
{
	const char *key = NULL;
	cg_webview *wv = NULL;
	if (w->wv && w->doc_key && has_key(text, *len, w->doc_key)) {
		key = w->doc_key;
		wv = w->wv;
	} else {
		GHashTableIter it;
		gpointer v;
		g_hash_table_iter_init(&it, w->frames);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			cgr_frame *f = v;
			if (has_key(text, *len, f->key)) {
				key = f->key;
				wv = f->wv;
				break;
			}
		}
	}
	if (!wv)
		return NULL;
	size_t k = strlen(key) + 1;
	*msg = text + k;
	*len -= k;
	return wv;
}

cg_webview *cgr_top_webview_by_key(cg_win *w, const char *text, size_t len)
{
	size_t k = w->doc_key ? strlen(w->doc_key) : 0;
	if (!w->wv || !k || len != k)
		return NULL;
	unsigned diff = 0;
	for (size_t i = 0; i < k; i++)
		diff |= (unsigned char)(text[i] ^ w->doc_key[i]);
	return diff == 0 ? w->wv : NULL;
}

bool cgr_is_frame_webview(const cg_win *w, const cg_webview *wv)
{
	return wv && wv != w->wv;
}

static char *origin_of(const char *s, bool whole_url)
{
	if (!s || !*s || (!whole_url && strlen(s) > ORIGIN_MAX))
		return NULL;
	GUri *u = g_uri_parse(s, G_URI_FLAGS_NONE, NULL);
	if (!u)
		return NULL;
	const char *host = g_uri_get_host(u), *path = g_uri_get_path(u);
	char *out = NULL;
	if (host && *host && !g_uri_get_userinfo(u) &&
	    (whole_url || (!g_uri_get_query(u) && !g_uri_get_fragment(u) && (!path || !*path || strcmp(path, "/") == 0)))) {
		char *scheme = g_ascii_strdown(g_uri_get_scheme(u), -1);
		char *h = g_ascii_strdown(host, -1);
		int port = g_uri_get_port(u);
		bool dflt = port < 0 || (strcmp(scheme, "http") == 0 && port == 80) ||
			    (strcmp(scheme, "https") == 0 && port == 443);
		/* An IPv6 address keeps its brackets, as in a URL. */
		const char *lb = strchr(h, ':') ? "[" : "", *rb = *lb ? "]" : "";
		out = dflt ? g_strdup_printf("%s://%s%s%s", scheme, lb, h, rb)
			   : g_strdup_printf("%s://%s%s%s:%d", scheme, lb, h, rb, port);
		g_free(scheme);
		g_free(h);
	}
	g_uri_unref(u);
	return out;
}

/* scheme://host[:port] of an Origin header, lower case, with the scheme's
 * default port left out; NULL for "null", paths, user info or junk. */
char *cgr_origin_normalise(const char *s) { return origin_of(s, false); }

/* The same for the origin of a document's URL (path and query dropped). */
char *cgr_url_origin(const char *url) { return origin_of(url, true); }

static void answer(WebKitURISchemeRequest *req, int status, const char *origin, const char *body)
{
	gsize n = strlen(body);
	GInputStream *in = g_memory_input_stream_new_from_data(g_strdup(body), (gssize)n, g_free);
	WebKitURISchemeResponse *resp = webkit_uri_scheme_response_new(in, (gint64)n);
	webkit_uri_scheme_response_set_status(resp, (guint)status, status == 200 ? "OK" : "Forbidden");
	SoupMessageHeaders *h = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
	soup_message_headers_set_content_type(h, "text/plain", NULL);
	soup_message_headers_append(h, "Cache-Control", "no-store");
	soup_message_headers_append(h, "X-Content-Type-Options", "nosniff");
	/* Only the frame that asked may read the answer. */
	if (origin)
		soup_message_headers_append(h, "Access-Control-Allow-Origin", origin);
	webkit_uri_scheme_response_set_http_headers(resp, h);
	webkit_uri_scheme_request_finish_with_response(req, resp);
	g_object_unref(resp);
	g_object_unref(in);
}

/* The frame's key for its origin: made once per origin and document. */
static const char *frame_key(cg_win *w, const char *origin, const char **why)
{
	cgr_frame *f = g_hash_table_lookup(w->frames, origin);
	if (f)
		return f->key;
	if (g_hash_table_size(w->frames) >= CGR_FRAME_ORIGINS) {
		*why = "too many sub-frame origins";
		return NULL;
	}
	f = g_new0(cgr_frame, 1);
	f->origin = g_strdup(origin);
	f->key = new_key();
	/* Its own identity: the policy sees the frame's origin. */
	if (!f->key || cg_router_add_webview(w->app->r, w->label, w->label, origin, &f->wv) < 0) {
		*why = "out of memory";
		frame_free(f);
		return NULL;
	}
	cg_webview_set_data(f->wv, w);
	g_hash_table_insert(w->frames, f->origin, f);
	return f->key;
}

static void on_frame_scheme(WebKitURISchemeRequest *req, gpointer data)
{
	cg_app *app = data;
	WebKitWebView *view = webkit_uri_scheme_request_get_web_view(req);
	cg_win *w = view ? g_object_get_data(G_OBJECT(view), "capgate-window") : NULL;
	SoupMessageHeaders *rh = webkit_uri_scheme_request_get_http_headers(req);
	const char *given = rh ? soup_message_headers_get_one(rh, "Origin") : NULL;
	/* Echoed only when it is printable and short: it goes into a header. */
	const char *echo = NULL;
	if (given && strlen(given) <= ORIGIN_MAX) {
		echo = given;
		for (const char *p = given; *p; p++)
			if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
				echo = NULL;
	}
	char *origin = cgr_origin_normalise(given);
	if (!w || !w->wv || !w->doc_key || g_strcmp0(webkit_uri_scheme_request_get_path(req), "/key") != 0 ||
	    g_strcmp0(webkit_uri_scheme_request_get_http_method(req), "POST") != 0 || !origin) {
		if (w)
			cg_router_log(app->r, "window \"%s\": refused a frame key to %s (%s)", w->label,
				      echo ? echo : "a request without an Origin", origin ? "not a POST to /key" : "no origin");
		answer(req, 403, echo, "capgate: refused: only the window's top frame may call commands; "
				       "this sub-frame has no origin the core can check");
		g_free(origin);
		return;
	}
	const char *why = "not in security.frames", *key = NULL;
	bool listed = cg_appconfig_frame_allowed(app->cfg, origin);
	if (listed)
		key = frame_key(w, origin, &why);
	if (!key) {
		cg_router_log(app->r, "window \"%s\": refused a sub-frame at %s (%s)", w->label, origin, why);
		char *msg = !listed
			? g_strdup_printf("capgate: refused: only the window's top frame may call commands; a sub-frame "
					  "may call only when security.frames lists its origin, and %s is not listed", origin)
			: g_strdup_printf("capgate: refused: the page already has %d sub-frame origins that may call "
					  "commands, the most capgate keeps for one page (%s: %s)", CGR_FRAME_ORIGINS, origin, why);
		answer(req, 403, echo, msg);
		g_free(msg);
	} else {
		answer(req, 200, echo, key);
	}
	g_free(origin);
}

void cgr_identity_register_scheme(cg_app *app)
{
	webkit_web_context_register_uri_scheme(app->ctx, FRAME_SCHEME, on_frame_scheme, app, NULL);
	WebKitSecurityManager *sm = webkit_web_context_get_security_manager(app->ctx);
	/* CORS-enabled, so that a remote frame's transport may ask; secure, so
	 * that https pages may. */
	webkit_security_manager_register_uri_scheme_as_secure(sm, FRAME_SCHEME);
	webkit_security_manager_register_uri_scheme_as_cors_enabled(sm, FRAME_SCHEME);
}
