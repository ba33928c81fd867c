/*
 * make bench: what the seccomp filter costs an invoke, with and without it
 * in the same run.
 *
 *  1. Router level, no WebKit: two routers in this process with a no-op
 *     transport and the same policy, one with the handler tier
 *     (cg_router_set_seccomp, the default profile) and one without. A small
 *     CG_CMD_SYNC invoke (filtered: handed to the handler thread, which runs
 *     under the filter, while the caller waits) and a CG_CMD_ASYNC one (the
 *     worker pool either way; the answer comes back through cg_router_fd and
 *     cg_router_process), in batches that alternate between the two routers.
 *     The process tier is never loaded here: the routers differ only by the
 *     filter on their handler threads and the hand-off. It runs twice:
 *     every thread pinned to one CPU (the work itself), then free (plus
 *     waking a thread on another, possibly idle, CPU at each hand-off).
 *
 *  2. Runtime level, real WebKitGTK windows: the process tier cannot be
 *     removed once loaded, so each app runs in a child process (this
 *     program again, with --child on|off), alternately on, off, on, off, ...
 *     Each child times batches of invokes with a 1 KiB string payload from
 *     JavaScript next to the bare WebKit message handler (no router, no
 *     policy: the floor) and prints its batch figures as one JSON line.
 *
 * Medians of batches; a table, then one JSON line. Needs a display for
 * part 2 (make bench runs it under xvfb-run when there is none).
 */
#include "bench_rt.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define R_ROUNDS 101   /* router level: batches per router and kind */
#define R_SYNC 1000    /* sync invokes per batch */
#define R_ASYNC 200    /* async round trips per batch */

#define ROUNDS 6       /* runtime level: children of each kind (a child's
			  * own luck, where WebKit's processes land, moves
			  * its figures more than batches within it do) */
#define BATCHES 4      /* per child */
#define N 1000         /* round trips per batch: WebKit's performance.now()
			  * ticks in whole milliseconds here, so a batch
			  * must last well over 100 ms */
#define CHILD_TIMEOUT 600

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(double), cmp_d);
	return n ? v[n / 2] : 0;
}

/* ------------------------------------------------------ 1. router level */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

typedef struct {
	cg_router *r;
	cg_webview *wv;
	size_t replies, ok;
	char last[64];   /* the last answer (the probe's) */
	int stuck;
} rside;

static void t_reply(void *u, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	rside *s = u;
	s->replies++;
	s->ok += ok != 0;
	snprintf(s->last, sizeof(s->last), "%.*s", (int)(len < 63 ? len : 63), json);
}

static void t_callback(void *u, cg_webview *wv, uint32_t id, const char *json, size_t len) {}

static int h_noop(cg_call *c, void *user) { return cg_call_resolve(c, json_object_new_object()); }

/* What the handler tier does to a thread: unshare(0) changes nothing, but
 * the tier refuses it (EPERM) and nothing else does. */
static int h_probe(cg_call *c, void *user)
{
	int e = unshare(0) == 0 ? 0 : errno;
	return cg_call_resolve(c, json_object_new_int(e));
}

static const char MSG_SYNC[] = "{\"cmd\":\"ping\",\"callback\":1234,\"error\":1235,"
			       "\"payload\":{\"name\":\"capgate\",\"n\":42},\"options\":{\"headers\":{}}}";
static const char MSG_ASYNC[] = "{\"cmd\":\"ping_async\",\"callback\":1234,\"error\":1235,"
				"\"payload\":{\"name\":\"capgate\",\"n\":42},\"options\":{\"headers\":{}}}";
static const char MSG_PROBE[] = "{\"cmd\":\"probe\",\"callback\":1,\"error\":2,\"payload\":{}}";

