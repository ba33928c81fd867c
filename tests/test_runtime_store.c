/*
 * The store plugin in real WebKitGTK windows, driven by the unmodified
 * @tauri-apps/plugin-store, the newest (~2.4) and the oldest 2.x (2.0.0,
 * package.json's tauri-plugin-store-oldest alias): the built-in plugins
 * enabled as `capgate run` enables them, the official store manifest as the
 * fallback, stores in $APPDATA from the app's identifier. Every method of
 * Store and LazyStore, the change events through onKeyChange, the file on
 * disk after save and after an autoSave of 0, '..' and an absolute path
 * refused, a closed store's rid gone, and a window without
 * store:allow-set refused with the permission named.
 */
#include "rt_harness.h"
#include "builtin/builtin.h"

static char xdg[256], appdata[512];

/* The page's answer as JSON (freed by the caller). */
static json_object *store_call(const char *label, const char *name, const char *arg)
{
	char *r = scenario(label, name, arg);
	json_object *o = json_tokener_parse(r);
	EXPECT(o != NULL, "%s: not JSON: %s", name, r);
	g_free(r);
	return o;
}

/* out[name] is {ok: true, value: <want>}. */
static void expect_step(json_object *out, const char *name, const char *want)
{
	json_object *st = NULL, *v = NULL, *okv = NULL;
	json_object_object_get_ex(out, name, &st);
	json_object_object_get_ex(st, "ok", &okv);
	json_object_object_get_ex(st, "value", &v);
	json_object *w = json_tokener_parse(want);
	int same = okv && json_object_get_boolean(okv) &&
		   (w ? json_object_equal(v, w) : !strcmp(want, "null") && v == NULL);
	EXPECT(same, "%s: %s, want %s", name, st ? json_object_to_json_string(st) : "(missing)", want);
	json_object_put(w);
}

/* out[name] is {ok: false, error: ...} with needle in the error. */
static void expect_refused(json_object *out, const char *name, const char *needle)
{
	json_object *st = NULL, *e = NULL;
	json_object_object_get_ex(out, name, &st);
	json_object_object_get_ex(st, "error", &e);
	EXPECT(e && strstr(json_object_get_string(e), needle), "%s: %s, want an error with %s", name,
	       st ? json_object_to_json_string(st) : "(missing)", needle);
}

static json_object *on_disk(const char *rel)
{
	char *path = g_strdup_printf("%s/%s", appdata, rel), *text = NULL;
	json_object *o = NULL;
	if (g_file_get_contents(path, &text, NULL, NULL))
		o = json_tokener_parse(text);
	g_free(text);
	g_free(path);
	return o;
}

