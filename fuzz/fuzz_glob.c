/*
 * fuzz_glob: window/webview label and event name globs (engine/base/glob.h).
 * Input: a pattern, a newline, a text (each used up to its first NUL).
 *
 * glob.h promises the Rust `glob` crate's Pattern semantics with default
 * MatchOptions: '?' one character, '*' any run ('/' included), "**" only
 * as a whole '/'-separated component (it swallows the '/' after it and
 * resumes only where a component starts, or at the end), classes "[abc]",
 * "[a-z]", "[!...]" with ']' literal as first member, no escapes, whole
 * string, case-sensitive. Subject bytes that are not UTF-8 are characters
 * that only '?' and negated classes match.
 *
 * Invariants:
 *   1. a refused pattern gives a message and an offset inside it, and
 *      matches nothing; validation and matching are deterministic;
 *   2. a literal pattern (cg_glob_is_literal: none of '*', '?', '[')
 *      matches exactly the identical string;
 *   3. for valid patterns, cg_glob_match (a single-backtrack matcher)
 *      agrees with a reference written from the crate's definition: a
 *      memoised search over (pattern token, text position) that tries
 *      every place a wildcard can end (texts and patterns up to 1024
 *      bytes), and, on small inputs, a literal port of the crate's own
 *      backtracking matcher; validation agrees with the crate's rules;
 *   4. "*" and "**" match everything; the text with every '*', '?' and '['
 *      written as a class ("[*]", "[?]", "[[]") is a valid pattern that
 *      matches the text and nothing else (checked against the pattern
 *      line), when the text is valid UTF-8;
 *   5. the compiled patterns of the public API (cg_glob_new) under each of
 *      the four option sets (CG_GLOB_LITERAL_SEPARATOR, _LEADING_DOT: the
 *      crate's MatchOptions as Tauri's fs scope sets them) agree with the
 *      same two references taught the options, and with cg_glob_match
 *      when no option is set; a text that is not UTF-8 never matches;
 *      what cg_glob_escape writes matches the text and nothing else.
 */
#include "fuzz_common.h"
#include "base/internal.h"
#include "base/glob.h"

/* ---------------------------------------------------- the reference */

#define INVALID_BASE 0x110000u

/* Strict UTF-8 (as Rust's str): length and code point, 0 if malformed. */
static size_t dec(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;
	if (c == 0)
		return 0;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, v = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, v = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, v = c & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* The subject as characters. */
static size_t to_chars(const char *s, uint32_t *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; s[i] && n < cap;) {
		uint32_t cp;
		size_t l = dec((const unsigned char *)s + i, &cp);
		if (!l) {
			cp = INVALID_BASE + (unsigned char)s[i];
			l = 1;
		}
		out[n++] = cp;
		i += l;
	}
	return n;
}

enum rk { R_CHAR, R_ANY, R_STAR, R_RSTAR, R_IN, R_EX };

struct rtok {
	enum rk k;
	uint32_t c;
	size_t spec; /* index into specs */
	size_t nspec;
};

struct spec {
	uint32_t lo, hi;
};

struct ref {
	struct rtok t[1100];
	size_t nt;
	struct spec s[1100];
	size_t ns;
};

