/* The router's handler thread: runs one function at a time on a thread of
 * its own while the caller waits, so that a handler can live under a
 * stricter seccomp filter than the main loop without becoming concurrent
 * with it. */
#ifndef CG_HTHREAD_H
#define CG_HTHREAD_H

#include "base/internal.h"

typedef struct cg_hthread cg_hthread;

CG_HIDDEN cg_hthread *cg_hthread_new(void);
/* Runs fn(arg) on the thread and returns 0 when it has returned. After
 * timeout_ms (0: never) it returns CG_ESTATE instead and abandons the
 * thread: when fn returns at last, the thread calls late(arg), frees
 * itself and ends. The caller must not use h again then. */
CG_HIDDEN int cg_hthread_run(cg_hthread *h, void (*fn)(void *), void *arg,
			     void (*late)(void *), unsigned timeout_ms);
CG_HIDDEN void cg_hthread_free(cg_hthread *h);

#endif
