/* mlflow_impl.h: what the MLflow REST backend's files share inside core/ —
 * the handle, the JSON and paging helpers (registry_mlflow.c), the writes of
 * README's server section (environments, deployments and hook outcomes:
 * mlflow_deploy.c; requests and votes: mlflow_requests.c; drift series:
 * mlflow_drift.c). Not for tui/.
 *
 * Deployments on a stock server (README's server section): environment E of model M is
 * the alias E; its history the model tag mlconsole.history.E; policies are
 * tags on the experiment "mlconsole"; a promotion request is the
 * model-version tag mlconsole.request.E; a hook's outcome the model tag
 * mlconsole.hook.E; the audit trail a local journal. MLflow has no
 * transactions and no compare-and-swap, so every change re-reads what it
 * decides on, writes, re-reads and confirms, and the policy is enforced by
 * this console, not by the server. */
#ifndef MLC_MLFLOW_IMPL_H
#define MLC_MLFLOW_IMPL_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "deploy.h"
#include "drift.h"
#include "error.h"
#include "http.h"
#include "policy.h"
#include "registry.h"
#include "strbuf.h"

struct mlflow {
	struct http *http;
	int stages;		  /* mirror staging/production as legacy stages (README's server section) */
	int auth;		  /* an enum registry_auth once asked, -1 before */
	struct hist_ahead *ahead; /* histories fetched in bulk ahead of an import */
};

#define HTTPH(r) (((struct mlflow *)(r)->impl)->http)

/* Rows per page: registered-models/search's maximum and runs/search's
 * default (a 1000-run page of runs/search costs 0.6-1 s, measured on MLflow 2.17.2). */
#define PAGE 1000

#define POLICY_EXPERIMENT "mlconsole"
#define MAX_TAG_VALUE 5000 /* MLflow's limit on a tag's value */
#define MAX_DETAIL 1000	   /* bytes of a comment or hook detail kept in a tag */
#define CONFIRM_TRIES 5	   /* read-modify-write attempts before giving up */
#define FINISH_GRACE_MS 120000 /* how long the console whose vote satisfied the policy
				* may take to deploy; after it, another may finish */
#define NOT_BY_SERVER                                                                              \
	"on a plain MLflow server the policy is enforced by the console, not the server"

/* ---- JSON fields (registry_mlflow.c) */

/* The string at key of o, or NULL. */
const char *jstr(const json_t *o, const char *key);
/* Copy the value at key into a: a string as is, an integer in decimal, ""
 * when absent (the server omits unset fields). */
const char *jdup(struct mlc_arena *a, const json_t *o, const char *key);
/* jdup, with def when the field is absent or empty. */
const char *jdup_or(struct mlc_arena *a, const json_t *o, const char *key, const char *def);
/* The int64 at key (a number, or a numeric string as proto3 allows); 0 when
 * absent; clamped to int64's range. */
int64_t jint(const json_t *o, const char *key);
/* A metric value: a number, or one of the strings "NaN", "Infinity" and
 * "-Infinity" MLflow sends for non-finite doubles. */
double jdouble(const json_t *v);
/* Append s to sb as a filter string literal ('s', or "s" when s has a
 * quote); -1 with err when s has both kinds of quotes. */
int add_literal(struct strbuf *sb, const char *s, struct mlc_error *err);
/* Strings through pointers, by strcmp (qsort). */
int cmp_str_ptr(const void *a, const void *b);

/* ---- paging (registry_mlflow.c) */

/* Called for each item of a listing; returns 1 to stop early. */
typedef int (*item_fn)(const json_t *item, void *ctx);

/* One listing request, repeated page by page. */
struct pager {
	const char *path;
	const char *items; /* the array's key in the answer */
	json_t *body;	   /* POST: the request (paging fields set here); NULL: GET */
	const struct http_param *params;
	size_t n_params;
	int64_t page_size; /* max_results of each page (0: not sent) */
	int64_t limit;	   /* stop after this many items (0: all) */
	item_fn fn;
	void *ctx;
};