/* The crate's Pattern::new, for a pattern cg_glob_validate accepted. */
static bool ref_compile(const char *pat, struct ref *r)
{
	uint32_t ch[1100];
	size_t n = 0;
	for (size_t i = 0; pat[i];) {
		uint32_t cp;
		size_t l = dec((const unsigned char *)pat + i, &cp);
		if (!l || n >= 1100)
			return false;
		ch[n++] = cp;
		i += l;
	}
	r->nt = r->ns = 0;
	size_t i = 0;
	while (i < n) {
		struct rtok tk = {R_CHAR, 0, 0, 0};
		if (ch[i] == '?') {
			tk.k = R_ANY;
			i++;
		} else if (ch[i] == '*') {
			size_t old = i;
			while (i < n && ch[i] == '*')
				i++;
			size_t count = i - old;
			if (count > 2)
				return false;
			if (count == 1) {
				tk.k = R_STAR;
			} else {
				if (!(old == 0 || ch[old - 1] == '/'))
					return false;
				if (i < n && ch[i] == '/')
					i++;
				else if (i != n)
					return false;
				if (r->nt && r->t[r->nt - 1].k == R_RSTAR)
					continue; /* collapsed */
				tk.k = R_RSTAR;
			}
		} else if (ch[i] == '[') {
			size_t first, endj = 0;
			bool found = false;
			if (i + 4 <= n && ch[i + 1] == '!') {
				tk.k = R_EX;
				first = i + 2;
				for (size_t j = i + 3; j < n && !found; j++)
					if (ch[j] == ']')
						found = true, endj = j;
			} else if (i + 3 <= n && ch[i + 1] != '!') {
				tk.k = R_IN;
				first = i + 1;
				for (size_t j = i + 2; j < n && !found; j++)
					if (ch[j] == ']')
						found = true, endj = j;
			} else {
				return false;
			}
			if (!found)
				return false;
			tk.spec = r->ns;
			for (size_t q = first; q < endj;) {
				if (q + 3 <= endj && ch[q + 1] == '-') {
					r->s[r->ns++] = (struct spec){ch[q], ch[q + 2]};
					q += 3;
				} else {
					r->s[r->ns++] = (struct spec){ch[q], ch[q]};
					q++;
				}
			}
			tk.nspec = r->ns - tk.spec;
			i = endj + 1;
		} else {
			tk.c = ch[i++];
		}
		r->t[r->nt++] = tk;
	}
	return true;
}

static bool in_specs(const struct ref *r, const struct rtok *t, uint32_t c)
{
	for (size_t i = 0; i < t->nspec; i++)
		if (r->s[t->spec + i].lo <= c && c <= r->s[t->spec + i].hi)
			return true;
	return false;
}

/* memo: 0 unknown, 1 no, 2 yes */
static uint8_t *memo;
static size_t memo_w;

#define O_SEP 1u /* CG_GLOB_LITERAL_SEPARATOR */
#define O_DOT 2u /* CG_GLOB_LITERAL_LEADING_DOT */

/* Whether a wildcard may take s[k]: never a '.' that starts the text or
 * follows a '/' under O_DOT; '*' never a '/' under O_SEP. */
static bool takes(const uint32_t *s, size_t k, bool rec, unsigned opt)
{
	bool lead = k == 0 || s[k - 1] == '/';
	if ((opt & O_DOT) && lead && s[k] == '.')
		return false;
	return rec || !(opt & O_SEP) || s[k] != '/';
}

static bool ref_match_at(const struct ref *r, const uint32_t *s, size_t n, size_t ti, size_t pos,
			 unsigned opt)
{
	uint8_t *m = &memo[ti * memo_w + pos];
	if (*m)
		return *m == 2;
	bool ok = false;
	if (ti == r->nt) {
		ok = pos == n;
	} else {
		const struct rtok *t = &r->t[ti];
		switch (t->k) {
		case R_STAR:
			for (size_t k = pos; k <= n && !ok; k++) {
				ok = ref_match_at(r, s, n, ti + 1, k, opt);
				if (k < n && !takes(s, k, false, opt))
					break;
			}
			break;
		case R_RSTAR: {
			/* Here, just after each '/', or (the text used up) at the end. */
			size_t k = pos;
			ok = ref_match_at(r, s, n, ti + 1, pos, opt);
			for (; k < n && !ok && takes(s, k, true, opt); k++)
				if (s[k] == '/')
					ok = ref_match_at(r, s, n, ti + 1, k + 1, opt);
			if (!ok && k == n)
				ok = ref_match_at(r, s, n, ti + 1, n, opt);
			break;
		}
		default:
			if (pos < n) {
				uint32_t c = s[pos];
				bool lead = pos == 0 || s[pos - 1] == '/';
				bool hit = t->k == R_ANY ? true
					   : t->k == R_CHAR ? c == t->c
					   : t->k == R_IN ? in_specs(r, t, c)
							  : !in_specs(r, t, c);
				if (t->k != R_CHAR && (((opt & O_SEP) && c == '/') ||
						       ((opt & O_DOT) && lead && c == '.')))
					hit = false;
				ok = hit && ref_match_at(r, s, n, ti + 1, pos + 1, opt);
			}
			break;
		}
	}
	*m = ok ? 2 : 1;
	return ok;
}

