/*
 * The core process: windows, the capgate:// scheme, the WebKit transport,
 * navigation policy and crash recovery. Every message from a page goes to
 * the router with the webview its key stands for (identity.c); nothing
 * else in the message says who the caller is.
 */
#include "runtime.h"
#include "corecmds.h"

#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char cg_bridge_js[];
extern const char cg_transport_js[];

/* ------------------------------------------------------------- logging */

void cgr_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("capgate: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ----------------------------------------------------------- transport */

void cgr_pending_free(cgr_pending *p)
{
	if (p->reply)
		webkit_script_message_reply_unref(p->reply);
	if (p->ctx)
		g_object_unref(p->ctx);
	if (p->request)
		g_object_unref(p->request);
	g_free(p->origin);
	g_free(p);
}

void cgr_host_invoke(cg_app *app, cg_webview *wv, const char *text, size_t len, cg_app_js_fn cb,
		     void *user)
{
	cgr_pending *p = g_new0(cgr_pending, 1);
	p->app = app;
	p->cb = cb;
	p->user = user;
	cg_router_invoke(app->r, wv, text, len, p);
}

/* A message's reply: one string, the bridge's to read (runtime/bridge.js). */
static void reply_string(cgr_pending *p, char *s)
{
	JSCValue *v = jsc_value_new_string(p->ctx, s);
	webkit_script_message_reply_return_value(p->reply, v);
	g_object_unref(v);
}

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	cgr_pending *p = req;
	if (p->request) {
		cgr_ipc_reply(p, ok, json, len);
		return;
	}
	if (p->cb) {
		char *j = g_strndup(json, len);
		p->cb(p->app, ok ? j : NULL, ok ? NULL : j, p->user);
		g_free(j);
		cgr_pending_free(p);
		return;
	}
	/* One string: '1' or '0', then the JSON of the result or error; the
	 * bridge parses it, so any JSON value travels unchanged. */
	char *s = g_malloc(len + 2);
	s[0] = ok ? '1' : '0';
	memcpy(s + 1, json, len);
	s[len + 1] = 0;
	reply_string(p, s);
	g_free(s);
	cgr_pending_free(p);
}

/* The base64 of bytes after a one-character prefix, NUL-terminated. */
static char *prefixed_base64(char prefix, const guchar *data, size_t n)
{
	size_t out = n / 3 * 4 + 8;
	char *s = g_malloc(out + 2);
	gint state = 0, save = 0;
	s[0] = prefix;
	gsize k = g_base64_encode_step(data, n, FALSE, s + 1, &state, &save);
	k += g_base64_encode_close(FALSE, s + 1 + k, &state, &save);
	s[1 + k] = 0;
	return s;
}

static void t_reply_bytes(void *user, cg_webview *wv, void *req, cg_bytes *bytes)
{
	cgr_pending *p = req;
	size_t n = 0;
	const guchar *data = cg_bytes_data(bytes, &n);
	if (p->request) {
		cgr_ipc_reply_bytes(p, bytes);
		return;
	}
	if (p->cb) {
		/* The host's JSON: the bytes as an array of numbers. */
		GString *j = g_string_sized_new(n * 4 + 2);
		g_string_append_c(j, '[');
		for (size_t i = 0; i < n; i++)
			g_string_append_printf(j, i ? ",%u" : "%u", data[i]);
		g_string_append_c(j, ']');
		p->cb(p->app, j->str, NULL, p->user);
		g_string_free(j, TRUE);
		cgr_pending_free(p);
		return;
	}
	/* A message carries strings only (typed arrays arrive as plain
	 * objects): '2' and the base64, which the bridge decodes natively. */
	char *s = prefixed_base64('2', data, n);
	reply_string(p, s);
	g_free(s);
	cgr_pending_free(p);
}

static void t_drop(void *user, void *req)
{
	cgr_pending *p = req;
	if (p->request)
		cgr_ipc_drop(p);
	else
		cgr_pending_free(p);
}


/* js += JSON text as a single-quoted JavaScript string literal. */
static void append_js_string(GString *js, const char *json, size_t len)
{
	g_string_append_c(js, '\'');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)json[i];
		if (c == '\\' || c == '\'')
			g_string_append_c(js, '\\');
		if (c == '\n')
			g_string_append(js, "\\n");
		else if (c == '\r')
			g_string_append(js, "\\r");
		else
			g_string_append_c(js, (char)c);
	}
	g_string_append_c(js, '\'');
}

