/*
 * The builder: collects sources (files, directories, JSON text), loads each
 * into a store as it is added, and resolves the store into a policy. It
 * records every source so that a policy can be rebuilt from the same ones.
 */
#include "policy/model.h"
#include "base/ident.h"
#include "base/strhash.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cg_builtin_manifest {
	const char *key;
	const char *name;
	const char *json;
};
extern const struct cg_builtin_manifest cg_builtin_core[];

/* How deep directories may nest below one directory given to a builder. */
#define CG_DIR_DEPTH_MAX 32

/* A directory being read, and every directory one walk has read: symbolic
 * links are followed (as Tauri does), so a directory can be reached
 * again, below itself or by another path. */
typedef struct dir_id {
	dev_t dev;
	ino_t ino;
} dir_id;

/* A directory read for one plugin key (the plugins directory may hold two
 * links to one directory under two names: two plugins). */
typedef struct seen_dir {
	dir_id id;
	char key[];
} seen_dir;

struct cg_builder {
	cg_config cfg;
	cg_store st;
	size_t failures;     /* add_* calls that failed */
	int first_failure;   /* the code of the first */
	bool replaying;      /* rebuilding: do not record sources again */
	GHashTable *skip;    /* lint's second build: capability files left out */
	dir_id open_dirs[CG_DIR_DEPTH_MAX + 1]; /* the walk's current path */
	size_t n_open;
	GHashTable *seen_dirs; /* seen_dir* -> NULL: read by this walk */
};

static const size_t default_limits[5] = {16u << 20, 64, 100000, 64, 1000000};

static void store_init(cg_store *st)
{
	st->plugins = cg_str_table_new(NULL,
					    (GDestroyNotify)cg_plugin_free);
	st->caps = g_ptr_array_new_with_free_func((GDestroyNotify)cg_cap_free);
	st->cap_ids = cg_str_table_new(NULL, NULL);
	st->strings = g_string_chunk_new(1024);
}

static void store_clear(cg_store *st)
{
	if (st->cap_ids)
		g_hash_table_destroy(st->cap_ids);
	if (st->caps)
		g_ptr_array_free(st->caps, TRUE);
	if (st->plugins)
		g_hash_table_destroy(st->plugins);
	if (st->strings)
		g_string_chunk_free(st->strings);
	memset(st, 0, sizeof(*st));
}

CG_EXPORT cg_builder *cg_builder_new(void)
{
	cg_builder *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->cfg.platform = cg_platform_bit("linux");
	b->cfg.platform_name = strdup("linux");
	b->cfg.builtin_core = true;
	memcpy(b->cfg.limits, default_limits, sizeof(default_limits));
	if (!b->cfg.platform_name) {
		free(b);
		return NULL;
	}
	store_init(&b->st);
	return b;
}

CG_EXPORT void cg_builder_free(cg_builder *b)
{
	if (!b)
		return;
	cg_config_clear(&b->cfg);
	store_clear(&b->st);
	if (b->seen_dirs)
		g_hash_table_destroy(b->seen_dirs);
	free(b);
}

void cg_config_clear(cg_config *cfg)
{
	for (size_t i = 0; i < cfg->n_sources; i++) {
		free(cfg->sources[i].plugin);
		free(cfg->sources[i].path);
		free(cfg->sources[i].text);
	}
	free(cfg->sources);
	free(cfg->platform_name);
	memset(cfg, 0, sizeof(*cfg));
}

static int source_copy(cg_source *dst, const cg_source *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->kind = src->kind;
	dst->len = src->len;
	if (src->plugin && !(dst->plugin = strdup(src->plugin)))
		return CG_ENOMEM;
	if (src->path && !(dst->path = strdup(src->path)))
		return CG_ENOMEM;
	if (src->text) {
		if (!(dst->text = malloc(src->len + 1)))
			return CG_ENOMEM;
		memcpy(dst->text, src->text, src->len);
		dst->text[src->len] = 0;
	}
	return 0;
}

int cg_config_copy(cg_config *dst, const cg_config *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->platform = src->platform;
	dst->builtin_core = src->builtin_core;
	memcpy(dst->limits, src->limits, sizeof(dst->limits));
	dst->platform_name = strdup(src->platform_name);
	dst->sources = calloc(src->n_sources ? src->n_sources : 1, sizeof(cg_source));
	if (!dst->platform_name || !dst->sources) {
		cg_config_clear(dst);
		return CG_ENOMEM;
	}
	for (size_t i = 0; i < src->n_sources; i++) {
		dst->n_sources = i + 1;
		if (source_copy(&dst->sources[i], &src->sources[i]) < 0) {
			cg_config_clear(dst);
			return CG_ENOMEM;
		}
	}
	return 0;
}

