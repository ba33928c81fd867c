/*
 * The core's seccomp profile, in two tiers (docs/ARCHITECTURE.md says why):
 *
 *  - the process tier is loaded on every thread of the core (TSYNC) and is
 *    inherited by every process WebKit starts later (web, network and bwrap
 *    processes), so it denies only what none of them ever needs;
 *  - the handler tier is stacked on the threads that run command handlers:
 *    the whole baseline, plus exec and internet sockets unless the app
 *    needs them, plus the app's own denials.
 *
 * Both are default-allow filters with a deny list (as Flatpak's), built
 * with libseccomp for the native architecture only: a call made through
 * another ABI (i386's int 0x80, x32) gets the bad-arch action, never the
 * allow.
 */
#include "policy/model.h"
#include "seccomp/seccomp_conf.h"

#include <errno.h>
#include <fnmatch.h>
#include <linux/sched.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>

enum { TP = 1, TH = 2 }; /* tiers */
enum { K_PLAIN, K_CLONE_NS, K_PERSONALITY, K_TTY };

typedef struct {
	const char *group, *name;
	unsigned tiers;
	int kind;
} base_rule;

/*
 * The baseline. The process tier is the set measured harmless to WebKit's
 * own processes (reference NOTES §10); mount, namespaces and personality
 * stay out of it because bwrap, which WebKit runs for its sandbox, needs
 * them.
 */
static const base_rule baseline[] = {
	{"@debug", "ptrace", TP | TH, K_PLAIN},
	{"@debug", "process_vm_readv", TP | TH, K_PLAIN},
	{"@debug", "process_vm_writev", TP | TH, K_PLAIN},
	{"@debug", "perf_event_open", TP | TH, K_PLAIN},
	{"@module", "init_module", TP | TH, K_PLAIN},
	{"@module", "finit_module", TP | TH, K_PLAIN},
	{"@module", "delete_module", TP | TH, K_PLAIN},
	{"@reboot", "kexec_load", TP | TH, K_PLAIN},
	{"@reboot", "kexec_file_load", TP | TH, K_PLAIN},
	{"@reboot", "reboot", TP | TH, K_PLAIN},
	{"@swap", "swapon", TP | TH, K_PLAIN},
	{"@swap", "swapoff", TP | TH, K_PLAIN},
	{"@clock", "settimeofday", TP | TH, K_PLAIN},
	{"@clock", "clock_settime", TP | TH, K_PLAIN},
	{"@clock", "clock_adjtime", TP | TH, K_PLAIN},
	{"@clock", "adjtimex", TP | TH, K_PLAIN},
	{"@raw-io", "ioperm", TP | TH, K_PLAIN},
	{"@raw-io", "iopl", TP | TH, K_PLAIN},
	{"@keyring", "keyctl", TP | TH, K_PLAIN},
	{"@keyring", "add_key", TP | TH, K_PLAIN},
	{"@keyring", "request_key", TP | TH, K_PLAIN},
	{"@privileged", "bpf", TP | TH, K_PLAIN},
	{"@privileged", "userfaultfd", TP | TH, K_PLAIN},
	{"@privileged", "acct", TP | TH, K_PLAIN},
	{"@privileged", "quotactl", TH, K_PLAIN},
	{"@privileged", "lookup_dcookie", TH, K_PLAIN},
	{"@privileged", "vhangup", TH, K_PLAIN},
	{"@privileged", "syslog", TH, K_PLAIN},
	/* io_uring runs socket and file operations that seccomp never sees. */
	{"@privileged", "io_uring_setup", TH, K_PLAIN},
	{"@privileged", "io_uring_enter", TH, K_PLAIN},
	{"@privileged", "io_uring_register", TH, K_PLAIN},
	{"@mount", "mount", TH, K_PLAIN},
	{"@mount", "umount2", TH, K_PLAIN},
	{"@mount", "pivot_root", TH, K_PLAIN},
	{"@mount", "chroot", TH, K_PLAIN},
	{"@mount", "move_mount", TH, K_PLAIN},
	{"@mount", "open_tree", TH, K_PLAIN},
	{"@mount", "fsopen", TH, K_PLAIN},
	{"@mount", "fsconfig", TH, K_PLAIN},
	{"@mount", "fsmount", TH, K_PLAIN},
	{"@mount", "fspick", TH, K_PLAIN},
	{"@mount", "mount_setattr", TH, K_PLAIN},
	{"@namespaces", "unshare", TH, K_PLAIN},
	{"@namespaces", "setns", TH, K_PLAIN},
	{"@namespaces", "clone", TH, K_CLONE_NS},
	{"@personality", "personality", TH, K_PERSONALITY},
	{"@tty", "ioctl", TH, K_TTY},
};
#define N_BASELINE (sizeof(baseline) / sizeof(baseline[0]))

