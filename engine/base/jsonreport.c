/*
 * Error reports of the JSON reader: what is wrong, where (file, line,
 * column, pointer) and how to fix it.
 */
#include "base/jsonscan.h"

#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ loading */

int cgj_report_at(cg_diag *d, const char *name, const char *text,
		     size_t off, int code, const char *pointer,
		     const char *hint, const char *fmt, ...) CG_PRINTF(8, 9);

/* Adds an error at byte offset off of text; returns code. */
int cgj_report_at(cg_diag *d, const char *name, const char *text,
		     size_t off, int code, const char *pointer,
		     const char *hint, const char *fmt, ...)
{
	unsigned line, col;
	va_list ap;
	char *msg = NULL;
	cgj_linecol(text, off, &line, &col);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	cg_diag_add(d, CG_SEV_ERROR, code, name, line, col, pointer, hint,
		    "%s", msg ? msg : "(message lost: out of memory)");
	free(msg);
	return code;
}

int cgj_nomem(cg_diag *d, const char *name)
{
	cg_diag_add(d, CG_SEV_ERROR, CG_ENOMEM, name, 0, 0, NULL, NULL,
		    "out of memory");
	return CG_ENOMEM;
}


int cgj_too_big(cg_diag *d, const char *name, uintmax_t size, size_t max,
		   bool exact)
{
	char lim[64];
	if (max % ((size_t)1 << 20) == 0)
		snprintf(lim, sizeof lim, "%zu MiB (%zu bytes)", max >> 20, max);
	else
		snprintf(lim, sizeof lim, "%zu bytes", max);
	char *hint = cg_strdup_printf(
		"the limit is %s; split the file, or raise CG_LIMIT_FILE_SIZE "
		"with cg_builder_set_limit()", lim);
	if (exact)
		cg_diag_add(d, CG_SEV_ERROR, CG_ELIMIT, name, 0, 0, NULL, hint,
			    "file too large: %ju bytes, more than the limit of %s",
			    size, lim);
	else
		cg_diag_add(d, CG_SEV_ERROR, CG_ELIMIT, name, 0, 0, NULL, hint,
			    "file too large: more than the limit of %s", lim);
	free(hint);
	return CG_ELIMIT;
}

int cgj_report_encoding(cg_diag *d, const char *name, const char *text,
			   size_t len, size_t off, int max_depth,
			   const char *hint, const char *fmt, ...)
	CG_PRINTF(8, 9);

/* An encoding error at off, with the pointer of the value it is in. */
int cgj_report_encoding(cg_diag *d, const char *name, const char *text,
			   size_t len, size_t off, int max_depth,
			   const char *hint, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char *ptr = cgj_prefix_pointer(text, len, off, max_depth);
	cgj_report_at(d, name, text, off, CG_EPARSE, ptr, hint, "%s", msg);
	free(ptr);
	return CG_EPARSE;
}

