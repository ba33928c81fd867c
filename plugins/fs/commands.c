/*
 * The fs plugin's commands, in @tauri-apps/plugin-fs's wire format
 * (plugins-workspace plugins/fs/src/commands.rs and guest-js), on the
 * framework (cg_plugin_def): every path goes through the caller's scope,
 * compiled once per policy (cg_call_plugin_scope), and is opened only by
 * the race-free operations of scope.h. Errors are Tauri's strings where
 * the JS shows them ("forbidden path: ...", "failed to open file at path:
 * ... with error: <io error> (os error N)"); a refusal also says which
 * entry refused and what would grant it.
 */
#include "fs/plugin.h"
#include "fs/manifest.h"
#include "fs/scope.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fs_state {
	cg_paths *paths;
	unsigned flags;          /* CG_FS_DOTFILES */
} fs_state;

/* ------------------------------------------------------------- helpers */

static int reject_fmt(cg_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reject_fmt(cg_call *c, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cg_call_reject(c, buf);
	return 0;
}

/* A refusal by the scope, as Tauri words it, then why. */
static int forbidden(cg_call *c, const char *path, const cg_fs_why *why)
{
	const char *cmd = strchr(cg_call_command(c), '|');
	cmd = cmd ? cmd + 1 : cg_call_command(c);
	switch (why->verdict) {
	case CG_FS_DENIED:
		return reject_fmt(c, "forbidden path: %s (denied by the fs scope entry \"%s\")", path,
				  why->entry ? why->entry : "?");
	case CG_FS_BAD_PATH:
		return reject_fmt(c, "forbidden path: %s (%s)", path,
				  why->problem ? why->problem : "not a valid path");
	default:
		return reject_fmt(c,
				  "forbidden path: %s, maybe it is not allowed on the scope for `allow-%s` "
				  "permission in your capability file (add a scope entry for it, e.g. "
				  "{\"identifier\": \"fs:allow-%s\", \"allow\": [{\"path\": \"...\"}]})",
				  path, cmd, cmd);
	}
}

/* A failed operation: the scope's refusal, or Tauri's io error text. */
static int failed(cg_call *c, int rc, const char *what, const char *path, const cg_fs_why *why)
{
	if (rc == -EACCES && why->verdict != CG_FS_ALLOWED)
		return forbidden(c, why->path ? why->path : path, why);
	if (rc == -EINVAL && why->verdict == CG_FS_BAD_PATH)
		return forbidden(c, path, why);
	return reject_fmt(c, "failed to %s: %s with error: %s (os error %d)", what, path,
			  strerror(-rc), -rc);
}

static json_object *arg(cg_call *c, const char *name)
{
	json_object *a = cg_call_args(c), *v = NULL;
	return a && json_object_object_get_ex(a, name, &v) ? v : NULL;
}

/* options.<key> as a base directory: 0 when absent or null. */
static int base_dir(json_object *options, const char *key, int *dir)
{
	json_object *v = NULL;
	*dir = 0;
	if (!options || !json_object_object_get_ex(options, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return CG_EINVAL;
	int64_t n = json_object_get_int64(v);
	if (n < 1 || n > CG_DIR_MAX)
		return CG_EINVAL;
	*dir = (int)n;
	return 0;
}

/* The path a caller means: path, or below its base directory. NULL after
 * answering the call. */
static char *resolve(cg_call *c, const fs_state *st, json_object *path, json_object *options,
		     const char *base_key)
{
	int dir;
	if (!path || !json_object_is_type(path, json_type_string)) {
		reject_fmt(c, "invalid args: a path (a string) is expected");
		return NULL;
	}
	if (base_dir(options, base_key, &dir) < 0) {
		reject_fmt(c, "invalid args `options`: %s is not a BaseDirectory", base_key);
		return NULL;
	}
	const char *p = json_object_get_string(path);
	if (strlen(p) != (size_t)json_object_get_string_len(path)) {
		reject_fmt(c, "forbidden path: a path with a NUL byte");
		return NULL;
	}
	char *out = NULL;
	if (!dir)
		out = strdup(p);
	else if (cg_paths_resolve_directory(st->paths, dir, p, &out) < 0) {
		reject_fmt(c, "unknown path: the %s directory is not known here",
			   cg_basedir_name(dir));
		return NULL;
	}
	if (!out)
		cg_call_reject(c, "out of memory");
	return out;
}

static char *resolve_std(cg_call *c, const fs_state *st)
{
	return resolve(c, st, arg(c, "path"), arg(c, "options"), "baseDir");
}

static int scope_of(cg_call *c, const cg_fs_scope **s)
{
	const void *p = NULL;
	int rc = cg_call_plugin_scope(c, &p);
	if (rc < 0)
		reject_fmt(c, "the fs scope granted to this window does not compile (%s); "
			      "run `capgate lint` on the capabilities", cg_strerror(rc));
	*s = p;
	return rc;
}

static bool get_bool(json_object *o, const char *key, bool def)
{
	json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return def;
	return json_object_get_boolean(v);
}

static int read_all(int fd, unsigned char **data, size_t *len)
{
	struct stat sb;
	size_t cap = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0
			     ? (size_t)sb.st_size + 1
			     : 65536;
	unsigned char *buf = malloc(cap);
	size_t n = 0;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			unsigned char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*data = buf;
	*len = n;
	return 0;
}

static int write_all(int fd, const unsigned char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* ------------------------------------------------------------ commands */

/* read_file and read_text_file: the bytes (an ArrayBuffer in the page;
 * plugin-fs 2.0.3+ decodes text itself). */
static int cmd_read_file(cg_call *c, void *user)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	char *path = resolve_std(c, user);
	if (!path)
		return 0;
	cg_fs_why why = {0};
	int fd = cg_fs_open(s, NULL, path, O_RDONLY, 0, &why);
	if (fd < 0) {
		failed(c, fd, "open file at path", path, &why);
		free(path);
		return 0;
	}
	unsigned char *data = NULL;
	size_t len = 0;
	int rc = read_all(fd, &data, &len);
	close(fd);
	if (rc < 0)
		failed(c, rc, "read file at path", path, &why);
	else
		cg_call_resolve_bytes_take(c, data, len, free);
	free(path);
	return 0;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* percent_encoding::percent_decode: a '%' not followed by two hex digits
 * stays as it is. NULL when memory runs out or the result has a NUL. */
static char *percent_decode(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
		    (l = hexval(s[i + 2])) >= 0) {
			*o++ = (char)(h * 16 + l);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = 0;
	if ((size_t)(o - out) != strlen(out)) {
		free(out);
		return NULL;
	}
	return out;
}

/* write_file and write_text_file: the body raw (or, from an old page, a
 * JSON array of numbers), the path and options in headers. */
static int cmd_write_file(cg_call *c, void *user)
{
	const fs_state *st = user;
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	size_t len = 0;
	const unsigned char *data = cg_call_body(c, &len);
	unsigned char *owned = NULL;
	if (!data) {
		json_object *a = cg_call_args(c);
		if (!a || !json_object_is_type(a, json_type_array))
			return reject_fmt(c, "unexpected invoke body");
		len = json_object_array_length(a);
		owned = malloc(len ? len : 1);
		if (!owned)
			return CG_ENOMEM;
		for (size_t i = 0; i < len; i++)
			owned[i] = (unsigned char)json_object_get_int(json_object_array_get_idx(a, i));
		data = owned;
	}
	const char *hp = cg_call_header(c, "path");
	if (!hp) {
		free(owned);
		return reject_fmt(c, "missing file path");
	}
	char *decoded = percent_decode(hp);
	if (!decoded) { /* a NUL inside, or no memory; bad UTF-8 is refused by the scope */
		free(decoded);
		free(owned);
		return reject_fmt(c, "path is not a valid UTF-8");
	}
	const char *ho = cg_call_header(c, "options");
	json_object *options = ho ? json_tokener_parse(ho) : NULL;
	if (options && !json_object_is_type(options, json_type_object)) {
		json_object_put(options);
		options = NULL; /* as serde's .ok(): unreadable options are none */
	}
	json_object *jpath = json_object_new_string(decoded);
	free(decoded);
	char *path = resolve(c, st, jpath, options, "baseDir");
	json_object_put(jpath);
	if (!path) {
		json_object_put(options);
		free(owned);
		return 0;
	}
	bool append = get_bool(options, "append", false);
	bool create = get_bool(options, "create", true);
	bool create_new = get_bool(options, "createNew", false);
	json_object *m = NULL;
	mode_t mode = 0666;
	if (options && json_object_object_get_ex(options, "mode", &m) && m)
		mode = (mode_t)json_object_get_int64(m) & 07777;
	int flags = O_WRONLY | (append ? O_APPEND : O_TRUNC);
	if (create_new)
		flags |= O_CREAT | O_EXCL;
	else if (create)
		flags |= O_CREAT;
	json_object_put(options);
	cg_fs_why why = {0};
	int fd = cg_fs_open(s, NULL, path, flags, mode, &why);
	if (fd < 0) {
		failed(c, fd, "open file at path", path, &why);
	} else {
		int rc = write_all(fd, data, len);
		if (rc == 0 && close(fd) < 0)
			rc = -errno;
		else if (rc < 0)
			close(fd);
		if (rc < 0)
			failed(c, rc, "write bytes to file at path", path, &why);
		else
			cg_call_resolve(c, NULL);
	}
	free(path);
	free(owned);
	return 0;
}

static int cmd_exists(cg_call *c, void *user)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	char *path = resolve_std(c, user);
	if (!path)
		return 0;
	struct stat sb;
	cg_fs_why why = {0};
	int rc = cg_fs_stat(s, NULL, path, 0, &sb, &why);
	if (rc == -EACCES && why.verdict != CG_FS_ALLOWED)
		forbidden(c, path, &why);
	else if (rc == -EINVAL && why.verdict == CG_FS_BAD_PATH)
		forbidden(c, path, &why);
	else
		cg_call_resolve(c, json_object_new_boolean(rc == 0));
	free(path);
	return 0;
}

static json_object *ms(const struct timespec *t)
{
	return json_object_new_int64((int64_t)t->tv_sec * 1000 + t->tv_nsec / 1000000);
}

/* Tauri's FileInfo (its field "fileAttribues" misspelt as Tauri spells it). */
static json_object *file_info(const struct stat *sb)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "isFile", json_object_new_boolean(S_ISREG(sb->st_mode)));
	json_object_object_add(o, "isDirectory", json_object_new_boolean(S_ISDIR(sb->st_mode)));
	json_object_object_add(o, "isSymlink", json_object_new_boolean(S_ISLNK(sb->st_mode)));
	json_object_object_add(o, "size", json_object_new_int64(sb->st_size));
	json_object_object_add(o, "mtime", ms(&sb->st_mtim));
	json_object_object_add(o, "atime", ms(&sb->st_atim));
	json_object_object_add(o, "birthtime", NULL);
	json_object_object_add(o, "readonly", json_object_new_boolean(!(sb->st_mode & 0222)));
	json_object_object_add(o, "fileAttribues", NULL);
	json_object_object_add(o, "dev", json_object_new_int64((int64_t)sb->st_dev));
	json_object_object_add(o, "ino", json_object_new_int64((int64_t)sb->st_ino));
	json_object_object_add(o, "mode", json_object_new_int64(sb->st_mode));
	json_object_object_add(o, "nlink", json_object_new_int64((int64_t)sb->st_nlink));
	json_object_object_add(o, "uid", json_object_new_int64(sb->st_uid));
	json_object_object_add(o, "gid", json_object_new_int64(sb->st_gid));
	json_object_object_add(o, "rdev", json_object_new_int64((int64_t)sb->st_rdev));
	json_object_object_add(o, "blksize", json_object_new_int64(sb->st_blksize));
	json_object_object_add(o, "blocks", json_object_new_int64(sb->st_blocks));
	return o;
}

/* stat follows no symlink below a scope root: a link there is ELOOP
 * (lstat describes the link itself). */
static int do_stat(cg_call *c, void *user, int follow)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	char *path = resolve_std(c, user);
	if (!path)
		return 0;
	struct stat sb;
	cg_fs_why why = {0};
	int rc = cg_fs_stat(s, NULL, path, follow, &sb, &why);
	if (rc < 0)
		failed(c, rc, "get metadata of path", path, &why);
	else
		cg_call_resolve(c, file_info(&sb));
	free(path);
	return 0;
}