/* Call pg->fn for every item of every page while the server hands out a
 * next_page_token; a token handed out twice, or too many pages, is an error. */
int each_item(struct registry *r, struct pager *pg, struct mlc_error *err);

/* ---- reads (registry_mlflow.c) */

/* The registered model name (registered-models/get) into *out; -1 with
 * err, "not found" in the words of the other backends. */
int get_model(struct registry *r, const char *name, json_t **out, struct mlc_error *err);
/* Call fn for registered model model, or for every registered model by name
 * when model is NULL (fn's 1 stops early); -1 with err when model is not
 * found or a page cannot be read. */
int mlflow_each_model(struct registry *r, const char *model, item_fn fn, void *ctx,
		      struct mlc_error *err);
/* The runs/search request for experiment id: all (deleted too) or active. */
json_t *search_body(const char *id, const char *filter, int all);
/* The error for a run the server does not know (a short id: a prefix). */
int run_not_found(struct registry *r, const char *run_id, struct mlc_error *err);
/* n GETs of path run together, request i with params[i*per .. i*per+per),
 * each answer handed to done as it arrives: their outcomes, freed with
 * free_each. */
struct http_response *get_each(struct registry *r, const char *path,
			       const struct http_param *params, size_t per, size_t n, http_done_fn done,
			       void *ctx);
void free_each(struct http_response *res, size_t n);

/* ---- metric histories (mlflow_history.c) */

int mlflow_metric_history(struct registry *r, const char *run_id, const char *key,
			  struct mlc_metric_list *out, struct mlc_error *err);
int mlflow_metric_histories(struct registry *r, const struct mlc_history_req *req, size_t n,
			    struct mlc_metric_list *out, struct mlc_error *err);
/* Note out->items[first..], an import's listing (deleted runs too, no
 * filter, order or limit), as the (run, metric) pairs whose histories come
 * next: they are fetched ahead in bulk. */
void mlflow_plan_ahead(struct registry *r, const struct mlc_run_list *out, size_t first);
void mlflow_ahead_free(struct hist_ahead *a);
/* The value of tag key among the tags of entity o, or NULL. */
const char *tag_of(const json_t *o, const char *key);
/* The version registered model m's alias points at, or NULL. */
const char *alias_of(const json_t *m, const char *alias);

/* ---- writes (registry_mlflow.c) */

/* POST body (or, with del, DELETE it) to path; the answer is dropped. Takes body. */
int send_change(struct registry *r, const char *path, json_t *body, int del,
		struct mlc_error *err);
/* s cut to at most max bytes on a UTF-8 boundary, as a JSON string. */
json_t *jcut(const char *s, size_t max);
/* Wait a moment (100-200 ms, jittered) so that a concurrent writer's change
 * lands before the confirming re-read. */
void settle(void);
/* Journal what this console did on server r (the detail cut as tags are). */
void journal(struct registry *r, const char *actor, const char *action, const char *subject,
	     const char *detail);

/* ---- environments and their policies (mlflow_deploy.c) */

/* The policy experiment's JSON into *out (caller decrefs); NULL when it does
 * not exist yet. */
int policy_experiment(struct registry *r, json_t **out, struct mlc_error *err);
/* Create the policy experiment (on the first env set), its id into exp[len].
 * Another console creating it at the same moment is fine: it is looked up. */
int create_policy_experiment(struct registry *r, char *exp, size_t len, struct mlc_error *err);
/* Every environment's policy, by order, into out; the policy experiment's id
 * into exp[len] ("" when it does not exist yet) unless exp is NULL. */
int load_envs(struct registry *r, struct mlc_env_list *out, char *exp, size_t len,
	      struct mlc_error *err);
/* Environment name in l; NULL with a NOT FOUND naming it, or (err set) with
 * the policy setting it could not read. */
const struct mlc_env *find_env(const struct mlc_env_list *l, const char *name,
			       struct mlc_error *err);
