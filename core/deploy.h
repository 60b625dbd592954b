/* deploy.h: environments and their policies, deployments and rollbacks,
 * promotion requests and votes, and the audit log — the types, and the rules
 * every backend enforces. The local backend applies each
 * change in one transaction with its audit records. */
#ifndef MLC_DEPLOY_H
#define MLC_DEPLOY_H
#include <stdint.h>
#include "error.h"
#include "model.h"

struct mlc_env {
	const char *name;
	int64_t order;
	int64_t required_approvals;
	const char **approvers; /* empty: anyone may approve */
	size_t n_approvers;
	int self_approval, rollback_approval, require_previous;
	const char **gates; /* conditions a version must meet to go live here (gate.h) */
	size_t n_gates;
	const char *policy_error; /* a policy setting not understood ("KEY = 'VALUE'"):
				   * changes there are refused until it is rewritten; NULL */
	const char *edited_outside; /* local registry: how the row differs from the policy
				     * its newest audit record carries ("edited outside
				     * mlconsole: ..."); NULL when they agree */
};

struct strbuf;

/* A policy change: fields with have_* unset keep their values. */
struct mlc_env_change {
	const char *name;
	int have_order, have_required, have_approvers, have_self, have_rollback, have_previous;
	int64_t order, required_approvals;
	const char *approvers; /* comma list; "" clears */
	int self_approval, rollback_approval, require_previous;
	/* Gates to add and to remove (gate.h), as written; removing one loosens
	 * the policy. Adding one already there, or one the change removes, is
	 * refused by mlc_policy_check; so is removing one that is not there.
	 * At most MLC_GATES_MAX of each. */
	const char *const *gate_add;
	size_t n_gate_add;
	const char *const *gate_rm;
	size_t n_gate_rm;
	int root_direct;     /* root acting as itself (euid 0, no --as): set by the program
			      * from how it runs, never from the environment */
	const char *comment; /* for the request a loosening change becomes; NULL */
	char **notice; /* out, optional: malloc'd, what else the change did (the aliases a
			* new environment removed), NULL if nothing */
};

/* The most gates one change adds (or removes). */
#define MLC_GATES_MAX 32

/* Model M's live version in environment E. */
struct mlc_live {
	const char *model, *environment, *version;
	int64_t since;
	const char *by;
	const char *hook_status; /* "ok", "failed" or "none" */
};

/* One entry of the deployment history. */
struct mlc_deploy_event {
	const char *model, *environment, *version, *previous_version; /* previous "" if none */
	const char *action; /* "deploy", "rollback", or "external": an alias another
			     * client moved, recorded by "external" when observed */
	int64_t at;
	const char *by;
};

struct mlc_vote {
	const char *by, *decision, *comment; /* decision: "approve" or "reject" */
	int64_t at;
};

struct mlc_request {
	int64_t id;
	const char *model, *version, *environment;
	const char *kind;  /* "promote" or "rollback" */
	const char *state; /* pending, approved, rejected, cancelled, closed */
	const char *requested_by, *comment, *close_reason;
	int64_t requested_at, closed_at;
	struct mlc_vote *votes;
	size_t n_votes;
	const char *change; /* kind "policy": what it changes, for people ("" otherwise);
			     * model and version are "" */
};

struct mlc_audit {
	int64_t at;
	const char *actor, *action, *subject, *detail;
};

MLC_LIST(mlc_env_list, struct mlc_env);
MLC_LIST(mlc_live_list, struct mlc_live);
MLC_LIST(mlc_event_list, struct mlc_deploy_event);
MLC_LIST(mlc_request_list, struct mlc_request);
MLC_LIST(mlc_audit_list, struct mlc_audit);

/* The result of a change: the request touched (when any) and what happened,
 * one line for people ("deployed fraud-detector 12 to production"). */
struct mlc_outcome {
	struct mlc_arena arena;
	int64_t request_id; /* 0 when none */
	int deployed;       /* the change made a version live (also when a later step
			     * failed and the call returned -1: on a server, the history
			     * tag or the stage mirror after the alias was set) */
	const char *model, *environment; /* where, when deployed */
	const char *action;		 /* "deploy" or "rollback", when deployed */
	int64_t version, previous;	 /* what went live; what was live before (0: none) */
	const char *summary;
	const char *note; /* what the backend adds to the summary, or NULL: the CLI
			   * and TUI show "SUMMARY (NOTE)" (mlc_outcome_note) */
};

/* Set out's request, whether a version went live, and its summary (printf). */
void mlc_outcome(struct mlc_outcome *out, int64_t request_id, int deployed, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Set out's note (printf): a backend's remark on the summary, such as where
 * the policy is enforced; mlc_outcome leaves it as it is. */
void mlc_outcome_note(struct mlc_outcome *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Note in out which version went live where, by which action, replacing
 * which (0: none): the hooks are told this, not what a re-read would say. */
void mlc_outcome_where(struct mlc_outcome *out, const char *model, const char *env,
		       const char *action, int64_t version, int64_t previous);

/* 1 if s is a valid environment name, in every backend: lower case, digits,
 * '-', '_', at most 64 bytes (it is also an MLflow alias). */
int mlc_env_name_valid(const char *s);
/* The version number s (a whole number from 1 up); -1 with a usage error
 * naming s when it is not one, or too large to be one (never clamped). */
int64_t mlc_version_parse(const char *s, struct mlc_error *err);

/* Who may make policy change c, with the environments as they are (l), as
 * actor (README "Who may change a policy"): -1 refused (err says why);
 * MLC_POLICY_DIRECT: apply it, audited; MLC_POLICY_REQUEST: it loosens the
 * policy of an environment with approvers, so it is a request the current
 * policy governs. why (reset first): what it changes, every field, "was ->
 * now"; for a request the parts that loosen are marked "(loosens...)". */
enum { MLC_POLICY_DIRECT = 0, MLC_POLICY_REQUEST = 1 };
int mlc_policy_check(const struct mlc_env_list *l, const struct mlc_env_change *c,
		     const char *actor, struct strbuf *why, struct mlc_error *err);
/* At the vote that satisfies policy request c (opened by `by`, its why then
 * `voted`), against the environments as they are now (l): 0 when it still
 * means what was voted on (apply it); 1 when it is already in force (nothing
 * left to change); -1 when not (err says why: close the request). */
int mlc_policy_recheck(const struct mlc_env_list *l, const struct mlc_env_change *c, const char *by,
		       const char *voted, struct mlc_error *err);
/* -1 (err set) if change c would change which environment comes just before
 * another one whose policy has approvers and requires the previous one: only
 * root acting as itself may do that. 0 otherwise. */
int mlc_policy_reorder_check(const struct mlc_env_list *l, const struct mlc_env_change *c,
			     struct mlc_error *err);
/* What c changes, for people: "required approvals 2 -> 0, approvers a,b ->
 * a,b,dave" (against its environment in l; every field for a new one), onto sb. */
void mlc_policy_describe(const struct mlc_env_list *l, const struct mlc_env_change *c,
			 struct strbuf *sb);
/* 1 if e has gate expr (as written). */
int mlc_env_has_gate(const struct mlc_env *e, const char *expr);
/* The next name of the comma list *p (approvers): *name, *n bytes, spaces
 * trimmed on both sides, empty names skipped; 0 at the end. Every backend
 * reads approver lists with this. */
int mlc_approver_next(const char **p, const char **name, size_t *n);

/* Which requests: pending only, or all. */
enum { REQ_PENDING = 0, REQ_ALL = 1 };

#endif
