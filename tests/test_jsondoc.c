/*
 * Unit tests for engine/base/jsondoc.c: strict loading, limits, diagnostics
 * (code, line:column, pointer, message, hint) and value positions.
 */
#include "base/jsondoc.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STRICT_HINT \
	"capgate reads strict JSON (RFC 8259): no comments, trailing commas or unquoted keys"

/* ------------------------------------------------------------ helpers */

static cg_jsondoc *load_ok_len(const char *text, size_t len,
			       const cg_json_limits *lim)
{
	cg_diag *d = cg_diag_new();
	cg_jsondoc *doc = NULL;
	ck_assert_ptr_nonnull(d);
	int rc = cg_jsondoc_load_mem("t.json", text, len, lim, &doc, d);
	if (rc != 0 || cg_diag_count(d) != 0) {
		char *f = cg_diag_count(d) ? cg_diag_format(d, 0) : NULL;
		ck_abort_msg("load of [%.60s] failed: rc %d: %s", text, rc,
			     f ? f : "(no diagnostic)");
	}
	ck_assert_ptr_nonnull(doc);
	cg_diag_free(d);
	return doc;
}

static cg_jsondoc *load_ok(const char *text)
{
	return load_ok_len(text, strlen(text), NULL);
}

/*
 * Loads text and checks that exactly one diagnostic comes out with this
 * code, position, pointer (NULL: no pointer), message part and hint part
 * (NULL: not checked).
 */
static void expect_err_at(int at, const char *text, size_t len,
			  const cg_json_limits *lim, int code, unsigned line,
			  unsigned col, const char *pointer, const char *msg,
			  const char *hint)
{
	cg_diag *d = cg_diag_new();
	cg_jsondoc *doc = (cg_jsondoc *)&doc; /* must be reset to NULL */
	int rc = cg_jsondoc_load_mem("t.json", text, len, lim, &doc, d);
	ck_assert_msg(rc == code, "line %d: rc %d, expected %d", at, rc, code);
	ck_assert_msg(doc == NULL, "line %d: *out not NULL on error", at);
	ck_assert_msg(cg_diag_count(d) == 1, "line %d: %zu diagnostics", at,
		      cg_diag_count(d));
	ck_assert_msg(cg_diag_error_count(d) == 1, "line %d: error count", at);
	ck_assert_int_eq(cg_diag_severity(d, 0), CG_SEV_ERROR);
	ck_assert_int_eq(cg_diag_code(d, 0), code);
	ck_assert_str_eq(cg_diag_file(d, 0), "t.json");
	const char *m = cg_diag_message(d, 0);
	ck_assert_msg(cg_diag_line(d, 0) == line && cg_diag_column(d, 0) == col,
		      "line %d: at %u:%u, expected %u:%u (%s)", at,
		      cg_diag_line(d, 0), cg_diag_column(d, 0), line, col, m);
	const char *p = cg_diag_pointer(d, 0);
	if (pointer)
		ck_assert_msg(p && !strcmp(p, pointer),
			      "line %d: pointer '%s', expected '%s' (%s)", at,
			      p ? p : "(null)", pointer, m);
	else
		ck_assert_msg(p == NULL, "line %d: pointer '%s', expected none",
			      at, p);
	ck_assert_msg(strstr(m, msg), "line %d: message '%s' lacks '%s'", at, m,
		      msg);
	const char *h = cg_diag_hint(d, 0);
	ck_assert_msg(h && *h, "line %d: no hint for '%s'", at, m);
	if (hint)
		ck_assert_msg(strstr(h, hint), "line %d: hint '%s' lacks '%s'",
			      at, h, hint);
	cg_diag_free(d);
}

#define EXPECT_ERR(text, code, line, col, ptr, msg, hint)                    \
	expect_err_at(__LINE__, text, strlen(text), NULL, code, line, col, ptr, \
		      msg, hint)
#define EXPECT_ERR_LEN(text, len, code, line, col, ptr, msg, hint)           \
	expect_err_at(__LINE__, text, len, NULL, code, line, col, ptr, msg,  \
		      hint)
#define EXPECT_ERR_LIM(text, lim, code, line, col, ptr, msg, hint)           \
	expect_err_at(__LINE__, text, strlen(text), lim, code, line, col, ptr, \
		      msg, hint)

static void expect_at(int at, const cg_jsondoc *doc, const char *ptr,
		      unsigned line, unsigned col)
{
	unsigned l = 0, c = 0;
	ck_assert_msg(cg_jsondoc_locate(doc, ptr, &l, &c),
		      "line %d: '%s' not found", at, ptr);
	ck_assert_msg(l == line && c == col,
		      "line %d: '%s' at %u:%u, expected %u:%u", at, ptr, l, c,
		      line, col);
}
#define EXPECT_AT(doc, ptr, line, col) expect_at(__LINE__, doc, ptr, line, col)

static void expect_missing(int at, const cg_jsondoc *doc, const char *ptr)
{
	unsigned l = 77, c = 77;
	ck_assert_msg(!cg_jsondoc_locate(doc, ptr, &l, &c),
		      "line %d: '%s' found at %u:%u", at, ptr, l, c);
}
#define EXPECT_MISSING(doc, ptr) expect_missing(__LINE__, doc, ptr)

