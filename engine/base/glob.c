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
#include <stdlib.h>
#include <string.h>

/* The crate's own messages, so users can search for them. */
static const char msg_wildcards[] =
	"wildcards are either regular `*` or recursive `**`";
static const char msg_recursive[] =
	"recursive wildcards must form a single path component";
static const char msg_range[] = "invalid range pattern";
static const char msg_utf8[] = "invalid UTF-8";
static const char msg_long[] = "pattern longer than 4096 bytes";

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

/* ------------------------------------------------------------------------
 * Compiled patterns with match options (the public cg_glob API).
 *
 * Tauri's fs scope matches with Pattern::matches_path_with and
 * MatchOptions { require_literal_separator, require_literal_leading_dot }.
 * The crate's matcher (matches_from) is a backtracking search whose result
 * depends only on (token, position): whether a position "follows a
 * separator" is fixed by the character before it. So its answer is that
 * of a nondeterministic automaton over the tokens, which is simulated here
 * with a bit set of live tokens per character: O(|pattern| x |text|) in
 * the worst case, no allocation, whatever the pattern. Its early exits
 * (EntirePatternDoesntMatch) only skip positions that cannot match; the
 * fuzz target fuzz_glob checks this against a literal port of the crate.
 *
 * The automaton, for the token t at index j, the character c at position
 * p, and "lead" = p starts the text or follows a '/':
 *   - a wildcard ('*' or '**') may end at once: j+1 is live where j is
 *     ('**' only at a lead or at the end of the text: the crate resumes
 *     after '**' only there, see the file's header);
 *   - '*' consumes c unless (lead && '.' under LEADING_DOT) or ('/' under
 *     SEPARATOR); '**' consumes c unless (lead && '.' under LEADING_DOT);
 *   - '?' and classes match c unless ('/' under SEPARATOR) or (lead &&
 *     '.' under LEADING_DOT); a literal character matches itself only.
 *
 * A scope checks one path against many entries that often share a long
 * literal prefix ("$HOME/docs/" + "**" + "/n1-*.txt", ...). So before the
 * automaton runs, each pattern refuses cheaply what cannot match: its
 * literal prefix, its literal suffix (the tokens after the last wildcard
 * are fixed-width, so they are the text's last characters) and its
 * longest other literal run (somewhere in between). A pattern of fewer
 * than 64 tokens then runs in one machine word (shift-and), with the
 * tokens each ASCII character passes precomputed. Every path stays
 * O(|pattern| x |text|) with no backtracking, whatever the pattern.
 * ------------------------------------------------------------------------ */

struct ctok {
	uint8_t kind;     /* enum tok_kind */
	bool negated;
	uint32_t cp;      /* TOK_CHAR */
	uint32_t set_start, set_end; /* TOK_CLASS: in the pattern */
};

struct cg_glob {
	char *pattern;
	unsigned flags;
	char *prefix;         /* the literal characters every match starts with */
	size_t prefix_len;
	size_t prefix_src;    /* bytes of the pattern that spell them */
	bool prefix_lead;     /* the text after the prefix starts at a lead */
	size_t ntok;          /* tokens after the prefix */
	struct ctok *tok;
	uint64_t *star;       /* per-token bit sets (nwords each) */
	uint64_t *rstar;
	size_t nwords;        /* words for ntok + 1 bits */
	int tail;             /* TAIL_*: fast paths for common tails */
	char *suffix;         /* the literal characters every match ends with */
	size_t suffix_len;
	char *infix;          /* the longest other run of literal characters */
	size_t infix_len;
	/* One word of tokens (ntok < 64): the fixed tokens each ASCII
	 * character passes, options aside, and the literal '/' and '.'
	 * tokens (all that may pass a '/' under SEPARATOR or a leading '.'
	 * under LEADING_DOT). NULL otherwise. */
	uint64_t *ascii;
	uint64_t lit_slash, lit_dot;
};

enum { TAIL_NFA, TAIL_EMPTY, TAIL_STAR, TAIL_RSTAR };

#define GLOB_WORDS_MAX ((CG_GLOB_MAX_PATTERN + 1 + 63) / 64)

/* A class of one plain member ("[*]", as cg_glob_escape writes) matches
 * exactly that character under every option, unless it is '/' or '.'. */
static bool class_is_literal(const char *pat, const struct tok *t, uint32_t *cp)
{
	uint32_t c;
	size_t n;

	if (t->negated)
		return false;
	n = utf8_decode((const unsigned char *)pat + t->set_start, &c);
	if (t->set_start + n != t->set_end || c == '/' || c == '.')
		return false;
	*cp = c;
	return true;
}

