/*
 * The capgate:// scheme that serves the frontend (with the CSP), the web
 * process sandbox; the test hooks live in testing.c, built only into the test library.
 *
 * The app's files are for the app's pages: every response says
 * Cross-Origin-Resource-Policy: same-origin, and since WebKitGTK (2.50)
 * does not enforce that header on a custom scheme's responses (measured: a
 * remote page's <script src="capgate://..."> still ran), the scheme
 * enforces it too: while a window's committed document is not the app's
 * own, capgate:// answers its documents (navigations, frames) and nothing
 * else.
 */
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_CSP "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " \
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

static const char *mime_of(const char *path)
{
	static const struct { const char *ext, *mime; } m[] = {
		{".html", "text/html"}, {".js", "text/javascript"}, {".mjs", "text/javascript"},
		{".css", "text/css"}, {".json", "application/json"}, {".svg", "image/svg+xml"},
		{".png", "image/png"}, {".jpg", "image/jpeg"}, {".ico", "image/x-icon"},
		{".wasm", "application/wasm"}, {".txt", "text/plain"}, {".woff2", "font/woff2"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < G_N_ELEMENTS(m); i++)
		if (g_ascii_strcasecmp(dot, m[i].ext) == 0)
			return m[i].mime;
	return "application/octet-stream";
}

static void fail(WebKitURISchemeRequest *req, int code, const char *msg)
{
	GError *e = g_error_new_literal(G_IO_ERROR, code, msg);
	webkit_uri_scheme_request_finish_error(req, e);
	g_error_free(e);
}

/* What CORP same-origin lets through. WebKit does not say which frame
 * asked, nor for what; the committed top document says whose page it is,
 * and a document load asks for HTML (a script, style or image load never
 * does). */
static bool corp_allows(WebKitURISchemeRequest *req)
{
	WebKitWebView *view = webkit_uri_scheme_request_get_web_view(req);
	cg_win *w = view ? g_object_get_data(G_OBJECT(view), "capgate-window") : NULL;
	if (w && w->top_local)
		return true;
	SoupMessageHeaders *h = webkit_uri_scheme_request_get_http_headers(req);
	const char *accept = h ? soup_message_headers_get_one(h, "Accept") : NULL;
	bool document = accept && g_str_has_prefix(accept, "text/html");
	if (!document && w)
		cg_router_log(w->app->r, "window \"%s\": refused %s to a page that is not the app's own "
			      "(Cross-Origin-Resource-Policy: same-origin)", w->label,
			      webkit_uri_scheme_request_get_uri(req));
	return document;
}

static void on_scheme(WebKitURISchemeRequest *req, gpointer data)
{
	cg_app *app = data;
	if (!corp_allows(req)) {
		fail(req, G_IO_ERROR_PERMISSION_DENIED, "refused: Cross-Origin-Resource-Policy: same-origin");
		return;
	}
	const char *root = cg_appconfig_frontend_dir(app->cfg);
	const char *path = webkit_uri_scheme_request_get_path(req);
	char *rel = g_uri_unescape_string(path && *path ? path : "/", NULL);
	char *rootabs = root ? realpath(root, NULL) : NULL;
	if (!rel || !rootabs) {
		fail(req, G_IO_ERROR_NOT_FOUND, "no frontend directory");
		g_free(rel);
		free(rootabs);
		return;
	}
	if (g_str_has_suffix(rel, "/")) {
		char *idx = g_strconcat(rel, "index.html", NULL);
		g_free(rel);
		rel = idx;
	}
	char *joined = g_build_filename(rootabs, rel, NULL);
	char *real = realpath(joined, NULL);
	size_t rl = strlen(rootabs);
	/* Resolved, then checked: "..", symlinks and encoded slashes cannot
	 * leave the frontend directory. */
	if (!real || strncmp(real, rootabs, rl) != 0 || (real[rl] != '/' && real[rl] != 0)) {
		fail(req, G_IO_ERROR_NOT_FOUND, "not found");
		g_free(rel);
		g_free(joined);
		free(real);
		free(rootabs);
		return;
	}
	gchar *contents = NULL;
	gsize len = 0;
	if (!g_file_get_contents(real, &contents, &len, NULL)) {
		fail(req, G_IO_ERROR_NOT_FOUND, "not found");
	} else {
		GInputStream *in = g_memory_input_stream_new_from_data(contents, (gssize)len, g_free);
		WebKitURISchemeResponse *resp = webkit_uri_scheme_response_new(in, (gint64)len);
		webkit_uri_scheme_response_set_content_type(resp, mime_of(real));
		SoupMessageHeaders *h = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
		const char *csp = cg_appconfig_csp(app->cfg);
		/* Under the isolation pattern pages must be able to frame this
		 * launch's isolation origin, and nothing more. */
		char *framed = app->iso_origin ? cgr_csp_allow_frame(csp ? csp : DEFAULT_CSP, app->iso_origin) : NULL;
		soup_message_headers_append(h, "Content-Security-Policy", framed ? framed : csp ? csp : DEFAULT_CSP);
		g_free(framed);
		soup_message_headers_append(h, "X-Content-Type-Options", "nosniff");
		soup_message_headers_append(h, "Cross-Origin-Resource-Policy", "same-origin");
		/* The headers replace the response's content type: repeat it. */
		soup_message_headers_set_content_type(h, mime_of(real), NULL);
		webkit_uri_scheme_response_set_http_headers(resp, h);
		webkit_uri_scheme_request_finish_with_response(req, resp);
		g_object_unref(resp);
		g_object_unref(in);
	}
	g_free(rel);
	g_free(joined);
	free(real);
	free(rootabs);
}

void cgr_register_scheme(cg_app *app)
{
#ifdef CG_TESTING
	cgr_testing_register_schemes(app);
#endif
	webkit_web_context_register_uri_scheme(app->ctx, "capgate", on_scheme, app, NULL);
	WebKitSecurityManager *sm = webkit_web_context_get_security_manager(app->ctx);
	webkit_security_manager_register_uri_scheme_as_secure(sm, "capgate");
	webkit_security_manager_register_uri_scheme_as_cors_enabled(sm, "capgate");
}

/* WebKit's sandbox needs bubblewrap and user namespaces; a container may
 * have neither. Try it first, and say so when it cannot be used, rather
 * than let every web process fail to start. */
void cgr_setup_sandbox(cg_app *app)
{
	const char *off = g_getenv("CAPGATE_NO_SANDBOX");
	char *bwrap = g_find_program_in_path("bwrap");
	gint status = -1;
	gchar *err = NULL;
	if (bwrap && !(off && *off)) {
		char *argv[] = {bwrap, "--ro-bind", "/", "/", "--unshare-all", "--", "/bin/true", NULL};
		if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
				  &status, NULL))
			status = -1;
	}
	if (status == 0) {
		webkit_web_context_set_sandbox_enabled(app->ctx, TRUE);
		app->sandbox = true;
		cgr_log("web-process sandbox on (bubblewrap)");
	} else {
		cgr_log("web-process sandbox OFF: %s", off && *off ? "CAPGATE_NO_SANDBOX is set"
							   : !bwrap ? "bubblewrap (bwrap) is not installed"
								    : "bubblewrap cannot create namespaces here");
	}
	g_free(err);
	g_free(bwrap);
}
