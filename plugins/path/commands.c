/*
 * core:path's commands in @tauri-apps/api's wire format (packages/api
 * src/path.ts; crates/tauri/src/path/plugin.rs): the arguments by their
 * JS names, a string (or a bool for is_absolute) as the answer, and
 * Tauri's error strings, including serde's "invalid args `KEY` for
 * command `CMD`: ..." for arguments of the wrong shape. The work is done
 * by the pure functions of path/paths.h and the resolver made once from
 * the app's identifier and resource directory.
 */
#include "path/plugin.h"
#include "path/paths.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int reject_fmt(cg_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reject_fmt(cg_call *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cg_call_reject(c, buf);
	return 0;
}

/* The command's name inside the plugin ("join"). */
static const char *short_name(const cg_call *c)
{
	const char *n = strchr(cg_call_command(c), '|');
	return n ? n + 1 : cg_call_command(c);
}

static int bad_arg(cg_call *c, const char *key, const char *what)
{
	return reject_fmt(c, "invalid args `%s` for command `%s`: %s", key, short_name(c), what);
}

static int missing(cg_call *c, const char *key)
{
	char what[128];
	snprintf(what, sizeof(what), "command %s missing required key %s", short_name(c), key);
	return bad_arg(c, key, what);
}

/* args.key: NULL when absent or null. */
static json_object *arg(const cg_call *c, const char *key)
{
	json_object *a = cg_call_args(c), *v = NULL;
	return a && json_object_object_get_ex(a, key, &v) ? v : NULL;
}

/* A string argument with no NUL in it (a C path cannot hold one: refused
 * rather than cut short). NULL after answering the call. */
static const char *str_of(cg_call *c, const char *key, json_object *v)
{
	if (!json_object_is_type(v, json_type_string)) {
		bad_arg(c, key, "invalid type: expected a string");
		return NULL;
	}
	const char *s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v)) {
		bad_arg(c, key, "a path cannot contain a NUL character");
		return NULL;
	}
	return s;
}

static const char *str_arg(cg_call *c, const char *key)
{
	json_object *v = arg(c, key);
	if (!v) {
		missing(c, key);
		return NULL;
	}
	return str_of(c, key, v);
}

/* args.paths as a list of strings (malloc'd array of borrowed strings);
 * -1 after answering the call. */
static long list_arg(cg_call *c, const char ***out)
{
	json_object *v = arg(c, "paths");
	*out = NULL;
	if (!v) {
		missing(c, "paths");
		return -1;
	}
	if (!json_object_is_type(v, json_type_array)) {
		bad_arg(c, "paths", "invalid type: expected a sequence");
		return -1;
	}
	size_t n = json_object_array_length(v);
	const char **list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		cg_call_reject(c, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!(list[i] = str_of(c, "paths", json_object_array_get_idx(v, i)))) {
			free(list);
			return -1;
		}
	}
	*out = list;
	return (long)n;
}

