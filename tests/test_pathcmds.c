/* core:path's commands through the router, as @tauri-apps/api's path
 * module sends them (plugin:path|CMD with its JS argument names), granted
 * by the built-in core manifests' core:default / core:path:default (the
 * plugin embeds no manifest): each command's answer, Tauri's error
 * strings, arguments of the wrong shape, and refusals for a window
 * without core:path, one with a single command, and a deny rule over
 * core:default. */
#include "testutil.h"
#include "path/plugin.h"
#include "builtin/builtin.h"

#include <poll.h>
#include <sys/stat.h>

#define MAXREC 256

static struct {
	int ok;
	char *json;
} replies[MAXREC];
static int n_replies;

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	(void)user, (void)wv, (void)req;
	ck_assert_int_lt(n_replies, MAXREC);
	replies[n_replies].ok = ok;
	replies[n_replies].json = strndup(json, len);
	n_replies++;
}

static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len)
{
	(void)user, (void)wv, (void)id, (void)json, (void)len;
}

static const cg_transport T = {.version = CG_TRANSPORT_VERSION,
			       .reply = t_reply,
			       .callback = t_callback};

static char home[256], oldcwd[4096];
static cg_router *r;
static cg_webview *wv_main, *wv_join, *wv_none, *wv_denied;

static void wait_n(int n)
{
	for (int i = 0; i < 1000 && n_replies < n; i++) {
		struct pollfd p = {cg_router_fd(r), POLLIN, 0};
		if (poll(&p, 1, 10) > 0)
			cg_router_process(r);
	}
	ck_assert_int_ge(n_replies, n);
}

/* Sends plugin:path|cmd with payload; returns the answer's index. */
static int call(cg_webview *wv, const char *cmd, const char *payload)
{
	char *msg = NULL;
	ck_assert_int_ge(asprintf(&msg, "{\"cmd\": \"plugin:path|%s\", \"callback\": 1, \"error\": 2, \"payload\": %s}",
				  cmd, payload), 0);
	int at = n_replies;
	cg_router_invoke(r, wv, msg, strlen(msg), NULL);
	free(msg);
	wait_n(at + 1);
	return at;
}

