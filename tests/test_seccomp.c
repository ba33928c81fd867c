/*
 * The seccomp profile: how security.seccomp is read (every mistake an error
 * with its place), what the grants imply, and what the filters do, tried
 * in the style of Chromium's and systemd's tests: every call runs in a
 * child process of its own under the filter, and the child reports what
 * the call returned (or dies). A call the kernel would refuse anyway is
 * also tried under "kill", where only the filter can make it die of
 * SIGSYS, so that no case passes by accident.
 */
#include "testutil.h"

#include <glib.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <valgrind/valgrind.h>

extern char **environ;

/* ------------------------------------------------------------- helpers */

static char cfg_path[64];

static cg_appconfig *load_config(const char *seccomp_json, cg_diag *d)
{
	snprintf(cfg_path, sizeof(cfg_path), "/tmp/cg-seccomp-XXXXXX");
	int fd = mkstemp(cfg_path);
	ck_assert_int_ge(fd, 0);
	char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "{\"name\": \"t\",\n \"security\": {\n  \"seccomp\": %s}}\n",
				  seccomp_json), 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	free(text);
	cg_appconfig *c = NULL;
	cg_appconfig_load(cfg_path, &c, d);
	unlink(cfg_path);
	return c;
}

static cg_seccomp *profile(const char *seccomp_json)
{
	cg_diag *d = cg_diag_new();
	cg_appconfig *c = load_config(seccomp_json, d);
	if (!c)
		dump_diag(d);
	ck_assert_ptr_nonnull(c);
	cg_seccomp *s = NULL;
	ck_assert_int_eq(cg_seccomp_new(c, NULL, &s), 0);
	cg_appconfig_free(c);
	cg_diag_free(d);
	return s;
}

/* The config must be refused with a message containing needle, located. */
static void refused(const char *seccomp_json, const char *needle)
{
	cg_diag *d = cg_diag_new();
	cg_appconfig *c = load_config(seccomp_json, d);
	ck_assert_msg(c == NULL, "accepted: %s", seccomp_json);
	int i = diag_find(d, needle);
	if (i < 0)
		dump_diag(d);
	ck_assert_msg(i >= 0, "no \"%s\" for %s", needle, seccomp_json);
	ck_assert_uint_gt(cg_diag_line(d, (size_t)i), 0);
	ck_assert_uint_gt(cg_diag_column(d, (size_t)i), 0);
	cg_diag_free(d);
}

typedef long (*probe_fn)(void);

/* What a call did in a child: exit status 0 when it succeeded, its errno
 * when it failed, or -signal when the child was killed. */
enum { LOAD_FAILED = 255 };

static int run(cg_seccomp *s, cg_seccomp_tier tier, probe_fn fn)
{
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* A probe that faults must die of it, as in a plain build:
		 * sanitizers catch SIGSEGV and exit instead. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		if (s && cg_seccomp_load(s, tier) < 0)
			_exit(LOAD_FAILED);
		errno = 0;
		long r = fn();
		/* _exit: no atexit handlers (LeakSanitizer would ptrace). */
		_exit(r >= 0 ? 0 : errno > 0 && errno < 254 ? errno : 254);
	}
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(!WIFEXITED(st) || WEXITSTATUS(st) != LOAD_FAILED, "the filter did not load");
	return WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
}

/* ------------------------------------------------------------- probes */

