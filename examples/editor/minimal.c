/* A complete capgate host app: one window, one command.
 *   examples/editor/minimal examples/editor/minimal.json */
#include <capgate-runtime.h>
#include <stdio.h>
#include <stdlib.h>

/* greet({name}) -> "Hello, NAME!"; runs only if a capability grants it. */
static int greet(cg_call *call, void *user)
{
	json_object *name;
	if (!json_object_object_get_ex(cg_call_args(call), "name", &name) ||
	    !json_object_is_type(name, json_type_string))
		return cg_call_reject(call, "greet needs a string \"name\"");
	char text[256];
	snprintf(text, sizeof(text), "Hello, %s! (from C)", json_object_get_string(name));
	return cg_call_resolve(call, json_object_new_string(text));
}

static int fail(cg_diag *d)
{
	for (size_t i = 0; i < cg_diag_count(d); i++) {
		char *msg = cg_diag_format(d, i); /* file:line:col: error: ... + hint */
		fputs(msg ? msg : "out of memory\n", stderr);
		free(msg);
	}
	cg_diag_free(d);
	return 1;
}

int main(int argc, char **argv)
{
	cg_diag *d = cg_diag_new();
	cg_app *app = cg_app_new(argc > 1 ? argv[1] : "minimal.json", d); /* windows, frontend, capabilities */
	if (!app)
		return fail(d);
	cg_app_register(app, NULL, "greet", greet, NULL, CG_CMD_SYNC);
	int rc = cg_app_run(app, d); /* until the last window closes */
	cg_app_free(app);
	if (rc < 0)
		return fail(d);
	cg_diag_free(d);
	return 0;
}
