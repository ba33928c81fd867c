/* Bytes through the router, both ways: binary answers (cg_call_resolve_bytes
 * and its taking variant), channel messages of bytes in order with JSON
 * ones, binary calls whose body travels beside the message
 * (cg_router_invoke_body) or as base64 inside it, limits.binary_size, and
 * binary calls sealed under the isolation pattern (sealed 2). The
 * transport here is a version-2 one that keeps references to the bytes,
 * as capgate's runtime does, and a version-1 one that gets JSON. */
#include "testutil.h"
#include "router/seal.h"

#include <poll.h>
#include <pthread.h>

/* ------------------------------------------------------------ transport */

#define MAXREC 1024

struct rec {
	cg_webview *wv;
	void *req;
	uint32_t id, index;
	int ok;
	char *json;      /* JSON answers and messages */
	cg_bytes *bytes; /* a reference the transport keeps */
};

static struct rec replies[MAXREC], callbacks[MAXREC];
static int n_replies, n_callbacks, n_drops;

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	ck_assert_int_lt(n_replies, MAXREC);
	replies[n_replies++] = (struct rec){wv, req, 0, 0, ok, strndup(json, len), NULL};
}

static void t_reply_bytes(void *user, cg_webview *wv, void *req, cg_bytes *b)
{
	ck_assert_int_lt(n_replies, MAXREC);
	replies[n_replies++] = (struct rec){wv, req, 0, 0, 2, NULL, cg_bytes_ref(b)};
}

static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len)
{
	ck_assert_int_lt(n_callbacks, MAXREC);
	callbacks[n_callbacks++] = (struct rec){wv, NULL, id, 0, 1, strndup(json, len), NULL};
}

static void t_callback_bytes(void *user, cg_webview *wv, uint32_t id, uint32_t index, cg_bytes *b)
{
	ck_assert_int_lt(n_callbacks, MAXREC);
	callbacks[n_callbacks++] = (struct rec){wv, NULL, id, index, 2, NULL, cg_bytes_ref(b)};
}

static void t_drop(void *user, void *req) { n_drops++; }

static const cg_transport T2 = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback,
				.drop = t_drop, .reply_bytes = t_reply_bytes,
				.callback_bytes = t_callback_bytes};
/* A host built against the first version: no byte members at all. */
static const cg_transport T1 = {.version = 1, .reply = t_reply, .callback = t_callback, .drop = t_drop};

static void reset(void)
{
	for (int i = 0; i < n_replies; i++) {
		free(replies[i].json);
		cg_bytes_unref(replies[i].bytes);
	}
	for (int i = 0; i < n_callbacks; i++) {
		free(callbacks[i].json);
		cg_bytes_unref(callbacks[i].bytes);
	}
	n_replies = n_callbacks = n_drops = 0;
}

static int want;
static int enough_replies(void) { return n_replies >= want; }
static int enough_callbacks(void) { return n_callbacks >= want; }

static int wait_for(cg_router *r, int (*pred)(void))
{
	for (int i = 0; i < 1000 && !pred(); i++) {
		struct pollfd p = {cg_router_fd(r), POLLIN, 0};
		if (poll(&p, 1, 10) > 0)
			cg_router_process(r);
	}
	return pred();
}

/* ------------------------------------------------------------- handlers */

static unsigned char pattern(size_t i) { return (unsigned char)((i * 7 + 3) & 255); }

static unsigned char *make_pattern(size_t n)
{
	unsigned char *p = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++)
		p[i] = pattern(i);
	return p;
}

static void assert_pattern(const cg_bytes *b, size_t n)
{
	size_t len = 99;
	const unsigned char *d = cg_bytes_data(b, &len);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(len, n);
	unsigned char *exp = make_pattern(n);
	ck_assert(memcmp(d, exp, n) == 0);
	free(exp);
}

static int frees;
static void count_free(void *p)
{
	__atomic_add_fetch(&frees, 1, __ATOMIC_RELAXED);
	free(p);
}

/* {"n": N, "take": bool}: N pattern bytes, copied or handed over. */
static int answer_n(cg_call *c)
{
	json_object *a = cg_call_args(c), *v;
	size_t n = json_object_object_get_ex(a, "n", &v) ? (size_t)json_object_get_int64(v) : 0;
	bool take = json_object_object_get_ex(a, "take", &v) && json_object_get_boolean(v);
	unsigned char *p = make_pattern(n);
	if (take)
		return cg_call_resolve_bytes_take(c, p, n, count_free);
	int rc = cg_call_resolve_bytes(c, p, n);
	/* Copied: what the handler does with its buffer now is its own. */
	memset(p, 0xEE, n);
	free(p);
	return rc;
}

