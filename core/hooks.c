/* hooks.c: reading [hook ENV] sections of the operator's config file and
 * running a hook — a command with the deployment in its environment and a time
 * limit, and/or an HTTP POST of a JSON body (libcurl, TLS verified) — then
 * storing what happened in the registry. */
#include "config.h"
#include <ctype.h>
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
#include <curl/curl.h>
#include <jansson.h>
#include "hooks.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

#define OUTPUT_CAP 2048 /* of a hook's output, the first this many bytes are kept */

char *hooks_config_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x && *x == '/')
		return xasprintf("%s/mlconsole/config", x);
	return xasprintf("%s/.config/mlconsole/config", home && *home ? home : ".");
}

/* Strip blanks at both ends of s in place. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Apply "key = value" to hook h; -1 with a message for an unknown key. */
static int hook_set(struct hook *h, const char *key, const char *value, const char *path, int line,
		    struct mlc_error *err)
{
	if (strcmp(key, "command") == 0) {
		free(h->command);
		h->command = xstrdup(value);
	} else if (strcmp(key, "url") == 0) {
		free(h->url);
		h->url = xstrdup(value);
	} else if (strcmp(key, "timeout") == 0) {
		h->timeout = atoi(value);
		if (h->timeout <= 0 || h->timeout > 3600)
			return mlc_error_set(err, MLC_ERR_USAGE, "%s:%d: timeout must be 1 to 3600 seconds",
					     path, line);
	} else {
		return mlc_error_set(err, MLC_ERR_USAGE, "%s:%d: unknown hook setting '%s' (command, url, timeout)",
				     path, line, key);
	}
	return 0;
}

int hooks_load(struct hooks *hs, const char *path, struct mlc_error *err)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	struct hook *cur = NULL;
	int line = 0;

	memset(hs, 0, sizeof *hs);
	if (f == NULL)
		return errno == ENOENT ? 0 : mlc_error_set(err, MLC_ERR_FAILED, "%s: %s", path, strerror(errno));
	while (fgets(buf, sizeof buf, f)) {
		char *s = trim(buf), *eq;
		line++;
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char env[64];
			cur = NULL; /* sections other than [hook ENV] belong to other settings */
			if (sscanf(s, "[hook %63[^]]]", env) == 1 && hs->n < HOOKS_MAX) {
				cur = &hs->h[hs->n++];
				snprintf(cur->env, sizeof cur->env, "%s", trim(env));
				cur->timeout = 30;
			}
			continue;
		}
		if (cur == NULL)
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			fclose(f);
			hooks_free(hs);
			return mlc_error_set(err, MLC_ERR_USAGE, "%s:%d: expected 'key = value'", path, line);
		}
		*eq = '\0';
		if (hook_set(cur, trim(s), trim(eq + 1), path, line, err) < 0) {
			fclose(f);
			hooks_free(hs);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

void hooks_free(struct hooks *hs)
{
	for (int i = 0; i < hs->n; i++) {
		free(hs->h[i].command);
		free(hs->h[i].url);
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
};

/* Run the command with the event in MLC_* variables; its exit status, or -1
 * on timeout (killed). The first OUTPUT_CAP bytes of its output go to out. */
static int run_command(const struct hook *h, const struct hook_event *ev, struct strbuf *out)
{
	int p[2], status = 0;
	pid_t pid;
	int64_t deadline = timefmt_now_ms() + (int64_t)h->timeout * 1000;
	char buf[512];

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
		execl("/bin/sh", "sh", "-c", h->command, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		int64_t left = deadline - timefmt_now_ms();
		ssize_t n;
		if (left <= 0) {
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(p[0]);
			return -1;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		if ((n = read(p[0], buf, sizeof buf)) <= 0)
			break;
		if (out->len < OUTPUT_CAP)
			sb_addn(out, buf, (size_t)n < OUTPUT_CAP - out->len ? (size_t)n : OUTPUT_CAP - out->len);
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* libcurl: keep the start of the response body. */
static size_t keep_body(char *data, size_t size, size_t n, void *ctx)
{
	struct strbuf *out = ctx;

	if (out->len < OUTPUT_CAP)
		sb_addn(out, data, size * n < OUTPUT_CAP - out->len ? size * n : OUTPUT_CAP - out->len);
	return size * n;
}

/* POST the event as JSON; the HTTP status, or -1 when the request failed. */
static long post_url(const struct hook *h, const struct hook_event *ev, struct strbuf *out)
{
	json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "model", ev->model, "version", ev->version,
				 "previous_version", ev->previous, "environment", ev->env, "action",
				 ev->action, "actor", ev->actor);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	CURL *c = curl_easy_init();
	long code = -1;
	CURLcode rc;

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
	      const char *actor, char **summary, struct mlc_error *err)
{
	const struct hook *h = hooks_find(hs, env);
	struct mlc_live_list live = {0};
	struct mlc_event_list hist = {0};
	struct strbuf detail = {0};
	int status, ok, rc = -1;

	*summary = NULL;
	if (h == NULL)
		return 0;
	if (registry_deployments(r, model, env, &live, &hist, err) < 0 || live.n == 0 || hist.n == 0) {
		if (live.n == 0 || hist.n == 0)
			mlc_error_set(err, MLC_ERR_FAILED, "%s is not live in %s: no hook to run", model, env);
		goto out;
	}
	struct hook_event ev = {model, live.items[0].version, hist.items[0].previous_version, env,
				hist.items[0].action, actor};
	ok = run_hook(h, &ev, &status, &detail);
	if (registry_record_hook(r, model, env, ok, status, sb_str(&detail), actor, err) < 0)
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
