/* mlflow_requests.c: promotion, rollback and policy requests on a stock MLflow
 * server (README's server section; mlflow_impl.h): a request is the model-version tag
 * mlconsole.request.E (a policy request the tag mlconsole.policyrequest.E of
 * the experiment "mlconsole"), which keeps the request and its state only;
 * each vote is a tag of its own beside it (mlconsole.vote.E.USER,
 * mlconsole.policyvote.E.USER), so two votes never overwrite each other. The
 * rules are policy.c's; this file reads, writes and confirms.
 *
 * Openings and numbers: each opening of a request has its identity, OPENING =
 * "M:V:E@<opened ms>" ("policy:E@<ms>"), kept in the tag's "opening" field; a
 * vote names the opening it was cast for ("req") and counts only for it. The
 * number users see is OPENING hashed (FNV-1a, 64 bits) to 1 .. 2^31-1: every
 * console sharing the server shows the same number without a local table. A
 * tag of the old layout (no "opening": votes inside the tag) keeps the number
 * of its "M:V:E", and its opening is "M:V:E@<its at>". A re-opened tag keeps
 * the numbers of its earlier openings ("was") so that a vote by one of them is
 * refused, not counted.
 *
 * Completion: MLflow has no compare-and-swap, so the console that, after
 * confirming its own vote, counts enough approvals claims the deployment in
 * the request tag ("claim": {"by", "at"}: read, write, re-read, confirm, and
 * once more just before the alias); only the console whose claim survives
 * deploys. A claim older than FINISH_GRACE_MS (its console died) may be taken
 * over by a later approving vote, which also finishes deployments a console
 * left half done (reconcile). */
#include "config.h"
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mlflow_impl.h"
#include "mlflow_req.h"
#include "timefmt.h"
#include "xmalloc.h"

#define MAX_WAS 8      /* earlier openings a request tag keeps ("was") ... */
#define WAS_ROOM 3500  /* ... while the tag stays this short (room for a close and a claim) */
#define MAX_REASON 300 /* bytes of a close reason kept in a request tag */

/* ---- requests: tags, openings, numbers -------------------------------------------- */

/* The number of an earlier opening kept in a tag's "was": a number (the
 * older layout) or {"n", "at", "kind", "by", "state", "reason", "closed_at"}. */
int64_t was_number(const json_t *it)
{
	return json_is_object(it) ? jint(it, "n") : json_integer_value(it);
}

/* The number shown for an opening (or an old-layout "M:V:E"). */
static int64_t request_number(const char *ref)
{
	uint64_t h = 14695981039346656037ULL;

	for (const char *p = ref; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	return (int64_t)(h % 2147483647ULL) + 1;
}

/* Fill f for the request of model version in env (no opening read yet). */
void found_set(struct found *f, const char *model, const char *version, const char *env)
{
	memset(f, 0, sizeof *f);
	snprintf(f->model, sizeof f->model, "%s", model);
	snprintf(f->version, sizeof f->version, "%s", version);
	snprintf(f->env, sizeof f->env, "%s", env);
	snprintf(f->ref, sizeof f->ref, "%s:%s:%s", model, version, env);
	f->id = request_number(f->ref);
}

/* Fill f for the policy request of env, a tag of experiment exp. */
void found_set_policy(struct found *f, const char *env, const char *exp)
{
	found_set(f, "", "", env);
	snprintf(f->exp, sizeof f->exp, "%s", exp);
	snprintf(f->ref, sizeof f->ref, "policy:%s", env);
	f->id = request_number(f->ref);
	f->policy = 1;
}

/* The opening of request tag j of ref into buf: its "opening", or (the old
 * layout) "REF@<at>". */
static void opening_of(const json_t *j, const char *ref, char *buf, size_t len)
{
	if (jstr(j, "opening"))
		snprintf(buf, len, "%s", jstr(j, "opening"));
	else
		snprintf(buf, len, "%s@%lld", ref, (long long)jint(j, "at"));
}

/* The number of request tag j of ref: its opening's, or the old layout's
 * (of REF). */
static int64_t number_of(const json_t *j, const char *ref)
{
	return request_number(jstr(j, "opening") ? jstr(j, "opening") : ref);
}

/* Take request tag j as f's current opening: its opening and number. */
void found_open(struct found *f, const json_t *j)
{
	opening_of(j, f->ref, f->opening, sizeof f->opening);
	f->id = number_of(j, f->ref);
}

/* The state of request tag j ("" when j holds no request). */
const char *state_of(const json_t *j)
{
	return jstr(j, "state") ? jstr(j, "state") : jstr(j, "id") ? "pending" : "";
}

/* USER in MLflow's tag-key alphabet, injectively: [A-Za-z0-9_.] as is, every
 * other byte as -XX (hex). */
static void user_key(const char *user, char *buf, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)user; *p && n + 4 < len; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '.') {
			buf[n++] = (char)*p;
		} else {
			buf[n++] = '-';
			buf[n++] = hex[*p >> 4];
			buf[n++] = hex[*p & 15];
		}
	}
	buf[n] = '\0';
}

/* The key of f's request tag (what: "request"), or the prefix of its vote
 * tags ("vote": "mlconsole.vote.E.", "mlconsole.policyvote.E."). */
static void tag_key(const struct found *f, const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "mlconsole.%s%s.%s%s", f->policy ? "policy" : "", what, f->env,
		 strcmp(what, "vote") == 0 ? "." : "");
}

/* Free what a read left in q. */
void req_free(struct req *q)
{
	json_decref(q->tag);
	json_decref(q->votes);
	q->tag = q->votes = NULL;
}

/* Read f's request from entity o (a model version, or the policy experiment):
 * its tag and the votes of its current opening, into q. */
void req_from(const json_t *o, const struct found *f, struct req *q)
{
	char key[128], prefix[128], opening[660];
	const json_t *it;
	size_t i, np;

	tag_key(f, "request", key, sizeof key);
	q->tag = tag_of(o, key) ? json_loads(tag_of(o, key), 0, NULL) : NULL;
	if (!json_is_object(q->tag)) {
		json_decref(q->tag);
		q->tag = json_object();
	}
	q->votes = json_array();
	json_array_foreach(json_object_get(q->tag, "votes"), i, it)
	{
		if (jstr(it, "by") && jstr(it, "d"))
			json_array_append(q->votes, (json_t *)it);
	}
	opening_of(q->tag, f->ref, opening, sizeof opening);
	tag_key(f, "vote", prefix, sizeof prefix);
	np = strlen(prefix);
	json_array_foreach(json_object_get(o, "tags"), i, it)
	{
		const char *k = jstr(it, "key"), *v = jstr(it, "value");
		json_t *vote;
		if (!k || !v || strncmp(k, prefix, np) != 0 || !(vote = json_loads(v, 0, NULL)))
			continue;
		if (jstr(vote, "req") && strcmp(jstr(vote, "req"), opening) == 0 &&
		    jstr(vote, "by") && jstr(vote, "d"))
			json_array_append(q->votes, vote);
		json_decref(vote);
	}
}