static long p_ptrace(void) { return ptrace(PTRACE_TRACEME, 0, NULL, NULL); }
static long p_process_vm_readv(void) { return syscall(SYS_process_vm_readv, getpid(), NULL, 0, NULL, 0, 0); }
static long p_perf_event_open(void) { return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0); }
static long p_init_module(void) { return syscall(SYS_init_module, NULL, 0, ""); }
static long p_finit_module(void) { return syscall(SYS_finit_module, -1, "", 0); }
static long p_delete_module(void) { return syscall(SYS_delete_module, "capgate_none", 0); }
static long p_kexec_load(void) { return syscall(SYS_kexec_load, 0, 0, NULL, 0); }
static long p_reboot(void) { return syscall(SYS_reboot, 0, 0, 0, NULL); }
static long p_swapon(void) { return syscall(SYS_swapon, "/nonexistent/capgate", 0); }
static long p_swapoff(void) { return syscall(SYS_swapoff, "/nonexistent/capgate"); }
static long p_clock_settime(void) { return syscall(SYS_clock_settime, -1, NULL); }
static long p_settimeofday(void) { return syscall(SYS_settimeofday, NULL, NULL); }
static long p_adjtimex(void) { return syscall(SYS_adjtimex, NULL); }
static long p_iopl(void) { return syscall(SYS_iopl, 0); }
static long p_keyctl(void) { return syscall(SYS_keyctl, -1, 0, 0, 0, 0); }
static long p_add_key(void) { return syscall(SYS_add_key, NULL, NULL, NULL, 0, 0); }
static long p_bpf(void) { return syscall(SYS_bpf, -1, NULL, 0); }
static long p_userfaultfd(void) { return syscall(SYS_userfaultfd, 0); }
static long p_acct(void) { return syscall(SYS_acct, "/nonexistent/capgate"); }
static long p_io_uring_setup(void) { return syscall(SYS_io_uring_setup, 0, NULL); }
static long p_mount(void) { return syscall(SYS_mount, NULL, NULL, NULL, 0, NULL); }
static long p_umount2(void) { return syscall(SYS_umount2, "/nonexistent/capgate", 0); }
static long p_pivot_root(void) { return syscall(SYS_pivot_root, "/nonexistent/a", "/nonexistent/b"); }
static long p_chroot(void) { return syscall(SYS_chroot, "/nonexistent/capgate"); }
static long p_unshare(void) { return syscall(SYS_unshare, 0); }
static long p_setns(void) { return syscall(SYS_setns, -1, 0); }
/* CLONE_THREAD without CLONE_SIGHAND is invalid: unfiltered it only fails. */
static long p_clone_newuser(void) { return syscall(SYS_clone, CLONE_NEWUSER | CLONE_THREAD, 0, 0, 0, 0); }
static long p_clone_newnet(void) { return syscall(SYS_clone, CLONE_NEWNET | CLONE_THREAD, 0, 0, 0, 0); }
static long p_personality_32(void) { return syscall(SYS_personality, PER_LINUX32); }
static long p_personality_norand(void) { return syscall(SYS_personality, PER_LINUX | ADDR_NO_RANDOMIZE); }
static long p_tiocsti(void) { return ioctl(-1, TIOCSTI, "x"); }
static long p_execve(void)
{
	char *argv[] = {"true", NULL};
	return execve("/bin/true", argv, environ);
}
static long p_execveat(void)
{
	char *argv[] = {"true", NULL};
	return syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, environ, 0);
}
static long p_inet(void) { return socket(AF_INET, SOCK_STREAM, 0); }
static long p_inet6(void) { return socket(AF_INET6, SOCK_DGRAM, 0); }
static long p_chmod(void) { return syscall(SYS_chmod, "/nonexistent/capgate", 0600); }

/* Allowed under every profile. */
static long p_unix(void) { return socket(AF_UNIX, SOCK_STREAM, 0); }
static long p_personality_linux(void) { return syscall(SYS_personality, PER_LINUX); }
static long p_getpid(void) { return getpid() > 0 ? 0 : -1; }
static long p_file(void)
{
	char path[] = "/tmp/cg-seccomp-file-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	long r = write(fd, "x", 1) == 1 ? 0 : -1;
	close(fd);
	unlink(path);
	return r;
}
static void *thread_fn(void *arg) { return arg; }
/* glibc 2.34+ makes threads with clone3 first: it must fall back. */
static long p_thread(void)
{
	pthread_t t;
	void *out = NULL;
	int rc = pthread_create(&t, NULL, thread_fn, (void *)42);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	pthread_join(t, &out);
	return out == (void *)42 ? 0 : -1;
}
static long p_fork(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : -1;
}
static long p_clone3(void) { return syscall(SYS_clone3, NULL, 0); }

/* i386's int 0x80 (getpid is 20 there) and x32's bit in the number. */
static long p_i386_getpid(void)
{
	long r = 20;
	__asm__ volatile("int $0x80" : "+a"(r) : : "memory", "r8", "r9", "r10", "r11");
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}
static long p_x32_getpid(void) { return syscall(39 | 0x40000000L); }

typedef struct {
	const char *name;
	probe_fn fn;
} probe;

