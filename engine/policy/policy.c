/*
 * The compiled policy, subjects and the checks. A subject carries one bit
 * per capability that applies to its caller (window/webview glob and
 * origin); a command carries its deny rules and grants, each naming one
 * capability. A check is then a short scan of bit tests, so it costs about
 * what a hash lookup does and does not grow with the size of the policy.
 */
#include "policy/model.h"
#include "base/glob.h"
#include "base/ident.h"

#include <stdlib.h>
#include <string.h>

#define SUBJECT_CACHE_MAX 4096

void cg_policy_destroy(cg_policy *p)
{
	if (!p)
		return;
	if (p->subject_cache)
		g_hash_table_destroy(p->subject_cache);
	for (size_t i = 0; i < p->n_cmds; i++) {
		cg_cmd *c = &p->cmds[i];
		for (uint32_t j = 0; j < c->n_grants; j++) {
			json_object_put(c->grants[j].scope_allow);
			json_object_put(c->grants[j].scope_deny);
		}
		free(c->grants);
		free(c->name);
		free(c->plain);
	}
	free(p->cmds);
	for (size_t i = 0; i < p->n_perms; i++)
		free(p->perm_ids[i]);
	free(p->perm_ids);
	free(p->perm_desc);
	if (p->cmd_ids)
		g_hash_table_destroy(p->cmd_ids);
	if (p->globals)
		g_hash_table_destroy(p->globals);
	for (size_t i = 0; p->caps && i < p->n_caps; i++)
		cg_cap_clear(&p->caps[i]);
	free(p->caps);
	if (p->plugins)
		g_hash_table_destroy(p->plugins);
	if (p->strings)
		g_string_chunk_free(p->strings);
	cg_config_clear(&p->cfg);
	pthread_mutex_destroy(&p->cache_lock);
	free(p);
}

CG_EXPORT cg_policy *cg_policy_ref(cg_policy *p)
{
	if (p)
		__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
	return p;
}

CG_EXPORT void cg_policy_unref(cg_policy *p)
{
	if (p && __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0)
		cg_policy_destroy(p);
}

CG_EXPORT int cg_policy_reload(const cg_policy *p, cg_policy **out, cg_diag *d)
{
	if (!out)
		return CG_EINVAL;
	*out = NULL;
	if (!p)
		return CG_EINVAL;
	return cg_build_from_config(&p->cfg, out, d);
}

CG_EXPORT size_t cg_policy_capability_count(const cg_policy *p) { return p ? p->n_caps : 0; }
CG_EXPORT size_t cg_policy_command_count(const cg_policy *p) { return p ? p->n_cmds : 0; }
CG_EXPORT const char *cg_policy_platform(const cg_policy *p) { return p ? p->cfg.platform_name : NULL; }

CG_EXPORT int cg_policy_command_id(const cg_policy *p, const char *command)
{
	if (!p || !command)
		return CG_EINVAL;
	gpointer v = g_hash_table_lookup(p->cmd_ids, command);
	return v ? GPOINTER_TO_INT(v) - 1 : CG_ENOTFOUND;
}

CG_EXPORT size_t cg_policy_permission_count(const cg_policy *p) { return p ? p->n_perms : 0; }

CG_EXPORT const char *cg_policy_permission_id(const cg_policy *p, size_t i)
{
	return p && i < p->n_perms ? p->perm_ids[i] : NULL;
}

CG_EXPORT const char *cg_policy_permission_description(const cg_policy *p, size_t i)
{
	return p && i < p->n_perms ? p->perm_desc[i] : NULL;
}

CG_EXPORT const char *cg_policy_command_name(const cg_policy *p, int id)
{
	if (!p || id < 0 || (size_t)id >= p->n_cmds)
		return NULL;
	return p->cmds[id].name;
}

/* ---------------------------------------------------------------- subject */

static bool cap_applies(const cg_cap *c, const char *window, const char *webview,
			const cg_url *url)
{
	if (!c->enabled)
		return false;
	if (url) {
		bool ok = false;
		for (size_t i = 0; !ok && i < c->n_remote; i++)
			ok = cg_urlpattern_match(c->remote[i], url);
		if (!ok)
			return false;
	} else if (!c->local) {
		return false;
	}
	/* A matching window covers all its webviews; "webviews" adds
	 * webviews, it does not narrow "windows". */
	for (size_t i = 0; i < c->n_windows; i++)
		if (cg_glob_match(c->windows[i], window))
			return true;
	for (size_t i = 0; i < c->n_webviews; i++)
		if (cg_glob_match(c->webviews[i], webview))
			return true;
	return false;
}

