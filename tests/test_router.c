/* The IPC router through an in-memory transport: dispatch under the
 * policy, sync/async/deferred answers, binary calls, channels, events,
 * audit, reload and webview lifecycle. */
#include "testutil.h"

#include <poll.h>
#include <pthread.h>

/* ------------------------------------------------------------ transport */

#define MAXREC 20000

struct rec {
	cg_webview *wv;
	void *req;
	uint32_t id;
	int ok;
	char *json;
};

static struct rec replies[MAXREC], callbacks[MAXREC];
static int n_replies, n_callbacks;

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	ck_assert_int_lt(n_replies, MAXREC);
	replies[n_replies++] = (struct rec){wv, req, 0, ok, strndup(json, len)};
}

static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len)
{
	ck_assert_int_lt(n_callbacks, MAXREC);
	callbacks[n_callbacks++] = (struct rec){wv, NULL, id, 1, strndup(json, len)};
}

static void reset(void)
{
	for (int i = 0; i < n_replies; i++)
		free(replies[i].json);
	for (int i = 0; i < n_callbacks; i++)
		free(callbacks[i].json);
	n_replies = n_callbacks = 0;
}

static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};

/* Runs the router's main-loop work until pred() holds (10 s at most). */
static int wait_for(cg_router *r, int (*pred)(void))
{
	for (int i = 0; i < 1000 && !pred(); i++) {
		struct pollfd p = {cg_router_fd(r), POLLIN, 0};
		if (poll(&p, 1, 10) > 0)
			cg_router_process(r);
	}
	return pred();
}

static int want;
static int enough_replies(void) { return n_replies >= want; }
static int enough_callbacks(void) { return n_callbacks >= want; }

/* ------------------------------------------------------------- handlers */

static int h_echo(cg_call *c, void *user)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "args", json_object_get(cg_call_args(c)));
	json_object_object_add(o, "window", json_object_new_string(cg_call_window(c)));
	json_object_object_add(o, "webview", json_object_new_string(cg_call_webview(c)));
	json_object_object_add(o, "origin", cg_call_origin(c) ? json_object_new_string(cg_call_origin(c)) : NULL);
	json_object_object_add(o, "scope", json_object_get(cg_call_command_scope(c)));
	json_object_object_add(o, "global", json_object_get(cg_call_global_scope(c)));
	const char *h = cg_call_header(c, "x-test");
	json_object_object_add(o, "header", h ? json_object_new_string(h) : NULL);
	int *counter = cg_call_state(c, "counter");
	if (counter)
		json_object_object_add(o, "count", json_object_new_int(++*counter));
	return cg_call_resolve(c, o);
}

static pthread_t worker_thread;
static int h_async(cg_call *c, void *user)
{
	__atomic_store_n(&worker_thread, pthread_self(), __ATOMIC_RELAXED);
	json_object *a = cg_call_args(c), *n;
	int64_t v = json_object_object_get_ex(a, "n", &n) ? json_object_get_int64(n) : 0;
	return cg_call_resolve(c, json_object_new_int64(v * 2));
}

static cg_call *deferred;
static int h_defer(cg_call *c, void *user)
{
	deferred = c;
	return 0;
}

static int h_fail(cg_call *c, void *user) { return CG_EIO; }

static int second_answer;
static int h_twice(cg_call *c, void *user)
{
	cg_call_resolve(c, json_object_new_int(1));
	second_answer = cg_call_resolve(c, json_object_new_int(2));
	return 0;
}

static int h_bytes(cg_call *c, void *user)
{
	size_t len;
	const unsigned char *b = cg_call_body(c, &len);
	unsigned sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	ck_assert_ptr_null(cg_call_args(c));
	return cg_call_resolve(c, json_object_new_int((int)sum));
}

static int h_stream(cg_call *c, void *user)
{
	cg_channel *ch = cg_call_channel(c, "onEvent");
	if (!ch)
		return cg_call_reject(c, "no channel");
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(cg_channel_send(ch, json_object_new_int(i * 10)), 0);
	cg_channel_close(ch);
	return cg_call_resolve(c, NULL);
}

static cg_channel *kept_channel;
static int h_keep_channel(cg_call *c, void *user)
{
	kept_channel = cg_call_channel(c, "ch");
	return cg_call_resolve(c, NULL);
}

/* --------------------------------------------------------------- set-up */

