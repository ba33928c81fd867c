/*
 * JSON strings holding "\u0000" are cut at the NUL by the policy loaders.
 *
 * The capability below names window "other\u0000-but-not-really" and
 * permission "allow-never-granted\u0000-no": neither is "other" nor
 * "allow-never-granted" (serde_json, and so Tauri, keeps the whole string:
 * the label matches no window, and the identifier is not even valid). The
 * build succeeds without a diagnostic, and window "other" is allowed the
 * command never_granted.
 *
 * Build and run from a built tree (uses the public API only):
 *   cc -I engine $(pkg-config --cflags json-c) fuzz/findings/nul_truncation.c \
 *      .libs/libcapgate.so $(pkg-config --libs json-c) -o /tmp/nul_truncation
 *   LD_LIBRARY_PATH=.libs /tmp/nul_truncation
 * It exits 1 while the bug is there (prints what was granted), 0 once the
 * loader refuses or keeps such strings.
 */
#include "capgate.h"

#include <stdio.h>
#include <string.h>

static const char CAP[] =
	"{\"identifier\": \"c\", \"windows\": [\"other\\u0000-but-not-really\"],"
	" \"permissions\": [\"allow-never-granted\\u0000-no\"]}";

int main(void)
{
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	cg_policy *p = NULL;
	cg_builder_use_builtin_core(b, 0);
	cg_builder_declare_command(b, NULL, "never_granted");
	cg_builder_add_capability_json(b, "capability.json", CAP, strlen(CAP), d);
	int rc = cg_builder_build(b, &p, d);
	printf("build: %s (%zu diagnostics)\n", rc == 0 ? "ok" : cg_strerror(rc), cg_diag_count(d));
	int bad = 0;
	if (p) {
		cg_decision dc;
		cg_check_str(p, "other", NULL, NULL, "never_granted", &dc);
		printf("window \"other\" may call never_granted: %s\n", dc.allowed ? "yes (BUG)" : "no");
		bad = dc.allowed;
		cg_policy_unref(p);
	}
	cg_diag_free(d);
	cg_builder_free(b);
	return bad;
}
