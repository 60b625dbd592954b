/* registry_sqlite.c: the local registry, a SQLite file of our own (WAL, busy
 * timeout, forward migrations). A SQLite file that is not ours is never
 * migrated or written: MLflow's own SQL store is handed to the read-only
 * MLflow-SQL backend (registry_mlflowsql.c), anything else is refused. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "audit.h"
#include "dbfile.h"
#include "filter.h"
#include "registry.h"
#include "schema.h"
#include "sqlutil.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "sqlite_impl.h"
#include "timefmt.h"

/* The sq_* helpers: sqlutil.c's, on r's connection, naming the registry file. */
int sq_error(struct registry *r, struct mlc_error *err)
{
	return sql_error(DB(r), PATH(r), err);
}

sqlite3_stmt *sq_prep(struct registry *r, const char *sql, struct mlc_error *err)
{
	return sql_prep(DB(r), PATH(r), sql, err);
}

const char *sq_col_str(struct mlc_arena *a, sqlite3_stmt *st, int i)
{
	return sql_col_str(a, st, i);
}

/* Read key/value rows of st (bound to an id) into an arena array. */
static struct mlc_kv *load_kv(struct mlc_arena *a, sqlite3_stmt *st, int64_t id, size_t *n)
{
	struct mlc_kv *kv = NULL;
	size_t cap = 0;

	*n = 0;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct mlc_kv *e = arena_grow(a, (void **)&kv, &cap, (*n)++, sizeof *kv);
		e->key = sq_col_str(a, st, 0);
		e->value = sq_col_str(a, st, 1);
	}
	sqlite3_reset(st);
	return kv;
}

int sq_exec(struct registry *r, const char *sql, struct mlc_error *err)
{
	return sql_exec(DB(r), PATH(r), sql, err);
}

int sq_step_done(struct registry *r, sqlite3_stmt *st, int rc, struct mlc_error *err)
{
	return sql_step_done(DB(r), PATH(r), st, rc, err);
}

/* ---- opening ------------------------------------------------------------ */

enum file_kind {
	FILE_MISSING,
	FILE_EMPTY, /* no bytes: not yet created */
	FILE_BLANK, /* SQLite with no schema at all (an older mlconsole killed creating it) */
	FILE_OURS,
	FILE_FOREIGN_SQLITE,
	FILE_NOT_SQLITE,
	FILE_NOT_REGULAR,
	FILE_UNREADABLE
};

/* Classify a SQLite file by what SQLite reads, -wal included (a commit may not
 * have reached the main file yet): ours by application_id, blank with no schema,
 * else foreign. When SQLite cannot open it here (a WAL file we may not read
 * without its -shm, say), the header's verdict (fallback) stands. */
static enum file_kind classify_sqlite(const char *path, enum file_kind fallback)
{
	static const char sql[] = "SELECT (SELECT application_id FROM pragma_application_id),"
				  " (SELECT user_version FROM pragma_user_version),"
				  " (SELECT count(*) FROM sqlite_master)";
	enum file_kind kind = fallback;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_int(st, 0) == MLC_APPLICATION_ID)
			kind = FILE_OURS;
		else if (sqlite3_column_int(st, 0) == 0 && sqlite3_column_int(st, 1) == 0 &&
			 sqlite3_column_int(st, 2) == 0)
			kind = FILE_BLANK;
		else
			kind = FILE_FOREIGN_SQLITE;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return kind;
}

/* Classify path: stat first (a FIFO is never opened), then its SQLite header
 * (application_id at offset 68), asking SQLite when the header is not ours. */
static enum file_kind classify(const char *path, int *saved_errno)
{
	unsigned char hdr[100];
	struct stat sb;
	ssize_t n;
	int fd;

	if (stat(path, &sb) < 0) {
		*saved_errno = errno;
		return errno == ENOENT ? FILE_MISSING : FILE_UNREADABLE;
	}
	if (S_ISDIR(sb.st_mode)) {
		*saved_errno = EISDIR;
		return FILE_UNREADABLE;
	}
	if (!S_ISREG(sb.st_mode))
		return FILE_NOT_REGULAR;
	if (dbfile_is_empty(path))
		return FILE_EMPTY;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*saved_errno = errno;
		return FILE_UNREADABLE;
	}
	n = read(fd, hdr, sizeof hdr);
	close(fd);
	if (sb.st_size == 0) /* empty, but a -wal holds its pages */
		return classify_sqlite(path, FILE_FOREIGN_SQLITE);
	if (n < (ssize_t)sizeof hdr || memcmp(hdr, "SQLite format 3", 16) != 0)
		return FILE_NOT_SQLITE;
	uint32_t app =
	    (uint32_t)hdr[68] << 24 | (uint32_t)hdr[69] << 16 | (uint32_t)hdr[70] << 8 | hdr[71];
	return app == MLC_APPLICATION_ID ? FILE_OURS : classify_sqlite(path, FILE_FOREIGN_SQLITE);
}

/* 1 if db has a table named name. */
static int has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* 1 if path is MLflow's own SQL store: alembic_version beside experiments and
 * registered_models (looked at read-only). */
static int is_mlflow_store(const char *path)
{
	sqlite3 *db = NULL;
	int yes = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
		yes = has_table(db, "alembic_version") && has_table(db, "experiments") &&
		      has_table(db, "registered_models");
	sqlite3_close(db);
	return yes;
}

/* Explain why a foreign SQLite file is refused (never written). */
static void refuse_foreign(const char *path, struct mlc_error *err)
{
	sqlite3 *db = NULL;
	int tables = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) ==
		    SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW)
				tables = sqlite3_column_int(st, 0);
			sqlite3_finalize(st);
		}
	}
	sqlite3_close(db);
	if (tables < 0)
		mlc_error_set(err, MLC_ERR_CORRUPT, "%s: corrupt or unreadable SQLite database", path);
	else
		mlc_error_set(err, MLC_ERR_FAILED,
			      "%s: a SQLite database that is not an mlconsole registry; refusing to "
			      "read or change it",
			      path);
}

/* Create the parent directories of path (for the default registry location). */
static void make_parents(const char *path)
{
	char *dir = xstrdup(path);

	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	free(dir);
}

