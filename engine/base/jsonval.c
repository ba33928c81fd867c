/* Shape checks for JSON values with located, actionable diagnostics. */
#include "base/jsonval.h"
#include "base/text.h"
#include "base/ident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cg_jv_type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double:
	case json_type_int: return "a number";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "a value";
}

static const char *want_name(json_type t)
{
	switch (t) {
	case json_type_boolean: return "true or false";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	default: return "a number";
	}
}

json_object *cg_jv_get(json_object *obj, const char *key)
{
	json_object *v = NULL;
	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

bool cg_jv_expect(cg_diag *d, const cg_jsondoc *doc, json_object *v,
		  const char *ptr, json_type t, const char *what)
{
	if (json_object_is_type(v, t))
		return true;
	cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr, NULL, "%s must be %s, found %s",
			 what, want_name(t), cg_jv_type_name(v));
	return false;
}

void cg_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int cg_jv_strings(cg_diag *d, const cg_jsondoc *doc, json_object *v,
		  const char *ptr, const char *what, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!cg_jv_expect(d, doc, v, ptr, json_type_array, what))
		return CG_ESCHEMA;
	size_t len = json_object_array_length(v);
	char **vec = calloc(len + 1, sizeof(char *));
	if (!vec)
		return CG_ENOMEM;
	int ret = 0;
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		char *ep = cg_pointer_join_index(ptr, i);
		if (!ep) {
			ret = CG_ENOMEM;
			break;
		}
		if (!json_object_is_type(e, json_type_string)) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, ep, NULL,
					 "each entry of %s must be a string, found %s",
					 what, cg_jv_type_name(e));
			ret = CG_ESCHEMA;
		} else if (json_object_get_string_len(e) == 0) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, ep, "remove the empty entry",
					 "empty string in %s", what);
			ret = CG_ESCHEMA;
		} else if (!(vec[k++] = strdup(json_object_get_string(e)))) {
			ret = CG_ENOMEM;
		}
		free(ep);
		if (ret == CG_ENOMEM)
			break;
	}
	if (ret < 0) {
		cg_strv_free(vec);
		return ret;
	}
	*out = vec;
	*n = k;
	return 0;
}


int cg_jv_unknown_keys(cg_diag *d, const cg_jsondoc *doc, json_object *obj,
		       const char *ptr, const char *const *allowed,
		       cg_severity sev, const char *context)
{
	int n = 0;
	json_object_object_foreach(obj, key, val) {
		(void)val;
		bool ok = false;
		const char *best = NULL;
		size_t bestd = 3;
		for (const char *const *a = allowed; *a; a++) {
			if (strcmp(*a, key) == 0) {
				ok = true;
				break;
			}
			size_t dist = cg_edit_distance(key, *a, 2);
			if (dist < bestd) {
				bestd = dist;
				best = *a;
			}
		}
		if (ok)
			continue;
		char *kp = cg_pointer_join(ptr, key);
		char *list = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&list, &len);
		if (f) {
			for (const char *const *a = allowed; *a; a++)
				fprintf(f, "%s\"%s\"", a == allowed ? "" : ", ", *a);
			fclose(f);
		}
		char *hint = best ? cg_strdup_printf("did you mean \"%s\"?", best)
				  : cg_strdup_printf("the known fields are %s", list ? list : "");
		if (sev == CG_SEV_ERROR)
			cg_jsondoc_error(d, doc, CG_ESCHEMA, kp ? kp : ptr, hint,
					 "unknown field \"%s\" in %s", key, context);
		else
			cg_jsondoc_warning(d, doc, CG_ESCHEMA, kp ? kp : ptr, hint,
					   "unknown field \"%s\" in %s (ignored, as Tauri does)", key, context);
		free(hint);
		free(list);
		free(kp);
		n++;
	}
	return n;
}

int cg_jv_platforms(cg_diag *d, const cg_jsondoc *doc, json_object *v, const char *ptr,
		    unsigned *bits, size_t *count)
{
	char **vec = NULL;
	size_t n = 0;
	*bits = 0;
	*count = 0;
	int r = cg_jv_strings(d, doc, v, ptr, "\"platforms\"", &vec, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		unsigned bit = cg_platform_bit(vec[i]);
		if (!bit) {
			char *ep = cg_pointer_join_index(ptr, i);
			char *hint = cg_strdup_printf("use one of %s (case matters)", cg_platform_list());
			cg_jsondoc_error(d, doc, CG_ESCHEMA, ep ? ep : ptr, hint, "unknown platform \"%s\"", vec[i]);
			free(hint);
			free(ep);
			r = CG_ESCHEMA;
		}
		*bits |= bit;
	}
	*count = n;
	cg_strv_free(vec);
	return r;
}
