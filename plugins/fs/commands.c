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
#include "fs/fs_internal.h"

#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
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
	const char *name = strchr(cg_call_command(c), '|');
	char cmd[64];
	/* the permission's spelling: read_text_file is fs:allow-read-text-file */
	snprintf(cmd, sizeof(cmd), "%s", name ? name + 1 : cg_call_command(c));
	for (char *q = cmd; *q; q++)
		if (*q == '_')
			*q = '-';
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

/* The first option of o with a type serde would refuse (a flag that is
 * not a boolean, a number that is not an integer), or NULL. null is
 * absent, as for Rust's Option. */
static const char *bad_type(json_object *o)
{
	static const char *const flags[] = {"append", "create", "createNew", "read", "write", "truncate",
					    "recursive", NULL};
	static const char *const ints[] = {"mode", "len", "delayMs", NULL};
	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	json_object *v;
	for (const char *const *k = flags; *k; k++)
		if (json_object_object_get_ex(o, *k, &v) && v && !json_object_is_type(v, json_type_boolean))
			return *k;
	for (const char *const *k = ints; *k; k++)
		if (json_object_object_get_ex(o, *k, &v) && v && !json_object_is_type(v, json_type_int))
			return *k;
	return NULL;
}

/* Refuses a call whose options (or, with top, its arguments) have a key of
 * the wrong type, as Tauri's argument parsing does; true when refused. */
static bool refused_types(cg_call *c, const char *cmd, bool top)
{
	json_object *o = top ? cg_call_args(c) : arg(c, "options");
	const char *k = bad_type(o);
	if (!k)
		return false;
	reject_fmt(c, "invalid args `%s` for command `%s`: invalid type for `%s`: expected %s", top ? k : "options",
		   cmd, k, strcmp(k, "mode") == 0 || strcmp(k, "len") == 0 || strcmp(k, "delayMs") == 0
				   ? "an integer" : "a boolean");
	return true;
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
	if (bad_type(options)) {
		json_object_put(options);
		options = NULL; /* the same for options of the wrong types */
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
	if (refused_types(c, "mkdir", false))
		return 0;
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
	if (refused_types(c, "remove", false))
		return 0;
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
	/* Entries are judged as a recursive remove judges what it would
	 * remove (fs_denied_below: a name that is not UTF-8 by its lossy
	 * spelling, leading dots not special), so a listing never shows what
	 * a deny entry keeps (attack19). */
	struct fs_target t;
	char *rest = NULL;
	if (fs_target(s, NULL, path, &t, NULL) == 0) {
		const char *below = t.req + t.req_root_len;
		while (*below == '/')
			below++;
		rest = malloc(strlen(below) + NAME_MAX + 2);
	}
	if (!rest) {
		closedir(d);
		json_object_put(list);
		free(path);
		return reject_fmt(c, "failed to read directory: out of memory or not in scope");
	}
	size_t blen = strlen(t.req + t.req_root_len + strspn(t.req + t.req_root_len, "/"));
	memcpy(rest, t.req + t.req_root_len + strspn(t.req + t.req_root_len, "/"), blen);
	char lossy[PATH_MAX];
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t at = blen;
		if (at)
			rest[at++] = '/';
		memcpy(rest + at, e->d_name, strlen(e->d_name) + 1);
		const char *entry = NULL;
		if (fs_denied_below(s, &t, rest, &entry))
			continue;
		struct stat sb;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		json_object *o = json_object_new_object();
		/* As Tauri's to_string_lossy: the page gets a string, never bytes
		 * that are not UTF-8. */
		json_object_object_add(o, "name", json_object_new_string(fs_lossy_utf8(e->d_name, lossy) ? lossy : "\uFFFD"));
		json_object_object_add(o, "isDirectory", json_object_new_boolean(S_ISDIR(sb.st_mode)));
		json_object_object_add(o, "isFile", json_object_new_boolean(S_ISREG(sb.st_mode)));
		json_object_object_add(o, "isSymlink", json_object_new_boolean(S_ISLNK(sb.st_mode)));
		json_object_array_add(list, o);
	}
	closedir(d);
	free(rest);
	cg_call_resolve(c, list);
	free(path);
	return 0;
}

