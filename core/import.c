/* import.c: copy any readable registry into the local SQLite registry. Rows are
 * keyed on natural ids so a second import adds nothing; each run and model is
 * written whole in a savepoint, runs are committed in batches, and the report
 * says what was added, changed, already there, and skipped and why. */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <sqlite3.h>
#include "audit.h"
#include "import.h"
#include "sqlite_impl.h"
#include "sqlutil.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Commit after this many runs or metric points, whichever comes first: big
 * enough to be quick, small enough to keep the WAL file modest. */
#define BATCH_RUNS 500
#define BATCH_POINTS 250000
/* Metric points per INSERT statement (6 values each, far below SQLite's limit). */
#define POINT_ROWS 100
/* Metric key ids kept in memory. */
#define KEY_CACHE 64

enum outcome { O_FAILED = -1, O_ADDED, O_UPDATED, O_PRESENT, O_REMOVED, N_OUTCOMES };

/* Every statement the import runs, prepared once. */
enum stmt {
	S_EXP_EXACT,
	S_EXP_BY_NAME,
	S_EXP_ID_TAKEN,
	S_EXP_INSERT,
	S_EXP_STAGE,
	S_EXP_TAG_INS,
	S_EXP_TAG_UPD,
	S_RUN_INS,
	S_RUN_FIND,
	S_RUN_UPD,
	S_PARAM_INS,
	S_PARAM_UPD,
	S_RTAG_INS,
	S_RTAG_UPD,
	S_KEY_INS,
	S_KEY_ID,
	S_METRIC_INS,
	S_LATEST,
	S_MODEL_INS,
	S_MODEL_FIND,
	S_MODEL_UPD,
	S_MTAG_INS,
	S_MTAG_UPD,
	S_VER_INS,
	S_VER_SAME,
	S_VER_UPD,
	S_VTAG_INS,
	S_VTAG_UPD,
	S_ALIAS_INS,
	S_ALIAS_GET,
	S_ALIAS_MOVE,
	S_ALIAS_DROP,
	S_MINE_GET,
	S_MINE_PUT,
	S_MINE_DROP,
	S_MINE_LIST,
	S_ENV_NAMED,
	S_SOURCE,
	S_SOURCE_ID,
	S_UNIT,
	S_UNIT_DONE,
	S_MARK_GET,
	S_MARK_PUT,
	N_STMT
};

static const char *const stmt_sql[N_STMT] = {
    [S_EXP_EXACT] =
	"SELECT id, lifecycle_stage FROM experiments WHERE experiment_id = ?1 AND name = ?2",
    [S_EXP_BY_NAME] = "SELECT id, experiment_id FROM experiments WHERE name = ?1",
    [S_EXP_ID_TAKEN] = "SELECT 1 FROM experiments WHERE experiment_id = ?1",
    [S_EXP_INSERT] =
	"INSERT INTO experiments (experiment_id, name, artifact_location,"
	" lifecycle_stage, creation_time, last_update_time) VALUES (?1,?2,?3,?4,?5,?6)",
    [S_EXP_STAGE] =
	"UPDATE experiments SET lifecycle_stage = ?2 WHERE id = ?1 AND lifecycle_stage != ?2",
    [S_EXP_TAG_INS] = "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?1,?2,?3)"
		      " ON CONFLICT (experiment_id, key) DO NOTHING",
    [S_EXP_TAG_UPD] = "UPDATE experiment_tags SET value = ?3 WHERE experiment_id = ?1 AND key = ?2"
		      " AND value != ?3",
    [S_RUN_INS] =
	"INSERT INTO runs (run_uuid, experiment_id, run_name, user_id, status, start_time,"
	" end_time, artifact_uri, lifecycle_stage) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"
	" ON CONFLICT (run_uuid) DO NOTHING",
    [S_RUN_FIND] = "SELECT id FROM runs WHERE run_uuid = ?1",
    [S_RUN_UPD] = "UPDATE runs SET run_name = ?2, status = ?3, end_time = ?4, lifecycle_stage = ?5"
		  " WHERE id = ?1 AND (run_name != ?2 OR status != ?3 OR end_time IS NOT ?4"
		  " OR lifecycle_stage != ?5)",
    [S_PARAM_INS] = "INSERT INTO params (run_id, key, value) VALUES (?1,?2,?3)"
		    " ON CONFLICT (run_id, key) DO NOTHING",
    [S_PARAM_UPD] = "UPDATE params SET value = ?3 WHERE run_id = ?1 AND key = ?2 AND value != ?3",
    [S_RTAG_INS] = "INSERT INTO run_tags (run_id, key, value) VALUES (?1,?2,?3)"
		   " ON CONFLICT (run_id, key) DO NOTHING",
    [S_RTAG_UPD] = "UPDATE run_tags SET value = ?3 WHERE run_id = ?1 AND key = ?2 AND value != ?3",
    [S_KEY_INS] = "INSERT INTO metric_keys (key) VALUES (?1) ON CONFLICT (key) DO NOTHING",
    [S_KEY_ID] = "SELECT id FROM metric_keys WHERE key = ?1",
    [S_METRIC_INS] = "INSERT INTO metrics (run_id, key_id, step, timestamp, value, is_nan)"
		     " VALUES (?1,?2,?3,?4,?5,?6) ON CONFLICT DO NOTHING",
    /* schema.c's metrics_latest trigger, once per history (the trigger is
     * set aside while the import writes: see batch_begin). */
    [S_LATEST] = "INSERT INTO latest_metrics (run_id, key_id, step, timestamp, value, is_nan)"
		 " VALUES (?1,?2,?3,?4,?5,?6) ON CONFLICT (run_id, key_id) DO UPDATE SET"
		 " step = excluded.step, timestamp = excluded.timestamp,"
		 " value = excluded.value, is_nan = excluded.is_nan"
		 " WHERE (excluded.step, excluded.timestamp, 1 - excluded.is_nan, excluded.value)"
		 " > (latest_metrics.step, latest_metrics.timestamp, 1 - latest_metrics.is_nan,"
		 " latest_metrics.value)",
    [S_MODEL_INS] = "INSERT INTO registered_models (name, description, creation_time,"
		    " last_updated_time) VALUES (?1,?2,?3,?4) ON CONFLICT (name) DO NOTHING",
    [S_MODEL_FIND] = "SELECT id FROM registered_models WHERE name = ?1",
    [S_MODEL_UPD] = "UPDATE registered_models SET description = ?2, last_updated_time = ?3"
		    " WHERE id = ?1 AND (description != ?2 OR last_updated_time < ?3)",
    [S_MTAG_INS] = "INSERT INTO model_tags (model_id, key, value) VALUES (?1,?2,?3)"
		   " ON CONFLICT (model_id, key) DO NOTHING",
    [S_MTAG_UPD] =
	"UPDATE model_tags SET value = ?3 WHERE model_id = ?1 AND key = ?2 AND value != ?3",
    [S_VER_INS] =
	"INSERT INTO model_versions (model_id, version, source, run_uuid, status, stage,"
	" description, user_id, creation_time, last_updated_time)"
	" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) ON CONFLICT (model_id, version) DO NOTHING",
    [S_VER_SAME] = "SELECT id, coalesce(run_uuid, '') = ?3 AND source = ?4, coalesce(run_uuid, '')"
		   " FROM model_versions WHERE model_id = ?1 AND version = ?2",
    [S_VER_UPD] = "UPDATE model_versions SET stage = ?3, status = ?4, description = ?5,"
		  " last_updated_time = ?6 WHERE model_id = ?1 AND version = ?2 AND (stage != ?3"
		  " OR status != ?4 OR description != ?5 OR last_updated_time < ?6)",
    [S_VTAG_INS] = "INSERT INTO version_tags (version_id, key, value) VALUES (?1,?2,?3)"
		   " ON CONFLICT (version_id, key) DO NOTHING",
    [S_VTAG_UPD] = "UPDATE version_tags SET value = ?3 WHERE version_id = ?1 AND key = ?2"
		   " AND value != ?3",
    [S_ALIAS_INS] = "INSERT INTO model_aliases (model_id, alias, version) VALUES (?1,?2,?3)"
		    " ON CONFLICT (model_id, alias) DO NOTHING",
    [S_ALIAS_GET] = "SELECT version FROM model_aliases WHERE model_id = ?1 AND alias = ?2",
    [S_ALIAS_MOVE] = "UPDATE model_aliases SET version = ?3 WHERE model_id = ?1 AND alias = ?2",
    [S_ALIAS_DROP] =
	"DELETE FROM model_aliases WHERE model_id = ?1 AND alias = ?2 AND version = ?3",
    /* import_aliases (schema v6): the aliases this source's imports set */
    [S_MINE_GET] = "SELECT version FROM import_aliases"
		   " WHERE model_id = ?1 AND alias = ?2 AND source_id = ?3",
    [S_MINE_PUT] = "INSERT INTO import_aliases (model_id, alias, source_id, version)"
		   " VALUES (?1,?2,?3,?4) ON CONFLICT (model_id, alias, source_id)"
		   " DO UPDATE SET version = excluded.version",
    [S_MINE_DROP] =
	"DELETE FROM import_aliases WHERE model_id = ?1 AND alias = ?2 AND source_id = ?3",
    [S_MINE_LIST] = "SELECT alias, version FROM import_aliases"
		    " WHERE model_id = ?1 AND source_id = ?2 ORDER BY alias",
    [S_ENV_NAMED] = "SELECT 1 FROM environments WHERE name = ?1",
    [S_SOURCE] = "INSERT INTO import_sources (source, first_at, last_at) VALUES (?1, ?2, ?2)"
		 " ON CONFLICT (source) DO UPDATE SET last_at = excluded.last_at",
    [S_SOURCE_ID] = "SELECT id FROM import_sources WHERE source = ?1",
    /* a run or a model is written whole in a savepoint */
    [S_UNIT] = "SAVEPOINT unit",
    [S_UNIT_DONE] = "RELEASE unit",
    [S_MARK_GET] = "SELECT size, hash, points FROM import_marks"
		   " WHERE run_id = ?1 AND key_id = ?2 AND source_id = ?3",
    [S_MARK_PUT] = "INSERT INTO import_marks (run_id, key_id, source_id, size, hash, points)"
		   " VALUES (?1,?2,?3,?4,?5,?6) ON CONFLICT (run_id, key_id, source_id)"
		   " DO UPDATE SET size = excluded.size, hash = excluded.hash,"
		   " points = excluded.points",
};