static bool ref_match(const char *pat, const char *str, unsigned opt, bool *done)
{
	static struct ref r;
	static uint32_t s[1100];
	*done = false;
	if (strlen(pat) > 1024 || strlen(str) > 1024 || !ref_compile(pat, &r))
		return false;
	size_t n = to_chars(str, s, 1100);
	memo_w = n + 1;
	memo = calloc((r.nt + 1) * memo_w, 1);
	FUZZ_SETUP(memo);
	bool ok = ref_match_at(&r, s, n, 0, 0, opt);
	free(memo);
	memo = NULL;
	*done = true;
	return ok;
}

/* The crate's own matcher (Pattern::matches_from), ported literally with
 * its early EntirePatternDoesntMatch exits: exponential, so it runs only
 * on small inputs; it shows whether a disagreement with the declarative
 * reference above is the crate's or the engine's. */
enum cres { C_MATCH, C_SUB_NO, C_ENTIRE_NO };

static enum cres crate_from(const struct ref *r, const uint32_t *s, size_t n, size_t pos, size_t i,
			    bool follows_sep, unsigned opt, unsigned *budget)
{
	if (*budget == 0)
		return C_ENTIRE_NO; /* out of budget: the answer is not used */
	(*budget)--;
	for (size_t ti = i; ti < r->nt; ti++) {
		const struct rtok *t = &r->t[ti];
		if (t->k == R_STAR || t->k == R_RSTAR) {
			enum cres m = crate_from(r, s, n, pos, ti + 1, follows_sep, opt, budget);
			if (m != C_SUB_NO)
				return m;
			while (pos < n) {
				uint32_t c = s[pos++];
				if (follows_sep && (opt & O_DOT) && c == '.')
					return C_SUB_NO;
				follows_sep = c == '/';
				if (t->k == R_RSTAR && !follows_sep)
					continue;
				if (t->k == R_STAR && (opt & O_SEP) && follows_sep)
					return C_SUB_NO;
				m = crate_from(r, s, n, pos, ti + 1, follows_sep, opt, budget);
				if (m != C_SUB_NO)
					return m;
			}
		} else {
			if (pos >= n)
				return C_ENTIRE_NO;
			uint32_t c = s[pos++];
			bool sep = c == '/';
			bool hit = t->k == R_ANY ? true
				   : t->k == R_CHAR ? c == t->c
				   : t->k == R_IN ? in_specs(r, t, c)
						  : !in_specs(r, t, c);
			if (t->k != R_CHAR && (((opt & O_SEP) && sep) ||
					       (follows_sep && (opt & O_DOT) && c == '.')))
				hit = false;
			if (!hit)
				return C_SUB_NO;
			follows_sep = sep;
		}
	}
	return pos >= n ? C_MATCH : C_SUB_NO;
}

/* 1 match, 0 no match, -1 not run (too big, or over budget). */
static int crate_match(const char *pat, const char *str, unsigned opt)
{
	static struct ref r;
	static uint32_t s[1100];
	if (strlen(pat) > 64 || strlen(str) > 64 || !ref_compile(pat, &r))
		return -1;
	size_t n = to_chars(str, s, 1100);
	unsigned budget = 200000;
	enum cres m = crate_from(&r, s, n, 0, 0, true, opt, &budget);
	if (budget == 0)
		return -1;
	return m == C_MATCH;
}

/* ---------------------------------------------------------- checks */

