/*
 * The runtime's use of the seccomp profile: the process tier on the whole
 * core, the handler tier on the router's handler threads. Why two tiers:
 * docs/ARCHITECTURE.md ("seccomp").
 */
#include "runtime.h"

/* The grants decide exec and network when the config does not. */
int cgr_seccomp_prepare(cg_app *app, const cg_policy *p, cg_diag *d)
{
	int rc = cg_seccomp_new(app->cfg, p, &app->seccomp);
	if (rc < 0)
		cg_diag_add_message(d, CG_SEV_ERROR, rc, NULL, 0, 0, NULL,
				    rc == CG_ESECCOMP ? "run on Linux 4.14 or later, or set \"seccomp\": false in security" : NULL,
				    rc == CG_ESECCOMP ? "this kernel lacks what the core's seccomp filter needs"
						      : "cannot build the seccomp filter (out of memory)");
	return rc;
}

int cgr_seccomp_start(cg_app *app, cg_diag *d)
{
	int rc;
	if (!cg_seccomp_enabled(app->seccomp)) {
		cgr_log("warning: seccomp is off (security.seccomp): command handlers run unfiltered");
		return 0;
	}
	if ((rc = cg_seccomp_load(app->seccomp, CG_SECCOMP_PROCESS)) < 0 ||
	    (rc = cg_router_set_seccomp(app->r, app->seccomp)) < 0) {
		cg_diag_add_message(d, CG_SEV_ERROR, rc, NULL, 0, 0, NULL,
				    "run on Linux 3.17 or later with seccomp allowed, or set \"seccomp\": false in security",
				    "the kernel refused the core's seccomp filter");
		return rc;
	}
	static const char *const actions[] = {"errno (EPERM)", "kill", "log (nothing is blocked)"};
	const char *ew, *nw;
	int ex = cg_seccomp_exec(app->seccomp, &ew), net = cg_seccomp_network(app->seccomp, &nw);
	cgr_log("seccomp: action %s; handlers %s start programs (%s) and %s open internet sockets (%s)",
		actions[cg_seccomp_deny_action(app->seccomp)], ex ? "may" : "may not", ew,
		net ? "may" : "may not", nw);
	return 0;
}
