/*
 * Unit tests for plugins/path: the 23 base directories resolved from a
 * fake environment as Tauri resolves them on Linux (the `dirs` crate and
 * dirs-sys' user-dirs.dirs reader), the "$VAR" expansion of scope entries
 * (PathResolver::parse), and the core:path functions with Tauri's results
 * for edge cases (crates/tauri/src/path/plugin.rs, Rust's Path on Unix).
 */
#include "path/paths.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ fake env */

struct fake_env {
	const char *vars[16][2];
	const char *pw_home;
};

static const char *fake_getenv(void *ud, const char *name)
{
	struct fake_env *e = ud;
	for (size_t i = 0; i < 16 && e->vars[i][0]; i++)
		if (strcmp(e->vars[i][0], name) == 0)
			return e->vars[i][1];
	return NULL;
}

static const char *fake_passwd(void *ud)
{
	return ((struct fake_env *)ud)->pw_home;
}

static char tmp_home[256];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void make_home(void)
{
	char p[512];
	snprintf(tmp_home, sizeof(tmp_home), "/tmp/cg-paths-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_home));
	snprintf(p, sizeof(p), "%s/.config", tmp_home);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/.config/user-dirs.dirs", tmp_home);
	write_file(p,
		   "# This file is written by xdg-user-dirs-update\n"
		   "XDG_DESKTOP_DIR=\"$HOME/Desktop\"\n"
		   "XDG_DESKTOP_DIR=\"$HOME/Second\"\n"
		   "XDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n"
		   "XDG_TEMPLATES_DIR=\"\"\n"
		   "XDG_PUBLICSHARE_DIR=\"$HOME\"\n"
		   "XDG_DOCUMENTS_DIR=\"$HOME/\"\n"
		   "  XDG_MUSIC_DIR =\t\"/media/music\"  \n"
		   "XDG_PICTURES_DIR=\"$HOME/My\\ Pictures\"\n"
		   "XDG_VIDEOS_DIR=\"$HOxyzME/Videos\"\n"
		   "XDG_VIDEOS_DIR=\"/srv/videos\"\r\n"
		   "XDG_VIDEOS_DIR=\"/srv/films\"\n");
}

static void rm_home(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_home);
	ck_assert_int_eq(system(cmd), 0);
}

static cg_paths *paths_for(struct fake_env *e, const char *id, const char *res)
{
	cg_paths_config cfg = {id, res, fake_getenv, fake_passwd, e};
	cg_paths *p = NULL;
	ck_assert_int_eq(cg_paths_new(&cfg, &p), 0);
	ck_assert_ptr_nonnull(p);
	return p;
}

static void want_dir(const cg_paths *p, int dir, const char *want)
{
	const char *got = NULL;
	int rc = cg_paths_dir(p, dir, &got);
	if (!want) {
		ck_assert_msg(rc == CG_ENOTFOUND, "%s: want unknown, got %d \"%s\"",
			      cg_basedir_name(dir), rc, got ? got : "");
		ck_assert_ptr_null(got);
		return;
	}
	ck_assert_msg(rc == 0, "%s: %d", cg_basedir_name(dir), rc);
	ck_assert_msg(strcmp(got, want) == 0, "%s: \"%s\", want \"%s\"", cg_basedir_name(dir), got, want);
}

static char *cat(const char *a, const char *b)
{
	static char buf[8][512];
	static int k;
	char *r = buf[k++ & 7];
	snprintf(r, 512, "%s%s", a, b);
	return r;
}

/* -------------------------------------------------------- directories */

