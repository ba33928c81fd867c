/*
 * capgate lint: report mistakes and risky grants in capability files, as
 * text for people, JSON Lines for scripts or SARIF 2.1.0 for code-scanning
 * tools. The rules live in the engine (cg_lint_*); this file finds the
 * inputs, filters and prints the findings, and picks the exit status.
 */
#include "cli.h"
#include "inputs.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

enum lint_format { FMT_TEXT, FMT_JSON, FMT_SARIF };

struct lint_args {
	enum lint_format format;
	bool werror, list_rules, color, no_builtin_plugins;
	const char *config;  /* --config, or NULL to use the one found */
	bool *disabled;      /* by rule index, for findings the engine does not filter */
};

/* One finding as printed. rule is never NULL; rule_index is -1 for an id
 * that is not in the rule table (which should not happen). */
struct finding {
	const char *rule;
	long rule_index;
	cg_severity sev;
	const char *file, *pointer, *message, *hint, *replacement;
	unsigned line, col;
};

struct counts {
	size_t errors, warnings, notes;
};

static void lint_usage(FILE *f)
{
	fputs("Usage: capgate lint [OPTIONS] PATH...\n"
	      "\n"
	      "Finds mistakes and risky grants in capability files and permission manifests.\n"
	      "Each finding has a rule id, a severity, file:line:column, the JSON pointer of\n"
	      "the value, a message that says how to fix it and, where one is clear, a\n"
	      "replacement.\n"
	      "\n"
	      "PATH is a capability file, a directory of them, a Tauri v2 project or its\n"
	      "src-tauri/ (capabilities/, gen/schemas/acl-manifests.json and tauri.conf.json\n"
	      "are found there), or a capgate app directory (capgate.json).\n"
	      "\n"
	      "  --plugins DIR           one sub-directory per plugin, named by its prefix (repeatable)\n"
	      "  --tauri-manifests FILE  a Tauri src-tauri/gen/schemas/acl-manifests.json (repeatable)\n"
	      "  --app-permissions DIR   the app's own permission files (no prefix)\n"
	      "  --app-command NAME[,NAME]  commands the host app registers in C: their\n"
	      "                          allow-/deny- permissions exist (repeatable)\n"
	      "  --config FILE           the app config (tauri.conf.json or capgate.json) whose\n"
	      "                          windows to check against, instead of the one found\n"
	      "  --no-builtin-core       do not load the built-in core:* manifests\n"
	      "  --no-builtin-plugins    do not load the built-in plugins' manifests (fs, ...),\n"
	      "                          which stand in for a plugin no source defines, as in\n"
	      "                          capgate run\n"
	      "  --format FORMAT         text (default), json (one object per line) or sarif\n"
	      "  --disable RULE[,RULE]   turn rules off (repeatable)\n"
	      "  --werror                count warnings as errors for the exit status\n"
	      "  --color WHEN            auto (default: on a terminal unless NO_COLOR is set),\n"
	      "                          always or never\n"
	      "  --list-rules            print every rule with its severity and summary\n"
	      "  -h, --help              print this help\n"
	      "\n"
	      "Findings go to stdout, the summary to stderr. Exit status: 0 when there is no\n"
	      "error, 1 when there is (or a warning, with --werror), 2 on a usage error or a\n"
	      "PATH that does not exist.\n", f);
}

static const char *sev_name(cg_severity s)
{
	return s == CG_SEV_ERROR ? "error" : s == CG_SEV_WARNING ? "warning" : "note";
}

/* ---------------------------------------------------------------- rules */

static long rule_index(const char *id)
{
	for (size_t i = 0; i < cg_lint_rule_count(); i++)
		if (strcmp(cg_lint_rule_id(i), id) == 0)
			return (long)i;
	return -1;
}

