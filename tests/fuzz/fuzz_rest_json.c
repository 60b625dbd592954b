/* fuzz_rest_json.c: the MLflow REST backend's mapping of JSON answers to
 * models, versions, experiments, runs, histories, environments, deployments,
 * requests and drift series (core/registry_mlflow.c), through the real HTTP
 * client: a loopback responder in this process answers each request of one
 * operation with the input. Input: an operation byte (bits 0-4: which read,
 * modulo N_OPS; bit 6: answer 404 instead of 200), then the body. The first 4 requests of
 * an operation get the body, later ones "{}" (so paging always ends). */
#include "config.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include "deploy.h"
#include "drift_series.h"
#include "fuzz.h"
#include "registry.h"

#define ANSWERS 4 /* requests per operation that get the input */
#define N_OPS 17

/* What the responder answers: set by the harness, read by connection threads. */
static struct {
	pthread_mutex_t lock;
	const uint8_t *body;
	size_t len;
	int status;
	int left; /* requests that still get body */
} answer = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Read one request (headers and a Content-Length body); 0, or -1 at EOF. */
static int read_request(int fd)
{
	char buf[65536];
	size_t n = 0;
	long body = 0;
	char *end = NULL;

	while (end == NULL) {
		ssize_t got = n < sizeof buf - 1 ? read(fd, buf + n, sizeof buf - 1 - n) : -1;
		if (got <= 0)
			return -1;
		n += (size_t)got;
		buf[n] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	for (char *h = strchr(buf, '\n'); h && h < end; h = strchr(h + 1, '\n'))
		if (strncasecmp(h + 1, "content-length:", 15) == 0)
			body = strtol(h + 16, NULL, 10);
	body -= (long)(n - (size_t)(end + 4 - buf));
	while (body > 0) {
		ssize_t got = read(fd, buf, sizeof buf);
		if (got <= 0)
			return -1;
		body -= got;
	}
	return 0;
}

/* Write head and body in one go (two writes would meet Nagle and delayed
 * ACKs: 40 ms a request). */
static int write_all(int fd, const char *head, size_t hn, const void *body, size_t bn)
{
	char *buf = malloc(hn + bn + 1), *p = buf;
	size_t n = hn + bn;

	if (buf == NULL)
		return -1;
	memcpy(buf, head, hn);
	if (bn)
		memcpy(buf + hn, body, bn);
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			break;
		p += w;
		n -= (size_t)w;
	}
	free(buf);
	return n == 0 ? 0 : -1;
}

/* Answer each request on one kept-alive connection. */
static void *serve_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;

	while (read_request(fd) == 0) {
		char head[256];
		int ok, n;

		pthread_mutex_lock(&answer.lock);
		int use = answer.left > 0;
		const void *b = use ? (const void *)answer.body : "{}";
		size_t len = use ? answer.len : 2;
		answer.left -= use;
		n = snprintf(head, sizeof head,
			     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
			     "Content-Length: %zu\r\n\r\n",
			     use ? answer.status : 200, len);
		ok = write_all(fd, head, (size_t)n, b, len) == 0;
		pthread_mutex_unlock(&answer.lock);
		if (!ok)
			break;
	}
	close(fd);
	return NULL;
}

/* Accept connections for ever, a thread each. */
static void *serve(void *arg)
{
	int s = (int)(intptr_t)arg, one = 1;

	for (;;) {
		int fd = accept(s, NULL, NULL);
		pthread_t t;

		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (pthread_create(&t, NULL, serve_conn, (void *)(intptr_t)fd) != 0)
			close(fd);
		else
			pthread_detach(t);
	}
	return NULL;
}

/* The responder's port, started on first use. */
static int responder(void)
{
	static int port;
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;
	pthread_t t;
	int s;

	if (port)
		return port;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) != 0 ||
	    pthread_create(&t, NULL, serve, (void *)(intptr_t)s) != 0)
		fuzz_fail("cannot start the loopback responder");
	pthread_detach(t);
	return port = ntohs(a.sin_port);
}

/* The backend against the responder (opened once; it keeps no state but the
 * connection). */
static struct registry *backend(void)
{
	static struct registry *r;
	struct registry_open_opts o = {0};
	struct mlc_error err = {0};
	char uri[64];

