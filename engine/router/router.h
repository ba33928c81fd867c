/* The router's internals, shared by router.c, ipcmsg.c, events.c,
 * call.c, threads.c, invoke.c, registry.c, webview.c, channel.c, bytes.c,
 * resource.c and declog.c. */
#ifndef CG_ROUTER_H
#define CG_ROUTER_H

#include "policy/model.h"

#include <pthread.h>

typedef struct cg_declog cg_declog;

typedef struct cg_plugin_rec cg_plugin_rec;

typedef struct cg_reg {
	char *name;              /* IPC name */
	char *plugin;            /* plugin key ("" for the app) */
	char *plain;             /* the command inside its plugin */
	cg_command_fn fn;
	void *user;
	cg_cmd_mode mode;
	int policy_id;           /* id in the current policy, or -1 */
	cg_plugin_rec *plugin_rec; /* an enabled plugin's command; else NULL */
} cg_reg;

/* plugin.c: an enabled plugin. */
struct cg_plugin_rec {
	const cg_plugin_def *p;
	void *state;
};

/* A compiled scope, shared by the cache and the calls using it. */
typedef struct cg_pscope {
	int refs;                /* atomic */
	void *obj;
	void (*free_fn)(void *);
} cg_pscope;

/* A webview's event listener. */
typedef struct cg_listener {
	uint32_t id;
	cg_webview *wv;          /* NULL for a core (C) listener */
	char *event;
	cg_target_kind kind;     /* the target the page listened on */
	char *label;
	uint32_t handler;        /* the page's callback id */
	cg_event_fn fn;          /* core listeners */
	void *user;
} cg_listener;

struct cg_webview {
	cg_router *r;
	int refs;                /* atomic: the router's list, calls, channels */
	int removed;             /* atomic */
	char *window, *label, *url;
	cg_subject *subject;     /* main thread only */
	unsigned gen;            /* policy generation of subject */
	unsigned scope_epoch;    /* bumped under scope_lock when its scopes are forgotten */
	unsigned pending;        /* main thread only */
	unsigned listeners;
	void *data;
	/* resource.c: rid -> cg_resource*, made on first use; any thread,
	 * under rlock. */
	pthread_mutex_t rlock;
	GHashTable *resources;
};

/* bytes.c: immutable bytes with a reference count (any thread). */
struct cg_bytes {
	int refs;                /* atomic */
	const void *data;
	size_t len;
	void *owned;             /* what free_fn releases */
	void (*free_fn)(void *);
};

/* A copy of data[0..len) (NULL: no memory), or data taken as is, with
 * free_fn(data) when the last reference goes (NULL: no memory, and
 * free_fn(data) has run). */
CG_HIDDEN cg_bytes *cg_bytes_new_copy(const void *data, size_t len);
CG_HIDDEN cg_bytes *cg_bytes_new_take(void *data, size_t len, void (*free_fn)(void *));
/* The JSON of bytes for a transport that takes no bytes: an array of
 * numbers ("[1,2,3]"); malloc'd, NULL when out of memory. */
CG_HIDDEN char *cg_bytes_json(const cg_bytes *b, size_t *len);

/* A binary call's body: data[0..len) inside base, which free_fn (may be
 * NULL) releases. */
typedef struct cg_body {
	void *base;
	void *data;
	size_t len;
	void (*free_fn)(void *);
} cg_body;

CG_HIDDEN void cg_body_free(cg_body *b);

typedef enum { Q_ANSWER, Q_CHANNEL, Q_CHANNEL_END, Q_EMIT } cg_qkind;

typedef struct cg_qitem {
	cg_qkind kind;
	cg_call *call;
	cg_channel *ch;
	int ok;
	char *json;
	size_t len;
	cg_bytes *bytes;         /* a binary answer or channel message */
	uint32_t index;          /* Q_CHANNEL with bytes: its place */
	/* Q_EMIT: an event emitted off the main loop */
	char *event, *label;
	cg_target_kind target;
	json_object *payload;
	struct cg_qitem *next;
} cg_qitem;

struct cg_router {
	cg_transport t;
	pthread_t main;
	size_t limits[CG_RLIMIT_BINARY_SIZE + 1];
	cg_policy *policy;
	unsigned gen;
	GHashTable *regs;        /* name -> cg_reg* */
	GHashTable *state;       /* name -> cg_state_entry* */
	GPtrArray *webviews;     /* cg_webview* (router's refs) */
	GHashTable *listeners;   /* event -> GPtrArray of cg_listener* */
	GHashTable *listener_ids;/* id -> cg_listener* */
	uint32_t next_listener;
	struct cg_workers *pool;
	/* work for the main loop, from any thread */
	pthread_mutex_t qlock;
	cg_qitem *qhead, *qtail;
	int efd;                 /* answers queued from other threads */
	int tfd;                 /* timeouts: ticks while calls are in flight */
	int pfd;                 /* epoll of both: the host's cg_router_fd */
	GHashTable *inflight;    /* cg_call* waiting for an answer (main thread) */
	bool ticking;
	/* handlers still running after their call timed out */
	pthread_mutex_t slock;
	pthread_cond_t scond;
	unsigned stuck_workers, stuck_threads;
	cg_declog *declog;
	struct cg_sealer *sealer; /* isolation pattern: NULL when off */
	cg_seccomp *seccomp;     /* handler filter: NULL when off */
	struct cg_hthread *hthread; /* runs sync handlers under it */
	/* plugin.c: enabled plugins (cg_plugin_rec*), and the compiled
	 * scopes by (policy generation, command, subject) under scope_lock;
	 * emptied when a policy is installed. */
	GPtrArray *plugins;
	pthread_mutex_t scope_lock;
	GHashTable *scopes;
	unsigned scope_gen;      /* under scope_lock: the generation cached */
	cg_log_fn log;
	void *log_user;
	int64_t log_second;      /* rate limit of the log: this second, */
	unsigned log_lines, log_dropped; /* lines shown in it, lines not shown */
};