static int record(cg_builder *b, cg_src_kind kind, const char *plugin,
		  const char *path, const char *text, size_t len)
{
	if (b->replaying)
		return 0;
	cg_source *nv = realloc(b->cfg.sources, (b->cfg.n_sources + 1) * sizeof(*nv));
	if (!nv)
		return CG_ENOMEM;
	b->cfg.sources = nv;
	cg_source src = {kind, (char *)plugin, (char *)path, (char *)text, len};
	if (source_copy(&nv[b->cfg.n_sources], &src) < 0) {
		cg_source *s = &nv[b->cfg.n_sources];
		free(s->plugin);
		free(s->path);
		free(s->text);
		return CG_ENOMEM;
	}
	b->cfg.n_sources++;
	return 0;
}

static int fail(cg_builder *b, int r)
{
	if (r < 0 && !b->failures++)
		b->first_failure = r;
	return r;
}

CG_EXPORT int cg_builder_set_platform(cg_builder *b, const char *platform)
{
	if (!b || !platform)
		return CG_EINVAL;
	unsigned bit = cg_platform_bit(platform);
	if (!bit)
		return CG_EINVAL;
	char *name = strdup(platform);
	if (!name)
		return CG_ENOMEM;
	free(b->cfg.platform_name);
	b->cfg.platform_name = name;
	b->cfg.platform = bit;
	return 0;
}

CG_EXPORT int cg_builder_set_limit(cg_builder *b, cg_limit which, size_t value)
{
	if (!b || (unsigned)which >= 5 || value == 0)
		return CG_EINVAL;
	if (which == CG_LIMIT_JSON_DEPTH && value > 10000)
		return CG_EINVAL;
	b->cfg.limits[which] = value;
	return 0;
}

CG_EXPORT int cg_builder_use_builtin_core(cg_builder *b, int on)
{
	if (!b)
		return CG_EINVAL;
	b->cfg.builtin_core = on != 0;
	return 0;
}

static void sync_limits(cg_builder *b)
{
	b->st.jl.max_size = b->cfg.limits[CG_LIMIT_FILE_SIZE];
	b->st.jl.max_depth = (int)b->cfg.limits[CG_LIMIT_JSON_DEPTH];
	b->st.max_files = b->cfg.limits[CG_LIMIT_FILES];
}

static int count_file(cg_builder *b, const char *path, cg_diag *d)
{
	sync_limits(b);
	if (++b->st.files > b->st.max_files) {
		cg_diag_add(d, CG_SEV_ERROR, CG_ELIMIT, path, 0, 0, NULL,
			    "raise the limit with cg_builder_set_limit(CG_LIMIT_FILES)",
			    "more than %zu files to load", b->st.max_files);
		return CG_ELIMIT;
	}
	return 0;
}

static bool valid_key(const char *key, const char *where, cg_diag *d)
{
	const char *why = NULL;
	if (cg_plugin_key_validate(key, &why) < 0) {
		cg_diag_add(d, CG_SEV_ERROR, CG_EIDENT, where, 0, 0, NULL,
			    "plugin names are the prefix of their permission identifiers, e.g. \"fs\" or \"core:event\"",
			    "invalid plugin name \"%s\": %s", key, why);
		return false;
	}
	return true;
}

static const char *norm_key(const char *plugin)
{
	return plugin ? plugin : "";
}

/* ------------------------------------------------------------- manifests */

static int manifest_file(cg_builder *b, const char *key, const char *path, cg_diag *d)
{
	int r = count_file(b, path, d);
	if (r < 0)
		return r;
	cg_jsondoc *doc = NULL;
	r = cg_jsondoc_load_file(path, &b->st.jl, &doc, d);
	if (r < 0)
		return r;
	r = cg_load_manifest_doc(&b->st, key, doc, d);
	cg_jsondoc_free(doc);
	return r;
}

/* The common start of adding one plugin's source: a valid plugin name,
 * and the source recorded for rebuilds. */
