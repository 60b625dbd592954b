/* worker.c: one thread per open registry, a job queue under a mutex, and a
 * self-pipe that carries finished jobs back to the main loop. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "worker.h"
#include "xmalloc.h"

struct job {
	job_run_fn run;
	job_done_fn done;
	void *arg;
	struct job *next;
};

struct worker {
	struct registry *reg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	int stopping, busy;
	int pipe[2];
};

/* The thread: take jobs in order, run them, send each back through the pipe. */
static void *worker_loop(void *p)
{
	struct worker *w = p;

	for (;;) {
		struct job *j;

		pthread_mutex_lock(&w->lock);
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->head == NULL) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		j = w->head;
		w->head = j->next;
		if (w->head == NULL)
			w->tail = NULL;
		registry_resume(w->reg); /* an Esc for the previous job ends with it */
		pthread_mutex_unlock(&w->lock);
		j->run(w->reg, j->arg);
		while (write(w->pipe[1], &j, sizeof j) < 0 && errno == EINTR)
			;
	}
	return NULL;
}

struct worker *worker_start(struct registry *r)
{
	struct worker *w = xcalloc(1, sizeof *w);

	w->reg = r;
	if (pipe(w->pipe) < 0) {
		free(w);
		return NULL;
	}
	fcntl(w->pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(w->pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(w->pipe[1], F_SETFD, FD_CLOEXEC);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, worker_loop, w) != 0) {
		close(w->pipe[0]);
		close(w->pipe[1]);
		free(w);
		return NULL;
	}
	return w;
}

int worker_fd(const struct worker *w)
{
	return w->pipe[0];
}

void worker_submit(struct worker *w, job_run_fn run, job_done_fn done, void *arg)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->run = run;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->lock);
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->busy++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void worker_drain(struct worker *w, struct app *a)
{
	struct job *j;

	while (read(w->pipe[0], &j, sizeof j) == (ssize_t)sizeof j) {
		pthread_mutex_lock(&w->lock);
		w->busy--;
		pthread_mutex_unlock(&w->lock);
		j->done(a, j->arg);
		free(j);
	}
}

/* Under the lock, so that it cannot fall between taking a job and resuming. */
void worker_interrupt(struct worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	registry_interrupt(w->reg);
	pthread_mutex_unlock(&w->lock);
}

int worker_busy(const struct worker *w)
{
	return w->busy;
}

void worker_stop(struct worker *w)
{
	struct job *j, *queued;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	registry_interrupt(w->reg); /* quitting never waits for a slow server */
	queued = w->head;
	w->head = w->tail = NULL;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	/* Finished jobs still in the pipe, then those never run: let them free. */
	int fl = fcntl(w->pipe[0], F_GETFL);
	fcntl(w->pipe[0], F_SETFL, fl | O_NONBLOCK);
	while (read(w->pipe[0], &j, sizeof j) == (ssize_t)sizeof j) {
		j->done(NULL, j->arg);
		free(j);
	}
	while ((j = queued) != NULL) {
		queued = j->next;
		j->done(NULL, j->arg);
		free(j);
	}
	close(w->pipe[0]);
	close(w->pipe[1]);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	registry_close(w->reg);
	free(w);
}
