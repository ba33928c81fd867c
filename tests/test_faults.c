/* Robustness under faults: allocation failures at every allocation of
 * loading a policy, an app config and a reload; reloads with broken files
 * while other threads keep checking; a full disk under the decision log and
 * capability files that cannot be read.
 *
 * Allocation failures are injected through the linker (--wrap, see
 * Makefile.am): every malloc, calloc, realloc, strdup and strndup made by
 * the engine's objects (and by this file) goes through the __wrap_*
 * functions below. json-c's and GLib's allocations do not (g_malloc aborts
 * on failure anyway), nor do glibc's internal ones (vasprintf, scandir,
 * realpath). Injection is armed only around the code under test, and only
 * while one thread runs.
 *
 * Environment: CAPGATE_FAULT_TRACE=n prints where the n-th allocation of
 * each scenario is made (and fails); CAPGATE_FAULT_ALL=1 fails every
 * allocation under valgrind too, CAPGATE_FAULT_SAMPLE=1 only one per call
 * site; CAPGATE_RELOADS=n changes the 1,000 reloads. */
#include "testutil.h"
#include "seccomp/seccomp_conf.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <valgrind/valgrind.h>

/* ------------------------------------------------------ fault injection */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

enum {
	FI_OFF = 0,
	FI_ONCE = 1,   /* the n-th allocation fails */
	FI_FROM = 2,   /* the n-th and every later one fail */
	FI_COUNT = 3,  /* nothing fails; allocations are counted (and their call sites noted) */
};

static atomic_int fi_mode;
static atomic_long fi_target;  /* n */
static atomic_long fi_calls;   /* wrapped allocations since arming */
static atomic_long fi_fired;   /* allocations failed since arming */
static long fi_trace = -1;     /* $CAPGATE_FAULT_TRACE: print where the n-th allocation is */

/* Under valgrind not every allocation is failed, but every allocation
 * site: the counting run notes each allocation's call stack (hashed). */
#define FI_MAX_ALLOCS 65536
static uint64_t fi_site[FI_MAX_ALLOCS];
static atomic_int fi_note_sites;

static uint64_t call_site(void)
{
	void *bt[7];
	int k = backtrace(bt, 7);
	uint64_t h = 1469598103934665603u;
	/* bt[0] is this function, bt[1] fi_fail; from the wrapper on */
	for (int i = 2; i < k; i++) {
		h ^= (uint64_t)(uintptr_t)bt[i];
		h *= 1099511628211u;
	}
	return h;
}

static bool fi_fail(void)
{
	int mode = atomic_load(&fi_mode);
	if (mode == FI_OFF)
		return false;
	long n = atomic_fetch_add(&fi_calls, 1) + 1, t = atomic_load(&fi_target);
	if (n == fi_trace && (mode == FI_COUNT || n == t)) {
		void *bt[32];
		fprintf(stderr, "--- allocation %ld (%s) from:\n", n, mode == FI_COUNT ? "counted" : "failed");
		backtrace_symbols_fd(bt, backtrace(bt, 32), 2);
	}
	if (mode == FI_COUNT) {
		if (atomic_load(&fi_note_sites) && n <= FI_MAX_ALLOCS)
			fi_site[n - 1] = call_site();
		return false;
	}
	if (n == t || (mode == FI_FROM && n > t)) {
		atomic_fetch_add(&fi_fired, 1);
		errno = ENOMEM;
		return true;
	}
	return false;
}

void *__wrap_malloc(size_t n) { return fi_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return fi_fail() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return fi_fail() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fi_fail() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return fi_fail() ? NULL : __real_strndup(s, n); }

/* Arms injection (call only while one thread runs). */
static void fi_arm(int mode, long n)
{
	atomic_store(&fi_calls, 0);
	atomic_store(&fi_fired, 0);
	atomic_store(&fi_target, n);
	atomic_store(&fi_mode, mode);
}

static void fi_disarm(void) { atomic_store(&fi_mode, FI_OFF); }
static long fi_count(void) { return atomic_load(&fi_calls); }
static long fi_failed(void) { return atomic_load(&fi_fired); }

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ temp dirs */

static void write_at(const char *dir, const char *name, const char *text)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void make_dir(const char *dir, const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(mkdir(path, 0700), 0);
}