/* The state of request q: its tag's, but "rejected" while the tag still says
 * pending and a rejecting vote of its opening is in (the tag's close may not
 * have landed yet, or was lost to a concurrent write). */
const char *req_state(const struct req *q)
{
	const char *s = state_of(q->tag);
	const json_t *v;
	size_t i;

	if (strcmp(s, "pending") != 0)
		return s;
	json_array_foreach(q->votes, i, v)
	{
		if (strcmp(jstr(v, "d"), "reject") == 0)
			return "rejected";
	}
	return s;
}

/* Request q of f as policy.c reads it, into *out (pointing into q); its
 * votes are allocated: the caller frees what this returns. */
static struct mlc_vote *req_view(const struct req *q, const struct found *f,
				 struct mlc_request *out)
{
	struct mlc_vote *v = xcalloc(json_array_size(q->votes) + 1, sizeof *v);
	const json_t *it;
	size_t i;

	memset(out, 0, sizeof *out);
	out->id = f->id;
	out->model = f->model;
	out->version = f->version;
	out->environment = f->env;
	out->kind = jstr(q->tag, "kind") ? jstr(q->tag, "kind") : "promote";
	out->state = req_state(q);
	out->requested_by = jstr(q->tag, "by");
	out->comment = jstr(q->tag, "comment");
	out->requested_at = jint(q->tag, "at");
	out->votes = v;
	json_array_foreach(q->votes, i, it)
	{
		v[i] = (struct mlc_vote){jstr(it, "by"), jstr(it, "d"), jstr(it, "comment"),
					 jint(it, "at")};
	}
	out->n_votes = json_array_size(q->votes);
	return v;
}

/* How many approving votes request q holds (policy.c counts them). */
static int64_t req_approvals(const struct req *q, const struct found *f)
{
	struct mlc_request view;
	struct mlc_vote *v = req_view(q, f, &view);
	int64_t n = mlc_policy_approvals(&view);

	free(v);
	return n;
}

/* May actor vote on q under e's policy (policy.c)? ignore_votes: whether
 * actor is one who may vote at all (an approver, not the requester without
 * self-approval), whatever the state and whether they voted already. */
static int req_may_vote(const struct req *q, const struct found *f, const struct mlc_env *e,
			const char *actor, int ignore_votes, struct mlc_error *err)
{
	struct mlc_request view;
	struct mlc_vote *v = req_view(q, f, &view);
	int rc;

	if (ignore_votes) {
		view.n_votes = 0;
		view.state = "pending";
	}
	rc = mlc_policy_may_vote(&view, e, actor, err);
	free(v);
	return rc;
}

/* Read f's request as it is now into q; -1 with err. */
static int read_request(struct registry *r, const struct found *f, struct req *q,
			struct mlc_error *err)
{
	struct http_param p[] = {{"name", f->model}, {"version", f->version}};
	json_t *resp;

	q->tag = q->votes = NULL;
	if (f->policy) {
		if (policy_experiment(r, &resp, err) < 0)
			return -1;
		req_from(resp, f, q);
		json_decref(resp);
		return 0;
	}
	if (http_get_json(HTTPH(r), "model-versions/get", p, 2, &resp, err) < 0) {
		if (http_last_status(HTTPH(r)) == 404)
			mlc_error_set(err, MLC_ERR_NOTFOUND, "model '%s': no version %s", f->model,
				      f->version);
		return -1;
	}
	req_from(json_object_get(resp, "model_version"), f, q);
	json_decref(resp);
	return 0;
}

/* Set tag key of f's model version (or of the policy experiment) to s. */
static int write_tag(struct registry *r, const struct found *f, const char *key, const char *s,
		     struct mlc_error *err)
{
	if (f->policy)
		return send_change(
		    r, "experiments/set-experiment-tag",
		    json_pack("{s:s,s:s,s:s}", "experiment_id", f->exp, "key", key, "value", s), 0,
		    err);
	return send_change(r, "model-versions/set-tag",
			   json_pack("{s:s,s:s,s:s,s:s}", "name", f->model, "version", f->version,
				     "key", key, "value", s),
			   0, err);
}

/* Write request tag j of f. */
static int write_request(struct registry *r, const struct found *f, const json_t *j,
			 struct mlc_error *err)
{
	char key[128], *s = json_dumps(j, JSON_COMPACT);
	int rc;

	if (s && strlen(s) > MAX_TAG_VALUE) {
		free(s);
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: too many votes and comments for one MLflow tag "
				     "(%d characters)",
				     (long long)f->id, MAX_TAG_VALUE);
	}
	tag_key(f, "request", key, sizeof key);
	rc = write_tag(r, f, key, s ? s : "{}", err);
	free(s);
	return rc;
}

/* Write actor's vote (decision at, comment) for f's current opening: the tag
 * mlconsole.vote.E.USER (mlconsole.policyvote.E.USER). */
static int write_vote(struct registry *r, const struct found *f, const char *actor,
		      const char *decision, int64_t at, const char *comment, struct mlc_error *err)
{
	char key[256], prefix[128], user[200], *s;
	json_t *v;
	int rc;

	tag_key(f, "vote", prefix, sizeof prefix);
	user_key(actor, user, sizeof user);
	if (snprintf(key, sizeof key, "%s%s", prefix, user) >= 250)
		return mlc_error_set(err, MLC_ERR_USAGE,
				     "request %lld: the name %s is too long for an MLflow tag key",
				     (long long)f->id, actor);
	v = json_pack("{s:s,s:I,s:s,s:s,s:s}", "d", decision, "at", (json_int_t)at, "comment",
		      comment ? comment : "", "req", f->opening, "by", actor);
	if (v == NULL)
		return mlc_error_set(err, MLC_ERR_USAGE,
				     "request %lld: a name or comment is not "
				     "valid UTF-8",
				     (long long)f->id);
	s = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	rc = write_tag(r, f, key, s ? s : "{}", err);
	free(s);
	return rc;
}

/* "request N was re-opened since as request M; look at it again" */
static int reopened(struct mlc_error *err, int64_t was, int64_t now)
{
	return mlc_error_set(err, MLC_ERR_FAILED,
			     "request %lld was re-opened since as request %lld; look at it again",
			     (long long)was, (long long)now);
}

/* One change to a request tag: edit the freshly read q (0: write its tag; 1:
 * nothing to write; -1 with err: refused), and check the re-read q holds it. */
struct req_change {
	int (*edit)(struct req *q, struct req_change *c, struct mlc_error *err);
	int (*check)(const struct req *q, const struct req_change *c);
	const struct found *f; /* with the opening the change is for ("": any) */
	const char *actor, *kind, *comment, *state, *reason;
	int64_t at;
	int wrote;
	const json_t *change; /* edit_open of a policy request: the change ... */
	const char *summary;  /* ... and what it changes, for people */
	int64_t superseded;   /* edit_open: the number of the pending opening it replaced */
};

/* Read-modify-write of a request tag, as §11 has it: re-read, edit, write,
 * let concurrent writers land, re-read and confirm; again a few times when
 * another console's write replaced this one. *final: the confirmed request. */
static int update_request(struct registry *r, struct req_change *c, struct req *final,
			  struct mlc_error *err)
{
	struct req q;
	int e;

