/* Unit tests for engine/base/urlpattern.c: GUri-based URL parsing and the
 * URLPattern subset that Tauri's RemoteUrlPattern accepts in remote.urls.
 * The Tauri cases come from tauri-utils' own tests of RemoteUrlPattern. */
#include "base/internal.h"
#include "base/urlpattern.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct url_case {
	const char *url;
	bool want;
};

/* Compiles pat (which must be valid) and checks it against every URL (each
 * must parse). */
static void check_pattern(const char *pat, const struct url_case *v, size_t n)
{
	const char *err = NULL;
	size_t off = 0;
	cg_urlpattern *p = cg_urlpattern_new(pat, &err, &off);
	ck_assert_msg(p != NULL, "pattern \"%s\" rejected at %zu: %s", pat, off,
		      err ? err : "?");
	for (size_t i = 0; i < n; i++) {
		cg_url u;
		const char *uerr = NULL;
		int r = cg_url_parse(v[i].url, &u, &uerr);
		ck_assert_msg(r == 0, "URL \"%s\" rejected: %s", v[i].url,
			      uerr ? uerr : "?");
		ck_assert_msg(cg_urlpattern_match(p, &u) == v[i].want,
			      "\"%s\" vs \"%s\": expected %s", pat, v[i].url,
			      v[i].want ? "match" : "no match");
		cg_url_clear(&u);
	}
	cg_urlpattern_free(p);
}

#define CHECK_PATTERN(pat, v) check_pattern(pat, v, sizeof(v) / sizeof(v[0]))

/* ------------------------------------------------------------ matching */

START_TEST(test_exact_origin)
{
	static const struct url_case v[] = {
		{"https://tauri.app", true},
		{"https://tauri.app/", true},
		{"https://tauri.app/any/path?q=1#x", true},
		{"https://tauri.app:443/x", true},  /* default port written out */
		{"https://TAURI.app/", true},
		{"https://user:pw@tauri.app/", true}, /* userinfo is ignored */
		{"http://tauri.app/", false},
		{"https://tauri.app:8443/", false},
		{"https://sub.tauri.app/", false},
		{"https://tauri.app.evil.example/", false},
		{"https://evil.example/?https://tauri.app", false},
		{"https://evil.example/#https://tauri.app", false},
		{"https://tauri.app@evil.example/", false},
		{"https://x@tauri.app@evil.example/", false},
		{"https://a@b@tauri.app/", true}, /* the last '@' ends user info */
		{"https://xtauri.app/", false},
		{"wss://tauri.app/", false},
	};
	CHECK_PATTERN("https://tauri.app", v);
	/* A trailing "/" also means any path. */
	CHECK_PATTERN("https://tauri.app/", v);
}
END_TEST

START_TEST(test_subdomain_wildcard)
{
	static const struct url_case v[] = {
		{"https://a.tauri.app/x", true},
		{"https://a.b.tauri.app/", true},
		{"https://tauri.app/", false},
		{"https://a.tauri.app.evil.example/", false},
		{"https://atauri.app/", false},
		{"http://a.tauri.app/", false},
	};
	CHECK_PATTERN("https://*.tauri.app", v);
}
END_TEST

START_TEST(test_path_wildcard)
{
	static const struct url_case v[] = {
		{"https://tauri.app/docs/x", true},
		{"https://tauri.app/docs/x/y?z#w", true},
		{"https://tauri.app/docs/", true},
		{"https://tauri.app/docs", false},
		{"https://tauri.app/blog", false},
		{"https://tauri.app/blog/docs/x", false},
		{"https://other.app/docs/x", false},
	};
	CHECK_PATTERN("https://tauri.app/docs/*", v);

	static const struct url_case exact[] = {
		{"https://tauri.app/docs", true},
		{"https://tauri.app/docs?x=1", true}, /* no search: any search */
		{"https://tauri.app/docs/", false},
		{"https://tauri.app/doc", false},
	};
	CHECK_PATTERN("https://tauri.app/docs", exact);
}
END_TEST

