/*
 * fuzz_capability: a capability file's JSON text, resolved against fixed
 * manifests into a policy, then queried.
 *
 * Sources: the input as one capability file, plus
 *   - plugin "fs": allow-read-file / read-docs / the sets read-all and
 *     read-documents / the default set grant read_file, allow-write-file
 *     grants write_file, deny-write-file denies it, scope-home and
 *     scope-documents are scope only, write-mac grants write_file on macOS
 *     only, scope-mac is scope only on macOS only; the sets scopes (of the
 *     two scope-only ones) and mixed-mac (write-mac and scope-documents)
 *     are scope only on linux, nothing (empty), mac-only (write-mac) and
 *     mac-scopes (scope-mac) have nothing active on linux;
 *   - plugin "shell": allow-execute (also via the default set and the set
 *     everything-mac), open-mac (macOS only), allow-spawn-linux;
 *   - app commands "greet" and "never_granted" (declared, so only their
 *     generated allow-/deny- permissions exist), and a few more that the
 *     project's example capabilities name (so that those build);
 *   - fuzz_add_mini_core(): a small stand-in for the built-in core:*
 *     manifests (fuzz_common.h says why).
 * The input is also linted (cg_lint_run) before it is built.
 *
 * Invariants, checked for each input that builds, for the subjects below
 * and the commands below:
 *   1. determinism and agreement: cg_check_str asked twice, cg_check_command
 *      on a resolved subject and cg_check by command id give the same
 *      (allowed, reason); allowed <=> reason ALLOWED; a command no manifest
 *      declares is denied as UNKNOWN_COMMAND, a declared one never is.
 *   2. a grant needs a name: a command is allowed to a subject only if some
 *      capability object of the input (a) names, somewhere in its
 *      "permissions", an identifier that grants the command under the fixed
 *      manifests on linux (a fixed, hand-written list below: generated
 *      allow-<cmd>, the permissions and sets listing it, the plugin's
 *      default), (b) may apply on linux ("platforms" absent or naming
 *      "linux"), (c) may apply to the origin (local: "local" not false;
 *      remote: one of its remote.urls matches the URL), and (d) has a
 *      "windows" glob matching the window or a "webviews" glob matching
 *      the webview. So: "never_granted" is allowed only where
 *      "allow-never-granted" is named, a macOS-only permission never grants
 *      anything, and nothing reaches a window no capability matches.
 *   3. deny wins: when a capability that applies (for one that loaded,
 *      conditions 2b-2d are exact) lists a deny permission of the command
 *      (as a string entry or an entry's "identifier"), the command is
 *      denied (DENY_RULE); and grants work: when one that applies lists a
 *      granting identifier that way and no capability that may apply
 *      names a deny permission of the command anywhere, it is allowed.
 *   4. a denied decision has empty scopes; reason and explanation strings
 *      exist; the audit matrix can be made.
 *   5. a caller's global scope only holds scopes from active scope-only
 *      grants: every value in the global scope of an allowed fs command
 *      is the fixed scope of, or a value in the inline allow (deny) of, an
 *      entry naming fs:scope-home, fs:scope-documents, fs:scopes or
 *      fs:mixed-mac in a capability that may apply to the caller; never
 *      the inline scope of an entry for a permission of another platform,
 *      an empty set, a set of such permissions, or a grant with commands.
 *      Likewise shell's global scope holds shell:scope-sh's {"cmd"} values
 *      (directly or through the shell sets with-fs and fs-scopes, which
 *      also name fs's permissions) and inline values of such entries; the
 *      fs part of shell:fs-scopes is fs's. Other plugins have no
 *      scope-only permission: their global scope is empty.
 *   7. a permission's scope reaches only its own plugin: an fs command's
 *      command scope holds fs's fixed path scopes and values written
 *      inline, never shell's {"cmd"} values (shell:with-fs grants fs's
 *      read_file beside shell's scope-only scope-sh).
 *   6. loading stays within a memory bound: the heap held while the input
 *      is linted and built stays under a fixed allowance plus a constant
 *      per byte of input (FUZZ_MEM_CHECK).
 *   5. a failed build returns no policy and reports an error, and the lint
 *      reports at least one error finding for it.
 * And once, at start-up: the same manifests with no capability at all
 * deny every command to every subject.
 *
 * A string that holds "\u0000" names nothing: the engine refuses such
 * files (fuzz/findings/README.md), and the target checks that it does.
 */
