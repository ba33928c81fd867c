/* Helpers shared by the engine's unit tests. */
#ifndef CG_TESTUTIL_H
#define CG_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capgate.h"

/* ../shared beside the project (or $CAPGATE_SHARED, for builds outside
 * the checkout such as make distcheck), or NULL when there is none. */
static inline const char *shared_dir(void)
{
	static char path[4096];
	const char *env = getenv("CAPGATE_SHARED");
	if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else
		snprintf(path, sizeof(path), "%s/../shared", SRCDIR);
	return access(path, R_OK) == 0 ? path : NULL;
}

/* Prints every diagnostic (to help when a test fails). */
static inline void dump_diag(const cg_diag *d)
{
	for (size_t i = 0; i < cg_diag_count(d); i++) {
		char *s = cg_diag_format(d, i);
		fprintf(stderr, "%s", s ? s : "?\n");
		free(s);
	}
}

/* Index of the first diagnostic whose message contains needle, or -1. */
static inline int diag_find(const cg_diag *d, const char *needle)
{
	for (size_t i = 0; i < cg_diag_count(d); i++)
		if (strstr(cg_diag_message(d, i), needle))
			return (int)i;
	return -1;
}

/* Builds a policy from one manifest (plugin key, JSON text; NULL for none)
 * and one capability file's JSON text. Returns NULL on failure, with the
 * diagnostics in d. */
static inline cg_policy *build_policy(const char *plugin, const char *manifest,
				      const char *caps, cg_diag *d)
{
	cg_builder *b = cg_builder_new();
	cg_policy *p = NULL;
	ck_assert_ptr_nonnull(b);
	if (manifest)
		cg_builder_add_manifest_json(b, plugin, "manifest.json", manifest, strlen(manifest), d);
	if (caps)
		cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), d);
	cg_builder_build(b, &p, d);
	cg_builder_free(b);
	return p;
}

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
