/*
 * The os plugin's manifest: the official permission identifiers and
 * default of Tauri's os plugin (plugins/os/permissions.json, written by
 * build-aux/gen-plugin-manifests.py from an app's acl-manifests.json and
 * embedded at build time).
 */
#ifndef CG_PLUGIN_OS_MANIFEST_H
#define CG_PLUGIN_OS_MANIFEST_H

extern const char cg_os_permissions_json[];

#endif