static int rside_init(rside *s, cg_seccomp *filter)
{
	cg_transport t = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback, .user = s};
	if (cg_router_new(&t, &s->r) < 0)
		return -1;
	cg_router_register(s->r, NULL, "ping", h_noop, NULL, CG_CMD_SYNC);
	cg_router_register(s->r, NULL, "ping_async", h_noop, NULL, CG_CMD_ASYNC);
	cg_router_register(s->r, NULL, "probe", h_probe, NULL, CG_CMD_SYNC);
	const char *caps = "{\"identifier\": \"main\", \"windows\": [\"main\"],"
			   " \"permissions\": [\"allow-ping\", \"allow-ping-async\", \"allow-probe\"]}";
	cg_builder *b = cg_builder_new();
	cg_router_declare_commands(s->r, b);
	cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), NULL);
	cg_policy *p = NULL;
	int rc = cg_builder_build(b, &p, NULL);
	cg_builder_free(b);
	if (rc < 0)
		return -1;
	cg_router_set_policy(s->r, p);
	cg_policy_unref(p);
	if (filter && cg_router_set_seccomp(s->r, filter) < 0)
		return -1;
	cg_router_add_webview(s->r, "main", NULL, NULL, &s->wv);
	return s->wv ? 0 : -1;
}

static void sync_batch(rside *s, int n)
{
	for (int i = 0; i < n; i++)
		cg_router_invoke(s->r, s->wv, MSG_SYNC, sizeof(MSG_SYNC) - 1, NULL);
}

/* One async round trip: invoke, then wait on the router's fd for the
 * answer as a host's main loop would. */
static void async_once(rside *s)
{
	size_t want = s->replies + 1;
	cg_router_invoke(s->r, s->wv, MSG_ASYNC, sizeof(MSG_ASYNC) - 1, NULL);
	int idle = 0;
	while (s->replies < want && !s->stuck) {
		struct pollfd p = {cg_router_fd(s->r), POLLIN, 0};
		if (poll(&p, 1, 1000) == 0 && ++idle >= 10)
			s->stuck = 1; /* 10 s without an answer */
		cg_router_process(s->r);
	}
}

static void async_batch(rside *s, int n)
{
	for (int i = 0; i < n && !s->stuck; i++)
		async_once(s);
}

typedef struct {
	double sync_off, sync_on, async_off, async_on;
	double sync_off_min, sync_on_min, async_off_min, async_on_min;
	int probe_off, probe_on;
} rresult;

static int probe(rside *s)
{
	size_t before = s->replies;
	cg_router_invoke(s->r, s->wv, MSG_PROBE, sizeof(MSG_PROBE) - 1, NULL);
	cg_router_process(s->r);
	return s->replies == before + 1 ? atoi(s->last) : -1;
}

static int router_level(rresult *res)
{
	cg_seccomp *filter = NULL;
	rside side[2] = {{0}};   /* [0] without the filter, [1] with it */
	int rc = -1;
	if (cg_seccomp_new(NULL, NULL, &filter) < 0) {
		fputs("cannot build the default seccomp profile\n", stderr);
		return -1;
	}
	if (rside_init(&side[0], NULL) < 0 || rside_init(&side[1], filter) < 0) {
		fputs("cannot set up the routers\n", stderr);
		goto out;
	}
	/* Warm up: the handler thread, the worker pools and their filters. */
	for (int k = 0; k < 2; k++) {
		sync_batch(&side[k], 200);
		async_batch(&side[k], 50);
	}
	res->probe_off = probe(&side[0]);
	res->probe_on = probe(&side[1]);
	if (res->probe_off != 0 || res->probe_on != EPERM) {
		fprintf(stderr, "the handler filter is not where it should be: unshare(0) in a handler gave"
			" errno %d without the filter and %d with it (want 0 and %d)\n",
			res->probe_off, res->probe_on, EPERM);
		goto out;
	}
	static double v[4][R_ROUNDS]; /* sync off, sync on, async off, async on */
	for (int round = 0; round < R_ROUNDS; round++) {
		for (int j = 0; j < 2; j++) {
			int k = round % 2 ? 1 - j : j; /* off first, then on first, ... */
			double t0 = now_ns();
			sync_batch(&side[k], R_SYNC);
			v[k][round] = (now_ns() - t0) / R_SYNC;
		}
		for (int j = 0; j < 2; j++) {
			int k = round % 2 ? 1 - j : j;
			double t0 = now_ns();
			async_batch(&side[k], R_ASYNC);
			v[2 + k][round] = (now_ns() - t0) / R_ASYNC;
		}
	}
	for (int k = 0; k < 2; k++) {
		if (side[k].stuck || side[k].ok != side[k].replies) {
			fprintf(stderr, "router %s the filter: %zu of %zu invokes answered ok%s\n",
				k ? "with" : "without", side[k].ok, side[k].replies,
				side[k].stuck ? ", an async call got no answer in 10 s" : "");
			goto out;
		}
	}
	res->sync_off = median_of(v[0], R_ROUNDS);
	res->sync_off_min = v[0][0];
	res->sync_on = median_of(v[1], R_ROUNDS);
	res->sync_on_min = v[1][0];
	res->async_off = median_of(v[2], R_ROUNDS);
	res->async_off_min = v[2][0];
	res->async_on = median_of(v[3], R_ROUNDS);
	res->async_on_min = v[3][0];
	rc = 0;
out:
	for (int k = 0; k < 2; k++)
		cg_router_free(side[k].r);
	cg_seccomp_free(filter);
	return rc;
}

