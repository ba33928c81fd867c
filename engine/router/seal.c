/*
 * seal.c - sealed IPC messages for the isolation pattern (issue 6).
 *
 * The cryptography is nettle's AES-256-GCM; this file only arranges it:
 * it never touches AES or GHASH itself and compares tags with nettle's
 * constant-time memeql_sec. Around it:
 *
 *   - The envelope is read with the engine's strict JSON reader
 *     (jsondoc.c). json-c alone silently keeps the last of two equal keys
 *     and tolerates trailing data. The plaintext is read once, by the
 *     caller's check (the router's is cg_ipcmsg_parse, the reader of
 *     plain messages), which also compares its "cmd" with the envelope's:
 *     what is checked is what is routed, with no second reader that could
 *     see another "cmd", and no second parse of every message.
 *   - Base64 is the canonical RFC 4648 form only (what btoa() makes),
 *     read by base/text.c, the engine's one base64 reader: decoders
 *     differ on whitespace, missing '=' and padding bits left set, and
 *     any of those would give the same bytes a second spelling.
 *   - Sequence numbers start at 1 (0 is invalid, so "no message yet" needs
 *     no flag) and stop at 2^53, the largest integer the iframe's JS
 *     counter (a Number) can hold exactly.
 *   - Each sequence number opens once. A binary call travels to the core
 *     on another path (a fetch) than a JSON call (a script message), so
 *     one may overtake the other: a number up to REPLAY_WINDOW - 1 below
 *     the highest accepted still opens if it has not before (a bitmap, as
 *     IPsec's anti-replay window, RFC 4303 3.4.3); one further below is
 *     refused.
 *   - The tag is checked before the sequence, so "replayed" is only ever
 *     logged for an authentic envelope, and a forger without the key
 *     learns nothing about the table; the table changes only after every
 *     check has passed.
 *
 * Not thread-safe: a sealer keeps one keyed GCM context and two tables and
 * is used from the main loop only.
 */
#include "router/seal.h"
#include "base/jsondoc.h"
#include "base/text.h"
#include "base/strhash.h"

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <nettle/base64.h>
#include <nettle/gcm.h>
#include <nettle/memops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* Ciphertext (= plaintext) bytes, the tag not counted. */
#define CG_SEAL_MAX 67108864
/* Room in an envelope for everything but ct: keys, cmd, seq, iv and
 * whitespace. Generous, but keeps the pre-parse size check meaningful. */
#define ENVELOPE_SLACK 65536
#define ENVELOPE_MAX (BASE64_ENCODE_RAW_LENGTH((size_t)CG_SEAL_MAX + CG_SEAL_TAG_SIZE) + \
		      ENVELOPE_SLACK)
#define SEQ_MAX ((uint64_t)1 << 53)
#define AAD_LABEL "capgate-seal-v1"
/* A binary call sealed beside its body: another label, so that the
 * ciphertext of one kind never opens as the other. */
#define AAD_LABEL_BODY "capgate-seal-bin-v1"
/* GCM's limit on the plaintext (SP 800-38D: 2^39 - 256 bits), past which
 * the counter wraps and the keystream repeats. */
#define GCM_MAX_LEN (((uint64_t)1 << 36) - 32)

static const char WHY_ENVELOPE[] = "not an envelope";
static const char WHY_BASE64[] = "bad base64";
static const char WHY_TAG[] = "bad tag";
static const char WHY_SEQ[] = "replayed or out-of-order sequence";
static const char WHY_CMD[] = "command does not match the sealed message";
static const char WHY_PLAIN[] = "plaintext is not a JSON message";
static const char WHY_LARGE[] = "too large";
static const char WHY_NOMEM[] = "out of memory";
static const char WHY_ARG[] = "invalid argument";

/* One webview's sequence number. The label lives in the same block and
 * serves as the table's key, so an entry is one allocation and one free.
 * In the table of accepted numbers, seq is the highest and bit i of seen
 * says that seq - i was accepted too. */
struct seq_entry {
	uint64_t seq;
	uint64_t seen;
	char label[];
};

