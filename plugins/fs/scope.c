/*
 * The fs scope: compiled once from scope entries, then checked per call
 * (fs/scope.h says what is allowed and where capgate differs from Tauri).
 *
 * An entry is expanded as Tauri's ScopeObject for fs does (PathResolver::
 * parse: a "$VAR" first component, ".." dropped), normalized as
 * push_pattern does (Path::components().collect()), and compiled into a
 * glob with Tauri's MatchOptions. Tauri also keeps a second pattern per
 * entry with its longest existing directory canonicalized
 * (canonicalize_parent); here that is the entry's root with its symlinks
 * resolved, computed once, and a path that starts with it is matched as if
 * it started with the root as written.
 *
 * A check is a few prefix comparisons per entry: each glob first compares
 * its literal prefix, which for scope entries is almost all of it.
 */
#include "fs/fs_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { E_GLOB, E_FILE, E_DIR, E_DIR_REC };

struct fs_entry {
	int kind;
	cg_glob *glob;     /* E_GLOB */
	/* A deny entry while leading dots are protected: the same pattern
	 * without that rule. What a recursive operation finds below a deny
	 * entry's directory is kept whatever its name ("$HOME/keep/" + "**"
	 * keeps "$HOME/keep/.env" from a recursive remove), which is what
	 * its author means; a request by name still follows Tauri's rule. */
	cg_glob *whole;
	char *written;     /* as the capability wrote it, or the granted path */
	char *pattern;     /* expanded (E_GLOB) or the literal path */
	size_t pattern_len;
	char *root;        /* its root: no trailing '/' except "/" itself */
	size_t root_len;
	char *canon;       /* the root with its symlinks resolved, if it differs */
	size_t canon_len;
};

struct cg_fs_scope {
	struct fs_entry *allow, *deny;
	size_t nallow, ndeny;
	bool dotfiles;
};

struct cg_fs_grants {
	pthread_rwlock_t lock;
	struct fs_entry *e;
	size_t n, cap;
};

/* ------------------------------------------------------------ helpers */

/* Strict UTF-8, as Rust's str. */
static bool utf8_valid(const unsigned char *s)
{
	while (*s) {
		unsigned char c = *s;
		size_t n;
		uint32_t v, min;
		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 2, v = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3, v = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4, v = c & 0x07, min = 0x10000;
		else
			return false;
		for (size_t i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			v = (v << 6) | (s[i] & 0x3f);
		}
		if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return false;
		s += n;
	}
	return true;
}

/* The request as Tauri's components().collect() would see it, refusing
 * what Tauri refuses (SafePathBuf: "..") and what capgate refuses on top:
 * a relative path, one that is not UTF-8 (Tauri's globs never match it),
 * or one too long to open. NULL, or the problem. */
static const char *normalize_request(const char *in, char out[PATH_MAX], size_t *len)
{
	size_t o = 1, i = 0;

	if (!in || !*in)
		return "the path is empty";
	if (in[0] != '/')
		return "the path is not absolute";
	if (!utf8_valid((const unsigned char *)in))
		return "the path is not UTF-8";
	out[0] = '/';
	while (in[i]) {
		size_t s, n;
		while (in[i] == '/')
			i++;
		if (!in[i])
			break;
		s = i;
		while (in[i] && in[i] != '/')
			i++;
		n = i - s;
		if (n == 1 && in[s] == '.')
			continue;
		if (n == 2 && in[s] == '.' && in[s + 1] == '.')
			return "the path contains \"..\"";
		if (o + (o > 1) + n >= PATH_MAX)
			return "the path is too long";
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, in + s, n);
		o += n;
	}
	out[o] = '\0';
	*len = o;
	return NULL;
}

/* Tauri's canonicalize_parent: the longest existing ancestor of path (an
 * absolute, normalized path) canonicalized, with the rest appended. NULL
 * when that is path itself, is not UTF-8, or nothing resolves. */
