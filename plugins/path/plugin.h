/*
 * core:path as a capgate plugin (cg_plugin_def, capgate.h): the eight
 * commands @tauri-apps/api's path module invokes (plugin:path|
 * resolve_directory, resolve, normalize, join, dirname, extname,
 * basename, is_absolute), with Tauri's arguments, results and error
 * strings (crates/tauri/src/path/plugin.rs). Its permissions are the
 * built-in core manifests' core:path (core:default and core:path:default
 * grant every command), so it embeds none. sep() and delimiter() read
 * __TAURI_INTERNALS__.plugins.path, which the runtime's bridge defines.
 * Enable it with cg_router_enable_plugin(r, &cg_path_plugin, env, NULL).
 */
#ifndef CG_PLUGIN_PATH_PLUGIN_H
#define CG_PLUGIN_PATH_PLUGIN_H

#include <capgate.h>

extern const cg_plugin_def cg_path_plugin;

#endif
