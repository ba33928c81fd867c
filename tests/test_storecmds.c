/* The store plugin's commands through the router, as @tauri-apps/plugin-store
 * sends them (2.0.x's create_store and bare get, 2.1's flattened load
 * options, 2.2+'s nested ones): the official manifest as the fallback,
 * stores below $APPDATA, rids per page, store://change to the pages holding
 * the store only, auto-save, refusals (a permission not granted, '..', an
 * absolute path outside, a symlinked directory, another page's rid, a
 * damaged file left alone), and the durable save under 1,000 kill -9s. */
#include "testutil.h"
#include "store/plugin.h"
#include "store/durable.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define MAXREC 512

static struct {
	int ok;
	char *json;
} replies[MAXREC];
static int n_replies;

static struct {
	uint32_t id;
	const cg_webview *wv;
	char *json;
} events[MAXREC];
static int n_events;

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
	(void)user;
	ck_assert_int_lt(n_events, MAXREC);
	events[n_events].id = id;
	events[n_events].wv = wv;
	events[n_events].json = strndup(json, len);
	n_events++;
}

static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};

static char home[256], appdata[512];
static cg_router *r;
static cg_webview *wv_main, *wv_second, *wv_other;

static void pump(void)
{
	struct pollfd p = {cg_router_fd(r), POLLIN, 0};
	if (poll(&p, 1, 10) > 0)
		cg_router_process(r);
}

static void wait_n(int n)
{
	for (int i = 0; i < 1000 && n_replies < n; i++)
		pump();
	ck_assert_int_ge(n_replies, n);
}

static int call_cmd(cg_webview *wv, const char *cmd, const char *payload)
{
	char *msg = NULL;
	ck_assert_int_ge(asprintf(&msg, "{\"cmd\": \"%s\", \"callback\": 1, \"error\": 2, \"payload\": %s}", cmd,
				  payload),
			 0);
	int at = n_replies;
	cg_router_invoke(r, wv, msg, strlen(msg), NULL);
	free(msg);
	wait_n(at + 1);
	return at;
}

static int call(cg_webview *wv, const char *cmd, const char *payload)
{
	char name[64];
	snprintf(name, sizeof(name), "plugin:store|%s", cmd);
	return call_cmd(wv, name, payload);
}

/* A call that must succeed; its answer's JSON. */
static const char *ok(cg_webview *wv, const char *cmd, const char *payload)
{
	int i = call(wv, cmd, payload);
	ck_assert_msg(replies[i].ok, "%s %s: %s", cmd, payload, replies[i].json);
	return replies[i].json;
}

/* got and want are the same JSON value. */
static void json_eq(const char *got, const char *want)
{
	if (!strcmp(want, "null")) {
		ck_assert_str_eq(got, "null");
		return;
	}
	json_object *g = json_tokener_parse(got), *w = json_tokener_parse(want);
	ck_assert_msg(w, "bad expectation %s", want);
	ck_assert_msg(g && json_object_equal(g, w), "got %s, want %s", got, want);
	json_object_put(g);
	json_object_put(w);
}

static const char *fails(cg_webview *wv, const char *cmd, const char *payload)
{
	int i = call(wv, cmd, payload);
	ck_assert_msg(!replies[i].ok, "%s %s answered %s", cmd, payload, replies[i].json);
	return replies[i].json;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static json_object *file_json(const char *rel)
{
	char p[800];
	snprintf(p, sizeof(p), "%s/%s", appdata, rel);
	char *t = slurp(p);
	json_object *o = t ? json_tokener_parse(t) : NULL;
	free(t);
	return o;
}

static const char *CAPS =
	"[{\"identifier\": \"main\", \"windows\": [\"main\", \"second\"], \"permissions\": [\"store:default\", "
	"\"core:default\"]},"
	" {\"identifier\": \"other\", \"windows\": [\"other\"], \"permissions\": [\"store:allow-load\", "
	"\"store:allow-get\", \"core:event:default\"]}]";

static void setup(void)
{
	snprintf(home, sizeof(home), "/tmp/cg-storecmds-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(home));
	char d[600];
	setenv("HOME", home, 1);
	snprintf(d, sizeof(d), "%s/data", home);
	setenv("XDG_DATA_HOME", d, 1);
	snprintf(appdata, sizeof(appdata), "%s/data/com.example.store", home);
	n_replies = n_events = 0;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	cg_plugin_env env = {.identifier = "com.example.store"};
	ck_assert_int_eq(cg_router_enable_plugin(r, &cg_store_kv_plugin, &env, NULL), 0);
	cg_builder *b = cg_builder_new();
	cg_diag *dg = cg_diag_new();
	ck_assert_int_eq(cg_router_declare_commands(r, b), 0);
	cg_builder_add_capability_json(b, "caps.json", CAPS, strlen(CAPS), dg);
	cg_policy *p = NULL;
	if (cg_builder_build(b, &p, dg) < 0)
		dump_diag(dg);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(cg_router_set_policy(r, p), 0);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(dg);
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv_main), 0);
	ck_assert_int_eq(cg_router_add_webview(r, "second", NULL, NULL, &wv_second), 0);
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &wv_other), 0);
}

