/*
 * The JSON reader's internals, shared by its files:
 *   jsonscan.c    the scanner: one pass that checks the grammar and builds
 *                 the json-c tree; text helpers; the string builder
 *   jsonindex.c   the position index (offset -> line:column, JSON pointers)
 *   jsonreport.c  error reports: encoding, sizes, duplicate keys
 *   jsondoc.c     loading files and memory; the public cg_json_file_*
 */
#ifndef CG_JSONSCAN_H
#define CG_JSONSCAN_H

#include "base/jsondoc.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define DEFAULT_MAX_SIZE ((size_t)16 << 20)
#define DEFAULT_MAX_DEPTH 64
/* json-c frees and serialises trees recursively, so a very deep document
 * that we accepted could still exhaust the stack inside json-c; no
 * capability file needs anywhere near this many levels. */
#define DEPTH_CAP 4096
/* Offsets are kept in 32 bits (the index) and json-c takes int lengths. */
#define SIZE_CAP ((size_t)INT_MAX - 1)
#define NO_NODE UINT32_MAX

extern const char HINT_STRICT[];
extern const char HINT_QUOTES[];
extern const char HINT_ENCODING[];
extern const char HINT_VALUE[];
extern const char HINT_ESCAPE[];
extern const char HINT_NUMBER[];
extern const char HINT_CLOSE[];

