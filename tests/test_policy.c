/* Decisions: grants, deny rules, origins, platforms, scopes, events,
 * explanations, the string path and atomic reloads. */
#include "testutil.h"

#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>

/* A small plugin "fs" with commands read_file, write_file and a scope-only
 * permission, plus an app command "greet". */
static const char *FS =
	"{\"permission\": ["
	" {\"identifier\": \"allow-read-file\", \"commands\": {\"allow\": [\"read_file\"]}},"
	" {\"identifier\": \"allow-write-file\", \"commands\": {\"allow\": [\"write_file\"]}},"
	" {\"identifier\": \"deny-write-file\", \"commands\": {\"deny\": [\"write_file\"]}},"
	" {\"identifier\": \"scope-home\", \"scope\": {\"allow\": [{\"path\": \"$HOME/**\"}]}},"
	" {\"identifier\": \"read-docs\", \"commands\": {\"allow\": [\"read_file\"]},"
	"  \"scope\": {\"allow\": [{\"path\": \"$DOCS/**\"}], \"deny\": [{\"path\": \"$DOCS/secret\"}]}},"
	" {\"identifier\": \"mac-only\", \"commands\": {\"allow\": [\"write_file\"]}, \"platforms\": [\"macOS\"]}"
	"],"
	"\"set\": [{\"identifier\": \"read-all\", \"permissions\": [\"allow-read-file\", \"scope-home\"]}],"
	"\"default\": {\"permissions\": [\"allow-read-file\"]}}";

static cg_policy *fs_policy(const char *caps, cg_diag *d)
{
	cg_builder *b = cg_builder_new();
	cg_policy *p = NULL;
	cg_builder_add_manifest_json(b, "fs", "fs.json", FS, strlen(FS), d);
	cg_builder_declare_command(b, NULL, "greet");
	cg_builder_declare_command(b, NULL, "delete_all");
	cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), d);
	if (cg_builder_build(b, &p, d) < 0)
		dump_diag(d);
	cg_builder_free(b);
	return p;
}

static int allowed(cg_policy *p, const char *w, const char *v, const char *url, const char *cmd)
{
	cg_subject *s = NULL;
	ck_assert_int_eq(cg_subject_new(p, w, v, url, &s), 0);
	cg_decision dc;
	ck_assert_int_eq(cg_check_command(s, cmd, &dc), 0);
	/* The string path must agree with the handle path. */
	cg_decision dc2;
	ck_assert_int_eq(cg_check_str(p, w, v, url, cmd, &dc2), 0);
	ck_assert_int_eq(dc.allowed, dc2.allowed);
	ck_assert_int_eq(dc.reason, dc2.reason);
	cg_subject_free(s);
	return dc.allowed;
}

