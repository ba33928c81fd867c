/*
 * make bench: how fast the engine decides and loads.
 *
 * Two synthetic policies, the base one (50 capabilities, 2,000 commands,
 * 30 windows) and one 10x larger, are written as real files and loaded;
 * then checks are timed in batches (a clock read per check would cost more
 * than the check). The floor, measured in the same run, is a lookup in a
 * plain string hash table of the same commands: the issue asks that a
 * check with handles cost about that. Prints a table, then one JSON line.
 * No assertions: these machines are shared and noisy; read the ratios.
 */
#include <capgate.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH 1000
#define ROUNDS 301

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

static uint64_t rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

struct shape {
	const char *name;
	int caps, plugins, files_per_plugin, cmds_per_file, windows, perms_per_cap;
};

/* Writes the policy's files under dir; returns the number of files. */
static int write_policy(const char *dir, const struct shape *sh)
{
	char path[4096], *buf = malloc(1 << 20);
	int files = 0;
	snprintf(path, sizeof(path), "%s/plugins", dir);
	mkdir(path, 0700);
	for (int p = 0; p < sh->plugins; p++) {
		snprintf(path, sizeof(path), "%s/plugins/plug%d", dir, p);
		mkdir(path, 0700);
		for (int f = 0; f < sh->files_per_plugin; f++) {
			size_t o = (size_t)sprintf(buf, "{\"permission\": [");
			for (int c = 0; c < sh->cmds_per_file; c++) {
				int cmd = f * sh->cmds_per_file + c;
				o += (size_t)sprintf(buf + o,
					"%s{\"identifier\": \"allow-cmd%d\", \"commands\": {\"allow\": [\"cmd%d\"]},"
					" \"scope\": {\"allow\": [{\"path\": \"$APP/%d\"}]}},"
					"{\"identifier\": \"deny-cmd%d\", \"commands\": {\"deny\": [\"cmd%d\"]}}",
					c ? "," : "", cmd, cmd, cmd, cmd, cmd);
			}
			sprintf(buf + o, "]}\n");
			snprintf(path, sizeof(path), "%s/plugins/plug%d/f%d.json", dir, p, f);
			write_text(path, buf);
			files++;
		}
	}
	snprintf(path, sizeof(path), "%s/caps", dir);
	mkdir(path, 0700);
	int cmds_per_plugin = sh->files_per_plugin * sh->cmds_per_file;
	for (int c = 0; c < sh->caps; c++) {
		size_t o = (size_t)sprintf(buf, "{\"identifier\": \"cap%d\", \"windows\": [\"win-%d\", \"group%d-*\"],"
					   " \"permissions\": [", c, rnd((unsigned)sh->windows), c % 5);
		for (int k = 0; k < sh->perms_per_cap; k++) {
			int deny = rnd(50) == 0;
			o += (size_t)sprintf(buf + o, "%s\"plug%u:%s-cmd%u\"", k ? ", " : "",
					     rnd((unsigned)sh->plugins), deny ? "deny" : "allow",
					     rnd((unsigned)cmds_per_plugin));
		}
		sprintf(buf + o, "]}\n");
		snprintf(path, sizeof(path), "%s/caps/cap%d.json", dir, c);
		write_text(path, buf);
		files++;
	}
	free(buf);
	return files;
}

static cg_policy *load(const char *dir, double *ms)
{
	char path[4096];
	cg_diag *d = cg_diag_new();
	double t0 = now_ns();
	cg_builder *b = cg_builder_new();
	snprintf(path, sizeof(path), "%s/plugins", dir);
	cg_builder_add_plugins_dir(b, path, d);
	snprintf(path, sizeof(path), "%s/caps", dir);
	cg_builder_add_capability_dir(b, path, d);
	cg_policy *p = NULL;
	int r = cg_builder_build(b, &p, d);
	*ms = (now_ns() - t0) / 1e6;
	if (r < 0) {
		for (size_t i = 0; i < cg_diag_count(d) && i < 5; i++) {
			char *s = cg_diag_format(d, i);
			fputs(s, stderr);
			free(s);
		}
		exit(2);
	}
	cg_builder_free(b);
	cg_diag_free(d);
	return p;
}

/* The floor: an open-addressing string hash table of the command names. */
struct floor_table {
	const char **keys;
	size_t mask;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static int floor_lookup(const struct floor_table *t, const char *k)
{
	for (size_t i = fnv(k) & t->mask;; i = (i + 1) & t->mask) {
		if (!t->keys[i])
			return -1;
		if (strcmp(t->keys[i], k) == 0)
			return (int)i;
	}
}

struct result {
	double handle_ns, handle_p99, string_ns, string_p99, floor_ns, load_ms;
	size_t caps, cmds;
	int files, windows;
};

static volatile int sink;

static void measure(const struct shape *sh, struct result *res)
{
	char dir[] = "/tmp/cg-bench-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(2);
	}
	res->files = write_policy(dir, sh);
	res->windows = sh->windows;
	/* The first load warms the page cache; the second is the figure. */
	double ms;
	cg_policy *p = load(dir, &ms);
	cg_policy_unref(p);
	p = load(dir, &res->load_ms);
	res->caps = cg_policy_capability_count(p);
	res->cmds = cg_policy_command_count(p);

