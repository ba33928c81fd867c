/* The capgate command-line tool: shared declarations. */
#ifndef CG_CLI_H
#define CG_CLI_H

#include <capgate.h>
#include <stdio.h>

/* Exit codes shared by every sub-command. */
enum { CLI_OK = 0, CLI_FINDINGS = 1, CLI_USAGE = 2 };

int cmd_check(int argc, char **argv, int explain);
int cmd_run(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_seccomp(int argc, char **argv);
/* Prints every diagnostic of d to stderr. */
void cli_print_diag(const cg_diag *d);

#endif