/* Whether s is well-formed UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF). */
static bool utf8_ok(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s++, n, min, cp;
		if (c < 0x80)
			continue;
		if ((c & 0xe0) == 0xc0)
			n = 1, min = 0x80, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			n = 2, min = 0x800, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			n = 3, min = 0x10000, cp = c & 0x07;
		else
			return false;
		for (unsigned i = 0; i < n; i++, s++) {
			if ((*s & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*s & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

/* Answers with the string s (taken) or, for rc < 0, with why. A path that
 * is not UTF-8 (a directory from the environment, the current directory)
 * cannot be a JS string: refused with serde's words for a PathBuf, as
 * Tauri answers it. */
static int answer(cg_call *c, int rc, char *s, const char *why)
{
	if (rc == CG_ENOTFOUND && why)
		cg_call_reject(c, why);
	else if (rc < 0)
		cg_call_reject(c, cg_strerror(rc));
	else if (!utf8_ok((const unsigned char *)s))
		cg_call_reject(c, "path contains invalid UTF-8 characters");
	else
		cg_call_resolve(c, json_object_new_string(s));
	free(s);
	return 0;
}

static int cmd_resolve_directory(cg_call *c, void *user)
{
	const cg_paths *paths = user;
	json_object *d = arg(c, "directory");
	if (!d)
		return missing(c, "directory");
	if (!json_object_is_type(d, json_type_int))
		return bad_arg(c, "directory", "invalid type: expected a BaseDirectory (1 to 23)");
	int64_t n = json_object_get_int64(d);
	if (n < 1 || n > CG_DIR_MAX) {
		char what[128];
		snprintf(what, sizeof(what), "invalid value: %lld, expected one of: 1, 2, ..., %d",
			 (long long)n, CG_DIR_MAX);
		return bad_arg(c, "directory", what);
	}
	const char *path = NULL;
	json_object *p = arg(c, "path");
	if (p && !(path = str_of(c, "path", p)))
		return 0;
	char *out = NULL;
	int rc = cg_paths_resolve_directory(paths, (int)n, path, &out);
	return answer(c, rc, out, "unknown path");
}

static int cmd_resolve(cg_call *c, void *user)
{
	(void)user;
	const char **list;
	long n = list_arg(c, &list);
	if (n < 0)
		return 0;
	char *cwd = getcwd(NULL, 0);
	if (!cwd) {
		int e = errno;
		free(list);
		return reject_fmt(c, "failed to read current dir: %s (os error %d)", strerror(e), e);
	}
	char *out = NULL;
	int rc = cg_path_resolve(cwd, list, (size_t)n, &out);
	free(cwd);
	free(list);
	return answer(c, rc, out, NULL);
}

static int cmd_join(cg_call *c, void *user)
{
	(void)user;
	const char **list;
	long n = list_arg(c, &list);
	if (n < 0)
		return 0;
	char *out = NULL;
	int rc = cg_path_join(list, (size_t)n, &out);
	free(list);
	return answer(c, rc, out, NULL);
}

static int cmd_normalize(cg_call *c, void *user)
{
	(void)user;
	const char *p = str_arg(c, "path");
	if (!p)
		return 0;
	char *out = NULL;
	int rc = cg_path_normalize(p, &out);
	return answer(c, rc, out, NULL);
}

static int cmd_dirname(cg_call *c, void *user)
{
	(void)user;
	const char *p = str_arg(c, "path");
	if (!p)
		return 0;
	char *out = NULL;
	int rc = cg_path_dirname(p, &out);
	return answer(c, rc, out, "path does not have a parent");
}

static int cmd_extname(cg_call *c, void *user)
{
	(void)user;
	const char *p = str_arg(c, "path");
	if (!p)
		return 0;
	char *out = NULL;
	int rc = cg_path_extname(p, &out);
	return answer(c, rc, out, "path does not have an extension");
}

static int cmd_basename(cg_call *c, void *user)
{
	(void)user;
	const char *p = str_arg(c, "path"), *ext = NULL;
	if (!p)
		return 0;
	json_object *e = arg(c, "ext");
	if (e && !(ext = str_of(c, "ext", e)))
		return 0;
	char *out = NULL;
	int rc = cg_path_basename(p, ext, &out);
	return answer(c, rc, out, "path does not have a basename");
}

static int cmd_is_absolute(cg_call *c, void *user)
{
	(void)user;
	const char *p = str_arg(c, "path");
	if (p)
		cg_call_resolve(c, json_object_new_boolean(cg_path_is_absolute(p)));
	return 0;
}

static int path_init(const cg_plugin_env *env, json_object *config, void **state, char **why)
{
	(void)config;
	cg_paths_config pc = {.identifier = env->identifier, .resource_dir = env->resource_dir};
	cg_paths *p = NULL;
	int rc = cg_paths_new(&pc, &p);
	if (rc < 0) {
		*why = strdup("the app's identifier or resource directory cannot name a directory");
		return rc;
	}
	*state = p;
	return 0;
}

static void path_free_state(void *state)
{
	cg_paths_free(state);
}

/* Pure and quick: answered at once (CG_CMD_SYNC; as core:* commands they
 * stay on the main loop). */
static const cg_plugin_command path_commands[] = {
	{"resolve_directory", cmd_resolve_directory, CG_CMD_SYNC},
	{"resolve", cmd_resolve, CG_CMD_SYNC},
	{"normalize", cmd_normalize, CG_CMD_SYNC},
	{"join", cmd_join, CG_CMD_SYNC},
	{"dirname", cmd_dirname, CG_CMD_SYNC},
	{"extname", cmd_extname, CG_CMD_SYNC},
	{"basename", cmd_basename, CG_CMD_SYNC},
	{"is_absolute", cmd_is_absolute, CG_CMD_SYNC},
};

const cg_plugin_def cg_path_plugin = {
	.version = CG_PLUGIN_VERSION,
	.name = "core:path",
	/* No manifest: the built-in core manifests define core:path. */
	.commands = path_commands,
	.n_commands = sizeof(path_commands) / sizeof(path_commands[0]),
	.init = path_init,
	.free_state = path_free_state,
};
