/* mlflow_deploy.c: environments and deployments on a stock MLflow server
 * (README's server section; mlflow_impl.h): policies as tags of the experiment
 * "mlconsole", the live version as the alias E, the history as the model tag
 * mlconsole.history.E, the legacy stage mirror, hook outcomes as the model tag
 * mlconsole.hook.E; deploy, rollback and the deployments listing. The rules
 * are policy.c's: this file reads the place it decides on (place_policy),
 * writes what it decides, and re-reads to confirm. */
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

/* ---- environments and their policies ------------------------------------------ */

/* The environment called name[0..len) in l, added with no policy if absent. */
static struct mlc_env *env_slot(struct mlc_env_list *l, const char *name, size_t len)
{
	struct mlc_env *e;

	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->items[i].name) == len && strncmp(l->items[i].name, name, len) == 0)
			return &l->items[i];
	e = MLC_LIST_PUSH(l);
	e->name = arena_strndup(&l->arena, name, len);
	return e;
}

/* Set e's approvers from the comma list s (mlc_approver_next), sorted. */
static void parse_approvers(struct mlc_arena *a, struct mlc_env *e, const char *s)
{
	const char *p = s, *name;
	size_t n = 1, len;

	for (const char *q = s; *q; q++)
		n += *q == ',';
	e->approvers = arena_alloc(a, n * sizeof *e->approvers);
	e->n_approvers = 0;
	while (mlc_approver_next(&p, &name, &len))
		e->approvers[e->n_approvers++] = arena_strndup(a, name, len);
	if (e->n_approvers > 1)
		qsort(e->approvers, e->n_approvers, sizeof *e->approvers, cmp_str_ptr);
}

/* A policy flag: 1 yes, 0 no, -1 not understood. Other MLflow clients may
 * write "True" (Python's str(True)), "1" or "on". */
static int policy_flag(const char *v)
{
	static const char *const yes[] = {"yes", "true", "1", "on"};
	static const char *const no[] = {"no", "false", "0", "off"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* A policy number into *n: 0, or -1 when v is not a whole number (at least
 * min). */
static int policy_number(const char *v, int64_t min, int64_t *n)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(v, &end, 10);
	if (end == v || *end != '\0' || errno != 0 || x < min)
		return -1;
	*n = x;
	return 0;
}

/* *field = the flag v: 0, or -1 when v is not understood. */
static int policy_set_flag(int *field, const char *v)
{
	int f = policy_flag(v);

	if (f < 0)
		return -1;
	*field = f;
	return 0;
}

/* Set e's gates from the JSON array of strings v (policy.E.gates): 0, or -1
 * when v is not one. */
static int parse_gates(struct mlc_arena *a, struct mlc_env *e, const char *v)
{
	json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);
	const json_t *it;
	size_t i;
	int rc = json_is_array(j) ? 0 : -1;

	e->n_gates = 0;
	e->gates = rc == 0 ? arena_alloc(a, (json_array_size(j) + 1) * sizeof *e->gates) : NULL;
	json_array_foreach(j, i, it)
	{
		if (!json_is_string(it))
			rc = -1;
		else if (rc == 0)
			e->gates[e->n_gates++] = arena_strdup(a, json_string_value(it));
	}
	if (rc < 0)
		e->n_gates = 0;
	json_decref(j);
	return rc;
}

/* Apply policy tag key (policy.E.FIELD) = value to the list. A value not
 * understood is noted in the environment: changes there are refused, since a
 * policy that cannot be read must not read as "no approval needed". */
static void policy_tag(struct mlc_env_list *l, const char *key, const char *value)
{
	const char *name = key + 7, *dot = strrchr(key, '.'), *f;
	struct mlc_env *e;
	int bad = 0;

	if (strncmp(key, "policy.", 7) != 0 || dot <= name)
		return;
	e = env_slot(l, name, (size_t)(dot - name));
	f = dot + 1;
	if (strcmp(f, "order") == 0)
		bad = policy_number(value, INT64_MIN, &e->order);
	else if (strcmp(f, "required_approvals") == 0)
		bad = policy_number(value, 0, &e->required_approvals);
	else if (strcmp(f, "approvers") == 0)
		parse_approvers(&l->arena, e, value);
	else if (strcmp(f, "self_approval") == 0)
		bad = policy_set_flag(&e->self_approval, value);
	else if (strcmp(f, "rollback_approval") == 0)
		bad = policy_set_flag(&e->rollback_approval, value);
	else if (strcmp(f, "require_previous") == 0)
		bad = policy_set_flag(&e->require_previous, value);
	else if (strcmp(f, "gates") == 0)
		bad = parse_gates(&l->arena, e, value);
	if (bad && e->policy_error == NULL) {
		char what[400];
		snprintf(what, sizeof what, "%.120s = '%.200s'", key, value);
		e->policy_error = arena_strdup(&l->arena, what);
	}
}

