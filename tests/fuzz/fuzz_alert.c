/* fuzz_alert.c: alert-rule input (core/alert.c) — the command line's words
 * and the stored JSON form a registry (or a server's tag, which anyone with
 * write access to it can set) gives back. Input: a mode byte, then the text.
 * Mode even: the stored form; odd: the words feature, share, windows,
 * cooldown, actions, one per line ("-" for a word left out). What parses
 * must keep alert_rule_parse's promises (valid names, bounds, notify always
 * set) and come back unchanged from its own stored form. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "alert.h"
#include "fuzz.h"

/* Fail unless a and b are the same rule settings. */
static void same(const struct mlc_alert_rule *a, const struct mlc_alert_rule *b)
{
	if (strcmp(a->feature, b->feature) != 0 || a->share != b->share ||
	    a->windows != b->windows || a->cooldown != b->cooldown || a->actions != b->actions)
		fuzz_fail("a rule changed through its stored form");
}

/* Check what a parsed rule promises, and its stored form's round trip. */
static void check(const struct mlc_alert_rule *rule)
{
	struct mlc_alert_rule back = {.model = rule->model, .env = rule->env, .name = rule->name};
	struct mlc_arena a = {0};
	struct mlc_error err = {0};
	char buf[16], *json;

	if (*rule->feature ? !alert_name_valid(rule->feature) || rule->share != 0
			   : !(rule->share > 0 && rule->share <= 1))
		fuzz_fail("a rule is neither a valid feature rule nor a valid share rule");
	if (rule->windows < 1 || rule->windows > ALERT_WINDOWS_MAX || rule->cooldown < 0 ||
	    rule->cooldown > ALERT_COOLDOWN_MAX || !(rule->actions & ALERT_NOTIFY))
		fuzz_fail("a rule out of its bounds was accepted");
	alert_rule_when(rule, buf, sizeof buf);
	alert_actions_str(rule->actions, buf, sizeof buf);
	json = alert_rule_json(rule);
	if (json == NULL || alert_rule_from_json(&back, json, &a, &err) < 0)
		fuzz_fail("a rule's own stored form does not read back: %s", err.msg);
	same(rule, &back);
	free(json);
	arena_free(&a);
}

/* The next line of *p (cut at '\n', which is overwritten); "-" is NULL. */
static const char *word(char **p)
{
	char *s = *p, *nl;

	if (s == NULL)
		return NULL;
	nl = strchr(s, '\n');
	*p = nl ? nl + 1 : NULL;
	if (nl)
		*nl = '\0';
	return strcmp(s, "-") == 0 ? NULL : s;
}

/* One input: the stored form, or the command line's words. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlc_alert_rule rule = {.model = "m", .env = "production", .name = "r"};
	struct mlc_arena a = {0};
	struct mlc_error err = {0};
	char *text = fuzz_strndup(size ? data + 1 : data, size ? size - 1 : 0), *p = text;

	if (size && (data[0] & 1)) {
		const char *f = word(&p), *s = word(&p), *w = word(&p), *c = word(&p),
			   *act = word(&p);
		if (alert_rule_parse(&rule, "m", "production", "r", f, s, w, c, act, &err) == 0)
			check(&rule);
		else if (err.code != MLC_ERR_USAGE || err.msg[0] == '\0')
			fuzz_fail("a refused rule is not a usage error: %d %s", err.code, err.msg);
	} else if (alert_rule_from_json(&rule, text, &a, &err) == 0) {
		check(&rule);
	} else if (err.code != MLC_ERR_CORRUPT || err.msg[0] == '\0') {
		fuzz_fail("a refused stored rule is not reported as corrupt: %d %s", err.code,
			  err.msg);
	}
	arena_free(&a);
	free(text);
	return 0;
}
