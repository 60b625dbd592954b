/* filter.h: MLflow's search syntax for runs and registered models, parsed into a
 * tree (an AND of comparisons) and compiled to SQL for the local schema with
 * every value as a bound parameter. Also the order-by list ("metrics.acc DESC"). */
#ifndef MLC_FILTER_H
#define MLC_FILTER_H
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "strbuf.h"

/* What a filter searches; FILTER_NONE (0) is nothing, for a view without :filter.
 * FILTER_GATES is an environment's gate (core/gate.h): the runs grammar's
 * metrics., params. and tags. keys with `live` as a value (the live version's
 * value of the same key), and `drift` as a field (ok, warn, drift or none);
 * never compiled to SQL. */
enum filter_target { FILTER_NONE, FILTER_RUNS, FILTER_MODELS, FILTER_GATES };

enum filter_kind { FK_METRIC, FK_PARAM, FK_TAG, FK_ATTR };

enum filter_op { FOP_EQ, FOP_NE, FOP_LT, FOP_LE, FOP_GT, FOP_GE, FOP_LIKE, FOP_ILIKE, FOP_IN, FOP_NOT_IN };

struct filter_value {
	int is_number; /* 1: num holds a numeric literal; 0: str holds a string */
	int is_live;   /* FILTER_GATES: the value is `live` (num and str unset) */
	double num;
	char *str;
};

struct filter_clause {
	enum filter_kind kind;
	char *key; /* metric/param/tag key, or the canonical attribute name */
	enum filter_op op;
	struct filter_value *values; /* one, or several for IN / NOT IN */
	size_t n_values;
	int column; /* 1-based column where the clause starts */
};

/* The tree: clauses joined by AND (MLflow has no OR and no parentheses). */
struct filter {
	struct filter_clause *clauses;
	size_t n;
};

struct order_key {
	enum filter_kind kind;
	char *key;
	int desc;
};

struct order_list {
	struct order_key *keys;
	size_t n;
};

enum sql_arg_type { SQL_ARG_TEXT, SQL_ARG_REAL, SQL_ARG_INT };
struct sql_arg {
	enum sql_arg_type type;
	char *text; /* owned */
	double real;
	int64_t integer;
};
struct sql_args {
	struct sql_arg *v;
	size_t n, cap;
};

/* The limits of a filter or order-by list, refused as usage errors naming
 * them: SQLite refuses expressions nested 1,000 deep (each AND is a level),
 * and no one writes a longer filter by hand. */
#define FILTER_MAX_LEN 65536 /* bytes */
#define FILTER_MAX_TERMS 256 /* conditions joined by AND, or order-by keys */

/* Parse expr. NULL or blank gives an empty filter. On a syntax error returns NULL
 * with err->code MLC_ERR_USAGE, err->column the 1-based column, and a message
 * naming the column. Free with filter_free. */
struct filter *filter_parse(const char *expr, enum filter_target target, struct mlc_error *err);
void filter_free(struct filter *f);

/* Append to where a SQL boolean expression for f ("1" when empty) and to args its
 * parameters, in order. Runs are table alias r, models alias m (see schema.c). */
int filter_to_sql(const struct filter *f, enum filter_target target, struct strbuf *where,
		  struct sql_args *args, struct mlc_error *err);

/* Parse "metrics.acc DESC, params.lr, start_time ASC". Free with order_free. */
int order_parse(const char *s, enum filter_target target, struct order_list *out,
		struct mlc_error *err);
void order_free(struct order_list *o);
/* Append ORDER BY terms (without the keywords) for o, then the default tie-breaks
 * (runs: start_time DESC, run_uuid; models: name). Missing values sort last. */
int order_to_sql(const struct order_list *o, enum filter_target target, struct strbuf *sql,
		 struct sql_args *args, struct mlc_error *err);

/* Append a copy of s (NULL as "") as a text parameter. */
void sql_args_text(struct sql_args *args, const char *s);
/* Append a number as a parameter. */
void sql_args_real(struct sql_args *args, double d);
void sql_args_int(struct sql_args *args, int64_t i);
/* Append "col OP ?" (or the LIKE or IN form) for clause c to sb and its values
 * to args (numbers as integers when allow_int and integral): for backends
 * that compile the tree to their own SQL. */
void filter_compare_sql(struct strbuf *sb, struct sql_args *args, const char *col,
			const struct filter_clause *c, int allow_int);

/* Bind args to st starting at parameter index first (1-based). */
int sql_args_bind(sqlite3_stmt *st, const struct sql_args *args, int first);
void sql_args_free(struct sql_args *args);

/* MLflow's LIKE (icase 0) or ILIKE (icase 1) over UTF-8: % any run, _ one
 * character. For backends that evaluate filters in memory. */
int filter_like(const char *value, const char *pattern, int icase);

/* Register mlc_like(value, pattern, icase) on db: MLflow's LIKE (case-sensitive)
 * and ILIKE over UTF-8, used by the compiled SQL. */
int filter_register_sql(sqlite3 *db);

#endif
