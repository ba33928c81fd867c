/*
 * The fs plugin as a capgate plugin (cg_plugin_def, capgate.h): its
 * commands in @tauri-apps/plugin-fs's wire format, its embedded manifest
 * (fs/manifest.h), plugins.fs config (requireLiteralLeadingDot) and its
 * scope compiled once per policy (fs/scope.h). Enable it with
 * cg_router_enable_plugin(r, &cg_fs_plugin, env, config).
 *
 * Commands: read_file, read_text_file (bytes, as plugin-fs 2.0.3+ reads
 * them), write_file, write_text_file (raw body, path and options in
 * headers), exists, stat, lstat, mkdir, remove, rename, copy_file,
 * read_dir, truncate. Not yet: open/create/read/write/seek/fstat/ftruncate
 * (file handles as resources), read_text_file_lines(_next), size, watch
 * and unwatch. docs/plugins.md says where they differ from Tauri.
 */
#ifndef CG_PLUGIN_FS_PLUGIN_H
#define CG_PLUGIN_FS_PLUGIN_H

#include <capgate.h>

extern const cg_plugin_def cg_fs_plugin;

#endif
