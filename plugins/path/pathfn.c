/*
 * The pure path functions of core:path, as Tauri computes them with Rust's
 * std::path on Unix (crates/tauri/src/path/plugin.rs): components are
 * split on '/', empty and "." components vanish except a leading ".",
 * ".." is a component of its own, and a parent is the text before the
 * last component with trailing separators and "." trimmed. Tauri's
 * results are kept even where Node's differ (normalize("/") is "//",
 * normalize("../a") is "a", join(["", "a"]) is "a" as in Tauri 2.6 and
 * later): pages written for Tauri expect them.
 */
#include "path/paths.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum ckind { C_ROOT, C_CUR, C_PARENT, C_NORMAL };

struct comp {
	enum ckind kind;
	size_t start, len; /* in the path */
};

/* Calls fn for each component of path, front to back; stops early when
 * fn returns false. */
typedef bool (*comp_fn)(const char *path, const struct comp *c, void *ud);

static void components(const char *path, comp_fn fn, void *ud)
{
	size_t i = 0;
	bool root = path[0] == '/';

	if (root) {
		struct comp c = {C_ROOT, 0, 1};
		if (!fn(path, &c, ud))
			return;
	}
	while (path[i]) {
		size_t s, e;
		while (path[i] == '/')
			i++;
		if (!path[i])
			break;
		s = i;
		while (path[i] && path[i] != '/')
			i++;
		e = i;
		struct comp c = {C_NORMAL, s, e - s};
		if (e - s == 1 && path[s] == '.') {
			/* "." is a component only as the path's first. */
			if (s != 0)
				continue;
			c.kind = C_CUR;
		} else if (e - s == 2 && path[s] == '.' && path[s + 1] == '.') {
			c.kind = C_PARENT;
		}
		if (!fn(path, &c, ud))
			return;
	}
}

static bool last_cb(const char *path, const struct comp *c, void *ud)
{
	(void)path;
	*(struct comp *)ud = *c;
	return true;
}

/* The last component; false if there is none. */
static bool last_component(const char *path, struct comp *out)
{
	out->len = (size_t)-1;
	components(path, last_cb, out);
	return out->len != (size_t)-1;
}

static char *dupn(const char *s, size_t n)
{
	char *r = malloc(n + 1);
	if (r) {
		memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

static int give(char *s, char **out)
{
	*out = s;
	return s ? 0 : CG_ENOMEM;
}

/* Length of Path::parent(), or -1 for None. */
static long parent_len(const char *path)
{
	struct comp last;
	size_t len, body;

	if (!last_component(path, &last) || last.kind == C_ROOT)
		return -1;
	len = last.start;
	/* Trim what Components::trim_right drops, never the root or a
	 * leading "." (they come before the body). */
	body = path[0] == '/' ? 1 : 0;
	if (path[0] == '.' && (path[1] == '/' || path[1] == '\0'))
		body = 1;
	while (len > body) {
		if (path[len - 1] == '/')
			len--;
		else if (len >= 2 && path[len - 1] == '.' && path[len - 2] == '/')
			len--; /* a "." component */
		else
			break;
	}
	return (long)len;
}

int cg_path_push(const char *base, const char *comp, char **out)
{
	size_t b, c;
	char *r;

	if (out)
		*out = NULL;
	if (!base || !comp || !out)
		return CG_EINVAL;
	if (comp[0] == '/')
		return give(strdup(comp), out);
	b = strlen(base);
	c = strlen(comp);
	r = malloc(b + c + 2);
	if (!r)
		return CG_ENOMEM;
	memcpy(r, base, b);
	if (b > 0 && base[b - 1] != '/')
		r[b++] = '/';
	memcpy(r + b, comp, c + 1);
	*out = r;
	return 0;
}

/* A growing string for the builders below. */
struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static int buf_give(struct buf *b, char **out)
{
	if (!b->oom && !b->s)
		buf_put(b, "", 0);
	if (b->oom) {
		free(b->s);
		return CG_ENOMEM;
	}
	*out = b->s;
	return 0;
}

/* PathBuf::push of one component onto a buffer. */
static void buf_push(struct buf *b, const char *comp, size_t n)
{
	if (n > 0 && comp[0] == '/') {
		b->len = 0;
	} else if (b->len > 0 && b->s[b->len - 1] != '/') {
		buf_put(b, "/", 1);
	}
	buf_put(b, comp, n);
}

/* PathBuf::pop: truncate to the parent, if there is one. */
static void buf_pop(struct buf *b)
{
	long n;
	if (b->oom || !b->s)
		return;
	n = parent_len(b->s);
	if (n >= 0) {
		b->len = (size_t)n;
		b->s[n] = '\0';
	}
}

static bool lexical_cb(const char *path, const struct comp *c, void *ud)
{
	struct buf *b = ud;
	if (c->kind == C_ROOT)
		buf_push(b, "/", 1);
	else
		buf_push(b, path + c->start, c->len);
	return true;
}

int cg_path_lexical(const char *path, char **out)
{
	struct buf b = {0};

	if (out)
		*out = NULL;
	if (!path || !out)
		return CG_EINVAL;
	components(path, lexical_cb, &b);
	return buf_give(&b, out);
}

/* Tauri's normalize_path_no_absolute: a component is appended as text (a
 * separator first unless the result is empty or ends with '/' or '\'), so
 * nothing replaces what came before; ".." pops. */
static bool noabs_cb(const char *path, const struct comp *c, void *ud)
{
	struct buf *b = ud;
	switch (c->kind) {
	case C_ROOT:
		buf_push(b, "/", 1);
		break;
	case C_CUR:
		break;
	case C_PARENT:
		buf_pop(b);
		break;
	case C_NORMAL:
		if (b->len > 0 && b->s[b->len - 1] != '/' && b->s[b->len - 1] != '\\')
			buf_put(b, "/", 1);
		buf_put(b, path + c->start, c->len);
		break;
	}
	return true;
}

/* Tauri's normalize_path (used by resolve): components pushed, ".." pops. */
static bool norm_cb(const char *path, const struct comp *c, void *ud)
{
	struct buf *b = ud;
	switch (c->kind) {
	case C_ROOT:
		buf_push(b, "/", 1);
		break;
	case C_CUR:
		break;
	case C_PARENT:
		buf_pop(b);
		break;
	case C_NORMAL:
		buf_push(b, path + c->start, c->len);
		break;
	}
	return true;
}

static bool ends_with_sep(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && (s[n - 1] == '/' || s[n - 1] == '\\');
}

int cg_path_normalize(const char *path, char **out)
{
	struct buf b = {0};
	int rc;

	if (out)
		*out = NULL;
	if (!path || !out)
		return CG_EINVAL;
	components(path, noabs_cb, &b);
	if ((rc = buf_give(&b, out)) < 0)
		return rc;
	/* Node.js says ".." and "." for these; Tauri follows it only here. */
	if (**out == '\0' && (strcmp(path, "..") == 0 || strcmp(path, ".") == 0)) {
		free(*out);
		return give(strdup(path), out);
	}
	/* The trailing separator comes back ('/' even after a '\'). */
	if (ends_with_sep(path)) {
		struct buf t = {*out, strlen(*out), strlen(*out) + 1, false};
		buf_put(&t, "/", 1);
		*out = NULL;
		return buf_give(&t, out);
	}
	return 0;
}

int cg_path_join(const char *const *paths, size_t n, char **out)
{
	struct buf cat = {0}, b = {0};
	int rc;

	if (out)
		*out = NULL;
	if ((!paths && n) || !out)
		return CG_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!paths[i]) {
			free(cat.s);
			return CG_EINVAL;
		}
		buf_put(&cat, paths[i], strlen(paths[i]));
		/* An empty element adds nothing, not a separator (tauri#13313:
		 * join(["", "a"]) was "/a" before Tauri 2.6, "a" since). */
		if (paths[i][0] && !ends_with_sep(paths[i]))
			buf_put(&cat, "/", 1);
	}
	if ((rc = buf_give(&cat, &cat.s)) < 0)
		return rc;
	components(cat.s, noabs_cb, &b);
	free(cat.s);
	if ((rc = buf_give(&b, out)) < 0)
		return rc;
	if (**out == '\0') {
		free(*out);
		return give(strdup("."), out);
	}
	return 0;
}