static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len)
{
	cg_win *w = cg_webview_get_data(wv);
	/* Events and channels reach the top frame only: WebKit evaluates
	 * nothing in a sub-frame, and the top frame is not the frame's. */
	if (!w || !w->view || cgr_is_frame_webview(w, wv))
		return;
	/* The JSON goes as a string that the bridge parses (JSON.parse
	 * semantics: {"__proto__": ...} is a key, not the payload's
	 * prototype, as it would be in an object literal). The page cannot
	 * replace __TAURI_INTERNALS__ or its members. */
	GString *js = g_string_sized_new(len + 64);
	g_string_append_printf(js, "__TAURI_INTERNALS__.capgateCallback(%u, ", id);
	append_js_string(js, json, len);
	g_string_append(js, ")");
	webkit_web_view_evaluate_javascript(w->view, js->str, (gssize)js->len, NULL, NULL, NULL, NULL, NULL);
	g_string_free(js, TRUE);
}

/* A channel message of bytes: base64 that the bridge decodes into an
 * ArrayBuffer, evaluated in order with the JSON ones. */
static void t_callback_bytes(void *user, cg_webview *wv, uint32_t id, uint32_t index, cg_bytes *bytes)
{
	cg_win *w = cg_webview_get_data(wv);
	if (!w || !w->view || cgr_is_frame_webview(w, wv))
		return;
	size_t n = 0;
	const guchar *data = cg_bytes_data(bytes, &n);
	char *b64 = prefixed_base64('\'', data, n);
	char *js = g_strdup_printf("__TAURI_INTERNALS__.capgateCallbackBytes(%u, %u, %s')", id, index, b64);
	g_free(b64);
	webkit_web_view_evaluate_javascript(w->view, js, -1, NULL, NULL, NULL, NULL, NULL);
	g_free(js);
}

static gboolean on_message(WebKitUserContentManager *ucm, JSCValue *value,
			   WebKitScriptMessageReply *reply, gpointer data)
{
	cg_win *w = data;
	cg_app *app = w->app;
	if (!jsc_value_is_string(value) || !w->wv) {
		webkit_script_message_reply_return_error_message(reply, "capgate: a message must be a string");
		return TRUE;
	}
	char *text = jsc_value_to_string(value);
	size_t len = strlen(text);
	const char *msg = NULL;
	cg_webview *wv = cgr_message_webview(w, text, &len, &msg);
	if (!wv) {
		cg_router_log(app->r, "window \"%s\": refused a message without a key of the page's current document "
			      "(from a document since replaced, or forged)", w->label);
		webkit_script_message_reply_return_error_message(reply,
			"capgate: refused: only the window's top frame may call commands");
		g_free(text);
		return TRUE;
	}
	if (app->iso_origin && wv != w->wv) {
		cg_router_log(app->r, "window \"%s\": refused a message from a sub-frame (under the isolation pattern only "
			      "the top frame may call)", w->label);
		webkit_script_message_reply_return_error_message(reply,
			"capgate: refused: under the isolation pattern only the window's top frame may call commands");
		g_free(text);
		return TRUE;
	}
	cgr_pending *p = g_new0(cgr_pending, 1);
	p->reply = webkit_script_message_reply_ref(reply);
	p->ctx = g_object_ref(jsc_value_get_context(value));
	cg_router_invoke(app->r, wv, msg, len, p);
	g_free(text);
	return TRUE;
}

CG_EXPORT cg_webview *cg_app_webview(cg_app *app, const char *label)
{
	cg_win *w = cgr_window(app, label);
	return w ? w->wv : NULL;
}

static gboolean on_router_fd(gint fd, GIOCondition cond, gpointer data)
{
	cg_app *app = data;
	cg_router_process(app->r);
	return G_SOURCE_CONTINUE;
}

/* -------------------------------------------------------------- windows */

/* The two halves of the bridge, each in one block (its metadata is no
 * global): the page's side in the page's world, with nothing secret in it;
 * the transport in the capgate world, where only it can post. */
