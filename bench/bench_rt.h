/*
 * What the runtime benchmarks share: the app under test, running a script
 * in one of its windows and waiting for the answer, and the echo_len
 * command they time. Header-only: each bench is one program.
 */
#ifndef CG_BENCH_RT_H
#define CG_BENCH_RT_H

#include <capgate-runtime.h>
#include "capgate-testing.h" /* eval, snapshot, ...: not in the installed library */

#include <glib.h>

static cg_app *app;
static char *js_result;
static int js_done;

static void on_js(cg_app *a, const char *json, const char *error, void *user)
{
	(void)a;
	(void)user;
	js_result = g_strdup(json ? json : error);
	js_done = 1;
}

/* Runs script (a function body; it may await) in a window and returns the
 * JSON of its result (g_free it), or "null" when it failed or took over
 * timeout_s seconds. */
static char *eval_in_for(const char *label, const char *script, int timeout_s)
{
	js_done = 0;
	if (cg_app_eval(app, label, script, on_js, NULL) < 0)
		return g_strdup("null");
	gint64 end = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;
	while (!js_done && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	return js_done ? js_result : g_strdup("null");
}

static G_GNUC_UNUSED char *eval_in(const char *label, const char *script)
{
	return eval_in_for(label, script, 300);
}

/* {data: string} -> its length: the payload is read, nothing else done. */
static G_GNUC_UNUSED int echo_len(cg_call *c, void *u)
{
	(void)u;
	json_object *d = NULL;
	json_object_object_get_ex(cg_call_args(c), "data", &d);
	return cg_call_resolve(c, json_object_new_int(d ? json_object_get_string_len(d) : -1));
}

#endif
