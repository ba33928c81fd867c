/* The router's resource tables: a handler stores an object and answers
 * its rid; the page closes it with plugin:resources|close (under the
 * policy); tables are per webview; everything left is freed when the
 * webview is removed, when the host frees its resources (a new document)
 * and with the router; a handler's reference outlives a close. */
#include "testutil.h"

#include <poll.h>

struct rec {
	int ok;
	char *json;
};
static struct rec replies[256];
static int n_replies;

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	ck_assert_int_lt(n_replies, 256);
	replies[n_replies++] = (struct rec){ok, strndup(json, len)};
}
static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len) {}
static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};

static void reset(void)
{
	for (int i = 0; i < n_replies; i++)
		free(replies[i].json);
	n_replies = 0;
}

static int frees;
static void count_free(void *p)
{
	__atomic_add_fetch(&frees, 1, __ATOMIC_RELAXED);
	free(p);
}

/* open {"v": N}: a resource holding N, answered with its rid. */
static int h_open(cg_call *c, void *user)
{
	json_object *v = NULL;
	json_object_object_get_ex(cg_call_args(c), "v", &v);
	int *obj = malloc(sizeof(int));
	*obj = v ? json_object_get_int(v) : 0;
	uint32_t rid = 0;
	int rc = cg_call_add_resource(c, "test:int", obj, count_free, &rid);
	if (rc < 0)
		return rc;
	ck_assert_uint_gt(rid, 0);
	ck_assert_uint_le(rid, 0x7fffffffu);
	return cg_call_resolve(c, json_object_new_int64(rid));
}

/* read {"rid": R, "type": T}: the object's value. */
static cg_resource *held;
static int h_read(cg_call *c, void *user)
{
	json_object *r = NULL, *t = NULL;
	json_object_object_get_ex(cg_call_args(c), "rid", &r);
	json_object_object_get_ex(cg_call_args(c), "type", &t);
	cg_resource *res = NULL;
	int rc = cg_call_get_resource(c, (uint32_t)json_object_get_int64(r), t ? json_object_get_string(t) : "test:int",
				      &res);
	if (rc < 0)
		return cg_call_reject(c, "not found");
	ck_assert_str_eq(cg_resource_type(res), "test:int");
	ck_assert_uint_eq(cg_resource_rid(res), (uint32_t)json_object_get_int64(r));
	int v = *(int *)cg_resource_object(res);
	held = res; /* kept: the test drops it */
	return cg_call_resolve(c, json_object_new_int(v));
}

static const char *CAPS =
	"[{\"identifier\": \"c\", \"windows\": [\"main\", \"other\"], \"permissions\": [\"allow-open\", \"allow-read\","
	" \"allow-open-async\", \"core:resources:default\"]},"
	" {\"identifier\": \"n\", \"windows\": [\"noclose\"], \"permissions\": [\"allow-open\"]}]";

static cg_router *make_router(void)
{
	reset();
	frees = 0;
	cg_router *r = NULL;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "open", h_open, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "open_async", h_open, NULL, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "read", h_read, NULL, CG_CMD_SYNC), 0);
	/* The built-in close is the router's own. */
	ck_assert_int_eq(cg_router_register(r, "core:resources", "close", h_read, NULL, CG_CMD_SYNC), CG_EDUPLICATE);
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

static int call(cg_router *r, cg_webview *wv, const char *msg)
{
	return cg_router_invoke(r, wv, msg, strlen(msg), NULL);
}

static uint32_t open_one(cg_router *r, cg_webview *wv, int v)
{
	char msg[96];
	snprintf(msg, sizeof(msg), "{\"cmd\": \"open\", \"payload\": {\"v\": %d}}", v);
	int before = n_replies;
	ck_assert_int_eq(call(r, wv, msg), 0);
	ck_assert_int_eq(n_replies, before + 1);
	ck_assert_int_eq(replies[before].ok, 1);
	return (uint32_t)strtoul(replies[before].json, NULL, 10);
}