START_TEST(test_ports)
{
	static const struct url_case any_port[] = {
		{"http://localhost:1420/", true},
		{"http://localhost:1/", true},
		{"http://localhost/", true},
		{"http://localhost:80/", true},
		{"https://localhost:1420/", false},
		{"http://localhost.evil:1420/", false},
	};
	CHECK_PATTERN("http://localhost:*", any_port);

	static const struct url_case default_port[] = {
		{"http://localhost/", true},
		{"http://localhost:80/x", true},
		{"http://localhost:1420/", false},
		{"http://localhost:8080/", false},
	};
	CHECK_PATTERN("http://localhost", default_port);
	/* URLPattern drops a scheme's default port from the pattern. */
	CHECK_PATTERN("http://localhost:80", default_port);
	CHECK_PATTERN("http://localhost:080", default_port);
	CHECK_PATTERN("http://localhost:", default_port);

	static const struct url_case exact[] = {
		{"http://127.0.0.1:3080/", true},
		{"http://127.0.0.1:3080/a/b?c", true},
		{"http://127.0.0.1/", false},
		{"http://127.0.0.1:30800/", false},
		{"http://127.0.0.1:308/", false},
		{"http://127.0.0.2:3080/", false},
	};
	CHECK_PATTERN("http://127.0.0.1:3080", exact);

	/* A wildcard scheme keeps port 80 literal, so it never matches a
	 * URL whose port is the default (and so not written). */
	static const struct url_case wild_scheme_port[] = {
		{"http://localhost:80/", false},
		{"app://localhost:80/", true},
	};
	CHECK_PATTERN("*://localhost:80", wild_scheme_port);
}
END_TEST

START_TEST(test_wildcard_schemes_and_hosts)
{
	static const struct url_case https_any[] = {
		{"https://x/", true},
		{"https://a.b.c/p?q#f", true},
		{"https://a.b.c:99/p", false}, /* only the default port */
		{"http://x/", false},
	};
	CHECK_PATTERN("https://*", https_any);
	CHECK_PATTERN("https://*/*", https_any);

	static const struct url_case everything[] = {
		{"http://x/", true},
		{"https://a.b/c?d#e", true},
		{"app://y/z?q#f", true},
		{"haex-extension://abc/x", true},
		{"http://x:8080/", false}, /* the port is still the default */
	};
	CHECK_PATTERN("**://**", everything);
	CHECK_PATTERN("*://*", everything);

	static const struct url_case dotted[] = {
		{"https://a.b/", true},
		{"https://a.b.c/", true},
		{"https://localhost/", false},
	};
	CHECK_PATTERN("https://*.*", dotted);

	static const struct url_case http_any[] = {
		{"http://tauri.app/path", true},
		{"http://localhost/path?q=1", true},
		{"https://tauri.app/", false},
	};
	CHECK_PATTERN("http://*", http_any);

	static const struct url_case app[] = {
		{"app://localhost/", true},
		{"app://x/y?z#w", true},
		{"apps://x/", false},
		{"http://x/", false},
	};
	CHECK_PATTERN("app://*", app);

	static const struct url_case haex[] = {
		{"haex-extension://abc/x", true},
		{"haex-extension://abc", true},
		{"HAEX-EXTENSION://ABC/", true},
		{"haex-extensions://abc/", false},
		{"https://abc/", false},
	};
	CHECK_PATTERN("haex-extension://*", haex);
}
END_TEST

/* tauri-utils' tests of RemoteUrlPattern, verbatim in meaning. */
START_TEST(test_tauri_unit_tests)
{
	static const struct url_case domain_any[] = {
		{"http://tauri.app/path", true},
		{"http://tauri.app/path?q=1", true},
		{"http://localhost/path", true},
		{"http://localhost/path?q=1", true},
	};
	CHECK_PATTERN("http://*", domain_any);

	static const struct url_case subdomain[] = {
		{"http://tauri.app/path", false},
		{"http://tauri.app/path?q=1", false},
		{"http://api.tauri.app/path", true},
		{"http://api.tauri.app/path?q=1", true},
		{"http://localhost/path", false},
		{"http://localhost/path?q=1", false},
	};
	CHECK_PATTERN("http://*.tauri.app", subdomain);

	static const struct url_case path[] = {
		{"http://localhost/path", true},
		{"http://localhost/path?q=1", true},
	};
	CHECK_PATTERN("http://localhost/*", path);

	static const struct url_case scheme[] = {
		{"http://localhost/path", true},
		{"https://localhost/path?q=1", true},
		{"custom://localhost/path", true},
	};
	CHECK_PATTERN("*://localhost", scheme);
}
END_TEST

