/* http.c: libcurl transport for the MLflow REST backend: one easy handle kept
 * alive per registry (and a small multi pool for GETs that run together),
 * the Python client's environment variables, retries with backoff, a
 * response size cap, cancellation from another thread, and error messages
 * built from MLflow's JSON errors or whatever else came back. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "curl_dl.h"
#include "http.h"
#include "strbuf.h"
#include "xmalloc.h"

#define API_PREFIX "/api/2.0/mlflow/"
#define MAX_SLEEP_S 60.0   /* cap of one backoff or Retry-After wait */
#define MAX_SERVER_MSG 400 /* bytes of a server's message kept in errors */

/* One transfer: an easy handle and what its request in progress collected. */
struct xfer {
	struct http *h;
	CURL *curl;
	struct strbuf body;
	int too_big;
	double retry_after; /* seconds, or -1 */
	char content_type[64];
	char errbuf[CURL_ERROR_SIZE];
	size_t req;    /* http_get_many: the request it carries */
	int busy;      /* ... while attached to the multi handle */
	long attempts; /* of that request so far */
};

struct http {
	struct xfer main; /* the one connection of single requests */
	CURLM *multi;	  /* http_get_many's transfers, started on first use */
	struct xfer pool[HTTP_PARALLEL];
	size_t n_pool;
	char *base; /* scheme://host[:port][/prefix], no userinfo, no trailing '/' */
	char *host; /* host[:port] */
	char *user, *password, *token;
	char *ca, *cert;
	int insecure;
	struct curl_slist *get_headers, *post_headers;
	long timeout, max_retries;
	double backoff_factor, backoff_jitter;
	size_t max_body;
	atomic_int interrupted;
	unsigned seed;
	long last_status;
	struct http_stats stats;
};

/* ---- the environment ---------------------------------------------------- */

/* The value of environment variable name, NULL when unset or empty. */
static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* MLflow's boolean: true/false/1/0 in any case; -1 with err otherwise. */
static int env_bool(const char *name, int *out, struct mlc_error *err)
{
	const char *v = env(name);

	*out = 0;
	if (v == NULL || strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return 0;
	if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0) {
		*out = 1;
		return 0;
	}
	return mlc_error_set(err, MLC_ERR_USAGE, "%s: expected true, false, 1 or 0, got '%s'", name,
			     v);
}

/* A number from name in [min, max], def when unset; -1 with err when bad. */
static int env_num(const char *name, double def, double min, double max, double *out,
		   struct mlc_error *err)
{
	const char *v = env(name);
	char *end;

	*out = def;
	if (v == NULL)
		return 0;
	errno = 0;
	*out = strtod(v, &end);
	if (errno || end == v || *end != '\0' || !(*out >= min && *out <= max))
		return mlc_error_set(err, MLC_ERR_USAGE,
				     "%s: expected a number from %g to %g, got '%s'", name, min,
				     max, v);
	return 0;
}

/* Strip blanks at both ends of s in place. */
static char *trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Key from the [mlflow] section of ~/.mlflow/credentials (configparser
 * style, "k = v" or "k: v"); NULL when absent. Caller frees. */
static char *credentials_file(const char *key)
{
	const char *home = getenv("HOME");
	char *path, line[1024], *found = NULL;
	int in_section = 0;
	FILE *f;

	if (home == NULL || *home == '\0')
		return NULL;
	path = xasprintf("%s/.mlflow/credentials", home);
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return NULL;
	while (found == NULL && fgets(line, sizeof line, f)) {
		char *s = trim(line), *sep;
		if (*s == '[') {
			in_section = strcmp(s, "[mlflow]") == 0;
			continue;
		}
		if (!in_section || (sep = strpbrk(s, "=:")) == NULL)
			continue;
		*sep = '\0';
		if (strcmp(trim(s), key) == 0)
			found = xstrdup(trim(sep + 1));
	}
	fclose(f);
	return found;
}

/* The environment variable name, else key of the credentials file. */
static char *credential(const char *name, const char *key)
{
	const char *v = env(name);
	return v ? xstrdup(v) : credentials_file(key);
}

/* ---- URLs ----------------------------------------------------------------- */

/* Where the authority of url (after "scheme://") starts and ends. */
static int authority(const char *url, const char **start, const char **end)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return -1;
	*start = p + 3;
	*end = *start + strcspn(*start, "/?#");
	return 0;
}

