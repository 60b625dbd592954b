/* pulse.c: the pulse rows — per model, what is live where, pending requests,
 * drift and failed hooks, built from bulk reads and sorted worst first. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "pulse.h"
#include "drift.h"
#include "registry.h"
#include "timefmt.h"

/* qsort order of rows by model name. */
static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct pulse_row *)a)->model, ((const struct pulse_row *)b)->model);
}

/* The row of model among out's rows sorted by name, NULL when none. */
static struct pulse_row *row_of(struct pulse_list *out, const char *model)
{
	struct pulse_row key = {.model = model};

	return model ? bsearch(&key, out->items, out->n, sizeof key, by_name) : NULL;
}

/* The index of env in src's environments, -1 when not there. */
static int env_index(const struct pulse_source *src, const char *env)
{
	for (size_t i = 0; src->envs && i < src->envs->n; i++)
		if (strcmp(src->envs->items[i].name, env) == 0)
			return (int)i;
	return -1;
}

/* One row per model, its environments empty, in name order. */
static void add_models(struct pulse_list *out, const struct pulse_source *src)
{
	size_t nenv = src->envs ? src->envs->n : 0;

	for (size_t i = 0; i < src->models->n; i++) {
		const struct mlc_model *m = &src->models->items[i];
		struct pulse_row *row = MLC_LIST_PUSH(out);
		row->model = arena_strdup(&out->arena, m->name);
		row->newest = arena_strdup(&out->arena, m->latest_version ? m->latest_version : "");
		row->drift = -1;
		row->n_live = nenv;
		row->live = arena_alloc(&out->arena, (nenv ? nenv : 1) * sizeof *row->live);
		for (size_t e = 0; e < nenv; e++)
			row->live[e] = (struct pulse_live){
			    arena_strdup(&out->arena, src->envs->items[e].name), "", 0};
	}
	qsort(out->items, out->n, sizeof *out->items, by_name);
}

/* The live deployments into their rows' environments. */
static void add_live(struct pulse_list *out, const struct pulse_source *src)
{
	for (size_t i = 0; src->live && i < src->live->n; i++) {
		const struct mlc_live *l = &src->live->items[i];
		struct pulse_row *row = row_of(out, l->model);
		int e = env_index(src, l->environment);
		if (row == NULL || e < 0)
			continue;
		row->live[e].version = arena_strdup(&out->arena, l->version);
		row->live[e].hook_failed = strcmp(l->hook_status, "failed") == 0;
		row->failed_hooks += (size_t)row->live[e].hook_failed;
	}
}

/* The pending requests and the drift status into their models' rows. */
static void add_requests_drift(struct pulse_list *out, const struct pulse_source *src)
{
	for (size_t i = 0; src->reqs && i < src->reqs->n; i++) {
		struct pulse_row *row = row_of(out, src->reqs->items[i].model);
		if (row != NULL && strcmp(src->reqs->items[i].state, "pending") == 0)
			row->pending++;
	}
	for (size_t i = 0; src->drift && i < src->drift->n; i++) {
		const struct mlc_drift_feature *f = &src->drift->items[i];
		struct pulse_row *row = row_of(out, f->model);
		if (row == NULL)
			continue;
		row->features++;
		row->drifting += f->status == DRIFT_STATUS_DRIFT;
		if ((int)f->status > row->drift)
			row->drift = (int)f->status;
	}
}

/* The open alert firings into their models' rows. */
static void add_alerts(struct pulse_list *out, const struct pulse_source *src)
{
	for (size_t i = 0; src->alerts && i < src->alerts->n; i++) {
		const struct mlc_alert_firing *f = &src->alerts->items[i];
		struct pulse_row *row = row_of(out, f->model);
		if (row == NULL || !f->open)
			continue;
		row->alerts++;
	}
}

int pulse_cmp(const void *a, const void *b)
{
	const struct pulse_row *x = a, *y = b;

	if ((x->failed_hooks > 0) != (y->failed_hooks > 0))
		return x->failed_hooks > 0 ? -1 : 1;
	if ((x->alerts > 0) != (y->alerts > 0))
		return x->alerts > 0 ? -1 : 1;
	/* ok and none recorded rank alike: only warn and drift are trouble */
	if ((x->drift > 0 ? x->drift : 0) != (y->drift > 0 ? y->drift : 0))
		return x->drift > y->drift ? -1 : 1;
	if ((x->pending > 0) != (y->pending > 0))
		return x->pending > 0 ? -1 : 1;
	return strcmp(x->model, y->model);
}

void pulse_build(struct pulse_list *out, const struct pulse_source *src)
{
	add_models(out, src);
	add_live(out, src);
	add_requests_drift(out, src);
	add_alerts(out, src);
	qsort(out->items, out->n, sizeof *out->items, pulse_cmp);
}

/* Free the lists pulse_load read. */
static void free_source(struct mlc_model_list *m, struct mlc_env_list *e, struct mlc_live_list *l,
			struct mlc_event_list *h, struct mlc_request_list *q,
			struct mlc_drift_list *d)
{
	MLC_LIST_FREE(m);
	MLC_LIST_FREE(e);
	MLC_LIST_FREE(l);
	MLC_LIST_FREE(h);
	MLC_LIST_FREE(q);
	MLC_LIST_FREE(d);
}

int pulse_load(struct registry *r, struct pulse_list *out, int *reads, struct mlc_error *err)
{
	struct mlc_model_list models = {0};
	struct mlc_env_list envs = {0};
	struct mlc_live_list live = {0};
	struct mlc_event_list history = {0};
	struct mlc_request_list reqs = {0};
	struct mlc_drift_list drift = {0};
	struct mlc_alert_firing_list alerts = {0};
	struct pulse_source src = {.models = &models};
	struct mlc_error no = {0};
	int n = 1;

	if (registry_list_models(r, NULL, &models, err) < 0)
		return -1;
	if (registry_can(r, REG_CAP_DEPLOY, "show deployments", &no) == 0) {
		n += 3;
		if (registry_env_list(r, &envs, err) < 0 ||
		    registry_deployments(r, NULL, NULL, &live, &history, err) < 0 ||
		    registry_requests(r, REQ_PENDING, 0, &reqs, err) < 0) {
			free_source(&models, &envs, &live, &history, &reqs, &drift);
			return -1;
		}
		src.envs = &envs;
		src.live = &live;
		src.reqs = &reqs;
		n += 2; /* the firings, and the requests that keep them open */
		if (alert_open(r, NULL, NULL, timefmt_now_ms(), &alerts, err) < 0) {
			free_source(&models, &envs, &live, &history, &reqs, &drift);
			MLC_LIST_FREE(&alerts);
			return -1;
		}
		src.alerts = &alerts;
	}
	if (registry_can(r, REG_CAP_DRIFT, "show drift", &no) == 0) {
		n++;
		if (registry_drift_series(r, NULL, NULL, 1, &drift, err) < 0) {
			free_source(&models, &envs, &live, &history, &reqs, &drift);
			MLC_LIST_FREE(&alerts);
			return -1;
		}
		src.drift = &drift;
	}
	pulse_build(out, &src);
	if (reads)
		*reads = n;
	free_source(&models, &envs, &live, &history, &reqs, &drift);
	MLC_LIST_FREE(&alerts);
	return 0;
}
