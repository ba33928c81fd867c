/*
 * capgate audit: the matrix and a diff as text. Every string comes from the
 * files under review, which may be hostile: control characters are shown
 * as \\xNN, so no terminal escape sequence gets through.
 */
#include "audit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ text output */

/* Prints file-controlled text through cli_put_text: control characters
 * (terminal escape sequences) shown escaped. */
static void put_text(FILE *f, const char *s)
{
	cli_put_text(f, s, false);
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

void audit_text_matrix(FILE *f, json_object *m)
{
	json_object *caps = jget(m, "capabilities"), *ctxs = jget(m, "contexts");
	size_t disabled = 0;
	for (size_t i = 0; i < alen(caps); i++)
		disabled += !json_object_get_boolean(jget(aget(caps, i), "enabled"));
	fprintf(f, "Permission matrix for %s: %zu capabilit%s", jstr(m, "platform") ? jstr(m, "platform") : "?", alen(caps),
		alen(caps) == 1 ? "y" : "ies");
	if (disabled)
		fprintf(f, " (%zu for other platforms, granting nothing)", disabled);
	fprintf(f, ", %zu context%s. '!' marks commands that reach files, processes, the shell or the network.\n\n",
		alen(ctxs), alen(ctxs) == 1 ? "" : "s");
	for (size_t i = 0; i < alen(ctxs); i++)
		text_context(f, aget(ctxs, i));
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
	fprintf(f, ": %s\n", jstr(d, "status") ? jstr(d, "status") : "?");
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

void audit_text_diff(FILE *f, json_object *d)
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

