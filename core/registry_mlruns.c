/* registry_mlruns.c: a read-only backend over an MLflow file store (mlruns/) —
 * experiments (active and .trash), runs with params, tags and metric histories,
 * and the model registry under models/ (MLflow's mlflow/store/tracking/file_store.py). Damaged
 * files are skipped and kept as warnings (registry_mlruns_warnings, import.h).
 * This file holds experiments, runs, their filters and order, and opening;
 * mlruns_files.c reads files, folders and YAML; mlruns_models.c the model
 * registry (mlruns_impl.h is what they share). */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "filter.h"
#include "import.h"
#include "registry.h"
#include "xmalloc.h"
#include "mlruns_impl.h"

/* Folders inside an experiment that are not runs (MLflow's
 * RESERVED_EXPERIMENT_FOLDERS, plus models/ from 3.x on). */
static const char *const reserved_folders[] = {"tags", "datasets", "traces", "models"};

/* ---- experiments -------------------------------------------------------- */

/* Fill x from the experiment meta.yaml in x->dir; warn and fail if damaged. */
static int load_experiment_meta(struct mlruns_impl *m, struct mexp *x, const char *folder)
{
	char *path = xasprintf("%s/meta.yaml", x->dir);
	char why[256];
	struct yml y;
	const char *id, *stage;
	int ret = -1;

	if (mlr_yml_load(&y, m->root, path, why, sizeof why) < 0) {
		mlr_warn(m, path, "%s", why);
		free(path);
		return -1;
	}
	id = mlr_yml_str(&y, "experiment_id");
	stage = mlr_yml_str(&y, "lifecycle_stage");
	if (id == NULL || !mlr_yml_has(&y, "name")) {
		mlr_warn(m, path, "no %s (a truncated file?)",
			 id == NULL ? "experiment_id" : "name");
	} else if (strcmp(id, folder) != 0) {
		mlr_warn(m, path, "experiment_id '%s' does not match its folder", id);
	} else if (mlr_yml_int(&y, "creation_time", &x->e.creation_time) < 0 ||
		   mlr_yml_int(&y, "last_update_time", &x->e.last_update_time) < 0) {
		mlr_warn(m, path, "creation_time or last_update_time is not a number");
	} else {
		x->e.experiment_id = arena_strdup(&x->arena, id);
		x->e.name = mlr_yml_dup(&y, "name", &x->arena);
		x->e.artifact_location = mlr_yml_dup(&y, "artifact_location", &x->arena);
		/* Before 2.3 deletion only moved the folder: .trash is what counts. */
		x->e.lifecycle_stage =
		    x->trashed || (stage && strcmp(stage, "deleted") == 0) ? "deleted" : "active";
		ret = 0;
	}
	mlr_yml_free(&y);
	free(path);
	return ret;
}

static void run_free(struct mrun *run)
{
	arena_free(&run->arena);
	free(run->id);
	free(run->dir);
	free(run);
}

/* Forget the runs listed for x. */
static void exp_drop_runs(struct mexp *x)
{
	for (size_t i = 0; i < x->n_runs; i++)
		run_free(x->runs[i]);
	free(x->runs);
	x->runs = NULL;
	x->n_runs = 0;
	x->listed = 0;
}

static void exp_free(struct mexp *x)
{
	exp_drop_runs(x);
	arena_free(&x->arena);
	free(x->dir);
	free(x);
}

/* Read an experiment's tags/ folder into x (the keys' files, raw). */
static void load_experiment_tags(struct mlruns_impl *m, struct mexp *x)
{
	char *dir = xasprintf("%s/tags", x->dir);
	struct entries es = {0};
	size_t cap = 0;

	mlr_walk_keys(m, dir, &es);
	for (size_t i = 0; i < es.n; i++) {
		size_t len;
		char *v = mlr_read_file(m->root, es.v[i].path, &len);
		if (v == NULL) {
			mlr_warn(m, es.v[i].path, "cannot read: %s", mlr_read_why(errno));
			continue;
		}
		struct mlc_kv *kv =
		    arena_grow(&x->arena, (void **)&x->e.tags, &cap, x->e.n_tags++, sizeof *kv);
		kv->key = arena_strdup(&x->arena, es.v[i].key);
		kv->value = arena_strndup(&x->arena, v, len);
		free(v);
	}
	mlr_entries_free(&es);
	free(dir);
}

/* Add the experiment in folder base/name to m, or warn why not. */
static void scan_experiment(struct mlruns_impl *m, const char *base, const char *name, int trashed)
{
	struct stat st;
	char *dir = xasprintf("%s/%s", base, name);
	enum ftype t = mlr_file_type(dir, &st);
	struct mexp *x;

	if (t != F_DIR) {
		mlr_warn_not_folder(m, dir, t, errno);
		free(dir);
		return;
	}
	x = xcalloc(1, sizeof *x);
	x->dir = dir;
	x->trashed = trashed;
	if (load_experiment_meta(m, x, name) < 0) {
		exp_free(x);
		return;
	}
	load_experiment_tags(m, x);
	m->exps = xrealloc(m->exps, (m->n_exps + 1) * sizeof *m->exps);
	m->exps[m->n_exps++] = x;
}

/* Add every experiment folder directly under base (the root or .trash). */
static void scan_experiments_in(struct mlruns_impl *m, const char *base, int trashed)
{
	struct names ns;

	if (mlr_list_dir(m->root, base, &ns) < 0) {
		if (errno != ENOENT)
			mlr_warn_not_folder(m, base, F_ERROR, errno);
		return;
	}
	for (size_t i = 0; i < ns.n; i++) {
		/* Only numeric names are experiments; the rest (.trash, models,
		 * .ipynb_checkpoints, README...) is not. */
		if (mlc_all_digits(ns.v[i]))
			scan_experiment(m, base, ns.v[i], trashed);
	}
	mlr_names_free(&ns);
}

static int cmp_exp_order(const void *a, const void *b)
{
	const struct mexp *x = *(struct mexp *const *)a, *y = *(struct mexp *const *)b;

	if (x->trashed != y->trashed)
		return x->trashed - y->trashed;
	return mlc_cmp_numeric_str(x->e.experiment_id, y->e.experiment_id);
}

static void drop_experiments(struct mlruns_impl *m)
{
	for (size_t i = 0; i < m->n_exps; i++)
		exp_free(m->exps[i]);
	free(m->exps);
	m->exps = NULL;
	m->n_exps = 0;
	free(m->index);
	m->index = NULL;
	m->n_index = 0;
	m->index_stale = 1;
}

/* (Re)read the experiments when the root or .trash folder changed. Active
 * experiments come first, so that an id in both places means the active one. */
static void refresh_experiments(struct mlruns_impl *m)
{
	char *trash = xasprintf("%s/.trash", m->root);
	struct file_sig rs = mlr_path_sig(m->root), ts = mlr_path_sig(trash);

	if (m->exps != NULL && mlr_sig_equal(rs, m->root_sig) && mlr_sig_equal(ts, m->trash_sig)) {
		free(trash);
		return;
	}
	drop_experiments(m);
	m->root_sig = rs;
	m->trash_sig = ts;
	scan_experiments_in(m, m->root, 0);
	scan_experiments_in(m, trash, 1);
	if (m->n_exps)
		qsort(m->exps, m->n_exps, sizeof *m->exps, cmp_exp_order);
	else
		m->exps = xcalloc(1, sizeof *m->exps); /* scanned, even if empty */
	free(trash);
}

