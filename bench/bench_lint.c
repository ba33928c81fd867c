/*
 * make bench: how long `capgate lint` takes on a realistic project.
 *
 * The issue asks that linting 200 capability files against 20 plugins'
 * manifests take at most 100 ms. This writes such a project as real files
 * in a fresh temporary directory: 20 plugins (15 to 40 commands each, with
 * allow-/deny- permissions, scoped permissions, a default set and nested
 * sets, spread over two or three files per plugin) and 200 capability
 * files (window lists and globs, webviews, some remote URLs and platform
 * lists, 5 to 30 entries each mixing plain identifiers and objects with
 * allow/deny scopes). Two variants: "valid", where every file loads so
 * every rule runs on every capability, and "typo", where 10 of the 200
 * files (5%) misspell one identifier, so the lint also takes its recovery
 * path (a second build without the files that failed).
 *
 * Timed end to end, reading the files included: cg_lint_new, a builder
 * with the plugins and capability directories, cg_lint_run, and freeing
 * it all. The floor, measured in the same run and interleaved with it, is
 * what any load of the same sources costs: a builder with the same
 * directories, cg_builder_build, and freeing it all. Prints a table, then
 * one JSON line. No assertions: these machines are shared and noisy; read
 * the ratios.
 */
#include <capgate.h>

#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef RUNS
#define RUNS 31
#endif
#ifndef WARMUP
#define WARMUP 2
#endif
#define N_CAPS 200
#define N_TYPOS 10 /* 5% of N_CAPS */
#define TARGET_MS 100.0

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static uint64_t rng;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* ------------------------------------------------------------ temp dir */

static char tmpdir[] = "/tmp/cg-bench-lint-XXXXXX";
static int have_tmpdir;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		perror(path);
	return 0;
}