struct cg_call {
	cg_router *r;
	cg_webview *wv;          /* ref, until the answer is delivered */
	void *req;
	const cg_reg *reg;
	char *origin;            /* copy: the webview may navigate meanwhile */
	json_object *args;
	cg_body body;            /* a binary call's; data NULL otherwise */
	json_object *headers;
	json_object *cmd_scope, *global_scope; /* computed when asked */
	cg_subject *subject;     /* ref: the decision refers to it */
	cg_decision dc;
	int refs;                /* atomic: the answer, the dispatcher */
	int answered;            /* atomic */
	struct cg_qitem *ans;    /* made with the call: a worker's answer */
	int64_t deadline;        /* monotonic µs; 0: none */
	int timed_out;           /* atomic */
	int late_released;       /* atomic: the late answer let the call go */
	int phase;               /* atomic: an async handler's CALL_* */
	unsigned gen;            /* the policy generation it was judged under */
	unsigned scope_epoch;    /* its webview's scope_epoch then */
	cg_pscope *pscope;       /* cg_call_plugin_scope's, once asked */
};

struct cg_channel {
	cg_router *r;
	cg_webview *wv;          /* ref */
	uint32_t id;
	uint32_t index;          /* under r->qlock */
	int closed;              /* under r->qlock */
};

enum { CALL_QUEUED, CALL_RUNNING, CALL_RETURNED, CALL_STUCK };

/* A parsed, validated invoke message. */
typedef struct cg_ipcmsg {
	char *cmd;
	int64_t callback, error; /* -1 when absent */
	json_object *payload;    /* owned */
	json_object *headers;    /* owned, or NULL */
	void *body;              /* a sealed binary call's body (malloc'd), or NULL */
	size_t body_len;
} cg_ipcmsg;

/* cg_ipcmsg_parse flags */
#define CG_IPCMSG_BODY 1         /* accept "body" (base64): sealed binary calls */
#define CG_IPCMSG_NO_PAYLOAD 2   /* the body travels beside: no "payload" nor "body" */

/* ipcmsg.c: parse and validate; on error *why is a malloc'd message. */
CG_HIDDEN int cg_ipcmsg_parse(const cg_router *r, const char *msg, size_t len,
			      int flags, cg_ipcmsg *out, char **why);
CG_HIDDEN void cg_ipcmsg_clear(cg_ipcmsg *m);
/* Checks every string in v against the limit; *why on failure. */
CG_HIDDEN int cg_ipc_check_strings(json_object *v, size_t max, char **why);
CG_HIDDEN bool cg_event_name_valid(const char *e);
/* A JSON string with no NUL inside (json-c keeps "\u0000"; C strings
 * would silently end there). */
CG_HIDDEN bool cg_json_plain_string(json_object *v);
/* Parses a JSON object of string values (headers); NULL with *why. */
CG_HIDDEN json_object *cg_ipc_parse_headers(const cg_router *r, const char *text, char **why);

/* router.c */
CG_HIDDEN void cg_router_push(cg_router *r, cg_qitem *it);
/* The same in two halves, for a caller that must queue under qlock (held)
 * in the order it numbered items: queue, unlock, then wake. */
CG_HIDDEN void cg_router_enqueue_locked(cg_router *r, cg_qitem *it);
CG_HIDDEN void cg_router_wake(cg_router *r);

/* plugin.c */
CG_HIDDEN void cg_plugins_init(cg_router *r);
CG_HIDDEN void cg_plugins_free(cg_router *r);
/* Main thread, when a policy is installed: the cached scopes go. */
CG_HIDDEN void cg_plugins_policy_changed(cg_router *r);
CG_HIDDEN void cg_pscope_unref(cg_pscope *ps);
/* Drops the cached scopes of a webview's subject that is being replaced (a
 * navigation) or whose webview is gone, and keeps calls judged before
 * from caching new ones for it (main thread). */
CG_HIDDEN void cg_plugins_forget_webview(cg_router *r, cg_webview *wv);
/* registry.c: registers a command and gives its entry (NULL: not made). */
CG_HIDDEN int cg_router_register_reg(cg_router *r, const char *plugin, const char *command,
				     cg_command_fn fn, void *user, cg_cmd_mode mode, cg_reg **out);

