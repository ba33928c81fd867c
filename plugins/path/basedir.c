/*
 * The base directories, as Tauri 2 resolves them on Linux
 * (crates/tauri/src/path/desktop.rs) through the `dirs` crate:
 *   Home        $HOME if set and not empty, else the password database
 *   Cache       $XDG_CACHE_HOME if absolute, else Home/.cache
 *   Config      $XDG_CONFIG_HOME if absolute, else Home/.config
 *   Data        $XDG_DATA_HOME if absolute, else Home/.local/share
 *   LocalData   Data
 *   Executable  $XDG_BIN_HOME if absolute, else Home/.local/bin
 *   Font        Data/fonts
 *   Runtime     $XDG_RUNTIME_DIR if absolute, else unknown
 *   Audio, Desktop, Document, Download, Picture, Public, Template, Video:
 *               XDG_MUSIC_DIR, ..._DESKTOP_, _DOCUMENTS_, _DOWNLOAD_,
 *               _PICTURES_, _PUBLICSHARE_, _TEMPLATES_, _VIDEOS_ in
 *               Config/user-dirs.dirs (dirs-sys' xdg_user_dirs), else
 *               unknown
 *   Temp        $TMPDIR, else /tmp (std::env::temp_dir)
 *   Resource    what the host says
 *   AppConfig, AppData, AppLocalData, AppCache: Config, Data, LocalData,
 *               Cache, each /<identifier>; AppLog LocalData/<identifier>/logs
 * Joins are PathBuf::push (no '/' doubled, a trailing one kept). Two
 * deliberate differences: a relative $HOME is ignored like an empty one,
 * and a relative or empty $TMPDIR gives /tmp, so that no directory (and
 * no scope built on one) depends on the current directory.
 */
#include "path/paths.h"

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cg_paths {
	char *dir[CG_DIR_MAX + 1]; /* NULL: unknown */
};

static const struct {
	const char *var, *name;
} basedirs[CG_DIR_MAX + 1] = {
	[CG_DIR_AUDIO] = {"$AUDIO", "Audio"},
	[CG_DIR_CACHE] = {"$CACHE", "Cache"},
	[CG_DIR_CONFIG] = {"$CONFIG", "Config"},
	[CG_DIR_DATA] = {"$DATA", "Data"},
	[CG_DIR_LOCAL_DATA] = {"$LOCALDATA", "LocalData"},
	[CG_DIR_DOCUMENT] = {"$DOCUMENT", "Document"},
	[CG_DIR_DOWNLOAD] = {"$DOWNLOAD", "Download"},
	[CG_DIR_PICTURE] = {"$PICTURE", "Picture"},
	[CG_DIR_PUBLIC] = {"$PUBLIC", "Public"},
	[CG_DIR_VIDEO] = {"$VIDEO", "Video"},
	[CG_DIR_RESOURCE] = {"$RESOURCE", "Resource"},
	[CG_DIR_TEMP] = {"$TEMP", "Temp"},
	[CG_DIR_APP_CONFIG] = {"$APPCONFIG", "AppConfig"},
	[CG_DIR_APP_DATA] = {"$APPDATA", "AppData"},
	[CG_DIR_APP_LOCAL_DATA] = {"$APPLOCALDATA", "AppLocalData"},
	[CG_DIR_APP_CACHE] = {"$APPCACHE", "AppCache"},
	[CG_DIR_APP_LOG] = {"$APPLOG", "AppLog"},
	[CG_DIR_DESKTOP] = {"$DESKTOP", "Desktop"},
	[CG_DIR_EXECUTABLE] = {"$EXE", "Executable"},
	[CG_DIR_FONT] = {"$FONT", "Font"},
	[CG_DIR_HOME] = {"$HOME", "Home"},
	[CG_DIR_RUNTIME] = {"$RUNTIME", "Runtime"},
	[CG_DIR_TEMPLATE] = {"$TEMPLATE", "Template"},
};

const char *cg_basedir_variable(int dir)
{
	return dir >= 1 && dir <= CG_DIR_MAX ? basedirs[dir].var : NULL;
}

const char *cg_basedir_name(int dir)
{
	return dir >= 1 && dir <= CG_DIR_MAX ? basedirs[dir].name : NULL;
}

