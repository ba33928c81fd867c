/* The classes of wrong answer found by the second adversarial review of
 * the engine (issue 15, round two): one test (or more) per class, each
 * playing the attacker, each failing on the code before its fix. */
#include "testutil.h"

#include "base/ident.h"
#include "base/strhash.h"
#include "base/jsonset.h"
#include "base/urlpattern.h"

#include <glib.h>

#include <sys/mman.h>
#include <sys/stat.h>

/* --------------------------------------------- identifiers read in bounds */

/* A string whose NUL is the last byte before a page that cannot be read:
 * reading one byte past it faults, sanitizer or not. */
static char *at_page_end(const char *s, void **map, size_t *maplen)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t n = strlen(s) + 1;
	*maplen = 2 * (size_t)pg;
	char *m = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	ck_assert_int_eq(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	*map = m;
	char *p = m + pg - n;
	memcpy(p, s, n);
	return p;
}

START_TEST(plugin_key_read_in_bounds)
{
	/* Every length around the limit, each key at the end of readable
	 * memory: "key:x" is 116 bytes at most, so a 114-byte key is valid
	 * and a 115-byte one is not (its identifiers would be 117). */
	for (size_t n = 100; n <= 130; n++) {
		char key[200];
		memset(key, 'a', n);
		key[n] = 0;
		void *map;
		size_t maplen;
		char *k = at_page_end(key, &map, &maplen);
		const char *why = NULL;
		int r = cg_plugin_key_validate(k, &why);
		if (n + 2 <= CG_IDENT_MAX)
			ck_assert_int_eq(r, 0);
		else {
			ck_assert_int_eq(r, CG_EIDENT);
			ck_assert_ptr_nonnull(strstr(why, "longer than"));
		}
		munmap(map, maplen);
	}
	/* The other identifier readers, at the same edge. */
	for (size_t n = 110; n <= 120; n++) {
		char id[200];
		memset(id, 'b', n);
		memcpy(id, "fs:", 3);
		id[n] = 0;
		void *map;
		size_t maplen;
		char *k = at_page_end(id, &map, &maplen);
		ck_assert_int_eq(cg_ident_validate(k, NULL) == 0, n <= CG_IDENT_MAX);
		ck_assert_uint_eq(cg_ident_prefix_len(k), 2);
		munmap(map, maplen);
	}
}
END_TEST

/* ------------------------------- acl-manifests.json: the key names it */

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/cg-soundness-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(acl_manifest_key_names_permission)
{
	/* The keys and "identifier" fields of two permissions swapped: Tauri
	 * looks permissions (and sets) up by key, so "demo:allow-ping"
	 * grants what is under the key allow-ping: delete_all. */
	const char *acl =
		"{\"demo\": {\"default_permission\": null,\n"
		" \"permissions\": {\n"
		"  \"allow-ping\": {\"identifier\": \"allow-delete-all\", \"commands\": {\"allow\": [\"delete_all\"], \"deny\": []}},\n"
		"  \"allow-delete-all\": {\"identifier\": \"allow-ping\", \"commands\": {\"allow\": [\"ping\"], \"deny\": []}}},\n"
		" \"permission_sets\": {\"both\": {\"identifier\": \"neither\", \"description\": \"\", \"permissions\": [\"allow-ping\"]}},\n"
		" \"global_scope_schema\": null}}";
	char *path = write_temp(acl);
	const char *caps = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"demo:allow-ping\"]}";
	const char *caps2 = "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"demo:both\"]}";
	for (int k = 0; k < 2; k++) {
		cg_builder *b = cg_builder_new();
		cg_diag *d = cg_diag_new();
		cg_policy *p = NULL;
		cg_builder_add_tauri_manifests(b, path, d);
		const char *c = k ? caps2 : caps;
		cg_builder_add_capability_json(b, "caps.json", c, strlen(c), d);
		ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
		cg_decision dc;
		ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "plugin:demo|delete_all", &dc), 0);
		ck_assert_int_eq(dc.allowed, 1);
		ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "plugin:demo|ping", &dc), 0);
		ck_assert_int_eq(dc.allowed, 0);
		/* Each differing "identifier" is a warning, located at it. */
		int i = diag_find(d, "but the key is \"allow-ping\"");
		ck_assert_int_ge(i, 0);
		ck_assert_int_eq(cg_diag_severity(d, (size_t)i), CG_SEV_WARNING);
		ck_assert_uint_eq(cg_diag_line(d, (size_t)i), 3);
		ck_assert_str_eq(cg_diag_pointer(d, (size_t)i), "/demo/permissions/allow-ping/identifier");
		ck_assert_int_ge(diag_find(d, "but the key is \"both\""), 0);
		ck_assert_uint_eq(cg_diag_error_count(d), 0);
		/* "allow-delete-all" (the identifier written under allow-ping) is
		 * the other permission's key: nothing is named by a field. */
		ck_assert_int_eq(cg_policy_permission_count(p) > 0, 1);
		int found_neither = 0;
		for (size_t j = 0; j < cg_policy_permission_count(p); j++)
			found_neither |= strcmp(cg_policy_permission_id(p, j), "demo:neither") == 0;
		ck_assert_int_eq(found_neither, 0);
		cg_policy_unref(p);
		cg_diag_free(d);
		cg_builder_free(b);
	}
	unlink(path);
	free(path);
}
END_TEST

