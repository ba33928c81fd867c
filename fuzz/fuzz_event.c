/*
 * fuzz_event: event names and event scope patterns. Input: an event name,
 * a newline, an event scope pattern (each used up to its first NUL).
 *
 * Two policies are built with the pattern P (JSON-escaped by json-c) in a
 * capability for window "main":
 *   A: {"identifier": "core:event:allow-listen", "allow": [{"event": P}]}
 *   B: {"identifier": "core:event:allow-listen", "allow": [{"event": "*"}],
 *       "deny": [{"event": P}]}
 *
 * Invariants:
 *   1. cg_event_name_valid is the router's rule: 1 to 512 bytes of ASCII
 *      letters, digits, '-', '/', ':' and '_';
 *   2. both policies build exactly when P is a valid glob
 *      (cg_glob_validate); a bad pattern is a load error, never a silent
 *      deny;
 *   3. cg_check_event answers twice the same; it refuses (CG_EINVAL) a
 *      name with a character outside the rule, or an empty one; for
 *      others, under A window "main" may listen exactly when P matches the
 *      name (cg_glob_match), under B exactly when it does not; emit and
 *      emit_to are never granted; window "other" may do nothing;
 *   4. end to end, under A: a plugin:event|listen call from "main" for the
 *      name is answered ok exactly when the name is valid (1) and P
 *      matches it; an event the core then emits to Any reaches exactly
 *      that listener (one page callback) or none; a plugin:event|emit call
 *      is always refused.
 */
#include "fuzz_common.h"
#include "base/internal.h"
#include "base/glob.h"
#include "router/router.h" /* cg_event_name_valid */

static bool ref_name_chars(const char *e)
{
	if (!*e)
		return false;
	for (const unsigned char *c = (const unsigned char *)e; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '-' || *c == '/' || *c == ':' || *c == '_'))
			return false;
	return true;
}

static cg_policy *build(const char *pat, bool deny_mode, int *rc_out)
{
	json_object *entry = json_object_new_object();
	json_object *allow = json_object_new_array(), *a = json_object_new_object();
	json_object_object_add(entry, "identifier", json_object_new_string("core:event:allow-listen"));
	json_object_object_add(a, "event", json_object_new_string(deny_mode ? "*" : pat));
	json_object_array_add(allow, a);
	json_object_object_add(entry, "allow", allow);
	if (deny_mode) {
		json_object *deny = json_object_new_array(), *dn = json_object_new_object();
		json_object_object_add(dn, "event", json_object_new_string(pat));
		json_object_array_add(deny, dn);
		json_object_object_add(entry, "deny", deny);
	}
	json_object *cap = json_object_new_object(), *wins = json_object_new_array(),
		    *perms = json_object_new_array();
	json_object_object_add(cap, "identifier", json_object_new_string("events"));
	json_object_array_add(wins, json_object_new_string("main"));
	json_object_object_add(cap, "windows", wins);
	json_object_array_add(perms, json_object_new_string("core:event:allow-unlisten"));
	json_object_array_add(perms, entry);
	json_object_object_add(cap, "permissions", perms);
	const char *text = json_object_to_json_string_ext(cap, JSON_C_TO_STRING_PLAIN);

	cg_builder *b = cg_builder_new();
	FUZZ_SETUP(b);
	fuzz_add_mini_core(b);
	cg_diag *d = cg_diag_new();
	cg_builder_add_capability_json(b, "events.json", text, strlen(text), d);
	cg_policy *p = NULL;
	*rc_out = cg_builder_build(b, &p, d);
	if (*rc_out < 0)
		FUZZ_CHECK(!p && cg_diag_error_count(d) > 0, "a failed build returned a policy or no error");
	cg_diag_free(d);
	cg_builder_free(b);
	json_object_put(cap);
	return p;
}

static void check_events(cg_policy *p, const char *name, bool want_listen)
{
	bool chars_ok = ref_name_chars(name);
	cg_subject *main_s = NULL, *other = NULL;
	FUZZ_SETUP(cg_subject_new(p, "main", NULL, NULL, &main_s) == 0);
	FUZZ_SETUP(cg_subject_new(p, "other", NULL, NULL, &other) == 0);
	for (int op = CG_EVENT_LISTEN; op <= CG_EVENT_EMIT_TO; op++) {
		cg_decision d1, d2, d3;
		int r1 = cg_check_event(main_s, (cg_event_op)op, name, &d1);
		int r2 = cg_check_event(main_s, (cg_event_op)op, name, &d2);
		int r3 = cg_check_event(other, (cg_event_op)op, name, &d3);
		FUZZ_CHECK(r1 == r2 && d1.allowed == d2.allowed && d1.reason == d2.reason,
			   "event \"%s\" op %d: answers differ", name, op);
		FUZZ_CHECK((r1 == 0) == chars_ok && (r3 == 0) == chars_ok,
			   "event \"%s\": cg_check_event returned %d", name, r1);
		FUZZ_CHECK(!d3.allowed, "window \"other\" may do op %d on \"%s\"", op, name);
		bool want = chars_ok && op == CG_EVENT_LISTEN && want_listen;
		FUZZ_CHECK(d1.allowed == want, "event \"%s\" op %d: allowed %d, expected %d (reason %d)", name,
			   op, d1.allowed, want, d1.reason);
		char *why = cg_decision_reason(&d1);
		FUZZ_CHECK(why, "no reason");
		free(why);
	}
	cg_subject_free(main_s);
	cg_subject_free(other);
}

