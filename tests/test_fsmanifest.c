/*
 * The fs plugin's embedded manifest (plugins/fs/manifest.h) end to end:
 * capability files that name Tauri's fs permissions are built into a
 * policy with it, a call's decision gives the command and global scopes,
 * and the compiled fs scope (plugins/fs/scope.h) says which paths the call
 * may touch, as Tauri would. Tauri's own quirks included: fs:default
 * grants the read commands with no path at all.
 */
#include "fs/manifest.h"
#include "fs/scope.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>

#include "testutil.h"

static char HOME[] = "/home/u";
static cg_paths *paths;

static const char *fake_getenv(void *ud, const char *name)
{
	(void)ud;
	return strcmp(name, "HOME") == 0 ? HOME : NULL;
}

static const char *no_passwd(void *ud)
{
	(void)ud;
	return NULL;
}

static void setup(void)
{
	cg_paths_config cfg = {"com.test.app", "/opt/app", fake_getenv, no_passwd, NULL};
	ck_assert_int_eq(cg_paths_new(&cfg, &paths), 0);
}

static void teardown(void)
{
	cg_paths_free(paths);
	paths = NULL;
}

static cg_policy *policy(const char *caps)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = build_policy("fs", cg_fs_permissions_json, caps, d);
	if (!p || cg_diag_error_count(d))
		dump_diag(d);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(cg_diag_error_count(d), 0);
	cg_diag_free(d);
	return p;
}

/* The fs scope of window "main" calling plugin:fs|cmd, or NULL when the
 * command itself is refused. */
static cg_fs_scope *scope_for(cg_policy *p, const char *cmd)
{
	char name[128];
	cg_decision dc;
	snprintf(name, sizeof(name), "plugin:fs|%s", cmd);
	ck_assert_int_eq(cg_check_str(p, "main", "main", NULL, name, &dc), 0);
	if (!dc.allowed)
		return NULL;
	json_object *sc[2] = {cg_decision_global_scope(&dc), cg_decision_command_scope(&dc)};
	cg_fs_scope *s = NULL;
	cg_diag *d = cg_diag_new();
	ck_assert_int_eq(cg_fs_scope_new(paths, sc, 2, 0, &s, d), 0);
	cg_diag_free(d);
	json_object_put(sc[0]);
	json_object_put(sc[1]);
	return s;
}

static void want(const cg_fs_scope *s, const char *path, cg_fs_verdict v)
{
	cg_fs_why why;
	cg_fs_verdict got = cg_fs_check(s, NULL, path, &why);
	ck_assert_msg(got == v, "%s: verdict %d, want %d (%s)", path, got, v,
		      why.entry ? why.entry : "no entry");
}

#define APPDATA "/home/u/.local/share/com.test.app"

START_TEST(test_manifest_loads)
{
	cg_policy *p = policy("{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": []}");
	/* The official identifiers, the newest release's included. */
	static const char *const ids[] = {"fs:default", "fs:allow-read-text-file", "fs:deny-write-file",
					  "fs:allow-appdata-read-recursive", "fs:scope-home-recursive",
					  "fs:read-all", "fs:write-all", "fs:allow-size",
					  "fs:deny-webview-data-linux"};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		bool found = false;
		for (size_t k = 0; k < cg_policy_permission_count(p) && !found; k++)
			found = strcmp(cg_policy_permission_id(p, k), ids[i]) == 0;
		ck_assert_msg(found, "%s is not in the embedded manifest", ids[i]);
	}
	ck_assert_int_ge(cg_policy_command_id(p, "plugin:fs|read_text_file"), 0);
	ck_assert_int_ge(cg_policy_command_id(p, "plugin:fs|size"), 0);
	cg_policy_unref(p);
}
END_TEST

/* fs:default as Tauri ships it: the read commands and mkdir, but its
 * scope permissions are listed as commands, so no path is reachable. */
