/* Diagnostics: what went wrong, where, and how to fix it. */
#include "base/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cg_diag_entry {
	cg_severity sev;
	int code;
	unsigned line, col;
	char *file, *pointer, *message, *hint;
	const char *rule;   /* static string, from the lint rule table */
	char *replacement;
};

struct cg_diag {
	struct cg_diag_entry *v;
	size_t n, cap;
	size_t errors; /* counts dropped entries too */
};

CG_EXPORT cg_diag *cg_diag_new(void) { return calloc(1, sizeof(cg_diag)); }

CG_EXPORT void cg_diag_free(cg_diag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].pointer);
		free(d->v[i].message);
		free(d->v[i].hint);
		free(d->v[i].replacement);
	}
	free(d->v);
	free(d);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

void cg_diag_add(cg_diag *d, cg_severity sev, int code, const char *file,
		 unsigned line, unsigned col, const char *pointer,
		 const char *hint, const char *fmt, ...)
{
	if (!d)
		return;
	if (sev == CG_SEV_ERROR)
		d->errors++;
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 8;
		struct cg_diag_entry *nv = realloc(d->v, ncap * sizeof(*nv));
		if (!nv)
			return;
		d->v = nv;
		d->cap = ncap;
	}
	struct cg_diag_entry *e = &d->v[d->n];
	memset(e, 0, sizeof(*e));
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&e->message, fmt, ap) < 0)
		e->message = NULL;
	va_end(ap);
	e->file = dup_or_null(file);
	e->pointer = dup_or_null(pointer);
	e->hint = dup_or_null(hint);
	if (!e->message || (file && !e->file) || (pointer && !e->pointer) ||
	    (hint && !e->hint)) {
		free(e->message);
		free(e->file);
		free(e->pointer);
		free(e->hint);
		return;
	}
	e->sev = sev;
	e->code = code;
	e->line = line;
	e->col = col;
	d->n++;
}

CG_EXPORT size_t cg_diag_count(const cg_diag *d) { return d ? d->n : 0; }
CG_EXPORT size_t cg_diag_error_count(const cg_diag *d) { return d ? d->errors : 0; }

#define ENTRY(field, dflt)                                       \
	do {                                                     \
		if (!d || i >= d->n)                             \
			return dflt;                             \
		return d->v[i].field;                            \
	} while (0)

CG_EXPORT cg_severity cg_diag_severity(const cg_diag *d, size_t i) { ENTRY(sev, CG_SEV_ERROR); }
CG_EXPORT int cg_diag_code(const cg_diag *d, size_t i) { ENTRY(code, CG_EINVAL); }
CG_EXPORT const char *cg_diag_file(const cg_diag *d, size_t i) { ENTRY(file, NULL); }
CG_EXPORT unsigned cg_diag_line(const cg_diag *d, size_t i) { ENTRY(line, 0); }
CG_EXPORT unsigned cg_diag_column(const cg_diag *d, size_t i) { ENTRY(col, 0); }
CG_EXPORT const char *cg_diag_pointer(const cg_diag *d, size_t i) { ENTRY(pointer, NULL); }
CG_EXPORT const char *cg_diag_message(const cg_diag *d, size_t i) { ENTRY(message, NULL); }
CG_EXPORT const char *cg_diag_hint(const cg_diag *d, size_t i) { ENTRY(hint, NULL); }
CG_EXPORT const char *cg_diag_rule(const cg_diag *d, size_t i) { ENTRY(rule, NULL); }
CG_EXPORT const char *cg_diag_replacement(const cg_diag *d, size_t i) { ENTRY(replacement, NULL); }

int cg_diag_tag_last(cg_diag *d, const char *rule, const char *replacement)
{
	if (!d || !d->n)
		return CG_EINVAL;
	struct cg_diag_entry *e = &d->v[d->n - 1];
	if (rule)
		e->rule = rule;
	if (replacement) {
		char *r = strdup(replacement);
		if (!r)
			return CG_ENOMEM;
		free(e->replacement);
		e->replacement = r;
	}
	return 0;
}

static const char *sev_name(cg_severity s)
{
	return s == CG_SEV_ERROR ? "error" : s == CG_SEV_WARNING ? "warning" : "note";
}

CG_EXPORT char *cg_diag_format(const cg_diag *d, size_t i)
{
	if (!d || i >= d->n)
		return NULL;
	const struct cg_diag_entry *e = &d->v[i];
	char *loc = NULL, *ptr = NULL, *hint = NULL, *out;
	if (e->file && e->line)
		loc = cg_strdup_printf("%s:%u:%u: ", e->file, e->line, e->col);
	else if (e->file)
		loc = cg_strdup_printf("%s: ", e->file);
	else
		loc = strdup("");
	ptr = e->pointer ? cg_strdup_printf(" (at %s)", *e->pointer ? e->pointer : "/") : strdup("");
	hint = e->hint ? cg_strdup_printf("\n  hint: %s", e->hint) : strdup("");
	out = (loc && ptr && hint)
		? cg_strdup_printf("%s%s: %s%s%s\n", loc, sev_name(e->sev), e->message, ptr, hint)
		: NULL;
	free(loc);
	free(ptr);
	free(hint);
	return out;
}

CG_EXPORT void cg_diag_add_message(cg_diag *d, cg_severity sev, int code, const char *file,
				   unsigned line, unsigned col, const char *pointer, const char *hint,
				   const char *message)
{
	cg_diag_add(d, sev, code, file, line, col, pointer, hint, "%s", message ? message : "");
}
