/*
 * Window management under a real window manager: every core:window,
 * core:webview and core:app command the test frontend can reach through
 * the unmodified @tauri-apps/api (its Window, Webview and app functions),
 * checked against what GTK reports, and the window events each real
 * change fires. openbox, started by the test on the Xvfb display, is the
 * window manager (maximize, fullscreen, focus and stacking need one).
 * Every step waits for the state or event it expects, never for a time.
 */
#include "rt_harness.h"

#include <gdk/gdkx.h>
#include <gtk/gtk.h>

static pid_t wm_pid = -1;
static char log_path[64];

/* ------------------------------------------------------------- helpers */

static GtkWindow *gw(const char *label) { return cg_app_gtk_window(app, label); }

static GdkWindow *gdkw(const char *label)
{
	GtkWindow *w = gw(label);
	return w ? gtk_widget_get_window(GTK_WIDGET(w)) : NULL;
}

typedef int (*gtk_cond)(const char *label, long a, long b);

/* Runs the main loop until cond holds (30 s at most). */
static int wait_gtk(gtk_cond cond, const char *label, long a, long b)
{
	gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while (g_get_monotonic_time() < end) {
		if (cond(label, a, b))
			return 1;
		pause_loop();
	}
	return cond(label, a, b);
}

static int c_size(const char *l, long w, long h)
{
	GdkWindow *g = gdkw(l);
	return g && gdk_window_get_width(g) == w && gdk_window_get_height(g) == h;
}

static int c_frame_at(const char *l, long x, long y)
{
	GdkWindow *g = gdkw(l);
	GdkRectangle r;
	if (!g)
		return 0;
	gdk_window_get_frame_extents(g, &r);
	return r.x == x && r.y == y;
}

static int c_state(const char *l, long flag, long on)
{
	GdkWindow *g = gdkw(l);
	return g && !!(gdk_window_get_state(g) & flag) == !!on;
}

/* What the window manager says of the window (_NET_WM_STATE), a is the
 * name's index in names[]. */
static const char *net_names[] = {"_NET_WM_STATE_ABOVE", "_NET_WM_STATE_BELOW"};
enum { NET_ABOVE, NET_BELOW };

static int c_net(const char *l, long a, long on)
{
	GdkWindow *g = gdkw(l);
	GdkAtom type;
	gint format, len;
	guchar *data = NULL;
	int found = 0;
	if (!g || !gdk_property_get(g, gdk_atom_intern_static_string("_NET_WM_STATE"),
				    gdk_atom_intern_static_string("ATOM"), 0, 1024, FALSE, &type, &format, &len, &data))
		return !on;
	GdkAtom want = gdk_atom_intern(net_names[a], FALSE);
	for (gint i = 0; data && i < len / (gint)sizeof(GdkAtom); i++)
		found |= ((GdkAtom *)data)[i] == want;
	g_free(data);
	return found == !!on;
}

/* On every desktop: _NET_WM_DESKTOP is 0xFFFFFFFF (what stick asks for). */
static int c_all_desktops(const char *l, long on, long unused)
{
	GdkWindow *g = gdkw(l);
	GdkAtom type;
	gint format, len;
	guchar *data = NULL;
	if (!g || !gdk_property_get(g, gdk_atom_intern_static_string("_NET_WM_DESKTOP"),
				    gdk_atom_intern_static_string("CARDINAL"), 0, 1, FALSE, &type, &format, &len, &data))
		return 0;
	/* format-32 data comes as longs (Xlib's convention) */
	int all = data && len >= (gint)sizeof(long) && (((unsigned long *)data)[0] & 0xFFFFFFFFul) == 0xFFFFFFFFul;
	g_free(data);
	return all == !!on;
}

static int c_active(const char *l, long on, long unused)
{
	GtkWindow *w = gw(l);
	return w && !!gtk_window_is_active(w) == !!on;
}

static int c_gone(const char *l, long a, long b) { return gw(l) == NULL; }

static int c_wm(const char *l, long a, long b)
{
	GdkScreen *s = gdk_screen_get_default();
	return s && GDK_IS_X11_SCREEN(s) &&
	       gdk_x11_screen_supports_net_wm_hint(s, gdk_atom_intern_static_string("_NET_WM_STATE_FULLSCREEN"));
}

/* A method of the window's Window (or Webview) object; args is a JSON
 * array where {"dpi": "LogicalSize", "args": [w, h]} becomes an instance. */