#include "fuzz_common.h"
#include "base/internal.h"
#include "base/glob.h"
#include "base/urlpattern.h"

static const char FS[] =
	"{\"permission\": ["
	" {\"identifier\": \"allow-read-file\", \"commands\": {\"allow\": [\"read_file\"]},"
	"  \"scope\": {\"allow\": [{\"path\": \"$HOME/*\"}]}},"
	" {\"identifier\": \"allow-write-file\", \"commands\": {\"allow\": [\"write_file\"]}},"
	" {\"identifier\": \"deny-write-file\", \"commands\": {\"deny\": [\"write_file\"]}},"
	" {\"identifier\": \"scope-home\", \"scope\": {\"allow\": [{\"path\": \"$HOME/**\"}],"
	"  \"deny\": [{\"path\": \"$HOME/.ssh/**\"}]}},"
	" {\"identifier\": \"scope-documents\", \"scope\": {\"allow\": [{\"path\": \"$DOCUMENT/**\"}]}},"
	" {\"identifier\": \"read-docs\", \"commands\": {\"allow\": [\"read_file\"]},"
	"  \"scope\": {\"allow\": [{\"path\": \"$DOCS/**\"}]}},"
	" {\"identifier\": \"write-mac\", \"commands\": {\"allow\": [\"write_file\"]}, \"platforms\": [\"macOS\"]},"
	" {\"identifier\": \"scope-mac\", \"scope\": {\"allow\": [{\"path\": \"$MAC/**\"}]}, \"platforms\": [\"macOS\"]}"
	"],"
	"\"set\": [{\"identifier\": \"read-all\", \"permissions\": [\"allow-read-file\", \"scope-home\"]},"
	"        {\"identifier\": \"read-documents\", \"permissions\": [\"allow-read-file\", \"scope-documents\"]},"
	"        {\"identifier\": \"scopes\", \"permissions\": [\"scope-home\", \"scope-documents\"]},"
	"        {\"identifier\": \"mixed-mac\", \"permissions\": [\"write-mac\", \"scope-documents\"]},"
	"        {\"identifier\": \"nothing\", \"permissions\": []},"
	"        {\"identifier\": \"mac-only\", \"permissions\": [\"write-mac\"]},"
	"        {\"identifier\": \"mac-scopes\", \"permissions\": [\"scope-mac\"]}],"
	"\"default\": {\"permissions\": [\"allow-read-file\"]}}";

static const char SHELL[] =
	"{\"permission\": ["
	" {\"identifier\": \"allow-execute\", \"commands\": {\"allow\": [\"execute\"]}},"
	" {\"identifier\": \"open-mac\", \"commands\": {\"allow\": [\"open\"]}, \"platforms\": [\"macOS\"]},"
	" {\"identifier\": \"allow-spawn-linux\", \"commands\": {\"allow\": [\"spawn\"]}, \"platforms\": [\"linux\"]},"
	" {\"identifier\": \"scope-sh\", \"scope\": {\"allow\": [{\"cmd\": \"sh\"}], \"deny\": [{\"cmd\": \"rm\"}]}}"
	"],"
	"\"set\": [{\"identifier\": \"everything-mac\", \"permissions\": [\"open-mac\", \"allow-execute\"]},"
	"        {\"identifier\": \"with-fs\", \"permissions\": [\"fs:allow-read-file\", \"scope-sh\"]},"
	"        {\"identifier\": \"fs-scopes\", \"permissions\": [\"fs:scope-documents\", \"scope-sh\"]}],"
	"\"default\": {\"permissions\": [\"allow-execute\"]}}";

