/*
 * The fs plugin in real WebKitGTK windows, driven by the unmodified
 * @tauri-apps/plugin-fs (issue 19): the built-in plugins enabled as
 * `capgate run` enables them, the official fs manifest as the fallback,
 * $APPDATA from the app's identifier. In scope: mkdir, writeTextFile,
 * readTextFile, readFile, exists, readDir, remove, checked on disk. Out of
 * scope: an absolute path elsewhere, "..", a deny entry, a symlink inside
 * the scope to a file outside it, and a window granted the command with
 * no scope; each refused with "forbidden path" (or ELOOP for the link)
 * and nothing written outside. File handles (create, write, seek, read,
 * stat, truncate, close), readTextFileLines, watch and watchImmediate,
 * and open refused outside, without a scope and through a link.
 */
#include "rt_harness.h"
#include "builtin/builtin.h"

static char xdg[256], appdata[512], outside[512];

/* fs {op, args}; the JSON the page answers ({ok, value} or {ok, error}). */
static char *fs_call(const char *label, const char *op, const char *args)
{
	char *arg = g_strdup_printf("{\"op\": \"%s\", \"args\": %s}", op, args);
	char *r = scenario(label, "fs", arg);
	g_free(arg);
	return r;
}

#define OK(r) (strncmp((r), "{\"ok\":true", 10) == 0)

static void sc_fs(cg_app *a, void *u)
{
	if (!page_ready("main") || !page_ready("other")) {
		EXPECT(0, "pages not ready");
		cg_app_quit(app);
		return;
	}
	char *r = fs_call("main", "mkdir", "[\"docs\", {\"baseDir\": 14, \"recursive\": true}]");
	EXPECT(OK(r), "mkdir: %s", r);
	g_free(r);
	r = fs_call("main", "writeTextFile", "[\"docs/a.txt\", \"h\\u00e9llo\", {\"baseDir\": 14}]");
	EXPECT(OK(r), "writeTextFile: %s", r);
	g_free(r);
	char path[700], *text = NULL;
	snprintf(path, sizeof(path), "%s/docs/a.txt", appdata);
	EXPECT(g_file_get_contents(path, &text, NULL, NULL) && strcmp(text, "h\xc3\xa9llo") == 0,
	       "on disk: %s", text ? text : "(none)");
	g_free(text);
	r = fs_call("main", "readTextFile", "[\"docs/a.txt\", {\"baseDir\": 14}]");
	EXPECT(strcmp(r, "{\"ok\":true,\"value\":\"h\xc3\xa9llo\"}") == 0, "readTextFile: %s", r);
	g_free(r);
	r = fs_call("main", "readFile", "[\"docs/a.txt\", {\"baseDir\": 14}]");
	EXPECT(strcmp(r, "{\"ok\":true,\"value\":[104,195,169,108,108,111]}") == 0, "readFile: %s", r);
	g_free(r);
	r = fs_call("main", "exists", "[\"docs/a.txt\", {\"baseDir\": 14}]");
	EXPECT(strcmp(r, "{\"ok\":true,\"value\":true}") == 0, "exists: %s", r);
	g_free(r);
	r = fs_call("main", "exists", "[\"docs/none\", {\"baseDir\": 14}]");
	EXPECT(strcmp(r, "{\"ok\":true,\"value\":false}") == 0, "exists (none): %s", r);
	g_free(r);
	r = fs_call("main", "readDir", "[\"docs\", {\"baseDir\": 14}]");
	EXPECT(OK(r) && strstr(r, "\"name\":\"a.txt\""), "readDir: %s", r);
	g_free(r);

	/* Out of scope. */
	snprintf(path, sizeof(path), "%s/x.txt", outside);
	char *args = g_strdup_printf("[\"%s\"]", path);
	r = fs_call("main", "readTextFile", args);
	EXPECT(!OK(r) && strstr(r, "forbidden path: "), "outside: %s", r);
	g_free(r);
	g_free(args);
	args = g_strdup_printf("[\"%s/new.txt\", \"x\"]", outside);
	r = fs_call("main", "writeTextFile", args);
	EXPECT(!OK(r) && strstr(r, "forbidden path: "), "write outside: %s", r);
	g_free(r);
	g_free(args);
	snprintf(path, sizeof(path), "%s/new.txt", outside);
	EXPECT(access(path, F_OK) != 0, "a file was written outside the scope");
	r = fs_call("main", "readTextFile", "[\"../../outside/x.txt\", {\"baseDir\": 14}]");
	EXPECT(!OK(r) && strstr(r, "forbidden path: "), "..: %s", r);
	g_free(r);
	r = fs_call("main", "readTextFile", "[\"docs/secret\", {\"baseDir\": 14}]");
	EXPECT(!OK(r) && strstr(r, "forbidden path: ") && strstr(r, "denied"), "deny entry: %s", r);
	g_free(r);
	r = fs_call("main", "readTextFile", "[\"docs/link\", {\"baseDir\": 14}]");
	EXPECT(!OK(r) && strstr(r, "os error 40") && !strstr(r, "outside!"), "symlink: %s", r);
	g_free(r);
	r = fs_call("other", "readTextFile", "[\"docs/a.txt\", {\"baseDir\": 14}]");
	EXPECT(!OK(r) && strstr(r, "forbidden path: ") && strstr(r, "fs:allow-read-text-file"), "other window: %s", r);
	g_free(r);
	/* Not granted at all: the policy refuses before the plugin runs. */
	r = fs_call("other", "writeTextFile", "[\"docs/b.txt\", \"x\", {\"baseDir\": 14}]");
	EXPECT(!OK(r) && strstr(r, "write_text_file"), "other window write: %s", r);
	g_free(r);

	/* File handles: create, write, seek, read, stat, truncate, close. */
	r = scenario("main", "fsHandle", "{\"path\": \"docs/h.bin\"}");
	EXPECT(strstr(r, "\"written\":13") && strstr(r, "\"seek\":6") && strstr(r, "\"nread\":7") &&
		       strstr(r, "\"text\":\"handles\"") && strstr(r, "\"eof\":null") &&
		       strstr(r, "\"size\":13") && strstr(r, "\"truncated\":5") &&
		       strstr(r, "\"afterClose\":\"resource id"),
	       "handles: %s", r);
	g_free(r);
	snprintf(path, sizeof(path), "%s/docs/h.bin", appdata);
	EXPECT(g_file_get_contents(path, &text, NULL, NULL) && strcmp(text, "hello") == 0, "h.bin: %s",
	       text ? text : "(none)");
	g_free(text);
	text = NULL;
	/* open refused outside and in the window with no scope; through a link: ELOOP */
	args = g_strdup_printf("[\"%s/x.txt\", {\"write\": true}]", outside);
	r = fs_call("main", "open", args);
	EXPECT(!OK(r) && strstr(r, "forbidden path: ") && strstr(r, "fs:allow-open"), "open outside: %s", r);
	g_free(r);
	g_free(args);
	r = fs_call("other", "open", "[\"docs/h.bin\", {\"baseDir\": 14}]");
	EXPECT(!OK(r) && strstr(r, "fs:allow-open"), "other open: %s", r);
	g_free(r);
	r = fs_call("main", "open", "[\"docs/link\", {\"baseDir\": 14, \"write\": true, \"truncate\": true}]");
	EXPECT(!OK(r) && strstr(r, "os error 40"), "open link: %s", r);
	g_free(r);
	snprintf(path, sizeof(path), "%s/x.txt", outside);
	EXPECT(g_file_get_contents(path, &text, NULL, NULL) && strcmp(text, "outside!") == 0, "x.txt: %s",
	       text ? text : "(none)");
	g_free(text);
	text = NULL;
	/* Lines, and size. */
	snprintf(path, sizeof(path), "%s/docs/l.txt", appdata);
	write_text(path, "one\r\ntwo\n\nthr\xc3\xa9" "e");
	r = scenario("main", "fsLines", "{\"path\": \"docs/l.txt\"}");
	EXPECT(strcmp(r, "{\"ok\":true,\"value\":[\"one\",\"two\",\"\",\"thr\xc3\xa9" "e\"]}") == 0, "lines: %s", r);
	g_free(r);
	/* watch (debounced) and watchImmediate: the event for a file made in the directory */
	r = scenario("main", "fsWatch", "{\"dir\": \"docs\", \"file\": \"w1.txt\", \"immediate\": true}");
	EXPECT(OK(r) && strstr(r, "\"create\":{\"kind\":\"file\"}") && strstr(r, "/docs/w1.txt"), "watchImmediate: %s", r);
	g_free(r);
	r = scenario("main", "fsWatch", "{\"dir\": \"docs\", \"file\": \"w2.txt\", \"immediate\": false}");
	EXPECT(OK(r) && strstr(r, "/docs/w2.txt"), "watch: %s", r);
	g_free(r);

	r = fs_call("main", "remove", "[\"docs/a.txt\", {\"baseDir\": 14}]");
	EXPECT(OK(r), "remove: %s", r);
	g_free(r);
	snprintf(path, sizeof(path), "%s/docs/a.txt", appdata);
	EXPECT(access(path, F_OK) != 0, "not removed");
	cg_app_quit(app);
}