int cg_path_resolve(const char *cwd, const char *const *paths, size_t n, char **out)
{
	struct buf p = {0}, b = {0};
	int rc;

	if (out)
		*out = NULL;
	if (!cwd || (!paths && n) || !out)
		return CG_EINVAL;
	buf_put(&p, cwd, strlen(cwd));
	for (size_t i = 0; i < n; i++) {
		if (!paths[i]) {
			free(p.s);
			return CG_EINVAL;
		}
		buf_push(&p, paths[i], strlen(paths[i]));
	}
	if ((rc = buf_give(&p, &p.s)) < 0)
		return rc;
	components(p.s, norm_cb, &b);
	free(p.s);
	return buf_give(&b, out);
}

int cg_path_dirname(const char *path, char **out)
{
	long n;

	if (out)
		*out = NULL;
	if (!path || !out)
		return CG_EINVAL;
	n = parent_len(path);
	if (n < 0)
		return CG_ENOTFOUND;
	return give(dupn(path, (size_t)n), out);
}

/* Path::file_name: the last component when it is a normal one. */
static bool file_name(const char *path, struct comp *c)
{
	return last_component(path, c) && c->kind == C_NORMAL;
}

int cg_path_extname(const char *path, char **out)
{
	struct comp c;
	const char *name, *dot = NULL;

	if (out)
		*out = NULL;
	if (!path || !out)
		return CG_EINVAL;
	if (!file_name(path, &c))
		return CG_ENOTFOUND;
	name = path + c.start;
	for (size_t i = 0; i < c.len; i++)
		if (name[i] == '.')
			dot = name + i;
	/* No '.', or only a leading one (".bashrc"): no extension. */
	if (!dot || dot == name)
		return CG_ENOTFOUND;
	return give(dupn(dot + 1, c.len - (size_t)(dot + 1 - name)), out);
}

int cg_path_basename(const char *path, const char *ext, char **out)
{
	struct comp c;
	size_t n, e;

	if (out)
		*out = NULL;
	if (!path || !out)
		return CG_EINVAL;
	if (!file_name(path, &c))
		return CG_ENOTFOUND;
	n = c.len;
	e = ext ? strlen(ext) : 0;
	if (ext && e <= n && memcmp(path + c.start + n - e, ext, e) == 0)
		n -= e;
	return give(dupn(path + c.start, n), out);
}

int cg_path_is_absolute(const char *path)
{
	return path && path[0] == '/';
}
