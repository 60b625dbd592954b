/* mlflow_reqlist.c: finding and listing the requests kept on an MLflow server
 * (mlflow_req.h): one model-versions/search per environment for the request
 * tags, the policy experiment's tags for policy requests, and the earlier
 * openings a re-opened tag keeps ("was"), which list as a local registry's
 * closed requests do. */
#include "config.h"
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mlflow_req.h"
#include "strbuf.h"

/* ---- finding requests ----------------------------------------------------------- */

/* A scan of one environment's request tags. */
struct scan {
	const char *env;
	char key[128];
	req_fn fn;
	void *ctx;
};

/* The request of f on entity o (read there) to fn, when it holds one. */
static int offer(struct found *f, const json_t *o, req_fn fn, void *ctx)
{
	struct req q;
	int stop = 0;

	req_from(o, f, &q);
	found_open(f, q.tag);
	if (*state_of(q.tag))
		stop = fn(f, &q, ctx);
	req_free(&q);
	return stop;
}

/* The request of model version mv, to the scan's function. */
static int scan_one(const json_t *mv, void *ctx)
{
	struct scan *s = ctx;
	const char *name = jstr(mv, "name"), *ver = jstr(mv, "version");
	struct found f;

	if (tag_of(mv, s->key) == NULL || name == NULL || ver == NULL)
		return 0;
	found_set(&f, name, ver, s->env);
	return offer(&f, mv, s->fn, s->ctx);
}

/* Call fn for every request tag of env (of model only, unless NULL): one
 * model-versions/search on the tag. */
int scan_requests(struct registry *r, const char *env, const char *model, req_fn fn, void *ctx,
		  struct mlc_error *err)
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
int scan_policy_requests(struct registry *r, req_fn fn, void *ctx, struct mlc_error *err)
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
		if (!k || !v || strncmp(k, prefix, sizeof prefix - 1) != 0 ||
		    !mlc_env_name_valid(k + sizeof prefix - 1))
			continue;
		found_set_policy(&f, k + sizeof prefix - 1,
				 jstr(e, "experiment_id") ? jstr(e, "experiment_id") : "");
		if (offer(&f, e, fn, ctx))
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

/* Copy the votes of request q into l's item x. */
static void request_votes(struct mlc_arena *a, struct mlc_request *x, const struct req *q)
{
	const json_t *v;
	size_t i;

	x->votes = arena_alloc(a, (json_array_size(q->votes) + 1) * sizeof *x->votes);
	json_array_foreach(q->votes, i, v)
	{
		struct mlc_vote *y = &x->votes[x->n_votes++];
		y->by = jdup(a, v, "by");
		y->decision = jdup(a, v, "d");
		y->at = jint(v, "at");
		y->comment = jdup(a, v, "comment");
	}
}

/* Add the earlier openings f's tag q kept ("was") to the listing, when it
 * asks for them: every request, or the one numbered c->id (1: found). */
static int add_earlier(const struct found *f, const struct req *q, struct reqs_ctx *c)
{
	struct mlc_arena *a = &c->out->arena;
	const json_t *it;
	size_t i;

	if (c->which == REQ_PENDING && c->id <= 0)
		return 0;
	json_array_foreach(json_object_get(q->tag, "was"), i, it)
	{
		struct mlc_request *x;
		if (!jstr(it, "state") || (c->id > 0 && was_number(it) != c->id))
			continue;
		x = MLC_LIST_PUSH(c->out);
		x->id = was_number(it);
		x->model = arena_strdup(a, f->model);
		x->version = arena_strdup(a, f->version);
		x->environment = arena_strdup(a, f->env);
		x->kind = jdup_or(a, it, "kind", "promote");
		x->state = jdup(a, it, "state");
		x->requested_by = jdup(a, it, "by");
		x->close_reason = jdup(a, it, "reason");
		x->requested_at = jint(it, "at");
		x->closed_at = jint(it, "closed_at");
		x->change = jdup_or(a, it, "summary", "");
		if (c->id > 0)
			return 1;
	}
	return 0;
}

/* Add request q (of f) to the listing when it is asked for. */
static int add_request(const struct found *f, const struct req *q, void *ctx)
{
	struct reqs_ctx *c = ctx;
	struct mlc_arena *a = &c->out->arena;
	const char *state = req_state(q);
	const json_t *j = q->tag;
	struct mlc_request *x;

	if (add_earlier(f, q, c))
		return 1;
	if (c->id > 0 ? f->id != c->id : c->which == REQ_PENDING && strcmp(state, "pending") != 0)
		return 0;
	x = MLC_LIST_PUSH(c->out);
	x->id = f->id;
	x->model = arena_strdup(a, f->model);
	x->version = arena_strdup(a, f->version);
	x->environment = arena_strdup(a, f->env);
	x->kind = jdup_or(a, j, "kind", "promote");
	x->state = arena_strdup(a, state);
	x->requested_by = jdup(a, j, "by");
	x->comment = jdup(a, j, "comment");
	x->close_reason =
	    strcmp(state, state_of(j)) != 0 ? arena_strdup(a, "rejected") : jdup(a, j, "reason");
	x->requested_at = jint(j, "at");
	x->closed_at = jint(j, "closed_at");
	x->change = jdup_or(a, j, "summary", "");
	request_votes(a, x, q);
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
int mlflow_requests(struct registry *r, int which, int64_t id, struct mlc_request_list *out,
		    struct mlc_error *err)
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
	MLC_LIST_SORT_FROM(out, first, which == REQ_ALL ? cmp_request_newest : cmp_request_oldest);
	rc = 0;
	if (id > 0 && out->n == first)
		rc = mlc_policy_no_request(id, err);
out:
	MLC_LIST_FREE(&envs);
	return rc;
}