char *http_display_url(const char *url)
{
	const char *a, *e, *host;
	struct strbuf sb = {0};
	size_t keep;

	if (url == NULL || authority(url, &a, &e) < 0)
		return NULL;
	for (host = e; host > a && host[-1] != '@'; host--)
		;
	sb_addn(&sb, url, (size_t)(a - url));
	sb_addn(&sb, host, (size_t)(e - host));
	keep = sb.len;
	sb_addn(&sb, e, strcspn(e, "?#"));
	while (sb.len > keep && sb.buf[sb.len - 1] == '/')
		sb.buf[--sb.len] = '\0';
	return sb_detach(&sb);
}

int http_url_has_password(const char *url)
{
	const char *a, *e, *at;

	if (url == NULL || authority(url, &a, &e) < 0)
		return 0;
	for (at = e; at > a && at[-1] != '@'; at--)
		;
	return at > a && memchr(a, ':', (size_t)(at - a)) != NULL;
}

/* Take url apart: base (no userinfo), host[:port], and userinfo credentials. */
static int parse_url(struct http *h, const char *url, char **url_user, char **url_pass,
		     struct mlc_error *err)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *scheme = NULL;
	int ret = -1;

	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		char *shown = http_display_url(url);
		mlc_error_set(err, MLC_ERR_USAGE, "%s: not an http:// or https:// URL",
			      shown ? shown : "registry URI");
		free(shown);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
		h->host = xasprintf("%s:%s", host, port);
	else
		h->host = xstrdup(host);
	curl_url_get(u, CURLUPART_USER, url_user, CURLU_URLDECODE);
	curl_url_get(u, CURLUPART_PASSWORD, url_pass, CURLU_URLDECODE);
	h->base = http_display_url(url);
	ret = 0;
out:
	curl_free(host);
	curl_free(port);
	curl_free(scheme);
	curl_url_cleanup(u);
	return ret;
}

/* ---- configuration ------------------------------------------------------ */

/* Read the numbers of MLflow's request settings. */
static int read_settings(struct http *h, struct mlc_error *err)
{
	double timeout, retries;

	if (env_num("MLFLOW_HTTP_REQUEST_TIMEOUT", 120, 1, 86400, &timeout, err) < 0 ||
	    env_num("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 7, 0, 100, &retries, err) < 0 ||
	    env_num("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 2, 0, 600, &h->backoff_factor, err) < 0 ||
	    env_num("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", 1, 0, 600, &h->backoff_jitter, err) < 0)
		return -1;
	h->timeout = (long)timeout;
	h->max_retries = (long)retries;
	return 0;
}

/* Credentials as MLflow's client picks them: Basic when both the user name
 * and password are known (environment, credentials file, or the URL), else
 * a Bearer token, else none. */
static void read_auth(struct http *h, char *url_user, char *url_pass)
{
	h->user = credential("MLFLOW_TRACKING_USERNAME", "mlflow_tracking_username");
	h->password = credential("MLFLOW_TRACKING_PASSWORD", "mlflow_tracking_password");
	if ((h->user == NULL || h->password == NULL) && url_user && url_pass) {
		free(h->user);
		free(h->password);
		h->user = xstrdup(url_user);
		h->password = xstrdup(url_pass);
	}
	if (h->user == NULL || h->password == NULL) {
		free(h->user);
		free(h->password);
		h->user = h->password = NULL;
		if (env("MLFLOW_TRACKING_TOKEN"))
			h->token = xstrdup(env("MLFLOW_TRACKING_TOKEN"));
	}
}

/* TLS: verified unless MLFLOW_TRACKING_INSECURE_TLS; a CA bundle and a
 * client certificate from the environment. */
static int read_tls(struct http *h, struct mlc_error *err)
{
	const char *ca = env("MLFLOW_TRACKING_SERVER_CERT_PATH");
	const char *cert = env("MLFLOW_TRACKING_CLIENT_CERT_PATH");

	if (env_bool("MLFLOW_TRACKING_INSECURE_TLS", &h->insecure, err) < 0)
		return -1;
	if (h->insecure && ca)
		return mlc_error_set(
		    err, MLC_ERR_USAGE,
		    "MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH "
		    "cannot both be set");
	h->ca = ca ? xstrdup(ca) : NULL;
	h->cert = cert ? xstrdup(cert) : NULL;
	return 0;
}

/* Collect the body of the response, refusing more than the cap. */
static size_t on_body(char *data, size_t size, size_t n, void *p)
{
	struct xfer *x = p;

	n *= size;
	if (x->body.len + n > x->h->max_body) {
		x->too_big = 1;
		return 0;
	}
	sb_addn(&x->body, data, n);
	return n;
}

/* The value of header line if it is name ("Name: value"), trimmed; else NULL. */
static const char *header_value(char *line, size_t n, const char *name, char *buf, size_t len)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return NULL;
	snprintf(buf, len, "%.*s", (int)(n - k - 1), line + k + 1);
	return trim(buf);
}

/* Note the Retry-After and Content-Type of the response. */
static size_t on_header(char *line, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	char buf[128];
	const char *v;

	(void)size;
	if ((v = header_value(line, n, "Retry-After", buf, sizeof buf)) != NULL) {
		char *end;
		double s = strtod(v, &end);
		if (end == v || *end) {
			time_t when = curl_getdate(v, NULL);
			s = when > 0 ? difftime(when, time(NULL)) : -1;
		}
		x->retry_after = s < 0 ? 0 : s;
	} else if ((v = header_value(line, n, "Content-Type", buf, sizeof buf)) != NULL) {
		snprintf(x->content_type, sizeof x->content_type, "%s", v);
	}
	return n;
}

/* Progress: abort the transfer once interrupted. */
static int on_progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct xfer *x = p;

	(void)dt, (void)dn, (void)ut, (void)un;
	return atomic_load(&x->h->interrupted) ? 1 : 0;
}

