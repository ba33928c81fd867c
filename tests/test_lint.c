/* The lint: every rule with a file that triggers it and one that does not,
 * the engine's own findings under their rules, recovery past broken files,
 * locations, replacements and the app config's windows. */
#include "testutil.h"

#include <stdarg.h>

/* fs: files (dangerous); http: network with URL scopes. */
static const char *FS =
	"{\"permission\": ["
	" {\"identifier\": \"allow-read-file\", \"commands\": {\"allow\": [\"read_file\"]}},"
	" {\"identifier\": \"allow-write-file\", \"commands\": {\"allow\": [\"write_file\"]}},"
	" {\"identifier\": \"deny-write-file\", \"commands\": {\"deny\": [\"write_file\"]}},"
	" {\"identifier\": \"scope-home\", \"scope\": {\"allow\": [{\"path\": \"$HOME/**\"}]}},"
	" {\"identifier\": \"scope-appdata\", \"scope\": {\"allow\": [{\"path\": \"$APPDATA/**\"}]}},"
	" {\"identifier\": \"mobile-only\", \"commands\": {\"allow\": [\"share\"]}, \"platforms\": [\"android\", \"iOS\"]}"
	"],"
	"\"set\": [{\"identifier\": \"read-all\", \"description\": \"read and write\","
	"          \"permissions\": [\"allow-read-file\", \"allow-write-file\"]}],"
	"\"default\": {\"permissions\": [\"allow-read-file\"]}}";

static const char *HTTP =
	"{\"permission\": [{\"identifier\": \"allow-fetch\", \"commands\": {\"allow\": [\"fetch\"]}}],"
	"\"default\": {\"permissions\": [\"allow-fetch\"]}}";

static char tmpdir[] = "/tmp/cg-lint-XXXXXX";
static int nfile;

static char *write_tmp(const char *name, const char *text)
{
	static char path[8][4096];
	char *p = path[nfile++ % 8];
	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return p;
}

typedef struct result {
	cg_diag *d;
	int errors;
} result;

/* Lints capability files (NULL-terminated JSON texts, written to files
 * c0.json, c1.json, ...) with the fs and http manifests; config is JSON
 * text for an app config named cfg_name, or NULL. */
static result lint_files(const char *cfg_name, const char *config, const char *const *caps,
			 const char *disable)
{
	result r = {cg_diag_new(), 0};
	cg_builder *b = cg_builder_new();
	cg_diag *scratch = cg_diag_new();
	cg_lint *l = NULL;
	ck_assert_int_eq(cg_lint_new(&l), 0);
	ck_assert_ptr_nonnull(l);
	cg_builder_add_manifest_json(b, "fs", "fs.json", FS, strlen(FS), scratch);
	cg_builder_add_manifest_json(b, "http", "http.json", HTTP, strlen(HTTP), scratch);
	for (int i = 0; caps[i]; i++) {
		char name[32];
		snprintf(name, sizeof(name), "c%d.json", i);
		cg_builder_add_capability_file(b, write_tmp(name, caps[i]), scratch);
	}
	if (config)
		ck_assert_int_eq(cg_lint_set_app_config(l, write_tmp(cfg_name, config), r.d), 0);
	if (disable)
		ck_assert_int_eq(cg_lint_disable(l, disable), 0);
	r.errors = cg_lint_run(l, b, r.d);
	ck_assert_int_ge(r.errors, 0);
	cg_lint_free(l);
	cg_diag_free(scratch);
	cg_builder_free(b);
	return r;
}

static result lint1(const char *cap)
{
	const char *caps[] = {cap, NULL};
	return lint_files(NULL, NULL, caps, NULL);
}

static int count(const result *r, const char *rule)
{
	int n = 0;
	for (size_t i = 0; i < cg_diag_count(r->d); i++)
		if (cg_diag_rule(r->d, i) && strcmp(cg_diag_rule(r->d, i), rule) == 0)
			n++;
	return n;
}

static int first(const result *r, const char *rule)
{
	for (size_t i = 0; i < cg_diag_count(r->d); i++)
		if (cg_diag_rule(r->d, i) && strcmp(cg_diag_rule(r->d, i), rule) == 0)
			return (int)i;
	return -1;
}

/* Asserts that cap triggers rule (at least once, at severity sev) and
 * that clean does not. */
