/*
 * What a decision carries besides yes/no, computed on demand so that the
 * check itself allocates nothing: the scopes handed to the command, and
 * explanations that name the rule, its file and line, and the exact fix.
 */
#include "policy/model.h"
#include "base/glob.h"
#include "base/ident.h"
#include "base/jsonset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Callers allocate decisions: a new private member must take the reserved
 * room, never grow the struct. */
_Static_assert(sizeof(void *) != 8 || sizeof(cg_decision) == 88, "cg_decision's size is part of the ABI");

/* The union of scopes, each value once: linear in their size (a table of
 * canonical texts), whatever the number of values. */
static void add_unique(cg_jsonset *dst, json_object *src)
{
	for (size_t i = 0; src && i < json_object_array_length(src); i++)
		cg_jsonset_add(dst, json_object_array_get_idx(src, i), NULL);
}

static json_object *scope_pair(json_object **allow, json_object **deny)
{
	json_object *o = json_object_new_object();
	*allow = json_object_new_array();
	*deny = json_object_new_array();
	if (!o || !*allow || !*deny) {
		json_object_put(o);
		json_object_put(*allow);
		json_object_put(*deny);
		return NULL;
	}
	json_object_object_add(o, "allow", *allow);
	json_object_object_add(o, "deny", *deny);
	return o;
}

static const cg_cmd *decision_cmd(const cg_decision *dc)
{
	if (!dc || !dc->priv_subject || dc->priv_command < 0)
		return NULL;
	return &dc->priv_subject->policy->cmds[dc->priv_command];
}

CG_EXPORT json_object *cg_decision_command_scope(const cg_decision *dc)
{
	json_object *allow, *deny, *o = scope_pair(&allow, &deny);
	const cg_cmd *c = decision_cmd(dc);
	if (!o || !dc->allowed || !c)
		return o;
	const cg_subject *s = dc->priv_subject;
	cg_jsonset as, ds;
	cg_jsonset_init(&as, allow);
	cg_jsonset_init(&ds, deny);
	for (uint32_t i = c->n_deny; i < c->n_grants; i++)
		if (cg_subject_has(s, c->grants[i].cap)) {
			add_unique(&as, c->grants[i].scope_allow);
			add_unique(&ds, c->grants[i].scope_deny);
		}
	cg_jsonset_clear(&as);
	cg_jsonset_clear(&ds);
	return o;
}

CG_EXPORT json_object *cg_decision_global_scope(const cg_decision *dc)
{
	json_object *allow, *deny, *o = scope_pair(&allow, &deny);
	const cg_cmd *c = decision_cmd(dc);
	if (!o || !dc->allowed || !c || !c->plugin)
		return o;
	const cg_subject *s = dc->priv_subject;
	const cg_global_list *gl = g_hash_table_lookup(s->policy->globals, c->plugin->key);
	cg_jsonset as, ds;
	cg_jsonset_init(&as, allow);
	cg_jsonset_init(&ds, deny);
	for (size_t i = 0; gl && i < gl->n; i++)
		if (cg_subject_has(s, gl->v[i].cap)) {
			add_unique(&as, gl->v[i].scope_allow);
			add_unique(&ds, gl->v[i].scope_deny);
		}
	cg_jsonset_clear(&as);
	cg_jsonset_clear(&ds);
	return o;
}

/* ---------------------------------------------------------------- reasons */

/* Names in reasons come from the files (capability ids, file names,
 * command names) and from callers (labels, URLs, a page's unknown command
 * name): control characters (C0, DEL and the C1 range, CSI among them)
 * are written escaped, so that a reason can neither drive a terminal nor
 * add lines to an explanation. */
static void put_name(FILE *f, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
		if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\x%02x", *c);
		else if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f)
			fprintf(f, "\\u%04x", *++c);
		else
			fputc(*c, f);
	}
}

static void put_caller(FILE *f, const cg_subject *s)
{
	if (!s) {
		fputs("an unknown caller", f);
		return;
	}
	fputs("window \"", f);
	put_name(f, s->window);
	fputs("\", webview \"", f);
	put_name(f, s->webview);
	fputs("\", origin ", f);
	put_name(f, s->url ? s->url : "local");
}

static void put_loc(FILE *f, const cg_loc *l)
{
	put_name(f, l->file ? l->file : "?");
	fprintf(f, ":%u:%u", l->line, l->col);
}

static char *full_ident(const cg_perm *pm)
{
	const char *key = pm->owner ? pm->owner->key : "";
	return *key ? cg_strdup_printf("%s:%s", key, pm->id) : strdup(pm->id);
}

