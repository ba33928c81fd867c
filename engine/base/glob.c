/*
 * Glob patterns for window/webview labels and event names, matching what
 * Tauri accepts and matches through the Rust `glob` crate (Pattern::new and
 * Pattern::matches with default options). See glob.h for the syntax.
 *
 * Two quirks of the crate are kept on purpose, so that a capability means
 * the same thing here as in Tauri:
 *   - a valid "**" swallows the '/' that follows it, and may only resume
 *     the rest of the pattern at the start of the string, right after a
 *     '/', or at the end of the string;
 *   - error positions are those of the crate (converted to byte offsets).
 *
 * The pattern is never compiled: tokens are decoded from the string as the
 * matcher walks it, so matching allocates nothing.
 */
#include "base/internal.h"
#include "base/glob.h"
#include "base/text.h"

#include <stddef.h>
#include <stdint.h>

/* The crate's own messages, so users can search for them. */
static const char msg_wildcards[] =
	"wildcards are either regular `*` or recursive `**`";
static const char msg_recursive[] =
	"recursive wildcards must form a single path component";
static const char msg_range[] = "invalid range pattern";
static const char msg_utf8[] = "invalid UTF-8";

/* Subject bytes that are not valid UTF-8 become code points past Unicode's
 * range, so they never equal a pattern character nor fall in a class
 * range, yet '?' and negated classes still consume them one at a time. */
#define INVALID_BYTE_BASE 0x110000u

enum tok_kind { TOK_CHAR, TOK_ANY, TOK_STAR, TOK_RSTAR, TOK_CLASS };

struct tok {
	enum tok_kind kind;
	uint32_t cp;      /* TOK_CHAR */
	bool negated;     /* TOK_CLASS */
	size_t set_start; /* TOK_CLASS: byte range of the members */
	size_t set_end;
	size_t len; /* bytes of pattern the token spans */
};

/* The pattern and subject are NUL-terminated: the NUL ends them and is
 * never a character of either. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	return s[0] ? cg_utf8_decode(s, 4, cp) : 0;
}

/* One character of the subject; never 0 bytes long unless at the end. */
static size_t subject_char(const unsigned char *s, uint32_t *cp)
{
	size_t n = utf8_decode(s, cp);
	if (n == 0 && s[0] != 0) {
		*cp = INVALID_BYTE_BASE + s[0];
		n = 1;
	}
	return n;
}

/* Length of the (valid) pattern character at s. */
static size_t pat_char_len(const char *s)
{
	uint32_t cp;
	size_t n = utf8_decode((const unsigned char *)s, &cp);
	return n ? n : 1;
}

/* Byte offset where the character ending just before `end` starts. */
static size_t prev_char_start(const char *pat, size_t end)
{
	size_t i = end - 1;
	while (i > 0 && ((unsigned char)pat[i] & 0xc0) == 0x80)
		i--;
	return i;
}

/* Parses the class whose '[' is at pat[i]. As in the crate, the first
 * member is taken as is (so "[]]" and "[!]]" hold a ']'), and the class
 * ends at the next ']'. Returns false when there is none. */
static bool parse_class(const char *pat, size_t i, struct tok *t)
{
	size_t m = i + 1;

	t->kind = TOK_CLASS;
	t->negated = pat[m] == '!';
	if (t->negated)
		m++;
	if (pat[m] == '\0')
		return false;
	t->set_start = m;
	for (size_t k = m + pat_char_len(pat + m); pat[k]; k += pat_char_len(pat + k)) {
		if (pat[k] == ']') {
			t->set_end = k;
			t->len = k + 1 - i;
			return true;
		}
	}
	return false;
}

static int fail(size_t off, const char *msg, size_t *err_offset,
		const char **err_msg)
{
	if (err_offset)
		*err_offset = off;
	if (err_msg)
		*err_msg = msg;
	return CG_EPATTERN;
}

/* Checks a run of '*' starting at pat[old]; *end receives the offset just
 * past the run. Returns the error message or NULL, with *pos its offset. */
static const char *check_stars(const char *pat, size_t old, size_t *end,
			       size_t *pos)
{
	size_t i = old;
	while (pat[i] == '*')
		i++;
	*end = i;
	if (i - old > 2) {
		*pos = old + 2;
		return msg_wildcards;
	}
	if (i - old == 1)
		return NULL;
	if (old > 0 && pat[old - 1] != '/') {
		*pos = prev_char_start(pat, old);
		return msg_recursive;
	}
	if (pat[i] != '/' && pat[i] != '\0') {
		*pos = i;
		return msg_recursive;
	}
	return NULL;
}

static bool valid_utf8(const char *pat, size_t *bad)
{
	uint32_t cp;
	for (size_t i = 0; pat[i];) {
		size_t n = utf8_decode((const unsigned char *)pat + i, &cp);
		if (n == 0) {
			*bad = i;
			return false;
		}
		i += n;
	}
	return true;
}

