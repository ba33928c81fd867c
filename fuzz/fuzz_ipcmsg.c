/*
 * fuzz_ipcmsg: the IPC router end to end. A router with an in-memory
 * transport that records every reply, a policy (built once) granting the
 * sync command "echo" to window "main" and nothing else (the commands
 * "echo" and "never" are registered; the built-in plugin:event|* commands
 * are always there), and two webviews: "main" and "other".
 *
 * Input: if the first byte is 'R', a binary call for cg_router_invoke_raw:
 *   R<cmd>\n<headers JSON, or nothing for none>\n<body bytes>
 * otherwise the whole input is one invoke message for cg_router_invoke,
 * sent from "main" and then from "other". A new router is made for each
 * input; audit records (all decisions) and log lines are collected.
 *
 * The echo handler answers a JSON call with its payload, and a binary call
 * with {"len": body length, "sum": byte sum}.
 *
 * Invariants, for every call:
 *   1. exactly one reply per call, once the queue is drained;
 *   2. the call returns 0 exactly when the reply is ok (the only handler
 *      that runs never rejects);
 *   3. an ok reply only for "echo" from "main": for a message, only if the
 *      input is JSON (no NUL byte, json-c's strict parser reads all of it)
 *      whose "cmd" is exactly "echo"; for a binary call only if cmd is
 *      "echo" and the headers are absent or a JSON object; so input that
 *      is not JSON never gets an ok reply, and "other" never does;
 *   4. an ok reply carries what echo answered: the message's payload ({}
 *      when absent), as json-c compares values, or the body's length and
 *      sum (a binary call's, or a message's "body", base64, which comes
 *      without a payload); an error reply is a JSON string;
 *   5. every audit line is a JSON object whose "decision" is "allow",
 *      "deny" or "invalid", and a message is audited "allow" exactly when
 *      its reply is ok;
 *   6. and the converse of 3: a plainly well-formed echo message from
 *      "main" (printable ASCII JSON without \u escapes or duplicate keys,
 *      numbers in JSON's grammar and within a double's range, nesting up
 *      to 60; only the fields cmd,
 *      callback and error (null or integers 0..2^32-1), payload (anything)
 *      and options (null, or an object with only headers: null or an
 *      object of strings with non-empty names)) is answered ok.
 */
#include "fuzz_common.h"

#include <glib.h>
#include <math.h>

static cg_policy *policy;

struct rec {
	int replies, oks, callbacks, audit_allow;
	int last_ok;
	char *last_json;
};
static struct rec rec;

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	(void)user;
	(void)wv;
	(void)req;
	rec.replies++;
	rec.oks += ok != 0;
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
	rec.callbacks++;
}

static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static void on_audit(const char *line, void *user)
{
	(void)user;
	json_object *o = json_tokener_parse(line);
	json_object *dec = member(o, "decision");
	const char *s = json_object_get_string(dec);
	FUZZ_CHECK(json_object_is_type(dec, json_type_string) &&
		   (!strcmp(s, "allow") || !strcmp(s, "deny") || !strcmp(s, "invalid")),
		   "audit line: %s", line);
	if (!strcmp(s, "allow"))
		rec.audit_allow++;
	json_object_put(o);
}

static void on_log(const char *line, void *user)
{
	(void)user;
	FUZZ_CHECK(line && *line, "empty log line");
}

static int h_echo(cg_call *c, void *user)
{
	(void)user;
	json_object *sum = fuzz_echo_body(c);
	if (sum)
		return cg_call_resolve(c, sum);
	/* Exercise the accessors. */
	(void)cg_call_header(c, "content-type");
	(void)cg_call_command_scope(c);
	(void)cg_call_global_scope(c);
	FUZZ_CHECK(cg_call_window(c) && !strcmp(cg_call_window(c), "main"), "echo ran for %s",
		   cg_call_window(c) ? cg_call_window(c) : "(null)");
	return cg_call_resolve(c, json_object_get(cg_call_args(c)));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const char *const extra[] = {"never", NULL};
	policy = fuzz_echo_policy(extra);
	return 0;
}

