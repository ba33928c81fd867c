/* capgate check / explain: decide calls against a loaded policy. */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void check_usage(FILE *f, int explain)
{
	fprintf(f,
		"Usage: capgate %s --capabilities PATH [--plugins DIR] [--tauri-manifests FILE]\n"
		"         [--platform linux|macOS|windows|android|iOS] [--no-builtin-core]\n"
		"         [--no-builtin-plugins]\n"
		"         %s\n"
		"\n"
		"Loads capability files and permission manifests, resolves them and %s.\n"
		"\n"
		"  --capabilities PATH     a capability file or a directory of them, or a\n"
		"                          tauri.conf.json for the capabilities it inlines (repeatable)\n"
		"  --plugins DIR           one sub-directory per plugin, named by its prefix (repeatable)\n"
		"  --tauri-manifests FILE  a Tauri src-tauri/gen/schemas/acl-manifests.json (repeatable)\n"
		"  --platform NAME         target platform (default linux)\n"
		"  --no-builtin-core       do not load the built-in core:* manifests\n"
		"  --no-builtin-plugins    do not load the built-in plugins' manifests (fs, ...),\n"
		"                          which stand in for a plugin no source defines, as in\n"
		"                          capgate run\n"
		"  --window W              the calling window's label\n"
		"  --webview V             the calling webview's label (default: the window's)\n"
		"  --origin local|URL      the page's origin (default local)\n"
		"  --event NAME            check an event instead of COMMAND\n"
		"  --op listen|emit|emit-to  what to do with --event (default listen)\n"
		"%s"
		"\n"
		"Exit status: 0 when every answer was computed (allow or deny), 2 on a usage\n"
		"or file error (reported on stderr with file:line:column).\n",
		explain ? "explain" : "check",
		explain ? "--window W [--webview V] [--origin local|URL] (COMMAND | --event NAME)"
			: "(--queries FILE | --window W [--webview V] [--origin local|URL] (COMMAND | --event NAME))",
		explain ? "prints a readable account of one decision"
			: "prints each decision as JSON",
		explain ? "" : "  --queries FILE          answer every query of FILE ({\"queries\": [...]}) as a JSON array\n");
}

struct query {
	const char *window, *webview, *origin, *command, *event, *op;
};

static int parse_op(const char *s, cg_event_op *op)
{
	if (!s || strcmp(s, "listen") == 0)
		*op = CG_EVENT_LISTEN;
	else if (strcmp(s, "emit") == 0)
		*op = CG_EVENT_EMIT;
	else if (strcmp(s, "emit-to") == 0 || strcmp(s, "emit_to") == 0)
		*op = CG_EVENT_EMIT_TO;
	else
		return -1;
	return 0;
}

/* Why a query has no answer: the field at fault ("window", "origin",
 * "event", "op"), what is wrong and how to fix it. */
struct qerr {
	const char *field;
	char msg[256];
	const char *hint;
};

