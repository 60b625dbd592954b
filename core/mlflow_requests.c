/* mlflow_requests.c: promotion, rollback and policy requests on a stock MLflow
 * server (MLFLOW.md §11; mlflow_impl.h): a request is the model-version tag
 * mlconsole.request.E (a policy request the tag mlconsole.policyrequest.E of
 * the experiment "mlconsole"); votes, completion and reconciling what another
 * console left half done.
 *
 * Request ids: the "M:V:E" of a request hashed (FNV-1a, 64 bits) to a number
 * from 1 to 2^31-1. Every console sharing the server shows the same number
 * for the same request without any local table; the number names the request
 * tag of that version and environment (a new request there replaces a closed
 * one, and keeps its number). */
#include "config.h"
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "mlflow_impl.h"
#include "timefmt.h"
#include "xmalloc.h"

/* ---- promotion requests: model-version tags ------------------------------------ */

/* Where a request's tag lives, and its number. */
struct found {
	char model[512], version[24], env[72];
	char ref[620]; /* "M:V:E", the id users of other MLflow clients see */
	int64_t id;
	int policy; /* a policy request: the tag mlconsole.policyrequest.E of
		     * experiment exp ("policy:E"); model and version "" */
	char exp[64];
};

/* The number shown for request "M:V:E" (see the top of this section). */
static int64_t request_number(const char *ref)
{
	uint64_t h = 14695981039346656037ULL;

	for (const char *p = ref; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	return (int64_t)(h % 2147483647ULL) + 1;
}

/* Fill f for the request of model version in env. */
static void found_set(struct found *f, const char *model, const char *version, const char *env)
{
	memset(f, 0, sizeof *f);
	snprintf(f->model, sizeof f->model, "%s", model);
	snprintf(f->version, sizeof f->version, "%s", version);
	snprintf(f->env, sizeof f->env, "%s", env);
	snprintf(f->ref, sizeof f->ref, "%s:%s:%s", model, version, env);
	f->id = request_number(f->ref);
}

/* Fill f for the policy request of env, a tag of experiment exp. */
static void found_set_policy(struct found *f, const char *env, const char *exp)
{
	memset(f, 0, sizeof *f);
	snprintf(f->env, sizeof f->env, "%s", env);
	snprintf(f->exp, sizeof f->exp, "%s", exp);
	snprintf(f->ref, sizeof f->ref, "policy:%s", env);
	f->id = request_number(f->ref);
	f->policy = 1;
}

/* The state of request tag j ("" when j holds no request). */
static const char *state_of(const json_t *j)
{
	return jstr(j, "state") ? jstr(j, "state") : jstr(j, "id") ? "pending" : "";
}

/* The request tag of f, parsed, into *out: a new object, empty when the
 * version has no such tag (or an unreadable one); -1 with err. */
static int read_request(struct registry *r, const struct found *f, json_t **out,
			struct mlc_error *err)
{
	struct http_param p[] = {{"name", f->model}, {"version", f->version}};
	char key[128];
	const char *s;
	json_t *resp;

	*out = NULL;
	if (f->policy) {
		if (policy_experiment(r, &resp, err) < 0)
			return -1;
		snprintf(key, sizeof key, "mlconsole.policyrequest.%s", f->env);
		s = tag_of(resp, key);
		*out = s ? json_loads(s, 0, NULL) : NULL;
		if (!json_is_object(*out)) {
			json_decref(*out);
			*out = json_object();
		}
		json_decref(resp);
		return 0;
	}
	if (http_get_json(HTTPH(r), "model-versions/get", p, 2, &resp, err) < 0) {
		if (http_last_status(HTTPH(r)) == 404)
			mlc_error_set(err, MLC_ERR_NOTFOUND, "model '%s': no version %s", f->model,
				      f->version);
		return -1;
	}
	snprintf(key, sizeof key, "mlconsole.request.%s", f->env);
	s = tag_of(json_object_get(resp, "model_version"), key);
	*out = s ? json_loads(s, 0, NULL) : NULL;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = json_object();
	}
	json_decref(resp);
	return 0;
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
	if (f->policy) {
		snprintf(key, sizeof key, "mlconsole.policyrequest.%s", f->env);
		rc = send_change(r, "experiments/set-experiment-tag",
				 json_pack("{s:s,s:s,s:s}", "experiment_id", f->exp, "key", key,
					   "value", s ? s : "{}"),
				 0, err);
		free(s);
		return rc;
	}
	snprintf(key, sizeof key, "mlconsole.request.%s", f->env);
	rc = send_change(r, "model-versions/set-tag",
			 json_pack("{s:s,s:s,s:s,s:s}", "name", f->model, "version", f->version,
				   "key", key, "value", s ? s : "{}"),
			 0, err);
	free(s);
	return rc;
}

/* One change to a request tag: edit the freshly read j (0: write it; 1:
 * nothing to write; -1 with err: refused), and check the re-read tag holds it. */
struct req_change {
	int (*edit)(json_t *j, struct req_change *c, struct mlc_error *err);
	int (*check)(const json_t *j, const struct req_change *c);
	const struct found *f;
	const struct mlc_env *env;
	const char *actor, *decision, *comment, *state, *reason;
	int64_t at;
	int wrote;
	const json_t *change; /* edit_open of a policy request: the change ... */
	const char *summary;  /* ... and what it loosens, for people */
};