	for (int i = 0; i < CONFIRM_TRIES; i++) {
		if (read_request(r, c->f, &q, err) < 0)
			return -1;
		if ((e = c->edit(&q, c, err)) < 0 ||
		    (e == 0 && write_request(r, c->f, q.tag, err) < 0)) {
			req_free(&q);
			return -1;
		}
		req_free(&q);
		if (e == 0) {
			c->wrote = 1;
			settle();
		}
		if (read_request(r, c->f, &q, err) < 0)
			return -1;
		if (c->check(&q, c)) {
			*final = q;
			return 0;
		}
		req_free(&q);
	}
	return mlc_error_set(err, MLC_ERR_FAILED,
			     "request %lld: the change could not be confirmed: other consoles kept "
			     "replacing the request tag; try again",
			     (long long)c->f->id);
}

/* 0 when q's tag is still f's opening (any, when f has none yet); else -1,
 * err saying it was re-opened since (err may be NULL). */
static int still_open(const struct req *q, const struct found *f, struct mlc_error *err)
{
	char now[660];

	opening_of(q->tag, f->ref, now, sizeof now);
	if (!f->opening[0] || strcmp(now, f->opening) == 0)
		return 0;
	return reopened(err, f->id, number_of(q->tag, f->ref));
}

/* Close j (state, reason, time); the caller writes it. */
static void close_in(json_t *j, const char *state, const char *reason)
{
	json_object_set_new(j, "state", json_string(state));
	json_object_set_new(j, "reason", jcut(reason, MAX_REASON));
	json_object_set_new(j, "closed_at", json_integer(timefmt_now_ms()));
}

/* Edit: close a pending request (state c->state, reason c->reason); nothing
 * to do when it is no longer pending, or was re-opened since. */
static int edit_close(struct req *q, struct req_change *c, struct mlc_error *err)
{
	if (strcmp(state_of(q->tag), "pending") != 0 || still_open(q, c->f, NULL) < 0)
		return 1;
	close_in(q->tag, c->state, c->reason);
	return 0;
}

/* Check: the opening is no longer pending (or no longer the current one). */
static int is_closed(const struct req *q, const struct req_change *c)
{
	return strcmp(state_of(q->tag), "pending") != 0 || still_open(q, c->f, NULL) < 0;
}

/* Close f's opening (state, reason) by actor unless it is no longer pending;
 * the confirmed request into *fin. */
static int close_request(struct registry *r, const struct found *f, const char *actor,
			 const char *state, const char *reason, struct req *fin,
			 struct mlc_error *err)
{
	struct req_change c = {edit_close, is_closed, f, actor, NULL, NULL, state,
			       reason,	   0,	      0, NULL,	NULL, 0};

	return update_request(r, &c, fin, err);
}

/* Edit: the request is approved (its deployment is done). */
static int edit_approved(struct req *q, struct req_change *c, struct mlc_error *err)
{
	const char *state = state_of(q->tag);

	if (!*state)
		return mlc_policy_no_request(c->f->id, err);
	if (still_open(q, c->f, err) < 0)
		return -1;
	if (strcmp(state, "approved") == 0)
		return 1;
	if (strcmp(state, "pending") != 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "another console %s it meanwhile",
				     strcmp(state, "closed") == 0 ? "closed" : state);
	close_in(q->tag, "approved", "approved");
	return 0;
}

/* Check: the request is approved. */
static int is_approved(const struct req *q, const struct req_change *c)
{
	return strcmp(state_of(q->tag), "approved") == 0;
}

/* Edit: the requester withdraws a pending request (policy.c decides who). */
static int edit_cancel(struct req *q, struct req_change *c, struct mlc_error *err)
{
	struct mlc_request view;
	struct mlc_vote *v;
	int rc;

	if (still_open(q, c->f, err) < 0)
		return -1;
	v = req_view(q, c->f, &view);
	view.state = state_of(q->tag);
	rc = mlc_policy_may_cancel(&view, c->actor, err);
	free(v);
	if (rc < 0)
		return -1;
	close_in(q->tag, "cancelled", "cancelled by the requester");
	return 0;
}

/* What a re-opened tag keeps of the opening q it replaces, in "was": its
 * number, when and by whom it was opened, its kind, and how it ended (a
 * pending one is closed: superseded by the opening numbered now). */
static json_t *was_entry(const struct req *q, const struct found *f, int64_t now)
{
	const char *state = req_state(q), *reason = jstr(q->tag, "reason");
	int64_t closed = jint(q->tag, "closed_at");
	char why[64];
	json_t *e;

	if (strcmp(state, "pending") == 0) {
		state = "closed";
		mlc_policy_superseded(now, why, sizeof why);
		reason = why;
	} else if (strcmp(state, state_of(q->tag)) != 0) {
		reason = "rejected"; /* by a vote the tag did not say yet */
	}
	e = json_pack("{s:I,s:I,s:s,s:s,s:I}", "n", (json_int_t)number_of(q->tag, f->ref), "at",
		      (json_int_t)jint(q->tag, "at"), "kind",
		      jstr(q->tag, "kind") ? jstr(q->tag, "kind") : "promote", "state", state,
		      "closed_at", (json_int_t)(closed ? closed : timefmt_now_ms()));
	json_object_set_new(e, "by", jcut(jstr(q->tag, "by") ? jstr(q->tag, "by") : "", 100));
	json_object_set_new(e, "reason", jcut(reason ? reason : "", 160));
	if (jstr(q->tag, "summary")) /* a policy request: what it would have changed */
		json_object_set_new(e, "summary", jcut(jstr(q->tag, "summary"), 200));
	return e;
}

/* Edit: open the request anew (it replaces a closed one, or a pending one of
 * the other kind: policy.c allowed it). The numbers of earlier openings are
 * kept in "was". */
static int edit_open(struct req *q, struct req_change *c, struct mlc_error *err)
{
	const char *state = state_of(q->tag), *kind = jstr(q->tag, "kind");
	json_t *was = json_array(), *old = json_object_get(q->tag, "was"), *it;
	char opening[660];
	size_t i;

	struct mlc_pending pend = {number_of(q->tag, c->f->ref), strtoll(c->f->version, NULL, 10),
				   kind ? kind : "promote"};

	if (strcmp(state, "pending") == 0 &&
	    mlc_policy_duplicate(&pend, 1, pend.version, c->kind, err) < 0) {
		json_decref(was);
		return -1;
	}
	c->superseded = strcmp(state, "pending") == 0 ? number_of(q->tag, c->f->ref) : 0;
	snprintf(opening, sizeof opening, "%s@%lld", c->f->ref, (long long)c->at);
	json_array_foreach(old, i, it)
	{
		if ((json_is_integer(it) || json_is_object(it)) &&
		    json_array_size(old) - i < MAX_WAS)
			json_array_append(was, it);
	}
	if (*state)
		json_array_append_new(was, was_entry(q, c->f, request_number(opening)));
	json_object_clear(q->tag);
	json_object_set_new(q->tag, "id", json_string(c->f->ref));
	json_object_set_new(q->tag, "opening", json_string(opening));
	json_object_set_new(q->tag, "kind", json_string(c->kind));
	json_object_set_new(q->tag, "by", json_string(c->actor));
	json_object_set_new(q->tag, "at", json_integer(c->at));
	json_object_set_new(q->tag, "comment", json_string(c->comment ? c->comment : ""));
	json_object_set_new(q->tag, "state", json_string("pending"));
	if (c->change) {
		json_object_set_new(q->tag, "change", json_deep_copy(c->change));
		json_object_set_new(q->tag, "summary", jcut(c->summary, MAX_DETAIL));
	}
	if (json_array_size(was))
		json_object_set(q->tag, "was", was);
	while (json_array_size(was) > 0 && json_dumpb(q->tag, NULL, 0, JSON_COMPACT) > WAS_ROOM)
		json_array_remove(was, 0); /* the oldest openings go first */
	json_decref(was);
	return 0;
}

