/*
 * fuzz_appconfig: the app config loader, cg_appconfig_load, which reads a
 * file: each input is written to capgate.json in a private directory made
 * at start-up (under $TMPDIR, else /dev/shm, else /tmp; removed at exit).
 * A config that loads is also turned into its seccomp profile
 * (cg_seccomp_new, never loaded into the kernel), whose filters are
 * exported to /dev/null.
 *
 * Invariants:
 *   1. a failed load returns no config and reports an error; a load that
 *      succeeds reports none;
 *   2. every accessor of a loaded config agrees with the file as json-c
 *      reads it: name, version ("0.0.0" when absent), identifier, csp,
 *      pattern ("brownfield" unless {"use": "isolation"}), the isolation,
 *      capabilities, permissions and frontend directories (absolute:
 *      the path itself, or below the config's directory), every window
 *      (label, title defaulting to the label, url to "index.html", width
 *      and height to 800x600, visible to true; labels unique and not
 *      empty), the frames count and each security.limits value;
 *   3. cg_appconfig_navigation_allowed / frame_allowed, asked twice for
 *      each of a few fixed URLs, answer the same, and answer what the
 *      patterns listed in security.navigation / security.frames say when
 *      compiled and matched one by one;
 *   4. cg_seccomp_new succeeds for every config that loads (when it does
 *      for the default profile on this machine), and the profile's switches
 *      are the config's: enabled, action, exec and network (set values as
 *      written; unset ones off, as no policy is given); the filters export.
 * Strings are compared as C strings, as the engine keeps them; built with
 * CG_FUZZ_STRICT_NUL (the default), a config that loads with a string holding
 * "\u0000" fails (see fuzz/findings/README.md).
 */
#include "fuzz_common.h"
#include "base/internal.h"
#include "base/urlpattern.h"

#include <fcntl.h>
#include <unistd.h>

static char dir[4096];
static char path[4200];
static char realdir[4096];
static int devnull = -1;
static bool seccomp_works;

static const char *const URLS[] = {
	"https://example.com/",
	"https://app.example.com/a/b?x=1#top",
	"http://127.0.0.1:8080/x",
	"https://evil.example/",
	"tauri://localhost/index.html",
	"http://localhost/",
	"https://[::1]:8443/p",
};
#define N_URLS (sizeof(URLS) / sizeof(URLS[0]))

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The path the loader makes of a config value: absolute as is, else
 * below the config's directory. */
static void check_path(const char *what, const char *got, json_object *v)
{
	if (!v) {
		FUZZ_CHECK(got == NULL, "%s is \"%s\" though the config sets none", what, got);
		return;
	}
	const char *p = json_object_get_string(v);
	FUZZ_CHECK(got && got[0] == '/', "%s is not absolute: %s", what, got ? got : "(null)");
	if (p[0] == '/') {
		FUZZ_CHECK(strcmp(got, p) == 0, "%s: \"%s\" for \"%s\"", what, got, p);
	} else {
		size_t n = strlen(realdir);
		FUZZ_CHECK(strncmp(got, realdir, n) == 0 && got[n] == '/' && strcmp(got + n + 1, p) == 0,
			   "%s: \"%s\" for \"%s\" in %s", what, got, p, realdir);
	}
}

static bool patterns_match(json_object *list, const char *url)
{
	cg_url u;
	if (cg_url_parse(url, &u, NULL) < 0)
		return false;
	bool ok = false;
	for (size_t i = 0; !ok && json_object_is_type(list, json_type_array) &&
			   i < json_object_array_length(list); i++) {
		cg_urlpattern *p = cg_urlpattern_new(json_object_get_string(json_object_array_get_idx(list, i)),
						     NULL, NULL);
		FUZZ_CHECK(p, "a pattern of a config that loaded does not compile");
		ok = cg_urlpattern_match(p, &u);
		cg_urlpattern_free(p);
	}
	cg_url_clear(&u);
	return ok;
}

