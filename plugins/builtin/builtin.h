/*
 * capgate's built-in plugins, all at once: what `capgate run` enables for
 * an app with no C code. A host of its own may enable them one by one
 * (cg_router_enable_plugin with fs/plugin.h's cg_fs_plugin, ...) or all
 * with this call.
 */
#ifndef CG_PLUGIN_BUILTIN_H
#define CG_PLUGIN_BUILTIN_H

#include <capgate.h>

/* The built-in plugins, NULL-terminated. */
extern const cg_plugin_def *const cg_builtin_plugins[];

/* Enables every built-in plugin on r, each with its plugins.NAME object
 * of cfg (cfg may be NULL) and the app's identifier; resource_dir (may be
 * NULL) is where the app's own files are ($RESOURCE). Stops at the first
 * failure and returns its code, with a located message in d (may be
 * NULL); plugins enabled before it stay enabled. */
int cg_builtin_plugins_enable(cg_router *r, const cg_appconfig *cfg, const char *resource_dir,
			      cg_diag *d);

/* What enabling them would tell a builder, without a router: each
 * built-in plugin's manifest as a fallback (cg_builder_add_manifest_fallback,
 * used only when no source defines that plugin) and each of its commands
 * declared (cg_builder_declare_command), as cg_router_declare_commands
 * does for enabled plugins; core:* plugins (core:path) are left to the
 * core manifests, so a builder without the built-in core ones
 * (cg_builder_use_builtin_core) has none of their permissions. For the tools that build a policy as
 * `capgate run` would (check, lint, audit, seccomp). 0 or a negative
 * CG_E* code. */
int cg_builtin_plugins_declare(cg_builder *b);

#endif
