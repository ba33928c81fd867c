/*
 * capgate-runtime.h - the WebKitGTK core process.
 *
 * A host app loads its configuration, registers its commands and managed
 * state, and runs: the runtime opens the windows, serves the frontend from
 * the capgate:// scheme with the configured CSP, gives every webview the
 * @tauri-apps/api compatible bridge, carries every invoke and event through
 * the IPC router (and so through the policy), and recovers from web
 * process crashes. It returns when the last window has closed.
 *
 *   cg_diag *d = cg_diag_new();
 *   cg_app *app = cg_app_new("app.json", d);   (NULL: d says why)
 *   cg_app_register(app, NULL, "greet", greet, NULL, CG_CMD_SYNC);
 *   int rc = cg_app_run(app, d);               (< 0: d says why)
 *   cg_app_free(app);
 *
 * examples/editor/minimal.c is a complete host in 43 lines.
 */
#ifndef CAPGATE_RUNTIME_H
#define CAPGATE_RUNTIME_H

#include <capgate.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cg_app cg_app;

/* Loads the app's configuration; NULL (with d filled) when it is bad. */
CG_EXPORT cg_app *cg_app_new(const char *config_path, cg_diag *d);
CG_EXPORT void cg_app_free(cg_app *app);

/* The router, for registering commands and state, and emitting events. */
CG_EXPORT cg_router *cg_app_router(cg_app *app);
CG_EXPORT const cg_appconfig *cg_app_config(const cg_app *app);

/* Shorthands for the router's calls. */
CG_EXPORT int cg_app_register(cg_app *app, const char *plugin, const char *command,
			      cg_command_fn fn, void *user, cg_cmd_mode mode);
CG_EXPORT int cg_app_manage(cg_app *app, const char *name, void *state,
			    void (*free_fn)(void *));
CG_EXPORT int cg_app_emit(cg_app *app, const char *event, cg_target_kind kind,
			  const char *label, json_object *payload);

/* Writes every denial (all: every decision) as JSON lines to path. */
CG_EXPORT int cg_app_set_decision_log(cg_app *app, const char *path, int all);

/* fn is called once, on the main loop, when every configured window has
 * loaded its first page (for tests and tours); set it before cg_app_run.
 * A second call replaces the first. */
typedef void (*cg_app_ready_fn)(cg_app *app, void *user);
CG_EXPORT void cg_app_on_ready(cg_app *app, cg_app_ready_fn fn, void *user);

/* Builds the policy (registered commands + the app's capability and
 * permission directories), opens the configured windows and runs the main
 * loop until the last window closes or cg_app_quit. Returns 0, or a
 * negative code when the policy or the windows could not be made (d says
 * why). */
CG_EXPORT int cg_app_run(cg_app *app, cg_diag *d);
CG_EXPORT void cg_app_quit(cg_app *app);

/* Opens and shows another window at run time (it gets its capabilities
 * by label). url: a frontend path or an allowed remote URL. */
CG_EXPORT int cg_app_open_window(cg_app *app, const char *label, const char *title,
				 const char *url, int width, int height);
CG_EXPORT int cg_app_close_window(cg_app *app, const char *label);
/* The router's webview for a window's top frame (NULL when none); it is
 * replaced when the web process crashes. */
CG_EXPORT cg_webview *cg_app_webview(cg_app *app, const char *label);
#ifdef __cplusplus
}
#endif
#endif
