/* The router under the isolation pattern: only envelopes sealed under its
 * key, for the calling webview, its epoch and a rising sequence, reach the
 * policy and the handlers; everything else is refused, audited and logged. */
#include "testutil.h"
#include "router/seal.h"

struct rec {
	int ok;
	char *json;
};
static struct rec replies[256];
static int n_replies, handler_runs, n_logs;
static char last_log[512];

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	ck_assert_int_lt(n_replies, 256);
	replies[n_replies++] = (struct rec){ok, strndup(json, len)};
}
static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len) {}
static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};

static void on_log(const char *line, void *user)
{
	n_logs++;
	snprintf(last_log, sizeof(last_log), "%s", line);
}

static int h_echo(cg_call *c, void *user)
{
	handler_runs++;
	size_t len = 0;
	const unsigned char *b = cg_call_body(c, &len);
	if (b) {
		unsigned sum = 0;
		for (size_t i = 0; i < len; i++)
			sum += b[i];
		return cg_call_resolve(c, json_object_new_int((int)sum));
	}
	return cg_call_resolve(c, json_object_get(cg_call_args(c)));
}

static const uint8_t KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static const char *CAPS =
	"[{\"identifier\": \"c\", \"windows\": [\"main\", \"other\"],"
	"  \"permissions\": [\"allow-echo\", \"allow-write\", \"core:event:allow-emit\"]}]";

static void reset_replies(void)
{
	for (int i = 0; i < n_replies; i++)
		free(replies[i].json);
	n_replies = 0;
}

static cg_router *router(void)
{
	reset_replies();
	handler_runs = n_logs = 0;
	last_log[0] = 0;
	cg_router *r = NULL;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "echo", h_echo, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "write", h_echo, NULL, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "never", h_echo, NULL, CG_CMD_SYNC), 0);
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	cg_router_declare_commands(r, b);
	cg_builder_add_capability_json(b, "caps.json", CAPS, strlen(CAPS), d);
	cg_policy *p = NULL;
	if (cg_builder_build(b, &p, d) < 0)
		dump_diag(d);
	ck_assert_ptr_nonnull(p);
	cg_router_set_policy(r, p);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	cg_router_set_log(r, on_log, NULL);
	ck_assert_int_eq(cg_router_set_isolation(r, KEY, sizeof(KEY)), 0);
	return r;
}

static int send(cg_router *r, cg_webview *wv, const char *text)
{
	return cg_router_invoke(r, wv, text, strlen(text), NULL);
}

/* What the isolation frame does, with the same key. */
static char *seal(cg_sealer *s, const char *webview, const char *cmd, const char *msg)
{
	char *env = cg_sealer_seal(s, webview, cmd, msg, strlen(msg));
	ck_assert_ptr_nonnull(env);
	return env;
}

START_TEST(key_and_arguments)
{
	cg_router *r = NULL;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	unsigned char out[32];
	ck_assert_int_eq(cg_router_isolation_key(r, out, sizeof(out)), CG_ESTATE);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	ck_assert_int_eq(cg_webview_new_epoch(wv), CG_ESTATE);
	ck_assert_int_eq(cg_router_set_isolation(r, KEY, 31), CG_EINVAL);
	ck_assert_int_eq(cg_router_set_isolation(NULL, NULL, 0), CG_EINVAL);
	ck_assert_int_eq(cg_router_set_isolation(r, KEY, sizeof(KEY)), 0);
	ck_assert_int_eq(cg_router_isolation_key(r, out, 16), CG_EINVAL);
	ck_assert_int_eq(cg_router_isolation_key(r, out, sizeof(out)), 0);
	ck_assert_mem_eq(out, KEY, 32);
	/* A fresh random key each time. */
	unsigned char a[32], b[32];
	ck_assert_int_eq(cg_router_set_isolation(r, NULL, 0), 0);
	cg_router_isolation_key(r, a, sizeof(a));
	ck_assert_int_eq(cg_router_set_isolation(r, NULL, 0), 0);
	cg_router_isolation_key(r, b, sizeof(b));
	ck_assert_int_ne(memcmp(a, b, 32), 0);
	ck_assert_int_ne(memcmp(a, KEY, 32), 0);
	/* Epochs only rise. */
	int64_t e1 = cg_webview_new_epoch(wv), e2 = cg_webview_new_epoch(wv);
	ck_assert_int_ge(e1, 1);
	ck_assert_int_gt(e2, e1);
	ck_assert_int_eq(cg_webview_new_epoch(NULL), CG_EINVAL);
	ck_assert_str_eq(cg_strerror(CG_ESEAL), "not sealed, or the seal did not verify");
	cg_router_free(r);
}
END_TEST