static void teardown(void)
{
	cg_router_free(r);
	for (int i = 0; i < n_replies; i++) {
		free(replies[i].json);
		replies[i].json = NULL;
	}
	for (int i = 0; i < n_events; i++) {
		free(events[i].json);
		events[i].json = NULL;
	}
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", home);
	ck_assert_int_eq(system(cmd), 0);
}

static long rid_of(const char *json)
{
	char *end;
	long v = strtol(json, &end, 10);
	ck_assert_msg(*end == '\0' && v > 0, "not a rid: %s", json);
	return v;
}

START_TEST(every_command_in_the_newest_wire_format)
{
	char p[200];
	/* 2.2+: options nested; no auto-save, so the file is written by save. */
	long rid = rid_of(ok(wv_main, "load",
			     "{\"path\": \"settings.json\", \"options\": {\"defaults\": {\"theme\": \"dark\", \"n\": 1},"
			     " \"autoSave\": false}}"));
	json_eq(ok(wv_main, "get", (snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"theme\"}", rid), p)),
			 "[ \"dark\", true ]");
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"user\", \"value\": {\"name\": \"ada\", \"tags\": [1, 2]}}", rid);
	json_eq(ok(wv_main, "set", p), "null");
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"user\"}", rid);
	json_eq(ok(wv_main, "get", p), "[ { \"name\": \"ada\", \"tags\": [ 1, 2 ] }, true ]");
	json_eq(ok(wv_main, "has", p), "true");
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"nope\"}", rid);
	json_eq(ok(wv_main, "get", p), "[ null, false ]");
	json_eq(ok(wv_main, "has", p), "false");
	json_eq(ok(wv_main, "delete", p), "false");
	snprintf(p, sizeof(p), "{\"rid\": %ld}", rid);
	json_eq(ok(wv_main, "keys", p), "[ \"theme\", \"n\", \"user\" ]");
	json_eq(ok(wv_main, "values", p), "[ \"dark\", 1, { \"name\": \"ada\", \"tags\": [ 1, 2 ] } ]");
	json_eq(ok(wv_main, "entries", p),
			 "[ [ \"theme\", \"dark\" ], [ \"n\", 1 ], [ \"user\", { \"name\": \"ada\", \"tags\": [ 1, 2 ] } ] ]");
	json_eq(ok(wv_main, "length", p), "3");
	/* Not on disk until saved (autoSave false). */
	json_object *f = file_json("settings.json");
	ck_assert_ptr_null(f);
	json_eq(ok(wv_main, "save", p), "null");
	f = file_json("settings.json");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(json_object_object_length(f), 3);
	json_object *u;
	ck_assert(json_object_object_get_ex(f, "user", &u));
	json_object_put(f);
	/* delete, clear, reset back to the defaults. */
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"n\"}", rid);
	json_eq(ok(wv_main, "delete", p), "true");
	snprintf(p, sizeof(p), "{\"rid\": %ld}", rid);
	json_eq(ok(wv_main, "length", p), "2");
	json_eq(ok(wv_main, "clear", p), "null");
	json_eq(ok(wv_main, "length", p), "0");
	json_eq(ok(wv_main, "reset", p), "null");
	json_eq(ok(wv_main, "entries", p), "[ [ \"theme\", \"dark\" ], [ \"n\", 1 ] ]");
	/* reload: the file over the defaults, or the file alone. */
	char path[800];
	snprintf(path, sizeof(path), "%s/settings.json", appdata);
	FILE *w = fopen(path, "w");
	fputs("{\"theme\": \"light\", \"extra\": true}", w);
	fclose(w);
	json_eq(ok(wv_main, "reload", p), "null");
	json_eq(ok(wv_main, "entries", p), "[ [ \"theme\", \"light\" ], [ \"n\", 1 ], [ \"extra\", true ] ]");
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"ignoreDefaults\": true}", rid);
	json_eq(ok(wv_main, "reload", p), "null");
	snprintf(p, sizeof(p), "{\"rid\": %ld}", rid);
	json_eq(ok(wv_main, "keys", p), "[ \"theme\", \"extra\" ]");
	/* Loading it again gives the same rid; get_store finds it; a path
	 * nobody loaded is null. */
	ck_assert_int_eq(rid_of(ok(wv_main, "load", "{\"path\": \"settings.json\"}")), rid);
	ck_assert_int_eq(rid_of(ok(wv_main, "get_store", "{\"path\": \"./settings.json\"}")), rid);
	json_eq(ok(wv_main, "get_store", "{\"path\": \"never.json\"}"), "null");
	/* An absolute path below $APPDATA is the same store. */
	snprintf(p, sizeof(p), "{\"path\": \"%s/settings.json\"}", appdata);
	ck_assert_int_eq(rid_of(ok(wv_main, "load", p)), rid);
	/* A sub-directory is made. */
	long r2 = rid_of(ok(wv_main, "load", "{\"path\": \"a/b/c.json\", \"autoSave\": 0}"));
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"k\", \"value\": 7}", r2);
	ok(wv_main, "set", p); /* autoSave 0 (2.1's flattened options): saved at once */
	f = file_json("a/b/c.json");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(json_object_object_length(f), 1);
	json_object_put(f);
}
END_TEST