/* ------------------------------------- scopes stay with their own plugin */

/* The command scope and the global scope of cmd for window "main", as
 * compact JSON, into cs and gs. */
static void scopes_of(cg_policy *p, const char *cmd, char *cs, char *gs, size_t n)
{
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, cmd, &dc), 0);
	ck_assert_int_eq(dc.allowed, 1);
	json_object *c = cg_decision_command_scope(&dc), *g = cg_decision_global_scope(&dc);
	const int fl = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	snprintf(cs, n, "%s", json_object_to_json_string_ext(c, fl));
	snprintf(gs, n, "%s", json_object_to_json_string_ext(g, fl));
	json_object_put(c);
	json_object_put(g);
}

static cg_policy *two_plugins(const char *evil, const char *caps, cg_diag *d)
{
	const char *fs = "{\"permission\": [{\"identifier\": \"allow-read-file\", \"commands\": {\"allow\": [\"read_file\"]}},"
			 " {\"identifier\": \"scope-appdata\", \"scope\": {\"allow\": [{\"path\": \"$APPDATA/**\"}]}},"
			 " {\"identifier\": \"scope-tmp\", \"scope\": {\"allow\": [{\"path\": \"/tmp/*\"}]}}],"
			 " \"set\": [{\"identifier\": \"read-tmp\", \"permissions\": [\"allow-read-file\", \"scope-tmp\"]}]}";
	cg_builder *b = cg_builder_new();
	cg_policy *p = NULL;
	cg_builder_add_manifest_json(b, "fs", "fs.json", fs, strlen(fs), d);
	cg_builder_add_manifest_json(b, "evil", "evil.json", evil, strlen(evil), d);
	cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), d);
	if (cg_builder_build(b, &p, d) < 0)
		dump_diag(d);
	cg_builder_free(b);
	return p;
}

