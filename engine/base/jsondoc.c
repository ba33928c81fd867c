/*
 * jsondoc.c - JSON files read strictly, with positions for every value.
 *
 * json-c decides what a document contains. Around it this module:
 *   - reads files with a size limit checked before the bytes are read;
 *   - rejects what json-c would let through but serde_json (and therefore
 *     Tauri) rejects: a byte order mark, NUL bytes, ill-formed UTF-8 that
 *     json-c's own check misses (overlongs, surrogates, > U+10FFFF),
 *     single-quoted keys, NaN/Infinity, "1." and "00", raw control
 *     characters in strings, unpaired \u surrogates;
 *   - rejects duplicate keys (json-c silently keeps the last one) and data
 *     after the top value;
 *   - keeps numbers as written: json-c clamps an integer outside the 64-bit
 *     range to the nearest end of it, and reads 1e999999 as infinity. As
 *     serde_json does, an integer beyond 64 bits becomes the double nearest
 *     it (the tree keeps its text), and a number too large for a double is
 *     refused;
 *   - maps any byte offset to line:column and the JSON pointer of the value
 *     there, so each diagnostic says where and what.
 *
 * All of this rests on one small iterative scanner over the text
 * (jsonscan.c), which checks the grammar and builds json-c's tree in the
 * same pass: each document is parsed once, and a repeated key is caught
 * when it is added. jsonscan.h lists the other files.
 */
#include "base/jsonscan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t eff_max_size(const cg_json_limits *lim)
{
	size_t m = lim && lim->max_size ? lim->max_size : DEFAULT_MAX_SIZE;
	return m > SIZE_CAP ? SIZE_CAP : m;
}

static int eff_max_depth(const cg_json_limits *lim)
{
	int m = lim && lim->max_depth > 0 ? lim->max_depth : DEFAULT_MAX_DEPTH;
	return m > DEPTH_CAP ? DEPTH_CAP : m;
}

/* Parses buf[0..len) (buf[len] is NUL; buf is owned and freed on error). */
static int load_text(const char *name, char *buf, size_t len, int max_depth, bool nul_ok,
		     cg_jsondoc **out, cg_diag *d)
{
	int rc = cgj_precheck(d, name, buf, len, max_depth);
	if (rc) {
		free(buf);
		return rc;
	}

	/* One pass: the scanner checks the grammar and makes the tree. */
	struct scanner sc;
	cgj_scanner_init(&sc, buf, len, false, max_depth, NULL);
	sc.nul_ok = nul_ok;
	sc.numbers = true;
	sc.build = true;
	enum scan_result sr = cgj_scan(&sc);
	if (sr == SCAN_NOMEM) {
		rc = cgj_nomem(d, name);
	} else if (sr == SCAN_ERR) {
		/* Data after the top value belongs to no value. */
		char *ptr = sc.trailing ? NULL : cgj_stack_pointer(&sc);
		rc = cgj_report_at(d, name, buf, sc.err_off, sc.code, ptr, sc.hint,
			       "%s", sc.msg);
		free(ptr);
	} else if (sc.dup) {
		rc = cgj_report_duplicates(d, name, buf, len);
	}
	json_object *root = rc ? NULL : sc.root;
	if (!rc)
		sc.root = NULL;
	cgj_scanner_fini(&sc);
	if (rc) {
		free(buf);
		return rc;
	}

	cg_jsondoc *doc = calloc(1, sizeof(*doc));
	if (!doc || !(doc->name = strdup(name))) {
		free(doc);
		json_object_put(root);
		free(buf);
		return cgj_nomem(d, name);
	}
	doc->text = buf;
	doc->len = len;
	doc->root = root;
	*out = doc;
	return 0;
}