static const char *CAPS =
	"[{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": ["
	"   {\"identifier\": \"allow-echo\", \"allow\": [{\"path\": \"$DOC\"}]}, \"allow-double\", \"allow-defer\","
	"   \"allow-fail\", \"allow-sum-bytes\", \"allow-twice\", \"allow-stream\", \"allow-keep-channel\","
	"   {\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"doc-*\"}]},"
	"   \"core:event:allow-unlisten\", \"core:event:allow-emit\", \"core:event:allow-emit-to\"]},"
	" {\"identifier\": \"other\", \"windows\": [\"other\", \"third\"], \"permissions\": ["
	"   \"allow-double\", \"core:event:allow-listen\", \"core:event:allow-unlisten\"]},"
	" {\"identifier\": \"remote\", \"local\": false, \"windows\": [\"main\"],"
	"   \"remote\": {\"urls\": [\"https://docs.example\"]}, \"permissions\": [\"allow-double\"]}]";

static cg_router *make_router(const char *caps)
{
	reset();
	cg_router *r = NULL;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(cg_router_register(r, NULL, "echo", h_echo, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "double", h_async, NULL, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "defer", h_defer, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "fail", h_fail, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "sum_bytes", h_bytes, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "stream", h_stream, NULL, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "keep_channel", h_keep_channel, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "ungranted", h_echo, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "twice", h_twice, NULL, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "echo", h_echo, NULL, CG_CMD_SYNC), CG_EDUPLICATE);
	ck_assert_int_eq(cg_router_register(r, "core:event", "listen", h_echo, NULL, CG_CMD_SYNC), CG_EDUPLICATE);
	if (caps) {
		cg_diag *d = cg_diag_new();
		cg_builder *b = cg_builder_new();
		ck_assert_int_eq(cg_router_declare_commands(r, b), 0);
		cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), d);
		cg_policy *p = NULL;
		if (cg_builder_build(b, &p, d) < 0)
			dump_diag(d);
		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(cg_router_set_policy(r, p), 0);
		cg_policy_unref(p);
		cg_builder_free(b);
		cg_diag_free(d);
	}
	return r;
}

static int invoke(cg_router *r, cg_webview *wv, const char *msg, void *req)
{
	return cg_router_invoke(r, wv, msg, strlen(msg), req);
}

#define REQ(n) ((void *)(uintptr_t)(n))

/* ---------------------------------------------------------------- tests */

START_TEST(sync_allowed_with_identity_and_scopes)
{
	cg_router *r = make_router(CAPS);
	int *counter = calloc(1, sizeof(int));
	ck_assert_int_eq(cg_router_manage(r, "counter", counter, free), 0);
	ck_assert_int_eq(cg_router_manage(r, "counter", NULL, NULL), CG_EDUPLICATE);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	ck_assert_int_eq(invoke(r, wv, "{\"cmd\": \"echo\", \"callback\": 1, \"error\": 2, \"payload\": {\"a\": [1, 2]},"
				       " \"options\": {\"headers\": {\"X-Test\": \"yes\"}}}", REQ(7)), 0);
	ck_assert_int_eq(n_replies, 1);
	ck_assert_ptr_eq(replies[0].req, REQ(7));
	ck_assert_ptr_eq(replies[0].wv, wv);
	ck_assert_int_eq(replies[0].ok, 1);
	ck_assert_str_eq(replies[0].json,
			 "{\"args\":{\"a\":[1,2]},\"window\":\"main\",\"webview\":\"main\",\"origin\":null,"
			 "\"scope\":{\"allow\":[{\"path\":\"$DOC\"}],\"deny\":[]},\"global\":{\"allow\":[],\"deny\":[]},"
			 "\"header\":\"yes\",\"count\":1}");
	cg_router_free(r);
}
END_TEST

START_TEST(denials_and_unknown)
{
	cg_router *r = make_router(CAPS);
	cg_webview *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	invoke(r, other, "{\"cmd\": \"echo\"}", REQ(1));
	invoke(r, other, "{\"cmd\": \"nope\"}", REQ(2));
	invoke(r, other, "{\"cmd\": \"ungranted\"}", REQ(3));
	ck_assert_int_eq(n_replies, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[0].json, "\\\"allow-echo\\\""));
	ck_assert_ptr_nonnull(strstr(replies[0].json, "window \\\"other\\\""));
	ck_assert_str_eq(replies[1].json, "\"unknown command: nope\"");
	ck_assert_ptr_nonnull(strstr(replies[2].json, "no capability grants ungranted"));
	/* a handler that fails without answering is rejected for it */
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"fail\"}", REQ(4));
	ck_assert_int_eq(n_replies, 4);
	ck_assert_int_eq(replies[3].ok, 0);
	ck_assert_str_eq(replies[3].json, "\"file could not be read\"");
	cg_router_free(r);
}
END_TEST

