/* The engine: the current policy, swapped atomically. Readers hold their
 * own reference, so a swap never pulls a policy from under a check. */
#include "policy/model.h"

#include <stdlib.h>

struct cg_engine {
	pthread_mutex_t lock;
	cg_policy *current;
};

CG_EXPORT int cg_engine_new(cg_policy *initial, cg_engine **out)
{
	if (out)
		*out = NULL;
	if (!initial || !out)
		return CG_EINVAL;
	cg_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return CG_ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	e->current = cg_policy_ref(initial);
	*out = e;
	return 0;
}

CG_EXPORT void cg_engine_free(cg_engine *e)
{
	if (!e)
		return;
	cg_policy_unref(e->current);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

CG_EXPORT cg_policy *cg_engine_policy(cg_engine *e)
{
	if (!e)
		return NULL;
	pthread_mutex_lock(&e->lock);
	cg_policy *p = cg_policy_ref(e->current);
	pthread_mutex_unlock(&e->lock);
	return p;
}

CG_EXPORT void cg_engine_swap(cg_engine *e, cg_policy *p)
{
	if (!e || !p)
		return;
	cg_policy_ref(p);
	pthread_mutex_lock(&e->lock);
	cg_policy *old = e->current;
	e->current = p;
	pthread_mutex_unlock(&e->lock);
	cg_policy_unref(old);
}

CG_EXPORT int cg_engine_reload(cg_engine *e, cg_diag *d)
{
	if (!e)
		return CG_EINVAL;
	cg_policy *cur = cg_engine_policy(e);
	cg_policy *next = NULL;
	/* Built outside the lock: checks go on against the current policy. */
	int r = cg_policy_reload(cur, &next, d);
	cg_policy_unref(cur);
	if (r < 0)
		return r;
	cg_engine_swap(e, next);
	cg_policy_unref(next);
	return 0;
}
