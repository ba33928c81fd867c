/* The plugin framework on the router: enabling a described plugin (state
 * from its config, commands, init script, no half-enabled plugin), its
 * manifest used only when the app ships none, and its scope compiled once
 * per (policy, command, caller): counted, shared by concurrent workers,
 * kept apart between callers, and compiled again after a policy swap. */
#include "testutil.h"

#include <glib.h>
#include <poll.h>
#include <pthread.h>

/* ------------------------------------------------------------ transport */

#define MAXREC 4096

static struct {
	void *req;
	int ok;
	char *json;
} replies[MAXREC];
static int n_replies;

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	ck_assert_int_lt(n_replies, MAXREC);
	replies[n_replies].req = req;
	replies[n_replies].ok = ok;
	replies[n_replies].json = strndup(json, len);
	n_replies++;
}

static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len) {}

static void reset(void)
{
	for (int i = 0; i < n_replies; i++)
		free(replies[i].json);
	n_replies = 0;
}

static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};

static int want;
static int enough(void) { return n_replies >= want; }

static int wait_replies(cg_router *r, int n)
{
	want = n;
	for (int i = 0; i < 1000 && !enough(); i++) {
		struct pollfd p = {cg_router_fd(r), POLLIN, 0};
		if (poll(&p, 1, 10) > 0)
			cg_router_process(r);
	}
	return enough();
}

/* ---------------------------------------------------- the demo plugin */

struct demo_state {
	char *prefix;
};

static int compiled, freed, inits, states_freed;

static int demo_init(const cg_plugin_env *env, json_object *config, void **state, char **why)
{
	json_object *p = NULL;
	if (config && json_object_object_get_ex(config, "prefix", &p) &&
	    !json_object_is_type(p, json_type_string)) {
		*why = strdup("plugins.demo.prefix: a string is expected");
		return CG_ESCHEMA;
	}
	struct demo_state *s = calloc(1, sizeof(*s));
	s->prefix = strdup(p ? json_object_get_string(p) : (env->identifier ? env->identifier : "-"));
	*state = s;
	inits++;
	return 0;
}

static void demo_free_state(void *state)
{
	struct demo_state *s = state;
	free(s->prefix);
	free(s);
	states_freed++;
}

/* The "matcher": the allowed paths joined, after a pause that makes
 * workers that ask at once overlap. */
static int demo_compile(void *state, json_object *const *scopes, size_t n, void **out, cg_diag *d)
{
	struct demo_state *s = state;
	GString *g = g_string_new(s->prefix);
	for (size_t i = 0; i < n; i++) {
		json_object *allow = NULL;
		if (!scopes[i] || !json_object_object_get_ex(scopes[i], "allow", &allow))
			continue;
		for (size_t k = 0; k < json_object_array_length(allow); k++) {
			json_object *e = json_object_array_get_idx(allow, k), *path = NULL;
			if (!json_object_object_get_ex(e, "path", &path)) {
				cg_diag_add_message(d, CG_SEV_ERROR, CG_ESCHEMA, NULL, 0, 0, NULL, NULL,
						    "scope entry without path");
				g_string_free(g, TRUE);
				return CG_ESCHEMA;
			}
			g_string_append_printf(g, ":%s", json_object_get_string(path));
		}
	}
	usleep(20000);
	__atomic_add_fetch(&compiled, 1, __ATOMIC_RELAXED);
	*out = g_string_free(g, FALSE);
	return 0;
}

static void demo_free_scope(void *scope)
{
	g_free(scope);
	__atomic_add_fetch(&freed, 1, __ATOMIC_RELAXED);
}

/* When set, h_look waits for a byte here before it asks for its scope. */
static int look_gate = -1;

static int h_look(cg_call *c, void *user)
{
	if (look_gate >= 0) {
		char b;
		ck_assert_int_eq(read(look_gate, &b, 1), 1);
	}
	const void *scope = NULL;
	int rc = cg_call_plugin_scope(c, &scope);
	if (rc < 0)
		return rc;
	/* Asked twice within a call: the same matcher, no second compile. */
	const void *again = NULL;
	ck_assert_int_eq(cg_call_plugin_scope(c, &again), 0);
	ck_assert_ptr_eq(again, scope);
	return cg_call_resolve(c, json_object_new_string(scope));
}

