/*
 * File operations through the fs scope, without a race between the check
 * and the use (fs/scope.h: "THE SCOPE OF AN OPEN").
 *
 * The checked path is split at its root. The root (symlinks resolved when
 * the scope was compiled) is opened with RESOLVE_NO_SYMLINKS, the
 * directory holding the last component beneath it with RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS, and the last component is then used with an *at()
 * call and O_NOFOLLOW / AT_SYMLINK_NOFOLLOW. No name is ever resolved
 * twice and no symlink is followed, so whatever another process does to
 * the tree in between, the object acted on is the one at the checked path
 * or the call fails (ELOOP where a symlink now stands).
 *
 * openat2(2) is Linux 5.6+; where it is missing or a seccomp filter
 * refuses it (ENOSYS, EPERM), every component is opened in turn with
 * O_PATH | O_NOFOLLOW | O_DIRECTORY, which gives the same guarantee with a
 * system call per component. Tauri checks a canonicalized path and opens
 * the path again by name, so a symlink swapped in between is followed.
 */
#include "fs/fs_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

static _Atomic int forced_mode = CG_FS_RESOLVE_AUTO;
static _Atomic int probed_mode = CG_FS_RESOLVE_AUTO;

void cg_fs_set_resolve_mode(cg_fs_resolve_mode mode)
{
	atomic_store(&forced_mode, (int)mode);
}

#ifdef SYS_openat2
static int sys_openat2(int dirfd, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = {.flags = (unsigned long long)flags, .resolve = resolve};
	long fd;
	int tries = 0;
	do
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 8); /* a rename raced a lookup */
	return (int)fd;
}

/* Whether openat2 is refused outright (not there, or filtered). */
static bool openat2_missing(int err)
{
	return err == ENOSYS || err == EPERM || err == E2BIG;
}
#endif

static int mode(void)
{
	int m = atomic_load(&forced_mode);
	if (m != CG_FS_RESOLVE_AUTO)
		return m;
	m = atomic_load(&probed_mode);
	if (m != CG_FS_RESOLVE_AUTO)
		return m;
#ifdef SYS_openat2
	int fd = sys_openat2(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_NO_SYMLINKS);
	if (fd >= 0) {
		close(fd);
		m = CG_FS_RESOLVE_OPENAT2;
	} else if (openat2_missing(errno)) {
		m = CG_FS_RESOLVE_WALK;
	} else {
		return CG_FS_RESOLVE_WALK; /* (EMFILE, ...): ask again next time */
	}
#else
	m = CG_FS_RESOLVE_WALK;
#endif
	atomic_store(&probed_mode, m);
	return m;
}

cg_fs_resolve_mode cg_fs_resolve_mode_in_use(void)
{
	return (cg_fs_resolve_mode)mode();
}

/* The directory name in dirfd, not followed if it is a symlink: the fd,
 * or -ELOOP (a symlink), -ENOTDIR (something else), -errno. The type is
 * read from the object opened, so a swap in between cannot blur it. */
static int open_dir_nofollow(int dirfd, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		return fd;
	} else {
		err = S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
	}
	close(fd);
	return err;
}

/* Opens the directory rel (relative, components separated by single
 * '/', no "." or "..") below fd, one component at a time, following no
 * symlink. fd is consumed. */
static int walk(int fd, const char *rel)
{
	char comp[NAME_MAX + 1];

	while (*rel) {
		const char *e = strchr(rel, '/');
		size_t n = e ? (size_t)(e - rel) : strlen(rel);
		int nfd;
		if (n == 0 || n > NAME_MAX || (n == 2 && rel[0] == '.' && rel[1] == '.')) {
			close(fd);
			return n > NAME_MAX ? -ENAMETOOLONG : -EINVAL;
		}
		memcpy(comp, rel, n);
		comp[n] = '\0';
		nfd = open_dir_nofollow(fd, comp);
		close(fd);
		if (nfd < 0)
			return nfd;
		fd = nfd;
		rel += n + (e != NULL);
	}
	return fd;
}

