/* alert.h: drift alert rules and their firings (issue 16). A rule belongs to
 * a model and an environment; it fires when a named feature drifts, or when
 * the share of the model's drifting features reaches a level, in K
 * consecutive drift windows; after a firing it stays quiet for its cooldown.
 * Its actions: notify (the firing is recorded, audited and shown), open a
 * rollback request (through the policy: an alert never deploys), and ask for
 * the operator's [hook alert] (which runs only for the models the operator's
 * own config lists). Rules and firings are stored in the registry; the
 * decisions are made here, once, for every backend. */
#ifndef MLC_ALERT_H
#define MLC_ALERT_H
#include <stdint.h>
#include "error.h"
#include "model.h"

struct registry;
struct hook;

/* What a rule does when it fires (a bit set). */
enum {
	ALERT_NOTIFY = 1 << 0,	 /* record and show it (every firing is) */
	ALERT_ROLLBACK = 1 << 1, /* open a rollback request in the rule's environment */
	ALERT_HOOK = 1 << 2,	 /* ask for the operator's [hook alert] */
};

/* The longest rule or feature name, in bytes. */
#define ALERT_NAME_MAX 64
/* The most consecutive windows and the longest cooldown (seconds) a rule has. */
#define ALERT_WINDOWS_MAX 1000
#define ALERT_COOLDOWN_MAX (366LL * 24 * 3600)

struct mlc_alert_rule {
	const char *model, *env, *name;
	const char *feature; /* "" : a share rule */
	double share;	     /* share rule: fire at this share of drifting features, (0, 1] */
	int64_t windows;     /* K consecutive windows, >= 1 */
	int64_t cooldown;    /* seconds of quiet after a firing */
	unsigned actions;    /* ALERT_* */
	int64_t checked;     /* the newest window (ms) alerts check evaluated, 0: none */
};

struct mlc_alert_firing {
	int64_t id;
	const char *model, *env, *rule;
	int64_t at;	      /* when it fired (ms) */
	int64_t window_end;   /* the window it fired at (ms) */
	int64_t until;	      /* its cooldown's end (ms): open until then */
	const char *features; /* the drifting features at that window, comma-separated */
	const char *scores;   /* their scores, the same order */
	double share;	      /* drifting / all features at that window */
	int64_t request_id;   /* the rollback request it opened, 0: none */
	const char *outcome;  /* what its actions did, one line */
	const char *by;	      /* who ran alerts check */
	int open;	      /* alert_list: inside its cooldown, or its request pending */
};

MLC_LIST(mlc_alert_rule_list, struct mlc_alert_rule);
MLC_LIST(mlc_alert_firing_list, struct mlc_alert_firing);

/* ---- rules as text --------------------------------------------------------- */

/* 1 if s is a valid rule or feature name for an alert: 1 to ALERT_NAME_MAX
 * bytes of [A-Za-z0-9_.-] (what reaches a hook's environment). */
int alert_name_valid(const char *s);
/* The action list s ("notify,rollback,hook", any order, spaces allowed) into
 * *actions; -1 with a usage error naming the bad word. */
int alert_parse_actions(const char *s, unsigned *actions, struct mlc_error *err);
/* "notify,rollback,hook" (the ones set) into buf. */
const char *alert_actions_str(unsigned actions, char *buf, size_t len);
/* A duration "90", "90s", "30m", "6h" or "2d" into *seconds (0 allowed, at most
 * ALERT_COOLDOWN_MAX); -1 with a usage error. */
int alert_parse_duration(const char *s, int64_t *seconds, struct mlc_error *err);
/* A share "0.5" or "50%" into *share, (0, 1]; -1 with a usage error. */
int alert_parse_share(const char *s, double *share, struct mlc_error *err);

/* A rule from the command line's words (NULL: left out): exactly one of
 * feature and share; windows default 1, cooldown default 1h, actions default
 * notify. Strings point into the arguments. -1 with a usage error. */
int alert_rule_parse(struct mlc_alert_rule *rule, const char *model, const char *env,
		     const char *name, const char *feature, const char *share, const char *windows,
		     const char *cooldown, const char *actions, struct mlc_error *err);
/* The stored form of rule's settings (not model, env, name, checked): a JSON
 * object, malloc'd. */
char *alert_rule_json(const struct mlc_alert_rule *rule);
/* Read the stored form text into rule (its strings in a); -1 with err
 * (MLC_ERR_CORRUPT) naming what is wrong: every field is checked as
 * alert_rule_parse checks the command line's. */
int alert_rule_from_json(struct mlc_alert_rule *rule, const char *text, struct mlc_arena *a,
			 struct mlc_error *err);
/* "feature F drifts" / "50% of features drift", then " in K windows" into buf. */
const char *alert_rule_when(const struct mlc_alert_rule *rule, char *buf, size_t len);

/* ---- rules in the registry --------------------------------------------------- */

/* Set (add or replace) rule, or with remove delete the rule model/env/name,
 * as actor: the environment must exist, and who may change its policy
 * (README, on `env set`) applies (an environment with approvers: only they,
 * or root acting as itself — root_direct). Audited. */
int alert_rule_change(struct registry *r, const struct mlc_alert_rule *rule, int remove,
		      int root_direct, const char *actor, struct mlc_error *err);

/* ---- checking ---------------------------------------------------------------- */

/* What the operator allows an alert hook: the hook ([hook alert]) and the
 * models listed in its models = (comma list); NULL hook: none configured. */
struct alert_hook_conf {
	const struct hook *hook;
	const char *models;
};

/* One rule's result in a check. */
struct alert_result {
	const struct mlc_alert_rule *rule;
	int fired; /* 1: a firing was recorded (firing set) */
	int quiet; /* 1: it would have fired, but inside its cooldown */
	struct mlc_alert_firing firing;
	int failed; /* an action failed (its error in the outcome) */
};

MLC_LIST(alert_result_list, struct alert_result);

/* Evaluate the drift windows newer than each rule's last check (model NULL:
 * every model's rules), record each firing (audited) and run its actions as
 * actor, at now (ms). rules: the rules, read by the caller (kept alive while
 * out is). Returns how many fired (0 or more), -1 on error (err; some may
 * have fired before it). */
int alert_check(struct registry *r, const struct mlc_alert_rule_list *rules,
		const struct alert_hook_conf *hc, const char *actor, int64_t now,
		struct alert_result_list *out, struct mlc_error *err);

/* What the windows of series (one model's features, oldest points first)
 * say for rule, pure: the newest window after `after` (ms) where the rule's
 * condition held in rule->windows consecutive windows, 0 when none; with its
 * drifting features ("a,b") and their scores ("0.31,0.2") into a, and the
 * share. *newest: the newest window of all (0: none). */
struct mlc_drift_list;
int64_t alert_evaluate(const struct mlc_alert_rule *rule, const struct mlc_drift_list *series,
		       int64_t after, int64_t *newest, const char **features, const char **scores,
		       double *share, struct mlc_arena *a);

/* Every firing of model (NULL: all), the open ones first (inside their
 * cooldown at now, or their rollback request still pending: open set), each
 * part newest first. */
int alert_list(struct registry *r, const char *model, int64_t now,
	       struct mlc_alert_firing_list *out, struct mlc_error *err);
/* The open firings of model in env (NULL: every environment), newest first.
 * For the pulse screen. */
int alert_open(struct registry *r, const char *model, const char *env, int64_t now,
	       struct mlc_alert_firing_list *out, struct mlc_error *err);

#endif