	if (r != NULL)
		return r;
	setenv("HOME", fuzz_tmpdir(), 1);
	setenv("XDG_STATE_HOME", fuzz_tmpdir(), 1);
	setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0", 1);
	setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "10", 1);
	unsetenv("MLFLOW_TRACKING_TOKEN");
	unsetenv("MLFLOW_TRACKING_USERNAME");
	unsetenv("MLFLOW_TRACKING_PASSWORD");
	snprintf(uri, sizeof uri, "http://127.0.0.1:%d", responder());
	if ((r = registry_mlflow_open(uri, &o, &err)) == NULL)
		fuzz_fail("cannot open %s: %s", uri, err.msg);
	return r;
}

/* Run read operation op (one of N_OPS) against r. */
static void read_op(struct registry *r, int op)
{
	static const char *const ids[] = {"r1", "r2"};
	const struct mlc_history_req req[2] = {{"r1", "acc"}, {"r2", "loss"}};
	struct mlc_run_query q = {.experiment = "1", .all = 1};
	union {
		struct mlc_model_list models;
		struct mlc_version_list versions;
		struct mlc_experiment_list exps;
		struct mlc_run_list runs[2];
		struct mlc_metric_list hist[2];
		struct mlc_env_list envs;
		struct mlc_request_list reqs;
		struct mlc_drift_list drift;
		struct mlc_keys keys;
	} u;
	struct mlc_live_list live = {0};
	struct mlc_event_list history = {0};
	struct mlc_error err = {0};

	memset(&u, 0, sizeof u);
	switch (op) {
	case 0:
		registry_list_models(r, NULL, &u.models, &err);
		MLC_LIST_FREE(&u.models);
		break;
	case 1:
		registry_list_versions(r, "m", &u.versions, &err);
		MLC_LIST_FREE(&u.versions);
		break;
	case 2:
		registry_list_experiments(r, 1, &u.exps, &err);
		MLC_LIST_FREE(&u.exps);
		break;
	case 3:
		q.filter = "metrics.acc > 0.5";
		q.order_by = "metrics.acc DESC, params.lr, start_time";
		registry_list_runs(r, &q, &u.runs[0], &err);
		MLC_LIST_FREE(&u.runs[0]);
		break;
	case 4:
		registry_list_runs(r, &q, &u.runs[0], &err);
		MLC_LIST_FREE(&u.runs[0]);
		break;
	case 5:
		registry_get_run(r, "r1", &u.runs[0], &err);
		MLC_LIST_FREE(&u.runs[0]);
		break;
	case 6:
		registry_get_runs(r, ids, 2, u.runs, &err);
		MLC_LIST_FREE(&u.runs[0]);
		MLC_LIST_FREE(&u.runs[1]);
		break;
	case 7:
		registry_metric_history(r, "r1", "acc", &u.hist[0], &err);
		MLC_LIST_FREE(&u.hist[0]);
		break;
	case 8:
		registry_metric_histories(r, req, 2, u.hist, &err);
		MLC_LIST_FREE(&u.hist[0]);
		MLC_LIST_FREE(&u.hist[1]);
		break;
	case 9:
		registry_experiment_keys(r, "1", 0, &u.keys, &err);
		mlc_keys_free(&u.keys);
		break;
	case 10:
		registry_versions_for_run(r, "r1", &u.versions, &err);
		MLC_LIST_FREE(&u.versions);
		break;
	case 11:
		registry_get_experiment(r, "fraud", &u.exps, &err);
		MLC_LIST_FREE(&u.exps);
		break;
	case 12:
		registry_env_list(r, &u.envs, &err);
		MLC_LIST_FREE(&u.envs);
		break;
	case 13:
		registry_deployments(r, NULL, NULL, &live, &history, &err);
		break;
	case 14:
		registry_deployments(r, "m", NULL, &live, &history, &err);
		break;
	case 15:
		registry_requests(r, REQ_ALL, 0, &u.reqs, &err);
		MLC_LIST_FREE(&u.reqs);
		break;
	default:
		registry_drift_series(r, "m", NULL, 30, &u.drift, &err);
		MLC_LIST_FREE(&u.drift);
		break;
	}
	MLC_LIST_FREE(&live);
	MLC_LIST_FREE(&history);
}

/* One input: one read whose answers are the input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct registry *r = backend();
	int op = size > 0 ? (data[0] & 31) % N_OPS : 0;

	pthread_mutex_lock(&answer.lock);
	answer.body = size > 0 ? data + 1 : data;
	answer.len = size > 0 ? size - 1 : 0;
	answer.status = size > 0 && (data[0] & 64) ? 404 : 200;
	answer.left = ANSWERS;
	pthread_mutex_unlock(&answer.lock);
	read_op(r, op);
	pthread_mutex_lock(&answer.lock);
	answer.body = NULL;
	answer.left = 0;
	pthread_mutex_unlock(&answer.lock);
	return 0;
}
