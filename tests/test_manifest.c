/* Permission manifests: identifiers, permissions, sets, defaults, command
 * names, generated allow-/deny-, cycles and Tauri's acl-manifests.json. */
#include "testutil.h"
#include "base/ident.h"

START_TEST(identifier_rules)
{
	static const char *good[] = {"fs:read", "prefix3:base", "preFix:base", "pre--fix:base--sep",
				     "allow-greet", "core:event:allow-listen", "a", "x1:y2", NULL};
	static const char *bad[] = {"", "tauri-plugin-fs:read", "-fs:read", "fs-:read", "fs:-read",
				    "fs:read-", "fs::read", ":read", "fs:", "a:b:c", "fs:rea d",
				    "fs:read_file", "\xc3\xa9", "core:", NULL};
	for (const char **g = good; *g; g++)
		ck_assert_msg(cg_ident_validate(*g, NULL) == 0, "%s should be valid", *g);
	for (const char **b = bad; *b; b++)
		ck_assert_msg(cg_ident_validate(*b, NULL) == CG_EIDENT, "%s should be invalid", *b);
	char longid[200];
	memset(longid, 'a', sizeof(longid));
	longid[117] = 0;
	ck_assert_int_eq(cg_ident_validate(longid, NULL), CG_EIDENT);
	longid[116] = 0;
	ck_assert_int_eq(cg_ident_validate(longid, NULL), 0);
	ck_assert_uint_eq(cg_ident_prefix_len("core:event:allow-listen"), 10);
	ck_assert_uint_eq(cg_ident_prefix_len("allow-greet"), 0);
}
END_TEST

START_TEST(command_names)
{
	char *s;
	ck_assert_str_eq((s = cg_command_name("", "greet")), "greet");
	free(s);
	ck_assert_str_eq((s = cg_command_name("fs", "read_file")), "plugin:fs|read_file");
	free(s);
	ck_assert_str_eq((s = cg_command_name("core:event", "listen")), "plugin:event|listen");
	free(s);
	ck_assert_str_eq((s = cg_command_ident("set_always_on_top")), "set-always-on-top");
	free(s);
}
END_TEST

#define CAP_FMT "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"%s\"]}"

static int grants(cg_policy *p, const char *cmd)
{
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, cmd, &dc), 0);
	return dc.allowed;
}

static cg_policy *with_cap(const char *plugin, const char *manifest, const char *ident, cg_diag *d)
{
	char cap[512];
	snprintf(cap, sizeof(cap), CAP_FMT, ident);
	return build_policy(plugin, manifest, cap, d);
}