START_TEST(test_named_segments)
{
	static const struct url_case host[] = {
		{"https://a.tauri.app/", true},
		{"https://a.b.tauri.app/", false}, /* one label only */
		{"https://tauri.app/", false},     /* and not an empty one */
	};
	CHECK_PATTERN("https://:sub.tauri.app", host);

	static const struct url_case seg[] = {
		{"https://tauri.app/docs/x", true},
		{"https://tauri.app/docs/x?y", true},
		{"https://tauri.app/docs/x/y", false},
		{"https://tauri.app/docs/", false},
	};
	CHECK_PATTERN("https://tauri.app/docs/:page", seg);
	/* Names are JavaScript identifiers: '_' and '$' may start one. */
	CHECK_PATTERN("https://tauri.app/docs/:_page", seg);
	CHECK_PATTERN("https://tauri.app/docs/:$page1", seg);

	static const struct url_case two[] = {
		{"https://tauri.app/a/b/edit", true},
		{"https://tauri.app/a/edit", false},
	};
	CHECK_PATTERN("https://tauri.app/:x/:y/edit", two);

	/* Paths of non-special schemes have no segments in URLPattern. */
	static const struct url_case opaque[] = {
		{"app://x/a", true},
		{"app://x/a/b", true},
	};
	CHECK_PATTERN("app://x/:rest", opaque);

	/* ':name' right after the host is part of the host, as in Tauri. */
	static const struct url_case portname[] = {
		{"http://localhostx/", true},
		{"http://localhost/", false},
		{"http://localhost:1420/", false},
	};
	CHECK_PATTERN("http://localhost:port", portname);
}
END_TEST

START_TEST(test_search_and_hash)
{
	static const struct url_case search[] = {
		{"https://a.app/x?q=1", true},
		{"https://a.app/x?q=1#frag", true}, /* no hash: any hash */
		{"https://a.app/x?q=2", false},
		{"https://a.app/x", false},
		{"https://a.app/x?", false},
	};
	CHECK_PATTERN("https://a.app/x?q=1", search);

	static const struct url_case hash[] = {
		{"https://a.app/any#frag", true},
		{"https://a.app/#frag", true},
		{"https://a.app/any#other", false},
		{"https://a.app/any", false},
	};
	CHECK_PATTERN("https://a.app/#frag", hash);

	static const struct url_case any[] = {
		{"https://a.app/x", true},
		{"https://a.app/x?y#z", true},
	};
	CHECK_PATTERN("https://a.app?", any);
	CHECK_PATTERN("https://a.app#", any);
	CHECK_PATTERN("https://a.app/?#", any);

	static const struct url_case wild[] = {
		{"https://a.app/p?lang=en", true},
		{"https://a.app/p?lang=", true},
		{"https://a.app/p?x=1&lang=en", false},
	};
	CHECK_PATTERN("https://a.app/p?lang=*", wild);
}
END_TEST

START_TEST(test_case_and_idn)
{
	static const struct url_case upper[] = {
		{"https://tauri.app/Docs", true},
		{"https://tauri.app/docs", false}, /* paths keep their case */
	};
	CHECK_PATTERN("HTTPS://TAURI.APP/Docs", upper);

	static const struct url_case idn[] = {
		{"https://bücher.de/x", true},
		{"https://BÜCHER.de/", true},
		{"https://xn--bcher-kva.de/", true},
		{"https://bucher.de/", false},
	};
	CHECK_PATTERN("https://bücher.de", idn);
	CHECK_PATTERN("https://xn--bcher-kva.de", idn);
}
END_TEST

