/* Helpers shared by the fuzz targets (fuzz/fuzz_*.c). */
#ifndef CG_FUZZ_COMMON_H
#define CG_FUZZ_COMMON_H

#include "capgate.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An invariant that does not hold: say which, and abort so that libFuzzer
 * keeps the input as a crash artifact. */
#define FUZZ_CHECK(cond, ...)                                                     \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "\n*** invariant violated at %s:%d: %s\n*** ", \
				__FILE__, __LINE__, #cond);                       \
			fprintf(stderr, __VA_ARGS__);                             \
			fprintf(stderr, "\n");                                    \
			abort();                                                  \
		}                                                                 \
	} while (0)

/* Setup that must work (fixed manifests, fixed policies): a failure is a
 * harness or engine bug, not an input's fault. */
#define FUZZ_SETUP(cond) FUZZ_CHECK(cond, "setup failed")

/* A NUL-terminated copy of data[0..len). */
static inline char *fuzz_strndup(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

/* Splits data at the first '\n' into two NUL-terminated strings (the second
 * is "" when there is no newline). Either may hold NULs of its own; callers
 * use them as C strings, as the engine's API does. */
static inline void fuzz_split2(const uint8_t *data, size_t len, char **a, char **b)
{
	const uint8_t *nl = memchr(data, '\n', len);
	if (!nl) {
		*a = fuzz_strndup(data, len);
		*b = fuzz_strndup(data, 0);
		return;
	}
	*a = fuzz_strndup(data, (size_t)(nl - data));
	*b = fuzz_strndup(nl + 1, len - (size_t)(nl - data) - 1);
}

/* Prints a policy build's diagnostics (for debugging a harness). */
static inline void fuzz_dump_diag(const cg_diag *d)
{
	for (size_t i = 0; i < cg_diag_count(d); i++) {
		char *s = cg_diag_format(d, i);
		fprintf(stderr, "%s", s ? s : "?\n");
		free(s);
	}
}

/* FUZZ_DEBUG=1 in the environment: targets print what the engine said
 * (diagnostics of failed builds and loads), to see why an input does what
 * it does when run by hand. */
static inline bool fuzz_debug(void)
{
	static int on = -1;
	if (on < 0)
		on = getenv("FUZZ_DEBUG") != NULL;
	return on;
}

/* Does any string (value) in v hold a NUL ("\u0000")? The loaders'
 * targets fail when the engine accepts such a string: it would read it
 * only up to the NUL (fuzz/findings/README.md, fixed: policy and config
 * files now refuse it). */
#ifndef CG_FUZZ_STRICT_NUL
#define CG_FUZZ_STRICT_NUL 1
#endif
static inline bool fuzz_has_nul_string(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		return strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v);
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (fuzz_has_nul_string(json_object_array_get_idx(v, i)))
				return true;
		return false;
	case json_type_object: {
		json_object_object_foreach(v, k, val) {
			(void)k;
			if (fuzz_has_nul_string(val))
				return true;
		}
		return false;
	}
	default:
		return false;
	}
}

#ifdef CG_FUZZ_STRICT_NUL
#define FUZZ_STRICT_NUL(root)                                                          \
	FUZZ_CHECK(!fuzz_has_nul_string(root), "the engine accepted a string holding \\u0000 " \
		   "(it cuts such strings at the NUL)")
#else
#define FUZZ_STRICT_NUL(root) ((void)(root))
#endif

/*
 * Heap use while the engine loads: the targets check that loading (lint
 * and build) stays within a bound linear in the input's size, so that a
 * small file cannot make the engine allocate without bound (issue 15:
 * permission sets naming sets expanded exponentially). Counted with the
 * sanitizer allocator's hooks: every byte asked for and freed, by any
 * library, while a measurement is open.
 */
#include <sanitizer/allocator_interface.h>

static long fuzz_mem_now, fuzz_mem_peak;

static inline void fuzz_malloc_hook(const volatile void *p, size_t n)
{
	(void)p;
	long now = __atomic_add_fetch(&fuzz_mem_now, (long)n, __ATOMIC_RELAXED);
	if (now > __atomic_load_n(&fuzz_mem_peak, __ATOMIC_RELAXED))
		__atomic_store_n(&fuzz_mem_peak, now, __ATOMIC_RELAXED);
}

static inline void fuzz_free_hook(const volatile void *p)
{
	if (p)
		__atomic_sub_fetch(&fuzz_mem_now, (long)__sanitizer_get_allocated_size(p), __ATOMIC_RELAXED);
}

/* Call once, from LLVMFuzzerInitialize. */
static inline void fuzz_mem_init(void)
{
	FUZZ_SETUP(__sanitizer_install_malloc_and_free_hooks(fuzz_malloc_hook, fuzz_free_hook) > 0);
}