static void remove_tree(const char *dir)
{
	char cmd[1100];
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void make_tmp(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/cg-faults-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

/* The index of the first diagnostic whose file ends with name, or -1. */
static int diag_file_index(const cg_diag *d, const char *name)
{
	size_t m = strlen(name);
	for (size_t i = 0; i < cg_diag_count(d); i++) {
		const char *f = cg_diag_file(d, i);
		size_t n = f ? strlen(f) : 0;
		if (f && n >= m && strcmp(f + n - m, name) == 0 && (n == m || f[n - m - 1] == '/'))
			return (int)i;
	}
	return -1;
}

static bool diag_has_code(const cg_diag *d, int code)
{
	for (size_t i = 0; i < cg_diag_count(d); i++)
		if (cg_diag_code(d, i) == code)
			return true;
	return false;
}

/* ------------------------------------------------------- the input set */

/* Two plugins with permissions, scopes, sets and defaults; the app's own
 * manifest with a set over declared commands; capabilities with windows,
 * webviews, remote URLs, platforms and inline scopes, in the three file
 * forms (one, an array, {"capabilities": [...]}). */
static const char *FS_PERMS =
	"{\"permission\": ["
	" {\"identifier\": \"allow-read-file\", \"description\": \"Read a file.\", \"commands\": {\"allow\": [\"read_file\"]}},"
	" {\"identifier\": \"allow-read-dir\", \"commands\": {\"allow\": [\"read_dir\"]}},"
	" {\"identifier\": \"allow-write-file\", \"description\": \"Write a file.\", \"commands\": {\"allow\": [\"write_file\"]}},"
	" {\"identifier\": \"deny-write-file\", \"commands\": {\"deny\": [\"write_file\"]}},"
	" {\"identifier\": \"scope-home\", \"description\": \"The home directory.\","
	"  \"scope\": {\"allow\": [{\"path\": \"$HOME/**\"}], \"deny\": [{\"path\": \"$HOME/.ssh/**\"}]}},"
	" {\"identifier\": \"mac-only\", \"platforms\": [\"macOS\"], \"commands\": {\"allow\": [\"reveal\"]}}"
	"]}";
static const char *FS_SETS =
	"{\"default\": {\"description\": \"Read files at home.\", \"permissions\": [\"allow-read-file\", \"scope-home\"]},"
	" \"set\": ["
	"  {\"identifier\": \"read-all\", \"description\": \"Read everything.\","
	"   \"permissions\": [\"allow-read-file\", \"allow-read-dir\", \"scope-home\"]},"
	"  {\"identifier\": \"write-all\", \"description\": \"Read and write.\","
	"   \"permissions\": [\"allow-write-file\", \"read-all\"]}]}";
static const char *HTTP =
	"{\"default\": {\"permissions\": [\"allow-fetch\"]},"
	" \"permission\": ["
	"  {\"identifier\": \"allow-fetch\", \"commands\": {\"allow\": [\"fetch\", \"fetch_send\"]},"
	"   \"scope\": {\"allow\": [{\"url\": \"https://api.example.com/*\"}]}},"
	"  {\"identifier\": \"allow-fetch-cancel\", \"commands\": {\"allow\": [\"fetch_cancel\"]}},"
	"  {\"identifier\": \"deny-fetch\", \"commands\": {\"deny\": [\"fetch\"]}}],"
	" \"set\": [{\"identifier\": \"all\", \"description\": \"Every request.\","
	"           \"permissions\": [\"allow-fetch\", \"allow-fetch-cancel\"]}]}";
static const char *APP =
	"{\"set\": [{\"identifier\": \"editor-basics\", \"description\": \"Greet and save.\","
	"           \"permissions\": [\"allow-greet\", \"allow-save-doc\"]}]}";

/* For the directory form: the few core:* permissions the capabilities
 * use, as a plugins directory's core/ (they replace the built-in ones). */
static const char *MINI_CORE =
	"{\"default\": {\"permissions\": [\"core:event:default\", \"core:window:default\","
	" \"core:webview:default\", \"core:app:default\"]}}";
static const char *MINI_EVENT =
	"{\"default\": {\"permissions\": [\"allow-listen\", \"allow-unlisten\", \"allow-emit\", \"allow-emit-to\"]},"
	" \"permission\": [{\"identifier\": \"allow-listen\", \"commands\": {\"allow\": [\"listen\"]}},"
	"  {\"identifier\": \"allow-unlisten\", \"commands\": {\"allow\": [\"unlisten\"]}},"
	"  {\"identifier\": \"allow-emit\", \"commands\": {\"allow\": [\"emit\"]}},"
	"  {\"identifier\": \"allow-emit-to\", \"commands\": {\"allow\": [\"emit_to\"]}}]}";
static const char *MINI_WINDOW =
	"{\"default\": {\"permissions\": [\"allow-is-visible\"]},"
	" \"permission\": [{\"identifier\": \"allow-is-visible\", \"commands\": {\"allow\": [\"is_visible\"]}},"
	"  {\"identifier\": \"allow-close\", \"commands\": {\"allow\": [\"close\"]}}]}";
static const char *MINI_WEBVIEW =
	"{\"default\": {\"permissions\": [\"allow-webview-size\"]},"
	" \"permission\": [{\"identifier\": \"allow-webview-size\", \"commands\": {\"allow\": [\"webview_size\"]}}]}";
static const char *MINI_APP =
	"{\"default\": {\"permissions\": [\"allow-version\"]},"
	" \"permission\": [{\"identifier\": \"allow-version\", \"commands\": {\"allow\": [\"version\"]}}]}";

static const char *CAP_MAIN =
	"{\n \"identifier\": \"main\", \"description\": \"The main window.\",\n"
	" \"windows\": [\"main\", \"editor-*\"],\n"
	" \"permissions\": [\"core:default\", \"fs:default\", \"editor-basics\", \"http:all\",\n"
	"  {\"identifier\": \"fs:allow-write-file\", \"allow\": [{\"path\": \"$DOC/**\"}], \"deny\": [{\"path\": \"$DOC/secret\"}]},\n"
	"  {\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"doc-*\"}]},\n"
	"  \"core:window:allow-close\"]\n}";
static const char *CAP_REMOTE =
	"{\"identifier\": \"remote\", \"local\": false, \"windows\": [\"main\"],"
	" \"remote\": {\"urls\": [\"https://*.example.com\", \"https://app.example.org/ui/*\"]},"
	" \"permissions\": [\"allow-greet\", \"fs:allow-read-file\", \"fs:deny-write-file\","
	"   {\"identifier\": \"http:allow-fetch\", \"allow\": [{\"url\": \"https://cdn.example.com/*\"}]}]}";
static const char *CAP_MORE =
	"[{\"identifier\": \"preview\", \"webviews\": [\"preview\", \"thumb-*\"], \"platforms\": [\"linux\", \"windows\"],"
	"  \"permissions\": [\"fs:read-all\", \"core:webview:default\"]},"
	" {\"identifier\": \"viewer\", \"windows\": [\"viewer\"],"
	"  \"permissions\": [\"fs:write-all\", \"fs:deny-write-file\", {\"identifier\": \"fs:scope-home\", \"deny\": [{\"path\": \"$HOME/private\"}]}]}]";
static const char *CAP_WRAPPED =
	"{\"capabilities\": ["
	" {\"identifier\": \"mobile\", \"platforms\": [\"android\"], \"windows\": [\"*\"], \"permissions\": [\"allow-delete-all\"]},"
	" {\"identifier\": \"settings\", \"windows\": [\"settings\"], \"permissions\": [\"core:app:default\", \"allow-greet\","
	"   {\"identifier\": \"core:event:allow-emit\", \"allow\": [{\"event\": \"settings:*\"}]}]}]}";

static const char *const COMMANDS[] = {"greet", "save_doc", "delete_all", NULL};

#define STEP(x) do { if ((r = (x)) < 0 && ret == 0) ret = r; } while (0)

/* Sources from memory, with capgate's built-in core manifests. Returns
 * the first failure of any step. */
static int setup_json(cg_builder *b, cg_diag *d)
{
	int ret = 0, r;
	STEP(cg_builder_add_manifest_json(b, "fs", "fs-perms.json", FS_PERMS, strlen(FS_PERMS), d));
	STEP(cg_builder_add_manifest_json(b, "fs", "fs-sets.json", FS_SETS, strlen(FS_SETS), d));
	STEP(cg_builder_add_manifest_json(b, "http", "http.json", HTTP, strlen(HTTP), d));
	STEP(cg_builder_add_manifest_json(b, NULL, "app.json", APP, strlen(APP), d));
	for (int i = 0; COMMANDS[i]; i++)
		STEP(cg_builder_declare_command(b, NULL, COMMANDS[i]));
	STEP(cg_builder_add_capability_json(b, "main.json", CAP_MAIN, strlen(CAP_MAIN), d));
	STEP(cg_builder_add_capability_json(b, "remote.json", CAP_REMOTE, strlen(CAP_REMOTE), d));
	STEP(cg_builder_add_capability_json(b, "more.json", CAP_MORE, strlen(CAP_MORE), d));
	STEP(cg_builder_add_capability_json(b, "wrapped.json", CAP_WRAPPED, strlen(CAP_WRAPPED), d));
	return ret;
}

static char srcdir_tmp[256]; /* the same sources as files */

static void write_source_tree(const char *dir)
{
	static const char *const dirs[] = {"plugins", "plugins/fs", "plugins/fs/more", "plugins/http",
					   "plugins/app", "plugins/core", "plugins/core/event",
					   "plugins/core/window", "plugins/core/webview", "plugins/core/app",
					   "caps", "caps/remote", NULL};
	for (int i = 0; dirs[i]; i++)
		make_dir(dir, dirs[i]);
	write_at(dir, "plugins/fs/fs-perms.json", FS_PERMS);
	write_at(dir, "plugins/fs/more/fs-sets.json", FS_SETS);
	write_at(dir, "plugins/http/http.json", HTTP);
	write_at(dir, "plugins/app/app.json", APP);
	write_at(dir, "plugins/core/core.json", MINI_CORE);
	write_at(dir, "plugins/core/event/event.json", MINI_EVENT);
	write_at(dir, "plugins/core/window/window.json", MINI_WINDOW);
	write_at(dir, "plugins/core/webview/webview.json", MINI_WEBVIEW);
	write_at(dir, "plugins/core/app/app.json", MINI_APP);
	write_at(dir, "caps/main.json", CAP_MAIN);
	write_at(dir, "caps/remote/remote.json", CAP_REMOTE);
	write_at(dir, "caps/more.json", CAP_MORE);
	write_at(dir, "caps/wrapped.json", CAP_WRAPPED);
	write_at(dir, "caps/README.md", "not a capability\n");
}

/* The same from directories, the core:* manifests included (so the
 * built-in ones are off: they are covered by setup_json). */
static int setup_dirs(cg_builder *b, cg_diag *d)
{
	char p[512];
	int ret = 0, r;
	STEP(cg_builder_use_builtin_core(b, 0));
	snprintf(p, sizeof(p), "%s/plugins", srcdir_tmp);
	STEP(cg_builder_add_plugins_dir(b, p, d));
	for (int i = 0; COMMANDS[i]; i++)
		STEP(cg_builder_declare_command(b, NULL, COMMANDS[i]));
	snprintf(p, sizeof(p), "%s/caps", srcdir_tmp);
	STEP(cg_builder_add_capability_dir(b, p, d));
	return ret;
}
#undef STEP

typedef int (*setup_fn)(cg_builder *b, cg_diag *d);

static bool builder_made; /* the last load_policy got as far as a builder */

/* Builder set-up and build, as one unit under test. */
static int load_policy(setup_fn setup, cg_policy **out, cg_diag *d)
{
	*out = NULL;
	cg_builder *b = cg_builder_new();
	builder_made = b != NULL;
	if (!b)
		return CG_ENOMEM;
	int r = setup(b, d);
	int rb = cg_builder_build(b, out, d);
	cg_builder_free(b);
	return r < 0 ? r : rb;
}

/* --------------------------------------------------- expected decisions */

struct expect {
	const char *window, *webview, *url, *command;
	int allowed;
};

static const struct expect EXPECT[] = {
	{"main", "main", NULL, "plugin:fs|read_file", 1},
	{"main", "main", NULL, "plugin:fs|write_file", 1},
	{"main", "main", NULL, "plugin:fs|read_dir", 0},
	{"main", "main", NULL, "greet", 1},
	{"main", "main", NULL, "save_doc", 1},
	{"main", "main", NULL, "delete_all", 0},
	{"main", "main", NULL, "plugin:http|fetch", 1},
	{"main", "main", NULL, "plugin:http|fetch_cancel", 1},
	{"main", "main", NULL, "plugin:window|close", 1},
	{"main", "main", NULL, "plugin:window|is_visible", 1},
	{"main", "main", NULL, "plugin:event|listen", 1},
	{"main", "main", NULL, "plugin:fs|reveal", 0},
	{"editor-2", "editor-2", NULL, "greet", 1},
	{"main", "main", "https://a.example.com/x", "greet", 1},
	{"main", "main", "https://a.example.com/x", "save_doc", 0},
	{"main", "main", "https://a.example.com/x", "plugin:fs|read_file", 1},
	{"main", "main", "https://a.example.com/x", "plugin:fs|write_file", 0},
	{"main", "main", "https://a.example.com/x", "plugin:http|fetch", 1},
	{"main", "main", "https://a.example.com/x", "plugin:window|close", 0},
	{"main", "main", "https://app.example.org/ui/page", "greet", 1},
	{"main", "main", "https://app.example.org/other", "greet", 0},
	{"main", "main", "https://evil.test/", "greet", 0},
	{"other", "preview", NULL, "plugin:fs|read_dir", 1},
	{"other", "thumb-3", NULL, "plugin:fs|read_file", 1},
	{"other", "preview", NULL, "plugin:fs|write_file", 0},
	{"other", "other", NULL, "plugin:fs|read_file", 0},
	{"viewer", "viewer", NULL, "plugin:fs|write_file", 0},
	{"viewer", "viewer", NULL, "plugin:fs|read_dir", 1},
	{"settings", "settings", NULL, "plugin:app|version", 1},
	{"settings", "settings", NULL, "greet", 1},
	{"settings", "settings", NULL, "delete_all", 0},
	{"settings", "settings", NULL, "plugin:event|listen", 0},
	{"nobody", "nobody", NULL, "greet", 0},
	{"main", "main", NULL, "no_such_command", 0},
};
#define N_EXPECT (sizeof(EXPECT) / sizeof(EXPECT[0]))

static char *plain(json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	return strdup(s ? s : "(null)");
}

/* Every answer of the policy that matters, as one text: counts, every
 * permission with its description, the decisions above with their
 * reasons, scopes and explanations (files, lines, columns), event checks,
 * and the whole permission matrix. Two policies built from the same
 * sources give the same text; a policy that lost anything does not. */
static char *fingerprint(cg_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	fprintf(f, "caps %zu cmds %zu perms %zu platform %s\n", cg_policy_capability_count(p),
		cg_policy_command_count(p), cg_policy_permission_count(p), cg_policy_platform(p));
	for (size_t i = 0; i < cg_policy_permission_count(p); i++)
		fprintf(f, "perm %s: %s\n", cg_policy_permission_id(p, i), cg_policy_permission_description(p, i));
	for (size_t i = 0; i < N_EXPECT; i++) {
		const struct expect *x = &EXPECT[i];
		cg_subject *s = NULL;
		ck_assert_int_eq(cg_subject_new(p, x->window, x->webview, x->url, &s), 0);
		cg_decision dc;
		int r = cg_check_command(s, x->command, &dc);
		char *why = cg_decision_reason(&dc), *ex = cg_decision_explain(&dc);
		json_object *cs = cg_decision_command_scope(&dc), *gs = cg_decision_global_scope(&dc);
		char *css = plain(cs), *gss = plain(gs);
		fprintf(f, "%s/%s/%s %s: r=%d allowed=%d reason=%d\n  %s\n  %s\n  %s\n  %s\n", x->window,
			x->webview, x->url ? x->url : "local", x->command, r, dc.allowed, (int)dc.reason,
			why ? why : "(null)", css, gss, ex ? ex : "(null)");
		free(why);
		free(ex);
		free(css);
		free(gss);
		json_object_put(cs);
		json_object_put(gs);
		cg_decision ev;
		r = cg_check_event(s, CG_EVENT_LISTEN, "doc-saved", &ev);
		fprintf(f, "  listen doc-saved: r=%d %d %d\n", r, ev.allowed, (int)ev.reason);
		r = cg_check_event(s, CG_EVENT_EMIT, "settings:theme", &ev);
		fprintf(f, "  emit settings:theme: r=%d %d %d\n", r, ev.allowed, (int)ev.reason);
		cg_subject_free(s);
	}
	static const char *const labels[] = {"main", "viewer", "settings", "extra"};
	json_object *m = NULL;
	ck_assert_int_eq(cg_policy_audit(p, labels, 4, &m), 0);
	ck_assert_ptr_nonnull(m);
	char *ms = plain(m);
	fprintf(f, "matrix %s\n", ms);
	free(ms);
	json_object_put(m);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void scope_is(const cg_decision *dc, bool global, const char *want)
{
	json_object *o = global ? cg_decision_global_scope(dc) : cg_decision_command_scope(dc);
	char *s = plain(o);
	ck_assert_str_eq(s, want);
	free(s);
	json_object_put(o);
}

/* The decisions the sources mean, checked one by one (the reference the
 * fingerprints are compared with must itself be right). */
static void check_expected(cg_policy *p)
{
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(cg_policy_capability_count(p), 6);
	for (size_t i = 0; i < N_EXPECT; i++) {
		const struct expect *x = &EXPECT[i];
		cg_decision dc;
		ck_assert_int_eq(cg_check_str(p, x->window, x->webview, x->url, x->command, &dc), 0);
		ck_assert_msg(dc.allowed == x->allowed, "%s/%s/%s %s: allowed %d, expected %d", x->window,
			      x->webview, x->url ? x->url : "local", x->command, dc.allowed, x->allowed);
	}
	cg_subject *s = NULL;
	cg_decision dc;
	ck_assert_int_eq(cg_subject_new(p, "main", "main", NULL, &s), 0);
	ck_assert_int_eq(cg_check_command(s, "plugin:fs|write_file", &dc), 0);
	scope_is(&dc, false, "{\"allow\":[{\"path\":\"$DOC/**\"}],\"deny\":[{\"path\":\"$DOC/secret\"}]}");
	/* fs:default's scope-home belongs to its set: it scopes read_file,
	 * and is no global scope. */
	scope_is(&dc, true, "{\"allow\":[],\"deny\":[]}");
	ck_assert_int_eq(cg_check_command(s, "plugin:fs|read_file", &dc), 0);
	scope_is(&dc, false, "{\"allow\":[{\"path\":\"$HOME/**\"}],\"deny\":[{\"path\":\"$HOME/.ssh/**\"}]}");
	ck_assert_int_eq(cg_check_event(s, CG_EVENT_LISTEN, "doc-saved", &dc), 0);
	ck_assert(dc.allowed);
	cg_subject_free(s);
	ck_assert_int_eq(cg_subject_new(p, "main", "main", "https://a.example.com/", &s), 0);
	ck_assert_int_eq(cg_check_command(s, "plugin:http|fetch", &dc), 0);
	scope_is(&dc, false, "{\"allow\":[{\"url\":\"https://cdn.example.com/*\"},{\"url\":\"https://api.example.com/*\"}],\"deny\":[]}");
	cg_subject_free(s);
	ck_assert_int_eq(cg_subject_new(p, "settings", NULL, NULL, &s), 0);
	ck_assert_int_eq(cg_check_event(s, CG_EVENT_EMIT, "settings:theme", &dc), 0);
	ck_assert(dc.allowed);
	ck_assert_int_eq(cg_check_event(s, CG_EVENT_EMIT, "doc-saved", &dc), 0);
	ck_assert(!dc.allowed);
	ck_assert_int_eq(dc.reason, CG_REASON_EVENT_SCOPE);
	cg_subject_free(s);
	ck_assert_int_eq(cg_check_str(p, "viewer", NULL, NULL, "plugin:fs|write_file", &dc), 0);
	ck_assert_int_eq(dc.reason, CG_REASON_DENY_RULE);
	/* a scope-only permission granted directly is global */
	ck_assert_int_eq(cg_check_str(p, "viewer", NULL, NULL, "plugin:fs|read_dir", &dc), 0);
	scope_is(&dc, true, "{\"allow\":[{\"path\":\"$HOME/**\"}],\"deny\":[{\"path\":\"$HOME/private\"},{\"path\":\"$HOME/.ssh/**\"}]}");
}

/* ------------------------------------------------ 1. allocation failures */

/*
 * One scenario: code under test (run, armed) and what a run must leave
 * behind: a whole result when it succeeded (ok), a clean failure when it
 * did not (failed). ok and failed run disarmed and release the result.
 */
struct scenario {
	const char *what;
	void *ctx;
	int (*run)(void *ctx, cg_diag *d);
	void (*ok)(void *ctx, long n, int mode, long failed);
	void (*failed)(void *ctx, int r, long n, int mode, cg_diag *d);
};

struct fault_stats {
	long allocs;       /* wrapped allocations of a clean run */
	long tested;       /* values of n tried per pass */
	long runs[2];      /* runs that failed, per pass */
	long tolerated[2]; /* runs that succeeded although allocations failed */
	double secs;
};

/* Signatures seen, for sampling by call site. */
#define SEEN_SLOTS (1 << 17)
static uint64_t seen[SEEN_SLOTS];

static bool first_seen(uint64_t h)
{
	h |= 1; /* 0 marks a free slot */
	for (size_t i = (size_t)(h >> 7) & (SEEN_SLOTS - 1);; i = (i + 1) & (SEEN_SLOTS - 1)) {
		if (seen[i] == h)
			return false;
		if (!seen[i]) {
			seen[i] = h;
			return true;
		}
	}
}

/*
 * Counts the allocations of a clean run (N), then runs the scenario with
 * the n-th allocation failing (FI_ONCE) and, in a second pass, with every
 * allocation from the n-th on failing (FI_FROM), for n = 1 ... N, and
 * finally with n = N + 1, which must succeed with nothing failed. Under
 * valgrind (some 30 times slower), when N is over 2,000 (the built-in
 * core manifests), n takes only the first allocation of each call site
 * (the allocating function and its four callers), unless
 * $CAPGATE_FAULT_ALL is set (14 minutes); every n is still checked for
 * leaks by ASan builds.
 */
static void fault_loop(const struct scenario *sc, struct fault_stats *st)
{
	double t0 = now_s();
	bool sample = (RUNNING_ON_VALGRIND && !getenv("CAPGATE_FAULT_ALL")) || getenv("CAPGATE_FAULT_SAMPLE");
	cg_diag *d = cg_diag_new();
	atomic_store(&fi_note_sites, sample);
	fi_arm(FI_COUNT, 0);
	int r = sc->run(sc->ctx, d);
	long total = fi_count();
	fi_disarm();
	atomic_store(&fi_note_sites, 0);
	if (total <= 2000 && !getenv("CAPGATE_FAULT_SAMPLE"))
		sample = false;
	if (r < 0)
		dump_diag(d);
	ck_assert_int_eq(r, 0);
	sc->ok(sc->ctx, 0, FI_COUNT, 0);
	cg_diag_free(d);
	ck_assert_int_gt(total, 0);
	ck_assert_msg(!sample || total <= FI_MAX_ALLOCS, "%ld allocations: raise FI_MAX_ALLOCS", total);

	long *ns = malloc((size_t)(total + 1) * sizeof(long)), nn = 0;
	ck_assert_ptr_nonnull(ns);
	memset(seen, 0, sizeof(seen));
	for (long n = 1; n <= total; n++)
		if (!sample || first_seen(fi_site[n - 1]))
			ns[nn++] = n;
	ns[nn++] = total + 1;
	memset(st, 0, sizeof(*st));
	st->allocs = total;
	st->tested = nn - 1;

	for (int mode = FI_ONCE; mode <= FI_FROM; mode++) {
		for (long i = 0; i < nn; i++) {
			long n = ns[i];
			d = cg_diag_new();
			ck_assert_ptr_nonnull(d);
			fi_arm(mode, n);
			r = sc->run(sc->ctx, d);
			long calls = fi_count(), failed = fi_failed();
			fi_disarm();
			if (n > total)
				ck_assert_msg(r == 0 && failed == 0 && calls == total,
					      "%s: the clean run after the loop: r=%d, %ld allocations (%ld before)",
					      sc->what, r, calls, total);
			if (r == 0) {
				/* Whatever failed on the way (a dropped diagnostic,
				 * say) must not show in any answer. */
				sc->ok(sc->ctx, n, mode, failed);
				st->tolerated[mode - 1] += failed > 0;
			} else {
				ck_assert_msg(failed > 0, "%s: n=%ld: failed (%d, %s) without an injected failure",
					      sc->what, n, r, cg_strerror(r));
				ck_assert_int_lt(r, 0);
				sc->failed(sc->ctx, r, n, mode, d);
				st->runs[mode - 1]++;
			}
			cg_diag_free(d);
		}
	}
	free(ns);
	st->secs = now_s() - t0;
	fprintf(stderr, "faults: %s: %ld allocations; %s%ld values of n: %ld+%ld runs failed cleanly "
		"(one / from the n-th on), %ld+%ld succeeded with the same answers despite a failed "
		"allocation; %.1f s\n", sc->what, st->allocs, sample ? "sampled by call site, " : "",
		st->tested, st->runs[0], st->runs[1], st->tolerated[0], st->tolerated[1], st->secs);
	/* Most allocations must matter: a loop that injected nothing
	 * would test nothing. */
	ck_assert_int_ge(st->runs[0], st->tested / 2);
	ck_assert_int_ge(st->runs[1], st->tested / 2);
}

/* -------------------------------------------------- policy scenarios */

struct policy_ctx {
	setup_fn setup;
	char *ref;       /* the reference fingerprint */
	cg_policy *p;
};

static int policy_run(void *vc, cg_diag *d)
{
	struct policy_ctx *c = vc;
	c->p = (cg_policy *)c; /* must be overwritten */
	return load_policy(c->setup, &c->p, d);
}

static void policy_ok(void *vc, long n, int mode, long failed)
{
	struct policy_ctx *c = vc;
	ck_assert_ptr_nonnull(c->p);
	char *fp = fingerprint(c->p);
	ck_assert_msg(strcmp(fp, c->ref) == 0,
		      "n=%ld mode=%d: a policy built with %ld failed allocation(s) answers differently", n, mode, failed);
	free(fp);
	cg_policy_unref(c->p);
	c->p = NULL;
}

static void policy_failed(void *vc, int r, long n, int mode, cg_diag *d)
{
	struct policy_ctx *c = vc;
	ck_assert_msg(c->p == NULL, "n=%ld mode=%d: failed (%d) but made a policy", n, mode, r);
	/* The first step that failed says why; every step is checked, so
	 * this is never the CG_ESTATE of a build after a failed source. */
	ck_assert_msg(r == CG_ENOMEM, "n=%ld mode=%d: failed with %d (%s), not CG_ENOMEM", n, mode, r, cg_strerror(r));
	if (builder_made) {
		/* d says why: an entry (or at least the count, when the
		 * entries themselves could not be made) */
		ck_assert_msg(cg_diag_error_count(d) > 0, "n=%ld mode=%d: no error in the diagnostics", n, mode);
		if (mode == FI_ONCE)
			ck_assert_msg(diag_has_code(d, CG_ENOMEM), "n=%ld: no out-of-memory diagnostic", n);
	}
}

static void run_policy_faults(setup_fn setup, const char *what)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = NULL;
	int r = load_policy(setup, &p, d);
	if (r < 0)
		dump_diag(d);
	ck_assert_int_eq(r, 0);
	ck_assert_uint_eq(cg_diag_count(d), 0);
	cg_diag_free(d);
	check_expected(p);
	struct policy_ctx c = {setup, fingerprint(p), NULL};
	cg_policy_unref(p);

	struct scenario sc = {what, &c, policy_run, policy_ok, policy_failed};
	struct fault_stats st;
	fault_loop(&sc, &st);
	ck_assert_int_gt(st.allocs, 500);

	/* Nothing global was damaged: a normal build answers as before. */
	ck_assert_int_eq(load_policy(setup, &p, NULL), 0);
	check_expected(p);
	char *fp = fingerprint(p);
	ck_assert_str_eq(fp, c.ref);
	free(fp);
	cg_policy_unref(p);
	free(c.ref);
}

START_TEST(alloc_fail_policy_json)
{
	run_policy_faults(setup_json, "policy from JSON texts + built-in core");
}
END_TEST

START_TEST(alloc_fail_policy_dirs)
{
	make_tmp(srcdir_tmp, sizeof(srcdir_tmp));
	write_source_tree(srcdir_tmp);
	run_policy_faults(setup_dirs, "policy from plugin and capability directories");
	remove_tree(srcdir_tmp);
}
END_TEST

/* ------------------------------------------------------ app config */

static const char *CONFIG =
	"{\n"
	" \"$schema\": \"https://example.com/app.schema.json\",\n"
	" \"name\": \"Faulty\", \"version\": \"1.2.3\", \"identifier\": \"org.example.faulty\",\n"
	" \"frontend\": \"dist\",\n"
	" \"windows\": [\n"
	"  {\"label\": \"main\", \"title\": \"Main\", \"url\": \"index.html\", \"width\": 1024, \"height\": 700, \"visible\": true},\n"
	"  {\"label\": \"viewer\"},\n"
	"  {\"label\": \"docs\", \"url\": \"https://docs.example.com/\", \"visible\": false}\n"
	" ],\n"
	" \"security\": {\n"
	"  \"pattern\": {\"use\": \"isolation\", \"options\": {\"dir\": \"isolation\"}},\n"
	"  \"csp\": \"default-src 'self'; connect-src ipc: http://ipc.localhost\",\n"
	"  \"capabilities\": \"capabilities\", \"permissions\": \"/opt/perms\",\n"
	"  \"navigation\": [\"https://docs.example.com/*\", \"https://*.example.org\"],\n"
	"  \"frames\": [\"https://frames.example.com\"],\n"
	"  \"limits\": {\"message_size\": 1048576, \"depth\": 32, \"string\": 65536, \"pending\": 64,\n"
	"             \"listeners\": 128, \"workers\": 2, \"windows\": 8, \"binary_in_flight\": 134217728},\n"
	"  \"seccomp\": {\"enabled\": true, \"action\": \"kill\", \"exec\": false, \"network\": true,\n"
	"              \"allow\": [\"@personality\"], \"deny\": [\"chmod\", \"fchmodat\"]}\n"
	" }\n"
	"}\n";

static char *config_fingerprint(const cg_appconfig *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
#define S(x) ((x) ? (x) : "(null)")
	fprintf(f, "name %s version %s id %s\n", S(cg_appconfig_name(c)), S(cg_appconfig_version(c)),
		S(cg_appconfig_identifier(c)));
	fprintf(f, "frontend %s caps %s perms %s iso %s\n", S(cg_appconfig_frontend_dir(c)),
		S(cg_appconfig_capabilities_dir(c)), S(cg_appconfig_permissions_dir(c)),
		S(cg_appconfig_isolation_dir(c)));
	fprintf(f, "pattern %s csp %s\n", S(cg_appconfig_pattern(c)), S(cg_appconfig_csp(c)));
	for (size_t i = 0; i < cg_appconfig_window_count(c); i++) {
		const cg_window_config *w = cg_appconfig_window(c, i);
		fprintf(f, "window %s %s %s %d %d %d\n", S(w->label), S(w->title), S(w->url), w->width,
			w->height, w->visible);
	}
	static const char *const urls[] = {"https://docs.example.com/a", "https://x.example.org/",
					   "https://frames.example.com/f", "https://evil.test/", NULL};
	for (int i = 0; urls[i]; i++)
		fprintf(f, "%s nav %d frame %d\n", urls[i], cg_appconfig_navigation_allowed(c, urls[i]),
			cg_appconfig_frame_allowed(c, urls[i]));
	fprintf(f, "frames %zu\n", cg_appconfig_frames_count(c));
	for (int i = 0; i <= CG_RLIMIT_WORKERS; i++)
		fprintf(f, "limit %d %zu\n", i, cg_appconfig_limit(c, (cg_router_limit)i));
	fprintf(f, "windows limit %zu\n", cg_appconfig_window_limit(c));
	fprintf(f, "binary in flight %zu\n", cg_appconfig_binary_in_flight(c));
	const cg_seccomp_conf *sc = cg_appconfig_seccomp_conf(c);
	fprintf(f, "seccomp written %d enabled %d action %d exec %d network %d file %s\n", sc->written,
		sc->enabled, sc->action, sc->exec, sc->network, S(sc->file));
	for (size_t i = 0; i < sc->n_allow; i++)
		fprintf(f, "allow %s\n", S(sc->allow[i]));
	for (size_t i = 0; i < sc->n_deny; i++)
		fprintf(f, "deny %s\n", S(sc->deny[i]));
#undef S
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* Where security.seccomp's settings are, for lint. */
static void seccomp_positions(const cg_appconfig *c, cg_conf_pos out[6])
{
	const cg_seccomp_conf *sc = cg_appconfig_seccomp_conf(c);
	out[0] = sc->at;
	out[1] = sc->at_enabled;
	out[2] = sc->at_action;
	out[3] = sc->at_exec;
	out[4] = sc->at_network;
	out[5] = sc->at_allow;
}

struct config_ctx {
	char path[512];
	char *ref;
	cg_conf_pos ref_pos[6];
	long lost_pos;   /* runs that lost a seccomp position */
	cg_appconfig *c;
};

static int config_run(void *vc, cg_diag *d)
{
	struct config_ctx *x = vc;
	x->c = (cg_appconfig *)x;
	return cg_appconfig_load(x->path, &x->c, d);
}

static void config_ok(void *vc, long n, int mode, long failed)
{
	struct config_ctx *x = vc;
	ck_assert_ptr_nonnull(x->c);
	char *fp = config_fingerprint(x->c);
	ck_assert_msg(strcmp(fp, x->ref) == 0, "n=%ld mode=%d: loaded with %ld failed allocation(s) but differs:\n%s\nexpected:\n%s",
		      n, mode, failed, fp, x->ref);
	free(fp);
	/* Known: seccomp_conf.c's pos() drops a position (0:0, "unknown")
	 * when its pointer cannot be made; only lint's messages use them.
	 * Any other change is wrong. */
	cg_conf_pos pos[6];
	seccomp_positions(x->c, pos);
	bool lost = false;
	for (int i = 0; i < 6; i++) {
		bool same = pos[i].line == x->ref_pos[i].line && pos[i].col == x->ref_pos[i].col;
		ck_assert_msg(same || (pos[i].line == 0 && pos[i].col == 0),
			      "n=%ld mode=%d: seccomp position %d is %u:%u, not %u:%u", n, mode, i, pos[i].line,
			      pos[i].col, x->ref_pos[i].line, x->ref_pos[i].col);
		lost |= !same;
	}
	x->lost_pos += lost;
	cg_appconfig_free(x->c);
	x->c = NULL;
}

static void config_failed(void *vc, int r, long n, int mode, cg_diag *d)
{
	struct config_ctx *x = vc;
	ck_assert_msg(x->c == NULL, "n=%ld mode=%d: failed (%d) but made a config", n, mode, r);
	ck_assert_msg(r == CG_ENOMEM, "n=%ld mode=%d: failed with %d (%s), not CG_ENOMEM", n, mode, r, cg_strerror(r));
}

/* limits.binary_in_flight below the largest body allowed (binary_size,
 * set or its 64 MiB default) is an error at the key, naming both. */
START_TEST(appconfig_in_flight_below_binary_size)
{
	static const char *const limits[] = {"\"binary_size\": 1000, \"binary_in_flight\": 999",
					     "\"binary_in_flight\": 1000", NULL};
	static const char *const want[] = {"limits.binary_in_flight (999 bytes) is smaller than limits.binary_size (1000 bytes)",
					   "limits.binary_in_flight (1000 bytes) is smaller than limits.binary_size (67108864 bytes)"};
	char dir[256], path[512];
	make_tmp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/app.json", dir);
	for (int i = 0; limits[i]; i++) {
		char text[512];
		snprintf(text, sizeof(text), "{\"name\": \"x\", \"version\": \"1.0.0\", \"windows\": [],\n"
			 " \"security\": {\"limits\": {%s}}}\n", limits[i]);
		write_at(dir, "app.json", text);
		cg_diag *d = cg_diag_new();
		cg_appconfig *c = NULL;
		ck_assert_int_eq(cg_appconfig_load(path, &c, d), CG_ELIMIT);
		ck_assert_ptr_null(c);
		ck_assert_uint_ge(cg_diag_count(d), 1);
		char *m = cg_diag_format(d, 0);
		ck_assert_msg(m && strstr(m, want[i]) && strstr(m, "app.json:2:"), "%s", m ? m : "(null)");
		free(m);
		cg_diag_free(d);
	}
	/* At binary_size, it is taken. */
	write_at(dir, "app.json", "{\"name\": \"x\", \"version\": \"1.0.0\", \"windows\": [],\n"
				  " \"security\": {\"limits\": {\"binary_size\": 1000, \"binary_in_flight\": 1000}}}\n");
	cg_diag *d = cg_diag_new();
	cg_appconfig *c = NULL;
	ck_assert_int_eq(cg_appconfig_load(path, &c, d), 0);
	ck_assert_uint_eq(cg_appconfig_binary_in_flight(c), 1000);
	cg_appconfig_free(c);
	cg_diag_free(d);
	remove_tree(dir);
}
END_TEST

START_TEST(alloc_fail_appconfig)
{
	char dir[256], rdir[PATH_MAX], want[PATH_MAX + 64];
	struct config_ctx x = {.c = NULL};
	make_tmp(dir, sizeof(dir));
	write_at(dir, "app.json", CONFIG);
	snprintf(x.path, sizeof(x.path), "%s/app.json", dir);
	ck_assert_ptr_nonnull(realpath(dir, rdir));

	cg_diag *d = cg_diag_new();
	cg_appconfig *c = NULL;
	int r = cg_appconfig_load(x.path, &c, d);
	if (r < 0)
		dump_diag(d);
	ck_assert_int_eq(r, 0);
	cg_diag_free(d);
	/* The reference must itself be complete and right. */
	ck_assert_str_eq(cg_appconfig_name(c), "Faulty");
	snprintf(want, sizeof(want), "%s/dist", rdir);
	ck_assert_str_eq(cg_appconfig_frontend_dir(c), want);
	snprintf(want, sizeof(want), "%s/capabilities", rdir);
	ck_assert_str_eq(cg_appconfig_capabilities_dir(c), want);
	ck_assert_str_eq(cg_appconfig_permissions_dir(c), "/opt/perms");
	snprintf(want, sizeof(want), "%s/isolation", rdir);
	ck_assert_str_eq(cg_appconfig_isolation_dir(c), want);
	ck_assert_str_eq(cg_appconfig_pattern(c), "isolation");
	ck_assert_str_eq(cg_appconfig_csp(c), "default-src 'self'; connect-src ipc: http://ipc.localhost");
	ck_assert_uint_eq(cg_appconfig_window_count(c), 3);
	ck_assert_str_eq(cg_appconfig_window(c, 0)->title, "Main");
	ck_assert_str_eq(cg_appconfig_window(c, 1)->title, "viewer");
	ck_assert_str_eq(cg_appconfig_window(c, 1)->url, "index.html");
	ck_assert(!cg_appconfig_window(c, 2)->visible);
	ck_assert(cg_appconfig_navigation_allowed(c, "https://docs.example.com/x"));
	ck_assert(cg_appconfig_navigation_allowed(c, "https://a.example.org/"));
	ck_assert(!cg_appconfig_navigation_allowed(c, "https://evil.test/"));
	ck_assert(cg_appconfig_frame_allowed(c, "https://frames.example.com/"));
	ck_assert_uint_eq(cg_appconfig_limit(c, CG_RLIMIT_MESSAGE_SIZE), 1048576);
	ck_assert_uint_eq(cg_appconfig_limit(c, CG_RLIMIT_WORKERS), 2);
	ck_assert_uint_eq(cg_appconfig_window_limit(c), 8);
	ck_assert_uint_eq(cg_appconfig_binary_in_flight(c), 134217728);
	const cg_seccomp_conf *sc = cg_appconfig_seccomp_conf(c);
	ck_assert_int_eq(sc->action, CG_SECCOMP_KILL);
	ck_assert_int_eq(sc->exec, 0);
	ck_assert_int_eq(sc->network, 1);
	ck_assert_uint_eq(sc->n_allow, 1);
	ck_assert_str_eq(sc->deny[1], "fchmodat");
	ck_assert_uint_eq(sc->at_action.line, 18);
	ck_assert_uint_eq(sc->at_action.col, 42);
	x.ref = config_fingerprint(c);
	seccomp_positions(c, x.ref_pos);
	cg_appconfig_free(c);

	struct scenario s = {"app config", &x, config_run, config_ok, config_failed};
	struct fault_stats st;
	fault_loop(&s, &st);
	ck_assert_int_gt(st.allocs, 50);
	if (x.lost_pos)
		fprintf(stderr, "faults: app config: %ld loads lost a seccomp position (seccomp_conf.c pos())\n",
			x.lost_pos);

	ck_assert_int_eq(cg_appconfig_load(x.path, &c, NULL), 0);
	char *fp = config_fingerprint(c);
	ck_assert_str_eq(fp, x.ref);
	free(fp);
	cg_appconfig_free(c);
	free(x.ref);
	remove_tree(dir);
}
END_TEST

/* ------------------------------------------------- reload without memory */

struct reload_ctx {
	cg_engine *e;
	cg_policy *v1;
	char *ref1, *ref2;
};

static int reload_run(void *vc, cg_diag *d)
{
	struct reload_ctx *x = vc;
	return cg_engine_reload(x->e, d);
}

static void reload_ok(void *vc, long n, int mode, long failed)
{
	struct reload_ctx *x = vc;
	cg_policy *cur = cg_engine_policy(x->e);
	ck_assert_ptr_ne(cur, x->v1);
	char *fp = fingerprint(cur);
	ck_assert_msg(strcmp(fp, x->ref2) == 0, "n=%ld mode=%d: reloaded with %ld failed allocation(s) but answers differently",
		      n, mode, failed);
	free(fp);
	cg_policy_unref(cur);
	cg_engine_swap(x->e, x->v1); /* back to v1 for the next run */
}

static void reload_failed(void *vc, int r, long n, int mode, cg_diag *d)
{
	struct reload_ctx *x = vc;
	/* The old policy stays in place and keeps answering. */
	cg_policy *cur = cg_engine_policy(x->e);
	ck_assert_msg(cur == x->v1, "n=%ld mode=%d: a failed reload replaced the policy", n, mode);
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(cur, "viewer", NULL, NULL, "plugin:fs|write_file", &dc), 0);
	ck_assert(!dc.allowed);
	ck_assert_int_eq(cg_check_str(cur, "main", NULL, NULL, "greet", &dc), 0);
	ck_assert(dc.allowed);
	cg_policy_unref(cur);
	/* A source that failed makes the build say CG_ESTATE; d says that
	 * memory ran out. */
	ck_assert_msg(r == CG_ENOMEM || r == CG_ESTATE, "n=%ld: reload failed with %d (%s)", n, r, cg_strerror(r));
	ck_assert_msg(cg_diag_error_count(d) > 0, "n=%ld mode=%d: no error in the diagnostics", n, mode);
	if (mode == FI_ONCE)
		ck_assert_msg(diag_has_code(d, CG_ENOMEM), "n=%ld: no out-of-memory diagnostic", n);
}

START_TEST(alloc_fail_reload)
{
	make_tmp(srcdir_tmp, sizeof(srcdir_tmp));
	write_source_tree(srcdir_tmp);
	struct reload_ctx x = {0};
	ck_assert_int_eq(load_policy(setup_dirs, &x.v1, NULL), 0);
	check_expected(x.v1);
	x.ref1 = fingerprint(x.v1);
	/* v2: the viewer may write after all, and delete_all is granted. */
	write_at(srcdir_tmp, "caps/more.json",
		 "[{\"identifier\": \"preview\", \"webviews\": [\"preview\", \"thumb-*\"], \"platforms\": [\"linux\", \"windows\"],"
		 "  \"permissions\": [\"fs:read-all\", \"core:webview:default\"]},"
		 " {\"identifier\": \"viewer\", \"windows\": [\"viewer\"], \"permissions\": [\"fs:write-all\", \"allow-delete-all\"]}]");
	cg_policy *v2 = NULL;
	ck_assert_int_eq(load_policy(setup_dirs, &v2, NULL), 0);
	x.ref2 = fingerprint(v2);
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(v2, "viewer", NULL, NULL, "plugin:fs|write_file", &dc), 0);
	ck_assert(dc.allowed);
	ck_assert_int_eq(cg_check_str(v2, "viewer", NULL, NULL, "delete_all", &dc), 0);
	ck_assert(dc.allowed);
	ck_assert_str_ne(x.ref1, x.ref2);
	cg_policy_unref(v2);

	ck_assert_int_eq(cg_engine_new(x.v1, &x.e), 0);
	ck_assert_ptr_nonnull(x.e);
	struct scenario s = {"engine reload", &x, reload_run, reload_ok, reload_failed};
	struct fault_stats st;
	fault_loop(&s, &st);
	ck_assert_int_gt(st.allocs, 500);

	/* The old policy answers as it did, and a reload still works. */
	cg_policy *cur = cg_engine_policy(x.e);
	char *fp = fingerprint(cur);
	ck_assert_str_eq(fp, x.ref1);
	free(fp);
	cg_policy_unref(cur);
	ck_assert_int_eq(cg_engine_reload(x.e, NULL), 0);
	cur = cg_engine_policy(x.e);
	fp = fingerprint(cur);
	ck_assert_str_eq(fp, x.ref2);
	free(fp);
	cg_policy_unref(cur);
	cg_engine_free(x.e);
	cg_policy_unref(x.v1);
	free(x.ref1);
	free(x.ref2);
	remove_tree(srcdir_tmp);
}
END_TEST

/* ----------------------------------------- 2. reloads with broken files */

/*
 * v1 and v2 agree on plugin:fs|read_file (allowed to main), plugin:fs|
 * write_file (denied) and greet (allowed to "other" only); v1 alone grants
 * v1_only, v2 alone v2_only. A checker can thus tell which version
 * answered, and any other combination is a wrong or half-loaded policy.
 */
static const char *RL_FS =
	"{\"permission\": ["
	" {\"identifier\": \"allow-read-file\", \"commands\": {\"allow\": [\"read_file\"]}},"
	" {\"identifier\": \"allow-write-file\", \"commands\": {\"allow\": [\"write_file\"]}}]}";
static const char *RL_V1 =
	"{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-read-file\", \"allow-v1-only\"]}";
static const char *RL_V2 =
	"{\"identifier\": \"main\", \"windows\": [\"m*\"], \"permissions\": [\"allow-v2-only\", \"fs:allow-read-file\"]}";
static const char *RL_OTHER =
	"{\"identifier\": \"other\", \"windows\": [\"other\"], \"permissions\": [\"allow-greet\"]}";

enum { V1 = 1, V2 = 2 };

static char rl_dir[256];
static atomic_int rl_mask;     /* versions a check may see now */
static atomic_long rl_gen;     /* bumped after each reload */
static atomic_int rl_stop;

struct checker {
	pthread_t th;
	cg_engine *e;
	atomic_long seen_gen;
	long rounds, v1, v2, wrong;
	char first_wrong[200];
};

static int version_of(cg_policy *p, struct checker *c)
{
	cg_decision a, b, g1, g2, o1 = {0}, o2 = {0};
	int bad = 0;
	bad |= cg_check_str(p, "main", NULL, NULL, "plugin:fs|read_file", &a) != 0;
	bad |= cg_check_str(p, "main", NULL, NULL, "plugin:fs|write_file", &b) != 0;
	bad |= cg_check_str(p, "main", NULL, NULL, "greet", &g1) != 0;
	bad |= cg_check_str(p, "other", NULL, NULL, "greet", &g2) != 0;
	/* the handle path too */
	cg_subject *s = NULL;
	bad |= cg_subject_new(p, "main", "main", NULL, &s) != 0;
	if (s) {
		bad |= cg_check_command(s, "v1_only", &o1) != 0;
		bad |= cg_check_command(s, "v2_only", &o2) != 0;
		cg_subject_free(s);
	}
	if (bad || !a.allowed || b.allowed || g1.allowed || !g2.allowed) {
		if (!c->wrong)
			snprintf(c->first_wrong, sizeof(c->first_wrong), "bad=%d read=%d write=%d greet main=%d other=%d",
				 bad, a.allowed, b.allowed, g1.allowed, g2.allowed);
		return 0;
	}
	if (o1.allowed && !o2.allowed && o2.reason == CG_REASON_NOT_GRANTED)
		return V1;
	if (o2.allowed && !o1.allowed && o1.reason == CG_REASON_NOT_GRANTED)
		return V2;
	if (!c->wrong)
		snprintf(c->first_wrong, sizeof(c->first_wrong), "v1_only=%d v2_only=%d", o1.allowed, o2.allowed);
	return 0;
}

static void *checker_main(void *arg)
{
	struct checker *c = arg;
	while (!atomic_load(&rl_stop)) {
		long g = atomic_load(&rl_gen);
		int m1 = atomic_load(&rl_mask);
		cg_policy *p = cg_engine_policy(c->e);
		int v = p ? version_of(p, c) : 0;
		cg_policy_unref(p);
		int m2 = atomic_load(&rl_mask);
		/* Taken before the swap: a version allowed at m1; after: at m2. */
		if (!v || !((m1 | m2) & v))
			c->wrong++;
		c->v1 += v == V1;
		c->v2 += v == V2;
		c->rounds++;
		atomic_store(&c->seen_gen, g);
		/* valgrind runs one thread at a time: let the others run */
		sched_yield();
	}
	return NULL;
}

/* The ways a reload's files can be broken. */
enum { BROKEN_JSON, BROKEN_UNKNOWN, BROKEN_UNREADABLE, BROKEN_TOO_BIG, N_BROKEN };

static void write_broken(int kind)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/zz.json", rl_dir);
	unlink(path);
	switch (kind) {
	case BROKEN_JSON:
		write_at(rl_dir, "zz.json", "{\"identifier\": \"zz\", \"windows\": [\"main\"], \"permissions\": [");
		break;
	case BROKEN_UNKNOWN:
		write_at(rl_dir, "zz.json", "{\"identifier\": \"zz\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-reed-file\"]}");
		break;
	case BROKEN_UNREADABLE:
		if (geteuid() != 0) {
			write_at(rl_dir, "zz.json", RL_OTHER);
			ck_assert_int_eq(chmod(path, 0), 0);
		} else {
			/* root reads a mode 000 file: a dangling symlink is
			 * unreadable for everyone. */
			ck_assert_int_eq(symlink("/nonexistent/capgate/zz.json", path), 0);
		}
		break;
	case BROKEN_TOO_BIG: {
		/* over the builder's 64 KiB limit (kept by reloads) */
		char *big = malloc(70000);
		ck_assert_ptr_nonnull(big);
		memset(big, ' ', 69999);
		big[69999] = 0;
		memcpy(big, RL_OTHER, strlen(RL_OTHER));
		write_at(rl_dir, "zz.json", big);
		free(big);
		break;
	}
	}
}

