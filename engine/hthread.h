/* The router's handler thread: runs one function at a time on a thread of
 * its own while the caller waits, so that a handler can live under a
 * stricter seccomp filter than the main loop without becoming concurrent
 * with it. */
#ifndef CG_HTHREAD_H
#define CG_HTHREAD_H

#include "internal.h"

typedef struct cg_hthread cg_hthread;

CG_HIDDEN cg_hthread *cg_hthread_new(void);
/* Runs fn(arg) on the thread and returns when it has returned. */
CG_HIDDEN void cg_hthread_run(cg_hthread *h, void (*fn)(void *), void *arg);
CG_HIDDEN void cg_hthread_free(cg_hthread *h);

#endif
