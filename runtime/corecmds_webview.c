/*
 * core:webview, for the webview of a webview window (each capgate window
 * has exactly one, filling it): creating webview windows, its geometry,
 * focus, zoom, visibility, background and browsing data. Child webviews
 * (new Webview(), create_webview, reparent) need multiwebview, which
 * capgate does not have: they answer as a Tauri build without its
 * `unstable` feature does (docs/core-commands.md).
 */
#include "corecmds.h"

#include <math.h>
#include <string.h>

/* As Tauri's get_webview: an absent or empty label is the caller's. */
static cg_win *target_webview(cg_call *c, cg_app *app)
{
	const char *label = cgr_arg_str(c, "label");
	cg_win *w = cgr_window(app, label && *label ? label : cg_call_window(c));
	if (!w || !w->view) {
		cg_call_reject(c, "webview not found");
		return NULL;
	}
	return w;
}

#define TARGET(c, u)                              \
	cg_win *w = target_webview((c), (u));     \
	if (!w)                                   \
		return 0

/* new WebviewWindow(label, options) sends {options: {label, url, title,
 * width, height, ...}}. The new window's rights come from capabilities
 * that match its label, like any other window's. */
static int create_webview_window(cg_call *c, void *u)
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

static int create_webview(cg_call *c, void *u)
{
	return cg_call_reject(c, "this feature requires the `unstable` flag on Cargo.toml");
}

/* [{windowLabel, label}]: the JS reads windowLabel; window_label is how
 * older Tauri spelled the field. */
static int get_all_webviews(cg_call *c, void *u)
{
	cg_app *app = u;
	json_object *a = json_object_new_array();
	GList *keys = g_list_sort(g_hash_table_get_keys(app->windows), (GCompareFunc)strcmp);
	for (GList *l = keys; l; l = l->next) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "windowLabel", json_object_new_string(l->data));
		json_object_object_add(o, "window_label", json_object_new_string(l->data));
		json_object_object_add(o, "label", json_object_new_string(l->data));
		json_object_array_add(a, o);
	}
	g_list_free(keys);
	return cg_call_resolve(c, a);
}

/* A webview window's webview is where its client area is. */
static int webview_position(cg_call *c, void *u)
{
	TARGET(c, u);
	int x, y, wd, ht;
	cgr_inner_geometry(w, &x, &y, &wd, &ht);
	return cg_call_resolve(c, cgr_dpi_physical_position(x, y, false));
}

static int webview_size(cg_call *c, void *u)
{
	TARGET(c, u);
	GtkAllocation a;
	gtk_widget_get_allocation(GTK_WIDGET(w->view), &a);
	int s = cgr_scale(w);
	return cg_call_resolve(c, cgr_dpi_physical_size(a.width * s, a.height * s));
}

/* Its webview is the window's only content: closing it closes the window
 * (without asking the page, as Tauri's webview close does not). */
static int webview_close(cg_call *c, void *u)
{
	TARGET(c, u);
	char *label = g_strdup(w->label);
	cg_call_resolve(c, NULL);
	cg_app_close_window(u, label);
	g_free(label);
	return 0;
}

/* The webview of a webview window fills it: wry ignores bounds it is
 * given on Linux, and auto-resize is what it always does. */
static int accept_any(cg_call *c, void *u)
{
	TARGET(c, u);
	return cg_call_resolve(c, NULL);
}

static int set_webview_focus(cg_call *c, void *u)
{
	TARGET(c, u);
	gtk_widget_grab_focus(GTK_WIDGET(w->view));
	return cg_call_resolve(c, NULL);
}

static int webview_hide(cg_call *c, void *u)
{
	TARGET(c, u);
	gtk_widget_hide(GTK_WIDGET(w->view));
	return cg_call_resolve(c, NULL);
}

static int webview_show(cg_call *c, void *u)
{
	TARGET(c, u);
	gtk_widget_show(GTK_WIDGET(w->view));
	return cg_call_resolve(c, NULL);
}

