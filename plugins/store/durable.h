/*
 * Durable, atomic replacement of a file: a store on disk is always one
 * complete save, whatever moment the process is killed (kill -9, power
 * loss after the final fsync). The bytes go to a new temporary file in the
 * same directory, which is fsynced, renamed over the target (atomic within
 * a directory) and then the directory itself is fsynced so the rename
 * survives too. A reader sees the old content or the new, never a mix,
 * never an empty file.
 */
#ifndef CG_PLUGIN_STORE_DURABLE_H
#define CG_PLUGIN_STORE_DURABLE_H

#include <stddef.h>

/* Replaces name (one path component) in the directory dirfd with len
 * bytes of data, durably. 0, or a negative errno; on failure the old file
 * is untouched and no temporary file is left behind (a kill in the middle
 * may leave a ".name.*.tmp", which cg_durable_sweep removes). */
int cg_durable_replace(int dirfd, const char *name, const void *data, size_t len);

/* Removes temporary files of earlier, interrupted saves of name. */
void cg_durable_sweep(int dirfd, const char *name);

#endif
