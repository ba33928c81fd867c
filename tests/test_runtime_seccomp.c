/*
 * The seccomp profile inside a running app (real WebKitGTK windows, under
 * Xvfb when there is no display): command handlers that try execve,
 * ptrace, mount or an AF_INET socket get the configured action, sync and
 * async handlers alike, while windows keep opening, navigating and
 * recovering from a killed web process. Each test runs in a process of its
 * own (Check's fork mode), since a loaded filter cannot be taken back.
 */
#include "rt_harness.h"

static char seccomp_conf[512];

static void use_seccomp(const char *json)
{
	snprintf(seccomp_conf, sizeof(seccomp_conf), ", \"seccomp\": %s", json);
	extra_security = seccomp_conf;
}

/* try_syscall's errno for what, via the command cmd; -1 when the call
 * itself failed. */
static int try_errno(const char *label, const char *cmd, const char *what, int *main_thread)
{
	char arg[200];
	snprintf(arg, sizeof(arg), "{\"cmd\": \"%s\", \"args\": {\"what\": \"%s\"}}", cmd, what);
	char *r = scenario(label, "invoke", arg);
	json_object *o = json_tokener_parse(r), *e = NULL, *m = NULL;
	int err = -1;
	if (o && json_object_object_get_ex(o, "errno", &e))
		err = json_object_get_int(e);
	if (main_thread)
		*main_thread = o && json_object_object_get_ex(o, "main", &m) && json_object_get_boolean(m);
	if (err == -1)
		fprintf(stderr, "%s(%s): %s\n", cmd, what, r);
	json_object_put(o);
	g_free(r);
	return err;
}

static void expect_denied(const char *label)
{
	static const char *const cmds[] = {"try_syscall", "try_syscall_async"};
	static const char *const whats[] = {"execve", "socket", "ptrace", "mount"};
	for (int c = 0; c < 2; c++)
		for (int w = 0; w < 4; w++) {
			int on_main = -1;
			int err = try_errno(label, cmds[c], whats[w], &on_main);
			EXPECT(err == EPERM, "%s in window %s via %s: errno %d, not EPERM", whats[w], label,
			       cmds[c], err);
			EXPECT(on_main == 0, "%s ran on the main thread", cmds[c]);
		}
}

static void sc_denied(cg_app *a, void *u)
{
	EXPECT(page_ready("main"), "page not ready");
	expect_denied("main");
	/* The handlers still do their work: state, scopes, channels. */
	char *r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
	EXPECT(strcmp(r, "1") == 0, "count: %s", r);
	g_free(r);
	r = scenario("main", "channel", "{\"cmd\": \"stream\"}");
	EXPECT(strstr(r, "\"messages\":[1,2,3]") && strstr(r, "\"result\":\"done\""), "channel: %s", r);
	g_free(r);
	/* A handler registered CG_CMD_MAIN runs on the main thread, under the
	 * process tier only: its socket is allowed, as documented. */
	int on_main = 0;
	EXPECT(try_errno("main", "try_syscall_main", "socket", &on_main) == 0, "main handler's socket refused");
	EXPECT(on_main == 1, "CG_CMD_MAIN did not run on the main thread");

	/* Windows open at run time, navigate, and come back after a crash. */
	g_free(eval_in("main", "window.__oldPage = true; location.reload(); return true;"));
	EXPECT(wait_true("main", "return window.__oldPage === undefined && document.readyState === 'complete' && "
				 "typeof window.capgateTest === 'function';"),
	       "main did not reload");
	int pid = cg_app_web_process_pid(app, "main");
	EXPECT(pid > 0, "no web process pid");
	if (pid > 0) {
		kill(pid, SIGKILL);
		EXPECT(page_ready("main"), "window not reloaded after its web process was killed");
		r = scenario("main", "invoke", "{\"cmd\": \"count\", \"args\": {}}");
		EXPECT(strcmp(r, "2") == 0, "count after the crash: %s", r);
		g_free(r);
		expect_denied("main");
	}
	EXPECT(cg_app_open_window(app, "viewer", "viewer", "index.html", 300, 200) == 0, "open viewer");
	EXPECT(page_ready("viewer"), "viewer not ready");
	cg_app_quit(app);
}

START_TEST(handlers_refused_windows_work)
{
	use_seccomp("{\"action\": \"errno\"}");
	make_app("main");
	run_app(sc_denied);
}
END_TEST

static void sc_allowed(cg_app *a, void *u)
{
	EXPECT(page_ready("main"), "page not ready");
	EXPECT(try_errno("main", "try_syscall", "execve", NULL) == 0, "execve refused though exec is true");
	EXPECT(try_errno("main", "try_syscall_async", "socket", NULL) == 0, "socket refused though network is true");
	EXPECT(try_errno("main", "try_syscall", "ptrace", NULL) == EPERM, "ptrace not refused");
	cg_app_quit(app);
}

START_TEST(switches_allow)
{
	use_seccomp("{\"exec\": true, \"network\": true}");
	make_app("main");
	run_app(sc_allowed);
}
END_TEST

static void sc_log(cg_app *a, void *u)
{
	EXPECT(page_ready("main"), "page not ready");
	EXPECT(try_errno("main", "try_syscall", "execve", NULL) == 0, "execve blocked in log mode");
	EXPECT(try_errno("main", "try_syscall", "socket", NULL) == 0, "socket blocked in log mode");
	cg_app_quit(app);
}

START_TEST(log_mode_blocks_nothing)
{
	use_seccomp("{\"action\": \"log\"}");
	make_app("main");
	run_app(sc_log);
}
END_TEST

static void sc_kill(cg_app *a, void *u)
{
	EXPECT(page_ready("main"), "page not ready");
	/* The answer never comes: the kernel ends the app first. */
	char *r = scenario("main", "invoke", "{\"cmd\": \"try_syscall\", \"args\": {\"what\": \"socket\"}}");
	EXPECT(0, "the app survived a denied socket under kill: %s", r);
	g_free(r);
	cg_app_quit(app);
}

START_TEST(kill_ends_the_app)
{
	use_seccomp("{\"action\": \"kill\"}");
	make_app("main");
	run_app(sc_kill);
	ck_abort_msg("the app survived a denied socket under kill");
}
END_TEST

START_TEST(off_means_off)
{
	use_seccomp("false");
	make_app("main");
	run_app(sc_log); /* everything works, as without a filter */
}
END_TEST

int main(void)
{
	int pre = rt_preflight();
	if (pre)
		return pre;
	if (getenv("CK_FORK") && strcmp(getenv("CK_FORK"), "no") == 0) {
		printf("SKIP: each test needs a process of its own (CK_FORK=no)\n");
		return 77;
	}
	Suite *s = suite_create("runtime-seccomp");
	TCase *tc = tcase_create("windows");
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, handlers_refused_windows_work);
	tcase_add_test(tc, switches_allow);
	tcase_add_test(tc, log_mode_blocks_nothing);
	tcase_add_test(tc, off_means_off);
	tcase_add_test_raise_signal(tc, kill_ends_the_app, SIGSYS);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