static int plugin_source(cg_builder *b, cg_src_kind kind, const char *plugin,
			 const char *path, const char **key, cg_diag *d)
{
	*key = norm_key(plugin);
	if (!valid_key(*key, path, d))
		return fail(b, CG_EIDENT);
	int r = record(b, kind, *key, path, NULL, 0);
	return r < 0 ? fail(b, r) : 0;
}

CG_EXPORT int cg_builder_add_manifest_file(cg_builder *b, const char *plugin,
					   const char *path, cg_diag *d)
{
	const char *key;
	if (!b || !path)
		return CG_EINVAL;
	int r = plugin_source(b, CG_SRC_MANIFEST_FILE, plugin, path, &key, d);
	return r < 0 ? r : fail(b, manifest_file(b, key, path, d));
}

CG_EXPORT int cg_builder_add_manifest_json(cg_builder *b, const char *plugin,
					   const char *name, const char *text,
					   size_t len, cg_diag *d)
{
	if (!b || !text)
		return CG_EINVAL;
	const char *key = norm_key(plugin);
	if (!name)
		name = "<manifest>";
	if (!valid_key(key, name, d))
		return fail(b, CG_EIDENT);
	int r = record(b, CG_SRC_MANIFEST_JSON, key, name, text, len);
	if (r < 0)
		return fail(b, r);
	cg_jsondoc *doc = NULL;
	sync_limits(b);
	r = cg_jsondoc_load_mem(name, text, len, &b->st.jl, &doc, d);
	if (r == 0)
		r = cg_load_manifest_doc(&b->st, key, doc, d);
	cg_jsondoc_free(doc);
	return fail(b, r);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Lists a directory in name order; each callback sees the full path and
 * whether it is a directory. Symlinks are followed (stat), as Tauri does;
 * so that links cannot make a walk endless (a link to ".") or exponential
 * (several links to the same directory), each directory is read once per
 * walk: one that is being read (a loop) is an error, one read already by
 * another path is skipped with a warning. Directories nest at most
 * CG_DIR_DEPTH_MAX levels. */
typedef int (*dir_cb)(cg_builder *b, const char *key, const char *path,
		      const char *name, bool isdir, cg_diag *d);

static bool dir_id_equal(const dir_id *x, const dir_id *y)
{
	return x->dev == y->dev && x->ino == y->ino;
}

static guint seen_hash(gconstpointer k)
{
	const seen_dir *x = k;
	return (guint)(x->id.ino ^ (x->id.ino >> 32) ^ ((guint64)x->id.dev * 0x9e3779b1u)) ^
	       cg_str_hash(x->key);
}

static gboolean seen_equal(gconstpointer a, gconstpointer b)
{
	const seen_dir *x = a, *y = b;
	return dir_id_equal(&x->id, &y->id) && strcmp(x->key, y->key) == 0;
}

/* 1 when dir may be read (it is entered), 0 when it is skipped, or a
 * negative code after an error at dir. */
static int enter_dir(cg_builder *b, const char *key, const char *dir, cg_diag *d)
{
	struct stat sb;
	if (stat(dir, &sb) < 0)
		return 1; /* scandir reports it */
	dir_id id = {sb.st_dev, sb.st_ino};
	for (size_t i = 0; i < b->n_open; i++)
		if (dir_id_equal(&b->open_dirs[i], &id)) {
			cg_diag_add(d, CG_SEV_ERROR, CG_ELIMIT, dir, 0, 0, NULL,
				    "remove the symbolic link, or point it outside the directory it is in",
				    "symbolic link loop: this directory is one that contains it (%zu level%s up), so reading it would never end",
				    b->n_open - i, b->n_open - i == 1 ? "" : "s");
			return CG_ELIMIT;
		}
	if (b->n_open > CG_DIR_DEPTH_MAX) {
		cg_diag_add(d, CG_SEV_ERROR, CG_ELIMIT, dir, 0, 0, NULL,
			    "keep capability and permission files at most 32 directories deep",
			    "directories nest more than %d levels deep", CG_DIR_DEPTH_MAX);
		return CG_ELIMIT;
	}
	if (!key)
		key = "";
	size_t kl = strlen(key) + 1;
	seen_dir *k = malloc(sizeof(*k) + kl);
	if (!k)
		return CG_ENOMEM;
	k->id = id;
	memcpy(k->key, key, kl);
	if (!b->seen_dirs)
		b->seen_dirs = g_hash_table_new_full(seen_hash, seen_equal, free, NULL);
	if (g_hash_table_contains(b->seen_dirs, k)) {
		free(k);
		cg_diag_add(d, CG_SEV_WARNING, 0, dir, 0, 0, NULL,
			    "a symbolic link leads to a directory read already: remove one of the two ways to it",
			    "directory skipped: its files were read already by another path");
		return 0;
	}
	g_hash_table_add(b->seen_dirs, k);
	b->open_dirs[b->n_open++] = id;
	return 1;
}

static bool has_suffix(const char *s, const char *suf);

static int walk_dir(cg_builder *b, const char *key, const char *dir, dir_cb cb, cg_diag *d)
{
	if (b->n_open == 0 && b->seen_dirs)
		g_hash_table_remove_all(b->seen_dirs); /* a new walk */
	int e = enter_dir(b, key, dir, d);
	if (e <= 0)
		return e;
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		cg_diag_add(d, CG_SEV_ERROR, CG_EIO, dir, 0, 0, NULL,
			    "check the path and its permissions",
			    "cannot read directory: %s", strerror(errno));
		b->n_open--;
		return CG_EIO;
	}
	int ret = 0;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
			continue;
		char *path = cg_strdup_printf("%s/%s", dir, nm);
		if (!path) {
			ret = CG_ENOMEM;
			break;
		}
		struct stat sb;
		bool found = stat(path, &sb) == 0;
		bool isdir = found && S_ISDIR(sb.st_mode);
		int r;
		if (found && !isdir && !S_ISREG(sb.st_mode) && has_suffix(nm, ".json")) {
			/* Opening a FIFO waits for a writer: never block on one. */
			cg_diag_add(d, CG_SEV_ERROR, CG_EIO, path, 0, 0, NULL,
				    "capability and permission files must be regular files",
				    "not a regular file (a pipe, socket or device)");
			r = CG_EIO;
		} else {
			r = cb(b, key, path, nm, isdir, d);
		}
		free(path);
		if (r < 0 && ret == 0)
			ret = r;
		/* Stop when memory ran out or once too many files were read;
		 * one file over the size or depth limit (CG_ELIMIT too) is an
		 * error like any other, and the files after it are still read
		 * and reported. */
		if (r == CG_ENOMEM || (r == CG_ELIMIT && b->st.files > b->st.max_files))
			break;
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	b->n_open--;
	return ret;
}

