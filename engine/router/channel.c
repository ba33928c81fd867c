/*
 * Channels: a command streams ordered messages back to the caller through
 * the Channel the page passed ("__CHANNEL__:<id>"). Each message carries an
 * index, as @tauri-apps/api's Channel expects ({"message": m, "index": n},
 * then {"end": true, "index": n}), assigned under the queue's lock so that
 * the order of cg_channel_send calls is the order the page sees.
 */
#include "router/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "__CHANNEL__:"

CG_EXPORT cg_channel *cg_call_channel(cg_call *c, const char *arg)
{
	if (!c || !arg || !c->args || !c->wv)
		return NULL;
	json_object *v;
	if (!json_object_object_get_ex(c->args, arg, &v) || !cg_json_plain_string(v))
		return NULL;
	const char *s = json_object_get_string(v);
	if (strncmp(s, PREFIX, strlen(PREFIX)) != 0)
		return NULL;
	char *end;
	const char *num = s + strlen(PREFIX);
	unsigned long id = strtoul(num, &end, 10);
	if (!*num || *end || id > UINT32_MAX || num[0] == '-' || num[0] == '+')
		return NULL;
	cg_channel *ch = calloc(1, sizeof(*ch));
	if (!ch)
		return NULL;
	ch->r = c->r;
	ch->wv = cg_webview_ref(c->wv);
	ch->id = (uint32_t)id;
	return ch;
}

static int push(cg_channel *ch, cg_qkind kind, json_object *msg)
{
	cg_router *r = ch->r;
	cg_qitem *it = calloc(1, sizeof(*it));
	if (!it)
		return CG_ENOMEM;
	const char *txt = msg ? json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE)
			      : "null";
	size_t len = strlen(txt) + 48;
	it->json = malloc(len);
	if (!it->json) {
		free(it);
		return CG_ENOMEM;
	}
	it->kind = kind;
	it->ch = ch;
	pthread_mutex_lock(&r->qlock);
	if (ch->closed) {
		pthread_mutex_unlock(&r->qlock);
		free(it->json);
		free(it);
		return CG_ESTATE;
	}
	uint32_t index = ch->index++;
	if (kind == Q_CHANNEL_END) {
		ch->closed = 1;
		it->len = (size_t)snprintf(it->json, len, "{\"end\":true,\"index\":%u}", index);
	} else {
		it->len = (size_t)snprintf(it->json, len, "{\"message\":%s,\"index\":%u}", txt, index);
	}
	pthread_mutex_unlock(&r->qlock);
	cg_router_push(r, it);
	return 0;
}

CG_EXPORT int cg_channel_send(cg_channel *ch, json_object *msg)
{
	if (!ch) {
		json_object_put(msg);
		return CG_EINVAL;
	}
	int rc = __atomic_load_n(&ch->wv->removed, __ATOMIC_ACQUIRE) ? CG_ESTATE : push(ch, Q_CHANNEL, msg);
	json_object_put(msg);
	return rc;
}

CG_EXPORT void cg_channel_close(cg_channel *ch)
{
	if (!ch)
		return;
	if (push(ch, Q_CHANNEL_END, NULL) == 0)
		return; /* released when the end marker is delivered */
	/* Already closed, or no memory for the marker: release here. The
	 * webview reference is atomic, so any thread may drop it. */
	pthread_mutex_lock(&ch->r->qlock);
	ch->closed = 1;
	pthread_mutex_unlock(&ch->r->qlock);
	cg_webview_unref(ch->wv);
	free(ch);
}

void cg_channel_deliver(cg_router *r, cg_qitem *it)
{
	cg_channel *ch = it->ch;
	if (!__atomic_load_n(&ch->wv->removed, __ATOMIC_ACQUIRE))
		r->t.callback(r->t.user, ch->wv, ch->id, it->json, it->len);
	if (it->kind == Q_CHANNEL_END) {
		cg_webview_unref(ch->wv);
		free(ch);
	}
}