static char *canonicalize_parent(const char *path)
{
	char head[PATH_MAX], *real, *out = NULL;
	const char *tail;
	size_t hl = strlen(path), rl, tl;

	if (hl >= PATH_MAX || path[0] != '/')
		return NULL;
	memcpy(head, path, hl + 1);
	while (!(real = realpath(head, NULL))) {
		if (hl == 1)
			return NULL;
		while (hl > 1 && head[hl - 1] != '/')
			hl--;
		if (hl > 1)
			hl--;
		head[hl] = '\0';
	}
	/* What did not resolve, without its leading '/'. */
	tail = hl == 1 ? path + 1 : path + hl + (path[hl] == '/');
	rl = strlen(real);
	tl = strlen(tail);
	bool sep = tl && real[rl - 1] != '/';
	if (rl + sep + tl < PATH_MAX && (out = malloc(rl + sep + tl + 1))) {
		memcpy(out, real, rl);
		if (sep)
			out[rl] = '/';
		memcpy(out + rl + sep, tail, tl + 1);
	}
	free(real);
	if (out && (strcmp(out, path) == 0 || !utf8_valid((unsigned char *)out))) {
		free(out);
		out = NULL;
	}
	return out;
}

static void entry_free(struct fs_entry *e)
{
	cg_glob_free(e->glob);
	cg_glob_free(e->whole);
	free(e->written);
	free(e->pattern);
	free(e->root);
	free(e->canon);
}

/* The root of a path or pattern whose literal text is prefix: everything
 * before its last '/' ("/" when that is the first character). */
static int set_root(struct fs_entry *e, const char *prefix)
{
	const char *slash = strrchr(prefix, '/');
	size_t n = slash && slash > prefix ? (size_t)(slash - prefix) : 1;

	e->root = strndup(slash ? prefix : "/", n);
	if (!e->root)
		return CG_ENOMEM;
	e->root_len = n;
	e->canon = canonicalize_parent(e->root);
	e->canon_len = e->canon ? strlen(e->canon) : 0;
	return 0;
}

/* ------------------------------------------------------------ matching */

static bool dot_component(const char *rest)
{
	if (rest[0] == '.')
		return true;
	return strstr(rest, "/.") != NULL;
}

/* whole: use the entry's pattern without the leading-dot rule, if any. */
static bool entry_matches(const struct fs_entry *e, const char *p, bool dotfiles, bool whole)
{
	const char *rest;

	if (e->kind == E_GLOB)
		return cg_glob_matches(whole && e->whole ? e->whole : e->glob, p);
	if (strncmp(p, e->pattern, e->pattern_len) != 0)
		return false;
	rest = p + e->pattern_len;
	if (*rest == '\0')
		return true;
	if (e->kind == E_FILE)
		return false;
	if (e->pattern_len > 1) {
		if (*rest != '/')
			return false;
		rest++;
	}
	if (!*rest || (!dotfiles && dot_component(rest)))
		return false;
	return e->kind == E_DIR_REC || !strchr(rest, '/');
}

/* p below the entry's resolved root, rewritten below its root as written;
 * false if p is not below it. */
static bool unresolve(const struct fs_entry *e, const char *p, size_t plen, char out[PATH_MAX])
{
	const char *suffix;
	size_t sl;

	if (!e->canon || plen < e->canon_len || memcmp(p, e->canon, e->canon_len) != 0)
		return false;
	suffix = p + e->canon_len;
	if (e->canon_len == 1) {
		suffix--; /* keep the '/' that "/" ends with */
		if (plen == 1)
			suffix++;
	} else if (*suffix != '/' && *suffix != '\0') {
		return false;
	}
	sl = plen - (size_t)(suffix - p);
	if (e->root_len + sl >= PATH_MAX)
		return false;
	memcpy(out, e->root, e->root_len);
	memcpy(out + e->root_len, suffix, sl + 1);
	return true;
}

/* 0: no match; 1: p matches; 2: p below the resolved root matches. */
static int entry_matches_any(const struct fs_entry *e, const char *p, size_t plen, bool dotfiles,
			     bool whole)
{
	char buf[PATH_MAX];
	if (entry_matches(e, p, dotfiles, whole))
		return 1;
	if (e->canon && unresolve(e, p, plen, buf) && entry_matches(e, buf, dotfiles, whole))
		return 2;
	return 0;
}

static const struct fs_entry *denied(const cg_fs_scope *s, const char *p, size_t plen, bool whole)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->ndeny; i++)
		if (entry_matches_any(&s->deny[i], p, plen, s->dotfiles, whole))
			return &s->deny[i];
	return NULL;
}

static cg_fs_verdict refuse(cg_fs_why *why, cg_fs_verdict v, const char *entry, const char *problem)
{
	if (why) {
		why->verdict = v;
		why->entry = entry;
		why->problem = problem;
	}
	return v;
}

