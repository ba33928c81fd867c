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
#include "router/router.h"
#include "router/seal.h"

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

/* The router's reading of an authentic plaintext: the message parser,
 * once, whose result the router then dispatches. */
struct unseal {
	const cg_router *r;
	cg_ipcmsg *m;
	int parse_rc;
	char *parse_why; /* the parser's reason, malloc'd */
	size_t text_len; /* a body's: the message's length before the NUL */
	bool body;
};

static int read_sealed(const char *pt, size_t len, const char *cmd, size_t cmd_len, void *user,
		       const char **why)
{
	struct unseal *u = user;
	int flags = CG_IPCMSG_BODY;
	if (u->body) {
		/* The message, a NUL, the bytes: JSON text holds no NUL. */
		const char *nul = memchr(pt, 0, len);
		if (!nul) {
			*why = "a sealed binary call without its NUL after the message";
			return CG_ESCHEMA;
		}
		len = u->text_len = (size_t)(nul - pt);
		flags = CG_IPCMSG_NO_PAYLOAD;
	}
	int rc = cg_ipcmsg_parse(u->r, pt, len, flags, u->m, &u->parse_why);
	if (rc < 0)
		return u->parse_rc = rc;
	/* Only a frame with the key could seal a mismatch; it would still
	 * mean that the AAD named one command and the message another. */
	if (strlen(u->m->cmd) != cmd_len || memcmp(u->m->cmd, cmd, cmd_len) != 0) {
		cg_ipcmsg_clear(u->m);
		*why = "command does not match the sealed message";
		return CG_EINVAL;
	}
	return 0;
}

static int unsealed(int rc, struct unseal *u, const char *reason, char **why)
{
	if (rc == 0)
		return 0;
	if (u->parse_rc < 0) {
		/* Authentic, but not a message: refused as a plain one would be. */
		*why = u->parse_why;
		return u->parse_rc;
	}
	free(u->parse_why);
	*why = cg_strdup_printf("not a valid sealed message (%s): under the isolation pattern every "
				"call goes through the isolation frame", reason ? reason : cg_strerror(rc));
	return rc == CG_ENOMEM ? rc : CG_ESEAL;
}

int cg_router_unseal(cg_router *r, cg_webview *wv, const char *msg, size_t len, cg_ipcmsg *m,
		     char **why)
{
	struct unseal u = {r, m, 0, NULL, 0, false};
	const char *reason = NULL;
	memset(m, 0, sizeof(*m));
	*why = NULL;
	int rc = cg_sealer_open_with(r->sealer, wv->label, msg, len, read_sealed, &u, &reason);
	return unsealed(rc, &u, reason, why);
}

int cg_router_unseal_body(cg_router *r, cg_webview *wv, const char *msg, size_t len, cg_body *b,
			  cg_ipcmsg *m, char **why)
{
	struct unseal u = {r, m, 0, NULL, 0, true};
	const char *reason = NULL;
	memset(m, 0, sizeof(*m));
	*why = NULL;
	int rc = cg_sealer_open_body(r->sealer, wv->label, msg, len, b->data, b->len, read_sealed, &u, &reason);
	if (rc == 0) {
		/* The call's bytes follow the message and its NUL, before the tag. */
		b->data = (char *)b->data + u.text_len + 1;
		b->len = b->len - CG_SEAL_TAG_SIZE - u.text_len - 1;
	}
	return unsealed(rc, &u, reason, why);
}

void cg_isolation_free(cg_router *r)
{
	cg_sealer_free(r->sealer);
	r->sealer = NULL;
}