/* 1 when the close was answered with success, 0 when it was refused or
 * rejected. */
static int close_one(cg_router *r, cg_webview *wv, uint32_t rid)
{
	char msg[96];
	snprintf(msg, sizeof(msg), "{\"cmd\": \"plugin:resources|close\", \"payload\": {\"rid\": %u}}", rid);
	int before = n_replies;
	call(r, wv, msg);
	ck_assert_int_eq(n_replies, before + 1);
	return replies[before].ok;
}

static int answered_ok(cg_router *r, cg_webview *wv, const char *msg)
{
	int before = n_replies;
	call(r, wv, msg);
	ck_assert_int_eq(n_replies, before + 1);
	return replies[before].ok;
}

START_TEST(open_read_close)
{
	cg_router *r = make_router();
	cg_webview *wv = NULL, *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	uint32_t a = open_one(r, wv, 7), b = open_one(r, wv, 8);
	ck_assert_uint_ne(a, b);
	ck_assert_uint_eq(cg_webview_resource_count(wv), 2);
	char msg[128];
	snprintf(msg, sizeof(msg), "{\"cmd\": \"read\", \"payload\": {\"rid\": %u}}", a);
	ck_assert_int_eq(call(r, wv, msg), 0);
	ck_assert_str_eq(replies[n_replies - 1].json, "7");
	cg_resource_unref(held);
	/* Another type, or another webview's table: nothing. */
	snprintf(msg, sizeof(msg), "{\"cmd\": \"read\", \"payload\": {\"rid\": %u, \"type\": \"fs:file\"}}", a);
	call(r, wv, msg);
	ck_assert_int_eq(replies[n_replies - 1].ok, 0);
	snprintf(msg, sizeof(msg), "{\"cmd\": \"read\", \"payload\": {\"rid\": %u}}", a);
	call(r, other, msg);
	ck_assert_int_eq(replies[n_replies - 1].ok, 0);
	ck_assert_int_eq(close_one(r, other, a), 0);
	ck_assert_ptr_nonnull(strstr(replies[n_replies - 1].json, "invalid"));
	ck_assert_int_eq(frees, 0);
	/* The page closes it: freed at once; closing again is an error. */
	ck_assert_int_eq(close_one(r, wv, a), 1);
	ck_assert_int_eq(frees, 1);
	ck_assert_uint_eq(cg_webview_resource_count(wv), 1);
	ck_assert_int_eq(close_one(r, wv, a), 0);
	ck_assert_ptr_nonnull(strstr(replies[n_replies - 1].json, "invalid"));
	/* Malformed close. */
	ck_assert_int_eq(answered_ok(r, wv, "{\"cmd\": \"plugin:resources|close\", \"payload\": {\"rid\": \"1\"}}"), 0);
	ck_assert_int_eq(answered_ok(r, wv, "{\"cmd\": \"plugin:resources|close\", \"payload\": {}}"), 0);
	ck_assert_int_eq(answered_ok(r, wv, "{\"cmd\": \"plugin:resources|close\", \"payload\": {\"rid\": -1}}"), 0);
	ck_assert_int_eq(frees, 1);
	/* A handler's reference outlives a close. */
	snprintf(msg, sizeof(msg), "{\"cmd\": \"read\", \"payload\": {\"rid\": %u}}", b);
	ck_assert_int_eq(call(r, wv, msg), 0);
	ck_assert_int_eq(close_one(r, wv, b), 1);
	ck_assert_int_eq(frees, 1);
	ck_assert_int_eq(*(int *)cg_resource_object(held), 8);
	cg_resource_unref(held);
	ck_assert_int_eq(frees, 2);
	ck_assert_uint_eq(cg_webview_resource_count(wv), 0);
	reset();
	cg_router_free(r);
}
END_TEST

