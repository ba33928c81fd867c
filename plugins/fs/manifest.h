/*
 * The fs plugin's manifest: the official permission identifiers, sets and
 * default of Tauri's newest fs release, as its build generates them
 * (plugins/fs/permissions.json, written by build-aux/gen-plugin-manifests.py
 * from an acl-manifests.json and embedded at build time). It is a
 * permission file's JSON (default, set, permission), for
 * cg_builder_add_manifest_json(b, "fs", ...) when the app ships no fs
 * manifest of its own.
 *
 * Tauri's quirks are in it as Tauri has them, and they matter: fs:default
 * names "scope-app-recursive" and "scope-app-index" as commands, not as
 * permissions, so it enables the read commands and mkdir with no path at
 * all; and fs:deny-webview-data-linux has no scope (docs/plugins.md).
 */
#ifndef CG_PLUGIN_FS_MANIFEST_H
#define CG_PLUGIN_FS_MANIFEST_H

extern const char cg_fs_permissions_json[];

#endif
