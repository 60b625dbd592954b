/* bench_registry.c: `make bench` — how long the local registry takes to make
 * and to read at benchmark sizes, and how much memory the reads hold. Prints
 * numbers; asserts nothing (timing belongs here, never in tests). */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "bench.h"
#include "demo.h"
#include "registry.h"

/* Peak resident memory in MiB. */
static double peak_mib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

static void report(const char *what, double secs, const char *extra)
{
	printf("%-44s %9.3f s   %s\n", what, secs, extra ? extra : "");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	long long runs = argc > 1 ? atoll(argv[1]) : 100000;
	long long points = argc > 2 ? atoll(argv[2]) : 10000000;
	const char *mlc = argc > 3 ? argv[3] : "./mlconsole";
	char path[] = "/tmp/mlc-bench-XXXXXX";
	char db[64], buf[128];
	struct demo_opts d = {.runs = runs, .points = points, .seed = 7};
	struct registry_open_opts ro = {0};
	struct mlc_error err = {0};
	struct registry *r;
	double t;
	int fd = mkstemp(path);

	if (fd < 0)
		return 1;
	close(fd);
	unlink(path);
	snprintf(db, sizeof db, "%s.db", path);
	printf("mlconsole bench: %lld runs, %lld metric points\n", runs, points);

	t = bench_now();
	if (demo_create(db, &d, &err) < 0) {
		fprintf(stderr, "demo create: %s\n", err.msg);
		return 1;
	}
	t = bench_now() - t;
	snprintf(buf, sizeof buf, "%.0f points/s", (double)points / t);
	report("demo create", t, buf);
	/* Reading is measured on a cold start of the file as a user opens it. */

	t = bench_now();
	r = registry_open(db, &ro, &err);
	report("registry_open", bench_now() - t, NULL);
	if (r == NULL)
		return 1;

	struct mlc_model_list models = {0};
	t = bench_now();
	registry_list_models(r, NULL, &models, &err);
	snprintf(buf, sizeof buf, "%zu models", models.n);
	report("list models", bench_now() - t, buf);
	MLC_LIST_FREE(&models);

	struct mlc_experiment_list exps = {0};
	t = bench_now();
	registry_list_experiments(r, 0, &exps, &err);
	report("list experiments (with run counts)", bench_now() - t, NULL);
	const char *largest = NULL;
	long long most = -1;
	for (size_t i = 0; i < exps.n; i++)
		if (exps.items[i].run_count > most) {
			most = exps.items[i].run_count;
			largest = exps.items[i].experiment_id;
		}

	struct mlc_run_list rl = {0};
	struct mlc_run_query q = {.experiment = largest, .limit = 100};
	t = bench_now();
	registry_list_runs(r, &q, &rl, &err);
	report("first 100 runs of the largest experiment", bench_now() - t, NULL);
	MLC_LIST_FREE(&rl);

	q.limit = 0;
	t = bench_now();
	registry_list_runs(r, &q, &rl, &err);
	snprintf(buf, sizeof buf, "%zu runs, peak %.0f MiB", rl.n, peak_mib());
	report("all runs of the largest experiment", bench_now() - t, buf);

	struct mlc_keys keys = {0};
	t = bench_now();
	registry_experiment_keys(r, largest, 0, &keys, &err);
	snprintf(buf, sizeof buf, "%zu metrics, %zu params, %zu tags", keys.n_metrics,
		 keys.n_params, keys.n_tags);
	report("experiment keys (column picker)", bench_now() - t, buf);
	struct mlc_keys newest = {0};
	t = bench_now();
	registry_experiment_keys(r, largest, 50, &newest, &err);
	report("keys of the newest 50 runs (default columns)", bench_now() - t, NULL);
	mlc_keys_free(&newest);

	const char *cols[6];
	size_t ncols = 0;
	for (size_t i = 0; i < keys.n_metrics && ncols < 4; i++)
		cols[ncols++] = arena_printf(&keys.arena, "metrics.%s", keys.metrics[i]);
	for (size_t i = 0; i < keys.n_params && ncols < 6; i++)
		cols[ncols++] = arena_printf(&keys.arena, "params.%s", keys.params[i]);
	struct mlc_run_list lean = {0};
	struct mlc_run_query lq = {
	    .experiment = largest, .lean = 1, .columns = cols, .n_columns = ncols};
	t = bench_now();
	registry_list_runs(r, &lq, &lean, &err);
	snprintf(buf, sizeof buf, "%zu runs, %zu columns (what the runs view loads)", lean.n,
		 ncols);
	report("all runs, lean", bench_now() - t, buf);
	MLC_LIST_FREE(&lean);

	/* The CLI's first page by a metric, whole process, beside sqlite3's own CLI
	 * walking ix_latest_key_value for the same 50 rows (issue 13's anchor). */
	const char *metric = keys.n_metrics ? keys.metrics[0] : "auc";
	for (size_t i = 0; i < keys.n_metrics; i++)
		if (strcmp(keys.metrics[i], "auc") == 0)
			metric = "auc";
	char cmd[1024];
	double cli, anchor = -1;
	snprintf(cmd, sizeof cmd,
		 "%s -r %s runs %s --order-by 'metrics.%s DESC' --limit 50 >/dev/null 2>&1", mlc,
		 db, largest, metric);
	cli = bench_best_of(cmd, 5);
	if (system("command -v sqlite3 >/dev/null 2>&1") == 0) {
		snprintf(
		    cmd, sizeof cmd,
		    "sqlite3 %s \"SELECT r.run_uuid, r.run_name, lm.value FROM latest_metrics lm"
		    " CROSS JOIN runs r ON r.id = lm.run_id WHERE lm.key_id = (SELECT id FROM"
		    " metric_keys WHERE key = '%s') AND r.experiment_id = (SELECT id FROM"
		    " experiments WHERE experiment_id = '%s') AND r.lifecycle_stage = 'active'"
		    " ORDER BY lm.value DESC LIMIT 50\" >/dev/null",
		    db, metric, largest);
		anchor = bench_best_of(cmd, 5);
	}
	if (anchor > 0)
		snprintf(buf, sizeof buf, "sqlite3 CLI %.3f s (%.2fx)", anchor, cli / anchor);
	else
		snprintf(buf, sizeof buf, "sqlite3 CLI not installed");
	report("CLI runs --order-by metric --limit 50", cli, buf);
	mlc_keys_free(&keys);

	q.filter = "status = 'FINISHED'";
	q.order_by = "start_time ASC";
	q.limit = 100;
	struct mlc_run_list fl = {0};
	t = bench_now();
	registry_list_runs(r, &q, &fl, &err);
	report("filtered + ordered, first 100", bench_now() - t, NULL);
	MLC_LIST_FREE(&fl);

	if (rl.n > 0 && rl.items[0].n_metrics > 0) {
		struct mlc_metric_list h = {0};
		t = bench_now();
		registry_metric_history(r, rl.items[0].run_id, rl.items[0].metrics[0].key, &h,
					&err);
		snprintf(buf, sizeof buf, "%zu points", h.n);
		report("one metric history", bench_now() - t, buf);
		MLC_LIST_FREE(&h);
	}
	MLC_LIST_FREE(&rl);
	MLC_LIST_FREE(&exps);
	registry_close(r);
	unlink(db);
	snprintf(buf, sizeof buf, "%s-wal", db);
	unlink(buf);
	snprintf(buf, sizeof buf, "%s-shm", db);
	unlink(buf);
	printf("peak memory %.0f MiB\n", peak_mib());
	return 0;
}
