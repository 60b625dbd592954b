/* test_http.c: the transport against tests/remote/fixture.py on loopback —
 * encoding, keep-alive, MLflow's auth and TLS settings, retries, every fault
 * mode, the size cap, cancelling from another thread, and no secret in any
 * message; HTTPS against a throwaway self-signed certificate made with
 * openssl at test time (those tests skipped without openssl or python3's
 * ssl). Skipped (77) without python3. */
#include "config.h"
#include <curl/curl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "fixture_client.h"
#include "testutil.h"
#include "http.h"
#include "strbuf.h"

#define FIXTURE MLC_SRCDIR "/tests/remote/fixture.py"
#define RECORDED MLC_SRCDIR "/tests/fixtures/mlflow/"

static char url[64];
static pid_t server;
static int port;

/* ---- the fixture server ---------------------------------------------------- */

/* Start fixture.py writing its port to in/port, over TLS with in/cert.pem
 * and in/key.pem when tls; *pid and *portp, and 0 once it listens. */
static int spawn(const char *in, int tls, pid_t *pid, int *portp)
{
	char cert[96], key[96];
	const char *plain[] = {"--runs", "20", NULL};
	const char *secure[] = {"--runs", "20", "--tls", cert, key, NULL};

	snprintf(cert, sizeof cert, "%s/cert.pem", in);
	snprintf(key, sizeof key, "%s/key.pem", in);
	return fixture_spawn(in, tls ? secure : plain, pid, portp);
}

/* Start the plain HTTP fixture the most tests use; 0 once it listens. */
static int fixture_start(void)
{
	if (spawn(tu_dir(), 0, &server, &port) < 0)
		return -1;
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	return 0;
}

/* ---- the HTTPS fixture: started on first use, stopped by main -------------- */

static char tls_dir[64], tls_cert[96], tls_url[64];
static pid_t tls_server;
static int tls_port, tls_state; /* 0 not tried, 1 up, -1 unavailable */
static char tls_why[160];

/* Make a self-signed certificate for 127.0.0.1 (subjectAltName IP) in a
 * fresh directory under /tmp and start fixture.py --tls with it. */
static int tls_prepare(void)
{
	char cmd[512];

	if (system("openssl version >/dev/null 2>&1") != 0) {
		snprintf(tls_why, sizeof tls_why, "the openssl command is not available");
		return -1;
	}
	if (system("python3 -c 'import ssl' >/dev/null 2>&1") != 0) {
		snprintf(tls_why, sizeof tls_why, "python3 has no ssl module");
		return -1;
	}
	snprintf(tls_dir, sizeof tls_dir, "/tmp/mlc-https.XXXXXX");
	if (mkdtemp(tls_dir) == NULL) {
		tls_dir[0] = '\0';
		snprintf(tls_why, sizeof tls_why, "cannot make a directory under /tmp");
		return -1;
	}
	snprintf(tls_cert, sizeof tls_cert, "%s/cert.pem", tls_dir);
	snprintf(cmd, sizeof cmd,
		 "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 -keyout '%s/key.pem' -out '%s' "
		 ">/dev/null 2>&1",
		 tls_dir, tls_cert);
	if (system(cmd) != 0) {
		snprintf(tls_why, sizeof tls_why,
			 "openssl could not make a self-signed certificate "
			 "(req -x509 -addext needs OpenSSL 1.1.1 or later)");
		return -1;
	}
	if (spawn(tls_dir, 1, &tls_server, &tls_port) < 0) {
		snprintf(tls_why, sizeof tls_why, "fixture.py --tls did not start");
		return -1;
	}
	snprintf(tls_url, sizeof tls_url, "https://127.0.0.1:%d", tls_port);
	return 0;
}

/* Stop the HTTPS fixture and remove its directory, if there are any. */
static void tls_stop(void)
{
	char cmd[96];

	if (tls_server > 0) {
		fixture_stop(tls_server);
		tls_server = 0;
	}
	if (tls_dir[0] != '\0') {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tls_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tls_dir);
		tls_dir[0] = '\0';
	}
}

/* The HTTPS fixture, started on first use; skips the test when it cannot. */
static void need_tls_fixture(void)
{
	if (tls_state == 0)
		tls_state = tls_prepare() == 0 ? 1 : -1;
	if (tls_state < 0) {
		print_message("SKIP: HTTPS test: %s\n", tls_why);
		skip();
	}
}

