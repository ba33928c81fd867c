/*
 * The integration tests' harness: an app made from the test frontend and
 * capabilities, run until a scenario quits it, and helpers that drive a
 * window's page (window.capgateTest) and wait for conditions, never for a
 * fixed time. Included by each integration test program.
 */
#ifndef RT_HARNESS_H
#define RT_HARNESS_H

#include "testutil.h"

#pragma GCC diagnostic ignored "-Wunused-function"

#include <capgate-runtime.h>
#include "capgate-testing.h" /* eval, snapshot, ...: not in the installed library */
#include <glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static char dir[256];
/* The built test frontend make_app serves: "dist" (the newest
 * @tauri-apps/api) or "dist-oldest" (2.0.0). */
static G_GNUC_UNUSED const char *frontend_dist = "dist";
static cg_app *app;
/* Extra members of "security" for the next make_app (e.g. frames, csp). */
static const char *extra_security = "";
/* Extra top-level members for the next make_app, each followed by a comma
 * (e.g. "\"identifier\": \"x.y\","). */
static const char *extra_config = "";
static int failures;
/* The capabilities directory of the next make_app, below the source tree. */
static G_GNUC_UNUSED const char *capabilities_dir = "tests/integration/capabilities";

/* ----------------------------------------------------------- app set-up */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static int h_read_note(cg_call *c, void *u)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "args", json_object_get(cg_call_args(c)));
	json_object_object_add(o, "scope", json_object_get(cg_call_command_scope(c)));
	json_object_object_add(o, "window", json_object_new_string(cg_call_window(c)));
	return cg_call_resolve(c, o);
}

static int h_count(cg_call *c, void *u)
{
	int *n = cg_call_state(c, "counter");
	return cg_call_resolve(c, json_object_new_int(++*n));
}

static int h_frame_ping(cg_call *c, void *u)
{
	return cg_call_resolve(c, json_object_new_string(cg_call_origin(c) ? cg_call_origin(c) : "local"));
}

static int h_sum_bytes(cg_call *c, void *u)
{
	size_t len = 0;
	const unsigned char *b = cg_call_body(c, &len);
	if (!b)
		return cg_call_reject(c, "expected a binary body");
	int sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return cg_call_resolve(c, json_object_new_int(sum));
}

static int h_stream(cg_call *c, void *u)
{
	cg_channel *ch = cg_call_channel(c, "onEvent");
	if (!ch)
		return cg_call_reject(c, "no channel");
	for (int i = 1; i <= 3; i++)
		cg_channel_send(ch, json_object_new_int(i));
	cg_channel_close(ch);
	return cg_call_resolve(c, json_object_new_string("done"));
}

/* The data path (issue 18). echo_bytes: a binary call's body back as a
 * binary answer (handed over, no copy), counted. */
static int data_calls;
/* While echo_hold is set, echo_bytes waits (on its worker) before it
 * answers: calls stay in flight until echo_release(). */
static GMutex echo_lock;
static GCond echo_cond;
static gboolean echo_hold;
static void echo_release(void)
{
	g_mutex_lock(&echo_lock);
	echo_hold = FALSE;
	g_cond_broadcast(&echo_cond);
	g_mutex_unlock(&echo_lock);
}
static int h_echo_bytes(cg_call *c, void *u)
{
	__atomic_add_fetch(&data_calls, 1, __ATOMIC_RELAXED);
	g_mutex_lock(&echo_lock);
	while (echo_hold)
		g_cond_wait(&echo_cond, &echo_lock);
	g_mutex_unlock(&echo_lock);
	size_t len = 0;
	const void *b = cg_call_body(c, &len);
	if (!b)
		return cg_call_reject(c, "expected a binary body");
	void *copy = g_malloc(len ? len : 1);
	memcpy(copy, b, len);
	return cg_call_resolve_bytes_take(c, copy, len, g_free);
}

