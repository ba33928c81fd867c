/*
 * Unit tests for plugins/fs: the scope's semantics case by case against
 * Tauri's (plugins-workspace plugins/fs/src/commands.rs resolve_path,
 * tauri crates/tauri/src/scope/fs.rs), capgate's deliberate differences,
 * the file operations in both resolution modes (openat2 and the O_NOFOLLOW
 * walk), and the attacker: a thread swapping symlinks between an in-scope
 * directory and an out-of-scope one thousands of times while another reads
 * through the scope. Set CG_RACE_NAIVE=1 to run the same race against a
 * Tauri-style check-then-open and watch it fail.
 */
#include "fs/scope.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "testutil.h"

/* ------------------------------------------------------------ fixture */

static char T[PATH_MAX];     /* the test's directory, symlinks resolved */
static char HOME[PATH_MAX];  /* T/home */
static char APPDATA[PATH_MAX];
static cg_paths *paths;

static const char *fake_getenv(void *ud, const char *name)
{
	(void)ud;
	if (strcmp(name, "HOME") == 0)
		return HOME;
	return NULL;
}

static const char *no_passwd(void *ud)
{
	(void)ud;
	return NULL;
}

/* printf into a rotating static buffer. */
static const char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *P(const char *fmt, ...)
{
	static char buf[16][PATH_MAX + 64];
	static int k;
	char *b = buf[k++ & 15];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, PATH_MAX + 64, fmt, ap);
	va_end(ap);
	return b;
}

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *c = buf + 1; *c; c++) {
		if (*c == '/') {
			*c = '\0';
			mkdir(buf, 0700);
			*c = '/';
		}
	}
	mkdir(buf, 0700);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	char tmpl[] = "/tmp/cg-fs-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_ptr_nonnull(realpath(tmpl, T));
	snprintf(HOME, sizeof(HOME), "%s/home", T);
	snprintf(APPDATA, sizeof(APPDATA), "%s/.local/share/com.test.app", HOME);
	mkdirs(APPDATA);
	cg_paths_config cfg = {"com.test.app", NULL, fake_getenv, no_passwd, NULL};
	ck_assert_int_eq(cg_paths_new(&cfg, &paths), 0);
	cg_fs_set_resolve_mode(CG_FS_RESOLVE_AUTO);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 32];
	cg_paths_free(paths);
	paths = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", T);
	ck_assert_int_eq(system(cmd), 0);
}

/* A scope from JSON texts (global, command; either may be NULL). */
static cg_fs_scope *scope2(const char *global, const char *command, unsigned flags, cg_diag *d)
{
	json_object *js[2] = {global ? json_tokener_parse(global) : NULL,
			      command ? json_tokener_parse(command) : NULL};
	cg_fs_scope *s = NULL;
	ck_assert(!global || js[0]);
	ck_assert(!command || js[1]);
	int rc = cg_fs_scope_new(paths, js, 2, flags, &s, d);
	if (rc != 0 && d)
		dump_diag(d);
	json_object_put(js[0]);
	json_object_put(js[1]);
	return rc == 0 ? s : NULL;
}

static cg_fs_scope *scope(const char *json)
{
	cg_fs_scope *s = scope2(json, NULL, 0, NULL);
	ck_assert_msg(s != NULL, "scope %s did not compile", json);
	return s;
}

static void want(const cg_fs_scope *s, const cg_fs_grants *g, const char *path, cg_fs_verdict v,
		 const char *entry)
{
	cg_fs_why why;
	cg_fs_verdict got = cg_fs_check(s, g, path, &why);
	ck_assert_msg(got == v, "\"%s\": verdict %d, want %d (%s)", path, got, v,
		      why.problem ? why.problem : "");
	if (entry)
		ck_assert_msg(why.entry && strcmp(why.entry, entry) == 0, "\"%s\": decided by \"%s\", want \"%s\"",
			      path, why.entry ? why.entry : "(none)", entry);
}

/* ----------------------------------------------------- Tauri semantics */

START_TEST(test_variables_first_component)
{
	cg_fs_scope *s = scope("{\"allow\": [\"$APPDATA/**\", {\"path\": \"$HOME/notes\"},"
			       " \"/abs/$HOME/x\", \"$HOME/docs/$APPDATA\"]}");
	want(s, NULL, P("%s/db/x.json", APPDATA), CG_FS_ALLOWED, "$APPDATA/**");
	want(s, NULL, P("%s/a/b/c", APPDATA), CG_FS_ALLOWED, NULL);
	want(s, NULL, APPDATA, CG_FS_NOT_ALLOWED, NULL); /* "dir/" + "**" is below dir only */
	want(s, NULL, P("%s/.local/share/other/x", HOME), CG_FS_NOT_ALLOWED, NULL);
	want(s, NULL, P("%s/notes", HOME), CG_FS_ALLOWED, "$HOME/notes");
	want(s, NULL, P("%s/notes/x", HOME), CG_FS_NOT_ALLOWED, NULL);
	/* A variable that is not the first component stays literal. */
	want(s, NULL, "/abs/$HOME/x", CG_FS_ALLOWED, "/abs/$HOME/x");
	want(s, NULL, P("/abs%s/x", HOME), CG_FS_NOT_ALLOWED, NULL);
	want(s, NULL, P("%s/docs/$APPDATA", HOME), CG_FS_ALLOWED, NULL);
	cg_fs_scope_free(s);

	/* An unknown directory drops the entry (Tauri: UnknownPath), with a
	 * warning; an unknown name is literal, so relative, so ignored. */
	cg_diag *d = cg_diag_new();
	s = scope2("{\"allow\": [\"$RUNTIME/**\", \"$DOCUMENT/*\", \"$NOPE/x\", \"$HOME/ok\"]}", NULL, 0, d);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(cg_diag_error_count(d), 0);
	ck_assert_int_ge(diag_find(d, "\"$RUNTIME/**\" is ignored"), 0);
	ck_assert_int_ge(diag_find(d, "\"$DOCUMENT/*\" is ignored"), 0);
	ck_assert_int_ge(diag_find(d, "\"$NOPE/x\" is relative"), 0);
	ck_assert_str_eq(cg_diag_pointer(d, 0), "/0/allow/0");
	want(s, NULL, P("%s/ok", HOME), CG_FS_ALLOWED, NULL);
	json_object *desc = cg_fs_scope_describe(s);
	ck_assert_uint_eq(json_object_array_length(desc), 1);
	json_object_put(desc);
	cg_fs_scope_free(s);
	cg_diag_free(d);
}
END_TEST

