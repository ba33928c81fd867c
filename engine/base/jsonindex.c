/*
 * The position index of a document, built on first use (a diagnostic):
 * every value's line and column, and the JSON pointer of any offset.
 */
#include "base/jsonscan.h"
#include "base/strhash.h"

#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* -------------------------------------------------------- the index */

void cgj_index_free(struct jindex *ix)
{
	if (!ix)
		return;
	free(ix->nodes);
	free(ix->kids);
	free(ix->arena);
	free(ix->hash);
	free(ix->dups);
	free(ix);
}

const char *cgj_node_key(const struct jindex *ix, const char *text,
			    const struct jnode *nd)
{
	return nd->key_in_arena ? ix->arena + nd->key : text + nd->key;
}

/* ------------------------------------------------------- index build */

/* Keyed (base/strhash.h): the keys are the document's, and a text whose
 * keys all collide would make the duplicate check that every load runs
 * quadratic. */
static uint32_t key_hash(uint32_t parent, const char *k, size_t n)
{
	uint64_t h = cg_hash_bytes(k, n) ^ ((uint64_t)parent * 0x9E3779B97F4A7C15u);
	return (uint32_t)(h ^ (h >> 32));
}

/* The member of object node parent named k, or NO_NODE. */
static uint32_t hash_find(const struct jindex *ix, const char *text,
			  uint32_t parent, const char *k, size_t n)
{
	size_t h = key_hash(parent, k, n) & ix->hash_mask;
	while (ix->hash[h]) {
		const struct jnode *nd = &ix->nodes[ix->hash[h] - 1];
		if (nd->parent == parent && nd->key_len == n &&
		    !memcmp(cgj_node_key(ix, text, nd), k, n))
			return ix->hash[h] - 1;
		h = (h + 1) & ix->hash_mask;
	}
	return NO_NODE;
}

static bool index_finish(struct jindex *ix, const char *text)
{
	size_t members = 0;
	uint32_t next = 0;
	/* Children are grouped per container (kid0, nkids) so an array
	 * element is found by its index in O(1). */
	for (size_t i = 0; i < ix->n; i++) {
		ix->nodes[i].kid0 = next;
		next += ix->nodes[i].nkids;
		ix->nodes[i].nkids = 0;
	}
	ix->kids = malloc((ix->n ? ix->n : 1) * sizeof(uint32_t));
	if (!ix->kids)
		return false;
	for (size_t i = 1; i < ix->n; i++) {
		struct jnode *p = &ix->nodes[ix->nodes[i].parent];
		ix->kids[p->kid0 + p->nkids++] = (uint32_t)i;
		if (p->type == '{')
			members++;
	}
	size_t size = 16;
	while (size < members * 2)
		size *= 2;
	ix->hash = calloc(size, sizeof(uint32_t));
	if (!ix->hash)
		return false;
	ix->hash_mask = size - 1;
	/* Members are hashed in document order, so an equal key found in
	 * the table is an earlier occurrence: a duplicate. */
	for (size_t i = 1; i < ix->n; i++) {
		struct jnode *nd = &ix->nodes[i];
		if (ix->nodes[nd->parent].type != '{')
			continue;
		const char *k = cgj_node_key(ix, text, nd);
		uint32_t first = hash_find(ix, text, nd->parent, k, nd->key_len);
		if (first != NO_NODE) {
			if (ix->ndups + 2 > ix->dups_cap) {
				size_t cap = ix->dups_cap ? ix->dups_cap * 2 : 16;
				uint32_t *nv = realloc(ix->dups, cap * sizeof(*nv));
				if (!nv)
					return false;
				ix->dups = nv;
				ix->dups_cap = cap;
			}
			ix->dups[ix->ndups++] = (uint32_t)i;
			ix->dups[ix->ndups++] = first;
			continue;
		}
		size_t h = key_hash(nd->parent, k, nd->key_len) & ix->hash_mask;
		while (ix->hash[h])
			h = (h + 1) & ix->hash_mask;
		ix->hash[h] = (uint32_t)i + 1;
	}
	return true;
}

/* Builds the position index of a text known to be valid JSON. NULL if
 * memory runs out (or, defensively, if the text does not scan). */
struct jindex *cgj_index_build(const char *text, size_t len)
{
	struct jindex *ix = calloc(1, sizeof(*ix));
	struct scanner sc;
	if (!ix)
		return NULL;
	/* The text was accepted under its own limits; the index must not
	 * refuse it for what they allowed (\u0000 in IPC values). */
	cgj_scanner_init(&sc, text, len, false, INT_MAX, ix);
	sc.nul_ok = true;
	enum scan_result r = cgj_scan(&sc);
	cgj_scanner_fini(&sc);
	if (r != SCAN_OK || ix->n == 0 || !index_finish(ix, text)) {
		cgj_index_free(ix);
		return NULL;
	}
	return ix;
}

