/*
 * The JSON scanner: one iterative pass over the text that checks RFC 8259's
 * grammar as serde_json (and so Tauri) reads it, and builds json-c's tree
 * as it goes (build mode), records every value's place (index mode, for
 * positions) or only validates. It never recurses and its stack is bounded
 * by the depth limit, so a hostile document cannot exhaust the C stack.
 * Also the text helpers and the string builder the other files share.
 */
#include "base/jsonscan.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char HINT_STRICT[] =
	"capgate reads strict JSON (RFC 8259): no comments, trailing commas or "
	"unquoted keys";
const char HINT_QUOTES[] =
	"write strings and keys in double quotes; capgate reads strict JSON "
	"(RFC 8259): no comments, trailing commas or unquoted keys";
const char HINT_ENCODING[] =
	"save the file as UTF-8; it may be in another encoding such as Latin-1 "
	"or Windows-1252";
const char HINT_VALUE[] =
	"a value is an object, an array, a string in double quotes, a number, "
	"true, false or null";
const char HINT_ESCAPE[] =
	"the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write a "
	"backslash (also in Windows paths) as \\\\";
const char HINT_NUMBER[] =
	"write numbers like 42, -7, 1.5 or 2e10: no leading zeros, '+' sign, "
	"hexadecimal, or '.' without digits on both sides";
const char HINT_CLOSE[] =
	"close every '{' with '}' and every '[' with ']', and end every string "
	"with '\"'";


/* ------------------------------------------------------------ helpers */




size_t cgj_put_utf8(char *o, uint32_t cp)
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
size_t cgj_decode_string(const char *s, size_t n, char *out)
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
			o += cgj_put_utf8(out + o, (uint32_t)cp);
			break;
		}
		default: out[o++] = e; break; /* " \ / */
		}
	}
	return o;
}

/* Longest prefix of s[0..n) of at most max bytes that ends on a character
 * boundary, so that clipped names in messages stay valid UTF-8. */
