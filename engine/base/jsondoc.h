/*
 * A parsed JSON file that remembers where each value stands, so that every
 * error can name file:line:column and the JSON pointer of the bad value.
 * One scan (jsonscan.c) checks the grammar as serde_json does, with the
 * limits (size, depth), strict UTF-8, no duplicate keys and no trailing
 * data, and builds the json-c tree the rest of the engine reads; the
 * position index (jsonindex.c) is built only when a diagnostic asks.
 */
#ifndef CG_JSONDOC_H
#define CG_JSONDOC_H

#include "base/internal.h"

typedef struct cg_json_limits {
	size_t max_size;   /* bytes; 0 means the default, 16 MiB */
	int max_depth;     /* nesting; 0 means the default, 64 */
	/* Accept \u0000 inside string values (IPC payloads, which reach
	 * handlers with their length). Policy and config files refuse it:
	 * their names, patterns and paths are read as C strings, which a NUL
	 * would silently cut short. */
	bool nul_in_strings;
} cg_json_limits;

typedef struct cg_jsondoc {
	char *name;        /* the file name used in diagnostics */
	char *text;        /* the whole text, NUL-terminated */
	size_t len;
	json_object *root; /* owned by the document */
	void *priv;        /* position index, built on first use */
} cg_jsondoc;

/* Read and parse a file. Errors (unreadable, too big, empty, invalid UTF-8,
 * syntax, too deep, duplicate key, trailing data) go to d with position and
 * a hint; the return value is then a negative CG_E* and *out is NULL. */
CG_HIDDEN int cg_jsondoc_load_file(const char *path, const cg_json_limits *lim,
				   cg_jsondoc **out, cg_diag *d);
/* Same from memory; name is used in diagnostics; text need not be
 * NUL-terminated. */
CG_HIDDEN int cg_jsondoc_load_mem(const char *name, const char *text,
				  size_t len, const cg_json_limits *lim,
				  cg_jsondoc **out, cg_diag *d);
CG_HIDDEN void cg_jsondoc_free(cg_jsondoc *doc);

/* Position (1-based line and column, column in characters) of the value at
 * an RFC 6901 JSON pointer ("" is the root). For object members the value's
 * position is reported. Returns false if the pointer names nothing. */
CG_HIDDEN bool cg_jsondoc_locate(const cg_jsondoc *doc, const char *pointer,
				 unsigned *line, unsigned *col);
/* The same, for positions that must not be lost: 1 found, 0 when the
 * pointer names nothing, CG_ENOMEM when memory ran out. */
CG_HIDDEN int cg_jsondoc_find(const cg_jsondoc *doc, const char *pointer,
			      unsigned *line, unsigned *col);

/* Adds an error located at pointer (line and column 0 when the pointer
 * names nothing, so no position is made up). */
CG_HIDDEN void cg_jsondoc_error(cg_diag *d, const cg_jsondoc *doc, int code,
				const char *pointer, const char *hint,
				const char *fmt, ...) CG_PRINTF(6, 7);
CG_HIDDEN void cg_jsondoc_warning(cg_diag *d, const cg_jsondoc *doc, int code,
				  const char *pointer, const char *hint,
				  const char *fmt, ...) CG_PRINTF(6, 7);

/* Appends RFC 6901 escaped token to a pointer: ("/a", "b/c") -> "/a/b~1c".
 * Returns a malloc'd string or NULL. */
CG_HIDDEN char *cg_pointer_join(const char *base, const char *token);
CG_HIDDEN char *cg_pointer_join_index(const char *base, size_t index);

#endif