/* Starts a measurement; returns its base. */
static inline long fuzz_mem_begin(void)
{
	long now = __atomic_load_n(&fuzz_mem_now, __ATOMIC_RELAXED);
	__atomic_store_n(&fuzz_mem_peak, now, __ATOMIC_RELAXED);
	return now;
}

/* The most the heap held above base since fuzz_mem_begin. */
static inline size_t fuzz_mem_peak_since(long base)
{
	long peak = __atomic_load_n(&fuzz_mem_peak, __ATOMIC_RELAXED);
	return peak > base ? (size_t)(peak - base) : 0;
}

/* The bound: a fixed allowance (the mini core, json-c's tables, the lint's
 * second build) and a constant per byte of input. Measured: a seed peaks
 * under 100 KB; the densest inputs tried (arrays of empty objects, 500
 * entries naming a set, 1500 permissions in sets) about 300 bytes of heap
 * per byte of input. Sets expanded exponentially (5 sets each naming the
 * next 24 times, 1 KB) held 990 MB before issue 15. */
#define FUZZ_MEM_FIXED (8u << 20)
#define FUZZ_MEM_PER_BYTE 1024u
#define FUZZ_MEM_CHECK(base, size, what)                                                       \
	do {                                                                                   \
		size_t peak_ = fuzz_mem_peak_since(base);                                       \
		if (fuzz_debug())                                                               \
			fprintf(stderr, "%s: %zu bytes of input, heap peak %zu\n", what,       \
				(size_t)(size), peak_);                                         \
		FUZZ_CHECK(peak_ <= FUZZ_MEM_FIXED + FUZZ_MEM_PER_BYTE * (size_t)(size),        \
			   "%s of a %zu-byte input held %zu bytes of heap at its peak, more than " \
			   "%u + %u per byte of input", what, (size_t)(size), peak_,              \
			   FUZZ_MEM_FIXED, FUZZ_MEM_PER_BYTE);                                    \
	} while (0)

/* Are two JSON values the same, the engine's (numbers as written) against
 * json-c's own parse of the input (which clamps integers beyond 64 bits)?
 * Strings by their bytes; numbers by value, an integer json-c clamped to
 * an end of the 64-bit range matching any double beyond it. */
static inline bool fuzz_json_same(json_object *a, json_object *b)
{
	json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
	bool na = ta == json_type_int || ta == json_type_double;
	bool nb = tb == json_type_int || tb == json_type_double;
	if (na && nb) {
		if (ta == json_type_int && tb == json_type_int)
			return json_object_equal(a, b);
		json_object *i = ta == json_type_int ? a : tb == json_type_int ? b : NULL;
		json_object *d = i == a ? b : a;
		if (i) {
			double dv = json_object_get_double(d);
			if (json_object_get_int64(i) == INT64_MIN && dv < -9.2e18)
				return true;
			if (json_object_get_uint64(i) == UINT64_MAX && dv > 1.8e19)
				return true;
		}
		return json_object_get_double(a) == json_object_get_double(b);
	}
	if (ta != tb)
		return false;
	switch (ta) {
	case json_type_string:
		return json_object_get_string_len(a) == json_object_get_string_len(b) &&
		       memcmp(json_object_get_string(a), json_object_get_string(b),
			      (size_t)json_object_get_string_len(a)) == 0;
	case json_type_array:
		if (json_object_array_length(a) != json_object_array_length(b))
			return false;
		for (size_t k = 0; k < json_object_array_length(a); k++)
			if (!fuzz_json_same(json_object_array_get_idx(a, k), json_object_array_get_idx(b, k)))
				return false;
		return true;
	case json_type_object: {
		if (json_object_object_length(a) != json_object_object_length(b))
			return false;
		json_object_object_foreach(a, k, va) {
			json_object *vb;
			if (!json_object_object_get_ex(b, k, &vb) || !fuzz_json_same(va, vb))
				return false;
		}
		return true;
	}
	default:
		return json_object_equal(a, b);
	}
}

/* A decision as a small comparable value. */
typedef struct {
	int rc, allowed, reason;
} fuzz_verdict;

static inline bool fuzz_verdict_eq(fuzz_verdict a, fuzz_verdict b)
{
	return a.rc == b.rc && a.allowed == b.allowed && a.reason == b.reason;
}

/*
 * A small stand-in for the built-in core:* manifests, which are fixed data
 * (86 KB of JSON parsed again by every build: 11 ms of each run under
 * ASan, against 0.1 ms for the rest). The targets turn the built-in core
 * off and load this instead: the same shape (plugins "core:event",
 * "core:window", "core:app", "core:path", "core:webview" and "core" whose
 * default set names their defaults), with the event commands of the real
 * core:event.
 */