/* ---- runs: listing ------------------------------------------------------ */

/* 1 if name is one of the folders an experiment holds that are not runs. */
static int is_reserved(const char *name)
{
	for (size_t i = 0; i < sizeof reserved_folders / sizeof reserved_folders[0]; i++)
		if (strcmp(name, reserved_folders[i]) == 0)
			return 1;
	return 0;
}

/* 1 if s looks like a run id (32 hex characters). */
static int looks_like_run_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return n == 32 && s[n] == '\0';
}

/* Add the run folder x->dir/name to x if it can be one. */
static void list_one_run(struct mlruns_impl *m, struct mexp *x, const char *name, size_t *cap)
{
	char *dir = xasprintf("%s/%s", x->dir, name);
	struct stat st;
	enum ftype t = mlr_file_type(dir, &st);
	struct mrun *run;

	if (t != F_DIR) {
		/* A stray file is no concern; a run id that is no folder is damage. */
		if (looks_like_run_id(name) || t == F_DANGLING)
			mlr_warn_not_folder(m, dir, t, errno);
		free(dir);
		return;
	}
	run = xcalloc(1, sizeof *run);
	run->id = xstrdup(name);
	run->dir = dir;
	run->exp = x;
	if (x->n_runs == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		x->runs = xrealloc(x->runs, *cap * sizeof *x->runs);
	}
	x->runs[x->n_runs++] = run;
}

/* List the run folders of x (again when the folder changed since). */
static void list_runs_of(struct mlruns_impl *m, struct mexp *x)
{
	struct file_sig s = mlr_path_sig(x->dir);
	struct names ns;
	size_t cap = 0;

	if (x->listed && mlr_sig_equal(s, x->dir_sig))
		return;
	exp_drop_runs(x);
	x->dir_sig = s;
	x->listed = 1;
	m->index_stale = 1;
	if (mlr_list_dir(m->root, x->dir, &ns) < 0) {
		mlr_warn_not_folder(m, x->dir, F_ERROR, errno);
		return;
	}
	for (size_t i = 0; i < ns.n; i++) {
		const char *name = ns.v[i];
		if (name[0] == '.' || strcmp(name, "meta.yaml") == 0 || is_reserved(name))
			continue;
		list_one_run(m, x, name, &cap);
	}
	mlr_names_free(&ns);
}

/* ---- runs: loading ------------------------------------------------------ */

static const char *const status_names[] = {"RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"};

/* The status name for MLflow's number 1..5 (or a name already); NULL if neither. */
static const char *status_name(const char *s)
{
	int64_t n;

	if (s == NULL)
		return NULL;
	if (mlr_parse_int(s, &n) == 0)
		return n >= 1 && n <= 5 ? status_names[n - 1] : NULL;
	for (size_t i = 0; i < 5; i++)
		if (strcmp(s, status_names[i]) == 0)
			return status_names[i];
	return NULL;
}

/* Put a printf-style reason into why; returns -1. */
static int why_set(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* The first of the keys a run meta.yaml must have that y lacks, or NULL. */
static const char *missing_run_key(struct yml *y)
{
	static const char *const keys[] = {"start_time", "status", "lifecycle_stage"};

	if (!mlr_yml_has(y, "run_id") && !mlr_yml_has(y, "run_uuid"))
		return "run_id";
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!mlr_yml_has(y, keys[i]))
			return keys[i];
	return NULL;
}

/* Fill run->run from meta.yaml; on damage put the reason in why. */
static int parse_run_meta(struct mrun *run, struct yml *y, char *why, size_t whylen)
{
	struct mlc_run *r = &run->run;
	const char *stage = mlr_yml_str(y, "lifecycle_stage");
	const char *name = mlr_yml_str(y, "run_name");
	const char *missing = missing_run_key(y);

	if (missing)
		return why_set(why, whylen, "no %s (a truncated file?)", missing);
	if ((r->status = status_name(mlr_yml_str(y, "status"))) == NULL)
		return why_set(why, whylen, "unknown status '%s'",
			       mlr_yml_str(y, "status") ? mlr_yml_str(y, "status") : "null");
	if (stage == NULL || (strcmp(stage, "active") != 0 && strcmp(stage, "deleted") != 0))
		return why_set(why, whylen, "unknown lifecycle_stage '%s'", stage ? stage : "null");
	if (mlr_yml_int(y, "start_time", &r->start_time) < 0 ||
	    mlr_yml_int(y, "end_time", &r->end_time) < 0)
		return why_set(why, whylen, "start_time or end_time is not a number");
	r->lifecycle_stage = strcmp(stage, "deleted") == 0 ? "deleted" : "active";
	r->run_id = run->id;
	r->experiment_id = run->exp->e.experiment_id;
	/* run_name from 1.30 on; older files have name: '' and a mlflow.runName tag. */
	r->run_name = arena_strdup(&run->arena, name ? name : mlr_yml_str(y, "name"));
	r->user_id = mlr_yml_dup(y, "user_id", &run->arena);
	r->artifact_uri = mlr_yml_dup(y, "artifact_uri", &run->arena);
	return 0;
}

/* Parse the whole decimal integer in s[0..n). */
static int parse_int_n(const char *s, size_t n, int64_t *out)
{
	char buf[32];

	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return mlr_parse_int(buf, out);
}

/* Parse Python's str(float) in s[0..n): 0.5, 1e-05, nan, inf, -inf, 3. */
static int parse_value(locale_t c, const char *s, size_t n, double *out)
{
	char buf[64], *end;

	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod_l(buf, &end, c);
	return *end == '\0' ? 0 : -1;
}

/* Parse one metric line: "ts value", "ts value step", "ts value step run_id"
 * or "ts value step dataset_name dataset_digest" (single spaces, as MLflow
 * writes and splits them). The step is taken as written; MLflow 3.x's own
 * reader sets it to 0 for 5 fields, which loses the logged step. */
static int parse_metric_line(locale_t c, const char *s, size_t n, struct mlc_metric *pt)
{
	const char *f[6];
	size_t fl[6], nf = 0, start = 0;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != ' ')
			continue;
		if (nf == 6)
			return -1;
		f[nf] = s + start;
		fl[nf++] = i - start;
		start = i + 1;
	}
	if (nf < 2 || nf > 5)
		return -1;
	pt->step = 0;
	if (parse_int_n(f[0], fl[0], &pt->timestamp) < 0 ||
	    parse_value(c, f[1], fl[1], &pt->value) < 0)
		return -1;
	return nf >= 3 ? parse_int_n(f[2], fl[2], &pt->step) : 0;
}

typedef void (*point_fn)(void *arg, const struct mlc_metric *pt);

/* What parse_points found: points, those on whole lines (ended by a newline),
 * and the lines that are not metric lines (the first counted from the start
 * of the parse). */
