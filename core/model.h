/* model.h: the data model shared by every backend and view — registered models,
 * versions, experiments, runs and their metrics. Every string and array of a
 * result lives in the result's arena and is freed with it. */
#ifndef MLC_MODEL_H
#define MLC_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

struct mlc_kv {
	const char *key;
	const char *value;
};

struct mlc_alias {
	const char *alias;
	const char *version; /* a string, as in MLflow */
};

struct mlc_metric {
	const char *key;
	double value; /* NaN and +-Inf are kept as such */
	int64_t timestamp; /* ms since the epoch */
	int64_t step;
};

struct mlc_model {
	const char *name;
	const char *description;
	int64_t creation_time, last_updated_time; /* ms */
	int64_t n_versions;
	const char *latest_version; /* "" when the model has none */
	struct mlc_kv *tags;
	size_t n_tags;
	struct mlc_alias *aliases;
	size_t n_aliases;
};

struct mlc_version {
	const char *model;
	const char *version;
	const char *source;
	const char *run_id; /* "" when not registered from a run */
	const char *status;
	const char *stage; /* legacy MLflow stage: None, Staging, Production, Archived */
	const char *description;
	const char *user_id;
	int64_t creation_time, last_updated_time;
	struct mlc_kv *tags;
	size_t n_tags;
	const char **aliases;
	size_t n_aliases;
};

struct mlc_experiment {
	const char *experiment_id;
	const char *name;
	const char *artifact_location;
	const char *lifecycle_stage; /* active | deleted */
	int64_t creation_time, last_update_time;
	int64_t run_count; /* -1: unknown (a remote server has no count) */
	struct mlc_kv *tags;
	size_t n_tags;
};

/* A dataset a run used: one of MLflow's run inputs (MLflow 2.17.2's REST API). source,
 * schema and profile are MLflow's JSON text, kept as given ("" when absent). */
struct mlc_dataset_input {
	const char *name;
	const char *digest;
	const char *source_type; /* "s3", "local", "http", ... */
	const char *source;	 /* {"uri": "..."} */
	const char *schema;
	const char *profile;
	const char *context; /* tag mlflow.data.context: training, evaluation, ...; "" */
};

struct mlc_run {
	const char *run_id;
	const char *run_name;
	const char *experiment_id;
	const char *user_id;
	const char *status; /* RUNNING, SCHEDULED, FINISHED, FAILED, KILLED */
	const char *artifact_uri;
	const char *lifecycle_stage;
	int64_t start_time, end_time; /* end_time 0 while running */
	struct mlc_metric *metrics; /* latest value per key, sorted by key */
	size_t n_metrics;
	struct mlc_kv *params; /* sorted by key */
	size_t n_params;
	struct mlc_kv *tags; /* sorted by key */
	size_t n_tags;
	/* The datasets the run used (mlc_inputs_sort's order); inputs_read says
	 * they were read: get_run and get_runs always read them, listings may. */
	struct mlc_dataset_input *inputs;
	size_t n_inputs;
	int inputs_read;
};

/* A result set: items of one kind plus the arena that owns them. */
#define MLC_LIST(name, type)                                                   \
	struct name {                                                          \
		struct mlc_arena arena;                                        \
		type *items;                                                   \
		size_t n, cap;                                                 \
	}

MLC_LIST(mlc_model_list, struct mlc_model);
MLC_LIST(mlc_version_list, struct mlc_version);
MLC_LIST(mlc_experiment_list, struct mlc_experiment);
MLC_LIST(mlc_run_list, struct mlc_run);
MLC_LIST(mlc_metric_list, struct mlc_metric);
MLC_LIST(mlc_input_list, struct mlc_dataset_input);

/* Append a zeroed item to list l (any MLC_LIST) and return it. */
#define MLC_LIST_PUSH(l)                                                       \
	((__typeof__((l)->items))arena_grow(&(l)->arena, (void **)&(l)->items, \
					    &(l)->cap, (l)->n++,           \
					    sizeof *(l)->items))