/* The oracle's reading of a message: strict JSON, all of it, no NUL. */
static json_object *oracle_parse(const uint8_t *data, size_t size)
{
	if (memchr(data, 0, size))
		return NULL;
	json_tokener *tok = json_tokener_new_ex(4096);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	char *text = fuzz_strndup(data, size);
	/* size + 1: the NUL ends a top-level number. */
	json_object *root = json_tokener_parse_ex(tok, text, (int)size + 1);
	bool ok = json_tokener_get_error(tok) == json_tokener_success;
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	free(text);
	for (size_t i = end; ok && i < size; i++)
		ok = data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r';
	if (!ok) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

/*
 * Is the text plainly well-formed, so that the router must accept it
 * (invariant 6)? Only printable ASCII and JSON whitespace, no "\u"
 * escapes and no raw controls in strings (so no UTF-8, NUL or surrogate
 * questions), numbers in JSON's own grammar (json-c takes a few more), and
 * as many ':' outside strings as json-c's tree has object members (json-c
 * keeps only the last of duplicate keys; the router refuses duplicates).
 * *depth receives the deepest nesting of arrays and objects.
 */
static bool plain_json_text(const uint8_t *t, size_t n, size_t *colons, int *depth)
{
	int d = 0;
	*colons = 0;
	*depth = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = t[i];
		if (c > 0x7e || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
			return false;
		if (c == '"') {
			for (i++; i < n && t[i] != '"'; i++) {
				if (t[i] < 0x20 || t[i] > 0x7e)
					return false;
				if (t[i] == '\\') {
					if (i + 1 >= n || t[i + 1] == 'u')
						return false;
					i++;
				}
			}
			continue;
		}
		/* Outside strings the only words are JSON's literals (json-c
		 * also takes NaN and Infinity, which the router refuses). */
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
			static const char *const words[] = {"true", "false", "null"};
			bool word = false;
			for (size_t w = 0; w < 3; w++) {
				size_t wl = strlen(words[w]);
				if (n - i >= wl && memcmp(t + i, words[w], wl) == 0) {
					i += wl - 1;
					word = true;
					break;
				}
			}
			if (!word)
				return false;
			continue;
		}
		if (c == ':')
			(*colons)++;
		if (c == '{' || c == '[') {
			if (++d > *depth)
				*depth = d;
		}
		if (c == '}' || c == ']')
			d--;
		if (c == '-' || (c >= '0' && c <= '9')) {
			size_t j = i;
			if (t[j] == '-')
				j++;
			if (j >= n || t[j] < '0' || t[j] > '9')
				return false;
			if (t[j] == '0')
				j++;
			else
				while (j < n && t[j] >= '0' && t[j] <= '9')
					j++;
			if (j < n && t[j] == '.') {
				j++;
				if (j >= n || t[j] < '0' || t[j] > '9')
					return false;
				while (j < n && t[j] >= '0' && t[j] <= '9')
					j++;
			}
			if (j < n && (t[j] == 'e' || t[j] == 'E')) {
				j++;
				if (j < n && (t[j] == '+' || t[j] == '-'))
					j++;
				if (j >= n || t[j] < '0' || t[j] > '9')
					return false;
				while (j < n && t[j] >= '0' && t[j] <= '9')
					j++;
			}
			if (j < n && ((t[j] >= '0' && t[j] <= '9') || t[j] == '.' || t[j] == 'e' || t[j] == 'E' ||
				      t[j] == '+' || t[j] == '-'))
				return false;
			/* A number too large for a double is refused (as serde_json
			 * refuses it); one beyond 64 bits is a double, which is fine. */
			char *num = fuzz_strndup(t + i, j - i);
			bool finite = isfinite(strtod(num, NULL));
			free(num);
			if (!finite)
				return false;
			i = j - 1;
		}
	}
	return true;
}

static size_t count_members(json_object *v)
{
	size_t n = 0;
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, val) {
			(void)k;
			n += 1 + count_members(val);
		}
	} else if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			n += count_members(json_object_array_get_idx(v, i));
	}
	return n;
}

static bool callback_id(json_object *root, const char *key)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(root, key, &v) || !v)
		return true; /* absent or null */
	return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0 &&
	       json_object_get_int64(v) <= (int64_t)UINT32_MAX;
}