static void put_rule(FILE *f, const cg_policy *p, const cg_grant *g)
{
	const cg_cap *c = &p->caps[g->cap];
	const cg_entry *e = &c->entries[g->entry];
	fputc('"', f);
	put_name(f, e->ident);
	fputs("\" in capability \"", f);
	put_name(f, c->id);
	fputs("\" (", f);
	put_loc(f, &e->loc);
	fputs(")", f);
	if (g->via && g->via->id) {
		char *fi = full_ident(g->via);
		if (fi && strcmp(fi, e->ident) != 0) {
			fputs(" via \"", f);
			put_name(f, fi);
			fputc('"', f);
			if (g->via->loc.file) {
				fputs(" (", f);
				put_loc(f, &g->via->loc);
				fputs(")", f);
			}
		}
		free(fi);
	}
}

static bool perm_allows(const cg_perm *pm, const char *plain, unsigned platform)
{
	if (pm->kind != CG_PERM_PERMISSION || (pm->platforms && !(pm->platforms & platform)))
		return false;
	for (size_t i = 0; i < pm->n_cmd_allow; i++)
		if (strcmp(pm->cmd_allow[i], plain) == 0)
			return true;
	return false;
}

/* The identifiers that would grant cmd: allow-<cmd> first, then every other
 * permission of its plugin that allows it, then the default set if it
 * includes one of them. */
static void put_fixes(FILE *f, const cg_policy *p, const cg_cmd *c)
{
	const cg_plugin *pl = c->plugin;
	if (!pl)
		return;
	GPtrArray *ids = g_ptr_array_new_with_free_func(free);
	char *ci = cg_command_ident(c->plain);
	char *allow_id = ci ? cg_strdup_printf("allow-%s", ci) : NULL;
	free(ci);
	const cg_perm *first = allow_id ? g_hash_table_lookup(pl->perms, allow_id) : NULL;
	free(allow_id);
	if (first && perm_allows(first, c->plain, p->cfg.platform))
		g_ptr_array_add(ids, full_ident(first));
	bool in_default = false;
	const cg_perm *def = pl->def;
	for (guint i = 0; i < pl->order->len; i++) {
		const cg_perm *pm = pl->order->pdata[i];
		if (pm == first || !perm_allows(pm, c->plain, p->cfg.platform))
			continue;
		if (ids->len < 6)
			g_ptr_array_add(ids, full_ident(pm));
		for (size_t k = 0; def && k < def->n_members; k++)
			in_default |= strcmp(def->members[k], pm->id) == 0;
	}
	for (size_t k = 0; first && def && k < def->n_members; k++)
		in_default |= strcmp(def->members[k], first->id) == 0;
	if (in_default)
		g_ptr_array_add(ids, *pl->key ? cg_strdup_printf("%s:default", pl->key) : strdup("default"));
	if (ids->len) {
		fputs(" To allow it, add ", f);
		for (guint i = 0; i < ids->len; i++)
		{
			fprintf(f, "%s\"", i == 0 ? "" : i + 1 == ids->len ? " or " : ", ");
			put_name(f, ids->pdata[i]);
			fputc('"', f);
		}
		fputs(" to the \"permissions\" of a capability that applies to this caller.", f);
	}
	g_ptr_array_free(ids, TRUE);
}

static void why_not(FILE *f, const cg_cap *c, const cg_subject *s)
{
	if (!c->enabled) {
		fputs("its \"platforms\" exclude this platform", f);
		return;
	}
	bool origin_ok;
	if (s->url) {
		cg_url u = {0};
		origin_ok = false;
		if (cg_url_parse(s->url, &u, NULL) == 0)
			for (size_t i = 0; !origin_ok && i < c->n_remote; i++)
				origin_ok = cg_urlpattern_match(c->remote[i], &u);
		cg_url_clear(&u);
		if (!origin_ok) {
			fputs(c->n_remote ? "the URL matches none of its \"remote.urls\""
					  : "it has no \"remote.urls\", so it grants nothing to remote pages", f);
			return;
		}
	} else if (!c->local) {
		fputs("it is remote-only (\"local\": false)", f);
		return;
	}
	if (!c->n_windows && !c->n_webviews)
		fputs("it has neither \"windows\" nor \"webviews\", so it matches nothing", f);
	else
	{
		fputs("window \"", f);
		put_name(f, s->window);
		fputs("\" and webview \"", f);
		put_name(f, s->webview);
		fputs("\" match none of its patterns", f);
	}
}