static int last_rc;
static int h_src(cg_call *c, void *user) { return last_rc = answer_n(c); }
static int h_src_async(cg_call *c, void *user)
{
	int rc = answer_n(c);
	__atomic_store_n(&last_rc, rc, __ATOMIC_RELEASE);
	return rc;
}

static cg_call *deferred;
static int h_defer(cg_call *c, void *user)
{
	deferred = c;
	return 0;
}

/* Misuse first (no answer), then one answer; the later ones refused, and
 * what they hand over freed. */
static int h_twice(cg_call *c, void *user)
{
	ck_assert_int_eq(cg_call_resolve_bytes(c, NULL, 3), CG_EINVAL);
	ck_assert_int_eq(cg_call_resolve_bytes_take(c, NULL, 3, count_free), CG_EINVAL);
	ck_assert_int_eq(cg_call_resolve_bytes(c, "xyz", 3), 0);
	ck_assert_int_eq(cg_call_resolve_bytes_take(c, make_pattern(4), 4, count_free), CG_ESTATE);
	ck_assert_int_eq(cg_call_resolve_bytes(c, "no", 2), CG_ESTATE);
	ck_assert_int_eq(cg_call_resolve(c, NULL), CG_ESTATE);
	return 0;
}

/* Echoes a binary call's body as a binary answer, with a header. */
static char seen_header[64];
static int seen_args_null;
static int h_sink(cg_call *c, void *user)
{
	size_t len = 0;
	const void *b = cg_call_body(c, &len);
	const char *h = cg_call_header(c, "x-name");
	snprintf(seen_header, sizeof(seen_header), "%s", h ? h : "(none)");
	seen_args_null = cg_call_args(c) == NULL;
	return cg_call_resolve_bytes(c, b ? b : "", len);
}

/* {"ch": channel}: JSON 0, bytes [1,2,3], JSON "two", 0 bytes, end. */
static int h_mixed(cg_call *c, void *user)
{
	cg_channel *ch = cg_call_channel(c, "ch");
	if (!ch)
		return cg_call_reject(c, "no channel");
	static const unsigned char b[] = {1, 2, 3};
	ck_assert_int_eq(cg_channel_send(ch, json_object_new_int(0)), 0);
	ck_assert_int_eq(cg_channel_send_bytes(ch, b, sizeof(b)), 0);
	ck_assert_int_eq(cg_channel_send(ch, json_object_new_string("two")), 0);
	ck_assert_int_eq(cg_channel_send_bytes(ch, NULL, 0), 0);
	ck_assert_int_eq(cg_channel_send_bytes(ch, NULL, 1), CG_EINVAL);
	ck_assert_int_eq(cg_channel_send_bytes(NULL, b, 1), CG_EINVAL);
	/* Over the limit: nothing sent, the channel goes on. */
	size_t max = 16;
	unsigned char *big = make_pattern(max + 1);
	ck_assert_int_eq(cg_channel_send_bytes(ch, big, max + 1), CG_ELIMIT);
	free(big);
	cg_channel_close(ch);
	return cg_call_resolve(c, NULL);
}

/* --------------------------------------------------------------- set-up */

static const char *CAPS =
	"[{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": ["
	"   \"allow-src\", \"allow-src-async\", \"allow-twice\", \"allow-defer\", \"allow-sink\", \"allow-mixed\","
	"   \"core:event:allow-emit\"]}]";

static cg_router *make_router(const cg_transport *t)
{
	reset();
	frees = 0;
	cg_router *r = NULL;
	ck_assert_int_eq(cg_router_new(t, &r), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "src", h_src, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "src_async", h_src_async, NULL, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "defer", h_defer, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "sink", h_sink, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "mixed", h_mixed, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "twice", h_twice, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "denied", h_sink, NULL, CG_CMD_SYNC), 0);
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
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
	return r;
}

static int invoke(cg_router *r, cg_webview *wv, const char *msg, void *req)
{
	return cg_router_invoke(r, wv, msg, strlen(msg), req);
}

static void assert_rejected(int i, const char *needle)
{
	ck_assert_int_gt(n_replies, i);
	ck_assert_msg(replies[i].ok == 0, "reply %d: expected a rejection, got ok=%d", i, replies[i].ok);
	ck_assert_msg(strstr(replies[i].json, needle), "reply %d: \"%s\" does not mention \"%s\"", i,
		      replies[i].json, needle);
}