/* Configure a freshly opened connection and migrate when allowed. */
static int setup_connection(sqlite3 *db, const char *path, int writable, struct mlc_error *err)
{
	sqlite3_stmt *st;
	int rc;

	sqlite3_busy_timeout(db, 5000);
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	filter_register_sql(db);
	if (writable)
		dbfile_keep_wal(db); /* so readers who may not write can open it */
	/* Touch the schema now so a corrupt file is reported at open, not mid-draw. */
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) !=
	    SQLITE_OK)
		return mlc_error_set(err, MLC_ERR_CORRUPT, "%s: %s", path, sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return mlc_error_set(err, MLC_ERR_CORRUPT, "%s: %s", path, sqlite3_errmsg(db));
	if (writable) {
		if (sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
			return mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path,
					     sqlite3_errmsg(db));
		return schema_migrate(db, path, err);
	}
	/* Read-only: the file must already be at a schema version this build reads. */
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return mlc_error_set(err, MLC_ERR_CORRUPT, "%s: %s", path, sqlite3_errmsg(db));
	rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (rc < MLC_SCHEMA_READABLE || rc > MLC_SCHEMA_VERSION)
		return mlc_error_set(
		    err, MLC_ERR_FAILED,
		    "%s: schema version %d needs migrating to %d, which a read-only "
		    "open cannot do",
		    path, rc, MLC_SCHEMA_VERSION);
	return 0;
}

/* Build a new, empty registry in tmp (WAL, closed, so the file is whole). */
static int build_registry(const char *tmp, const char *path, struct mlc_error *err)
{
	sqlite3 *db = NULL;
	int rc = -1;

	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, sqlite3_errmsg(db));
	else if (schema_migrate(db, path, err) == 0) {
		rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) == SQLITE_OK
			 ? 0
			 : -1;
		if (rc < 0)
			mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, sqlite3_errmsg(db));
	}
	if (sqlite3_close(db) != SQLITE_OK && rc == 0)
		rc = mlc_error_set(err, MLC_ERR_FAILED, "%s: cannot close %s", path, tmp);
	return rc;
}

/* Make a registry at path, missing or an empty file, in one step (dbfile.c):
 * 0 made, 1 another process made it first, -1 with err. */
static int create_registry(const char *path, struct mlc_error *err)
{
	struct dbfile_tmp t;
	int rc;

	make_parents(path);
	if (dbfile_tmp_open(&t, path, err) < 0)
		return -1;
	rc = build_registry(t.name, path, err);
	if (rc == 0)
		rc = dbfile_tmp_install(&t, path, 0, err);
	dbfile_tmp_discard(&t);
	return rc;
}

/* 1 if file exists and we may write it. */
static int writable_file(const char *file)
{
	struct stat st;

	return stat(file, &st) == 0 && (st.st_mode & 0222) && access(file, W_OK) == 0;
}

/* Why we may not write the registry at path, into why[len] ("" when we may):
 * the caller's read_only, a file without write bits (root passes access()),
 * a file not ours to write, or a directory where SQLite cannot make the -wal
 * and -shm it needs. */
static void read_only_reason(const char *path, const struct registry_open_opts *opts, char *why,
			     size_t len)
{
	struct stat st;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);

	*why = '\0';
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	if (opts->read_only)
		snprintf(why, len, "%s",
			 opts->read_only_why ? opts->read_only_why : "opened read-only");
	else if (stat(path, &st) == 0 && !(st.st_mode & 0222))
		snprintf(why, len, "%s has no write permission (mode %04o)", path,
			 (unsigned)(st.st_mode & 07777));
	else if (access(path, W_OK) < 0)
		snprintf(why, len, "%s is not writable by you", path);
	else if (access(slash ? dir : ".", W_OK | X_OK) < 0 &&
		 !(writable_file(wal) && writable_file(shm)))
		snprintf(why, len, "%s is not writable by you", slash ? dir : ".");
	free(wal);
	free(shm);
	free(dir);
}

/* After a read-only open failed: say so plainly when SQLite needed a -shm it
 * may not create (a WAL registry whose writer did not leave its -wal and -shm). */
static void explain_read_only_failure(sqlite3 *db, const char *path, struct mlc_error *err)
{
	int rc = sqlite3_errcode(db);
	char *shm = xasprintf("%s-shm", path);

	if ((rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN) && access(shm, F_OK) < 0)
		mlc_error_set(
		    err, MLC_ERR_FAILED,
		    "%s: read-only, and SQLite cannot read this WAL registry without %s and "
		    "%s-wal, which you may not create (opened once by someone who may write "
		    "it, mlconsole leaves them for readers)",
		    path, shm, path);
	free(shm);
}

static const struct registry_ops sqlite_ops;

/* Classify path, first creating it when it is missing or empty and allowed. */
static enum file_kind prepare_file(const char *path, const struct registry_open_opts *opts, int *e,
				   struct mlc_error *err)
{
	enum file_kind kind = classify(path, e);

	for (int tries = 0; tries < 3 && opts->create && !opts->read_only; tries++) {
		if (kind != FILE_MISSING && kind != FILE_EMPTY)
			break;
		if (create_registry(path, err) < 0) {
			*e = 0; /* err says why */
			return FILE_UNREADABLE;
		}
		audit_head_forget(path); /* a new log: a head seen of an earlier file is moot */
		kind = classify(path, e);
	}
	return kind;
}

/* Refuse what is not (yet) a registry of ours; 0 when kind can be opened. */
static int refuse_kind(const char *path, enum file_kind kind, int e,
		       const struct registry_open_opts *opts, struct mlc_error *err)
{
	switch (kind) {
	case FILE_MISSING:
		return mlc_error_set(
		    err, MLC_ERR_NOTFOUND,
		    "%s: no such registry (make one with 'mlconsole demo create %s')", path, path);
	case FILE_UNREADABLE:
		return e ? mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, strerror(e)) : -1;
	case FILE_NOT_REGULAR:
		return mlc_error_set(err, MLC_ERR_FAILED, "%s: not a regular file", path);
	case FILE_NOT_SQLITE:
		return mlc_error_set(err, MLC_ERR_CORRUPT,
				     "%s: not a SQLite database (corrupt or another kind of file)",
				     path);
	case FILE_FOREIGN_SQLITE:
		refuse_foreign(path, err);
		return -1;
	case FILE_EMPTY:
		return mlc_error_set(err, MLC_ERR_FAILED, "%s: empty file, not a registry", path);
	case FILE_BLANK:
		if (opts->create && !opts->read_only)
			return 0; /* migrated in place, in one transaction */
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s: an empty SQLite database, not yet a registry", path);
	case FILE_OURS:
		break;
	}
	return 0;
}

struct registry *registry_sqlite_open(const char *path, const struct registry_open_opts *opts,
				      struct mlc_error *err)
{
	int e = 0, writable;
	enum file_kind kind = prepare_file(path, opts, &e, err);
	char why[PATH_MAX + 128];
	sqlite3 *db = NULL;
	struct registry *r;
	struct sqlite_impl *impl;