static void check_config(const cg_appconfig *c, json_object *root)
{
	json_object *sec = member(root, "security");
	FUZZ_CHECK(str_eq(cg_appconfig_name(c), json_object_get_string(member(root, "name"))), "name");
	json_object *ver = member(root, "version");
	FUZZ_CHECK(str_eq(cg_appconfig_version(c), ver ? json_object_get_string(ver) : "0.0.0"), "version");
	json_object *ident = member(root, "identifier");
	FUZZ_CHECK(str_eq(cg_appconfig_identifier(c), ident ? json_object_get_string(ident) : NULL), "identifier");
	json_object *csp = member(sec, "csp");
	FUZZ_CHECK(str_eq(cg_appconfig_csp(c), csp ? json_object_get_string(csp) : NULL), "csp");

	json_object *front = member(root, "frontend");
	json_object *dot = json_object_new_string(".");
	check_path("frontend", cg_appconfig_frontend_dir(c), front ? front : dot);
	json_object_put(dot);
	check_path("capabilities", cg_appconfig_capabilities_dir(c), member(sec, "capabilities"));
	check_path("permissions", cg_appconfig_permissions_dir(c), member(sec, "permissions"));

	json_object *pat = member(sec, "pattern");
	json_object *use = member(pat, "use");
	bool iso = use && strcmp(json_object_get_string(use), "isolation") == 0;
	FUZZ_CHECK(str_eq(cg_appconfig_pattern(c), iso ? "isolation" : "brownfield"), "pattern %s",
		   cg_appconfig_pattern(c));
	check_path("isolation", cg_appconfig_isolation_dir(c), iso ? member(member(pat, "options"), "dir") : NULL);

	json_object *wins = member(root, "windows");
	size_t nw = cg_appconfig_window_count(c);
	FUZZ_CHECK(nw == (wins ? json_object_array_length(wins) : 0), "window count %zu", nw);
	FUZZ_CHECK(cg_appconfig_window(c, nw) == NULL, "a window past the end");
	for (size_t i = 0; i < nw; i++) {
		const cg_window_config *w = cg_appconfig_window(c, i);
		json_object *jw = json_object_array_get_idx(wins, i);
		FUZZ_CHECK(w && w->label && *w->label && w->title && w->url, "window %zu", i);
		FUZZ_CHECK(strcmp(w->label, json_object_get_string(member(jw, "label"))) == 0, "window label");
		json_object *t = member(jw, "title"), *u = member(jw, "url"), *wd = member(jw, "width"),
			    *ht = member(jw, "height"), *vis = member(jw, "visible");
		FUZZ_CHECK(strcmp(w->title, t ? json_object_get_string(t) : w->label) == 0, "window title");
		FUZZ_CHECK(strcmp(w->url, u ? json_object_get_string(u) : "index.html") == 0, "window url");
		FUZZ_CHECK(w->width == (wd ? json_object_get_int(wd) : 800) && w->width >= 1 && w->width <= 100000,
			   "window width %d", w->width);
		FUZZ_CHECK(w->height == (ht ? json_object_get_int(ht) : 600) && w->height >= 1 &&
			   w->height <= 100000, "window height %d", w->height);
		FUZZ_CHECK(w->visible == (vis ? json_object_get_boolean(vis) : 1), "window visible");
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(strcmp(cg_appconfig_window(c, k)->label, w->label) != 0,
				   "duplicate window label \"%s\"", w->label);
	}

	json_object *frames = member(sec, "frames"), *nav = member(sec, "navigation");
	FUZZ_CHECK(cg_appconfig_frames_count(c) == (frames ? json_object_array_length(frames) : 0),
		   "frames count %zu", cg_appconfig_frames_count(c));
	for (size_t i = 0; i < N_URLS; i++) {
		int n1 = cg_appconfig_navigation_allowed(c, URLS[i]);
		int n2 = cg_appconfig_navigation_allowed(c, URLS[i]);
		int f1 = cg_appconfig_frame_allowed(c, URLS[i]);
		int f2 = cg_appconfig_frame_allowed(c, URLS[i]);
		FUZZ_CHECK(n1 == n2 && f1 == f2, "navigation/frame answers differ for %s", URLS[i]);
		FUZZ_CHECK(n1 == patterns_match(nav, URLS[i]), "navigation to %s: %d", URLS[i], n1);
		FUZZ_CHECK(f1 == patterns_match(frames, URLS[i]), "frame at %s: %d", URLS[i], f1);
	}
	FUZZ_CHECK(!cg_appconfig_navigation_allowed(c, "not a url") && !cg_appconfig_frame_allowed(c, NULL),
		   "a non-URL is allowed");

	static const char *const lim_keys[] = {"message_size", "depth", "string", "pending", "listeners", "workers"};
	json_object *lims = member(sec, "limits");
	for (int i = 0; i < 6; i++) {
		json_object *v = member(lims, lim_keys[i]);
		FUZZ_CHECK(cg_appconfig_limit(c, (cg_router_limit)i) == (v ? (size_t)json_object_get_int64(v) : 0),
			   "limit %s", lim_keys[i]);
	}
	FUZZ_CHECK(cg_appconfig_limit(c, (cg_router_limit)6) == 0, "limit past the end");

	/* The seccomp profile. */
	cg_seccomp *s = NULL;
	int rc = cg_seccomp_new(c, NULL, &s);
	if (!seccomp_works) {
		cg_seccomp_free(s);
		return;
	}
	FUZZ_CHECK(rc == 0 && s, "cg_seccomp_new failed (%s) for a config that loaded", cg_strerror(rc));
	json_object *sc = member(sec, "seccomp");
	bool enabled = true;
	if (json_object_is_type(sc, json_type_boolean))
		enabled = json_object_get_boolean(sc);
	else if (member(sc, "enabled"))
		enabled = json_object_get_boolean(member(sc, "enabled"));
	FUZZ_CHECK(cg_seccomp_enabled(s) == enabled, "seccomp enabled %d", cg_seccomp_enabled(s));
	json_object *act = member(sc, "action");
	int want = CG_SECCOMP_ERRNO;
	if (act)
		want = !strcmp(json_object_get_string(act), "kill") ? CG_SECCOMP_KILL
		       : !strcmp(json_object_get_string(act), "log") ? CG_SECCOMP_LOG : CG_SECCOMP_ERRNO;
	FUZZ_CHECK((int)cg_seccomp_deny_action(s) == want, "seccomp action %d", cg_seccomp_deny_action(s));
	const char *why_e = NULL, *why_n = NULL;
	int ex = cg_seccomp_exec(s, &why_e), net = cg_seccomp_network(s, &why_n);
	json_object *je = member(sc, "exec"), *jn = member(sc, "network");
	FUZZ_CHECK(why_e && why_n, "no reason for exec/network");
	FUZZ_CHECK(ex == (je ? json_object_get_boolean(je) : 0), "seccomp exec %d", ex);
	FUZZ_CHECK(net == (jn ? json_object_get_boolean(jn) : 0), "seccomp network %d", net);
	FUZZ_CHECK(cg_seccomp_export(s, CG_SECCOMP_PROCESS, CG_SECCOMP_BPF, devnull) == 0 &&
		   cg_seccomp_export(s, CG_SECCOMP_HANDLERS, CG_SECCOMP_BPF, devnull) == 0,
		   "seccomp filters do not export");
	cg_seccomp_free(s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *bases[] = {getenv("TMPDIR"), "/dev/shm", "/tmp"};
	for (size_t i = 0; i < 3 && !dir[0]; i++) {
		if (!bases[i] || !*bases[i])
			continue;
		snprintf(dir, sizeof(dir), "%s/cg-fuzz-appconfig.XXXXXX", bases[i]);
		if (!mkdtemp(dir))
			dir[0] = '\0';
	}
	FUZZ_SETUP(dir[0]);
	snprintf(path, sizeof(path), "%s/capgate.json", dir);
	FUZZ_SETUP(realpath(dir, realdir));
	atexit(cleanup);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	FUZZ_SETUP(devnull >= 0);
	cg_seccomp *s = NULL;
	seccomp_works = cg_seccomp_new(NULL, NULL, &s) == 0;
	cg_seccomp_free(s);
	if (!seccomp_works)
		fprintf(stderr, "fuzz_appconfig: cg_seccomp_new fails here for the default profile; "
				"its invariants are not checked\n");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	FUZZ_SETUP(f);
	FUZZ_SETUP(fwrite(data, 1, size, f) == size || size == 0);
	FUZZ_SETUP(fclose(f) == 0);

	cg_diag *d = cg_diag_new();
	cg_appconfig *c = (cg_appconfig *)1;
	int rc = cg_appconfig_load(path, &c, d);
	/* Loaded: an aborted run (a violated invariant) leaves at most an
	 * empty directory behind. */
	unlink(path);
	if (rc < 0) {
		FUZZ_CHECK(c == NULL, "a failed load returned a config");
		FUZZ_CHECK(cg_diag_error_count(d) > 0, "a failed load (%s) reported no error", cg_strerror(rc));
		cg_diag_free(d);
		return 0;
	}
	FUZZ_CHECK(rc == 0 && c, "load returned %d", rc);
	FUZZ_CHECK(cg_diag_error_count(d) == 0, "a load that succeeded reported errors");
	cg_diag_free(d);

	json_tokener *tok = json_tokener_new_ex(4096);
	json_object *root = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	FUZZ_CHECK(root && json_tokener_get_error(tok) == json_tokener_success,
		   "the engine loaded a config json-c cannot parse");
	json_tokener_free(tok);
	FUZZ_STRICT_NUL(root);
	check_config(c, root);
	json_object_put(root);
	cg_appconfig_free(c);
	return 0;
}
