/*
 * capgate audit: the effective permission matrix (cg_policy_audit) as
 * text, JSON or one self-contained HTML page, and --diff: what a change to
 * the files grants or removes, for code review.
 *
 * Every string in the matrix comes from the files under review, which may
 * be hostile: text output replaces control characters (no terminal escape
 * sequences get through) and HTML output escapes everything it prints.
 */
#include "cli.h"
#include "inputs.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum format { F_TEXT, F_JSON, F_HTML };

/* Borrowed strings (argv), in order. */
typedef struct strlist {
	const char **v;
	size_t n;
} strlist;

/* Owned strings. */
typedef struct labels {
	char **v;
	size_t n;
} labels;

typedef struct audit_opts {
	strlist plugins, tauri, app_perms, declare;
	const char *config, *platform, *output;
	int no_core, diff;
	enum format format;
} audit_opts;

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

/* ------------------------------------------------------------------ lists */

static int strlist_add(strlist *l, const char *s)
{
	const char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	l->v = nv;
	l->v[l->n++] = s;
	return 0;
}

static int labels_add(labels *l, const char *s)
{
	char *dup = strdup(s);
	char **nv = dup ? realloc(l->v, (l->n + 1) * sizeof(*nv)) : NULL;
	if (!nv) {
		free(dup);
		return -1;
	}
	l->v = nv;
	l->v[l->n++] = dup;
	return 0;
}

