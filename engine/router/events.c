/*
 * Events: the built-in plugin:event|listen, unlisten, emit and emit_to, as
 * @tauri-apps/api v2 sends them, and the core's C API.
 *
 * Delivery is where capgate differs from Tauri on purpose. A webview gets
 * an event only if (1) the event's target includes it, (2) one of its
 * listeners is for that name and its own target filter accepts the event,
 * and (3) the policy lets it listen to that name now. In Tauri a listener
 * on Any receives events aimed at other windows; here the target is a
 * boundary: an event aimed at window "a" never reaches window "b".
 */
#include "router/router.h"
#include "base/jsonval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const builtin[] = {"plugin:event|listen", "plugin:event|unlisten",
				      "plugin:event|emit", "plugin:event|emit_to", NULL};

bool cg_events_is_builtin(const char *cmd)
{
	for (const char *const *b = builtin; *b; b++)
		if (strcmp(*b, cmd) == 0)
			return true;
	return false;
}

static const struct {
	const char *name;
	cg_target_kind kind;
	bool label;
} kinds[] = {
	{"Any", CG_TARGET_ANY, false},
	{"AnyLabel", CG_TARGET_ANY_LABEL, true},
	{"App", CG_TARGET_APP, false},
	{"Window", CG_TARGET_WINDOW, true},
	{"Webview", CG_TARGET_WEBVIEW, true},
	{"WebviewWindow", CG_TARGET_WEBVIEW_WINDOW, true},
};

/* {kind, label?} -> kind and label (borrowed from v). */
static int parse_target(json_object *v, cg_target_kind *kind, const char **label, char **why)
{
	*kind = CG_TARGET_ANY;
	*label = NULL;
	if (!v)
		return 0;
	json_object *k = cg_jv_get(v, "kind"), *l = cg_jv_get(v, "label");
	if (!json_object_is_type(v, json_type_object) || !cg_json_plain_string(k)) {
		*why = strdup("\"target\" must be {\"kind\": \"Any\"|\"AnyLabel\"|\"App\"|\"Window\"|\"Webview\"|\"WebviewWindow\", \"label\": ...}");
		return CG_ESCHEMA;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		if (strcmp(kinds[i].name, json_object_get_string(k)) != 0)
			continue;
		*kind = kinds[i].kind;
		if (kinds[i].label) {
			if (!cg_json_plain_string(l) || !json_object_get_string_len(l)) {
				*why = cg_strdup_printf("a %s target needs a \"label\"", kinds[i].name);
				return CG_ESCHEMA;
			}
			*label = json_object_get_string(l);
		}
		return 0;
	}
	*why = cg_strdup_printf("unknown target kind \"%.40s\"", json_object_get_string(k));
	return CG_ESCHEMA;
}

static bool in_target(cg_target_kind kind, const char *label, const cg_webview *wv)
{
	switch (kind) {
	case CG_TARGET_ANY: return true;
	case CG_TARGET_ANY_LABEL: return strcmp(wv->window, label) == 0 || strcmp(wv->label, label) == 0;
	case CG_TARGET_APP: return false;
	case CG_TARGET_WINDOW: return strcmp(wv->window, label) == 0;
	case CG_TARGET_WEBVIEW:
	case CG_TARGET_WEBVIEW_WINDOW: return strcmp(wv->label, label) == 0;
	}
	return false;
}

/* A listener's own filter: Any accepts everything delivered to its webview;
 * a labelled filter accepts global events and events aimed at its label. */
static bool filter_accepts(const cg_listener *l, cg_target_kind kind, const char *label)
{
	if (l->kind == CG_TARGET_ANY || kind == CG_TARGET_ANY)
		return true;
	return l->label && label && strcmp(l->label, label) == 0;
}

static void listener_free(cg_listener *l)
{
	free(l->event);
	free(l->label);
	free(l);
}

static int add_listener(cg_router *r, cg_listener *l)
{
	GPtrArray *list = g_hash_table_lookup(r->listeners, l->event);
	if (!list) {
		char *k = strdup(l->event);
		if (!k)
			return CG_ENOMEM;
		list = g_ptr_array_new();
		g_hash_table_insert(r->listeners, k, list);
	}
	/* ids wrap at 2^31 - 1; skip any still in use */
	do {
		l->id = r->next_listener++;
		if (r->next_listener > INT32_MAX)
			r->next_listener = 1;
	} while (g_hash_table_contains(r->listener_ids, GUINT_TO_POINTER(l->id)));
	g_ptr_array_add(list, l);
	g_hash_table_insert(r->listener_ids, GUINT_TO_POINTER(l->id), l);
	return 0;
}

