/* http.h: the transport of the MLflow REST backend — one libcurl handle per
 * registry (one kept-alive connection, and a few more for GETs that run
 * together), JSON GET, POST and DELETE, MLflow's client
 * environment (the MLFLOW_TRACKING_* variables) and errors that name the host
 * but never a secret. */
#ifndef MLC_HTTP_H
#define MLC_HTTP_H
#include <jansson.h>
#include <stddef.h>
#include "error.h"

struct http;

/* One query parameter; a key may repeat (lists go as repeated keys). */
struct http_param {
	const char *key;
	const char *value;
};

/* What a handle has done so far (tests and measurements). */
struct http_stats {
	long requests;	  /* requests sent, retries included */
	long retries;	  /* of those, repeats after a retryable failure */
	long connections; /* connections opened (1 while keep-alive holds) */
	double seconds;	  /* time spent in transfers (a batch's: wall time, waits
			   * between retries left out) */
};

#define HTTP_MAX_BODY_DEFAULT ((size_t)64 << 20)

/* A handle for the server at base_url (http:// or https://, optional path
 * prefix), configured from the environment: MLFLOW_TRACKING_USERNAME and
 * _PASSWORD (Basic, also from ~/.mlflow/credentials; wins over) _TOKEN
 * (Bearer), _INSECURE_TLS, _SERVER_CERT_PATH, _CLIENT_CERT_PATH, and
 * MLFLOW_HTTP_REQUEST_TIMEOUT, _MAX_RETRIES, _BACKOFF_FACTOR, _BACKOFF_JITTER.
 * Nothing is sent yet. NULL with err filled on a bad URL or setting. Free
 * with http_close. */
struct http *http_open(const char *base_url, struct mlc_error *err);
void http_close(struct http *h);

/* GET base/api/2.0/mlflow/PATH?params (every value percent-encoded) and parse
 * the JSON object answered into *out (the caller json_decref's it). Retries
 * 429/500/502/503/504 and dropped connections with backoff, honouring
 * Retry-After. -1 with err "HOST: HTTP STATUS CODE: message" otherwise
 * (err->code MLC_ERR_NOTFOUND for 404). */
int http_get_json(struct http *h, const char *path, const struct http_param *params, size_t n,
		  json_t **out, struct mlc_error *err);
/* POST body (application/json) to base/api/2.0/mlflow/PATH; as http_get_json. */
int http_post_json(struct http *h, const char *path, const json_t *body, json_t **out,
		   struct mlc_error *err);
/* DELETE with a JSON body (application/json), as MLflow OSS needs (its
 * DELETE handlers read the body, never the query); as http_post_json. */
int http_delete_json(struct http *h, const char *path, const json_t *body, json_t **out,
		     struct mlc_error *err);

/* How many requests http_get_many runs at once (connections it keeps open). */
#define HTTP_PARALLEL 4

/* One GET of a batch: base/api/2.0/mlflow/PATH?params. */
struct http_request {
	const char *path;
	const struct http_param *params;
	size_t n_params;
};

/* Its outcome: rc 0 and json (the caller json_decref's it), or rc -1 and
 * err as http_get_json gives it; status the HTTP status (0: no answer). */
struct http_response {
	int rc;
	json_t *json;
	long status;
	struct mlc_error err;
};

/* Called with request i's outcome as soon as the server's answer is final
 * (not for requests that never got one); it may take res->json, converting
 * it at once and setting it NULL, so a batch never holds every answer. */
typedef void (*http_done_fn)(size_t i, struct http_response *res, void *ctx);

/* Run the n GETs of req together, HTTP_PARALLEL at a time on connections kept
 * alive between batches, each retried as http_get_json would (a round of
 * retries waits once, as long as the longest wait one of them needs), each
 * with its own outcome in res[i]; done (may be NULL) sees each as it
 * arrives. Returns how many failed. */
int http_get_many(struct http *h, const struct http_request *req, size_t n,
		  struct http_response *res, http_done_fn done, void *ctx);

/* Abort the transfer (or backoff wait) in progress with the error
 * "HOST: cancelled", and every request until http_clear_interrupt. The one
 * function that may be called from another thread. */
void http_interrupt(struct http *h);
/* Forget an interrupt (at the start of each registry operation). */
void http_clear_interrupt(struct http *h);

/* Does the server require credentials? GET PATH?params once without any
 * (none of the handle's are sent): 1 if it is refused with 401, 0 if it is
 * answered, -1 with err if it fails otherwise. */
int http_auth_required(struct http *h, const char *path, const struct http_param *params, size_t n,
		       struct mlc_error *err);
/* The user name sent with a password (Basic auth), or NULL when none is. */
const char *http_basic_user(const struct http *h);

/* host[:port] of the server, for messages. */
const char *http_host(const struct http *h);
/* The HTTP status of the last failed single request (0: none, or no
 * answer); http_get_many gives each request's status in its response. */
long http_last_status(const struct http *h);
/* The response size cap (HTTP_MAX_BODY_DEFAULT unless changed). */
void http_set_max_body(struct http *h, size_t max);
void http_get_stats(const struct http *h, struct http_stats *out);

/* url without userinfo, query or fragment (for display); NULL if it is not a
 * URL libcurl can parse. Caller frees. */
char *http_display_url(const char *url);
/* 1 if url (any scheme://) has a password in its userinfo (user:password@). */
int http_url_has_password(const char *url);

#endif