START_TEST(test_percent_encoding)
{
	/* Both sides are compared in one percent-encoded form. */
	static const struct url_case umlaut[] = {
		{"https://a.app/ä", true},
		{"https://a.app/%C3%A4", true},
		{"https://a.app/%c3%a4", true},
		{"https://a.app/a", false},
	};
	CHECK_PATTERN("https://a.app/ä", umlaut);
	CHECK_PATTERN("https://a.app/%c3%A4", umlaut);

	static const struct url_case tilde[] = {
		{"https://a.app/~x", true},
		{"https://a.app/%7Ex", true},
	};
	CHECK_PATTERN("https://a.app/%7ex", tilde);

	static const struct url_case slash[] = {
		{"https://a.app/a%2Fb", true},
		{"https://a.app/a%2fb", true},
		{"https://a.app/a/b", false}, /* an encoded '/' stays encoded */
	};
	CHECK_PATTERN("https://a.app/a%2fb", slash);

	static const struct url_case quote[] = {
		{"https://a.app/%22q%22", true},
		{"https://a.app/\"q\"", true},
	};
	CHECK_PATTERN("https://a.app/\"q\"", quote);
}
END_TEST

START_TEST(test_escapes)
{
	static const struct url_case parens[] = {
		{"https://a.app/(x)", true},
		{"https://a.app/x", false},
	};
	CHECK_PATTERN("https://a.app/\\(x\\)", parens);

	static const struct url_case plus[] = {
		{"https://a.app/a+b", true},
		{"https://a.app/ab", false},
	};
	CHECK_PATTERN("https://a.app/a\\+b", plus);

	static const struct url_case star[] = {
		{"https://a.app/*", true},
		{"https://a.app/x", false},
	};
	CHECK_PATTERN("https://a.app/\\*", star);

	static const struct url_case colon[] = {
		{"https://a.app/a:1", true},
		{"https://a.app/a:2", false},
	};
	CHECK_PATTERN("https://a.app/a\\:1", colon);

	static const struct url_case ipv6[] = {
		{"http://[::1]:8080/", true},
		{"http://[::2]:8080/", false},
		{"http://[::1]/", false},
		{"http://127.0.0.1:8080/", false},
	};
	CHECK_PATTERN("http://[\\:\\:1]:8080", ipv6);
}
END_TEST

START_TEST(test_long_subjects)
{
	/* Long enough for the matcher's heap path, with a pathological
	 * pattern; no timing is asserted. */
	size_t n = 100000;
	char *url = malloc(n + 32);
	ck_assert_ptr_nonnull(url);
	strcpy(url, "https://a.app/");
	memset(url + 14, 'a', n);
	url[14 + n] = '\0';

	cg_url u;
	ck_assert_int_eq(cg_url_parse(url, &u, NULL), 0);
	cg_urlpattern *no = cg_urlpattern_new("https://a.app/*a*a*a*a*a*a*a*b", NULL, NULL);
	cg_urlpattern *yes = cg_urlpattern_new("https://a.app/*a*a*a*a*a*a*a*a", NULL, NULL);
	cg_urlpattern *seg = cg_urlpattern_new("https://a.app/:x:y:z", NULL, NULL);
	ck_assert_ptr_nonnull(no);
	ck_assert_ptr_nonnull(yes);
	ck_assert_ptr_nonnull(seg);
	ck_assert(!cg_urlpattern_match(no, &u));
	ck_assert(cg_urlpattern_match(yes, &u));
	ck_assert(cg_urlpattern_match(seg, &u));
	cg_urlpattern_free(no);
	cg_urlpattern_free(yes);
	cg_urlpattern_free(seg);
	cg_url_clear(&u);
	free(url);
}
END_TEST

/* ------------------------------------------------------------- patterns */

struct error_case {
	const char *pat;
	size_t off;
	const char *msg_part;
};

