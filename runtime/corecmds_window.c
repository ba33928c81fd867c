/*
 * core:window: every command @tauri-apps/api's Window class sends, in
 * its argument shapes ({label, value}), acting on the GTK window; what
 * Linux cannot do answers as Tauri's Linux build does (Ok(()) for the
 * setters tao ignores, "Command ... not found" for commands that build
 * does not compile). docs/core-commands.md has the table.
 */
#include "corecmds.h"

#include <string.h>

#define TARGET(c, u)                          \
	cg_win *w = cgr_target((c), (u));     \
	if (!w)                               \
		return 0

static int bad_value(cg_call *c, const char *cmd, const char *expected)
{
	char *why = g_strdup_printf("invalid args `value` for command `%s`: expected %s", cmd, expected);
	cg_call_reject(c, why);
	g_free(why);
	return 0;
}

static int ok(cg_call *c) { return cg_call_resolve(c, NULL); }
static int yes_no(cg_call *c, bool b) { return cg_call_resolve(c, json_object_new_boolean(b)); }

static GdkWindowState wstate(cg_win *w)
{
	GdkWindow *g = gtk_widget_get_window(w->window);
	return g ? gdk_window_get_state(g) : 0;
}

/* Whether the window manager lists the state (e.g. "_NET_WM_STATE_ABOVE")
 * for the window: GDK's own state does not follow keep-above on X11. */
static bool net_wm_state(cg_win *w, const char *name)
{
	GdkWindow *g = gtk_widget_get_window(w->window);
	GdkAtom type;
	gint format, len;
	guchar *data = NULL;
	bool found = false;
	if (!g || !gdk_property_get(g, gdk_atom_intern_static_string("_NET_WM_STATE"),
				    gdk_atom_intern_static_string("ATOM"), 0, 1024, FALSE, &type, &format, &len, &data))
		return false;
	GdkAtom want = gdk_atom_intern(name, FALSE);
	for (gint i = 0; data && i < len / (gint)sizeof(GdkAtom); i++)
		if (((GdkAtom *)data)[i] == want)
			found = true;
	g_free(data);
	return found;
}

/* {value: bool} for the setter named cmd; false (and rejected) when not. */
static bool bool_value(cg_call *c, const char *cmd, bool *out)
{
	json_object *v = cgr_arg_value(c);
	if (!v || !json_object_is_type(v, json_type_boolean)) {
		bad_value(c, cmd, "a boolean");
		return false;
	}
	*out = json_object_get_boolean(v);
	return true;
}

/* ------------------------------------------------------------- getters */

static int get_all(cg_call *c, void *u)
{
	cg_app *app = u;
	json_object *a = json_object_new_array();
	GList *keys = g_list_sort(g_hash_table_get_keys(app->windows), (GCompareFunc)strcmp);
	for (GList *l = keys; l; l = l->next)
		json_object_array_add(a, json_object_new_string(l->data));
	g_list_free(keys);
	return cg_call_resolve(c, a);
}

static int scale_factor(cg_call *c, void *u)
{
	TARGET(c, u);
	return cg_call_resolve(c, json_object_new_double(cgr_scale(w)));
}

static int inner_position(cg_call *c, void *u)
{
	TARGET(c, u);
	int x, y, wd, ht;
	cgr_inner_geometry(w, &x, &y, &wd, &ht);
	return cg_call_resolve(c, cgr_dpi_physical_position(x, y, false));
}

static int outer_position(cg_call *c, void *u)
{
	TARGET(c, u);
	int x, y, wd, ht;
	cgr_outer_geometry(w, &x, &y, &wd, &ht);
	return cg_call_resolve(c, cgr_dpi_physical_position(x, y, false));
}

static int inner_size(cg_call *c, void *u)
{
	TARGET(c, u);
	int x, y, wd, ht;
	cgr_inner_geometry(w, &x, &y, &wd, &ht);
	return cg_call_resolve(c, cgr_dpi_physical_size(wd, ht));
}

static int outer_size(cg_call *c, void *u)
{
	TARGET(c, u);
	int x, y, wd, ht;
	cgr_outer_geometry(w, &x, &y, &wd, &ht);
	return cg_call_resolve(c, cgr_dpi_physical_size(wd, ht));
}