static int cmd_stat(cg_call *c, void *user) { return do_stat(c, user, 1); }
static int cmd_lstat(cg_call *c, void *user) { return do_stat(c, user, 0); }

static int cmd_mkdir(cg_call *c, void *user)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	char *path = resolve_std(c, user);
	if (!path)
		return 0;
	json_object *options = arg(c, "options"), *m = NULL;
	mode_t mode = 0777;
	if (options && json_object_object_get_ex(options, "mode", &m) && m)
		mode = (mode_t)json_object_get_int64(m) & 0777;
	cg_fs_why why = {0};
	int rc = cg_fs_mkdir(s, NULL, path, mode,
			     get_bool(options, "recursive", false) ? CG_FS_PARENTS : 0, &why);
	if (rc < 0)
		failed(c, rc, "create directory at path", path, &why);
	else
		cg_call_resolve(c, NULL);
	free(path);
	return 0;
}

static int cmd_remove(cg_call *c, void *user)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	char *path = resolve_std(c, user);
	if (!path)
		return 0;
	cg_fs_why why = {0};
	int rc = cg_fs_remove(s, NULL, path,
			      get_bool(arg(c, "options"), "recursive", false) ? CG_FS_RECURSIVE : 0,
			      &why);
	if (rc < 0)
		failed(c, rc, "remove path", path, &why);
	else
		cg_call_resolve(c, NULL);
	free(path);
	return 0;
}