static int foreign_format(const char *path, const char *what, cg_diag *d)
{
	cg_diag_add(d, CG_SEV_ERROR, CG_EPARSE, path, 0, 0, NULL,
		    "convert the file to strict JSON (same structure) or move it out of the directory",
		    "%s files are not supported; capgate reads JSON %s files only",
		    has_suffix(path, ".toml") ? "TOML" : "JSON5", what);
	return CG_EPARSE;
}

static int manifest_dir_cb(cg_builder *b, const char *key, const char *path,
			   const char *name, bool isdir, cg_diag *d)
{
	if (isdir)
		return walk_dir(b, key, path, manifest_dir_cb, d);
	if (has_suffix(name, ".json"))
		return manifest_file(b, key, path, d);
	if (has_suffix(name, ".toml") || has_suffix(name, ".json5"))
		return foreign_format(path, "permission", d);
	return 0;
}

static int manifest_dir(cg_builder *b, const char *key, const char *dir, cg_diag *d)
{
	/* Make the plugin exist even when its directory is empty: an empty
	 * directory still redefines a built-in core module. */
	cg_plugin *pl = cg_store_plugin(&b->st, key);
	if (!pl)
		return CG_ENOMEM;
	pl->from_manifest = true;
	return walk_dir(b, key, dir, manifest_dir_cb, d);
}

CG_EXPORT int cg_builder_add_manifest_dir(cg_builder *b, const char *plugin,
					  const char *dir, cg_diag *d)
{
	const char *key;
	if (!b || !dir)
		return CG_EINVAL;
	int r = plugin_source(b, CG_SRC_MANIFEST_DIR, plugin, dir, &key, d);
	return r < 0 ? r : fail(b, manifest_dir(b, key, dir, d));
}

static int core_dir_cb(cg_builder *b, const char *key, const char *path,
		       const char *name, bool isdir, cg_diag *d)
{
	if (!isdir)
		return manifest_dir_cb(b, "core", path, name, false, d);
	char *sub = cg_strdup_printf("core:%s", name);
	if (!sub)
		return CG_ENOMEM;
	int r = valid_key(sub, path, d) ? manifest_dir(b, sub, path, d) : CG_EIDENT;
	free(sub);
	return r;
}