static const char *const item_names[IMP_N_ITEMS] = {
    [IMP_EXPERIMENTS] = "experiments",
    [IMP_EXPERIMENT_TAGS] = "experiment tags",
    [IMP_RUNS] = "runs",
    [IMP_PARAMS] = "params",
    [IMP_RUN_TAGS] = "run tags",
    [IMP_METRIC_POINTS] = "metric points",
    [IMP_MODELS] = "models",
    [IMP_MODEL_TAGS] = "model tags",
    [IMP_VERSIONS] = "versions",
    [IMP_VERSION_TAGS] = "version tags",
    [IMP_ALIASES] = "aliases",
};

/* Counts of one unit of work, merged into the report when it is committed. */
struct counts {
	int64_t n[N_OUTCOMES][IMP_N_ITEMS]; /* by outcome: added, updated, present, removed */
};

struct importer {
	struct registry *src, *dst;
	sqlite3 *db;
	const struct import_opts *opts;
	struct import_report *rep;
	sqlite3_stmt *st[N_STMT];
	sqlite3_stmt *points_st;      /* POINT_ROWS metric points at once */
	char *trigger_sql;	      /* schema.c's metrics_latest, set aside while writing */
	int temp_store, foreign_keys; /* the connection's own, given back at the end */
	int64_t done, total;
	int64_t source_id; /* import_sources row: the import_marks of this source */
	/* metric_keys ids met so far (a store has few keys and many runs);
	 * emptied when a unit is rolled back, which may take new keys with it */
	struct key_id {
		char *key;
		int64_t id;
	} keys[KEY_CACHE];
	size_t n_keys;
	int64_t batch_runs, batch_points;
	struct strbuf env_aliases; /* "model@alias, ..." not taken: named like an environment */
	size_t n_env_aliases;
	struct mlc_error *err;
};

const char *import_item_name(enum import_item item)
{
	return item >= 0 && item < IMP_N_ITEMS ? item_names[item] : "?";
}

int64_t import_report_changes(const struct import_report *rep)
{
	int64_t n = 0;

	for (int i = 0; i < IMP_N_ITEMS; i++)
		n += rep->added[i] + rep->updated[i] + rep->removed[i];
	return n;
}

void import_report_free(struct import_report *rep)
{
	for (size_t i = 0; i < rep->n_skipped; i++) {
		free((char *)rep->skipped[i].path);
		free((char *)rep->skipped[i].reason);
	}
	for (size_t i = 0; i < rep->n_notes; i++)
		free(rep->notes[i]);
	free(rep->skipped);
	free(rep->notes);
	free(rep->source);
	free(rep->target);
	memset(rep, 0, sizeof *rep);
}

/* ---- small helpers ------------------------------------------------------ */

/* Milliseconds of the given clock. */
static int64_t clock_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Add a skipped part to the report. */
static void skip_part(struct import_report *rep, const char *path, const char *reason)
{
	rep->skipped = xrealloc(rep->skipped, (rep->n_skipped + 1) * sizeof *rep->skipped);
	rep->skipped[rep->n_skipped].path = xstrdup(path);
	rep->skipped[rep->n_skipped].reason = xstrdup(reason);
	rep->n_skipped++;
}

/* Add a note (something done differently from the source); takes text. */
static void note(struct import_report *rep, char *text)
{
	rep->notes = xrealloc(rep->notes, (rep->n_notes + 1) * sizeof *rep->notes);
	rep->notes[rep->n_notes++] = text;
}

