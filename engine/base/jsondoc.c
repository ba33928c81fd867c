/*
 * jsondoc.c - JSON files read strictly, with positions for every value.
 *
 * json-c decides what a document contains. Around it this module:
 *   - reads files with a size limit checked before the bytes are read;
 *   - rejects what json-c would let through but serde_json (and therefore
 *     Tauri) rejects: a byte order mark, NUL bytes, ill-formed UTF-8 that
 *     json-c's own check misses (overlongs, surrogates, > U+10FFFF),
 *     single-quoted keys, NaN/Infinity, "1." and "00", raw control
 *     characters in strings, unpaired \u surrogates;
 *   - rejects duplicate keys (json-c silently keeps the last one) and data
 *     after the top value;
 *   - keeps numbers as written: json-c clamps an integer outside the 64-bit
 *     range to the nearest end of it, and reads 1e999999 as infinity. As
 *     serde_json does, an integer beyond 64 bits becomes the double nearest
 *     it (the tree keeps its text), and a number too large for a double is
 *     refused;
 *   - maps any byte offset to line:column and the JSON pointer of the value
 *     there, so each diagnostic says where and what.
 *
 * All of this rests on one small iterative scanner over the text. It never
 * recurses and its stack is bounded by the depth limit, so a hostile
 * document cannot exhaust the C stack. The scanner validates; it never
 * builds values: json-c's tree is the document.
 */
#include "base/jsondoc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX_SIZE ((size_t)16 << 20)
#define DEFAULT_MAX_DEPTH 64
/* json-c frees and serialises trees recursively, so a very deep document
 * that we accepted could still exhaust the stack inside json-c; no
 * capability file needs anywhere near this many levels. */
#define DEPTH_CAP 4096
/* json_tokener_parse_ex takes an int length, and we hand it len + 1. */
#define SIZE_CAP ((size_t)INT_MAX - 1)
#define NO_NODE UINT32_MAX

static const char HINT_STRICT[] =
	"capgate reads strict JSON (RFC 8259): no comments, trailing commas or "
	"unquoted keys";
static const char HINT_QUOTES[] =
	"write strings and keys in double quotes; capgate reads strict JSON "
	"(RFC 8259): no comments, trailing commas or unquoted keys";
static const char HINT_ENCODING[] =
	"save the file as UTF-8; it may be in another encoding such as Latin-1 "
	"or Windows-1252";
static const char HINT_VALUE[] =
	"a value is an object, an array, a string in double quotes, a number, "
	"true, false or null";
static const char HINT_ESCAPE[] =
	"the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write a "
	"backslash (also in Windows paths) as \\\\";
static const char HINT_NUMBER[] =
	"write numbers like 42, -7, 1.5 or 2e10: no leading zeros, '+' sign, "
	"hexadecimal, or '.' without digits on both sides";
static const char HINT_CLOSE[] =
	"close every '{' with '}' and every '[' with ']', and end every string "
	"with '\"'";

/* ------------------------------------------------------------ helpers */

static bool is_ws(unsigned char c)
{
	/* Only RFC 8259 whitespace: json-c's isspace() would also take \v, \f. */
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s (n bytes available); -1 if not. */
static long hex4(const char *s, size_t n)
{
	long v = 0;
	if (n < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		int h = hexval((unsigned char)s[k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Decodes the inside of a JSON string (already validated) into out, which
 * needs n bytes at most: no escape is shorter than what it stands for.
 * Bounds are still checked so that a bug upstream cannot overrun.
 */
static size_t decode_string(const char *s, size_t n, char *out)
{
	size_t o = 0, i = 0;
	while (i < n) {
		if (s[i] != '\\' || i + 1 >= n) {
			out[o++] = s[i++];
			continue;
		}
		char e = s[i + 1];
		i += 2;
		switch (e) {
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u': {
			long cp = hex4(s + i, n - i);
			if (cp < 0) {
				out[o++] = '?';
				break;
			}
			i += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= n &&
			    s[i] == '\\' && s[i + 1] == 'u') {
				long lo = hex4(s + i + 2, n - i - 2);
				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) +
					     (lo - 0xDC00);
					i += 6;
				}
			}
			if (cp >= 0xD800 && cp <= 0xDFFF)
				cp = 0xFFFD;
			o += put_utf8(out + o, (uint32_t)cp);
			break;
		}
		default: out[o++] = e; break; /* " \ / */
		}
	}
	return o;
}

/* Longest prefix of s[0..n) of at most max bytes that ends on a character
 * boundary, so that clipped names in messages stay valid UTF-8. */
static int clip(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return (int)n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

/* Describes the character at t[i] for a message ("'x'", "a line break"). */
static void describe_char(const char *t, size_t len, size_t i, char *buf,
			  size_t n)
{
	if (i >= len) {
		snprintf(buf, n, "the end of the file");
		return;
	}
	unsigned char c = (unsigned char)t[i];
	if (c == '\n')
		snprintf(buf, n, "a line break");
	else if (c == '\r')
		snprintf(buf, n, "a carriage return");
	else if (c == '\t')
		snprintf(buf, n, "a tab");
	else if (c < 0x20 || c == 0x7F)
		snprintf(buf, n, "control character U+%04X", c);
	else if (c < 0x80)
		snprintf(buf, n, "'%c'", c);
	else {
		/* The text was validated, so the sequence is complete. */
		size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		if (i + k > len)
			k = len - i;
		snprintf(buf, n, "'%.*s'", (int)k, t + i);
	}
}

/* ------------------------------------------------------ line and column */

/* A position that only moves forward, so that reporting many positions in
 * document order costs one pass over the text. */
struct cursor {
	size_t off;
	unsigned line, col;
};

static void cursor_init(struct cursor *cu)
{
	cu->off = 0;
	cu->line = 1;
	cu->col = 1;
}

static void cursor_to(struct cursor *cu, const char *t, size_t to)
{
	if (to < cu->off)
		cursor_init(cu);
	for (size_t i = cu->off; i < to; i++) {
		unsigned char c = (unsigned char)t[i];
		/* Only '\n' ends a line, as in serde_json; columns count code
		 * points, so continuation bytes do not advance them. */
		if (c == '\n') {
			cu->line++;
			cu->col = 1;
		} else if ((c & 0xC0) != 0x80) {
			cu->col++;
		}
	}
	cu->off = to;
}

static void linecol(const char *t, size_t off, unsigned *line, unsigned *col)
{
	struct cursor cu;
	cursor_init(&cu);
	cursor_to(&cu, t, off);
	*line = cu.line;
	*col = cu.col;
}

/* ------------------------------------------------------- string builder */

struct sbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* Appends "/" and the RFC 6901 escaped token. */
static void sb_token(struct sbuf *b, const char *s, size_t n)
{
	size_t run = 0;
	sb_add(b, "/", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '~' && s[i] != '/')
			continue;
		sb_add(b, s + run, i - run);
		sb_add(b, s[i] == '~' ? "~0" : "~1", 2);
		run = i + 1;
	}
	sb_add(b, s + run, n - run);
}

static void sb_index(struct sbuf *b, size_t index)
{
	char tmp[24];
	int k = snprintf(tmp, sizeof tmp, "%zu", index);
	sb_add(b, "/", 1);
	sb_add(b, tmp, (size_t)k);
}

/* The built string (never NULL unless memory ran out). */
static char *sb_finish(struct sbuf *b)
{
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	return b->p ? b->p : strdup("");
}

/* A raw (escaped) JSON key as a pointer token. */
static void sb_raw_key(struct sbuf *b, const char *raw, size_t n, bool esc)
{
	if (!esc) {
		sb_token(b, raw, n);
		return;
	}
	char *tmp = malloc(n ? n : 1);
	if (!tmp) {
		b->oom = true;
		return;
	}
	sb_token(b, tmp, decode_string(raw, n, tmp));
	free(tmp);
}

/* -------------------------------------------------------- the index */

/* One value of the document, in document order; node 0 is the root. */
struct jnode {
	uint32_t off, line, col; /* where the value starts */
	uint32_t parent;         /* NO_NODE for the root */
	/* In an object: the decoded key, in the text or in the key arena.
	 * In an array: key is the element's index. */
	uint32_t key, key_len;
	uint32_t key_quote;      /* offset of the key's opening '"' */
	uint32_t kid0, nkids;    /* children: kids[kid0 .. kid0 + nkids) */
	uint8_t type;            /* '{', '[' or 0 for a scalar */
	uint8_t key_in_arena;
};

struct jindex {
	struct jnode *nodes;
	size_t n, cap;
	uint32_t *kids;          /* children of every container, grouped */
	char *arena;             /* keys that had escapes, decoded */
	size_t arena_len, arena_cap;
	uint32_t *hash;          /* (parent, key) -> node + 1, open addressing */
	size_t hash_mask;
	uint32_t *dups;          /* pairs (second, first) of equal keys */
	size_t ndups, dups_cap;
};

static void index_free(struct jindex *ix)
{
	if (!ix)
		return;
	free(ix->nodes);
	free(ix->kids);
	free(ix->arena);
	free(ix->hash);
	free(ix->dups);
	free(ix);
}

static const char *node_key(const struct jindex *ix, const char *text,
			    const struct jnode *nd)
{
	return nd->key_in_arena ? ix->arena + nd->key : text + nd->key;
}

/* ------------------------------------------------------------ scanner */

enum scan_result { SCAN_OK, SCAN_STOP, SCAN_ERR, SCAN_NOMEM };

/* What the scanner expects next. */
enum scan_state { S_VALUE, S_VALUE_OR_CLOSE, S_AFTER, S_KEY, S_KEY_OR_CLOSE,
		  S_COLON };

/* One open container. */
struct level {
	uint32_t node;       /* its node (index mode) */
	uint32_t open_off;   /* offset of its '[' or '{' */
	uint32_t count;      /* members or elements begun so far */
	uint32_t key_quote;  /* current member's key: offset of its '"' */
	uint32_t key_len;    /* raw length between the quotes */
	char type;           /* '[' or '{' */
	bool key_esc;        /* the raw key contains escapes */
	bool in_value;       /* inside the value of the current member */
};

/* An integer beyond 64 bits, to become a double in json-c's tree. */
struct bignum {
	char *pointer;
	size_t off, len;
};

struct scanner {
	const char *t;
	size_t len;          /* bytes to scan */
	/* The text was cut where json-c found an error: reaching the end
	 * means "stopped there", not "truncated document". */
	bool stop_at_end;
	bool nul_ok;         /* \u0000 allowed in string values */
	int max_depth;
	struct level *stack;
	size_t depth, cap;
	uint64_t members;    /* object members seen */
	size_t open_string;  /* '"' of a string cut by the end, or SIZE_MAX */
	bool trailing;       /* the error is in data after the top value */
	/* A scan stopped between tokens (not inside a string, number...)
	 * and, if so, what it expected next. */
	bool stop_between;
	enum scan_state stop_state;
	/* the first error */
	int code;
	size_t err_off;
	char msg[320];
	const char *hint;
	char hintbuf[200];
	/* index mode */
	struct jindex *ix;
	struct cursor cur;
	/* number mode (the scan of a document json-c parsed): numbers out of
	 * a double's range are errors, integers beyond 64 bits are noted */
	bool numbers;
	struct bignum *big;
	size_t n_big, cap_big;
};

static void scanner_init(struct scanner *sc, const char *t, size_t len,
			 bool stop_at_end, int max_depth, struct jindex *ix)
{
	memset(sc, 0, sizeof(*sc));
	sc->t = t;
	sc->len = len;
	sc->stop_at_end = stop_at_end;
	sc->max_depth = max_depth;
	sc->open_string = SIZE_MAX;
	sc->ix = ix;
	cursor_init(&sc->cur);
}

static void scanner_fini(struct scanner *sc)
{
	free(sc->stack);
	sc->stack = NULL;
	for (size_t i = 0; i < sc->n_big; i++)
		free(sc->big[i].pointer);
	free(sc->big);
	sc->big = NULL;
	sc->n_big = 0;
}

static enum scan_result fail(struct scanner *sc, int code, size_t off,
			     const char *hint, const char *fmt, ...)
	CG_PRINTF(5, 6);

static enum scan_result fail(struct scanner *sc, int code, size_t off,
			     const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sc->msg, sizeof sc->msg, fmt, ap);
	va_end(ap);
	sc->code = code;
	sc->err_off = off;
	sc->hint = hint;
	return SCAN_ERR;
}

