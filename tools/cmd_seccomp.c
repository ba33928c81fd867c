/*
 * capgate seccomp: the seccomp filter the core would load for an app
 * config, for review. The policy is built as the runtime builds it (the
 * config's permission and capability directories), so that what the
 * grants imply for exec and network is what the app gets; a policy that
 * does not load prints no filter.
 */
#include "cli.h"
#include "inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct seccomp_opts {
	const char *config, *output;
	int tier;                  /* -1: both */
	cg_seccomp_format format;
	int no_builtin_plugins;
} seccomp_opts;

static void seccomp_usage(FILE *f)
{
	fputs("Usage: capgate seccomp --config APP.json [OPTIONS]\n"
	      "\n"
	      "Prints the seccomp filter the core loads for an app (security.seccomp in\n"
	      "its config), for review. The policy is built from the config's permission\n"
	      "and capability directories, as the app builds it when it runs: when the\n"
	      "config does not set exec or network, they are allowed only if a granted\n"
	      "command needs them (plugin:shell|execute, plugin:http|fetch, ...).\n"
	      "\n"
	      "  --config FILE           the app config (capgate.json); required\n"
	      "  --tier TIER             process: loaded on every thread of the core and\n"
	      "                          inherited by every process WebKit starts; handlers:\n"
	      "                          stacked on the threads that run command handlers;\n"
	      "                          default: both, process first (pfc only)\n"
	      "  --format FORMAT         pfc (default): libseccomp's pseudo filter code,\n"
	      "                          after comment lines with the action and why exec\n"
	      "                          and network are allowed or denied; bpf: the raw\n"
	      "                          BPF program the kernel runs (needs one --tier)\n"
	      "  --declare NAME[,NAME]   commands the host app registers in C: their\n"
	      "                          allow-/deny- permissions exist (repeatable; also\n"
	      "                          spelled --app-command)\n"
	      "  --no-builtin-plugins    do not load the built-in plugins' manifests (fs, ...),\n"
	      "                          which capgate run uses for a plugin no source defines\n"
	      "  -o, --output FILE       write to FILE instead of standard output\n"
	      "  -h, --help              print this help\n"
	      "\n"
	      "Exit status: 0 on success (also when the config turns seccomp off: then\n"
	      "nothing is printed on standard output); 1 when the config or the policy\n"
	      "does not load (the errors are on standard error); 2 on a usage error.\n", f);
}

static const char *const tier_names[] = {"process", "handlers"};

static const char *const tier_about[] = {
	"loaded on every thread of the core; every process WebKit\n"
	"# starts (web, network, bwrap) inherits it",
	"the threads that run command handlers, stacked on the\n"
	"# process tier",
};

static const char *action_name(cg_seccomp_action a)
{
	switch (a) {
	case CG_SECCOMP_KILL: return "kill (the process dies with SIGSYS)";
	case CG_SECCOMP_LOG: return "log (the call runs; the kernel logs it)";
	default: return "errno (the call fails with EPERM)";
	}
}

