/*
 * Remote origins: URLs parsed with GLib's GUri, and the URL patterns of a
 * capability's remote.urls, with the semantics of WHATWG URLPattern as Tauri
 * builds them (RemoteUrlPattern): a constructor string
 * "scheme://host[:port][/path][?search][#hash]" where
 *   - '*' in any component matches any run of characters (URLPattern's
 *     full wildcard);
 *   - a missing path, or the path "/", matches any path; a missing search or
 *     hash matches any;
 *   - a missing port means the scheme's default port only, even when the
 *     scheme and host are wildcards (so a catch-all pattern does not match
 *     "http://a:8080/"), and a special scheme's default port written out is
 *     the same as none;
 *   - ':name' segment wildcards match one host label (no '.') in the host and
 *     one path segment (no '/') in the path;
 *   - regexp groups "(...)" and "{...}" groups, the '?' and '+' modifiers
 *     and user info are not supported and are a clear error rather than a
 *     silent mismatch; '\' escapes the next character, as in URLPattern.
 * Scheme and host compare case-insensitively (both are lowered).
 */
#ifndef CG_URLPATTERN_H
#define CG_URLPATTERN_H

#include "base/internal.h"

typedef struct cg_url {
	char *scheme;   /* lower case */
	char *host;     /* lower case, IPv6 without brackets */
	int port;       /* -1 when the scheme's default (or none) */
	char *path;     /* "/" when empty */
	char *query;    /* NULL when absent */
	char *fragment; /* NULL when absent */
} cg_url;

/* Parses an absolute URL. 0 or CG_EINVAL (then *err, if given, is a static
 * message; CG_ENOMEM if memory runs out). A URL with a default port written
 * out ("https://a:443/") gets port -1. Userinfo is dropped. Spaces, control
 * characters and backslashes are refused, as are the few URLs on which
 * GUri and WHATWG would disagree about the host. */
CG_HIDDEN int cg_url_parse(const char *s, cg_url *out, const char **err);
CG_HIDDEN void cg_url_clear(cg_url *u);

typedef struct cg_urlpattern cg_urlpattern;

/* Compiles a pattern; NULL with *err (static message) and *err_offset (byte
 * offset in s) on a bad pattern or on allocation failure ("out of memory"). */
CG_HIDDEN cg_urlpattern *cg_urlpattern_new(const char *s, const char **err,
					   size_t *err_offset);
/* Whether a cg_urlpattern_new error is the allocation failure (not a
 * bad pattern). */
#define CG_URLPATTERN_NOMEM(err) ((err) && strcmp((err), "out of memory") == 0)
CG_HIDDEN void cg_urlpattern_free(cg_urlpattern *p);
CG_HIDDEN bool cg_urlpattern_match(const cg_urlpattern *p, const cg_url *u);
CG_HIDDEN const char *cg_urlpattern_source(const cg_urlpattern *p);
/* Facts for the lint: the scheme is "http" or a wildcard; the host has a
 * wildcard. */
CG_HIDDEN bool cg_urlpattern_insecure_scheme(const cg_urlpattern *p);
CG_HIDDEN bool cg_urlpattern_wildcard_host(const cg_urlpattern *p);

#endif