START_TEST(plugin_store_2_0_wire_format)
{
	char p[200];
	/* create_store {path, autoSave}, get answering the bare value, load
	 * {rid} reloading. */
	long rid = rid_of(ok(wv_main, "create_store", "{\"path\": \"old.bin\", \"autoSave\": 0}"));
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"a\", \"value\": [1]}", rid);
	ok(wv_main, "set", p);
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"a\"}", rid);
	json_eq(ok(wv_main, "get", p), "[ 1 ]");
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"b\"}", rid);
	json_eq(ok(wv_main, "get", p), "null");
	char path[800];
	snprintf(path, sizeof(path), "%s/old.bin", appdata);
	FILE *w = fopen(path, "w");
	fputs("{\"a\": 2}", w);
	fclose(w);
	snprintf(p, sizeof(p), "{\"rid\": %ld}", rid);
	json_eq(ok(wv_main, "load", p), "null");
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"a\"}", rid);
	json_eq(ok(wv_main, "get", p), "2");
}
END_TEST

START_TEST(refusals)
{
	char p[900];
	/* A command the window is not granted: the permission named. */
	long rid = rid_of(ok(wv_other, "load", "{\"path\": \"o.json\"}"));
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"k\", \"value\": 1}", rid);
	const char *e = fails(wv_other, "set", p);
	ck_assert_msg(strstr(e, "store:allow-set"), "%s", e);
	/* Paths that leave $APPDATA. */
	e = fails(wv_main, "load", "{\"path\": \"../escape.json\"}");
	ck_assert_msg(strstr(e, "forbidden path") && strstr(e, ".."), "%s", e);
	e = fails(wv_main, "load", "{\"path\": \"a/../../escape.json\"}");
	ck_assert_msg(strstr(e, "forbidden path"), "%s", e);
	e = fails(wv_main, "load", "{\"path\": \"/etc/passwd\"}");
	ck_assert_msg(strstr(e, "forbidden path") && strstr(e, "outside"), "%s", e);
	snprintf(p, sizeof(p), "{\"path\": \"%sX/s.json\"}", appdata); /* a sibling sharing the prefix */
	fails(wv_main, "load", p);
	fails(wv_main, "load", "{\"path\": \"\"}");
	fails(wv_main, "load", "{\"path\": \"a\\u0000b\"}");
	fails(wv_main, "load", "{\"path\": 3}");
	fails(wv_main, "get_store", "{\"path\": \"../x\"}");
	/* A directory in $APPDATA that is a symlink to elsewhere. */
	char outside[700], link[800];
	snprintf(outside, sizeof(outside), "%s/outside", home);
	ck_assert_int_eq(mkdir(outside, 0700), 0);
	ck_assert_int_eq(system((snprintf(p, sizeof(p), "mkdir -p %s", appdata), p)), 0);
	snprintf(link, sizeof(link), "%s/linked", appdata);
	ck_assert_int_eq(symlink(outside, link), 0);
	e = fails(wv_main, "load", "{\"path\": \"linked/s.json\"}");
	ck_assert_msg(strstr(e, "os error 20"), "%s", e);
	/* A store file that is a symlink is not followed either. */
	snprintf(link, sizeof(link), "%s/l.json", appdata);
	snprintf(p, sizeof(p), "%s/t.json", outside);
	FILE *w = fopen(p, "w");
	fputs("{\"secret\": 1}", w);
	fclose(w);
	ck_assert_int_eq(symlink(p, link), 0);
	e = fails(wv_main, "load", "{\"path\": \"l.json\"}");
	ck_assert_msg(strstr(e, "os error 40"), "%s", e);
	/* Another page's rid means nothing here; a bad rid is refused. */
	long mine = rid_of(ok(wv_main, "load", "{\"path\": \"mine.json\"}"));
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"k\"}", mine);
	e = fails(wv_other, "get", p);
	ck_assert_msg(strstr(e, "resource id is invalid"), "%s", e);
	fails(wv_main, "get", "{\"rid\": \"1\", \"key\": \"k\"}");
	snprintf(p, sizeof(p), "{\"rid\": %ld}", mine);
	fails(wv_main, "get", p);
	/* A damaged file is refused and left as it is (Tauri starts empty and
	 * overwrites it at the next save). */
	snprintf(p, sizeof(p), "%s/bad.json", appdata);
	w = fopen(p, "w");
	fputs("{\"half\": ", w);
	fclose(w);
	e = fails(wv_main, "load", "{\"path\": \"bad.json\"}");
	ck_assert_msg(strstr(e, "bad.json"), "%s", e);
	char *t = slurp(p);
	ck_assert_str_eq(t, "{\"half\": ");
	free(t);
	/* Only the default (de)serializer exists. */
	e = fails(wv_main, "load", "{\"path\": \"x.json\", \"options\": {\"serializeFnName\": \"yaml\"}}");
	ck_assert_msg(strstr(e, "yaml"), "%s", e);
}
END_TEST

