/* test_hooks.c: deployment hooks — loaded from the operator's config, run with
 * the deployment in their environment and a time limit, their outcome (exit
 * status, first line of output) stored with the deployment. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "hooks.h"
#include "testutil.h"

static char db[96], cfg[96];

/* Write the config file. */
static void write_config(const char *text)
{
	FILE *f = fopen(cfg, "w");
	fputs(text, f);
	fclose(f);
}

/* A registry with model m live in dev (version 1, then 2). */
static int setup(void **state)
{
	struct mlc_env_change c = {.name = "dev"};
	struct mlc_outcome out = {0};
	struct mlc_error err = {0};
	struct registry *r;

	assert_int_equal(tu_tmpdir("hooks"), 0);
	snprintf(db, sizeof db, "%s", tu_path("r.db"));
	snprintf(cfg, sizeof cfg, "%s", tu_path("config"));
	r = tu_open(db, 1);
	assert_int_equal(registry_env_set(r, &c, "admin", NULL, &err), 0);
	registry_close(r);
	tu_exec_at(
	    db, "INSERT INTO registered_models VALUES (1,'m','',1,1);"
		"INSERT INTO model_versions (model_id, version, creation_time, last_updated_time)"
		" VALUES (1,1,1,1),(1,2,1,1)");
	r = tu_open(db, 1);
	assert_int_equal(registry_deploy(r, "m", "1", "dev", "alice", &out, &err), 0);
	assert_int_equal(registry_deploy(r, "m", "2", "dev", "alice", &out, &err), 0);
	arena_free(&out.arena);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	registry_close(*state);
	return tu_rmdir();
}

/* The stored hook status of m in dev. */
static const char *hook_status(struct registry *r)
{
	static char s[16];
	struct mlc_live_list l = {0};
	struct mlc_event_list h = {0};
	struct mlc_error err = {0};

	assert_int_equal(registry_deployments(r, "m", "dev", &l, &h, &err), 0);
	snprintf(s, sizeof s, "%s", l.items[0].hook_status);
	MLC_LIST_FREE(&l);
	MLC_LIST_FREE(&h);
	return s;
}

/* Load the config and run dev's hook for the change done (NULL: as the
 * registry has it); returns hooks_run's status. */
static int run_for(struct registry *r, const struct mlc_outcome *done, char **summary)
{
	struct hooks hs;
	struct mlc_error err = {0};
	int rc;

	assert_int_equal(hooks_load(&hs, cfg, &err), 0);
	rc = hooks_run(r, &hs, "m", "dev", done, "carol", summary, &err);
	hooks_free(&hs);
	return rc;
}

static int run(struct registry *r, char **summary)
{
	return run_for(r, NULL, summary);
}

static void test_no_hook_means_nothing_runs(void **state)
{
	char *summary = NULL;

	write_config("# nothing\n");
	assert_int_equal(run(*state, &summary), 0);
	assert_null(summary);
	assert_string_equal(hook_status(*state), "none");
}

/* Configure dev's hook to write the echo of vars to a file; its path in out. */
static void echo_hook(const char *vars, char *out, size_t len)
{
	char text[512];

	snprintf(out, len, "%s", tu_path("env.out"));
	snprintf(text, sizeof text, "[hook dev]\ncommand = echo \"%s\" > %s\n", vars, out);
	write_config(text);
}

/* The first line of file path (static). */
static const char *first_line(const char *path)
{
	static char line[256];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	return line;
}

static void test_the_command_gets_the_deployment_in_its_environment(void **state)
{
	char out[96];
	char *summary = NULL;

	echo_hook("$MLC_MODEL $MLC_VERSION $MLC_PREVIOUS_VERSION $MLC_ENV $MLC_ACTION $MLC_ACTOR",
		  out, sizeof out);
	assert_int_equal(run(*state, &summary), 0);
	assert_string_equal(first_line(out), "m 2 1 dev deploy carol\n");
	assert_non_null(strstr(summary, "ok"));
	assert_string_equal(hook_status(*state), "ok");
	free(summary);
}

/* The hook is told the change as it was made, not what the history's head
 * says (a server's history tag can fail to be written after the alias was). */
static void test_the_command_gets_the_change_made_over_the_history(void **state)
{
	struct mlc_outcome done = {0};
	char out[96];
	char *summary = NULL;

	echo_hook("$MLC_VERSION:$MLC_PREVIOUS_VERSION:$MLC_ACTION", out, sizeof out);
	mlc_outcome_where(&done, "m", "dev", "rollback", 1, 2);
	assert_int_equal(run_for(*state, &done, &summary), 0);
	assert_string_equal(first_line(out), "1:2:rollback\n");
	free(summary);
	mlc_outcome_where(&done, "m", "dev", "deploy", 2, 0);
	assert_int_equal(run_for(*state, &done, &summary), 0);
	assert_string_equal(first_line(out), "2::deploy\n");
	free(summary);
	arena_free(&done.arena);
}

/* A hook that ran for an older deployment (a slow hook, a newer deploy
 * meanwhile) is stored with that deployment, not the live one. */
static void test_an_outcome_is_stored_with_the_version_it_ran_for(void **state)
{
	struct mlc_error err = {0};

	assert_int_equal(registry_record_hook(*state, "m", "dev", "1", 1, 0, "", "carol", &err), 0);
	assert_string_equal(hook_status(*state), "none");
	assert_int_equal(registry_record_hook(*state, "m", "dev", "2", 0, 3, "x", "carol", &err),
			 0);
	assert_string_equal(hook_status(*state), "failed");
	assert_int_equal(registry_record_hook(*state, "m", "dev", "9", 1, 0, "", "carol", &err),
			 -1);
	assert_non_null(strstr(err.msg, "m 9 was never deployed to dev"));
}

