/* test_dbfile.c: a new file is moved into place without ever clobbering one
 * another process made meanwhile, an empty file is replaced only while empty,
 * and the sweep removes only temporary files no process holds locked. */
#include "config.h"
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "dbfile.h"
#include "testutil.h"

/* The first line of path, or "" when it cannot be read. */
static const char *get(const char *path)
{
	static char buf[128];
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, sizeof buf, f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	return buf;
}

/* A temporary file for path holding text. */
static void tmp_with(struct dbfile_tmp *t, const char *path, const char *text)
{
	struct mlc_error err = {0};

	assert_int_equal(dbfile_tmp_open(t, path, &err), 0);
	tu_put(t->name, text);
}

static int setup(void **state)
{
	(void)state;
	return tu_tmpdir("dbfile");
}

static void test_install_moves_the_file_into_a_missing_path(void **state)
{
	const char *path = tu_path("new.db");
	struct mlc_error err = {0};
	struct dbfile_tmp t;

	(void)state;
	tmp_with(&t, path, "ours");
	assert_int_equal(dbfile_tmp_install(&t, path, 0, &err), 0);
	assert_int_not_equal(access(t.name, F_OK), 0);
	dbfile_tmp_discard(&t);
	assert_string_equal(get(path), "ours");
}

static void test_install_never_clobbers_a_file_made_meanwhile(void **state)
{
	const char *path = tu_path("raced.db");
	struct mlc_error err = {0};
	struct dbfile_tmp t;
	char *name;

	(void)state;
	tmp_with(&t, path, "ours");
	tu_put(path, "theirs"); /* another process got there first */
	assert_int_equal(dbfile_tmp_install(&t, path, 0, &err), 1);
	name = strdup(t.name);
	dbfile_tmp_discard(&t);
	assert_string_equal(get(path), "theirs");
	assert_int_not_equal(access(name, F_OK), 0);
	free(name);
}

static void test_install_replaces_an_empty_file_keeping_its_mode(void **state)
{
	const char *path = tu_path("empty.db");
	struct mlc_error err = {0};
	struct dbfile_tmp t;
	struct stat st;

	(void)state;
	tu_put(path, "");
	chmod(path, 0640);
	tmp_with(&t, path, "ours");
	assert_int_equal(dbfile_tmp_install(&t, path, 0, &err), 0);
	dbfile_tmp_discard(&t);
	assert_string_equal(get(path), "ours");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
}

static void test_replace_drops_the_old_companions(void **state)
{
	const char *path = tu_path("forced.db"), *wal = tu_path("forced.db-wal");
	struct mlc_error err = {0};
	struct dbfile_tmp t;

	(void)state;
	tu_put(path, "old");
	tu_put(wal, "old wal");
	tmp_with(&t, path, "ours");
	assert_int_equal(dbfile_tmp_install(&t, path, 1, &err), 0);
	dbfile_tmp_discard(&t);
	assert_string_equal(get(path), "ours");
	assert_int_not_equal(access(wal, F_OK), 0);
}

static void test_sweep_spares_a_locked_file_and_removes_the_rest(void **state)
{
	const char *path = tu_path("swept.db"), *stale = tu_path("swept.db.tmp-abc123");
	const char *stale_wal = tu_path("swept.db.tmp-abc123-wal"),
		   *live = tu_path("swept.db.tmp-live01");
	const char *other = tu_path("other.db.tmp-abc123");
	int fd;

	(void)state;
	tu_put(stale, "");
	tu_put(stale_wal, "");
	tu_put(other, "");
	fd = open(live, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	dbfile_sweep(path);
	assert_int_not_equal(access(stale, F_OK), 0);
	assert_int_not_equal(access(stale_wal, F_OK), 0);
	assert_int_equal(access(live, F_OK), 0);
	assert_int_equal(access(other, F_OK), 0); /* another registry's */
	close(fd);
	dbfile_sweep(path);
	assert_int_not_equal(access(live, F_OK), 0);
}

static void test_is_empty_needs_an_empty_wal_too(void **state)
{
	const char *path = tu_path("walonly.db"), *wal = tu_path("walonly.db-wal");

	(void)state;
	tu_put(path, "");
	assert_true(dbfile_is_empty(path));
	tu_put(wal, "frames");
	assert_false(dbfile_is_empty(path));
	assert_false(dbfile_is_empty(tu_path("missing.db")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_install_moves_the_file_into_a_missing_path),
	    cmocka_unit_test(test_install_never_clobbers_a_file_made_meanwhile),
	    cmocka_unit_test(test_install_replaces_an_empty_file_keeping_its_mode),
	    cmocka_unit_test(test_replace_drops_the_old_companions),
	    cmocka_unit_test(test_sweep_spares_a_locked_file_and_removes_the_rest),
	    cmocka_unit_test(test_is_empty_needs_an_empty_wal_too),
	};
	return cmocka_run_group_tests(tests, setup, tu_group_teardown);
}
