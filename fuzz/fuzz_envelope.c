/*
 * fuzz_envelope: sealed messages under the isolation pattern. A router
 * with cg_router_set_isolation(fixed 32-byte key), a policy granting the
 * sync command "echo" to window "main", and webviews "main" and "other";
 * the harness seals with the engine's own sealer (engine/router/seal.h, as
 * tests/test_isolation.c does) under the same key. A new router and sealer
 * are made for each input. The first byte picks the mode:
 *
 *  'M' (mutate): one of three valid echo messages (the second byte picks)
 *      is sealed for "main"; the rest of the input is XORed onto the
 *      envelope (input byte i onto envelope byte i). Then:
 *        - the envelope sent from "other" is refused (the webview is bound);
 *        - a changed envelope is refused, unless it is the same envelope
 *          written differently (json-c reads the same five members with
 *          equal values: members reordered), which may open once;
 *        - the unchanged envelope is accepted, and answered ok, exactly
 *          once: when nothing equivalent opened before it; a replay, or
 *          the changed one sent after it, is refused;
 *        - after cg_webview_new_epoch every old envelope is refused, and a
 *          message sealed anew for the new epoch opens.
 *  'S' (seal): the rest of the input is the plaintext, sealed for "main"
 *      under its own "cmd" when that is a string (else "echo"): an ok
 *      reply only if the plaintext is strict JSON whose "cmd" is exactly
 *      "echo", carrying what echo answers (the payload, or a body's length
 *      and sum); a replay is refused.
 *  'B' (body): the rest of the input is the body of a binary call of
 *      "echo" sealed beside it (sealed 2, cg_router_invoke_body); the
 *      sealed body with one bit flipped (at a place the second byte picks)
 *      is refused, and so is the call from "other"; then the call as
 *      sealed is answered ok, once, with the length and sum of exactly
 *      those bytes; its replay is refused.
 *  anything else: the whole input goes to cg_router_invoke from "main":
 *      never an ok reply (nothing was sealed under the key); and as the
 *      body of a binary call of "echo": refused (CG_ESEAL), under
 *      isolation every call travels sealed.
 *
 * Always: exactly one reply per call, 0 returned exactly when it is ok.
 */
#include "fuzz_common.h"
#include "base/internal.h"
#include "router/seal.h"

#include <glib.h>
#include <inttypes.h>

static const uint8_t KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static const char *const MSGS[] = {
	"{\"cmd\":\"echo\",\"payload\":{\"a\":[1,2]}}",
	"{\"cmd\":\"echo\",\"body\":\"AQID\",\"options\":{\"headers\":{}}}",
	"{\"cmd\":\"echo\",\"callback\":1,\"error\":2,\"payload\":\"x\"}",
};

static cg_policy *policy;

struct rec {
	int replies, last_ok;
	char *last_json;
};
static struct rec rec;

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	(void)user;
	(void)wv;
	(void)req;
	rec.replies++;
	rec.last_ok = ok;
	free(rec.last_json);
	rec.last_json = fuzz_strndup((const uint8_t *)json, len);
}

static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len)
{
	(void)user;
	(void)wv;
	(void)id;
	(void)json;
	(void)len;
}

static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};

static int h_echo(cg_call *c, void *user)
{
	(void)user;
	json_object *sum = fuzz_echo_body(c);
	if (sum)
		return cg_call_resolve(c, sum);
	return cg_call_resolve(c, json_object_get(cg_call_args(c)));
}