/* The commands checked, with the identifiers that can grant them on linux
 * and the deny permissions of each (NULL-terminated lists). */
struct cmd_case {
	const char *name;
	bool known;
	const char *grant[7];
	const char *deny[3];
};

static const struct cmd_case CMDS[] = {
	{"plugin:fs|read_file", true,
	 {"fs:allow-read-file", "fs:read-docs", "fs:read-all", "fs:read-documents", "fs:default", "shell:with-fs", NULL},
	 {"fs:deny-read-file", NULL}},
	{"plugin:fs|write_file", true, {"fs:allow-write-file", NULL}, {"fs:deny-write-file", NULL}},
	{"plugin:shell|execute", true, {"shell:allow-execute", "shell:everything-mac", "shell:default", NULL}, {"shell:deny-execute", NULL}},
	{"plugin:shell|open", true, {"shell:allow-open", NULL}, {"shell:deny-open", NULL}},
	{"plugin:shell|spawn", true, {"shell:allow-spawn-linux", "shell:allow-spawn", NULL}, {"shell:deny-spawn", NULL}},
	{"greet", true, {"allow-greet", NULL}, {"deny-greet", NULL}},
	{"never_granted", true, {"allow-never-granted", NULL}, {"deny-never-granted", NULL}},
	/* Core commands: only invariants 1 and 4. */
	{"plugin:event|listen", true, {NULL}, {NULL}},
	{"plugin:window|close", true, {NULL}, {NULL}},
	{"no_such_command", false, {NULL}, {NULL}},
	{"plugin:fs|no_such_command", false, {NULL}, {NULL}},
};
#define N_CMDS (sizeof(CMDS) / sizeof(CMDS[0]))
#define HAS_PROVENANCE(c) ((c)->grant[0] != NULL)

struct subj_case {
	const char *window, *webview, *url;
};

static const struct subj_case SUBJECTS[] = {
	{"main", NULL, NULL},
	{"other", NULL, NULL},
	{"main", NULL, "https://evil.example/"},
	{"popup", "main", NULL},
	{"editor-1", NULL, "http://127.0.0.1:8080/x"},
};
#define N_SUBJECTS (sizeof(SUBJECTS) / sizeof(SUBJECTS[0]))

static void add_fixed(cg_builder *b)
{
	cg_diag *d = cg_diag_new();
	fuzz_add_mini_core(b);
	FUZZ_SETUP(cg_builder_add_manifest_json(b, "fs", "fs.json", FS, strlen(FS), d) == 0);
	FUZZ_SETUP(cg_builder_add_manifest_json(b, "shell", "shell.json", SHELL, strlen(SHELL), d) == 0);
	FUZZ_SETUP(cg_builder_declare_command(b, NULL, "greet") == 0);
	FUZZ_SETUP(cg_builder_declare_command(b, NULL, "never_granted") == 0);
	static const char *const app_cmds[] = {"read_note", "save_note", "list_notes", "count", "stream",
					       "sum_bytes", "frame_ping", "render_markdown", "try_syscall"};
	for (size_t i = 0; i < sizeof(app_cmds) / sizeof(app_cmds[0]); i++)
		FUZZ_SETUP(cg_builder_declare_command(b, NULL, app_cmds[i]) == 0);
	cg_diag_free(d);
}

static fuzz_verdict verdict(int rc, const cg_decision *dc)
{
	return (fuzz_verdict){rc, dc->allowed, (int)dc->reason};
}

/* ------------------------------------------------- reading the input */