#define REPLAY_WINDOW 64

struct cg_sealer {
	uint8_t key[CG_SEAL_KEY_SIZE];
	/* Keyed once: the AES key schedule and GHASH tables cost more than
	 * sealing a small message, and each message only needs set_iv. */
	struct gcm_aes256_ctx gcm;
	GHashTable *accepted; /* label -> struct seq_entry: last opened */
	GHashTable *sealed;   /* label -> struct seq_entry: last sealed */
	/* label -> struct seq_entry whose seq is the webview's epoch: raised
	 * by each reset and bound into the AAD, so that envelopes recorded
	 * before a reload do not open after it, when sequences start over. */
	GHashTable *epochs;
};

/* ------------------------------------------------------------- GCM */

static bool gcm_args_ok(const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
			const uint8_t *out)
{
	return (aad || !aad_len) && (in || !len) && (out || !len);
}

static int gcm_limits(size_t aad_len, size_t len)
{
	/* nettle counts the AAD in bytes and multiplies by 8 for the length
	 * block; beyond 2^61 bytes that product would wrap. */
	if ((uint64_t)len > GCM_MAX_LEN || (uint64_t)aad_len > UINT64_MAX / 8)
		return CG_ELIMIT;
	return 0;
}

static void gcm_seal_ctx(struct gcm_aes256_ctx *ctx, const uint8_t *iv, const uint8_t *aad,
			 size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	gcm_aes256_set_iv(ctx, CG_SEAL_IV_SIZE, iv);
	if (aad_len)
		gcm_aes256_update(ctx, aad_len, aad);
	if (len)
		gcm_aes256_encrypt(ctx, len, out, in);
	gcm_aes256_digest(ctx, CG_SEAL_TAG_SIZE, tag);
}

static int gcm_open_ctx(struct gcm_aes256_ctx *ctx, const uint8_t *iv, const uint8_t *aad,
			size_t aad_len, const uint8_t *in, size_t len, const uint8_t *tag,
			uint8_t *out)
{
	uint8_t want[CG_SEAL_TAG_SIZE];
	gcm_aes256_set_iv(ctx, CG_SEAL_IV_SIZE, iv);
	if (aad_len)
		gcm_aes256_update(ctx, aad_len, aad);
	if (len)
		gcm_aes256_decrypt(ctx, len, out, in);
	gcm_aes256_digest(ctx, CG_SEAL_TAG_SIZE, want);
	int ok = memeql_sec(want, tag, CG_SEAL_TAG_SIZE);
	explicit_bzero(want, sizeof(want));
	if (!ok) {
		/* Unauthenticated plaintext must not outlive the check: a
		 * caller that ignored the return value would otherwise act
		 * on attacker-chosen bytes. */
		if (len)
			explicit_bzero(out, len);
		return CG_EINVAL;
	}
	return 0;
}

int cg_gcm_encrypt(const uint8_t key[CG_SEAL_KEY_SIZE], const uint8_t iv[CG_SEAL_IV_SIZE],
		   const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		   uint8_t *out, uint8_t tag[CG_SEAL_TAG_SIZE])
{
	if (!key || !iv || !tag || !gcm_args_ok(aad, aad_len, in, len, out))
		return CG_EINVAL;
	int rc = gcm_limits(aad_len, len);
	if (rc)
		return rc;
	struct gcm_aes256_ctx ctx;
	gcm_aes256_set_key(&ctx, key);
	gcm_seal_ctx(&ctx, iv, aad, aad_len, in, len, out, tag);
	/* The context holds the expanded key and the hash key H. */
	explicit_bzero(&ctx, sizeof(ctx));
	return 0;
}

int cg_gcm_decrypt(const uint8_t key[CG_SEAL_KEY_SIZE], const uint8_t iv[CG_SEAL_IV_SIZE],
		   const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		   const uint8_t tag[CG_SEAL_TAG_SIZE], uint8_t *out)
{
	if (!key || !iv || !tag || !gcm_args_ok(aad, aad_len, in, len, out))
		return CG_EINVAL;
	int rc = gcm_limits(aad_len, len);
	if (rc)
		return rc;
	struct gcm_aes256_ctx ctx;
	gcm_aes256_set_key(&ctx, key);
	rc = gcm_open_ctx(&ctx, iv, aad, aad_len, in, len, tag, out);
	explicit_bzero(&ctx, sizeof(ctx));
	return rc;
}