static int find_event(const cg_webview *wv, uint32_t handler, const char *needle, int from)
{
	for (int i = from; i < n_events; i++)
		if (events[i].wv == wv && events[i].id == handler && strstr(events[i].json, needle))
			return i;
	return -1;
}

START_TEST(change_events_reach_the_holders_only)
{
	char p[300];
#define LISTEN "{\"event\": \"store://change\", \"target\": {\"kind\": \"Any\"}, \"handler\": %d}"
	snprintf(p, sizeof(p), LISTEN, 11);
	ck_assert_int_eq(replies[call_cmd(wv_main, "plugin:event|listen", p)].ok, 1);
	snprintf(p, sizeof(p), LISTEN, 22);
	ck_assert_int_eq(replies[call_cmd(wv_second, "plugin:event|listen", p)].ok, 1);
	snprintf(p, sizeof(p), LISTEN, 33);
	ck_assert_int_eq(replies[call_cmd(wv_other, "plugin:event|listen", p)].ok, 1);
	long r1 = rid_of(ok(wv_main, "load", "{\"path\": \"shared.json\", \"options\": {\"autoSave\": false}}"));
	long r2 = rid_of(ok(wv_second, "load", "{\"path\": \"shared.json\"}"));
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"k\", \"value\": \"v\"}", r1);
	ok(wv_main, "set", p);
	/* The second page sees the same store. */
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"k\"}", r2);
	json_eq(ok(wv_second, "get", p), "[ \"v\", true ]");
	char want[100];
	snprintf(want, sizeof(want), "\"resourceId\":%ld,\"key\":\"k\",\"value\":\"v\",\"exists\":true", r1);
	for (int i = 0; i < 100 && find_event(wv_main, 11, want, 0) < 0; i++)
		pump();
	ck_assert_msg(find_event(wv_main, 11, want, 0) >= 0, "no event for main");
	snprintf(want, sizeof(want), "\"resourceId\":%ld,\"key\":\"k\"", r2);
	for (int i = 0; i < 100 && find_event(wv_second, 22, want, 0) < 0; i++)
		pump();
	ck_assert_msg(find_event(wv_second, 22, want, 0) >= 0, "no event for second");
	/* A delete: exists false, value null. */
	int mark = n_events;
	ok(wv_second, "delete", p);
	for (int i = 0; i < 100 && find_event(wv_main, 11, "\"exists\":false", mark) < 0; i++)
		pump();
	ck_assert(find_event(wv_main, 11, "\"value\":null,\"exists\":false", mark) >= 0);
	/* The page that listens but holds no rid of the store heard nothing. */
	for (int i = 0; i < n_events; i++)
		ck_assert_msg(events[i].wv != wv_other, "other got %s", events[i].json);
	/* Once the main page lets go of its rid, it hears nothing more. */
	snprintf(p, sizeof(p), "{\"rid\": %ld}", r1);
	ck_assert_int_eq(replies[call_cmd(wv_main, "plugin:resources|close", p)].ok, 1);
	mark = n_events;
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"z\", \"value\": 1}", r2);
	ok(wv_second, "set", p);
	for (int i = 0; i < 100 && find_event(wv_second, 22, "\"z\"", mark) < 0; i++)
		pump();
	ck_assert(find_event(wv_second, 22, "\"z\"", mark) >= 0);
	ck_assert_int_lt(find_event(wv_main, 11, "\"z\"", mark), 0);
}
END_TEST

