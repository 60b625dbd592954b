/* fuzz_browse.c: every read a console makes of a registry, for the harnesses
 * whose input becomes a registry (a file store, a server's answers). Failures
 * are fine; only what the sanitizers see (or an abort) is a finding. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "deploy.h"
#include "drift_series.h"
#include "fuzz.h"
#include "registry.h"

#define MAX_EACH 8 /* items of each list looked into */

/* A run's detail, lineage and metric histories, one by one and together. */
static void browse_run(struct registry *r, const char *run_id)
{
	struct mlc_run_list run = {0};
	struct mlc_version_list versions = {0};
	struct mlc_metric_list hist[2];
	struct mlc_history_req req[2];
	struct mlc_error err = {0};
	size_t n = 0;

	memset(hist, 0, sizeof hist);
	if (registry_get_run(r, run_id, &run, &err) == 0 && run.n > 0) {
		const struct mlc_run *x = &run.items[0];

		for (size_t i = 0; i < x->n_metrics && i < 2; i++) {
			req[n].run_id = x->run_id;
			req[n++].key = x->metrics[i].key;
			registry_metric_history(r, x->run_id, x->metrics[i].key, &hist[0], &err);
			MLC_LIST_FREE(&hist[0]);
		}
		if (n > 0)
			registry_metric_histories(r, req, n, hist, &err);
	}
	for (size_t i = 0; i < 2; i++)
		MLC_LIST_FREE(&hist[i]);
	registry_versions_for_run(r, run_id, &versions, &err);
	MLC_LIST_FREE(&versions);
	MLC_LIST_FREE(&run);
}

/* An experiment: itself, its runs (plain, filtered and sorted), its keys. */
static void browse_experiment(struct registry *r, const char *id)
{
	struct mlc_run_query q = {.experiment = id, .all = 1};
	struct mlc_experiment_list one = {0};
	struct mlc_run_list runs = {0};
	struct mlc_keys keys = {0};
	struct mlc_error err = {0};

	registry_get_experiment(r, id, &one, &err);
	MLC_LIST_FREE(&one);
	registry_experiment_keys(r, id, 0, &keys, &err);
	mlc_keys_free(&keys);
	if (registry_list_runs(r, &q, &runs, &err) == 0) {
		for (size_t i = 0; i < runs.n && i < MAX_EACH; i++)
			browse_run(r, runs.items[i].run_id);
	}
	MLC_LIST_FREE(&runs);
	q.filter = "metrics.acc > 0.5 and params.lr != '1' and attributes.status = 'FINISHED'";
	q.order_by = "metrics.acc DESC, params.lr, start_time";
	q.limit = 10;
	registry_list_runs(r, &q, &runs, &err);
	MLC_LIST_FREE(&runs);
}

/* The model registry side: models, their versions, deployments, drift. */
static void browse_models(struct registry *r)
{
	struct mlc_model_list models = {0};
	struct mlc_version_list versions = {0};
	struct mlc_live_list live = {0};
	struct mlc_event_list history = {0};
	struct mlc_drift_list drift = {0};
	struct mlc_error err = {0};

	if (registry_list_models(r, NULL, &models, &err) == 0) {
		for (size_t i = 0; i < models.n && i < MAX_EACH; i++) {
			const char *name = models.items[i].name;

			registry_list_versions(r, name, &versions, &err);
			MLC_LIST_FREE(&versions);
			registry_deployments(r, name, NULL, &live, &history, &err);
			MLC_LIST_FREE(&live);
			MLC_LIST_FREE(&history);
			registry_drift_series(r, name, NULL, 30, &drift, &err);
			MLC_LIST_FREE(&drift);
		}
	}
	MLC_LIST_FREE(&models);
	registry_list_models(r, "name LIKE '%a%' AND tags.team = 'risk'", &models, &err);
	MLC_LIST_FREE(&models);
}

/* Everything a console reads, as far as r answers. */
void fuzz_browse(struct registry *r)
{
	struct mlc_experiment_list exps = {0};
	struct mlc_env_list envs = {0};
	struct mlc_request_list reqs = {0};
	struct mlc_error err = {0};

	if (registry_list_experiments(r, 1, &exps, &err) == 0) {
		for (size_t i = 0; i < exps.n && i < MAX_EACH; i++)
			browse_experiment(r, exps.items[i].experiment_id);
	}
	MLC_LIST_FREE(&exps);
	browse_models(r);
	registry_env_list(r, &envs, &err);
	MLC_LIST_FREE(&envs);
	registry_requests(r, REQ_ALL, 0, &reqs, &err);
	MLC_LIST_FREE(&reqs);
}
