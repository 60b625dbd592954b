/* compare.h: what "compare runs" means, computed once for the CLI and the TUI:
 * which params differ, which run is best per metric (lower is better for
 * losses and errors, higher otherwise, flippable per row), deltas against the
 * first run. */
#ifndef MLC_COMPARE_H
#define MLC_COMPARE_H
#include <stddef.h>
#include "arena.h"
#include "model.h"

/* 1 if a metric named key is better when lower: its name has a word (split on
 * anything that is not a letter or digit, case-insensitive) among loss, error,
 * err, rmse, mae, mse, mape, perplexity, latency, logloss, nll, wer, cer, or
 * ends in "loss" (valloss). Otherwise higher is better. */
int compare_lower_is_better(const char *key);

struct compare_param {
	const char *key;
	const char **values; /* one per run; NULL where the run has no such param */
	int differs;         /* not every run has the same value (missing counts) */
};

struct compare_metric {
	const char *key;
	double *values;  /* one per run; NaN where missing or NaN */
	int *present;    /* 1 where the run logged the metric */
	double *delta;   /* values[i] - values[0]; NaN where either is not finite */
	int lower_better;
	int best;        /* index of the best run, -1 when no finite value; ties: first */
};

/* A dataset role (context and name, e.g. training fraud-train) of the runs:
 * the digest each run used, so "same data or not" shows. */
struct compare_dataset {
	const char *context, *name;
	const char **digests; /* one per run; NULL where the run used no such dataset */
	int differs;	      /* not every run used the same digest (missing counts) */
};

struct mlc_compare {
	struct mlc_arena arena;
	size_t nruns;
	struct compare_param *params; /* sorted by key */
	size_t nparams, nparams_differ;
	struct compare_metric *metrics; /* sorted by key */
	size_t nmetrics;
	struct compare_dataset *datasets; /* mlc_inputs_sort's order */
	size_t ndatasets, ndatasets_differ;
};

/* Build the comparison of runs[0..n). flipped[0..nflipped) names metrics whose
 * direction the user flipped. Returns 0. Free with compare_free. */
int compare_build(struct mlc_compare *c, const struct mlc_run *runs, size_t n,
		  const char *const *flipped, size_t nflipped);
void compare_free(struct mlc_compare *c);

/* ---- two versions of a model, side by side (mlconsole diff, :diff) ---- */

/* One row of a version diff: what (section "param", "metric", "dataset",
 * "source", "tag", "version tag") and key, each version's value (NULL where
 * it has none), and whether they differ. */
struct diff_row {
	const char *section, *key;
	const char *values[2];
	int differs;
};

struct mlc_version_diff {
	struct mlc_arena arena;
	struct diff_row *rows; /* the differing rows first, then the same; each in section order */
	size_t n, ndiffer;
};

/* Build the diff of versions v[0] and v[1] made by runs run[0] and run[1]
 * (NULL: the version has no run): params, final metrics (%.6g), datasets
 * (digests), source commit (tag mlflow.source.git.commit), run tags and
 * version tags. Free with version_diff_free. */
void version_diff_build(struct mlc_version_diff *d, const struct mlc_version *const v[2],
			const struct mlc_run *const run[2]);
void version_diff_free(struct mlc_version_diff *d);
struct registry;
struct mlc_error;
/* Read versions v1 and v2 of model and the runs they were registered from
 * in r, and build their diff into d; -1 with err (a version not found, a
 * run that cannot be read). */
int version_diff_fetch(struct registry *r, const char *model, const char *v1, const char *v2,
		       struct mlc_version_diff *d, struct mlc_error *err);

#endif
