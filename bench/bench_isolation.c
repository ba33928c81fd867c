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
#include "bench_rt.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 3   /* turns of each app */
#define BATCHES 8  /* per turn */
#define N 300      /* iterations per loop and batch */

/* Per batch, µs per iteration of four loops, each with the same 1 KiB
 * string (the JSON call is 1,074 bytes):
 *   bare    the bare WebKit message handler round trip (no router);
 *   invoke  __TAURI_INTERNALS__.invoke of a sync command that answers the
 *           length (the app's pattern: brownfield or isolation);
 *   crypto  bare, then one WebCrypto AES-256-GCM encrypt of the call in
 *           the page: the sealing alone, as it costs between round trips;
 *   frame   bare, then a round trip to a sandboxed frame (srcdoc, opaque
 *           origin, as the isolation frame) that encrypts the call with
 *           WebCrypto and posts the ciphertext back: the least any design
 *           with the hook in a sandboxed frame and WebCrypto sealing can
 *           add to a call, with no hook, no base64 and no core work.
 * crypto - bare and frame - bare are what those steps add to a call; an
 * idle page would time them lower, because a step right after an IPC
 * round trip starts on a thread that has gone to sleep. */
#define MEASURE \
	"const data = 'x'.repeat(1024), r = {bare: [], invoke: [], crypto: [], frame: []};" \
	"const bare = window.webkit.messageHandlers.capgate_bare;" \
	"const inv = window.__TAURI_INTERNALS__.invoke;" \
	"const text = JSON.stringify({cmd: 'echo_len', payload: {data}, options: {headers: {}}});" \
	"const enc = new TextEncoder(), iv = new Uint8Array(12);" \
	"const key = await crypto.subtle.generateKey({name: 'AES-GCM', length: 256}, false, ['encrypt']);" \
	"const f = document.createElement('iframe'); f.sandbox = 'allow-scripts';" \
	"f.srcdoc = '<script>const e = new TextEncoder(), iv = new Uint8Array(12); let k = null;' +" \
	"  'crypto.subtle.generateKey({name: \"AES-GCM\", length: 256}, false, [\"encrypt\"]).then((x) => { k = x; parent.postMessage(\"up\", \"*\") });' +" \
	"  'addEventListener(\"message\", async (m) => parent.postMessage(await crypto.subtle.encrypt(' +" \
	"  '{name: \"AES-GCM\", iv, additionalData: e.encode(\"aad\")}, k, e.encode(m.data)), \"*\"))</' + 'script>';" \
	"let answer = null;" \
	"addEventListener('message', (m) => { if (m.source === f.contentWindow && answer) { const a = answer; answer = null; a(m.data) } });" \
	"const up = new Promise((res) => { answer = res });" \
	"document.body.appendChild(f);" \
	"if (await Promise.race([up, new Promise((res) => setTimeout(() => res('late'), 30000))]) !== 'up')" \
	"  throw new Error('the floor frame did not start (CSP?)');" \
	"const frameRt = () => new Promise((res) => { answer = res; f.contentWindow.postMessage(text, '*') });" \
	"const seal = () => crypto.subtle.encrypt({name: 'AES-GCM', iv, additionalData: enc.encode('aad')}, key, enc.encode(text));" \
	"const got = await inv('echo_len', {data});" \
	"if (got !== 1024) throw new Error('echo_len answered ' + got);" \
	"if ((await frameRt()).byteLength !== text.length + 16) throw new Error('the floor frame did not encrypt');" \
	"const loops = {" \
	"  bare: async () => { await bare.postMessage(text) }," \
	"  invoke: async () => { await inv('echo_len', {data}) }," \
	"  crypto: async () => { await bare.postMessage(text); await seal() }," \
	"  frame: async () => { await bare.postMessage(text); await frameRt() }," \
	"};" \
	"for (const k in loops) for (let i = 0; i < 50; i++) await loops[k]();" \
	"for (let b = 0; b < %d; b++)" \
	"  for (const k in loops) {" \
	"    const t = performance.now(); for (let i = 0; i < %d; i++) await loops[k]();" \
	"    r[k].push((performance.now() - t) * 1000 / %d);" \
	"  }" \
	"return r;"

enum { L_BARE, L_INVOKE, L_CRYPTO, L_FRAME, N_LOOPS };
static const char *const loop_names[N_LOOPS] = {"bare", "invoke", "crypto", "frame"};
static GArray *res[2][N_LOOPS];
static int turn_ok, which;