struct parsed {
	long points, whole;
	size_t bad, first_bad;
};

/* Call fn for each point in buf[from, len). */
static void parse_points(locale_t c, const char *buf, size_t from, size_t len, point_fn fn,
			 void *arg, struct parsed *out)
{
	size_t line = 0;

	memset(out, 0, sizeof *out);
	for (const char *p = buf + from; p < buf + len;) {
		const char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(buf + len - p);
		struct mlc_metric pt = {0};
		line++;
		if (n > 0 && !(n == 1 && p[0] == '\r')) {
			if (parse_metric_line(c, p, n, &pt) == 0) {
				fn(arg, &pt);
				out->points++;
				out->whole += nl != NULL;
			} else if (out->bad++ == 0) {
				out->first_bad = line;
			}
		}
		p += n + 1;
	}
}

/* Report the bad lines of the metric file path, whose parse began at byte
 * from of buf (the lines before it are counted for the line number). */
static void warn_bad_lines(struct mlruns_impl *m, const char *path, const char *buf, size_t from,
			   const struct parsed *p)
{
	size_t line = p->first_bad;

	if (p->bad == 0)
		return;
	for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + from - q))) != NULL; q++)
		line++;
	mlr_warn(m, path,
		 "line %zu: not a metric line (timestamp value step); %zu bad line%s skipped", line,
		 p->bad, p->bad == 1 ? "" : "s");
}

/* Call fn for each point of the metric file at path; a line that is not a
 * metric line is skipped and, when warn_bad, reported with its number. Returns
 * the number of points, or -1 if the file cannot be read. */
static long read_points(struct mlruns_impl *m, const char *path, int warn_bad, point_fn fn,
			void *arg)
{
	size_t len;
	char *buf = mlr_read_file(m->root, path, &len);
	struct parsed p;

	if (buf == NULL) {
		if (warn_bad)
			mlr_warn(m, path, "cannot read: %s", mlr_read_why(errno));
		return -1;
	}
	parse_points(m->c_locale, buf, 0, len, fn, arg, &p);
	if (warn_bad)
		warn_bad_lines(m, path, buf, 0, &p);
	free(buf);
	return p.points;
}

/* Keep the latest point by MLflow's rule. */
static void keep_latest(void *arg, const struct mlc_metric *pt)
{
	struct mlc_metric *best = arg;

	if (best->key == NULL || mlc_metric_cmp_latest(pt, best) > 0) {
		const char *k = best->key ? best->key : "";
		*best = *pt;
		best->key = k;
	}
}

/* Read the files in es into key/value pairs in a (raw bytes, no trimming). */
struct mlc_kv *mlr_load_values(struct mlruns_impl *m, struct mlc_arena *a, const struct entries *es,
			       size_t *n)
{
	struct mlc_kv *kv = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < es->n; i++) {
		size_t len;
		char *v = mlr_read_file(m->root, es->v[i].path, &len);
		if (v == NULL) {
			mlr_warn(m, es->v[i].path, "cannot read: %s", mlr_read_why(errno));
			continue;
		}
		struct mlc_kv *e = arena_grow(a, (void **)&kv, &cap, (*n)++, sizeof *kv);
		e->key = arena_strdup(a, es->v[i].key);
		e->value = arena_strndup(a, v, len);
		free(v);
	}
	return kv;
}

/* The latest value of each metric file in es. */
static void load_latest(struct mlruns_impl *m, struct mrun *run, const struct entries *es)
{
	size_t cap = 0;

	for (size_t i = 0; i < es->n; i++) {
		struct mlc_metric best = {0};
		if (read_points(m, es->v[i].path, 1, keep_latest, &best) <= 0)
			continue; /* unreadable (warned) or empty */
		best.key = arena_strdup(&run->arena, es->v[i].key);
		*(struct mlc_metric *)arena_grow(&run->arena, (void **)&run->run.metrics, &cap,
						 run->run.n_metrics++, sizeof best) = best;
	}
}

/* The keys of the metric files in es, without reading them (values NaN). */
static void load_metric_keys(struct mrun *run, const struct entries *es)
{
	run->run.metrics = arena_alloc(&run->arena, (es->n ? es->n : 1) * sizeof *run->run.metrics);
	for (size_t i = 0; i < es->n; i++)
		run->run.metrics[i] = (struct mlc_metric){
		    .key = arena_strdup(&run->arena, es->v[i].key), .value = NAN};
	run->run.n_metrics = es->n;
}

/* The value files of a run and their cache signature. */
struct run_files {
	struct entries metrics, params, tags;
	uint64_t sig;
};

/* Walk the value folders of run and sign what is there. */
static void run_files(struct mlruns_impl *m, struct mrun *run, struct run_files *f)
{
	struct entries *lists[] = {&f->metrics, &f->params, &f->tags};
	const char *names[] = {"metrics", "params", "tags"};

	memset(f, 0, sizeof *f);
	f->sig = 14695981039346656037ULL;
	for (int k = 0; k < 3; k++) {
		char *dir = xasprintf("%s/%s", run->dir, names[k]);
		mlr_walk_keys(m, dir, lists[k]);
		free(dir);
		for (size_t i = 0; i < lists[k]->n; i++) {
			f->sig =
			    mlr_mix(f->sig, lists[k]->v[i].key, strlen(lists[k]->v[i].key) + 1);
			f->sig = mlr_mix(f->sig, &lists[k]->v[i].sig, sizeof lists[k]->v[i].sig);
		}
		f->sig = mlr_mix(f->sig, &k, sizeof k);
	}
}

static void run_files_free(struct run_files *f)
{
	mlr_entries_free(&f->metrics);
	mlr_entries_free(&f->params);
	mlr_entries_free(&f->tags);
}

/* (Re)read run's meta.yaml into a fresh arena; -1 if damaged (warned). */
static int load_run_meta(struct mlruns_impl *m, struct mrun *run)
{
	char *path = xasprintf("%s/meta.yaml", run->dir);
	char why[256];
	struct yml y;
	int rc;

	arena_free(&run->arena);
	memset(&run->run, 0, sizeof run->run);
	if (access(path, F_OK) != 0)
		rc = why_set(why, sizeof why, "no meta.yaml, so not a run");
	else if ((rc = mlr_yml_load(&y, m->root, path, why, sizeof why)) == 0) {
		rc = parse_run_meta(run, &y, why, sizeof why);
		mlr_yml_free(&y);
	}
	if (rc < 0)
		mlr_warn(m, path, "%s", why);
	free(path);
	return rc;
}

/* Make sure run's meta.yaml is read and current; -1 if it is damaged. */
static int ensure_meta(struct mlruns_impl *m, struct mrun *run)
{
	char *path = xasprintf("%s/meta.yaml", run->dir);
	struct file_sig s = mlr_path_sig(path);

	free(path);
	if (run->state == RUN_NEW || !mlr_sig_equal(s, run->meta_sig)) {
		run->meta_sig = s;
		run->state = load_run_meta(m, run) == 0 ? RUN_META : RUN_BROKEN;
	}
	return run->state == RUN_BROKEN ? -1 : 0;
}