static int cmd_truncate(cg_call *c, void *user)
{
	if (refused_types(c, "truncate", true))
		return 0;
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

/* -------------------------------------------------- file handles (rid) */

/* An open file of the page (Tauri's StdFileResource): its calls take the
 * lock, as Rust's with_lock does, so a read and a seek from two workers
 * never interleave. The descriptor was opened through the scope, so what
 * it reaches was checked; it is closed when the page closes the rid or
 * goes away (navigation, close, crash: the resource table's free). */
typedef struct fs_file {
	int fd;
	pthread_mutex_t lock;
} fs_file;

static const char FS_FILE[] = "fs:file";

/* The most one read answers (the JS loops on a short read). */
#define FS_READ_MAX (4 << 20)

static void fs_file_free(void *p)
{
	fs_file *f = p;
	if (!f)
		return;
	close(f->fd);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

/* Hands fd to the page as a rid (fd is closed on any failure). */
static int answer_file(cg_call *c, int fd)
{
	fs_file *f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return reject_fmt(c, "out of memory");
	}
	f->fd = fd;
	pthread_mutex_init(&f->lock, NULL);
	uint32_t rid = 0;
	int rc = cg_call_add_resource(c, FS_FILE, f, fs_file_free, &rid);
	if (rc == CG_ENOMEM) {
		fs_file_free(f);
		return reject_fmt(c, "out of memory");
	}
	if (rc < 0)
		return reject_fmt(c, "the webview is gone");
	cg_call_resolve(c, json_object_new_int64(rid));
	return 0;
}

/* The caller's file for args.rid, or NULL after answering. */
static cg_resource *file_of(cg_call *c, fs_file **f)
{
	json_object *r = arg(c, "rid");
	cg_resource *res = NULL;
	int64_t rid = r && json_object_is_type(r, json_type_int) ? json_object_get_int64(r) : -1;
	if (rid <= 0 || rid > UINT32_MAX ||
	    cg_call_get_resource(c, (uint32_t)rid, FS_FILE, &res) < 0) {
		reject_fmt(c, "resource id %lld is invalid", (long long)rid);
		return NULL;
	}
	*f = cg_resource_object(res);
	return res;
}

/* open's flags as Rust's std::fs::OpenOptions makes them (its
 * InvalidInput cases are EINVAL). */
static int open_flags(json_object *o, int *flags, mode_t *mode)
{
	bool rd = o ? get_bool(o, "read", true) : true, wr = get_bool(o, "write", false),
	     ap = get_bool(o, "append", false), tr = get_bool(o, "truncate", false),
	     cr = get_bool(o, "create", false), cn = get_bool(o, "createNew", false);
	json_object *m = NULL;
	*mode = 0666;
	if (o && json_object_object_get_ex(o, "mode", &m) && m)
		*mode = (mode_t)json_object_get_int64(m) & 07777;
	int f;
	if (rd && !wr && !ap)
		f = O_RDONLY;
	else if (!rd && (wr || ap))
		f = O_WRONLY;
	else if (rd && (wr || ap))
		f = O_RDWR;
	else
		return -EINVAL;
	if (ap)
		f |= O_APPEND;
	if (!wr && !ap && (tr || cr || cn))
		return -EINVAL;
	if (ap && tr && !cn)
		return -EINVAL;
	if (cn)
		f |= O_CREAT | O_EXCL;
	else if (cr && tr)
		f |= O_CREAT | O_TRUNC;
	else if (cr)
		f |= O_CREAT;
	else if (tr)
		f |= O_TRUNC;
	*flags = f;
	return 0;
}

static int do_open(cg_call *c, void *user, int flags, mode_t mode, const char *what)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	char *path = resolve_std(c, user);
	if (!path)
		return 0;
	cg_fs_why why = {0};
	int fd = cg_fs_open(s, NULL, path, flags, mode, &why);
	if (fd < 0)
		failed(c, fd, what, path, &why);
	else
		answer_file(c, fd);
	free(path);
	return 0;
}

/* open {path, options: {baseDir, read, write, append, truncate, create,
 * createNew, mode}}: a rid; no options reads. */
static int cmd_open(cg_call *c, void *user)
{
	if (refused_types(c, "open", false))
		return 0;
	int flags;
	mode_t mode;
	json_object *o = arg(c, "options");
	if (o && !json_object_is_type(o, json_type_object))
		o = NULL;
	if (open_flags(o, &flags, &mode) < 0) {
		json_object *p = arg(c, "path");
		return reject_fmt(c, "failed to open file at path: %s with error: %s (os error %d)",
				  p ? json_object_get_string(p) : "?", strerror(EINVAL), EINVAL);
	}
	return do_open(c, user, flags, mode, "open file at path");
}