START_TEST(no_policy_no_calls)
{
	cg_router *r = make_router(NULL);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"echo\"}", REQ(1));
	ck_assert_int_eq(n_replies, 1);
	ck_assert_int_eq(replies[0].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[0].json, "no policy"));
	cg_router_free(r);
}
END_TEST

START_TEST(async_answers_on_main_loop)
{
	cg_router *r = make_router(CAPS);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	for (int i = 0; i < 50; i++) {
		char msg[64];
		snprintf(msg, sizeof(msg), "{\"cmd\": \"double\", \"payload\": {\"n\": %d}}", i);
		ck_assert_int_eq(invoke(r, wv, msg, REQ(100 + i)), 0);
	}
	want = 50;
	ck_assert(wait_for(r, enough_replies));
	ck_assert_int_eq(n_replies, 50);
	ck_assert(!pthread_equal(__atomic_load_n(&worker_thread, __ATOMIC_RELAXED), pthread_self()));
	int seen[50] = {0};
	for (int i = 0; i < 50; i++) {
		int k = (int)(uintptr_t)replies[i].req - 100;
		ck_assert(k >= 0 && k < 50 && !seen[k]);
		seen[k] = 1;
		ck_assert_int_eq(atoi(replies[i].json), 2 * k);
	}
	cg_router_free(r);
}
END_TEST

START_TEST(second_answer_ignored)
{
	cg_router *r = make_router(CAPS);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"twice\"}", REQ(1));
	want = 1;
	ck_assert(wait_for(r, enough_replies));
	cg_router_free(r); /* joins the worker: second_answer is set */
	ck_assert_int_eq(n_replies, 1);
	ck_assert_str_eq(replies[0].json, "1");
	ck_assert_int_eq(second_answer, CG_ESTATE);
}
END_TEST

START_TEST(deferred_answer_once)
{
	cg_router *r = make_router(CAPS);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"defer\"}", REQ(9));
	ck_assert_int_eq(n_replies, 0);
	ck_assert_ptr_nonnull(deferred);
	ck_assert(!cg_call_cancelled(deferred));
	ck_assert_int_eq(cg_call_resolve(deferred, json_object_new_string("later")), 0);
	ck_assert_int_eq(n_replies, 1);
	ck_assert_str_eq(replies[0].json, "\"later\"");
	cg_router_free(r);
}
END_TEST

START_TEST(answer_after_webview_closed)
{
	cg_router *r = make_router(CAPS);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"defer\"}", REQ(9));
	cg_call *c = deferred;
	cg_router_remove_webview(r, wv);
	ck_assert(cg_call_cancelled(c));
	ck_assert_int_eq(cg_call_resolve(c, json_object_new_int(1)), 0);
	ck_assert_int_eq(n_replies, 0); /* dropped, and freed (valgrind) */
	cg_router_free(r);
}
END_TEST

START_TEST(binary_calls)
{
	cg_router *r = make_router(CAPS);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	unsigned char body[300];
	for (int i = 0; i < 300; i++)
		body[i] = (unsigned char)i;
	ck_assert_int_eq(cg_router_invoke_raw(r, wv, "sum_bytes", body, sizeof(body), "{\"Content-Type\": \"application/octet-stream\"}", REQ(1)), 0);
	ck_assert_int_eq(n_replies, 1);
	unsigned sum = 0;
	for (int i = 0; i < 300; i++)
		sum += (unsigned char)i;
	ck_assert_int_eq(atoi(replies[0].json), (int)sum);
	/* binary calls go through the policy too, and bad headers are refused */
	cg_webview *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	cg_router_invoke_raw(r, other, "sum_bytes", body, 3, NULL, REQ(2));
	ck_assert_int_eq(replies[1].ok, 0);
	cg_router_invoke_raw(r, wv, "sum_bytes", body, 3, "{\"a\": 1}", REQ(3));
	ck_assert_int_eq(replies[2].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[2].json, "string value"));
	cg_router_invoke_raw(r, wv, "plugin:event|emit", body, 3, NULL, REQ(4));
	ck_assert_int_eq(replies[3].ok, 0);
	cg_router_free(r);
}
END_TEST

