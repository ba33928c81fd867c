/*
 * make bench: the invoke round trip from JavaScript through the router and
 * back, next to the same round trip through a bare WebKit message handler
 * with no router and no policy (the floor), and through a custom-scheme
 * fetch (the other transport WebKitGTK offers), all in one run, in one
 * page; then the core process's RSS with one and with ten windows.
 * Needs a display (make bench runs it under xvfb-run when there is none).
 */
#include "bench_rt.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long rss_kib(void)
{
	char *s = NULL;
	long kib = -1;
	if (g_file_get_contents("/proc/self/status", &s, NULL, NULL)) {
		char *p = strstr(s, "VmRSS:");
		if (p)
			kib = strtol(p + 6, NULL, 10);
	}
	g_free(s);
	return kib;
}

static int ping(cg_call *c, void *u) { return cg_call_resolve(c, NULL); }

/* Median of 7 batches of 300 round trips each, per transport, in µs;
 * batches alternate so that drift hits all three alike. */
static const char *MEASURE =
	"const N = 1000, B = 7, r = {bare: [], invoke: [], scheme: []};"
	"const bare = window.webkit.messageHandlers.capgate_bare;"
	"const inv = window.__TAURI_INTERNALS__.invoke;"
	"for (let i = 0; i < 50; i++) { await bare.postMessage('x'); await inv('ping', {}); }"
	"for (let b = 0; b < B; b++) {"
	"  let t = performance.now(); for (let i = 0; i < N; i++) await bare.postMessage('x');"
	"  r.bare.push((performance.now() - t) * 1000 / N);"
	"  t = performance.now(); for (let i = 0; i < N; i++) await inv('ping', {});"
	"  r.invoke.push((performance.now() - t) * 1000 / N);"
	"  t = performance.now(); for (let i = 0; i < N; i++) await (await fetch('capgate-bare://localhost/ping', {method: 'POST', body: 'x'})).text();"
	"  r.scheme.push((performance.now() - t) * 1000 / N);"
	"}"
	"const med = a => a.sort((x, y) => x - y)[a.length >> 1];"
	"return [med(r.bare), med(r.invoke), med(r.scheme)];";

/* The same from the transport's script world, where capgate's handlers
 * are: the bare handler there, and a message to the router with the
 * document's key (taken from the transport's first post), which is an
 * invoke without the page's half of the bridge and the hand-over over the
 * DOM. */
static const char *MEASURE_WORLD_RUN =
	"const N = 1000, B = 7, r = {bare: [], keyed: []};"
	"const bare = window.webkit.messageHandlers.capgate_bare, h = window.webkit.messageHandlers.capgate;"
	"const msg = globalThis.__benchKey + '{\"cmd\":\"ping\",\"payload\":{},\"options\":{\"headers\":{}}}';"
	"for (let i = 0; i < 50; i++) { await bare.postMessage('x'); await h.postMessage(msg); }"
	"for (let b = 0; b < B; b++) {"
	"  let t = performance.now(); for (let i = 0; i < N; i++) await bare.postMessage('x');"
	"  r.bare.push((performance.now() - t) * 1000 / N);"
	"  t = performance.now(); for (let i = 0; i < N; i++) await h.postMessage(msg);"
	"  r.keyed.push((performance.now() - t) * 1000 / N);"
	"}"
	"const med = a => a.sort((x, y) => x - y)[a.length >> 1];"
	"return [med(r.bare), med(r.keyed)];";

static double res[3], wres[2];
static int wok;
static long rss1, rss10;
static int ok;

