/*
 * The engine's one reader of each encoding (UTF-8, base64), its one edit
 * distance and its one source of random bytes (base/text.h).
 */
#include "base/text.h"

#include <errno.h>
#include <nettle/base64.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

size_t cg_utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
	size_t n;
	uint32_t v, min;

	if (avail == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, v = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, v = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, v = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		/* Stops at the end of avail, and at a NUL, which is not a
		 * continuation byte. */
		if (i >= avail || (s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

size_t cg_edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 128 || lb > 128)
		return cap + 1;
	size_t row[129];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best;
		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = diag + cost;
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

/* The standard alphabet's value of each byte, plus one; 0 for a byte
 * outside it. A table, because this runs over every character of every
 * envelope and a chain of range tests cost more than the decryption. */
static const uint8_t B64[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 63,  0,  0,  0, 64,
	53, 54, 55, 56, 57, 58, 59, 60, 61, 62,  0,  0,  0,  0,  0,  0,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,  0,  0,  0,  0,  0,
	 0, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
	42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
};

static int b64_value(unsigned char c)
{
	return (int)B64[c] - 1;
}

bool cg_b64_canonical(const char *s, size_t n, size_t *dlen)
{
	if (n % 4)
		return false;
	size_t pad = 0;
	if (n && s[n - 1] == '=')
		pad = (n >= 2 && s[n - 2] == '=') ? 2 : 1;
	/* Test once after the loop: it then has no branch to mispredict,
	 * and one byte outside the alphabet clears the flag for good. */
	uint8_t all = 1;
	for (size_t i = 0; i < n - pad; i++)
		all = (uint8_t)(all & (B64[(unsigned char)s[i]] ? 1 : 0));
	if (!all)
		return false;
	/* "====" or "A===" would mean a group with fewer than two data
	 * characters; pad <= 2 already rules them out. */
	if (pad == 1 && (b64_value((unsigned char)s[n - 2]) & 0x03))
		return false;
	if (pad == 2 && (b64_value((unsigned char)s[n - 3]) & 0x0f))
		return false;
	*dlen = n / 4 * 3 - pad;
	return true;
}

/* Decodes text already found canonical (cg_b64_canonical: n a multiple of
 * 4, the alphabet only, '=' only as padding) into dlen bytes at dst.
 * Four characters at a time through the table: nettle's decoder goes a
 * character at a time through its state machine, which cost more than
 * the AES-GCM it feeds. '=' is outside the table; it only ever stands
 * for zero bits that the canonical check has verified. */
bool cg_b64_decode(const char *s, size_t n, uint8_t *dst, size_t dlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, i = 0;
	/* Every group but the last has no '='. */
	for (; n >= 4 && i < n - 4 && dlen - o >= 3; i += 4, o += 3) {
		uint32_t v = (uint32_t)(B64[u[i]] - 1) << 18 | (uint32_t)(B64[u[i + 1]] - 1) << 12 |
			     (uint32_t)(B64[u[i + 2]] - 1) << 6 | (uint32_t)(B64[u[i + 3]] - 1);
		dst[o] = (uint8_t)(v >> 16);
		dst[o + 1] = (uint8_t)(v >> 8);
		dst[o + 2] = (uint8_t)v;
	}
	for (; i < n; i += 4) {
		uint32_t v = 0;
		for (int k = 0; k < 4; k++)
			v = v << 6 | (uint32_t)(u[i + k] == '=' ? 0 : B64[u[i + k]] - 1);
		for (int k = 2; k >= 0; k--, v <<= 8)
			if (o < dlen)
				dst[o++] = (uint8_t)(v >> 16);
	}
	return o == dlen;
}

char *cg_b64_encode(const uint8_t *src, size_t len)
{
	size_t n = BASE64_ENCODE_RAW_LENGTH(len);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	base64_encode_raw(out, len, src);
	out[n] = '\0';
	return out;
}

/* getrandom(2) may return fewer bytes than asked (a signal, or more than
 * 256 bytes before the pool is ready), so loop until all are there. */
int cg_random_bytes(void *out, size_t len)
{
	uint8_t *buf = out;
	while (len) {
		ssize_t n = getrandom(buf, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* 0 cannot happen for len > 0; treat it as failure rather
		 * than spin forever if a broken kernel or seccomp shim
		 * returns it. */
		if (n == 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

CG_EXPORT int cg_random(void *buf, size_t len)
{
	if (!buf && len)
		return CG_EINVAL;
	return cg_random_bytes(buf, len) < 0 ? CG_EIO : 0;
}
