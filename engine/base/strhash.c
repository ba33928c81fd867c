/*
 * Keyed string hashing (base/strhash.h). SipHash-2-4 (Aumasson and
 * Bernstein, "SipHash: a fast short-input PRF", 2012): nettle, the crypto
 * library capgate uses, has none in the versions we support (3.6 up), and
 * GLib's string hash takes no key. The function is checked against the
 * paper's reference vectors (tests/test_soundness.c).
 */
#include "base/strhash.h"
#include "base/text.h"

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define SIPROUND                                                            \
	do {                                                                \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);   \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                      \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                      \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);   \
	} while (0)

uint64_t cg_siphash24(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	size_t full = len - len % 8;
	for (size_t i = 0; i < full; i += 8) {
		uint64_t m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	uint64_t b = (uint64_t)len << 56;
	for (size_t i = 0; i < len % 8; i++)
		b |= (uint64_t)in[full + i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static uint8_t process_key[16];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void make_key(void)
{
	if (cg_random_bytes(process_key, sizeof(process_key)) == 0)
		return;
	/* No getrandom(2) (a seccomp shim, an old kernel): a key nobody can
	 * read from the files is still better than none. */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t a = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)getpid() << 17;
	uint64_t b = (uint64_t)(uintptr_t)&ts ^ (uint64_t)(uintptr_t)process_key;
	memcpy(process_key, &a, 8);
	memcpy(process_key + 8, &b, 8);
}

uint64_t cg_hash_bytes(const void *data, size_t len)
{
	pthread_once(&key_once, make_key);
	return cg_siphash24(process_key, data, len);
}

guint cg_str_hash(gconstpointer s)
{
	const char *str = s;
	uint64_t h = cg_hash_bytes(str, strlen(str));
	return (guint)(h ^ (h >> 32));
}

GHashTable *cg_str_table_new(GDestroyNotify key_free, GDestroyNotify value_free)
{
	return g_hash_table_new_full(cg_str_hash, g_str_equal, key_free, value_free);
}