/* Fills t from the allow entry e that matched t->req (how: 1 as
 * written, 2 below its resolved root). */
static int fill_target(struct fs_target *t, const struct fs_entry *e, int how, size_t reqlen)
{
	size_t rl = how == 2 ? e->canon_len : e->root_len;
	const char *to = e->canon ? e->canon : e->root;
	size_t tl = e->canon ? e->canon_len : e->root_len, restl, o = tl;
	const char *rest = t->req + rl;

	if (rl > 1 && *rest == '/')
		rest++;
	restl = reqlen - (size_t)(rest - t->req);
	if (tl + 1 + restl >= PATH_MAX)
		return -ENAMETOOLONG;
	t->req_root_len = rl;
	t->root_len = tl;
	memcpy(t->path, to, tl);
	if (restl && tl > 1)
		t->path[o++] = '/';
	memcpy(t->path + o, rest, restl + 1);
	return 0;
}

int fs_target(const cg_fs_scope *s, const cg_fs_grants *g, const char *path, struct fs_target *t,
	      cg_fs_why *why)
{
	const struct fs_entry *d, *hit = NULL;
	struct fs_entry grant;
	const char *problem;
	size_t len = 0;
	int how = 0, rc;
	bool dotfiles = s && s->dotfiles;

	if (why) {
		memset(why, 0, sizeof(*why));
		why->path = path;
	}
	problem = normalize_request(path, t->req, &len);
	if (problem) {
		refuse(why, CG_FS_BAD_PATH, NULL, problem);
		return -EINVAL;
	}
	if ((d = denied(s, t->req, len, false))) {
		refuse(why, CG_FS_DENIED, d->written, NULL);
		return -EACCES;
	}
	if (g) {
		/* The array may move when a grant is added, the strings never
		 * (grants are only ever added): keep a copy of the entry. */
		pthread_rwlock_rdlock((pthread_rwlock_t *)&g->lock);
		for (size_t i = 0; i < g->n && !how; i++)
			if ((how = entry_matches_any(&g->e[i], t->req, len, dotfiles, false))) {
				grant = g->e[i];
				hit = &grant;
			}
		pthread_rwlock_unlock((pthread_rwlock_t *)&g->lock);
	}
	for (size_t i = 0; s && i < s->nallow && !how; i++)
		if ((how = entry_matches_any(&s->allow[i], t->req, len, dotfiles, false)))
			hit = &s->allow[i];
	if (!hit) {
		refuse(why, CG_FS_NOT_ALLOWED, NULL, NULL);
		return -EACCES;
	}
	if ((rc = fill_target(t, hit, how, len)) < 0) {
		refuse(why, CG_FS_BAD_PATH, NULL, "the path is too long");
		return rc;
	}
	if (strcmp(t->path, t->req) != 0 && (d = denied(s, t->path, strlen(t->path), false))) {
		refuse(why, CG_FS_DENIED, d->written, NULL);
		return -EACCES;
	}
	refuse(why, CG_FS_ALLOWED, hit->written, NULL);
	return 0;
}

cg_fs_verdict cg_fs_check(const cg_fs_scope *s, const cg_fs_grants *g, const char *path,
			  cg_fs_why *why)
{
	struct fs_target t;
	cg_fs_why w;
	fs_target(s, g, path, &t, &w);
	if (why)
		*why = w;
	return w.verdict;
}

/* in with each byte that does not start a valid UTF-8 character
 * replaced by U+FFFD (as Rust's to_string_lossy, but per byte, which only
 * makes more characters for '?' and '*' to take). Its length, or 0 if it
 * does not fit in out. */
size_t fs_lossy_utf8(const char *in, char out[PATH_MAX])
{
	const unsigned char *c = (const unsigned char *)in;
	size_t o = 0;

	while (*c) {
		unsigned char one[5] = {0};
		size_t n = 1;
		if (*c >= 0x80) {
			/* The length of the valid character starting here, if any. */
			for (n = 4; n > 1; n--) {
				size_t i = 0;
				while (i < n && c[i])
					i++;
				if (i < n)
					continue;
				memcpy(one, c, n);
				one[n] = 0;
				if (utf8_valid(one))
					break;
			}
		}
		const char *src = n == 1 && *c >= 0x80 ? "\xef\xbf\xbd" : (const char *)c;
		size_t len = n == 1 && *c >= 0x80 ? 3 : n;
		if (o + len >= PATH_MAX)
			return 0;
		memcpy(out + o, src, len);
		o += len;
		c += n;
	}
	out[o] = '\0';
	return o;
}