START_TEST(test_parent_dirs)
{
	/* ".." is dropped from patterns (PathResolver::parse) ... */
	cg_fs_scope *s = scope("{\"allow\": [\"$APPDATA/../secret/**\", \"/a/b/../../c\"]}");
	want(s, NULL, P("%s/secret/x", APPDATA), CG_FS_ALLOWED, NULL);
	want(s, NULL, P("%s/.local/share/secret/x", HOME), CG_FS_NOT_ALLOWED, NULL);
	want(s, NULL, "/a/b/c", CG_FS_ALLOWED, NULL);
	/* ... and refused in a request (SafePathBuf), even one that would
	 * land in scope. */
	cg_fs_why why;
	ck_assert_int_eq(cg_fs_check(s, NULL, P("%s/secret/a/../b", APPDATA), &why), CG_FS_BAD_PATH);
	ck_assert_str_eq(why.problem, "the path contains \"..\"");
	want(s, NULL, P("%s/x/../secret/y", APPDATA), CG_FS_BAD_PATH, NULL);
	/* "." and "//" are only spelling. */
	want(s, NULL, P("%s//secret/./y/", APPDATA), CG_FS_ALLOWED, NULL);
	cg_fs_scope_free(s);
}
END_TEST

START_TEST(test_deny_first)
{
	cg_fs_scope *s = scope("{\"allow\": [\"$HOME/**\"], \"deny\": [\"$HOME/secret/**\", \"$HOME/k.pem\"]}");
	want(s, NULL, P("%s/secret/x", HOME), CG_FS_DENIED, "$HOME/secret/**");
	want(s, NULL, P("%s/k.pem", HOME), CG_FS_DENIED, "$HOME/k.pem");
	want(s, NULL, P("%s/docs/x", HOME), CG_FS_ALLOWED, "$HOME/**");
	want(s, NULL, P("%s/secret", HOME), CG_FS_ALLOWED, NULL); /* only below it */
	cg_fs_scope_free(s);

	/* Global U command scope, for allow and deny alike. */
	s = scope2("{\"allow\": [\"$HOME/**\"]}", "{\"deny\": [\"$HOME/private/**\"], \"allow\": [\"/x/*\"]}",
		   0, NULL);
	ck_assert_ptr_nonnull(s);
	want(s, NULL, P("%s/private/a", HOME), CG_FS_DENIED, "$HOME/private/**");
	want(s, NULL, "/x/y", CG_FS_ALLOWED, "/x/*");
	want(s, NULL, P("%s/a", HOME), CG_FS_ALLOWED, "$HOME/**");
	cg_fs_scope_free(s);

	/* A deny wins over a grant too. */
	cg_fs_grants *g;
	ck_assert_int_eq(cg_fs_grants_new(&g), 0);
	ck_assert_int_eq(cg_fs_grants_add(g, P("%s/secret/picked", HOME), CG_FS_GRANT_FILE), 0);
	s = scope("{\"deny\": [\"$HOME/secret/**\"]}");
	want(s, g, P("%s/secret/picked", HOME), CG_FS_DENIED, NULL);
	cg_fs_scope_free(s);
	cg_fs_grants_free(g);
}
END_TEST

START_TEST(test_leading_dots_protected)
{
	cg_fs_scope *s = scope("{\"allow\": [\"$HOME/**\", \"$HOME/docs/*\"]}");
	want(s, NULL, P("%s/.ssh", HOME), CG_FS_NOT_ALLOWED, NULL);
	want(s, NULL, P("%s/.ssh/id_ed25519", HOME), CG_FS_NOT_ALLOWED, NULL);
	want(s, NULL, P("%s/.bashrc", HOME), CG_FS_NOT_ALLOWED, NULL);
	want(s, NULL, P("%s/src/.git/config", HOME), CG_FS_NOT_ALLOWED, NULL);
	want(s, NULL, P("%s/docs/.env", HOME), CG_FS_NOT_ALLOWED, NULL);
	want(s, NULL, P("%s/src/a.b/c.d", HOME), CG_FS_ALLOWED, NULL);
	/* APPDATA is under $HOME/.local: "$HOME/" + "**" does not reach it. */
	want(s, NULL, P("%s/x", APPDATA), CG_FS_NOT_ALLOWED, NULL);
	cg_fs_scope_free(s);

	/* A literal dot reaches them. */
	s = scope("{\"allow\": [\"$HOME/.ssh/**\", \"$HOME/.*\"]}");
	want(s, NULL, P("%s/.ssh/id_ed25519", HOME), CG_FS_ALLOWED, "$HOME/.ssh/**");
	want(s, NULL, P("%s/.bashrc", HOME), CG_FS_ALLOWED, "$HOME/.*");
	want(s, NULL, P("%s/.ssh/.hidden", HOME), CG_FS_NOT_ALLOWED, NULL);
	cg_fs_scope_free(s);

	/* plugins.fs.requireLiteralLeadingDot = false */
	s = scope2("{\"allow\": [\"$HOME/**\"]}", NULL, CG_FS_DOTFILES, NULL);
	want(s, NULL, P("%s/.ssh/id_ed25519", HOME), CG_FS_ALLOWED, NULL);
	cg_fs_scope_free(s);
}
END_TEST

START_TEST(test_separators_literal)
{
	/* GHSA-6mv3-wm7j-h4w5 */
	cg_fs_scope *s = scope("{\"allow\": [\"$HOME/docs/*\", \"$HOME/img/*.png\", \"$HOME/m?/x\"]}");
	want(s, NULL, P("%s/docs/a.txt", HOME), CG_FS_ALLOWED, NULL);
	want(s, NULL, P("%s/docs/sub/a.txt", HOME), CG_FS_NOT_ALLOWED, NULL);
	want(s, NULL, P("%s/img/a.png", HOME), CG_FS_ALLOWED, NULL);
	want(s, NULL, P("%s/img/a/b.png", HOME), CG_FS_NOT_ALLOWED, NULL);
	want(s, NULL, P("%s/m1/x", HOME), CG_FS_ALLOWED, NULL);
	want(s, NULL, P("%s/m/x", HOME), CG_FS_NOT_ALLOWED, NULL);
	cg_fs_scope_free(s);
}
END_TEST

START_TEST(test_bad_requests)
{
	cg_fs_scope *s = scope("{\"allow\": [\"/**\"]}");
	static const struct {
		const char *path, *problem;
	} v[] = {
		{"", "the path is empty"},
		{"relative/x", "the path is not absolute"},
		{"./x", "the path is not absolute"},
		{"/a/\xff", "the path is not UTF-8"},        /* Tauri: never matches */
		{"/a/\xc0\xaf", "the path is not UTF-8"},    /* an overlong '/' */
		{"/a/\xed\xa0\x80", "the path is not UTF-8"},
		{"/..", "the path contains \"..\""},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cg_fs_why why;
		ck_assert_int_eq(cg_fs_check(s, NULL, v[i].path, &why), CG_FS_BAD_PATH);
		ck_assert_str_eq(why.problem, v[i].problem);
	}
	ck_assert_int_eq(cg_fs_check(s, NULL, NULL, NULL), CG_FS_BAD_PATH);
	char *longp = malloc(PATH_MAX + 10);
	ck_assert_ptr_nonnull(longp);
	memset(longp, 'a', PATH_MAX + 9);
	longp[0] = '/';
	longp[PATH_MAX + 9] = '\0';
	want(s, NULL, longp, CG_FS_BAD_PATH, NULL);
	free(longp);
	want(s, NULL, "/", CG_FS_ALLOWED, NULL);
	want(s, NULL, "/é/ü", CG_FS_ALLOWED, NULL);
	cg_fs_scope_free(s);
	/* No scope at all allows nothing. */
	want(NULL, NULL, "/x", CG_FS_NOT_ALLOWED, NULL);
}
END_TEST