/* Check: q is the request this console opened. */
static int is_opened(const struct req *q, const struct req_change *c)
{
	return jstr(q->tag, "by") && strcmp(jstr(q->tag, "by"), c->actor) == 0 &&
	       jint(q->tag, "at") == c->at && strcmp(state_of(q->tag), "pending") == 0 &&
	       jstr(q->tag, "opening");
}

/* The claim on q's deployment that is still in force at now (younger than
 * FINISH_GRACE_MS), or NULL. */
static const json_t *live_claim(const struct req *q, int64_t now)
{
	const json_t *cl = json_object_get(q->tag, "claim");

	if (!jstr(cl, "by") || now - jint(cl, "at") >= FINISH_GRACE_MS)
		return NULL;
	return cl;
}

/* Edit: claim the deployment of a pending request for c->actor (at c->at),
 * unless another console's claim is in force. */
static int edit_claim(struct req *q, struct req_change *c, struct mlc_error *err)
{
	const json_t *cl = live_claim(q, c->at);

	if (still_open(q, c->f, err) < 0)
		return -1;
	if (strcmp(req_state(q), "pending") != 0 || cl)
		return 1; /* closed, or claimed (by another, or ours kept by a rewrite) */
	json_object_set_new(q->tag, "claim",
			    json_pack("{s:s,s:I}", "by", c->actor, "at", (json_int_t)c->at));
	return 0;
}

/* Check: the request is claimed by someone, or no longer pending. */
static int is_claimed(const struct req *q, const struct req_change *c)
{
	return still_open(q, c->f, NULL) < 0 || strcmp(req_state(q), "pending") != 0 ||
	       live_claim(q, c->at) != NULL;
}

/* 1 when q's claim is actor's, made at at. */
static int claimed_by(const struct req *q, const char *actor, int64_t at)
{
	const json_t *cl = json_object_get(q->tag, "claim");

	return jstr(cl, "by") && strcmp(jstr(cl, "by"), actor) == 0 && jint(cl, "at") == at;
}

/* What find_request looks for: the request numbered id, or the one that
 * numbered it once ("was"). */
struct match {
	int64_t id;
	struct found f; /* the request found (ref "" until then) */
	int64_t now;	/* the number of the opening that replaced id, 0: none */
	char was[16];	/* and the state id ended in, when its tag kept it */
};

/* Keep the request whose number is m's id (or note the one it was). */
static int match_request(const struct found *f, const struct req *q, void *ctx)
{
	struct match *m = ctx;
	const json_t *it;
	size_t i;

	if (f->id == m->id) {
		m->f = *f;
		return 1;
	}
	json_array_foreach(json_object_get(q->tag, "was"), i, it)
	{
		if (was_number(it) == m->id) {
			m->now = f->id;
			snprintf(m->was, sizeof m->was, "%s",
				 jstr(it, "state") ? jstr(it, "state") : "");
		}
	}
	return 0;
}

/* The request numbered id (its current opening) into f, and its
 * environment's policy from envs. A number of an earlier opening is refused:
 * it is no longer pending (policy.c says how it ended), or (a tag of the older
 * layout, which kept only the number) it was re-opened since. */
static int find_request(struct registry *r, int64_t id, const struct mlc_env_list *envs,
			struct found *f, const struct mlc_env **env, struct mlc_error *err)
{
	struct match m = {.id = id};

	for (size_t i = 0; i < envs->n && !m.f.ref[0]; i++)
		if (scan_requests(r, envs->items[i].name, NULL, match_request, &m, err) < 0)
			return -1;
	if (!m.f.ref[0] && scan_policy_requests(r, match_request, &m, err) < 0)
		return -1;
	if (!m.f.ref[0] && m.was[0] &&
	    mlc_policy_pending(&(struct mlc_request){.id = id, .state = m.was}, err) < 0)
		return -1; /* ("pending": a tag written by hand; re-opened since, then) */
	if (!m.f.ref[0] && m.now)
		return reopened(err, id, m.now);
	if (!m.f.ref[0])
		return mlc_policy_no_request(id, err);
	*f = m.f;
	*env = find_env(envs, f->env, err);
	return *env ? 0 : -1;
}

/* Note request q of f in ctx (a JSON array) when it is pending. */
static int collect_pending(const struct found *f, const struct req *q, void *ctx)
{
	if (strcmp(req_state(q), "pending") == 0)
		json_array_append_new(
		    ctx, json_pack("{s:s,s:s,s:I,s:s}", "version", f->version, "opening",
				   f->opening, "id", (json_int_t)f->id, "kind",
				   jstr(q->tag, "kind") ? jstr(q->tag, "kind") : "promote"));
	return 0;
}

/* Close the pending requests (pend, from collect_pending) of f's model in its
 * environment, other than f's own tag: superseded by f. */
static int supersede(struct registry *r, const struct found *f, const json_t *pend,
		     const char *actor, struct mlc_error *err)
{
	const json_t *it;
	char reason[64], subject[600], detail[128];
	size_t i;

	mlc_policy_superseded(f->id, reason, sizeof reason);
	json_array_foreach(pend, i, it)
	{
		struct found g;
		struct req fin;
		if (strcmp(jstr(it, "version"), f->version) == 0)
			continue; /* f's own tag: replaced by the new opening */
		found_set(&g, f->model, jstr(it, "version"), f->env);
		snprintf(g.opening, sizeof g.opening, "%s", jstr(it, "opening"));
		g.id = jint(it, "id");
		if (close_request(r, &g, actor, "closed", reason, &fin, err) < 0)
			return -1;
		req_free(&fin);
		mlc_audit_subject(subject, sizeof subject, g.model, g.version, g.env);
		mlc_audit_request_detail(detail, sizeof detail, g.id, reason);
		journal(r, actor, "close", subject, detail);
	}
	return 0;
}

/* Open a promotion (or rollback) request as the tag of the version: a new
 * opening, with its own number; it supersedes the pending requests of the
 * model there (policy.c). */
