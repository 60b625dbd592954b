/* fuzz_filter.c: the filter and order-by parsers (core/filter.c) in both
 * dialects; whatever parses is compiled to SQL, which must prepare against the
 * real schema (an in-memory registry) with one parameter per bound value.
 * Input: a flags byte (bit 0: models, else runs), the filter, then after the
 * first NUL the order-by list. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "filter.h"
#include "fuzz.h"
#include "schema.h"

/* The in-memory registry every input prepares against (made once). */
static sqlite3 *schema_db(void)
{
	static sqlite3 *db;
	struct mlc_error err = {0};

	if (db != NULL)
		return db;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    schema_migrate(db, ":memory:", &err) < 0 || filter_register_sql(db) != 0)
		fuzz_fail("cannot make the in-memory registry: %s", err.msg);
	return db;
}

/* Prepare sql; it must compile and take exactly n_args parameters. */
static void prepare(const char *sql, size_t n_args)
{
	sqlite3 *db = schema_db();
	sqlite3_stmt *st = NULL;

	/* no exception for SQLite's own limits: the parser's (FILTER_MAX_TERMS,
	 * FILTER_MAX_LEN) keep every filter it accepts below them */
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fuzz_fail("generated SQL does not prepare: %s\n%s", sqlite3_errmsg(db), sql);
	if ((size_t)sqlite3_bind_parameter_count(st) != n_args)
		fuzz_fail("%d parameters in the SQL, %zu values bound\n%s",
			  sqlite3_bind_parameter_count(st), n_args, sql);
	sqlite3_finalize(st);
}

/* A parse that fails must be a usage error with a message. */
static void check_error(const struct mlc_error *err, const char *what)
{
	if (err->code != MLC_ERR_USAGE || err->msg[0] == '\0')
		fuzz_fail("%s failed with code %d, message '%s'", what, err->code, err->msg);
}

/* Run each LIKE pattern of f through the in-memory matcher too. */
static void like_values(const struct filter *f)
{
	static const char *const subjects[] = {"", "fraud-detector", "ÄÖÜ_%x", "a%b_c"};

	for (size_t i = 0; i < f->n; i++) {
		const struct filter_clause *c = &f->clauses[i];

		if ((c->op != FOP_LIKE && c->op != FOP_ILIKE) || c->n_values != 1 ||
		    c->values[0].str == NULL)
			continue;
		for (size_t j = 0; j < sizeof subjects / sizeof *subjects; j++)
			filter_like(subjects[j], c->values[0].str, c->op == FOP_ILIKE);
	}
}

/* The statement the local backend builds for target around where and order. */
static void build_sql(struct strbuf *sql, enum filter_target target, const char *where,
		      const char *order)
{
	if (target == FILTER_RUNS)
		sb_printf(sql,
			  "SELECT r.run_uuid FROM runs r JOIN experiments e ON e.id ="
			  " r.experiment_id WHERE r.experiment_id = ? AND (? OR"
			  " r.lifecycle_stage = 'active') AND (%s) ORDER BY %s",
			  where, order);
	else
		sb_printf(sql, "SELECT m.id FROM registered_models m WHERE %s ORDER BY %s", where,
			  order);
}

/* One input: parse, compile, prepare. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum filter_target target = size > 0 && (data[0] & 1) ? FILTER_MODELS : FILTER_RUNS;
	char *text = fuzz_strndup(size > 0 ? data + 1 : data, size > 0 ? size - 1 : 0);
	size_t len = strlen(text);
	const char *order_text = len < (size > 0 ? size - 1 : 0) ? text + len + 1 : "";
	struct strbuf where = {0}, order = {0}, sql = {0};
	struct sql_args fargs = {0}, oargs = {0};
	struct order_list ol = {0};
	struct mlc_error err = {0};
	struct filter *f = filter_parse(text, target, &err);

	if (f == NULL)
		check_error(&err, "filter_parse");
	if (order_parse(order_text, target, &ol, &err) < 0) {
		check_error(&err, "order_parse");
		memset(&ol, 0, sizeof ol);
	}
	if (f != NULL) {
		like_values(f);
		if (filter_to_sql(f, target, &where, &fargs, &err) < 0)
			fuzz_fail("filter_to_sql refused a parsed filter: %s", err.msg);
		if (order_to_sql(&ol, target, &order, &oargs, &err) < 0)
			fuzz_fail("order_to_sql refused a parsed order: %s", err.msg);
		build_sql(&sql, target, sb_str(&where), sb_str(&order));
		prepare(sb_str(&sql), (target == FILTER_RUNS ? 2 : 0) + fargs.n + oargs.n);
	}
	sb_free(&sql);
	sb_free(&order);
	sb_free(&where);
	sql_args_free(&oargs);
	sql_args_free(&fargs);
	order_free(&ol);
	filter_free(f);
	free(text);
	return 0;
}
