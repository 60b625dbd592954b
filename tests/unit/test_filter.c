/* test_filter.c: MLflow's search grammar as mlconsole reads it: the parse tree,
 * syntax errors and their columns, and the compiled SQL run against a real
 * local schema (temp file) to check exactly which runs and models come back. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "filter.h"
#include "schema.h"
#include "testutil.h"
#include "xmalloc.h"

/* ---- helpers ------------------------------------------------------------ */

/* Parse expr, failing the test with the message when it does not parse. */
static struct filter *parse_ok(const char *expr, enum filter_target target)
{
	struct mlc_error err = {0};
	struct filter *f = filter_parse(expr, target, &err);

	if (f == NULL)
		fail_msg("'%s' did not parse: %s", expr, err.msg);
	return f;
}

/* Assert expr is a syntax error at col whose message names the column and says want. */
static void assert_syntax_error(const char *expr, enum filter_target target, int col,
				const char *want)
{
	struct mlc_error err = {0};
	struct filter *f = filter_parse(expr, target, &err);
	char colmsg[32];

	if (f != NULL) {
		filter_free(f);
		fail_msg("'%s' parsed but should not", expr);
	}
	snprintf(colmsg, sizeof colmsg, "column %d", col);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_int_equal(err.column, col);
	if (strstr(err.msg, colmsg) == NULL || strstr(err.msg, want) == NULL)
		fail_msg("'%s': message '%s' lacks '%s' or '%s'", expr, err.msg, colmsg, want);
}

/* Assert the order-by s fails at col. */
static void assert_order_error(const char *s, enum filter_target target, int col)
{
	struct mlc_error err = {0};
	struct order_list o;
	char colmsg[32];

	assert_int_equal(order_parse(s, target, &o, &err), -1);
	assert_null(o.keys);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_int_equal(err.column, col);
	snprintf(colmsg, sizeof colmsg, "column %d", col);
	assert_non_null(strstr(err.msg, colmsg));
}

/* Compile expr and order for target into a full SELECT, with one parameter of the
 * caller's own bound first as production code does. Returns 0 or -1. */
static int compile_query(const char *expr, const char *order, enum filter_target target,
			 struct strbuf *sql, struct sql_args *args)
{
	struct mlc_error err = {0};
	struct filter *f = parse_ok(expr, target);
	struct order_list o;
	int rc;

	if (order_parse(order, target, &o, &err) < 0)
		fail_msg("order '%s': %s", order, err.msg);
	sb_add(sql, target == FILTER_RUNS
			? "SELECT r.run_uuid FROM runs r WHERE r.experiment_id = ? AND ("
			: "SELECT m.name FROM registered_models m WHERE 1 = ? AND (");
	rc = filter_to_sql(f, target, sql, args, &err);
	sb_add(sql, ") ORDER BY ");
	if (rc == 0)
		rc = order_to_sql(&o, target, sql, args, &err);
	filter_free(f);
	order_free(&o);
	return rc;
}