START_TEST(reload_broken_files_concurrent)
{
	/* 1,000 take about 0.3 s, and 5 s under valgrind. */
	int reloads = 1000;
	if (getenv("CAPGATE_RELOADS"))
		reloads = atoi(getenv("CAPGATE_RELOADS"));
	ck_assert_int_ge(reloads, 8);
	make_tmp(rl_dir, sizeof(rl_dir));
	write_at(rl_dir, "main.json", RL_V1);
	write_at(rl_dir, "other.json", RL_OTHER);
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	/* The core manifests play no part here; without them a reload is
	 * quick enough to do 1,000 of them. */
	ck_assert_int_eq(cg_builder_use_builtin_core(b, 0), 0);
	ck_assert_int_eq(cg_builder_set_limit(b, CG_LIMIT_FILE_SIZE, 65536), 0);
	ck_assert_int_eq(cg_builder_add_manifest_json(b, "fs", "fs.json", RL_FS, strlen(RL_FS), d), 0);
	ck_assert_int_eq(cg_builder_declare_command(b, NULL, "greet"), 0);
	ck_assert_int_eq(cg_builder_declare_command(b, NULL, "v1_only"), 0);
	ck_assert_int_eq(cg_builder_declare_command(b, NULL, "v2_only"), 0);
	ck_assert_int_eq(cg_builder_add_capability_dir(b, rl_dir, d), 0);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	cg_builder_free(b);
	cg_diag_free(d);
	cg_engine *e = NULL;
	ck_assert_int_eq(cg_engine_new(p, &e), 0);
	cg_policy_unref(p);

	atomic_store(&rl_mask, V1);
	atomic_store(&rl_gen, 0);
	atomic_store(&rl_stop, 0);
	enum { NCHK = 4 };
	static struct checker chk[NCHK];
	for (int i = 0; i < NCHK; i++) {
		memset(&chk[i], 0, sizeof(chk[i]));
		chk[i].e = e;
		atomic_store(&chk[i].seen_gen, -1);
		ck_assert_int_eq(pthread_create(&chk[i].th, NULL, checker_main, &chk[i]), 0);
	}

	double t0 = now_s();
	int cur = V1, good = 0, broken = 0, kind = 0;
	char msg[300] = "";
	for (int i = 0; i < reloads && !msg[0]; i++) {
		/* v2, broken, v1, broken, ... (the engine starts at v1) */
		bool is_good = i % 2 == 0;
		int next = cur;
		char zz[512];
		snprintf(zz, sizeof(zz), "%s/zz.json", rl_dir);
		if (is_good) {
			unlink(zz);
			next = cur == V1 ? V2 : V1;
			write_at(rl_dir, "main.json", next == V1 ? RL_V1 : RL_V2);
		} else {
			write_broken(kind);
		}
		cg_policy *before = cg_engine_policy(e);
		atomic_store(&rl_mask, cur | next);
		d = cg_diag_new();
		int r = cg_engine_reload(e, d);
		cg_policy *after = cg_engine_policy(e);
		if (is_good) {
			if (r != 0 || after == before)
				snprintf(msg, sizeof(msg), "reload %d (good, v%d): %d (%s)", i, next, r, cg_strerror(r));
			good++;
		} else {
			int k = diag_file_index(d, "zz.json");
			if (r >= 0 || after != before)
				snprintf(msg, sizeof(msg), "reload %d (broken kind %d) did not fail: %d", i, kind, r);
			else if (k < 0 || cg_diag_severity(d, (size_t)k) != CG_SEV_ERROR)
				snprintf(msg, sizeof(msg), "reload %d (broken kind %d): the error does not name zz.json", i, kind);
			else if (cg_diag_code(d, (size_t)k) != (kind == BROKEN_JSON ? CG_EPARSE
							       : kind == BROKEN_UNKNOWN ? CG_EUNKNOWN
							       : kind == BROKEN_UNREADABLE ? CG_EIO : CG_ELIMIT))
				snprintf(msg, sizeof(msg), "reload %d (broken kind %d): code %d", i, kind,
					 cg_diag_code(d, (size_t)k));
			broken++;
			kind = (kind + 1) % N_BROKEN;
		}
		cg_diag_free(d);
		/* The engine's policy (main thread's view) is the right one. */
		struct checker me = {0};
		int v = version_of(after, &me);
		if (!msg[0] && v != next)
			snprintf(msg, sizeof(msg), "reload %d: the engine answers as v%d, expected v%d (%s)", i, v, next,
				 me.first_wrong);
		cg_policy_unref(before);
		cg_policy_unref(after);
		cur = next;
		atomic_store(&rl_mask, cur);
		long g = atomic_fetch_add(&rl_gen, 1) + 1;
		/* Each checker checks the new state at least once. */
		for (int k = 0; k < NCHK; k++)
			while (atomic_load(&chk[k].seen_gen) < g)
				sched_yield();
	}
	atomic_store(&rl_stop, 1);
	long rounds = 0, wrong = 0;
	for (int i = 0; i < NCHK; i++) {
		pthread_join(chk[i].th, NULL);
		rounds += chk[i].rounds;
		wrong += chk[i].wrong;
	}
	double secs = now_s() - t0;
	ck_assert_msg(!msg[0], "%s", msg);
	for (int i = 0; i < NCHK; i++) {
		ck_assert_msg(chk[i].wrong == 0, "checker %d: %ld wrong answers; first: %s", i, chk[i].wrong,
			      chk[i].first_wrong);
		ck_assert_int_ge(chk[i].v1, reloads / 4);
		ck_assert_int_ge(chk[i].v2, reloads / 4);
	}
	ck_assert_int_eq(good + broken, reloads);
	ck_assert_int_eq(broken, reloads / 2);
	fprintf(stderr, "faults: %d reloads (%d good, %d with broken files), %d checker threads, %ld checks "
		"(%ld wrong); %.1f s\n", reloads, good, broken, NCHK, rounds, wrong, secs);
	cg_engine_free(e);
	remove_tree(rl_dir);
}
END_TEST

