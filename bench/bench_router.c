/*
 * make bench: the router's overhead.
 *
 *  - a small allowed invoke: parse and validate the message, check the
 *    policy, dispatch to a no-op sync handler, serialise the reply;
 *  - an event emitted by a webview and fanned out to 100 listeners across
 *    10 webviews (each delivery re-checks the receiver's listen permission);
 *
 * each next to the floor measured in the same run: a bare json-c parse and
 * serialise of the same message. Medians of batches; a table, then JSON.
 */
#include <capgate.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS 201

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static size_t replies, callbacks, bytes;

static void t_reply(void *u, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	replies++;
	bytes += len;
}

static void t_callback(void *u, cg_webview *wv, uint32_t id, const char *json, size_t len)
{
	callbacks++;
	bytes += len;
}

static int h_noop(cg_call *c, void *user) { return cg_call_resolve(c, json_object_new_object()); }

static volatile size_t sink;

/* Median ns per operation of fn over ROUNDS batches of n. */
static double median(void (*fn)(void *), void *arg, int n, double *p99)
{
	double v[ROUNDS];
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();
		for (int i = 0; i < n; i++)
			fn(arg);
		v[r] = (now_ns() - t0) / n;
	}
	qsort(v, ROUNDS, sizeof(double), cmp_d);
	if (p99)
		*p99 = v[ROUNDS * 99 / 100];
	return v[ROUNDS / 2];
}

struct ctx {
	cg_router *r;
	cg_webview *wv;
	const char *msg;
	size_t len;
};

static void do_invoke(void *a)
{
	struct ctx *c = a;
	cg_router_invoke(c->r, c->wv, c->msg, c->len, NULL);
}

static void do_floor(void *a)
{
	struct ctx *c = a;
	json_object *o = json_tokener_parse(c->msg);
	sink += strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

int main(void)
{
	cg_transport t = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};
	cg_router *r = NULL;
	cg_router_new(&t, &r);
	cg_router_register(r, NULL, "ping", h_noop, NULL, CG_CMD_SYNC);
	const char *caps =
		"[{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": [\"allow-ping\","
		"  {\"identifier\": \"core:event:allow-emit\", \"allow\": [{\"event\": \"tick\"}]}, \"core:event:allow-listen\"]},"
		" {\"identifier\": \"viewers\", \"windows\": [\"view-*\"], \"permissions\": ["
		"  {\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"ti*\"}]}]}]";
	cg_builder *b = cg_builder_new();
	cg_router_declare_commands(r, b);
	cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), NULL);
	cg_policy *p = NULL;
	if (cg_builder_build(b, &p, NULL) < 0) {
		fputs("policy did not build\n", stderr);
		return 2;
	}
	cg_builder_free(b);
	cg_router_set_policy(r, p);
	cg_policy_unref(p);
	cg_webview *main_wv = NULL;
	cg_router_add_webview(r, "main", NULL, NULL, &main_wv);

	/* 1. a small allowed invoke */
	const char *inv = "{\"cmd\":\"ping\",\"callback\":1234,\"error\":1235,"
			  "\"payload\":{\"name\":\"capgate\",\"n\":42},\"options\":{\"headers\":{}}}";
	struct ctx ci = {r, main_wv, inv, strlen(inv)};
	double inv_p99, floor_inv_p99;
	size_t before = replies;
	double inv_ns = median(do_invoke, &ci, 2000, &inv_p99);
	size_t answered = replies - before;
	double floor_inv = median(do_floor, &ci, 2000, &floor_inv_p99);

	/* 2. fan-out: 10 webviews x 10 listeners on "tick" */
	cg_webview *views[10];
	char label[32], msg[200];
	for (int v = 0; v < 10; v++) {
		snprintf(label, sizeof(label), "view-%d", v);
		cg_router_add_webview(r, label, NULL, NULL, &views[v]);
		for (int l = 0; l < 10; l++) {
			int n = snprintf(msg, sizeof(msg),
					 "{\"cmd\":\"plugin:event|listen\",\"payload\":{\"event\":\"tick\","
					 "\"target\":{\"kind\":\"Any\"},\"handler\":%d}}", v * 10 + l);
			cg_router_invoke(r, views[v], msg, (size_t)n, NULL);
		}
	}
	const char *emit = "{\"cmd\":\"plugin:event|emit\",\"payload\":{\"event\":\"tick\","
			   "\"payload\":{\"t\":123456,\"note\":\"fan-out\"}}}";
	struct ctx ce = {r, main_wv, emit, strlen(emit)};
	before = callbacks;
	double emit_p99, floor_emit_p99;
	double emit_ns = median(do_invoke, &ce, 200, &emit_p99);
	double per_emit = (double)(callbacks - before) / (ROUNDS * 200);
	double floor_emit = median(do_floor, &ce, 2000, &floor_emit_p99);
	sink += bytes;

	printf("capgate %s router benchmark (median of %d batches)\n\n", cg_version(), ROUNDS);
	printf("%-34s %10s %10s %10s %10s %8s\n", "operation", "median ns", "p99 ns", "floor ns",
	       "overhead", "ratio");
	printf("%-34s %10.0f %10.0f %10.0f %10.0f %7.1fx\n", "invoke, allowed, no-op handler", inv_ns, inv_p99,
	       floor_inv, inv_ns - floor_inv, inv_ns / floor_inv);
	printf("%-34s %10.0f %10.0f %10.0f %10.0f %7.1fx\n", "emit to 100 listeners/10 webviews", emit_ns,
	       emit_p99, floor_emit, emit_ns - floor_emit, emit_ns / floor_emit);
	printf("\nfloor: json-c parse + serialise of the same message. deliveries per emit: %.0f;"
	       " invokes answered: %zu\n", per_emit, answered);
	printf("overhead = median - floor: the router's own work beyond json-c parsing and serialising.\n");
	printf("target: invoke <= 2000 ns of router overhead\n\n");
	printf("{\"benchmark\": \"router\", \"version\": \"%s\", \"invoke_ns\": %.0f, \"invoke_p99_ns\": %.0f,"
	       " \"invoke_floor_ns\": %.0f, \"invoke_overhead_ns\": %.0f, \"emit_fanout_ns\": %.0f, \"emit_fanout_p99_ns\": %.0f,"
	       " \"emit_floor_ns\": %.0f, \"listeners\": 100, \"webviews\": 10, \"deliveries_per_emit\": %.0f}\n",
	       cg_version(), inv_ns, inv_p99, floor_inv, inv_ns - floor_inv, emit_ns, emit_p99, floor_emit, per_emit);
	cg_router_free(r);
	return 0;
}
