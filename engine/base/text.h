/*
 * Text and bytes: the one reader of each encoding the engine meets (UTF-8,
 * base64), the one edit distance behind every "did you mean", and the one
 * source of random bytes.
 */
#ifndef CG_TEXT_H
#define CG_TEXT_H

#include "base/internal.h"

#include <stddef.h>
#include <stdint.h>

/* Length (1-4) of the well-formed UTF-8 sequence at s, reading at most
 * avail bytes, and its code point in *cp; 0 for a malformed, overlong,
 * surrogate or truncated sequence. Strict, like Rust's str. NUL is a
 * character (1); a NUL-terminated string may be read with avail = 4, as a
 * sequence stops at the first byte that is not a continuation byte. */
CG_HIDDEN size_t cg_utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp);

/* Levenshtein distance between a and b, or cap + 1 as soon as it is known
 * to exceed cap (and for strings over 128 bytes). */
CG_HIDDEN size_t cg_edit_distance(const char *a, const char *b, size_t cap);

/* Canonical base64 (RFC 4648 §4, padded, what btoa() makes): only the
 * standard alphabet, a multiple of 4 characters, '=' only as the last one
 * or two, and the bits the padding leaves over all zero, so every byte
 * string has exactly one accepted spelling. True if s[0..n) is canonical;
 * *dlen gets the decoded length. */
CG_HIDDEN bool cg_b64_canonical(const char *s, size_t n, size_t *dlen);
/* Decodes text that cg_b64_canonical accepted into exactly dlen bytes. */
CG_HIDDEN bool cg_b64_decode(const char *s, size_t n, uint8_t *dst, size_t dlen);
/* A malloc'd, NUL-terminated encoding of len bytes; NULL on failure. */
CG_HIDDEN char *cg_b64_encode(const uint8_t *src, size_t len);
/* The encoded length of len bytes (without the NUL). */
#define CG_B64_LEN(len) (((len) + 2) / 3 * 4)

/* len bytes from getrandom(2); 0, or -1 if the kernel gives none. */
CG_HIDDEN int cg_random_bytes(void *buf, size_t len);

#endif