static int is_fullscreen(cg_call *c, void *u) { TARGET(c, u); return yes_no(c, wstate(w) & GDK_WINDOW_STATE_FULLSCREEN); }
static int is_minimized(cg_call *c, void *u) { TARGET(c, u); return yes_no(c, wstate(w) & GDK_WINDOW_STATE_ICONIFIED); }
static int is_maximized(cg_call *c, void *u) { TARGET(c, u); return yes_no(c, wstate(w) & GDK_WINDOW_STATE_MAXIMIZED); }
static int is_always_on_top(cg_call *c, void *u)
{
	TARGET(c, u);
	return yes_no(c, (wstate(w) & GDK_WINDOW_STATE_ABOVE) || net_wm_state(w, "_NET_WM_STATE_ABOVE"));
}
static int is_focused(cg_call *c, void *u) { TARGET(c, u); return yes_no(c, gtk_window_is_active(GTK_WINDOW(w->window))); }
static int is_decorated(cg_call *c, void *u) { TARGET(c, u); return yes_no(c, gtk_window_get_decorated(GTK_WINDOW(w->window))); }
static int is_resizable(cg_call *c, void *u) { TARGET(c, u); return yes_no(c, gtk_window_get_resizable(GTK_WINDOW(w->window))); }
static int is_closable(cg_call *c, void *u) { TARGET(c, u); return yes_no(c, gtk_window_get_deletable(GTK_WINDOW(w->window))); }
static int is_visible(cg_call *c, void *u) { TARGET(c, u); return yes_no(c, gtk_widget_get_visible(w->window)); }
static int is_enabled(cg_call *c, void *u) { TARGET(c, u); return yes_no(c, gtk_widget_get_sensitive(w->window)); }
/* GTK has no maximize or minimize button of its own to turn off: tao
 * answers true on Linux. */
static int is_true(cg_call *c, void *u) { TARGET(c, u); return yes_no(c, true); }

static int title(cg_call *c, void *u)
{
	TARGET(c, u);
	const char *t = gtk_window_get_title(GTK_WINDOW(w->window));
	return cg_call_resolve(c, json_object_new_string(t ? t : ""));
}

static int theme(cg_call *c, void *u)
{
	TARGET(c, u);
	return cg_call_resolve(c, json_object_new_string(cgr_theme_name()));
}

static int current_monitor(cg_call *c, void *u)
{
	TARGET(c, u);
	GdkDisplay *d = gtk_widget_get_display(w->window);
	GdkWindow *g = gtk_widget_get_window(w->window);
	/* An unmapped window is on no monitor: tao falls back on the primary. */
	GdkMonitor *m = g ? gdk_display_get_monitor_at_window(d, g) : NULL;
	if (!m)
		m = gdk_display_get_primary_monitor(d);
	return cg_call_resolve(c, m ? cgr_monitor_json(m) : NULL);
}

static int primary_monitor(cg_call *c, void *u)
{
	TARGET(c, u);
	GdkMonitor *m = gdk_display_get_primary_monitor(gtk_widget_get_display(w->window));
	return cg_call_resolve(c, m ? cgr_monitor_json(m) : NULL);
}

static int available_monitors(cg_call *c, void *u)
{
	TARGET(c, u);
	GdkDisplay *d = gtk_widget_get_display(w->window);
	json_object *a = json_object_new_array();
	for (int i = 0; i < gdk_display_get_n_monitors(d); i++)
		json_object_array_add(a, cgr_monitor_json(gdk_display_get_monitor(d, i)));
	return cg_call_resolve(c, a);
}