START_TEST(auto_save_debounced_and_flushed_on_close)
{
	char p[200];
	/* 30 ms debounce: the file appears without a save. */
	long rid = rid_of(ok(wv_main, "load", "{\"path\": \"auto.json\", \"options\": {\"autoSave\": 30}}"));
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"k\", \"value\": 1}", rid);
	ok(wv_main, "set", p);
	json_object *f = NULL;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		pump();
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (!(f = file_json("auto.json")) && t1.tv_sec - t0.tv_sec < 10);
	ck_assert_msg(f, "not saved after %ld s", (long)(t1.tv_sec - t0.tv_sec));
	json_object_put(f);
	/* A long debounce still pending when the page lets go: saved then. */
	rid = rid_of(ok(wv_main, "load", "{\"path\": \"late.json\", \"options\": {\"autoSave\": 600000}}"));
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"k\", \"value\": 2}", rid);
	ok(wv_main, "set", p);
	ck_assert_ptr_null(file_json("late.json"));
	snprintf(p, sizeof(p), "{\"rid\": %ld}", rid);
	ck_assert_int_eq(replies[call_cmd(wv_main, "plugin:resources|close", p)].ok, 1);
	/* The handler that answered the set may hold the last reference a
	 * moment longer: the save comes when it lets go. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		pump();
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (!(f = file_json("late.json")) && t1.tv_sec - t0.tv_sec < 10);
	ck_assert_ptr_nonnull(f);
	json_object *v;
	ck_assert(json_object_object_get_ex(f, "k", &v) && json_object_get_int(v) == 2);
	json_object_put(f);
	/* autoSave false: a closed store that was never saved leaves no file. */
	rid = rid_of(ok(wv_main, "load", "{\"path\": \"manual.json\", \"options\": {\"autoSave\": false}}"));
	snprintf(p, sizeof(p), "{\"rid\": %ld, \"key\": \"k\", \"value\": 3}", rid);
	ok(wv_main, "set", p);
	snprintf(p, sizeof(p), "{\"rid\": %ld}", rid);
	ck_assert_int_eq(replies[call_cmd(wv_main, "plugin:resources|close", p)].ok, 1);
	ck_assert_ptr_null(file_json("manual.json"));
	/* A page going away (navigation, close) frees its rids. */
	rid = rid_of(ok(wv_main, "load", "{\"path\": \"gone.json\"}"));
	cg_webview_free_resources(wv_main);
	snprintf(p, sizeof(p), "{\"rid\": %ld}", rid);
	ck_assert_msg(strstr(fails(wv_main, "length", p), "invalid"), "rid still held");
}
END_TEST

/* ---------------------------------------------------------- kill -9 */

static bool under_valgrind(void)
{
	const char *pre = getenv("LD_PRELOAD");
	return pre && strstr(pre, "vgpreload");
}

/* The content of save number gen: it grows with gen and names it. */
static char *content(unsigned gen)
{
	size_t pad = (gen * 37) % 20000;
	char *filler = malloc(pad + 1);
	memset(filler, 'a' + gen % 26, pad);
	filler[pad] = '\0';
	char *out = NULL;
	ck_assert_int_ge(asprintf(&out, "{\n  \"gen\": %u,\n  \"fill\": \"%s\"\n}", gen, filler), 0);
	free(filler);
	return out;
}

