/* alert.c: drift alert rules — their text and stored forms, who may change
 * them, evaluating the drift windows against them, and what a firing does
 * (alert.h). Storage is the backends' (registry_alert_*). */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "alert.h"
#include "deploy.h"
#include "hooks.h"
#include "policy.h"
#include "registry.h"
#include "strbuf.h"
#include "xmalloc.h"

#define HOUR 3600

/* ---- rules as text ----------------------------------------------------------- */

int alert_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > ALERT_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

/* The ALERT_* bit of the action word w (n bytes), 0 when it is none. */
static unsigned action_bit(const char *w, size_t n)
{
	static const struct {
		const char *name;
		unsigned bit;
	} words[] = {{"notify", ALERT_NOTIFY}, {"rollback", ALERT_ROLLBACK}, {"hook", ALERT_HOOK}};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i].name) == n && strncmp(words[i].name, w, n) == 0)
			return words[i].bit;
	return 0;
}

int alert_parse_actions(const char *s, unsigned *actions, struct mlc_error *err)
{
	const char *p = s, *w;
	size_t n;

	*actions = 0;
	while (mlc_approver_next(&p, &w, &n)) {
		unsigned bit = action_bit(w, n);
		if (bit == 0)
			return mlc_error_set(
			    err, MLC_ERR_USAGE,
			    "--actions: '%.*s' is not an action (notify, rollback, "
			    "hook)",
			    (int)(n > 64 ? 64 : n), w);
		*actions |= bit;
	}
	if (*actions == 0)
		return mlc_error_set(err, MLC_ERR_USAGE,
				     "--actions: expected notify, rollback and/or hook");
	return 0;
}

const char *alert_actions_str(unsigned actions, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", actions & ALERT_NOTIFY ? "notify" : "",
		 (actions & ALERT_NOTIFY) && (actions & ~ALERT_NOTIFY) ? "," : "",
		 actions & ALERT_ROLLBACK ? "rollback" : "",
		 (actions & ALERT_ROLLBACK) && (actions & ALERT_HOOK) ? "," : "",
		 actions & ALERT_HOOK ? "hook" : "");
	return buf;
}

int alert_parse_duration(const char *s, int64_t *seconds, struct mlc_error *err)
{
	char *end;
	long long v;
	int64_t unit = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end != s && end[0] && !end[1]) {
		unit = *end == 's'   ? 1
		       : *end == 'm' ? 60
		       : *end == 'h' ? HOUR
		       : *end == 'd' ? 24 * HOUR
				     : 0;
		end += unit != 0;
	}
	if (errno || end == s || *end || !isdigit((unsigned char)*s) || unit == 0 ||
	    v > ALERT_COOLDOWN_MAX / unit)
		return mlc_error_set(
		    err, MLC_ERR_USAGE,
		    "--cooldown %.64s: expected a duration such as 90s, 30m, 6h or "
		    "2d (at most 366d)",
		    s);
	*seconds = v * unit;
	return 0;
}

int alert_parse_share(const char *s, double *share, struct mlc_error *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end == '%' && end[1] == '\0') {
		v /= 100;
		end++;
	}
	if (errno || end == s || *end || !isfinite(v) || !(v > 0 && v <= 1) ||
	    isspace((unsigned char)*s))
		return mlc_error_set(
		    err, MLC_ERR_USAGE,
		    "--share %.64s: expected a share of the features above 0 and at "
		    "most 1 (0.5 or 50%%)",
		    s);
	*share = v;
	return 0;
}

/* The consecutive windows count s into *k; -1 with a usage error. */
static int parse_windows(const char *s, int64_t *k, struct mlc_error *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || !isdigit((unsigned char)*s) || v < 1 ||
	    v > ALERT_WINDOWS_MAX)
		return mlc_error_set(err, MLC_ERR_USAGE,
				     "--windows %.64s: expected a whole number from 1 to %d", s,
				     ALERT_WINDOWS_MAX);
	*k = v;
	return 0;
}

