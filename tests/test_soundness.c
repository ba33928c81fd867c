/* The classes of wrong answer found by the second adversarial review of
 * the engine (issue 15, round two): one test (or more) per class, each
 * playing the attacker, each failing on the code before its fix. */
#include "testutil.h"

#include "base/ident.h"

#include <sys/mman.h>

/* --------------------------------------------- identifiers read in bounds */

/* A string whose NUL is the last byte before a page that cannot be read:
 * reading one byte past it faults, sanitizer or not. */
static char *at_page_end(const char *s, void **map, size_t *maplen)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t n = strlen(s) + 1;
	*maplen = 2 * (size_t)pg;
	char *m = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	ck_assert_int_eq(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	*map = m;
	char *p = m + pg - n;
	memcpy(p, s, n);
	return p;
}

START_TEST(plugin_key_read_in_bounds)
{
	/* Every length around the limit, each key at the end of readable
	 * memory: "key:x" is 116 bytes at most, so a 114-byte key is valid
	 * and a 115-byte one is not (its identifiers would be 117). */
	for (size_t n = 100; n <= 130; n++) {
		char key[200];
		memset(key, 'a', n);
		key[n] = 0;
		void *map;
		size_t maplen;
		char *k = at_page_end(key, &map, &maplen);
		const char *why = NULL;
		int r = cg_plugin_key_validate(k, &why);
		if (n + 2 <= CG_IDENT_MAX)
			ck_assert_int_eq(r, 0);
		else {
			ck_assert_int_eq(r, CG_EIDENT);
			ck_assert_ptr_nonnull(strstr(why, "longer than"));
		}
		munmap(map, maplen);
	}
	/* The other identifier readers, at the same edge. */
	for (size_t n = 110; n <= 120; n++) {
		char id[200];
		memset(id, 'b', n);
		memcpy(id, "fs:", 3);
		id[n] = 0;
		void *map;
		size_t maplen;
		char *k = at_page_end(id, &map, &maplen);
		ck_assert_int_eq(cg_ident_validate(k, NULL) == 0, n <= CG_IDENT_MAX);
		ck_assert_uint_eq(cg_ident_prefix_len(k), 2);
		munmap(map, maplen);
	}
}
END_TEST

/* ------------------------------- acl-manifests.json: the key names it */

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/cg-soundness-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(acl_manifest_key_names_permission)
{
	/* The keys and "identifier" fields of two permissions swapped: Tauri
	 * looks permissions (and sets) up by key, so "demo:allow-ping"
	 * grants what is under the key allow-ping: delete_all. */
	const char *acl =
		"{\"demo\": {\"default_permission\": null,\n"
		" \"permissions\": {\n"
		"  \"allow-ping\": {\"identifier\": \"allow-delete-all\", \"commands\": {\"allow\": [\"delete_all\"], \"deny\": []}},\n"
		"  \"allow-delete-all\": {\"identifier\": \"allow-ping\", \"commands\": {\"allow\": [\"ping\"], \"deny\": []}}},\n"
		" \"permission_sets\": {\"both\": {\"identifier\": \"neither\", \"description\": \"\", \"permissions\": [\"allow-ping\"]}},\n"
		" \"global_scope_schema\": null}}";
	char *path = write_temp(acl);
	const char *caps = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"demo:allow-ping\"]}";
	const char *caps2 = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"demo:both\"]}";
	for (int k = 0; k < 2; k++) {
		cg_builder *b = cg_builder_new();
		cg_diag *d = cg_diag_new();
		cg_policy *p = NULL;
		cg_builder_add_tauri_manifests(b, path, d);
		const char *c = k ? caps2 : caps;
		cg_builder_add_capability_json(b, "caps.json", c, strlen(c), d);
		ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
		cg_decision dc;
		ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "plugin:demo|delete_all", &dc), 0);
		ck_assert_int_eq(dc.allowed, 1);
		ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "plugin:demo|ping", &dc), 0);
		ck_assert_int_eq(dc.allowed, 0);
		/* Each differing "identifier" is a warning, located at it. */
		int i = diag_find(d, "but the key is \"allow-ping\"");
		ck_assert_int_ge(i, 0);
		ck_assert_int_eq(cg_diag_severity(d, (size_t)i), CG_SEV_WARNING);
		ck_assert_uint_eq(cg_diag_line(d, (size_t)i), 3);
		ck_assert_str_eq(cg_diag_pointer(d, (size_t)i), "/demo/permissions/allow-ping/identifier");
		ck_assert_int_ge(diag_find(d, "but the key is \"both\""), 0);
		ck_assert_uint_eq(cg_diag_error_count(d), 0);
		/* "allow-delete-all" (the identifier written under allow-ping) is
		 * the other permission's key: nothing is named by a field. */
		ck_assert_int_eq(cg_policy_permission_count(p) > 0, 1);
		int found_neither = 0;
		for (size_t j = 0; j < cg_policy_permission_count(p); j++)
			found_neither |= strcmp(cg_policy_permission_id(p, j), "demo:neither") == 0;
		ck_assert_int_eq(found_neither, 0);
		cg_policy_unref(p);
		cg_diag_free(d);
		cg_builder_free(b);
	}
	unlink(path);
	free(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("soundness");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, plugin_key_read_in_bounds);
	tcase_add_test(tc, acl_manifest_key_names_permission);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