/* Statement s, reset and unbound, ready to bind. */
static sqlite3_stmt *use(struct importer *im, enum stmt s)
{
	sqlite3_reset(im->st[s]);
	sqlite3_clear_bindings(im->st[s]);
	return im->st[s];
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

/* Step a statement that returns no rows: 0, or -1 on an error. */
static int step_done(sqlite3_stmt *st)
{
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

/* Step a one-row query: its first column as an integer in *out; 1 if there
 * was a row, 0 if none, -1 on an error. */
static int step_int(sqlite3_stmt *st, int64_t *out)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		return 1;
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Run sql without rows; -1 with err filled on failure. */
static int exec(struct importer *im, const char *sql)
{
	return sql_exec(im->db, im->rep->target, sql, im->err);
}

/* Insert (ins) or else update (upd) a key/value row of owner id. */
static enum outcome put_kv(struct importer *im, enum stmt ins, enum stmt upd, int64_t id,
			   const char *key, const char *value)
{
	for (int pass = 0; pass < 2; pass++) {
		sqlite3_stmt *st = use(im, pass ? upd : ins);
		sqlite3_bind_int64(st, 1, id);
		bind_text(st, 2, key);
		bind_text(st, 3, value);
		if (step_done(st) < 0)
			return O_FAILED;
		if (sqlite3_changes(im->db) > 0)
			return pass ? O_UPDATED : O_ADDED;
	}
	return O_PRESENT;
}

/* Copy every pair of kv to owner id, counting them as item in c. */
static int put_kvs(struct importer *im, enum stmt ins, enum stmt upd, int64_t id,
		   const struct mlc_kv *kv, size_t n, enum import_item item, struct counts *c)
{
	for (size_t i = 0; i < n; i++) {
		enum outcome o = put_kv(im, ins, upd, id, kv[i].key, kv[i].value);
		if (o == O_FAILED)
			return -1;
		c->n[o][item]++;
	}
	return 0;
}

/* Add c to the report. */
static void merge(struct import_report *rep, const struct counts *c)
{
	for (int i = 0; i < IMP_N_ITEMS; i++) {
		rep->added[i] += c->n[O_ADDED][i];
		rep->updated[i] += c->n[O_UPDATED][i];
		rep->present[i] += c->n[O_PRESENT][i];
		rep->removed[i] += c->n[O_REMOVED][i];
	}
}

/* Report progress of one more unit of work. */
static void tick(struct importer *im)
{
	im->done++;
	if (im->opts && im->opts->progress)
		im->opts->progress(im->opts->progress_arg,
				   im->done < im->total ? im->done : im->total, im->total);
}

/* Open a write transaction with the metrics_latest trigger set aside: the
 * import keeps latest_metrics itself, once per history (put_latest) rather
 * than once per point. DDL is transactional, so no other connection ever
 * sees the registry without its trigger, even if this process dies. */
static int batch_begin(struct importer *im)
{
	if (exec(im, "BEGIN IMMEDIATE") < 0)
		return -1;
	return im->trigger_sql ? exec(im, "DROP TRIGGER metrics_latest") : 0;
}

/* Put the trigger back and commit; -1 leaves the transaction to roll back. */
static int batch_commit(struct importer *im)
{
	if (im->trigger_sql && exec(im, im->trigger_sql) < 0)
		return -1;
	return exec(im, "COMMIT");
}

/* Commit the batch and open the next one when it is big enough (or always). */
static int maybe_commit(struct importer *im, int always)
{
	if (!always && im->batch_runs < BATCH_RUNS && im->batch_points < BATCH_POINTS)
		return 0;
	im->batch_runs = im->batch_points = 0;
	if (batch_commit(im) < 0)
		return -1;
	return batch_begin(im);
}

/* Open (S_UNIT) or release (S_UNIT_DONE) the savepoint of a unit of work,
 * prepared once (sqlite3_exec would parse it for every run); -1 with err
 * filled, as for exec. */
static int unit_step(struct importer *im, enum stmt s)
{
	return step_done(use(im, s)) < 0 ? sql_error(im->db, im->rep->target, im->err) : 0;
}

/* Forget the metric key ids kept in memory. */
static void forget_keys(struct importer *im)
{
	for (size_t i = 0; i < im->n_keys; i++)
		free(im->keys[i].key);
	im->n_keys = 0;
}

/* Roll the unit of work back to its savepoint and report it skipped. */
static void undo_unit(struct importer *im, const char *what, const char *why)
{
	sqlite3_exec(im->db, "ROLLBACK TO unit; RELEASE unit", NULL, NULL, NULL);
	forget_keys(im);
	skip_part(im->rep, what, why);
}

/* ---- experiments -------------------------------------------------------- */

/* Numeric order of decimal ids (other ids after, by bytes). */
static int cmp_ids(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb && strspn(a, "0123456789") == la && strspn(b, "0123456789") == lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/* Active experiments first (they keep their ids when ids collide), then by id. */
static int cmp_experiment_import(const void *pa, const void *pb)
{
	const struct mlc_experiment *a = pa, *b = pb;
	int da = strcmp(a->lifecycle_stage, "active") != 0;
	int db = strcmp(b->lifecycle_stage, "active") != 0;

	return da != db ? da - db : cmp_ids(a->experiment_id, b->experiment_id);
}

/* 1 if the target's experiment_id tid is id itself or id-N (our renumbering). */
static int same_family(const char *tid, const char *id)
{
	size_t n = strlen(id);

	return strncmp(tid, id, n) == 0 &&
	       (tid[n] == '\0' || (tid[n] == '-' && tid[n + 1] &&
				   strspn(tid + n + 1, "0123456789") == strlen(tid + n + 1)));
}

/* The first of id, id-1, id-2 ... the target does not use; malloc'd. */
static char *free_experiment_id(struct importer *im, const char *id)
{
	for (int k = 0;; k++) {
		char *cand = k ? xasprintf("%s-%d", id, k) : xstrdup(id);
		sqlite3_stmt *st = use(im, S_EXP_ID_TAKEN);
		int64_t one;
		bind_text(st, 1, cand);
		if (step_int(st, &one) == 0)
			return cand;
		free(cand);
	}
}

/* The target row for source experiment e: the one with its id and name, or
 * one an earlier import made for it (id-N / "name (N)"), or a new row under
 * a free id and name. 0 on an error (err filled). */
static int64_t place_experiment(struct importer *im, const struct mlc_experiment *e,
				enum outcome *o)
{
	sqlite3_stmt *st = use(im, S_EXP_EXACT);
	int64_t row;
	int rc;

	bind_text(st, 1, e->experiment_id);
	bind_text(st, 2, e->name);
	if ((rc = step_int(st, &row)) != 0) {
		*o = O_PRESENT;
		return rc < 0 ? 0 : row;
	}
	for (int k = 1; k < 10000; k++) {
		char *name = k > 1 ? xasprintf("%s (%d)", e->name, k) : xstrdup(e->name);
		st = use(im, S_EXP_BY_NAME);
		bind_text(st, 1, name);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			int mine =
			    same_family((const char *)sqlite3_column_text(st, 1), e->experiment_id);
			row = sqlite3_column_int64(st, 0);
			free(name);
			if (mine) {
				*o = O_PRESENT;
				return row;
			}
			continue; /* that name belongs to another experiment */
		}
		if (rc != SQLITE_DONE) {
			free(name);
			return 0;
		}
		char *id = free_experiment_id(im, e->experiment_id);
		*o = O_ADDED;
		st = use(im, S_EXP_INSERT);
		bind_text(st, 1, id);
		bind_text(st, 2, name);
		bind_text(st, 3, e->artifact_location);
		bind_text(st, 4, strcmp(e->lifecycle_stage, "deleted") == 0 ? "deleted" : "active");
		sqlite3_bind_int64(st, 5, e->creation_time);
		sqlite3_bind_int64(st, 6, e->last_update_time);
		row = step_done(st) < 0 ? 0 : sqlite3_last_insert_rowid(im->db);
		if (row && (strcmp(id, e->experiment_id) != 0 || k > 1))
			note(im->rep,
			     xasprintf("experiment %s '%s' imported as %s '%s': the local "
				       "registry already uses that %s",
				       e->experiment_id, e->name, id, name, k > 1 ? "name" : "id"));
		free(id);
		free(name);
		return row;
	}
	return 0;
}

/* ---- runs --------------------------------------------------------------- */

/* The database id of metric key (added to metric_keys when new); 0 on error. */
static int64_t metric_key_id(struct importer *im, const char *key)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	for (size_t i = 0; i < im->n_keys; i++)
		if (strcmp(im->keys[i].key, key) == 0)
			return im->keys[i].id;
	st = use(im, S_KEY_INS);
	bind_text(st, 1, key);
	if (step_done(st) < 0)
		return 0;
	st = use(im, S_KEY_ID);
	bind_text(st, 1, key);
	if (step_int(st, &id) != 1)
		return 0;
	if (im->n_keys < KEY_CACHE)
		im->keys[im->n_keys++] = (struct key_id){xstrdup(key), id};
	return id;
}

/* Insert the run's row or find it (and bring its attributes up to date). */
static int64_t put_run_row(struct importer *im, int64_t exp_row, const struct mlc_run *run,
			   struct counts *c)
{
	sqlite3_stmt *st = use(im, S_RUN_INS);
	int64_t row = 0;

	bind_text(st, 1, run->run_id);
	sqlite3_bind_int64(st, 2, exp_row);
	bind_text(st, 3, run->run_name);
	bind_text(st, 4, run->user_id);
	bind_text(st, 5, run->status);
	sqlite3_bind_int64(st, 6, run->start_time);
	if (run->end_time)
		sqlite3_bind_int64(st, 7, run->end_time);
	bind_text(st, 8, run->artifact_uri);
	bind_text(st, 9, run->lifecycle_stage);
	if (step_done(st) < 0)
		return 0;
	if (sqlite3_changes(im->db) > 0) {
		c->n[O_ADDED][IMP_RUNS]++;
		return sqlite3_last_insert_rowid(im->db);
	}
	st = use(im, S_RUN_FIND);
	bind_text(st, 1, run->run_id);
	if (step_int(st, &row) != 1)
		return 0;
	st = use(im, S_RUN_UPD);
	sqlite3_bind_int64(st, 1, row);
	bind_text(st, 2, run->run_name);
	bind_text(st, 3, run->status);
	if (run->end_time)
		sqlite3_bind_int64(st, 4, run->end_time);
	bind_text(st, 5, run->lifecycle_stage);
	if (step_done(st) < 0)
		return 0;
	c->n[sqlite3_changes(im->db) > 0 ? O_UPDATED : O_PRESENT][IMP_RUNS]++;
	return row;
}

/* Bind point p of run_row's key key_id as the 6 values after parameter at. */
static void bind_point(sqlite3_stmt *st, int at, int64_t run_row, int64_t key_id,
		       const struct mlc_metric *p)
{
	sqlite3_bind_int64(st, at + 1, run_row);
	sqlite3_bind_int64(st, at + 2, key_id);
	sqlite3_bind_int64(st, at + 3, p->step);
	sqlite3_bind_int64(st, at + 4, p->timestamp);
	sqlite3_bind_double(st, at + 5, isnan(p->value) ? 0.0 : p->value);
	sqlite3_bind_int(st, at + 6, isnan(p->value) ? 1 : 0);
}

/* Insert the n points p of run_row's key key_id, POINT_ROWS per statement,
 * those already there left alone; how many were new, or -1. */
static int64_t insert_points(struct importer *im, int64_t run_row, int64_t key_id,
			     const struct mlc_metric *p, size_t n)
{
	int64_t added = 0;

	for (size_t i = 0; i < n;) {
		size_t k = n - i >= POINT_ROWS ? POINT_ROWS : 1;
		sqlite3_stmt *st = k > 1 ? im->points_st : im->st[S_METRIC_INS];
		sqlite3_reset(st);
		for (size_t j = 0; j < k; j++)
			bind_point(st, (int)j * 6, run_row, key_id, &p[i + j]);
		if (step_done(st) < 0)
			return -1;
		added += sqlite3_changes(im->db);
		i += k;
	}
	return added;
}

/* Raise run_row's latest value of key_id to the latest of the n points p
 * (MLflow's rule, mlc_metric_cmp_latest: the metrics_latest trigger's). */
static int put_latest(struct importer *im, int64_t run_row, int64_t key_id,
		      const struct mlc_metric *p, size_t n)
{
	const struct mlc_metric *best = n ? &p[0] : NULL;
	sqlite3_stmt *st = use(im, S_LATEST);

	for (size_t i = 1; i < n; i++)
		if (mlc_metric_cmp_latest(&p[i], best) > 0)
			best = &p[i];
	if (best == NULL)
		return 0;
	bind_point(st, 0, run_row, key_id, best);
	return step_done(st);
}

/* What an earlier import from this source read of run_row's history of
 * key_id (zeros when none): 1 if it left a mark, 0 if not, -1 on an error. */
static int get_mark(struct importer *im, int64_t run_row, int64_t key_id,
		    struct mlc_read_mark *mark)
{
	sqlite3_stmt *st = use(im, S_MARK_GET);
	int rc;

	memset(mark, 0, sizeof *mark);
	sqlite3_bind_int64(st, 1, run_row);
	sqlite3_bind_int64(st, 2, key_id);
	sqlite3_bind_int64(st, 3, im->source_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		mark->size = sqlite3_column_int64(st, 0);
		mark->hash = (uint64_t)sqlite3_column_int64(st, 1);
		mark->points = sqlite3_column_int64(st, 2);
	}
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Remember what this import read of run_row's history of key_id. */
static int put_mark(struct importer *im, int64_t run_row, int64_t key_id,
		    const struct mlc_read_mark *mark)
{
	sqlite3_stmt *st = use(im, S_MARK_PUT);

	sqlite3_bind_int64(st, 1, run_row);
	sqlite3_bind_int64(st, 2, key_id);
	sqlite3_bind_int64(st, 3, im->source_id);
	sqlite3_bind_int64(st, 4, mark->size);
	sqlite3_bind_int64(st, 5, (int64_t)mark->hash);
	sqlite3_bind_int64(st, 6, mark->points);
	return step_done(st);
}

/* Write the points h holds of run_row's key_id and raise its latest value;
 * how many were new, or -1. */
static int64_t put_points(struct importer *im, int64_t run_row, int64_t key_id,
			  const struct mlc_metric_list *h)
{
	int64_t added = insert_points(im, run_row, key_id, h->items, h->n);

	if (added < 0 || put_latest(im, run_row, key_id, h->items, h->n) < 0)
		return -1;
	im->batch_points += (int64_t)h->n;
	return added;
}

/* Copy a metric's history and its latest value: what the source wrote since
 * this source was imported last (registry_metric_tail), the points read then
 * counted as present. A zero mark is kept only over an older one (a server or
 * a database gives nothing else). Returns -1 on a database error, 1 if the
 * source failed. */
static int put_history(struct importer *im, int64_t run_row, const struct mlc_run *run,
		       const char *key, struct counts *c)
{
	struct mlc_metric_list h = {0};
	struct mlc_read_mark mark;
	struct mlc_error e = {0};
	int64_t key_id = metric_key_id(im, key), added = 0, had;
	int tail, marked;

	if (key_id == 0 || (marked = get_mark(im, run_row, key_id, &mark)) < 0)
		return -1;
	had = mark.points;
	if ((tail = registry_metric_tail(im->src, run->run_id, key, &mark, &h, &e)) < 0) {
		char *what = xasprintf("run %s metric '%s'", run->run_id, key);
		skip_part(im->rep, what, e.msg);
		free(what);
		MLC_LIST_FREE(&h);
		return 1;
	}
	if (tail != MLC_TAIL_SAME &&
	    ((added = put_points(im, run_row, key_id, &h)) < 0 ||
	     ((mark.size > 0 || marked) && put_mark(im, run_row, key_id, &mark) < 0)))
		added = -1;
	if (added >= 0) {
		c->n[O_ADDED][IMP_METRIC_POINTS] += added;
		c->n[O_PRESENT][IMP_METRIC_POINTS] +=
		    (int64_t)h.n - added + (tail == MLC_TAIL_ALL ? 0 : had);
	}
	MLC_LIST_FREE(&h);
	return added < 0 ? -1 : 0;
}

/* ---- datasets (lineage) -------------------------------------------------- */

/* Store one dataset input of run_row with st (datasets_put's statement). */
static int put_input(sqlite3_stmt *st, int64_t run_row, const struct mlc_dataset_input *in)
{
	sqlite3_bind_int64(st, 1, run_row);
	bind_text(st, 2, in->name);
	bind_text(st, 3, in->digest);
	bind_text(st, 4, in->context);
	bind_text(st, 5, in->source_type);
	bind_text(st, 6, in->source);
	bind_text(st, 7, in->schema);
	bind_text(st, 8, in->profile);
	return step_done(st);
}

/* Copy the datasets run used (schema's run_inputs) to run_row: those its
 * listing carried, else registry_run_inputs of the source (a source that
 * cannot give them is listed as skipped). -1 on a database error. */
static int put_datasets(struct importer *im, int64_t run_row, const struct mlc_run *run)
{
	struct mlc_input_list l = {0};
	struct mlc_error e = {0};
	const struct mlc_dataset_input *in = run->inputs;
	size_t n = run->n_inputs;
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (!run->inputs_read) {
		if (registry_run_inputs(im->src, run->run_id, &l, &e) < 0) {
			char *what = xasprintf("run %s datasets", run->run_id);
			skip_part(im->rep, what, e.msg);
			free(what);
		}
		in = l.items, n = l.n;
	}
	if (n > 0 &&
	    sqlite3_prepare_v2(im->db,
			       "INSERT INTO run_inputs (run_id, name, digest, context, source_type,"
			       " source, schema, profile) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"
			       " ON CONFLICT (run_id, name, digest, context) DO UPDATE SET"
			       " source_type = excluded.source_type, source = excluded.source,"
			       " schema = excluded.schema, profile = excluded.profile",
			       -1, &st, NULL) != SQLITE_OK)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = put_input(st, run_row, &in[i]);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	MLC_LIST_FREE(&l);
	return rc;
}

/* Copy one run with its values, whole or not at all. */
static void import_run(struct importer *im, int64_t exp_row, const struct mlc_run *run)
{
	struct counts c = {0};
	int64_t row;
	char *what;

	if (unit_step(im, S_UNIT) < 0)
		goto failed;
	if ((row = put_run_row(im, exp_row, run, &c)) == 0 ||
	    put_kvs(im, S_PARAM_INS, S_PARAM_UPD, row, run->params, run->n_params, IMP_PARAMS, &c) <
		0 ||
	    put_kvs(im, S_RTAG_INS, S_RTAG_UPD, row, run->tags, run->n_tags, IMP_RUN_TAGS, &c) <
		0 ||
	    put_datasets(im, row, run) < 0)
		goto failed;
	for (size_t i = 0; i < run->n_metrics; i++)
		if (put_history(im, row, run, run->metrics[i].key, &c) < 0)
			goto failed;
	if (unit_step(im, S_UNIT_DONE) < 0)
		goto failed;
	merge(im->rep, &c);
	im->batch_runs++;
	return;
failed:
	what = xasprintf("run %s", run->run_id);
	undo_unit(im, what, sqlite3_errmsg(im->db));
	free(what);
}

/* The reference that lists e's runs in the source: in a file store, a
 * deleted experiment is .trash/ID (an active one may have the same id). */
static char *experiment_ref(struct importer *im, const struct mlc_experiment *e)
{
	if ((im->src->caps & REG_CAP_TRASH_DIR) && strcmp(e->lifecycle_stage, "deleted") == 0)
		return xasprintf(".trash/%s", e->experiment_id);
	return xstrdup(e->experiment_id);
}

/* Copy one experiment, its tags and its runs. */
static int import_experiment(struct importer *im, const struct mlc_experiment *e)
{
	struct counts c = {0};
	struct mlc_run_list runs = {0};
	struct mlc_error lerr = {0};
	char *ref = experiment_ref(im, e);
	struct mlc_run_query q = {.experiment = ref, .all = 1, .metric_keys = 1};
	enum outcome o = O_ADDED;
	int64_t row = place_experiment(im, e, &o);
	sqlite3_stmt *st;

	if (row == 0)
		goto db_error;
	c.n[o][IMP_EXPERIMENTS]++;
	st = use(im, S_EXP_STAGE);
	sqlite3_bind_int64(st, 1, row);
	bind_text(st, 2, strcmp(e->lifecycle_stage, "deleted") == 0 ? "deleted" : "active");
	if (step_done(st) < 0)
		goto db_error;
	if (o == O_PRESENT && sqlite3_changes(im->db) > 0) {
		c.n[O_PRESENT][IMP_EXPERIMENTS]--;
		c.n[O_UPDATED][IMP_EXPERIMENTS]++;
	}
	if (put_kvs(im, S_EXP_TAG_INS, S_EXP_TAG_UPD, row, e->tags, e->n_tags, IMP_EXPERIMENT_TAGS,
		    &c) < 0)
		goto db_error;
	merge(im->rep, &c);
	if (registry_list_runs(im->src, &q, &runs, &lerr) < 0) {
		char *what = xasprintf("experiment %s '%s'", e->experiment_id, e->name);
		skip_part(im->rep, what, lerr.msg);
		free(what);
	}
	for (size_t i = 0; i < runs.n; i++) {
		import_run(im, row, &runs.items[i]);
		tick(im);
		if (maybe_commit(im, 0) < 0)
			break;
	}
	MLC_LIST_FREE(&runs);
	free(ref);
	return im->err->code ? -1 : 0;
db_error:
	free(ref);
	return mlc_error_set(im->err, MLC_ERR_FAILED, "%s: experiment %s: %s", im->rep->target,
			     e->experiment_id, sqlite3_errmsg(im->db));
}

/* ---- the model registry ------------------------------------------------- */

/* Insert the model's row or find it (and bring its description up to date). */
static int64_t put_model_row(struct importer *im, const struct mlc_model *m, struct counts *c)
{
	sqlite3_stmt *st = use(im, S_MODEL_INS);
	int64_t row = 0;

	bind_text(st, 1, m->name);
	bind_text(st, 2, m->description);
	sqlite3_bind_int64(st, 3, m->creation_time);
	sqlite3_bind_int64(st, 4, m->last_updated_time);
	if (step_done(st) < 0)
		return 0;
	if (sqlite3_changes(im->db) > 0) {
		c->n[O_ADDED][IMP_MODELS]++;
		return sqlite3_last_insert_rowid(im->db);
	}
	st = use(im, S_MODEL_FIND);
	bind_text(st, 1, m->name);
	if (step_int(st, &row) != 1)
		return 0;
	st = use(im, S_MODEL_UPD);
	sqlite3_bind_int64(st, 1, row);
	bind_text(st, 2, m->description);
	sqlite3_bind_int64(st, 3, m->last_updated_time);
	if (step_done(st) < 0)
		return 0;
	c->n[sqlite3_changes(im->db) > 0 ? O_UPDATED : O_PRESENT][IMP_MODELS]++;
	return row;
}

/* Parse a version number ("3"); -1 if it is not one. */
static int64_t version_number(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	return *s && *end == '\0' && errno == 0 && v > 0 ? v : -1;
}

/* The row of version num of model_row if it is the same version as v (same
 * run and source); -1 if the target's version num is another one (reported),
 * 0 on an error. */
static int64_t same_version(struct importer *im, int64_t model_row, int64_t num,
			    const struct mlc_version *v)
{
	sqlite3_stmt *st = use(im, S_VER_SAME);
	char *what, *why;
	int64_t row;

	sqlite3_bind_int64(st, 1, model_row);
	sqlite3_bind_int64(st, 2, num);
	bind_text(st, 3, v->run_id);
	bind_text(st, 4, v->source);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	row = sqlite3_column_int64(st, 0);
	if (sqlite3_column_int(st, 1))
		return row;
	what = xasprintf("model '%s' version %s", v->model, v->version);
	why = xasprintf("the local registry has another version %s (run '%s'); kept as is",
			v->version, (const char *)sqlite3_column_text(st, 2));
	skip_part(im->rep, what, why);
	free(what);
	free(why);
	return -1;
}

/* Insert a version's row, or find the same version and bring stage, status,
 * description and time up to date; its row id, -1 when the target has
 * another version of that number (reported), 0 on an error. */
static int64_t put_version_row(struct importer *im, int64_t model_row, int64_t num,
			       const struct mlc_version *v, struct counts *c)
{
	sqlite3_stmt *st = use(im, S_VER_INS);
	int64_t row = 0;

	sqlite3_bind_int64(st, 1, model_row);
	sqlite3_bind_int64(st, 2, num);
	bind_text(st, 3, v->source);
	if (v->run_id && *v->run_id)
		bind_text(st, 4, v->run_id);
	bind_text(st, 5, v->status && *v->status ? v->status : "READY");
	bind_text(st, 6, v->stage && *v->stage ? v->stage : "None");
	bind_text(st, 7, v->description);
	bind_text(st, 8, v->user_id);
	sqlite3_bind_int64(st, 9, v->creation_time);
	sqlite3_bind_int64(st, 10, v->last_updated_time);
	if (step_done(st) < 0)
		return 0;
	if (sqlite3_changes(im->db) > 0) {
		c->n[O_ADDED][IMP_VERSIONS]++;
		return sqlite3_last_insert_rowid(im->db);
	}
	if ((row = same_version(im, model_row, num, v)) <= 0)
		return row;
	st = use(im, S_VER_UPD);
	sqlite3_bind_int64(st, 1, model_row);
	sqlite3_bind_int64(st, 2, num);
	bind_text(st, 3, v->stage && *v->stage ? v->stage : "None");
	bind_text(st, 4, v->status && *v->status ? v->status : "READY");
	bind_text(st, 5, v->description);
	sqlite3_bind_int64(st, 6, v->last_updated_time);
	if (step_done(st) < 0)
		return 0;
	c->n[sqlite3_changes(im->db) > 0 ? O_UPDATED : O_PRESENT][IMP_VERSIONS]++;
	return row;
}

/* Copy the versions of model m (row model_row) with their tags. */
static int put_versions(struct importer *im, int64_t model_row, const struct mlc_model *m,
			struct counts *c)
{
	struct mlc_version_list vl = {0};
	struct mlc_error e = {0};
	int ret = 0;

	if (registry_list_versions(im->src, m->name, &vl, &e) < 0) {
		char *what = xasprintf("model '%s' versions", m->name);
		skip_part(im->rep, what, e.msg);
		free(what);
	}
	for (size_t i = 0; i < vl.n && ret == 0; i++) {
		const struct mlc_version *v = &vl.items[i];
		int64_t num = version_number(v->version), row;
		if (num < 0) {
			char *what = xasprintf("model '%s' version '%s'", m->name, v->version);
			skip_part(im->rep, what, "not a version number");
			free(what);
			continue;
		}
		row = put_version_row(im, model_row, num, v, c);
		if (row < 0)
			continue; /* another version of that number: reported */
		if (row == 0 || put_kvs(im, S_VTAG_INS, S_VTAG_UPD, row, v->tags, v->n_tags,
					IMP_VERSION_TAGS, c) < 0)
			ret = -1;
	}
	MLC_LIST_FREE(&vl);
	return ret;
}

/* 1 if alias is named like an environment of the target (there the alias E
 * is the version live in E, and only a deployment may set it), 0 if not, -1
 * on an error. */
static int env_named(struct importer *im, const char *alias)
{
	sqlite3_stmt *st = use(im, S_ENV_NAMED);
	int64_t one;

	bind_text(st, 1, alias);
	return step_int(st, &one);
}

/* 1 if the alias of m is named like an environment of the target: then it is
 * reported as what, not taken, and named in the audit; 0 if not, -1 on an
 * error. */
static int env_alias_refused(struct importer *im, const struct mlc_model *m, const char *alias,
			     const char *what)
{
	char *why;
	int rc;

	if ((rc = env_named(im, alias)) <= 0)
		return rc;
	why = xasprintf("named like the environment '%s' here, where only a deployment (deploy, "
			"request) makes a version live; not taken",
			alias);
	skip_part(im->rep, what, why);
	free(why);
	if (im->n_env_aliases++ < 10)
		sb_printf(&im->env_aliases, "%s%s@%s", im->n_env_aliases > 1 ? ", " : "", m->name,
			  alias);
	return 1;
}

/* Statement s bound to model_row (?1) and alias (?2), and for the
 * import_aliases ones to this source (?3). */
static sqlite3_stmt *use_alias(struct importer *im, enum stmt s, int64_t model_row,
			       const char *alias)
{
	sqlite3_stmt *st = use(im, s);

	sqlite3_bind_int64(st, 1, model_row);
	bind_text(st, 2, alias);
	if (s == S_MINE_GET || s == S_MINE_PUT || s == S_MINE_DROP)
		sqlite3_bind_int64(st, 3, im->source_id);
	return st;
}

/* Remember that this source's import set alias of model_row to version, or
 * forget it (version 0); 0 or -1 on an error. */
static int mine_put(struct importer *im, int64_t model_row, const char *alias, int64_t version)
{
	sqlite3_stmt *st = use_alias(im, version ? S_MINE_PUT : S_MINE_DROP, model_row, alias);

	if (version)
		sqlite3_bind_int64(st, 4, version);
	return step_done(st);
}

/* Copy alias a of m (row model_row): a new one is added and remembered as
 * this source's; one this source set earlier, still where it set it, moves
 * with the source; one set here (or moved here since) that the source points
 * elsewhere is kept and reported; one named like an environment is never
 * taken (env_alias_refused) and forgotten. 0, or -1 on an error. */
static int put_alias(struct importer *im, int64_t model_row, const struct mlc_model *m,
		     const struct mlc_alias *a, struct counts *c)
{
	int64_t num = version_number(a->version), have = 0, mine = 0;
	char *what = xasprintf("model '%s' alias '%s'", m->name, a->alias), *why;
	sqlite3_stmt *st;
	int rc = env_alias_refused(im, m, a->alias, what);

	if (rc != 0) {
		if (rc > 0)
			rc = mine_put(im, model_row, a->alias, 0);
		goto out;
	}
	if (num < 0) {
		skip_part(im->rep, what, "its version is not a version number");
		goto out;
	}
	st = use_alias(im, S_ALIAS_INS, model_row, a->alias);
	sqlite3_bind_int64(st, 3, num);
	if ((rc = step_done(st)) < 0)
		goto out;
	if (sqlite3_changes(im->db) > 0) {
		c->n[O_ADDED][IMP_ALIASES]++;
		rc = mine_put(im, model_row, a->alias, num);
		goto out;
	}
	if (step_int(use_alias(im, S_ALIAS_GET, model_row, a->alias), &have) != 1 ||
	    (rc = step_int(use_alias(im, S_MINE_GET, model_row, a->alias), &mine)) < 0) {
		rc = -1;
		goto out;
	}
	if (have == num) {
		c->n[O_PRESENT][IMP_ALIASES]++;
		rc = rc ? mine_put(im, model_row, a->alias, num) : 0;
		goto out;
	}
	if (rc == 1 && mine == have) {
		st = use_alias(im, S_ALIAS_MOVE, model_row, a->alias);
		sqlite3_bind_int64(st, 3, num);
		if ((rc = step_done(st)) == 0)
			rc = mine_put(im, model_row, a->alias, num);
		c->n[O_UPDATED][IMP_ALIASES]++;
		goto out;
	}
	why = xasprintf("points at version %lld here and %s in the source; kept as is (%s)",
			(long long)have, a->version,
			rc == 1 ? "moved here since this source was imported"
				: "set here, not by an import of this source");
	skip_part(im->rep, what, why);
	free(why);
	rc = 0;
out:
	free(what);
	return rc;
}

/* 1 if m has an alias named alias. */
static int has_alias(const struct mlc_model *m, const char *alias)
{
	for (size_t i = 0; i < m->n_aliases; i++)
		if (strcmp(m->aliases[i].alias, alias) == 0)
			return 1;
	return 0;
}

/* 1 if the source skipped a damaged file of model name (a file store's
 * models/NAME/...): its list of aliases may then be short. */
static int model_damaged(struct importer *im, const char *name)
{
	const struct mlc_warning *w;
	char *needle = xasprintf("/models/%s", name);
	size_t n, len = strlen(needle), root = im->src->display ? strlen(im->src->display) : 0;
	int hit = 0;

	if (registry_mlruns_warnings(im->src, &w, &n) == 0)
		for (size_t i = 0; i < n && !hit; i++) {
			/* after the store's own path, which may hold /models/NAME too */
			const char *p = w[i].path;
			if (root && strncmp(p, im->src->display, root) == 0)
				p += root;
			p = strstr(p, needle);
			hit = p && (p[len] == '/' || p[len] == '\0');
		}
	free(needle);
	return hit;
}

/* An alias this source's imports set: its name and version. */
struct mine {
	char *alias;
	int64_t version;
};

/* The aliases of model_row that this source's imports set and m no longer
 * has, into *out (malloc'd); how many, or -1 on an error. */
static ssize_t gone_aliases(struct importer *im, int64_t model_row, const struct mlc_model *m,
			    struct mine **out)
{
	sqlite3_stmt *st = use(im, S_MINE_LIST);
	size_t n = 0;
	int rc;

	*out = NULL;
	sqlite3_bind_int64(st, 1, model_row);
	sqlite3_bind_int64(st, 2, im->source_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *alias = (const char *)sqlite3_column_text(st, 0);
		if (has_alias(m, alias))
			continue;
		*out = xrealloc(*out, (n + 1) * sizeof **out);
		(*out)[n].alias = xstrdup(alias);
		(*out)[n++].version = sqlite3_column_int64(st, 1);
	}
	return rc == SQLITE_DONE ? (ssize_t)n : -1;
}

/* Remove the aliases this source's imports set that the source removed: the
 * alias goes if it still points where the import set it (else it was changed
 * here, and stays); one named like an environment is a deployment and stays;
 * when the source's model folder is damaged, all stay and are reported. The
 * import forgets them, except those kept for damage. 0, or -1 on an error. */
static int drop_gone_aliases(struct importer *im, int64_t model_row, const struct mlc_model *m,
			     struct counts *c)
{
	struct mine *gone;
	ssize_t n = gone_aliases(im, model_row, m, &gone);
	int damaged = n > 0 && model_damaged(im, m->name), rc = n < 0 ? -1 : 0;

	for (ssize_t i = 0; i < n && rc == 0; i++) {
		sqlite3_stmt *st;
		if (damaged) {
			char *what = xasprintf("model '%s' alias '%s'", m->name, gone[i].alias);
			skip_part(im->rep, what,
				  "no longer in the source, whose folder of the model is damaged; "
				  "kept as is");
			free(what);
			continue;
		}
		if ((rc = env_named(im, gone[i].alias)) < 0)
			break;
		if (rc == 0) {
			st = use_alias(im, S_ALIAS_DROP, model_row, gone[i].alias);
			sqlite3_bind_int64(st, 3, gone[i].version);
			if ((rc = step_done(st)) < 0)
				break;
			if (sqlite3_changes(im->db) > 0)
				c->n[O_REMOVED][IMP_ALIASES]++;
		}
		rc = mine_put(im, model_row, gone[i].alias, 0);
	}
	for (ssize_t i = 0; i < n; i++)
		free(gone[i].alias);
	free(gone);
	return rc;
}

/* Mirror the aliases of m (put_alias each, then drop_gone_aliases). */
static int put_aliases(struct importer *im, int64_t model_row, const struct mlc_model *m,
		       struct counts *c)
{
	for (size_t i = 0; i < m->n_aliases; i++)
		if (put_alias(im, model_row, m, &m->aliases[i], c) < 0)
			return -1;
	return drop_gone_aliases(im, model_row, m, c);
}

/* Copy one registered model with its tags, versions and aliases, whole. */
static void import_model(struct importer *im, const struct mlc_model *m)
{
	struct counts c = {0};
	int64_t row;
	char *what;

	if (unit_step(im, S_UNIT) < 0)
		goto failed;
	if ((row = put_model_row(im, m, &c)) == 0 ||
	    put_kvs(im, S_MTAG_INS, S_MTAG_UPD, row, m->tags, m->n_tags, IMP_MODEL_TAGS, &c) < 0 ||
	    put_versions(im, row, m, &c) < 0 || put_aliases(im, row, m, &c) < 0 ||
	    unit_step(im, S_UNIT_DONE) < 0)
		goto failed;
	merge(im->rep, &c);
	return;
failed:
	what = xasprintf("model '%s'", m->name);
	undo_unit(im, what, sqlite3_errmsg(im->db));
	free(what);
}

/* ---- the whole import --------------------------------------------------- */

/* The path of a local registry (its URI is "sqlite:PATH"). */
static const char *local_path(struct registry *r)
{
	return strncmp(r->uri, "sqlite:", 7) == 0 ? r->uri + 7 : r->uri;
}

/* How the source is recorded: its URI, with an absolute path for a local one. */
static char *source_name(struct registry *src)
{
	char *abs, *s;

	if (!(src->caps & REG_CAP_LOCAL) || (abs = realpath(local_path(src), NULL)) == NULL)
		return xstrdup(src->uri);
	s = xasprintf("sqlite:%s", abs);
	free(abs);
	return s;
}

/* Refuse a target that is not a writable local registry, or the source itself. */
static int check_target(struct registry *src, struct registry *dst, struct mlc_error *err)
{
	char *a, *b;
	int same;

	if (!(dst->caps & REG_CAP_LOCAL))
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s: imports go into a local SQLite registry, not a %s one",
				     dst->display, dst->ops->kind);
	if (dst->read_only || !(dst->caps & REG_CAP_WRITE))
		return mlc_error_set(err, MLC_ERR_READONLY, "%s: read-only: import refused%s%s%s",
				     dst->display, dst->read_only_why ? " (" : "",
				     dst->read_only_why ? dst->read_only_why : "",
				     dst->read_only_why ? ")" : "");
	if (!(src->caps & REG_CAP_LOCAL))
		return 0;
	a = realpath(local_path(src), NULL);
	b = realpath(local_path(dst), NULL);
	same = a && b && strcmp(a, b) == 0;
	free(a);
	free(b);
	if (same)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s: cannot import a registry into itself", dst->display);
	return 0;
}

/* The statement inserting POINT_ROWS metric points at once. */
static int prepare_points(struct importer *im)
{
	const char *one = strstr(stmt_sql[S_METRIC_INS], " VALUES ") + 8; /* "(?1,...) ON ..." */
	struct strbuf sb = {0};
	int rc;

	sb_add(&sb, "INSERT INTO metrics (run_id, key_id, step, timestamp, value, is_nan) VALUES ");
	for (int i = 0; i < POINT_ROWS; i++)
		sb_add(&sb, i ? ",(?,?,?,?,?,?)" : "(?,?,?,?,?,?)");
	sb_add(&sb, strstr(one, " ON CONFLICT"));
	rc = sqlite3_prepare_v3(im->db, sb_str(&sb), -1, SQLITE_PREPARE_PERSISTENT, &im->points_st,
				NULL);
	sb_free(&sb);
	return rc == SQLITE_OK ? 0 : sql_error(im->db, im->rep->target, im->err);
}

/* Prepare every statement on the target's connection. */
static int prepare_all(struct importer *im)
{
	for (int i = 0; i < N_STMT; i++)
		if (sqlite3_prepare_v3(im->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &im->st[i], NULL) != SQLITE_OK)
			return sql_error(im->db, im->rep->target, im->err);
	return prepare_points(im);
}

static void finalize_all(struct importer *im)
{
	for (int i = 0; i < N_STMT; i++)
		sqlite3_finalize(im->st[i]);
	sqlite3_finalize(im->points_st);
}

/* The integer of a one-row statement sql without parameters (def when none). */
static int64_t query_int(struct importer *im, const char *sql, int64_t def)
{
	sqlite3_stmt *st = NULL;
	int64_t v = def;

	if (sqlite3_prepare_v2(im->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Ready the connection for the bulk write: the text of the metrics_latest
 * trigger (batch_begin sets it aside), savepoint journals in memory (per run,
 * they would otherwise spill every page image to a temporary file), and no
 * foreign key checks: every row the import writes refers to a row it has just
 * found or made in the same transaction, and checking cost two lookups per
 * metric point (test_import checks pragma foreign_key_check after imports). */
static int prepare_connection(struct importer *im)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(im->db,
			       "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
			       " AND name = 'metrics_latest'",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_error(im->db, im->rep->target, im->err);
	if (sqlite3_step(st) == SQLITE_ROW)
		im->trigger_sql = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	im->temp_store = (int)query_int(im, "PRAGMA temp_store", 0);
	im->foreign_keys = (int)query_int(im, "PRAGMA foreign_keys", 1);
	return exec(im, "PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF");
}

/* Give the connection back as it was. */
static void restore_connection(struct importer *im)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA temp_store = %d; PRAGMA foreign_keys = %d",
		 im->temp_store, im->foreign_keys);
	sqlite3_exec(im->db, sql, NULL, NULL, NULL);
	free(im->trigger_sql);
}

/* The audit detail: what was added, how much was skipped, and the aliases
 * not taken because they are named like an environment. */
static char *audit_detail(const struct importer *im)
{
	const struct import_report *rep = im->rep;
	struct strbuf sb = {0};
	int any = 0;

	for (int i = 0; i < IMP_N_ITEMS; i++) {
		if (rep->added[i] == 0 && rep->updated[i] == 0 && rep->removed[i] == 0)
			continue;
		sb_printf(&sb, "%s%s %lld", any ? ", " : "added ", item_names[i],
			  (long long)rep->added[i]);
		if (rep->updated[i])
			sb_printf(&sb, " (+%lld updated)", (long long)rep->updated[i]);
		if (rep->removed[i])
			sb_printf(&sb, " (-%lld removed)", (long long)rep->removed[i]);
		any = 1;
	}
	if (!any)
		sb_add(&sb, "nothing new");
	if (rep->n_skipped)
		sb_printf(&sb, "; %zu skipped", rep->n_skipped);
	if (im->n_env_aliases)
		sb_printf(&sb, "; aliases named like an environment, not taken: %s%s",
			  sb_str(&im->env_aliases), im->n_env_aliases > 10 ? ", ..." : "");
	return sb_detach(&sb);
}

/* Record the import in audit_log and import_sources (in the open transaction). */
static int record_import(struct importer *im)
{
	int64_t now = clock_ms(CLOCK_REALTIME);
	char *detail = audit_detail(im);
	sqlite3_stmt *st;
	int rc;

	rc = audit_append(im->db, now, im->opts && im->opts->actor ? im->opts->actor : "unknown",
			  "import", im->rep->source, detail, im->err);
	free(detail);
	if (rc < 0)
		return -1;
	st = use(im, S_SOURCE);
	bind_text(st, 1, im->rep->source);
	sqlite3_bind_int64(st, 2, now);
	if (rc < 0 || step_done(st) < 0)
		return sql_error(im->db, im->rep->target, im->err);
	return 0;
}

/* Add the damaged files the source skipped while it was read. */
static void collect_source_warnings(struct importer *im)
{
	const struct mlc_warning *w;
	size_t n;

	if (registry_mlruns_warnings(im->src, &w, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		skip_part(im->rep, w[i].path, w[i].reason);
}

/* List what the source has: experiments (active first) and models; the
 * progress total is their runs plus the models. */
static int list_source(struct importer *im, struct mlc_experiment_list *el,
		       struct mlc_model_list *ml)
{
	if (registry_list_experiments(im->src, 1, el, im->err) < 0 ||
	    registry_list_models(im->src, NULL, ml, im->err) < 0)
		return -1;
	if (el->n > 1)
		qsort(el->items, el->n, sizeof *el->items, cmp_experiment_import);
	im->total = (int64_t)ml->n;
	for (size_t i = 0; i < el->n; i++)
		im->total += el->items[i].run_count > 0 ? el->items[i].run_count : 0;
	return 0;
}

/* The source's import_sources row (made now if new), for its import_marks. */
static int find_source(struct importer *im)
{
	sqlite3_stmt *st = use(im, S_SOURCE);

	bind_text(st, 1, im->rep->source);
	sqlite3_bind_int64(st, 2, clock_ms(CLOCK_REALTIME));
	if (step_done(st) < 0)
		return sql_error(im->db, im->rep->target, im->err);
	st = use(im, S_SOURCE_ID);
	bind_text(st, 1, im->rep->source);
	if (step_int(st, &im->source_id) != 1)
		return sql_error(im->db, im->rep->target, im->err);
	return 0;
}

/* Copy everything in one open transaction (committed in batches). */
static int copy_all(struct importer *im)
{
	struct mlc_experiment_list el = {0};
	struct mlc_model_list ml = {0};
	int ret = find_source(im);

	if (ret == 0)
		ret = list_source(im, &el, &ml);

	for (size_t i = 0; ret == 0 && i < el.n; i++)
		ret = import_experiment(im, &el.items[i]);
	for (size_t i = 0; ret == 0 && i < ml.n; i++) {
		import_model(im, &ml.items[i]);
		tick(im);
	}
	MLC_LIST_FREE(&el);
	MLC_LIST_FREE(&ml);
	if (ret == 0) {
		collect_source_warnings(im);
		ret = record_import(im);
	}
	return ret;
}

int import_registry(struct registry *src, struct registry *dst, const struct import_opts *opts,
		    struct import_report *rep, struct mlc_error *err)
{
	struct importer im = {.src = src, .dst = dst, .opts = opts, .rep = rep, .err = err};
	int64_t t0 = clock_ms(CLOCK_MONOTONIC);
	int ret;

	memset(rep, 0, sizeof *rep);
	mlc_error_clear(err);
	rep->source = source_name(src);
	rep->target = xstrdup(dst->display);
	if (check_target(src, dst, err) < 0)
		return -1;
	im.db = DB(dst);
	ret = prepare_connection(&im);
	if (ret == 0)
		ret = prepare_all(&im);
	if (ret == 0)
		ret = batch_begin(&im);
	if (ret == 0) {
		ret = copy_all(&im);
		if (ret == 0)
			ret = batch_commit(&im);
		if (ret < 0)
			sqlite3_exec(im.db, "ROLLBACK", NULL, NULL, NULL);
	}
	finalize_all(&im);
	restore_connection(&im);
	forget_keys(&im);
	sb_free(&im.env_aliases);
	rep->elapsed_ms = clock_ms(CLOCK_MONOTONIC) - t0;
	return ret;
}
