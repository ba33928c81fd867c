/*
 * Invoke messages as @tauri-apps/api v2 sends them:
 *   {"cmd": "...", "callback": N, "error": N, "payload": ..., "options": {"headers": {...}}}
 * Parsed with the same strict reader as policy files (limits on size and
 * depth, strict UTF-8, no duplicate keys), then checked field by field.
 * Nothing here says who the caller is: that comes from the transport.
 */
#include "router/router.h"
#include "base/text.h"
#include "base/jsonval.h"

#include <stdlib.h>
#include <string.h>

bool cg_event_name_valid(const char *e)
{
	if (!e || !*e || strlen(e) > 512)
		return false;
	for (const unsigned char *c = (const unsigned char *)e; *c; c++)
		if (!(*c < 0x80 && (g_ascii_isalnum(*c) || *c == '-' || *c == '/' || *c == ':' || *c == '_')))
			return false;
	return true;
}

bool cg_json_plain_string(json_object *v)
{
	return json_object_is_type(v, json_type_string) &&
	       strlen(json_object_get_string(v)) == (size_t)json_object_get_string_len(v);
}

void cg_ipcmsg_clear(cg_ipcmsg *m)
{
	free(m->cmd);
	json_object_put(m->payload);
	json_object_put(m->headers);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

int cg_ipc_check_strings(json_object *v, size_t max, char **why)
{
	/* Iterative: the depth limit already bounds the stack, but a message
	 * with many siblings should not cost recursion either. */
	GPtrArray *todo = g_ptr_array_new();
	g_ptr_array_add(todo, v);
	int r = 0;
	while (todo->len && r == 0) {
		json_object *o = g_ptr_array_steal_index_fast(todo, todo->len - 1);
		switch (json_object_get_type(o)) {
		case json_type_string:
			if ((size_t)json_object_get_string_len(o) > max) {
				*why = cg_strdup_printf("a string of %d bytes is longer than the limit of %zu",
							json_object_get_string_len(o), max);
				r = CG_ELIMIT;
			}
			break;
		case json_type_array:
			for (size_t i = 0; i < json_object_array_length(o); i++)
				g_ptr_array_add(todo, json_object_array_get_idx(o, i));
			break;
		case json_type_object: {
			json_object_object_foreach(o, k, val) {
				if (strlen(k) > max) {
					*why = cg_strdup_printf("a key of %zu bytes is longer than the limit of %zu",
								strlen(k), max);
					r = CG_ELIMIT;
					break;
				}
				g_ptr_array_add(todo, val);
			}
			break;
		}
		default:
			break;
		}
	}
	g_ptr_array_free(todo, TRUE);
	return r;
}

static bool valid_cmd(const char *c)
{
	size_t n = strlen(c);
	if (n == 0 || n > 512)
		return false;
	for (const unsigned char *p = (const unsigned char *)c; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	return true;
}

static int read_id(json_object *root, const char *key, int64_t *out, char **why)
{
	json_object *v = cg_jv_get(root, key);
	*out = -1;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) > UINT32_MAX) {
		*why = cg_strdup_printf("\"%s\" must be a callback id (an integer from 0 to 4294967295)", key);
		return CG_ESCHEMA;
	}
	*out = json_object_get_int64(v);
	return 0;
}

static int read_headers(json_object *root, json_object **out, char **why)
{
	json_object *opts = cg_jv_get(root, "options");
	*out = NULL;
	if (!opts)
		return 0;
	if (!json_object_is_type(opts, json_type_object)) {
		*why = strdup("\"options\" must be an object");
		return CG_ESCHEMA;
	}
	json_object_object_foreach(opts, k, v) {
		(void)v;
		if (strcmp(k, "headers") != 0) {
			*why = cg_strdup_printf("unknown field \"options.%.64s\"", k);
			return CG_ESCHEMA;
		}
	}
	json_object *h = cg_jv_get(opts, "headers");
	if (!h)
		return 0;
	if (!json_object_is_type(h, json_type_object)) {
		*why = strdup("\"options.headers\" must be an object of strings");
		return CG_ESCHEMA;
	}
	json_object_object_foreach(h, hk, hv) {
		if (!cg_json_plain_string(hv) || !*hk) {
			*why = cg_strdup_printf("header \"%.64s\" must have a string value", hk);
			return CG_ESCHEMA;
		}
	}
	*out = json_object_get(h);
	return 0;
}

/* Canonical base64 only (base/text.h): a looser reader would give one
 * body several spellings. */
static int read_body(json_object *v, cg_ipcmsg *out, char **why)
{
	size_t n = (size_t)json_object_get_string_len(v), dl = 0;
	const char *s = json_object_get_string(v);
	if (!cg_json_plain_string(v) || !cg_b64_canonical(s, n, &dl)) {
		*why = strdup("\"body\" must be canonical base64 (RFC 4648, padded, as btoa() writes it)");
		return CG_ESCHEMA;
	}
	out->body = malloc(dl ? dl : 1);
	if (!out->body)
		return CG_ENOMEM;
	if (!cg_b64_decode(s, n, out->body, dl)) {
		free(out->body);
		out->body = NULL;
		*why = strdup("\"body\" must be canonical base64 (RFC 4648, padded, as btoa() writes it)");
		return CG_ESCHEMA;
	}
	out->body_len = dl;
	return 0;
}