/* Read-modify-write of a request tag, as §11 has it: re-read, edit, write,
 * let concurrent writers land, re-read and confirm; again a few times when
 * another console's write replaced this one. *final: the confirmed tag. */
static int update_request(struct registry *r, struct req_change *c, json_t **final,
			  struct mlc_error *err)
{
	json_t *j;
	int e;

	for (int i = 0; i < CONFIRM_TRIES; i++) {
		if (read_request(r, c->f, &j, err) < 0)
			return -1;
		if ((e = c->edit(j, c, err)) < 0 || (e == 0 && write_request(r, c->f, j, err) < 0)) {
			json_decref(j);
			return -1;
		}
		json_decref(j);
		if (e == 0) {
			c->wrote = 1;
			settle();
		}
		if (read_request(r, c->f, &j, err) < 0)
			return -1;
		if (c->check(j, c)) {
			*final = j;
			return 0;
		}
		json_decref(j);
	}
	return mlc_error_set(err, MLC_ERR_FAILED,
			     "request %lld: the change could not be confirmed: other consoles kept "
			     "replacing the request tag; try again",
			     (long long)c->f->id);
}

/* Close j (state, reason, time); the caller writes it. */
static void close_in(json_t *j, const char *state, const char *reason)
{
	json_object_set_new(j, "state", json_string(state));
	json_object_set_new(j, "reason", json_string(reason));
	json_object_set_new(j, "closed_at", json_integer(timefmt_now_ms()));
}

/* "request N is STATE, not pending" unless j is pending. */
static int check_pending(const json_t *j, const struct found *f, struct mlc_error *err)
{
	if (!*state_of(j))
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found", (long long)f->id);
	if (strcmp(state_of(j), "pending") != 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "request %lld is %s, not pending",
				     (long long)f->id, state_of(j));
	return 0;
}

/* The vote of actor in j, or NULL. */
static const json_t *vote_of(const json_t *j, const char *actor)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(j, "votes"), i, v)
	{
		if (jstr(v, "by") && strcmp(jstr(v, "by"), actor) == 0)
			return v;
	}
	return NULL;
}

/* How many approving votes j holds. */
static int64_t approvals(const json_t *j)
{
	const json_t *v;
	size_t i;
	int64_t n = 0;

	json_array_foreach(json_object_get(j, "votes"), i, v)
	{
		n += jstr(v, "d") && strcmp(jstr(v, "d"), "approve") == 0;
	}
	return n;
}

/* Is actor one who may vote on request j (number id) under e's policy: an
 * approver, and not its requester unless self-approval is allowed? */
static int may_vote(const json_t *j, const struct mlc_env *e, const char *actor, int64_t id,
		    struct mlc_error *err)
{
	int listed = e->n_approvers == 0;

	if (jstr(j, "by") && strcmp(jstr(j, "by"), actor) == 0 && !e->self_approval)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: %s requested it, and the policy of environment "
				     "'%s' does not allow self-approval",
				     (long long)id, actor, e->name);
	for (size_t i = 0; i < e->n_approvers; i++)
		listed |= strcmp(e->approvers[i], actor) == 0;
	if (!listed)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: %s is not an approver of environment '%s' (see "
				     "'mlconsole env list')",
				     (long long)id, actor, e->name);
	return 0;
}

/* Who cast the need-th approving vote in j (the one that satisfied the
 * policy), or NULL; *newest: the time of the newest approving vote. */
static const char *satisfier(const json_t *j, int64_t need, int64_t *newest)
{
	const json_t *v;
	const char *who = NULL;
	size_t i;
	int64_t n = 0;

	*newest = 0;
	json_array_foreach(json_object_get(j, "votes"), i, v)
	{
		if (!jstr(v, "d") || strcmp(jstr(v, "d"), "approve") != 0)
			continue;
		if (jint(v, "at") > *newest)
			*newest = jint(v, "at");
		if (++n == need)
			who = jstr(v, "by");
	}
	return who;
}

/* May c->actor vote on j under the environment's policy? */
static int check_voter(const json_t *j, const struct req_change *c, struct mlc_error *err)
{
	long long id = (long long)c->f->id;

	if (check_pending(j, c->f, err) < 0 || may_vote(j, c->env, c->actor, c->f->id, err) < 0)
		return -1;
	if (vote_of(j, c->actor))
		return mlc_error_set(err, MLC_ERR_FAILED, "request %lld: %s has already voted", id,
				     c->actor);
	return 0;
}

/* Edit: add c's vote (a rejection also closes the request). */
static int edit_vote(json_t *j, struct req_change *c, struct mlc_error *err)
{
	json_t *votes = json_object_get(j, "votes");

	if (c->wrote && vote_of(j, c->actor))
		return 1; /* another console's rewrite kept it */
	if (check_voter(j, c, err) < 0)
		return -1;
	if (!json_is_array(votes))
		json_object_set_new(j, "votes", votes = json_array());
	json_array_append_new(votes, json_pack("{s:s,s:s,s:I,s:o}", "by", c->actor, "d",
					       c->decision, "at", (json_int_t)c->at, "comment",
					       jcut(c->comment, MAX_DETAIL)));
	if (strcmp(c->decision, "reject") == 0)
		close_in(j, "rejected", "rejected");
	return 0;
}