/* The first column of every row of the compiled query, joined by commas. */
static char *query(sqlite3 *db, enum filter_target target, const char *expr, const char *order)
{
	struct strbuf sql = {0}, out = {0};
	struct sql_args args = {0};
	sqlite3_stmt *st;

	assert_int_equal(compile_query(expr, order, target, &sql, &args), 0);
	if (sqlite3_prepare_v2(db, sb_str(&sql), -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sb_str(&sql), sqlite3_errmsg(db));
	assert_int_equal(sqlite3_bind_int(st, 1, 1), SQLITE_OK);
	assert_int_equal(sql_args_bind(st, &args, 2), 0);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (out.len)
			sb_addc(&out, ',');
		sb_add(&out, (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	sb_free(&sql);
	sql_args_free(&args);
	return sb_detach(&out);
}

/* Assert that filtering experiment 1's runs by expr, ordered by order, gives want. */
static void assert_runs(sqlite3 *db, const char *expr, const char *order, const char *want)
{
	char *got = query(db, FILTER_RUNS, expr, order);

	if (strcmp(got, want) != 0)
		fail_msg("'%s' / '%s': got '%s', want '%s'", expr, order ? order : "", got, want);
	free(got);
}

static void assert_models(sqlite3 *db, const char *expr, const char *order, const char *want)
{
	char *got = query(db, FILTER_MODELS, expr, order);

	if (strcmp(got, want) != 0)
		fail_msg("'%s' / '%s': got '%s', want '%s'", expr, order ? order : "", got, want);
	free(got);
}

/* ---- fixture: a registry file with four runs in experiment 1 --------------
 * aaa owl    FINISHED start 1000 end 1500  acc 0.9  val loss 0.3  lr 0.01 model LR
 * bbb Owlet  FAILED   start 2000 end 2600  acc 0.7                lr 0.1  model lr
 * ccc ówl    RUNNING  start 3000 no end    acc NaN                lr 0.01
 * ddd cat    FINISHED start 4000 end 4100  (no acc) val loss 0.5          model Forest
 * plus eee in experiment 2, which the queries never return. */
static const char seed_sql[] =
    "INSERT INTO experiments (id, experiment_id, name, creation_time, last_update_time)"
    "  VALUES (1, '1', 'exp', 0, 0), (2, '2', 'other', 0, 0);"
    "INSERT INTO runs (id, run_uuid, experiment_id, run_name, user_id, status, start_time,"
    "  end_time) VALUES (1, 'aaa', 1, 'owl', 'ana', 'FINISHED', 1000, 1500),"
    "  (2, 'bbb', 1, 'Owlet', 'bob', 'FAILED', 2000, 2600),"
    "  (3, 'ccc', 1, 'ówl', 'ana', 'RUNNING', 3000, NULL),"
    "  (4, 'ddd', 1, 'cat', 'cy', 'FINISHED', 4000, 4100),"
    "  (5, 'eee', 2, 'owl', 'ana', 'FINISHED', 5000, 5100);"
    "INSERT INTO metric_keys (id, key) VALUES (1, 'acc'), (2, 'val loss');"
    "INSERT INTO latest_metrics (run_id, key_id, step, timestamp, value, is_nan) VALUES"
    "  (1, 1, 3, 10, 0.9, 0), (2, 1, 3, 10, 0.7, 0), (3, 1, 3, 10, 0, 1),"
    "  (5, 1, 3, 10, 0.99, 0), (1, 2, 3, 10, 0.3, 0), (4, 2, 3, 10, 0.5, 0);"
    "INSERT INTO params (run_id, key, value) VALUES (1, 'lr', '0.01'), (2, 'lr', '0.1'),"
    "  (3, 'lr', '0.01'), (1, 'model', 'LR'), (2, 'model', 'lr'), (4, 'model', 'Forest');"
    "INSERT INTO run_tags (run_id, key, value) VALUES (1, 'user-name', 'tomas'),"
    "  (2, 'user-name', 'ana'), (4, 'team', 'x');"
    "INSERT INTO registered_models (id, name, creation_time, last_updated_time) VALUES"
    "  (1, 'fraud-detector', 1, 10), (2, 'fraud-lite', 2, 20), (3, 'Fraudster', 3, 30),"
    "  (4, 'churn', 4, 40);"
    "INSERT INTO model_tags (model_id, key, value) VALUES (1, 'team', 'risk'),"
    "  (2, 'team', 'growth'), (3, 'team', 'risk'), (4, 'team', 'risk');";

/* The fixture's registry file: made afresh for each test, removed after it. */
#define DB_FILE "filter.db"

static int db_setup(void **state)
{
	struct mlc_error err = {0};
	sqlite3 *db;

	assert_int_equal(sqlite3_open(tu_path(DB_FILE), &db), SQLITE_OK);
	if (schema_migrate(db, "test", &err) < 0)
		fail_msg("schema: %s", err.msg);
	assert_int_equal(filter_register_sql(db), 0);
	tu_exec(db, seed_sql);
	*state = db;
	return 0;
}

static int db_teardown(void **state)
{
	sqlite3_close(*state);
	unlink(tu_path(DB_FILE));
	return 0;
}

static sqlite3 *db_of(void **state)
{
	return *state;
}

static int group_setup(void **state)
{
	(void)state;
	return tu_tmpdir("filter");
}

/* ---- parse trees ---------------------------------------------------------- */

static void test_blank_filter_is_empty(void **state)
{
	const char *blanks[] = {NULL, "", "   \t "};

	for (size_t i = 0; i < 3; i++) {
		struct filter *f = parse_ok(blanks[i], FILTER_RUNS);
		assert_int_equal(f->n, 0);
		filter_free(f);
	}
}

static void test_metric_comparison_parses(void **state)
{
	struct filter *f = parse_ok("metrics.acc > 0.9", FILTER_RUNS);

	assert_int_equal(f->n, 1);
	assert_int_equal(f->clauses[0].kind, FK_METRIC);
	assert_string_equal(f->clauses[0].key, "acc");
	assert_int_equal(f->clauses[0].op, FOP_GT);
	assert_int_equal(f->clauses[0].n_values, 1);
	assert_true(f->clauses[0].values[0].is_number);
	assert_true(f->clauses[0].values[0].num == 0.9);
	assert_int_equal(f->clauses[0].column, 1);
	filter_free(f);
}

static void test_prefixes_are_case_insensitive(void **state)
{
	static const enum filter_kind want[] = {FK_METRIC, FK_METRIC, FK_PARAM, FK_PARAM,
						FK_PARAM,  FK_PARAM,  FK_TAG,	FK_TAG,
						FK_ATTR,   FK_ATTR,   FK_ATTR,	FK_ATTR};
	struct filter *f = parse_ok(
	    "METRICS.a = 1 and Metric.b = 2 and PARAMS.c = 'x' and param.d = 'x' and "
	    "Parameter.e = 'x' and parameters.f = 'x' and TAGS.g = 'x' and tag.h = 'x' and "
	    "Attributes.status = 'x' and attribute.user_id = 'x' and ATTR.run_name = 'x' and "
	    "run.run_id = 'x'",
	    FILTER_RUNS);

	assert_int_equal(f->n, 12);
	for (size_t i = 0; i < 12; i++)
		assert_int_equal(f->clauses[i].kind, want[i]);
	assert_string_equal(f->clauses[5].key, "f");
	assert_string_equal(f->clauses[8].key, "status");
	filter_free(f);
}

static void test_and_is_case_insensitive(void **state)
{
	struct filter *f =
	    parse_ok("metrics.a = 1 AND metrics.b = 2 And metrics.c = 3", FILTER_RUNS);

	assert_int_equal(f->n, 3);
	assert_int_equal(f->clauses[0].column, 1);
	assert_int_equal(f->clauses[1].column, 19);
	assert_int_equal(f->clauses[2].column, 37);
	assert_string_equal(f->clauses[2].key, "c");
	filter_free(f);
}

static void test_backticked_key_keeps_spaces(void **state)
{
	struct filter *f = parse_ok("metrics.`val loss` <= 0.5", FILTER_RUNS);

	assert_int_equal(f->clauses[0].kind, FK_METRIC);
	assert_string_equal(f->clauses[0].key, "val loss");
	assert_int_equal(f->clauses[0].op, FOP_LE);
	filter_free(f);
}

static void test_double_quoted_key_keeps_dashes(void **state)
{
	struct filter *f = parse_ok("tags.\"user-name\" = 'tomas'", FILTER_RUNS);

	assert_int_equal(f->clauses[0].kind, FK_TAG);
	assert_string_equal(f->clauses[0].key, "user-name");
	assert_false(f->clauses[0].values[0].is_number);
	assert_string_equal(f->clauses[0].values[0].str, "tomas");
	filter_free(f);
}

static void test_key_may_contain_dots(void **state)
{
	struct filter *f = parse_ok("params.optimizer.lr = '1'", FILTER_RUNS);

	assert_int_equal(f->clauses[0].kind, FK_PARAM);
	assert_string_equal(f->clauses[0].key, "optimizer.lr");
	filter_free(f);
}

static void test_attribute_aliases_become_canonical(void **state)
{
	struct filter *f = parse_ok("created > 5 and \"run name\" = 'x' and Created < 9 and "
				    "attributes.start_time = 1 and `run name` = 'y'",
				    FILTER_RUNS);

	assert_int_equal(f->n, 5);
	assert_string_equal(f->clauses[0].key, "start_time");
	assert_string_equal(f->clauses[1].key, "run_name");
	assert_string_equal(f->clauses[2].key, "start_time");
	assert_string_equal(f->clauses[3].key, "start_time");
	assert_string_equal(f->clauses[4].key, "run_name");
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(f->clauses[i].kind, FK_ATTR);
	filter_free(f);
}

static void test_run_id_in_list(void **state)
{
	struct filter *f =
	    parse_ok("run_id IN ('a', \"b\",'c') and run_id not in ('x')", FILTER_RUNS);

	assert_int_equal(f->clauses[0].op, FOP_IN);
	assert_int_equal(f->clauses[0].n_values, 3);
	assert_string_equal(f->clauses[0].values[0].str, "a");
	assert_string_equal(f->clauses[0].values[1].str, "b");
	assert_string_equal(f->clauses[0].values[2].str, "c");
	assert_int_equal(f->clauses[1].op, FOP_NOT_IN);
	assert_int_equal(f->clauses[1].n_values, 1);
	assert_string_equal(f->clauses[1].values[0].str, "x");
	filter_free(f);
}

static void test_number_forms(void **state)
{
	struct filter *f = parse_ok("metrics.a = -1.5e3 and metrics.b != 42 and metrics.c < .5 and "
				    "metrics.d >= 2E-2 and metrics.e>-7",
				    FILTER_RUNS);

	assert_true(f->clauses[0].values[0].num == -1500.0);
	assert_true(f->clauses[1].values[0].num == 42.0);
	assert_int_equal(f->clauses[1].op, FOP_NE);
	assert_true(f->clauses[2].values[0].num == 0.5);
	assert_true(f->clauses[3].values[0].num == 0.02);
	assert_int_equal(f->clauses[4].op, FOP_GT);
	assert_true(f->clauses[4].values[0].num == -7.0);
	filter_free(f);
}

static void test_doubled_quote_inside_string(void **state)
{
	struct filter *f =
	    parse_ok("params.a = 'it''s' and params.b = \"say \"\"hi\"\"\"", FILTER_RUNS);

	assert_string_equal(f->clauses[0].values[0].str, "it's");
	assert_string_equal(f->clauses[1].values[0].str, "say \"hi\"");
	filter_free(f);
}

static void test_like_and_ilike_operators(void **state)
{
	struct filter *f =
	    parse_ok("params.a LIKE 'x%' and tags.b ilike '%y' and status Like 'F%'", FILTER_RUNS);

	assert_int_equal(f->clauses[0].op, FOP_LIKE);
	assert_int_equal(f->clauses[1].op, FOP_ILIKE);
	assert_int_equal(f->clauses[2].op, FOP_LIKE);
	filter_free(f);
}

static void test_models_take_name_and_tags(void **state)
{
	struct filter *f =
	    parse_ok("name LIKE 'fraud%' AND tags.team = 'risk' AND tag.x != 'y'", FILTER_MODELS);

	assert_int_equal(f->n, 3);
	assert_int_equal(f->clauses[0].kind, FK_ATTR);
	assert_string_equal(f->clauses[0].key, "name");
	assert_int_equal(f->clauses[1].kind, FK_TAG);
	assert_string_equal(f->clauses[1].key, "team");
	assert_int_equal(f->clauses[2].kind, FK_TAG);
	filter_free(f);
}

/* ---- syntax errors -------------------------------------------------------- */

static void test_string_after_metric_operator_is_error(void **state)
{
	assert_syntax_error("metrics.acc > 'x'", FILTER_RUNS, 15,
			    "expected a number after '>' for metrics.acc");
}

static void test_unquoted_param_value_is_error(void **state)
{
	assert_syntax_error("params.lr = 0.01", FILTER_RUNS, 13,
			    "expected a quoted string after '=' for params.lr");
}

static void test_unknown_attribute_is_error(void **state)
{
	assert_syntax_error("foo = 1", FILTER_RUNS, 1, "unknown attribute 'foo'");
}

static void test_unknown_prefix_is_error(void **state)
{
	assert_syntax_error("status = 'x' and foo.bar = 'x'", FILTER_RUNS, 18, "unknown prefix");
}

static void test_or_is_error(void **state)
{
	assert_syntax_error("a = 1 or b = 2", FILTER_RUNS, 7, "no OR");
}

static void test_parentheses_are_error(void **state)
{
	assert_syntax_error("metrics.a > 1 AND (metrics.b < 2)", FILTER_RUNS, 19, "no parentheses");
	assert_syntax_error("metrics.a > 1)", FILTER_RUNS, 14, "no parentheses");
}

static void test_unterminated_string_is_error(void **state)
{
	assert_syntax_error("params.lr = 'abc", FILTER_RUNS, 13, "unterminated string");
	assert_syntax_error("metrics.`val loss > 1", FILTER_RUNS, 9, "unterminated key");
}

static void test_trailing_and_is_error(void **state)
{
	assert_syntax_error("metrics.a = 1 and", FILTER_RUNS, 15, "AND must be followed");
	assert_syntax_error("metrics.a = 1 and and metrics.b = 2", FILTER_RUNS, 19,
			    "expected a condition");
}

static void test_trailing_garbage_is_error(void **state)
{
	assert_syntax_error("metrics.a = 1 foo", FILTER_RUNS, 15, "expected AND");
	assert_syntax_error("metrics.a = 1 ; drop", FILTER_RUNS, 15, "unexpected character ';'");
}

static void test_missing_operator_is_error(void **state)
{
	assert_syntax_error("metrics.acc", FILTER_RUNS, 12, "expected an operator");
	assert_syntax_error("metrics.acc == 1", FILTER_RUNS, 14, "expected a number");
}

static void test_range_operator_on_param_is_error(void **state)
{
	assert_syntax_error("params.lr > '1'", FILTER_RUNS, 11, "> is not allowed for params.lr");
}

static void test_number_for_string_attribute_is_error(void **state)
{
	assert_syntax_error("status = 1", FILTER_RUNS, 10, "expected a quoted string");
}

static void test_string_for_time_attribute_is_error(void **state)
{
	assert_syntax_error("start_time > 'x'", FILTER_RUNS, 14, "expected a number");
	assert_syntax_error("end_time LIKE '1%'", FILTER_RUNS, 10, "LIKE is not allowed");
}

static void test_in_only_for_run_id(void **state)
{
	assert_syntax_error("status IN ('a')", FILTER_RUNS, 8, "IN is not allowed for status");
	assert_syntax_error("run_id NOT 'a'", FILTER_RUNS, 12, "expected IN after NOT");
	assert_syntax_error("run_id IN ('a' 'b')", FILTER_RUNS, 16, "expected ',' or ')'");
	assert_syntax_error("run_id IN ()", FILTER_RUNS, 12, "expected a quoted string");
}

static void test_unquoted_dash_in_key_is_error(void **state)
{
	assert_syntax_error("tags.user-name = 'x'", FILTER_RUNS, 10, "backticks");
}

static void test_error_column_counts_characters(void **state)
{
	/* 'é' is two bytes but one column. */
	assert_syntax_error("tags.x = 'é' foo", FILTER_RUNS, 14, "expected AND");
}

static void test_huge_number_is_error(void **state)
{
	assert_syntax_error("metrics.a > 1e999", FILTER_RUNS, 13, "out of range");
}

static void test_models_reject_metrics_and_params(void **state)
{
	assert_syntax_error("metrics.acc > 1", FILTER_MODELS, 1, "registered models");
	assert_syntax_error("name = 'a' and params.x = 'y'", FILTER_MODELS, 16,
			    "registered models");
	assert_syntax_error("run_name = 'x'", FILTER_MODELS, 1, "unknown attribute 'run_name'");
}

/* ---- order-by parsing ----------------------------------------------------- */

static void test_order_keys_and_directions(void **state)
{
	struct mlc_error err = {0};
	struct order_list o;

	assert_int_equal(order_parse("metrics.acc DESC, params.lr, attributes.start_time asc, "
				     "tags.`a b` Desc, run_name",
				     FILTER_RUNS, &o, &err),
			 0);
	assert_int_equal(o.n, 5);
	assert_int_equal(o.keys[0].kind, FK_METRIC);
	assert_string_equal(o.keys[0].key, "acc");
	assert_true(o.keys[0].desc);
	assert_int_equal(o.keys[1].kind, FK_PARAM);
	assert_false(o.keys[1].desc);
	assert_int_equal(o.keys[2].kind, FK_ATTR);
	assert_string_equal(o.keys[2].key, "start_time");
	assert_false(o.keys[2].desc);
	assert_string_equal(o.keys[3].key, "a b");
	assert_true(o.keys[3].desc);
	assert_string_equal(o.keys[4].key, "run_name");
	order_free(&o);
}

static void test_order_blank_is_empty(void **state)
{
	struct mlc_error err = {0};
	struct order_list o;

	assert_int_equal(order_parse("  ", FILTER_RUNS, &o, &err), 0);
	assert_int_equal(o.n, 0);
	assert_int_equal(order_parse(NULL, FILTER_MODELS, &o, &err), 0);
	assert_int_equal(o.n, 0);
	order_free(&o);
}

static void test_order_bad_key_is_error(void **state)
{
	assert_order_error("metrics.acc DESC, bogus", FILTER_RUNS, 19);
	assert_order_error("metrics.acc sideways", FILTER_RUNS, 13);
	assert_order_error("metrics.acc,", FILTER_RUNS, 13);
	assert_order_error("name, tags.team", FILTER_MODELS, 7);
}

static void test_order_models_keys(void **state)
{
	struct mlc_error err = {0};
	struct order_list o;

	assert_int_equal(order_parse("last_updated_timestamp DESC, creation_timestamp, name",
				     FILTER_MODELS, &o, &err),
			 0);
	assert_int_equal(o.n, 3);
	assert_string_equal(o.keys[0].key, "last_updated_timestamp");
	order_free(&o);
}

/* ---- compiled SQL ----------------------------------------------------------- */

static void test_empty_filter_compiles_to_true(void **state)
{
	struct strbuf sql = {0};
	struct sql_args args = {0};
	struct mlc_error err = {0};

	assert_int_equal(filter_to_sql(NULL, FILTER_RUNS, &sql, &args, &err), 0);
	assert_string_equal(sb_str(&sql), "1");
	assert_int_equal(args.n, 0);
	sb_free(&sql);
}

static void test_keys_and_values_are_bound_not_pasted(void **state)
{
	struct strbuf sql = {0};
	struct sql_args args = {0};

	assert_int_equal(
	    compile_query("params.secretkey = 'secretvalue' and run_name LIKE 'secret%'",
			  "metrics.secretmetric", FILTER_RUNS, &sql, &args),
	    0);
	assert_null(strstr(sb_str(&sql), "secret"));
	assert_int_equal(args.n, 5);
	assert_string_equal(args.v[0].text, "secretkey");
	assert_string_equal(args.v[1].text, "secretvalue");
	assert_string_equal(args.v[2].text, "secret%");
	assert_string_equal(args.v[3].text, "secretmetric");
	assert_string_equal(args.v[4].text, "secretmetric");
	sb_free(&sql);
	sql_args_free(&args);
}

static void test_time_binds_integer_or_real(void **state)
{
	struct strbuf sql = {0};
	struct sql_args args = {0};

	assert_int_equal(compile_query("start_time > 1500 and end_time < 1500.5 and metrics.a > 1",
				       NULL, FILTER_RUNS, &sql, &args),
			 0);
	assert_int_equal(args.v[0].type, SQL_ARG_INT);
	assert_int_equal(args.v[0].integer, 1500);
	assert_int_equal(args.v[1].type, SQL_ARG_REAL);
	assert_true(args.v[1].real == 1500.5);
	assert_int_equal(args.v[3].type, SQL_ARG_REAL);
	sb_free(&sql);
	sql_args_free(&args);
}

static void test_metric_comparisons(void **state)
{
	sqlite3 *db = db_of(state);

	assert_runs(db, "metrics.acc > 0.8", NULL, "aaa");
	assert_runs(db, "metrics.acc = 0.7", NULL, "bbb");
	assert_runs(db, "metrics.acc <= 0.9", NULL, "bbb,aaa");
	assert_runs(db, "metrics.`val loss` >= 0.3", NULL, "ddd,aaa");
	assert_runs(db, "metric.acc < 1e1", NULL, "bbb,aaa");
}

static void test_metric_nan_and_missing_never_match(void **state)
{
	sqlite3 *db = db_of(state);

	/* ccc's NaN is stored as value 0: it must not pass ">= 0" or "= 0". */
	assert_runs(db, "metrics.acc >= 0", NULL, "bbb,aaa");
	assert_runs(db, "metrics.acc = 0", NULL, "");
	assert_runs(db, "metrics.acc != 0.9", NULL, "bbb");
}

static void test_param_equality(void **state)
{
	assert_runs(db_of(state), "params.lr = '0.01'", NULL, "ccc,aaa");
}

static void test_param_not_equal_needs_the_key(void **state)
{
	/* ddd has no lr: MLflow's != means "has it, with another value". */
	assert_runs(db_of(state), "params.lr != '0.01'", NULL, "bbb");
}

static void test_like_is_case_sensitive(void **state)
{
	sqlite3 *db = db_of(state);

	assert_runs(db, "params.model LIKE 'L%'", NULL, "aaa");
	assert_runs(db, "params.model LIKE 'l%'", NULL, "bbb");
	assert_runs(db, "run_name LIKE 'Owl%'", NULL, "bbb");
}

static void test_ilike_is_case_insensitive(void **state)
{
	sqlite3 *db = db_of(state);

	assert_runs(db, "params.model ILIKE 'l%'", NULL, "bbb,aaa");
	assert_runs(db, "run_name ILIKE 'OWL%'", NULL, "bbb,aaa");
}

static void test_underscore_matches_one_multibyte_character(void **state)
{
	sqlite3 *db = db_of(state);

	assert_runs(db, "run_name LIKE '_wl'", NULL, "ccc,aaa");
	assert_runs(db, "run_name LIKE '__wl'", NULL, "");
	assert_runs(db, "run_name LIKE 'ó%'", NULL, "ccc");
}

static void test_mlc_like_patterns(void **state)
{
	static const struct {
		const char *v, *pat;
		int icase, want;
	} cases[] = {
	    {"abc", "abc", 0, 1},      {"abc", "a%", 0, 1},	{"abc", "%c", 0, 1},
	    {"abc", "a%c", 0, 1},      {"abc", "%b%", 0, 1},	{"abc", "%%", 0, 1},
	    {"", "%", 0, 1},	       {"", "_", 0, 0},		{"abc", "ab", 0, 0},
	    {"abc", "a_c", 0, 1},      {"abc", "a__c", 0, 0},	{"ABC", "abc", 0, 0},
	    {"ABC", "abc", 1, 1},      {"aXbXc", "%X_", 0, 1},	{"mississippi", "%iss%pi", 0, 1},
	    {"日本語", "日_語", 0, 1}, {"日本語", "___", 0, 1}, {"日本語", "____", 0, 0},
	};
	sqlite3 *db = db_of(state);
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT mlc_like(?, ?, ?)", -1, &st, NULL),
			 SQLITE_OK);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sqlite3_bind_text(st, 1, cases[i].v, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, cases[i].pat, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, cases[i].icase);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		if (sqlite3_column_int(st, 0) != cases[i].want)
			fail_msg("mlc_like('%s', '%s', %d) != %d", cases[i].v, cases[i].pat,
				 cases[i].icase, cases[i].want);
		sqlite3_reset(st);
	}
	sqlite3_bind_null(st, 1);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
	sqlite3_finalize(st);
}

static void test_run_id_in_and_not_in(void **state)
{
	sqlite3 *db = db_of(state);

	assert_runs(db, "run_id IN ('aaa', 'ccc', 'zzz')", NULL, "ccc,aaa");
	assert_runs(db, "attributes.run_id NOT IN ('aaa', 'ccc')", NULL, "ddd,bbb");
}

static void test_start_time_comparisons(void **state)
{
	sqlite3 *db = db_of(state);

	assert_runs(db, "start_time > 2000", NULL, "ddd,ccc");
	assert_runs(db, "start_time >= 2000 and start_time < 4000", NULL, "ccc,bbb");
	assert_runs(db, "created = 1000", NULL, "aaa");
	assert_runs(db, "start_time > 1999.5", NULL, "ddd,ccc,bbb");
	assert_runs(db, "end_time < 3000", NULL, "bbb,aaa");
}

static void test_tag_with_quoted_dashed_key(void **state)
{
	sqlite3 *db = db_of(state);

	assert_runs(db, "tags.\"user-name\" = 'tomas'", NULL, "aaa");
	assert_runs(db, "tag.`user-name` != 'tomas'", NULL, "bbb");
}

static void test_mlflow_example_filter(void **state)
{
	assert_runs(db_of(state),
		    "metrics.acc > 0.5 and params.model = 'LR' and tags.\"user-name\" = 'tomas' "
		    "and status = 'FINISHED'",
		    NULL, "aaa");
}

static void test_default_order_is_newest_first(void **state)
{
	assert_runs(db_of(state), "", NULL, "ddd,ccc,bbb,aaa");
	assert_runs(db_of(state), "status = 'FINISHED'", "", "ddd,aaa");
}

static void test_order_by_metric_desc_puts_missing_last(void **state)
{
	/* ccc (NaN) and ddd (no acc) come last, newest first among themselves. */
	assert_runs(db_of(state), NULL, "metrics.acc DESC", "aaa,bbb,ddd,ccc");
}

static void test_order_by_metric_asc_puts_missing_last(void **state)
{
	assert_runs(db_of(state), NULL, "metrics.acc ASC", "bbb,aaa,ddd,ccc");
}

static void test_order_by_param_then_tie_break(void **state)
{
	assert_runs(db_of(state), NULL, "params.lr DESC", "bbb,ccc,aaa,ddd");
}

static void test_order_by_end_time_puts_missing_last(void **state)
{
	assert_runs(db_of(state), NULL, "end_time", "aaa,bbb,ddd,ccc");
	assert_runs(db_of(state), NULL, "attributes.end_time DESC", "ddd,bbb,aaa,ccc");
}

static void test_filter_and_order_arguments_line_up(void **state)
{
	assert_runs(db_of(state), "params.lr = '0.01' and run_name ILIKE '%W%'",
		    "metrics.acc DESC, params.model", "aaa,ccc");
}

static void test_models_name_like_and_tag(void **state)
{
	assert_models(db_of(state), "name LIKE 'fraud%' AND tags.team = 'risk'", NULL,
		      "fraud-detector");
}

static void test_models_ilike_tag_not_equal_and_order(void **state)
{
	sqlite3 *db = db_of(state);

	assert_models(db, "name ILIKE 'fraud%'", NULL, "Fraudster,fraud-detector,fraud-lite");
	assert_models(db, "tags.team != 'risk'", NULL, "fraud-lite");
	assert_models(db, "", "last_updated_timestamp DESC",
		      "churn,Fraudster,fraud-lite,fraud-detector");
}

static void test_hostile_value_is_matched_literally(void **state)
{
	sqlite3 *db = db_of(state);
	sqlite3_stmt *st;

	assert_runs(db, "params.\"x'); DROP TABLE runs; --\" = \"x'); DROP TABLE runs; --\"", NULL,
		    "");
	tu_exec(db, "INSERT INTO params VALUES (4, 'x''); DROP TABLE runs; --',"
		    " 'x''); DROP TABLE runs; --')");
	assert_runs(db, "params.`x'); DROP TABLE runs; --` = 'x''); DROP TABLE runs; --'", NULL,
		    "ddd");
	assert_runs(db, "run_name = 'owl\"); DROP TABLE runs; --'", NULL, "");
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM runs", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 5);
	sqlite3_finalize(st);
}

/* ---- limits ------------------------------------------------------------- */

/* "run_id IN ('ó', 'ó', ...)" of about size bytes (caller frees). */
static char *long_in_list(size_t size)
{
	struct strbuf sb = {0};

	sb_add(&sb, "run_id IN ('ó'");
	while (sb.len + 8 < size)
		sb_add(&sb, ", 'ó'");
	sb_add(&sb, ")");
	return sb_detach(&sb);
}

/* n copies of cond joined by AND (caller frees). */
static char *ands(const char *cond, int n)
{
	struct strbuf sb = {0};

	for (int i = 0; i < n; i++)
		sb_printf(&sb, "%s%s", i ? " AND " : "", cond);
	return sb_detach(&sb);
}

/* Assert filter_parse refuses expr as a usage error saying want. */
static void assert_refused(const char *expr, enum filter_target target, const char *want)
{
	struct mlc_error err = {0};
	struct filter *f = filter_parse(expr, target, &err);

	if (f != NULL) {
		filter_free(f);
		fail_msg("a filter of %zu bytes parsed but should not", strlen(expr));
	}
	assert_int_equal(err.code, MLC_ERR_USAGE);
	if (strstr(err.msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", err.msg, want);
}

/* A 98 KB filter is over the length limit: refused at once, the limit named. */
static void test_a_filter_longer_than_the_limit_is_refused(void **state)
{
	char *expr = long_in_list(98000);

	(void)state;
	assert_refused(expr, FILTER_RUNS, "longer than the limit of 65536 bytes");
	free(expr);
}

/* Just under the length limit a filter parses, and a mistake at its very end
 * is reported at the right column (columns count characters, not bytes). */
static void test_a_filter_just_under_the_limit_parses_with_its_columns(void **state)
{
	char *expr = long_in_list(FILTER_MAX_LEN - 16);
	struct filter *f = parse_ok(expr, FILTER_RUNS);
	size_t n = f->clauses[0].n_values, len = strlen(expr);

	(void)state;
	assert_true(len <= FILTER_MAX_LEN);
	assert_true(n > 9000);
	assert_string_equal(f->clauses[0].values[n - 1].str, "ó");
	filter_free(f);
	expr[len - 1] = ',';
	/* 'run_id IN (' and n values of 3 characters, n - 1 of them after ", ";
	 * then the ',' and the end, where a string is expected */
	assert_syntax_error(expr, FILTER_RUNS, (int)(11 + 3 * n + 2 * (n - 1) + 2),
			    "in the IN list");
	free(expr);
}

/* SQLite refuses expressions nested 1,000 deep; a filter says its own limit
 * long before that, as a usage error. */
static void test_more_conditions_than_the_limit_are_refused(void **state)
{
	char *expr = ands("metrics.acc > 0.5", 2000);

	(void)state;
	assert_refused(expr, FILTER_RUNS, "more than 256 conditions");
	free(expr);
	expr = ands("name = 'a'", FILTER_MAX_TERMS + 1);
	assert_refused(expr, FILTER_MODELS, "more than 256 conditions");
	free(expr);
	expr = ands("name = 'a'", FILTER_MAX_TERMS);
	filter_free(parse_ok(expr, FILTER_MODELS));
	free(expr);
}

/* The most conditions a filter may have run in SQLite, on both targets. */
static void test_the_most_conditions_allowed_run_in_sqlite(void **state)
{
	char *expr = ands("metrics.acc > 0.5 AND params.model = 'LR'", FILTER_MAX_TERMS / 2);

	assert_runs(db_of(state), expr, NULL, "aaa");
	free(expr);
	expr = ands("tags.team = 'risk'", FILTER_MAX_TERMS);
	assert_models(db_of(state), expr, NULL, "Fraudster,churn,fraud-detector");
	free(expr);
}

/* An order-by list has the same limit on its keys. */
static void test_more_order_keys_than_the_limit_are_refused(void **state)
{
	struct strbuf sb = {0};
	struct order_list o;
	struct mlc_error err = {0};

	(void)state;
	for (int i = 0; i <= FILTER_MAX_TERMS; i++)
		sb_printf(&sb, "%smetrics.m%d DESC", i ? ", " : "", i);
	assert_int_equal(order_parse(sb_str(&sb), FILTER_RUNS, &o, &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_non_null(strstr(err.msg, "more than 256 keys"));
	sb_free(&sb);
}

int main(void)
{
#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, db_setup, db_teardown)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blank_filter_is_empty),
	    cmocka_unit_test(test_metric_comparison_parses),
	    cmocka_unit_test(test_prefixes_are_case_insensitive),
	    cmocka_unit_test(test_and_is_case_insensitive),
	    cmocka_unit_test(test_backticked_key_keeps_spaces),
	    cmocka_unit_test(test_double_quoted_key_keeps_dashes),
	    cmocka_unit_test(test_key_may_contain_dots),
	    cmocka_unit_test(test_attribute_aliases_become_canonical),
	    cmocka_unit_test(test_run_id_in_list),
	    cmocka_unit_test(test_number_forms),
	    cmocka_unit_test(test_doubled_quote_inside_string),
	    cmocka_unit_test(test_like_and_ilike_operators),
	    cmocka_unit_test(test_models_take_name_and_tags),
	    cmocka_unit_test(test_string_after_metric_operator_is_error),
	    cmocka_unit_test(test_unquoted_param_value_is_error),
	    cmocka_unit_test(test_unknown_attribute_is_error),
	    cmocka_unit_test(test_unknown_prefix_is_error),
	    cmocka_unit_test(test_or_is_error),
	    cmocka_unit_test(test_parentheses_are_error),
	    cmocka_unit_test(test_unterminated_string_is_error),
	    cmocka_unit_test(test_trailing_and_is_error),
	    cmocka_unit_test(test_trailing_garbage_is_error),
	    cmocka_unit_test(test_missing_operator_is_error),
	    cmocka_unit_test(test_range_operator_on_param_is_error),
	    cmocka_unit_test(test_number_for_string_attribute_is_error),
	    cmocka_unit_test(test_string_for_time_attribute_is_error),
	    cmocka_unit_test(test_in_only_for_run_id),
	    cmocka_unit_test(test_unquoted_dash_in_key_is_error),
	    cmocka_unit_test(test_error_column_counts_characters),
	    cmocka_unit_test(test_huge_number_is_error),
	    cmocka_unit_test(test_models_reject_metrics_and_params),
	    cmocka_unit_test(test_order_keys_and_directions),
	    cmocka_unit_test(test_order_blank_is_empty),
	    cmocka_unit_test(test_order_bad_key_is_error),
	    cmocka_unit_test(test_order_models_keys),
	    cmocka_unit_test(test_empty_filter_compiles_to_true),
	    cmocka_unit_test(test_keys_and_values_are_bound_not_pasted),
	    cmocka_unit_test(test_time_binds_integer_or_real),
	    DB_TEST(test_metric_comparisons),
	    DB_TEST(test_metric_nan_and_missing_never_match),
	    DB_TEST(test_param_equality),
	    DB_TEST(test_param_not_equal_needs_the_key),
	    DB_TEST(test_like_is_case_sensitive),
	    DB_TEST(test_ilike_is_case_insensitive),
	    DB_TEST(test_underscore_matches_one_multibyte_character),
	    DB_TEST(test_mlc_like_patterns),
	    DB_TEST(test_run_id_in_and_not_in),
	    DB_TEST(test_start_time_comparisons),
	    DB_TEST(test_tag_with_quoted_dashed_key),
	    DB_TEST(test_mlflow_example_filter),
	    DB_TEST(test_default_order_is_newest_first),
	    DB_TEST(test_order_by_metric_desc_puts_missing_last),
	    DB_TEST(test_order_by_metric_asc_puts_missing_last),
	    DB_TEST(test_order_by_param_then_tie_break),
	    DB_TEST(test_order_by_end_time_puts_missing_last),
	    DB_TEST(test_filter_and_order_arguments_line_up),
	    DB_TEST(test_models_name_like_and_tag),
	    DB_TEST(test_models_ilike_tag_not_equal_and_order),
	    DB_TEST(test_hostile_value_is_matched_literally),
	    cmocka_unit_test(test_a_filter_longer_than_the_limit_is_refused),
	    cmocka_unit_test(test_a_filter_just_under_the_limit_parses_with_its_columns),
	    cmocka_unit_test(test_more_conditions_than_the_limit_are_refused),
	    DB_TEST(test_the_most_conditions_allowed_run_in_sqlite),
	    cmocka_unit_test(test_more_order_keys_than_the_limit_are_refused),
	};
#undef DB_TEST

	return cmocka_run_group_tests(tests, group_setup, tu_group_teardown);
}
