/*
 * security.seccomp in an app config:
 *   false | true | {"enabled", "action": "errno"|"kill"|"log", "exec", "network",
 *                   "allow": [names], "deny": [names]}
 * Every name is checked here, against libseccomp's syscall table and the
 * baseline, so that a typo is an error at load time with its position,
 * not a filter that silently does less than it says.
 */
#include "policy/model.h"
#include "base/jsonval.h"
#include "seccomp/seccomp_conf.h"

#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

void cg_seccomp_conf_init(cg_seccomp_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->enabled = true;
	c->action = CG_SECCOMP_ERRNO;
	c->exec = c->network = -1;
}

void cg_seccomp_conf_clear(cg_seccomp_conf *c)
{
	cg_strv_free(c->allow);
	cg_strv_free(c->deny);
	free(c->file);
	cg_seccomp_conf_init(c);
}

static void pos(const cg_jsondoc *doc, const char *base, const char *key, cg_conf_pos *out)
{
	char *p = key ? cg_pointer_join(base, key) : strdup(base);
	if (p)
		cg_jsondoc_locate(doc, p, &out->line, &out->col);
	free(p);
}

static int get_bool(cg_diag *d, const cg_jsondoc *doc, json_object *o, const char *ptr,
		    const char *key, int *out)
{
	json_object *v = cg_jv_get(o, key);
	if (!v)
		return 0;
	char *p = cg_pointer_join(ptr, key);
	bool ok = cg_jv_expect(d, doc, v, p ? p : ptr, json_type_boolean, key);
	free(p);
	if (!ok)
		return CG_ESCHEMA;
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 0;
}

/* Calls a denial list must never name: without them no thread can start,
 * wait or exit, and clone3 is already answered ENOSYS so glibc falls back
 * to clone, whose flags the filter can read. */
static bool essential(const char *name)
{
	static const char *const names[] = {"clone3", "clone", "exit", "exit_group", "futex",
					    "rt_sigreturn", "restart_syscall", "brk", "mmap",
					    "munmap", "mprotect", "read", "write", NULL};
	for (int i = 0; names[i]; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static int check_names(cg_diag *d, const cg_jsondoc *doc, const char *ptr, char **names,
		       bool allow)
{
	int r = 0;
	for (size_t i = 0; names && names[i]; i++) {
		const char *n = names[i];
		char *p = cg_pointer_join_index(ptr, i);
		const char *at = p ? p : ptr;
		if (strcmp(n, "@exec") == 0 || strcmp(n, "@network") == 0) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, at,
					 n[1] == 'e' ? "set \"exec\": true or false instead"
						     : "set \"network\": true or false instead",
					 "\"%s\" is a switch, not a list entry", n);
			r = CG_ESCHEMA;
		} else if (n[0] == '@') {
			if (!allow || !cg_seccomp_baseline_has(n)) {
				cg_jsondoc_error(d, doc, CG_ESCHEMA, at, NULL,
						 allow ? "unknown group \"%s\" (the groups are %s)"
						       : "\"%s\": groups name what the baseline denies already; list syscalls in \"deny\" (the groups are %s)",
						 n, cg_seccomp_group_list());
				r = CG_ESCHEMA;
			}
		} else if (seccomp_syscall_resolve_name(n) == __NR_SCMP_ERROR) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, at, "use the kernel's name, e.g. \"ptrace\" or \"mount\"",
					 "\"%s\" is not a system call libseccomp knows", n);
			r = CG_ESCHEMA;
		} else if (allow && !cg_seccomp_baseline_has(n)) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, at,
					 "\"allow\" only lifts what the baseline denies; remove it",
					 "the baseline does not deny \"%s\"", n);
			r = CG_ESCHEMA;
		} else if (!allow && essential(n)) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, at, "remove it",
					 "\"%s\" cannot be denied: threads could no longer start, wait or exit", n);
			r = CG_ESCHEMA;
		}
		free(p);
	}
	return r;
}

