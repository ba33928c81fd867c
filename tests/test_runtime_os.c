/*
 * The os plugin in real WebKitGTK windows, driven by the unmodified
 * @tauri-apps/plugin-os (2.0.0 and the newest send the same: synchronous
 * facts from window.__TAURI_OS_PLUGIN_INTERNALS__, locale and hostname as
 * commands). The built-in plugins enabled as `capgate run` enables them;
 * "main" has os:default and os:allow-hostname, "other" os:default only,
 * which leaves the host name out. The facts are checked against what the
 * core itself reads (uname, os-release, the locale variables), and a page
 * script cannot change them.
 */
#include "rt_harness.h"
#include "builtin/builtin.h"
#include "os/plugin.h"

#include <sys/utsname.h>

static char *field(json_object *o, const char *k)
{
	json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, k, &v))
		return g_strdup("(absent)");
	return g_strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

static void want(json_object *o, const char *label, const char *k, const char *json)
{
	char *got = field(o, k);
	EXPECT(strcmp(got, json) == 0, "%s: %s is %s, want %s", label, k, got, json);
	g_free(got);
}

static char *os_release_version(void)
{
	gchar *text = NULL;
	char *out = g_strdup("\"unknown\"");
	if (g_file_get_contents("/etc/os-release", &text, NULL, NULL) ||
	    g_file_get_contents("/usr/lib/os-release", &text, NULL, NULL)) {
		gchar **lines = g_strsplit(text, "\n", -1);
		for (gchar **l = lines; *l; l++)
			if (g_str_has_prefix(*l, "VERSION_ID=")) {
				char *v = g_strdup(*l + 11);
				size_t n = strlen(v);
				if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
					v[n - 1] = '\0';
					memmove(v, v + 1, n - 1);
				}
				g_free(out);
				json_object *j = json_object_new_string(v);
				out = g_strdup(json_object_to_json_string(j));
				json_object_put(j);
				g_free(v);
				break;
			}
		g_strfreev(lines);
	}
	g_free(text);
	return out;
}

static void sc_os(cg_app *a, void *u)
{
	(void)a, (void)u;
	if (!page_ready("main") || !page_ready("other")) {
		EXPECT(0, "pages not ready");
		cg_app_quit(app);
		return;
	}
	char *r = scenario("main", "os", NULL);
	json_object *o = json_tokener_parse(r);
	EXPECT(o != NULL, "main: %s", r);
	want(o, "main", "platform", "\"linux\"");
	want(o, "main", "type", "\"linux\"");
	want(o, "main", "family", "\"unix\"");
	want(o, "main", "eol", "\"\\n\"");
	want(o, "main", "exeExtension", "\"\"");
	want(o, "main", "platformAfter", "\"linux\"");
	struct utsname un;
	uname(&un);
	if (strcmp(un.machine, "x86_64") == 0 || strcmp(un.machine, "aarch64") == 0) {
		char m[80];
		snprintf(m, sizeof(m), "\"%s\"", un.machine);
		want(o, "main", "arch", m);
	}
	char *ver = os_release_version();
	want(o, "main", "version", ver);
	g_free(ver);
	char *loc = cg_os_locale();
	char lj[200];
	snprintf(lj, sizeof(lj), loc ? "\"%s\"" : "null", loc);
	want(o, "main", "locale", lj);
	free(loc);
	char host[256] = "", hj[300];
	gethostname(host, sizeof(host));
	snprintf(hj, sizeof(hj), "\"%s\"", host);
	want(o, "main", "hostname", hj);
	json_object_put(o);
	g_free(r);
	/* os:default leaves the host name out; the facts are still there */
	r = scenario("other", "os", NULL);
	o = json_tokener_parse(r);
	want(o, "other", "platform", "\"linux\"");
	char *h = field(o, "hostname");
	EXPECT(strstr(h, "error") && strstr(h, "os:allow-hostname"), "other: hostname %s", h);
	g_free(h);
	json_object_put(o);
	g_free(r);
	cg_app_quit(app);
}

START_TEST(os_through_the_npm_package)
{
	capabilities_dir = "tests/integration/capabilities-os";
	make_app("main,other");
	cg_diag *dg = cg_diag_new();
	ck_assert_int_eq(cg_builtin_plugins_enable(cg_app_router(app), cg_app_config(app), NULL, dg), 0);
	cg_diag_free(dg);
	run_app(sc_os);
}
END_TEST

int main(void)
{
	int pre = rt_preflight();
	if (pre)
		return pre;
	Suite *s = suite_create("runtime-os");
	TCase *tc = tcase_create("os");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, os_through_the_npm_package);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
