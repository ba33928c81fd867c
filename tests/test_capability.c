/* Capability files: shapes, strictness, located errors, and that nothing
 * is half-loaded on bad input. */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

static int ok_caps(const char *json, size_t want_caps)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = build_policy(NULL, NULL, json, d);
	if (!p)
		dump_diag(d);
	int ok = p && cg_policy_capability_count(p) == want_caps;
	cg_policy_unref(p);
	cg_diag_free(d);
	return ok;
}

START_TEST(file_shapes)
{
	ck_assert(ok_caps("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\"core:default\"]}", 1));
	ck_assert(ok_caps("[{\"identifier\": \"a\", \"permissions\": []}, {\"identifier\": \"b\", \"permissions\": []}]", 2));
	ck_assert(ok_caps("{\"$schema\": \"../gen/schemas/desktop-schema.json\", \"capabilities\": ["
			  "{\"identifier\": \"a\", \"permissions\": []}]}", 1));
	ck_assert(ok_caps("[]", 0));
	ck_assert(ok_caps("{\"$schema\": \"x\", \"identifier\": \"a\", \"description\": \"d\", \"local\": false,"
			  " \"remote\": {\"urls\": [\"https://tauri.app\"]}, \"windows\": [\"*\"], \"webviews\": [\"w-?\"],"
			  " \"platforms\": [\"linux\", \"macOS\"], \"permissions\": [{\"identifier\": \"core:event:allow-listen\","
			  " \"allow\": [{\"event\": \"x\"}], \"deny\": []}]}", 1));
}
END_TEST

struct bad {
	const char *json;
	const char *msg;
	const char *ptr;
	unsigned line, col;
	int code;
};

static void expect_error(const struct bad *c, size_t k)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = build_policy(NULL, NULL, c->json, d);
	ck_assert_msg(p == NULL, "case %zu loaded", k);
	int i = diag_find(d, c->msg);
	if (i < 0)
		dump_diag(d);
	ck_assert_msg(i >= 0, "case %zu: no \"%s\"", k, c->msg);
	ck_assert_int_eq(cg_diag_severity(d, (size_t)i), CG_SEV_ERROR);
	ck_assert_int_eq(cg_diag_code(d, (size_t)i), c->code);
	ck_assert_str_eq(cg_diag_file(d, (size_t)i), "caps.json");
	if (c->ptr)
		ck_assert_str_eq(cg_diag_pointer(d, (size_t)i), c->ptr);
	ck_assert_msg(cg_diag_line(d, (size_t)i) == c->line && cg_diag_column(d, (size_t)i) == c->col,
		      "case %zu: at %u:%u, want %u:%u", k, cg_diag_line(d, (size_t)i),
		      cg_diag_column(d, (size_t)i), c->line, c->col);
	cg_diag_free(d);
}

