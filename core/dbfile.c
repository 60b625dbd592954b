/* dbfile.c: a new registry (or demo) is built in PATH.tmp-XXXXXX beside PATH,
 * synced, and then linked into place, so a kill at any moment leaves either no
 * registry or a whole one, never a half-made file that is refused for ever.
 * The builder holds flock() on its temporary file until it is installed; the
 * lock dies with the process, so a temporary file nobody holds locked is a
 * killed creation's leftover and any later open sweeps it away. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "dbfile.h"
#include "xmalloc.h"

/* The files SQLite keeps beside a database. */
static const char *const companions[] = {"-wal", "-shm", "-journal"};
#define NCOMPANIONS (sizeof companions / sizeof companions[0])

/* Tests only: MLC_TEST_CREATE_PAUSE_MS sleeps between the steps of a creation,
 * so a kill -9 loop can land in each of them. */
static void test_pause(void)
{
	const char *s = getenv("MLC_TEST_CREATE_PAUSE_MS");
	long ms = s ? strtol(s, NULL, 10) : 0;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	if (ms > 0)
		nanosleep(&ts, NULL);
}

/* Remove file's -wal, -shm and -journal; -1 (errno set) if one cannot go. */
static int unlink_companions(const char *file)
{
	int rc = 0;

	for (size_t i = 0; i < NCOMPANIONS; i++) {
		char *f = xasprintf("%s%s", file, companions[i]);
		if (unlink(f) < 0 && errno != ENOENT)
			rc = -1;
		free(f);
	}
	return rc;
}

/* The directory part of path ("." when there is none); the caller frees it. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

/* Flush the directory holding path, so the new name survives a crash. */
static void sync_dir(const char *path)
{
	char *dir = dir_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/* 1 if name ends with one of SQLite's companion suffixes. */
static int is_companion(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < NCOMPANIONS; i++) {
		size_t k = strlen(companions[i]);
		if (n > k && strcmp(name + n - k, companions[i]) == 0)
			return 1;
	}
	return 0;
}

/* Remove file if it is a regular file nobody holds locked (its builder died). */
static void sweep_one(const char *file)
{
	struct stat st;
	int fd = open(file, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0) {
		unlink(file);
		unlink_companions(file);
	}
	close(fd);
}

/* Remove a companion file whose temporary database is gone. */
static void sweep_orphan(const char *file)
{
	size_t n = strlen(file);
	char *main_file = NULL;
	struct stat st;

	for (size_t i = 0; i < NCOMPANIONS && main_file == NULL; i++) {
		size_t k = strlen(companions[i]);
		if (n > k && strcmp(file + n - k, companions[i]) == 0)
			main_file = xasprintf("%.*s", (int)(n - k), file);
	}
	if (main_file && lstat(main_file, &st) < 0 && errno == ENOENT)
		unlink(file);
	free(main_file);
}

void dbfile_sweep(const char *path)
{
	char *dir = dir_of(path);
	const char *slash = strrchr(path, '/');
	char *prefix = xasprintf("%s.tmp-", slash ? slash + 1 : path);
	size_t plen = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, plen) != 0 || e->d_name[plen] == '\0')
			continue;
		char *file = xasprintf("%s/%s", dir, e->d_name);
		if (is_companion(e->d_name))
			sweep_orphan(file);
		else
			sweep_one(file);
		free(file);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(dir);
}

int dbfile_is_empty(const char *path)
{
	struct stat st;
	char *wal;
	int empty;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != 0)
		return 0;
	wal = xasprintf("%s-wal", path);
	empty = stat(wal, &st) < 0 || st.st_size == 0;
	free(wal);
	return empty;
}

/* Six random letters into buf from a clock-and-pid seeded generator. */
static void random_suffix(char *buf, uint64_t *s)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	for (int i = 0; i < 6; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		buf[i] = alphabet[*s % (sizeof alphabet - 1)];
	}
}

/* Create and lock a fresh temporary file named t->name (its last six letters
 * replaced). 1 when the file was swept away before we locked it (try again),
 * 0 when made, -1 with errno. */
