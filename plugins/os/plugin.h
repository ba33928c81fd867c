/*
 * The os plugin as a capgate plugin (cg_plugin_def, capgate.h): the init
 * script that gives @tauri-apps/plugin-os its synchronous facts
 * (window.__TAURI_OS_PLUGIN_INTERNALS__) and the commands locale,
 * hostname, platform, version, os_type, family, arch and exe_extension,
 * with the official manifest embedded (os/manifest.h). Enable it with
 * cg_router_enable_plugin(r, &cg_os_plugin, env, NULL).
 */
#ifndef CG_PLUGIN_OS_PLUGIN_H
#define CG_PLUGIN_OS_PLUGIN_H

#include <capgate.h>

extern const cg_plugin_def cg_os_plugin;

/* The locale as the os plugin answers it: the first non-empty of LC_ALL,
 * LC_CTYPE and LANG, without its codeset or modifier, '_' as '-' ("en_US.UTF-8"
 * -> "en-US"); NULL when none is set. malloc'd. */
char *cg_os_locale(void);

#endif
