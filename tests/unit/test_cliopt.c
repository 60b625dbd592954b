/* test_cliopt.c: the options of commands as data (tui/cli_opt.c) — a value
 * is checked by its declared type and read back through the accessors, and
 * the check of the command table refuses one name declared two ways, two
 * commands of one name or one place, and a list longer than the store. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define N(a) (sizeof(a) / sizeof *(a))

static const struct cli_cmd runs = {
    .name = "runs",
    .rank = 10,
    .opts = CLI_OPTS(CLI_STRING("filter"), CLI_COUNT("limit", 1LL << 40), CLI_FLAG("all")),
};
static const struct cli_cmd audit = {
    .name = "audit",
    .group = CLI_GROUP_DEPLOY,
    .rank = 10,
    .opts = CLI_OPTS(CLI_COUNT("limit", 1LL << 40)),
};
static const struct cli_cmd audit_text = {
    .name = "audit",
    .sub = "text",
    .group = CLI_GROUP_DEPLOY,
    .rank = 20,
    .opts = CLI_OPTS(CLI_STRING("limit")),
};
static const struct cli_cmd audit_small = {
    .name = "audit",
    .sub = "small",
    .group = CLI_GROUP_DEPLOY,
    .rank = 30,
    .opts = CLI_OPTS(CLI_COUNT("limit", 10)),
};
static const struct cli_cmd env_set = {
    .name = "env",
    .sub = "set",
    .group = CLI_GROUP_DEPLOY,
    .rank = 40,
    .opts = CLI_OPTS(CLI_LIST("gate", 2), CLI_YESNO("self-approval"), CLI_REAL("threshold")),
};

/* cli_cmd_table_check on cmds: its result, and why into why. */
static int check(const struct cli_cmd *const *cmds, size_t n, char *why, size_t len)
{
	why[0] = '\0';
	return cli_cmd_table_check(cmds, n, why, len);
}

static void test_table_alike_declarations_pass(void **state)
{
	const struct cli_cmd *cmds[] = {&runs, &audit, &env_set};
	char why[256];

	(void)state;
	assert_int_equal(check(cmds, N(cmds), why, sizeof why), 0);
}

static void test_table_one_name_two_types_fails(void **state)
{
	const struct cli_cmd *cmds[] = {&runs, &audit, &audit_text};
	char why[256];

	(void)state;
	assert_int_equal(check(cmds, N(cmds), why, sizeof why), -1);
	assert_non_null(strstr(why, "--limit"));
	assert_non_null(strstr(why, "'runs'"));
	assert_non_null(strstr(why, "'audit text'"));
}

static void test_table_one_name_two_maxima_fails(void **state)
{
	const struct cli_cmd *cmds[] = {&audit, &audit_small};
	char why[256];

	(void)state;
	assert_int_equal(check(cmds, N(cmds), why, sizeof why), -1);
	assert_non_null(strstr(why, "--limit"));
}

static void test_table_same_place_or_name_fails(void **state)
{
	struct cli_cmd twin = audit_small, named = env_set;
	const struct cli_cmd *place[] = {&audit, &twin}, *name[] = {&env_set, &named};
	char why[256];

	(void)state;
	twin.rank = audit.rank;
	twin.opts = NULL;
	assert_int_equal(check(place, N(place), why, sizeof why), -1);
	assert_non_null(strstr(why, "same group and rank"));
	named.rank = 99;
	assert_int_equal(check(name, N(name), why, sizeof why), -1);
	assert_non_null(strstr(why, "two commands named 'env set'"));
}

static void test_table_declared_twice_by_one_command_fails(void **state)
{
	const struct cli_cmd twice = {.name = "twice",
				      .opts = CLI_OPTS(CLI_FLAG("all"), CLI_FLAG("all"))};
	const struct cli_cmd *cmds[] = {&twice};
	char why[256];

	(void)state;
	assert_int_equal(check(cmds, N(cmds), why, sizeof why), -1);
	assert_non_null(strstr(why, "--all: declared twice"));
	/* also when an earlier command declared it alike */
	const struct cli_cmd *after[] = {&runs, &twice};
	assert_int_equal(check(after, N(after), why, sizeof why), -1);
	assert_non_null(strstr(why, "--all: declared twice by 'twice'"));
}

