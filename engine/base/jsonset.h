/*
 * Sets of JSON values (scope unions): equality as json_object_equal has it
 * (objects compared whatever their key order), found through a keyed hash
 * of a canonical text of each value, so that a union of n values costs
 * O(total size), not O(n^2) comparisons.
 */
#ifndef CG_JSONSET_H
#define CG_JSONSET_H

#include "base/internal.h"

#include <glib.h>

/* A set over the values of one JSON array, which it borrows. */
typedef struct cg_jsonset {
	json_object *arr;  /* the values, in the order they were added */
	GHashTable *seen;  /* canonical text -> NULL; made past a few values */
} cg_jsonset;

CG_HIDDEN void cg_jsonset_init(cg_jsonset *s, json_object *arr);
CG_HIDDEN void cg_jsonset_clear(cg_jsonset *s);
/* Whether the set holds a value equal to v. */
CG_HIDDEN bool cg_jsonset_has(cg_jsonset *s, json_object *v);
/* Adds v unless an equal value is there: 1 when added (the array then
 * holds add, a reference the call takes in every case, or a new
 * reference to v when add is NULL), 0 when it was there, CG_ENOMEM. */
CG_HIDDEN int cg_jsonset_add(cg_jsonset *s, json_object *v, json_object *add);
/* The canonical text of v (equal values, and only they, get the same
 * text), appended to out. */
CG_HIDDEN void cg_json_canon(GString *out, json_object *v);

#endif
