/* Permission manifests: identifiers, permissions, sets, defaults, command
 * names, generated allow-/deny-, cycles and Tauri's acl-manifests.json. */
#include "testutil.h"
#include "base/ident.h"

#include <sys/resource.h>
#include <sys/wait.h>

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

/* "x:default" names the plugin's default set and nothing else: not a
 * permission or set whose identifier is "default" (issue 15, item 3). */
START_TEST(default_is_only_the_default_set)
{
	cg_diag *d = cg_diag_new();
	/* A permission called "default", and no default set: nothing. */
	const char *m = "{\"permission\": [{\"identifier\": \"default\", \"commands\": {\"allow\": [\"x\"]}}]}";
	cg_policy *p = with_cap("plug", m, "plug:default", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(!grants(p, "plugin:plug|x"));
	int i = diag_find(d, "has no default set: \"plug:default\" grants nothing");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(cg_diag_severity(d, (size_t)i), CG_SEV_WARNING);
	/* It is not listed as something an identifier can name. */
	for (size_t k = 0; k < cg_policy_permission_count(p); k++)
		ck_assert_str_ne(cg_policy_permission_id(p, k), "plug:default");
	cg_policy_unref(p);
	/* A set called "default" beside the real default set: both load, and
	 * "plug:default" is the default set's. */
	m = "{\"permission\": [{\"identifier\": \"allow-x\", \"commands\": {\"allow\": [\"x\"]}},"
	    "                  {\"identifier\": \"allow-y\", \"commands\": {\"allow\": [\"y\"]}}],"
	    " \"set\": [{\"identifier\": \"default\", \"permissions\": [\"allow-y\"]}],"
	    " \"default\": {\"permissions\": [\"allow-x\"]}}";
	cg_diag_free(d);
	d = cg_diag_new();
	p = with_cap("plug", m, "plug:default", d);
	if (!p)
		dump_diag(d);
	ck_assert_ptr_nonnull(p);
	ck_assert(grants(p, "plugin:plug|x"));
	ck_assert(!grants(p, "plugin:plug|y"));
	size_t listed = 0;
	for (size_t k = 0; k < cg_policy_permission_count(p); k++)
		listed += strcmp(cg_policy_permission_id(p, k), "plug:default") == 0;
	ck_assert_uint_eq(listed, 1);
	cg_policy_unref(p);
	/* A set member "default" is the default set too, not the set. */
	m = "{\"permission\": [{\"identifier\": \"allow-x\", \"commands\": {\"allow\": [\"x\"]}},"
	    "                  {\"identifier\": \"allow-y\", \"commands\": {\"allow\": [\"y\"]}}],"
	    " \"set\": [{\"identifier\": \"default\", \"permissions\": [\"allow-y\"]},"
	    "          {\"identifier\": \"outer\", \"permissions\": [\"default\"]}],"
	    " \"default\": {\"permissions\": [\"allow-x\"]}}";
	p = with_cap("plug", m, "plug:outer", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(grants(p, "plugin:plug|x"));
	ck_assert(!grants(p, "plugin:plug|y"));
	cg_policy_unref(p);
	/* Two default sets are still one too many. */
	cg_builder *b = cg_builder_new();
	const char *def = "{\"default\": {\"permissions\": []}}";
	cg_builder_add_manifest_json(b, "plug", "a.json", def, strlen(def), d);
	cg_builder_add_manifest_json(b, "plug", "b.json", def, strlen(def), d);
	ck_assert_int_ge(diag_find(d, "the default set of plugin \"plug\" is defined twice"), 0);
	cg_builder_free(b);
	cg_diag_free(d);
	/* The app's own: "default" without a prefix. */
	d = cg_diag_new();
	b = cg_builder_new();
	m = "{\"permission\": [{\"identifier\": \"default\", \"commands\": {\"allow\": [\"greet\"]}}]}";
	const char *cap = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"default\"]}";
	cg_builder_add_manifest_json(b, NULL, "app.json", m, strlen(m), d);
	cg_builder_add_capability_json(b, "c.json", cap, strlen(cap), d);
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert(!grants(p, "greet"));
	ck_assert_int_ge(diag_find(d, "the app has no default set: \"default\" grants nothing"), 0);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
}
END_TEST

/* The same in acl-manifests.json: "permissions" holding a "default" and
 * "default_permission": null grant nothing for "x:default". */
START_TEST(default_in_tauri_manifests)
{
	char path[] = "/tmp/cg-acl-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char *text =
		"{\"sql\": {\"default_permission\": null, \"permissions\": {\"default\": {\"identifier\": \"default\",\n"
		"   \"commands\": {\"allow\": [\"execute\"]}}}, \"permission_sets\": {}}}\n";
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	const char *cap = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"sql:default\"]}";
	ck_assert_int_eq(cg_builder_add_tauri_manifests(b, path, d), 0);
	ck_assert_int_eq(cg_builder_add_capability_json(b, "c.json", cap, strlen(cap), d), 0);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert(!grants(p, "plugin:sql|execute"));
	ck_assert_int_ge(diag_find(d, "\"sql:default\" grants nothing"), 0);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	unlink(path);
}
END_TEST

/* A set member "p:default" (or "default") for a plugin without a default
 * set grants nothing and loads, as in Tauri (issue 15, item 4). */
START_TEST(member_default_without_one)
{
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	const char *m = "{\"permission\": [{\"identifier\": \"allow-x\", \"commands\": {\"allow\": [\"x\"]}}],"
			" \"set\": [{\"identifier\": \"s\", \"permissions\": [\"allow-x\", \"other:default\", \"default\"]}]}";
	const char *o = "{\"permission\": [{\"identifier\": \"allow-y\", \"commands\": {\"allow\": [\"y\"]}}]}";
	const char *cap = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"plug:s\"]}";
	cg_builder_add_manifest_json(b, "plug", "plug.json", m, strlen(m), d);
	cg_builder_add_manifest_json(b, "other", "other.json", o, strlen(o), d);
	cg_builder_add_capability_json(b, "c.json", cap, strlen(cap), d);
	cg_policy *p = NULL;
	if (cg_builder_build(b, &p, d) < 0)
		dump_diag(d);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(cg_diag_error_count(d), 0);
	ck_assert(grants(p, "plugin:plug|x"));
	ck_assert(!grants(p, "plugin:other|y"));
	int i = diag_find(d, "\"other:default\" in set \"plug:s\" grants nothing: plugin \"other\" has no default set");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(cg_diag_severity(d, (size_t)i), CG_SEV_WARNING);
	ck_assert_str_eq(cg_diag_pointer(d, (size_t)i), "/set/0/permissions/1");
	ck_assert_int_ge(diag_find(d, "\"default\" in set \"plug:s\" grants nothing: plugin \"plug\" has no default set"), 0);
	for (size_t k = 0; k < cg_diag_count(d); k++)
		ck_assert(!cg_diag_hint(d, k) || !strstr(cg_diag_hint(d, k), "core:default"));
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
}
END_TEST

/* Broken sets that only capabilities for other platforms reach are
 * warnings, like unknown identifiers there; the decision is made (issue
 * 15, item 5). For this platform they stay errors. */
START_TEST(broken_sets_for_other_platforms_warn)
{
	const char *m = "{\"permission\": [{\"identifier\": \"allow-x\", \"commands\": {\"allow\": [\"x\"]}}],"
			" \"set\": [{\"identifier\": \"loop\", \"permissions\": [\"loop2\"]},"
			"          {\"identifier\": \"loop2\", \"permissions\": [\"loop\"]},"
			"          {\"identifier\": \"hole\", \"permissions\": [\"missing\"]}]}";
	for (int mac = 0; mac < 2; mac++) {
		char cap[512];
		snprintf(cap, sizeof(cap),
			 "[{\"identifier\": \"mac\", \"windows\": [\"main\"], \"platforms\": [\"%s\"],"
			 "  \"permissions\": [\"plug:loop\", \"plug:hole\"]},"
			 " {\"identifier\": \"here\", \"windows\": [\"main\"], \"permissions\": [\"plug:allow-x\"]}]",
			 mac ? "macOS" : "linux");
		cg_diag *d = cg_diag_new();
		cg_policy *p = build_policy("plug", m, cap, d);
		int c = diag_find(d, "includes itself"), h = diag_find(d, "unknown permission \"missing\"");
		ck_assert_int_ge(c, 0);
		ck_assert_int_ge(h, 0);
		if (mac) {
			if (!p)
				dump_diag(d);
			ck_assert_ptr_nonnull(p);
			ck_assert_int_eq(cg_diag_severity(d, (size_t)c), CG_SEV_WARNING);
			ck_assert_int_eq(cg_diag_severity(d, (size_t)h), CG_SEV_WARNING);
			ck_assert(grants(p, "plugin:plug|x"));
		} else {
			ck_assert_ptr_null(p);
			ck_assert_int_eq(cg_diag_severity(d, (size_t)c), CG_SEV_ERROR);
			ck_assert_int_eq(cg_diag_severity(d, (size_t)h), CG_SEV_ERROR);
		}
		cg_policy_unref(p);
		cg_diag_free(d);
	}
}
END_TEST

/* --------------------------------------------------- set graphs (item 2) */

/* A manifest whose sets make an exponential number of paths: levels sets,
 * each naming the next one width times (levels 7, width 32: 1.5 KB, 32^7
 * paths), then one permission. */
static char *fan_manifest(int levels, int width)
{
	size_t cap = 1u << 20, n = 0;
	char *m = malloc(cap);
	n += (size_t)snprintf(m + n, cap - n, "{\"permission\": [{\"identifier\": \"allow-a\", \"commands\": {\"allow\": [\"a\"]}}],\n \"set\": [");
	for (int l = 0; l < levels; l++) {
		n += (size_t)snprintf(m + n, cap - n, "%s{\"identifier\": \"s%d\", \"permissions\": [", l ? ",\n" : "", l);
		for (int k = 0; k < width; k++)
			n += (size_t)snprintf(m + n, cap - n, "%s\"s%d\"", k ? "," : "", l + 1);
		n += (size_t)snprintf(m + n, cap - n, "]}");
	}
	snprintf(m + n, cap - n, ",\n{\"identifier\": \"s%d\", \"permissions\": [\"allow-a\"]}]}", levels);
	return m;
}

/* Diamonds: each level has two sets, each naming both sets of the next
 * level (2^levels paths in a few KB). */
static char *diamond_manifest(int levels)
{
	size_t cap = 1u << 20, n = 0;
	char *m = malloc(cap);
	n += (size_t)snprintf(m + n, cap - n, "{\"permission\": [{\"identifier\": \"allow-b\", \"commands\": {\"allow\": [\"b\"]}}],\n \"set\": [");
	for (int l = 0; l < levels; l++)
		for (int k = 0; k < 2; k++)
			n += (size_t)snprintf(m + n, cap - n, "%s{\"identifier\": \"d%d-%d\", \"permissions\": [\"d%d-0\", \"d%d-1\"]}",
					      l || k ? ",\n" : "", l, k, l + 1, l + 1);
	snprintf(m + n, cap - n, ",\n{\"identifier\": \"d%d-0\", \"permissions\": [\"allow-b\"]},"
		 "{\"identifier\": \"d%d-1\", \"permissions\": []}]}", levels, levels);
	return m;
}

#if !defined(__SANITIZE_ADDRESS__)
static bool under_valgrind(void)
{
	const char *pre = getenv("LD_PRELOAD");
	return pre && strstr(pre, "vgpreload");
}
#endif

/* Loads, lints and audits the exponential manifests in a child whose
 * address space is limited to what it uses now plus limit_mb: 0 when
 * all of it worked. */
static int set_graphs_child(size_t limit_mb)
{
#if !defined(__SANITIZE_ADDRESS__)
	/* (ASan reserves terabytes of address space; valgrind keeps its own
	 * books: there the limit is not set, the answers are still checked.) */
	if (!under_valgrind()) {
		unsigned long vm_kb = 0;
		char line[256];
		FILE *f = fopen("/proc/self/status", "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "VmSize: %lu kB", &vm_kb) == 1)
				break;
		if (f)
			fclose(f);
		if (!vm_kb)
			return 10;
		struct rlimit rl;
		rl.rlim_cur = rl.rlim_max = (rlim_t)vm_kb * 1024 + (rlim_t)limit_mb * 1024 * 1024;
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			return 11;
	}
#else
	(void)limit_mb;
#endif
	char *fan = fan_manifest(7, 32), *dia = diamond_manifest(60);
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	/* One capability names the top sets, one names none of them. */
	const char *caps = "[{\"identifier\": \"uses\", \"windows\": [\"main\"], \"permissions\": [\"fan:s0\", \"dia:d0-0\"]},"
			   " {\"identifier\": \"other\", \"windows\": [\"other\"], \"permissions\": [\"core:default\"]}]";
	cg_builder_add_manifest_json(b, "fan", "fan.json", fan, strlen(fan), d);
	cg_builder_add_manifest_json(b, "dia", "dia.json", dia, strlen(dia), d);
	cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), d);
	cg_lint *l = NULL;
	ck_assert_int_eq(cg_lint_new(&l), 0);
	cg_diag *ld = cg_diag_new();
	int rc = 0;
	if (cg_lint_run(l, b, ld) != 0)
		rc = 20;
	cg_policy *p = NULL;
	if (!rc && cg_builder_build(b, &p, d) != 0)
		rc = 21;
	cg_decision dc;
	if (!rc && (cg_check_str(p, "main", NULL, NULL, "plugin:fan|a", &dc) != 0 || !dc.allowed))
		rc = 22;
	if (!rc && (cg_check_str(p, "main", NULL, NULL, "plugin:dia|b", &dc) != 0 || !dc.allowed))
		rc = 23;
	if (!rc && (cg_check_str(p, "other", NULL, NULL, "plugin:fan|a", &dc) != 0 || dc.allowed))
		rc = 24;
	static const char *const labels[] = {"main", "other"};
	json_object *audit = NULL;
	if (!rc && cg_policy_audit(p, labels, 2, &audit) < 0)
		rc = 25;
	if (rc)
		dump_diag(rc == 20 ? ld : d);
	json_object_put(audit);
	cg_policy_unref(p);
	cg_diag_free(ld);
	cg_lint_free(l);
	cg_builder_free(b);
	cg_diag_free(d);
	free(fan);
	free(dia);
	return rc;
}

/* Sets that name other sets many times over (7 sets naming the next one
 * 32 times; 60 levels of diamonds) load, lint and audit in a small
 * memory limit: each set is expanded once and its members deduplicated
 * (issue 15, item 2). Before, the first took 32^7 pointers and GLib
 * aborted. */
START_TEST(set_graphs_stay_linear)
{
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(set_graphs_child(256));
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "the child died of signal %d (out of memory?)",
		      WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	ck_assert_msg(WEXITSTATUS(st) == 0, "the child failed with %d", WEXITSTATUS(st));
}
END_TEST

/* Whatever the expansion work allowed, going over it is a located error
 * at the entry, never an abort. */
START_TEST(expansion_limit_is_located)
{
	char m[8192];
	size_t n = (size_t)snprintf(m, sizeof(m), "{\"permission\": [");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(m + n, sizeof(m) - n, "%s{\"identifier\": \"p%d\", \"commands\": {\"allow\": [\"c%d\"]}}",
				      i ? "," : "", i, i);
	n += (size_t)snprintf(m + n, sizeof(m) - n, "], \"set\": [{\"identifier\": \"all\", \"permissions\": [");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(m + n, sizeof(m) - n, "%s\"p%d\"", i ? "," : "", i);
	snprintf(m + n, sizeof(m) - n, "]}]}");
	const char *cap = "{\"identifier\": \"c\", \"windows\": [\"main\"],\n \"permissions\": [\"plug:p1\",\n  \"plug:all\"]}";
	for (int tight = 0; tight < 2; tight++) {
		cg_diag *d = cg_diag_new();
		cg_builder *b = cg_builder_new();
		ck_assert_int_eq(cg_builder_set_limit(b, CG_LIMIT_EXPANSION, tight ? 50 : 1000), 0);
		cg_builder_add_manifest_json(b, "plug", "m.json", m, strlen(m), d);
		cg_builder_add_capability_json(b, "c.json", cap, strlen(cap), d);
		cg_policy *p = NULL;
		int r = cg_builder_build(b, &p, d);
		if (!tight) {
			ck_assert_int_eq(r, 0);
			ck_assert(grants(p, "plugin:plug|c39"));
		} else {
			ck_assert_int_eq(r, CG_ELIMIT);
			ck_assert_ptr_null(p);
			int i = diag_find(d, "resolving \"plug:all\" in capability \"c\" goes over the limit of 50");
			ck_assert_int_ge(i, 0);
			ck_assert_str_eq(cg_diag_file(d, (size_t)i), "c.json");
			ck_assert_uint_eq(cg_diag_line(d, (size_t)i), 3);
			ck_assert_uint_eq(cg_diag_column(d, (size_t)i), 3);
			ck_assert_str_eq(cg_diag_pointer(d, (size_t)i), "/permissions/1");
			ck_assert_int_eq(cg_diag_code(d, (size_t)i), CG_ELIMIT);
		}
		cg_policy_unref(p);
		cg_builder_free(b);
		cg_diag_free(d);
	}
	ck_assert_int_eq(cg_builder_set_limit(NULL, CG_LIMIT_EXPANSION, 1), CG_EINVAL);
}
END_TEST

/* Nesting: one set over the limit is an error at that set; a limit raised
 * far beyond the C stack's depth still works (the walk keeps its own
 * stack). */
START_TEST(deep_sets)
{
	int levels = 20000;
	size_t cap = (size_t)levels * 64 + 256, n = 0;
	char *m = malloc(cap);
	n += (size_t)snprintf(m + n, cap - n, "{\"permission\": [{\"identifier\": \"allow-a\", \"commands\": {\"allow\": [\"a\"]}}],\n \"set\": [");
	for (int l = 0; l < levels; l++)
		n += (size_t)snprintf(m + n, cap - n, "{\"identifier\": \"s%d\", \"permissions\": [\"s%d\"]},\n", l, l + 1);
	snprintf(m + n, cap - n, "{\"identifier\": \"s%d\", \"permissions\": [\"allow-a\"]}]}", levels);
	const char *capj = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"plug:s0\"]}";
	for (int raised = 0; raised < 2; raised++) {
		cg_diag *d = cg_diag_new();
		cg_builder *b = cg_builder_new();
		if (raised)
			ck_assert_int_eq(cg_builder_set_limit(b, CG_LIMIT_SET_DEPTH, (size_t)levels + 1), 0);
		cg_builder_add_manifest_json(b, "plug", "m.json", m, strlen(m), d);
		cg_builder_add_capability_json(b, "c.json", capj, strlen(capj), d);
		cg_policy *p = NULL;
		int r = cg_builder_build(b, &p, d);
		if (raised) {
			ck_assert_int_eq(r, 0);
			ck_assert(grants(p, "plugin:plug|a"));
		} else {
			ck_assert_int_eq(r, CG_ELIMIT);
			/* s19935 has 65 levels of sets inside it */
			int i = diag_find(d, "permission set \"plug:s19935\" nests too deeply: 65 levels");
			if (i < 0)
				dump_diag(d);
			ck_assert_int_ge(i, 0);
			ck_assert_str_eq(cg_diag_file(d, (size_t)i), "m.json");
			ck_assert_str_eq(cg_diag_pointer(d, (size_t)i), "/set/19935");
			ck_assert_int_eq(cg_diag_severity(d, (size_t)i), CG_SEV_ERROR);
			/* once, not once per set above it */
			ck_assert_int_eq(diag_find(d, "nests too deeply") , i);
			size_t k = 0;
			for (size_t j = 0; j < cg_diag_count(d); j++)
				k += strstr(cg_diag_message(d, j), "nests too deeply") != NULL;
			ck_assert_uint_eq(k, 1);
		}
		cg_policy_unref(p);
		cg_builder_free(b);
		cg_diag_free(d);
	}
	free(m);
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
	tcase_add_test(tc, default_is_only_the_default_set);
	tcase_add_test(tc, default_in_tauri_manifests);
	tcase_add_test(tc, member_default_without_one);
	tcase_add_test(tc, broken_sets_for_other_platforms_warn);
	tcase_add_test(tc, set_graphs_stay_linear);
	tcase_add_test(tc, expansion_limit_is_located);
	tcase_add_test(tc, deep_sets);
	tcase_add_test(tc, manifest_errors);
	tcase_add_test(tc, unknown_manifest_field_warns);
	tcase_add_test(tc, tauri_acl_manifests);
	tcase_add_test(tc, platform_filter_on_permissions);
	tcase_add_test(tc, declared_core_commands_keep_builtin);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