static void both_ways(const char *rule, cg_severity sev, const char *cap, const char *clean)
{
	result r = lint1(cap);
	int i = first(&r, rule);
	if (i < 0)
		dump_diag(r.d);
	ck_assert_msg(i >= 0, "%s not reported for %s", rule, cap);
	ck_assert_int_eq(cg_diag_severity(r.d, (size_t)i), sev);
	ck_assert_ptr_nonnull(cg_diag_file(r.d, (size_t)i));
	ck_assert_uint_gt(cg_diag_line(r.d, (size_t)i), 0);
	ck_assert_ptr_nonnull(cg_diag_hint(r.d, (size_t)i));
	cg_diag_free(r.d);
	r = lint1(clean);
	if (count(&r, rule))
		dump_diag(r.d);
	ck_assert_msg(count(&r, rule) == 0, "%s reported for %s", rule, clean);
	cg_diag_free(r.d);
}

#define CAP(rest) "{\"identifier\": \"c\", " rest "}"
#define MAIN(perms) CAP("\"windows\": [\"main\"], \"permissions\": [" perms "]")
#define ALL(perms) CAP("\"windows\": [\"*\"], \"permissions\": [" perms "]")
#define REMOTE(url, perms) CAP("\"windows\": [\"main\"], \"remote\": {\"urls\": [\"" url "\"]}, " \
			       "\"permissions\": [" perms "]")

/* ----------------------------------------------------- engine's findings */

START_TEST(unknown_with_replacement)
{
	result r = lint1(MAIN("\"core:default\",\n  \"fs:alow-read-file\""));
	int i = first(&r, "unknown-permission");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(cg_diag_severity(r.d, (size_t)i), CG_SEV_ERROR);
	ck_assert_str_eq(cg_diag_pointer(r.d, (size_t)i), "/permissions/1");
	ck_assert_uint_eq(cg_diag_line(r.d, (size_t)i), 2);
	ck_assert_uint_eq(cg_diag_column(r.d, (size_t)i), 3);
	ck_assert_str_eq(cg_diag_replacement(r.d, (size_t)i), "\"fs:allow-read-file\"");
	ck_assert_int_eq(r.errors, 1);
	cg_diag_free(r.d);
	both_ways("unknown-permission", CG_SEV_ERROR, MAIN("\"fs:nope\""), MAIN("\"fs:allow-read-file\""));
}
END_TEST

START_TEST(engine_rules)
{
	both_ways("json-syntax", CG_SEV_ERROR, "{\"identifier\": \"c\",", MAIN("\"fs:default\""));
	both_ways("schema", CG_SEV_ERROR,
		  CAP("\"windows\": [\"main\"], \"widnows\": [], \"permissions\": []"), MAIN(""));
	both_ways("bad-pattern", CG_SEV_ERROR, CAP("\"windows\": [\"[main\"], \"permissions\": []"), MAIN(""));
	both_ways("bad-identifier", CG_SEV_ERROR, MAIN("\"fs:allow read\""), MAIN("\"fs:allow-read-file\""));
	const char *dup[] = {MAIN(""), MAIN(""), NULL};
	result r = lint_files(NULL, NULL, dup, NULL);
	ck_assert_int_ge(first(&r, "duplicate"), 0);
	cg_diag_free(r.d);
}
END_TEST

START_TEST(cycle)
{
	const char *cyc = "{\"set\": [{\"identifier\": \"a\", \"description\": \"a\", \"permissions\": [\"b\"]},"
			  "         {\"identifier\": \"b\", \"description\": \"b\", \"permissions\": [\"a\"]}]}";
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new(), *scratch = cg_diag_new();
	cg_lint *l = NULL;
	ck_assert_int_eq(cg_lint_new(&l), 0);
	cg_builder_add_manifest_json(b, "loop", "loop.json", cyc, strlen(cyc), scratch);
	const char *cap = MAIN("\"loop:a\"");
	cg_builder_add_capability_json(b, "c.json", cap, strlen(cap), scratch);
	ck_assert_int_gt(cg_lint_run(l, b, d), 0);
	int found = 0;
	for (size_t i = 0; i < cg_diag_count(d); i++)
		found |= strcmp(cg_diag_rule(d, i), "permission-cycle") == 0;
	ck_assert(found);
	cg_lint_free(l);
	cg_diag_free(d);
	cg_diag_free(scratch);
	cg_builder_free(b);
}
END_TEST

/* A broken file does not hide what is wrong with the others. */
START_TEST(recovers_past_broken_files)
{
	const char *caps[] = {"{\"identifier\": ", ALL("\"fs:allow-read-file\""), NULL};
	result r = lint_files(NULL, NULL, caps, NULL);
	ck_assert_int_ge(first(&r, "json-syntax"), 0);
	ck_assert_int_ge(first(&r, "broad-windows"), 0);
	ck_assert_int_eq(r.errors, 1);
	cg_diag_free(r.d);
}
END_TEST