/* The child: saves gen, gen+1, ... for ever, writing each completed gen
 * to the pipe. */
static void saver_child(int dirfd, int wfd, unsigned gen)
{
	unsigned ready = 0;
	if (write(wfd, &ready, sizeof(ready)) != sizeof(ready))
		_exit(4);
	for (;; gen++) {
		char *c = content(gen);
		if (cg_durable_replace(dirfd, "kill.json", c, strlen(c)) < 0)
			_exit(3);
		free(c);
		if (write(wfd, &gen, sizeof(gen)) != sizeof(gen))
			_exit(4);
	}
}

START_TEST(store_survives_kill_9_during_saves)
{
	unsigned rounds = under_valgrind() ? 40 : 1000;
	char dir[700];
	snprintf(dir, sizeof(dir), "%s/killdir", home);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dirfd, 0);
	unsigned next = 1, killed_mid = 0, saved_rounds = 0;
	unsigned seed = (unsigned)time(NULL);
	for (unsigned round = 0; round < rounds; round++) {
		int pfd[2];
		ck_assert_int_eq(pipe(pfd), 0);
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(pfd[0]);
			saver_child(dirfd, pfd[1], next);
		}
		close(pfd[1]);
		/* A random moment once the child runs: from at once to a few
		 * saves in. */
		unsigned g, last = 0;
		ck_assert_int_eq(read(pfd[0], &g, sizeof(g)), sizeof(g));
		long range_us = under_valgrind() ? 300000 : 2000; /* valgrind runs the child ~50x slower */
		long us = rand_r(&seed) % range_us;
		struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
		nanosleep(&ts, NULL);
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
		while (read(pfd[0], &g, sizeof(g)) == sizeof(g))
			last = g;
		close(pfd[0]);
		/* The file is one whole save: the last reported, or the one in
		 * flight whose rename landed before the report (also complete);
		 * before any save at all, the previous round's. */
		char path[800];
		snprintf(path, sizeof(path), "%s/kill.json", dir);
		char *text = slurp(path);
		if (next == 1 && !last && !text)
			continue;
		ck_assert_msg(text && *text, "round %u: the store is missing or empty", round);
		json_object *o = json_tokener_parse(text);
		ck_assert_msg(o, "round %u: the store does not parse (torn)", round);
		json_object *gv;
		ck_assert(json_object_object_get_ex(o, "gen", &gv));
		unsigned have = (unsigned)json_object_get_int(gv);
		json_object_put(o);
		unsigned lo = last ? last : next - 1;
		ck_assert_msg(have == lo || have == lo + 1 || (!last && have == next),
			      "round %u: the store holds save %u, the last completed was %u", round, have, lo);
		char *want = content(have);
		ck_assert_msg(!strcmp(text, want), "round %u: save %u is not byte for byte what was written", round, have);
		free(want);
		free(text);
		if (have == lo + 1)
			killed_mid++; /* the kill fell between a rename and its report */
		if (last)
			saved_rounds++;
		next = (have > last ? have : last) + 1;
	}
	/* Temporary files of interrupted saves are swept. */
	cg_durable_sweep(dirfd, "kill.json");
	int n = 0;
	char cmd[800];
	snprintf(cmd, sizeof(cmd), "ls -A %s | grep -vx kill.json | wc -l", dir);
	FILE *ls = popen(cmd, "r");
	ck_assert(fscanf(ls, "%d", &n) == 1);
	pclose(ls);
	ck_assert_int_eq(n, 0);
	close(dirfd);
	fprintf(stderr,
		"kill -9: %u rounds, %u saves, %u rounds with a save reported, %u killed between a rename and its "
		"report\n",
		rounds, next - 1, saved_rounds, killed_mid);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("storecmds");
	TCase *tc = tcase_create("commands");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_command_in_the_newest_wire_format);
	tcase_add_test(tc, plugin_store_2_0_wire_format);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, change_events_reach_the_holders_only);
	tcase_add_test(tc, auto_save_debounced_and_flushed_on_close);
	suite_add_tcase(s, tc);
	TCase *tk = tcase_create("durable");
	tcase_set_timeout(tk, 300);
	tcase_add_checked_fixture(tk, setup, teardown);
	tcase_add_test(tk, store_survives_kill_9_during_saves);
	suite_add_tcase(s, tk);
	return run_suite(s);
}