/* Read run's params, tags and latest metrics (or only their keys) from the
 * files in f. */
static void load_run_data(struct mlruns_impl *m, struct mrun *run, const struct run_files *f,
			  int latest)
{
	run->run.params = mlr_load_values(m, &run->arena, &f->params, &run->run.n_params);
	run->run.tags = mlr_load_values(m, &run->arena, &f->tags, &run->run.n_tags);
	if (latest)
		load_latest(m, run, &f->metrics);
	else
		load_metric_keys(run, &f->metrics);
	run->has_latest = latest;
	if (run->run.run_name[0] == '\0') {
		const char *tag = mlc_kv_get(run->run.tags, run->run.n_tags, "mlflow.runName");
		run->run.run_name = tag ? tag : "";
	}
}

/* Make sure run's meta and values (latest metrics too when latest, else at
 * least their keys) are read and current; -1 if damaged. */
static int ensure_run(struct mlruns_impl *m, struct mrun *run, int latest)
{
	struct run_files f;

	if (ensure_meta(m, run) < 0)
		return -1;
	run_files(m, run, &f);
	if (run->state != RUN_LOADED || f.sig != run->data_sig || (latest && !run->has_latest)) {
		/* Values live in the run's arena with its meta: read both again. */
		if (run->state == RUN_LOADED && load_run_meta(m, run) < 0) {
			run->state = RUN_BROKEN;
			run_files_free(&f);
			return -1;
		}
		load_run_data(m, run, &f, latest);
		run->data_sig = f.sig;
		run->state = RUN_LOADED;
	}
	run_files_free(&f);
	return 0;
}

/* How much of a run to read. */
enum load { LOAD_META, LOAD_KEYS, LOAD_ALL };

/* List the runs of x and read what load says of each. */
static void ensure_runs_of(struct mlruns_impl *m, struct mexp *x, enum load load)
{
	list_runs_of(m, x);
	for (size_t i = 0; i < x->n_runs; i++) {
		if (load == LOAD_META)
			ensure_meta(m, x->runs[i]);
		else
			ensure_run(m, x->runs[i], load == LOAD_ALL);
	}
}

/* ---- the run index (get_run by id or prefix) ---------------------------- */

static int cmp_run_id(const void *a, const void *b)
{
	const struct mrun *x = *(struct mrun *const *)a, *y = *(struct mrun *const *)b;
	int c = strcmp(x->id, y->id);

	/* Keep the experiments' order among equal ids: active before .trash. */
	if (c == 0)
		return x->exp->trashed - y->exp->trashed;
	return c;
}

/* Rebuild the index of every run folder when a listing changed. */
static void refresh_index(struct mlruns_impl *m)
{
	size_t n = 0;

	refresh_experiments(m);
	for (size_t i = 0; i < m->n_exps; i++)
		list_runs_of(m, m->exps[i]);
	if (!m->index_stale)
		return;
	free(m->index);
	for (size_t i = 0; i < m->n_exps; i++)
		n += m->exps[i]->n_runs;
	m->index = xmalloc((n ? n : 1) * sizeof *m->index);
	m->n_index = 0;
	for (size_t i = 0; i < m->n_exps; i++)
		for (size_t k = 0; k < m->exps[i]->n_runs; k++)
			m->index[m->n_index++] = m->exps[i]->runs[k];
	qsort(m->index, m->n_index, sizeof *m->index, cmp_run_id);
	m->index_stale = 0;
}

