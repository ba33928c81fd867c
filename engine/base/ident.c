/* Identifier rules, as Tauri's tauri-utils acl/identifier.rs defines them,
 * so that every file Tauri accepts we accept and vice versa. */
#include "base/ident.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool alnum(unsigned char c) { return c < 0x80 && isalnum(c); }

int cg_ident_validate(const char *id, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	if (!id || !*id) {
		*why = "identifiers cannot be empty";
		return CG_EIDENT;
	}
	if (strncmp(id, "tauri-plugin-", 13) == 0) {
		*why = "identifiers cannot start with tauri-plugin- (use the plugin's short name, e.g. \"fs:\")";
		return CG_EIDENT;
	}
	size_t len = strlen(id);
	if (len > CG_IDENT_MAX) {
		*why = "identifiers cannot be longer than 116 bytes";
		return CG_EIDENT;
	}
	bool core = strncmp(id, "core:", 5) == 0;
	if (!alnum((unsigned char)id[0])) {
		*why = "identifiers must start with an ASCII letter or digit";
		return CG_EIDENT;
	}
	int seps = 0;
	char prev = id[0];
	for (size_t i = 1; i < len; i++) {
		char c = id[i];
		if (c == ':') {
			if (prev == '-' || prev == ':') {
				*why = "a ':' cannot follow '-' or ':'";
				return CG_EIDENT;
			}
			if (seps && !core) {
				*why = "identifiers can only include a single ':' (several only after \"core:\")";
				return CG_EIDENT;
			}
			seps++;
		} else if (prev == ':' && !alnum((unsigned char)c)) {
			*why = "the part after ':' must start with an ASCII letter or digit";
			return CG_EIDENT;
		} else if (!alnum((unsigned char)c) && c != '-') {
			*why = "identifiers can only include ASCII letters, digits, '-' and ':'";
			return CG_EIDENT;
		}
		prev = c;
	}
	if (prev == ':') {
		*why = "identifiers cannot have a prefix without a base";
		return CG_EIDENT;
	}
	if (prev == '-') {
		*why = "identifiers cannot have a trailing hyphen";
		return CG_EIDENT;
	}
	return 0;
}

size_t cg_ident_prefix_len(const char *id)
{
	const char *c = strrchr(id, ':');
	return c ? (size_t)(c - id) : 0;
}

int cg_plugin_key_validate(const char *key, const char **why)
{
	if (!key || !*key)
		return 0; /* the app */
	/* A key is valid when "key:x" is a valid identifier. Built on the
	 * stack: a failed allocation must not make a valid key invalid. A
	 * key too long for the buffer is too long for an identifier: its
	 * first CG_IDENT_MAX + 1 bytes, still too long, give the same answer.
	 * Never more bytes than the key has (a 115-byte key has 116 with its
	 * NUL: copying CG_IDENT_MAX + 1 of them read one past its end). */
	char tmp[CG_IDENT_MAX + 3];
	size_t n = strnlen(key, CG_IDENT_MAX + 1);
	memcpy(tmp, key, n);
	if (n <= CG_IDENT_MAX)
		memcpy(tmp + n, ":x", 3);
	else
		tmp[n] = 0;
	return cg_ident_validate(tmp, why);
}

char *cg_command_name(const char *key, const char *cmd)
{
	if (!key || !*key)
		return strdup(cmd);
	const char *name = key;
	if (strncmp(key, "core:", 5) == 0)
		name = key + 5;
	return cg_strdup_printf("plugin:%s|%s", name, cmd);
}

char *cg_command_ident(const char *cmd)
{
	char *s = strdup(cmd);
	if (s)
		for (char *p = s; *p; p++)
			if (*p == '_')
				*p = '-';
	return s;
}

static const char *const platforms[] = {"linux", "macOS", "windows", "android", "iOS"};

unsigned cg_platform_bit(const char *name)
{
	for (unsigned i = 0; i < sizeof(platforms) / sizeof(*platforms); i++)
		if (name && strcmp(name, platforms[i]) == 0)
			return 1u << i;
	return 0;
}

const char *cg_platform_list(void) { return "linux, macOS, windows, android, iOS"; }
