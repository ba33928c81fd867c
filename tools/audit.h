/*
 * capgate audit, shared between its files: the options, and small helpers
 * for reading the matrix (cg_policy_audit's JSON).
 *   cmd_audit.c   options and main
 *   audit_load.c  loading the files into a policy and its matrix
 *   audit_text.c  the matrix and a diff as text
 *   audit_html.c  the matrix as one self-contained HTML page
 *   audit_diff.c  what changes between two matrices
 */
#ifndef CG_AUDIT_H
#define CG_AUDIT_H

#include "cli.h"

#include <stdio.h>
#include <string.h>

enum format { F_TEXT, F_JSON, F_HTML };

/* Borrowed strings (argv), in order. */
typedef struct strlist {
	const char **v;
	size_t n;
} strlist;

/* Owned strings. */
typedef struct labels {
	char **v;
	size_t n;
} labels;

typedef struct audit_opts {
	strlist plugins, tauri, app_perms, declare;
	const char *config, *platform, *output;
	int no_core, no_plugins, diff;
	enum format format;
} audit_opts;

/* audit_load.c */
int audit_strlist_add(strlist *l, const char *s);
void audit_opts_clear(audit_opts *o);
/* The matrix of PATHs, or NULL (after saying why). */
json_object *audit_side_matrix(const audit_opts *o, char *const *paths, size_t n);

/* audit_text.c */
void audit_text_matrix(FILE *f, json_object *m);
void audit_text_diff(FILE *f, json_object *d);

/* audit_html.c: 0, or -1 when memory ran out. */
int audit_html_matrix(FILE *f, json_object *m);

/* audit_diff.c: the delta of two matrices; *changes counts what differs. */
json_object *audit_diff_matrices(json_object *old, json_object *new, const char *old_name,
				 const char *new_name, size_t *changes);

/* ------------------------------------------------------------ json access */

static inline json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static inline const char *jstr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Array length, 0 for anything that is not an array (null, missing). */
static inline size_t alen(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static inline json_object *aget(json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

/* Compact JSON of a scope value, for one line of text or a title. */
static inline const char *compact(json_object *v)
{
	const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE);
	return s ? s : "?";
}

/* The command's name inside its plugin: "read_file" for "plugin:fs|read_file". */
static inline const char *plain_name(const char *command)
{
	const char *bar = strchr(command, '|');
	return bar ? bar + 1 : command;
}


#endif
