/*
 * Remote URLs and the URL patterns of remote.urls (see urlpattern.h).
 *
 * A pattern string is split into components the way WHATWG URLPattern's
 * "parse a constructor string" does (Tauri's RemoteUrlPattern calls the
 * `urlpattern` crate's parse_constructor_string), then Tauri's defaults are
 * applied: a missing or "/" path, a missing or empty search and hash all
 * become "*"; a missing port means the default port. Each component is then
 * compiled into a small string in which literal bytes stand for themselves
 * and two control bytes stand for the wildcards, since control characters
 * can never be literals.
 *
 * The subset of URLPattern we accept: literals, backslash escapes, '*' (any
 * run) and ':name' (one non-empty segment). Regexp groups, '{...}' groups
 * and the '?'/'+' modifiers are rejected with a message, so a capability
 * never silently means something else than in Tauri.
 */
#include "base/internal.h"
#include "base/urlpattern.h"
#include "base/text.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_ANY '\x01' /* '*': any run, empty included */
#define MARK_SEG '\x02' /* ':name': one or more characters but the delimiter */

static const char msg_nomem[] = "out of memory";

/* ----------------------------------------------------------- tokenizer */

enum ttype {
	T_CHAR,     /* an ordinary character */
	T_ESCAPED,  /* "\x": the character x, never special */
	T_INVALID,  /* a ':' or '\' that starts nothing (lenient mode only) */
	T_ASTERISK,
	T_MODIFIER, /* '?' or '+' */
	T_NAME,     /* ":name" */
	T_END,
};

struct token {
	enum ttype type;
	size_t start, len;   /* bytes of the source the token spans */
	size_t vstart, vlen; /* its value: the character, or the name */
};

struct tokens {
	struct token *v;
	size_t n, cap;
};

struct perr {
	const char *msg;
	size_t off;
};

static bool set_err(struct perr *e, const char *msg, size_t off)
{
	e->msg = msg;
	e->off = off;
	return false;
}


/* JavaScript identifier characters, approximated: every non-ASCII
 * character counts, which only matters right after a ':'. */
static bool name_start_char(unsigned char c)
{
	return g_ascii_isalpha(c) || c == '$' || c == '_' || c >= 0x80;
}

static bool name_char(unsigned char c)
{
	return name_start_char(c) || g_ascii_isdigit(c);
}

static bool push_token(struct tokens *t, enum ttype type, size_t start,
		       size_t len, size_t vstart, size_t vlen)
{
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		struct token *nv = realloc(t->v, ncap * sizeof(*nv));
		if (!nv)
			return false;
		t->v = nv;
		t->cap = ncap;
	}
	t->v[t->n++] = (struct token){type, start, len, vstart, vlen};
	return true;
}

/* Validates one character at s[i] (i < end) and returns its length, or 0
 * with *e set. Whitespace and controls are refused everywhere, escaped or
 * not: URLPattern would percent-encode some of them, but in a capability
 * they are always a typo. */
static size_t check_char(const char *s, size_t i, size_t end, struct perr *e)
{
	unsigned char c = (unsigned char)s[i];
	uint32_t cp;
	size_t n = cg_utf8_decode((const unsigned char *)s + i, end - i, &cp);

	if (n == 0)
		return set_err(e, "invalid UTF-8", i), 0;
	if (c <= 0x20 || c == 0x7f)
		return set_err(e, "spaces and control characters are not allowed", i), 0;
	return n;
}

/* Groups are refused as soon as they are seen, so that no later step has
 * to skip over them as URLPattern does. */
static bool check_group(const char *s, size_t i, struct perr *e)
{
	if (s[i] == '(')
		return set_err(e, "regexp groups \"(...)\" are not supported", i);
	if (s[i] == '{' || s[i] == '}')
		return set_err(e, "groups \"{...}\" are not supported", i);
	return true;
}

static bool tokenize_colon(const char *s, size_t i, size_t end, bool strict,
			   struct tokens *t, size_t *adv, struct perr *e)
{
	size_t k = i + 1;
	if (k < end && name_start_char((unsigned char)s[k])) {
		while (k < end && name_char((unsigned char)s[k]))
			k++;
		*adv = k - i;
		return push_token(t, T_NAME, i, k - i, i + 1, k - i - 1) ||
		       set_err(e, msg_nomem, i);
	}
	if (strict)
		return set_err(e, "a ':' here must start a name such as :id (write \\: for a literal ':')", i);
	*adv = 1;
	return push_token(t, T_INVALID, i, 1, i, 1) || set_err(e, msg_nomem, i);
}

