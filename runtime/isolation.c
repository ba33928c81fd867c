/*
 * The isolation pattern, the runtime's part (docs/isolation.md): the
 * per-launch isolation origin and its scheme, the key's way into the
 * isolation frame, the CSP that lets pages frame it, and the handshake
 * that gives each new frame a new epoch. The router does the opening
 * (engine/router/isolation.c); the frame does the sealing (isolation.js).
 *
 * Where the key goes, and where it does not: it is in the router, and in
 * one user script per window whose allow-list is the isolation origin, so
 * WebKit injects it into documents of that origin only. It is never in a
 * response of any scheme, so no page can fetch it, and the frame is
 * sandboxed without allow-same-origin, so no page can script it.
 */
#include "runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

extern const char cg_isolation_js[];

#define ISOLATION_SCHEME "capgate-isolation"
/* The frame runs the app's inline scripts and ours; nothing else loads. */
#define ISOLATION_CSP "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"

static void fail(WebKitURISchemeRequest *req, const char *msg)
{
	GError *e = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_NOT_FOUND, msg);
	webkit_uri_scheme_request_finish_error(req, e);
	g_error_free(e);
}

/* Serves the isolation app's index.html, and only that, at this launch's
 * origin: another host (a guess, or an old launch's) finds nothing. */
static void on_isolation_scheme(WebKitURISchemeRequest *req, gpointer data)
{
	cg_app *app = data;
	GUri *u = g_uri_parse(webkit_uri_scheme_request_get_uri(req), G_URI_FLAGS_NONE, NULL);
	const char *host = u ? g_uri_get_host(u) : NULL, *path = u ? g_uri_get_path(u) : NULL;
	bool ok = host && g_strcmp0(host, app->iso_id) == 0 &&
		  (g_strcmp0(path, "/") == 0 || g_strcmp0(path, "/index.html") == 0 || g_strcmp0(path, "") == 0);
	if (u)
		g_uri_unref(u);
	gchar *html = NULL;
	gsize len = 0;
	if (!ok || !g_file_get_contents(app->iso_index, &html, &len, NULL)) {
		fail(req, "not found");
		return;
	}
	GInputStream *in = g_memory_input_stream_new_from_data(html, (gssize)len, g_free);
	WebKitURISchemeResponse *resp = webkit_uri_scheme_response_new(in, (gint64)len);
	SoupMessageHeaders *h = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
	soup_message_headers_append(h, "Content-Security-Policy", ISOLATION_CSP);
	soup_message_headers_append(h, "X-Content-Type-Options", "nosniff");
	soup_message_headers_append(h, "Cache-Control", "no-store");
	soup_message_headers_set_content_type(h, "text/html", NULL);
	webkit_uri_scheme_response_set_http_headers(resp, h);
	webkit_uri_scheme_request_finish_with_response(req, resp);
	g_object_unref(resp);
	g_object_unref(in);
}

static char *hex(const unsigned char *b, size_t n)
{
	char *s = g_malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++)
		g_snprintf(s + 2 * i, 3, "%02x", b[i]);
	return s;
}

int cgr_isolation_init(cg_app *app, cg_diag *d)
{
	const char *dir = cg_appconfig_isolation_dir(app->cfg);
	if (!dir)
		return 0;
	char *index = g_build_filename(dir, "index.html", NULL);
	gchar *html = NULL;
	if (!g_file_get_contents(index, &html, NULL, NULL)) {
		cg_diag_add_message(d, CG_SEV_ERROR, CG_EIO, index, 0, 0, NULL,
				    "create it: the isolation app is one index.html with inline scripts",
				    "the isolation pattern is on, but its index.html cannot be read");
		g_free(index);
		return CG_EIO;
	}
	/* A static check for a clear error at start; the frame checks again
	 * at run time and refuses every call when the hook is not a function. */
	bool hook = strstr(html, "__TAURI_ISOLATION_HOOK__") != NULL;
	g_free(html);
	if (!hook) {
		cg_diag_add_message(d, CG_SEV_ERROR, CG_ESCHEMA, index, 0, 0, NULL,
				    "define it in an inline script: window.__TAURI_ISOLATION_HOOK__ = (message) => message",
				    "the isolation app does not define __TAURI_ISOLATION_HOOK__");
		g_free(index);
		return CG_ESCHEMA;
	}
	int rc = cg_router_set_isolation(app->r, NULL, 0);
	unsigned char key[CG_SEAL_KEY_BYTES], id[16];
	if (rc == 0)
		rc = cg_router_isolation_key(app->r, key, sizeof(key));
	if (rc == 0 && cg_random(id, sizeof(id)) < 0)
		rc = CG_EIO;
	if (rc < 0) {
		char *m = g_strdup_printf("cannot make the isolation key: %s", cg_strerror(rc));
		cg_diag_add_message(d, CG_SEV_ERROR, rc, NULL, 0, 0, NULL, NULL, m);
		g_free(m);
		g_free(index);
		return rc;
	}
	app->iso_index = index;
	app->iso_key = g_base64_encode(key, sizeof(key));
	explicit_bzero(key, sizeof(key));
	app->iso_id = hex(id, sizeof(id));
	app->iso_origin = g_strconcat(ISOLATION_SCHEME "://", app->iso_id, NULL);
	return 0;
}

void cgr_isolation_register_scheme(cg_app *app)
{
	if (!app->iso_origin)
		return;
	webkit_web_context_register_uri_scheme(app->ctx, ISOLATION_SCHEME, on_isolation_scheme, app, NULL);
	WebKitSecurityManager *sm = webkit_web_context_get_security_manager(app->ctx);
	/* Secure, so that WebCrypto is there; not CORS-enabled, so that no
	 * page can fetch from it. */
	webkit_security_manager_register_uri_scheme_as_secure(sm, ISOLATION_SCHEME);
}