static bool valid_utf8(const char *s)
{
	for (size_t i = 0; s[i];) {
		uint32_t cp;
		size_t l = dec((const unsigned char *)s + i, &cp);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

static char *escape(const char *t)
{
	char *out = malloc(strlen(t) * 3 + 1), *o = out;
	FUZZ_SETUP(out);
	for (; *t; t++) {
		if (*t == '*' || *t == '?' || *t == '[') {
			*o++ = '[';
			*o++ = *t;
			*o++ = ']';
		} else {
			*o++ = *t;
		}
	}
	*o = '\0';
	return out;
}

/* Invariant 5: the public compiled patterns, under every option set. */
static void check_compiled(const char *pat, const char *str, bool valid)
{
	bool utf8 = valid_utf8(str);
	for (unsigned opt = 0; opt <= CG_GLOB_PATH; opt++) {
		cg_glob *g = NULL;
		int rc = cg_glob_new(pat, opt, &g, NULL, NULL);
		if (!valid || strlen(pat) > CG_GLOB_MAX_PATTERN) {
			FUZZ_CHECK(rc < 0 && !g, "\"%s\": compiled though invalid", pat);
			continue;
		}
		FUZZ_SETUP(rc == 0);
		int m = cg_glob_matches(g, str);
		FUZZ_CHECK(m == cg_glob_matches(g, str), "compiled matching is not deterministic");
		if (!utf8) {
			FUZZ_CHECK(!m, "\"%s\" (options %u) matched a text that is not UTF-8", pat, opt);
		} else {
			bool done;
			bool want = ref_match(pat, str, opt, &done);
			int crate = crate_match(pat, str, opt);
			if (done)
				FUZZ_CHECK(m == want && (crate < 0 || crate == m),
					   "\"%s\" (options %u) vs \"%s\": compiled %d, reference %d, crate's algorithm %d",
					   pat, opt, str, m, want, crate);
			if (opt == 0)
				FUZZ_CHECK(m == cg_glob_match(pat, str), "\"%s\" vs \"%s\": compiled and default differ",
					   pat, str);
		}
		cg_glob_free(g);
	}
	if (utf8) {
		char *e = cg_glob_escape(str);
		cg_glob *g = NULL;
		FUZZ_SETUP(e);
		if (strlen(e) <= CG_GLOB_MAX_PATTERN) {
			FUZZ_CHECK(cg_glob_new(e, CG_GLOB_PATH, &g, NULL, NULL) == 0, "escaped \"%s\" refused", e);
			FUZZ_CHECK(cg_glob_matches(g, str), "escaped \"%s\" misses its text", e);
			FUZZ_CHECK(cg_glob_matches(g, pat) == (strcmp(str, pat) == 0), "escaped \"%s\" vs \"%s\"", e, pat);
			FUZZ_CHECK(strcmp(cg_glob_literal_prefix(g, NULL), str) == 0, "escaped \"%s\": prefix", e);
			cg_glob_free(g);
		}
		free(e);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pat, *str;
	fuzz_split2(data, size, &pat, &str);

	size_t off = (size_t)-1;
	const char *msg = NULL;
	int v = cg_glob_validate(pat, &off, &msg);
	FUZZ_CHECK(v == cg_glob_validate(pat, NULL, NULL), "validation is not deterministic");
	bool m = cg_glob_match(pat, str);
	FUZZ_CHECK(m == cg_glob_match(pat, str), "matching is not deterministic");
	if (v != 0) {
		FUZZ_CHECK(v == CG_EPATTERN && msg && *msg, "refused without a message");
		FUZZ_CHECK(off <= strlen(pat), "error offset %zu past the pattern (%zu bytes)", off, strlen(pat));
		FUZZ_CHECK(!m, "an invalid pattern matched");
	} else {
		if (cg_glob_is_literal(pat))
			FUZZ_CHECK(m == (strcmp(pat, str) == 0), "literal \"%s\" vs \"%s\": %d", pat, str, m);
		bool done;
		bool want = ref_match(pat, str, 0, &done);
		int crate = crate_match(pat, str, 0);
		if (done)
			FUZZ_CHECK(m == want && (crate < 0 || crate == m),
				   "\"%s\" vs \"%s\": engine %d, reference %d, crate's algorithm %d",
				   pat, str, m, want, crate);
	}
	if (strlen(pat) <= 1024) {
		static struct ref r;
		FUZZ_CHECK((v == 0) == ref_compile(pat, &r), "\"%s\": engine says %s, the crate's rules %s",
			   pat, v ? "invalid" : "valid", v ? "valid" : "invalid");
	}
	FUZZ_CHECK(cg_glob_match("*", str) && cg_glob_match("**", str), "\"*\" or \"**\" misses \"%s\"", str);
	if (valid_utf8(str)) {
		char *e = escape(str);
		FUZZ_CHECK(cg_glob_validate(e, NULL, NULL) == 0, "escaped text \"%s\" is not a pattern", e);
		FUZZ_CHECK(cg_glob_match(e, str), "escaped \"%s\" does not match its text", e);
		FUZZ_CHECK(cg_glob_match(e, pat) == (strcmp(str, pat) == 0), "escaped \"%s\" vs \"%s\"", e, pat);
		free(e);
	}
	check_compiled(pat, str, v == 0);
	free(pat);
	free(str);
	return 0;
}