START_TEST(close_needs_the_permission)
{
	cg_router *r = make_router();
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "noclose", NULL, NULL, &wv), 0);
	uint32_t a = open_one(r, wv, 1);
	ck_assert_int_eq(close_one(r, wv, a), 0);
	ck_assert_msg(strstr(replies[n_replies - 1].json, "resources"), "%s", replies[n_replies - 1].json);
	ck_assert_int_eq(frees, 0);
	ck_assert_uint_eq(cg_webview_resource_count(wv), 1);
	reset();
	cg_router_free(r); /* frees it */
	ck_assert_int_eq(frees, 1);
}
END_TEST

START_TEST(freed_with_the_document_and_the_webview)
{
	cg_router *r = make_router();
	cg_webview *wv = NULL, *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	for (int i = 0; i < 100; i++)
		open_one(r, wv, i);
	open_one(r, other, 1);
	/* A new document (the host calls this on a reload or navigation). */
	ck_assert_int_eq(cg_webview_free_resources(wv), 100);
	ck_assert_int_eq(frees, 100);
	ck_assert_int_eq(cg_webview_free_resources(wv), 0);
	ck_assert_int_eq(cg_webview_free_resources(NULL), CG_EINVAL);
	ck_assert_uint_eq(cg_webview_resource_count(NULL), 0);
	/* The table works again after. */
	open_one(r, wv, 5);
	open_one(r, wv, 6);
	/* Removed (closed, or its process gone for good): freed then, not
	 * with the router. */
	cg_router_remove_webview(r, wv);
	ck_assert_int_eq(frees, 102);
	cg_router_remove_webview(r, other);
	ck_assert_int_eq(frees, 103);
	reset();
	cg_router_free(r);
	ck_assert_int_eq(frees, 103);
}
END_TEST

/* A handler on a worker adds to a webview that is removed meanwhile: the
 * object is freed, not leaked into a table nobody frees. */
static cg_call *parked;
static int h_park(cg_call *c, void *user)
{
	parked = c;
	return 0;
}

START_TEST(added_after_the_webview_is_gone)
{
	cg_router *r = make_router();
	ck_assert_int_eq(cg_router_register(r, NULL, "park", h_park, NULL, CG_CMD_SYNC), 0);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	/* park is not in the policy: grant it through a fresh one. */
	const char *caps = "[{\"identifier\": \"p\", \"windows\": [\"main\"], \"permissions\": [\"allow-park\"]}]";
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
	ck_assert_int_eq(call(r, wv, "{\"cmd\": \"park\"}"), 0);
	cg_router_remove_webview(r, wv);
	uint32_t rid = 9;
	ck_assert_int_eq(cg_call_add_resource(parked, "test:int", malloc(4), count_free, &rid), CG_ESTATE);
	ck_assert_uint_eq(rid, 0);
	ck_assert_int_eq(frees, 1);
	ck_assert_int_eq(cg_call_add_resource(NULL, "t", NULL, NULL, &rid), CG_EINVAL);
	ck_assert_int_eq(cg_call_add_resource(parked, NULL, NULL, NULL, &rid), CG_EINVAL);
	cg_resource *res = (cg_resource *)1;
	ck_assert_int_eq(cg_call_get_resource(parked, 1, "t", &res), CG_ENOTFOUND);
	ck_assert_ptr_null(res);
	ck_assert_int_eq(cg_call_close_resource(parked, 1), CG_ENOTFOUND);
	ck_assert_ptr_null(cg_resource_object(NULL));
	ck_assert_uint_eq(cg_resource_rid(NULL), 0);
	cg_resource_unref(NULL);
	cg_call_resolve(parked, NULL);
	reset();
	cg_router_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("resources");
	TCase *tc = tcase_create("resources");
	tcase_add_test(tc, open_read_close);
	tcase_add_test(tc, close_needs_the_permission);
	tcase_add_test(tc, freed_with_the_document_and_the_webview);
	tcase_add_test(tc, added_after_the_webview_is_gone);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
