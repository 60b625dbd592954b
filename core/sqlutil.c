/* sqlutil.c: the SQLite helpers of sqlutil.h, written once for the local
 * registry, MLflow's SQL store, the demo generator, the importer and the
 * audit log. */
#include "config.h"
#include <stdarg.h>
#include "sqlutil.h"

int sql_error(sqlite3 *db, const char *name, struct mlc_error *err)
{
	int rc = sqlite3_errcode(db);
	enum mlc_errcode code =
	    (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) ? MLC_ERR_CORRUPT : MLC_ERR_FAILED;
	return mlc_error_set(err, code, "%s: %s", name, sqlite3_errmsg(db));
}

sqlite3_stmt *sql_prep(sqlite3 *db, const char *name, const char *sql, struct mlc_error *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sql_error(db, name, err);
		return NULL;
	}
	return st;
}

int sql_step_done(sqlite3 *db, const char *name, sqlite3_stmt *st, int rc, struct mlc_error *err)
{
	/* the message first: finalizing may reset the connection's error */
	int ret = rc == SQLITE_DONE ? 0 : sql_error(db, name, err);

	sqlite3_finalize(st);
	return ret;
}

const char *sql_col_str(struct mlc_arena *a, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return arena_strndup(a, s ? (const char *)s : "",
			     s ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

int sql_collect_inputs(sqlite3 *db, const char *name, sqlite3_stmt *st, struct mlc_input_list *out,
		       struct mlc_error *err)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_dataset_input *in = MLC_LIST_PUSH(out);
		in->name = sql_col_str(&out->arena, st, 0);
		in->digest = sql_col_str(&out->arena, st, 1);
		in->context = sql_col_str(&out->arena, st, 2);
		in->source_type = sql_col_str(&out->arena, st, 3);
		in->source = sql_col_str(&out->arena, st, 4);
		in->schema = sql_col_str(&out->arena, st, 5);
		in->profile = sql_col_str(&out->arena, st, 6);
	}
	return sql_step_done(db, name, st, rc, err);
}

int sql_exec(sqlite3 *db, const char *name, const char *sql, struct mlc_error *err)
{
	/* sqlite3_exec leaves its message as the connection's error */
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : sql_error(db, name, err);
}

/* Bind the values ap holds as types says to st, from parameter 1. */
static void bind_values(sqlite3_stmt *st, const char *types, va_list ap)
{
	for (int i = 0; types[i]; i++) {
		if (types[i] == 's') {
			const char *s = va_arg(ap, const char *);
			sqlite3_bind_text(st, i + 1, s ? s : "", -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		}
	}
}

int sql_vint(sqlite3 *db, const char *name, int64_t *out, struct mlc_error *err, const char *sql,
	     const char *types, va_list ap)
{
	sqlite3_stmt *st = sql_prep(db, name, sql, err);
	int rc, found = 0;

	if (st == NULL)
		return -1;
	bind_values(st, types, ap);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
			*out = sqlite3_column_int64(st, 0);
			found = 1;
		}
		rc = SQLITE_DONE;
	}
	return sql_step_done(db, name, st, rc, err) < 0 ? -1 : found;
}

int sql_int(sqlite3 *db, const char *name, int64_t *out, struct mlc_error *err, const char *sql,
	    const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = sql_vint(db, name, out, err, sql, types, ap);
	va_end(ap);
	return rc;
}