static bool tokenize_backslash(const char *s, size_t i, size_t end, bool strict,
			       struct tokens *t, size_t *adv, struct perr *e)
{
	if (i + 1 >= end) {
		if (strict)
			return set_err(e, "a '\\' must be followed by the character it escapes", i);
		*adv = 1;
		return push_token(t, T_INVALID, i, 1, i, 1) || set_err(e, msg_nomem, i);
	}
	size_t n = check_char(s, i + 1, end, e);
	if (n == 0)
		return false;
	*adv = 1 + n;
	return push_token(t, T_ESCAPED, i, 1 + n, i + 1, n) || set_err(e, msg_nomem, i);
}

/* URLPattern's tokenizer over s[start, end). The constructor string is
 * tokenized leniently (a stray ':' may be a separator); a component is
 * tokenized strictly, as "compile a component" does. */
static bool tokenize(const char *s, size_t start, size_t end, bool strict,
		     struct tokens *t, struct perr *e)
{
	t->n = 0;
	for (size_t i = start; i < end;) {
		size_t n = check_char(s, i, end, e);
		bool ok = true;
		if (n == 0 || !check_group(s, i, e))
			return false;
		if (s[i] == ':')
			ok = tokenize_colon(s, i, end, strict, t, &n, e);
		else if (s[i] == '\\')
			ok = tokenize_backslash(s, i, end, strict, t, &n, e);
		else if (s[i] == '*')
			ok = push_token(t, T_ASTERISK, i, 1, i, 1) || set_err(e, msg_nomem, i);
		else if (s[i] == '?' || s[i] == '+')
			ok = push_token(t, T_MODIFIER, i, 1, i, 1) || set_err(e, msg_nomem, i);
		else
			ok = push_token(t, T_CHAR, i, n, i, n) || set_err(e, msg_nomem, i);
		if (!ok)
			return false;
		i += n;
	}
	return push_token(t, T_END, end, 0, end, 0) || set_err(e, msg_nomem, end);
}

/* ------------------------------------------------------ component text */

struct buf {
	char *s;
	size_t n, cap;
};

static bool buf_put(struct buf *b, const char *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 32;
		while (ncap < b->n + n + 1)
			ncap *= 2;
		char *ns = realloc(b->s, ncap);
		if (!ns)
			return false;
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->n, p, n);
	b->n += n;
	b->s[b->n] = '\0';
	return true;
}

static bool buf_putc(struct buf *b, char c) { return buf_put(b, &c, 1); }