/* A JSON string as the engine reads it. */
static const char *str_of(json_object *v)
{
	if (!json_object_is_type(v, json_type_string))
		return NULL;
#ifdef CG_FUZZ_STRICT_NUL
	/* Strict: a string with a NUL inside names nothing. */
	if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return NULL;
#endif
	return json_object_get_string(v);
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* Does any string anywhere in v equal one of names? */
static bool names_any(json_object *v, const char *const *names)
{
	switch (json_object_get_type(v)) {
	case json_type_string: {
		const char *s = str_of(v);
		for (size_t i = 0; s && names[i]; i++)
			if (strcmp(s, names[i]) == 0)
				return true;
		return false;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (names_any(json_object_array_get_idx(v, i), names))
				return true;
		return false;
	case json_type_object: {
		json_object_object_foreach(v, k, val) {
			(void)k;
			if (names_any(val, names))
				return true;
		}
		return false;
	}
	default:
		return false;
	}
}

/* Does an entry of the "permissions" array itself (a string, or an
 * object's "identifier") equal one of names? */
static bool entry_names(json_object *perms, const char *const *names)
{
	for (size_t i = 0; json_object_is_type(perms, json_type_array) &&
			   i < json_object_array_length(perms); i++) {
		json_object *e = json_object_array_get_idx(perms, i);
		const char *s = json_object_is_type(e, json_type_object) ? str_of(member(e, "identifier"))
									   : str_of(e);
		for (size_t k = 0; s && names[k]; k++)
			if (strcmp(s, names[k]) == 0)
				return true;
	}
	return false;
}

static bool any_glob(json_object *arr, const char *label)
{
	for (size_t i = 0; json_object_is_type(arr, json_type_array) && i < json_object_array_length(arr); i++) {
		const char *g = str_of(json_object_array_get_idx(arr, i));
		if (g && cg_glob_match(g, label))
			return true;
	}
	return false;
}

static bool any_url(json_object *remote, const char *url)
{
	json_object *urls = member(remote, "urls");
	cg_url u;
	if (cg_url_parse(url, &u, NULL) < 0)
		return false;
	bool ok = false;
	for (size_t i = 0; !ok && json_object_is_type(urls, json_type_array) &&
			   i < json_object_array_length(urls); i++) {
		const char *s = str_of(json_object_array_get_idx(urls, i));
		cg_urlpattern *p = s ? cg_urlpattern_new(s, NULL, NULL) : NULL;
		ok = p && cg_urlpattern_match(p, &u);
		cg_urlpattern_free(p);
	}
	cg_url_clear(&u);
	return ok;
}

/* Whether capability c may (can't be ruled out to) apply to subject s on
 * linux. For a capability that loaded, this is exactly when it applies. */
static bool cap_applies(json_object *c, const struct subj_case *s)
{
	json_object *plat = member(c, "platforms");
	if (plat) {
		static const char *const linux_[] = {"linux", NULL};
		if (!entry_names(plat, linux_))
			return false;
	}
	if (s->url) {
		if (!any_url(member(c, "remote"), s->url))
			return false;
	} else {
		json_object *local = member(c, "local");
		if (local && json_object_is_type(local, json_type_boolean) && !json_object_get_boolean(local))
			return false;
	}
	return any_glob(member(c, "windows"), s->window) ||
	       any_glob(member(c, "webviews"), s->webview ? s->webview : s->window);
}

/* The capability objects of a capability file (one, an array, or
 * {"capabilities": [...]}), as the engine reads them. */
static void for_each_cap(json_object *root, void (*fn)(json_object *, void *), void *user)
{
	json_object *list = NULL;
	if (json_object_is_type(root, json_type_array))
		list = root;
	else if (json_object_is_type(root, json_type_object) && !member(root, "identifier") &&
		 member(root, "capabilities"))
		list = member(root, "capabilities");
	else if (json_object_is_type(root, json_type_object))
		fn(root, user);
	for (size_t i = 0; json_object_is_type(list, json_type_array) && i < json_object_array_length(list); i++)
		fn(json_object_array_get_idx(list, i), user);
}

struct oracle {
	const struct subj_case *s;
	const struct cmd_case *c;
	bool may_grant, may_deny, must_grant, must_deny;
};

static void oracle_cap(json_object *cap, void *user)
{
	struct oracle *o = user;
	if (!cap_applies(cap, o->s))
		return;
	json_object *perms = member(cap, "permissions");
	if (HAS_PROVENANCE(o->c) && names_any(perms, o->c->grant))
		o->may_grant = true;
	if (HAS_PROVENANCE(o->c) && entry_names(perms, o->c->grant))
		o->must_grant = true;
	if (o->c->deny[0] && names_any(perms, o->c->deny))
		o->may_deny = true;
	if (o->c->deny[0] && entry_names(perms, o->c->deny))
		o->must_deny = true;
}

/* The entries whose scope may reach a plugin's global scope on linux
 * (active scope-only permissions of that plugin, or sets whose active
 * members of that plugin are all scope only), with the fixed scopes they
 * bring ({"path": ...} for fs, {"cmd": ...} for shell). A set of shell's
 * may name fs's permissions: its fs part reaches fs, its shell part shell. */
static const struct {
	const char *plugin, *ident;
	const char *allow[3], *deny[2];
} SCOPE_ONLY[] = {
	{"fs", "fs:scope-home", {"$HOME/**", NULL}, {"$HOME/.ssh/**", NULL}},
	{"fs", "fs:scope-documents", {"$DOCUMENT/**", NULL}, {NULL}},
	{"fs", "fs:scopes", {"$HOME/**", "$DOCUMENT/**", NULL}, {"$HOME/.ssh/**", NULL}},
	{"fs", "fs:mixed-mac", {"$DOCUMENT/**", NULL}, {NULL}},
	{"fs", "shell:fs-scopes", {"$DOCUMENT/**", NULL}, {NULL}},
	{"shell", "shell:scope-sh", {"sh", NULL}, {"rm", NULL}},
	{"shell", "shell:with-fs", {"sh", NULL}, {"rm", NULL}},
	{"shell", "shell:fs-scopes", {"sh", NULL}, {"rm", NULL}},
};
#define N_SCOPE_ONLY (sizeof(SCOPE_ONLY) / sizeof(SCOPE_ONLY[0]))

struct global_oracle {
	const struct subj_case *s;
	const char *plugin;
	json_object *v;  /* a value of the global scope */
	bool deny;       /* from its deny list */
	bool found;      /* an applying scope-only entry brings it */
};

static bool is_kv(json_object *v, const char *key, const char *val)
{
	json_object *p = member(v, key);
	return json_object_is_type(v, json_type_object) && json_object_object_length(v) == 1 &&
	       str_of(p) && strcmp(str_of(p), val) == 0;
}

static void global_cap(json_object *cap, void *user)
{
	struct global_oracle *o = user;
	json_object *perms = member(cap, "permissions");
	if (o->found || !cap_applies(cap, o->s) || !json_object_is_type(perms, json_type_array))
		return;
	for (size_t i = 0; !o->found && i < json_object_array_length(perms); i++) {
		json_object *e = json_object_array_get_idx(perms, i);
		bool obj = json_object_is_type(e, json_type_object);
		const char *id = obj ? str_of(member(e, "identifier")) : str_of(e);
		for (size_t k = 0; id && !o->found && k < N_SCOPE_ONLY; k++) {
			if (strcmp(id, SCOPE_ONLY[k].ident) != 0 || strcmp(o->plugin, SCOPE_ONLY[k].plugin) != 0)
				continue;
			const char *const *fixed = o->deny ? SCOPE_ONLY[k].deny : SCOPE_ONLY[k].allow;
			const char *key = strcmp(o->plugin, "fs") == 0 ? "path" : "cmd";
			for (size_t f = 0; !o->found && fixed[f]; f++)
				o->found = is_kv(o->v, key, fixed[f]);
			json_object *inl = obj ? member(e, o->deny ? "deny" : "allow") : NULL;
			for (size_t j = 0; !o->found && json_object_is_type(inl, json_type_array) &&
					   j < json_object_array_length(inl); j++)
				o->found = fuzz_json_same(json_object_array_get_idx(inl, j), o->v);
		}
	}
}

/* Invariant 5 for an allowed decision. */
static void check_global_scope(json_object *root, const struct subj_case *s, const struct cmd_case *c,
			       const cg_decision *dc)
{
	json_object *gs = cg_decision_global_scope(dc);
	FUZZ_CHECK(gs, "no global scope object");
	const char *plugin = strncmp(c->name, "plugin:fs|", 10) == 0 ? "fs"
			     : strncmp(c->name, "plugin:shell|", 13) == 0 ? "shell" : NULL;
	for (int deny = 0; deny < 2; deny++) {
		json_object *list = member(gs, deny ? "deny" : "allow");
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct global_oracle o = {s, plugin, json_object_array_get_idx(list, i), deny != 0, false};
			if (plugin)
				for_each_cap(root, global_cap, &o);
			FUZZ_CHECK(o.found, "%s for window %s webview %s (%s): the global scope's %s holds %s, "
				   "which no active scope-only grant of an applying capability brings",
				   c->name, s->window, s->webview ? s->webview : s->window, s->url ? s->url : "local",
				   deny ? "deny" : "allow", json_object_to_json_string(o.v));
		}
	}
	json_object_put(gs);
}

/* Is v in the inline allow or deny of some entry of some capability? */
struct inline_oracle {
	json_object *v;
	bool found;
};

static void inline_cap(json_object *cap, void *user)
{
	struct inline_oracle *o = user;
	json_object *perms = member(cap, "permissions");
	for (size_t i = 0; !o->found && json_object_is_type(perms, json_type_array) &&
			   i < json_object_array_length(perms); i++) {
		json_object *e = json_object_array_get_idx(perms, i);
		for (int deny = 0; deny < 2; deny++) {
			json_object *inl = member(e, deny ? "deny" : "allow");
			for (size_t j = 0; !o->found && json_object_is_type(inl, json_type_array) &&
					   j < json_object_array_length(inl); j++)
				o->found = fuzz_json_same(json_object_array_get_idx(inl, j), o->v);
		}
	}
}

/* Invariant 7: a permission's scope reaches its own plugin's commands
 * only. An fs command's scope holds fs's fixed path scopes and values
 * written inline in the input, never shell's {"cmd": ...} scope, which a
 * set of shell's puts beside fs's read_file. */
static void check_command_scope(json_object *root, const struct cmd_case *c, const cg_decision *dc)
{
	if (strncmp(c->name, "plugin:fs|", 10) != 0)
		return;
	static const char *const fixed[] = {"$HOME/*", "$DOCS/**", "$HOME/**", "$HOME/.ssh/**", "$DOCUMENT/**", NULL};
	json_object *sc = cg_decision_command_scope(dc);
	for (int deny = 0; sc && deny < 2; deny++) {
		json_object *list = member(sc, deny ? "deny" : "allow");
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			json_object *v = json_object_array_get_idx(list, i);
			bool ok = false;
			for (size_t f = 0; !ok && fixed[f]; f++)
				ok = is_kv(v, "path", fixed[f]);
			struct inline_oracle o = {v, false};
			if (!ok)
				for_each_cap(root, inline_cap, &o);
			FUZZ_CHECK(ok || o.found, "%s: its command scope's %s holds %s, which is neither an fs "
				   "scope nor written inline", c->name, deny ? "deny" : "allow",
				   json_object_to_json_string(v));
		}
	}
	json_object_put(sc);
}

