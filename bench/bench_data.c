/*
 * make bench: the data path (issue 18). For each payload size (0 B, 1 KiB,
 * 64 KiB, 1 MiB, 8 MiB), each kind (JSON, binary) and each direction
 * (a call that carries the payload, an answer that carries it), the
 * invoke round trip from @tauri-apps/api's entry point
 * (__TAURI_INTERNALS__.invoke) through the bridge, the transport, the
 * router and the policy, next to what WebKit alone costs for the same
 * bytes (the floors of runtime/testing.c, CAPGATE_BENCH=1), all in one
 * page and one run, in alternating batches. Then the core's peak memory
 * for one 64 MiB binary call and one 64 MiB binary answer.
 *
 * Floors (no bridge, no router, no policy):
 *   JSON call     the bare message handler posted the same call text;
 *   JSON answer   a bare handler answering "1" and a JSON string of N
 *                 characters, parsed in the page;
 *   binary call   the fastest of: a custom-scheme fetch POST of the bytes
 *                 (read whole in the core), and the bare handler posted
 *                 their base64;
 *   binary answer the fastest of: a bare handler answering their base64,
 *                 decoded in the page (Uint8Array.fromBase64), and a
 *                 custom-scheme fetch of the bytes from memory.
 * Needs a display (make bench runs it under xvfb-run when there is none).
 */
#include "bench_rt.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The commands timed: each reads its payload or makes its answer. */
static int sink_json(cg_call *c, void *u) { return echo_len(c, u); }

static int sink(cg_call *c, void *u)
{
	size_t n = 0;
	const unsigned char *b = cg_call_body(c, &n);
	if (!b)
		return cg_call_reject(c, "expected a binary body");
	return cg_call_resolve(c, json_object_new_int64((int64_t)n));
}

static size_t arg_n(cg_call *c)
{
	json_object *n = NULL;
	json_object_object_get_ex(cg_call_args(c), "n", &n);
	int64_t v = n ? json_object_get_int64(n) : 0;
	return v > 0 && v <= (128 << 20) ? (size_t)v : 0;
}

static int src_json(cg_call *c, void *u)
{
	size_t n = arg_n(c);
	char *s = g_malloc(n + 1);
	memset(s, 'x', n);
	s[n] = 0;
	json_object *o = json_object_new_string_len(s, (int)n);
	g_free(s);
	return cg_call_resolve(c, o);
}

static unsigned char *pattern;
static size_t pattern_len;

static int src(cg_call *c, void *u)
{
	size_t n = arg_n(c);
	if (n > pattern_len)
		return cg_call_reject(c, "too large for the bench");
	return cg_call_resolve_bytes(c, pattern, n);
}

#define SIZES 5
static const size_t sizes[SIZES] = {0, 1024, 64 * 1024, 1024 * 1024, 8 * 1024 * 1024};
static const char *const size_names[SIZES] = {"0 B", "1 KiB", "64 KiB", "1 MiB", "8 MiB"};
/* Iterations per batch and batches, per size. */
static const int iters[SIZES] = {300, 300, 60, 8, 2};
static const int batches[SIZES] = {7, 7, 7, 7, 7};

enum { JSON_CALL, JSON_CALL_FLOOR, JSON_ANS, JSON_ANS_FLOOR, BIN_CALL, BIN_CALL_FETCH, BIN_CALL_MSG, BIN_ANS,
       BIN_ANS_MSG, BIN_ANS_FETCH, N_LOOPS };
static const char *const loop_names[N_LOOPS] = {
	"json_call", "json_call_floor", "json_answer", "json_answer_floor", "bin_call", "bin_call_fetch",
	"bin_call_msg", "bin_answer", "bin_answer_msg", "bin_answer_fetch"};

/* After a line that sets N, IT (iterations) and B (batches). Every loop
 * is checked once before timing: a wrong answer fails the bench. Result:
 * {loop: [ms per iteration, one per batch]}. */