/* --disable a,b,c: 0, or -1 after saying which id is not a rule. */
static int disable_rules(cg_lint *l, struct lint_args *a, const char *list)
{
	char *copy = strdup(list), *save = NULL;
	if (!copy) {
		fputs("capgate: out of memory\n", stderr);
		return -1;
	}
	int ret = 0;
	for (char *id = strtok_r(copy, ",", &save); id && ret == 0; id = strtok_r(NULL, ",", &save)) {
		id += strspn(id, " ");
		id[strcspn(id, " ")] = '\0';
		if (*id == '\0')
			continue;
		long i = rule_index(id);
		if (i < 0 || cg_lint_disable(l, id) < 0) {
			const char *near = cg_lint_rule_suggest(id);
			fprintf(stderr, "capgate: lint: unknown rule '%s'", id);
			if (near)
				fprintf(stderr, " (did you mean '%s'?)", near);
			fputs("; 'capgate lint --list-rules' lists them\n", stderr);
			ret = -1;
		} else {
			a->disabled[i] = true;
		}
	}
	free(copy);
	return ret;
}

static void list_rules(void)
{
	int w = 0;
	for (size_t i = 0; i < cg_lint_rule_count(); i++)
		if ((int)strlen(cg_lint_rule_id(i)) > w)
			w = (int)strlen(cg_lint_rule_id(i));
	for (size_t i = 0; i < cg_lint_rule_count(); i++)
		printf("%-*s  %-7s  %s\n", w, cg_lint_rule_id(i), sev_name(cg_lint_rule_severity(i)),
		       cg_lint_rule_summary(i));
}

/* The rule for an entry that cg_lint_run did not make (the app config's
 * own errors), by the same mapping of error codes the engine uses. */
static const char *rule_of_code(int code)
{
	switch (code) {
	case CG_EIO: return "unreadable";
	case CG_EPARSE: return "json-syntax";
	case CG_ESCHEMA: return "schema";
	case CG_EUNKNOWN: return "unknown-permission";
	case CG_ECYCLE: return "permission-cycle";
	case CG_EDUPLICATE: return "duplicate";
	case CG_ELIMIT: return "limit";
	case CG_EPATTERN: return "bad-pattern";
	case CG_EIDENT: return "bad-identifier";
	default: return "engine";
	}
}

static void get_finding(const cg_diag *d, size_t i, struct finding *f)
{
	f->rule = cg_diag_rule(d, i);
	if (!f->rule)
		f->rule = rule_of_code(cg_diag_code(d, i));
	f->rule_index = rule_index(f->rule);
	f->sev = cg_diag_severity(d, i);
	f->file = cg_diag_file(d, i);
	f->line = cg_diag_line(d, i);
	f->col = cg_diag_column(d, i);
	f->pointer = cg_diag_pointer(d, i);
	f->message = cg_diag_message(d, i);
	if (!f->message)
		f->message = "";
	f->hint = cg_diag_hint(d, i);
	f->replacement = cg_diag_replacement(d, i);
}

/* ----------------------------------------------------------------- text */

#define C_BOLD "\033[1m"
#define C_RESET "\033[0m"
#define C_GREEN "\033[32m"

static const char *sev_color(cg_severity s)
{
	return s == CG_SEV_ERROR ? "\033[1;31m" : s == CG_SEV_WARNING ? "\033[1;35m" : "\033[1;36m";
}

/* Strings come from the linted files: cli_put_text shows control
 * characters escaped so that a hostile file can neither drive the terminal
 * nor break the one-finding-per-line layout. */
static void put_clean(const char *s)
{
	cli_put_text(stdout, s, false);
}

static void put_colored(bool color, const char *esc, const char *s)
{
	if (color)
		fputs(esc, stdout);
	put_clean(s);
	if (color)
		fputs(C_RESET, stdout);
}

static void print_location(const struct finding *f, bool color)
{
	if (color)
		fputs(C_BOLD, stdout);
	put_clean(f->file ? f->file : "capgate");
	if (f->file && f->line) {
		printf(":%u", f->line);
		if (f->col)
			printf(":%u", f->col);
	}
	fputs(":", stdout);
	if (color)
		fputs(C_RESET, stdout);
}