	if (kind == FILE_FOREIGN_SQLITE && is_mlflow_store(path))
		return registry_mlflowsql_open(path, opts, err);
	if (refuse_kind(path, kind, e, opts, err) < 0)
		return NULL;
	read_only_reason(path, opts, why, sizeof why);
	writable = why[0] == '\0';
	if (writable)
		dbfile_sweep(path); /* temporary files of killed creations */
	if (sqlite3_open_v2(path, &db,
			    (writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) |
				SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path,
			      db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	if (setup_connection(db, path, writable, err) < 0) {
		if (!writable)
			explain_read_only_failure(db, path, err);
		sqlite3_close(db);
		return NULL;
	}
	impl = xcalloc(1, sizeof *impl);
	impl->db = db;
	impl->path = xstrdup(path);
	impl->no_inputs = !writable && !has_table(db, "run_inputs");
	impl->no_gates = !writable && !has_table(db, "environment_gates");
	impl->now_ms = opts ? opts->now_ms : 0;
	r = xcalloc(1, sizeof *r);
	r->ops = &sqlite_ops;
	r->uri = xasprintf("sqlite:%s", path);
	r->display = xstrdup(path);
	r->read_only = !writable;
	r->read_only_why = writable ? NULL : xstrdup(why);
	r->caps = REG_CAP_DEPLOY | REG_CAP_DRIFT | REG_CAP_AUDIT | REG_CAP_WINDOW | REG_CAP_LOCAL |
		  (writable ? REG_CAP_WRITE : 0);
	r->impl = impl;
	return r;
}

/* Close the database and free the backend state. */
static void sqlite_close(struct registry *r)
{
	struct sqlite_impl *impl = r->impl;

	if (!r->read_only && sqlite3_total_changes(impl->db) > 0)
		audit_head_advance(impl->db, impl->path); /* this console wrote: it has seen the log */
	sqlite3_close(impl->db);
	free(impl->path);
	free(impl);
}

/* Walk the audit log's hash chain and the head this console remembers. */
static int sqlite_audit_verify(struct registry *r, struct mlc_audit_check *out, struct mlc_error *err)
{
	return audit_verify(DB(r), PATH(r), out, err);
}

/* ---- models ------------------------------------------------------------- */

/* Find the model with database id in models[0..n) by linear scan of ids. */
static struct mlc_model *model_by_id(struct mlc_model *models, const int64_t *ids, size_t n,
				     int64_t id)
{
	size_t lo = 0, hi = n;

	/* ids are sorted ascending (see load_models). */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ids[mid] == id)
			return &models[mid];
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Attach aliases and tags to each model (two queries for all models; rows come
 * grouped by model, so each model's array grows while its rows last). */
static int attach_model_extras(struct registry *r, struct mlc_model_list *out, const int64_t *ids,
			       struct mlc_error *err)
{
	struct mlc_model *last = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	st = sq_prep(r, "SELECT model_id, alias, version FROM model_aliases ORDER BY model_id, alias", err);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_model *m = model_by_id(out->items, ids, out->n, sqlite3_column_int64(st, 0));
		if (m == NULL)
			continue;
		if (m != last)
			last = m, cap = 0;
		struct mlc_alias *a = arena_grow(&out->arena, (void **)&m->aliases, &cap, m->n_aliases,
						 sizeof *a);
		a->alias = sq_col_str(&out->arena, st, 1);
		a->version = sq_col_str(&out->arena, st, 2);
		m->n_aliases++;
	}
	if (sq_step_done(r, st, rc, err) < 0)
		return -1;
	st = sq_prep(r, "SELECT model_id, key, value FROM model_tags ORDER BY model_id, key", err);
	if (st == NULL)
		return -1;
	last = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_model *m = model_by_id(out->items, ids, out->n, sqlite3_column_int64(st, 0));
		if (m == NULL)
			continue;
		if (m != last)
			last = m, cap = 0;
		struct mlc_kv *kv = arena_grow(&out->arena, (void **)&m->tags, &cap, m->n_tags, sizeof *kv);
		kv->key = sq_col_str(&out->arena, st, 1);
		kv->value = sq_col_str(&out->arena, st, 2);
		m->n_tags++;
	}
	return sq_step_done(r, st, rc, err);
}

/* Sort helper: models by database id, carrying the ids array along. */
struct model_id_pair {
	int64_t id;
	struct mlc_model m;
};

static int cmp_pair_id(const void *a, const void *b)
{
	int64_t x = ((const struct model_id_pair *)a)->id, y = ((const struct model_id_pair *)b)->id;
	return (x > y) - (x < y);
}

static int cmp_model_name(const void *a, const void *b)
{
	return strcmp(((const struct mlc_model *)a)->name, ((const struct mlc_model *)b)->name);
}

/* List registered models matching filter (MLflow syntax), by name. */
static int sqlite_list_models(struct registry *r, const char *filter, struct mlc_model_list *out,
			      struct mlc_error *err)
{
	struct strbuf sql = {0};
	struct sql_args args = {0};
	struct filter *f = filter_parse(filter, FILTER_MODELS, err);
	struct model_id_pair *pairs = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0, cap = 0;
	int rc, ret = -1;

	if (f == NULL)
		return -1;
	sb_add(&sql, "SELECT m.id, m.name, m.description, m.creation_time, m.last_updated_time,"
		     " (SELECT count(*) FROM model_versions v WHERE v.model_id = m.id),"
		     " (SELECT max(version) FROM model_versions v WHERE v.model_id = m.id)"
		     " FROM registered_models m WHERE ");
	if (filter_to_sql(f, FILTER_MODELS, &sql, &args, err) < 0)
		goto out;
	sb_add(&sql, " ORDER BY m.id");
	if ((st = sq_prep(r, sb_str(&sql), err)) == NULL || sql_args_bind(st, &args, 1) != 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			pairs = xrealloc(pairs, cap * sizeof *pairs);
		}
		struct model_id_pair *p = &pairs[n++];
		memset(p, 0, sizeof *p);
		p->id = sqlite3_column_int64(st, 0);
		p->m.name = sq_col_str(&out->arena, st, 1);
		p->m.description = sq_col_str(&out->arena, st, 2);
		p->m.creation_time = sqlite3_column_int64(st, 3);
		p->m.last_updated_time = sqlite3_column_int64(st, 4);
		p->m.n_versions = sqlite3_column_int64(st, 5);
		p->m.latest_version = sq_col_str(&out->arena, st, 6);
	}
	if (sq_step_done(r, st, rc, err) < 0) {
		st = NULL;
		goto out;
	}
	st = NULL;
	if (n > 1) /* pairs is NULL when nothing matched, which qsort must not get */
		qsort(pairs, n, sizeof *pairs, cmp_pair_id);
	int64_t *ids = arena_alloc(&out->arena, (n ? n : 1) * sizeof *ids);
	for (size_t i = 0; i < n; i++) {
		*MLC_LIST_PUSH(out) = pairs[i].m;
		ids[i] = pairs[i].id;
	}
	if (attach_model_extras(r, out, ids, err) < 0)
		goto out;
	if (out->n > 1)
		qsort(out->items, out->n, sizeof *out->items, cmp_model_name);
	ret = 0;
out:
	if (st)
		sqlite3_finalize(st);
	free(pairs);
	sb_free(&sql);
	sql_args_free(&args);
	filter_free(f);
	return ret;
}