/* ------------------------------------------------------- the router */

static int replies, last_ok, callbacks;

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	(void)user;
	(void)wv;
	(void)req;
	(void)json;
	(void)len;
	replies++;
	last_ok = ok;
}

static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len)
{
	(void)user;
	(void)wv;
	(void)len;
	FUZZ_CHECK(id == 7, "callback id %u", id);
	json_object *o = json_tokener_parse(json);
	FUZZ_CHECK(json_object_is_type(o, json_type_object), "event delivery is not a JSON object: %s", json);
	json_object_put(o);
	callbacks++;
}

static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};

static bool invoke(cg_router *r, cg_webview *wv, const char *cmd, const char *name)
{
	json_object *m = json_object_new_object(), *pl = json_object_new_object();
	json_object_object_add(m, "cmd", json_object_new_string(cmd));
	json_object_object_add(pl, "event", json_object_new_string(name));
	json_object_object_add(pl, "handler", json_object_new_int(7));
	json_object_object_add(m, "payload", pl);
	const char *text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);
	int before = replies;
	int rc = cg_router_invoke(r, wv, text, strlen(text), NULL);
	cg_router_process(r);
	FUZZ_CHECK(replies == before + 1, "%d replies to %s", replies - before, cmd);
	FUZZ_CHECK((rc == 0) == (last_ok != 0), "%s returned %d with ok %d", cmd, rc, last_ok);
	json_object_put(m);
	return last_ok;
}

static void check_router(cg_policy *p, const char *name, bool want_listen)
{
	cg_router *r = NULL;
	cg_router_new(&T, &r);
	FUZZ_SETUP(r && cg_router_set_policy(r, p) == 0);
	cg_webview *wv = NULL;
	cg_router_add_webview(r, "main", NULL, NULL, &wv);
	FUZZ_SETUP(wv);
	bool valid = cg_event_name_valid(name);
	bool ok = invoke(r, wv, "plugin:event|listen", name);
	FUZZ_CHECK(ok == (valid && want_listen), "listen to \"%s\": %s", name, ok ? "ok" : "refused");
	int reached = cg_router_emit(r, name, CG_TARGET_ANY, NULL, NULL);
	if (!valid)
		FUZZ_CHECK(reached == CG_EINVAL && callbacks == 0, "emit of invalid \"%s\": %d", name, reached);
	else
		FUZZ_CHECK(reached == (ok ? 1 : 0) && callbacks == reached, "emit of \"%s\" reached %d (%d callbacks)",
			   name, reached, callbacks);
	FUZZ_CHECK(!invoke(r, wv, "plugin:event|emit", name), "emit of \"%s\" allowed", name);
	cg_router_free(r);
	replies = last_ok = callbacks = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name, *pat;
	fuzz_split2(data, size, &name, &pat);

	bool valid = cg_event_name_valid(name);
	FUZZ_CHECK(valid == cg_event_name_valid(name), "not deterministic");
	FUZZ_CHECK(valid == (ref_name_chars(name) && strlen(name) <= 512), "cg_event_name_valid(\"%s\") = %d",
		   name, valid);

	bool pat_ok = cg_glob_validate(pat, NULL, NULL) == 0;
	bool matches = pat_ok && cg_glob_match(pat, name);
	int rc_a, rc_b;
	cg_policy *a = build(pat, false, &rc_a);
	cg_policy *b = build(pat, true, &rc_b);
	FUZZ_CHECK((a != NULL) == pat_ok && (b != NULL) == pat_ok,
		   "pattern \"%s\" (%s) built: allow %d (%s), deny %d (%s)", pat, pat_ok ? "valid" : "invalid",
		   a != NULL, cg_strerror(rc_a), b != NULL, cg_strerror(rc_b));
	if (a) {
		check_events(a, name, matches);
		check_router(a, name, matches);
	}
	if (b)
		check_events(b, name, !matches);
	cg_policy_unref(a);
	cg_policy_unref(b);
	free(name);
	free(pat);
	return 0;
}