/* The bytes the page checks: byte i is (i * 7 + 3 + i / 256) & 255, so
 * every value occurs and a shifted or truncated copy differs. */
static unsigned char data_byte(size_t i) { return (unsigned char)((i * 7 + 3 + i / 256) & 255); }

static size_t arg_size(cg_call *c, const char *name)
{
	json_object *v = NULL;
	json_object_object_get_ex(cg_call_args(c), name, &v);
	int64_t n = v ? json_object_get_int64(v) : 0;
	return n > 0 ? (size_t)n : 0;
}

/* src_bytes {n}: n such bytes as a binary answer. */
static int h_src_bytes(cg_call *c, void *u)
{
	size_t n = arg_size(c, "n");
	if (n > ((size_t)128 << 20))
		return cg_call_reject(c, "too large for the test");
	unsigned char *p = g_malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		p[i] = data_byte(i);
	return cg_call_resolve_bytes_take(c, p, n, g_free);
}

/* bytes_channel {onEvent, n}: "a", n bytes, 2, 0 bytes, {"end": 1}, then
 * the channel's end: JSON and bytes in one order. */
static int h_bytes_channel(cg_call *c, void *u)
{
	cg_channel *ch = cg_call_channel(c, "onEvent");
	if (!ch)
		return cg_call_reject(c, "no channel");
	size_t n = arg_size(c, "n");
	unsigned char *p = g_malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		p[i] = data_byte(i);
	cg_channel_send(ch, json_object_new_string("a"));
	cg_channel_send_bytes(ch, p, n);
	cg_channel_send(ch, json_object_new_int(2));
	cg_channel_send_bytes(ch, NULL, 0);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "end", json_object_new_int(1));
	cg_channel_send(ch, o);
	cg_channel_close(ch);
	g_free(p);
	return cg_call_resolve(c, json_object_new_string("sent"));
}

/* open_res: a resource the page holds by rid (@tauri-apps/api's
 * Resource); res_frees counts the ones freed, whoever freed them. */
static int res_frees;
static void rt_res_free(void *p)
{
	__atomic_add_fetch(&res_frees, 1, __ATOMIC_RELAXED);
	g_free(p);
}

static int h_open_res(cg_call *c, void *u)
{
	uint32_t rid = 0;
	int rc = cg_call_add_resource(c, "test:res", g_malloc0(16), rt_res_free, &rid);
	if (rc < 0)
		return cg_call_reject(c, cg_strerror(rc));
	return cg_call_resolve(c, json_object_new_int64(rid));
}

extern char **environ;

/* Tries what a compromised handler would ({"what": "execve" | "socket" |
 * "ptrace" | "mount"}) and says what the kernel answered: {"errno": 0}
 * when it worked. Also says whether it ran on the main thread. */
static int h_try_syscall(cg_call *c, void *u)
{
	json_object *w = NULL;
	json_object_object_get_ex(cg_call_args(c), "what", &w);
	const char *what = w ? json_object_get_string(w) : "";
	int err;
	if (strcmp(what, "execve") == 0) {
		/* posix_spawn: the child's execve runs under this thread's
		 * filter, and an allowed one does not replace the app. */
		pid_t pid;
		char *argv[] = {"true", NULL};
		err = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
		int st = 0;
		if (err == 0 && (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0))
			err = -1;
	} else if (strcmp(what, "socket") == 0) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		err = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
	} else if (strcmp(what, "ptrace") == 0) {
		/* An unknown request: EIO from the kernel, EPERM from a filter. */
		err = syscall(SYS_ptrace, -1L, 0, 0, 0) < 0 ? errno : 0;
	} else if (strcmp(what, "mount") == 0) {
		err = syscall(SYS_mount, "none", "/nonexistent-capgate", "tmpfs", 0, NULL) < 0 ? errno : 0;
	} else {
		return cg_call_reject(c, "what?");
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "errno", json_object_new_int(err));
	json_object_object_add(o, "main", json_object_new_boolean(syscall(SYS_gettid) == getpid()));
	return cg_call_resolve(c, o);
}