/* ---- versions ----------------------------------------------------------- */

/* Database id of model name, 0 when missing (err filled), -1 on error. */
int64_t sq_model_id(struct registry *r, const char *name, struct mlc_error *err)
{
	int64_t id = 0;
	int rc = sql_int(DB(r), PATH(r), &id, err,
			 "SELECT id FROM registered_models WHERE name = ?", "s", name);

	if (rc < 0)
		return -1;
	if (rc == 0)
		mlc_error_set(err, MLC_ERR_NOTFOUND, "model '%s': not found in %s", name, PATH(r));
	return rc ? id : 0;
}

#define VERSION_SELECT                                                                         \
	"SELECT v.id, v.version, v.source, coalesce(v.run_uuid,''), v.status, v.stage,"        \
	" v.description, v.user_id, v.creation_time, v.last_updated_time, m.name, v.model_id" \
	" FROM model_versions v JOIN registered_models m ON m.id = v.model_id "

/* Read the rows of st (VERSION_SELECT) into out with their aliases and tags. */
static int collect_versions(struct registry *r, sqlite3_stmt *st, struct mlc_version_list *out,
			    struct mlc_error *err)
{
	sqlite3_stmt *al, *tg;
	int rc;

	al = sq_prep(r, "SELECT alias FROM model_aliases WHERE model_id = ? AND version = ? ORDER BY alias", err);
	tg = sq_prep(r, "SELECT key, value FROM version_tags WHERE version_id = ? ORDER BY key", err);
	if (al == NULL || tg == NULL) {
		sqlite3_finalize(st);
		sqlite3_finalize(al);
		sqlite3_finalize(tg);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_version *v = MLC_LIST_PUSH(out);
		size_t cap = 0;
		v->version = sq_col_str(&out->arena, st, 1);
		v->source = sq_col_str(&out->arena, st, 2);
		v->run_id = sq_col_str(&out->arena, st, 3);
		v->status = sq_col_str(&out->arena, st, 4);
		v->stage = sq_col_str(&out->arena, st, 5);
		v->description = sq_col_str(&out->arena, st, 6);
		v->user_id = sq_col_str(&out->arena, st, 7);
		v->creation_time = sqlite3_column_int64(st, 8);
		v->last_updated_time = sqlite3_column_int64(st, 9);
		v->model = sq_col_str(&out->arena, st, 10);
		sqlite3_bind_int64(al, 1, sqlite3_column_int64(st, 11));
		sqlite3_bind_int64(al, 2, sqlite3_column_int64(st, 1));
		while (sqlite3_step(al) == SQLITE_ROW)
			*(const char **)arena_grow(&out->arena, (void **)&v->aliases, &cap, v->n_aliases++,
						   sizeof(char *)) = sq_col_str(&out->arena, al, 0);
		sqlite3_reset(al);
		v->tags = load_kv(&out->arena, tg, sqlite3_column_int64(st, 0), &v->n_tags);
	}
	sqlite3_finalize(al);
	sqlite3_finalize(tg);
	return sq_step_done(r, st, rc, err);
}

/* Versions of a model, highest first, with their aliases and tags. */
static int sqlite_list_versions(struct registry *r, const char *model, struct mlc_version_list *out,
				struct mlc_error *err)
{
	int64_t mid = sq_model_id(r, model, err);
	sqlite3_stmt *st;

	if (mid <= 0)
		return -1;
	st = sq_prep(r, VERSION_SELECT "WHERE v.model_id = ? ORDER BY v.version DESC", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mid);
	return collect_versions(r, st, out, err);
}

/* ---- experiments -------------------------------------------------------- */

/* Experiments by name (all, or only the one with database id eid), with their
 * run counts and last activity. */
static int query_experiments(struct registry *r, int all, int64_t eid,
			     struct mlc_experiment_list *out, struct mlc_error *err)
{
	sqlite3_stmt *st, *tg;
	int rc;

	st = sq_prep(r, "SELECT e.id, e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage,"
		     " e.creation_time, max(e.last_update_time, coalesce((SELECT max(start_time)"
		     " FROM runs r WHERE r.experiment_id = e.id AND r.lifecycle_stage = 'active'), 0),"
		     " coalesce((SELECT max(start_time) FROM runs r WHERE r.experiment_id = e.id"
		     " AND r.lifecycle_stage = 'deleted'), 0)),"
		     " (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id"
		     "  AND r.lifecycle_stage = 'active') + CASE WHEN ?1 THEN (SELECT count(*)"
		     "  FROM runs r WHERE r.experiment_id = e.id AND r.lifecycle_stage = 'deleted')"
		     "  ELSE 0 END"
		     " FROM experiments e WHERE (?1 OR e.lifecycle_stage = 'active')"
		     " AND (?2 = 0 OR e.id = ?2) ORDER BY e.name", err);
	tg = sq_prep(r, "SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key", err);
	if (st == NULL || tg == NULL) {
		sqlite3_finalize(st);
		sqlite3_finalize(tg);
		return -1;
	}
	sqlite3_bind_int(st, 1, all ? 1 : 0);
	sqlite3_bind_int64(st, 2, eid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_experiment *e = MLC_LIST_PUSH(out);
		e->experiment_id = sq_col_str(&out->arena, st, 1);
		e->name = sq_col_str(&out->arena, st, 2);
		e->artifact_location = sq_col_str(&out->arena, st, 3);
		e->lifecycle_stage = sq_col_str(&out->arena, st, 4);
		e->creation_time = sqlite3_column_int64(st, 5);
		e->last_update_time = sqlite3_column_int64(st, 6);
		e->run_count = sqlite3_column_int64(st, 7);
		e->tags = load_kv(&out->arena, tg, sqlite3_column_int64(st, 0), &e->n_tags);
	}
	sqlite3_finalize(tg);
	return sq_step_done(r, st, rc, err);
}

static int sqlite_list_experiments(struct registry *r, int all, struct mlc_experiment_list *out,
				   struct mlc_error *err)
{
	return query_experiments(r, all, 0, out, err);
}

/* One experiment by id or name, deleted or not. */
static int sqlite_get_experiment(struct registry *r, const char *ref, struct mlc_experiment_list *out,
				 struct mlc_error *err)
{
	int64_t eid = sq_experiment_ref(r, ref, err);