/* Send the handle's credentials with x's requests (on), or none at all. */
static void xfer_auth(struct xfer *x, int on)
{
	const struct http *h = x->h;
	CURL *c = x->curl;

	curl_easy_setopt(c, CURLOPT_USERNAME, NULL);
	curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
	curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	if (on && h->user && h->password) {
		curl_easy_setopt(c, CURLOPT_USERNAME, h->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, h->password);
	} else if (on && h->token) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, h->token);
	}
}

/* A new easy handle for x with every option requests share: callbacks,
 * timeouts, TLS and credentials. -1 if libcurl cannot make one. */
static int xfer_init(struct http *h, struct xfer *x)
{
	CURL *c;

	x->h = h;
	if ((x->curl = c = curl_easy_init()) == NULL)
		return -1;
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->timeout);
	/* A read timeout as requests has it: nothing received for that long. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, h->timeout);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mlconsole/" PACKAGE_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, h->insecure ? 0L : 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->insecure ? 0L : 2L);
	if (h->ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca);
	if (h->cert)
		curl_easy_setopt(c, CURLOPT_SSLCERT, h->cert);
	xfer_auth(x, 1);
	return 0;
}

static void xfer_free(struct xfer *x)
{
	if (x->curl)
		curl_easy_cleanup(x->curl);
	x->curl = NULL;
	sb_free(&x->body);
}

/* Load libcurl for a handle on url (the first one loads it); -1 with err
 * naming the server and the library when it cannot be loaded. */
static int load_curl(const char *url, struct mlc_error *err)
{
	char *shown = http_display_url(url);
	int rc = mlc_curl_load(shown ? shown : "registry URI", "MLflow servers", err);

	free(shown);
	return rc;
}

struct http *http_open(const char *base_url, struct mlc_error *err)
{
	struct http *h;
	char *url_user = NULL, *url_pass = NULL;

	if (load_curl(base_url, err) < 0)
		return NULL;
	h = xcalloc(1, sizeof *h);
	h->max_body = HTTP_MAX_BODY_DEFAULT;
	h->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	atomic_init(&h->interrupted, 0);
	if (parse_url(h, base_url, &url_user, &url_pass, err) < 0 || read_settings(h, err) < 0 ||
	    read_tls(h, err) < 0)
		goto fail;
	read_auth(h, url_user, url_pass);
	h->get_headers = curl_slist_append(NULL, "Accept: application/json");
	h->post_headers = curl_slist_append(NULL, "Accept: application/json");
	h->post_headers = curl_slist_append(h->post_headers, "Content-Type: application/json");
	h->post_headers = curl_slist_append(h->post_headers, "Expect:");
	if (xfer_init(h, &h->main) < 0) {
		mlc_error_set(err, MLC_ERR_FAILED, "cannot start libcurl");
		goto fail;
	}
	curl_free(url_user);
	curl_free(url_pass);
	return h;
fail:
	curl_free(url_user);
	curl_free(url_pass);
	http_close(h);
	return NULL;
}