/* file:line:col: severity: message [rule], then the pointer, hint and
 * replacement indented below it. */
static void print_text(const struct finding *f, bool color)
{
	print_location(f, color);
	putchar(' ');
	put_colored(color, sev_color(f->sev), sev_name(f->sev));
	fputs(": ", stdout);
	put_clean(f->message);
	fputs(" [", stdout);
	put_colored(color, sev_color(f->sev), f->rule);
	fputs("]\n", stdout);
	if (f->pointer) {
		fputs("  at ", stdout);
		put_clean(*f->pointer ? f->pointer : "the document root");
		putchar('\n');
	}
	if (f->hint) {
		fputs("  hint: ", stdout);
		put_clean(f->hint);
		putchar('\n');
	}
	if (f->replacement) {
		fputs("  replace with: ", stdout);
		put_colored(color, C_GREEN, f->replacement);
		putchar('\n');
	}
}

/* ----------------------------------------------------------------- json */

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *num_or_null(unsigned n)
{
	return n ? json_object_new_int64(n) : NULL;
}

/* JSON Lines: one object per finding, every key always present. */
static int print_json_line(const struct finding *f)
{
	json_object *o = json_object_new_object();
	if (!o)
		return -1;
	json_object_object_add(o, "rule", json_object_new_string(f->rule));
	json_object_object_add(o, "severity", json_object_new_string(sev_name(f->sev)));
	json_object_object_add(o, "file", str_or_null(f->file));
	json_object_object_add(o, "line", num_or_null(f->line));
	json_object_object_add(o, "column", num_or_null(f->line ? f->col : 0));
	json_object_object_add(o, "pointer", str_or_null(f->pointer));
	json_object_object_add(o, "message", json_object_new_string(f->message));
	json_object_object_add(o, "hint", str_or_null(f->hint));
	json_object_object_add(o, "replacement", str_or_null(f->replacement));
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE);
	int ret = s ? 0 : -1;
	if (s)
		printf("%s\n", s);
	json_object_put(o);
	return ret;
}

/* ---------------------------------------------------------------- sarif */

/*
 * A file path as a URI: a file: URI for an absolute path, else a relative
 * reference, as given (code-scanning tools resolve it against the checkout).
 * Everything but unreserved characters and '/' is percent-encoded (a ':'
 * in the first segment would read as a scheme), and runs of '/' are
 * collapsed ("//x" would read as a host).
 */
