/* policy.h: the deployment policy as pure decisions over plain data — who may
 * deploy, vote, roll back; when a vote deploys; which version a rollback
 * returns to; what supersedes what. No I/O: a backend
 * reads the state into a struct mlc_place (and the request with its votes),
 * asks these functions, and writes what they decide under a precondition
 * (locally inside one IMMEDIATE transaction; on a server, README's server section:
 * re-read and confirm). Every refusal message and every outcome line is
 * written here once, so all backends say the same thing.
 *
 * As htop keeps its generic process table apart from each platform's code:
 * a new backend implements storage (read a place, make a version live, keep
 * requests and votes) and nothing of the rules. */
#ifndef MLC_POLICY_H
#define MLC_POLICY_H
#include <stdint.h>
#include "deploy.h"
#include "error.h"

/* What the backend found of a version that is to go live. */
enum mlc_vstate {
	MLC_V_OK = 0,	    /* exists and may go live */
	MLC_V_MISSING = 1,  /* no such version (never registered, or deleted) */
	MLC_V_ARCHIVED = 2, /* archived (MLflow's stage): retired */
};

/* One model in one environment, as read for a change. */
struct mlc_place {
	const struct mlc_env_list *envs; /* every environment (for the order) */
	const struct mlc_env *env;	 /* the environment changed, in envs */
	const char *model;
	int64_t live; /* the version live in env (its alias), 0: none */
	/* The model's deployment history in every environment, newest first
	 * (events of other models are ignored). An alias another client moved
	 * shows as an event with action "external" once a backend recorded it. */
	const struct mlc_deploy_event *history;
	size_t n_history;
};

/* The version the newest history event of p's model in environment env names
 * (0: none). */
int64_t mlc_policy_head(const struct mlc_place *p, const char *env);
/* 1 if version v of p's model was ever live in environment env (its history,
 * or it is live there now when env is p's environment). */
int mlc_policy_was_live(const struct mlc_place *p, const char *env, int64_t v);
/* The environment just before e in the order (NULL: e is the first). */
const struct mlc_env *mlc_policy_previous_env(const struct mlc_env_list *l,
					      const struct mlc_env *e);

/* An alias another client moved: when p's live version is not the one the
 * history's newest event in p's environment names (and something is live),
 * 1 and *ev filled with the event to record before any change — action
 * "external", by "external", version p->live, previous the head, at `now`
 * (when it was observed); the strings point into p or static storage. 0 when
 * the history agrees with the alias. Backends record it (history, audit) so
 * the move is never attributed to the person running the console. */
int mlc_policy_external(const struct mlc_place *p, int64_t now, struct mlc_deploy_event *ev,
			char *vbuf, size_t vlen, char *pbuf, size_t plen);

/* A direct deploy of version v (state vs; vnote: what the backend adds to an
 * "archived" refusal, "" or NULL for nothing) to p's environment: 0 go ahead
 * (make it live); -1 refused, err says why: the version missing or archived,
 * approvals required (names the request command), not live one environment
 * before when required, already live. */
int mlc_policy_deploy(const struct mlc_place *p, int64_t v, enum mlc_vstate vs, const char *vnote,
		      struct mlc_error *err);

/* Where a rollback of p's model in p's environment goes: to (a version number
 * the user gave, NULL: the rule — the most recent earlier live version that
 * was not itself rolled back from, or moved off by another client — also
 * a move not recorded yet, seen as p->live differing from the head) into
 * *target. by_request: for a rollback request or its approval (the policy's
 * "rollback needs approval" does not refuse it). 0, or -1 with err: rollback
 * needs approval, nothing live, to is the live version or was never live
 * there, no target by the rule (the message names --to). */
int mlc_policy_rollback(const struct mlc_place *p, const char *to, int by_request, int64_t *target,
			struct mlc_error *err);
/* The rollback target's state, checked: a deleted version cannot be rolled
 * back to (an archived one can). 0, or -1 with err naming --to when the rule
 * chose it (to NULL). */
int mlc_policy_rollback_version(const struct mlc_place *p, int64_t target, const char *to,
				enum mlc_vstate vs, struct mlc_error *err);

/* A pending request of p's model in p's environment, as the backend found it. */
struct mlc_pending {
	int64_t id;
	int64_t version;
	const char *kind; /* "promote" or "rollback" */
};

/* Opening a request of kind ("promote" or "rollback") for version v (for a
 * rollback: the target mlc_policy_rollback chose) in p's environment, with the
 * pending requests of that model there (pending[0..n)): 0 go ahead — the new
 * request then supersedes every one of them (a rollback request replaces a
 * pending promote of the same version); -1 refused: the version missing or
 * archived (a promote), not live one environment before when required,
 * already live, or already pending as request N (same version, same kind). */
int mlc_policy_request(const struct mlc_place *p, const char *kind, int64_t v, enum mlc_vstate vs,
		       const char *vnote, const struct mlc_pending *pending, size_t n,
		       struct mlc_error *err);
/* -1 with err ("already pending as request N") when pending (n of them)
 * holds a request of kind for version v; else 0. */
int mlc_policy_duplicate(const struct mlc_pending *pending, size_t n, int64_t v, const char *kind,
			 struct mlc_error *err);
