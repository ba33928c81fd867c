/*
 * The wire forms of @tauri-apps/api's dpi.js, and the geometry, monitors
 * and theme the window commands and events report, in Tauri's units:
 * physical pixels out, logical or physical in (GTK works in logical
 * pixels, which it calls application pixels).
 */
#include "corecmds.h"

#include <math.h>
#include <string.h>

static bool num(json_object *o, const char *key, double *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) ||
	    (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return isfinite(*out);
}

/* {"Logical": {...}} or {"Physical": {...}}: the inner object and whether
 * it is physical. */
static json_object *unit(json_object *v, bool *physical)
{
	json_object *in;
	if (!json_object_is_type(v, json_type_object) || json_object_object_length(v) != 1)
		return NULL;
	if (json_object_object_get_ex(v, "Logical", &in))
		*physical = false;
	else if (json_object_object_get_ex(v, "Physical", &in))
		*physical = true;
	else
		return NULL;
	return in;
}

static int to_logical(double v, bool physical, int scale)
{
	/* Tauri rounds when it converts (dpi's to_logical::<i32>). */
	double l = physical ? v / (scale > 0 ? scale : 1) : v;
	if (l > 1e6)
		l = 1e6;
	if (l < -1e6)
		l = -1e6;
	return (int)(l < 0 ? l - 0.5 : l + 0.5);
}

bool cgr_dpi_size(json_object *v, int scale, int *w, int *h)
{
	bool phys;
	json_object *in = unit(v, &phys);
	double a, b;
	if (!in || !num(in, "width", &a) || !num(in, "height", &b) || a < 0 || b < 0)
		return false;
	*w = to_logical(a, phys, scale);
	*h = to_logical(b, phys, scale);
	return true;
}

bool cgr_dpi_position(json_object *v, int scale, int *x, int *y)
{
	bool phys;
	json_object *in = unit(v, &phys);
	double a, b;
	if (!in || !num(in, "x", &a) || !num(in, "y", &b))
		return false;
	*x = to_logical(a, phys, scale);
	*y = to_logical(b, phys, scale);
	return true;
}

bool cgr_dpi_pixel(json_object *v, int scale, int *px)
{
	bool phys = false;
	json_object *in = json_object_is_type(v, json_type_object) ? unit(v, &phys) : v;
	if (!in || (!json_object_is_type(in, json_type_int) && !json_object_is_type(in, json_type_double)))
		return false;
	double d = json_object_get_double(in);
	if (!isfinite(d) || d < 0)
		return false;
	*px = to_logical(d, phys, scale);
	return true;
}

json_object *cgr_dpi_physical_size(int w, int h)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "width", json_object_new_int(w < 0 ? 0 : w));
	json_object_object_add(o, "height", json_object_new_int(h < 0 ? 0 : h));
	return o;
}

json_object *cgr_dpi_physical_position(double x, double y, bool fractional)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "x", fractional ? json_object_new_double(x) : json_object_new_int((int)x));
	json_object_object_add(o, "y", fractional ? json_object_new_double(y) : json_object_new_int((int)y));
	return o;
}

static json_object *rect_json(const GdkRectangle *r, int scale)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "position", cgr_dpi_physical_position(r->x * scale, r->y * scale, false));
	json_object_object_add(o, "size", cgr_dpi_physical_size(r->width * scale, r->height * scale));
	return o;
}

json_object *cgr_monitor_json(GdkMonitor *m)
{
	int scale = gdk_monitor_get_scale_factor(m);
	GdkRectangle geo, work;
	gdk_monitor_get_geometry(m, &geo);
	gdk_monitor_get_workarea(m, &work);
	json_object *o = rect_json(&geo, scale);
	const char *model = gdk_monitor_get_model(m);
	json_object_object_add(o, "name", model ? json_object_new_string(model) : NULL);
	json_object_object_add(o, "workArea", rect_json(&work, scale));
	json_object_object_add(o, "scaleFactor", json_object_new_double(scale));
	return o;
}

int cgr_scale(cg_win *w)
{
	int s = w && w->window ? gtk_widget_get_scale_factor(w->window) : 1;
	return s > 0 ? s : 1;
}

/* The client area: where the page is, in root coordinates. */
void cgr_inner_geometry(cg_win *w, int *x, int *y, int *width, int *height)
{
	int s = cgr_scale(w);
	GdkWindow *g = gtk_widget_get_window(w->window);
	int ox = 0, oy = 0, ww = 0, hh = 0;
	if (g) {
		gdk_window_get_origin(g, &ox, &oy);
		ww = gdk_window_get_width(g);
		hh = gdk_window_get_height(g);
	} else {
		gtk_window_get_position(GTK_WINDOW(w->window), &ox, &oy);
		gtk_window_get_size(GTK_WINDOW(w->window), &ww, &hh);
	}
	*x = ox * s;
	*y = oy * s;
	*width = ww * s;
	*height = hh * s;
}

/* The frame the window manager draws around it included. */
void cgr_outer_geometry(cg_win *w, int *x, int *y, int *width, int *height)
{
	int s = cgr_scale(w);
	GdkWindow *g = gtk_widget_get_window(w->window);
	if (!g) {
		cgr_inner_geometry(w, x, y, width, height);
		return;
	}
	GdkRectangle r;
	gdk_window_get_frame_extents(g, &r);
	*x = r.x * s;
	*y = r.y * s;
	*width = r.width * s;
	*height = r.height * s;
}

/* ---------------------------------------------------------------- theme */

static char *preferred; /* "light", "dark" or NULL: the app's choice */

const char *cgr_theme_name(void)
{
	if (preferred)
		return preferred;
	GtkSettings *st = gtk_settings_get_default();
	char *name = NULL;
	if (st)
		g_object_get(st, "gtk-theme-name", &name, NULL);
	/* What tao looks at on Linux: a theme whose name says it is dark. */
	bool dark = name && (g_str_has_suffix(name, "-dark") || g_str_has_suffix(name, "-Dark") ||
			     g_str_has_suffix(name, "-Darker") || g_str_has_suffix(name, "-darker"));
	g_free(name);
	return dark ? "dark" : "light";
}

void cgr_theme_set(const char *theme)
{
	g_free(preferred);
	preferred = theme ? g_strdup(strcmp(theme, "dark") == 0 ? "dark" : "light") : NULL;
	GtkSettings *st = gtk_settings_get_default();
	if (st)
		g_object_set(st, "gtk-application-prefer-dark-theme", preferred && strcmp(preferred, "dark") == 0,
			     NULL);
}