static int set_webview_zoom(cg_call *c, void *u)
{
	TARGET(c, u);
	json_object *v = cgr_arg_value(c);
	double z = v && (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
		? json_object_get_double(v) : -1;
	if (!isfinite(z) || z <= 0 || z > 100)
		return cg_call_reject(c, "invalid args `value` for command `set_webview_zoom`: expected a positive number");
	webkit_web_view_set_zoom_level(w->view, z);
	return cg_call_resolve(c, NULL);
}

/* wry prints on Linux the way the page's own window.print() does. */
static int print(cg_call *c, void *u)
{
	TARGET(c, u);
	webkit_web_view_evaluate_javascript(w->view, "window.print()", -1, NULL, NULL, NULL, NULL, NULL);
	return cg_call_resolve(c, NULL);
}

static int reparent(cg_call *c, void *u)
{
	TARGET(c, u);
	return cg_call_reject(c, "cannot reparent when using a WebviewWindow");
}

static void cleared(GObject *src, GAsyncResult *res, gpointer data)
{
	cg_call *c = data;
	GError *err = NULL;
	if (webkit_website_data_manager_clear_finish(WEBKIT_WEBSITE_DATA_MANAGER(src), res, &err))
		cg_call_resolve(c, NULL);
	else
		cg_call_reject(c, err ? err->message : "could not clear the browsing data");
	g_clear_error(&err);
}

/* Every kind of website data of the app (all its windows share it). */
static int clear_all_browsing_data(cg_call *c, void *u)
{
	TARGET(c, u);
	WebKitWebsiteDataManager *dm = webkit_web_view_get_website_data_manager(w->view);
	webkit_website_data_manager_clear(dm, WEBKIT_WEBSITE_DATA_ALL, 0, NULL, cleared, c);
	/* Answered when WebKit is done (a deferred answer). */
	return 0;
}

static int set_webview_background_color(cg_call *c, void *u)
{
	TARGET(c, u);
	json_object *v = cgr_arg_value(c), *ch;
	GdkRGBA rgba = {1, 1, 1, 1};
	if (v && json_object_is_type(v, json_type_array) && json_object_array_length(v) >= 3 &&
	    json_object_array_length(v) <= 4) {
		double *f[] = {&rgba.red, &rgba.green, &rgba.blue, &rgba.alpha};
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			ch = json_object_array_get_idx(v, i);
			*f[i] = CLAMP(json_object_get_int(ch), 0, 255) / 255.0;
		}
	} else if (v && !json_object_is_type(v, json_type_null)) {
		return cg_call_reject(c, "invalid args `value` for command `set_webview_background_color`: expected [r, g, b, a] or null");
	}
	webkit_web_view_set_background_color(w->view, &rgba);
	return cg_call_resolve(c, NULL);
}

/* Only in debug or devtools builds of Tauri; capgate has no inspector. */
static int internal_toggle_devtools(cg_call *c, void *u) { return cgr_not_on_linux(c, "internal_toggle_devtools"); }

void cgr_register_webview_commands(cg_app *app)
{
	static const struct {
		const char *cmd;
		cg_command_fn fn;
	} cmds[] = {
		{"create_webview", create_webview},
		{"create_webview_window", create_webview_window},
		{"get_all_webviews", get_all_webviews},
		{"webview_position", webview_position},
		{"webview_size", webview_size},
		{"webview_close", webview_close},
		{"set_webview_size", accept_any},
		{"set_webview_position", accept_any},
		{"set_webview_focus", set_webview_focus},
		{"set_webview_auto_resize", accept_any},
		{"set_webview_zoom", set_webview_zoom},
		{"webview_hide", webview_hide},
		{"webview_show", webview_show},
		{"print", print},
		{"reparent", reparent},
		{"clear_all_browsing_data", clear_all_browsing_data},
		{"set_webview_background_color", set_webview_background_color},
		{"internal_toggle_devtools", internal_toggle_devtools},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++)
		cg_router_register(app->r, "core:webview", cmds[i].cmd, cmds[i].fn, app, CG_CMD_SYNC);
}