static void cleanup(void)
{
	if (have_tmpdir && nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static void make_dir(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void make_dir(const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (mkdir(path, 0700) != 0) {
		perror(path);
		exit(2);
	}
}

/* ---------------------------------------------------------- text buffer */

static struct {
	char *s;
	size_t len, cap;
} buf;

static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void put(const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(buf.s + buf.len, buf.cap - buf.len, fmt, ap);
		va_end(ap);
		if (n < 0)
			exit(2);
		if (buf.len + (size_t)n < buf.cap) {
			buf.len += (size_t)n;
			return;
		}
		buf.cap = buf.cap ? buf.cap * 2 : 1 << 16;
		if (!(buf.s = realloc(buf.s, buf.cap))) {
			perror("realloc");
			exit(2);
		}
	}
}

static int files_written;
static size_t bytes_written;

/* Writes the buffer to the file and empties it. */
static void flush_to(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void flush_to(const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	FILE *f = fopen(path, "w");
	if (!f || fwrite(buf.s, 1, buf.len, f) != buf.len || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	files_written++;
	bytes_written += buf.len;
	buf.len = 0;
}

/* ------------------------------------------------------------- plugins */

enum scope_kind { S_NONE, S_PATH, S_URL, S_CMD };

static const struct plugin {
	const char *name;
	enum scope_kind scope;
} plugins[] = {
	{"fs", S_PATH},          {"http", S_URL},         {"shell", S_CMD},
	{"dialog", S_NONE},      {"clipboard-manager", S_NONE}, {"notification", S_NONE},
	{"os", S_NONE},          {"process", S_NONE},     {"store", S_PATH},
	{"sql", S_NONE},         {"updater", S_URL},      {"window-state", S_NONE},
	{"global-shortcut", S_NONE}, {"log", S_PATH},     {"opener", S_URL},
	{"deep-link", S_URL},    {"upload", S_PATH},      {"websocket", S_URL},
	{"persisted-scope", S_PATH}, {"stronghold", S_PATH},
};
#define N_PLUGINS ((int)(sizeof(plugins) / sizeof(plugins[0])))

static const char *const verbs[] = {"read", "write", "get", "set", "list", "create", "remove",
				    "open", "close", "watch", "start", "stop", "check", "load",
				    "save", "clear", "send", "fetch", "request", "exists"};
static const char *const nouns[] = {"file", "dir", "item", "entry", "value", "config",
				    "state", "text", "image", "data", "key", "status"};
#define NV ((int)(sizeof(verbs) / sizeof(verbs[0])))
#define NN ((int)(sizeof(nouns) / sizeof(nouns[0])))

static int n_cmds(int p) { return 15 + (p * 13) % 26; } /* 15 .. 40 */

/* Command i of plugin p: distinct (verb, noun) pairs. */
static const char *cmd_verb(int p, int i) { return verbs[(i % NV + p) % NV]; }
static const char *cmd_noun(int p, int i) { return nouns[(i / NV + p) % NN]; }

static int is_read(const char *v)
{
	static const char *const r[] = {"read", "get", "list", "exists", "check", "fetch", "load", NULL};
	for (int i = 0; r[i]; i++)
		if (strcmp(v, r[i]) == 0)
			return 1;
	return 0;
}

static int is_write(const char *v)
{
	static const char *const w[] = {"write", "set", "create", "remove", "save", "clear", NULL};
	for (int i = 0; w[i]; i++)
		if (strcmp(v, w[i]) == 0)
			return 1;
	return 0;
}

/* One scope value of the plugin's kind; deny picks a value to take back. */
static void put_scope_value(enum scope_kind k, int i, int deny)
{
	static const char *const paths[] = {"$APPDATA/**", "$APPCONFIG/*.json", "$DOCUMENT/**",
					    "$APPCACHE/**", "$DOWNLOAD/*", "$APPLOG/**"};
	static const char *const deny_paths[] = {"$APPDATA/secrets/**", "$APPCONFIG/keys.json",
						 "$DOCUMENT/private/**"};
	static const char *const urls[] = {"https://api.example.com/*", "https://*.example.org/**",
					   "https://cdn.example.net/assets/*", "wss://ws.example.com/*"};
	static const char *const deny_urls[] = {"https://api.example.com/admin/*",
						"https://internal.example.org/**"};
	static const char *const progs[] = {"git", "node", "python3", "ffmpeg"};
	switch (k) {
	case S_PATH:
		put("{\"path\": \"%s\"}", deny ? deny_paths[i % 3] : paths[i % 6]);
		break;
	case S_URL:
		put("{\"url\": \"%s\"}", deny ? deny_urls[i % 2] : urls[i % 4]);
		break;
	case S_CMD:
		put("{\"name\": \"run-%s\", \"cmd\": \"%s\", \"args\": %s}", progs[i % 4], progs[i % 4],
		    deny ? "true" : "[\"--version\"]");
		break;
	case S_NONE:
		break;
	}
}

static void put_scope(enum scope_kind k, int i, int with_deny)
{
	put("{\n        \"allow\": [");
	put_scope_value(k, i, 0);
	put(", ");
	put_scope_value(k, i + 1, 0);
	put("]");
	if (with_deny) {
		put(",\n        \"deny\": [");
		put_scope_value(k, i, 1);
		put("]");
	}
	put("\n      }");
}

static int perm_count; /* permissions and sets written */

/* plugins/<name>/commands.json, scopes.json (scoped plugins) and sets.json. */
static void write_plugin(const char *root, int p)
{
	const struct plugin *pl = &plugins[p];
	int n = n_cmds(p);
	make_dir("%s/plugins/%s", root, pl->name);

	/* Like Tauri's autogenerated per-command permissions. */
	put("{\n  \"$schema\": \"../../schemas/permission.schema.json\",\n  \"permission\": [\n");
	for (int i = 0; i < n; i++) {
		const char *v = cmd_verb(p, i), *o = cmd_noun(p, i);
		put("    {\n      \"identifier\": \"allow-%s-%s\",\n"
		    "      \"description\": \"Enables the %s_%s command without any pre-configured scope.\",\n"
		    "      \"commands\": {\"allow\": [\"%s_%s\"], \"deny\": []}\n    },\n",
		    v, o, v, o, v, o);
		put("    {\n      \"identifier\": \"deny-%s-%s\",\n"
		    "      \"description\": \"Denies the %s_%s command without any pre-configured scope.\",\n"
		    "      \"commands\": {\"allow\": [], \"deny\": [\"%s_%s\"]}\n    }%s\n",
		    v, o, v, o, v, o, i + 1 < n ? "," : "");
		perm_count += 2;
	}
	put("  ]\n}\n");
	flush_to("%s/plugins/%s/commands.json", root, pl->name);

	if (pl->scope != S_NONE) {
		/* Scope-only permissions and commands with a scope. */
		put("{\n  \"permission\": [\n");
		put("    {\n      \"identifier\": \"scope-app\",\n"
		    "      \"description\": \"The app's own data.\",\n      \"scope\": ");
		put_scope(pl->scope, 0, 1);
		put("\n    },\n    {\n      \"identifier\": \"scope-user\",\n      \"scope\": ");
		put_scope(pl->scope, 2, 0);
		put("\n    },\n    {\n      \"identifier\": \"scope-deny-secrets\",\n"
		    "      \"scope\": {\"deny\": [");
		put_scope_value(pl->scope, 1, 1);
		put("]}\n    }");
		perm_count += 3;
		for (int i = 0, k = 0; i < n && k < 4; i++) {
			const char *v = cmd_verb(p, i), *o = cmd_noun(p, i);
			if (!is_read(v) && !is_write(v))
				continue;
			put(",\n    {\n      \"identifier\": \"%s-%s-app\",\n"
			    "      \"description\": \"%s_%s within the app's directories.\",\n"
			    "      \"commands\": {\"allow\": [\"%s_%s\"]},\n      \"scope\": ",
			    v, o, v, o, v, o);
			put_scope(pl->scope, k, k & 1);
			put("\n    }");
			perm_count++;
			k++;
		}
		put("\n  ]\n}\n");
		flush_to("%s/plugins/%s/scopes.json", root, pl->name);
	}

	/* The default set and a few sets, one of them nested. */
	put("{\n  \"default\": {\n    \"description\": \"Default permissions for the plugin.\",\n"
	    "    \"permissions\": [");
	for (int i = 0, first = 1; i < n; i += 3, first = 0)
		put("%s\"allow-%s-%s\"", first ? "" : ", ", cmd_verb(p, i), cmd_noun(p, i));
	if (pl->scope != S_NONE)
		put(", \"scope-app\"");
	put("]\n  },\n  \"set\": [\n");
	const char *names[2] = {"read-all", "write-all"};
	for (int s = 0; s < 2; s++) {
		put("    {\n      \"identifier\": \"%s\",\n      \"description\": \"Every %s command.\",\n"
		    "      \"permissions\": [", names[s], s ? "writing" : "reading");
		int first = 1;
		for (int i = 0; i < n; i++) {
			const char *v = cmd_verb(p, i);
			if (s ? is_write(v) : is_read(v)) {
				put("%s\"allow-%s-%s\"", first ? "" : ", ", v, cmd_noun(p, i));
				first = 0;
			}
		}
		put("]\n    },\n");
	}
	put("    {\n      \"identifier\": \"full\",\n      \"description\": \"Everything.\",\n"
	    "      \"permissions\": [\"read-all\", \"write-all\", \"allow-%s-%s\"%s]\n    }\n  ]\n}\n",
	    cmd_verb(p, 0), cmd_noun(p, 0), pl->scope != S_NONE ? ", \"scope-user\"" : "");
	perm_count += 4;
	flush_to("%s/plugins/%s/sets.json", root, pl->name);
}

/* --------------------------------------------------------- capabilities */

static const char *const core_perms[] = {
	"core:default", "core:window:default", "core:window:allow-set-title",
	"core:window:allow-close", "core:window:allow-create", "core:event:default",
	"core:event:allow-emit", "core:event:allow-listen", "core:webview:default",
	"core:webview:allow-create-webview", "core:app:default", "core:app:allow-version",
	"core:path:default", "core:menu:default", "core:tray:default", "core:image:default",
	"core:resources:allow-close", "core:tray:allow-set-title",
};
#define N_CORE ((int)(sizeof(core_perms) / sizeof(core_perms[0])))

static int entry_count;

/* A misspelling, in place: the first two different adjacent letters of
 * the identifier's name (after the last ':' and any allow-/deny-) swapped:
 * "fs:allow-read-file" -> "fs:allow-erad-file", "core:default" ->
 * "core:edfault". s points at the identifier inside its JSON string. */
static void typo(char *s)
{
	char *e = strchr(s, '"'), *v = s;
	for (char *q = s; q < e; q++)
		if (*q == ':')
			v = q + 1;
	if (strncmp(v, "allow-", 6) == 0)
		v += 6;
	else if (strncmp(v, "deny-", 5) == 0)
		v += 5;
	for (; v + 1 < e && v[1] != '-'; v++)
		if (v[0] != v[1]) {
			char t = v[0];
			v[0] = v[1];
			v[1] = t;
			return;
		}
}

static void write_capability(const char *root, int c, int with_typo)
{
	char chosen[30][96];
	int nchosen = 0;
	put("{\n  \"$schema\": \"../gen/schemas/desktop-schema.json\",\n"
	    "  \"identifier\": \"cap-%03d\",\n"
	    "  \"description\": \"Capability %d of the benchmark project.\",\n", c, c);
	switch (rnd(6)) {
	case 0:
		put("  \"windows\": [\"main\"],\n");
		break;
	case 1:
		put("  \"windows\": [\"main\", \"settings\", \"about\"],\n");
		break;
	case 2:
		put("  \"windows\": [\"editor-*\"],\n  \"webviews\": [\"preview-%u\"],\n", rnd(20));
		break;
	case 3:
		put("  \"windows\": [\"win-%u\", \"panel-*\"],\n", rnd(40));
		break;
	case 4: {
		unsigned t = rnd(30);
		put("  \"windows\": [\"tool-%u\", \"tool-%u\", \"inspector\"],\n", t, t + 30);
		break;
	}
	default:
		put("  \"windows\": [\"%s\"],\n", rnd(4) ? "dialog-*" : "*");
		break;
	}
	if (rnd(10) == 0)
		put("  \"remote\": {\"urls\": [\"https://app%d.example.com/*\", \"https://*.example.org\"]},\n", c);
	if (rnd(8) == 0)
		put("  \"platforms\": [\"linux\", \"macOS\", \"windows\"],\n");
	put("  \"permissions\": [");
	int want = 5 + (int)rnd(26); /* 5 .. 30 */
	/* Drawn in both variants, so that they differ only in the typos; the
	 * typo goes to the last entry written at or before this place. */
	int typo_at = (int)rnd((unsigned)want);
	size_t typo_off = 0;
	for (int k = 0; k < want; k++) {
		char id[96];
		int p = (int)rnd(N_PLUGINS), obj = 0, n = n_cmds(p), i = (int)rnd((unsigned)n);
		const struct plugin *pl = &plugins[p];
		unsigned kind = rnd(20);
		if (kind < 3)
			snprintf(id, sizeof(id), "%s", core_perms[rnd(N_CORE)]);
		else if (kind < 5)
			snprintf(id, sizeof(id), "%s:default", pl->name);
		else if (kind < 12)
			snprintf(id, sizeof(id), "%s:allow-%s-%s", pl->name, cmd_verb(p, i), cmd_noun(p, i));
		else if (kind < 13)
			snprintf(id, sizeof(id), "%s:deny-%s-%s", pl->name, cmd_verb(p, i), cmd_noun(p, i));
		else if (kind < 15)
			snprintf(id, sizeof(id), "%s:%s", pl->name, rnd(3) ? "read-all" : rnd(2) ? "write-all" : "full");
		else if (pl->scope == S_NONE)
			snprintf(id, sizeof(id), "%s:allow-%s-%s", pl->name, cmd_verb(p, i), cmd_noun(p, i));
		else if (kind < 16)
			snprintf(id, sizeof(id), "%s:%s", pl->name, rnd(2) ? "scope-app" : "scope-deny-secrets");
		else {
			snprintf(id, sizeof(id), "%s:allow-%s-%s", pl->name, cmd_verb(p, i), cmd_noun(p, i));
			obj = 1;
		}
		int dup = 0;
		for (int j = 0; j < nchosen; j++)
			dup |= strcmp(chosen[j], id) == 0;
		if (dup)
			continue;
		snprintf(chosen[nchosen++], sizeof(chosen[0]), "%s", id);
		put("%s\n    ", k ? "," : "");
		entry_count++;
		if (!obj) {
			if (k <= typo_at)
				typo_off = buf.len + 1;
			put("\"%s\"", id);
			continue;
		}
		put("{\n      \"identifier\": \"");
		if (k <= typo_at)
			typo_off = buf.len;
		put("%s\",\n      \"allow\": [", id);
		put_scope_value(pl->scope, (int)rnd(6), 0);
		put("]");
		if (rnd(2)) {
			put(",\n      \"deny\": [");
			put_scope_value(pl->scope, (int)rnd(3), 1);
			put("]");
		}
		put("\n    }");
	}
	put("\n  ]\n}\n");
	if (with_typo)
		typo(buf.s + typo_off);
	flush_to("%s/capabilities/cap-%03d.json", root, c);
}

struct workload {
	const char *name;
	char root[4096];
	int manifest_files, cap_files, typo_files, permissions, entries;
	size_t bytes;
};

static void write_workload(struct workload *w, int typos)
{
	rng = 88172645463325252ull; /* both variants differ only in the typos */
	snprintf(w->root, sizeof(w->root), "%s/%s", tmpdir, w->name);
	make_dir("%s", w->root);
	make_dir("%s/plugins", w->root);
	make_dir("%s/capabilities", w->root);
	files_written = 0;
	bytes_written = 0;
	perm_count = 0;
	entry_count = 0;
	for (int p = 0; p < N_PLUGINS; p++)
		write_plugin(w->root, p);
	w->manifest_files = files_written;
	w->permissions = perm_count;
	w->typo_files = 0;
	for (int c = 0; c < N_CAPS; c++) {
		int t = typos && c % (N_CAPS / N_TYPOS) == N_CAPS / N_TYPOS / 2;
		write_capability(w->root, c, t);
		w->typo_files += t;
	}
	w->cap_files = files_written - w->manifest_files;
	w->entries = entry_count;
	w->bytes = bytes_written;
}

/* -------------------------------------------------------------- timing */

static void add_sources(cg_builder *b, const struct workload *w, cg_diag *d)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/plugins", w->root);
	cg_builder_add_plugins_dir(b, path, d);
	snprintf(path, sizeof(path), "%s/capabilities", w->root);
	cg_builder_add_capability_dir(b, path, d);
}

static void dump(const cg_diag *d, size_t max)
{
	for (size_t i = 0; i < cg_diag_count(d) && i < max; i++) {
		char *s = cg_diag_format(d, i);
		if (s)
			fputs(s, stderr);
		free(s);
	}
}

struct counts {
	int ret;
	size_t errors, warnings, notes;
};

/* The lint, end to end; returns milliseconds. */
static double time_lint(const struct workload *w, struct counts *out)
{
	double t0 = now_ns();
	cg_lint *l = NULL;
	cg_lint_new(&l);
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	if (!l || !d || !b) {
		fputs("out of memory\n", stderr);
		exit(2);
	}
	add_sources(b, w, d);
	int r = cg_lint_run(l, b, d);
	cg_builder_free(b);
	cg_lint_free(l);
	struct counts c = {r, 0, 0, 0};
	for (size_t i = 0; i < cg_diag_count(d); i++) {
		cg_severity s = cg_diag_severity(d, i);
		if (s == CG_SEV_ERROR)
			c.errors++;
		else if (s == CG_SEV_WARNING)
			c.warnings++;
		else
			c.notes++;
	}
	if (r < 0) {
		fprintf(stderr, "%s: cg_lint_run: %s\n", w->name, cg_strerror(r));
		dump(d, 5);
		exit(2);
	}
	cg_diag_free(d);
	double ms = (now_ns() - t0) / 1e6;
	if (out)
		*out = c;
	return ms;
}

/* The floor: load the same sources. Sets *ok to whether the build worked,
 * and *cmds to the policy's command count. */
static double time_build(const struct workload *w, int *ok, size_t *cmds, int verbose)
{
	double t0 = now_ns();
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	if (!d || !b) {
		fputs("out of memory\n", stderr);
		exit(2);
	}
	add_sources(b, w, d);
	cg_policy *p = NULL;
	int r = cg_builder_build(b, &p, d);
	if (r < 0 && verbose)
		dump(d, 5);
	*ok = r == 0;
	*cmds = p ? cg_policy_command_count(p) : 0;
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	return (now_ns() - t0) / 1e6;
}

struct result {
	double lint_med, lint_min, floor_med, floor_min;
	struct counts c;
	int builds;
	size_t cmds;
};

static void measure(const struct workload *w, struct result *res)
{
	int ok;
	/* The first runs warm the page cache and the allocator. */
	for (int i = 0; i < WARMUP; i++) {
		time_lint(w, &res->c);
		time_build(w, &ok, &res->cmds, 0);
	}
	res->builds = ok;
	double lt[RUNS], ft[RUNS];
	size_t cmds;
	for (int i = 0; i < RUNS; i++) {
		/* Interleaved, alternating which goes first, so that drift in
		 * the machine's load hits both alike. */
		if (i & 1) {
			ft[i] = time_build(w, &ok, &cmds, 0);
			lt[i] = time_lint(w, NULL);
		} else {
			lt[i] = time_lint(w, NULL);
			ft[i] = time_build(w, &ok, &cmds, 0);
		}
	}
	qsort(lt, RUNS, sizeof(double), cmp_d);
	qsort(ft, RUNS, sizeof(double), cmp_d);
	res->lint_med = lt[RUNS / 2];
	res->lint_min = lt[0];
	res->floor_med = ft[RUNS / 2];
	res->floor_min = ft[0];
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	have_tmpdir = 1;
	atexit(cleanup);

	struct workload w[2] = {{.name = "valid"}, {.name = "typo"}};
	write_workload(&w[0], 0);
	write_workload(&w[1], 1);
	free(buf.s);

	/* The valid variant must load, or the rules would not all run. */
	int ok;
	size_t cmds;
	time_build(&w[0], &ok, &cmds, 1);
	if (!ok) {
		fputs("bench_lint: the generated valid project does not load\n", stderr);
		return 2;
	}

	struct result r[2];
	for (int i = 0; i < 2; i++)
		measure(&w[i], &r[i]);
	r[1].cmds = r[0].cmds; /* the typo variant's build fails: same manifests */

	printf("capgate %s lint benchmark (%d plugins, %d capability files, %zu rules; median and min of %d runs)\n\n",
	       cg_version(), N_PLUGINS, N_CAPS, cg_lint_rule_count(), RUNS);
	printf("%-7s %5s %5s %6s %6s %6s %5s | %7s %5s %5s | %8s %8s %9s %9s %6s | %6s %4s\n", "variant",
	       "mfile", "caps", "cmds", "perms", "entrs", "typos", "errors", "warn", "notes", "lint ms",
	       "min", "floor ms", "min", "ratio", "target", "met");
	for (int i = 0; i < 2; i++)
		printf("%-7s %5d %5d %6zu %6d %6d %5d | %7zu %5zu %5zu | %8.2f %8.2f %9.2f %9.2f %5.2fx | %6.0f %4s\n",
		       w[i].name, w[i].manifest_files, w[i].cap_files, r[i].cmds, w[i].permissions,
		       w[i].entries, w[i].typo_files, r[i].c.errors, r[i].c.warnings, r[i].c.notes,
		       r[i].lint_med, r[i].lint_min, r[i].floor_med, r[i].floor_min,
		       r[i].lint_med / r[i].floor_med, TARGET_MS, r[i].lint_med <= TARGET_MS ? "yes" : "NO");
	printf("\nlint = cg_lint_new + builder with both directories + cg_lint_run + free (files read included);\n"
	       "floor = builder with both directories + cg_builder_build + free (%s in the typo variant).\n"
	       "lint / floor: valid %.2fx, typo %.2fx; typo / valid lint: %.2fx\n"
	       "target: lint of %d capability files with %d plugins' manifests <= %.0f ms\n\n",
	       r[1].builds ? "succeeds" : "fails", r[0].lint_med / r[0].floor_med,
	       r[1].lint_med / r[1].floor_med, r[1].lint_med / r[0].lint_med, N_CAPS, N_PLUGINS, TARGET_MS);

	printf("{\"benchmark\": \"lint\", \"version\": \"%s\", \"runs\": %d, \"rules\": %zu, \"target_ms\": %.0f, \"results\": [",
	       cg_version(), RUNS, cg_lint_rule_count(), TARGET_MS);
	for (int i = 0; i < 2; i++)
		printf("%s{\"variant\": \"%s\", \"plugins\": %d, \"manifest_files\": %d, \"capability_files\": %d,"
		       " \"commands\": %zu, \"permissions\": %d, \"entries\": %d, \"typo_files\": %d, \"bytes\": %zu,"
		       " \"errors\": %zu, \"warnings\": %zu, \"notes\": %zu, \"lint_ms\": %.2f, \"lint_min_ms\": %.2f,"
		       " \"floor_build_ms\": %.2f, \"floor_build_min_ms\": %.2f, \"floor_build_ok\": %s,"
		       " \"ratio\": %.2f, \"met\": %s}",
		       i ? ", " : "", w[i].name, N_PLUGINS, w[i].manifest_files, w[i].cap_files, r[i].cmds,
		       w[i].permissions, w[i].entries, w[i].typo_files, w[i].bytes, r[i].c.errors,
		       r[i].c.warnings, r[i].c.notes, r[i].lint_med, r[i].lint_min, r[i].floor_med,
		       r[i].floor_min, r[i].builds ? "true" : "false", r[i].lint_med / r[i].floor_med,
		       r[i].lint_med <= TARGET_MS ? "true" : "false");
	printf("]}\n");
	return 0;
}