/* create: File::create (write, create, truncate). */
static int cmd_create(cg_call *c, void *user)
{
	return do_open(c, user, O_WRONLY | O_CREAT | O_TRUNC, 0666, "create file at path");
}

/* read {rid, len}: the bytes read, then their count as 8 big-endian bytes
 * (Tauri sends len bytes, zero-filled past the count; the JS copies what
 * it is given, so the count's bytes are enough). */
static int cmd_read(cg_call *c, void *user)
{
	(void)user;
	fs_file *f;
	cg_resource *res = file_of(c, &f);
	if (!res)
		return 0;
	json_object *l = arg(c, "len");
	int64_t len = l && json_object_is_type(l, json_type_int) ? json_object_get_int64(l) : -1;
	if (len < 0) {
		cg_resource_unref(res);
		return reject_fmt(c, "invalid args `len`: a length (a number) is expected");
	}
	/* a read may be short, so a page's huge len costs no huge buffer */
	if (len > FS_READ_MAX)
		len = FS_READ_MAX;
	unsigned char *buf = malloc((size_t)len + 8);
	if (!buf) {
		cg_resource_unref(res);
		return reject_fmt(c, "out of memory");
	}
	ssize_t n;
	pthread_mutex_lock(&f->lock);
	do
		n = read(f->fd, buf, (size_t)len);
	while (n < 0 && errno == EINTR);
	int e = errno;
	pthread_mutex_unlock(&f->lock);
	cg_resource_unref(res);
	if (n < 0) {
		free(buf);
		return reject_fmt(c, "faied to read bytes from file with error: %s (os error %d)",
				  strerror(e), e);
	}
	uint64_t cnt = (uint64_t)n;
	for (int i = 0; i < 8; i++)
		buf[n + i] = (unsigned char)(cnt >> (56 - 8 * i));
	cg_call_resolve_bytes_take(c, buf, (size_t)n + 8, free);
	return 0;
}

/* Bytes from a JSON number[] (the bridge sends a Uint8Array so) or the
 * call's raw body. *owned is to be freed. */
static const unsigned char *bytes_arg(cg_call *c, json_object *a, size_t *len, unsigned char **owned)
{
	*owned = NULL;
	if (!a) {
		const unsigned char *b = cg_call_body(c, len);
		return b;
	}
	if (!json_object_is_type(a, json_type_array))
		return NULL;
	*len = json_object_array_length(a);
	*owned = malloc(*len ? *len : 1);
	if (!*owned)
		return NULL;
	for (size_t i = 0; i < *len; i++) {
		json_object *v = json_object_array_get_idx(a, i);
		int64_t x = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || x < 0 || x > 255) {
			free(*owned);
			*owned = NULL;
			return NULL;
		}
		(*owned)[i] = (unsigned char)x;
	}
	return *owned;
}

/* write {rid, data}: the count written (one write, as Rust's file.write). */
static int cmd_write(cg_call *c, void *user)
{
	(void)user;
	size_t len = 0;
	unsigned char *owned;
	const unsigned char *data = bytes_arg(c, arg(c, "data"), &len, &owned);
	if (!data)
		return reject_fmt(c, "invalid args `data`: an array of bytes is expected");
	fs_file *f;
	cg_resource *res = file_of(c, &f);
	if (!res) {
		free(owned);
		return 0;
	}
	ssize_t n;
	pthread_mutex_lock(&f->lock);
	do
		n = write(f->fd, data, len);
	while (n < 0 && errno == EINTR);
	int e = errno;
	pthread_mutex_unlock(&f->lock);
	cg_resource_unref(res);
	free(owned);
	if (n < 0)
		return reject_fmt(c, "failed to write bytes to file with error: %s (os error %d)",
				  strerror(e), e);
	cg_call_resolve(c, json_object_new_int64(n));
	return 0;
}

