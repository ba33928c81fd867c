/*
 * core:image: images as resources of the page that made them (Tauri's
 * plugin:image|new, from_bytes, from_path, rgba, size), and the JsImage
 * argument of the commands that take an icon.
 *
 * Where capgate is stricter than Tauri (docs/core-commands.md):
 *   - only PNG and ICO are decoded (what Tauri's image-png and image-ico
 *     features read), plus JPEG for set_icon's raw bytes as before; no
 *     other gdk-pixbuf loader is reachable from a page;
 *   - an image's size is checked before it is decoded (a PNG's header) or
 *     as soon as the decoder knows it: at most CGR_IMAGE_MAX_SIDE pixels a
 *     side and CGR_IMAGE_MAX_BYTES of RGBA, so a small file cannot make
 *     the core allocate gigabytes;
 *   - from_path reads only files beneath the app's frontend directory
 *     (where resolveResource points), opened without following a symlink;
 *     Tauri reads any path the core can.
 */
#include "corecmds.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#define IMAGE_TYPE "core:image"
#define CGR_IMAGE_MAX_SIDE 16384
#define CGR_IMAGE_MAX_BYTES ((size_t)64 << 20)
/* An encoded image file: more than any icon needs. */
#define CGR_IMAGE_MAX_FILE ((size_t)16 << 20)

typedef enum { FMT_NONE, FMT_PNG, FMT_ICO, FMT_JPEG } img_fmt;