/* ----------------------------------------------------- 2. runtime level */

/* Per batch, µs per round trip: {bare: [...], invoke: [...], probe}; the
 * payload is one string of 1024 characters (as bench_isolation's). The
 * first pair of batches is not kept: in a fresh page the first bare batch
 * runs markedly faster and the first invoke batch slower than the rest. */
#define MEASURE \
	"const data = 'x'.repeat(1024), r = {bare: [], invoke: []};" \
	"const bare = window.webkit.messageHandlers.capgate_bare;" \
	"const inv = window.__TAURI_INTERNALS__.invoke;" \
	"const text = JSON.stringify({cmd: 'echo_len', payload: {data}});" \
	"const got = await inv('echo_len', {data});" \
	"if (got !== 1024) throw new Error('echo_len answered ' + got);" \
	"r.probe = await inv('probe', {});" \
	"for (let i = 0; i < 50; i++) { await bare.postMessage(text); await inv('echo_len', {data}); }" \
	"for (let b = -1; b < %d; b++) {" \
	"  let t = performance.now(); for (let i = 0; i < %d; i++) await bare.postMessage(text);" \
	"  if (b >= 0) r.bare.push((performance.now() - t) * 1000 / %d);" \
	"  t = performance.now(); for (let i = 0; i < %d; i++) await inv('echo_len', {data});" \
	"  if (b >= 0) r.invoke.push((performance.now() - t) * 1000 / %d);" \
	"}" \
	"return r;"

static char *child_line;

/* The Seccomp: line of /proc/self/status (0 none, 2 filtered). */
static int seccomp_status(void)
{
	char *s = NULL;
	int v = -1;
	if (g_file_get_contents("/proc/self/status", &s, NULL, NULL)) {
		char *p = strstr(s, "\nSeccomp:");
		if (p)
			v = (int)strtol(p + 9, NULL, 10);
	}
	g_free(s);
	return v;
}

static void on_ready(cg_app *a, void *mode)
{
	char *script = g_strdup_printf(MEASURE, BATCHES, N, N, N, N);
	char *r = eval_in("main", script);
	g_free(script);
	json_object *o = json_tokener_parse(r ? r : ""), *b, *v;
	if (o && json_object_object_get_ex(o, "bare", &b) && json_object_object_get_ex(o, "invoke", &v)) {
		json_object_object_add(o, "mode", json_object_new_string(mode));
		json_object_object_add(o, "seccomp_status", json_object_new_int(seccomp_status()));
		child_line = g_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	} else {
		fprintf(stderr, "measurement failed: %s\n", r);
	}
	json_object_put(o);
	g_free(r);
	cg_app_quit(app);
}

