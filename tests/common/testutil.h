/* testutil.h: what the unit tests share: one temporary folder per test
 * program, paths and files inside it, SQL run on a database that must succeed,
 * and a registry opened or the test failed. Include it after <cmocka.h>. */
#ifndef MLC_TESTUTIL_H
#define MLC_TESTUTIL_H
#include <sqlite3.h>

struct registry;

/* Make this program's temporary folder /tmp/mlc-NAME-XXXXXX; 0, or -1 (errno). */
int tu_tmpdir(const char *name);

/* The temporary folder tu_tmpdir made. */
const char *tu_dir(void);

/* Remove the temporary folder and all it holds; 0, or -1. */
int tu_rmdir(void);

/* tu_rmdir as a cmocka group teardown, for a program whose group setup only
 * makes the folder. */
int tu_group_teardown(void **state);

/* The environment of a program that talks to the fixture server: HOME is
 * the temporary folder (the REST journal goes under it), no XDG_STATE_HOME
 * and no MLflow credentials, one retry without backoff. */
void tu_client_env(void);

/* The path of name inside the temporary folder (valid for the next 64 calls). */
const char *tu_path(const char *name);

/* Make the missing parent folders of path. */
void tu_mkparents(const char *path);

/* Write text to file (replacing it), making its parent folders; file is a
 * name inside the temporary folder unless it starts with '/'. */
void tu_put(const char *file, const char *text);

/* Run sql on db; the test fails with SQLite's message if it does not succeed. */
void tu_exec(sqlite3 *db, const char *sql);

/* Run sql on the SQLite file at path (read-write), as tu_exec. */
void tu_exec_at(const char *path, const char *sql);

/* db's PRAGMA user_version (its schema version), or -1. */
int tu_user_version(sqlite3 *db);

/* Open the registry at uri (create: made if missing; else read-only), or fail. */
struct registry *tu_open(const char *uri, int create);

#endif
