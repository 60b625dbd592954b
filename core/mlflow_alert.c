/* mlflow_alert.c: alert rules and firings on an MLflow server, in MLflow's
 * primitives (README "What mlconsole keeps on an MLflow server"): rule NAME of model M in environment E is
 * M's tag mlconsole.alert.E.NAME, its settings as alert_rule_json writes them
 * plus "checked"; M's firings are its tag mlconsole.alerts, a JSON array,
 * newest first, the oldest dropped to keep within MLflow's 5000 characters.
 * What this console did is journaled, as every change on a server is. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alert.h"
#include "mlflow_impl.h"
#include "xmalloc.h"

#define RULE_PREFIX "mlconsole.alert."
#define FIRINGS_TAG "mlconsole.alerts"

/* What a walk over models collects. */
struct walk {
	struct mlc_alert_rule_list *rules;
	struct mlc_alert_firing_list *firings;
	struct mlc_error *err;
	int failed;
};

/* Read rule tag key = value of model into w's rules; -1 (w->err) when its
 * value is not a rule. */
static int read_rule(struct walk *w, const char *model, const char *key, const char *value)
{
	const char *rest = key + strlen(RULE_PREFIX), *dot = strchr(rest, '.');
	struct mlc_alert_rule_list *l = w->rules;
	struct mlc_alert_rule *a;
	json_t *j;

	if (dot == NULL)
		return 0; /* not a rule's key */
	a = MLC_LIST_PUSH(l);
	memset(a, 0, sizeof *a);
	a->model = arena_strdup(&l->arena, model);
	a->env = arena_strndup(&l->arena, rest, (size_t)(dot - rest));
	a->name = arena_strdup(&l->arena, dot + 1);
	if (alert_rule_from_json(a, value, &l->arena, w->err) < 0)
		return -1;
	j = json_loads(value, 0, NULL);
	a->checked = jint(j, "checked");
	json_decref(j);
	return 0;
}

/* The firings in model's tag value into w's firings. */
static void read_firings(struct walk *w, const char *model, const char *value)
{
	struct mlc_alert_firing_list *l = w->firings;
	json_t *arr = json_loads(value, 0, NULL), *it;
	size_t i;

	json_array_foreach(arr, i, it)
	{
		struct mlc_alert_firing *f = MLC_LIST_PUSH(l);
		memset(f, 0, sizeof *f);
		f->id = jint(it, "id");
		f->model = arena_strdup(&l->arena, model);
		f->env = jdup(&l->arena, it, "e");
		f->rule = jdup(&l->arena, it, "rule");
		f->at = jint(it, "at");
		f->window_end = jint(it, "w");
		f->until = jint(it, "until");
		f->features = jdup(&l->arena, it, "f");
		f->scores = jdup(&l->arena, it, "s");
		f->share = json_number_value(json_object_get(it, "share"));
		f->request_id = jint(it, "req");
		f->outcome = jdup(&l->arena, it, "out");
		f->by = jdup(&l->arena, it, "by");
	}
	json_decref(arr);
}

/* One registered model of a walk: its rules and/or its firings. */
static int walk_model(const json_t *m, void *ctx)
{
	struct walk *w = ctx;
	const char *name = jstr(m, "name");
	const json_t *it;
	size_t i;

	json_array_foreach(json_object_get(m, "tags"), i, it)
	{
		const char *k = jstr(it, "key"), *v = jstr(it, "value");
		if (name == NULL || k == NULL || v == NULL)
			continue;
		if (w->rules && strncmp(k, RULE_PREFIX, strlen(RULE_PREFIX)) == 0 &&
		    read_rule(w, name, k, v) < 0) {
			w->failed = 1;
			return 1;
		}
		if (w->firings && strcmp(k, FIRINGS_TAG) == 0)
			read_firings(w, name, v);
	}
	return 0;
}

/* Walk model (NULL: every registered model). */
static int walk(struct registry *r, const char *model, struct walk *w, struct mlc_error *err)
{
	w->err = err;
	return mlflow_each_model(r, model, walk_model, w, err) < 0 || w->failed ? -1 : 0;
}

