/*
 * Unit tests for the public compiled globs (cg_glob_new and friends) and
 * their match options, which Tauri's fs scope uses: require_literal_separator
 * and require_literal_leading_dot (crates/tauri/src/scope/fs.rs,
 * Scope::new). Hand-written cases first, then a differential test against
 * a literal port of the `glob` crate's Pattern::new and matches_from with
 * MatchOptions, and against the engine's default-options matcher.
 */
#include "base/internal.h"
#include "base/glob.h"

#include <capgate.h>
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEP CG_GLOB_LITERAL_SEPARATOR
#define DOT CG_GLOB_LITERAL_LEADING_DOT
#define PATHF CG_GLOB_PATH

struct mcase {
	const char *pat;
	unsigned flags;
	const char *str;
	int want;
};

static void check_cases(const struct mcase *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cg_glob *g = NULL;
		size_t off = 0;
		const char *msg = NULL;
		int rc = cg_glob_new(v[i].pat, v[i].flags, &g, &off, &msg);
		ck_assert_msg(rc == 0, "\"%s\" refused at %zu: %s", v[i].pat, off, msg ? msg : "?");
		ck_assert_msg(cg_glob_matches(g, v[i].str) == v[i].want,
			      "\"%s\" (flags %u) vs \"%s\": expected %s", v[i].pat, v[i].flags,
			      v[i].str, v[i].want ? "match" : "no match");
		cg_glob_free(g);
	}
}

#define CHECK(v) check_cases(v, sizeof(v) / sizeof(v[0]))

/* GHSA-6mv3-wm7j-h4w5: "/dir/" then '*' must not reach files in
 * subdirectories; only "**" crosses a '/'. */
START_TEST(test_literal_separator)
{
	static const struct mcase v[] = {
		{"/home/u/*", SEP, "/home/u/a.txt", 1},
		{"/home/u/*", SEP, "/home/u/sub/a.txt", 0},
		{"/home/u/*", 0, "/home/u/sub/a.txt", 1},
		{"/home/u/*", SEP, "/home/u/", 1}, /* '*' may be empty */
		{"/home/u/*", SEP, "/home/u", 0},
		{"/d/a*b", SEP, "/d/axxb", 1},
		{"/d/a*b", SEP, "/d/a/b", 0},
		{"/d/a?b", SEP, "/d/a/b", 0},
		{"/d/a?b", 0, "/d/a/b", 1},
		{"/d/a[/]b", SEP, "/d/a/b", 0}, /* a class never matches '/' */
		{"/d/a[!x]b", SEP, "/d/a/b", 0},
		{"/d/a[!x]b", 0, "/d/a/b", 1},
		{"/d/a/b", SEP, "/d/a/b", 1}, /* a literal '/' does */
		{"/home/u/**", SEP, "/home/u/a/b/c", 1},
		{"/home/u/**/*.txt", SEP, "/home/u/a.txt", 1},
		{"/home/u/**/*.txt", SEP, "/home/u/x/y/a.txt", 1},
		{"/home/u/**/*.txt", SEP, "/home/u/x/y/a.md", 0},
		{"/home/u/*/*.txt", SEP, "/home/u/x/y/a.txt", 0},
		{"/home/u/*/*.txt", SEP, "/home/u/x/a.txt", 1},
		{"*", SEP, "a/b", 0},
		{"*", SEP, "", 1},
		{"**", SEP, "a/b", 1},
	};
	CHECK(v);
}
END_TEST

/* Dotfiles are protected: a wildcard never supplies a '.' that starts a
 * component; a literal '.' does. */
