/* pulse.h: the registry at a glance, one row per model — what is live in
 * each environment, pending requests, drift status, failed hooks and the
 * newest version — worst first. Built from a handful of bulk reads (one per
 * kind of thing, never one per model) for the console's pulse screen. */
#ifndef MLC_PULSE_H
#define MLC_PULSE_H
#include <stddef.h>
#include <stdint.h>
#include "alert.h"
#include "deploy.h"
#include "drift_series.h"
#include "error.h"
#include "model.h"

struct registry;

/* What model has live in one environment. */
struct pulse_live {
	const char *environment, *version; /* version "" when nothing is live there */
	int hook_failed;		   /* the deployment's hook failed */
};

/* One model's row. A new column is one more field here, set in pulse_build. */
struct pulse_row {
	const char *model;
	const char *newest;	 /* the newest version, "" when the model has none */
	struct pulse_live *live; /* one per environment, in the environments' order */
	size_t n_live;
	int64_t pending;     /* pending requests for the model */
	int drift;	     /* worst drift status of its features, -1 when none recorded */
	size_t drifting;     /* features whose latest window drifted */
	size_t features;     /* features with a drift series */
	size_t failed_hooks; /* environments whose hook failed for the live version */
	size_t alerts;	     /* open alert firings (alert.h) */
};

MLC_LIST(pulse_list, struct pulse_row);

/* What the registry could tell: a kind it does not keep (a file store has no
 * deployments) is left out, not an error. */
struct pulse_source {
	const struct mlc_model_list *models;
	const struct mlc_env_list *envs;     /* NULL: no environments */
	const struct mlc_live_list *live;    /* NULL: no deployments */
	const struct mlc_request_list *reqs; /* NULL: no requests (pending ones) */
	const struct mlc_drift_list *drift;  /* NULL: no drift (latest point per feature) */
	const struct mlc_alert_firing_list *alerts; /* NULL: no alerts (the open firings) */
};

/* Build the rows from src into out, worst first (pulse_cmp). */
void pulse_build(struct pulse_list *out, const struct pulse_source *src);
/* The order of the rows: a failed hook first, then open alerts, then drift
 * before warn (ok and no drift recorded rank alike), then pending requests,
 * then by name.
 * <0, 0, >0 as for qsort. */
int pulse_cmp(const void *a, const void *b);
/* Read what the pulse needs from r — the models, environments, live
 * deployments, pending requests, the latest drift point per feature and the
 * open alert firings, one bulk read each — and build the rows into out; *reads (may be NULL) is set
 * to the reads made. -1 with err when the models cannot be read. */
int pulse_load(struct registry *r, struct pulse_list *out, int *reads, struct mlc_error *err);

#endif