static void labels_clear(labels *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void opts_clear(audit_opts *o)
{
	free(o->plugins.v);
	free(o->tauri.v);
	free(o->app_perms.v);
	free(o->declare.v);
}

/* ------------------------------------------------------------ json access */

static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Array length, 0 for anything that is not an array (null, missing). */
static size_t alen(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static json_object *aget(json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

/* Compact JSON of a scope value, for one line of text or a title. */
static const char *compact(json_object *v)
{
	const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE);
	return s ? s : "?";
}

/* The command's name inside its plugin: "read_file" for "plugin:fs|read_file". */
static const char *plain_name(const char *command)
{
	const char *bar = strchr(command, '|');
	return bar ? bar + 1 : command;
}

/* ------------------------------------------------------------- app config */

static int tauri_labels(json_object *app, const char *path, labels *out)
{
	json_object *wins = jget(app, "windows");
	for (size_t i = 0; i < alen(wins); i++) {
		json_object *w = aget(wins, i);
		const char *label = jstr(w, "label");
		if (!json_object_is_type(w, json_type_object))
			continue;
		if (labels_add(out, label ? label : "main") < 0)
			return -1;
	}
	json_object *caps = jget(jget(app, "security"), "capabilities");
	if (alen(caps))
		fprintf(stderr, "capgate: note: %s enables only the %zu capabilities its "
			"app.security.capabilities names; the audit covers every capability file\n",
			path, alen(caps));
	return 0;
}

/* The JSON of a file, or NULL after saying why (json_object_from_file's
 * own messages name neither the problem nor where it is). */
static json_object *read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	json_object *v = NULL;
	if (!f) {
		fprintf(stderr, "capgate: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	FILE *mem = open_memstream(&buf, &len);
	char chunk[8192];
	size_t n;
	while (mem && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	int bad = ferror(f);
	fclose(f);
	if (!mem || fclose(mem) != 0 || bad) {
		fprintf(stderr, "capgate: %s: cannot read the file\n", path);
		free(buf);
		return NULL;
	}
	json_tokener *tok = json_tokener_new();
	if (!tok || len > INT32_MAX)
		fprintf(stderr, "capgate: %s: %s\n", path, tok ? "too large" : "out of memory");
	else if (!(v = json_tokener_parse_ex(tok, buf, (int)len))) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		fprintf(stderr, "capgate: %s: not valid JSON: %s (near byte %zu)\n", path,
			e == json_tokener_continue ? "unexpected end of file" : json_tokener_error_desc(e),
			json_tokener_get_parse_end(tok));
	} else {
		for (size_t i = json_tokener_get_parse_end(tok); v && i < len; i++)
			if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n') {
				fprintf(stderr, "capgate: %s: not valid JSON: text after the value (near byte %zu)\n",
					path, i);
				json_object_put(v);
				v = NULL;
			}
	}
	json_tokener_free(tok);
	free(buf);
	return v;
}

/* Window labels of a capgate config or a Tauri tauri.conf.json; -1 when
 * the file cannot be read (with a message). */
static int read_labels(const char *path, labels *out)
{
	json_object *root = read_json(path);
	if (!root)
		return -1;
	json_object *app = jget(root, "app");
	int r = 0;
	if (app && json_object_is_type(app, json_type_object)) {
		r = tauri_labels(app, path, out);
		if (r < 0)
			fputs("capgate: out of memory\n", stderr);
	} else {
		/* capgate's own reader: located errors for a broken config. */
		cg_diag *d = cg_diag_new();
		cg_appconfig *c = NULL;
		if (!d || cg_appconfig_load(path, &c, d) < 0) {
			cli_print_diag(d);
			r = -1;
		}
		for (size_t i = 0; c && r == 0 && i < cg_appconfig_window_count(c); i++)
			r = labels_add(out, cg_appconfig_window(c, i)->label);
		cg_appconfig_free(c);
		cg_diag_free(d);
	}
	json_object_put(root);
	return r;
}

/* ------------------------------------------------------------------ load */

static int add_sources(const audit_opts *o, cg_builder *b, cg_diag *d)
{
	if (o->platform && cg_builder_set_platform(b, o->platform) < 0) {
		fprintf(stderr, "capgate: unknown platform '%s' (linux, macOS, windows, android or iOS)\n",
			o->platform);
		return -1;
	}
	if (o->no_core)
		cg_builder_use_builtin_core(b, 0);
	for (size_t i = 0; i < o->plugins.n; i++)
		cg_builder_add_plugins_dir(b, o->plugins.v[i], d);
	for (size_t i = 0; i < o->tauri.n; i++)
		cg_builder_add_tauri_manifests(b, o->tauri.v[i], d);
	for (size_t i = 0; i < o->app_perms.n; i++)
		cg_builder_add_manifest_dir(b, NULL, o->app_perms.v[i], d);
	for (size_t i = 0; i < o->declare.n; i++) {
		char *copy = strdup(o->declare.v[i]), *save = NULL;
		if (!copy)
			return -1;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (cg_builder_declare_command(b, NULL, t) < 0) {
				fprintf(stderr, "capgate: invalid command name '%s'\n", t);
				free(copy);
				return -1;
			}
		free(copy);
	}
	return 0;
}

/* "run 'capgate lint PATH...' for WHAT" */
static void lint_hint(char *const *paths, size_t n, const char *what)
{
	fputs("run 'capgate lint", stderr);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", paths[i]);
	fprintf(stderr, "' for %s\n", what);
}

/* Loads PATHs into a policy; NULL (after saying why) when they do not load. */
static cg_policy *load_policy(const audit_opts *o, char *const *paths, size_t n, char **config)
{
	cli_inputs in;
	cg_diag *d = cg_diag_new();
	cg_policy *p = NULL;
	if (!d || cli_inputs_init(&in) < 0) {
		fputs("capgate: out of memory\n", stderr);
		cg_diag_free(d);
		return NULL;
	}
	int bad = add_sources(o, in.b, d) < 0;
	for (size_t i = 0; !bad && i < n; i++)
		bad = cli_inputs_add_path(&in, paths[i], d) < 0;
	if (!bad && (cg_builder_build(in.b, &p, d) < 0 || cg_diag_error_count(d))) {
		cli_print_diag(d);
		fprintf(stderr, "capgate: the policy did not load (%zu error(s)); ", cg_diag_error_count(d));
		lint_hint(paths, n, "details");
		bad = 1;
	} else if (!bad && cg_diag_count(d)) {
		/* The matrix is right despite them; lint explains each. */
		fprintf(stderr, "capgate: note: %zu warning(s) while loading; ", cg_diag_count(d));
		lint_hint(paths, n, "them");
	}
	if (!bad && in.app_config && !(*config = strdup(in.app_config))) {
		fputs("capgate: out of memory\n", stderr);
		bad = 1;
	}
	if (bad) {
		cg_policy_unref(p);
		p = NULL;
	}
	cli_inputs_clear(&in);
	cg_diag_free(d);
	return p;
}

/* The matrix of PATHs, or NULL (after saying why). */
static json_object *side_matrix(const audit_opts *o, char *const *paths, size_t n)
{
	char *found = NULL;
	labels lb = {0};
	json_object *m = NULL;
	cg_policy *p = load_policy(o, paths, n, &found);
	if (!p)
		goto out;
	const char *config = o->config ? o->config : found;
	if (config && read_labels(config, &lb) < 0) {
		if (o->config)
			goto out;
		/* A config found on the way is a help, not a requirement. */
		fprintf(stderr, "capgate: warning: auditing without the window labels of %s\n", config);
		labels_clear(&lb);
	}
	m = cg_policy_audit(p, (const char *const *)lb.v, lb.n);
	if (!m)
		fputs("capgate: out of memory\n", stderr);
out:
	cg_policy_unref(p);
	labels_clear(&lb);
	free(found);
	return m;
}

/* ------------------------------------------------------------ text output */

/* Prints file-controlled text with control characters (terminal escape
 * sequences) shown as \xNN. */
static void put_text(FILE *f, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\x%02x", *c);
		else
			fputc(*c, f);
}

static void put_context_name(FILE *f, json_object *ctx)
{
	fprintf(f, "%s ", jstr(ctx, "kind") ? jstr(ctx, "kind") : "?");
	put_text(f, jstr(ctx, "label"));
	fputs(" (", f);
	put_text(f, jstr(ctx, "origin"));
	fputc(')', f);
}

/* ENTRY [via PERMISSION] (CAPABILITY, FILE:LINE) */
static void put_source(FILE *f, json_object *src)
{
	const char *entry = jstr(src, "entry"), *perm = jstr(src, "permission");
	put_text(f, entry);
	if (perm && entry && strcmp(perm, entry) != 0) {
		fputs(" via ", f);
		put_text(f, perm);
	}
	fputs(" (", f);
	put_text(f, jstr(src, "capability"));
	fputs(", ", f);
	put_text(f, jstr(src, "file"));
	fprintf(f, ":%d)", json_object_get_int(jget(src, "line")));
}

static void put_sources(FILE *f, json_object *list)
{
	for (size_t i = 0; i < alen(list); i++) {
		fputs(i ? "; " : "", f);
		put_source(f, aget(list, i));
	}
}

static void put_values(FILE *f, const char *what, json_object *arr, const char *indent)
{
	for (size_t i = 0; i < alen(arr); i++) {
		fprintf(f, "%s%s ", indent, what);
		put_text(f, compact(aget(arr, i)));
		fputc('\n', f);
	}
}

/* Column widths of a command list: names (capped, so one long name does
 * not push every line right) and danger tags. */
static int name_width(json_object *list, int *tag_width)
{
	size_t w = 0, t = 0;
	for (size_t i = 0; i < alen(list); i++) {
		const char *c = jstr(aget(list, i), "command"), *d = jstr(aget(list, i), "danger");
		if (c && strlen(c) > w)
			w = strlen(c);
		if (d && strlen(d) + 2 > t)
			t = strlen(d) + 2;
	}
	*tag_width = t > 16 ? 16 : (int)t;
	return w > 44 ? 44 : (int)w;
}

static void text_command(FILE *f, json_object *cmd, int width, int tag_width, const char *by_key)
{
	const char *danger = jstr(cmd, "danger");
	const char *name = jstr(cmd, "command");
	char tag[32] = "";
	if (danger)
		snprintf(tag, sizeof(tag), "[%s]", danger);
	int pad = width - (int)strlen(name ? name : "");
	fprintf(f, "    %c ", danger ? '!' : ' ');
	put_text(f, name);
	fprintf(f, "%*s %-*s%s", pad > 0 ? pad : 0, "", tag_width, tag, tag_width ? " " : "");
	put_sources(f, jget(cmd, by_key));
	fputc('\n', f);
	json_object *scope = jget(cmd, "scope");
	put_values(f, "scope allow", jget(scope, "allow"), "        ");
	put_values(f, "scope deny ", jget(scope, "deny"), "        ");
	if (alen(jget(cmd, "overrides"))) {
		fputs("        overrides ", f);
		put_sources(f, jget(cmd, "overrides"));
		fputc('\n', f);
	}
}

static void text_commands(FILE *f, json_object *list, const char *title, const char *by_key)
{
	if (!alen(list))
		return;
	fprintf(f, "  %s (%zu):\n", title, alen(list));
	int tw, w = name_width(list, &tw);
	for (size_t i = 0; i < alen(list); i++)
		text_command(f, aget(list, i), w, tw, by_key);
}

static void text_globals(FILE *f, json_object *globals)
{
	if (!globals || !json_object_object_length(globals))
		return;
	fputs("  global scopes:\n", f);
	json_object_object_foreach(globals, key, g) {
		fputs("    ", f);
		put_text(f, *key ? key : "(app)");
		fputs(": from ", f);
		put_sources(f, jget(g, "granted_by"));
		fputc('\n', f);
		put_values(f, "allow", jget(g, "allow"), "        ");
		put_values(f, "deny ", jget(g, "deny"), "        ");
	}
}

static void put_globs(FILE *f, json_object *arr)
{
	for (size_t i = 0; i < alen(arr); i++) {
		fputs(i ? ", " : "", f);
		put_text(f, json_object_get_string(aget(arr, i)));
	}
}

static void text_events(FILE *f, json_object *events)
{
	static const char *const ops[] = {"listen", "emit", "emit_to"};
	fputs("  events:", f);
	for (int i = 0; i < 3; i++) {
		json_object *e = jget(events, ops[i]);
		fprintf(f, "%s %s ", i ? ";" : "", ops[i]);
		if (!e) {
			fputs("(not granted)", f);
			continue;
		}
		put_globs(f, jget(e, "allow"));
		if (alen(jget(e, "deny"))) {
			fputs(" except ", f);
			put_globs(f, jget(e, "deny"));
		}
	}
	fputc('\n', f);
}

static void text_context(FILE *f, json_object *ctx)
{
	json_object *caps = jget(ctx, "capabilities");
	put_context_name(f, ctx);
	fputc('\n', f);
	if (!alen(caps)) {
		fputs("  no capability applies: every call is denied\n\n", f);
		return;
	}
	fputs("  capabilities: ", f);
	put_globs(f, caps);
	fputc('\n', f);
	text_commands(f, jget(ctx, "commands"), "allowed", "granted_by");
	text_commands(f, jget(ctx, "denied"), "denied", "denied_by");
	if (!alen(jget(ctx, "commands")) && !alen(jget(ctx, "denied")))
		fputs("  no command is granted\n", f);
	text_globals(f, jget(ctx, "global_scopes"));
	text_events(f, jget(ctx, "events"));
	fputc('\n', f);
}

static void text_matrix(FILE *f, json_object *m)
{
	json_object *caps = jget(m, "capabilities"), *ctxs = jget(m, "contexts");
	size_t disabled = 0;
	for (size_t i = 0; i < alen(caps); i++)
		disabled += !json_object_get_boolean(jget(aget(caps, i), "enabled"));
	fprintf(f, "Permission matrix for %s: %zu capabilit%s", jstr(m, "platform"), alen(caps),
		alen(caps) == 1 ? "y" : "ies");
	if (disabled)
		fprintf(f, " (%zu for other platforms, granting nothing)", disabled);
	fprintf(f, ", %zu context%s. '!' marks commands that reach files, processes, the shell or the network.\n\n",
		alen(ctxs), alen(ctxs) == 1 ? "" : "s");
	for (size_t i = 0; i < alen(ctxs); i++)
		text_context(f, aget(ctxs, i));
}

/* ------------------------------------------------------------ html output */

/* Escapes file-controlled text for element content and quoted attributes. */
static void h(FILE *f, const char *s)
{
	for (const char *c = s ? s : ""; *c; c++)
		switch (*c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\n': fputs("&#10;", f); break;
		default: fputc(*c, f);
		}
}

static const char CSS[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#1a1a1a;background:#fff}\n"
	"h1{font-size:1.4em}h2{font-size:1.2em;margin-top:2em}h3{font-size:1.05em;margin:1.5em 0 .4em}\n"
	"table{border-collapse:collapse;margin:.4em 0}\n"
	"th,td{border:1px solid #c8c8c8;padding:4px 6px;vertical-align:top;text-align:left}\n"
	"thead th{background:#ececec;position:sticky;top:0}\n"
	"tbody th{background:#f6f6f6;white-space:nowrap}\n"
	".wrap{overflow-x:auto}\n"
	"code,.c{font-family:ui-monospace,monospace;font-size:.92em}\n"
	".c{display:inline-block;margin:1px 2px;padding:0 4px;border-radius:3px;background:#e7eefc;white-space:nowrap}\n"
	".s{border-bottom:2px dotted #333}\n"
	".d-files{background:#ffd59e}.d-processes{background:#ff9f9f}\n"
	".d-shell{background:#d9262c;color:#fff}.d-network{background:#9fd3ff}\n"
	".denied{background:#e2e2e2;color:#555;text-decoration:line-through}\n"
	".none{color:#999}.uncovered th,.uncovered td{background:#fff6d6}\n"
	".remote{color:#8a3b00;font-weight:600}\n"
	"details{display:inline}summary{cursor:pointer;color:#345}\n"
	".legend .c{margin-right:.6em}\n";

static void h_head(FILE *f, json_object *m)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>capgate audit: permission matrix</title>\n<style>\n", f);
	fputs(CSS, f);
	fputs("</style>\n</head>\n<body>\n<h1>Permission matrix</h1>\n<p>Platform <b>", f);
	h(f, jstr(m, "platform"));
	size_t nctx = alen(jget(m, "contexts")), ncap = alen(jget(m, "capabilities"));
	fprintf(f, "</b>: %zu context%s (window or webview, and origin), %zu capabilit%s. "
		"Each context lists what its pages may call; hover a command for its scope and the "
		"capability entry that grants it, or follow the context's link for the details.</p>\n",
		nctx, nctx == 1 ? "" : "s", ncap, ncap == 1 ? "y" : "ies");
	fputs("<p class=\"legend\">Legend: <span class=\"c d-files\">files</span>"
	      "<span class=\"c d-processes\">processes</span><span class=\"c d-shell\">shell</span>"
	      "<span class=\"c d-network\">network</span> dangerous commands, by what they reach; "
	      "<span class=\"c\">command</span> other commands; <span class=\"c s\">scoped</span> "
	      "with a command scope; <span class=\"c denied\">denied</span> refused by a deny rule; "
	      "<span class=\"remote\">remote</span> origins are web pages, not the app's own; "
	      "highlighted rows are app windows no capability covers.</p>\n", f);
}

/* Title text: the source list as lines. */
static void h_sources(FILE *f, const char *what, json_object *list)
{
	for (size_t i = 0; i < alen(list); i++) {
		json_object *src = aget(list, i);
		const char *entry = jstr(src, "entry"), *perm = jstr(src, "permission");
		fprintf(f, "&#10;%s ", what);
		h(f, entry);
		if (perm && entry && strcmp(perm, entry) != 0) {
			fputs(" via ", f);
			h(f, perm);
		}
		fputs(" in ", f);
		h(f, jstr(src, "capability"));
		fputs(" (", f);
		h(f, jstr(src, "file"));
		fprintf(f, ":%d)", json_object_get_int(jget(src, "line")));
	}
}

static void h_scope_lines(FILE *f, const char *what, json_object *arr)
{
	for (size_t i = 0; i < alen(arr); i++) {
		fprintf(f, "&#10;%s ", what);
		h(f, compact(aget(arr, i)));
	}
}

/* A command as a highlighted chip whose title carries its scope and
 * provenance; full: show "plugin:fs|read_file" rather than "read_file". */
static void h_chip(FILE *f, json_object *cmd, int denied, int full)
{
	const char *danger = jstr(cmd, "danger");
	json_object *scope = jget(cmd, "scope");
	int scoped = alen(jget(scope, "allow")) || alen(jget(scope, "deny"));
	fputs("<span class=\"c", f);
	if (danger) {
		fputs(" d-", f);
		h(f, danger);
	}
	fprintf(f, "%s%s\" title=\"", scoped ? " s" : "", denied ? " denied" : "");
	h(f, jstr(cmd, "command"));
	if (danger) {
		fputs(" (reaches ", f);
		h(f, danger);
		fputc(')', f);
	}
	h_scope_lines(f, "scope allow", jget(scope, "allow"));
	h_scope_lines(f, "scope deny", jget(scope, "deny"));
	h_sources(f, denied ? "denied by" : "granted by", jget(cmd, denied ? "denied_by" : "granted_by"));
	h_sources(f, "overrides", jget(cmd, "overrides"));
	fputs("\">", f);
	const char *name = jstr(cmd, "command") ? jstr(cmd, "command") : "";
	h(f, full ? name : plain_name(name));
	fputs("</span>", f);
}

/* Dangerous commands always show; past a dozen, the rest fold away. */
#define CELL_OPEN 12

static int of_plugin(json_object *cmd, const char *plugin)
{
	const char *pl = jstr(cmd, "plugin");
	return strcmp(pl ? pl : "", plugin) == 0;
}

static void h_plugin_cell(FILE *f, json_object *cmds, const char *plugin)
{
	size_t n = 0, dangerous = 0;
	for (size_t i = 0; i < alen(cmds); i++)
		if (of_plugin(aget(cmds, i), plugin)) {
			n++;
			dangerous += jstr(aget(cmds, i), "danger") != NULL;
		}
	fputs("<td>", f);
	if (!n)
		fputs("<span class=\"none\">&ndash;</span>", f);
	int fold = n > CELL_OPEN;
	for (size_t i = 0; i < alen(cmds); i++)
		if (of_plugin(aget(cmds, i), plugin) && (!fold || jstr(aget(cmds, i), "danger")))
			h_chip(f, aget(cmds, i), 0, 0);
	if (fold && n > dangerous) {
		fprintf(f, "<details><summary>%zu %s</summary>", n - dangerous, dangerous ? "more" : "commands");
		for (size_t i = 0; i < alen(cmds); i++)
			if (of_plugin(aget(cmds, i), plugin) && !jstr(aget(cmds, i), "danger"))
				h_chip(f, aget(cmds, i), 0, 0);
		fputs("</details>", f);
	}
	fputs("</td>", f);
}

static void h_events_cell(FILE *f, json_object *events)
{
	static const char *const ops[] = {"listen", "emit", "emit_to"};
	fputs("<td>", f);
	for (int i = 0; i < 3; i++) {
		json_object *e = jget(events, ops[i]), *allow = jget(e, "allow"), *deny = jget(e, "deny");
		fprintf(f, "%s%s: ", i ? "<br>" : "", ops[i]);
		if (!e) {
			fputs("<span class=\"none\">&ndash;</span>", f);
			continue;
		}
		for (size_t k = 0; k < alen(allow); k++) {
			fputs(k ? ", <code>" : "<code>", f);
			h(f, json_object_get_string(aget(allow, k)));
			fputs("</code>", f);
		}
		for (size_t k = 0; k < alen(deny); k++) {
			fputs(k ? ", <code>" : " except <code>", f);
			h(f, json_object_get_string(aget(deny, k)));
			fputs("</code>", f);
		}
	}
	fputs("</td>", f);
}

static int cmp_cstr(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Plugin keys of every allowed command, sorted, unique; borrowed. NULL
 * with *n 0 when there are none or memory runs out (*oom set). */
static const char **plugin_columns(json_object *ctxs, size_t *n, int *oom)
{
	size_t cap = 0;
	const char **v = NULL;
	*n = 0;
	for (size_t i = 0; i < alen(ctxs); i++) {
		json_object *cmds = jget(aget(ctxs, i), "commands");
		for (size_t k = 0; k < alen(cmds); k++) {
			const char *pl = jstr(aget(cmds, k), "plugin");
			if (*n && strcmp(v[*n - 1], pl ? pl : "") == 0)
				continue; /* commands come grouped by name, so mostly by plugin */
			if (*n == cap) {
				const char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*nv));
				if (!nv) {
					free(v);
					*n = 0;
					*oom = 1;
					return NULL;
				}
				v = nv;
			}
			v[(*n)++] = pl ? pl : "";
		}
	}
	if (!v)
		return NULL;
	qsort(v, *n, sizeof(*v), cmp_cstr);
	size_t w = 0;
	for (size_t i = 0; i < *n; i++)
		if (!w || strcmp(v[w - 1], v[i]) != 0)
			v[w++] = v[i];
	*n = w;
	return v;
}

static void h_context_heading(FILE *f, json_object *ctx, size_t i)
{
	fprintf(f, "<a href=\"#ctx-%zu\">", i);
	h(f, jstr(ctx, "kind"));
	fputs(" <code>", f);
	h(f, jstr(ctx, "label"));
	fputs("</code></a>", f);
}

static void h_origin(FILE *f, json_object *ctx)
{
	const char *o = jstr(ctx, "origin");
	int remote = o && strcmp(o, "local") != 0;
	fputs(remote ? "<span class=\"remote\">" : "<span>", f);
	h(f, o);
	fputs("</span>", f);
}

static void h_danger_cell(FILE *f, json_object *cmds)
{
	size_t n = 0;
	fputs("<td>", f);
	for (size_t k = 0; k < alen(cmds); k++)
		if (jstr(aget(cmds, k), "danger")) {
			h_chip(f, aget(cmds, k), 0, 1);
			n++;
		}
	if (!n)
		fputs("<span class=\"none\">&ndash;</span>", f);
	fputs("</td>", f);
}

static void h_denied_cell(FILE *f, json_object *denied)
{
	fputs("<td>", f);
	for (size_t k = 0; k < alen(denied); k++)
		h_chip(f, aget(denied, k), 1, 1);
	if (!alen(denied))
		fputs("<span class=\"none\">&ndash;</span>", f);
	fputs("</td>", f);
}

/* The columns a reviewer needs first (who, what applies, what is
 * dangerous, what is refused, events) come before one column per plugin. */
static void h_row(FILE *f, json_object *ctx, size_t i, const char **plugins, size_t np)
{
	json_object *caps = jget(ctx, "capabilities"), *cmds = jget(ctx, "commands");
	fputs(alen(caps) ? "<tr><th>" : "<tr class=\"uncovered\"><th>", f);
	h_context_heading(f, ctx, i);
	fputs("</th><td>", f);
	h_origin(f, ctx);
	fputs("</td><td>", f);
	for (size_t k = 0; k < alen(caps); k++) {
		fputs(k ? "<br>" : "", f);
		h(f, json_object_get_string(aget(caps, k)));
	}
	if (!alen(caps))
		fputs("<span class=\"none\">none: every call is denied</span>", f);
	fputs("</td>", f);
	h_danger_cell(f, cmds);
	h_denied_cell(f, jget(ctx, "denied"));
	h_events_cell(f, jget(ctx, "events"));
	for (size_t k = 0; k < np; k++)
		h_plugin_cell(f, cmds, plugins[k]);
	fputs("</tr>\n", f);
}

static int h_matrix_table(FILE *f, json_object *m)
{
	json_object *ctxs = jget(m, "contexts");
	size_t np = 0;
	int oom = 0;
	const char **plugins = plugin_columns(ctxs, &np, &oom);
	if (oom)
		return -1;
	fputs("<h2>Matrix</h2>\n<div class=\"wrap\"><table class=\"matrix\">\n<thead><tr>"
	      "<th>Window / webview</th><th>Origin</th><th>Capabilities</th>"
	      "<th>Dangerous grants</th><th>Denied</th><th>Events</th>", f);
	for (size_t k = 0; k < np; k++) {
		fputs("<th>", f);
		h(f, *plugins[k] ? plugins[k] : "app commands");
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < alen(ctxs); i++)
		h_row(f, aget(ctxs, i), i, plugins, np);
	if (!alen(ctxs))
		fprintf(f, "<tr><td colspan=\"%zu\" class=\"none\">No capability applies to any window.</td></tr>\n",
			np + 6);
	fputs("</tbody></table></div>\n", f);
	free(plugins);
	return 0;
}

static void h_source_list(FILE *f, json_object *list)
{
	for (size_t i = 0; i < alen(list); i++) {
		json_object *src = aget(list, i);
		const char *entry = jstr(src, "entry"), *perm = jstr(src, "permission");
		fputs(i ? "<br><code>" : "<code>", f);
		h(f, entry);
		fputs("</code>", f);
		if (perm && entry && strcmp(perm, entry) != 0) {
			fputs(" via <code>", f);
			h(f, perm);
			fputs("</code>", f);
		}
		fputs(" in ", f);
		h(f, jstr(src, "capability"));
		fputs(" (", f);
		h(f, jstr(src, "file"));
		fprintf(f, ":%d)", json_object_get_int(jget(src, "line")));
	}
}

static void h_values(FILE *f, const char *what, json_object *arr)
{
	for (size_t i = 0; i < alen(arr); i++) {
		fprintf(f, "%s%s <code>", i ? "<br>" : "", what);
		h(f, compact(aget(arr, i)));
		fputs("</code>", f);
	}
}

static void h_command_table(FILE *f, json_object *list, int denied)
{
	if (!alen(list))
		return;
	fprintf(f, "<table><thead><tr><th>%s</th><th>Reaches</th><th>Scope</th><th>%s</th></tr></thead><tbody>\n",
		denied ? "Denied command" : "Command", denied ? "Denied by (and the grants it overrides)" : "Granted by");
	for (size_t i = 0; i < alen(list); i++) {
		json_object *c = aget(list, i), *scope = jget(c, "scope");
		const char *danger = jstr(c, "danger");
		fputs("<tr><td>", f);
		h_chip(f, c, denied, 1);
		fputs("</td><td>", f);
		if (danger) {
			fputs("<span class=\"c d-", f);
			h(f, danger);
			fputs("\">", f);
			h(f, danger);
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		h_values(f, "allow", jget(scope, "allow"));
		if (alen(jget(scope, "allow")) && alen(jget(scope, "deny")))
			fputs("<br>", f);
		h_values(f, "deny", jget(scope, "deny"));
		fputs("</td><td>", f);
		h_source_list(f, jget(c, denied ? "denied_by" : "granted_by"));
		if (alen(jget(c, "overrides"))) {
			fputs("<br>overrides: ", f);
			h_source_list(f, jget(c, "overrides"));
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void h_globals(FILE *f, json_object *globals)
{
	if (!globals || !json_object_object_length(globals))
		return;
	fputs("<table><thead><tr><th>Plugin</th><th>Global scope</th><th>From</th></tr></thead><tbody>\n", f);
	json_object_object_foreach(globals, key, g) {
		fputs("<tr><td>", f);
		h(f, *key ? key : "app");
		fputs("</td><td>", f);
		h_values(f, "allow", jget(g, "allow"));
		if (alen(jget(g, "allow")) && alen(jget(g, "deny")))
			fputs("<br>", f);
		h_values(f, "deny", jget(g, "deny"));
		fputs("</td><td>", f);
		h_source_list(f, jget(g, "granted_by"));
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void h_details(FILE *f, json_object *m)
{
	json_object *ctxs = jget(m, "contexts");
	fputs("<h2>Contexts in detail</h2>\n", f);
	for (size_t i = 0; i < alen(ctxs); i++) {
		json_object *ctx = aget(ctxs, i);
		fprintf(f, "<section id=\"ctx-%zu\">\n<h3>", i);
		h(f, jstr(ctx, "kind"));
		fputs(" <code>", f);
		h(f, jstr(ctx, "label"));
		fputs("</code>, origin ", f);
		h_origin(f, ctx);
		fputs("</h3>\n", f);
		if (!alen(jget(ctx, "capabilities")))
			fputs("<p>No capability applies: every call from it is denied.</p>\n", f);
		h_command_table(f, jget(ctx, "commands"), 0);
		h_command_table(f, jget(ctx, "denied"), 1);
		h_globals(f, jget(ctx, "global_scopes"));
		fputs("<table><tbody><tr><th>Events</th>", f);
		h_events_cell(f, jget(ctx, "events"));
		fputs("</tr></tbody></table>\n</section>\n", f);
	}
}

static void h_strings(FILE *f, json_object *arr, const char *empty)
{
	for (size_t i = 0; i < alen(arr); i++) {
		fputs(i ? ", <code>" : "<code>", f);
		h(f, json_object_get_string(aget(arr, i)));
		fputs("</code>", f);
	}
	if (!alen(arr))
		fprintf(f, "<span class=\"none\">%s</span>", empty);
}

static void h_capabilities(FILE *f, json_object *m)
{
	json_object *caps = jget(m, "capabilities");
	fputs("<h2>Capabilities</h2>\n<table><thead><tr><th>Identifier</th><th>File</th><th>Windows</th>"
	      "<th>Webviews</th><th>Origins</th><th>Platforms</th><th>Description</th></tr></thead><tbody>\n", f);
	for (size_t i = 0; i < alen(caps); i++) {
		json_object *c = aget(caps, i);
		int on = json_object_get_boolean(jget(c, "enabled"));
		fputs("<tr><td><code>", f);
		h(f, jstr(c, "id"));
		fputs("</code></td><td>", f);
		h(f, jstr(c, "file"));
		fprintf(f, ":%d</td><td>", json_object_get_int(jget(c, "line")));
		h_strings(f, jget(c, "windows"), "none");
		fputs("</td><td>", f);
		h_strings(f, jget(c, "webviews"), "none");
		fputs("</td><td>", f);
		if (json_object_get_boolean(jget(c, "local")))
			fputs(alen(jget(c, "remote")) ? "local, " : "local", f);
		for (size_t k = 0; k < alen(jget(c, "remote")); k++) {
			fputs(k ? ", <span class=\"remote\">" : "<span class=\"remote\">", f);
			h(f, json_object_get_string(aget(jget(c, "remote"), k)));
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		h_strings(f, jget(c, "platforms"), "all");
		fputs(on ? "" : " <b>(not this platform: grants nothing)</b>", f);
		fputs("</td><td>", f);
		h(f, jstr(c, "description"));
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static int html_matrix(FILE *f, json_object *m)
{
	h_head(f, m);
	if (h_matrix_table(f, m) < 0)
		return -1;
	h_details(f, m);
	h_capabilities(f, m);
	fputs("</body>\n</html>\n", f);
	return 0;
}

/* ------------------------------------------------------------------- diff */

/*
 * A diff compares two matrices context by context (a context missing on
 * one side counts as an empty one): the applying capabilities, commands
 * allowed and denied, the scopes of commands allowed on both sides, global
 * scopes and event scopes. Provenance alone (the same grant moved to
 * another file) is not a difference: the effective permissions are equal.
 */
typedef struct differ {
	size_t changes;
	int oom;
} differ;

static json_object *dput(differ *df, json_object *o, const char *key, json_object *v)
{
	if (!o || !v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		df->oom = 1;
		return NULL;
	}
	return v;
}

static json_object *dpush(differ *df, json_object *arr, json_object *v)
{
	if (!arr || !v || json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		df->oom = 1;
		return NULL;
	}
	return v;
}

static int in_array(json_object *arr, json_object *v)
{
	for (size_t i = 0; i < alen(arr); i++)
		if (json_object_equal(v, aget(arr, i)))
			return 1;
	return 0;
}

/* Values of a that b lacks, appended to out; how many. */
static size_t minus(differ *df, json_object *out, json_object *a, json_object *b)
{
	size_t n = 0;
	for (size_t i = 0; i < alen(a); i++)
		if (!in_array(b, aget(a, i))) {
			dpush(df, out, json_object_get(aget(a, i)));
			n++;
		}
	return n;
}

/* o[key] = {"added": new - old, "removed": old - new}; how many values. */
static size_t set_delta(differ *df, json_object *o, const char *key, json_object *old,
			json_object *new)
{
	json_object *d = dput(df, o, key, json_object_new_object());
	size_t n = minus(df, dput(df, d, "added", json_object_new_array()), new, old);
	return n + minus(df, dput(df, d, "removed", json_object_new_array()), old, new);
}

static json_object *find_named(json_object *list, const char *key, const char *name)
{
	for (size_t i = 0; name && i < alen(list); i++) {
		const char *s = jstr(aget(list, i), key);
		if (s && strcmp(s, name) == 0)
			return aget(list, i);
	}
	return NULL;
}

/* Commands of a missing from b, by name, appended whole to out. */
static size_t cmd_minus(differ *df, json_object *out, json_object *a, json_object *b)
{
	size_t n = 0;
	for (size_t i = 0; i < alen(a); i++)
		if (!find_named(b, "command", jstr(aget(a, i), "command"))) {
			dpush(df, out, json_object_get(aget(a, i)));
			n++;
		}
	return n;
}

static size_t cmd_delta(differ *df, json_object *o, const char *key, json_object *old, json_object *new)
{
	json_object *d = dput(df, o, key, json_object_new_object());
	size_t n = cmd_minus(df, dput(df, d, "added", json_object_new_array()), new, old);
	return n + cmd_minus(df, dput(df, d, "removed", json_object_new_array()), old, new);
}

/* Allow and deny deltas of two {"allow", "deny"} objects into a new
 * object pushed on list (with name under key) when anything changed. */
static size_t scope_delta(differ *df, json_object *list, const char *key, const char *name,
			  json_object *old, json_object *new)
{
	json_object *o = json_object_new_object();
	if (!o) {
		df->oom = 1;
		return 0;
	}
	dput(df, o, key, json_object_new_string(name));
	size_t n = set_delta(df, o, "allow", jget(old, "allow"), jget(new, "allow"));
	n += set_delta(df, o, "deny", jget(old, "deny"), jget(new, "deny"));
	if (n)
		dpush(df, list, o);
	else
		json_object_put(o);
	return n;
}

static size_t scopes_delta(differ *df, json_object *o, json_object *old, json_object *new)
{
	json_object *list = dput(df, o, "scopes", json_object_new_array());
	json_object *nc = jget(new, "commands");
	size_t n = 0;
	for (size_t i = 0; i < alen(nc); i++) {
		json_object *c = aget(nc, i);
		json_object *oc = find_named(jget(old, "commands"), "command", jstr(c, "command"));
		if (oc)
			n += scope_delta(df, list, "command", jstr(c, "command"), jget(oc, "scope"),
					 jget(c, "scope"));
	}
	return n;
}

static size_t globals_delta(differ *df, json_object *o, json_object *old, json_object *new)
{
	json_object *list = dput(df, o, "global_scopes", json_object_new_array());
	json_object *og = jget(old, "global_scopes"), *ng = jget(new, "global_scopes");
	size_t n = 0;
	if (ng) {
		json_object_object_foreach(ng, key, g)
			n += scope_delta(df, list, "plugin", key, jget(og, key), g);
	}
	if (og) {
		json_object_object_foreach(og, okey, ogv)
			if (!jget(ng, okey))
				n += scope_delta(df, list, "plugin", okey, ogv, NULL);
	}
	return n;
}

static size_t events_delta(differ *df, json_object *o, json_object *old, json_object *new)
{
	static const char *const ops[] = {"listen", "emit", "emit_to"};
	json_object *list = dput(df, o, "events", json_object_new_array());
	size_t n = 0;
	for (int i = 0; i < 3; i++)
		n += scope_delta(df, list, "op", ops[i], jget(jget(old, "events"), ops[i]),
				 jget(jget(new, "events"), ops[i]));
	return n;
}

/* The changes of one context (old or new may be NULL: it appeared or
 * went away); NULL when there are none. */
static json_object *context_delta(differ *df, json_object *old, json_object *new)
{
	json_object *any = new ? new : old, *o = json_object_new_object();
	if (!o) {
		df->oom = 1;
		return NULL;
	}
	dput(df, o, "kind", json_object_get(jget(any, "kind")));
	dput(df, o, "label", json_object_get(jget(any, "label")));
	dput(df, o, "origin", json_object_get(jget(any, "origin")));
	dput(df, o, "status", json_object_new_string(!old ? "added" : !new ? "removed" : "changed"));
	size_t n = set_delta(df, o, "capabilities", jget(old, "capabilities"), jget(new, "capabilities"));
	n += cmd_delta(df, o, "commands", jget(old, "commands"), jget(new, "commands"));
	n += cmd_delta(df, o, "denied", jget(old, "denied"), jget(new, "denied"));
	n += scopes_delta(df, o, old, new);
	n += globals_delta(df, o, old, new);
	n += events_delta(df, o, old, new);
	/* A window of the app config that no capability covers is a row on
	 * both sides but not a difference. */
	if (!n && (old && new)) {
		json_object_put(o);
		return NULL;
	}
	df->changes += n ? n : 1;
	return o;
}

static int kind_rank(json_object *ctx)
{
	const char *k = jstr(ctx, "kind");
	return k && strcmp(k, "webview") == 0;
}

/* The order cg_policy_audit writes contexts in: windows before webviews,
 * then by label, then "local" before remote patterns, by pattern. */
static int ctx_cmp(json_object *a, json_object *b)
{
	int r = kind_rank(a) - kind_rank(b);
	if (r)
		return r;
	const char *la = jstr(a, "label"), *lb = jstr(b, "label");
	if ((r = strcmp(la ? la : "", lb ? lb : "")))
		return r;
	const char *oa = jstr(a, "origin"), *ob = jstr(b, "origin");
	oa = oa ? oa : "";
	ob = ob ? ob : "";
	int loca = strcmp(oa, "local") == 0, locb = strcmp(ob, "local") == 0;
	if (loca != locb)
		return locb - loca;
	return strcmp(oa, ob);
}

/* The diff of two matrices (see the help); NULL when memory runs out. */
static json_object *diff_matrices(json_object *old, json_object *new, const char *old_name,
				  const char *new_name, size_t *changes)
{
	differ df = {0, 0};
	json_object *root = json_object_new_object();
	json_object *oc = jget(old, "contexts"), *nc = jget(new, "contexts");
	dput(&df, root, "old", json_object_new_string(old_name));
	dput(&df, root, "new", json_object_new_string(new_name));
	json_object *list = dput(&df, root, "contexts", json_object_new_array());
	size_t i = 0, k = 0;
	while (!df.oom && (i < alen(oc) || k < alen(nc))) {
		json_object *a = i < alen(oc) ? aget(oc, i) : NULL;
		json_object *b = k < alen(nc) ? aget(nc, k) : NULL;
		int c = !a ? 1 : !b ? -1 : ctx_cmp(a, b);
		json_object *d = context_delta(&df, c <= 0 ? a : NULL, c >= 0 ? b : NULL);
		if (d)
			dpush(&df, list, d);
		i += c <= 0;
		k += c >= 0;
	}
	dput(&df, root, "differences", json_object_new_int64((int64_t)df.changes));
	if (df.oom) {
		json_object_put(root);
		return NULL;
	}
	*changes = df.changes;
	return root;
}

/* ------------------------------------------------------- text diff output */

/* " +WHAT VALUE ... -WHAT VALUE" for a {"added", "removed"} delta. */
static void put_delta_values(FILE *f, const char *what, json_object *d)
{
	static const char *const sides[] = {"added", "removed"};
	for (int s = 0; s < 2; s++) {
		json_object *list = jget(d, sides[s]);
		for (size_t i = 0; i < alen(list); i++) {
			json_object *v = aget(list, i);
			fprintf(f, " %c%s%s", s ? '-' : '+', what, *what ? " " : "");
			put_text(f, json_object_is_type(v, json_type_string) ? json_object_get_string(v)
									     : compact(v));
		}
	}
}

static void text_cmd_delta(FILE *f, json_object *d, const char *what, const char *by_key)
{
	static const char *const sides[] = {"added", "removed"};
	for (int s = 0; s < 2; s++) {
		json_object *list = jget(d, sides[s]);
		for (size_t i = 0; i < alen(list); i++) {
			json_object *c = aget(list, i);
			const char *danger = jstr(c, "danger");
			fprintf(f, "  %c %s", s ? '-' : '+', what);
			put_text(f, jstr(c, "command"));
			if (danger)
				fprintf(f, " [%s]", danger);
			if (s == 1) {
				fputc('\n', f);
				continue;
			}
			/* What a change grants gets its sources and scope. */
			fputs("  by ", f);
			put_sources(f, jget(c, by_key));
			fputc('\n', f);
			json_object *scope = jget(c, "scope");
			put_values(f, "scope allow", jget(scope, "allow"), "      ");
			put_values(f, "scope deny ", jget(scope, "deny"), "      ");
		}
	}
}

static void text_scope_list(FILE *f, json_object *list, const char *key, const char *label)
{
	for (size_t i = 0; i < alen(list); i++) {
		json_object *s = aget(list, i);
		fprintf(f, "  ~ %s", label);
		put_text(f, jstr(s, key));
		fputc(':', f);
		put_delta_values(f, "allow", jget(s, "allow"));
		put_delta_values(f, "deny", jget(s, "deny"));
		fputc('\n', f);
	}
}

static void text_context_delta(FILE *f, json_object *d)
{
	json_object *caps = jget(d, "capabilities");
	put_context_name(f, d);
	fprintf(f, ": %s\n", jstr(d, "status"));
	if (alen(jget(caps, "added")) || alen(jget(caps, "removed"))) {
		fputs("  ~ capabilities:", f);
		put_delta_values(f, "", caps);
		fputc('\n', f);
	}
	text_cmd_delta(f, jget(d, "commands"), "", "granted_by");
	text_cmd_delta(f, jget(d, "denied"), "denied ", "denied_by");
	text_scope_list(f, jget(d, "scopes"), "command", "scope of ");
	text_scope_list(f, jget(d, "global_scopes"), "plugin", "global scope of ");
	text_scope_list(f, jget(d, "events"), "op", "events ");
}

static void text_diff(FILE *f, json_object *d)
{
	json_object *list = jget(d, "contexts");
	fputs("--- ", f);
	put_text(f, jstr(d, "old"));
	fputs("\n+++ ", f);
	put_text(f, jstr(d, "new"));
	fputc('\n', f);
	for (size_t i = 0; i < alen(list); i++)
		text_context_delta(f, aget(list, i));
	if (!alen(list))
		fputs("no differences\n", f);
	else
		fprintf(f, "%" PRId64 " difference(s) in %zu context(s)\n",
			json_object_get_int64(jget(d, "differences")), alen(list));
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
	enum { O_PLUGINS = 1000, O_TAURI, O_APP, O_DECLARE, O_CONFIG, O_PLATFORM, O_NOCORE,
	       O_FORMAT, O_DIFF };
	static const struct option opts[] = {
		{"plugins", required_argument, NULL, O_PLUGINS},
		{"tauri-manifests", required_argument, NULL, O_TAURI},
		{"app-permissions", required_argument, NULL, O_APP},
		{"app-command", required_argument, NULL, O_DECLARE},
		{"config", required_argument, NULL, O_CONFIG},
		{"platform", required_argument, NULL, O_PLATFORM},
		{"no-builtin-core", no_argument, NULL, O_NOCORE},
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
		case O_PLUGINS: r = strlist_add(&o->plugins, optarg); break;
		case O_TAURI: r = strlist_add(&o->tauri, optarg); break;
		case O_APP: r = strlist_add(&o->app_perms, optarg); break;
		case O_DECLARE: r = strlist_add(&o->declare, optarg); break;
		case O_CONFIG: o->config = optarg; break;
		case O_PLATFORM: o->platform = optarg; break;
		case O_NOCORE: o->no_core = 1; break;
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
	json_object *m = side_matrix(o, paths, n);
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
	else if (o->format == F_HTML && html_matrix(f, m) < 0) {
		fputs("capgate: out of memory\n", stderr);
		rc = CLI_USAGE;
	} else if (o->format == F_TEXT)
		text_matrix(f, m);
	json_object_put(m);
	return close_output(o, f, rc);
}

static int run_diff(const audit_opts *o, char *const *paths)
{
	json_object *old = side_matrix(o, paths, 1);
	json_object *new = old ? side_matrix(o, paths + 1, 1) : NULL;
	size_t changes = 0;
	json_object *d = new ? diff_matrices(old, new, paths[0], paths[1], &changes) : NULL;
	int rc = CLI_USAGE;
	FILE *f = NULL;
	if (new && !d)
		fputs("capgate: out of memory\n", stderr);
	if (d && (f = open_output(o))) {
		if (o->format == F_JSON)
			print_json(f, d);
		else
			text_diff(f, d);
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
	opts_clear(&o);
	return rc;
}
