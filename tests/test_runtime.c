/*
 * Integration tests: real WebKitGTK windows (under Xvfb when there is no
 * display) running the test frontend, which uses the real
 * @tauri-apps/api package. Each test forks and runs its own app; the
 * scenario is driven from the app's ready callback by evaluating
 * window.capgateTest(...) in a window and waiting for its answer (a
 * generous timeout, never a fixed sleep).
 */
#include "rt_harness.h"

/* --------------------------------------------------------------- tests */

static void sc_invoke(cg_app *a, void *u)
{
	char *r = scenario("main", "label", NULL);
	EXPECT(strcmp(r, "\"main\"") == 0, "label: %s", r);
	g_free(r);
	/* allowed, with its scope reaching the handler */
	r = scenario("main", "invoke", "{\"cmd\": \"read_note\", \"args\": {\"name\": \"todo\"}}");
	EXPECT(strstr(r, "\"args\":{\"name\":\"todo\"}") != NULL, "args: %s", r);
	EXPECT(strstr(r, "\"$NOTES/*\"") && strstr(r, "\"$NOTES/secret\""), "scope: %s", r);
	EXPECT(strstr(r, "\"window\":\"main\"") != NULL, "window: %s", r);
	g_free(r);
	/* denied: rejects with the engine's message */
	r = scenario("other", "invoke_error", "{\"cmd\": \"read_note\", \"args\": {}}");
	EXPECT(strstr(r, "no capability grants read_note") && strstr(r, "allow-read-note") &&
	       strstr(r, "window \\\"other\\\""), "denial: %s", r);
	g_free(r);
	/* unknown command */
	r = scenario("main", "invoke_error", "{\"cmd\": \"no_such\", \"args\": {}}");
	EXPECT(strstr(r, "unknown command") != NULL, "unknown: %s", r);
	g_free(r);
	/* a core command through the real package */
	r = scenario("main", "invoke", "{\"cmd\": \"plugin:app|version\", \"args\": {}}");
	EXPECT(strcmp(r, "\"1.2.3\"") == 0, "version: %s", r);
	g_free(r);
	/* a channel streams in order */
	r = scenario("main", "channel", "{\"cmd\": \"stream\"}");
	EXPECT(strstr(r, "\"messages\":[1,2,3]") && strstr(r, "\"result\":\"done\""), "channel: %s", r);
	g_free(r);
	cg_app_quit(app);
}

START_TEST(invoke_through_tauri_api)
{
	make_app("main,other");
	run_app(sc_invoke);
}
END_TEST

static void sc_events(cg_app *a, void *u)
{
	char *r;
	r = scenario("viewer", "listen", "{\"event\": \"note-saved\"}");
	EXPECT(strcmp(r, "\"ok\"") == 0, "viewer listen: %s", r);
	g_free(r);
	/* other may not listen to note-*: refused at listen time */
	r = scenario("other", "listen", "{\"event\": \"note-saved\"}");
	EXPECT(strstr(r, "error") && strstr(r, "note-saved"), "other listen: %s", r);
	g_free(r);
	r = scenario("other", "listen", "{\"event\": \"settings-changed\"}");
	EXPECT(strcmp(r, "\"ok\"") == 0, "other listen settings: %s", r);
	g_free(r);
	r = scenario("main", "emit", "{\"event\": \"note-saved\", \"payload\": {\"name\": \"todo\"}}");
	EXPECT(strcmp(r, "\"ok\"") == 0, "emit: %s", r);
	g_free(r);
	/* main may not emit settings-* */
	r = scenario("main", "emit", "{\"event\": \"settings-changed\", \"payload\": 1}");
	EXPECT(strstr(r, "error") != NULL, "emit settings: %s", r);
	g_free(r);
	/* the core emits settings-changed to window "viewer" only: other's
	 * listener must not hear it */
	json_object *p = json_object_new_int(7);
	cg_app_emit(app, "settings-changed", CG_TARGET_WINDOW, "viewer", p);
	json_object_put(p);
	/* deliveries are asynchronous: wait for them on the page */
	wait_true("viewer", "return JSON.stringify(window.__received || []).includes('note-saved');");
	r = scenario("viewer", "received", NULL);
	EXPECT(strstr(r, "\"event\":\"note-saved\"") && strstr(r, "\"name\":\"todo\""), "viewer got: %s", r);
	EXPECT(!strstr(r, "settings-changed"), "viewer got settings (not listening): %s", r);
	g_free(r);
	r = scenario("other", "received", NULL);
	EXPECT(strcmp(r, "[]") == 0, "other got: %s", r);
	g_free(r);
	cg_app_quit(app);
}