static void on_ready(cg_app *a, void *u)
{
	char *script = g_strdup_printf(MEASURE, BATCHES, N, N);
	char *r = eval_in("main", script);
	g_free(script);
	json_object *o = json_tokener_parse(r ? r : ""), *v[N_LOOPS];
	turn_ok = o != NULL;
	for (int k = 0; k < N_LOOPS && turn_ok; k++)
		turn_ok = json_object_object_get_ex(o, loop_names[k], &v[k]) &&
			  json_object_is_type(v[k], json_type_array);
	if (turn_ok) {
		for (int k = 0; k < N_LOOPS; k++)
			for (size_t i = 0; i < json_object_array_length(v[k]); i++) {
				double x = json_object_get_double(json_object_array_get_idx(v[k], i));
				g_array_append_val(res[which][k], x);
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
/* The CSP lets the floor frame (a srcdoc) run its inline script; the
 * same for both apps, which the runtime extends with the isolation
 * origin for the isolation app. */
#define CONFIG "{\"name\": \"bench\", \"frontend\": \"%s/tests/integration/frontend/dist\"," \
	" \"windows\": [{\"label\": \"main\", \"url\": \"index.html\", \"width\": 300, \"height\": 200}]," \
	" \"security\": {\"capabilities\": \"%s\", \"csp\": \"default-src 'self'; script-src 'self' 'unsafe-inline'\"%s}}"
	char *pat = g_strdup_printf(", \"pattern\": {\"use\": \"isolation\", \"options\": {\"dir\": \"%s\"}}", iso);
	char *cfg0 = g_strdup_printf(CONFIG, BUILDDIR, caps, ""), *cfg1 = g_strdup_printf(CONFIG, BUILDDIR, caps, pat);
	write_file(dir, "brownfield.json", cfg0);
	write_file(dir, "isolation.json", cfg1);
	char *paths[2] = {g_build_filename(dir, "brownfield.json", NULL), g_build_filename(dir, "isolation.json", NULL)};
	g_setenv("CAPGATE_BENCH", "1", TRUE);
	int failed = 0;
	for (int a = 0; a < 2; a++)
		for (int k = 0; k < N_LOOPS; k++)
			res[a][k] = g_array_new(FALSE, FALSE, sizeof(double));
	for (int round = 0; round < ROUNDS && !failed; round++)
		for (which = 0; which < 2 && !failed; which++)
			failed = run_turn(paths[which]) < 0;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	if (failed)
		return 1;
	double m[2][N_LOOPS];
	for (int a = 0; a < 2; a++)
		for (int k = 0; k < N_LOOPS; k++)
			m[a][k] = median(res[a][k]);
	double i0 = m[0][L_INVOKE], i1 = m[1][L_INVOKE];
	double over = (i1 / i0 - 1) * 100;
	/* The floor in the brownfield app's page, where i0 was timed. */
	double floor_frame = m[0][L_FRAME] - m[0][L_BARE], floor_crypto = m[0][L_CRYPTO] - m[0][L_BARE];
	printf("capgate %s isolation benchmark: invoke with a 1 KiB payload, median of %d batches of %d\n"
	       "per loop and pattern (%d turns of each app, alternating)\n\n", cg_version(), ROUNDS * BATCHES, N,
	       ROUNDS);
	printf("%-56s %11s %11s\n", "per iteration from JavaScript, median us", "brownfield", "isolation");
	static const char *const rows[N_LOOPS] = {
		"bare message handler round trip (the floor of IPC)",
		"invoke (bridge, [frame, seal, open,] router, policy)",
		"bare + WebCrypto AES-GCM encrypt in the page",
		"bare + round trip to a sandboxed frame that encrypts",
	};
	for (int k = 0; k < N_LOOPS; k++)
		printf("%-56s %11.1f %11.1f\n", rows[k], m[0][k], m[1][k]);
	printf("\nisolation overhead over brownfield: %+.1f %% (%+.1f us; target < 15 %%)\n", over, i1 - i0);
	printf("the design's floor: a sandboxed-frame round trip that encrypts adds %.1f us, %.1f %% of a brownfield\n"
	       "invoke; the WebCrypto encrypt alone %.1f us, %.1f %%\n", floor_frame, floor_frame / i0 * 100,
	       floor_crypto, floor_crypto / i0 * 100);
	printf("isolation above that floor: %+.1f us\n\n", i1 - i0 - floor_frame);
	printf("{\"benchmark\": \"isolation\", \"version\": \"%s\", \"payload_bytes\": 1024, \"bare_us\": %.1f,"
	       " \"brownfield_us\": %.1f, \"isolation_us\": %.1f, \"overhead_pct\": %.1f,"
	       " \"floor_frame_us\": %.1f, \"floor_frame_pct\": %.1f, \"floor_crypto_us\": %.1f,"
	       " \"floor_crypto_pct\": %.1f, \"above_floor_us\": %.1f}\n",
	       cg_version(), m[0][L_BARE], i0, i1, over, floor_frame, floor_frame / i0 * 100, floor_crypto,
	       floor_crypto / i0 * 100, i1 - i0 - floor_frame);
	return 0;
}