int cg_jsondoc_load_mem(const char *name, const char *text, size_t len,
			const cg_json_limits *lim, cg_jsondoc **out, cg_diag *d)
{
	if (!name)
		name = "<memory>";
	if (out)
		*out = NULL;
	if (!out || (!text && len)) {
		cg_diag_add(d, CG_SEV_ERROR, CG_EINVAL, name, 0, 0, NULL, NULL,
			    "invalid argument");
		return CG_EINVAL;
	}
	size_t max = eff_max_size(lim);
	if (len > max)
		return cgj_too_big(d, name, len, max, true);
	char *buf = malloc(len + 1);
	if (!buf)
		return cgj_nomem(d, name);
	if (len)
		memcpy(buf, text, len);
	buf[len] = '\0';
	return load_text(name, buf, len, eff_max_depth(lim), lim && lim->nul_in_strings, out, d);
}

static int io_error(cg_diag *d, const char *path, const char *what, int err)
{
	const char *hint =
		err == ENOENT ? "check the path: no file exists there"
		: err == EACCES || err == EPERM ? "check the file's permissions"
		: err == EISDIR ? "give the path of a JSON file; directories are "
				  "read with the *_dir functions"
				: "check that the path names a readable file";
	cg_diag_add(d, CG_SEV_ERROR, CG_EIO, path, 0, 0, NULL, hint, "%s: %s",
		    what, strerror(err));
	return CG_EIO;
}

int cg_jsondoc_load_file(const char *path, const cg_json_limits *lim,
			 cg_jsondoc **out, cg_diag *d)
{
	if (out)
		*out = NULL;
	if (!path || !out) {
		cg_diag_add(d, CG_SEV_ERROR, CG_EINVAL, path, 0, 0, NULL, NULL,
			    "invalid argument");
		return CG_EINVAL;
	}
	size_t max = eff_max_size(lim);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return io_error(d, path, "cannot open the file", errno);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return io_error(d, path, "cannot read the file", e);
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return io_error(d, path, "cannot read the file", EISDIR);
	}
	/* Decide on the size before reading anything: a huge file costs
	 * one fstat, not 50 MB of reads. */
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		close(fd);
		return cgj_too_big(d, path, (uintmax_t)st.st_size, max, true);
	}
	/* Pipes and devices have no size; the file may also grow after
	 * fstat. Either way never read more than max + 1 bytes. */
	size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 2 : 65536;
	if (cap > max + 2)
		cap = max + 2;
	size_t n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return cgj_nomem(d, path);
	}
	for (;;) {
		if (n + 1 == cap) {
			if (n > max)
				break;
			size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				close(fd);
				return cgj_nomem(d, path);
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return io_error(d, path, "cannot read the file", e);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > max) {
		free(buf);
		return cgj_too_big(d, path, 0, max, false);
	}
	buf[n] = '\0';
	return load_text(path, buf, n, eff_max_depth(lim), lim && lim->nul_in_strings, out, d);
}

void cg_jsondoc_free(cg_jsondoc *doc)
{
	if (!doc)
		return;
	cgj_index_free(doc->priv);
	json_object_put(doc->root);
	free(doc->text);
	free(doc->name);
	free(doc);
}

/* ------------------------------------------------------ public interface */

CG_EXPORT int cg_json_file_new(const char *path, cg_json_file **out, cg_diag *d)
{
	if (!out)
		return CG_EINVAL;
	*out = NULL;
	if (!path)
		return CG_EINVAL;
	return cg_jsondoc_load_file(path, NULL, out, d);
}

CG_EXPORT void cg_json_file_free(cg_json_file *f)
{
	if (f)
		cg_jsondoc_free(f);
}

CG_EXPORT json_object *cg_json_file_root(const cg_json_file *f)
{
	return f ? f->root : NULL;
}

CG_EXPORT int cg_json_file_locate(const cg_json_file *f, const char *pointer, unsigned *line,
				  unsigned *col)
{
	unsigned l = 0, c = 0;
	if (!f || !pointer)
		return CG_EINVAL;
	int r = cg_jsondoc_find(f, pointer, &l, &c);
	if (line)
		*line = l;
	if (col)
		*col = c;
	return r;
}