bool fs_denied_below(const cg_fs_scope *s, const struct fs_target *t, const char *rest,
		     const char **entry)
{
	char buf[PATH_MAX], lossy[PATH_MAX];
	const struct fs_entry *d;
	const char *forms[2] = {t->req, t->path};
	size_t roots[2] = {t->req_root_len, t->root_len};

	for (int k = 0; k < 2; k++) {
		size_t rl = roots[k], rs = strlen(rest);
		size_t o = rl;
		const char *p = buf;
		if (rl + 1 + rs >= PATH_MAX)
			return true; /* cannot be named, so cannot be cleared */
		memcpy(buf, forms[k], rl);
		if (rl > 1)
			buf[o++] = '/';
		memcpy(buf + o, rest, rs + 1);
		o += rs;
		/* A name found on disk may not be UTF-8, which no pattern
		 * matches: it is judged by its lossy spelling, so that a deny
		 * entry ("keep/" + "**") still keeps it. */
		if (!utf8_valid((const unsigned char *)buf)) {
			if (!(o = fs_lossy_utf8(buf, lossy)))
				return true;
			p = lossy;
		}
		if ((d = denied(s, p, o, true))) {
			if (entry)
				*entry = d->written;
			return true;
		}
	}
	return false;
}

const char *fs_deny_moved(const cg_fs_scope *s, const char *from, const char *to)
{
	char ua[PATH_MAX], ub[PATH_MAX];

	for (size_t i = 0; s && i < s->ndeny; i++) {
		const struct fs_entry *e = &s->deny[i];
		if (!cg_glob_same_below(e->glob, from, to) ||
		    (e->whole && !cg_glob_same_below(e->whole, from, to)))
			return e->written;
		if (e->canon) {
			/* The entry also matches below its resolved root. */
			bool ha = unresolve(e, from, strlen(from), ua);
			bool hb = unresolve(e, to, strlen(to), ub);
			if (ha != hb || (ha && (!cg_glob_same_below(e->glob, ua, ub) ||
						       (e->whole && !cg_glob_same_below(e->whole, ua, ub)))))
				return e->written;
		}
	}
	return NULL;
}

/* ----------------------------------------------------------- compiling */

/* A problem with entry i of list ("allow" or "deny") of scopes[scope],
 * located by the pointer "/<scope>/<list>/<i>". */
static void diag(cg_diag *d, cg_severity sev, int code, size_t scope, const char *list, size_t i,
		 const char *hint, const char *msg)
{
	char ptr[96];
	if (!d)
		return;
	if (*list)
		snprintf(ptr, sizeof(ptr), "/%zu/%s/%zu", scope, list, i);
	else
		snprintf(ptr, sizeof(ptr), "/%zu", scope);
	cg_diag_add_message(d, sev, code, NULL, 0, 0, ptr, hint, msg);
}