/* Checks that come before json-c: BOM, emptiness, encoding. */
int cgj_precheck(cg_diag *d, const char *name, const char *text, size_t len,
		    int max_depth)
{
	const unsigned char *s = (const unsigned char *)text;
	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		return cgj_report_at(d, name, text, 0, CG_EPARSE, NULL,
				 "save the file as UTF-8 without a byte order mark",
				 "the file starts with a UTF-8 byte order mark (BOM)");
	if (len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) ||
			 (s[0] == 0xFE && s[1] == 0xFF)))
		return cgj_report_at(d, name, text, 0, CG_EPARSE, NULL,
				 "save the file as UTF-8 without a byte order mark",
				 "the file is UTF-16 (it starts with a UTF-16 byte "
				 "order mark); capgate reads UTF-8");
	size_t i = 0;
	while (i < len && is_ws(s[i]))
		i++;
	if (i == len)
		return cgj_report_at(d, name, text, 0, CG_EPARSE, NULL,
				 "a capability file holds a JSON object or array",
				 len ? "file is empty (only whitespace)"
				     : "file is empty");

	/* A strict validator (RFC 3629): json-c 0.16's VALIDATE_UTF8 only
	 * checks the shape of sequences and lets overlong forms,
	 * surrogates and code points above U+10FFFF through. */
	i = 0;
	while (i < len) {
		/* Eight bytes at a time while they are all ASCII and none is NUL:
		 * the common case, checked with two word operations. */
		while (len - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080u) || ((w - 0x0101010101010101u) & ~w & 0x8080808080808080u))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		unsigned char c = s[i];
		if (c >= 0x01 && c < 0x80) {
			i++;
			continue;
		}
		if (c == 0)
			return cgj_report_encoding(d, name, text, len, i, max_depth,
					 "JSON text cannot contain NUL bytes; if the "
					 "file is UTF-16, save it as UTF-8",
					 "NUL byte (0x00) in the file");
		size_t need;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c == 0xE0)
			need = 2, lo = 0xA0;
		else if (c == 0xED)
			need = 2, hi = 0x9F;
		else if (c >= 0xE1 && c <= 0xEF)
			need = 2;
		else if (c == 0xF0)
			need = 3, lo = 0x90;
		else if (c == 0xF4)
			need = 3, hi = 0x8F;
		else if (c >= 0xF1 && c <= 0xF3)
			need = 3;
		else if (c >= 0x80 && c <= 0xBF)
			return cgj_report_encoding(d, name, text, len, i, max_depth,
					 HINT_ENCODING,
					 "invalid UTF-8: unexpected continuation "
					 "byte 0x%02X", c);
		else if (c == 0xC0 || c == 0xC1)
			return cgj_report_encoding(d, name, text, len, i, max_depth,
					 HINT_ENCODING,
					 "invalid UTF-8: overlong encoding (byte "
					 "0x%02X)", c);
		else
			return cgj_report_encoding(d, name, text, len, i, max_depth,
					 HINT_ENCODING,
					 "invalid UTF-8: byte 0x%02X never appears "
					 "in UTF-8", c);
		for (size_t k = 1; k <= need; k++) {
			if (i + k >= len)
				return cgj_report_encoding(d, name, text, len, i, max_depth,
						 HINT_ENCODING,
						 "invalid UTF-8: sequence cut short by "
						 "the end of the file (byte 0x%02X "
						 "needs %zu continuation bytes)",
						 c, need);
			unsigned char cc = s[i + k];
			unsigned char l = k == 1 ? lo : 0x80;
			unsigned char h = k == 1 ? hi : 0xBF;
			if (cc >= l && cc <= h)
				continue;
			if (k == 1 && cc >= 0x80 && cc <= 0xBF) {
				const char *why = c == 0xED
					? "a UTF-16 surrogate encoded in UTF-8"
					: c == 0xF4 ? "a code point above U+10FFFF"
						    : "overlong encoding";
				return cgj_report_encoding(d, name, text, len, i, max_depth,
						 HINT_ENCODING,
						 "invalid UTF-8: %s (bytes 0x%02X "
						 "0x%02X)", why, c, cc);
			}
			return cgj_report_encoding(d, name, text, len, i, max_depth,
					 HINT_ENCODING,
					 "invalid UTF-8: sequence cut short (byte "
					 "0x%02X needs %zu continuation bytes, "
					 "found 0x%02X)", c, need, cc);
		}
		i += need + 1;
	}
	return 0;
}

struct posreq {
	size_t off;
	unsigned *line, *col;
};

