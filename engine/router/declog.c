/*
 * The decision log: one JSON line per denial (or per decision), to a file
 * and/or a callback, rate-limited by a token bucket so that a page flooding
 * calls cannot flood the disk.
 *
 * The limit summarises; it never hides a call. Past it, a record is held
 * with the identical ones that follow it (same caller, command or event,
 * target and decision) and written once, later, as one line with their
 * count, when the bucket has room again (the router's timer ticks until
 * then) or when the log closes. So a burst of 300 denied emits costs a few
 * lines, and the one denied "hide" in the middle of it is still there, on
 * a line of its own. An allowed call of a command (in CG_DECISION_LOG_ALL) is
 * written at once whatever the bucket says: it is the page using a
 * privilege, what an audit trail is for. What is held is bounded
 * (AUDIT_HELD_MAX distinct records, AUDIT_HELD_BYTES); past that, a line
 * says how many records could not be itemised.
 */
#include "router/router.h"
#include "base/strhash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AUDIT_HELD_MAX 1024
#define AUDIT_HELD_BYTES (1u << 20)

typedef struct held {
	char *key;
	json_object *line;       /* the first record */
	unsigned long count;
	char last[40];           /* the time of the last one */
} held;

struct cg_declog {
	cg_decision_log_level level;
	FILE *f;
	cg_decision_log_fn fn;
	void *user;
	double rate, tokens, burst;
	double last;       /* seconds, monotonic */
	GHashTable *held;  /* key -> held*: records waiting for room */
	GQueue order;      /* the same, oldest first */
	size_t held_bytes;
	unsigned long overflow; /* records that could not be held */
	unsigned long lost;  /* lines the file refused since the last report */
};

static void held_free(gpointer p)
{
	held *h = p;
	free(h->key);
	json_object_put(h->line);
	free(h);
}

void cg_declog_free(cg_declog *a)
{
	if (!a)
		return;
	if (a->f)
		fclose(a->f);
	g_queue_clear(&a->order);
	if (a->held)
		g_hash_table_destroy(a->held);
	free(a);
}

CG_EXPORT int cg_router_set_decision_log(cg_router *r, cg_decision_log_level level, const char *path, cg_decision_log_fn fn,
				  void *user, unsigned per_second)
{
	if (!r || (level != CG_DECISION_LOG_DENIALS && level != CG_DECISION_LOG_ALL))
		return CG_EINVAL;
	cg_declog *a = calloc(1, sizeof(*a));
	if (!a)
		return CG_ENOMEM;
	if (path && !(a->f = fopen(path, "ae"))) {
		free(a);
		return CG_EIO;
	}
	if (a->f)
		setvbuf(a->f, NULL, _IOLBF, 0);
	/* Keyed by what pages send (command and event names): keyed hash. */
	a->held = cg_str_table_new(NULL, held_free);
	g_queue_init(&a->order);
	a->level = level;
	a->fn = fn;
	a->user = user;
	a->rate = per_second ? per_second : 100;
	a->burst = a->tokens = 2 * a->rate;
	/* The old log says what it still holds before it goes. */
	cg_declog_flush(r, true);
	cg_declog_free(r->declog);
	r->declog = (path || fn) ? a : (cg_declog_free(a), NULL);
	return 0;
}

bool cg_declog_wants_allow(const cg_router *r)
{
	return r->declog && r->declog->level == CG_DECISION_LOG_ALL;
}

