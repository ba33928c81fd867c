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

#endif