/* ------------------------------------------------------------------ reach */

START_TEST(no_matching_window)
{
	both_ways("no-matching-window", CG_SEV_WARNING, CAP("\"permissions\": [\"fs:default\"]"),
		  MAIN("\"fs:default\""));
	both_ways("no-matching-window", CG_SEV_WARNING,
		  CAP("\"windows\": [\"main\"], \"local\": false, \"permissions\": []"),
		  CAP("\"windows\": [\"main\"], \"local\": false, \"remote\": {\"urls\": [\"https://a.example/*\"]}, \"permissions\": []"));
	/* Against the app config's windows: a note, since windows made at run
	 * time are not in the config. */
	const char *cfg = "{\"windows\": [{\"label\": \"main\"}, {\"label\": \"about\"}]}";
	const char *typo[] = {CAP("\"windows\": [\"mian\"], \"permissions\": []"), NULL};
	result r = lint_files("capgate.json", cfg, typo, NULL);
	int i = first(&r, "no-matching-window");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(cg_diag_severity(r.d, (size_t)i), CG_SEV_NOTE);
	cg_diag_free(r.d);
	const char *ok[] = {CAP("\"windows\": [\"ma*\"], \"permissions\": []"), NULL};
	r = lint_files("capgate.json", cfg, ok, NULL);
	ck_assert_int_eq(count(&r, "no-matching-window"), 0);
	cg_diag_free(r.d);
}
END_TEST

/* The seccomp rules on a capgate config: a weakened profile is reported
 * at the line that weakens it, unless the grants explain it. */
static result lint_seccomp(const char *seccomp, const char *perms)
{
	char cfg[512];
	snprintf(cfg, sizeof(cfg), "{\"windows\": [{\"label\": \"main\"}],\n \"security\": {\n  \"seccomp\": %s}}",
		 seccomp);
	char cap[256];
	snprintf(cap, sizeof(cap), MAIN("%s"), perms);
	const char *caps[] = {cap, NULL};
	return lint_files("capgate.json", cfg, caps, NULL);
}

START_TEST(seccomp_rules)
{
	result r = lint_seccomp("false", "");
	int i = first(&r, "seccomp-off");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(cg_diag_line(r.d, (size_t)i), 3);
	ck_assert_int_eq(cg_diag_severity(r.d, (size_t)i), CG_SEV_WARNING);
	cg_diag_free(r.d);

	r = lint_seccomp("{\"action\": \"log\"}", "");
	ck_assert_int_eq(count(&r, "seccomp-log"), 1);
	ck_assert_int_eq(count(&r, "seccomp-off"), 0);
	cg_diag_free(r.d);

	/* network with nothing that needs it; exec likewise */
	r = lint_seccomp("{\"network\": true,\n \"exec\": true}", "\"fs:allow-read-file\"");
	ck_assert_int_eq(count(&r, "seccomp-unneeded"), 2);
	i = first(&r, "seccomp-unneeded");
	ck_assert_int_eq(cg_diag_line(r.d, (size_t)i), 4);
	ck_assert_ptr_nonnull(strstr(cg_diag_message(r.d, (size_t)i), "\"exec\": true"));
	ck_assert_int_eq(cg_diag_line(r.d, (size_t)i + 1), 3);
	ck_assert_ptr_nonnull(strstr(cg_diag_message(r.d, (size_t)i + 1), "\"network\": true"));
	cg_diag_free(r.d);
	/* a granted fetch explains network */
	r = lint_seccomp("{\"network\": true}", "\"http:allow-fetch\"");
	ck_assert_int_eq(count(&r, "seccomp-unneeded"), 0);
	cg_diag_free(r.d);

	r = lint_seccomp("{\"allow\": [\"ptrace\", \"@mount\"]}", "");
	ck_assert_int_eq(count(&r, "seccomp-lifted"), 2);
	cg_diag_free(r.d);

	/* the default profile, and a hardened one, are clean */
	r = lint_seccomp("{\"action\": \"kill\", \"deny\": [\"chmod\"]}", "");
	for (size_t k = 0; k < cg_diag_count(r.d); k++)
		ck_assert_ptr_null(strstr(cg_diag_rule(r.d, k) ? cg_diag_rule(r.d, k) : "", "seccomp"));
	cg_diag_free(r.d);

	/* a broken profile is an error of the config, located */
	cg_lint *l = NULL;
	ck_assert_int_eq(cg_lint_new(&l), 0);
	cg_diag *d = cg_diag_new();
	ck_assert_int_lt(cg_lint_set_app_config(l, write_tmp("bad-seccomp.json",
			 "{\"security\": {\"seccomp\": {\"deny\": [\"nosuchcall\"]}}}"), d), 0);
	ck_assert_int_ge(diag_find(d, "\"nosuchcall\" is not a system call"), 0);
	cg_diag_free(d);
	cg_lint_free(l);
}
END_TEST