/* ------------------------------------------------------------ checks */

static void check_decision_extras(const cg_decision *dc)
{
	char *why = cg_decision_reason(dc);
	char *ex = cg_decision_explain(dc);
	FUZZ_CHECK(why && ex, "no reason or explanation for a decision");
	free(why);
	free(ex);
	json_object *sc = cg_decision_command_scope(dc);
	json_object *gs = cg_decision_global_scope(dc);
	FUZZ_CHECK(sc && gs, "no scope object");
	json_object *a = member(sc, "allow"), *dn = member(sc, "deny");
	FUZZ_CHECK(json_object_is_type(a, json_type_array) && json_object_is_type(dn, json_type_array),
		   "command scope is not {\"allow\": [...], \"deny\": [...]}: %s",
		   json_object_to_json_string(sc));
	if (!dc->allowed)
		FUZZ_CHECK(json_object_array_length(a) == 0 && json_object_array_length(dn) == 0,
			   "a denied decision has scopes: %s", json_object_to_json_string(sc));
	json_object_put(sc);
	json_object_put(gs);
}

static void check_policy(cg_policy *p, json_object *root)
{
	for (size_t si = 0; si < N_SUBJECTS; si++) {
		const struct subj_case *s = &SUBJECTS[si];
		cg_subject *subj = NULL;
		FUZZ_CHECK(cg_subject_new(p, s->window, s->webview, s->url, &subj) == 0 && subj,
			   "cg_subject_new failed for %s", s->window);
		for (size_t ci = 0; ci < N_CMDS; ci++) {
			const struct cmd_case *c = &CMDS[ci];
			cg_decision d1, d2, d3, d4;
			int r1 = cg_check_str(p, s->window, s->webview, s->url, c->name, &d1);
			int r2 = cg_check_str(p, s->window, s->webview, s->url, c->name, &d2);
			int r3 = cg_check_command(subj, c->name, &d3);
			fuzz_verdict v1 = verdict(r1, &d1), v2 = verdict(r2, &d2), v3 = verdict(r3, &d3);
			FUZZ_CHECK(r1 == 0, "cg_check_str failed (%d) for %s", r1, c->name);
			FUZZ_CHECK(fuzz_verdict_eq(v1, v2) && fuzz_verdict_eq(v1, v3),
				   "%s for %s/%s: answers differ (%d,%d) (%d,%d) (%d,%d)", c->name,
				   s->window, s->url ? s->url : "local", v1.allowed, v1.reason,
				   v2.allowed, v2.reason, v3.allowed, v3.reason);
			int id = cg_policy_command_id(p, c->name);
			FUZZ_CHECK((id >= 0) == c->known, "%s: command id %d", c->name, id);
			if (id >= 0) {
				int r4 = cg_check(subj, id, &d4);
				FUZZ_CHECK(fuzz_verdict_eq(v1, verdict(r4, &d4)), "%s: cg_check disagrees", c->name);
				FUZZ_CHECK(strcmp(cg_policy_command_name(p, id), c->name) == 0, "command name");
			}
			FUZZ_CHECK(d1.allowed == (d1.reason == CG_REASON_ALLOWED), "allowed %d with reason %d",
				   d1.allowed, d1.reason);
			FUZZ_CHECK((d1.reason == CG_REASON_UNKNOWN_COMMAND) == !c->known,
				   "%s: reason %d", c->name, d1.reason);

			struct oracle o = {.s = s, .c = c};
			for_each_cap(root, oracle_cap, &o);
			if (HAS_PROVENANCE(c) && d1.allowed)
				FUZZ_CHECK(o.may_grant, "%s is allowed to window %s webview %s (%s) but no "
					   "capability that may apply names a permission granting it",
					   c->name, s->window, s->webview ? s->webview : s->window,
					   s->url ? s->url : "local");
			if (o.must_deny)
				FUZZ_CHECK(!d1.allowed && d1.reason == CG_REASON_DENY_RULE,
					   "%s: an applying capability denies it, yet allowed=%d reason=%d",
					   c->name, d1.allowed, d1.reason);
			if (o.must_grant && !o.may_deny)
				FUZZ_CHECK(d1.allowed, "%s is denied (reason %d) to window %s webview %s (%s) though "
					   "an applying capability grants it and none names a deny for it",
					   c->name, d1.reason, s->window, s->webview ? s->webview : s->window,
					   s->url ? s->url : "local");
			check_decision_extras(&d3);
			if (d3.allowed) {
				check_global_scope(root, s, c, &d3);
				check_command_scope(root, c, &d3);
			}
		}
		cg_subject_free(subj);
	}
	static const char *const labels[] = {"main", "other", "popup"};
	json_object *audit = NULL;
	cg_policy_audit(p, labels, 3, &audit);
	FUZZ_CHECK(audit && json_object_to_json_string(audit), "no audit matrix");
	json_object_put(audit);
}

