/* The runtime's internals. */
#ifndef CGR_RUNTIME_H
#define CGR_RUNTIME_H

#define CAPGATE_BUILDING 1
#include "capgate-runtime.h"

#include <gtk/gtk.h>
#include <stdbool.h>
#include <webkit2/webkit2.h>
#ifdef CG_TESTING
#include "capgate-testing.h"
#endif

/* A window that crashes this often within this time is not reloaded. */
#define CGR_CRASH_LIMIT 3
#define CGR_CRASH_WINDOW_US (30 * G_USEC_PER_SEC)
/* The script world of the transport and of its message handlers. */
#define CGR_WORLD "capgate"
/* The most sub-frame origins one document may call from. */
#define CGR_FRAME_ORIGINS 16
/* The most windows open at once, unless limits.windows says otherwise. */
#define CGR_WINDOWS_DEFAULT 32

/* Bytes of binary calls in flight on one window's data path (ipc.c),
 * shared with each body it admitted: a body may be freed on a worker
 * thread, after its window is gone. */
typedef struct cgr_budget cgr_budget;

typedef struct cg_win {
	cg_app *app;
	char *label;
	GtkWidget *window;
	WebKitWebView *view;
	WebKitUserContentManager *ucm;
	cg_webview *wv;
	char *doc_key;            /* the top frame's document's key (identity.c) */
	GHashTable *frames;       /* sub-frame origin -> its key and webview */
	int crashes;
	gint64 crash_times[CGR_CRASH_LIMIT];
	bool loaded_once;
	bool top_local;           /* the committed top document is the app's own */
	int lose_handovers;       /* tests only (cg_app_lose_handovers) */
	cgr_budget *budget;       /* limits.binary_in_flight (ipc.c) */
} cg_win;

struct cg_app {
	cg_appconfig *cfg;
	cg_router *r;
	WebKitWebContext *ctx;
	GHashTable *windows;      /* label -> cg_win* */
	GMainLoop *loop;
	guint fd_watch;
	cg_app_ready_fn ready;
	void *ready_user;
	bool ready_fired;
	size_t initial, loaded;
	bool sandbox;
	/* The isolation pattern; all NULL under brownfield. */
	char *iso_id;             /* per launch: the isolation origin's host */
	char *iso_origin;         /* capgate-isolation://<iso_id> */
	char *iso_index;          /* the isolation app's index.html */
	char *iso_key;            /* base64: only for the frame's user script */
	cg_seccomp *seccomp;      /* the core's filter (docs/seccomp.md) */
	WebKitUserContentFilter *ipc_filter; /* ipc.c: who may send bodies to the core */
};

/* A JSON answer for the host (runtime/capgate-testing.h has the same). */
typedef void (*cg_app_js_fn)(cg_app *app, const char *json, const char *error, void *user);

/* A call in flight, the router's req token: a page's message (a WebKit
 * reply), a page's data-path fetch (a scheme request, ipc.c) or the
 * host's (cgr_host_invoke). */
typedef struct cgr_pending {
	WebKitScriptMessageReply *reply;
	JSCContext *ctx;
	WebKitURISchemeRequest *request;
	char *origin;             /* the request's Origin, echoed in CORS */
	cg_app *app;
	cg_app_js_fn cb;
	void *user;
} cgr_pending;

void cgr_pending_free(cgr_pending *p);

void cgr_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Hands text to the router as a message from wv, for the host: the answer
 * goes to cb instead of a page (app.c). */
void cgr_host_invoke(cg_app *app, cg_webview *wv, const char *text, size_t len, cg_app_js_fn cb,
		     void *user);
cg_win *cgr_window(cg_app *app, const char *label);
unsigned cgr_window_limit(const cg_app *app);
char *cgr_resolve_url(cg_app *app, const char *url);
void cgr_window_loaded(cg_win *w);
void cgr_register_scheme(cg_app *app);
void cgr_setup_sandbox(cg_app *app);
void cgr_register_core_commands(cg_app *app);

/* identity.c: who a message speaks for. */
GHashTable *cgr_frames_new(void);
/* A document committed in the main frame: new key, no frames. */
void cgr_identity_new_document(cg_win *w);
/* Every identity but the window's webview goes; no key is valid. */
void cgr_identity_drop(cg_win *w);
/* The webview a message speaks for, by its key; NULL when none. *msg and
 * *len then say what follows the key. */
cg_webview *cgr_message_webview(cg_win *w, const char *text, size_t *len, const char **msg);
bool cgr_is_frame_webview(const cg_win *w, const cg_webview *wv);
void cgr_identity_register_scheme(cg_app *app);
/* The window's capgate_hello handler. */
void cgr_identity_attach(cg_win *w);
const char *cgr_frame_key_url(void);
char *cgr_origin_normalise(const char *s);
char *cgr_url_origin(const char *url);

/* seccomp.c */
int cgr_seccomp_prepare(cg_app *app, const cg_policy *p, cg_diag *d);
int cgr_seccomp_start(cg_app *app, cg_diag *d);

/* ipc.c: the data path (capgate-ipc://), binary answers to it. */
void cgr_ipc_register_scheme(cg_app *app);
/* Compiles the content rules that keep other pages' bodies out of the core
 * (ipc.c); CG_ESTATE with a diagnostic when WebKit refuses them. */
int cgr_ipc_filter_init(cg_app *app, cg_diag *d);
void cgr_ipc_filter_attach(cg_app *app, WebKitUserContentManager *ucm);
cgr_budget *cgr_budget_new(void);
void cgr_budget_unref(cgr_budget *b);
void cgr_ipc_reply(cgr_pending *p, int ok, const char *json, size_t len);
void cgr_ipc_reply_bytes(cgr_pending *p, cg_bytes *bytes);
void cgr_ipc_drop(cgr_pending *p);
/* The top document's webview of w when text[0..len) is exactly its key. */
cg_webview *cgr_top_webview_by_key(cg_win *w, const char *text, size_t len);

/* isolation.c */
int cgr_isolation_init(cg_app *app, cg_diag *d);
void cgr_isolation_register_scheme(cg_app *app);
void cgr_isolation_attach(cg_win *w);
bool cgr_is_isolation_url(const cg_app *app, const char *uri);
char *cgr_csp_allow_frame(const char *csp, const char *origin);

#endif
