/* schema.h: the local registry's SQLite schema and its forward migrations. */
#ifndef MLC_SCHEMA_H
#define MLC_SCHEMA_H
#include <sqlite3.h>
#include "error.h"

/* PRAGMA application_id of our files: "MLC1". */
#define MLC_APPLICATION_ID 0x4D4C4331
/* The schema version this build writes (PRAGMA user_version). */
#define MLC_SCHEMA_VERSION 9
/* The oldest schema a read-only open reads as it is (it cannot migrate): the
 * steps since only add tables the reads do without (v6 import_aliases, which
 * only an import writes; v7 run_inputs, read as no datasets when missing; v8
 * gate tables, read as no gates when missing; v9
 * alert tables, read as no rules and no alerts when missing). */
#define MLC_SCHEMA_READABLE 5

/* Bring db (ours, or empty) up to MLC_SCHEMA_VERSION in one transaction each step.
 * Refuses a file from a newer mlconsole. path is for messages. */
int schema_migrate(sqlite3 *db, const char *path, struct mlc_error *err);
/* Create the indexes that bulk loads postpone (idempotent). */
int schema_create_indexes(sqlite3 *db, struct mlc_error *err);
/* Drop those indexes before a bulk load. */
int schema_drop_indexes(sqlite3 *db, struct mlc_error *err);

#endif