START_TEST(cross_plugin_scope_stays_home)
{
	/* attack15 finding 1: plugin evil's scope-only permission, in a set
	 * that also names fs's command, was merged into read_file's command
	 * scope; in a set with fs's scope-only permission, into fs's global
	 * scope. As in Tauri (resolved.rs, each permission with its own
	 * scope), evil's scope goes to evil's global scope only. */
	const char *evil = "{\"permission\": [{\"identifier\": \"scope-own\", \"scope\": {\"allow\": [{\"path\": \"$HOME/.ssh/**\"}]}},"
			   " {\"identifier\": \"allow-ping\", \"commands\": {\"allow\": [\"ping\"]}}],"
			   " \"set\": [{\"identifier\": \"global\", \"permissions\": [\"fs:scope-appdata\", \"scope-own\"]},"
			   " {\"identifier\": \"mixed\", \"permissions\": [\"fs:read-tmp\", \"scope-own\"]}],"
			   " \"default\": {\"permissions\": [\"fs:allow-read-file\", \"scope-own\"]}}";
	char cs[512], gs[512];
	cg_diag *d = cg_diag_new();
	const char *caps = "[{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"evil:default\"]},"
			   " {\"identifier\": \"p\", \"windows\": [\"main\"], \"permissions\": [\"evil:allow-ping\"]}]";
	cg_policy *p = two_plugins(evil, caps, d);
	ck_assert_ptr_nonnull(p);
	scopes_of(p, "plugin:fs|read_file", cs, gs, sizeof(cs));
	ck_assert_str_eq(cs, "{\"allow\":[],\"deny\":[]}");
	ck_assert_str_eq(gs, "{\"allow\":[],\"deny\":[]}");
	/* evil's own scope is evil's global scope. */
	scopes_of(p, "plugin:evil|ping", cs, gs, sizeof(cs));
	ck_assert_str_eq(cs, "{\"allow\":[],\"deny\":[]}");
	ck_assert_str_eq(gs, "{\"allow\":[{\"path\":\"$HOME/.ssh/**\"}],\"deny\":[]}");
	cg_policy_unref(p);

	/* Two plugins' scope-only permissions: each global scope its own. */
	caps = "[{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"evil:global\", \"fs:allow-read-file\", \"evil:allow-ping\"]}]";
	p = two_plugins(evil, caps, d);
	ck_assert_ptr_nonnull(p);
	scopes_of(p, "plugin:fs|read_file", cs, gs, sizeof(cs));
	ck_assert_str_eq(gs, "{\"allow\":[{\"path\":\"$APPDATA/**\"}],\"deny\":[]}");
	scopes_of(p, "plugin:evil|ping", cs, gs, sizeof(cs));
	ck_assert_str_eq(gs, "{\"allow\":[{\"path\":\"$HOME/.ssh/**\"}],\"deny\":[]}");
	cg_policy_unref(p);

	/* Within one plugin the entry stays one unit (fs's scope-tmp is
	 * read_file's command scope, as the conformance data has it); the
	 * entry's inline scope goes to every plugin's unit, as Tauri merges
	 * it into every permission the entry names. */
	caps = "[{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [{\"identifier\": \"evil:mixed\","
	       " \"deny\": [{\"path\": \"/tmp/secret\"}]}, \"evil:allow-ping\"]}]";
	p = two_plugins(evil, caps, d);
	ck_assert_ptr_nonnull(p);
	scopes_of(p, "plugin:fs|read_file", cs, gs, sizeof(cs));
	ck_assert_str_eq(cs, "{\"allow\":[{\"path\":\"/tmp/*\"}],\"deny\":[{\"path\":\"/tmp/secret\"}]}");
	ck_assert_str_eq(gs, "{\"allow\":[],\"deny\":[]}");
	scopes_of(p, "plugin:evil|ping", cs, gs, sizeof(cs));
	ck_assert_str_eq(gs, "{\"allow\":[{\"path\":\"$HOME/.ssh/**\"}],\"deny\":[{\"path\":\"/tmp/secret\"}]}");
	cg_policy_unref(p);
	ck_assert_uint_eq(cg_diag_error_count(d), 0);
	cg_diag_free(d);
}
END_TEST

/* ------------------------------------ capabilities inlined in tauri.conf */

static void put_file(const char *path, const char *text);