/* By order, then name. */
static int cmp_env(const void *a, const void *b)
{
	const struct mlc_env *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The policy experiment's JSON into *out (caller decrefs); NULL when it does
 * not exist yet. */
int policy_experiment(struct registry *r, json_t **out, struct mlc_error *err)
{
	struct http_param p = {"experiment_name", POLICY_EXPERIMENT};
	json_t *resp;

	*out = NULL;
	if (http_get_json(HTTPH(r), "experiments/get-by-name", &p, 1, &resp, err) == 0) {
		*out = json_incref(json_object_get(resp, "experiment"));
		json_decref(resp);
		return 0;
	}
	return http_last_status(HTTPH(r)) == 404 ? 0 : -1;
}

/* Every environment's policy, by order, into out; the policy experiment's id
 * into exp[len] ("" when it does not exist yet) unless exp is NULL. */
int load_envs(struct registry *r, struct mlc_env_list *out, char *exp, size_t len,
	      struct mlc_error *err)
{
	const json_t *it;
	json_t *e;
	size_t i, first = out->n;

	if (policy_experiment(r, &e, err) < 0)
		return -1;
	if (exp)
		snprintf(exp, len, "%s", jstr(e, "experiment_id") ? jstr(e, "experiment_id") : "");
	json_array_foreach(json_object_get(e, "tags"), i, it)
	{
		if (jstr(it, "key") && jstr(it, "value"))
			policy_tag(out, jstr(it, "key"), jstr(it, "value"));
	}
	json_decref(e);
	MLC_LIST_SORT_FROM(out, first, cmp_env);
	return 0;
}

/* Environments and their policies, by order. */
int mlflow_env_list(struct registry *r, struct mlc_env_list *out, struct mlc_error *err)
{
	return load_envs(r, out, NULL, 0, err);
}

/* Environment name in l; NULL with a NOT FOUND naming it, or (err set) with
 * the policy setting it could not read. */
const struct mlc_env *find_env(const struct mlc_env_list *l, const char *name,
			       struct mlc_error *err)
{
	for (size_t i = 0; name && i < l->n; i++) {
		const struct mlc_env *e = &l->items[i];
		if (strcmp(e->name, name) != 0)
			continue;
		if (e->policy_error && err) {
			mlc_error_set(
			    err, MLC_ERR_FAILED,
			    "environment '%s': its policy setting %s (a tag of the "
			    "experiment '" POLICY_EXPERIMENT "') is not understood (yes/no, "
			    "or a whole number): changes there are refused until 'mlconsole "
			    "env set %s ...' rewrites it",
			    e->name, e->policy_error, e->name);
			return NULL;
		}
		return e;
	}
	mlc_policy_no_env(name, err);
	return NULL;
}

/* Create the policy experiment (on the first env set), its id into exp[len].
 * Another console creating it at the same moment is fine: it is looked up. */
int create_policy_experiment(struct registry *r, char *exp, size_t len, struct mlc_error *err)
{
	json_t *body = json_pack(
	    "{s:s,s:[{s:s,s:s}]}", "name", POLICY_EXPERIMENT, "tags", "key", "mlconsole.note",
	    "value", "environment policies of mlconsole (policy.ENV.*); " NOT_BY_SERVER);
	json_t *resp = NULL, *e;
	int rc = http_post_json(HTTPH(r), "experiments/create", body, &resp, err);

	json_decref(body);
	if (rc == 0 && jstr(resp, "experiment_id"))
		snprintf(exp, len, "%s", jstr(resp, "experiment_id"));
	json_decref(resp);
	if (rc == 0 || http_last_status(HTTPH(r)) != 400)
		return rc;
	if (policy_experiment(r, &e, err) < 0 || e == NULL)
		return e ? -1
			 : mlc_error_set(err, MLC_ERR_FAILED, "%s: cannot create experiment '%s'",
					 http_host(HTTPH(r)), POLICY_EXPERIMENT);
	snprintf(exp, len, "%s", jstr(e, "experiment_id") ? jstr(e, "experiment_id") : "");
	json_decref(e);
	return 0;
}

/* Set the policy tag policy.ENV.FIELD = value on experiment exp. */
static int set_policy(struct registry *r, const char *exp, const char *env, const char *field,
		      const char *value, struct mlc_error *err)
{
	char key[128];

	snprintf(key, sizeof key, "policy.%s.%s", env, field);
	return send_change(
	    r, "experiments/set-experiment-tag",
	    json_pack("{s:s,s:s,s:s}", "experiment_id", exp, "key", key, "value", value), 0, err);
}

/* The audit detail of a policy change (as the local store writes it). */
static void policy_detail(struct strbuf *sb, const struct mlc_env_change *c, int created)
{
	if (created)
		sb_add(sb, "created;");
	if (c->have_order)
		sb_printf(sb, " order=%lld", (long long)c->order);
	if (c->have_required)
		sb_printf(sb, " required_approvals=%lld", (long long)c->required_approvals);
	if (c->have_approvers)
		sb_printf(sb, " approvers=%s", c->approvers);
	if (c->have_self)
		sb_printf(sb, " self_approval=%s", c->self_approval ? "yes" : "no");
	if (c->have_rollback)
		sb_printf(sb, " rollback_approval=%s", c->rollback_approval ? "yes" : "no");
	if (c->have_previous)
		sb_printf(sb, " require_previous=%s", c->require_previous ? "yes" : "no");
	for (size_t i = 0; i < c->n_gate_add; i++)
		sb_printf(sb, " gate+='%s'", c->gate_add[i]);
	for (size_t i = 0; i < c->n_gate_rm; i++)
		sb_printf(sb, " gate-='%s'", c->gate_rm[i]);
	sb_add(sb, " (" NOT_BY_SERVER ")");
}

/* The gates of e (NULL: none yet) with c's added and removed, as the JSON
 * array policy.E.gates holds (caller frees). */
static char *gates_after(const struct mlc_env *e, const struct mlc_env_change *c)
{
	json_t *a = json_array();
	char *s;

	for (size_t i = 0; e && i < e->n_gates; i++) {
		int gone = 0;
		for (size_t k = 0; k < c->n_gate_rm; k++)
			gone |= strcmp(e->gates[i], c->gate_rm[k]) == 0;
		if (!gone)
			json_array_append_new(a, json_string(e->gates[i]));
	}
	for (size_t i = 0; i < c->n_gate_add; i++) {
		int have = 0;
		for (size_t k = 0; k < json_array_size(a); k++)
			have |= strcmp(json_string_value(json_array_get(a, k)), c->gate_add[i]) == 0;
		if (!have)
			json_array_append_new(a, json_string(c->gate_add[i]));
	}
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* Write change c as policy tags on experiment exp (l: the environments as
 * read), and journal it; how, when not NULL, says by what right. */
int write_policy(struct registry *r, const char *exp, const struct mlc_env_list *l,
		 const struct mlc_env_change *c, const char *actor, const char *how,
		 struct mlc_error *err)
{
	struct strbuf detail = {0};
	char order[24], req[24];
	int64_t next = 1;
	int created = find_env(l, c->name, NULL) == NULL;

	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].order >= next)
			next = l->items[i].order + 1;
	snprintf(order, sizeof order, "%lld", (long long)(c->have_order ? c->order : next));
	snprintf(req, sizeof req, "%lld",
		 (long long)(c->have_required ? c->required_approvals : 0));
	const struct {
		int set;
		const char *field, *value;
	} f[] = {
	    {c->have_order || created, "order", order},
	    {c->have_required || created, "required_approvals", req},
	    {c->have_approvers || created, "approvers", c->have_approvers ? c->approvers : ""},
	    {c->have_self || created, "self_approval", c->self_approval ? "yes" : "no"},
	    {c->have_rollback || created, "rollback_approval", c->rollback_approval ? "yes" : "no"},
	    {c->have_previous || created, "require_previous", c->require_previous ? "yes" : "no"},
	};
	for (size_t i = 0; i < sizeof f / sizeof *f; i++)
		if (f[i].set && set_policy(r, exp, c->name, f[i].field, f[i].value, err) < 0)
			return -1;
	if (c->n_gate_add + c->n_gate_rm > 0) {
		char *gates = gates_after(find_env(l, c->name, NULL), c);
		int rc = set_policy(r, exp, c->name, "gates", gates, err);
		free(gates);
		if (rc < 0)
			return -1;
	}
	policy_detail(&detail, c, created);
	if (how)
		sb_printf(&detail, "; %s", how);
	journal(r, actor, "policy", c->name, sb_str(&detail));
	sb_free(&detail);
	return 0;
}

