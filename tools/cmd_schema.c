/* capgate schema: the capability schema with every known permission
 * identifier enumerated (with its description), so that an editor
 * completes identifiers in a file that names it in "$schema". */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

extern const char cg_capability_schema[];

/* The definition in schemas/capability.schema.json that every permission
 * identifier of a capability refers to. */
#define IDENT_DEF "permissionIdentifier"

static void schema_usage(FILE *f)
{
	fputs("Usage: capgate schema [--plugins DIR]... [--app-permissions DIR]\n"
	      "         [--tauri-manifests FILE]... [--platform NAME] [--no-builtin-core]\n"
	      "         [--no-builtin-plugins]\n"
	      "\n"
	      "Prints the capability JSON Schema with every permission identifier the\n"
	      "manifests define enumerated (and described), for editors: name the output\n"
	      "in a capability file's \"$schema\" to get completion and checking.\n"
	      "\n"
	      "  --plugins DIR           one sub-directory per plugin, named by its prefix\n"
	      "  --app-permissions DIR   the app's own permission files (no prefix)\n"
	      "  --tauri-manifests FILE  a Tauri src-tauri/gen/schemas/acl-manifests.json\n"
	      "  --platform NAME         linux (default), macOS, windows, android or iOS\n"
	      "  --no-builtin-core       leave out the built-in core:* permissions\n"
	      "  --no-builtin-plugins    leave out the built-in plugins' permissions (fs, ...),\n"
	      "                          which capgate run uses for a plugin no source defines\n", f);
}

static json_object *enumerated(const cg_policy *p, json_object *base_def)
{
	json_object *def = json_object_new_object(), *any = json_object_new_array();
	json_object *d;
	json_object_object_add(def, "description",
			       json_object_object_get_ex(base_def, "description", &d)
				       ? json_object_get(d)
				       : json_object_new_string("A permission identifier."));
	json_object_object_add(def, "type", json_object_new_string("string"));
	for (size_t i = 0; i < cg_policy_permission_count(p); i++) {
		json_object *one = json_object_new_object();
		json_object_object_add(one, "const", json_object_new_string(cg_policy_permission_id(p, i)));
		const char *desc = cg_policy_permission_description(p, i);
		if (desc && *desc)
			json_object_object_add(one, "description", json_object_new_string(desc));
		json_object_array_add(any, one);
	}
	json_object_object_add(def, "anyOf", any);
	return def;
}

int cmd_schema(int argc, char **argv)
{
	enum { O_PLUGINS = 1000, O_APP, O_TAURI, O_PLATFORM, O_NOCORE, O_NOPLUGINS };
	static const struct option opts[] = {
		{"plugins", required_argument, NULL, O_PLUGINS},
		{"app-permissions", required_argument, NULL, O_APP},
		{"tauri-manifests", required_argument, NULL, O_TAURI},
		{"platform", required_argument, NULL, O_PLATFORM},
		{"no-builtin-core", no_argument, NULL, O_NOCORE},
		{"no-builtin-plugins", no_argument, NULL, O_NOPLUGINS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	cg_builder *b = cg_builder_new();
	cg_diag *d = cg_diag_new();
	int rc = CLI_OK, c, builtin_plugins = 1;
	optind = 1;
	while (rc == CLI_OK && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_PLUGINS: cg_builder_add_plugins_dir(b, optarg, d); break;
		case O_APP: cg_builder_add_manifest_dir(b, NULL, optarg, d); break;
		case O_TAURI: cg_builder_add_tauri_manifests(b, optarg, d); break;
		case O_PLATFORM:
			if (cg_builder_set_platform(b, optarg) < 0) {
				fprintf(stderr, "capgate: unknown platform '%s' (linux, macOS, windows, android or iOS)\n", optarg);
				rc = CLI_USAGE;
			}
			break;
		case O_NOCORE: cg_builder_use_builtin_core(b, 0); break;
		case O_NOPLUGINS: builtin_plugins = 0; break;
		case 'h':
			schema_usage(stdout);
			cg_builder_free(b);
			cg_diag_free(d);
			return CLI_OK;
		default:
			schema_usage(stderr);
			rc = CLI_USAGE;
		}
	}
	if (rc == CLI_OK && optind < argc) {
		fprintf(stderr, "capgate: unexpected argument '%s'\n", argv[optind]);
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK && builtin_plugins && cli_builtin_plugins(b) < 0)
		rc = CLI_USAGE;
	cg_policy *p = NULL;
	if (rc == CLI_OK && cg_builder_build(b, &p, d) < 0)
		rc = CLI_USAGE;
	cli_print_diag(d);
	json_object *schema = rc == CLI_OK ? json_tokener_parse(cg_capability_schema) : NULL, *defs, *base;
	if (rc == CLI_OK && (!schema || !json_object_object_get_ex(schema, "$defs", &defs) ||
			     !json_object_object_get_ex(defs, IDENT_DEF, &base))) {
		fputs("capgate: the built-in capability schema has no $defs/" IDENT_DEF "\n", stderr);
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK) {
		json_object_object_add(defs, IDENT_DEF, enumerated(p, base));
		printf("%s\n", json_object_to_json_string_ext(schema, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object_put(schema);
	cg_policy_unref(p);
	cg_builder_free(b);
	cg_diag_free(d);
	return rc;
}
