/*
 * Lint rules on the app config's seccomp profile: a profile weakened
 * without a reason the policy shows. exec and network are compared with
 * what the granted commands need; an app command of the host's own may
 * need them too, which capgate cannot see, hence warnings, not errors.
 */
#include "lint/lint.h"

#include <string.h>

static void at(lint_ctx *x, const cg_conf_pos *p, cg_loc *out)
{
	const cg_seccomp_conf *c = &x->l->seccomp;
	const cg_conf_pos *use = p->line ? p : &c->at;
	out->file = g_string_chunk_insert_const(x->l->strings, c->file);
	out->line = use->line;
	out->col = use->col;
	out->pointer = NULL;
}

static void unneeded(lint_ctx *x, bool network)
{
	const cg_seccomp_conf *c = &x->l->seccomp;
	if ((network ? c->network : c->exec) != 1 || cg_seccomp_need(x->p, network))
		return;
	cg_loc loc;
	at(x, network ? &c->at_network : &c->at_exec, &loc);
	lint_report(x, R_SECCOMP_UNNEEDED, CG_SEV_WARNING, &loc, NULL,
		    network ? "remove \"network\": true unless a command of your own opens internet sockets"
			    : "remove \"exec\": true unless a command of your own starts programs",
		    network ? "\"network\": true lets every command handler open internet sockets, "
			      "but no granted command needs to (such as plugin:http|fetch)"
			    : "\"exec\": true lets every command handler start programs, "
			      "but no granted command needs to (such as plugin:shell|execute)");
}

void lint_seccomp(lint_ctx *x)
{
	const cg_seccomp_conf *c = &x->l->seccomp;
	if (!c->written)
		return;
	cg_loc loc;
	if (!c->enabled) {
		at(x, &c->at_enabled, &loc);
		lint_report(x, R_SECCOMP_OFF, CG_SEV_WARNING, &loc, NULL,
			    "remove it: the default profile denies only what a desktop core never needs",
			    "seccomp is off: an exploited command handler may ptrace, mount, load kernel "
			    "modules, start programs and open sockets");
		return;
	}
	if (c->action == CG_SECCOMP_LOG) {
		at(x, &c->at_action, &loc);
		lint_report(x, R_SECCOMP_LOG, CG_SEV_WARNING, &loc, NULL,
			    "use \"errno\" (the default) or \"kill\" in a release",
			    "seccomp action \"log\" is a learning mode: it blocks nothing, the kernel only logs");
	}
	unneeded(x, false);
	unneeded(x, true);
	for (size_t i = 0; i < c->n_allow; i++) {
		at(x, &c->at_allow, &loc);
		lint_report(x, R_SECCOMP_LIFTED, CG_SEV_NOTE, &loc, NULL,
			    "keep it only if a handler needs it, and say why in a comment of the review",
			    "the seccomp allow list lifts \"%s\" from the baseline", c->allow[i]);
	}
}
