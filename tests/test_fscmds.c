/* The fs plugin's commands through the router, as @tauri-apps/plugin-fs
 * sends them: the official manifest as the fallback (fs:allow-* with
 * fs:scope-* permissions), $APPDATA resolved from the app's identifier,
 * bytes answered as bytes, the body of write_file with its path and
 * options in headers, Tauri's error strings, and refusals: outside the
 * scope, a deny entry, "..", a symlink below the root, a window with no
 * scope. File handles, lines, size and watch: their wire format, refusals
 * naming the permission, writes through a link refused, handles and
 * watchers closed when the page goes. */
#include "testutil.h"
#include "fs/plugin.h"
#include "builtin/builtin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXREC 256

static struct {
	int ok;
	char *json;
	unsigned char *bytes;
	size_t len;
	int is_bytes;
} replies[MAXREC];
static int n_replies;

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	ck_assert_int_lt(n_replies, MAXREC);
	replies[n_replies].ok = ok;
	replies[n_replies].json = strndup(json, len);
	n_replies++;
}

static void t_reply_bytes(void *user, cg_webview *wv, void *req, cg_bytes *b)
{
	size_t len;
	const void *d = cg_bytes_data(b, &len);
	replies[n_replies].ok = 1;
	replies[n_replies].is_bytes = 1;
	replies[n_replies].bytes = malloc(len + 1);
	memcpy(replies[n_replies].bytes, d, len);
	replies[n_replies].len = len;
	n_replies++;
}

/* Channel messages (watch events), kept in order. */
static char *cb_msgs[MAXREC];
static int n_cb;

static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len)
{
	if (n_cb < MAXREC && id == 77)
		cb_msgs[n_cb++] = strndup(json, len);
}

static const cg_transport T = {.version = CG_TRANSPORT_VERSION,
			       .reply = t_reply,
			       .callback = t_callback,
			       .reply_bytes = t_reply_bytes};

static char home[256], appdata[512];
static cg_router *r;
static cg_webview *wv_main, *wv_other;

static void wait_n(int n)
{
	for (int i = 0; i < 1000 && n_replies < n; i++) {
		struct pollfd p = {cg_router_fd(r), POLLIN, 0};
		if (poll(&p, 1, 10) > 0)
			cg_router_process(r);
	}
	ck_assert_int_ge(n_replies, n);
}

/* Sends one invoke and returns the index of its answer. */
static int call(cg_webview *wv, const char *cmd, const char *payload)
{
	char *msg = NULL;
	ck_assert_int_ge(asprintf(&msg, "{\"cmd\": \"plugin:fs|%s\", \"callback\": 1, \"error\": 2, \"payload\": %s}",
				  cmd, payload), 0);
	int at = n_replies;
	cg_router_invoke(r, wv, msg, strlen(msg), NULL);
	free(msg);
	wait_n(at + 1);
	return at;
}