START_TEST(test_bad_entries)
{
	static const struct {
		const char *json, *needle, *pointer;
		int rc;
	} v[] = {
		{"{\"allow\": [42]}", "neither a path string", "/0/allow/0", CG_ESCHEMA},
		{"{\"allow\": [{\"url\": \"x\"}]}", "neither a path string", "/0/allow/0", CG_ESCHEMA},
		{"{\"deny\": [\"/ok\", {\"path\": 1}]}", "neither a path string", "/0/deny/1", CG_ESCHEMA},
		{"{\"allow\": [\"$HOME/a**\"]}", "not a valid glob: recursive wildcards", "/0/allow/0",
		 CG_EPATTERN},
		{"{\"allow\": [\"/x/[ab\"]}", "invalid range pattern", "/0/allow/0", CG_EPATTERN},
		{"{\"allow\": \"/x\"}", "\"allow\" is not an array", "/0", CG_ESCHEMA},
		{"[\"/x\"]", "not an object", "/0", CG_ESCHEMA},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cg_diag *d = cg_diag_new();
		json_object *j = json_tokener_parse(v[i].json);
		cg_fs_scope *s = (cg_fs_scope *)&s;
		ck_assert_ptr_nonnull(j);
		ck_assert_int_eq(cg_fs_scope_new(paths, &j, 1, 0, &s, d), v[i].rc);
		ck_assert_ptr_null(s);
		ck_assert_msg(diag_find(d, v[i].needle) >= 0, "%s: no \"%s\"", v[i].json, v[i].needle);
		ck_assert_str_eq(cg_diag_pointer(d, (size_t)diag_find(d, v[i].needle)), v[i].pointer);
		json_object_put(j);
		cg_diag_free(d);
	}
	/* {"path": ..., other keys} is fine (serde's untagged enum). */
	cg_fs_scope *s = scope("{\"allow\": [{\"path\": \"/x\", \"note\": 1}], \"other\": 2}");
	want(s, NULL, "/x", CG_FS_ALLOWED, NULL);
	cg_fs_scope_free(s);
	ck_assert_int_eq(cg_fs_scope_new(NULL, NULL, 0, 0, &s, NULL), CG_EINVAL);
	ck_assert_int_eq(cg_fs_scope_new(paths, NULL, 0, 2, &s, NULL), CG_EINVAL);
	ck_assert_int_eq(cg_fs_scope_new(paths, NULL, 0, 0, &s, NULL), 0);
	want(s, NULL, "/x", CG_FS_NOT_ALLOWED, NULL);
	cg_fs_scope_free(s);
	cg_fs_scope_free(NULL);
}
END_TEST

START_TEST(test_escaped_variables_and_non_utf8)
{
	/* A directory with glob characters is literal in a pattern (Tauri
	 * would read "[x]" as a class). */
	cg_paths *saved = paths;
	static char odd[PATH_MAX];
	snprintf(odd, sizeof(odd), "%s/we[x]ird*", T);
	mkdirs(odd);
	snprintf(HOME, sizeof(HOME), "%s", odd);
	cg_paths_config cfg = {"id", NULL, fake_getenv, no_passwd, NULL};
	ck_assert_int_eq(cg_paths_new(&cfg, &paths), 0);
	cg_fs_scope *s = scope("{\"allow\": [\"$HOME/**\"]}");
	want(s, NULL, P("%s/f", odd), CG_FS_ALLOWED, NULL);
	want(s, NULL, P("%s/wexird/f", T), CG_FS_NOT_ALLOWED, NULL);
	want(s, NULL, P("%s/we[x]irdANY/f", T), CG_FS_NOT_ALLOWED, NULL);
	cg_fs_scope_free(s);
	cg_paths_free(paths);

	/* A directory that is not UTF-8 can match nothing: the entry is
	 * ignored with a warning. */
	snprintf(HOME, sizeof(HOME), "%s/\xff", T);
	ck_assert_int_eq(cg_paths_new(&cfg, &paths), 0);
	cg_diag *d = cg_diag_new();
	s = scope2("{\"allow\": [\"$HOME/**\", \"/ok\"]}", NULL, 0, d);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_ge(diag_find(d, "not UTF-8"), 0);
	want(s, NULL, "/ok", CG_FS_ALLOWED, NULL);
	cg_fs_scope_free(s);
	cg_diag_free(d);
	cg_paths_free(paths);
	paths = saved;
	snprintf(HOME, sizeof(HOME), "%s/home", T);
}
END_TEST

START_TEST(test_grants_literal)
{
	cg_fs_grants *g;
	cg_fs_scope *s = scope("{\"allow\": []}");
	mkdirs(P("%s/picked", T));
	ck_assert_int_eq(cg_fs_grants_new(&g), 0);
	ck_assert_int_eq(cg_fs_grants_add(g, P("%s/picked/we[ir]d*.txt", T), CG_FS_GRANT_FILE), 0);
	ck_assert_int_eq(cg_fs_grants_add(g, P("%s/dir", T), CG_FS_GRANT_DIR), 0);
	ck_assert_int_eq(cg_fs_grants_add(g, P("%s/tree/", T), CG_FS_GRANT_DIR_RECURSIVE), 0);
	want(s, g, P("%s/picked/we[ir]d*.txt", T), CG_FS_ALLOWED, P("%s/picked/we[ir]d*.txt", T));
	want(s, g, P("%s/picked/weid.txt", T), CG_FS_NOT_ALLOWED, NULL); /* no glob */
	want(s, g, P("%s/picked/wexd.txt", T), CG_FS_NOT_ALLOWED, NULL);
	want(s, g, P("%s/dir", T), CG_FS_ALLOWED, NULL);
	want(s, g, P("%s/dir/a", T), CG_FS_ALLOWED, NULL);
	want(s, g, P("%s/dir/a/b", T), CG_FS_NOT_ALLOWED, NULL);
	want(s, g, P("%s/dir/.a", T), CG_FS_NOT_ALLOWED, NULL);
	want(s, g, P("%s/dirx", T), CG_FS_NOT_ALLOWED, NULL);
	want(s, g, P("%s/tree", T), CG_FS_ALLOWED, NULL);
	want(s, g, P("%s/tree/a/b/c", T), CG_FS_ALLOWED, NULL);
	want(s, g, P("%s/tree/a/.git/c", T), CG_FS_NOT_ALLOWED, NULL);
	want(s, g, P("%s/treetop", T), CG_FS_NOT_ALLOWED, NULL);
	cg_fs_scope_free(s);
	s = scope2("{}", NULL, CG_FS_DOTFILES, NULL);
	want(s, g, P("%s/tree/a/.git/c", T), CG_FS_ALLOWED, NULL);
	cg_fs_scope_free(s);
	/* Grants alone, without a scope. */
	want(NULL, g, P("%s/dir/a", T), CG_FS_ALLOWED, NULL);
	ck_assert_int_eq(cg_fs_grants_add(g, "rel", CG_FS_GRANT_FILE), CG_EINVAL);
	ck_assert_int_eq(cg_fs_grants_add(g, "/a/../b", CG_FS_GRANT_FILE), CG_EINVAL);
	ck_assert_int_eq(cg_fs_grants_add(g, "/a", 7), CG_EINVAL);
	ck_assert_int_eq(cg_fs_grants_add(NULL, "/a", CG_FS_GRANT_FILE), CG_EINVAL);
	cg_fs_grants_free(g);
	cg_fs_grants_free(NULL);
}
END_TEST

