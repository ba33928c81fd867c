/*
 * The store plugin's commands (plugin.h), in @tauri-apps/plugin-store's wire
 * format (plugins-workspace plugins/store/src/{lib,store}.rs and guest-js).
 *
 * A store is one JSON object kept in memory and saved to a file below
 * AppData. Stores are shared: every page that loads the same path gets the
 * same store (as in Tauri, where a store is app-wide), through a holder of
 * its own, which is the page's resource (rid). Change events go to the
 * pages that hold the store, each with its own rid as resourceId, never to
 * the others (Tauri emits every change to every window).
 *
 * Locks: one mutex per plugin (st->lock) guards the registry, every store's
 * content and holders; a store's save_lock orders its saves, so a slower
 * older save can never land after a newer one. save_lock is taken before
 * st->lock, never the other way round.
 */
#include "store/plugin.h"
#include "store/manifest.h"
#include "store/durable.h"
#include "path/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_RES "store:store"
#define DEFAULT_AUTOSAVE_MS 100
#define MAX_FILE (64u << 20)

typedef struct store store;
typedef struct store_state store_state;

typedef struct holder {
	struct holder *next;
	store *s;
	cg_router *r;
	char *webview;      /* the page holding it: where its events go */
	char *given;        /* the path as the page gave it (2.0.0 matches events on it) */
	uint32_t rid;       /* 0 until the resource table gave one */
	bool legacy;        /* made by create_store (plugin-store 2.0.x) */
} holder;

struct store {
	store *next;
	store_state *st;
	char *key;          /* the path below AppData, normalized */
	char *abs;          /* the absolute path, for events and errors */
	char *name;         /* its last component */
	int dirfd;          /* the directory it lives in, opened beneath AppData */
	json_object *cache; /* an object */
	json_object *defaults; /* an object, or NULL */
	long autosave_ms;   /* < 0: none */
	int64_t deadline;   /* CLOCK_MONOTONIC ns of a pending auto-save, 0: none */
	holder *holders;
	int refs;           /* holders, plus the saver while it saves */
	pthread_mutex_t save_lock;
};

struct store_state {
	cg_paths *paths;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t saver;
	bool saver_running, stop;
	store *stores;
};

/* ------------------------------------------------------------- helpers */

static int reject_fmt(cg_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reject_fmt(cg_call *c, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cg_call_reject(c, buf);
	return 0;
}

static json_object *arg(json_object *o, const char *name)
{
	json_object *v = NULL;
	return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, name, &v)
		       ? v
		       : NULL;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A deep copy (NULL for NULL; NULL also when memory runs out). */
static json_object *copy(json_object *v)
{
	json_object *out = NULL;
	if (v && json_object_deep_copy(v, &out, NULL) != 0)
		return NULL;
	return out;
}

/* ------------------------------------------------------------- paths */

/*
 * The page's path, normalized below AppData into *key ("a/b/c.json"):
 * relative paths are taken below AppData, as Tauri does; an absolute path
 * only when it lies below AppData (Tauri takes any absolute path); a ".."
 * component anywhere is refused (Tauri lets one climb out of AppData).
 * NULL and a message in *why otherwise.
 */
static char *normalize(const char *appdata, const char *path, const char **why)
{
	size_t al = strlen(appdata);
	if (!*path) {
		*why = "an empty path";
		return NULL;
	}
	if (path[0] == '/') {
		if (strncmp(path, appdata, al) || (path[al] != '/' && path[al] != '\0')) {
			*why = "an absolute path outside the app's data directory ($APPDATA)";
			return NULL;
		}
		path += al;
	}
	char *out = malloc(strlen(path) + 1);
	if (!out) {
		*why = "out of memory";
		return NULL;
	}
	size_t n = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchrnul(p, '/');
		size_t l = (size_t)(e - p);
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			*why = "a path with a '..' component";
			return NULL;
		}
		if (l && !(l == 1 && p[0] == '.')) {
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, l);
			n += l;
		}
		p = e;
	}
	out[n] = '\0';
	if (!n) {
		free(out);
		*why = "a path naming the data directory itself, not a file in it";
		return NULL;
	}
	return out;
}