/* The directory at an absolute path, following no symlink anywhere. */
static int open_root(const char *path)
{
#ifdef SYS_openat2
	if (mode() == CG_FS_RESOLVE_OPENAT2) {
		int fd = sys_openat2(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC,
				     RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
		if (fd >= 0)
			return fd;
		if (!openat2_missing(errno))
			return -errno;
		atomic_store(&probed_mode, CG_FS_RESOLVE_WALK); /* e.g. seccomp since */
	}
#endif
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return walk(fd, path + 1);
}

/* The directory rel beneath rootfd (rel may be ""), following no symlink
 * and never leaving rootfd. rootfd stays open. */
static int open_beneath(int rootfd, const char *rel)
{
	if (!*rel) {
		int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
#ifdef SYS_openat2
	if (mode() == CG_FS_RESOLVE_OPENAT2) {
		int fd = sys_openat2(rootfd, rel, O_PATH | O_DIRECTORY | O_CLOEXEC,
				     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
		if (fd >= 0)
			return fd;
		if (!openat2_missing(errno))
			return -errno;
		atomic_store(&probed_mode, CG_FS_RESOLVE_WALK);
	}
#endif
	int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	return walk(fd, rel);
}

/* t's path below its root ("" for the root itself). */
static const char *rest_of(const struct fs_target *t)
{
	const char *r = t->path + t->root_len;
	return *r == '/' ? r + 1 : r;
}

/* Opens the root of t; *rest gets t's path below it. */
static int open_target_root(const struct fs_target *t, const char **rest)
{
	char root[PATH_MAX];
	memcpy(root, t->path, t->root_len);
	root[t->root_len] = '\0';
	*rest = rest_of(t);
	return open_root(root);
}

/* The directory holding t's last component, and that component in
 * *name; *name is NULL when t is its root (the fd is then the root). */
static int open_parent(const struct fs_target *t, const char **name)
{
	char dir[PATH_MAX];
	const char *rest, *slash;
	int rootfd = open_target_root(t, &rest), fd;

	*name = NULL;
	if (rootfd < 0 || !*rest)
		return rootfd;
	slash = strrchr(rest, '/');
	if (!slash) {
		*name = rest;
		return rootfd;
	}
	memcpy(dir, rest, (size_t)(slash - rest));
	dir[slash - rest] = '\0';
	fd = open_beneath(rootfd, dir);
	close(rootfd);
	if (fd >= 0)
		*name = slash + 1;
	return fd;
}

/* A refusal by the scope: -EACCES, as why already says. */
#define OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY)

int cg_fs_open(const cg_fs_scope *s, const cg_fs_grants *g, const char *path, int flags,
	       mode_t mode_bits, cg_fs_why *why)
{
	struct fs_target t;
	const char *name;
	int rc, pfd, fd;

	if (flags & ~OPEN_FLAGS)
		return -EINVAL;
	if ((rc = fs_target(s, g, path, &t, why)) < 0)
		return rc;
	if ((pfd = open_parent(&t, &name)) < 0)
		return pfd;
	/* O_NONBLOCK: opening a FIFO someone put there must not hang a
	 * worker; it is cleared again for the caller. */
	fd = openat(pfd, name ? name : ".", flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode_bits);
	rc = fd < 0 ? -errno : fd;
	close(pfd);
	if (fd >= 0) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
			rc = -errno;
			close(fd);
		}
	}
	return rc;
}

int cg_fs_stat(const cg_fs_scope *s, const cg_fs_grants *g, const char *path, int follow,
	       struct stat *st, cg_fs_why *why)
{
	struct fs_target t;
	const char *name;
	int rc, pfd;

	if (!st)
		return -EINVAL;
	if ((rc = fs_target(s, g, path, &t, why)) < 0)
		return rc;
	if ((pfd = open_parent(&t, &name)) < 0)
		return pfd;
	rc = fstatat(pfd, name ? name : "", st, AT_SYMLINK_NOFOLLOW | (name ? 0 : AT_EMPTY_PATH));
	rc = rc < 0 ? -errno : 0;
	close(pfd);
	if (rc == 0 && follow && S_ISLNK(st->st_mode))
		rc = -ELOOP;
	return rc;
}

static int refuse_denied(cg_fs_why *why, const char *entry)
{
	if (why) {
		why->verdict = CG_FS_DENIED;
		why->entry = entry;
		why->problem = NULL;
	}
	return -EACCES;
}

int cg_fs_mkdir(const cg_fs_scope *s, const cg_fs_grants *g, const char *path, mode_t mode_bits,
		unsigned flags, cg_fs_why *why)
{
	struct fs_target t;
	const char *name, *rest;
	char sofar[PATH_MAX];
	int rc, fd;

	if (flags & ~CG_FS_PARENTS)
		return -EINVAL;
	if ((rc = fs_target(s, g, path, &t, why)) < 0)
		return rc;
	if (!(flags & CG_FS_PARENTS)) {
		if ((fd = open_parent(&t, &name)) < 0)
			return fd;
		rc = !name ? -EEXIST : mkdirat(fd, name, mode_bits) < 0 ? -errno : 0;
		close(fd);
		return rc;
	}
	/* Each missing directory below the root, one at a time. */
	if ((fd = open_target_root(&t, &rest)) < 0)
		return fd;
	if (!*rest) {
		close(fd);
		return 0; /* the root is there */
	}
	for (const char *c = rest; *c;) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		char comp[NAME_MAX + 1];
		int nfd;

		if (n > NAME_MAX) {
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(comp, c, n);
		comp[n] = '\0';
		if (!e) {
			/* The last: made, or already a directory (as create_dir_all). */
			struct stat st;
			rc = 0;
			if (mkdirat(fd, comp, mode_bits) < 0) {
				rc = -errno;
				if (rc == -EEXIST && fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				    S_ISDIR(st.st_mode))
					rc = 0;
			}
			close(fd);
			return rc;
		}
		memcpy(sofar, rest, (size_t)(c - rest) + n);
		sofar[(c - rest) + n] = '\0';
		nfd = open_dir_nofollow(fd, comp);
		if (nfd == -ENOENT) {
			const char *entry = NULL;
			if (fs_denied_below(s, &t, sofar, &entry)) {
				close(fd);
				return refuse_denied(why, entry);
			}
			if (mkdirat(fd, comp, mode_bits) < 0 && errno != EEXIST) {
				rc = -errno;
				close(fd);
				return rc;
			}
			nfd = open_dir_nofollow(fd, comp);
		}
		close(fd);
		if (nfd < 0)
			return nfd;
		fd = nfd;
		c += n + 1;
	}
	close(fd);
	return 0;
}

/* Empties and removes the directory name in dirfd, whose path below the
 * root is rel; keeps what a deny entry matches (-EACCES, *kept names it). */
static int remove_tree(const cg_fs_scope *s, const struct fs_target *t, int dirfd, const char *name,
		       const char *rel, int depth, const char **kept)
{
	char child[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int fd, err = 0;
	bool held = false;

	if (depth > 256)
		return -ELOOP;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		err = -errno;
		close(fd);
		return err;
	}
	while ((errno = 0, de = readdir(dir))) {
		struct stat st;
		const char *entry = NULL;
		int r;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "",
				     de->d_name) >= sizeof(child)) {
			err = -ENAMETOOLONG;
			continue;
		}
		if (fs_denied_below(s, t, child, &entry)) {
			held = true;
			*kept = entry;
			continue;
		}
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			err = -errno;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			r = remove_tree(s, t, fd, de->d_name, child, depth + 1, kept);
			if (r == -EACCES && *kept)
				held = true;
			else if (r < 0)
				err = r;
		} else if (unlinkat(fd, de->d_name, 0) < 0) {
			err = -errno;
		}
	}
	if (errno && !err)
		err = -errno;
	closedir(dir);
	if (held)
		return -EACCES;
	if (err)
		return err;
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