static inline bool is_ws(unsigned char c)
{
	/* Only RFC 8259 whitespace: json-c's isspace() would also take \v, \f. */
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static inline int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s (n bytes available); -1 if not. */
static inline long hex4(const char *s, size_t n)
{
	long v = 0;
	if (n < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		int h = hexval((unsigned char)s[k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

struct cursor {
	size_t off;
	unsigned line, col;
};

struct sbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

/* One value of the document, in document order; node 0 is the root. */
struct jnode {
	uint32_t off, line, col; /* where the value starts */
	uint32_t parent;         /* NO_NODE for the root */
	/* In an object: the decoded key, in the text or in the key arena.
	 * In an array: key is the element's index. */
	uint32_t key, key_len;
	uint32_t key_quote;      /* offset of the key's opening '"' */
	uint32_t kid0, nkids;    /* children: kids[kid0 .. kid0 + nkids) */
	uint8_t type;            /* '{', '[' or 0 for a scalar */
	uint8_t key_in_arena;
};

struct jindex {
	struct jnode *nodes;
	size_t n, cap;
	uint32_t *kids;          /* children of every container, grouped */
	char *arena;             /* keys that had escapes, decoded */
	size_t arena_len, arena_cap;
	uint32_t *hash;          /* (parent, key) -> node + 1, open addressing */
	size_t hash_mask;
	uint32_t *dups;          /* pairs (second, first) of equal keys */
	size_t ndups, dups_cap;
};

enum scan_result { SCAN_OK, SCAN_STOP, SCAN_ERR, SCAN_NOMEM };

/* What the scanner expects next. */
enum scan_state { S_VALUE, S_VALUE_OR_CLOSE, S_AFTER, S_KEY, S_KEY_OR_CLOSE,
		  S_COLON };

/* One open container. */
struct level {
	uint32_t node;       /* its node (index mode) */
	uint32_t open_off;   /* offset of its '[' or '{' */
	uint32_t count;      /* members or elements begun so far */
	uint32_t key_quote;  /* current member's key: offset of its '"' */
	uint32_t key_len;    /* raw length between the quotes */
	char type;           /* '[' or '{' */
	bool key_esc;        /* the raw key contains escapes */
	bool in_value;       /* inside the value of the current member */
	json_object *obj;    /* build mode: the container (its parent's ref) */
};

struct scanner {
	const char *t;
	size_t len;          /* bytes to scan */
	/* The text was cut where json-c found an error: reaching the end
	 * means "stopped there", not "truncated document". */
	bool stop_at_end;
	bool nul_ok;         /* \u0000 allowed in string values */
	int max_depth;
	struct level *stack;
	size_t depth, cap;
	uint64_t members;    /* object members seen */
	size_t open_string;  /* '"' of a string cut by the end, or SIZE_MAX */
	bool trailing;       /* the error is in data after the top value */
	/* A scan stopped between tokens (not inside a string, number...)
	 * and, if so, what it expected next. */
	bool stop_between;
	enum scan_state stop_state;
	/* the first error */
	int code;
	size_t err_off;
	char msg[320];
	const char *hint;
	char hintbuf[200];
	/* index mode */
	struct jindex *ix;
	struct cursor cur;
	/* number mode: numbers out of a double's range are errors */
	bool numbers;
	/* build mode: the scan makes the json-c tree as it goes */
	bool build;
	json_object *root;
	bool dup;            /* a repeated key was seen: the tree stops there */
	size_t num_start;    /* the value just read was a number from here, or SIZE_MAX */
	size_t num_end;      /* ... up to here */
};

CG_HIDDEN size_t cgj_put_utf8(char *o, uint32_t cp);
CG_HIDDEN size_t cgj_decode_string(const char *s, size_t n, char *out);
CG_HIDDEN int cgj_clip(const char *s, size_t n, size_t max);
CG_HIDDEN void cgj_describe_char(const char *t, size_t len, size_t i, char *buf, size_t n);
CG_HIDDEN void cgj_cursor_init(struct cursor *cu);
CG_HIDDEN void cgj_cursor_to(struct cursor *cu, const char *t, size_t to);
CG_HIDDEN void cgj_linecol(const char *t, size_t off, unsigned *line, unsigned *col);
CG_HIDDEN void cgj_sb_add(struct sbuf *b, const char *s, size_t n);
CG_HIDDEN void cgj_sb_token(struct sbuf *b, const char *s, size_t n);
CG_HIDDEN void cgj_sb_index(struct sbuf *b, size_t index);
CG_HIDDEN char *cgj_sb_finish(struct sbuf *b);
CG_HIDDEN void cgj_sb_raw_key(struct sbuf *b, const char *raw, size_t n, bool esc);
CG_HIDDEN void cgj_index_free(struct jindex *ix);
CG_HIDDEN const char *cgj_node_key(const struct jindex *ix, const char *text, const struct jnode *nd);
CG_HIDDEN void cgj_scanner_init(struct scanner *sc, const char *t, size_t len, bool stop_at_end, int max_depth, struct jindex *ix);
CG_HIDDEN void cgj_scanner_fini(struct scanner *sc);
CG_HIDDEN enum scan_result cgj_scan(struct scanner *sc);
CG_HIDDEN char *cgj_stack_pointer(const struct scanner *sc);
CG_HIDDEN char *cgj_prefix_pointer(const char *t, size_t len, size_t x, int max_depth);
CG_HIDDEN struct jindex *cgj_index_build(const char *text, size_t len);
CG_HIDDEN char *cgj_node_pointer(const struct jindex *ix, const char *text, uint32_t node);
CG_HIDDEN int cgj_report_at(cg_diag *d, const char *name, const char *text, size_t off, int code, const char *pointer, const char *hint, const char *fmt, ...);
CG_HIDDEN int cgj_nomem(cg_diag *d, const char *name);
CG_HIDDEN int cgj_too_big(cg_diag *d, const char *name, uintmax_t size, size_t max, bool exact);
CG_HIDDEN int cgj_report_encoding(cg_diag *d, const char *name, const char *text, size_t len, size_t off, int max_depth, const char *hint, const char *fmt, ...);
CG_HIDDEN int cgj_precheck(cg_diag *d, const char *name, const char *text, size_t len, int max_depth);
CG_HIDDEN int cgj_report_duplicates(cg_diag *d, const char *name, const char *text, size_t len);

#endif
