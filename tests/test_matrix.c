/* The audit matrix (cg_policy_audit): rows, deny over grant, scopes and
 * provenance, origins, webviews, events, danger, extra labels, platforms,
 * determinism, and agreement with the engine's own checks. */
#include "testutil.h"

#include <dirent.h>
#include <stdbool.h>

/* Plugin "fs" (files), plugin "shell" and two app commands. */
static const char *FS =
	"{\"permission\": ["
	" {\"identifier\": \"allow-read-file\", \"commands\": {\"allow\": [\"read_file\"]}},"
	" {\"identifier\": \"allow-write-file\", \"commands\": {\"allow\": [\"write_file\"]}},"
	" {\"identifier\": \"deny-write-file\", \"commands\": {\"deny\": [\"write_file\"]}},"
	" {\"identifier\": \"scope-home\", \"scope\": {\"allow\": [{\"path\": \"$HOME/**\"}]}},"
	" {\"identifier\": \"read-docs\", \"commands\": {\"allow\": [\"read_file\"]},"
	"  \"scope\": {\"allow\": [{\"path\": \"$DOCS/**\"}], \"deny\": [{\"path\": \"$DOCS/secret\"}]}}"
	"],"
	"\"set\": [{\"identifier\": \"both\", \"permissions\": [\"allow-read-file\", \"read-docs\"]}]}";

static const char *SHELL =
	"{\"permission\": [{\"identifier\": \"allow-execute\", \"commands\": {\"allow\": [\"execute\"]}}]}";

static cg_policy *mk(const char *platform, const char *caps)
{
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	cg_policy *p = NULL;
	ck_assert_ptr_nonnull(b);
	if (platform)
		ck_assert_int_eq(cg_builder_set_platform(b, platform), 0);
	cg_builder_add_manifest_json(b, "fs", "fs.json", FS, strlen(FS), d);
	cg_builder_add_manifest_json(b, "shell", "shell.json", SHELL, strlen(SHELL), d);
	cg_builder_declare_command(b, NULL, "greet");
	cg_builder_declare_command(b, NULL, "delete_all");
	cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), d);
	if (cg_builder_build(b, &p, d) < 0)
		dump_diag(d);
	ck_assert_ptr_nonnull(p);
	cg_builder_free(b);
	cg_diag_free(d);
	return p;
}