START_TEST(test_js_numbering)
{
	/* @tauri-apps/api's enum, not Tauri 2.1.0's Rust table (tauri#11633). */
	static const struct {
		int dir;
		const char *var, *name;
	} v[] = {
		{1, "$AUDIO", "Audio"}, {2, "$CACHE", "Cache"}, {3, "$CONFIG", "Config"},
		{4, "$DATA", "Data"}, {5, "$LOCALDATA", "LocalData"}, {6, "$DOCUMENT", "Document"},
		{7, "$DOWNLOAD", "Download"}, {8, "$PICTURE", "Picture"}, {9, "$PUBLIC", "Public"},
		{10, "$VIDEO", "Video"}, {11, "$RESOURCE", "Resource"}, {12, "$TEMP", "Temp"},
		{13, "$APPCONFIG", "AppConfig"}, {14, "$APPDATA", "AppData"},
		{15, "$APPLOCALDATA", "AppLocalData"}, {16, "$APPCACHE", "AppCache"},
		{17, "$APPLOG", "AppLog"}, {18, "$DESKTOP", "Desktop"}, {19, "$EXE", "Executable"},
		{20, "$FONT", "Font"}, {21, "$HOME", "Home"}, {22, "$RUNTIME", "Runtime"},
		{23, "$TEMPLATE", "Template"},
	};
	ck_assert_uint_eq(sizeof(v) / sizeof(v[0]), CG_DIR_MAX);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_str_eq(cg_basedir_variable(v[i].dir), v[i].var);
		ck_assert_str_eq(cg_basedir_name(v[i].dir), v[i].name);
		ck_assert_int_eq(cg_basedir_from_variable(v[i].var), v[i].dir);
	}
	ck_assert_int_eq(CG_DIR_HOME, 21);
	ck_assert_int_eq(CG_DIR_DESKTOP, 18);
	ck_assert_int_eq(cg_basedir_from_variable("$appdata"), 0);
	ck_assert_int_eq(cg_basedir_from_variable("$APPDATAX"), 0);
	ck_assert_int_eq(cg_basedir_from_variable("APPDATA"), 0);
	ck_assert_int_eq(cg_basedir_from_variable("$EXECUTABLE"), 0);
	ck_assert_int_eq(cg_basedir_from_variable(NULL), 0);
	ck_assert_ptr_null(cg_basedir_variable(0));
	ck_assert_ptr_null(cg_basedir_name(24));
}
END_TEST

START_TEST(test_defaults_from_home)
{
	make_home();
	struct fake_env e = {{{"HOME", tmp_home}}, "/nowhere"};
	cg_paths *p = paths_for(&e, "com.example.notes", "/opt/notes/res");
	const char *H = tmp_home;

	want_dir(p, CG_DIR_HOME, H);
	want_dir(p, CG_DIR_CACHE, cat(H, "/.cache"));
	want_dir(p, CG_DIR_CONFIG, cat(H, "/.config"));
	want_dir(p, CG_DIR_DATA, cat(H, "/.local/share"));
	want_dir(p, CG_DIR_LOCAL_DATA, cat(H, "/.local/share"));
	want_dir(p, CG_DIR_EXECUTABLE, cat(H, "/.local/bin"));
	want_dir(p, CG_DIR_FONT, cat(H, "/.local/share/fonts"));
	want_dir(p, CG_DIR_RUNTIME, NULL);
	want_dir(p, CG_DIR_TEMP, "/tmp");
	want_dir(p, CG_DIR_RESOURCE, "/opt/notes/res");
	want_dir(p, CG_DIR_APP_CONFIG, cat(H, "/.config/com.example.notes"));
	want_dir(p, CG_DIR_APP_DATA, cat(H, "/.local/share/com.example.notes"));
	want_dir(p, CG_DIR_APP_LOCAL_DATA, cat(H, "/.local/share/com.example.notes"));
	want_dir(p, CG_DIR_APP_CACHE, cat(H, "/.cache/com.example.notes"));
	want_dir(p, CG_DIR_APP_LOG, cat(H, "/.local/share/com.example.notes/logs"));
	/* user-dirs.dirs: the first usable line for each name wins. */
	want_dir(p, CG_DIR_DESKTOP, cat(H, "/Desktop"));
	want_dir(p, CG_DIR_DOWNLOAD, cat(H, "/Downloads"));
	want_dir(p, CG_DIR_TEMPLATE, NULL);    /* "" */
	want_dir(p, CG_DIR_PUBLIC, NULL);      /* "$HOME" without '/' */
	want_dir(p, CG_DIR_DOCUMENT, NULL);    /* "$HOME/": disabled */
	want_dir(p, CG_DIR_AUDIO, "/media/music");
	want_dir(p, CG_DIR_PICTURE, cat(H, "/My Pictures"));
	want_dir(p, CG_DIR_VIDEO, "/srv/films"); /* "$HOxyzME/" and a CR line skipped */
	cg_paths_free(p);
	rm_home();
}
END_TEST