/* seek {rid, offset, whence: 0 start, 1 current, 2 end}: the new offset. */
static int cmd_seek(cg_call *c, void *user)
{
	(void)user;
	json_object *o = arg(c, "offset"), *w = arg(c, "whence");
	int64_t wh = w && json_object_is_type(w, json_type_int) ? json_object_get_int64(w) : -1;
	if (!o || !json_object_is_type(o, json_type_int) || wh < 0 || wh > 2)
		return reject_fmt(c, "invalid args: an offset and a whence (0, 1 or 2) are expected");
	fs_file *f;
	cg_resource *res = file_of(c, &f);
	if (!res)
		return 0;
	pthread_mutex_lock(&f->lock);
	off_t r = lseek(f->fd, (off_t)json_object_get_int64(o),
			wh == 0 ? SEEK_SET : wh == 1 ? SEEK_CUR : SEEK_END);
	int e = errno;
	pthread_mutex_unlock(&f->lock);
	cg_resource_unref(res);
	if (r < 0)
		return reject_fmt(c, "failed to seek file with error: %s (os error %d)", strerror(e), e);
	cg_call_resolve(c, json_object_new_int64(r));
	return 0;
}

static int cmd_fstat(cg_call *c, void *user)
{
	(void)user;
	fs_file *f;
	cg_resource *res = file_of(c, &f);
	if (!res)
		return 0;
	struct stat sb;
	int rc = fstat(f->fd, &sb) < 0 ? errno : 0;
	cg_resource_unref(res);
	if (rc)
		return reject_fmt(c, "failed to get metadata of file with error: %s (os error %d)",
				  strerror(rc), rc);
	cg_call_resolve(c, file_info(&sb));
	return 0;
}

static int cmd_ftruncate(cg_call *c, void *user)
{
	if (refused_types(c, "ftruncate", true))
		return 0;
	(void)user;
	json_object *l = arg(c, "len");
	int64_t len = l ? json_object_get_int64(l) : 0;
	fs_file *f;
	cg_resource *res = file_of(c, &f);
	if (!res)
		return 0;
	pthread_mutex_lock(&f->lock);
	int rc = len < 0 ? EINVAL : ftruncate(f->fd, len) < 0 ? errno : 0;
	pthread_mutex_unlock(&f->lock);
	cg_resource_unref(res);
	if (rc)
		return reject_fmt(c, "failed to truncate file with error: %s (os error %d)",
				  strerror(rc), rc);
	cg_call_resolve(c, NULL);
	return 0;
}

/* ------------------------------------------------------- text lines */

/* read_text_file_lines' iterator. Its answer is plugin-fs 2.0.3+'s: the
 * line's bytes then a flag byte (1 = done). 2.0.0-2.0.2 took a JSON
 * [line | null, done], but their request is the same as newer ones' (the
 * options' encoding only comes with 2.5), so, as for read_text_file, the
 * newer shape is the one answered. */
typedef struct fs_lines {
	FILE *fp;
	pthread_mutex_t lock;
} fs_lines;

static const char FS_LINES[] = "fs:lines";

static void fs_lines_free(void *p)
{
	fs_lines *l = p;
	if (!l)
		return;
	fclose(l->fp);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static int cmd_read_text_file_lines(cg_call *c, void *user)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	char *path = resolve_std(c, user);
	if (!path)
		return 0;
	cg_fs_why why = {0};
	int fd = cg_fs_open(s, NULL, path, O_RDONLY, 0, &why);
	FILE *fp = fd >= 0 ? fdopen(fd, "r") : NULL;
	fs_lines *l = fp ? calloc(1, sizeof(*l)) : NULL;
	if (!l) {
		int rc = fd < 0 ? fd : -ENOMEM;
		if (fp)
			fclose(fp);
		else if (fd >= 0)
			close(fd);
		failed(c, rc, "open file at path", path, &why);
		free(path);
		return 0;
	}
	free(path);
	l->fp = fp;
	pthread_mutex_init(&l->lock, NULL);
	uint32_t rid = 0;
	int rc = cg_call_add_resource(c, FS_LINES, l, fs_lines_free, &rid);
	if (rc == CG_ENOMEM) {
		fs_lines_free(l);
		return reject_fmt(c, "out of memory");
	}
	if (rc < 0)
		return reject_fmt(c, "the webview is gone");
	cg_call_resolve(c, json_object_new_int64(rid));
	return 0;
}

/* The next line without its "\n" or "\r\n" (Rust's BufRead::lines); at
 * the end the iterator is closed, as Tauri does. */