int cg_ipcmsg_parse(const cg_router *r, const char *msg, size_t len, int flags, cg_ipcmsg *out,
		    char **why)
{
	static const char *const keys[] = {"cmd", "callback", "error", "payload", "options", "body", NULL};
	memset(out, 0, sizeof(*out));
	out->callback = out->error = -1;
	*why = NULL;
	if (len > r->limits[CG_RLIMIT_MESSAGE_SIZE]) {
		*why = cg_strdup_printf("message of %zu bytes is larger than the limit of %zu",
					len, r->limits[CG_RLIMIT_MESSAGE_SIZE]);
		return CG_ELIMIT;
	}
	cg_json_limits jl = {r->limits[CG_RLIMIT_MESSAGE_SIZE] + 1, (int)r->limits[CG_RLIMIT_DEPTH], true};
	cg_diag *d = cg_diag_new();
	cg_jsondoc *doc = NULL;
	int rc = d ? cg_jsondoc_load_mem("message", msg, len, &jl, &doc, d) : CG_ENOMEM;
	if (rc < 0) {
		const char *m = cg_diag_count(d) ? cg_diag_message(d, 0) : cg_strerror(rc);
		*why = cg_strdup_printf("malformed message: %s", m);
		cg_diag_free(d);
		return rc;
	}
	cg_diag_free(d);
	json_object *root = doc->root;
	rc = CG_ESCHEMA;
	if (!json_object_is_type(root, json_type_object)) {
		*why = strdup("the message must be a JSON object");
		goto out;
	}
	json_object_object_foreach(root, k, v) {
		(void)v;
		bool known = false;
		for (const char *const *kk = keys; *kk && !known; kk++)
			known = strcmp(*kk, k) == 0 && (strcmp(k, "body") != 0 || (flags & CG_IPCMSG_BODY));
		if (known && (flags & CG_IPCMSG_NO_PAYLOAD) && (strcmp(k, "payload") == 0 || strcmp(k, "body") == 0)) {
			*why = cg_strdup_printf("a binary call's body travels beside its message, which has no \"%s\"", k);
			goto out;
		}
		if (!known) {
			*why = cg_strdup_printf("unknown field \"%.64s\" in the message", k);
			goto out;
		}
	}
	json_object *cmd = cg_jv_get(root, "cmd");
	if (!cg_json_plain_string(cmd) || !valid_cmd(json_object_get_string(cmd))) {
		*why = strdup("\"cmd\" must be a command name (1 to 512 printable ASCII characters)");
		goto out;
	}
	if (read_id(root, "callback", &out->callback, why) < 0 ||
	    read_id(root, "error", &out->error, why) < 0 || read_headers(root, &out->headers, why) < 0)
		goto out;
	if ((rc = cg_ipc_check_strings(root, r->limits[CG_RLIMIT_STRING], why)) < 0)
		goto out;
	json_object *body = cg_jv_get(root, "body");
	rc = CG_ESCHEMA;
	if (body && cg_jv_get(root, "payload")) {
		*why = strdup("a binary call has a \"body\" or a \"payload\", not both");
		goto out;
	}
	if (body && !json_object_is_type(body, json_type_string)) {
		*why = strdup("\"body\" must be base64");
		goto out;
	}
	if (body && (rc = read_body(body, out, why)) < 0)
		goto out;
	rc = CG_ESCHEMA;
	out->cmd = strdup(json_object_get_string(cmd));
	json_object *payload = cg_jv_get(root, "payload");
	out->payload = payload ? json_object_get(payload) : json_object_new_object();
	rc = out->cmd && out->payload ? 0 : CG_ENOMEM;
out:
	cg_jsondoc_free(doc);
	if (rc < 0) {
		cg_ipcmsg_clear(out);
		if (!*why)
			*why = strdup(cg_strerror(rc));
	}
	return rc;
}

json_object *cg_ipc_parse_headers(const cg_router *r, const char *text, char **why)
{
	cg_json_limits jl = {r->limits[CG_RLIMIT_MESSAGE_SIZE], 2, true};
	cg_diag *d = cg_diag_new();
	cg_jsondoc *doc = NULL;
	json_object *out = NULL;
	*why = NULL;
	if (d && cg_jsondoc_load_mem("headers", text, strlen(text), &jl, &doc, d) < 0) {
		*why = cg_strdup_printf("malformed headers: %s",
					cg_diag_count(d) ? cg_diag_message(d, 0) : "invalid");
		goto out;
	}
	if (!doc || !json_object_is_type(doc->root, json_type_object)) {
		*why = strdup("headers must be a JSON object of strings");
		goto out;
	}
	json_object_object_foreach(doc->root, k, v) {
		if (!*k || !cg_json_plain_string(v)) {
			*why = cg_strdup_printf("header \"%.64s\" must have a string value", k);
			goto out;
		}
	}
	if (cg_ipc_check_strings(doc->root, r->limits[CG_RLIMIT_STRING], why) == 0)
		out = json_object_get(doc->root);
out:
	cg_jsondoc_free(doc);
	cg_diag_free(d);
	if (!out && !*why)
		*why = strdup("out of memory");
	return out;
}