START_TEST(test_pattern_errors)
{
	static const struct error_case v[] = {
		{"", 0, "empty"},
		{"tauri.app", 0, "scheme"},
		{"*.tauri.app", 0, "scheme"},
		{"://tauri.app", 0, "scheme"},
		{"localhost:8080", 10, "\"//\""},
		{"mailto:/x", 7, "\"//\""},
		{"mailto:x@y", 0, "scheme"}, /* ":x" is a name, not a separator */
		{"https://", 8, "no host"},
		{"https:///docs", 8, "no host"},
		{"https://(a|b).app", 8, "regexp"},
		{"https://tauri.app/(.*)", 18, "regexp"},
		{"https://tauri.app/x(", 19, "regexp"},
		{"https://{a,b}.app", 8, "groups"},
		{"https://tauri.app/{x}?", 18, "groups"},
		{"https://tauri.app/x}", 19, "groups"},
		{"https://tauri.app /", 17, "spaces"},
		{" https://tauri.app", 0, "spaces"},
		{"https://tauri.app/\t", 18, "control"},
		{"https://tauri.app/\x7f", 18, "control"},
		{"https://tauri.app/\xff", 18, "UTF-8"},
		{"https://tauri.app/\xc3", 18, "UTF-8"},
		{"https://t\xc3\x28.app", 9, "UTF-8"},
		{"https://user@tauri.app", 8, "user"},
		{"https://u:p@tauri.app", 8, "user"},
		{"https://tauri.app:99999", 18, "port out of range"},
		{"https://tauri.app:80a", 20, "port"},
		{"https://tauri.app/*?q=1", 19, "modifier"},
		{"https://tauri.app/:id?", 21, "modifier"},
		{"https://tauri.app/a+b", 19, "modifier"},
		{"https://tauri.app/?a?b", 20, "modifier"},
		{"https://tauri.app/a:1", 19, "':'"},
		{"https://tauri.app/:-x", 18, "':'"},
		{"http://[::1]:8080", 8, "':'"},
		{"https://tauri.app/\\", 18, "'\\'"},
		{"htt_p://tauri.app", 3, "scheme"},
		{"https://tau%72i.app", 11, "host"},
		{"https://tau\\^ri.app", 11, "host"},
		{"https://*ü.de", 8, "non-ASCII"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const char *err = NULL;
		size_t off = 999;
		cg_urlpattern *p = cg_urlpattern_new(v[i].pat, &err, &off);
		ck_assert_msg(p == NULL, "\"%s\" accepted", v[i].pat);
		ck_assert_ptr_nonnull(err);
		ck_assert_msg(strstr(err, v[i].msg_part) != NULL,
			      "\"%s\": message \"%s\" lacks \"%s\"", v[i].pat,
			      err, v[i].msg_part);
		ck_assert_msg(off == v[i].off, "\"%s\": offset %zu, want %zu",
			      v[i].pat, off, v[i].off);
	}
}
END_TEST

START_TEST(test_pattern_outputs_optional)
{
	ck_assert_ptr_null(cg_urlpattern_new("tauri.app", NULL, NULL));
	ck_assert_ptr_null(cg_urlpattern_new(NULL, NULL, NULL));

	const char *err = NULL;
	size_t off = 999;
	ck_assert_ptr_null(cg_urlpattern_new(NULL, &err, &off));
	ck_assert_ptr_nonnull(err);
	ck_assert_uint_eq(off, 0);

	/* Success leaves the outputs alone. */
	err = "unset";
	off = 999;
	cg_urlpattern *p = cg_urlpattern_new("https://tauri.app", &err, &off);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(err, "unset");
	ck_assert_uint_eq(off, 999);
	cg_urlpattern_free(p);
}
END_TEST

struct flag_case {
	const char *pat;
	bool insecure, wild_host;
};

START_TEST(test_lint_facts)
{
	static const struct flag_case v[] = {
		{"https://tauri.app", false, false},
		{"http://tauri.app", true, false},
		{"HTTP://tauri.app", true, false},
		{"http://localhost:*", true, false},
		{"https://*.tauri.app", false, true},
		{"https://:sub.tauri.app", false, true},
		{"https://*", false, true},
		{"*://tauri.app", true, false},
		{"http*://tauri.app", true, false},
		{":s://tauri.app", true, false},
		{"**://**", true, true},
		{"app://*", false, true},
		{"wss://tauri.app", false, false},
		{"https://tauri.app/*", false, false},      /* a path wildcard only */
		{"https://tau\\*ri.app", false, false},     /* an escaped '*' */
		{"http://[\\:\\:1]", true, false},          /* escaped ':' */
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cg_urlpattern *p = cg_urlpattern_new(v[i].pat, NULL, NULL);
		ck_assert_msg(p != NULL, "\"%s\" rejected", v[i].pat);
		ck_assert_msg(cg_urlpattern_insecure_scheme(p) == v[i].insecure,
			      "\"%s\": insecure scheme", v[i].pat);
		ck_assert_msg(cg_urlpattern_wildcard_host(p) == v[i].wild_host,
			      "\"%s\": wildcard host", v[i].pat);
		ck_assert_str_eq(cg_urlpattern_source(p), v[i].pat);
		cg_urlpattern_free(p);
	}
}
END_TEST

START_TEST(test_null_args)
{
	cg_url u;
	cg_urlpattern *p = cg_urlpattern_new("https://*", NULL, NULL);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(cg_url_parse("https://x/", &u, NULL), 0);

	ck_assert(!cg_urlpattern_match(NULL, &u));
	ck_assert(!cg_urlpattern_match(p, NULL));
	ck_assert_ptr_null(cg_urlpattern_source(NULL));
	ck_assert(!cg_urlpattern_insecure_scheme(NULL));
	ck_assert(!cg_urlpattern_wildcard_host(NULL));
	cg_urlpattern_free(NULL);
	cg_url_clear(NULL);

	/* A cleared URL (all NULL) never matches, even a catch-all. */
	cg_url_clear(&u);
	ck_assert_ptr_null(u.host);
	ck_assert(!cg_urlpattern_match(p, &u));
	cg_urlpattern_free(p);
}
END_TEST

/* ------------------------------------------------------------------ URLs */

START_TEST(test_url_parse_fields)
{
	cg_url u;
	const char *err = NULL;

	ck_assert_int_eq(cg_url_parse("HTTPS://User:Pw@Tauri.APP:443/a/./b/../c?q=1#Frag", &u, &err), 0);
	ck_assert_str_eq(u.scheme, "https");
	ck_assert_str_eq(u.host, "tauri.app");
	ck_assert_int_eq(u.port, -1);
	ck_assert_str_eq(u.path, "/a/c");
	ck_assert_str_eq(u.query, "q=1");
	ck_assert_str_eq(u.fragment, "Frag");
	cg_url_clear(&u);

	ck_assert_int_eq(cg_url_parse("http://tauri.app", &u, &err), 0);
	ck_assert_str_eq(u.path, "/");
	ck_assert_ptr_null(u.query);
	ck_assert_ptr_null(u.fragment);
	cg_url_clear(&u);

	ck_assert_int_eq(cg_url_parse("http://tauri.app/?#", &u, &err), 0);
	ck_assert_str_eq(u.query, "");
	ck_assert_str_eq(u.fragment, "");
	cg_url_clear(&u);

	ck_assert_int_eq(cg_url_parse("http://[::1]:8080/x", &u, &err), 0);
	ck_assert_str_eq(u.host, "::1");
	ck_assert_int_eq(u.port, 8080);
	cg_url_clear(&u);

	ck_assert_int_eq(cg_url_parse("http://[FE80::A]/", &u, &err), 0);
	ck_assert_str_eq(u.host, "fe80::a");
	cg_url_clear(&u);

	/* User info may hold a ';' or an '@': as in WHATWG, the last '@'
	 * ends it. */
	ck_assert_int_eq(cg_url_parse("https://x@evil.example@tauri.app/", &u, &err), 0);
	ck_assert_str_eq(u.host, "tauri.app");
	cg_url_clear(&u);
	ck_assert_int_eq(cg_url_parse("https://x@tauri.app@evil.example/", &u, &err), 0);
	ck_assert_str_eq(u.host, "evil.example");
	cg_url_clear(&u);
	ck_assert_int_eq(cg_url_parse("https://evil;@tauri.app/", &u, &err), 0);
	ck_assert_str_eq(u.host, "tauri.app");
	cg_url_clear(&u);
}
END_TEST

START_TEST(test_url_parse_ports)
{
	static const struct {
		const char *url;
		int port;
	} v[] = {
		{"http://a/", -1},        {"http://a:80/", -1},
		{"http://a:080/", -1},    {"http://a:/", -1},
		{"http://a:443/", 443},   {"https://a:443/", -1},
		{"https://a:80/", 80},    {"ws://a:80/", -1},
		{"wss://a:443/", -1},     {"ftp://a:21/", -1},
		{"app://a:80/", 80},      {"app://a/", -1},
		{"http://a:1420/", 1420}, {"http://a:65535/", 65535},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cg_url u;
		ck_assert_int_eq(cg_url_parse(v[i].url, &u, NULL), 0);
		ck_assert_msg(u.port == v[i].port, "%s: port %d, want %d",
			      v[i].url, u.port, v[i].port);
		cg_url_clear(&u);
	}
}
END_TEST

START_TEST(test_url_parse_other_schemes)
{
	cg_url u;

	ck_assert_int_eq(cg_url_parse("about:blank", &u, NULL), 0);
	ck_assert_str_eq(u.scheme, "about");
	ck_assert_str_eq(u.host, "");
	ck_assert_str_eq(u.path, "blank");
	cg_url_clear(&u);

	ck_assert_int_eq(cg_url_parse("app://Localhost", &u, NULL), 0);
	ck_assert_str_eq(u.host, "localhost");
	ck_assert_str_eq(u.path, "/");
	cg_url_clear(&u);

	ck_assert_int_eq(cg_url_parse("file:///etc/passwd", &u, NULL), 0);
	ck_assert_str_eq(u.host, "");
	ck_assert_str_eq(u.path, "/etc/passwd");
	cg_url_clear(&u);

	/* A stray '%' is kept, as browsers keep it. */
	ck_assert_int_eq(cg_url_parse("https://a/100%", &u, NULL), 0);
	ck_assert_str_eq(u.path, "/100%");
	cg_url_clear(&u);

	ck_assert_int_eq(cg_url_parse("https://a/ä?ö#ü", &u, NULL), 0);
	ck_assert_str_eq(u.path, "/%C3%A4");
	ck_assert_str_eq(u.query, "%C3%B6");
	ck_assert_str_eq(u.fragment, "%C3%BC");
	cg_url_clear(&u);
}
END_TEST

START_TEST(test_url_parse_rejects)
{
	static const char *const v[] = {
		"",
		"tauri.app",
		"/relative/path",
		"//tauri.app/",
		"https:",
		"https:/x",
		"https:///x",
		"http://",
		"https://tauri.app /",
		"https://tau ri.app/",
		" https://tauri.app/",
		"https://tauri.app/\n",
		"https://evil.example\\@tauri.app/", /* WHATWG: host evil.example */
		"https://evil.example\\.tauri.app/",
		"https://tauri.app;evil.example/",   /* GUri would say tauri.app */
		"https://evil.com%2F.tauri.app/",    /* decodes to a '/' */
		"https://a%20b/",
		"https://tauri.app:99999/",
		"https://tauri.app:44x/",
		"https://[::1/",
		"https://[fe80::1%25eth0]/",
		"https://a\xff/",
		"not a url",
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cg_url u;
		const char *err = NULL;
		u.port = 12345;
		ck_assert_msg(cg_url_parse(v[i], &u, &err) == CG_EINVAL,
			      "\"%s\" accepted", v[i]);
		ck_assert_ptr_nonnull(err);
		/* The output is left empty, so clearing it is harmless. */
		ck_assert_ptr_null(u.scheme);
		ck_assert_ptr_null(u.host);
		cg_url_clear(&u);
	}
	const char *err = NULL;
	ck_assert_int_eq(cg_url_parse(NULL, NULL, &err), CG_EINVAL);
	ck_assert_ptr_nonnull(err);
	cg_url u;
	ck_assert_int_eq(cg_url_parse(NULL, &u, NULL), CG_EINVAL);
	ck_assert_int_eq(cg_url_parse("https://a/", NULL, NULL), CG_EINVAL);
}
END_TEST

/* --------------------------------------------------------------- fuzzing */

static uint32_t next_rand(uint32_t *s)
{
	/* xorshift32: deterministic, so a failure can be replayed. */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void random_string(uint32_t *seed, char *buf, size_t cap)
{
	static const char *const parts[] = {
		"https", "http", "app", "://", ":", "/", "//", "*", "**", "?", "#",
		"@", "[", "]", ".", "a", "b.c", ":id", "\\", "(", ")", "{", "}",
		"+", "%", "%2F", "%zz", "80", "443", "\xc3\xa4", "\xff", " ", ";",
		"tauri.app", "localhost", "-", "0",
	};
	size_t n = next_rand(seed) % 10, len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *p = parts[next_rand(seed) % (sizeof(parts) / sizeof(parts[0]))];
		size_t pl = strlen(p);
		if (len + pl + 1 > cap)
			break;
		memcpy(buf + len, p, pl + 1);
		len += pl;
	}
}

START_TEST(test_random_inputs_never_crash)
{
	uint32_t seed = 0x9e3779b9u;
	char pat[256], url[256];
	cg_urlpattern *all = cg_urlpattern_new("**://**", NULL, NULL);
	ck_assert_ptr_nonnull(all);

	for (int i = 0; i < 20000; i++) {
		random_string(&seed, pat, sizeof(pat));
		random_string(&seed, url, sizeof(url));
		const char *err = NULL;
		size_t off = 0;
		cg_urlpattern *p = cg_urlpattern_new(pat, &err, &off);
		if (p) {
			ck_assert_str_eq(cg_urlpattern_source(p), pat);
		} else {
			ck_assert_msg(err != NULL, "\"%s\": no message", pat);
			ck_assert_msg(off <= strlen(pat), "\"%s\": offset %zu past the end",
				      pat, off);
		}
		cg_url u;
		const char *uerr = NULL;
		int r = cg_url_parse(url, &u, &uerr);
		ck_assert(r == 0 || r == CG_EINVAL);
		if (r == 0) {
			ck_assert(u.scheme && u.host && u.path);
			/* The catch-all takes any URL on its default port. */
			ck_assert_msg(cg_urlpattern_match(all, &u) == (u.port == -1),
				      "\"%s\" vs **://**", url);
			if (p)
				(void)cg_urlpattern_match(p, &u);
			cg_url_clear(&u);
		} else {
			ck_assert_ptr_nonnull(uerr);
		}
		cg_urlpattern_free(p);
	}
	cg_urlpattern_free(all);
}
END_TEST

static Suite *urlpattern_suite(void)
{
	Suite *s = suite_create("urlpattern");
	TCase *tc = tcase_create("match");
	tcase_add_test(tc, test_exact_origin);
	tcase_add_test(tc, test_subdomain_wildcard);
	tcase_add_test(tc, test_path_wildcard);
	tcase_add_test(tc, test_ports);
	tcase_add_test(tc, test_wildcard_schemes_and_hosts);
	tcase_add_test(tc, test_tauri_unit_tests);
	tcase_add_test(tc, test_named_segments);
	tcase_add_test(tc, test_search_and_hash);
	tcase_add_test(tc, test_case_and_idn);
	tcase_add_test(tc, test_percent_encoding);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_null_args);
	suite_add_tcase(s, tc);

	tc = tcase_create("pattern");
	tcase_add_test(tc, test_pattern_errors);
	tcase_add_test(tc, test_pattern_outputs_optional);
	tcase_add_test(tc, test_lint_facts);
	suite_add_tcase(s, tc);

	tc = tcase_create("url");
	tcase_add_test(tc, test_url_parse_fields);
	tcase_add_test(tc, test_url_parse_ports);
	tcase_add_test(tc, test_url_parse_other_schemes);
	tcase_add_test(tc, test_url_parse_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("robustness");
	/* Generous: valgrind runs are slow; no timing is asserted. */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_long_subjects);
	tcase_add_test(tc, test_random_inputs_never_crash);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(urlpattern_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