/* ------------------------------------------ 3. disk full, unreadable files */

static int n_replied, n_ok;
static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	n_replied++;
	n_ok += ok;
}
static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len) {}
static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};

static int h_greet(cg_call *c, void *user)
{
	return cg_call_resolve(c, json_object_new_string("hello"));
}

static int n_audit_lines;
static int n_log_lines;
static char last_log_line[256];

static void on_router_log(const char *line, void *user)
{
	(void)user;
	n_log_lines++;
	snprintf(last_log_line, sizeof(last_log_line), "%s", line);
}

static void on_audit(const char *line, void *user)
{
	n_audit_lines++;
}

START_TEST(audit_log_disk_full)
{
	if (access("/dev/full", W_OK) != 0) {
		fprintf(stderr, "faults: no writable /dev/full: disk-full audit test skipped\n");
		return;
	}
	cg_router *r = NULL;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(cg_router_register(r, NULL, "greet", h_greet, NULL, CG_CMD_SYNC), 0);
	cg_builder *b = cg_builder_new();
	ck_assert_int_eq(cg_router_declare_commands(r, b), 0);
	const char *caps = "{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": [\"allow-greet\"]}";
	ck_assert_int_eq(cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), NULL), 0);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, NULL), 0);
	cg_builder_free(b);
	ck_assert_int_eq(cg_router_set_policy(r, p), 0);
	cg_policy_unref(p);
	cg_webview *main_wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &main_wv), 0);
	cg_webview *other = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &other), 0);
	ck_assert_ptr_nonnull(main_wv);
	ck_assert_ptr_nonnull(other);
	const char *msg = "{\"cmd\": \"greet\", \"callback\": 1, \"error\": 2, \"payload\": {}}";

	/* The engine opens the log when it is set (an unopenable path is
	 * CG_EIO then). A write that fails later (ENOSPC) loses the record,
	 * says so once in the router's log, the call is answered as ever,
	 * and a callback set beside the file still gets every line. */
	cg_router_set_log(r, on_router_log, NULL);
	n_log_lines = 0;
	ck_assert_int_eq(cg_router_set_decision_log(r, CG_DECISION_LOG_ALL, "/dev/full", on_audit, NULL, 10000), 0);
	n_replied = n_ok = n_audit_lines = 0;
	for (int i = 0; i < 200; i++) {
		ck_assert_int_eq(cg_router_invoke(r, main_wv, msg, strlen(msg), NULL), 0);
		cg_router_invoke(r, other, msg, strlen(msg), NULL);
	}
	ck_assert_int_eq(n_replied, 400);
	ck_assert_int_eq(n_ok, 200);
	ck_assert_int_eq(n_audit_lines, 400);
	ck_assert_int_eq(n_log_lines, 1);
	ck_assert_ptr_nonnull(strstr(last_log_line, "decision log: cannot write (No space left on device)"));

	/* The file alone, denials only, with lines far longer than stdio's
	 * buffer (a long command name). */
	ck_assert_int_eq(cg_router_set_decision_log(r, CG_DECISION_LOG_DENIALS, "/dev/full", NULL, NULL, 0), 0);
	char longmsg[9000];
	int n = snprintf(longmsg, sizeof(longmsg), "{\"cmd\": \"");
	memset(longmsg + n, 'x', 6000);
	snprintf(longmsg + n + 6000, sizeof(longmsg) - (size_t)n - 6000, "\", \"callback\": 1, \"error\": 2}");
	n_replied = n_ok = 0;
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(cg_router_invoke(r, main_wv, msg, strlen(msg), NULL), 0);
		cg_router_invoke(r, other, msg, strlen(msg), NULL);
		cg_router_invoke(r, other, longmsg, strlen(longmsg), NULL);
	}
	ck_assert_int_eq(n_replied, 300);
	ck_assert_int_eq(n_ok, 100);

	/* A log that cannot be opened is refused at once, and the audit set
	 * before stays in place. */
	ck_assert_int_eq(cg_router_set_decision_log(r, CG_DECISION_LOG_DENIALS, NULL, on_audit, NULL, 0), 0);
	ck_assert_int_eq(cg_router_set_decision_log(r, CG_DECISION_LOG_ALL, "/nonexistent/dir/audit.log", NULL, NULL, 0), CG_EIO);
	ck_assert_int_eq(cg_router_set_decision_log(r, CG_DECISION_LOG_ALL, "/", NULL, NULL, 0), CG_EIO);
	n_audit_lines = n_replied = 0;
	cg_router_invoke(r, other, msg, strlen(msg), NULL);
	ck_assert_int_eq(cg_router_invoke(r, main_wv, msg, strlen(msg), NULL), 0);
	ck_assert_int_eq(n_replied, 2);
	ck_assert_int_eq(n_audit_lines, 1); /* denials only: the earlier level */
	cg_router_free(r);
}
END_TEST