static int subject_make(cg_policy *p, const char *window, const char *webview,
			const char *remote_url, bool cached, cg_subject **out)
{
	*out = NULL;
	if (!window || !*window)
		return CG_EINVAL;
	if (!webview)
		webview = window; /* a plain window's webview has its label */
	cg_url url = {0};
	if (remote_url && cg_url_parse(remote_url, &url, NULL) < 0)
		return CG_EINVAL;
	cg_subject *s = calloc(1, sizeof(*s));
	if (!s) {
		cg_url_clear(&url);
		return CG_ENOMEM;
	}
	s->window = strdup(window);
	s->webview = strdup(webview);
	s->url = remote_url ? strdup(remote_url) : NULL;
	s->bits = p->words <= 2 ? s->inline_bits : calloc(p->words, sizeof(uint64_t));
	if (!s->window || !s->webview || (remote_url && !s->url) || !s->bits) {
		if (s->bits != s->inline_bits)
			free(s->bits);
		free(s->window);
		free(s->webview);
		free(s->url);
		free(s);
		cg_url_clear(&url);
		return CG_ENOMEM;
	}
	for (size_t i = 0; i < p->n_caps; i++)
		if (cap_applies(&p->caps[i], window, webview, remote_url ? &url : NULL))
			s->bits[i >> 6] |= (uint64_t)1 << (i & 63);
	cg_url_clear(&url);
	s->cached = cached;
	s->refs = 1;
	s->policy = cached ? p : cg_policy_ref(p);
	*out = s;
	return 0;
}

CG_EXPORT int cg_subject_new(cg_policy *p, const char *window, const char *webview,
			     const char *remote_url, cg_subject **out)
{
	if (!out)
		return CG_EINVAL;
	*out = NULL;
	if (!p)
		return CG_EINVAL;
	return subject_make(p, window, webview, remote_url, false, out);
}