	int nsub = sh->windows;
	cg_subject **subs = calloc((size_t)nsub, sizeof(*subs));
	char label[64];
	for (int w = 0; w < nsub; w++) {
		snprintf(label, sizeof(label), "win-%d", w);
		cg_subject_new(p, label, NULL, NULL, &subs[w]);
	}
	enum { NQ = 4096 };
	static int q_sub[NQ], q_cmd[NQ];
	static const char *q_name[NQ];
	static char q_win[NQ][16];
	for (int i = 0; i < NQ; i++) {
		q_sub[i] = (int)rnd((unsigned)nsub);
		q_cmd[i] = (int)rnd((unsigned)res->cmds);
		q_name[i] = cg_policy_command_name(p, q_cmd[i]);
		snprintf(q_win[i], sizeof(q_win[i]), "win-%d", q_sub[i]);
	}
	struct floor_table ft;
	size_t cap = 1;
	while (cap < res->cmds * 2)
		cap <<= 1;
	ft.keys = calloc(cap, sizeof(char *));
	ft.mask = cap - 1;
	for (size_t i = 0; i < res->cmds; i++) {
		const char *k = cg_policy_command_name(p, (int)i);
		size_t j = fnv(k) & ft.mask;
		while (ft.keys[j])
			j = (j + 1) & ft.mask;
		ft.keys[j] = k;
	}
	/* Warm the string path's subject cache, as a running app would. */
	cg_decision dc;
	for (int i = 0; i < NQ; i++)
		cg_check_str(p, q_win[i], NULL, NULL, q_name[i], &dc);

	double h[ROUNDS], s[ROUNDS], f[ROUNDS];
	for (int r = 0; r < ROUNDS; r++) {
		int base = (int)rnd(NQ - BATCH);
		int acc = 0;
		double t0 = now_ns();
		for (int i = base; i < base + BATCH; i++) {
			cg_check(subs[q_sub[i]], q_cmd[i], &dc);
			acc += dc.allowed;
		}
		double t1 = now_ns();
		for (int i = base; i < base + BATCH; i++) {
			cg_check_str(p, q_win[i], NULL, NULL, q_name[i], &dc);
			acc += dc.allowed;
		}
		double t2 = now_ns();
		for (int i = base; i < base + BATCH; i++)
			acc += floor_lookup(&ft, q_name[i]) >= 0;
		double t3 = now_ns();
		sink = acc;
		h[r] = (t1 - t0) / BATCH;
		s[r] = (t2 - t1) / BATCH;
		f[r] = (t3 - t2) / BATCH;
	}
	qsort(h, ROUNDS, sizeof(double), cmp_d);
	qsort(s, ROUNDS, sizeof(double), cmp_d);
	qsort(f, ROUNDS, sizeof(double), cmp_d);
	res->handle_ns = h[ROUNDS / 2];
	res->handle_p99 = h[ROUNDS * 99 / 100];
	res->string_ns = s[ROUNDS / 2];
	res->string_p99 = s[ROUNDS * 99 / 100];
	res->floor_ns = f[ROUNDS / 2];
	for (int w = 0; w < nsub; w++)
		cg_subject_free(subs[w]);
	free(subs);
	free(ft.keys);
	cg_policy_unref(p);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
	/* base: 50 caps, 20 plugins x 50 files x 2 commands = 2000 commands in
	 * 1000 permission files; the 10x policy scales every dimension. */
	static const struct shape shapes[] = {
		{"base", 50, 20, 50, 2, 30, 40},
		{"10x", 500, 200, 50, 2, 300, 40},
		{"load", 200, 20, 50, 2, 30, 40},
	};
	struct result r[3];
	for (int i = 0; i < 3; i++)
		measure(&shapes[i], &r[i]);
	printf("capgate %s engine benchmark (median of %d batches of %d checks)\n\n", cg_version(), ROUNDS, BATCH);
	printf("%-6s %6s %7s %7s %6s | %9s %9s %9s %9s %9s | %9s\n", "policy", "caps", "cmds", "windows",
	       "files", "handle ns", "p99", "string ns", "p99", "floor ns", "load ms");
	for (int i = 0; i < 3; i++)
		printf("%-6s %6zu %7zu %7d %6d | %9.1f %9.1f %9.1f %9.1f %9.1f | %9.1f\n", shapes[i].name,
		       r[i].caps, r[i].cmds, r[i].windows, r[i].files, r[i].handle_ns, r[i].handle_p99,
		       r[i].string_ns, r[i].string_p99, r[i].floor_ns, r[i].load_ms);
	printf("\nhandle check / hash-lookup floor: base %.2fx, 10x %.2fx; 10x / base handle: %.2fx\n",
	       r[0].handle_ns / r[0].floor_ns, r[1].handle_ns / r[1].floor_ns, r[1].handle_ns / r[0].handle_ns);
	printf("targets: handle <= 50 ns and flat at 10x; string <= 500 ns; load of 1000 permission + 200 capability files <= 100 ms\n\n");
	printf("{\"benchmark\": \"engine\", \"version\": \"%s\", \"results\": [", cg_version());
	for (int i = 0; i < 3; i++)
		printf("%s{\"policy\": \"%s\", \"capabilities\": %zu, \"commands\": %zu, \"windows\": %d, \"files\": %d,"
		       " \"check_handle_ns\": %.1f, \"check_handle_p99_ns\": %.1f, \"check_string_ns\": %.1f,"
		       " \"check_string_p99_ns\": %.1f, \"floor_hash_lookup_ns\": %.1f, \"load_ms\": %.1f}",
		       i ? ", " : "", shapes[i].name, r[i].caps, r[i].cmds, r[i].windows, r[i].files,
		       r[i].handle_ns, r[i].handle_p99, r[i].string_ns, r[i].string_p99, r[i].floor_ns, r[i].load_ms);
	printf("]}\n");
	return 0;
}
