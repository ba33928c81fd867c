/*
 * The store plugin as a capgate plugin (cg_plugin_def, capgate.h): Tauri's
 * plugin-store in @tauri-apps/plugin-store's wire format, 2.0.0 (create_store,
 * load as reload, get answering the bare value) to the newest (load with
 * options, get answering [value, exists], reload, get_store). Stores are JSON
 * files below AppData, shared by every page that loads the same path; each
 * page holds its own rid (a resource, freed when the page goes). Saves are
 * durable and atomic (store/durable.h). Changes are emitted as
 * store://change to the pages that hold the store, each with its own rid.
 * Enable it with cg_router_enable_plugin(r, &cg_store_kv_plugin, env, config).
 * docs/plugins.md says where it differs from Tauri.
 */
#ifndef CG_PLUGIN_STORE_PLUGIN_H
#define CG_PLUGIN_STORE_PLUGIN_H

#include <capgate.h>

extern const cg_plugin_def cg_store_kv_plugin;

#endif