/* -1: carry on; otherwise the exit code. */
static int parse_opts(int argc, char **argv, seccomp_opts *o, cli_inputs *in)
{
	enum { O_CONFIG = 1000, O_TIER, O_FORMAT, O_DECLARE, O_NOPLUGINS };
	static const struct option opts[] = {
		{"config", required_argument, NULL, O_CONFIG},
		{"tier", required_argument, NULL, O_TIER},
		{"format", required_argument, NULL, O_FORMAT},
		{"declare", required_argument, NULL, O_DECLARE},
		{"app-command", required_argument, NULL, O_DECLARE},
		{"no-builtin-plugins", no_argument, NULL, O_NOPLUGINS},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case O_CONFIG: o->config = optarg; break;
		case O_NOPLUGINS: o->no_builtin_plugins = 1; break;
		case 'o': o->output = optarg; break;
		case O_TIER:
			if (strcmp(optarg, "process") == 0)
				o->tier = CG_SECCOMP_PROCESS;
			else if (strcmp(optarg, "handlers") == 0)
				o->tier = CG_SECCOMP_HANDLERS;
			else {
				fprintf(stderr, "capgate: seccomp: unknown tier '%s' (process or handlers)\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case O_FORMAT:
			if (strcmp(optarg, "pfc") == 0)
				o->format = CG_SECCOMP_PFC;
			else if (strcmp(optarg, "bpf") == 0)
				o->format = CG_SECCOMP_BPF;
			else {
				fprintf(stderr, "capgate: seccomp: unknown format '%s' (pfc or bpf)\n", optarg);
				return CLI_USAGE;
			}
			break;
		case O_DECLARE:
			if (cli_inputs_declare(in, optarg) < 0)
				return CLI_USAGE; /* it said why */
			break;
		case 'h':
			seccomp_usage(stdout);
			return CLI_OK;
		default:
			seccomp_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "capgate: seccomp: unexpected argument '%s'\n", argv[optind]);
		seccomp_usage(stderr);
		return CLI_USAGE;
	}
	if (!o->config) {
		fputs("capgate: seccomp: --config FILE is required\n", stderr);
		seccomp_usage(stderr);
		return CLI_USAGE;
	}
	if (o->format == CG_SECCOMP_BPF && o->tier < 0) {
		fputs("capgate: seccomp: --format bpf writes one filter: choose --tier process or "
		      "--tier handlers\n", stderr);
		return CLI_USAGE;
	}
	if (o->format == CG_SECCOMP_BPF && !o->output && isatty(STDOUT_FILENO)) {
		fputs("capgate: seccomp: not writing binary BPF to a terminal: use --output FILE\n",
		      stderr);
		return CLI_USAGE;
	}
	return -1;
}

/* The policy the runtime would build for the config; NULL after printing
 * why (nothing is computed from a half-loaded policy). */
static cg_policy *build_policy(const seccomp_opts *o, cli_inputs *in, const cg_appconfig *cfg,
				cg_diag *d)
{
	if (!o->no_builtin_plugins && cli_builtin_plugins(in->b) < 0)
		return NULL;
	const char *perms = cg_appconfig_permissions_dir(cfg);
	const char *caps = cg_appconfig_capabilities_dir(cfg);
	if (perms)
		cg_builder_add_plugins_dir(in->b, perms, d);
	if (caps)
		cg_builder_add_capability_dir(in->b, caps, d);
	cg_policy *p = NULL;
	int rc = cg_builder_build(in->b, &p, d);
	if (rc < 0 || !p) {
		cli_print_diag(d);
		if (cg_diag_count(d) == 0)
			fprintf(stderr, "capgate: seccomp: cannot build the policy: %s\n", cg_strerror(rc));
		int unknown = 0;
		for (size_t i = 0; i < cg_diag_count(d) && !unknown; i++) {
			const char *m = cg_diag_message(d, i);
			unknown = m && strstr(m, "unknown permission") != NULL;
		}
		fprintf(stderr, "capgate: seccomp: the policy does not load: no filter printed%s\n",
			unknown ? " (commands the app registers in C are unknown\n"
				  "  here: name them with --declare CMD[,CMD...])" : "");
		cg_policy_unref(p);
		return NULL;
	}
	/* Warnings (an unknown key, ...) are worth seeing too. */
	cli_print_diag(d);
	return p;
}

/* Writes the header and the filter(s); 0, or -1 after saying why. */
static int write_filter(const seccomp_opts *o, cg_seccomp *s, FILE *f, int fd)
{
	int first = o->tier < 0 ? CG_SECCOMP_PROCESS : o->tier;
	int last = o->tier < 0 ? CG_SECCOMP_HANDLERS : o->tier;
	if (o->format == CG_SECCOMP_PFC) {
		const char *ew = NULL, *nw = NULL;
		int ex = cg_seccomp_exec(s, &ew), net = cg_seccomp_network(s, &nw);
		fprintf(f, "# capgate seccomp filter for %s\n", o->config);
		fprintf(f, "# action: %s\n", action_name(cg_seccomp_deny_action(s)));
		fprintf(f, "# exec: %s (%s)\n", ex ? "allowed" : "denied", ew ? ew : "?");
		fprintf(f, "# network: %s (%s)\n", net ? "allowed" : "denied", nw ? nw : "?");
	}
	for (int t = first; t <= last; t++) {
		if (o->format == CG_SECCOMP_PFC) {
			fprintf(f, "#\n# tier %s: %s\n", tier_names[t], tier_about[t]);
			if (fflush(f) != 0 || ferror(f))
				break;
		}
		int r = cg_seccomp_export(s, (cg_seccomp_tier)t, o->format, fd);
		if (r < 0) {
			fprintf(stderr, "capgate: seccomp: cannot write the %s tier: %s\n", tier_names[t],
				cg_strerror(r));
			return -1;
		}
	}
	if (fflush(f) != 0 || ferror(f)) {
		fprintf(stderr, "capgate: %s: write error\n", o->output ? o->output : "standard output");
		return -1;
	}
	return 0;
}

static int run_seccomp(const seccomp_opts *o, cli_inputs *in)
{
	cg_diag *cd = cg_diag_new(), *pd = cg_diag_new();
	cg_appconfig *cfg = NULL;
	cg_policy *p = NULL;
	cg_seccomp *s = NULL;
	FILE *f = NULL;
	int rc = CLI_FINDINGS, r;
	if (!cd || !pd) {
		fputs("capgate: out of memory\n", stderr);
		goto out;
	}
	r = cg_appconfig_load(o->config, &cfg, cd);
	cli_print_diag(cd); /* errors, or warnings */
	if (r < 0) {
		if (cg_diag_count(cd) == 0)
			fprintf(stderr, "capgate: %s: %s\n", o->config, cg_strerror(r));
		goto out;
	}
	/* Nothing to show when the core loads no filter, whatever the grants. */
	if ((r = cg_seccomp_new(cfg, NULL, &s)) < 0) {
		fprintf(stderr, "capgate: seccomp: cannot build the filter: %s\n", cg_strerror(r));
		goto out;
	}
	if (!cg_seccomp_enabled(s)) {
		fprintf(stderr, "capgate: seccomp is off in %s (security.seccomp): the core loads no filter\n",
			o->config);
		rc = CLI_OK;
		goto out;
	}
	cg_seccomp_free(s);
	s = NULL;
	if (!(p = build_policy(o, in, cfg, pd)))
		goto out;
	if ((r = cg_seccomp_new(cfg, p, &s)) < 0) {
		fprintf(stderr, "capgate: seccomp: cannot build the filter: %s\n", cg_strerror(r));
		goto out;
	}
	if (o->output && !(f = fopen(o->output, "w"))) {
		fprintf(stderr, "capgate: %s: cannot write: %s\n", o->output, strerror(errno));
		goto out;
	}
	r = write_filter(o, s, f ? f : stdout, fileno(f ? f : stdout));
	if (f && fclose(f) != 0 && r == 0) {
		fprintf(stderr, "capgate: %s: write error\n", o->output);
		r = -1;
	}
	if (f && r < 0)
		unlink(o->output); /* no half-written filter */
	rc = r < 0 ? CLI_FINDINGS : CLI_OK;
out:
	cg_seccomp_free(s);
	cg_policy_unref(p);
	cg_appconfig_free(cfg);
	cg_diag_free(cd);
	cg_diag_free(pd);
	return rc;
}

int cmd_seccomp(int argc, char **argv)
{
	seccomp_opts o = {.tier = -1, .format = CG_SECCOMP_PFC};
	cli_inputs in;
	if (cli_inputs_init(&in) < 0) {
		fputs("capgate: out of memory\n", stderr);
		return CLI_USAGE;
	}
	int rc = parse_opts(argc, argv, &o, &in);
	if (rc < 0)
		rc = run_seccomp(&o, &in);
	cli_inputs_clear(&in);
	return rc;
}
