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

int main(void)
{
	Suite *s = suite_create("soundness");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, plugin_key_read_in_bounds);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