/* malloc'd text: prefix, then open repeated n times, middle, close n times. */
static char *nested(const char *prefix, const char *open, size_t n,
		    const char *middle, const char *close)
{
	size_t lp = strlen(prefix), lo = strlen(open), lm = strlen(middle),
	       lc = strlen(close);
	char *s = malloc(lp + n * (lo + lc) + lm + 1), *p = s;
	ck_assert_ptr_nonnull(s);
	memcpy(p, prefix, lp);
	p += lp;
	for (size_t i = 0; i < n; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, middle, lm);
	p += lm;
	for (size_t i = 0; i < n; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

/* "/tok/tok/..." n times. */
static char *repeat_pointer(const char *tok, size_t n)
{
	size_t lt = strlen(tok);
	char *s = malloc(n * (lt + 1) + 1), *p = s;
	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++) {
		*p++ = '/';
		memcpy(p, tok, lt);
		p += lt;
	}
	*p = '\0';
	return s;
}

static char *make_tmpdir(void)
{
	char *dir = strdup("/tmp/cg-jsondoc-XXXXXX");
	ck_assert_ptr_nonnull(dir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static char *write_file(const char *dir, const char *name, const char *data,
			size_t len)
{
	char *path = NULL;
	ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Bytes this process has read through read() and friends so far. */
static unsigned long long bytes_read(void)
{
	unsigned long long v = 0;
	char line[128];
	FILE *f = fopen("/proc/self/io", "r");
	ck_assert_msg(f != NULL, "/proc/self/io: %s", strerror(errno));
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "rchar: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* ------------------------------------------------------- valid shapes */

START_TEST(test_valid_object)
{
	cg_jsondoc *doc = load_ok("{\"identifier\": \"main\", \"windows\": [\"a\"],"
				  " \"n\": -1.5e3, \"t\": true, \"z\": null}");
	ck_assert_str_eq(doc->name, "t.json");
	ck_assert(json_object_is_type(doc->root, json_type_object));
	ck_assert_int_eq(json_object_object_length(doc->root), 5);
	json_object *v;
	ck_assert(json_object_object_get_ex(doc->root, "identifier", &v));
	ck_assert_str_eq(json_object_get_string(v), "main");
	ck_assert(json_object_object_get_ex(doc->root, "n", &v));
	ck_assert(json_object_get_double(v) == -1500.0);
	ck_assert(json_object_object_get_ex(doc->root, "z", &v));
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(doc->len, strlen(doc->text));
	cg_jsondoc_free(doc);
}
END_TEST

START_TEST(test_valid_array_and_scalars)
{
	cg_jsondoc *doc = load_ok(" \r\n[1, \"two\", [], {}, [[]], false]\r\n");
	ck_assert(json_object_is_type(doc->root, json_type_array));
	ck_assert_uint_eq(json_object_array_length(doc->root), 6);
	cg_jsondoc_free(doc);

	doc = load_ok("42");
	ck_assert_int_eq(json_object_get_int(doc->root), 42);
	cg_jsondoc_free(doc);
	doc = load_ok("\"s\\n\\u00e9\"");
	ck_assert_str_eq(json_object_get_string(doc->root), "s\n\xc3\xa9");
	cg_jsondoc_free(doc);
	doc = load_ok("true");
	ck_assert(json_object_get_boolean(doc->root));
	cg_jsondoc_free(doc);
	/* json-c represents null as NULL: the document is still valid. */
	doc = load_ok("null");
	ck_assert_ptr_null(doc->root);
	EXPECT_AT(doc, "", 1, 1);
	cg_jsondoc_free(doc);
	doc = load_ok("-0.5E-3 ");
	ck_assert(json_object_is_type(doc->root, json_type_double));
	cg_jsondoc_free(doc);
}
END_TEST

START_TEST(test_valid_strings)
{
	/* Surrogate pairs, escapes, \u0000 in a value (not a key: only where
	 * the caller allows it, as IPC does), UTF-8. */
	static const char text[] = "{\"k\": [\"\\ud83d\\ude00\", \"\xf0\x9f\x98\x80\","
				   " \"a\\u0000b\", \"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]}";
	cg_json_limits lim = {0, 0, true};
	cg_jsondoc *doc = load_ok_len(text, sizeof(text) - 1, &lim);
	json_object *a, *v;
	ck_assert(json_object_object_get_ex(doc->root, "k", &a));
	v = json_object_array_get_idx(a, 0);
	ck_assert_str_eq(json_object_get_string(v), "\xf0\x9f\x98\x80");
	v = json_object_array_get_idx(a, 1);
	ck_assert_str_eq(json_object_get_string(v), "\xf0\x9f\x98\x80");
	v = json_object_array_get_idx(a, 2);
	ck_assert_int_eq(json_object_get_string_len(v), 3);
	ck_assert(memcmp(json_object_get_string(v), "a\0b", 3) == 0);
	v = json_object_array_get_idx(a, 3);
	ck_assert_str_eq(json_object_get_string(v), "\"\\/\b\f\n\r\t");
	cg_jsondoc_free(doc);
}
END_TEST

START_TEST(test_not_nul_terminated)
{
	/* Only len bytes count: "[1]xyz" cut at 3 is "[1]". */
	const char buf[] = { '[', '1', ']', 'x', 'y', 'z' };
	cg_jsondoc *doc = load_ok_len(buf, 3, NULL);
	ck_assert_uint_eq(json_object_array_length(doc->root), 1);
	ck_assert_uint_eq(doc->len, 3);
	ck_assert_str_eq(doc->text, "[1]");
	cg_jsondoc_free(doc);
	/* A top-level number that ends exactly at len. */
	doc = load_ok_len("1234", 2, NULL);
	ck_assert_int_eq(json_object_get_int(doc->root), 12);
	cg_jsondoc_free(doc);
}
END_TEST

START_TEST(test_bad_arguments)
{
	cg_diag *d = cg_diag_new();
	cg_jsondoc *doc = NULL;
	ck_assert_int_eq(cg_jsondoc_load_mem("x", "{}", 2, NULL, NULL, d), CG_EINVAL);
	ck_assert_int_eq(cg_jsondoc_load_mem("x", NULL, 2, NULL, &doc, d), CG_EINVAL);
	ck_assert_ptr_null(doc);
	ck_assert_int_eq(cg_jsondoc_load_file(NULL, NULL, &doc, d), CG_EINVAL);
	ck_assert_uint_eq(cg_diag_error_count(d), 3);
	/* A NULL name gets a placeholder; a NULL diag list is fine. */
	ck_assert_int_eq(cg_jsondoc_load_mem(NULL, "[", 1, NULL, &doc, NULL), CG_EPARSE);
	ck_assert_int_eq(cg_jsondoc_load_mem(NULL, "[]", 2, NULL, &doc, NULL), 0);
	ck_assert_str_eq(doc->name, "<memory>");
	cg_jsondoc_free(doc);
	cg_jsondoc_free(NULL);
	cg_diag_free(d);
}
END_TEST

/* ------------------------------------------------------- syntax errors */

START_TEST(test_trailing_commas)
{
	EXPECT_ERR("{\"a\":1,}", CG_EPARSE, 1, 8, "",
		   "trailing comma before '}'",
		   STRICT_HINT);
	EXPECT_ERR("{\"permissions\": [\"a\", \"b\",]}", CG_EPARSE, 1, 27,
		   "/permissions", "trailing comma before ']'", STRICT_HINT);
	EXPECT_ERR("{\n  \"a\": 1,\n  \"b\": 2,\n}\n", CG_EPARSE, 4, 1, "",
		   "trailing comma", STRICT_HINT);
	EXPECT_ERR("[1,,2]", CG_EPARSE, 1, 4, "", "missing value before ','",
		   "remove the extra ','");
}
END_TEST

START_TEST(test_comments)
{
	EXPECT_ERR("{\n  // note\n  \"a\": 1\n}", CG_EPARSE, 2, 3, "",
		   "comments are not allowed", STRICT_HINT);
	EXPECT_ERR("/* c */ {}", CG_EPARSE, 1, 1, "",
		   "comments are not allowed", STRICT_HINT);
	EXPECT_ERR("{\"a\": [1, /* x */ 2]}", CG_EPARSE, 1, 11, "/a",
		   "comments are not allowed", STRICT_HINT);
	/* After the value: still a comment, not just "trailing data". */
	EXPECT_ERR("{}\n// end\n", CG_EPARSE, 2, 1, NULL,
		   "comments are not allowed", STRICT_HINT);
}
END_TEST

START_TEST(test_unquoted_and_single_quoted)
{
	/* JSON5 identifier key; the tab before it counts as one column. */
	EXPECT_ERR("{\n\tidentifier: \"main\"\n}", CG_EPARSE, 2, 2, "",
		   "unquoted keys are JSON5", STRICT_HINT);
	/* json-c 0.16 accepts a single-quoted key even in strict mode. */
	EXPECT_ERR("{'a': 1}", CG_EPARSE, 1, 2, "",
		   "keys must be in double quotes, not single quotes",
		   "double quotes");
	EXPECT_ERR("{\"a\": 'x'}", CG_EPARSE, 1, 7, "/a",
		   "double quotes, not single quotes", "double quotes");
	EXPECT_ERR("[bare]", CG_EPARSE, 1, 2, "/0", "unexpected 'b'",
		   "double quotes");
	EXPECT_ERR("{\"a\": yes}", CG_EPARSE, 1, 7, "/a", "unexpected 'y'",
		   "double quotes");
}
END_TEST

START_TEST(test_separators)
{
	EXPECT_ERR("{\"a\": 1 \"b\": 2}", CG_EPARSE, 1, 9, "",
		   "expected ',' or '}' after an object member, found '\"'",
		   "is a ',' missing?");
	EXPECT_ERR("[1 2]", CG_EPARSE, 1, 4, "",
		   "expected ',' or ']' after an array element, found '2'",
		   "is a ',' missing?");
	EXPECT_ERR("{\"a\" 1}", CG_EPARSE, 1, 6, "",
		   "expected ':' after the key \"a\", found '1'",
		   "\"key\": value");
	EXPECT_ERR("{\"a\": }", CG_EPARSE, 1, 7, "/a", "missing value after ':'",
		   NULL);
	EXPECT_ERR("{\"a\": [1}", CG_EPARSE, 1, 9, "/a",
		   "'}' does not match the '[' at line 1, column 7", "close every");
	EXPECT_ERR("[{\"a\": 1]", CG_EPARSE, 1, 9, "/0",
		   "']' does not match the '{' at line 1, column 2", "close every");
}
END_TEST

START_TEST(test_unclosed)
{
	EXPECT_ERR("{\"a\": [1, 2", CG_EPARSE, 1, 12, "/a",
		   "unexpected end of the file: the '[' at line 1, column 7 is not closed",
		   "close every");
	EXPECT_ERR("{\n\"a\": \"abc\n", CG_EPARSE, 2, 10, "/a",
		   "line break inside a string", "\\n");
	EXPECT_ERR("{\"a\": \"abc", CG_EPARSE, 1, 11, "/a",
		   "the string that starts at line 1, column 7 is not closed",
		   "close every");
	EXPECT_ERR("[\n  {\"x\": 1},\n  {", CG_EPARSE, 3, 4, "/1",
		   "the '{' at line 3, column 3 is not closed", NULL);
}
END_TEST

START_TEST(test_bad_strings)
{
	EXPECT_ERR("[\"a\\x\"]", CG_EPARSE, 1, 4, "/0",
		   "invalid escape: backslash followed by 'x'", "\\\\");
	EXPECT_ERR("[\"\\u12G4\"]", CG_EPARSE, 1, 3, "/0",
		   "'\\u' must be followed by four hexadecimal digits", NULL);
	/* Raw control characters: json-c 0.16 accepts them, serde_json not. */
	EXPECT_ERR("[\"a\tb\"]", CG_EPARSE, 1, 4, "/0",
		   "control character U+0009 inside a string", "\\t");
	EXPECT_ERR("{\"a\": \"x\ny\"}", CG_EPARSE, 1, 9, "/a",
		   "line break inside a string", NULL);
	EXPECT_ERR("[\"\x01\"]", CG_EPARSE, 1, 3, "/0", "U+0001", "\\u00XX");
	/* Unpaired surrogates: json-c silently turns them into U+FFFD. */
	EXPECT_ERR("[\"\\ud800\"]", CG_EPARSE, 1, 3, "/0",
		   "unpaired UTF-16 surrogate \\uD800", "\\uD83D\\uDE00");
	EXPECT_ERR("[\"ok\", \"\\uDC00x\"]", CG_EPARSE, 1, 9, "/1",
		   "unpaired UTF-16 surrogate \\uDC00", NULL);
	EXPECT_ERR("[\"\\ud800\\u0041\"]", CG_EPARSE, 1, 3, "/0",
		   "unpaired UTF-16 surrogate", NULL);
	/* json-c keeps keys as C strings: "a\u0000b" would become "a". */
	EXPECT_ERR("{\"a\\u0000b\": 1}", CG_EPARSE, 1, 4, "",
		   "object key contains \\u0000", NULL);
	/* and policy and config files read values as C strings too */
	EXPECT_ERR("{\"k\": [\"ok\", \"a\\u0000b\"]}", CG_EPARSE, 1, 16, "/k/1",
		   "string contains \\u0000", NULL);
}
END_TEST

START_TEST(test_bad_numbers_and_literals)
{
	EXPECT_ERR("[NaN]", CG_EPARSE, 1, 2, "/0", "NaN and Infinity", NULL);
	EXPECT_ERR("{\"x\": -Infinity}", CG_EPARSE, 1, 7, "/x",
		   "NaN and Infinity", NULL);
	EXPECT_ERR("Infinity", CG_EPARSE, 1, 1, "", "NaN and Infinity", NULL);
	EXPECT_ERR("[1.]", CG_EPARSE, 1, 2, "/0",
		   "a digit must follow the decimal point", "leading zeros");
	EXPECT_ERR("[1, 1.e5]", CG_EPARSE, 1, 5, "/1", "decimal point", NULL);
	EXPECT_ERR("[00]", CG_EPARSE, 1, 2, "/0", "leading zeros", NULL);
	EXPECT_ERR("{\"n\": -01}", CG_EPARSE, 1, 7, "/n", "leading zeros", NULL);
	EXPECT_ERR("[01]", CG_EPARSE, 1, 2, "/0", "leading zeros", NULL);
	EXPECT_ERR("[.5]", CG_EPARSE, 1, 2, "/0",
		   "numbers must start with a digit or '-'", "leading zeros");
	EXPECT_ERR("[+1]", CG_EPARSE, 1, 2, "/0", "numbers must start", NULL);
	EXPECT_ERR("[1e+]", CG_EPARSE, 1, 2, "/0", "the exponent of a number needs digits", NULL);
	EXPECT_ERR("[0x10]", CG_EPARSE, 1, 2, "/0", "invalid number", "hexadecimal");
	EXPECT_ERR("{\"v\": 1.2.3}", CG_EPARSE, 1, 7, "/v", "invalid number", NULL);
	EXPECT_ERR("[TRUE]", CG_EPARSE, 1, 2, "/0",
		   "invalid literal (expected 'true')", "lower case");
	EXPECT_ERR("{\"a\": nul}", CG_EPARSE, 1, 7, "/a",
		   "invalid literal (expected 'null')", NULL);
}
END_TEST

START_TEST(test_trailing_data)
{
	EXPECT_ERR("{} {}", CG_EPARSE, 1, 4, NULL,
		   "unexpected '{' after the end of the JSON value",
		   "exactly one value");
	EXPECT_ERR("{}x", CG_EPARSE, 1, 3, NULL, "unexpected 'x' after the end",
		   NULL);
	EXPECT_ERR("[1]\n\n  x", CG_EPARSE, 3, 3, NULL, "after the end", NULL);
	EXPECT_ERR("1 2", CG_EPARSE, 1, 3, NULL, "unexpected '2' after the end",
		   NULL);
	EXPECT_ERR("truex", CG_EPARSE, 1, 5, NULL, "after the end", NULL);
	EXPECT_ERR("\"a\" ,", CG_EPARSE, 1, 5, NULL, "unexpected ','", NULL);
	EXPECT_ERR("{}]", CG_EPARSE, 1, 3, NULL, "unexpected ']'", NULL);
}
END_TEST

START_TEST(test_one_error_only)
{
	/* A failed parse yields one error, formatted with file:line:col. */
	cg_diag *d = cg_diag_new();
	cg_jsondoc *doc = NULL;
	const char *t = "{\n  \"a\": [1,\n  2,]\n}";
	ck_assert_int_eq(cg_jsondoc_load_mem("caps/x.json", t, strlen(t), NULL,
					     &doc, d), CG_EPARSE);
	ck_assert_uint_eq(cg_diag_count(d), 1);
	char *f = cg_diag_format(d, 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(strstr(f, "caps/x.json:3:5: error: trailing comma before ']'"),
		      "%s", f);
	ck_assert_msg(strstr(f, "(at /a)"), "%s", f);
	ck_assert_msg(strstr(f, "hint: " STRICT_HINT), "%s", f);
	free(f);
	cg_diag_free(d);
}
END_TEST

/* ------------------------------------------------------- duplicate keys */

START_TEST(test_duplicate_top)
{
	EXPECT_ERR("{\"a\": 1, \"a\": 2}", CG_EDUPLICATE, 1, 10, "/a",
		   "duplicate key \"a\" (first at line 1, column 2)",
		   "remove or rename one");
	/* The first value was an object json-c threw away. */
	EXPECT_ERR("{\n  \"a\": {\"x\": 1},\n  \"b\": 0,\n  \"a\": 2\n}",
		   CG_EDUPLICATE, 4, 3, "/a",
		   "duplicate key \"a\" (first at line 2, column 3)", NULL);
	/* Same key spelled with an escape. */
	EXPECT_ERR("{\"a\": 1, \"\\u0061\": 2}", CG_EDUPLICATE, 1, 10, "/a",
		   "duplicate key \"\\u0061\" (first at line 1, column 2)", NULL);
	/* Key needing pointer escaping. */
	EXPECT_ERR("{\"a/b~\": 1, \"a/b~\": 2}", CG_EDUPLICATE, 1, 13, "/a~1b~0",
		   "duplicate key \"a/b~\"", NULL);
	/* Not a duplicate: different keys, same key in different objects. */
	cg_jsondoc *doc = load_ok("{\"a\": {\"a\": 1}, \"b\": {\"a\": 1}, "
				  "\"A\": 0, \"a \": 0}");
	cg_jsondoc_free(doc);
}
END_TEST

START_TEST(test_duplicate_nested)
{
	const char *t = "{\n"
			"  \"list\": [\n"
			"    {\"x\": 1},\n"
			"    {\"x\": 1, \"y\": 2, \"x\": 3}\n"
			"  ]\n"
			"}\n";
	EXPECT_ERR(t, CG_EDUPLICATE, 4, 22, "/list/1/x",
		   "duplicate key \"x\" (first at line 4, column 6)", NULL);
}
END_TEST

START_TEST(test_duplicate_several)
{
	cg_diag *d = cg_diag_new();
	cg_jsondoc *doc = NULL;
	const char *t = "{\"a\":1,\"b\":2,\"a\":3,\"c\":{\"k\":[],\"k\":[]},\"b\":4}";
	ck_assert_int_eq(cg_jsondoc_load_mem("t.json", t, strlen(t), NULL, &doc, d),
			 CG_EDUPLICATE);
	ck_assert_ptr_null(doc);
	ck_assert_uint_eq(cg_diag_count(d), 3);
	/* In document order. */
	ck_assert_uint_eq(cg_diag_column(d, 0), 14);
	ck_assert_str_eq(cg_diag_pointer(d, 0), "/a");
	ck_assert_uint_eq(cg_diag_column(d, 1), 32);
	ck_assert_str_eq(cg_diag_pointer(d, 1), "/c/k");
	ck_assert_msg(strstr(cg_diag_message(d, 1), "first at line 1, column 25"),
		      "%s", cg_diag_message(d, 1));
	ck_assert_uint_eq(cg_diag_column(d, 2), 40);
	ck_assert_str_eq(cg_diag_pointer(d, 2), "/b");
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(cg_diag_code(d, i), CG_EDUPLICATE);
		ck_assert_uint_eq(cg_diag_line(d, i), 1);
	}
	cg_diag_free(d);
}
END_TEST

/* ---------------------------------------------------------------- depth */

START_TEST(test_depth_limit_exact)
{
	char *ok = nested("", "[", 64, "1", "]");
	cg_jsondoc *doc = load_ok(ok);
	char *p = repeat_pointer("0", 63);
	EXPECT_AT(doc, p, 1, 64);
	free(p);
	cg_jsondoc_free(doc);
	free(ok);

	/* 65 empty arrays: json-c alone would accept this with depth 65. */
	char *bad = nested("", "[", 65, "", "]");
	p = repeat_pointer("0", 64);
	EXPECT_ERR(bad, CG_ELIMIT, 1, 65, p, "nesting deeper than 64 levels",
		   "CG_LIMIT_JSON_DEPTH");
	free(p);
	free(bad);

	/* A small limit: 3 containers pass, 4 do not. */
	cg_json_limits lim = { .max_depth = 3 };
	cg_diag *d = cg_diag_new();
	doc = NULL;
	ck_assert_int_eq(cg_jsondoc_load_mem("t", "[[[1]]]", 7, &lim, &doc, d), 0);
	cg_jsondoc_free(doc);
	ck_assert_int_eq(cg_jsondoc_load_mem("t", "{\"a\":{\"b\":{\"c\":1}}}", 19,
					     &lim, &doc, d), 0);
	cg_jsondoc_free(doc);
	cg_diag_free(d);
	EXPECT_ERR_LIM("[[[[]]]]", &lim, CG_ELIMIT, 1, 4, "/0/0/0",
		       "nesting deeper than 3 levels", "3 levels");
	EXPECT_ERR_LIM("{\"a\":{\"b\":[{}]}}", &lim, CG_ELIMIT, 1, 12, "/a/b/0",
		       "nesting deeper than 3 levels", NULL);
}
END_TEST

START_TEST(test_depth_10000_arrays)
{
	char *t = nested("\n", "[", 10000, "", "]");
	char *p = repeat_pointer("0", 64);
	EXPECT_ERR(t, CG_ELIMIT, 2, 65, p, "nesting deeper than 64 levels", NULL);
	free(p);
	free(t);
	/* Unclosed too: the depth error still comes first. */
	t = nested("", "[", 10000, "", "");
	p = repeat_pointer("0", 64);
	EXPECT_ERR(t, CG_ELIMIT, 1, 65, p, "nesting deeper than 64 levels", NULL);
	free(p);
	free(t);
}
END_TEST

START_TEST(test_depth_10000_objects)
{
	char *t = nested("", "{\"a\":", 10000, "1", "}");
	char *p = repeat_pointer("a", 64);
	EXPECT_ERR(t, CG_ELIMIT, 1, 321, p, "nesting deeper than 64 levels", NULL);
	free(p);
	free(t);
}
END_TEST

START_TEST(test_depth_cap)
{
	/* A huge limit is capped so that json-c's recursive free stays
	 * shallow; the document is still rejected cleanly. */
	cg_json_limits lim = { .max_depth = 1000000 };
	char *t = nested("", "[", 10000, "", "]");
	char *p = repeat_pointer("0", 4096);
	EXPECT_ERR_LIM(t, &lim, CG_ELIMIT, 1, 4097, p,
		       "nesting deeper than 4096 levels", NULL);
	free(p);
	free(t);
}
END_TEST

/* ------------------------------------------------------ encoding */

START_TEST(test_invalid_utf8)
{
	EXPECT_ERR("[\"\xc0\xaf\"]", CG_EPARSE, 1, 3, "/0",
		   "invalid UTF-8: overlong encoding (byte 0xC0)",
		   "save the file as UTF-8");
	EXPECT_ERR("[\"\xe0\x80\xaf\"]", CG_EPARSE, 1, 3, "/0",
		   "overlong encoding (bytes 0xE0 0x80)", NULL);
	EXPECT_ERR("[\"\xf0\x80\x80\xaf\"]", CG_EPARSE, 1, 3, "/0",
		   "overlong encoding (bytes 0xF0 0x80)", NULL);
	EXPECT_ERR("{\"a\": \"x\x80\"}", CG_EPARSE, 1, 9, "/a",
		   "unexpected continuation byte 0x80", NULL);
	EXPECT_ERR("[\"\xed\xa0\x80\"]", CG_EPARSE, 1, 3, "/0",
		   "a UTF-16 surrogate encoded in UTF-8 (bytes 0xED 0xA0)", NULL);
	EXPECT_ERR("[\"\xf4\x90\x80\x80\"]", CG_EPARSE, 1, 3, "/0",
		   "a code point above U+10FFFF", NULL);
	EXPECT_ERR("[\"\xf5\x80\x80\x80\"]", CG_EPARSE, 1, 3, "/0",
		   "byte 0xF5 never appears in UTF-8", NULL);
	EXPECT_ERR("[\"\xff\"]", CG_EPARSE, 1, 3, "/0", "byte 0xFF", NULL);
	/* Truncated sequences: at the end of the file and in the middle. */
	EXPECT_ERR("[\"\xe2\x82", CG_EPARSE, 1, 3, "/0",
		   "cut short by the end of the file (byte 0xE2 needs 2 "
		   "continuation bytes)", NULL);
	EXPECT_ERR("[\"\xe2\x82x\"]", CG_EPARSE, 1, 3, "/0",
		   "cut short (byte 0xE2 needs 2 continuation bytes, found 0x78)",
		   NULL);
	/* Column counts characters: é and ü are two bytes each. */
	EXPECT_ERR("{\"\xc3\xa9\": \"\xc3\xbc\xff\"}", CG_EPARSE, 1, 9, "/\xc3\xa9",
		   "byte 0xFF", NULL);
	EXPECT_ERR("[\n\"a\",\n\"\xc3\"]", CG_EPARSE, 3, 2, "/1", "0xC3", NULL);
	/* Outside strings too; the pointer names the element being read. */
	EXPECT_ERR("[1, \xff]", CG_EPARSE, 1, 5, "/1", "0xFF", NULL);
	/* Valid 2-, 3- and 4-byte sequences at the edges of their ranges. */
	cg_jsondoc *doc = load_ok("[\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf"
				  "\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80"
				  "\xf4\x8f\xbf\xbf\"]");
	cg_jsondoc_free(doc);
}
END_TEST

START_TEST(test_bom_and_nul)
{
	EXPECT_ERR("\xef\xbb\xbf{}", CG_EPARSE, 1, 1, NULL, "byte order mark",
		   "save the file as UTF-8 without a byte order mark");
	EXPECT_ERR_LEN("\xff\xfe{\0}\0", 6, CG_EPARSE, 1, 1, NULL, "UTF-16",
		       "save the file as UTF-8 without a byte order mark");
	EXPECT_ERR_LEN("{\"a\":\0}", 7, CG_EPARSE, 1, 6, "/a", "NUL byte",
		       "NUL");
	/* UTF-16 without a byte order mark shows up as NUL bytes. */
	EXPECT_ERR_LEN("{\0}\0", 4, CG_EPARSE, 1, 2, "", "NUL byte", "UTF-16");
}
END_TEST

START_TEST(test_empty)
{
	EXPECT_ERR_LEN("", 0, CG_EPARSE, 1, 1, NULL, "file is empty",
		       "a capability file holds a JSON object or array");
	EXPECT_ERR(" \n\t\r\n ", CG_EPARSE, 1, 1, NULL,
		   "file is empty (only whitespace)",
		   "a capability file holds a JSON object or array");
	/* Other "spaces" are not JSON whitespace. */
	EXPECT_ERR("\v[]", CG_EPARSE, 1, 1, "", "unexpected control character U+000B",
		   NULL);
}
END_TEST

/* ------------------------------------------------------- files, limits */

START_TEST(test_size_limit_mem)
{
	cg_json_limits lim = { .max_size = 10 };
	cg_jsondoc *doc = load_ok_len("[1,2,3,45]", 10, &lim);
	cg_jsondoc_free(doc);
	EXPECT_ERR_LIM("[1,2,3,456]", &lim, CG_ELIMIT, 0, 0, NULL,
		       "file too large: 11 bytes, more than the limit of 10 bytes",
		       "the limit is 10 bytes");
}
END_TEST

START_TEST(test_size_limit_file)
{
	char *dir = make_tmpdir();
	char *path = write_file(dir, "big.json", "[1,2,3,456]", 11);
	cg_json_limits lim = { .max_size = 10 };
	cg_diag *d = cg_diag_new();
	cg_jsondoc *doc = NULL;
	ck_assert_int_eq(cg_jsondoc_load_file(path, &lim, &doc, d), CG_ELIMIT);
	ck_assert_ptr_null(doc);
	ck_assert_uint_eq(cg_diag_count(d), 1);
	ck_assert_str_eq(cg_diag_file(d, 0), path);
	ck_assert_ptr_nonnull(strstr(cg_diag_message(d, 0), "11 bytes"));
	ck_assert_ptr_nonnull(strstr(cg_diag_hint(d, 0), "10 bytes"));
	cg_diag_free(d);
	lim.max_size = 11;
	d = cg_diag_new();
	ck_assert_int_eq(cg_jsondoc_load_file(path, &lim, &doc, d), 0);
	ck_assert_uint_eq(json_object_array_length(doc->root), 4);
	cg_jsondoc_free(doc);
	cg_diag_free(d);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_50mb_file)
{
	char *dir = make_tmpdir();
	char *path = NULL;
	ck_assert_int_ge(asprintf(&path, "%s/huge.json", dir), 0);
	/* A real 50 MB JSON array, written in 1 MiB chunks. */
	size_t chunk = 1 << 20, total = 50u << 20;
	char *buf = malloc(chunk);
	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < chunk; i += 2)
		memcpy(buf + i, "0,", 2);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputc('[', f), '[');
	for (size_t n = 1; n < total; n += chunk) {
		size_t k = total - n < chunk ? total - n : chunk;
		ck_assert_uint_eq(fwrite(buf, 1, k, f), k);
	}
	ck_assert_int_eq(fclose(f), 0);
	free(buf);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)total);

	cg_diag *d = cg_diag_new();
	cg_jsondoc *doc = NULL;
	unsigned long long before = bytes_read();
	int rc = cg_jsondoc_load_file(path, NULL, &doc, d);
	unsigned long long after = bytes_read();
	ck_assert_int_eq(rc, CG_ELIMIT);
	ck_assert_ptr_null(doc);
	ck_assert_uint_eq(cg_diag_count(d), 1);
	ck_assert_int_eq(cg_diag_code(d, 0), CG_ELIMIT);
	ck_assert_msg(strstr(cg_diag_message(d, 0), "52428800 bytes"), "%s",
		      cg_diag_message(d, 0));
	ck_assert_msg(strstr(cg_diag_hint(d, 0), "16 MiB"), "%s",
		      cg_diag_hint(d, 0));
	/* Rejected on its size alone: (almost) nothing was read. */
	ck_assert_msg(after - before < 65536, "read %llu bytes",
		      after - before);
	cg_diag_free(d);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_file_errors)
{
	char *dir = make_tmpdir();
	char *missing = NULL;
	ck_assert_int_ge(asprintf(&missing, "%s/nope.json", dir), 0);
	cg_diag *d = cg_diag_new();
	cg_jsondoc *doc = NULL;

	ck_assert_int_eq(cg_jsondoc_load_file(missing, NULL, &doc, d), CG_EIO);
	ck_assert_ptr_null(doc);
	ck_assert_uint_eq(cg_diag_count(d), 1);
	ck_assert_str_eq(cg_diag_file(d, 0), missing);
	ck_assert_ptr_nonnull(strstr(cg_diag_message(d, 0), strerror(ENOENT)));
	ck_assert_ptr_nonnull(strstr(cg_diag_hint(d, 0), "check the path"));

	ck_assert_int_eq(cg_jsondoc_load_file(dir, NULL, &doc, d), CG_EIO);
	ck_assert_uint_eq(cg_diag_count(d), 2);
	ck_assert_int_eq(cg_diag_code(d, 1), CG_EIO);
	ck_assert_str_eq(cg_diag_file(d, 1), dir);
	ck_assert_ptr_nonnull(strstr(cg_diag_message(d, 1), strerror(EISDIR)));
	ck_assert_ptr_nonnull(strstr(cg_diag_hint(d, 1), "_dir"));

	char *empty = write_file(dir, "empty.json", "", 0);
	ck_assert_int_eq(cg_jsondoc_load_file(empty, NULL, &doc, d), CG_EPARSE);
	ck_assert_uint_eq(cg_diag_count(d), 3);
	ck_assert_str_eq(cg_diag_message(d, 2), "file is empty");
	ck_assert_str_eq(cg_diag_file(d, 2), empty);
	ck_assert_str_eq(cg_diag_hint(d, 2),
			 "a capability file holds a JSON object or array");

	char *bad = write_file(dir, "bad.json", "{\n  \"a\": 1,\n}\n", 14);
	ck_assert_int_eq(cg_jsondoc_load_file(bad, NULL, &doc, d), CG_EPARSE);
	ck_assert_uint_eq(cg_diag_count(d), 4);
	ck_assert_str_eq(cg_diag_file(d, 3), bad);
	ck_assert_uint_eq(cg_diag_line(d, 3), 3);
	ck_assert_uint_eq(cg_diag_column(d, 3), 1);
	ck_assert_ptr_null(doc);

	cg_diag_free(d);
	unlink(empty);
	unlink(bad);
	rmdir(dir);
	free(empty);
	free(bad);
	free(missing);
	free(dir);
}
END_TEST

START_TEST(test_file_ok)
{
	char *dir = make_tmpdir();
	const char *t = "{\n  \"identifier\": \"main\",\n  \"permissions\": [\n"
			"    \"core:default\",\n    {\"identifier\": \"fs:allow-read\"}\n"
			"  ]\n}\n";
	char *path = write_file(dir, "main.json", t, strlen(t));
	cg_diag *d = cg_diag_new();
	cg_jsondoc *doc = NULL;
	ck_assert_int_eq(cg_jsondoc_load_file(path, NULL, &doc, d), 0);
	ck_assert_uint_eq(cg_diag_count(d), 0);
	ck_assert_str_eq(doc->name, path);
	ck_assert_str_eq(doc->text, t);
	EXPECT_AT(doc, "/permissions/1/identifier", 5, 20);
	cg_jsondoc_error(d, doc, CG_EUNKNOWN, "/permissions/1/identifier",
			 "run `capgate list`", "unknown permission %s",
			 "fs:allow-read");
	ck_assert_str_eq(cg_diag_file(d, 0), path);
	ck_assert_uint_eq(cg_diag_line(d, 0), 5);
	ck_assert_uint_eq(cg_diag_column(d, 0), 20);
	cg_jsondoc_free(doc);
	cg_diag_free(d);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}
END_TEST

/* The public strict reader (cg_json_file_*), what capgate check reads its
 * --queries with: the rules of policy files, \u0000 refused with its place. */
START_TEST(test_public_json_file)
{
	char *dir = make_tmpdir();
	const char *t = "{\"queries\": [\n  {\"window\": \"main\", \"command\": \"plugin:fs|read_file\"}]}\n";
	char *path = write_file(dir, "q.json", t, strlen(t));
	cg_diag *d = cg_diag_new();
	cg_json_file *f = NULL;
	ck_assert_int_eq(cg_json_file_new(path, &f, d), 0);
	ck_assert(json_object_is_type(cg_json_file_root(f), json_type_object));
	unsigned line = 0, col = 0;
	ck_assert_int_eq(cg_json_file_locate(f, "/queries/0/command", &line, &col), 1);
	ck_assert_uint_eq(line, 2);
	ck_assert_uint_eq(col, 33);
	ck_assert_int_eq(cg_json_file_locate(f, "/nothing", &line, &col), 0);
	cg_json_file_free(f);
	unlink(path);
	free(path);
	const char *nul = "{\"queries\": [\n  {\"window\": \"main\", \"command\": \"plugin:fs|read_file\\u0000evil\"}]}\n";
	path = write_file(dir, "nul.json", nul, strlen(nul));
	f = (cg_json_file *)&f;
	ck_assert_int_eq(cg_json_file_new(path, &f, d), CG_EPARSE);
	ck_assert_ptr_null(f);
	ck_assert_uint_eq(cg_diag_error_count(d), 1);
	ck_assert_ptr_nonnull(strstr(cg_diag_message(d, 0), "\\u0000"));
	ck_assert_uint_eq(cg_diag_line(d, 0), 2);
	ck_assert_str_eq(cg_diag_pointer(d, 0), "/queries/0/command");
	ck_assert_int_eq(cg_json_file_new(NULL, &f, d), CG_EINVAL);
	ck_assert_int_eq(cg_json_file_new(path, NULL, d), CG_EINVAL);
	ck_assert_ptr_null(cg_json_file_root(NULL));
	cg_json_file_free(NULL);
	cg_diag_free(d);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}
END_TEST

/* ---------------------------------------------------------- positions */

static const char LOC_DOC[] =
	"{\n"                                           /* 1 */
	"\t\"a\": 1,\n"                                 /* 2 */
	"  \"b\": [10, {\"c\": \"x\\\"y\\\\\", \"d\": [true]}],\n" /* 3 */
	"  \"\xc3\xa9t\xc3\xa9\": \"\xc3\xbc\", \"z\": \"\xf0\x9f\x98\x80\", \"w\": 0,\n" /* 4 */
	"  \"a/b\": {\"c~d\": null, \"~1\": 2},\n"      /* 5 */
	"  \"\": 5, \"\\u00e9\": 6, \"\\ud83d\\ude00\": 7,\n" /* 6 */
	"  \"q\\\"\": [[], [[\"deep\"]]]\n"             /* 7 */
	"}\n";

START_TEST(test_locate_values)
{
	cg_jsondoc *doc = load_ok(LOC_DOC);
	ck_assert_ptr_null(doc->priv); /* built lazily */
	EXPECT_AT(doc, "", 1, 1);
	ck_assert_ptr_nonnull(doc->priv);
	EXPECT_AT(doc, "/a", 2, 7);              /* tab counts as one column */
	EXPECT_AT(doc, "/b", 3, 8);
	EXPECT_AT(doc, "/b/0", 3, 9);
	EXPECT_AT(doc, "/b/1", 3, 13);
	EXPECT_AT(doc, "/b/1/c", 3, 19);
	EXPECT_AT(doc, "/b/1/d", 3, 34);         /* after "x\"y\\" */
	EXPECT_AT(doc, "/b/1/d/0", 3, 35);
	EXPECT_AT(doc, "/\xc3\xa9t\xc3\xa9", 4, 10); /* columns count characters */
	EXPECT_AT(doc, "/z", 4, 20);
	EXPECT_AT(doc, "/w", 4, 30);
	EXPECT_AT(doc, "/a~1b", 5, 10);
	EXPECT_AT(doc, "/a~1b/c~0d", 5, 18);
	EXPECT_AT(doc, "/a~1b/~01", 5, 30);
	EXPECT_AT(doc, "/", 6, 7);               /* the key "" */
	EXPECT_AT(doc, "/\xc3\xa9", 6, 20);      /* key written as \u00e9 */
	EXPECT_AT(doc, "/\xf0\x9f\x98\x80", 6, 39); /* key as a surrogate pair */
	EXPECT_AT(doc, "/q\"", 7, 10);
	EXPECT_AT(doc, "/q\"/0", 7, 11);
	EXPECT_AT(doc, "/q\"/1/0/0", 7, 17);
	cg_jsondoc_free(doc);
}
END_TEST

START_TEST(test_locate_missing)
{
	cg_jsondoc *doc = load_ok(LOC_DOC);
	EXPECT_MISSING(doc, "/b/01");    /* leading zero */
	EXPECT_MISSING(doc, "/b/-");     /* past the end */
	EXPECT_MISSING(doc, "/b/2");
	EXPECT_MISSING(doc, "/b/-1");
	EXPECT_MISSING(doc, "/b/1x");
	EXPECT_MISSING(doc, "/b/");
	EXPECT_MISSING(doc, "/b/99999999999999999999");
	EXPECT_MISSING(doc, "/a/0");     /* into a scalar */
	EXPECT_MISSING(doc, "/a/x");
	EXPECT_MISSING(doc, "a");        /* not a pointer */
	EXPECT_MISSING(doc, "/zz");
	EXPECT_MISSING(doc, "/A");       /* case matters */
	EXPECT_MISSING(doc, "/a/b");     /* "a/b" needs ~1 */
	EXPECT_MISSING(doc, "/a~1b/c~2d"); /* bad escape */
	EXPECT_MISSING(doc, "/a~");
	EXPECT_MISSING(doc, "/\xc3\xa9t"); /* prefix of a key */
	EXPECT_MISSING(doc, "//");
	ck_assert(!cg_jsondoc_locate(doc, NULL, NULL, NULL));
	ck_assert(!cg_jsondoc_locate(NULL, "", NULL, NULL));
	/* line and col may be NULL */
	ck_assert(cg_jsondoc_locate(doc, "/b/1", NULL, NULL));
	cg_jsondoc_free(doc);
}
END_TEST

START_TEST(test_locate_scalar_root_and_crlf)
{
	cg_jsondoc *doc = load_ok("\n\n   \"s\"");
	EXPECT_AT(doc, "", 3, 4);
	EXPECT_MISSING(doc, "/0");
	cg_jsondoc_free(doc);
	doc = load_ok("{\r\n\"a\": [\r\n1]\r\n}");
	EXPECT_AT(doc, "/a", 2, 6);
	EXPECT_AT(doc, "/a/0", 3, 1);
	cg_jsondoc_free(doc);
}
END_TEST

START_TEST(test_locate_large)
{
	/* 100000 elements, one per line, and an object of 20000 keys. */
	size_t n = 100000;
	char *t = malloc(n * 16 + 64), *p = t;
	ck_assert_ptr_nonnull(t);
	p += sprintf(p, "[\n");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%zu%s\n", i, i + 1 < n ? "," : "");
	sprintf(p, "]");
	cg_jsondoc *doc = load_ok(t);
	EXPECT_AT(doc, "/0", 2, 1);
	EXPECT_AT(doc, "/99999", 100001, 1);
	EXPECT_AT(doc, "/50000", 50002, 1);
	EXPECT_MISSING(doc, "/100000");
	cg_jsondoc_free(doc);

	p = t;
	p += sprintf(p, "{");
	for (size_t i = 0; i < 20000; i++)
		p += sprintf(p, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	sprintf(p, "}");
	doc = load_ok(t);
	char *at = strstr(t, "\"k12345\":") + 9;
	EXPECT_AT(doc, "/k12345", 1, (unsigned)(at - t) + 1);
	EXPECT_MISSING(doc, "/k20000");
	cg_jsondoc_free(doc);
	free(t);
}
END_TEST

/* --------------------------------------------------------- diagnostics */

START_TEST(test_error_and_warning)
{
	cg_jsondoc *doc = load_ok(LOC_DOC);
	cg_diag *d = cg_diag_new();
	cg_jsondoc_error(d, doc, CG_ESCHEMA, "/b/1/d", "use a string",
			 "expected %s, found %d", "string", 3);
	cg_jsondoc_warning(d, doc, CG_EUNKNOWN, "/a~1b/c~0d", NULL, "unused");
	cg_jsondoc_error(d, doc, CG_ESCHEMA, "/nope", "h", "not there");
	cg_jsondoc_error(d, doc, CG_ESCHEMA, NULL, NULL, "whole file");
	ck_assert_uint_eq(cg_diag_count(d), 4);
	ck_assert_uint_eq(cg_diag_error_count(d), 3);

	ck_assert_int_eq(cg_diag_severity(d, 0), CG_SEV_ERROR);
	ck_assert_int_eq(cg_diag_code(d, 0), CG_ESCHEMA);
	ck_assert_str_eq(cg_diag_file(d, 0), "t.json");
	ck_assert_uint_eq(cg_diag_line(d, 0), 3);
	ck_assert_uint_eq(cg_diag_column(d, 0), 34);
	ck_assert_str_eq(cg_diag_pointer(d, 0), "/b/1/d");
	ck_assert_str_eq(cg_diag_message(d, 0), "expected string, found 3");
	ck_assert_str_eq(cg_diag_hint(d, 0), "use a string");

	ck_assert_int_eq(cg_diag_severity(d, 1), CG_SEV_WARNING);
	ck_assert_int_eq(cg_diag_code(d, 1), CG_EUNKNOWN);
	ck_assert_uint_eq(cg_diag_line(d, 1), 5);
	ck_assert_uint_eq(cg_diag_column(d, 1), 18);
	ck_assert_ptr_null(cg_diag_hint(d, 1));

	/* Not found: position unknown (0:0), pointer kept. */
	ck_assert_uint_eq(cg_diag_line(d, 2), 0);
	ck_assert_uint_eq(cg_diag_column(d, 2), 0);
	ck_assert_str_eq(cg_diag_pointer(d, 2), "/nope");
	ck_assert_uint_eq(cg_diag_line(d, 3), 0);
	ck_assert_ptr_null(cg_diag_pointer(d, 3));

	char *f = cg_diag_format(d, 0);
	ck_assert_str_eq(f, "t.json:3:34: error: expected string, found 3 (at "
			    "/b/1/d)\n  hint: use a string\n");
	free(f);
	f = cg_diag_format(d, 2);
	ck_assert_str_eq(f, "t.json: error: not there (at /nope)\n  hint: h\n");
	free(f);

	/* No list: nothing happens, nothing crashes. */
	cg_jsondoc_error(NULL, doc, CG_ESCHEMA, "/a", NULL, "x");
	cg_jsondoc_warning(NULL, doc, CG_ESCHEMA, "/a", NULL, "x");
	cg_diag_free(d);
	cg_jsondoc_free(doc);
}
END_TEST

/* Numbers reach the tree as written (issue 15, item 8): json-c clamps an
 * integer beyond 64 bits to the end of the range and reads 1e999999 as
 * infinity. An integer beyond 64 bits becomes the double nearest it, with
 * its text; a number too large for a double is refused, as serde_json
 * refuses it; one too small is the double serde_json gives (0). */
/* The tree is the scanner's own (one parse): for every well-formed
 * document it must be the tree json-c would make, value for value and as
 * printed (doubles keep their text), so that nothing downstream sees a
 * difference. */
START_TEST(test_same_tree_as_json_c)
{
	static const char *const docs[] = {
		"{}", "[]", "null", "true", "false", "0", "-0", "42", "-7", "1.5", "2e10", "1E-3",
		"1.10", "0.5e-3", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "18446744073709551615", "\"\"", "\"a\\u00e9\\n\\t\\/\\\\\"",
		"\"\\ud83d\\ude00 \\u20ac \\u0041\"", "\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
		"[1, [2, [3, [4, []]]], {\"a\": {\"b\": {}}}]",
		"{\"k\\u00e9y\": 1, \"\": 2, \"a b\": [null, true, false]}",
		"{\"windows\": [\"main\", \"*\"], \"permissions\": [\"fs:default\", {\"identifier\": \"fs:allow-read\", \"allow\": [{\"path\": \"$APPDATA/**\"}]}]}",
		" \n\t[ 1 , 2 ]\r\n ",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		cg_jsondoc *doc = load_ok(docs[i]);
		json_tokener *tok = json_tokener_new();
		json_object *ref = json_tokener_parse_ex(tok, docs[i], (int)strlen(docs[i]) + 1);
		ck_assert_msg(json_tokener_get_error(tok) == json_tokener_success, "json-c: %s", docs[i]);
		json_tokener_free(tok);
		ck_assert_msg(json_object_equal(doc->root, ref), "tree differs: %s", docs[i]);
		const char *a = json_object_to_json_string_ext(doc->root, JSON_C_TO_STRING_PLAIN);
		const char *b = json_object_to_json_string_ext(ref, JSON_C_TO_STRING_PLAIN);
		ck_assert_msg(strcmp(a, b) == 0, "printed differently: %s (json-c %s) for %s", a, b, docs[i]);
		json_object_put(ref);
		cg_jsondoc_free(doc);
	}
}
END_TEST

START_TEST(test_numbers_as_written)
{
	cg_jsondoc *doc = load_ok("{\"big\": 123456789012345678901234, \"neg\": -99999999999999999999,"
				  " \"u\": 18446744073709551615, \"i\": -9223372036854775808,"
				  " \"a/b~c\": [1, 18446744073709551616], \"tiny\": 1.5e-400, \"e\": 1.23e29}");
	json_object *v;
	ck_assert(json_object_object_get_ex(doc->root, "big", &v));
	ck_assert(json_object_is_type(v, json_type_double));
	ck_assert(json_object_get_double(v) == 123456789012345678901234.0);
	ck_assert_str_eq(json_object_to_json_string(v), "123456789012345678901234");
	ck_assert(json_object_object_get_ex(doc->root, "neg", &v));
	ck_assert(json_object_is_type(v, json_type_double));
	ck_assert(json_object_get_double(v) == -99999999999999999999.0);
	ck_assert_str_eq(json_object_to_json_string(v), "-99999999999999999999");
	/* the ends of the 64-bit range stay exact integers */
	ck_assert(json_object_object_get_ex(doc->root, "u", &v));
	ck_assert(json_object_is_type(v, json_type_int));
	ck_assert(json_object_get_uint64(v) == UINT64_MAX);
	ck_assert(json_object_object_get_ex(doc->root, "i", &v));
	ck_assert(json_object_is_type(v, json_type_int));
	ck_assert(json_object_get_int64(v) == INT64_MIN);
	/* in an array, under a key that needs escaping in a pointer */
	ck_assert(json_object_object_get_ex(doc->root, "a/b~c", &v));
	ck_assert_int_eq(json_object_get_int(json_object_array_get_idx(v, 0)), 1);
	v = json_object_array_get_idx(v, 1);
	ck_assert(json_object_is_type(v, json_type_double));
	ck_assert(json_object_get_double(v) == 18446744073709551616.0);
	ck_assert(json_object_object_get_ex(doc->root, "tiny", &v));
	ck_assert(json_object_get_double(v) == 0.0);
	ck_assert(json_object_object_get_ex(doc->root, "e", &v));
	ck_assert(json_object_get_double(v) == 1.23e29);
	ck_assert_str_eq(json_object_to_json_string(v), "1.23e29");
	cg_jsondoc_free(doc);
	/* a whole document that is one */
	doc = load_ok("99999999999999999999999");
	ck_assert(json_object_is_type(doc->root, json_type_double));
	ck_assert(json_object_get_double(doc->root) == 99999999999999999999999.0);
	cg_jsondoc_free(doc);
	/* too large for a double: refused where it is */
	EXPECT_ERR("{\"n\": 1e999999}", CG_EPARSE, 1, 7, "/n", "number 1e999999 is too large for a double",
		   "within a double's range");
	EXPECT_ERR("[1,\n -1E400]", CG_EPARSE, 2, 2, "/1", "number -1E400 is too large", NULL);
	char big[400];
	memset(big, '9', sizeof(big) - 1);
	big[0] = '[';
	big[sizeof(big) - 2] = ']';
	big[sizeof(big) - 1] = '\0';
	EXPECT_ERR(big, CG_EPARSE, 1, 2, "/0", "is too large for a double", NULL);
	/* IPC messages (NUL allowed) read numbers the same way */
	cg_json_limits lim = {.nul_in_strings = true};
	EXPECT_ERR_LIM("{\"x\": 2e308}", &lim, CG_EPARSE, 1, 7, "/x", "too large", NULL);
	doc = load_ok_len("[100000000000000000000]", 23, &lim);
	ck_assert(json_object_get_double(json_object_array_get_idx(doc->root, 0)) == 1e20);
	cg_jsondoc_free(doc);
}
END_TEST

/* An IPC payload may hold \u0000 in a value; its errors must still be
 * located (the index once refused such a text and claimed no memory). */
START_TEST(test_locate_with_nul_values)
{
	cg_json_limits lim = {.nul_in_strings = true};
	static const char text[] = "{\"a\": \"x\\u0000y\",\n \"b\": [1, \"\\u0000\"]}";
	cg_jsondoc *doc = load_ok_len(text, strlen(text), &lim);
	unsigned line = 0, col = 0;
	ck_assert_int_eq(cg_jsondoc_find(doc, "", &line, &col), 1);
	ck_assert_uint_eq(line, 1);
	ck_assert_int_eq(cg_jsondoc_find(doc, "/b/1", &line, &col), 1);
	ck_assert_uint_eq(line, 2);
	ck_assert_uint_eq(col, 11);
	cg_jsondoc_free(doc);
}
END_TEST

/* A pair json-c 0.16 decodes to U+FFFD: ours gives the character. */
START_TEST(test_surrogate_pair_decoded)
{
	cg_jsondoc *doc = load_ok("[\"\\ud837\\ude00\", \"\\uD83D\\uDE00\"]");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(doc->root, 0)), "\xf0\x9d\xb8\x80");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(doc->root, 1)), "\xf0\x9f\x98\x80");
	cg_jsondoc_free(doc);
}
END_TEST