int cg_glob_validate(const char *pat, size_t *err_offset, const char **err_msg)
{
	size_t bad = 0;

	if (!pat)
		return fail(0, "no pattern", err_offset, err_msg);
	if (!valid_utf8(pat, &bad))
		return fail(bad, msg_utf8, err_offset, err_msg);
	for (size_t i = 0; pat[i];) {
		if (pat[i] == '*') {
			size_t end = 0, pos = 0;
			const char *msg = check_stars(pat, i, &end, &pos);
			if (msg)
				return fail(pos, msg, err_offset, err_msg);
			i = end;
		} else if (pat[i] == '[') {
			struct tok t;
			if (!parse_class(pat, i, &t))
				return fail(i, msg_range, err_offset, err_msg);
			i += t.len;
		} else {
			i += pat_char_len(pat + i);
		}
	}
	return 0;
}

/* Decodes the token at pat[i] of a pattern already known to be valid. */
static void next_token(const char *pat, size_t i, struct tok *t)
{
	switch (pat[i]) {
	case '?':
		t->kind = TOK_ANY;
		t->len = 1;
		return;
	case '*':
		if (pat[i + 1] != '*') {
			t->kind = TOK_STAR;
			t->len = 1;
			return;
		}
		/* The crate folds the '/' after "**" into the wildcard. */
		t->kind = TOK_RSTAR;
		t->len = pat[i + 2] == '/' ? 3 : 2;
		return;
	case '[':
		(void)parse_class(pat, i, t);
		return;
	default:
		t->kind = TOK_CHAR;
		t->len = utf8_decode((const unsigned char *)pat + i, &t->cp);
		return;
	}
}

static bool class_has(const char *pat, const struct tok *t, uint32_t c)
{
	size_t q = t->set_start;
	while (q < t->set_end) {
		uint32_t lo = 0, hi = 0;
		size_t n = utf8_decode((const unsigned char *)pat + q, &lo);
		/* "a-z" needs a character after the '-'; otherwise '-' is a
		 * member of its own. */
		if (q + n + 1 < t->set_end && pat[q + n] == '-') {
			size_t m = utf8_decode((const unsigned char *)pat + q + n + 1, &hi);
			if (c >= lo && c <= hi)
				return true;
			q += n + 1 + m;
		} else {
			if (c == lo)
				return true;
			q += n;
		}
	}
	return false;
}

static bool tok_matches(const char *pat, const struct tok *t, uint32_t c)
{
	switch (t->kind) {
	case TOK_ANY:
		return true;
	case TOK_CLASS:
		return class_has(pat, t, c) != t->negated;
	case TOK_CHAR:
		return c == t->cp;
	default:
		return false;
	}
}

/* Where a "**" that last resumed at str[s] may resume next: just past the
 * next '/', or else at the end of the string. '/' never occurs inside a
 * multi-byte sequence, so a byte search is enough. */
static size_t next_recursive_resume(const char *str, size_t s)
{
	for (; str[s]; s++)
		if (str[s] == '/')
			return s + 1;
	return s;
}

/*
 * Iterative matching with a single backtrack point (the last wildcard
 * seen), which is O(|pat| * |str|) instead of exponential. Only the last
 * wildcard needs to be retried: any later placement of the text between
 * two wildcards can be absorbed by the second one. For "**" that holds too,
 * because a valid "**" always directly follows a literal '/' (or starts the
 * pattern), so what it would have to absorb ends with '/'.
 */
bool cg_glob_match(const char *pat, const char *str)
{
	const unsigned char *us = (const unsigned char *)str;
	size_t p = 0, s = 0;
	size_t star_p = SIZE_MAX, star_s = 0;
	bool star_rec = false;

	if (!pat || !str || cg_glob_validate(pat, NULL, NULL) != 0)
		return false;
	for (;;) {
		if (pat[p]) {
			struct tok t;
			next_token(pat, p, &t);
			if (t.kind == TOK_STAR || t.kind == TOK_RSTAR) {
				star_p = p + t.len;
				star_s = s;
				star_rec = t.kind == TOK_RSTAR;
				p = star_p;
				continue;
			}
			uint32_t c = 0;
			size_t n = subject_char(us + s, &c);
			if (n && tok_matches(pat, &t, c)) {
				p += t.len;
				s += n;
				continue;
			}
		} else if (!str[s]) {
			return true;
		}
		if (star_p == SIZE_MAX || !str[star_s])
			return false;
		if (star_rec) {
			star_s = next_recursive_resume(str, star_s);
		} else {
			uint32_t c;
			star_s += subject_char(us + star_s, &c);
		}
		s = star_s;
		p = star_p;
	}
}

bool cg_glob_is_literal(const char *pat)
{
	if (!pat)
		return false;
	/* ']' alone is an ordinary character for the crate. */
	for (const char *c = pat; *c; c++)
		if (*c == '*' || *c == '?' || *c == '[')
			return false;
	return true;
}
