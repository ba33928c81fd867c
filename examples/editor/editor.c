/*
 * The example editor: a notes app whose three windows (main, settings,
 * about) get exactly what examples/editor/capabilities/ grants them.
 *
 *   editor [--config FILE | --isolation] [--frontend DIR] [--tour SCREENSHOT.png]
 *
 * App commands (C handlers, all on the main loop):
 *   list_notes()              -> ["name.md", ...]
 *   read_note({name})         -> text     (checked against the command scope)
 *   save_note({name, text})   -> null     (checked; then the core emits "note-saved" {name})
 *   get_settings()            -> {theme, fontSize}
 *   set_settings({settings})  -> {theme, fontSize}   (the settings page then
 *                                emits "settings-changed" itself)
 *
 * Notes live in one directory: $CAPGATE_EDITOR_NOTES, else (--tour) a fresh
 * temporary directory, else $XDG_DATA_HOME/capgate-editor/notes. A note's
 * scope path is "$NOTES/<name>", matched with fnmatch(3) against the
 * {"path": GLOB} entries of the caller's scope; a deny entry wins.
 *
 * --isolation runs it under the isolation pattern (capgate-isolation.json):
 * every call first goes through the hook in isolation/index.html, which
 * refuses to save any note but welcome.md and todo.md.
 *
 * --tour drives the pages from the ready callback (as tests/test_runtime.c
 * does), prints what happened, saves a PNG of the main window and exits 0
 * when every step behaved as expected, 1 otherwise.
 */
#include <capgate-runtime.h>
#include "capgate-testing.h" /* eval, snapshot, ...: not in the installed library */

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef EDITOR_CONFIG
#define EDITOR_CONFIG "capgate.json"
#endif
#ifndef EDITOR_ISOLATION_CONFIG
#define EDITOR_ISOLATION_CONFIG "capgate-isolation.json"
#endif
#ifndef EDITOR_FRONTEND
#define EDITOR_FRONTEND ""
#endif

#define NOTE_MAX (1024 * 1024) /* bytes of one note */
#define NAME_MAX_LEN 128

typedef struct editor {
	cg_app *app;
	char *notes;  /* the notes directory, absolute */
} editor;

typedef struct settings {
	char theme[8];  /* "light" or "dark" */
	int font_size;  /* 10..32 */
} settings;

/* ----------------------------------------------------------- the notes */

/* NULL when name is a plain file name in the notes directory; otherwise
 * why it is not. */
static const char *bad_name(json_object *v)
{
	if (!v || !json_object_is_type(v, json_type_string))
		return "needs a string \"name\"";
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);
	if (len == 0)
		return "the name is empty";
	if (len > NAME_MAX_LEN)
		return "the name is too long";
	if (strlen(s) != len)
		return "the name contains a NUL character";
	if (strchr(s, '/') || strstr(s, ".."))
		return "the name may not contain '/' or '..' (notes live in one directory)";
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20)
			return "the name contains a control character";
	return NULL;
}

static const char *glob_of(json_object *entry)
{
	json_object *p;
	if (!json_object_is_type(entry, json_type_object) || !json_object_object_get_ex(entry, "path", &p) ||
	    !json_object_is_type(p, json_type_string))
		return NULL;
	return json_object_get_string(p);
}

/* The command scope is {"allow": [{"path": GLOB}...], "deny": [...]}, the
 * union of every grant of the command that applies to the caller. A deny
 * entry wins; nothing matches an empty allow list. Returns NULL when
 * "$NOTES/<name>" is in scope, else a message (g_free). */
