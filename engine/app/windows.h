/*
 * The windows an app configuration declares: the one reader of window
 * labels for both kinds of config, capgate's app config and Tauri's
 * tauri.conf.json.
 */
#ifndef CG_APP_WINDOWS_H
#define CG_APP_WINDOWS_H

#include "base/jsondoc.h"

/* Called for each window label in order, with the JSON pointer of the
 * label (or of the window, for a Tauri window without one, which is
 * "main"); a non-zero return stops the walk and is returned. */
typedef int (*cg_window_label_fn)(const char *label, const char *pointer, void *user);

/* Walks doc's windows: "app"."windows" when doc is a Tauri config (an
 * object "app"; *tauri is then set), else "windows". A "windows" that is
 * not an array is a located CG_ESCHEMA; entries that are not objects, and
 * capgate windows without a string label, are left to the full reader. */
CG_HIDDEN int cg_config_windows(const cg_jsondoc *doc, bool *tauri, cg_window_label_fn fn,
				void *user, cg_diag *d);

#endif