/* ------------------------------------------------------------- setup */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_mem_init();
	/* Nothing granted: every command is denied to everyone. */
	cg_builder *b = cg_builder_new();
	add_fixed(b);
	cg_policy *p = fuzz_fixed_policy(b);
	FUZZ_SETUP(cg_policy_capability_count(p) == 0);
	for (size_t si = 0; si < N_SUBJECTS; si++)
		for (size_t i = 0; i < cg_policy_command_count(p); i++) {
			cg_decision dc;
			const struct subj_case *s = &SUBJECTS[si];
			FUZZ_SETUP(cg_check_str(p, s->window, s->webview, s->url,
						cg_policy_command_name(p, (int)i), &dc) == 0);
			FUZZ_CHECK(!dc.allowed && dc.reason == CG_REASON_NOT_GRANTED,
				   "%s allowed with no capability", cg_policy_command_name(p, (int)i));
		}
	cg_policy_unref(p);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long mem = fuzz_mem_begin();
	cg_builder *b = cg_builder_new();
	FUZZ_SETUP(b);
	add_fixed(b);
	cg_diag *d = cg_diag_new();
	cg_builder_add_capability_json(b, "capability.json", (const char *)data, size, d);

	cg_lint *l = NULL;
	cg_lint_new(&l);
	cg_diag *ld = cg_diag_new();
	int lint_errors = cg_lint_run(l, b, ld);
	FUZZ_CHECK(lint_errors >= 0, "cg_lint_run failed: %s", cg_strerror(lint_errors));
	cg_diag_free(ld);
	cg_lint_free(l);

	cg_policy *p = (cg_policy *)1;
	int rc = cg_builder_build(b, &p, d);
	cg_builder_free(b);
	FUZZ_MEM_CHECK(mem, size, "linting and building a capability file");
	if (rc < 0) {
		if (fuzz_debug())
			fuzz_dump_diag(d);
		FUZZ_CHECK(p == NULL, "a failed build returned a policy");
		FUZZ_CHECK(cg_diag_error_count(d) > 0, "a failed build (%s) reported no error", cg_strerror(rc));
		FUZZ_CHECK(lint_errors > 0, "the build failed (%s) but the lint found no error", cg_strerror(rc));
		cg_diag_free(d);
		return 0;
	}
	FUZZ_CHECK(rc == 0 && p, "build returned %d", rc);
	FUZZ_CHECK(cg_diag_error_count(d) == 0, "a build that succeeded reported errors");
	cg_diag_free(d);
	if (fuzz_debug())
		fprintf(stderr, "fuzz_capability: built, %zu capabilities\n", cg_policy_capability_count(p));

	/* The engine accepted strict JSON; json-c reads the same tree. */
	json_tokener *tok = json_tokener_new_ex(4096);
	json_object *root = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	FUZZ_CHECK(root && json_tokener_get_error(tok) == json_tokener_success,
		   "the engine built a capability json-c cannot parse");
	json_tokener_free(tok);

	check_policy(p, root);
	json_object_put(root);
	cg_policy_unref(p);
	return 0;
}