/* Writes a config for the given windows ("main" or "main,viewer,other")
 * into a fresh temporary directory and makes the app. */
static void make_app(const char *windows)
{
	snprintf(dir, sizeof(dir), "/tmp/cg-it-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	GString *w = g_string_new("");
	char **labels = g_strsplit(windows, ",", -1);
	for (char **l = labels; *l; l++)
		g_string_append_printf(w, "%s{\"label\": \"%s\", \"url\": \"index.html\", \"width\": 420, \"height\": 320}",
				       l == labels ? "" : ", ", *l);
	g_strfreev(labels);
	char *cfg = g_strdup_printf(
		"{\"name\": \"capgate-integration\", \"version\": \"1.2.3\", %s\"frontend\": \"%s/tests/integration/frontend/%s\","
		" \"windows\": [%s], \"security\": {\"capabilities\": \"%s/%s\","
		" \"navigation\": [\"http://127.0.0.1:*\"]%s}}",
		extra_config, BUILDDIR, frontend_dist, w->str, SRCDIR, capabilities_dir, extra_security);
	char path[512];
	snprintf(path, sizeof(path), "%s/app.json", dir);
	write_text(path, cfg);
	g_free(cfg);
	g_string_free(w, TRUE);
	cg_diag *d = cg_diag_new();
	app = cg_app_new(path, d);
	if (!app)
		dump_diag(d);
	ck_assert_ptr_nonnull(app);
	cg_diag_free(d);
	int *counter = calloc(1, sizeof(int));
	ck_assert_int_eq(cg_app_manage(app, "counter", counter, free), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "read_note", h_read_note, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "count", h_count, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "stream", h_stream, NULL, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "frame_ping", h_frame_ping, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "sum_bytes", h_sum_bytes, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "echo_bytes", h_echo_bytes, NULL, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "src_bytes", h_src_bytes, NULL, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "bytes_channel", h_bytes_channel, NULL, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "open_res", h_open_res, NULL, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "try_syscall", h_try_syscall, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "try_syscall_async", h_try_syscall, NULL, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_app_register(app, NULL, "try_syscall_main", h_try_syscall, NULL, CG_CMD_MAIN), 0);
}

static void run_app(cg_app_ready_fn scenario)
{
	cg_app_on_ready(app, scenario, NULL);
	cg_diag *d = cg_diag_new();
	int rc = cg_app_run(app, d);
	if (rc < 0)
		dump_diag(d);
	ck_assert_int_eq(rc, 0);
	cg_diag_free(d);
	cg_app_free(app);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(failures, 0);
}

/* ------------------------------------------------------- page scenarios */

static char *js_result;
static int js_done;

static void on_js(cg_app *a, const char *json, const char *error, void *user)
{
	js_result = g_strdup(json ? json : error);
	js_done = 1;
}

/* Runs script (a function body) in a window; waits up to 30 s. */
static char *eval_in(const char *label, const char *script)
{
	js_done = 0;
	js_result = NULL;
	if (cg_app_eval(app, label, script, on_js, NULL) < 0)
		return g_strdup("(no such window)");
	gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while (!js_done && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	return js_done ? js_result : g_strdup("(timeout)");
}

/* The same in the transport's world of a window's top frame, where the
 * message handlers are: a subverted transport. */
static char *eval_transport(const char *label, const char *script)
{
	js_done = 0;
	js_result = NULL;
	if (cg_app_eval_transport(app, label, script, on_js, NULL) < 0)
		return g_strdup("(no such window)");
	gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while (!js_done && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	return js_done ? js_result : g_strdup("(timeout)");
}

static char *scenario(const char *label, const char *name, const char *arg)
{
	char *script = g_strdup_printf("return JSON.stringify(await window.capgateTest(\"%s\", %s));",
				       name, arg ? arg : "null");
	char *r = eval_in(label, script);
	g_free(script);
	/* the page returns a JSON string of the result; unwrap one level */
	json_object *o = json_tokener_parse(r);
	char *out = g_strdup(o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : r);
	json_object_put(o);
	g_free(r);
	return out;
}

#define EXPECT(cond, ...)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "FAILED: %s: ", #cond);            \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			failures++;                                        \
		}                                                          \
	} while (0)

static gboolean tick(gpointer data)
{
	*(int *)data = 1;
	return G_SOURCE_REMOVE;
}

/* Lets the main loop run for a moment between two looks at a page. */
static void pause_loop(void)
{
	int fired = 0;
	g_timeout_add(50, tick, &fired);
	while (!fired)
		g_main_context_iteration(NULL, TRUE);
}

/* Waits (seconds at most) until script, a function body, returns true in
 * a window: the condition decides, not the time. */
static G_GNUC_UNUSED int wait_for(const char *label, const char *script, int seconds)
{
	gint64 end = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
	while (g_get_monotonic_time() < end) {
		char *r = eval_in(label, script);
		int ok = r && strcmp(r, "true") == 0;
		g_free(r);
		if (ok)
			return 1;
		pause_loop();
	}
	return 0;
}

/* wait_for with the usual limit, 30 s. */
static int wait_true(const char *label, const char *script)
{
	return wait_for(label, script, 30);
}

static int page_ready(const char *label)
{
	return wait_true(label, "return typeof window.capgateTest === 'function' && document.readyState === 'complete';");
}

/* 99 when the test frontend is not built, 77 with no display, else 0. */
static int rt_preflight(void)
{
	static const char *const dists[] = {"dist", "dist-oldest"};
	for (size_t i = 0; i < 2; i++) {
		char dist[512];
		snprintf(dist, sizeof(dist), "%s/tests/integration/frontend/%s/bundle.js", BUILDDIR, dists[i]);
		if (access(dist, R_OK) != 0) {
			fprintf(stderr, "the test frontend is not built (%s): run make check\n", dist);
			return 99;
		}
	}
	if (!getenv("DISPLAY")) {
		printf("SKIP: no display (run under xvfb-run; make check does)\n");
		return 77;
	}
	return 0;
}

/* ------------------------------------------------- a remote test origin */

/* Answers path from the built test frontend (tests/integration/frontend/
 * dist), 404 for anything else: the "remote site" of the runtime tests. */
static G_GNUC_UNUSED void rt_serve_frontend(SoupServerMessage *msg, const char *path)
{
	char *file = g_strdup_printf("%s/tests/integration/frontend/dist%s", BUILDDIR,
				     strcmp(path, "/") == 0 ? "/index.html" : path);
	gchar *body = NULL;
	gsize len = 0;
	if (!strstr(path, "..") && g_file_get_contents(file, &body, &len, NULL)) {
		const char *type = g_str_has_suffix(file, ".js") ? "text/javascript" : "text/html";
		soup_server_message_set_response(msg, type, SOUP_MEMORY_TAKE, body, len);
		soup_server_message_set_status(msg, 200, NULL);
	} else {
		soup_server_message_set_status(msg, 404, NULL);
	}
	g_free(file);
}

/* A server on 127.0.0.1 (a free port) answering with fn. */
static G_GNUC_UNUSED SoupServer *rt_server_new(SoupServerCallback fn)
{
	SoupServer *sv = soup_server_new(NULL, NULL);
	soup_server_add_handler(sv, NULL, fn, NULL, NULL);
	GError *err = NULL;
	ck_assert_msg(soup_server_listen_local(sv, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &err),
		      "listen: %s", err ? err->message : "?");
	return sv;
}

/* "http://127.0.0.1:PORT/" (g_free it). */
static G_GNUC_UNUSED char *rt_server_base(SoupServer *sv)
{
	GSList *uris = soup_server_get_uris(sv);
	char *base = g_uri_to_string(uris->data);
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return base;
}

#endif