/* Write change c as policy tags on experiment exp (l: the environments as
 * read), and journal it; how, when not NULL, says by what right. */
int write_policy(struct registry *r, const char *exp, const struct mlc_env_list *l,
		 const struct mlc_env_change *c, const char *actor, const char *how,
		 struct mlc_error *err);

/* ---- deployments: aliases and history tags (mlflow_deploy.c) */

/* A model in an environment, as read for a change. */
struct place {
	struct mlc_env_list envs;
	const struct mlc_env *env;
	const char *model; /* the name the change was asked for (the caller's) */
	json_t *resp;	   /* registered-models/get's answer */
	const json_t *m;   /* its registered_model */
	/* its history tags in every environment of envs, newest first (each
	 * tag's own order kept) */
	struct mlc_event_list history;
};

/* A request as a history entry names it: "M:V:E", and when it was opened (a
 * new request for the same M:V:E replaces a closed one, with the same id). */
struct reqref {
	const char *ref;
	int64_t opened;
};

/* The policies, environment env and model, as they are now. */
int place_open(struct registry *r, const char *model, const char *env, struct place *p,
	       struct mlc_error *err);
/* Read model again (the alias and tags as they are now), and its history in
 * every environment (what a place_policy of p pointed at is gone). */
int place_reread(struct registry *r, const char *model, struct place *p, struct mlc_error *err);
/* Free what place_open read. */
void place_close(struct place *p);
/* p as policy.c reads it (policy.h), into *out: the environments, p's
 * environment, the model, its live version there and its history in every
 * environment. out points into p: valid until p is read again or closed. */
void place_policy(const struct place *p, struct mlc_place *out);
/* The deployment history of model m in env, newest first: a new array. A tag
 * that is not a JSON array (an edit by hand) reads as empty. */
json_t *history_of(const json_t *m, const char *env);
/* The version live in env (alias env of m), 0 when none. */
int64_t live_of(const json_t *m, const char *env);
/* The entry of history h for the deployment that completed request q (made
 * since q was opened), or NULL. */
const json_t *history_req(const json_t *h, const struct reqref *q);
/* Version v of p's model as policy.c takes it: its state into *vs — missing
 * (never registered, or deleted), archived, or ok. With the legacy stage
 * mirror on, a version archived while the history (or an alias) has it live
 * in staging or production was archived by the mirror, and may go live again;
 * one archived by other means (MLflow's UI, another client) while never live
 * there stays retired. vnote (nlen bytes, when not NULL): what an "archived"
 * refusal adds (the mirror's remark, or ""); stage (slen bytes, when not
 * NULL): its MLflow stage. 0, or -1 with err when the server could not say. */
int version_state(struct registry *r, const struct place *p, int64_t v, enum mlc_vstate *vs,
		  char *vnote, size_t nlen, char *stage, size_t slen, struct mlc_error *err);
/* Make v live in p's environment in §11's order — an alias another client
 * moved recorded first (history entry and journal, by "external"), the alias,
 * then the history tag — then re-read and confirm both; journal it; then the
 * legacy stage when mirrored. The policy was asked before (policy.c).
 * *prev: the version before. 0 live; 1 live, but a step after the alias
 * failed (the history tag, its confirmation, the stage mirror: err says
 * which); -1 with err, not live. */
int make_live(struct registry *r, const char *model, struct place *p, int64_t v,
	      const char *action, const char *actor, const struct reqref *req, int64_t *prev,
	      struct mlc_outcome *out, struct mlc_error *err);
/* v is live in p's environment (its alias), but the deployment that set the
 * alias may have stopped short: write what it left out — the history entry
 * when the history's head is not v, then the legacy stage (stage: v's stage
 * now) when mirrored — journalled under subject. fixed (len bytes) says what
 * was written, "" when nothing was missing. 0, or -1 with err. */