static void test_table_list_longer_than_the_store_fails(void **state)
{
	const struct cli_cmd big = {.name = "big",
				    .opts = CLI_OPTS(CLI_LIST("gate", CLI_MAX_LIST + 1))};
	const struct cli_cmd *cmds[] = {&big};
	char why[256];

	(void)state;
	assert_int_equal(check(cmds, N(cmds), why, sizeof why), -1);
	assert_non_null(strstr(why, "--gate"));
}

/* Give the option name of c with value to o; cli_opt_give's result. */
static int give(struct cli_opts *o, const struct cli_cmd *c, const char *name, const char *value)
{
	const struct cli_optdef *d = cli_optdef_find(c->opts, name);

	assert_non_null(d);
	return cli_opt_give(o, d, value);
}

static void test_values_are_checked_by_type(void **state)
{
	static struct cli_opts o;

	(void)state;
	memset(&o, 0, sizeof o);
	assert_int_equal(give(&o, &runs, "limit", "x"), -1);
	assert_int_equal(give(&o, &runs, "limit", "-1"), -1);
	assert_int_equal(give(&o, &runs, "limit", "1099511627777"), -1);
	assert_int_equal(give(&o, &env_set, "self-approval", "maybe"), -1);
	assert_int_equal(give(&o, &env_set, "threshold", "inf"), -1);
	assert_int_equal(give(&o, &env_set, "threshold", "0.5x"), -1);
	assert_int_equal(o.n_given, 0);
}

static void test_values_read_back(void **state)
{
	static struct cli_opts o;
	long long n = -7;
	double x = 0;
	size_t k;
	const char *const *gates;

	(void)state;
	memset(&o, 0, sizeof o);
	assert_int_equal(cli_opt_count(&o, "limit", &n), 0);
	assert_int_equal(n, -7);
	assert_null(cli_opt_str(&o, "filter"));
	assert_int_equal(cli_opt_yesno(&o, "self-approval"), -1);
	assert_int_equal(give(&o, &runs, "limit", "1099511627776"), 0);
	assert_int_equal(give(&o, &runs, "filter", "a"), 0);
	assert_int_equal(give(&o, &runs, "filter", "b"), -1); /* two values: which? */
	assert_int_equal(give(&o, &runs, "filter", "a"), 0);  /* the same again: fine */
	assert_int_equal(give(&o, &runs, "all", NULL), 0);
	assert_int_equal(give(&o, &env_set, "self-approval", "no"), 0);
	assert_int_equal(give(&o, &env_set, "threshold", "0.25"), 0);
	assert_int_equal(give(&o, &env_set, "gate", "g1"), 0);
	assert_int_equal(give(&o, &env_set, "gate", "g2"), 0);
	assert_int_equal(give(&o, &env_set, "gate", "g3"), -1); /* at most 2 */
	assert_int_equal(cli_opt_count(&o, "limit", &n), 1);
	assert_int_equal(n, 1LL << 40);
	assert_string_equal(cli_opt_str(&o, "filter"), "a");
	assert_int_equal(cli_opt_flag(&o, "all"), 1);
	assert_int_equal(cli_opt_yesno(&o, "self-approval"), 0);
	assert_int_equal(cli_opt_real(&o, "threshold", &x), 1);
	assert_true(x == 0.25);
	gates = cli_opt_list(&o, "gate", &k);
	assert_int_equal(k, 2);
	assert_string_equal(gates[0], "g1");
	assert_string_equal(gates[1], "g2");
	/* in the order first given, for the command's check */
	assert_int_equal(o.n_given, 6);
	assert_string_equal(o.given[0].def->name, "limit");
	assert_string_equal(o.given[1].def->name, "filter");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_alike_declarations_pass),
	    cmocka_unit_test(test_table_one_name_two_types_fails),
	    cmocka_unit_test(test_table_one_name_two_maxima_fails),
	    cmocka_unit_test(test_table_same_place_or_name_fails),
	    cmocka_unit_test(test_table_declared_twice_by_one_command_fails),
	    cmocka_unit_test(test_table_list_longer_than_the_store_fails),
	    cmocka_unit_test(test_values_are_checked_by_type),
	    cmocka_unit_test(test_values_read_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