static int h_plain(cg_call *c, void *user)
{
	return cg_call_resolve(c, json_object_new_string(((struct demo_state *)user)->prefix));
}

/* A host's own command: no plugin, no plugin scope. */
static int h_greet(cg_call *c, void *user)
{
	const void *scope = (void *)1;
	ck_assert_int_eq(cg_call_plugin_scope(c, &scope), CG_EINVAL);
	ck_assert_ptr_null(scope);
	return cg_call_resolve(c, json_object_new_string("hi"));
}

static const char DEMO_MANIFEST[] =
	"{\"default\": {\"permissions\": [\"allow-look\", \"allow-plain\"]},"
	" \"permission\": ["
	"  {\"identifier\": \"allow-look\", \"commands\": {\"allow\": [\"look\"]}},"
	"  {\"identifier\": \"allow-plain\", \"commands\": {\"allow\": [\"plain\"]}},"
	"  {\"identifier\": \"scope-home\", \"scope\": {\"allow\": [{\"path\": \"$HOME\"}]}}]}";

static const cg_plugin_command DEMO_CMDS[] = {
	{"look", h_look, CG_CMD_ASYNC},
	{"plain", h_plain, CG_CMD_SYNC},
};

static const cg_plugin_def DEMO = {
	.version = CG_PLUGIN_VERSION,
	.name = "demo",
	.manifest_json = DEMO_MANIFEST,
	.commands = DEMO_CMDS,
	.n_commands = 2,
	.init_script = "window.__DEMO__ = 1;",
	.init = demo_init,
	.free_state = demo_free_state,
	.compile_scope = demo_compile,
	.free_scope = demo_free_scope,
};

static const char *CAPS =
	"[{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\"demo:default\", \"allow-greet\","
	"   {\"identifier\": \"demo:allow-look\", \"allow\": [{\"path\": \"/a\"}]}, \"demo:scope-home\"]},"
	" {\"identifier\": \"b\", \"windows\": [\"other\"], \"permissions\": ["
	"   {\"identifier\": \"demo:allow-look\", \"allow\": [{\"path\": \"/b\"}]}]}]";

static const char *CAPS2 =
	"[{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": ["
	"   {\"identifier\": \"demo:allow-look\", \"allow\": [{\"path\": \"/new\"}]}]}]";

/* A policy from caps and what r declares (the plugin's manifest as a
 * fallback), plus an app manifest for "demo" when given; NULL on failure. */
static cg_policy *policy_for(cg_router *r, const char *caps, const char *app_manifest, cg_diag *d)
{
	cg_builder *b = cg_builder_new();
	if (app_manifest)
		ck_assert_int_eq(cg_builder_add_manifest_json(b, "demo", "app-demo.json", app_manifest,
							      strlen(app_manifest), d), 0);
	ck_assert_int_eq(cg_router_declare_commands(r, b), 0);
	cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), d);
	cg_policy *p = NULL;
	cg_builder_build(b, &p, d);
	cg_builder_free(b);
	return p;
}

static cg_router *make_router(const char *caps)
{
	reset();
	compiled = freed = inits = states_freed = 0;
	cg_router *r = NULL;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	json_object *config = json_tokener_parse("{\"prefix\": \"P\"}");
	ck_assert_int_eq(cg_router_enable_plugin(r, &DEMO, NULL, config), 0);
	json_object_put(config);
	ck_assert_int_eq(cg_router_register(r, NULL, "greet", h_greet, NULL, CG_CMD_SYNC), 0);
	if (caps) {
		cg_diag *d = cg_diag_new();
		cg_policy *p = policy_for(r, caps, NULL, d);
		if (!p)
			dump_diag(d);
		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(cg_router_set_policy(r, p), 0);
		cg_policy_unref(p);
		cg_diag_free(d);
	}
	return r;
}

static void call(cg_router *r, cg_webview *wv, const char *cmd, intptr_t req)
{
	char msg[256];
	snprintf(msg, sizeof(msg), "{\"cmd\": \"%s\", \"callback\": 1, \"error\": 2, \"payload\": {}}", cmd);
	cg_router_invoke(r, wv, msg, strlen(msg), (void *)req);
}