static bool unreserved(unsigned char c)
{
	return g_ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Characters that WHATWG's URL parser percent-encodes in a path, query or
 * fragment (the union of its sets, but for a raw '%'). */
static bool needs_encoding(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' ||
	       c == '`' || c == '{' || c == '}';
}

/*
 * The one normal form for paths, queries and fragments, applied to both
 * pattern literals and URLs so that they compare alike: characters a URL
 * parser would encode are encoded, escapes use upper-case hex, and escapes
 * of unreserved characters are decoded (as GUri does). A '%' that starts no
 * escape stays as is. Wildcard marks pass through.
 */
static char *normalize_encoded(const char *in)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = {0};
	bool ok = buf_put(&b, "", 0);

	for (const unsigned char *p = (const unsigned char *)in; ok && *p; p++) {
		if (*p == MARK_ANY || *p == MARK_SEG) {
			ok = buf_putc(&b, (char)*p);
		} else if (*p == '%' && g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
			unsigned char v = (unsigned char)(g_ascii_xdigit_value(p[1]) * 16 +
							  g_ascii_xdigit_value(p[2]));
			char esc[3] = {'%', hex[v >> 4], hex[v & 15]};
			ok = unreserved(v) ? buf_putc(&b, (char)v) : buf_put(&b, esc, 3);
			p += 2;
		} else if (needs_encoding(*p)) {
			char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			ok = buf_put(&b, esc, 3);
		} else {
			ok = buf_putc(&b, (char)*p);
		}
	}
	if (!ok) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* ------------------------------------------------------------ matching */

static bool has_marks(const char *p)
{
	return strchr(p, MARK_ANY) || strchr(p, MARK_SEG);
}

/* One step of the matcher: from the set of subject positions `cur`
 * reachable before pattern element pat[*pi], computes those reachable after
 * it into `next`, and advances *pi past the element. */
static void match_step(const char *pat, size_t *pi, const char *s, size_t n,
		       char delim, const bool *cur, bool *next)
{
	char c = pat[*pi];
	size_t run = 1;

	memset(next, 0, (n + 1) * sizeof(*next));
	if (c == MARK_ANY) {
		bool seen = false;
		for (size_t q = 0; q <= n; q++)
			next[q] = seen = seen || cur[q];
	} else if (c == MARK_SEG) {
		bool active = false;
		for (size_t q = 1; q <= n; q++) {
			if (delim && s[q - 1] == delim)
				active = false;
			else
				active = active || cur[q - 1];
			next[q] = active;
		}
	} else {
		while (pat[*pi + run] && pat[*pi + run] != MARK_ANY &&
		       pat[*pi + run] != MARK_SEG)
			run++;
		for (size_t q = 0; q + run <= n; q++)
			next[q + run] = cur[q] && memcmp(s + q, pat + *pi, run) == 0;
	}
	*pi += run;
}

/* Whether s matches the compiled component pat as a whole. The dynamic
 * programme over subject positions is O(|pat| * |s|) whatever the input. */
static bool comp_match(const char *pat, const char *s, char delim)
{
	if (pat[0] == MARK_ANY && pat[1] == '\0')
		return true;
	if (!has_marks(pat))
		return strcmp(pat, s) == 0;

	size_t n = strlen(s);
	bool stack[2][257];
	bool *cur = stack[0], *next = stack[1], *heap = NULL;
	if (n + 1 > sizeof(stack[0]) / sizeof(stack[0][0])) {
		heap = calloc(2 * (n + 1), sizeof(*heap));
		if (!heap)
			return false; /* failing closed */
		cur = heap;
		next = heap + n + 1;
	}
	memset(cur, 0, (n + 1) * sizeof(*cur));
	cur[0] = true;
	for (size_t pi = 0; pat[pi];) {
		match_step(pat, &pi, s, n, delim, cur, next);
		bool *t = cur;
		cur = next;
		next = t;
	}
	bool ok = cur[n];
	free(heap);
	return ok;
}

/* --------------------------------------------------------- the pattern */

enum comp_kind { C_SCHEME, C_USER, C_PASS, C_HOST, C_PORT, C_PATH, C_SEARCH, C_HASH, C_COUNT };

struct cg_urlpattern {
	char *source;
	char *comp[C_COUNT]; /* compiled; user and password are unused */
	bool special;        /* the scheme can be a special one: '/' splits paths */
};

struct range {
	bool set;
	size_t start, end;
};

static const char *const special_schemes[] = {"http", "https", "ws", "wss", "ftp", "file", NULL};

static int default_port(const char *scheme)
{
	if (!strcmp(scheme, "http") || !strcmp(scheme, "ws"))
		return 80;
	if (!strcmp(scheme, "https") || !strcmp(scheme, "wss"))
		return 443;
	if (!strcmp(scheme, "ftp"))
		return 21;
	return -1;
}

/* ---------------------------------------------- constructor string parser */

enum pstate { S_INIT, S_PROTOCOL, S_AUTHORITY, S_USER, S_PASS, S_HOST, S_PORT, S_PATH, S_SEARCH, S_HASH, S_DONE };

struct cparser {
	const char *src;
	struct tokens t;
	struct range r[C_COUNT];
	size_t comp_start, idx, incr;
	size_t ipv6_depth;
	enum pstate state;
	bool special;     /* the scheme pattern can match a special scheme */
	bool slashes;     /* "//" followed the scheme */
	struct perr *e;
};

static const struct token *safe_token(const struct cparser *p, size_t i)
{
	return i < p->t.n ? &p->t.v[i] : &p->t.v[p->t.n - 1];
}

/* URLPattern's "is a non-special pattern char": escaped characters count
 * too, exactly as in the spec. */
static bool is_char(const struct cparser *p, size_t i, char c)
{
	const struct token *tk = safe_token(p, i);
	return (tk->type == T_CHAR || tk->type == T_ESCAPED || tk->type == T_INVALID) &&
	       tk->vlen == 1 && p->src[tk->vstart] == c;
}

/* A '?' starts the search unless it is a modifier of the token before. */
static bool is_search_prefix(const struct cparser *p)
{
	const struct token *tk = safe_token(p, p->idx);
	if (is_char(p, p->idx, '?'))
		return true;
	if (tk->type != T_MODIFIER || p->src[tk->start] != '?')
		return false;
	if (p->idx == 0)
		return true;
	enum ttype prev = safe_token(p, p->idx - 1)->type;
	return prev != T_NAME && prev != T_ASTERISK;
}

static enum comp_kind state_comp(enum pstate s)
{
	switch (s) {
	case S_PROTOCOL: return C_SCHEME;
	case S_USER: return C_USER;
	case S_PASS: return C_PASS;
	case S_HOST: return C_HOST;
	case S_PORT: return C_PORT;
	case S_PATH: return C_PATH;
	case S_SEARCH: return C_SEARCH;
	case S_HASH: return C_HASH;
	default: return C_COUNT;
	}
}

static void set_range(struct cparser *p, enum comp_kind k)
{
	p->r[k].set = true;
	p->r[k].start = safe_token(p, p->comp_start)->start;
	p->r[k].end = p->t.v[p->idx].start;
}

/* URLPattern's change_state also fills in empty hosts, paths and searches
 * skipped over; that is left out because it changes nothing here: Tauri
 * turns a missing path, search or hash into "*", and a pattern without
 * "//" and a host is refused. */
static void change_state(struct cparser *p, enum pstate to, size_t skip)
{
	enum comp_kind k = state_comp(p->state);
	if (k != C_COUNT)
		set_range(p, k);
	p->state = to;
	p->idx += skip;
	p->comp_start = p->idx;
	p->incr = 0;
}

static void rewind_to(struct cparser *p, enum pstate to)
{
	p->idx = p->comp_start;
	p->incr = 0;
	p->state = to;
}

static bool compile_comp(const char *src, size_t start, size_t end,
			 enum comp_kind kind, char **out, struct perr *e);

static bool scheme_can_be_special(const char *compiled)
{
	for (size_t i = 0; special_schemes[i]; i++)
		if (comp_match(compiled, special_schemes[i], 0))
			return true;
	return false;
}

static bool on_protocol_suffix(struct cparser *p)
{
	char *scheme = NULL;
	size_t start = safe_token(p, p->comp_start)->start;
	if (!compile_comp(p->src, start, p->t.v[p->idx].start, C_SCHEME, &scheme, p->e))
		return false;
	p->special = scheme_can_be_special(scheme);
	free(scheme);
	p->slashes = is_char(p, p->idx + 1, '/') && is_char(p, p->idx + 2, '/');
	if (p->slashes)
		change_state(p, S_AUTHORITY, 3);
	else
		change_state(p, p->special ? S_AUTHORITY : S_PATH, 1);
	return true;
}

static void on_host_token(struct cparser *p)
{
	if (is_char(p, p->idx, '['))
		p->ipv6_depth++;
	else if (is_char(p, p->idx, ']') && p->ipv6_depth > 0)
		p->ipv6_depth--;
	else if (is_char(p, p->idx, ':') && p->ipv6_depth == 0)
		change_state(p, S_PORT, 1);
	else if (is_char(p, p->idx, '/'))
		change_state(p, S_PATH, 0);
	else if (is_search_prefix(p))
		change_state(p, S_SEARCH, 1);
	else if (is_char(p, p->idx, '#'))
		change_state(p, S_HASH, 1);
}

/* The transitions after the authority: port, path, search, hash. */
static void on_tail_token(struct cparser *p)
{
	if (p->state == S_PORT && is_char(p, p->idx, '/'))
		change_state(p, S_PATH, 0);
	else if ((p->state == S_PORT || p->state == S_PATH) && is_search_prefix(p))
		change_state(p, S_SEARCH, 1);
	else if (p->state != S_HASH && is_char(p, p->idx, '#'))
		change_state(p, S_HASH, 1);
}

static bool on_token(struct cparser *p)
{
	switch (p->state) {
	case S_INIT:
		if (is_char(p, p->idx, ':'))
			rewind_to(p, S_PROTOCOL);
		break;
	case S_PROTOCOL:
		if (is_char(p, p->idx, ':'))
			return on_protocol_suffix(p);
		break;
	case S_AUTHORITY:
		if (is_char(p, p->idx, '@'))
			rewind_to(p, S_USER);
		else if (is_char(p, p->idx, '/') || is_search_prefix(p) || is_char(p, p->idx, '#'))
			rewind_to(p, S_HOST);
		break;
	case S_USER:
		if (is_char(p, p->idx, ':'))
			change_state(p, S_PASS, 1);
		else if (is_char(p, p->idx, '@'))
			change_state(p, S_HOST, 1);
		break;
	case S_PASS:
		if (is_char(p, p->idx, '@'))
			change_state(p, S_HOST, 1);
		break;
	case S_HOST:
		on_host_token(p);
		break;
	default:
		on_tail_token(p);
		break;
	}
	return true;
}

static void on_end(struct cparser *p)
{
	if (p->state == S_INIT) {
		/* No scheme: the whole string is a path (refused later). */
		rewind_to(p, S_INIT);
		change_state(p, S_PATH, 0);
	} else if (p->state == S_AUTHORITY) {
		rewind_to(p, S_HOST);
	} else {
		change_state(p, S_DONE, 0);
	}
}

/* URLPattern's "parse a constructor string", without groups (refused by
 * the tokenizer) and without a base URL (Tauri passes none). */
static bool parse_constructor(struct cparser *p)
{
	p->state = S_INIT;
	while (p->idx < p->t.n && p->state != S_DONE) {
		p->incr = 1;
		if (p->t.v[p->idx].type == T_END)
			on_end(p);
		else if (!on_token(p))
			return false;
		p->idx += p->incr;
	}
	return true;
}

/* ------------------------------------------------- component compilation */

static bool host_char_ok(unsigned char c, bool ipv6)
{
	if (ipv6)
		return g_ascii_isxdigit(c) || c == ':' || c == '.' || c == '[' || c == ']';
	return c > 0x20 && c != 0x7f && !strchr("#%/:<>?@[\\]^|", c);
}

/* Appends one literal character of a component, canonicalized as
 * URLPattern's per-component canonicalizers would. */
static bool put_literal(struct buf *b, enum comp_kind kind, const char *c,
			size_t n, size_t off, bool ipv6, struct perr *e)
{
	unsigned char u = (unsigned char)c[0];
	switch (kind) {
	case C_SCHEME:
		if (!g_ascii_isalnum(u) && u != '+' && u != '-' && u != '.')
			return set_err(e, "invalid character in the scheme", off);
		return buf_putc(b, g_ascii_tolower(c[0])) || set_err(e, msg_nomem, off);
	case C_HOST:
		if (u >= 0x80) /* converted by host_to_ascii() */
			return buf_put(b, c, n) || set_err(e, msg_nomem, off);
		if (!host_char_ok(u, ipv6))
			return set_err(e, "invalid character in the host", off);
		return buf_putc(b, g_ascii_tolower(c[0])) || set_err(e, msg_nomem, off);
	case C_PORT:
		if (!g_ascii_isdigit(u))
			return set_err(e, "a port is digits, '*' or empty", off);
		return buf_putc(b, c[0]) || set_err(e, msg_nomem, off);
	default:
		return buf_put(b, c, n) || set_err(e, msg_nomem, off);
	}
}

static bool put_token(struct buf *b, const char *src, const struct token *tk,
		      enum comp_kind kind, bool ipv6, struct perr *e)
{
	switch (tk->type) {
	case T_ASTERISK:
		return buf_putc(b, MARK_ANY) || set_err(e, msg_nomem, tk->start);
	case T_NAME:
		return buf_putc(b, MARK_SEG) || set_err(e, msg_nomem, tk->start);
	case T_MODIFIER:
		if (src[tk->start] == '?')
			return set_err(e, "this '?' is a URLPattern modifier (as after '*' or :name), which is not supported; write \\? for a literal '?'", tk->start);
		return set_err(e, "'+' is a URLPattern modifier, which is not supported; write \\+ for a literal '+'", tk->start);
	case T_CHAR:
	case T_ESCAPED:
		return put_literal(b, kind, src + tk->vstart, tk->vlen, tk->start, ipv6, e);
	default:
		return true;
	}
}

/* Converts the non-ASCII labels of a compiled host to their ASCII (IDNA)
 * form, as the URL parser does with the host of a URL. */
static bool host_to_ascii(char **host, size_t off, struct perr *e)
{
	bool ascii = true;
	for (const char *c = *host; *c; c++)
		ascii = ascii && (unsigned char)*c < 0x80;
	if (ascii)
		return true;

	char **labels = g_strsplit(*host, ".", -1);
	for (size_t i = 0; labels[i]; i++) {
		bool wide = false;
		for (const char *c = labels[i]; *c; c++)
			wide = wide || (unsigned char)*c >= 0x80;
		if (!wide)
			continue;
		if (has_marks(labels[i])) {
			g_strfreev(labels);
			return set_err(e, "a host label cannot mix wildcards and non-ASCII characters", off);
		}
		char *a = g_hostname_to_ascii(labels[i]);
		if (!a) {
			g_strfreev(labels);
			return set_err(e, "invalid international domain name", off);
		}
		g_free(labels[i]);
		labels[i] = a;
	}
	char *joined = g_strjoinv(".", labels);
	g_strfreev(labels);
	free(*host);
	*host = strdup(joined);
	g_free(joined);
	return *host || set_err(e, msg_nomem, off);
}

/* A literal port is a number up to 65535, written without leading zeros. */
static bool canonical_port(char **port, size_t off, struct perr *e)
{
	if (has_marks(*port) || !**port)
		return true;
	const char *d = *port;
	while (d[0] == '0' && d[1])
		d++;
	if (strlen(d) > 5 || atol(d) > 65535)
		return set_err(e, "port out of range", off);
	memmove(*port, d, strlen(d) + 1);
	return true;
}

static bool postprocess(char **out, enum comp_kind kind, size_t off, struct perr *e)
{
	if (kind == C_HOST)
		return host_to_ascii(out, off, e);
	if (kind == C_PORT)
		return canonical_port(out, off, e);
	if (kind == C_PATH || kind == C_SEARCH || kind == C_HASH) {
		char *n = normalize_encoded(*out);
		if (!n)
			return set_err(e, msg_nomem, off);
		free(*out);
		*out = n;
	}
	return true;
}

/* "Compile a component" for our subset: tokenizes src[start, end) strictly
 * and builds the marked literal string in *out. */
static bool compile_comp(const char *src, size_t start, size_t end,
			 enum comp_kind kind, char **out, struct perr *e)
{
	struct tokens t = {0};
	struct buf b = {0};
	bool ok = tokenize(src, start, end, true, &t, e) &&
		  (buf_put(&b, "", 0) || set_err(e, msg_nomem, start));
	/* Like URLPattern, a '[' first (escaped or not) makes an IPv6 host. */
	bool ipv6 = ok && kind == C_HOST && t.v[0].type != T_END &&
		    t.v[0].vlen == 1 && src[t.v[0].vstart] == '[';

	for (size_t i = 0; ok && i < t.n; i++)
		ok = put_token(&b, src, &t.v[i], kind, ipv6, e);
	free(t.v);
	if (ok)
		ok = postprocess(&b.s, kind, start, e);
	if (!ok) {
		free(b.s);
		return false;
	}
	*out = b.s;
	return true;
}

/* --------------------------------------------------- building a pattern */

static bool require_parts(const struct cparser *p, struct perr *e)
{
	if (!p->r[C_SCHEME].set || p->r[C_SCHEME].start == p->r[C_SCHEME].end)
		return set_err(e, "a URL pattern starts with a scheme and \"//\", e.g. \"https://example.com\"", 0);
	if (!p->slashes)
		return set_err(e, "expected \"//\" after the scheme, e.g. \"https://example.com\"",
			       p->r[C_SCHEME].end + 1);
	if (p->r[C_USER].set)
		return set_err(e, "user names and passwords are not supported in URL patterns",
			       p->r[C_USER].start);
	if (!p->r[C_HOST].set || p->r[C_HOST].start == p->r[C_HOST].end)
		return set_err(e, "the URL pattern has no host (use \"*\" for any host)",
			       p->r[C_HOST].set ? p->r[C_HOST].start : strlen(p->src));
	return true;
}

/* Tauri's RemoteUrlPattern: an empty or "/" path, and an empty search or
 * hash, match anything. A missing port is compiled as the empty string, as
 * the `urlpattern` crate does once there is a host: the default port. */
static bool tauri_wildcard(const struct cparser *p, enum comp_kind k)
{
	const struct range *r = &p->r[k];
	size_t len = r->end - r->start;
	if (!r->set || len == 0)
		return k == C_PATH || k == C_SEARCH || k == C_HASH;
	return k == C_PATH && len == 1 && p->src[r->start] == '/';
}

/* URLPattern drops a special scheme's default port from the pattern. */
static void drop_default_port(cg_urlpattern *pat)
{
	char buf[12];
	int dp = default_port(pat->comp[C_SCHEME]);
	if (dp < 0 || has_marks(pat->comp[C_SCHEME]))
		return;
	snprintf(buf, sizeof(buf), "%d", dp);
	if (!strcmp(pat->comp[C_PORT], buf))
		pat->comp[C_PORT][0] = '\0';
}

static bool build(cg_urlpattern *pat, const struct cparser *p, struct perr *e)
{
	static const enum comp_kind kinds[] = {C_SCHEME, C_HOST, C_PORT, C_PATH, C_SEARCH, C_HASH};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		enum comp_kind k = kinds[i];
		if (tauri_wildcard(p, k)) {
			pat->comp[k] = strdup("\x01");
			if (!pat->comp[k])
				return set_err(e, msg_nomem, 0);
		} else if (!compile_comp(p->src, p->r[k].start, p->r[k].end, k,
					 &pat->comp[k], e)) {
			return false;
		}
	}
	pat->special = p->special;
	drop_default_port(pat);
	return true;
}

