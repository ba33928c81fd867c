/* Version, error strings and small helpers. */
#include "base/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

CG_EXPORT const char *cg_version(void) { return CG_VERSION_STRING; }
CG_EXPORT int cg_version_number(void) { return CG_VERSION_NUMBER; }

CG_EXPORT const char *cg_strerror(int err)
{
	switch (err) {
	case CG_OK: return "success";
	case CG_ENOMEM: return "out of memory";
	case CG_EINVAL: return "invalid argument";
	case CG_EIO: return "file could not be read";
	case CG_EPARSE: return "malformed JSON";
	case CG_ESCHEMA: return "wrong type, missing or unknown field";
	case CG_EUNKNOWN: return "unknown permission, plugin or command";
	case CG_ECYCLE: return "permission set includes itself";
	case CG_EDUPLICATE: return "duplicate identifier";
	case CG_ELIMIT: return "limit exceeded";
	case CG_EPATTERN: return "bad glob or URL pattern";
	case CG_EIDENT: return "invalid identifier";
	case CG_ENOTFOUND: return "not found";
	case CG_ESTATE: return "invalid state";
	case CG_ESEAL: return "not sealed, or the seal did not verify";
	case CG_ESECCOMP: return "the kernel refused the seccomp filter";
	default: return "unknown error";
	}
}

char *cg_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}