	return eid <= 0 ? -1 : query_experiments(r, 1, eid, out, err);
}

/* Database id of experiment ref (an existing id wins, then the active name). */
int64_t sq_experiment_ref(struct registry *r, const char *ref, struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r, "SELECT id FROM experiments WHERE experiment_id = ?1"
				   " UNION ALL SELECT id FROM (SELECT id FROM experiments WHERE name = ?1"
				   " ORDER BY lifecycle_stage = 'active' DESC) LIMIT 1", err);
	int64_t id = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (id == 0)
		mlc_error_set(err, MLC_ERR_NOTFOUND, "experiment '%s': not found in %s", ref, PATH(r));
	return id;
}

/* ---- runs --------------------------------------------------------------- */

/* Prepared statements that fill in one run's params, tags and latest metrics. */
struct run_loader {
	sqlite3_stmt *params, *tags, *metrics;
};

static int loader_open(struct registry *r, struct run_loader *l, struct mlc_error *err)
{
	l->params = sq_prep(r, "SELECT key, value FROM params WHERE run_id = ? ORDER BY key", err);
	l->tags = sq_prep(r, "SELECT key, value FROM run_tags WHERE run_id = ? ORDER BY key", err);
	l->metrics = sq_prep(r, "SELECT mk.key, lm.value, lm.is_nan, lm.timestamp, lm.step"
			     " FROM latest_metrics lm JOIN metric_keys mk ON mk.id = lm.key_id"
			     " WHERE lm.run_id = ? ORDER BY mk.key", err);
	return l->params && l->tags && l->metrics ? 0 : -1;
}

static void loader_close(struct run_loader *l)
{
	sqlite3_finalize(l->params);
	sqlite3_finalize(l->tags);
	sqlite3_finalize(l->metrics);
}

/* Fill run's params, tags and latest metrics. */
static void load_run_data(struct mlc_arena *a, struct run_loader *l, int64_t id, struct mlc_run *run)
{
	size_t cap = 0;

	run->params = load_kv(a, l->params, id, &run->n_params);
	run->tags = load_kv(a, l->tags, id, &run->n_tags);
	sqlite3_bind_int64(l->metrics, 1, id);
	while (sqlite3_step(l->metrics) == SQLITE_ROW) {
		struct mlc_metric *m = arena_grow(a, (void **)&run->metrics, &cap, run->n_metrics++,
						  sizeof *m);
		m->key = sq_col_str(a, l->metrics, 0);
		m->value = sqlite3_column_int(l->metrics, 2) ? NAN : sqlite3_column_double(l->metrics, 1);
		m->timestamp = sqlite3_column_int64(l->metrics, 3);
		m->step = sqlite3_column_int64(l->metrics, 4);
	}
	sqlite3_reset(l->metrics);
}

int sq_collect_runs(struct registry *r, sqlite3_stmt *st, struct mlc_run_list *out,
		    int64_t **ids, size_t *idcap, struct mlc_error *err)
{
	struct run_loader l = {0};
	int rc;

	if (ids == NULL && loader_open(r, &l, err) < 0) {
		loader_close(&l);
		sqlite3_finalize(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_run *run = MLC_LIST_PUSH(out);
		run->run_id = sq_col_str(&out->arena, st, 1);
		run->run_name = sq_col_str(&out->arena, st, 2);
		run->experiment_id = sq_col_str(&out->arena, st, 3);
		run->user_id = sq_col_str(&out->arena, st, 4);
		run->status = sq_col_str(&out->arena, st, 5);
		run->artifact_uri = sq_col_str(&out->arena, st, 6);
		run->lifecycle_stage = sq_col_str(&out->arena, st, 7);
		run->start_time = sqlite3_column_int64(st, 8);
		run->end_time = sqlite3_column_int64(st, 9);
		if (ids == NULL) {
			load_run_data(&out->arena, &l, sqlite3_column_int64(st, 0), run);
			continue;
		}
		if (out->n > *idcap) {
			*idcap = *idcap ? *idcap * 2 : 1024;
			*ids = xrealloc(*ids, *idcap * sizeof **ids);
		}
		(*ids)[out->n - 1] = sqlite3_column_int64(st, 0);
	}
	loader_close(&l);
	return sq_step_done(r, st, rc, err);
}

/* A run's position in the list, found by database id. */
struct id_index {
	int64_t id;
	size_t index;
};

static int cmp_id_index(const void *a, const void *b)
{
	int64_t x = ((const struct id_index *)a)->id, y = ((const struct id_index *)b)->id;
	return (x > y) - (x < y);
}

/* The run whose database id is id, or NULL. */
static struct mlc_run *run_by_id(struct mlc_run_list *l, const struct id_index *map, int64_t id)
{
	struct id_index key = {.id = id};
	const struct id_index *hit = bsearch(&key, map, l->n, sizeof *map, cmp_id_index);
	return hit ? &l->items[hit->index] : NULL;
}

/* Load one column's values for every run of experiment eid in out. */
static int load_column(struct registry *r, int64_t eid, struct mlc_run_list *out,
		       const struct id_index *map, char kind, const char *key, struct mlc_error *err)
{
	static const char *const sql[] = {
		"SELECT lm.run_id, lm.value, lm.is_nan, lm.timestamp, lm.step FROM latest_metrics lm"
		" JOIN runs r ON r.id = lm.run_id WHERE r.experiment_id = ?2"
		" AND lm.key_id = (SELECT id FROM metric_keys WHERE key = ?1)",
		"SELECT p.run_id, p.value FROM params p JOIN runs r ON r.id = p.run_id"
		" WHERE p.key = ?1 AND r.experiment_id = ?2",
		"SELECT t.run_id, t.value FROM run_tags t JOIN runs r ON r.id = t.run_id"
		" WHERE t.key = ?1 AND r.experiment_id = ?2",
	};
	sqlite3_stmt *st = sq_prep(r, sql[kind == 'm' ? 0 : kind == 'p' ? 1 : 2], err);
	const char *k = arena_strdup(&out->arena, key);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, eid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_run *run = run_by_id(out, map, sqlite3_column_int64(st, 0));
		if (run == NULL)
			continue; /* filtered out, deleted, or past the limit */
		if (kind == 'm') {
			struct mlc_metric *m = &run->metrics[run->n_metrics++];
			m->key = k;
			m->value = sqlite3_column_int(st, 2) ? NAN : sqlite3_column_double(st, 1);
			m->timestamp = sqlite3_column_int64(st, 3);
			m->step = sqlite3_column_int64(st, 4);
		} else {
			struct mlc_kv *kv = kind == 'p' ? &run->params[run->n_params++] : &run->tags[run->n_tags++];
			kv->key = k;
			kv->value = sq_col_str(&out->arena, st, 1);
		}
	}
	return sq_step_done(r, st, rc, err);
}