int cg_basedir_from_variable(const char *variable)
{
	if (!variable || variable[0] != '$')
		return 0;
	for (int d = 1; d <= CG_DIR_MAX; d++)
		if (strcmp(variable, basedirs[d].var) == 0)
			return d;
	return 0;
}

/* ------------------------------------------------------------ reading */

struct env {
	const cg_paths_config *cfg;
};

static const char *env_get(const struct env *e, const char *name)
{
	if (e->cfg && e->cfg->getenv)
		return e->cfg->getenv(e->cfg->ud, name);
	return getenv(name);
}

/* dirs_sys::is_absolute_path: set and starting with '/'. */
static const char *env_abs(const struct env *e, const char *name)
{
	const char *v = env_get(e, name);
	return v && v[0] == '/' ? v : NULL;
}

static char *passwd_home(const struct env *e)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (e->cfg && e->cfg->passwd_home) {
		const char *h = e->cfg->passwd_home(e->cfg->ud);
		return h && h[0] == '/' ? strdup(h) : NULL;
	}
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) != 0 || !res || !pw.pw_dir ||
	    pw.pw_dir[0] != '/')
		return NULL;
	return strdup(pw.pw_dir);
}

/* push, or NULL (unknown) when base is NULL or memory runs out; *oom is
 * raised in the second case. */
static char *join(const char *base, const char *comp, bool *oom)
{
	char *r = NULL;
	if (!base)
		return NULL;
	if (cg_path_push(base, comp, &r) < 0)
		*oom = true;
	return r;
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *r;
	if (!s)
		return NULL;
	r = strdup(s);
	if (!r)
		*oom = true;
	return r;
}

/* At most this much of user-dirs.dirs is read (xdg-user-dirs writes well
 * under 1 KiB); a longer file counts as unreadable. */
#define USER_DIRS_MAX (64 * 1024)