/* The call answers ok with exactly the JSON want (any answer for NULL). */
static void want_ok(cg_webview *wv, const char *cmd, const char *payload, const char *want)
{
	int i = call(wv, cmd, payload);
	ck_assert_msg(replies[i].ok, "%s %s: refused: %s", cmd, payload, replies[i].json);
	json_object *got = json_tokener_parse(replies[i].json);
	ck_assert_msg(got != NULL, "%s", replies[i].json);
	const char *s = json_object_to_json_string_ext(got, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	ck_assert_msg(!want || strcmp(s, want) == 0, "%s %s: got %s, want %s", cmd, payload, s, want);
	json_object_put(got);
}

/* The call is refused with an error containing needle. */
static void want_err(cg_webview *wv, const char *cmd, const char *payload, const char *needle)
{
	int i = call(wv, cmd, payload);
	ck_assert_msg(!replies[i].ok, "%s %s: answered %s", cmd, payload, replies[i].json);
	ck_assert_msg(strstr(replies[i].json, needle), "%s %s: %s lacks %s", cmd, payload,
		      replies[i].json, needle);
}

static const char *CAPS =
	"[{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": [\"core:default\"]},"
	" {\"identifier\": \"join\", \"windows\": [\"joiner\"], \"permissions\": [\"core:path:allow-join\"]},"
	" {\"identifier\": \"denied\", \"windows\": [\"denied\"], \"permissions\": [\"core:path:default\","
	"   \"core:path:deny-resolve-directory\"]},"
	" {\"identifier\": \"none\", \"windows\": [\"none\"], \"permissions\": [\"core:event:default\"]}]";

static void setup(void)
{
	snprintf(home, sizeof(home), "/tmp/cg-pathcmds-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(home));
	char v[600];
	setenv("HOME", home, 1);
	snprintf(v, sizeof(v), "%s/data", home);
	setenv("XDG_DATA_HOME", v, 1);
	unsetenv("XDG_RUNTIME_DIR");
	ck_assert_ptr_nonnull(getcwd(oldcwd, sizeof(oldcwd)));
	ck_assert_int_eq(chdir(home), 0);
	n_replies = 0;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	/* All built-in plugins, as `capgate run` enables them. */
	ck_assert_int_eq(cg_builtin_plugins_enable(r, NULL, "/opt/app/res", NULL), 0);
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	ck_assert_int_eq(cg_router_declare_commands(r, b), 0);
	cg_builder_add_capability_json(b, "caps.json", CAPS, strlen(CAPS), d);
	cg_policy *p = NULL;
	if (cg_builder_build(b, &p, d) < 0)
		dump_diag(d);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(cg_router_set_policy(r, p), 0);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv_main), 0);
	ck_assert_int_eq(cg_router_add_webview(r, "joiner", NULL, NULL, &wv_join), 0);
	ck_assert_int_eq(cg_router_add_webview(r, "none", NULL, NULL, &wv_none), 0);
	ck_assert_int_eq(cg_router_add_webview(r, "denied", NULL, NULL, &wv_denied), 0);
}

static void teardown(void)
{
	cg_router_free(r);
	for (int i = 0; i < n_replies; i++) {
		free(replies[i].json);
		replies[i].json = NULL;
	}
	ck_assert_int_eq(chdir(oldcwd), 0);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", home);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(resolve_directory)
{
	char want[900];
	/* No identifier (an app config without one): App* directories are
	 * unknown, as Tauri's resolver has no bundle identifier to use. */
	want_err(wv_main, "resolve_directory", "{\"directory\": 14}", "unknown path");
	snprintf(want, sizeof(want), "\"%s\"", home);
	want_ok(wv_main, "resolve_directory", "{\"directory\": 21}", want); /* Home */
	snprintf(want, sizeof(want), "\"%s/data\"", home);
	want_ok(wv_main, "resolve_directory", "{\"directory\": 4, \"path\": null}", want); /* Data */
	snprintf(want, sizeof(want), "\"%s/data/notes/a.txt\"", home);
	want_ok(wv_main, "resolve_directory", "{\"directory\": 4, \"path\": \"notes/a.txt\"}", want);
	/* PathBuf::push: an absolute path replaces the directory. */
	want_ok(wv_main, "resolve_directory", "{\"directory\": 4, \"path\": \"/etc/x\"}", "\"/etc/x\"");
	/* resolveResource: laid out as the bundler does ("..": "_up_"). */
	want_ok(wv_main, "resolve_directory", "{\"directory\": 11, \"path\": \"../a/./b\"}",
		"\"/opt/app/res/_up_/a/b\"");
	want_ok(wv_main, "resolve_directory", "{\"directory\": 11}", "\"/opt/app/res\"");
	/* Runtime: no XDG_RUNTIME_DIR here. */
	want_err(wv_main, "resolve_directory", "{\"directory\": 22}", "unknown path");
	want_err(wv_main, "resolve_directory", "{\"directory\": 24}",
		 "invalid args `directory` for command `resolve_directory`: invalid value: 24");
	want_err(wv_main, "resolve_directory", "{\"directory\": 0}", "invalid value: 0");
	want_err(wv_main, "resolve_directory", "{\"directory\": \"AppData\"}",
		 "invalid args `directory` for command `resolve_directory`: invalid type");
	want_err(wv_main, "resolve_directory", "{}",
		 "invalid args `directory` for command `resolve_directory`: command resolve_directory missing required key directory");
	want_err(wv_main, "resolve_directory", "{\"directory\": 4, \"path\": 7}",
		 "invalid args `path` for command `resolve_directory`");
	/* A directory that is not UTF-8 cannot be a JS string: refused as
	 * Tauri refuses to serialize such a PathBuf. */
	cg_router_free(r);
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	char bad[600];
	snprintf(bad, sizeof(bad), "%s/d\xff", home);
	setenv("XDG_DATA_HOME", bad, 1);
	ck_assert_int_eq(cg_builtin_plugins_enable(r, NULL, NULL, NULL), 0);
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	ck_assert_int_eq(cg_router_declare_commands(r, b), 0);
	cg_builder_add_capability_json(b, "caps.json", CAPS, strlen(CAPS), d);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert_int_eq(cg_router_set_policy(r, p), 0);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv_main), 0);
	want_err(wv_main, "resolve_directory", "{\"directory\": 4}", "path contains invalid UTF-8 characters");
	want_ok(wv_main, "resolve_directory", "{\"directory\": 21}", NULL);
}
END_TEST