/* POST body to the fixture's control endpoint what; its JSON answer. */
static json_t *control(const char *what, const char *body)
{
	return fixture_control(url, what, body);
}

/* Set a fault (a JSON object) or clear it (NULL). */
static void fault(const char *spec)
{
	json_decref(control("fault", spec ? spec : "{}"));
}

/* The last request line the fixture logged. */
static char *last_logged(void)
{
	json_t *st = control("stats", NULL), *log = json_object_get(st, "log");
	char *s = strdup(json_string_value(json_array_get(log, json_array_size(log) - 1)));

	json_decref(st);
	return s;
}

static void clear_env(void)
{
	static const char *const vars[] = {"MLFLOW_TRACKING_USERNAME",
					   "MLFLOW_TRACKING_PASSWORD",
					   "MLFLOW_TRACKING_TOKEN",
					   "MLFLOW_TRACKING_INSECURE_TLS",
					   "MLFLOW_TRACKING_SERVER_CERT_PATH",
					   "MLFLOW_TRACKING_CLIENT_CERT_PATH",
					   "MLFLOW_HTTP_REQUEST_TIMEOUT"};

	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2", 1);
	setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0", 1);
	setenv("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0", 1);
}

static int setup(void **state)
{
	(void)state;
	clear_env();
	json_decref(control("reset", NULL));
	json_decref(control("auth", NULL));
	return 0;
}

/* Leave none of a test's MLFLOW_* settings to the next one. */
static int teardown(void **state)
{
	(void)state;
	clear_env();
	return 0;
}

/* Open a handle on the fixture; fails the test when it cannot. */
static struct http *open_fixture(void)
{
	struct mlc_error err = {0};
	struct http *h = http_open(url, &err);