static char *read_small_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(USER_DIRS_MAX + 1);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, USER_DIRS_MAX + 1, f);
	fclose(f);
	if (n > USER_DIRS_MAX) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void trim_blank(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* dirs-sys' xdg_user_dirs::single: the first usable XDG_<NAME>_DIR line.
 * A line is KEY=VALUE (blanks around both trimmed), the value in double
 * quotes, either "$HOME/<rest>" (joined to home) or absolute; "$HOME/"
 * alone means disabled; backslashes escape the next byte. */
static char *user_dir(const char *file, size_t flen, const char *home, const char *name, bool *oom)
{
	size_t nlen = strlen(name);

	for (const char *line = file; line < file + flen;) {
		const char *end = memchr(line, '\n', (size_t)(file + flen - line));
		const char *eq, *key, *val;
		size_t klen, vlen;
		bool rel;

		if (!end)
			end = file + flen;
		eq = memchr(line, '=', (size_t)(end - line));
		key = line;
		val = eq ? eq + 1 : NULL;
		line = end + 1;
		if (!eq)
			continue;
		klen = (size_t)(eq - key);
		vlen = (size_t)(end - val);
		trim_blank(&key, &klen);
		if (klen != nlen + 8 || memcmp(key, "XDG_", 4) != 0 ||
		    memcmp(key + 4, name, nlen) != 0 || memcmp(key + 4 + nlen, "_DIR", 4) != 0)
			continue;
		trim_blank(&val, &vlen);
		/* (A lone '"' makes the crate panic slicing [1..0]; skipped.) */
		if (vlen < 2 || val[0] != '"' || val[vlen - 1] != '"')
			continue;
		val++;
		vlen -= 2;
		if (vlen == 6 && memcmp(val, "$HOME/", 6) == 0)
			continue;
		if (vlen >= 6 && memcmp(val, "$HOME/", 6) == 0) {
			val += 6;
			vlen -= 6;
			rel = true;
		} else if (vlen >= 1 && val[0] == '/') {
			rel = false;
		} else {
			continue;
		}
		char *v = malloc(vlen + 1), *o = v;
		if (!v) {
			*oom = true;
			return NULL;
		}
		for (size_t i = 0; i < vlen; i++) {
			if (val[i] == '\\') {
				if (++i >= vlen)
					break;
			}
			*o++ = val[i];
		}
		*o = '\0';
		if (!rel)
			return v;
		char *r = join(home, v, oom);
		free(v);
		return r;
	}
	return NULL;
}

static bool valid_identifier(const char *id)
{
	return id[0] && !strchr(id, '/') && strcmp(id, ".") != 0 && strcmp(id, "..") != 0;
}

int cg_paths_new(const cg_paths_config *cfg, cg_paths **out)
{
	struct env e = {cfg};
	const char *id = cfg ? cfg->identifier : NULL;
	const char *res = cfg ? cfg->resource_dir : NULL;
	const char *v, *cfg_home;
	char **d, *file = NULL, *udfile = NULL;
	bool oom = false;
	cg_paths *p;
	size_t flen = 0;

	if (out)
		*out = NULL;
	if (!out)
		return CG_EINVAL;
	if ((id && !valid_identifier(id)) || (res && res[0] != '/'))
		return CG_EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return CG_ENOMEM;
	d = p->dir;

	v = env_get(&e, "HOME");
	d[CG_DIR_HOME] = v && v[0] == '/' ? dup_or_null(v, &oom) : passwd_home(&e);
	const char *home = d[CG_DIR_HOME];

	d[CG_DIR_CACHE] = (v = env_abs(&e, "XDG_CACHE_HOME")) ? dup_or_null(v, &oom)
							      : join(home, ".cache", &oom);
	d[CG_DIR_CONFIG] = (v = env_abs(&e, "XDG_CONFIG_HOME")) ? dup_or_null(v, &oom)
								: join(home, ".config", &oom);
	d[CG_DIR_DATA] = (v = env_abs(&e, "XDG_DATA_HOME")) ? dup_or_null(v, &oom)
							    : join(home, ".local/share", &oom);
	d[CG_DIR_LOCAL_DATA] = dup_or_null(d[CG_DIR_DATA], &oom);
	d[CG_DIR_EXECUTABLE] = (v = env_abs(&e, "XDG_BIN_HOME")) ? dup_or_null(v, &oom)
								 : join(home, ".local/bin", &oom);
	d[CG_DIR_FONT] = join(d[CG_DIR_DATA], "fonts", &oom);
	d[CG_DIR_RUNTIME] = dup_or_null(env_abs(&e, "XDG_RUNTIME_DIR"), &oom);
	v = env_abs(&e, "TMPDIR");
	d[CG_DIR_TEMP] = dup_or_null(v ? v : "/tmp", &oom);
	d[CG_DIR_RESOURCE] = dup_or_null(res, &oom);

	/* user-dirs.dirs lives in $XDG_CONFIG_HOME or Home/.config, and
	 * needs a home (dirs_sys::user_dir returns None without one). */
	if (home) {
		cfg_home = env_abs(&e, "XDG_CONFIG_HOME");
		char *cdir = cfg_home ? dup_or_null(cfg_home, &oom) : join(home, ".config", &oom);
		udfile = join(cdir, "user-dirs.dirs", &oom);
		free(cdir);
		file = udfile ? read_small_file(udfile, &flen) : NULL;
	}
	if (file) {
		static const struct {
			int dir;
			const char *name;
		} ud[] = {
			{CG_DIR_AUDIO, "MUSIC"}, {CG_DIR_DESKTOP, "DESKTOP"},
			{CG_DIR_DOCUMENT, "DOCUMENTS"}, {CG_DIR_DOWNLOAD, "DOWNLOAD"},
			{CG_DIR_PICTURE, "PICTURES"}, {CG_DIR_PUBLIC, "PUBLICSHARE"},
			{CG_DIR_TEMPLATE, "TEMPLATES"}, {CG_DIR_VIDEO, "VIDEOS"},
		};
		for (size_t i = 0; i < sizeof(ud) / sizeof(ud[0]); i++)
			d[ud[i].dir] = user_dir(file, flen, home, ud[i].name, &oom);
	}
	free(file);
	free(udfile);

	if (id) {
		d[CG_DIR_APP_CONFIG] = join(d[CG_DIR_CONFIG], id, &oom);
		d[CG_DIR_APP_DATA] = join(d[CG_DIR_DATA], id, &oom);
		d[CG_DIR_APP_LOCAL_DATA] = join(d[CG_DIR_LOCAL_DATA], id, &oom);
		d[CG_DIR_APP_CACHE] = join(d[CG_DIR_CACHE], id, &oom);
		char *log = join(d[CG_DIR_LOCAL_DATA], id, &oom);
		d[CG_DIR_APP_LOG] = join(log, "logs", &oom);
		free(log);
	}
	if (oom) {
		cg_paths_free(p);
		return CG_ENOMEM;
	}
	*out = p;
	return 0;
}

void cg_paths_free(cg_paths *p)
{
	if (!p)
		return;
	for (int i = 0; i <= CG_DIR_MAX; i++)
		free(p->dir[i]);
	free(p);
}

int cg_paths_dir(const cg_paths *p, int dir, const char **out)
{
	if (out)
		*out = NULL;
	if (!p || !out || dir < 1 || dir > CG_DIR_MAX)
		return CG_EINVAL;
	if (!p->dir[dir])
		return CG_ENOTFOUND;
	*out = p->dir[dir];
	return 0;
}

/* ------------------------------------------------------- with a path */

int cg_paths_resolve_directory(const cg_paths *p, int dir, const char *path, char **out)
{
	const char *base;
	int rc;

	if (out)
		*out = NULL;
	if (!out)
		return CG_EINVAL;
	if ((rc = cg_paths_dir(p, dir, &base)) < 0)
		return rc;
	if (!path) {
		*out = strdup(base);
		return *out ? 0 : CG_ENOMEM;
	}
	if (dir != CG_DIR_RESOURCE)
		return cg_path_push(base, path, out);

	/* Resources: each component pushed, the root as "_root_" and ".."
	 * as "_up_" (what the bundler does to `resources` paths). */
	char *lex = NULL, *acc = strdup(""), *tmp = NULL;
	if (!acc || cg_path_lexical(path, &lex) < 0)
		goto oom;
	const char *c = lex;
	if (*c == '/') {
		if (cg_path_push(acc, "_root_", &tmp) < 0)
			goto oom;
		free(acc);
		acc = tmp;
		c++;
	}
	while (*c) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		char *comp = strndup(c, n);
		if (!comp)
			goto oom;
		if (strcmp(comp, "..") == 0) {
			free(comp);
			comp = strdup("_up_");
		}
		if (!comp || (strcmp(comp, ".") != 0 && cg_path_push(acc, comp, &tmp) < 0)) {
			free(comp);
			goto oom;
		}
		if (strcmp(comp, ".") != 0) {
			free(acc);
			acc = tmp;
		}
		free(comp);
		c += n;
		if (*c == '/')
			c++;
	}
	rc = cg_path_push(base, acc, out);
	free(lex);
	free(acc);
	return rc;
oom:
	free(lex);
	free(acc);
	return CG_ENOMEM;
}