bool cg_seccomp_baseline_has(const char *name)
{
	for (size_t i = 0; i < N_BASELINE; i++)
		if (strcmp(name, baseline[i].group) == 0 || strcmp(name, baseline[i].name) == 0)
			return true;
	return false;
}

const char *cg_seccomp_group_list(void)
{
	return "@debug, @module, @reboot, @swap, @clock, @raw-io, @keyring, @privileged, "
	       "@mount, @namespaces, @personality, @tty";
}

/* ----------------------------------------------------- what grants imply */

/* Commands that start programs or open internet sockets in the plugins
 * capgate knows (the names Tauri's plugins use). An app command that does
 * either must say so in the config: capgate cannot see into C handlers. */
static const struct {
	const char *pattern;
	bool network;
} needs[] = {
	{"plugin:shell|execute", false}, {"plugin:shell|spawn", false},
	{"plugin:shell|open", false},
	{"plugin:process|restart", false},
	{"plugin:opener|open_url", false}, {"plugin:opener|open_path", false},
	{"plugin:opener|reveal_item_in_dir", false},
	{"plugin:updater|install", false}, {"plugin:updater|download_and_install", false},
	{"plugin:http|*", true}, {"plugin:websocket|*", true},
	{"plugin:upload|*", true},
	{"plugin:updater|check", true}, {"plugin:updater|download", true},
	{"plugin:updater|download_and_install", true},
};

const char *cg_seccomp_need(const cg_policy *p, bool network)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n_cmds; i++) {
		const cg_cmd *c = &p->cmds[i];
		bool granted = false;
		for (uint32_t g = c->n_deny; !granted && g < c->n_grants; g++)
			granted = !c->grants[g].deny && p->caps[c->grants[g].cap].enabled;
		if (!granted)
			continue;
		for (size_t k = 0; k < sizeof(needs) / sizeof(needs[0]); k++)
			if (needs[k].network == network && fnmatch(needs[k].pattern, c->name, 0) == 0)
				return c->name;
	}
	return NULL;
}

/* ------------------------------------------------------------- profile */

struct cg_seccomp {
	bool enabled;
	cg_seccomp_action action;
	bool exec, network;
	char *exec_why, *network_why;
	scmp_filter_ctx ctx[2];       /* [CG_SECCOMP_PROCESS], [CG_SECCOMP_HANDLERS] */
	pthread_mutex_t lock;         /* libseccomp contexts are not thread-safe */
};

