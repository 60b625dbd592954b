/* policy.c: the deployment policy as pure decisions over plain data (policy.h).
 * Every refusal and every outcome line of a deployment, a rollback, a request
 * or a vote is written here once; the backends read and write. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"

/* The version number of history string s (0: none or not one). */
static int64_t num(const char *s)
{
	return s && *s ? strtoll(s, NULL, 10) : 0;
}

/* 1 if ev is an event of p's model in environment env. */
static int event_at(const struct mlc_place *p, const struct mlc_deploy_event *ev, const char *env)
{
	return strcmp(ev->environment, env) == 0 && strcmp(ev->model, p->model) == 0;
}

int64_t mlc_policy_head(const struct mlc_place *p, const char *env)
{
	for (size_t i = 0; i < p->n_history; i++)
		if (event_at(p, &p->history[i], env))
			return num(p->history[i].version);
	return 0;
}

int mlc_policy_was_live(const struct mlc_place *p, const char *env, int64_t v)
{
	if (p->env && strcmp(env, p->env->name) == 0 && p->live == v)
		return 1;
	for (size_t i = 0; i < p->n_history; i++)
		if (event_at(p, &p->history[i], env) && num(p->history[i].version) == v)
			return 1;
	return 0;
}

const struct mlc_env *mlc_policy_previous_env(const struct mlc_env_list *l, const struct mlc_env *e)
{
	const struct mlc_env *prev = NULL;

	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].order < e->order &&
		    (prev == NULL || l->items[i].order > prev->order))
			prev = &l->items[i];
	return prev;
}

int mlc_policy_external(const struct mlc_place *p, int64_t now, struct mlc_deploy_event *ev,
			char *vbuf, size_t vlen, char *pbuf, size_t plen)
{
	int64_t head = mlc_policy_head(p, p->env->name);

	if (p->live <= 0 || p->live == head)
		return 0;
	snprintf(vbuf, vlen, "%lld", (long long)p->live);
	if (head > 0)
		snprintf(pbuf, plen, "%lld", (long long)head);
	else
		snprintf(pbuf, plen, "%s", "");
	*ev = (struct mlc_deploy_event){
	    .model = p->model,
	    .environment = p->env->name,
	    .version = vbuf,
	    .previous_version = pbuf,
	    .action = "external",
	    .at = now,
	    .by = "external",
	};
	return 1;
}

/* ---- versions and the order of environments ----------------------------- */

/* The refusal for version v of model in state vs (vnote: what an archived
 * refusal adds); 0 when vs is MLC_V_OK. */
static int check_state(const char *model, int64_t v, enum mlc_vstate vs, const char *vnote,
		       struct mlc_error *err)
{
	if (vs == MLC_V_MISSING)
		return mlc_error_set(err, MLC_ERR_NOTFOUND, "model '%s': no version %lld", model,
				     (long long)v);
	if (vs == MLC_V_ARCHIVED)
		return mlc_error_set(err, MLC_ERR_FAILED, "%s version %lld is archived%s", model,
				     (long long)v, vnote ? vnote : "");
	return 0;
}

/* The require-previous rule: v must have been live in the environment just
 * before p's. */
static int check_previous(const struct mlc_place *p, int64_t v, struct mlc_error *err)
{
	const struct mlc_env *e = p->env, *prev = mlc_policy_previous_env(p->envs, e);

	if (!e->require_previous || prev == NULL || mlc_policy_was_live(p, prev->name, v))
		return 0;
	return mlc_error_set(
	    err, MLC_ERR_FAILED,
	    "%s %lld to %s: refused by the policy of environment '%s': the version "
	    "must have been live in '%s' first",
	    p->model, (long long)v, e->name, e->name, prev->name);
}

/* "M V is already live in E" when v is p's live version. */
static int check_not_live(const struct mlc_place *p, int64_t v, struct mlc_error *err)
{
	if (p->live != v)
		return 0;
	return mlc_error_set(err, MLC_ERR_FAILED, "%s %lld is already live in %s", p->model,
			     (long long)v, p->env->name);
}

int mlc_policy_deploy(const struct mlc_place *p, int64_t v, enum mlc_vstate vs, const char *vnote,
		      struct mlc_error *err)
{
	const struct mlc_env *e = p->env;