/* Every call the handler tier denies under the default profile. */
static const probe denied_handlers[] = {
	{"ptrace", p_ptrace}, {"process_vm_readv", p_process_vm_readv},
	{"perf_event_open", p_perf_event_open}, {"init_module", p_init_module},
	{"finit_module", p_finit_module}, {"delete_module", p_delete_module},
	{"kexec_load", p_kexec_load}, {"reboot", p_reboot}, {"swapon", p_swapon},
	{"swapoff", p_swapoff}, {"clock_settime", p_clock_settime},
	{"settimeofday", p_settimeofday}, {"adjtimex", p_adjtimex}, {"iopl", p_iopl},
	{"keyctl", p_keyctl}, {"add_key", p_add_key}, {"bpf", p_bpf},
	{"userfaultfd", p_userfaultfd}, {"acct", p_acct}, {"io_uring_setup", p_io_uring_setup},
	{"mount", p_mount}, {"umount2", p_umount2}, {"pivot_root", p_pivot_root},
	{"chroot", p_chroot}, {"unshare", p_unshare}, {"setns", p_setns},
	{"clone(CLONE_NEWUSER)", p_clone_newuser}, {"clone(CLONE_NEWNET)", p_clone_newnet},
	{"personality(PER_LINUX32)", p_personality_32},
	{"personality(ADDR_NO_RANDOMIZE)", p_personality_norand},
	{"ioctl(TIOCSTI)", p_tiocsti}, {"execve", p_execve}, {"execveat", p_execveat},
	{"socket(AF_INET)", p_inet}, {"socket(AF_INET6)", p_inet6},
};
#define N_DENIED (sizeof(denied_handlers) / sizeof(denied_handlers[0]))

static const probe allowed_always[] = {
	{"socket(AF_UNIX)", p_unix}, {"personality(PER_LINUX)", p_personality_linux},
	{"getpid", p_getpid}, {"a file", p_file}, {"pthread_create", p_thread},
	{"fork", p_fork},
};
#define N_ALLOWED (sizeof(allowed_always) / sizeof(allowed_always[0]))

/* --------------------------------------------------------- config tests */

START_TEST(config_defaults)
{
	cg_seccomp *s = NULL;
	ck_assert_int_eq(cg_seccomp_new(NULL, NULL, &s), 0);
	ck_assert(cg_seccomp_enabled(s));
	ck_assert_int_eq(cg_seccomp_deny_action(s), CG_SECCOMP_ERRNO);
	const char *why = NULL;
	ck_assert(!cg_seccomp_exec(s, &why));
	ck_assert_str_eq(why, "no granted command needs it");
	ck_assert(!cg_seccomp_network(s, &why));
	cg_seccomp_free(s);
	cg_seccomp_free(NULL);
	ck_assert_int_eq(cg_seccomp_new(NULL, NULL, NULL), CG_EINVAL);

	s = profile("false");
	ck_assert(!cg_seccomp_enabled(s));
	ck_assert_int_eq(cg_seccomp_load(s, CG_SECCOMP_HANDLERS), 0); /* a no-op */
	cg_seccomp_free(s);

	s = profile("{\"action\": \"kill\", \"exec\": true, \"network\": false}");
	ck_assert(cg_seccomp_enabled(s));
	ck_assert_int_eq(cg_seccomp_deny_action(s), CG_SECCOMP_KILL);
	ck_assert(cg_seccomp_exec(s, &why));
	ck_assert_str_eq(why, "set to true in the config");
	ck_assert(!cg_seccomp_network(s, &why));
	ck_assert_str_eq(why, "set to false in the config");
	cg_seccomp_free(s);
	s = profile("{\"action\": \"log\", \"enabled\": true, \"allow\": [\"@mount\", \"ptrace\"],"
		    " \"deny\": [\"chmod\"]}");
	ck_assert_int_eq(cg_seccomp_deny_action(s), CG_SECCOMP_LOG);
	cg_seccomp_free(s);
}
END_TEST