/* The text ended inside a token: a stop if the text was cut on purpose. */
static enum scan_result cut(struct scanner *sc, size_t start, const char *what)
{
	if (sc->stop_at_end)
		return SCAN_STOP;
	return fail(sc, CG_EPARSE, start, HINT_CLOSE,
		    "unexpected end of the file inside %s", what);
}

/* The JSON pointer of the value being read, from the open containers. */
static char *stack_pointer(const struct scanner *sc)
{
	struct sbuf b = {0};
	for (size_t k = 0; k < sc->depth; k++) {
		const struct level *lv = &sc->stack[k];
		if (!lv->in_value)
			break;
		if (lv->type == '[')
			sb_index(&b, lv->count - 1);
		else
			sb_raw_key(&b, sc->t + lv->key_quote + 1, lv->key_len,
				   lv->key_esc);
	}
	return sb_finish(&b);
}

/*
 * The pointer where a stopped scan (of t cut at x) stands. If it stopped
 * where an array element was due and t[x] starts one, that element is
 * the culprit: "[TRUE]" points at /0, "[1,]" at the array. If the error
 * is inside a token the scanner saw complete ("0x10": json-c fails at the
 * 'x'), the value just read is the culprit.
 */
static char *stop_pointer(struct scanner *sc, const char *t, size_t len,
			  size_t x, bool in_token)
{
	struct level *top = sc->depth ? &sc->stack[sc->depth - 1] : NULL;
	if (!sc->stop_between)
		return stack_pointer(sc);
	if (top && (sc->stop_state == S_VALUE ||
		    sc->stop_state == S_VALUE_OR_CLOSE) &&
	    top->type == '[' && x < len && !strchr("],/", t[x])) {
		top->count++;
		top->in_value = true;
	} else if (top && sc->stop_state == S_AFTER && in_token) {
		top->in_value = true;
	}
	return stack_pointer(sc);
}

/* The pointer of the value at offset x of a text whose first x bytes are
 * valid UTF-8 (used for encoding errors); NULL if unknown. */
static enum scan_result scan(struct scanner *sc);
static char *prefix_pointer(const char *t, size_t len, size_t x, int max_depth)
{
	struct scanner sc;
	char *ptr = NULL;
	scanner_init(&sc, t, x, true, max_depth, NULL);
	if (scan(&sc) == SCAN_STOP)
		ptr = stop_pointer(&sc, t, len, x, false);
	scanner_fini(&sc);
	return ptr;
}

static bool ix_add(struct scanner *sc, size_t off, unsigned char c)
{
	struct jindex *ix = sc->ix;
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 64;
		struct jnode *nv = realloc(ix->nodes, cap * sizeof(*nv));
		if (!nv)
			return false;
		ix->nodes = nv;
		ix->cap = cap;
	}
	struct jnode *nd = &ix->nodes[ix->n];
	memset(nd, 0, sizeof(*nd));
	cursor_to(&sc->cur, sc->t, off);
	nd->off = (uint32_t)off;
	nd->line = sc->cur.line;
	nd->col = sc->cur.col;
	nd->type = (c == '[' || c == '{') ? c : 0;
	nd->parent = NO_NODE;
	if (sc->depth) {
		const struct level *top = &sc->stack[sc->depth - 1];
		nd->parent = top->node;
		ix->nodes[top->node].nkids++;
		if (top->type == '[') {
			nd->key = top->count - 1;
		} else if (!top->key_esc) {
			nd->key = top->key_quote + 1;
			nd->key_len = top->key_len;
			nd->key_quote = top->key_quote;
		} else {
			size_t need = ix->arena_len + top->key_len + 1;
			if (need > ix->arena_cap) {
				size_t cap = ix->arena_cap ? ix->arena_cap : 256;
				while (cap < need)
					cap *= 2;
				char *na = realloc(ix->arena, cap);
				if (!na)
					return false;
				ix->arena = na;
				ix->arena_cap = cap;
			}
			nd->key = (uint32_t)ix->arena_len;
			nd->key_len = (uint32_t)decode_string(
				sc->t + top->key_quote + 1, top->key_len,
				ix->arena + ix->arena_len);
			nd->key_quote = top->key_quote;
			nd->key_in_arena = 1;
			ix->arena_len += nd->key_len;
		}
	}
	ix->n++;
	return true;
}

static enum scan_result push(struct scanner *sc, size_t off, char type)
{
	if (sc->depth >= (size_t)sc->max_depth) {
		snprintf(sc->hintbuf, sizeof sc->hintbuf,
			 "the limit is %d levels (CG_LIMIT_JSON_DEPTH); nesting "
			 "this deep usually means unbalanced brackets",
			 sc->max_depth);
		return fail(sc, CG_ELIMIT, off, sc->hintbuf,
			    "nesting deeper than %d levels", sc->max_depth);
	}
	if (sc->depth == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 16;
		struct level *ns = realloc(sc->stack, cap * sizeof(*ns));
		if (!ns)
			return SCAN_NOMEM;
		sc->stack = ns;
		sc->cap = cap;
	}
	struct level *lv = &sc->stack[sc->depth++];
	memset(lv, 0, sizeof(*lv));
	lv->type = type;
	lv->open_off = (uint32_t)off;
	lv->node = sc->ix ? (uint32_t)(sc->ix->n - 1) : 0;
	return SCAN_OK;
}

/* The bytes that end a run of plain string content: '"', '\\' and the
 * control characters. */
