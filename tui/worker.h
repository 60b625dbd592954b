/* worker.h: the registry worker thread. The TUI never touches the registry on
 * its main thread: jobs run here and their results come back through a pipe
 * that the main loop polls, so a slow registry never freezes the screen. */
#ifndef MLC_WORKER_H
#define MLC_WORKER_H
#include "registry.h"

struct worker;
struct app;

/* Runs on the worker thread with the registry. */
typedef void (*job_run_fn)(struct registry *r, void *arg);
/* Runs on the main thread when the job has finished; owns arg from then on. */
typedef void (*job_done_fn)(struct app *a, void *arg);

/* Start a worker that owns r (closed by worker_stop). NULL on failure. */
struct worker *worker_start(struct registry *r);
/* The fd to poll for finished jobs. */
int worker_fd(const struct worker *w);
/* Queue a job. */
void worker_submit(struct worker *w, job_run_fn run, job_done_fn done, void *arg);
/* Call the done callbacks of finished jobs (main thread, after poll says readable). */
void worker_drain(struct worker *w, struct app *a);
/* Cancel the job running now (main thread): its registry call fails with
 * "cancelled" at once, and so do the job's later calls; the next job runs
 * normally. Nothing happens with a local registry. */
void worker_interrupt(struct worker *w);
/* Number of jobs queued or running. */
int worker_busy(const struct worker *w);
/* Cancel the running job, drop queued ones (their done callbacks still run with
 * a == NULL so they can free), join the thread, close the registry. */
void worker_stop(struct worker *w);

#endif