int mlflow_request(struct registry *r, const char *model, const char *version, const char *env,
		   const char *kind, const char *comment, const char *actor,
		   struct mlc_outcome *out, struct mlc_error *err)
{
	int rollback = strcmp(kind, "rollback") == 0;
	char cbuf[MLC_COMMENT_MAX + 1], num[24], subject[600], vnote[200] = "", reason[64];
	char detail[MLC_COMMENT_MAX + 32];
	int cut = mlc_policy_comment(comment, cbuf), rc = -1;
	struct place p = {0};
	struct found f;
	struct req_change c = {edit_open,
			       is_opened,
			       &f,
			       actor,
			       rollback ? "rollback" : "promote",
			       cbuf,
			       NULL,
			       NULL,
			       timefmt_now_ms(),
			       0,
			       NULL,
			       NULL,
			       0};
	struct mlc_pending *pv = NULL;
	struct mlc_place mp;
	enum mlc_vstate vs = MLC_V_OK;
	json_t *pend = json_array();
	const json_t *it;
	struct req fin = {0};
	size_t i;
	int64_t v;

	if (place_open(r, model, env, &p, err) < 0 ||
	    scan_requests(r, p.env->name, model, collect_pending, pend, err) < 0)
		goto out;
	pv = xcalloc(json_array_size(pend) + 1, sizeof *pv);
	json_array_foreach(pend, i, it)
	{
		pv[i] = (struct mlc_pending){jint(it, "id"), strtoll(jstr(it, "version"), NULL, 10),
					     jstr(it, "kind")};
	}
	place_policy(&p, &mp);
	if (rollback) {
		if (mlc_policy_rollback(&mp, version, 1, &v, err) < 0 ||
		    version_state(r, &p, v, &vs, NULL, 0, NULL, 0, err) < 0 ||
		    mlc_policy_rollback_version(&mp, v, version, vs, err) < 0)
			goto out;
	} else if ((v = mlc_version_parse(version, err)) < 0 ||
		   version_state(r, &p, v, &vs, vnote, sizeof vnote, NULL, 0, err) < 0) {
		goto out;
	}
	if (mlc_policy_request(&mp, c.kind, v, vs, vnote, pv, json_array_size(pend), err) < 0)
		goto out;
	snprintf(num, sizeof num, "%lld", (long long)v);
	found_set(&f, model, num, p.env->name);
	if (update_request(r, &c, &fin, err) < 0)
		goto out;
	found_open(&f, fin.tag);
	mlc_audit_subject(subject, sizeof subject, model, num, p.env->name);
	mlc_audit_request_detail(detail, sizeof detail, f.id, cbuf);
	journal(r, actor, rollback ? "request rollback" : "request", subject, detail);
	if (c.superseded) {
		/* the same tag held a pending request of the other kind */
		mlc_policy_superseded(f.id, reason, sizeof reason);
		mlc_audit_request_detail(detail, sizeof detail, c.superseded, reason);
		journal(r, actor, "close", subject, detail);
	}
	if (supersede(r, &f, pend, actor, err) < 0)
		goto out;
	mlc_said_requested(out, f.id, c.kind, model, v, p.env->name);
	mlc_outcome_note(out, "%s; %s", f.ref, NOT_BY_SERVER);
	mlc_said_comment_cut(out, cut);
	rc = 0;
out:
	req_free(&fin);
	free(pv);
	json_decref(pend);
	place_close(&p);
	return rc;
}

/* ---- completion ------------------------------------------------------------------- */

/* Close request f (not eligible any more) with reason; the outcome says so,
 * or that it was approved after all when another console got there first. */
static int close_ineligible(struct registry *r, const struct found *f, const char *actor,
			    const char *reason, struct mlc_outcome *out, struct mlc_error *err)
{
	struct req fin;
	char subject[600], detail[MLC_COMMENT_MAX + 32];
	int approved;

	if (close_request(r, f, actor, "closed", reason, &fin, err) < 0)
		return -1;
	approved = strcmp(state_of(fin.tag), "approved") == 0;
	req_free(&fin);
	if (approved) {
		mlc_said_approved(out, f->id, 0, f->model, strtoll(f->version, NULL, 10), f->env);
		return 0;
	}
	mlc_audit_subject(subject, sizeof subject, f->policy ? NULL : f->model, f->version, f->env);
	mlc_audit_request_detail(detail, sizeof detail, f->id, reason);
	journal(r, actor, "close", subject, detail);
	mlc_said_closed(out, f->id, reason);
	return 0;
}

/* Just before the alias: f's request as it is now must still be the opening
 * voted on, pending (a reject, a cancel or a newer request may have landed
 * while the votes were confirmed), and — claim_at > 0 — claimed by actor at
 * claim_at (a claim held back on its way may have replaced it: that console
 * deploys). 0 go on; 1 not this console's to deploy (out says who does); -1
 * with err. */
static int still_mine(struct registry *r, const struct found *f, const struct mlc_env *e,
		      const char *actor, int64_t claim_at, struct mlc_outcome *out,
		      struct mlc_error *err)
{
	struct req now;
	const char *state, *who;
	int rc = 0;

	if (claim_at > 0)
		settle(); /* a second wait: a claim written late lands before this read */
	if (read_request(r, f, &now, err) < 0)
		return -1;
	state = req_state(&now);
	if (still_open(&now, f, err) < 0)
		rc = -1;
	else if (strcmp(state, "pending") != 0)
		rc = mlc_error_set(err, MLC_ERR_FAILED,
				   "request %lld: another console %s it meanwhile; nothing was "
				   "deployed",
				   (long long)f->id, state);
	else if (claim_at > 0 && !claimed_by(&now, actor, claim_at)) {
		who = jstr(json_object_get(now.tag, "claim"), "by");
		mlc_said_counted(out, f->id, req_approvals(&now, f), mlc_policy_need(e));
		mlc_outcome_note(out, "%s's console deploys it; %s", who ? who : "another",
				 NOT_BY_SERVER);
		rc = 1;
	}
	req_free(&now);
	return rc;
}

/* The approval that satisfies request req: alias, history, the legacy stage
 * when mirrored, then the state approved (§11's order); a deployment already
 * in the history is not done twice. claim_at: when this console claimed it
 * (0: finishing an approved one). reconciled: finishing what another console
 * left half done — the state, or the history entry and stage after the alias
 * — running the hook only if it has not run for the deployment. A step that
 * fails after the alias is set (the history tag, the stage mirror) still
 * approves (the deployment stands), then fails with its error; the history's
 * missing request reference lets a later vote reconcile it. */
static int complete(struct registry *r, const struct found *f, const struct mlc_env *e,
		    const struct req *req, const char *actor, int reconciled, int64_t claim_at,
		    struct mlc_outcome *out, struct mlc_error *err)
{
	struct req_change c = {edit_approved, is_approved, f, actor, NULL, NULL, NULL,
			       NULL,	      0,	   0, NULL,  NULL, 0};
	struct mlc_error why = {0}, partial = {0};
	struct reqref q = {f->ref, jint(req->tag, "at")};
	struct place p = {0};
	int64_t v = strtoll(f->version, NULL, 10), prev, live;
	const char *kind = jstr(req->tag, "kind");
	int rollback = kind && strcmp(kind, "rollback") == 0, rc = -1, st, made = 1;
	const char *action = rollback ? "rollback" : "deploy";
	const json_t *done;
	char stage[32], fixed[200], vnote[200] = "";
	struct mlc_place mp;
	enum mlc_vstate vs;
	struct req fin = {0};
	json_t *h = NULL;

