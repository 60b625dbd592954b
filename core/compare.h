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

#endif
