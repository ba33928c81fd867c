/* Durable atomic file replacement (durable.h). */
#include "store/durable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <capgate.h>

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int cg_durable_replace(int dirfd, const char *name, const void *data, size_t len)
{
	char tmp[320];
	uint32_t rnd = 0;
	if (!name || !*name || strchr(name, '/') || strlen(name) > 255)
		return -EINVAL;
	int fd = -1;
	/* A random name: two saves of one store never share a temp file. */
	for (int tries = 0; fd < 0 && tries < 16; tries++) {
		if (cg_random(&rnd, sizeof(rnd)) < 0)
			return -EIO;
		snprintf(tmp, sizeof(tmp), ".%s.%08x.tmp", name, rnd);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno != EEXIST)
			return -errno;
	}
	if (fd < 0)
		return -EEXIST;
	int rc = write_all(fd, data, len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && renameat(dirfd, tmp, dirfd, name) < 0)
		rc = -errno;
	if (rc) {
		unlinkat(dirfd, tmp, 0);
		return rc;
	}
	/* The rename is durable only once the directory is. */
	if (fsync(dirfd) < 0)
		return -errno;
	return 0;
}

void cg_durable_sweep(int dirfd, const char *name)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	size_t nl = strlen(name);
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *s = e->d_name;
		size_t sl = strlen(s);
		/* ".NAME.xxxxxxxx.tmp" exactly. */
		if (sl == nl + 14 && s[0] == '.' && !strncmp(s + 1, name, nl) && s[nl + 1] == '.' &&
		    !strcmp(s + nl + 10, ".tmp"))
			unlinkat(dirfd, s, 0);
	}
	closedir(d);
}