/* Rules by model, environment, name (as the local registry lists them). */
static int cmp_rule(const void *x, const void *y)
{
	const struct mlc_alert_rule *a = x, *b = y;
	int c = strcmp(a->model, b->model);

	if (c == 0)
		c = strcmp(a->env, b->env);
	return c ? c : strcmp(a->name, b->name);
}

int mlflow_alert_rules(struct registry *r, const char *model, struct mlc_alert_rule_list *out,
		       struct mlc_error *err)
{
	struct walk w = {.rules = out};
	size_t first = out->n;

	if (walk(r, model, &w, err) < 0)
		return -1;
	MLC_LIST_SORT_FROM(out, first, cmp_rule);
	return 0;
}

/* Newest first. */
static int cmp_firing(const void *x, const void *y)
{
	const struct mlc_alert_firing *a = x, *b = y;

	if (a->at != b->at)
		return (a->at < b->at) - (a->at > b->at);
	return (a->id < b->id) - (a->id > b->id);
}

int mlflow_alert_firings(struct registry *r, const char *model, struct mlc_alert_firing_list *out,
			 struct mlc_error *err)
{
	struct walk w = {.firings = out};
	size_t first = out->n;

	if (walk(r, model, &w, err) < 0)
		return -1;
	MLC_LIST_SORT_FROM(out, first, cmp_firing);
	return 0;
}

/* Set model's tag key to value (DELETE it when value is NULL). */
static int set_tag(struct registry *r, const char *model, const char *key, const char *value,
		   struct mlc_error *err)
{
	if (value == NULL)
		return send_change(r, "registered-models/delete-tag",
				   json_pack("{s:s,s:s}", "name", model, "key", key), 1, err);
	return send_change(r, "registered-models/set-tag",
			   json_pack("{s:s,s:s,s:s}", "name", model, "key", key, "value", value), 0,
			   err);
}

/* The rule's stored form with checked, malloc'd. */
static char *rule_value(const struct mlc_alert_rule *rule, int64_t checked)
{
	char *s = alert_rule_json(rule), *v;
	json_t *j = json_loads(s, 0, NULL);

	json_object_set_new(j, "checked", json_integer(checked));
	v = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	free(s);
	return v;
}

/* Model's tag key in m, or NULL. */
static const char *model_tag(const json_t *m, const char *key)
{
	return tag_of(json_object_get(m, "registered_model"), key);
}

int mlflow_alert_rule_put(struct registry *r, const struct mlc_alert_rule *rule, int remove,
			  const char *actor, struct mlc_error *err)
{
	char key[256], when[160], acts[64], *value = NULL, *detail;
	const char *old;
	json_t *m = NULL, *oj;
	int rc = -1;

	snprintf(key, sizeof key, RULE_PREFIX "%s.%s", rule->env, rule->name);
	if (get_model(r, rule->model, &m, err) < 0)
		goto out;
	old = model_tag(m, key);
	if (remove && old == NULL) {
		mlc_error_set(err, MLC_ERR_NOTFOUND,
			      "alert rule '%s' of %s in %s: not found (see 'mlconsole alerts rule "
			      "list')",
			      rule->name, rule->model, rule->env);
		goto out;
	}
	if (!remove) { /* a rule set again keeps how far it was checked */
		oj = old ? json_loads(old, 0, NULL) : NULL;
		value = rule_value(rule, jint(oj, "checked"));
		json_decref(oj);
	}
	if (set_tag(r, rule->model, key, value, err) < 0)
		goto out;
	detail = remove ? xasprintf("rule %s of %s", rule->name, rule->model)
			: xasprintf("rule %s of %s: %s, cooldown %llds, actions %s", rule->name,
				    rule->model, alert_rule_when(rule, when, sizeof when),
				    (long long)rule->cooldown,
				    alert_actions_str(rule->actions, acts, sizeof acts));
	journal(r, actor, remove ? "alert rule removed" : "alert rule set", rule->env, detail);
	free(detail);
	rc = 0;
out:
	free(value);
	json_decref(m);
	return rc;
}