#define GOOD_CAP "{\"identifier\": \"%s\", \"windows\": [\"%s\"], \"permissions\": [\"allow-greet\"]}"

static void write_cap(const char *dir, const char *name, const char *id)
{
	char text[300];
	snprintf(text, sizeof(text), GOOD_CAP, id, id);
	write_at(dir, name, text);
}

static void sparse_file(const char *path, off_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	close(fd);
}

/* The diagnostic naming file (by its last components), which must be an
 * error with that code and carry a hint. */
static void expect_file_error(const cg_diag *d, const char *name, int code, const char *msg)
{
	int i = diag_file_index(d, name);
	if (i < 0)
		dump_diag(d);
	ck_assert_msg(i >= 0, "no diagnostic names %s", name);
	ck_assert_int_eq(cg_diag_severity(d, (size_t)i), CG_SEV_ERROR);
	ck_assert_msg(cg_diag_code(d, (size_t)i) == code, "%s: code %d, expected %d", name, cg_diag_code(d, (size_t)i), code);
	ck_assert_msg(strstr(cg_diag_message(d, (size_t)i), msg) != NULL, "%s: \"%s\" lacks \"%s\"", name,
		      cg_diag_message(d, (size_t)i), msg);
	ck_assert_ptr_nonnull(cg_diag_hint(d, (size_t)i));
}