	if (place_open(r, f->model, f->env, &p, err) < 0)
		goto out;
	h = history_of(p.m, e->name);
	live = live_of(p.m, e->name);
	if ((done = history_req(h, &q)) != NULL) {
		/* deployed for this request; only its state is missing. The hook runs
		 * unless it ran for this deployment (a console that died did not). */
		mlc_outcome_where(out, f->model, e->name, action, v, jint(done, "prev"));
		made = live == v &&
		       strcmp(hook_status(p.m, e->name, v, jint(done, "at")), "none") == 0;
		if (live != v) {
			char since[64] = "taken down since";
			if (live > 0)
				snprintf(since, sizeof since, "replaced since by %lld",
					 (long long)live);
			mlc_outcome(out, f->id, 0,
				    "request %lld approved: %s %s went live in %s for it, and has "
				    "been %s",
				    (long long)f->id, f->model, f->version, e->name, since);
			goto approve;
		}
	} else if (reconciled && live == v && jint(json_array_get(h, 0), "v") != v) {
		/* the alias was set, the history tag not (the head is what was live
		 * before): write what is missing; the hook runs unless it ran since */
		int64_t before = jint(json_array_get(h, 0), "at");
		char subject[600];
		mlc_audit_subject(subject, sizeof subject, f->model, f->version, f->env);
		if (version_state(r, &p, v, &vs, NULL, 0, stage, sizeof stage, &why) < 0 ||
		    finish_live(r, f->model, &p, v, stage, action, actor, &q, subject, fixed,
				sizeof fixed, &why) < 0) {
			mlc_error_set(
			    err, why.code ? why.code : MLC_ERR_FAILED,
			    "request %lld: %s %s is live in %s, but what its deployment left "
			    "out could not be written: %.600s",
			    (long long)f->id, f->model, f->version, e->name, why.msg);
			goto out;
		}
		mlc_outcome_where(out, f->model, e->name, action, v,
				  jint(json_array_get(h, 0), "v"));
		made = strcmp(hook_status(p.m, e->name, v, before), "none") == 0;
	} else {
		struct mlc_request view;
		struct mlc_vote *vv;
		if ((st = still_mine(r, f, e, actor, claim_at, out, err)) != 0) {
			rc = st < 0 ? -1 : 0;
			goto out;
		}
		if (version_state(r, &p, v, &vs, vnote, sizeof vnote, NULL, 0, err) < 0)
			goto out;
		place_policy(&p, &mp);
		vv = req_view(req, f, &view);
		st = mlc_policy_complete(&mp, &view, v, vs, vnote, &why);
		free(vv);
		if (st != 0) {
			rc = close_ineligible(r, f, actor, why.msg, out, err);
			goto out;
		}
		if ((st = make_live(r, f->model, &p, v, action, actor, &q, &prev, out, err)) < 0)
			goto out;
		if (st > 0)
			partial = *err;
	}
	/* live from here on, whatever fails next: the outcome stands, for the hooks */
	if (reconciled)
		mlc_outcome(out, f->id, made,
			    "request %lld reconciled (another console had not finished it; this "
			    "one did): %s %s is live in %s",
			    (long long)f->id, f->model, f->version, e->name);
	else
		mlc_said_approved(out, f->id, made, f->model, v, e->name);
approve:
	if (update_request(r, &c, &fin, &why) < 0) {
		mlc_error_set(err, why.code,
			      "request %lld: %s %s %s %s, but the request could not be "
			      "marked approved: %.400s%s%.300s",
			      (long long)f->id, f->model, f->version,
			      live_of(p.m, e->name) == v ? "is live in" : "went live in", e->name,
			      why.msg, partial.code ? "; and " : "",
			      partial.code ? partial.msg : "");
		goto out;
	}
	if (reconciled) {
		char subject[600], detail[96];
		mlc_audit_subject(subject, sizeof subject, f->model, f->version, f->env);
		mlc_audit_request_detail(detail, sizeof detail, f->id,
					 "finished an approved request");
		journal(r, actor, "reconcile", subject, detail);
	}
	if (partial.code) {
		mlc_error_set(err, partial.code, "request %lld approved: %s", (long long)f->id,
			      partial.msg);
		goto out;
	}
	rc = 0;
out:
	req_free(&fin);
	json_decref(h);
	place_close(&p);
	return rc;
}

/* Claim the deployment of f's request for actor (read-modify-write-confirm);
 * the confirmed request into *fin, the claim's time into *at. 1 when the
 * claim that survived is this one, 0 when not, -1 with err. */
static int claim(struct registry *r, const struct found *f, const char *actor, struct req *fin,
		 int64_t *at, struct mlc_error *err)
{
	struct req_change c = {edit_claim, is_claimed,	     f, actor, NULL, NULL, NULL,
			       NULL,	   timefmt_now_ms(), 0, NULL,  NULL, 0};

	*at = c.at;
	return update_request(r, &c, fin, err) < 0 ? -1 : claimed_by(fin, actor, c.at);
}

/* A request some console left unfinished, which an approving vote by actor
 * (one who may vote on it) finishes:
 * - approved, its version live (the alias) but its deployment not in the
 *   history, with nothing else in the history since: the history entry (and
 *   the legacy stage) are written;
 * - pending with enough approvals and no claim in force: its claim is older
 *   than FINISH_GRACE_MS, or it has none and the newest approval is older
 *   than that (the console that counted them died, or the policy was lowered
 *   since): this console claims it and deploys it.
 * An approved request whose version is not live is never made live again (it
 * may have been taken down on purpose). 1 when this finished it, 0 when there
 * was nothing to finish, -1 with err. */
static int reconcile(struct registry *r, const struct found *f, const struct mlc_env *e,
		     const struct req *q, const char *actor, struct mlc_outcome *out,
		     struct mlc_error *err)
{
	int64_t now = timefmt_now_ms(), v = strtoll(f->version, NULL, 10), at = 0;
	const char *state = req_state(q);
	int todo = 0, rc = 0, approved = strcmp(state, "approved") == 0, pending = 0;
	json_t *resp = NULL, *h = NULL;
	struct req fin = {0};
	const json_t *m, *vt;
	size_t i;

	if (strcmp(state, "pending") == 0 && req_approvals(q, f) >= mlc_policy_need(e) &&
	    live_claim(q, now) == NULL) {
		pending = 1; /* a claim that expired; or none, and every approval is old */
		json_array_foreach(q->votes, i, vt)
		{
			if (!json_object_get(q->tag, "claim") &&
			    strcmp(jstr(vt, "d"), "approve") == 0 &&
			    now - jint(vt, "at") < FINISH_GRACE_MS)
				pending = 0;
		}
	}
	if ((approved || pending) && req_may_vote(q, f, e, actor, 1, NULL) == 0) {
		if (get_model(r, f->model, &resp, err) < 0)
			return -1;
		m = json_object_get(resp, "registered_model");
		h = history_of(m, e->name);
		todo =
		    history_req(h, &(struct reqref){f->ref, jint(q->tag, "at")}) == NULL &&
		    (pending || (live_of(m, e->name) == v && jint(json_array_get(h, 0), "v") != v &&
				 jint(q->tag, "closed_at") >= jint(json_array_get(h, 0), "at")));
	}
	if (todo && pending) /* take it over: only the console whose claim survives deploys */
		rc = todo = claim(r, f, actor, &fin, &at, err);
	if (rc >= 0 && todo)
		rc = complete(r, f, e, pending ? &fin : q, actor, 1, pending ? at : 0, out, err);
	req_free(&fin);
	json_decref(h);
	json_decref(resp);
	return rc < 0 ? -1 : todo;
}

