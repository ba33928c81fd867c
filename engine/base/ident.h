/* Permission identifiers: Tauri's naming rules and how they map to plugins
 * and command names. */
#ifndef CG_IDENT_H
#define CG_IDENT_H

#include "base/internal.h"

#define CG_IDENT_MAX 116

/* 0 if id is a valid permission identifier, else CG_EIDENT with *why set to
 * a static message naming the rule that was broken. */
CG_HIDDEN int cg_ident_validate(const char *id, const char **why);
/* Length of the prefix (up to the last ':'), or 0 when there is none. */
CG_HIDDEN size_t cg_ident_prefix_len(const char *id);
/* Whether a plugin key (the prefix of identifiers) is well-formed. */
CG_HIDDEN int cg_plugin_key_validate(const char *key, const char **why);
/* The IPC name of command cmd of plugin key: "" -> "cmd",
 * "fs" -> "plugin:fs|cmd", "core:event" -> "plugin:event|cmd". */
CG_HIDDEN char *cg_command_name(const char *plugin_key, const char *cmd);
/* "read_file" -> "read-file" (the base of allow-/deny- identifiers). */
CG_HIDDEN char *cg_command_ident(const char *cmd);
/* Platform names: bit for "linux", "macOS", "windows", "android", "iOS";
 * 0 when unknown. */
CG_HIDDEN unsigned cg_platform_bit(const char *name);
CG_HIDDEN const char *cg_platform_list(void);

#endif
