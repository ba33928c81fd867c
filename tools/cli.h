/* The capgate command-line tool: shared declarations. */
#ifndef CG_CLI_H
#define CG_CLI_H

#include <capgate.h>
#include <stdbool.h>
#include <stdio.h>

/* Exit codes shared by every sub-command. */
enum { CLI_OK = 0, CLI_FINDINGS = 1, CLI_USAGE = 2 };

int cmd_check(int argc, char **argv, int explain);
int cmd_run(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_seccomp(int argc, char **argv);
/* Prints every diagnostic of d to stderr, as cg_diag_format lays it out,
 * through cli_put_text. */
void cli_print_diag(const cg_diag *d);
/* Gives b the built-in plugins' manifests as fallbacks and declares their
 * commands, as `capgate run` does by enabling them (inputs.c), so check,
 * lint and audit judge a capability as run would: fs:default resolves
 * though the app ships no fs manifest (seccomp uses it too). -1 after
 * saying why. */
int cli_builtin_plugins(cg_builder *b);
/* Writes text that came from files or arguments: control characters (C0
 * but '\n' when keep_newlines, DEL, C1) as \xNN or \u00NN, and bytes that
 * are not UTF-8 as \xNN, so that no terminal escape sequence gets through
 * (clitext.c). */
void cli_put_text(FILE *f, const char *s, bool keep_newlines);
/* Whether s is well-formed UTF-8; else *bad is the offset of the first
 * byte that is not. */
bool cli_utf8_valid(const char *s, size_t *bad);

#endif