/* bench_seccomp --child on|off CONFIG: one app, one JSON line on stdout. */
static int child_main(const char *mode, const char *config)
{
	alarm(CHILD_TIMEOUT); /* a child that hangs dies; the parent says so */
	g_setenv("CAPGATE_BENCH", "1", TRUE);
	cg_diag *d = cg_diag_new();
	app = cg_app_new(config, d);
	int rc = -1;
	if (app) {
		cg_app_register(app, NULL, "echo_len", echo_len, NULL, CG_CMD_SYNC);
		cg_app_register(app, NULL, "probe", h_probe, NULL, CG_CMD_SYNC);
		cg_app_on_ready(app, on_ready, (void *)mode);
		rc = cg_app_run(app, d);
	}
	for (size_t i = 0; i < cg_diag_count(d); i++) {
		char *s = cg_diag_format(d, i);
		fputs(s, stderr);
		free(s);
	}
	cg_app_free(app);
	cg_diag_free(d);
	if (rc < 0 || !child_line)
		return 1;
	printf("%s\n", child_line);
	g_free(child_line);
	return 0;
}

static GArray *bare[2], *invoke[2]; /* [0] filter off, [1] filter on */

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = g_build_filename(dir, name, NULL);
	g_file_set_contents(p, text, -1, NULL);
	g_free(p);
}

static void show_file(const char *path)
{
	char *s = NULL;
	if (g_file_get_contents(path, &s, NULL, NULL) && *s)
		fputs(s, stderr);
	else
		fputs("(nothing)\n", stderr);
	g_free(s);
}

/* Runs one child with stdout and stderr in files (WebKit's processes may
 * hold inherited descriptors a little longer than the child lives: a pipe
 * would make us wait for them); waits for it and takes its figures. */
static int run_child(const char *dir, int on, int round)
{
	const char *mode = on ? "on" : "off";
	char *cfg = g_strdup_printf("%s/%s.json", dir, mode);
	char *out = g_strdup_printf("%s/child.out", dir), *err = g_strdup_printf("%s/child.err", dir);
	GSubprocessLauncher *l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
	g_subprocess_launcher_set_stdout_file_path(l, out);
	g_subprocess_launcher_set_stderr_file_path(l, err);
	GError *e = NULL;
	GSubprocess *p = g_subprocess_launcher_spawn(l, &e, "/proc/self/exe", "--child", mode, cfg, NULL);
	int rc = -1;
	char *text = NULL;
	json_object *o = NULL, *b, *v, *pr, *st;
	if (!p) {
		fprintf(stderr, "cannot start the child (seccomp %s): %s\n", mode, e->message);
		g_error_free(e);
		goto done;
	}
	if (!g_subprocess_wait(p, NULL, &e)) { /* reaps it */
		fprintf(stderr, "waiting for the child (seccomp %s): %s\n", mode, e->message);
		g_error_free(e);
		goto done;
	}
	if (!g_subprocess_get_if_exited(p) || g_subprocess_get_exit_status(p) != 0) {
		if (g_subprocess_get_if_signaled(p))
			fprintf(stderr, "the child (seccomp %s, round %d) was killed by signal %d; its stderr:\n",
				mode, round + 1, g_subprocess_get_term_sig(p));
		else
			fprintf(stderr, "the child (seccomp %s, round %d) exited with status %d; its stderr:\n",
				mode, round + 1, g_subprocess_get_exit_status(p));
		show_file(err);
		goto done;
	}
	g_file_get_contents(out, &text, NULL, NULL);
	/* Its last line that is a JSON object. */
	char *line = NULL;
	for (char *s = text ? strtok(text, "\n") : NULL; s; s = strtok(NULL, "\n"))
		if (*s == '{')
			line = s;
	o = line ? json_tokener_parse(line) : NULL;
	if (!o || !json_object_object_get_ex(o, "bare", &b) || !json_object_object_get_ex(o, "invoke", &v) ||
	    !json_object_object_get_ex(o, "probe", &pr) || !json_object_object_get_ex(o, "seccomp_status", &st) ||
	    json_object_array_length(b) != BATCHES || json_object_array_length(v) != BATCHES) {
		fprintf(stderr, "the child (seccomp %s, round %d) printed no figures; its stderr:\n", mode, round + 1);
		show_file(err);
		goto done;
	}
	/* The child must be what it claims: process tier on it (Seccomp: 2),
	 * handler tier on its handlers (unshare refused). */
	int want_probe = on ? EPERM : 0, want_status = on ? 2 : 0;
	if (json_object_get_int(pr) != want_probe || json_object_get_int(st) != want_status) {
		fprintf(stderr, "the child (seccomp %s) is not filtered as configured: Seccomp: %d, unshare(0) in a"
			" handler: errno %d (want %d and %d); its stderr:\n", mode, json_object_get_int(st),
			json_object_get_int(pr), want_status, want_probe);
		show_file(err);
		goto done;
	}
	for (size_t i = 0; i < BATCHES; i++) {
		double x = json_object_get_double(json_object_array_get_idx(b, i));
		double y = json_object_get_double(json_object_array_get_idx(v, i));
		g_array_append_val(bare[on], x);
		g_array_append_val(invoke[on], y);
	}
	rc = 0;
done:
	json_object_put(o);
	g_free(text);
	if (p)
		g_object_unref(p);
	g_object_unref(l);
	g_free(cfg);
	g_free(out);
	g_free(err);
	return rc;
}

