/* The worker pool: a mutex-protected FIFO and up to max threads. */
#include "router/workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct job {
	void *item;
	struct job *next;
} job;

struct cg_workers {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	job *head, *tail;
	cg_work_fn fn;
	void *user;
	unsigned max, threads, idle;
	unsigned queued;       /* jobs waiting: a signalled idle worker may not have woken yet */
	pthread_t *tids;
	unsigned ntids, captids;
	bool stopping;
};

static void *worker_main(void *arg)
{
	cg_workers *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->stopping) {
			w->idle++;
			pthread_cond_wait(&w->cond, &w->lock);
			w->idle--;
		}
		if (!w->head)
			break; /* stopping, and nothing left */
		job *j = w->head;
		w->queued--;
		w->head = j->next;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->lock);
		w->fn(j->item, w->user);
		free(j);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

cg_workers *cg_workers_new(cg_work_fn fn, void *user, unsigned max_threads)
{
	cg_workers *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->fn = fn;
	w->user = user;
	w->max = max_threads ? max_threads : 1;
	return w;
}

/* Under lock: starts a thread if queued jobs outnumber the idle threads
 * and the limit allows one. false when one was needed but none started. */
static bool maybe_spawn(cg_workers *w)
{
	if (w->queued <= w->idle || w->threads >= w->max)
		return true;
	if (w->ntids == w->captids) {
		unsigned ncap = w->captids ? w->captids * 2 : 4;
		pthread_t *nt = realloc(w->tids, ncap * sizeof(*nt));
		if (nt) {
			w->tids = nt;
			w->captids = ncap;
		}
	}
	if (w->ntids < w->captids && pthread_create(&w->tids[w->ntids], NULL, worker_main, w) == 0) {
		w->ntids++;
		w->threads++;
		return true;
	}
	return false;
}

void cg_workers_set_max(cg_workers *w, unsigned max_threads)
{
	pthread_mutex_lock(&w->lock);
	w->max = max_threads ? max_threads : 1;
	/* A raised limit (a worker stuck on a timed-out call) serves the
	 * jobs already waiting at once. */
	maybe_spawn(w);
	pthread_mutex_unlock(&w->lock);
}

int cg_workers_push(cg_workers *w, void *item)
{
	job *j = calloc(1, sizeof(*j));
	if (!j)
		return CG_ENOMEM;
	j->item = item;
	pthread_mutex_lock(&w->lock);
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->queued++;
	int rc = 0;
	/* Start a thread unless enough idle ones are there for every queued
	 * job: counting idle threads alone would let a burst of pushes all
	 * count the same not-yet-woken worker. */
	if (!maybe_spawn(w) && w->threads == 0) {
		/* No thread at all: take the job back and say so. */
		/* j is the only job: with no thread, nothing else queues */
		w->head = w->tail = NULL;
		w->queued--;
		free(j);
		rc = CG_ENOMEM;
	}
	if (rc == 0)
		pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void cg_workers_free(cg_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->ntids; i++)
		pthread_join(w->tids[i], NULL);
	free(w->tids);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
