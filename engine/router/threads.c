/*
 * Where handlers run: async ones on the worker pool, sync ones on the
 * handler thread while the main loop waits (when a seccomp filter binds
 * handlers), and every such thread loads the handler tier first.
 */
#include "router/router.h"
#include "router/workers.h"
#include "router/hthread.h"

#include <stdlib.h>
#include <string.h>

static void run_async(void *data, void *user);

static void ensure_pool(cg_router *r)
{
	if (!r->pool)
		r->pool = cg_workers_new(run_async, r, (unsigned)r->limits[CG_RLIMIT_WORKERS]);
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
	cg_call_dispatched(j->c, j->rc);
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
		cg_call_dispatched(c, 0);
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
	cg_call_dispatched(c, rc);
}

/* Runs c's handler where its mode says: async on the worker pool; sync on
 * the handler thread while the main loop waits, when a seccomp filter
 * binds handlers (core:* and CG_CMD_MAIN stay on the main loop); else
 * here. The call holds its two references. */
int cg_router_run_call(cg_router *r, cg_call *c)
{
	const cg_reg *g = c->reg;
	if (g->mode == CG_CMD_ASYNC) {
		cg_call_track(r, c);
		ensure_pool(r);
		if (r->pool && cg_workers_push(r->pool, c) == 0)
			return 0;
		cg_call_reject(c, "cannot start a worker thread");
		cg_call_unref(c);
		return CG_ENOMEM;
	}
	if (g->mode == CG_CMD_SYNC && r->seccomp && !core_plugin(g)) {
		hjob *j = calloc(1, sizeof(*j));
		if (!j || (!r->hthread && !(r->hthread = cg_hthread_new()))) {
			free(j);
			cg_call_reject(c, "cannot start the handler thread");
			cg_call_unref(c);
			return CG_ENOMEM;
		}
		j->c = c;
		if (cg_hthread_run(r->hthread, run_hjob, j, hjob_late, cg_router_timeout_ms(r)) == 0) {
			int rc = j->rc;
			free(j);
			cg_call_track_if_deferred(r, c, rc);
			cg_call_dispatched(c, rc);
		} else {
			/* The handler hangs: its thread keeps the job (hjob_late
			 * ends it), the call is answered now, and a new thread
			 * serves the next calls. */
			r->hthread = NULL;
			pthread_mutex_lock(&r->slock);
			r->stuck_threads++;
			pthread_mutex_unlock(&r->slock);
			cg_call_time_out(r, c);
		}
		/* What the handler answered or emitted was queued, being off the
		 * main thread: deliver it now, as if it had run here. */
		cg_router_process(r);
		return 0;
	}
	int rc = g->fn(c, g->user);
	cg_call_track_if_deferred(r, c, rc);
	cg_call_dispatched(c, rc);
	return 0;
}