/* Check the names of a rule: model, environment, rule and feature. */
static int check_names(const struct mlc_alert_rule *rule, enum mlc_errcode code,
		       struct mlc_error *err)
{
	if (rule->model == NULL || *rule->model == '\0')
		return mlc_error_set(err, code, "alert rule: no model");
	if (!mlc_env_name_valid(rule->env))
		return mlc_error_set(err, code,
				     "alert rule: '%.64s' is not an environment name (lower case, "
				     "digits, - and _)",
				     rule->env ? rule->env : "");
	if (!alert_name_valid(rule->name))
		return mlc_error_set(
		    err, code, "alert rule name '%.64s': expected 1 to %d of A-Z a-z 0-9 _ . -",
		    rule->name ? rule->name : "", ALERT_NAME_MAX);
	if (*rule->feature && !alert_name_valid(rule->feature))
		return mlc_error_set(err, code,
				     "--feature '%.64s': an alert's feature name is 1 to %d of "
				     "A-Z a-z 0-9 _ . -",
				     rule->feature, ALERT_NAME_MAX);
	return 0;
}

int alert_rule_parse(struct mlc_alert_rule *rule, const char *model, const char *env,
		     const char *name, const char *feature, const char *share, const char *windows,
		     const char *cooldown, const char *actions, struct mlc_error *err)
{
	memset(rule, 0, sizeof *rule);
	rule->model = model;
	rule->env = env;
	rule->name = name;
	rule->feature = feature ? feature : "";
	rule->windows = 1;
	rule->cooldown = HOUR;
	rule->actions = ALERT_NOTIFY;
	if ((feature == NULL) == (share == NULL))
		return mlc_error_set(
		    err, MLC_ERR_USAGE,
		    "alerts rule set: give one of --feature F (that feature drifts) "
		    "and --share X (that share of the features drift)");
	if (feature && !alert_name_valid(feature)) /* "" too: that is no feature */
		return mlc_error_set(err, MLC_ERR_USAGE,
				     "--feature '%.64s': an alert's feature name is 1 to %d of "
				     "A-Z a-z 0-9 _ . -",
				     feature, ALERT_NAME_MAX);
	if (check_names(rule, MLC_ERR_USAGE, err) < 0 ||
	    (share && alert_parse_share(share, &rule->share, err) < 0) ||
	    (windows && parse_windows(windows, &rule->windows, err) < 0) ||
	    (cooldown && alert_parse_duration(cooldown, &rule->cooldown, err) < 0) ||
	    (actions && alert_parse_actions(actions, &rule->actions, err) < 0))
		return -1;
	rule->actions |= ALERT_NOTIFY; /* every firing is recorded and shown */
	return 0;
}

char *alert_rule_json(const struct mlc_alert_rule *rule)
{
	char acts[64];
	json_t *o = json_pack("{s:I,s:I,s:s}", "windows", (json_int_t)rule->windows, "cooldown",
			      (json_int_t)rule->cooldown, "actions",
			      alert_actions_str(rule->actions, acts, sizeof acts));
	char *s;

	if (*rule->feature)
		json_object_set_new(o, "feature", json_string(rule->feature));
	else
		json_object_set_new(o, "share", json_real(rule->share));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

/* Read the stored settings object o into rule; -1 with err. */
static int rule_from_object(struct mlc_alert_rule *rule, json_t *o, struct mlc_arena *a,
			    struct mlc_error *err)
{
	json_t *f = json_object_get(o, "feature"), *s = json_object_get(o, "share"),
	       *w = json_object_get(o, "windows"), *c = json_object_get(o, "cooldown"),
	       *act = json_object_get(o, "actions");

	if (!json_is_integer(w) || json_integer_value(w) < 1 ||
	    json_integer_value(w) > ALERT_WINDOWS_MAX || !json_is_integer(c) ||
	    json_integer_value(c) < 0 || json_integer_value(c) > ALERT_COOLDOWN_MAX ||
	    !json_is_string(act) || (f == NULL) == (s == NULL) ||
	    (f && (!json_is_string(f) || !alert_name_valid(json_string_value(f)))) ||
	    (s && (!json_is_number(s) || !(json_number_value(s) > 0 && json_number_value(s) <= 1))))
		return mlc_error_set(err, MLC_ERR_CORRUPT,
				     "alert rule %.64s: its stored settings are not a rule",
				     rule->name ? rule->name : "");
	rule->windows = json_integer_value(w);
	rule->cooldown = json_integer_value(c);
	rule->feature = f ? arena_strdup(a, json_string_value(f)) : "";
	rule->share = s ? json_number_value(s) : 0;
	if (alert_parse_actions(json_string_value(act), &rule->actions, err) < 0) {
		err->code = MLC_ERR_CORRUPT;
		return -1;
	}
	rule->actions |= ALERT_NOTIFY; /* as alert_rule_parse: every firing is recorded */
	return check_names(rule, MLC_ERR_CORRUPT, err);
}

int alert_rule_from_json(struct mlc_alert_rule *rule, const char *text, struct mlc_arena *a,
			 struct mlc_error *err)
{
	json_t *o = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, NULL);
	int rc;

	if (!json_is_object(o)) {
		json_decref(o);
		return mlc_error_set(err, MLC_ERR_CORRUPT,
				     "alert rule %.64s: its stored settings are not JSON",
				     rule->name ? rule->name : "");
	}
	rc = rule_from_object(rule, o, a, err);
	json_decref(o);
	return rc;
}