static void remove_listener(cg_router *r, cg_listener *l)
{
	GPtrArray *list = g_hash_table_lookup(r->listeners, l->event);
	g_hash_table_remove(r->listener_ids, GUINT_TO_POINTER(l->id));
	if (l->wv)
		l->wv->listeners--;
	if (list) {
		g_ptr_array_remove(list, l);
		if (list->len == 0)
			g_hash_table_remove(r->listeners, l->event);
	}
	listener_free(l);
}

void cg_events_remove_webview(cg_router *r, cg_webview *wv)
{
	GPtrArray *mine = g_ptr_array_new();
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->listener_ids);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (((cg_listener *)v)->wv == wv)
			g_ptr_array_add(mine, v);
	for (guint i = 0; i < mine->len; i++)
		remove_listener(r, mine->pdata[i]);
	g_ptr_array_free(mine, TRUE);
}

void cg_events_free(cg_router *r)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->listener_ids);
	while (g_hash_table_iter_next(&it, &k, &v))
		listener_free(v);
	g_hash_table_remove_all(r->listener_ids);
	g_hash_table_remove_all(r->listeners);
}

/* ------------------------------------------------------------- delivery */

static bool may_listen(cg_webview *wv, const char *event)
{
	const cg_subject *s = cg_webview_subject(wv);
	cg_decision dc;
	return s && cg_check_event(s, CG_EVENT_LISTEN, event, &dc) == 0 && dc.allowed;
}

/* Returns the number of webview listeners reached. */
static int deliver(cg_router *r, const char *event, cg_target_kind kind, const char *label,
		   json_object *payload, const cg_webview *source)
{
	GPtrArray *list = g_hash_table_lookup(r->listeners, event);
	if (!list)
		return 0;
	const char *ptxt = payload ? json_object_to_json_string_ext(payload, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE)
				   : "null";
	/* The name is validated (no characters that need escaping). */
	size_t cap = strlen(event) + strlen(ptxt) + 64;
	char *buf = malloc(cap);
	if (!buf)
		return CG_ENOMEM;
	/* Copy first: a core listener may (un)listen while we deliver. */
	GPtrArray *snap = g_ptr_array_sized_new(list->len);
	for (guint i = 0; i < list->len; i++)
		g_ptr_array_add(snap, GUINT_TO_POINTER(((cg_listener *)list->pdata[i])->id));
	int reached = 0;
	for (guint i = 0; i < snap->len; i++) {
		cg_listener *l = g_hash_table_lookup(r->listener_ids, snap->pdata[i]);
		if (!l)
			continue;
		if (!l->wv) {
			if (kind == CG_TARGET_ANY || kind == CG_TARGET_APP)
				l->fn(event, payload, source, l->user);
			continue;
		}
		if (!in_target(kind, label, l->wv) || !filter_accepts(l, kind, label) ||
		    !may_listen(l->wv, event))
			continue;
		int n = snprintf(buf, cap, "{\"event\":\"%s\",\"id\":%u,\"payload\":%s}", event, l->id, ptxt);
		r->t.callback(r->t.user, l->wv, l->handler, buf, (size_t)n);
		reached++;
	}
	g_ptr_array_free(snap, TRUE);
	free(buf);
	return reached;
}

/* Off the main loop (a handler thread): copied whole, since json-c's
 * reference counts are not shared safely between threads. */
static int queue_emit(cg_router *r, const char *event, cg_target_kind kind, const char *label,
		      json_object *payload)
{
	cg_qitem *it = calloc(1, sizeof(*it));
	json_object *copy = NULL;
	if (!it || (payload && json_object_deep_copy(payload, &copy, NULL) != 0)) {
		free(it);
		return CG_ENOMEM;
	}
	it->kind = Q_EMIT;
	it->event = strdup(event);
	it->label = label ? strdup(label) : NULL;
	it->target = kind;
	it->payload = copy;
	if (!it->event || (label && !it->label)) {
		free(it->event);
		free(it->label);
		json_object_put(copy);
		free(it);
		return CG_ENOMEM;
	}
	cg_router_push(r, it);
	return 0;
}

