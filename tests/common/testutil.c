/* testutil.c: the temporary folder, file, SQL and registry helpers the unit
 * tests share (testutil.h). */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "registry.h"
#include "testutil.h"

static char dir[64];

int tu_tmpdir(const char *name)
{
	snprintf(dir, sizeof dir, "/tmp/mlc-%s-XXXXXX", name);
	return mkdtemp(dir) ? 0 : -1;
}

const char *tu_dir(void)
{
	return dir;
}

int tu_rmdir(void)
{
	char cmd[128];

	if (dir[0] == '\0')
		return 0;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int tu_group_teardown(void **state)
{
	(void)state;
	return tu_rmdir();
}

void tu_client_env(void)
{
	setenv("HOME", dir, 1);
	unsetenv("XDG_STATE_HOME");
	unsetenv("MLFLOW_TRACKING_USERNAME");
	unsetenv("MLFLOW_TRACKING_PASSWORD");
	unsetenv("MLFLOW_TRACKING_TOKEN");
	setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1", 1);
	setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0", 1);
}

const char *tu_path(const char *name)
{
	static char buf[64][512];
	static int i;

	i = (i + 1) % 64;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

void tu_mkparents(const char *path)
{
	char tmp[1024];

	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
}

void tu_put(const char *file, const char *text)
{
	const char *path = file[0] == '/' ? file : tu_path(file);
	FILE *f;

	tu_mkparents(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

void tu_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("SQL failed: %s\n%s", msg ? msg : "?", sql);
}

void tu_exec_at(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	tu_exec(db, sql);
	sqlite3_close(db);
}

int tu_user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;

	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

struct registry *tu_open(const char *uri, int create)
{
	struct registry_open_opts o = {.create = create, .read_only = !create};
	struct mlc_error err = {0};
	struct registry *r = registry_open(uri, &o, &err);

	if (r == NULL)
		fail_msg("open %s: %s", uri, err.msg);
	return r;
}
