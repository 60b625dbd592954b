/* bench_import.c: `make bench` — importing an MLflow file store: a generated
 * store of BENCH_IMPORT_RUNS runs x BENCH_IMPORT_POINTS points (2,000 x 1,000
 * by default, over four metrics) in a temporary folder, imported into a fresh
 * local registry, then imported again unchanged. BENCH_IMPORT_STORE=DIR keeps
 * the store there (made when missing) for profiling the import alone.
 * Prints numbers; asserts nothing. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"
#include "import.h"
#include "registry.h"

#define N_METRICS 4

static const char *const metric_names[N_METRICS] = {"loss", "acc", "val_loss", "val_acc"};

/* Seconds of CPU this process used (user + system): steadier than the wall
 * clock on a machine others share. */
static double cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* A positive integer from the environment variable name, or def. */
static long env_long(const char *name, long def)
{
	const char *s = getenv(name);
	long v = s ? atol(s) : 0;
	return v > 0 ? v : def;
}

/* Write text to path; -1 on failure. */
static int put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* One metric file of points lines as MLflow writes them (ms timestamp, Python
 * float, step); now and then a nan or inf, as real training logs have. */
static int put_metric(const char *path, long run, int k, long points)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	for (long i = 0; i < points; i++) {
		long long ts = 1700000000000LL + run * 100000 + i * 37;
		double v = (k % 2 ? 1.0 - exp(-(double)i / 90.0) : exp(-(double)i / 70.0)) +
			   (double)((run * 7919 + i * 104729) % 1000) / 1e5;
		if ((run + i) % 997 == 0)
			fprintf(f, "%lld nan %ld\n", ts, i);
		else if ((run + i) % 1999 == 0)
			fprintf(f, "%lld inf %ld\n", ts, i);
		else
			fprintf(f, "%lld %.17g %ld\n", ts, v, i);
	}
	return fclose(f);
}

/* One run folder with meta.yaml, two params, a tag and its metrics. */
static int put_run(const char *exp, long run, long points)
{
	char dir[600], path[700], body[768];
	int rc = 0;

	snprintf(dir, sizeof dir, "%s/%032lx", exp, run + 1);
	mkdir(dir, 0755);
	snprintf(body, sizeof body,
		 "artifact_uri: file:///x/%032lx/artifacts\nend_time: %lld\nentry_point_name: ''\n"
		 "experiment_id: '1'\nlifecycle_stage: active\nrun_id: %032lx\nrun_name: run-%ld\n"
		 "source_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: %lld\n"
		 "status: 3\ntags: []\nuser_id: bench\n",
		 run + 1, 1700000000000LL + run * 100000 + 99999, run + 1, run,
		 1700000000000LL + run * 100000);
	snprintf(path, sizeof path, "%s/meta.yaml", dir);
	rc |= put(path, body);
	for (const char *const *sub = (const char *const[]){"params", "tags", "metrics", NULL};
	     *sub; sub++) {
		snprintf(path, sizeof path, "%s/%s", dir, *sub);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof path, "%s/params/lr", dir);
	rc |= put(path, run % 2 ? "0.01" : "0.001");
	snprintf(path, sizeof path, "%s/params/batch", dir);
	rc |= put(path, "64");
	snprintf(path, sizeof path, "%s/tags/mlflow.user", dir);
	rc |= put(path, "bench");
	for (int k = 0; k < N_METRICS; k++) {
		long n = points / N_METRICS + (k < points % N_METRICS);
		snprintf(path, sizeof path, "%s/metrics/%s", dir, metric_names[k]);
		rc |= put_metric(path, run, k, n);
	}
	return rc;
}

/* The store: experiment 1 holding runs runs of points points each. */
static int make_store(const char *root, long runs, long points)
{
	char exp[560], path[640];

	snprintf(exp, sizeof exp, "%s/1", root);
	mkdir(exp, 0755);
	snprintf(path, sizeof path, "%s/meta.yaml", exp);
	if (put(path,
		"artifact_location: file:///x\nexperiment_id: '1'\nlifecycle_stage: active\n"
		"name: bench\ncreation_time: 1700000000000\nlast_update_time: 1700000000000\n") < 0)
		return -1;
	for (long r = 0; r < runs; r++)
		if (put_run(exp, r, points) != 0)
			return -1;
	return 0;
}

/* Import the store at src into the registry file db; wall seconds, or -1,
 * and CPU seconds in *cpu_secs. */
static double time_import(const char *src, const char *db, struct import_report *rep,
			  double *cpu_secs)
{
	struct registry_open_opts so = {.read_only = 1}, dopts = {.create = 1};
	struct import_opts io = {.actor = "bench"};
	struct mlc_error err = {0};
	struct registry *s = registry_open(src, &so, &err), *d;
	double t;

	if (s == NULL || (d = registry_open(db, &dopts, &err)) == NULL) {
		fprintf(stderr, "open: %s\n", err.msg);
		return -1;
	}
	t = bench_now();
	*cpu_secs = cpu();
	if (import_registry(s, d, &io, rep, &err) < 0) {
		fprintf(stderr, "import: %s\n", err.msg);
		t = -1;
	} else {
		t = bench_now() - t;
	}
	*cpu_secs = cpu() - *cpu_secs;
	registry_close(d);
	registry_close(s);
	return t;
}

static void report(const char *what, double secs, double cpu_secs, const struct import_report *rep)
{
	int64_t added = rep->added[IMP_METRIC_POINTS], present = rep->present[IMP_METRIC_POINTS];

	printf("%-44s %9.3f s   %.0f points/s, CPU %.3f s (%lld added, %lld already there)\n", what,
	       secs, (double)(added + present) / secs, cpu_secs, (long long)added,
	       (long long)present);
	fflush(stdout);
}

int main(void)
{
	long runs = env_long("BENCH_IMPORT_RUNS", 2000);
	long points = env_long("BENCH_IMPORT_POINTS", 1000);
	const char *keep = getenv("BENCH_IMPORT_STORE");
	char base[] = "/tmp/mlc-bench-import-XXXXXX", store[512], db[64], cmd[320];
	struct import_report rep;
	struct stat st;
	double t, c;

	if (mkdtemp(base) == NULL)
		return 1;
	snprintf(store, sizeof store, "%s", keep ? keep : base);
	snprintf(db, sizeof db, "%s.db", base);
	printf("mlconsole import bench: %ld runs x %ld points (%ld points)\n", runs, points,
	       runs * points);
	t = bench_now();
	if (keep && stat(store, &st) != 0 && mkdir(store, 0755) != 0)
		return 1;
	if ((keep == NULL || stat(store, &st) != 0 || st.st_nlink <= 2) &&
	    make_store(store, runs, points) < 0) {
		fprintf(stderr, "%s: cannot write the store\n", store);
		return 1;
	}
	printf("%-44s %9.3f s\n", "generate the mlruns store", bench_now() - t);
	if ((t = time_import(store, db, &rep, &c)) > 0)
		report("import (first)", t, c, &rep);
	import_report_free(&rep);
	if ((t = time_import(store, db, &rep, &c)) > 0)
		report("import again, store unchanged", t, c, &rep);
	import_report_free(&rep);
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s' '%s-wal' '%s-shm'", base, db, db, db);
	return system(cmd) == 0 ? 0 : 1;
}