static void test_a_failing_command_is_stored_with_status_and_first_line(void **state)
{
	char *summary = NULL;

	write_config("[hook dev]\ncommand = echo 'smoke test failed'; echo second; exit 3\n");
	assert_int_equal(run(*state, &summary), 1);
	assert_non_null(strstr(summary, "FAILED"));
	assert_non_null(strstr(summary, "exited 3: smoke test failed"));
	assert_null(strstr(summary, "second"));
	assert_string_equal(hook_status(*state), "failed");
	free(summary);
}

static void test_a_command_past_its_time_limit_is_killed(void **state)
{
	char *summary = NULL;
	time_t t0 = time(NULL);

	write_config("[hook dev]\ncommand = sleep 30\ntimeout = 1\n");
	assert_int_equal(run(*state, &summary), 1);
	assert_true(time(NULL) - t0 < 10);
	assert_non_null(strstr(summary, "timed out after 1 s"));
	free(summary);
}

/* Milliseconds since an arbitrary start. */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether process pid runs (a zombie or no such process: no). */
static int alive(long pid)
{
	char path[64], line[256];
	const char *state;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	line[0] = '\0';
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	state = strrchr(line, ')');
	return state && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
}

/* The number in file path, or -1. */
static long read_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	long pid = -1;

	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = -1;
		fclose(f);
	}
	return pid;
}

/* Closing its output does not let a hook outlive its time limit: it is
 * killed at the deadline and recorded as timed out. */
static void test_a_command_that_closes_its_output_is_killed_at_its_limit(void **state)
{
	char *summary = NULL;
	long long t0 = now_ms();

	write_config("[hook dev]\ncommand = exec sleep 12 >/dev/null 2>&1\ntimeout = 2\n");
	assert_int_equal(run(*state, &summary), 1);
	assert_true(now_ms() - t0 < 8000);
	assert_non_null(strstr(summary, "FAILED"));
	assert_non_null(strstr(summary, "timed out after 2 s"));
	assert_string_equal(hook_status(*state), "failed");
	free(summary);
}

/* At the deadline the hook's whole process group goes, a child that
 * ignores SIGTERM included. */
static void test_a_timed_out_hook_takes_its_children_with_it(void **state)
{
	char text[512], pidfile[96];
	char *summary = NULL;
	long pid;

	snprintf(pidfile, sizeof pidfile, "%s", tu_path("child.pid"));
	snprintf(text, sizeof text,
		 "[hook dev]\ncommand = exec >/dev/null 2>&1; "
		 "sh -c 'trap \"\" TERM; sleep 12' & echo $! > %s; wait\ntimeout = 1\n",
		 pidfile);
	write_config(text);
	assert_int_equal(run(*state, &summary), 1);
	assert_non_null(strstr(summary, "timed out after 1 s"));
	pid = read_pid(pidfile);
	assert_true(pid > 0);
	for (int i = 0; i < 50 && alive(pid); i++)
		usleep(20000); /* SIGKILL is delivered, not yet acted on */
	assert_false(alive(pid));
	free(summary);
}

/* A hook is done when its command exits, even if a child it left in the
 * background still holds the output open. */
static void test_a_hook_is_done_when_its_command_exits(void **state)
{
	char *summary = NULL;
	long long t0 = now_ms();

	write_config("[hook dev]\ncommand = echo started; sleep 12 &\ntimeout = 6\n");
	assert_int_equal(run(*state, &summary), 0);
	assert_true(now_ms() - t0 < 5000);
	assert_non_null(strstr(summary, "ok"));
	assert_string_equal(hook_status(*state), "ok");
	free(summary);
}

static void test_an_unreachable_url_fails_and_is_stored(void **state)
{
	char *summary = NULL;

	write_config("[hook dev]\nurl = http://127.0.0.1:1/deployed\ntimeout = 2\n");
	assert_int_equal(run(*state, &summary), 1);
	assert_non_null(strstr(summary, "POST failed"));
	assert_string_equal(hook_status(*state), "failed");
	free(summary);
}

static void test_a_bad_config_line_names_file_and_line(void **state)
{
	struct hooks hs;
	struct mlc_error err = {0};

	write_config("[hook dev]\ncommand = true\nthis is not a setting\n");
	assert_int_equal(hooks_load(&hs, cfg, &err), -1);
	assert_non_null(strstr(err.msg, "config:3:"));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_no_hook_means_nothing_runs),
	    T(test_the_command_gets_the_deployment_in_its_environment),
	    T(test_the_command_gets_the_change_made_over_the_history),
	    T(test_an_outcome_is_stored_with_the_version_it_ran_for),
	    T(test_a_failing_command_is_stored_with_status_and_first_line),
	    T(test_a_command_past_its_time_limit_is_killed),
	    T(test_a_command_that_closes_its_output_is_killed_at_its_limit),
	    T(test_a_timed_out_hook_takes_its_children_with_it),
	    T(test_a_hook_is_done_when_its_command_exits),
	    T(test_an_unreachable_url_fails_and_is_stored),
	    T(test_a_bad_config_line_names_file_and_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