CG_EXPORT int cg_router_emit(cg_router *r, const char *event, cg_target_kind kind, const char *label,
			     json_object *payload)
{
	if (!r || !cg_event_name_valid(event) || (unsigned)kind > CG_TARGET_WEBVIEW_WINDOW)
		return CG_EINVAL;
	bool needs_label = kind != CG_TARGET_ANY && kind != CG_TARGET_APP;
	if (needs_label != (label != NULL))
		return CG_EINVAL;
	if (!cg_router_on_main(r))
		return queue_emit(r, event, kind, label, payload);
	return deliver(r, event, kind, label, payload, NULL);
}

void cg_events_deliver_queued(cg_router *r, cg_qitem *it)
{
	deliver(r, it->event, it->target, it->label, it->payload, NULL);
	free(it->event);
	free(it->label);
	json_object_put(it->payload);
}

CG_EXPORT int cg_router_listen(cg_router *r, const char *event, cg_event_fn fn, void *user)
{
	if (!r || !fn || !cg_event_name_valid(event))
		return CG_EINVAL;
	cg_listener *l = calloc(1, sizeof(*l));
	if (!l || !(l->event = strdup(event))) {
		free(l);
		return CG_ENOMEM;
	}
	l->fn = fn;
	l->user = user;
	int rc = add_listener(r, l);
	if (rc < 0) {
		listener_free(l);
		return rc;
	}
	return (int)l->id;
}

CG_EXPORT int cg_router_unlisten(cg_router *r, int id)
{
	cg_listener *l = r && id > 0 ? g_hash_table_lookup(r->listener_ids, GINT_TO_POINTER(id)) : NULL;
	if (!l || l->wv)
		return CG_ENOTFOUND;
	remove_listener(r, l);
	return 0;
}

/* ------------------------------------------------------ built-in commands */

static int ev_refuse(cg_router *r, cg_webview *wv, void *req, const char *event,
		     const char *decision, const char *why, int rc)
{
	cg_declog_record(r, wv, "event", event ? event : "?", decision, why);
	cg_router_reject_now(r, wv, req, why);
	return rc;
}

/* The event name from the payload, validated; NULL with *why otherwise. */
static const char *event_arg(json_object *payload, char **why)
{
	json_object *e = cg_jv_get(payload, "event");
	if (!cg_json_plain_string(e) || !cg_event_name_valid(json_object_get_string(e))) {
		*why = strdup("\"event\" must be an event name: letters, digits, '-', '/', ':' and '_'");
		return NULL;
	}
	return json_object_get_string(e);
}

/* Policy check for an event operation; on denial answers and returns < 0. */
static int ev_check(cg_router *r, cg_webview *wv, void *req, const char *cmd, cg_event_op op,
		    const char *event)
{
	const cg_subject *s = cg_webview_subject(wv);
	if (!s)
		return ev_refuse(r, wv, req, event, "deny", r->policy ? "the page's origin is not a valid URL"
								      : "no policy is installed: nothing is allowed",
				 CG_ESTATE);
	cg_decision dc;
	if (event)
		cg_check_event(s, op, event, &dc);
	else
		cg_check_command(s, cmd, &dc);
	if (dc.allowed && !cg_declog_wants_allow(r))
		return 0;
	char *why = cg_decision_reason(&dc);
	int rc = 0;
	if (!dc.allowed)
		rc = ev_refuse(r, wv, req, event ? event : cmd, "deny", why ? why : "denied", CG_ESTATE);
	else
		cg_declog_record(r, wv, "event", event ? event : cmd, "allow", why ? why : "allowed");
	free(why);
	return rc;
}