static void on_log(const char *line, void *user)
{
	(void)line;
	(void)user;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	policy = fuzz_echo_policy(NULL);
	return 0;
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* Strict JSON, all of it, no NUL byte; NULL otherwise. */
static json_object *strict_parse(const char *text, size_t len)
{
	if (memchr(text, 0, len))
		return NULL;
	json_tokener *tok = json_tokener_new_ex(4096);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	char *copy = fuzz_strndup((const uint8_t *)text, len);
	json_object *root = json_tokener_parse_ex(tok, copy, (int)len + 1);
	bool ok = json_tokener_get_error(tok) == json_tokener_success;
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	free(copy);
	for (size_t i = end; ok && i < len; i++)
		ok = text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r';
	if (!ok) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

/* Sends one message; checks one reply and rc == 0 <=> ok; returns ok. */
static int send(cg_router *r, cg_webview *wv, const char *msg, size_t len, const char *what)
{
	int before = rec.replies;
	int rc = cg_router_invoke(r, wv, msg, len, NULL);
	cg_router_process(r);
	FUZZ_CHECK(rec.replies == before + 1, "%s: %d replies to one call", what, rec.replies - before);
	FUZZ_CHECK((rc == 0) == (rec.last_ok != 0), "%s: returned %d with an %s reply (%s)", what, rc,
		   rec.last_ok ? "ok" : "error", rec.last_json);
	return rec.last_ok;
}

static cg_router *new_router(cg_webview **main_wv, cg_webview **other)
{
	cg_router *r = NULL;
	cg_router_new(&T, &r);
	FUZZ_SETUP(r);
	FUZZ_SETUP(cg_router_register(r, NULL, "echo", h_echo, NULL, CG_CMD_SYNC) == 0);
	FUZZ_SETUP(cg_router_set_policy(r, policy) == 0);
	cg_router_set_log(r, on_log, NULL);
	FUZZ_SETUP(cg_router_set_isolation(r, KEY, sizeof(KEY)) == 0);
	cg_router_add_webview(r, "main", NULL, NULL, main_wv);
	cg_router_add_webview(r, "other", NULL, NULL, other);
	FUZZ_SETUP(*main_wv && *other);
	return r;
}

/* Is changed the same envelope as orig, written differently? */
static bool equivalent(const char *orig, const char *changed, size_t len)
{
	json_object *a = strict_parse(orig, strlen(orig)), *b = strict_parse(changed, len);
	bool eq = a && b && json_object_equal(a, b);
	json_object_put(a);
	json_object_put(b);
	return eq;
}

static void mode_mutate(const uint8_t *data, size_t size)
{
	cg_webview *wv, *other;
	cg_router *r = new_router(&wv, &other);
	cg_sealer *s = cg_sealer_new_with_key(KEY);
	FUZZ_SETUP(s);
	const char *msg = MSGS[size ? data[0] % 3 : 0];
	char *env = cg_sealer_seal(s, "main", "echo", msg, strlen(msg));
	FUZZ_SETUP(env);
	size_t elen = strlen(env);
	char *mut = fuzz_strndup((const uint8_t *)env, elen);
	const uint8_t *mask = size ? data + 1 : data;
	size_t mlen = size ? size - 1 : 0;
	for (size_t i = 0; i < mlen && i < elen; i++)
		mut[i] ^= (char)mask[i];
	bool changed = memcmp(mut, env, elen) != 0;

	FUZZ_CHECK(!send(r, other, env, elen, "envelope for main sent from other"),
		   "an envelope sealed for \"main\" opened for \"other\"");
	bool mut_opened = false;
	if (changed) {
		mut_opened = send(r, wv, mut, elen, "changed envelope");
		if (mut_opened)
			FUZZ_CHECK(equivalent(env, mut, elen), "a changed envelope was accepted:\n%s\nfrom\n%s",
				   mut, env);
	}
	int ok = send(r, wv, env, elen, "unchanged envelope");
	FUZZ_CHECK(ok == !mut_opened, "the unchanged envelope was %s%s", ok ? "accepted" : "refused",
		   mut_opened ? " after an equivalent one opened" : "");
	FUZZ_CHECK(!send(r, wv, env, elen, "replay"), "a replayed envelope was accepted");
	if (changed)
		FUZZ_CHECK(!send(r, wv, mut, elen, "changed envelope, again"),
			   "a changed envelope was accepted after the original");

	/* A new document: old envelopes never open again; new ones do. */
	char *env2 = cg_sealer_seal(s, "main", "echo", msg, strlen(msg));
	FUZZ_SETUP(env2);
	FUZZ_CHECK(cg_webview_new_epoch(wv) >= 1, "new epoch");
	FUZZ_CHECK(!send(r, wv, env2, strlen(env2), "envelope of an old epoch"),
		   "an envelope of the previous epoch was accepted");
	cg_sealer_reset(s, "main");
	char *env3 = cg_sealer_seal(s, "main", "echo", msg, strlen(msg));
	FUZZ_SETUP(env3);
	FUZZ_CHECK(send(r, wv, env3, strlen(env3), "envelope of the new epoch"),
		   "an envelope of the new epoch was refused: %s", rec.last_json);

	free(env);
	free(env2);
	free(env3);
	free(mut);
	cg_sealer_free(s);
	cg_router_free(r);
}

static void mode_seal(const uint8_t *data, size_t size)
{
	cg_webview *wv, *other;
	cg_router *r = new_router(&wv, &other);
	cg_sealer *s = cg_sealer_new_with_key(KEY);
	FUZZ_SETUP(s);
	const char *pt = (const char *)data;
	json_object *root = strict_parse(pt, size);
	json_object *cmd = member(root, "cmd");
	const char *ecmd = "echo";
	if (json_object_is_type(cmd, json_type_string) && json_object_get_string_len(cmd) > 0 &&
	    strlen(json_object_get_string(cmd)) == (size_t)json_object_get_string_len(cmd))
		ecmd = json_object_get_string(cmd);
	char *env = cg_sealer_seal(s, "main", ecmd, pt, size);
	FUZZ_SETUP(env);
	size_t elen = strlen(env);
	if (send(r, wv, env, elen, "sealed input")) {
		FUZZ_CHECK(root, "ok reply to a sealed plaintext that is not strict JSON");
		FUZZ_CHECK(json_object_get_string_len(cmd) == 4 && !memcmp(json_object_get_string(cmd), "echo", 4),
			   "ok reply to a sealed message whose cmd is not \"echo\"");
		json_object *got = json_tokener_parse(rec.last_json);
		json_object *body = member(root, "body");
		if (body) {
			gsize n = 0;
			guchar *raw = g_base64_decode(json_object_get_string(body), &n);
			uint64_t sum = 0;
			for (gsize i = 0; i < n; i++)
				sum += raw[i];
			g_free(raw);
			FUZZ_CHECK(json_object_get_int64(member(got, "len")) == (int64_t)n &&
				   json_object_get_int64(member(got, "sum")) == (int64_t)sum,
				   "echo answered %s for body %s", rec.last_json, json_object_get_string(body));
		} else {
			json_object *payload = member(root, "payload"), *empty = json_object_new_object();
			FUZZ_CHECK(json_object_equal(got, payload ? payload : empty),
				   "echo answered %s", rec.last_json);
			json_object_put(empty);
		}
		json_object_put(got);
	}
	FUZZ_CHECK(!send(r, wv, env, elen, "replay"), "a replayed envelope was accepted");
	json_object_put(root);
	free(env);
	cg_sealer_free(s);
	cg_router_free(r);
}

/* cg_router_invoke_body with a copy of body; checks as send does. */
static int send_body(cg_router *r, cg_webview *wv, const char *env, const uint8_t *body, size_t len,
		     const char *what)
{
	int before = rec.replies;
	void *copy = malloc(len ? len : 1);
	FUZZ_SETUP(copy);
	if (len)
		memcpy(copy, body, len);
	int rc = cg_router_invoke_body(r, wv, env, strlen(env), copy, len, free, NULL);
	cg_router_process(r);
	FUZZ_CHECK(rec.replies == before + 1, "%s: %d replies to one call", what, rec.replies - before);
	FUZZ_CHECK((rc == 0) == (rec.last_ok != 0), "%s: returned %d with an %s reply (%s)", what, rc,
		   rec.last_ok ? "ok" : "error", rec.last_json);
	return rec.last_ok;
}

static void mode_body(const uint8_t *data, size_t size)
{
	if (size < 1)
		return;
	size_t flip = data[0];
	data++;
	size--;
	cg_webview *wv, *other;
	cg_router *r = new_router(&wv, &other);
	cg_sealer *s = cg_sealer_new_with_key(KEY);
	FUZZ_SETUP(s);
	uint8_t *ct = NULL;
	size_t ct_len = 0;
	char *env = cg_sealer_seal_body(s, "main", "echo", "{\"cmd\":\"echo\"}", data, size, &ct, &ct_len);
	FUZZ_SETUP(env && ct);
	uint8_t *bad = malloc(ct_len);
	FUZZ_SETUP(bad);
	memcpy(bad, ct, ct_len);
	bad[flip % ct_len] ^= (uint8_t)(1u << (flip % 8));
	FUZZ_CHECK(!send_body(r, wv, env, bad, ct_len, "a flipped bit"), "a changed sealed body opened");
	FUZZ_CHECK(!send_body(r, other, env, ct, ct_len, "from other"), "a sealed body opened for another webview");
	FUZZ_CHECK(send_body(r, wv, env, ct, ct_len, "as sealed"), "a sealed body was refused: %s", rec.last_json);
	uint64_t sum = 0;
	for (size_t i = 0; i < size; i++)
		sum += data[i];
	char want[96];
	snprintf(want, sizeof(want), "{\"len\":%zu,\"sum\":%" PRIu64 "}", size, sum);
	FUZZ_CHECK(rec.last_json && strcmp(rec.last_json, want) == 0, "echo of the body: %s, not %s", rec.last_json,
		   want);
	FUZZ_CHECK(!send_body(r, wv, env, ct, ct_len, "replayed"), "a sealed body opened twice");
	free(bad);
	free(ct);
	free(env);
	cg_sealer_free(s);
	cg_router_free(r);
}

static void mode_raw(const uint8_t *data, size_t size)
{
	cg_webview *wv, *other;
	cg_router *r = new_router(&wv, &other);
	FUZZ_CHECK(!send(r, wv, (const char *)data, size, "raw input"),
		   "input nobody sealed was accepted: %s", rec.last_json);
	int before = rec.replies;
	FUZZ_CHECK(cg_router_invoke_raw(r, wv, "echo", data, size, NULL, NULL) == CG_ESEAL && !rec.last_ok &&
		   rec.replies == before + 1, "a binary call was not refused (once) under isolation");
	/* The input as a sealed binary call's envelope and as its body:
	 * nothing sealed it. */
	char *text = fuzz_strndup(data, size);
	FUZZ_SETUP(text);
	FUZZ_CHECK(!send_body(r, wv, text, data, size, "raw body"), "an unsealed body was accepted: %s", rec.last_json);
	free(text);
	cg_router_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] == 'M')
		mode_mutate(data + 1, size - 1);
	else if (size > 0 && data[0] == 'S')
		mode_seal(data + 1, size - 1);
	else if (size > 0 && data[0] == 'B')
		mode_body(data + 1, size - 1);
	else
		mode_raw(data, size);
	free(rec.last_json);
	memset(&rec, 0, sizeof(rec));
	return 0;
}