void cg_urlpattern_free(cg_urlpattern *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < C_COUNT; i++)
		free(p->comp[i]);
	free(p->source);
	free(p);
}

static cg_urlpattern *new_or_fail(const char *s, struct perr *e)
{
	struct cparser p = {.src = s, .e = e};
	cg_urlpattern *pat = NULL;

	if (!*s) {
		set_err(e, "empty URL pattern", 0);
		return NULL;
	}
	bool ok = tokenize(s, 0, strlen(s), false, &p.t, e) && parse_constructor(&p) &&
		  require_parts(&p, e);
	if (ok) {
		pat = calloc(1, sizeof(*pat));
		ok = (pat && (pat->source = strdup(s))) || set_err(e, msg_nomem, 0);
	}
	if (ok)
		ok = build(pat, &p, e);
	free(p.t.v);
	if (!ok) {
		cg_urlpattern_free(pat);
		return NULL;
	}
	return pat;
}

cg_urlpattern *cg_urlpattern_new(const char *s, const char **err, size_t *err_offset)
{
	struct perr e = {"invalid URL pattern", 0};
	cg_urlpattern *pat = NULL;

	if (!s)
		e.msg = "no URL pattern";
	else
		pat = new_or_fail(s, &e);
	if (!pat) {
		if (err)
			*err = e.msg;
		if (err_offset)
			*err_offset = e.off;
	}
	return pat;
}

