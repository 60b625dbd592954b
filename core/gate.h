/* gate.h: an environment's gates (README "Gates"), conditions a version
 * must meet to go live there, in the filter grammar (filter.h, FILTER_GATES):
 * "metrics.val_auc >= live", "drift = ok", "params.framework = 'xgboost'".
 * A gate is evaluated against the candidate version's source run, the source
 * run of the version live in that environment (`live`) and the model's drift
 * status (the worst of its features' latest windows, as the drift views show
 * it). What each case does:
 *   - nothing live there: a comparison with `live` passes (there is nothing
 *     to beat), and the reason says so;
 *   - the candidate has no such metric, param or tag (or no source run, or the
 *     metric is NaN): the gate fails, naming the key;
 *   - the live version has no such key: the gate fails (nothing to compare
 *     with), naming the live version;
 *   - the model has no drift windows: its drift status is `none`.
 * Pure evaluation here; gate_subject_read gathers the inputs from any
 * backend through registry.h. */
#ifndef MLC_GATE_H
#define MLC_GATE_H
#include <stddef.h>
#include <stdint.h>
#include "deploy.h"
#include "error.h"
#include "model.h"

/* The drift status of a model with no drift windows (drift.h's are 0..2). */
#define GATE_DRIFT_NONE (-1)

/* What a gate is evaluated against. */
struct gate_subject {
	const char *version;		/* the candidate version, for messages */
	const struct mlc_run *run;	/* its source run; NULL: none */
	int64_t live;			/* the version live in the environment, 0: none */
	const struct mlc_run *live_run; /* its source run; NULL: none */
	int drift;			/* enum drift_status, or GATE_DRIFT_NONE */
};

/* The longest gate kept, in bytes (a gate is one short condition). */
#define GATE_MAX_LEN 1000

/* 0 when expr is a valid gate; else -1 with a usage error saying why. */
int gate_valid(const char *expr, struct mlc_error *err);

/* Evaluate gate expr against s: 1 it holds; 0 it fails, the reason
 * ("0.91 < 0.93 (live version 7)") into why[len]; -1 expr is not a gate
 * (err). */
int gate_eval(const char *expr, const struct gate_subject *s, char *why, size_t len,
	      struct mlc_error *err);

/* Every gate of e against s: 0 when all hold (or e has none); else -1 with
 * err (MLC_ERR_FAILED) naming the first that fails and why: "M V to E:
 * refused: gate 'EXPR' failed: WHY". */
int gate_check_env(const struct mlc_env *e, const char *model, const struct gate_subject *s,
		   struct mlc_error *err);

struct registry;

/* The inputs of a gate for version of model in environment env, read from r
 * (any backend): owned by *in, freed with gate_inputs_free. */
struct gate_inputs {
	struct gate_subject s;
	struct mlc_run_list run, live_run;
	char live_version[32];
	char *version;
};
int gate_subject_read(struct registry *r, const char *model, const char *version, const char *env,
		      struct gate_inputs *in, struct mlc_error *err);
void gate_inputs_free(struct gate_inputs *in);

/* The first failing gate of environment env (in envs) for version of model,
 * read from r: 0 when all hold or it has none; -1 with err naming the gate. */
int gate_check(struct registry *r, const struct mlc_env_list *envs, const char *model,
	       const char *version, const char *env, struct mlc_error *err);

/* Before a direct deploy of version of model to env as actor: -1 with err
 * naming the first failing gate when env has gates and needs no approval
 * (with approvals, the backend refuses the deploy anyway); else 0. */
int gate_deploy_check(struct registry *r, const char *model, const char *version, const char *env,
		      struct mlc_error *err);
/* Before actor's approving vote on request id: -1 with err naming the first
 * failing gate when that vote would deploy a promotion (actor may vote and
 * it is the last approval needed) into an environment with gates; else 0
 * (other votes, rollbacks and policy requests are not gated). */
int gate_vote_check(struct registry *r, int64_t id, const char *actor, struct mlc_error *err);
/* Which gate pending promotion request q fails now (envs: every environment):
 * 1 and the message into why[len] when one fails; 0 when all hold (or there
 * are none, or q is no promotion); -1 when the inputs cannot be read (why
 * says so too). */
int gate_request_status(struct registry *r, const struct mlc_env_list *envs,
			const struct mlc_request *q, char *why, size_t len);

#endif
