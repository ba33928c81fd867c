/*
 * A message's way through the router: parsed and validated (or unsealed),
 * checked against the policy, refused with a reason naming the fix, or
 * dispatched to its handler where its mode says.
 */
#include "router/router.h"
#include "router/seal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- invoke */


static int refuse_target(cg_router *r, cg_webview *wv, void *req, const char *cmd, const char *target,
			 const char *decision, const char *reason, int rc)
{
	cg_declog_record_target(r, wv, "command", cmd, target, decision, reason);
	if (strcmp(decision, "invalid") == 0)
		cg_router_log(r, "webview \"%s\": refused %s%s: %s", wv->label,
			      strcmp(cmd, "?") ? "a call to " : "a message", strcmp(cmd, "?") ? cmd : "", reason);
	cg_router_reject_now(r, wv, req, reason);
	return rc;
}

static int refuse(cg_router *r, cg_webview *wv, void *req, const char *cmd, const char *decision,
		  const char *reason, int rc)
{
	return refuse_target(r, wv, req, cmd, NULL, decision, reason, rc);
}

/* The window a core window or webview command acts on, when its arguments
 * name one ({"label": ...}): for the decision log only. The decision is
 * the caller's, as in Tauri: a window allowed to close may close others. */
static const char *command_target(const char *cmd, json_object *args)
{
	json_object *l;
	if ((strncmp(cmd, "plugin:window|", 14) != 0 && strncmp(cmd, "plugin:webview|", 15) != 0) ||
	    !json_object_is_type(args, json_type_object) || !json_object_object_get_ex(args, "label", &l) ||
	    !cg_json_plain_string(l))
		return NULL;
	return json_object_get_string(l);
}

static int dispatch(cg_router *r, cg_webview *wv, const cg_reg *g, cg_subject *subj, const cg_decision *dc,
		    json_object *args, cg_body *body, json_object *headers, void *req)
{
	cg_call *c = calloc(1, sizeof(*c));
	if (c && !(c->ans = calloc(1, sizeof(*c->ans)))) {
		free(c);
		c = NULL;
	}
	if (!c) {
		json_object_put(args);
		json_object_put(headers);
		cg_body_free(body);
		cg_router_reject_now(r, wv, req, "out of memory");
		return CG_ENOMEM;
	}
	c->ans->kind = Q_ANSWER;
	c->ans->call = c;
	c->r = r;
	c->wv = cg_webview_ref(wv);
	c->req = req;
	c->reg = g;
	c->args = args;
	c->body = *body;
	memset(body, 0, sizeof(*body));
	c->headers = headers;
	c->origin = wv->url ? strdup(wv->url) : NULL;
	c->subject = cg_subject_ref(subj);
	c->dc = *dc;
	c->dc.priv_subject = c->subject;
	c->gen = r->gen;
	c->scope_epoch = wv->scope_epoch;
	c->refs = 2;
	wv->pending++;
	return cg_router_run_call(r, c);
}

static int check_and_dispatch(cg_router *r, cg_webview *wv, const char *cmd, json_object *args,
			      cg_body *body, json_object *headers, void *req)
{
	const cg_reg *g = g_hash_table_lookup(r->regs, cmd);
	const char *target = command_target(cmd, args);
	char *reason = NULL;
	int rc;
	if (!g) {
		reason = cg_strdup_printf("unknown command: %s", cmd);
		rc = refuse_target(r, wv, req, cmd, target, "deny", reason ? reason : "unknown command", CG_ENOTFOUND);
		goto fail;
	}
	cg_subject *s = cg_webview_subject(wv);
	if (!s) {
		rc = refuse_target(r, wv, req, cmd, target, "deny",
				   r->policy ? "the page's origin is not a valid URL"
					     : "no policy is installed: nothing is allowed",
				   CG_ESTATE);
		goto fail;
	}
	cg_decision dc;
	if (g->policy_id >= 0)
		cg_check(s, g->policy_id, &dc);
	else
		cg_check_command(s, g->name, &dc);
	if (!dc.allowed || cg_declog_wants_allow(r))
		reason = cg_decision_reason(&dc);
	if (!dc.allowed) {
		rc = refuse_target(r, wv, req, cmd, target, "deny", reason ? reason : "denied", CG_ESTATE);
		goto fail;
	}
	if (reason)
		cg_declog_record_target(r, wv, "command", cmd, target, "allow", reason);
	free(reason);
	return dispatch(r, wv, g, s, &dc, args, body, headers, req);
fail:
	free(reason);
	json_object_put(args);
	json_object_put(headers);
	cg_body_free(body);
	return rc;
}