const char *cg_urlpattern_source(const cg_urlpattern *p)
{
	return p ? p->source : NULL;
}

bool cg_urlpattern_insecure_scheme(const cg_urlpattern *p)
{
	return p && (!strcmp(p->comp[C_SCHEME], "http") || has_marks(p->comp[C_SCHEME]));
}

bool cg_urlpattern_wildcard_host(const cg_urlpattern *p)
{
	return p && has_marks(p->comp[C_HOST]);
}

/* The host as URLPattern sees it: IPv6 addresses keep their brackets. */
static bool match_host(const cg_urlpattern *p, const char *host)
{
	if (!strchr(host, ':'))
		return comp_match(p->comp[C_HOST], host, '.');
	char *b = cg_strdup_printf("[%s]", host);
	bool ok = b && comp_match(p->comp[C_HOST], b, '.');
	free(b);
	return ok;
}

bool cg_urlpattern_match(const cg_urlpattern *p, const cg_url *u)
{
	char port[16] = "";

	if (!p || !u || !u->scheme || !u->host || !u->path)
		return false;
	if (u->port >= 0)
		snprintf(port, sizeof(port), "%d", u->port);
	return comp_match(p->comp[C_SCHEME], u->scheme, 0) &&
	       match_host(p, u->host) &&
	       comp_match(p->comp[C_PORT], port, 0) &&
	       comp_match(p->comp[C_PATH], u->path, p->special ? '/' : 0) &&
	       comp_match(p->comp[C_SEARCH], u->query ? u->query : "", 0) &&
	       comp_match(p->comp[C_HASH], u->fragment ? u->fragment : "", 0);
}

