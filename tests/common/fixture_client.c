/* fixture_client.c: start tests/remote/fixture.py and talk to its control
 * endpoint, for the unit tests and the benchmarks. */
#include "config.h"
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fixture_client.h"
#include "strbuf.h"

#define FIXTURE MLC_SRCDIR "/tests/remote/fixture.py"
#define MAX_ARGS 16

int fixture_spawn(const char *dir, const char *const *args, pid_t *pid, int *port)
{
	char portfile[256];
	const char *argv[MAX_ARGS + 4];
	size_t n = 0;
	FILE *f;

	snprintf(portfile, sizeof portfile, "%s/port", dir);
	argv[n++] = "python3";
	argv[n++] = FIXTURE;
	argv[n++] = portfile;
	for (size_t i = 0; args && args[i] && i < MAX_ARGS; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if ((*pid = fork()) == 0) {
		execvp("python3", (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 1200; i++) {
		if ((f = fopen(portfile, "r")) != NULL) {
			int ok = fscanf(f, "%d", port) == 1;
			fclose(f);
			if (ok)
				return 0;
		}
		if (waitpid(*pid, NULL, WNOHANG) == *pid) {
			*pid = 0;
			return -1;
		}
		usleep(50 * 1000);
	}
	fixture_stop(*pid);
	*pid = 0;
	return -1;
}

void fixture_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static size_t collect(char *p, size_t size, size_t n, void *sb)
{
	sb_addn(sb, p, size * n);
	return size * n;
}

json_t *fixture_fetch(const char *url, const char *body)
{
	CURL *c = curl_easy_init();
	struct strbuf sb = {0};
	json_t *j;

	curl_easy_setopt(c, CURLOPT_URL, url);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sb);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	j = json_loads(sb_str(&sb), 0, NULL);
	sb_free(&sb);
	return j;
}

json_t *fixture_control(const char *base_url, const char *what, const char *body)
{
	char u[256];

	snprintf(u, sizeof u, "%s/_fixture/%s", base_url, what);
	return fixture_fetch(u, body ? body : "{}");
}