/* Load one column's values for the runs in out only, one indexed look-up per
 * run (ids[i] is out->items[i]'s database id): for a page of a large experiment. */
static int load_column_rows(struct registry *r, struct mlc_run_list *out, const int64_t *ids,
			    char kind, const char *key, struct mlc_error *err)
{
	static const char *const sql[] = {
	    "SELECT lm.value, lm.is_nan, lm.timestamp, lm.step FROM latest_metrics lm"
	    " WHERE lm.run_id = ?2 AND lm.key_id = (SELECT id FROM metric_keys WHERE key = ?1)",
	    "SELECT value FROM params WHERE run_id = ?2 AND key = ?1",
	    "SELECT value FROM run_tags WHERE run_id = ?2 AND key = ?1",
	};
	sqlite3_stmt *st = sq_prep(r, sql[kind == 'm' ? 0 : kind == 'p' ? 1 : 2], err);
	const char *k = arena_strdup(&out->arena, key);
	int rc = SQLITE_DONE;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	for (size_t i = 0; i < out->n && (rc == SQLITE_DONE || rc == SQLITE_ROW); i++) {
		struct mlc_run *run = &out->items[i];

		sqlite3_bind_int64(st, 2, ids[i]);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (kind == 'm') {
				struct mlc_metric *m = &run->metrics[run->n_metrics++];
				m->key = k;
				m->value =
				    sqlite3_column_int(st, 1) ? NAN : sqlite3_column_double(st, 0);
				m->timestamp = sqlite3_column_int64(st, 2);
				m->step = sqlite3_column_int64(st, 3);
			} else {
				struct mlc_kv *kv = kind == 'p' ? &run->params[run->n_params++]
								: &run->tags[run->n_tags++];
				kv->key = k;
				kv->value = sq_col_str(&out->arena, st, 0);
			}
		}
		sqlite3_reset(st);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_step_done(r, st, rc, err);
	sqlite3_finalize(st);
	return 0;
}

/* Lean loading: only the values q->columns names, one query per column: over
 * the whole experiment when every run is listed, by run when a limit is set. */
static int load_columns(struct registry *r, int64_t eid, const struct mlc_run_query *q,
			struct mlc_run_list *out, const int64_t *ids, struct mlc_error *err)
{
	size_t count[3] = {0, 0, 0};
	struct id_index *map = xmalloc((out->n ? out->n : 1) * sizeof *map);
	const char *key;
	int ret = 0;

	for (size_t c = 0; c < q->n_columns; c++) {
		char kind = mlc_column_kind(q->columns[c], &key);
		if (kind)
			count[kind == 'm' ? 0 : kind == 'p' ? 1 : 2]++;
	}
	for (size_t i = 0; i < out->n; i++) {
		struct mlc_run *run = &out->items[i];
		run->metrics = arena_alloc(&out->arena, (count[0] + 1) * sizeof *run->metrics);
		run->params = arena_alloc(&out->arena, (count[1] + 1) * sizeof *run->params);
		run->tags = arena_alloc(&out->arena, (count[2] + 1) * sizeof *run->tags);
		map[i].id = ids[i];
		map[i].index = i;
	}
	qsort(map, out->n, sizeof *map, cmp_id_index);
	for (size_t c = 0; c < q->n_columns && ret == 0; c++) {
		char kind = mlc_column_kind(q->columns[c], &key);
		if (kind && q->limit > 0)
			ret = load_column_rows(r, out, ids, kind, key, err);
		else if (kind)
			ret = load_column(r, eid, out, map, kind, key, err);
	}
	free(map);
	return ret;
}

/* Lean loading of a tree (q->tree): q's columns and each run's parent tag. */
static int load_tree_columns(struct registry *r, int64_t eid, const struct mlc_run_query *q,
			     struct mlc_run_list *out, const int64_t *ids, struct mlc_error *err)
{
	const char **cols = xmalloc((q->n_columns + 1) * sizeof *cols);
	struct mlc_run_query tq = *q;
	size_t n = 0;
	int ret;

	for (size_t c = 0; c < q->n_columns; c++)
		if (strcmp(q->columns[c], "tags." MLC_TAG_PARENT) != 0)
			cols[n++] = q->columns[c];
	cols[n++] = "tags." MLC_TAG_PARENT;
	tq.columns = cols;
	tq.n_columns = n;
	ret = load_columns(r, eid, &tq, out, ids, err);
	free(cols);
	return ret;
}

/* Prepare the runs of experiment eid matching f (args fargs) in order o (args
 * oargs) after lead, at most limit of them (0: all). from names the tables (runs
 * r and experiments e among them); extra, appended to the WHERE, has one ? bound
 * to key when key is set. */
static sqlite3_stmt *runs_stmt(struct registry *r, int64_t eid, int all, const struct filter *f,
			       const char *from, const char *extra, const char *key,
			       const char *lead, const struct order_list *o, int64_t limit,
			       struct mlc_error *err)
{
	struct strbuf sql = {0};
	struct sql_args fargs = {0}, oargs = {0};
	sqlite3_stmt *st = NULL;
	int next;

