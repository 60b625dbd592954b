/* dbfile.h: how a local SQLite file of ours comes into being — built whole in a
 * locked temporary file beside it and moved into place in one step — and the
 * sweeping of temporary files that killed creations left behind. */
#ifndef MLC_DBFILE_H
#define MLC_DBFILE_H
#include <sqlite3.h>
#include "error.h"

/* A temporary file PATH.tmp-XXXXXX beside a registry, locked (flock) while it
 * is being built: an unlocked one is a killed creation's leftover. */
struct dbfile_tmp {
	char *name; /* owned */
	int fd;	    /* holds the lock; -1 when closed */
};

/* Sweep path's stale temporary files, then make t, empty, with mode 0666 less
 * the umask (or the mode of the empty file at path it will replace). 0, or -1
 * with err. Release with dbfile_tmp_discard (after a failure or an install). */
int dbfile_tmp_open(struct dbfile_tmp *t, const char *path, struct mlc_error *err);
/* Sync t (its SQLite connections closed) and move it to path: replace = 0 only
 * where path is missing or an empty file (never over a registry another process
 * made meanwhile: returns 1 then, t untouched); replace = 1 over any file (the
 * caller checked it may), removing path's old -wal, -shm and -journal first.
 * 0 when installed, -1 with err. */
int dbfile_tmp_install(struct dbfile_tmp *t, const char *path, int replace, struct mlc_error *err);
/* Remove t's file (if still there) and its companions, drop the lock, free. */
void dbfile_tmp_discard(struct dbfile_tmp *t);

/* Remove the PATH.tmp-* files (and their -wal, -shm, -journal) that no process
 * holds locked: what killed creations left. Best effort, silent. */
void dbfile_sweep(const char *path);

/* 1 if path is a file with no bytes and no -wal holding any: "not yet created". */
int dbfile_is_empty(const char *path);

/* Keep the -wal and -shm files when the last connection closes (truncated), so
 * users who may only read the registry can still open it: SQLite 3.22+ reads a
 * WAL database read-only when those files exist, never when it must create them. */
void dbfile_keep_wal(sqlite3 *db);

#endif
