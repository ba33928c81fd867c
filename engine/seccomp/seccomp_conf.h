/* seccomp internals: the profile as written in an app config
 * (seccomp_conf.c) and the table of what the baseline denies (seccomp.c). */
#ifndef CG_SECCOMP_CONF_H
#define CG_SECCOMP_CONF_H

#include "base/jsondoc.h"

#include <stdbool.h>

/* Where a setting was written, so lint can point at it. */
typedef struct cg_conf_pos {
	unsigned line, col;   /* 0 when the setting is absent */
} cg_conf_pos;

typedef struct cg_seccomp_conf {
	bool written;         /* security.seccomp is in the file */
	bool enabled;         /* default: true */
	int action;           /* cg_seccomp_action */
	int exec, network;    /* -1: not set (the grants decide), 0, 1 */
	char **allow, **deny; /* NULL-terminated; syscall names or @groups */
	size_t n_allow, n_deny;
	char *file;           /* the config file, for lint */
	cg_conf_pos at, at_enabled, at_action, at_exec, at_network, at_allow;
} cg_seccomp_conf;

CG_HIDDEN void cg_seccomp_conf_init(cg_seccomp_conf *c);
CG_HIDDEN void cg_seccomp_conf_clear(cg_seccomp_conf *c);
/* Reads security.seccomp (v, at pointer ptr): every error names its place. */
CG_HIDDEN int cg_seccomp_conf_read(cg_seccomp_conf *c, cg_diag *d, const cg_jsondoc *doc,
				   json_object *v, const char *ptr);

/* The app config's profile (never NULL for a config). */
CG_HIDDEN const cg_seccomp_conf *cg_appconfig_seccomp_conf(const cg_appconfig *c);

/* Is name a baseline group ("@mount") or a syscall the baseline denies? */
CG_HIDDEN bool cg_seccomp_baseline_has(const char *name);
/* The baseline's group names, comma-separated, for messages. */
CG_HIDDEN const char *cg_seccomp_group_list(void);

/* Why a granted command needs exec or network: the first granted command
 * that does, or NULL. Borrowed from the policy. */
CG_HIDDEN const char *cg_seccomp_need(const struct cg_policy *p, bool network);

#endif
