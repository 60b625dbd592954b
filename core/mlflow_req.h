/* mlflow_req.h: a request tag on an MLflow server, as mlflow_requests.c
 * reads it (the flows: open, vote, cancel, complete) and mlflow_reqlist.c
 * scans and lists it. Private to the REST backend. */
#ifndef MLC_MLFLOW_REQ_H
#define MLC_MLFLOW_REQ_H

#include <jansson.h>
#include <stdint.h>
#include "mlflow_impl.h"

/* Where a request's tag lives, its current opening and its number. */
struct found {
	char model[512], version[24], env[72];
	char ref[620];	   /* "M:V:E", the id users of other MLflow clients see */
	char opening[660]; /* "REF@ms": the current opening ("" before one is read) */
	int64_t id;
	int policy; /* a policy request: the tag mlconsole.policyrequest.E of
		     * experiment exp ("policy:E"); model and version "" */
	char exp[64];
};

/* A request as read: its tag, and the votes of its current opening. */
struct req {
	json_t *tag;   /* the request tag ({} when none) */
	json_t *votes; /* [{"by", "d", "at", "comment", ...}]: the old layout's
			* "votes" in the tag, then the vote tags whose req is the opening */
};

/* Called for each request found; returns 1 to stop. */
typedef int (*req_fn)(const struct found *f, const struct req *q, void *ctx);

/* f for the request of model version in env (no opening read yet). */
void found_set(struct found *f, const char *model, const char *version, const char *env);
/* f for the policy request of env, a tag of experiment exp. */
void found_set_policy(struct found *f, const char *env, const char *exp);
/* Take request tag j as f's current opening: its opening and number. */
void found_open(struct found *f, const json_t *j);
/* The state of request tag j ("" when j holds no request). */
const char *state_of(const json_t *j);
/* The state of request q: its tag's, or "rejected" while the tag says
 * pending and a rejecting vote of its opening is in. */
const char *req_state(const struct req *q);
/* Read f's request from entity o (a model version, or the policy
 * experiment): its tag and the votes of its current opening, into q. */
void req_from(const json_t *o, const struct found *f, struct req *q);
/* Free what a read left in q. */
void req_free(struct req *q);
/* The number of an earlier opening kept in a tag's "was". */
int64_t was_number(const json_t *it);
/* fn for every request tag of env (of model only, unless NULL). */
int scan_requests(struct registry *r, const char *env, const char *model, req_fn fn, void *ctx,
		  struct mlc_error *err);
/* fn for every policy request (none when the policy experiment is absent). */
int scan_policy_requests(struct registry *r, req_fn fn, void *ctx, struct mlc_error *err);

#endif
