/* The list of built-in plugins, and enabling them all with the app's
 * configuration. */
#include "builtin/builtin.h"
#include "fs/plugin.h"
#include "path/plugin.h"
#include "os/plugin.h"
#include "store/plugin.h"

#include <stdio.h>
#include <string.h>

const cg_plugin_def *const cg_builtin_plugins[] = {
	&cg_path_plugin,
	&cg_fs_plugin,
	&cg_os_plugin,
	&cg_store_kv_plugin,
	NULL,
};

int cg_builtin_plugins_enable(cg_router *r, const cg_appconfig *cfg, const char *resource_dir,
			      cg_diag *d)
{
	cg_plugin_env env = {.identifier = cfg ? cg_appconfig_identifier(cfg) : NULL,
			     .resource_dir = resource_dir};
	for (size_t i = 0; cg_builtin_plugins[i]; i++) {
		const cg_plugin_def *p = cg_builtin_plugins[i];
		int rc = cg_router_enable_plugin(r, p, &env, cg_appconfig_plugin_config(cfg, p->name));
		if (rc < 0) {
			char msg[256];
			snprintf(msg, sizeof(msg), "the built-in plugin \"%s\" could not be enabled: %s",
				 p->name, cg_strerror(rc));
			cg_diag_add_message(d, CG_SEV_ERROR, rc, NULL, 0, 0, "/plugins",
					    "check the app configuration's \"plugins\" object; the core's log says more",
					    msg);
			return rc;
		}
	}
	return 0;
}

int cg_builtin_plugins_declare(cg_builder *b)
{
	if (!b)
		return CG_EINVAL;
	for (size_t i = 0; cg_builtin_plugins[i]; i++) {
		const cg_plugin_def *p = cg_builtin_plugins[i];
		/* A core:* plugin's permissions are the core manifests' (built
		 * in, or the app's): declaring its commands would make
		 * core:path:allow-* exist under --no-builtin-core. */
		if (!strncmp(p->name, "core:", 5))
			continue;
		for (size_t k = 0; k < p->n_commands; k++) {
			int rc = cg_builder_declare_command(b, p->name, p->commands[k].name);
			if (rc < 0)
				return rc;
		}
		if (p->manifest_json) {
			int rc = cg_builder_add_manifest_fallback(b, p->name, p->name, p->manifest_json,
								  strlen(p->manifest_json));
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}