START_TEST(config_errors)
{
	refused("{\"deny\": [\"notasyscall\"]}", "\"notasyscall\" is not a system call");
	refused("{\"allow\": [\"open\"]}", "the baseline does not deny \"open\"");
	refused("{\"allow\": [\"@nothing\"]}", "unknown group \"@nothing\"");
	refused("{\"deny\": [\"@mount\"]}", "groups name what the baseline denies");
	refused("{\"deny\": [\"futex\"]}", "\"futex\" cannot be denied");
	refused("{\"deny\": [\"clone3\"]}", "\"clone3\" cannot be denied");
	refused("{\"allow\": [\"ptrace\"], \"deny\": [\"ptrace\"]}", "both allowed and denied");
	refused("{\"allow\": [\"@exec\"]}", "is a switch");
	refused("{\"action\": \"trap\"}", "unknown seccomp action");
	refused("{\"exec\": \"yes\"}", "exec must be true or false");
	refused("{\"exec\": true, \"deny\": [\"execve\"]}", "\"exec\" is true but \"deny\" names execve");
	refused("{\"networks\": true}", "networks");
	refused("\"on\"", "\"seccomp\" must be");
}
END_TEST

static const char *HTTP =
	"{\"permission\": ["
	" {\"identifier\": \"allow-fetch\", \"commands\": {\"allow\": [\"fetch\"]}}]}";
static const char *SHELL =
	"{\"permission\": ["
	" {\"identifier\": \"allow-execute\", \"commands\": {\"allow\": [\"execute\"]}},"
	" {\"identifier\": \"allow-kill\", \"commands\": {\"allow\": [\"kill\"]}}]}";

static cg_policy *policy_of(const char *perm)
{
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	cg_builder_add_manifest_json(b, "http", "http.json", HTTP, strlen(HTTP), d);
	cg_builder_add_manifest_json(b, "shell", "shell.json", SHELL, strlen(SHELL), d);
	char *cap = NULL;
	ck_assert_int_ge(asprintf(&cap, "{\"identifier\": \"main\", \"windows\": [\"main\"],"
				       " \"permissions\": [\"%s\"]}", perm), 0);
	cg_builder_add_capability_json(b, "caps.json", cap, strlen(cap), d);
	cg_policy *p = NULL;
	cg_builder_build(b, &p, d);
	if (!p)
		dump_diag(d);
	ck_assert_ptr_nonnull(p);
	free(cap);
	cg_diag_free(d);
	cg_builder_free(b);
	return p;
}

START_TEST(grants_imply_switches)
{
	const char *why = NULL;
	cg_seccomp *s = NULL;
	cg_policy *p = policy_of("http:allow-fetch");
	ck_assert_int_eq(cg_seccomp_new(NULL, p, &s), 0);
	ck_assert(cg_seccomp_network(s, &why));
	ck_assert_str_eq(why, "granted command plugin:http|fetch needs it");
	ck_assert(!cg_seccomp_exec(s, NULL));
	cg_seccomp_free(s);
	cg_policy_unref(p);

	p = policy_of("shell:allow-execute");
	ck_assert_int_eq(cg_seccomp_new(NULL, p, &s), 0);
	ck_assert(cg_seccomp_exec(s, &why));
	ck_assert_str_eq(why, "granted command plugin:shell|execute needs it");
	ck_assert(!cg_seccomp_network(s, NULL));
	cg_seccomp_free(s);
	cg_policy_unref(p);

	/* A shell permission that starts nothing implies nothing. */
	p = policy_of("shell:allow-kill");
	ck_assert_int_eq(cg_seccomp_new(NULL, p, &s), 0);
	ck_assert(!cg_seccomp_exec(s, NULL));
	cg_seccomp_free(s);
	cg_policy_unref(p);

	/* The config's word beats the grants'. */
	p = policy_of("http:allow-fetch");
	cg_diag *d = cg_diag_new();
	cg_appconfig *c = load_config("{\"network\": false}", d);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(cg_seccomp_new(c, p, &s), 0);
	ck_assert(!cg_seccomp_network(s, &why));
	ck_assert_str_eq(why, "set to false in the config");
	cg_seccomp_free(s);
	cg_appconfig_free(c);
	cg_diag_free(d);
	cg_policy_unref(p);
}
END_TEST