static char *out_of_scope(cg_call *c, const char *name)
{
	json_object *scope = cg_call_command_scope(c), *allow = NULL, *deny = NULL;
	char *path = g_strconcat("$NOTES/", name, NULL), *why = NULL;
	json_object_object_get_ex(scope, "allow", &allow);
	json_object_object_get_ex(scope, "deny", &deny);
	size_t nd = json_object_is_type(deny, json_type_array) ? json_object_array_length(deny) : 0;
	size_t na = json_object_is_type(allow, json_type_array) ? json_object_array_length(allow) : 0;
	for (size_t i = 0; i < nd && !why; i++) {
		const char *g = glob_of(json_object_array_get_idx(deny, i));
		if (g && fnmatch(g, path, FNM_PATHNAME) == 0)
			why = g_strdup_printf("%s: \"%s\" is denied to window \"%s\" by the scope entry "
					      "{\"path\": \"%s\"}", cg_call_command(c), name, cg_call_window(c), g);
	}
	int allowed = 0;
	GString *globs = g_string_new("");
	for (size_t i = 0; i < na && !allowed; i++) {
		const char *g = glob_of(json_object_array_get_idx(allow, i));
		if (!g)
			continue;
		allowed = fnmatch(g, path, FNM_PATHNAME) == 0;
		g_string_append_printf(globs, "%s\"%s\"", globs->len ? ", " : "", g);
	}
	if (!why && !allowed)
		why = globs->len
			? g_strdup_printf("%s: \"%s\" is outside the scope of window \"%s\" (allowed: %s)",
					  cg_call_command(c), name, cg_call_window(c), globs->str)
			: g_strdup_printf("%s: window \"%s\" has no path scope; give its allow-%s permission "
					  "{\"path\": \"$NOTES/*.md\"} entries", cg_call_command(c), cg_call_window(c),
					  strcmp(cg_call_command(c), "read_note") == 0 ? "read-note" : "save-note");
	g_string_free(globs, TRUE);
	g_free(path);
	return why;
}

/* Checks the call's "name"; on success its string, else the call has been
 * rejected and NULL is returned. */
static const char *checked_name(cg_call *c)
{
	json_object *v = NULL;
	json_object_object_get_ex(cg_call_args(c), "name", &v);
	const char *bad = bad_name(v);
	if (bad) {
		char *msg = g_strdup_printf("%s: %s", cg_call_command(c), bad);
		cg_call_reject(c, msg);
		g_free(msg);
		return NULL;
	}
	char *why = out_of_scope(c, json_object_get_string(v));
	if (why) {
		cg_call_reject(c, why);
		g_free(why);
		return NULL;
	}
	return json_object_get_string(v);
}

/* g_ptr_array_sort passes pointers to the elements. */
static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int h_list_notes(cg_call *c, void *user)
{
	editor *ed = user;
	GError *err = NULL;
	GDir *d = g_dir_open(ed->notes, 0, &err);
	if (!d) {
		char *msg = g_strdup_printf("list_notes: %s", err->message);
		g_error_free(err);
		int rc = cg_call_reject(c, msg);
		g_free(msg);
		return rc;
	}
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d))) {
		struct stat st;
		char *p = g_build_filename(ed->notes, n, NULL);
		if (n[0] != '.' && lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			g_ptr_array_add(names, g_strdup(n));
		g_free(p);
	}
	g_dir_close(d);
	g_ptr_array_sort(names, by_name);
	json_object *a = json_object_new_array();
	for (guint i = 0; i < names->len; i++)
		json_object_array_add(a, json_object_new_string(g_ptr_array_index(names, i)));
	g_ptr_array_free(names, TRUE);
	return cg_call_resolve(c, a);
}

static int reject_errno(cg_call *c, const char *name, int e)
{
	char *msg = g_strdup_printf("%s: \"%s\": %s", cg_call_command(c), name,
				    e == ENOENT ? "no such note" : e == ELOOP ? "is a symbolic link" : g_strerror(e));
	int rc = cg_call_reject(c, msg);
	g_free(msg);
	return rc;
}

static int h_read_note(cg_call *c, void *user)
{
	editor *ed = user;
	const char *name = checked_name(c);
	if (!name)
		return 0;
	char *path = g_build_filename(ed->notes, name, NULL);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	g_free(path);
	if (fd < 0)
		return reject_errno(c, name, errno);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > NOTE_MAX) {
		close(fd);
		return cg_call_reject(c, "read_note: not a regular file of at most 1 MiB");
	}
	char *buf = g_malloc((size_t)st.st_size + 1);
	size_t got = 0;
	ssize_t n;
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = 0;
	int rc = g_utf8_validate(buf, (gssize)got, NULL)
			 ? cg_call_resolve(c, json_object_new_string_len(buf, (int)got))
			 : cg_call_reject(c, "read_note: the note is not UTF-8 text");
	g_free(buf);
	return rc;
}