#define REQ(n) ((void *)(uintptr_t)(n))

/* A body malloc'd for cg_router_invoke_body (which takes it). */
static void *body_of(const void *data, size_t n)
{
	void *p = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(p);
	if (n)
		memcpy(p, data, n);
	return p;
}

static int invoke_body(cg_router *r, cg_webview *wv, const char *msg, const void *data, size_t n, void *req)
{
	return cg_router_invoke_body(r, wv, msg, strlen(msg), body_of(data, n), n, count_free, req);
}

/* ---------------------------------------------------------------- tests */

START_TEST(answers_are_bytes)
{
	static const size_t sizes[] = {0, 1, 255, 256, 4097, 65537, 1 << 20};
	cg_router *r = make_router(&T2);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	int k = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++)
		for (int take = 0; take < 2; take++) {
			char msg[128];
			snprintf(msg, sizeof(msg), "{\"cmd\": \"src\", \"payload\": {\"n\": %zu, \"take\": %s}}",
				 sizes[i], take ? "true" : "false");
			ck_assert_int_eq(invoke(r, wv, msg, REQ(k)), 0);
			ck_assert_int_eq(last_rc, 0);
			ck_assert_int_eq(n_replies, k + 1);
			ck_assert_int_eq(replies[k].ok, 2);
			ck_assert_ptr_eq(replies[k].req, REQ(k));
			assert_pattern(replies[k].bytes, sizes[i]);
			k++;
		}
	/* The handler's buffers live while the transport holds them (no
	 * copy), and go with the last reference. */
	ck_assert_int_eq(frees, 0);
	reset();
	ck_assert_int_eq(frees, 7);
	cg_router_free(r);
}
END_TEST