static const bool STRING_STOP[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
	[0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1,
	[0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
	[0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1,
	['"'] = 1, ['\\'] = 1,
};

/* A string starting at the '"' at *pi; *pi ends after the closing '"'. */
static enum scan_result scan_string(struct scanner *sc, size_t *pi,
				    bool is_key, bool *esc)
{
	const char *t = sc->t;
	size_t len = sc->len, start = *pi, j = start + 1;
	bool has_esc = false;
	for (;;) {
		/* Most of a document is string bytes that need no look; one
		 * table test each keeps this loop from dominating the parse. */
		while (j < len && !STRING_STOP[(unsigned char)t[j]])
			j++;
		if (j >= len) {
			sc->open_string = start;
			return cut(sc, start, "a string (is a closing '\"' missing?)");
		}
		unsigned char c = (unsigned char)t[j];
		if (c == '"')
			break;
		if (c < 0x20) {
			if (c == '\n')
				return fail(sc, CG_EPARSE, j,
					    "end the string with '\"' before the "
					    "line break, or write the line break as \\n",
					    "line break inside a string (is a "
					    "closing '\"' missing?)");
			snprintf(sc->hintbuf, sizeof sc->hintbuf,
				 "write it as an escape: %s",
				 c == '\t' ? "\\t" : c == '\r' ? "\\r"
						   : "\\u00XX");
			return fail(sc, CG_EPARSE, j, sc->hintbuf,
				    "control character U+%04X inside a string", c);
		}
		if (c != '\\') {
			j++;
			continue;
		}
		has_esc = true;
		if (j + 1 >= len) {
			sc->open_string = start;
			return cut(sc, start, "a string");
		}
		unsigned char e = (unsigned char)t[j + 1];
		switch (e) {
		case '"': case '\\': case '/':
		case 'b': case 'f': case 'n': case 'r': case 't':
			j += 2;
			continue;
		case 'u':
			break;
		default: {
			char what[32];
			describe_char(t, len, j + 1, what, sizeof what);
			return fail(sc, CG_EPARSE, j, HINT_ESCAPE,
				    "invalid escape: backslash followed by %s",
				    what);
		}
		}
		if (len - j < 6 && sc->stop_at_end)
			return SCAN_STOP;
		long cp = hex4(t + j + 2, len - j - 2);
		if (cp < 0)
			return fail(sc, CG_EPARSE, j, HINT_ESCAPE,
				    "'\\u' must be followed by four hexadecimal digits");
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return fail(sc, CG_EPARSE, j,
				    "write a character above U+FFFF as a pair "
				    "like \\uD83D\\uDE00, or as UTF-8 text",
				    "unpaired UTF-16 surrogate \\u%04lX in a string",
				    (unsigned long)cp);
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			/* The low half must follow at once as \uDC00..\uDFFF;
			 * a cut text is a stop only if it could still be. */
			bool pair = len - j < 8 ||
				    (t[j + 6] == '\\' && t[j + 7] == 'u');
			if (pair && len - j < 12 && sc->stop_at_end)
				return SCAN_STOP;
			long lo = -1;
			if (pair && len - j >= 12)
				lo = hex4(t + j + 8, len - j - 8);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return fail(sc, CG_EPARSE, j,
					    "write a character above U+FFFF as a pair "
					    "like \\uD83D\\uDE00, or as UTF-8 text",
					    "unpaired UTF-16 surrogate \\u%04lX in a "
					    "string", (unsigned long)cp);
			j += 12;
			continue;
		}
		/* json-c keeps keys as C strings: a NUL would silently cut
		 * the key short (and could merge two different keys). */
		if (cp == 0 && is_key)
			return fail(sc, CG_EPARSE, j,
				    "remove the \\u0000 from the key; capgate cannot "
				    "represent keys containing NUL",
				    "object key contains \\u0000");
		/* In a policy or config, a value with a NUL would mean one
		 * thing to a reviewer (or to Tauri) and another to the engine,
		 * which reads it only up to the NUL. */
		if (cp == 0 && !sc->nul_ok)
			return fail(sc, CG_EPARSE, j,
				    "remove the \\u0000: names, patterns and paths cannot "
				    "contain NUL",
				    "string contains \\u0000");
		j += 6;
	}
	if (esc)
		*esc = has_esc;
	*pi = j + 1;
	return SCAN_OK;
}

static enum scan_result fail_nonfinite(struct scanner *sc, size_t off)
{
	return fail(sc, CG_EPARSE, off,
		    "JSON has no NaN or Infinity; write a finite number, a "
		    "string or null",
		    "NaN and Infinity are not JSON numbers");
}

static locale_t c_numeric;
static void c_numeric_init(void)
{
	c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* Does the integer literal t[0..n) (grammar-checked: "-"?digits, no
 * leading zero) fit in json-c's int64 or, when positive, uint64? */
static bool int_fits(const char *t, size_t n)
{
	bool neg = t[0] == '-';
	const char *d = t + neg;
	size_t nd = n - neg;
	const char *max = neg ? "9223372036854775808" : "18446744073709551615";
	size_t nm = strlen(max);
	return nd < nm || (nd == nm && memcmp(d, max, nm) <= 0);
}

/* The number t[s..j) in number mode: a double that overflows is refused
 * (as serde_json refuses it), an integer beyond 64 bits is noted for
 * number_fixup(). */
static enum scan_result check_number(struct scanner *sc, size_t s, size_t j, bool is_int)
{
	if (is_int && int_fits(sc->t + s, j - s))
		return SCAN_OK;
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, c_numeric_init);
	if (c_numeric == (locale_t)0)
		return SCAN_NOMEM;
	/* The text is NUL-terminated and a number is followed by nothing
	 * strtod would take (the grammar ends it), but read a copy anyway. */
	char buf[64], *num = j - s < sizeof(buf) ? buf : malloc(j - s + 1);
	if (!num)
		return SCAN_NOMEM;
	memcpy(num, sc->t + s, j - s);
	num[j - s] = '\0';
	double v = strtod_l(num, NULL, c_numeric);
	if (num != buf)
		free(num);
	if (isinf(v))
		return fail(sc, CG_EPARSE, s,
			    "write a number within a double's range (about 1.8e308), or a string",
			    "number %.*s%s is too large for a double", clip(sc->t + s, j - s, 40),
			    sc->t + s, j - s > 40 ? "..." : "");
	if (!is_int)
		return SCAN_OK;
	if (sc->n_big == sc->cap_big) {
		size_t cap = sc->cap_big ? sc->cap_big * 2 : 4;
		struct bignum *nb = realloc(sc->big, cap * sizeof(*nb));
		if (!nb)
			return SCAN_NOMEM;
		sc->big = nb;
		sc->cap_big = cap;
	}
	char *ptr = stack_pointer(sc);
	if (!ptr)
		return SCAN_NOMEM;
	sc->big[sc->n_big++] = (struct bignum){ptr, s, j - s};
	return SCAN_OK;
}

/* A number starting at *pi, RFC 8259 grammar (json-c 0.16 also accepts
 * "1.", "00", "-01", NaN and Infinity). */
static enum scan_result scan_number(struct scanner *sc, size_t *pi)
{
	const char *t = sc->t;
	size_t len = sc->len, s = *pi, j = s;
	if (t[j] == '-' && ++j >= len)
		return cut(sc, s, "a number");
	if (t[j] == 'I' || t[j] == 'N')
		return fail_nonfinite(sc, s);
	if (t[j] == '0') {
		j++;
		if (j < len && is_digit((unsigned char)t[j]))
			return fail(sc, CG_EPARSE, s, HINT_NUMBER,
				    "leading zeros are not allowed in numbers");
	} else if (is_digit((unsigned char)t[j])) {
		while (j < len && is_digit((unsigned char)t[j]))
			j++;
	} else {
		return fail(sc, CG_EPARSE, s, HINT_NUMBER,
			    "'-' must be followed by a digit");
	}
	bool is_int = true;
	if (j < len && t[j] == '.') {
		is_int = false;
		if (++j >= len)
			return cut(sc, s, "a number");
		if (!is_digit((unsigned char)t[j]))
			return fail(sc, CG_EPARSE, s, HINT_NUMBER,
				    "a digit must follow the decimal point");
		while (j < len && is_digit((unsigned char)t[j]))
			j++;
	}
	if (j < len && (t[j] == 'e' || t[j] == 'E')) {
		is_int = false;
		if (++j < len && (t[j] == '+' || t[j] == '-'))
			j++;
		if (j >= len)
			return cut(sc, s, "a number");
		if (!is_digit((unsigned char)t[j]))
			return fail(sc, CG_EPARSE, s, HINT_NUMBER,
				    "the exponent of a number needs digits");
		while (j < len && is_digit((unsigned char)t[j]))
			j++;
	}
	/* A number cut by the end of a text cut on purpose is not whole. */
	if (sc->numbers && !(j >= len && sc->stop_at_end)) {
		enum scan_result r = check_number(sc, s, j, is_int);
		if (r != SCAN_OK)
			return r;
	}
	*pi = j;
	return SCAN_OK;
}

static enum scan_result scan_literal(struct scanner *sc, size_t *pi)
{
	const char *t = sc->t;
	size_t i = *pi, avail = sc->len - i, k = 0;
	const char *w = t[i] == 't' ? "true" : t[i] == 'f' ? "false" : "null";
	size_t wl = strlen(w);
	while (k < wl && k < avail && t[i + k] == w[k])
		k++;
	if (k == wl) {
		*pi = i + wl;
		return SCAN_OK;
	}
	if (k == avail && sc->stop_at_end)
		return SCAN_STOP;
	return fail(sc, CG_EPARSE, i,
		    "the literals are true, false and null, in lower case; "
		    "write text in double quotes",
		    "invalid literal (expected '%s')", w);
}

/* A value was expected at t[i]. */
static enum scan_result fail_value(struct scanner *sc, size_t i, bool after_comma)
{
	const char *t = sc->t;
	unsigned char c = (unsigned char)t[i];
	const struct level *top = sc->depth ? &sc->stack[sc->depth - 1] : NULL;
	char what[32];
	if (c == ']' && after_comma)
		return fail(sc, CG_EPARSE, i, HINT_STRICT,
			    "trailing comma before ']'");
	if (c == '}' && top && top->type == '{')
		return fail(sc, CG_EPARSE, i,
			    "write a value after the ':', or remove the member",
			    "missing value after ':'");
	if (c == ',')
		return fail(sc, CG_EPARSE, i, "remove the extra ','",
			    "missing value before ','");
	if (c == '\'')
		return fail(sc, CG_EPARSE, i, HINT_QUOTES,
			    "strings must be in double quotes, not single quotes");
	if (c == '/')
		return fail(sc, CG_EPARSE, i, HINT_STRICT,
			    "comments are not allowed in JSON");
	if ((c == 'N' && sc->len - i >= 3 && !memcmp(t + i, "NaN", 3)) ||
	    (c == 'I' && sc->len - i >= 8 && !memcmp(t + i, "Infinity", 8)))
		return fail_nonfinite(sc, i);
	if (c == '.' || c == '+')
		return fail(sc, CG_EPARSE, i, HINT_NUMBER,
			    "numbers must start with a digit or '-'");
	describe_char(t, sc->len, i, what, sizeof what);
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return fail(sc, CG_EPARSE, i, HINT_QUOTES,
			    "unexpected %s where a value was expected (text "
			    "must be in double quotes)", what);
	return fail(sc, CG_EPARSE, i, HINT_VALUE,
		    "unexpected %s where a value was expected", what);
}

/* A ',' or closing bracket was expected after a value at t[i]. */
static enum scan_result fail_after(struct scanner *sc, size_t i)
{
	const struct level *top = &sc->stack[sc->depth - 1];
	unsigned char c = (unsigned char)sc->t[i];
	char what[32];
	unsigned line, col;
	if (c == '/')
		return fail(sc, CG_EPARSE, i, HINT_STRICT,
			    "comments are not allowed in JSON");
	if (c == ']' || c == '}') {
		linecol(sc->t, top->open_off, &line, &col);
		return fail(sc, CG_EPARSE, i, HINT_CLOSE,
			    "'%c' does not match the '%c' at line %u, column %u",
			    c, top->type, line, col);
	}
	describe_char(sc->t, sc->len, i, what, sizeof what);
	if (top->type == '[')
		return fail(sc, CG_EPARSE, i,
			    "separate array elements with ','; is a ',' missing?",
			    "expected ',' or ']' after an array element, found %s",
			    what);
	return fail(sc, CG_EPARSE, i,
		    "separate object members with ','; is a ',' missing?",
		    "expected ',' or '}' after an object member, found %s", what);
}

/* An object key was expected at t[i]. */
static enum scan_result fail_key(struct scanner *sc, size_t i, bool after_comma)
{
	unsigned char c = (unsigned char)sc->t[i];
	char what[32];
	if (c == '}' && after_comma)
		return fail(sc, CG_EPARSE, i, HINT_STRICT,
			    "trailing comma before '}'");
	if (c == '\'')
		return fail(sc, CG_EPARSE, i, HINT_QUOTES,
			    "object keys must be in double quotes, not single quotes");
	if (c == '/')
		return fail(sc, CG_EPARSE, i, HINT_STRICT,
			    "comments are not allowed in JSON");
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == '$')
		return fail(sc, CG_EPARSE, i, HINT_STRICT,
			    "object keys must be quoted strings (unquoted keys "
			    "are JSON5, not JSON)");
	describe_char(sc->t, sc->len, i, what, sizeof what);
	return fail(sc, CG_EPARSE, i, "write members as \"key\": value",
		    "expected a key in double quotes, found %s", what);
}

static void value_done(struct scanner *sc)
{
	if (sc->depth)
		sc->stack[sc->depth - 1].in_value = false;
}

/*
 * Walks the text once, iteratively. In validate mode (ix NULL) it keeps
 * only the open containers; in index mode it records every value.
 */
static enum scan_result scan(struct scanner *sc)
{
	enum scan_state st = S_VALUE;
	const char *t = sc->t;
	size_t len = sc->len, i = 0;
	enum scan_result r;

	for (;;) {
		while (i < len && is_ws((unsigned char)t[i]))
			i++;
		if (i >= len) {
			if (sc->stop_at_end) {
				sc->stop_between = true;
				sc->stop_state = st;
				return SCAN_STOP;
			}
			if (st == S_AFTER && sc->depth == 0)
				return SCAN_OK;
			if (sc->depth) {
				unsigned line, col;
				const struct level *top = &sc->stack[sc->depth - 1];
				linecol(t, top->open_off, &line, &col);
				return fail(sc, CG_EPARSE, i, HINT_CLOSE,
					    "unexpected end of the file: the '%c' "
					    "at line %u, column %u is not closed",
					    top->type, line, col);
			}
			return fail(sc, CG_EPARSE, i, HINT_VALUE,
				    "unexpected end of the file: a value is missing");
		}
		unsigned char c = (unsigned char)t[i];
		struct level *top = sc->depth ? &sc->stack[sc->depth - 1] : NULL;
		switch (st) {
		case S_VALUE_OR_CLOSE:
			if (c == ']') {
				sc->depth--;
				value_done(sc);
				st = S_AFTER;
				i++;
				break;
			}
			/* fall through */
		case S_VALUE:
			if (top && top->type == '[') {
				top->count++;
				top->in_value = true;
			}
			if (c == '[' || c == '{' || c == '"' || c == '-' ||
			    is_digit(c) || c == 't' || c == 'f' || c == 'n') {
				if (sc->ix && !ix_add(sc, i, c))
					return SCAN_NOMEM;
			}
			if (c == '[' || c == '{') {
				if ((r = push(sc, i, (char)c)) != SCAN_OK)
					return r;
				st = c == '[' ? S_VALUE_OR_CLOSE : S_KEY_OR_CLOSE;
				i++;
				break;
			}
			if (c == '"')
				r = scan_string(sc, &i, false, NULL);
			else if (c == '-' || is_digit(c))
				r = scan_number(sc, &i);
			else if (c == 't' || c == 'f' || c == 'n')
				r = scan_literal(sc, &i);
			else
				return fail_value(sc, i, st == S_VALUE && top &&
							 top->type == '[');
			if (r != SCAN_OK)
				return r;
			value_done(sc);
			st = S_AFTER;
			break;
		case S_AFTER:
			if (!top) {
				char what[32];
				sc->trailing = true;
				if (c == '/')
					return fail(sc, CG_EPARSE, i, HINT_STRICT,
						    "comments are not allowed in JSON");
				describe_char(t, len, i, what, sizeof what);
				return fail(sc, CG_EPARSE, i,
					    "a JSON file holds exactly one value; "
					    "remove the extra text, or put the values "
					    "in an array",
					    "unexpected %s after the end of the JSON "
					    "value", what);
			}
			if (c == ',') {
				st = top->type == '[' ? S_VALUE : S_KEY;
				i++;
				break;
			}
			if (c == (top->type == '[' ? ']' : '}')) {
				sc->depth--;
				value_done(sc);
				i++;
				break;
			}
			return fail_after(sc, i);
		case S_KEY_OR_CLOSE:
			if (c == '}') {
				sc->depth--;
				value_done(sc);
				st = S_AFTER;
				i++;
				break;
			}
			/* fall through */
		case S_KEY: {
			if (c != '"')
				return fail_key(sc, i, st == S_KEY);
			size_t q = i;
			bool esc = false;
			if ((r = scan_string(sc, &i, true, &esc)) != SCAN_OK)
				return r;
			top->key_quote = (uint32_t)q;
			top->key_len = (uint32_t)(i - q - 2);
			top->key_esc = esc;
			top->count++;
			sc->members++;
			st = S_COLON;
			break;
		}
		case S_COLON:
			if (c != ':') {
				char what[32];
				describe_char(t, len, i, what, sizeof what);
				return fail(sc, CG_EPARSE, i,
					    "write members as \"key\": value",
					    "expected ':' after the key \"%.*s\", found %s",
					    clip(t + top->key_quote + 1, top->key_len, 60),
					    t + top->key_quote + 1, what);
			}
			top->in_value = true;
			st = S_VALUE;
			i++;
			break;
		}
	}
}

/* ------------------------------------------------------- index build */

static uint32_t key_hash(uint32_t parent, const char *k, size_t n)
{
	uint32_t h = 2166136261u;
	for (int b = 0; b < 4; b++) {
		h ^= (parent >> (8 * b)) & 0xFF;
		h *= 16777619u;
	}
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 16777619u;
	}
	return h;
}