/* Check: c->actor's vote is in j. */
static int has_vote(const json_t *j, const struct req_change *c)
{
	const json_t *v = vote_of(j, c->actor);
	return v && jint(v, "at") == c->at;
}

/* Edit: close a pending request (state c->state, reason c->reason); nothing
 * to do when it is no longer pending. */
static int edit_close(json_t *j, struct req_change *c, struct mlc_error *err)
{
	(void)err;
	if (strcmp(state_of(j), "pending") != 0)
		return 1;
	close_in(j, c->state, c->reason);
	return 0;
}

/* Check: the request is no longer pending. */
static int is_closed(const json_t *j, const struct req_change *c)
{
	(void)c;
	return strcmp(state_of(j), "pending") != 0;
}

/* Edit: the request is approved (its deployment is done). */
static int edit_approved(json_t *j, struct req_change *c, struct mlc_error *err)
{
	if (!*state_of(j))
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found",
				     (long long)c->f->id);
	if (strcmp(state_of(j), "approved") == 0)
		return 1;
	if (strcmp(state_of(j), "pending") != 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "another console %s it meanwhile",
				     strcmp(state_of(j), "closed") == 0 ? "closed" : state_of(j));
	close_in(j, "approved", "approved");
	return 0;
}

/* Check: the request is approved. */
static int is_approved(const json_t *j, const struct req_change *c)
{
	(void)c;
	return strcmp(state_of(j), "approved") == 0;
}

/* Edit: the requester withdraws a pending request. */
static int edit_cancel(json_t *j, struct req_change *c, struct mlc_error *err)
{
	const char *by = jstr(j, "by");

	if (check_pending(j, c->f, err) < 0)
		return -1;
	if (by == NULL || strcmp(by, c->actor) != 0)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: only %s, who requested it, can cancel it",
				     (long long)c->f->id, by ? by : "?");
	close_in(j, "cancelled", "cancelled by the requester");
	return 0;
}

/* Edit: open the request (a new pending one replaces a closed one). */
static int edit_open(json_t *j, struct req_change *c, struct mlc_error *err)
{
	if (strcmp(state_of(j), "pending") == 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "already pending as request %lld",
				     (long long)c->f->id);
	json_object_clear(j);
	json_object_set_new(j, "id", json_string(c->f->ref));
	json_object_set_new(j, "kind", json_string(c->decision));
	json_object_set_new(j, "by", json_string(c->actor));
	json_object_set_new(j, "at", json_integer(c->at));
	json_object_set_new(j, "comment", jcut(c->comment, MAX_DETAIL));
	json_object_set_new(j, "state", json_string("pending"));
	json_object_set_new(j, "votes", json_array());
	if (c->change) {
		json_object_set_new(j, "change", json_deep_copy(c->change));
		json_object_set_new(j, "summary", jcut(c->summary, MAX_DETAIL));
	}
	return 0;
}

/* Check: j is the request this console opened. */
static int is_opened(const json_t *j, const struct req_change *c)
{
	return jstr(j, "by") && strcmp(jstr(j, "by"), c->actor) == 0 && jint(j, "at") == c->at &&
	       strcmp(state_of(j), "pending") == 0;
}

/* ---- finding requests ----------------------------------------------------------- */

/* Called for each request tag found; returns 1 to stop. */
typedef int (*req_fn)(const struct found *f, const json_t *tag, void *ctx);

/* A scan of one environment's request tags. */
struct scan {
	const char *env;
	char key[128];
	req_fn fn;
	void *ctx;
};

/* The request tag of model version mv, to the scan's function. */
static int scan_one(const json_t *mv, void *ctx)
{
	struct scan *s = ctx;
	const char *v = tag_of(mv, s->key), *name = jstr(mv, "name"), *ver = jstr(mv, "version");
	struct found f;
	json_t *j;
	int stop = 0;

	if (v == NULL || name == NULL || ver == NULL)
		return 0;
	found_set(&f, name, ver, s->env);
	j = json_loads(v, 0, NULL);
	if (json_is_object(j) && *state_of(j))
		stop = s->fn(&f, j, s->ctx);
	json_decref(j);
	return stop;
}

/* Call fn for every request tag of env (of model only, unless NULL): one
 * model-versions/search on the tag. */
static int scan_requests(struct registry *r, const char *env, const char *model, req_fn fn,
			 void *ctx, struct mlc_error *err)
{
	struct scan s = {env, "", fn, ctx};
	struct strbuf f = {0};
	struct http_param p = {"filter", NULL};
	struct pager pg = {.path = "model-versions/search",
			   .items = "model_versions",
			   .params = &p,
			   .n_params = 1,
			   .page_size = PAGE,
			   .fn = scan_one,
			   .ctx = &s};
	int rc = -1;

	snprintf(s.key, sizeof s.key, "mlconsole.request.%s", env);
	if (model) {
		sb_add(&f, "name = ");
		if (add_literal(&f, model, err) < 0)
			goto out;
		sb_add(&f, " AND ");
	}
	sb_printf(&f, "tags.`%s` LIKE '%%'", s.key);
	p.value = sb_str(&f);
	rc = each_item(r, &pg, err);
out:
	sb_free(&f);
	return rc;
}