START_TEST(tauri_config_inline_capabilities)
{
	/* attack15 finding 2: capability objects in app.security.capabilities
	 * (Tauri's CapabilityEntry::Inlined) were ignored: what they grant
	 * was missing from check, lint and audit. They load as a capability
	 * file's do, located in the config; identifiers there name files. */
	char dir[] = "/tmp/cg-conf-XXXXXX", path[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tauri.conf.json", dir);
	put_file(path, "{\"productName\": \"x\", \"app\": {\"windows\": [{\"label\": \"main\"}],\n"
		       " \"security\": {\"capabilities\": [\"file-cap\",\n"
		       "   {\"identifier\": \"inline\", \"windows\": [\"main\"],\n"
		       "    \"permissions\": [\"core:app:allow-version\"]}]}}}\n");
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	ck_assert_int_eq(cg_builder_add_tauri_config(b, path, d), 1);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert_uint_eq(cg_policy_capability_count(p), 1);
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "plugin:app|version", &dc), 0);
	ck_assert_int_eq(dc.allowed, 1);
	char *why = cg_decision_reason(&dc);
	ck_assert_ptr_nonnull(strstr(why, "tauri.conf.json:4:21"));
	free(why);
	ck_assert_int_eq(cg_check_str(p, "other", NULL, NULL, "plugin:app|version", &dc), 0);
	ck_assert_int_eq(dc.allowed, 0);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);

	/* Bad entries are errors where they are written. */
	put_file(path, "{\"app\": {\"security\": {\"capabilities\": [\n"
		       "  42,\n"
		       "  {\"identifier\": \"c\", \"windows\": [\"main\"], \"permisions\": []}]}}}\n");
	b = cg_builder_new();
	d = cg_diag_new();
	ck_assert_int_lt(cg_builder_add_tauri_config(b, path, d), 0);
	int i = diag_find(d, "must be a string or an object");
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(cg_diag_line(d, (size_t)i), 2);
	ck_assert_uint_eq(cg_diag_column(d, (size_t)i), 3);
	ck_assert_str_eq(cg_diag_pointer(d, (size_t)i), "/app/security/capabilities/0");
	i = diag_find(d, "permisions");
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(cg_diag_line(d, (size_t)i), 3);
	cg_builder_free(b);
	cg_diag_free(d);

	/* No list, or a config without "app": nothing, and no error. */
	put_file(path, "{\"app\": {\"windows\": []}}\n");
	b = cg_builder_new();
	d = cg_diag_new();
	ck_assert_int_eq(cg_builder_add_tauri_config(b, path, d), 0);
	ck_assert_uint_eq(cg_diag_count(d), 0);
	cg_builder_free(b);
	cg_diag_free(d);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ------------------------------------------------- hashing without floods */

/* The engine's objects are linked with --wrap=g_str_hash: every table of
 * theirs that hashes with it (instead of cg_str_hash) lands here. */
guint __real_g_str_hash(gconstpointer v);
static unsigned long str_hash_calls;
guint __wrap_g_str_hash(gconstpointer v);
guint __wrap_g_str_hash(gconstpointer v)
{
	str_hash_calls++;
	return __real_g_str_hash(v);
}

START_TEST(siphash_reference_vectors)
{
	/* SipHash-2-4, key 00 01 .. 0f, message 00 01 .. (n-1): the paper's
	 * vectors (Aumasson and Bernstein, appendix A; vectors.h). */
	static const struct {
		size_t n;
		uint64_t h;
	} v[] = {{0, 0x726fdb47dd0e0e31ULL}, {1, 0x74f839c593dc67fdULL}, {7, 0xab0200f58b01d137ULL},
		 {8, 0x93f5f5799a932462ULL}, {15, 0xa129ca6149be45e5ULL}, {16, 0x3f2acc7f57c29bdbULL},
		 {63, 0x958a324ceb064572ULL}};
	uint8_t key[16], msg[64];
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_uint_eq(cg_siphash24(key, msg, v[i].n), v[i].h);
}
END_TEST

/* "a" followed by k blocks of "Ez" or "FY": 2^k strings with one djb2. */
static char **colliding(unsigned k, size_t *n)
{
	*n = (size_t)1 << k;
	char **v = calloc(*n, sizeof(*v));
	for (size_t i = 0; i < *n; i++) {
		v[i] = calloc(2 * k + 2, 1);
		v[i][0] = 'a';
		for (unsigned b = 0; b < k; b++)
			memcpy(v[i] + 1 + 2 * b, (i >> b) & 1 ? "FY" : "Ez", 2);
	}
	return v;
}