/* The member of object node parent named k, or NO_NODE. */
static uint32_t hash_find(const struct jindex *ix, const char *text,
			  uint32_t parent, const char *k, size_t n)
{
	size_t h = key_hash(parent, k, n) & ix->hash_mask;
	while (ix->hash[h]) {
		const struct jnode *nd = &ix->nodes[ix->hash[h] - 1];
		if (nd->parent == parent && nd->key_len == n &&
		    !memcmp(node_key(ix, text, nd), k, n))
			return ix->hash[h] - 1;
		h = (h + 1) & ix->hash_mask;
	}
	return NO_NODE;
}

static bool index_finish(struct jindex *ix, const char *text)
{
	size_t members = 0;
	uint32_t next = 0;
	/* Children are grouped per container (kid0, nkids) so an array
	 * element is found by its index in O(1). */
	for (size_t i = 0; i < ix->n; i++) {
		ix->nodes[i].kid0 = next;
		next += ix->nodes[i].nkids;
		ix->nodes[i].nkids = 0;
	}
	ix->kids = malloc((ix->n ? ix->n : 1) * sizeof(uint32_t));
	if (!ix->kids)
		return false;
	for (size_t i = 1; i < ix->n; i++) {
		struct jnode *p = &ix->nodes[ix->nodes[i].parent];
		ix->kids[p->kid0 + p->nkids++] = (uint32_t)i;
		if (p->type == '{')
			members++;
	}
	size_t size = 16;
	while (size < members * 2)
		size *= 2;
	ix->hash = calloc(size, sizeof(uint32_t));
	if (!ix->hash)
		return false;
	ix->hash_mask = size - 1;
	/* Members are hashed in document order, so an equal key found in
	 * the table is an earlier occurrence: a duplicate. */
	for (size_t i = 1; i < ix->n; i++) {
		struct jnode *nd = &ix->nodes[i];
		if (ix->nodes[nd->parent].type != '{')
			continue;
		const char *k = node_key(ix, text, nd);
		uint32_t first = hash_find(ix, text, nd->parent, k, nd->key_len);
		if (first != NO_NODE) {
			if (ix->ndups + 2 > ix->dups_cap) {
				size_t cap = ix->dups_cap ? ix->dups_cap * 2 : 16;
				uint32_t *nv = realloc(ix->dups, cap * sizeof(*nv));
				if (!nv)
					return false;
				ix->dups = nv;
				ix->dups_cap = cap;
			}
			ix->dups[ix->ndups++] = (uint32_t)i;
			ix->dups[ix->ndups++] = first;
			continue;
		}
		size_t h = key_hash(nd->parent, k, nd->key_len) & ix->hash_mask;
		while (ix->hash[h])
			h = (h + 1) & ix->hash_mask;
		ix->hash[h] = (uint32_t)i + 1;
	}
	return true;
}

