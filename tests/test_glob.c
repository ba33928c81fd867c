/* Unit tests for engine/base/glob.c: Rust `glob` crate semantics as Tauri uses
 * them for window/webview labels and event names. Many cases are the
 * crate's own tests, so a divergence from Tauri shows up here. */
#include "base/internal.h"
#include "base/glob.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

struct match_case {
	const char *pat;
	const char *str;
	bool want;
};

static void check_cases(const struct match_case *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t off = 0;
		const char *msg = NULL;
		ck_assert_msg(cg_glob_validate(v[i].pat, &off, &msg) == 0,
			      "pattern \"%s\" rejected at %zu: %s", v[i].pat, off,
			      msg ? msg : "?");
		ck_assert_msg(cg_glob_match(v[i].pat, v[i].str) == v[i].want,
			      "\"%s\" vs \"%s\": expected %s", v[i].pat, v[i].str,
			      v[i].want ? "match" : "no match");
	}
}

#define CHECK_CASES(v) check_cases(v, sizeof(v) / sizeof(v[0]))

START_TEST(test_literal_whole_string)
{
	static const struct match_case v[] = {
		{"main", "main", true},
		{"main", "main2", false},
		{"main", "xmain", false},
		{"main", "mai", false},
		{"main", "", false},
		{"Main", "main", false}, /* case-sensitive */
		{"", "", true},
		{"", "a", false},
		{"a]b", "a]b", true},    /* ']' alone is literal */
		{"a!b", "a!b", true},
		{"é", "é", true},
		{"é", "e", false},
	};
	CHECK_CASES(v);
}
END_TEST