/* The root's symlinks are resolved once (Tauri's canonicalize_parent): a
 * path may be asked for either way, and a deny written either way holds. */
START_TEST(test_resolved_roots)
{
	mkdirs(P("%s/real/secret", T));
	put_file(P("%s/real/secret/k", T), "key");
	put_file(P("%s/real/a", T), "A");
	ck_assert_int_eq(symlink(P("%s/real", T), P("%s/link", T)), 0);
	cg_fs_scope *s = scope(P("{\"allow\": [\"%s/link/**\"], \"deny\": [\"%s/real/secret/**\"]}", T, T));
	want(s, NULL, P("%s/link/a", T), CG_FS_ALLOWED, NULL);
	want(s, NULL, P("%s/real/a", T), CG_FS_ALLOWED, NULL);
	want(s, NULL, P("%s/link/secret/k", T), CG_FS_DENIED, NULL); /* as it would be opened */
	want(s, NULL, P("%s/real/secret/k", T), CG_FS_DENIED, NULL);
	json_object *desc = cg_fs_scope_describe(s);
	ck_assert_str_eq(json_object_to_json_string_ext(desc, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE),
			 P("[{\"entry\":\"%s/real/secret/**\",\"pattern\":\"%s/real/secret/**\","
			   "\"root\":\"%s/real/secret\",\"deny\":true},"
			   "{\"entry\":\"%s/link/**\",\"pattern\":\"%s/link/**\",\"root\":\"%s/link\","
			   "\"resolved_root\":\"%s/real\",\"deny\":false}]",
			   T, T, T, T, T, T, T));
	json_object_put(desc);
	char buf[8] = {0};
	int fd = cg_fs_open(s, NULL, P("%s/link/a", T), O_RDONLY, 0, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf) - 1), 1);
	ck_assert_str_eq(buf, "A");
	close(fd);
	cg_fs_scope_free(s);

	/* And the other way round: the deny through the link. */
	s = scope(P("{\"allow\": [\"%s/real/**\"], \"deny\": [\"%s/link/secret/**\"]}", T, T));
	want(s, NULL, P("%s/real/secret/k", T), CG_FS_DENIED, P("%s/link/secret/**", T));
	want(s, NULL, P("%s/real/a", T), CG_FS_ALLOWED, NULL);
	cg_fs_scope_free(s);
}
END_TEST

/* ------------------------------------------------------ file operations */

static const cg_fs_resolve_mode modes[] = {CG_FS_RESOLVE_OPENAT2, CG_FS_RESOLVE_WALK};

static bool use_mode(int i)
{
	cg_fs_set_resolve_mode(CG_FS_RESOLVE_AUTO);
	if (modes[i] == CG_FS_RESOLVE_OPENAT2 && cg_fs_resolve_mode_in_use() != CG_FS_RESOLVE_OPENAT2) {
		fprintf(stderr, "openat2 is not available here: only the walk is tested\n");
		return false;
	}
	cg_fs_set_resolve_mode(modes[i]);
	return true;
}

static char *slurp_fd(int fd)
{
	static char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

START_TEST(test_open_and_stat)
{
	if (!use_mode(_i))
		return;
	char D[PATH_MAX];
	snprintf(D, sizeof(D), "%s/data", APPDATA);
	mkdirs(P("%s/sub", D));
	put_file(P("%s/sub/f.txt", D), "hello");
	mkdirs(P("%s/outside", T));
	put_file(P("%s/outside/s", T), "SECRET");
	ck_assert_int_eq(symlink(P("%s/outside", T), P("%s/lnkdir", D)), 0);
	ck_assert_int_eq(symlink(P("%s/outside/s", T), P("%s/lnkfile", D)), 0);
	ck_assert_int_eq(symlink("sub/f.txt", P("%s/inner", D)), 0); /* stays in scope */
	ck_assert_int_eq(symlink(P("%s/outside/new", T), P("%s/dangling", D)), 0);
	cg_fs_scope *s = scope("{\"allow\": [\"$APPDATA/data/**\"], \"deny\": [\"$APPDATA/data/no/**\"]}");
	cg_fs_why why;
	int fd;

	fd = cg_fs_open(s, NULL, P("%s/sub/f.txt", D), O_RDONLY, 0, &why);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(why.verdict, CG_FS_ALLOWED);
	ck_assert_str_eq(why.entry, "$APPDATA/data/**");
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_str_eq(slurp_fd(fd), "hello");

	fd = cg_fs_open(s, NULL, P("%s/sub/new.txt", D), O_WRONLY | O_CREAT | O_EXCL, 0600, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "w", 1), 1);
	close(fd);
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/sub/new.txt", D), O_WRONLY | O_CREAT | O_EXCL, 0600, NULL),
			 -EEXIST);

	/* No symlink is followed below the root, out of scope or not. */
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/lnkdir/s", D), O_RDONLY, 0, &why), -ELOOP);
	ck_assert_int_eq(why.verdict, CG_FS_ALLOWED); /* the kernel refused, not the scope */
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/lnkfile", D), O_RDONLY, 0, NULL), -ELOOP);
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/inner", D), O_RDONLY, 0, NULL), -ELOOP);
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/dangling", D), O_WRONLY | O_CREAT, 0600, NULL), -ELOOP);
	ck_assert_int_eq(access(P("%s/outside/new", T), F_OK), -1);

	/* Refusals by the scope name their rule. */
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/no/x", D), O_RDONLY, 0, &why), -EACCES);
	ck_assert_int_eq(why.verdict, CG_FS_DENIED);
	ck_assert_str_eq(why.entry, "$APPDATA/data/no/**");
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/outside/s", T), O_RDONLY, 0, &why), -EACCES);
	ck_assert_int_eq(why.verdict, CG_FS_NOT_ALLOWED);
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/sub/../../x", D), O_RDONLY, 0, &why), -EINVAL);
	ck_assert_int_eq(why.verdict, CG_FS_BAD_PATH);
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/sub/f.txt", D), O_RDONLY | O_PATH, 0, NULL), -EINVAL);
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/nope/f", D), O_RDONLY, 0, NULL), -ENOENT);

	/* A directory, for read_dir. */
	fd = cg_fs_open(s, NULL, P("%s/sub", D), O_RDONLY | O_DIRECTORY, 0, NULL);
	ck_assert_int_ge(fd, 0);
	close(fd);

	/* A FIFO does not hang the opener. */
	ck_assert_int_eq(mkfifo(P("%s/sub/fifo", D), 0600), 0);
	fd = cg_fs_open(s, NULL, P("%s/sub/fifo", D), O_RDONLY, 0, NULL);
	ck_assert_int_ge(fd, 0);
	close(fd);

	struct stat st;
	ck_assert_int_eq(cg_fs_stat(s, NULL, P("%s/sub/f.txt", D), 1, &st, NULL), 0);
	ck_assert_int_eq(st.st_size, 5);
	ck_assert_int_eq(cg_fs_stat(s, NULL, P("%s/lnkfile", D), 0, &st, NULL), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(cg_fs_stat(s, NULL, P("%s/lnkfile", D), 1, &st, NULL), -ELOOP);
	ck_assert_int_eq(cg_fs_stat(s, NULL, P("%s/lnkdir/s", D), 0, &st, NULL), -ELOOP);
	ck_assert_int_eq(cg_fs_stat(s, NULL, P("%s/missing", D), 0, &st, NULL), -ENOENT);
	ck_assert_int_eq(cg_fs_stat(s, NULL, P("%s/no/x", D), 0, &st, NULL), -EACCES);
	cg_fs_scope_free(s);
}
END_TEST