static int allowed(cg_policy *p, const char *cmd)
{
	cg_decision dc;
	ck_assert_int_ge(cg_check_str(p, "main", NULL, NULL, cmd, &dc), 0);
	return dc.allowed;
}

/* ---------------------------------------------------------------- tests */

START_TEST(enable_registers_state_and_script)
{
	cg_router *r = make_router(CAPS);
	ck_assert_int_eq(inits, 1);
	/* Twice, or a command already taken: refused, nothing changed. */
	ck_assert_int_eq(cg_router_enable_plugin(r, &DEMO, NULL, NULL), CG_EDUPLICATE);
	cg_plugin_def clash = DEMO;
	clash.name = "clash";
	static const cg_plugin_command one[] = {{"x", h_plain, CG_CMD_SYNC}};
	clash.commands = one;
	clash.n_commands = 1;
	ck_assert_int_eq(cg_router_register(r, "clash", "x", h_plain, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_enable_plugin(r, &clash, NULL, NULL), CG_EDUPLICATE);
	ck_assert_int_eq(inits, 1);
	/* Bad descriptors. */
	cg_plugin_def bad = DEMO;
	bad.version = 99;
	ck_assert_int_eq(cg_router_enable_plugin(r, &bad, NULL, NULL), CG_EINVAL);
	bad = DEMO;
	bad.name = "Not A Name";
	ck_assert_int_eq(cg_router_enable_plugin(r, &bad, NULL, NULL), CG_EINVAL);
	bad = DEMO;
	bad.free_scope = NULL;
	ck_assert_int_eq(cg_router_enable_plugin(r, &bad, NULL, NULL), CG_EINVAL);
	ck_assert_int_eq(cg_router_enable_plugin(NULL, &DEMO, NULL, NULL), CG_EINVAL);
	/* A config the plugin refuses: its error, and no command of it. */
	cg_plugin_def other = DEMO;
	other.name = "other";
	other.init_script = NULL;
	json_object *cfg = json_tokener_parse("{\"prefix\": 5}");
	ck_assert_int_eq(cg_router_enable_plugin(r, &other, NULL, cfg), CG_ESCHEMA);
	json_object_put(cfg);
	ck_assert_int_eq(cg_router_register(r, "other", "look", h_plain, NULL, CG_CMD_SYNC), 0);
	/* Without config, the app's identifier reaches init. */
	other.name = "third";
	cg_plugin_env env = {.identifier = "com.example.x"};
	ck_assert_int_eq(cg_router_enable_plugin(r, &other, &env, NULL), 0);
	ck_assert_str_eq(cg_router_init_script(r, 0), "window.__DEMO__ = 1;");
	ck_assert_ptr_null(cg_router_init_script(r, 1));
	ck_assert_ptr_null(cg_router_init_script(NULL, 0));

	/* The plugin's commands get its state; a host command lives beside. */
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	call(r, wv, "plugin:demo|plain", 1);
	ck_assert_int_eq(n_replies, 1);
	ck_assert_int_eq(replies[0].ok, 1);
	ck_assert_str_eq(replies[0].json, "\"P\"");
	cg_router_free(r);
	ck_assert_int_eq(states_freed, 2);
}
END_TEST

START_TEST(manifest_is_a_fallback)
{
	cg_router *r = make_router(NULL);
	cg_diag *d = cg_diag_new();
	/* No app manifest: demo:default and demo:scope-home come from the
	 * plugin's. */
	cg_policy *p = policy_for(r, CAPS, NULL, d);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(allowed(p, "plugin:demo|plain"), 1);
	cg_policy_unref(p);
	/* The app ships its own demo manifest: the plugin's is not loaded, so
	 * demo:default (which only the plugin's has) is unknown. */
	const char *own = "{\"permission\": [{\"identifier\": \"allow-look\", \"commands\": {\"allow\": [\"look\"]}}]}";
	p = policy_for(r, CAPS2, own, d);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(allowed(p, "plugin:demo|look"), 1);
	ck_assert_int_eq(allowed(p, "plugin:demo|plain"), 0);
	cg_policy_unref(p);
	ck_assert_ptr_null(policy_for(r, CAPS, own, d));
	ck_assert_int_ge(diag_find(d, "demo:default"), 0);
	/* A policy reloaded from the same sources makes the same choice. */
	cg_diag_free(d);
	d = cg_diag_new();
	p = policy_for(r, CAPS, NULL, d);
	cg_policy *again = NULL;
	ck_assert_int_eq(cg_policy_reload(p, &again, d), 0);
	ck_assert_int_eq(allowed(again, "plugin:demo|plain"), 1);
	cg_policy_unref(again);
	cg_policy_unref(p);
	cg_diag_free(d);
	cg_router_free(r);
}
END_TEST

START_TEST(scope_compiled_once_per_caller)
{
	cg_router *r = make_router(CAPS);
	cg_webview *main = NULL, *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &main), 0);
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	/* 40 calls at once on the worker pool, from one page. */
	for (int i = 0; i < 40; i++)
		call(r, main, "plugin:demo|look", i);
	ck_assert(wait_replies(r, 40));
	ck_assert_int_eq(compiled, 1);
	for (int i = 0; i < 40; i++) {
		ck_assert_int_eq(replies[i].ok, 1);
		/* global scope (scope-home) first, then the command's */
		ck_assert_str_eq(replies[i].json, "\"P:$HOME:/a\"");
	}
	/* Another caller: its own scope, compiled once for it. */
	for (int i = 0; i < 10; i++)
		call(r, other, "plugin:demo|look", 100 + i);
	ck_assert(wait_replies(r, 50));
	ck_assert_int_eq(compiled, 2);
	ck_assert_str_eq(replies[49].json, "\"P:/b\"");
	/* A command without scope use, and a host command: no compile. */
	call(r, main, "plugin:demo|plain", 200);
	call(r, main, "greet", 201);
	ck_assert(wait_replies(r, 52));
	ck_assert_str_eq(replies[51].json, "\"hi\"");
	ck_assert_int_eq(compiled, 2);
	ck_assert_int_eq(freed, 0);
	cg_router_free(r);
	ck_assert_int_eq(freed, 2);
}
END_TEST