/* Does c name the caller's window or webview, whatever its origin and
 * platform? */
static bool labels_match(const cg_cap *c, const cg_subject *s)
{
	for (size_t i = 0; i < c->n_windows; i++)
		if (cg_glob_match(c->windows[i], s->window))
			return true;
	for (size_t i = 0; i < c->n_webviews; i++)
		if (cg_glob_match(c->webviews[i], s->webview))
			return true;
	return false;
}

static void put_applying(FILE *f, const cg_subject *s)
{
	const cg_policy *p = s->policy;
	size_t n = 0;
	for (size_t i = 0; i < p->n_caps; i++)
		if (cg_subject_has(s, (uint32_t)i)) {
			fprintf(f, "%s\"", n ? ", " : " Capabilities that apply: ");
			put_name(f, p->caps[i].id);
			fputs("\" (", f);
			put_name(f, p->caps[i].loc.file);
			fputc(')', f);
			n++;
		}
	if (n) {
		fputs(".", f);
		return;
	}
	/* Capabilities for this window that the origin or the platform rules
	 * out: say which and why, as explain does. */
	size_t near = 0;
	for (size_t i = 0; i < p->n_caps; i++) {
		const cg_cap *c = &p->caps[i];
		if (!labels_match(c, s))
			continue;
		if (near++ == 3)
			continue;
		fprintf(f, "%s\"", near > 1 ? "; " : " No capability applies to this caller. ");
		put_name(f, c->id);
		fputs("\" (", f);
		put_name(f, c->loc.file);
		fputs(") names this window but does not apply: ", f);
		why_not(f, c, s);
	}
	if (near > 3)
		fprintf(f, "; and %zu more", near - 3);
	if (near)
		fputs(".", f);
	else
	{
		fputs(" No capability applies to this caller: add one whose \"windows\" matches \"", f);
		put_name(f, s->window);
		fprintf(f, "\"%s.", s->url ? " and whose \"remote.urls\" matches its URL" : "");
	}
}

static const char *op_cmd(cg_event_op op)
{
	return op == CG_EVENT_LISTEN ? "listen" : op == CG_EVENT_EMIT ? "emit" : "emit_to";
}

static void put_reason(FILE *f, const cg_decision *dc)
{
	const cg_subject *s = dc->priv_subject;
	const cg_cmd *c = decision_cmd(dc);
	const cg_policy *p = s ? s->policy : NULL;
	char evbuf[300];
	const char *what = c ? c->name : dc->priv_name ? dc->priv_name : "(none)";
	if (dc->priv_name && c && c->plugin && strcmp(c->plugin->key, "core:event") == 0) {
		snprintf(evbuf, sizeof(evbuf), "%s of event \"%.200s\"", op_cmd(dc->priv_op), dc->priv_name);
		what = evbuf;
	}
	switch (dc->reason) {
	case CG_REASON_ALLOWED:
		fputs("allowed: ", f);
		put_name(f, what);
		fputs(" is granted to ", f);
		put_caller(f, s);
		fputs(" by ", f);
		put_rule(f, p, &c->grants[dc->priv_rule]);
		break;
	case CG_REASON_DENY_RULE:
		fputs("denied: ", f);
		put_name(f, what);
		fputs(" is denied to ", f);
		put_caller(f, s);
		fputs(" by the deny rule ", f);
		put_rule(f, p, &c->grants[dc->priv_rule]);
		fputs(". Deny rules win over every grant; remove that entry, or narrow the capability's windows, to allow it.", f);
		break;
	case CG_REASON_NOT_GRANTED:
		fputs("denied: no capability grants ", f);
		put_name(f, what);
		fputs(" to ", f);
		put_caller(f, s);
		fputs(".", f);
		if (c)
			put_fixes(f, p, c);
		if (s)
			put_applying(f, s);
		break;
	case CG_REASON_UNKNOWN_COMMAND:
		if (dc->priv_name && strncmp(dc->priv_name, "plugin:", 7) != 0) {
			/* The permission it would get, spelt as Tauri makes it
			 * ("read_file" gets "allow-read-file"). */
			char *ci = cg_command_ident(dc->priv_name);
			char *id = ci ? cg_strdup_printf("allow-%s", ci) : NULL;
			free(ci);
			fputs("denied: unknown command \"", f);
			put_name(f, dc->priv_name);
			fputs("\": no permission manifest declares it. Declare it in the app's manifest or with cg_builder_declare_command()", f);
			if (id && cg_ident_validate(id, NULL) == 0)
				fprintf(f, "; it then gets \"%s\".", id);
			else
				fputc('.', f);
			free(id);
		} else
		{
			fputs("denied: unknown command \"", f);
			put_name(f, dc->priv_name ? dc->priv_name : "?");
			fputs("\": no permission manifest declares it; load the plugin's manifests (--plugins or --tauri-manifests).", f);
		}
		break;
	case CG_REASON_EVENT_SCOPE:
		fputs("denied: ", f);
		if (dc->priv_rule >= 0) {
			put_name(f, what);
			fputs(" is refused by the event deny scope of ", f);
			put_rule(f, p, &c->grants[dc->priv_rule]);
			fputs(" matches it; remove the matching {\"event\": ...} entry from its \"deny\" to allow it.", f);
		} else if (c) {
			put_name(f, what);
			fprintf(f, " is outside the event scope of every grant of plugin:event|%s to ",
				op_cmd(dc->priv_op));
			put_caller(f, s);
			fprintf(f, ", or a deny entry of core:event's global scope matches it. Add {\"event\": \"%s\"} to the \"allow\" of the capability's \"core:event:allow-%s\" entry.",
				dc->priv_name ? dc->priv_name : "", dc->priv_op == CG_EVENT_EMIT_TO ? "emit-to" : op_cmd(dc->priv_op));
		} else {
			fputs("invalid event name (event names use letters, digits, '-', '/', ':' and '_').", f);
		}
		break;
	}
}

