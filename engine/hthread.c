/* The handler thread: a one-slot hand-off under a mutex. */
#include "hthread.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct cg_hthread {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	void (*fn)(void *);   /* the job, NULL when there is none */
	void *arg;
	bool done, stop;
};

static void *main_fn(void *data)
{
	cg_hthread *h = data;
	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (!h->fn && !h->stop)
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->stop)
			break;
		void (*fn)(void *) = h->fn;
		void *arg = h->arg;
		pthread_mutex_unlock(&h->lock);
		fn(arg);
		pthread_mutex_lock(&h->lock);
		h->fn = NULL;
		h->done = true;
		pthread_cond_broadcast(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

cg_hthread *cg_hthread_new(void)
{
	cg_hthread *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	if (pthread_create(&h->tid, NULL, main_fn, h) != 0) {
		pthread_cond_destroy(&h->cond);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	return h;
}

void cg_hthread_run(cg_hthread *h, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&h->lock);
	h->fn = fn;
	h->arg = arg;
	h->done = false;
	pthread_cond_broadcast(&h->cond);
	while (!h->done)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
}

void cg_hthread_free(cg_hthread *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->tid, NULL);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