static bool is_echo(json_object *cmd);

/* A message the router must dispatch to echo (from "main"). */
static bool must_accept(const uint8_t *data, size_t size, json_object *root)
{
	size_t colons;
	int depth;
	if (!root || !json_object_is_type(root, json_type_object) || !plain_json_text(data, size, &colons, &depth) ||
	    depth > 60 || colons != count_members(root) || !is_echo(member(root, "cmd")))
		return false;
	json_object_object_foreach(root, k, v) {
		(void)v;
		if (strcmp(k, "cmd") && strcmp(k, "callback") && strcmp(k, "error") && strcmp(k, "payload") &&
		    strcmp(k, "options"))
			return false;
	}
	if (!callback_id(root, "callback") || !callback_id(root, "error"))
		return false;
	json_object *opts = member(root, "options");
	if (opts) {
		if (!json_object_is_type(opts, json_type_object))
			return false;
		json_object_object_foreach(opts, ok_, ov) {
			(void)ov;
			if (strcmp(ok_, "headers"))
				return false;
		}
		json_object *h = member(opts, "headers");
		if (h) {
			if (!json_object_is_type(h, json_type_object))
				return false;
			json_object_object_foreach(h, hk, hv) {
				if (!*hk || !json_object_is_type(hv, json_type_string))
					return false;
			}
		}
	}
	return true;
}

static bool is_echo(json_object *cmd)
{
	return json_object_is_type(cmd, json_type_string) && json_object_get_string_len(cmd) == 4 &&
	       memcmp(json_object_get_string(cmd), "echo", 4) == 0;
}

/* Invariants 1, 2 and the error-reply half of 4 for one call. */
static void check_one_reply(cg_router *r, int before, int rc, const char *what)
{
	cg_router_process(r);
	FUZZ_CHECK(rec.replies == before + 1, "%s: %d replies to one call", what, rec.replies - before);
	FUZZ_CHECK((rc == 0) == (rec.last_ok != 0), "%s: returned %d with an %s reply", what, rc,
		   rec.last_ok ? "ok" : "error");
	if (!rec.last_ok) {
		json_object *e = json_tokener_parse(rec.last_json);
		FUZZ_CHECK(json_object_is_type(e, json_type_string), "%s: error reply is not a JSON string: %s",
			   what, rec.last_json);
		json_object_put(e);
	}
}

static void one_message(cg_router *r, cg_webview *wv, bool main_wv, const uint8_t *data, size_t size,
			json_object *parsed)
{
	int before = rec.replies, allow_before = rec.audit_allow;
	int rc = cg_router_invoke(r, wv, (const char *)data, size, NULL);
	const char *what = main_wv ? "message from main" : "message from other";
	check_one_reply(r, before, rc, what);
	FUZZ_CHECK(rec.audit_allow == allow_before + (rec.last_ok ? 1 : 0),
		   "%s: %d audit allow records for an %s reply", what, rec.audit_allow - allow_before,
		   rec.last_ok ? "ok" : "error");
	if (main_wv && must_accept(data, size, parsed))
		FUZZ_CHECK(rec.last_ok, "a well-formed echo message was refused: %s", rec.last_json);
	if (!rec.last_ok)
		return;
	FUZZ_CHECK(main_wv, "ok reply to window \"other\", which is granted nothing");
	FUZZ_CHECK(parsed, "ok reply to a message that is not JSON");
	FUZZ_CHECK(is_echo(member(parsed, "cmd")), "ok reply to a message whose cmd is not \"echo\"");
	json_object *payload = member(parsed, "payload"), *body = member(parsed, "body");
	json_object *empty = json_object_new_object();
	if (body) {
		/* A binary call in a message: its body, never with a payload. */
		FUZZ_CHECK(!payload && json_object_is_type(body, json_type_string),
			   "ok reply to a message with a body and a payload, or a body that is no string");
		gsize n = 0;
		guchar *bytes = g_base64_decode(json_object_get_string(body), &n);
		int64_t sum = 0;
		for (gsize i = 0; i < n; i++)
			sum += bytes[i];
		g_free(bytes);
		json_object_put(empty);
		empty = json_object_new_object();
		json_object_object_add(empty, "len", json_object_new_int64((int64_t)n));
		json_object_object_add(empty, "sum", json_object_new_int64(sum));
		payload = NULL;
	}
	json_tokener *tok = json_tokener_new_ex(4096);
	json_object *got = json_tokener_parse_ex(tok, rec.last_json, (int)strlen(rec.last_json) + 1);
	json_tokener_free(tok);
	FUZZ_CHECK(got, "ok reply is not JSON: %s", rec.last_json);
	FUZZ_CHECK(json_object_equal(got, payload ? payload : empty),
		   "echo answered %s for the payload %s", rec.last_json,
		   json_object_to_json_string(payload ? payload : empty));
	json_object_put(got);
	json_object_put(empty);
}

