/* Sets of JSON values by a canonical text (base/jsonset.h). */
#include "base/jsonset.h"
#include "base/strhash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Up to this many values, pairwise comparison is cheaper than a table. */
#define LINEAR_MAX 8

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Tagged and length-prefixed, so that the text is unambiguous: equal
 * texts mean equal values as json_object_equal compares them (type,
 * numeric value, bytes of strings, object members in any order). Keys
 * of objects are C strings in json-c: they hold no NUL. */
void cg_json_canon(GString *out, json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		g_string_append_c(out, 'n');
		break;
	case json_type_boolean:
		g_string_append_c(out, json_object_get_boolean(v) ? 't' : 'f');
		break;
	case json_type_double: {
		double x = json_object_get_double(v);
		/* %a is exact; 0.0 and -0.0 are equal, as == says. */
		g_string_append_printf(out, "d%a;", x == 0 ? 0.0 : x);
		break;
	}
	case json_type_int: {
		int64_t i = json_object_get_int64(v);
		if (i == INT64_MAX)
			g_string_append_printf(out, "u%llu;", (unsigned long long)json_object_get_uint64(v));
		else
			g_string_append_printf(out, "i%lld;", (long long)i);
		break;
	}
	case json_type_string: {
		/* The text is a table key, a C string: NUL and \001 become
		 * \001 pairs (a prefix-free code, so still one text per value). */
		size_t n = (size_t)json_object_get_string_len(v);
		const char *t = json_object_get_string(v);
		g_string_append_printf(out, "s%zu:", n);
		for (size_t i = 0; i < n; i++) {
			if (t[i] == 0 || t[i] == 1) {
				g_string_append_c(out, 1);
				g_string_append_c(out, t[i] ? 1 : 2);
			} else {
				g_string_append_c(out, t[i]);
			}
		}
		break;
	}
	case json_type_array: {
		size_t n = json_object_array_length(v);
		g_string_append_printf(out, "a%zu[", n);
		for (size_t i = 0; i < n; i++)
			cg_json_canon(out, json_object_array_get_idx(v, i));
		g_string_append_c(out, ']');
		break;
	}
	case json_type_object: {
		size_t n = (size_t)json_object_object_length(v), k = 0;
		const char **keys = g_new(const char *, n ? n : 1);
		json_object_object_foreach(v, key, val) {
			(void)val;
			keys[k++] = key;
		}
		qsort(keys, k, sizeof(*keys), cmp_keys);
		g_string_append_printf(out, "o%zu{", k);
		for (size_t i = 0; i < k; i++) {
			g_string_append_printf(out, "%zu:", strlen(keys[i]));
			g_string_append(out, keys[i]);
			cg_json_canon(out, json_object_object_get(v, keys[i]));
		}
		g_string_append_c(out, '}');
		g_free(keys);
		break;
	}
	}
}

void cg_jsonset_init(cg_jsonset *s, json_object *arr)
{
	s->arr = arr;
	s->seen = NULL;
}

void cg_jsonset_clear(cg_jsonset *s)
{
	if (s->seen)
		g_hash_table_destroy(s->seen);
	s->seen = NULL;
	s->arr = NULL;
}

static char *canon(json_object *v)
{
	GString *g = g_string_new(NULL);
	cg_json_canon(g, v);
	return g_string_free(g, FALSE);
}

/* Past LINEAR_MAX values, the table of every value's text. */
static bool index_all(cg_jsonset *s)
{
	if (s->seen)
		return true;
	size_t n = json_object_array_length(s->arr);
	if (n <= LINEAR_MAX)
		return false;
	s->seen = cg_str_table_new(free, NULL);
	for (size_t i = 0; i < n; i++)
		g_hash_table_add(s->seen, canon(json_object_array_get_idx(s->arr, i)));
	return true;
}

bool cg_jsonset_has(cg_jsonset *s, json_object *v)
{
	if (!s->arr)
		return false;
	if (!index_all(s)) {
		for (size_t i = 0; i < json_object_array_length(s->arr); i++)
			if (json_object_equal(v, json_object_array_get_idx(s->arr, i)))
				return true;
		return false;
	}
	char *k = canon(v);
	bool has = g_hash_table_contains(s->seen, k);
	free(k);
	return has;
}

int cg_jsonset_add(cg_jsonset *s, json_object *v, json_object *add)
{
	if (!s->arr) {
		json_object_put(add);
		return CG_ENOMEM;
	}
	char *k = NULL;
	if (index_all(s)) {
		k = canon(v);
		if (g_hash_table_contains(s->seen, k)) {
			free(k);
			json_object_put(add);
			return 0;
		}
	} else if (cg_jsonset_has(s, v)) {
		json_object_put(add);
		return 0;
	}
	json_object *ref = add ? add : json_object_get(v);
	if (json_object_array_add(s->arr, ref) < 0) {
		json_object_put(ref);
		free(k);
		return CG_ENOMEM;
	}
	if (k)
		g_hash_table_add(s->seen, k);
	return 1;
}
