/*
 * make bench: the invoke round trip from JavaScript with a 1 KiB payload
 * under the isolation pattern (through the hook frame, sealed with
 * WebCrypto, opened with nettle) next to the same call under brownfield,
 * and the bare WebKit message handler (no router, no policy) as the floor.
 * One process runs the two apps in turns, brownfield, isolation,
 * brownfield, ..., so that drift on a shared machine hits both alike; the
 * figure is the median over every batch. Needs a display (make bench
 * runs it under xvfb-run when there is none).
 */
#include <capgate-runtime.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 3   /* turns of each app */
#define BATCHES 5  /* per turn */
#define N 300      /* round trips per batch */

static cg_app *app;
static char *js_result;
static int js_done;

static void on_js(cg_app *a, const char *json, const char *error, void *user)
{
	js_result = g_strdup(json ? json : error);
	js_done = 1;
}

static char *eval_in(const char *label, const char *script)
{
	js_done = 0;
	if (cg_app_eval(app, label, script, on_js, NULL) < 0)
		return g_strdup("null");
	gint64 end = g_get_monotonic_time() + 300 * G_USEC_PER_SEC;
	while (!js_done && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	return js_done ? js_result : g_strdup("null");
}

static int echo_len(cg_call *c, void *u)
{
	json_object *d = NULL;
	json_object_object_get_ex(cg_call_args(c), "data", &d);
	return cg_call_resolve(c, json_object_new_int(d ? json_object_get_string_len(d) : -1));
}

/* Per batch, µs per round trip: [bare..., invoke...]; the payload is one
 * string of 1024 characters. */
#define MEASURE \
	"const data = 'x'.repeat(1024), r = {bare: [], invoke: []};" \
	"const bare = window.webkit.messageHandlers.capgate_bare;" \
	"const inv = window.__TAURI_INTERNALS__.invoke;" \
	"const text = JSON.stringify({cmd: 'echo_len', payload: {data}});" \
	"const got = await inv('echo_len', {data});" \
	"if (got !== 1024) throw new Error('echo_len answered ' + got);" \
	"for (let i = 0; i < 50; i++) { await bare.postMessage(text); await inv('echo_len', {data}); }" \
	"for (let b = 0; b < %d; b++) {" \
	"  let t = performance.now(); for (let i = 0; i < %d; i++) await bare.postMessage(text);" \
	"  r.bare.push((performance.now() - t) * 1000 / %d);" \
	"  t = performance.now(); for (let i = 0; i < %d; i++) await inv('echo_len', {data});" \
	"  r.invoke.push((performance.now() - t) * 1000 / %d);" \
	"}" \
	"return r;"

static GArray *bare[2], *invoke[2];
static int turn_ok, which;

static void on_ready(cg_app *a, void *u)
{
	char *script = g_strdup_printf(MEASURE, BATCHES, N, N, N, N);
	char *r = eval_in("main", script);
	g_free(script);
	json_object *o = json_tokener_parse(r ? r : ""), *b, *v;
	turn_ok = o && json_object_object_get_ex(o, "bare", &b) && json_object_object_get_ex(o, "invoke", &v);
	if (turn_ok) {
		for (size_t i = 0; i < json_object_array_length(b); i++) {
			double x = json_object_get_double(json_object_array_get_idx(b, i));
			double y = json_object_get_double(json_object_array_get_idx(v, i));
			g_array_append_val(bare[which], x);
			g_array_append_val(invoke[which], y);
		}
	} else {
		fprintf(stderr, "measurement failed: %s\n", r);
	}
	json_object_put(o);
	g_free(r);
	cg_app_quit(app);
}

static int run_turn(const char *config)
{
	cg_diag *d = cg_diag_new();
	app = cg_app_new(config, d);
	if (!app)
		return -1;
	cg_app_register(app, NULL, "echo_len", echo_len, NULL, CG_CMD_SYNC);
	cg_app_on_ready(app, on_ready, NULL);
	turn_ok = 0;
	int rc = cg_app_run(app, d);
	for (size_t i = 0; i < cg_diag_count(d); i++) {
		char *s = cg_diag_format(d, i);
		fputs(s, stderr);
		free(s);
	}
	cg_app_free(app);
	cg_diag_free(d);
	return rc < 0 || !turn_ok ? -1 : 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(GArray *a)
{
	g_array_sort(a, cmp);
	return a->len ? g_array_index(a, double, a->len / 2) : 0;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = g_build_filename(dir, name, NULL);
	g_file_set_contents(p, text, -1, NULL);
	g_free(p);
}

int main(void)
{
	char dir[] = "/tmp/cg-bench-iso-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	char *caps = g_build_filename(dir, "caps", NULL), *iso = g_build_filename(dir, "isolation", NULL);
	g_mkdir(caps, 0700);
	g_mkdir(iso, 0700);
	write_file(caps, "caps.json", "{\"identifier\": \"bench\", \"windows\": [\"*\"], \"permissions\": [\"allow-echo-len\"]}");
	write_file(iso, "index.html", "<!doctype html><script>window.__TAURI_ISOLATION_HOOK__ = (m) => m</script>");
#define CONFIG "{\"name\": \"bench\", \"frontend\": \"%s/tests/integration/frontend/dist\"," \
	" \"windows\": [{\"label\": \"main\", \"url\": \"index.html\", \"width\": 300, \"height\": 200}]," \
	" \"security\": {\"capabilities\": \"%s\"%s}}"
	char *pat = g_strdup_printf(", \"pattern\": {\"use\": \"isolation\", \"options\": {\"dir\": \"%s\"}}", iso);
	char *cfg0 = g_strdup_printf(CONFIG, BUILDDIR, caps, ""), *cfg1 = g_strdup_printf(CONFIG, BUILDDIR, caps, pat);
	write_file(dir, "brownfield.json", cfg0);
	write_file(dir, "isolation.json", cfg1);
	char *paths[2] = {g_build_filename(dir, "brownfield.json", NULL), g_build_filename(dir, "isolation.json", NULL)};
	g_setenv("CAPGATE_BENCH", "1", TRUE);
	int failed = 0;
	for (int k = 0; k < 2; k++) {
		bare[k] = g_array_new(FALSE, FALSE, sizeof(double));
		invoke[k] = g_array_new(FALSE, FALSE, sizeof(double));
	}
	for (int round = 0; round < ROUNDS && !failed; round++)
		for (which = 0; which < 2 && !failed; which++)
			failed = run_turn(paths[which]) < 0;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	if (failed)
		return 1;
	double b0 = median(bare[0]), b1 = median(bare[1]), i0 = median(invoke[0]), i1 = median(invoke[1]);
	double over = (i1 / i0 - 1) * 100;
	printf("capgate %s isolation benchmark: invoke with a 1 KiB payload, median of %d batches of %d round trips\n"
	       "per pattern (%d turns of each app, alternating)\n\n", cg_version(), ROUNDS * BATCHES, N, ROUNDS);
	printf("%-52s %10s %8s\n", "round trip from JavaScript", "median us", "vs bare");
	printf("%-52s %10.1f %7.2fx\n", "bare message handler, brownfield app's page", b0, 1.0);
	printf("%-52s %10.1f %7.2fx\n", "invoke, brownfield (bridge + router + policy)", i0, i0 / b0);
	printf("%-52s %10.1f %7.2fx\n", "bare message handler, isolation app's page", b1, 1.0);
	printf("%-52s %10.1f %7.2fx\n", "invoke, isolation (+ hook frame, seal, open)", i1, i1 / b1);
	printf("\nisolation overhead over brownfield: %+.1f %% (target < 15 %%)\n\n", over);
	printf("{\"benchmark\": \"isolation\", \"version\": \"%s\", \"payload_bytes\": 1024, \"bare_us\": %.1f,"
	       " \"brownfield_us\": %.1f, \"isolation_us\": %.1f, \"overhead_pct\": %.1f}\n",
	       cg_version(), b0, i0, i1, over);
	return 0;
}