/* The reason a request superseded by request id is closed with, into buf. */
void mlc_policy_superseded(int64_t id, char *buf, size_t len);
/* An audit row's subject, one form in every backend's log: "MODEL:VERSION@ENV"
 * for a version in an environment (a request about it too: its id goes in the
 * detail, mlc_audit_request_detail); an environment's name for its policy
 * (model NULL or ""). */
void mlc_audit_subject(char *buf, size_t len, const char *model, const char *version,
		       const char *env);
/* The detail of an audit row about request id: "request ID", then ": text"
 * when text is not empty. */
void mlc_audit_request_detail(char *buf, size_t len, int64_t id, const char *text);

/* How many approvals e needs (at least one). */
int64_t mlc_policy_need(const struct mlc_env *e);
/* The approving votes of q (one per voter). */
int64_t mlc_policy_approvals(const struct mlc_request *q);
/* 0 when q is pending; else -1 with err: "request N is STATE, not pending"
 * (or "request N: not found" when q has no state). */
int mlc_policy_pending(const struct mlc_request *q, struct mlc_error *err);

/* May actor vote on request q (its votes: those cast for its current
 * opening) under e's policy? 0 yes; -1 with err: not pending (err code
 * NOTFOUND when q->state is ""), the requester without self-approval, not an
 * approver, already voted. */
int mlc_policy_may_vote(const struct mlc_request *q, const struct mlc_env *e, const char *actor,
			struct mlc_error *err);
/* May actor cancel q? Only its requester, while pending. */
int mlc_policy_may_cancel(const struct mlc_request *q, const char *actor, struct mlc_error *err);

/* The longest comment a vote, request or hook detail keeps, in bytes. */
#define MLC_COMMENT_MAX 1000
/* comment cut to MLC_COMMENT_MAX bytes on a UTF-8 boundary into buf (which
 * holds MLC_COMMENT_MAX + 1); 1 when it was cut (the outcome says so). */
int mlc_policy_comment(const char *comment, char *buf);

/* At the approval that satisfies the policy of promotion or rollback request
 * q (version v, state vs of it), against p as it is now: 0 make it live;
 * 1 close it instead, with the reason in why (the version was deleted since,
 * or, for a promotion, archived since or no longer live one environment
 * before when required; it is already live). A rollback may go to an archived
 * version, as a direct rollback may. */
int mlc_policy_complete(const struct mlc_place *p, const struct mlc_request *q, int64_t v,
			enum mlc_vstate vs, const char *vnote, struct mlc_error *why);

/* ---- outcome lines (deploy.h's struct mlc_outcome), the same on every backend */

/* "deployed M V to E (was none)" / "(was P)" */
void mlc_said_deployed(struct mlc_outcome *out, const char *model, int64_t v, const char *env,
		       int64_t prev);
/* "rolled M in E back from P to V" */
void mlc_said_rolled_back(struct mlc_outcome *out, const char *model, const char *env, int64_t from,
			  int64_t to);
/* "request N: deploy M V in E" / "request N: roll back to M V in E" */
void mlc_said_requested(struct mlc_outcome *out, int64_t id, const char *kind, const char *model,
			int64_t v, const char *env);
/* "request N: K of NEED approvals" */
void mlc_said_counted(struct mlc_outcome *out, int64_t id, int64_t k, int64_t need);
/* "request N rejected by A" */
void mlc_said_rejected(struct mlc_outcome *out, int64_t id, const char *actor);
/* "request N approved: M V is live in E" (deployed: a version went live now) */
void mlc_said_approved(struct mlc_outcome *out, int64_t id, int deployed, const char *model,
		       int64_t v, const char *env);
/* "request N closed: REASON" */
void mlc_said_closed(struct mlc_outcome *out, int64_t id, const char *reason);
/* "request N cancelled" */
void mlc_said_cancelled(struct mlc_outcome *out, int64_t id);
/* Append "; your comment was cut to N bytes" to out's summary when cut. */
void mlc_said_comment_cut(struct mlc_outcome *out, int cut);
/* "environment E: policy saved (WHAT)", ", as root, directly" when it was */
void mlc_said_policy_saved(struct mlc_outcome *out, const char *env, const char *what,
			   int root_direct);
/* "request N: change the policy of E (WHAT): it loosens it, so it needs K
 * approval(s) under the current policy" */
void mlc_said_policy_requested(struct mlc_outcome *out, int64_t id, const char *env,
			       const char *what, int64_t need);
/* "request N approved: the policy of E changed (WHAT)" */
void mlc_said_policy_changed(struct mlc_outcome *out, int64_t id, const char *env,
			     const char *what);

/* ---- refusals every backend gives: -1 with err */

/* "environment 'E': not found (see 'mlconsole env list')" */
int mlc_policy_no_env(const char *env, struct mlc_error *err);
/* "request N: not found" */
int mlc_policy_no_request(int64_t id, struct mlc_error *err);
/* 0 when env is a valid environment name; else -1, err saying what names are. */
int mlc_policy_env_name(const char *env, struct mlc_error *err);
/* What the audit record of a policy change root made directly says. */
#define MLC_ROOT_DIRECT "as root, directly"

#endif