cg_subject *cg_subject_ref(cg_subject *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

CG_EXPORT void cg_subject_free(cg_subject *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (!s->cached)
		cg_policy_unref(s->policy);
	if (s->bits != s->inline_bits)
		free(s->bits);
	free(s->window);
	free(s->webview);
	free(s->url);
	free(s);
}

CG_EXPORT const char *cg_subject_window(const cg_subject *s) { return s ? s->window : NULL; }
CG_EXPORT const char *cg_subject_webview(const cg_subject *s) { return s ? s->webview : NULL; }
CG_EXPORT const char *cg_subject_url(const cg_subject *s) { return s ? s->url : NULL; }

/* ------------------------------------------------------------------ checks */

static void decide(const cg_subject *s, int id, cg_decision *out)
{
	const cg_cmd *c = &s->policy->cmds[id];
	out->priv_command = id;
	for (uint32_t i = 0; i < c->n_deny; i++)
		if (cg_subject_has(s, c->grants[i].cap)) {
			out->allowed = 0;
			out->reason = CG_REASON_DENY_RULE;
			out->priv_rule = (int)i;
			return;
		}
	for (uint32_t i = c->n_deny; i < c->n_grants; i++)
		if (cg_subject_has(s, c->grants[i].cap)) {
			out->allowed = 1;
			out->reason = CG_REASON_ALLOWED;
			out->priv_rule = (int)i;
			return;
		}
	out->allowed = 0;
	out->reason = CG_REASON_NOT_GRANTED;
	out->priv_rule = -1;
}

static void deny_unknown(const cg_subject *s, const char *name, cg_decision *out)
{
	*out = (cg_decision){.reason = CG_REASON_UNKNOWN_COMMAND, .priv_subject = s, .priv_command = -1,
			     .priv_rule = -1, .priv_name = name, .priv_op = CG_EVENT_LISTEN};
}

CG_EXPORT int cg_check(const cg_subject *s, int id, cg_decision *out)
{
	if (!out)
		return CG_EINVAL;
	if (!s || id < 0 || (size_t)id >= s->policy->n_cmds) {
		deny_unknown(s, NULL, out);
		return CG_EINVAL;
	}
	out->priv_subject = s;
	out->priv_name = NULL;
	decide(s, id, out);
	return 0;
}

CG_EXPORT int cg_check_command(const cg_subject *s, const char *command, cg_decision *out)
{
	if (!out)
		return CG_EINVAL;
	if (!s || !command) {
		deny_unknown(s, command, out);
		return CG_EINVAL;
	}
	int id = cg_policy_command_id(s->policy, command);
	if (id < 0) {
		deny_unknown(s, command, out);
		return 0;
	}
	return cg_check(s, id, out);
}

/* Each label goes in with its length, so that no two callers share a key
 * whatever bytes their labels hold (a separator byte could be in a label:
 * "a"/"b\x1fc" and "a\x1fb"/"c" would meet). */
static char *cache_key(const char *w, const char *v, const char *u)
{
	if (!v)
		v = w; /* a plain window's webview has its label */
	return cg_strdup_printf("%zu:%s%zu:%s%s%s", strlen(w), w, strlen(v), v, u ? "R" : "L", u ? u : "");
}

CG_EXPORT int cg_check_str(cg_policy *p, const char *window, const char *webview,
			   const char *remote_url, const char *command, cg_decision *out)
{
	if (!out)
		return CG_EINVAL;
	deny_unknown(NULL, command, out);
	if (!p || !window || !command)
		return CG_EINVAL;
	char *key = cache_key(window, webview, remote_url);
	if (!key)
		return CG_ENOMEM;
	int r = 0;
	pthread_mutex_lock(&p->cache_lock);
	cg_subject *s = g_hash_table_lookup(p->subject_cache, key);
	if (!s) {
		if (g_hash_table_size(p->subject_cache) >= SUBJECT_CACHE_MAX)
			r = CG_ELIMIT; /* resolve subjects with cg_subject_new instead */
		else if ((r = subject_make(p, window, webview, remote_url, true, &s)) == 0) {
			g_hash_table_insert(p->subject_cache, key, s);
			key = NULL;
		}
	}
	pthread_mutex_unlock(&p->cache_lock);
	free(key);
	if (r < 0)
		return r;
	return cg_check_command(s, command, out);
}

/* ------------------------------------------------------------------ events */

static bool valid_event_name(const char *e)
{
	if (!e || !*e)
		return false;
	for (const unsigned char *c = (const unsigned char *)e; *c; c++)
		if (!(*c < 0x80 && (g_ascii_isalnum(*c) || *c == '-' || *c == '/' || *c == ':' || *c == '_')))
			return false;
	return true;
}

/* 1 if some {"event": glob} entry of scope matches, 0 if none does, -1 if
 * the scope has no event entry at all. */
static int event_scope_match(json_object *scope, const char *event)
{
	int seen = -1;
	for (size_t i = 0; scope && i < json_object_array_length(scope); i++) {
		json_object *v = json_object_array_get_idx(scope, i), *ev;
		if (!json_object_object_get_ex(v, "event", &ev) ||
		    !json_object_is_type(ev, json_type_string))
			continue;
		seen = 0;
		if (cg_glob_match(json_object_get_string(ev), event))
			return 1;
	}
	return seen;
}

CG_EXPORT int cg_check_event(const cg_subject *s, cg_event_op op, const char *event,
			     cg_decision *out)
{
	if (!out)
		return CG_EINVAL;
	if (!s || (unsigned)op > CG_EVENT_EMIT_TO || !valid_event_name(event)) {
		deny_unknown(s, NULL, out);
		out->reason = CG_REASON_EVENT_SCOPE;
		return CG_EINVAL;
	}
	const cg_policy *p = s->policy;
	int id = p->event_cmd[op];
	*out = (cg_decision){.reason = CG_REASON_NOT_GRANTED, .priv_subject = s, .priv_command = id,
			     .priv_rule = -1, .priv_name = event, .priv_op = op};
	if (id < 0) {
		out->reason = CG_REASON_UNKNOWN_COMMAND;
		return 0;
	}
	const cg_cmd *c = &p->cmds[id];
	int allowed_by = -1;
	bool matched = false;
	for (uint32_t i = 0; i < c->n_grants; i++) {
		const cg_grant *g = &c->grants[i];
		if (!cg_subject_has(s, g->cap))
			continue;
		if (g->deny) {
			out->reason = CG_REASON_DENY_RULE;
			out->priv_rule = (int)i;
			return 0;
		}
		matched = true;
		if (event_scope_match(g->scope_deny, event) == 1) {
			out->reason = CG_REASON_EVENT_SCOPE;
			out->priv_rule = (int)i;
			return 0; /* a deny scope wins over every grant */
		}
		if (allowed_by < 0 && event_scope_match(g->scope_allow, event) != 0)
			allowed_by = (int)i;
	}
	/* Deny entries of core:event's global scope apply too. */
	const cg_global_list *gl = g_hash_table_lookup(p->globals, "core:event");
	for (size_t i = 0; gl && i < gl->n; i++)
		if (cg_subject_has(s, gl->v[i].cap) &&
		    event_scope_match(gl->v[i].scope_deny, event) == 1) {
			out->reason = CG_REASON_EVENT_SCOPE;
			out->priv_rule = -1;
			return 0;
		}
	if (allowed_by >= 0) {
		out->allowed = 1;
		out->reason = CG_REASON_ALLOWED;
		out->priv_rule = allowed_by;
	} else if (matched) {
		out->reason = CG_REASON_EVENT_SCOPE;
	}
	return 0;
}