/* The position in m's sorted index of the first run whose id is >= run_id. */
static size_t index_lower_bound(const struct mlruns_impl *m, const char *run_id)
{
	size_t lo = 0, hi = m->n_index;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(m->index[mid]->id, run_id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The run with id run_id or the unique run whose id starts with it (8+
 * characters), its values read when full (else only its meta.yaml); NULL with
 * err filled when there is none or several. */
struct mrun *mlr_find_run(struct registry *r, const char *run_id, int full, struct mlc_error *err)
{
	struct mlruns_impl *m = IMPL(r);
	size_t len = strlen(run_id), lo;
	struct mrun *hit = NULL;

	refresh_index(m);
	lo = index_lower_bound(m, run_id);
	for (size_t i = lo; i < m->n_index && strncmp(m->index[i]->id, run_id, len) == 0; i++) {
		struct mrun *run = m->index[i];
		int exact = strcmp(run->id, run_id) == 0;
		if (len < 8 && !exact)
			break;
		if ((full ? ensure_run(m, run, 1) : ensure_meta(m, run)) < 0)
			continue;
		if (exact)
			return run;
		if (hit != NULL && strcmp(hit->id, run->id) != 0) {
			mlc_error_set(err, MLC_ERR_FAILED, "run '%s': ambiguous prefix", run_id);
			return NULL;
		}
		if (hit == NULL)
			hit = run;
	}
	if (hit == NULL)
		mlc_error_set(err, MLC_ERR_NOTFOUND, "run '%s': not found in %s", run_id,
			      r->display);
	return hit;
}

/* ---- copying into results ----------------------------------------------- */

/* Copy run with only the values q->columns names (lean loading). */
static void copy_run_lean(struct mlc_arena *a, struct mlc_run *dst, const struct mlc_run *src,
			  const struct mlc_run_query *q)
{
	size_t nc = q->n_columns ? q->n_columns : 1;
	const char *key;

	mlc_run_copy_attrs(a, dst, src);
	dst->metrics = arena_alloc(a, nc * sizeof *dst->metrics);
	dst->params = arena_alloc(a, nc * sizeof *dst->params);
	dst->tags = arena_alloc(a, nc * sizeof *dst->tags);
	for (size_t c = 0; c < q->n_columns; c++) {
		char kind = mlc_column_kind(q->columns[c], &key);
		const struct mlc_metric *mt;
		const char *v;

		if (kind == 'm' && (mt = mlc_run_metric(src, key)) != NULL) {
			dst->metrics[dst->n_metrics] = *mt;
			dst->metrics[dst->n_metrics++].key = arena_strdup(a, key);
		} else if (kind == 'p' &&
			   (v = mlc_kv_get(src->params, src->n_params, key)) != NULL) {
			dst->params[dst->n_params++] =
			    (struct mlc_kv){arena_strdup(a, key), arena_strdup(a, v)};
		} else if (kind == 't' && (v = mlc_kv_get(src->tags, src->n_tags, key)) != NULL) {
			dst->tags[dst->n_tags++] =
			    (struct mlc_kv){arena_strdup(a, key), arena_strdup(a, v)};
		}
	}
}

/* ---- filters and order, evaluated in memory ----------------------------- */

/* The outcome of comparison op given c = cmp(value, operand). */
static int op_holds(enum filter_op op, int c)
{
	switch (op) {
	case FOP_EQ:
		return c == 0;
	case FOP_NE:
		return c != 0;
	case FOP_LT:
		return c < 0;
	case FOP_LE:
		return c <= 0;
	case FOP_GT:
		return c > 0;
	case FOP_GE:
		return c >= 0;
	default:
		return 0;
	}
}

/* Whether string value v satisfies clause c (SQL semantics; NULL v never does). */
int mlr_match_str(const char *v, const struct filter_clause *c)
{
	int in = 0;

	if (v == NULL)
		return 0;
	if (c->op == FOP_LIKE || c->op == FOP_ILIKE)
		return c->values[0].str && filter_like(v, c->values[0].str, c->op == FOP_ILIKE);
	if (c->op == FOP_IN || c->op == FOP_NOT_IN) {
		for (size_t i = 0; i < c->n_values; i++)
			in |= c->values[i].str && strcmp(v, c->values[i].str) == 0;
		return c->op == FOP_IN ? in : !in;
	}
	if (c->values[0].is_number) /* SQL: any number sorts before any text */
		return op_holds(c->op, 1);
	return op_holds(c->op, strcmp(v, c->values[0].str));
}

/* Whether number v satisfies c (NaN, like SQL NULL, never does). */
static int match_num(double v, const struct filter_clause *c)
{
	double w = c->values[0].num;

	if (isnan(v) || !c->values[0].is_number)
		return 0;
	return op_holds(c->op, (v > w) - (v < w));
}

/* A run attribute by canonical name: a string (*s, returns 0) or a number
 * (*num and *is_null, returns 1); -1 when runs have no such attribute. */
static int run_attr(const struct mlc_run *r, const char *name, const char **s, double *num,
		    int *is_null)
{
	static const char *const names[] = {"run_id", "run_name",     "user_id",
					    "status", "artifact_uri", "lifecycle_stage"};
	const char *const values[] = {r->run_id, r->run_name,	  r->user_id,
				      r->status, r->artifact_uri, r->lifecycle_stage};

	*s = NULL;
	*is_null = 0;
	if (strcmp(name, "start_time") == 0) {
		*num = (double)r->start_time;
		return 1;
	}
	if (strcmp(name, "end_time") == 0) {
		*num = (double)r->end_time;
		*is_null = r->end_time == 0;
		return 1;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(name, names[i]) == 0) {
			*s = values[i] ? values[i] : "";
			return 0;
		}
	}
	return -1;
}

/* Whether run r satisfies clause c; -1 (err filled) for an unknown attribute. */
static int run_matches_clause(const struct mlc_run *r, const struct filter_clause *c,
			      struct mlc_error *err)
{
	const struct mlc_metric *mt;
	const char *s;
	double num;
	int is_null, kind;

	switch (c->kind) {
	case FK_METRIC:
		mt = mlc_run_metric(r, c->key);
		return mt && match_num(mt->value, c);
	case FK_PARAM:
		return mlr_match_str(mlc_kv_get(r->params, r->n_params, c->key), c);
	case FK_TAG:
		return mlr_match_str(mlc_kv_get(r->tags, r->n_tags, c->key), c);
	case FK_ATTR:
		break;
	}
	kind = run_attr(r, c->key, &s, &num, &is_null);
	if (kind < 0)
		return mlc_error_set(err, MLC_ERR_USAGE, "cannot search by attribute '%s'", c->key);
	return kind ? !is_null && match_num(num, c) : mlr_match_str(s, c);
}

/* Whether run r satisfies every clause of f: 1, 0, or -1 on error. */
static int run_matches(const struct mlc_run *r, const struct filter *f, struct mlc_error *err)
{
	for (size_t i = 0; i < f->n; i++) {
		int ok = run_matches_clause(r, &f->clauses[i], err);
		if (ok <= 0)
			return ok;
	}
	return 1;
}

/* One element to sort: the run, and the order it is sorted by. */
struct sort_item {
	const struct order_list *order;
	const struct mlc_run *run;
};

/* A sort value: present or not, a number or a string. */
struct sort_val {
	int present, is_num;
	double num;
	const char *str;
};

/* The value run r has for order key k. */
static struct sort_val sort_value(const struct mlc_run *r, const struct order_key *k)
{
	struct sort_val v = {0};
	const struct mlc_metric *mt;
	int is_null;

	if (k->kind == FK_METRIC) {
		mt = mlc_run_metric(r, k->key);
		v.present = mt && !isnan(mt->value);
		v.is_num = 1;
		v.num = mt ? mt->value : 0;
	} else if (k->kind == FK_PARAM || k->kind == FK_TAG) {
		v.str = k->kind == FK_PARAM ? mlc_kv_get(r->params, r->n_params, k->key)
					    : mlc_kv_get(r->tags, r->n_tags, k->key);
		v.present = v.str != NULL;
	} else {
		v.is_num = run_attr(r, k->key, &v.str, &v.num, &is_null) == 1;
		v.present = v.is_num ? !is_null : v.str != NULL;
	}
	return v;
}

/* Compare two runs by the order keys (missing values last), then newest
 * first, then by id — the local backend's order. */
static int cmp_sort_item(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;

	for (size_t i = 0; i < a->order->n; i++) {
		const struct order_key *k = &a->order->keys[i];
		struct sort_val x = sort_value(a->run, k), y = sort_value(b->run, k);
		int c;

		if (x.present != y.present)
			return x.present ? -1 : 1;
		if (!x.present)
			continue;
		c = x.is_num ? (x.num > y.num) - (x.num < y.num) : strcmp(x.str, y.str);
		if (c != 0)
			return k->desc ? -c : c;
	}
	if (a->run->start_time != b->run->start_time)
		return a->run->start_time > b->run->start_time ? -1 : 1;
	return strcmp(a->run->run_id, b->run->run_id);
}

/* Refuse order keys on attributes runs do not have. */
static int check_order(const struct order_list *o, struct mlc_error *err)
{
	struct mlc_run dummy = {0};

	for (size_t i = 0; i < o->n; i++) {
		const char *s;
		double num;
		int is_null;
		if (o->keys[i].kind == FK_ATTR &&
		    run_attr(&dummy, o->keys[i].key, &s, &num, &is_null) < 0)
			return mlc_error_set(err, MLC_ERR_USAGE, "cannot order by attribute '%s'",
					     o->keys[i].key);
	}
	return 0;
}

/* ---- operations: experiments -------------------------------------------- */

/* The experiment ref names: an existing id wins (the active one first), then
 * a name (the active one first). ".trash/ID" names the experiment in the
 * .trash folder when an active one has the same id (stores merged by git).
 * NULL with err filled when there is none. */
static struct mexp *find_experiment(struct registry *r, const char *ref, struct mlc_error *err)
{
	struct mlruns_impl *m = IMPL(r);
	struct mexp *by_name = NULL;
	const char *trash_id = ref && strncmp(ref, ".trash/", 7) == 0 ? ref + 7 : NULL;
	/* A .trash/ID not in .trash is deleted in its meta.yaml only: plain ID. */
	const char *want = trash_id ? trash_id : ref;

	refresh_experiments(m);
	for (size_t i = 0; trash_id && i < m->n_exps; i++)
		if (m->exps[i]->trashed && strcmp(m->exps[i]->e.experiment_id, trash_id) == 0)
			return m->exps[i];
	for (size_t i = 0; want && i < m->n_exps; i++)
		if (strcmp(m->exps[i]->e.experiment_id, want) == 0)
			return m->exps[i];
	for (size_t i = 0; want && i < m->n_exps; i++) {
		struct mexp *x = m->exps[i];
		if (strcmp(x->e.name, want) == 0 &&
		    (by_name == NULL || strcmp(by_name->e.lifecycle_stage, "active") != 0))
			by_name = x;
	}
	if (by_name == NULL)
		mlc_error_set(err, MLC_ERR_NOTFOUND, "experiment '%s': not found in %s",
			      ref ? ref : "", r->display);
	return by_name;
}

/* Copy experiment x into out with its run count (active runs unless all) and
 * last activity (the latest of its meta's time and its runs' starts). */
static void push_experiment(struct mlruns_impl *m, struct mexp *x, int all,
			    struct mlc_experiment_list *out)
{
	struct mlc_experiment *e = MLC_LIST_PUSH(out);
	struct mlc_arena *a = &out->arena;

	ensure_runs_of(m, x, LOAD_META);
	*e = x->e;
	e->experiment_id = arena_strdup(a, x->e.experiment_id);
	e->name = arena_strdup(a, x->e.name);
	e->artifact_location = arena_strdup(a, x->e.artifact_location);
	e->lifecycle_stage = arena_strdup(a, x->e.lifecycle_stage);
	e->tags = mlc_kvs_copy(a, x->e.tags, x->e.n_tags);
	e->run_count = 0;
	for (size_t i = 0; i < x->n_runs; i++) {
		const struct mrun *run = x->runs[i];
		if (run->state == RUN_BROKEN || run->state == RUN_NEW)
			continue;
		if (all || strcmp(run->run.lifecycle_stage, "active") == 0)
			e->run_count++;
		if (run->run.start_time > e->last_update_time)
			e->last_update_time = run->run.start_time;
	}
}

/* Experiments by name; deleted ones (in .trash) only when all is set. */
static int mlruns_list_experiments(struct registry *r, int all, struct mlc_experiment_list *out,
				   struct mlc_error *err)
{
	struct mlruns_impl *m = IMPL(r);

	(void)err;
	refresh_experiments(m);
	for (size_t i = 0; i < m->n_exps; i++)
		if (all || strcmp(m->exps[i]->e.lifecycle_stage, "active") == 0)
			push_experiment(m, m->exps[i], all, out);
	if (out->n)
		qsort(out->items, out->n, sizeof *out->items, mlc_experiment_cmp_name);
	return 0;
}

/* One experiment by id or name, deleted or not. */
static int mlruns_get_experiment(struct registry *r, const char *ref,
				 struct mlc_experiment_list *out, struct mlc_error *err)
{
	struct mexp *x = find_experiment(r, ref, err);

	if (x == NULL)
		return -1;
	push_experiment(IMPL(r), x, 1, out);
	return 0;
}

/* ---- operations: runs --------------------------------------------------- */

/* The usable runs of x that q selects (filter, deleted or not), unsorted. */
static int select_runs(struct mlruns_impl *m, struct mexp *x, const struct mlc_run_query *q,
		       const struct filter *f, struct sort_item **items, size_t *n,
		       const struct order_list *order, struct mlc_error *err)
{
	ensure_runs_of(m, x, q->metric_keys && !q->filter && !q->order_by ? LOAD_KEYS : LOAD_ALL);
	*items = xmalloc((x->n_runs ? x->n_runs : 1) * sizeof **items);
	*n = 0;
	for (size_t i = 0; i < x->n_runs; i++) {
		const struct mlc_run *run = &x->runs[i]->run;
		int ok;
		if (x->runs[i]->state != RUN_LOADED)
			continue;
		if (!q->all && strcmp(run->lifecycle_stage, "active") != 0)
			continue;
		if ((ok = run_matches(run, f, err)) < 0)
			return -1;
		if (ok)
			(*items)[(*n)++] = (struct sort_item){order, run};
	}
	return 0;
}

/* Runs of an experiment matching q's filter, in q's order (default newest first). */
static int mlruns_list_runs(struct registry *r, const struct mlc_run_query *q,
			    struct mlc_run_list *out, struct mlc_error *err)
{
	struct order_list order = {0};
	struct sort_item *items = NULL;
	struct filter *f;
	struct mexp *x = find_experiment(r, q->experiment, err);
	size_t n = 0;
	int ret = -1;

	if (x == NULL)
		return -1;
	if ((f = filter_parse(q->filter, FILTER_RUNS, err)) == NULL)
		return -1;
	if (order_parse(q->order_by, FILTER_RUNS, &order, err) < 0 || check_order(&order, err) < 0)
		goto out;
	if (select_runs(IMPL(r), x, q, f, &items, &n, &order, err) < 0)
		goto out;
	if (n > 1)
		qsort(items, n, sizeof *items, cmp_sort_item);
	if (q->limit > 0 && (uint64_t)q->limit < n)
		n = (size_t)q->limit;
	for (size_t i = 0; i < n; i++) {
		struct mlc_run *dst = MLC_LIST_PUSH(out);
		if (q->lean)
			copy_run_lean(&out->arena, dst, items[i].run, q);
		else
			mlc_run_copy(&out->arena, dst, items[i].run);
	}
	ret = 0;
out:
	free(items);
	order_free(&order);
	filter_free(f);
	return ret;
}

/* One run by id or by a unique prefix of at least 8 characters. */
static int mlruns_get_run(struct registry *r, const char *run_id, struct mlc_run_list *out,
			  struct mlc_error *err)
{
	struct mrun *run = mlr_find_run(r, run_id, 1, err);

	if (run == NULL)
		return -1;
	mlc_run_copy(&out->arena, MLC_LIST_PUSH(out), &run->run);
	return 0;
}

/* ---- datasets (run inputs, MLflow 2.17.2's REST API) ------------------------------- */

/* 1 if id can name a folder of the store: letters, digits, '-' and '_'. */
static int plain_id(const char *id)
{
	if (id == NULL || *id == '\0')
		return 0;
	for (; *id; id++)
		if (!isalnum((unsigned char)*id) && *id != '-' && *id != '_')
			return 0;
	return 1;
}

/* The dataset input of x's input folder in (inputs/<id>): its dataset's
 * meta.yaml under the experiment's datasets/, and the input's context tag;
 * warns and returns -1 when either is damaged. */
static int load_input(struct mlruns_impl *m, const struct mrun *x, const char *in,
		      struct mlc_input_list *out)
{
	char *path = xasprintf("%s/inputs/%s/meta.yaml", x->dir, in), *dpath = NULL, why[256];
	struct yml y, d = {0};
	const char *id, *context;
	struct mlc_dataset_input *ds;
	int ret = -1;

	if (mlr_yml_load(&y, m->root, path, why, sizeof why) < 0) {
		mlr_warn(m, path, "%s", why);
		free(path);
		return -1;
	}
	id = mlr_yml_str(&y, "source_id");
	context = mlr_yml_scalar(
	    mlr_yml_node_in(&y, mlr_yml_node_in(&y, y.root, "tags"), "mlflow.data.context"));
	if (!plain_id(id)) {
		mlr_warn(m, path, "no dataset id (source_id)");
		goto out;
	}
	dpath = xasprintf("%s/datasets/%s/meta.yaml", x->exp->dir, id);
	if (mlr_yml_load(&d, m->root, dpath, why, sizeof why) < 0) {
		mlr_warn(m, dpath, "%s", why);
		goto out;
	}
	if (mlr_yml_str(&d, "name") == NULL || mlr_yml_str(&d, "digest") == NULL) {
		mlr_warn(m, dpath, "no %s (a truncated file?)",
			 mlr_yml_str(&d, "name") ? "digest" : "name");
		goto out;
	}
	ds = MLC_LIST_PUSH(out);
	ds->name = mlr_yml_dup(&d, "name", &out->arena);
	ds->digest = mlr_yml_dup(&d, "digest", &out->arena);
	ds->source_type = mlr_yml_dup(&d, "source_type", &out->arena);
	ds->source = mlr_yml_dup(&d, "source", &out->arena);
	ds->schema = mlr_yml_dup(&d, "schema", &out->arena);
	ds->profile = mlr_yml_dup(&d, "profile", &out->arena);
	ds->context = arena_strdup(&out->arena, context);
	ret = 0;
out:
	mlr_yml_free(&d);
	mlr_yml_free(&y);
	free(dpath);
	free(path);
	return ret;
}

/* The datasets run run_id used: the folders of its inputs/ (none when it has
 * no such folder); a damaged one is skipped with a warning. */
static int mlruns_run_inputs(struct registry *r, const char *run_id, struct mlc_input_list *out,
			     struct mlc_error *err)
{
	struct mlruns_impl *m = IMPL(r);
	struct mrun *x = mlr_find_run(r, run_id, 0, err);
	struct names in = {0};
	char *dir;

	if (x == NULL)
		return -1;
	dir = xasprintf("%s/inputs", x->dir);
	if (mlr_list_dir(m->root, dir, &in) < 0) {
		int e = errno;
		struct stat st;
		if (e != ENOENT)
			mlr_warn_not_folder(m, dir, mlr_file_type(dir, &st), e);
		free(dir);
		return 0;
	}
	for (size_t i = 0; i < in.n; i++)
		load_input(m, x, in.v[i], out);
	mlr_names_free(&in);
	free(dir);
	return 0;
}

/* Append each point to the list. */
static void push_point(void *arg, const struct mlc_metric *pt)
{
	struct mlc_metric_list *l = arg;
	*MLC_LIST_PUSH(l) = *pt;
}

/* 1 if key names a file inside a run's metrics/ folder (no way out of it). */
static int safe_key(const char *key)
{
	const char *p = key;

	if (*key == '\0' || *key == '/')
		return 0;
	for (;;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (p[n] == '\0')
			return 1;
		p += n + 1;
	}
}

/* The file of run_id's metric key (malloc'd), or NULL with err filled. */
static char *metric_path(struct registry *r, const char *run_id, const char *key,
			 struct mlc_error *err)
{
	struct mrun *run = mlr_find_run(r, run_id, 0, err);
	struct stat st;
	char *path;

	if (run == NULL)
		return NULL;
	path = safe_key(key) ? xasprintf("%s/metrics/%s", run->dir, key) : NULL;
	if (path == NULL || mlr_file_type(path, &st) != F_FILE) {
		free(path);
		mlc_error_set(err, MLC_ERR_NOTFOUND, "metric '%s': not logged by run %s", key,
			      run->id);
		return NULL;
	}
	return path;
}

/* Name the points of out from first on key. */
static void set_keys(struct mlc_metric_list *out, size_t first, const char *key)
{
	const char *k = arena_strdup(&out->arena, key);

	for (size_t i = first; i < out->n; i++)
		out->items[i].key = k;
}

/* A metric's whole history, by step then timestamp (every line of the file,
 * duplicates included, as MLflow returns them). Reads only that file. */
static int mlruns_metric_history(struct registry *r, const char *run_id, const char *key,
				 struct mlc_metric_list *out, struct mlc_error *err)
{
	char *path = metric_path(r, run_id, key, err);
	size_t first = out->n;

	if (path == NULL)
		return -1;
	if (read_points(IMPL(r), path, 0, push_point, out) < 0) {
		mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, mlr_read_why(errno));
		free(path);
		return -1;
	}
	free(path);
	set_keys(out, first, key);
	/* Stable enough: equal (step, timestamp) keep file order in practice. */
	if (out->n - first > 1)
		mlc_history_sort(out->items + first, out->n - first);
	return 0;
}