START_TEST(test_xdg_variables)
{
	make_home();
	char cfgdir[300], udfile[400];
	snprintf(cfgdir, sizeof(cfgdir), "%s/xdgcfg/", tmp_home);
	ck_assert_int_eq(mkdir(cfgdir, 0700), 0);
	snprintf(udfile, sizeof(udfile), "%suser-dirs.dirs", cfgdir);
	write_file(udfile, "XDG_MUSIC_DIR=\"$HOME/Tunes\"\n");
	struct fake_env e = {{
		{"HOME", tmp_home},
		{"XDG_CACHE_HOME", "/x/cache"},
		{"XDG_CONFIG_HOME", cfgdir},
		{"XDG_DATA_HOME", "relative/data"},
		{"XDG_BIN_HOME", "/x/bin"},
		{"XDG_RUNTIME_DIR", "/run/user/1000"},
		{"TMPDIR", "/var/tmp"},
	}, NULL};
	cg_paths *p = paths_for(&e, "id", NULL);
	const char *H = tmp_home;

	want_dir(p, CG_DIR_CACHE, "/x/cache");
	want_dir(p, CG_DIR_CONFIG, cfgdir); /* as given, trailing '/' kept */
	want_dir(p, CG_DIR_APP_CONFIG, cat(cfgdir, "id")); /* no doubled '/' */
	want_dir(p, CG_DIR_DATA, cat(H, "/.local/share")); /* relative: ignored */
	want_dir(p, CG_DIR_EXECUTABLE, "/x/bin");
	want_dir(p, CG_DIR_RUNTIME, "/run/user/1000");
	want_dir(p, CG_DIR_TEMP, "/var/tmp");
	want_dir(p, CG_DIR_RESOURCE, NULL);
	want_dir(p, CG_DIR_APP_CACHE, "/x/cache/id");
	/* user-dirs.dirs is read from $XDG_CONFIG_HOME. */
	want_dir(p, CG_DIR_AUDIO, cat(H, "/Tunes"));
	want_dir(p, CG_DIR_DESKTOP, NULL);
	cg_paths_free(p);
	rm_home();
}
END_TEST

START_TEST(test_home_fallbacks)
{
	/* HOME unset, empty, or relative (capgate: like empty): the password
	 * database. Without either, everything built on Home is unknown. */
	static const char *const homes[] = {NULL, "", "relative/home"};
	for (size_t i = 0; i < 3; i++) {
		struct fake_env e = {{{"HOME", homes[i]}}, "/home/pw"};
		if (!homes[i])
			e.vars[0][0] = NULL;
		cg_paths *p = paths_for(&e, "id", NULL);
		want_dir(p, CG_DIR_HOME, "/home/pw");
		want_dir(p, CG_DIR_APP_DATA, "/home/pw/.local/share/id");
		cg_paths_free(p);
	}
	struct fake_env none = {{{"TMPDIR", ""}}, NULL};
	cg_paths *p = paths_for(&none, "id", NULL);
	for (int d = 1; d <= CG_DIR_MAX; d++)
		if (d != CG_DIR_TEMP)
			want_dir(p, d, NULL);
	want_dir(p, CG_DIR_TEMP, "/tmp"); /* empty TMPDIR: /tmp (Rust: "") */
	cg_paths_free(p);

	struct fake_env rel = {{{"HOME", "/"}, {"TMPDIR", "tmp"}}, NULL};
	p = paths_for(&rel, NULL, NULL);
	want_dir(p, CG_DIR_TEMP, "/tmp");
	want_dir(p, CG_DIR_CONFIG, "/.config");
	want_dir(p, CG_DIR_APP_CONFIG, NULL); /* no identifier */
	cg_paths_free(p);
}
END_TEST

