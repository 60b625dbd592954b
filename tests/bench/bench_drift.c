/* bench_drift.c: `make bench` — drift compute on 1M vs 1M text values: the
 * whole `mlconsole drift compute` process, and the statistic alone (KS, PSI,
 * Wasserstein) on the values already read; next to SciPy/NumPy doing the
 * same (tests/bench/drift_scipy.py, run by $PYTHON or python3) when
 * python3-scipy is installed. Prints numbers; asserts nothing.
 * Usage: bench_drift [N [MLCONSOLE]]. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "drift.h"
#include "error.h"
#include "xmalloc.h"

/* Write n normal-ish values (sum of uniforms, shifted by shift) one a line
 * with 17 significant digits, as Python's repr writes most floats. */
static int write_sample(const char *path, long n, double shift, unsigned seed)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	srand(seed);
	for (long i = 0; i < n; i++) {
		double x = -6.0 + shift;
		for (int k = 0; k < 12; k++)
			x += (double)rand() / RAND_MAX;
		fprintf(f, "%.17g\n", x);
	}
	return fclose(f);
}

/* The values of a file written by write_sample; NULL on failure. */
static double *read_sample(const char *path, long n)
{
	FILE *f = fopen(path, "r");
	double *v = xmalloc((size_t)n * sizeof *v);
	char line[64];
	long i = 0;

	if (f == NULL) {
		free(v);
		return NULL;
	}
	while (i < n && fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (drift_scan_number(line, &v[i]) == 0)
			i++;
	}
	fclose(f);
	return v;
}

/* The best of five times of drift_compute with method m. */
static double compute_best(const double *r, const double *c, long n, enum drift_method m)
{
	struct drift_options opt = {.method = m};
	double best = -1;

	for (int i = 0; i < 5; i++) {
		struct drift_result res;
		struct mlc_error err = {0};
		double t = bench_now();

		if (drift_compute(r, (size_t)n, c, (size_t)n, &opt, &res, &err) < 0)
			return -1;
		t = bench_now() - t;
		drift_result_free(&res);
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

/* One row: work, anchor, mlconsole, ratio, goal. */
static void row(const char *work, double anchor, double mine, const char *goal)
{
	char a[32] = "skipped", r[32] = "-";

	if (anchor > 0) {
		snprintf(a, sizeof a, "%.3f s", anchor);
		snprintf(r, sizeof r, "%.2f", mine / anchor);
	}
	printf("%-38s %12s %10.3f s %7s   %s\n", work, a, mine, r, goal);
	fflush(stdout);
}

/* The anchor's figure for what (a line "what SECONDS" that the script
 * prints), or -1. */
static double anchor_of(const char *out, const char *what)
{
	const char *p = strstr(out, what);
	return p ? atof(p + strlen(what)) : -1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	const char *mlc = argc > 2 ? argv[2] : "./mlconsole";
	const char *py = getenv("DRIFT_SCIPY_SCRIPT");
	char ref[] = "/tmp/mlc-bench-drift-ref.txt", cur[] = "/tmp/mlc-bench-drift-cur.txt";
	char cmd[1024], out[4096] = "";
	static const enum drift_method methods[] = {DRIFT_KS, DRIFT_PSI, DRIFT_WASSERSTEIN};
	double *r, *c, whole;
	size_t got = 0;
	FILE *p;

	printf("mlconsole bench: drift compute, %ld vs %ld text values\n", n, n);
	if (write_sample(ref, n, 0.0, 1) < 0 || write_sample(cur, n, 0.05, 2) < 0)
		return 1;
	snprintf(cmd, sizeof cmd,
		 "${PYTHON:-python3} -c 'import scipy' 2>/dev/null && ${PYTHON:-python3} %s %s %s",
		 py ? py : "tests/bench/drift_scipy.py", ref, cur);
	if ((p = popen(cmd, "r")) != NULL) {
		got = fread(out, 1, sizeof out - 1, p);
		out[got] = '\0';
		pclose(p);
	}
	if (got == 0)
		printf("SciPy anchor: skipped: python3-scipy is not installed\n");
	printf("%-38s %12s %12s %7s   %s\n", "work", "SciPy/NumPy", "mlconsole", "ratio", "goal");
	snprintf(cmd, sizeof cmd,
		 "%s drift compute --reference %s --current %s --method ks >/dev/null", mlc, ref,
		 cur);
	whole = bench_best_of(cmd, 5);
	row("KS, whole process (read + compute)", anchor_of(out, "whole_ks "), whole, "<= 0.25");
	r = read_sample(ref, n);
	c = read_sample(cur, n);
	if (r == NULL || c == NULL)
		return 1;
	for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
		char work[64], key[32];

		snprintf(work, sizeof work, "%s, compute alone", drift_method_name(methods[i]));
		snprintf(key, sizeof key, "compute_%s ", drift_method_name(methods[i]));
		row(work, anchor_of(out, key), compute_best(r, c, n, methods[i]), "<= 0.33");
	}
	free(r);
	free(c);
	remove(ref);
	remove(cur);
	return 0;
}