/* The length of buf[0, len) up to and with its last newline. */
static size_t whole_lines(const char *buf, size_t len)
{
	const char *nl = len ? memrchr(buf, '\n', len) : NULL;

	return nl ? (size_t)(nl - buf) + 1 : 0;
}

/* The run run_id as last listed, when no listing changed since the index was
 * made: no look at the disk (mlr_find_run checks every experiment folder and
 * the run's meta.yaml), for the import's call per metric. Else mlr_find_run. */
static struct mrun *listed_run(struct registry *r, const char *run_id, struct mlc_error *err)
{
	struct mlruns_impl *m = IMPL(r);
	size_t lo;

	if (m->index_stale)
		return mlr_find_run(r, run_id, 0, err);
	lo = index_lower_bound(m, run_id);
	for (; lo < m->n_index && strcmp(m->index[lo]->id, run_id) == 0; lo++)
		if (m->index[lo]->state == RUN_META || m->index[lo]->state == RUN_LOADED)
			return m->index[lo];
	return mlr_find_run(r, run_id, 0, err);
}

/* The contents of run_id's metric file key (malloc'd, its path in *path):
 * NULL with err filled when the run has no such file; NULL without (warned,
 * as a listing does) when it cannot be read. */
static char *read_metric_file(struct registry *r, const char *run_id, const char *key, char **path,
			      size_t *len, struct mlc_error *err)
{
	struct mrun *run = listed_run(r, run_id, err);
	char *buf;

	*path = NULL;
	if (run == NULL)
		return NULL;
	if (!safe_key(key)) {
		mlc_error_set(err, MLC_ERR_NOTFOUND, "metric '%s': not logged by run %s", key,
			      run->id);
		return NULL;
	}
	*path = xasprintf("%s/metrics/%s", run->dir, key);
	if ((buf = mlr_read_file(IMPL(r)->root, *path, len)) != NULL)
		return buf;
	if (errno == ENOENT)
		mlc_error_set(err, MLC_ERR_NOTFOUND, "metric '%s': not logged by run %s", key,
			      run->id);
	else
		mlr_warn(IMPL(r), *path, "cannot read: %s", mlr_read_why(errno));
	return NULL;
}