/* One entry into *e. 1: compiled; 0: ignored (warned); < 0: error. */
static int compile_entry(const cg_paths *paths, json_object *v, unsigned gflags, size_t scope,
			 const char *list, size_t i, struct fs_entry *e, cg_diag *d)
{
	json_object *pv = v;
	char *exp = NULL, *lex = NULL, msg[1200];
	size_t off = 0;
	const char *emsg = NULL;
	int rc;

	memset(e, 0, sizeof(*e));
	if (json_object_is_type(v, json_type_object) && !json_object_object_get_ex(v, "path", &pv))
		pv = NULL;
	if (!pv || !json_object_is_type(pv, json_type_string)) {
		snprintf(msg, sizeof(msg), "fs scope entry %.200s is neither a path string nor "
			 "{\"path\": string}", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		diag(d, CG_SEV_ERROR, CG_ESCHEMA, scope, list, i,
		     "write the entry as a string (\"$APPDATA/db\") or {\"path\": \"$APPDATA/db\"}", msg);
		return CG_ESCHEMA;
	}
	const char *written = json_object_get_string(pv);
	rc = cg_paths_expand(paths, written, CG_PATHS_GLOB, &exp);
	if (rc == CG_ENOTFOUND) {
		/* Tauri's ScopeObject for fs turns UnknownPath into no path. */
		snprintf(msg, sizeof(msg), "fs scope entry \"%.512s\" is ignored: its base directory "
			 "is unknown here", written);
		diag(d, CG_SEV_WARNING, CG_ENOTFOUND, scope, list, i,
		     "set the directory (its XDG variable, user-dirs.dirs, the app's identifier or "
		     "resource directory), or drop the entry", msg);
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = cg_path_lexical(exp, &lex);
	free(exp);
	if (rc < 0)
		return rc;
	if (lex[0] != '/') {
		snprintf(msg, sizeof(msg), "fs scope entry \"%.512s\" is relative, and only absolute "
			 "paths are ever checked: it is ignored", written);
		diag(d, CG_SEV_WARNING, CG_EINVAL, scope, list, i,
		     "start the entry with a base directory variable ($APPDATA, $HOME, ...) or '/'", msg);
		free(lex);
		return 0;
	}
	rc = cg_glob_new(lex, gflags, &e->glob, &off, &emsg);
	if (rc == CG_EPATTERN && !utf8_valid((const unsigned char *)lex)) {
		/* The directory is not UTF-8: Tauri's lossy pattern never matches. */
		snprintf(msg, sizeof(msg), "fs scope entry \"%.512s\" is ignored: its directory is "
			 "not UTF-8", written);
		diag(d, CG_SEV_WARNING, CG_EPATTERN, scope, list, i, NULL, msg);
		free(lex);
		return 0;
	}
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "fs scope entry \"%.512s\" is not a valid glob: %s (at "
			 "byte %zu of \"%.512s\")", written, emsg ? emsg : cg_strerror(rc), off, lex);
		diag(d, CG_SEV_ERROR, rc, scope, list, i,
		     "\"**\" must be a whole component (\"dir/**\"), '[' needs its ']', and a "
		     "literal '*', '?' or '[' is written \"[*]\", \"[?]\", \"[[]\"", msg);
		free(lex);
		return rc;
	}
	if (strcmp(list, "deny") == 0 && (gflags & CG_GLOB_LITERAL_LEADING_DOT) &&
	    (rc = cg_glob_new(lex, gflags & ~(unsigned)CG_GLOB_LITERAL_LEADING_DOT, &e->whole, NULL,
			      NULL)) < 0) {
		cg_glob_free(e->glob);
		e->glob = NULL;
		free(lex);
		return rc;
	}
	e->kind = E_GLOB;
	e->pattern = lex;
	e->pattern_len = strlen(lex);
	e->written = strdup(written);
	if (!e->written || set_root(e, cg_glob_literal_prefix(e->glob, NULL)) < 0) {
		entry_free(e);
		memset(e, 0, sizeof(*e));
		return CG_ENOMEM;
	}
	return 1;
}

static int compile_list(cg_fs_scope *s, const cg_paths *paths, json_object *scope, size_t k,
			const char *list, unsigned gflags, cg_diag *d)
{
	json_object *arr;
	struct fs_entry **v = strcmp(list, "deny") == 0 ? &s->deny : &s->allow;
	size_t *n = strcmp(list, "deny") == 0 ? &s->ndeny : &s->nallow;

	if (!json_object_object_get_ex(scope, list, &arr) || !arr)
		return 0;
	if (!json_object_is_type(arr, json_type_array)) {
		diag(d, CG_SEV_ERROR, CG_ESCHEMA, k, "", 0, NULL,
		     strcmp(list, "deny") == 0 ? "the fs scope's \"deny\" is not an array"
					       : "the fs scope's \"allow\" is not an array");
		return CG_ESCHEMA;
	}
	size_t len = json_object_array_length(arr);
	struct fs_entry *grown = realloc(*v, (*n + len + 1) * sizeof(**v));
	if (!grown)
		return CG_ENOMEM;
	*v = grown;
	for (size_t i = 0; i < len; i++) {
		int rc = compile_entry(paths, json_object_array_get_idx(arr, i), gflags, k, list, i,
				       &(*v)[*n], d);
		if (rc < 0)
			return rc;
		*n += (size_t)rc;
	}
	return 0;
}

void cg_fs_scope_free(cg_fs_scope *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nallow; i++)
		entry_free(&s->allow[i]);
	for (size_t i = 0; i < s->ndeny; i++)
		entry_free(&s->deny[i]);
	free(s->allow);
	free(s->deny);
	free(s);
}