const char *alert_rule_when(const struct mlc_alert_rule *rule, char *buf, size_t len)
{
	if (*rule->feature)
		snprintf(buf, len, "feature %s drifts", rule->feature);
	else
		snprintf(buf, len, "%g%% of features drift", rule->share * 100);
	snprintf(buf + strlen(buf), len - strlen(buf), " in %lld window%s",
		 (long long)rule->windows, rule->windows == 1 ? "" : "s");
	return buf;
}

/* ---- who may change rules ------------------------------------------------------ */

int alert_rule_change(struct registry *r, const struct mlc_alert_rule *rule, int remove,
		      int root_direct, const char *actor, struct mlc_error *err)
{
	struct mlc_env_list envs = {0};
	struct mlc_env_change c = {.name = rule->env, .root_direct = root_direct};
	struct strbuf why = {0};
	size_t i;
	int rc = -1;

	if (registry_env_list(r, &envs, err) < 0)
		goto out;
	for (i = 0; i < envs.n && strcmp(envs.items[i].name, rule->env) != 0; i++)
		;
	if (i == envs.n) {
		mlc_policy_no_env(rule->env, err);
		goto out;
	}
	/* the same check as a policy change that loosens nothing */
	if (mlc_policy_check(&envs, &c, actor, &why, err) < 0)
		goto out;
	rc = registry_alert_rule_put(r, rule, remove, actor, err);
out:
	sb_free(&why);
	MLC_LIST_FREE(&envs);
	return rc;
}

/* ---- evaluating windows ------------------------------------------------------- */

/* Ascending int64 order, for qsort. */
static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* The sorted distinct windows of the features rule looks at, malloc'd; *n. */
static int64_t *windows_of(const struct mlc_alert_rule *rule, const struct mlc_drift_list *s,
			   size_t *n)
{
	int64_t *w = NULL;
	size_t k = 0, cap = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (*rule->feature && strcmp(s->items[i].feature, rule->feature) != 0)
			continue;
		for (size_t j = 0; j < s->items[i].n_points; j++) {
			if (k == cap)
				w = xrealloc(w, (cap = cap ? cap * 2 : 64) * sizeof *w);
			w[k++] = s->items[i].points[j].window_end;
		}
	}
	if (k)
		qsort(w, k, sizeof *w, cmp_i64);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (*n == 0 || w[*n - 1] != w[i])
			w[(*n)++] = w[i];
	return w;
}

/* Append feature name to the comma-separated list names, a comma inside it
 * written %2C (and % as %25): the list keeps each name's bounds, and such a
 * name, not of A-Z a-z 0-9 _ . -, never reaches a hook (hook_features). */
static void list_name(struct strbuf *names, const char *name)
{
	if (names->len)
		sb_printf(names, ",");
	for (const char *c = name; *c; c++)
		if (*c == ',' || *c == '%')
			sb_printf(names, "%%%02X", (unsigned char)*c);
		else
			sb_printf(names, "%c", *c);
}

/* At window t, the features of s that drift (counted in *drifting; one per
 * feature, whatever its methods) and those with a point (*total). With names,
 * the drifting ones and their scores appended (only rule's feature for a
 * feature rule). s holds a feature's methods next to each other. */
static void window_count(const struct mlc_alert_rule *rule, const struct mlc_drift_list *s,
			 int64_t t, size_t *drifting, size_t *total, struct strbuf *names,
			 struct strbuf *scores)
{
	const char *cur = NULL;
	int seen = 0, drifted = 0;