/* Call fn for every policy request: the tags mlconsole.policyrequest.E of
 * the policy experiment (none when it does not exist). */
static int scan_policy_requests(struct registry *r, req_fn fn, void *ctx, struct mlc_error *err)
{
	static const char prefix[] = "mlconsole.policyrequest.";
	const json_t *it;
	json_t *e;
	size_t i;

	if (policy_experiment(r, &e, err) < 0)
		return -1;
	json_array_foreach(json_object_get(e, "tags"), i, it)
	{
		const char *k = jstr(it, "key"), *v = jstr(it, "value");
		struct found f;
		json_t *j;
		int stop = 0;
		if (!k || !v || strncmp(k, prefix, sizeof prefix - 1) != 0 ||
		    !mlc_env_name_valid(k + sizeof prefix - 1))
			continue;
		found_set_policy(&f, k + sizeof prefix - 1,
				 jstr(e, "experiment_id") ? jstr(e, "experiment_id") : "");
		j = json_loads(v, 0, NULL);
		if (json_is_object(j) && *state_of(j))
			stop = fn(&f, j, ctx);
		json_decref(j);
		if (stop)
			break;
	}
	json_decref(e);
	return 0;
}

/* Where the listing of requests goes. */
struct reqs_ctx {
	struct mlc_request_list *out;
	int which;
	int64_t id;
};

/* Copy the votes of request tag j into q. */
static void request_votes(struct mlc_arena *a, struct mlc_request *q, const json_t *j)
{
	const json_t *arr = json_object_get(j, "votes"), *v;
	size_t i;

	q->votes = arena_alloc(a, (json_array_size(arr) + 1) * sizeof *q->votes);
	json_array_foreach(arr, i, v)
	{
		struct mlc_vote *x = &q->votes[q->n_votes++];
		x->by = jdup(a, v, "by");
		x->decision = jdup(a, v, "d");
		x->at = jint(v, "at");
		x->comment = jdup(a, v, "comment");
	}
}

/* Add request tag j (of f) to the listing when it is asked for. */
static int add_request(const struct found *f, const json_t *j, void *ctx)
{
	struct reqs_ctx *c = ctx;
	struct mlc_arena *a = &c->out->arena;
	const char *state = state_of(j);
	struct mlc_request *q;

	if (c->id > 0 ? f->id != c->id : c->which == REQ_PENDING && strcmp(state, "pending") != 0)
		return 0;
	q = MLC_LIST_PUSH(c->out);
	q->id = f->id;
	q->model = arena_strdup(a, f->model);
	q->version = arena_strdup(a, f->version);
	q->environment = arena_strdup(a, f->env);
	q->kind = jdup_or(a, j, "kind", "promote");
	q->state = arena_strdup(a, state);
	q->requested_by = jdup(a, j, "by");
	q->comment = jdup(a, j, "comment");
	q->close_reason = jdup(a, j, "reason");
	q->requested_at = jint(j, "at");
	q->closed_at = jint(j, "closed_at");
	q->change = jdup_or(a, j, "summary", "");
	request_votes(a, q, j);
	return c->id > 0;
}