START_TEST(colliding_keys_spread)
{
	size_t n;
	char **v = colliding(10, &n);
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(__real_g_str_hash(v[i]), __real_g_str_hash(v[0]));
		g_hash_table_add(seen, GUINT_TO_POINTER(cg_str_hash(v[i])));
	}
	/* 1024 keys, one g_str_hash; under the keyed hash (a random 32-bit
	 * value each) all but a few are distinct whatever the key. */
	ck_assert_uint_ge(g_hash_table_size(seen), 1000);
	ck_assert_uint_ne(cg_str_hash("Ez"), cg_str_hash("FY"));
	g_hash_table_destroy(seen);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
END_TEST

static void ev_fn(const char *event, json_object *payload, const cg_webview *source, void *user)
{
	(void)event, (void)payload, (void)source;
	++*(int *)user;
}

static void t_reply(void *u, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	(void)u, (void)wv, (void)req, (void)ok, (void)json, (void)len;
}

static void t_callback(void *u, cg_webview *wv, uint32_t id, const char *json, size_t len)
{
	(void)u, (void)wv, (void)id, (void)json, (void)len;
}

START_TEST(no_unkeyed_table_on_input)
{
	/* Names from files (plugins, permissions, commands, capabilities)
	 * and from pages (event names) go through the keyed hash only: a
	 * load, a lint, an audit, checks and event listeners call g_str_hash
	 * not once on them. */
	const char *man = "{\"permission\": [{\"identifier\": \"allow-go\", \"commands\": {\"allow\": [\"go\", \"aEz\", \"aFY\"]}},"
			  " {\"identifier\": \"aEzEz\", \"scope\": {\"allow\": [1]}}],"
			  " \"set\": [{\"identifier\": \"both\", \"permissions\": [\"allow-go\", \"aEzEz\"]}]}";
	const char *caps = "[{\"identifier\": \"aEz\", \"windows\": [\"main\"], \"permissions\": [\"demo:both\", \"demo:allow-go\"]},"
			   " {\"identifier\": \"aFY\", \"windows\": [\"w*\"], \"permissions\": [\"demo:deny-go\"]}]";
	str_hash_calls = 0;
	cg_diag *d = cg_diag_new();
	cg_builder *b = cg_builder_new();
	cg_builder_add_manifest_json(b, "demo", "m.json", man, strlen(man), d);
	cg_builder_add_capability_json(b, "c.json", caps, strlen(caps), d);
	cg_builder_declare_command(b, NULL, "greet");
	cg_lint *l = NULL;
	ck_assert_int_eq(cg_lint_new(&l), 0);
	ck_assert_int_ge(cg_lint_run(l, b, d), 0);
	cg_lint_free(l);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "plugin:demo|aEz", &dc), 0);
	ck_assert_int_eq(dc.allowed, 1);
	ck_assert_int_ge(cg_policy_command_id(p, "plugin:demo|aFY"), 0);
	json_object *m = NULL;
	const char *labels[] = {"main", "wx"};
	ck_assert_int_eq(cg_policy_audit(p, labels, 2, &m), 0);
	json_object_put(m);
	cg_transport t = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};
	cg_router *r = NULL;
	ck_assert_int_eq(cg_router_new(&t, &r), 0);
	int got = 0;
	int id1 = cg_router_listen(r, "aEz", ev_fn, &got);
	int id2 = cg_router_listen(r, "aFY", ev_fn, &got);
	ck_assert_int_gt(id1, 0);
	ck_assert_int_gt(id2, 0);
	ck_assert_int_ge(cg_router_emit(r, "aEz", CG_TARGET_ANY, NULL, NULL), 0);
	ck_assert_int_eq(got, 1);
	cg_router_unlisten(r, id1);
	cg_router_unlisten(r, id2);
	cg_router_free(r);
	ck_assert_uint_eq(str_hash_calls, 0);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
}
END_TEST

/* ------------------------------------- scope unions and audits, linear */

/* Comparisons of JSON values and reads of a remote pattern's text made by
 * the engine's objects: the work that used to grow with n^2 and n^3. */
