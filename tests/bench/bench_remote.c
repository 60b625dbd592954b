/* bench_remote.c: `make bench` — the REST backend against the fixture server
 * (tests/remote/fixture.py) on loopback: how many requests and how long
 * listing 10,000 runs takes, and compare's 100 metric histories fetched one
 * by one versus together, on loopback and with 50 ms added to each answer
 * (a distant server); `runs --order-by METRIC --limit 50` against one
 * runs/search round trip when the server's metric sort takes 0.5 s (MLflow
 * 2.17.2 takes ~4 s on 10,000 runs); `mlconsole import` of
 * the server (10,000 runs, 5 metrics each) with get-history-bulk and
 * without it (one get-history per metric per run: 50,000 requests, about
 * 30 s on loopback since the fixture looks runs up by an index; BENCH_QUICK
 * leaves it out), against paging its runs. Prints numbers; asserts nothing. */
#include "config.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "bench.h"
#include "fixture_client.h"
#include "registry.h"

#define N_RUNS 10000
#define CMP_RUNS 20 /* compare's most */
#define METRICS 5   /* each bulk run logs acc, loss, f1, auc, rmse */

static char url[64];

/* POST body to the fixture's control endpoint what; the requests it has served. */
static long control(const char *what, const char *body)
{
	json_t *j = fixture_control(url, what, body);
	long n = (long)json_integer_value(json_object_get(j, "requests"));

	json_decref(j);
	return n;
}

/* The histories of req, one by one (together = 0) or together; seconds. */
static double histories(struct registry *r, const struct mlc_history_req *req, size_t n,
			int together, long *requests)
{
	struct mlc_metric_list out[CMP_RUNS * METRICS];
	struct mlc_error err = {0};
	long before = control("stats", "{}");
	double t = bench_now();
	int rc = 0;

	memset(out, 0, sizeof out);
	if (together)
		rc = registry_metric_histories(r, req, n, out, &err);
	else
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = registry_metric_history(r, req[i].run_id, req[i].key, &out[i], &err);
	t = bench_now() - t;
	*requests = control("stats", "{}") - before;
	if (rc < 0)
		fprintf(stderr, "histories: %s\n", err.msg);
	for (size_t i = 0; i < n; i++)
		MLC_LIST_FREE(&out[i]);
	return t;
}

/* Seconds of one runs/search of the first 50 of 'bulk' by acc, sent by hand:
 * one server round trip, the anchor of the CLI's --limit. */
static double one_search(void)
{
	static const char body[] = "{\"experiment_ids\": [\"2\"], \"max_results\": 50, "
				   "\"order_by\": [\"metrics.acc DESC\"]}";
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	CURL *c = curl_easy_init();
	FILE *null = fopen("/dev/null", "w");
	char u[128];
	double t;

	snprintf(u, sizeof u, "%s/api/2.0/mlflow/runs/search", url);
	curl_easy_setopt(c, CURLOPT_URL, u);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, null);
	t = bench_now();
	curl_easy_perform(c);
	t = bench_now() - t;
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	fclose(null);
	return t;
}

/* The first 50 runs of 'bulk' by acc as the CLI's --limit 50 asks (limit 50)
 * or as a whole listing sorted here (limit 0); seconds. */
static double first_50(struct registry *r, int64_t limit, long *requests)
{
	struct mlc_run_query q = {
	    .experiment = "bulk", .order_by = "metrics.acc DESC", .limit = limit};
	struct mlc_run_list l = {0};
	struct mlc_error err = {0};
	long before = control("stats", "{}");
	double t = bench_now();

	if (registry_list_runs(r, &q, &l, &err) < 0)
		fprintf(stderr, "runs: %s\n", err.msg);
	t = bench_now() - t;
	*requests = control("stats", "{}") - before;
	MLC_LIST_FREE(&l);
	return t;
}

/* --limit 50 --order-by a metric against one round trip, the server's
 * metric sort made to take 0.5 s. */
static void limit_bench(struct registry *r)
{
	double anchor, t, all;
	long n, n_all;

	control("delay", "{\"metric_sort\": 0.5}");
	anchor = one_search();
	t = first_50(r, 50, &n);
	control("delay", "{\"metric_sort\": 0}");
	all = first_50(r, 0, &n_all);
	printf("%-52s %7.3f s\n", "one runs/search by acc, 50 rows (0.5 s sort)", anchor);
	printf("%-52s %7.3f s   %ld requests, %.2fx one round trip (goal <= 1.2x)\n",
	       "runs --order-by acc --limit 50 (server sorts)", t, n, t / anchor);
	printf("%-52s %7.3f s   %ld requests (no sort delay: pages only)\n",
	       "the same 50 from every run sorted here", all, n_all);
}