START_TEST(policy_swap_invalidates)
{
	cg_router *r = make_router(CAPS);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	call(r, wv, "plugin:demo|look", 1);
	ck_assert(wait_replies(r, 1));
	ck_assert_int_eq(compiled, 1);
	cg_diag *d = cg_diag_new();
	cg_policy *p = policy_for(r, CAPS2, NULL, d);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(cg_router_set_policy(r, p), 0);
	/* The old scope is released at the swap (no call holds it). */
	ck_assert_int_eq(freed, 1);
	call(r, wv, "plugin:demo|look", 2);
	call(r, wv, "plugin:demo|look", 3);
	ck_assert(wait_replies(r, 3));
	ck_assert_int_eq(compiled, 2);
	ck_assert_str_eq(replies[1].json, "\"P:/new\"");
	ck_assert_str_eq(replies[2].json, "\"P:/new\"");
	/* The same policy installed again is a new generation too. */
	ck_assert_int_eq(cg_router_set_policy(r, p), 0);
	call(r, wv, "plugin:demo|look", 4);
	ck_assert(wait_replies(r, 4));
	ck_assert_int_eq(compiled, 3);
	cg_policy_unref(p);
	cg_diag_free(d);
	cg_router_free(r);
	ck_assert_int_eq(freed, 3);
}
END_TEST

/* A page that navigates (or reloads into a new origin) in a loop, or
 * windows that come and go, must not grow the cache: a replaced subject's
 * scopes are dropped at once. */