START_TEST(test_default_grants_no_path)
{
	cg_policy *p = policy("{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"fs:default\"]}");
	cg_fs_scope *s = scope_for(p, "read_text_file");
	ck_assert_ptr_nonnull(s);
	want(s, APPDATA "/notes.txt", CG_FS_NOT_ALLOWED);
	cg_fs_scope_free(s);
	ck_assert_ptr_null(scope_for(p, "write_text_file"));
	ck_assert_ptr_null(scope_for(p, "remove"));
	cg_policy_unref(p);
}
END_TEST

/* A set that pairs commands with a base directory's scope, an inline
 * command scope, and a scope-only entry (the global scope): global U
 * command scope, deny first, leading dots protected. A set's entry is one
 * unit (docs/capabilities.md, "How a call is decided"): its scope goes to
 * its own commands, not to the global scope. */
START_TEST(test_sets_scopes_and_deny)
{
	cg_policy *p = policy(
		"{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": ["
		" \"fs:allow-appdata-read-recursive\","
		" {\"identifier\": \"fs:allow-write-text-file\", \"allow\": [{\"path\": \"$HOME/notes/**\"}]},"
		" {\"identifier\": \"fs:scope\", \"allow\": [{\"path\": \"$TEMP/app/**\"}],"
		"  \"deny\": [{\"path\": \"$APPDATA/secret/**\"}]}"
		"]}");
	cg_fs_scope *r = scope_for(p, "read_text_file"), *w = scope_for(p, "write_text_file");
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(w);
	want(r, APPDATA, CG_FS_ALLOWED);
	want(r, APPDATA "/db/x.json", CG_FS_ALLOWED);
	want(r, APPDATA "/secret/k", CG_FS_DENIED);
	want(r, APPDATA "/.hidden", CG_FS_NOT_ALLOWED);
	want(r, "/home/u/notes/a.md", CG_FS_NOT_ALLOWED); /* write's scope only */
	want(r, "/home/u/.local/share/other/x", CG_FS_NOT_ALLOWED);
	want(r, "/tmp/app/x", CG_FS_ALLOWED);
	/* The global scope serves every command; the set's only its own. */
	want(w, "/home/u/notes/a.md", CG_FS_ALLOWED);
	want(w, "/home/u/notes/sub/b.md", CG_FS_ALLOWED);
	want(w, "/tmp/app/x", CG_FS_ALLOWED);
	want(w, APPDATA "/db/x.json", CG_FS_NOT_ALLOWED);
	want(w, APPDATA "/secret/k", CG_FS_DENIED);
	want(w, "/home/u/notes/../.ssh/id", CG_FS_BAD_PATH);
	ck_assert_ptr_null(scope_for(p, "remove"));
	cg_fs_scope_free(r);
	cg_fs_scope_free(w);
	cg_policy_unref(p);
}
END_TEST

/* Another window of the same app gets nothing from the capability. */
START_TEST(test_other_window)
{
	cg_policy *p = policy("{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": "
			      "[\"fs:allow-home-read-recursive\"]}");
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(p, "other", "other", NULL, "plugin:fs|read_file", &dc), 0);
	ck_assert_int_eq(dc.allowed, 0);
	cg_fs_scope *s = scope_for(p, "read_file");
	ck_assert_ptr_nonnull(s);
	want(s, "/home/u/Documents/a.pdf", CG_FS_ALLOWED);
	want(s, "/home/u/.ssh/id_ed25519", CG_FS_NOT_ALLOWED);
	want(s, "/etc/passwd", CG_FS_NOT_ALLOWED);
	cg_fs_scope_free(s);
	cg_policy_unref(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fsmanifest");
	TCase *tc = tcase_create("manifest");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_manifest_loads);
	tcase_add_test(tc, test_default_grants_no_path);
	tcase_add_test(tc, test_sets_scopes_and_deny);
	tcase_add_test(tc, test_other_window);
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