/* Builds the position index of a text known to be valid JSON. NULL if
 * memory runs out (or, defensively, if the text does not scan). */
static struct jindex *index_build(const char *text, size_t len)
{
	struct jindex *ix = calloc(1, sizeof(*ix));
	struct scanner sc;
	if (!ix)
		return NULL;
	scanner_init(&sc, text, len, false, INT_MAX, ix);
	enum scan_result r = scan(&sc);
	scanner_fini(&sc);
	if (r != SCAN_OK || ix->n == 0 || !index_finish(ix, text)) {
		index_free(ix);
		return NULL;
	}
	return ix;
}

/* The pointer of a node, from its ancestors (iterative). */
static char *node_pointer(const struct jindex *ix, const char *text,
			  uint32_t node)
{
	struct sbuf b = {0};
	size_t depth = 0;
	for (uint32_t k = node; ix->nodes[k].parent != NO_NODE;
	     k = ix->nodes[k].parent)
		depth++;
	uint32_t *path = malloc((depth ? depth : 1) * sizeof(*path));
	if (!path)
		return NULL;
	size_t n = depth;
	for (uint32_t k = node; ix->nodes[k].parent != NO_NODE;
	     k = ix->nodes[k].parent)
		path[--n] = k;
	for (size_t i = 0; i < depth; i++) {
		const struct jnode *nd = &ix->nodes[path[i]];
		if (ix->nodes[nd->parent].type == '[')
			sb_index(&b, nd->key);
		else
			sb_token(&b, node_key(ix, text, nd), nd->key_len);
	}
	free(path);
	return sb_finish(&b);
}

/* ------------------------------------------------------------ loading */

static int report_at(cg_diag *d, const char *name, const char *text,
		     size_t off, int code, const char *pointer,
		     const char *hint, const char *fmt, ...) CG_PRINTF(8, 9);

/* Adds an error at byte offset off of text; returns code. */
static int report_at(cg_diag *d, const char *name, const char *text,
		     size_t off, int code, const char *pointer,
		     const char *hint, const char *fmt, ...)
{
	unsigned line, col;
	va_list ap;
	char *msg = NULL;
	linecol(text, off, &line, &col);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	cg_diag_add(d, CG_SEV_ERROR, code, name, line, col, pointer, hint,
		    "%s", msg ? msg : "(message lost: out of memory)");
	free(msg);
	return code;
}

static int nomem(cg_diag *d, const char *name)
{
	cg_diag_add(d, CG_SEV_ERROR, CG_ENOMEM, name, 0, 0, NULL, NULL,
		    "out of memory");
	return CG_ENOMEM;
}

static size_t eff_max_size(const cg_json_limits *lim)
{
	size_t m = lim && lim->max_size ? lim->max_size : DEFAULT_MAX_SIZE;
	return m > SIZE_CAP ? SIZE_CAP : m;
}

static int eff_max_depth(const cg_json_limits *lim)
{
	int m = lim && lim->max_depth > 0 ? lim->max_depth : DEFAULT_MAX_DEPTH;
	return m > DEPTH_CAP ? DEPTH_CAP : m;
}

static int too_big(cg_diag *d, const char *name, uintmax_t size, size_t max,
		   bool exact)
{
	char lim[64];
	if (max % ((size_t)1 << 20) == 0)
		snprintf(lim, sizeof lim, "%zu MiB (%zu bytes)", max >> 20, max);
	else
		snprintf(lim, sizeof lim, "%zu bytes", max);
	char *hint = cg_strdup_printf(
		"the limit is %s; split the file, or raise CG_LIMIT_FILE_SIZE "
		"with cg_builder_set_limit()", lim);
	if (exact)
		cg_diag_add(d, CG_SEV_ERROR, CG_ELIMIT, name, 0, 0, NULL, hint,
			    "file too large: %ju bytes, more than the limit of %s",
			    size, lim);
	else
		cg_diag_add(d, CG_SEV_ERROR, CG_ELIMIT, name, 0, 0, NULL, hint,
			    "file too large: more than the limit of %s", lim);
	free(hint);
	return CG_ELIMIT;
}

static int report_encoding(cg_diag *d, const char *name, const char *text,
			   size_t len, size_t off, int max_depth,
			   const char *hint, const char *fmt, ...)
	CG_PRINTF(8, 9);

/* An encoding error at off, with the pointer of the value it is in. */
static int report_encoding(cg_diag *d, const char *name, const char *text,
			   size_t len, size_t off, int max_depth,
			   const char *hint, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char *ptr = prefix_pointer(text, len, off, max_depth);
	report_at(d, name, text, off, CG_EPARSE, ptr, hint, "%s", msg);
	free(ptr);
	return CG_EPARSE;
}