static size_t utf8_put(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static inline void bit_set(uint64_t *v, size_t j)
{
	v[j >> 6] |= (uint64_t)1 << (j & 63);
}

static inline bool bit_get(const uint64_t *v, size_t j)
{
	return (v[j >> 6] >> (j & 63)) & 1;
}

CG_EXPORT void cg_glob_free(cg_glob *g)
{
	if (!g)
		return;
	free(g->pattern);
	free(g->prefix);
	free(g->tok);
	free(g->star);
	free(g->rstar);
	free(g->suffix);
	free(g->infix);
	free(g->ascii);
	free(g);
}

/* Splits a valid pattern into its literal prefix and the tokens after it
 * (consecutive "**" folded into one, which the crate's matcher treats the
 * same), and picks a fast path for the tail. */
static int compile(cg_glob *g)
{
	const char *pat = g->pattern;
	size_t len = strlen(pat), i = 0, o = 0, n = 0;
	struct tok t;

	g->prefix = malloc(len + 1);
	g->tok = malloc((len + 1) * sizeof(*g->tok));
	if (!g->prefix || !g->tok)
		return CG_ENOMEM;
	while (pat[i]) {
		uint32_t cp;
		next_token(pat, i, &t);
		if (t.kind == TOK_CHAR)
			cp = t.cp;
		else if (!(t.kind == TOK_CLASS && class_is_literal(pat, &t, &cp)))
			break;
		o += utf8_put(g->prefix + o, cp);
		i += t.len;
	}
	g->prefix[o] = '\0';
	g->prefix_len = o;
	g->prefix_src = i;
	g->prefix_lead = o == 0 || g->prefix[o - 1] == '/';
	while (pat[i]) {
		struct ctok *c = &g->tok[n];
		next_token(pat, i, &t);
		i += t.len;
		if (t.kind == TOK_RSTAR && n > 0 && g->tok[n - 1].kind == TOK_RSTAR)
			continue;
		c->kind = (uint8_t)t.kind;
		c->negated = t.kind == TOK_CLASS && t.negated;
		c->cp = t.kind == TOK_CHAR ? t.cp : 0;
		c->set_start = t.kind == TOK_CLASS ? (uint32_t)t.set_start : 0;
		c->set_end = t.kind == TOK_CLASS ? (uint32_t)t.set_end : 0;
		n++;
	}
	g->ntok = n;
	g->nwords = (n + 1 + 63) / 64;
	g->star = calloc(g->nwords, sizeof(uint64_t));
	g->rstar = calloc(g->nwords, sizeof(uint64_t));
	if (!g->star || !g->rstar)
		return CG_ENOMEM;
	for (size_t j = 0; j < n; j++) {
		if (g->tok[j].kind == TOK_STAR || g->tok[j].kind == TOK_RSTAR)
			bit_set(g->star, j);
		if (g->tok[j].kind == TOK_RSTAR)
			bit_set(g->rstar, j);
	}
	/* The trailing literal characters: a match's last characters, as the
	 * tokens are fixed-width and nothing can follow them. */
	size_t k = n, bytes = 0;
	while (k > 0 && g->tok[k - 1].kind == TOK_CHAR)
		k--;
	g->suffix = malloc((n - k) * 4 + 1);
	if (!g->suffix)
		return CG_ENOMEM;
	for (size_t j = k; j < n; j++)
		bytes += utf8_put(g->suffix + bytes, g->tok[j].cp);
	g->suffix[bytes] = '\0';
	g->suffix_len = bytes;
	/* And the longest run of literal characters before it, which a match
	 * holds somewhere between its prefix and its suffix. */
	size_t best = 0, best_at = 0;
	for (size_t j = 0; j < k;) {
		size_t e = j;
		while (e < k && g->tok[e].kind == TOK_CHAR)
			e++;
		if (e - j > best) {
			best = e - j;
			best_at = j;
		}
		j = e > j ? e : j + 1;
	}
	g->infix = malloc(best * 4 + 1);
	if (!g->infix)
		return CG_ENOMEM;
	bytes = 0;
	for (size_t j = best_at; j < best_at + best; j++)
		bytes += utf8_put(g->infix + bytes, g->tok[j].cp);
	g->infix[bytes] = '\0';
	g->infix_len = bytes;
	if (n < 64) {
		g->ascii = calloc(128, sizeof(uint64_t));
		if (!g->ascii)
			return CG_ENOMEM;
		for (size_t j = 0; j < n; j++) {
			const struct ctok *ct = &g->tok[j];
			if (ct->kind == TOK_STAR || ct->kind == TOK_RSTAR)
				continue;
			if (ct->kind == TOK_CHAR && ct->cp == '/')
				g->lit_slash |= (uint64_t)1 << j;
			if (ct->kind == TOK_CHAR && ct->cp == '.')
				g->lit_dot |= (uint64_t)1 << j;
			for (uint32_t c = 1; c < 128; c++) {
				struct tok kt = {.negated = ct->negated, .set_start = ct->set_start,
						 .set_end = ct->set_end};
				bool hit = ct->kind == TOK_CHAR ? ct->cp == c
					   : ct->kind == TOK_ANY ? true
								 : class_has(g->pattern, &kt, c) != ct->negated;
				if (hit)
					g->ascii[c] |= (uint64_t)1 << j;
			}
		}
	}
	if (n == 0)
		g->tail = TAIL_EMPTY;
	else if (n == 1 && g->tok[0].kind == TOK_STAR)
		g->tail = TAIL_STAR;
	else if (n == 1 && g->tok[0].kind == TOK_RSTAR)
		g->tail = TAIL_RSTAR;
	else
		g->tail = TAIL_NFA;
	return 0;
}

CG_EXPORT int cg_glob_new(const char *pattern, unsigned flags, cg_glob **out,
			  size_t *err_offset, const char **err_msg)
{
	cg_glob *g;
	int rc;

	if (out)
		*out = NULL;
	if (!pattern || !out || (flags & ~(unsigned)CG_GLOB_PATH))
		return CG_EINVAL;
	if (strlen(pattern) > CG_GLOB_MAX_PATTERN) {
		(void)fail(CG_GLOB_MAX_PATTERN, msg_long, err_offset, err_msg);
		return CG_ELIMIT;
	}
	rc = cg_glob_validate(pattern, err_offset, err_msg);
	if (rc < 0)
		return rc;
	g = calloc(1, sizeof(*g));
	if (!g)
		return CG_ENOMEM;
	g->flags = flags;
	g->pattern = strdup(pattern);
	if (!g->pattern) {
		cg_glob_free(g);
		return CG_ENOMEM;
	}
	rc = compile(g);
	if (rc < 0) {
		cg_glob_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

CG_EXPORT const char *cg_glob_pattern(const cg_glob *g)
{
	return g ? g->pattern : NULL;
}

CG_EXPORT unsigned cg_glob_flags(const cg_glob *g)
{
	return g ? g->flags : 0;
}

CG_EXPORT const char *cg_glob_literal_prefix(const cg_glob *g, size_t *pattern_len)
{
	if (pattern_len)
		*pattern_len = g ? g->prefix_src : 0;
	return g ? g->prefix : NULL;
}

/* Whether a wildcard may consume the character c at a position where
 * "lead" holds; '*' also stops at '/' under SEPARATOR. */
static inline bool star_takes(unsigned flags, bool recursive, bool lead, uint32_t c)
{
	if (lead && c == '.' && (flags & CG_GLOB_LITERAL_LEADING_DOT))
		return false;
	return recursive || c != '/' || !(flags & CG_GLOB_LITERAL_SEPARATOR);
}

static bool ctok_matches(const cg_glob *g, const struct ctok *t, bool lead, uint32_t c)
{
	struct tok k;

	if (t->kind == TOK_CHAR)
		return c == t->cp;
	if ((c == '/' && (g->flags & CG_GLOB_LITERAL_SEPARATOR)) ||
	    (lead && c == '.' && (g->flags & CG_GLOB_LITERAL_LEADING_DOT)))
		return false;
	if (t->kind == TOK_ANY)
		return true;
	k.negated = t->negated;
	k.set_start = t->set_start;
	k.set_end = t->set_end;
	return class_has(g->pattern, &k, c) != t->negated;
}

/* Adds to v, in place, every token a live wildcard lets the match skip to
 * at a position where "lead" (or the end of the text) holds. Ascending
 * order lets a chain of wildcards ("**" then "*") close in one pass. */
static void closure(const cg_glob *g, uint64_t *v, bool lead, bool at_end)
{
	for (size_t w = 0; w < g->nwords; w++) {
		uint64_t x = v[w] & g->star[w];
		while (x) {
			size_t j = w * 64 + (size_t)__builtin_ctzll(x);
			x &= x - 1;
			if (bit_get(g->rstar, j) && !lead && !at_end)
				continue;
			bit_set(v, j + 1);
			if (((j + 1) >> 6) == w && bit_get(g->star, j + 1))
				x |= (uint64_t)1 << ((j + 1) & 63);
		}
	}
}

/* One character c of the text: the live tokens cur become nxt. */
static void nfa_step(const cg_glob *g, const uint64_t *cur, uint64_t *nxt, uint32_t c, bool lead,
		     bool at_end)
{
	size_t nw = g->nwords;

	memset(nxt, 0, nw * sizeof(uint64_t));
	for (size_t w = 0; w < nw; w++) {
		uint64_t x = cur[w];
		while (x) {
			size_t j = w * 64 + (size_t)__builtin_ctzll(x);
			const struct ctok *t;
			x &= x - 1;
			if (j == g->ntok)
				continue; /* the end, with text left */
			t = &g->tok[j];
			if (t->kind == TOK_STAR || t->kind == TOK_RSTAR) {
				if (star_takes(g->flags, t->kind == TOK_RSTAR, lead, c))
					bit_set(nxt, j);
			} else if (ctok_matches(g, t, lead, c)) {
				bit_set(nxt, j + 1);
			}
		}
	}
	closure(g, nxt, c == '/', at_end);
}

/* Runs the tokens after the prefix over s (then over '/' if slash); the
 * live tokens are left in cur. at_end says whether the text ends there.
 * false when nothing is live any more or s is not UTF-8. */
static bool nfa_run(const cg_glob *g, const unsigned char *s, bool lead, bool slash, bool at_end,
		    uint64_t *cur)
{
	uint64_t nxt[GLOB_WORDS_MAX];
	size_t nw = g->nwords;

	memset(cur, 0, nw * sizeof(uint64_t));
	bit_set(cur, 0);
	closure(g, cur, lead, at_end && !*s && !slash);
	while (*s || slash) {
		uint32_t c = '/';
		size_t n = 0;
		bool any = false;

		if (*s) {
			n = utf8_decode(s, &c);
			if (n == 0)
				return false; /* not UTF-8: Path::to_str() fails */
		} else {
			slash = false;
		}
		s += n;
		nfa_step(g, cur, nxt, c, lead, at_end && !*s && !slash);
		lead = c == '/';
		for (size_t w = 0; w < nw; w++) {
			cur[w] = nxt[w];
			any |= nxt[w] != 0;
		}
		if (!any)
			return false;
	}
	return true;
}

/* The same automaton on one word (fewer than 64 tokens): each step is a
 * shift and a few masks (the shift-and algorithm), with the characters
 * each ASCII byte passes precomputed. */
static bool run_word(const cg_glob *g, const unsigned char *s, bool lead)
{
	const uint64_t S = g->star[0], R = g->rstar[0];
	const bool sep = g->flags & CG_GLOB_LITERAL_SEPARATOR;
	const bool dot = g->flags & CG_GLOB_LITERAL_LEADING_DOT;
	uint64_t cur = 1, add;

	for (uint64_t eps = lead || !*s ? S : S & ~R; (add = ((cur & eps) << 1) & ~cur);)
		cur |= add;
	while (*s) {
		uint32_t c;
		size_t n;
		uint64_t m, keep;

		if (*s < 0x80) {
			c = *s;
			n = 1;
			m = g->ascii[c];
		} else {
			n = utf8_decode(s, &c);
			if (n == 0)
				return false; /* not UTF-8: Path::to_str() fails */
			m = 0;
			for (size_t j = 0; j < g->ntok; j++)
				if (g->tok[j].kind != TOK_STAR && g->tok[j].kind != TOK_RSTAR &&
				    ctok_matches(g, &g->tok[j], false, c))
					m |= (uint64_t)1 << j;
		}
		keep = S;
		if (lead && c == '.' && dot) {
			m = g->lit_dot;
			keep = 0;
		} else if (c == '/' && sep) {
			m = g->lit_slash;
			keep = R;
		}
		cur = ((cur & m) << 1) | (cur & keep);
		s += n;
		lead = c == '/';
		for (uint64_t eps = lead || !*s ? S : S & ~R; (add = ((cur & eps) << 1) & ~cur);)
			cur |= add;
		if (!cur)
			return false;
	}
	return (cur >> g->ntok) & 1;
}

static bool run_nfa(const cg_glob *g, const unsigned char *s, bool lead)
{
	uint64_t cur[GLOB_WORDS_MAX];
	if (g->ascii)
		return run_word(g, s, lead);
	return nfa_run(g, s, lead, false, true, cur) && bit_get(cur, g->ntok);
}

/* The tail is one wildcard: it takes every character that is left, or
 * stops (no match) at the first it may not take. */
static bool run_star(const cg_glob *g, const unsigned char *s, bool lead, bool recursive)
{
	while (*s) {
		uint32_t c;
		size_t n = utf8_decode(s, &c);
		if (n == 0 || !star_takes(g->flags, recursive, lead, c))
			return false;
		lead = c == '/';
		s += n;
	}
	return true;
}

/* Whether s[0..n) holds needle: paths and needles are short, where
 * memmem's set-up costs more than this loop. */
static bool holds(const unsigned char *s, size_t n, const char *needle, size_t m)
{
	const unsigned char first = (unsigned char)needle[0];
	for (size_t i = 0; i + m <= n; i++)
		if (s[i] == first && memcmp(s + i + 1, needle + 1, m - 1) == 0)
			return true;
	return false;
}

CG_EXPORT int cg_glob_matches(const cg_glob *g, const char *text)
{
	const unsigned char *s;
	size_t n;

	if (!g || !text)
		return 0;
	/* strncmp stops at the first difference, which for a scope's
	 * entries is usually early in the prefix. */
	if (strncmp(text, g->prefix, g->prefix_len) != 0)
		return 0;
	s = (const unsigned char *)text + g->prefix_len;
	n = strlen((const char *)s);
	/* Cheap refusals first: the literal text a match must end with and
	 * hold (as whole characters, so bytes compare). */
	if (n < g->suffix_len || memcmp(s + n - g->suffix_len, g->suffix, g->suffix_len) != 0)
		return 0;
	if (g->infix_len > 1 && !holds(s, n - g->suffix_len, g->infix, g->infix_len))
		return 0;
	switch (g->tail) {
	case TAIL_EMPTY:
		return *s == '\0';
	case TAIL_STAR:
		return run_star(g, s, g->prefix_lead, false);
	case TAIL_RSTAR:
		return run_star(g, s, g->prefix_lead, true);
	default:
		return run_nfa(g, s, g->prefix_lead);
	}
}

/* Where the automaton is after "dir/", followed by more text: still in the
 * literal prefix (at an offset), in the tokens (a set of live ones), or
 * dead. Two texts in the same state match the same continuations. */
struct below_state {
	int where; /* 0 prefix, 1 tokens, 2 dead */
	size_t off;
	uint64_t live[GLOB_WORDS_MAX];
};

static void state_below(const cg_glob *g, const char *dir, struct below_state *st)
{
	size_t n = strlen(dir);

	memset(st, 0, sizeof(*st));
	if (n + 1 <= g->prefix_len) {
		/* "dir/" is within the prefix, or misses it. */
		st->where = strncmp(dir, g->prefix, n) == 0 && g->prefix[n] == '/' ? 0 : 2;
		st->off = n + 1;
		return;
	}
	if (strncmp(dir, g->prefix, g->prefix_len) != 0) {
		st->where = 2;
		return;
	}
	st->where = nfa_run(g, (const unsigned char *)dir + g->prefix_len, g->prefix_lead, true,
			    false, st->live) ? 1 : 2;
}

CG_EXPORT int cg_glob_same_below(const cg_glob *g, const char *dir_a, const char *dir_b)
{
	struct below_state a, b;

	if (!g || !dir_a || !dir_b)
		return 0;
	state_below(g, dir_a, &a);
	state_below(g, dir_b, &b);
	if (a.where != b.where)
		return 0;
	if (a.where == 0)
		return a.off == b.off;
	if (a.where == 1)
		return memcmp(a.live, b.live, g->nwords * sizeof(uint64_t)) == 0;
	return 1;
}

CG_EXPORT char *cg_glob_escape(const char *text)
{
	size_t n = 0;
	char *out, *o;

	if (!text)
		return NULL;
	for (const char *c = text; *c; c++)
		n += (*c == '*' || *c == '?' || *c == '[' || *c == ']') ? 3 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *c = text; *c; c++) {
		if (*c == '*' || *c == '?' || *c == '[' || *c == ']') {
			*o++ = '[';
			*o++ = *c;
			*o++ = ']';
		} else {
			*o++ = *c;
		}
	}
	*o = '\0';
	return out;
}