static json_object *audit_of(const char *caps, const char *const *labels, size_t n)
{
	cg_policy *p = mk(NULL, caps);
	json_object *m = NULL;
	ck_assert_int_eq(cg_policy_audit(p, labels, n, &m), 0);
	ck_assert_ptr_nonnull(m);
	cg_policy_unref(p);
	return m;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *sget(json_object *o, const char *key)
{
	json_object *v = get(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static size_t len(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static json_object *at(json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

static json_object *context(json_object *m, const char *kind, const char *label, const char *origin)
{
	json_object *ctxs = get(m, "contexts");
	for (size_t i = 0; i < len(ctxs); i++) {
		json_object *c = at(ctxs, i);
		if (!strcmp(sget(c, "kind"), kind) && !strcmp(sget(c, "label"), label) &&
		    !strcmp(sget(c, "origin"), origin))
			return c;
	}
	return NULL;
}

/* A command of a context's "commands" or "denied" list, or NULL. */
static json_object *command(json_object *ctx, const char *list, const char *name)
{
	json_object *l = get(ctx, list);
	for (size_t i = 0; i < len(l); i++)
		if (!strcmp(sget(at(l, i), "command"), name))
			return at(l, i);
	return NULL;
}

/* The compact JSON of v, for comparing against a literal. */
static const char *js(json_object *v)
{
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* "kind label origin" of every context, in order, joined by ";". */
static char *row_list(json_object *m)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	json_object *ctxs = get(m, "contexts");
	for (size_t i = 0; i < len(ctxs); i++)
		fprintf(f, "%s %s %s;", sget(at(ctxs, i), "kind"), sget(at(ctxs, i), "label"),
			sget(at(ctxs, i), "origin"));
	fclose(f);
	return buf;
}

START_TEST(rows_sorted)
{
	json_object *m = audit_of(
		"[{\"identifier\": \"b\", \"windows\": [\"main\", \"editor-*\"], \"webviews\": [\"pv\"],"
		"  \"remote\": {\"urls\": [\"https://z.example\", \"https://a.example\"]}, \"permissions\": [\"allow-greet\"]},"
		" {\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\"allow-delete-all\"]}]", NULL, 0);
	char *rows = row_list(m);
	ck_assert_str_eq(rows,
			 "window editor-* local;window editor-* https://a.example;window editor-* https://z.example;"
			 "window main local;window main https://a.example;window main https://z.example;"
			 "webview pv local;webview pv https://a.example;webview pv https://z.example;");
	free(rows);
	ck_assert_int_eq(json_object_get_int(get(m, "format")), 1);
	ck_assert_str_eq(sget(m, "platform"), "linux");
	ck_assert_str_eq(js(get(m, "origins")), "[\"local\",\"https://a.example\",\"https://z.example\"]");
	json_object *c = context(m, "window", "main", "local");
	ck_assert_str_eq(js(get(c, "capabilities")), "[\"a\",\"b\"]");
	ck_assert(!json_object_get_boolean(get(c, "pattern")));
	ck_assert(!json_object_get_boolean(get(c, "extra")));
	ck_assert(json_object_get_boolean(get(context(m, "window", "editor-*", "local"), "pattern")));
	/* Commands sorted by name. */
	ck_assert_int_eq(len(get(c, "commands")), 2);
	ck_assert_str_eq(sget(at(get(c, "commands"), 0), "command"), "delete_all");
	ck_assert_str_eq(sget(at(get(c, "commands"), 1), "command"), "greet");
	/* The remote row has only b. */
	c = context(m, "window", "main", "https://a.example");
	ck_assert_str_eq(js(get(c, "capabilities")), "[\"b\"]");
	ck_assert_ptr_null(command(c, "commands", "delete_all"));
	/* Capabilities listed by id. */
	ck_assert_str_eq(sget(at(get(m, "capabilities"), 0), "id"), "a");
	ck_assert_str_eq(sget(at(get(m, "capabilities"), 1), "id"), "b");
	json_object_put(m);
}
END_TEST

START_TEST(deny_wins)
{
	json_object *m = audit_of(
		"[{\"identifier\": \"all\", \"windows\": [\"*\"], \"permissions\": [\"fs:allow-write-file\", \"fs:allow-read-file\"]},"
		" {\"identifier\": \"viewer\", \"windows\": [\"viewer\"], \"permissions\": [\"fs:deny-write-file\"]}]", NULL, 0);
	json_object *v = context(m, "window", "viewer", "local");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(js(get(v, "capabilities")), "[\"all\",\"viewer\"]");
	ck_assert_ptr_null(command(v, "commands", "plugin:fs|write_file"));
	ck_assert_ptr_nonnull(command(v, "commands", "plugin:fs|read_file"));
	json_object *w = command(v, "denied", "plugin:fs|write_file");
	ck_assert_ptr_nonnull(w);
	ck_assert_str_eq(sget(w, "danger"), "files");
	ck_assert_int_eq(len(get(w, "denied_by")), 1);
	ck_assert_str_eq(sget(at(get(w, "denied_by"), 0), "capability"), "viewer");
	ck_assert_str_eq(sget(at(get(w, "denied_by"), 0), "entry"), "fs:deny-write-file");
	/* The grant it beats is shown. */
	ck_assert_int_eq(len(get(w, "overrides")), 1);
	ck_assert_str_eq(sget(at(get(w, "overrides"), 0), "capability"), "all");
	/* A deny rule applies only to its capability's callers. */
	json_object *star = context(m, "window", "*", "local");
	ck_assert_ptr_nonnull(command(star, "commands", "plugin:fs|write_file"));
	ck_assert_int_eq(len(get(star, "denied")), 0);
	/* The "*" row does not get viewer's capability: "viewer" does not match "*" as text. */
	ck_assert_str_eq(js(get(star, "capabilities")), "[\"all\"]");
	json_object_put(m);
}
END_TEST

START_TEST(scopes_and_provenance)
{
	json_object *m = audit_of(
		"[{\"identifier\": \"main\",\n"
		"  \"windows\": [\"main\"],\n"
		"  \"permissions\": [\n"
		"    \"fs:both\",\n"
		"    {\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"path\": \"$TMP/**\"}]}\n"
		"  ]}]", NULL, 0);
	json_object *c = command(context(m, "window", "main", "local"), "commands", "plugin:fs|read_file");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(sget(c, "plugin"), "fs");
	/* One unit per entry: the set's scope (read-docs') covers both its
	 * members; the union over entries is the effective scope. */
	ck_assert_str_eq(js(get(c, "scope")),
			 "{\"allow\":[{\"path\":\"$DOCS/**\"},{\"path\":\"$TMP/**\"}],\"deny\":[{\"path\":\"$DOCS/secret\"}]}");
	json_object *by = get(c, "granted_by");
	ck_assert_int_eq(len(by), 3);
	json_object *g = at(by, 0);
	ck_assert_str_eq(sget(g, "capability"), "main");
	ck_assert_str_eq(sget(g, "file"), "caps.json");
	ck_assert_int_eq(json_object_get_int(get(g, "line")), 4);
	ck_assert_str_eq(sget(g, "entry"), "fs:both");
	ck_assert_str_eq(sget(g, "permission"), "fs:allow-read-file");
	ck_assert_str_eq(js(get(g, "scope")), "{\"allow\":[{\"path\":\"$DOCS/**\"}],\"deny\":[{\"path\":\"$DOCS/secret\"}]}");
	ck_assert_str_eq(sget(at(by, 1), "permission"), "fs:read-docs");
	g = at(by, 2);
	ck_assert_int_eq(json_object_get_int(get(g, "line")), 5);
	ck_assert_str_eq(sget(g, "entry"), "fs:allow-read-file");
	ck_assert_str_eq(js(get(g, "scope")), "{\"allow\":[{\"path\":\"$TMP/**\"}],\"deny\":[]}");
	json_object_put(m);
}
END_TEST

START_TEST(same_entry_once)
{
	/* A set naming one permission twice grants once, listed once. */
	static const char *SETS =
		"{\"permission\": [{\"identifier\": \"allow-x\", \"commands\": {\"allow\": [\"x\"]}}],"
		" \"set\": [{\"identifier\": \"twice\", \"permissions\": [\"allow-x\", \"allow-x\"]}]}";
	static const char *CAPS = "{\"identifier\": \"c\", \"windows\": [\"w\"], \"permissions\": [\"p:twice\"]}";
	cg_diag *d = cg_diag_new();
	cg_policy *p = build_policy("p", SETS, CAPS, d);
	ck_assert_ptr_nonnull(p);
	json_object *m = NULL;
	ck_assert_int_eq(cg_policy_audit(p, NULL, 0, &m), 0);
	json_object *c = command(context(m, "window", "w", "local"), "commands", "plugin:p|x");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(len(get(c, "granted_by")), 1);
	json_object_put(m);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(remote_origins)
{
	json_object *m = audit_of(
		"[{\"identifier\": \"web\", \"local\": false, \"windows\": [\"main\"],"
		"  \"remote\": {\"urls\": [\"https://*.example.com\"]}, \"permissions\": [\"fs:allow-read-file\"]},"
		" {\"identifier\": \"app\", \"windows\": [\"main\"], \"permissions\": [\"allow-greet\"]}]", NULL, 0);
	json_object *local = context(m, "window", "main", "local");
	json_object *web = context(m, "window", "main", "https://*.example.com");
	ck_assert_ptr_nonnull(local);
	ck_assert_ptr_nonnull(web);
	ck_assert_ptr_nonnull(command(local, "commands", "greet"));
	ck_assert_ptr_null(command(local, "commands", "plugin:fs|read_file"));
	ck_assert_ptr_nonnull(command(web, "commands", "plugin:fs|read_file"));
	/* "app" is local only (no remote.urls): nothing of it reaches web pages. */
	ck_assert_ptr_null(command(web, "commands", "greet"));
	ck_assert_str_eq(js(get(web, "capabilities")), "[\"web\"]");
	json_object *cap = at(get(m, "capabilities"), 1);
	ck_assert_str_eq(sget(cap, "id"), "web");
	ck_assert(!json_object_get_boolean(get(cap, "local")));
	ck_assert_str_eq(js(get(cap, "remote")), "[\"https://*.example.com\"]");
	json_object_put(m);

	/* A remote-only capability makes no local row. */
	m = audit_of("{\"identifier\": \"web\", \"local\": false, \"windows\": [\"w\"],"
		     " \"remote\": {\"urls\": [\"https://a.example\"]}, \"permissions\": [\"allow-greet\"]}", NULL, 0);
	char *rows = row_list(m);
	ck_assert_str_eq(rows, "window w https://a.example;");
	free(rows);
	json_object_put(m);
}
END_TEST

START_TEST(webviews)
{
	const char *labels[] = {"main"};
	json_object *m = audit_of(
		"[{\"identifier\": \"pv\", \"webviews\": [\"preview\"], \"permissions\": [\"fs:allow-read-file\"]},"
		" {\"identifier\": \"win\", \"windows\": [\"main\"], \"permissions\": [\"allow-greet\"]}]", labels, 1);
	json_object *wv = context(m, "webview", "preview", "local");
	ck_assert_ptr_nonnull(wv);
	ck_assert_str_eq(js(get(wv, "capabilities")), "[\"pv\"]");
	ck_assert_ptr_nonnull(command(wv, "commands", "plugin:fs|read_file"));
	/* A webview row cannot know its window: the window's capability is
	 * not in it. */
	ck_assert_ptr_null(command(wv, "commands", "greet"));
	ck_assert_ptr_null(context(m, "window", "preview", "local"));
	ck_assert_ptr_null(command(context(m, "window", "main", "local"), "commands", "plugin:fs|read_file"));
	json_object_put(m);

	/* A window's own webview has the window's label, so "webviews" reaches
	 * the window row too (as cg_subject_new(p, "preview", NULL, ...) does). */
	const char *pv[] = {"preview"};
	m = audit_of("{\"identifier\": \"pv\", \"webviews\": [\"preview\"], \"permissions\": [\"fs:allow-read-file\"]}", pv, 1);
	ck_assert_ptr_nonnull(command(context(m, "window", "preview", "local"), "commands", "plugin:fs|read_file"));
	json_object_put(m);
}
END_TEST

START_TEST(events)
{
	json_object *m = audit_of(
		"[{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": ["
		"   {\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"note-*\"}, {\"event\": \"app/ready\"}],"
		"    \"deny\": [{\"event\": \"note-secret*\"}]},"
		"   \"core:event:allow-emit\","
		"   {\"identifier\": \"core:event:allow-emit-to\", \"allow\": [{\"event\": \"x\"}]},"
		"   {\"identifier\": \"core:event:deny-emit-to\"}]},"
		" {\"identifier\": \"b\", \"windows\": [\"main\"], \"permissions\": ["
		"   {\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"settings-*\"}]},"
		"   {\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"note-*\"}]}]},"
		" {\"identifier\": \"c\", \"windows\": [\"other\"], \"permissions\": [\"core:event:allow-listen\","
		"   {\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"only\"}]}]}]", NULL, 0);
	json_object *ev = get(context(m, "window", "main", "local"), "events");
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(js(get(ev, "listen")),
			 "{\"allow\":[\"app/ready\",\"note-*\",\"settings-*\"],\"deny\":[\"note-secret*\"]}");
	/* A grant without event entries allows every event. */
	ck_assert_str_eq(js(get(ev, "emit")), "{\"allow\":[\"*\"],\"deny\":[]}");
	/* A deny rule refuses the operation whatever else allows it. */
	ck_assert(json_object_object_get_ex(ev, "emit_to", NULL));
	ck_assert_ptr_null(get(ev, "emit_to"));
	ck_assert_ptr_nonnull(command(context(m, "window", "main", "local"), "denied", "plugin:event|emit_to"));
	/* One unscoped grant among scoped ones: every event. */
	ev = get(context(m, "window", "other", "local"), "events");
	ck_assert_str_eq(js(get(ev, "listen")), "{\"allow\":[\"*\"],\"deny\":[]}");
	ck_assert_ptr_null(get(ev, "emit"));
	json_object_put(m);
}
END_TEST

START_TEST(event_global_deny)
{
	/* Deny entries of core:event's global scope refuse names too. */
	cg_diag *d = cg_diag_new();
	static const char *EV =
		"{\"permission\": ["
		" {\"identifier\": \"allow-listen\", \"commands\": {\"allow\": [\"listen\"]}},"
		" {\"identifier\": \"scope-events\", \"scope\": {}}]}";
	static const char *CAPS =
		"{\"identifier\": \"c\", \"windows\": [\"w\"], \"permissions\": [\"core:event:allow-listen\","
		" {\"identifier\": \"core:event:scope-events\", \"deny\": [{\"event\": \"private-*\"}]}]}";
	cg_policy *p = build_policy("core:event", EV, CAPS, d);
	ck_assert_ptr_nonnull(p);
	json_object *m = NULL;
	ck_assert_int_eq(cg_policy_audit(p, NULL, 0, &m), 0);
	json_object *ctx = context(m, "window", "w", "local");
	ck_assert_str_eq(js(get(get(ctx, "events"), "listen")), "{\"allow\":[\"*\"],\"deny\":[\"private-*\"]}");
	json_object *g = get(get(ctx, "global_scopes"), "core:event");
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(js(get(g, "deny")), "[{\"event\":\"private-*\"}]");
	json_object_put(m);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(global_scopes)
{
	json_object *m = audit_of(
		"[{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-read-file\", \"fs:scope-home\","
		"   {\"identifier\": \"fs:scope-home\", \"deny\": [{\"path\": \"$HOME/.ssh\"}]}]},"
		" {\"identifier\": \"b\", \"windows\": [\"other\"], \"permissions\": [\"fs:scope-home\", \"allow-greet\"]}]", NULL, 0);
	json_object *g = get(get(context(m, "window", "main", "local"), "global_scopes"), "fs");
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(js(get(g, "allow")), "[{\"path\":\"$HOME/**\"}]");
	ck_assert_str_eq(js(get(g, "deny")), "[{\"path\":\"$HOME/.ssh\"}]");
	ck_assert_int_eq(len(get(g, "granted_by")), 2);
	ck_assert_str_eq(sget(at(get(g, "granted_by"), 0), "entry"), "fs:scope-home");
	ck_assert_ptr_null(get(at(get(g, "granted_by"), 0), "permission"));
	/* Only from capabilities that apply. */
	g = get(get(context(m, "window", "other", "local"), "global_scopes"), "fs");
	ck_assert_int_eq(len(get(g, "granted_by")), 1);
	ck_assert_str_eq(sget(at(get(g, "granted_by"), 0), "capability"), "b");
	json_object_put(m);
}
END_TEST

START_TEST(danger)
{
	json_object *m = audit_of(
		"{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\"fs:allow-read-file\","
		" \"shell:allow-execute\", \"allow-greet\", \"core:window:allow-close\"]}", NULL, 0);
	json_object *c = context(m, "window", "main", "local");
	ck_assert_str_eq(sget(command(c, "commands", "plugin:fs|read_file"), "danger"), "files");
	ck_assert_str_eq(sget(command(c, "commands", "plugin:shell|execute"), "danger"), "shell");
	/* Present and null for the rest. */
	json_object *g = command(c, "commands", "greet");
	ck_assert(json_object_object_get_ex(g, "danger", NULL));
	ck_assert_ptr_null(get(g, "danger"));
	ck_assert_ptr_null(get(command(c, "commands", "plugin:window|close"), "danger"));
	ck_assert_str_eq(sget(command(c, "commands", "plugin:window|close"), "plugin"), "core:window");
	ck_assert_str_eq(sget(g, "plugin"), "");
	json_object_put(m);
}
END_TEST

START_TEST(extra_labels)
{
	const char *labels[] = {"main", "lonely", "main", ""};
	json_object *m = audit_of(
		"{\"identifier\": \"a\", \"windows\": [\"main\"], \"remote\": {\"urls\": [\"https://a.example\"]},"
		" \"permissions\": [\"allow-greet\"]}", labels, 4);
	char *rows = row_list(m);
	/* Listed once each; an uncovered label only from local content. */
	ck_assert_str_eq(rows, "window lonely local;window main local;window main https://a.example;");
	free(rows);
	json_object *l = context(m, "window", "lonely", "local");
	ck_assert(json_object_get_boolean(get(l, "extra")));
	ck_assert_int_eq(len(get(l, "capabilities")), 0);
	ck_assert_int_eq(len(get(l, "commands")), 0);
	ck_assert_int_eq(len(get(l, "denied")), 0);
	ck_assert_ptr_null(get(get(l, "events"), "listen"));
	ck_assert(json_object_get_boolean(get(context(m, "window", "main", "local"), "extra")));
	json_object_put(m);

	/* A label that a pattern covers gets that pattern's capabilities. */
	const char *one[] = {"editor-2"};
	m = audit_of("{\"identifier\": \"e\", \"windows\": [\"editor-*\"], \"permissions\": [\"allow-greet\"]}", one, 1);
	ck_assert_ptr_nonnull(command(context(m, "window", "editor-2", "local"), "commands", "greet"));
	json_object_put(m);
}
END_TEST

START_TEST(pattern_rows)
{
	json_object *m = audit_of(
		"[{\"identifier\": \"any\", \"windows\": [\"*\"], \"permissions\": [\"allow-greet\"]},"
		" {\"identifier\": \"ed\", \"windows\": [\"editor-*\"], \"permissions\": [\"fs:allow-read-file\"]},"
		" {\"identifier\": \"one\", \"windows\": [\"editor-1\"], \"permissions\": [\"allow-delete-all\"]}]", NULL, 0);
	/* "editor-*" as text is matched by "*" and is "editor-*" itself, but
	 * "editor-1" says nothing about every editor window. */
	ck_assert_str_eq(js(get(context(m, "window", "editor-*", "local"), "capabilities")), "[\"any\",\"ed\"]");
	ck_assert_str_eq(js(get(context(m, "window", "editor-1", "local"), "capabilities")), "[\"any\",\"ed\",\"one\"]");
	ck_assert_str_eq(js(get(context(m, "window", "*", "local"), "capabilities")), "[\"any\"]");
	json_object_put(m);
}
END_TEST

START_TEST(disabled_platform)
{
	static const char *CAPS =
		"[{\"identifier\": \"mobile\", \"platforms\": [\"android\", \"iOS\"], \"windows\": [\"main\", \"phone\"],"
		"  \"remote\": {\"urls\": [\"https://m.example\"]}, \"permissions\": [\"fs:allow-read-file\"]},"
		" {\"identifier\": \"desk\", \"platforms\": [\"linux\"], \"windows\": [\"main\"], \"permissions\": [\"allow-greet\"]}]";
	cg_policy *p = mk(NULL, CAPS);
	json_object *m = NULL;
	ck_assert_int_eq(cg_policy_audit(p, NULL, 0, &m), 0);
	char *rows = row_list(m);
	/* No row, no origin from a capability for another platform. */
	ck_assert_str_eq(rows, "window main local;");
	free(rows);
	ck_assert_str_eq(js(get(m, "origins")), "[\"local\"]");
	json_object *c = context(m, "window", "main", "local");
	ck_assert_str_eq(js(get(c, "capabilities")), "[\"desk\"]");
	ck_assert_ptr_null(command(c, "commands", "plugin:fs|read_file"));
	json_object *mob = at(get(m, "capabilities"), 1);
	ck_assert_str_eq(sget(mob, "id"), "mobile");
	ck_assert(!json_object_get_boolean(get(mob, "enabled")));
	ck_assert_str_eq(js(get(mob, "platforms")), "[\"android\",\"iOS\"]");
	ck_assert_str_eq(js(get(at(get(m, "capabilities"), 0), "platforms")), "[\"linux\"]");
	json_object_put(m);
	cg_policy_unref(p);

	/* The same files for android: the other way round. */
	p = mk("android", CAPS);
	ck_assert_int_eq(cg_policy_audit(p, NULL, 0, &m), 0);
	rows = row_list(m);
	ck_assert_str_eq(rows, "window main local;window main https://m.example;window phone local;window phone https://m.example;");
	free(rows);
	ck_assert_str_eq(sget(m, "platform"), "android");
	ck_assert_ptr_nonnull(command(context(m, "window", "main", "local"), "commands", "plugin:fs|read_file"));
	ck_assert_ptr_null(command(context(m, "window", "main", "local"), "commands", "greet"));
	json_object_put(m);
	cg_policy_unref(p);
}
END_TEST

START_TEST(deterministic)
{
	/* Both grant read_file, with their own scopes: the union and its
	 * sources must not depend on which file came first. */
	static const char *A = "{\"identifier\": \"a\", \"windows\": [\"main\", \"x-*\"], \"permissions\": [\"allow-greet\", \"fs:both\","
			       " {\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"zz\"}]}]}";
	static const char *B = "{\"identifier\": \"b\", \"windows\": [\"main\"], \"webviews\": [\"v\"], \"permissions\": [\"fs:allow-write-file\", \"fs:scope-home\","
			       " {\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"path\": \"$B\"}]},"
			       " {\"identifier\": \"core:event:allow-listen\", \"allow\": [{\"event\": \"aa\"}]}]}";
	char *out[2];
	for (int i = 0; i < 2; i++) {
		/* The same capabilities, loaded in the other order. */
		char *caps = NULL;
		if (asprintf(&caps, "[%s, %s]", i ? B : A, i ? A : B) < 0)
			ck_abort();
		cg_policy *p = mk(NULL, caps);
		json_object *m = NULL;
		ck_assert_int_eq(cg_policy_audit(p, NULL, 0, &m), 0);
		json_object *again = NULL;
		ck_assert_int_eq(cg_policy_audit(p, NULL, 0, &again), 0);
		ck_assert_str_eq(js(m), js(again));
		json_object_put(again);
		out[i] = strdup(js(m));
		json_object_put(m);
		cg_policy_unref(p);
		free(caps);
	}
	ck_assert_str_eq(out[0], out[1]);
	free(out[0]);
	free(out[1]);
}
END_TEST

START_TEST(values_are_copies)
{
	/* Changing the matrix must not change what the policy hands out. */
	cg_policy *p = mk(NULL, "{\"identifier\": \"a\", \"windows\": [\"m\"], \"permissions\": ["
			     "{\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"path\": \"$A\"}]}]}");
	json_object *m = NULL;
	ck_assert_int_eq(cg_policy_audit(p, NULL, 0, &m), 0);
	json_object *c = command(context(m, "window", "m", "local"), "commands", "plugin:fs|read_file");
	json_object *v = at(get(get(c, "scope"), "allow"), 0);
	json_object_object_add(v, "path", json_object_new_string("/"));
	json_object_put(m);
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(p, "m", NULL, NULL, "plugin:fs|read_file", &dc), 0);
	json_object *scope = cg_decision_command_scope(&dc);
	ck_assert_str_eq(js(scope), "{\"allow\":[{\"path\":\"$A\"}],\"deny\":[]}");
	json_object_put(scope);
	cg_policy_unref(p);
}
END_TEST

START_TEST(bad_arguments)
{
	json_object *m = (json_object *)1;
	ck_assert_int_eq(cg_policy_audit(NULL, NULL, 0, &m), CG_EINVAL);
	ck_assert_ptr_null(m);
	cg_policy *p = mk(NULL, "{\"identifier\": \"a\", \"windows\": [\"m\"], \"permissions\": []}");
	ck_assert_int_eq(cg_policy_audit(p, NULL, 2, &m), CG_EINVAL);
	ck_assert_int_eq(cg_policy_audit(p, NULL, 0, NULL), CG_EINVAL);
	ck_assert_int_eq(cg_policy_audit(p, NULL, 0, &m), 0);
	/* A capability that grants nothing still makes its row. */
	json_object *c = context(m, "window", "m", "local");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(len(get(c, "commands")), 0);
	json_object_put(m);
	cg_policy_unref(p);
}
END_TEST

/* Equal as sets (the matrix sorts scopes; the engine keeps grant order). */
static bool same_set(json_object *x, json_object *y)
{
	if (len(x) != len(y))
		return false;
	for (size_t i = 0; i < len(x); i++) {
		bool found = false;
		for (size_t k = 0; !found && k < len(y); k++)
			found = json_object_equal(at(x, i), at(y, k));
		if (!found)
			return false;
	}
	return true;
}

/* For every literal window row of local content (with two extra labels,
 * so that a policy of patterns only has some), the matrix says exactly
 * what cg_check_str decides, command by command. */
static void agrees_with_engine(cg_policy *p)
{
	static const char *const probes[] = {"main", "capgate-probe"};
	json_object *m = NULL;
	ck_assert_int_eq(cg_policy_audit(p, probes, 2, &m), 0);
	ck_assert_ptr_nonnull(m);
	json_object *ctxs = get(m, "contexts");
	size_t checked = 0;
	for (size_t i = 0; i < len(ctxs); i++) {
		json_object *c = at(ctxs, i);
		const char *label = sget(c, "label");
		if (strcmp(sget(c, "kind"), "window") || strcmp(sget(c, "origin"), "local") ||
		    json_object_get_boolean(get(c, "pattern")))
			continue;
		for (size_t k = 0; k < cg_policy_command_count(p); k++) {
			const char *name = cg_policy_command_name(p, (int)k);
			cg_decision dc;
			ck_assert_int_eq(cg_check_str(p, label, NULL, NULL, name, &dc), 0);
			json_object *allowed = command(c, "commands", name);
			json_object *denied = command(c, "denied", name);
			if (dc.allowed != (allowed != NULL) || (dc.reason == CG_REASON_DENY_RULE) != (denied != NULL))
				ck_abort_msg("window %s, %s: engine %s, matrix %s", label, name,
					     dc.allowed ? "allows" : "denies", allowed ? "allows" : denied ? "denies" : "omits");
			if (allowed) {
				json_object *scope = cg_decision_command_scope(&dc);
				ck_assert(same_set(get(scope, "allow"), get(get(allowed, "scope"), "allow")));
				ck_assert(same_set(get(scope, "deny"), get(get(allowed, "scope"), "deny")));
				json_object_put(scope);
			}
			checked++;
		}
	}
	ck_assert_uint_gt(checked, 0);
	json_object_put(m);
}

START_TEST(matches_engine_example)
{
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	cg_policy *p = NULL;
	cg_builder_add_plugins_dir(b, SRCDIR "/examples/policy/plugins", d);
	cg_builder_add_capability_dir(b, SRCDIR "/examples/policy/capabilities", d);
	if (cg_builder_build(b, &p, d) < 0)
		dump_diag(d);
	ck_assert_ptr_nonnull(p);
	agrees_with_engine(p);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
}
END_TEST

START_TEST(matches_engine_mixed)
{
	cg_policy *p = mk(NULL,
		"[{\"identifier\": \"all\", \"windows\": [\"*\"], \"permissions\": [\"fs:both\", \"fs:allow-write-file\"]},"
		" {\"identifier\": \"v\", \"windows\": [\"viewer\"], \"webviews\": [\"main\"], \"permissions\": [\"fs:deny-write-file\","
		"   {\"identifier\": \"fs:allow-read-file\", \"allow\": [{\"path\": \"$X\"}]}, \"shell:allow-execute\"]},"
		" {\"identifier\": \"g\", \"windows\": [\"main\", \"other\"], \"permissions\": [\"allow-greet\"]}]");
	agrees_with_engine(p);
	cg_policy_unref(p);
}
END_TEST

/* Real projects: the matrix agrees with the engine for each one that
 * loads (the corpus lives beside the checkout; without it there is
 * nothing to compare and the test says so). */
START_TEST(matches_engine_corpus)
{
	const char *sh = shared_dir();
	if (!sh) {
		printf("note: ../shared is missing: matches_engine_corpus compares nothing\n");
		return;
	}
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s/corpus/tauri-projects", sh);
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), compared = 0;
	for (int i = 0; i < n; i++) {
		char caps[8400], acl[8400];
		snprintf(caps, sizeof(caps), "%s/%s/capabilities", dir, names[i]->d_name);
		snprintf(acl, sizeof(acl), "%s/%s/acl-manifests.json", dir, names[i]->d_name);
		free(names[i]);
		if (access(caps, R_OK) != 0 || access(acl, R_OK) != 0)
			continue;
		cg_diag *d = cg_diag_new();
		cg_builder *b = cg_builder_new();
		cg_policy *p = NULL;
		cg_builder_add_capability_dir(b, caps, d);
		cg_builder_add_tauri_manifests(b, acl, d);
		if (cg_builder_build(b, &p, d) == 0) {
			agrees_with_engine(p);
			compared++;
		}
		cg_policy_unref(p);
		cg_builder_free(b);
		cg_diag_free(d);
	}
	free(names);
	ck_assert_int_ge(compared, 30);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("matrix");
	TCase *tc = tcase_create("audit");
	tcase_add_test(tc, rows_sorted);
	tcase_add_test(tc, deny_wins);
	tcase_add_test(tc, scopes_and_provenance);
	tcase_add_test(tc, same_entry_once);
	tcase_add_test(tc, remote_origins);
	tcase_add_test(tc, webviews);
	tcase_add_test(tc, events);
	tcase_add_test(tc, event_global_deny);
	tcase_add_test(tc, global_scopes);
	tcase_add_test(tc, danger);
	tcase_add_test(tc, extra_labels);
	tcase_add_test(tc, pattern_rows);
	tcase_add_test(tc, disabled_platform);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, values_are_copies);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, matches_engine_example);
	tcase_add_test(tc, matches_engine_mixed);
	tcase_add_test(tc, matches_engine_corpus);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