/* Seconds `./mlconsole import` of the fixture into a new registry in dir
 * takes, get-history-bulk served or not; -1 without the binary. */
static double mirror(const char *dir, int bulk, long *requests)
{
	char cmd[512];
	long before;
	double t;

	if (access("./mlconsole", X_OK) != 0)
		return -1;
	control("fault", "{}"); /* no 50 ms added any more */
	control("bulk", bulk ? "{}" : "{\"on\": false}");
	snprintf(cmd, sizeof cmd,
		 "rm -f '%s/mirror.db'*; ./mlconsole -r '%s/mirror.db' import %s >/dev/null", dir,
		 dir, url);
	before = control("stats", "{}");
	t = bench_now();
	if (system(cmd) != 0)
		fprintf(stderr, "mirror: import failed\n");
	t = bench_now() - t;
	*requests = control("stats", "{}") - before;
	control("bulk", "{}");
	return t;
}

int main(void)
{
	static const char *const keys[METRICS] = {"acc", "loss", "f1", "auc", "rmse"};
	char dir[] = "/tmp/mlc-bench-remote-XXXXXX", cmd[96], nruns[16];
	const char *args[] = {"--runs", nruns, NULL};
	int port;
	struct mlc_history_req req[CMP_RUNS * METRICS];
	struct mlc_run_query q = {.experiment = "bulk"};
	struct mlc_run_list runs = {0};
	struct mlc_error err = {0};
	struct registry *r;
	long before, n;
	double t, list_t;
	pid_t pid;

	if (system("python3 -c '' >/dev/null 2>&1") != 0) {
		printf("bench_remote: skipped, python3 runs the fixture server\n");
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(nruns, sizeof nruns, "%d", N_RUNS);
	if (mkdtemp(dir) == NULL || fixture_spawn(dir, args, &pid, &port) < 0) {
		fprintf(stderr, "bench_remote: cannot start tests/remote/fixture.py\n");
		return 1;
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	setenv("HOME", dir, 1);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((r = registry_open(url, NULL, &err)) == NULL) {
		fprintf(stderr, "bench_remote: %s\n", err.msg);
		return 1;
	}
	printf("mlconsole bench: the REST backend, fixture on loopback, %d runs\n", N_RUNS);
	before = control("stats", "{}");
	t = bench_now();
	if (registry_list_runs(r, &q, &runs, &err) < 0)
		fprintf(stderr, "runs: %s\n", err.msg);
	t = list_t = bench_now() - t;
	n = control("stats", "{}") - before;
	printf("%-52s %7.3f s   %zu runs, %ld requests\n", "list every run of 'bulk'", t, runs.n,
	       n);
	limit_bench(r);
	for (size_t i = 0; i < CMP_RUNS * METRICS; i++)
		req[i] =
		    (struct mlc_history_req){runs.items[i / METRICS].run_id, keys[i % METRICS]};
	for (int slow = 0; slow < 2; slow++) {
		const char *how = slow ? "+50 ms each" : "loopback";
		char what[64];
		if (slow)
			control(
			    "fault",
			    "{\"mode\": \"slow\", \"arg\": \"0.05\", \"path\": \"get-history\"}");
		for (int together = 0; together < 2; together++) {
			t = histories(r, req, CMP_RUNS * METRICS, together, &n);
			snprintf(what, sizeof what, "%d histories %s (%s)", CMP_RUNS * METRICS,
				 together ? "together" : "one by one", how);
			printf("%-52s %7.3f s   %ld requests\n", what, t, n);
		}
	}
	for (int bulk = 1; bulk >= 0; bulk--) {
		double m;
		if (!bulk && getenv("BENCH_QUICK") != NULL) {
			printf("%-52s skipped: BENCH_QUICK (50,000 requests)\n",
			       "import of the server (get-history only)");
			break;
		}
		m = mirror(dir, bulk, &n);
		if (m < 0) {
			printf("%-52s skipped: no ./mlconsole here\n", "import of the server");
			break;
		}
		printf("%-52s %7.3f s   %ld requests, %.2fx paging its runs (goal <= 2x)\n",
		       bulk ? "import of the server (get-history-bulk)"
			    : "import of the server (get-history only)",
		       m, n, m / list_t);
	}
	MLC_LIST_FREE(&runs);
	registry_close(r);
	curl_global_cleanup();
	fixture_stop(pid);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
