/* fuzz_util.c: the harnesses' temporary folder and file helpers (fuzz.h). */
#include "config.h"
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz.h"

static char tmpdir[PATH_MAX];

/* Print the message and abort (a finding). */
void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* nftw callback: remove one entry (children come first with FTW_DEPTH). */
static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Remove a tree depth first, links themselves rather than their targets. */
void fuzz_rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* atexit: remove the process's temporary folder. */
static void rm_tmpdir(void)
{
	if (tmpdir[0])
		fuzz_rm_tree(tmpdir);
}

/* The process's temporary folder, made on first use. */
const char *fuzz_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpdir[0])
		return tmpdir;
	snprintf(tmpdir, sizeof tmpdir, "%s/mlc-fuzz-XXXXXX", base && *base ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		fuzz_fail("mkdtemp %s failed", tmpdir);
	atexit(rm_tmpdir);
	return tmpdir;
}

/* Write a whole file, refusing to follow a link at path. */
int fuzz_write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	const char *p = data;

	if (fd < 0)
		return -1;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return close(fd);
}

/* A NUL-terminated copy of the input (aborts when out of memory). */
char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