static int posreq_cmp(const void *a, const void *b)
{
	const struct posreq *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* json-c kept fewer members than the text has: find and report every
 * repeated key, at its second occurrence. */
int cgj_report_duplicates(cg_diag *d, const char *name, const char *text,
			     size_t len)
{
	struct jindex *ix = cgj_index_build(text, len);
	if (!ix)
		return cgj_nomem(d, name);
	size_t nd = ix->ndups / 2;
	if (nd == 0) {
		/* Cannot happen (keys with \u0000 are rejected earlier);
		 * still never accept a document json-c altered. */
		cgj_index_free(ix);
		return cgj_report_at(d, name, text, 0, CG_EDUPLICATE, "",
				 "make every key in an object unique",
				 "json-c dropped object members; the document has "
				 "repeated keys");
	}
	unsigned *pos = malloc(nd * 4 * sizeof(unsigned));
	struct posreq *rq = malloc(nd * 2 * sizeof(*rq));
	if (!pos || !rq) {
		free(pos);
		free(rq);
		cgj_index_free(ix);
		return cgj_nomem(d, name);
	}
	/* Positions of all the keys, in one forward pass. */
	for (size_t i = 0; i < nd * 2; i++) {
		rq[i].off = ix->nodes[ix->dups[i]].key_quote;
		rq[i].line = &pos[2 * i];
		rq[i].col = &pos[2 * i + 1];
	}
	qsort(rq, nd * 2, sizeof(*rq), posreq_cmp);
	struct cursor cu;
	cgj_cursor_init(&cu);
	for (size_t i = 0; i < nd * 2; i++) {
		cgj_cursor_to(&cu, text, rq[i].off);
		*rq[i].line = cu.line;
		*rq[i].col = cu.col;
	}
	for (size_t i = 0; i < nd; i++) {
		const struct jnode *dup = &ix->nodes[ix->dups[2 * i]];
		char *ptr = cgj_node_pointer(ix, text, ix->dups[2 * i]);
		/* The key as written in the file (escapes kept, control
		 * characters therefore never raw), clipped for the message. */
		const char *raw = text + dup->key_quote + 1;
		size_t raw_len = 0;
		while (raw[raw_len] != '"') {
			if (raw[raw_len] == '\\')
				raw_len++;
			raw_len++;
		}
		cg_diag_add(d, CG_SEV_ERROR, CG_EDUPLICATE, name, pos[4 * i],
			    pos[4 * i + 1], ptr,
			    "remove or rename one of them; json-c would keep only "
			    "the last value and serde_json (Tauri) rejects "
			    "repeated fields",
			    "duplicate key \"%.*s\" (first at line %u, column %u)",
			    cgj_clip(raw, raw_len, 80), raw, pos[4 * i + 2],
			    pos[4 * i + 3]);
		free(ptr);
	}
	free(pos);
	free(rq);
	cgj_index_free(ix);
	return CG_EDUPLICATE;
}

/* --------------------------------------------------------- diagnostics */

static void vreport(cg_diag *d, cg_severity sev, const cg_jsondoc *doc,
		    int code, const char *pointer, const char *hint,
		    const char *fmt, va_list ap) CG_PRINTF(7, 0);

static void vreport(cg_diag *d, cg_severity sev, const cg_jsondoc *doc,
		    int code, const char *pointer, const char *hint,
		    const char *fmt, va_list ap)
{
	unsigned line = 0, col = 0;
	char *msg = NULL;
	if (!d)
		return;
	/* 0:0 means "position unknown" to cg_diag_format: better than a
	 * made-up 1:1 when the pointer names nothing. */
	if (doc && pointer && !cg_jsondoc_locate(doc, pointer, &line, &col))
		line = col = 0;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	cg_diag_add(d, sev, code, doc ? doc->name : NULL, line, col, pointer,
		    hint, "%s", msg ? msg : "(message lost: out of memory)");
	free(msg);
}

void cg_jsondoc_error(cg_diag *d, const cg_jsondoc *doc, int code,
		      const char *pointer, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(d, CG_SEV_ERROR, doc, code, pointer, hint, fmt, ap);
	va_end(ap);
}

void cg_jsondoc_warning(cg_diag *d, const cg_jsondoc *doc, int code,
			const char *pointer, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(d, CG_SEV_WARNING, doc, code, pointer, hint, fmt, ap);
	va_end(ap);
}