START_TEST(export_pfc)
{
	cg_seccomp *s = profile("{\"deny\": [\"chmod\"]}");
	for (int tier = 0; tier < 2; tier++) {
		char path[] = "/tmp/cg-seccomp-pfc-XXXXXX";
		int fd = mkstemp(path);
		ck_assert_int_eq(cg_seccomp_export(s, tier, CG_SECCOMP_PFC, fd), 0);
		char buf[65536] = {0};
		ck_assert_int_gt(pread(fd, buf, sizeof(buf) - 1, 0), 0);
		close(fd);
		unlink(path);
		ck_assert_ptr_nonnull(strstr(buf, "\"bpf\""));
		/* Only the handler tier denies exec, mounts and the app's list. */
		ck_assert_int_eq(strstr(buf, "\"execve\"") != NULL, tier == CG_SECCOMP_HANDLERS);
		ck_assert_int_eq(strstr(buf, "\"mount\"") != NULL, tier == CG_SECCOMP_HANDLERS);
		ck_assert_int_eq(strstr(buf, "\"chmod\"") != NULL, tier == CG_SECCOMP_HANDLERS);
		ck_assert_ptr_nonnull(strstr(buf, "invalid architecture action"));
	}
	ck_assert_int_eq(cg_seccomp_export(s, 5, CG_SECCOMP_PFC, 1), CG_EINVAL);
	ck_assert_int_eq(cg_seccomp_export(s, 0, 9, 1), CG_EINVAL);
	cg_seccomp_free(s);
}
END_TEST

/* --------------------------------------------------------- kernel tests */

START_TEST(handlers_errno)
{
	cg_seccomp *s = profile("true");
	for (size_t i = 0; i < N_DENIED; i++)
		ck_assert_msg(run(s, CG_SECCOMP_HANDLERS, denied_handlers[i].fn) == EPERM,
			      "%s: %d, not EPERM", denied_handlers[i].name,
			      run(s, CG_SECCOMP_HANDLERS, denied_handlers[i].fn));
	for (size_t i = 0; i < N_ALLOWED; i++)
		ck_assert_msg(run(s, CG_SECCOMP_HANDLERS, allowed_always[i].fn) == 0, "%s refused",
			      allowed_always[i].name);
	/* ENOSYS, so that glibc falls back on clone, whose flags are seen. */
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_clone3), ENOSYS);
	cg_seccomp_free(s);
}
END_TEST

START_TEST(handlers_kill)
{
	cg_seccomp *s = profile("{\"action\": \"kill\"}");
	for (size_t i = 0; i < N_DENIED; i++)
		ck_assert_msg(run(s, CG_SECCOMP_HANDLERS, denied_handlers[i].fn) == -SIGSYS,
			      "%s did not die of SIGSYS", denied_handlers[i].name);
	for (size_t i = 0; i < N_ALLOWED; i++)
		ck_assert_msg(run(s, CG_SECCOMP_HANDLERS, allowed_always[i].fn) == 0, "%s refused",
			      allowed_always[i].name);
	/* Killing clone3 would kill every thread start: still ENOSYS. */
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_clone3), ENOSYS);
	cg_seccomp_free(s);
}
END_TEST

START_TEST(handlers_log)
{
	/* Learning mode blocks nothing: every call does what it does with no
	 * filter at all. */
	cg_seccomp *s = profile("{\"action\": \"log\"}");
	static const probe same[] = {
		{"ptrace", p_ptrace}, {"unshare", p_unshare}, {"personality", p_personality_32},
		{"execve", p_execve}, {"socket(AF_INET)", p_inet}, {"chroot", p_chroot},
		{"bpf", p_bpf}, {"mount", p_mount},
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		int bare = run(NULL, CG_SECCOMP_HANDLERS, same[i].fn);
		ck_assert_msg(run(s, CG_SECCOMP_HANDLERS, same[i].fn) == bare, "%s: %d under log, %d bare",
			      same[i].name, run(s, CG_SECCOMP_HANDLERS, same[i].fn), bare);
	}
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_execve), 0);
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_inet), 0);
	cg_seccomp_free(s);
}
END_TEST

START_TEST(switches_and_lists)
{
	cg_seccomp *s = profile("{\"exec\": true, \"network\": true}");
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_execve), 0);
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_inet), 0);
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_ptrace), EPERM);
	cg_seccomp_free(s);

	/* allow lifts a call or a whole group; deny adds a call. */
	s = profile("{\"action\": \"kill\", \"allow\": [\"ptrace\", \"@namespaces\"], \"deny\": [\"chmod\"]}");
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_ptrace), 0);
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_unshare), 0);
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_setns), run(NULL, 0, p_setns));
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_chmod), -SIGSYS);
	ck_assert_int_eq(run(s, CG_SECCOMP_HANDLERS, p_mount), -SIGSYS);
	ck_assert_int_eq(run(NULL, 0, p_chmod), ENOENT);
	cg_seccomp_free(s);
}
END_TEST