int cg_paths_expand(const cg_paths *p, const char *path, unsigned flags, char **out)
{
	const char *c = path, *e;
	char *acc = NULL, *tmp = NULL, *first = NULL;
	size_t n;
	int rc, dir;

	if (out)
		*out = NULL;
	if (!p || !path || !out || (flags & ~CG_PATHS_GLOB))
		return CG_EINVAL;

	/* The first component: a root, or the first name. */
	if (*c == '/') {
		first = strdup("/");
		while (*c == '/')
			c++;
	} else {
		while (*c == '/')
			c++;
		e = strchr(c, '/');
		n = e ? (size_t)(e - c) : strlen(c);
		first = strndup(c, n);
		c += n;
		if (first && (dir = cg_basedir_from_variable(first)) != 0) {
			const char *value;
			free(first);
			first = NULL;
			if ((rc = cg_paths_dir(p, dir, &value)) < 0)
				return rc;
			first = (flags & CG_PATHS_GLOB) ? cg_glob_escape(value) : strdup(value);
		}
		/* "." counts as the first component only where Rust sees a
		 * CurDir: "./x" (a later "." is no component at all). */
	}
	if (!first)
		return CG_ENOMEM;
	acc = first;
	while (*c) {
		while (*c == '/')
			c++;
		if (!*c)
			break;
		e = strchr(c, '/');
		n = e ? (size_t)(e - c) : strlen(c);
		if ((n == 2 && c[0] == '.' && c[1] == '.') || (n == 1 && c[0] == '.')) {
			c += n;
			continue;
		}
		char *comp = strndup(c, n);
		c += n;
		if (!comp || cg_path_push(acc, comp, &tmp) < 0) {
			free(comp);
			free(acc);
			return CG_ENOMEM;
		}
		free(comp);
		free(acc);
		acc = tmp;
	}
	*out = acc;
	return 0;
}