START_TEST(events_reach_only_allowed_windows)
{
	make_app("main,viewer,other");
	run_app(sc_events);
}
END_TEST

/* The same calls and events through @tauri-apps/api 2.0.0, the oldest 2.x
 * release apps ship: its invoke, Channel and event wire forms must work
 * unchanged. The bundle is checked to be built from that package. */
static void use_oldest_api(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/integration/frontend/dist-oldest/bundle.js", BUILDDIR);
	gchar *js = NULL;
	ck_assert(g_file_get_contents(path, &js, NULL, NULL));
	ck_assert_msg(strstr(js, "node_modules/tauri-api-oldest/") != NULL,
		      "%s is not built from @tauri-apps/api 2.0.0", path);
	ck_assert_msg(strstr(js, "node_modules/@tauri-apps/api/") == NULL,
		      "%s also holds the newest @tauri-apps/api", path);
	g_free(js);
	frontend_dist = "dist-oldest";
}

START_TEST(invoke_through_oldest_api)
{
	use_oldest_api();
	make_app("main,other");
	run_app(sc_invoke);
}
END_TEST

START_TEST(events_through_oldest_api)
{
	use_oldest_api();
	make_app("main,viewer,other");
	run_app(sc_events);
}
END_TEST

static void sc_frames(cg_app *a, void *u)
{
	/* a same-origin iframe calling the message handler itself: it has no
	 * key, so the command must not run (WebKit may not even deliver it) */
	char *r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "1") == 0, "count: %s", r);
	g_free(r);
	r = scenario("main", "iframe_invoke", "{\"cmd\": \"count\"}");
	EXPECT(strstr(r, "refused") || strstr(r, "no answer"), "iframe: %s", r);
	g_free(r);
	r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "2") == 0, "the iframe's call ran: count %s", r);
	g_free(r);
	/* the page tampering with the bridge cannot replace it */
	r = scenario("main", "tamper", "{\"cmd\": \"count\"}");
	EXPECT(strstr(r, "\"internalsReplaced\":false"), "tamper: %s", r);
	g_free(r);
	cg_app_quit(app);
}

START_TEST(frames_and_tampering)
{
	make_app("main");
	run_app(sc_frames);
}
END_TEST

static SoupServer *server;

static char *server_base(void)
{
	return rt_server_base(server);
}


static void serve(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *q, gpointer d)
{
	(void)s;
	(void)q;
	(void)d;
	rt_serve_frontend(msg, path);
}

static void sc_remote(cg_app *a, void *u)
{
	char *r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "1") == 0, "local count: %s", r);
	g_free(r);
	char *base = server_base();
	char *nav = g_strdup_printf("location.href = '%sindex.html'; return true;", base);
	g_free(eval_in("main", nav));
	g_free(nav);
	/* wait for the remote page */
	int ok = wait_true("main", "return location.protocol === 'http:' && typeof window.capgateTest === 'function';");
	EXPECT(ok, "remote page did not load");
	r = scenario("main", "invoke_error", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strstr(r, "origin http://127.0.0.1") != NULL, "remote count: %s", r);
	g_free(r);
	g_free(base);
	cg_app_quit(app);
}

START_TEST(remote_page_cannot_call)
{
	server = rt_server_new(serve);
	make_app("main");
	run_app(sc_remote);
	g_object_unref(server);
}
END_TEST

