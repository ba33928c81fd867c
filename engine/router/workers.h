/* A small bounded pool of worker threads for async command handlers. Its
 * threads start on demand (up to the limit) and are all joined when the
 * pool is freed, so nothing outlives the router. */
#ifndef CG_WORKERS_H
#define CG_WORKERS_H

#include "base/internal.h"

typedef struct cg_workers cg_workers;
typedef void (*cg_work_fn)(void *item, void *user);

CG_HIDDEN cg_workers *cg_workers_new(cg_work_fn fn, void *user, unsigned max_threads);
/* Queues an item; 0, or CG_ENOMEM when no thread or memory could be had. */
CG_HIDDEN int cg_workers_push(cg_workers *w, void *item);
CG_HIDDEN void cg_workers_set_max(cg_workers *w, unsigned max_threads);
/* Runs what is queued to completion, then joins every thread. */
CG_HIDDEN void cg_workers_free(cg_workers *w);

#endif