/* ---- policy requests -------------------------------------------------------------- */

/* Gates v[0..n) as the array key of j (nothing when n is 0). */
static void gates_json(json_t *j, const char *key, const char *const *v, size_t n)
{
	json_t *a;

	if (n == 0)
		return;
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	json_object_set_new(j, key, a);
}

/* Change c as JSON (the fields it sets), for a policy request tag. */
static json_t *change_json(const struct mlc_env_change *c)
{
	json_t *j = json_object();

	if (c->have_order)
		json_object_set_new(j, "order", json_integer(c->order));
	if (c->have_required)
		json_object_set_new(j, "required_approvals", json_integer(c->required_approvals));
	if (c->have_approvers)
		json_object_set_new(j, "approvers", json_string(c->approvers));
	if (c->have_self)
		json_object_set_new(j, "self_approval", json_boolean(c->self_approval));
	if (c->have_rollback)
		json_object_set_new(j, "rollback_approval", json_boolean(c->rollback_approval));
	if (c->have_previous)
		json_object_set_new(j, "require_previous", json_boolean(c->require_previous));
	gates_json(j, "gate_add", c->gate_add, c->n_gate_add);
	gates_json(j, "gate_rm", c->gate_rm, c->n_gate_rm);
	return j;
}

/* The strings of JSON array a (at most MLC_GATES_MAX) into v, their number
 * into *n; v points into a. */
static void gates_of(const json_t *a, const char **v, size_t *n)
{
	const json_t *it;
	size_t i;

	*n = 0;
	json_array_foreach(a, i, it)
	{
		if (json_is_string(it) && *n < MLC_GATES_MAX)
			v[(*n)++] = json_string_value(it);
	}
}

/* The change a policy request tag j holds, for environment env, into c; the
 * gates it adds and removes into add and rm (MLC_GATES_MAX each). */
static void change_of(const json_t *j, const char *env, struct mlc_env_change *c,
		      const char **add, const char **rm)
{
	const json_t *ch = json_object_get(j, "change");

	memset(c, 0, sizeof *c);
	c->name = env;
	c->have_order = json_is_integer(json_object_get(ch, "order"));
	c->order = json_integer_value(json_object_get(ch, "order"));
	c->have_required = json_is_integer(json_object_get(ch, "required_approvals"));
	c->required_approvals = json_integer_value(json_object_get(ch, "required_approvals"));
	if (c->required_approvals < 0)
		c->required_approvals = 0;
	c->have_approvers = json_is_string(json_object_get(ch, "approvers"));
	c->approvers = c->have_approvers ? json_string_value(json_object_get(ch, "approvers")) : "";
	c->have_self = json_is_boolean(json_object_get(ch, "self_approval"));
	c->self_approval = json_is_true(json_object_get(ch, "self_approval"));
	c->have_rollback = json_is_boolean(json_object_get(ch, "rollback_approval"));
	c->rollback_approval = json_is_true(json_object_get(ch, "rollback_approval"));
	c->have_previous = json_is_boolean(json_object_get(ch, "require_previous"));
	c->require_previous = json_is_true(json_object_get(ch, "require_previous"));
	gates_of(json_object_get(ch, "gate_add"), add, &c->n_gate_add);
	gates_of(json_object_get(ch, "gate_rm"), rm, &c->n_gate_rm);
	c->gate_add = add;
	c->gate_rm = rm;
}

/* Open the request that policy change c of e (it loosens it: why) is: the
 * tag mlconsole.policyrequest.E of the policy experiment exp. */
int open_policy_request(struct registry *r, const char *exp, const struct mlc_env_change *c,
			const struct mlc_env *e, const char *why, const char *actor,
			struct mlc_outcome *out, struct mlc_error *err)
{
	char cbuf[MLC_COMMENT_MAX + 1], detail[800];
	int cut = mlc_policy_comment(c->comment, cbuf);
	struct found f;
	json_t *change = change_json(c);
	struct req fin;
	struct req_change rc = {edit_open, is_opened,	     &f, actor,	 "policy", cbuf, NULL,
				NULL,	   timefmt_now_ms(), 0,	 change, why,	   0};
	int64_t need = mlc_policy_need(e);

	found_set_policy(&f, e->name, exp);
	if (update_request(r, &rc, &fin, err) < 0) {
		json_decref(change);
		return -1;
	}
	found_open(&f, fin.tag);
	req_free(&fin);
	json_decref(change);
	snprintf(detail, sizeof detail, "request %lld: %.500s%s%.250s", (long long)f.id, why,
		 *cbuf ? "; " : "", cbuf);
	journal(r, actor, "request policy", e->name, detail);
	mlc_said_policy_requested(out, f.id, e->name, why, need);
	mlc_outcome_note(out, "%s; %s", f.ref, NOT_BY_SERVER);
	mlc_said_comment_cut(out, cut);
	return 0;
}

/* The approval that satisfied the policy of policy request f (tag fin):
 * write the change (unless already in force), then mark it approved; closed
 * instead when it no longer means what was voted on (the whole check again,
 * against the environments as they are now). Writing a policy twice is
 * harmless, unlike a deployment: any approval that finds the policy met
 * finishes it, so no claim is needed. */
static int complete_policy(struct registry *r, const struct found *f,
			   const struct mlc_env_list *envs, const struct mlc_env *e,
			   const json_t *fin, const char *actor, struct mlc_outcome *out,
			   struct mlc_error *err)
{
	struct req_change done = {edit_approved, is_approved, f, actor, NULL, NULL, NULL,
				  NULL,		 0,	      0, NULL,	NULL, 0};
	struct mlc_env_change c;
	struct mlc_error why = {0};
	const char *add[MLC_GATES_MAX], *rm[MLC_GATES_MAX];
	char how[64];
	struct req last;
	int now;

	change_of(fin, e->name, &c, add, rm);
	now = mlc_policy_recheck(envs, &c, jstr(fin, "by") ? jstr(fin, "by") : "",
				 jstr(fin, "summary") ? jstr(fin, "summary") : "", &why);
	if (now < 0) {
		if (close_request(r, f, actor, "closed", why.msg, &last, err) < 0)
			return -1;
		char detail[sizeof why.msg + 32];
		req_free(&last);
		mlc_audit_request_detail(detail, sizeof detail, f->id, why.msg);
		journal(r, actor, "close", e->name, detail);
		mlc_said_closed(out, f->id, why.msg);
		return 0;
	}
	snprintf(how, sizeof how, "request %lld approved", (long long)f->id);
	if ((now == 0 && write_policy(r, f->exp, envs, &c, actor, how, err) < 0) ||
	    update_request(r, &done, &last, err) < 0)
		return -1;
	req_free(&last);
	mlc_said_policy_changed(out, f->id, e->name,
				jstr(fin, "summary") ? jstr(fin, "summary") : "");
	mlc_outcome_note(out, "%s", NOT_BY_SERVER);
	return 0;
}