static double median(GArray *a) { return median_of((double *)(void *)a->data, a->len); }

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--child") == 0)
		return child_main(argv[2], argv[3]);

	/* The router level twice: all threads on one CPU (a hand-off is then
	 * a context switch: the filter's and the hand-off's own cost), then
	 * free (a hand-off may have to wake an idle CPU, which on a VM costs
	 * tens of µs and depends on where the scheduler puts the threads). */
	rresult rr[2] = {{0}};
	cpu_set_t all, one;
	int pinned = sched_getaffinity(0, sizeof(all), &all) == 0;
	if (pinned) {
		CPU_ZERO(&one);
		CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
		pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
	}
	int rfail = router_level(&rr[0]) < 0;
	if (pinned && sched_setaffinity(0, sizeof(all), &all) < 0) {
		perror("sched_setaffinity"); /* the children would inherit one CPU */
		return 1;
	}
	if (rfail || router_level(&rr[1]) < 0)
		return 1;

	char dir[] = "/tmp/cg-bench-sc-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	char *caps = g_build_filename(dir, "caps", NULL);
	g_mkdir(caps, 0700);
	write_file(caps, "caps.json",
		   "{\"identifier\": \"bench\", \"windows\": [\"*\"], \"permissions\": [\"allow-echo-len\", \"allow-probe\"]}");