static void qerr_set(struct qerr *e, const char *field, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void qerr_set(struct qerr *e, const char *field, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->field = field;
	e->hint = hint;
}

/* Answers one query; NULL (with *e saying why) if it cannot. The texts
 * quoted in e->msg come from the user: they are printed escaped. */
static json_object *answer(cg_policy *p, const struct query *q, int explain, struct qerr *e)
{
	const char *url = (!q->origin || strcmp(q->origin, "local") == 0) ? NULL : q->origin;
	cg_subject *s = NULL;
	if (!q->window || !*q->window) {
		qerr_set(e, "window", "name the calling window's label, e.g. \"main\"",
			 "the window label is empty");
		return NULL;
	}
	int r = cg_subject_new(p, q->window, q->webview, url, &s);
	if (r == CG_ENOMEM) {
		qerr_set(e, NULL, NULL, "out of memory");
		return NULL;
	}
	if (r < 0) {
		qerr_set(e, "origin", "write \"local\" for the app's own pages, or the page's absolute URL, e.g. \"https://app.example.com/\"",
			 "origin \"%s\" is not a URL capgate can parse", q->origin);
		return NULL;
	}
	cg_decision dc;
	if (q->event) {
		cg_event_op op;
		if (parse_op(q->op, &op) < 0) {
			qerr_set(e, "op", "write \"listen\", \"emit\" or \"emit-to\"",
				 "unknown event operation \"%s\"", q->op);
			cg_subject_free(s);
			return NULL;
		}
		if (cg_check_event(s, op, q->event, &dc) < 0) {
			qerr_set(e, "event", "event names are letters, digits, '-', '/', ':' and '_', e.g. \"document-saved\"",
				 "invalid event name \"%s\"", q->event);
			cg_subject_free(s);
			return NULL;
		}
	} else {
		cg_check_command(s, q->command, &dc);
	}
	json_object *o = json_object_new_object();
	char *text = explain ? cg_decision_explain(&dc) : cg_decision_reason(&dc);
	json_object_object_add(o, "decision", json_object_new_string(dc.allowed ? "allow" : "deny"));
	json_object_object_add(o, "command_scope", cg_decision_command_scope(&dc));
	json_object_object_add(o, "global_scope", cg_decision_global_scope(&dc));
	json_object_object_add(o, explain ? "explain" : "reason", json_object_new_string(text ? text : ""));
	free(text);
	cg_subject_free(s);
	return o;
}

/* An error at a value of the queries file, located like the engine's. */
static void query_error(const cg_json_file *f, const char *file, const char *pointer,
			const char *hint, const char *msg)
{
	unsigned line = 0, col = 0;
	cg_json_file_locate(f, pointer, &line, &col);
	cg_diag *d = cg_diag_new();
	if (!d) {
		fprintf(stderr, "capgate: %s: %s\n", file, msg);
		return;
	}
	cg_diag_add_message(d, CG_SEV_ERROR, CG_ESCHEMA, file, line, col, pointer, hint, msg);
	cli_print_diag(d);
	cg_diag_free(d);
}

/* One field of a query: absent (NULL, 0), a string, or an error (-1). */
static int query_str(const cg_json_file *f, const char *file, json_object *q, const char *base,
		     const char *key, const char **out)
{
	json_object *v = NULL;
	*out = NULL;
	if (!json_object_object_get_ex(q, key, &v))
		return 0;
	if (v && json_object_is_type(v, json_type_string)) {
		*out = json_object_get_string(v);
		return 0;
	}
	char ptr[64], msg[128];
	snprintf(ptr, sizeof(ptr), "%s/%s", base, key);
	snprintf(msg, sizeof(msg), "\"%s\" must be a string", key);
	query_error(f, file, ptr, "write the value in double quotes", msg);
	return -1;
}

static const char *const QUERY_FIELDS[] = {"window", "webview", "origin", "command", "event", "op", NULL};
/* The expected answer, in the conformance data's expected.json: read by
 * whoever compares, not by check. */
static const char *const ANSWER_FIELDS[] = {"expect", "command_scope", "global_scope", "note", NULL};

/* Levenshtein distance, for the names of a few short fields. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[32];
	if (la >= 32 || lb >= 32)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Fields a query does not have are errors, not ignored: a mistyped
 * "orign" would ask about the app's own pages instead of the remote one. */
static int unknown_fields(const cg_json_file *f, const char *file, json_object *qo, const char *qp)
{
	int bad = 0;
	json_object_object_foreach(qo, key, val) {
		(void)val;
		bool known = false;
		const char *best = NULL;
		size_t bestd = 3;
		for (size_t k = 0; ANSWER_FIELDS[k]; k++)
			known |= strcmp(key, ANSWER_FIELDS[k]) == 0;
		for (size_t k = 0; QUERY_FIELDS[k]; k++) {
			known |= strcmp(key, QUERY_FIELDS[k]) == 0;
			size_t dd = distance(key, QUERY_FIELDS[k]);
			if (dd < bestd) {
				bestd = dd;
				best = QUERY_FIELDS[k];
			}
		}
		if (known)
			continue;
		char ptr[300], hint[200], msg[200];
		/* A JSON pointer escapes '~' and '/' in keys. */
		size_t o = (size_t)snprintf(ptr, sizeof(ptr), "%s/", qp);
		for (const char *c = key; *c && o + 3 < sizeof(ptr); c++) {
			if (*c == '~' || *c == '/') {
				ptr[o++] = '~';
				ptr[o++] = *c == '~' ? '0' : '1';
			} else {
				ptr[o++] = *c;
			}
		}
		ptr[o] = 0;
		if (best)
			snprintf(hint, sizeof(hint), "did you mean \"%s\"?", best);
		else
			snprintf(hint, sizeof(hint), "a query has \"window\", \"webview\", \"origin\", and \"command\" or \"event\" (with \"op\")");
		/* cli_print_diag escapes what it prints. */
		snprintf(msg, sizeof(msg), "unknown field \"%s\" in a query", key);
		query_error(f, file, ptr, hint, msg);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* Reads query i of the file into q; -1 after a located error. */
static int read_query(const cg_json_file *f, const char *file, json_object *qo, const char *qp,
		      struct query *q)
{
	if (!json_object_is_type(qo, json_type_object)) {
		query_error(f, file, qp, "a query is {\"window\": \"main\", \"command\": \"greet\"}",
			    "a query must be an object");
		return -1;
	}
	int bad = unknown_fields(f, file, qo, qp);
	for (size_t k = 0; QUERY_FIELDS[k]; k++) {
		const char **slot[] = {&q->window, &q->webview, &q->origin, &q->command, &q->event, &q->op};
		if (query_str(f, file, qo, qp, QUERY_FIELDS[k], slot[k]) < 0)
			bad = 1;
	}
	if (bad)
		return -1;
	char ptr[64];
	if (!q->window) {
		query_error(f, file, qp, "add \"window\": \"main\" (the calling window's label)",
			    "a query needs \"window\"");
		return -1;
	}
	if (!q->command && !q->event) {
		query_error(f, file, qp, "add \"command\": \"greet\", or \"event\": \"name\" for an event",
			    "a query needs \"command\" or \"event\"");
		return -1;
	}
	if (q->command && q->event) {
		snprintf(ptr, sizeof(ptr), "%s/event", qp);
		query_error(f, file, ptr, "ask about the command and the event in two queries",
			    "a query asks about a command or an event, not both");
		return -1;
	}
	if (q->op && !q->event) {
		snprintf(ptr, sizeof(ptr), "%s/op", qp);
		query_error(f, file, ptr, "remove \"op\", or ask about an \"event\"",
			    "\"op\" is what is done with an event; this query asks about a command");
		return -1;
	}
	return 0;
}

/*
 * The queries are read like policy files (cg_json_file_new): strict JSON,
 * and no string holding \u0000, which would be read up to the NUL and ask
 * about another command than the one written. Every query is checked
 * before any is answered, and every problem is reported, located: a file
 * with one bad query gets no answers.
 */
static int run_queries(cg_policy *p, const char *file)
{
	cg_diag *d = cg_diag_new();
	cg_json_file *f = NULL;
	if (!d || cg_json_file_new(file, &f, d) < 0) {
		if (d)
			cli_print_diag(d);
		else
			fputs("capgate: out of memory\n", stderr);
		fprintf(stderr, "capgate: %s: the queries were not read; no decision was made\n", file);
		cg_diag_free(d);
		return CLI_USAGE;
	}
	cg_diag_free(d);
	json_object *root = cg_json_file_root(f), *list = root;
	const char *base = "";
	if (json_object_is_type(root, json_type_object)) {
		list = NULL;
		json_object_object_get_ex(root, "queries", &list);
		base = "/queries";
		json_object_object_foreach(root, key, val) {
			if (strcmp(key, "queries") == 0 || strcmp(key, "fixture") == 0)
				continue;
			if (strcmp(key, "platform") == 0) {
				/* Answers for another platform would be wrong ones. */
				const char *want = json_object_is_type(val, json_type_string) ? json_object_get_string(val) : NULL;
				if (want && strcmp(want, cg_policy_platform(p)) == 0)
					continue;
				char msg[200], hint[200];
				snprintf(msg, sizeof(msg), "the queries are for platform \"%s\", the policy was loaded for \"%s\"",
					 want ? want : "?", cg_policy_platform(p));
				snprintf(hint, sizeof(hint), "add --platform %s", want ? want : "NAME");
				query_error(f, file, "/platform", hint, msg);
				cg_json_file_free(f);
				return CLI_USAGE;
			}
			char msg[200];
			snprintf(msg, sizeof(msg), "unknown field \"%s\" beside \"queries\"", key);
			char ptr[200];
			snprintf(ptr, sizeof(ptr), "/%s", key);
			query_error(f, file, strchr(key, '/') || strchr(key, '~') ? "" : ptr,
				    "the file is {\"queries\": [...]} (with \"fixture\" and \"platform\" in conformance data)", msg);
			cg_json_file_free(f);
			return CLI_USAGE;
		}
	}
	if (!json_object_is_type(list, json_type_array)) {
		query_error(f, file, list ? base : "", "write {\"queries\": [{\"window\": \"main\", \"command\": \"greet\"}]}",
			    "expected {\"queries\": [...]} or an array of queries");
		cg_json_file_free(f);
		return CLI_USAGE;
	}
	size_t n = json_object_array_length(list);
	struct query *qs = calloc(n ? n : 1, sizeof(*qs));
	json_object *out = json_object_new_array();
	int rc = out && qs ? CLI_OK : CLI_USAGE, errors = 0;
	for (size_t i = 0; rc == CLI_OK && i < n; i++) {
		char qp[48];
		snprintf(qp, sizeof(qp), "%s/%zu", base, i);
		errors += read_query(f, file, json_object_array_get_idx(list, i), qp, &qs[i]) < 0;
	}
	bool readable = errors == 0;
	for (size_t i = 0; rc == CLI_OK && readable && i < n; i++) {
		struct qerr e = {0};
		json_object *a = answer(p, &qs[i], 0, &e);
		if (!a) {
			char ptr[64];
			if (e.field)
				snprintf(ptr, sizeof(ptr), "%s/%zu/%s", base, i, e.field);
			else
				snprintf(ptr, sizeof(ptr), "%s/%zu", base, i);
			query_error(f, file, ptr, e.hint, e.msg);
			errors++;
			continue;
		}
		json_object_array_add(out, a);
	}
	if (errors) {
		fprintf(stderr, "capgate: %s: %d bad quer%s; no decision was made\n", file, errors,
			errors == 1 ? "y" : "ies");
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK)
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
	free(qs);
	cg_json_file_free(f);
	return rc;
}

/* The caller and command given as arguments are held to the rules of a
 * policy file's strings: text, in UTF-8. (An argument cannot hold a NUL.) */
static int check_args(const struct query *q)
{
	static const char *const names[] = {"--window", "--webview", "--origin", "COMMAND", "--event", "--op"};
	const char *vals[] = {q->window, q->webview, q->origin, q->command, q->event, q->op};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t bad = 0;
		if (vals[i] && !cli_utf8_valid(vals[i], &bad)) {
			fprintf(stderr, "capgate: %s: not valid UTF-8 (byte 0x%02X at offset %zu); "
				"labels, URLs and command names are UTF-8 text, as in policy files\n",
				names[i], (unsigned char)vals[i][bad], bad);
			return -1;
		}
	}
	return 0;
}

static int is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Tauri's config (tauri.conf.json, or tauri.<platform>.conf.json): its
 * inlined capabilities are read, not the file as a capability file. */
static int is_tauri_conf(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	return strncmp(base, "tauri.", 6) == 0 && n >= 15 && strcmp(base + n - 10, ".conf.json") == 0;
}

int cmd_check(int argc, char **argv, int explain)
{
	enum { O_CAPS = 1000, O_PLUGINS, O_TAURI, O_PLATFORM, O_WINDOW, O_WEBVIEW, O_ORIGIN,
	       O_QUERIES, O_EVENT, O_OP, O_NOCORE, O_NOPLUGINS };
	static const struct option opts[] = {
		{"capabilities", required_argument, NULL, O_CAPS},
		{"plugins", required_argument, NULL, O_PLUGINS},
		{"tauri-manifests", required_argument, NULL, O_TAURI},
		{"platform", required_argument, NULL, O_PLATFORM},
		{"window", required_argument, NULL, O_WINDOW},
		{"webview", required_argument, NULL, O_WEBVIEW},
		{"origin", required_argument, NULL, O_ORIGIN},
		{"queries", required_argument, NULL, O_QUERIES},
		{"event", required_argument, NULL, O_EVENT},
		{"op", required_argument, NULL, O_OP},
		{"no-builtin-core", no_argument, NULL, O_NOCORE},
		{"no-builtin-plugins", no_argument, NULL, O_NOPLUGINS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	struct query q = {0};
	const char *queries = NULL;
	int ncaps = 0, rc = CLI_OK, c, builtin_plugins = 1;
	if (!b || !d) {
		fputs("capgate: out of memory\n", stderr);
		return CLI_USAGE;
	}
	/* Sources are loaded as they come so that every error is reported,
	 * in order; nothing is decided unless all of them loaded. */
	optind = 1;
	while (rc == CLI_OK && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_CAPS:
			ncaps++;
			if (is_dir(optarg))
				cg_builder_add_capability_dir(b, optarg, d);
			else if (is_tauri_conf(optarg))
				cg_builder_add_tauri_config(b, optarg, d);
			else
				cg_builder_add_capability_file(b, optarg, d);
			break;
		case O_PLUGINS: cg_builder_add_plugins_dir(b, optarg, d); break;
		case O_TAURI: cg_builder_add_tauri_manifests(b, optarg, d); break;
		case O_PLATFORM:
			if (cg_builder_set_platform(b, optarg) < 0) {
				fprintf(stderr, "capgate: unknown platform '%s' (linux, macOS, windows, android or iOS)\n", optarg);
				rc = CLI_USAGE;
			}
			break;
		case O_NOCORE: cg_builder_use_builtin_core(b, 0); break;
		case O_NOPLUGINS: builtin_plugins = 0; break;
		case O_WINDOW: q.window = optarg; break;
		case O_WEBVIEW: q.webview = optarg; break;
		case O_ORIGIN: q.origin = optarg; break;
		case O_QUERIES:
			if (explain) {
				fputs("capgate: explain takes one query; use check --queries\n", stderr);
				rc = CLI_USAGE;
			}
			queries = optarg;
			break;
		case O_EVENT: q.event = optarg; break;
		case O_OP: q.op = optarg; break;
		case 'h':
			check_usage(stdout, explain);
			cg_builder_free(b);
			cg_diag_free(d);
			return CLI_OK;
		default:
			rc = CLI_USAGE;
		}
	}
	if (rc == CLI_OK && optind < argc)
		q.command = argv[optind++];
	if (rc == CLI_OK && optind < argc) {
		fprintf(stderr, "capgate: unexpected argument '%s'\n", argv[optind]);
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK && !ncaps) {
		fputs("capgate: --capabilities is required\n", stderr);
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK && !queries && (!q.window || (!q.command == !q.event))) {
		fputs("capgate: give --queries FILE, or --window W and either a COMMAND or --event NAME\n", stderr);
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK && check_args(&q) < 0) {
		cg_builder_free(b);
		cg_diag_free(d);
		return CLI_USAGE;
	}
	if (rc == CLI_USAGE && cg_diag_count(d) == 0) {
		check_usage(stderr, explain);
		cg_builder_free(b);
		cg_diag_free(d);
		return CLI_USAGE;
	}
	if (rc == CLI_OK && builtin_plugins && cli_builtin_plugins(b) < 0)
		rc = CLI_USAGE;
	cg_policy *p = NULL;
	if (rc == CLI_OK && cg_builder_build(b, &p, d) < 0)
		rc = CLI_USAGE;
	cli_print_diag(d);
	if (rc == CLI_USAGE && cg_diag_error_count(d))
		fprintf(stderr, "capgate: %zu error(s); no decision was made\n", cg_diag_error_count(d));
	if (rc == CLI_OK) {
		if (queries) {
			rc = run_queries(p, queries);
		} else {
			struct qerr e = {0};
			json_object *a = answer(p, &q, explain, &e);
			if (!a) {
				static const char *const opt[][2] = {{"window", "--window"}, {"origin", "--origin"},
								     {"event", "--event"}, {"op", "--op"}};
				const char *o = NULL;
				for (size_t k = 0; e.field && k < 4; k++)
					if (strcmp(e.field, opt[k][0]) == 0)
						o = opt[k][1];
				fprintf(stderr, "capgate: %s%s", o ? o : "", o ? ": " : "");
				cli_put_text(stderr, e.msg, false);
				fprintf(stderr, "\n%s%s%s", e.hint ? "  hint: " : "", e.hint ? e.hint : "", e.hint ? "\n" : "");
				rc = CLI_USAGE;
			} else if (explain)
				cli_put_text(stdout, json_object_get_string(json_object_object_get(a, "explain")), true);
			else
				printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY |
									       JSON_C_TO_STRING_SPACED |
									       JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(a);
		}
	}
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	return rc;
}