static inline void fuzz_add_mini_core(cg_builder *b)
{
	static const char core[] =
		"{\"default\": {\"permissions\": [\"core:event:default\", \"core:window:default\","
		" \"core:app:default\", \"core:path:default\"]}}";
	static const char event[] =
		"{\"default\": {\"permissions\": [\"allow-listen\", \"allow-unlisten\", \"allow-emit\","
		" \"allow-emit-to\"]}}";
	static const char window[] =
		"{\"permission\": [{\"identifier\": \"allow-set-title\","
		"  \"commands\": {\"allow\": [\"set_title\"]}}],"
		" \"default\": {\"permissions\": [\"allow-close\"]}}";
	static const char app[] = "{\"default\": {\"permissions\": [\"allow-version\"]}}";
	static const char path[] = "{\"default\": {\"permissions\": [\"allow-resolve\"]}}";
	static const char *const ev_cmds[] = {"listen", "unlisten", "emit", "emit_to"};
	cg_diag *d = cg_diag_new();
	FUZZ_SETUP(cg_builder_use_builtin_core(b, 0) == 0);
	for (size_t i = 0; i < 4; i++)
		FUZZ_SETUP(cg_builder_declare_command(b, "core:event", ev_cmds[i]) == 0);
	FUZZ_SETUP(cg_builder_declare_command(b, "core:window", "close") == 0);
	FUZZ_SETUP(cg_builder_declare_command(b, "core:app", "version") == 0);
	FUZZ_SETUP(cg_builder_declare_command(b, "core:webview", "create_webview_window") == 0);
	FUZZ_SETUP(cg_builder_declare_command(b, "core:path", "resolve") == 0);
	FUZZ_SETUP(cg_builder_add_manifest_json(b, "core", "core.json", core, strlen(core), d) == 0);
	FUZZ_SETUP(cg_builder_add_manifest_json(b, "core:event", "event.json", event, strlen(event), d) == 0);
	FUZZ_SETUP(cg_builder_add_manifest_json(b, "core:window", "window.json", window, strlen(window), d) == 0);
	FUZZ_SETUP(cg_builder_add_manifest_json(b, "core:app", "app.json", app, strlen(app), d) == 0);
	FUZZ_SETUP(cg_builder_add_manifest_json(b, "core:path", "path.json", path, strlen(path), d) == 0);
	cg_diag_free(d);
}

/* Builds a policy from fixed sources that must load (harness setup). */
static inline cg_policy *fuzz_fixed_policy(cg_builder *b)
{
	cg_diag *d = cg_diag_new();
	cg_policy *p = NULL;
	int rc = cg_builder_build(b, &p, d);
	if (rc < 0 || !p)
		fuzz_dump_diag(d);
	FUZZ_SETUP(rc == 0 && p);
	cg_diag_free(d);
	cg_builder_free(b);
	return p;
}

/* The policy of the router targets (envelope, ipcmsg): window "main" may
 * call the app command "echo"; the app commands named in extra (a
 * NULL-terminated list, or NULL) exist and are granted to no one. */
static inline cg_policy *fuzz_echo_policy(const char *const *extra)
{
	static const char caps[] =
		"{\"identifier\": \"c\", \"windows\": [\"main\"], \"permissions\": [\"allow-echo\"]}";
	cg_builder *b = cg_builder_new();
	FUZZ_SETUP(b);
	fuzz_add_mini_core(b);
	FUZZ_SETUP(cg_builder_declare_command(b, NULL, "echo") == 0);
	for (; extra && *extra; extra++)
		FUZZ_SETUP(cg_builder_declare_command(b, NULL, *extra) == 0);
	cg_diag *d = cg_diag_new();
	FUZZ_SETUP(cg_builder_add_capability_json(b, "caps.json", caps, strlen(caps), d) == 0);
	cg_diag_free(d);
	return fuzz_fixed_policy(b);
}

/* echo's answer to a binary call: {"len": bytes, "sum": their sum}, so
 * that the harness can tell the body arrived whole; NULL for a JSON call. */
static inline json_object *fuzz_echo_body(cg_call *c)
{
	size_t len = 0;
	const unsigned char *b = cg_call_body(c, &len);
	if (!b)
		return NULL;
	uint64_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	json_object *o = json_object_new_object();
	json_object_object_add(o, "len", json_object_new_int64((int64_t)len));
	json_object_object_add(o, "sum", json_object_new_int64((int64_t)sum));
	return o;
}

#endif
