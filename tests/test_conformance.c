/*
 * Conformance with Tauri's ACL fixtures (../shared/conformance/tauri-acl):
 * every query's decision and, for allowed ones, its command and global
 * scopes compared as sets of JSON values. Where this data and the engine's
 * issue disagree the issue wins; no such disagreement exists today, so
 * every query must match exactly.
 */
#include "testutil.h"

#include <dirent.h>

static char **fixtures; /* every fixture directory with an expected.json */
static int n_fixtures;
static char base[4096];

/* Same members, as sets of JSON values. */
static int same_set(json_object *a, json_object *b)
{
	if (!json_object_is_type(a, json_type_array) || !json_object_is_type(b, json_type_array))
		return 0;
	size_t na = json_object_array_length(a), nb = json_object_array_length(b);
	for (int pass = 0; pass < 2; pass++) {
		json_object *x = pass ? b : a, *y = pass ? a : b;
		size_t nx = pass ? nb : na, ny = pass ? na : nb;
		for (size_t i = 0; i < nx; i++) {
			int found = 0;
			for (size_t j = 0; !found && j < ny; j++)
				found = json_object_equal(json_object_array_get_idx(x, i),
							  json_object_array_get_idx(y, j));
			if (!found)
				return 0;
		}
	}
	return 1;
}

static int same_scope(json_object *got, json_object *want)
{
	json_object *ga, *gd, *wa, *wd;
	return json_object_object_get_ex(got, "allow", &ga) && json_object_object_get_ex(got, "deny", &gd) &&
	       json_object_object_get_ex(want, "allow", &wa) && json_object_object_get_ex(want, "deny", &wd) &&
	       same_set(ga, wa) && same_set(gd, wd);
}

static const char *str(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

START_TEST(fixture)
{
	const char *name = fixtures[_i];
	char path[8192];
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	snprintf(path, sizeof(path), "%s/%s/expected.json", base, name);
	json_object *exp = json_object_from_file(path);
	ck_assert_msg(exp != NULL, "cannot read %s", path);
	const char *platform = str(exp, "platform");
	ck_assert_int_eq(cg_builder_set_platform(b, platform ? platform : "linux"), 0);
	snprintf(path, sizeof(path), "%s/%s/capabilities", base, name);
	cg_builder_add_capability_dir(b, path, d);
	snprintf(path, sizeof(path), "%s/%s/plugins", base, name);
	cg_builder_add_plugins_dir(b, path, d);
	cg_policy *p = NULL;
	int r = cg_builder_build(b, &p, d);
	if (r < 0)
		dump_diag(d);
	ck_assert_msg(r == 0, "%s: policy did not build: %s", name, cg_strerror(r));
	json_object *qs;
	ck_assert(json_object_object_get_ex(exp, "queries", &qs));
	size_t n = json_object_array_length(qs), bad = 0;
	ck_assert_uint_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		json_object *q = json_object_array_get_idx(qs, i);
		const char *origin = str(q, "origin");
		cg_subject *s = NULL;
		ck_assert_int_eq(cg_subject_new(p, str(q, "window"), str(q, "webview"),
						strcmp(origin, "local") == 0 ? NULL : origin, &s), 0);
		cg_decision dc;
		cg_check_command(s, str(q, "command"), &dc);
		const char *want = str(q, "expect");
		json_object *cs = cg_decision_command_scope(&dc), *gs = cg_decision_global_scope(&dc), *w;
		int ok = strcmp(want, dc.allowed ? "allow" : "deny") == 0;
		ok = ok && json_object_object_get_ex(q, "command_scope", &w) && same_scope(cs, w);
		ok = ok && json_object_object_get_ex(q, "global_scope", &w) && same_scope(gs, w);
		if (!ok) {
			char *why = cg_decision_reason(&dc);
			fprintf(stderr, "%s: query %zu (%s, window %s, webview %s, origin %s): want %s, got %s\n"
				"  command scope %s\n  global scope %s\n  reason: %s\n  note: %s\n",
				name, i, str(q, "command"), str(q, "window"), str(q, "webview"), origin, want,
				dc.allowed ? "allow" : "deny", json_object_to_json_string(cs),
				json_object_to_json_string(gs), why, str(q, "note"));
			free(why);
			bad++;
		}
		json_object_put(cs);
		json_object_put(gs);
		cg_subject_free(s);
	}
	ck_assert_msg(bad == 0, "%s: %zu of %zu queries differ (see stderr)", name, bad, n);
	json_object_put(exp);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
}
END_TEST

int main(void)
{
	const char *sh = shared_dir();
	if (!sh) {
		printf("SKIP: ../shared/conformance/tauri-acl is not beside this checkout "
		       "(it is in CI; a user's clone has none)\n");
		return 77;
	}
	snprintf(base, sizeof(base), "%s/conformance/tauri-acl", sh);
	struct dirent **names;
	int n = scandir(base, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char p[8192];
		snprintf(p, sizeof(p), "%s/%s/expected.json", base, names[i]->d_name);
		if (access(p, R_OK) == 0) {
			fixtures = realloc(fixtures, (size_t)(n_fixtures + 1) * sizeof(*fixtures));
			if (!fixtures || !(fixtures[n_fixtures++] = strdup(names[i]->d_name)))
				return 1;
		}
		free(names[i]);
	}
	free(names);
	if (n_fixtures == 0) {
		fprintf(stderr, "no fixtures found under %s\n", base);
		return 1;
	}
	Suite *s = suite_create("conformance");
	TCase *tc = tcase_create("tauri-acl");
	tcase_add_loop_test(tc, fixture, 0, n_fixtures);
	suite_add_tcase(s, tc);
	printf("%d fixtures under %s\n", n_fixtures, base);
	int rc = run_suite(s);
	for (int i = 0; i < n_fixtures; i++)
		free(fixtures[i]);
	free(fixtures);
	return rc;
}