START_TEST(unreadable_capability_files)
{
	char dir[256], path[512];
	make_tmp(dir, sizeof(dir));
	bool root = geteuid() == 0;
	/* in name order */
	write_cap(dir, "a-good.json", "a");
	make_dir(dir, "b-dir.json");                  /* a directory: read as one */
	write_cap(dir, "b-dir.json/inner.json", "inner");
	snprintf(path, sizeof(path), "%s/c-dangling.json", dir);
	ck_assert_int_eq(symlink("/nonexistent/capgate/c.json", path), 0);
	snprintf(path, sizeof(path), "%s/d-big.json", dir);
	sparse_file(path, (16 << 20) + 1);            /* the default limit + 1 */
	write_cap(dir, "e-noperm.json", "e");
	snprintf(path, sizeof(path), "%s/e-noperm.json", dir);
	ck_assert_int_eq(chmod(path, 0), 0);
	write_cap(dir, "f-good.json", "f");
	write_at(dir, "g-typo.json", "{\"identifier\": \"g\", \"window\": [\"g\"], \"permissions\": []}");
	make_dir(dir, "h-empty.json");                /* an empty directory: nothing */
	if (root)
		fprintf(stderr, "faults: running as root: a mode 000 file is readable, its sub-case is skipped\n");

	cg_builder *b = cg_builder_new();
	cg_builder_declare_command(b, NULL, "greet");
	cg_diag *d = cg_diag_new();
	int r = cg_builder_add_capability_dir(b, dir, d);
	/* The first failure is returned; every broken file is reported,
	 * each by name, and the walk goes on to the end (g-typo.json comes
	 * after all of them). */
	ck_assert_int_eq(r, CG_EIO);
	expect_file_error(d, "c-dangling.json", CG_EIO, "cannot open the file");
	expect_file_error(d, "d-big.json", CG_ELIMIT, "file too large");
	if (!root)
		expect_file_error(d, "e-noperm.json", CG_EIO, "Permission denied");
	else
		ck_assert_int_lt(diag_file_index(d, "e-noperm.json"), 0);
	expect_file_error(d, "g-typo.json", CG_ESCHEMA, "unknown field \"window\"");
	ck_assert_int_lt(diag_file_index(d, "a-good.json"), 0);
	ck_assert_int_lt(diag_file_index(d, "inner.json"), 0);
	ck_assert_int_lt(diag_file_index(d, "f-good.json"), 0);
	ck_assert_int_lt(diag_file_index(d, "h-empty.json"), 0);
	ck_assert_uint_eq(cg_diag_error_count(d), root ? 3 : 4);
	/* Documented: if any source had an error, no policy is made. */
	cg_policy *p = (cg_policy *)d;
	ck_assert_int_eq(cg_builder_build(b, &p, d), CG_ESTATE);
	ck_assert_ptr_null(p);
	cg_builder_free(b);
	cg_diag_free(d);

	/* The same files one at a time: each a located error. */
	static const struct {
		const char *name;
		int code;
		const char *msg;
	} one[] = {
		{"b-dir.json", CG_EIO, "Is a directory"},
		{"c-dangling.json", CG_EIO, "No such file"},
		{"d-big.json", CG_ELIMIT, "more than the limit of 16 MiB"},
		{"e-noperm.json", CG_EIO, "Permission denied"},
	};
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		if (root && one[i].code == CG_EIO && strstr(one[i].msg, "Permission"))
			continue;
		b = cg_builder_new();
		d = cg_diag_new();
		snprintf(path, sizeof(path), "%s/%s", dir, one[i].name);
		ck_assert_int_eq(cg_builder_add_capability_file(b, path, d), one[i].code);
		expect_file_error(d, one[i].name, one[i].code, one[i].msg);
		ck_assert_int_eq(cg_builder_build(b, &p, d), CG_ESTATE);
		ck_assert_ptr_null(p);
		cg_builder_free(b);
		cg_diag_free(d);
	}

	/* A limit set on the builder is kept too, for real content. */
	snprintf(path, sizeof(path), "%s/d-big.json", dir);
	unlink(path);
	char *big = malloc(5000);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', 4999);
	big[4999] = 0;
	memcpy(big, "{\"identifier\": \"d\", \"windows\": [\"d\"], \"permissions\": []}",
	       strlen("{\"identifier\": \"d\", \"windows\": [\"d\"], \"permissions\": []}"));
	write_at(dir, "d-big.json", big);
	free(big);
	b = cg_builder_new();
	d = cg_diag_new();
	ck_assert_int_eq(cg_builder_set_limit(b, CG_LIMIT_FILE_SIZE, 4096), 0);
	ck_assert_int_eq(cg_builder_add_capability_file(b, path, d), CG_ELIMIT);
	expect_file_error(d, "d-big.json", CG_ELIMIT, "more than the limit of 4096 bytes");
	cg_builder_free(b);
	cg_diag_free(d);

	/* A dangling symlink among a plugin's manifests: the same. */
	char pdir[512];
	snprintf(pdir, sizeof(pdir), "%s/plugins", dir);
	make_dir(dir, "plugins");
	make_dir(dir, "plugins/fs");
	write_at(pdir, "fs/fs.json", "{\"permission\": [{\"identifier\": \"allow-read\", \"commands\": {\"allow\": [\"read\"]}}]}");
	snprintf(path, sizeof(path), "%s/fs/gone.json", pdir);
	ck_assert_int_eq(symlink("/nonexistent/capgate/gone.json", path), 0);
	b = cg_builder_new();
	d = cg_diag_new();
	ck_assert_int_eq(cg_builder_add_plugins_dir(b, pdir, d), CG_EIO);
	expect_file_error(d, "fs/gone.json", CG_EIO, "cannot open the file");
	ck_assert_uint_eq(cg_diag_error_count(d), 1);
	ck_assert_int_eq(cg_builder_build(b, &p, d), CG_ESTATE);
	ck_assert_ptr_null(p);
	cg_builder_free(b);
	cg_diag_free(d);

	/* Without the broken files the rest loads, the directory named
	 * b-dir.json included (directories are read recursively). */
	snprintf(path, sizeof(path), "%s/c-dangling.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/d-big.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/e-noperm.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/g-typo.json", dir);
	unlink(path);
	remove_tree(pdir);
	b = cg_builder_new();
	d = cg_diag_new();
	cg_builder_declare_command(b, NULL, "greet");
	ck_assert_int_eq(cg_builder_add_capability_dir(b, dir, d), 0);
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert_uint_eq(cg_policy_capability_count(p), 3);
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(p, "inner", NULL, NULL, "greet", &dc), 0);
	ck_assert(dc.allowed);
	ck_assert_int_eq(cg_check_str(p, "f", NULL, NULL, "greet", &dc), 0);
	ck_assert(dc.allowed);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	remove_tree(dir);
}
END_TEST

int main(void)
{
	if (getenv("CAPGATE_FAULT_TRACE"))
		fi_trace = atol(getenv("CAPGATE_FAULT_TRACE"));
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("alloc");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, alloc_fail_policy_json);
	tcase_add_test(tc, alloc_fail_policy_dirs);
	tcase_add_test(tc, alloc_fail_appconfig);
	tcase_add_test(tc, appconfig_in_flight_below_binary_size);
	tcase_add_test(tc, alloc_fail_reload);
	suite_add_tcase(s, tc);
	TCase *rl = tcase_create("reload");
	tcase_set_timeout(rl, 600);
	tcase_add_test(rl, reload_broken_files_concurrent);
	suite_add_tcase(s, rl);
	TCase *io = tcase_create("io");
	tcase_add_test(io, audit_log_disk_full);
	tcase_add_test(io, unreadable_capability_files);
	suite_add_tcase(s, io);
	return run_suite(s);
}
