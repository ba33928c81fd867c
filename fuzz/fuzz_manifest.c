/*
 * fuzz_manifest: a permission manifest's JSON text, loaded as plugin "fs",
 * with a fixed capability for window "main" (local content) granting
 * "fs:default" and "fs:allow-read" (when that does not build, say because
 * the manifest defines no allow-read, "fs:default" alone, which at worst
 * draws a warning); also linted.
 *
 * Invariants, for each policy that builds, over every command the policy
 * knows (the manifest's own commands, their generated allow-/deny-
 * permissions, and the mini core's commands):
 *   1. determinism and agreement: cg_check_str asked twice, cg_check_command
 *      and cg_check by id give the same (allowed, reason); allowed <=>
 *      reason ALLOWED; command ids and names map onto each other.
 *   2. the only capability is for local content in window "main": window
 *      "other", and window "main" showing a remote page, are allowed
 *      nothing (NOT_GRANTED for every command).
 *   3. a denied decision has empty scopes; reason and explanation strings
 *      exist; the permission list is sorted, unique and has descriptions;
 *      the audit matrix can be made.
 *   4. a failed build returns no policy and reports an error; the lint
 *      then reports an error too.
 *   5. loading stays within a memory bound: the heap held while the input
 *      is linted and built never exceeds a fixed allowance plus a constant
 *      per byte of input (FUZZ_MEM_CHECK), whatever its sets name (before
 *      issue 15, sets naming sets 32 times over expanded exponentially).
 * Built with CG_FUZZ_STRICT_NUL (the default), a manifest that builds with a string
 * holding "\u0000" fails (see fuzz/findings/README.md).
 */
#include "fuzz_common.h"

static const char CAP_A[] =
	"{\"identifier\": \"fuzz\", \"windows\": [\"main\"],"
	" \"permissions\": [\"fs:default\", \"fs:allow-read\"]}";
static const char CAP_B[] =
	"{\"identifier\": \"fuzz\", \"windows\": [\"main\"], \"permissions\": [\"fs:default\"]}";

struct subj_case {
	const char *window, *url;
	bool may_allow;
};

static const struct subj_case SUBJECTS[] = {
	{"main", NULL, true},
	{"other", NULL, false},
	{"main", "https://evil.example/", false},
};
#define N_SUBJECTS (sizeof(SUBJECTS) / sizeof(SUBJECTS[0]))

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* Builds manifest + capability; on failure checks invariant 4. */
static cg_policy *build(const uint8_t *data, size_t size, const char *cap)
{
	long mem = fuzz_mem_begin();
	cg_builder *b = cg_builder_new();
	FUZZ_SETUP(b);
	fuzz_add_mini_core(b);
	cg_diag *d = cg_diag_new();
	cg_builder_add_manifest_json(b, "fs", "fs.json", (const char *)data, size, d);
	FUZZ_SETUP(cg_builder_add_capability_json(b, "capability.json", cap, strlen(cap), d) == 0);

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
	FUZZ_MEM_CHECK(mem, size, "linting and building a manifest");
	if (rc < 0) {
		if (fuzz_debug())
			fuzz_dump_diag(d);
		FUZZ_CHECK(p == NULL, "a failed build returned a policy");
		FUZZ_CHECK(cg_diag_error_count(d) > 0, "a failed build (%s) reported no error", cg_strerror(rc));
		FUZZ_CHECK(lint_errors > 0, "the build failed (%s) but the lint found no error", cg_strerror(rc));
		p = NULL;
	} else {
		FUZZ_CHECK(rc == 0 && p, "build returned %d", rc);
		FUZZ_CHECK(cg_diag_error_count(d) == 0, "a build that succeeded reported errors");
	}
	cg_diag_free(d);
	return p;
}