/* Store a policy as tags of the experiment "mlconsole" (created when
 * missing); a new environment gets every field, an old one those given. */
int mlflow_env_set(struct registry *r, const struct mlc_env_change *c, const char *actor,
		   struct mlc_outcome *out, struct mlc_error *err)
{
	struct mlc_env_list l = {0};
	struct strbuf why = {0};
	char exp[64];
	int kind, rc = -1;

	if (mlc_policy_env_name(c->name, err) < 0)
		return -1;
	if (load_envs(r, &l, exp, sizeof exp, err) < 0 ||
	    (kind = mlc_policy_check(&l, c, actor, &why, err)) < 0)
		goto out;
	if (kind == MLC_POLICY_REQUEST) {
		rc = open_policy_request(r, exp, c, find_env(&l, c->name, NULL), sb_str(&why),
					 actor, out, err);
		goto out;
	}
	if ((!*exp && create_policy_experiment(r, exp, sizeof exp, err) < 0) ||
	    write_policy(r, exp, &l, c, actor, c->root_direct ? MLC_ROOT_DIRECT : NULL, err) < 0)
		goto out;
	mlc_said_policy_saved(out, c->name, sb_str(&why), c->root_direct);
	rc = 0;
out:
	sb_free(&why);
	MLC_LIST_FREE(&l);
	return rc;
}

/* ---- deployments: aliases and history tags ---------------------------------- */

/* Append the deployment history of registered model m in env to l as events
 * of model, in the tag's order (newest first). */
static void add_events(struct mlc_event_list *l, const json_t *m, const char *model,
		       const char *env)
{
	struct mlc_arena *a = &l->arena;
	json_t *h = history_of(m, env);
	const json_t *it;
	size_t i;

	json_array_foreach(h, i, it)
	{
		struct mlc_deploy_event *d = MLC_LIST_PUSH(l);
		d->model = arena_strdup(a, model);
		d->environment = arena_strdup(a, env);
		d->version = jdup(a, it, "v");
		d->previous_version = jdup(a, it, "prev");
		d->action = jdup_or(a, it, "act", "deploy");
		d->at = jint(it, "at");
		d->by = jdup(a, it, "by");
	}
	json_decref(h);
}

/* Order l's events newest first across environments, keeping each
 * environment's own order (its tag's: the clocks of two consoles may
 * disagree, the order they wrote in does not). start[0..k): where each
 * environment's events begin in l, in order. */
static void merge_newest_first(struct mlc_event_list *l, const size_t *start, size_t k)
{
	struct mlc_deploy_event *out = xcalloc(l->n + 1, sizeof *out);
	size_t *pos = xcalloc(k + 1, sizeof *pos);

	memcpy(pos, start, k * sizeof *pos);
	for (size_t n = 0; n < l->n; n++) {
		size_t best = k;
		for (size_t i = 0; i < k; i++) {
			size_t end = i + 1 < k ? start[i + 1] : l->n;
			if (pos[i] < end &&
			    (best == k || l->items[pos[i]].at > l->items[pos[best]].at))
				best = i;
		}
		out[n] = l->items[pos[best]++];
	}
	if (l->n)
		memcpy(l->items, out, l->n * sizeof *out);
	free(out);
	free(pos);
}

/* Read model again (the alias and tags as they are now), and its history in
 * every environment. */
