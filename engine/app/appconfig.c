/*
 * The app configuration file. Read with the same strict reader as policy
 * files, so a typo ("window" for "windows", "csp " with a space) is an
 * error with file:line:column, not a silently ignored setting.
 */
#include "policy/model.h"
#include "base/glob.h"
#include "base/jsonval.h"
#include "seccomp/seccomp_conf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct cg_appconfig {
	char *name, *version, *identifier;
	char *frontend, *capabilities, *permissions, *isolation;
	char *pattern, *csp;
	cg_window_config *windows;
	size_t n_windows;
	cg_urlpattern **nav, **frames;
	size_t n_nav, n_frames;
	size_t limits[CG_RLIMIT_BINARY_SIZE + 1];
	size_t windows_limit;     /* limits.windows; 0 when not set */
	size_t binary_in_flight;  /* limits.binary_in_flight; 0 when not set */
	cg_seccomp_conf seccomp;
	json_object *plugins;     /* "plugins": NAME -> its config, or NULL */
};

CG_EXPORT void cg_appconfig_free(cg_appconfig *c)
{
	if (!c)
		return;
	json_object_put(c->plugins);
	free(c->name);
	free(c->version);
	free(c->identifier);
	free(c->frontend);
	free(c->capabilities);
	free(c->permissions);
	free(c->isolation);
	free(c->pattern);
	free(c->csp);
	for (size_t i = 0; i < c->n_windows; i++) {
		free((char *)c->windows[i].label);
		free((char *)c->windows[i].title);
		free((char *)c->windows[i].url);
	}
	free(c->windows);
	for (size_t i = 0; i < c->n_nav; i++)
		cg_urlpattern_free(c->nav[i]);
	for (size_t i = 0; i < c->n_frames; i++)
		cg_urlpattern_free(c->frames[i]);
	free(c->nav);
	free(c->frames);
	cg_seccomp_conf_clear(&c->seccomp);
	free(c);
}

static int get_str(cg_diag *d, const cg_jsondoc *doc, json_object *o, const char *key,
		   const char *base, char **out, bool required)
{
	json_object *v = cg_jv_get(o, key);
	char *p = cg_pointer_join(base, key);
	int r = 0;
	if (!v) {
		if (required) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, base, NULL, "missing \"%s\"", key);
			r = CG_ESCHEMA;
		}
	} else if (!cg_jv_expect(d, doc, v, p ? p : base, json_type_string, key)) {
		r = CG_ESCHEMA;
	} else if (!(*out = strdup(json_object_get_string(v)))) {
		r = CG_ENOMEM;
	}
	free(p);
	return r;
}

/* Tauri's rule for identifiers (letters, digits, '-' and '.'), which also
 * makes it a safe directory name: the app's website data lives under it. */
static bool identifier_ok(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 255 || id[0] == '.' || id[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
		      (id[i] >= '0' && id[i] <= '9') || id[i] == '-' || id[i] == '.'))
			return false;
	return true;
}

/* A path relative to the config file's directory, made absolute. */
static char *resolve_path(const char *dir, const char *p)
{
	if (!p)
		return NULL;
	if (p[0] == '/')
		return strdup(p);
	return cg_strdup_printf("%s/%s", dir, p);
}

static int get_int(cg_diag *d, const cg_jsondoc *doc, json_object *o, const char *key,
		   const char *base, int min, int max, int *out)
{
	json_object *v = cg_jv_get(o, key);
	if (!v)
		return 0;
	char *p = cg_pointer_join(base, key);
	int r = 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < min ||
	    json_object_get_int64(v) > max) {
		cg_jsondoc_error(d, doc, CG_ESCHEMA, p ? p : base, NULL,
				 "\"%s\" must be an integer from %d to %d", key, min, max);
		r = CG_ESCHEMA;
	} else {
		*out = (int)json_object_get_int64(v);
	}
	free(p);
	return r;
}

