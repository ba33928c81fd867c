/*
 * Bytes on their way to a page (binary answers, channel messages of
 * bytes) and bytes on their way in (a binary call's body). Answers are
 * immutable and reference-counted, so that a handler's buffer reaches the
 * transport, and through it WebKit, without a copy, from whichever thread
 * answered; the last reference frees them on the thread that drops it.
 */
#include "router/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cg_bytes *cg_bytes_new_take(void *data, size_t len, void (*free_fn)(void *))
{
	cg_bytes *b = malloc(sizeof(*b));
	if (!b) {
		if (free_fn)
			free_fn(data);
		return NULL;
	}
	b->refs = 1;
	b->data = data;
	b->len = len;
	b->owned = data;
	b->free_fn = free_fn;
	return b;
}

cg_bytes *cg_bytes_new_copy(const void *data, size_t len)
{
	/* One allocation: the header and the bytes after it. */
	cg_bytes *b = malloc(sizeof(*b) + (len ? len : 1));
	if (!b)
		return NULL;
	b->refs = 1;
	b->data = b + 1;
	b->len = len;
	b->owned = NULL;
	b->free_fn = NULL;
	if (len)
		memcpy(b + 1, data, len);
	return b;
}

CG_EXPORT const void *cg_bytes_data(const cg_bytes *b, size_t *len)
{
	if (len)
		*len = b ? b->len : 0;
	return b ? b->data : NULL;
}

CG_EXPORT cg_bytes *cg_bytes_ref(cg_bytes *b)
{
	if (b)
		__atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
	return b;
}

CG_EXPORT void cg_bytes_unref(cg_bytes *b)
{
	if (!b || __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (b->free_fn)
		b->free_fn(b->owned);
	free(b);
}

char *cg_bytes_json(const cg_bytes *b, size_t *len)
{
	/* At most "255," per byte, the brackets and the NUL. */
	if (b->len > (SIZE_MAX - 3) / 4)
		return NULL;
	char *s = malloc(b->len * 4 + 3), *o = s;
	if (!s)
		return NULL;
	const unsigned char *d = b->data;
	*o++ = '[';
	for (size_t i = 0; i < b->len; i++) {
		unsigned v = d[i];
		if (i)
			*o++ = ',';
		if (v >= 100)
			*o++ = (char)('0' + v / 100);
		if (v >= 10)
			*o++ = (char)('0' + v / 10 % 10);
		*o++ = (char)('0' + v % 10);
	}
	*o++ = ']';
	*o = '\0';
	*len = (size_t)(o - s);
	return s;
}

void cg_body_free(cg_body *b)
{
	if (b->free_fn && b->base)
		b->free_fn(b->base);
	memset(b, 0, sizeof(*b));
}