	if (h == NULL)
		fail_msg("http_open: %s", err.msg);
	return h;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A GET of the model listing: 0 or -1 with err. */
static int get_models(struct http *h, struct mlc_error *err)
{
	json_t *out = NULL;
	int rc = http_get_json(h, "registered-models/search", NULL, 0, &out, err);

	json_decref(out);
	return rc;
}

/* ---- encoding and the connection ----------------------------------------- */

static void test_get_percent_encodes_values_and_repeats_list_keys(void **state)
{
	struct http_param p[] = {{"filter", "name LIKE 'a+b%'"},
				 {"order_by", "name ASC"},
				 {"order_by", "last_updated_timestamp DESC"}};
	struct mlc_error err = {0};
	struct http *h = open_fixture();
	json_t *out = NULL;
	char *line;

	(void)state;
	assert_int_equal(http_get_json(h, "registered-models/search", p, 3, &out, &err), 0);
	line = last_logged();
	assert_non_null(strstr(line, "filter=name%20LIKE%20%27a%2Bb%25%27"));
	assert_non_null(strstr(line, "order_by=name%20ASC&order_by=last_updated_timestamp%20DESC"));
	free(line);
	json_decref(out);
	http_close(h);
}

static void test_post_sends_json_that_the_server_accepts(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();
	json_t *body = json_pack("{s:[s],s:i}", "experiment_ids", "1", "max_results", 2),
	       *out = NULL;

	(void)state;
	assert_int_equal(http_post_json(h, "runs/search", body, &out, &err), 0);
	assert_int_equal(json_array_size(json_object_get(out, "runs")), 2);
	json_decref(out);
	json_decref(body);
	http_close(h);
}

static void test_one_connection_serves_every_request(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();
	struct http_stats st;

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(get_models(h, &err), 0);
	http_get_stats(h, &st);
	assert_int_equal(st.requests, 5);
	assert_int_equal(st.connections, 1);
	http_close(h);
}

static void test_display_url_drops_userinfo_query_and_trailing_slash(void **state)
{
	char *s = http_display_url("https://ana:s3cret@mlflow.example.com:5000/prefix/?a=1#x");

	(void)state;
	assert_string_equal(s, "https://mlflow.example.com:5000/prefix");
	free(s);
	s = http_display_url("http://127.0.0.1:5000/");
	assert_string_equal(s, "http://127.0.0.1:5000");
	free(s);
	assert_null(http_display_url("not a url"));
}

static void test_a_url_that_is_not_http_is_refused_without_its_secret(void **state)
{
	struct mlc_error err = {0};

	(void)state;
	assert_null(http_open("ftp://ana:s3cret@host/x", &err));
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_null(strstr(err.msg, "s3cret"));
}

/* ---- authentication and TLS settings --------------------------------------- */

/* The Authorization header the fixture saw last. */
static char *last_auth(void)
{
	json_t *st = control("stats", NULL);
	const char *a = json_string_value(json_object_get(st, "auth"));
	char *s = strdup(a ? a : "(none)");

	json_decref(st);
	return s;
}

static void test_basic_wins_over_bearer_when_both_are_set(void **state)
{
	struct mlc_error err = {0};
	struct http *h;
	char *auth;

	(void)state;
	setenv("MLFLOW_TRACKING_USERNAME", "ana", 1);
	setenv("MLFLOW_TRACKING_PASSWORD", "pw", 1);
	setenv("MLFLOW_TRACKING_TOKEN", "tok", 1);
	h = open_fixture();
	assert_int_equal(get_models(h, &err), 0);
	auth = last_auth();
	assert_string_equal(auth, "Basic YW5hOnB3"); /* ana:pw */
	free(auth);
	http_close(h);
}

static void test_a_token_alone_is_sent_as_bearer(void **state)
{
	struct mlc_error err = {0};
	struct http *h;
	char *auth;

	(void)state;
	setenv("MLFLOW_TRACKING_USERNAME", "ana", 1); /* no password: not Basic */
	setenv("MLFLOW_TRACKING_TOKEN", "tok", 1);
	h = open_fixture();
	assert_int_equal(get_models(h, &err), 0);
	auth = last_auth();
	assert_string_equal(auth, "Bearer tok");
	free(auth);
	http_close(h);
}

static void test_credentials_file_supplies_basic_auth(void **state)
{
	char path[128];
	struct mlc_error err = {0};
	struct http *h;
	FILE *f;
	char *auth;

	(void)state;
	snprintf(path, sizeof path, "%s", tu_path(".mlflow"));
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s", tu_path(".mlflow/credentials"));
	f = fopen(path, "w");
	fputs("[other]\nmlflow_tracking_username = no\n[mlflow]\n"
	      "mlflow_tracking_username = ana\nmlflow_tracking_password: pw\n",
	      f);
	fclose(f);
	h = open_fixture();
	assert_int_equal(get_models(h, &err), 0);
	auth = last_auth();
	assert_string_equal(auth, "Basic YW5hOnB3");
	free(auth);
	http_close(h);
	unlink(path);
}

static void test_insecure_tls_takes_true_false_1_0_in_any_case(void **state)
{
	static const char *const good[] = {"TRUE", "false", "1", "0", "True"};
	struct mlc_error err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		setenv("MLFLOW_TRACKING_INSECURE_TLS", good[i], 1);
		http_close(open_fixture());
	}
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "yes", 1);
	assert_null(http_open(url, &err));
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_non_null(strstr(err.msg, "MLFLOW_TRACKING_INSECURE_TLS"));
}

static void test_insecure_tls_with_a_server_cert_is_an_error(void **state)
{
	struct mlc_error err = {0};

	(void)state;
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "true", 1);
	setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", "/etc/ssl/certs/ca-certificates.crt", 1);
	assert_null(http_open(url, &err));
	assert_non_null(strstr(err.msg, "cannot both be set"));
}

static void test_a_bad_timeout_names_the_variable(void **state)
{
	struct mlc_error err = {0};

	(void)state;
	setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "soon", 1);
	assert_null(http_open(url, &err));
	assert_non_null(strstr(err.msg, "MLFLOW_HTTP_REQUEST_TIMEOUT"));
}

/* ---- HTTPS against a self-signed certificate ------------------------------------ */

/* h gets the fixture's seeded model listing over HTTPS (with setting). */
static void assert_https_answers(struct http *h, const char *setting)
{
	struct mlc_error err = {0};
	json_t *out = NULL;

	if (http_get_json(h, "registered-models/search", NULL, 0, &out, &err) != 0)
		fail_msg("with %s: %s", setting, err.msg);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(out, "registered_models"), 0), "name")),
	    "churn");
	json_decref(out);
}