START_TEST(uncovered_window)
{
	const char *cfg = "{\"windows\": [\n {\"label\": \"main\"},\n {\"label\": \"about\"}]}";
	const char *caps[] = {MAIN(""), NULL};
	result r = lint_files("capgate.json", cfg, caps, NULL);
	int i = first(&r, "uncovered-window");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(count(&r, "uncovered-window"), 1);
	ck_assert_ptr_nonnull(strstr(cg_diag_message(r.d, (size_t)i), "\"about\""));
	ck_assert_str_eq(cg_diag_pointer(r.d, (size_t)i), "/windows/1/label");
	ck_assert_uint_eq(cg_diag_line(r.d, (size_t)i), 3);
	ck_assert_int_eq(cg_diag_severity(r.d, (size_t)i), CG_SEV_NOTE);
	cg_diag_free(r.d);
	const char *all[] = {ALL(""), NULL};
	r = lint_files("capgate.json", cfg, all, NULL);
	ck_assert_int_eq(count(&r, "uncovered-window"), 0);
	cg_diag_free(r.d);
	/* When a capability file fails to load, the window it would cover is
	 * not called uncovered. */
	const char *broken[] = {"{\"identifier\": \"b\", \"windows\": [\"about\"], \"permissions\": [\"fs:nope\"]}",
				MAIN(""), NULL};
	r = lint_files("capgate.json", cfg, broken, NULL);
	ck_assert_int_eq(count(&r, "uncovered-window"), 0);
	ck_assert_int_eq(count(&r, "unknown-permission"), 1);
	cg_diag_free(r.d);
	/* A file that is not even JSON could cover anything: say nothing. */
	const char *garbled[] = {"{\"identifier\": ", MAIN(""), NULL};
	r = lint_files("capgate.json", cfg, garbled, NULL);
	ck_assert_int_eq(count(&r, "uncovered-window"), 0);
	cg_diag_free(r.d);
	/* Tauri's config: a window without a label is "main". */
	const char *tauri = "{\"app\": {\"windows\": [{\"title\": \"x\"}, {\"label\": \"prefs\"}]}}";
	r = lint_files("tauri.conf.json", tauri, caps, NULL);
	ck_assert_int_eq(count(&r, "uncovered-window"), 1);
	ck_assert_ptr_nonnull(strstr(cg_diag_message(r.d, (size_t)first(&r, "uncovered-window")), "prefs"));
	cg_diag_free(r.d);
}
END_TEST

START_TEST(remote_urls)
{
	both_ways("remote-wildcard-host", CG_SEV_WARNING, REMOTE("https://*.example.com/*", ""),
		  REMOTE("https://app.example.com/*", ""));
	both_ways("remote-insecure", CG_SEV_WARNING, REMOTE("http://app.example.com/*", ""),
		  REMOTE("https://app.example.com/*", ""));
	result r = lint1(REMOTE("http://localhost:1420/*", ""));
	ck_assert_int_eq(cg_diag_severity(r.d, (size_t)first(&r, "remote-insecure")), CG_SEV_NOTE);
	ck_assert_str_eq(cg_diag_pointer(r.d, (size_t)first(&r, "remote-insecure")), "/remote/urls/0");
	cg_diag_free(r.d);
}
END_TEST

/* ------------------------------------------------------------ broad grants */

START_TEST(broad_windows)
{
	both_ways("broad-windows", CG_SEV_WARNING, ALL("\"fs:allow-read-file\""), MAIN("\"fs:allow-read-file\""));
	both_ways("broad-windows", CG_SEV_WARNING, ALL("\"http:default\""), ALL("\"core:window:allow-close\""));
}
END_TEST

START_TEST(remote_dangerous)
{
	both_ways("remote-dangerous", CG_SEV_WARNING, REMOTE("https://app.example.com/*", "\"fs:read-all\""),
		  REMOTE("https://app.example.com/*", "\"core:window:allow-close\""));
}
END_TEST

START_TEST(event_no_scope)
{
	both_ways("event-no-scope", CG_SEV_WARNING, MAIN("\"core:event:allow-listen\""),
		  MAIN("{\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"file-*\"}]}"));
	both_ways("event-no-scope", CG_SEV_WARNING, MAIN("\"core:event:allow-emit\""),
		  MAIN("\"core:event:allow-unlisten\""));
}
END_TEST