START_TEST(channels_in_order)
{
	cg_router *r = make_router(CAPS);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"stream\", \"payload\": {\"onEvent\": \"__CHANNEL__:42\"}}", REQ(1));
	want = 4;
	ck_assert(wait_for(r, enough_callbacks));
	want = 1;
	ck_assert(wait_for(r, enough_replies));
	ck_assert_int_eq(n_callbacks, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(callbacks[i].id, 42);
	ck_assert_str_eq(callbacks[0].json, "{\"message\":0,\"index\":0,\"id\":0}");
	ck_assert_str_eq(callbacks[1].json, "{\"message\":10,\"index\":1,\"id\":1}");
	ck_assert_str_eq(callbacks[2].json, "{\"message\":20,\"index\":2,\"id\":2}");
	ck_assert_str_eq(callbacks[3].json, "{\"end\":true,\"index\":3}");
	/* a channel outlives its call, and ends with its webview */
	invoke(r, wv, "{\"cmd\": \"keep_channel\", \"payload\": {\"ch\": \"__CHANNEL__:7\"}}", REQ(2));
	ck_assert_ptr_nonnull(kept_channel);
	ck_assert_int_eq(cg_channel_send(kept_channel, json_object_new_int(1)), 0);
	cg_router_remove_webview(r, wv);
	ck_assert_int_eq(cg_channel_send(kept_channel, json_object_new_int(2)), CG_ESTATE);
	int before = n_callbacks;
	cg_router_process(r);
	ck_assert_int_eq(n_callbacks, before); /* the queued message was dropped */
	cg_channel_close(kept_channel);
	cg_router_process(r);
	ck_assert_int_eq(n_callbacks, before);
	cg_router_free(r);
}
END_TEST

static int core_heard;
static char core_last[64];
static void on_core(const char *event, json_object *payload, const cg_webview *src, void *user)
{
	core_heard++;
	snprintf(core_last, sizeof(core_last), "%s:%s", event, src ? cg_webview_window(src) : "core");
}