static int frame_allowed_case;

static void sc_frames_allowed(cg_app *a, void *u)
{
	char *base = server_base();
	char *arg = g_strdup_printf("{\"url\": \"%sindex.html\", \"cmd\": \"frame_ping\"}", base);
	char *r = scenario("main", "frame_invoke", arg);
	if (frame_allowed_case) {
		/* the frame calls with its own origin, which the policy sees */
		EXPECT(strstr(r, "\"ok\":true") && strstr(r, "http://127.0.0.1:"), "allowed frame: %s", r);
	} else {
		EXPECT(strstr(r, "\"ok\":false") && strstr(r, "refused"), "frame not in security.frames: %s", r);
	}
	g_free(r);
	g_free(arg);
	if (frame_allowed_case) {
		/* a command granted only to the local page is denied to the frame */
		arg = g_strdup_printf("{\"url\": \"%sindex.html\", \"cmd\": \"read_note\"}", base);
		r = scenario("main", "frame_invoke", arg);
		EXPECT(strstr(r, "\"ok\":false") && strstr(r, "origin http://127.0.0.1:"), "frame read_note: %s", r);
		g_free(r);
		g_free(arg);
	}
	/* the top frame still works as before */
	r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "1") == 0, "top frame count: %s", r);
	g_free(r);
	g_free(base);
	cg_app_quit(app);
}

static void frames_test(int allowed)
{
	server = rt_server_new(serve);
	frame_allowed_case = allowed;
	extra_security = allowed
		? ", \"frames\": [\"http://127.0.0.1:*\"], \"csp\": \"default-src 'self'; frame-src http://127.0.0.1:*\""
		: ", \"frames\": [\"http://localhost:*\"], \"csp\": \"default-src 'self'; frame-src http://127.0.0.1:*\"";
	make_app("main");
	run_app(sc_frames_allowed);
	g_object_unref(server);
}

START_TEST(allowed_frame_origin_calls_as_itself)
{
	frames_test(1);
}
END_TEST

START_TEST(other_frame_origins_refused)
{
	frames_test(0);
}
END_TEST

static void sc_crash(cg_app *a, void *u)
{
	char *r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "1") == 0, "count before: %s", r);
	g_free(r);
	int pid = cg_app_web_process_pid(app, "main");
	EXPECT(pid > 0, "no web process pid");
	if (pid > 0) {
		kill(pid, SIGKILL);
		/* the core stays up; the window comes back */
		EXPECT(page_ready("main"), "window not reloaded");
		r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
		EXPECT(strcmp(r, "2") == 0, "count after (state kept): %s", r);
		g_free(r);
	}
	cg_app_quit(app);
}

static void sc_crash_storm(cg_app *a, void *u)
{
	/* Three crashes within 30 s: the third is not reloaded. */
	for (int i = 1; i <= 3; i++) {
		int pid = cg_app_web_process_pid(app, "main");
		EXPECT(pid > 0, "no web process pid before crash %d", i);
		if (pid <= 0)
			break;
		kill(pid, SIGKILL);
		if (i < 3)
			EXPECT(page_ready("main"), "window not reloaded after crash %d", i);
	}
	EXPECT(wait_true("main", "return !!document.body && document.body.innerText.includes('crashed repeatedly');"),
	       "the window was reloaded a third time");
	cg_app_quit(app);
}

static long count_fds(void)
{
	long n = 0;
	GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
	while (d && g_dir_read_name(d))
		n++;
	if (d)
		g_dir_close(d);
	return n;
}

/* The web process killed 100 times in a row. A window gives up after three
 * crashes in 30 s, so when one gives up a fresh window takes its place:
 * the core stays up, keeps its state, and its fds stop growing. */