/* registry.c: the destroy functions of r->regs and r->state. */
CG_HIDDEN void cg_reg_free(gpointer p);
CG_HIDDEN void cg_state_free(gpointer p);

/* call.c */
/* Drops one of a call's references (the answer's or the dispatcher's). */
CG_HIDDEN void cg_call_unref(cg_call *c);
/* Main thread: the answer reaches the page (unless it is gone): bytes
 * when not NULL (a binary answer), else ok and json. */
CG_HIDDEN void cg_call_deliver(cg_router *r, cg_call *c, int ok, const char *json, size_t len,
			       cg_bytes *bytes);
/* Main thread, on a tick: rejects the calls whose deadline has passed. */
CG_HIDDEN void cg_router_expire_calls(cg_router *r);
/* The dispatcher is done with c (rc: its handler's return); a negative rc
 * with no answer rejects the call with cg_strerror(rc). */
CG_HIDDEN void cg_call_dispatched(cg_call *c, int rc);
/* Timeouts: watch c until it is answered (async calls), or only if its
 * handler returned without answering (deferred sync calls). */
CG_HIDDEN void cg_call_track(cg_router *r, cg_call *c);
CG_HIDDEN void cg_call_track_if_deferred(cg_router *r, cg_call *c, int rc);
/* Rejects c as timed out now; its handler's late answer is ignored. */
CG_HIDDEN void cg_call_time_out(cg_router *r, cg_call *c);
CG_HIDDEN unsigned cg_router_timeout_ms(const cg_router *r);

/* threads.c: runs c's handler where its mode says (see there). */
CG_HIDDEN int cg_router_run_call(cg_router *r, cg_call *c);
CG_HIDDEN cg_subject *cg_webview_subject(cg_webview *wv);
CG_HIDDEN void cg_webview_unref(cg_webview *wv);
CG_HIDDEN cg_webview *cg_webview_ref(cg_webview *wv);
/* Answers from the main thread (used by built-in commands). */
CG_HIDDEN void cg_router_answer_now(cg_router *r, cg_webview *wv, void *req, int ok,
				    const char *json, size_t len);
CG_HIDDEN void cg_router_reject_now(cg_router *r, cg_webview *wv, void *req,
				    const char *message);

/* Sends a line to the host's log function (rate-limited). */

/* isolation.c: opens a sealed envelope from wv and parses the message in
 * it into *m, as cg_ipcmsg_parse does a plain one (and with its errors);
 * an envelope that does not open is CG_ESEAL. *why as there. */
CG_HIDDEN int cg_router_unseal(cg_router *r, cg_webview *wv, const char *msg, size_t len,
			       cg_ipcmsg *m, char **why);
/* The same for a binary call sealed beside its body (sealed 2): b's
 * bytes are opened in place; on success m holds the message (no
 * payload) and b->data, b->len the call's bytes inside b->base. */
CG_HIDDEN int cg_router_unseal_body(cg_router *r, cg_webview *wv, const char *msg, size_t len,
				    cg_body *b, cg_ipcmsg *m, char **why);
CG_HIDDEN void cg_isolation_free(cg_router *r);

/* events.c: the built-in plugin:event|* commands and delivery. */
CG_HIDDEN bool cg_events_is_builtin(const char *cmd);
CG_HIDDEN int cg_events_invoke(cg_router *r, cg_webview *wv, cg_ipcmsg *m, void *req);
CG_HIDDEN void cg_events_remove_webview(cg_router *r, cg_webview *wv);
CG_HIDDEN void cg_events_free(cg_router *r);
CG_HIDDEN bool cg_router_on_main(const cg_router *r);
/* Main thread: delivers an event queued by cg_router_emit off the main
 * loop, and frees what the item holds. */
CG_HIDDEN void cg_events_deliver_queued(cg_router *r, cg_qitem *it);

/* channel.c */
CG_HIDDEN void cg_channel_deliver(cg_router *r, cg_qitem *it);

/* resource.c: the built-in plugin:resources|close, and a webview's table
 * let go (when it is removed, or freed). */
CG_HIDDEN int cg_resources_register(cg_router *r);
CG_HIDDEN void cg_resources_fini(cg_webview *wv);

/* declog.c: the decision log */
CG_HIDDEN void cg_declog_free(cg_declog *a);
CG_HIDDEN void cg_declog_record(cg_router *r, const cg_webview *wv, const char *kind,
			       const char *name, const char *decision, const char *reason);
/* The same, for a call that acts on another window (target: its label). */
CG_HIDDEN void cg_declog_record_target(cg_router *r, const cg_webview *wv, const char *kind,
				      const char *name, const char *target, const char *decision,
				      const char *reason);
CG_HIDDEN bool cg_declog_wants_allow(const cg_router *r);
/* Records held past the rate limit wait to be written. */
CG_HIDDEN bool cg_declog_holding(const cg_router *r);
/* Writes what is held while the rate limit allows (all: everything). */
CG_HIDDEN void cg_declog_flush(cg_router *r, bool all);
/* router.c: the timer ticks (and flushes the decision log) until nothing is
 * held any more. */
CG_HIDDEN void cg_router_declog_wake(cg_router *r);

#endif