static void test_https_by_default_refuses_an_untrusted_certificate(void **state)
{
	static const char *const secrets[] = {"urlpass-q", "t0ken-xyz"};
	struct mlc_error err = {0};
	struct http *h;
	char u[128], host[32];

	(void)state;
	need_tls_fixture();
	snprintf(u, sizeof u, "https://someone:%s@127.0.0.1:%d", secrets[0], tls_port);
	setenv("MLFLOW_TRACKING_TOKEN", secrets[1], 1);
	assert_non_null(h = http_open(u, &err));
	assert_int_equal(get_models(h, &err), -1);
	assert_int_equal(err.code, MLC_ERR_FAILED);
	snprintf(host, sizeof host, "127.0.0.1:%d: TLS: ", tls_port);
	if (strstr(err.msg, host) != err.msg || strstr(err.msg, "certificate") == NULL)
		fail_msg("want \"%s...certificate...\", got \"%s\"", host, err.msg);
	assert_null(strchr(err.msg, '\n'));
	for (size_t i = 0; i < 2; i++)
		assert_null(strstr(err.msg, secrets[i]));
	http_close(h);
}

static void test_https_trusts_the_server_cert_path(void **state)
{
	struct mlc_error err = {0};
	struct http *h;

	(void)state;
	need_tls_fixture();
	setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", tls_cert, 1);
	assert_non_null(h = http_open(tls_url, &err));
	assert_https_answers(h, "MLFLOW_TRACKING_SERVER_CERT_PATH");
	http_close(h);
}

static void test_https_with_insecure_tls_skips_the_check(void **state)
{
	struct mlc_error err = {0};
	struct http *h;

	(void)state;
	need_tls_fixture();
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "true", 1);
	assert_non_null(h = http_open(tls_url, &err));
	assert_https_answers(h, "MLFLOW_TRACKING_INSECURE_TLS=true");
	http_close(h);
}

static void test_https_insecure_tls_with_the_server_cert_path_is_an_error(void **state)
{
	struct mlc_error err = {0};

	(void)state;
	need_tls_fixture();
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "true", 1);
	setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", tls_cert, 1);
	assert_null(http_open(tls_url, &err));
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_non_null(strstr(err.msg, "MLFLOW_TRACKING_INSECURE_TLS"));
	assert_non_null(strstr(err.msg, "MLFLOW_TRACKING_SERVER_CERT_PATH"));
	assert_non_null(strstr(err.msg, "cannot both be set"));
}

/* ---- retries ------------------------------------------------------------------- */

static void test_429_is_retried_after_the_retry_after_delay(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();
	struct http_stats st;
	double t0 = now_s();

	(void)state;
	fault("{\"mode\": \"429\", \"arg\": \"1\", \"count\": 1}");
	assert_int_equal(get_models(h, &err), 0);
	assert_true(now_s() - t0 >= 0.95);
	http_get_stats(h, &st);
	assert_int_equal(st.retries, 1);
	http_close(h);
}

static void test_500_then_success_succeeds(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();
	struct http_stats st;

	(void)state;
	fault("{\"mode\": \"500\", \"count\": 1}");
	assert_int_equal(get_models(h, &err), 0);
	http_get_stats(h, &st);
	assert_int_equal(st.requests, 2);
	http_close(h);
}

static void test_retries_stop_after_max_retries_with_the_servers_error(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();
	struct http_stats st;
	char want[128];

	(void)state;
	fault("{\"mode\": \"500\"}");
	assert_int_equal(get_models(h, &err), -1);
	snprintf(want, sizeof want,
		 "127.0.0.1:%d: HTTP 500 INTERNAL_ERROR: The server had a bad moment (after 3 "
		 "attempts)",
		 port);
	assert_string_equal(err.msg, want);
	http_get_stats(h, &st);
	assert_int_equal(st.requests, 3);
	assert_int_equal(http_last_status(h), 500);
	http_close(h);
}

static void test_a_dropped_connection_names_the_host(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();

	(void)state;
	fault("{\"mode\": \"drop\"}");
	assert_int_equal(get_models(h, &err), -1);
	assert_non_null(strstr(err.msg, "127.0.0.1:"));
	assert_non_null(strstr(err.msg, "closed the connection without answering"));
	fault(NULL);
	assert_int_equal(get_models(h, &err), 0); /* the handle recovers */
	http_close(h);
}

/* ---- bodies that are not what they should be ------------------------------------ */