/* ------------------------------------------------------------------ scopes */

START_TEST(scope_escapes_root)
{
	const char *clean = MAIN("{\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"path\": \"$APPDATA/**\"}]}");
	both_ways("scope-escapes-root", CG_SEV_WARNING,
		  MAIN("{\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"path\": \"$HOME/**\"}]}"), clean);
	both_ways("scope-escapes-root", CG_SEV_WARNING,
		  MAIN("{\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"path\": \"$APPDATA/../../x\"}]}"), clean);
	both_ways("scope-escapes-root", CG_SEV_WARNING,
		  MAIN("{\"identifier\": \"fs:allow-read-file\", \"allow\": [\"/\"]}"), clean);
	both_ways("scope-escapes-root", CG_SEV_WARNING, MAIN("\"fs:scope-home\""), MAIN("\"fs:scope-appdata\""));
	both_ways("scope-escapes-root", CG_SEV_WARNING,
		  MAIN("{\"identifier\": \"http:default\", \"allow\": [{\"url\": \"https://*\"}]}"),
		  MAIN("{\"identifier\": \"http:default\", \"allow\": [{\"url\": \"https://api.example.com/*\"}]}"));
	/* A name like "a..b" is not a ".." component. */
	result r = lint1(MAIN("{\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"path\": \"$APPDATA/a..b\"}]}"));
	ck_assert_int_eq(count(&r, "scope-escapes-root"), 0);
	cg_diag_free(r.d);
	/* The finding points at the value. */
	r = lint1(MAIN("\n{\"identifier\": \"fs:allow-read-file\",\n \"allow\": [{\"path\": \"/\"}]}"));
	int i = first(&r, "scope-escapes-root");
	ck_assert_str_eq(cg_diag_pointer(r.d, (size_t)i), "/permissions/0/allow/0");
	ck_assert_uint_eq(cg_diag_line(r.d, (size_t)i), 3);
	cg_diag_free(r.d);
}
END_TEST

START_TEST(scope_cancelled)
{
	both_ways("scope-cancelled", CG_SEV_WARNING,
		  MAIN("{\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"path\": \"$APPDATA/notes/*\"}],"
		       " \"deny\": [{\"path\": \"$APPDATA/**\"}]}"),
		  MAIN("{\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"path\": \"$APPDATA/**\"}],"
		       " \"deny\": [{\"path\": \"$APPDATA/secret/**\"}]}"));
	both_ways("scope-cancelled", CG_SEV_WARNING,
		  MAIN("{\"identifier\": \"fs:allow-read-file\", \"allow\": [\"$APPDATA/x\"], \"deny\": [\"$APPDATA/x\"]}"),
		  MAIN("{\"identifier\": \"fs:allow-read-file\", \"allow\": [\"$APPDATA/x\"], \"deny\": [\"$APPDATA/y\"]}"));
}
END_TEST

START_TEST(deny_never_matches)
{
	const char *clean = MAIN("{\"identifier\": \"fs:allow-read-file\", \"deny\": [{\"path\": \"$APPDATA/secret/**\"}]}");
	both_ways("deny-never-matches", CG_SEV_WARNING,
		  MAIN("{\"identifier\": \"fs:allow-read-file\", \"deny\": [{\"path\": \"secret/**\"}]}"), clean);
	both_ways("deny-never-matches", CG_SEV_WARNING,
		  MAIN("{\"identifier\": \"fs:allow-read-file\", \"deny\": [\"\"]}"), clean);
	both_ways("deny-never-matches", CG_SEV_WARNING,
		  MAIN("{\"identifier\": \"fs:allow-read-file\", \"deny\": [\"/tmp/[x\"]}"),
		  MAIN("{\"identifier\": \"fs:allow-read-file\", \"deny\": [\"C:/secret/*\"]}"));
}
END_TEST

/* ---------------------------------------------------------- dead, shadowed */

START_TEST(duplicate_grant)
{
	both_ways("duplicate-grant", CG_SEV_WARNING, MAIN("\"fs:allow-read-file\", \"fs:allow-read-file\""),
		  MAIN("\"fs:allow-read-file\", {\"identifier\": \"fs:allow-read-file\", \"allow\": [\"$APPDATA/*\"]}"));
}
END_TEST