int place_reread(struct registry *r, const char *model, struct place *p, struct mlc_error *err)
{
	size_t *start;

	json_decref(p->resp);
	p->resp = NULL;
	p->m = NULL;
	MLC_LIST_FREE(&p->history);
	p->model = model;
	if (get_model(r, model, &p->resp, err) < 0)
		return -1;
	p->m = json_object_get(p->resp, "registered_model");
	start = xcalloc(p->envs.n + 1, sizeof *start);
	for (size_t i = 0; i < p->envs.n; i++) {
		start[i] = p->history.n;
		add_events(&p->history, p->m, model, p->envs.items[i].name);
	}
	merge_newest_first(&p->history, start, p->envs.n);
	free(start);
	return 0;
}

/* The policies, environment env and model, as they are now. */
int place_open(struct registry *r, const char *model, const char *env, struct place *p,
	       struct mlc_error *err)
{
	memset(p, 0, sizeof *p);
	if (load_envs(r, &p->envs, NULL, 0, err) < 0 ||
	    (p->env = find_env(&p->envs, env, err)) == NULL)
		return -1;
	return place_reread(r, model, p, err);
}

/* Free what place_open read. */
void place_close(struct place *p)
{
	json_decref(p->resp);
	MLC_LIST_FREE(&p->history);
	MLC_LIST_FREE(&p->envs);
}

void place_policy(const struct place *p, struct mlc_place *out)
{
	*out = (struct mlc_place){.envs = &p->envs,
				  .env = p->env,
				  .model = p->model,
				  .live = live_of(p->m, p->env->name),
				  .history = p->history.items,
				  .n_history = p->history.n};
}

/* The deployment history of model m in env, newest first: a new array. A tag
 * that is not a JSON array (an edit by hand) reads as empty. */
json_t *history_of(const json_t *m, const char *env)
{
	char key[128];
	const char *s;
	json_t *h;

	snprintf(key, sizeof key, "mlconsole.history.%s", env);
	s = tag_of(m, key);
	h = s ? json_loads(s, 0, NULL) : NULL;
	if (!json_is_array(h)) {
		json_decref(h);
		h = json_array();
	}
	return h;
}

/* The version live in env (alias env of m), 0 when none. */
int64_t live_of(const json_t *m, const char *env)
{
	const char *v = alias_of(m, env);
	return v ? strtoll(v, NULL, 10) : 0;
}

/* The entry of history h for the deployment that completed request q (made
 * since q was opened), or NULL. */
const json_t *history_req(const json_t *h, const struct reqref *q)
{
	const json_t *e;
	size_t i;

	json_array_foreach(h, i, e)
	{
		if (jstr(e, "req") && strcmp(jstr(e, "req"), q->ref) == 0 &&
		    jint(e, "at") >= q->opened)
			return e;
	}
	return NULL;
}

/* 1 if version v of p's model was live in staging or production (its history
 * or the alias now): the legacy stage mirror would have archived it. */
static int mirror_archived(const struct place *p, int64_t v)
{
	struct mlc_place mp;

	place_policy(p, &mp);
	return mlc_policy_was_live(&mp, "staging", v) ||
	       mlc_policy_was_live(&mp, "production", v) || live_of(p->m, "staging") == v ||
	       live_of(p->m, "production") == v;
}

int version_state(struct registry *r, const struct place *p, int64_t v, enum mlc_vstate *vs,
		  char *vnote, size_t nlen, char *stage, size_t slen, struct mlc_error *err)
{
	char num[24];
	struct http_param q[] = {{"name", p->model}, {"version", num}};
	int mirrored = ((struct mlflow *)r->impl)->stages;
	json_t *resp;
	const char *st;

	*vs = MLC_V_OK;
	if (vnote)
		snprintf(vnote, nlen, "%s",
			 mirrored
			     ? " (its history has no record of it live in staging or "
			       "production, where the legacy stage mirror would have archived it)"
			     : "");
	if (stage)
		*stage = '\0';
	snprintf(num, sizeof num, "%lld", (long long)v);
	if (http_get_json(HTTPH(r), "model-versions/get", q, 2, &resp, err) < 0) {
		if (http_last_status(HTTPH(r)) != 404)
			return -1;
		*vs = MLC_V_MISSING;
		return 0;
	}
	st = jstr(json_object_get(resp, "model_version"), "current_stage");
	if (stage)
		snprintf(stage, slen, "%s", st ? st : "");
	if (st && strcmp(st, "Archived") == 0 && !(mirrored && mirror_archived(p, v)))
		*vs = MLC_V_ARCHIVED;
	json_decref(resp);
	return 0;
}

/* Write history h of model in env as its tag, dropping the oldest entries
 * until it fits MLflow's 5000 characters. */
static int write_history(struct registry *r, const char *model, const char *env, json_t *h,
			 struct mlc_error *err)
{
	char key[128], *s = json_dumps(h, JSON_COMPACT);
	int rc;

	while (s && strlen(s) > MAX_TAG_VALUE && json_array_size(h) > 1) {
		free(s);
		json_array_remove(h, json_array_size(h) - 1);
		s = json_dumps(h, JSON_COMPACT);
	}
	snprintf(key, sizeof key, "mlconsole.history.%s", env);
	rc = send_change(
	    r, "registered-models/set-tag",
	    json_pack("{s:s,s:s,s:s}", "name", model, "key", key, "value", s ? s : "[]"), 0, err);
	free(s);
	return rc;
}

/* The history entry that stands for one deployment: when and by whom. */
struct entry_id {
	int64_t at;
	char by[256];
};

/* 1 if history entry e is the one id names. */
static int is_entry(const json_t *e, const struct entry_id *id)
{
	return e && jint(e, "at") == id->at && jstr(e, "by") && strcmp(jstr(e, "by"), id->by) == 0;
}

/* Add the entry for v (action by actor, completing request req or NULL) at
 * the head of the history tag, read again first. Nothing is written when
 * req's entry is there already, or when since > 0 and the head is another
 * deployment of v made since then (a console deploying the same version at
 * the same moment). id (when not NULL): the entry that stands for this
 * deployment, the one written or req's. 0; 1 another deployment of v heads
 * the history; -1 with err. */