START_TEST(process_tier)
{
	/* What the process tier denies, it denies to WebKit's processes too:
	 * it must leave them exec, sockets, namespaces and mounts (bwrap). */
	cg_seccomp *s = profile("{\"action\": \"kill\"}");
	static const probe denied[] = {
		{"bpf", p_bpf}, {"init_module", p_init_module}, {"kexec_load", p_kexec_load},
		{"keyctl", p_keyctl}, {"userfaultfd", p_userfaultfd}, {"clock_settime", p_clock_settime},
		{"swapon", p_swapon}, {"perf_event_open", p_perf_event_open},
		{"process_vm_readv", p_process_vm_readv},
	};
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		ck_assert_msg(run(s, CG_SECCOMP_PROCESS, denied[i].fn) == -SIGSYS, "%s not denied",
			      denied[i].name);
#if !defined(__SANITIZE_ADDRESS__)
	ck_assert_int_eq(run(s, CG_SECCOMP_PROCESS, p_ptrace), -SIGSYS);
#endif
	static const probe kept[] = {
		{"execve", p_execve}, {"socket(AF_INET)", p_inet}, {"unshare", p_unshare},
		{"personality", p_personality_32}, {"mount", p_mount}, {"clone3", p_clone3},
	};
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		ck_assert_msg(run(s, CG_SECCOMP_PROCESS, kept[i].fn) == run(NULL, 0, kept[i].fn),
			      "%s changed by the process tier", kept[i].name);
	for (size_t i = 0; i < N_ALLOWED; i++)
		ck_assert_msg(run(s, CG_SECCOMP_PROCESS, allowed_always[i].fn) == 0, "%s refused",
			      allowed_always[i].name);
	cg_seccomp_free(s);
}
END_TEST

static void *load_then_probe(void *arg)
{
	cg_seccomp *s = arg;
	if (cg_seccomp_load(s, CG_SECCOMP_HANDLERS) < 0)
		return (void *)1;
	return (void *)(intptr_t)(p_inet() < 0 && errno == EPERM ? 0 : 2);
}

static long probe_thread_scope(void)
{
	/* The handler tier binds the thread that loads it, not its
	 * siblings: the main thread can still open an internet socket. */
	cg_seccomp *s = NULL;
	if (cg_seccomp_new(NULL, NULL, &s) < 0)
		return -1;
	pthread_t t;
	void *res = (void *)9;
	if (pthread_create(&t, NULL, load_then_probe, s) != 0)
		return -1;
	pthread_join(t, &res);
	long r = res == NULL && p_inet() >= 0 ? 0 : -1;
	cg_seccomp_free(s);
	return r;
}

START_TEST(handler_tier_is_per_thread)
{
	ck_assert_int_eq(run(NULL, 0, probe_thread_scope), 0);
}
END_TEST

START_TEST(foreign_abi)
{
	/* Unfiltered, i386's getpid works when the kernel has IA32
	 * emulation; filtered, it must fail or kill, never pass. */
	cg_seccomp *e = profile("true"), *k = profile("{\"action\": \"kill\"}");
	int bare = run(NULL, 0, p_i386_getpid);
	if (bare == 0) {
		ck_assert_int_eq(run(e, CG_SECCOMP_HANDLERS, p_i386_getpid), ENOSYS);
		ck_assert_int_eq(run(k, CG_SECCOMP_HANDLERS, p_i386_getpid), -SIGSYS);
		ck_assert_int_eq(run(k, CG_SECCOMP_PROCESS, p_i386_getpid), -SIGSYS);
	} else {
		/* A kernel built without IA32 emulation faults int 0x80
		 * (SIGSEGV) before seccomp sees it: no i386 call can pass,
		 * filter or not, and the filter's answer cannot be observed. */
		ck_assert_int_eq(bare, -SIGSEGV);
		ck_assert_int_eq(run(k, CG_SECCOMP_HANDLERS, p_i386_getpid), -SIGSEGV);
		fprintf(stderr, "note: no IA32 emulation here (int 0x80 gave %d): i386 checks skipped\n", bare);
	}
	/* x32 numbers are refused by the filter before the kernel sees them. */
	ck_assert_int_eq(run(k, CG_SECCOMP_HANDLERS, p_x32_getpid), -SIGSYS);
	ck_assert_int_eq(run(e, CG_SECCOMP_HANDLERS, p_x32_getpid), ENOSYS);
	cg_seccomp_free(e);
	cg_seccomp_free(k);
}
END_TEST