static void sc_kill_100(cg_app *a, void *u)
{
	const int N = 100;
	const char *labels[2] = {"main", "spare"};
	int cur = 0, kills = 0, windows = 1;
	EXPECT(page_ready("main"), "page not ready");
	char *r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "1") == 0, "count before: %s", r);
	g_free(r);
	long fds0 = count_fds();
	while (kills < N) {
		/* A closed window's web process may take a moment to go. */
		int pid = -1;
		for (int i = 0; i < 600 && (pid = cg_app_web_process_pid(app, labels[cur])) <= 0; i++)
			pause_loop();
		EXPECT(pid > 0, "no web process after %d kills", kills);
		if (pid <= 0)
			break;
		kill(pid, SIGKILL);
		kills++;
		/* WebKit opens what it keeps (caches, connections) over the
		 * first windows: measured here, flat from about 20 kills on. */
		if (kills == 25)
			fds0 = count_fds();
		int ok = wait_true(labels[cur], "return (typeof window.capgateTest === 'function' && "
						"document.readyState === 'complete') || (!!document.body && "
						"document.body.innerText.includes('crashed repeatedly'));");
		EXPECT(ok, "window %s neither reloaded nor gave up after kill %d", labels[cur], kills);
		if (!ok)
			break;
		char *gave_up = eval_in(labels[cur], "return !!document.body && "
						     "document.body.innerText.includes('crashed repeatedly');");
		if (strcmp(gave_up, "true") == 0) {
			int next = 1 - cur;
			EXPECT(cg_app_open_window(app, labels[next], labels[next], "index.html", 300, 200) == 0,
			       "cannot open window %s", labels[next]);
			EXPECT(page_ready(labels[next]), "window %s not ready", labels[next]);
			EXPECT(cg_app_close_window(app, labels[cur]) == 0, "cannot close %s", labels[cur]);
			cur = next;
			windows++;
		}
		g_free(gave_up);
	}
	EXPECT(kills == N, "only %d kills", kills);
	/* the core is up and its state kept (count runs in "main" only) */
	if (cur != 0) {
		EXPECT(cg_app_open_window(app, "main", "main", "index.html", 300, 200) == 0, "reopen main");
		EXPECT(page_ready("main"), "main not ready");
		cg_app_close_window(app, labels[cur]);
	}
	r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "2") == 0, "count after %d kills: %s", kills, r);
	g_free(r);
	long fds1 = count_fds();
	printf("web process killed %d times over %d windows; fds %ld after 25 kills, %ld at the end\n",
	       kills, windows, fds0, fds1);
	EXPECT(fds1 <= fds0 + 4, "fds grew from %ld to %ld", fds0, fds1);
	cg_app_quit(app);
}

START_TEST(web_process_killed_100_times)
{
	make_app("main");
	run_app(sc_kill_100);
}
END_TEST

START_TEST(repeated_crashes_stop_reloading)
{
	make_app("main");
	run_app(sc_crash_storm);
}
END_TEST

START_TEST(web_process_crash_recovery)
{
	make_app("main");
	run_app(sc_crash);
}
END_TEST

int main(void)
{
	int pre = rt_preflight();
	if (pre)
		return pre;
	Suite *s = suite_create("runtime");
	TCase *tc = tcase_create("windows");
	/* A bound for a hung test, not a speed limit: every step waits for
	 * its own event; 100 web process restarts take about a minute on a
	 * quiet machine and several on a loaded one. */
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, invoke_through_tauri_api);
	tcase_add_test(tc, events_reach_only_allowed_windows);
	tcase_add_test(tc, invoke_through_oldest_api);
	tcase_add_test(tc, events_through_oldest_api);
	tcase_add_test(tc, frames_and_tampering);
	tcase_add_test(tc, remote_page_cannot_call);
	tcase_add_test(tc, web_process_crash_recovery);
	tcase_add_test(tc, repeated_crashes_stop_reloading);
	tcase_add_test(tc, web_process_killed_100_times);
	tcase_add_test(tc, allowed_frame_origin_calls_as_itself);
	tcase_add_test(tc, other_frame_origins_refused);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
