/*
 * The os plugin (@tauri-apps/plugin-os): the platform facts the page reads
 * synchronously, given by the init script as
 * window.__TAURI_OS_PLUGIN_INTERNALS__ (as Tauri's init.js does), and the
 * commands locale and hostname. The other six commands its permissions
 * name (platform, version, os_type, family, arch, exe_extension) answer
 * the init script's values, for any page that invokes them.
 *
 * Values on Linux, as Tauri's os plugin gives them: platform and os_type
 * "linux", family "unix", eol "\n", exe_extension "", arch Rust's name for
 * the CPU (std::env::consts::ARCH), version the distribution's VERSION_ID
 * from os-release (Tauri's os_info: docs/plugins.md says where it may
 * differ), locale the first set of LC_ALL, LC_CTYPE and LANG as a BCP-47
 * tag (sys-locale's order), hostname gethostname(2).
 */
#include "os/plugin.h"
#include "os/manifest.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#define OS_ARCH "x86_64"
#elif defined(__aarch64__)
#define OS_ARCH "aarch64"
#elif defined(__i386__)
#define OS_ARCH "x86"
#elif defined(__arm__)
#define OS_ARCH "arm"
#elif defined(__riscv) && __riscv_xlen == 64
#define OS_ARCH "riscv64"
#elif defined(__powerpc64__)
#define OS_ARCH "powerpc64"
#elif defined(__s390x__)
#define OS_ARCH "s390x"
#elif defined(__loongarch64)
#define OS_ARCH "loongarch64"
#else
#define OS_ARCH "unknown"
#endif

/* VERSION_ID of os-release(5), unquoted; "unknown" when there is none. */
static char *os_version(void)
{
	static const char *const files[] = {"/etc/os-release", "/usr/lib/os-release"};
	char line[512];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f = fopen(files[i], "re");
		if (!f)
			continue;
		char *out = NULL;
		while (!out && fgets(line, sizeof(line), f)) {
			if (strncmp(line, "VERSION_ID=", 11) != 0)
				continue;
			char *v = line + 11;
			v[strcspn(v, "\r\n")] = '\0';
			size_t n = strlen(v);
			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
				v[n - 1] = '\0';
				v++;
			}
			out = strdup(v);
		}
		fclose(f);
		if (out)
			return out;
	}
	return strdup("unknown");
}

char *cg_os_locale(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (!v || !*v)
			continue;
		size_t n = strcspn(v, ".@");
		char *tag = strndup(v, n);
		if (!tag)
			return NULL;
		for (char *p = tag; *p; p++)
			if (*p == '_')
				*p = '-';
		return tag;
	}
	return NULL;
}

/* The init script: made once, by the first enable, into a buffer the
 * descriptor points at (so the descriptor stays a constant). Every router
 * of the process gets the same facts. */
static char os_script[2048];
static char os_version_text[128];
static pthread_once_t os_once = PTHREAD_ONCE_INIT;

static void make_script(void)
{
	char *v = os_version();
	snprintf(os_version_text, sizeof(os_version_text), "%s", v && strlen(v) < sizeof(os_version_text) ? v : "unknown");
	free(v);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "eol", json_object_new_string("\n"));
	json_object_object_add(o, "os_type", json_object_new_string("linux"));
	json_object_object_add(o, "platform", json_object_new_string("linux"));
	json_object_object_add(o, "family", json_object_new_string("unix"));
	json_object_object_add(o, "version", json_object_new_string(os_version_text));
	json_object_object_add(o, "arch", json_object_new_string(OS_ARCH));
	json_object_object_add(o, "exe_extension", json_object_new_string(""));
	/* Not writable, not configurable, as Tauri's defineProperty leaves it;
	 * frozen too, so no page script can change what another reads. */
	snprintf(os_script, sizeof(os_script),
		 "Object.defineProperty(window, '__TAURI_OS_PLUGIN_INTERNALS__', { value: Object.freeze(%s) });",
		 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static int os_init(const cg_plugin_env *env, json_object *config, void **state, char **why)
{
	(void)env;
	(void)config;
	(void)why;
	pthread_once(&os_once, make_script);
	*state = os_version_text;
	return 0;
}

static int answer(cg_call *c, const char *v)
{
	return cg_call_resolve(c, v ? json_object_new_string(v) : NULL);
}

static int os_platform(cg_call *c, void *u) { (void)u; return answer(c, "linux"); }
static int os_type(cg_call *c, void *u) { (void)u; return answer(c, "linux"); }
static int os_family(cg_call *c, void *u) { (void)u; return answer(c, "unix"); }
static int os_arch(cg_call *c, void *u) { (void)u; return answer(c, OS_ARCH); }
static int os_exe_extension(cg_call *c, void *u) { (void)u; return answer(c, ""); }
static int os_version_cmd(cg_call *c, void *u) { return answer(c, (const char *)u); }

static int os_locale(cg_call *c, void *u)
{
	(void)u;
	char *l = cg_os_locale();
	int rc = answer(c, l);
	free(l);
	return rc;
}

/* Tauri answers the name lossily decoded (to_string_lossy). */
static int os_hostname(cg_call *c, void *u)
{
	(void)u;
	char name[256];
	if (gethostname(name, sizeof(name)) != 0)
		name[0] = '\0';
	name[sizeof(name) - 1] = '\0';
	return answer(c, name);
}

static const cg_plugin_command os_commands[] = {
	{"platform", os_platform, CG_CMD_SYNC},
	{"version", os_version_cmd, CG_CMD_SYNC},
	{"os_type", os_type, CG_CMD_SYNC},
	{"family", os_family, CG_CMD_SYNC},
	{"arch", os_arch, CG_CMD_SYNC},
	{"exe_extension", os_exe_extension, CG_CMD_SYNC},
	{"locale", os_locale, CG_CMD_SYNC},
	{"hostname", os_hostname, CG_CMD_SYNC},
};

const cg_plugin_def cg_os_plugin = {
	.version = CG_PLUGIN_VERSION,
	.name = "os",
	.manifest_json = cg_os_permissions_json,
	.commands = os_commands,
	.n_commands = sizeof(os_commands) / sizeof(os_commands[0]),
	.init_script = os_script,
	.init = os_init,
};