START_TEST(test_config_errors)
{
	struct fake_env e = {{{"HOME", "/h"}}, NULL};
	cg_paths_config cfg = {"a/b", NULL, fake_getenv, fake_passwd, &e};
	cg_paths *p = (cg_paths *)&p;
	ck_assert_int_eq(cg_paths_new(&cfg, &p), CG_EINVAL);
	ck_assert_ptr_null(p);
	cfg.identifier = "..";
	ck_assert_int_eq(cg_paths_new(&cfg, &p), CG_EINVAL);
	cfg.identifier = "";
	ck_assert_int_eq(cg_paths_new(&cfg, &p), CG_EINVAL);
	cfg.identifier = "ok";
	cfg.resource_dir = "res";
	ck_assert_int_eq(cg_paths_new(&cfg, &p), CG_EINVAL);
	ck_assert_int_eq(cg_paths_new(&cfg, NULL), CG_EINVAL);
	cfg.resource_dir = NULL;
	ck_assert_int_eq(cg_paths_new(&cfg, &p), 0);
	const char *d;
	ck_assert_int_eq(cg_paths_dir(p, 0, &d), CG_EINVAL);
	ck_assert_int_eq(cg_paths_dir(p, 24, &d), CG_EINVAL);
	ck_assert_int_eq(cg_paths_dir(NULL, 1, &d), CG_EINVAL);
	cg_paths_free(p);
	cg_paths_free(NULL);
	/* The process's own environment works too. */
	ck_assert_int_eq(cg_paths_new(NULL, &p), 0);
	ck_assert_int_eq(cg_paths_dir(p, CG_DIR_TEMP, &d), 0);
	ck_assert_int_eq(d[0], '/');
	cg_paths_free(p);
}
END_TEST

START_TEST(test_resolve_directory)
{
	struct fake_env e = {{{"HOME", "/home/a"}}, NULL};
	cg_paths *p = paths_for(&e, "com.x", "/opt/x/res");
	static const struct {
		int dir;
		const char *path, *want;
		int rc;
	} v[] = {
		{CG_DIR_APP_DATA, "db/x.json", "/home/a/.local/share/com.x/db/x.json", 0},
		{CG_DIR_APP_DATA, NULL, "/home/a/.local/share/com.x", 0},
		{CG_DIR_APP_DATA, "", "/home/a/.local/share/com.x/", 0},
		/* PathBuf::push: an absolute path replaces the base. */
		{CG_DIR_APP_DATA, "/etc/passwd", "/etc/passwd", 0},
		{CG_DIR_HOME, "a/../b", "/home/a/a/../b", 0},
		{CG_DIR_RESOURCE, "../assets/a.png", "/opt/x/res/_up_/assets/a.png", 0},
		{CG_DIR_RESOURCE, "/abs/x", "/opt/x/res/_root_/abs/x", 0},
		{CG_DIR_RESOURCE, "./a/./b//c/", "/opt/x/res/a/b/c", 0},
		{CG_DIR_RUNTIME, "x", NULL, CG_ENOTFOUND},
		{0, "x", NULL, CG_EINVAL},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *out = (char *)"x";
		int rc = cg_paths_resolve_directory(p, v[i].dir, v[i].path, &out);
		ck_assert_msg(rc == v[i].rc, "case %zu: %d", i, rc);
		if (v[i].want) {
			ck_assert_str_eq(out, v[i].want);
			free(out);
		} else {
			ck_assert_ptr_null(out);
		}
	}
	cg_paths_free(p);
}
END_TEST

START_TEST(test_expand)
{
	struct fake_env e = {{{"HOME", "/home/we*rd"}}, NULL};
	cg_paths *p = paths_for(&e, "com.x", NULL);
	static const struct {
		const char *in;
		unsigned flags;
		const char *want;
		int rc;
	} v[] = {
		{"$APPDATA/**", 0, "/home/we*rd/.local/share/com.x/**", 0},
		{"$APPDATA/**", CG_PATHS_GLOB, "/home/we[*]rd/.local/share/com.x/**", 0},
		{"$APPDATA", 0, "/home/we*rd/.local/share/com.x", 0},
		{"$HOME/../etc/passwd", 0, "/home/we*rd/etc/passwd", 0},
		{"$HOME/a/../../b", 0, "/home/we*rd/a/b", 0},
		{"/abs/../x/./y//z/", 0, "/abs/x/y/z", 0},
		{"x/$HOME/y", 0, "x/$HOME/y", 0},     /* only the first component */
		{"/$HOME/y", 0, "/$HOME/y", 0},
		{"$NOPE/x", 0, "$NOPE/x", 0},          /* unknown: literal */
		{"$APPDATAx/y", 0, "$APPDATAx/y", 0},
		{"$appdata/y", 0, "$appdata/y", 0},
		{"../x", 0, "../x", 0},                /* a first ".." is kept */
		{"./x", 0, "./x", 0},
		{"", 0, "", 0},
		{"//x", 0, "/x", 0},
		{"$RUNTIME/x", 0, NULL, CG_ENOTFOUND}, /* Tauri drops the entry */
		{"$RESOURCE/x", 0, NULL, CG_ENOTFOUND},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *out = NULL;
		int rc = cg_paths_expand(p, v[i].in, v[i].flags, &out);
		ck_assert_msg(rc == v[i].rc, "\"%s\": %d", v[i].in, rc);
		if (v[i].want) {
			ck_assert_msg(strcmp(out, v[i].want) == 0, "\"%s\": \"%s\", want \"%s\"", v[i].in,
				      out, v[i].want);
			free(out);
		} else {
			ck_assert_ptr_null(out);
		}
	}
	char *out;
	ck_assert_int_eq(cg_paths_expand(p, "x", 8, &out), CG_EINVAL);
	cg_paths_free(p);
}
END_TEST

