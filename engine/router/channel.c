/*
 * Channels: a command streams ordered messages back to the caller through
 * the Channel the page passed ("__CHANNEL__:<id>"). Each message carries an
 * index, as @tauri-apps/api's Channel expects ({"message": m, "index": n},
 * then {"end": true, "index": n}; 2.0 reads the same place as "id", so a
 * message carries both), assigned under the queue's lock so that the order
 * of cg_channel_send and cg_channel_send_bytes calls is the order the page
 * sees. A message of bytes goes to the transport as bytes
 * (callback_bytes), with its index beside it.
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

/* bytes (taken) for a message of bytes, else msg's JSON. */
static int push(cg_channel *ch, cg_qkind kind, json_object *msg, cg_bytes *bytes)
{
	cg_router *r = ch->r;
	cg_qitem *it = calloc(1, sizeof(*it));
	if (!it) {
		cg_bytes_unref(bytes);
		return CG_ENOMEM;
	}
	const char *txt = msg ? json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE)
			      : "null";
	size_t len = bytes ? 0 : strlen(txt) + 64;
	it->json = len ? malloc(len) : NULL;
	if (len && !it->json) {
		free(it);
		return CG_ENOMEM;
	}
	it->kind = kind;
	it->ch = ch;
	it->bytes = bytes;
	pthread_mutex_lock(&r->qlock);
	if (ch->closed) {
		pthread_mutex_unlock(&r->qlock);
		free(it->json);
		cg_bytes_unref(it->bytes);
		free(it);
		return CG_ESTATE;
	}
	uint32_t index = ch->index++;
	it->index = index;
	if (kind == Q_CHANNEL_END) {
		ch->closed = 1;
		it->len = (size_t)snprintf(it->json, len, "{\"end\":true,\"index\":%u}", index);
	} else if (!bytes) {
		it->len = (size_t)snprintf(it->json, len, "{\"message\":%s,\"index\":%u,\"id\":%u}", txt, index,
					   index);
	}
	/* Queued under the lock that numbered it: two threads' messages
	 * reach the page in the order of their indexes (they could swap
	 * between the unlock and the push; seen once by test_bytes). */
	cg_router_enqueue_locked(r, it);
	pthread_mutex_unlock(&r->qlock);
	cg_router_wake(r);
	return 0;
}

CG_EXPORT int cg_channel_send(cg_channel *ch, json_object *msg)
{
	if (!ch) {
		json_object_put(msg);
		return CG_EINVAL;
	}
	int rc = __atomic_load_n(&ch->wv->removed, __ATOMIC_ACQUIRE) ? CG_ESTATE : push(ch, Q_CHANNEL, msg, NULL);
	json_object_put(msg);
	return rc;
}

CG_EXPORT int cg_channel_send_bytes(cg_channel *ch, const void *data, size_t len)
{
	if (!ch || (!data && len))
		return CG_EINVAL;
	if (__atomic_load_n(&ch->wv->removed, __ATOMIC_ACQUIRE))
		return CG_ESTATE;
	/* Before the copy. */
	if (len > ch->r->limits[CG_RLIMIT_BINARY_SIZE])
		return CG_ELIMIT;
	cg_bytes *b = cg_bytes_new_copy(data, len);
	return b ? push(ch, Q_CHANNEL, NULL, b) : CG_ENOMEM;
}

CG_EXPORT void cg_channel_close(cg_channel *ch)
{
	if (!ch)
		return;
	if (push(ch, Q_CHANNEL_END, NULL, NULL) == 0)
		return; /* released when the end marker is delivered */
	/* Already closed, or no memory for the marker: release here. The
	 * webview reference is atomic, so any thread may drop it. */
	pthread_mutex_lock(&ch->r->qlock);
	ch->closed = 1;
	pthread_mutex_unlock(&ch->r->qlock);
	cg_webview_unref(ch->wv);
	free(ch);
}

/* A message of bytes for a transport that takes no bytes: the JSON array
 * of their values as the message. */
static void deliver_bytes_as_json(cg_router *r, cg_channel *ch, cg_qitem *it)
{
	size_t n = 0;
	char *arr = cg_bytes_json(it->bytes, &n);
	char *json = arr ? cg_strdup_printf("{\"message\":%s,\"index\":%u,\"id\":%u}", arr, it->index, it->index)
			 : NULL;
	if (json)
		r->t.callback(r->t.user, ch->wv, ch->id, json, strlen(json));
	free(arr);
	free(json);
}

void cg_channel_deliver(cg_router *r, cg_qitem *it)
{
	cg_channel *ch = it->ch;
	if (__atomic_load_n(&ch->wv->removed, __ATOMIC_ACQUIRE))
		;
	else if (it->bytes && r->t.callback_bytes)
		r->t.callback_bytes(r->t.user, ch->wv, ch->id, it->index, it->bytes);
	else if (it->bytes)
		deliver_bytes_as_json(r, ch, it);
	else
		r->t.callback(r->t.user, ch->wv, ch->id, it->json, it->len);
	if (it->kind == Q_CHANNEL_END) {
		cg_webview_unref(ch->wv);
		free(ch);
	}
}