/* ------------------------------------------------------------------ URLs */

void cg_url_clear(cg_url *u)
{
	if (!u)
		return;
	free(u->scheme);
	free(u->host);
	free(u->path);
	free(u->query);
	free(u->fragment);
	memset(u, 0, sizeof(*u));
	u->port = -1;
}

static bool is_special(const char *scheme)
{
	for (size_t i = 0; special_schemes[i]; i++)
		if (!strcmp(scheme, special_schemes[i]))
			return true;
	return false;
}

/* GUri follows RFC 3986 where WHATWG (what the webview did) differs. A
 * backslash is a '/' for WHATWG but part of the user info for GUri, so
 * "https://evil.example\@tauri.app/" would borrow tauri.app's host; WHATWG
 * strips tabs and newlines that GUri keeps. Such URLs are refused. */
static const char *raw_check(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c <= 0x20 || *c == 0x7f || *c == '\\')
			return "URL contains a space, control character or backslash";
	return NULL;
}

static const char *check_host(const char *host)
{
	bool ipv6 = strchr(host, ':') != NULL;
	for (const unsigned char *c = (const unsigned char *)host; *c; c++) {
		if (ipv6 ? !(g_ascii_isxdigit(*c) || *c == ':' || *c == '.')
			 : !host_char_ok(*c, false))
			return "invalid host in URL";
	}
	return NULL;
}