/* ------------------------------------------------------ path functions */

struct pcase {
	const char *in, *want; /* want NULL: CG_ENOTFOUND */
};

static void run1(int (*fn)(const char *, char **), const char *name, const struct pcase *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *out = (char *)"x";
		int rc = fn(v[i].in, &out);
		if (!v[i].want) {
			ck_assert_msg(rc == CG_ENOTFOUND, "%s(\"%s\"): %d \"%s\"", name, v[i].in, rc,
				      rc == 0 ? out : "");
			ck_assert_ptr_null(out);
			continue;
		}
		ck_assert_msg(rc == 0, "%s(\"%s\"): %d", name, v[i].in, rc);
		ck_assert_msg(strcmp(out, v[i].want) == 0, "%s(\"%s\") = \"%s\", want \"%s\"", name,
			      v[i].in, out, v[i].want);
		free(out);
	}
}

#define RUN1(fn, v) run1(fn, #fn, v, sizeof(v) / sizeof(v[0]))

START_TEST(test_normalize)
{
	static const struct pcase v[] = {
		{"/foo/bar//baz/asdf/quux/..", "/foo/bar/baz/asdf"},
		{"", ""},          /* Tauri: "" (Node: ".") */
		{".", "."},
		{"..", ".."},
		{"../a", "a"},     /* Tauri pops nothing off an empty path */
		{"a/..", ""},
		{"/", "//"},       /* Tauri adds the trailing separator back */
		{"/..", "/"},
		{"a/", "a/"},
		{"a/b/../", "a/"},
		{"./a", "a"},
		{"a\\", "a\\/"},
		{"a//b/./c", "a/b/c"},
	};
	RUN1(cg_path_normalize, v);
}
END_TEST

START_TEST(test_dirname_extname)
{
	static const struct pcase dir[] = {
		{"/a/b/c", "/a/b"}, {"/a/b/c/", "/a/b"}, {"a", ""}, {"/a", "/"}, {"/", NULL},
		{"", NULL}, {"./a", "."}, {"a/./b", "a"}, {"//a", "/"}, {"..", ""}, {"a/..", "a"},
		{".", ""}, {"/./b", "/"}, {"a./b", "a."}, {"a/b/.", "a"},
	};
	RUN1(cg_path_dirname, dir);
	static const struct pcase ext[] = {
		{"/a/b.txt", "txt"}, {"a.tar.gz", "gz"}, {".bashrc", NULL}, {"a.", ""},
		{"a", NULL}, {"a/..", NULL}, {"/a.b/c", NULL}, {"a.txt/", "txt"}, {"a/.", NULL},
		{"/", NULL}, {"..a", "a"},
	};
	RUN1(cg_path_extname, ext);
}
END_TEST