START_TEST(shadowed_grant)
{
	both_ways("shadowed-grant", CG_SEV_NOTE, MAIN("\"fs:read-all\", \"fs:allow-read-file\""),
		  MAIN("\"fs:allow-read-file\", \"fs:allow-write-file\""));
	/* An entry with its own scope adds that scope: not shadowed. */
	result r = lint1(MAIN("\"fs:read-all\", {\"identifier\": \"fs:allow-read-file\", \"allow\": [\"$APPDATA/*\"]}"));
	ck_assert_int_eq(count(&r, "shadowed-grant"), 0);
	cg_diag_free(r.d);
}
END_TEST

START_TEST(deny_unused)
{
	both_ways("deny-unused", CG_SEV_WARNING, MAIN("\"fs:allow-read-file\", \"fs:deny-write-file\""),
		  MAIN("\"fs:allow-write-file\", \"fs:deny-write-file\""));
	/* A grant in another capability counts. */
	const char *caps[] = {MAIN("\"fs:deny-write-file\""),
			      "{\"identifier\": \"d\", \"windows\": [\"*\"], \"permissions\": [\"fs:read-all\"]}", NULL};
	result r = lint_files(NULL, NULL, caps, NULL);
	ck_assert_int_eq(count(&r, "deny-unused"), 0);
	cg_diag_free(r.d);
}
END_TEST

START_TEST(platform_mismatch)
{
	both_ways("platform-mismatch", CG_SEV_WARNING,
		  CAP("\"windows\": [\"main\"], \"platforms\": [\"linux\"], \"permissions\": [\"fs:mobile-only\"]"),
		  CAP("\"windows\": [\"main\"], \"platforms\": [\"android\"], \"permissions\": [\"fs:mobile-only\"]"));
	result r = lint1(MAIN("\"fs:mobile-only\""));
	ck_assert_int_eq(count(&r, "platform-mismatch"), 0);
	cg_diag_free(r.d);
}
END_TEST

/* A permission or set named "default" is never granted ("x:default" is
 * the default set): the lint says so where it is defined. */
static result lint_manifest(const char *manifest, const char *cap)
{
	result r = {cg_diag_new(), 0};
	cg_builder *b = cg_builder_new();
	cg_diag *scratch = cg_diag_new();
	cg_lint *l = NULL;
	ck_assert_int_eq(cg_lint_new(&l), 0);
	cg_builder_add_manifest_json(b, "plug", "plug.json", manifest, strlen(manifest), scratch);
	cg_builder_add_capability_file(b, write_tmp("c0.json", cap), scratch);
	r.errors = cg_lint_run(l, b, r.d);
	ck_assert_int_ge(r.errors, 0);
	cg_lint_free(l);
	cg_diag_free(scratch);
	cg_builder_free(b);
	return r;
}

START_TEST(named_default)
{
	const char *cap = MAIN("\"plug:default\"");
	result r = lint_manifest("{\"permission\": [{\"identifier\": \"allow-x\", \"commands\": {\"allow\": [\"x\"]}},\n"
				 " {\"identifier\": \"default\", \"commands\": {\"allow\": [\"x\"]}}]}", cap);
	int i = first(&r, "named-default");
	if (i < 0)
		dump_diag(r.d);
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(cg_diag_severity(r.d, (size_t)i), CG_SEV_WARNING);
	ck_assert_str_eq(cg_diag_file(r.d, (size_t)i), "plug.json");
	ck_assert_uint_eq(cg_diag_line(r.d, (size_t)i), 2);
	ck_assert_str_eq(cg_diag_pointer(r.d, (size_t)i), "/permission/1");
	ck_assert_ptr_nonnull(strstr(cg_diag_message(r.d, (size_t)i),
				     "permission \"default\" of plugin \"plug\" can never be granted"));
	ck_assert_ptr_nonnull(cg_diag_hint(r.d, (size_t)i));
	cg_diag_free(r.d);
	/* a set too, beside a real default set */
	r = lint_manifest("{\"permission\": [{\"identifier\": \"allow-x\", \"commands\": {\"allow\": [\"x\"]}}],"
			  " \"set\": [{\"identifier\": \"default\", \"permissions\": [\"allow-x\"]}],"
			  " \"default\": {\"permissions\": [\"allow-x\"]}}", cap);
	i = first(&r, "named-default");
	ck_assert_int_ge(i, 0);
	ck_assert_ptr_nonnull(strstr(cg_diag_message(r.d, (size_t)i), "set \"default\""));
	ck_assert_ptr_nonnull(strstr(cg_diag_hint(r.d, (size_t)i), "is the default set at plug.json:1:"));
	cg_diag_free(r.d);
	/* the default set itself is what "default" means: quiet */
	r = lint_manifest("{\"permission\": [{\"identifier\": \"allow-x\", \"commands\": {\"allow\": [\"x\"]}}],"
			  " \"default\": {\"permissions\": [\"allow-x\"]}}", cap);
	ck_assert_int_eq(count(&r, "named-default"), 0);
	cg_diag_free(r.d);
}
END_TEST