static int create_locked(struct dbfile_tmp *t, uint64_t *seed)
{
	struct stat st;

	random_suffix(t->name + strlen(t->name) - 6, seed);
	t->fd = open(t->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (t->fd < 0)
		return errno == EEXIST ? 1 : -1;
	/* A sweeper may lock and remove the file between our create and our
	 * lock; then it has no name any more and we start again. */
	if (flock(t->fd, LOCK_EX) < 0 || fstat(t->fd, &st) < 0) {
		int e = errno;
		close(t->fd);
		t->fd = -1;
		errno = e;
		return -1;
	}
	if (st.st_nlink == 0) {
		close(t->fd);
		t->fd = -1;
		return 1;
	}
	return 0;
}

/* Give t the mode (and, as root, the owner) of the empty file at path. */
static void copy_mode(const struct dbfile_tmp *t, const char *path)
{
	struct stat st;

	if (!dbfile_is_empty(path) || stat(path, &st) < 0)
		return;
	if (geteuid() == 0 && fchown(t->fd, st.st_uid, st.st_gid) < 0)
		return;
	fchmod(t->fd, st.st_mode & 07777);
}

int dbfile_tmp_open(struct dbfile_tmp *t, const char *path, struct mlc_error *err)
{
	struct timespec ts;
	uint64_t seed;
	int rc = 1;

	dbfile_sweep(path);
	clock_gettime(CLOCK_REALTIME, &ts);
	seed =
	    ((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40)) | 1;
	t->name = xasprintf("%s.tmp-XXXXXX", path);
	t->fd = -1;
	for (int tries = 0; tries < 100 && rc == 1; tries++)
		rc = create_locked(t, &seed);
	if (rc != 0) {
		mlc_error_set(err, MLC_ERR_FAILED, "%s: cannot create %s: %s", path, t->name,
			      rc < 0 ? strerror(errno) : "too many name collisions");
		free(t->name);
		t->name = NULL;
		return -1;
	}
	copy_mode(t, path);
	test_pause();
	return 0;
}

/* Replace the empty file at path by t: under a lock on the empty file, and only
 * while path is still that empty file (two creators race here; one wins, the
 * other finds a registry and returns 1). */
static int replace_empty(struct dbfile_tmp *t, const char *path, struct mlc_error *err)
{
	struct stat held, now;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	int rc = 1;

	if (fd < 0)
		return errno == ENOENT
			   ? 2
			   : mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX) == 0 && fstat(fd, &held) == 0 && stat(path, &now) == 0 &&
	    held.st_dev == now.st_dev && held.st_ino == now.st_ino && dbfile_is_empty(path)) {
		/* An empty database's -shm or -journal would only confuse the new one. */
		if (unlink_companions(path) < 0 || rename(t->name, path) < 0)
			rc = mlc_error_set(err, MLC_ERR_FAILED, "%s: cannot move %s into place: %s",
					   path, t->name, strerror(errno));
		else
			rc = 0;
	}
	close(fd);
	return rc;
}

/* Move t to path where nothing is: link() fails rather than clobber. 0 done,
 * 1 path exists, -1 error. */
static int link_new(struct dbfile_tmp *t, const char *path, struct mlc_error *err)
{
	if (link(t->name, path) == 0) {
		unlink(t->name);
		return 0;
	}
	if (errno == EEXIST)
		return 1;
	return mlc_error_set(err, MLC_ERR_FAILED, "%s: cannot move %s into place: %s", path,
			     t->name, strerror(errno));
}

int dbfile_tmp_install(struct dbfile_tmp *t, const char *path, int replace, struct mlc_error *err)
{
	int rc = 1;

	if (fsync(t->fd) < 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "%s: cannot write %s: %s", path, t->name,
				     strerror(errno));
	test_pause();
	if (replace) {
		if (unlink_companions(path) < 0 || rename(t->name, path) < 0)
			return mlc_error_set(err, MLC_ERR_FAILED,
					     "%s: cannot move %s into place: %s", path, t->name,
					     strerror(errno));
		rc = 0;
	}
	/* Missing, then made empty, then removed again: a few rounds at most. */
	for (int tries = 0; tries < 5 && rc != 0; tries++) {
		rc = link_new(t, path, err);
		if (rc == 1 && dbfile_is_empty(path))
			rc = replace_empty(t, path, err);
		if (rc != 2)
			break;
		rc = 1;
	}
	if (rc == 0) {
		sync_dir(path);
		test_pause();
	}
	return rc < 0 ? -1 : rc;
}

void dbfile_tmp_discard(struct dbfile_tmp *t)
{
	if (t->name) {
		struct stat held, now;
		/* Only our own file: after an install the name may be free, or reused. */
		if (t->fd >= 0 && fstat(t->fd, &held) == 0 && held.st_nlink > 0 &&
		    stat(t->name, &now) == 0 && held.st_ino == now.st_ino &&
		    held.st_dev == now.st_dev)
			unlink(t->name);
		unlink_companions(t->name);
	}
	if (t->fd >= 0)
		close(t->fd);
	free(t->name);
	t->name = NULL;
	t->fd = -1;
}

void dbfile_keep_wal(sqlite3 *db)
{
	int on = 1;

	sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
	/* With a limit set, the kept -wal is truncated when the last connection
	 * closes instead of staying at its largest. */
	sqlite3_exec(db, "PRAGMA journal_size_limit = 67108864", NULL, NULL, NULL);
}