static bool usable(cg_router *r, cg_webview *wv)
{
	return r && wv && wv->r == r && !__atomic_load_n(&wv->removed, __ATOMIC_ACQUIRE);
}

/* A binary body over CG_RLIMIT_BINARY_SIZE, refused with the limit named. */
static int refuse_size(cg_router *r, cg_webview *wv, void *req, const char *cmd, size_t len)
{
	char *why = cg_strdup_printf("a binary call of %zu bytes is larger than limits.binary_size (%zu bytes): "
				     "send big data through a channel, in pieces", len,
				     r->limits[CG_RLIMIT_BINARY_SIZE]);
	refuse(r, wv, req, cmd, "invalid", why ? why : "body too large", CG_ELIMIT);
	free(why);
	return CG_ELIMIT;
}

static int too_busy(cg_router *r, cg_webview *wv, void *req, const char *cmd)
{
	if (wv->pending < r->limits[CG_RLIMIT_PENDING])
		return 0;
	char *why = cg_strdup_printf("too many calls in flight (limit %zu): wait for answers before sending more",
				     r->limits[CG_RLIMIT_PENDING]);
	refuse(r, wv, req, cmd, "invalid", why ? why : "too many calls in flight", CG_ELIMIT);
	free(why);
	return CG_ELIMIT;
}

CG_EXPORT int cg_router_invoke(cg_router *r, cg_webview *wv, const char *msg, size_t len, void *req)
{
	if (!usable(r, wv))
		return CG_EINVAL;
	if (!msg)
		return refuse(r, wv, req, "?", "invalid", "empty message", CG_EINVAL);
	cg_ipcmsg m;
	char *why = NULL;
	/* A binary call may come as a message too, its body as base64 in
	 * "body" (small ones, and a sub-frame's): the same reader. */
	int rc = r->sealer ? cg_router_unseal(r, wv, msg, len, &m, &why)
			   : cg_ipcmsg_parse(r, msg, len, CG_IPCMSG_BODY, &m, &why);
	if (rc < 0) {
		refuse(r, wv, req, "?", "invalid", why ? why : cg_strerror(rc), rc);
		free(why);
		return rc;
	}
	if (m.body && m.body_len > r->limits[CG_RLIMIT_BINARY_SIZE]) {
		rc = refuse_size(r, wv, req, m.cmd, m.body_len);
		cg_ipcmsg_clear(&m);
		return rc;
	}
	if ((rc = too_busy(r, wv, req, m.cmd)) < 0) {
		cg_ipcmsg_clear(&m);
		return rc;
	}
	if (cg_events_is_builtin(m.cmd)) {
		rc = m.body ? refuse(r, wv, req, m.cmd, "invalid", "event commands take JSON, not a binary body",
				     CG_EINVAL)
			    : cg_events_invoke(r, wv, &m, req);
		cg_ipcmsg_clear(&m);
		return rc;
	}
	json_object *payload = m.payload, *headers = m.headers;
	cg_body body = {m.body, m.body, m.body_len, m.body ? free : NULL};
	m.payload = m.headers = NULL;
	m.body = NULL;
	if (body.data) {
		json_object_put(payload);
		payload = NULL;
	}
	rc = check_and_dispatch(r, wv, m.cmd, payload, &body, headers, req);
	cg_ipcmsg_clear(&m);
	return rc;
}

