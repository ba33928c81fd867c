/* Internal declarations shared by the engine's files; not installed. */
#ifndef CG_INTERNAL_H
#define CG_INTERNAL_H

#define CAPGATE_BUILDING 1
#include "capgate.h"
#include <stdbool.h>

#define CG_HIDDEN __attribute__((visibility("hidden")))
#define CG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Appends one entry to d (d may be NULL: then nothing happens). Any string
 * may be NULL. If memory runs out the entry is dropped but the error count
 * still rises, so a failed load is never mistaken for a clean one. */
CG_HIDDEN void cg_diag_add(cg_diag *d, cg_severity sev, int code,
			   const char *file, unsigned line, unsigned col,
			   const char *pointer, const char *hint,
			   const char *fmt, ...) CG_PRINTF(9, 10);

/* Sets the rule (a static string) and the suggested replacement of the
 * last entry of d. Callers check that the entry was added (cg_diag_count
 * rose), as an entry can be dropped when memory runs out. */
CG_HIDDEN int cg_diag_tag_last(cg_diag *d, const char *rule, const char *replacement);

/* malloc'd printf; NULL on failure. */
CG_HIDDEN char *cg_strdup_printf(const char *fmt, ...) CG_PRINTF(1, 2);

#endif