START_TEST(test_literal_leading_dot)
{
	static const struct mcase v[] = {
		{"/home/u/**", PATHF, "/home/u/.ssh", 0},
		{"/home/u/**", PATHF, "/home/u/.ssh/id_ed25519", 0},
		{"/home/u/**", PATHF, "/home/u/a/.git/config", 0},
		{"/home/u/**", PATHF, "/home/u/a/b.c/d", 1},
		{"/home/u/**", SEP, "/home/u/.ssh/id_ed25519", 1},
		{"/home/u/*", PATHF, "/home/u/.bashrc", 0},
		{"/home/u/*", PATHF, "/home/u/a.bashrc", 1},
		{"/home/u/?bashrc", PATHF, "/home/u/.bashrc", 0},
		{"/home/u/[.]bashrc", PATHF, "/home/u/.bashrc", 0},
		{"/home/u/[!a]bashrc", PATHF, "/home/u/.bashrc", 0},
		{"/home/u/[!a]bashrc", SEP, "/home/u/.bashrc", 1},
		{"/home/u/.*", PATHF, "/home/u/.bashrc", 1},
		{"/home/u/.*", PATHF, "/home/u/.ssh/id", 0},
		{"/home/u/.ssh/**", PATHF, "/home/u/.ssh/id", 1},
		{"/home/u/.ssh/**", PATHF, "/home/u/.ssh/.x", 0},
		{"/home/u/**/.git/*", PATHF, "/home/u/p/.git/config", 1},
		{"/home/u/**/.git/*", PATHF, "/home/u/.p/.git/config", 0},
		{"/home/u/**/*.txt", PATHF, "/home/u/.a.txt", 0},
		{"/home/u/**/*.txt", PATHF, "/home/u/x/.y/a.txt", 0},
		{"/x/a.*", PATHF, "/x/a.b", 1}, /* not at the start of a component */
		{"*.txt", PATHF, "a.txt", 1},
		{"*", PATHF, ".hidden", 0}, /* the text's start is a lead */
		{"**", PATHF, ".hidden", 0},
		{"**", PATHF, "", 1},
		{"a/**/b", PATHF, "a/b", 1},
		{"a/**/b", PATHF, "a/x/y/b", 1},
		{"a/**/b", PATHF, "a/.x/b", 0},
		{"a/**/b", SEP, "a/.x/b", 1},
		/* LEADING_DOT alone: '*' crosses '/', but not into a dotfile. */
		{"*", DOT, "a/b", 1},
		{"*", DOT, "a/.b", 0},
		{"*", DOT, "a.b/c", 1},
		{"?", DOT, ".", 0},
		{".", DOT, ".", 1},
	};
	CHECK(v);
}
END_TEST

/* The crate's quirks stay: "**" resumes only after a '/' or at the end
 * of the text (so "a/" then "**" matches "a/b/c" by running to the end). */
START_TEST(test_recursive_quirks)
{
	static const struct mcase v[] = {
		{"a/**", PATHF, "a/b/c", 1},
		{"a/**", PATHF, "a/", 1},
		{"a/**", PATHF, "a", 0},
		{"a/**/", PATHF, "a/b", 1}, /* the '/' after "**" is its own */
		{"**/b", PATHF, "b", 1},
		{"**/b", PATHF, "x/b", 1},
		{"**/b", PATHF, "xb", 0},
		{"**/**/b", PATHF, "x/y/b", 1},
		{"/**", PATHF, "/", 1},
		{"/**", PATHF, "/etc/passwd", 1},
		{"a/**/*", PATHF, "a/b", 1},
		{"a/**/?", PATHF, "a/b/c", 1},
		{"a/**/?", PATHF, "a/b/cd", 0},
	};
	CHECK(v);
}
END_TEST

/* Escaped text is literal (Pattern::escape), and a text that is not UTF-8
 * never matches (Path::to_str() is None in matches_path_with). */
START_TEST(test_escape_and_utf8)
{
	static const char *const texts[] = {
		"/home/we[ird]/*?**", "]", "[!]", "a-b", "/tmp/x y/é", "",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *e = cg_glob_escape(texts[i]);
		cg_glob *g = NULL;
		ck_assert_ptr_nonnull(e);
		for (unsigned f = 0; f <= PATHF; f++) {
			ck_assert_int_eq(cg_glob_new(e, f, &g, NULL, NULL), 0);
			ck_assert_msg(cg_glob_matches(g, texts[i]), "escaped \"%s\"", e);
			ck_assert(!cg_glob_matches(g, "/home/weird/x"));
			ck_assert_str_eq(cg_glob_literal_prefix(g, NULL), texts[i]);
			cg_glob_free(g);
		}
		free(e);
	}
	ck_assert_ptr_null(cg_glob_escape(NULL));

	static const struct mcase v[] = {
		{"*", 0, "\xff", 0},
		{"?", 0, "\xc3", 0},
		{"**", PATHF, "/a/\xff", 0},
		{"/a/*", PATHF, "/a/\xc3(", 0},
		{"/a/b", 0, "/a/b\xff", 0},
		{"/a/b*", 0, "/a/b\xed\xa0\x80", 0}, /* a surrogate */
		{"/a/é", 0, "/a/é", 1},
		{"/a/?", 0, "/a/é", 1},
	};
	CHECK(v);
}
END_TEST