/* ------------------------------------------------- through the router */

static char *last_reply;
static int n_replies, n_events;

static void t_reply(void *user, cg_webview *wv, void *req, int ok, const char *json, size_t len)
{
	free(last_reply);
	last_reply = strndup(json, len);
	n_replies++;
}
static void t_callback(void *user, cg_webview *wv, uint32_t id, const char *json, size_t len) {}
static void on_event(const char *event, json_object *payload, const cg_webview *src, void *user)
{
	n_events++;
}

/* What a handler sees: its thread, and the kernel's answer to an internet
 * socket; it also emits (off the main loop: queued). */
static int h_probe(cg_call *c, void *u)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	cg_router_emit(u, "probed", CG_TARGET_ANY, NULL, NULL);
	char buf[64];
	snprintf(buf, sizeof(buf), "{\"errno\": %d, \"main\": %s}", err,
		 syscall(SYS_gettid) == getpid() ? "true" : "false");
	return cg_call_resolve(c, json_tokener_parse(buf));
}

#define INVOKE "{\"cmd\": \"%s\", \"callback\": 1, \"error\": 2, \"payload\": {}}"

static void invoke(cg_router *r, cg_webview *wv, const char *cmd)
{
	char msg[128];
	int len = snprintf(msg, sizeof(msg), INVOKE, cmd);
	int before = n_replies;
	ck_assert_int_eq(cg_router_invoke(r, wv, msg, (size_t)len, NULL), 0);
	for (int i = 0; i < 1000 && n_replies == before; i++) {
		struct pollfd p = {cg_router_fd(r), POLLIN, 0};
		if (poll(&p, 1, 10) > 0)
			cg_router_process(r);
	}
	ck_assert_int_eq(n_replies, before + 1);
}

/* Installs a policy granting perms (a JSON list) to window "main", and the
 * default profile's handler filter; the caller frees *s. */
static void grant_and_filter(cg_router *r, const char *perms, cg_seccomp **s)
{
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	ck_assert_int_eq(cg_router_declare_commands(r, b), 0);
	char *cap = g_strdup_printf("{\"identifier\": \"m\", \"windows\": [\"main\"], \"permissions\": %s}", perms);
	cg_builder_add_capability_json(b, "c.json", cap, strlen(cap), d);
	g_free(cap);
	cg_policy *p = NULL;
	ck_assert_int_eq(cg_builder_build(b, &p, d), 0);
	ck_assert_int_eq(cg_router_set_policy(r, p), 0);
	ck_assert_int_eq(cg_seccomp_new(NULL, p, s), 0);
	ck_assert_int_eq(cg_router_set_seccomp(r, *s), 0);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
}

START_TEST(router_runs_handlers_filtered)
{
	static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};
	cg_router *r = NULL;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "probe", h_probe, r, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "probe_async", h_probe, r, CG_CMD_ASYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "probe_main", h_probe, r, CG_CMD_MAIN), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "bad", h_probe, r, (cg_cmd_mode)7), CG_EINVAL);
	cg_seccomp *s = NULL;
	grant_and_filter(r, "[\"allow-probe\", \"allow-probe-async\", \"allow-probe-main\"]", &s);
	ck_assert_int_gt(cg_router_listen(r, "probed", on_event, NULL), 0);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", "main", NULL, &wv), 0);

	/* sync: on the handler thread, filtered; its answer and its event are
	 * delivered before cg_router_invoke returns, as on the main thread */
	char msg[128];
	int len = snprintf(msg, sizeof(msg), INVOKE, "probe");
	ck_assert_int_eq(cg_router_invoke(r, wv, msg, (size_t)len, NULL), 0);
	ck_assert_int_eq(n_replies, 1);
	ck_assert_int_eq(n_events, 1);
	ck_assert_str_eq(last_reply, "{\"errno\":1,\"main\":false}");
	/* async: the worker pool, filtered */
	invoke(r, wv, "probe_async");
	ck_assert_str_eq(last_reply, "{\"errno\":1,\"main\":false}");
	/* CG_CMD_MAIN: the main thread, which this test never filtered */
	invoke(r, wv, "probe_main");
	ck_assert_str_eq(last_reply, "{\"errno\":0,\"main\":true}");
	for (int i = 0; i < 100 && n_events < 3; i++) {
		struct pollfd pf = {cg_router_fd(r), POLLIN, 0};
		if (poll(&pf, 1, 10) > 0)
			cg_router_process(r);
	}
	ck_assert_int_eq(n_events, 3);
	/* the threads exist: too late to change the filter */
	ck_assert_int_eq(cg_router_set_seccomp(r, NULL), CG_ESTATE);
	cg_router_free(r);
	cg_seccomp_free(s);
	free(last_reply);
	last_reply = NULL;
}
END_TEST