START_TEST(events_respect_targets_and_permissions)
{
	cg_router *r = make_router(CAPS);
	cg_webview *main_wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &main_wv), 0);
	cg_webview *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	cg_webview *third = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "third", NULL, NULL, &third), 0);
	/* main may listen to doc-* only */
	invoke(r, main_wv, "{\"cmd\": \"plugin:event|listen\", \"payload\": {\"event\": \"doc-saved\", \"target\": {\"kind\": \"Any\"}, \"handler\": 11}}", REQ(1));
	invoke(r, main_wv, "{\"cmd\": \"plugin:event|listen\", \"payload\": {\"event\": \"secret\", \"target\": {\"kind\": \"Any\"}, \"handler\": 12}}", REQ(2));
	/* other listens on Any, third on its own window */
	invoke(r, other, "{\"cmd\": \"plugin:event|listen\", \"payload\": {\"event\": \"doc-saved\", \"target\": {\"kind\": \"Any\"}, \"handler\": 21}}", REQ(3));
	invoke(r, third, "{\"cmd\": \"plugin:event|listen\", \"payload\": {\"event\": \"doc-saved\", \"target\": {\"kind\": \"WebviewWindow\", \"label\": \"third\"}, \"handler\": 31}}", REQ(4));
	ck_assert_int_eq(n_replies, 4);
	ck_assert_int_eq(replies[0].ok, 1);
	ck_assert_int_eq(replies[1].ok, 0); /* listen to "secret" refused */
	ck_assert_ptr_nonnull(strstr(replies[1].json, "listen of event \\\"secret\\\" is outside the event scope"));
	ck_assert_int_eq(replies[2].ok, 1);
	ck_assert_int_eq(replies[3].ok, 1);
	int main_id = atoi(replies[0].json), third_id = atoi(replies[3].json);
	int listener_core = cg_router_listen(r, "doc-saved", on_core, NULL);
	ck_assert_int_gt(listener_core, 0);
	/* emit to all: every allowed listener, and the core */
	invoke(r, main_wv, "{\"cmd\": \"plugin:event|emit\", \"payload\": {\"event\": \"doc-saved\", \"payload\": {\"n\": 1}}}", REQ(5));
	ck_assert_int_eq(replies[4].ok, 1);
	ck_assert_int_eq(n_callbacks, 3);
	char want_main[80];
	snprintf(want_main, sizeof(want_main), "{\"event\":\"doc-saved\",\"id\":%d,\"payload\":{\"n\":1}}", main_id);
	ck_assert_str_eq(callbacks[0].json, want_main);
	ck_assert_int_eq(core_heard, 1);
	ck_assert_str_eq(core_last, "doc-saved:main");
	/* emit_to window "other": only other; the Any listeners elsewhere
	 * (main) and third's do not hear it, nor the core */
	reset();
	invoke(r, main_wv, "{\"cmd\": \"plugin:event|emit_to\", \"payload\": {\"event\": \"doc-saved\", \"target\": {\"kind\": \"Window\", \"label\": \"other\"}, \"payload\": 2}}", REQ(6));
	ck_assert_int_eq(replies[0].ok, 1);
	ck_assert_int_eq(n_callbacks, 1);
	ck_assert_ptr_eq(callbacks[0].wv, other);
	ck_assert_uint_eq(callbacks[0].id, 21);
	ck_assert_int_eq(core_heard, 1);
	/* other may not emit at all */
	reset();
	invoke(r, other, "{\"cmd\": \"plugin:event|emit\", \"payload\": {\"event\": \"doc-saved\"}}", REQ(7));
	ck_assert_int_eq(replies[0].ok, 0);
	ck_assert_int_eq(n_callbacks, 0);
	/* the core emits to AnyLabel "third" */
	ck_assert_int_eq(cg_router_emit(r, "doc-saved", CG_TARGET_ANY_LABEL, "third", NULL), 1);
	ck_assert_ptr_eq(callbacks[0].wv, third);
	snprintf(want_main, sizeof(want_main), "{\"event\":\"doc-saved\",\"id\":%d,\"payload\":null}", third_id);
	ck_assert_str_eq(callbacks[0].json, want_main);
	ck_assert_int_eq(cg_router_emit(r, "bad name", CG_TARGET_ANY, NULL, NULL), CG_EINVAL);
	ck_assert_int_eq(cg_router_emit(r, "x", CG_TARGET_WINDOW, NULL, NULL), CG_EINVAL);
	/* unlisten */
	reset();
	char msg[160];
	snprintf(msg, sizeof(msg), "{\"cmd\": \"plugin:event|unlisten\", \"payload\": {\"event\": \"doc-saved\", \"eventId\": %d}}", main_id);
	invoke(r, main_wv, msg, REQ(8));
	ck_assert_int_eq(replies[0].ok, 1);
	ck_assert_int_eq(cg_router_emit(r, "doc-saved", CG_TARGET_ANY, NULL, NULL), 2);
	ck_assert_int_eq(cg_router_unlisten(r, listener_core), 0);
	ck_assert_int_eq(cg_router_unlisten(r, listener_core), CG_ENOTFOUND);
	cg_router_free(r);
}
END_TEST

START_TEST(reload_takes_effect_next_message)
{
	cg_router *r = make_router(CAPS);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	cg_webview *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	invoke(r, other, "{\"cmd\": \"plugin:event|listen\", \"payload\": {\"event\": \"doc-x\", \"handler\": 5}}", REQ(1));
	ck_assert_int_eq(replies[0].ok, 1);
	invoke(r, wv, "{\"cmd\": \"defer\"}", REQ(2)); /* in flight across the reload */
	cg_call *c = deferred;
	/* new policy: main may only echo; other may no longer listen */
	const char *caps2 = "{\"identifier\": \"m\", \"windows\": [\"main\"], \"permissions\": [\"allow-echo\"]}";
	cg_builder *b = cg_builder_new();
	cg_router_declare_commands(r, b);
	cg_builder_add_capability_json(b, "caps2.json", caps2, strlen(caps2), NULL);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, NULL), 0);
	cg_builder_free(b);
	cg_router_set_policy(r, p);
	cg_policy_unref(p);
	invoke(r, wv, "{\"cmd\": \"double\"}", REQ(3));
	ck_assert_int_eq(replies[1].ok, 0);
	invoke(r, wv, "{\"cmd\": \"echo\"}", REQ(4));
	ck_assert_int_eq(replies[2].ok, 1);
	/* the in-flight call still answers */
	ck_assert_int_eq(cg_call_resolve(c, json_object_new_int(5)), 0);
	ck_assert_int_eq(replies[3].ok, 1);
	ck_assert_ptr_eq(replies[3].req, REQ(2));
	/* delivery re-checks listen permission under the new policy */
	ck_assert_int_eq(cg_router_emit(r, "doc-x", CG_TARGET_ANY, NULL, NULL), 0);
	ck_assert_int_eq(n_callbacks, 0);
	cg_router_free(r);
}
END_TEST