START_TEST(located_errors)
{
	static const struct bad cases[] = {
		/* "other\u0000x" would otherwise apply to window "other", and the
		 * permission to allow-never-granted: what a reviewer (or Tauri)
		 * reads must be what the engine enforces. */
		{"{\"identifier\": \"a\", \"windows\": [\"other\\u0000x\"], \"permissions\": []}",
		 "string contains \\u0000", "/windows/0", 1, 39, CG_EPARSE},
		{"{\"identifier\": \"a\", \"permissions\": [\"core:app:default\\u0000-no\"]}",
		 "string contains \\u0000", NULL, 1, 54, CG_EPARSE},
		{"{\"identifier\": \"a\", \"window\": [\"main\"], \"permissions\": []}",
		 "unknown field \"window\" in a capability", "/window", 1, 31, CG_ESCHEMA},
		{"{\"identifier\": \"a\",\n \"permissions\": [\"core:default\", {\"identifier\": \"fs:x\", \"windows\": []}]}",
		 "unknown field \"windows\" in a permission entry", "/permissions/1/windows", 2, 68, CG_ESCHEMA},
		{"{\"identifier\": 1, \"permissions\": []}", "\"identifier\" must be a string", "/identifier", 1, 16, CG_ESCHEMA},
		{"{\"permissions\": []}", "capability has no \"identifier\"", "", 1, 1, CG_ESCHEMA},
		{"{\"identifier\": \"a\"}", "capability has no \"permissions\"", "", 1, 1, CG_ESCHEMA},
		{"{\"identifier\": \"a\", \"windows\": \"main\", \"permissions\": []}",
		 "\"windows\" must be an array", "/windows", 1, 32, CG_ESCHEMA},
		{"{\"identifier\": \"a\", \"windows\": [\"ma[in\"], \"permissions\": []}",
		 "bad glob \"ma[in\"", "/windows/0", 1, 33, CG_EPATTERN},
		{"{\"identifier\": \"a\", \"remote\": {\"urls\": [\"tauri.app\"]}, \"permissions\": []}",
		 "bad URL pattern \"tauri.app\"", "/remote/urls/0", 1, 41, CG_EPATTERN},
		{"{\"identifier\": \"a\", \"local\": \"yes\", \"permissions\": []}",
		 "\"local\" must be true or false", "/local", 1, 30, CG_ESCHEMA},
		{"{\"identifier\": \"a\", \"platforms\": [\"linux\", \"Windows\"], \"permissions\": []}",
		 "unknown platform \"Windows\"", "/platforms/1", 1, 44, CG_ESCHEMA},
		{"{\"identifier\": \"a\", \"permissions\": [42]}",
		 "permission entry must be a string or an object", "/permissions/0", 1, 37, CG_ESCHEMA},
		{"{\"identifier\": \"a\", \"permissions\": [\"fs:read_file\"]}",
		 "invalid permission identifier \"fs:read_file\"", "/permissions/0", 1, 37, CG_EIDENT},
		{"{\"identifier\": \"a\", \"permissions\": [{\"identifier\": \"fs:a\", \"allow\": {}}]}",
		 "\"allow\" must be an array", "/permissions/0/allow", 1, 69, CG_ESCHEMA},
		{"{\"identifier\": \"a\", \"permissions\": [\"core:nothing-here\"]}",
		 "unknown permission \"core:nothing-here\"", "/permissions/0", 1, 37, CG_EUNKNOWN},
		{"[{\"identifier\": \"a\", \"permissions\": []},\n {\"identifier\": \"a\", \"permissions\": []}]",
		 "duplicate capability identifier \"a\"", "/1/identifier", 2, 17, CG_EDUPLICATE},
		{"\"just a string\"", "capability file must hold an object or an array", "", 1, 1, CG_ESCHEMA},
		{"{\"capabilities\": {}}", "\"capabilities\" must be an array", "/capabilities", 1, 18, CG_ESCHEMA},
		{"{\"identifier\": \"a\", \"remote\": {\"url\": []}, \"permissions\": []}",
		 "unknown field \"url\" in \"remote\"", "/remote/url", 1, 39, CG_ESCHEMA},
		/* JSON-level errors come from jsondoc with their position */
		{"{\"identifier\": \"a\", \"permissions\": [],}", NULL, NULL, 1, 0, CG_EPARSE},
	};
	for (size_t k = 0; k + 1 < sizeof(cases) / sizeof(*cases); k++)
		expect_error(&cases[k], k);
	/* trailing comma: any parse error on line 1 */
	cg_diag *d = cg_diag_new();
	ck_assert_ptr_null(build_policy(NULL, NULL, cases[sizeof(cases) / sizeof(*cases) - 1].json, d));
	ck_assert_int_eq(cg_diag_code(d, 0), CG_EPARSE);
	ck_assert_uint_eq(cg_diag_line(d, 0), 1);
	ck_assert_uint_gt(cg_diag_column(d, 0), 30);
	cg_diag_free(d);
}
END_TEST

START_TEST(did_you_mean_fields)
{
	cg_diag *d = cg_diag_new();
	ck_assert_ptr_null(build_policy(NULL, NULL, "{\"identifier\": \"a\", \"permisions\": [], \"permissions\": []}", d));
	int i = diag_find(d, "unknown field \"permisions\"");
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(cg_diag_hint(d, (size_t)i), "did you mean \"permissions\"?");
	cg_diag_free(d);
}
END_TEST