static int ev_listen(cg_router *r, cg_webview *wv, json_object *p, void *req)
{
	char *why = NULL;
	const char *event = event_arg(p, &why);
	cg_target_kind kind;
	const char *label;
	json_object *h = cg_jv_get(p, "handler");
	int rc = 0;
	if (!event || parse_target(cg_jv_get(p, "target"), &kind, &label, &why) < 0)
		rc = CG_ESCHEMA;
	else if (!json_object_is_type(h, json_type_int) || json_object_get_int64(h) < 0 ||
		 json_object_get_int64(h) > UINT32_MAX) {
		why = strdup("\"handler\" must be a callback id");
		rc = CG_ESCHEMA;
	} else if (wv->listeners >= r->limits[CG_RLIMIT_LISTENERS]) {
		why = cg_strdup_printf("too many listeners (limit %zu): unlisten before listening again",
				       r->limits[CG_RLIMIT_LISTENERS]);
		rc = CG_ELIMIT;
	}
	if (rc < 0) {
		ev_refuse(r, wv, req, event, "invalid", why, rc);
		free(why);
		return rc;
	}
	if ((rc = ev_check(r, wv, req, "plugin:event|listen", CG_EVENT_LISTEN, event)) < 0)
		return rc;
	cg_listener *l = calloc(1, sizeof(*l));
	if (!l || !(l->event = strdup(event)) || (label && !(l->label = strdup(label)))) {
		if (l)
			listener_free(l);
		cg_router_reject_now(r, wv, req, "out of memory");
		return CG_ENOMEM;
	}
	l->wv = wv;
	l->kind = kind;
	l->handler = (uint32_t)json_object_get_int64(h);
	if ((rc = add_listener(r, l)) < 0) {
		listener_free(l);
		cg_router_reject_now(r, wv, req, "out of memory");
		return rc;
	}
	wv->listeners++;
	char num[16];
	int n = snprintf(num, sizeof(num), "%u", l->id);
	cg_router_answer_now(r, wv, req, 1, num, (size_t)n);
	return 0;
}

static int ev_unlisten(cg_router *r, cg_webview *wv, json_object *p, void *req)
{
	char *why = NULL;
	const char *event = event_arg(p, &why);
	json_object *id = cg_jv_get(p, "eventId");
	if (!event || !json_object_is_type(id, json_type_int)) {
		if (!why)
			why = strdup("\"eventId\" must be the id listen returned");
		ev_refuse(r, wv, req, event, "invalid", why, CG_ESCHEMA);
		free(why);
		return CG_ESCHEMA;
	}
	int rc = ev_check(r, wv, req, "plugin:event|unlisten", CG_EVENT_LISTEN, NULL);
	if (rc < 0)
		return rc;
	int64_t v = json_object_get_int64(id);
	cg_listener *l = v > 0 && v <= INT32_MAX
		? g_hash_table_lookup(r->listener_ids, GINT_TO_POINTER((int)v)) : NULL;
	/* Only one's own listeners; unknown ids are not an error (Tauri's JS
	 * unlistens twice when a component unmounts). */
	if (l && l->wv == wv && strcmp(l->event, event) == 0)
		remove_listener(r, l);
	cg_router_answer_now(r, wv, req, 1, "null", 4);
	return 0;
}

static int ev_emit(cg_router *r, cg_webview *wv, json_object *p, void *req, bool to)
{
	char *why = NULL;
	const char *event = event_arg(p, &why);
	cg_target_kind kind = CG_TARGET_ANY;
	const char *label = NULL;
	int rc = event ? 0 : CG_ESCHEMA;
	if (rc == 0 && to) {
		json_object *t = cg_jv_get(p, "target");
		if (!t) {
			why = strdup("emit_to needs a \"target\"");
			rc = CG_ESCHEMA;
		} else {
			rc = parse_target(t, &kind, &label, &why);
		}
	}
	if (rc < 0) {
		ev_refuse(r, wv, req, event, "invalid", why, rc);
		free(why);
		return rc;
	}
	if ((rc = ev_check(r, wv, req, to ? "plugin:event|emit_to" : "plugin:event|emit",
			   to ? CG_EVENT_EMIT_TO : CG_EVENT_EMIT, event)) < 0)
		return rc;
	deliver(r, event, kind, label, cg_jv_get(p, "payload"), wv);
	cg_router_answer_now(r, wv, req, 1, "null", 4);
	return 0;
}

int cg_events_invoke(cg_router *r, cg_webview *wv, cg_ipcmsg *m, void *req)
{
	json_object *p = m->payload;
	if (!json_object_is_type(p, json_type_object))
		return ev_refuse(r, wv, req, NULL, "invalid", "event commands take an object payload", CG_ESCHEMA);
	if (strcmp(m->cmd, "plugin:event|listen") == 0)
		return ev_listen(r, wv, p, req);
	if (strcmp(m->cmd, "plugin:event|unlisten") == 0)
		return ev_unlisten(r, wv, p, req);
	return ev_emit(r, wv, p, req, strcmp(m->cmd, "plugin:event|emit_to") == 0);
}