static int read_windows(cg_appconfig *c, cg_diag *d, const cg_jsondoc *doc, json_object *v)
{
	static const char *const keys[] = {"label", "title", "url", "width", "height", "visible", NULL};
	if (!cg_jv_expect(d, doc, v, "/windows", json_type_array, "\"windows\""))
		return CG_ESCHEMA;
	size_t n = json_object_array_length(v);
	c->windows = calloc(n ? n : 1, sizeof(*c->windows));
	if (!c->windows)
		return CG_ENOMEM;
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *w = json_object_array_get_idx(v, i);
		char *base = cg_pointer_join_index("/windows", i);
		cg_window_config *wc = &c->windows[c->n_windows];
		char *label = NULL, *title = NULL, *url = NULL;
		int r = base ? 0 : CG_ENOMEM;
		if (r == 0 && !cg_jv_expect(d, doc, w, base, json_type_object, "a window"))
			r = CG_ESCHEMA;
		if (r == 0 && cg_jv_unknown_keys(d, doc, w, base, keys, CG_SEV_ERROR, "a window"))
			r = CG_ESCHEMA;
		if (r == 0)
			r = get_str(d, doc, w, "label", base, &label, true);
		if (r == 0 && !*label) {
			char *p = cg_pointer_join(base, "label");
			cg_jsondoc_error(d, doc, CG_ESCHEMA, p ? p : base, "name the window, e.g. \"main\"",
					 "a window label cannot be empty");
			free(p);
			r = CG_ESCHEMA;
		}
		if (r == 0)
			r = get_str(d, doc, w, "title", base, &title, false);
		if (r == 0)
			r = get_str(d, doc, w, "url", base, &url, false);
		wc->width = 800;
		wc->height = 600;
		wc->visible = 1;
		if (r == 0)
			r = get_int(d, doc, w, "width", base, 1, 100000, &wc->width);
		if (r == 0)
			r = get_int(d, doc, w, "height", base, 1, 100000, &wc->height);
		json_object *vis = cg_jv_get(w, "visible");
		if (r == 0 && vis) {
			char *p = cg_pointer_join(base, "visible");
			if (cg_jv_expect(d, doc, vis, p ? p : base, json_type_boolean, "\"visible\""))
				wc->visible = json_object_get_boolean(vis);
			else
				r = CG_ESCHEMA;
			free(p);
		}
		for (size_t k = 0; r == 0 && label && k < c->n_windows; k++)
			if (strcmp(c->windows[k].label, label) == 0) {
				char *p = cg_pointer_join(base, "label");
				cg_jsondoc_error(d, doc, CG_EDUPLICATE, p ? p : base, "give each window its own label",
						 "duplicate window label \"%s\"", label);
				free(p);
				r = CG_EDUPLICATE;
			}
		if (r == 0 && !title && !(title = strdup(label)))
			r = CG_ENOMEM;
		if (r == 0 && !url && !(url = strdup("index.html")))
			r = CG_ENOMEM;
		if (r == 0) {
			wc->label = label;
			wc->title = title;
			wc->url = url;
			c->n_windows++;
		} else {
			free(label);
			free(title);
			free(url);
			ret = ret ? ret : r;
		}
		free(base);
	}
	return ret;
}

static int read_patterns(cg_diag *d, const cg_jsondoc *doc, json_object *v, const char *ptr,
			 cg_urlpattern ***out, size_t *n)
{
	char **vec = NULL;
	size_t cnt = 0;
	int r = cg_jv_strings(d, doc, v, ptr, ptr + 10, &vec, &cnt);
	if (r < 0)
		return r;
	*out = calloc(cnt ? cnt : 1, sizeof(**out));
	if (!*out) {
		cg_strv_free(vec);
		return CG_ENOMEM;
	}
	for (size_t i = 0; i < cnt; i++) {
		const char *err = NULL;
		size_t off = 0;
		cg_urlpattern *p = cg_urlpattern_new(vec[i], &err, &off);
		if (!p && CG_URLPATTERN_NOMEM(err)) {
			r = CG_ENOMEM;
			break;
		}
		if (!p) {
			char *ep = cg_pointer_join_index(ptr, i);
			cg_jsondoc_error(d, doc, CG_EPATTERN, ep ? ep : ptr, "write a URL pattern such as \"https://example.com/*\"",
					 "bad URL pattern \"%s\" at offset %zu: %s", vec[i], off, err ? err : "invalid");
			free(ep);
			r = CG_EPATTERN;
			continue;
		}
		(*out)[(*n)++] = p;
	}
	cg_strv_free(vec);
	return r;
}