START_TEST(answers_from_workers_and_deferred)
{
	cg_router *r = make_router(&T2);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	for (int i = 0; i < 20; i++) {
		char msg[128];
		snprintf(msg, sizeof(msg), "{\"cmd\": \"src_async\", \"payload\": {\"n\": %d, \"take\": %s}}",
			 1000 + i, i % 2 ? "true" : "false");
		ck_assert_int_eq(invoke(r, wv, msg, REQ(i)), 0);
	}
	want = 20;
	ck_assert(wait_for(r, enough_replies));
	for (int i = 0; i < 20; i++) {
		int k = (int)(uintptr_t)replies[i].req;
		ck_assert_int_eq(replies[i].ok, 2);
		assert_pattern(replies[i].bytes, (size_t)(1000 + k));
	}
	/* A deferred answer, then a second one refused (and its bytes freed). */
	ck_assert_int_eq(invoke(r, wv, "{\"cmd\": \"defer\"}", REQ(99)), 0);
	cg_call *c = deferred;
	ck_assert_int_eq(cg_call_resolve_bytes(c, "ab", 2), 0);
	ck_assert_int_eq(n_replies, 21);
	size_t n = 0;
	const char *d = cg_bytes_data(replies[20].bytes, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(d, "ab", 2);
	reset();
	cg_router_free(r);
}
END_TEST

START_TEST(second_answer_and_misuse)
{
	cg_router *r = make_router(&T2);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	ck_assert_int_eq(cg_call_resolve_bytes(NULL, "a", 1), CG_EINVAL);
	unsigned char *p = make_pattern(4);
	ck_assert_int_eq(cg_call_resolve_bytes_take(NULL, p, 4, count_free), CG_EINVAL);
	ck_assert_int_eq(frees, 1); /* taken even then */
	ck_assert_int_eq(invoke(r, wv, "{\"cmd\": \"twice\"}", REQ(1)), 0);
	ck_assert_int_eq(frees, 2);
	ck_assert_int_eq(n_replies, 1);
	size_t n = 0;
	const char *d = cg_bytes_data(replies[0].bytes, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(d, "xyz", 3);
	/* cg_bytes: NULL is harmless. */
	ck_assert_ptr_null(cg_bytes_data(NULL, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(cg_bytes_ref(NULL));
	cg_bytes_unref(NULL);
	reset();
	cg_router_free(r);
}
END_TEST

START_TEST(answer_limit)
{
	cg_router *r = make_router(&T2);
	ck_assert_uint_eq(cg_router_get_limit(r, CG_RLIMIT_BINARY_SIZE), (size_t)64 << 20);
	ck_assert_int_eq(cg_router_set_limit(r, CG_RLIMIT_BINARY_SIZE, 0), CG_EINVAL);
	ck_assert_int_eq(cg_router_set_limit(r, CG_RLIMIT_BINARY_SIZE, 100), 0);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"src\", \"payload\": {\"n\": 100}}", REQ(1));
	ck_assert_int_eq(last_rc, 0);
	invoke(r, wv, "{\"cmd\": \"src\", \"payload\": {\"n\": 101}}", REQ(2));
	ck_assert_int_eq(last_rc, CG_ELIMIT);
	assert_rejected(1, "limits.binary_size (100 bytes)");
	ck_assert_ptr_nonnull(strstr(replies[1].json, "101 bytes"));
	ck_assert_ptr_nonnull(strstr(replies[1].json, "channel"));
	invoke(r, wv, "{\"cmd\": \"src\", \"payload\": {\"n\": 101, \"take\": true}}", REQ(3));
	ck_assert_int_eq(last_rc, CG_ELIMIT);
	assert_rejected(2, "limits.binary_size");
	ck_assert_int_eq(frees, 1); /* taken, and freed */
	reset();
	cg_router_free(r);
}
END_TEST

START_TEST(answer_to_a_gone_webview)
{
	cg_router *r = make_router(&T2);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"defer\"}", REQ(1));
	cg_call *c = deferred;
	cg_router_remove_webview(r, wv);
	unsigned char *p = make_pattern(10);
	ck_assert_int_eq(cg_call_resolve_bytes_take(c, p, 10, count_free), 0);
	ck_assert_int_eq(n_replies, 0);
	ck_assert_int_eq(n_drops, 1);
	ck_assert_int_eq(frees, 1);
	cg_router_free(r);
}
END_TEST

START_TEST(version_1_transport_gets_json)
{
	cg_router *r = make_router(&T1);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"defer\"}", REQ(1));
	static const unsigned char b[] = {0, 9, 10, 99, 100, 255};
	ck_assert_int_eq(cg_call_resolve_bytes(deferred, b, sizeof(b)), 0);
	ck_assert_int_eq(n_replies, 1);
	ck_assert_int_eq(replies[0].ok, 1);
	ck_assert_str_eq(replies[0].json, "[0,9,10,99,100,255]");
	invoke(r, wv, "{\"cmd\": \"defer\"}", REQ(2));
	ck_assert_int_eq(cg_call_resolve_bytes(deferred, NULL, 0), 0);
	ck_assert_str_eq(replies[1].json, "[]");
	/* A channel's bytes, the same way, in order. */
	cg_router_set_limit(r, CG_RLIMIT_BINARY_SIZE, 16);
	invoke(r, wv, "{\"cmd\": \"mixed\", \"payload\": {\"ch\": \"__CHANNEL__:5\"}}", REQ(3));
	want = 5;
	ck_assert(wait_for(r, enough_callbacks));
	ck_assert_int_eq(n_callbacks, 5);
	ck_assert_str_eq(callbacks[0].json, "{\"message\":0,\"index\":0,\"id\":0}");
	ck_assert_str_eq(callbacks[1].json, "{\"message\":[1,2,3],\"index\":1,\"id\":1}");
	ck_assert_str_eq(callbacks[2].json, "{\"message\":\"two\",\"index\":2,\"id\":2}");
	ck_assert_str_eq(callbacks[3].json, "{\"message\":[],\"index\":3,\"id\":3}");
	ck_assert_str_eq(callbacks[4].json, "{\"end\":true,\"index\":4}");
	reset();
	cg_router_free(r);
}
END_TEST

START_TEST(channel_bytes_in_order)
{
	cg_router *r = make_router(&T2);
	cg_router_set_limit(r, CG_RLIMIT_BINARY_SIZE, 16);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"mixed\", \"payload\": {\"ch\": \"__CHANNEL__:9\"}}", REQ(1));
	want = 5;
	ck_assert(wait_for(r, enough_callbacks));
	ck_assert_int_eq(n_callbacks, 5);
	for (int i = 0; i < 5; i++) {
		ck_assert_uint_eq(callbacks[i].id, 9);
		ck_assert_ptr_eq(callbacks[i].wv, wv);
	}
	ck_assert_str_eq(callbacks[0].json, "{\"message\":0,\"index\":0,\"id\":0}");
	ck_assert_int_eq(callbacks[1].ok, 2);
	ck_assert_uint_eq(callbacks[1].index, 1);
	size_t n = 0;
	const unsigned char *d = cg_bytes_data(callbacks[1].bytes, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert(d[0] == 1 && d[1] == 2 && d[2] == 3);
	ck_assert_str_eq(callbacks[2].json, "{\"message\":\"two\",\"index\":2,\"id\":2}");
	ck_assert_int_eq(callbacks[3].ok, 2);
	ck_assert_uint_eq(callbacks[3].index, 3);
	cg_bytes_data(callbacks[3].bytes, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(callbacks[4].json, "{\"end\":true,\"index\":4}");
	reset();
	cg_router_free(r);
}
END_TEST

/* A channel fed from many threads at once keeps one order: indices 0..N-1
 * reach the transport in that order, bytes and JSON alike. */
static cg_channel *shared_ch;
static void *feeder(void *arg)
{
	uintptr_t k = (uintptr_t)arg;
	for (int i = 0; i < 200; i++) {
		unsigned char b = (unsigned char)k;
		int rc = i % 2 ? cg_channel_send_bytes(shared_ch, &b, 1)
			       : cg_channel_send(shared_ch, json_object_new_int((int)k));
		ck_assert_int_eq(rc, 0);
	}
	return NULL;
}

static int h_keep(cg_call *c, void *user)
{
	shared_ch = cg_call_channel(c, "ch");
	return cg_call_resolve(c, NULL);
}

START_TEST(channel_order_across_threads)
{
	cg_router *r = make_router(&T2);
	ck_assert_int_eq(cg_router_register(r, NULL, "keep", h_keep, NULL, CG_CMD_SYNC), 0);
	/* keep is not in the policy: grant it. */
	const char *caps = "[{\"identifier\": \"k\", \"windows\": [\"main\"], \"permissions\": [\"allow-keep\"]}]";
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	cg_router_declare_commands(r, b);
	cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), d);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	cg_router_set_policy(r, p);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	invoke(r, wv, "{\"cmd\": \"keep\", \"payload\": {\"ch\": \"__CHANNEL__:3\"}}", REQ(1));
	ck_assert_ptr_nonnull(shared_ch);
	pthread_t t[4];
	for (uintptr_t i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, feeder, (void *)i);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	cg_channel_close(shared_ch);
	want = 801;
	ck_assert(wait_for(r, enough_callbacks));
	for (int i = 0; i < 800; i++) {
		char idx[32];
		snprintf(idx, sizeof(idx), "\"index\":%d,", i);
		if (callbacks[i].bytes)
			ck_assert_uint_eq(callbacks[i].index, (uint32_t)i);
		else
			ck_assert_msg(strstr(callbacks[i].json, idx), "message %d out of order: %s", i,
				      callbacks[i].json);
	}
	ck_assert_str_eq(callbacks[800].json, "{\"end\":true,\"index\":800}");
	reset();
	cg_router_free(r);
}
END_TEST