static img_fmt sniff(const guchar *b, size_t n, bool jpeg)
{
	static const guchar png[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
	if (n >= 8 && memcmp(b, png, 8) == 0)
		return FMT_PNG;
	if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 1 && b[3] == 0)
		return FMT_ICO;
	if (jpeg && n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return FMT_JPEG;
	return FMT_NONE;
}

static bool size_ok(long w, long h)
{
	return w > 0 && h > 0 && w <= CGR_IMAGE_MAX_SIDE && h <= CGR_IMAGE_MAX_SIDE &&
	       (size_t)w * (size_t)h * 4 <= CGR_IMAGE_MAX_BYTES;
}

static char *too_big(long w, long h)
{
	return g_strdup_printf("image of %ldx%ld pixels refused: capgate decodes at most %d pixels a side and "
			       "%zu MiB of RGBA",
			       w, h, CGR_IMAGE_MAX_SIDE, CGR_IMAGE_MAX_BYTES >> 20);
}

typedef struct {
	bool refused;
	int w, h;
} prep;

/* The decoders know the size before they allocate the pixels; past the
 * limit the loader is told to make a 1x1 image instead, and the result is
 * thrown away. */
static void on_size(GdkPixbufLoader *ld, int w, int h, gpointer data)
{
	prep *p = data;
	if (!size_ok(w, h)) {
		p->refused = true;
		p->w = w;
		p->h = h;
		gdk_pixbuf_loader_set_size(ld, 1, 1);
	}
}

GdkPixbuf *cgr_image_decode(const guchar *b, size_t n, bool jpeg, char **why)
{
	img_fmt f = sniff(b, n, jpeg);
	if (f == FMT_NONE) {
		*why = g_strdup(jpeg ? "invalid icon: not a PNG, ICO or JPEG image"
				     : "invalid image: capgate reads PNG and ICO images");
		return NULL;
	}
	if (f == FMT_PNG && n >= 24 && memcmp(b + 12, "IHDR", 4) == 0) {
		long w = (long)((guint32)b[16] << 24 | (guint32)b[17] << 16 | (guint32)b[18] << 8 | b[19]);
		long h = (long)((guint32)b[20] << 24 | (guint32)b[21] << 16 | (guint32)b[22] << 8 | b[23]);
		if (!size_ok(w, h)) {
			*why = too_big(w, h);
			return NULL;
		}
	}
	GError *err = NULL;
	GdkPixbufLoader *ld = gdk_pixbuf_loader_new_with_type(f == FMT_PNG ? "png" : f == FMT_ICO ? "ico" : "jpeg",
							      &err);
	if (!ld) {
		*why = g_strdup_printf("invalid image: %s", err ? err->message : "no decoder");
		g_clear_error(&err);
		return NULL;
	}
	prep p = {0};
	g_signal_connect(ld, "size-prepared", G_CALLBACK(on_size), &p);
	GdkPixbuf *pb = NULL;
	bool wrote = gdk_pixbuf_loader_write(ld, b, n, &err);
	bool closed = gdk_pixbuf_loader_close(ld, wrote ? &err : NULL);
	if (p.refused) {
		*why = too_big(p.w, p.h);
	} else if (wrote && closed && (pb = gdk_pixbuf_loader_get_pixbuf(ld))) {
		g_object_ref(pb);
	} else {
		*why = g_strdup_printf("invalid image: %s", err ? err->message : "unreadable");
	}
	g_clear_error(&err);
	g_object_unref(ld);
	return pb;
}

/* The pixels as RGBA rows without padding (what Tauri's Image::rgba
 * gives), in a buffer of width * height * 4 bytes. */
static guchar *rgba_of(GdkPixbuf *pb, size_t *len)
{
	int w = gdk_pixbuf_get_width(pb), h = gdk_pixbuf_get_height(pb);
	int stride = gdk_pixbuf_get_rowstride(pb), nch = gdk_pixbuf_get_n_channels(pb);
	const guchar *px = gdk_pixbuf_read_pixels(pb);
	*len = (size_t)w * (size_t)h * 4;
	guchar *out = g_malloc(*len ? *len : 1);
	for (int y = 0; y < h; y++) {
		const guchar *row = px + (size_t)y * (size_t)stride;
		guchar *o = out + (size_t)y * (size_t)w * 4;
		for (int x = 0; x < w; x++) {
			o[4 * x] = row[nch * x];
			o[4 * x + 1] = row[nch * x + 1];
			o[4 * x + 2] = row[nch * x + 2];
			o[4 * x + 3] = nch == 4 ? row[nch * x + 3] : 255;
		}
	}
	return out;
}

static GdkPixbuf *from_rgba(const guchar *b, size_t n, long w, long h, char **why)
{
	if (!size_ok(w, h)) {
		*why = w > 0 && h > 0 ? too_big(w, h) : g_strdup("invalid image: width and height must be above 0");
		return NULL;
	}
	if ((size_t)w * (size_t)h * 4 != n) {
		*why = g_strdup_printf("invalid image: the rgba data must be width * height * 4 = %zu bytes, not %zu",
				       (size_t)w * (size_t)h * 4, n);
		return NULL;
	}
	GdkPixbuf *pb = gdk_pixbuf_new(GDK_COLORSPACE_RGB, TRUE, 8, (int)w, (int)h);
	if (!pb) {
		*why = g_strdup("out of memory");
		return NULL;
	}
	int stride = gdk_pixbuf_get_rowstride(pb);
	guchar *px = gdk_pixbuf_get_pixels(pb);
	for (long y = 0; y < h; y++)
		memcpy(px + (size_t)y * (size_t)stride, b + (size_t)y * (size_t)w * 4, (size_t)w * 4);
	return pb;
}

/* A number[] of bytes (the bridge sends Uint8Array and ArrayBuffer so). */
static guchar *bytes_arg(json_object *a, size_t *n, const char *arg, const char *cmd, char **why)
{
	if (!json_object_is_type(a, json_type_array)) {
		*why = g_strdup_printf("invalid args `%s` for command `%s`: expected a sequence of bytes", arg, cmd);
		return NULL;
	}
	*n = json_object_array_length(a);
	guchar *b = g_malloc(*n ? *n : 1);
	for (size_t i = 0; i < *n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		int64_t v = json_object_is_type(e, json_type_int) ? json_object_get_int64(e) : -1;
		if (v < 0 || v > 255) {
			*why = g_strdup_printf("invalid args `%s` for command `%s`: item %zu is not a byte (0 to 255)", arg,
					       cmd, i);
			g_free(b);
			return NULL;
		}
		b[i] = (guchar)v;
	}
	return b;
}

static int refuse(cg_call *c, char *why)
{
	cg_call_reject(c, why);
	g_free(why);
	return 0;
}

static int answer_rid(cg_call *c, GdkPixbuf *pb)
{
	uint32_t rid = 0;
	int rc = cg_call_add_resource(c, IMAGE_TYPE, pb, g_object_unref, &rid);
	if (rc == CG_ENOMEM)
		g_object_unref(pb);
	if (rc < 0)
		return cg_call_reject(c, rc == CG_ESTATE ? "the webview is gone" : "out of memory");
	return cg_call_resolve(c, json_object_new_int64(rid));
}

static json_object *arg(cg_call *c, const char *key)
{
	json_object *v = NULL;
	json_object *a = cg_call_args(c);
	return a && json_object_object_get_ex(a, key, &v) ? v : NULL;
}

static int img_new(cg_call *c, void *u)
{
	char *why = NULL;
	size_t n = 0;
	guchar *b = bytes_arg(arg(c, "rgba"), &n, "rgba", "new", &why);
	if (!b)
		return refuse(c, why);
	json_object *jw = arg(c, "width"), *jh = arg(c, "height");
	if (!json_object_is_type(jw, json_type_int) || !json_object_is_type(jh, json_type_int)) {
		g_free(b);
		return refuse(c, g_strdup("invalid args for command `new`: `width` and `height` must be integers"));
	}
	GdkPixbuf *pb = from_rgba(b, n, (long)json_object_get_int64(jw), (long)json_object_get_int64(jh), &why);
	g_free(b);
	return pb ? answer_rid(c, pb) : refuse(c, why);
}

static int img_from_bytes(cg_call *c, void *u)
{
	char *why = NULL;
	size_t n = 0;
	guchar *b = bytes_arg(arg(c, "bytes"), &n, "bytes", "from_bytes", &why);
	if (!b)
		return refuse(c, why);
	GdkPixbuf *pb = cgr_image_decode(b, n, false, &why);
	g_free(b);
	return pb ? answer_rid(c, pb) : refuse(c, why);
}

/* path beneath dir, without "..", as a path relative to dir; NULL if it
 * is not beneath it. */
static char *beneath(const char *dir, const char *path)
{
	size_t d = strlen(dir);
	while (d > 1 && dir[d - 1] == '/')
		d--;
	if (strncmp(path, dir, d) != 0 || path[d] != '/')
		return NULL;
	const char *rel = path + d;
	while (*rel == '/')
		rel++;
	if (!*rel)
		return NULL;
	char **parts = g_strsplit(rel, "/", -1);
	bool bad = false;
	for (char **p = parts; *p; p++)
		bad |= strcmp(*p, "..") == 0;
	g_strfreev(parts);
	return bad ? NULL : g_strdup(rel);
}

static int open_beneath(int dirfd, const char *rel)
{
#ifdef SYS_openat2
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	long fd;
	int tries = 0;
	do
		fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 8);
	return (int)fd;
#else
	(void)dirfd;
	(void)rel;
	errno = ENOSYS;
	return -1;
#endif
}