	sb_printf(&sql,
		  "SELECT " RUN_COLUMNS " FROM %s WHERE r.experiment_id = ?"
		  " AND (? OR r.lifecycle_stage = 'active') AND (",
		  from);
	if (filter_to_sql(f, FILTER_RUNS, &sql, &fargs, err) < 0)
		goto out;
	sb_printf(&sql, ")%s ORDER BY %s", extra, lead);
	if (order_to_sql(o, FILTER_RUNS, &sql, &oargs, err) < 0)
		goto out;
	if (limit > 0)
		sb_printf(&sql, " LIMIT %lld", (long long)limit);
	if ((st = sq_prep(r, sb_str(&sql), err)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, eid);
	sqlite3_bind_int(st, 2, all ? 1 : 0);
	next = 3 + (int)fargs.n;
	if (sql_args_bind(st, &fargs, 3) != 0 ||
	    (key && sqlite3_bind_text(st, next++, key, -1, SQLITE_TRANSIENT) != SQLITE_OK) ||
	    sql_args_bind(st, &oargs, next) != 0) {
		sq_error(r, err);
		sqlite3_finalize(st);
		st = NULL;
	}
out:
	sb_free(&sql);
	sql_args_free(&fargs);
	sql_args_free(&oargs);
	return st;
}

/* The tables for the first walk (the runs with a value, alias v), its extra
 * condition, and the second's (runs without one): for metrics, NaN counts as none. */
static const char *const walk_sql[2][3] = {
    {"latest_metrics v CROSS JOIN runs r ON r.id = v.run_id"
     " JOIN experiments e ON e.id = r.experiment_id",
     " AND v.key_id = (SELECT id FROM metric_keys WHERE key = ?) AND v.is_nan = 0",
     " AND NOT EXISTS (SELECT 1 FROM latest_metrics v WHERE v.run_id = r.id"
     " AND v.key_id = (SELECT id FROM metric_keys WHERE key = ?) AND v.is_nan = 0)"},
    {"params v CROSS JOIN runs r ON r.id = v.run_id JOIN experiments e ON e.id = r.experiment_id",
     " AND v.key = ?",
     " AND NOT EXISTS (SELECT 1 FROM params v WHERE v.run_id = r.id AND v.key = ?)"},
};

/* The first q->limit runs when q's first order key is a metric or a param, in
 * two index walks instead of one sort of every run: the runs with a value by
 * ix_latest_key_value (or ix_params_key) in the key's direction, then, if the
 * page is not full, the runs without one (missing, or a NaN metric), as the full
 * ORDER BY places them (last, in the order of the remaining keys). Appends to
 * out (and *ids when lean). */
static int list_runs_walk(struct registry *r, int64_t eid, const struct mlc_run_query *q,
			  const struct filter *f, const struct order_list *order,
			  struct mlc_run_list *out, int64_t **ids, size_t *idcap,
			  struct mlc_error *err)
{
	const struct order_list rest = {order->keys + 1, order->n - 1};
	const char *key = order->keys[0].key;
	const char *const *w = walk_sql[order->keys[0].kind == FK_METRIC ? 0 : 1];
	sqlite3_stmt *st;

	st = runs_stmt(r, eid, q->all, f, w[0], w[1], key,
		       order->keys[0].desc ? "v.value DESC, " : "v.value ASC, ", &rest, q->limit,
		       err);
	if (st == NULL || sq_collect_runs(r, st, out, ids, idcap, err) < 0)
		return -1;
	if ((int64_t)out->n >= q->limit)
		return 0;
	st = runs_stmt(r, eid, q->all, f, "runs r JOIN experiments e ON e.id = r.experiment_id",
		       w[2], key, "", &rest, q->limit - (int64_t)out->n, err);
	if (st == NULL)
		return -1;
	return sq_collect_runs(r, st, out, ids, idcap, err);
}

/* Runs of an experiment matching q's filter, in q's order (default newest first). */
static int sqlite_list_runs(struct registry *r, const struct mlc_run_query *q,
			    struct mlc_run_list *out, struct mlc_error *err)
{
	struct order_list order = {0};
	struct filter *f;
	sqlite3_stmt *st;
	int64_t eid = sq_experiment_ref(r, q->experiment, err);
	int64_t *ids = NULL;
	size_t idcap = 0;
	int64_t **idp = q->lean ? &ids : NULL;
	int ret = -1;

	if (eid <= 0)
		return -1;
	if ((f = filter_parse(q->filter, FILTER_RUNS, err)) == NULL)
		return -1;
	if (order_parse(q->order_by, FILTER_RUNS, &order, err) < 0)
		goto out;
	if (q->window) {
		ret = q->limit > 0 ? sq_list_window(r, eid, q, f, out, idp, &idcap, err)
				   : mlc_error_set(err, MLC_ERR_USAGE, "a window needs a limit");
	} else if (q->limit > 0 && order.n > 0 &&
	    (order.keys[0].kind == FK_METRIC || order.keys[0].kind == FK_PARAM)) {
		ret = list_runs_walk(r, eid, q, f, &order, out, idp, &idcap, err);
	} else {
		st = runs_stmt(r, eid, q->all, f,
			       "runs r JOIN experiments e ON e.id = r.experiment_id", "", NULL, "",
			       &order, q->limit, err);
		ret = st ? sq_collect_runs(r, st, out, idp, &idcap, err) : -1;
	}
	if (ret == 0 && q->lean)
		ret = q->tree ? load_tree_columns(r, eid, q, out, ids, err)
			      : load_columns(r, eid, q, out, ids, err);
out:
	free(ids);
	order_free(&order);
	filter_free(f);
	return ret;
}

/* The end of the range of ids starting with prefix p: p with its last byte + 1. */
static char *prefix_end(const char *p)
{
	char *e = xstrdup(p);
	size_t n = strlen(e);

	if (n > 0)
		e[n - 1]++;
	return e;
}

/* One run by id or by a unique prefix of at least 8 characters. */
static int sqlite_get_run(struct registry *r, const char *run_id, struct mlc_run_list *out,
			  struct mlc_error *err)
{
	sqlite3_stmt *st = sq_prep(r, "SELECT " RUN_COLUMNS " FROM runs r JOIN experiments e"
				   " ON e.id = r.experiment_id WHERE r.run_uuid = ?1"
				   " OR (length(?1) >= 8 AND r.run_uuid >= ?1 AND r.run_uuid < ?2)"
				   " ORDER BY r.run_uuid = ?1 DESC LIMIT 2", err);
	char *end = prefix_end(run_id);
	int ret;

	if (st == NULL) {
		free(end);
		return -1;
	}
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, end, -1, SQLITE_TRANSIENT);
	free(end);
	ret = sq_collect_runs(r, st, out, NULL, NULL, err);
	if (ret < 0)
		return -1;
	if (out->n == 0)
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "run '%s': not found in %s", run_id, PATH(r));
	if (out->n > 1 && strcmp(out->items[0].run_id, run_id) != 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "run '%s': ambiguous prefix", run_id);
	out->n = 1;
	return 0;
}

/* A metric's whole history, by step then timestamp. */
static int sqlite_metric_history(struct registry *r, const char *run_id, const char *key,
				 struct mlc_metric_list *out, struct mlc_error *err)
{
	struct mlc_run_list run = {0};
	sqlite3_stmt *st;
	int rc;

