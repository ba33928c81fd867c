/*
 * The audit log: one JSON line per denial (or per decision), to a file
 * and/or a callback, rate-limited by a token bucket so that a page flooding
 * denied calls cannot flood the disk; a line says how many were dropped.
 */
#include "router/router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cg_audit {
	cg_audit_level level;
	FILE *f;
	cg_audit_fn fn;
	void *user;
	double rate, tokens, burst;
	double last;       /* seconds, monotonic */
	unsigned long dropped;
	unsigned long lost;  /* lines the file refused since the last report */
};

void cg_audit_free(cg_audit *a)
{
	if (!a)
		return;
	if (a->f)
		fclose(a->f);
	free(a);
}

CG_EXPORT int cg_router_set_audit(cg_router *r, cg_audit_level level, const char *path, cg_audit_fn fn,
				  void *user, unsigned per_second)
{
	if (!r || (level != CG_AUDIT_DENIALS && level != CG_AUDIT_ALL))
		return CG_EINVAL;
	cg_audit *a = calloc(1, sizeof(*a));
	if (!a)
		return CG_ENOMEM;
	if (path && !(a->f = fopen(path, "ae"))) {
		free(a);
		return CG_EIO;
	}
	if (a->f)
		setvbuf(a->f, NULL, _IOLBF, 0);
	a->level = level;
	a->fn = fn;
	a->user = user;
	a->rate = per_second ? per_second : 100;
	a->burst = a->tokens = 2 * a->rate;
	cg_audit_free(r->audit);
	r->audit = (path || fn) ? a : (cg_audit_free(a), NULL);
	return 0;
}

bool cg_audit_wants_allow(const cg_router *r)
{
	return r->audit && r->audit->level == CG_AUDIT_ALL;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A disk that fills up must not make the audit trail vanish in silence:
 * the first lost line is said in the router's log, and so is the return. */
static void emit_line(cg_router *r, cg_audit *a, json_object *o)
{
	const char *line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (a->f) {
		errno = 0;
		if (fprintf(a->f, "%s\n", line) < 0 || fflush(a->f) != 0 || ferror(a->f)) {
			if (a->lost++ == 0)
				cg_router_log(r, "audit log: cannot write (%s): audit records are being lost",
					      strerror(errno ? errno : EIO));
			clearerr(a->f);
		} else if (a->lost) {
			cg_router_log(r, "audit log: writing again; %lu records were lost", a->lost);
			a->lost = 0;
		}
	}
	if (a->fn)
		a->fn(line, a->user);
}

static void put_time(json_object *o)
{
	struct timespec ts;
	struct tm tm;
	char buf[40];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%03ldZ", ts.tv_nsec / 1000000);
	json_object_object_add(o, "time", json_object_new_string(buf));
}

void cg_audit_record(cg_router *r, const cg_webview *wv, const char *kind, const char *name,
		     const char *decision, const char *reason)
{
	cg_audit *a = r->audit;
	if (!a || (strcmp(decision, "allow") == 0 && a->level != CG_AUDIT_ALL))
		return;
	double now = mono();
	a->tokens += (now - a->last) * a->rate;
	a->last = now;
	if (a->tokens > a->burst)
		a->tokens = a->burst;
	if (a->tokens < 1) {
		a->dropped++;
		return;
	}
	a->tokens -= 1;
	json_object *o = json_object_new_object();
	if (!o)
		return;
	put_time(o);
	if (a->dropped) {
		json_object_object_add(o, "dropped", json_object_new_int64((int64_t)a->dropped));
		json_object_object_add(o, "reason", json_object_new_string("audit rate limit: records dropped since the last line"));
		emit_line(r, a, o);
		json_object_put(o);
		a->dropped = 0;
		if (!(o = json_object_new_object()))
			return;
		put_time(o);
	}
	json_object_object_add(o, "window", json_object_new_string(wv->window));
	json_object_object_add(o, "webview", json_object_new_string(wv->label));
	json_object_object_add(o, "origin", json_object_new_string(wv->url ? wv->url : "local"));
	json_object_object_add(o, kind, json_object_new_string(name));
	json_object_object_add(o, "decision", json_object_new_string(decision));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	emit_line(r, a, o);
	json_object_put(o);
}
