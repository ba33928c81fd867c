/*
 * The handler thread: a one-slot hand-off. Each side spins for a few
 * microseconds before it sleeps: a sync handler usually answers within
 * that time, and a condition variable alone costs two wake-ups of an idle
 * CPU per call (about 70 µs here, against 5 µs on a busy one; make bench).
 * The state changes under the mutex, so a sleeper is never missed.
 */
#include "router/hthread.h"

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

enum { IDLE, POSTED, DONE };
#define SPIN_NS 20000

struct cg_hthread {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t job_cond, done_cond;
	int state;            /* IDLE, POSTED, DONE: written under lock, always atomically,
	                       * since spin_for reads it without the lock */
	bool worker_sleeps, caller_sleeps, stop;
	bool abandoned;       /* the caller timed out and left */
	void (*fn)(void *);
	void (*late)(void *);
	void *arg;
};

static void destroy(cg_hthread *h)
{
	pthread_cond_destroy(&h->job_cond);
	pthread_cond_destroy(&h->done_cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Waits until state is want (or stop), for SPIN_NS at most, yielding the
 * CPU: when both threads share one CPU, a busy loop would only delay the
 * other side until the time slice ends. */
static void spin_for(const cg_hthread *h, int want)
{
	long long end = now_ns() + SPIN_NS;
	while (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) != want &&
	       !__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE) && now_ns() < end)
		sched_yield();
}

static void *main_fn(void *data)
{
	cg_hthread *h = data;
	for (;;) {
		spin_for(h, POSTED);
		pthread_mutex_lock(&h->lock);
		while (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) != POSTED && !h->stop) {
			h->worker_sleeps = true;
			pthread_cond_wait(&h->job_cond, &h->lock);
			h->worker_sleeps = false;
		}
		if (h->stop) {
			pthread_mutex_unlock(&h->lock);
			break;
		}
		void (*fn)(void *) = h->fn;
		void *arg = h->arg;
		pthread_mutex_unlock(&h->lock);
		fn(arg);
		pthread_mutex_lock(&h->lock);
		if (h->abandoned) {
			/* Nobody waits for this thread any more: finish the
			 * job for the caller, and go. */
			void (*late)(void *) = h->late;
			pthread_mutex_unlock(&h->lock);
			late(arg);
			destroy(h);
			return NULL;
		}
		__atomic_store_n(&h->state, DONE, __ATOMIC_RELEASE);
		if (h->caller_sleeps)
			pthread_cond_signal(&h->done_cond);
		pthread_mutex_unlock(&h->lock);
	}
	return NULL;
}

cg_hthread *cg_hthread_new(void)
{
	cg_hthread *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->job_cond, NULL);
	/* Timed waits on the monotonic clock: a wall-clock jump must not
	 * fire or stall a timeout. */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->done_cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&h->tid, NULL, main_fn, h) != 0) {
		destroy(h);
		return NULL;
	}
	return h;
}

int cg_hthread_run(cg_hthread *h, void (*fn)(void *), void *arg, void (*late)(void *),
		   unsigned timeout_ms)
{
	pthread_mutex_lock(&h->lock);
	h->fn = fn;
	h->arg = arg;
	h->late = late;
	__atomic_store_n(&h->state, POSTED, __ATOMIC_RELEASE);
	if (h->worker_sleeps)
		pthread_cond_signal(&h->job_cond);
	pthread_mutex_unlock(&h->lock);
	spin_for(h, DONE);
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->lock);
	int rc = 0;
	while (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) != DONE && rc == 0) {
		h->caller_sleeps = true;
		if (timeout_ms)
			rc = pthread_cond_timedwait(&h->done_cond, &h->lock, &end);
		else
			pthread_cond_wait(&h->done_cond, &h->lock);
		h->caller_sleeps = false;
	}
	if (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) != DONE) {
		h->abandoned = true;
		pthread_detach(h->tid);
		pthread_mutex_unlock(&h->lock);
		return CG_ESTATE;
	}
	__atomic_store_n(&h->state, IDLE, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

void cg_hthread_free(cg_hthread *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	__atomic_store_n(&h->stop, true, __ATOMIC_RELEASE);
	pthread_cond_signal(&h->job_cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->tid, NULL);
	destroy(h);
}