CG_EXPORT int cg_router_invoke_raw(cg_router *r, cg_webview *wv, const char *cmd, const void *body,
				   size_t len, const char *headers_json, void *req)
{
	if (!usable(r, wv))
		return CG_EINVAL;
	if (!cmd || !*cmd || strlen(cmd) > 512)
		return refuse(r, wv, req, "?", "invalid", "a binary call needs a command name", CG_EINVAL);
	if (r->sealer)
		return refuse(r, wv, req, cmd, "invalid",
			      "not sealed: under the isolation pattern a binary call travels sealed, "
			      "its body in \"body\"", CG_ESEAL);
	if (len > r->limits[CG_RLIMIT_BINARY_SIZE])
		return refuse_size(r, wv, req, cmd, len);
	if (cg_events_is_builtin(cmd))
		return refuse(r, wv, req, cmd, "invalid", "event commands take JSON, not a binary body", CG_EINVAL);
	int rc;
	if ((rc = too_busy(r, wv, req, cmd)) < 0)
		return rc;
	json_object *headers = NULL;
	if (headers_json) {
		char *why = NULL;
		/* Parsed on its own: pasting it into a message could let text
		 * that is not an object close the message's braces. */
		headers = cg_ipc_parse_headers(r, headers_json, &why);
		if (!headers) {
			refuse(r, wv, req, cmd, "invalid", why ? why : "bad headers", CG_ESCHEMA);
			free(why);
			return CG_ESCHEMA;
		}
	}
	void *copy = malloc(len ? len : 1);
	if (!copy) {
		json_object_put(headers);
		return refuse(r, wv, req, cmd, "invalid", "out of memory", CG_ENOMEM);
	}
	if (len)
		memcpy(copy, body, len);
	cg_body b = {copy, copy, len, free};
	return check_and_dispatch(r, wv, cmd, NULL, &b, headers, req);
}

CG_EXPORT int cg_router_invoke_body(cg_router *r, cg_webview *wv, const char *msg, size_t len, void *body,
				    size_t body_len, void (*free_fn)(void *), void *req)
{
	cg_body b = {body, body, body_len, free_fn};
	if (!usable(r, wv) || (!body && body_len)) {
		cg_body_free(&b);
		return CG_EINVAL;
	}
	int rc;
	if (!msg) {
		cg_body_free(&b);
		return refuse(r, wv, req, "?", "invalid", "empty message", CG_EINVAL);
	}
	/* A sealed body holds its message, a NUL and the tag too: at most
	 * that much more, until it is open and the bytes can be counted. */
	size_t max = r->limits[CG_RLIMIT_BINARY_SIZE];
	size_t slack = r->sealer ? r->limits[CG_RLIMIT_MESSAGE_SIZE] + 1 + CG_SEAL_TAG_SIZE : 0;
	if (body_len > max + slack) {
		cg_body_free(&b);
		return refuse_size(r, wv, req, "?", body_len);
	}
	cg_ipcmsg m;
	char *why = NULL;
	rc = r->sealer ? cg_router_unseal_body(r, wv, msg, len, &b, &m, &why)
		       : cg_ipcmsg_parse(r, msg, len, CG_IPCMSG_NO_PAYLOAD, &m, &why);
	if (rc < 0) {
		cg_body_free(&b);
		refuse(r, wv, req, "?", "invalid", why ? why : cg_strerror(rc), rc);
		free(why);
		return rc;
	}
	if (b.len > max) {
		cg_body_free(&b);
		rc = refuse_size(r, wv, req, m.cmd, b.len);
		cg_ipcmsg_clear(&m);
		return rc;
	}
	if ((rc = too_busy(r, wv, req, m.cmd)) < 0 ||
	    (cg_events_is_builtin(m.cmd) &&
	     (rc = refuse(r, wv, req, m.cmd, "invalid", "event commands take JSON, not a binary body", CG_EINVAL)) < 0)) {
		cg_body_free(&b);
		cg_ipcmsg_clear(&m);
		return rc;
	}
	json_object *headers = m.headers;
	m.headers = NULL;
	rc = check_and_dispatch(r, wv, m.cmd, NULL, &b, headers, req);
	cg_ipcmsg_clear(&m);
	return rc;
}
