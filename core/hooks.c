/* hooks.c: the hooks of the operator's config file (parsed by config.c) and
 * running a hook — a command with the deployment in its environment and a time
 * limit, and/or an HTTP POST of a JSON body (libcurl, loaded on first use; TLS
 * verified) — then
 * storing what happened in the registry. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "curl_dl.h"
#include "hooks.h"
#include "settings.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

#define OUTPUT_CAP 2048 /* of a hook's output, the first this many bytes are kept */
#define KILL_GRACE_MS 2000 /* from SIGTERM to SIGKILL for a hook past its time limit */

char *hooks_config_path(void)
{
	return config_path();
}

/* Copy the config's hook h into slot. */
static void hook_copy(struct hook *slot, const struct config_hook *h)
{
	snprintf(slot->env, sizeof slot->env, "%s", h->env);
	slot->command = h->command ? xstrdup(h->command) : NULL;
	slot->url = h->url ? xstrdup(h->url) : NULL;
	slot->timeout = h->timeout;
	slot->models = h->models ? xstrdup(h->models) : NULL;
}

int hooks_from_config(struct hooks *hs, const struct config *c, const char *context,
		      struct mlc_error *err)
{
	memset(hs, 0, sizeof *hs);
	for (size_t i = 0; i < c->n_hooks; i++) {
		const char *env = c->hooks[i].env;
		if (hooks_find(hs, env))
			continue;
		const struct config_hook *h = config_hook(c, context, env);
		if (h == NULL)
			continue; /* another context's hook, with no global one */
		if (hs->n == HOOKS_MAX) {
			hooks_free(hs);
			return mlc_error_set(err, MLC_ERR_USAGE, "%s: more than %d hooks", c->path,
					     HOOKS_MAX);
		}
		hook_copy(&hs->h[hs->n++], h);
	}
	return 0;
}

int hooks_load_context(struct hooks *hs, const char *path, const char *context,
		       struct mlc_error *err)
{
	struct config c;
	int rc;

	memset(hs, 0, sizeof *hs);
	if (config_load(&c, path, err) < 0)
		return -1;
	rc = hooks_from_config(hs, &c, context, err);
	config_free(&c);
	return rc;
}

int hooks_load(struct hooks *hs, const char *path, struct mlc_error *err)
{
	return hooks_load_context(hs, path, NULL, err);
}

void hooks_free(struct hooks *hs)
{
	for (int i = 0; i < hs->n; i++) {
		free(hs->h[i].command);
		free(hs->h[i].url);
		free(hs->h[i].models);
	}
	memset(hs, 0, sizeof *hs);
}

const struct hook *hooks_find(const struct hooks *hs, const char *env)
{
	for (int i = 0; hs && i < hs->n; i++)
		if (strcmp(hs->h[i].env, env) == 0)
			return &hs->h[i];
	return NULL;
}

/* What the hook is told: the deployment that just happened. */
struct hook_event {
	const char *model, *version, *previous, *env, *action, *actor;
	const char *const *vars; /* more variables, NAME, value pairs (an alert's) */
	size_t n_vars;
};

/* Keep the first OUTPUT_CAP bytes of a hook's output in out. */
static void keep_output(struct strbuf *out, const char *data, size_t n)
{
	if (out->len < OUTPUT_CAP)
		sb_addn(out, data, n < OUTPUT_CAP - out->len ? n : OUTPUT_CAP - out->len);
}