START_TEST(test_literal_prefix)
{
	static const struct {
		const char *pat;
		const char *prefix;
		size_t src;
	} v[] = {
		{"/data/[*]x/*.txt", "/data/*x/", 11},
		{"/home/u/**", "/home/u/", 8},
		{"/home/u/.ssh", "/home/u/.ssh", 12},
		{"**", "", 0},
		{"/a[.]b/*", "/a", 2},   /* a class of '.' is not read as literal */
		{"/a[/]b/*", "/a", 2},
		{"/a[!x]/*", "/a", 2},
		{"/a[bc]/*", "/a", 2},
		{"/é[]]/?", "/é]/", 7},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cg_glob *g = NULL;
		size_t src = 999;
		ck_assert_int_eq(cg_glob_new(v[i].pat, PATHF, &g, NULL, NULL), 0);
		ck_assert_str_eq(cg_glob_literal_prefix(g, &src), v[i].prefix);
		ck_assert_uint_eq(src, v[i].src);
		ck_assert_str_eq(cg_glob_pattern(g), v[i].pat);
		ck_assert_uint_eq(cg_glob_flags(g), PATHF);
		cg_glob_free(g);
	}
}
END_TEST

START_TEST(test_errors)
{
	cg_glob *g = (cg_glob *)&g;
	size_t off = 999;
	const char *msg = NULL;

	ck_assert_int_eq(cg_glob_new("a**", PATHF, &g, &off, &msg), CG_EPATTERN);
	ck_assert_ptr_null(g);
	ck_assert_uint_eq(off, 0);
	ck_assert_str_eq(msg, "recursive wildcards must form a single path component");
	ck_assert_int_eq(cg_glob_new("a[", 0, &g, &off, &msg), CG_EPATTERN);
	ck_assert_uint_eq(off, 1);
	ck_assert_int_eq(cg_glob_new("ab\xff", 0, &g, &off, &msg), CG_EPATTERN);
	ck_assert_str_eq(msg, "invalid UTF-8");
	ck_assert_int_eq(cg_glob_new("a", 4, &g, NULL, NULL), CG_EINVAL);
	ck_assert_int_eq(cg_glob_new(NULL, 0, &g, NULL, NULL), CG_EINVAL);
	ck_assert_int_eq(cg_glob_new("a", 0, NULL, NULL, NULL), CG_EINVAL);

	char *big = malloc(CG_GLOB_MAX_PATTERN + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', CG_GLOB_MAX_PATTERN + 1);
	big[CG_GLOB_MAX_PATTERN + 1] = '\0';
	ck_assert_int_eq(cg_glob_new(big, 0, &g, &off, &msg), CG_ELIMIT);
	ck_assert_uint_eq(off, CG_GLOB_MAX_PATTERN);
	big[CG_GLOB_MAX_PATTERN] = '\0';
	ck_assert_int_eq(cg_glob_new(big, 0, &g, NULL, NULL), 0);
	ck_assert(cg_glob_matches(g, big));
	cg_glob_free(g);
	free(big);

	ck_assert_int_eq(cg_glob_matches(NULL, "a"), 0);
	ck_assert_ptr_null(cg_glob_pattern(NULL));
	ck_assert_ptr_null(cg_glob_literal_prefix(NULL, &off));
	ck_assert_uint_eq(off, 0);
	cg_glob_free(NULL);
}
END_TEST

static char *repeat(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *s = malloc(u * n + 1);
	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[u * n] = '\0';
	return s;
}

/* Hostile patterns of the maximum size against long texts finish (each
 * is O(pattern x text)); no timing is asserted. */
START_TEST(test_hostile_patterns_finish)
{
	char *text = repeat("a", 4096);
	char *path = repeat("a/", 2048);
	char *p1 = repeat("*a", 2047); /* 4094 bytes */
	char *p2 = repeat("**/", 1365);
	char *p3 = repeat("?*", 2047);

	for (unsigned f = 0; f <= PATHF; f++) {
		cg_glob *g;
		char *p1b = malloc(strlen(p1) + 2);
		ck_assert_ptr_nonnull(p1b);
		strcpy(p1b, p1);
		strcat(p1b, "b");
		ck_assert_int_eq(cg_glob_new(p1b, f, &g, NULL, NULL), 0);
		ck_assert(!cg_glob_matches(g, text));
		cg_glob_free(g);
		free(p1b);
		ck_assert_int_eq(cg_glob_new(p1, f, &g, NULL, NULL), 0);
		ck_assert(cg_glob_matches(g, text));
		ck_assert(!cg_glob_matches(g, path) || !(f & SEP));
		cg_glob_free(g);
		ck_assert_int_eq(cg_glob_new(p2, f, &g, NULL, NULL), 0);
		ck_assert(cg_glob_matches(g, path));
		cg_glob_free(g);
		ck_assert_int_eq(cg_glob_new(p3, f, &g, NULL, NULL), 0);
		ck_assert(!cg_glob_matches(g, "a"));
		ck_assert(cg_glob_matches(g, text));
		cg_glob_free(g);
	}
	free(text);
	free(path);
	free(p1);
	free(p2);
	free(p3);
}
END_TEST

/* ------------------------------------------------------------------
 * The reference: the crate's Pattern::new and matches_from, ported line by
 * line over code points (glob 0.3: src/lib.rs), MatchOptions included.
 * Exponential, so it only sees short inputs.
 */
enum rk { R_CHAR, R_ANY, R_SEQ, R_RSEQ, R_WITHIN, R_EXCEPT };

struct rtok {
	enum rk k;
	uint32_t c;
	uint32_t lo[8], hi[8];
	size_t nspec;
};

struct rpat {
	struct rtok t[160];
	size_t nt;
};

static size_t to_cps(const char *s, uint32_t *out)
{
	size_t n = 0;
	const unsigned char *u = (const unsigned char *)s;
	while (*u) {
		uint32_t c;
		if (*u < 0x80) {
			c = *u++;
		} else if ((*u & 0xe0) == 0xc0) {
			c = (uint32_t)(*u++ & 0x1f) << 6;
			c |= *u++ & 0x3f;
		} else {
			c = (uint32_t)(*u++ & 0x0f) << 12;
			c |= (uint32_t)(*u++ & 0x3f) << 6;
			c |= *u++ & 0x3f;
		}
		out[n++] = c;
	}
	return n;
}

static void specs(struct rtok *t, const uint32_t *s, size_t n)
{
	size_t i = 0;
	t->nspec = 0;
	while (i < n) {
		if (i + 3 <= n && s[i + 1] == '-') {
			t->lo[t->nspec] = s[i];
			t->hi[t->nspec++] = s[i + 2];
			i += 3;
		} else {
			t->lo[t->nspec] = t->hi[t->nspec] = s[i];
			t->nspec++;
			i++;
		}
	}
}

static bool rcompile(const char *pattern, struct rpat *p)
{
	uint32_t ch[512];
	size_t n = to_cps(pattern, ch), i = 0;
	p->nt = 0;
	while (i < n) {
		struct rtok *t = &p->t[p->nt];
		if (ch[i] == '?') {
			t->k = R_ANY;
			i++;
		} else if (ch[i] == '*') {
			size_t old = i;
			while (i < n && ch[i] == '*')
				i++;
			size_t count = i - old;
			if (count > 2)
				return false;
			if (count < 2) {
				t->k = R_SEQ;
			} else {
				if (!(i == 2 || ch[i - count - 1] == '/'))
					return false;
				if (i < n && ch[i] == '/')
					i++;
				else if (i != n)
					return false;
				if (p->nt > 1 && p->t[p->nt - 1].k == R_RSEQ)
					continue;
				t->k = R_RSEQ;
			}
		} else if (ch[i] == '[') {
			size_t j;
			if (i + 4 <= n && ch[i + 1] == '!') {
				for (j = i + 3; j < n && ch[j] != ']'; j++)
					;
				if (j == n)
					return false;
				t->k = R_EXCEPT;
				specs(t, ch + i + 2, j - (i + 2));
				i = j + 1;
			} else if (i + 3 <= n && ch[i + 1] != '!') {
				for (j = i + 2; j < n && ch[j] != ']'; j++)
					;
				if (j == n)
					return false;
				t->k = R_WITHIN;
				specs(t, ch + i + 1, j - (i + 1));
				i = j + 1;
			} else {
				return false;
			}
		} else {
			t->k = R_CHAR;
			t->c = ch[i++];
		}
		p->nt++;
	}
	return true;
}

enum mres { MATCH, SUB_NO, ENTIRE_NO };

static bool in_specs(const struct rtok *t, uint32_t c)
{
	for (size_t i = 0; i < t->nspec; i++)
		if (t->lo[i] <= c && c <= t->hi[i])
			return true;
	return false;
}

static enum mres rmatch_from(const struct rpat *p, bool follows_sep, const uint32_t *f, size_t n,
			     size_t pos, size_t i, unsigned opt)
{
	bool lsep = opt & SEP, ldot = opt & DOT;
	for (size_t ti = i; ti < p->nt; ti++) {
		const struct rtok *t = &p->t[ti];
		if (t->k == R_SEQ || t->k == R_RSEQ) {
			enum mres m = rmatch_from(p, follows_sep, f, n, pos, ti + 1, opt);
			if (m != SUB_NO)
				return m;
			while (pos < n) {
				uint32_t c = f[pos++];
				if (follows_sep && ldot && c == '.')
					return SUB_NO;
				follows_sep = c == '/';
				if (t->k == R_RSEQ && !follows_sep)
					continue;
				if (t->k == R_SEQ && lsep && follows_sep)
					return SUB_NO;
				m = rmatch_from(p, follows_sep, f, n, pos, ti + 1, opt);
				if (m != SUB_NO)
					return m;
			}
		} else {
			if (pos >= n)
				return ENTIRE_NO;
			uint32_t c = f[pos++];
			bool is_sep = c == '/', ok;
			if (t->k != R_CHAR && ((lsep && is_sep) || (follows_sep && ldot && c == '.')))
				ok = false;
			else if (t->k == R_ANY)
				ok = true;
			else if (t->k == R_WITHIN)
				ok = in_specs(t, c);
			else if (t->k == R_EXCEPT)
				ok = !in_specs(t, c);
			else
				ok = c == t->c;
			if (!ok)
				return SUB_NO;
			follows_sep = is_sep;
		}
	}
	return pos >= n ? MATCH : SUB_NO;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void random_text(char *out, const char *alphabet, unsigned maxlen)
{
	unsigned len = rnd(maxlen + 1), na = (unsigned)strlen(alphabet);
	for (unsigned i = 0; i < len; i++)
		out[i] = alphabet[rnd(na)];
	out[len] = '\0';
}

/* Thousands of random short patterns and texts over the characters that
 * matter ('.', '/', wildcards, classes): the compiled matcher agrees with
 * the crate's algorithm under all four option sets, and with the engine's
 * default matcher when no option is set. */
START_TEST(test_differential_against_crate)
{
	static const char pat_alpha[] = "ab./*?[]!-";
	static const char txt_alpha[] = "ab./";
	char pat[16], txt[16];
	unsigned compared = 0;

	for (int round = 0; round < 4000; round++) {
		struct rpat rp;
		random_text(pat, pat_alpha, 9);
		bool valid = rcompile(pat, &rp);
		ck_assert_msg(valid == (cg_glob_validate(pat, NULL, NULL) == 0),
			      "\"%s\": validity differs", pat);
		if (!valid)
			continue;
		cg_glob *g[4];
		for (unsigned f = 0; f < 4; f++)
			ck_assert_int_eq(cg_glob_new(pat, f, &g[f], NULL, NULL), 0);
		for (int k = 0; k < 40; k++) {
			uint32_t cps[16];
			random_text(txt, txt_alpha, 10);
			size_t n = to_cps(txt, cps);
			for (unsigned f = 0; f < 4; f++) {
				int want = rmatch_from(&rp, true, cps, n, 0, 0, f) == MATCH;
				ck_assert_msg(cg_glob_matches(g[f], txt) == want,
					      "\"%s\" (flags %u) vs \"%s\": crate %d", pat, f, txt, want);
				compared++;
			}
			ck_assert_msg(cg_glob_matches(g[0], txt) == (int)cg_glob_match(pat, txt),
				      "\"%s\" vs \"%s\": default matcher differs", pat, txt);
		}
		for (unsigned f = 0; f < 4; f++)
			cg_glob_free(g[f]);
	}
	ck_assert_uint_gt(compared, 100000);
}
END_TEST

/* Long patterns (tokens around the 64 that one machine word holds, so
 * both automata run) with non-ASCII characters and texts mostly built to
 * match them, then sometimes changed in one place: the compiled matcher
 * and its literal prefilters (suffix, infix) against the crate. */
static void emit(char *buf, size_t *o, const char *s)
{
	size_t n = strlen(s);
	memcpy(buf + *o, s, n);
	*o += n;
	buf[*o] = '\0';
}

START_TEST(test_differential_long)
{
	static const char *const lits[] = {"a", "b", ".", "/", "\xc3\xa9", "a", "b"};
	static const char *const any[] = {"a", "b", ".", "\xc3\xa9"};
	static const char *const free_chars[] = {"a", "b", ".", "/", "\xc3\xa9"};
	char pat[1024], txt[2048];
	uint32_t cps[2048];
	unsigned compared = 0, matched = 0, words[2] = {0, 0};

	for (int round = 0; round < 3000; round++) {
		size_t ntok = 52 + rnd(24), po = 0, to = 0;
		unsigned stars = 0;
		bool prev_star = false, prev_slash = true;
		pat[0] = txt[0] = '\0';
		for (size_t i = 0; i < ntok; i++) {
			unsigned r = i == 0 ? rnd(5) : rnd(24);
			if (r == 0 && prev_slash && stars < 3) {
				emit(pat, &po, "**/");
				for (unsigned k = rnd(3); k > 0; k--)
					emit(txt, &to, rnd(4) ? "ab/" : "\xc3\xa9/");
				stars++;
				prev_star = false; /* "**" + "/" then "*" is valid */
				prev_slash = true;
				continue;
			}
			if (r <= 1 && !prev_star && stars < 3) {
				emit(pat, &po, "*");
				for (unsigned k = rnd(4); k > 0; k--)
					emit(txt, &to, free_chars[rnd(5)]);
				stars++;
				prev_star = true;
				prev_slash = false;
				continue;
			}
			prev_star = false;
			prev_slash = false;
			if (r == 2 || (i == 0 && r <= 1)) {
				emit(pat, &po, "?");
				emit(txt, &to, any[rnd(4)]);
			} else if (r == 3) {
				emit(pat, &po, "[a-b]");
				emit(txt, &to, rnd(2) ? "a" : "b");
			} else if (r == 4) {
				emit(pat, &po, "[!a]");
				emit(txt, &to, any[1 + rnd(3)]);
			} else {
				const char *l = lits[rnd(7)];
				emit(pat, &po, l);
				emit(txt, &to, l);
				prev_slash = *l == '/';
			}
		}
		struct rpat rp;
		ck_assert_msg(rcompile(pat, &rp), "\"%s\": the reference refuses it", pat);
		ck_assert_msg(cg_glob_validate(pat, NULL, NULL) == 0, "\"%s\": refused", pat);
		/* Half the texts changed at one ASCII byte. */
		if (to && rnd(2)) {
			size_t at = rnd((unsigned)to);
			if ((unsigned char)txt[at] < 0x80)
				txt[at] = "ab./"[rnd(4)];
		}
		size_t n = to_cps(txt, cps);
		words[rp.nt >= 64]++;
		for (unsigned f = 0; f < 4; f++) {
			cg_glob *g;
			ck_assert_int_eq(cg_glob_new(pat, f, &g, NULL, NULL), 0);
			int want = rmatch_from(&rp, true, cps, n, 0, 0, f) == MATCH;
			ck_assert_msg(cg_glob_matches(g, txt) == want, "\"%s\" (flags %u) vs \"%s\": crate %d",
				      pat, f, txt, want);
			matched += (unsigned)want;
			compared++;
			cg_glob_free(g);
		}
	}
	/* Both sides of the boundary, and matches as well as misses. */
	ck_assert_uint_gt(words[0], 100);
	ck_assert_uint_gt(words[1], 100);
	ck_assert_uint_gt(matched, compared / 10);
	ck_assert_uint_lt(matched, compared - compared / 10);
}
END_TEST

/* cg_glob_same_below: the places a directory may be moved between without
 * changing what a pattern (a deny entry) says of its contents. */
START_TEST(test_same_below)
{
	static const struct {
		const char *pat, *a, *b;
		int want;
	} v[] = {
		{"/A/secret/**", "/A/secret", "/A/public", 0},
		{"/A/secret/**", "/A/x", "/A/y/z", 1},     /* neither is matched */
		{"/A/*/secret", "/A/a", "/A/c/d", 0},
		{"/A/*/secret", "/A/a", "/A/b", 1},
		{"**/.env", "/x/a", "/y/b/c", 1},          /* anywhere alike */
		{"/H/.ssh/**", "/H/docs", "/H/x", 1},
		{"/H/.ssh/**", "/H/.ssh", "/H/x", 0},
		{"/H/.ssh/**", "/H", "/G", 0},             /* "/H/" is inside the prefix */
		{"/H/.ssh/**", "/G", "/F", 1},
		{"/a/b*", "/a", "/a", 1},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cg_glob *g;
		ck_assert_int_eq(cg_glob_new(v[i].pat, PATHF, &g, NULL, NULL), 0);
		ck_assert_msg(cg_glob_same_below(g, v[i].a, v[i].b) == v[i].want, "\"%s\": \"%s\" vs \"%s\"",
			      v[i].pat, v[i].a, v[i].b);
		cg_glob_free(g);
	}
	ck_assert_int_eq(cg_glob_same_below(NULL, "/a", "/a"), 0);

	/* Sound: whenever it says 1, random texts below both places match
	 * alike. */
	static const char pat_alpha[] = "ab./*?[]";
	char pat[16], a[12], b[12], sfx[12], ta[32], tb[32];
	unsigned said_same = 0;
	for (int round = 0; round < 3000; round++) {
		cg_glob *g;
		random_text(pat, pat_alpha, 9);
		if (cg_glob_new(pat, (unsigned)round & PATHF, &g, NULL, NULL) != 0)
			continue;
		for (int k = 0; k < 20; k++) {
			random_text(a, "ab./", 5);
			random_text(b, "ab./", 5);
			if (!cg_glob_same_below(g, a, b))
				continue;
			said_same++;
			for (int m = 0; m < 10; m++) {
				random_text(sfx, "ab./", 6);
				snprintf(ta, sizeof(ta), "%s/%s", a, sfx);
				snprintf(tb, sizeof(tb), "%s/%s", b, sfx);
				ck_assert_msg(cg_glob_matches(g, ta) == cg_glob_matches(g, tb),
					      "\"%s\": same below \"%s\" and \"%s\", yet \"%s\" and \"%s\" differ",
					      pat, a, b, ta, tb);
			}
		}
		cg_glob_free(g);
	}
	ck_assert_uint_gt(said_same, 1000);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("globpath");
	TCase *tc = tcase_create("options");
	tcase_add_test(tc, test_literal_separator);
	tcase_add_test(tc, test_literal_leading_dot);
	tcase_add_test(tc, test_recursive_quirks);
	tcase_add_test(tc, test_escape_and_utf8);
	tcase_add_test(tc, test_literal_prefix);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("complexity");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_hostile_patterns_finish);
	tcase_add_test(tc, test_differential_against_crate);
	tcase_add_test(tc, test_differential_long);
	tcase_add_test(tc, test_same_below);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