int cg_fs_remove(const cg_fs_scope *s, const cg_fs_grants *g, const char *path, unsigned flags,
		 cg_fs_why *why)
{
	struct fs_target t;
	struct stat st;
	const char *name, *kept = NULL;
	int rc, pfd;

	if (flags & ~CG_FS_RECURSIVE)
		return -EINVAL;
	if ((rc = fs_target(s, g, path, &t, why)) < 0)
		return rc;
	if ((pfd = open_parent(&t, &name)) < 0)
		return pfd;
	if (!name) {
		close(pfd);
		return -EBUSY; /* a scope's root is not removed through it */
	}
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		rc = -errno;
	else if (!S_ISDIR(st.st_mode))
		rc = unlinkat(pfd, name, 0) < 0 ? -errno : 0;
	else if (!(flags & CG_FS_RECURSIVE))
		rc = unlinkat(pfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
	else if ((rc = remove_tree(s, &t, pfd, name, rest_of(&t), 0, &kept)) == -EACCES && kept)
		refuse_denied(why, kept);
	close(pfd);
	return rc;
}

/* Whether moving the directory at `from` to `to` would change what a deny
 * entry says of anything below it (so moving it would take its contents
 * out of the entry's reach). Both spellings of each path are compared. */
static const char *move_escapes_deny(const cg_fs_scope *s, const struct fs_target *from,
				     const struct fs_target *to);

int cg_fs_rename(const cg_fs_scope *s, const cg_fs_grants *g, const char *from, const char *to,
		 unsigned flags, cg_fs_why *why)
{
	struct fs_target a, b;
	struct stat st;
	const char *na, *nb, *entry;
	int rc, pa, pb;

	if (flags & ~CG_FS_NOREPLACE)
		return -EINVAL;
	if ((rc = fs_target(s, g, from, &a, why)) < 0 || (rc = fs_target(s, g, to, &b, why)) < 0)
		return rc;
	if ((pa = open_parent(&a, &na)) < 0)
		return pa;
	if ((pb = open_parent(&b, &nb)) < 0) {
		close(pa);
		return pb;
	}
	if (!na || !nb) {
		rc = -EBUSY;
	} else if (fstatat(pa, na, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = -errno;
	} else if ((entry = move_escapes_deny(s, &a, &b))) {
		/* Whatever the source is now: another call may put a directory
		 * under its name between this look and the rename (a regular
		 * file checked here, a denied tree moved; attack19). */
		(void)st;
		rc = refuse_denied(why, entry);
		if (why)
			why->path = from;
	} else {
		rc = renameat2(pa, na, pb, nb, (flags & CG_FS_NOREPLACE) ? RENAME_NOREPLACE : 0) < 0
			     ? -errno
			     : 0;
	}
	close(pa);
	close(pb);
	return rc;
}

static const char *move_escapes_deny(const cg_fs_scope *s, const struct fs_target *from,
				     const struct fs_target *to)
{
	const char *e = fs_deny_moved(s, from->req, to->req);
	return e ? e : fs_deny_moved(s, from->path, to->path);
}
