/* bench.h: what the benchmarks under tests/bench share — the monotonic clock
 * and the best wall-clock time of a shell command over several runs. Header
 * only (static inline), for programs that print numbers and assert nothing. */
#ifndef MLC_BENCH_H
#define MLC_BENCH_H
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The best of `times` wall-clock times of the shell command cmd (which
 * redirects its own output), or -1 when a run fails. */
static inline double bench_best_of(const char *cmd, int times)
{
	double best = -1;

	for (int i = 0; i < times; i++) {
		double t = bench_now();

		if (system(cmd) != 0)
			return -1;
		t = bench_now() - t;
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

#endif