/* Free s after overwriting it (passwords and tokens). */
static void free_secret(char *s)
{
	if (s == NULL)
		return;
	memset(s, 0, strlen(s));
	free(s);
}

void http_close(struct http *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n_pool; i++)
		xfer_free(&h->pool[i]);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	xfer_free(&h->main);
	curl_slist_free_all(h->get_headers);
	curl_slist_free_all(h->post_headers);
	free(h->base);
	free(h->host);
	free(h->ca);
	free(h->cert);
	free_secret(h->user);
	free_secret(h->password);
	free_secret(h->token);
	free(h);
}

/* ---- small accessors ---------------------------------------------------- */

void http_interrupt(struct http *h)
{
	if (h)
		atomic_store(&h->interrupted, 1);
}

void http_clear_interrupt(struct http *h)
{
	if (h)
		atomic_store(&h->interrupted, 0);
}

const char *http_host(const struct http *h)
{
	return h->host;
}

long http_last_status(const struct http *h)
{
	return h->last_status;
}

void http_set_max_body(struct http *h, size_t max)
{
	h->max_body = max;
}

void http_get_stats(const struct http *h, struct http_stats *out)
{
	*out = h->stats;
}

/* ---- error messages ----------------------------------------------------- */

/* Replace every occurrence of secret in msg by "***" (secrets shorter than
 * 4 bytes would only mangle ordinary words). */
static void redact(char *msg, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	char *p;

	if (n < 4)
		return;
	while ((p = strstr(msg, secret)) != NULL) {
		memcpy(p, "***", 3);
		memmove(p + 3, p + n, strlen(p + n) + 1);
	}
}

/* Scrub every secret the handle knows from err's message. */
static void redact_error(const struct http *h, struct mlc_error *err)
{
	if (err == NULL)
		return;
	redact(err->msg, h->password);
	redact(err->msg, h->token);
}

/* Append s[0..n) to sb as one line: line breaks and tabs become spaces,
 * other control bytes '?', and at most MAX_SERVER_MSG bytes (whole UTF-8). */
static void add_one_line(struct strbuf *sb, const char *s, size_t n)
{
	size_t cut = n;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	cut = n > MAX_SERVER_MSG ? MAX_SERVER_MSG : n;
	while (cut < n && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];
		sb_addc(sb, c == '\n' || c == '\r' || c == '\t' ? ' '
			    : (c < 0x20 || c == 0x7f)		? '?'
								: (char)c);
	}
	if (cut < n)
		sb_add(sb, "...");
}

/* 1 if the body x received looks like an HTML page. */
static int is_html(const struct xfer *x)
{
	const char *b = sb_str(&x->body);
	size_t n = x->body.len;

	while (n > 0 && isspace((unsigned char)*b))
		b++, n--;
	return strncasecmp(x->content_type, "text/html", 9) == 0 || (n > 0 && *b == '<');
}

/* The <title> of an HTML page into sb, if it has one; 1 if it did. */
static int html_title(struct strbuf *sb, const char *b)
{
	const char *t = strstr(b, "<title>"), *e;

	if (t == NULL || (e = strstr(t, "</title>")) == NULL)
		return 0;
	add_one_line(sb, t + 7, (size_t)(e - t - 7));
	return 1;
}

/* Describe a non-JSON error body: an HTML page, nothing, or its first line. */
static void describe_other(const struct xfer *x, long status, struct strbuf *sb)
{
	const char *b = sb_str(&x->body);
	size_t n = x->body.len;

	if (is_html(x)) {
		if (status == 404)
			sb_add(sb, "endpoint not found");
		else if (!html_title(sb, b))
			sb_add(sb, "error page");
		sb_add(sb, " (HTML page)");
	} else if (n == 0 || strspn(b, " \t\r\n") == n) {
		sb_add(sb,
		       status == 404 ? "endpoint not found (empty response)" : "empty response");
	} else {
		add_one_line(sb, b, strcspn(b, "\r\n"));
	}
}

/* Fill err for an HTTP error status: MLflow's error_code and message from a
 * JSON body, or a description of whatever else came back. */