/* {x, y} in physical pixels; None when no monitor holds the point. */
static int monitor_from_point(cg_call *c, void *u)
{
	TARGET(c, u);
	json_object *jx, *jy;
	if (!json_object_object_get_ex(cg_call_args(c), "x", &jx) || !json_object_object_get_ex(cg_call_args(c), "y", &jy))
		return cg_call_reject(c, "invalid args for command `monitor_from_point`: expected numbers `x` and `y`");
	double x = json_object_get_double(jx), y = json_object_get_double(jy);
	GdkDisplay *d = gtk_widget_get_display(w->window);
	for (int i = 0; i < gdk_display_get_n_monitors(d); i++) {
		GdkMonitor *m = gdk_display_get_monitor(d, i);
		GdkRectangle r;
		gdk_monitor_get_geometry(m, &r);
		int s = gdk_monitor_get_scale_factor(m);
		if (x >= r.x * s && x < (r.x + r.width) * s && y >= r.y * s && y < (r.y + r.height) * s)
			return cg_call_resolve(c, cgr_monitor_json(m));
	}
	return cg_call_resolve(c, NULL);
}

static GdkDevice *pointer(cg_win *w)
{
	GdkSeat *seat = gdk_display_get_default_seat(gtk_widget_get_display(w->window));
	return seat ? gdk_seat_get_pointer(seat) : NULL;
}

/* The pointer on the desktop, physical pixels (fractional, as Tauri's). */
static int cursor_position(cg_call *c, void *u)
{
	TARGET(c, u);
	GdkDevice *p = pointer(w);
	double x = 0, y = 0;
	if (p)
		gdk_device_get_position_double(p, NULL, &x, &y);
	int s = cgr_scale(w);
	return cg_call_resolve(c, cgr_dpi_physical_position(x * s, y * s, true));
}

/* ------------------------------------------------------------- setters */

#define BOOL_SETTER(fn, cmd, body)                          \
	static int fn(cg_call *c, void *u)                  \
	{                                                   \
		TARGET(c, u);                               \
		bool b;                                     \
		if (!bool_value(c, cmd, &b))                \
			return 0;                           \
		GtkWindow *gw = GTK_WINDOW(w->window);      \
		(void)gw;                                   \
		body;                                       \
		return ok(c);                               \
	}

BOOL_SETTER(set_resizable, "set_resizable", gtk_window_set_resizable(gw, b))
BOOL_SETTER(set_closable, "set_closable", gtk_window_set_deletable(gw, b))
BOOL_SETTER(set_decorations, "set_decorations", gtk_window_set_decorated(gw, b))
BOOL_SETTER(set_always_on_top, "set_always_on_top", gtk_window_set_keep_above(gw, b))
BOOL_SETTER(set_always_on_bottom, "set_always_on_bottom", gtk_window_set_keep_below(gw, b))
BOOL_SETTER(set_enabled, "set_enabled", gtk_widget_set_sensitive(w->window, b))
BOOL_SETTER(set_focusable, "set_focusable", (gtk_window_set_accept_focus(gw, b), gtk_window_set_focus_on_map(gw, b)))
BOOL_SETTER(set_skip_taskbar, "set_skip_taskbar",
	    (gtk_window_set_skip_taskbar_hint(gw, b), gtk_window_set_skip_pager_hint(gw, b)))
BOOL_SETTER(set_visible_on_all_workspaces, "set_visible_on_all_workspaces",
	    b ? gtk_window_stick(gw) : gtk_window_unstick(gw))
/* set_simple_fullscreen is macOS's; elsewhere Tauri calls set_fullscreen. */
BOOL_SETTER(set_fullscreen, "set_fullscreen", b ? gtk_window_fullscreen(gw) : gtk_window_unfullscreen(gw))
BOOL_SETTER(set_simple_fullscreen, "set_simple_fullscreen", b ? gtk_window_fullscreen(gw) : gtk_window_unfullscreen(gw))
/* Linux has no such control (tao ignores them): Ok(()), as Tauri. */
BOOL_SETTER(set_maximizable, "set_maximizable", (void)b)
BOOL_SETTER(set_minimizable, "set_minimizable", (void)b)
BOOL_SETTER(set_shadow, "set_shadow", (void)b)
BOOL_SETTER(set_content_protected, "set_content_protected", (void)b)
BOOL_SETTER(set_cursor_grab, "set_cursor_grab", (void)b)

static void apply_cursor(cg_win *w)
{
	cgr_wstate *s = cgr_wstate_of(w);
	GdkWindow *g = gtk_widget_get_window(w->window);
	if (!g)
		return;
	const char *name = s->cursor_hidden ? "none" : s->cursor;
	GdkCursor *cur = name ? gdk_cursor_new_from_name(gdk_window_get_display(g), name) : NULL;
	gdk_window_set_cursor(g, cur);
	if (cur)
		g_object_unref(cur);
}

