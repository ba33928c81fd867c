/*
 * Hostile shapes, each against a control of the same size in the same run
 * (issue 15, second review): loading names that all share one g_str_hash
 * (djb2: "Ez" and "FY" collide), a decision's scope made of many values,
 * and the audit matrix of many small capabilities. A row's "ratio" is its
 * time over the control's: near 1 means the shape costs what its size
 * does. Timings are printed, never asserted (tests count instead).
 */
#include <capgate.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* "a" and k blocks of "Ez"/"FY" (colliding), or "a" and 2k digits. */
static void name(char *out, unsigned k, size_t i, int collide)
{
	if (!collide) {
		sprintf(out, "a%0*zu", (int)(2 * k), i);
		return;
	}
	out[0] = 'a';
	for (unsigned b = 0; b < k; b++)
		memcpy(out + 1 + 2 * b, (i >> b) & 1 ? "FY" : "Ez", 2);
	out[1 + 2 * k] = 0;
}

typedef struct buf {
	char *s;
	size_t n, cap;
} buf;

static void put(buf *b, const char *s)
{
	size_t l = strlen(s);
	if (b->n + l + 1 > b->cap) {
		b->cap = (b->n + l + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	memcpy(b->s + b->n, s, l + 1);
	b->n += l;
}

/* what: 0 command names, 1 permission ids, 2 capability ids. */
static double load(unsigned k, int what, int collide)
{
	buf m = {0}, c = {0};
	char nm[64], tmp[128];
	size_t n = (size_t)1 << k;
	put(&m, "{\"permission\": [{\"identifier\": \"allow-go\", \"commands\": {\"allow\": [\"go\"");
	for (size_t i = 0; what == 0 && i < n; i++) {
		name(nm, k, i, collide);
		sprintf(tmp, ", \"%s\"", nm);
		put(&m, tmp);
	}
	put(&m, "]}}");
	for (size_t i = 0; what == 1 && i < n; i++) {
		name(nm, k, i, collide);
		sprintf(tmp, ", {\"identifier\": \"%s\"}", nm);
		put(&m, tmp);
	}
	put(&m, "]}");
	put(&c, "[{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"demo:allow-go\"]}");
	for (size_t i = 0; what == 2 && i < n; i++) {
		name(nm, k, i, collide);
		sprintf(tmp, ", {\"identifier\": \"%s\", \"permissions\": []}", nm);
		put(&c, tmp);
	}
	put(&c, "]");
	double t0 = now_ms();
	cg_builder *b = cg_builder_new();
	cg_policy *p = NULL;
	cg_builder_add_manifest_json(b, "demo", "m.json", m.s, m.n, NULL);
	cg_builder_add_capability_json(b, "c.json", c.s, c.n, NULL);
	if (cg_builder_build(b, &p, NULL) < 0)
		fprintf(stderr, "bench_hostile: the policy did not load\n");
	double t = now_ms() - t0;
	cg_policy_unref(p);
	cg_builder_free(b);
	free(m.s);
	free(c.s);
	return t;
}

/* One permission whose scope has n values, distinct or all alike: the
 * time of one decision's command scope. */
static double scope_union(size_t n, int distinct)
{
	buf m = {0};
	char tmp[64];
	put(&m, "{\"permission\": [{\"identifier\": \"allow-go\", \"commands\": {\"allow\": [\"go\"]}, \"scope\": {\"allow\": [");
	for (size_t i = 0; i < n; i++) {
		sprintf(tmp, "%s%zu", i ? ", " : "", distinct ? i : 7);
		put(&m, tmp);
	}
	put(&m, "]}}]}");
	const char *caps = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"demo:allow-go\"]}";
	cg_builder *b = cg_builder_new();
	cg_policy *p = NULL;
	cg_builder_add_manifest_json(b, "demo", "m.json", m.s, m.n, NULL);
	cg_builder_add_capability_json(b, "c.json", caps, strlen(caps), NULL);
	cg_builder_build(b, &p, NULL);
	cg_decision dc;
	double t0 = now_ms();
	cg_check_str(p, "main", NULL, NULL, "plugin:demo|go", &dc);
	json_object_put(cg_decision_command_scope(&dc));
	double t = now_ms() - t0;
	cg_policy_unref(p);
	cg_builder_free(b);
	free(m.s);
	return t;
}

/* n capabilities, each with its own window and remote URL (hostile), or
 * all n windows in one capability with one URL (control): the audit. */
static double audit(size_t n, int hostile, int *rc)
{
	buf c = {0};
	char tmp[256];
	const char *m = "{\"permission\": [{\"identifier\": \"allow-go\", \"commands\": {\"allow\": [\"go\"]}}]}";
	put(&c, "[");
	for (size_t i = 0; i < n; i++) {
		if (hostile)
			sprintf(tmp, "%s{\"identifier\": \"c%zu\", \"windows\": [\"w%zu\"], \"local\": false,"
				" \"remote\": {\"urls\": [\"https://h%zu.example.com\"]}, \"permissions\": [\"demo:allow-go\"]}",
				i ? ", " : "", i, i, i);
		else
			sprintf(tmp, "%s{\"identifier\": \"c%zu\", \"windows\": [\"w%zu\"], \"local\": false,"
				" \"remote\": {\"urls\": [\"https://h.example.com\"]}, \"permissions\": [\"demo:allow-go\"]}",
				i ? ", " : "", i, i);
		put(&c, tmp);
	}
	put(&c, "]");
	cg_builder *b = cg_builder_new();
	cg_policy *p = NULL;
	cg_builder_add_manifest_json(b, "demo", "m.json", m, strlen(m), NULL);
	cg_builder_add_capability_json(b, "c.json", c.s, c.n, NULL);
	cg_builder_build(b, &p, NULL);
	json_object *mx = NULL;
	double t0 = now_ms();
	*rc = cg_policy_audit(p, NULL, 0, &mx);
	double t = now_ms() - t0;
	json_object_put(mx);
	cg_policy_unref(p);
	cg_builder_free(b);
	free(c.s);
	return t;
}

int main(void)
{
	const unsigned k = 15;
	static const char *const what[] = {"command names", "permission ids", "capability ids"};
	double rows[5][2];
	int arc[2];
	printf("capgate %s hostile-shape benchmark (time in ms; ratio = hostile / control)\n\n", cg_version());
	printf("%-34s %10s %10s %7s\n", "shape", "hostile", "control", "ratio");
	for (int w = 0; w < 3; w++) {
		rows[w][0] = load(k, w, 1);
		rows[w][1] = load(k, w, 0);
		char label[64];
		snprintf(label, sizeof(label), "load: 2^%u colliding %s", k, what[w]);
		printf("%-34s %10.1f %10.1f %7.2f\n", label, rows[w][0], rows[w][1], rows[w][0] / rows[w][1]);
	}
	rows[3][0] = scope_union(100000, 1);
	rows[3][1] = scope_union(100000, 0);
	printf("%-34s %10.1f %10.1f %7.2f\n", "command scope: 100000 values", rows[3][0], rows[3][1],
	       rows[3][0] / rows[3][1]);
	rows[4][0] = audit(2000, 1, &arc[0]);
	rows[4][1] = audit(2000, 0, &arc[1]);
	printf("%-34s %10.1f %10.1f %7.2f\n", "audit: 2000 capabilities, origins", rows[4][0], rows[4][1],
	       rows[4][0] / rows[4][1]);
	if (arc[0] < 0 || arc[1] < 0)
		printf("(audit returned %s / %s)\n", cg_strerror(arc[0]), cg_strerror(arc[1]));
	static const char *const keys[] = {"load_colliding_commands", "load_colliding_permissions",
					   "load_colliding_capabilities", "command_scope_100000",
					   "audit_2000_origins"};
	printf("\n{\"benchmark\": \"hostile\", \"version\": \"%s\", \"results\": [", cg_version());
	for (int i = 0; i < 5; i++)
		printf("%s{\"shape\": \"%s\", \"hostile_ms\": %.1f, \"control_ms\": %.1f, \"ratio\": %.2f}",
		       i ? ", " : "", keys[i], rows[i][0], rows[i][1], rows[i][0] / rows[i][1]);
	printf("]}\n");
	return 0;
}