static bool allowed_by_conf(const cg_seccomp_conf *c, const base_rule *b)
{
	for (size_t i = 0; c && i < c->n_allow; i++)
		if (strcmp(c->allow[i], b->name) == 0 || strcmp(c->allow[i], b->group) == 0)
			return true;
	return false;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t act, const base_rule *b)
{
	int nr = seccomp_syscall_resolve_name(b->name);
	if (nr == __NR_SCMP_ERROR)
		return 0; /* not a call of this libseccomp's architectures */
	int r = 0;
	switch (b->kind) {
	case K_PLAIN:
		r = seccomp_rule_add(ctx, act, nr, 0);
		break;
	case K_CLONE_NS: {
		/* One rule per flag: a rule's comparisons are ANDed. */
		static const uint64_t flags[] = {CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS,
						 CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
						 CLONE_NEWNET};
		for (size_t i = 0; r == 0 && i < sizeof(flags) / sizeof(flags[0]); i++)
			r = seccomp_rule_add(ctx, act, nr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, flags[i], flags[i]));
		break;
	}
	case K_PERSONALITY:
		/* Only the default: other personalities turn off ASLR
		 * (ADDR_NO_RANDOMIZE) or change how memory is mapped. */
		r = seccomp_rule_add(ctx, act, nr, 1, SCMP_A0(SCMP_CMP_NE, PER_LINUX));
		break;
	case K_TTY:
		/* Typing into the terminal the app was started from. */
		r = seccomp_rule_add(ctx, act, nr, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI));
		if (r == 0)
			r = seccomp_rule_add(ctx, act, nr, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX));
		break;
	}
	return r;
}

static int build_tier(cg_seccomp *s, const cg_seccomp_conf *c, int tier, scmp_filter_ctx *out)
{
	uint32_t act = s->action == CG_SECCOMP_KILL ? SCMP_ACT_KILL_PROCESS
		       : s->action == CG_SECCOMP_LOG ? SCMP_ACT_LOG
						      : SCMP_ACT_ERRNO(EPERM);
	/* A foreign ABI gets ENOSYS (kill: death), as if the kernel had no
	 * such call; under log it is only logged, like everything else. */
	uint32_t badarch = s->action == CG_SECCOMP_ERRNO ? SCMP_ACT_ERRNO(ENOSYS) : act;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return CG_ENOMEM;
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, badarch);
	if (r == 0 && tier == CG_SECCOMP_PROCESS)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	unsigned bit = tier == CG_SECCOMP_PROCESS ? TP : TH;
	for (size_t i = 0; r == 0 && i < N_BASELINE; i++) {
		const base_rule *b = &baseline[i];
		if (!(b->tiers & bit) || allowed_by_conf(c, b))
			continue;
#if defined(__SANITIZE_ADDRESS__)
		/* LeakSanitizer stops the process with ptrace at exit, from the
		 * main thread: an ASan build leaves ptrace to the handler tier. */
		if (tier == CG_SECCOMP_PROCESS && strcmp(b->name, "ptrace") == 0)
			continue;
#endif
		r = add_rule(ctx, act, b);
	}
	if (r == 0 && tier == CG_SECCOMP_HANDLERS) {
		/* glibc 2.34+ tries clone3 first and falls back to clone on
		 * ENOSYS; clone3 keeps its flags in memory, out of the filter's
		 * reach, so it is refused as if the kernel were older. */
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
		if (r == 0 && !s->exec)
			r = seccomp_rule_add(ctx, act, SCMP_SYS(execve), 0);
		if (r == 0 && !s->exec)
			r = seccomp_rule_add(ctx, act, SCMP_SYS(execveat), 0);
		if (r == 0 && !s->network)
			r = seccomp_rule_add(ctx, act, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_INET));
		if (r == 0 && !s->network)
			r = seccomp_rule_add(ctx, act, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_INET6));
		for (size_t i = 0; r == 0 && c && i < c->n_deny; i++) {
			int nr = seccomp_syscall_resolve_name(c->deny[i]);
			if (nr == __NR_SCMP_ERROR || cg_seccomp_baseline_has(c->deny[i]))
				continue; /* the baseline has it (with its arguments) */
			r = seccomp_rule_add(ctx, act, nr, 0);
		}
	}
	if (r < 0) {
		seccomp_release(ctx);
		/* Anything else means this kernel (or an emulator such as
		 * valgrind) lacks a feature the profile needs: TSYNC, the kill
		 * or log actions. */
		return r == -ENOMEM ? CG_ENOMEM : CG_ESECCOMP;
	}
	*out = ctx;
	return 0;
}