/* Checks that come before json-c: BOM, emptiness, encoding. */
static int precheck(cg_diag *d, const char *name, const char *text, size_t len,
		    int max_depth)
{
	const unsigned char *s = (const unsigned char *)text;
	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		return report_at(d, name, text, 0, CG_EPARSE, NULL,
				 "save the file as UTF-8 without a byte order mark",
				 "the file starts with a UTF-8 byte order mark (BOM)");
	if (len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) ||
			 (s[0] == 0xFE && s[1] == 0xFF)))
		return report_at(d, name, text, 0, CG_EPARSE, NULL,
				 "save the file as UTF-8 without a byte order mark",
				 "the file is UTF-16 (it starts with a UTF-16 byte "
				 "order mark); capgate reads UTF-8");
	size_t i = 0;
	while (i < len && is_ws(s[i]))
		i++;
	if (i == len)
		return report_at(d, name, text, 0, CG_EPARSE, NULL,
				 "a capability file holds a JSON object or array",
				 len ? "file is empty (only whitespace)"
				     : "file is empty");

	/* A strict validator (RFC 3629): json-c 0.16's VALIDATE_UTF8 only
	 * checks the shape of sequences and lets overlong forms,
	 * surrogates and code points above U+10FFFF through. */
	i = 0;
	while (i < len) {
		/* Eight bytes at a time while they are all ASCII and none is NUL:
		 * the common case, checked with two word operations. */
		while (len - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080u) || ((w - 0x0101010101010101u) & ~w & 0x8080808080808080u))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		unsigned char c = s[i];
		if (c >= 0x01 && c < 0x80) {
			i++;
			continue;
		}
		if (c == 0)
			return report_encoding(d, name, text, len, i, max_depth,
					 "JSON text cannot contain NUL bytes; if the "
					 "file is UTF-16, save it as UTF-8",
					 "NUL byte (0x00) in the file");
		size_t need;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c == 0xE0)
			need = 2, lo = 0xA0;
		else if (c == 0xED)
			need = 2, hi = 0x9F;
		else if (c >= 0xE1 && c <= 0xEF)
			need = 2;
		else if (c == 0xF0)
			need = 3, lo = 0x90;
		else if (c == 0xF4)
			need = 3, hi = 0x8F;
		else if (c >= 0xF1 && c <= 0xF3)
			need = 3;
		else if (c >= 0x80 && c <= 0xBF)
			return report_encoding(d, name, text, len, i, max_depth,
					 HINT_ENCODING,
					 "invalid UTF-8: unexpected continuation "
					 "byte 0x%02X", c);
		else if (c == 0xC0 || c == 0xC1)
			return report_encoding(d, name, text, len, i, max_depth,
					 HINT_ENCODING,
					 "invalid UTF-8: overlong encoding (byte "
					 "0x%02X)", c);
		else
			return report_encoding(d, name, text, len, i, max_depth,
					 HINT_ENCODING,
					 "invalid UTF-8: byte 0x%02X never appears "
					 "in UTF-8", c);
		for (size_t k = 1; k <= need; k++) {
			if (i + k >= len)
				return report_encoding(d, name, text, len, i, max_depth,
						 HINT_ENCODING,
						 "invalid UTF-8: sequence cut short by "
						 "the end of the file (byte 0x%02X "
						 "needs %zu continuation bytes)",
						 c, need);
			unsigned char cc = s[i + k];
			unsigned char l = k == 1 ? lo : 0x80;
			unsigned char h = k == 1 ? hi : 0xBF;
			if (cc >= l && cc <= h)
				continue;
			if (k == 1 && cc >= 0x80 && cc <= 0xBF) {
				const char *why = c == 0xED
					? "a UTF-16 surrogate encoded in UTF-8"
					: c == 0xF4 ? "a code point above U+10FFFF"
						    : "overlong encoding";
				return report_encoding(d, name, text, len, i, max_depth,
						 HINT_ENCODING,
						 "invalid UTF-8: %s (bytes 0x%02X "
						 "0x%02X)", why, c, cc);
			}
			return report_encoding(d, name, text, len, i, max_depth,
					 HINT_ENCODING,
					 "invalid UTF-8: sequence cut short (byte "
					 "0x%02X needs %zu continuation bytes, "
					 "found 0x%02X)", c, need, cc);
		}
		i += need + 1;
	}
	return 0;
}

/* Offset of the last non-whitespace byte before x, or SIZE_MAX. */
static size_t prev_nonws(const char *t, size_t x)
{
	while (x > 0) {
		x--;
		if (!is_ws((unsigned char)t[x]))
			return x;
	}
	return SIZE_MAX;
}

/* Reports json-c's error at x, friendlier where the cause is clear. sc is
 * the scanner that stopped at x: it knows what was open there. */
static int report_jsonc(cg_diag *d, const char *name, const char *t,
			size_t len, size_t x, enum json_tokener_error jerr,
			const struct scanner *sc, const char *pointer)
{
	const char *desc = json_tokener_error_desc(jerr);
	unsigned char c = x < len ? (unsigned char)t[x] : 0;
	size_t p = prev_nonws(t, x);
	unsigned char pc = p != SIZE_MAX ? (unsigned char)t[p] : 0;
	const char *hint = HINT_VALUE;
	char detail[200], what[32];
	unsigned line, col;
	describe_char(t, len, x, what, sizeof what);

	switch (jerr) {
	case json_tokener_continue:
	case json_tokener_error_parse_eof:
		jerr = json_tokener_error_parse_eof;
		desc = json_tokener_error_desc(jerr);
		hint = HINT_CLOSE;
		if (sc->open_string != SIZE_MAX) {
			linecol(t, sc->open_string, &line, &col);
			snprintf(detail, sizeof detail,
				 "the string that starts at line %u, column %u "
				 "is not closed", line, col);
		} else if (sc->depth) {
			const struct level *top = &sc->stack[sc->depth - 1];
			linecol(t, top->open_off, &line, &col);
			snprintf(detail, sizeof detail,
				 "the '%c' at line %u, column %u is not closed",
				 top->type, line, col);
		} else {
			snprintf(detail, sizeof detail,
				 "the file ends before a complete value");
			hint = HINT_VALUE;
		}
		break;
	case json_tokener_error_parse_object_key_name:
	case json_tokener_error_parse_unexpected:
		if ((c == ']' || c == '}') && pc == ',') {
			snprintf(detail, sizeof detail, "trailing comma before '%c'", c);
			hint = HINT_STRICT;
		} else if (c == '/') {
			snprintf(detail, sizeof detail, "comments are not allowed in JSON");
			hint = HINT_STRICT;
		} else if (c == '\'') {
			snprintf(detail, sizeof detail,
				 "strings and keys must be in double quotes, not "
				 "single quotes");
			hint = HINT_QUOTES;
		} else if (jerr == json_tokener_error_parse_object_key_name &&
			   ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    c == '_' || c == '$')) {
			snprintf(detail, sizeof detail,
				 "object keys must be quoted strings (unquoted keys "
				 "are JSON5, not JSON)");
			hint = HINT_STRICT;
		} else if (c == ',' && (pc == ',' || pc == '[' || pc == ':')) {
			snprintf(detail, sizeof detail, "missing value before ','");
			hint = "remove the extra ',' or write the missing value";
		} else if (c == '.' || c == '+') {
			snprintf(detail, sizeof detail,
				 "numbers must start with a digit or '-'");
			hint = HINT_NUMBER;
		} else if (c == '}' && pc == ':') {
			snprintf(detail, sizeof detail, "missing value after ':'");
			hint = "write a value after the ':', or remove the member";
		} else if (jerr == json_tokener_error_parse_object_key_name) {
			snprintf(detail, sizeof detail,
				 "expected a key in double quotes, found %s", what);
			hint = "write members as \"key\": value";
		} else {
			snprintf(detail, sizeof detail, "unexpected %s", what);
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
				hint = HINT_QUOTES;
		}
		break;
	case json_tokener_error_parse_object_key_sep:
		snprintf(detail, sizeof detail,
			 "expected ':' after the object key, found %s", what);
		hint = "write members as \"key\": value";
		break;
	case json_tokener_error_parse_object_value_sep:
	case json_tokener_error_parse_array:
		if ((c == ']' || c == '}') && sc->depth) {
			const struct level *top = &sc->stack[sc->depth - 1];
			linecol(t, top->open_off, &line, &col);
			snprintf(detail, sizeof detail,
				 "'%c' does not match the '%c' at line %u, column %u",
				 c, top->type, line, col);
			hint = HINT_CLOSE;
			break;
		}
		if (jerr == json_tokener_error_parse_array) {
			snprintf(detail, sizeof detail,
				 "expected ',' or ']' after an array element, "
				 "found %s", what);
			hint = "separate array elements with ','; is a ',' "
			       "missing?";
			break;
		}
		snprintf(detail, sizeof detail,
			 "expected ',' or '}' after an object member, found %s",
			 what);
		hint = "separate object members with ','; is a ',' missing?";
		break;
	case json_tokener_error_parse_null:
	case json_tokener_error_parse_boolean:
		snprintf(detail, sizeof detail, "invalid literal");
		hint = "the literals are true, false and null, in lower case; "
		       "write text in double quotes";
		break;
	case json_tokener_error_parse_number:
		snprintf(detail, sizeof detail, "invalid number");
		hint = HINT_NUMBER;
		break;
	case json_tokener_error_parse_string:
		snprintf(detail, sizeof detail, "invalid escape in a string");
		hint = HINT_ESCAPE;
		break;
	case json_tokener_error_parse_comment:
		snprintf(detail, sizeof detail, "comments are not allowed in JSON");
		hint = HINT_STRICT;
		break;
	case json_tokener_error_depth:
		/* The scanner reports depth itself before reaching x; this
		 * is only a fallback. */
		return report_at(d, name, t, x, CG_ELIMIT, pointer,
				 "nesting this deep usually means unbalanced "
				 "brackets", "nesting too deep (json-c: %s)", desc);
	default:
		snprintf(detail, sizeof detail, "syntax error");
		break;
	}
	return report_at(d, name, t, x, CG_EPARSE, pointer, hint,
			 "%s (json-c: %s)", detail, desc);
}