START_TEST(body_beside_the_message)
{
	cg_router *r = make_router(&T2);
	cg_webview *wv = NULL, *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	const char *msg = "{\"cmd\": \"sink\", \"options\": {\"headers\": {\"X-Name\": \"t\"}}}";
	ck_assert_int_eq(invoke_body(r, wv, msg, all, sizeof(all), REQ(1)), 0);
	ck_assert_int_eq(n_replies, 1);
	ck_assert_int_eq(replies[0].ok, 2);
	size_t n = 0;
	const void *d = cg_bytes_data(replies[0].bytes, &n);
	ck_assert_uint_eq(n, 256);
	ck_assert_mem_eq(d, all, 256);
	ck_assert_str_eq(seen_header, "t");
	ck_assert_int_eq(seen_args_null, 1);
	ck_assert_int_eq(frees, 1); /* the body, once the handler was done */
	/* Empty body. */
	ck_assert_int_eq(invoke_body(r, wv, "{\"cmd\": \"sink\"}", "", 0, REQ(2)), 0);
	cg_bytes_data(replies[1].bytes, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(seen_header, "(none)");

	/* Every refusal goes through the transport, and frees the body. */
	frees = 0;
	ck_assert_int_lt(invoke_body(r, other, "{\"cmd\": \"sink\"}", all, 3, REQ(3)), 0);
	assert_rejected(2, "allow-sink");
	ck_assert_int_lt(invoke_body(r, wv, "{\"cmd\": \"denied\"}", all, 3, REQ(4)), 0);
	assert_rejected(3, "denied");
	ck_assert_int_lt(invoke_body(r, wv, "{\"cmd\": \"sink\", \"payload\": {}}", all, 3, REQ(5)), 0);
	assert_rejected(4, "beside");
	ck_assert_int_lt(invoke_body(r, wv, "{\"cmd\": \"sink\", \"body\": \"AQID\"}", all, 3, REQ(6)), 0);
	assert_rejected(5, "body");
	ck_assert_int_lt(invoke_body(r, wv, "{\"cmd\": \"plugin:event|emit\"}", all, 3, REQ(7)), 0);
	assert_rejected(6, "event commands take JSON");
	ck_assert_int_lt(invoke_body(r, wv, "{\"cmd\": ", all, 3, REQ(8)), 0);
	assert_rejected(7, "malformed");
	ck_assert_int_lt(invoke_body(r, wv, "{\"cmd\": \"sink\", \"options\": {\"headers\": {\"a\": 1}}}", all, 3,
				     REQ(9)), 0);
	assert_rejected(8, "header");
	ck_assert_int_lt(cg_router_invoke_body(r, wv, NULL, 0, body_of(all, 3), 3, count_free, REQ(10)), 0);
	assert_rejected(9, "empty message");
	/* The limit: refused before the message is read, the limit named. */
	cg_router_set_limit(r, CG_RLIMIT_BINARY_SIZE, 255);
	ck_assert_int_eq(invoke_body(r, wv, msg, all, 256, REQ(11)), CG_ELIMIT);
	assert_rejected(10, "limits.binary_size (255 bytes)");
	ck_assert_int_eq(invoke_body(r, wv, "{\"cmd\": ", all, 256, REQ(12)), CG_ELIMIT);
	assert_rejected(11, "256 bytes");
	ck_assert_int_eq(invoke_body(r, wv, msg, all, 255, REQ(13)), 0);
	ck_assert_int_eq(replies[12].ok, 2);
	ck_assert_int_eq(n_replies, 13);
	ck_assert_int_eq(frees, 11);
	/* Not a webview of this router: nothing answered, the body freed. */
	ck_assert_int_eq(invoke_body(NULL, wv, msg, all, 3, REQ(14)), CG_EINVAL);
	ck_assert_int_eq(cg_router_invoke_body(r, wv, msg, strlen(msg), NULL, 3, count_free, REQ(15)), CG_EINVAL);
	ck_assert_int_eq(n_replies, 13);
	ck_assert_int_eq(frees, 12);
	reset();
	cg_router_free(r);
}
END_TEST

START_TEST(body_inside_the_message)
{
	cg_router *r = make_router(&T2);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	/* Small binary calls travel as base64 in "body", read by the same
	 * parser; the limit is limits.binary_size's. */
	ck_assert_int_eq(invoke(r, wv, "{\"cmd\": \"sink\", \"body\": \"AAEC/w==\", \"options\": {\"headers\": "
				       "{\"X-Name\": \"b\"}}}", REQ(1)), 0);
	size_t n = 0;
	const unsigned char *d = cg_bytes_data(replies[0].bytes, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert(d[0] == 0 && d[1] == 1 && d[2] == 2 && d[3] == 255);
	ck_assert_str_eq(seen_header, "b");
	ck_assert_int_lt(invoke(r, wv, "{\"cmd\": \"sink\", \"body\": \"AAEC/w\"}", REQ(2)), 0);
	assert_rejected(1, "canonical base64");
	ck_assert_int_lt(invoke(r, wv, "{\"cmd\": \"sink\", \"body\": \"AA==\", \"payload\": {}}", REQ(3)), 0);
	assert_rejected(2, "not both");
	ck_assert_int_lt(invoke(r, wv, "{\"cmd\": \"plugin:event|emit\", \"body\": \"AA==\"}", REQ(4)), 0);
	assert_rejected(3, "event commands take JSON");
	cg_router_set_limit(r, CG_RLIMIT_BINARY_SIZE, 3);
	ck_assert_int_eq(invoke(r, wv, "{\"cmd\": \"sink\", \"body\": \"AAEC/w==\"}", REQ(5)), CG_ELIMIT);
	assert_rejected(4, "limits.binary_size (3 bytes)");
	reset();
	cg_router_free(r);
}
END_TEST

/* ------------------------------------------------------------ isolation */

static const uint8_t KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

struct sealed {
	char *env;
	uint8_t *body;
	size_t len;
};

static struct sealed seal_body(cg_sealer *s, const char *webview, const char *cmd, const char *msg,
			       const void *data, size_t n)
{
	struct sealed x = {0};
	x.env = cg_sealer_seal_body(s, webview, cmd, msg, data, n, &x.body, &x.len);
	ck_assert_ptr_nonnull(x.env);
	ck_assert_uint_eq(x.len, strlen(msg) + 1 + n + CG_SEAL_TAG_SIZE);
	return x;
}

/* Hands the sealed call to the router (which takes a copy of the body:
 * the test keeps its own to send again). */
static int send_sealed(cg_router *r, cg_webview *wv, const struct sealed *x, void *req)
{
	return cg_router_invoke_body(r, wv, x->env, strlen(x->env), body_of(x->body, x->len), x->len, count_free,
				     req);
}

START_TEST(sealed_binary_calls)
{
	cg_router *r = make_router(&T2);
	ck_assert_int_eq(cg_router_set_isolation(r, KEY, sizeof(KEY)), 0);
	cg_webview *wv = NULL, *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	cg_sealer *s = cg_sealer_new_with_key(KEY);
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	const char *msg = "{\"cmd\":\"sink\",\"options\":{\"headers\":{\"X-Name\":\"s\"}}}";
	struct sealed a = seal_body(s, "main", "sink", msg, all, sizeof(all));
	ck_assert_int_eq(send_sealed(r, wv, &a, REQ(1)), 0);
	ck_assert_int_eq(replies[0].ok, 2);
	size_t n = 0;
	const void *d = cg_bytes_data(replies[0].bytes, &n);
	ck_assert_uint_eq(n, 256);
	ck_assert_mem_eq(d, all, 256);
	ck_assert_str_eq(seen_header, "s");

	/* Replayed: refused. */
	ck_assert_int_eq(send_sealed(r, wv, &a, REQ(2)), CG_ESEAL);
	assert_rejected(1, "replayed");
	/* For another webview: does not open. */
	struct sealed b = seal_body(s, "main", "sink", msg, all, 3);
	ck_assert_int_eq(send_sealed(r, other, &b, REQ(3)), CG_ESEAL);
	assert_rejected(2, "bad tag");
	/* One bit of the body changed: does not open. */
	b.body[b.len / 2] ^= 1;
	ck_assert_int_eq(send_sealed(r, wv, &b, REQ(4)), CG_ESEAL);
	assert_rejected(3, "bad tag");
	b.body[b.len / 2] ^= 1;
	/* The envelope says another command: bound in the AAD. */
	char *swapped = strdup(b.env);
	char *c = strstr(swapped, "\"sink\"");
	memcpy(c, "\"sonk\"", 6);
	ck_assert_int_eq(cg_router_invoke_body(r, wv, swapped, strlen(swapped), body_of(b.body, b.len), b.len,
					       count_free, REQ(5)), CG_ESEAL);
	assert_rejected(4, "bad tag");
	free(swapped);
	/* A sealed binary call is no JSON message, and the other way round:
	 * each path takes only its own envelope. */
	ck_assert_int_lt(invoke(r, wv, b.env, REQ(6)), 0);
	assert_rejected(5, "not a valid sealed message");
	char *e1 = cg_sealer_seal(s, "main", "sink", "{\"cmd\":\"sink\",\"body\":\"AQ==\"}", 28);
	ck_assert_int_lt(cg_router_invoke_body(r, wv, e1, strlen(e1), body_of(all, 16), 16, count_free, REQ(7)), 0);
	assert_rejected(6, "not a valid sealed message");
	/* An unsealed message beside a body. */
	ck_assert_int_lt(invoke_body(r, wv, "{\"cmd\":\"sink\"}", all, 20, REQ(8)), 0);
	assert_rejected(7, "not a valid sealed message");
	/* The untouched b still opens: nothing above moved the sequence. */
	ck_assert_int_eq(send_sealed(r, wv, &b, REQ(9)), 0);
	ck_assert_int_eq(replies[8].ok, 2);
	/* The policy still decides. */
	struct sealed dn = seal_body(s, "main", "denied", "{\"cmd\":\"denied\"}", all, 1);
	ck_assert_int_eq(send_sealed(r, wv, &dn, REQ(10)), CG_ESTATE);
	assert_rejected(9, "denied");
	/* Inside the seal, a payload is refused as the plain path refuses it. */
	struct sealed pl = seal_body(s, "main", "sink", "{\"cmd\":\"sink\",\"payload\":{}}", all, 1);
	ck_assert_int_lt(send_sealed(r, wv, &pl, REQ(11)), 0);
	assert_rejected(10, "beside");
	ck_assert_int_eq(n_replies, 11);
	ck_assert_int_eq(frees, 10);
	free(e1);
	struct sealed *all_sealed[] = {&a, &b, &dn, &pl};
	for (int i = 0; i < 4; i++) {
		free(all_sealed[i]->env);
		free(all_sealed[i]->body);
	}
	cg_sealer_free(s);
	reset();
	cg_router_free(r);
}
END_TEST

START_TEST(sealed_limit)
{
	cg_router *r = make_router(&T2);
	ck_assert_int_eq(cg_router_set_isolation(r, KEY, sizeof(KEY)), 0);
	cg_router_set_limit(r, CG_RLIMIT_BINARY_SIZE, 100);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	cg_sealer *s = cg_sealer_new_with_key(KEY);
	unsigned char *p = make_pattern(101);
	/* The call's own bytes are counted, not the message and tag around
	 * them: 100 passes, 101 does not. */
	struct sealed ok = seal_body(s, "main", "sink", "{\"cmd\":\"sink\"}", p, 100);
	struct sealed big = seal_body(s, "main", "sink", "{\"cmd\":\"sink\"}", p, 101);
	ck_assert_int_eq(send_sealed(r, wv, &ok, REQ(1)), 0);
	ck_assert_int_eq(replies[0].ok, 2);
	ck_assert_int_eq(send_sealed(r, wv, &big, REQ(2)), CG_ELIMIT);
	assert_rejected(1, "limits.binary_size (100 bytes)");
	/* Far over: refused before it is opened. */
	ck_assert_int_eq(cg_router_invoke_body(r, wv, big.env, strlen(big.env), body_of(p, 1), (size_t)64 << 20,
					       count_free, REQ(3)), CG_ELIMIT);
	assert_rejected(2, "limits.binary_size");
	free(p);
	free(ok.env);
	free(ok.body);
	free(big.env);
	free(big.body);
	cg_sealer_free(s);
	reset();
	cg_router_free(r);
}
END_TEST

/* A binary call (a fetch) and a JSON call (a message) sealed one after the
 * other may reach the core in either order: both open, once each. */
START_TEST(sealed_paths_may_overtake)
{
	cg_router *r = make_router(&T2);
	ck_assert_int_eq(cg_router_set_isolation(r, KEY, sizeof(KEY)), 0);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	cg_sealer *s = cg_sealer_new_with_key(KEY);
	struct sealed bin = seal_body(s, "main", "sink", "{\"cmd\":\"sink\"}", "abc", 3);    /* seq 1 */
	const char *jm = "{\"cmd\":\"src\",\"payload\":{\"n\":2}}";
	char *json = cg_sealer_seal(s, "main", "src", jm, strlen(jm));                        /* seq 2 */
	ck_assert_int_eq(invoke(r, wv, json, REQ(1)), 0);
	ck_assert_int_eq(send_sealed(r, wv, &bin, REQ(2)), 0);
	ck_assert_int_eq(replies[0].ok, 2);
	ck_assert_int_eq(replies[1].ok, 2);
	ck_assert_int_lt(invoke(r, wv, json, REQ(3)), 0);
	ck_assert_int_lt(send_sealed(r, wv, &bin, REQ(4)), 0);
	assert_rejected(2, "replayed");
	assert_rejected(3, "replayed");
	free(json);
	free(bin.env);
	free(bin.body);
	cg_sealer_free(s);
	reset();
	cg_router_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bytes");
	TCase *tc = tcase_create("bytes");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, answers_are_bytes);
	tcase_add_test(tc, answers_from_workers_and_deferred);
	tcase_add_test(tc, second_answer_and_misuse);
	tcase_add_test(tc, answer_limit);
	tcase_add_test(tc, answer_to_a_gone_webview);
	tcase_add_test(tc, version_1_transport_gets_json);
	tcase_add_test(tc, channel_bytes_in_order);
	tcase_add_test(tc, channel_order_across_threads);
	tcase_add_test(tc, body_beside_the_message);
	tcase_add_test(tc, body_inside_the_message);
	tcase_add_test(tc, sealed_binary_calls);
	tcase_add_test(tc, sealed_limit);
	tcase_add_test(tc, sealed_paths_may_overtake);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
