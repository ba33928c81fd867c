/*
 * capgate audit: the effective permission matrix (cg_policy_audit) as
 * text, JSON or one self-contained HTML page, and --diff: what a change to
 * the files grants or removes, for code review.
 *
 * Every string in the matrix comes from the files under review, which may
 * be hostile: text output replaces control characters (no terminal escape
 * sequences get through) and HTML output escapes everything it prints.
 */
#include "audit.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void audit_usage(FILE *f)
{
	fputs("Usage: capgate audit [OPTIONS] PATH...\n"
	      "       capgate audit --diff [OPTIONS] OLD NEW\n"
	      "\n"
	      "Prints the effective permission matrix of an app: for each window and\n"
	      "webview label written in a capability (and each window of the app\n"
	      "config), from the app's own pages (\"local\") and from each remote URL\n"
	      "pattern a capability lists, the commands it may call with their scopes,\n"
	      "the commands denied to it, the plugins' global scopes, the events it may\n"
	      "listen to, emit and emit to, and the capability entry and permission that\n"
	      "grant each. Commands that touch files, processes, the shell or the network\n"
	      "are marked. Only capabilities for the target platform grant anything.\n"
	      "\n"
	      "A PATH is a Tauri project or its src-tauri/ directory (capabilities/,\n"
	      "gen/schemas/acl-manifests.json, tauri.conf.json), a capgate app directory\n"
	      "or its capgate.json, a directory of capability files, or one capability file.\n"
	      "\n"
	      "  --plugins DIR           permission manifests, one sub-directory per plugin\n"
	      "                          named by its prefix (repeatable)\n"
	      "  --tauri-manifests FILE  a Tauri gen/schemas/acl-manifests.json (repeatable)\n"
	      "  --app-permissions DIR   the app's own permission files (repeatable)\n"
	      "  --app-command NAME[,NAME]  commands the host app registers in C: their\n"
	      "                          allow-/deny- permissions exist (repeatable)\n"
	      "  --config FILE           the app config whose window labels get rows even when\n"
	      "                          no capability covers them: a capgate.json, or Tauri's\n"
	      "                          tauri.conf.json (app.windows[].label, \"main\" when\n"
	      "                          unset); default: the one found in PATH\n"
	      "  --platform NAME         target platform: linux (default), macOS, windows,\n"
	      "                          android or iOS\n"
	      "  --no-builtin-core       do not load the built-in core:* manifests\n"
	      "  --no-builtin-plugins    do not load the built-in plugins' manifests (fs, ...),\n"
	      "                          which stand in for a plugin no source defines, as in\n"
	      "                          capgate run\n"
	      "  --format FORMAT         text (default), json, or html: one self-contained\n"
	      "                          page (no scripts, no external resources) with the\n"
	      "                          matrix as a table, dangerous grants highlighted\n"
	      "  -o, --output FILE       write to FILE instead of standard output\n"
	      "  --diff                  compare two versions, OLD and NEW (one PATH each,\n"
	      "                          the options apply to both): per context, commands\n"
	      "                          granted or removed, denials, scope and event-scope\n"
	      "                          changes, contexts that appear or disappear (text or\n"
	      "                          json)\n"
	      "  -h, --help              print this help\n"
	      "\n"
	      "A pattern row (\"editor-*\") shows what every window it matches gets: the\n"
	      "capabilities written for the same pattern or for one that matches it as text\n"
	      "(\"*\"). A webview row shows the capabilities naming the webview; those of\n"
	      "its window add to them. A remote row shows what the capabilities listing\n"
	      "exactly that URL pattern grant; a page matching several patterns gets the\n"
	      "union of their rows. The JSON format is described in docs/capabilities.md\n"
	      "(\"Audit\").\n"
	      "\n"
	      "Exit status: 0 on success; with --diff, 0 when the matrices are the same\n"
	      "and 1 when they differ; 2 on a usage error or when the files do not load\n"
	      "(run 'capgate lint PATH' for every problem with its location).\n", f);
}

/* ------------------------------------------------------------------- main */

static int parse_format(const char *s, enum format *out)
{
	if (strcmp(s, "text") == 0)
		*out = F_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = F_JSON;
	else if (strcmp(s, "html") == 0)
		*out = F_HTML;
	else
		return -1;
	return 0;
}