/* Oldest first, then by number. */
static int cmp_request_oldest(const void *a, const void *b)
{
	const struct mlc_request *x = a, *y = b;

	if (x->requested_at != y->requested_at)
		return x->requested_at < y->requested_at ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Newest first. */
static int cmp_request_newest(const void *a, const void *b)
{
	return cmp_request_oldest(b, a);
}

/* Requests from every environment's tags: pending (oldest first) or all
 * (newest first); id > 0: just that one. */
int mlflow_requests(struct registry *r, int which, int64_t id,
		    struct mlc_request_list *out, struct mlc_error *err)
{
	struct mlc_env_list envs = {0};
	struct reqs_ctx c = {out, which, id};
	size_t first = out->n;
	int rc = -1;

	if (load_envs(r, &envs, NULL, 0, err) < 0)
		goto out;
	for (size_t i = 0; i < envs.n && !(id > 0 && out->n > first); i++)
		if (scan_requests(r, envs.items[i].name, NULL, add_request, &c, err) < 0)
			goto out;
	if (!(id > 0 && out->n > first) && scan_policy_requests(r, add_request, &c, err) < 0)
		goto out;
	if (out->n - first > 1)
		qsort(out->items + first, out->n - first, sizeof *out->items,
		      which == REQ_ALL ? cmp_request_newest : cmp_request_oldest);
	rc = 0;
	if (id > 0 && out->n == first)
		rc = mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found", (long long)id);
out:
	MLC_LIST_FREE(&envs);
	return rc;
}

/* Keep the request whose number is *ctx's id. */
static int match_request(const struct found *f, const json_t *j, void *ctx)
{
	struct found *want = ctx;

	(void)j;
	if (f->id != want->id)
		return 0;
	*want = *f;
	return 1;
}

/* The request numbered id into f, and its environment's policy from envs. */
static int find_request(struct registry *r, int64_t id, const struct mlc_env_list *envs,
			struct found *f, const struct mlc_env **env, struct mlc_error *err)
{
	memset(f, 0, sizeof *f);
	f->id = id;
	for (size_t i = 0; i < envs->n && !f->ref[0]; i++)
		if (scan_requests(r, envs->items[i].name, NULL, match_request, f, err) < 0)
			return -1;
	if (!f->ref[0] && scan_policy_requests(r, match_request, f, err) < 0)
		return -1;
	if (!f->ref[0])
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found", (long long)id);
	*env = find_env(envs, f->env, err);
	return *env ? 0 : -1;
}

/* ---- opening requests, votes, completion ---------------------------------------- */

/* The other pending requests of a model in an environment (their versions). */
struct others {
	const struct found *mine;
	json_t *versions;
};

/* Note request tag j of f when it is another pending one. */
static int other_pending(const struct found *f, const json_t *j, void *ctx)
{
	struct others *o = ctx;

	if (strcmp(f->version, o->mine->version) != 0 && strcmp(state_of(j), "pending") == 0)
		json_array_append_new(o->versions, json_string(f->version));
	return 0;
}

/* Close the other pending requests of f's model in its environment:
 * superseded by f. */
static int supersede(struct registry *r, const struct found *f, const struct mlc_env *env,
		     const char *actor, struct mlc_error *err)
{
	struct others o = {f, json_array()};
	json_t *v, *fin;
	char reason[64], subject[64];
	size_t i;
	int rc = scan_requests(r, f->env, f->model, other_pending, &o, err);

	snprintf(reason, sizeof reason, "superseded by request %lld", (long long)f->id);
	json_array_foreach(o.versions, i, v)
	{
		struct found g;
		struct req_change c = {edit_close, is_closed, &g, env, actor, NULL, NULL,
				       "closed",   reason,    0,  0,   NULL,  NULL};
		if (rc < 0)
			break;
		found_set(&g, f->model, json_string_value(v), f->env);
		if ((rc = update_request(r, &c, &fin, err)) == 0) {
			json_decref(fin);
			snprintf(subject, sizeof subject, "request %lld", (long long)g.id);
			journal(r, actor, "close", subject, reason);
		}
	}
	json_decref(o.versions);
	return rc;
}

/* Open a promotion (or rollback) request as the tag of the version. */
int mlflow_request(struct registry *r, const char *model, const char *version,
		   const char *env, const char *kind, const char *comment, const char *actor,
		   struct mlc_outcome *out, struct mlc_error *err)
{
	int rollback = strcmp(kind, "rollback") == 0;
	struct place p = {0};
	struct found f;
	struct req_change c = {edit_open, is_opened,	    &f, NULL, actor, kind, comment, NULL,
			       NULL,	  timefmt_now_ms(), 0,	NULL, NULL};
	char num[24], subject[600], vnote[200];
	struct mlc_place mp;
	enum mlc_vstate vs;
	json_t *fin;
	int64_t v;
	int rc = -1;

	if (place_open(r, model, env, &p, err) < 0)
		goto out;
	c.env = p.env;
	place_policy(&p, &mp);
	if (rollback ? mlc_policy_rollback(&mp, version, 1, &v, err) < 0
		     : ((v = mlc_version_parse(version, err)) < 0 ||
			version_state(r, &p, v, &vs, vnote, sizeof vnote, NULL, 0, err) < 0 ||
			mlc_policy_request(&mp, kind, v, vs, vnote, NULL, 0, err) < 0))
		goto out;
	snprintf(num, sizeof num, "%lld", (long long)v);
	found_set(&f, model, num, p.env->name);
	if (update_request(r, &c, &fin, err) < 0)
		goto out;
	json_decref(fin);
	snprintf(subject, sizeof subject, "%s:%lld@%s", model, (long long)v, p.env->name);
	journal(r, actor, rollback ? "request rollback" : "request", subject, comment);
	if (supersede(r, &f, p.env, actor, err) < 0)
		goto out;
	mlc_outcome(out, f.id, 0, "request %lld: %s %s %lld in %s (%s; %s)", (long long)f.id,
		rollback ? "roll back to" : "deploy", model, (long long)v, p.env->name, f.ref,
		NOT_BY_SERVER);
	rc = 0;
out:
	place_close(&p);
	return rc;
}

/* Close request f (not eligible any more) with reason; the outcome says so,
 * or that it was approved after all when another console got there first. */
static int close_ineligible(struct registry *r, const struct found *f, const struct mlc_env *e,
			    const char *actor, const char *reason, struct mlc_outcome *out,
			    struct mlc_error *err)
{
	struct req_change c = {edit_close, is_closed, f, e, actor, NULL, NULL,
			       "closed",   reason,    0, 0, NULL,  NULL};
	json_t *fin;
	char subject[64];
	int approved;

	if (update_request(r, &c, &fin, err) < 0)
		return -1;
	approved = strcmp(state_of(fin), "approved") == 0;
	json_decref(fin);
	if (approved) {
		mlc_outcome(out, f->id, 0, "request %lld approved: %s %s is live in %s", (long long)f->id,
			f->model, f->version, f->env);
		return 0;
	}
	snprintf(subject, sizeof subject, "request %lld", (long long)f->id);
	journal(r, actor, "close", subject, reason);
	mlc_outcome(out, f->id, 0, "request %lld closed: %s", (long long)f->id, reason);
	return 0;
}

/* The approval that satisfies request req (its JSON): alias, history, the
 * legacy stage when mirrored, then the state approved (§11's order); a
 * deployment already in the history is not done twice. reconciled: finishing
 * what another console left half done — the state, or the history entry and
 * stage after the alias — running the hook only if it has not run for the
 * deployment. A step that fails after the alias is set (the history tag, the
 * stage mirror) still approves (the deployment stands), then fails with its
 * error; the history's missing request reference lets a later vote reconcile
 * it. */
static int complete(struct registry *r, const struct found *f, const struct mlc_env *e,
		    const json_t *req, const char *actor, int reconciled, struct mlc_outcome *out,
		    struct mlc_error *err)
{
	struct req_change c = {edit_approved, is_approved, f, e, actor, NULL, NULL,
			       NULL,	      NULL,	   0, 0, NULL,	NULL};
	struct mlc_error why = {0}, partial = {0};
	struct reqref q = {f->ref, jint(req, "at")};
	struct place p = {0};
	int64_t v = strtoll(f->version, NULL, 10), prev, live;
	const char *kind = jstr(req, "kind");
	int rollback = kind && strcmp(kind, "rollback") == 0, rc = -1, st, made = 1;
	const char *action = rollback ? "rollback" : "deploy";
	const json_t *done;
	char stage[32], fixed[200], vnote[200];
	struct mlc_place mp;
	enum mlc_vstate vs;
	json_t *h = NULL, *fin;

	if (place_open(r, f->model, f->env, &p, err) < 0)
		goto out;
	h = history_of(p.m, e->name);
	live = live_of(p.m, e->name);
	if ((done = history_req(h, &q)) != NULL) {
		/* deployed for this request; only its state is missing. The hook runs
		 * unless it ran for this deployment (a console that died did not). */
		mlc_outcome_where(out, f->model, e->name, action, v, jint(done, "prev"));
		made = live == v && strcmp(hook_status(p.m, e->name, v, jint(done, "at")), "none") == 0;
		if (live != v) {
			char since[64] = "taken down since";
			if (live > 0)
				snprintf(since, sizeof since, "replaced since by %lld", (long long)live);
			mlc_outcome(out, f->id, 0, "request %lld approved: %s %s went live in %s for it, "
						   "and has been %s",
				    (long long)f->id, f->model, f->version, e->name, since);
			goto approve;
		}
	} else if (reconciled && live == v && jint(json_array_get(h, 0), "v") != v) {
		/* the alias was set, the history tag not (the head is what was live
		 * before): write what is missing; the hook runs unless it ran since */
		int64_t before = jint(json_array_get(h, 0), "at");
		if (version_state(r, &p, v, &vs, NULL, 0, stage, sizeof stage, &why) < 0 ||
		    finish_live(r, f->model, &p, v, stage, action, actor, &q, f->ref, fixed,
				sizeof fixed, &why) < 0) {
			mlc_error_set(err, why.code ? why.code : MLC_ERR_FAILED,
				      "request %lld: %s %s is live in %s, but what its deployment left "
				      "out could not be written: %.600s",
				      (long long)f->id, f->model, f->version, e->name, why.msg);
			goto out;
		}
		mlc_outcome_where(out, f->model, e->name, action, v, jint(json_array_get(h, 0), "v"));
		made = strcmp(hook_status(p.m, e->name, v, before), "none") == 0;
	} else {
		json_t *now;
		/* still pending, just before going live (a reject, a cancel or a newer
		 * request may have landed while the votes were confirmed) */
		if (read_request(r, f, &now, err) < 0)
			goto out;
		st = strcmp(state_of(now), "pending") != 0;
		if (st)
			mlc_error_set(err, MLC_ERR_FAILED,
				      "request %lld: another console %s it meanwhile; nothing was "
				      "deployed",
				      (long long)f->id, state_of(now));
		json_decref(now);
		if (st)
			goto out;
		if (version_state(r, &p, v, &vs, vnote, sizeof vnote, NULL, 0, err) < 0)
			goto out;
		place_policy(&p, &mp);
		if (mlc_policy_complete(&mp,
					&(struct mlc_request){.id = f->id,
							      .kind = rollback ? "rollback" : "promote"},
					v, vs, vnote, &why) != 0) {
			rc = close_ineligible(r, f, e, actor, why.msg, out, err);
			goto out;
		}
		if ((st = make_live(r, f->model, &p, v, action, actor, &q, &prev, out, err)) < 0)
			goto out;
		if (st > 0)
			partial = *err;
	}
	/* live from here on, whatever fails next: the outcome stands, for the hooks */
	mlc_outcome(out, f->id, made, "request %lld %s: %s %s is live in %s", (long long)f->id,
		reconciled ? "reconciled (another console had not finished it; this one did)"
			   : "approved",
		f->model, f->version, e->name);
approve:
	if (update_request(r, &c, &fin, &why) < 0) {
		mlc_error_set(err, why.code,
			      "request %lld: %s %s %s %s, but the request could not be "
			      "marked approved: %.400s%s%.300s",
			      (long long)f->id, f->model, f->version,
			      live_of(p.m, e->name) == v ? "is live in" : "went live in", e->name,
			      why.msg,
			      partial.code ? "; and " : "", partial.code ? partial.msg : "");
		goto out;
	}
	json_decref(fin);
	if (reconciled)
		journal(r, actor, "reconcile", f->ref, "finished an approved request");
	if (partial.code) {
		mlc_error_set(err, partial.code, "request %lld approved: %s", (long long)f->id,
			      partial.msg);
		goto out;
	}
	rc = 0;
out:
	json_decref(h);
	place_close(&p);
	return rc;
}

/* A request some console left unfinished, which an approving vote by actor
 * (one who may vote on it) finishes:
 * - approved, its version live (the alias) but its deployment not in the
 *   history, with nothing else in the history since: the history entry (and
 *   the legacy stage) are written;
 * - pending with enough approvals, the newest of them older than
 *   FINISH_GRACE_MS (the console whose vote satisfied the policy died, or the
 *   policy was lowered since): it is deployed.
 * An approved request whose version is not live is never made live again (it
 * may have been taken down on purpose). 1 when this finished it, 0 when there
 * was nothing to finish, -1 with err. */
static int reconcile(struct registry *r, const struct found *f, const struct mlc_env *e,
		     const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	int64_t need = e->required_approvals > 0 ? e->required_approvals : 1, newest, v;
	json_t *j, *resp = NULL, *h = NULL;
	const json_t *m;
	const char *state;
	int todo = 0, rc, approved, pending;

	if (read_request(r, f, &j, err) < 0)
		return -1;
	state = state_of(j);
	approved = strcmp(state, "approved") == 0;
	pending = strcmp(state, "pending") == 0 && satisfier(j, need, &newest) != NULL &&
		  timefmt_now_ms() - newest >= FINISH_GRACE_MS;
	if ((approved || pending) && may_vote(j, e, actor, f->id, NULL) == 0) {
		if (get_model(r, f->model, &resp, err) < 0) {
			json_decref(j);
			return -1;
		}
		m = json_object_get(resp, "registered_model");
		h = history_of(m, e->name);
		v = strtoll(f->version, NULL, 10);
		todo = history_req(h, &(struct reqref){f->ref, jint(j, "at")}) == NULL &&
		       (pending || (live_of(m, e->name) == v &&
				    jint(json_array_get(h, 0), "v") != v &&
				    jint(j, "closed_at") >= jint(json_array_get(h, 0), "at")));
	}
	rc = todo ? complete(r, f, e, j, actor, 1, out, err) : 0;
	json_decref(h);
	json_decref(resp);
	json_decref(j);
	return rc < 0 ? -1 : todo;
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
	return j;
}

/* The change a policy request tag j holds, for environment env, into c. */
static void change_of(const json_t *j, const char *env, struct mlc_env_change *c)
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
}