BOOL_SETTER(set_cursor_visible, "set_cursor_visible", (cgr_wstate_of(w)->cursor_hidden = !b, apply_cursor(w)))

/* An empty input shape lets clicks through to what is below. */
static void ignore_events(cg_win *w, bool b)
{
	GdkWindow *g = gtk_widget_get_window(w->window);
	if (!g)
		return;
	cairo_region_t *none = b ? cairo_region_create() : NULL;
	gdk_window_input_shape_combine_region(g, none, 0, 0);
	if (none)
		cairo_region_destroy(none);
}

BOOL_SETTER(set_ignore_cursor_events, "set_ignore_cursor_events", ignore_events(w, b))

static int set_title(cg_call *c, void *u)
{
	TARGET(c, u);
	const char *t = cgr_arg_str(c, "value");
	if (!t)
		return bad_value(c, "set_title", "a string");
	gtk_window_set_title(GTK_WINDOW(w->window), t);
	return ok(c);
}

#define ACTION(fn, body)                       \
	static int fn(cg_call *c, void *u)     \
	{                                      \
		TARGET(c, u);                  \
		GtkWindow *gw = GTK_WINDOW(w->window); \
		(void)gw;                      \
		body;                          \
		return ok(c);                  \
	}

ACTION(maximize, gtk_window_maximize(gw))
ACTION(unmaximize, gtk_window_unmaximize(gw))
ACTION(minimize, gtk_window_iconify(gw))
ACTION(unminimize, gtk_window_deiconify(gw))
ACTION(show, gtk_widget_show_all(w->window))
ACTION(hide, gtk_widget_hide(w->window))
ACTION(set_focus, gtk_window_present(gw))
ACTION(toggle_maximize, (wstate(w) & GDK_WINDOW_STATE_MAXIMIZED) ? gtk_window_unmaximize(gw) : gtk_window_maximize(gw))
/* The title bar's double click in Tauri's drag script: only when resizable. */
ACTION(internal_toggle_maximize, if (gtk_window_get_resizable(gw)) {
	if (wstate(w) & GDK_WINDOW_STATE_MAXIMIZED)
		gtk_window_unmaximize(gw);
	else
		gtk_window_maximize(gw);
})

/* close asks, as the title bar's button does: the page may refuse
 * (tauri://close-requested, winevents.c). destroy does not ask. */
static int close_window(cg_call *c, void *u)
{
	TARGET(c, u);
	/* Answer first: closing may be the caller's own window. */
	GtkWindow *gw = GTK_WINDOW(w->window);
	g_object_ref(gw);
	cg_call_resolve(c, NULL);
	gtk_window_close(gw);
	g_object_unref(gw);
	return 0;
}

static int destroy_window(cg_call *c, void *u)
{
	TARGET(c, u);
	char *label = g_strdup(w->label);
	cg_call_resolve(c, NULL);
	cg_app_close_window(u, label);
	g_free(label);
	return 0;
}

static int center(cg_call *c, void *u)
{
	TARGET(c, u);
	GdkDisplay *d = gtk_widget_get_display(w->window);
	GdkWindow *g = gtk_widget_get_window(w->window);
	GdkMonitor *m = g ? gdk_display_get_monitor_at_window(d, g) : gdk_display_get_primary_monitor(d);
	if (!m)
		return ok(c);
	GdkRectangle r;
	gdk_monitor_get_workarea(m, &r);
	int s = cgr_scale(w), x, y, ow, oh;
	cgr_outer_geometry(w, &x, &y, &ow, &oh);
	gtk_window_move(GTK_WINDOW(w->window), r.x + (r.width - ow / s) / 2, r.y + (r.height - oh / s) / 2);
	return ok(c);
}

/* {value: null | {type: "Critical" | "Informational"}}: one urgency hint
 * on X11 whatever the level (Tauri: "Urgency levels have the same effect"). */