static int read_limits(cg_appconfig *c, cg_diag *d, const cg_jsondoc *doc, json_object *v)
{
	/* The router's, in cg_router_limit order, then the runtime's. */
	static const char *const keys[] = {"message_size", "depth", "string", "pending",
					   "listeners", "workers", "timeout", "binary_size", "windows",
					   "binary_in_flight", NULL};
	const char *base = "/security/limits";
	if (!cg_jv_expect(d, doc, v, base, json_type_object, "\"limits\""))
		return CG_ESCHEMA;
	if (cg_jv_unknown_keys(d, doc, v, base, keys, CG_SEV_ERROR, "\"limits\""))
		return CG_ESCHEMA;
	/* The router's own bounds, so a config never asks for what
	 * cg_router_set_limit would refuse. */
	static const int max[] = {INT_MAX, 4096, INT_MAX, INT_MAX, INT_MAX, 256, INT_MAX, INT_MAX, CG_WINDOWS_MAX,
				  INT_MAX};
	int r = 0;
	for (int i = 0; keys[i]; i++) {
		int val = 0;
		int rr = get_int(d, doc, v, keys[i], base, 1, max[i], &val);
		if (rr < 0)
			r = rr;
		else if (i <= CG_RLIMIT_BINARY_SIZE)
			c->limits[i] = (size_t)val;
		else if (strcmp(keys[i], "windows") == 0)
			c->windows_limit = (size_t)val;
		else
			c->binary_in_flight = (size_t)val;
	}
	/* The router's default binary_size is 64 MiB (engine/router/router.c). */
	size_t one = c->limits[CG_RLIMIT_BINARY_SIZE] ? c->limits[CG_RLIMIT_BINARY_SIZE] : (size_t)64 << 20;
	if (r == 0 && c->binary_in_flight && c->binary_in_flight < one) {
		cg_jsondoc_error(d, doc, CG_ELIMIT, "/security/limits/binary_in_flight",
				 "raise limits.binary_in_flight to at least limits.binary_size, or lower binary_size",
				 "limits.binary_in_flight (%zu bytes) is smaller than limits.binary_size (%zu bytes): "
				 "no binary call of the largest allowed size could ever be taken",
				 c->binary_in_flight, one);
		r = CG_ELIMIT;
	}
	return r;
}

static int read_pattern(cg_appconfig *c, cg_diag *d, const cg_jsondoc *doc, json_object *v,
			const char *dir)
{
	const char *ptr = "/security/pattern";
	if (json_object_is_type(v, json_type_string)) {
		if (strcmp(json_object_get_string(v), "brownfield") != 0) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr,
					 "use \"brownfield\" or {\"use\": \"isolation\", \"options\": {\"dir\": \"...\"}}",
					 "unknown pattern \"%s\"", json_object_get_string(v));
			return CG_ESCHEMA;
		}
		return (c->pattern = strdup("brownfield")) ? 0 : CG_ENOMEM;
	}
	static const char *const keys[] = {"use", "options", NULL};
	if (!cg_jv_expect(d, doc, v, ptr, json_type_object, "\"pattern\"") ||
	    cg_jv_unknown_keys(d, doc, v, ptr, keys, CG_SEV_ERROR, "\"pattern\""))
		return CG_ESCHEMA;
	json_object *use = cg_jv_get(v, "use"), *opts = cg_jv_get(v, "options"), *odir = cg_jv_get(opts, "dir");
	if (!json_object_is_type(use, json_type_string) ||
	    (strcmp(json_object_get_string(use), "brownfield") != 0 &&
	     strcmp(json_object_get_string(use), "isolation") != 0)) {
		cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr, NULL, "\"use\" must be \"brownfield\" or \"isolation\"");
		return CG_ESCHEMA;
	}
	if (strcmp(json_object_get_string(use), "isolation") == 0) {
		if (!json_object_is_type(odir, json_type_string)) {
			cg_jsondoc_error(d, doc, CG_ESCHEMA, ptr, "add \"options\": {\"dir\": \"isolation\"}",
					 "the isolation pattern needs \"options.dir\", the isolation app's directory");
			return CG_ESCHEMA;
		}
		if (!(c->isolation = resolve_path(dir, json_object_get_string(odir))))
			return CG_ENOMEM;
	}
	c->pattern = strdup(json_object_get_string(use));
	return c->pattern ? 0 : CG_ENOMEM;
}

