/*
 * Window labels of an app configuration, for lint and audit: which
 * windows a capability reaches, and which no capability covers.
 */
#include "app/windows.h"
#include "base/jsonval.h"

#include <stdlib.h>
#include <string.h>

int cg_config_windows(const cg_jsondoc *doc, bool *tauri, cg_window_label_fn fn, void *user,
		      cg_diag *d)
{
	json_object *app = cg_jv_get(doc->root, "app");
	bool t = app && json_object_is_type(app, json_type_object);
	if (tauri)
		*tauri = t;
	json_object *wins = cg_jv_get(t ? app : doc->root, "windows");
	const char *base = t ? "/app/windows" : "/windows";
	if (!wins)
		return 0;
	if (!json_object_is_type(wins, json_type_array)) {
		cg_jsondoc_error(d, doc, CG_ESCHEMA, base, "write \"windows\": [{\"label\": \"main\"}]",
				 "\"windows\" must be an array");
		return CG_ESCHEMA;
	}
	int r = 0;
	for (size_t i = 0; r == 0 && i < json_object_array_length(wins); i++) {
		json_object *w = json_object_array_get_idx(wins, i);
		json_object *lab = json_object_is_type(w, json_type_object) ? cg_jv_get(w, "label") : NULL;
		char *wp = cg_pointer_join_index(base, i);
		char *lp = wp ? cg_pointer_join(wp, "label") : NULL;
		if (!wp || !lp)
			r = CG_ENOMEM;
		else if (lab && json_object_is_type(lab, json_type_string))
			r = fn(json_object_get_string(lab), lp, user);
		else if (!lab && t && json_object_is_type(w, json_type_object))
			r = fn("main", wp, user); /* Tauri's default label */
		free(wp);
		free(lp);
	}
	return r;
}

typedef struct label_cb {
	int (*fn)(const char *label, void *user);
	void *user;
} label_cb;

static int pass_label(const char *label, const char *pointer, void *user)
{
	label_cb *cb = user;
	(void)pointer;
	return cb->fn(label, cb->user);
}

CG_EXPORT int cg_config_window_labels(const char *path, int (*fn)(const char *label, void *user),
				      void *user, cg_diag *d)
{
	if (!path || !fn)
		return CG_EINVAL;
	cg_jsondoc *doc = NULL;
	int r = cg_jsondoc_load_file(path, NULL, &doc, d);
	if (r < 0)
		return r;
	json_object *app = cg_jv_get(doc->root, "app");
	if (!app || !json_object_is_type(app, json_type_object)) {
		/* A capgate config: its own reader, which checks all of it. */
		cg_jsondoc_free(doc);
		cg_appconfig *c = NULL;
		if ((r = cg_appconfig_load(path, &c, d)) < 0)
			return r;
		for (size_t i = 0; r == 0 && i < cg_appconfig_window_count(c); i++)
			r = fn(cg_appconfig_window(c, i)->label, user);
		cg_appconfig_free(c);
		return r;
	}
	label_cb cb = {fn, user};
	r = cg_config_windows(doc, NULL, pass_label, &cb, d);
	json_object *caps = cg_jv_get(cg_jv_get(app, "security"), "capabilities");
	if (r == 0 && caps && json_object_is_type(caps, json_type_array) &&
	    json_object_array_length(caps) > 0) {
		/* Said where it is written, so a reviewer knows the audit
		 * covers more than the app enables. */
		unsigned line = 0, col = 0;
		cg_jsondoc_locate(doc, "/app/security/capabilities", &line, &col);
		cg_diag_add(d, CG_SEV_NOTE, 0, doc->name, line, col, "/app/security/capabilities",
			    "capgate reads every capability file; only those listed are enabled in the app",
			    "the app enables only the %zu capabilities app.security.capabilities names or inlines",
			    json_object_array_length(caps));
	}
	cg_jsondoc_free(doc);
	return r;
}