static int h_save_note(cg_call *c, void *user)
{
	editor *ed = user;
	const char *name = checked_name(c);
	if (!name)
		return 0;
	json_object *text;
	if (!json_object_object_get_ex(cg_call_args(c), "text", &text) || !json_object_is_type(text, json_type_string))
		return cg_call_reject(c, "save_note: needs a string \"text\"");
	if (json_object_get_string_len(text) > NOTE_MAX)
		return cg_call_reject(c, "save_note: a note holds at most 1 MiB");
	char *path = g_build_filename(ed->notes, name, NULL);
	GError *err = NULL;
	/* Written to a temporary file and renamed over: a symbolic link at
	 * path is replaced, never followed. */
	gboolean ok = g_file_set_contents_full(path, json_object_get_string(text), json_object_get_string_len(text),
					       G_FILE_SET_CONTENTS_CONSISTENT, 0644, &err);
	g_free(path);
	if (!ok) {
		char *msg = g_strdup_printf("save_note: %s", err->message);
		g_error_free(err);
		int rc = cg_call_reject(c, msg);
		g_free(msg);
		return rc;
	}
	/* Copied: the call owns name, and the answer may release the call. */
	json_object *payload = json_object_new_object();
	json_object_object_add(payload, "name", json_object_new_string(name));
	int rc = cg_call_resolve(c, NULL);
	/* Every window whose capability lets it listen to note-saved hears it. */
	cg_app_emit(ed->app, "note-saved", CG_TARGET_ANY, NULL, payload);
	json_object_put(payload);
	return rc;
}

/* ------------------------------------------------------------ settings */

static json_object *settings_json(const settings *s)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "theme", json_object_new_string(s->theme));
	json_object_object_add(o, "fontSize", json_object_new_int(s->font_size));
	return o;
}

static int h_get_settings(cg_call *c, void *user)
{
	return cg_call_resolve(c, settings_json(cg_call_state(c, "settings")));
}

/* set_settings({settings: {theme?, fontSize?}}): all checked, then all
 * applied; unknown keys are refused rather than ignored. */
static int h_set_settings(cg_call *c, void *user)
{
	settings *s = cg_call_state(c, "settings"), next = *s;
	json_object *in;
	if (!json_object_object_get_ex(cg_call_args(c), "settings", &in) || !json_object_is_type(in, json_type_object))
		return cg_call_reject(c, "set_settings: needs an object \"settings\"");
	json_object_object_foreach(in, key, val) {
		if (strcmp(key, "theme") == 0) {
			const char *t = json_object_is_type(val, json_type_string) ? json_object_get_string(val) : "";
			if (strcmp(t, "light") != 0 && strcmp(t, "dark") != 0)
				return cg_call_reject(c, "set_settings: \"theme\" must be \"light\" or \"dark\"");
			g_strlcpy(next.theme, t, sizeof(next.theme));
		} else if (strcmp(key, "fontSize") == 0) {
			if (!json_object_is_type(val, json_type_int) || json_object_get_int64(val) < 10 ||
			    json_object_get_int64(val) > 32)
				return cg_call_reject(c, "set_settings: \"fontSize\" must be an integer from 10 to 32");
			next.font_size = (int)json_object_get_int64(val);
		} else {
			char *msg = g_strdup_printf("set_settings: unknown setting \"%s\" (theme, fontSize)", key);
			int rc = cg_call_reject(c, msg);
			g_free(msg);
			return rc;
		}
	}
	*s = next;
	return cg_call_resolve(c, settings_json(s));
}

/* ---------------------------------------------------------------- tour */

static struct {
	cg_app *app;
	editor *ed;
	const settings *settings;
	const char *png;
	int failures, step, started;
} T;