START_TEST(navigation_changes_origin)
{
	cg_router *r = make_router(CAPS);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	ck_assert_int_eq(cg_webview_set_origin(wv, "https://evil.example/"), 0);
	invoke(r, wv, "{\"cmd\": \"echo\"}", REQ(1));
	ck_assert_int_eq(replies[0].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[0].json, "origin https://evil.example/"));
	ck_assert_int_eq(cg_webview_set_origin(wv, "https://docs.example/page"), 0);
	invoke(r, wv, "{\"cmd\": \"double\", \"payload\": {\"n\": 4}}", REQ(2));
	want = 2;
	ck_assert(wait_for(r, enough_replies));
	ck_assert_int_eq(replies[1].ok, 1);
	ck_assert_str_eq(replies[1].json, "8");
	ck_assert_int_eq(cg_webview_set_origin(wv, NULL), 0);
	invoke(r, wv, "{\"cmd\": \"echo\"}", REQ(3));
	ck_assert_int_eq(replies[2].ok, 1);
	cg_router_free(r);
}
END_TEST

static char audit_lines[64][2000];
static int n_audit;
static char last_audit[2000];
static void on_audit(const char *line, void *user)
{
	snprintf(last_audit, sizeof(last_audit), "%s", line);
	if (n_audit < 64)
		snprintf(audit_lines[n_audit], sizeof(audit_lines[0]), "%s", line);
	n_audit++;
}

START_TEST(audit_log)
{
	cg_router *r = make_router(CAPS);
	n_audit = 0;
	char path[] = "/tmp/cg-audit-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	ck_assert_int_eq(cg_router_set_decision_log(r, CG_DECISION_LOG_DENIALS, path, on_audit, NULL, 5), 0);
	cg_webview *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "other", "other-wv", NULL, &other), 0);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"echo\"}", REQ(1)); /* allowed: not logged */
	invoke(r, other, "{\"cmd\": \"echo\"}", REQ(2));
	invoke(r, other, "not json", REQ(3));
	ck_assert_int_eq(n_audit, 2);
	json_object *o = json_tokener_parse(audit_lines[0]), *v;
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "time", &v));
	ck_assert(json_object_object_get_ex(o, "window", &v));
	ck_assert_str_eq(json_object_get_string(v), "other");
	ck_assert(json_object_object_get_ex(o, "webview", &v));
	ck_assert_str_eq(json_object_get_string(v), "other-wv");
	ck_assert(json_object_object_get_ex(o, "origin", &v));
	ck_assert_str_eq(json_object_get_string(v), "local");
	ck_assert(json_object_object_get_ex(o, "command", &v));
	ck_assert_str_eq(json_object_get_string(v), "echo");
	ck_assert(json_object_object_get_ex(o, "decision", &v));
	ck_assert_str_eq(json_object_get_string(v), "deny");
	ck_assert(json_object_object_get_ex(o, "reason", &v));
	ck_assert_ptr_nonnull(strstr(json_object_get_string(v), "allow-echo"));
	json_object_put(o);
	ck_assert_ptr_nonnull(strstr(audit_lines[1], "\"decision\":\"invalid\""));
	/* rate limit: 5/s with a burst of 10 */
	for (int i = 0; i < 100; i++)
		invoke(r, other, "{\"cmd\": \"echo\"}", REQ(4));
	ck_assert_int_le(n_audit, 12);
	/* every decision when asked */
	ck_assert_int_eq(cg_router_set_decision_log(r, CG_DECISION_LOG_ALL, NULL, on_audit, NULL, 1000), 0);
	n_audit = 0;
	invoke(r, wv, "{\"cmd\": \"echo\"}", REQ(5));
	ck_assert_int_eq(n_audit, 1);
	ck_assert_ptr_nonnull(strstr(audit_lines[0], "\"decision\":\"allow\""));
	/* the file got the same lines as the callback did */
	FILE *f = fopen(path, "r");
	char line[1000];
	int lines = 0;
	while (fgets(line, sizeof(line), f))
		lines++;
	fclose(f);
	ck_assert_int_ge(lines, 10);
	ck_assert_int_le(lines, 12);
	unlink(path);
	ck_assert_int_eq(cg_router_set_decision_log(r, CG_DECISION_LOG_DENIALS, "/nonexistent/dir/audit.log", NULL, NULL, 0), CG_EIO);
	cg_router_free(r);
}
END_TEST

