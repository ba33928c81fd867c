/* The list of built-in plugins, and enabling them all with the app's
 * configuration. */
#include "builtin/builtin.h"
#include "fs/plugin.h"
#include "store/plugin.h"

#include <stdio.h>

const cg_plugin_def *const cg_builtin_plugins[] = {
	&cg_fs_plugin,
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