static int cmd_read_text_file_lines_next(cg_call *c, void *user)
{
	(void)user;
	json_object *r = arg(c, "rid");
	int64_t rid = r && json_object_is_type(r, json_type_int) ? json_object_get_int64(r) : -1;
	cg_resource *res = NULL;
	if (rid <= 0 || rid > UINT32_MAX || cg_call_get_resource(c, (uint32_t)rid, FS_LINES, &res) < 0)
		return reject_fmt(c, "resource id %lld is invalid", (long long)rid);
	fs_lines *l = cg_resource_object(res);
	char *line = NULL;
	size_t cap = 0;
	pthread_mutex_lock(&l->lock);
	ssize_t n = getline(&line, &cap, l->fp);
	pthread_mutex_unlock(&l->lock);
	cg_resource_unref(res);
	if (n < 0) {
		free(line);
		cg_call_close_resource(c, (uint32_t)rid);
		static const unsigned char done = 1;
		cg_call_resolve_bytes(c, &done, 1);
		return 0;
	}
	if (n > 0 && line[n - 1] == '\n') {
		n--;
		if (n > 0 && line[n - 1] == '\r')
			n--;
	}
	line[n] = 0; /* the flag: not done */
	cg_call_resolve_bytes_take(c, line, (size_t)n + 1, free);
	return 0;
}

/* ------------------------------------------------------------- size */

/* The sum of the sizes of the regular files below dir (Tauri's
 * get_dir_size: symlinks are not followed nor counted); entries a deny
 * entry covers are left out, as read_dir leaves them out. */
static int dir_size(const cg_fs_scope *s, int dir, char *path, size_t plen, uint64_t *sum,
		    int depth)
{
	if (depth > 256)
		return -ELOOP;
	DIR *d = fdopendir(dir);
	if (!d) {
		int e = errno;
		close(dir);
		return -e;
	}
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t nl = strlen(e->d_name);
		if (plen + 1 + nl >= PATH_MAX)
			continue;
		path[plen] = '/';
		memcpy(path + plen + 1, e->d_name, nl + 1);
		if (cg_fs_check(s, NULL, path, NULL) == CG_FS_DENIED)
			continue;
		struct stat sb;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(sb.st_mode)) {
			*sum += (uint64_t)sb.st_size;
		} else if (S_ISDIR(sb.st_mode)) {
			int sub = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				rc = dir_size(s, sub, path, plen + 1 + nl, sum, depth + 1);
		}
	}
	path[plen] = 0;
	closedir(d);
	return rc;
}

static int cmd_size(cg_call *c, void *user)
{
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	char *path = resolve_std(c, user);
	if (!path)
		return 0;
	cg_fs_why why = {0};
	int fd = cg_fs_open(s, NULL, path, O_RDONLY, 0, &why), rc = fd;
	struct stat sb;
	uint64_t sum = 0;
	if (fd >= 0 && fstat(fd, &sb) < 0) {
		rc = -errno;
		close(fd);
	} else if (fd >= 0 && S_ISDIR(sb.st_mode)) {
		char buf[PATH_MAX];
		size_t pl = strlen(path);
		while (pl > 1 && path[pl - 1] == '/')
			pl--;
		if (pl < sizeof(buf)) {
			memcpy(buf, path, pl);
			buf[pl] = 0;
			rc = dir_size(s, fd, buf, pl, &sum, 0);
		} else {
			close(fd);
			rc = -ENAMETOOLONG;
		}
	} else if (fd >= 0) {
		sum = (uint64_t)sb.st_size;
		close(fd);
		rc = 0;
	}
	if (rc < 0)
		failed(c, rc, "get size of path", path, &why);
	else
		cg_call_resolve(c, json_object_new_int64((int64_t)sum));
	free(path);
	return 0;
}

/* ------------------------------------------------------------ watch */

/* A watcher (Tauri's WatcherResource): inotify on the paths, each opened
 * through the scope first and watched by its descriptor
 * (/proc/self/fd/N), so a link swapped in after the check is not what is
 * watched; with recursive, every directory below is added the same way
 * (no link followed), and directories created later too. One thread per
 * watcher reads the events and sends them through the page's Channel in
 * notify's shape ({type, paths, attrs}); with options.delayMs (the JS's
 * `watch`, 2000 ms unless set) the events of the delay after the first
 * are sent together, consecutive duplicates dropped (Tauri uses
 * notify-debouncer-full, which also merges renames); without it
 * (`watchImmediate`) each as it comes. The watcher ends with unwatch,
 * plugin:resources|close or the page. */
