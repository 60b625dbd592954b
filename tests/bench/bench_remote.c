/* bench_remote.c: `make bench` — the REST backend against the fixture server
 * (tests/remote/fixture.py) on loopback: how many requests and how long
 * listing 10,000 runs takes, and compare's 100 metric histories fetched one
 * by one versus together, on loopback and with 50 ms added to each answer
 * (a distant server). Prints numbers; asserts nothing. */
#include "config.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "fixture_client.h"
#include "registry.h"

#define N_RUNS 10000
#define CMP_RUNS 20 /* compare's most */
#define METRICS 5   /* each bulk run logs acc, loss, f1, auc, rmse */

static char url[64];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
	double t = now();
	int rc = 0;

	memset(out, 0, sizeof out);
	if (together)
		rc = registry_metric_histories(r, req, n, out, &err);
	else
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = registry_metric_history(r, req[i].run_id, req[i].key, &out[i], &err);
	t = now() - t;
	*requests = control("stats", "{}") - before;
	if (rc < 0)
		fprintf(stderr, "histories: %s\n", err.msg);
	for (size_t i = 0; i < n; i++)
		MLC_LIST_FREE(&out[i]);
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
	double t;
	pid_t pid;

	if (system("python3 -c '' >/dev/null 2>&1") != 0) {
		printf("bench_remote: skipped, python3 runs the fixture server\n");
		return 0;
	}
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
	t = now();
	if (registry_list_runs(r, &q, &runs, &err) < 0)
		fprintf(stderr, "runs: %s\n", err.msg);
	t = now() - t;
	n = control("stats", "{}") - before;
	printf("%-52s %7.3f s   %zu runs, %ld requests\n", "list every run of 'bulk'", t, runs.n,
	       n);
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
	MLC_LIST_FREE(&runs);
	registry_close(r);
	curl_global_cleanup();
	fixture_stop(pid);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
