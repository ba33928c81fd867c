/*
 * The store plugin's manifest: the official permission identifiers and
 * default of Tauri's store plugin as its build generates them
 * (plugins/store/permissions.json, written by
 * build-aux/gen-plugin-manifests.py from an acl-manifests.json and embedded
 * at build time), for when the app ships no store manifest of its own.
 */
#ifndef CG_PLUGIN_STORE_MANIFEST_H
#define CG_PLUGIN_STORE_MANIFEST_H

extern const char cg_store_permissions_json[];

#endif