int cg_fs_scope_new(const cg_paths *paths, json_object *const *scopes, size_t n, unsigned flags,
		    cg_fs_scope **out, cg_diag *d)
{
	cg_fs_scope *s;
	unsigned gflags;
	int rc = 0;

	if (out)
		*out = NULL;
	if (!paths || !out || (n && !scopes) || (flags & ~CG_FS_DOTFILES))
		return CG_EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return CG_ENOMEM;
	s->dotfiles = flags & CG_FS_DOTFILES;
	gflags = CG_GLOB_LITERAL_SEPARATOR | (s->dotfiles ? 0 : CG_GLOB_LITERAL_LEADING_DOT);
	for (size_t k = 0; k < n && rc == 0; k++) {
		if (!scopes[k])
			continue;
		if (!json_object_is_type(scopes[k], json_type_object)) {
			diag(d, CG_SEV_ERROR, CG_ESCHEMA, k, "", 0, NULL,
			     "an fs scope is not an object {\"allow\": [...], \"deny\": [...]}");
			rc = CG_ESCHEMA;
			break;
		}
		rc = compile_list(s, paths, scopes[k], k, "allow", gflags, d);
		if (rc == 0)
			rc = compile_list(s, paths, scopes[k], k, "deny", gflags, d);
	}
	if (rc < 0) {
		cg_fs_scope_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static json_object *describe_entry(const struct fs_entry *e, bool deny)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "entry", json_object_new_string(e->written));
	json_object_object_add(o, "pattern", json_object_new_string(e->pattern));
	json_object_object_add(o, "root", json_object_new_string(e->root));
	if (e->canon)
		json_object_object_add(o, "resolved_root", json_object_new_string(e->canon));
	json_object_object_add(o, "deny", json_object_new_boolean(deny));
	return o;
}

json_object *cg_fs_scope_describe(const cg_fs_scope *s)
{
	json_object *a = json_object_new_array();
	if (!a || !s)
		return a;
	for (size_t i = 0; i < s->ndeny + s->nallow; i++) {
		bool deny = i < s->ndeny;
		json_object *o = describe_entry(deny ? &s->deny[i] : &s->allow[i - s->ndeny], deny);
		if (!o || json_object_array_add(a, o) < 0) {
			json_object_put(o);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* -------------------------------------------------------------- grants */

int cg_fs_grants_new(cg_fs_grants **out)
{
	cg_fs_grants *g;
	if (!out)
		return CG_EINVAL;
	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return CG_ENOMEM;
	if (pthread_rwlock_init(&g->lock, NULL) != 0) {
		free(g);
		return CG_ENOMEM;
	}
	*out = g;
	return 0;
}

void cg_fs_grants_free(cg_fs_grants *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		entry_free(&g->e[i]);
	free(g->e);
	pthread_rwlock_destroy(&g->lock);
	free(g);
}

int cg_fs_grants_add(cg_fs_grants *g, const char *path, cg_fs_grant_kind kind)
{
	char norm[PATH_MAX];
	size_t len;
	struct fs_entry e = {0};

	if (!g || (kind != CG_FS_GRANT_FILE && kind != CG_FS_GRANT_DIR &&
		   kind != CG_FS_GRANT_DIR_RECURSIVE))
		return CG_EINVAL;
	if (normalize_request(path, norm, &len))
		return CG_EINVAL;
	e.kind = kind == CG_FS_GRANT_FILE ? E_FILE : kind == CG_FS_GRANT_DIR ? E_DIR : E_DIR_REC;
	e.pattern = strdup(norm);
	e.pattern_len = len;
	e.written = strdup(norm);
	/* Everything a grant allows is below the path's parent. */
	if (!e.pattern || !e.written || set_root(&e, norm) < 0) {
		entry_free(&e);
		return CG_ENOMEM;
	}
	pthread_rwlock_wrlock(&g->lock);
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 8;
		struct fs_entry *v = realloc(g->e, cap * sizeof(*v));
		if (!v) {
			pthread_rwlock_unlock(&g->lock);
			entry_free(&e);
			return CG_ENOMEM;
		}
		g->e = v;
		g->cap = cap;
	}
	g->e[g->n++] = e;
	pthread_rwlock_unlock(&g->lock);
	return 0;
}
