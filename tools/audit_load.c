/*
 * capgate audit: the files under review become a policy and its matrix.
 */
#include "audit.h"
#include "inputs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ lists */

int audit_strlist_add(strlist *l, const char *s)
{
	const char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	l->v = nv;
	l->v[l->n++] = s;
	return 0;
}

static int labels_add(labels *l, const char *s)
{
	char *dup = strdup(s);
	char **nv = dup ? realloc(l->v, (l->n + 1) * sizeof(*nv)) : NULL;
	if (!nv) {
		free(dup);
		return -1;
	}
	l->v = nv;
	l->v[l->n++] = dup;
	return 0;
}

static void labels_clear(labels *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void audit_opts_clear(audit_opts *o)
{
	free(o->plugins.v);
	free(o->tauri.v);
	free(o->app_perms.v);
	free(o->declare.v);
}

/* ------------------------------------------------------------- app config */

static int add_label(const char *label, void *user)
{
	return labels_add(user, label) < 0 ? CG_ENOMEM : 0;
}

/* Window labels of a capgate config or a Tauri tauri.conf.json, read by
 * the engine (cg_config_window_labels); -1 after saying why. */
static int read_labels(const char *path, labels *out)
{
	cg_diag *d = cg_diag_new();
	int r = d ? cg_config_window_labels(path, add_label, out, d) : CG_ENOMEM;
	cli_print_diag(d);
	if (r == CG_ENOMEM && (!d || !cg_diag_error_count(d)))
		fputs("capgate: out of memory\n", stderr);
	cg_diag_free(d);
	return r < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ load */

static int add_sources(const audit_opts *o, cg_builder *b, cg_diag *d)
{
	if (o->platform && cg_builder_set_platform(b, o->platform) < 0) {
		fprintf(stderr, "capgate: unknown platform '%s' (linux, macOS, windows, android or iOS)\n",
			o->platform);
		return -1;
	}
	if (o->no_core)
		cg_builder_use_builtin_core(b, 0);
	if (!o->no_plugins && cli_builtin_plugins(b) < 0)
		return -1;
	for (size_t i = 0; i < o->plugins.n; i++)
		cg_builder_add_plugins_dir(b, o->plugins.v[i], d);
	for (size_t i = 0; i < o->tauri.n; i++)
		cg_builder_add_tauri_manifests(b, o->tauri.v[i], d);
	for (size_t i = 0; i < o->app_perms.n; i++)
		cg_builder_add_manifest_dir(b, NULL, o->app_perms.v[i], d);
	for (size_t i = 0; i < o->declare.n; i++) {
		char *copy = strdup(o->declare.v[i]), *save = NULL;
		if (!copy)
			return -1;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (cg_builder_declare_command(b, NULL, t) < 0) {
				fprintf(stderr, "capgate: invalid command name '%s'\n", t);
				free(copy);
				return -1;
			}
		free(copy);
	}
	return 0;
}

/* "run 'capgate lint PATH...' for WHAT" */
static void lint_hint(char *const *paths, size_t n, const char *what)
{
	fputs("run 'capgate lint", stderr);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", paths[i]);
	fprintf(stderr, "' for %s\n", what);
}

/* Loads PATHs into a policy; NULL (after saying why) when they do not load. */
static cg_policy *load_policy(const audit_opts *o, char *const *paths, size_t n, char **config)
{
	cli_inputs in;
	cg_diag *d = cg_diag_new();
	cg_policy *p = NULL;
	if (!d || cli_inputs_init(&in) < 0) {
		fputs("capgate: out of memory\n", stderr);
		cg_diag_free(d);
		return NULL;
	}
	int bad = add_sources(o, in.b, d) < 0;
	for (size_t i = 0; !bad && i < n; i++)
		bad = cli_inputs_add_path(&in, paths[i], d) < 0;
	if (!bad && o->config)
		cli_inputs_add_config(&in, o->config, d);
	if (!bad && (cg_builder_build(in.b, &p, d) < 0 || cg_diag_error_count(d))) {
		cli_print_diag(d);
		fprintf(stderr, "capgate: the policy did not load (%zu error(s)); ", cg_diag_error_count(d));
		lint_hint(paths, n, "details");
		bad = 1;
	} else if (!bad && cg_diag_count(d)) {
		/* The matrix is right despite them; lint explains each. */
		fprintf(stderr, "capgate: note: %zu warning(s) while loading; ", cg_diag_count(d));
		lint_hint(paths, n, "them");
	}
	if (!bad && in.app_config && !(*config = strdup(in.app_config))) {
		fputs("capgate: out of memory\n", stderr);
		bad = 1;
	}
	if (bad) {
		cg_policy_unref(p);
		p = NULL;
	}
	cli_inputs_clear(&in);
	cg_diag_free(d);
	return p;
}

/* The matrix of PATHs, or NULL (after saying why). */
json_object *audit_side_matrix(const audit_opts *o, char *const *paths, size_t n)
{
	char *found = NULL;
	labels lb = {0};
	json_object *m = NULL;
	cg_policy *p = load_policy(o, paths, n, &found);
	if (!p)
		goto out;
	const char *config = o->config ? o->config : found;
	if (config && read_labels(config, &lb) < 0) {
		if (o->config)
			goto out;
		/* A config found on the way is a help, not a requirement. */
		fprintf(stderr, "capgate: warning: auditing without the window labels of %s\n", config);
		labels_clear(&lb);
	}
	if (cg_policy_audit(p, (const char *const *)lb.v, lb.n, &m) < 0)
		fputs("capgate: out of memory\n", stderr);
out:
	cg_policy_unref(p);
	labels_clear(&lb);
	free(found);
	return m;
}