START_TEST(generated_allow_deny)
{
	/* A declared command gets allow-/deny- with '_' -> '-'. */
	cg_diag *d = cg_diag_new();
	const char *m = "{\"permission\": [{\"identifier\": \"x\", \"commands\": {\"allow\": [\"do_thing\"]}}]}";
	cg_policy *p = with_cap("plug", m, "plug:allow-do-thing", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(grants(p, "plugin:plug|do_thing"));
	cg_policy_unref(p);
	p = with_cap("plug", m, "plug:deny-do-thing", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(!grants(p, "plugin:plug|do_thing"));
	cg_policy_unref(p);
	/* app commands from cg_builder_declare_command */
	cg_builder *b = cg_builder_new();
	const char *cap = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"allow-save-file\"]}";
	ck_assert_int_eq(cg_builder_declare_command(b, NULL, "save_file"), 0);
	ck_assert_int_eq(cg_builder_add_capability_json(b, "c.json", cap, strlen(cap), d), 0);
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert(grants(p, "save_file"));
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
}
END_TEST

START_TEST(sets_nest_across_plugins)
{
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	const char *a = "{\"permission\": [{\"identifier\": \"allow-a\", \"commands\": {\"allow\": [\"a\"]}}],"
			"\"set\": [{\"identifier\": \"outer\", \"permissions\": [\"inner\", \"other:allow-b\"]},"
			"          {\"identifier\": \"inner\", \"permissions\": [\"allow-a\"]}]}";
	const char *o = "{\"permission\": [{\"identifier\": \"allow-b\", \"commands\": {\"allow\": [\"b\"]}}]}";
	const char *cap = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"one:outer\"]}";
	cg_builder_add_manifest_json(b, "one", "one.json", a, strlen(a), d);
	cg_builder_add_manifest_json(b, "other", "other.json", o, strlen(o), d);
	cg_builder_add_capability_json(b, "c.json", cap, strlen(cap), d);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert(grants(p, "plugin:one|a"));
	ck_assert(grants(p, "plugin:other|b"));
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
}
END_TEST

START_TEST(cycles_are_errors)
{
	cg_diag *d = cg_diag_new();
	const char *m = "{\"set\": [{\"identifier\": \"a\", \"permissions\": [\"b\"]},\n"
			"{\"identifier\": \"b\", \"permissions\": [\"c\"]},\n"
			"{\"identifier\": \"c\", \"permissions\": [\"a\"]},\n"
			"{\"identifier\": \"self\", \"permissions\": [\"self\"]}]}";
	cg_policy *p = with_cap("plug", m, "plug:a", d);
	ck_assert_ptr_null(p);
	int i = diag_find(d, "includes itself");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(cg_diag_code(d, (size_t)i), CG_ECYCLE);
	ck_assert_str_eq(cg_diag_file(d, (size_t)i), "manifest.json");
	ck_assert_int_ge(diag_find(d, "\"plug:self\" includes itself"), 0);
	cg_diag_free(d);
}
END_TEST

START_TEST(unknown_identifiers)
{
	cg_diag *d = cg_diag_new();
	const char *m = "{\"permission\": [{\"identifier\": \"allow-read-file\", \"commands\": {\"allow\": [\"read_file\"]}}]}";
	cg_policy *p = with_cap("fs", m, "fs:allow-read-fil", d);
	ck_assert_ptr_null(p);
	int i = diag_find(d, "unknown permission \"fs:allow-read-fil\"");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(cg_diag_code(d, (size_t)i), CG_EUNKNOWN);
	ck_assert_str_eq(cg_diag_hint(d, (size_t)i), "did you mean \"fs:allow-read-file\"?");
	ck_assert_uint_eq(cg_diag_line(d, (size_t)i), 1);
	ck_assert_str_eq(cg_diag_pointer(d, (size_t)i), "/permissions/0");
	cg_diag_free(d);
	/* pre-2.0 core identifiers */
	d = cg_diag_new();
	p = with_cap("fs", m, "event:default", d);
	ck_assert_ptr_null(p);
	i = diag_find(d, "unknown permission \"event:default\"");
	ck_assert_int_ge(i, 0);
	ck_assert_ptr_nonnull(strstr(cg_diag_hint(d, (size_t)i), "\"core:event:default\""));
	cg_diag_free(d);
	/* a plugin with no manifest */
	d = cg_diag_new();
	p = with_cap("fs", m, "decorum:allow-show-snap-overlay", d);
	ck_assert_ptr_null(p);
	i = diag_find(d, "unknown permission");
	ck_assert_ptr_nonnull(strstr(cg_diag_hint(d, (size_t)i), "no manifest defines plugin \"decorum\""));
	cg_diag_free(d);
	/* a set member that does not exist */
	d = cg_diag_new();
	p = with_cap("fs", "{\"set\": [{\"identifier\": \"s\", \"permissions\": [\"missing\"]}]}", "fs:s", d);
	ck_assert_ptr_null(p);
	ck_assert_int_ge(diag_find(d, "(member of set \"fs:s\")"), 0);
	cg_diag_free(d);
}
END_TEST

START_TEST(default_sets)
{
	cg_diag *d = cg_diag_new();
	const char *m = "{\"permission\": [{\"identifier\": \"allow-x\", \"commands\": {\"allow\": [\"x\"]}}],"
			" \"default\": {\"description\": \"d\", \"permissions\": [\"allow-x\"]}}";
	cg_policy *p = with_cap("plug", m, "plug:default", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(grants(p, "plugin:plug|x"));
	cg_policy_unref(p);
	/* Tauri accepts x:default for a plugin without one: a warning. */
	p = with_cap("plug", "{\"permission\": [{\"identifier\": \"allow-x\", \"commands\": {\"allow\": [\"x\"]}}]}",
		     "plug:default", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(!grants(p, "plugin:plug|x"));
	int i = diag_find(d, "has no default set");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(cg_diag_severity(d, (size_t)i), CG_SEV_WARNING);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(manifest_errors)
{
	struct { const char *json, *msg, *ptr; unsigned line, col; } cases[] = {
		{"[]", "a permission file must be an object", "", 1, 1},
		{"{\"permission\": {}}", "\"permission\" must be an array", "/permission", 1, 16},
		{"{\"permission\": [{\"description\": \"x\"}]}", "permission has no \"identifier\"", "/permission/0", 1, 17},
		{"{\"permission\": [{\"identifier\": 3}]}", "\"identifier\" must be a string", "/permission/0/identifier", 1, 32},
		{"{\"permission\": [{\"identifier\": \"fs:x\"}]}", "must not contain ':'", "/permission/0/identifier", 1, 32},
		{"{\"permission\": [{\"identifier\": \"x\",\n  \"commands\": {\"allow\": [1]}}]}", "must be a string", "/permission/0/commands/allow/0", 2, 26},
		{"{\"permission\": [{\"identifier\": \"x\", \"commands\": {\"allow\": [\"a|b\"]}}]}", "invalid command name", "/permission/0/commands/allow/0", 1, 60},
		{"{\"permission\": [{\"identifier\": \"x\", \"platforms\": [\"Linux\"]}]}", "unknown platform \"Linux\"", "/permission/0/platforms/0", 1, 51},
		{"{\"permission\": [{\"identifier\": \"x\"}, {\"identifier\": \"x\"}]}", "defined twice", "/permission/1", 1, 38},
		{"{\"set\": [{\"identifier\": \"s\"}]}", "permission set has no \"permissions\"", "/set/0", 1, 10},
		{"{\"permission\": [{\"identifier\": \"x\", \"scope\": {\"allow\": {}}}]}", "scope.allow must be an array", "/permission/0/scope/allow", 1, 56},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		cg_diag *d = cg_diag_new();
		cg_policy *p = build_policy("plug", cases[k].json, NULL, d);
		ck_assert_msg(p == NULL, "case %zu loaded", k);
		int i = diag_find(d, cases[k].msg);
		if (i < 0)
			dump_diag(d);
		ck_assert_msg(i >= 0, "case %zu: no \"%s\"", k, cases[k].msg);
		ck_assert_str_eq(cg_diag_pointer(d, (size_t)i), cases[k].ptr);
		ck_assert_msg(cg_diag_line(d, (size_t)i) == cases[k].line && cg_diag_column(d, (size_t)i) == cases[k].col,
			      "case %zu: at %u:%u, want %u:%u", k, cg_diag_line(d, (size_t)i),
			      cg_diag_column(d, (size_t)i), cases[k].line, cases[k].col);
		ck_assert_str_eq(cg_diag_file(d, (size_t)i), "manifest.json");
		cg_diag_free(d);
	}
}
END_TEST

START_TEST(unknown_manifest_field_warns)
{
	/* Tauri loads these (plugins-workspace's fs/deny-webview-data has one):
	 * a warning, so the lint can show it, but the plugin still loads. */
	cg_diag *d = cg_diag_new();
	cg_policy *p = with_cap("plug", "{\"scope\": {}, \"permission\": [{\"identifier\": \"allow-x\", \"comands\": {}}]}",
				"plug:allow-x", d);
	ck_assert_ptr_nonnull(p);
	int i = diag_find(d, "unknown field \"scope\" in a permission file");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(cg_diag_severity(d, (size_t)i), CG_SEV_WARNING);
	i = diag_find(d, "unknown field \"comands\"");
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(cg_diag_hint(d, (size_t)i), "did you mean \"commands\"?");
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(tauri_acl_manifests)
{
	char path[] = "/tmp/cg-acl-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char *text =
		"{\"__app-acl__\": {\"default_permission\": null, \"permissions\": {\n"
		"   \"allow-greet\": {\"identifier\": \"allow-greet\", \"commands\": {\"allow\": [\"greet\"], \"deny\": []}}},\n"
		"   \"permission_sets\": {}, \"global_scope_schema\": null},\n"
		" \"core:event\": {\"default_permission\": {\"identifier\": \"default\", \"description\": \"d\",\n"
		"   \"permissions\": [\"allow-listen\"]}, \"permissions\": {\"allow-listen\": {\"identifier\": \"allow-listen\",\n"
		"   \"commands\": {\"allow\": [\"listen\"], \"deny\": []}}}, \"permission_sets\": {}, \"global_scope_schema\": null},\n"
		" \"sql\": {\"default_permission\": null, \"permissions\": {\"allow-load\": {\"identifier\": \"allow-load\",\n"
		"   \"commands\": {\"allow\": [\"load\"]}, \"scope\": {}, \"platforms\": null}},\n"
		"   \"permission_sets\": {\"all\": {\"identifier\": \"all\", \"description\": \"x\", \"permissions\": [\"allow-load\"]}}}}\n";
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	const char *cap = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"allow-greet\", \"core:event:default\", \"sql:all\"]}";
	ck_assert_int_eq(cg_builder_add_tauri_manifests(b, path, d), 0);
	ck_assert_int_eq(cg_builder_add_capability_json(b, "c.json", cap, strlen(cap), d), 0);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert(grants(p, "greet"));
	ck_assert(grants(p, "plugin:event|listen"));
	ck_assert(grants(p, "plugin:sql|load"));
	/* The file's core:event replaced the built-in one, whose default also
	 * has emit. */
	ck_assert(!grants(p, "plugin:event|emit"));
	/* Other core modules are still the built-in ones. */
	ck_assert_int_ge(cg_policy_command_id(p, "plugin:window|close"), 0);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	unlink(path);
}
END_TEST

START_TEST(declared_core_commands_keep_builtin)
{
	/* A host that declares the core commands it implements must still
	 * get the built-in core manifests (core:window:default and all). */
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	ck_assert_int_eq(cg_builder_declare_command(b, "core:window", "close"), 0);
	ck_assert_int_eq(cg_builder_declare_command(b, "core:window", "my_extra"), 0);
	const char *cap = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"core:default\", \"core:window:allow-my-extra\"]}";
	cg_builder_add_capability_json(b, "c.json", cap, strlen(cap), d);
	cg_policy *p = NULL;
	if (cg_builder_build(b, &p, d) < 0)
		dump_diag(d);
	ck_assert_ptr_nonnull(p);
	ck_assert(grants(p, "plugin:window|is_visible"));
	ck_assert(grants(p, "plugin:window|my_extra"));
	ck_assert(!grants(p, "plugin:window|close"));
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
}
END_TEST

START_TEST(platform_filter_on_permissions)
{
	cg_diag *d = cg_diag_new();
	const char *m = "{\"permission\": [{\"identifier\": \"allow-x\", \"commands\": {\"allow\": [\"x\"]}, \"platforms\": [\"windows\"]}]}";
	cg_builder *b = cg_builder_new();
	cg_builder_set_platform(b, "windows");
	cg_builder_add_manifest_json(b, "plug", "m.json", m, strlen(m), d);
	const char *cap = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"plug:allow-x\"]}";
	cg_builder_add_capability_json(b, "c.json", cap, strlen(cap), d);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert(grants(p, "plugin:plug|x"));
	cg_policy_unref(p);
	cg_builder_free(b);
	p = with_cap("plug", m, "plug:allow-x", d);
	ck_assert(!grants(p, "plugin:plug|x"));
	cg_policy_unref(p);
	ck_assert_int_eq(cg_builder_set_platform(NULL, "linux"), CG_EINVAL);
	b = cg_builder_new();
	ck_assert_int_eq(cg_builder_set_platform(b, "beos"), CG_EINVAL);
	cg_builder_free(b);
	cg_diag_free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("manifest");
	TCase *tc = tcase_create("manifest");
	tcase_add_test(tc, identifier_rules);
	tcase_add_test(tc, command_names);
	tcase_add_test(tc, generated_allow_deny);
	tcase_add_test(tc, sets_nest_across_plugins);
	tcase_add_test(tc, cycles_are_errors);
	tcase_add_test(tc, unknown_identifiers);
	tcase_add_test(tc, default_sets);
	tcase_add_test(tc, manifest_errors);
	tcase_add_test(tc, unknown_manifest_field_warns);
	tcase_add_test(tc, tauri_acl_manifests);
	tcase_add_test(tc, platform_filter_on_permissions);
	tcase_add_test(tc, declared_core_commands_keep_builtin);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