/* Set rule env/name of model m (as read) to checked. */
static int write_checked(struct registry *r, const json_t *m, const char *model, const char *env,
			 const char *name, int64_t checked, struct mlc_error *err)
{
	char key[256], *v;
	const char *old;
	json_t *j;
	int rc;

	snprintf(key, sizeof key, RULE_PREFIX "%s.%s", env, name);
	if ((old = model_tag(m, key)) == NULL)
		return mlc_error_set(err, MLC_ERR_NOTFOUND,
				     "alert rule '%s' of %s in %s: not found", name, model, env);
	j = json_loads(old, 0, NULL);
	if (!json_is_object(j) || jint(j, "checked") >= checked) {
		json_decref(j);
		return 0;
	}
	json_object_set_new(j, "checked", json_integer(checked));
	v = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	rc = set_tag(r, model, key, v, err);
	free(v);
	return rc;
}

int mlflow_alert_checked(struct registry *r, const char *model, const char *env, const char *name,
			 int64_t checked, struct mlc_error *err)
{
	json_t *m = NULL;
	int rc = get_model(r, model, &m, err);

	if (rc == 0)
		rc = write_checked(r, m, model, env, name, checked, err);
	json_decref(m);
	return rc;
}

/* f as its entry in the firings tag. */
static json_t *firing_entry(const struct mlc_alert_firing *f)
{
	return json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:o,s:o,s:f,s:I,s:o,s:s}", "id",
			 (json_int_t)f->id, "e", f->env, "rule", f->rule, "at", (json_int_t)f->at,
			 "w", (json_int_t)f->window_end, "until", (json_int_t)f->until, "f",
			 jcut(f->features, MAX_DETAIL), "s", jcut(f->scores, MAX_DETAIL), "share",
			 f->share, "req", (json_int_t)f->request_id, "out",
			 jcut(f->outcome, MAX_DETAIL), "by", f->by);
}

/* The firings tag with f first (its id one past the highest there), the
 * oldest dropped to fit a tag; malloc'd. */
static char *firings_with(const json_t *m, struct mlc_alert_firing *f)
{
	const char *old = model_tag(m, FIRINGS_TAG);
	json_t *arr = old ? json_loads(old, 0, NULL) : NULL, *it;
	int64_t top = 0;
	size_t i;
	char *s;

	if (!json_is_array(arr)) {
		json_decref(arr);
		arr = json_array();
	}
	json_array_foreach(arr, i, it) if (jint(it, "id") > top) top = jint(it, "id");
	f->id = top + 1;
	json_array_insert_new(arr, 0, firing_entry(f));
	while ((s = json_dumps(arr, JSON_COMPACT)) != NULL && strlen(s) > MAX_TAG_VALUE &&
	       json_array_size(arr) > 1) {
		free(s);
		json_array_remove(arr, json_array_size(arr) - 1);
	}
	json_decref(arr);
	return s;
}

int mlflow_alert_fire(struct registry *r, struct mlc_alert_firing *f, int64_t checked,
		      const char *actor, struct mlc_error *err)
{
	char subject[600], *value = NULL, *detail;
	const char *live;
	json_t *m = NULL;
	int rc = -1;

	if (get_model(r, f->model, &m, err) < 0)
		goto out;
	value = firings_with(m, f);
	if (set_tag(r, f->model, FIRINGS_TAG, value, err) < 0 ||
	    write_checked(r, m, f->model, f->env, f->rule, checked, err) < 0)
		goto out;
	live = alias_of(json_object_get(m, "registered_model"), f->env);
	mlc_audit_subject(subject, sizeof subject, live ? f->model : NULL, live, f->env);
	detail =
	    xasprintf("alert %lld, rule %s: features %s, scores %s, share %.4g, window %lld; %s",
		      (long long)f->id, f->rule, *f->features ? f->features : "-",
		      *f->scores ? f->scores : "-", f->share, (long long)f->window_end, f->outcome);
	journal(r, actor, "alert fired", subject, detail);
	free(detail);
	rc = 0;
out:
	free(value);
	json_decref(m);
	return rc;
}