typedef struct fs_watch_dir {
	int wd;
	int dirfd; /* O_PATH, for a directory watched recursively; else -1 */
	char *path;
} fs_watch_dir;

typedef struct fs_watch {
	int ifd, stopfd;
	bool recursive;
	int64_t delay_ms; /* < 0: immediate */
	cg_channel *ch;
	pthread_t thr;
	bool started;
	fs_watch_dir *dirs;
	size_t n_dirs, cap_dirs;
	pthread_mutex_t lock;
} fs_watch;

static const char FS_WATCH[] = "fs:watcher";

/* The most events a debounced watcher holds before sending them. */
#define FS_WATCH_BATCH 4096

#define FS_WATCH_MASK                                                                              \
	(IN_ATTRIB | IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_FROM |          \
	 IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)

static void fs_watch_free(void *p)
{
	fs_watch *w = p;
	if (!w)
		return;
	if (w->started) {
		uint64_t one = 1;
		ssize_t n = write(w->stopfd, &one, sizeof(one));
		(void)n;
		pthread_join(w->thr, NULL);
	}
	if (w->ch)
		cg_channel_close(w->ch);
	close(w->ifd);
	close(w->stopfd);
	for (size_t i = 0; i < w->n_dirs; i++) {
		free(w->dirs[i].path);
		if (w->dirs[i].dirfd >= 0)
			close(w->dirs[i].dirfd);
	}
	free(w->dirs);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* Watches the inode fd refers to as path (and, recursive, the
 * directories below it). fd is closed. */
static int watch_fd(fs_watch *w, int fd, const char *path, int depth)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	int wd = inotify_add_watch(w->ifd, proc, FS_WATCH_MASK);
	int rc = wd < 0 ? -errno : 0;
	if (rc == 0 && w->n_dirs == w->cap_dirs) {
		size_t cap = w->cap_dirs * 2 + 4;
		fs_watch_dir *nd = realloc(w->dirs, cap * sizeof(*nd));
		if (!nd)
			rc = -ENOMEM;
		else
			w->dirs = nd, w->cap_dirs = cap;
	}
	char *copy = rc == 0 ? strdup(path) : NULL;
	if (rc == 0 && !copy)
		rc = -ENOMEM;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	w->dirs[w->n_dirs++] = (fs_watch_dir){wd, -1, copy};
	struct stat sb;
	if (w->recursive && depth < 64 && fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		/* kept to open the directories made in it later beneath it,
		 * never by its path again */
		w->dirs[w->n_dirs - 1].dirfd = openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		DIR *d = fdopendir(fd);
		if (!d) {
			close(fd);
			return 0;
		}
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				continue; /* not a directory, or a link */
			char child[PATH_MAX];
			snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
			watch_fd(w, sub, child, depth + 1);
		}
		closedir(d);
		return 0;
	}
	close(fd);
	return rc;
}

static const char *dir_path(fs_watch *w, int wd)
{
	for (size_t i = 0; i < w->n_dirs; i++)
		if (w->dirs[i].wd == wd)
			return w->dirs[i].path;
	return NULL;
}

static json_object *kind2(const char *top, const char *kind, const char *mode)
{
	json_object *in = json_object_new_object();
	json_object_object_add(in, "kind", json_object_new_string(kind));
	if (mode)
		json_object_object_add(in, "mode", json_object_new_string(mode));
	json_object *t = json_object_new_object();
	json_object_object_add(t, top, in);
	return t;
}

