/*
 * Sealed IPC messages for the isolation pattern (issue 6).
 *
 * The isolation iframe seals every message it lets through with
 * AES-256-GCM (WebCrypto) under a key made at each launch; the core opens
 * it here (nettle). The associated data binds the command, the webview and
 * a per-webview sequence number, so a ciphertext can be neither replayed
 * nor moved to another command or window:
 *
 *   aad = "capgate-seal-v1" 0x00 command 0x00 webview 0x00 epoch 0x00 seq
 *
 * (numbers in decimal). Sequences start at 1 (at most 2^53); the epoch
 * starts at 0 and rises at each cg_sealer_reset (a reload), so envelopes
 * recorded before a reload never open after it.
 *
 * Envelope (JSON, what the page forwards to the core):
 *   {"sealed": 1, "cmd": COMMAND, "seq": N, "iv": B64(12 bytes),
 *    "ct": B64(ciphertext || 16-byte tag)}
 * The plaintext is the whole IPC message as JSON (cmd, callback ids,
 * options, payload); its "cmd" must equal the envelope's.
 */
#ifndef CG_SEAL_H
#define CG_SEAL_H

#include "base/internal.h"

#include <stddef.h>
#include <stdint.h>

#define CG_SEAL_KEY_SIZE 32
#define CG_SEAL_IV_SIZE 12
#define CG_SEAL_TAG_SIZE 16

/* Raw AES-256-GCM (96-bit IV, 128-bit tag). out has room for len bytes
 * (+ the tag for encrypt); decrypt returns CG_EINVAL when the tag does not
 * verify, writing nothing useful to out then. */
CG_HIDDEN int cg_gcm_encrypt(const uint8_t key[CG_SEAL_KEY_SIZE], const uint8_t iv[CG_SEAL_IV_SIZE],
			     const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
			     uint8_t *out, uint8_t tag[CG_SEAL_TAG_SIZE]);
CG_HIDDEN int cg_gcm_decrypt(const uint8_t key[CG_SEAL_KEY_SIZE], const uint8_t iv[CG_SEAL_IV_SIZE],
			     const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
			     const uint8_t tag[CG_SEAL_TAG_SIZE], uint8_t *out);

/* A launch's key and, per webview, the last sequence number accepted. */
typedef struct cg_sealer cg_sealer;

/* A new key from getrandom(2); NULL on failure. */
CG_HIDDEN cg_sealer *cg_sealer_new(void);
/* With a given key (tests, benchmarks). */
CG_HIDDEN cg_sealer *cg_sealer_new_with_key(const uint8_t key[CG_SEAL_KEY_SIZE]);
/* Wipes the key. NULL is allowed. */
CG_HIDDEN void cg_sealer_free(cg_sealer *s);
CG_HIDDEN const uint8_t *cg_sealer_key(const cg_sealer *s);

/* Seals msg (JSON text of an IPC message whose "cmd" is command) for
 * webview with the next sequence number: a malloc'd envelope. What the
 * iframe does in JS; here for tests and benchmarks. */
CG_HIDDEN char *cg_sealer_seal(cg_sealer *s, const char *webview, const char *command,
			       const char *msg, size_t len);
/* Seals a binary call as the iframe does (cg_sealer_open_body opens it):
 * msg the message without a payload, data[0..len) its bytes. Returns the
 * envelope {"sealed": 2, ...} (malloc'd) and in *body (malloc'd) and
 * *body_len the ciphertext of msg, a NUL and the bytes, then the tag. For
 * tests and benchmarks. */
CG_HIDDEN char *cg_sealer_seal_body(cg_sealer *s, const char *webview, const char *command, const char *msg,
				    const void *data, size_t len, uint8_t **body, size_t *body_len);
/* Opens an envelope that arrived from webview: checks its shape, the tag
 * under the bound data, that the plaintext's "cmd" is the envelope's and
 * that seq was not accepted before for webview and is not REPLAY_WINDOW
 * (64) or more below the highest accepted (seal.c). On success
 * returns 0 and a malloc'd plaintext (NUL-terminated) in *out; otherwise a
 * negative CG_E* and *why, a static reason for the log (NULL on success). */
CG_HIDDEN int cg_sealer_open(cg_sealer *s, const char *webview, const char *envelope, size_t len,
			     char **out, size_t *out_len, const char **why);
/* Reads an authentic plaintext (pt[len] is NUL): 0 accepts it; a negative
 * CG_E* refuses it, with *why a static reason or left NULL. It must check
 * that the message's own "cmd" is cmd (cmd_len bytes, no NUL), and it
 * must copy whatever it keeps: pt is wiped when it returns. */
typedef int (*cg_seal_check_fn)(const char *pt, size_t len, const char *cmd, size_t cmd_len,
				void *user, const char **why);
/* cg_sealer_open with the caller's own reading of the plaintext, so that
 * it is parsed once: the sequence is accepted only when check accepts. */
CG_HIDDEN int cg_sealer_open_with(cg_sealer *s, const char *webview, const char *envelope,
				  size_t len, cg_seal_check_fn check, void *user, const char **why);
/* A binary call sealed beside its body: envelope {"sealed": 2, "cmd",
 * "seq", "iv"} and body the ciphertext and tag, under the AAD labelled
 * "capgate-seal-bin-v1". The body is opened in place (body[0..body_len
 * - 16) becomes the plaintext) and check is called on it, not
 * NUL-terminated; as cg_sealer_open_with otherwise. On failure the body
 * is wiped once it has been touched. */
CG_HIDDEN int cg_sealer_open_body(cg_sealer *s, const char *webview, const char *envelope, size_t len,
				  uint8_t *body, size_t body_len, cg_seal_check_fn check, void *user,
				  const char **why);
/* Forgets a webview's sequence and moves it to a new epoch (it reloaded:
 * its new iframe starts over, told the epoch with the key). */
CG_HIDDEN void cg_sealer_reset(cg_sealer *s, const char *webview);
CG_HIDDEN uint64_t cg_sealer_epoch(const cg_sealer *s, const char *webview);

#endif