static char *uri_from_path(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	bool absolute = path[0] == '/';
	char *out = malloc(3 * strlen(path) + sizeof("file://")), *o = out;
	if (!out)
		return NULL;
	if (absolute)
		o = stpcpy(o, "file://");
	const char *start = o; /* the path's own first '/' follows "file://" */
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		bool unreserved = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
				  (*p >= '0' && *p <= '9') || strchr("-._~", *p);
		if (*p == '/') {
			if (o == start || o[-1] != '/')
				*o++ = '/';
		} else if (unreserved) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

static json_object *text_object(const char *text)
{
	json_object *o = json_object_new_object();
	if (o)
		json_object_object_add(o, "text", json_object_new_string(text));
	return o;
}

/* message.text: the message, then the hint and the replacement, so that a
 * viewer that shows only the text still tells how to fix it. */
static json_object *sarif_message(const struct finding *f)
{
	char *text = NULL;
	if (asprintf(&text, "%s%s%s%s%s", f->message, f->hint ? "\nHint: " : "",
		     f->hint ? f->hint : "", f->replacement ? "\nReplace with: " : "",
		     f->replacement ? f->replacement : "") < 0)
		return NULL;
	json_object *o = text_object(text);
	free(text);
	return o;
}

/* The physical location (when there is a file) and the JSON pointer as a
 * logical location; NULL when the finding has neither. */
static json_object *sarif_location(const struct finding *f)
{
	if (!f->file && !f->pointer)
		return NULL;
	json_object *loc = json_object_new_object();
	if (f->file) {
		char *uri = uri_from_path(f->file);
		json_object *phys = json_object_new_object(), *art = json_object_new_object();
		json_object_object_add(art, "uri", uri ? json_object_new_string(uri) : NULL);
		free(uri);
		json_object_object_add(phys, "artifactLocation", art);
		if (f->line) {
			json_object *region = json_object_new_object();
			json_object_object_add(region, "startLine", json_object_new_int64(f->line));
			if (f->col)
				json_object_object_add(region, "startColumn", json_object_new_int64(f->col));
			json_object_object_add(phys, "region", region);
		}
		json_object_object_add(loc, "physicalLocation", phys);
	}
	if (f->pointer) {
		json_object *logical = json_object_new_object(), *arr = json_object_new_array();
		json_object_object_add(logical, "fullyQualifiedName", json_object_new_string(f->pointer));
		json_object_object_add(logical, "kind", json_object_new_string("value"));
		json_object_array_add(arr, logical);
		json_object_object_add(loc, "logicalLocations", arr);
	}
	return loc;
}

/* The replacement goes into properties rather than result.fixes: a fix
 * needs the end of the region it replaces, which the engine does not give. */
static json_object *sarif_result(const struct finding *f)
{
	json_object *r = json_object_new_object(), *msg = sarif_message(f);
	if (!r || !msg) {
		json_object_put(r);
		json_object_put(msg);
		return NULL;
	}
	json_object_object_add(r, "ruleId", json_object_new_string(f->rule));
	if (f->rule_index >= 0)
		json_object_object_add(r, "ruleIndex", json_object_new_int64(f->rule_index));
	json_object_object_add(r, "level", json_object_new_string(sev_name(f->sev)));
	json_object_object_add(r, "message", msg);
	json_object *loc = sarif_location(f);
	if (loc) {
		json_object *locs = json_object_new_array();
		json_object_array_add(locs, loc);
		json_object_object_add(r, "locations", locs);
	}
	json_object *props = json_object_new_object();
	json_object_object_add(props, "pointer", str_or_null(f->pointer));
	json_object_object_add(props, "hint", str_or_null(f->hint));
	json_object_object_add(props, "replacement", str_or_null(f->replacement));
	json_object_object_add(r, "properties", props);
	return r;
}

static json_object *sarif_rules(void)
{
	json_object *rules = json_object_new_array();
	for (size_t i = 0; i < cg_lint_rule_count(); i++) {
		json_object *r = json_object_new_object(), *conf = json_object_new_object();
		json_object_object_add(r, "id", json_object_new_string(cg_lint_rule_id(i)));
		json_object_object_add(r, "shortDescription", text_object(cg_lint_rule_summary(i)));
		json_object_object_add(conf, "level",
				       json_object_new_string(sev_name(cg_lint_rule_severity(i))));
		json_object_object_add(r, "defaultConfiguration", conf);
		json_object_array_add(rules, r);
	}
	return rules;
}

/* The run's invocation, with the rules --disable turned off. */
static json_object *sarif_invocation(const struct lint_args *a)
{
	json_object *inv = json_object_new_object(), *over = json_object_new_array();
	json_object_object_add(inv, "executionSuccessful", json_object_new_boolean(1));
	for (size_t i = 0; i < cg_lint_rule_count(); i++) {
		if (!a->disabled[i])
			continue;
		json_object *o = json_object_new_object(), *conf = json_object_new_object();
		json_object *desc = json_object_new_object();
		json_object_object_add(conf, "enabled", json_object_new_boolean(0));
		json_object_object_add(desc, "id", json_object_new_string(cg_lint_rule_id(i)));
		json_object_object_add(desc, "index", json_object_new_int64((int64_t)i));
		json_object_object_add(o, "configuration", conf);
		json_object_object_add(o, "descriptor", desc);
		json_object_array_add(over, o);
	}
	json_object_object_add(inv, "ruleConfigurationOverrides", over);
	json_object *arr = json_object_new_array();
	json_object_array_add(arr, inv);
	return arr;
}

static json_object *sarif_log(const struct lint_args *a, json_object *results)
{
	json_object *log = json_object_new_object(), *run = json_object_new_object();
	json_object *tool = json_object_new_object(), *driver = json_object_new_object();
	json_object *runs = json_object_new_array();
	json_object_object_add(log, "$schema", json_object_new_string(SARIF_SCHEMA));
	json_object_object_add(log, "version", json_object_new_string("2.1.0"));
	json_object_object_add(driver, "name", json_object_new_string("capgate"));
	json_object_object_add(driver, "version", json_object_new_string(CG_VERSION_STRING));
	json_object_object_add(driver, "rules", sarif_rules());
	json_object_object_add(tool, "driver", driver);
	json_object_object_add(run, "tool", tool);
	json_object_object_add(run, "invocations", sarif_invocation(a));
	json_object_object_add(run, "results", results);
	json_object_array_add(runs, run);
	json_object_object_add(log, "runs", runs);
	return log;
}

/* --------------------------------------------------------------- output */

static void count(struct counts *c, cg_severity s)
{
	if (s == CG_SEV_ERROR)
		c->errors++;
	else if (s == CG_SEV_WARNING)
		c->warnings++;
	else
		c->notes++;
}

static int add_result(json_object *results, json_object *r)
{
	if (r && json_object_array_add(results, r) == 0)
		return 0;
	json_object_put(r);
	return -1;
}

/* Prints every finding of d that is not turned off; 0, or -1 when out of
 * memory. */
static int print_findings(const struct lint_args *a, const cg_diag *d, struct counts *c)
{
	json_object *results = a->format == FMT_SARIF ? json_object_new_array() : NULL;
	int ret = 0;
	if (a->format == FMT_SARIF && !results)
		return -1;
	for (size_t i = 0; i < cg_diag_count(d) && ret == 0; i++) {
		struct finding f;
		get_finding(d, i, &f);
		if (f.rule_index >= 0 && a->disabled[f.rule_index])
			continue;
		count(c, f.sev);
		if (a->format == FMT_TEXT)
			print_text(&f, a->color);
		else if (a->format == FMT_JSON)
			ret = print_json_line(&f);
		else
			ret = add_result(results, sarif_result(&f));
	}
	if (a->format == FMT_SARIF && ret == 0) {
		json_object *log = sarif_log(a, results);
		const char *s = log ? json_object_to_json_string_ext(log, JSON_C_TO_STRING_PRETTY |
									       JSON_C_TO_STRING_SPACED |
									       JSON_C_TO_STRING_NOSLASHESCAPE)
				    : NULL;
		if (s)
			printf("%s\n", s);
		else
			ret = -1;
		json_object_put(log);
	} else {
		json_object_put(results);
	}
	return ret;
}

static void print_summary(const struct counts *c)
{
	fprintf(stderr, "%zu error%s, %zu warning%s, %zu note%s\n", c->errors,
		c->errors == 1 ? "" : "s", c->warnings, c->warnings == 1 ? "" : "s", c->notes,
		c->notes == 1 ? "" : "s");
}

/* --------------------------------------------------------------- inputs */

static bool exists(const char *path, bool dir)
{
	struct stat sb;
	return stat(path, &sb) == 0 && (dir ? S_ISDIR(sb.st_mode) : S_ISREG(sb.st_mode));
}

/* Tauri's tauri.conf.json (or tauri.<platform>.conf.json). */
static bool is_tauri_config(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	return strncmp(base, "tauri.", 6) == 0 && n >= 15 && strcmp(base + n - 10, ".conf.json") == 0;
}

/*
 * The app config's window labels for the rules. A capgate config is also
 * validated in full (capgate runs it; its errors are findings), and then
 * its problems are not reported a second time by cg_lint_set_app_config.
 * Tauri's config is Tauri's to validate: only its windows are read.
 */
static void load_config(cg_lint *l, const char *path, cg_diag *d, cg_diag *scratch)
{
	size_t n0 = cg_diag_count(d);
	if (!is_tauri_config(path)) {
		cg_appconfig *c = NULL;
		cg_appconfig_load(path, &c, d);
		cg_appconfig_free(c);
	}
	cg_lint_set_app_config(l, path, cg_diag_count(d) > n0 ? scratch : d);
}

/* The option arguments that name sources must exist: a typo there is a
 * usage error, not a finding. */
static bool check_arg(const char *opt, const char *path, bool dir)
{
	if (exists(path, dir))
		return true;
	fprintf(stderr, "capgate: lint: %s %s: no such %s\n", opt, path, dir ? "directory" : "file");
	return false;
}

static int parse_format(const char *s, enum lint_format *f)
{
	if (strcmp(s, "text") == 0)
		*f = FMT_TEXT;
	else if (strcmp(s, "json") == 0)
		*f = FMT_JSON;
	else if (strcmp(s, "sarif") == 0)
		*f = FMT_SARIF;
	else
		return -1;
	return 0;
}

/* auto: a terminal, unless NO_COLOR (https://no-color.org) or TERM=dumb. */
static int parse_color(const char *s, bool *color)
{
	if (strcmp(s, "always") == 0) {
		*color = true;
	} else if (strcmp(s, "never") == 0) {
		*color = false;
	} else if (strcmp(s, "auto") == 0) {
		const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
		*color = isatty(STDOUT_FILENO) && !(no && *no) && !(term && strcmp(term, "dumb") == 0);
	} else {
		return -1;
	}
	return 0;
}

/* ----------------------------------------------------------------- main */

struct lint_state {
	cli_inputs in;
	cg_lint *l;
	cg_diag *d, *scratch;
	struct lint_args a;
};

static void state_free(struct lint_state *s)
{
	cli_inputs_clear(&s->in);
	cg_lint_free(s->l);
	cg_diag_free(s->d);
	cg_diag_free(s->scratch);
	free(s->a.disabled);
}

/* Options: sources are added to the builder as they come (their problems
 * go to the scratch list: cg_lint_run reports them). CLI_OK to go on,
 * CLI_USAGE on a bad option, -1 once --help is printed. */
static int parse_options(struct lint_state *s, int argc, char **argv)
{
	enum { O_PLUGINS = 1000, O_TAURI, O_APP, O_APPCMD, O_CONFIG, O_NOCORE, O_NOPLUGINS, O_FORMAT, O_DISABLE,
	       O_WERROR, O_COLOR, O_LIST };
	static const struct option opts[] = {
		{"plugins", required_argument, NULL, O_PLUGINS},
		{"tauri-manifests", required_argument, NULL, O_TAURI},
		{"app-permissions", required_argument, NULL, O_APP},
		{"app-command", required_argument, NULL, O_APPCMD},
		{"config", required_argument, NULL, O_CONFIG},
		{"no-builtin-core", no_argument, NULL, O_NOCORE},
		{"no-builtin-plugins", no_argument, NULL, O_NOPLUGINS},
		{"format", required_argument, NULL, O_FORMAT},
		{"disable", required_argument, NULL, O_DISABLE},
		{"werror", no_argument, NULL, O_WERROR},
		{"color", required_argument, NULL, O_COLOR},
		{"list-rules", no_argument, NULL, O_LIST},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *color = "auto";
	bool ok = true;
	int c;
	optind = 1;
	while (ok && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_PLUGINS:
			if ((ok = check_arg("--plugins", optarg, true)))
				cg_builder_add_plugins_dir(s->in.b, optarg, s->scratch);
			break;
		case O_TAURI:
			if ((ok = check_arg("--tauri-manifests", optarg, false)))
				cg_builder_add_tauri_manifests(s->in.b, optarg, s->scratch);
			break;
		case O_APP:
			if ((ok = check_arg("--app-permissions", optarg, true)))
				cg_builder_add_manifest_dir(s->in.b, NULL, optarg, s->scratch);
			break;
		case O_APPCMD: ok = cli_inputs_declare(&s->in, optarg) == 0; break;
		case O_CONFIG:
			if ((ok = check_arg("--config", optarg, false)))
				s->a.config = optarg;
			break;
		case O_NOCORE: cg_builder_use_builtin_core(s->in.b, 0); break;
		case O_NOPLUGINS: s->a.no_builtin_plugins = true; break;
		case O_FORMAT:
			if (!(ok = parse_format(optarg, &s->a.format) == 0))
				fprintf(stderr, "capgate: lint: unknown format '%s' (text, json or sarif)\n", optarg);
			break;
		case O_DISABLE: ok = disable_rules(s->l, &s->a, optarg) == 0; break;
		case O_WERROR: s->a.werror = true; break;
		case O_COLOR:
			color = optarg;
			if (!(ok = strcmp(color, "auto") == 0 || strcmp(color, "always") == 0 ||
				   strcmp(color, "never") == 0))
				fprintf(stderr, "capgate: lint: --color takes auto, always or never, not '%s'\n",
					optarg);
			break;
		case O_LIST: s->a.list_rules = true; break;
		case 'h': lint_usage(stdout); return -1;
		default: ok = false;
		}
	}
	if (ok)
		parse_color(color, &s->a.color);
	return ok ? CLI_OK : CLI_USAGE;
}

static int run_lint(struct lint_state *s, int npaths, char **paths)
{
	for (int i = 0; i < npaths; i++)
		if (cli_inputs_add_path(&s->in, paths[i], s->scratch) < 0)
			return CLI_USAGE; /* cli_inputs_add_path said why */
	if (s->in.n_capability_sources == 0)
		fputs("capgate: lint: note: no capability files were found\n", stderr);
	if (s->a.config)
		cli_inputs_add_config(&s->in, s->a.config, s->scratch);
	if (!s->a.no_builtin_plugins && cli_builtin_plugins(s->in.b) < 0)
		return CLI_USAGE;
	const char *config = s->a.config ? s->a.config : s->in.app_config;
	if (config)
		load_config(s->l, config, s->d, s->scratch);
	int r = cg_lint_run(s->l, s->in.b, s->d);
	if (r < 0) {
		fprintf(stderr, "capgate: lint: %s\n", cg_strerror(r));
		return CLI_USAGE;
	}
	struct counts c = {0};
	if (print_findings(&s->a, s->d, &c) < 0) {
		fputs("capgate: out of memory\n", stderr);
		return CLI_USAGE;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("capgate: lint: stdout");
		return CLI_USAGE;
	}
	print_summary(&c);
	return c.errors || (s->a.werror && c.warnings) ? CLI_FINDINGS : CLI_OK;
}

int cmd_lint(int argc, char **argv)
{
	struct lint_state s = {0};
	int rc = CLI_USAGE;
	if (cli_inputs_init(&s.in) < 0 || cg_lint_new(&s.l) < 0 || !(s.d = cg_diag_new()) ||
	    !(s.scratch = cg_diag_new()) ||
	    !(s.a.disabled = calloc(cg_lint_rule_count() + 1, sizeof(bool)))) {
		fputs("capgate: out of memory\n", stderr);
		state_free(&s);
		return CLI_USAGE;
	}
	int p = parse_options(&s, argc, argv);
	if (p < 0) {
		rc = CLI_OK; /* --help */
	} else if (p != CLI_OK) {
		fputs("Run 'capgate lint --help' for the options.\n", stderr);
	} else if (s.a.list_rules) {
		list_rules();
		rc = CLI_OK;
	} else if (optind >= argc) {
		fputs("capgate: lint: give at least one PATH (a Tauri project, src-tauri/, a capability\n"
		      "directory or file)\n", stderr);
		lint_usage(stderr);
	} else {
		rc = run_lint(&s, argc - optind, argv + optind);
	}
	state_free(&s);
	return rc;
}