static void test_truncated_json_is_an_error_naming_the_request(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();

	(void)state;
	fault("{\"mode\": \"truncated\"}");
	assert_int_equal(get_models(h, &err), -1);
	assert_non_null(strstr(err.msg, "invalid JSON in the answer to registered-models/search"));
	http_close(h);
}

static void test_an_html_404_is_an_endpoint_not_found(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();
	char want[96];

	(void)state;
	fault("{\"mode\": \"html\"}");
	assert_int_equal(get_models(h, &err), -1);
	snprintf(want, sizeof want, "127.0.0.1:%d: HTTP 404: endpoint not found (HTML page)", port);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, MLC_ERR_FAILED);
	http_close(h);
}

static void test_a_recorded_json_404_keeps_mlflows_code_and_message(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();

	(void)state;
	json_decref(control("route", "{\"path\": \"/api/2.0/mlflow/registered-models/search\","
				     " \"status\": 404, \"files\": [\"" RECORDED "48.json\"]}"));
	assert_int_equal(get_models(h, &err), -1);
	assert_int_equal(err.code, MLC_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "HTTP 404 RESOURCE_DOES_NOT_EXIST: Registered Model with "
					"name=no-such-model not found"));
	http_close(h);
}

static void test_a_plain_text_401_gives_its_first_line_and_no_secret(void **state)
{
	static const char *const secrets[] = {"pa55word-x", "t0ken-xyz", "urlpass-q"};
	struct mlc_error err = {0};
	struct http *h;
	char u[128];

	(void)state;
	setenv("MLFLOW_TRACKING_PASSWORD", secrets[0], 1);
	setenv("MLFLOW_TRACKING_TOKEN", secrets[1], 1);
	snprintf(u, sizeof u, "http://someone:%s@127.0.0.1:%d", secrets[2], port);
	json_decref(control("auth", "{\"basic\": \"ana:right\"}"));
	assert_non_null(h = http_open(u, &err));
	assert_int_equal(get_models(h, &err), -1);
	assert_non_null(strstr(err.msg, "HTTP 401: You are not authenticated."));
	assert_null(strchr(err.msg, '\n'));
	for (size_t i = 0; i < 3; i++)
		assert_null(strstr(err.msg, secrets[i]));
	http_close(h);
}

static void test_a_body_over_the_cap_is_refused_naming_the_cap(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();

	(void)state;
	fault("{\"mode\": \"huge\"}");
	assert_int_equal(get_models(h, &err), -1);
	assert_non_null(strstr(err.msg, "larger than the 64 MiB cap"));
	fault("{\"mode\": \"huge_chunked\"}");
	assert_int_equal(get_models(h, &err), -1);
	assert_non_null(strstr(err.msg, "larger than the 64 MiB cap"));
	fault(NULL);
	http_set_max_body(h, 1000); /* an ordinary answer, over a small cap */
	assert_int_equal(get_models(h, &err), -1);
	assert_non_null(strstr(err.msg, "larger than the 1000 bytes cap"));
	http_close(h);
}

/* ---- time ------------------------------------------------------------------------- */

static void test_a_silent_server_times_out_after_the_timeout(void **state)
{
	struct mlc_error err = {0};
	struct http *h;
	double t0;

	(void)state;
	setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "1", 1);
	h = open_fixture();
	fault("{\"mode\": \"slow\", \"arg\": \"4\", \"count\": 1}");
	t0 = now_s();
	assert_int_equal(get_models(h, &err), -1);
	assert_true(now_s() - t0 < 3.5);
	assert_non_null(strstr(err.msg, "no answer within 1 s (MLFLOW_HTTP_REQUEST_TIMEOUT)"));
	http_close(h);
}

static void *interrupt_soon(void *h)
{
	usleep(300 * 1000);
	http_interrupt(h);
	return NULL;
}

static void test_interrupt_from_another_thread_cancels_the_transfer(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();
	pthread_t t;
	double t0 = now_s();

	(void)state;
	fault("{\"mode\": \"slow\", \"arg\": \"5\", \"count\": 1}");
	pthread_create(&t, NULL, interrupt_soon, h);
	assert_int_equal(get_models(h, &err), -1);
	pthread_join(t, NULL);
	assert_true(now_s() - t0 < 2.5);
	assert_non_null(strstr(err.msg, ": cancelled"));
	assert_int_equal(get_models(h, &err), -1); /* still interrupted */
	http_clear_interrupt(h);
	assert_int_equal(get_models(h, &err), 0);
	http_close(h);
}