/* Sums the members of every object in a json-c tree, without recursion. */
static bool count_members(json_object *root, uint64_t *out)
{
	size_t n = 0, cap = 64;
	uint64_t total = 0;
	json_object **st;
	*out = 0;
	if (!root)
		return true;
	st = malloc(cap * sizeof(*st));
	if (!st)
		return false;
	st[n++] = root;
	while (n) {
		json_object *o = st[--n];
		size_t kids;
		bool obj = json_object_is_type(o, json_type_object);
		if (obj)
			kids = (size_t)json_object_object_length(o);
		else if (json_object_is_type(o, json_type_array))
			kids = json_object_array_length(o);
		else
			continue;
		if (obj)
			total += kids;
		if (n + kids > cap) {
			while (n + kids > cap)
				cap *= 2;
			json_object **ns = realloc(st, cap * sizeof(*ns));
			if (!ns) {
				free(st);
				return false;
			}
			st = ns;
		}
		if (obj) {
			struct lh_entry *e;
			lh_foreach(json_object_get_object(o), e) {
				json_object *v = (json_object *)lh_entry_v(e);
				if (v)
					st[n++] = v;
			}
		} else {
			for (size_t i = 0; i < kids; i++) {
				json_object *v = json_object_array_get_idx(o, i);
				if (v)
					st[n++] = v;
			}
		}
	}
	free(st);
	*out = total;
	return true;
}

struct posreq {
	size_t off;
	unsigned *line, *col;
};

static int posreq_cmp(const void *a, const void *b)
{
	const struct posreq *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* json-c kept fewer members than the text has: find and report every
 * repeated key, at its second occurrence. */
static int report_duplicates(cg_diag *d, const char *name, const char *text,
			     size_t len)
{
	struct jindex *ix = index_build(text, len);
	if (!ix)
		return nomem(d, name);
	size_t nd = ix->ndups / 2;
	if (nd == 0) {
		/* Cannot happen (keys with \u0000 are rejected earlier);
		 * still never accept a document json-c altered. */
		index_free(ix);
		return report_at(d, name, text, 0, CG_EDUPLICATE, "",
				 "make every key in an object unique",
				 "json-c dropped object members; the document has "
				 "repeated keys");
	}
	unsigned *pos = malloc(nd * 4 * sizeof(unsigned));
	struct posreq *rq = malloc(nd * 2 * sizeof(*rq));
	if (!pos || !rq) {
		free(pos);
		free(rq);
		index_free(ix);
		return nomem(d, name);
	}
	/* Positions of all the keys, in one forward pass. */
	for (size_t i = 0; i < nd * 2; i++) {
		rq[i].off = ix->nodes[ix->dups[i]].key_quote;
		rq[i].line = &pos[2 * i];
		rq[i].col = &pos[2 * i + 1];
	}
	qsort(rq, nd * 2, sizeof(*rq), posreq_cmp);
	struct cursor cu;
	cursor_init(&cu);
	for (size_t i = 0; i < nd * 2; i++) {
		cursor_to(&cu, text, rq[i].off);
		*rq[i].line = cu.line;
		*rq[i].col = cu.col;
	}
	for (size_t i = 0; i < nd; i++) {
		const struct jnode *dup = &ix->nodes[ix->dups[2 * i]];
		char *ptr = node_pointer(ix, text, ix->dups[2 * i]);
		/* The key as written in the file (escapes kept, control
		 * characters therefore never raw), clipped for the message. */
		const char *raw = text + dup->key_quote + 1;
		size_t raw_len = 0;
		while (raw[raw_len] != '"') {
			if (raw[raw_len] == '\\')
				raw_len++;
			raw_len++;
		}
		cg_diag_add(d, CG_SEV_ERROR, CG_EDUPLICATE, name, pos[4 * i],
			    pos[4 * i + 1], ptr,
			    "remove or rename one of them; json-c would keep only "
			    "the last value and serde_json (Tauri) rejects "
			    "repeated fields",
			    "duplicate key \"%.*s\" (first at line %u, column %u)",
			    clip(raw, raw_len, 80), raw, pos[4 * i + 2],
			    pos[4 * i + 3]);
		free(ptr);
	}
	free(pos);
	free(rq);
	index_free(ix);
	return CG_EDUPLICATE;
}

/* Replaces the value at an RFC 6901 pointer of the tree (which has it: the
 * scanner made the pointer from the same text). 0, or -1. */
static int tree_replace(json_object **root, const char *pointer, json_object *value)
{
	if (!*pointer) {
		json_object_put(*root);
		*root = value;
		return 0;
	}
	json_object *cur = *root;
	const char *p = pointer;
	for (;;) {
		const char *end = strchr(p + 1, '/');
		size_t n = end ? (size_t)(end - p - 1) : strlen(p + 1);
		char *tok = malloc(n + 1);
		if (!tok)
			return -1;
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			char c = p[1 + i];
			if (c == '~' && i + 1 < n)
				c = p[1 + ++i] == '1' ? '/' : '~';
			tok[k++] = c;
		}
		tok[k] = '\0';
		int r = -1;
		json_object *next = NULL;
		if (json_object_is_type(cur, json_type_object)) {
			if (!end)
				r = json_object_object_add(cur, tok, value);
			else if (json_object_object_get_ex(cur, tok, &next))
				r = 0;
		} else if (json_object_is_type(cur, json_type_array)) {
			size_t idx = strtoul(tok, NULL, 10);
			if (idx < json_object_array_length(cur)) {
				if (!end)
					r = json_object_array_put_idx(cur, idx, value);
				else if ((next = json_object_array_get_idx(cur, idx)))
					r = 0;
			}
		}
		free(tok);
		if (r < 0 || !end)
			return r;
		cur = next;
		p = end;
	}
}

/* The integers beyond 64 bits that json-c clamped become the doubles
 * nearest them, printed as written (json_object_new_double_s). */
static int number_fixup(json_object **root, const struct scanner *sc)
{
	for (size_t i = 0; i < sc->n_big; i++) {
		const struct bignum *b = &sc->big[i];
		char *text = strndup(sc->t + b->off, b->len);
		json_object *v = text ? json_object_new_double_s(strtod_l(text, NULL, c_numeric), text) : NULL;
		free(text);
		if (!v || tree_replace(root, b->pointer, v) < 0) {
			json_object_put(v);
			return CG_ENOMEM;
		}
	}
	return 0;
}

/* Parses buf[0..len) (buf[len] is NUL; buf is owned and freed on error). */
static int load_text(const char *name, char *buf, size_t len, int max_depth, bool nul_ok,
		     cg_jsondoc **out, cg_diag *d)
{
	int rc = precheck(d, name, buf, len, max_depth);
	if (rc) {
		free(buf);
		return rc;
	}

	/* json-c spends one level on a scalar inside a container as well,
	 * so "max_depth containers" needs max_depth + 1 of its levels; the
	 * scanner enforces the exact limit. Nesting can never exceed the
	 * length, which keeps json-c's level array small. */
	int jdepth = (size_t)max_depth < len ? max_depth + 1 : (int)len + 1;
	struct json_tokener *tok = json_tokener_new_ex(jdepth);
	if (!tok) {
		free(buf);
		return nomem(d, name);
	}
	/* ALLOW_TRAILING_CHARS: the scanner reports data after the value
	 * with a clearer message than json-c's "unexpected character". */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
				    JSON_TOKENER_VALIDATE_UTF8 |
				    JSON_TOKENER_ALLOW_TRAILING_CHARS);
	/* len + 1 hands json-c the NUL, so a top-level number ends. */
	json_object *root = json_tokener_parse_ex(tok, buf, (int)len + 1);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t x = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success) {
		json_object_put(root);
		root = NULL;
		if (x > len)
			x = len;
	}

	/* On json-c's error, scan up to it: an earlier problem json-c let
	 * through (NaN, single-quoted key...) is reported first, and
	 * otherwise the scanner knows the pointer at x. */
	struct scanner sc;
	bool ok = jerr == json_tokener_success;
	scanner_init(&sc, buf, ok ? len : x, !ok, max_depth, NULL);
	sc.nul_ok = nul_ok;
	sc.numbers = true;
	enum scan_result sr = scan(&sc);
	if (sr == SCAN_NOMEM) {
		rc = nomem(d, name);
	} else if (sr == SCAN_ERR) {
		/* Data after the top value belongs to no value. */
		char *ptr = sc.trailing ? NULL : stack_pointer(&sc);
		rc = report_at(d, name, buf, sc.err_off, sc.code, ptr, sc.hint,
			       "%s", sc.msg);
		free(ptr);
	} else if (!ok) {
		bool in_token = jerr == json_tokener_error_parse_number ||
				jerr == json_tokener_error_parse_null ||
				jerr == json_tokener_error_parse_boolean ||
				jerr == json_tokener_error_parse_string;
		char *ptr = stop_pointer(&sc, buf, len, x, in_token);
		rc = report_jsonc(d, name, buf, len, x, jerr, &sc, ptr);
		free(ptr);
	}
	uint64_t tree_members = 0;
	if (!rc && sc.members && !count_members(root, &tree_members))
		rc = nomem(d, name);
	if (!rc && tree_members != sc.members)
		rc = report_duplicates(d, name, buf, len);
	if (!rc && sc.n_big && number_fixup(&root, &sc) < 0)
		rc = nomem(d, name);
	scanner_fini(&sc);
	if (rc) {
		json_object_put(root);
		free(buf);
		return rc;
	}

	cg_jsondoc *doc = calloc(1, sizeof(*doc));
	if (!doc || !(doc->name = strdup(name))) {
		free(doc);
		json_object_put(root);
		free(buf);
		return nomem(d, name);
	}
	doc->text = buf;
	doc->len = len;
	doc->root = root;
	*out = doc;
	return 0;
}