static char *with_stream(void (*fn)(FILE *, const cg_decision *), const cg_decision *dc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fn(f, dc);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

CG_EXPORT char *cg_decision_reason(const cg_decision *dc)
{
	if (!dc)
		return NULL;
	return with_stream(put_reason, dc);
}

/* ---------------------------------------------------------------- explain */

static void put_explain(FILE *f, const cg_decision *dc)
{
	const cg_subject *s = dc->priv_subject;
	const cg_cmd *c = decision_cmd(dc);
	if (!s) {
		put_reason(f, dc);
		fputc('\n', f);
		return;
	}
	const cg_policy *p = s->policy;
	fputs("Command:  ", f);
	put_name(f, c ? c->name : dc->priv_name ? dc->priv_name : "?");
	fputc('\n', f);
	if (dc->priv_name && c && c->plugin && strcmp(c->plugin->key, "core:event") == 0)
		fprintf(f, "Event:    %s (%s)\n", dc->priv_name, op_cmd(dc->priv_op));
	fputs("Caller:   ", f);
	put_caller(f, s);
	fprintf(f, "\nPlatform: %s\nDecision: %s\nReason:   ", p->cfg.platform_name,
		dc->allowed ? "allow" : "deny");
	put_reason(f, dc);
	fputs("\n\nCapabilities:\n", f);
	for (size_t i = 0; i < p->n_caps; i++) {
		const cg_cap *cp = &p->caps[i];
		fprintf(f, "  %c ", cg_subject_has(s, (uint32_t)i) ? '+' : '-');
		put_name(f, cp->id);
		fputs(" (", f);
		put_loc(f, &cp->loc);
		fputs("): ", f);
		if (cg_subject_has(s, (uint32_t)i))
			fputs("applies", f);
		else {
			fputs("does not apply: ", f);
			why_not(f, cp, s);
		}
		fputc('\n', f);
	}
	if (!p->n_caps)
		fputs("  (none loaded)\n", f);
	if (c) {
		fputs("\nRules for this command:\n", f);
		for (uint32_t i = 0; i < c->n_grants; i++) {
			const cg_grant *g = &c->grants[i];
			fprintf(f, "  %s ", g->deny ? "deny " : "allow");
			put_rule(f, p, g);
			fprintf(f, ": %s\n", cg_subject_has(s, g->cap) ? "applies" : "does not apply to this caller");
		}
		if (!c->n_grants)
			fputs("  (no capability grants or denies it)\n", f);
		if (dc->allowed) {
			json_object *cs = cg_decision_command_scope(dc), *gs = cg_decision_global_scope(dc);
			fprintf(f, "\nCommand scope: %s\nGlobal scope:  %s\n",
				cs ? json_object_to_json_string_ext(cs, JSON_C_TO_STRING_PLAIN) : "?",
				gs ? json_object_to_json_string_ext(gs, JSON_C_TO_STRING_PLAIN) : "?");
			json_object_put(cs);
			json_object_put(gs);
		}
	}
}

CG_EXPORT char *cg_decision_explain(const cg_decision *dc)
{
	if (!dc)
		return NULL;
	return with_stream(put_explain, dc);
}