	*drifting = *total = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct mlc_drift_feature *f = &s->items[i];
		if (*rule->feature && strcmp(f->feature, rule->feature) != 0)
			continue;
		if (cur == NULL || strcmp(cur, f->feature) != 0) {
			cur = f->feature;
			seen = drifted = 0;
		}
		for (size_t j = 0; j < f->n_points; j++) {
			const struct mlc_drift_point *p = &f->points[j];
			if (p->window_end != t)
				continue;
			*total += !seen;
			seen = 1;
			if (!p->drift || drifted)
				continue;
			(*drifting)++;
			drifted = 1;
			if (names) {
				list_name(names, f->feature);
				sb_printf(scores, "%s%.4g", scores->len ? "," : "", p->score);
			}
		}
	}
}

/* 1 if rule's condition holds at window t. */
static int holds(const struct mlc_alert_rule *rule, const struct mlc_drift_list *s, int64_t t)
{
	size_t d, n;

	window_count(rule, s, t, &d, &n, NULL, NULL);
	if (*rule->feature)
		return d > 0;
	return n > 0 && (double)d >= rule->share * (double)n - 1e-9;
}

int64_t alert_evaluate(const struct mlc_alert_rule *rule, const struct mlc_drift_list *series,
		       int64_t after, int64_t *newest, const char **features, const char **scores,
		       double *share, struct mlc_arena *a)
{
	size_t n, run = 0, d, total;
	int64_t *w = windows_of(rule, series, &n), hit = 0;
	struct strbuf names = {0}, sc = {0};
	struct mlc_alert_rule every = *rule;

	*newest = n ? w[n - 1] : 0;
	for (size_t i = 0; i < n; i++) {
		run = holds(rule, series, w[i]) ? run + 1 : 0;
		if (w[i] > after && run >= (size_t)rule->windows)
			hit = w[i];
	}
	free(w);
	*features = *scores = "";
	*share = 0;
	if (hit == 0)
		return 0;
	window_count(rule, series, hit, &d, &total, &names, &sc);
	*features = arena_strdup(a, sb_str(&names));
	*scores = arena_strdup(a, sb_str(&sc));
	every.feature = ""; /* the share is of all the model's features */
	window_count(&every, series, hit, &d, &total, NULL, NULL);
	*share = total ? (double)d / (double)total : 0;
	sb_free(&names);
	sb_free(&sc);
	return hit;
}

/* ---- firing --------------------------------------------------------------------- */

/* 1 if model is named in the comma list models. */
static int model_listed(const char *models, const char *model)
{
	const char *p = models ? models : "", *name;
	size_t n;

	while (mlc_approver_next(&p, &name, &n))
		if (n == strlen(model) && strncmp(name, model, n) == 0)
			return 1;
	return 0;
}

/* The newest firing of rule among l (newest first), or NULL. */
static const struct mlc_alert_firing *last_firing(const struct mlc_alert_firing_list *l,
						  const struct mlc_alert_rule *rule)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].env, rule->env) == 0 &&
		    strcmp(l->items[i].rule, rule->name) == 0)
			return &l->items[i];
	return NULL;
}

/* Open the rollback request the firing asks for, noting what happened in sb. */
static void open_request(struct registry *r, const struct mlc_alert_rule *rule,
			 struct mlc_alert_firing *f, const char *actor, struct strbuf *sb)
{
	struct mlc_outcome out = {0};
	struct mlc_error e = {0};
	char *comment =
	    xasprintf("alert %s: %s drifting", rule->name, *f->features ? f->features : "features");

	if (registry_request(r, rule->model, NULL, rule->env, "rollback", comment, actor, &out,
			     &e) < 0) {
		sb_printf(sb, "%sno rollback request: %s", sb->len ? "; " : "", e.msg);
	} else {
		f->request_id = out.request_id;
		sb_printf(sb, "%s%s", sb->len ? "; " : "", out.summary ? out.summary : "");
	}
	free(comment);
	arena_free(&out.arena);
}

/* The live version of rule's model in its environment into buf ("" none). */
static void live_version(struct registry *r, const struct mlc_alert_rule *rule, char *buf,
			 size_t len)
{
	struct mlc_live_list live = {0};
	struct mlc_event_list hist = {0};
	struct mlc_error e = {0};

	buf[0] = '\0';
	if (registry_deployments(r, rule->model, rule->env, &live, &hist, &e) == 0 && live.n > 0)
		snprintf(buf, len, "%s", live.items[0].version);
	MLC_LIST_FREE(&live);
	MLC_LIST_FREE(&hist);
}