static int read_security(cg_appconfig *c, cg_diag *d, const cg_jsondoc *doc, json_object *v,
			 const char *dir)
{
	static const char *const keys[] = {"pattern", "csp", "capabilities", "permissions",
					   "navigation", "frames", "limits", "seccomp", NULL};
	const char *base = "/security";
	if (!cg_jv_expect(d, doc, v, base, json_type_object, "\"security\""))
		return CG_ESCHEMA;
	int ret = cg_jv_unknown_keys(d, doc, v, base, keys, CG_SEV_ERROR, "\"security\"") ? CG_ESCHEMA : 0;
	char *caps = NULL, *perms = NULL;
	int r;
	if ((r = get_str(d, doc, v, "csp", base, &c->csp, false)) < 0)
		ret = r;
	if ((r = get_str(d, doc, v, "capabilities", base, &caps, false)) < 0)
		ret = r;
	if ((r = get_str(d, doc, v, "permissions", base, &perms, false)) < 0)
		ret = r;
	c->capabilities = resolve_path(dir, caps);
	c->permissions = resolve_path(dir, perms);
	if ((caps && !c->capabilities) || (perms && !c->permissions))
		ret = CG_ENOMEM;
	free(caps);
	free(perms);
	json_object *x;
	if ((x = cg_jv_get(v, "pattern")) && (r = read_pattern(c, d, doc, x, dir)) < 0)
		ret = r;
	if ((x = cg_jv_get(v, "navigation")) &&
	    (r = read_patterns(d, doc, x, "/security/navigation", &c->nav, &c->n_nav)) < 0)
		ret = r;
	if ((x = cg_jv_get(v, "frames")) &&
	    (r = read_patterns(d, doc, x, "/security/frames", &c->frames, &c->n_frames)) < 0)
		ret = r;
	if ((x = cg_jv_get(v, "limits")) && (r = read_limits(c, d, doc, x)) < 0)
		ret = r;
	if ((x = cg_jv_get(v, "seccomp")) &&
	    (r = cg_seccomp_conf_read(&c->seccomp, d, doc, x, "/security/seccomp")) < 0)
		ret = r;
	return ret;
}