/* Bad input of every kind: an error, no policy, no crash. */
START_TEST(hostile_inputs)
{
	static const char *const inputs[] = {
		"", "   \n", "{", "[", "{\"identifier\": \"a\"", "nul", "{\"a\" 1}", "\xff\xfe{}",
		"{\"identifier\": \"\xc3\x28\", \"permissions\": []}", "{\"identifier\": \"a\", \"permissions\": []} []",
		"{\"identifier\": \"a\", \"identifier\": \"b\", \"permissions\": []}",
		"{\"identifier\": \"\", \"permissions\": []}",
	};
	for (size_t k = 0; k < sizeof(inputs) / sizeof(*inputs); k++) {
		cg_diag *d = cg_diag_new();
		cg_policy *p = build_policy(NULL, NULL, inputs[k], d);
		ck_assert_msg(p == NULL, "input %zu loaded", k);
		ck_assert_msg(cg_diag_error_count(d) > 0, "input %zu: no error", k);
		cg_diag_free(d);
	}
	/* 10,000 levels of nesting */
	size_t n = 10000;
	char *deep = malloc(2 * n + 64);
	strcpy(deep, "{\"identifier\": \"a\", \"permissions\": [");
	size_t o = strlen(deep);
	for (size_t i = 0; i < n; i++)
		deep[o++] = '[';
	for (size_t i = 0; i < n; i++)
		deep[o++] = ']';
	strcpy(deep + o, "]}");
	cg_diag *d = cg_diag_new();
	ck_assert_ptr_null(build_policy(NULL, NULL, deep, d));
	ck_assert_int_eq(cg_diag_code(d, 0), CG_ELIMIT);
	cg_diag_free(d);
	free(deep);
}
END_TEST

static char tmp[256];

static void put(const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(directories)
{
	snprintf(tmp, sizeof(tmp), "/tmp/cg-caps-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	put("a.json", "{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\"core:default\"]}");
	put(".gitkeep", "");
	put("README.md", "# not a capability");
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/nested", tmp);
	mkdir(sub, 0700);
	put("nested/b.json", "[{\"identifier\": \"b\", \"permissions\": []}]");
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	ck_assert_int_eq(cg_builder_add_capability_dir(b, tmp, d), 0);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert_uint_eq(cg_policy_capability_count(p), 2);
	cg_policy_unref(p);
	cg_builder_free(b);
	/* JSON5 is refused, with the reason, and nothing is built */
	put("c.json5", "{identifier: 'c', permissions: [],}");
	b = cg_builder_new();
	ck_assert_int_lt(cg_builder_add_capability_dir(b, tmp, d), 0);
	ck_assert_int_lt(cg_builder_build(b, &p, d), 0);
	ck_assert_ptr_null(p);
	ck_assert_int_ge(diag_find(d, "JSON5 files are not supported"), 0);
	cg_builder_free(b);
	cg_diag_free(d);
	/* a missing directory */
	d = cg_diag_new();
	b = cg_builder_new();
	ck_assert_int_eq(cg_builder_add_capability_dir(b, "/nonexistent/caps", d), CG_EIO);
	ck_assert_int_ge(diag_find(d, "cannot read directory"), 0);
	cg_builder_free(b);
	cg_diag_free(d);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(big_file_refused)
{
	/* A 50 MB file is refused by the default limit without being read. */
	snprintf(tmp, sizeof(tmp), "/tmp/cg-big-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	char p[512];
	snprintf(p, sizeof(p), "%s/big.json", tmp);
	int fd = open(p, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 50 * 1000 * 1000), 0);
	close(fd);
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	ck_assert_int_eq(cg_builder_add_capability_file(b, p, d), CG_ELIMIT);
	cg_policy *pol = NULL;
	ck_assert_int_lt(cg_builder_build(b, &pol, d), 0);
	ck_assert_ptr_null(pol);
	cg_builder_free(b);
	cg_diag_free(d);
	unlink(p);
	rmdir(tmp);
}
END_TEST

START_TEST(one_bad_file_spoils_the_build)
{
	/* Good and bad sources: build refuses, so no half policy exists. */
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	const char *good = "{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\"core:default\"]}";
	const char *bad = "{\"identifier\": \"b\", \"windows\": [\"main\"], \"permissions\": [\"core:nope\"]}";
	ck_assert_int_eq(cg_builder_add_capability_json(b, "good.json", good, strlen(good), d), 0);
	ck_assert_int_eq(cg_builder_add_capability_json(b, "bad.json", bad, strlen(bad), d), 0);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), CG_EUNKNOWN);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(cg_diag_file(d, (size_t)diag_find(d, "unknown permission")), "bad.json");
	/* building again is refused too */
	ck_assert_int_lt(cg_builder_build(b, &p, d), 0);
	cg_builder_free(b);
	cg_builder_free(NULL);
	cg_diag_free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("capability");
	TCase *tc = tcase_create("capability");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, file_shapes);
	tcase_add_test(tc, located_errors);
	tcase_add_test(tc, did_you_mean_fields);
	tcase_add_test(tc, hostile_inputs);
	tcase_add_test(tc, directories);
	tcase_add_test(tc, big_file_refused);
	tcase_add_test(tc, one_bad_file_spoils_the_build);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