START_TEST(test_pointer_join)
{
	char *p;
	p = cg_pointer_join("/a", "b/c");
	ck_assert_str_eq(p, "/a/b~1c");
	free(p);
	p = cg_pointer_join("", "~");
	ck_assert_str_eq(p, "/~0");
	free(p);
	p = cg_pointer_join(NULL, "x");
	ck_assert_str_eq(p, "/x");
	free(p);
	p = cg_pointer_join("/a", "");
	ck_assert_str_eq(p, "/a/");
	free(p);
	/* ~ is escaped first in effect: "~1" must not turn into "/". */
	p = cg_pointer_join("/a", "~1/~0");
	ck_assert_str_eq(p, "/a/~01~1~00");
	free(p);
	p = cg_pointer_join("/p", "\xc3\xa9 x");
	ck_assert_str_eq(p, "/p/\xc3\xa9 x");
	free(p);
	ck_assert_ptr_null(cg_pointer_join("/a", NULL));
	p = cg_pointer_join_index("/perm", 3);
	ck_assert_str_eq(p, "/perm/3");
	free(p);
	p = cg_pointer_join_index(NULL, 0);
	ck_assert_str_eq(p, "/0");
	free(p);
	p = cg_pointer_join_index("", (size_t)-1);
	ck_assert_str_eq(p, "/18446744073709551615");
	free(p);

	/* Round trip: joined pointers find the keys they name. */
	cg_jsondoc *doc = load_ok(LOC_DOC);
	char *ab = cg_pointer_join("", "a/b");
	char *cd = cg_pointer_join(ab, "c~d");
	char *t1 = cg_pointer_join(ab, "~1");
	EXPECT_AT(doc, cd, 5, 18);
	EXPECT_AT(doc, t1, 5, 30);
	char *b = cg_pointer_join("", "b");
	char *b1 = cg_pointer_join_index(b, 1);
	EXPECT_AT(doc, b1, 3, 13);
	free(ab);
	free(cd);
	free(t1);
	free(b);
	free(b1);
	cg_jsondoc_free(doc);
}
END_TEST

