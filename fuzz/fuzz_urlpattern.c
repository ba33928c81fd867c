/*
 * fuzz_urlpattern: remote.urls patterns and page URLs (engine/base/urlpattern.h).
 * Input: a URL pattern, a newline, a URL (each used up to its first NUL).
 *
 * Invariants:
 *   1. a pattern that does not compile gives a message and an offset
 *      inside the pattern; one that does keeps its source text, and
 *      compiling it again gives a pattern that answers the same;
 *   2. a URL that does not parse gives a message and leaves no fields; one
 *      that parses has a non-empty lower-case scheme, a lower-case host,
 *      a path, and a port that is -1 or 0..65535 but never the scheme's
 *      default (which is folded into -1);
 *   3. matching is deterministic (asked twice, and of the second compile);
 *   4. any scheme, any host, any port (the pattern "*" "://" "*" ":*",
 *      written in pieces to keep this a C comment) matches every URL that
 *      parses, and any scheme and host without a port ("*" "://" "*")
 *      exactly those on their scheme's default port (a missing port means
 *      the default port, even with wildcards);
 *   5. a plain URL is its own pattern: when the URL text uses only
 *      characters that are literal both to the URL parser and in a pattern
 *      (ASCII letters, digits and "-._~!$&'=,/" in the path, query and
 *      fragment; letters, digits, '.' and '-' in the host; digits in the
 *      port) and has no dot segments, the pattern made of that very text
 *      compiles and matches the URL.
 */
#include "fuzz_common.h"
#include "base/internal.h"
#include "base/urlpattern.h"

#include <ctype.h>

static int default_port(const char *scheme)
{
	if (!strcmp(scheme, "http") || !strcmp(scheme, "ws"))
		return 80;
	if (!strcmp(scheme, "https") || !strcmp(scheme, "wss"))
		return 443;
	if (!strcmp(scheme, "ftp"))
		return 21;
	return -1;
}

static bool lower_ascii(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return false;
	return true;
}

static void check_url(const char *text, const cg_url *u, int rc, const char *err)
{
	if (rc < 0) {
		FUZZ_CHECK(err && *err, "URL \"%s\" refused without a message", text);
		FUZZ_CHECK(!u->scheme && !u->host && !u->path && !u->query && !u->fragment && u->port == -1,
			   "a refused URL left fields behind");
		return;
	}
	FUZZ_CHECK(rc == 0 && u->scheme && *u->scheme && lower_ascii(u->scheme), "scheme of %s", text);
	FUZZ_CHECK(u->host && lower_ascii(u->host), "host of %s", text);
	FUZZ_CHECK(u->path, "path of %s", text);
	FUZZ_CHECK(u->port == -1 || (u->port >= 0 && u->port <= 65535), "port %d of %s", u->port, text);
	FUZZ_CHECK(u->port == -1 || u->port != default_port(u->scheme),
		   "default port %d of %s not folded", u->port, text);
}

static bool pchar_ok(unsigned char c)
{
	return isalnum(c) || strchr("-._~!$&'=,/", c);
}

/* Invariant 5's condition: scheme://host[:port][/path][?query][#frag]. */
static bool plain_url(const char *s)
{
	const char *p = s;
	if (!isalpha((unsigned char)*p))
		return false;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (strncmp(p, "://", 3) != 0)
		return false;
	p += 3;
	const char *h = p;
	while (isalnum((unsigned char)*p) || *p == '.' || *p == '-')
		p++;
	if (p == h)
		return false;
	if (*p == ':') {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	int part = 0; /* 0 path, 1 query, 2 fragment */
	for (; *p; p++) {
		if (*p == '?' && part == 0)
			part = 1;
		else if (*p == '#' && part < 2)
			part = 2;
		else if (!pchar_ok((unsigned char)*p))
			return false;
	}
	/* Dot segments ("/./", "/../", a trailing "/." or "/..") may be
	 * removed by the URL parser but are literal in a pattern. */
	const char *path = strchr(h, '/');
	const char *pend = path ? path + strcspn(path, "?#") : NULL;
	for (const char *q = path; q && q < pend; q++)
		if (q[0] == '/' && q[1] == '.' &&
		    (q + 2 == pend || q[2] == '/' || (q[2] == '.' && (q + 3 == pend || q[3] == '/'))))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pat_s, *url_s;
	fuzz_split2(data, size, &pat_s, &url_s);

	const char *err = NULL;
	size_t off = (size_t)-1;
	cg_urlpattern *p = cg_urlpattern_new(pat_s, &err, &off);
	cg_urlpattern *p2 = cg_urlpattern_new(pat_s, NULL, NULL);
	FUZZ_CHECK(!p == !p2, "compiling twice gave different results");
	if (!p) {
		FUZZ_CHECK(err && *err, "pattern refused without a message");
		FUZZ_CHECK(off <= strlen(pat_s), "error offset %zu past the pattern (%zu bytes)", off, strlen(pat_s));
	} else {
		FUZZ_CHECK(strcmp(cg_urlpattern_source(p), pat_s) == 0, "source text changed");
		FUZZ_CHECK(cg_urlpattern_insecure_scheme(p) == cg_urlpattern_insecure_scheme(p2) &&
			   cg_urlpattern_wildcard_host(p) == cg_urlpattern_wildcard_host(p2), "facts differ");
	}

	cg_url u;
	err = NULL;
	int rc = cg_url_parse(url_s, &u, &err);
	check_url(url_s, &u, rc, err);
	if (rc == 0) {
		if (p) {
			bool m1 = cg_urlpattern_match(p, &u), m2 = cg_urlpattern_match(p, &u);
			bool m3 = cg_urlpattern_match(p2, &u);
			FUZZ_CHECK(m1 == m2 && m1 == m3, "\"%s\" against %s: answers differ", pat_s, url_s);
		}
		static cg_urlpattern *any_port, *default_only;
		if (!any_port) {
			any_port = cg_urlpattern_new("*://*:*", NULL, NULL);
			default_only = cg_urlpattern_new("*://*", NULL, NULL);
			FUZZ_SETUP(any_port && default_only);
		}
		FUZZ_CHECK(cg_urlpattern_match(any_port, &u), "\"*://*:*\" does not match %s", url_s);
		FUZZ_CHECK(cg_urlpattern_match(default_only, &u) == (u.port == -1),
			   "\"*://*\" %s %s (port %d)", u.port == -1 ? "does not match" : "matches", url_s, u.port);
		if (plain_url(url_s)) {
			const char *e2 = NULL;
			size_t o2 = 0;
			cg_urlpattern *self = cg_urlpattern_new(url_s, &e2, &o2);
			/* A port the URL parser takes but a pattern refuses (out of
			 * range) is left to invariant 2. */
			if (self || !strstr(e2, "port"))
				FUZZ_CHECK(self, "plain URL %s is no pattern: %s at %zu", url_s, e2, o2);
			if (self)
				FUZZ_CHECK(cg_urlpattern_match(self, &u), "plain URL %s does not match itself "
					   "(scheme %s host %s port %d path %s query %s fragment %s)",
					   url_s, u.scheme, u.host, u.port, u.path, u.query ? u.query : "-",
					   u.fragment ? u.fragment : "-");
			cg_urlpattern_free(self);
		}
		cg_url_clear(&u);
	}
	cg_urlpattern_free(p);
	cg_urlpattern_free(p2);
	free(pat_s);
	free(url_s);
	return 0;
}
