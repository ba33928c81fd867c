/* capgate: query and audit capgate / Tauri v2 permission policies. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("Usage: capgate COMMAND [OPTIONS]\n"
	      "\n"
	      "Commands:\n"
	      "  check     decide calls against a policy and print JSON\n"
	      "  explain   print a readable account of one decision\n"
	      "  lint      find mistakes and risky grants in capability files\n"
	      "  audit     print who may call what: the effective permission matrix\n"
	      "  schema    print the capability JSON Schema with every known permission\n"
	      "  seccomp   print the core's seccomp filter for review\n"
	      "  run       run an app (config, frontend, capabilities) in WebKitGTK windows\n"
	      "  version   print the version\n"
	      "  help      print this help\n"
	      "\n"
	      "Run 'capgate COMMAND --help' for a command's options; 'man capgate' for more.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1, 0);
	if (strcmp(cmd, "explain") == 0)
		return cmd_check(argc - 1, argv + 1, 1);
	if (strcmp(cmd, "schema") == 0)
		return cmd_schema(argc - 1, argv + 1);
	if (strcmp(cmd, "lint") == 0)
		return cmd_lint(argc - 1, argv + 1);
	if (strcmp(cmd, "audit") == 0)
		return cmd_audit(argc - 1, argv + 1);
	if (strcmp(cmd, "seccomp") == 0)
		return cmd_seccomp(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("capgate %s (library %s)\n", CG_VERSION_STRING, cg_version());
		return CLI_OK;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	fprintf(stderr, "capgate: unknown command '%s'\n", cmd);
	usage(stderr);
	return CLI_USAGE;
}