/* The features of f that are valid names (alert_name_valid) and their
 * scores, comma-separated, into names and scores: only these reach a hook.
 * Returns how many were left out. */
static int hook_features(const struct mlc_alert_firing *f, struct strbuf *names,
			 struct strbuf *scores)
{
	const char *n = f->features, *sc = f->scores;
	int dropped = 0;

	while (*n) {
		size_t k = strcspn(n, ","), m = strcspn(sc, ",");
		char name[ALERT_NAME_MAX + 2];
		snprintf(name, sizeof name, "%.*s",
			 (int)(k <= ALERT_NAME_MAX ? k : ALERT_NAME_MAX + 1), n);
		if (alert_name_valid(name)) {
			sb_printf(names, "%s%s", names->len ? "," : "", name);
			sb_printf(scores, "%s%.*s", scores->len ? "," : "", (int)m, sc);
		} else {
			dropped++;
		}
		n += k + (n[k] == ',');
		sc += m + (sc[m] == ',');
	}
	return dropped;
}

/* Run the operator's alert hook for firing f, if the config allows it for
 * f's model; noted in sb. 1 when it ran and failed. */
static int run_alert_hook(struct registry *r, const struct alert_hook_conf *hc,
			  const struct mlc_alert_rule *rule, const struct mlc_alert_firing *f,
			  const char *actor, struct strbuf *sb)
{
	char window[24], share[32], req[24], version[24];
	struct strbuf names = {0}, scores = {0};
	const char *vars[12];
	char *summary = NULL;
	int rc, dropped;

	if (hc == NULL || hc->hook == NULL) {
		sb_printf(sb, "%shook not run: no [hook alert] in the config", sb->len ? "; " : "");
		return 0;
	}
	if (!model_listed(hc->models, rule->model)) {
		sb_printf(sb, "%shook not run: %s is not in [hook alert] models",
			  sb->len ? "; " : "", rule->model);
		return 0;
	}
	snprintf(window, sizeof window, "%lld", (long long)f->window_end);
	snprintf(share, sizeof share, "%.4g", f->share);
	snprintf(req, sizeof req, "%lld", (long long)f->request_id);
	if (f->request_id == 0)
		req[0] = '\0';
	live_version(r, rule, version, sizeof version);
	dropped = hook_features(f, &names, &scores);
	vars[0] = "MLC_ALERT_RULE", vars[1] = rule->name;
	vars[2] = "MLC_ALERT_FEATURES", vars[3] = sb_str(&names);
	vars[4] = "MLC_ALERT_SCORES", vars[5] = sb_str(&scores);
	vars[6] = "MLC_ALERT_SHARE", vars[7] = share;
	vars[8] = "MLC_ALERT_WINDOW", vars[9] = window;
	vars[10] = "MLC_ALERT_REQUEST", vars[11] = req;
	rc = hooks_run_alert(hc->hook, rule->model, rule->env, version, actor, vars, 6, &summary);
	sb_printf(sb, "%s%s", sb->len ? "; " : "", summary ? summary : "");
	if (dropped)
		sb_printf(sb, " (%d feature name%s not of A-Z a-z 0-9 _ . - left out)", dropped,
			  dropped == 1 ? "" : "s");
	free(summary);
	sb_free(&names);
	sb_free(&scores);
	return rc != 0;
}

/* Fire rule at window hit: its actions, then the firing recorded with
 * checked as the rule's last window. -1 on error. */
static int fire(struct registry *r, const struct mlc_alert_rule *rule,
		const struct alert_hook_conf *hc, const char *actor, int64_t now, int64_t checked,
		struct alert_result *res, struct mlc_arena *a, struct mlc_error *err)
{
	struct mlc_alert_firing *f = &res->firing;
	struct strbuf sb = {0};

	f->model = rule->model;
	f->env = rule->env;
	f->rule = rule->name;
	f->at = now;
	f->until = now + rule->cooldown * 1000;
	f->by = actor;
	if (rule->actions & ALERT_ROLLBACK)
		open_request(r, rule, f, actor, &sb);
	if (rule->actions & ALERT_HOOK)
		res->failed = run_alert_hook(r, hc, rule, f, actor, &sb);
	f->outcome = arena_strdup(a, sb.len ? sb_str(&sb) : "notified");
	sb_free(&sb);
	if (registry_alert_fire(r, f, checked, actor, err) < 0)
		return -1;
	f->open = f->until > now || f->request_id > 0;
	res->fired = 1;
	return 0;
}

