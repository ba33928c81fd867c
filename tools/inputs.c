/* Finding capability files, manifests and the app config from a path. */
#include "inputs.h"
#include "cli.h"
#include "builtin/builtin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int is_file(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a);
	while (la > 1 && a[la - 1] == '/')
		la--;
	char *s = malloc(la + strlen(b) + 2);
	if (s)
		sprintf(s, "%.*s/%s", (int)la, a, b);
	return s;
}

int cli_inputs_init(cli_inputs *in)
{
	memset(in, 0, sizeof(*in));
	in->b = cg_builder_new();
	return in->b ? 0 : -1;
}

void cli_inputs_clear(cli_inputs *in)
{
	cg_builder_free(in->b);
	free(in->app_config);
	free(in->tauri_conf);
	memset(in, 0, sizeof(*in));
}

static void set_config(cli_inputs *in, const char *path)
{
	if (in->app_config) {
		fprintf(stderr, "capgate: note: using the app config %s; ignoring %s\n",
			in->app_config, path);
		return;
	}
	in->app_config = strdup(path);
}

/* src-tauri/: what Tauri's build reads. */
static int add_tauri(cli_inputs *in, const char *dir, cg_diag *d)
{
	char *caps = join(dir, "capabilities");
	char *acl = join(dir, "gen/schemas/acl-manifests.json");
	char *acl2 = join(dir, "acl-manifests.json");
	char *perms = join(dir, "permissions");
	char *conf = join(dir, "tauri.conf.json");
	int ret = -1;
	if (!caps || !acl || !acl2 || !perms || !conf)
		goto out;
	if (is_dir(caps)) {
		cg_builder_add_capability_dir(in->b, caps, d);
		in->n_capability_sources++;
	}
	/* acl-manifests.json already holds the app's own manifest
	 * ("__app-acl__"); loading permissions/ as well would define it twice. */
	if (is_file(acl) || is_file(acl2)) {
		/* A copy beside capabilities/ (as the corpus keeps them) counts. */
		cg_builder_add_tauri_manifests(in->b, is_file(acl) ? acl : acl2, d);
		in->n_manifest_sources++;
	} else if (is_dir(perms)) {
		cg_builder_add_manifest_dir(in->b, NULL, perms, d);
		in->n_manifest_sources++;
	}
	if (is_file(conf)) {
		set_config(in, conf);
		cli_inputs_add_config(in, conf, d);
	}
	ret = 0;
out:
	free(caps);
	free(acl);
	free(acl2);
	free(perms);
	free(conf);
	return ret;
}

void cli_inputs_add_config(cli_inputs *in, const char *path, cg_diag *d)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (strncmp(base, "tauri.", 6) != 0 || n < 15 || strcmp(base + n - 10, ".conf.json") != 0)
		return;
	char *real = realpath(path, NULL);
	if (!real || (in->tauri_conf && strcmp(in->tauri_conf, real) == 0)) {
		free(real);
		return;
	}
	if (in->tauri_conf) {
		fprintf(stderr, "capgate: note: reading the capabilities inlined in %s only; ignoring those of %s\n",
			in->tauri_conf, path);
		free(real);
		return;
	}
	in->tauri_conf = real;
	if (cg_builder_add_tauri_config(in->b, path, d) > 0)
		in->n_capability_sources++;
}

static int add_capgate_app(cli_inputs *in, const char *conf, cg_diag *d)
{
	cg_appconfig *c = NULL;
	set_config(in, conf);
	if (cg_appconfig_load(conf, &c, d) < 0)
		return 0; /* the errors are in d; lint reports them */
	if (cg_appconfig_capabilities_dir(c)) {
		cg_builder_add_capability_dir(in->b, cg_appconfig_capabilities_dir(c), d);
		in->n_capability_sources++;
	}
	/* As the runtime reads it: one sub-directory per plugin, named by its
	 * prefix (the app's own permissions have none). */
	if (cg_appconfig_permissions_dir(c)) {
		cg_builder_add_plugins_dir(in->b, cg_appconfig_permissions_dir(c), d);
		in->n_manifest_sources++;
	}
	cg_appconfig_free(c);
	return 0;
}

int cli_inputs_add_path(cli_inputs *in, const char *path, cg_diag *d)
{
	if (is_file(path)) {
		const char *base = strrchr(path, '/');
		base = base ? base + 1 : path;
		if (strcmp(base, "tauri.conf.json") == 0) {
			char *dir = strdup(path);
			if (!dir)
				return -1;
			char *slash = strrchr(dir, '/');
			if (slash)
				*slash = '\0';
			int r = add_tauri(in, slash ? dir : ".", d);
			free(dir);
			return r;
		}
		if (strcmp(base, "capgate.json") == 0)
			return add_capgate_app(in, path, d);
		cg_builder_add_capability_file(in->b, path, d);
		in->n_capability_sources++;
		return 0;
	}
	if (!is_dir(path)) {
		fprintf(stderr, "capgate: %s: no such file or directory\n", path);
		return -1;
	}
	char *src = join(path, "src-tauri"), *conf = join(path, "tauri.conf.json");
	char *app = join(path, "capgate.json"), *caps = join(path, "capabilities");
	int r = -1;
	if (!src || !conf || !app || !caps)
		goto out;
	if (is_file(app))
		r = add_capgate_app(in, app, d);
	else if (is_dir(src) && !is_dir(caps))
		r = add_tauri(in, src, d);
	else if (is_file(conf) || is_dir(caps))
		r = add_tauri(in, path, d);
	else {
		cg_builder_add_capability_dir(in->b, path, d);
		in->n_capability_sources++;
		r = 0;
	}
out:
	free(src);
	free(conf);
	free(app);
	free(caps);
	return r;
}

int cli_inputs_declare(cli_inputs *in, const char *list)
{
	char *copy = strdup(list), *save = NULL;
	int ret = copy ? 0 : -1;
	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && ret == 0;
	     t = strtok_r(NULL, ",", &save)) {
		if (cg_builder_declare_command(in->b, NULL, t) < 0) {
			fprintf(stderr, "capgate: invalid command name '%s'\n", t);
			ret = -1;
		}
	}
	free(copy);
	return ret;
}

int cli_builtin_plugins(cg_builder *b)
{
	int rc = cg_builtin_plugins_declare(b);
	if (rc < 0)
		fprintf(stderr, "capgate: the built-in plugins' manifests could not be added: %s\n",
			cg_strerror(rc));
	return rc < 0 ? -1 : 0;
}