static int img_from_path(cg_call *c, void *u)
{
	cg_app *app = u;
	json_object *jp = arg(c, "path");
	const char *path = json_object_is_type(jp, json_type_string) ? json_object_get_string(jp) : NULL;
	if (!path)
		return cg_call_reject(c, "invalid args `path` for command `from_path`: expected a path");
	const char *dir = cg_appconfig_frontend_dir(app->cfg);
	char *rel = dir ? beneath(dir, path) : NULL;
	if (!rel)
		return refuse(c, g_strdup_printf("capgate: image path %s refused: from_path reads only files in the app's "
						 "frontend directory (resolveResource); read other files with the fs "
						 "plugin and use Image.fromBytes",
						 path));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = dfd >= 0 ? open_beneath(dfd, rel) : -1;
	int err = errno;
	if (dfd >= 0)
		close(dfd);
	g_free(rel);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > CGR_IMAGE_MAX_FILE) {
		char *why = fd < 0 ? g_strdup_printf("failed to open image %s: %s%s", path, g_strerror(err),
						     err == ENOSYS || err == EPERM ? " (capgate opens it with openat2, "
										     "which this system refuses)"
										   : "")
				   : g_strdup_printf("failed to read image %s: not a regular file of at most %zu MiB",
						     path, CGR_IMAGE_MAX_FILE >> 20);
		if (fd >= 0)
			close(fd);
		return refuse(c, why);
	}
	size_t n = (size_t)st.st_size, got = 0;
	guchar *b = g_malloc(n ? n : 1);
	while (got < n) {
		ssize_t r = read(fd, b + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	char *why = NULL;
	GdkPixbuf *pb = cgr_image_decode(b, got, false, &why);
	g_free(b);
	return pb ? answer_rid(c, pb) : refuse(c, why);
}

/* The caller's image rid, as Tauri's resources_table().get answers. */
static GdkPixbuf *image_rid(cg_call *c, json_object *v, cg_resource **res)
{
	int64_t rid = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
	if (rid <= 0 || rid > UINT32_MAX || cg_call_get_resource(c, (uint32_t)rid, IMAGE_TYPE, res) < 0)
		return NULL;
	return cg_resource_object(*res);
}

static char *bad_rid(json_object *v)
{
	return g_strdup_printf("The resource id %s is invalid.", v ? json_object_to_json_string(v) : "(none)");
}

static int img_rgba(cg_call *c, void *u)
{
	cg_resource *res = NULL;
	GdkPixbuf *pb = image_rid(c, arg(c, "rid"), &res);
	if (!pb)
		return refuse(c, bad_rid(arg(c, "rid")));
	size_t n = 0;
	guchar *b = rgba_of(pb, &n);
	cg_resource_unref(res);
	return cg_call_resolve_bytes_take(c, b, n, g_free);
}

static int img_size(cg_call *c, void *u)
{
	cg_resource *res = NULL;
	GdkPixbuf *pb = image_rid(c, arg(c, "rid"), &res);
	if (!pb)
		return refuse(c, bad_rid(arg(c, "rid")));
	json_object *o = json_object_new_object();
	json_object_object_add(o, "width", json_object_new_int(gdk_pixbuf_get_width(pb)));
	json_object_object_add(o, "height", json_object_new_int(gdk_pixbuf_get_height(pb)));
	cg_resource_unref(res);
	return cg_call_resolve(c, o);
}

GdkPixbuf *cgr_image_arg(cg_call *c, json_object *v, const char *cmd, char **why)
{
	if (json_object_is_type(v, json_type_int)) {
		cg_resource *res = NULL;
		GdkPixbuf *pb = image_rid(c, v, &res);
		if (pb)
			g_object_ref(pb);
		cg_resource_unref(res);
		if (!pb)
			*why = bad_rid(v);
		return pb;
	}
	json_object *bytes = v, *rgba = NULL;
	if (json_object_is_type(v, json_type_object) && json_object_object_get_ex(v, "rgba", &rgba))
		bytes = rgba;
	if (!json_object_is_type(bytes, json_type_array)) {
		*why = g_strdup_printf("invalid args `value` for command `%s`: expected image bytes, {rgba, width, "
				       "height} or a resource id",
				       cmd);
		return NULL;
	}
	size_t n = 0;
	guchar *b = bytes_arg(bytes, &n, "value", cmd, why);
	if (!b)
		return NULL;
	GdkPixbuf *pb;
	if (rgba) {
		json_object *jw = NULL, *jh = NULL;
		json_object_object_get_ex(v, "width", &jw);
		json_object_object_get_ex(v, "height", &jh);
		pb = from_rgba(b, n, (long)json_object_get_int64(jw), (long)json_object_get_int64(jh), why);
	} else {
		pb = cgr_image_decode(b, n, true, why);
	}
	g_free(b);
	return pb;
}

void cgr_register_image_commands(cg_app *app)
{
	static const struct {
		const char *cmd;
		cg_command_fn fn;
	} cmds[] = {
		{"new", img_new}, {"from_bytes", img_from_bytes}, {"from_path", img_from_path},
		{"rgba", img_rgba}, {"size", img_size},
	};
	/* Decoding is work for a worker, not the main loop. */
	for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++)
		cg_router_register(app->r, "core:image", cmds[i].cmd, cmds[i].fn, app, CG_CMD_ASYNC);
}