/* Sort by cmp (as qsort) the items of list l (any MLC_LIST) from index
 * first on: those a listing appended to what was there. */
#define MLC_LIST_SORT_FROM(l, first, cmp)                                      \
	do {                                                                   \
		if ((l)->n - (first) > 1)                                      \
			qsort((l)->items + (first), (l)->n - (first),          \
			      sizeof *(l)->items, (cmp));                      \
	} while (0)
/* Free a list and everything its items point to. */
#define MLC_LIST_FREE(l)                                                       \
	do {                                                                   \
		arena_free(&(l)->arena);                                       \
		(l)->items = NULL;                                             \
		(l)->n = (l)->cap = 0;                                         \
	} while (0)

/* Latest-value rule of MLflow: the maximum by (step, timestamp, value); NaN
 * sorts below every number. Returns <0, 0, >0. */
int mlc_metric_cmp_latest(const struct mlc_metric *a, const struct mlc_metric *b);

/* Look a key up in a sorted or unsorted kv array; NULL when absent. */
const char *mlc_kv_get(const struct mlc_kv *kv, size_t n, const char *key);
/* Which kind of value a column spec names — 'm' for "metrics.K", 'p' for
 * "params.K", 't' for "tags.K" (singular prefixes too) — with *key set to K;
 * 0 for anything else (an attribute). */
char mlc_column_kind(const char *col, const char **key);
/* Sort a metric history by (step, timestamp), keeping the order of equal
 * points (stable). */
void mlc_history_sort(struct mlc_metric *m, size_t n);

/* Numeric order of decimal strings of any length, ids and version numbers
 * ("9" < "10" < 18-digit ids; "" below everything). */
int mlc_cmp_numeric_str(const char *a, const char *b);
/* 1 if s is a non-empty run of ASCII digits (an id, not a name), else 0. */
int mlc_all_digits(const char *s);
/* qsort order of struct mlc_experiment: by name, active before deleted, then id. */
int mlc_experiment_cmp_name(const void *a, const void *b);
/* Add key to the sorted, distinct arena array *arr of *n strings (capacity
 * *cap), copying it into a. */
void mlc_keys_add(struct mlc_arena *a, const char ***arr, size_t *n, size_t *cap, const char *key);
/* Find the metric named key in run r; NULL when absent. */
const struct mlc_metric *mlc_run_metric(const struct mlc_run *r, const char *key);
/* Deep copies into a: n key-value pairs; a run's attributes (not its values);
 * a run with all its values. */
struct mlc_kv *mlc_kvs_copy(struct mlc_arena *a, const struct mlc_kv *src, size_t n);
void mlc_run_copy_attrs(struct mlc_arena *a, struct mlc_run *dst, const struct mlc_run *src);
void mlc_run_copy(struct mlc_arena *a, struct mlc_run *dst, const struct mlc_run *src);
/* Deep copy of n dataset inputs into a. */
struct mlc_dataset_input *mlc_inputs_copy(struct mlc_arena *a, const struct mlc_dataset_input *src,
					  size_t n);
/* Sort dataset inputs the one way every backend shows them: by context
 * (training first, then evaluation, then others by name), name, digest. */
void mlc_inputs_sort(struct mlc_dataset_input *in, size_t n);
/* Where a dataset's source points: the "uri" (else "path", "url") of its JSON
 * source text, copied into a; the text itself when it has none. */
const char *mlc_input_location(struct mlc_arena *a, const struct mlc_dataset_input *in);
/* How a dataset is named on screen, copied into a: "NAME (CONTEXT)", or
 * NAME without a context; and its digest and location ("DIGEST  URI"). */
const char *mlc_input_label(struct mlc_arena *a, const struct mlc_dataset_input *in);
const char *mlc_input_summary(struct mlc_arena *a, const struct mlc_dataset_input *in);
/* The input of run r for the same dataset role as in (context and name); NULL. */
const struct mlc_dataset_input *mlc_run_input_like(const struct mlc_run *r,
						   const struct mlc_dataset_input *in);

#endif