static char *bridge_source(cg_app *app, const char *label)
{
	json_object *meta = json_object_new_object();
	json_object_object_add(meta, "window", json_object_new_string(label));
	json_object_object_add(meta, "webview", json_object_new_string(label));
	json_object_object_add(meta, "binarySize",
			       json_object_new_int64((int64_t)cg_router_get_limit(app->r, CG_RLIMIT_BINARY_SIZE)));
	char *src = g_strdup_printf("{\nconst __CAPGATE_META__ = %s;\n%s\n}",
				    json_object_to_json_string_ext(meta, JSON_C_TO_STRING_PLAIN), cg_bridge_js);
	json_object_put(meta);
	return src;
}

static char *transport_source(cg_app *app)
{
	json_object *meta = json_object_new_object();
	json_object_object_add(meta, "frameKeyUrl", cg_appconfig_frames_count(app->cfg) > 0
						 ? json_object_new_string(cgr_frame_key_url()) : NULL);
	json_object_object_add(meta, "isolation", app->iso_origin ? json_object_new_string(app->iso_origin) : NULL);
	char *src = g_strdup_printf("{\nconst __CAPGATE_TRANSPORT__ = %s;\n%s\n}",
				    json_object_to_json_string_ext(meta, JSON_C_TO_STRING_PLAIN), cg_transport_js);
	json_object_put(meta);
	return src;
}

static bool is_local(const char *uri)
{
	return uri && g_str_has_prefix(uri, "capgate://localhost/");
}

static void on_load_changed(WebKitWebView *view, WebKitLoadEvent ev, gpointer data)
{
	cg_win *w = data;
	if (ev == WEBKIT_LOAD_COMMITTED && w->wv) {
		/* The origin comes from WebKit, never from the page; so does the
		 * moment a new document, with a new key, takes the frame. */
		const char *uri = webkit_web_view_get_uri(view);
		w->top_local = is_local(uri);
		cg_webview_set_origin(w->wv, w->top_local ? NULL : uri);
		/* The resources the previous document made die with it (a
		 * reload, a navigation, a crashed web process reloaded). */
		cg_webview_free_resources(w->wv);
		cgr_identity_new_document(w);
	} else if (ev == WEBKIT_LOAD_FINISHED) {
		cgr_window_loaded(w);
	}
}

static gboolean on_decide_policy(WebKitWebView *view, WebKitPolicyDecision *dec,
				 WebKitPolicyDecisionType type, gpointer data)
{
	cg_win *w = data;
	if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE)
		return FALSE;
	WebKitNavigationAction *act = webkit_navigation_policy_decision_get_navigation_action(
		WEBKIT_NAVIGATION_POLICY_DECISION(dec));
	const char *uri = webkit_uri_request_get_uri(webkit_navigation_action_get_request(act));
	if (type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION) {
		cg_router_log(w->app->r, "window \"%s\": refused to open a new window for %s (use plugin:webview|create_webview_window)",
			      w->label, uri);
		webkit_policy_decision_ignore(dec);
		return TRUE;
	}
	if (is_local(uri) || g_strcmp0(uri, "about:blank") == 0 || g_strcmp0(uri, "about:srcdoc") == 0 ||
	    cgr_is_isolation_url(w->app, uri) ||
	    cg_appconfig_navigation_allowed(w->app->cfg, uri) || cg_appconfig_frame_allowed(w->app->cfg, uri))
		return FALSE;
	cg_router_log(w->app->r, "window \"%s\": refused navigation to %s (not in security.navigation)", w->label, uri);
	webkit_policy_decision_ignore(dec);
	return TRUE;
}

/* A window without a router webview (no memory) refuses every message:
 * nothing has an identity to be judged under. */
static void attach_webview(cg_win *w)
{
	if (cg_router_add_webview(w->app->r, w->label, w->label, NULL, &w->wv) == 0)
		cg_webview_set_data(w->wv, w);
}