/* A sync handler that hangs on the handler thread: its call times out,
 * the next sync call runs on a fresh handler thread, and the hung one's
 * late answer is refused. */
static int hang_gate; /* atomic: 1 lets the hung handler go */
static int late_rc = 1;

static int h_hang(cg_call *c, void *u)
{
	while (!__atomic_load_n(&hang_gate, __ATOMIC_ACQUIRE))
		usleep(1000);
	late_rc = cg_call_resolve(c, json_object_new_int(1));
	return 0;
}

START_TEST(router_sync_timeout)
{
	static const cg_transport T = {.version = CG_TRANSPORT_VERSION, .reply = t_reply, .callback = t_callback};
	cg_router *r = NULL;
	ck_assert_int_eq(cg_router_new(&T, &r), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "hang", h_hang, r, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_register(r, NULL, "probe", h_probe, r, CG_CMD_SYNC), 0);
	ck_assert_int_eq(cg_router_set_limit(r, CG_RLIMIT_TIMEOUT, 150), 0);
	cg_seccomp *s = NULL;
	grant_and_filter(r, "[\"allow-hang\", \"allow-probe\"]", &s);
	cg_webview *wv = NULL;
	ck_assert_int_eq(cg_router_add_webview(r, "main", "main", NULL, &wv), 0);
	n_replies = 0;
	char msg[128];
	int len = snprintf(msg, sizeof(msg), INVOKE, "hang");
	ck_assert_int_eq(cg_router_invoke(r, wv, msg, (size_t)len, NULL), 0);
	ck_assert_int_eq(n_replies, 1);
	ck_assert_str_eq(last_reply, "\"timed out: hang did not answer within 150 ms\"");
	/* a fresh handler thread, under the filter too */
	len = snprintf(msg, sizeof(msg), INVOKE, "probe");
	ck_assert_int_eq(cg_router_invoke(r, wv, msg, (size_t)len, NULL), 0);
	ck_assert_int_eq(n_replies, 2);
	ck_assert_str_eq(last_reply, "{\"errno\":1,\"main\":false}");
	ck_assert_int_eq(cg_router_set_seccomp(r, NULL), CG_ESTATE);
	__atomic_store_n(&hang_gate, 1, __ATOMIC_RELEASE);
	/* free waits for the hung thread, which answers late: refused */
	cg_router_free(r);
	ck_assert_int_eq(late_rc, CG_ESTATE);
	ck_assert_int_eq(n_replies, 2);
	cg_seccomp_free(s);
	free(last_reply);
	last_reply = NULL;
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("config");
	tcase_add_test(tc, config_errors);
	suite_add_tcase(s, tc);
	/* Valgrind has no seccomp(2) (libseccomp then refuses TSYNC and the
	 * kill action) and cannot run int 0x80 from 64-bit code: under it only
	 * the config tests run; ASan's leak checker covers the rest. */
	if (!RUNNING_ON_VALGRIND) {
		tc = tcase_create("profile");
		tcase_add_test(tc, config_defaults);
		tcase_add_test(tc, grants_imply_switches);
		tcase_add_test(tc, export_pfc);
		suite_add_tcase(s, tc);
		tc = tcase_create("kernel");
		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, handlers_errno);
		tcase_add_test(tc, handlers_kill);
		tcase_add_test(tc, handlers_log);
		tcase_add_test(tc, switches_and_lists);
		tcase_add_test(tc, process_tier);
		tcase_add_test(tc, handler_tier_is_per_thread);
		tcase_add_test(tc, router_runs_handlers_filtered);
		tcase_add_test(tc, router_sync_timeout);
		tcase_add_test(tc, foreign_abi);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