	if (check_state(p->model, v, vs, vnote, err) < 0)
		return -1;
	if (e->required_approvals > 0)
		return mlc_error_set(
		    err, MLC_ERR_FAILED,
		    "deploy %s %lld to %s: refused by the policy of environment '%s': "
		    "%lld approval%s required (use 'mlconsole request %s %lld --env %s')",
		    p->model, (long long)v, e->name, e->name, (long long)e->required_approvals,
		    e->required_approvals == 1 ? "" : "s", p->model, (long long)v, e->name);
	if (check_previous(p, v, err) < 0)
		return -1;
	return check_not_live(p, v, err);
}

/* ---- rollback ------------------------------------------------------------ */

/* 1 if v was moved off in p's environment: the previous version of a rollback
 * or of a move by another client (ext: one not yet recorded, or NULL). */
static int moved_off(const struct mlc_place *p, const struct mlc_deploy_event *ext, int64_t v)
{
	if (ext && num(ext->previous_version) == v)
		return 1;
	for (size_t i = 0; i < p->n_history; i++) {
		const struct mlc_deploy_event *x = &p->history[i];
		if (event_at(p, x, p->env->name) &&
		    (strcmp(x->action, "rollback") == 0 || strcmp(x->action, "external") == 0) &&
		    num(x->previous_version) == v)
			return 1;
	}
	return 0;
}

/* The rollback rule: the most recent earlier live version of p's model in its
 * environment, not the live one, that was not moved off (so rolling back twice
 * walks two steps back); 0 when there is none. */
static int64_t rule_target(const struct mlc_place *p)
{
	struct mlc_deploy_event ext;
	char vb[24], pb[24];
	int have = mlc_policy_external(p, 0, &ext, vb, sizeof vb, pb, sizeof pb);

	for (size_t i = 0; i < p->n_history; i++) {
		int64_t v = num(p->history[i].version);
		if (!event_at(p, &p->history[i], p->env->name) || v <= 0 || v == p->live)
			continue;
		if (!moved_off(p, have ? &ext : NULL, v))
			return v;
	}
	return 0;
}

int mlc_policy_rollback(const struct mlc_place *p, const char *to, int by_request, int64_t *target,
			struct mlc_error *err)
{
	const char *m = p->model, *env = p->env->name;
	int64_t t;

	if (!by_request && p->env->rollback_approval)
		return mlc_error_set(
		    err, MLC_ERR_FAILED,
		    "rollback of %s in %s: refused by the policy of environment '%s': "
		    "rollback needs approval (use 'mlconsole request %s --rollback "
		    "--env %s')",
		    m, env, env, m, env);
	if (p->live <= 0)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s is not live in %s: nothing to roll back", m, env);
	if (to != NULL) {
		if ((t = mlc_version_parse(to, err)) < 0)
			return -1;
		if (t == p->live)
			return mlc_error_set(err, MLC_ERR_FAILED,
					     "%s %lld is the live version in %s", m, (long long)t,
					     env);
		if (!mlc_policy_was_live(p, env, t))
			return mlc_error_set(err, MLC_ERR_FAILED, "%s %lld was never live in %s", m,
					     (long long)t, env);
		*target = t;
		return 0;
	}
	if ((t = rule_target(p)) == 0)
		return mlc_error_set(
		    err, MLC_ERR_FAILED,
		    "%s in %s: no earlier version to roll back to (none that was not "
		    "itself rolled back from); choose one with --to VERSION (see "
		    "'mlconsole deployments %s')",
		    m, env, m);
	*target = t;
	return 0;
}

int mlc_policy_rollback_version(const struct mlc_place *p, int64_t target, const char *to,
				enum mlc_vstate vs, struct mlc_error *err)
{
	struct mlc_error why = {0};

	if (vs != MLC_V_MISSING)
		return 0;
	check_state(p->model, target, vs, NULL, &why);
	return mlc_error_set(
	    err, why.code, "rollback of %s in %s to %lld: %s%s", p->model, p->env->name,
	    (long long)target, why.msg,
	    to ? "" : "; choose another with --to VERSION (see 'mlconsole deployments')");
}

/* ---- requests -------------------------------------------------------------- */

int mlc_policy_request(const struct mlc_place *p, const char *kind, int64_t v, enum mlc_vstate vs,
		       const char *vnote, const struct mlc_pending *pending, size_t n,
		       struct mlc_error *err)
{
	if (strcmp(kind, "rollback") != 0 &&
	    (check_state(p->model, v, vs, vnote, err) < 0 || check_previous(p, v, err) < 0 ||
	     check_not_live(p, v, err) < 0))
		return -1;
	return mlc_policy_duplicate(pending, n, v, kind, err);
}