static gboolean on_crash(WebKitWebView *view, WebKitWebProcessTerminationReason reason, gpointer data)
{
	cg_win *w = data;
	cg_app *app = w->app;
	gint64 now = g_get_monotonic_time();
	const char *why = reason == WEBKIT_WEB_PROCESS_CRASHED ? "crashed"
			  : reason == WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT ? "exceeded its memory limit"
									    : "was terminated";
	/* Its calls, listeners and channels end with it; global state stays. */
	cgr_identity_drop(w);
	cg_router_remove_webview(app->r, w->wv);
	w->wv = NULL;
	memmove(w->crash_times + 1, w->crash_times, sizeof(w->crash_times) - sizeof(w->crash_times[0]));
	w->crash_times[0] = now;
	w->crashes++;
	bool storm = w->crashes >= CGR_CRASH_LIMIT &&
		     now - w->crash_times[CGR_CRASH_LIMIT - 1] < CGR_CRASH_WINDOW_US;
	cgr_log("window \"%s\": web process %s (%d so far)%s", w->label, why, w->crashes,
		storm ? "; crashing repeatedly: not reloading" : "; reloading");
	attach_webview(w);
	if (storm)
		webkit_web_view_load_html(view, "<h1>This window crashed repeatedly and was not reloaded.</h1>",
					  "about:blank");
	else
		webkit_web_view_reload(view);
	return TRUE;
}

static void on_destroy(GtkWidget *widget, gpointer data)
{
	cg_win *w = data;
	cg_app *app = w->app;
	cgr_identity_drop(w);
	if (w->view)
		g_object_set_data(G_OBJECT(w->view), "capgate-window", NULL);
	if (w->wv)
		cg_router_remove_webview(app->r, w->wv);
	w->wv = NULL;
	w->view = NULL;
	w->window = NULL;
	g_hash_table_remove(app->windows, w->label); /* frees w */
	if (g_hash_table_size(app->windows) == 0 && app->loop)
		g_main_loop_quit(app->loop);
}

static void win_free(gpointer p)
{
	cg_win *w = p;
	/* The view may outlive the window for a moment: no message reaches
	 * this window once it is gone. */
	if (w->ucm) {
		g_signal_handlers_disconnect_by_data(w->ucm, w);
		g_object_unref(w->ucm);
	}
	g_hash_table_destroy(w->frames);
	cgr_budget_unref(w->budget);
	g_free(w->doc_key);
	g_free(w->label);
	g_free(w);
}

char *cgr_resolve_url(cg_app *app, const char *url)
{
	if (strstr(url, "://"))
		return cg_appconfig_navigation_allowed(app->cfg, url) ? g_strdup(url) : NULL;
	while (*url == '/')
		url++;
	return g_strdup_printf("capgate://localhost/%s", url);
}

unsigned cgr_window_limit(const cg_app *app)
{
	size_t n = cg_appconfig_window_limit(app->cfg);
	return n ? (unsigned)n : CGR_WINDOWS_DEFAULT;
}

static int open_window(cg_app *app, const char *label, const char *title, const char *url,
		       int width, int height, bool visible);

CG_EXPORT int cg_app_open_window(cg_app *app, const char *label, const char *title, const char *url,
				 int width, int height)
{
	return open_window(app, label, title, url, width, height, true);
}

