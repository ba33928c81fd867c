/*
 * The router: registry, webviews, invokes and answers.
 *
 * Every invoke is answered through the transport exactly once: a refused
 * message at once, a handler's answer when it comes. A call holds two
 * references, one for its answer and one for the code that runs its
 * handler, so that a handler may answer before it returns, after, or from
 * another thread. Answers from other threads wait in a queue that the main
 * loop drains (cg_router_process), because the transport is not
 * thread-safe (WebKitGTK is not).
 */
#include "router/router.h"
#include "base/ident.h"
#include "router/workers.h"
#include "router/hthread.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

typedef struct cg_state_entry {
	void *state;
	void (*free_fn)(void *);
} cg_state_entry;

static const size_t default_limits[7] = {4u << 20, 64, 1u << 20, 256, 1024, 4, 60000};

static void free_reg(gpointer p)
{
	cg_reg *g = p;
	free(g->name);
	free(g->plugin);
	free(g->plain);
	free(g);
}

static void free_state(gpointer p)
{
	cg_state_entry *e = p;
	if (e->free_fn)
		e->free_fn(e->state);
	free(e);
}

static void run_async(void *data, void *user);

/* sizeof(cg_transport) as each version declared it. */
static const size_t transport_size[CG_TRANSPORT_VERSION + 1] = {
	[1] = offsetof(cg_transport, drop) + sizeof(((cg_transport *)0)->drop),
};

CG_EXPORT int cg_router_new(const cg_transport *t, cg_router **out)
{
	if (out)
		*out = NULL;
	if (!out || !t || t->version < 1 || t->version > CG_TRANSPORT_VERSION || !t->reply ||
	    !t->callback)
		return CG_EINVAL;
	cg_router *r = calloc(1, sizeof(*r));
	if (!r)
		return CG_ENOMEM;
	/* Only the members the caller's version has: its struct may be
	 * smaller than this library's. */
	memcpy(&r->t, t, transport_size[t->version]);
	r->t.version = CG_TRANSPORT_VERSION;
	r->main = pthread_self();
	r->efd = r->tfd = r->pfd = -1;
	memcpy(r->limits, default_limits, sizeof(default_limits));
	r->regs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, free_reg);
	r->state = g_hash_table_new_full(g_str_hash, g_str_equal, free, free_state);
	r->webviews = g_ptr_array_new();
	r->listeners = g_hash_table_new_full(g_str_hash, g_str_equal, free,
					     (GDestroyNotify)g_ptr_array_unref);
	r->listener_ids = g_hash_table_new(g_direct_hash, g_direct_equal);
	r->next_listener = 1;
	pthread_mutex_init(&r->qlock, NULL);
	pthread_mutex_init(&r->slock, NULL);
	pthread_cond_init(&r->scond, NULL);
	r->inflight = g_hash_table_new(g_direct_hash, g_direct_equal);
	/* One fd for the host to watch: queued answers and the timeout tick. */
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	r->pfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN};
	if (r->efd < 0 || r->tfd < 0 || r->pfd < 0 ||
	    epoll_ctl(r->pfd, EPOLL_CTL_ADD, r->efd, &ev) < 0 ||
	    epoll_ctl(r->pfd, EPOLL_CTL_ADD, r->tfd, &ev) < 0) {
		int e = errno;
		cg_router_free(r);
		errno = e;
		return e == ENOMEM ? CG_ENOMEM : CG_EIO;
	}
	*out = r;
	return 0;
}

static void ensure_pool(cg_router *r)
{
	if (!r->pool)
		r->pool = cg_workers_new(run_async, r, (unsigned)r->limits[CG_RLIMIT_WORKERS]);
}