/* With the app's identifier, as capgate run passes it. */
START_TEST(resolve_directory_app)
{
	cg_router_free(r);
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	cg_plugin_env env = {.identifier = "com.example.path"};
	ck_assert_int_eq(cg_router_enable_plugin(r, &cg_path_plugin, &env, NULL), 0);
	/* Enabled twice: refused, nothing changed. */
	ck_assert_int_eq(cg_router_enable_plugin(r, &cg_path_plugin, &env, NULL), CG_EDUPLICATE);
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	ck_assert_int_eq(cg_router_declare_commands(r, b), 0);
	cg_builder_add_capability_json(b, "caps.json", CAPS, strlen(CAPS), d);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert_int_eq(cg_router_set_policy(r, p), 0);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv_main), 0);
	char want[900];
	snprintf(want, sizeof(want), "\"%s/data/com.example.path\"", home);
	want_ok(wv_main, "resolve_directory", "{\"directory\": 14}", want); /* AppData */
	/* AppLog: LocalData (XDG_DATA_HOME as well), the identifier, logs. */
	snprintf(want, sizeof(want), "\"%s/data/com.example.path/logs\"", home);
	want_ok(wv_main, "resolve_directory", "{\"directory\": 17}", want);
	/* No resource directory given: unknown. */
	want_err(wv_main, "resolve_directory", "{\"directory\": 11}", "unknown path");
}
END_TEST

START_TEST(pure_functions)
{
	char want[900];
	/* resolve: from the current directory, an absolute path replaces. */
	snprintf(want, sizeof(want), "\"%s/a/c\"", home);
	want_ok(wv_main, "resolve", "{\"paths\": [\"a\", \"b\", \"../c\"]}", want);
	snprintf(want, sizeof(want), "\"%s\"", home);
	want_ok(wv_main, "resolve", "{\"paths\": []}", want);
	want_ok(wv_main, "resolve", "{\"paths\": [\"/foo/bar\", \"/tmp/file\", \"baz\"]}", "\"/tmp/file/baz\"");
	want_err(wv_main, "resolve", "{\"paths\": \"a\"}", "invalid args `paths` for command `resolve`");
	want_err(wv_main, "resolve", "{\"paths\": [\"a\", 1]}", "invalid args `paths` for command `resolve`");
	want_err(wv_main, "resolve", "{}", "missing required key paths");

	want_ok(wv_main, "normalize", "{\"path\": \"/a/./b/../c/\"}", "\"/a/c/\"");
	want_ok(wv_main, "normalize", "{\"path\": \"..\"}", "\"..\"");
	want_ok(wv_main, "normalize", "{\"path\": \"\"}", "\"\"");
	want_err(wv_main, "normalize", "{\"path\": 5}", "invalid args `path` for command `normalize`");
	want_err(wv_main, "normalize", "{\"path\": \"a\\u0000b\"}", "NUL");

	want_ok(wv_main, "join", "{\"paths\": [\"a\", \"/b\", \"c\"]}", "\"a/b/c\"");
	want_ok(wv_main, "join", "{\"paths\": [\"\", \"a\"]}", "\"a\"");
	want_ok(wv_main, "join", "{\"paths\": [\"a\", \"..\"]}", "\".\"");
	want_ok(wv_main, "join", "{\"paths\": []}", "\".\"");

	want_ok(wv_main, "dirname", "{\"path\": \"/a/b/c.txt\"}", "\"/a/b\"");
	want_ok(wv_main, "dirname", "{\"path\": \"a\"}", "\"\"");
	want_err(wv_main, "dirname", "{\"path\": \"/\"}", "path does not have a parent");

	want_ok(wv_main, "extname", "{\"path\": \"/a/b.tar.gz\"}", "\"gz\"");
	want_err(wv_main, "extname", "{\"path\": \"/home/u/.bashrc\"}", "path does not have an extension");
	want_err(wv_main, "extname", "{\"path\": \"a/..\"}", "path does not have an extension");

	want_ok(wv_main, "basename", "{\"path\": \"/p/some.json.json\", \"ext\": \".json\"}", "\"some.json\"");
	want_ok(wv_main, "basename", "{\"path\": \"/p/some.json\", \"ext\": \"json\"}", "\"some.\"");
	want_ok(wv_main, "basename", "{\"path\": \"/p/some.json/\"}", "\"some.json\"");
	want_ok(wv_main, "basename", "{\"path\": \"/p/x\", \"ext\": null}", "\"x\"");
	want_err(wv_main, "basename", "{\"path\": \"..\"}", "path does not have a basename");
	want_err(wv_main, "basename", "{\"path\": \"/p/x\", \"ext\": 1}", "invalid args `ext` for command `basename`");

	want_ok(wv_main, "is_absolute", "{\"path\": \"/x\"}", "true");
	want_ok(wv_main, "is_absolute", "{\"path\": \"x/y\"}", "false");
	want_err(wv_main, "is_absolute", "{}", "missing required key path");
}
END_TEST

