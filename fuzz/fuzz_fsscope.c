/*
 * fuzz_fsscope: the fs plugin's scope (plugins/fs/scope.h) against what
 * its entries say, for hostile paths and entries.
 * Input: entries, a newline, a path. Entries are separated by '|'; one
 * that starts with '!' is a deny entry; a first byte '.' turns dotfiles on
 * (CG_FS_DOTFILES). $HOME is /home/u; the app is com.fuzz.app.
 *
 * Invariants, when the scope compiles:
 *   1. checking is deterministic;
 *   2. the verdict is CG_FS_BAD_PATH exactly when the path is empty,
 *      relative, not UTF-8, has a ".." component or is too long once
 *      normalized (a reference written here);
 *   3. a deny entry whose pattern (as expanded, cg_fs_scope_describe)
 *      matches the normalized path refuses it (CG_FS_DENIED), whatever
 *      the allow entries say; a denial names a deny entry;
 *   4. an allowed path is matched by the allow entry the verdict names
 *      (or that entry's root has symlinks resolved); a path no allow entry
 *      matches is not allowed;
 *   5. a literal grant of the path allows exactly it.
 */
#include "fuzz_common.h"
#include "base/internal.h"
#include "base/glob.h"
#include "base/text.h"
#include "fs/scope.h"

#include <limits.h>

static const char *fake_env(void *ud, const char *name)
{
	(void)ud;
	return strcmp(name, "HOME") == 0 ? "/home/u" : NULL;
}

static const char *no_passwd(void *ud)
{
	(void)ud;
	return NULL;
}

static bool utf8_ok(const unsigned char *s)
{
	for (size_t i = 0; s[i];) {
		uint32_t cp;
		size_t n = cg_utf8_decode(s + i, 4, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* The reference normalization: NULL when the path is refused. */
static char *ref_normalize(const char *p)
{
	size_t o = 1, i = 0, len = strlen(p);
	char *out;
	if (!*p || p[0] != '/' || !utf8_ok((const unsigned char *)p))
		return NULL;
	out = malloc(len + 2);
	out[0] = '/';
	while (p[i]) {
		while (p[i] == '/')
			i++;
		size_t s = i;
		while (p[i] && p[i] != '/')
			i++;
		size_t n = i - s;
		if (n == 0 || (n == 1 && p[s] == '.'))
			continue;
		if (n == 2 && p[s] == '.' && p[s + 1] == '.') {
			free(out);
			return NULL;
		}
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, p + s, n);
		o += n;
	}
	out[o] = '\0';
	if (o >= PATH_MAX) {
		free(out);
		return NULL;
	}
	return out;
}

static cg_paths *paths;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *ents, *path;
	if (!paths) {
		cg_paths_config cfg = {"com.fuzz.app", "/opt/app", fake_env, no_passwd, NULL};
		FUZZ_SETUP(cg_paths_new(&cfg, &paths) == 0);
	}
	fuzz_split2(data, size, &ents, &path);
	bool dotfiles = ents[0] == '.';
	json_object *scope = json_object_new_object(), *allow = json_object_new_array(),
		    *deny = json_object_new_array();
	json_object_object_add(scope, "allow", allow);
	json_object_object_add(scope, "deny", deny);
	for (char *e = ents + dotfiles, *bar; e; e = bar ? bar + 1 : NULL) {
		bar = strchr(e, '|');
		if (bar)
			*bar = '\0';
		if (*e == '!')
			json_object_array_add(deny, json_object_new_string(e + 1));
		else if (*e)
			json_object_array_add(allow, json_object_new_string(e));
	}
	cg_fs_scope *s = NULL;
	cg_diag *d = cg_diag_new();
	int rc = cg_fs_scope_new(paths, &scope, 1, dotfiles ? CG_FS_DOTFILES : 0, &s, d);
	cg_diag_free(d);
	json_object_put(scope);
	if (rc != 0) {
		FUZZ_CHECK(rc < 0 && !s, "a failed compile returned %d", rc);
		goto out;
	}

	cg_fs_why why, why2;
	cg_fs_verdict v = cg_fs_check(s, NULL, path, &why);
	FUZZ_CHECK(v == cg_fs_check(s, NULL, path, &why2) && why.entry == why2.entry,
		   "checking \"%s\" is not deterministic", path);
	char *norm = ref_normalize(path);
	FUZZ_CHECK((v == CG_FS_BAD_PATH) == !norm, "\"%s\": verdict %d, the reference %s it", path, v,
		   norm ? "accepts" : "refuses");
	if (norm) {
		unsigned gf = CG_GLOB_LITERAL_SEPARATOR | (dotfiles ? 0 : CG_GLOB_LITERAL_LEADING_DOT);
		json_object *desc = cg_fs_scope_describe(s);
		FUZZ_SETUP(desc);
		bool deny_hit = false, allow_hit = false, named_ok = false;
		for (size_t i = 0; i < json_object_array_length(desc); i++) {
			json_object *e = json_object_array_get_idx(desc, i), *jp, *je, *jd, *jr;
			json_object_object_get_ex(e, "pattern", &jp);
			json_object_object_get_ex(e, "entry", &je);
			json_object_object_get_ex(e, "deny", &jd);
			bool is_deny = json_object_get_boolean(jd);
			bool resolved = json_object_object_get_ex(e, "resolved_root", &jr);
			cg_glob *g = NULL;
			FUZZ_CHECK(cg_glob_new(json_object_get_string(jp), gf, &g, NULL, NULL) == 0,
				   "a compiled entry's pattern \"%s\" does not compile",
				   json_object_get_string(jp));
			bool m = cg_glob_matches(g, norm);
			cg_glob_free(g);
			bool named = why.entry && strcmp(why.entry, json_object_get_string(je)) == 0;
			if (is_deny) {
				deny_hit |= m;
				if (v == CG_FS_DENIED && named)
					named_ok = true;
			} else {
				allow_hit |= m;
				if (v == CG_FS_ALLOWED && named && (m || resolved))
					named_ok = true;
			}
		}
		json_object_put(desc);
		if (deny_hit)
			FUZZ_CHECK(v == CG_FS_DENIED, "\"%s\" (\"%s\"): a deny entry matches, verdict %d",
				   path, norm, v);
		if (v == CG_FS_DENIED || v == CG_FS_ALLOWED)
			FUZZ_CHECK(named_ok, "\"%s\": verdict %d names \"%s\", which does not fit", path, v,
				   why.entry ? why.entry : "(none)");
		if (!allow_hit && v == CG_FS_ALLOWED)
			FUZZ_CHECK(named_ok, "\"%s\": allowed though no allow entry matches", path);

		/* A grant of exactly this path. */
		cg_fs_grants *gr;
		FUZZ_SETUP(cg_fs_grants_new(&gr) == 0);
		FUZZ_CHECK(cg_fs_grants_add(gr, path, CG_FS_GRANT_FILE) == 0, "\"%s\": not grantable", path);
		FUZZ_CHECK(cg_fs_check(NULL, gr, path, NULL) == CG_FS_ALLOWED, "\"%s\": its grant refuses it",
			   path);
		FUZZ_CHECK(cg_fs_check(NULL, gr, norm, NULL) == CG_FS_ALLOWED, "\"%s\": its grant refuses \"%s\"",
			   path, norm);
		cg_fs_grants_free(gr);
		free(norm);
	}
	cg_fs_scope_free(s);
out:
	free(ents);
	free(path);
	return 0;
}
