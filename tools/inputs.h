/*
 * What lint and audit read: capability files, permission manifests and the
 * app configuration, found from the paths a user names. A Tauri v2
 * project's src-tauri/ (or the project root above it) is understood as it
 * is, so any Tauri app can be linted without options.
 */
#ifndef CG_CLI_INPUTS_H
#define CG_CLI_INPUTS_H

#include <capgate.h>

typedef struct cli_inputs {
	cg_builder *b;
	char *app_config;   /* tauri.conf.json or capgate.json, or NULL */
	char *tauri_conf;   /* the tauri.conf.json whose inlined capabilities are in (real path) */
	int n_capability_sources;
	int n_manifest_sources;
} cli_inputs;

/* 0, or -1 when out of memory. */
int cli_inputs_init(cli_inputs *in);
void cli_inputs_clear(cli_inputs *in);

/*
 * Adds what PATH holds:
 *   - a Tauri project (DIR/src-tauri) or its src-tauri/ (any directory
 *     with tauri.conf.json or a capabilities/ sub-directory): capabilities/,
 *     gen/schemas/acl-manifests.json (or acl-manifests.json beside
 *     capabilities/; else permissions/ as the app's own manifests) and
 *     tauri.conf.json;
 *   - a capgate app directory (DIR/capgate.json, checked first): the
 *     capability and permission directories its config names, and the
 *     config;
 *   - any other directory: capability files;
 *   - a file: one capability file.
 * Problems with the files go to d (the builder reports them); 0, or -1
 * when PATH does not exist (message on stderr).
 */
int cli_inputs_add_path(cli_inputs *in, const char *path, cg_diag *d);

/* The capabilities a Tauri config (tauri.conf.json, tauri.<platform>.conf.json)
 * inlines in app.security.capabilities, once per run whatever names the
 * file (a project's path or --config); nothing for another config. */
void cli_inputs_add_config(cli_inputs *in, const char *path, cg_diag *d);

/* Declares the app commands a host registers in C (comma-separated names),
 * so that their allow-/deny- permissions exist as they do at run time.
 * 0, or -1 on a bad name (message on stderr). */
int cli_inputs_declare(cli_inputs *in, const char *list);

#endif