static void test_interrupt_cuts_a_backoff_wait_short(void **state)
{
	struct mlc_error err = {0};
	struct http *h = open_fixture();
	pthread_t t;
	double t0 = now_s();

	(void)state;
	fault("{\"mode\": \"429\", \"arg\": \"30\"}");
	pthread_create(&t, NULL, interrupt_soon, h);
	assert_int_equal(get_models(h, &err), -1);
	pthread_join(t, NULL);
	assert_true(now_s() - t0 < 2);
	assert_non_null(strstr(err.msg, "cancelled"));
	http_close(h);
}

/* ---- requests that run together ----------------------------------------------- */

#define N_MANY 10

/* The ids of the first n runs of the fixture's bulk experiment (2). */
static void bulk_run_ids(struct http *h, char ids[][40], size_t n)
{
	struct mlc_error err = {0};
	json_t *body =
	    json_pack("{s:[s],s:I}", "experiment_ids", "2", "max_results", (json_int_t)n);
	json_t *out = NULL, *runs;

	assert_int_equal(http_post_json(h, "runs/search", body, &out, &err), 0);
	runs = json_object_get(out, "runs");
	assert_int_equal(json_array_size(runs), n);
	for (size_t i = 0; i < n; i++) {
		json_t *info = json_object_get(json_array_get(runs, i), "info");
		snprintf(ids[i], 40, "%s", json_string_value(json_object_get(info, "run_id")));
	}
	json_decref(body);
	json_decref(out);
}

/* The fixture's connection count (this request's own connection included:
 * every control request opens one). */
static long fixture_connections(void)
{
	json_t *st = control("stats", NULL);
	long n = (long)json_integer_value(json_object_get(st, "connections"));

	json_decref(st);
	return n;
}

/* GET the "acc" history of each of the n runs together into res. */
static int histories(struct http *h, char ids[][40], size_t n, struct http_response *res)
{
	struct http_param p[N_MANY][2];
	struct http_request req[N_MANY];

	for (size_t i = 0; i < n; i++) {
		p[i][0] = (struct http_param){"run_id", ids[i]};
		p[i][1] = (struct http_param){"metric_key", "acc"};
		req[i] = (struct http_request){"metrics/get-history", p[i], 2};
	}
	return http_get_many(h, req, n, res, NULL, NULL);
}

static void free_responses(struct http_response *res, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(res[i].json);
}

static void test_get_many_runs_together_on_kept_connections(void **state)
{
	char ids[N_MANY][40];
	struct http_response res[N_MANY];
	struct http *h = open_fixture();
	struct http_stats st;
	long before, first, second;

	(void)state;
	bulk_run_ids(h, ids, N_MANY);
	before = fixture_connections(); /* the main connection */
	/* slow answers keep every transfer of the pool busy at once */
	fault("{\"mode\": \"slow\", \"arg\": \"0.3\", \"path\": \"get-history\"}");
	assert_int_equal(histories(h, ids, N_MANY, res), 0);
	first = fixture_connections() - before - 2; /* less fault's and stats' own */
	for (size_t i = 0; i < N_MANY; i++) {
		json_t *m = json_array_get(json_object_get(res[i].json, "metrics"), 0);
		assert_int_equal(res[i].rc, 0);
		assert_int_equal(res[i].status, 200);
		assert_string_equal(json_string_value(json_object_get(m, "key")), "acc");
	}
	free_responses(res, N_MANY);
	assert_int_equal(first, HTTP_PARALLEL); /* together, not one after another */
	assert_int_equal(histories(h, ids, N_MANY, res), 0);
	second = fixture_connections() - before - first - 3;
	assert_int_equal(second, 0); /* the same connections again */
	free_responses(res, N_MANY);
	http_get_stats(h, &st);
	assert_int_equal(st.requests, 1 + 2 * N_MANY);
	assert_int_equal(st.retries, 0);
	http_close(h);
}