static int write_call(cg_webview *wv, const char *path_header, const char *options, const char *data)
{
	json_object *h = json_object_new_object();
	json_object_object_add(h, "path", json_object_new_string(path_header));
	if (options)
		json_object_object_add(h, "options", json_object_new_string(options));
	int at = n_replies;
	cg_router_invoke_raw(r, wv, "plugin:fs|write_file", data, strlen(data), json_object_to_json_string(h), NULL);
	json_object_put(h);
	wait_n(at + 1);
	return at;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static const char *CAPS =
	"[{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": ["
	"  \"fs:allow-read-file\", \"fs:allow-read-text-file\", \"fs:allow-write-file\", \"fs:allow-exists\","
	"  \"fs:allow-stat\", \"fs:allow-lstat\", \"fs:allow-mkdir\", \"fs:allow-remove\", \"fs:allow-rename\","
	"  \"fs:allow-copy-file\", \"fs:allow-read-dir\", \"fs:allow-truncate\","
	"  \"fs:allow-open\", \"fs:allow-create\", \"fs:allow-read\", \"fs:allow-write\", \"fs:allow-seek\","
	"  \"fs:allow-fstat\", \"fs:allow-ftruncate\", \"fs:allow-size\", \"fs:allow-watch\", \"fs:allow-unwatch\","
	"  \"fs:allow-start-accessing-security-scoped-resource\", \"fs:allow-stop-accessing-security-scoped-resource\","
	"  \"fs:allow-read-text-file-lines\", \"fs:allow-read-text-file-lines-next\", \"core:resources:allow-close\","
	"  \"fs:scope-appdata-recursive\","
	"  {\"identifier\": \"fs:scope\", \"deny\": [{\"path\": \"$APPDATA/secret\"},"
	"   {\"path\": \"$APPDATA/*/vault.key\"}, {\"path\": \"$APPDATA/vault/**\"}]}]},"
	" {\"identifier\": \"other\", \"windows\": [\"other\"], \"permissions\": [\"fs:allow-read-file\", \"fs:allow-exists\","
	"  \"fs:allow-open\", \"fs:allow-read\", \"fs:allow-write\"]}]";

static void setup(void)
{
	snprintf(home, sizeof(home), "/tmp/cg-fscmds-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(home));
	char cmd[600];
	setenv("HOME", home, 1);
	snprintf(cmd, sizeof(cmd), "%s/data", home);
	setenv("XDG_DATA_HOME", cmd, 1);
	snprintf(appdata, sizeof(appdata), "%s/data/com.example.fs", home);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sub && mkdir -p %s/outside", appdata, home);
	ck_assert_int_eq(system(cmd), 0);
	n_replies = 0;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	cg_plugin_env env = {.identifier = "com.example.fs"};
	ck_assert_int_eq(cg_router_enable_plugin(r, &cg_fs_plugin, &env, NULL), 0);
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	ck_assert_int_eq(cg_router_declare_commands(r, b), 0);
	cg_builder_add_capability_json(b, "caps.json", CAPS, strlen(CAPS), d);
	cg_policy *p = NULL;
	if (cg_builder_build(b, &p, d) < 0)
		dump_diag(d);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(cg_router_set_policy(r, p), 0);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv_main), 0);
	ck_assert_int_eq(cg_router_add_webview(r, "other", NULL, NULL, &wv_other), 0);
}

static void teardown(void)
{
	cg_router_free(r);
	for (int i = 0; i < n_replies; i++) {
		free(replies[i].json);
		free(replies[i].bytes);
		replies[i].json = NULL;
		replies[i].bytes = NULL;
		replies[i].is_bytes = 0;
	}
	for (int i = 0; i < n_cb; i++)
		free(cb_msgs[i]);
	n_cb = 0;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", home);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(read_in_and_out_of_scope)
{
	char p[700], payload[900];
	snprintf(p, sizeof(p), "%s/note.txt", appdata);
	write_text(p, "hello\n");
	/* By base directory (AppData = 14), and by absolute path. */
	int i = call(wv_main, "read_file", "{\"path\": \"note.txt\", \"options\": {\"baseDir\": 14}}");
	ck_assert(replies[i].is_bytes);
	ck_assert_int_eq(replies[i].len, 6);
	ck_assert(memcmp(replies[i].bytes, "hello\n", 6) == 0);
	snprintf(payload, sizeof(payload), "{\"path\": \"%s\"}", p);
	i = call(wv_main, "read_text_file", payload);
	ck_assert(replies[i].is_bytes);
	ck_assert_int_eq(replies[i].len, 6);
	/* The other window has the command but no scope. */
	i = call(wv_other, "read_file", payload);
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[i].json, "forbidden path: "));
	ck_assert_ptr_nonnull(strstr(replies[i].json, "fs:allow-read-file"));
	/* Outside the scope, "..", and a deny entry. */
	snprintf(p, sizeof(p), "%s/outside/x", home);
	write_text(p, "no");
	snprintf(payload, sizeof(payload), "{\"path\": \"%s\"}", p);
	i = call(wv_main, "read_file", payload);
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[i].json, "forbidden path: "));
	i = call(wv_main, "read_file", "{\"path\": \"../../outside/x\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[i].json, "forbidden path: "));
	snprintf(p, sizeof(p), "%s/secret", appdata);
	write_text(p, "s");
	i = call(wv_main, "read_file", "{\"path\": \"secret\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_msg(strstr(replies[i].json, "denied by the fs scope entry"), "%s", replies[i].json);
	/* A symlink inside the scope to a file outside it: never followed. */
	char target[700];
	snprintf(target, sizeof(target), "%s/outside/x", home);
	snprintf(p, sizeof(p), "%s/link", appdata);
	ck_assert_int_eq(symlink(target, p), 0);
	i = call(wv_main, "read_file", "{\"path\": \"link\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[i].json, "os error 40"));
	/* Missing file: Tauri's io error text. */
	i = call(wv_main, "read_file", "{\"path\": \"none\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[i].json, "failed to open file at path: "));
	ck_assert_ptr_nonnull(strstr(replies[i].json, "No such file or directory (os error 2)"));
	/* Bad arguments. */
	i = call(wv_main, "read_file", "{\"path\": 5}");
	ck_assert_int_eq(replies[i].ok, 0);
	i = call(wv_main, "read_file", "{\"path\": \"a\", \"options\": {\"baseDir\": 99}}");
	ck_assert_int_eq(replies[i].ok, 0);
}
END_TEST

START_TEST(write_exists_stat_mkdir_dir_rename_copy_remove)
{
	/* write_file: the body, the path percent-encoded, options as JSON. */
	int i = write_call(wv_main, "new%20file.txt", "{\"baseDir\": 14}", "written");
	ck_assert_msg(replies[i].ok, "%s", replies[i].json);
	char p[700];
	snprintf(p, sizeof(p), "%s/new file.txt", appdata);
	struct stat sb;
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_eq(sb.st_size, 7);
	i = write_call(wv_main, "new%20file.txt", "{\"baseDir\": 14, \"append\": true}", "+more");
	ck_assert(replies[i].ok);
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_eq(sb.st_size, 12);
	i = write_call(wv_main, "new%20file.txt", "{\"baseDir\": 14, \"createNew\": true}", "x");
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[i].json, "File exists (os error 17)"));
	char hdr[700];
	snprintf(hdr, sizeof(hdr), "%s/outside/w", home);
	i = write_call(wv_main, hdr, NULL, "x");
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[i].json, "forbidden path: "));
	snprintf(p, sizeof(p), "%s/outside/w", home);
	ck_assert_int_ne(access(p, F_OK), 0);
	/* The attacker's spellings of a header path: "..", percent-encoded,
	 * climbing out of the base directory; a NUL cutting it short; a path
	 * that is not UTF-8. */
	i = write_call(wv_main, "sub/%2E%2E/%2e%2e/%2E%2E/outside/w", "{\"baseDir\": 14}", "x");
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_msg(strstr(replies[i].json, "forbidden path: "), "%s", replies[i].json);
	ck_assert_int_ne(access(p, F_OK), 0);
	i = write_call(wv_main, "ok.txt%00/../../../outside/w", "{\"baseDir\": 14}", "x");
	ck_assert_int_eq(replies[i].ok, 0);
	snprintf(p, sizeof(p), "%s/ok.txt", appdata);
	ck_assert_int_ne(access(p, F_OK), 0);
	i = write_call(wv_main, "bad%FF.txt", "{\"baseDir\": 14}", "x");
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_msg(strstr(replies[i].json, "forbidden path: "), "%s", replies[i].json);

	i = call(wv_main, "exists", "{\"path\": \"new file.txt\", \"options\": {\"baseDir\": 14}}");
	ck_assert_str_eq(replies[i].json, "true");
	i = call(wv_main, "exists", "{\"path\": \"nothing\", \"options\": {\"baseDir\": 14}}");
	ck_assert_str_eq(replies[i].json, "false");
	i = call(wv_other, "exists", "{\"path\": \"nothing\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 0);

	i = call(wv_main, "stat", "{\"path\": \"new file.txt\", \"options\": {\"baseDir\": 14}}");
	ck_assert(replies[i].ok);
	json_object *o = json_tokener_parse(replies[i].json), *v;
	ck_assert(json_object_object_get_ex(o, "size", &v) && json_object_get_int(v) == 12);
	ck_assert(json_object_object_get_ex(o, "isFile", &v) && json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(o, "mtime", &v) && json_object_get_int64(v) > 0);
	json_object_put(o);

	i = call(wv_main, "mkdir", "{\"path\": \"a/b/c\", \"options\": {\"baseDir\": 14, \"recursive\": true}}");
	ck_assert_msg(replies[i].ok, "%s", replies[i].json);
	i = call(wv_main, "mkdir", "{\"path\": \"x/y\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[i].json, "failed to create directory at path: "));

	i = call(wv_main, "copy_file", "{\"fromPath\": \"new file.txt\", \"toPath\": \"a/copy\","
				       " \"options\": {\"fromPathBaseDir\": 14, \"toPathBaseDir\": 14}}");
	ck_assert_msg(replies[i].ok, "%s", replies[i].json);
	snprintf(p, sizeof(p), "%s/a/copy", appdata);
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_eq(sb.st_size, 12);
	char payload[900];
	snprintf(payload, sizeof(payload),
		 "{\"fromPath\": \"new file.txt\", \"toPath\": \"%s/outside/c\", \"options\": {\"fromPathBaseDir\": 14}}",
		 home);
	i = call(wv_main, "copy_file", payload);
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_ptr_nonnull(strstr(replies[i].json, "forbidden path: "));

	i = call(wv_main, "rename", "{\"oldPath\": \"a/copy\", \"newPath\": \"a/moved\","
				    " \"options\": {\"oldPathBaseDir\": 14, \"newPathBaseDir\": 14}}");
	ck_assert_msg(replies[i].ok, "%s", replies[i].json);
	snprintf(payload, sizeof(payload),
		 "{\"oldPath\": \"a/moved\", \"newPath\": \"%s/outside/m\", \"options\": {\"oldPathBaseDir\": 14}}", home);
	i = call(wv_main, "rename", payload);
	ck_assert_int_eq(replies[i].ok, 0);

	snprintf(p, sizeof(p), "%s/secret", appdata);
	write_text(p, "s");
	i = call(wv_main, "read_dir", "{\"path\": \"\", \"options\": {\"baseDir\": 14}}");
	ck_assert_msg(replies[i].ok, "%s", replies[i].json);
	ck_assert_ptr_nonnull(strstr(replies[i].json, "\"name\":\"new file.txt\",\"isDirectory\":false,\"isFile\":true"));
	ck_assert_ptr_nonnull(strstr(replies[i].json, "\"name\":\"a\",\"isDirectory\":true"));
	ck_assert_ptr_null(strstr(replies[i].json, "secret")); /* denied: not listed */

	i = call(wv_main, "truncate", "{\"path\": \"new file.txt\", \"len\": 3, \"options\": {\"baseDir\": 14}}");
	ck_assert(replies[i].ok);
	snprintf(p, sizeof(p), "%s/new file.txt", appdata);
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_eq(sb.st_size, 3);

	i = call(wv_main, "remove", "{\"path\": \"a\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 0); /* not empty, not recursive */
	i = call(wv_main, "remove", "{\"path\": \"a\", \"options\": {\"baseDir\": 14, \"recursive\": true}}");
	ck_assert_msg(replies[i].ok, "%s", replies[i].json);
	snprintf(p, sizeof(p), "%s/a", appdata);
	ck_assert_int_ne(access(p, F_OK), 0);
	i = call(wv_main, "remove", "{\"path\": \"secret\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 0);
	snprintf(p, sizeof(p), "%s/secret", appdata);
	ck_assert_int_eq(access(p, F_OK), 0);
}
END_TEST

/* plugins.fs from the app configuration: refused when it is wrong, and
 * requireLiteralLeadingDot false lets a "**" under $APPDATA reach a dotfile. */
static cg_appconfig *config_with(const char *plugins, cg_diag *d)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/app.json", home);
	char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "{\"name\": \"x\", \"identifier\": \"com.example.fs\", \"plugins\": %s}",
				  plugins), 0);
	write_text(path, text);
	free(text);
	cg_appconfig *c = NULL;
	cg_appconfig_load(path, &c, d);
	return c;
}

