/*
 * A call's life. Every invoke is answered through the transport exactly
 * once: a refused message at once, a handler's answer when it comes. A
 * call holds two references, one for its answer and one for the code that
 * runs its handler, so that a handler may answer before it returns, after,
 * or from another thread. Answers from other threads wait in the router's
 * queue until the main loop drains it (cg_router_process), because the
 * transport is not thread-safe (WebKitGTK is not). A call not answered in
 * time is rejected as timed out.
 */
#include "router/router.h"
#include "router/workers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>

/* ---------------------------------------------------------------- calls */

void cg_router_answer_now(cg_router *r, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	if (!__atomic_load_n(&wv->removed, __ATOMIC_ACQUIRE))
		r->t.reply(r->t.user, wv, req, ok, json, len);
	else if (r->t.drop)
		r->t.drop(r->t.user, req);
}

/* A binary answer: as bytes to a version-2 transport, else as the JSON
 * array of their values. */
static void answer_bytes_now(cg_router *r, cg_webview *wv, void *req, cg_bytes *bytes)
{
	if (__atomic_load_n(&wv->removed, __ATOMIC_ACQUIRE)) {
		if (r->t.drop)
			r->t.drop(r->t.user, req);
		return;
	}
	if (r->t.reply_bytes) {
		r->t.reply_bytes(r->t.user, wv, req, bytes);
		return;
	}
	size_t len = 0;
	char *json = cg_bytes_json(bytes, &len);
	if (json)
		r->t.reply(r->t.user, wv, req, 1, json, len);
	else
		cg_router_reject_now(r, wv, req, "out of memory");
	free(json);
}

void cg_router_reject_now(cg_router *r, cg_webview *wv, void *req, const char *message)
{
	json_object *s = json_object_new_string(message ? message : "error");
	const char *txt = s ? json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE)
			    : "\"error\"";
	cg_router_answer_now(r, wv, req, 0, txt, strlen(txt));
	json_object_put(s);
}

static void call_free(cg_call *c)
{
	json_object_put(c->args);
	json_object_put(c->headers);
	json_object_put(c->cmd_scope);
	json_object_put(c->global_scope);
	cg_pscope_unref(c->pscope);
	cg_subject_free(c->subject);
	cg_body_free(&c->body);
	free(c->origin);
	free(c->ans);
	/* Still set only when the call timed out: see time_out. */
	cg_webview_unref(c->wv);
	free(c);
}

void cg_call_unref(cg_call *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
		call_free(c);
}

/* Main thread: the answer reaches the page (unless it is gone). */
void cg_call_deliver(cg_router *r, cg_call *c, int ok, const char *json, size_t len, cg_bytes *bytes)
{
	static const char oom[] = "\"out of memory\"";
	cg_webview *wv = c->wv;
	if (!json) {
		json = oom;
		len = sizeof(oom) - 1;
	}
	if (bytes)
		answer_bytes_now(r, wv, c->req, bytes);
	else
		cg_router_answer_now(r, wv, c->req, ok, json, len);
	wv->pending--;
	g_hash_table_remove(r->inflight, c);
	c->wv = NULL;
	cg_webview_unref(wv);
	cg_call_unref(c);
}

bool cg_router_on_main(const cg_router *r) { return pthread_equal(pthread_self(), r->main); }
#define on_main cg_router_on_main

/* Whether this is the call's first answer; a later one is refused (and
 * after a timeout, lets the call go). */
