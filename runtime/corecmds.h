/* The built-in core commands' shared pieces: arguments, the window a
 * command acts on, per-window state, and the wire forms of
 * @tauri-apps/api's dpi.js. */
#ifndef CGR_CORECMDS_H
#define CGR_CORECMDS_H

#include "runtime.h"

/* What GTK does not keep for us: the size limits Tauri's set_min_size,
 * set_max_size and set_size_constraints combine, and the last geometry
 * reported, so that only real changes become events. */
typedef struct cgr_wstate {
	int min_w, min_h, max_w, max_h; /* logical pixels; 0: no limit */
	int x, y, w, h;                 /* last inner position and size (logical) */
	int scale;
	bool focused, known;
	bool cursor_hidden;
	char *cursor;                   /* the CSS name set_cursor_icon chose */
} cgr_wstate;

cgr_wstate *cgr_wstate_of(cg_win *w);

/* A string argument, or NULL when absent or not a string. */
const char *cgr_arg_str(cg_call *c, const char *key);
/* The "value" argument; NULL when absent. */
json_object *cgr_arg_value(cg_call *c);
/* The window a command acts on: {"label"} when given and not empty, else
 * the caller's. Rejects the call with Tauri's "window not found" and
 * returns NULL when there is none. */
cg_win *cgr_target(cg_call *c, cg_app *app);
/* Rejects with Tauri's answer for a command its Linux build does not
 * compile ("Command <name> not found"). */
int cgr_not_on_linux(cg_call *c, const char *name);

/* dpi.js wire forms. A Size is {"Logical"|"Physical": {width, height}};
 * a Position {"Logical"|"Physical": {x, y}}; both versions of the API
 * send these (2.0 builds them by hand, 2.1+ through toIPC). Logical
 * pixels come back in *a, *b (physical ones divided by scale). Returns
 * false when v is not such a value. */
bool cgr_dpi_size(json_object *v, int scale, int *w, int *h);
bool cgr_dpi_position(json_object *v, int scale, int *x, int *y);
/* {"Logical": n} | {"Physical": n} | a bare number -> logical pixels. */
bool cgr_dpi_pixel(json_object *v, int scale, int *px);
/* PhysicalSize and PhysicalPosition as Tauri serialises them. */
json_object *cgr_dpi_physical_size(int w, int h);
json_object *cgr_dpi_physical_position(double x, double y, bool fractional);
/* A GdkMonitor as Tauri's Monitor: name, size, position, workArea,
 * scaleFactor (all physical). */
json_object *cgr_monitor_json(GdkMonitor *m);

/* The window's geometry as Tauri reports it on Linux, physical pixels. */
void cgr_inner_geometry(cg_win *w, int *x, int *y, int *width, int *height);
void cgr_outer_geometry(cg_win *w, int *x, int *y, int *width, int *height);
int cgr_scale(cg_win *w);
/* "light" or "dark": the theme the app asked for, else GTK's theme name. */
const char *cgr_theme_name(void);
/* Sets (or, with NULL, forgets) the app-wide theme, as Tauri does on Linux. */
void cgr_theme_set(const char *theme);

/* Registration, one file per module. */
void cgr_register_window_commands(cg_app *app);
void cgr_register_webview_commands(cg_app *app);
void cgr_register_app_commands(cg_app *app);
void cgr_register_image_commands(cg_app *app);

/* corecmds_image.c. PNG or ICO bytes (and JPEG when jpeg is true)
 * decoded within capgate's size limits; NULL with *why (g_free it). */
GdkPixbuf *cgr_image_decode(const guchar *b, size_t n, bool jpeg, char **why);
/* Tauri's JsImage argument of cmd: encoded bytes (number[]), {rgba,
 * width, height}, or the rid of one of the caller's core:image
 * resources. A new reference, or NULL with *why (g_free it). */
GdkPixbuf *cgr_image_arg(cg_call *c, json_object *v, const char *cmd, char **why);

/* winevents.c: tauri://resize, move, focus, blur, close-requested,
 * destroyed, scale-change and theme-changed for a window. */
void cgr_window_events_attach(cg_win *w);

#endif