static int plugins_dir_cb(cg_builder *b, const char *key, const char *path,
			  const char *name, bool isdir, cg_diag *d)
{
	if (!isdir) {
		if (has_suffix(name, ".json"))
			cg_diag_add(d, CG_SEV_WARNING, CG_ESCHEMA, path, 0, 0, NULL,
				    "put each plugin's manifests in a sub-directory named by its prefix, e.g. fs/",
				    "file ignored: not inside a plugin directory");
		return 0;
	}
	if (strcmp(name, "core") == 0) {
		/* Only files directly in core/ define "core" (core:default). */
		return walk_dir(b, "core", path, core_dir_cb, d);
	}
	if (strcmp(name, "app") == 0 || strcmp(name, "__app-acl__") == 0)
		return manifest_dir(b, "", path, d);
	if (!valid_key(name, path, d))
		return CG_EIDENT;
	return manifest_dir(b, name, path, d);
}

CG_EXPORT int cg_builder_add_plugins_dir(cg_builder *b, const char *dir, cg_diag *d)
{
	if (!b || !dir)
		return CG_EINVAL;
	int r = record(b, CG_SRC_PLUGINS_DIR, NULL, dir, NULL, 0);
	if (r < 0)
		return fail(b, r);
	return fail(b, walk_dir(b, NULL, dir, plugins_dir_cb, d));
}

CG_EXPORT int cg_builder_add_tauri_manifests(cg_builder *b, const char *path, cg_diag *d)
{
	if (!b || !path)
		return CG_EINVAL;
	int r = record(b, CG_SRC_TAURI_MANIFESTS, NULL, path, NULL, 0);
	if (r < 0)
		return fail(b, r);
	if ((r = count_file(b, path, d)) < 0)
		return fail(b, r);
	cg_jsondoc *doc = NULL;
	r = cg_jsondoc_load_file(path, &b->st.jl, &doc, d);
	if (r == 0)
		r = cg_load_tauri_manifests_doc(&b->st, doc, d);
	cg_jsondoc_free(doc);
	return fail(b, r);
}

/* ----------------------------------------------------------- capabilities */

static int capability_file(cg_builder *b, const char *path, cg_diag *d)
{
	if (b->skip && g_hash_table_contains(b->skip, path))
		return 0;
	int r = count_file(b, path, d);
	if (r < 0)
		return r;
	cg_jsondoc *doc = NULL;
	r = cg_jsondoc_load_file(path, &b->st.jl, &doc, d);
	if (r < 0)
		return r;
	r = cg_load_capability_doc(&b->st, doc, d);
	cg_jsondoc_free(doc);
	return r;
}

CG_EXPORT int cg_builder_add_capability_file(cg_builder *b, const char *path, cg_diag *d)
{
	if (!b || !path)
		return CG_EINVAL;
	int r = record(b, CG_SRC_CAP_FILE, NULL, path, NULL, 0);
	if (r < 0)
		return fail(b, r);
	return fail(b, capability_file(b, path, d));
}

static int cap_dir_cb(cg_builder *b, const char *key, const char *path,
		      const char *name, bool isdir, cg_diag *d)
{
	if (isdir)
		return walk_dir(b, NULL, path, cap_dir_cb, d);
	if (has_suffix(name, ".json"))
		return capability_file(b, path, d);
	if (has_suffix(name, ".toml") || has_suffix(name, ".json5"))
		return foreign_format(path, "capability", d);
	return 0; /* Tauri reads only json/json5/toml: .gitkeep and READMEs stay out */
}

CG_EXPORT int cg_builder_add_capability_dir(cg_builder *b, const char *dir, cg_diag *d)
{
	if (!b || !dir)
		return CG_EINVAL;
	int r = record(b, CG_SRC_CAP_DIR, NULL, dir, NULL, 0);
	if (r < 0)
		return fail(b, r);
	return fail(b, walk_dir(b, NULL, dir, cap_dir_cb, d));
}