int cgj_clip(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return (int)n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

/* Describes the character at t[i] for a message ("'x'", "a line break"). */
void cgj_describe_char(const char *t, size_t len, size_t i, char *buf,
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

void cgj_cursor_init(struct cursor *cu)
{
	cu->off = 0;
	cu->line = 1;
	cu->col = 1;
}

void cgj_cursor_to(struct cursor *cu, const char *t, size_t to)
{
	if (to < cu->off)
		cgj_cursor_init(cu);
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

void cgj_linecol(const char *t, size_t off, unsigned *line, unsigned *col)
{
	struct cursor cu;
	cgj_cursor_init(&cu);
	cgj_cursor_to(&cu, t, off);
	*line = cu.line;
	*col = cu.col;
}

/* ------------------------------------------------------- string builder */


void cgj_sb_add(struct sbuf *b, const char *s, size_t n)
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
void cgj_sb_token(struct sbuf *b, const char *s, size_t n)
{
	size_t run = 0;
	cgj_sb_add(b, "/", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '~' && s[i] != '/')
			continue;
		cgj_sb_add(b, s + run, i - run);
		cgj_sb_add(b, s[i] == '~' ? "~0" : "~1", 2);
		run = i + 1;
	}
	cgj_sb_add(b, s + run, n - run);
}

void cgj_sb_index(struct sbuf *b, size_t index)
{
	char tmp[24];
	int k = snprintf(tmp, sizeof tmp, "%zu", index);
	cgj_sb_add(b, "/", 1);
	cgj_sb_add(b, tmp, (size_t)k);
}

/* The built string (never NULL unless memory ran out). */
char *cgj_sb_finish(struct sbuf *b)
{
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	return b->p ? b->p : strdup("");
}

/* A raw (escaped) JSON key as a pointer token. */
void cgj_sb_raw_key(struct sbuf *b, const char *raw, size_t n, bool esc)
{
	if (!esc) {
		cgj_sb_token(b, raw, n);
		return;
	}
	char *tmp = malloc(n ? n : 1);
	if (!tmp) {
		b->oom = true;
		return;
	}
	cgj_sb_token(b, tmp, cgj_decode_string(raw, n, tmp));
	free(tmp);
}

/* ------------------------------------------------------------ scanner */





void cgj_scanner_init(struct scanner *sc, const char *t, size_t len,
			 bool stop_at_end, int max_depth, struct jindex *ix)
{
	memset(sc, 0, sizeof(*sc));
	sc->t = t;
	sc->len = len;
	sc->stop_at_end = stop_at_end;
	sc->max_depth = max_depth;
	sc->open_string = SIZE_MAX;
	sc->num_start = SIZE_MAX;
	sc->ix = ix;
	cgj_cursor_init(&sc->cur);
}

void cgj_scanner_fini(struct scanner *sc)
{
	free(sc->stack);
	sc->stack = NULL;
	json_object_put(sc->root);
	sc->root = NULL;
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
char *cgj_stack_pointer(const struct scanner *sc)
{
	struct sbuf b = {0};
	for (size_t k = 0; k < sc->depth; k++) {
		const struct level *lv = &sc->stack[k];
		if (!lv->in_value)
			break;
		if (lv->type == '[')
			cgj_sb_index(&b, lv->count - 1);
		else
			cgj_sb_raw_key(&b, sc->t + lv->key_quote + 1, lv->key_len,
				   lv->key_esc);
	}
	return cgj_sb_finish(&b);
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
		return cgj_stack_pointer(sc);
	if (top && (sc->stop_state == S_VALUE ||
		    sc->stop_state == S_VALUE_OR_CLOSE) &&
	    top->type == '[' && x < len && !strchr("],/", t[x])) {
		top->count++;
		top->in_value = true;
	} else if (top && sc->stop_state == S_AFTER && in_token) {
		top->in_value = true;
	}
	return cgj_stack_pointer(sc);
}

/* The pointer of the value at offset x of a text whose first x bytes are
 * valid UTF-8 (used for encoding errors); NULL if unknown. */
enum scan_result cgj_scan(struct scanner *sc);
char *cgj_prefix_pointer(const char *t, size_t len, size_t x, int max_depth)
{
	struct scanner sc;
	char *ptr = NULL;
	cgj_scanner_init(&sc, t, x, true, max_depth, NULL);
	if (cgj_scan(&sc) == SCAN_STOP)
		ptr = stop_pointer(&sc, t, len, x, false);
	cgj_scanner_fini(&sc);
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
	cgj_cursor_to(&sc->cur, sc->t, off);
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
			nd->key_len = (uint32_t)cgj_decode_string(
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

/* Build mode: v (a new reference, or NULL for null) becomes the root, the
 * next element of the open array, or the value of the open object's
 * current member. A key seen twice ends the build (the scan goes on, so
 * that a syntax error later in the text is still the one reported, as it
 * comes first in what is wrong; then every repeated key is reported). */
static enum scan_result attach(struct scanner *sc, json_object *v)
{
	if (sc->dup) {
		json_object_put(v);
		return SCAN_OK;
	}
	if (!sc->depth) {
		sc->root = v;
		return SCAN_OK;
	}
	struct level *top = &sc->stack[sc->depth - 1];
	if (top->type == '[') {
		if (json_object_array_add(top->obj, v) < 0) {
			json_object_put(v);
			return SCAN_NOMEM;
		}
		return SCAN_OK;
	}
	char small[128], *key = small;
	if (top->key_len >= sizeof(small) && !(key = malloc(top->key_len + 1))) {
		json_object_put(v);
		return SCAN_NOMEM;
	}
	const char *raw = sc->t + top->key_quote + 1;
	size_t kn = top->key_len;
	if (top->key_esc)
		kn = cgj_decode_string(raw, top->key_len, key);
	else
		memcpy(key, raw, kn);
	key[kn] = '\0';
	enum scan_result r = SCAN_OK;
	if (json_object_object_get_ex(top->obj, key, NULL)) {
		json_object_put(v);
		json_object_put(sc->root);
		sc->root = NULL;
		sc->dup = true;
	} else if (json_object_object_add_ex(top->obj, key, v, JSON_C_OBJECT_ADD_KEY_IS_NEW) < 0) {
		json_object_put(v);
		r = SCAN_NOMEM;
	}
	if (key != small)
		free(key);
	return r;
}

/* Build mode: the string value t[q..end) (quotes included), decoded. */
static json_object *make_string(struct scanner *sc, size_t q, size_t end, bool esc)
{
	const char *raw = sc->t + q + 1;
	size_t n = end - q - 2;
	if (!esc)
		return json_object_new_string_len(raw, (int)n);
	char small[256], *buf = n < sizeof(small) ? small : malloc(n + 1);
	if (!buf)
		return NULL;
	size_t k = cgj_decode_string(raw, n, buf);
	json_object *v = json_object_new_string_len(buf, (int)k);
	if (buf != small)
		free(buf);
	return v;
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
	json_object *obj = NULL;
	if (sc->build && !sc->dup) {
		obj = type == '[' ? json_object_new_array() : json_object_new_object();
		if (!obj)
			return SCAN_NOMEM;
		/* Attached now, filled as the scan goes: the tree holds it. */
		enum scan_result r = attach(sc, obj);
		if (r != SCAN_OK)
			return r;
	}
	struct level *lv = &sc->stack[sc->depth++];
	memset(lv, 0, sizeof(*lv));
	lv->type = type;
	lv->open_off = (uint32_t)off;
	lv->node = sc->ix ? (uint32_t)(sc->ix->n - 1) : 0;
	lv->obj = obj;
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
			if (sc->stop_at_end)
				return SCAN_STOP;
			unsigned line, col;
			cgj_linecol(t, start, &line, &col);
			return fail(sc, CG_EPARSE, len, HINT_CLOSE,
				    "unexpected end of the file: the string that starts at "
				    "line %u, column %u is not closed", line, col);
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
			cgj_describe_char(t, len, j + 1, what, sizeof what);
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

/* The number t[s..j) in number mode: a double that overflows is refused,
 * as serde_json refuses it. In build mode *out is its value: an integer
 * within 64 bits exactly, one beyond them the double nearest it, any other
 * number a double; doubles keep their text, so they print as written. */
static enum scan_result check_number(struct scanner *sc, size_t s, size_t j, bool is_int,
				     json_object **out)
{
	const char *t = sc->t + s;
	size_t n = j - s;
	if (is_int && int_fits(t, n)) {
		if (!sc->build)
			return SCAN_OK;
		/* Digits only: no locale, and strtoll/strtoull cannot fail. */
		if (t[0] == '-' || n < 19 || (n == 19 && memcmp(t, "9223372036854775807", 19) <= 0))
			*out = json_object_new_int64(strtoll(t, NULL, 10));
		else
			*out = json_object_new_uint64(strtoull(t, NULL, 10));
		return *out ? SCAN_OK : SCAN_NOMEM;
	}
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, c_numeric_init);
	if (c_numeric == (locale_t)0)
		return SCAN_NOMEM;
	/* The text is NUL-terminated and a number is followed by nothing
	 * strtod would take (the grammar ends it), but read a copy anyway. */
	char buf[64], *num = n < sizeof(buf) ? buf : malloc(n + 1);
	if (!num)
		return SCAN_NOMEM;
	memcpy(num, t, n);
	num[n] = '\0';
	double v = strtod_l(num, NULL, c_numeric);
	enum scan_result r = SCAN_OK;
	if (isinf(v))
		r = fail(sc, CG_EPARSE, s,
			 "write a number within a double's range (about 1.8e308), or a string",
			 "number %.*s%s is too large for a double", cgj_clip(t, n, 40), t,
			 n > 40 ? "..." : "");
	else if (sc->build && !(*out = json_object_new_double_s(v, num)))
		r = SCAN_NOMEM;
	if (num != buf)
		free(num);
	return r;
}

/* A number starting at *pi, RFC 8259 grammar (json-c 0.16 also accepts
 * "1.", "00", "-01", NaN and Infinity). */
static enum scan_result scan_number(struct scanner *sc, size_t *pi, json_object **out)
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
		enum scan_result r = check_number(sc, s, j, is_int, out);
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
	static const char *const lits[] = {"true", "false", "null"};
	for (int k = 0; k < 3; k++) {
		size_t n = strlen(lits[k]);
		if (sc->len - i >= n && !strncasecmp(t + i, lits[k], n))
			return fail(sc, CG_EPARSE, i,
				    "the literals are true, false and null, in lower case; "
				    "write text in double quotes",
				    "invalid literal (expected '%s')", lits[k]);
	}
	cgj_describe_char(t, sc->len, i, what, sizeof what);
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
		cgj_linecol(sc->t, top->open_off, &line, &col);
		return fail(sc, CG_EPARSE, i, HINT_CLOSE,
			    "'%c' does not match the '%c' at line %u, column %u",
			    c, top->type, line, col);
	}
	cgj_describe_char(sc->t, sc->len, i, what, sizeof what);
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
	cgj_describe_char(sc->t, sc->len, i, what, sizeof what);
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
enum scan_result cgj_scan(struct scanner *sc)
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
				cgj_linecol(t, top->open_off, &line, &col);
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
		if (st != S_AFTER)
			sc->num_start = SIZE_MAX;
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
			size_t vs = i;
			json_object *v = NULL;
			bool vesc = false;
			if (c == '"')
				r = scan_string(sc, &i, false, &vesc);
			else if (c == '-' || is_digit(c))
				r = scan_number(sc, &i, &v);
			else if (c == 't' || c == 'f' || c == 'n')
				r = scan_literal(sc, &i);
			else {
				/* A ']', ',' or comment where an element was due
				 * begins no element: the error is the array's. */
				if (top && top->type == '[' && strchr("],/", c)) {
					top->count--;
					top->in_value = false;
				}
				return fail_value(sc, i, st == S_VALUE && top &&
							 top->type == '[');
			}
			if (r != SCAN_OK) {
				json_object_put(v);
				return r;
			}
			if (sc->build && !sc->dup) {
				if (c == '"')
					v = make_string(sc, vs, i, vesc);
				else if (c == 't' || c == 'f')
					v = json_object_new_boolean(c == 't');
				/* null is NULL in json-c; a number is made */
				if (!v && c != 'n')
					return SCAN_NOMEM;
				if ((r = attach(sc, v)) != SCAN_OK)
					return r;
			} else {
				json_object_put(v);
			}
			sc->num_start = c == '-' || is_digit(c) ? vs : SIZE_MAX;
			sc->num_end = i;
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
				cgj_describe_char(t, len, i, what, sizeof what);
				return fail(sc, CG_EPARSE, i,
					    "a JSON file holds exactly one value; "
					    "remove the extra text, or put the values "
					    "in an array",
					    "unexpected %s after the end of the JSON "
					    "value", what);
			}
			if (sc->num_start != SIZE_MAX && i == sc->num_end && (is_digit(c) || c == '.' || c == 'x' || c == 'X' ||
							 c == 'e' || c == 'E' || c == '+' || c == '-')) {
				/* "0x10", "1.2.3", "1e5e5": one bad number, not a
				 * number followed by junk. */
				top->in_value = true;
				return fail(sc, CG_EPARSE, sc->num_start, HINT_NUMBER, "invalid number");
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
				cgj_describe_char(t, len, i, what, sizeof what);
				return fail(sc, CG_EPARSE, i,
					    "write members as \"key\": value",
					    "expected ':' after the key \"%.*s\", found %s",
					    cgj_clip(t + top->key_quote + 1, top->key_len, 60),
					    t + top->key_quote + 1, what);
			}
			top->in_value = true;
			st = S_VALUE;
			i++;
			break;
		}
	}
}