START_TEST(refusals)
{
	/* No core:path at all: every command refused, the fix named. */
	static const char *const cmds[] = {"resolve_directory", "resolve", "normalize", "join",
					   "dirname", "extname", "basename", "is_absolute"};
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		int i = call(wv_none, cmds[k], "{\"path\": \"/a\", \"paths\": [], \"directory\": 21}");
		ck_assert_msg(!replies[i].ok, "%s answered %s", cmds[k], replies[i].json);
		ck_assert_msg(strstr(replies[i].json, "core:path:allow-"), "%s: %s", cmds[k], replies[i].json);
	}
	/* One command granted: that one answers, the others are refused. */
	want_ok(wv_join, "join", "{\"paths\": [\"a\", \"b\"]}", "\"a/b\"");
	want_err(wv_join, "normalize", "{\"path\": \"a\"}", "core:path:allow-normalize");
	/* A deny rule wins over core:path:default. */
	want_err(wv_denied, "resolve_directory", "{\"directory\": 21}", "core:path:deny-resolve-directory");
	want_ok(wv_denied, "is_absolute", "{\"path\": \"/x\"}", "true");
	/* @tauri-apps/api 2.0.0's isAbsolute() sends "isAbsolute", a command
	 * Tauri never had (fixed in the api's 2.2.0): refused here too. */
	int i = call(wv_main, "isAbsolute", "{\"path\": \"/x\"}");
	ck_assert(!replies[i].ok);
}
END_TEST

static int host_cmd(cg_call *c, void *user)
{
	(void)user;
	cg_call_resolve(c, json_object_new_string("host"));
	return 0;
}

/* A host that registered one of core:path's commands itself: enabling
 * the plugin is refused before anything is registered (the clash is
 * found under the command's IPC name, plugin:path|join, not the
 * prefix's). */
START_TEST(clash_with_host_command)
{
	cg_router_free(r);
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	ck_assert_int_eq(cg_router_register(r, "core:path", "join", host_cmd, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_enable_plugin(r, &cg_path_plugin, NULL, NULL), CG_EDUPLICATE);
	/* Nothing half-enabled: the plugin's other commands are free. */
	ck_assert_int_eq(cg_router_register(r, "core:path", "resolve_directory", host_cmd, NULL,
					    CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, "core:path", "normalize", host_cmd, NULL, CG_CMD_SYNC), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pathcmds");
	TCase *tc = tcase_create("commands");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, resolve_directory);
	tcase_add_test(tc, resolve_directory_app);
	tcase_add_test(tc, pure_functions);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, clash_with_host_command);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