/* ---------------------------------------------------------- helpers */

/* aad = "capgate-seal-v1" 0x00 command 0x00 webview 0x00 epoch 0x00 seq
 * (numbers in decimal). Neither string can hold a NUL (callers check the
 * envelope's cmd), so the fields cannot be shifted into each other. */
static uint8_t *make_aad_label(const char *label, const char *command, const char *webview, uint64_t epoch,
			       uint64_t seq, size_t *len)
{
	char num[48];
	int nl = snprintf(num, sizeof(num), "%" PRIu64 "%c%" PRIu64, epoch, 0, seq);
	size_t cl = strlen(command), wl = strlen(webview);
	size_t pl = strlen(label);
	if (nl <= 0 || cl > SIZE_MAX / 4 || wl > SIZE_MAX / 4)
		return NULL;
	size_t total = pl + 1 + cl + 1 + wl + 1 + (size_t)nl;
	uint8_t *a = malloc(total);
	if (!a)
		return NULL;
	uint8_t *p = a;
	memcpy(p, label, pl);
	p += pl;
	*p++ = 0;
	memcpy(p, command, cl);
	p += cl;
	*p++ = 0;
	memcpy(p, webview, wl);
	p += wl;
	*p++ = 0;
	memcpy(p, num, (size_t)nl);
	*len = total;
	return a;
}

static uint8_t *make_aad(const char *command, const char *webview, uint64_t epoch, uint64_t seq,
			 size_t *len)
{
	return make_aad_label(AAD_LABEL, command, webview, epoch, seq, len);
}

/* A JSON string as json-c keeps it, if it holds no NUL: json-c decodes
 * "\u0000", and C code reading the value would stop there. */
static const char *plain_string(json_object *v, size_t *len)
{
	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	const char *s = json_object_get_string(v);
	int l = json_object_get_string_len(v);
	if (!s || l < 0 || strlen(s) != (size_t)l)
		return NULL;
	*len = (size_t)l;
	return s;
}

static struct seq_entry *entry_new(const char *label)
{
	size_t l = strlen(label);
	struct seq_entry *e = malloc(sizeof(*e) + l + 1);
	if (!e)
		return NULL;
	e->seq = 0;
	e->seen = 0;
	memcpy(e->label, label, l + 1);
	return e;
}

/* Whether seq may open: above the highest accepted, or in the window
 * below it and not accepted yet. */
static bool seq_fresh(const struct seq_entry *e, uint64_t seq)
{
	if (!e || seq > e->seq)
		return true;
	uint64_t back = e->seq - seq;
	return back < REPLAY_WINDOW && !(e->seen & ((uint64_t)1 << back));
}

static void seq_accept(struct seq_entry *e, uint64_t seq)
{
	if (seq > e->seq) {
		uint64_t up = seq - e->seq;
		e->seen = up >= REPLAY_WINDOW ? 0 : e->seen << up;
		e->seq = seq;
		e->seen |= 1;
	} else {
		e->seen |= (uint64_t)1 << (e->seq - seq);
	}
}

/* --------------------------------------------------------- the sealer */

cg_sealer *cg_sealer_new_with_key(const uint8_t key[CG_SEAL_KEY_SIZE])
{
	if (!key)
		return NULL;
	cg_sealer *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	memcpy(s->key, key, CG_SEAL_KEY_SIZE);
	gcm_aes256_set_key(&s->gcm, s->key);
	/* Keys point into the entries, which the value destructor frees. */
	s->accepted = cg_str_table_new(NULL, free);
	s->sealed = cg_str_table_new(NULL, free);
	s->epochs = cg_str_table_new(NULL, free);
	return s;
}