static void step(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void step(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%2d. ", ++T.step);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
}

/* One outcome line under the current step: "ok" or "FAILED". */
static void outcome(int ok, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void outcome(int ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("    %s ", ok ? "ok:" : "FAILED:");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
	if (!ok)
		T.failures++;
}

typedef struct js_wait {
	int done, abandoned;
	char *json, *error;
} js_wait;

static void on_js(cg_app *a, const char *json, const char *error, void *user)
{
	js_wait *w = user;
	if (w->abandoned) { /* the tour stopped waiting for it */
		g_free(w);
		return;
	}
	w->json = g_strdup(json);
	w->error = g_strdup(error);
	w->done = 1;
}

/* Runs script, a function body (it may await), in a window's page and
 * returns its result, or NULL with *err set (g_free) when the window is
 * not there, the script threw, or 30 s went by. */
static json_object *eval_js(const char *label, const char *script, char **err)
{
	js_wait *w = g_new0(js_wait, 1);
	if (cg_app_eval(T.app, label, script, on_js, w) < 0) {
		g_free(w);
		*err = g_strdup_printf("no window \"%s\"", label);
		return NULL;
	}
	gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while (!w->done && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	if (!w->done) {
		w->abandoned = 1;
		*err = g_strdup("no answer in 30 s");
		return NULL;
	}
	json_object *o = NULL;
	if (w->error)
		*err = g_strdup(w->error);
	else if (!(o = json_tokener_parse(w->json)) && strcmp(w->json, "null") != 0)
		*err = g_strdup_printf("not JSON: %s", w->json);
	else
		*err = NULL;
	g_free(w->json);
	g_free(w->error);
	g_free(w);
	return o;
}

/* eval_js for scripts whose result only matters as a string; "" on error. */
static char *eval_str(const char *label, const char *script)
{
	char *err = NULL;
	json_object *o = eval_js(label, script, &err);
	char *s = g_strdup(err ? err : json_object_is_type(o, json_type_string) ? json_object_get_string(o)
										: json_object_to_json_string(o));
	json_object_put(o);
	g_free(err);
	return s;
}

static gboolean tick(gpointer data)
{
	*(int *)data = 1;
	return G_SOURCE_REMOVE;
}

/* Lets the main loop run for a moment between two looks at a page. */
static void pause_loop(void)
{
	int fired = 0;
	g_timeout_add(50, tick, &fired);
	while (!fired)
		g_main_context_iteration(NULL, TRUE);
}

/* Waits (30 s at most) until script returns true in a window: the
 * condition decides, not the time. */
static int wait_true(const char *label, const char *script)
{
	gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while (g_get_monotonic_time() < end) {
		char *err = NULL;
		json_object *o = eval_js(label, script, &err);
		int ok = o && json_object_is_type(o, json_type_boolean) && json_object_get_boolean(o);
		json_object_put(o);
		g_free(err);
		if (ok)
			return 1;
		pause_loop();
	}
	return 0;
}

static int page_ready(const char *label)
{
	return wait_true(label, "return document.readyState === 'complete' && document.body.dataset.ready === '1';");
}

/* A JavaScript string literal for s. */
static char *js_string(const char *s)
{
	json_object *o = json_object_new_string(s);
	char *lit = g_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return lit;
}

/* What the core answers when a page calls cmd: its error text (g_free),
 * or NULL when the call was allowed (the value then goes to *value). */
static char *probe(const char *label, const char *cmd, const char *args_json, char **value)
{
	char *script = g_strdup_printf("return await window.editorProbe('%s', %s);", cmd, args_json);
	char *err = NULL;
	json_object *o = eval_js(label, script, &err), *v;
	g_free(script);
	char *denial = NULL;
	if (!o)
		denial = g_strdup_printf("(the tour could not ask: %s)", err);
	else if (json_object_object_get_ex(o, "error", &v))
		denial = g_strdup(json_object_get_string(v));
	else if (value)
		*value = g_strdup_printf("ALLOWED, and returned %s", json_object_object_get_ex(o, "value", &v)
				? json_object_to_json_string_ext(v, JSON_C_TO_STRING_NOSLASHESCAPE) : "null");
	json_object_put(o);
	g_free(err);
	return denial;
}

static char *note_on_disk(const char *name)
{
	char *path = g_build_filename(T.ed->notes, name, NULL), *text = NULL;
	g_file_get_contents(path, &text, NULL, NULL);
	g_free(path);
	return text;
}

#define EDITED_TEXT \
	"# Welcome\n\nEdited and saved by the tour: main's page called save_note,\n" \
	"the C handler checked the name against main's scope ($NOTES/*.md)\n" \
	"and wrote this file, and the core emitted note-saved.\n"

static void run_tour(cg_app *app, void *user)
{
	T.started = 1;
	char *s, *value = NULL;

	step("main starts and lists the notes (list_notes)");
	if (!page_ready("main")) {
		s = eval_str("main", "return document.body.dataset.error || 'not ready';");
		outcome(0, "the main page did not start: %s", s);
		g_free(s);
		goto done;
	}
	s = eval_str("main", "return [...document.querySelectorAll('#notes button')].map(b => b.dataset.name).join(', ');");
	outcome(strstr(s, "welcome.md") != NULL, "main shows: %s", s);
	g_free(s);

	step("main opens the settings window (core:webview:allow-create-webview-window)");
	g_free(eval_str("main", "document.querySelector('#open-settings').click(); return true;"));
	if (page_ready("settings")) {
		s = eval_str("settings", "return `theme ${document.querySelector('#theme').value}, "
					 "font size ${document.querySelector('#font-size').value}`;");
		outcome(1, "settings is open and read its settings with get_settings: %s", s);
		g_free(s);
	} else {
		s = eval_str("main", "return document.querySelector('#status').textContent;");
		outcome(0, "the settings window did not come up (main says: %s)", s);
		g_free(s);
	}

	step("main opens welcome.md (read_note, scope $NOTES/*.md)");
	char *before = note_on_disk("welcome.md");
	char *lit = js_string(before ? before : "");
	g_free(eval_str("main", "document.querySelector('#notes button[data-name=\"welcome.md\"]').click(); return true;"));
	s = g_strdup_printf("return document.querySelector('#note-name').value === 'welcome.md' && "
			    "document.querySelector('#editor').value === %s;", lit);
	int shown = before && wait_true("main", s);
	g_free(s);
	g_free(lit);
	outcome(shown, "the editor shows the note's %zu bytes (%s)", before ? strlen(before) : 0,
		shown ? "same as on disk" : "NOT what is on disk");
	g_free(before);

	step("main edits welcome.md and saves it (save_note)");
	lit = js_string(EDITED_TEXT);
	s = g_strdup_printf("const e = document.querySelector('#editor'); e.value = %s;"
			    " e.dispatchEvent(new Event('input')); document.querySelector('#save').click(); return true;", lit);
	g_free(eval_str("main", s));
	g_free(s);
	int saved = wait_true("main", "return document.querySelector('#status').textContent === 'Saved welcome.md';");
	s = eval_str("main", "return document.querySelector('#status').textContent;");
	char *after = note_on_disk("welcome.md");
	char *check = g_strdup_printf("return document.querySelector('#editor').value === %s;", lit);
	int page_text = wait_true("main", check);
	g_free(check);
	g_free(lit);
	outcome(saved && after && strcmp(after, EDITED_TEXT) == 0 && page_text,
		"main's page says \"%s\", shows the new text, and the file on disk has it (%zu bytes)", s,
		after ? strlen(after) : 0);
	g_free(s);
	g_free(after);

	step("the core emits note-saved; main and settings both hear it");
	int in_main = wait_true("main", "return [...document.querySelectorAll('#events li')]"
					".some(li => li.textContent.includes('note-saved {\"name\":\"welcome.md\"}'));");
	int in_settings = wait_true("settings", "return document.querySelector('#last-saved').textContent === 'welcome.md';");
	outcome(in_main, "main's event list shows note-saved {\"name\":\"welcome.md\"}");
	outcome(in_settings, "settings shows \"Last note saved: welcome.md\"");

	step("main tries names outside its scope: each is refused by the handler's scope check");
	static const struct { const char *cmd, *args; } outside[] = {
		{"save_note", "{name: 'todo.txt', text: 'x'}"},
		{"read_note", "{name: '.hidden.md'}"},
		{"read_note", "{name: '../capgate.json'}"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(outside); i++) {
		value = NULL;
		char *denial = probe("main", outside[i].cmd, outside[i].args, &value);
		outcome(denial && !strstr(denial, "could not ask"), "%s(%s) -> %s", outside[i].cmd, outside[i].args,
			denial ? denial : value);
		g_free(denial);
		g_free(value);
	}
	char *stray = note_on_disk("todo.txt");
	if (stray)
		outcome(0, "todo.txt was written anyway");
	g_free(stray);

	const char *pattern = cg_appconfig_pattern(cg_app_config(T.app));
	if (pattern && strcmp(pattern, "isolation") == 0) {
		step("main saves draft.md: the policy allows it ($NOTES/*.md), the isolation hook refuses it");
		value = NULL;
		char *refusal = probe("main", "save_note", "{name: 'draft.md', text: 'x'}", &value);
		char *draft = note_on_disk("draft.md");
		outcome(refusal && strstr(refusal, "refused by the isolation hook") && !draft,
			"save_note({name: 'draft.md'}) -> %s%s", refusal ? refusal : value,
			draft ? " (and draft.md was written)" : "");
		g_free(refusal);
		g_free(value);
		g_free(draft);
	}

	step("settings tries to read a note (read_note): DENIED by the policy");
	value = NULL;
	char *denial = probe("settings", "read_note", "{name: 'welcome.md'}", &value);
	outcome(denial && strstr(denial, "read_note") && !strstr(denial, "could not ask"),
		"the engine says: %s", denial ? denial : value);
	g_free(denial);
	g_free(value);

	step("settings switches to the dark theme, font size 17 (set_settings, emit settings-changed); main hears it");
	g_free(eval_str("settings", "document.querySelector('#theme').value = 'dark';"
				    " document.querySelector('#font-size').value = '17';"
				    " document.querySelector('#apply').click(); return true;"));
	int applied = wait_true("settings", "return document.querySelector('#status').textContent === 'Saved';");
	s = eval_str("settings", "return document.querySelector('#status').textContent;");
	const settings *st = T.settings; /* the managed state, as the handlers see it */
	outcome(applied && strcmp(st->theme, "dark") == 0 && st->font_size == 17,
		"settings says \"%s\"; the core's state is now {theme %s, fontSize %d}", s, st->theme, st->font_size);
	g_free(s);
	int heard = wait_true("main", "return document.body.dataset.theme === 'dark' && [...document.querySelectorAll('#events li')]"
				      ".some(li => li.textContent.includes('settings-changed'));");
	outcome(heard, "main received settings-changed and switched to the dark theme");

	step("main opens the about window; about tries list_notes: DENIED (it has no permissions)");
	g_free(eval_str("main", "document.querySelector('#open-about').click(); return true;"));
	if (!page_ready("about")) {
		outcome(0, "the about window did not come up");
	} else {
		g_free(eval_str("about", "document.querySelector('#try').click(); return true;"));
		wait_true("about", "return document.querySelector('#result').textContent !== '';");
		s = eval_str("about", "return document.querySelector('#result').textContent;");
		outcome(g_str_has_prefix(s, "denied: ") && strstr(s, "list_notes"), "about's page shows: %s", s);
		g_free(s);
	}

	step("screenshot of the main window");
	int rc = cg_app_snapshot(T.app, "main", T.png);
	GStatBuf sb;
	outcome(rc == 0 && g_stat(T.png, &sb) == 0 && sb.st_size > 0, "%s (%s)", T.png,
		rc == 0 ? "written" : cg_strerror(rc));

done:
	printf("\n%s: %d step(s), %d unexpected outcome(s)\n", T.failures ? "TOUR FAILED" : "tour passed", T.step,
	       T.failures);
	fflush(stdout);
	cg_app_quit(T.app);
}

/* Without a ready callback (a page that never loads), give up. */
static gboolean tour_watchdog(gpointer data)
{
	if (!T.started) {
		printf("tour: the windows did not finish loading in 120 s\n");
		T.failures++;
		cg_app_quit(T.app);
	}
	return G_SOURCE_REMOVE;
}

/* ---------------------------------------------------------------- setup */

static void print_diag(cg_diag *d)
{
	for (size_t i = 0; i < cg_diag_count(d); i++) {
		char *m = cg_diag_format(d, i);
		fputs(m ? m : "out of memory\n", stderr);
		free(m);
	}
}

static int write_note(const char *dir, const char *name, const char *text, int replace)
{
	char *p = g_build_filename(dir, name, NULL);
	int rc = 0;
	if (replace || !g_file_test(p, G_FILE_TEST_EXISTS))
		rc = g_file_set_contents(p, text, -1, NULL) ? 0 : -1;
	g_free(p);
	return rc;
}

static char *make_notes_dir(int tour, int *temporary)
{
	const char *env = g_getenv("CAPGATE_EDITOR_NOTES");
	char *dir;
	*temporary = 0;
	if (env && *env) {
		dir = g_canonicalize_filename(env, NULL);
	} else if (tour) {
		dir = g_dir_make_tmp("capgate-editor-XXXXXX", NULL);
		*temporary = 1;
	} else {
		dir = g_build_filename(g_get_user_data_dir(), "capgate-editor", "notes", NULL);
	}
	if (!dir || g_mkdir_with_parents(dir, 0700) < 0) {
		fprintf(stderr, "editor: cannot create the notes directory %s: %s\n", dir ? dir : "(temporary)",
			g_strerror(errno));
		g_free(dir);
		return NULL;
	}
	/* A first run (and every tour) starts with two notes. */
	GDir *d = g_dir_open(dir, 0, NULL);
	int empty = d && !g_dir_read_name(d);
	if (d)
		g_dir_close(d);
	if (empty || tour) {
		write_note(dir, "welcome.md", "# Welcome\n\nPick a note on the left, edit it, and save.\n"
					      "Only *.md names in this directory are in the main window's scope.\n", 0);
		write_note(dir, "ideas.md", "# Ideas\n\n- a settings window that cannot read notes\n"
					    "- an about window that can do nothing\n", 0);
	}
	return dir;
}

static void remove_dir(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, n, NULL);
		g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
}

static int same_dir(const char *a, const char *b)
{
	char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
	int same = ra && rb && strcmp(ra, rb) == 0;
	free(ra);
	free(rb);
	return same;
}

/* A relative path of the config, made absolute against its directory. */
static void absolutize(json_object *obj, const char *key, const char *base)
{
	json_object *v;
	if (obj && json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string) &&
	    !g_path_is_absolute(json_object_get_string(v))) {
		char *p = g_build_filename(base, json_object_get_string(v), NULL);
		json_object_object_add(obj, key, json_object_new_string(p));
		g_free(p);
	}
}

/* The runtime reads the frontend directory from the config file only. To
 * serve another one (a VPATH build's dist), load a copy of the config with
 * "frontend" replaced and its other relative paths made absolute. */
static cg_app *load_app(const char *config, const char *frontend, cg_diag *d)
{
	cg_appconfig *cfg = NULL;
	if (cg_appconfig_load(config, &cfg, d) < 0)
		return NULL;
	int keep = !frontend || !*frontend || same_dir(cg_appconfig_frontend_dir(cfg), frontend);
	char *want = g_strdup(keep ? cg_appconfig_frontend_dir(cfg) : frontend);
	cg_appconfig_free(cfg);
	char *index = g_build_filename(want, "index.html", NULL);
	if (!g_file_test(index, G_FILE_TEST_IS_REGULAR)) {
		fprintf(stderr, "editor: the frontend is not built (no %s): run make, or pass --frontend DIR\n", index);
		g_free(index);
		g_free(want);
		return NULL;
	}
	g_free(index);
	if (keep) {
		g_free(want);
		return cg_app_new(config, d);
	}
	char *abs = realpath(config, NULL), *base = g_path_get_dirname(abs), *fe = realpath(want, NULL);
	json_object *root = json_object_from_file(config), *sec = NULL, *pat = NULL, *opts = NULL;
	json_object_object_add(root, "frontend", json_object_new_string(fe));
	if (json_object_object_get_ex(root, "security", &sec)) {
		absolutize(sec, "capabilities", base);
		absolutize(sec, "permissions", base);
		if (json_object_object_get_ex(sec, "pattern", &pat) && json_object_object_get_ex(pat, "options", &opts))
			absolutize(opts, "dir", base);
	}
	char *tmp = g_dir_make_tmp("capgate-editor-config-XXXXXX", NULL);
	char *copy = tmp ? g_build_filename(tmp, "capgate.json", NULL) : NULL;
	cg_app *app = NULL;
	if (copy && json_object_to_file_ext(copy, root, JSON_C_TO_STRING_PRETTY) == 0)
		app = cg_app_new(copy, d); /* reads everything it needs now */
	else
		fprintf(stderr, "editor: cannot write a copy of %s\n", config);
	if (copy)
		g_unlink(copy);
	if (tmp)
		g_rmdir(tmp);
	json_object_put(root);
	g_free(copy);
	g_free(tmp);
	free(abs);
	g_free(base);
	free(fe);
	g_free(want);
	return app;
}

static void usage(FILE *f)
{
	fputs("usage: editor [--config FILE | --isolation] [--frontend DIR] [--tour SCREENSHOT.png]\n"
	      "  --config FILE    the app configuration (default " EDITOR_CONFIG ")\n"
	      "  --isolation      the isolation pattern: --config " EDITOR_ISOLATION_CONFIG "\n"
	      "  --frontend DIR   serve the built pages from DIR (default: the build tree's\n"
	      "                   examples/editor/frontend/dist; also $CAPGATE_EDITOR_FRONTEND)\n"
	      "  --tour PNG       drive the windows through a scripted tour, print what happened,\n"
	      "                   save a screenshot of the main window; exit 0 if all went as expected\n"
	      "Notes: $CAPGATE_EDITOR_NOTES, else (--tour) a temporary directory, else\n"
	      "$XDG_DATA_HOME/capgate-editor/notes.\n",
	      f);
}

int main(int argc, char **argv)
{
	const char *config = NULL, *frontend = NULL, *tour = NULL;
	int isolation = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--isolation")) {
			isolation = 1;
		} else if ((!strcmp(a, "--config") || !strcmp(a, "--frontend") || !strcmp(a, "--tour")) && i + 1 < argc) {
			const char **dst = !strcmp(a, "--config") ? &config : !strcmp(a, "--frontend") ? &frontend : &tour;
			*dst = argv[++i];
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "editor: unknown or incomplete argument \"%s\"\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (isolation && config) {
		fprintf(stderr, "editor: --isolation and --config cannot be combined (set security.pattern in FILE)\n");
		return 2;
	}
	if (!frontend)
		frontend = g_getenv("CAPGATE_EDITOR_FRONTEND");
	if (!frontend && !config && *EDITOR_FRONTEND)
		frontend = EDITOR_FRONTEND;
	if (!config)
		config = isolation ? EDITOR_ISOLATION_CONFIG : EDITOR_CONFIG;

	cg_diag *d = cg_diag_new();
	cg_app *app = load_app(config, frontend, d);
	if (!app) {
		print_diag(d);
		cg_diag_free(d);
		return 1;
	}
	int temporary = 0;
	editor ed = {app, make_notes_dir(tour != NULL, &temporary)};
	if (!ed.notes) {
		cg_app_free(app);
		cg_diag_free(d);
		return 1;
	}
	settings *st = g_new0(settings, 1);
	g_strlcpy(st->theme, "light", sizeof(st->theme));
	st->font_size = 14;
	cg_app_manage(app, "settings", st, g_free);
	cg_app_register(app, NULL, "list_notes", h_list_notes, &ed, CG_CMD_SYNC);
	cg_app_register(app, NULL, "read_note", h_read_note, &ed, CG_CMD_SYNC);
	cg_app_register(app, NULL, "save_note", h_save_note, &ed, CG_CMD_SYNC);
	cg_app_register(app, NULL, "get_settings", h_get_settings, NULL, CG_CMD_SYNC);
	cg_app_register(app, NULL, "set_settings", h_set_settings, NULL, CG_CMD_SYNC);

	if (tour) {
		T.app = app;
		T.ed = &ed;
		T.settings = st;
		T.png = tour;
		printf("capgate editor tour (notes in %s)\n\n", ed.notes);
		fflush(stdout);
		cg_app_on_ready(app, run_tour, NULL);
		g_timeout_add_seconds(120, tour_watchdog, NULL);
	} else {
		printf("capgate editor: notes in %s\n", ed.notes);
	}
	int rc = cg_app_run(app, d);
	if (rc < 0)
		print_diag(d);
	cg_app_free(app);
	cg_diag_free(d);
	if (temporary)
		remove_dir(ed.notes);
	g_free(ed.notes);
	if (rc < 0)
		return 1;
	return tour && (T.failures || !T.started) ? 1 : 0;
}
