/* capgate check / explain: decide calls against a loaded policy. */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void check_usage(FILE *f, int explain)
{
	fprintf(f,
		"Usage: capgate %s --capabilities PATH [--plugins DIR] [--tauri-manifests FILE]\n"
		"         [--platform linux|macOS|windows|android|iOS] [--no-builtin-core]\n"
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

/* Answers one query; NULL (with a message on stderr) if it cannot. */
static json_object *answer(cg_policy *p, const struct query *q, int explain, int index)
{
	const char *url = (!q->origin || strcmp(q->origin, "local") == 0) ? NULL : q->origin;
	cg_subject *s = NULL;
	int r = cg_subject_new(p, q->window, q->webview, url, &s);
	if (r < 0) {
		fprintf(stderr, "capgate: query %d: %s (window \"%s\", origin \"%s\"): %s\n", index,
			url ? "invalid origin URL" : "invalid caller", q->window ? q->window : "",
			q->origin ? q->origin : "local", cg_strerror(r));
		return NULL;
	}
	cg_decision dc;
	if (q->event) {
		cg_event_op op;
		if (parse_op(q->op, &op) < 0) {
			fprintf(stderr, "capgate: query %d: unknown --op \"%s\" (listen, emit or emit-to)\n", index, q->op);
			cg_subject_free(s);
			return NULL;
		}
		if (cg_check_event(s, op, q->event, &dc) < 0) {
			fprintf(stderr, "capgate: query %d: invalid event name \"%s\" (letters, digits, '-', '/', ':', '_')\n",
				index, q->event);
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
	if (!json_object_object_get_ex(q, key, &v) || !v)
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		*out = json_object_get_string(v);
		return 0;
	}
	char ptr[64], msg[128];
	snprintf(ptr, sizeof(ptr), "%s/%s", base, key);
	snprintf(msg, sizeof(msg), "\"%s\" must be a string", key);
	query_error(f, file, ptr, "write the value in double quotes", msg);
	return -1;
}

/*
 * The queries are read like policy files (cg_json_file_new): strict JSON,
 * and no string holding \u0000, which would be read up to the NUL and ask
 * about another command than the one written.
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
	}
	if (!json_object_is_type(list, json_type_array)) {
		query_error(f, file, list ? base : "", "write {\"queries\": [{\"window\": \"main\", \"command\": \"greet\"}]}",
			    "expected {\"queries\": [...]} or an array of queries");
		cg_json_file_free(f);
		return CLI_USAGE;
	}
	json_object *out = json_object_new_array();
	int rc = out ? CLI_OK : CLI_USAGE;
	for (size_t i = 0; rc == CLI_OK && i < json_object_array_length(list); i++) {
		json_object *qo = json_object_array_get_idx(list, i);
		char qp[48];
		snprintf(qp, sizeof(qp), "%s/%zu", base, i);
		if (!json_object_is_type(qo, json_type_object)) {
			query_error(f, file, qp, "a query is {\"window\": \"main\", \"command\": \"greet\"}",
				    "a query must be an object");
			rc = CLI_USAGE;
			break;
		}
		struct query q;
		if (query_str(f, file, qo, qp, "window", &q.window) < 0 ||
		    query_str(f, file, qo, qp, "webview", &q.webview) < 0 ||
		    query_str(f, file, qo, qp, "origin", &q.origin) < 0 ||
		    query_str(f, file, qo, qp, "command", &q.command) < 0 ||
		    query_str(f, file, qo, qp, "event", &q.event) < 0 ||
		    query_str(f, file, qo, qp, "op", &q.op) < 0) {
			rc = CLI_USAGE;
			break;
		}
		if (!q.window || (!q.command && !q.event)) {
			query_error(f, file, qp, "a query is {\"window\": \"main\", \"command\": \"greet\"}",
				    "a query needs \"window\" and \"command\" (or \"event\")");
			rc = CLI_USAGE;
			break;
		}
		json_object *a = answer(p, &q, 0, (int)i);
		if (!a) {
			rc = CLI_USAGE;
			break;
		}
		json_object_array_add(out, a);
	}
	if (rc == CLI_OK)
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
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
	       O_QUERIES, O_EVENT, O_OP, O_NOCORE };
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	struct query q = {0};
	const char *queries = NULL;
	int ncaps = 0, rc = CLI_OK, c;
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
			json_object *a = answer(p, &q, explain, 0);
			if (!a)
				rc = CLI_USAGE;
			else if (explain)
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