cg_sealer *cg_sealer_new(void)
{
	uint8_t key[CG_SEAL_KEY_SIZE];
	cg_sealer *s = NULL;
	if (cg_random_bytes(key, sizeof(key)) == 0)
		s = cg_sealer_new_with_key(key);
	explicit_bzero(key, sizeof(key));
	return s;
}

void cg_sealer_free(cg_sealer *s)
{
	if (!s)
		return;
	g_hash_table_destroy(s->accepted);
	g_hash_table_destroy(s->sealed);
	g_hash_table_destroy(s->epochs);
	/* Key, key schedule and hash key; explicit_bzero because a plain
	 * memset before free is a dead store the compiler may drop. */
	explicit_bzero(s, sizeof(*s));
	free(s);
}

const uint8_t *cg_sealer_key(const cg_sealer *s)
{
	return s ? s->key : NULL;
}

void cg_sealer_reset(cg_sealer *s, const char *webview)
{
	if (!s || !webview)
		return;
	struct seq_entry *ep = g_hash_table_lookup(s->epochs, webview);
	if (!ep && (ep = entry_new(webview)))
		g_hash_table_insert(s->epochs, ep->label, ep);
	/* Without memory for a new epoch, old envelopes would open again once
	 * the sequence restarts: keep the sequence, so they stay replays. */
	if (!ep)
		return;
	ep->seq++;
	/* Both directions: a reloaded page gets a fresh iframe whose counter
	 * starts at 1 again, and seal() stands in for that iframe. */
	g_hash_table_remove(s->accepted, webview);
	g_hash_table_remove(s->sealed, webview);
}

uint64_t cg_sealer_epoch(const cg_sealer *s, const char *webview)
{
	const struct seq_entry *ep = s && webview ? g_hash_table_lookup(s->epochs, webview) : NULL;
	return ep ? ep->seq : 0;
}

char *cg_sealer_seal(cg_sealer *s, const char *webview, const char *command, const char *msg,
		     size_t len)
{
	if (!s || !webview || !command || !*command || (!msg && len) || len > CG_SEAL_MAX)
		return NULL;
	struct seq_entry *e = g_hash_table_lookup(s->sealed, webview);
	uint64_t seq = e ? e->seq + 1 : 1;
	if (seq > SEQ_MAX)
		return NULL;
	/* Made before anything else can fail, so that the counter moves only
	 * when an envelope comes out. */
	struct seq_entry *fresh = e ? NULL : entry_new(webview);
	if (!e && !fresh)
		return NULL;

	char *env = NULL, *ivb = NULL, *ctb = NULL;
	uint8_t *aad = NULL, *ct = NULL;
	json_object *cmdj = NULL;
	const char *cmdq = NULL;
	uint8_t iv[CG_SEAL_IV_SIZE];
	size_t aad_len = 0;
	/* Random 96-bit IVs, as the iframe makes them with WebCrypto: safe
	 * for 2^32 messages under one key (SP 800-38D, 8.3), far more than a
	 * launch sends. */
	if (cg_random_bytes(iv, sizeof(iv)) < 0)
		goto out;
	aad = make_aad(command, webview, cg_sealer_epoch(s, webview), seq, &aad_len);
	ct = malloc(len + CG_SEAL_TAG_SIZE);
	if (!aad || !ct)
		goto out;
	gcm_seal_ctx(&s->gcm, iv, aad, aad_len, (const uint8_t *)msg, len, ct, ct + len);
	ivb = cg_b64_encode(iv, sizeof(iv));
	ctb = cg_b64_encode(ct, len + CG_SEAL_TAG_SIZE);
	/* json-c only quotes the command: building the whole object with it
	 * would copy the (up to 89 MB) ct string twice more. */
	cmdj = json_object_new_string(command);
	if (cmdj)
		cmdq = json_object_to_json_string_ext(cmdj, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!ivb || !ctb || !cmdq)
		goto out;
	env = cg_strdup_printf("{\"sealed\":1,\"cmd\":%s,\"seq\":%" PRIu64 ",\"iv\":\"%s\",\"ct\":\"%s\"}",
			       cmdq, seq, ivb, ctb);
	if (!env)
		goto out;
	if (fresh) {
		fresh->seq = seq;
		g_hash_table_insert(s->sealed, fresh->label, fresh);
		fresh = NULL;
	} else {
		e->seq = seq;
	}
out:
	free(fresh);
	free(aad);
	free(ct);
	free(ivb);
	free(ctb);
	json_object_put(cmdj);
	return env;
}