static int add_history(struct registry *r, const char *model, struct place *p, int64_t v,
		       int64_t prev, const char *action, const char *actor,
		       const struct reqref *req, int64_t since, struct entry_id *id,
		       struct mlc_error *err)
{
	const json_t *done, *head;
	int64_t at = timefmt_now_ms();
	json_t *h, *e;
	int rc = 0;

	if (place_reread(r, model, p, err) < 0)
		return -1;
	h = history_of(p->m, p->env->name);
	head = json_array_get(h, 0);
	if (req && (done = history_req(h, req)) != NULL) {
		if (id) {
			id->at = jint(done, "at");
			snprintf(id->by, sizeof id->by, "%s",
				 jstr(done, "by") ? jstr(done, "by") : "");
		}
	} else if (since > 0 && jint(head, "v") == v && jint(head, "at") >= since) {
		rc = 1;
	} else {
		e = json_object();
		json_object_set_new(e, "v", json_sprintf("%lld", (long long)v));
		if (prev > 0)
			json_object_set_new(e, "prev", json_sprintf("%lld", (long long)prev));
		json_object_set_new(e, "at", json_integer(at));
		json_object_set_new(e, "by", json_string(actor));
		json_object_set_new(e, "act", json_string(action));
		if (req)
			json_object_set_new(e, "req", json_string(req->ref));
		json_array_insert_new(h, 0, e);
		rc = write_history(r, model, p->env->name, h, err);
		if (id) {
			id->at = at;
			snprintf(id->by, sizeof id->by, "%s", actor);
		}
	}
	json_decref(h);
	return rc;
}

/* The MLflow stage mirroring environment env ("Staging", "Production"), or
 * NULL when env has none or this context does not mirror stages. */
static const char *legacy_stage(struct registry *r, const char *env)
{
	if (!((struct mlflow *)r->impl)->stages)
		return NULL;
	if (strcmp(env, "staging") == 0)
		return "Staging";
	if (strcmp(env, "production") == 0)
		return "Production";
	return NULL;
}

/* With the legacy stage mirror on, put v, just made live in env, in env's
 * stage, archiving the versions that held it (transition-stage), for tools
 * that still read stages; journal it under subject. 0 done (or nothing to
 * do); -1 with err saying that the deployment stands but the mirror failed. */
static int mirror_stage(struct registry *r, const json_t *m, const char *model, int64_t v,
			const char *env, const char *actor, const char *subject,
			struct mlc_error *err)
{
	const char *stage = legacy_stage(r, env);
	struct mlc_error e = {0};
	char num[24], detail[1200];

	if (stage == NULL)
		return 0;
	/* A version holds one stage: one still live in production keeps it. */
	if (strcmp(env, "production") != 0 && legacy_stage(r, "production") &&
	    live_of(m, "production") == v) {
		journal(r, actor, "stage", subject,
			"legacy stage Production kept: the version is live in production");
		return 0;
	}
	snprintf(num, sizeof num, "%lld", (long long)v);
	if (send_change(r, "model-versions/transition-stage",
			json_pack("{s:s,s:s,s:s,s:b}", "name", model, "version", num, "stage",
				  stage, "archive_existing_versions", 1),
			0, &e) < 0) {
		snprintf(detail, sizeof detail,
			 "incomplete: the alias and history tag were written, the legacy stage %s "
			 "was not: %s",
			 stage, e.msg);
		journal(r, actor, "stage", subject, detail);
		return mlc_error_set(
		    err, MLC_ERR_FAILED,
		    "deployed %s %lld to %s, but the legacy stage mirror failed: %s", model,
		    (long long)v, env, e.msg);
	}
	snprintf(detail, sizeof detail, "legacy stage %s (the other %s versions archived)", stage,
		 stage);
	journal(r, actor, "stage", subject, detail);
	return 0;
}

/* err, which says why a later step failed, now says first that v went live. */
static int live_but(struct mlc_error *err, const char *model, int64_t v, const char *env,
		    const char *what)
{
	struct mlc_error e = *err;

	mlc_error_set(err, e.code, "deployed %s %lld to %s (the alias is set), but %s: %s", model,
		      (long long)v, env, what, e.msg);
	return 1;
}

/* policy.c's refusal of version v (state vs, vnote) in p's environment
 * whatever its policy, with live as the live version: v's state, or that it
 * is live already. 0 when neither. */
static int refuse_state(const struct mlc_place *mp, int64_t live, int64_t v, enum mlc_vstate vs,
			const char *vnote, struct mlc_error *err)
{
	struct mlc_env bare = {.name = mp->env->name, .order = mp->env->order};
	struct mlc_place q = *mp;

	q.env = &bare;
	q.live = live;
	return mlc_policy_deploy(&q, v, vs, vnote, err);
}

/* Another console made v live in p's environment while this one was doing
 * it (the alias, or the history's head by its deployment): that deployment
 * stands, this one made none. Journalled; -1 with policy.c's "already live". */
static int lost_race(struct registry *r, const struct place *p, int64_t v, const char *action,
		     const char *actor, const char *subject, struct mlc_error *err)
{
	struct mlc_place mp;

	journal(r, actor, action, subject,
		"not made: another console made the version live at the same moment");
	place_policy(p, &mp);
	refuse_state(&mp, v, v, MLC_V_OK, NULL, err);
	return -1;
}

/* An alias another client moved (mlc_policy_external): record the move in
 * the history as "external" and journal it by "external", before this console
 * changes anything there, so it is never taken for the actor's. */