static int enough_audit(void) { return n_audit >= want; }

/* Past the rate limit nothing is hidden: identical records become one line
 * with a count, every distinct one keeps its own, an allowed command call
 * is written at once, and what is held is written by the router's timer,
 * or when the log closes. */
START_TEST(audit_summarises_past_its_limit)
{
	cg_router *r = make_router(CAPS);
	n_audit = 0;
	ck_assert_int_eq(cg_router_set_decision_log(r, CG_DECISION_LOG_ALL, NULL, on_audit, NULL, 5), 0);
	cg_webview *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	for (int i = 0; i < 100; i++)
		invoke(r, other, "{\"cmd\": \"echo\"}", REQ(1));
	ck_assert_int_eq(n_audit, 10); /* the burst */
	/* A distinct denial, naming the window it would act on. */
	invoke(r, other, "{\"cmd\": \"plugin:window|close\", \"payload\": {\"label\": \"main\"}}", REQ(2));
	invoke(r, wv, "{\"cmd\": \"echo\"}", REQ(3));
	ck_assert_int_eq(n_audit, 11);
	ck_assert_ptr_nonnull(strstr(audit_lines[10], "\"window\":\"main\""));
	ck_assert_ptr_nonnull(strstr(audit_lines[10], "\"decision\":\"allow\""));
	ck_assert_ptr_null(strstr(audit_lines[10], "\"count\""));
	want = 13;
	ck_assert(wait_for(r, enough_audit));
	ck_assert_int_eq(n_audit, 13);
	ck_assert_ptr_nonnull(strstr(audit_lines[11], "\"window\":\"other\""));
	ck_assert_ptr_nonnull(strstr(audit_lines[11], "\"command\":\"echo\""));
	ck_assert_ptr_nonnull(strstr(audit_lines[11], "\"decision\":\"deny\""));
	ck_assert_ptr_nonnull(strstr(audit_lines[11], "\"count\":90,\"last\":"));
	ck_assert_ptr_nonnull(strstr(audit_lines[12], "\"command\":\"plugin:window|close\",\"target\":\"main\","));
	ck_assert_ptr_nonnull(strstr(audit_lines[12], "\"count\":1"));
	ck_assert_ptr_null(strstr(audit_lines[12], "\"last\""));
	/* Held when the log closes: written then. */
	for (int i = 0; i < 30; i++)
		invoke(r, other, "{\"cmd\": \"echo\"}", REQ(4));
	int before = n_audit;
	cg_router_free(r);
	long sum = 0;
	for (int i = 13; i < n_audit && i < 64; i++) {
		const char *c = strstr(audit_lines[i], "\"count\":");
		sum += c ? strtol(c + 8, NULL, 10) : 1;
	}
	ck_assert_int_gt(n_audit, before);
	ck_assert_int_eq(sum, 30);
}
END_TEST

/* Distinct records past the limit are held up to a bound; past it, one
 * line counts what could not be itemised. */
START_TEST(audit_held_records_are_bounded)
{
	cg_router *r = make_router(CAPS);
	n_audit = 0;
	ck_assert_int_eq(cg_router_set_decision_log(r, CG_DECISION_LOG_DENIALS, NULL, on_audit, NULL, 1), 0);
	cg_webview *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	char msg[128];
	for (int i = 0; i < 1100; i++) {
		snprintf(msg, sizeof(msg), "{\"cmd\": \"no_such_%d\"}", i);
		invoke(r, other, msg, REQ(1));
	}
	ck_assert_int_eq(n_audit, 2);
	cg_router_free(r);
	/* 2 at once, 1024 held, 74 counted on the last line */
	ck_assert_int_eq(n_audit, 2 + 1024 + 1);
	ck_assert_ptr_nonnull(strstr(last_audit, "\"dropped\":74,"));
}
END_TEST