/* The envelope's fields, as read_envelope found them. */
char *cg_sealer_seal_body(cg_sealer *s, const char *webview, const char *command, const char *msg,
			  const void *data, size_t len, uint8_t **body, size_t *body_len)
{
	*body = NULL;
	*body_len = 0;
	if (!s || !webview || !command || !*command || !msg || (!data && len))
		return NULL;
	size_t ml = strlen(msg);
	if (len > (size_t)GCM_MAX_LEN || ml > (size_t)GCM_MAX_LEN - len - 1)
		return NULL;
	struct seq_entry *e = g_hash_table_lookup(s->sealed, webview);
	uint64_t seq = e ? e->seq + 1 : 1;
	struct seq_entry *fresh = e ? NULL : entry_new(webview);
	if (seq > SEQ_MAX || (!e && !fresh)) {
		free(fresh);
		return NULL;
	}
	size_t pt_len = ml + 1 + len, aad_len = 0;
	uint8_t iv[CG_SEAL_IV_SIZE];
	uint8_t *aad = NULL, *buf = malloc(pt_len + CG_SEAL_TAG_SIZE);
	char *ivb = NULL, *env = NULL;
	json_object *cmdj = json_object_new_string(command);
	if (!buf || !cmdj || cg_random_bytes(iv, sizeof(iv)) < 0)
		goto out;
	aad = make_aad_label(AAD_LABEL_BODY, command, webview, cg_sealer_epoch(s, webview), seq, &aad_len);
	ivb = cg_b64_encode(iv, sizeof(iv));
	if (!aad || !ivb)
		goto out;
	memcpy(buf, msg, ml);
	buf[ml] = 0;
	if (len)
		memcpy(buf + ml + 1, data, len);
	gcm_seal_ctx(&s->gcm, iv, aad, aad_len, buf, pt_len, buf, buf + pt_len);
	env = cg_strdup_printf("{\"sealed\":2,\"cmd\":%s,\"seq\":%" PRIu64 ",\"iv\":\"%s\"}",
			       json_object_to_json_string_ext(cmdj, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE), seq, ivb);
	if (!env)
		goto out;
	if (fresh) {
		g_hash_table_insert(s->sealed, fresh->label, fresh);
		e = fresh;
		fresh = NULL;
	}
	e->seq = seq;
	*body = buf;
	*body_len = pt_len + CG_SEAL_TAG_SIZE;
	buf = NULL;
out:
	free(fresh);
	free(buf);
	free(aad);
	free(ivb);
	json_object_put(cmdj);
	return env;
}

struct envelope {
	const char *cmd;
	size_t cmd_len;
	uint64_t seq;
	uint8_t iv[BASE64_DECODE_LENGTH(16)];
	uint8_t *ct; /* malloc'd: ciphertext || tag */
	size_t ct_len;
};

static int bad(const char **why, const char *reason, int rc)
{
	*why = reason;
	return rc;
}

/* body: the envelope of a binary call sealed beside its body
 * ({"sealed": 2, "cmd", "seq", "iv"}, no "ct"). */