START_TEST(test_basename_is_absolute)
{
	/* Tauri's own cases (plugin.rs tests::basename) first. */
	static const struct {
		const char *path, *ext, *want;
	} v[] = {
		{"/path/to/some-json-file.json", ".json", "some-json-file"},
		{"/path/to/some-json-file.json", "json", "some-json-file."},
		{"/path/to/some-json-file.html.json", ".json", "some-json-file.html"},
		{"/path/to/some-json-file.json.json", ".json", "some-json-file.json"},
		{"/path/to/some-json-file.json.html", ".json", "some-json-file.json.html"},
		{"a/b/", NULL, "b"},
		{"/a/.json", ".json", ""},
		{"x", "longer-than-x", "x"},
		{"/", NULL, NULL},
		{"..", NULL, NULL},
		{"", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *out = NULL;
		int rc = cg_path_basename(v[i].path, v[i].ext, &out);
		if (!v[i].want) {
			ck_assert_int_eq(rc, CG_ENOTFOUND);
			continue;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_str_eq(out, v[i].want);
		free(out);
	}
	ck_assert_int_eq(cg_path_is_absolute("/a"), 1);
	ck_assert_int_eq(cg_path_is_absolute("a/b"), 0);
	ck_assert_int_eq(cg_path_is_absolute(""), 0);
	ck_assert_int_eq(cg_path_is_absolute(NULL), 0);
}
END_TEST

static void want_list(int (*fn)(const char *const *, size_t, char **), const char *const *in, size_t n,
		      const char *want)
{
	char *out = NULL;
	ck_assert_int_eq(fn(in, n, &out), 0);
	ck_assert_msg(strcmp(out, want) == 0, "\"%s\", want \"%s\"", out, want);
	free(out);
}

static const char *cwd_for_test = "/work/app";

static int resolve_in_cwd(const char *const *paths, size_t n, char **out)
{
	return cg_path_resolve(cwd_for_test, paths, n, out);
}

START_TEST(test_join_resolve)
{
	const char *a[] = {"a", "b"}, *b[] = {"/a", "b", "../c"}, *c[] = {"a", "/b"},
		   *d[] = {"", ""}, *e[] = {"a", ".."}, *f[] = {"a/", "b/"}, *g[] = {"a\\", "b"},
		   *h[] = {"", "a"}, *k[] = {"a", "", "b"}, *m[] = {"a", "/b", "c"};
	want_list(cg_path_join, a, 2, "a/b");
	want_list(cg_path_join, b, 3, "/a/c");
	want_list(cg_path_join, c, 2, "a/b"); /* no replacing: text joined */
	want_list(cg_path_join, NULL, 0, ".");
	want_list(cg_path_join, d, 2, ".");   /* "/" before Tauri 2.6 (tauri#13313) */
	want_list(cg_path_join, e, 2, ".");
	want_list(cg_path_join, f, 2, "a/b");
	want_list(cg_path_join, g, 2, "a\\b");
	/* Tauri's own join tests (plugin.rs, since 2.6). */
	want_list(cg_path_join, h, 2, "a");
	want_list(cg_path_join, k, 3, "a/b");
	want_list(cg_path_join, m, 3, "a/b/c");

	const char *r1[] = {"."}, *r2[] = {"/foo/bar", "/tmp/file", "baz"}, *r3[] = {"a", "../b"},
		   *r4[] = {"/..", "x"}, *r5[] = {"a/", ""};
	want_list(resolve_in_cwd, NULL, 0, "/work/app");
	want_list(resolve_in_cwd, r1, 1, "/work/app");
	want_list(resolve_in_cwd, r2, 3, "/tmp/file/baz");
	want_list(resolve_in_cwd, r3, 2, "/work/app/b");
	want_list(resolve_in_cwd, r4, 2, "/x");
	want_list(resolve_in_cwd, r5, 2, "/work/app/a");
	char *out;
	ck_assert_int_eq(cg_path_join(NULL, 1, &out), CG_EINVAL);
	ck_assert_int_eq(cg_path_resolve(NULL, r1, 1, &out), CG_EINVAL);
}
END_TEST

START_TEST(test_push_lexical)
{
	static const struct {
		const char *base, *comp, *want;
	} v[] = {
		{"/a", "b", "/a/b"}, {"/a/", "b", "/a/b"}, {"", "b", "b"},
		{"/a", "/b", "/b"}, {"/a", "", "/a/"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *out;
		ck_assert_int_eq(cg_path_push(v[i].base, v[i].comp, &out), 0);
		ck_assert_str_eq(out, v[i].want);
		free(out);
	}
	static const struct pcase lex[] = {
		{"/a//b/./c/", "/a/b/c"}, {"./a/", "./a"}, {"a/../b", "a/../b"},
		{"", ""}, {"/", "/"}, {"//", "/"}, {"a/./.", "a"}, {".", "."},
	};
	RUN1(cg_path_lexical, lex);
}
END_TEST

/* ------------------------------------------- against Rust, recorded */

struct out {
	char s[1024];
	size_t n;
};

static void put(struct out *o, const char *t)
{
	size_t n = strlen(t);
	ck_assert(o->n + n < sizeof(o->s));
	memcpy(o->s + o->n, t, n + 1);
	o->n += n;
}

/* Rust's {:?} of a string (only '\\' and '"' occur escaped here). */
static void put_q(struct out *o, const char *t)
{
	char c[2] = {0, 0};
	put(o, "\"");
	for (; *t; t++) {
		if (*t == '\\' || *t == '"')
			put(o, "\\");
		c[0] = *t;
		put(o, c);
	}
	put(o, "\"");
}

static void put_opt(struct out *o, int rc, char *t)
{
	ck_assert(rc == 0 || rc == CG_ENOTFOUND);
	if (rc == 0) {
		put(o, "Some(");
		put_q(o, t);
		put(o, ")");
		free(t);
	} else {
		put(o, "None");
	}
}

static void put_str(struct out *o, int rc, char *t)
{
	ck_assert_int_eq(rc, 0);
	put_q(o, t);
	free(t);
}

/* tests/data/paths/rust-std-path.txt: what Rust's std::path and Tauri's
 * command logic answered for 600 random paths (its README says how). */
START_TEST(test_against_rust_std_path)
{
	char path[1024], (*in)[64] = calloc(600, 64);
	char line[2048];
	size_t n = 0;
	FILE *f;

	ck_assert_ptr_nonnull(in);
	snprintf(path, sizeof(path), "%s/tests/data/paths/rust-std-path.txt", SRCDIR);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: cannot open", path);
	char (*lines)[2048] = calloc(600, 2048);
	ck_assert_ptr_nonnull(lines);
	while (n < 600 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		strcpy(lines[n], line);
		/* The input: the first field, unquoted. */
		size_t o = 0;
		ck_assert(line[0] == '"');
		for (const char *c = line + 1; *c != '"'; c++) {
			if (*c == '\\')
				c++;
			in[n][o++] = *c;
		}
		in[n][o] = '\0';
		n++;
	}
	fclose(f);
	ck_assert_uint_eq(n, 600);
	for (size_t i = 0; i < n; i++) {
		const char *p = in[i], *two[2] = {in[i], in[(i * 7 + 3) % n]};
		struct out o = {{0}, 0};
		char *t = NULL;
		int rc;
		put_q(&o, p);
		put(&o, "|");
		rc = cg_path_normalize(p, &t);
		put_str(&o, rc, t);
		put(&o, "|");
		rc = cg_path_dirname(p, &t);
		put_opt(&o, rc, t);
		put(&o, "|");
		rc = cg_path_extname(p, &t);
		put_opt(&o, rc, t);
		put(&o, "|");
		rc = cg_path_basename(p, NULL, &t);
		put_opt(&o, rc, t);
		put(&o, "|");
		rc = cg_path_lexical(p, &t);
		put_str(&o, rc, t);
		put(&o, "|");
		rc = cg_path_join(two, 2, &t);
		put_str(&o, rc, t);
		put(&o, "|");
		rc = cg_path_resolve("/cwd", two, 2, &t);
		put_str(&o, rc, t);
		put(&o, "|");
		rc = cg_path_push(two[0], two[1], &t);
		put_str(&o, rc, t);
		put(&o, cg_path_is_absolute(p) ? "|true" : "|false");
		ck_assert_msg(strcmp(o.s, lines[i]) == 0, "line %zu:\n  rust: %s\n  here: %s", i + 1,
			      lines[i], o.s);
	}
	free(in);
	free(lines);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("paths");
	TCase *tc = tcase_create("directories");
	tcase_add_test(tc, test_js_numbering);
	tcase_add_test(tc, test_defaults_from_home);
	tcase_add_test(tc, test_xdg_variables);
	tcase_add_test(tc, test_home_fallbacks);
	tcase_add_test(tc, test_config_errors);
	tcase_add_test(tc, test_resolve_directory);
	tcase_add_test(tc, test_expand);
	suite_add_tcase(s, tc);
	tc = tcase_create("functions");
	tcase_add_test(tc, test_normalize);
	tcase_add_test(tc, test_dirname_extname);
	tcase_add_test(tc, test_basename_is_absolute);
	tcase_add_test(tc, test_join_resolve);
	tcase_add_test(tc, test_push_lexical);
	tcase_add_test(tc, test_against_rust_std_path);
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