static int status_error(const struct xfer *x, long status, struct mlc_error *err)
{
	struct strbuf sb = {0};
	json_t *j = json_loadb(sb_str(&x->body), x->body.len, 0, NULL);
	const char *code = json_string_value(json_object_get(j, "error_code"));
	const char *msg = json_string_value(json_object_get(j, "message"));

	sb_printf(&sb, "%s: HTTP %ld", x->h->host, status);
	if (code)
		sb_printf(&sb, " %s", code);
	sb_add(&sb, ": ");
	if (msg)
		add_one_line(&sb, msg, strlen(msg));
	else
		describe_other(x, status, &sb);
	if (status == 401)
		sb_add(&sb, " (set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or "
			    "MLFLOW_TRACKING_TOKEN)");
	if (x->attempts > 1)
		sb_printf(&sb, " (after %ld attempts)", x->attempts);
	mlc_error_set(err, status == 404 && code ? MLC_ERR_NOTFOUND : MLC_ERR_FAILED, "%s",
		      sb_str(&sb));
	sb_free(&sb);
	json_decref(j);
	redact_error(x->h, err);
	return -1;
}

/* A size as "64 MiB" or "1000 bytes". */
static void size_text(size_t n, char *buf, size_t len)
{
	if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(buf, len, "%zu MiB", n >> 20);
	else
		snprintf(buf, len, "%zu bytes", n);
}

/* Fill err for a transfer that failed without an HTTP status. */
static int transport_error(const struct xfer *x, CURLcode rc, struct mlc_error *err)
{
	const struct http *h = x->h;
	const char *detail = *x->errbuf ? x->errbuf : curl_easy_strerror(rc);
	char cap[32], after[48] = "";

	if (x->attempts > 1)
		snprintf(after, sizeof after, " (after %ld attempts)", x->attempts);
	if (atomic_load(&x->h->interrupted))
		mlc_error_set(err, MLC_ERR_FAILED, "%s: cancelled", h->host);
	else if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		size_text(h->max_body, cap, sizeof cap);
		mlc_error_set(err, MLC_ERR_FAILED, "%s: the response is larger than the %s cap",
			      h->host, cap);
	} else if (rc == CURLE_OPERATION_TIMEDOUT)
		mlc_error_set(err, MLC_ERR_FAILED,
			      "%s: no answer within %ld s (MLFLOW_HTTP_REQUEST_TIMEOUT)%s", h->host,
			      h->timeout, after);
	else if (rc == CURLE_GOT_NOTHING)
		mlc_error_set(err, MLC_ERR_FAILED,
			      "%s: the server closed the connection without answering%s", h->host,
			      after);
	else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
		 rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM)
		mlc_error_set(err, MLC_ERR_FAILED, "%s: TLS: %s", h->host, detail);
	else
		mlc_error_set(err, MLC_ERR_FAILED, "%s: %s%s", h->host, detail, after);
	redact_error(h, err);
	return -1;
}

/* ---- requests ------------------------------------------------------------- */

/* 1 if a failure with this result is worth another attempt. */
static int retryable(CURLcode rc, long status)
{
	if (rc == CURLE_OK)
		return status == 429 || status == 500 || status == 502 || status == 503 ||
		       status == 504;
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_GOT_NOTHING || rc == CURLE_SEND_ERROR ||
	       rc == CURLE_RECV_ERROR || rc == CURLE_PARTIAL_FILE;
}

/* The wait before retry number n (1-based) as urllib3 has it: retry_after
 * when the server gave one (>= 0), else nothing for the first retry and then
 * factor * 2^(n-1) plus up to jitter seconds; capped. */
static double retry_delay(struct http *h, long n, double retry_after)
{
	double s = retry_after;

	if (s < 0)
		s = n <= 1 ? 0
			   : h->backoff_factor * (double)(1L << (n - 1 > 20 ? 20 : n - 1)) +
				 h->backoff_jitter * ((double)rand_r(&h->seed) / RAND_MAX);
	return s > MAX_SLEEP_S ? MAX_SLEEP_S : s;
}

/* Sleep s seconds in slices, watching for an interrupt; -1 if interrupted. */
static int pause_for(struct http *h, double s)
{
	struct timespec slice = {0, 20 * 1000 * 1000};

	for (double waited = 0; waited < s; waited += 0.02) {
		if (atomic_load(&h->interrupted))
			return -1;
		nanosleep(&slice, NULL);
	}
	return atomic_load(&h->interrupted) ? -1 : 0;
}