static int open_window(cg_app *app, const char *label, const char *title, const char *url,
		       int width, int height, bool visible)
{
	if (!app || !label || !*label || !app->ctx)
		return CG_EINVAL;
	if (g_hash_table_contains(app->windows, label))
		return CG_EDUPLICATE;
	if (g_hash_table_size(app->windows) >= cgr_window_limit(app)) {
		cgr_log("window \"%s\": not opened: %u windows are open, the most limits.windows allows", label,
			g_hash_table_size(app->windows));
		return CG_ELIMIT;
	}
	char *full = cgr_resolve_url(app, url ? url : "index.html");
	if (!full) {
		cgr_log("window \"%s\": %s is remote and not in security.navigation", label, url);
		return CG_EINVAL;
	}
	cg_win *w = g_new0(cg_win, 1);
	w->app = app;
	w->label = g_strdup(label);
	w->frames = cgr_frames_new();
	w->budget = cgr_budget_new();
	w->ucm = webkit_user_content_manager_new();
	/* In the transport's world only: page code cannot even see them. */
	webkit_user_content_manager_register_script_message_handler_with_reply(w->ucm, "capgate", CGR_WORLD);
	g_signal_connect(w->ucm, "script-message-with-reply-received::capgate", G_CALLBACK(on_message), w);
#ifdef CG_TESTING
	cgr_testing_attach(w);
#endif
	/* Sub-frames get the bridge only when the app allows some frame
	 * origins; their transport then asks for a key bound to its origin.
	 * The isolation frame never gets it: it has its own script. */
	WebKitUserContentInjectedFrames frames = cg_appconfig_frames_count(app->cfg) > 0
		? WEBKIT_USER_CONTENT_INJECT_ALL_FRAMES : WEBKIT_USER_CONTENT_INJECT_TOP_FRAME;
	char *iso_pattern = app->iso_origin ? g_strconcat(app->iso_origin, "/*", NULL) : NULL;
	const char *block[] = {iso_pattern, NULL};
	char *src = transport_source(app);
	WebKitUserScript *us = webkit_user_script_new_for_world(src, frames, WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START,
								CGR_WORLD, NULL, iso_pattern ? block : NULL);
	webkit_user_content_manager_add_script(w->ucm, us);
	webkit_user_script_unref(us);
	g_free(src);
	src = bridge_source(app, label);
	us = webkit_user_script_new(src, frames, WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, NULL,
				    iso_pattern ? block : NULL);
	webkit_user_content_manager_add_script(w->ucm, us);
	webkit_user_script_unref(us);
	g_free(src);
	/* The enabled plugins' init scripts, after the bridge they call. */
	const char *init;
	for (size_t i = 0; (init = cg_router_init_script(app->r, i)); i++) {
		us = webkit_user_script_new(init, frames, WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, NULL,
					    iso_pattern ? block : NULL);
		webkit_user_content_manager_add_script(w->ucm, us);
		webkit_user_script_unref(us);
	}
	g_free(iso_pattern);
	cgr_identity_attach(w);
	cgr_isolation_attach(w);
	cgr_ipc_filter_attach(app, w->ucm);
	w->view = WEBKIT_WEB_VIEW(g_object_new(WEBKIT_TYPE_WEB_VIEW, "web-context", app->ctx,
					       "user-content-manager", w->ucm, NULL));
	/* For the schemes' handlers, which are told the view. */
	g_object_set_data(G_OBJECT(w->view), "capgate-window", w);
	WebKitSettings *st = webkit_web_view_get_settings(w->view);
	webkit_settings_set_javascript_can_open_windows_automatically(st, FALSE);
	webkit_settings_set_enable_developer_extras(st, FALSE);
	/* CAPGATE_DEBUG=1: the pages' console goes to stdout. */
	if (g_getenv("CAPGATE_DEBUG"))
		webkit_settings_set_enable_write_console_messages_to_stdout(st, TRUE);
	g_signal_connect(w->view, "load-changed", G_CALLBACK(on_load_changed), w);
	g_signal_connect(w->view, "decide-policy", G_CALLBACK(on_decide_policy), w);
	g_signal_connect(w->view, "web-process-terminated", G_CALLBACK(on_crash), w);
	w->window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
	cgr_window_events_attach(w);
	gtk_window_set_title(GTK_WINDOW(w->window), title ? title : label);
	gtk_window_set_default_size(GTK_WINDOW(w->window), width > 0 ? width : 800, height > 0 ? height : 600);
	gtk_container_add(GTK_CONTAINER(w->window), GTK_WIDGET(w->view));
	g_signal_connect(w->window, "destroy", G_CALLBACK(on_destroy), w);
	g_hash_table_insert(app->windows, w->label, w);
	attach_webview(w);
	webkit_web_view_load_uri(w->view, full);
	g_free(full);
	if (visible)
		gtk_widget_show_all(w->window);
	else
		gtk_widget_realize(GTK_WIDGET(w->view));
	return 0;
}

CG_EXPORT int cg_app_close_window(cg_app *app, const char *label)
{
	cg_win *w = app && label ? g_hash_table_lookup(app->windows, label) : NULL;
	if (!w)
		return CG_ENOTFOUND;
	gtk_widget_destroy(w->window);
	return 0;
}

cg_win *cgr_window(cg_app *app, const char *label)
{
	return app && label ? g_hash_table_lookup(app->windows, label) : NULL;
}

/* ------------------------------------------------------------ lifecycle */

static void router_log(const char *line, void *user) { cgr_log("%s", line); }