static int read_envelope(cg_jsondoc *doc, struct envelope *ev, bool body, const char **why)
{
	json_object *root = doc->root, *sealed, *cmd, *seq, *iv, *ct = NULL;
	/* Exactly these five (four) keys: jsondoc has already refused
	 * duplicates, so the count rules out any extra key. */
	if (!json_object_is_type(root, json_type_object) || json_object_object_length(root) != (body ? 4 : 5) ||
	    !json_object_object_get_ex(root, "sealed", &sealed) ||
	    !json_object_object_get_ex(root, "cmd", &cmd) ||
	    !json_object_object_get_ex(root, "seq", &seq) ||
	    !json_object_object_get_ex(root, "iv", &iv) ||
	    (!body && !json_object_object_get_ex(root, "ct", &ct)))
		return bad(why, WHY_ENVELOPE, CG_ESCHEMA);
	/* json-c types 1.0 and 1e0 as doubles, so json_type_int means the
	 * text was an integer literal. */
	if (!json_object_is_type(sealed, json_type_int) || json_object_get_int64(sealed) != (body ? 2 : 1))
		return bad(why, WHY_ENVELOPE, CG_ESCHEMA);
	ev->cmd = plain_string(cmd, &ev->cmd_len);
	if (!ev->cmd || !ev->cmd_len)
		return bad(why, WHY_ENVELOPE, CG_ESCHEMA);
	/* Above INT64_MAX json-c clamps to INT64_MAX, which is > SEQ_MAX. */
	if (!json_object_is_type(seq, json_type_int))
		return bad(why, WHY_ENVELOPE, CG_ESCHEMA);
	int64_t sv = json_object_get_int64(seq);
	if (sv < 1 || (uint64_t)sv > SEQ_MAX)
		return bad(why, WHY_ENVELOPE, CG_ESCHEMA);
	ev->seq = (uint64_t)sv;

	size_t ivl, ctl = 0, dl;
	const char *ivs = plain_string(iv, &ivl), *cts = body ? "" : plain_string(ct, &ctl);
	if (!ivs || !cts)
		return bad(why, WHY_ENVELOPE, CG_ESCHEMA);
	if (!cg_b64_canonical(ivs, ivl, &dl))
		return bad(why, WHY_BASE64, CG_EPARSE);
	/* Only 16 characters decode to 12 bytes; the second test keeps the
	 * fixed-size buffer safe should that reasoning ever change. */
	if (dl != CG_SEAL_IV_SIZE || ivl != 16)
		return bad(why, WHY_ENVELOPE, CG_ESCHEMA);
	if (!cg_b64_decode(ivs, ivl, ev->iv, dl))
		return bad(why, WHY_BASE64, CG_EPARSE);
	if (body)
		return 0;
	if (!cg_b64_canonical(cts, ctl, &dl))
		return bad(why, WHY_BASE64, CG_EPARSE);
	if (dl < CG_SEAL_TAG_SIZE)
		return bad(why, WHY_ENVELOPE, CG_ESCHEMA);
	if (dl > (size_t)CG_SEAL_MAX + CG_SEAL_TAG_SIZE)
		return bad(why, WHY_LARGE, CG_ELIMIT);
	ev->ct = malloc(BASE64_DECODE_LENGTH(ctl));
	if (!ev->ct)
		return bad(why, WHY_NOMEM, CG_ENOMEM);
	if (!cg_b64_decode(cts, ctl, ev->ct, dl))
		return bad(why, WHY_BASE64, CG_EPARSE);
	ev->ct_len = dl;
	return 0;
}

/* cg_sealer_open's check: strict JSON, an object, and a "cmd" whose bytes
 * are the envelope's; then a copy of the plaintext for the caller. */
struct plain_out {
	char *pt;
	size_t len;
};