	if (sqlite_get_run(r, run_id, &run, err) < 0) {
		MLC_LIST_FREE(&run);
		return -1;
	}
	if (mlc_run_metric(&run.items[0], key) == NULL) {
		mlc_error_set(err, MLC_ERR_NOTFOUND, "metric '%s': not logged by run %s", key,
			      run.items[0].run_id);
		MLC_LIST_FREE(&run);
		return -1;
	}
	st = sq_prep(r, "SELECT m.step, m.timestamp, m.value, m.is_nan FROM metrics m"
		     " JOIN runs r ON r.id = m.run_id JOIN metric_keys mk ON mk.id = m.key_id"
		     " WHERE r.run_uuid = ? AND mk.key = ? ORDER BY m.step, m.timestamp", err);
	if (st == NULL) {
		MLC_LIST_FREE(&run);
		return -1;
	}
	sqlite3_bind_text(st, 1, run.items[0].run_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	MLC_LIST_FREE(&run);
	const char *k = arena_strdup(&out->arena, key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlc_metric *m = MLC_LIST_PUSH(out);
		m->key = k;
		m->step = sqlite3_column_int64(st, 0);
		m->timestamp = sqlite3_column_int64(st, 1);
		m->value = sqlite3_column_int(st, 3) ? NAN : sqlite3_column_double(st, 2);
	}
	return sq_step_done(r, st, rc, err);
}

/* Read the single-column string rows of st into a sorted arena array. */
static int collect_keys(struct registry *r, sqlite3_stmt *st, int64_t eid, int64_t newest,
			struct mlc_arena *a, const char ***out, size_t *n, struct mlc_error *err)
{
	size_t cap = 0;
	int rc;

	sqlite3_bind_int64(st, 1, eid);
	if (newest > 0)
		sqlite3_bind_int64(st, 2, newest);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*(const char **)arena_grow(a, (void **)out, &cap, (*n)++, sizeof(char *)) =
		    sq_col_str(a, st, 0);
	return sq_step_done(r, st, rc, err);
}

/* The runs keys are read from: an experiment's, or only its newest ?2 (-1: all). */
#define KEY_RUNS                                                                               \
	"(SELECT id FROM runs WHERE experiment_id = ?1 AND lifecycle_stage = 'active'"           \
	" ORDER BY start_time DESC LIMIT ?2)"

/* Every metric, param and tag key logged by the runs of an experiment (or by
 * its newest runs only: enough to choose default columns, and quick). */
static int sqlite_experiment_keys(struct registry *r, const char *experiment, int64_t newest,
				  struct mlc_keys *out, struct mlc_error *err)
{
	static const char *const sql_all[] = {
		"SELECT mk.key FROM metric_keys mk WHERE EXISTS (SELECT 1 FROM latest_metrics lm"
		" JOIN runs r ON r.id = lm.run_id WHERE lm.key_id = mk.id AND r.experiment_id = ?1)"
		" ORDER BY mk.key",
		"SELECT DISTINCT p.key FROM runs r JOIN params p ON p.run_id = r.id"
		" WHERE r.experiment_id = ?1 ORDER BY p.key",
		"SELECT DISTINCT t.key FROM runs r JOIN run_tags t ON t.run_id = r.id"
		" WHERE r.experiment_id = ?1 ORDER BY t.key",
	};
	static const char *const sql_newest[] = {
		"SELECT DISTINCT mk.key FROM latest_metrics lm JOIN metric_keys mk ON mk.id = lm.key_id"
		" WHERE lm.run_id IN " KEY_RUNS " ORDER BY mk.key",
		"SELECT DISTINCT key FROM params WHERE run_id IN " KEY_RUNS " ORDER BY key",
		"SELECT DISTINCT key FROM run_tags WHERE run_id IN " KEY_RUNS " ORDER BY key",
	};
	const char *const *sql = newest > 0 ? sql_newest : sql_all;
	const char ***lists[] = {&out->metrics, &out->params, &out->tags};
	size_t *counts[] = {&out->n_metrics, &out->n_params, &out->n_tags};
	int64_t eid = sq_experiment_ref(r, experiment, err);

	if (eid <= 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		sqlite3_stmt *st = sq_prep(r, sql[i], err);
		if (st == NULL ||
		    collect_keys(r, st, eid, newest, &out->arena, lists[i], counts[i], err) < 0)
			return -1;
	}
	return 0;
}

/* Model versions registered from a run (id or unique prefix). */
static int sqlite_versions_for_run(struct registry *r, const char *run_id,
				   struct mlc_version_list *out, struct mlc_error *err)
{
	struct mlc_run_list run = {0};
	sqlite3_stmt *st;

	if (sqlite_get_run(r, run_id, &run, err) < 0) {
		MLC_LIST_FREE(&run);
		return -1;
	}
	st = sq_prep(r, VERSION_SELECT "WHERE v.run_uuid = ? ORDER BY m.name, v.version DESC", err);
	if (st == NULL) {
		MLC_LIST_FREE(&run);
		return -1;
	}
	sqlite3_bind_text(st, 1, run.items[0].run_id, -1, SQLITE_TRANSIENT);
	MLC_LIST_FREE(&run);
	return collect_versions(r, st, out, err);
}

/* The datasets run run_id used (schema's run_inputs; none in an older file
 * opened read-only, which has no such table). */
static int sqlite_run_inputs(struct registry *r, const char *run_id, struct mlc_input_list *out,
			     struct mlc_error *err)
{
	sqlite3_stmt *st;

	if (((struct sqlite_impl *)r->impl)->no_inputs)
		return 0;
	st = sq_prep(r,
		     "SELECT i.name, i.digest, i.context, i.source_type, i.source,"
		     " i.schema, i.profile FROM run_inputs i JOIN runs r"
		     " ON r.id = i.run_id WHERE r.run_uuid = ?1",
		     err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	return sql_collect_inputs(DB(r), PATH(r), st, out, err);
}

static const struct registry_ops sqlite_ops = {
	.kind = "sqlite",
	.checks_under_lock = 1,
	.close = sqlite_close,
	.list_models = sqlite_list_models,
	.list_versions = sqlite_list_versions,
	.list_experiments = sqlite_list_experiments,
	.list_runs = sqlite_list_runs,
	.count_runs = sq_count_runs,
	.get_run = sqlite_get_run,
	.metric_history = sqlite_metric_history,
	.experiment_keys = sqlite_experiment_keys,
	.versions_for_run = sqlite_versions_for_run,
	.run_inputs = sqlite_run_inputs,
	.get_experiment = sqlite_get_experiment,
	.env_list = sq_env_list,
	.env_set = sq_env_set,
	.deployments = sq_deployments,
	.deploy = sq_deploy,
	.rollback = sq_rollback,
	.rollback_target = sq_rollback_target,
	.request = sq_request,
	.vote = sq_vote,
	.cancel = sq_cancel,
	.requests = sq_requests,
	.audit = sq_audit,
	.audit_verify = sqlite_audit_verify,
	.record_hook = sq_record_hook,
	.alert_rules = sq_alert_rules,
	.alert_rule_put = sq_alert_rule_put,
	.alert_fire = sq_alert_fire,
	.alert_checked = sq_alert_checked,
	.alert_firings = sq_alert_firings,
	.drift_record = sq_drift_record,
	.drift_series = sq_drift_series,
};

int64_t sq_now(struct registry *r)
{
	struct sqlite_impl *impl = r->impl;

	return impl->now_ms ? impl->now_ms : timefmt_now_ms();
}
