/* The os plugin through the router, as @tauri-apps/plugin-os calls it: the
 * official manifest as the fallback (os:default grants all but hostname),
 * the commands' answers on Linux, the locale from the environment in
 * sys-locale's order, and the init script the page reads synchronously. */
#include "testutil.h"
#include "os/plugin.h"

#include <poll.h>

#define MAXREC 64

static struct {
	int ok;
	char *json;
} replies[MAXREC];
static int n_replies;

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	ck_assert_int_lt(n_replies, MAXREC);
	replies[n_replies].ok = ok;
	replies[n_replies].json = strndup(json, len);
	n_replies++;
}

static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len) {}

static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};

static cg_router *r;
static cg_webview *wv_main, *wv_other;

static const char *CAPS =
	"[{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": [\"os:default\", \"os:allow-hostname\"]},"
	" {\"identifier\": \"other\", \"windows\": [\"other\"], \"permissions\": [\"os:default\"]}]";

static void setup(void)
{
	n_replies = 0;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	ck_assert_int_eq(cg_router_enable_plugin(r, &cg_os_plugin, NULL, NULL), 0);
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
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &wv_other), 0);
}

static void teardown(void)
{
	cg_router_free(r);
	for (int i = 0; i < n_replies; i++) {
		free(replies[i].json);
		replies[i].json = NULL;
	}
}

static int call(cg_webview *wv, const char *cmd)
{
	char *msg = NULL;
	ck_assert_int_ge(asprintf(&msg, "{\"cmd\": \"plugin:os|%s\", \"callback\": 1, \"error\": 2, \"payload\": {}}", cmd), 0);
	int at = n_replies;
	cg_router_invoke(r, wv, msg, strlen(msg), NULL);
	free(msg);
	for (int i = 0; i < 1000 && n_replies <= at; i++) {
		struct pollfd p = {cg_router_fd(r), POLLIN, 0};
		if (poll(&p, 1, 10) > 0)
			cg_router_process(r);
	}
	ck_assert_int_gt(n_replies, at);
	return at;
}

START_TEST(facts_on_linux)
{
	static const struct {
		const char *cmd, *want;
	} facts[] = {
		{"platform", "\"linux\""}, {"os_type", "\"linux\""}, {"family", "\"unix\""}, {"exe_extension", "\"\""},
	};
	for (size_t k = 0; k < sizeof(facts) / sizeof(facts[0]); k++) {
		int i = call(wv_main, facts[k].cmd);
		ck_assert_int_eq(replies[i].ok, 1);
		ck_assert_str_eq(replies[i].json, facts[k].want);
	}
	int i = call(wv_main, "arch");
	ck_assert_int_eq(replies[i].ok, 1);
	ck_assert(strcmp(replies[i].json, "\"unknown\"") != 0);
	/* the version is the one the init script carries */
	i = call(wv_main, "version");
	ck_assert_int_eq(replies[i].ok, 1);
	const char *script = NULL;
	for (size_t k = 0; (script = cg_router_init_script(r, k)); k++)
		if (strstr(script, "__TAURI_OS_PLUGIN_INTERNALS__"))
			break;
	ck_assert_ptr_nonnull(script);
	char *want = NULL;
	ck_assert_int_ge(asprintf(&want, "\"version\":%s", replies[i].json), 0);
	ck_assert_msg(strstr(script, want) != NULL, "%s not in %s", want, script);
	free(want);
	ck_assert_ptr_nonnull(strstr(script, "\"platform\":\"linux\""));
	ck_assert_ptr_nonnull(strstr(script, "\"eol\":\"\\n\""));
	ck_assert_ptr_nonnull(strstr(script, "Object.freeze("));
}
END_TEST

START_TEST(hostname_needs_its_permission)
{
	char name[256] = "";
	gethostname(name, sizeof(name));
	int i = call(wv_main, "hostname");
	ck_assert_int_eq(replies[i].ok, 1);
	char want[300];
	snprintf(want, sizeof(want), "\"%s\"", name);
	ck_assert_str_eq(replies[i].json, want);
	/* os:default leaves the host name out */
	i = call(wv_other, "hostname");
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_msg(strstr(replies[i].json, "os:allow-hostname") != NULL, "%s", replies[i].json);
	i = call(wv_other, "platform");
	ck_assert_int_eq(replies[i].ok, 1);
}
END_TEST

START_TEST(locale_from_the_environment)
{
	setenv("LC_ALL", "", 1);
	setenv("LC_CTYPE", "pt_BR.UTF-8@euro", 1);
	setenv("LANG", "de_DE.UTF-8", 1);
	int i = call(wv_main, "locale");
	ck_assert_str_eq(replies[i].json, "\"pt-BR\"");
	setenv("LC_ALL", "sr_RS@latin", 1);
	i = call(wv_main, "locale");
	ck_assert_str_eq(replies[i].json, "\"sr-RS\"");
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	unsetenv("LANG");
	i = call(wv_main, "locale");
	ck_assert_int_eq(replies[i].ok, 1);
	ck_assert_str_eq(replies[i].json, "null");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("oscmds");
	TCase *tc = tcase_create("os");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, facts_on_linux);
	tcase_add_test(tc, hostname_needs_its_permission);
	tcase_add_test(tc, locale_from_the_environment);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