static int read_list(cg_diag *d, const cg_jsondoc *doc, json_object *o, const char *ptr,
		     const char *key, char ***out, size_t *n)
{
	json_object *v = cg_jv_get(o, key);
	if (!v)
		return 0;
	char *p = cg_pointer_join(ptr, key);
	if (!p)
		return CG_ENOMEM;
	int r = cg_jv_strings(d, doc, v, p, key, out, n);
	if (r == 0)
		r = check_names(d, doc, p, *out, strcmp(key, "allow") == 0);
	free(p);
	return r;
}

int cg_seccomp_conf_read(cg_seccomp_conf *c, cg_diag *d, const cg_jsondoc *doc, json_object *v,
			 const char *ptr)
{
	c->written = true;
	if (!(c->file = strdup(doc->name)))
		return CG_ENOMEM;
	pos(doc, ptr, NULL, &c->at);
	if (json_object_is_type(v, json_type_boolean)) {
		c->enabled = json_object_get_boolean(v);
		c->at_enabled = c->at;
		return 0;
	}
	static const char *const keys[] = {"enabled", "action", "exec", "network", "allow", "deny", NULL};
	if (!cg_jv_expect(d, doc, v, ptr, json_type_object, "\"seccomp\""))
		return CG_ESCHEMA;
	int ret = cg_jv_unknown_keys(d, doc, v, ptr, keys, CG_SEV_ERROR, "\"seccomp\"") ? CG_ESCHEMA : 0;
	int en = 1, r;
	if ((r = get_bool(d, doc, v, ptr, "enabled", &en)) < 0)
		ret = r;
	c->enabled = en;
	if ((r = get_bool(d, doc, v, ptr, "exec", &c->exec)) < 0)
		ret = r;
	if ((r = get_bool(d, doc, v, ptr, "network", &c->network)) < 0)
		ret = r;
	json_object *a = cg_jv_get(v, "action");
	if (a) {
		static const char *const names[] = {"errno", "kill", "log"};
		const char *s = json_object_is_type(a, json_type_string) ? json_object_get_string(a) : "";
		int found = -1;
		for (int i = 0; i < 3; i++)
			if (strcmp(s, names[i]) == 0)
				found = i;
		if (found < 0) {
			char *p = cg_pointer_join(ptr, "action");
			cg_jsondoc_error(d, doc, CG_ESCHEMA, p ? p : ptr,
					 "write \"errno\" (refuse with EPERM), \"kill\" (end the app) or \"log\" (refuse nothing, log)",
					 "unknown seccomp action");
			free(p);
			ret = CG_ESCHEMA;
		} else {
			c->action = found;
		}
	}
	if ((r = read_list(d, doc, v, ptr, "allow", &c->allow, &c->n_allow)) < 0)
		ret = r;
	if ((r = read_list(d, doc, v, ptr, "deny", &c->deny, &c->n_deny)) < 0)
		ret = r;
	for (size_t i = 0; ret == 0 && i < c->n_deny; i++) {
		bool ex = strcmp(c->deny[i], "execve") == 0 || strcmp(c->deny[i], "execveat") == 0;
		for (size_t k = 0; k < c->n_allow; k++)
			if (strcmp(c->deny[i], c->allow[k]) == 0) {
				char *p = cg_pointer_join(ptr, "deny");
				cg_jsondoc_error(d, doc, CG_ESCHEMA, p ? p : ptr, "keep it in one list",
						 "\"%s\" is both allowed and denied", c->deny[i]);
				free(p);
				ret = CG_ESCHEMA;
			}
		if (ex && c->exec == 1) {
			char *p = cg_pointer_join(ptr, "deny");
			cg_jsondoc_error(d, doc, CG_ESCHEMA, p ? p : ptr, "set \"exec\": false instead",
					 "\"exec\" is true but \"deny\" names %s", c->deny[i]);
			free(p);
			ret = CG_ESCHEMA;
		}
	}
	pos(doc, ptr, "enabled", &c->at_enabled);
	pos(doc, ptr, "action", &c->at_action);
	pos(doc, ptr, "exec", &c->at_exec);
	pos(doc, ptr, "network", &c->at_network);
	pos(doc, ptr, "allow", &c->at_allow);
	return ret;
}
