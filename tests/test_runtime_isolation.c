/*
 * The isolation pattern with real WebKitGTK windows (under Xvfb when there
 * is no display): the test frontend, using @tauri-apps/api unmodified,
 * calls through the isolation frame of tests/integration/isolation, whose
 * hook passes, rewrites and refuses; a page that collects sealed
 * envelopes from a frame of its own cannot replay, move or tamper with
 * them; the key is nowhere the page can look.
 */
#include "rt_harness.h"

static void use_isolation(const char *dir_)
{
	static char sec[1024];
	snprintf(sec, sizeof(sec), ", \"pattern\": {\"use\": \"isolation\", \"options\": {\"dir\": \"%s\"}}", dir_);
	extra_security = sec;
}

/* cg_app_post's answer. */
static char *post_result;
static int post_ok, post_done;

static void on_post(cg_app *a, const char *json, const char *error, void *user)
{
	post_ok = json != NULL;
	post_result = g_strdup(json ? json : error);
	post_done = 1;
}

/* Delivers text as a message from label's top frame; "ok:<json>" or
 * "error:<json>". */
static char *post(const char *label, const char *text)
{
	post_done = 0;
	if (cg_app_post(app, label, text, on_post, NULL) < 0)
		return g_strdup("(no such window)");
	gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while (!post_done && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	if (!post_done)
		return g_strdup("(timeout)");
	char *r = g_strdup_printf("%s:%s", post_ok ? "ok" : "error", post_result);
	g_free(post_result);
	return r;
}

/* Reloads a window's page and waits for the new one. */
static int reload(const char *label)
{
	g_free(eval_in(label, "window.__oldPage = true; location.reload(); return true;"));
	return wait_true(label, "return window.__oldPage === undefined && document.readyState === 'complete' && "
				"typeof window.capgateTest === 'function';");
}

static char *key_b64(void)
{
	unsigned char k[CG_SEAL_KEY_BYTES];
	ck_assert_int_eq(cg_router_isolation_key(cg_app_router(app), k, sizeof(k)), 0);
	return g_base64_encode(k, sizeof(k));
}

static void sc_hook(cg_app *a, void *u)
{
	/* passes */
	char *r = scenario("main", "invoke", "{\"cmd\": \"read_note\", \"args\": {\"name\": \"todo\"}}");
	EXPECT(strstr(r, "\"args\":{\"name\":\"todo\"}") && strstr(r, "\"window\":\"main\""), "pass: %s", r);
	g_free(r);
	/* rewrites */
	r = scenario("main", "invoke", "{\"cmd\": \"read_note\", \"args\": {\"name\": \"rewrite-me\"}}");
	EXPECT(strstr(r, "\"name\":\"rewritten by the hook\""), "rewrite: %s", r);
	g_free(r);
	/* refuses: the command never runs */
	r = scenario("main", "invoke_error", "{\"cmd\": \"count\", \"args\": {\"refuse\": true}}");
	EXPECT(strstr(r, "refused by the isolation hook"), "refuse: %s", r);
	g_free(r);
	/* the same answers given at once rather than as a promise */
	r = scenario("main", "invoke", "{\"cmd\": \"read_note\", \"args\": {\"name\": \"rewrite-me\", \"sync\": true}}");
	EXPECT(strstr(r, "\"name\":\"rewritten by the hook\""), "sync rewrite: %s", r);
	g_free(r);
	r = scenario("main", "invoke_error", "{\"cmd\": \"count\", \"args\": {\"refuse\": true, \"sync\": true}}");
	EXPECT(strstr(r, "refused by the isolation hook"), "sync refuse: %s", r);
	g_free(r);
	/* a hook that throws or rejects refuses, with its reason */
	r = scenario("main", "invoke_error", "{\"cmd\": \"count\", \"args\": {\"fail\": \"throw\"}}");
	EXPECT(strstr(r, "the isolation hook threw: hook says no"), "throw: %s", r);
	g_free(r);
	r = scenario("main", "invoke_error", "{\"cmd\": \"count\", \"args\": {\"fail\": \"reject\"}}");
	EXPECT(strstr(r, "the isolation hook threw: hook rejects"), "reject: %s", r);
	g_free(r);
	r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "1") == 0, "a refused call ran: count %s", r);
	g_free(r);
	/* the policy still decides after the hook */
	r = scenario("other", "invoke_error", "{\"cmd\": \"read_note\", \"args\": {}}");
	EXPECT(strstr(r, "no capability grants read_note"), "denial: %s", r);
	g_free(r);
	/* a binary body, a channel, a core command, events */
	r = scenario("main", "invoke_bytes", "{\"cmd\": \"sum_bytes\", \"bytes\": [1, 2, 3, 250]}");
	EXPECT(strcmp(r, "256") == 0, "bytes: %s", r);
	g_free(r);
	r = scenario("main", "channel", "{\"cmd\": \"stream\"}");
	EXPECT(strstr(r, "\"messages\":[1,2,3]") && strstr(r, "\"result\":\"done\""), "channel: %s", r);
	g_free(r);
	r = scenario("main", "invoke", "{\"cmd\": \"plugin:app|version\", \"args\": {}}");
	EXPECT(strcmp(r, "\"1.2.3\"") == 0, "version: %s", r);
	g_free(r);
	r = scenario("main", "listen", "{\"event\": \"note-saved\"}");
	EXPECT(strcmp(r, "\"ok\"") == 0, "listen: %s", r);
	g_free(r);
	r = scenario("main", "emit", "{\"event\": \"note-saved\", \"payload\": {\"name\": \"x\"}}");
	EXPECT(strcmp(r, "\"ok\"") == 0, "emit: %s", r);
	g_free(r);
	EXPECT(wait_true("main", "return JSON.stringify(window.__received).includes('note-saved');"),
	       "the sealed emit was not delivered");
	/* a reload: the new frame gets a new epoch and calls go on */
	EXPECT(reload("main"), "no reload");
	r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "2") == 0, "count after reload: %s", r);
	g_free(r);
	cg_app_quit(app);
}