/* "platforms": [] names no platform, and the message says so instead of
 * "is only for , but" (issue 15, item 9). */
START_TEST(platforms_empty_list)
{
	const char *m = "{\"permission\": [{\"identifier\": \"nowhere\", \"commands\": {\"allow\": [\"x\"]}, \"platforms\": []},"
			" {\"identifier\": \"allow-y\", \"commands\": {\"allow\": [\"y\"]}}]}";
	result r = lint_manifest(m, MAIN("\"plug:nowhere\""));
	int i = first(&r, "platform-mismatch");
	if (i < 0)
		dump_diag(r.d);
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(cg_diag_message(r.d, (size_t)i),
			 "\"plug:nowhere\" is for no platform (its permissions have \"platforms\": []): it grants nothing");
	cg_diag_free(r.d);
	r = lint_manifest(m, CAP("\"windows\": [\"main\"], \"platforms\": [], \"permissions\": [\"plug:allow-y\"]"));
	i = first(&r, "platform-mismatch");
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(cg_diag_message(r.d, (size_t)i),
			 "capability \"c\" is for no platform (\"platforms\": []): \"plug:allow-y\" grants nothing");
	for (size_t k = 0; k < cg_diag_count(r.d); k++)
		ck_assert_ptr_null(strstr(cg_diag_message(r.d, k), "for ,"));
	cg_diag_free(r.d);
}
END_TEST

/* The lint expands capabilities for every platform, which the build does
 * not walk: it counts against the same expansion limit and, over it, says
 * so once and skips those grants instead of growing without bound. */
START_TEST(lint_expansion_is_bounded)
{
	char m[8192];
	size_t n = (size_t)snprintf(m, sizeof(m), "{\"permission\": [");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(m + n, sizeof(m) - n, "%s{\"identifier\": \"p%d\", \"commands\": {\"allow\": [\"c%d\"]}}",
				      i ? "," : "", i, i);
	n += (size_t)snprintf(m + n, sizeof(m) - n, "],\n \"set\": [{\"identifier\": \"all\", \"permissions\": [");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(m + n, sizeof(m) - n, "%s\"p%d\"", i ? "," : "", i);
	snprintf(m + n, sizeof(m) - n, "]}]}");
	const char *cap = CAP("\"windows\": [\"*\"], \"platforms\": [\"macOS\"], \"permissions\": [\"plug:all\", \"plug:p1\"]");
	for (int tight = 0; tight < 2; tight++) {
		cg_builder *b = cg_builder_new();
		cg_diag *scratch = cg_diag_new(), *d = cg_diag_new();
		cg_lint *l = NULL;
		ck_assert_int_eq(cg_lint_new(&l), 0);
		ck_assert_int_eq(cg_builder_set_limit(b, CG_LIMIT_EXPANSION, tight ? 20 : 1000), 0);
		cg_builder_add_manifest_json(b, "plug", "plug.json", m, strlen(m), scratch);
		cg_builder_add_capability_file(b, write_tmp("c0.json", cap), scratch);
		ck_assert_int_eq(cg_lint_run(l, b, d), 0);
		result r = {d, 0};
		int i = first(&r, "limit");
		if (tight) {
			ck_assert_int_ge(i, 0);
			ck_assert_int_eq(cg_diag_severity(d, (size_t)i), CG_SEV_WARNING);
			ck_assert_ptr_nonnull(strstr(cg_diag_message(d, (size_t)i),
						     "the lint stopped expanding permission sets at \"plug:all\""));
			ck_assert_str_eq(cg_diag_file(d, (size_t)i), "plug.json");
			ck_assert_uint_gt(cg_diag_line(d, (size_t)i), 0);
			ck_assert_int_eq(count(&r, "limit"), 1);
		} else {
			ck_assert_int_lt(i, 0);
			/* within the limit the rules see the set: p1 is shadowed */
			ck_assert_int_eq(count(&r, "shadowed-grant"), 1);
		}
		cg_lint_free(l);
		cg_diag_free(scratch);
		cg_diag_free(d);
		cg_builder_free(b);
	}
}
END_TEST

/* ------------------------------------------------------------------- api */