static void one_raw(cg_router *r, cg_webview *wv, const uint8_t *data, size_t size)
{
	const uint8_t *nl1 = memchr(data, '\n', size);
	const uint8_t *end = data + size;
	const uint8_t *nl2 = nl1 ? memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1)) : NULL;
	char *cmd = fuzz_strndup(data, nl1 ? (size_t)(nl1 - data) : size);
	char *headers = nl1 ? fuzz_strndup(nl1 + 1, (size_t)((nl2 ? nl2 : end) - nl1 - 1)) : NULL;
	const uint8_t *body = nl2 ? nl2 + 1 : end;
	size_t blen = (size_t)(end - body);
	if (headers && !*headers) {
		free(headers);
		headers = NULL;
	}

	int before = rec.replies;
	int rc = cg_router_invoke_raw(r, wv, cmd, body, blen, headers, NULL);
	check_one_reply(r, before, rc, "binary call");
	if (rec.last_ok) {
		FUZZ_CHECK(strcmp(cmd, "echo") == 0, "ok reply to a binary call of \"%s\"", cmd);
		if (headers) {
			json_object *h = json_tokener_parse(headers);
			FUZZ_CHECK(json_object_is_type(h, json_type_object), "ok reply with headers %s", headers);
			json_object_put(h);
		}
		uint64_t sum = 0;
		for (size_t i = 0; i < blen; i++)
			sum += body[i];
		json_object *got = json_tokener_parse(rec.last_json);
		FUZZ_CHECK(json_object_get_int64(member(got, "len")) == (int64_t)blen &&
			   json_object_get_int64(member(got, "sum")) == (int64_t)sum,
			   "echo answered %s for a body of %zu bytes", rec.last_json, blen);
		json_object_put(got);
	}
	free(cmd);
	free(headers);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cg_router *r = NULL;
	cg_router_new(&T, &r);
	FUZZ_SETUP(r);
	FUZZ_SETUP(cg_router_register(r, NULL, "echo", h_echo, NULL, CG_CMD_SYNC) == 0);
	FUZZ_SETUP(cg_router_register(r, NULL, "never", h_echo, NULL, CG_CMD_SYNC) == 0);
	FUZZ_SETUP(cg_router_set_policy(r, policy) == 0);
	FUZZ_SETUP(cg_router_set_decision_log(r, CG_DECISION_LOG_ALL, NULL, on_audit, NULL, 1000000) == 0);
	cg_router_set_log(r, on_log, NULL);
	cg_webview *main_wv = NULL;
	cg_router_add_webview(r, "main", NULL, NULL, &main_wv);
	cg_webview *other = NULL;
	cg_router_add_webview(r, "other", NULL, NULL, &other);
	FUZZ_SETUP(main_wv && other);

	if (size > 0 && data[0] == 'R') {
		one_raw(r, main_wv, data + 1, size - 1);
		one_raw(r, other, data + 1, size - 1);
		FUZZ_CHECK(!rec.last_ok, "ok reply to a binary call from \"other\"");
	} else {
		json_object *parsed = oracle_parse(data, size);
		one_message(r, main_wv, true, data, size, parsed);
		one_message(r, other, false, data, size, parsed);
		json_object_put(parsed);
	}
	FUZZ_CHECK(rec.callbacks == 0, "%d event callbacks, though nothing may listen", rec.callbacks);
	cg_router_free(r);
	free(rec.last_json);
	memset(&rec, 0, sizeof(rec));
	return 0;
}