int finish_live(struct registry *r, const char *model, struct place *p, int64_t v,
		const char *stage, const char *action, const char *actor, const struct reqref *req,
		const char *subject, char *fixed, size_t len, struct mlc_error *err);
/* "ok", "failed" or "none": the hook outcome of m in env for version v live since. */
const char *hook_status(const json_t *m, const char *env, int64_t v, int64_t since);

/* ---- registry_ops of the MLflow backend (see registry.h) */

int mlflow_list_experiments(struct registry *r, int all, struct mlc_experiment_list *out,
			    struct mlc_error *err);
/* mlflow_deploy.c */
int mlflow_env_list(struct registry *r, struct mlc_env_list *out, struct mlc_error *err);
int mlflow_env_set(struct registry *r, const struct mlc_env_change *c, const char *actor,
		   struct mlc_outcome *out, struct mlc_error *err);
int mlflow_deployments(struct registry *r, const char *model, const char *env,
		       struct mlc_live_list *live, struct mlc_event_list *history,
		       struct mlc_error *err);
int mlflow_deploy(struct registry *r, const char *model, const char *version, const char *env,
		  const char *actor, struct mlc_outcome *out, struct mlc_error *err);
int mlflow_rollback(struct registry *r, const char *model, const char *env, const char *to,
		    const char *actor, struct mlc_outcome *out, struct mlc_error *err);
int mlflow_rollback_target(struct registry *r, const char *model, const char *env, char *version,
			   size_t len, struct mlc_error *err);
int mlflow_record_hook(struct registry *r, const char *model, const char *env,
		       const char *version, int ok, int status, const char *detail,
		       const char *actor, struct mlc_error *err);
/* mlflow_requests.c */
int mlflow_request(struct registry *r, const char *model, const char *version, const char *env,
		   const char *kind, const char *comment, const char *actor,
		   struct mlc_outcome *out, struct mlc_error *err);
int mlflow_vote(struct registry *r, int64_t id, const char *decision, const char *comment,
		const char *actor, struct mlc_outcome *out, struct mlc_error *err);
int mlflow_cancel(struct registry *r, int64_t id, const char *actor, struct mlc_outcome *out,
		  struct mlc_error *err);
int mlflow_requests(struct registry *r, int which, int64_t id, struct mlc_request_list *out,
		    struct mlc_error *err);
/* Open the request that policy change c of e (it loosens it: why) is: the
 * tag mlconsole.policyrequest.E of the policy experiment exp (env set). */
int open_policy_request(struct registry *r, const char *exp, const struct mlc_env_change *c,
			const struct mlc_env *e, const char *why, const char *actor,
			struct mlc_outcome *out, struct mlc_error *err);
/* mlflow_drift.c */
int mlflow_drift_record(struct registry *r, const char *model, const char *feature,
			const char *method, const struct mlc_drift_point *p,
			struct mlc_error *err);
int mlflow_drift_series(struct registry *r, const char *model, const char *feature, int64_t last,
			struct mlc_drift_list *out, struct mlc_error *err);

/* ---- alert rules and firings (mlflow_alert.c; see registry_ops.alert_*) */

struct mlc_alert_rule;
struct mlc_alert_rule_list;
struct mlc_alert_firing;
struct mlc_alert_firing_list;
int mlflow_alert_rules(struct registry *r, const char *model, struct mlc_alert_rule_list *out,
		       struct mlc_error *err);
int mlflow_alert_rule_put(struct registry *r, const struct mlc_alert_rule *rule, int remove,
			  const char *actor, struct mlc_error *err);
int mlflow_alert_fire(struct registry *r, struct mlc_alert_firing *f, int64_t checked,
		      const char *actor, struct mlc_error *err);
int mlflow_alert_checked(struct registry *r, const char *model, const char *env, const char *name,
			 int64_t checked, struct mlc_error *err);
int mlflow_alert_firings(struct registry *r, const char *model, struct mlc_alert_firing_list *out,
			 struct mlc_error *err);

#endif