int mlc_policy_duplicate(const struct mlc_pending *pending, size_t n, int64_t v, const char *kind,
			 struct mlc_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (pending[i].version == v && strcmp(pending[i].kind, kind) == 0)
			return mlc_error_set(err, MLC_ERR_FAILED, "already pending as request %lld",
					     (long long)pending[i].id);
	return 0;
}

void mlc_policy_superseded(int64_t id, char *buf, size_t len)
{
	snprintf(buf, len, "superseded by request %lld", (long long)id);
}

void mlc_audit_subject(char *buf, size_t len, const char *model, const char *version,
		       const char *env)
{
	if (model == NULL || *model == '\0')
		snprintf(buf, len, "%s", env);
	else
		snprintf(buf, len, "%s:%s@%s", model, version, env);
}

void mlc_audit_request_detail(char *buf, size_t len, int64_t id, const char *text)
{
	snprintf(buf, len, "request %lld%s%s", (long long)id, text && *text ? ": " : "",
		 text ? text : "");
}

/* ---- votes ------------------------------------------------------------------ */

int64_t mlc_policy_need(const struct mlc_env *e)
{
	return e->required_approvals > 0 ? e->required_approvals : 1;
}

int64_t mlc_policy_approvals(const struct mlc_request *q)
{
	int64_t n = 0;

	for (size_t i = 0; i < q->n_votes; i++) {
		int first = 1; /* one per voter: a repeated name counts once */
		for (size_t k = 0; k < i; k++)
			if (strcmp(q->votes[k].by, q->votes[i].by) == 0 &&
			    strcmp(q->votes[k].decision, "approve") == 0)
				first = 0;
		n += first && strcmp(q->votes[i].decision, "approve") == 0;
	}
	return n;
}

int mlc_policy_pending(const struct mlc_request *q, struct mlc_error *err)
{
	const char *state = q->state ? q->state : "";

	if (*state == '\0')
		return mlc_policy_no_request(q->id, err);
	if (strcmp(state, "pending") != 0)
		return mlc_error_set(err, MLC_ERR_FAILED, "request %lld is %s, not pending",
				     (long long)q->id, state);
	return 0;
}

int mlc_policy_may_vote(const struct mlc_request *q, const struct mlc_env *e, const char *actor,
			struct mlc_error *err)
{
	int listed = e->n_approvers == 0;

	if (mlc_policy_pending(q, err) < 0)
		return -1;
	if (q->requested_by && strcmp(q->requested_by, actor) == 0 && !e->self_approval)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: %s requested it, and the policy of environment "
				     "'%s' does not allow self-approval",
				     (long long)q->id, actor, e->name);
	for (size_t i = 0; i < e->n_approvers; i++)
		listed |= strcmp(e->approvers[i], actor) == 0;
	if (!listed)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: %s is not an approver of environment '%s' (see "
				     "'mlconsole env list')",
				     (long long)q->id, actor, e->name);
	for (size_t i = 0; i < q->n_votes; i++)
		if (strcmp(q->votes[i].by, actor) == 0)
			return mlc_error_set(err, MLC_ERR_FAILED,
					     "request %lld: %s has already voted", (long long)q->id,
					     actor);
	return 0;
}

int mlc_policy_may_cancel(const struct mlc_request *q, const char *actor, struct mlc_error *err)
{
	const char *by = q->requested_by;

	if (mlc_policy_pending(q, err) < 0)
		return -1;
	if (by == NULL || strcmp(by, actor) != 0)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "request %lld: only %s, who requested it, can cancel it",
				     (long long)q->id, by ? by : "?");
	return 0;
}