CG_EXPORT int cg_builder_add_tauri_config(cg_builder *b, const char *path, cg_diag *d)
{
	if (!b || !path)
		return CG_EINVAL;
	int r = record(b, CG_SRC_TAURI_CONFIG, NULL, path, NULL, 0);
	if (r < 0)
		return fail(b, r);
	if (b->skip && g_hash_table_contains(b->skip, path))
		return 0;
	if ((r = count_file(b, path, d)) < 0)
		return fail(b, r);
	cg_jsondoc *doc = NULL;
	r = cg_jsondoc_load_file(path, &b->st.jl, &doc, d);
	if (r == 0)
		r = cg_load_tauri_config_doc(&b->st, doc, d);
	cg_jsondoc_free(doc);
	return r < 0 ? fail(b, r) : r;
}

CG_EXPORT int cg_builder_add_capability_json(cg_builder *b, const char *name,
					     const char *text, size_t len, cg_diag *d)
{
	if (!b || !text)
		return CG_EINVAL;
	if (!name)
		name = "<capability>";
	int r = record(b, CG_SRC_CAP_JSON, NULL, name, text, len);
	if (r < 0)
		return fail(b, r);
	cg_jsondoc *doc = NULL;
	sync_limits(b);
	r = cg_jsondoc_load_mem(name, text, len, &b->st.jl, &doc, d);
	if (r == 0)
		r = cg_load_capability_doc(&b->st, doc, d);
	cg_jsondoc_free(doc);
	return fail(b, r);
}

CG_EXPORT int cg_builder_declare_command(cg_builder *b, const char *plugin,
					 const char *command)
{
	if (!b || !command || !*command)
		return CG_EINVAL;
	const char *key = norm_key(plugin);
	if (!valid_key(key, NULL, NULL))
		return fail(b, CG_EIDENT);
	int r = record(b, CG_SRC_DECLARE, key, command, NULL, 0);
	if (r < 0)
		return fail(b, r);
	cg_plugin *pl = cg_store_plugin(&b->st, key);
	if (!pl)
		return fail(b, CG_ENOMEM);
	return fail(b, cg_plugin_declare(pl, command));
}

CG_EXPORT int cg_builder_add_manifest_fallback(cg_builder *b, const char *plugin,
					       const char *name, const char *text, size_t len)
{
	if (!b || !plugin || !*plugin || !text)
		return CG_EINVAL;
	const char *why;
	if (cg_plugin_key_validate(plugin, &why) < 0)
		return CG_EIDENT;
	return record(b, CG_SRC_MANIFEST_FALLBACK, plugin, name ? name : "<manifest>", text, len);
}

/* ------------------------------------------------------------------ build */

/* A plugin's fallback manifest counts only when no source defined the
 * plugin: decided at build time, when every source has been added. A
 * second fallback for a plugin one already supplied is skipped. */
