/*
 * The router object: its making and freeing, limits, policy, the queue
 * of work for the main loop, and its log. The rest of it:
 *   registry.c  commands and managed state
 *   webview.c   the webviews it knows, and their subjects
 *   call.c      a call's life: answers, accessors, timeouts
 *   threads.c   where handlers run: worker pool, handler thread, filter
 *   invoke.c    a message's way from text to a handler
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
#include "base/strhash.h"
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

static const size_t default_limits[CG_RLIMIT_BINARY_SIZE + 1] = {4u << 20, 64, 1u << 20, 256, 1024, 4, 60000,
									64u << 20};

/* sizeof(cg_transport) as each version declared it. */
static const size_t transport_size[CG_TRANSPORT_VERSION + 1] = {
	[1] = offsetof(cg_transport, drop) + sizeof(((cg_transport *)0)->drop),
	[2] = offsetof(cg_transport, callback_bytes) + sizeof(((cg_transport *)0)->callback_bytes),
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
	r->regs = cg_str_table_new(NULL, cg_reg_free);
	r->state = cg_str_table_new(free, cg_state_free);
	r->webviews = g_ptr_array_new();
	/* Keyed by event names that pages choose: a keyed hash (strhash.h). */
	r->listeners = cg_str_table_new(free, (GDestroyNotify)g_ptr_array_unref);
	r->listener_ids = g_hash_table_new(g_direct_hash, g_direct_equal);
	r->next_listener = 1;
	pthread_mutex_init(&r->qlock, NULL);
	pthread_mutex_init(&r->slock, NULL);
	pthread_cond_init(&r->scond, NULL);
	r->inflight = g_hash_table_new(g_direct_hash, g_direct_equal);
	cg_plugins_init(r);
	if (cg_resources_register(r) < 0) {
		cg_router_free(r);
		return CG_ENOMEM;
	}
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
	cg_plugins_free(r);
	cg_policy_unref(r->policy);
	cg_declog_flush(r, true);
	cg_declog_free(r->declog);
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
	if (!r || (unsigned)which > CG_RLIMIT_BINARY_SIZE || (value == 0 && which != CG_RLIMIT_TIMEOUT))
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
	return r && (unsigned)which <= CG_RLIMIT_BINARY_SIZE ? r->limits[which] : 0;
}

CG_EXPORT int cg_router_set_policy(cg_router *r, cg_policy *p)
{
	if (!r || !p)
		return CG_EINVAL;
	cg_policy_ref(p);
	cg_policy_unref(r->policy);
	r->policy = p;
	r->gen++;
	cg_plugins_policy_changed(r);
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

/* ---------------------------------------------------------------- queue */

void cg_router_enqueue_locked(cg_router *r, cg_qitem *it)
{
	it->next = NULL;
	if (r->qtail)
		r->qtail->next = it;
	else
		r->qhead = it;
	r->qtail = it;
}

void cg_router_wake(cg_router *r)
{
	uint64_t one = 1;
	/* EAGAIN means the counter is already non-zero: the loop will wake. */
	while (write(r->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

void cg_router_push(cg_router *r, cg_qitem *it)
{
	pthread_mutex_lock(&r->qlock);
	cg_router_enqueue_locked(r, it);
	pthread_mutex_unlock(&r->qlock);
	cg_router_wake(r);
}

CG_EXPORT int cg_router_fd(const cg_router *r) { return r ? r->pfd : CG_EINVAL; }


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
			cg_call_deliver(r, it->call, it->ok, it->json, it->len, it->bytes);
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
		cg_bytes_unref(it->bytes);
		free(it);
		it = next;
		count++;
	}
	/* After the queue: an answer that arrived in time wins. Only on a
	 * tick: the timer is not re-armed call by call. */
	if (tick > 0) {
		if (cg_declog_holding(r))
			cg_declog_flush(r, false);
		cg_router_expire_calls(r);
	}
	return count;
}

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