static const char *MEASURE =
	"const inv = window.__TAURI_INTERNALS__.invoke, h = window.webkit.messageHandlers;"
	"const S = 'x'.repeat(N), U = new Uint8Array(N);"
	"for (let i = 0; i < N; i++) U[i] = (i * 7 + 3) & 255;"
	"const TEXT = '{\"cmd\":\"sink_json\",\"payload\":' + JSON.stringify({data: S}) + ',\"options\":{\"headers\":{}}}';"
	"const bytes = (b) => { const v = new Uint8Array(b);"
	"  if (v.length !== N || (N && (v[N - 1] !== U[N - 1] || v[N >> 1] !== U[N >> 1]))) throw new Error('wrong bytes: ' + v.length); };"
	"const eq = (x, y) => { if (x !== y) throw new Error('got ' + String(x).slice(0, 40) + ', not ' + y); };"
	"const loops = {"
	"  json_call: async () => eq(await inv('sink_json', {data: S}), N),"
	"  json_call_floor: async () => eq(await h.capgate_bare.postMessage(TEXT), '1null'),"
	"  json_answer: async () => eq((await inv('src_json', {n: N})).length, N),"
	"  json_answer_floor: async () => eq(JSON.parse((await h.capgate_bare_json.postMessage(N)).slice(1)).length, N),"
	"  bin_call: async () => eq(await inv('sink', U), N),"
	"  bin_call_fetch: async () => eq(await (await fetch('capgate-bare://localhost/sink', {method: 'POST', body: U})).text(), '1' + N),"
	"  bin_call_msg: async () => eq(await h.capgate_bare.postMessage(U.toBase64()), '1null'),"
	"  bin_answer: async () => bytes(await inv('src', {n: N})),"
	"  bin_answer_msg: async () => bytes(Uint8Array.fromBase64((await h.capgate_bare_src.postMessage(N)).slice(1))),"
	"  bin_answer_fetch: async () => bytes(await (await fetch('capgate-bare://localhost/src?n=' + N)).arrayBuffer()),"
	"};"
	"const r = {};"
	"for (const k in loops) { r[k] = []; await loops[k](); await loops[k](); }"
	"for (let b = 0; b < B; b++)"
	"  for (const k in loops) {"
	"    const t = performance.now(); for (let i = 0; i < IT; i++) await loops[k]();"
	"    r[k].push((performance.now() - t) / IT);"
	"  }"
	"return r;";

static GArray *res[SIZES][N_LOOPS];
static int ok;
static long peak_call_kib = -1, peak_answer_kib = -1, base_kib = -1;

static long status_kib(const char *field)
{
	char *s = NULL;
	long kib = -1;
	if (g_file_get_contents("/proc/self/status", &s, NULL, NULL)) {
		char *p = strstr(s, field);
		if (p)
			kib = strtol(p + strlen(field), NULL, 10);
	}
	g_free(s);
	return kib;
}

/* The peak RSS of the core while the page runs script, above its RSS
 * before: VmHWM after resetting it (clear_refs 5). */
static long peak_during(const char *script)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	if (!f)
		return -1;
	fputs("5", f);
	fclose(f);
	long before = status_kib("VmRSS:");
	char *r = eval_in("main", script);
	int good = r && strcmp(r, "true") == 0;
	if (!good)
		fprintf(stderr, "memory measurement failed: %s\n", r);
	g_free(r);
	long hwm = status_kib("VmHWM:");
	return good && before >= 0 && hwm >= 0 ? hwm - before : -1;
}