static int note_external(struct registry *r, struct place *p, struct mlc_error *err)
{
	struct mlc_place mp;
	struct mlc_deploy_event ev;
	char vb[24], pb[24], subject[600], detail[160];
	int64_t head;

	place_policy(p, &mp);
	if (!mlc_policy_external(&mp, timefmt_now_ms(), &ev, vb, sizeof vb, pb, sizeof pb))
		return 0;
	head = strtoll(pb, NULL, 10);
	snprintf(subject, sizeof subject, "%s:%s@%s", p->model, vb, p->env->name);
	snprintf(detail, sizeof detail, "%s%s; moved by another client, as observed",
		 head > 0 ? "from version " : "first deployment", head > 0 ? pb : "");
	if (add_history(r, p->model, p, mp.live, head, ev.action, ev.by, NULL, 0, NULL, err) < 0)
		return -1;
	journal(r, ev.by, ev.action, subject, detail);
	return 0;
}

/* Make v live in p's environment in §11's order — the alias, then the history
 * tag — then re-read and confirm both; journal it; then the legacy stage when
 * mirrored. *prev: the version before. 0 live; 1 live, but a step after the
 * alias failed (the history tag, its confirmation, the stage mirror: err says
 * which); -1 with err, not live. */
int make_live(struct registry *r, const char *model, struct place *p, int64_t v, const char *action,
	      const char *actor, const struct reqref *req, int64_t *prev, struct mlc_outcome *out,
	      struct mlc_error *err)
{
	const char *env = p->env->name;
	char num[24], subject[600], detail[200];
	int64_t since = timefmt_now_ms();
	struct entry_id id = {0};
	json_t *h;
	int ok, rc;

	snprintf(num, sizeof num, "%lld", (long long)v);
	snprintf(subject, sizeof subject, "%s:%lld@%s", model, (long long)v, env);
	if (place_reread(r, model, p, err) < 0)
		return -1;
	if (live_of(p->m, env) == v) /* another console made it live since the policy was asked */
		return lost_race(r, p, v, action, actor, subject, err);
	if (note_external(r, p, err) < 0)
		return -1;
	*prev = live_of(p->m, env);
	if (send_change(r, "registered-models/alias",
			json_pack("{s:s,s:s,s:s}", "name", model, "alias", env, "version", num), 0,
			err) < 0)
		return -1;
	mlc_outcome_where(out, model, env, action, v, *prev);
	if ((rc = add_history(r, model, p, v, *prev, action, actor, req, since, &id, err)) == 1)
		return lost_race(r, p, v, action, actor, subject, err);
	if (rc < 0) {
		journal(r, actor, action, subject,
			"incomplete: the alias was set, the history tag was not written");
		return live_but(
		    err, model, v, env,
		    legacy_stage(r, env)
			? "its history tag was not written (a rollback will not know of "
			  "this deployment) nor its legacy stage set; deploying it again "
			  "writes them"
			: "its history tag was not written (a rollback will not know of "
			  "this deployment); deploying it again writes it");
	}
	settle(); /* a concurrent writer's change lands before the confirming re-read */
	if (place_reread(r, model, p, err) < 0) {
		journal(r, actor, action, subject,
			"unconfirmed: the alias and history tag were written, not read back");
		return live_but(err, model, v, env,
				"the alias and history tag could not be read back to confirm them");
	}
	h = history_of(p->m, env);
	ok = live_of(p->m, env) == v && jint(json_array_get(h, 0), "v") == v;
	rc = ok && !is_entry(json_array_get(h, 0), &id);
	json_decref(h);
	if (rc) /* the same version, by another console's deployment: that one stands */
		return lost_race(r, p, v, action, actor, subject, err);
	if (!ok) {
		journal(r, actor, action, subject, "not confirmed: another console changed it");
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s %lld to %s: another console changed %s at the same time; "
				     "see 'mlconsole deployments %s'",
				     model, (long long)v, env, env, model);
	}
	if (*prev > 0)
		snprintf(detail, sizeof detail, "from version %lld", (long long)*prev);
	else
		snprintf(detail, sizeof detail, "first deployment");
	journal(r, actor, action, subject, detail);
	return mirror_stage(r, p->m, model, v, env, actor, subject, err) < 0 ? 1 : 0;
}

/* v is live in p's environment (its alias), but the deployment that set the
 * alias may have stopped short: write what it left out — the history entry
 * when the history's head is not v (prev: the head's version), then the
 * legacy stage (stage: v's stage now) when mirrored — journalled under
 * subject. fixed (len bytes) says what was written, "" when nothing was
 * missing. 0, or -1 with err. */
int finish_live(struct registry *r, const char *model, struct place *p, int64_t v,
		const char *stage, const char *action, const char *actor, const struct reqref *req,
		const char *subject, char *fixed, size_t len, struct mlc_error *err)
{
	const char *env = p->env->name, *want = legacy_stage(r, env);
	json_t *h = history_of(p->m, env);
	int64_t head = jint(json_array_get(h, 0), "v");
	size_t n;

	json_decref(h);
	*fixed = '\0';
	if (head != v) {
		if (add_history(r, model, p, v, head, action, actor, req, 0, NULL, err) < 0)
			return -1;
		journal(r, actor, "reconcile", subject, "wrote the missing history entry");
		snprintf(fixed, len, "its history entry");
	}
	/* (a version live in production keeps Production when deployed elsewhere) */
	if (want == NULL || strcmp(stage, want) == 0 ||
	    (strcmp(env, "production") != 0 && live_of(p->m, "production") == v))
		return 0;
	if (mirror_stage(r, p->m, model, v, env, actor, subject, err) < 0)
		return -1;
	n = strlen(fixed);
	snprintf(fixed + n, len - n, "%sits legacy stage %s", n ? " and " : "", want);
	return 0;
}