static int check_plaintext(const char *pt, size_t len, const char *ecmd, size_t ecmd_len,
			   void *user, const char **why)
{
	struct plain_out *po = user;
	/* Depth 4096 is the most CG_RLIMIT_DEPTH can be set to: this check
	 * (tests and fuzzing use it; the router parses with its own limits
	 * instead) must not refuse what some router would accept. */
	cg_json_limits jl = {CG_SEAL_MAX, 4096, true};
	cg_jsondoc *doc = NULL;
	/* No diagnostics: the reason for the log is the static *why, and the
	 * text of a rejected message should not travel further. */
	int rc = cg_jsondoc_load_mem("sealed message", pt, len, &jl, &doc, NULL);
	if (rc < 0) {
		*why = rc == CG_ENOMEM ? WHY_NOMEM : WHY_PLAIN;
		return rc;
	}
	json_object *cmd;
	size_t cl;
	const char *c;
	rc = 0;
	if (!json_object_is_type(doc->root, json_type_object) ||
	    !json_object_object_get_ex(doc->root, "cmd", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		*why = WHY_PLAIN;
		rc = CG_ESCHEMA;
	} else if (!(c = plain_string(cmd, &cl)) || cl != ecmd_len || memcmp(c, ecmd, cl) != 0) {
		/* A "\u0000" inside the plaintext's cmd fails plain_string:
		 * "a\u0000b" must not pass as "a". */
		*why = WHY_CMD;
		rc = CG_EINVAL;
	}
	cg_jsondoc_free(doc);
	if (rc == 0) {
		po->pt = malloc(len + 1);
		if (!po->pt) {
			*why = WHY_NOMEM;
			return CG_ENOMEM;
		}
		memcpy(po->pt, pt, len + 1);
		po->len = len;
	}
	return rc;
}

int cg_sealer_open(cg_sealer *s, const char *webview, const char *envelope, size_t len,
		   char **out, size_t *out_len, const char **why)
{
	struct plain_out po = {NULL, 0};
	if (out)
		*out = NULL;
	if (out_len)
		*out_len = 0;
	if (!out) {
		if (why)
			*why = WHY_ARG;
		return CG_EINVAL;
	}
	int rc = cg_sealer_open_with(s, webview, envelope, len, check_plaintext, &po, why);
	if (rc == 0) {
		*out = po.pt;
		if (out_len)
			*out_len = po.len;
	}
	return rc;
}

int cg_sealer_open_with(cg_sealer *s, const char *webview, const char *envelope, size_t len,
			cg_seal_check_fn check, void *user, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	/* NULL on success, so a caller that logs *why unconditionally never
	 * logs a stale reason. */
	*why = NULL;
	if (!s || !webview || !check) {
		*why = WHY_ARG;
		return CG_EINVAL;
	}
	if (!envelope) {
		*why = WHY_ENVELOPE;
		return CG_EINVAL;
	}
	/* Before parsing: a huge envelope costs one comparison, not a copy
	 * and a parse. */
	if (len > ENVELOPE_MAX) {
		*why = WHY_LARGE;
		return CG_ELIMIT;
	}

	cg_json_limits jl = {ENVELOPE_MAX, 1, false};
	cg_jsondoc *doc = NULL;
	struct envelope ev = {0};
	uint8_t *aad = NULL;
	char *pt = NULL;
	size_t pt_len = 0;
	int rc = cg_jsondoc_load_mem("envelope", envelope, len, &jl, &doc, NULL);
	if (rc < 0) {
		*why = rc == CG_ENOMEM ? WHY_NOMEM : WHY_ENVELOPE;
		goto out;
	}
	if ((rc = read_envelope(doc, &ev, false, why)) < 0)
		goto out;

	size_t aad_len = 0;
	aad = make_aad(ev.cmd, webview, cg_sealer_epoch(s, webview), ev.seq, &aad_len);
	pt_len = ev.ct_len - CG_SEAL_TAG_SIZE;
	pt = malloc(pt_len + 1);
	if (!aad || !pt) {
		*why = WHY_NOMEM;
		rc = CG_ENOMEM;
		goto out;
	}
	if (gcm_open_ctx(&s->gcm, ev.iv, aad, aad_len, ev.ct, pt_len, ev.ct + pt_len,
			 (uint8_t *)pt) < 0) {
		*why = WHY_TAG;
		rc = CG_EINVAL;
		goto out;
	}
	pt[pt_len] = '\0';

	struct seq_entry *e = g_hash_table_lookup(s->accepted, webview), *fresh = NULL;
	if (!seq_fresh(e, ev.seq)) {
		*why = WHY_SEQ;
		rc = CG_ESTATE;
		goto out;
	}
	/* Before the check: once check has said yes, the caller holds what
	 * it read, and nothing may fail after that. */
	if (!e && !(fresh = entry_new(webview))) {
		*why = WHY_NOMEM;
		rc = CG_ENOMEM;
		goto out;
	}
	if ((rc = check(pt, pt_len, ev.cmd, ev.cmd_len, user, why)) < 0) {
		free(fresh);
		if (!*why)
			*why = WHY_PLAIN;
		goto out;
	}
	/* Only now, when everything has passed: a message we refuse leaves
	 * no trace in the table. */
	if (!e) {
		e = fresh;
		g_hash_table_insert(s->accepted, fresh->label, fresh);
	}
	seq_accept(e, ev.seq);
	rc = 0;
out:
	if (pt) {
		explicit_bzero(pt, pt_len + 1);
		free(pt);
	}
	free(aad);
	free(ev.ct);
	cg_jsondoc_free(doc);
	return rc;
}

int cg_sealer_open_body(cg_sealer *s, const char *webview, const char *envelope, size_t len, uint8_t *body,
			size_t body_len, cg_seal_check_fn check, void *user, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	*why = NULL;
	if (!s || !webview || !check || (!body && body_len)) {
		*why = WHY_ARG;
		return CG_EINVAL;
	}
	if (!envelope) {
		*why = WHY_ENVELOPE;
		return CG_EINVAL;
	}
	/* The envelope is a few short fields: anything long is not one. */
	if (len > ENVELOPE_SLACK) {
		*why = WHY_LARGE;
		return CG_ELIMIT;
	}
	if (body_len < CG_SEAL_TAG_SIZE) {
		*why = WHY_ENVELOPE;
		return CG_ESCHEMA;
	}
	if (body_len - CG_SEAL_TAG_SIZE > (size_t)GCM_MAX_LEN) {
		*why = WHY_LARGE;
		return CG_ELIMIT;
	}
	cg_json_limits jl = {ENVELOPE_SLACK, 1, false};
	cg_jsondoc *doc = NULL;
	struct envelope ev = {0};
	uint8_t *aad = NULL;
	size_t pt_len = body_len - CG_SEAL_TAG_SIZE;
	bool opened = false;
	int rc = cg_jsondoc_load_mem("envelope", envelope, len, &jl, &doc, NULL);
	if (rc < 0) {
		*why = rc == CG_ENOMEM ? WHY_NOMEM : WHY_ENVELOPE;
		goto out;
	}
	if ((rc = read_envelope(doc, &ev, true, why)) < 0)
		goto out;
	size_t aad_len = 0;
	aad = make_aad_label(AAD_LABEL_BODY, ev.cmd, webview, cg_sealer_epoch(s, webview), ev.seq, &aad_len);
	if (!aad) {
		*why = WHY_NOMEM;
		rc = CG_ENOMEM;
		goto out;
	}
	/* In place: a 64 MiB body is not copied to be opened. The tag is
	 * read before the bytes before it are overwritten. */
	uint8_t tag[CG_SEAL_TAG_SIZE];
	memcpy(tag, body + pt_len, CG_SEAL_TAG_SIZE);
	opened = true;
	if (gcm_open_ctx(&s->gcm, ev.iv, aad, aad_len, body, pt_len, tag, body) < 0) {
		*why = WHY_TAG;
		rc = CG_EINVAL;
		goto out;
	}
	struct seq_entry *e = g_hash_table_lookup(s->accepted, webview), *fresh = NULL;
	if (!seq_fresh(e, ev.seq)) {
		*why = WHY_SEQ;
		rc = CG_ESTATE;
		goto out;
	}
	if (!e && !(fresh = entry_new(webview))) {
		*why = WHY_NOMEM;
		rc = CG_ENOMEM;
		goto out;
	}
	if ((rc = check((const char *)body, pt_len, ev.cmd, ev.cmd_len, user, why)) < 0) {
		free(fresh);
		if (!*why)
			*why = WHY_PLAIN;
		goto out;
	}
	if (!e) {
		e = fresh;
		g_hash_table_insert(s->accepted, fresh->label, fresh);
	}
	seq_accept(e, ev.seq);
	rc = 0;
out:
	/* What did not open, or was refused, is not left readable. */
	if (rc < 0 && opened)
		explicit_bzero(body, body_len);
	free(aad);
	free(ev.ct);
	cg_jsondoc_free(doc);
	return rc;
}