CG_EXPORT cg_app *cg_app_new(const char *config_path, cg_diag *d)
{
	cg_appconfig *cfg = NULL;
	if (cg_appconfig_load(config_path, &cfg, d) < 0)
		return NULL;
	cg_app *app = g_new0(cg_app, 1);
	app->cfg = cfg;
	cg_transport t = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback, .user = app,
			  .drop = t_drop, .reply_bytes = t_reply_bytes, .callback_bytes = t_callback_bytes};
	app->windows = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, win_free);
	int rc = cg_router_new(&t, &app->r);
	if (rc < 0) {
		cg_diag_add_message(d, CG_SEV_ERROR, rc, NULL, 0, 0, NULL,
				    rc == CG_EIO ? "the process may be out of file descriptors" : NULL,
				    "cannot make the IPC router");
		cg_app_free(app);
		return NULL;
	}
	static const cg_router_limit lims[] = {CG_RLIMIT_MESSAGE_SIZE, CG_RLIMIT_DEPTH, CG_RLIMIT_STRING,
					       CG_RLIMIT_PENDING, CG_RLIMIT_LISTENERS, CG_RLIMIT_WORKERS,
					       CG_RLIMIT_TIMEOUT, CG_RLIMIT_BINARY_SIZE};
	for (size_t i = 0; i < G_N_ELEMENTS(lims); i++)
		if (cg_appconfig_limit(cfg, lims[i]))
			cg_router_set_limit(app->r, lims[i], cg_appconfig_limit(cfg, lims[i]));
	cg_router_set_log(app->r, router_log, NULL);
	cgr_register_core_commands(app);
	return app;
}

CG_EXPORT void cg_app_free(cg_app *app)
{
	if (!app)
		return;
	GList *wins = g_hash_table_get_values(app->windows);
	for (GList *l = wins; l; l = l->next)
		if (((cg_win *)l->data)->window)
			gtk_widget_destroy(((cg_win *)l->data)->window);
	g_list_free(wins);
	if (app->fd_watch)
		g_source_remove(app->fd_watch);
	cg_router_free(app->r);
	cg_seccomp_free(app->seccomp);
	g_hash_table_destroy(app->windows);
	cg_appconfig_free(app->cfg);
	if (app->ctx)
		g_object_unref(app->ctx);
	if (app->loop)
		g_main_loop_unref(app->loop);
	g_free(app->iso_id);
	g_free(app->iso_origin);
	if (app->ipc_filter)
		webkit_user_content_filter_unref(app->ipc_filter);
	g_free(app->iso_index);
	if (app->iso_key)
		explicit_bzero(app->iso_key, strlen(app->iso_key));
	g_free(app->iso_key);
	g_free(app);
}

CG_EXPORT cg_router *cg_app_router(cg_app *app) { return app ? app->r : NULL; }
CG_EXPORT const cg_appconfig *cg_app_config(const cg_app *app) { return app ? app->cfg : NULL; }

CG_EXPORT int cg_app_register(cg_app *app, const char *plugin, const char *command, cg_command_fn fn,
			      void *user, cg_cmd_mode mode)
{
	return app ? cg_router_register(app->r, plugin, command, fn, user, mode) : CG_EINVAL;
}

CG_EXPORT int cg_app_manage(cg_app *app, const char *name, void *state, void (*free_fn)(void *))
{
	return app ? cg_router_manage(app->r, name, state, free_fn) : CG_EINVAL;
}

CG_EXPORT int cg_app_emit(cg_app *app, const char *event, cg_target_kind kind, const char *label,
			  json_object *payload)
{
	return app ? cg_router_emit(app->r, event, kind, label, payload) : CG_EINVAL;
}

CG_EXPORT int cg_app_set_decision_log(cg_app *app, const char *path, int all)
{
	if (!app)
		return CG_EINVAL;
	return cg_router_set_decision_log(app->r, all ? CG_DECISION_LOG_ALL : CG_DECISION_LOG_DENIALS, path, NULL, NULL, 0);
}

CG_EXPORT void cg_app_on_ready(cg_app *app, cg_app_ready_fn fn, void *user)
{
	if (!app)
		return;
	app->ready = fn;
	app->ready_user = user;
}

void cgr_window_loaded(cg_win *w)
{
	cg_app *app = w->app;
	if (!w->loaded_once) {
		w->loaded_once = true;
		app->loaded++;
	}
	if (app->loaded >= app->initial && app->ready) {
		cg_app_ready_fn fn = app->ready;
		if (!app->ready_fired) {
			app->ready_fired = true;
			fn(app, app->ready_user);
		}
	}
}

/* Website data (localStorage, IndexedDB, caches) under the app's
 * identifier, as Tauri keeps it ($XDG_DATA_HOME/<identifier>, and the
 * cache in $XDG_CACHE_HOME/<identifier>): two apps never read each other's.
 * Without an identifier nothing is kept on disk at all. */