static int cmd_rename(cg_call *c, void *user)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	json_object *options = arg(c, "options");
	char *from = resolve(c, user, arg(c, "oldPath"), options, "oldPathBaseDir");
	if (!from)
		return 0;
	char *to = resolve(c, user, arg(c, "newPath"), options, "newPathBaseDir");
	if (!to) {
		free(from);
		return 0;
	}
	cg_fs_why why = {0};
	int rc = cg_fs_rename(s, NULL, from, to, 0, &why);
	if (rc == -EACCES && why.verdict != CG_FS_ALLOWED)
		forbidden(c, why.path ? why.path : from, &why);
	else if (rc < 0)
		reject_fmt(c, "failed to rename old path: %s to new path: %s with error: %s (os error %d)",
			   from, to, strerror(-rc), -rc);
	else
		cg_call_resolve(c, NULL);
	free(from);
	free(to);
	return 0;
}

static int cmd_copy_file(cg_call *c, void *user)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	json_object *options = arg(c, "options");
	char *from = resolve(c, user, arg(c, "fromPath"), options, "fromPathBaseDir");
	if (!from)
		return 0;
	char *to = resolve(c, user, arg(c, "toPath"), options, "toPathBaseDir");
	if (!to) {
		free(from);
		return 0;
	}
	cg_fs_why why = {0};
	int in = cg_fs_open(s, NULL, from, O_RDONLY, 0, &why), out = -1, rc = in;
	struct stat sb;
	if (in >= 0 && (rc = fstat(in, &sb) < 0 ? -errno : 0) == 0 && !S_ISREG(sb.st_mode))
		rc = -EINVAL; /* std::fs::copy copies regular files only */
	if (rc >= 0) {
		why = (cg_fs_why){0};
		out = rc = cg_fs_open(s, NULL, to, O_WRONLY | O_CREAT | O_TRUNC, sb.st_mode & 07777, &why);
	}
	if (rc >= 0) {
		unsigned char buf[65536];
		for (;;) {
			ssize_t r = read(in, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				rc = r < 0 ? -errno : 0;
				break;
			}
			if ((rc = write_all(out, buf, (size_t)r)) < 0)
				break;
		}
	}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && rc >= 0)
		rc = -errno;
	if (rc == -EACCES && why.verdict != CG_FS_ALLOWED)
		forbidden(c, why.path ? why.path : from, &why);
	else if (rc < 0)
		reject_fmt(c, "failed to copy file from path: %s, to path: %s with error: %s (os error %d)",
			   from, to, strerror(-rc), -rc);
	else
		cg_call_resolve(c, NULL);
	free(from);
	free(to);
	return 0;
}