CG_EXPORT void cg_router_free(cg_router *r)
{
	if (!r)
		return;
	/* Let running handlers finish, then deliver (drop) what they left. */
	cg_workers_free(r->pool);
	r->pool = NULL;
	cg_hthread_free(r->hthread);
	r->hthread = NULL;
	/* Handler threads left behind by a timeout still hold calls. */
	pthread_mutex_lock(&r->slock);
	while (r->stuck_threads)
		pthread_cond_wait(&r->scond, &r->slock);
	pthread_mutex_unlock(&r->slock);
	while (r->webviews->len)
		cg_router_remove_webview(r, r->webviews->pdata[r->webviews->len - 1]);
	cg_router_process(r);
	cg_events_free(r);
	g_hash_table_destroy(r->listeners);
	g_hash_table_destroy(r->listener_ids);
	g_ptr_array_free(r->webviews, TRUE);
	g_hash_table_destroy(r->regs);
	g_hash_table_destroy(r->state);
	cg_policy_unref(r->policy);
	cg_audit_flush(r, true);
	cg_audit_free(r->audit);
	cg_isolation_free(r);
	if (r->efd >= 0)
		close(r->efd);
	if (r->tfd >= 0)
		close(r->tfd);
	if (r->pfd >= 0)
		close(r->pfd);
	if (r->inflight)
		g_hash_table_destroy(r->inflight);
	pthread_cond_destroy(&r->scond);
	pthread_mutex_destroy(&r->slock);
	pthread_mutex_destroy(&r->qlock);
	free(r);
}

CG_EXPORT int cg_router_set_limit(cg_router *r, cg_router_limit which, size_t value)
{
	if (!r || (unsigned)which > CG_RLIMIT_TIMEOUT || (value == 0 && which != CG_RLIMIT_TIMEOUT))
		return CG_EINVAL;
	if (which == CG_RLIMIT_TIMEOUT && value > INT32_MAX)
		return CG_EINVAL;
	if (which == CG_RLIMIT_DEPTH && value > 4096)
		return CG_EINVAL;
	if (which == CG_RLIMIT_WORKERS) {
		if (value > 256)
			return CG_EINVAL;
		pthread_mutex_lock(&r->slock);
		if (r->pool)
			cg_workers_set_max(r->pool, (unsigned)value + r->stuck_workers);
		r->limits[which] = value;
		pthread_mutex_unlock(&r->slock);
		return 0;
	}
	r->limits[which] = value;
	return 0;
}

CG_EXPORT size_t cg_router_get_limit(const cg_router *r, cg_router_limit which)
{
	return r && (unsigned)which <= CG_RLIMIT_TIMEOUT ? r->limits[which] : 0;
}

CG_EXPORT int cg_router_set_policy(cg_router *r, cg_policy *p)
{
	if (!r || !p)
		return CG_EINVAL;
	cg_policy_ref(p);
	cg_policy_unref(r->policy);
	r->policy = p;
	r->gen++;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->regs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		cg_reg *g = v;
		int id = cg_policy_command_id(p, g->name);
		g->policy_id = id >= 0 ? id : -1;
	}
	return 0;
}

CG_EXPORT int cg_router_declare_commands(const cg_router *r, cg_builder *b)
{
	if (!r || !b)
		return CG_EINVAL;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->regs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const cg_reg *g = v;
		int rc = cg_builder_declare_command(b, g->plugin, g->plain);
		if (rc < 0)
			return rc;
	}
	return 0;
}

CG_EXPORT int cg_router_register(cg_router *r, const char *plugin, const char *command,
				 cg_command_fn fn, void *user, cg_cmd_mode mode)
{
	const char *why;
	if (!r || !command || !*command || !fn ||
	    (mode != CG_CMD_SYNC && mode != CG_CMD_ASYNC && mode != CG_CMD_MAIN))
		return CG_EINVAL;
	if (!plugin)
		plugin = "";
	if (cg_plugin_key_validate(plugin, &why) < 0 || strchr(command, '|'))
		return CG_EIDENT;
	cg_reg *g = calloc(1, sizeof(*g));
	if (!g)
		return CG_ENOMEM;
	g->plugin = strdup(plugin);
	g->plain = strdup(command);
	g->name = cg_command_name(plugin, command);
	g->fn = fn;
	g->user = user;
	g->mode = mode;
	g->policy_id = r->policy ? cg_policy_command_id(r->policy, g->name) : -1;
	if (g->policy_id < 0)
		g->policy_id = -1;
	if (!g->plugin || !g->plain || !g->name) {
		free_reg(g);
		return CG_ENOMEM;
	}
	if (g_hash_table_contains(r->regs, g->name) || cg_events_is_builtin(g->name)) {
		free_reg(g);
		return CG_EDUPLICATE;
	}
	g_hash_table_insert(r->regs, g->name, g);
	return 0;
}