/* registry_metric_tail of a file store: import calls this for every metric
 * of every run, and an unchanged file costs one read and one hash. A file
 * that cannot be read is warned about (as a listing does) and gives no points. */
static int mlruns_metric_tail(struct registry *r, const char *run_id, const char *key,
			      struct mlc_read_mark *mark, struct mlc_metric_list *out,
			      struct mlc_error *err)
{
	struct mlruns_impl *m = IMPL(r);
	char *path, *buf;
	size_t len, whole, from = 0, first = out->n;
	int64_t before = 0;
	int kind = MLC_TAIL_ALL;
	struct parsed p;

	mlc_error_clear(err);
	if ((buf = read_metric_file(r, run_id, key, &path, &len, err)) == NULL) {
		free(path);
		memset(mark, 0, sizeof *mark);
		return err->code ? -1 : MLC_TAIL_ALL;
	}
	whole = whole_lines(buf, len);
	if (mark->size > 0 && (uint64_t)mark->size <= whole &&
	    mlr_hash(buf, (size_t)mark->size) == mark->hash) {
		kind = (uint64_t)mark->size == len ? MLC_TAIL_SAME : MLC_TAIL_GREW;
		from = (size_t)mark->size;
		before = mark->points;
	}
	if (kind != MLC_TAIL_SAME) {
		parse_points(m->c_locale, buf, from, len, push_point, out, &p);
		set_keys(out, first, key);
		warn_bad_lines(m, path, buf, from, &p);
		mark->size = p.bad ? 0 : (int64_t)whole;
		mark->hash = mlr_hash(buf, whole);
		mark->points = before + p.whole;
	}
	free(buf);
	free(path);
	return kind;
}