/* Entries a deny entry covers are left out (Tauri lists them). A symlink
 * is described as itself, not followed (Tauri follows it, which says what
 * lies outside the scope). */
static int cmd_read_dir(cg_call *c, void *user)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	char *path = resolve_std(c, user);
	if (!path)
		return 0;
	cg_fs_why why = {0};
	int fd = cg_fs_open(s, NULL, path, O_RDONLY | O_DIRECTORY, 0, &why);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		int rc = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		failed(c, rc, "read directory at path", path, &why);
		free(path);
		return 0;
	}
	json_object *list = json_object_new_array();
	struct dirent *e;
	size_t plen = strlen(path);
	char child[4096];
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s%s%s", path, plen && path[plen - 1] == '/' ? "" : "/",
			 e->d_name);
		if (cg_fs_check(s, NULL, child, NULL) == CG_FS_DENIED)
			continue;
		struct stat sb;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(e->d_name));
		json_object_object_add(o, "isDirectory", json_object_new_boolean(S_ISDIR(sb.st_mode)));
		json_object_object_add(o, "isFile", json_object_new_boolean(S_ISREG(sb.st_mode)));
		json_object_object_add(o, "isSymlink", json_object_new_boolean(S_ISLNK(sb.st_mode)));
		json_object_array_add(list, o);
	}
	closedir(d);
	cg_call_resolve(c, list);
	free(path);
	return 0;
}