START_TEST(fs_plugin)
{
	snprintf(xdg, sizeof(xdg), "/tmp/cg-itfs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(xdg));
	char d[300];
	snprintf(d, sizeof(d), "%s/data", xdg);
	g_setenv("XDG_DATA_HOME", d, TRUE);
	snprintf(appdata, sizeof(appdata), "%s/org.capgate.itfs", d);
	snprintf(outside, sizeof(outside), "%s/outside", xdg);
	char path[700];
	snprintf(path, sizeof(path), "%s/docs", appdata);
	ck_assert_int_eq(g_mkdir_with_parents(path, 0700), 0);
	ck_assert_int_eq(g_mkdir_with_parents(outside, 0700), 0);
	snprintf(path, sizeof(path), "%s/x.txt", outside);
	write_text(path, "outside!");
	snprintf(d, sizeof(d), "%s/docs/secret", appdata);
	write_text(d, "secret");
	snprintf(d, sizeof(d), "%s/docs/link", appdata);
	ck_assert_int_eq(symlink(path, d), 0);

	capabilities_dir = "tests/integration/capabilities-fs";
	extra_config = "\"identifier\": \"org.capgate.itfs\",";
	make_app("main,other");
	cg_diag *dg = cg_diag_new();
	ck_assert_int_eq(cg_builtin_plugins_enable(cg_app_router(app), cg_app_config(app), NULL, dg), 0);
	cg_diag_free(dg);
	run_app(sc_fs);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", xdg);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	int pre = rt_preflight();
	if (pre)
		return pre;
	Suite *s = suite_create("runtime-fs");
	TCase *tc = tcase_create("fs");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, fs_plugin);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