/* Deploying v, live in p's environment already: an error, unless a deployment
 * stopped short of the history entry or the legacy stage (stage: v's stage
 * now): then only what is missing is written (no new deployment, so no
 * approval and no hook). */
static int redeploy(struct registry *r, struct place *p, const char *model, int64_t v,
		    const char *stage, const char *actor, struct mlc_outcome *out,
		    struct mlc_error *err)
{
	const char *env = p->env->name;
	char subject[600], fixed[200];

	snprintf(subject, sizeof subject, "%s:%lld@%s", model, (long long)v, env);
	if (finish_live(r, model, p, v, stage, "deploy", actor, NULL, subject, fixed, sizeof fixed,
			err) < 0)
		return -1;
	if (*fixed == '\0')
		return mlc_error_set(err, MLC_ERR_FAILED, "%s %lld is already live in %s", model,
				     (long long)v, env);
	mlc_outcome(out, 0, 0,
		    "%s %lld is already live in %s; what its deployment left out is now "
		    "written: %s",
		    model, (long long)v, env, fixed);
	return 0;
}

/* Deploying v, live in p's environment already: no new deployment. v must
 * still be one that may go live, whatever the policy (the policy's check on
 * an environment with none). When the history records v (read again a moment
 * later when it does not, for a deployment in flight), a
 * missing legacy stage is then set; when it does not, writing the entry
 * records a deployment, so the policy applies as to deploying v over the
 * history's head — and with approvals required only its request records it. */
static int deploy_again(struct registry *r, struct place *p, int64_t v, enum mlc_vstate vs,
			const char *vnote, const char *stage, const char *actor,
			struct mlc_outcome *out, struct mlc_error *err)
{
	const struct mlc_env *e = p->env;
	struct mlc_place mp, before;

	place_policy(p, &mp);
	/* a deployment that set the alias may be writing its history entry right
	 * now: let it land before taking the entry for missing */
	if (mlc_policy_head(&mp, e->name) != v) {
		settle();
		if (place_reread(r, p->model, p, err) < 0)
			return -1;
		place_policy(p, &mp);
		if (mp.live != v)
			return mlc_error_set(
			    err, MLC_ERR_FAILED,
			    "%s %lld to %s: another console changed %s at the same "
			    "time; see 'mlconsole deployments %s'",
			    p->model, (long long)v, e->name, e->name, p->model);
	}
	before = mp;
	before.live = mlc_policy_head(&mp, e->name);
	if (refuse_state(&mp, 0, v, vs, vnote, err) < 0)
		return -1;
	if (before.live != v && e->required_approvals > 0)
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "%s %lld is live in %s, but its history has no entry for it; "
				     "with approvals required there, only its request records it "
				     "('mlconsole approve ID')",
				     mp.model, (long long)v, e->name);
	if (before.live != v && mlc_policy_deploy(&before, v, vs, vnote, err) < 0)
		return -1;
	return redeploy(r, p, mp.model, v, stage, actor, out, err);
}

/* Deploy when the policy needs no approval (policy.c decides): alias,
 * history, journal. */
int mlflow_deploy(struct registry *r, const char *model, const char *version, const char *env,
		  const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	struct place p = {0};
	struct mlc_place mp;
	enum mlc_vstate vs;
	char stage[32], vnote[200];
	int64_t v, prev;
	int rc = -1, live;

	if ((v = mlc_version_parse(version, err)) < 0 || place_open(r, model, env, &p, err) < 0 ||
	    version_state(r, &p, v, &vs, vnote, sizeof vnote, stage, sizeof stage, err) < 0)
		goto out;
	place_policy(&p, &mp);
	if (mp.live == v) {
		rc = deploy_again(r, &p, v, vs, vnote, stage, actor, out, err);
		goto out;
	}
	if (mlc_policy_deploy(&mp, v, vs, vnote, err) < 0 ||
	    (live = make_live(r, model, &p, v, "deploy", actor, NULL, &prev, out, err)) < 0)
		goto out;
	mlc_said_deployed(out, model, v, p.env->name, prev);
	rc = live == 0 ? 0 : -1; /* 1: live, but err says which later step failed */
out:
	place_close(&p);
	return rc;
}

/* Roll back by the rule (or to a version live before) when the policy allows
 * (policy.c decides where to). */
int mlflow_rollback(struct registry *r, const char *model, const char *env, const char *to,
		    const char *actor, struct mlc_outcome *out, struct mlc_error *err)
{
	struct place p = {0};
	struct mlc_place mp;
	enum mlc_vstate vs;
	int64_t target, prev;
	int rc = -1, live;

	if (place_open(r, model, env, &p, err) < 0)
		goto out;
	place_policy(&p, &mp);
	if (mlc_policy_rollback(&mp, to, 0, &target, err) < 0 ||
	    version_state(r, &p, target, &vs, NULL, 0, NULL, 0, err) < 0 ||
	    mlc_policy_rollback_version(&mp, target, to, vs, err) < 0 ||
	    (live = make_live(r, model, &p, target, "rollback", actor, NULL, &prev, out, err)) < 0)
		goto out;
	mlc_said_rolled_back(out, model, p.env->name, prev, target);
	rc = live == 0 ? 0 : -1; /* 1: live, but err says which later step failed */
out:
	place_close(&p);
	return rc;
}

/* Where a rollback (or its request) would go, without changing anything. */
int mlflow_rollback_target(struct registry *r, const char *model, const char *env, char *version,
			   size_t len, struct mlc_error *err)
{
	struct place p = {0};
	struct mlc_place mp;
	int64_t target;
	int rc = -1;

	if (place_open(r, model, env, &p, err) == 0) {
		place_policy(&p, &mp);
		if (mlc_policy_rollback(&mp, NULL, 1, &target, err) == 0) {
			snprintf(version, len, "%lld", (long long)target);
			rc = 0;
		}
	}
	place_close(&p);
	return rc;
}

