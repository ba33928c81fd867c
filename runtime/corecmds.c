/*
 * Built-in core commands behind the core:* permissions (events are the
 * router's own): what every module shares, and their registration. The
 * commands themselves are in corecmds_window.c, corecmds_webview.c and
 * corecmds_app.c; docs/core-commands.md says what each answers on Linux.
 */
#include "corecmds.h"

#include <string.h>

const char *cgr_arg_str(cg_call *c, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(cg_call_args(c), key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

json_object *cgr_arg_value(cg_call *c)
{
	json_object *v;
	return json_object_object_get_ex(cg_call_args(c), "value", &v) ? v : NULL;
}

/* As Tauri's get_window: an absent or empty label is the caller's window.
 * The decision log names the label (engine/router/invoke.c). */
cg_win *cgr_target(cg_call *c, cg_app *app)
{
	const char *label = cgr_arg_str(c, "label");
	cg_win *w = cgr_window(app, label && *label ? label : cg_call_window(c));
	if (!w || !w->window) {
		cg_call_reject(c, "window not found");
		return NULL;
	}
	return w;
}

int cgr_not_on_linux(cg_call *c, const char *name)
{
	char *why = g_strdup_printf("Command %s not found", name);
	cg_call_reject(c, why);
	g_free(why);
	return 0;
}

static void free_wstate(gpointer p)
{
	cgr_wstate *s = p;
	g_free(s->cursor);
	g_free(s);
}

cgr_wstate *cgr_wstate_of(cg_win *w)
{
	cgr_wstate *s = g_object_get_data(G_OBJECT(w->window), "capgate-wstate");
	if (!s) {
		s = g_new0(cgr_wstate, 1);
		g_object_set_data_full(G_OBJECT(w->window), "capgate-wstate", s, free_wstate);
	}
	return s;
}

void cgr_register_core_commands(cg_app *app)
{
	cgr_register_app_commands(app);
	cgr_register_window_commands(app);
	cgr_register_webview_commands(app);
	cgr_register_image_commands(app);
}