/* Make x ready for a new attempt. */
static void xfer_reset(struct xfer *x)
{
	sb_reset(&x->body);
	x->too_big = 0;
	x->retry_after = -1;
	x->content_type[0] = '\0';
	x->errbuf[0] = '\0';
	curl_easy_setopt(x->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->h->max_body);
}

/* Count a finished attempt of x in the handle's stats; its HTTP status (0
 * when nothing came back). add_time: add its transfer time too (a batch
 * counts its own, since its transfers overlap). */
static long xfer_count(struct xfer *x, int add_time)
{
	curl_off_t us = 0;
	long conns = 0, status = 0;

	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->curl, CURLINFO_NUM_CONNECTS, &conns);
	curl_easy_getinfo(x->curl, CURLINFO_TOTAL_TIME_T, &us);
	x->h->stats.requests++;
	x->h->stats.connections += conns;
	if (add_time)
		x->h->stats.seconds += (double)us / 1e6;
	x->attempts++;
	return status;
}

/* Parse the body of a successful response as a JSON object into *out. */
static int parse_body(const struct xfer *x, const char *path, long status, json_t **out,
		      struct mlc_error *err)
{
	json_error_t je;
	json_t *j = json_loadb(sb_str(&x->body), x->body.len, 0, &je);

	if (j == NULL || !json_is_object(j)) {
		struct strbuf sb = {0};
		if (j == NULL && !is_html(x) && x->body.len > 0)
			sb_printf(&sb,
				  "%s: HTTP %ld: invalid JSON in the answer to %s: %s (byte %d)",
				  x->h->host, status, path, je.text, je.position);
		else
			sb_printf(&sb, "%s: HTTP %ld: expected a JSON object from %s, got %s",
				  x->h->host, status, path,
				  x->body.len == 0 ? "nothing"
				  : is_html(x)	   ? "an HTML page"
						   : "another JSON value");
		mlc_error_set(err, MLC_ERR_FAILED, "%s", sb_str(&sb));
		sb_free(&sb);
		json_decref(j);
		redact_error(x->h, err);
		return -1;
	}
	*out = j;
	return 0;
}

/* The outcome of x's finished last attempt at path: the JSON answer, or err. */
static int xfer_result(const struct xfer *x, const char *path, CURLcode rc, long status,
		       json_t **out, struct mlc_error *err)
{
	if (rc != CURLE_OK)
		return transport_error(x, rc, err);
	if (status < 200 || status > 299)
		return status_error(x, status, err);
	return parse_body(x, path, status, out, err);
}

/* Run the request set up on the main handle with retries; parse the answer. */
static int perform(struct http *h, const char *path, json_t **out, struct mlc_error *err)
{
	struct xfer *x = &h->main;
	long status = 0;
	CURLcode rc;

	*out = NULL;
	h->last_status = 0;
	x->attempts = 0;
	for (;;) {
		if (atomic_load(&h->interrupted))
			return mlc_error_set(err, MLC_ERR_FAILED, "%s: cancelled", h->host);
		xfer_reset(x);
		rc = curl_easy_perform(x->curl);
		status = xfer_count(x, 1);
		if (!retryable(rc, status) || x->attempts > h->max_retries)
			break;
		h->stats.retries++;
		if (pause_for(h, retry_delay(h, x->attempts, x->retry_after)) < 0)
			return mlc_error_set(err, MLC_ERR_FAILED, "%s: cancelled", h->host);
	}
	if (rc == CURLE_OK && (status < 200 || status > 299))
		h->last_status = status;
	return xfer_result(x, path, rc, status, out, err);
}

/* base + API_PREFIX + path (a path starting with '/' goes after base alone,
 * as /ajax-api/... does), then ?k=v&... with every part percent-encoded. */
static char *build_url(struct http *h, const char *path, const struct http_param *params, size_t n)
{
	struct strbuf sb = {0};

	sb_printf(&sb, "%s%s%s", h->base, *path == '/' ? "" : API_PREFIX, path);
	for (size_t i = 0; i < n; i++) {
		char *k = curl_easy_escape(h->main.curl, params[i].key, 0);
		char *v = curl_easy_escape(h->main.curl, params[i].value ? params[i].value : "", 0);
		sb_printf(&sb, "%c%s=%s", i ? '&' : '?', k, v);
		curl_free(k);
		curl_free(v);
	}
	return sb_detach(&sb);
}

