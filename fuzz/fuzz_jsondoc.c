/*
 * fuzz_jsondoc: any bytes, read as a policy file (strict limits) and as an
 * IPC payload (\u0000 allowed in strings).
 *
 * The reader builds its own json-c tree in one pass (engine/base/jsonscan.c)
 * instead of running json-c's tokenizer, so json-c is the reference it is
 * held to. Invariants:
 *   1. a document we accept, json-c (strict mode) accepts too, with an
 *      equal tree that prints the same (numbers too long for 64 bits are
 *      skipped: json-c clamps them, we keep the nearest double, as serde;
 *      so are texts with surrogate pair escapes, which json-c 0.16 can
 *      decode to U+FFFD).
 *   2. we accept no duplicate key, no invalid UTF-8 and nothing deeper than
 *      the limit; what we refuse comes with an error, what we accept with
 *      none.
 *   3. every value of an accepted tree can be located by its JSON pointer,
 *      at a line and column inside the text.
 */
#include "fuzz_common.h"
#include "base/jsondoc.h"
#include "base/text.h"

#include <json-c/json.h>

static int depth_of(json_object *o)
{
	int d = 0;
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			(void)k;
			int c = depth_of(v);
			if (c > d)
				d = c;
		}
		return d + 1;
	}
	if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++) {
			int c = depth_of(json_object_array_get_idx(o, i));
			if (c > d)
				d = c;
		}
		return d + 1;
	}
	return 0;
}

/* Newlines in the text, so that located lines can be bounded. */
static unsigned lines_in(const uint8_t *d, size_t n)
{
	unsigned l = 1;
	for (size_t i = 0; i < n; i++)
		l += d[i] == '\n';
	return l;
}

static void locate_all(const cg_jsondoc *doc, json_object *o, const char *ptr, unsigned maxline,
		       int budget[1])
{
	if (budget[0]-- <= 0)
		return;
	unsigned line = 0, col = 0;
	FUZZ_CHECK(cg_jsondoc_locate(doc, ptr, &line, &col), "no position for '%s'", ptr);
	FUZZ_CHECK(line >= 1 && line <= maxline && col >= 1, "'%s' at %u:%u of %u lines", ptr,
		   line, col, maxline);
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			char *p = cg_pointer_join(ptr, k);
			FUZZ_SETUP(p);
			locate_all(doc, v, p, maxline, budget);
			free(p);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++) {
			char *p = cg_pointer_join_index(ptr, i);
			FUZZ_SETUP(p);
			locate_all(doc, json_object_array_get_idx(o, i), p, maxline, budget);
			free(p);
		}
	}
}

static bool utf8_valid(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = cg_utf8_decode(d + i, n - i, &cp);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* A \u escape of a high surrogate: json-c 0.16 turns some valid pairs
 * (\ud837\ude00, U+1DE00) into U+FFFD, so the reference is wrong there;
 * ours is checked by test_jsondoc's pairs instead. */
static bool has_surrogate_escape(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i + 3 < n; i++)
		if (d[i] == '\\' && d[i + 1] == 'u' && (d[i + 2] | 0x20) == 'd' &&
		    strchr("89abAB", d[i + 3]) && d[i + 3])
			return true;
	return false;
}

/* A run of more than 18 digits may not fit 64 bits. */
static bool has_long_number(const uint8_t *d, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		run = (d[i] >= '0' && d[i] <= '9') ? run + 1 : 0;
		if (run > 18)
			return true;
	}
	return false;
}

static void one(const uint8_t *data, size_t size, bool nul_ok)
{
	cg_json_limits lim = { .max_size = 0, .max_depth = 16, .nul_in_strings = nul_ok };
	cg_diag *d = cg_diag_new();
	FUZZ_SETUP(d);
	cg_jsondoc *doc = NULL;
	int rc = cg_jsondoc_load_mem("fuzz.json", (const char *)data, size, &lim, &doc, d);
	if (rc < 0) {
		FUZZ_CHECK(!doc, "refused, yet a document");
		FUZZ_CHECK(cg_diag_error_count(d) > 0, "refused without an error");
		cg_diag_free(d);
		return;
	}
	FUZZ_CHECK(doc != NULL, "accepted without a document");
	FUZZ_CHECK(cg_diag_error_count(d) == 0, "accepted with an error");
	FUZZ_CHECK(utf8_valid(data, size), "accepted invalid UTF-8");
	FUZZ_CHECK(depth_of(doc->root) <= lim.max_depth, "deeper than the limit");

	if (!has_long_number(data, size) && !memchr(data, 0, size) &&
	    !has_surrogate_escape(data, size)) {
		json_tokener *tok = json_tokener_new();
		FUZZ_SETUP(tok);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		json_object *ref = json_tokener_parse_ex(tok, (const char *)data, (int)size);
		enum json_tokener_error e = json_tokener_get_error(tok);
		if (e == json_tokener_continue) {
			/* a bare number at the end: json-c wants to see where it stops */
			json_object_put(ref);
			ref = json_tokener_parse_ex(tok, "", 1);
			e = json_tokener_get_error(tok);
		}
		FUZZ_CHECK(e == json_tokener_success, "json-c refuses what we accept: %s",
			   json_tokener_error_desc(e));
		FUZZ_CHECK(json_object_equal(doc->root, ref), "trees differ");
		json_object_put(ref);
		json_tokener_free(tok);
	}
	int budget = 4096;
	locate_all(doc, doc->root, "", lines_in(data, size), &budget);
	cg_jsondoc_free(doc);
	cg_diag_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, false);
	one(data, size, true);
	return 0;
}