START_TEST(hook_passes_rewrites_and_refuses)
{
	use_isolation(SRCDIR "/tests/integration/isolation");
	make_app("main,other");
	run_app(sc_hook);
}
END_TEST

static void sc_key(cg_app *a, void *u)
{
	char *key = key_b64();
	char *r = scenario("main", "isolation_probe", NULL);
	EXPECT(strstr(r, "\"frames\":1") && strstr(r, "\"sandbox\":\"allow-scripts\""), "frame: %s", r);
	EXPECT(strstr(r, "capgate-isolation://"), "origin: %s", r);
	EXPECT(strstr(r, "\"contentDocument\":\"null\""), "document: %s", r);
	EXPECT(strstr(r, "\"hook\":\"error:SecurityError"), "hook reachable: %s", r);
	EXPECT(strstr(r, "\"frameKey\":\"error:SecurityError"), "frame globals reachable: %s", r);
	EXPECT(strstr(r, "\"globalKey\":\"undefined\""), "key global: %s", r);
	EXPECT(strstr(r, "\"fetch\":\"error:"), "the page fetched the isolation app: %s", r);
	EXPECT(!strstr(r, key), "the key is visible to the page: %s", r);
	g_free(r);
	g_free(key);
	/* a crashed web process: the same */
	int pid = cg_app_web_process_pid(app, "main");
	EXPECT(pid > 0, "no web process pid");
	if (pid > 0) {
		kill(pid, SIGKILL);
		/* the web process only: the reloaded page's new frame still works */
		EXPECT(page_ready("main"), "window not reloaded after the crash");
		r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
		EXPECT(strcmp(r, "1") == 0, "count after crash: %s", r);
		g_free(r);
	}
	cg_app_quit(app);
}

START_TEST(page_cannot_read_key_or_frame)
{
	use_isolation(SRCDIR "/tests/integration/isolation");
	make_app("main");
	run_app(sc_key);
}
END_TEST

/* The envelope with its first "count" replaced by "read_note". */
static char *moved(const char *env)
{
	const char *at = strstr(env, "\"count\"");
	if (!at)
		return g_strdup(env);
	return g_strdup_printf("%.*s\"read_note\"%s", (int)(at - env), env, at + 7);
}