CG_EXPORT void cg_seccomp_free(cg_seccomp *s)
{
	if (!s)
		return;
	for (int i = 0; i < 2; i++)
		if (s->ctx[i])
			seccomp_release(s->ctx[i]);
	free(s->exec_why);
	free(s->network_why);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static char *why(int set, const char *need, bool *on)
{
	if (set >= 0) {
		*on = set;
		return strdup(set ? "set to true in the config" : "set to false in the config");
	}
	*on = need != NULL;
	return need ? cg_strdup_printf("granted command %s needs it", need)
		    : strdup("no granted command needs it");
}

CG_EXPORT int cg_seccomp_new(const cg_appconfig *config, const cg_policy *p, cg_seccomp **out)
{
	if (!out)
		return CG_EINVAL;
	*out = NULL;
	cg_seccomp *s = calloc(1, sizeof(*s));
	if (!s)
		return CG_ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	const cg_seccomp_conf *c = config ? cg_appconfig_seccomp_conf(config) : NULL;
	s->enabled = c ? c->enabled : true;
	s->action = c ? (cg_seccomp_action)c->action : CG_SECCOMP_ERRNO;
	s->exec_why = why(c ? c->exec : -1, cg_seccomp_need(p, false), &s->exec);
	s->network_why = why(c ? c->network : -1, cg_seccomp_need(p, true), &s->network);
	int r = s->exec_why && s->network_why ? 0 : CG_ENOMEM;
	for (int t = 0; r == 0 && t < 2; t++)
		r = build_tier(s, c, t, &s->ctx[t]);
	if (r < 0) {
		cg_seccomp_free(s);
		return r;
	}
	*out = s;
	return 0;
}

CG_EXPORT int cg_seccomp_enabled(const cg_seccomp *s) { return s && s->enabled; }
CG_EXPORT cg_seccomp_action cg_seccomp_deny_action(const cg_seccomp *s)
{
	return s ? s->action : CG_SECCOMP_ERRNO;
}

CG_EXPORT int cg_seccomp_exec(const cg_seccomp *s, const char **reason)
{
	if (reason)
		*reason = s ? s->exec_why : NULL;
	return s && s->exec;
}

CG_EXPORT int cg_seccomp_network(const cg_seccomp *s, const char **reason)
{
	if (reason)
		*reason = s ? s->network_why : NULL;
	return s && s->network;
}

CG_EXPORT int cg_seccomp_load(cg_seccomp *s, cg_seccomp_tier tier)
{
	if (!s || (unsigned)tier > CG_SECCOMP_HANDLERS)
		return CG_EINVAL;
	if (!s->enabled)
		return 0;
	pthread_mutex_lock(&s->lock);
	int r = seccomp_load(s->ctx[tier]);
	pthread_mutex_unlock(&s->lock);
	return r == 0 ? 0 : CG_ESECCOMP;
}

CG_EXPORT int cg_seccomp_export(cg_seccomp *s, cg_seccomp_tier tier, cg_seccomp_format fmt, int fd)
{
	if (!s || (unsigned)tier > CG_SECCOMP_HANDLERS || fd < 0 ||
	    (fmt != CG_SECCOMP_PFC && fmt != CG_SECCOMP_BPF))
		return CG_EINVAL;
	pthread_mutex_lock(&s->lock);
	int r = fmt == CG_SECCOMP_PFC ? seccomp_export_pfc(s->ctx[tier], fd)
				      : seccomp_export_bpf(s->ctx[tier], fd);
	pthread_mutex_unlock(&s->lock);
	return r == 0 ? 0 : r == -ENOMEM ? CG_ENOMEM : CG_EIO;
}
