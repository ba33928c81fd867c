/*
 * core:app: the app's name, version and identifier, the app-wide theme,
 * and what Tauri's Linux build answers for the macOS and mobile commands
 * (docs/core-commands.md).
 */
#include "corecmds.h"

#include <string.h>

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

/* app_show, app_hide, remove_data_store, set_dock_visibility: macOS (or
 * Apple) only; Tauri answers Ok(()) elsewhere. */
static int app_ok(cg_call *c, void *u)
{
	return cg_call_resolve(c, NULL);
}

/* Data stores are Apple's; elsewhere Tauri answers an empty list. */
static int app_data_stores(cg_call *c, void *u)
{
	return cg_call_resolve(c, json_object_new_array());
}

/* No default window icon is configured (capgate has no image resources
 * yet), so Tauri's Option<ResourceId> is None. */
static int app_null(cg_call *c, void *u)
{
	return cg_call_resolve(c, NULL);
}

static int app_set_theme(cg_call *c, void *u)
{
	json_object *v;
	const char *t = NULL;
	if (json_object_object_get_ex(cg_call_args(c), "theme", &v) && !json_object_is_type(v, json_type_null)) {
		t = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
		if (strcmp(t, "light") != 0 && strcmp(t, "dark") != 0)
			return cg_call_reject(c, "invalid args `theme` for command `set_app_theme`: expected \"light\", \"dark\" or null");
	}
	cgr_theme_set(t);
	return cg_call_resolve(c, NULL);
}

static int app_multiple_windows(cg_call *c, void *u)
{
	return cg_call_resolve(c, json_object_new_boolean(1));
}

/* Android's back button and fold state; not in Tauri's Linux build. */
static int app_register_listener(cg_call *c, void *u) { return cgr_not_on_linux(c, "register_listener"); }
static int app_remove_listener(cg_call *c, void *u) { return cgr_not_on_linux(c, "remove_listener"); }
static int app_fold_state(cg_call *c, void *u) { return cgr_not_on_linux(c, "fold_state"); }

void cgr_register_app_commands(cg_app *app)
{
	static const struct {
		const char *cmd;
		cg_command_fn fn;
	} cmds[] = {
		{"name", app_name},
		{"version", app_version},
		{"identifier", app_identifier},
		{"tauri_version", app_tauri_version},
		{"app_show", app_ok},
		{"app_hide", app_ok},
		{"fetch_data_store_identifiers", app_data_stores},
		{"remove_data_store", app_ok},
		{"default_window_icon", app_null},
		{"set_app_theme", app_set_theme},
		{"set_dock_visibility", app_ok},
		/* Not a .deb, .rpm or AppImage that Tauri's bundler marked. */
		{"bundle_type", app_null},
		{"supports_multiple_windows", app_multiple_windows},
		{"register_listener", app_register_listener},
		{"remove_listener", app_remove_listener},
		{"fold_state", app_fold_state},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++)
		cg_router_register(app->r, "core:app", cmds[i].cmd, cmds[i].fn, app, CG_CMD_SYNC);
}
