/* Checking the shape of JSON values, with diagnostics that name the place
 * and suggest the fix. Shared by the manifest and capability loaders. */
#ifndef CG_JSONVAL_H
#define CG_JSONVAL_H

#include "base/jsondoc.h"

/* The JSON type name as users know it ("string", "array", ...). */
CG_HIDDEN const char *cg_jv_type_name(json_object *v);
/* true if v has type t; otherwise an error "<what> must be <t>, found <x>". */
CG_HIDDEN bool cg_jv_expect(cg_diag *d, const cg_jsondoc *doc, json_object *v,
			    const char *ptr, json_type t, const char *what);
/* Reads an array of non-empty strings into a NULL-terminated malloc'd
 * vector of malloc'd strings. Errors for every bad element. */
CG_HIDDEN int cg_jv_strings(cg_diag *d, const cg_jsondoc *doc, json_object *v,
			    const char *ptr, const char *what, char ***out,
			    size_t *n);
CG_HIDDEN void cg_strv_free(char **v);
/* Reports every key of obj not in allowed (NULL-terminated) with severity
 * sev, suggesting the nearest allowed key. Returns the number reported. */
CG_HIDDEN int cg_jv_unknown_keys(cg_diag *d, const cg_jsondoc *doc,
				 json_object *obj, const char *ptr,
				 const char *const *allowed, cg_severity sev,
				 const char *context);
/* A "platforms" list: *bits gets one bit per platform named (see
 * cg_platform_bit), *count the list's length; unknown names are errors. */
CG_HIDDEN int cg_jv_platforms(cg_diag *d, const cg_jsondoc *doc, json_object *v,
			      const char *ptr, unsigned *bits, size_t *count);
/* The member of obj, or NULL when absent or JSON null. */
CG_HIDDEN json_object *cg_jv_get(json_object *obj, const char *key);

#endif