static WebKitWebContext *web_context_new(cg_app *app)
{
	const char *id = cg_appconfig_identifier(app->cfg);
	WebKitWebsiteDataManager *dm;
	if (id) {
		char *data = g_build_filename(g_get_user_data_dir(), id, NULL);
		char *cache = g_build_filename(g_get_user_cache_dir(), id, NULL);
		dm = webkit_website_data_manager_new("base-data-directory", data, "base-cache-directory", cache, NULL);
		g_free(data);
		g_free(cache);
	} else {
		cgr_log("the app configuration has no \"identifier\": website data (localStorage, IndexedDB, caches) "
			"is kept in memory only; set one to keep it between runs");
		dm = webkit_website_data_manager_new_ephemeral();
	}
	WebKitWebContext *ctx = webkit_web_context_new_with_website_data_manager(dm);
	g_object_unref(dm);
	return ctx;
}

static int build_policy(cg_app *app, cg_diag *d)
{
	cg_builder *b = cg_builder_new();
	cg_router_declare_commands(app->r, b);
	const char *perms = cg_appconfig_permissions_dir(app->cfg);
	const char *caps = cg_appconfig_capabilities_dir(app->cfg);
	if (perms)
		cg_builder_add_plugins_dir(b, perms, d);
	if (caps)
		cg_builder_add_capability_dir(b, caps, d);
	cg_policy *p = NULL;
	int rc = cg_builder_build(b, &p, d);
	cg_builder_free(b);
	if (rc < 0)
		return rc;
	cg_router_set_policy(app->r, p);
	rc = cgr_seccomp_prepare(app, p, d);
	cg_policy_unref(p);
	return rc;
}

CG_EXPORT int cg_app_run(cg_app *app, cg_diag *d)
{
	if (!app)
		return CG_EINVAL;
	int rc = build_policy(app, d);
	if (rc < 0 || (rc = cgr_isolation_init(app, d)) < 0)
		return rc;
	/* An X server that is starting or busy can refuse a connection for a
	 * moment; try a few times before giving up. */
	gboolean display = FALSE;
	for (int i = 0; i < 5 && !(display = gtk_init_check(NULL, NULL)); i++) {
		cgr_log("display not reachable; retrying");
		g_usleep(200 * 1000);
	}
	if (!display) {
		cg_diag_add_message(d, CG_SEV_ERROR, CG_ESTATE, NULL, 0, 0, NULL, "run it under xvfb-run when there is no display", "cannot open a display (DISPLAY is not set or not reachable)");
		return CG_ESTATE;
	}
	const char *front = cg_appconfig_frontend_dir(app->cfg);
	if (front && !g_file_test(front, G_FILE_TEST_IS_DIR))
		cgr_log("warning: the frontend directory %s does not exist: local pages will not load", front);
	app->ctx = web_context_new(app);
	cgr_setup_sandbox(app);
	/* After GTK has started its threads (TSYNC covers them), before any
	 * web process exists (they inherit the process tier). */
	if ((rc = cgr_seccomp_start(app, d)) < 0)
		return rc;
	cgr_register_scheme(app);
	cgr_identity_register_scheme(app);
	cgr_ipc_register_scheme(app);
	cgr_isolation_register_scheme(app);
	if ((rc = cgr_ipc_filter_init(app, d)) < 0)
		return rc;
	app->fd_watch = g_unix_fd_add(cg_router_fd(app->r), G_IO_IN, on_router_fd, app);
	app->loop = g_main_loop_new(NULL, FALSE);
	size_t n = cg_appconfig_window_count(app->cfg);
	for (size_t i = 0; i < n; i++) {
		const cg_window_config *wc = cg_appconfig_window(app->cfg, i);
		if (open_window(app, wc->label, wc->title, wc->url, wc->width, wc->height, wc->visible) == 0)
			app->initial++;
	}
	if (g_hash_table_size(app->windows) == 0) {
		cg_diag_add_message(d, CG_SEV_ERROR, CG_ESTATE, NULL, 0, 0, NULL, "check \"windows\" in the app configuration", "no window could be opened");
		return CG_ESTATE;
	}
	g_main_loop_run(app->loop);
	return 0;
}

CG_EXPORT void cg_app_quit(cg_app *app)
{
	if (app && app->loop)
		g_main_loop_quit(app->loop);
}
