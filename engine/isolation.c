/*
 * isolation.c - the router's side of the isolation pattern: every message
 * is a sealed envelope (seal.c) that must open under the router's key for
 * the webview it came from, before anything else reads it.
 *
 * The epoch is the host's to raise (cg_webview_new_epoch) when a new
 * document starts in a webview, because only the host sees documents
 * start. Raising it can only ever make envelopes stop opening, never make
 * an old one open again: a page that raises it at will can deny itself
 * service and nothing more.
 */
#include "router.h"
#include "seal.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(CG_SEAL_KEY_BYTES == CG_SEAL_KEY_SIZE, "the public key size is the sealer's");

CG_EXPORT int cg_router_set_isolation(cg_router *r, const unsigned char *key, size_t key_len)
{
	if (!r || (key && key_len != CG_SEAL_KEY_SIZE))
		return CG_EINVAL;
	cg_sealer *s = key ? cg_sealer_new_with_key(key) : cg_sealer_new();
	if (!s)
		return key ? CG_ENOMEM : CG_EIO;
	cg_sealer_free(r->sealer);
	r->sealer = s;
	return 0;
}

CG_EXPORT int cg_router_isolation_key(const cg_router *r, unsigned char *out, size_t out_len)
{
	if (!r || !out || out_len < CG_SEAL_KEY_SIZE)
		return CG_EINVAL;
	if (!r->sealer)
		return CG_ESTATE;
	memcpy(out, cg_sealer_key(r->sealer), CG_SEAL_KEY_SIZE);
	return 0;
}

CG_EXPORT int64_t cg_webview_new_epoch(cg_webview *wv)
{
	if (!wv || !wv->r || !wv->r->sealer)
		return wv && wv->r ? CG_ESTATE : CG_EINVAL;
	cg_sealer *s = wv->r->sealer;
	uint64_t before = cg_sealer_epoch(s, wv->label);
	cg_sealer_reset(s, wv->label);
	uint64_t after = cg_sealer_epoch(s, wv->label);
	/* The sealer keeps the old epoch when it has no memory for a new one;
	 * the frame must not be told a number that will not open. */
	if (after <= before || after > INT64_MAX)
		return CG_ENOMEM;
	return (int64_t)after;
}

int cg_router_unseal(cg_router *r, cg_webview *wv, const char *msg, size_t len, void *req,
		     char **pt, size_t *pt_len)
{
	const char *why = NULL;
	int rc = cg_sealer_open(r->sealer, wv->label, msg, len, pt, pt_len, &why);
	if (rc == 0)
		return 0;
	char *reason = cg_strdup_printf("not a valid sealed message (%s): under the isolation pattern every "
					"call goes through the isolation frame", why ? why : cg_strerror(rc));
	const char *text = reason ? reason : "not a valid sealed message";
	cg_audit_record(r, wv, "command", "?", "invalid", text);
	cg_router_log(r, "webview \"%s\": refused a message: %s", wv->label, text);
	cg_router_reject_now(r, wv, req, text);
	free(reason);
	return rc == CG_ENOMEM ? rc : CG_ESEAL;
}

void cg_isolation_free(cg_router *r)
{
	cg_sealer_free(r->sealer);
	r->sealer = NULL;
}