/* Make x's next transfer a GET of url. */
static void setup_get(struct xfer *x, const char *url)
{
	curl_easy_setopt(x->curl, CURLOPT_URL, url);
	curl_easy_setopt(x->curl, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(x->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(x->curl, CURLOPT_HTTPHEADER, x->h->get_headers);
}

int http_get_json(struct http *h, const char *path, const struct http_param *params, size_t n,
		  json_t **out, struct mlc_error *err)
{
	char *url = build_url(h, path, params, n);
	int rc;

	setup_get(&h->main, url);
	rc = perform(h, path, out, err);
	free(url);
	return rc;
}

int http_auth_required(struct http *h, const char *path, const struct http_param *params, size_t n,
		       struct mlc_error *err)
{
	json_t *j = NULL;
	int rc;

	xfer_auth(&h->main, 0);
	rc = http_get_json(h, path, params, n, &j, err);
	xfer_auth(&h->main, 1);
	json_decref(j);
	if (rc == 0)
		return 0;
	if (h->last_status == 401) {
		mlc_error_clear(err);
		return 1;
	}
	return -1;
}

const char *http_basic_user(const struct http *h)
{
	return h->user && h->password ? h->user : NULL;
}

/* Send body (JSON) to path with method (NULL: POST) and parse the answer. */
static int send_json(struct http *h, const char *method, const char *path, const json_t *body,
		     json_t **out, struct mlc_error *err)
{
	char *url = build_url(h, path, NULL, 0);
	char *data = json_dumps(body, JSON_COMPACT);
	CURL *c = h->main.curl;
	int rc;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, data ? data : "{}");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(data ? data : "{}"));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->post_headers);
	rc = perform(h, path, out, err);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	free(data);
	free(url);
	return rc;
}

int http_post_json(struct http *h, const char *path, const json_t *body, json_t **out,
		   struct mlc_error *err)
{
	return send_json(h, NULL, path, body, out, err);
}

int http_delete_json(struct http *h, const char *path, const json_t *body, json_t **out,
		     struct mlc_error *err)
{
	return send_json(h, "DELETE", path, body, out, err);
}

/* ---- requests that run together ------------------------------------------- */

/* The multi handle and width easy handles for it, made on first use and kept
 * (with their connections) until http_close. -1 if libcurl cannot. */
static int pool_ready(struct http *h, size_t width)
{
	if (h->multi == NULL) {
		if ((h->multi = curl_multi_init()) == NULL)
			return -1;
		curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)HTTP_PARALLEL);
		curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)HTTP_PARALLEL);
	}
	while (h->n_pool < width) {
		if (xfer_init(h, &h->pool[h->n_pool]) < 0)
			return -1;
		h->n_pool++;
	}
	return 0;
}

/* A batch of GETs in flight: the queue of requests still to attempt. */
struct batch {
	struct http *h;
	const struct http_request *req;
	struct http_response *res;
	char **urls;
	size_t *queue, n_queue, next; /* requests to attempt this round */
	size_t *again, n_again;	      /* to attempt next round */
	long *attempts;
	double wait; /* before the next round: the longest wait a retried request needs */
	http_done_fn done;
	void *ctx;
};

/* Start the next queued request on the idle transfer x; 0 if none is left
 * (or the batch was interrupted). A request libcurl refuses fails, and the
 * one after it is tried. */
static int start_next(struct batch *b, struct xfer *x)
{
	while (b->next < b->n_queue && !atomic_load(&b->h->interrupted)) {
		size_t i = x->req = b->queue[b->next++];
		x->attempts = b->attempts[i];
		xfer_reset(x);
		setup_get(x, b->urls[i]);
		if (curl_multi_add_handle(b->h->multi, x->curl) == CURLM_OK) {
			x->busy = 1;
			return 1;
		}
		mlc_error_set(&b->res[i].err, MLC_ERR_FAILED, "%s: libcurl cannot start a request",
			      b->h->host);
	}
	return 0;
}

