/*
 * capgate-testing.h - hooks for tests, benchmarks and scripted tours: not
 * part of the installed library or its ABI. They are built only into
 * libcgruntime-testing (runtime/testing.c, -DCG_TESTING), which the
 * programs under tests/, bench/ and examples/editor link.
 */
#ifndef CAPGATE_TESTING_H
#define CAPGATE_TESTING_H

#include <capgate-runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Evaluates JavaScript (a function body; it may await) in a window's page
 * and gives the JSON of its result to cb; for tests and tours.
 * CG_ENOTFOUND when no window has that label. */
typedef void (*cg_app_js_fn)(cg_app *app, const char *json, const char *error, void *user);
int cg_app_eval(cg_app *app, const char *label, const char *script, cg_app_js_fn cb, void *user);
/* The same in the script world of the bridge's transport, in the window's
 * top frame, which page code cannot reach: for tests that play a
 * transport that has been subverted (it can post to the core's message
 * handlers, and sees the document's key in what it posts). */
int cg_app_eval_transport(cg_app *app, const char *label, const char *script, cg_app_js_fn cb,
			  void *user);
/* Hands text to the router as a message from the window's top frame and
 * gives the answer to cb (json on success, error otherwise): for tests
 * that play a page whose bridge has been subverted. CG_ENOTFOUND when no
 * window has that label. */
int cg_app_post(cg_app *app, const char *label, const char *text, cg_app_js_fn cb, void *user);
/* Makes the next n hand-overs of a window's document key (at a commit,
 * or in answer to the transport's hello) get lost, as WebKit can lose one
 * evaluated while a document is being replaced: for tests that check the
 * transport asks again. CG_ENOTFOUND when no window has that label. */
int cg_app_lose_handovers(cg_app *app, const char *label, int n);
/* The pid of a window's web process (for crash tests), or -1. */
int cg_app_web_process_pid(cg_app *app, const char *label);
/* Saves a PNG of a window; 0 or a negative code. */
int cg_app_snapshot(cg_app *app, const char *label, const char *png_path);

/* The GtkWindow of a window (a GtkWidget *), or NULL: for tests that
 * check what a command did against what GTK reports. */
void *cg_app_gtk_window(cg_app *app, const char *label);

/* Internal: registered by the runtime when built with CG_TESTING. With
 * CAPGATE_BENCH set, bare message handlers (capgate_bare, capgate_bare_src)
 * and a scheme (capgate-bare://) with no bridge, router or policy behind
 * them: the floors make bench compares against (runtime/testing.c). */
struct cg_win;
void cgr_testing_register_schemes(cg_app *app);
void cgr_testing_attach(struct cg_win *w);

#ifdef __cplusplus
}
#endif
#endif