/* Open the request that policy change c of e (it loosens it: why) is: the
 * tag mlconsole.policyrequest.E of the policy experiment exp. */
int open_policy_request(struct registry *r, const char *exp, const struct mlc_env_change *c,
			const struct mlc_env *e, const char *why, const char *actor,
			struct mlc_outcome *out, struct mlc_error *err)
{
	struct found f;
	json_t *change = change_json(c), *fin;
	struct req_change rc = {edit_open, is_opened,  &f,   e,	   actor,
				"policy",  c->comment, NULL, NULL, timefmt_now_ms(),
				0,	   change,     why};
	int64_t need = e->required_approvals > 0 ? e->required_approvals : 1;
	char detail[800];

	found_set_policy(&f, e->name, exp);
	if (update_request(r, &rc, &fin, err) < 0) {
		json_decref(change);
		return -1;
	}
	json_decref(fin);
	json_decref(change);
	snprintf(detail, sizeof detail, "request %lld: %s%s%s", (long long)f.id, why,
		 c->comment && *c->comment ? "; " : "", c->comment ? c->comment : "");
	journal(r, actor, "request policy", e->name, detail);
	mlc_outcome(out, f.id, 0,
		    "request %lld: change the policy of %s (%s): it loosens it, so it needs %lld "
		    "approval%s under the current policy (%s; %s)",
		    (long long)f.id, e->name, why, (long long)need, need == 1 ? "" : "s", f.ref,
		    NOT_BY_SERVER);
	return 0;
}