static int load_fallbacks(cg_builder *b, cg_diag *d)
{
	for (size_t i = 0; i < b->cfg.n_sources; i++) {
		const cg_source *s = &b->cfg.sources[i];
		if (s->kind != CG_SRC_MANIFEST_FALLBACK)
			continue;
		cg_plugin *existing = g_hash_table_lookup(b->st.plugins, s->plugin);
		if (existing && existing->from_manifest)
			continue;
		cg_jsondoc *doc = NULL;
		sync_limits(b);
		int r = cg_jsondoc_load_mem(s->path, s->text, s->len, &b->st.jl, &doc, d);
		if (r == 0)
			r = cg_load_manifest_doc(&b->st, s->plugin, doc, d);
		cg_jsondoc_free(doc);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_builtin_core(cg_builder *b, cg_diag *d)
{
	for (const struct cg_builtin_manifest *m = cg_builtin_core; m->key; m++) {
		cg_plugin *existing = g_hash_table_lookup(b->st.plugins, m->key);
		if (existing && existing->from_manifest && !existing->builtin)
			continue; /* a manifest source redefines it */
		cg_jsondoc *doc = NULL;
		int r = cg_jsondoc_load_mem(m->name, m->json, strlen(m->json), NULL, &doc, d);
		if (r == 0)
			r = cg_load_manifest_doc(&b->st, m->key, doc, d);
		cg_jsondoc_free(doc);
		if (r < 0)
			return r;
		cg_plugin *pl = g_hash_table_lookup(b->st.plugins, m->key);
		if (pl) {
			pl->builtin = true;
			pl->from_manifest = false;
		}
	}
	return 0;
}

/* A build that fails says why in d, even when what failed (memory,
 * mostly) added no entry of its own. */
static int no_policy(cg_diag *d, size_t errors_before, int r)
{
	if (r < 0 && cg_diag_error_count(d) == errors_before)
		cg_diag_add(d, CG_SEV_ERROR, r, NULL, 0, 0, NULL, NULL, "%s; no policy was built",
			    cg_strerror(r));
	return r;
}

CG_EXPORT int cg_builder_build(cg_builder *b, cg_policy **out, cg_diag *d)
{
	if (!out)
		return CG_EINVAL;
	*out = NULL;
	if (!b)
		return CG_EINVAL;
	if (b->failures) {
		if (!cg_diag_error_count(d))
			cg_diag_add(d, CG_SEV_ERROR, b->first_failure, NULL, 0, 0, NULL, NULL,
				    "%zu source(s) failed to load (%s); no policy was built", b->failures,
				    cg_strerror(b->first_failure));
		return CG_ESTATE;
	}
	if (!b->st.plugins)
		return CG_ESTATE; /* already built */
	size_t errors = cg_diag_error_count(d);
	int r = 0;
	if ((r = load_fallbacks(b, d)) < 0)
		return no_policy(d, errors, r);
	if (b->cfg.builtin_core && (r = load_builtin_core(b, d)) < 0)
		return no_policy(d, errors, r);
	cg_policy *p = calloc(1, sizeof(*p));
	if (!p)
		return no_policy(d, errors, CG_ENOMEM);
	p->refs = 1;
	pthread_mutex_init(&p->cache_lock, NULL);
	if ((r = cg_config_copy(&p->cfg, &b->cfg)) < 0) {
		cg_policy_destroy(p);
		return no_policy(d, errors, r);
	}
	r = cg_resolve(p, &b->st, d);
	/* The store's contents now belong to the policy (or are gone). */
	store_clear(&b->st);
	if (r < 0) {
		cg_policy_destroy(p);
		return no_policy(d, errors, r);
	}
	*out = p;
	return 0;
}

const cg_config *cg_builder_config(const cg_builder *b) { return &b->cfg; }

int cg_build_from_config(const cg_config *cfg, cg_policy **out, cg_diag *d)
{
	return cg_build_from_config_skipping(cfg, NULL, out, d);
}

int cg_build_from_config_skipping(const cg_config *cfg, GHashTable *skip, cg_policy **out,
				  cg_diag *d)
{
	size_t errors = cg_diag_error_count(d);
	cg_builder *b = cg_builder_new();
	if (!b)
		return no_policy(d, errors, CG_ENOMEM);
	b->skip = skip;
	cg_config_clear(&b->cfg);
	int r = cg_config_copy(&b->cfg, cfg);
	if (r < 0) {
		cg_builder_free(b);
		return no_policy(d, errors, r);
	}
	b->replaying = true;
	for (size_t i = 0; i < cfg->n_sources; i++) {
		const cg_source *s = &cfg->sources[i];
		switch (s->kind) {
		case CG_SRC_MANIFEST_FILE: cg_builder_add_manifest_file(b, s->plugin, s->path, d); break;
		case CG_SRC_MANIFEST_DIR: cg_builder_add_manifest_dir(b, s->plugin, s->path, d); break;
		case CG_SRC_MANIFEST_JSON: cg_builder_add_manifest_json(b, s->plugin, s->path, s->text, s->len, d); break;
		case CG_SRC_PLUGINS_DIR: cg_builder_add_plugins_dir(b, s->path, d); break;
		case CG_SRC_TAURI_MANIFESTS: cg_builder_add_tauri_manifests(b, s->path, d); break;
		case CG_SRC_CAP_FILE: cg_builder_add_capability_file(b, s->path, d); break;
		case CG_SRC_CAP_DIR: cg_builder_add_capability_dir(b, s->path, d); break;
		case CG_SRC_CAP_JSON:
			if (!skip || !g_hash_table_contains(skip, s->path))
				cg_builder_add_capability_json(b, s->path, s->text, s->len, d);
			break;
		case CG_SRC_DECLARE: cg_builder_declare_command(b, s->plugin, s->path); break;
		case CG_SRC_TAURI_CONFIG: cg_builder_add_tauri_config(b, s->path, d); break;
		case CG_SRC_MANIFEST_FALLBACK:
			cg_builder_add_manifest_fallback(b, s->plugin, s->path, s->text, s->len);
			break;
		}
	}
	r = cg_builder_build(b, out, d);
	cg_builder_free(b);
	return r;
}