/* x finished an attempt with rc: its result, or a place in the next round. */
static void finish(struct batch *b, struct xfer *x, CURLcode rc)
{
	struct http_response *res = &b->res[x->req];
	long status = xfer_count(x, 0);

	b->attempts[x->req] = x->attempts;
	curl_multi_remove_handle(b->h->multi, x->curl);
	x->busy = 0;
	if (retryable(rc, status) && x->attempts <= b->h->max_retries) {
		double wait = retry_delay(b->h, x->attempts, x->retry_after);
		if (atomic_load(&b->h->interrupted)) { /* as perform: not a server error */
			mlc_error_set(&res->err, MLC_ERR_FAILED, "%s: cancelled", b->h->host);
			return;
		}
		b->again[b->n_again++] = x->req;
		b->h->stats.retries++;
		if (wait > b->wait)
			b->wait = wait;
		return;
	}
	res->status = rc == CURLE_OK ? status : 0;
	res->rc = xfer_result(x, b->req[x->req].path, rc, status, &res->json, &res->err);
	if (b->done)
		b->done(x->req, res, b->ctx);
}

/* The transfer of the pool whose easy handle is c. */
static struct xfer *xfer_of(struct http *h, CURL *c)
{
	for (size_t i = 0; i < h->n_pool; i++)
		if (h->pool[i].curl == c)
			return &h->pool[i];
	return NULL;
}

/* One round: every queued request attempted once, width at a time. */
static void run_round(struct batch *b, size_t width)
{
	struct http *h = b->h;
	int running = 0, left;
	CURLMsg *m;

	b->next = 0;
	b->n_again = 0;
	b->wait = 0;
	for (size_t i = 0; i < width; i++)
		start_next(b, &h->pool[i]);
	for (;;) {
		if (curl_multi_perform(h->multi, &running) != CURLM_OK)
			break;
		while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
			struct xfer *x = xfer_of(h, m->easy_handle);
			if (m->msg != CURLMSG_DONE || x == NULL)
				continue;
			finish(b, x, m->data.result);
			running += start_next(b, x);
		}
		if (running == 0 || curl_multi_poll(h->multi, NULL, 0, 50, NULL) != CURLM_OK)
			break;
	}
	for (size_t i = 0; i < width; i++) { /* libcurl gave up: none stays attached */
		struct xfer *x = &h->pool[i];
		if (!x->busy)
			continue;
		curl_multi_remove_handle(h->multi, x->curl);
		x->busy = 0;
		mlc_error_set(&b->res[x->req].err, MLC_ERR_FAILED, "%s: libcurl failed the request",
			      h->host);
	}
}

int http_get_many(struct http *h, const struct http_request *req, size_t n,
		  struct http_response *res, http_done_fn done, void *ctx)
{
	size_t width = n < HTTP_PARALLEL ? n : HTTP_PARALLEL, failed = 0;
	struct batch b = {.h = h, .req = req, .res = res, .done = done, .ctx = ctx};
	struct timespec t0, t1;

	for (size_t i = 0; i < n; i++)
		res[i] = (struct http_response){.rc = -1};
	if (n == 0)
		return 0;
	if (pool_ready(h, width) < 0) {
		for (size_t i = 0; i < n; i++)
			mlc_error_set(&res[i].err, MLC_ERR_FAILED, "%s: cannot start libcurl",
				      h->host);
		return (int)n;
	}
	b.urls = xcalloc(n, sizeof *b.urls);
	b.queue = xcalloc(n, sizeof *b.queue);
	b.again = xcalloc(n, sizeof *b.again);
	b.attempts = xcalloc(n, sizeof *b.attempts);
	for (size_t i = 0; i < n; i++) {
		b.urls[i] = build_url(h, req[i].path, req[i].params, req[i].n_params);
		b.queue[i] = i;
	}
	b.n_queue = n;
	while (b.n_queue > 0) {
		size_t *t;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		run_round(&b, width);
		clock_gettime(CLOCK_MONOTONIC, &t1); /* the transfers' time, not the waits */
		h->stats.seconds +=
		    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (b.n_again == 0 || pause_for(h, b.wait) < 0)
			break;
		t = b.queue, b.queue = b.again, b.again = t;
		b.n_queue = b.n_again;
	}
	for (size_t i = 0; i < n; i++) {
		if (res[i].rc == 0)
			continue;
		if (res[i].err.msg[0] == '\0') /* cancelled before or between attempts */
			mlc_error_set(&res[i].err, MLC_ERR_FAILED, "%s: cancelled", h->host);
		failed++;
	}
	for (size_t i = 0; i < n; i++)
		free(b.urls[i]);
	free(b.urls);
	free(b.queue);
	free(b.again);
	free(b.attempts);
	return (int)failed;
}