/* ---- votes -------------------------------------------------------------------------- */

/* Write actor's vote for f's opening and confirm it: let concurrent writers
 * land, re-read, and write it again when it is missing. The confirmed
 * request into *fin. A request re-opened meanwhile does not count the vote. */
static int cast_vote(struct registry *r, const struct found *f, const char *actor,
		     const char *decision, const char *comment, struct req *fin,
		     struct mlc_error *err)
{
	int64_t at = timefmt_now_ms();
	const json_t *v;
	size_t k;

	if (write_vote(r, f, actor, decision, at, comment, err) < 0)
		return -1;
	for (int i = 0; i < CONFIRM_TRIES; i++) {
		settle();
		if (read_request(r, f, fin, err) < 0)
			return -1;
		if (still_open(fin, f, err) < 0) { /* the vote names the old opening */
			req_free(fin);
			return -1;
		}
		json_array_foreach(fin->votes, k, v)
		{
			if (strcmp(jstr(v, "by"), actor) == 0 && jint(v, "at") == at)
				return 0;
		}
		req_free(fin);
		if (write_vote(r, f, actor, decision, at, comment, err) < 0)
			return -1;
	}
	return mlc_error_set(err, MLC_ERR_FAILED,
			     "request %lld: your vote could not be confirmed: its tag kept being "
			     "replaced; try again",
			     (long long)f->id);
}

/* After actor's confirmed approval of f (fin, as re-read): the request is
 * approved, refused, counted short, or — enough approvals — completed by the
 * console whose claim survives. */
static int after_approval(struct registry *r, const struct found *f,
			  const struct mlc_env_list *envs, const struct mlc_env *e,
			  const struct req *fin, const char *actor, struct mlc_outcome *out,
			  struct mlc_error *err)
{
	int64_t n = req_approvals(fin, f), need = mlc_policy_need(e), at;
	const char *state = req_state(fin), *who;
	struct req cl = {0};
	int rc;

	if (strcmp(state, "approved") == 0) {
		mlc_said_counted(out, f->id, n, need);
		mlc_outcome_note(out, "approved: another voter's console deployed it");
		return 0;
	}
	if (strcmp(state, "pending") != 0)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: your approval is recorded, but another console "
				     "%s it meanwhile; nothing was deployed",
				     (long long)f->id, state);
	if (n < need) {
		mlc_said_counted(out, f->id, n, need);
		mlc_outcome_note(out, "%s", NOT_BY_SERVER);
		return 0;
	}
	if (f->policy)
		return complete_policy(r, f, envs, e, fin->tag, actor, out, err);
	if ((rc = claim(r, f, actor, &cl, &at, err)) < 0)
		return -1;
	if (rc == 1) {
		rc = complete(r, f, e, &cl, actor, 0, at, out, err);
	} else if (strcmp(req_state(&cl), "pending") != 0) {
		rc = after_approval(r, f, envs, e, &cl, actor, out, err);
	} else {
		who = jstr(json_object_get(cl.tag, "claim"), "by");
		mlc_said_counted(out, f->id, req_approvals(&cl, f), need);
		mlc_outcome_note(out,
				 "%s's console claimed its deployment and deploys it (if it does "
				 "not, approve again in %d minutes to finish it); %s",
				 who ? who : "another", FINISH_GRACE_MS / 60000, NOT_BY_SERVER);
		rc = 0;
	}
	req_free(&cl);
	return rc;
}

/* Vote on request id: policy.c decides who may; the vote is a tag of its own,
 * written and confirmed; a reject closes the request; an approval that finds
 * enough approvals claims and completes it. */
int mlflow_vote(struct registry *r, int64_t id, const char *decision, const char *comment,
		const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	int approve = strcmp(decision, "approve") == 0;
	const char *d = approve ? "approve" : "reject";
	char cbuf[MLC_COMMENT_MAX + 1], subject[600], detail[MLC_COMMENT_MAX + 32];
	int cut = mlc_policy_comment(comment, cbuf), rc = -1;
	struct mlc_env_list envs = {0};
	const struct mlc_env *e;
	struct found f;
	struct req q = {0}, fin = {0}, closed = {0};

	if (load_envs(r, &envs, NULL, 0, err) < 0 || find_request(r, id, &envs, &f, &e, err) < 0 ||
	    read_request(r, &f, &q, err) < 0 || still_open(&q, &f, err) < 0)
		goto out;
	if (approve && !f.policy && (rc = reconcile(r, &f, e, &q, actor, out, err)) != 0) {
		rc = rc < 0 ? -1 : 0;
		goto out;
	}
	rc = -1;
	if (req_may_vote(&q, &f, e, actor, 0, err) < 0 ||
	    cast_vote(r, &f, actor, d, cbuf, &fin, err) < 0)
		goto out;
	mlc_audit_subject(subject, sizeof subject, f.policy ? NULL : f.model, f.version, f.env);
	mlc_audit_request_detail(detail, sizeof detail, id, cbuf);
	journal(r, actor, d, subject, detail);
	if (approve) {
		rc = after_approval(r, &f, &envs, e, &fin, actor, out, err);
	} else {
		if (close_request(r, &f, actor, "rejected", "rejected", &closed, err) < 0)
			goto out;
		mlc_said_rejected(out, id, actor);
		rc = 0;
	}
	if (rc == 0)
		mlc_said_comment_cut(out, cut);
out:
	req_free(&q);
	req_free(&fin);
	req_free(&closed);
	MLC_LIST_FREE(&envs);
	return rc;
}

/* The requester withdraws a pending request (policy.c decides who may). */
int mlflow_cancel(struct registry *r, int64_t id, const char *actor, struct mlc_outcome *out,
		  struct mlc_error *err)
{
	struct mlc_env_list envs = {0};
	const struct mlc_env *e;
	struct found f;
	struct req_change c = {edit_cancel, is_closed, &f, actor, NULL, NULL, NULL,
			       NULL,	    0,	       0,  NULL,  NULL, 0};
	struct req fin = {0};
	char subject[600], detail[32];
	int rc = -1;

	if (load_envs(r, &envs, NULL, 0, err) < 0 || find_request(r, id, &envs, &f, &e, err) < 0 ||
	    update_request(r, &c, &fin, err) < 0)
		goto out;
	mlc_audit_subject(subject, sizeof subject, f.policy ? NULL : f.model, f.version, f.env);
	mlc_audit_request_detail(detail, sizeof detail, id, NULL);
	journal(r, actor, "cancel", subject, detail);
	mlc_said_cancelled(out, id);
	rc = 0;
out:
	req_free(&fin);
	MLC_LIST_FREE(&envs);
	return rc;
}