CG_EXPORT int cg_appconfig_load(const char *path, cg_appconfig **out, cg_diag *d)
{
	static const char *const keys[] = {"$schema", "name", "version", "identifier", "frontend",
					   "windows", "security", "plugins", NULL};
	if (!out)
		return CG_EINVAL;
	*out = NULL;
	if (!path)
		return CG_EINVAL;
	cg_jsondoc *doc = NULL;
	int ret = cg_jsondoc_load_file(path, NULL, &doc, d);
	if (ret < 0)
		return ret;
	cg_appconfig *c = calloc(1, sizeof(*c));
	if (c)
		cg_seccomp_conf_init(&c->seccomp);
	char *abs = realpath(path, NULL);
	char *dir = abs ? strdup(abs) : NULL;
	if (dir && strrchr(dir, '/'))
		*strrchr(dir, '/') = 0;
	if (!c || !dir) {
		ret = CG_ENOMEM;
		goto out;
	}
	json_object *root = doc->root;
	if (!cg_jv_expect(d, doc, root, "", json_type_object, "an app configuration")) {
		ret = CG_ESCHEMA;
		goto out;
	}
	if (cg_jv_unknown_keys(d, doc, root, "", keys, CG_SEV_ERROR, "the app configuration"))
		ret = CG_ESCHEMA;
	int r;
	char *front = NULL;
	if ((r = get_str(d, doc, root, "name", "", &c->name, true)) < 0)
		ret = r;
	if ((r = get_str(d, doc, root, "version", "", &c->version, false)) < 0)
		ret = r;
	if ((r = get_str(d, doc, root, "identifier", "", &c->identifier, false)) < 0)
		ret = r;
	else if (c->identifier && !identifier_ok(c->identifier)) {
		cg_jsondoc_error(d, doc, CG_EIDENT, "/identifier",
				 "use reverse domain notation, e.g. \"com.example.notes\": letters, digits, '-' and '.', "
				 "not first",
				 "the identifier \"%.80s\" names the app's data directory and may hold only ASCII letters, "
				 "digits, '-' and '.' (at most 255, not starting with '.' or '-')", c->identifier);
		ret = CG_EIDENT;
	}
	if ((r = get_str(d, doc, root, "frontend", "", &front, false)) < 0)
		ret = r;
	if (!(c->frontend = resolve_path(dir, front ? front : ".")))
		ret = CG_ENOMEM;
	free(front);
	json_object *x;
	if ((x = cg_jv_get(root, "windows")) && (r = read_windows(c, d, doc, x)) < 0)
		ret = r;
	if ((x = cg_jv_get(root, "security")) && (r = read_security(c, d, doc, x, dir)) < 0)
		ret = r;
	/* Each plugin checks its own object when it is enabled. */
	if ((x = cg_jv_get(root, "plugins"))) {
		if (!cg_jv_expect(d, doc, x, "/plugins", json_type_object,
				  "an object of plugin configurations (\"plugins\": {\"fs\": {...}})"))
			ret = CG_ESCHEMA;
		else
			c->plugins = json_object_get(x);
	}
	if (ret == 0 && c->windows_limit && c->n_windows > c->windows_limit) {
		cg_jsondoc_error(d, doc, CG_ELIMIT, "/security/limits/windows",
				 "raise limits.windows or list fewer windows",
				 "\"windows\" lists %zu windows, more than limits.windows (%zu) lets open at once",
				 c->n_windows, c->windows_limit);
		ret = CG_ELIMIT;
	}
	if (!c->pattern && !(c->pattern = strdup("brownfield")))
		ret = CG_ENOMEM;
	if (!c->version && !(c->version = strdup("0.0.0")))
		ret = CG_ENOMEM;
out:
	free(abs);
	free(dir);
	cg_jsondoc_free(doc);
	if (ret < 0) {
		cg_appconfig_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

CG_EXPORT json_object *cg_appconfig_plugin_config(const cg_appconfig *c, const char *name)
{
	json_object *v = NULL;
	if (!c || !name || !c->plugins || !json_object_object_get_ex(c->plugins, name, &v))
		return NULL;
	return v;
}

CG_EXPORT const char *cg_appconfig_name(const cg_appconfig *c) { return c ? c->name : NULL; }
CG_EXPORT const char *cg_appconfig_version(const cg_appconfig *c) { return c ? c->version : NULL; }
CG_EXPORT const char *cg_appconfig_identifier(const cg_appconfig *c) { return c ? c->identifier : NULL; }
CG_EXPORT const char *cg_appconfig_frontend_dir(const cg_appconfig *c) { return c ? c->frontend : NULL; }
CG_EXPORT const char *cg_appconfig_capabilities_dir(const cg_appconfig *c) { return c ? c->capabilities : NULL; }
CG_EXPORT const char *cg_appconfig_permissions_dir(const cg_appconfig *c) { return c ? c->permissions : NULL; }
CG_EXPORT const char *cg_appconfig_isolation_dir(const cg_appconfig *c) { return c ? c->isolation : NULL; }
CG_EXPORT const char *cg_appconfig_pattern(const cg_appconfig *c) { return c ? c->pattern : NULL; }
CG_EXPORT const char *cg_appconfig_csp(const cg_appconfig *c) { return c ? c->csp : NULL; }
CG_EXPORT size_t cg_appconfig_window_count(const cg_appconfig *c) { return c ? c->n_windows : 0; }

CG_EXPORT const cg_window_config *cg_appconfig_window(const cg_appconfig *c, size_t i)
{
	return c && i < c->n_windows ? &c->windows[i] : NULL;
}

static int any_match(cg_urlpattern *const *pats, size_t n, const char *url)
{
	cg_url u;
	if (!url || cg_url_parse(url, &u, NULL) < 0)
		return 0;
	int ok = 0;
	for (size_t i = 0; !ok && i < n; i++)
		ok = cg_urlpattern_match(pats[i], &u);
	cg_url_clear(&u);
	return ok;
}

CG_EXPORT int cg_appconfig_navigation_allowed(const cg_appconfig *c, const char *url)
{
	return c ? any_match(c->nav, c->n_nav, url) : 0;
}

CG_EXPORT int cg_appconfig_frame_allowed(const cg_appconfig *c, const char *url)
{
	return c ? any_match(c->frames, c->n_frames, url) : 0;
}

CG_EXPORT size_t cg_appconfig_limit(const cg_appconfig *c, cg_router_limit which)
{
	return c && (unsigned)which <= CG_RLIMIT_BINARY_SIZE ? c->limits[which] : 0;
}

CG_EXPORT size_t cg_appconfig_window_limit(const cg_appconfig *c)
{
	return c ? c->windows_limit : 0;
}

CG_EXPORT size_t cg_appconfig_binary_in_flight(const cg_appconfig *c)
{
	return c ? c->binary_in_flight : 0;
}

CG_EXPORT size_t cg_appconfig_frames_count(const cg_appconfig *c)
{
	return c ? c->n_frames : 0;
}

const cg_seccomp_conf *cg_appconfig_seccomp_conf(const cg_appconfig *c)
{
	return c ? &c->seccomp : NULL;
}