int cg_jsondoc_load_mem(const char *name, const char *text, size_t len,
			const cg_json_limits *lim, cg_jsondoc **out, cg_diag *d)
{
	if (!name)
		name = "<memory>";
	if (out)
		*out = NULL;
	if (!out || (!text && len)) {
		cg_diag_add(d, CG_SEV_ERROR, CG_EINVAL, name, 0, 0, NULL, NULL,
			    "invalid argument");
		return CG_EINVAL;
	}
	size_t max = eff_max_size(lim);
	if (len > max)
		return too_big(d, name, len, max, true);
	char *buf = malloc(len + 1);
	if (!buf)
		return nomem(d, name);
	if (len)
		memcpy(buf, text, len);
	buf[len] = '\0';
	return load_text(name, buf, len, eff_max_depth(lim), lim && lim->nul_in_strings, out, d);
}

static int io_error(cg_diag *d, const char *path, const char *what, int err)
{
	const char *hint =
		err == ENOENT ? "check the path: no file exists there"
		: err == EACCES || err == EPERM ? "check the file's permissions"
		: err == EISDIR ? "give the path of a JSON file; directories are "
				  "read with the *_dir functions"
				: "check that the path names a readable file";
	cg_diag_add(d, CG_SEV_ERROR, CG_EIO, path, 0, 0, NULL, hint, "%s: %s",
		    what, strerror(err));
	return CG_EIO;
}

int cg_jsondoc_load_file(const char *path, const cg_json_limits *lim,
			 cg_jsondoc **out, cg_diag *d)
{
	if (out)
		*out = NULL;
	if (!path || !out) {
		cg_diag_add(d, CG_SEV_ERROR, CG_EINVAL, path, 0, 0, NULL, NULL,
			    "invalid argument");
		return CG_EINVAL;
	}
	size_t max = eff_max_size(lim);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return io_error(d, path, "cannot open the file", errno);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return io_error(d, path, "cannot read the file", e);
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return io_error(d, path, "cannot read the file", EISDIR);
	}
	/* Decide on the size before reading anything: a huge file costs
	 * one fstat, not 50 MB of reads. */
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		close(fd);
		return too_big(d, path, (uintmax_t)st.st_size, max, true);
	}
	/* Pipes and devices have no size; the file may also grow after
	 * fstat. Either way never read more than max + 1 bytes. */
	size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 2 : 65536;
	if (cap > max + 2)
		cap = max + 2;
	size_t n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return nomem(d, path);
	}
	for (;;) {
		if (n + 1 == cap) {
			if (n > max)
				break;
			size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				close(fd);
				return nomem(d, path);
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return io_error(d, path, "cannot read the file", e);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > max) {
		free(buf);
		return too_big(d, path, 0, max, false);
	}
	buf[n] = '\0';
	return load_text(path, buf, n, eff_max_depth(lim), lim && lim->nul_in_strings, out, d);
}

void cg_jsondoc_free(cg_jsondoc *doc)
{
	if (!doc)
		return;
	index_free(doc->priv);
	json_object_put(doc->root);
	free(doc->text);
	free(doc->name);
	free(doc);
}

/* ------------------------------------------------------------ locating */

/* The child of node named by a decoded pointer token, or NO_NODE. */
static uint32_t child(const struct jindex *ix, const char *text, uint32_t node,
		      const char *tok, size_t n)
{
	const struct jnode *nd = &ix->nodes[node];
	if (nd->type == '{')
		return hash_find(ix, text, node, tok, n);
	if (nd->type != '[')
		return NO_NODE;
	/* RFC 6901 array index: "0" or digits without a leading zero; "-"
	 * (past the end) names nothing that exists. */
	if (n == 0 || n > 10 || (tok[0] == '0' && n > 1))
		return NO_NODE;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)tok[i]))
			return NO_NODE;
		v = v * 10 + (uint64_t)(tok[i] - '0');
	}
	if (v >= nd->nkids)
		return NO_NODE;
	return ix->kids[nd->kid0 + v];
}

bool cg_jsondoc_locate(const cg_jsondoc *doc, const char *pointer,
		       unsigned *line, unsigned *col)
{
	return cg_jsondoc_find(doc, pointer, line, col) > 0;
}

int cg_jsondoc_find(const cg_jsondoc *doc, const char *pointer,
		    unsigned *line, unsigned *col)
{
	if (!doc || !doc->text || !pointer || (*pointer && *pointer != '/'))
		return 0;
	struct jindex *ix = doc->priv;
	if (!ix) {
		/* Lazy: most documents load cleanly and are never asked
		 * where a value is. A document is used by one thread at a
		 * time, so this needs no lock. */
		ix = index_build(doc->text, doc->len);
		if (!ix)
			return CG_ENOMEM; /* the text is valid JSON */
		((cg_jsondoc *)doc)->priv = ix;
	}
	size_t plen = strlen(pointer);
	char small[256];
	char *tok = plen < sizeof small ? small : malloc(plen + 1);
	if (!tok)
		return CG_ENOMEM;
	uint32_t node = 0;
	const char *p = pointer;
	bool found = true;
	while (*p == '/') {
		p++;
		size_t n = 0;
		while (*p && *p != '/') {
			if (*p == '~') {
				if (p[1] != '0' && p[1] != '1') {
					found = false;
					break;
				}
				tok[n++] = p[1] == '0' ? '~' : '/';
				p += 2;
			} else {
				tok[n++] = *p++;
			}
		}
		if (!found)
			break;
		node = child(ix, doc->text, node, tok, n);
		if (node == NO_NODE) {
			found = false;
			break;
		}
	}
	if (tok != small)
		free(tok);
	if (!found)
		return 0;
	if (line)
		*line = ix->nodes[node].line;
	if (col)
		*col = ix->nodes[node].col;
	return 1;
}

/* --------------------------------------------------------- diagnostics */

static void vreport(cg_diag *d, cg_severity sev, const cg_jsondoc *doc,
		    int code, const char *pointer, const char *hint,
		    const char *fmt, va_list ap) CG_PRINTF(7, 0);

static void vreport(cg_diag *d, cg_severity sev, const cg_jsondoc *doc,
		    int code, const char *pointer, const char *hint,
		    const char *fmt, va_list ap)
{
	unsigned line = 0, col = 0;
	char *msg = NULL;
	if (!d)
		return;
	/* 0:0 means "position unknown" to cg_diag_format: better than a
	 * made-up 1:1 when the pointer names nothing. */
	if (doc && pointer && !cg_jsondoc_locate(doc, pointer, &line, &col))
		line = col = 0;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	cg_diag_add(d, sev, code, doc ? doc->name : NULL, line, col, pointer,
		    hint, "%s", msg ? msg : "(message lost: out of memory)");
	free(msg);
}

void cg_jsondoc_error(cg_diag *d, const cg_jsondoc *doc, int code,
		      const char *pointer, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(d, CG_SEV_ERROR, doc, code, pointer, hint, fmt, ap);
	va_end(ap);
}

void cg_jsondoc_warning(cg_diag *d, const cg_jsondoc *doc, int code,
			const char *pointer, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(d, CG_SEV_WARNING, doc, code, pointer, hint, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ pointers */

char *cg_pointer_join(const char *base, const char *token)
{
	struct sbuf b = {0};
	if (!token)
		return NULL;
	sb_add(&b, base ? base : "", base ? strlen(base) : 0);
	sb_token(&b, token, strlen(token));
	return sb_finish(&b);
}

char *cg_pointer_join_index(const char *base, size_t index)
{
	struct sbuf b = {0};
	sb_add(&b, base ? base : "", base ? strlen(base) : 0);
	sb_index(&b, index);
	return sb_finish(&b);
}

/* ------------------------------------------------------ public interface */

CG_EXPORT int cg_json_file_new(const char *path, cg_json_file **out, cg_diag *d)
{
	if (!out)
		return CG_EINVAL;
	*out = NULL;
	if (!path)
		return CG_EINVAL;
	return cg_jsondoc_load_file(path, NULL, out, d);
}

CG_EXPORT void cg_json_file_free(cg_json_file *f)
{
	if (f)
		cg_jsondoc_free(f);
}

CG_EXPORT json_object *cg_json_file_root(const cg_json_file *f)
{
	return f ? f->root : NULL;
}

CG_EXPORT int cg_json_file_locate(const cg_json_file *f, const char *pointer, unsigned *line,
				  unsigned *col)
{
	unsigned l = 0, c = 0;
	if (!f || !pointer)
		return CG_EINVAL;
	int r = cg_jsondoc_find(f, pointer, &l, &c);
	if (line)
		*line = l;
	if (col)
		*col = c;
	return r;
}