/* The approval that satisfied the policy of policy request f (tag fin):
 * write the change (unless already in force), then mark it approved; closed
 * instead when it no longer means what was voted on (the whole check again,
 * against the environments as they are now). */
static int complete_policy(struct registry *r, const struct found *f,
			   const struct mlc_env_list *envs, const struct mlc_env *e,
			   const json_t *fin, const char *actor, struct mlc_outcome *out,
			   struct mlc_error *err)
{
	struct req_change done = {edit_approved, is_approved, f, e, actor, NULL, NULL,
				  NULL,		 NULL,	      0, 0, NULL,  NULL};
	struct mlc_env_change c;
	struct mlc_error why = {0};
	char how[64];
	json_t *last;
	int now;

	change_of(fin, e->name, &c);
	now = mlc_policy_recheck(envs, &c, jstr(fin, "by") ? jstr(fin, "by") : "",
				 jstr(fin, "summary") ? jstr(fin, "summary") : "", &why);
	if (now < 0) {
		struct req_change cl = {edit_close, is_closed, f, e, actor, NULL, NULL,
					"closed",   why.msg,   0, 0, NULL,  NULL};
		if (update_request(r, &cl, &last, err) < 0)
			return -1;
		json_decref(last);
		journal(r, actor, "close", e->name, why.msg);
		mlc_outcome(out, f->id, 0, "request %lld closed: %s", (long long)f->id, why.msg);
		return 0;
	}
	snprintf(how, sizeof how, "request %lld approved", (long long)f->id);
	if ((now == 0 && write_policy(r, f->exp, envs, &c, actor, how, err) < 0) ||
	    update_request(r, &done, &last, err) < 0)
		return -1;
	json_decref(last);
	mlc_outcome(out, f->id, 0, "request %lld approved: the policy of %s changed (%s; %s)",
		    (long long)f->id, e->name, jstr(fin, "summary") ? jstr(fin, "summary") : "",
		    NOT_BY_SERVER);
	return 0;
}

