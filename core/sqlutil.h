/* sqlutil.h: the small SQLite helpers every SQL user in core/ shares —
 * prepare, finish a step loop, copy a column into an arena, an error from the
 * connection, and a one-integer query with bound values. Each takes the
 * connection and the name its errors start with (a file, or "audit log: ..."),
 * so that the local registry, MLflow's SQL store, the demo generator and the
 * importer say their errors the same way. */
#ifndef MLC_SQLUTIL_H
#define MLC_SQLUTIL_H
#include <stdint.h>
#include <stdarg.h>
#include <sqlite3.h>
#include "arena.h"
#include "error.h"
#include "model.h"

/* Fill err from db's last error as "NAME: message" (MLC_ERR_CORRUPT for a
 * damaged or non-database file, else MLC_ERR_FAILED); -1. */
int sql_error(sqlite3 *db, const char *name, struct mlc_error *err);
/* Prepare sql on db, or fill err naming name (NULL). */
sqlite3_stmt *sql_prep(sqlite3 *db, const char *name, const char *sql, struct mlc_error *err);
/* Finish a statement loop whose last sqlite3_step gave rc: SQLITE_DONE is
 * success (0), anything else fills err (-1); finalizes st either way. */
int sql_step_done(sqlite3 *db, const char *name, sqlite3_stmt *st, int rc, struct mlc_error *err);
/* Column i of st's row copied into arena a ("" for NULL). */
const char *sql_col_str(struct mlc_arena *a, sqlite3_stmt *st, int i);
/* Run sql (no rows wanted), or fill err naming name; 0 or -1. */
int sql_exec(sqlite3 *db, const char *name, const char *sql, struct mlc_error *err);
/* The first column of sql's first row as an integer, with the values after
 * types bound in order ('s' const char *, NULL bound as "", 'i' int64_t):
 * 1 with *out set; 0 when there is no row or its value is NULL (*out left
 * alone); -1 with err filled naming name. */
int sql_int(sqlite3 *db, const char *name, int64_t *out, struct mlc_error *err, const char *sql,
	    const char *types, ...);
/* The rows of st (bound by the caller), each a dataset input as the columns
 * name, digest, context, source_type, source, schema, profile, appended to
 * out; finalizes st; 0 or -1 with err naming name. */
int sql_collect_inputs(sqlite3 *db, const char *name, sqlite3_stmt *st, struct mlc_input_list *out,
		       struct mlc_error *err);
/* sql_int with the values in ap. */
int sql_vint(sqlite3 *db, const char *name, int64_t *out, struct mlc_error *err, const char *sql,
	     const char *types, va_list ap);

#endif