static void on_ready(cg_app *a, void *u)
{
	ok = 1;
	for (int s = 0; s < SIZES && ok; s++) {
		/* The header line, then the constant script after it. */
		char *head = g_strdup_printf("const N = %zu, IT = %d, B = %d;", sizes[s], iters[s], batches[s]);
		char *script = g_strconcat(head, MEASURE, NULL);
		g_free(head);
		char *r = eval_in("main", script);
		g_free(script);
		json_object *o = json_tokener_parse(r ? r : ""), *v;
		for (int k = 0; k < N_LOOPS && ok; k++) {
			ok = o && json_object_object_get_ex(o, loop_names[k], &v) && json_object_is_type(v, json_type_array);
			for (size_t i = 0; ok && i < json_object_array_length(v); i++) {
				double x = json_object_get_double(json_object_array_get_idx(v, i));
				g_array_append_val(res[s][k], x);
			}
		}
		if (!ok)
			fprintf(stderr, "measurement failed at %s: %s\n", size_names[s], r);
		json_object_put(o);
		g_free(r);
	}
	if (ok) {
		base_kib = status_kib("VmRSS:");
		peak_call_kib = peak_during("const U = new Uint8Array(64 << 20); U[12345] = 7;"
					    "return await window.__TAURI_INTERNALS__.invoke('sink', U) === (64 << 20);");
		peak_answer_kib = peak_during("const b = await window.__TAURI_INTERNALS__.invoke('src', {n: 64 << 20});"
					      "return b.byteLength === (64 << 20);");
	}
	cg_app_quit(app);
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

static double mbps(size_t n, double ms) { return ms > 0 ? n / (ms * 1000.0) : 0; }

int main(void)
{
	char dir[] = "/tmp/cg-bench-data-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	char cfg[4096], path[512];
	/* The page's CSP lets its floors fetch capgate-bare:; capgate's own
	 * path needs nothing in it. */
	snprintf(cfg, sizeof(cfg),
		 "{\"name\": \"bench\", \"frontend\": \"%s/tests/integration/frontend/dist\","
		 " \"windows\": [{\"label\": \"main\", \"url\": \"index.html\", \"width\": 300, \"height\": 200}],"
		 " \"security\": {\"capabilities\": \"%s/caps\", \"csp\": \"default-src 'self'; connect-src 'self' capgate-bare:\","
		 " \"limits\": {\"message_size\": 134217728, \"string\": 134217728}}}",
		 BUILDDIR, dir);
	snprintf(path, sizeof(path), "%s/app.json", dir);
	g_file_set_contents(path, cfg, -1, NULL);
	snprintf(path, sizeof(path), "%s/caps", dir);
	g_mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/caps/caps.json", dir);
	g_file_set_contents(path, "{\"identifier\": \"bench\", \"windows\": [\"*\"], \"permissions\": [\"allow-sink-json\","
			    " \"allow-src-json\", \"allow-sink\", \"allow-src\"]}", -1, NULL);
	g_setenv("CAPGATE_BENCH", "1", TRUE);
	snprintf(path, sizeof(path), "%s/app.json", dir);
	pattern_len = 64u << 20;
	pattern = g_malloc(pattern_len);
	for (size_t i = 0; i < pattern_len; i++)
		pattern[i] = (unsigned char)((i * 7 + 3) & 255);
	for (int s = 0; s < SIZES; s++)
		for (int k = 0; k < N_LOOPS; k++)
			res[s][k] = g_array_new(FALSE, FALSE, sizeof(double));
	cg_diag *d = cg_diag_new();
	app = cg_app_new(path, d);
	if (!app)
		return 2;
	cg_app_register(app, NULL, "sink_json", sink_json, NULL, CG_CMD_SYNC);
	cg_app_register(app, NULL, "src_json", src_json, NULL, CG_CMD_SYNC);
	cg_app_register(app, NULL, "sink", sink, NULL, CG_CMD_SYNC);
	cg_app_register(app, NULL, "src", src, NULL, CG_CMD_SYNC);
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

	printf("capgate %s data path benchmark: invoke round trips from JavaScript, median ms over 7 batches\n"
	       "per loop and size (alternating, one page); the floor is WebKit alone for the same bytes\n\n",
	       cg_version());
	printf("%-8s %-14s %10s %10s %-14s %7s %9s %9s\n", "size", "row", "capgate", "floor", "(floor)", "ratio",
	       "MB/s", "floor MB/s");
	GString *js = g_string_new("");
	g_string_append_printf(js, "{\"benchmark\": \"data\", \"version\": \"%s\", \"rows\": [", cg_version());
	static const struct { const char *name; int loop, floor1, floor2; } rows[] = {
		{"JSON call", JSON_CALL, JSON_CALL_FLOOR, -1},
		{"JSON answer", JSON_ANS, JSON_ANS_FLOOR, -1},
		{"binary call", BIN_CALL, BIN_CALL_FETCH, BIN_CALL_MSG},
		{"binary answer", BIN_ANS, BIN_ANS_MSG, BIN_ANS_FETCH},
	};
	for (int s = 0; s < SIZES; s++)
		for (size_t k = 0; k < G_N_ELEMENTS(rows); k++) {
			double m = median(res[s][rows[k].loop]);
			int fl = rows[k].floor1;
			double f = median(res[s][fl]);
			if (rows[k].floor2 >= 0 && median(res[s][rows[k].floor2]) < f) {
				fl = rows[k].floor2;
				f = median(res[s][fl]);
			}
			const char *fname = fl == BIN_CALL_FETCH || fl == BIN_ANS_FETCH ? "scheme"
					    : fl == BIN_CALL_MSG || fl == BIN_ANS_MSG   ? "message b64"
											 : "message";
			printf("%-8s %-14s %10.3f %10.3f %-14s %6.2fx %9.1f %9.1f\n", size_names[s], rows[k].name, m, f,
			       fname, f > 0 ? m / f : 0, mbps(sizes[s], m), mbps(sizes[s], f));
			g_string_append_printf(js, "%s{\"bytes\": %zu, \"row\": \"%s\", \"ms\": %.3f, \"floor_ms\": %.3f,"
					       " \"floor\": \"%s\", \"ratio\": %.3f}",
					       s + k ? ", " : "", sizes[s], rows[k].name, m, f, fname, f > 0 ? m / f : 0);
		}
	printf("\nall floors, median ms:\n");
	for (int s = 0; s < SIZES; s++) {
		printf("%-8s", size_names[s]);
		for (int k = 0; k < N_LOOPS; k++)
			printf(" %s %.3f", loop_names[k], median(res[s][k]));
		printf("\n");
	}
	printf("\ncore peak memory above its RSS before (64 MiB body): binary call %ld KiB (%.2fx), binary answer"
	       " %ld KiB (%.2fx); RSS before %ld KiB; target < 3x\n\n", peak_call_kib, peak_call_kib / 65536.0,
	       peak_answer_kib, peak_answer_kib / 65536.0, base_kib);
	g_string_append_printf(js, "], \"peak_kib_64mib_call\": %ld, \"peak_kib_64mib_answer\": %ld}", peak_call_kib,
			       peak_answer_kib);
	printf("%s\n", js->str);
	g_string_free(js, TRUE);
	g_free(pattern);
	return 0;
}