static bool first_answer(cg_call *c)
{
	int expected = 0;
	if (__atomic_compare_exchange_n(&c->answered, &expected, 1, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return true;
	/* The first answer after a timeout: the page had its answer, and
	 * now the handler lets go of the call. */
	int zero = 0;
	if (__atomic_load_n(&c->timed_out, __ATOMIC_ACQUIRE) &&
	    __atomic_compare_exchange_n(&c->late_released, &zero, 1, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		cg_call_unref(c);
	return false;
}

static int answer(cg_call *c, int ok, json_object *v)
{
	if (!c) {
		json_object_put(v);
		return CG_EINVAL;
	}
	if (!first_answer(c)) {
		json_object_put(v);
		return CG_ESTATE;
	}
	/* Serialised on the answering thread: that work stays off the main
	 * loop for async handlers. */
	const char *txt = v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE)
			    : "null";
	size_t len = strlen(txt);
	cg_router *r = c->r;
	if (on_main(r)) {
		cg_call_deliver(r, c, ok, txt, len, NULL);
		json_object_put(v);
		return 0;
	}
	/* The queue item was made with the call, so a worker's answer never
	 * fails for want of memory; at worst its text is replaced. */
	cg_qitem *it = c->ans;
	c->ans = NULL;
	it->json = malloc(len + 1);
	if (it->json) {
		memcpy(it->json, txt, len + 1);
		it->len = len;
		it->ok = ok;
	} else {
		it->ok = 0;
	}
	json_object_put(v);
	cg_router_push(r, it);
	return 0;
}

CG_EXPORT int cg_call_resolve(cg_call *c, json_object *result) { return answer(c, 1, result); }

CG_EXPORT int cg_call_reject(cg_call *c, const char *message)
{
	json_object *s = json_object_new_string(message ? message : "error");
	if (!s)
		return CG_ENOMEM;
	return answer(c, 0, s);
}

/* An answer over CG_RLIMIT_BINARY_SIZE: the call is rejected, with the
 * limit named. */
static int refuse_bytes(cg_call *c, size_t len)
{
	size_t max = c->r->limits[CG_RLIMIT_BINARY_SIZE];
	char *why = cg_strdup_printf("%s: an answer of %zu bytes is larger than limits.binary_size (%zu bytes); "
				     "send big data through a channel, in pieces", c->reg->name, len, max);
	int rc = cg_call_reject(c, why ? why : "an answer larger than limits.binary_size");
	free(why);
	return rc == CG_ESTATE ? rc : CG_ELIMIT;
}

/* A binary answer: b (taken) goes to the transport as it is, from the
 * main loop. NULL b: no memory. */
static int answer_bytes(cg_call *c, cg_bytes *b)
{
	if (!b) {
		int rc = cg_call_reject(c, "out of memory");
		return rc == CG_ESTATE ? rc : CG_ENOMEM;
	}
	if (!first_answer(c)) {
		cg_bytes_unref(b);
		return CG_ESTATE;
	}
	cg_router *r = c->r;
	if (on_main(r)) {
		cg_call_deliver(r, c, 1, NULL, 0, b);
		cg_bytes_unref(b);
		return 0;
	}
	cg_qitem *it = c->ans;
	c->ans = NULL;
	it->ok = 1;
	it->bytes = b;
	cg_router_push(r, it);
	return 0;
}

CG_EXPORT int cg_call_resolve_bytes(cg_call *c, const void *data, size_t len)
{
	if (!c || (!data && len))
		return CG_EINVAL;
	/* Over the limit: refused before the copy. */
	if (len > c->r->limits[CG_RLIMIT_BINARY_SIZE])
		return refuse_bytes(c, len);
	return answer_bytes(c, cg_bytes_new_copy(data, len));
}

CG_EXPORT int cg_call_resolve_bytes_take(cg_call *c, void *data, size_t len, void (*free_fn)(void *))
{
	if (!c || (!data && len) || len > c->r->limits[CG_RLIMIT_BINARY_SIZE]) {
		if (free_fn && data)
			free_fn(data);
		return !c || (!data && len) ? CG_EINVAL : refuse_bytes(c, len);
	}
	return answer_bytes(c, cg_bytes_new_take(data, len, free_fn));
}

CG_EXPORT const char *cg_call_command(const cg_call *c) { return c ? c->reg->name : NULL; }
CG_EXPORT json_object *cg_call_args(const cg_call *c) { return c ? c->args : NULL; }
/* Scopes are made on first use: most commands never ask, and building
 * them costs more than the rest of a call. Only the handler's thread uses
 * a call, so no lock is needed. */
CG_EXPORT json_object *cg_call_command_scope(const cg_call *c)
{
	cg_call *m = (cg_call *)c;
	if (m && !m->cmd_scope)
		m->cmd_scope = cg_decision_command_scope(&m->dc);
	return m ? m->cmd_scope : NULL;
}

CG_EXPORT json_object *cg_call_global_scope(const cg_call *c)
{
	cg_call *m = (cg_call *)c;
	if (m && !m->global_scope)
		m->global_scope = cg_decision_global_scope(&m->dc);
	return m ? m->global_scope : NULL;
}
CG_EXPORT const char *cg_call_origin(const cg_call *c) { return c ? c->origin : NULL; }
CG_EXPORT int cg_call_cancelled(const cg_call *c)
{
	return !c || !c->wv || __atomic_load_n(&c->wv->removed, __ATOMIC_ACQUIRE);
}

/* The webview outlives the call (the call holds a reference), and its
 * labels never change, so these are safe from any thread. */
CG_EXPORT const char *cg_call_window(const cg_call *c) { return c && c->wv ? c->wv->window : NULL; }
CG_EXPORT const char *cg_call_webview(const cg_call *c) { return c && c->wv ? c->wv->label : NULL; }
CG_EXPORT cg_router *cg_call_router(const cg_call *c) { return c ? c->r : NULL; }

CG_EXPORT const void *cg_call_body(const cg_call *c, size_t *len)
{
	if (len)
		*len = c && c->body.data ? c->body.len : 0;
	return c ? c->body.data : NULL;
}

CG_EXPORT const char *cg_call_header(const cg_call *c, const char *name)
{
	if (!c || !c->headers || !name)
		return NULL;
	json_object_object_foreach(c->headers, k, v)
		if (g_ascii_strcasecmp(k, name) == 0)
			return json_object_get_string(v);
	return NULL;
}


/* The dispatcher's part is over: release its reference. Whichever of the
 * dispatcher and the answer's delivery comes last frees the call; nothing
 * in it belongs to the main thread by then. */
void cg_call_dispatched(cg_call *c, int rc)
{
	if (rc < 0 && !__atomic_load_n(&c->answered, __ATOMIC_ACQUIRE))
		cg_call_reject(c, cg_strerror(rc));
	cg_call_unref(c);
}

/* -------------------------------------------------------------- timeouts */

unsigned cg_router_timeout_ms(const cg_router *r) { return (unsigned)r->limits[CG_RLIMIT_TIMEOUT]; }

/* The tick runs only while calls are in flight: a tenth of the timeout,
 * between 10 ms and 1 s. */
static void set_ticking(cg_router *r, bool on)
{
	if (on == r->ticking)
		return;
	unsigned ms = cg_router_timeout_ms(r) / 10;
	ms = ms < 10 ? 10 : ms > 1000 ? 1000 : ms;
	struct itimerspec its = {{0, 0}, {0, 0}};
	if (on)
		its.it_interval = its.it_value = (struct timespec){ms / 1000, (long)(ms % 1000) * 1000000L};
	if (timerfd_settime(r->tfd, 0, &its, NULL) == 0)
		r->ticking = on;
}

void cg_call_track(cg_router *r, cg_call *c)
{
	if (!cg_router_timeout_ms(r))
		return;
	c->deadline = g_get_monotonic_time() + (int64_t)cg_router_timeout_ms(r) * 1000;
	g_hash_table_add(r->inflight, c);
	set_ticking(r, true);
}

/* A sync handler that returned without answering (a deferred call) gets
 * a deadline; one that answered costs the timer nothing. Called before
 * dispatch_done, while the dispatcher still holds the call. */
void cg_call_track_if_deferred(cg_router *r, cg_call *c, int rc)
{
	if (rc >= 0 && !__atomic_load_n(&c->answered, __ATOMIC_ACQUIRE))
		cg_call_track(r, c);
}

/* Main thread: answers the call "timed out" unless an answer is on its
 * way. The handler may still be running, or the host may hold a deferred
 * call, so the call stays whole: it keeps its webview (released in
 * call_free) and the answer's reference, which the late answer releases
 * (answer()). A deferred call never answered is never freed. */
void cg_call_time_out(cg_router *r, cg_call *c)
{
	int expected = 0;
	g_hash_table_remove(r->inflight, c);
	if (!__atomic_compare_exchange_n(&c->answered, &expected, 1, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&c->timed_out, 1, __ATOMIC_RELEASE);
	/* A handler still running leaves its worker to the others. */
	int running = CALL_RUNNING;
	if (c->reg->mode == CG_CMD_ASYNC &&
	    __atomic_compare_exchange_n(&c->phase, &running, CALL_STUCK, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&r->slock);
		r->stuck_workers++;
		if (r->pool)
			cg_workers_set_max(r->pool, (unsigned)r->limits[CG_RLIMIT_WORKERS] + r->stuck_workers);
		pthread_mutex_unlock(&r->slock);
	}
	char *msg = cg_strdup_printf("timed out: %s did not answer within %u ms", c->reg->name,
				     cg_router_timeout_ms(r));
	cg_declog_record(r, c->wv, "command", c->reg->name, "invalid", msg ? msg : "timed out");
	cg_router_log(r, "webview \"%s\": %s", c->wv->label, msg ? msg : "a call timed out");
	cg_router_reject_now(r, c->wv, c->req, msg ? msg : "timed out");
	free(msg);
	c->wv->pending--;
}

void cg_router_declog_wake(cg_router *r)
{
	set_ticking(r, true);
}

void cg_router_expire_calls(cg_router *r)
{
	if (!g_hash_table_size(r->inflight)) {
		if (!cg_declog_holding(r))
			set_ticking(r, false);
		return;
	}
	int64_t now = g_get_monotonic_time();
	GPtrArray *late = NULL;
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, r->inflight);
	while (g_hash_table_iter_next(&it, &k, NULL))
		if (((cg_call *)k)->deadline <= now) {
			if (!late)
				late = g_ptr_array_new();
			g_ptr_array_add(late, k);
		}
	for (guint i = 0; late && i < late->len; i++)
		cg_call_time_out(r, late->pdata[i]);
	if (late)
		g_ptr_array_free(late, TRUE);
	if (!g_hash_table_size(r->inflight) && !cg_declog_holding(r))
		set_ticking(r, false);
}