#define CONFIG "{\"name\": \"bench\", \"frontend\": \"%s/tests/integration/frontend/dist\"," \
	" \"windows\": [{\"label\": \"main\", \"url\": \"index.html\", \"width\": 300, \"height\": 200}]," \
	" \"security\": {\"capabilities\": \"%s\"%s}}"
	char *cfg_off = g_strdup_printf(CONFIG, BUILDDIR, caps, ", \"seccomp\": false");
	char *cfg_on = g_strdup_printf(CONFIG, BUILDDIR, caps, "");
	write_file(dir, "off.json", cfg_off);
	write_file(dir, "on.json", cfg_on);
	g_free(cfg_off);
	g_free(cfg_on);
	g_free(caps);
	for (int k = 0; k < 2; k++) {
		bare[k] = g_array_new(FALSE, FALSE, sizeof(double));
		invoke[k] = g_array_new(FALSE, FALSE, sizeof(double));
	}
	int failed = 0;
	for (int round = 0; round < ROUNDS && !failed; round++)
		for (int j = 0; j < 2 && !failed; j++)
			failed = run_child(dir, 1 - j, round) < 0; /* on, off, on, off, ... */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	if (failed)
		return 1;

	double b0 = median(bare[0]), b1 = median(bare[1]), i0 = median(invoke[0]), i1 = median(invoke[1]);
	static const char *const where[2] = {"one CPU", "free"};
	printf("capgate %s seccomp benchmark: the invoke round trip with and without the filter\n\n", cg_version());
	printf("router level (no WebKit; two routers in one process, handler tier on one; median of %d\n"
	       "batches each, alternating; sync: %d invokes a batch, async: %d round trips through the fd;\n"
	       "first with every thread on one CPU%s, then free)\n\n",
	       R_ROUNDS, R_SYNC, R_ASYNC, pinned ? "" : " (could not pin: both free)");
	printf("%-44s %9s %9s %9s %8s\n", "invoke, no-op handler", "off ns", "on ns", "on - off", "on/off");
	for (int k = 0; k < 2; k++) {
		char row[64];
		snprintf(row, sizeof(row), "CG_CMD_SYNC, %s (on: handler thread)", where[k]);
		printf("%-44s %9.0f %9.0f %9.0f %7.2fx\n", row, rr[k].sync_off, rr[k].sync_on,
		       rr[k].sync_on - rr[k].sync_off, rr[k].sync_on / rr[k].sync_off);
		snprintf(row, sizeof(row), "CG_CMD_ASYNC, %s (worker pool both)", where[k]);
		printf("%-44s %9.0f %9.0f %9.0f %7.2fx\n", row, rr[k].async_off, rr[k].async_on,
		       rr[k].async_on - rr[k].async_off, rr[k].async_on / rr[k].async_off);
	}
	printf("%-44s %9.0f %9.0f\n", "  fastest batch, sync, one CPU", rr[0].sync_off_min, rr[0].sync_on_min);
	printf("%-44s %9.0f %9.0f\n", "  fastest batch, async, one CPU", rr[0].async_off_min, rr[0].async_on_min);
	printf("\nruntime level (WebKitGTK, 1 KiB string payload; %d children of each kind, alternating\n"
	       "on, off, ...; median of %d batches of %d round trips per kind)\n\n", ROUNDS, ROUNDS * BATCHES, N);
	printf("%-52s %10s %8s\n", "round trip from JavaScript", "median us", "vs bare");
	printf("%-52s %10.1f %7.2fx\n", "bare message handler, filter-off app's page", b0, 1.0);
	printf("%-52s %10.1f %7.2fx\n", "invoke, \"seccomp\": false", i0, i0 / b0);
	printf("%-52s %10.1f %7.2fx\n", "bare message handler, filter-on app's page", b1, 1.0);
	printf("%-52s %10.1f %7.2fx\n", "invoke, seccomp on (process + handler tiers)", i1, i1 / b1);
	printf("\nseccomp on / off: router sync %.2fx (one CPU) %.2fx (free), router async %.2fx / %.2fx,\n"
	       "runtime invoke %.2fx (%+.1f %%)\n\n", rr[0].sync_on / rr[0].sync_off, rr[1].sync_on / rr[1].sync_off,
	       rr[0].async_on / rr[0].async_off, rr[1].async_on / rr[1].async_off, i1 / i0, (i1 / i0 - 1) * 100);
	printf("{\"benchmark\": \"seccomp\", \"version\": \"%s\", \"router_sync_off_ns\": %.0f, \"router_sync_on_ns\": %.0f,"
	       " \"router_sync_ratio\": %.2f, \"router_async_off_ns\": %.0f, \"router_async_on_ns\": %.0f,"
	       " \"router_async_ratio\": %.2f, \"router_pinned\": %s, \"router_free_sync_off_ns\": %.0f,"
	       " \"router_free_sync_on_ns\": %.0f, \"router_free_async_off_ns\": %.0f, \"router_free_async_on_ns\": %.0f,"
	       " \"payload_bytes\": 1024, \"bare_off_us\": %.1f, \"bare_on_us\": %.1f,"
	       " \"invoke_off_us\": %.1f, \"invoke_on_us\": %.1f, \"on_off_ratio\": %.2f, \"off_over_bare\": %.2f,"
	       " \"on_over_bare\": %.2f}\n",
	       cg_version(), rr[0].sync_off, rr[0].sync_on, rr[0].sync_on / rr[0].sync_off, rr[0].async_off,
	       rr[0].async_on, rr[0].async_on / rr[0].async_off, pinned ? "true" : "false", rr[1].sync_off,
	       rr[1].sync_on, rr[1].async_off, rr[1].async_on, b0, b1, i0, i1, i1 / i0, i0 / b0, i1 / b1);
	for (int k = 0; k < 2; k++) {
		g_array_free(bare[k], TRUE);
		g_array_free(invoke[k], TRUE);
	}
	return 0;
}