static void test_get_many_gives_each_request_its_own_outcome(void **state)
{
	char ids[3][40];
	struct http_response res[3];
	struct http *h = open_fixture();
	char want[160];

	(void)state;
	bulk_run_ids(h, ids, 3);
	snprintf(ids[1], sizeof ids[1], "%s", "0123456789abcdef0123456789abcdef");
	assert_int_equal(histories(h, ids, 3, res), 1);
	assert_int_equal(res[0].rc, 0);
	assert_int_equal(res[2].rc, 0);
	assert_int_equal(res[1].rc, -1);
	assert_null(res[1].json);
	assert_int_equal(res[1].status, 404);
	assert_int_equal(res[1].err.code, MLC_ERR_NOTFOUND);
	snprintf(want, sizeof want, "127.0.0.1:%d: HTTP 404 RESOURCE_DOES_NOT_EXIST: ", port);
	assert_memory_equal(res[1].err.msg, want, strlen(want));
	free_responses(res, 3);
	http_close(h);
}

static void test_get_many_retries_what_failed_and_only_that(void **state)
{
	char ids[N_MANY][40];
	struct http_response res[N_MANY];
	struct http *h = open_fixture();
	struct http_stats st;

	(void)state;
	bulk_run_ids(h, ids, N_MANY);
	fault("{\"mode\": \"500\", \"count\": 3, \"path\": \"get-history\"}");
	assert_int_equal(histories(h, ids, N_MANY, res), 0);
	free_responses(res, N_MANY);
	http_get_stats(h, &st);
	assert_int_equal(st.retries, 3);
	assert_int_equal(st.requests, 1 + N_MANY + 3);
	fault("{\"mode\": \"500\", \"path\": \"get-history\"}"); /* every time: give up */
	assert_int_equal(histories(h, ids, 2, res), 2);
	assert_int_equal(res[0].status, 500);
	assert_non_null(strstr(res[1].err.msg, "INTERNAL_ERROR: The server had a bad moment (after "
					       "3 attempts)"));
	free_responses(res, 2);
	http_close(h);
}