static char *lower_dup(const char *s)
{
	char *d = strdup(s);
	for (char *c = d; c && *c; c++)
		*c = g_ascii_tolower(*c);
	return d;
}

static const char *fill_url(GUri *g, cg_url *out)
{
	const char *host = g_uri_get_host(g);
	const char *path = g_uri_get_path(g);
	const char *msg;

	out->scheme = lower_dup(g_uri_get_scheme(g));
	if (!out->scheme)
		return msg_nomem;
	if (is_special(out->scheme) && strcmp(out->scheme, "file") && (!host || !*host))
		return "URL has no host";
	/* A host with a second '@' (GUri splits at the first, WHATWG at the
	 * last) or a decoded '/' is refused here. */
	if (host && (msg = check_host(host)))
		return msg;
	/* GUri ends a host at ';' ("https://tauri.app;evil.example/"), which
	 * for WHATWG is part of the host: then the path does not start with
	 * '/'. */
	if (host && *path && *path != '/')
		return "malformed authority in URL";
	out->host = lower_dup(host ? host : "");
	out->path = normalize_encoded(host && !*path ? "/" : path);
	out->port = g_uri_get_port(g);
	if (out->port == default_port(out->scheme))
		out->port = -1;
	if (g_uri_get_query(g))
		out->query = normalize_encoded(g_uri_get_query(g));
	if (g_uri_get_fragment(g))
		out->fragment = normalize_encoded(g_uri_get_fragment(g));
	if (!out->host || !out->path || (g_uri_get_query(g) && !out->query) ||
	    (g_uri_get_fragment(g) && !out->fragment))
		return msg_nomem;
	return NULL;
}

int cg_url_parse(const char *s, cg_url *out, const char **err)
{
	const char *msg = NULL;
	GUri *g = NULL;

	if (out) {
		memset(out, 0, sizeof(*out));
		out->port = -1;
	}
	if (!s || !out)
		msg = "no URL";
	else if (!*s)
		msg = "empty URL";
	else
		msg = raw_check(s);
	/* RELAXED keeps a stray '%' (as browsers do) instead of failing. */
	if (!msg && !(g = g_uri_parse(s, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL)))
		msg = "not a valid absolute URL";
	if (!msg)
		msg = fill_url(g, out);
	if (g)
		g_uri_unref(g);
	if (msg) {
		cg_url_clear(out);
		if (err)
			*err = msg;
		return msg == msg_nomem ? CG_ENOMEM : CG_EINVAL;
	}
	return 0;
}
