/*
 * The window events @tauri-apps/api listens for, fired by what GTK
 * reports: tauri://resize, tauri://move, tauri://focus, tauri://blur,
 * tauri://close-requested, tauri://destroyed, tauri://scale-change and
 * tauri://theme-changed. Each goes to the window's own listeners through
 * the router, which delivers it only to webviews allowed to listen to
 * that name (engine/router/events.c).
 */
#include "corecmds.h"

#include <string.h>

/* Takes payload. Returns how many listeners it reached. */
static int emit(cg_win *w, const char *event, json_object *payload)
{
	int n = w->wv ? cg_router_emit(w->app->r, event, CG_TARGET_WINDOW, w->label, payload) : 0;
	json_object_put(payload);
	return n < 0 ? 0 : n;
}

static gboolean on_configure(GtkWidget *widget, GdkEventConfigure *ev, gpointer data)
{
	cg_win *w = data;
	cgr_wstate *s = cgr_wstate_of(w);
	int x, y, wd, ht;
	cgr_inner_geometry(w, &x, &y, &wd, &ht);
	/* The event's own size: GDK has not always stored it yet. */
	int sc = cgr_scale(w);
	wd = ev->width * sc;
	ht = ev->height * sc;
	bool resized = !s->known || wd != s->w || ht != s->h;
	bool moved = !s->known || x != s->x || y != s->y;
	s->known = true;
	s->x = x;
	s->y = y;
	s->w = wd;
	s->h = ht;
	if (resized)
		emit(w, "tauri://resize", cgr_dpi_physical_size(wd, ht));
	if (moved)
		emit(w, "tauri://move", cgr_dpi_physical_position(x, y, false));
	return FALSE;
}

static void on_active(GObject *obj, GParamSpec *ps, gpointer data)
{
	cg_win *w = data;
	cgr_wstate *s = cgr_wstate_of(w);
	bool active = gtk_window_is_active(GTK_WINDOW(w->window));
	if (active == s->focused)
		return;
	s->focused = active;
	emit(w, active ? "tauri://focus" : "tauri://blur", NULL);
}

/* As Tauri: when the window's page listens for close-requested, the close
 * waits for it; its listener (onCloseRequested) destroys the window
 * unless the page called preventDefault(). A page that may not listen to
 * the event (or has no listener) cannot hold the window open. */
static gboolean on_delete(GtkWidget *widget, GdkEvent *ev, gpointer data)
{
	cg_win *w = data;
	return emit(w, "tauri://close-requested", NULL) > 0;
}

static void on_destroy(GtkWidget *widget, gpointer data)
{
	emit(data, "tauri://destroyed", NULL);
}

static void on_scale(GObject *obj, GParamSpec *ps, gpointer data)
{
	cg_win *w = data;
	cgr_wstate *s = cgr_wstate_of(w);
	int sc = cgr_scale(w);
	if (sc == s->scale)
		return;
	s->scale = sc;
	int x, y, wd, ht;
	cgr_inner_geometry(w, &x, &y, &wd, &ht);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "scaleFactor", json_object_new_double(sc));
	json_object_object_add(o, "size", cgr_dpi_physical_size(wd, ht));
	emit(w, "tauri://scale-change", o);
}

/* data is the GtkWindow: the connection ends with it. */
static void on_theme(GObject *obj, GParamSpec *ps, gpointer data)
{
	cg_win *w = g_object_get_data(G_OBJECT(data), "capgate-win");
	if (!w)
		return;
	const char *now = cgr_theme_name();
	const char *was = g_object_get_data(G_OBJECT(w->window), "capgate-theme");
	if (was && strcmp(was, now) == 0)
		return;
	g_object_set_data_full(G_OBJECT(w->window), "capgate-theme", g_strdup(now), g_free);
	emit(w, "tauri://theme-changed", json_object_new_string(now));
}

void cgr_window_events_attach(cg_win *w)
{
	GObject *win = G_OBJECT(w->window);
	cgr_wstate *s = cgr_wstate_of(w);
	s->scale = cgr_scale(w);
	g_object_set_data(win, "capgate-win", w);
	g_object_set_data_full(win, "capgate-theme", g_strdup(cgr_theme_name()), g_free);
	g_signal_connect(win, "configure-event", G_CALLBACK(on_configure), w);
	g_signal_connect(win, "notify::is-active", G_CALLBACK(on_active), w);
	g_signal_connect(win, "notify::scale-factor", G_CALLBACK(on_scale), w);
	g_signal_connect(win, "delete-event", G_CALLBACK(on_delete), w);
	/* Before the runtime's own destroy handler lets go of the webview. */
	g_signal_connect(win, "destroy", G_CALLBACK(on_destroy), w);
	GtkSettings *st = gtk_settings_get_default();
	if (st) {
		g_signal_connect_object(st, "notify::gtk-theme-name", G_CALLBACK(on_theme), w->window, 0);
		g_signal_connect_object(st, "notify::gtk-application-prefer-dark-theme", G_CALLBACK(on_theme), w->window, 0);
	}
}
