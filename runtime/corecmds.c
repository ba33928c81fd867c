/*
 * Built-in core commands behind the core:* permissions (events are the
 * router's own): app name and version, and window management with the
 * argument shapes @tauri-apps/api v2 sends ({label, value}).
 */
#include "runtime.h"

#include <string.h>

static const char *arg_str(cg_call *c, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(cg_call_args(c), key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static cg_win *target(cg_call *c, cg_app *app)
{
	const char *label = arg_str(c, "label");
	cg_win *w = cgr_window(app, label ? label : cg_call_window(c));
	if (!w)
		cg_call_reject(c, "no such window");
	return w;
}

static int app_name(cg_call *c, void *u)
{
	return cg_call_resolve(c, json_object_new_string(cg_appconfig_name(((cg_app *)u)->cfg)));
}

static int app_version(cg_call *c, void *u)
{
	return cg_call_resolve(c, json_object_new_string(cg_appconfig_version(((cg_app *)u)->cfg)));
}

static int app_identifier(cg_call *c, void *u)
{
	const char *id = cg_appconfig_identifier(((cg_app *)u)->cfg);
	return cg_call_resolve(c, id ? json_object_new_string(id) : NULL);
}

static int app_tauri_version(cg_call *c, void *u)
{
	/* The @tauri-apps/api surface capgate implements. */
	return cg_call_resolve(c, json_object_new_string("2.0.0"));
}

static int win_all(cg_call *c, void *u)
{
	cg_app *app = u;
	json_object *a = json_object_new_array();
	GList *keys = g_hash_table_get_keys(app->windows);
	keys = g_list_sort(keys, (GCompareFunc)strcmp);
	for (GList *l = keys; l; l = l->next)
		json_object_array_add(a, json_object_new_string(l->data));
	g_list_free(keys);
	return cg_call_resolve(c, a);
}

static int win_close(cg_call *c, void *u)
{
	cg_win *w = target(c, u);
	if (!w)
		return 0;
	/* Answer first: closing may be the caller's own window. */
	cg_call_resolve(c, NULL);
	cg_app_close_window(u, w->label);
	return 0;
}

static int win_set_title(cg_call *c, void *u)
{
	cg_win *w = target(c, u);
	const char *t = arg_str(c, "value");
	if (!w)
		return 0;
	if (!t)
		return cg_call_reject(c, "set_title needs a string \"value\"");
	gtk_window_set_title(GTK_WINDOW(w->window), t);
	return cg_call_resolve(c, NULL);
}

static int win_title(cg_call *c, void *u)
{
	cg_win *w = target(c, u);
	if (!w)
		return 0;
	return cg_call_resolve(c, json_object_new_string(gtk_window_get_title(GTK_WINDOW(w->window))));
}

static int win_show(cg_call *c, void *u)
{
	cg_win *w = target(c, u);
	if (!w)
		return 0;
	gtk_widget_show_all(w->window);
	return cg_call_resolve(c, NULL);
}

static int win_hide(cg_call *c, void *u)
{
	cg_win *w = target(c, u);
	if (!w)
		return 0;
	gtk_widget_hide(w->window);
	return cg_call_resolve(c, NULL);
}

static int win_is_visible(cg_call *c, void *u)
{
	cg_win *w = target(c, u);
	if (!w)
		return 0;
	return cg_call_resolve(c, json_object_new_boolean(gtk_widget_get_visible(w->window)));
}

static int win_focus(cg_call *c, void *u)
{
	cg_win *w = target(c, u);
	if (!w)
		return 0;
	gtk_window_present(GTK_WINDOW(w->window));
	return cg_call_resolve(c, NULL);
}

/* new WebviewWindow(label, options) sends {options: {label, url, title,
 * width, height, ...}}. The new window's rights come from capabilities
 * that match its label, like any other window's. */
static int webview_create(cg_call *c, void *u)
{
	json_object *o, *v;
	if (!json_object_object_get_ex(cg_call_args(c), "options", &o) || !json_object_is_type(o, json_type_object))
		return cg_call_reject(c, "create_webview_window needs \"options\"");
	const char *label = json_object_object_get_ex(o, "label", &v) ? json_object_get_string(v) : NULL;
	const char *url = json_object_object_get_ex(o, "url", &v) ? json_object_get_string(v) : "index.html";
	const char *title = json_object_object_get_ex(o, "title", &v) ? json_object_get_string(v) : label;
	int width = json_object_object_get_ex(o, "width", &v) ? json_object_get_int(v) : 800;
	int height = json_object_object_get_ex(o, "height", &v) ? json_object_get_int(v) : 600;
	if (!label || !*label)
		return cg_call_reject(c, "the new window needs a \"label\"");
	int rc = cg_app_open_window(u, label, title, url, width, height);
	if (rc == CG_ELIMIT) {
		char *why = g_strdup_printf("refused: %u windows are open, the most security.limits.windows allows",
					    cgr_window_limit(u));
		cg_call_reject(c, why);
		g_free(why);
		return 0;
	}
	if (rc < 0)
		return cg_call_reject(c, rc == CG_EDUPLICATE ? "a window with that label exists"
							    : "the window could not be opened (is its URL allowed?)");
	return cg_call_resolve(c, NULL);
}

void cgr_register_core_commands(cg_app *app)
{
	static const struct {
		const char *plugin, *cmd;
		cg_command_fn fn;
	} cmds[] = {
		{"core:app", "name", app_name},
		{"core:app", "version", app_version},
		{"core:app", "identifier", app_identifier},
		{"core:app", "tauri_version", app_tauri_version},
		{"core:window", "get_all_windows", win_all},
		{"core:window", "close", win_close},
		{"core:window", "destroy", win_close},
		{"core:window", "set_title", win_set_title},
		{"core:window", "title", win_title},
		{"core:window", "show", win_show},
		{"core:window", "hide", win_hide},
		{"core:window", "is_visible", win_is_visible},
		{"core:window", "set_focus", win_focus},
		{"core:webview", "create_webview_window", webview_create},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++)
		cg_router_register(app->r, cmds[i].plugin, cmds[i].cmd, cmds[i].fn, app, CG_CMD_SYNC);
}