START_TEST(plaintext_is_refused)
{
	cg_router *r = router();
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	ck_assert_int_eq(send(r, wv, "{\"cmd\": \"echo\", \"payload\": {\"a\": 1}}"), CG_ESEAL);
	ck_assert_int_eq(cg_router_invoke_raw(r, wv, "echo", "abc", 3, NULL, NULL), CG_ESEAL);
	ck_assert_int_eq(send(r, wv, "{\"cmd\": \"plugin:event|emit\", \"payload\": {\"event\": \"x\"}}"), CG_ESEAL);
	ck_assert_int_eq(handler_runs, 0);
	ck_assert_int_eq(n_replies, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[0].json, "not a valid sealed message"));
	ck_assert_ptr_nonnull(strstr(replies[1].json, "not sealed"));
	ck_assert_int_eq(n_logs, 3);
	ck_assert_ptr_nonnull(strstr(last_log, "webview \"main\": refused"));
	cg_router_free(r);
}
END_TEST

START_TEST(sealed_calls_pass)
{
	cg_router *r = router();
	cg_sealer *s = cg_sealer_new_with_key(KEY);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	char *e = seal(s, "main", "echo", "{\"cmd\": \"echo\", \"payload\": {\"a\": [1, 2]}}");
	ck_assert_int_eq(send(r, wv, e), 0);
	ck_assert_int_eq(handler_runs, 1);
	ck_assert_int_eq(replies[0].ok, 1);
	ck_assert_str_eq(replies[0].json, "{\"a\":[1,2]}");
	free(e);
	/* A binary call: its body as base64 inside the seal. */
	e = seal(s, "main", "echo", "{\"cmd\": \"echo\", \"body\": \"AQID\", \"options\": {\"headers\": {}}}");
	ck_assert_int_eq(send(r, wv, e), 0);
	ck_assert_str_eq(replies[1].json, "6");
	free(e);
	e = seal(s, "main", "echo", "{\"cmd\": \"echo\", \"body\": \"QQ==\"}");
	ck_assert_int_eq(send(r, wv, e), 0);
	ck_assert_str_eq(replies[2].json, "65"); /* "A" */
	free(e);
	/* Still the policy decides: sealed is not allowed. */
	e = seal(s, "main", "never", "{\"cmd\": \"never\"}");
	ck_assert_int_eq(send(r, wv, e), CG_ESTATE);
	ck_assert_int_eq(replies[3].ok, 0);
	ck_assert_int_eq(handler_runs, 3);
	free(e);
	/* Malformed inside the seal: refused by the message parser. */
	const char *bad[] = {
		"{\"cmd\": \"echo\", \"body\": \"AQI\"}",
		"{\"cmd\": \"echo\", \"body\": \"A=QI\"}",
		/* "QQ==" is the one spelling of "A": padding bits left set
		 * ("QR==") or a space would give it a second one. */
		"{\"cmd\": \"echo\", \"body\": \"QR==\"}",
		"{\"cmd\": \"echo\", \"body\": \"QUI=\\n\"}",
		"{\"cmd\": \"echo\", \"body\": \"QU I=\"}",
		"{\"cmd\": \"echo\", \"body\": 5}",
		"{\"cmd\": \"echo\", \"body\": \"AQID\", \"payload\": {}}",
		"{\"cmd\": \"echo\", \"extra\": 1}",
		"{\"cmd\": \"plugin:event|emit\", \"body\": \"AQID\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *cmd = strstr(bad[i], "plugin:") ? "plugin:event|emit" : "echo";
		e = seal(s, "main", cmd, bad[i]);
		ck_assert_msg(send(r, wv, e) < 0, "accepted: %s", bad[i]);
		free(e);
	}
	ck_assert_int_eq(handler_runs, 3);
	cg_sealer_free(s);
	cg_router_free(r);
}
END_TEST

/* An authentic envelope whose message the parser refuses: the page is
 * told the parser's own reason, as for a plain message, nothing runs, and
 * its sequence number is not used up. */
START_TEST(sealed_but_malformed)
{
	cg_router *r = router();
	cg_sealer *s = cg_sealer_new_with_key(KEY);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	char *first = seal(s, "main", "echo", "{\"cmd\": \"echo\", \"payload\": {\"n\": 1}}"); /* seq 1 */
	char *bad = seal(s, "main", "echo", "{\"cmd\": \"echo\", \"extra\": 1}");                /* seq 2 */
	char *big = seal(s, "main", "echo", "{\"cmd\": \"echo\", \"payload\": [[[[[[1]]]]]]}");   /* seq 3 */
	ck_assert_int_eq(cg_router_set_limit(r, CG_RLIMIT_DEPTH, 4), 0);
	ck_assert_int_eq(send(r, wv, bad), CG_ESCHEMA);
	ck_assert_int_lt(send(r, wv, big), 0);
	ck_assert_int_eq(n_replies, 2);
	ck_assert_int_eq(replies[0].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[0].json, "unknown field \\\"extra\\\""));
	ck_assert_ptr_null(strstr(replies[0].json, "not a valid sealed message"));
	ck_assert_ptr_nonnull(strstr(replies[1].json, "deep"));
	ck_assert_int_eq(handler_runs, 0);
	/* Neither took its number: the envelope sealed before them opens. */
	ck_assert_int_eq(send(r, wv, first), 0);
	ck_assert_int_eq(handler_runs, 1);
	free(bad);
	free(big);
	free(first);
	cg_sealer_free(s);
	cg_router_free(r);
}
END_TEST