START_TEST(nothing_by_default)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy("{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-read-file\"]}", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(allowed(p, "main", "main", NULL, "plugin:fs|read_file"));
	ck_assert(!allowed(p, "main", "main", NULL, "plugin:fs|write_file"));
	/* App commands are denied unless granted (Tauri lets them through
	 * when the app has no manifest). */
	ck_assert(!allowed(p, "main", "main", NULL, "greet"));
	ck_assert(!allowed(p, "main", "main", NULL, "no_such_command"));
	cg_subject *s;
	cg_subject_new(p, "main", NULL, NULL, &s);
	cg_decision dc;
	cg_check_command(s, "greet", &dc);
	ck_assert_int_eq(dc.reason, CG_REASON_NOT_GRANTED);
	cg_check_command(s, "no_such_command", &dc);
	ck_assert_int_eq(dc.reason, CG_REASON_UNKNOWN_COMMAND);
	cg_subject_free(s);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(app_command_granted)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy("{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"allow-greet\", \"allow-delete-all\"]}", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(allowed(p, "main", NULL, NULL, "greet"));
	ck_assert(allowed(p, "main", NULL, NULL, "delete_all"));
	ck_assert(!allowed(p, "other", NULL, NULL, "greet"));
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(deny_respects_window)
{
	/* Tauri's deny applies everywhere once it exists; ours only to the
	 * callers of the capability that holds it. */
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy(
		"[{\"identifier\": \"all\", \"windows\": [\"*\"], \"permissions\": [\"fs:allow-write-file\"]},"
		" {\"identifier\": \"no-writes-in-viewer\", \"windows\": [\"viewer\"], \"permissions\": [\"fs:deny-write-file\"]}]", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(allowed(p, "main", NULL, NULL, "plugin:fs|write_file"));
	ck_assert(!allowed(p, "viewer", NULL, NULL, "plugin:fs|write_file"));
	cg_subject *s;
	cg_subject_new(p, "viewer", NULL, NULL, &s);
	cg_decision dc;
	cg_check_command(s, "plugin:fs|write_file", &dc);
	ck_assert_int_eq(dc.reason, CG_REASON_DENY_RULE);
	char *why = cg_decision_reason(&dc);
	ck_assert_ptr_nonnull(strstr(why, "fs:deny-write-file"));
	ck_assert_ptr_nonnull(strstr(why, "no-writes-in-viewer"));
	ck_assert_ptr_nonnull(strstr(why, "caps.json:1:"));
	free(why);
	cg_subject_free(s);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(deny_respects_origin)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy(
		"[{\"identifier\": \"all\", \"windows\": [\"main\"], \"remote\": {\"urls\": [\"https://app.example\"]},"
		"  \"permissions\": [\"fs:allow-write-file\"]},"
		" {\"identifier\": \"remote-no-write\", \"local\": false, \"windows\": [\"main\"],"
		"  \"remote\": {\"urls\": [\"https://app.example/untrusted/*\"]}, \"permissions\": [\"fs:deny-write-file\"]}]", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(allowed(p, "main", NULL, NULL, "plugin:fs|write_file"));
	ck_assert(allowed(p, "main", NULL, "https://app.example/ok", "plugin:fs|write_file"));
	ck_assert(!allowed(p, "main", NULL, "https://app.example/untrusted/x", "plugin:fs|write_file"));
	ck_assert(!allowed(p, "main", NULL, "https://evil.example/", "plugin:fs|write_file"));
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(windows_or_webviews)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy(
		"[{\"identifier\": \"a\", \"windows\": [\"editor-*\"], \"permissions\": [\"fs:allow-read-file\"]},"
		" {\"identifier\": \"b\", \"webviews\": [\"preview\"], \"permissions\": [\"fs:allow-write-file\"]},"
		" {\"identifier\": \"none\", \"permissions\": [\"allow-greet\"]}]", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(allowed(p, "editor-1", "anything", NULL, "plugin:fs|read_file"));
	ck_assert(!allowed(p, "editor", NULL, NULL, "plugin:fs|read_file"));
	ck_assert(allowed(p, "main", "preview", NULL, "plugin:fs|write_file"));
	ck_assert(!allowed(p, "main", "main", NULL, "plugin:fs|write_file"));
	/* Empty windows and webviews match nothing. */
	ck_assert(!allowed(p, "main", "main", NULL, "greet"));
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(local_and_remote)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy(
		"[{\"identifier\": \"remote\", \"local\": false, \"windows\": [\"main\"],"
		"  \"remote\": {\"urls\": [\"https://*.example.com\"]}, \"permissions\": [\"fs:allow-read-file\"]},"
		" {\"identifier\": \"local\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-write-file\"]}]", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(!allowed(p, "main", NULL, NULL, "plugin:fs|read_file"));
	ck_assert(allowed(p, "main", NULL, "https://a.example.com/x", "plugin:fs|read_file"));
	ck_assert(!allowed(p, "main", NULL, "https://example.com/", "plugin:fs|read_file"));
	ck_assert(!allowed(p, "main", NULL, "http://a.example.com/", "plugin:fs|read_file"));
	ck_assert(allowed(p, "main", NULL, NULL, "plugin:fs|write_file"));
	ck_assert(!allowed(p, "main", NULL, "https://a.example.com/", "plugin:fs|write_file"));
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(platforms)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy(
		"[{\"identifier\": \"mobile\", \"platforms\": [\"android\", \"iOS\"], \"windows\": [\"main\"],"
		"  \"permissions\": [\"fs:allow-read-file\"]},"
		" {\"identifier\": \"desk\", \"windows\": [\"main\"], \"permissions\": [\"fs:mac-only\"]}]", d);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(cg_policy_platform(p), "linux");
	ck_assert(!allowed(p, "main", NULL, NULL, "plugin:fs|read_file"));
	/* mac-only is a macOS permission: ignored on linux. */
	ck_assert(!allowed(p, "main", NULL, NULL, "plugin:fs|write_file"));
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(scopes)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy(
		"[{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": ["
		"   \"fs:read-docs\","
		"   {\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"path\": \"$TMP\"}], \"deny\": [\"$TMP/x\"]},"
		"   {\"identifier\": \"fs:scope-home\", \"deny\": [{\"path\": \"$HOME/.ssh\"}]}]},"
		" {\"identifier\": \"other\", \"windows\": [\"other\"], \"permissions\": ["
		"   \"fs:allow-read-file\", {\"identifier\": \"fs:scope-home\", \"allow\": [{\"path\": \"$OTHER\"}]}]}]", d);
	ck_assert_ptr_nonnull(p);
	cg_subject *s;
	cg_subject_new(p, "main", NULL, NULL, &s);
	cg_decision dc;
	cg_check_command(s, "plugin:fs|read_file", &dc);
	ck_assert(dc.allowed);
	json_object *cs = cg_decision_command_scope(&dc), *gs = cg_decision_global_scope(&dc);
	ck_assert_str_eq(json_object_to_json_string_ext(cs, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			 "{\"allow\":[{\"path\":\"$DOCS/**\"},{\"path\":\"$TMP\"}],\"deny\":[{\"path\":\"$DOCS/secret\"},\"$TMP/x\"]}");
	/* The global scope comes only from capabilities that apply to the
	 * caller: "other"'s $OTHER must not leak into main's. */
	ck_assert_str_eq(json_object_to_json_string_ext(gs, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			 "{\"allow\":[{\"path\":\"$HOME/**\"}],\"deny\":[{\"path\":\"$HOME/.ssh\"}]}");
	json_object_put(cs);
	json_object_put(gs);
	/* Asking twice gives the same answer. */
	cg_decision dc2;
	cg_check_command(s, "plugin:fs|read_file", &dc2);
	ck_assert_int_eq(dc.allowed, dc2.allowed);
	ck_assert_int_eq(dc.priv_rule, dc2.priv_rule);
	cg_subject_free(s);
	cg_subject_new(p, "other", NULL, NULL, &s);
	cg_check_command(s, "plugin:fs|read_file", &dc);
	gs = cg_decision_global_scope(&dc);
	ck_assert_str_eq(json_object_to_json_string_ext(gs, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			 "{\"allow\":[{\"path\":\"$OTHER\"},{\"path\":\"$HOME/**\"}],\"deny\":[]}");
	json_object_put(gs);
	/* A denied call carries no scope. */
	cg_check_command(s, "plugin:fs|write_file", &dc);
	ck_assert(!dc.allowed);
	cs = cg_decision_command_scope(&dc);
	ck_assert_str_eq(json_object_to_json_string_ext(cs, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), "{\"allow\":[],\"deny\":[]}");
	json_object_put(cs);
	cg_subject_free(s);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

/* The paths of a scope object's "allow" (or "deny") list, sorted and
 * joined with spaces, for comparing as a set. */
static char *paths_of(json_object *scope, const char *which)
{
	json_object *list = json_object_object_get(scope, which);
	size_t n = json_object_array_length(list);
	const char **v = calloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_object_get_string(json_object_object_get(json_object_array_get_idx(list, i), "path"));
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && strcmp(v[k - 1], v[k]) > 0; k--) {
			const char *t = v[k];
			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	char *out = calloc(1, 4096);
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), 4096 - strlen(out), "%s%s", i ? " " : "", v[i]);
	free(v);
	return out;
}

static const char *PLATFORM_FS =
	"{\"permission\": ["
	" {\"identifier\": \"allow-read-file\", \"commands\": {\"allow\": [\"read_file\"]}},"
	" {\"identifier\": \"read-macos\", \"commands\": {\"allow\": [\"read_file\"]}, \"platforms\": [\"macOS\"]},"
	" {\"identifier\": \"scope-mac\", \"scope\": {\"allow\": [{\"path\": \"$MAC\"}]}, \"platforms\": [\"macOS\"]},"
	" {\"identifier\": \"scope-home\", \"scope\": {\"allow\": [{\"path\": \"$HOME/**\"}]}}"
	"],"
	"\"set\": [{\"identifier\": \"empty\", \"permissions\": []},"
	"        {\"identifier\": \"mac-set\", \"permissions\": [\"read-macos\", \"scope-mac\"]},"
	"        {\"identifier\": \"mixed\", \"permissions\": [\"read-macos\", \"scope-home\"]}]}";
static const char *PLATFORM_OTHER =
	"{\"set\": [{\"identifier\": \"fs-scopes\", \"permissions\": [\"fs:scope-home\"]}]}";
static const char *PLATFORM_CAP =
	"{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": ["
	" \"fs:allow-read-file\","
	" {\"identifier\": \"fs:read-macos\", \"allow\": [{\"path\": \"/**\"}]},"
	" {\"identifier\": \"fs:scope-mac\", \"allow\": [{\"path\": \"/scope-mac\"}]},"
	" {\"identifier\": \"fs:empty\", \"allow\": [{\"path\": \"/empty\"}]},"
	" {\"identifier\": \"fs:mac-set\", \"allow\": [{\"path\": \"/mac-set\"}]},"
	" {\"identifier\": \"fs:mixed\", \"allow\": [{\"path\": \"/mixed\"}]},"
	" {\"identifier\": \"fs:scope-home\", \"allow\": [{\"path\": \"/home-entry\"}]},"
	" {\"identifier\": \"other:fs-scopes\", \"allow\": [{\"path\": \"/other\"}]}]}";

static void read_file_scopes(const char *platform, char **cmd_paths, char **global_paths,
			     char **other_global)
{
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	ck_assert_int_eq(cg_builder_set_platform(b, platform), 0);
	cg_builder_add_manifest_json(b, "fs", "fs.json", PLATFORM_FS, strlen(PLATFORM_FS), d);
	cg_builder_add_manifest_json(b, "other", "other.json", PLATFORM_OTHER, strlen(PLATFORM_OTHER), d);
	cg_builder_declare_command(b, "other", "ping");
	cg_builder_add_capability_json(b, "caps.json", PLATFORM_CAP, strlen(PLATFORM_CAP), d);
	const char *cap2 = "{\"identifier\": \"c2\", \"windows\": [\"main\"], \"permissions\": [\"other:allow-ping\"]}";
	cg_builder_add_capability_json(b, "caps2.json", cap2, strlen(cap2), d);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "plugin:fs|read_file", &dc), 0);
	ck_assert(dc.allowed);
	json_object *cs = cg_decision_command_scope(&dc), *gs = cg_decision_global_scope(&dc);
	*cmd_paths = paths_of(cs, "allow");
	*global_paths = paths_of(gs, "allow");
	json_object_put(cs);
	json_object_put(gs);
	/* other's global scope, as its own command would get it */
	ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "plugin:other|ping", &dc), 0);
	ck_assert(dc.allowed);
	gs = cg_decision_global_scope(&dc);
	*other_global = paths_of(gs, "allow");
	json_object_put(gs);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
}

/* An entry's inline scope goes to the global scope only when the entry's
 * permissions that are active here are all scope-only: not for a
 * permission for another platform, an empty set, or a set whose members
 * are all for other platforms (issue 15, item 1). The scope goes to the
 * plugin of the scope-only permission, even through another plugin's set. */
START_TEST(inactive_scopes_stay_out_of_global)
{
	char *cmd, *global, *other;
	read_file_scopes("linux", &cmd, &global, &other);
	ck_assert_str_eq(cmd, "");
	ck_assert_str_eq(global, "$HOME/** /home-entry /mixed /other");
	ck_assert_str_eq(other, "");
	free(cmd);
	free(global);
	free(other);
	/* On macOS the same entries are active: the root glob scopes read_file (a unit
	 * with a command), the scope-only ones feed the global scope. */
	read_file_scopes("macOS", &cmd, &global, &other);
	ck_assert_str_eq(cmd, "$HOME/** $MAC /** /mac-set /mixed");
	ck_assert_str_eq(global, "$HOME/** $MAC /home-entry /other /scope-mac");
	ck_assert_str_eq(other, "");
	free(cmd);
	free(global);
	free(other);
}
END_TEST

/* A scope number reaches the command as written: an integer beyond 64 bits
 * as the double nearest it (its text kept), never clamped; one too large
 * for a double is refused with its place (issue 15, item 8). */
START_TEST(scope_numbers_as_written)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy("{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": ["
				 " {\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"max\": 123000000000000000000000000000,"
				 " \"min\": -99999999999999999999, \"exact\": 18446744073709551615}]}]}", d);
	ck_assert_ptr_nonnull(p);
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "plugin:fs|read_file", &dc), 0);
	ck_assert(dc.allowed);
	json_object *cs = cg_decision_command_scope(&dc);
	json_object *v = json_object_array_get_idx(json_object_object_get(cs, "allow"), 0);
	json_object *max = json_object_object_get(v, "max"), *min = json_object_object_get(v, "min");
	ck_assert(json_object_is_type(max, json_type_double));
	ck_assert(json_object_get_double(max) == 1.23e29);
	ck_assert(json_object_get_double(min) == -99999999999999999999.0);
	ck_assert(json_object_get_uint64(json_object_object_get(v, "exact")) == UINT64_MAX);
	ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
			 "{\"max\":123000000000000000000000000000,\"min\":-99999999999999999999,\"exact\":18446744073709551615}");
	json_object_put(cs);
	cg_policy_unref(p);
	cg_diag_free(d);
	d = cg_diag_new();
	p = fs_policy("{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\n"
		      " {\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"max\": 1e999999}]}]}", d);
	ck_assert_ptr_null(p);
	int i = diag_find(d, "number 1e999999 is too large for a double");
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(cg_diag_file(d, (size_t)i), "caps.json");
	ck_assert_uint_eq(cg_diag_line(d, (size_t)i), 2);
	ck_assert_uint_eq(cg_diag_column(d, (size_t)i), 57);
	ck_assert_str_eq(cg_diag_pointer(d, (size_t)i), "/permissions/0/allow/0/max");
	cg_diag_free(d);
}
END_TEST

START_TEST(set_unit_scope)
{
	/* A set's scope-only member scopes the set's commands (one unit). */
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy("{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"fs:read-all\"]}", d);
	ck_assert_ptr_nonnull(p);
	cg_subject *s;
	cg_subject_new(p, "main", NULL, NULL, &s);
	cg_decision dc;
	cg_check_command(s, "plugin:fs|read_file", &dc);
	ck_assert(dc.allowed);
	json_object *cs = cg_decision_command_scope(&dc), *gs = cg_decision_global_scope(&dc);
	ck_assert_str_eq(json_object_to_json_string_ext(cs, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			 "{\"allow\":[{\"path\":\"$HOME/**\"}],\"deny\":[]}");
	ck_assert_str_eq(json_object_to_json_string_ext(gs, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), "{\"allow\":[],\"deny\":[]}");
	json_object_put(cs);
	json_object_put(gs);
	cg_subject_free(s);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

static int event_ok(cg_policy *p, const char *w, cg_event_op op, const char *ev, cg_reason *why)
{
	cg_subject *s;
	ck_assert_int_eq(cg_subject_new(p, w, NULL, NULL, &s), 0);
	cg_decision dc;
	ck_assert_int_eq(cg_check_event(s, op, ev, &dc), 0);
	if (why)
		*why = dc.reason;
	cg_subject_free(s);
	return dc.allowed;
}

START_TEST(events)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy(
		"[{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": ["
		"   {\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"file-*\"}, {\"event\": \"app/ready\"}],"
		"    \"deny\": [{\"event\": \"file-secret*\"}]},"
		"   {\"identifier\": \"core:event:allow-emit\", \"allow\": [{\"event\": \"editor:*\"}]}]},"
		" {\"identifier\": \"any\", \"windows\": [\"logger\"], \"permissions\": [\"core:event:allow-listen\"]},"
		" {\"identifier\": \"def\", \"windows\": [\"legacy\"], \"permissions\": [\"core:event:default\"]}]", d);
	ck_assert_ptr_nonnull(p);
	cg_reason why;
	ck_assert(event_ok(p, "main", CG_EVENT_LISTEN, "file-saved", NULL));
	ck_assert(event_ok(p, "main", CG_EVENT_LISTEN, "app/ready", NULL));
	ck_assert(!event_ok(p, "main", CG_EVENT_LISTEN, "settings-changed", &why));
	ck_assert_int_eq(why, CG_REASON_EVENT_SCOPE);
	ck_assert(!event_ok(p, "main", CG_EVENT_LISTEN, "file-secret-key", &why));
	ck_assert_int_eq(why, CG_REASON_EVENT_SCOPE);
	/* emit and listen are separate grants */
	ck_assert(event_ok(p, "main", CG_EVENT_EMIT, "editor:save", NULL));
	ck_assert(!event_ok(p, "main", CG_EVENT_EMIT, "file-saved", NULL));
	ck_assert(!event_ok(p, "main", CG_EVENT_EMIT_TO, "editor:save", &why));
	ck_assert_int_eq(why, CG_REASON_NOT_GRANTED);
	/* No event scope keeps Tauri's meaning: any event. */
	ck_assert(event_ok(p, "logger", CG_EVENT_LISTEN, "anything-at-all", NULL));
	ck_assert(!event_ok(p, "logger", CG_EVENT_EMIT, "x", NULL));
	ck_assert(event_ok(p, "legacy", CG_EVENT_EMIT_TO, "x", NULL));
	ck_assert(!event_ok(p, "nobody", CG_EVENT_LISTEN, "file-saved", &why));
	ck_assert_int_eq(why, CG_REASON_NOT_GRANTED);
	/* Bad event names are refused, not matched. */
	cg_subject *s;
	cg_subject_new(p, "logger", NULL, NULL, &s);
	cg_decision dc;
	ck_assert_int_eq(cg_check_event(s, CG_EVENT_LISTEN, "bad name", &dc), CG_EINVAL);
	ck_assert(!dc.allowed);
	cg_subject_free(s);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(event_scope_bad_glob)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy("{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": ["
				 "{\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"file-[\"}]}]}", d);
	ck_assert_ptr_null(p);
	ck_assert_int_ge(diag_find(d, "bad event pattern"), 0);
	cg_diag_free(d);
}
END_TEST

START_TEST(denial_names_the_fix)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy("{\"identifier\": \"main-cap\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-read-file\"]}", d);
	ck_assert_ptr_nonnull(p);
	cg_subject *s;
	cg_subject_new(p, "main", "main", NULL, &s);
	cg_decision dc;
	cg_check_command(s, "plugin:event|listen", &dc);
	ck_assert(!dc.allowed);
	char *why = cg_decision_reason(&dc);
	ck_assert_ptr_nonnull(strstr(why, "plugin:event|listen"));
	ck_assert_ptr_nonnull(strstr(why, "\"core:event:allow-listen\""));
	ck_assert_ptr_nonnull(strstr(why, "\"core:event:default\""));
	ck_assert_ptr_nonnull(strstr(why, "window \"main\""));
	ck_assert_ptr_nonnull(strstr(why, "origin local"));
	ck_assert_ptr_nonnull(strstr(why, "\"main-cap\" (caps.json)"));
	free(why);
	cg_check_command(s, "plugin:fs|write_file", &dc);
	why = cg_decision_reason(&dc);
	ck_assert_ptr_nonnull(strstr(why, "\"fs:allow-write-file\""));
	free(why);
	char *ex = cg_decision_explain(&dc);
	ck_assert_ptr_nonnull(strstr(ex, "Decision: deny"));
	ck_assert_ptr_nonnull(strstr(ex, "main-cap (caps.json:1:1): applies"));
	free(ex);
	cg_subject_free(s);
	/* A window no capability covers is told so. */
	cg_subject_new(p, "settings", NULL, NULL, &s);
	cg_check_command(s, "plugin:fs|read_file", &dc);
	why = cg_decision_reason(&dc);
	ck_assert_ptr_nonnull(strstr(why, "No capability applies"));
	free(why);
	ex = cg_decision_explain(&dc);
	ck_assert_ptr_nonnull(strstr(ex, "match none of its patterns"));
	free(ex);
	cg_subject_free(s);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

/* Denial messages name the real fix (issue 15, item 9): an unknown app
 * command's permission as Tauri spells it, and a remote page that no
 * capability's remote.urls matches is told so, as explain does. */
START_TEST(denials_say_what_is_missing)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy("[{\"identifier\": \"local-cap\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-read-file\"]},"
				 " {\"identifier\": \"remote-cap\", \"windows\": [\"main\"], \"local\": false,"
				 "  \"remote\": {\"urls\": [\"https://app.example/*\"]}, \"permissions\": [\"fs:allow-read-file\"]}]", d);
	ck_assert_ptr_nonnull(p);
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "read_file", &dc), 0);
	ck_assert_int_eq(dc.reason, CG_REASON_UNKNOWN_COMMAND);
	char *why = cg_decision_reason(&dc);
	ck_assert_ptr_nonnull(strstr(why, "it then gets \"allow-read-file\""));
	ck_assert_ptr_null(strstr(why, "allow-read_file"));
	free(why);
	ck_assert_int_eq(cg_check_str(p, "main", NULL, "https://evil.example/", "plugin:fs|read_file", &dc), 0);
	ck_assert(!dc.allowed);
	why = cg_decision_reason(&dc);
	ck_assert_ptr_nonnull(strstr(why, "\"local-cap\" (caps.json) names this window but does not apply: "
					  "it has no \"remote.urls\", so it grants nothing to remote pages"));
	ck_assert_ptr_nonnull(strstr(why, "\"remote-cap\" (caps.json) names this window but does not apply: "
					  "the URL matches none of its \"remote.urls\""));
	free(why);
	cg_policy_unref(p);
	/* a local page of a window whose only capability is remote-only */
	p = fs_policy("{\"identifier\": \"remote-only\", \"windows\": [\"main\"], \"local\": false,"
		      " \"remote\": {\"urls\": [\"https://app.example/*\"]}, \"permissions\": [\"fs:allow-read-file\"]}", d);
	ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "plugin:fs|read_file", &dc), 0);
	why = cg_decision_reason(&dc);
	ck_assert_ptr_nonnull(strstr(why, "\"remote-only\" (caps.json) names this window but does not apply: "
					  "it is remote-only"));
	free(why);
	/* no capability names the window at all: the generic advice */
	ck_assert_int_eq(cg_check_str(p, "other", NULL, "https://app.example/x", "plugin:fs|read_file", &dc), 0);
	why = cg_decision_reason(&dc);
	ck_assert_ptr_nonnull(strstr(why, "add one whose \"windows\" matches \"other\" and whose \"remote.urls\" matches its URL"));
	free(why);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(allowed_explain_has_lines)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy("{\"identifier\": \"c\",\n \"windows\": [\"main\"],\n \"permissions\": [\n  \"fs:default\"]}", d);
	ck_assert_ptr_nonnull(p);
	cg_subject *s;
	cg_subject_new(p, "main", NULL, NULL, &s);
	cg_decision dc;
	cg_check_command(s, "plugin:fs|read_file", &dc);
	ck_assert(dc.allowed);
	char *why = cg_decision_reason(&dc);
	/* entry at line 4, via the permission defined in fs.json */
	ck_assert_ptr_nonnull(strstr(why, "\"fs:default\" in capability \"c\" (caps.json:4:3)"));
	ck_assert_ptr_nonnull(strstr(why, "via \"fs:allow-read-file\" (fs.json:1:"));
	free(why);
	cg_subject_free(s);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(ids_and_handles)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy("{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-read-file\"]}", d);
	int id = cg_policy_command_id(p, "plugin:fs|read_file");
	ck_assert_int_ge(id, 0);
	ck_assert_str_eq(cg_policy_command_name(p, id), "plugin:fs|read_file");
	ck_assert_int_eq(cg_policy_command_id(p, "plugin:fs|nope"), CG_ENOTFOUND);
	ck_assert_int_ge(cg_policy_command_id(p, "greet"), 0); /* declared */
	cg_subject *s;
	ck_assert_int_eq(cg_subject_new(p, "main", NULL, "not a url", &s), CG_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(cg_subject_new(p, NULL, NULL, NULL, &s), CG_EINVAL);
	ck_assert_int_eq(cg_subject_new(p, "main", NULL, NULL, &s), 0);
	ck_assert_str_eq(cg_subject_webview(s), "main");
	cg_decision dc;
	ck_assert_int_eq(cg_check(s, id, &dc), 0);
	ck_assert(dc.allowed);
	ck_assert_int_eq(cg_check(s, -1, &dc), CG_EINVAL);
	ck_assert(!dc.allowed);
	ck_assert_int_eq(cg_check(s, 1 << 30, &dc), CG_EINVAL);
	/* The subject keeps the policy alive. */
	cg_policy_unref(p);
	ck_assert_int_eq(cg_check(s, id, &dc), 0);
	ck_assert(dc.allowed);
	cg_subject_free(s);
	cg_subject_free(NULL);
	cg_policy_unref(NULL);
	cg_diag_free(d);
}
END_TEST

START_TEST(builtin_core)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy("{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"core:default\"]}", d);
	ck_assert_ptr_nonnull(p);
	ck_assert(allowed(p, "main", NULL, NULL, "plugin:event|listen"));
	ck_assert(allowed(p, "main", NULL, NULL, "plugin:app|version"));
	ck_assert(allowed(p, "main", NULL, NULL, "plugin:window|is_visible"));
	/* core:window:default holds getters only */
	ck_assert(!allowed(p, "main", NULL, NULL, "plugin:window|close"));
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

/* ---------------------------------------------------------------- reload */

static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static cg_policy *dir_policy(cg_diag *d)
{
	cg_builder *b = cg_builder_new();
	cg_policy *p = NULL;
	/* Only fs matters here; leaving the core manifests out keeps 200
	 * reloads quick under valgrind too. */
	cg_builder_use_builtin_core(b, 0);
	cg_builder_add_manifest_json(b, "fs", "fs.json", FS, strlen(FS), d);
	cg_builder_add_capability_dir(b, tmpdir, d);
	cg_builder_build(b, &p, d);
	cg_builder_free(b);
	return p;
}

START_TEST(reload_swaps_or_keeps)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cg-reload-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	write_file("a.json", "{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-read-file\"]}");
	cg_diag *d = cg_diag_new();
	cg_policy *p = dir_policy(d);
	ck_assert_ptr_nonnull(p);
	cg_engine *e = NULL;
	ck_assert_int_eq(cg_engine_new(p, &e), 0);
	cg_policy_unref(p);
	/* good files: swapped */
	write_file("a.json", "{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-write-file\"]}");
	ck_assert_int_eq(cg_engine_reload(e, d), 0);
	cg_policy *cur = cg_engine_policy(e);
	ck_assert(allowed(cur, "main", NULL, NULL, "plugin:fs|write_file"));
	ck_assert(!allowed(cur, "main", NULL, NULL, "plugin:fs|read_file"));
	cg_policy_unref(cur);
	/* bad files: the old policy stays and the error names the file */
	write_file("b.json", "{\"identifier\": \"b\", \"window\": [\"main\"], \"permissions\": []}");
	cg_diag *d2 = cg_diag_new();
	ck_assert_int_lt(cg_engine_reload(e, d2), 0);
	int i = diag_find(d2, "unknown field \"window\"");
	ck_assert_int_ge(i, 0);
	ck_assert_ptr_nonnull(strstr(cg_diag_file(d2, (size_t)i), "b.json"));
	ck_assert_str_eq(cg_diag_hint(d2, (size_t)i), "did you mean \"windows\"?");
	cur = cg_engine_policy(e);
	ck_assert(allowed(cur, "main", NULL, NULL, "plugin:fs|write_file"));
	cg_policy_unref(cur);
	cg_engine_free(e);
	cg_diag_free(d);
	cg_diag_free(d2);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

struct reader {
	cg_engine *e;
	int wrong;
	const int *stop; /* read with __atomic_load_n */
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	while (!__atomic_load_n(r->stop, __ATOMIC_ACQUIRE)) {
		cg_policy *p = cg_engine_policy(r->e);
		cg_decision dc;
		/* Both versions of the policy allow read_file to main and never
		 * write_file: any other answer is a wrong decision. */
		cg_check_str(p, "main", NULL, NULL, "plugin:fs|read_file", &dc);
		r->wrong += !dc.allowed;
		cg_check_str(p, "main", NULL, NULL, "plugin:fs|write_file", &dc);
		r->wrong += dc.allowed;
		cg_policy_unref(p);
		/* Let the reloading thread run (valgrind runs one thread at a
		 * time; spinning readers would starve it). */
		sched_yield();
	}
	return NULL;
}

START_TEST(reload_under_concurrent_checks)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cg-reload-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	write_file("a.json", "{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-read-file\"]}");
	cg_policy *p = dir_policy(NULL);
	ck_assert_ptr_nonnull(p);
	cg_engine *e = NULL;
	ck_assert_int_eq(cg_engine_new(p, &e), 0);
	cg_policy_unref(p);
	int stop = 0;
	struct reader rs[2] = {{e, 0, &stop}, {e, 0, &stop}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, reader_main, &rs[i]);
	int failed = 0;
	for (int i = 0; i < 200; i++) {
		/* alternate good and broken files */
		if (i % 2)
			write_file("a.json", "{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\"fs:nope\"]}");
		else
			write_file("a.json", "{\"identifier\": \"a\", \"windows\": [\"m*\"], \"permissions\": [\"fs:default\"]}");
		failed += cg_engine_reload(e, NULL) < 0;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(failed, 100);
	ck_assert_int_eq(rs[0].wrong + rs[1].wrong, 0);
	cg_engine_free(e);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(string_cache_is_bounded)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = fs_policy("{\"identifier\": \"c\", \"windows\": [\"*\"], \"permissions\": [\"fs:allow-read-file\"]}", d);
	cg_decision dc;
	char w[32];
	int r = 0, i;
	for (i = 0; i < 5000 && r == 0; i++) {
		snprintf(w, sizeof(w), "w%d", i);
		r = cg_check_str(p, w, NULL, NULL, "plugin:fs|read_file", &dc);
	}
	ck_assert_int_eq(r, CG_ELIMIT);
	ck_assert(!dc.allowed);
	ck_assert_int_eq(i, 4097);
	/* cached callers keep working */
	ck_assert_int_eq(cg_check_str(p, "w1", NULL, NULL, "plugin:fs|read_file", &dc), 0);
	ck_assert(dc.allowed);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

/* Two different callers never share a cache entry, whatever bytes their
 * labels hold: "a" showing webview "b\x1fc" and window "a\x1fb" showing
 * "c" once made the same key (issue 15, item 6). */
START_TEST(string_cache_keys_do_not_collide)
{
	static const struct {
		const char *w, *v, *url;
		int allowed;
	} callers[] = {
		{"a", "b\x1f" "c", NULL, 1},
		{"a\x1f" "b", "c", NULL, 0},
		{"a", "b\x1fL", NULL, 1},
		{"a\x1f" "b", "L", NULL, 0},
		{"a", "a", "https://x.example/", 0},
		{"a", NULL, NULL, 1},
		{"1:a1:a", NULL, NULL, 0},
	};
	size_t n = sizeof(callers) / sizeof(callers[0]);
	/* Each order: whoever comes first must not decide for the other. */
	for (int reverse = 0; reverse < 2; reverse++) {
		cg_diag *d = cg_diag_new();
		cg_policy *p = fs_policy("{\"identifier\": \"c\", \"windows\": [\"a\"], \"permissions\": [\"fs:allow-read-file\"]}", d);
		ck_assert_ptr_nonnull(p);
		for (size_t k = 0; k < n; k++) {
			size_t i = reverse ? n - 1 - k : k;
			cg_decision dc;
			ck_assert_int_eq(cg_check_str(p, callers[i].w, callers[i].v, callers[i].url,
						      "plugin:fs|read_file", &dc), 0);
			ck_assert_msg(dc.allowed == callers[i].allowed, "caller %zu (order %d): allowed %d", i,
				      reverse, dc.allowed);
			ck_assert_str_eq(cg_subject_window(dc.priv_subject), callers[i].w);
			ck_assert_str_eq(cg_subject_webview(dc.priv_subject), callers[i].v ? callers[i].v : callers[i].w);
		}
		cg_policy_unref(p);
		cg_diag_free(d);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("decisions");
	tcase_add_test(tc, nothing_by_default);
	tcase_add_test(tc, app_command_granted);
	tcase_add_test(tc, deny_respects_window);
	tcase_add_test(tc, deny_respects_origin);
	tcase_add_test(tc, windows_or_webviews);
	tcase_add_test(tc, local_and_remote);
	tcase_add_test(tc, platforms);
	tcase_add_test(tc, scopes);
	tcase_add_test(tc, set_unit_scope);
	tcase_add_test(tc, scope_numbers_as_written);
	tcase_add_test(tc, inactive_scopes_stay_out_of_global);
	tcase_add_test(tc, events);
	tcase_add_test(tc, event_scope_bad_glob);
	tcase_add_test(tc, denial_names_the_fix);
	tcase_add_test(tc, denials_say_what_is_missing);
	tcase_add_test(tc, allowed_explain_has_lines);
	tcase_add_test(tc, ids_and_handles);
	tcase_add_test(tc, builtin_core);
	tcase_add_test(tc, string_cache_is_bounded);
	tcase_add_test(tc, string_cache_keys_do_not_collide);
	suite_add_tcase(s, tc);
	TCase *rl = tcase_create("reload");
	tcase_set_timeout(rl, 120);
	tcase_add_test(rl, reload_swaps_or_keeps);
	tcase_add_test(rl, reload_under_concurrent_checks);
	suite_add_tcase(s, rl);
	return run_suite(s);
}