START_TEST(test_star)
{
	static const struct match_case v[] = {
		{"*", "", true},
		{"*", "anything", true},
		{"*", "a/b/c", true}, /* '*' crosses '/' by default */
		{"editor-*", "editor-1", true},
		{"editor-*", "editor-", true},
		{"editor-*", "editor", false},
		{"editor-*", "xeditor-1", false},
		{"*-main", "a-b-main", true},
		{"*-main", "a-main-x", false},
		{"tauri://*", "tauri://close-requested", true},
		{"tauri://*", "tauri:/x", false},
		{"a*b", "a_b", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "abcd", false},
		{"a*b*c", "a_b_c", true},
		{"a*b*c", "a___b___c", true},
		{"abc*abc*abc", "abcabcabcabcabcabcabc", true},
		{"abc*abc*abc", "abcabcabcabcabcabcabca", false},
		{"a*a*a*a*a*a*a*a*a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true},
		{"a*b[xyz]c*d", "abxcdbxcddd", true},
		{"*hello.txt", "hello.txt", true},
		{"*hello.txt", "gareth_says_hello.txt", true},
		{"*hello.txt", "some/path/to/hello.txt", true},
		{"*hello.txt", "hello.txt-and-then-some", false},
		{"*hello.txt", "goodbye.txt", false},
		{"*é", "aé", true},
	};
	CHECK_CASES(v);
}
END_TEST

START_TEST(test_question_mark)
{
	static const struct match_case v[] = {
		{"?", "a", true},
		{"?", "", false},
		{"?", "ab", false},
		{"?", "é", true},         /* one code point, two bytes */
		{"?", "\xf0\x9f\x98\x80", true}, /* four bytes */
		{"??", "é", false},
		{"c?t", "cat", true},
		{"c?t", "c/t", true},     /* '?' matches '/' by default */
		{"c?t", "ct", false},
		{"win-?", "win-1", true},
		{"win-?", "win-12", false},
	};
	CHECK_CASES(v);
}
END_TEST

START_TEST(test_classes)
{
	static const struct match_case v[] = {
		{"a[0-9]b", "a5b", true},
		{"a[0-9]b", "a_b", false},
		{"a[!0-9]b", "a5b", false},
		{"a[!0-9]b", "a_b", true},
		{"[abc]", "b", true},
		{"[abc]", "d", false},
		{"[abc]", "B", false},
		{"[a-z123]", "q", true},
		{"[1a-z23]", "2", true},
		{"[123a-z]", "z", true},
		{"[123a-z]", "4", false},
		{"[abc-]", "-", true},
		{"[-abc]", "-", true},
		{"[a-c-]", "-", true},
		{"[a-c-]", "d", false},
		{"[-]", "-", true},
		{"[!-]", "-", false},
		{"[2-1]", "1", false},    /* reversed range matches nothing */
		{"[2-1]", "2", false},
		{"[--0]", ".", true},     /* range from '-' to '0' */
		{"[]]", "]", true},       /* ']' first is a member */
		{"[]a]", "a", true},
		{"[]a]", "]", true},
		{"[!]]", "]", false},
		{"[!]]", "a", true},
		{"[^a]", "^", true},      /* '^' does not negate */
		{"[^a]", "a", true},
		{"[^a]", "b", false},
		{"[!a]", "b", true},
		{"[!a]", "a", false},
		{"[!a]", "", false},
		{"[*]", "*", true},
		{"[*]", "x", false},
		{"[?]", "?", true},
		{"[?]", "x", false},
		{"[**]", "*", true},      /* stars in a class are members */
		{"[[]", "[", true},
		{"[é]", "é", true},
		{"[!é]", "é", false},
		{"[à-ü]", "é", true},
		{"[à-ü]", "e", false},
		{"[!a]", "é", true},      /* a whole code point */
	};
	CHECK_CASES(v);
}
END_TEST

START_TEST(test_no_backslash_escape)
{
	static const struct match_case v[] = {
		{"a\\*", "a\\xyz", true},
		{"a\\*", "a*", false},
		{"\\?", "\\x", true},
		{"\\?", "?", false},
		{"a\\[b]", "a\\b", true},
	};
	CHECK_CASES(v);
}
END_TEST

START_TEST(test_recursive_wildcard)
{
	static const struct match_case v[] = {
		{"**", "", true},
		{"**", "abcde", true},
		{"**", ".asdf", true},
		{"**", "/x/.asdf", true},
		{"some/**/needle.txt", "some/needle.txt", true},
		{"some/**/needle.txt", "some/one/needle.txt", true},
		{"some/**/needle.txt", "some/one/two/needle.txt", true},
		{"some/**/needle.txt", "some/other/notthis.txt", false},
		{"some/**/**/needle.txt", "some/needle.txt", true},
		{"some/**/**/needle.txt", "some/one/two/needle.txt", true},
		{"some/**/**/needle.txt", "some/other/notthis.txt", false},
		{"**/test", "one/two/test", true},
		{"**/test", "one/test", true},
		{"**/test", "test", true},
		{"**/test", "xtest", false}, /* resumes only after a '/' */
		{"/**/test", "/one/two/test", true},
		{"/**/test", "/test", true},
		{"/**/test", "/one/notthis", false},
		{"/**/test", "/notthis", false},
		{"**/.*", ".abc", true},
		{"**/.*", "abc/.abc", true},
		{"**/.*", "ab.c", false},
		{"**/.*", "abc/ab.c", false},
		{"a/**", "a/", true},
		{"a/**", "a/x/y", true},
		{"a/**", "a", false},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/xb", false},
		{"*/**/b", "x/y/z/b", true},
		{"a/**/*.txt", "a/b/c.txt", true},
		{"a/**/*.txt", "a/c.txt", true},
	};
	CHECK_CASES(v);
}
END_TEST

struct error_case {
	const char *pat;
	size_t off;
	const char *msg;
};

static const char WILD[] = "wildcards are either regular `*` or recursive `**`";
static const char REC[] = "recursive wildcards must form a single path component";
static const char RANGE[] = "invalid range pattern";

START_TEST(test_errors_match_crate)
{
	/* Positions from the crate's test suite (ASCII, so byte offsets). */
	static const struct error_case v[] = {
		{"a/**b", 4, REC},
		{"a/bc**", 3, REC},
		{"a/*****", 4, WILD},
		{"a/b**c**d", 2, REC},
		{"a**b", 0, REC},
		{"a**", 0, REC},
		{"**b", 2, REC},
		{"***", 2, WILD},
		{"a/***/b", 4, WILD},
		{"[ab]**", 3, REC},
		{"abc[def", 3, RANGE},
		{"abc[!def", 3, RANGE},
		{"abc[", 3, RANGE},
		{"abc[!", 3, RANGE},
		{"abc[d", 3, RANGE},
		{"abc[!d", 3, RANGE},
		{"abc[]", 3, RANGE},
		{"abc[!]", 3, RANGE},
		{"[", 0, RANGE},
		{"ok[a-z]then[", 11, RANGE},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t off = 999;
		const char *msg = NULL;
		ck_assert_msg(cg_glob_validate(v[i].pat, &off, &msg) == CG_EPATTERN,
			      "\"%s\" accepted", v[i].pat);
		ck_assert_msg(off == v[i].off, "\"%s\": offset %zu, want %zu",
			      v[i].pat, off, v[i].off);
		ck_assert_str_eq(msg, v[i].msg);
		/* An invalid pattern never matches, not even itself. */
		ck_assert(!cg_glob_match(v[i].pat, v[i].pat));
	}
}
END_TEST

START_TEST(test_error_offsets_are_bytes)
{
	size_t off = 0;
	const char *msg = NULL;

	ck_assert_int_eq(cg_glob_validate("xé**", &off, &msg), CG_EPATTERN);
	ck_assert_uint_eq(off, 1); /* start of the 'é' before "**" */
	ck_assert_str_eq(msg, REC);
	ck_assert_int_eq(cg_glob_validate("é**", &off, &msg), CG_EPATTERN);
	ck_assert_uint_eq(off, 0);
	ck_assert_int_eq(cg_glob_validate("é[", &off, &msg), CG_EPATTERN);
	ck_assert_uint_eq(off, 2);
	ck_assert_str_eq(msg, RANGE);
	ck_assert_int_eq(cg_glob_validate("éé/**x", &off, &msg), CG_EPATTERN);
	ck_assert_uint_eq(off, 7);
}
END_TEST

START_TEST(test_valid_patterns)
{
	static const char *const v[] = {
		"", "*", "**", "**/", "/**", "a/**", "**/a", "a/**/b",
		"a/**/**/b", "**/**", "[]]", "[!]]", "[a-]", "[!a-z]", "?*?",
		"[**]", "tauri://*", "main-[0-9]*", "\\", "a]", "^", "é?",
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t off = 999;
		const char *msg = "unset";
		ck_assert_msg(cg_glob_validate(v[i], &off, &msg) == 0,
			      "\"%s\" rejected: %s", v[i], msg);
		/* Out parameters are left alone on success. */
		ck_assert_uint_eq(off, 999);
		ck_assert_str_eq(msg, "unset");
	}
	/* The out pointers are optional. */
	ck_assert_int_eq(cg_glob_validate("a**", NULL, NULL), CG_EPATTERN);
	ck_assert_int_eq(cg_glob_validate("a*", NULL, NULL), 0);
}
END_TEST

START_TEST(test_invalid_utf8_pattern)
{
	static const struct {
		const char *pat;
		size_t off;
	} v[] = {
		{"ab\xff", 2},
		{"\xc3", 0},               /* truncated */
		{"a\xc3(", 1},             /* bad continuation */
		{"\xc0\xaf", 0},           /* overlong '/' */
		{"x\xed\xa0\x80", 1},      /* surrogate */
		{"\xf4\x90\x80\x80", 0},   /* above U+10FFFF */
		{"[a\xff]", 2},
		{"é\x80", 2},              /* stray continuation byte */
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t off = 999;
		const char *msg = NULL;
		ck_assert_int_eq(cg_glob_validate(v[i].pat, &off, &msg), CG_EPATTERN);
		ck_assert_msg(off == v[i].off, "case %zu: offset %zu, want %zu",
			      i, off, v[i].off);
		ck_assert_str_eq(msg, "invalid UTF-8");
		ck_assert(!cg_glob_match(v[i].pat, v[i].pat));
		ck_assert(!cg_glob_match(v[i].pat, "ab"));
	}
}
END_TEST

START_TEST(test_invalid_utf8_subject)
{
	static const struct match_case v[] = {
		{"?", "\xff", true},       /* one byte is one character */
		{"?", "\xc3", true},
		{"??", "\xc3x", true},
		{"a?c", "a\xff" "c", true},
		{"*", "\xff\xfe", true},
		{"*x", "\xff\xfex", true},
		{"[!a]", "\xff", true},
		{"[a-z]", "\xff", false},
		{"[\xc3\xbf]", "\xff", false}, /* U+00FF is not byte 0xFF */
		{"\xc3\xbf", "\xff", false},
		{"é", "\xc3", false},
	};
	CHECK_CASES(v);
}
END_TEST

START_TEST(test_null_args)
{
	size_t off = 999;
	const char *msg = NULL;

	ck_assert(!cg_glob_match(NULL, "a"));
	ck_assert(!cg_glob_match("a", NULL));
	ck_assert(!cg_glob_match(NULL, NULL));
	ck_assert(!cg_glob_match("*", NULL));
	ck_assert_int_eq(cg_glob_validate(NULL, &off, &msg), CG_EPATTERN);
	ck_assert_ptr_nonnull(msg);
	ck_assert(!cg_glob_is_literal(NULL));
}
END_TEST

START_TEST(test_is_literal)
{
	ck_assert(cg_glob_is_literal("main"));
	ck_assert(cg_glob_is_literal(""));
	ck_assert(cg_glob_is_literal("a]b"));
	ck_assert(cg_glob_is_literal("a\\b"));
	ck_assert(cg_glob_is_literal("a!b^c-d/e"));
	ck_assert(!cg_glob_is_literal("a*"));
	ck_assert(!cg_glob_is_literal("a?"));
	ck_assert(!cg_glob_is_literal("a[b]"));
	ck_assert(!cg_glob_is_literal("**"));
}
END_TEST

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

START_TEST(test_pathological_patterns_finish)
{
	char *as = repeat('a', 10000);

	/* Exponential with naive recursion; quick with one backtrack point. */
	ck_assert(!cg_glob_match("*a*a*a*a*a*a*a*b", as));
	ck_assert(cg_glob_match("*a*a*a*a*a*a*a*a", as));
	ck_assert(!cg_glob_match("**/*a*a*a*a*a*a*a*b", as));
	ck_assert(!cg_glob_match("*?*?*?*?*?*?*?*?*b", as));
	ck_assert(cg_glob_match("*[a]*[!b]*a", as));

	/* A long path for the recursive wildcard. */
	char *slashes = repeat('/', 10000);
	ck_assert(!cg_glob_match("**/x", slashes));
	ck_assert(cg_glob_match("**/", slashes));
	free(slashes);

	char *stars = malloc(2 * 5000 + 2);
	ck_assert_ptr_nonnull(stars);
	for (size_t i = 0; i < 5000; i++) {
		stars[2 * i] = '*';
		stars[2 * i + 1] = 'a';
	}
	stars[10000] = 'b';
	stars[10001] = '\0';
	ck_assert(!cg_glob_match(stars, as));
	free(stars);
	free(as);
}
END_TEST

static Suite *glob_suite(void)
{
	Suite *s = suite_create("glob");
	TCase *tc = tcase_create("match");
	tcase_add_test(tc, test_literal_whole_string);
	tcase_add_test(tc, test_star);
	tcase_add_test(tc, test_question_mark);
	tcase_add_test(tc, test_classes);
	tcase_add_test(tc, test_no_backslash_escape);
	tcase_add_test(tc, test_recursive_wildcard);
	tcase_add_test(tc, test_invalid_utf8_subject);
	tcase_add_test(tc, test_null_args);
	tcase_add_test(tc, test_is_literal);
	suite_add_tcase(s, tc);

	tc = tcase_create("validate");
	tcase_add_test(tc, test_errors_match_crate);
	tcase_add_test(tc, test_error_offsets_are_bytes);
	tcase_add_test(tc, test_valid_patterns);
	tcase_add_test(tc, test_invalid_utf8_pattern);
	suite_add_tcase(s, tc);

	tc = tcase_create("complexity");
	/* Generous: valgrind runs are slow; no timing is asserted. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_pathological_patterns_finish);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(glob_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