START_TEST(pending_limit_and_removal)
{
	cg_router *r = make_router(CAPS);
	ck_assert_int_eq(cg_router_set_limit(r, CG_RLIMIT_PENDING, 2), 0);
	ck_assert_int_eq(cg_router_set_limit(r, CG_RLIMIT_PENDING, 0), CG_EINVAL);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"defer\"}", REQ(1));
	cg_call *a = deferred;
	invoke(r, wv, "{\"cmd\": \"defer\"}", REQ(2));
	cg_call *b = deferred;
	ck_assert_int_eq(invoke(r, wv, "{\"cmd\": \"defer\"}", REQ(3)), CG_ELIMIT);
	ck_assert_int_eq(n_replies, 1);
	ck_assert_ptr_nonnull(strstr(replies[0].json, "too many calls in flight"));
	cg_call_resolve(a, NULL);
	ck_assert_int_eq(invoke(r, wv, "{\"cmd\": \"echo\"}", REQ(4)), 0);
	ck_assert_int_eq(replies[2].ok, 1);
	/* removing the webview: b's answer is dropped; invokes on it refused */
	cg_router_remove_webview(r, wv);
	ck_assert_int_eq(cg_call_reject(b, "late"), 0);
	ck_assert_int_eq(n_replies, 3);
	cg_router_free(r);
}
END_TEST

START_TEST(api_misuse)
{
	cg_router *none = (cg_router *)1;
	ck_assert_int_eq(cg_router_new(NULL, &none), CG_EINVAL);
	ck_assert_ptr_null(none);
	cg_transport bad = {.version = CG_TRANSPORT_VERSION, .callback = t_callback};
	ck_assert_int_eq(cg_router_new(&bad, &none), CG_EINVAL);
	/* A transport of a version this library does not know (a newer
	 * host's, or garbage): refused rather than read past its end. */
	cg_transport future = {.version = CG_TRANSPORT_VERSION + 1, .reply = t_reply, .callback = t_callback};
	ck_assert_int_eq(cg_router_new(&future, &none), CG_EINVAL);
	future.version = 0;
	ck_assert_int_eq(cg_router_new(&future, &none), CG_EINVAL);
	ck_assert_int_eq(cg_router_new(&T, NULL), CG_EINVAL);
	cg_router *r = make_router(CAPS);
	ck_assert_int_eq(cg_router_register(r, NULL, "x|y", h_echo, NULL, CG_CMD_SYNC), CG_EIDENT);
	ck_assert_int_eq(cg_router_register(r, "bad key!", "x", h_echo, NULL, CG_CMD_SYNC), CG_EIDENT);
	ck_assert_int_eq(cg_router_register(r, NULL, "x", NULL, NULL, CG_CMD_SYNC), CG_EINVAL);
	cg_webview *wv = (cg_webview *)1;
	ck_assert_int_eq(cg_router_add_webview(r, NULL, NULL, NULL, &wv), CG_EINVAL);
	ck_assert_ptr_null(wv);
	ck_assert_int_eq(cg_router_add_webview(r, "", NULL, NULL, &wv), CG_EINVAL);
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, NULL), CG_EINVAL);
	ck_assert_int_eq(cg_router_invoke(r, NULL, "{}", 2, NULL), CG_EINVAL);
	ck_assert_int_eq(cg_router_set_policy(r, NULL), CG_EINVAL);
	ck_assert_int_eq(cg_router_set_limit(r, CG_RLIMIT_DEPTH, 100000), CG_EINVAL);
	ck_assert_int_eq(cg_call_resolve(NULL, json_object_new_int(1)), CG_EINVAL);
	ck_assert_int_eq(cg_channel_send(NULL, json_object_new_int(1)), CG_EINVAL);
	cg_channel_close(NULL);
	cg_router_free(r);
	cg_router_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("router");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sync_allowed_with_identity_and_scopes);
	tcase_add_test(tc, denials_and_unknown);
	tcase_add_test(tc, no_policy_no_calls);
	tcase_add_test(tc, async_answers_on_main_loop);
	tcase_add_test(tc, second_answer_ignored);
	tcase_add_test(tc, deferred_answer_once);
	tcase_add_test(tc, answer_after_webview_closed);
	tcase_add_test(tc, binary_calls);
	tcase_add_test(tc, channels_in_order);
	tcase_add_test(tc, events_respect_targets_and_permissions);
	tcase_add_test(tc, reload_takes_effect_next_message);
	tcase_add_test(tc, navigation_changes_origin);
	tcase_add_test(tc, audit_log);
	tcase_add_test(tc, audit_summarises_past_its_limit);
	tcase_add_test(tc, audit_held_records_are_bounded);
	tcase_add_test(tc, pending_limit_and_removal);
	tcase_add_test(tc, api_misuse);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

