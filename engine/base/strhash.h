/*
 * The one hash of strings for every table keyed by text from input files
 * or from pages: SipHash-2-4 under a key drawn once per process from
 * getrandom(2), so that nobody who writes the keys can make them collide
 * (g_str_hash is djb2: "Ez" and "FY" collide, and so does every string
 * made of such blocks, which turned loading quadratic).
 */
#ifndef CG_STRHASH_H
#define CG_STRHASH_H

#include "base/internal.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of len bytes under a 16-byte key (exposed for the tests,
 * which check it against the reference vectors). */
CG_HIDDEN uint64_t cg_siphash24(const uint8_t key[16], const void *data, size_t len);
/* The keyed hash of len bytes under the process's key. */
CG_HIDDEN uint64_t cg_hash_bytes(const void *data, size_t len);
/* A GHashFunc over NUL-terminated strings, under the process's key. */
CG_HIDDEN guint cg_str_hash(gconstpointer s);
/* g_hash_table_new_full(cg_str_hash, g_str_equal, key_free, value_free):
 * every string-keyed table of the engine is made by this. */
CG_HIDDEN GHashTable *cg_str_table_new(GDestroyNotify key_free, GDestroyNotify value_free);

#endif