/* The pointer of a node, from its ancestors (iterative). */
char *cgj_node_pointer(const struct jindex *ix, const char *text,
			  uint32_t node)
{
	struct sbuf b = {0};
	size_t depth = 0;
	for (uint32_t k = node; ix->nodes[k].parent != NO_NODE;
	     k = ix->nodes[k].parent)
		depth++;
	uint32_t *path = malloc((depth ? depth : 1) * sizeof(*path));
	if (!path)
		return NULL;
	size_t n = depth;
	for (uint32_t k = node; ix->nodes[k].parent != NO_NODE;
	     k = ix->nodes[k].parent)
		path[--n] = k;
	for (size_t i = 0; i < depth; i++) {
		const struct jnode *nd = &ix->nodes[path[i]];
		if (ix->nodes[nd->parent].type == '[')
			cgj_sb_index(&b, nd->key);
		else
			cgj_sb_token(&b, cgj_node_key(ix, text, nd), nd->key_len);
	}
	free(path);
	return cgj_sb_finish(&b);
}

/* ------------------------------------------------------------ locating */

/* The child of node named by a decoded pointer token, or NO_NODE. */
static uint32_t child(const struct jindex *ix, const char *text, uint32_t node,
		      const char *tok, size_t n)
{
	const struct jnode *nd = &ix->nodes[node];
	if (nd->type == '{')
		return hash_find(ix, text, node, tok, n);
	if (nd->type != '[')
		return NO_NODE;
	/* RFC 6901 array index: "0" or digits without a leading zero; "-"
	 * (past the end) names nothing that exists. */
	if (n == 0 || n > 10 || (tok[0] == '0' && n > 1))
		return NO_NODE;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)tok[i]))
			return NO_NODE;
		v = v * 10 + (uint64_t)(tok[i] - '0');
	}
	if (v >= nd->nkids)
		return NO_NODE;
	return ix->kids[nd->kid0 + v];
}

bool cg_jsondoc_locate(const cg_jsondoc *doc, const char *pointer,
		       unsigned *line, unsigned *col)
{
	return cg_jsondoc_find(doc, pointer, line, col) > 0;
}

int cg_jsondoc_find(const cg_jsondoc *doc, const char *pointer,
		    unsigned *line, unsigned *col)
{
	if (!doc || !doc->text || !pointer || (*pointer && *pointer != '/'))
		return 0;
	struct jindex *ix = doc->priv;
	if (!ix) {
		/* Lazy: most documents load cleanly and are never asked
		 * where a value is. A document is used by one thread at a
		 * time, so this needs no lock. */
		ix = cgj_index_build(doc->text, doc->len);
		if (!ix)
			return CG_ENOMEM; /* the text is valid JSON */
		((cg_jsondoc *)doc)->priv = ix;
	}
	size_t plen = strlen(pointer);
	char small[256];
	char *tok = plen < sizeof small ? small : malloc(plen + 1);
	if (!tok)
		return CG_ENOMEM;
	uint32_t node = 0;
	const char *p = pointer;
	bool found = true;
	while (*p == '/') {
		p++;
		size_t n = 0;
		while (*p && *p != '/') {
			if (*p == '~') {
				if (p[1] != '0' && p[1] != '1') {
					found = false;
					break;
				}
				tok[n++] = p[1] == '0' ? '~' : '/';
				p += 2;
			} else {
				tok[n++] = *p++;
			}
		}
		if (!found)
			break;
		node = child(ix, doc->text, node, tok, n);
		if (node == NO_NODE) {
			found = false;
			break;
		}
	}
	if (tok != small)
		free(tok);
	if (!found)
		return 0;
	if (line)
		*line = ix->nodes[node].line;
	if (col)
		*col = ix->nodes[node].col;
	return 1;
}

/* ------------------------------------------------------------ pointers */

char *cg_pointer_join(const char *base, const char *token)
{
	struct sbuf b = {0};
	if (!token)
		return NULL;
	cgj_sb_add(&b, base ? base : "", base ? strlen(base) : 0);
	cgj_sb_token(&b, token, strlen(token));
	return cgj_sb_finish(&b);
}

char *cg_pointer_join_index(const char *base, size_t index)
{
	struct sbuf b = {0};
	cgj_sb_add(&b, base ? base : "", base ? strlen(base) : 0);
	cgj_sb_index(&b, index);
	return cgj_sb_finish(&b);
}