/* ---- reading deployments -------------------------------------------------------- */

/* Where the deployments of each model go. */
struct deps_ctx {
	const struct mlc_env_list *envs;
	const char *env; /* only this one, or NULL */
	struct mlc_live_list *live;
	struct mlc_event_list *history;
};

/* "ok", "failed" or "none": the hook outcome of m in env for version v live since. */
const char *hook_status(const json_t *m, const char *env, int64_t v, int64_t since)
{
	char key[128];
	const char *s;
	json_t *j;
	const char *st = "none";

	snprintf(key, sizeof key, "mlconsole.hook.%s", env);
	if ((s = tag_of(m, key)) == NULL || (j = json_loads(s, 0, NULL)) == NULL)
		return st;
	if (jint(j, "v") == v && jint(j, "at") >= since)
		st = json_is_true(json_object_get(j, "ok")) ? "ok" : "failed";
	json_decref(j);
	return st;
}

/* The live version of registered model m in e, with when and by whom (h: its
 * history there). A live version the history's newest entry does not name was
 * moved by another client: by "external", since unknown (0); its hook outcome
 * is one recorded after that entry. Nothing is written: the next change there
 * records the move (note_external). */
static void add_live(struct deps_ctx *c, const json_t *m, const struct mlc_env *e, const json_t *h)
{
	struct mlc_arena *a = &c->live->arena;
	struct mlc_live *l = MLC_LIST_PUSH(c->live);
	const json_t *head = json_array_get(h, 0);
	int64_t v = live_of(m, e->name);

	l->model = jdup(a, m, "name");
	l->environment = arena_strdup(a, e->name);
	l->version = arena_strdup(a, alias_of(m, e->name));
	if (head && jint(head, "v") == v) {
		l->since = jint(head, "at");
		l->by = jdup(a, head, "by");
		l->hook_status = hook_status(m, e->name, v, l->since);
	} else {
		l->by = "external";
		l->hook_status = hook_status(m, e->name, v, jint(head, "at"));
	}
}

/* The live versions and history of registered model m in every environment. */
static int add_deployments(const json_t *m, void *ctx)
{
	struct deps_ctx *c = ctx;
	const char *name = jstr(m, "name") ? jstr(m, "name") : "";

	for (size_t k = 0; k < c->envs->n; k++) {
		const struct mlc_env *e = &c->envs->items[k];
		json_t *h;
		if (c->env && strcmp(c->env, e->name) != 0)
			continue;
		h = history_of(m, e->name);
		if (alias_of(m, e->name))
			add_live(c, m, e, h);
		json_decref(h);
		add_events(c->history, m, name, e->name);
	}
	return 0;
}

/* Newest first. */
static int cmp_event(const void *a, const void *b)
{
	const struct mlc_deploy_event *x = a, *y = b;
	return (x->at < y->at) - (x->at > y->at);
}

/* Live versions per environment (by model, then environment order) and the
 * history, newest first; every model when model is NULL. */
int mlflow_deployments(struct registry *r, const char *model, const char *env,
		       struct mlc_live_list *live, struct mlc_event_list *history,
		       struct mlc_error *err)
{
	struct mlc_env_list envs = {0};
	struct deps_ctx c = {&envs, env, live, history};
	size_t first = history->n;
	int rc = -1;

	/* With no environments there is nothing to list, but a named model
	 * must still exist. */
	if (load_envs(r, &envs, NULL, 0, err) < 0)
		goto out;
	if ((model || envs.n) && mlflow_each_model(r, model, add_deployments, &c, err) < 0)
		goto out;
	MLC_LIST_SORT_FROM(history, first, cmp_event);
	rc = 0;
out:
	MLC_LIST_FREE(&envs);
	return rc;
}

/* ---- hook outcomes -------------------------------------------------------------- */

/* Store the outcome of a hook that ran for version as the model tag
 * mlconsole.hook.ENV, which holds the outcome for the live version: when
 * another version has gone live since, only the journal gets it. */
int mlflow_record_hook(struct registry *r, const char *model, const char *env, const char *version,
		       int ok, int status, const char *detail, const char *actor,
		       struct mlc_error *err)
{
	struct place p = {0};
	char key[128], subject[600], *s = NULL;
	const char *live;
	json_t *j;
	int rc = -1;

	if (place_open(r, model, env, &p, err) < 0)
		goto out;
	mlc_audit_subject(subject, sizeof subject, model, version, p.env->name);
	if ((live = alias_of(p.m, p.env->name)) == NULL || strcmp(live, version) != 0) {
		char note[1400];
		snprintf(note, sizeof note, "for version %.20s, no longer live: %.1000s", version,
			 detail ? detail : "");
		journal(r, actor, ok ? "hook ok" : "hook failed", subject, note);
		rc = 0;
		goto out;
	}
	j = json_pack("{s:s,s:I,s:b,s:i,s:o}", "v", version, "at", (json_int_t)timefmt_now_ms(),
		      "ok", ok, "status", status, "detail", jcut(detail, MAX_DETAIL));
	s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	snprintf(key, sizeof key, "mlconsole.hook.%s", p.env->name);
	if (send_change(r, "registered-models/set-tag",
			s ? json_pack("{s:s,s:s,s:s}", "name", model, "key", key, "value", s)
			  : NULL,
			0, err) < 0)
		goto out;
	journal(r, actor, ok ? "hook ok" : "hook failed", subject, detail);
	rc = 0;
out:
	free(s);
	place_close(&p);
	return rc;
}