START_TEST(rule_table)
{
	size_t n = cg_lint_rule_count();
	ck_assert_uint_ge(n, 20);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(cg_lint_rule_id(i));
		ck_assert_uint_gt(strlen(cg_lint_rule_summary(i)), 10);
		for (size_t k = 0; k < i; k++)
			ck_assert_str_ne(cg_lint_rule_id(i), cg_lint_rule_id(k));
	}
	ck_assert_ptr_null(cg_lint_rule_id(n));
	cg_lint *l = NULL;
	ck_assert_int_eq(cg_lint_new(&l), 0);
	ck_assert_int_eq(cg_lint_disable(l, "no-such-rule"), CG_ENOTFOUND);
	ck_assert_int_eq(cg_lint_disable(l, "broad-windows"), 0);
	ck_assert_int_eq(cg_lint_run(l, NULL, NULL), CG_EINVAL);
	cg_lint_free(l);
	cg_lint_free(NULL);
	/* "did you mean" for rule names: close ones only. */
	ck_assert_str_eq(cg_lint_rule_suggest("seccmp-off"), "seccomp-off");
	ck_assert_str_eq(cg_lint_rule_suggest("broad-window"), "broad-windows");
	ck_assert_str_eq(cg_lint_rule_suggest("broad-windows"), "broad-windows");
	ck_assert_ptr_null(cg_lint_rule_suggest("zzzz"));
	ck_assert_ptr_null(cg_lint_rule_suggest(""));
	ck_assert_ptr_null(cg_lint_rule_suggest(NULL));
}
END_TEST

START_TEST(disable)
{
	const char *caps[] = {ALL("\"fs:allow-read-file\""), NULL};
	result r = lint_files(NULL, NULL, caps, "broad-windows");
	ck_assert_int_eq(count(&r, "broad-windows"), 0);
	cg_diag_free(r.d);
	const char *bad[] = {MAIN("\"fs:nope\""), NULL};
	r = lint_files(NULL, NULL, bad, "unknown-permission");
	ck_assert_int_eq(count(&r, "unknown-permission"), 0);
	ck_assert_int_eq(r.errors, 0);
	cg_diag_free(r.d);
}
END_TEST

/* A clean file yields nothing at all: the rules are quiet on good input. */
START_TEST(clean_is_quiet)
{
	const char *cfg = "{\"windows\": [{\"label\": \"main\"}]}";
	const char *caps[] = {MAIN("\"core:default\", \"fs:allow-read-file\", "
				   "{\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"doc-*\"}]}"),
			      NULL};
	result r = lint_files("capgate.json", cfg, caps, NULL);
	if (cg_diag_count(r.d))
		dump_diag(r.d);
	ck_assert_uint_eq(cg_diag_count(r.d), 0);
	ck_assert_int_eq(r.errors, 0);
	cg_diag_free(r.d);
}
END_TEST

START_TEST(config_errors)
{
	cg_lint *l = NULL;
	ck_assert_int_eq(cg_lint_new(&l), 0);
	cg_diag *d = cg_diag_new();
	ck_assert_int_lt(cg_lint_set_app_config(l, write_tmp("bad.json", "{\"windows\": 3}"), d), 0);
	ck_assert_int_ge(diag_find(d, "must be an array"), 0);
	ck_assert_int_lt(cg_lint_set_app_config(l, "/nonexistent/capgate.json", d), 0);
	cg_diag_free(d);
	cg_lint_free(l);
}
END_TEST

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	Suite *s = suite_create("lint");
	TCase *tc = tcase_create("lint");
	tcase_add_test(tc, unknown_with_replacement);
	tcase_add_test(tc, engine_rules);
	tcase_add_test(tc, cycle);
	tcase_add_test(tc, recovers_past_broken_files);
	tcase_add_test(tc, no_matching_window);
	tcase_add_test(tc, uncovered_window);
	tcase_add_test(tc, seccomp_rules);
	tcase_add_test(tc, remote_urls);
	tcase_add_test(tc, broad_windows);
	tcase_add_test(tc, remote_dangerous);
	tcase_add_test(tc, event_no_scope);
	tcase_add_test(tc, scope_escapes_root);
	tcase_add_test(tc, scope_cancelled);
	tcase_add_test(tc, deny_never_matches);
	tcase_add_test(tc, duplicate_grant);
	tcase_add_test(tc, shadowed_grant);
	tcase_add_test(tc, deny_unused);
	tcase_add_test(tc, platform_mismatch);
	tcase_add_test(tc, rule_table);
	tcase_add_test(tc, disable);
	tcase_add_test(tc, clean_is_quiet);
	tcase_add_test(tc, config_errors);
	tcase_add_test(tc, named_default);
	tcase_add_test(tc, platforms_empty_list);
	tcase_add_test(tc, lint_expansion_is_bounded);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return failed ? 1 : 0;
}