/* mkdir -p of an absolute directory the app's config names (trusted). */
static int mkdirs(const char *dir)
{
	char *d = strdup(dir);
	if (!d)
		return -ENOMEM;
	for (char *p = d + 1;; p++) {
		if (*p == '/' || !*p) {
			char c = *p;
			*p = '\0';
			if (mkdir(d, 0700) < 0 && errno != EEXIST) {
				int e = errno;
				free(d);
				return -e;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	free(d);
	return 0;
}

/*
 * Opens the directory the store at key lives in, beneath AppData, creating
 * what is missing and following no symlink on the way (a link planted in
 * AppData cannot send a store elsewhere). The fd, or a negative errno.
 */
static int open_parent(const char *appdata, const char *key)
{
	int rc = mkdirs(appdata);
	if (rc < 0)
		return rc;
	int fd = open(appdata, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	const char *p = key;
	for (const char *e; (e = strchr(p, '/')); p = e + 1) {
		char comp[256];
		size_t l = (size_t)(e - p);
		if (l >= sizeof(comp)) {
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(comp, p, l);
		comp[l] = '\0';
		if (mkdirat(fd, comp, 0700) < 0 && errno != EEXIST) {
			int err = errno;
			close(fd);
			return -err;
		}
		int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int err = errno;
		close(fd);
		if (next < 0)
			return err == ELOOP ? -ENOTDIR : -err;
		fd = next;
	}
	return fd;
}

/* The file's object in *out: NULL when there is no file; a negative errno,
 * or CG_ESCHEMA (text that is not a JSON object). */
static int read_file(store *s, json_object **out)
{
	*out = NULL;
	int fd = openat(s->dirfd, s->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > MAX_FILE) {
		close(fd);
		return -EINVAL;
	}
	size_t len = (size_t)sb.st_size, got = 0;
	char *buf = malloc(len + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	json_tokener *tok = json_tokener_new();
	json_object *o = tok ? json_tokener_parse_ex(tok, buf, (int)got) : NULL;
	bool whole = tok && json_tokener_get_error(tok) == json_tokener_success &&
		     (size_t)json_tokener_get_parse_end(tok) == got;
	json_tokener_free(tok);
	free(buf);
	if (!o || !whole || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return CG_ESCHEMA;
	}
	*out = o;
	return 0;
}

/* ------------------------------------------------------------- saving */

/* Writes the store's content as it is now, durably; 0 or a negative errno. */
static int save_store(store *s)
{
	store_state *st = s->st;
	pthread_mutex_lock(&s->save_lock);
	pthread_mutex_lock(&st->lock);
	s->deadline = 0;
	/* Pretty, as Tauri's serde_json::to_vec_pretty writes it. */
	const char *txt = json_object_to_json_string_ext(
		s->cache, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *bytes = txt ? strdup(txt) : NULL;
	pthread_mutex_unlock(&st->lock);
	int rc = bytes ? cg_durable_replace(s->dirfd, s->name, bytes, strlen(bytes)) : -ENOMEM;
	pthread_mutex_unlock(&s->save_lock);
	free(bytes);
	return rc;
}

static void store_free(store *s)
{
	if (!s)
		return;
	json_object_put(s->cache);
	json_object_put(s->defaults);
	if (s->dirfd >= 0)
		close(s->dirfd);
	pthread_mutex_destroy(&s->save_lock);
	free(s->key);
	free(s->abs);
	free(s);
}

/* Drops a reference; under st->lock, which it releases. The last one takes
 * the store out of the registry, saves what an auto-save still owed, and
 * frees it. */
static void store_unref_unlock(store *s)
{
	store_state *st = s->st;
	if (--s->refs > 0) {
		pthread_mutex_unlock(&st->lock);
		return;
	}
	for (store **pp = &st->stores; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	bool owed = s->deadline != 0;
	pthread_mutex_unlock(&st->lock);
	if (owed)
		save_store(s);
	store_free(s);
}

/* The auto-saver: one thread per plugin, saving each store whose debounce
 * delay has passed. */
static void *saver_main(void *arg)
{
	store_state *st = arg;
	pthread_mutex_lock(&st->lock);
	while (!st->stop) {
		int64_t now = now_ns(), next = 0;
		store *due = NULL;
		for (store *s = st->stores; s; s = s->next) {
			if (!s->deadline)
				continue;
			if (s->deadline <= now) {
				due = s;
				break;
			}
			if (!next || s->deadline < next)
				next = s->deadline;
		}
		if (due) {
			due->refs++;
			pthread_mutex_unlock(&st->lock);
			save_store(due);
			pthread_mutex_lock(&st->lock);
			store_unref_unlock(due);
			pthread_mutex_lock(&st->lock);
			continue;
		}
		if (!next) {
			pthread_cond_wait(&st->cond, &st->lock);
		} else {
			/* The condvar uses CLOCK_MONOTONIC (store_init). */
			struct timespec ts = {.tv_sec = next / 1000000000, .tv_nsec = next % 1000000000};
			pthread_cond_timedwait(&st->cond, &st->lock, &ts);
		}
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

/* After a change, under st->lock: Tauri's trigger_auto_save. Returns true
 * when the store must be saved now (a delay of 0). */
static bool changed_locked(store *s)
{
	if (s->autosave_ms < 0)
		return false;
	if (s->autosave_ms == 0)
		return true;
	/* Debounced: every change pushes the save back by the delay. */
	s->deadline = now_ns() + (int64_t)s->autosave_ms * 1000000;
	pthread_cond_signal(&s->st->cond);
	return false;
}

/* ------------------------------------------------------------- events */

typedef struct pending {
	struct pending *next;
	cg_router *r;
	char *webview;
	json_object *payload;
} pending;

/* Queues store://change for every page holding s (under st->lock): each
 * gets its own rid, and a 2.0.x page the path it gave. value NULL: the key
 * is gone. */
static void change_locked(store *s, const char *key, json_object *value, pending **q)
{
	for (holder *h = s->holders; h; h = h->next) {
		if (!h->rid)
			continue;
		pending *p = calloc(1, sizeof(*p));
		json_object *o = json_object_new_object();
		if (!p || !o || !(p->webview = strdup(h->webview))) {
			free(p ? p->webview : NULL);
			free(p);
			json_object_put(o);
			continue;
		}
		json_object_object_add(o, "path", json_object_new_string(h->legacy ? h->given : s->abs));
		json_object_object_add(o, "resourceId", json_object_new_int64(h->rid));
		json_object_object_add(o, "key", json_object_new_string(key));
		json_object_object_add(o, "value", value ? copy(value) : NULL);
		json_object_object_add(o, "exists", json_object_new_boolean(value != NULL));
		p->r = h->r;
		p->payload = o;
		p->next = *q;
		*q = p;
	}
}

/* Emits what change_locked queued, outside the lock, in order. */
static void emit_all(pending *q)
{
	pending *rev = NULL;
	while (q) {
		pending *n = q->next;
		q->next = rev;
		rev = q;
		q = n;
	}
	while (rev) {
		pending *n = rev->next;
		cg_router_emit(rev->r, "store://change", CG_TARGET_WEBVIEW, rev->webview, rev->payload);
		json_object_put(rev->payload);
		free(rev->webview);
		free(rev);
		rev = n;
	}
}

/* ------------------------------------------------------------- holders */

static void holder_free(void *p)
{
	holder *h = p;
	store *s = h->s;
	pthread_mutex_lock(&s->st->lock);
	for (holder **pp = &s->holders; *pp; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	store_unref_unlock(s);
	free(h->webview);
	free(h->given);
	free(h);
}

/* The caller's holder of s, under st->lock, or NULL. */
static holder *holder_of(store *s, const char *webview)
{
	for (holder *h = s->holders; h; h = h->next)
		if (h->rid && !strcmp(h->webview, webview))
			return h;
	return NULL;
}

/* Gives the caller a rid for s (its existing one, or a new holder) and
 * answers with it. Takes st->lock. */
static void answer_holder(cg_call *c, store *s, const char *given, bool legacy)
{
	store_state *st = s->st;
	const char *wv = cg_call_webview(c);
	pthread_mutex_lock(&st->lock);
	holder *h = holder_of(s, wv);
	if (h) {
		uint32_t rid = h->rid;
		pthread_mutex_unlock(&st->lock);
		cg_call_resolve(c, json_object_new_int64(rid));
		return;
	}
	h = calloc(1, sizeof(*h));
	if (!h || !(h->webview = strdup(wv)) || !(h->given = strdup(given))) {
		pthread_mutex_unlock(&st->lock);
		if (h) {
			free(h->webview);
			free(h);
		}
		cg_call_reject(c, "out of memory");
		return;
	}
	h->s = s;
	h->r = cg_call_router(c);
	h->legacy = legacy;
	h->next = s->holders;
	s->holders = h;
	s->refs++;
	pthread_mutex_unlock(&st->lock);
	uint32_t rid = 0;
	int rc = cg_call_add_resource(c, STORE_RES, h, holder_free, &rid);
	if (rc == CG_ENOMEM) {
		holder_free(h);
		cg_call_reject(c, "out of memory");
		return;
	}
	if (rc < 0) {
		/* The page is gone; holder_free has run. */
		cg_call_reject(c, cg_strerror(rc));
		return;
	}
	pthread_mutex_lock(&st->lock);
	h->rid = rid;
	pthread_mutex_unlock(&st->lock);
	cg_call_resolve(c, json_object_new_int64(rid));
}

/* The store behind the call's rid, with a reference held by *res; NULL
 * after answering the call. */
static store *store_of(cg_call *c, cg_resource **res)
{
	*res = NULL;
	json_object *r = arg(cg_call_args(c), "rid");
	if (!r || !json_object_is_type(r, json_type_int) || json_object_get_int64(r) <= 0 ||
	    json_object_get_int64(r) > UINT32_MAX) {
		reject_fmt(c, "invalid args `rid` for command `%s`: a resource id is expected",
			   strchr(cg_call_command(c), '|') + 1);
		return NULL;
	}
	if (cg_call_get_resource(c, (uint32_t)json_object_get_int64(r), STORE_RES, res) < 0) {
		/* Tauri's words for a rid it does not hold. */
		cg_call_reject(c, "resource id " "is invalid");
		return NULL;
	}
	return ((holder *)cg_resource_object(*res))->s;
}

static const char *key_arg(cg_call *c)
{
	json_object *k = arg(cg_call_args(c), "key");
	if (!k || !json_object_is_type(k, json_type_string)) {
		reject_fmt(c, "invalid args `key` for command `%s`: a string is expected",
			   strchr(cg_call_command(c), '|') + 1);
		return NULL;
	}
	return json_object_get_string(k);
}

/* ------------------------------------------------------------- load */

typedef struct load_opts {
	json_object *defaults;  /* borrowed */
	long autosave_ms;
	bool create_new, override_defaults;
} load_opts;

/* Reads the options of load (nested in "options", plugin-store 2.2+) or of
 * create_store and 2.1's load (flattened beside "path"). */
static int parse_opts(cg_call *c, load_opts *o, bool legacy)
{
	json_object *a = cg_call_args(c);
	json_object *opt = arg(a, "options");
	if (!opt || !json_object_is_type(opt, json_type_object))
		opt = a;
	memset(o, 0, sizeof(*o));
	/* 2.0.x saved only when told to (autoSave: ms); 2.1 on default to 100 ms. */
	o->autosave_ms = legacy ? -1 : DEFAULT_AUTOSAVE_MS;
	json_object *v;
	if ((v = arg(opt, "autoSave"))) {
		if (json_object_is_type(v, json_type_boolean))
			o->autosave_ms = json_object_get_boolean(v) ? DEFAULT_AUTOSAVE_MS : -1;
		else if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0)
			o->autosave_ms = json_object_get_int64(v) > 86400000 ? 86400000 : (long)json_object_get_int64(v);
		else
			return reject_fmt(c, "invalid args `autoSave`: true, false or a number of milliseconds is expected"), -1;
	}
	const char *fns[] = {"serializeFnName", "deserializeFnName"};
	for (int i = 0; i < 2; i++)
		if ((v = arg(opt, fns[i])) && !json_object_is_type(v, json_type_null))
			/* Only the default JSON (de)serializer exists here; Tauri's
			 * error when the app registered no such function. */
			return reject_fmt(c, "%s function \"%s\" not found",
					  i ? "Deserialize" : "Serialize", json_object_get_string(v)), -1;
	if ((v = arg(opt, "defaults")) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_object))
			return reject_fmt(c, "invalid args `defaults`: an object is expected"), -1;
		o->defaults = v;
	}
	o->create_new = (v = arg(opt, "createNew")) && json_object_get_boolean(v);
	o->override_defaults = (v = arg(opt, "overrideDefaults")) && json_object_get_boolean(v);
	return 0;
}

/* cache = (defaults unless ignore) with the file's keys over them. */
static void merge(json_object *dst, json_object *src)
{
	json_object_object_foreach(src, k, v) json_object_object_add(dst, k, json_object_get(v));
}

/* The store for the page's path, loaded or found in the registry, with a
 * reference for the caller in *out (taken under st->lock); answers the call
 * and returns NULL on failure. create: make it when it is not loaded. */
static store *find_or_load(cg_call *c, store_state *st, const char *given, const load_opts *o,
			   bool create, bool *answered)
{
	*answered = true;
	const char *appdata = NULL, *why = NULL;
	if (cg_paths_dir(st->paths, CG_DIR_APP_DATA, &appdata) < 0) {
		reject_fmt(c, "unknown path: the app's data directory is not known here (no app identifier)");
		return NULL;
	}
	char *key = normalize(appdata, given, &why);
	if (!key) {
		reject_fmt(c, "forbidden path: %s (%s; a store lives below $APPDATA)", given, why);
		return NULL;
	}
	pthread_mutex_lock(&st->lock);
	store *s = st->stores;
	while (s && strcmp(s->key, key))
		s = s->next;
	if (s) {
		s->refs++;
		pending *q = NULL;
		if (o && o->create_new) {
			/* Tauri drops the old store and starts afresh, without
			 * reading the file; the pages holding it see the new one. */
			json_object_object_foreach(s->cache, k, v) {
				(void)v;
				change_locked(s, k, NULL, &q);
			}
			json_object_put(s->cache);
			s->cache = o->defaults ? copy(o->defaults) : json_object_new_object();
			json_object_put(s->defaults);
			s->defaults = copy(o->defaults);
			s->autosave_ms = o->autosave_ms;
		}
		pthread_mutex_unlock(&st->lock);
		emit_all(q);
		free(key);
		return s;
	}
	pthread_mutex_unlock(&st->lock);
	if (!create) {
		free(key);
		*answered = false;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		free(key);
		cg_call_reject(c, "out of memory");
		return NULL;
	}
	s->st = st;
	s->key = key;
	s->dirfd = -1;
	pthread_mutex_init(&s->save_lock, NULL);
	s->name = strrchr(key, '/') ? strrchr(key, '/') + 1 : key;
	if (asprintf(&s->abs, "%s/%s", appdata, key) < 0) {
		s->abs = NULL;
		store_free(s);
		cg_call_reject(c, "out of memory");
		return NULL;
	}
	s->dirfd = open_parent(appdata, key);
	if (s->dirfd < 0) {
		reject_fmt(c, "failed to open the store's directory for %s: %s (os error %d)", s->abs,
			   strerror(-s->dirfd), -s->dirfd);
		store_free(s);
		return NULL;
	}
	cg_durable_sweep(s->dirfd, s->name);
	s->autosave_ms = o ? o->autosave_ms : DEFAULT_AUTOSAVE_MS;
	s->defaults = o ? copy(o->defaults) : NULL;
	s->cache = s->defaults && !(o && o->override_defaults) ? copy(s->defaults) : json_object_new_object();
	json_object *file = NULL;
	int rc = o && o->create_new ? 0 : read_file(s, &file);
	if (rc < 0) {
		/* Tauri ignores a file it cannot read and starts empty, and the
		 * next save overwrites it: here a damaged store is refused, so
		 * nothing is lost silently. */
		if (rc == CG_ESCHEMA)
			reject_fmt(c, "failed to deserialize the store %s: not a JSON object; move or fix it", s->abs);
		else
			reject_fmt(c, "failed to read the store %s: %s (os error %d)", s->abs, strerror(-rc), -rc);
		store_free(s);
		return NULL;
	}
	if (file) {
		if (o && o->override_defaults) {
			json_object_put(s->cache);
			s->cache = file;
			file = NULL;
		} else {
			merge(s->cache, file);
		}
	}
	json_object_put(file);
	/* Another page may have loaded it meanwhile: keep the first. */
	pthread_mutex_lock(&st->lock);
	store *other = st->stores;
	while (other && strcmp(other->key, s->key))
		other = other->next;
	if (other) {
		other->refs++;
		pthread_mutex_unlock(&st->lock);
		store_free(s);
		return other;
	}
	s->refs = 1;
	s->next = st->stores;
	st->stores = s;
	pthread_mutex_unlock(&st->lock);
	return s;
}

static const char *path_arg(cg_call *c)
{
	json_object *p = arg(cg_call_args(c), "path");
	if (!p || !json_object_is_type(p, json_type_string)) {
		reject_fmt(c, "invalid args `path` for command `%s`: a string is expected",
			   strchr(cg_call_command(c), '|') + 1);
		return NULL;
	}
	if (strlen(json_object_get_string(p)) != (size_t)json_object_get_string_len(p)) {
		reject_fmt(c, "forbidden path: a path with a NUL byte");
		return NULL;
	}
	return json_object_get_string(p);
}

static void drop_ref(store *s)
{
	pthread_mutex_lock(&s->st->lock);
	store_unref_unlock(s);
}

static int cmd_reload(cg_call *c, void *user);

/* load {path, options} (and create_store {path, ...options} of 2.0.x);
 * 2.0.x's load {rid} is its reload. */
static int cmd_load(cg_call *c, void *user)
{
	bool legacy = !strcmp(strchr(cg_call_command(c), '|') + 1, "create_store");
	if (!legacy && !arg(cg_call_args(c), "path") && arg(cg_call_args(c), "rid"))
		return cmd_reload(c, user);
	const char *given = path_arg(c);
	load_opts o;
	if (!given || parse_opts(c, &o, legacy) < 0)
		return 0;
	bool answered;
	store *s = find_or_load(c, user, given, &o, true, &answered);
	if (!s)
		return 0;
	answer_holder(c, s, given, legacy);
	drop_ref(s);
	return 0;
}

/* get_store {path}: the caller's rid for a store some page has loaded, or
 * null. */
static int cmd_get_store(cg_call *c, void *user)
{
	const char *given = path_arg(c);
	if (!given)
		return 0;
	bool answered;
	store *s = find_or_load(c, user, given, NULL, false, &answered);
	if (!s) {
		if (!answered) /* loaded by no page */
			cg_call_resolve(c, NULL);
		return 0;
	}
	answer_holder(c, s, given, false);
	drop_ref(s);
	return 0;
}

/* ------------------------------------------------------------- the rest */

static int cmd_get(cg_call *c, void *user)
{
	(void)user;
	cg_resource *res;
	store *s = store_of(c, &res);
	const char *k = s ? key_arg(c) : NULL;
	if (!k) {
		cg_resource_unref(res);
		return 0;
	}
	bool legacy = ((holder *)cg_resource_object(res))->legacy;
	pthread_mutex_lock(&s->st->lock);
	json_object *v = NULL;
	bool exists = json_object_object_get_ex(s->cache, k, &v);
	v = copy(v);
	pthread_mutex_unlock(&s->st->lock);
	cg_resource_unref(res);
	if (legacy) /* plugin-store 2.0.x: the bare value, null when absent */
		return cg_call_resolve(c, v), 0;
	json_object *out = json_object_new_array();
	json_object_array_add(out, v);
	json_object_array_add(out, json_object_new_boolean(exists));
	cg_call_resolve(c, out);
	return 0;
}

static int cmd_has(cg_call *c, void *user)
{
	(void)user;
	cg_resource *res;
	store *s = store_of(c, &res);
	const char *k = s ? key_arg(c) : NULL;
	if (k) {
		pthread_mutex_lock(&s->st->lock);
		bool has = json_object_object_get_ex(s->cache, k, NULL);
		pthread_mutex_unlock(&s->st->lock);
		cg_call_resolve(c, json_object_new_boolean(has));
	}
	cg_resource_unref(res);
	return 0;
}

/* Ends a change: the events, then a save now when autoSave is 0. */
static int after_change(cg_call *c, store *s, bool now, pending *q, json_object *result)
{
	emit_all(q);
	if (now) {
		int rc = save_store(s);
		if (rc < 0) {
			json_object_put(result);
			return reject_fmt(c, "failed to save the store %s: %s (os error %d)", s->abs,
					  strerror(-rc), -rc);
		}
	}
	return cg_call_resolve(c, result), 0;
}

static int cmd_set(cg_call *c, void *user)
{
	(void)user;
	cg_resource *res;
	store *s = store_of(c, &res);
	const char *k = s ? key_arg(c) : NULL;
	if (!k) {
		cg_resource_unref(res);
		return 0;
	}
	json_object *v = copy(arg(cg_call_args(c), "value"));
	pending *q = NULL;
	pthread_mutex_lock(&s->st->lock);
	json_object_object_add(s->cache, k, v);
	change_locked(s, k, v, &q);
	bool now = changed_locked(s);
	pthread_mutex_unlock(&s->st->lock);
	after_change(c, s, now, q, NULL);
	cg_resource_unref(res);
	return 0;
}

static int cmd_delete(cg_call *c, void *user)
{
	(void)user;
	cg_resource *res;
	store *s = store_of(c, &res);
	const char *k = s ? key_arg(c) : NULL;
	if (!k) {
		cg_resource_unref(res);
		return 0;
	}
	pending *q = NULL;
	bool now = false;
	pthread_mutex_lock(&s->st->lock);
	bool had = json_object_object_get_ex(s->cache, k, NULL);
	if (had) {
		change_locked(s, k, NULL, &q);
		json_object_object_del(s->cache, k);
		now = changed_locked(s);
	}
	pthread_mutex_unlock(&s->st->lock);
	after_change(c, s, now, q, json_object_new_boolean(had));
	cg_resource_unref(res);
	return 0;
}

/* clear, and reset: back to the defaults (clear when there are none), an
 * event for each key whose value changed, as Tauri's reset. */
static int cmd_clear_reset(cg_call *c, void *user)
{
	(void)user;
	bool reset = !strcmp(strchr(cg_call_command(c), '|') + 1, "reset");
	cg_resource *res;
	store *s = store_of(c, &res);
	if (!s)
		return 0;
	pending *q = NULL;
	pthread_mutex_lock(&s->st->lock);
	json_object *next = reset && s->defaults ? copy(s->defaults) : json_object_new_object();
	json_object_object_foreach(s->cache, k, v) {
		json_object *d = NULL;
		json_object_object_get_ex(next, k, &d);
		if (!d || !json_object_equal(d, v))
			change_locked(s, k, d, &q);
	}
	json_object_object_foreach(next, k2, v2) {
		if (!json_object_object_get_ex(s->cache, k2, NULL))
			change_locked(s, k2, v2, &q);
	}
	json_object_put(s->cache);
	s->cache = next;
	bool now = changed_locked(s);
	pthread_mutex_unlock(&s->st->lock);
	after_change(c, s, now, q, NULL);
	cg_resource_unref(res);
	return 0;
}

/* keys, values, entries, length: one walk of the object, in its order. */
static int cmd_list(cg_call *c, void *user)
{
	(void)user;
	const char *cmd = strchr(cg_call_command(c), '|') + 1;
	cg_resource *res;
	store *s = store_of(c, &res);
	if (!s)
		return 0;
	json_object *out = NULL;
	pthread_mutex_lock(&s->st->lock);
	if (!strcmp(cmd, "length")) {
		out = json_object_new_int64(json_object_object_length(s->cache));
	} else {
		out = json_object_new_array();
		json_object_object_foreach(s->cache, k, v) {
			if (cmd[0] == 'k') {
				json_object_array_add(out, json_object_new_string(k));
			} else if (cmd[0] == 'v') {
				json_object_array_add(out, copy(v));
			} else {
				json_object *pair = json_object_new_array();
				json_object_array_add(pair, json_object_new_string(k));
				json_object_array_add(pair, copy(v));
				json_object_array_add(out, pair);
			}
		}
	}
	pthread_mutex_unlock(&s->st->lock);
	cg_resource_unref(res);
	cg_call_resolve(c, out);
	return 0;
}

/* reload {rid, ignoreDefaults}: the file again, over the defaults unless
 * told to ignore them; a missing file leaves the store as it is (Tauri
 * answers its io error). */
static int cmd_reload(cg_call *c, void *user)
{
	(void)user;
	cg_resource *res;
	store *s = store_of(c, &res);
	if (!s)
		return 0;
	json_object *ig = arg(cg_call_args(c), "ignoreDefaults");
	bool ignore = ig && json_object_get_boolean(ig);
	json_object *file = NULL;
	pthread_mutex_lock(&s->save_lock);
	int rc = read_file(s, &file);
	pthread_mutex_unlock(&s->save_lock);
	if (rc < 0 || !file) {
		if (rc == CG_ESCHEMA)
			reject_fmt(c, "failed to deserialize the store %s: not a JSON object", s->abs);
		else
			reject_fmt(c, "failed to read the store %s: %s (os error %d)", s->abs,
				   strerror(rc < 0 ? -rc : ENOENT), rc < 0 ? -rc : ENOENT);
		cg_resource_unref(res);
		return 0;
	}
	pthread_mutex_lock(&s->st->lock);
	json_object *next = !ignore && s->defaults ? copy(s->defaults) : json_object_new_object();
	merge(next, file);
	json_object_put(s->cache);
	s->cache = next;
	pthread_mutex_unlock(&s->st->lock);
	json_object_put(file);
	cg_resource_unref(res);
	cg_call_resolve(c, NULL);
	return 0;
}

static int cmd_save(cg_call *c, void *user)
{
	(void)user;
	cg_resource *res;
	store *s = store_of(c, &res);
	if (!s)
		return 0;
	int rc = save_store(s);
	if (rc < 0)
		reject_fmt(c, "failed to save the store %s: %s (os error %d)", s->abs, strerror(-rc), -rc);
	else
		cg_call_resolve(c, NULL);
	cg_resource_unref(res);
	return 0;
}

/* ------------------------------------------------------------- the plugin */

static int store_init(const cg_plugin_env *env, json_object *config, void **state, char **why)
{
	(void)config;
	store_state *st = calloc(1, sizeof(*st));
	if (!st)
		return CG_ENOMEM;
	cg_paths_config pc = {.identifier = env ? env->identifier : NULL,
			      .resource_dir = env ? env->resource_dir : NULL};
	int rc = cg_paths_new(&pc, &st->paths);
	if (rc < 0) {
		*why = strdup("the app's identifier cannot name a directory");
		free(st);
		return rc;
	}
	pthread_mutex_init(&st->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&st->saver, NULL, saver_main, st) != 0) {
		pthread_cond_destroy(&st->cond);
		pthread_mutex_destroy(&st->lock);
		cg_paths_free(st->paths);
		free(st);
		return CG_ENOMEM;
	}
	st->saver_running = true;
	*state = st;
	return 0;
}

/* The router removes every webview (and so frees every holder, saving what
 * auto-save owed) before it frees the plugins' states. */
static void store_free_state(void *state)
{
	store_state *st = state;
	if (!st)
		return;
	pthread_mutex_lock(&st->lock);
	st->stop = true;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
	if (st->saver_running)
		pthread_join(st->saver, NULL);
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->lock);
	cg_paths_free(st->paths);
	free(st);
}

static const cg_plugin_command store_commands[] = {
	{"load", cmd_load, CG_CMD_ASYNC},
	{"create_store", cmd_load, CG_CMD_ASYNC},
	{"get_store", cmd_get_store, CG_CMD_ASYNC},
	{"set", cmd_set, CG_CMD_ASYNC},
	{"get", cmd_get, CG_CMD_ASYNC},
	{"has", cmd_has, CG_CMD_ASYNC},
	{"delete", cmd_delete, CG_CMD_ASYNC},
	{"clear", cmd_clear_reset, CG_CMD_ASYNC},
	{"reset", cmd_clear_reset, CG_CMD_ASYNC},
	{"keys", cmd_list, CG_CMD_ASYNC},
	{"values", cmd_list, CG_CMD_ASYNC},
	{"entries", cmd_list, CG_CMD_ASYNC},
	{"length", cmd_list, CG_CMD_ASYNC},
	{"reload", cmd_reload, CG_CMD_ASYNC},
	{"save", cmd_save, CG_CMD_ASYNC},
};

const cg_plugin_def cg_store_kv_plugin = {
	.version = CG_PLUGIN_VERSION,
	.name = "store",
	.manifest_json = cg_store_permissions_json,
	.commands = store_commands,
	.n_commands = sizeof(store_commands) / sizeof(store_commands[0]),
	.init = store_init,
	.free_state = store_free_state,
};
