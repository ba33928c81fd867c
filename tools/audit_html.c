/*
 * capgate audit --format html: one self-contained page (no scripts, no
 * external resources). Everything printed comes from the files under
 * review and is escaped.
 */
#include "audit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int audit_html_matrix(FILE *f, json_object *m)
{
	h_head(f, m);
	if (h_matrix_table(f, m) < 0)
		return -1;
	h_details(f, m);
	h_capabilities(f, m);
	fputs("</body>\n</html>\n", f);
	return 0;
}