int __real_json_object_equal(json_object *a, json_object *b);
int __wrap_json_object_equal(json_object *a, json_object *b);
static unsigned long equal_calls;
int __wrap_json_object_equal(json_object *a, json_object *b)
{
	equal_calls++;
	return __real_json_object_equal(a, b);
}

const char *__real_cg_urlpattern_source(const cg_urlpattern *p);
const char *__wrap_cg_urlpattern_source(const cg_urlpattern *p);
static unsigned long source_calls;
const char *__wrap_cg_urlpattern_source(const cg_urlpattern *p)
{
	source_calls++;
	return __real_cg_urlpattern_source(p);
}

START_TEST(jsonset_equality)
{
	/* The set agrees with json_object_equal, both while it compares
	 * pairwise (a few values) and once it has its table (filled first
	 * with ten others): objects whatever their key order, 1 and 1.0
	 * apart (two types), -0.0 and 0.0 alike, strings by every byte, NUL
	 * and \001 included. */
	const char *vals[] = {"{\"a\": 1, \"b\": [2, \"x\"]}", "{\"b\": [2, \"x\"], \"a\": 1}", "1", "1.0",
			      "-0.0", "0.0", "\"a\\u0000b\"", "\"a\\u0000c\"", "\"a\\u0001\\u0002b\"",
			      "\"a\\u0000b\"", "null", "[1, [2]]", "[1, [2]]", "18446744073709551615",
			      "9223372036854775807", "\"\"", "{}", "[]", "{\"\": null}", "\"a\\u0002b\""};
	const int added[] = {1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1};
	for (int filled = 0; filled < 2; filled++) {
		json_object *arr = json_object_new_array();
		cg_jsonset s;
		cg_jsonset_init(&s, arr);
		for (int k = 0; filled && k < 10; k++) {
			json_object *x = json_object_new_int(100 + k);
			ck_assert_int_eq(cg_jsonset_add(&s, x, x), 1);
		}
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < sizeof(vals) / sizeof(*vals); i++) {
				json_object *v = json_tokener_parse(vals[i]);
				bool pairwise = false;
				for (size_t k = 0; k < json_object_array_length(arr); k++)
					pairwise |= __real_json_object_equal(v, json_object_array_get_idx(arr, k)) != 0;
				int want = pass ? 0 : added[i];
				ck_assert_int_eq(pairwise, !want);
				ck_assert_msg(cg_jsonset_add(&s, v, NULL) == want, "value %zu (%s), pass %d, filled %d",
					      i, vals[i], pass, filled);
				ck_assert(cg_jsonset_has(&s, v));
				json_object_put(v);
			}
		cg_jsonset_clear(&s);
		json_object_put(arr);
	}
}
END_TEST

/* A permission whose scope has n distinct values, plus 8 values the
 * capability's entry repeats, granted to windows main and w1. */
static cg_policy *big_scope(size_t n, cg_diag *d)
{
	GString *m = g_string_new("{\"permission\": [{\"identifier\": \"allow-go\", \"commands\": {\"allow\": [\"go\"]},"
				  " \"scope\": {\"allow\": [");
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(m, "%s{\"path\": \"/d/%zu\"}", i ? ", " : "", i);
	g_string_append(m, "]}}]}");
	GString *c = g_string_new("{\"identifier\": \"c\", \"windows\": [\"main\", \"w1\"], \"permissions\": ["
				  "\"demo:allow-go\", {\"identifier\": \"demo:allow-go\", \"allow\": [");
	for (size_t i = 0; i < 8; i++)
		g_string_append_printf(c, "%s{\"path\": \"/d/%zu\"}", i ? ", " : "", i);
	g_string_append(c, "]}]}");
	cg_builder *b = cg_builder_new();
	cg_policy *p = NULL;
	cg_builder_add_manifest_json(b, "demo", "m.json", m->str, m->len, d);
	cg_builder_add_capability_json(b, "c.json", c->str, c->len, d);
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	cg_builder_free(b);
	g_string_free(m, TRUE);
	g_string_free(c, TRUE);
	return p;
}