/* One inotify event in notify's serialized shape, or NULL. */
static json_object *watch_event(fs_watch *w, const struct inotify_event *ev)
{
	const char *dir = dir_path(w, ev->wd);
	if (!dir)
		return NULL;
	const char *fk = ev->mask & IN_ISDIR ? "folder" : "file";
	json_object *type;
	if (ev->mask & IN_CREATE)
		type = kind2("create", fk, NULL);
	else if (ev->mask & IN_DELETE)
		type = kind2("remove", fk, NULL);
	else if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))
		type = kind2("remove", "any", NULL);
	else if (ev->mask & IN_MODIFY)
		type = kind2("modify", "data", "any");
	else if (ev->mask & IN_ATTRIB)
		type = kind2("modify", "metadata", "any");
	else if (ev->mask & IN_MOVED_FROM)
		type = kind2("modify", "rename", "from");
	else if (ev->mask & IN_MOVED_TO)
		type = kind2("modify", "rename", "to");
	else if (ev->mask & IN_CLOSE_WRITE)
		type = kind2("access", "close", "write");
	else
		return NULL;
	char path[PATH_MAX];
	if (ev->len && ev->name[0])
		snprintf(path, sizeof(path), "%s/%s", dir, ev->name);
	else
		snprintf(path, sizeof(path), "%s", dir);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", type);
	json_object *paths = json_object_new_array();
	json_object_array_add(paths, json_object_new_string(path));
	json_object_object_add(o, "paths", paths);
	json_object_object_add(o, "attrs", json_object_new_object());
	/* a directory made below a recursive watch is watched too */
	if (w->recursive && (ev->mask & (IN_CREATE | IN_MOVED_TO)) && (ev->mask & IN_ISDIR)) {
		int dfd = -1;
		for (size_t i = 0; i < w->n_dirs; i++)
			if (w->dirs[i].wd == ev->wd)
				dfd = w->dirs[i].dirfd;
		int sub = dfd >= 0 ? openat(dfd, ev->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
				   : -1;
		if (sub >= 0)
			watch_fd(w, sub, path, 1);
	}
	return o;
}

static void *watch_thread(void *p)
{
	fs_watch *w = p;
	json_object *pending = NULL; /* an array, when debouncing */
	struct timespec due = {0};
	for (;;) {
		int timeout = -1;
		if (pending) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			int64_t ms = (due.tv_sec - now.tv_sec) * 1000 + (due.tv_nsec - now.tv_nsec) / 1000000;
			timeout = ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
		}
		struct pollfd pf[2] = {{w->ifd, POLLIN, 0}, {w->stopfd, POLLIN, 0}};
		int n = poll(pf, 2, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || pf[1].revents)
			break;
		/* the delay is over, or a busy tree has filled the batch (a
		 * page's huge delayMs must not hold events without bound) */
		if (pending && (n == 0 || json_object_array_length(pending) >= FS_WATCH_BATCH)) {
			size_t k = json_object_array_length(pending);
			for (size_t i = 0; i < k; i++)
				cg_channel_send(w->ch, json_object_get(json_object_array_get_idx(pending, i)));
			json_object_put(pending);
			pending = NULL;
			continue;
		}
		char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
		ssize_t len = read(w->ifd, buf, sizeof(buf));
		if (len <= 0)
			continue;
		for (char *q = buf; q < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)q;
			q += sizeof(*ev) + ev->len;
			pthread_mutex_lock(&w->lock);
			json_object *o = watch_event(w, ev);
			pthread_mutex_unlock(&w->lock);
			if (!o)
				continue;
			if (w->delay_ms < 0) {
				cg_channel_send(w->ch, o);
				continue;
			}
			if (!pending) {
				pending = json_object_new_array();
				clock_gettime(CLOCK_MONOTONIC, &due);
				due.tv_sec += w->delay_ms / 1000;
				due.tv_nsec += (w->delay_ms % 1000) * 1000000;
				if (due.tv_nsec >= 1000000000) {
					due.tv_sec++;
					due.tv_nsec -= 1000000000;
				}
			}
			size_t k = json_object_array_length(pending);
			if (k && json_object_equal(json_object_array_get_idx(pending, k - 1), o))
				json_object_put(o);
			else
				json_object_array_add(pending, o);
		}
	}
	json_object_put(pending);
	return NULL;
}