static int request_user_attention(cg_call *c, void *u)
{
	TARGET(c, u);
	json_object *v = cgr_arg_value(c);
	gtk_window_set_urgency_hint(GTK_WINDOW(w->window), v && !json_object_is_type(v, json_type_null));
	return ok(c);
}

static int set_size(cg_call *c, void *u)
{
	TARGET(c, u);
	int wd, ht;
	if (!cgr_dpi_size(cgr_arg_value(c), cgr_scale(w), &wd, &ht))
		return bad_value(c, "set_size", "a LogicalSize or PhysicalSize ({\"Logical\": {\"width\", \"height\"}})");
	gtk_window_resize(GTK_WINDOW(w->window), wd > 0 ? wd : 1, ht > 0 ? ht : 1);
	return ok(c);
}

static int set_position(cg_call *c, void *u)
{
	TARGET(c, u);
	int x, y;
	if (!cgr_dpi_position(cgr_arg_value(c), cgr_scale(w), &x, &y))
		return bad_value(c, "set_position", "a LogicalPosition or PhysicalPosition ({\"Logical\": {\"x\", \"y\"}})");
	gtk_window_move(GTK_WINDOW(w->window), x, y);
	return ok(c);
}

/* min and max limits together, as tao keeps them (0: none). */
static void apply_limits(cg_win *w)
{
	cgr_wstate *s = cgr_wstate_of(w);
	GdkGeometry geo = {0};
	GdkWindowHints mask = 0;
	if (s->min_w || s->min_h) {
		geo.min_width = s->min_w;
		geo.min_height = s->min_h;
		mask |= GDK_HINT_MIN_SIZE;
	}
	if (s->max_w || s->max_h) {
		geo.max_width = s->max_w ? s->max_w : G_MAXSHORT;
		geo.max_height = s->max_h ? s->max_h : G_MAXSHORT;
		mask |= GDK_HINT_MAX_SIZE;
	}
	gtk_window_set_geometry_hints(GTK_WINDOW(w->window), NULL, &geo, mask);
}

static int limit_setter(cg_call *c, cg_app *app, const char *cmd, bool max)
{
	TARGET(c, app);
	cgr_wstate *s = cgr_wstate_of(w);
	json_object *v = cgr_arg_value(c);
	int wd = 0, ht = 0;
	if (v && !json_object_is_type(v, json_type_null) && !cgr_dpi_size(v, cgr_scale(w), &wd, &ht))
		return bad_value(c, cmd, "null, a LogicalSize or a PhysicalSize");
	if (max) {
		s->max_w = wd;
		s->max_h = ht;
	} else {
		s->min_w = wd;
		s->min_h = ht;
	}
	apply_limits(w);
	return ok(c);
}

static int set_min_size(cg_call *c, void *u) { return limit_setter(c, u, "set_min_size", false); }
static int set_max_size(cg_call *c, void *u) { return limit_setter(c, u, "set_max_size", true); }

/* {value: {minWidth, minHeight, maxWidth, maxHeight}}, each null or a
 * pixel unit ({"Logical": n}). */
static int set_size_constraints(cg_call *c, void *u)
{
	TARGET(c, u);
	json_object *v = cgr_arg_value(c);
	if (!v || !json_object_is_type(v, json_type_object))
		return bad_value(c, "set_size_constraints", "{minWidth, minHeight, maxWidth, maxHeight}");
	static const char *keys[] = {"minWidth", "minHeight", "maxWidth", "maxHeight"};
	int px[4] = {0};
	for (int i = 0; i < 4; i++) {
		json_object *k;
		if (json_object_object_get_ex(v, keys[i], &k) && !json_object_is_type(k, json_type_null) &&
		    !cgr_dpi_pixel(k, cgr_scale(w), &px[i]))
			return bad_value(c, "set_size_constraints", "pixel units ({\"Logical\": n}) or null");
	}
	cgr_wstate *s = cgr_wstate_of(w);
	s->min_w = px[0];
	s->min_h = px[1];
	s->max_w = px[2];
	s->max_h = px[3];
	apply_limits(w);
	return ok(c);
}

/* value: null (the app's theme decides) | "light" | "dark"; app-wide on
 * Linux, as in Tauri. */