static void check_policy(cg_policy *p)
{
	size_t n_cmds = cg_policy_command_count(p);
	size_t n_perms = cg_policy_permission_count(p);
	for (size_t i = 0; i < n_perms; i++) {
		const char *id = cg_policy_permission_id(p, i);
		FUZZ_CHECK(id && cg_policy_permission_description(p, i), "permission %zu", i);
		if (i > 0)
			FUZZ_CHECK(strcmp(cg_policy_permission_id(p, i - 1), id) < 0,
				   "permission list not sorted or not unique: \"%s\" then \"%s\"",
				   cg_policy_permission_id(p, i - 1), id);
	}
	FUZZ_CHECK(cg_policy_permission_id(p, n_perms) == NULL, "permission past the end");
	FUZZ_CHECK(cg_policy_command_name(p, (int)n_cmds) == NULL, "command past the end");

	for (size_t si = 0; si < N_SUBJECTS; si++) {
		const struct subj_case *s = &SUBJECTS[si];
		cg_subject *subj = NULL;
		FUZZ_CHECK(cg_subject_new(p, s->window, NULL, s->url, &subj) == 0, "cg_subject_new");
		for (size_t i = 0; i < n_cmds; i++) {
			const char *name = cg_policy_command_name(p, (int)i);
			FUZZ_CHECK(name && cg_policy_command_id(p, name) == (int)i,
				   "command %zu: name and id do not map onto each other", i);
			cg_decision d1, d2, d3, d4;
			int r1 = cg_check_str(p, s->window, NULL, s->url, name, &d1);
			int r2 = cg_check_str(p, s->window, NULL, s->url, name, &d2);
			int r3 = cg_check_command(subj, name, &d3);
			int r4 = cg_check(subj, (int)i, &d4);
			FUZZ_CHECK(r1 == 0 && r2 == 0 && r3 == 0 && r4 == 0, "check failed for %s", name);
			FUZZ_CHECK(d1.allowed == d2.allowed && d1.allowed == d3.allowed && d1.allowed == d4.allowed &&
				   d1.reason == d2.reason && d1.reason == d3.reason && d1.reason == d4.reason,
				   "%s for %s: answers differ", name, s->window);
			FUZZ_CHECK(d1.allowed == (d1.reason == CG_REASON_ALLOWED), "allowed/reason");
			FUZZ_CHECK(d1.reason != CG_REASON_UNKNOWN_COMMAND, "%s: a known command is unknown", name);
			if (!s->may_allow)
				FUZZ_CHECK(!d1.allowed && d1.reason == CG_REASON_NOT_GRANTED,
					   "%s allowed=%d reason=%d for window %s (%s), which no capability covers",
					   name, d1.allowed, d1.reason, s->window, s->url ? s->url : "local");
			char *why = cg_decision_reason(&d3), *ex = cg_decision_explain(&d3);
			FUZZ_CHECK(why && ex, "no reason or explanation");
			free(why);
			free(ex);
			json_object *sc = cg_decision_command_scope(&d3), *gs = cg_decision_global_scope(&d3);
			FUZZ_CHECK(sc && gs, "no scopes");
			json_object *a = member(sc, "allow"), *dn = member(sc, "deny");
			FUZZ_CHECK(json_object_is_type(a, json_type_array) && json_object_is_type(dn, json_type_array),
				   "command scope shape: %s", json_object_to_json_string(sc));
			if (!d3.allowed)
				FUZZ_CHECK(json_object_array_length(a) == 0 && json_object_array_length(dn) == 0,
					   "a denied decision has scopes: %s", json_object_to_json_string(sc));
			json_object_put(sc);
			json_object_put(gs);
		}
		cg_subject_free(subj);
	}
	static const char *const labels[] = {"main", "other"};
	json_object *audit = NULL;
	cg_policy_audit(p, labels, 2, &audit);
	FUZZ_CHECK(audit && json_object_to_json_string(audit), "no audit matrix");
	json_object_put(audit);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_mem_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cg_policy *p = build(data, size, CAP_A);
	if (!p)
		p = build(data, size, CAP_B);
	if (!p)
		return 0;
#ifdef CG_FUZZ_STRICT_NUL
	json_tokener *tok = json_tokener_new_ex(4096);
	json_object *root = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	FUZZ_STRICT_NUL(root);
	json_object_put(root);
#endif
	if (fuzz_debug())
		fprintf(stderr, "fuzz_manifest: built, %zu commands\n", cg_policy_command_count(p));
	check_policy(p);
	cg_policy_unref(p);
	return 0;
}