START_TEST(forgeries_are_refused)
{
	cg_router *r = router();
	cg_sealer *s = cg_sealer_new_with_key(KEY);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	cg_webview *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	char *e = seal(s, "main", "echo", "{\"cmd\": \"echo\", \"payload\": {\"path\": \"/ok\"}}");
	ck_assert_int_eq(send(r, other, e), CG_ESEAL);       /* another window */
	ck_assert_int_eq(send(r, wv, e), 0);
	ck_assert_int_eq(send(r, wv, e), CG_ESEAL);          /* replayed */
	free(e);
	/* Moved to another command: the envelope's cmd is in the AAD. */
	e = seal(s, "main", "echo", "{\"cmd\": \"echo\", \"payload\": {}}");
	char moved[1024];
	const char *at = strstr(e, "\"echo\"");
	ck_assert_ptr_nonnull(at);
	snprintf(moved, sizeof(moved), "%.*s\"write\"%s", (int)(at - e), e, at + 6);
	ck_assert_int_eq(send(r, wv, moved), CG_ESEAL);
	/* Tampered: one bit of the ciphertext. */
	char *t = strdup(e);
	char *ct = strstr(t, "\"ct\":\"") + 6;
	ct[0] = ct[0] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(send(r, wv, t), CG_ESEAL);
	free(t);
	/* A wrong key. */
	uint8_t k2[32];
	memcpy(k2, KEY, 32);
	k2[0] ^= 1;
	cg_sealer *s2 = cg_sealer_new_with_key(k2);
	char *w = seal(s2, "main", "echo", "{\"cmd\": \"echo\"}");
	ck_assert_int_eq(send(r, wv, w), CG_ESEAL);
	free(w);
	cg_sealer_free(s2);
	/* The untouched one still opens: refusals left no trace. */
	ck_assert_int_eq(send(r, wv, e), 0);
	free(e);
	/* A new document: envelopes sealed for the old epoch die. */
	char *old = seal(s, "main", "echo", "{\"cmd\": \"echo\"}");
	ck_assert_int_ge(cg_webview_new_epoch(wv), 1);
	ck_assert_int_eq(send(r, wv, old), CG_ESEAL);
	cg_sealer_reset(s, "main");
	char *fresh = seal(s, "main", "echo", "{\"cmd\": \"echo\"}"); /* seq 1 again */
	ck_assert_int_eq(send(r, wv, fresh), 0);
	ck_assert_int_eq(send(r, wv, old), CG_ESEAL);
	free(old);
	free(fresh);
	ck_assert_int_eq(handler_runs, 3);
	cg_sealer_free(s);
	cg_router_free(r);
}
END_TEST

START_TEST(log_is_rate_limited)
{
	cg_router *r = router();
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	for (int i = 0; i < 200; i++)
		ck_assert_int_eq(send(r, wv, "{\"cmd\": \"echo\"}"), CG_ESEAL);
	ck_assert_int_eq(n_replies, 200);
	/* 20 a second; the burst may straddle one second boundary. */
	ck_assert_int_ge(n_logs, 20);
	ck_assert_int_le(n_logs, 41);
	cg_router_set_log(r, NULL, NULL);
	int before = n_logs;
	send(r, wv, "{\"cmd\": \"echo\"}");
	ck_assert_int_eq(n_logs, before);
	cg_router_free(r);
}
END_TEST

START_TEST(body_needs_a_seal)
{
	/* Under isolation, a binary call in the clear is refused like any
	 * other message in the clear. */
	cg_router *r = router();
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	ck_assert_int_eq(send(r, wv, "{\"cmd\": \"echo\", \"body\": \"AQID\"}"), CG_ESEAL);
	ck_assert_ptr_nonnull(strstr(replies[0].json, "not a valid sealed message"));
	ck_assert_int_eq(handler_runs, 0);
	cg_router_free(r);
	/* Without it, "body" is a binary call's body (base64), read by the
	 * same parser, and past it (here: to a router that has no such command). */
	r = NULL;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	reset_replies();
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv), 0);
	ck_assert_int_lt(send(r, wv, "{\"cmd\": \"echo\", \"body\": \"AQID\"}"), 0);
	ck_assert_msg(strstr(replies[0].json, "unknown command: echo"), "%s", replies[0].json);
	ck_assert_int_eq(send(r, wv, "{\"cmd\": \"echo\", \"body\": \"AQI\"}"), CG_ESCHEMA);
	ck_assert_ptr_nonnull(strstr(replies[1].json, "canonical base64"));
	cg_router_free(r);
	reset_replies();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("isolation");
	TCase *tc = tcase_create("router");
	tcase_add_test(tc, key_and_arguments);
	tcase_add_test(tc, plaintext_is_refused);
	tcase_add_test(tc, sealed_but_malformed);
	tcase_add_test(tc, sealed_calls_pass);
	tcase_add_test(tc, forgeries_are_refused);
	tcase_add_test(tc, log_is_rate_limited);
	tcase_add_test(tc, body_needs_a_seal);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
