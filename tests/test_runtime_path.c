/*
 * core:path in real WebKitGTK windows, driven by the unmodified
 * @tauri-apps/api/path module, newest and oldest (2.0.0): the built-in
 * plugins enabled as `capgate run` enables them, permissions from the
 * built-in core manifests (core:default for "main"; "other" has
 * core:path:allow-join only). sep() and delimiter() from the bridge's
 * __TAURI_INTERNALS__.plugins.path; the base directories by the api's own
 * BaseDirectory numbers, AppData from the app's identifier, resolveResource
 * laid out as Tauri's bundler; the pure functions with Tauri's answers and
 * error strings; a window without the command refused with the
 * permission named. 2.0.0's isAbsolute() sends "isAbsolute", which Tauri
 * never had: refused there (docs/plugins.md).
 */
#include "rt_harness.h"
#include "builtin/builtin.h"

static char xdg[256], appdata[512];
static int oldest;

static char *path_call(const char *label, const char *op, const char *args)
{
	char *arg = g_strdup_printf("{\"op\": \"%s\", \"args\": %s}", op, args);
	char *r = scenario(label, "path", arg);
	g_free(arg);
	return r;
}

#define OK(r) (strncmp((r), "{\"ok\":true", 10) == 0)

/* The call answers {"ok": true, "value": want} (want as JSON). */
static void want_value(const char *label, const char *op, const char *args, const char *want)
{
	char *r = path_call(label, op, args);
	char *exp = g_strdup_printf("{\"ok\":true,\"value\":%s}", want);
	EXPECT(strcmp(r, exp) == 0, "%s %s(%s): %s, want %s", oldest ? "2.0.0" : "newest", op, args, r,
	       exp);
	g_free(exp);
	g_free(r);
}

static void want_error(const char *label, const char *op, const char *args, const char *needle)
{
	char *r = path_call(label, op, args);
	EXPECT(!OK(r) && strstr(r, needle), "%s %s(%s): %s, want an error with %s",
	       oldest ? "2.0.0" : "newest", op, args, r, needle);
	g_free(r);
}

static void sc_path(cg_app *a, void *u)
{
	(void)a, (void)u;
	if (!page_ready("main") || !page_ready("other")) {
		EXPECT(0, "pages not ready");
		cg_app_quit(app);
		return;
	}
	want_value("main", "sep", "[]", "\"/\"");
	want_value("main", "delimiter", "[]", "\":\"");
	/* The api's own numbers, which the core must read the same way. */
	want_value("main", "BaseDirectory", "[\"Home\"]", "21");
	want_value("main", "BaseDirectory", "[\"AppData\"]", "14");

	char want[900];
	snprintf(want, sizeof(want), "\"%s\"", appdata);
	want_value("main", "appDataDir", "[]", want);
	snprintf(want, sizeof(want), "\"%s/logs\"", appdata);
	want_value("main", "appLogDir", "[]", want);
	snprintf(want, sizeof(want), "\"%s\"", g_getenv("HOME"));
	want_value("main", "homeDir", "[]", want);
	want_value("main", "resourceDir", "[]", "\"/opt/itpath-res\"");
	want_value("main", "resolveResource", "[\"../icons/./a.png\"]", "\"/opt/itpath-res/_up_/icons/a.png\"");

	want_value("main", "join", "[\"a\", \"\", \"/b\", \"c/\"]", "\"a/b/c\"");
	want_value("main", "join", "[\"\", \"a\"]", "\"a\"");
	want_value("main", "normalize", "[\"/a/./b/../c/\"]", "\"/a/c/\"");
	want_value("main", "resolve", "[\"/x\", \"y\", \"..\", \"z\"]", "\"/x/z\"");
	want_value("main", "dirname", "[\"/a/b/c.txt\"]", "\"/a/b\"");
	want_error("main", "dirname", "[\"/\"]", "path does not have a parent");
	want_value("main", "extname", "[\"/a/f.tar.gz\"]", "\"gz\"");
	want_error("main", "extname", "[\"/a/.bashrc\"]", "path does not have an extension");
	want_value("main", "basename", "[\"/p/f.json\", \".json\"]", "\"f\"");
	want_value("main", "basename", "[\"/p/f.json\"]", "\"f.json\"");
	if (oldest) {
		want_error("main", "isAbsolute", "[\"/x\"]", "isAbsolute");
	} else {
		want_value("main", "isAbsolute", "[\"/x\"]", "true");
		want_value("main", "isAbsolute", "[\"x\"]", "false");
	}

	/* "other": join granted, nothing else of core:path. */
	want_value("other", "join", "[\"a\", \"b\"]", "\"a/b\"");
	want_value("other", "sep", "[]", "\"/\"");
	want_error("other", "appDataDir", "[]", "core:path:allow-resolve-directory");
	want_error("other", "normalize", "[\"a\"]", "core:path:allow-normalize");
	cg_app_quit(app);
}

static void run_path(int use_oldest)
{
	oldest = use_oldest;
	if (use_oldest) {
		char path[512];
		snprintf(path, sizeof(path), "%s/tests/integration/frontend/dist-oldest/bundle.js", BUILDDIR);
		gchar *js = NULL;
		ck_assert(g_file_get_contents(path, &js, NULL, NULL));
		ck_assert_msg(strstr(js, "node_modules/tauri-api-oldest/path.js") != NULL,
			      "%s does not bundle @tauri-apps/api 2.0.0's path module", path);
		g_free(js);
		frontend_dist = "dist-oldest";
	}
	snprintf(xdg, sizeof(xdg), "/tmp/cg-itpath-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(xdg));
	char d[300];
	snprintf(d, sizeof(d), "%s/data", xdg);
	g_setenv("XDG_DATA_HOME", d, TRUE);
	snprintf(appdata, sizeof(appdata), "%s/org.capgate.itpath", d);

	capabilities_dir = "tests/integration/capabilities-path";
	extra_config = "\"identifier\": \"org.capgate.itpath\",";
	make_app("main,other");
	cg_diag *dg = cg_diag_new();
	ck_assert_int_eq(cg_builtin_plugins_enable(cg_app_router(app), cg_app_config(app),
						   "/opt/itpath-res", dg), 0);
	cg_diag_free(dg);
	run_app(sc_path);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", xdg);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(path_newest_api)
{
	run_path(0);
}
END_TEST

START_TEST(path_oldest_api)
{
	run_path(1);
}
END_TEST

int main(void)
{
	int pre = rt_preflight();
	if (pre)
		return pre;
	Suite *s = suite_create("runtime-path");
	TCase *tc = tcase_create("path");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, path_newest_api);
	tcase_add_test(tc, path_oldest_api);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