static int cmd_truncate(cg_call *c, void *user)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	char *path = resolve_std(c, user);
	if (!path)
		return 0;
	json_object *l = arg(c, "len");
	int64_t len = l ? json_object_get_int64(l) : 0;
	cg_fs_why why = {0};
	int fd = cg_fs_open(s, NULL, path, O_WRONLY, 0, &why);
	if (fd < 0) {
		failed(c, fd, "open file at path", path, &why);
	} else {
		int rc = len < 0 ? -EINVAL : ftruncate(fd, len) < 0 ? -errno : 0;
		close(fd);
		if (rc < 0)
			failed(c, rc, "truncate file at path", path, &why);
		else
			cg_call_resolve(c, NULL);
	}
	free(path);
	return 0;
}

/* -------------------------------------------------------- the plugin */

static int fs_init(const cg_plugin_env *env, json_object *config, void **state, char **why)
{
	fs_state *st = calloc(1, sizeof(*st));
	if (!st)
		return CG_ENOMEM;
	json_object *v = NULL;
	if (config && json_object_object_get_ex(config, "requireLiteralLeadingDot", &v)) {
		if (!json_object_is_type(v, json_type_boolean)) {
			*why = strdup("plugins.fs.requireLiteralLeadingDot: true or false is expected");
			free(st);
			return CG_ESCHEMA;
		}
		if (!json_object_get_boolean(v))
			st->flags |= CG_FS_DOTFILES;
	}
	cg_paths_config pc = {.identifier = env->identifier, .resource_dir = env->resource_dir};
	int rc = cg_paths_new(&pc, &st->paths);
	if (rc < 0) {
		*why = strdup("the app's identifier or resource directory cannot name a directory");
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static void fs_free_state(void *state)
{
	fs_state *st = state;
	if (!st)
		return;
	cg_paths_free(st->paths);
	free(st);
}

static int fs_compile(void *state, json_object *const *scopes, size_t n, void **out, cg_diag *d)
{
	fs_state *st = state;
	cg_fs_scope *s = NULL;
	int rc = cg_fs_scope_new(st->paths, scopes, n, st->flags, &s, d);
	*out = s;
	return rc;
}

static void fs_free_scope(void *scope)
{
	cg_fs_scope_free(scope);
}

static const cg_plugin_command fs_commands[] = {
	{"read_file", cmd_read_file, CG_CMD_ASYNC},
	{"read_text_file", cmd_read_file, CG_CMD_ASYNC},
	{"write_file", cmd_write_file, CG_CMD_ASYNC},
	{"write_text_file", cmd_write_file, CG_CMD_ASYNC},
	{"exists", cmd_exists, CG_CMD_ASYNC},
	{"stat", cmd_stat, CG_CMD_ASYNC},
	{"lstat", cmd_lstat, CG_CMD_ASYNC},
	{"mkdir", cmd_mkdir, CG_CMD_ASYNC},
	{"remove", cmd_remove, CG_CMD_ASYNC},
	{"rename", cmd_rename, CG_CMD_ASYNC},
	{"copy_file", cmd_copy_file, CG_CMD_ASYNC},
	{"read_dir", cmd_read_dir, CG_CMD_ASYNC},
	{"truncate", cmd_truncate, CG_CMD_ASYNC},
};

const cg_plugin_def cg_fs_plugin = {
	.version = CG_PLUGIN_VERSION,
	.name = "fs",
	.manifest_json = cg_fs_permissions_json,
	.commands = fs_commands,
	.n_commands = sizeof(fs_commands) / sizeof(fs_commands[0]),
	.init = fs_init,
	.free_state = fs_free_state,
	.compile_scope = fs_compile,
	.free_scope = fs_free_scope,
};