static void on_ready(cg_app *a, void *u)
{
	rss1 = rss_kib();
	char *r = eval_in("main", MEASURE);
	ok = sscanf(r ? r : "", "[%lf,%lf,%lf]", &res[0], &res[1], &res[2]) == 3;
	if (!ok)
		fprintf(stderr, "measurement failed: %s\n", r);
	g_free(r);
	/* The key, as the transport's next post carries it. */
	js_done = 0;
	cg_app_eval_transport(app, "main", "const h = window.webkit.messageHandlers.capgate;"
			      "globalThis.__benchKey = null;"
			      "h.postMessage = function (t) { globalThis.__benchKey = t.slice(0, t.indexOf('\\n') + 1);"
			      "  delete h.postMessage; return Object.getPrototypeOf(h).postMessage.call(h, t) };"
			      "return true;", on_js, NULL);
	while (!js_done)
		g_main_context_iteration(NULL, TRUE);
	g_free(js_result);
	g_free(eval_in("main", "return await window.__TAURI_INTERNALS__.invoke('ping', {});"));
	js_done = 0;
	cg_app_eval_transport(app, "main", MEASURE_WORLD_RUN, on_js, NULL);
	gint64 end = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
	while (!js_done && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	wok = js_done && sscanf(js_result ? js_result : "", "[%lf,%lf]", &wres[0], &wres[1]) == 2;
	if (!wok)
		fprintf(stderr, "transport measurement failed: %s\n", js_done ? js_result : "(timeout)");
	if (js_done)
		g_free(js_result);
	for (int i = 1; i < 10; i++) {
		char label[16];
		snprintf(label, sizeof(label), "w%d", i);
		cg_app_open_window(app, label, label, "index.html", 300, 200);
	}
	for (int i = 1; i < 10; i++) {
		char label[16];
		snprintf(label, sizeof(label), "w%d", i);
		for (int k = 0; k < 200; k++) {
			char *s = eval_in(label, "return document.readyState === 'complete';");
			int done = s && strcmp(s, "true") == 0;
			g_free(s);
			if (done)
				break;
		}
	}
	rss10 = rss_kib();
	cg_app_quit(app);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/cg-bench-rt-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	char cfg[4096], path[512];
	snprintf(cfg, sizeof(cfg),
		 "{\"name\": \"bench\", \"frontend\": \"%s/tests/integration/frontend/dist\","
		 " \"windows\": [{\"label\": \"main\", \"url\": \"index.html\", \"width\": 300, \"height\": 200}],"
		 " \"security\": {\"capabilities\": \"%s/caps\", \"csp\": \"default-src 'self'; connect-src 'self' capgate-bare:\"}}",
		 BUILDDIR, dir);
	snprintf(path, sizeof(path), "%s/app.json", dir);
	g_file_set_contents(path, cfg, -1, NULL);
	snprintf(path, sizeof(path), "%s/caps", dir);
	g_mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/caps/caps.json", dir);
	g_file_set_contents(path, "{\"identifier\": \"bench\", \"windows\": [\"*\"], \"permissions\": [\"allow-ping\"]}", -1, NULL);
	g_setenv("CAPGATE_BENCH", "1", TRUE);
	snprintf(path, sizeof(path), "%s/app.json", dir);
	cg_diag *d = cg_diag_new();
	app = cg_app_new(path, d);
	if (!app)
		return 2;
	cg_app_register(app, NULL, "ping", ping, NULL, CG_CMD_SYNC);
	cg_app_on_ready(app, on_ready, NULL);
	int rc = cg_app_run(app, d);
	for (size_t i = 0; i < cg_diag_count(d); i++) {
		char *s = cg_diag_format(d, i);
		fputs(s, stderr);
		free(s);
	}
	cg_app_free(app);
	cg_diag_free(d);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	if (rc < 0 || !ok)
		return 1;
	printf("capgate %s runtime benchmark (one page, median of 7 batches of 1000 round trips)\n\n", cg_version());
	printf("%-46s %10s %8s\n", "round trip from JavaScript", "median us", "vs bare");
	printf("%-46s %10.1f %7.2fx\n", "bare message handler (no router, no policy)", res[0], 1.0);
	printf("%-46s %10.1f %7.2fx\n", "invoke through bridge + router + policy", res[1], res[1] / res[0]);
	printf("%-46s %10.1f %7.2fx\n", "custom-scheme fetch (answers at once)", res[2], res[2] / res[0]);
	if (wok) {
		printf("from the transport's script world:\n");
		printf("%-46s %10.1f %7.2fx\n", "  bare message handler", wres[0], wres[0] / res[0]);
		printf("%-46s %10.1f %7.2fx\n", "  keyed message through router + policy", wres[1], wres[1] / res[0]);
		printf("the page's half of the bridge and the hand-over: %+.1f us a call\n", res[1] - wres[1]);
	}
	printf("\ncapgate overhead over the bare handler: %+.1f %% (target <= 5 %%)\n", (res[1] / res[0] - 1) * 100);
	printf("core process RSS: %ld KiB with 1 window, %ld KiB with 10 windows\n\n", rss1, rss10);
	printf("{\"benchmark\": \"runtime\", \"version\": \"%s\", \"bare_us\": %.1f, \"invoke_us\": %.1f,"
	       " \"scheme_fetch_us\": %.1f, \"overhead_pct\": %.1f, \"world_bare_us\": %.1f, \"world_keyed_us\": %.1f,"
	       " \"rss_kib_1_window\": %ld, \"rss_kib_10_windows\": %ld}\n",
	       cg_version(), res[0], res[1], res[2], (res[1] / res[0] - 1) * 100, wok ? wres[0] : -1.0,
	       wok ? wres[1] : -1.0, rss1, rss10);
	return 0;
}