/* The root itself was a directory when the scope was compiled; a symlink
 * put in its place later is not followed. */
START_TEST(test_root_replaced_by_symlink)
{
	if (!use_mode(_i))
		return;
	mkdirs(P("%s/root", T));
	mkdirs(P("%s/outside", T));
	put_file(P("%s/outside/x", T), "SECRET");
	put_file(P("%s/root/x", T), "fine");
	cg_fs_scope *s = scope(P("{\"allow\": [\"%s/root/**\"]}", T));
	int fd = cg_fs_open(s, NULL, P("%s/root/x", T), O_RDONLY, 0, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(slurp_fd(fd), "fine");
	ck_assert_int_eq(rename(P("%s/root", T), P("%s/old", T)), 0);
	ck_assert_int_eq(symlink(P("%s/outside", T), P("%s/root", T)), 0);
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/root/x", T), O_RDONLY, 0, NULL), -ELOOP);
	/* ... and neither is one above the root. */
	ck_assert_int_eq(unlink(P("%s/root", T)), 0);
	mkdirs(P("%s/up/root", T));
	put_file(P("%s/up/root/x", T), "fine");
	cg_fs_scope_free(s);
	s = scope(P("{\"allow\": [\"%s/up/root/**\"]}", T));
	ck_assert_int_eq(rename(P("%s/up", T), P("%s/up.old", T)), 0);
	mkdirs(P("%s/evil/root", T));
	put_file(P("%s/evil/root/x", T), "SECRET");
	ck_assert_int_eq(symlink(P("%s/evil", T), P("%s/up", T)), 0);
	ck_assert_int_eq(cg_fs_open(s, NULL, P("%s/up/root/x", T), O_RDONLY, 0, NULL), -ELOOP);
	cg_fs_scope_free(s);
}
END_TEST

START_TEST(test_mkdir)
{
	if (!use_mode(_i))
		return;
	cg_fs_scope *s = scope("{\"allow\": [\"$APPDATA/**\", \"$APPDATA\"], \"deny\": [\"$APPDATA/locked\"]}");
	cg_fs_why why;
	struct stat st;

	ck_assert_int_eq(cg_fs_mkdir(s, NULL, P("%s/a", APPDATA), 0700, 0, NULL), 0);
	ck_assert_int_eq(stat(P("%s/a", APPDATA), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(cg_fs_mkdir(s, NULL, P("%s/a", APPDATA), 0700, 0, NULL), -EEXIST);
	ck_assert_int_eq(cg_fs_mkdir(s, NULL, P("%s/b/c", APPDATA), 0700, 0, NULL), -ENOENT);
	ck_assert_int_eq(cg_fs_mkdir(s, NULL, P("%s/b/c/d", APPDATA), 0700, CG_FS_PARENTS, NULL), 0);
	ck_assert_int_eq(stat(P("%s/b/c/d", APPDATA), &st), 0);
	ck_assert_int_eq(cg_fs_mkdir(s, NULL, P("%s/b/c/d", APPDATA), 0700, CG_FS_PARENTS, NULL), 0);
	ck_assert_int_eq(cg_fs_mkdir(s, NULL, APPDATA, 0700, CG_FS_PARENTS, NULL), 0); /* exists */
	/* A missing directory on the way that a deny entry names is not made. */
	ck_assert_int_eq(cg_fs_mkdir(s, NULL, P("%s/locked/x", APPDATA), 0700, CG_FS_PARENTS, &why), -EACCES);
	ck_assert_int_eq(why.verdict, CG_FS_DENIED);
	ck_assert_str_eq(why.entry, "$APPDATA/locked");
	ck_assert_int_eq(access(P("%s/locked", APPDATA), F_OK), -1);
	/* Nor through a symlink. */
	mkdirs(P("%s/outside", T));
	ck_assert_int_eq(symlink(P("%s/outside", T), P("%s/l", APPDATA)), 0);
	ck_assert_int_eq(cg_fs_mkdir(s, NULL, P("%s/l/x/y", APPDATA), 0700, CG_FS_PARENTS, NULL), -ELOOP);
	ck_assert_int_eq(cg_fs_mkdir(s, NULL, P("%s/l/x", APPDATA), 0700, 0, NULL), -ELOOP);
	ck_assert_int_eq(access(P("%s/outside/x", T), F_OK), -1);
	/* A file where a directory should be. */
	put_file(P("%s/file", APPDATA), "");
	ck_assert_int_eq(cg_fs_mkdir(s, NULL, P("%s/file", APPDATA), 0700, CG_FS_PARENTS, NULL), -EEXIST);
	ck_assert_int_eq(cg_fs_mkdir(s, NULL, P("%s/file/x", APPDATA), 0700, CG_FS_PARENTS, NULL), -ENOTDIR);
	ck_assert_int_eq(cg_fs_mkdir(s, NULL, P("%s/x", T), 0700, 0, &why), -EACCES);
	ck_assert_int_eq(why.verdict, CG_FS_NOT_ALLOWED);
	cg_fs_scope_free(s);
}
END_TEST

START_TEST(test_remove)
{
	if (!use_mode(_i))
		return;
	cg_fs_scope *s = scope("{\"allow\": [\"$APPDATA/**\"], \"deny\": [\"$APPDATA/t/keep/**\"]}");
	cg_fs_why why;
	const char *A = APPDATA;

	put_file(P("%s/f", A), "x");
	ck_assert_int_eq(cg_fs_remove(s, NULL, P("%s/f", A), 0, NULL), 0);
	ck_assert_int_eq(cg_fs_remove(s, NULL, P("%s/f", A), 0, NULL), -ENOENT);
	mkdirs(P("%s/d/e", A));
	ck_assert_int_eq(cg_fs_remove(s, NULL, P("%s/d", A), 0, NULL), -ENOTEMPTY);
	ck_assert_int_eq(cg_fs_remove(s, NULL, P("%s/d", A), CG_FS_RECURSIVE, NULL), 0);
	ck_assert_int_eq(access(P("%s/d", A), F_OK), -1);

	/* A symlink is removed, never followed, recursively or not. */
	mkdirs(P("%s/outside/in", T));
	put_file(P("%s/outside/in/f", T), "keep me");
	ck_assert_int_eq(symlink(P("%s/outside", T), P("%s/l", A)), 0);
	ck_assert_int_eq(cg_fs_remove(s, NULL, P("%s/l", A), CG_FS_RECURSIVE, NULL), 0);
	mkdirs(P("%s/d2", A));
	ck_assert_int_eq(symlink(P("%s/outside", T), P("%s/d2/l", A)), 0);
	ck_assert_int_eq(cg_fs_remove(s, NULL, P("%s/d2", A), CG_FS_RECURSIVE, NULL), 0);
	ck_assert_int_eq(access(P("%s/outside/in/f", T), F_OK), 0);

	/* What a deny entry covers survives a recursive remove. */
	mkdirs(P("%s/t/keep/deep", A));
	mkdirs(P("%s/t/other", A));
	put_file(P("%s/t/keep/deep/k", A), "k");
	put_file(P("%s/t/other/o", A), "o");
	put_file(P("%s/t/top", A), "t");
	ck_assert_int_eq(cg_fs_remove(s, NULL, P("%s/t", A), CG_FS_RECURSIVE, &why), -EACCES);
	ck_assert_int_eq(why.verdict, CG_FS_DENIED);
	ck_assert_str_eq(why.entry, "$APPDATA/t/keep/**");
	ck_assert_int_eq(access(P("%s/t/keep/deep/k", A), F_OK), 0);
	ck_assert_int_eq(access(P("%s/t/other", A), F_OK), -1);
	ck_assert_int_eq(access(P("%s/t/top", A), F_OK), -1);
	/* Below a deny entry, names no pattern matches are kept too: a
	 * dotfile ("**" skips it by Tauri's rule) and a name that is not
	 * UTF-8 (judged by its lossy spelling); elsewhere they go. */
	mkdirs(P("%s/t/other", A));
	put_file(P("%s/t/keep/.env", A), "k");
	put_file(P("%s/t/keep/\xff\xfe", A), "k");
	put_file(P("%s/t/keep/deep/a\xc3", A), "k");
	put_file(P("%s/t/other/\xff", A), "o");
	put_file(P("%s/t/other/.o", A), "o");
	ck_assert_int_eq(cg_fs_remove(s, NULL, P("%s/t", A), CG_FS_RECURSIVE, &why), -EACCES);
	ck_assert_str_eq(why.entry, "$APPDATA/t/keep/**");
	ck_assert_int_eq(access(P("%s/t/keep/.env", A), F_OK), 0);
	ck_assert_int_eq(access(P("%s/t/keep/\xff\xfe", A), F_OK), 0);
	ck_assert_int_eq(access(P("%s/t/keep/deep/a\xc3", A), F_OK), 0);
	ck_assert_int_eq(access(P("%s/t/other", A), F_OK), -1);
	/* And with dotfiles allowed (no second pattern), the same. */
	cg_fs_scope *s2 = scope2("{\"allow\": [\"$APPDATA/**\"], \"deny\": [\"$APPDATA/t/keep/**\"]}", NULL,
				 CG_FS_DOTFILES, NULL);
	ck_assert_ptr_nonnull(s2);
	ck_assert_int_eq(cg_fs_remove(s2, NULL, P("%s/t", A), CG_FS_RECURSIVE, &why), -EACCES);
	ck_assert_int_eq(access(P("%s/t/keep/.env", A), F_OK), 0);
	ck_assert_int_eq(access(P("%s/t/keep/\xff\xfe", A), F_OK), 0);
	cg_fs_scope_free(s2);
	/* The root of a scope is not removed through it. */
	cg_fs_scope_free(s);
	s = scope("{\"allow\": [\"/**\"]}");
	ck_assert_int_eq(cg_fs_remove(s, NULL, "/", CG_FS_RECURSIVE, NULL), -EBUSY);
	cg_fs_scope_free(s);
}
END_TEST

START_TEST(test_rename)
{
	if (!use_mode(_i))
		return;
	cg_fs_scope *s = scope("{\"allow\": [\"$APPDATA/**\"], \"deny\": [\"$APPDATA/secret/**\", \"**/.env\"]}");
	cg_fs_why why;
	const char *A = APPDATA;

	put_file(P("%s/a", A), "a");
	put_file(P("%s/b", A), "b");
	ck_assert_int_eq(cg_fs_rename(s, NULL, P("%s/a", A), P("%s/c", A), 0, NULL), 0);
	ck_assert_int_eq(cg_fs_rename(s, NULL, P("%s/c", A), P("%s/b", A), CG_FS_NOREPLACE, NULL), -EEXIST);
	ck_assert_int_eq(cg_fs_rename(s, NULL, P("%s/c", A), P("%s/x", T), 0, &why), -EACCES);
	ck_assert_int_eq(why.verdict, CG_FS_NOT_ALLOWED);
	ck_assert_str_eq(why.path, P("%s/x", T));
	ck_assert_int_eq(cg_fs_rename(s, NULL, P("%s/c", A), P("%s/secret/c", A), 0, &why), -EACCES);
	ck_assert_int_eq(why.verdict, CG_FS_DENIED);

	/* Moving the directory a deny entry protects would take its files
	 * out of the entry's reach (Tauri allows it): refused. */
	mkdirs(P("%s/secret", A));
	put_file(P("%s/secret/k", A), "KEY");
	ck_assert_int_eq(cg_fs_rename(s, NULL, P("%s/secret", A), P("%s/public", A), 0, &why), -EACCES);
	ck_assert_int_eq(why.verdict, CG_FS_DENIED);
	ck_assert_str_eq(why.entry, "$APPDATA/secret/**");
	ck_assert_int_eq(access(P("%s/secret/k", A), F_OK), 0);
	/* "**" + "/.env" sees every place alike: moving a directory is fine. */
	mkdirs(P("%s/proj", A));
	put_file(P("%s/proj/.env", A), "E");
	ck_assert_int_eq(cg_fs_rename(s, NULL, P("%s/proj", A), P("%s/proj2", A), 0, NULL), 0);

	/* A symlink is moved as itself. */
	ck_assert_int_eq(symlink("/etc", P("%s/l", A)), 0);
	ck_assert_int_eq(cg_fs_rename(s, NULL, P("%s/l", A), P("%s/l2", A), 0, NULL), 0);
	struct stat st;
	ck_assert_int_eq(lstat(P("%s/l2", A), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	cg_fs_scope_free(s);
}
END_TEST

/* --------------------------------------------------------- the attacker */

/* valgrind runs one thread at a time, so a race there is mostly the
 * swapper spinning: fewer rounds (the races are run in full by make check
 * and under the sanitizers). */
static int rounds(int n)
{
	return RUNNING_ON_VALGRIND ? n / 40 : n;
}

struct swapper {
	int dirfd;
	const char *pairs[3][2];
	atomic_bool stop;
	atomic_ulong swaps;
};

static void *swap_loop(void *arg)
{
	struct swapper *w = arg;
	while (!atomic_load(&w->stop)) {
		for (int k = 0; k < 3; k++)
			if (renameat2(w->dirfd, w->pairs[k][0], w->dirfd, w->pairs[k][1], RENAME_EXCHANGE) == 0)
				atomic_fetch_add(&w->swaps, 1);
		if (RUNNING_ON_VALGRIND)
			sched_yield();
	}
	return NULL;
}

/* What Tauri does: canonicalize, check, then open the path by name. */
static int naive_open(const cg_fs_scope *s, const char *path)
{
	char real[PATH_MAX];
	if (!realpath(path, real) || cg_fs_check(s, NULL, real, NULL) != CG_FS_ALLOWED)
		return -EACCES;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

START_TEST(test_symlink_swap_race)
{
	if (!use_mode(_i))
		return;
	const char *R = P("%s/race", T);
	char rbuf[PATH_MAX];
	snprintf(rbuf, sizeof(rbuf), "%s", R);
	mkdirs(P("%s/scope/sub", rbuf));
	mkdirs(P("%s/outside", rbuf));
	mkdirs(P("%s/rootdir", rbuf));
	put_file(P("%s/scope/sub/data", rbuf), "INSIDE");
	put_file(P("%s/scope/f", rbuf), "INSIDE");
	put_file(P("%s/rootdir/data", rbuf), "INSIDE");
	put_file(P("%s/outside/data", rbuf), "OUTSIDE");
	/* Each pair: an in-scope object and a symlink to the outside one,
	 * exchanged atomically, over and over. */
	ck_assert_int_eq(symlink(P("%s/outside", rbuf), P("%s/scope/alt", rbuf)), 0);
	ck_assert_int_eq(symlink(P("%s/outside/data", rbuf), P("%s/scope/g", rbuf)), 0);
	ck_assert_int_eq(symlink(P("%s/outside", rbuf), P("%s/rootlink", rbuf)), 0);
	cg_fs_scope *s = scope(P("{\"allow\": [\"%s/scope/**\", \"%s/rootdir/**\"]}", rbuf, rbuf));

	struct swapper w = {.pairs = {{"scope/sub", "scope/alt"}, {"scope/f", "scope/g"}, {"rootdir", "rootlink"}}};
	w.dirfd = open(rbuf, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(w.dirfd, 0);
	atomic_init(&w.stop, false);
	atomic_init(&w.swaps, 0);
	const char *targets[5] = {P("%s/scope/sub/data", rbuf), P("%s/scope/alt/data", rbuf),
				  P("%s/scope/f", rbuf), P("%s/scope/g", rbuf), P("%s/rootdir/data", rbuf)};
	bool naive = getenv("CG_RACE_NAIVE") && *getenv("CG_RACE_NAIVE") == '1';
	unsigned long inside = 0, refused = 0, leaked = 0;
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, swap_loop, &w), 0);
	for (int i = 0; i < rounds(4000); i++) {
		for (int k = 0; k < 5; k++) {
			int fd = naive ? naive_open(s, targets[k])
				       : cg_fs_open(s, NULL, targets[k], O_RDONLY, 0, NULL);
			if (fd < 0) {
				/* A symlink where the scope expected a name: ELOOP
				 * (ENOENT only for the naive opener, mid-swap). */
				ck_assert_msg(fd == -ELOOP || naive, "%s: %s", targets[k], strerror(-fd));
				refused++;
				continue;
			}
			char buf[16] = {0};
			ssize_t n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0 && strncmp(buf, "OUTSIDE", 7) == 0)
				leaked++;
			else
				inside++;
		}
	}
	atomic_store(&w.stop, true);
	pthread_join(th, NULL);
	close(w.dirfd);
	fprintf(stderr, "race (%s%s): %lu swaps, %lu reads inside, %lu refused, %lu from outside\n",
		naive ? "naive check-then-open, " : "", modes[_i] == CG_FS_RESOLVE_WALK ? "walk" : "openat2",
		atomic_load(&w.swaps), inside, refused, leaked);
	ck_assert_msg(leaked == 0, "%lu reads returned bytes from outside the scope", leaked);
	ck_assert_uint_gt(inside, 0);
	cg_fs_scope_free(s);
}
END_TEST

/* The same attacker against writes, mkdir, remove and rename: nothing
 * outside the scope is ever created, truncated, written, removed or moved
 * (into the scope or within the outside). */
START_TEST(test_symlink_swap_race_writes)
{
	if (!use_mode(_i))
		return;
	char R[PATH_MAX];
	snprintf(R, sizeof(R), "%s/race", T);
	mkdirs(P("%s/scope/sub", R));
	mkdirs(P("%s/outside/keep", R));
	put_file(P("%s/outside/data", R), "OUTSIDE");
	put_file(P("%s/outside/keep/k", R), "OUTSIDE");
	put_file(P("%s/outside/mv", R), "OUTSIDE");
	put_file(P("%s/scope/sub/mv", R), "IN");
	ck_assert_int_eq(symlink(P("%s/outside", R), P("%s/scope/alt", R)), 0);
	cg_fs_scope *s = scope(P("{\"allow\": [\"%s/scope/**\"]}", R));
	struct swapper w = {.pairs = {{"scope/sub", "scope/alt"}, {"scope/sub", "scope/alt"},
				      {"scope/sub", "scope/alt"}}};
	w.dirfd = open(R, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(w.dirfd, 0);
	atomic_init(&w.stop, false);
	atomic_init(&w.swaps, 0);
	char t_data[2][PATH_MAX], t_dir[2][PATH_MAX], t_keep[2][PATH_MAX];
	char t_mv[2][PATH_MAX], t_mv2[2][PATH_MAX], stolen[PATH_MAX];
	snprintf(stolen, sizeof(stolen), "%s/scope/stolen", R);
	for (int k = 0; k < 2; k++) {
		const char *name = k ? "alt" : "sub";
		snprintf(t_mv[k], PATH_MAX, "%s/scope/%s/mv", R, name);
		snprintf(t_mv2[k], PATH_MAX, "%s/scope/%s/mv2", R, name);
		snprintf(t_data[k], PATH_MAX, "%s/scope/%s/data", R, name);
		snprintf(t_dir[k], PATH_MAX, "%s/scope/%s/new/deeper", R, name);
		snprintf(t_keep[k], PATH_MAX, "%s/scope/%s/keep", R, name);
	}
	/* The kernel reports any change in the outside, however brief (a
	 * move there and back included). */
	int ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(ino, 0);
	const uint32_t changes = IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO |
				 IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
	ck_assert_int_ge(inotify_add_watch(ino, P("%s/outside", R), changes), 0);
	ck_assert_int_ge(inotify_add_watch(ino, P("%s/outside/keep", R), changes), 0);
	unsigned long done = 0;
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, swap_loop, &w), 0);
	for (int i = 0; i < rounds(2000); i++) {
		for (int k = 0; k < 2; k++) {
			int fd = cg_fs_open(s, NULL, t_data[k], O_WRONLY | O_CREAT | O_TRUNC, 0600, NULL);
			if (fd >= 0) {
				ck_assert_int_eq(write(fd, "IN", 2), 2);
				close(fd);
				done++;
			}
			if (cg_fs_mkdir(s, NULL, t_dir[k], 0700, CG_FS_PARENTS, NULL) == 0)
				done++;
			if (cg_fs_remove(s, NULL, t_keep[k], CG_FS_RECURSIVE, NULL) == 0)
				done++;
			if (cg_fs_rename(s, NULL, t_mv[k], t_mv2[k], 0, NULL) == 0)
				done++;
			if (cg_fs_rename(s, NULL, t_mv2[k], t_mv[k], 0, NULL) == 0)
				done++;
			/* Out of the outside into the scope, and straight back. */
			if (cg_fs_rename(s, NULL, t_mv[k], stolen, CG_FS_NOREPLACE, NULL) == 0) {
				done++;
				cg_fs_rename(s, NULL, stolen, t_mv[0], CG_FS_NOREPLACE, NULL);
			}
		}
	}
	atomic_store(&w.stop, true);
	pthread_join(th, NULL);
	close(w.dirfd);
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t evn = read(ino, ev, sizeof(ev));
	ck_assert_msg(evn < 0 && errno == EAGAIN, "the outside changed: %s",
		      evn > 0 && ((struct inotify_event *)ev)->len ? ((struct inotify_event *)ev)->name : "?");
	close(ino);
	char buf[16] = {0};
	FILE *f = fopen(P("%s/outside/data", R), "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(buf, 1, sizeof(buf) - 1, f), 0);
	fclose(f);
	ck_assert_str_eq(buf, "OUTSIDE");
	ck_assert_int_eq(access(P("%s/outside/keep/k", R), F_OK), 0);
	ck_assert_int_eq(access(P("%s/outside/new", R), F_OK), -1);
	f = fopen(P("%s/outside/mv", R), "r");
	ck_assert_ptr_nonnull(f);
	memset(buf, 0, sizeof(buf));
	ck_assert_uint_gt(fread(buf, 1, sizeof(buf) - 1, f), 0);
	fclose(f);
	ck_assert_str_eq(buf, "OUTSIDE");
	ck_assert_int_eq(access(P("%s/outside/mv2", R), F_OK), -1);
	ck_assert_uint_gt(done, 0);
	cg_fs_scope_free(s);
}
END_TEST

/* Checks from many threads while grants are added. */
struct granter {
	cg_fs_grants *g;
	atomic_bool stop;
};

static void *grant_loop(void *arg)
{
	struct granter *gr = arg;
	char path[64];
	for (int i = 0; i < 2000 && !atomic_load(&gr->stop); i++) {
		snprintf(path, sizeof(path), "/picked/%d", i);
		if (cg_fs_grants_add(gr->g, path, CG_FS_GRANT_FILE) != 0)
			abort();
	}
	return NULL;
}

START_TEST(test_grants_concurrent)
{
	struct granter gr;
	pthread_t th;
	ck_assert_int_eq(cg_fs_grants_new(&gr.g), 0);
	ck_assert_int_eq(cg_fs_grants_add(gr.g, "/first", CG_FS_GRANT_FILE), 0);
	atomic_init(&gr.stop, false);
	ck_assert_int_eq(pthread_create(&th, NULL, grant_loop, &gr), 0);
	for (int i = 0; i < 20000; i++)
		ck_assert_int_eq(cg_fs_check(NULL, gr.g, "/first", NULL), CG_FS_ALLOWED);
	pthread_join(th, NULL);
	ck_assert_int_eq(cg_fs_check(NULL, gr.g, "/picked/1999", NULL), CG_FS_ALLOWED);
	cg_fs_grants_free(gr.g);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fsscope");
	TCase *tc = tcase_create("semantics");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_variables_first_component);
	tcase_add_test(tc, test_parent_dirs);
	tcase_add_test(tc, test_deny_first);
	tcase_add_test(tc, test_leading_dots_protected);
	tcase_add_test(tc, test_separators_literal);
	tcase_add_test(tc, test_bad_requests);
	tcase_add_test(tc, test_bad_entries);
	tcase_add_test(tc, test_escaped_variables_and_non_utf8);
	tcase_add_test(tc, test_grants_literal);
	tcase_add_test(tc, test_resolved_roots);
	suite_add_tcase(s, tc);

	tc = tcase_create("operations");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_open_and_stat, 0, 2);
	tcase_add_loop_test(tc, test_root_replaced_by_symlink, 0, 2);
	tcase_add_loop_test(tc, test_mkdir, 0, 2);
	tcase_add_loop_test(tc, test_remove, 0, 2);
	tcase_add_loop_test(tc, test_rename, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("attacker");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_symlink_swap_race, 0, 2);
	tcase_add_loop_test(tc, test_symlink_swap_race_writes, 0, 2);
	tcase_add_test(tc, test_grants_concurrent);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