/* ------------------------------------------------------------ main */

static Suite *jsondoc_suite(void)
{
	Suite *s = suite_create("jsondoc");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_test(tc, test_valid_object);
	tcase_add_test(tc, test_valid_array_and_scalars);
	tcase_add_test(tc, test_valid_strings);
	tcase_add_test(tc, test_not_nul_terminated);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);

	tc = tcase_create("syntax");
	tcase_add_test(tc, test_trailing_commas);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_unquoted_and_single_quoted);
	tcase_add_test(tc, test_separators);
	tcase_add_test(tc, test_unclosed);
	tcase_add_test(tc, test_bad_strings);
	tcase_add_test(tc, test_bad_numbers_and_literals);
	tcase_add_test(tc, test_trailing_data);
	tcase_add_test(tc, test_one_error_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("duplicates");
	tcase_add_test(tc, test_duplicate_top);
	tcase_add_test(tc, test_duplicate_nested);
	tcase_add_test(tc, test_duplicate_several);
	suite_add_tcase(s, tc);

	tc = tcase_create("depth");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_depth_limit_exact);
	tcase_add_test(tc, test_depth_10000_arrays);
	tcase_add_test(tc, test_depth_10000_objects);
	tcase_add_test(tc, test_depth_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("encoding");
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_bom_and_nul);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_size_limit_mem);
	tcase_add_test(tc, test_size_limit_file);
	tcase_add_test(tc, test_50mb_file);
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_file_ok);
	tcase_add_test(tc, test_public_json_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("positions");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_locate_values);
	tcase_add_test(tc, test_locate_missing);
	tcase_add_test(tc, test_locate_scalar_root_and_crlf);
	tcase_add_test(tc, test_locate_large);
	tcase_add_test(tc, test_locate_with_nul_values);
	tcase_add_test(tc, test_surrogate_pair_decoded);
	tcase_add_test(tc, test_error_and_warning);
	tcase_add_test(tc, test_pointer_join);
	tcase_add_test(tc, test_numbers_as_written);
	tcase_add_test(tc, test_same_tree_as_json_c);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jsondoc_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