/* Check one rule against its model's drift series (read once per model). */
static int check_rule(struct registry *r, const struct mlc_alert_rule *rule,
		      const struct alert_hook_conf *hc, const char *actor, int64_t now,
		      const struct mlc_drift_list *series,
		      const struct mlc_alert_firing_list *fired, struct alert_result_list *out,
		      struct mlc_error *err)
{
	struct alert_result *res = MLC_LIST_PUSH(out);
	const struct mlc_alert_firing *last = last_firing(fired, rule);
	int64_t newest, hit;

	memset(res, 0, sizeof *res);
	res->rule = rule;
	hit = alert_evaluate(rule, series, rule->checked, &newest, &res->firing.features,
			     &res->firing.scores, &res->firing.share, &out->arena);
	res->firing.window_end = hit;
	if (hit && last && last->until > now)
		res->quiet = 1;
	else if (hit)
		return fire(r, rule, hc, actor, now, newest, res, &out->arena, err);
	if (newest <= rule->checked)
		return 0;
	return registry_alert_checked(r, rule->model, rule->env, rule->name, newest, err);
}

int alert_check(struct registry *r, const struct mlc_alert_rule_list *rules,
		const struct alert_hook_conf *hc, const char *actor, int64_t now,
		struct alert_result_list *out, struct mlc_error *err)
{
	struct mlc_drift_list series = {0};
	struct mlc_alert_firing_list fired = {0};
	const char *model = NULL;
	int n = 0, rc = 0;

	for (size_t i = 0; i < rules->n && rc == 0; i++) {
		const struct mlc_alert_rule *rule = &rules->items[i];
		if (model == NULL || strcmp(model, rule->model) != 0) {
			MLC_LIST_FREE(&series);
			MLC_LIST_FREE(&fired);
			model = rule->model;
			if (registry_drift_series(r, model, NULL, 0, &series, err) < 0 ||
			    registry_alert_firings(r, model, &fired, err) < 0) {
				rc = -1;
				break;
			}
		}
		rc = check_rule(r, rule, hc, actor, now, &series, &fired, out, err);
		n += rc == 0 && out->items[out->n - 1].fired;
	}
	MLC_LIST_FREE(&series);
	MLC_LIST_FREE(&fired);
	return rc < 0 ? -1 : n;
}

/* 1 if request id is among the pending requests l. */
static int pending(const struct mlc_request_list *l, int64_t id)
{
	for (size_t i = 0; id > 0 && i < l->n; i++)
		if (l->items[i].id == id)
			return 1;
	return 0;
}

/* Open firings before closed ones; within each, newest first (stable by id). */
static int cmp_open(const void *x, const void *y)
{
	const struct mlc_alert_firing *a = x, *b = y;

	if (a->open != b->open)
		return b->open - a->open;
	if (a->at != b->at)
		return (b->at > a->at) - (b->at < a->at);
	return (b->id > a->id) - (b->id < a->id);
}

int alert_list(struct registry *r, const char *model, int64_t now,
	       struct mlc_alert_firing_list *out, struct mlc_error *err)
{
	struct mlc_request_list reqs = {0};
	int rc = -1;

	if (registry_alert_firings(r, model, out, err) < 0 ||
	    registry_requests(r, REQ_PENDING, 0, &reqs, err) < 0)
		goto done;
	for (size_t i = 0; i < out->n; i++) {
		struct mlc_alert_firing *f = &out->items[i];
		f->open = f->until > now || pending(&reqs, f->request_id);
	}
	if (out->n > 1)
		qsort(out->items, out->n, sizeof *out->items, cmp_open);
	rc = 0;
done:
	MLC_LIST_FREE(&reqs);
	return rc;
}

int alert_open(struct registry *r, const char *model, const char *env, int64_t now,
	       struct mlc_alert_firing_list *out, struct mlc_error *err)
{
	size_t k = 0;

	if (alert_list(r, model, now, out, err) < 0)
		return -1;
	for (size_t i = 0; i < out->n; i++)
		if (out->items[i].open && (env == NULL || strcmp(out->items[i].env, env) == 0))
			out->items[k++] = out->items[i];
	out->n = k;
	return 0;
}