static int cmp_run_newest(const void *pa, const void *pb)
{
	const struct mlc_run *a = *(const struct mlc_run *const *)pa;
	const struct mlc_run *b = *(const struct mlc_run *const *)pb;

	if (a->start_time != b->start_time)
		return a->start_time > b->start_time ? -1 : 1;
	return strcmp(a->run_id, b->run_id);
}

/* Every metric, param and tag key of an experiment's runs (or, with newest,
 * of its newest active runs only). */
static int mlruns_experiment_keys(struct registry *r, const char *experiment, int64_t newest,
				  struct mlc_keys *out, struct mlc_error *err)
{
	struct mexp *x = find_experiment(r, experiment, err);
	const struct mlc_run **runs;
	size_t n = 0, cm = 0, cp = 0, ct = 0;

	if (x == NULL)
		return -1;
	ensure_runs_of(IMPL(r), x, LOAD_ALL);
	runs = xmalloc((x->n_runs ? x->n_runs : 1) * sizeof *runs);
	for (size_t i = 0; i < x->n_runs; i++)
		if (x->runs[i]->state == RUN_LOADED &&
		    (newest <= 0 || strcmp(x->runs[i]->run.lifecycle_stage, "active") == 0))
			runs[n++] = &x->runs[i]->run;
	if (newest > 0) {
		qsort(runs, n, sizeof *runs, cmp_run_newest);
		if ((uint64_t)newest < n)
			n = (size_t)newest;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < runs[i]->n_metrics; k++)
			mlc_keys_add(&out->arena, &out->metrics, &out->n_metrics, &cm,
				     runs[i]->metrics[k].key);
		for (size_t k = 0; k < runs[i]->n_params; k++)
			mlc_keys_add(&out->arena, &out->params, &out->n_params, &cp,
				     runs[i]->params[k].key);
		for (size_t k = 0; k < runs[i]->n_tags; k++)
			mlc_keys_add(&out->arena, &out->tags, &out->n_tags, &ct,
				     runs[i]->tags[k].key);
	}
	free(runs);
	return 0;
}

/* ---- opening and closing ------------------------------------------------ */

static void mlruns_close(struct registry *r)
{
	struct mlruns_impl *m = r->impl;

	drop_experiments(m);
	for (size_t i = 0; i < m->n_warnings; i++) {
		free((char *)m->warnings[i].path);
		free((char *)m->warnings[i].reason);
	}
	free(m->warnings);
	freelocale(m->c_locale);
	free(m->root);
	free(m);
}

static const struct registry_ops mlruns_ops = {
    .kind = "mlruns",
    .close = mlruns_close,
    .list_models = mlruns_list_models,
    .list_versions = mlruns_list_versions,
    .list_experiments = mlruns_list_experiments,
    .list_runs = mlruns_list_runs,
    .get_run = mlruns_get_run,
    .metric_history = mlruns_metric_history,
    .metric_tail = mlruns_metric_tail,
    .experiment_keys = mlruns_experiment_keys,
    .versions_for_run = mlruns_versions_for_run,
    .run_inputs = mlruns_run_inputs,
    .get_experiment = mlruns_get_experiment,
};

/* 1 if dir holds something of a file store: an experiment folder with a
 * meta.yaml, .trash or models/. */
static int looks_like_store(const char *dir)
{
	struct names ns;
	int found = 0;

	if (mlr_list_dir(NULL, dir, &ns) < 0)
		return 0;
	for (size_t i = 0; i < ns.n && !found; i++) {
		char *p = xasprintf("%s/%s/meta.yaml", dir, ns.v[i]);
		found = strcmp(ns.v[i], ".trash") == 0 || strcmp(ns.v[i], "models") == 0 ||
			(mlc_all_digits(ns.v[i]) && access(p, F_OK) == 0);
		free(p);
	}
	mlr_names_free(&ns);
	return found;
}

/* The store folder dir names: itself, or its mlruns/ subfolder; malloc'd
 * absolute path, or NULL with err filled. */
static char *store_root(const char *dir, struct mlc_error *err)
{
	char *sub = xasprintf("%s/mlruns", dir), *abs;
	struct stat st;
	enum ftype t = mlr_file_type(dir, &st);

	if (t != F_DIR) {
		free(sub);
		if (t == F_MISSING || t == F_DANGLING)
			mlc_error_set(err, MLC_ERR_NOTFOUND, "%s: no such directory", dir);
		else
			mlc_error_set(err, MLC_ERR_FAILED, "%s: not a directory", dir);
		return NULL;
	}
	if (!looks_like_store(dir) && mlr_file_type(sub, &st) == F_DIR && looks_like_store(sub))
		abs = realpath(sub, NULL);
	else
		abs = realpath(dir, NULL);
	free(sub);
	if (abs == NULL)
		mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", dir, strerror(errno));
	else if (!looks_like_store(abs)) {
		mlc_error_set(
		    err, MLC_ERR_FAILED,
		    "%s: not an MLflow file store (no experiment folder with a meta.yaml, "
		    "no .trash or models folder)",
		    dir);
		free(abs);
		abs = NULL;
	}
	return abs;
}

struct registry *registry_mlruns_open(const char *dir, const struct registry_open_opts *opts,
				      struct mlc_error *err)
{
	char *root = store_root(dir, err);
	struct mlruns_impl *m;
	struct registry *r;

	(void)opts; /* read-only whatever is asked; never created */
	if (root == NULL)
		return NULL;
	m = xcalloc(1, sizeof *m);
	m->root = root;
	m->index_stale = 1;
	m->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (m->c_locale == (locale_t)0) {
		mlc_error_set(err, MLC_ERR_FAILED, "%s: cannot make the C locale", dir);
		free(root);
		free(m);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->ops = &mlruns_ops;
	r->uri = xasprintf("mlruns:%s", root);
	r->display = xstrdup(root);
	r->caps = REG_CAP_TRASH_DIR;
	r->read_only = 1;
	r->impl = m;
	refresh_experiments(m);
	return r;
}