/* Read once from the hook's output fd into out; closes *fd (-1) at its end. */
static void read_output(int *fd, struct strbuf *out)
{
	char buf[512];
	ssize_t n = read(*fd, buf, sizeof buf);

	if (n > 0) {
		keep_output(out, buf, (size_t)n);
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

/* Wait for the hook's shell pid until deadline (ms), keeping its output from
 * *fd; 1 when it exited (*status set), 0 at the deadline. The shell's exit
 * ends the wait even when a child it left behind holds the output open. */
static int wait_hook(pid_t pid, int *fd, int64_t deadline, struct strbuf *out, int *status)
{
	for (;;) {
		struct pollfd pfd = {.fd = *fd, .events = POLLIN};
		int64_t left = deadline - timefmt_now_ms();
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid || (w < 0 && errno == ECHILD)) {
			/* what is already in the pipe, not what may come later */
			for (int i = 0; i < 16 && *fd >= 0 && poll(&pfd, 1, 0) > 0; i++)
				read_output(fd, out);
			return 1;
		}
		if (left <= 0)
			return 0;
		/* a closed output gives no wake-up at the shell's exit: look every 50 ms */
		if (poll(&pfd, *fd >= 0 ? 1 : 0, left < 50 ? (int)left : 50) > 0)
			read_output(fd, out);
	}
}

/* Stop the hook's process group: SIGTERM, then SIGKILL once its shell has
 * exited or after KILL_GRACE_MS; then reap the shell. The shell is reaped
 * last so that its pid, the group's id, cannot be reused in between. */
static void kill_hook(pid_t pid)
{
	int64_t until = timefmt_now_ms() + KILL_GRACE_MS;
	siginfo_t si;

	kill(-pid, SIGTERM);
	for (;;) {
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid)
			break;
		if (timefmt_now_ms() >= until)
			break;
		poll(NULL, 0, 20);
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Run the command with the event in MLC_* variables, in a process group of
 * its own; its exit status, or -1 on timeout (the whole group killed). The
 * first OUTPUT_CAP bytes of its output go to out. */
static int run_command(const struct hook *h, const struct hook_event *ev, struct strbuf *out)
{
	int p[2], status = 0;
	pid_t pid;
	int64_t deadline = timefmt_now_ms() + (int64_t)h->timeout * 1000;

	if (pipe(p) < 0)
		return -2;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -2;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		setenv("MLC_MODEL", ev->model, 1);
		setenv("MLC_VERSION", ev->version, 1);
		setenv("MLC_PREVIOUS_VERSION", ev->previous, 1);
		setenv("MLC_ENV", ev->env, 1);
		setenv("MLC_ACTION", ev->action, 1);
		setenv("MLC_ACTOR", ev->actor, 1);
		for (size_t i = 0; i < ev->n_vars; i++)
			setenv(ev->vars[2 * i], ev->vars[2 * i + 1], 1);
		execl("/bin/sh", "sh", "-c", h->command, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid); /* as the child does: a kill at once finds the group */
	close(p[1]);
	if (!wait_hook(pid, &p[0], deadline, out, &status)) {
		kill_hook(pid);
		status = -1;
	} else {
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (p[0] >= 0)
		close(p[0]);
	return status;
}

/* libcurl: keep the start of the response body. */
static size_t keep_body(char *data, size_t size, size_t n, void *ctx)
{
	keep_output(ctx, data, size * n);
	return size * n;
}

/* POST the event as JSON; the HTTP status, or -1 when the request failed. */
static long post_url(const struct hook *h, const struct hook_event *ev, struct strbuf *out)
{
	json_t *body;
	char *text;
	struct curl_slist *hdr;
	struct mlc_error e = {0};
	CURL *c;
	long code = -1;
	CURLcode rc;

	if (mlc_curl_load(NULL, "webhooks", &e) < 0) {
		sb_printf(out, "%s", e.msg);
		return -1;
	}
	body = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "model", ev->model, "version", ev->version,
			 "previous_version", ev->previous, "environment", ev->env, "action",
			 ev->action, "actor", ev->actor);
	for (size_t i = 0; body && i < ev->n_vars; i++)
		json_object_set_new(body, ev->vars[2 * i], json_string(ev->vars[2 * i + 1]));
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	hdr = curl_slist_append(NULL, "Content-Type: application/json");
	c = curl_easy_init();
	if (c && text) {
		curl_easy_setopt(c, CURLOPT_URL, h->url);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)h->timeout);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
		rc = curl_easy_perform(c);
		if (rc == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		else
			sb_printf(out, "%s", curl_easy_strerror(rc));
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	free(text);
	json_decref(body);
	return code;
}

/* The first line of s, at most 200 bytes, for the stored detail. */
static void first_lines(struct strbuf *detail, const char *s)
{
	size_t n = strcspn(s, "\n");

	sb_addn(detail, s, n < 200 ? n : 200);
}

/* Run h for ev; fill detail; 1 if it went well. */
static int run_hook(const struct hook *h, const struct hook_event *ev, int *status, struct strbuf *detail)
{
	struct strbuf out = {0};
	int ok = 1;

	*status = 0;
	if (h->command) {
		int rc = run_command(h, ev, &out);
		*status = rc;
		ok = rc == 0;
		if (rc == -1)
			sb_printf(detail, "command timed out after %d s", h->timeout);
		else
			sb_printf(detail, "command exited %d", rc);
		if (out.len) {
			sb_add(detail, ": ");
			first_lines(detail, sb_str(&out));
		}
		sb_reset(&out);
	}
	if (h->url && ok) {
		long code = post_url(h, ev, &out);
		*status = (int)code;
		ok = code >= 200 && code < 300;
		sb_printf(detail, "%sPOST %s", detail->len ? "; " : "", code < 0 ? "failed" : "");
		if (code >= 0)
			sb_printf(detail, "%ld", code);
		if (!ok && out.len) {
			sb_add(detail, ": ");
			first_lines(detail, sb_str(&out));
		}
	}
	sb_free(&out);
	return ok;
}

int hooks_run(struct registry *r, const struct hooks *hs, const char *model, const char *env,
	      const struct mlc_outcome *done, const char *actor, char **summary,
	      struct mlc_error *err)
{
	const struct hook *h = hooks_find(hs, env);
	struct mlc_live_list live = {0};
	struct mlc_event_list hist = {0};
	struct strbuf detail = {0};
	struct hook_event ev = {model, NULL, NULL, env, NULL, actor, NULL, 0};
	char version[24], previous[24] = "";
	int status, ok, rc = -1;

	*summary = NULL;
	if (h == NULL)
		return 0;
	if (done != NULL && done->action != NULL) {
		/* what was done, even if the registry's history did not get it all */
		snprintf(version, sizeof version, "%lld", (long long)done->version);
		if (done->previous > 0)
			snprintf(previous, sizeof previous, "%lld", (long long)done->previous);
		ev.version = version;
		ev.previous = previous;
		ev.action = done->action;
	} else if (registry_deployments(r, model, env, &live, &hist, err) < 0 || live.n == 0) {
		if (live.n == 0)
			mlc_error_set(err, MLC_ERR_FAILED, "%s is not live in %s: no hook to run", model, env);
		goto out;
	} else {
		ev.version = live.items[0].version;
		/* the history's head is the live deployment, unless a server's
		 * history tag failed: then the head is what was live before */
		if (hist.n > 0 && strcmp(hist.items[0].version, ev.version) == 0) {
			ev.previous = hist.items[0].previous_version;
			ev.action = hist.items[0].action;
		} else {
			ev.previous = hist.n > 0 ? hist.items[0].version : "";
			ev.action = "deploy";
		}
	}
	ok = run_hook(h, &ev, &status, &detail);
	if (registry_record_hook(r, model, env, ev.version, ok, status, sb_str(&detail), actor,
				 err) < 0)
		goto out;
	*summary = xasprintf("hook for %s: %s%s%s", env, ok ? "ok" : "FAILED", detail.len ? " — " : "",
			     sb_str(&detail));
	rc = ok ? 0 : 1;
out:
	MLC_LIST_FREE(&live);
	MLC_LIST_FREE(&hist);
	sb_free(&detail);
	return rc;
}

int hooks_run_alert(const struct hook *h, const char *model, const char *env,
		    const char *version, const char *actor, const char *const *vars, size_t n,
		    char **summary)
{
	struct hook_event ev = {model, version, "", env, "alert", actor, vars, n};
	struct strbuf detail = {0};
	int status, ok = run_hook(h, &ev, &status, &detail);

	*summary = xasprintf("alert hook: %s%s%s", ok ? "ok" : "FAILED", detail.len ? " — " : "",
			     sb_str(&detail));
	sb_free(&detail);
	return !ok;
}