static void test_get_many_over_https_checks_the_certificate_on_every_connection(void **state)
{
	struct http_param p[3] = {{"max_results", "1"}, {"max_results", "2"}, {"max_results", "3"}};
	struct http_request req[3];
	struct http_response res[3];
	struct mlc_error err = {0};
	struct http *h;

	(void)state;
	need_tls_fixture();
	for (size_t i = 0; i < 3; i++)
		req[i] = (struct http_request){"registered-models/search", &p[i], 1};
	assert_non_null(h = http_open(tls_url, &err)); /* the certificate is not trusted */
	assert_int_equal(http_get_many(h, req, 3, res, NULL, NULL), 3);
	for (size_t i = 0; i < 3; i++)
		assert_non_null(strstr(res[i].err.msg, ": TLS: "));
	free_responses(res, 3);
	http_close(h);
	setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", tls_cert, 1); /* now it is */
	assert_non_null(h = http_open(tls_url, &err));
	assert_int_equal(http_get_many(h, req, 3, res, NULL, NULL), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(json_array_size(json_object_get(res[i].json, "registered_models")),
				 i + 1);
	free_responses(res, 3);
	http_close(h);
}

/* A done callback that counts the answers and takes each one. */
static void take_answer(size_t i, struct http_response *res, void *ctx)
{
	size_t *seen = ctx;
	json_t *m = json_array_get(json_object_get(res->json, "metrics"), 0);

	seen[i]++;
	if (res->rc == 0 && strcmp(json_string_value(json_object_get(m, "key")), "acc") == 0)
		seen[N_MANY]++; /* answers that held the history */
	json_decref(res->json);
	res->json = NULL;
}

static void test_get_many_hands_each_answer_over_as_it_arrives(void **state)
{
	char ids[N_MANY][40];
	struct http_param p[N_MANY][2];
	struct http_request req[N_MANY];
	struct http_response res[N_MANY];
	size_t seen[N_MANY + 1] = {0};
	struct http *h = open_fixture();

	(void)state;
	bulk_run_ids(h, ids, N_MANY);
	snprintf(ids[3], sizeof ids[3], "%s", "0123456789abcdef0123456789abcdef");
	for (size_t i = 0; i < N_MANY; i++) {
		p[i][0] = (struct http_param){"run_id", ids[i]};
		p[i][1] = (struct http_param){"metric_key", "acc"};
		req[i] = (struct http_request){"metrics/get-history", p[i], 2};
	}
	assert_int_equal(http_get_many(h, req, N_MANY, res, take_answer, seen), 1);
	for (size_t i = 0; i < N_MANY; i++) {
		assert_int_equal(seen[i], 1); /* once each, the 404 too */
		assert_null(res[i].json);     /* taken */
	}
	assert_int_equal(seen[N_MANY], N_MANY - 1);
	assert_int_equal(res[3].status, 404);
	http_close(h);
}

static void test_interrupt_cancels_every_request_of_a_batch(void **state)
{
	char ids[N_MANY][40];
	struct http_response res[N_MANY];
	struct http *h = open_fixture();
	pthread_t t;
	double t0;

	(void)state;
	bulk_run_ids(h, ids, N_MANY);
	fault("{\"mode\": \"slow\", \"arg\": \"5\", \"path\": \"get-history\"}");
	t0 = now_s();
	pthread_create(&t, NULL, interrupt_soon, h);
	assert_int_equal(histories(h, ids, N_MANY, res), N_MANY);
	pthread_join(t, NULL);
	assert_true(now_s() - t0 < 2.5);
	for (size_t i = 0; i < N_MANY; i++)
		assert_non_null(strstr(res[i].err.msg, ": cancelled"));
	free_responses(res, N_MANY);
	http_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, setup)
	    T(test_get_percent_encodes_values_and_repeats_list_keys),
	    T(test_post_sends_json_that_the_server_accepts),
	    T(test_one_connection_serves_every_request),
	    T(test_display_url_drops_userinfo_query_and_trailing_slash),
	    T(test_a_url_that_is_not_http_is_refused_without_its_secret),
	    T(test_basic_wins_over_bearer_when_both_are_set),
	    T(test_a_token_alone_is_sent_as_bearer),
	    T(test_credentials_file_supplies_basic_auth),
	    T(test_insecure_tls_takes_true_false_1_0_in_any_case),
	    T(test_insecure_tls_with_a_server_cert_is_an_error),
	    T(test_a_bad_timeout_names_the_variable),
#define TT(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    TT(test_https_by_default_refuses_an_untrusted_certificate),
	    TT(test_https_trusts_the_server_cert_path),
	    TT(test_https_with_insecure_tls_skips_the_check),
	    TT(test_https_insecure_tls_with_the_server_cert_path_is_an_error),
#undef TT
	    T(test_429_is_retried_after_the_retry_after_delay),
	    T(test_500_then_success_succeeds),
	    T(test_retries_stop_after_max_retries_with_the_servers_error),
	    T(test_a_dropped_connection_names_the_host),
	    T(test_truncated_json_is_an_error_naming_the_request),
	    T(test_an_html_404_is_an_endpoint_not_found),
	    T(test_a_recorded_json_404_keeps_mlflows_code_and_message),
	    T(test_a_plain_text_401_gives_its_first_line_and_no_secret),
	    T(test_a_body_over_the_cap_is_refused_naming_the_cap),
	    T(test_a_silent_server_times_out_after_the_timeout),
	    T(test_interrupt_from_another_thread_cancels_the_transfer),
	    T(test_interrupt_cuts_a_backoff_wait_short),
	    T(test_get_many_runs_together_on_kept_connections),
	    T(test_get_many_gives_each_request_its_own_outcome),
	    T(test_get_many_retries_what_failed_and_only_that),
	    T(test_get_many_hands_each_answer_over_as_it_arrives),
	    T(test_interrupt_cancels_every_request_of_a_batch),
	    cmocka_unit_test_setup_teardown(
		test_get_many_over_https_checks_the_certificate_on_every_connection, setup,
		teardown),
#undef T
	};
	int rc;

	if (system("python3 -c '' >/dev/null 2>&1") != 0) {
		printf("SKIP: python3 is needed to run the fixture server "
		       "(tests/remote/fixture.py)\n");
		return 77;
	}
	if (tu_tmpdir("http") != 0 || fixture_start() < 0) {
		printf("FAIL: cannot start %s\n", FIXTURE);
		return 1;
	}
	setenv("HOME", tu_dir(), 1); /* no ~/.mlflow/credentials of the user running the tests */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tls_stop();
	fixture_stop(server);
	curl_global_cleanup();
	if (tu_rmdir() != 0)
		fprintf(stderr, "cannot remove %s\n", tu_dir());
	return rc;
}