START_TEST(scope_union_linear)
{
	/* attack15 finding 5: a decision's scope compared every value with
	 * every other (n = 4000: 8 million comparisons, 100000 values took
	 * 54 s). The union is linear: a handful of comparisons whatever n. */
	const size_t n = 4000;
	cg_diag *d = cg_diag_new();
	cg_policy *p = big_scope(n, d);
	cg_decision dc;
	ck_assert_int_eq(cg_check_str(p, "main", NULL, NULL, "plugin:demo|go", &dc), 0);
	ck_assert_int_eq(dc.allowed, 1);
	equal_calls = 0;
	json_object *cs = cg_decision_command_scope(&dc);
	ck_assert_uint_lt(equal_calls, 200);
	json_object *allow = json_object_object_get(cs, "allow");
	/* Two grants (the entry and its copy with 8 values more): n values, each once. */
	ck_assert_uint_eq(json_object_array_length(allow), n);
	json_object_put(cs);

	/* The audit: the same union per row, and each value is one object
	 * however many rows show it. */
	json_object *m = NULL;
	equal_calls = 0;
	ck_assert_int_eq(cg_policy_audit(p, NULL, 0, &m), 0);
	ck_assert_uint_lt(equal_calls, 1000);
	json_object *ctx = json_object_object_get(m, "contexts");
	ck_assert_uint_eq(json_object_array_length(ctx), 2);
	json_object *s0 = json_object_object_get(json_object_object_get(json_object_array_get_idx(
		json_object_object_get(json_object_array_get_idx(ctx, 0), "commands"), 0), "scope"), "allow");
	json_object *s1 = json_object_object_get(json_object_object_get(json_object_array_get_idx(
		json_object_object_get(json_object_array_get_idx(ctx, 1), "commands"), 0), "scope"), "allow");
	ck_assert_uint_eq(json_object_array_length(s0), n);
	ck_assert_uint_eq(json_object_array_length(s1), n);
	ck_assert_ptr_eq(json_object_array_get_idx(s0, 5), json_object_array_get_idx(s1, 5));
	json_object_put(m);
	cg_policy_unref(p);
	cg_diag_free(d);
}
END_TEST

START_TEST(audit_rows_linear)
{
	/* attack15 finding 6: n capabilities, each with its own window and
	 * remote URL, made the audit try n * (n + 1) rows, each reading every
	 * capability's URLs (n^3 reads: 114 s for n = 2000). Only rows a
	 * capability can fill are tried now. */
	const size_t n = 200;
	GString *c = g_string_new("[");
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(c, "%s{\"identifier\": \"c%zu\", \"windows\": [\"w%zu\"], \"local\": false,"
				       " \"remote\": {\"urls\": [\"https://h%zu.example.com\"]}, \"permissions\": [\"core:app:allow-version\"]}",
				       i ? ", " : "", i, i, i);
	g_string_append(c, "]");
	cg_diag *d = cg_diag_new();
	cg_policy *p = build_policy(NULL, NULL, c->str, d);
	ck_assert_ptr_nonnull(p);
	json_object *m = NULL;
	source_calls = 0;
	ck_assert_int_eq(cg_policy_audit(p, NULL, 0, &m), 0);
	/* n rows, each reading the n capabilities' URLs once: about n^2
	 * (the n^3 of before is 8 million). */
	ck_assert_uint_lt(source_calls, 4 * n * n);
	json_object *ctx = json_object_object_get(m, "contexts");
	ck_assert_uint_eq(json_object_array_length(ctx), n);
	for (size_t i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(ctx, i);
		char want[64];
		const char *label = json_object_get_string(json_object_object_get(row, "label"));
		snprintf(want, sizeof(want), "https://h%s.example.com", label + 1);
		ck_assert_str_eq(json_object_get_string(json_object_object_get(row, "origin")), want);
	}
	json_object_put(m);
	cg_policy_unref(p);
	cg_diag_free(d);
	g_string_free(c, TRUE);
}
END_TEST