bool cg_declog_holding(const cg_router *r)
{
	return r->declog && (r->declog->order.length || r->declog->overflow);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A disk that fills up must not make the audit trail vanish in silence:
 * the first lost line is said in the router's log, and so is the return. */
static void emit_line(cg_router *r, cg_declog *a, json_object *o)
{
	const char *line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (a->f) {
		errno = 0;
		if (fprintf(a->f, "%s\n", line) < 0 || fflush(a->f) != 0 || ferror(a->f)) {
			if (a->lost++ == 0)
				cg_router_log(r, "decision log: cannot write (%s): records are being lost",
					      strerror(errno ? errno : EIO));
			clearerr(a->f);
		} else if (a->lost) {
			cg_router_log(r, "decision log: writing again; %lu records were lost", a->lost);
			a->lost = 0;
		}
	}
	if (a->fn)
		a->fn(line, a->user);
}

static void now_text(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void refill(cg_declog *a)
{
	double now = mono();
	a->tokens += (now - a->last) * a->rate;
	a->last = now;
	if (a->tokens > a->burst)
		a->tokens = a->burst;
}

/* Writes what is held, oldest first, while the bucket has room (all of it
 * when all is set), then the count of what could not be held. */
static void flush_held(cg_router *r, cg_declog *a, bool all)
{
	held *h;
	while ((all || a->tokens >= 1) && (h = g_queue_pop_head(&a->order))) {
		if (!all)
			a->tokens -= 1;
		json_object_object_add(h->line, "count", json_object_new_int64((int64_t)h->count));
		if (h->count > 1)
			json_object_object_add(h->line, "last", json_object_new_string(h->last));
		emit_line(r, a, h->line);
		a->held_bytes -= strlen(h->key) * 2;
		g_hash_table_remove(a->held, h->key);
	}
	if (a->overflow && !a->order.length && (all || a->tokens >= 1)) {
		if (!all)
			a->tokens -= 1;
		json_object *o = json_object_new_object();
		if (!o)
			return;
		char t[40];
		now_text(t, sizeof(t));
		json_object_object_add(o, "time", json_object_new_string(t));
		json_object_object_add(o, "dropped", json_object_new_int64((int64_t)a->overflow));
		char *why = cg_strdup_printf("decision log rate limit: more distinct records than the log holds (%d) "
					     "came while it was over its limit; these were not itemised",
					     AUDIT_HELD_MAX);
		json_object_object_add(o, "reason", json_object_new_string(why ? why : "decision log rate limit"));
		free(why);
		emit_line(r, a, o);
		json_object_put(o);
		a->overflow = 0;
	}
}

void cg_declog_flush(cg_router *r, bool all)
{
	cg_declog *a = r->declog;
	if (!a)
		return;
	refill(a);
	flush_held(r, a, all);
}

/* The fields that make two records identical, each with its length, so
 * that no label can pass for two fields. */
static char *key_of(const char *const f[], size_t n)
{
	GString *k = g_string_new(NULL);
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(k, "%zu:%s;", f[i] ? strlen(f[i]) : 0, f[i] ? f[i] : "");
	return g_string_free(k, FALSE);
}

static void hold(cg_router *r, cg_declog *a, json_object *o, const char *const fields[], size_t n)
{
	char *k = key_of(fields, n);
	char t[40];
	now_text(t, sizeof(t));
	held *h = k ? g_hash_table_lookup(a->held, k) : NULL;
	if (h) {
		h->count++;
		memcpy(h->last, t, sizeof(t));
		free(k);
		json_object_put(o);
		return;
	}
	size_t cost = k ? strlen(k) * 2 : 0;
	if (!k || a->order.length >= AUDIT_HELD_MAX || a->held_bytes + cost > AUDIT_HELD_BYTES ||
	    !(h = calloc(1, sizeof(*h)))) {
		a->overflow++;
		free(k);
		json_object_put(o);
		return;
	}
	h->key = k;
	h->line = o;
	h->count = 1;
	memcpy(h->last, t, sizeof(t));
	a->held_bytes += cost;
	g_hash_table_insert(a->held, h->key, h);
	g_queue_push_tail(&a->order, h);
	/* Written when the bucket has room: the router's timer looks. */
	cg_router_declog_wake(r);
}

void cg_declog_record_target(cg_router *r, const cg_webview *wv, const char *kind, const char *name,
			    const char *target, const char *decision, const char *reason)
{
	cg_declog *a = r->declog;
	bool allow = strcmp(decision, "allow") == 0;
	if (!a || (allow && a->level != CG_DECISION_LOG_ALL))
		return;
	json_object *o = json_object_new_object();
	if (!o)
		return;
	char t[40];
	now_text(t, sizeof(t));
	const char *origin = wv->url ? wv->url : "local";
	json_object_object_add(o, "time", json_object_new_string(t));
	json_object_object_add(o, "window", json_object_new_string(wv->window));
	json_object_object_add(o, "webview", json_object_new_string(wv->label));
	json_object_object_add(o, "origin", json_object_new_string(origin));
	json_object_object_add(o, kind, json_object_new_string(name));
	if (target)
		json_object_object_add(o, "target", json_object_new_string(target));
	json_object_object_add(o, "decision", json_object_new_string(decision));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	refill(a);
	flush_held(r, a, false);
	if (!a->order.length && !a->overflow && a->tokens >= 1) {
		a->tokens -= 1;
		emit_line(r, a, o);
		json_object_put(o);
	} else if (allow && strcmp(kind, "command") == 0) {
		emit_line(r, a, o);
		json_object_put(o);
	} else {
		const char *fields[] = {wv->window, wv->label, origin, kind, name, target, decision};
		hold(r, a, o, fields, G_N_ELEMENTS(fields));
	}
}

void cg_declog_record(cg_router *r, const cg_webview *wv, const char *kind, const char *name,
		     const char *decision, const char *reason)
{
	cg_declog_record_target(r, wv, kind, name, NULL, decision, reason);
}