int mlc_policy_comment(const char *comment, char *buf)
{
	size_t n = strlen(comment ? comment : "");
	int cut = n > MLC_COMMENT_MAX;

	if (cut) {
		n = MLC_COMMENT_MAX;
		while (n > 0 && ((unsigned char)comment[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(buf, comment ? comment : "", n);
	buf[n] = '\0';
	return cut;
}

int mlc_policy_complete(const struct mlc_place *p, const struct mlc_request *q, int64_t v,
			enum mlc_vstate vs, const char *vnote, struct mlc_error *why)
{
	int rollback = strcmp(q->kind, "rollback") == 0;

	/* a rollback may go to an archived version (as a direct one may); only
	 * a deleted target closes it */
	if (check_state(p->model, v, rollback && vs == MLC_V_ARCHIVED ? MLC_V_OK : vs, vnote, why) <
		0 ||
	    (!rollback && check_previous(p, v, why) < 0))
		return 1;
	if (p->live == v) {
		mlc_error_set(why, MLC_ERR_FAILED, "the version is already live");
		return 1;
	}
	return 0;
}

/* ---- outcome lines ------------------------------------------------------------ */

void mlc_said_deployed(struct mlc_outcome *out, const char *model, int64_t v, const char *env,
		       int64_t prev)
{
	char was[24];

	if (prev > 0)
		snprintf(was, sizeof was, "%lld", (long long)prev);
	else
		snprintf(was, sizeof was, "none");
	mlc_outcome(out, 0, 1, "deployed %s %lld to %s (was %s)", model, (long long)v, env, was);
}

void mlc_said_rolled_back(struct mlc_outcome *out, const char *model, const char *env, int64_t from,
			  int64_t to)
{
	mlc_outcome(out, 0, 1, "rolled %s in %s back from %lld to %lld", model, env,
		    (long long)from, (long long)to);
}

void mlc_said_requested(struct mlc_outcome *out, int64_t id, const char *kind, const char *model,
			int64_t v, const char *env)
{
	mlc_outcome(out, id, 0, "request %lld: %s %s %lld in %s", (long long)id,
		    strcmp(kind, "rollback") == 0 ? "roll back to" : "deploy", model, (long long)v,
		    env);
}

void mlc_said_counted(struct mlc_outcome *out, int64_t id, int64_t k, int64_t need)
{
	mlc_outcome(out, id, 0, "request %lld: %lld of %lld approvals", (long long)id, (long long)k,
		    (long long)need);
}

void mlc_said_rejected(struct mlc_outcome *out, int64_t id, const char *actor)
{
	mlc_outcome(out, id, 0, "request %lld rejected by %s", (long long)id, actor);
}

void mlc_said_approved(struct mlc_outcome *out, int64_t id, int deployed, const char *model,
		       int64_t v, const char *env)
{
	mlc_outcome(out, id, deployed, "request %lld approved: %s %lld is live in %s",
		    (long long)id, model, (long long)v, env);
}

void mlc_said_closed(struct mlc_outcome *out, int64_t id, const char *reason)
{
	mlc_outcome(out, id, 0, "request %lld closed: %s", (long long)id, reason);
}

void mlc_said_cancelled(struct mlc_outcome *out, int64_t id)
{
	mlc_outcome(out, id, 0, "request %lld cancelled", (long long)id);
}

void mlc_said_policy_saved(struct mlc_outcome *out, const char *env, const char *what,
			   int root_direct)
{
	mlc_outcome(out, 0, 0, "environment %s: policy saved (%s)%s", env, what,
		    root_direct ? ", " MLC_ROOT_DIRECT : "");
}

void mlc_said_policy_requested(struct mlc_outcome *out, int64_t id, const char *env,
			       const char *what, int64_t need)
{
	mlc_outcome(out, id, 0,
		    "request %lld: change the policy of %s (%s): it loosens it, so it needs %lld "
		    "approval%s under the current policy",
		    (long long)id, env, what, (long long)need, need == 1 ? "" : "s");
}

void mlc_said_policy_changed(struct mlc_outcome *out, int64_t id, const char *env, const char *what)
{
	mlc_outcome(out, id, 0, "request %lld approved: the policy of %s changed (%s)",
		    (long long)id, env, what);
}

/* ---- refusals every backend gives ------------------------------------------------ */

int mlc_policy_no_env(const char *env, struct mlc_error *err)
{
	return mlc_error_set(err, MLC_ERR_NOTFOUND,
			     "environment '%s': not found (see 'mlconsole env list')",
			     env ? env : "?");
}

int mlc_policy_no_request(int64_t id, struct mlc_error *err)
{
	return mlc_error_set(err, MLC_ERR_NOTFOUND, "request %lld: not found", (long long)id);
}

int mlc_policy_env_name(const char *env, struct mlc_error *err)
{
	if (mlc_env_name_valid(env))
		return 0;
	return mlc_error_set(err, MLC_ERR_USAGE,
			     "environment '%s': names are lower case letters, digits, '-' and '_'",
			     env);
}

void mlc_said_comment_cut(struct mlc_outcome *out, int cut)
{
	if (cut && out->summary)
		out->summary = arena_printf(&out->arena, "%s; your comment was cut to %d bytes",
					    out->summary, MLC_COMMENT_MAX);
}