/* watch {paths, options: {baseDir, recursive, delayMs}, onEvent}. */
static int cmd_watch(cg_call *c, void *user)
{
	if (refused_types(c, "watch", false))
		return 0;
	const cg_fs_scope *s;
	if (scope_of(c, &s) < 0)
		return 0;
	json_object *paths = arg(c, "paths"), *options = arg(c, "options"), *d = NULL;
	if (!paths || !json_object_is_type(paths, json_type_array))
		return reject_fmt(c, "invalid args `paths`: an array of paths is expected");
	fs_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return reject_fmt(c, "out of memory");
	pthread_mutex_init(&w->lock, NULL);
	w->ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	w->stopfd = eventfd(0, EFD_CLOEXEC);
	w->recursive = get_bool(options, "recursive", false);
	w->delay_ms = -1;
	if (options && json_object_object_get_ex(options, "delayMs", &d) && d)
		w->delay_ms = json_object_get_int64(d) < 0 ? 0 : json_object_get_int64(d);
	if (w->ifd < 0 || w->stopfd < 0) {
		int e = errno;
		fs_watch_free(w);
		return reject_fmt(c, "failed to watch: %s (os error %d)", strerror(e), e);
	}
	for (size_t i = 0; i < json_object_array_length(paths); i++) {
		char *path = resolve(c, user, json_object_array_get_idx(paths, i), options, "baseDir");
		if (!path) {
			fs_watch_free(w);
			return 0;
		}
		cg_fs_why why = {0};
		int fd = cg_fs_open(s, NULL, path, O_RDONLY, 0, &why);
		int rc = fd < 0 ? fd : watch_fd(w, fd, path, 0);
		if (rc < 0) {
			failed(c, rc, "watch path", path, &why);
			free(path);
			fs_watch_free(w);
			return 0;
		}
		free(path);
	}
	w->ch = cg_call_channel(c, "onEvent");
	if (!w->ch) {
		fs_watch_free(w);
		return reject_fmt(c, "invalid args `onEvent`: a Channel is expected");
	}
	if (pthread_create(&w->thr, NULL, watch_thread, w) != 0) {
		fs_watch_free(w);
		return reject_fmt(c, "failed to watch: no thread");
	}
	w->started = true;
	uint32_t rid = 0;
	int rc = cg_call_add_resource(c, FS_WATCH, w, fs_watch_free, &rid);
	if (rc == CG_ENOMEM) {
		fs_watch_free(w);
		return reject_fmt(c, "out of memory");
	}
	if (rc < 0)
		return reject_fmt(c, "the webview is gone");
	cg_call_resolve(c, json_object_new_int64(rid));
	return 0;
}

/* unwatch {rid} (plugin-fs 2.0.x; newer pages close the rid). */
static int cmd_unwatch(cg_call *c, void *user)
{
	(void)user;
	json_object *r = arg(c, "rid");
	int64_t rid = r && json_object_is_type(r, json_type_int) ? json_object_get_int64(r) : -1;
	cg_resource *res = NULL;
	if (rid <= 0 || rid > UINT32_MAX || cg_call_get_resource(c, (uint32_t)rid, FS_WATCH, &res) < 0)
		return reject_fmt(c, "resource id %lld is invalid", (long long)rid);
	cg_resource_unref(res);
	cg_call_close_resource(c, (uint32_t)rid);
	cg_call_resolve(c, NULL);
	return 0;
}

/* start/stop_accessing_security_scoped_resource {path} (plugin-fs 2.6):
 * Apple's security-scoped bookmarks; elsewhere, as in Tauri, nothing to
 * do. The path grants nothing: every later call is checked as ever. */
static int cmd_security_scoped(cg_call *c, void *user)
{
	(void)user;
	json_object *p = arg(c, "path");
	if (!p || !json_object_is_type(p, json_type_string))
		return reject_fmt(c, "invalid args: a path (a string) is expected");
	cg_call_resolve(c, NULL);
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
	{"open", cmd_open, CG_CMD_ASYNC},
	{"create", cmd_create, CG_CMD_ASYNC},
	{"read", cmd_read, CG_CMD_ASYNC},
	{"write", cmd_write, CG_CMD_ASYNC},
	{"seek", cmd_seek, CG_CMD_ASYNC},
	{"fstat", cmd_fstat, CG_CMD_ASYNC},
	{"ftruncate", cmd_ftruncate, CG_CMD_ASYNC},
	{"read_text_file_lines", cmd_read_text_file_lines, CG_CMD_ASYNC},
	{"read_text_file_lines_next", cmd_read_text_file_lines_next, CG_CMD_ASYNC},
	{"size", cmd_size, CG_CMD_ASYNC},
	{"watch", cmd_watch, CG_CMD_ASYNC},
	{"unwatch", cmd_unwatch, CG_CMD_ASYNC},
	{"start_accessing_security_scoped_resource", cmd_security_scoped, CG_CMD_ASYNC},
	{"stop_accessing_security_scoped_resource", cmd_security_scoped, CG_CMD_ASYNC},
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