static int set_theme(cg_call *c, void *u)
{
	TARGET(c, u);
	json_object *v = cgr_arg_value(c);
	const char *t = NULL;
	if (v && !json_object_is_type(v, json_type_null)) {
		t = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
		if (strcmp(t, "light") != 0 && strcmp(t, "dark") != 0)
			return bad_value(c, "set_theme", "\"light\", \"dark\" or null");
	}
	cgr_theme_set(t);
	return ok(c);
}

/* Tauri's CursorIcon (camelCase) -> the CSS cursor names GDK knows. */
static const char *css_cursor(const char *icon)
{
	static const char *map[][2] = {
		{"default", "default"}, {"crosshair", "crosshair"}, {"hand", "pointer"}, {"arrow", "default"},
		{"move", "move"}, {"text", "text"}, {"wait", "wait"}, {"help", "help"}, {"progress", "progress"},
		{"notAllowed", "not-allowed"}, {"contextMenu", "context-menu"}, {"cell", "cell"},
		{"verticalText", "vertical-text"}, {"alias", "alias"}, {"copy", "copy"}, {"noDrop", "no-drop"},
		{"grab", "grab"}, {"grabbing", "grabbing"}, {"allScroll", "all-scroll"}, {"zoomIn", "zoom-in"},
		{"zoomOut", "zoom-out"}, {"eResize", "e-resize"}, {"nResize", "n-resize"}, {"neResize", "ne-resize"},
		{"nwResize", "nw-resize"}, {"sResize", "s-resize"}, {"seResize", "se-resize"}, {"swResize", "sw-resize"},
		{"wResize", "w-resize"}, {"ewResize", "ew-resize"}, {"nsResize", "ns-resize"},
		{"neswResize", "nesw-resize"}, {"nwseResize", "nwse-resize"}, {"colResize", "col-resize"},
		{"rowResize", "row-resize"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
		if (strcmp(map[i][0], icon) == 0)
			return map[i][1];
	return NULL;
}

static int set_cursor_icon(cg_call *c, void *u)
{
	TARGET(c, u);
	const char *icon = cgr_arg_str(c, "value");
	const char *css = icon ? css_cursor(icon) : NULL;
	if (!css)
		return bad_value(c, "set_cursor_icon", "a CursorIcon (\"default\", \"hand\", \"text\", ...)");
	cgr_wstate *s = cgr_wstate_of(w);
	g_free(s->cursor);
	s->cursor = g_strdup(css);
	apply_cursor(w);
	return ok(c);
}

/* A position in the window's client area. */
static int set_cursor_position(cg_call *c, void *u)
{
	TARGET(c, u);
	int x, y;
	if (!cgr_dpi_position(cgr_arg_value(c), cgr_scale(w), &x, &y))
		return bad_value(c, "set_cursor_position", "a LogicalPosition or PhysicalPosition");
	GdkWindow *g = gtk_widget_get_window(w->window);
	GdkDevice *p = pointer(w);
	if (g && p) {
		int ox, oy;
		gdk_window_get_origin(g, &ox, &oy);
		gdk_device_warp(p, gtk_widget_get_screen(w->window), ox + x, oy + y);
	}
	return ok(c);
}

/* The window manager moves (or resizes) the window with the pointer, as
 * after a press on a title bar; a page calls it from its mousedown. */
static void pointer_root(cg_win *w, int *x, int *y)
{
	GdkDevice *p = pointer(w);
	*x = *y = 0;
	if (p)
		gdk_device_get_position(p, NULL, x, y);
}

static int start_dragging(cg_call *c, void *u)
{
	TARGET(c, u);
	int x, y;
	pointer_root(w, &x, &y);
	gtk_window_begin_move_drag(GTK_WINDOW(w->window), 1, x, y, GDK_CURRENT_TIME);
	return ok(c);
}

static int start_resize_dragging(cg_call *c, void *u)
{
	TARGET(c, u);
	static const struct {
		const char *name;
		GdkWindowEdge edge;
	} dirs[] = {
		{"East", GDK_WINDOW_EDGE_EAST}, {"North", GDK_WINDOW_EDGE_NORTH},
		{"NorthEast", GDK_WINDOW_EDGE_NORTH_EAST}, {"NorthWest", GDK_WINDOW_EDGE_NORTH_WEST},
		{"South", GDK_WINDOW_EDGE_SOUTH}, {"SouthEast", GDK_WINDOW_EDGE_SOUTH_EAST},
		{"SouthWest", GDK_WINDOW_EDGE_SOUTH_WEST}, {"West", GDK_WINDOW_EDGE_WEST},
	};
	const char *d = cgr_arg_str(c, "value");
	for (size_t i = 0; d && i < G_N_ELEMENTS(dirs); i++) {
		if (strcmp(dirs[i].name, d) == 0) {
			int x, y;
			pointer_root(w, &x, &y);
			gtk_window_begin_resize_drag(GTK_WINDOW(w->window), dirs[i].edge, 1, x, y, GDK_CURRENT_TIME);
			return ok(c);
		}
	}
	return bad_value(c, "start_resize_dragging", "a ResizeDirection (\"East\", \"North\", \"NorthEast\", ...)");
}

/* Color: [r, g, b(, a)], {red, green, blue, alpha} or "#rrggbb(aa)". */
static bool parse_color(json_object *v, GdkRGBA *out)
{
	int ch[4] = {0, 0, 0, 255};
	if (json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);
		if (n < 3 || n > 4)
			return false;
		for (size_t i = 0; i < n; i++)
			ch[i] = json_object_get_int(json_object_array_get_idx(v, i));
	} else if (json_object_is_type(v, json_type_object)) {
		static const char *k[] = {"red", "green", "blue", "alpha"};
		for (int i = 0; i < 4; i++) {
			json_object *x;
			if (json_object_object_get_ex(v, k[i], &x))
				ch[i] = json_object_get_int(x);
			else if (i < 3)
				return false;
		}
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		size_t n = strlen(s);
		if (s[0] != '#' || (n != 7 && n != 9))
			return false;
		for (size_t i = 0; i < (n - 1) / 2; i++) {
			int hi = g_ascii_xdigit_value(s[1 + 2 * i]), lo = g_ascii_xdigit_value(s[2 + 2 * i]);
			if (hi < 0 || lo < 0)
				return false;
			ch[i] = hi * 16 + lo;
		}
	} else {
		return false;
	}
	for (int i = 0; i < 4; i++)
		if (ch[i] < 0 || ch[i] > 255)
			return false;
	*out = (GdkRGBA){ch[0] / 255.0, ch[1] / 255.0, ch[2] / 255.0, ch[3] / 255.0};
	return true;
}

/* The window's background is its webview's in capgate (one fills the
 * other); null goes back to WebKit's white. */
static int set_background_color(cg_call *c, void *u)
{
	TARGET(c, u);
	json_object *v = cgr_arg_value(c);
	GdkRGBA rgba = {1, 1, 1, 1};
	if (v && !json_object_is_type(v, json_type_null) && !parse_color(v, &rgba))
		return bad_value(c, "set_background_color", "a Color ([r, g, b, a], {red, green, blue, alpha} or \"#rrggbbaa\") or null");
	if (w->view)
		webkit_web_view_set_background_color(w->view, &rgba);
	return ok(c);
}

static int set_icon(cg_call *c, void *u)
{
	TARGET(c, u);
	json_object *v = cgr_arg_value(c);
	char *why = NULL;
	GdkPixbuf *pb = v ? cgr_image_arg(c, v, "set_icon", &why) : NULL;
	if (!pb) {
		cg_call_reject(c, why ? why : "invalid args `value` for command `set_icon`: missing");
		g_free(why);
		return 0;
	}
	gtk_window_set_icon(GTK_WINDOW(w->window), pb);
	g_object_unref(pb);
	return ok(c);
}

/* Setters whose Linux effect needs libunity (progress bar, badge count)
 * or that are macOS's or Windows' own (title bar style, effects): tao
 * accepts and ignores them, so Tauri answers Ok(()). */
static int accept_any(cg_call *c, void *u)
{
	TARGET(c, u);
	return ok(c);
}

/* Not compiled into Tauri's Linux build. */
static int activity_name(cg_call *c, void *u) { return cgr_not_on_linux(c, "activity_name"); }
static int scene_identifier(cg_call *c, void *u) { return cgr_not_on_linux(c, "scene_identifier"); }
static int set_badge_label(cg_call *c, void *u) { return cgr_not_on_linux(c, "set_badge_label"); }
static int set_overlay_icon(cg_call *c, void *u) { return cgr_not_on_linux(c, "set_overlay_icon"); }

/* new Window() (a window without a webview) needs multiwebview, which
 * capgate does not have yet. */
static int create(cg_call *c, void *u)
{
	return cg_call_reject(c, "capgate: plugin:window|create (a window without a webview, for new Webview()) "
				 "is not supported yet; use new WebviewWindow()");
}

void cgr_register_window_commands(cg_app *app)
{
	static const struct {
		const char *cmd;
		cg_command_fn fn;
	} cmds[] = {
		{"create", create},
		{"get_all_windows", get_all},
		{"scale_factor", scale_factor},
		{"inner_position", inner_position},
		{"outer_position", outer_position},
		{"inner_size", inner_size},
		{"outer_size", outer_size},
		{"is_fullscreen", is_fullscreen},
		{"is_minimized", is_minimized},
		{"is_maximized", is_maximized},
		{"is_focused", is_focused},
		{"is_decorated", is_decorated},
		{"is_resizable", is_resizable},
		{"is_maximizable", is_true},
		{"is_minimizable", is_true},
		{"is_closable", is_closable},
		{"is_visible", is_visible},
		{"is_enabled", is_enabled},
		{"title", title},
		{"current_monitor", current_monitor},
		{"primary_monitor", primary_monitor},
		{"monitor_from_point", monitor_from_point},
		{"available_monitors", available_monitors},
		{"cursor_position", cursor_position},
		{"theme", theme},
		{"is_always_on_top", is_always_on_top},
		{"activity_name", activity_name},
		{"scene_identifier", scene_identifier},
		{"center", center},
		{"request_user_attention", request_user_attention},
		{"set_enabled", set_enabled},
		{"set_resizable", set_resizable},
		{"set_maximizable", set_maximizable},
		{"set_minimizable", set_minimizable},
		{"set_closable", set_closable},
		{"set_title", set_title},
		{"maximize", maximize},
		{"unmaximize", unmaximize},
		{"minimize", minimize},
		{"unminimize", unminimize},
		{"show", show},
		{"hide", hide},
		{"close", close_window},
		{"destroy", destroy_window},
		{"set_decorations", set_decorations},
		{"set_shadow", set_shadow},
		{"set_effects", accept_any},
		{"set_always_on_top", set_always_on_top},
		{"set_always_on_bottom", set_always_on_bottom},
		{"set_visible_on_all_workspaces", set_visible_on_all_workspaces},
		{"set_content_protected", set_content_protected},
		{"set_size", set_size},
		{"set_min_size", set_min_size},
		{"set_size_constraints", set_size_constraints},
		{"set_max_size", set_max_size},
		{"set_position", set_position},
		{"set_fullscreen", set_fullscreen},
		{"set_simple_fullscreen", set_simple_fullscreen},
		{"set_focus", set_focus},
		{"set_focusable", set_focusable},
		{"set_skip_taskbar", set_skip_taskbar},
		{"set_cursor_grab", set_cursor_grab},
		{"set_cursor_visible", set_cursor_visible},
		{"set_cursor_icon", set_cursor_icon},
		{"set_cursor_position", set_cursor_position},
		{"set_ignore_cursor_events", set_ignore_cursor_events},
		{"start_dragging", start_dragging},
		{"start_resize_dragging", start_resize_dragging},
		{"set_progress_bar", accept_any},
		{"set_badge_count", accept_any},
		{"set_overlay_icon", set_overlay_icon},
		{"set_badge_label", set_badge_label},
		{"set_icon", set_icon},
		{"set_title_bar_style", accept_any},
		{"set_theme", set_theme},
		{"toggle_maximize", toggle_maximize},
		{"set_background_color", set_background_color},
		{"internal_toggle_maximize", internal_toggle_maximize},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++)
		cg_router_register(app->r, "core:window", cmds[i].cmd, cmds[i].fn, app, CG_CMD_SYNC);
}