/* -------------------------------------- directory walks that cannot end */

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(symlink_loops_end)
{
	/* Before: three links to "." below the capability directory made the
	 * walk run forever (the Check timeout, or this alarm, ended it). */
	alarm(30);
	char root[] = "/tmp/cg-loop-XXXXXX", path[512];
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/caps", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/caps/sub", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/caps/c.json", root);
	put_file(path, "{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"core:default\"]}");
	const char *links[] = {"a", "b", "c"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/caps/sub/%s", root, links[i]);
		ck_assert_int_eq(symlink(".", path), 0);
	}
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	snprintf(path, sizeof(path), "%s/caps", root);
	ck_assert_int_eq(cg_builder_add_capability_dir(b, path, d), CG_ELIMIT);
	int i = diag_find(d, "symbolic link loop");
	ck_assert_int_ge(i, 0);
	ck_assert_ptr_nonnull(strstr(cg_diag_file(d, (size_t)i), "/caps/sub/a"));
	cg_builder_free(b);
	cg_diag_free(d);

	/* Two links to one directory (no loop): read once, with a warning,
	 * not twice (which would define its capability twice). */
	char other[600];
	snprintf(other, sizeof(other), "%s/real", root);
	mkdir(other, 0700);
	snprintf(path, sizeof(path), "%s/real/r.json", root);
	put_file(path, "{\"identifier\": \"r\", \"windows\": [\"main\"], \"permissions\": [\"core:default\"]}");
	snprintf(path, sizeof(path), "%s/two", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/two/x", root);
	ck_assert_int_eq(symlink(other, path), 0);
	snprintf(path, sizeof(path), "%s/two/y", root);
	ck_assert_int_eq(symlink(other, path), 0);
	b = cg_builder_new();
	d = cg_diag_new();
	snprintf(path, sizeof(path), "%s/two", root);
	ck_assert_int_eq(cg_builder_add_capability_dir(b, path, d), 0);
	ck_assert_int_ge(diag_find(d, "read already"), 0);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert_uint_eq(cg_policy_capability_count(p), 1);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);

	/* A FIFO named like a capability file: opening it would wait for a
	 * writer forever. */
	snprintf(path, sizeof(path), "%s/fifo", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/fifo/p.json", root);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	b = cg_builder_new();
	d = cg_diag_new();
	snprintf(path, sizeof(path), "%s/fifo", root);
	ck_assert_int_eq(cg_builder_add_capability_dir(b, path, d), CG_EIO);
	ck_assert_int_ge(diag_find(d, "not a regular file"), 0);
	cg_builder_free(b);
	cg_diag_free(d);

	/* Depth is bounded: 40 nested directories. */
	size_t o = (size_t)snprintf(path, sizeof(path), "%s/deep", root);
	mkdir(path, 0700);
	for (int k = 0; k < 40; k++) {
		o += (size_t)snprintf(path + o, sizeof(path) - o, "/d");
		mkdir(path, 0700);
	}
	b = cg_builder_new();
	d = cg_diag_new();
	snprintf(path, sizeof(path), "%s/deep", root);
	ck_assert_int_eq(cg_builder_add_capability_dir(b, path, d), CG_ELIMIT);
	ck_assert_int_ge(diag_find(d, "levels deep"), 0);
	cg_builder_free(b);
	cg_diag_free(d);
	alarm(0);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("soundness");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, plugin_key_read_in_bounds);
	tcase_add_test(tc, acl_manifest_key_names_permission);
	tcase_add_test(tc, cross_plugin_scope_stays_home);
	tcase_add_test(tc, tauri_config_inline_capabilities);
	tcase_add_test(tc, siphash_reference_vectors);
	tcase_add_test(tc, colliding_keys_spread);
	tcase_add_test(tc, no_unkeyed_table_on_input);
	tcase_add_test(tc, symlink_loops_end);
	tcase_add_test(tc, jsonset_equality);
	tcase_add_test(tc, scope_union_linear);
	tcase_add_test(tc, audit_rows_linear);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