static void sc_store(cg_app *a, void *u)
{
	(void)a, (void)u;
	if (!page_ready("main") || !page_ready("other")) {
		EXPECT(0, "pages not ready");
		cg_app_quit(app);
		return;
	}
	json_object *out = store_call("main", "store", "{\"path\": \"settings.json\", \"lazy\": \"lazy/l.json\"}");
	expect_step(out, "get_default", "\"dark\"");
	expect_step(out, "set", "null");
	expect_step(out, "get", "{\"name\": \"ada\"}");
	expect_step(out, "get_missing", "null");
	expect_step(out, "has", "true");
	expect_step(out, "keys", "[\"theme\", \"user\"]");
	expect_step(out, "values", "[\"dark\", {\"name\": \"ada\"}]");
	expect_step(out, "entries", "[[\"theme\", \"dark\"], [\"user\", {\"name\": \"ada\"}]]");
	expect_step(out, "length", "2");
	expect_step(out, "save", "null");
	expect_step(out, "delete", "true");
	expect_step(out, "delete_again", "false");
	expect_step(out, "length_cleared", "0");
	expect_step(out, "entries_reset", "[[\"theme\", \"dark\"]]");
	/* reload: the saved file over the defaults. */
	expect_step(out, "entries_reloaded", "[[\"theme\", \"dark\"], [\"user\", {\"name\": \"ada\"}]]");
	json_object *v = NULL;
	EXPECT(json_object_object_get_ex(out, "getStore_same_rid", &v) && json_object_get_boolean(v),
	       "getStore gave another store");
	expect_step(out, "getStore_none", "null");
	json_object *ch = NULL;
	json_object_object_get_ex(out, "changes", &ch);
	json_object *want = json_tokener_parse("[{\"name\": \"ada\"}, null]");
	EXPECT(ch && json_object_equal(ch, want), "onKeyChange saw %s", json_object_to_json_string(ch));
	json_object_put(want);
	expect_refused(out, "escape", "forbidden path");
	expect_refused(out, "absolute", "forbidden path");
	expect_step(out, "close", "null");
	expect_refused(out, "after_close", "invalid");
	expect_step(out, "lazy_get", "42");
	json_object_put(out);
	/* On disk: the saved store, and the lazy one saved at once. */
	json_object *f = on_disk("settings.json");
	EXPECT(f && json_object_object_get_ex(f, "user", NULL), "settings.json: %s",
	       f ? json_object_to_json_string(f) : "(none)");
	json_object_put(f);
	f = on_disk("lazy/l.json");
	EXPECT(f && json_object_object_get_ex(f, "n", &v) && json_object_get_int(v) == 42, "lazy/l.json: %s",
	       f ? json_object_to_json_string(f) : "(none)");
	json_object_put(f);
	char *escaped = g_strdup_printf("%s/../escape.json", appdata);
	EXPECT(access(escaped, F_OK) != 0, "a store was written outside $APPDATA");
	g_free(escaped);

	/* plugin-store 2.0.0. */
	out = store_call("main", "store_oldest", "{\"path\": \"old.json\"}");
	expect_step(out, "set", "null");
	expect_step(out, "get", "[1, 2]");
	expect_step(out, "get_missing", "null");
	expect_step(out, "entries", "[[\"k\", [1, 2]]]");
	expect_step(out, "save", "null");
	expect_step(out, "load", "null");
	json_object_object_get_ex(out, "changes", &ch);
	want = json_tokener_parse("[[1, 2]]");
	EXPECT(ch && json_object_equal(ch, want), "2.0.0 onKeyChange saw %s", json_object_to_json_string(ch));
	json_object_put(want);
	json_object_put(out);
	f = on_disk("old.json");
	EXPECT(f && json_object_object_get_ex(f, "k", NULL), "old.json not saved");
	json_object_put(f);

	/* A window granted load but not set. */
	out = store_call("other", "store_denied", "{\"path\": \"o.json\"}");
	json_object *e = NULL;
	json_object_object_get_ex(out, "error", &e);
	EXPECT(e && strstr(json_object_get_string(e), "store:allow-set"), "other window: %s",
	       json_object_to_json_string(out));
	json_object_put(out);
	cg_app_quit(app);
}

START_TEST(store_plugin)
{
	snprintf(xdg, sizeof(xdg), "/tmp/cg-itstore-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(xdg));
	char d[300];
	snprintf(d, sizeof(d), "%s/data", xdg);
	g_setenv("XDG_DATA_HOME", d, TRUE);
	snprintf(appdata, sizeof(appdata), "%s/org.capgate.itstore", d);
	capabilities_dir = "tests/integration/capabilities-store";
	extra_config = "\"identifier\": \"org.capgate.itstore\",";
	make_app("main,other");
	cg_diag *dg = cg_diag_new();
	ck_assert_int_eq(cg_builtin_plugins_enable(cg_app_router(app), cg_app_config(app), NULL, dg), 0);
	cg_diag_free(dg);
	run_app(sc_store);
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
	Suite *s = suite_create("runtime-store");
	TCase *tc = tcase_create("store");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, store_plugin);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