START_TEST(plugins_config)
{
	cg_diag *d = cg_diag_new();
	ck_assert_ptr_null(config_with("5", d));
	ck_assert_int_ge(diag_find(d, "plugin"), 0);
	cg_appconfig *c = config_with("{\"fs\": {\"requireLiteralLeadingDot\": \"no\"}}", d);
	ck_assert_ptr_nonnull(c);
	cg_router *r2 = NULL;
	ck_assert_int_eq(cg_router_new(&T, &r2), 0);
	ck_assert_int_eq(cg_builtin_plugins_enable(r2, c, NULL, d), CG_ESCHEMA);
	ck_assert_int_ge(diag_find(d, "\"fs\""), 0);
	cg_router_free(r2);
	cg_appconfig_free(c);
	cg_diag_free(d);

	/* Dotfiles: refused by default (the fixture's router), allowed with
	 * requireLiteralLeadingDot false. */
	char p[700];
	snprintf(p, sizeof(p), "%s/.hidden", appdata);
	write_text(p, "dot");
	int i = call(wv_main, "read_file", "{\"path\": \".hidden\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 0);
	d = cg_diag_new();
	c = config_with("{\"fs\": {\"requireLiteralLeadingDot\": false}}", d);
	ck_assert_ptr_nonnull(c);
	cg_router_free(r);
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	ck_assert_int_eq(cg_builtin_plugins_enable(r, c, NULL, d), 0);
	cg_builder *b = cg_builder_new();
	ck_assert_int_eq(cg_router_declare_commands(r, b), 0);
	cg_builder_add_capability_json(b, "caps.json", CAPS, strlen(CAPS), d);
	cg_policy *pol = NULL;
	ck_assert_int_eq(cg_builder_build(b, &pol, d), 0);
	ck_assert_int_eq(cg_router_set_policy(r, pol), 0);
	cg_policy_unref(pol);
	cg_builder_free(b);
	ck_assert_int_eq(cg_router_add_webview(r, "main", NULL, NULL, &wv_main), 0);
	i = call(wv_main, "read_file", "{\"path\": \".hidden\", \"options\": {\"baseDir\": 14}}");
	ck_assert_msg(replies[i].ok && replies[i].is_bytes && replies[i].len == 3, "%s",
		      replies[i].json ? replies[i].json : "");
	cg_appconfig_free(c);
	cg_diag_free(d);
}
END_TEST


/* An invoke of any command (plugin:resources|close, ...). */
static int call_cmd(cg_webview *wv, const char *cmd, const char *payload)
{
	char *msg = NULL;
	ck_assert_int_ge(asprintf(&msg, "{\"cmd\": \"%s\", \"callback\": 1, \"error\": 2, \"payload\": %s}",
				  cmd, payload), 0);
	int at = n_replies;
	cg_router_invoke(r, wv, msg, strlen(msg), NULL);
	free(msg);
	wait_n(at + 1);
	return at;
}

static int64_t rid_of(int i)
{
	ck_assert_msg(replies[i].ok && !replies[i].is_bytes, "%s", replies[i].json ? replies[i].json : "bytes");
	int64_t rid = strtoll(replies[i].json, NULL, 10);
	ck_assert_int_gt(rid, 0);
	return rid;
}

static void assert_err(int i, const char *needle)
{
	ck_assert_int_eq(replies[i].ok, 0);
	ck_assert_msg(strstr(replies[i].json, needle), "'%s' not in %s", needle, replies[i].json);
}

/* read's answer: the bytes, then their count as 8 big-endian bytes. */
static void assert_read(int i, const char *want)
{
	size_t n = strlen(want);
	ck_assert(replies[i].is_bytes);
	ck_assert_int_eq(replies[i].len, n + 8);
	ck_assert(memcmp(replies[i].bytes, want, n) == 0);
	uint64_t cnt = 0;
	for (int k = 0; k < 8; k++)
		cnt = cnt << 8 | replies[i].bytes[n + k];
	ck_assert_uint_eq(cnt, n);
}

static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* A resource's free function runs on the thread that lets go of it last
 * (a watcher's own thread may still hold it for a moment): wait for the
 * count, up to 10 s, instead of asserting it at once. */
static int fds_settle(int want)
{
	int n = open_fds();
	for (int i = 0; i < 1000 && n != want; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
		n = open_fds();
	}
	return n;
}

START_TEST(file_handles)
{
	char p[700], payload[1200];
	snprintf(p, sizeof(p), "%s/note.txt", appdata);
	write_text(p, "hello\n");
	int i = call(wv_main, "open", "{\"path\": \"note.txt\", \"options\": {\"baseDir\": 14, \"read\": true}}");
	int64_t rid = rid_of(i);
	snprintf(payload, sizeof(payload), "{\"rid\": %lld, \"len\": 100}", (long long)rid);
	assert_read(call(wv_main, "read", payload), "hello\n");
	assert_read(call(wv_main, "read", payload), ""); /* end of file: a count of 0 */
	snprintf(payload, sizeof(payload), "{\"rid\": %lld, \"offset\": 1, \"whence\": 0}", (long long)rid);
	i = call(wv_main, "seek", payload);
	ck_assert_str_eq(replies[i].json, "1");
	snprintf(payload, sizeof(payload), "{\"rid\": %lld, \"len\": 2}", (long long)rid);
	assert_read(call(wv_main, "read", payload), "el");
	snprintf(payload, sizeof(payload), "{\"rid\": %lld, \"offset\": -1, \"whence\": 2}", (long long)rid);
	ck_assert_str_eq(replies[call(wv_main, "seek", payload)].json, "5");
	snprintf(payload, sizeof(payload), "{\"rid\": %lld}", (long long)rid);
	i = call(wv_main, "fstat", payload);
	ck_assert_ptr_nonnull(strstr(replies[i].json, "\"size\":6"));
	ck_assert_ptr_nonnull(strstr(replies[i].json, "\"isFile\":true"));
	/* a read-only handle does not write */
	snprintf(payload, sizeof(payload), "{\"rid\": %lld, \"data\": [1, 2]}", (long long)rid);
	assert_err(call(wv_main, "write", payload), "failed to write bytes to file with error: Bad file descriptor");
	/* another webview's rid means nothing */
	assert_err(call(wv_other, "write", payload), "resource id");
	snprintf(payload, sizeof(payload), "{\"rid\": %lld}", (long long)rid);
	ck_assert_int_eq(replies[call_cmd(wv_main, "plugin:resources|close", payload)].ok, 1);
	snprintf(payload, sizeof(payload), "{\"rid\": %lld, \"len\": 2}", (long long)rid);
	assert_err(call(wv_main, "read", payload), "resource id");

	/* create, write, ftruncate, fstat, close: on disk */
	i = call(wv_main, "create", "{\"path\": \"made.txt\", \"options\": {\"baseDir\": 14}}");
	rid = rid_of(i);
	snprintf(payload, sizeof(payload), "{\"rid\": %lld, \"data\": [104, 105, 33]}", (long long)rid);
	ck_assert_str_eq(replies[call(wv_main, "write", payload)].json, "3");
	snprintf(payload, sizeof(payload), "{\"rid\": %lld, \"data\": [104, 300]}", (long long)rid);
	assert_err(call(wv_main, "write", payload), "invalid args `data`");
	snprintf(payload, sizeof(payload), "{\"rid\": %lld, \"len\": 2}", (long long)rid);
	ck_assert_int_eq(replies[call(wv_main, "ftruncate", payload)].ok, 1);
	snprintf(payload, sizeof(payload), "{\"rid\": %lld}", (long long)rid);
	ck_assert_ptr_nonnull(strstr(replies[call(wv_main, "fstat", payload)].json, "\"size\":2"));
	ck_assert_int_eq(replies[call_cmd(wv_main, "plugin:resources|close", payload)].ok, 1);
	snprintf(p, sizeof(p), "%s/made.txt", appdata);
	char buf[16] = {0};
	FILE *f = fopen(p, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(buf, 1, sizeof(buf), f), 2);
	fclose(f);
	ck_assert_str_eq(buf, "hi");

	/* open's options as Rust's OpenOptions: append, createNew, invalid sets */
	i = call(wv_main, "open", "{\"path\": \"made.txt\", \"options\": {\"baseDir\": 14, \"read\": false, \"append\": true}}");
	rid = rid_of(i);
	snprintf(payload, sizeof(payload), "{\"rid\": %lld, \"data\": [33]}", (long long)rid);
	ck_assert_str_eq(replies[call(wv_main, "write", payload)].json, "1");
	i = call(wv_main, "open", "{\"path\": \"made.txt\", \"options\": {\"baseDir\": 14, \"write\": true, \"createNew\": true}}");
	assert_err(i, "File exists (os error 17)");
	i = call(wv_main, "open", "{\"path\": \"made.txt\", \"options\": {\"baseDir\": 14, \"truncate\": true}}");
	assert_err(i, "Invalid argument (os error 22)");
	i = call(wv_main, "open", "{\"path\": \"gone.txt\", \"options\": {\"baseDir\": 14}}");
	assert_err(i, "failed to open file at path: ");
	assert_err(i, "(os error 2)");
	i = call(wv_main, "open", "{\"path\": \"new.bin\", \"options\": {\"baseDir\": 14, \"write\": true, \"create\": true, \"mode\": 384}}");
	rid_of(i);
	struct stat sb;
	snprintf(p, sizeof(p), "%s/new.bin", appdata);
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600 & ~0); /* umask permitting */
}
END_TEST

/* Refusals name the permission; a handle never reaches outside. */
START_TEST(file_handles_refused)
{
	char p[700], q[700], payload[1600];
	snprintf(p, sizeof(p), "%s/outside/target", home);
	write_text(p, "keep");
	/* outside the scope: open, create and the other window, which has
	 * allow-open with no scope */
	snprintf(payload, sizeof(payload), "{\"path\": \"%s\", \"options\": {\"write\": true}}", p);
	assert_err(call(wv_main, "open", payload), "fs:allow-open");
	snprintf(payload, sizeof(payload), "{\"path\": \"%s\"}", p);
	assert_err(call(wv_main, "create", payload), "`allow-create`");
	assert_err(call(wv_main, "size", payload), "`allow-size`");
	assert_err(call(wv_main, "read_text_file_lines", payload), "`allow-read-text-file-lines`");
	assert_err(call(wv_other, "open", "{\"path\": \"x\", \"options\": {\"baseDir\": 14}}"), "`allow-open`");
	/* the deny entry and '..' */
	assert_err(call(wv_main, "create", "{\"path\": \"secret\", \"options\": {\"baseDir\": 14}}"),
		   "denied by the fs scope entry");
	assert_err(call(wv_main, "open", "{\"path\": \"sub/../../../outside/target\", \"options\": {\"baseDir\": 14, \"write\": true}}"),
		   "forbidden path");
	/* a symlink in scope pointing out: opening it to write, to create
	 * or to truncate fails with ELOOP, and the target is untouched */
	snprintf(q, sizeof(q), "%s/link", appdata);
	ck_assert_int_eq(symlink(p, q), 0);
	assert_err(call(wv_main, "open", "{\"path\": \"link\", \"options\": {\"baseDir\": 14, \"write\": true, \"truncate\": true}}"),
		   "(os error 40)");
	assert_err(call(wv_main, "create", "{\"path\": \"link\", \"options\": {\"baseDir\": 14}}"), "(os error 40)");
	/* the same through a directory link: sub2 -> outside */
	snprintf(q, sizeof(q), "%s/sub2", appdata);
	snprintf(p, sizeof(p), "%s/outside", home);
	ck_assert_int_eq(symlink(p, q), 0);
	assert_err(call(wv_main, "create", "{\"path\": \"sub2/target\", \"options\": {\"baseDir\": 14}}"), "(os error 40)");
	assert_err(call(wv_main, "open", "{\"path\": \"sub2/fresh\", \"options\": {\"baseDir\": 14, \"write\": true, \"create\": true}}"),
		   "(os error 40)");
	snprintf(p, sizeof(p), "%s/outside/target", home);
	char buf[16] = {0};
	FILE *f = fopen(p, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(buf, 1, sizeof(buf), f), 4);
	fclose(f);
	ck_assert_str_eq(buf, "keep");
	snprintf(p, sizeof(p), "%s/outside/fresh", home);
	ck_assert_int_ne(access(p, F_OK), 0);
}
END_TEST

/* The page goes away (navigation, close, crash): its handles close. */
START_TEST(file_handles_die_with_the_page)
{
	char p[700];
	snprintf(p, sizeof(p), "%s/note.txt", appdata);
	write_text(p, "a\nb\n");
	int before = open_fds();
	for (int k = 0; k < 5; k++)
		rid_of(call(wv_main, "open", "{\"path\": \"note.txt\", \"options\": {\"baseDir\": 14}}"));
	rid_of(call(wv_main, "read_text_file_lines", "{\"path\": \"note.txt\", \"options\": {\"baseDir\": 14}}"));
	ck_assert_uint_eq(cg_webview_resource_count(wv_main), 6);
	ck_assert_int_eq(open_fds(), before + 6);
	ck_assert_int_eq(cg_webview_free_resources(wv_main), 6); /* a new document */
	ck_assert_uint_eq(cg_webview_resource_count(wv_main), 0);
	ck_assert_int_eq(open_fds(), before);
	/* closed, or crashed: the webview removed */
	for (int k = 0; k < 3; k++)
		rid_of(call(wv_main, "create", "{\"path\": \"n.txt\", \"options\": {\"baseDir\": 14}}"));
	ck_assert_int_eq(open_fds(), before + 3);
	cg_router_remove_webview(r, wv_main);
	wv_main = NULL;
	ck_assert_int_eq(open_fds(), before);
}
END_TEST

static void next_line(int64_t rid, const char *want)
{
	char payload[100];
	snprintf(payload, sizeof(payload), "{\"rid\": %lld}", (long long)rid);
	int i = call(wv_main, "read_text_file_lines_next", payload);
	ck_assert_int_eq(replies[i].ok, 1);
	ck_assert(replies[i].is_bytes);
	size_t n = want ? strlen(want) : 0;
	ck_assert_uint_eq(replies[i].len, n + 1);
	ck_assert(memcmp(replies[i].bytes, want ? want : "", n) == 0);
	ck_assert_int_eq(replies[i].bytes[n], want ? 0 : 1);
}

START_TEST(lines_and_size)
{
	char p[700], payload[200];
	int i;
	snprintf(p, sizeof(p), "%s/lines.txt", appdata);
	write_text(p, "one\r\ntwo\n\nl\xc3\xa9st");
	/* newer plugin-fs: options with an encoding, bytes and a flag byte */
	int64_t rid = rid_of(call(wv_main, "read_text_file_lines",
				  "{\"path\": \"lines.txt\", \"options\": {\"baseDir\": 14, \"encoding\": \"utf-8\"}}"));
	next_line(rid, "one");
	next_line(rid, "two");
	next_line(rid, "");
	next_line(rid, "l\xc3\xa9st");
	next_line(rid, NULL);
	snprintf(payload, sizeof(payload), "{\"rid\": %lld}", (long long)rid);
	assert_err(call(wv_main, "read_text_file_lines_next", payload), "resource id"); /* closed at the end */
	/* an older page (2.0.3-2.4) sends no encoding: the same shape; a line
	 * that is not UTF-8 comes as its bytes (the JS's decoder replaces them) */
	write_text(p, "\xff\xfe\n");
	rid = rid_of(call(wv_main, "read_text_file_lines", "{\"path\": \"lines.txt\", \"options\": {\"baseDir\": 14}}"));
	next_line(rid, "\xff\xfe");
	next_line(rid, NULL);
	ck_assert_uint_eq(cg_webview_resource_count(wv_main), 0);
	/* Apple's security-scoped resources: nothing to do here, and no grant */
	i = call(wv_main, "start_accessing_security_scoped_resource", "{\"path\": \"/etc/passwd\"}");
	ck_assert_int_eq(replies[i].ok, 1);
	ck_assert_int_eq(replies[call(wv_main, "stop_accessing_security_scoped_resource", "{\"path\": \"/etc/passwd\"}")].ok, 1);
	assert_err(call(wv_main, "read_text_file_lines", "{\"path\": \"/etc/passwd\"}"), "forbidden path");
	/* a fs:file rid is not a lines rid */
	int64_t frid = rid_of(call(wv_main, "open", "{\"path\": \"lines.txt\", \"options\": {\"baseDir\": 14}}"));
	snprintf(payload, sizeof(payload), "{\"rid\": %lld}", (long long)frid);
	assert_err(call(wv_main, "read_text_file_lines_next", payload), "resource id");

	/* size: a file; a directory's regular files below it, without what a
	 * deny entry covers and without following links */
	snprintf(p, sizeof(p), "%s/sub/a", appdata);
	write_text(p, "123");
	snprintf(p, sizeof(p), "%s/sub/deep", appdata);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/sub/deep/b", appdata);
	write_text(p, "12345");
	snprintf(p, sizeof(p), "%s/sub/ln", appdata);
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	ck_assert_str_eq(replies[call(wv_main, "size", "{\"path\": \"sub/a\", \"options\": {\"baseDir\": 14}}")].json, "3");
	ck_assert_str_eq(replies[call(wv_main, "size", "{\"path\": \"sub\", \"options\": {\"baseDir\": 14}}")].json, "8");
	snprintf(p, sizeof(p), "%s/secret", appdata);
	write_text(p, "0123456789");
	i = call(wv_main, "size", "{\"path\": \"\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 1);
	/* lines.txt (3) + sub (8); secret (10) left out */
	ck_assert_str_eq(replies[i].json, "11");
}
END_TEST

/* Waits (10 s at most) for a channel message holding both needles. */
static int wait_event(const char *a, const char *b)
{
	for (int t = 0; t < 1000; t++) {
		for (int i = 0; i < n_cb; i++)
			if (strstr(cb_msgs[i], a) && (!b || strstr(cb_msgs[i], b)))
				return i;
		struct pollfd p = {cg_router_fd(r), POLLIN, 0};
		if (poll(&p, 1, 10) > 0)
			cg_router_process(r);
	}
	for (int i = 0; i < n_cb; i++)
		fprintf(stderr, "event %d: %s\n", i, cb_msgs[i]);
	ck_abort_msg("no event with %s %s", a, b ? b : "");
	return -1;
}

START_TEST(watch_immediate_and_debounced)
{
	char p[700], want[800];
	int before = open_fds();
	/* sub/out, a link to outside, is there before the watch begins */
	snprintf(p, sizeof(p), "%s/sub/out", appdata);
	snprintf(want, sizeof(want), "%s/outside", home);
	ck_assert_int_eq(symlink(want, p), 0);
	/* immediate, recursive: a file made in a directory made after the watch began */
	int64_t rid = rid_of(call(wv_main, "watch",
				  "{\"paths\": [\"sub\"], \"options\": {\"baseDir\": 14, \"recursive\": true}, "
				  "\"onEvent\": \"__CHANNEL__:77\"}"));
	snprintf(p, sizeof(p), "%s/sub/newdir", appdata);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(want, sizeof(want), "\"%s\"", p);
	wait_event("{\"create\":{\"kind\":\"folder\"}}", want);
	snprintf(p, sizeof(p), "%s/sub/newdir/f.txt", appdata);
	write_text(p, "x");
	snprintf(want, sizeof(want), "\"%s\"", p);
	int i = wait_event("{\"create\":{\"kind\":\"file\"}}", want);
	ck_assert_ptr_nonnull(strstr(cb_msgs[i], "\"attrs\":{}"));
	wait_event("{\"modify\":{\"kind\":\"data\",\"mode\":\"any\"}}", want);
	/* a link in the watched tree to outside is not followed: an event
	 * there is never reported (inotify keeps one instance's events in
	 * order, so the marker made after it comes after it) */
	char o[700];
	snprintf(o, sizeof(o), "%s/outside/leak.txt", home);
	write_text(o, "l");
	snprintf(p, sizeof(p), "%s/sub/marker.txt", appdata);
	write_text(p, "m");
	snprintf(want, sizeof(want), "\"%s\"", p);
	wait_event("{\"access\":{\"kind\":\"close\",\"mode\":\"write\"}}", want);
	for (int k = 0; k < n_cb; k++)
		ck_assert_msg(!strstr(cb_msgs[k], "leak.txt"), "%s", cb_msgs[k]);
	/* unwatch (plugin-fs 2.0.x) ends it; another rid type is refused */
	char payload[100];
	snprintf(payload, sizeof(payload), "{\"rid\": %lld}", (long long)rid);
	ck_assert_int_eq(replies[call(wv_main, "unwatch", payload)].ok, 1);
	assert_err(call(wv_main, "unwatch", payload), "resource id");
	ck_assert_int_eq(fds_settle(before), before);

	/* debounced (watch, delayMs): the events come after the delay */
	for (int k = 0; k < n_cb; k++)
		free(cb_msgs[k]);
	n_cb = 0;
	rid = rid_of(call(wv_main, "watch",
			  "{\"paths\": [\"sub\"], \"options\": {\"baseDir\": 14, \"recursive\": false, \"delayMs\": 300}, "
			  "\"onEvent\": \"__CHANNEL__:77\"}"));
	snprintf(p, sizeof(p), "%s/sub/g.txt", appdata);
	write_text(p, "y");
	snprintf(want, sizeof(want), "\"%s\"", p);
	wait_event("{\"create\":{\"kind\":\"file\"}}", want);
	/* refused outside the scope, and on a denied entry */
	snprintf(p, sizeof(p), "{\"paths\": [\"%s/outside\"], \"options\": {\"recursive\": false}, \"onEvent\": \"__CHANNEL__:77\"}", home);
	assert_err(call(wv_main, "watch", p), "fs:allow-watch");
	write_text(strcat(strcpy(p, appdata), "/secret"), "s");
	assert_err(call(wv_main, "watch", "{\"paths\": [\"secret\"], \"options\": {\"baseDir\": 14, \"recursive\": false}, \"onEvent\": \"__CHANNEL__:77\"}"),
		   "denied by the fs scope entry");
	/* the page goes: the watcher and its thread end */
	ck_assert_int_eq(cg_webview_free_resources(wv_main), 1);
	ck_assert_int_eq(fds_settle(before), before);
}
END_TEST

/* From the cold review (attack19): a rename is checked against the deny
 * entries whatever its source is now (a directory may be swapped in under
 * a file's name between the look and the rename); a listing hides what a
 * deny entry keeps, dotfiles and names that are not UTF-8 included, and
 * shows other such names lossily; options of the wrong type are refused. */
START_TEST(review_findings)
{
	char p[700], q[700];
	/* a file whose name a wildcard deny entry looks below */
	snprintf(p, sizeof(p), "%s/f", appdata);
	write_text(p, "plain");
	snprintf(q, sizeof(q), "%s/x", appdata);
	ck_assert_int_eq(mkdir(q, 0700), 0);
	char payload[1600];
	snprintf(payload, sizeof(payload), "{\"oldPath\": \"%s\", \"newPath\": \"%s/x/y\"}", p, appdata);
	assert_err(call(wv_main, "rename", payload), "$APPDATA/*/vault.key");
	ck_assert_int_eq(access(p, F_OK), 0);
	/* a listing of a denied tree shows nothing of it */
	snprintf(q, sizeof(q), "%s/vault", appdata);
	ck_assert_int_eq(mkdir(q, 0700), 0);
	snprintf(p, sizeof(p), "%s/vault/.env", appdata);
	write_text(p, "k");
	snprintf(p, sizeof(p), "%s/vault/key-\xff.pem", appdata);
	write_text(p, "k");
	snprintf(p, sizeof(p), "%s/vault/prod.pem", appdata);
	write_text(p, "k");
	int i = call(wv_main, "read_dir", "{\"path\": \"vault\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 1);
	ck_assert_str_eq(replies[i].json, "[]");
	/* elsewhere a name that is not UTF-8 is shown lossily */
	snprintf(p, sizeof(p), "%s/sub/n-\xff.txt", appdata);
	write_text(p, "k");
	i = call(wv_main, "read_dir", "{\"path\": \"sub\", \"options\": {\"baseDir\": 14}}");
	ck_assert_int_eq(replies[i].ok, 1);
	ck_assert_msg(strstr(replies[i].json, "\"n-\xef\xbf\xbd.txt\""), "%s", replies[i].json);
	/* options of the wrong type */
	snprintf(p, sizeof(p), "%s/f", appdata);
	snprintf(payload, sizeof(payload), "{\"path\": \"%s\", \"len\": \"abc\"}", p);
	assert_err(call(wv_main, "truncate", payload), "invalid args `len` for command `truncate`");
	struct stat sb;
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_eq(sb.st_size, 5);
	assert_err(call(wv_main, "remove", "{\"path\": \"vault\", \"options\": {\"baseDir\": 14, \"recursive\": \"false\"}}"),
		   "invalid args `options` for command `remove`");
	assert_err(call(wv_main, "mkdir", "{\"path\": \"m\", \"options\": {\"baseDir\": 14, \"mode\": \"abc\"}}"),
		   "invalid args `options` for command `mkdir`");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fscmds");
	TCase *tc = tcase_create("commands");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, read_in_and_out_of_scope);
	tcase_add_test(tc, write_exists_stat_mkdir_dir_rename_copy_remove);
	tcase_add_test(tc, plugins_config);
	tcase_add_test(tc, file_handles);
	tcase_add_test(tc, file_handles_refused);
	tcase_add_test(tc, file_handles_die_with_the_page);
	tcase_add_test(tc, lines_and_size);
	tcase_add_test(tc, watch_immediate_and_debounced);
	tcase_add_test(tc, review_findings);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
