/* fuzz_filestore.c: MLflow's file store reader (core/registry_mlruns.c) and
 * import (core/import.c). Input: records "PATH NUL CONTENT NUL ..." written
 * as files under a fresh store folder (PATH relative, no "..", ending in '/'
 * for an empty folder); the store is browsed, then imported into a new local
 * registry, and everything is removed again. */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fuzz.h"
#include "import.h"
#include "registry.h"

#define MAX_FILES 64
#define MAX_PATH 200

/* 1 if rel is a path we write: relative, no empty, "." or ".." parts. */
static int safe_path(const char *rel)
{
	const char *p = rel;

	if (*rel == '\0' || *rel == '/' || strlen(rel) > MAX_PATH)
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		if (*p == '/')
			p++;
	}
	return 1;
}

/* Make the folders of path below root (path's last part is a file unless
 * dir); 0, or -1 when something else is in the way. */
static int make_dirs(char *path, size_t root_len, int dir)
{
	for (char *p = path + root_len + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0755);
		*p = '/';
		if (rc != 0 && errno != EEXIST)
			return -1;
	}
	return dir && mkdir(path, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Write one record (rel, content) under root; bad or clashing paths are skipped. */
static void put(const char *root, char *rel, const uint8_t *content, size_t n)
{
	char path[PATH_MAX];
	size_t len = strlen(rel);
	int dir = len > 0 && rel[len - 1] == '/';

	if (dir)
		rel[len - 1] = '\0';
	if (!safe_path(rel) || snprintf(path, sizeof path, "%s/%s", root, rel) >= (int)sizeof path)
		return;
	if (make_dirs(path, strlen(root), dir) == 0 && !dir)
		fuzz_write_file(path, content, n);
}

/* Decode the records of data into files under root. */
static void make_store(const char *root, const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;

	for (int i = 0; i < MAX_FILES && p < end; i++) {
		const uint8_t *z = memchr(p, '\0', (size_t)(end - p));
		const uint8_t *c = z ? z + 1 : end, *cz;
		char *rel;

		cz = c < end ? memchr(c, '\0', (size_t)(end - c)) : NULL;
		if (cz == NULL)
			cz = end;
		rel = fuzz_strndup(p, (size_t)((z ? z : end) - p));
		put(root, rel, c, (size_t)(cz - c));
		free(rel);
		p = cz < end ? cz + 1 : end;
	}
}

/* An empty local registry's bytes, made once (creating the schema for every
 * input would cost more than the rest of the harness). */
static const char *empty_registry(size_t *len)
{
	static char *bytes;
	static size_t n;
	struct registry_open_opts o = {.create = 1};
	struct mlc_error err = {0};
	char path[PATH_MAX];
	struct registry *r;
	FILE *f;

	if (bytes != NULL) {
		*len = n;
		return bytes;
	}
	snprintf(path, sizeof path, "%s/empty.db", fuzz_tmpdir());
	if ((r = registry_sqlite_open(path, &o, &err)) == NULL)
		fuzz_fail("cannot make %s: %s", path, err.msg);
	registry_close(r);
	if ((f = fopen(path, "rb")) == NULL)
		fuzz_fail("cannot read %s", path);
	fseek(f, 0, SEEK_END);
	n = (size_t)ftell(f);
	rewind(f);
	bytes = malloc(n);
	if (bytes == NULL || fread(bytes, 1, n, f) != n)
		fuzz_fail("cannot read %s", path);
	fclose(f);
	*len = n;
	return bytes;
}

/* Import the store into a new local registry at db. */
static void import_store(struct registry *src, const char *db)
{
	struct registry_open_opts o = {0};
	struct import_opts io = {.actor = "fuzz"};
	struct import_report rep = {0};
	struct mlc_error err = {0};
	struct registry *dst;
	size_t len;
	const char *bytes = empty_registry(&len);

	if (fuzz_write_file(db, bytes, len) < 0)
		fuzz_fail("cannot write %s", db);
	if ((dst = registry_sqlite_open(db, &o, &err)) == NULL)
		fuzz_fail("cannot make the target registry %s: %s", db, err.msg);
	if (import_registry(src, dst, &io, &rep, &err) != 0 && err.msg[0] == '\0')
		fuzz_fail("import failed without a message");
	import_report_free(&rep);
	registry_close(dst);
}

/* One input: a store made, browsed, imported and removed. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char root[PATH_MAX], db[PATH_MAX];
	const struct mlc_warning *warnings;
	struct registry_open_opts o = {.read_only = 1};
	struct mlc_error err = {0};
	struct registry *r;
	size_t n;

	snprintf(root, sizeof root, "%s/store", fuzz_tmpdir());
	snprintf(db, sizeof db, "%s/target", fuzz_tmpdir());
	mkdir(db, 0700);
	strcat(db, "/registry.db");
	fuzz_rm_tree(root);
	if (mkdir(root, 0755) != 0)
		fuzz_fail("cannot make %s", root);
	make_store(root, data, size);
	if ((r = registry_mlruns_open(root, &o, &err)) != NULL) {
		fuzz_browse(r);
		registry_mlruns_warnings(r, &warnings, &n);
		import_store(r, db);
		registry_close(r);
	}
	*strrchr(db, '/') = '\0';
	fuzz_rm_tree(db);
	fuzz_rm_tree(root);
	return 0;
}