/* -1: carry on; otherwise the exit code. */
static int parse_opts(int argc, char **argv, audit_opts *o)
{
	enum { O_PLUGINS = 1000, O_TAURI, O_APP, O_DECLARE, O_CONFIG, O_PLATFORM, O_NOCORE, O_NOPLUGINS,
	       O_FORMAT, O_DIFF };
	static const struct option opts[] = {
		{"plugins", required_argument, NULL, O_PLUGINS},
		{"tauri-manifests", required_argument, NULL, O_TAURI},
		{"app-permissions", required_argument, NULL, O_APP},
		{"app-command", required_argument, NULL, O_DECLARE},
		{"config", required_argument, NULL, O_CONFIG},
		{"platform", required_argument, NULL, O_PLATFORM},
		{"no-builtin-core", no_argument, NULL, O_NOCORE},
		{"no-builtin-plugins", no_argument, NULL, O_NOPLUGINS},
		{"format", required_argument, NULL, O_FORMAT},
		{"output", required_argument, NULL, 'o'},
		{"diff", no_argument, NULL, O_DIFF},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, r = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case O_PLUGINS: r = audit_strlist_add(&o->plugins, optarg); break;
		case O_TAURI: r = audit_strlist_add(&o->tauri, optarg); break;
		case O_APP: r = audit_strlist_add(&o->app_perms, optarg); break;
		case O_DECLARE: r = audit_strlist_add(&o->declare, optarg); break;
		case O_CONFIG: o->config = optarg; break;
		case O_PLATFORM: o->platform = optarg; break;
		case O_NOCORE: o->no_core = 1; break;
		case O_NOPLUGINS: o->no_plugins = 1; break;
		case 'o': o->output = optarg; break;
		case O_DIFF: o->diff = 1; break;
		case O_FORMAT:
			if (parse_format(optarg, &o->format) < 0) {
				fprintf(stderr, "capgate: audit: unknown format '%s' (text, json or html)\n", optarg);
				return CLI_USAGE;
			}
			break;
		case 'h':
			audit_usage(stdout);
			return CLI_OK;
		default:
			audit_usage(stderr);
			return CLI_USAGE;
		}
		if (r < 0) {
			fputs("capgate: out of memory\n", stderr);
			return CLI_USAGE;
		}
	}
	int paths = argc - optind;
	if (o->diff ? paths != 2 : paths < 1) {
		fprintf(stderr, "capgate: audit: %s\n", o->diff ? "--diff takes exactly two paths: OLD NEW"
								: "name at least one PATH to audit");
		audit_usage(stderr);
		return CLI_USAGE;
	}
	if (o->diff && o->format == F_HTML) {
		fputs("capgate: audit: --diff prints text or json, not html\n", stderr);
		return CLI_USAGE;
	}
	return -1;
}

static FILE *open_output(const audit_opts *o)
{
	if (!o->output)
		return stdout;
	FILE *f = fopen(o->output, "w");
	if (!f)
		fprintf(stderr, "capgate: %s: cannot write: %s\n", o->output, strerror(errno));
	return f;
}

/* Flushes and closes; CLI_USAGE when anything failed to be written. */
static int close_output(const audit_opts *o, FILE *f, int rc)
{
	int bad = fflush(f) != 0 || ferror(f);
	if (f != stdout)
		bad |= fclose(f) != 0;
	if (bad) {
		fprintf(stderr, "capgate: %s: write error\n", o->output ? o->output : "standard output");
		return CLI_USAGE;
	}
	return rc;
}

static void print_json(FILE *f, json_object *v)
{
	fprintf(f, "%s\n", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
}

static int run_audit(const audit_opts *o, char *const *paths, size_t n)
{
	json_object *m = audit_side_matrix(o, paths, n);
	if (!m)
		return CLI_USAGE;
	FILE *f = open_output(o);
	int rc = CLI_OK;
	if (!f) {
		json_object_put(m);
		return CLI_USAGE;
	}
	if (o->format == F_JSON)
		print_json(f, m);
	else if (o->format == F_HTML && audit_html_matrix(f, m) < 0) {
		fputs("capgate: out of memory\n", stderr);
		rc = CLI_USAGE;
	} else if (o->format == F_TEXT)
		audit_text_matrix(f, m);
	json_object_put(m);
	return close_output(o, f, rc);
}

static int run_diff(const audit_opts *o, char *const *paths)
{
	json_object *old = audit_side_matrix(o, paths, 1);
	json_object *new = old ? audit_side_matrix(o, paths + 1, 1) : NULL;
	size_t changes = 0;
	json_object *d = new ? audit_diff_matrices(old, new, paths[0], paths[1], &changes) : NULL;
	int rc = CLI_USAGE;
	FILE *f = NULL;
	if (new && !d)
		fputs("capgate: out of memory\n", stderr);
	if (d && (f = open_output(o))) {
		if (o->format == F_JSON)
			print_json(f, d);
		else
			audit_text_diff(f, d);
		rc = close_output(o, f, changes ? CLI_FINDINGS : CLI_OK);
	}
	json_object_put(d);
	json_object_put(old);
	json_object_put(new);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	audit_opts o;
	memset(&o, 0, sizeof(o));
	int rc = parse_opts(argc, argv, &o);
	if (rc < 0)
		rc = o.diff ? run_diff(&o, argv + optind)
			    : run_audit(&o, argv + optind, (size_t)(argc - optind));
	audit_opts_clear(&o);
	return rc;
}