static void sc_forgery(cg_app *a, void *u)
{
	/* Plaintext, with the window's key (a subverted bridge): refused. */
	char *r = post("main", "{\"cmd\": \"count\", \"payload\": {}}");
	EXPECT(g_str_has_prefix(r, "error:") && strstr(r, "not a valid sealed message"), "plaintext: %s", r);
	g_free(r);
	/* One call through the bridge first: its frame has then started and
	 * taken its epoch, so the one taken here is the latest. */
	r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "1") == 0, "count through the bridge: %s", r);
	g_free(r);
	/* Envelopes the page collects from an isolation frame of its own. */
	int64_t epoch = cg_webview_new_epoch(cg_app_webview(app, "main"));
	EXPECT(epoch >= 1, "epoch %lld", (long long)epoch);
	char *arg = g_strdup_printf(
		"{\"epoch\": %lld, \"messages\": [{\"cmd\": \"count\", \"payload\": {}}, {\"cmd\": \"count\", "
		"\"payload\": {}}, {\"cmd\": \"read_note\", \"payload\": {\"name\": \"a\"}}, {\"cmd\": \"count\", "
		"\"payload\": {\"refuse\": true}}]}", (long long)epoch);
	r = scenario("main", "seal_probe", arg);
	g_free(arg);
	json_object *envs = json_tokener_parse(r);
	EXPECT(envs && json_object_is_type(envs, json_type_array) && json_object_array_length(envs) == 4,
	       "probe: %s", r);
	g_free(r);
	if (!envs || !json_object_is_type(envs, json_type_array) || json_object_array_length(envs) != 4) {
		json_object_put(envs);
		cg_app_quit(app);
		return;
	}
	const char *e0 = json_object_get_string(json_object_array_get_idx(envs, 0));
	const char *e1 = json_object_get_string(json_object_array_get_idx(envs, 1));
	const char *e2 = json_object_get_string(json_object_array_get_idx(envs, 2));
	const char *e3 = json_object_get_string(json_object_array_get_idx(envs, 3));
	EXPECT(strstr(e3, "refused by the isolation hook"), "the hook sealed a refused message: %s", e3);
	r = post("main", e0);
	EXPECT(strcmp(r, "ok:2") == 0, "a fresh envelope: %s", r);
	g_free(r);
	r = post("main", e0);
	EXPECT(g_str_has_prefix(r, "error:") && strstr(r, "replayed"), "replayed: %s", r);
	g_free(r);
	char *m = moved(e1);
	r = post("main", m);
	EXPECT(g_str_has_prefix(r, "error:") && strstr(r, "bad tag"), "moved to read_note: %s", r);
	g_free(r);
	g_free(m);
	char *t = g_strdup(e1);
	char *ct = strstr(t, "\"ct\":\"");
	if (ct) {
		ct += 6;
		*ct = *ct == 'A' ? 'B' : 'A';
	}
	r = post("main", t);
	EXPECT(g_str_has_prefix(r, "error:") && strstr(r, "bad tag"), "tampered: %s", r);
	g_free(r);
	g_free(t);
	r = post("other", e2);
	EXPECT(g_str_has_prefix(r, "error:") && strstr(r, "not a valid sealed message"), "other window: %s", r);
	g_free(r);
	/* Nothing above left a trace: the untouched envelope still opens. */
	r = post("main", e1);
	EXPECT(strcmp(r, "ok:3") == 0, "the second envelope: %s", r);
	g_free(r);
	/* A new document in the window: envelopes of the old epoch die. */
	cg_webview_new_epoch(cg_app_webview(app, "main"));
	r = post("main", e2);
	EXPECT(g_str_has_prefix(r, "error:") && strstr(r, "bad tag"), "old epoch: %s", r);
	g_free(r);
	json_object_put(envs);
	/* Only the three calls that should have run did. */
	EXPECT(reload("main"), "no reload");
	r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "4") == 0, "count: %s", r);
	g_free(r);
	cg_app_quit(app);
}

START_TEST(forged_envelopes_refused)
{
	use_isolation(SRCDIR "/tests/integration/isolation");
	make_app("main,other");
	run_app(sc_forgery);
}
END_TEST

/* An isolation app whose hook is not a function. */
static void sc_no_hook(cg_app *a, void *u)
{
	char *r = scenario("main", "invoke_error", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strstr(r, "does not define __TAURI_ISOLATION_HOOK__"), "no hook: %s", r);
	g_free(r);
	cg_app_quit(app);
}

static char iso_dir[256];

static void write_isolation_app(const char *script)
{
	snprintf(iso_dir, sizeof(iso_dir), "/tmp/cg-iso-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(iso_dir));
	char path[300], *html = g_strdup_printf("<!doctype html><script>%s</script>", script);
	snprintf(path, sizeof(path), "%s/index.html", iso_dir);
	write_text(path, html);
	g_free(html);
	use_isolation(iso_dir);
}

START_TEST(hook_that_is_not_a_function)
{
	write_isolation_app("window.__TAURI_ISOLATION_HOOK__ = 5");
	make_app("main");
	run_app(sc_no_hook);
	char path[300];
	snprintf(path, sizeof(path), "%s/index.html", iso_dir);
	unlink(path);
	rmdir(iso_dir);
}
END_TEST

START_TEST(no_hook_refuses_to_start)
{
	write_isolation_app("window.somethingElse = 1");
	make_app("main");
	cg_diag *d = cg_diag_new();
	ck_assert_int_lt(cg_app_run(app, d), 0);
	ck_assert_int_ge(cg_diag_count(d), 1);
	char *msg = cg_diag_format(d, 0);
	ck_assert_ptr_nonnull(strstr(msg, "index.html"));
	ck_assert_ptr_nonnull(strstr(msg, "does not define __TAURI_ISOLATION_HOOK__"));
	free(msg);
	cg_diag_free(d);
	cg_app_free(app);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	/* no index.html at all */
	char path[300];
	snprintf(path, sizeof(path), "%s/index.html", iso_dir);
	unlink(path);
	make_app("main");
	d = cg_diag_new();
	ck_assert_int_eq(cg_app_run(app, d), CG_EIO);
	msg = cg_diag_format(d, 0);
	ck_assert_ptr_nonnull(strstr(msg, "cannot be read"));
	free(msg);
	cg_diag_free(d);
	cg_app_free(app);
	rmdir(iso_dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	int pre = rt_preflight();
	if (pre)
		return pre;
	Suite *s = suite_create("runtime-isolation");
	TCase *tc = tcase_create("windows");
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, hook_passes_rewrites_and_refuses);
	tcase_add_test(tc, page_cannot_read_key_or_frame);
	tcase_add_test(tc, forged_envelopes_refused);
	tcase_add_test(tc, hook_that_is_not_a_function);
	tcase_add_test(tc, no_hook_refuses_to_start);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