/* Vote on request id: read-modify-write-confirm of its tag; the approving
 * vote that satisfies the policy then completes it. */
int mlflow_vote(struct registry *r, int64_t id, const char *decision, const char *comment,
		const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	int approve = strcmp(decision, "approve") == 0;
	struct mlc_env_list envs = {0};
	const struct mlc_env *e;
	struct found f;
	struct req_change c = {edit_vote, has_vote,
			       &f,	  NULL,
			       actor,	  approve ? "approve" : "reject",
			       comment,	  NULL,
			       NULL,	  timefmt_now_ms(),
			       0,	  NULL,
			       NULL};
	json_t *fin = NULL;
	char subject[64];
	const char *who;
	int64_t n, need, newest;
	int rc = -1;

	if (load_envs(r, &envs, NULL, 0, err) < 0 || find_request(r, id, &envs, &f, &e, err) < 0)
		goto out;
	c.env = e;
	if (approve && !f.policy && (rc = reconcile(r, &f, e, actor, out, err)) != 0) {
		rc = rc < 0 ? -1 : 0;
		goto out;
	}
	rc = -1;
	if (update_request(r, &c, &fin, err) < 0)
		goto out;
	snprintf(subject, sizeof subject, "request %lld", (long long)id);
	journal(r, actor, c.decision, subject, comment);
	need = e->required_approvals > 0 ? e->required_approvals : 1;
	n = approvals(fin);
	/* Only the vote that satisfied the policy deploys, and only while the
	 * request is pending: another console may have rejected, cancelled or
	 * superseded it while this vote was being confirmed. */
	if (approve && strcmp(state_of(fin), "approved") == 0) {
		mlc_outcome(out, id, 0,
			    "request %lld: %lld of %lld approvals; approved (another voter's console "
			    "deployed it)",
			    (long long)id, (long long)n, (long long)need);
		rc = 0;
		goto out;
	}
	if (approve && n >= need && strcmp(state_of(fin), "pending") != 0) {
		mlc_error_set(err, MLC_ERR_FAILED,
			      "request %lld: your approval is recorded, but another console %s it "
			      "meanwhile; nothing was deployed",
			      (long long)id, state_of(fin));
		goto out;
	}
	/* Writing a policy twice is harmless, unlike a deployment: any approval
	 * that finds the policy met finishes it (so no console waits on another). */
	if (approve && n >= need && f.policy) {
		rc = complete_policy(r, &f, &envs, e, fin, actor, out, err);
		goto out;
	}
	who = approve && n >= need ? satisfier(fin, need, &newest) : NULL;
	if (approve && n >= need && (who == NULL || strcmp(who, actor) != 0)) {
		mlc_outcome(out, id, 0,
			    "request %lld: %lld of %lld approvals; %s's vote satisfied the policy, "
			    "and that console deploys it (if it does not, approve again in %d "
			    "minutes to finish it)",
			    (long long)id, (long long)n, (long long)need, who ? who : "another",
			    FINISH_GRACE_MS / 60000);
		rc = 0;
		goto out;
	}
	if (approve && n >= need) {
		rc = complete(r, &f, e, fin, actor, 0, out, err);
		goto out;
	}
	if (approve)
		mlc_outcome(out, id, 0, "request %lld: %lld of %lld approvals (%s)", (long long)id,
			(long long)n, (long long)need, NOT_BY_SERVER);
	else
		mlc_outcome(out, id, 0, "request %lld rejected by %s", (long long)id, actor);
	rc = 0;
out:
	json_decref(fin);
	MLC_LIST_FREE(&envs);
	return rc;
}

/* The requester withdraws a pending request. */
int mlflow_cancel(struct registry *r, int64_t id, const char *actor,
		  struct mlc_outcome *out, struct mlc_error *err)
{
	struct mlc_env_list envs = {0};
	const struct mlc_env *e;
	struct found f;
	struct req_change c = {edit_cancel, is_closed, &f, NULL, actor, NULL, NULL,
			       NULL,	    NULL,      0,  0,	 NULL,	NULL};
	json_t *fin;
	char subject[64];
	int rc = -1;

	if (load_envs(r, &envs, NULL, 0, err) < 0 || find_request(r, id, &envs, &f, &e, err) < 0)
		goto out;
	c.env = e;
	if (update_request(r, &c, &fin, err) < 0)
		goto out;
	json_decref(fin);
	snprintf(subject, sizeof subject, "request %lld", (long long)id);
	journal(r, actor, "cancel", subject, "");
	mlc_outcome(out, id, 0, "request %lld cancelled", (long long)id);
	rc = 0;
out:
	MLC_LIST_FREE(&envs);
	return rc;
}

