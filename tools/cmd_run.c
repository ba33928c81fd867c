/* capgate run APPDIR: runs an app that has no C code of its own. */
#include "cli.h"

#include "builtin/builtin.h"

#include <capgate-runtime.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void run_usage(FILE *f)
{
	fputs("Usage: capgate run [--decision-log FILE] [--log-all] APPDIR|APP.json\n"
	      "\n"
	      "Runs an app from its configuration (APPDIR/capgate.json): its windows,\n"
	      "frontend and capabilities, with the built-in core commands and plugins\n"
	      "(fs), each configured by the config's plugins.NAME object. Exits when its\n"
	      "last window closes.\n"
	      "\n"
	      "  --decision-log FILE  append a JSON line for every denial (with --log-all,\n"
	      "                       every decision) to FILE (older name: --audit-log)\n"
	      "  --log-all            log every decision, not only denials (older name:\n"
	      "                       --audit-all)\n", f);
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"decision-log", required_argument, NULL, 'a'},
		{"log-all", no_argument, NULL, 'A'},
		/* Their names before the decision log got its own. */
		{"audit-log", required_argument, NULL, 'a'},
		{"audit-all", no_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *log = NULL;
	int all = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': log = optarg; break;
		case 'A': all = 1; break;
		case 'h': run_usage(stdout); return CLI_OK;
		default: run_usage(stderr); return CLI_USAGE;
		}
	}
	if (optind + 1 != argc) {
		run_usage(stderr);
		return CLI_USAGE;
	}
	const char *target = argv[optind];
	struct stat sb;
	char *config = stat(target, &sb) == 0 && S_ISDIR(sb.st_mode)
		? path_join(target, "capgate.json") : strdup(target);
	cg_diag *d = cg_diag_new();
	cg_app *app = config ? cg_app_new(config, d) : NULL;
	int rc = CLI_USAGE;
	if (app && cg_builtin_plugins_enable(cg_app_router(app), cg_app_config(app),
					     cg_appconfig_frontend_dir(cg_app_config(app)), d) < 0) {
		/* d says which plugin and why */
	} else if (app && (!log || cg_app_set_decision_log(app, log, all) == 0)) {
		rc = cg_app_run(app, d) < 0 ? CLI_USAGE : CLI_OK;
	} else if (app) {
		fprintf(stderr, "capgate: cannot open the decision log %s\n", log);
	}
	cli_print_diag(d);
	cg_app_free(app);
	cg_diag_free(d);
	free(config);
	return rc;
}