bool cgr_is_isolation_url(const cg_app *app, const char *uri)
{
	size_t n = app->iso_origin ? strlen(app->iso_origin) : 0;
	return n && uri && strncmp(uri, app->iso_origin, n) == 0 && (uri[n] == '/' || uri[n] == 0);
}

/* "{ const __CAPGATE_ISOLATION__ = {...}; <isolation.js> }" */
static char *frame_script(cg_app *app, const char *label)
{
	json_object *m = json_object_new_object();
	json_object_object_add(m, "key", json_object_new_string(app->iso_key));
	json_object_object_add(m, "webview", json_object_new_string(label));
	char *src = g_strdup_printf("{\nconst __CAPGATE_ISOLATION__ = %s;\n%s\n}",
				    json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN), cg_isolation_js);
	json_object_put(m);
	return src;
}

/* capgate_seal: KEY + "ready" | "nohook", from the top frame's transport
 * when its isolation frame has (re)loaded. The answer is the webview's
 * new epoch. Only the transport can send it (the handler is in its
 * world), and a page that restarts its isolation frame at will only makes
 * its own sealed messages in flight stop opening. */
static gboolean on_seal_message(WebKitUserContentManager *ucm, JSCValue *value,
				WebKitScriptMessageReply *reply, gpointer data)
{
	cg_win *w = data;
	char *text = jsc_value_is_string(value) ? jsc_value_to_string(value) : NULL;
	size_t len = text ? strlen(text) : 0;
	const char *msg = NULL;
	cg_webview *wv = text && w->wv ? cgr_message_webview(w, text, &len, &msg) : NULL;
	if (!wv || wv != w->wv || (strcmp(msg, "ready") != 0 && strcmp(msg, "nohook") != 0)) {
		webkit_script_message_reply_return_error_message(reply,
			"capgate: refused: only the window's top frame starts the isolation frame");
		g_free(text);
		return TRUE;
	}
	if (strcmp(msg, "nohook") == 0)
		cgr_log("window \"%s\": the isolation app %s does not define __TAURI_ISOLATION_HOOK__: "
			"every call is refused", w->label, w->app->iso_index);
	int64_t epoch = cg_webview_new_epoch(wv);
	if (epoch < 0) {
		webkit_script_message_reply_return_error_message(reply, cg_strerror((int)epoch));
	} else {
		char out[32];
		g_snprintf(out, sizeof(out), "1%" G_GINT64_FORMAT, epoch);
		JSCValue *v = jsc_value_new_string(jsc_value_get_context(value), out);
		webkit_script_message_reply_return_value(reply, v);
		g_object_unref(v);
	}
	g_free(text);
	return TRUE;
}

void cgr_isolation_attach(cg_win *w)
{
	cg_app *app = w->app;
	if (!app->iso_origin)
		return;
	webkit_user_content_manager_register_script_message_handler_with_reply(w->ucm, "capgate_seal", CGR_WORLD);
	g_signal_connect(w->ucm, "script-message-with-reply-received::capgate_seal",
			 G_CALLBACK(on_seal_message), w);
	char *pattern = g_strconcat(app->iso_origin, "/*", NULL);
	const char *allow[] = {pattern, NULL};
	char *src = frame_script(app, w->label);
	WebKitUserScript *us = webkit_user_script_new(src, WEBKIT_USER_CONTENT_INJECT_ALL_FRAMES,
						      WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, allow, NULL);
	webkit_user_content_manager_add_script(w->ucm, us);
	webkit_user_script_unref(us);
	explicit_bzero(src, strlen(src));
	g_free(src);
	g_free(pattern);
}

/* The CSP's sources for frames (frame-src, else child-src, else
 * default-src), with the isolation origin added: the app's CSP keeps
 * every other restriction. NULL when the CSP does not restrict frames. */
char *cgr_csp_allow_frame(const char *csp, const char *origin)
{
	static const char *const order[] = {"frame-src", "child-src", "default-src"};
	gchar **dirs = g_strsplit(csp, ";", -1);
	int found = -1;
	const char *sources = NULL;
	for (size_t k = 0; k < G_N_ELEMENTS(order) && found < 0; k++)
		for (int i = 0; dirs[i]; i++) {
			const char *d = dirs[i];
			while (g_ascii_isspace(*d))
				d++;
			size_t n = strlen(order[k]);
			if (g_ascii_strncasecmp(d, order[k], n) == 0 && (d[n] == 0 || g_ascii_isspace(d[n]))) {
				found = (int)k;
				sources = d + n;
				break;
			}
		}
	char *out = NULL;
	if (found >= 0) {
		/* 'none' cannot be combined with a source. */
		gchar **words = g_strsplit_set(sources, " \t\n\r\f", -1);
		GString *kept = g_string_new(NULL);
		for (int i = 0; words[i]; i++)
			if (*words[i] && g_ascii_strcasecmp(words[i], "'none'") != 0)
				g_string_append_printf(kept, " %s", words[i]);
		g_strfreev(words);
		GString *s = g_string_new(NULL);
		for (int i = 0; dirs[i]; i++) {
			const char *d = dirs[i];
			while (g_ascii_isspace(*d))
				d++;
			if (!*d || (found == 0 && g_ascii_strncasecmp(d, "frame-src", 9) == 0 &&
				    (d[9] == 0 || g_ascii_isspace(d[9]))))
				continue;
			g_string_append_printf(s, "%s%s", s->len ? "; " : "", d);
		}
		g_string_append_printf(s, "%sframe-src%s %s", s->len ? "; " : "", kept->str, origin);
		g_string_free(kept, TRUE);
		out = g_string_free(s, FALSE);
	}
	g_strfreev(dirs);
	return out;
}