START_TEST(navigation_and_removal_drop_scopes)
{
	cg_router *r = make_router(CAPS);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(cg_webview_set_origin(wv, NULL), 0);
		call(r, wv, "plugin:demo|look", i);
		ck_assert(wait_replies(r, i + 1));
		ck_assert_int_eq(replies[i].ok, 1);
		ck_assert_int_eq(compiled, i + 1);
		/* only the current subject's scope is alive (a worker may
		 * still hold the previous call for a moment) */
		for (int k = 0; k < 200 && compiled - __atomic_load_n(&freed, __ATOMIC_RELAXED) > 1; k++)
			usleep(10000);
		ck_assert_int_eq(compiled - freed, 1);
	}
	cg_router_remove_webview(r, wv);
	for (int k = 0; k < 200 && __atomic_load_n(&freed, __ATOMIC_RELAXED) < compiled; k++)
		usleep(10000);
	ck_assert_int_eq(freed, compiled);
	cg_router_free(r);
}
END_TEST

/* A call judged before its page navigated, that asks for its scope only
 * afterwards, gets a scope for itself but must not cache it under the old
 * subject, which nothing would ask for or drop again (attack19: 3000
 * reloads left 8443 cached scopes). */
START_TEST(late_call_does_not_cache_a_forgotten_subject)
{
	int gate[2];
	ck_assert_int_eq(pipe(gate), 0);
	look_gate = gate[0];
	cg_router *r = make_router(CAPS);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	call(r, wv, "plugin:demo|look", 0);
	/* the page navigates while the call waits in its worker */
	ck_assert_int_eq(cg_webview_set_origin(wv, NULL), 0);
	ck_assert_int_eq(write(gate[1], "x", 1), 1);
	ck_assert(wait_replies(r, 1));
	ck_assert_int_eq(replies[0].ok, 1);
	ck_assert_int_eq(compiled, 1);
	/* the call's scope went with the call: nothing is cached */
	for (int k = 0; k < 200 && __atomic_load_n(&freed, __ATOMIC_RELAXED) < 1; k++)
		usleep(10000);
	ck_assert_int_eq(freed, 1);
	look_gate = -1;
	close(gate[0]);
	close(gate[1]);
	cg_router_free(r);
}
END_TEST

START_TEST(scope_that_does_not_compile_rejects)
{
	const char *caps = "[{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": ["
			   "{\"identifier\": \"demo:allow-look\", \"allow\": [{\"nopath\": 1}]}]}]";
	cg_router *r = make_router(caps);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	call(r, wv, "plugin:demo|look", 1);
	ck_assert(wait_replies(r, 1));
	ck_assert_int_eq(replies[0].ok, 0);
	ck_assert_int_eq(compiled, 0);
	/* Not cached as a failure either: asked again, compiled again. */
	call(r, wv, "plugin:demo|look", 2);
	ck_assert(wait_replies(r, 2));
	ck_assert_int_eq(replies[1].ok, 0);
	cg_router_free(r);
}
END_TEST

START_TEST(fallback_api)
{
	cg_builder *b = cg_builder_new();
	ck_assert_int_eq(cg_builder_add_manifest_fallback(NULL, "x", "n", "{}", 2), CG_EINVAL);
	ck_assert_int_eq(cg_builder_add_manifest_fallback(b, NULL, "n", "{}", 2), CG_EINVAL);
	ck_assert_int_eq(cg_builder_add_manifest_fallback(b, "Bad Name", "n", "{}", 2), CG_EIDENT);
	/* A broken fallback fails the build, named. */
	ck_assert_int_eq(cg_builder_add_manifest_fallback(b, "x", "x-manifest", "{", 1), 0);
	cg_diag *d = cg_diag_new();
	cg_policy *p = NULL;
	ck_assert_int_lt(cg_builder_build(b, &p, d), 0);
	ck_assert_ptr_null(p);
	ck_assert_int_ge(cg_diag_count(d), 1);
	ck_assert_str_eq(cg_diag_file(d, 0), "x-manifest");
	cg_diag_free(d);
	cg_builder_free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plugin");
	TCase *tc = tcase_create("framework");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, enable_registers_state_and_script);
	tcase_add_test(tc, manifest_is_a_fallback);
	tcase_add_test(tc, scope_compiled_once_per_caller);
	tcase_add_test(tc, policy_swap_invalidates);
	tcase_add_test(tc, navigation_and_removal_drop_scopes);
	tcase_add_test(tc, late_call_does_not_cache_a_forgotten_subject);
	tcase_add_test(tc, scope_that_does_not_compile_rejects);
	tcase_add_test(tc, fallback_api);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