CG_EXPORT int cg_router_manage(cg_router *r, const char *name, void *state, void (*free_fn)(void *))
{
	if (!r || !name)
		return CG_EINVAL;
	if (g_hash_table_contains(r->state, name))
		return CG_EDUPLICATE;
	cg_state_entry *e = calloc(1, sizeof(*e));
	char *k = strdup(name);
	if (!e || !k) {
		free(e);
		free(k);
		return CG_ENOMEM;
	}
	e->state = state;
	e->free_fn = free_fn;
	g_hash_table_insert(r->state, k, e);
	return 0;
}

/* -------------------------------------------------------------- webviews */

cg_webview *cg_webview_ref(cg_webview *wv)
{
	__atomic_add_fetch(&wv->refs, 1, __ATOMIC_RELAXED);
	return wv;
}

void cg_webview_unref(cg_webview *wv)
{
	if (!wv || __atomic_sub_fetch(&wv->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	cg_subject_free(wv->subject);
	free(wv->window);
	free(wv->label);
	free(wv->url);
	free(wv);
}

CG_EXPORT int cg_router_add_webview(cg_router *r, const char *window, const char *webview,
				     const char *remote_url, cg_webview **out)
{
	if (out)
		*out = NULL;
	if (!r || !out || !window || !*window)
		return CG_EINVAL;
	cg_webview *wv = calloc(1, sizeof(*wv));
	if (!wv)
		return CG_ENOMEM;
	wv->r = r;
	wv->refs = 1;
	wv->window = strdup(window);
	wv->label = strdup(webview ? webview : window);
	wv->url = remote_url ? strdup(remote_url) : NULL;
	if (!wv->window || !wv->label || (remote_url && !wv->url)) {
		cg_webview_unref(wv);
		return CG_ENOMEM;
	}
	g_ptr_array_add(r->webviews, wv);
	*out = wv;
	return 0;
}

CG_EXPORT int cg_webview_set_origin(cg_webview *wv, const char *remote_url)
{
	if (!wv || __atomic_load_n(&wv->removed, __ATOMIC_ACQUIRE))
		return CG_EINVAL;
	char *u = remote_url ? strdup(remote_url) : NULL;
	if (remote_url && !u)
		return CG_ENOMEM;
	free(wv->url);
	wv->url = u;
	cg_subject_free(wv->subject);
	wv->subject = NULL;
	return 0;
}

CG_EXPORT const char *cg_webview_window(const cg_webview *wv) { return wv ? wv->window : NULL; }
CG_EXPORT const char *cg_webview_label(const cg_webview *wv) { return wv ? wv->label : NULL; }
CG_EXPORT void cg_webview_set_data(cg_webview *wv, void *data) { if (wv) wv->data = data; }
CG_EXPORT void *cg_webview_get_data(const cg_webview *wv) { return wv ? wv->data : NULL; }

/* The subject for the current policy, resolved again after a reload or a
 * navigation. NULL when there is no policy or the origin is not a URL. */
cg_subject *cg_webview_subject(cg_webview *wv)
{
	cg_router *r = wv->r;
	if (!r->policy)
		return NULL;
	if (!wv->subject || wv->gen != r->gen) {
		cg_subject_free(wv->subject);
		wv->subject = NULL;
		if (cg_subject_new(r->policy, wv->window, wv->label, wv->url, &wv->subject) < 0)
			return NULL;
		wv->gen = r->gen;
	}
	return wv->subject;
}

CG_EXPORT void cg_router_remove_webview(cg_router *r, cg_webview *wv)
{
	if (!r || !wv || !g_ptr_array_remove_fast(r->webviews, wv))
		return;
	__atomic_store_n(&wv->removed, 1, __ATOMIC_RELEASE);
	cg_events_remove_webview(r, wv);
	cg_webview_unref(wv);
}

/* ---------------------------------------------------------------- queue */

void cg_router_push(cg_router *r, cg_qitem *it)
{
	it->next = NULL;
	pthread_mutex_lock(&r->qlock);
	if (r->qtail)
		r->qtail->next = it;
	else
		r->qhead = it;
	r->qtail = it;
	pthread_mutex_unlock(&r->qlock);
	uint64_t one = 1;
	/* EAGAIN means the counter is already non-zero: the loop will wake. */
	while (write(r->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

CG_EXPORT int cg_router_fd(const cg_router *r) { return r ? r->pfd : CG_EINVAL; }

static void call_unref(cg_call *c);
static void deliver_answer(cg_router *r, cg_call *c, int ok, const char *json, size_t len);
static void expire_calls(cg_router *r);

CG_EXPORT int cg_router_process(cg_router *r)
{
	if (!r)
		return CG_EINVAL;
	uint64_t n;
	while (read(r->efd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
	ssize_t tick;
	while ((tick = read(r->tfd, &n, sizeof(n))) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&r->qlock);
	cg_qitem *it = r->qhead;
	r->qhead = r->qtail = NULL;
	pthread_mutex_unlock(&r->qlock);
	int count = 0;
	while (it) {
		cg_qitem *next = it->next;
		switch (it->kind) {
		case Q_ANSWER:
			deliver_answer(r, it->call, it->ok, it->json, it->len);
			break;
		case Q_CHANNEL:
		case Q_CHANNEL_END:
			cg_channel_deliver(r, it);
			break;
		case Q_EMIT:
			cg_events_deliver_queued(r, it);
			break;
		}
		free(it->json);
		free(it);
		it = next;
		count++;
	}
	/* After the queue: an answer that arrived in time wins. Only on a
	 * tick: the timer is not re-armed call by call. */
	if (tick > 0) {
		if (cg_audit_holding(r))
			cg_audit_flush(r, false);
		expire_calls(r);
	}
	return count;
}

/* ---------------------------------------------------------------- calls */

void cg_router_answer_now(cg_router *r, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	if (!__atomic_load_n(&wv->removed, __ATOMIC_ACQUIRE))
		r->t.reply(r->t.user, wv, req, ok, json, len);
	else if (r->t.drop)
		r->t.drop(r->t.user, req);
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
	cg_subject_free(c->subject);
	free(c->body);
	free(c->origin);
	free(c->ans);
	/* Still set only when the call timed out: see time_out. */
	cg_webview_unref(c->wv);
	free(c);
}

static void call_unref(cg_call *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
		call_free(c);
}

/* Main thread: the answer reaches the page (unless it is gone). */
static void deliver_answer(cg_router *r, cg_call *c, int ok, const char *json, size_t len)
{
	static const char oom[] = "\"out of memory\"";
	cg_webview *wv = c->wv;
	if (!json) {
		json = oom;
		len = sizeof(oom) - 1;
	}
	cg_router_answer_now(r, wv, c->req, ok, json, len);
	wv->pending--;
	g_hash_table_remove(r->inflight, c);
	c->wv = NULL;
	cg_webview_unref(wv);
	call_unref(c);
}

bool cg_router_on_main(const cg_router *r) { return pthread_equal(pthread_self(), r->main); }
#define on_main cg_router_on_main

static int answer(cg_call *c, int ok, json_object *v)
{
	if (!c) {
		json_object_put(v);
		return CG_EINVAL;
	}
	int expected = 0;
	if (!__atomic_compare_exchange_n(&c->answered, &expected, 1, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		json_object_put(v);
		/* The first answer after a timeout: the page had its answer, and
		 * now the handler lets go of the call. */
		int zero = 0;
		if (__atomic_load_n(&c->timed_out, __ATOMIC_ACQUIRE) &&
		    __atomic_compare_exchange_n(&c->late_released, &zero, 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			call_unref(c);
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
		deliver_answer(r, c, ok, txt, len);
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

CG_EXPORT const void *cg_call_body(const cg_call *c, size_t *len)
{
	if (len)
		*len = c ? c->body_len : 0;
	return c ? c->body : NULL;
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

CG_EXPORT void *cg_call_state(const cg_call *c, const char *name)
{
	if (!c || !name)
		return NULL;
	cg_state_entry *e = g_hash_table_lookup(c->r->state, name);
	return e ? e->state : NULL;
}

/* The dispatcher's part is over: release its reference. Whichever of the
 * dispatcher and the answer's delivery comes last frees the call; nothing
 * in it belongs to the main thread by then. */
static void dispatch_done(cg_call *c, int rc)
{
	if (rc < 0 && !__atomic_load_n(&c->answered, __ATOMIC_ACQUIRE))
		cg_call_reject(c, cg_strerror(rc));
	call_unref(c);
}

/* ------------------------------------------------------ handler filter */

/* The filter this thread has loaded: a thread serves one router. */
static _Thread_local const cg_seccomp *tl_filter;

/* Loads the handler tier on the calling thread, once. A thread that cannot
 * load it runs no handler (fail closed). */
static int ensure_filter(cg_router *r)
{
	if (!r->seccomp || tl_filter == r->seccomp)
		return 0;
	int rc = cg_seccomp_load(r->seccomp, CG_SECCOMP_HANDLERS);
	if (rc == 0)
		tl_filter = r->seccomp;
	return rc;
}

static int run_handler(cg_call *c)
{
	if (ensure_filter(c->r) < 0) {
		cg_call_reject(c, "refused: the seccomp filter for command handlers could not be installed");
		return CG_ESECCOMP;
	}
	return c->reg->fn(c, c->reg->user);
}

CG_EXPORT int cg_router_set_seccomp(cg_router *r, cg_seccomp *s)
{
	if (!r)
		return CG_EINVAL;
	if (r->pool || r->hthread || r->stuck_threads)
		return CG_ESTATE;
	r->seccomp = s && cg_seccomp_enabled(s) ? s : NULL;
	return 0;
}

static bool core_plugin(const cg_reg *g)
{
	return strcmp(g->plugin, "core") == 0 || strncmp(g->plugin, "core:", 5) == 0;
}

/* -------------------------------------------------------------- timeouts */

static unsigned timeout_ms(const cg_router *r) { return (unsigned)r->limits[CG_RLIMIT_TIMEOUT]; }

/* The tick runs only while calls are in flight: a tenth of the timeout,
 * between 10 ms and 1 s. */
static void set_ticking(cg_router *r, bool on)
{
	if (on == r->ticking)
		return;
	unsigned ms = timeout_ms(r) / 10;
	ms = ms < 10 ? 10 : ms > 1000 ? 1000 : ms;
	struct itimerspec its = {{0, 0}, {0, 0}};
	if (on)
		its.it_interval = its.it_value = (struct timespec){ms / 1000, (long)(ms % 1000) * 1000000L};
	if (timerfd_settime(r->tfd, 0, &its, NULL) == 0)
		r->ticking = on;
}

static void track(cg_router *r, cg_call *c)
{
	if (!timeout_ms(r))
		return;
	c->deadline = g_get_monotonic_time() + (int64_t)timeout_ms(r) * 1000;
	g_hash_table_add(r->inflight, c);
	set_ticking(r, true);
}

/* A sync handler that returned without answering (a deferred call) gets
 * a deadline; one that answered costs the timer nothing. Called before
 * dispatch_done, while the dispatcher still holds the call. */
static void track_if_deferred(cg_router *r, cg_call *c, int rc)
{
	if (rc >= 0 && !__atomic_load_n(&c->answered, __ATOMIC_ACQUIRE))
		track(r, c);
}

/* Main thread: answers the call "timed out" unless an answer is on its
 * way. The handler may still be running, or the host may hold a deferred
 * call, so the call stays whole: it keeps its webview (released in
 * call_free) and the answer's reference, which the late answer releases
 * (answer()). A deferred call never answered is never freed. */
static void time_out(cg_router *r, cg_call *c)
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
				     timeout_ms(r));
	cg_audit_record(r, c->wv, "command", c->reg->name, "invalid", msg ? msg : "timed out");
	cg_router_log(r, "webview \"%s\": %s", c->wv->label, msg ? msg : "a call timed out");
	cg_router_reject_now(r, c->wv, c->req, msg ? msg : "timed out");
	free(msg);
	c->wv->pending--;
}

void cg_router_audit_wake(cg_router *r)
{
	set_ticking(r, true);
}

static void expire_calls(cg_router *r)
{
	if (!g_hash_table_size(r->inflight)) {
		if (!cg_audit_holding(r))
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
		time_out(r, late->pdata[i]);
	if (late)
		g_ptr_array_free(late, TRUE);
	if (!g_hash_table_size(r->inflight) && !cg_audit_holding(r))
		set_ticking(r, false);
}

/* -------------------------------------------------------- handler threads */

typedef struct {
	cg_call *c;
	int rc;
} hjob;

static void run_hjob(void *data)
{
	hjob *j = data;
	j->rc = run_handler(j->c);
}

/* The handler of a sync call that timed out has returned at last, on the
 * thread the router left it on. */
static void hjob_late(void *data)
{
	hjob *j = data;
	cg_router *r = j->c->r;
	dispatch_done(j->c, j->rc);
	free(j);
	pthread_mutex_lock(&r->slock);
	r->stuck_threads--;
	pthread_cond_broadcast(&r->scond);
	pthread_mutex_unlock(&r->slock);
}

static void run_async(void *data, void *user)
{
	cg_call *c = data;
	int queued = CALL_QUEUED;
	/* A call that timed out while queued is not run at all. */
	if (__atomic_load_n(&c->timed_out, __ATOMIC_ACQUIRE) ||
	    !__atomic_compare_exchange_n(&c->phase, &queued, CALL_RUNNING, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		dispatch_done(c, 0);
		return;
	}
	int rc = run_handler(c);
	int running = CALL_RUNNING;
	if (!__atomic_compare_exchange_n(&c->phase, &running, CALL_RETURNED, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		/* Counted stuck by time_out: give its worker back. */
		cg_router *r = c->r;
		pthread_mutex_lock(&r->slock);
		r->stuck_workers--;
		if (r->pool)
			cg_workers_set_max(r->pool, (unsigned)r->limits[CG_RLIMIT_WORKERS] + r->stuck_workers);
		pthread_mutex_unlock(&r->slock);
	}
	dispatch_done(c, rc);
}

/* ---------------------------------------------------------------- invoke */


CG_EXPORT void cg_router_set_log(cg_router *r, cg_log_fn fn, void *user)
{
	if (!r)
		return;
	r->log = fn;
	r->log_user = user;
}

CG_EXPORT void cg_router_log(cg_router *r, const char *fmt, ...)
{
	if (!r || !r->log)
		return;
	/* A hostile page can send thousands of bad messages a second; the
	 * log must say so without becoming the flood. */
	int64_t now = g_get_monotonic_time() / G_USEC_PER_SEC;
	if (now != r->log_second) {
		if (r->log_dropped) {
			char note[96];
			snprintf(note, sizeof(note), "(%u more refused messages not shown)", r->log_dropped);
			r->log(note, r->log_user);
		}
		r->log_second = now;
		r->log_lines = r->log_dropped = 0;
	}
	if (r->log_lines >= 20) {
		r->log_dropped++;
		return;
	}
	r->log_lines++;
	va_list ap;
	va_start(ap, fmt);
	char *line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r->log(line, r->log_user);
	g_free(line);
}

static int refuse_target(cg_router *r, cg_webview *wv, void *req, const char *cmd, const char *target,
			 const char *decision, const char *reason, int rc)
{
	cg_audit_record_target(r, wv, "command", cmd, target, decision, reason);
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
		    json_object *args, void *body, size_t body_len, json_object *headers, void *req)
{
	cg_call *c = calloc(1, sizeof(*c));
	if (!c) {
		json_object_put(args);
		json_object_put(headers);
		free(body);
		cg_router_reject_now(r, wv, req, "out of memory");
		return CG_ENOMEM;
	}
	c->ans = calloc(1, sizeof(*c->ans));
	if (!c->ans) {
		free(c);
		json_object_put(args);
		json_object_put(headers);
		free(body);
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
	c->body = body;
	c->body_len = body_len;
	c->headers = headers;
	c->origin = wv->url ? strdup(wv->url) : NULL;
	c->subject = cg_subject_ref(subj);
	c->dc = *dc;
	c->dc.priv_subject = c->subject;
	c->refs = 2;
	wv->pending++;
	if (g->mode == CG_CMD_ASYNC) {
		track(r, c);
		ensure_pool(r);
		if (r->pool && cg_workers_push(r->pool, c) == 0)
			return 0;
		cg_call_reject(c, "cannot start a worker thread");
		call_unref(c);
		return CG_ENOMEM;
	}
	if (g->mode == CG_CMD_SYNC && r->seccomp && !core_plugin(g)) {
		hjob *j = calloc(1, sizeof(*j));
		if (!j || (!r->hthread && !(r->hthread = cg_hthread_new()))) {
			free(j);
			cg_call_reject(c, "cannot start the handler thread");
			call_unref(c);
			return CG_ENOMEM;
		}
		j->c = c;
		if (cg_hthread_run(r->hthread, run_hjob, j, hjob_late, timeout_ms(r)) == 0) {
			int rc = j->rc;
			free(j);
			track_if_deferred(r, c, rc);
			dispatch_done(c, rc);
		} else {
			/* The handler hangs: its thread keeps the job (hjob_late
			 * ends it), the call is answered now, and a new thread
			 * serves the next calls. */
			r->hthread = NULL;
			pthread_mutex_lock(&r->slock);
			r->stuck_threads++;
			pthread_mutex_unlock(&r->slock);
			time_out(r, c);
		}
		/* What the handler answered or emitted was queued, being off the
		 * main thread: deliver it now, as if it had run here. */
		cg_router_process(r);
		return 0;
	}
	int rc = g->fn(c, g->user);
	track_if_deferred(r, c, rc);
	dispatch_done(c, rc);
	return 0;
}

static int check_and_dispatch(cg_router *r, cg_webview *wv, const char *cmd, json_object *args,
			      void *body, size_t body_len, json_object *headers, void *req)
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
	if (!dc.allowed || cg_audit_wants_allow(r))
		reason = cg_decision_reason(&dc);
	if (!dc.allowed) {
		rc = refuse_target(r, wv, req, cmd, target, "deny", reason ? reason : "denied", CG_ESTATE);
		goto fail;
	}
	if (reason)
		cg_audit_record_target(r, wv, "command", cmd, target, "allow", reason);
	free(reason);
	return dispatch(r, wv, g, s, &dc, args, body, body_len, headers, req);
fail:
	free(reason);
	json_object_put(args);
	json_object_put(headers);
	free(body);
	return rc;
}

static bool usable(cg_router *r, cg_webview *wv)
{
	return r && wv && wv->r == r && !__atomic_load_n(&wv->removed, __ATOMIC_ACQUIRE);
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
	int rc = r->sealer ? cg_router_unseal(r, wv, msg, len, &m, &why)
			   : cg_ipcmsg_parse(r, msg, len, 0, &m, &why);
	if (rc < 0) {
		refuse(r, wv, req, "?", "invalid", why ? why : cg_strerror(rc), rc);
		free(why);
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
	void *body = m.body;
	size_t body_len = m.body_len;
	m.payload = m.headers = NULL;
	m.body = NULL;
	if (body) {
		json_object_put(payload);
		payload = NULL;
	}
	rc = check_and_dispatch(r, wv, m.cmd, payload, body, body_len, headers, req);
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
	if (len > r->limits[CG_RLIMIT_MESSAGE_SIZE]) {
		char *why = cg_strdup_printf("body of %zu bytes is larger than the limit of %zu", len,
					     r->limits[CG_RLIMIT_MESSAGE_SIZE]);
		refuse(r, wv, req, cmd, "invalid", why ? why : "body too large", CG_ELIMIT);
		free(why);
		return CG_ELIMIT;
	}
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
	return check_and_dispatch(r, wv, cmd, NULL, copy, len, headers, req);
}