static char *W(const char *label, const char *method, const char *args)
{
	char *arg = g_strdup_printf("{\"method\": \"%s\", \"args\": %s}", method, args ? args : "[]");
	char *r = scenario(label, "win", arg);
	g_free(arg);
	return r;
}

static char *WV(const char *label, const char *method, const char *args)
{
	char *arg = g_strdup_printf("{\"on\": \"webview\", \"method\": \"%s\", \"args\": %s}", method, args ? args : "[]");
	char *r = scenario(label, "win", arg);
	g_free(arg);
	return r;
}

static char *API(const char *label, const char *mod, const char *fn, const char *args)
{
	char *arg = g_strdup_printf("{\"mod\": \"%s\", \"fn\": \"%s\", \"args\": %s}", mod, fn, args ? args : "[]");
	char *r = scenario(label, "api", arg);
	g_free(arg);
	return r;
}

/* Calls and expects exactly want (the JSON of the answer). */
#define CALL_IS(want, expr)                                                     \
	do {                                                                    \
		char *r_ = (expr);                                              \
		EXPECT(strcmp(r_, (want)) == 0, "%s: %s (expected %s)", #expr, r_, (want)); \
		g_free(r_);                                                     \
	} while (0)

/* Calls and expects the answer to contain want. */
#define CALL_HAS(want, expr)                                                    \
	do {                                                                    \
		char *r_ = (expr);                                              \
		EXPECT(strstr(r_, (want)) != NULL, "%s: %s (expected %s in it)", #expr, r_, (want)); \
		g_free(r_);                                                     \
	} while (0)

/* Waits until the page saw an event: a JS condition on e ({name, payload}). */
static int saw(const char *label, const char *cond)
{
	char *js = g_strdup_printf("return window.__winEvents.some((e) => %s);", cond);
	int ok = wait_true(label, js);
	g_free(js);
	return ok;
}

static void clear_events(const char *label)
{
	g_free(eval_in(label, "window.__winEvents.length = 0; return true;"));
}

/* ----------------------------------------------------------- scenario */

static void sc_geometry(void)
{
	/* title */
	CALL_IS("null", W("wm", "setTitle", "[\"Hello capgate\"]"));
	EXPECT(strcmp(gtk_window_get_title(gw("wm")), "Hello capgate") == 0, "GTK title: %s", gtk_window_get_title(gw("wm")));
	CALL_IS("\"Hello capgate\"", W("wm", "title", NULL));

	/* size, logical then physical (scale 1 under Xvfb), and its event */
	CALL_IS("1", W("wm", "scaleFactor", NULL));
	clear_events("wm");
	CALL_IS("null", W("wm", "setSize", "[{\"dpi\": \"LogicalSize\", \"args\": [500, 400]}]"));
	EXPECT(wait_gtk(c_size, "wm", 500, 400), "GTK never got 500x400");
	EXPECT(saw("wm", "e.name === 'resize' && e.payload.width === 500 && e.payload.height === 400"),
	       "no tauri://resize 500x400");
	CALL_HAS("\"width\":500,\"height\":400", W("wm", "innerSize", NULL));
	CALL_HAS("\"width\":500,\"height\":400", WV("wm", "size", NULL));
	CALL_IS("null", W("wm", "setSize", "[{\"dpi\": \"PhysicalSize\", \"args\": [450, 350]}]"));
	EXPECT(wait_gtk(c_size, "wm", 450, 350), "GTK never got 450x350");
	/* the outer size has the frame openbox draws */
	char *r = W("wm", "outerSize", NULL);
	GdkRectangle fr;
	gdk_window_get_frame_extents(gdkw("wm"), &fr);
	char want[128];
	snprintf(want, sizeof(want), "{\"width\":%d,\"height\":%d", fr.width, fr.height);
	EXPECT(strstr(r, want) && fr.height > 350, "outerSize %s, GTK frame %dx%d", r, fr.width, fr.height);
	g_free(r);

	/* position, and its event; the wire form of API 2.0 (built by hand) too */
	clear_events("wm");
	CALL_IS("null", W("wm", "setPosition", "[{\"dpi\": \"LogicalPosition\", \"args\": [100, 120]}]"));
	EXPECT(wait_gtk(c_frame_at, "wm", 100, 120), "GTK frame never at 100,120");
	CALL_HAS("{\"x\":100,\"y\":120", W("wm", "outerPosition", NULL));
	int ox, oy;
	gdk_window_get_origin(gdkw("wm"), &ox, &oy);
	snprintf(want, sizeof(want), "{\"x\":%d,\"y\":%d", ox, oy);
	CALL_HAS(want, W("wm", "innerPosition", NULL));
	CALL_HAS(want, WV("wm", "position", NULL));
	EXPECT(saw("wm", "e.name === 'move'"), "no tauri://move");
	CALL_IS("null", scenario("wm", "invoke", "{\"cmd\": \"plugin:window|set_position\", \"args\": "
						 "{\"label\": \"wm\", \"value\": {\"Physical\": {\"x\": 60, \"y\": 70}}}}"));
	EXPECT(wait_gtk(c_frame_at, "wm", 60, 70), "GTK frame never at 60,70 (2.0 wire form)");

	/* min and max sizes hold what set_size asks */
	CALL_IS("null", W("wm", "setMinSize", "[{\"dpi\": \"LogicalSize\", \"args\": [300, 250]}]"));
	CALL_IS("null", W("wm", "setSize", "[{\"dpi\": \"LogicalSize\", \"args\": [100, 100]}]"));
	EXPECT(wait_gtk(c_size, "wm", 300, 250), "min size not held");
	CALL_IS("null", W("wm", "setMaxSize", "[{\"dpi\": \"LogicalSize\", \"args\": [520, 430]}]"));
	CALL_IS("null", W("wm", "setSize", "[{\"dpi\": \"LogicalSize\", \"args\": [900, 900]}]"));
	EXPECT(wait_gtk(c_size, "wm", 520, 430), "max size not held");
	CALL_IS("null", W("wm", "setMaxSize", "[null]"));
	CALL_IS("null", W("wm", "setSizeConstraints", "[{\"minWidth\": 200, \"minHeight\": 150}]"));
	CALL_IS("null", W("wm", "setSize", "[{\"dpi\": \"LogicalSize\", \"args\": [120, 120]}]"));
	EXPECT(wait_gtk(c_size, "wm", 200, 150), "size constraints not held");
	CALL_IS("null", W("wm", "setSizeConstraints", "[null]"));
	CALL_IS("null", W("wm", "setSize", "[{\"dpi\": \"LogicalSize\", \"args\": [420, 320]}]"));
	EXPECT(wait_gtk(c_size, "wm", 420, 320), "constraints not lifted");

	/* center on the 1280x1024 screen */
	CALL_IS("null", W("wm", "center", NULL));
	gdk_window_get_frame_extents(gdkw("wm"), &fr);
	GdkRectangle work;
	gdk_monitor_get_workarea(gdk_display_get_monitor_at_window(gdk_display_get_default(), gdkw("wm")), &work);
	EXPECT(wait_gtk(c_frame_at, "wm", work.x + (work.width - fr.width) / 2, work.y + (work.height - fr.height) / 2),
	       "not centred");
}

static void sc_states(void)
{
	CALL_IS("null", W("wm", "setResizable", "[false]"));
	EXPECT(!gtk_window_get_resizable(gw("wm")), "GTK still resizable");
	CALL_IS("false", W("wm", "isResizable", NULL));
	CALL_IS("null", W("wm", "setResizable", "[true]"));
	CALL_IS("true", W("wm", "isResizable", NULL));

	CALL_IS("null", W("wm", "setDecorations", "[false]"));
	EXPECT(!gtk_window_get_decorated(gw("wm")), "GTK still decorated");
	CALL_IS("false", W("wm", "isDecorated", NULL));
	CALL_IS("null", W("wm", "setDecorations", "[true]"));
	CALL_IS("true", W("wm", "isDecorated", NULL));

	CALL_IS("null", W("wm", "setAlwaysOnTop", "[true]"));
	EXPECT(wait_gtk(c_net, "wm", NET_ABOVE, 1), "GTK not above");
	CALL_IS("true", W("wm", "isAlwaysOnTop", NULL));
	CALL_IS("null", W("wm", "setAlwaysOnTop", "[false]"));
	EXPECT(wait_gtk(c_net, "wm", NET_ABOVE, 0), "GTK still above");
	CALL_IS("null", W("wm", "setAlwaysOnBottom", "[true]"));
	EXPECT(wait_gtk(c_net, "wm", NET_BELOW, 1), "GTK not below");
	CALL_IS("null", W("wm", "setAlwaysOnBottom", "[false]"));
	EXPECT(wait_gtk(c_net, "wm", NET_BELOW, 0), "GTK still below");

	CALL_IS("null", W("wm", "setFullscreen", "[true]"));
	EXPECT(wait_gtk(c_state, "wm", GDK_WINDOW_STATE_FULLSCREEN, 1), "GTK not fullscreen");
	CALL_IS("true", W("wm", "isFullscreen", NULL));
	CALL_IS("null", W("wm", "setFullscreen", "[false]"));
	EXPECT(wait_gtk(c_state, "wm", GDK_WINDOW_STATE_FULLSCREEN, 0), "GTK still fullscreen");
	CALL_IS("false", W("wm", "isFullscreen", NULL));

	CALL_IS("null", W("wm", "maximize", NULL));
	EXPECT(wait_gtk(c_state, "wm", GDK_WINDOW_STATE_MAXIMIZED, 1), "GTK not maximized");
	CALL_IS("true", W("wm", "isMaximized", NULL));
	CALL_IS("null", W("wm", "unmaximize", NULL));
	EXPECT(wait_gtk(c_state, "wm", GDK_WINDOW_STATE_MAXIMIZED, 0), "GTK still maximized");
	CALL_IS("null", W("wm", "toggleMaximize", NULL));
	EXPECT(wait_gtk(c_state, "wm", GDK_WINDOW_STATE_MAXIMIZED, 1), "toggle: not maximized");
	CALL_IS("null", W("wm", "toggleMaximize", NULL));
	EXPECT(wait_gtk(c_state, "wm", GDK_WINDOW_STATE_MAXIMIZED, 0), "toggle: still maximized");
	CALL_IS("false", W("wm", "isMaximized", NULL));

	CALL_IS("null", W("wm", "minimize", NULL));
	EXPECT(wait_gtk(c_state, "wm", GDK_WINDOW_STATE_ICONIFIED, 1), "GTK not minimized");
	CALL_IS("true", W("wm", "isMinimized", NULL));
	CALL_IS("null", W("wm", "unminimize", NULL));
	EXPECT(wait_gtk(c_state, "wm", GDK_WINDOW_STATE_ICONIFIED, 0), "GTK still minimized");

	CALL_IS("null", W("wm", "setVisibleOnAllWorkspaces", "[true]"));
	EXPECT(wait_gtk(c_all_desktops, "wm", 1, 0), "GTK not sticky");
	CALL_IS("null", W("wm", "setVisibleOnAllWorkspaces", "[false]"));
	EXPECT(wait_gtk(c_all_desktops, "wm", 0, 0), "GTK still sticky");

	CALL_IS("null", W("wm", "setClosable", "[false]"));
	EXPECT(!gtk_window_get_deletable(gw("wm")), "GTK still deletable");
	CALL_IS("false", W("wm", "isClosable", NULL));
	CALL_IS("null", W("wm", "setClosable", "[true]"));

	CALL_IS("null", W("wm", "setSkipTaskbar", "[true]"));
	EXPECT(gtk_window_get_skip_taskbar_hint(gw("wm")), "GTK not skipping the taskbar");
	CALL_IS("null", W("wm", "setSkipTaskbar", "[false]"));

	CALL_IS("null", W("wm", "setEnabled", "[false]"));
	EXPECT(!gtk_widget_get_sensitive(GTK_WIDGET(gw("wm"))), "GTK still sensitive");
	CALL_IS("false", W("wm", "isEnabled", NULL));
	CALL_IS("null", W("wm", "setEnabled", "[true]"));
	CALL_IS("true", W("wm", "isEnabled", NULL));

	/* UserAttentionType.Critical is 1 */
	CALL_IS("null", W("wm", "requestUserAttention", "[1]"));
	EXPECT(gtk_window_get_urgency_hint(gw("wm")), "no urgency hint");
	CALL_IS("null", W("wm", "requestUserAttention", "[null]"));
	EXPECT(!gtk_window_get_urgency_hint(gw("wm")), "urgency hint kept");

	CALL_IS("null", W("wm", "hide", NULL));
	EXPECT(!gtk_widget_get_visible(GTK_WIDGET(gw("wm"))), "GTK still visible");
	CALL_IS("false", W("wm", "isVisible", NULL));
	CALL_IS("null", W("wm", "show", NULL));
	CALL_IS("true", W("wm", "isVisible", NULL));

	/* an icon from PNG bytes: a 1x1 PNG */
	CALL_IS("null", W("wm", "setIcon", "[[137,80,78,71,13,10,26,10,0,0,0,13,73,72,68,82,0,0,0,1,0,0,0,1,8,6,0,0,0,31,21,"
					   "196,137,0,0,0,13,73,68,65,84,120,156,99,248,207,192,240,31,0,5,0,1,255,137,153,61,"
					   "29,0,0,0,0,73,69,78,68,174,66,96,130]]"));
	EXPECT(gtk_window_get_icon(gw("wm")) != NULL, "no GTK icon");
	CALL_HAS("invalid icon", W("wm", "setIcon", "[[1,2,3]]"));
}

static void sc_monitors_cursor_theme(void)
{
	GdkMonitor *m = gdk_display_get_primary_monitor(gdk_display_get_default());
	if (!m)
		m = gdk_display_get_monitor(gdk_display_get_default(), 0);
	GdkRectangle geo;
	gdk_monitor_get_geometry(m, &geo);
	char want[128];
	snprintf(want, sizeof(want), "\"size\":{\"width\":%d,\"height\":%d}", geo.width, geo.height);
	CALL_HAS(want, API("wm", "window", "currentMonitor", NULL));
	CALL_HAS(want, API("wm", "window", "availableMonitors", NULL));
	CALL_HAS("\"workArea\"", API("wm", "window", "availableMonitors", NULL));
	CALL_HAS("\"scaleFactor\":1", API("wm", "window", "monitorFromPoint", "[10, 10]"));
	CALL_IS("null", API("wm", "window", "monitorFromPoint", "[-5000, -5000]"));

	/* the pointer, put in the client area and read back on the desktop */
	CALL_IS("null", W("wm", "setCursorPosition", "[{\"dpi\": \"LogicalPosition\", \"args\": [10, 12]}]"));
	int ox, oy;
	gdk_window_get_origin(gdkw("wm"), &ox, &oy);
	char *r = API("wm", "window", "cursorPosition", NULL);
	snprintf(want, sizeof(want), "{\"x\":%d,\"y\":%d", ox + 10, oy + 12);
	EXPECT(strstr(r, want) != NULL, "cursorPosition %s, expected %s", r, want);
	g_free(r);
	CALL_IS("null", W("wm", "setCursorIcon", "[\"hand\"]"));
	CALL_IS("null", W("wm", "setCursorVisible", "[false]"));
	CALL_IS("null", W("wm", "setCursorVisible", "[true]"));
	CALL_IS("null", W("wm", "setIgnoreCursorEvents", "[false]"));

	/* the app-wide theme, with its event */
	clear_events("wm");
	CALL_IS("null", W("wm", "setTheme", "[\"dark\"]"));
	gboolean dark = FALSE;
	g_object_get(gtk_settings_get_default(), "gtk-application-prefer-dark-theme", &dark, NULL);
	EXPECT(dark, "GTK does not prefer dark");
	CALL_IS("\"dark\"", W("wm", "theme", NULL));
	EXPECT(saw("wm", "e.name === 'theme' && e.payload === 'dark'"), "no tauri://theme-changed dark");
	CALL_IS("null", API("wm", "app", "setTheme", "[null]"));
	CALL_IS("\"light\"", W("wm", "theme", NULL));
	EXPECT(saw("wm", "e.name === 'theme' && e.payload === 'light'"), "no tauri://theme-changed light");
}

/* What Tauri's Linux build answers for what Linux cannot do. */
static void sc_linux_answers(void)
{
	CALL_IS("true", W("wm", "isMaximizable", NULL));
	CALL_IS("true", W("wm", "isMinimizable", NULL));
	CALL_IS("null", W("wm", "setMaximizable", "[false]"));
	CALL_IS("true", W("wm", "isMaximizable", NULL));
	CALL_IS("null", W("wm", "setShadow", "[false]"));
	CALL_IS("null", W("wm", "setContentProtected", "[true]"));
	CALL_IS("null", W("wm", "setCursorGrab", "[true]"));
	CALL_IS("null", W("wm", "setTitleBarStyle", "[\"overlay\"]"));
	CALL_IS("null", W("wm", "setEffects", "[{\"effects\": [\"blur\"]}]"));
	CALL_IS("null", W("wm", "setProgressBar", "[{\"status\": \"normal\", \"progress\": 40}]"));
	CALL_IS("null", W("wm", "setBadgeCount", "[3]"));
	CALL_HAS("Command set_badge_label not found", W("wm", "setBadgeLabel", "[\"x\"]"));
	CALL_HAS("Command set_overlay_icon not found", W("wm", "setOverlayIcon", "[null]"));
	CALL_HAS("Command activity_name not found",
		 scenario("wm", "invoke_error", "{\"cmd\": \"plugin:window|activity_name\", \"args\": {}}"));
	CALL_HAS("unstable", scenario("wm", "invoke_error", "{\"cmd\": \"plugin:webview|create_webview\", \"args\": {}}"));
	CALL_HAS("cannot reparent", WV("wm", "reparent", "[\"viewer\"]"));

	/* core:app */
	CALL_IS("\"capgate-integration\"", API("wm", "app", "getName", NULL));
	CALL_IS("\"1.2.3\"", API("wm", "app", "getVersion", NULL));
	CALL_IS("\"2.0.0\"", API("wm", "app", "getTauriVersion", NULL));
	CALL_IS("null", API("wm", "app", "show", NULL));
	CALL_IS("null", API("wm", "app", "hide", NULL));
	CALL_IS("null", API("wm", "app", "defaultWindowIcon", NULL));
	CALL_IS("[]", API("wm", "app", "fetchDataStoreIdentifiers", NULL));
	CALL_IS("null", API("wm", "app", "setDockVisibility", "[false]"));
	CALL_IS("true", API("wm", "app", "supportsMultipleWindows", NULL));

	/* core:webview on the window's own webview */
	CALL_HAS("\"label\":\"viewer\"", API("wm", "webview", "getAllWebviews", NULL));
	CALL_IS("null", WV("wm", "setZoom", "[1.5]"));
	EXPECT(wait_true("wm", "return Math.abs(window.innerWidth * 1.5 - 420) < 30;"),
	       "the page did not zoom");
	CALL_IS("null", WV("wm", "setZoom", "[1]"));
	CALL_IS("null", WV("wm", "setBackgroundColor", "[[10, 20, 30, 255]]"));
	CALL_IS("null", W("wm", "setBackgroundColor", "[\"#102030\"]"));
	CALL_IS("null", WV("wm", "setFocus", NULL));
	CALL_IS("null", WV("wm", "clearAllBrowsingData", NULL));
}

/* focus and blur follow the window manager's focus. */
static void sc_focus(void)
{
	clear_events("wm");
	CALL_IS("null", W("wm", "setFocus", NULL));
	EXPECT(wait_gtk(c_active, "wm", 1, 0), "wm never active");
	CALL_IS("null", scenario("wm", "invoke", "{\"cmd\": \"plugin:window|set_focus\", \"args\": {\"label\": \"viewer\"}}"));
	EXPECT(wait_gtk(c_active, "viewer", 1, 0), "viewer never active");
	EXPECT(saw("wm", "e.name === 'focus' && e.payload === false"), "no tauri://blur in wm");
	CALL_IS("true", W("viewer", "isFocused", NULL));
	CALL_IS("false", W("wm", "isFocused", NULL));
	CALL_IS("null", W("wm", "setFocus", NULL));
	EXPECT(wait_gtk(c_active, "wm", 1, 0), "wm not active again");
	EXPECT(saw("wm", "e.name === 'focus' && e.payload === true"), "no tauri://focus in wm");
}

/* A window acting on another: allowed for wm (named in the decision log),
 * denied for viewer (core:window:default has no setters). */
static void sc_targets(void)
{
	CALL_IS("null", scenario("wm", "invoke", "{\"cmd\": \"plugin:window|set_title\", \"args\": "
						 "{\"label\": \"viewer\", \"value\": \"Set by wm\"}}"));
	EXPECT(strcmp(gtk_window_get_title(gw("viewer")), "Set by wm") == 0, "viewer title: %s",
	       gtk_window_get_title(gw("viewer")));
	CALL_HAS("no capability grants plugin:window|set_always_on_top", scenario("viewer", "invoke_error", "{\"cmd\": \"plugin:window|set_always_on_top\", \"args\": "
								   "{\"label\": \"wm\", \"value\": true}}"));
	EXPECT(c_net("wm", NET_ABOVE, 0), "viewer's denied call had an effect");
	CALL_HAS("window not found", scenario("wm", "invoke_error", "{\"cmd\": \"plugin:window|maximize\", \"args\": "
								   "{\"label\": \"nobody\"}}"));
	/* viewer may not listen to window events: its onResized is refused,
	 * and it cannot hold its window open on a close request */
	CALL_HAS("error", scenario("viewer", "win_watch", NULL));
	CALL_HAS("tauri://close-requested",
		 scenario("viewer", "listen", "{\"event\": \"tauri://close-requested\", \"target\": "
					      "{\"kind\": \"Window\", \"label\": \"viewer\"}}"));
}

/* The page refuses a close request (onCloseRequested + preventDefault):
 * the window stays; then it accepts, and the window goes. */
static void sc_close(void)
{
	clear_events("wm");
	g_free(eval_in("wm", "window.__refuseClose = true; return true;"));
	/* as the window manager's close button asks */
	gtk_window_close(gw("wm"));
	EXPECT(saw("wm", "e.name === 'close-requested' && e.refused"), "no close-requested (WM close)");
	/* and as the page's own close() asks */
	clear_events("wm");
	CALL_IS("null", W("wm", "close", NULL));
	EXPECT(saw("wm", "e.name === 'close-requested' && e.refused"), "no close-requested (close())");
	EXPECT(gw("wm") && gtk_widget_get_visible(GTK_WIDGET(gw("wm"))), "wm closed although the page refused");
	CALL_IS("true", W("wm", "isVisible", NULL));
	/* viewer could not listen: a close request closes it at once */
	gtk_window_close(gw("viewer"));
	EXPECT(wait_gtk(c_gone, "viewer", 0, 0), "viewer held open without listen permission");
	g_free(eval_in("wm", "window.__refuseClose = false; return true;"));
	gtk_window_close(gw("wm"));
	EXPECT(wait_gtk(c_gone, "wm", 0, 0), "wm not closed after the page accepted");
}

/* core:image through the unmodified Image class. */
static const unsigned char png1x1[] = {
	137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 31, 21,
	196, 137, 0, 0, 0, 13, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 240, 31, 0, 5, 0, 1, 255, 137, 153, 61,
	29, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130};

static char *png_json(const unsigned char *b, size_t n)
{
	GString *g = g_string_new("[");
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(g, "%s%u", i ? "," : "", b[i]);
	g_string_append_c(g, ']');
	return g_string_free(g, FALSE);
}

static char *IMG(const char *arg)
{
	return scenario("wm", "image", arg);
}

static void sc_images(void)
{
	/* from raw RGBA, read back byte for byte */
	char *r = IMG("{\"from\": \"new\", \"rgba\": [1,2,3,4,250,251,252,253], \"width\": 2, \"height\": 1}");
	EXPECT(g_str_has_prefix(r, "{\"size\":{\"width\":2,\"height\":1},\"rgba\":[1,2,3,4,250,251,252,253],\"len\":8,"
				   "\"after\":\"The resource id ") && g_str_has_suffix(r, " is invalid.\"}"),
	       "an image from rgba, closed: %s", r);
	g_free(r);
	CALL_HAS("must be width * height * 4", IMG("{\"from\": \"new\", \"rgba\": [1,2,3], \"width\": 1, \"height\": 1}"));
	/* from PNG bytes, and set as the icon by its rid */
	char *bytes = png_json(png1x1, sizeof(png1x1));
	char *a = g_strdup_printf("{\"from\": \"bytes\", \"bytes\": %s, \"icon\": true}", bytes);
	gtk_window_set_icon(gw("wm"), NULL);
	CALL_HAS("\"size\":{\"width\":1,\"height\":1}", IMG(a));
	EXPECT(gtk_window_get_icon(gw("wm")) != NULL, "no GTK icon from an image rid");
	g_free(a);
	/* a 100000 x 100000 PNG header is refused before anything is decoded */
	unsigned char big[sizeof(png1x1)];
	memcpy(big, png1x1, sizeof(big));
	big[17] = 1, big[18] = 0x86, big[19] = 0xa0, big[21] = 1, big[22] = 0x86, big[23] = 0xa0;
	char *bj = png_json(big, sizeof(big));
	a = g_strdup_printf("{\"from\": \"bytes\", \"bytes\": %s}", bj);
	CALL_HAS("image of 100000x100000 pixels refused", IMG(a));
	g_free(a);
	g_free(bj);
	/* formats other than PNG and ICO never reach a decoder */
	CALL_HAS("capgate reads PNG and ICO", IMG("{\"from\": \"bytes\", \"bytes\": [71,73,70,56,57,97,1,0,1,0]}"));
	/* from_path: beneath the frontend directory only, never through a link */
	char *dist = g_strdup_printf("%s/tests/integration/frontend/%s", BUILDDIR, frontend_dist);
	char *inside = g_strdup_printf("%s/cg-image-%d.png", dist, (int)getpid());
	char *link = g_strdup_printf("%s/cg-image-link-%d.png", dist, (int)getpid());
	char outside[] = "/tmp/cg-image-XXXXXX";
	int fd = mkstemp(outside);
	EXPECT(fd >= 0 && write(fd, png1x1, sizeof(png1x1)) == (ssize_t)sizeof(png1x1), "cannot write %s", outside);
	if (fd >= 0)
		close(fd);
	EXPECT(g_file_set_contents(inside, (const char *)png1x1, sizeof(png1x1), NULL), "cannot write %s", inside);
	EXPECT(symlink(outside, link) == 0, "cannot link %s", link);
	a = g_strdup_printf("{\"from\": \"path\", \"path\": \"%s\"}", inside);
	CALL_HAS("\"size\":{\"width\":1,\"height\":1}", IMG(a));
	g_free(a);
	a = g_strdup_printf("{\"from\": \"path\", \"path\": \"%s\"}", outside);
	CALL_HAS("from_path reads only files in the app's frontend directory", IMG(a));
	g_free(a);
	a = g_strdup_printf("{\"from\": \"path\", \"path\": \"%s/../%s\"}", dist, strrchr(inside, '/') + 1);
	CALL_HAS("from_path reads only files in the app's frontend directory", IMG(a));
	g_free(a);
	a = g_strdup_printf("{\"from\": \"path\", \"path\": \"%s\"}", link);
	CALL_HAS("failed to open image", IMG(a));
	g_free(a);
	unlink(link);
	unlink(inside);
	unlink(outside);
	g_free(link);
	g_free(inside);
	g_free(dist);
	g_free(bytes);
}

static void sc_all(cg_app *a, void *u)
{
	EXPECT(wait_gtk(c_wm, NULL, 0, 0), "the window manager did not start");
	EXPECT(page_ready("wm") && page_ready("viewer"), "pages not ready");
	CALL_IS("\"ok\"", scenario("wm", "win_watch", NULL));
	sc_geometry();
	sc_states();
	sc_monitors_cursor_theme();
	sc_linux_answers();
	sc_focus();
	sc_targets();
	sc_images();
	sc_close();
	/* the app ends with its last window */
}

START_TEST(window_commands_and_events)
{
	snprintf(log_path, sizeof(log_path), "/tmp/cg-wm-log-XXXXXX");
	int fd = mkstemp(log_path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	make_app("wm,viewer");
	ck_assert_int_eq(cg_app_set_decision_log(app, log_path, 1), 0);
	run_app(sc_all);
	gchar *text = NULL;
	ck_assert(g_file_get_contents(log_path, &text, NULL, NULL));
	unlink(log_path);
	/* the decision log names the window acted on, allowed and denied */
	EXPECT(strstr(text, "\"command\":\"plugin:window|set_title\",\"target\":\"viewer\"") != NULL,
	       "no target in the log of wm's set_title on viewer");
	EXPECT(strstr(text, "\"command\":\"plugin:window|set_always_on_top\",\"target\":\"wm\",\"decision\":\"deny\"") != NULL,
	       "no denied set_always_on_top on wm in the log");
	g_free(text);
	ck_assert_int_eq(failures, 0);
}
END_TEST

/* ---------------------------------------------------------------- main */

static void stop_wm(void)
{
	if (wm_pid > 0) {
		kill(wm_pid, SIGTERM);
		waitpid(wm_pid, NULL, 0);
		wm_pid = -1;
	}
}

int main(void)
{
	int pre = rt_preflight();
	if (pre)
		return pre;
	char *wm = g_find_program_in_path("openbox");
	if (!wm) {
		printf("SKIP: openbox is not installed (scripts/deps.sh installs it)\n");
		return 77;
	}
	/* A private configuration: no user rc, no autostart. */
	char *argv[] = {wm, "--sm-disable", NULL};
	int rc = posix_spawn(&wm_pid, wm, NULL, NULL, argv, environ);
	g_free(wm);
	if (rc != 0) {
		fprintf(stderr, "cannot start openbox: %s\n", strerror(rc));
		return 99;
	}
	Suite *s = suite_create("runtime-window");
	TCase *tc = tcase_create("window manager");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, window_commands_and_events);
	suite_add_tcase(s, tc);
	int status = run_suite(s);
	stop_wm();
	return status;
}
