/* test_settings.c: the config file parser — contexts, [general] defaults, hooks
 * global and per context, token_env, literal secrets only in a private file,
 * and errors that name file:line without ever showing a secret. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "settings.h"
#include "hooks.h"
#include "testutil.h"

/* A config file in the program's private temporary folder (tu_tmpdir),
 * missing when each test starts. */
struct fixture {
	char path[512];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s", tu_path("config"));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	free(f);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	return tu_tmpdir("config");
}

/* Write text to the fixture's config file with mode. */
static const char *write_config(void **state, const char *text, mode_t mode)
{
	struct fixture *f = *state;

	tu_put(f->path, text);
	assert_int_equal(chmod(f->path, mode), 0);
	return f->path;
}

/* Load text (mode 0644) expecting failure; the message is left in err. */
static void load_fails(void **state, const char *text, struct mlc_error *err)
{
	struct config c;

	assert_int_equal(config_load(&c, write_config(state, text, 0644), err), -1);
	assert_int_equal(err->code, MLC_ERR_USAGE);
	assert_int_equal(c.n_contexts, 0);
}

/* err's message contains "PATH:LINE:" and what. */
static void assert_error_at(void **state, const struct mlc_error *err, int line, const char *what)
{
	struct fixture *f = *state;
	char where[600];

	snprintf(where, sizeof where, "%s:%d: ", f->path, line);
	if (strstr(err->msg, where) == NULL || strstr(err->msg, what) == NULL)
		fail_msg("'%s' lacks '%s' or '%s'", err->msg, where, what);
}

static const char two_contexts[] = "# comment\n"
				   "[general]\n"
				   "default_context = dev\n"
				   "theme = light\n"
				   "\n"
				   "[context dev]\n"
				   "uri = sqlite:/tmp/dev.db\n"
				   "\n"
				   "[context prod]\n"
				   "uri = https://mlflow.example.com\n"
				   "theme = prod-alert\n"
				   "read_only = yes\n"
				   "token_env = MLC_TEST_PROD_TOKEN\n";

static void test_missing_file_is_an_empty_config(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	struct config c;

	assert_int_equal(config_load(&c, f->path, &err), 0);
	assert_int_equal(c.n_contexts, 0);
	assert_int_equal(c.n_hooks, 0);
	assert_null(config_default_context(&c));
	char *names = config_context_names(&c);
	assert_string_equal(names, "none");
	free(names);
	config_free(&c);
}

static void test_contexts_and_general_are_parsed(void **state)
{
	struct mlc_error err = {0};
	struct config c;
	const struct config_context *dev, *prod;

	assert_int_equal(config_load(&c, write_config(state, two_contexts, 0644), &err), 0);
	assert_int_equal(c.n_contexts, 2);
	assert_string_equal(c.theme, "light");
	dev = config_context(&c, "dev");
	prod = config_context(&c, "prod");
	assert_non_null(dev);
	assert_non_null(prod);
	assert_ptr_equal(config_default_context(&c), dev);
	assert_string_equal(dev->uri, "sqlite:/tmp/dev.db");
	assert_null(dev->theme);
	assert_int_equal(dev->read_only, 0);
	assert_string_equal(prod->uri, "https://mlflow.example.com");
	assert_string_equal(prod->theme, "prod-alert");
	assert_int_equal(prod->read_only, 1);
	assert_null(config_context(&c, "staging"));
	char *names = config_context_names(&c);
	assert_string_equal(names, "dev, prod");
	free(names);
	config_free(&c);
}

static void test_stages_is_off_unless_a_context_says_yes(void **state)
{
	struct mlc_error err = {0};
	struct config c;

	assert_int_equal(config_load(&c,
				     write_config(state,
						  "[context remote]\nuri = http://127.0.0.1:5000\n"
						  "stages = yes\n[context plain]\nuri = a.db\n"
						  "[context off]\nuri = b.db\nstages = no\n",
						  0644),
				     &err),
			 0);
	assert_int_equal(config_context(&c, "remote")->stages, 1);
	assert_int_equal(config_context(&c, "plain")->stages, 0);
	assert_int_equal(config_context(&c, "off")->stages, 0);
	config_free(&c);
}

/* [general] start and pulse_refresh: the pulse as the first view and its
 * interval; anything else is an error naming the line. */
static void test_start_pulse_and_pulse_refresh(void **state)
{
	struct mlc_error err = {0};
	struct config c;

	assert_int_equal(
	    config_load(&c,
			write_config(state, "[general]\nstart = pulse\npulse_refresh = 30\n", 0644),
			&err),
	    0);
	assert_int_equal(c.start_pulse, 1);
	assert_int_equal(c.pulse_refresh, 30);
	config_free(&c);
	assert_int_equal(
	    config_load(&c, write_config(state, "[general]\nstart = models\n", 0644), &err), 0);
	assert_int_equal(c.start_pulse, 0);
	assert_int_equal(c.pulse_refresh, 0);
	config_free(&c);
	load_fails(state, "[general]\nstart = runs\n", &err);
	assert_error_at(state, &err, 2, "start must be models or pulse");
	load_fails(state, "[general]\npulse_refresh = -1\n", &err);
	assert_error_at(state, &err, 2, "pulse_refresh must be 0 to 3600 seconds");
	load_fails(state, "[general]\n\npulse_refresh = 5s\n", &err);
	assert_error_at(state, &err, 3, "pulse_refresh must be 0 to 3600 seconds");
}

static void test_no_general_section_means_no_default(void **state)
{
	struct mlc_error err = {0};
	struct config c;

	assert_int_equal(
	    config_load(&c, write_config(state, "[context a]\nuri = x.db\n", 0644), &err), 0);
	assert_null(config_default_context(&c));
	assert_null(c.theme);
	config_free(&c);
}

static void test_token_env_reads_the_variable(void **state)
{
	struct mlc_error err = {0};
	struct config c;
	const char *token = NULL;

	assert_int_equal(config_load(&c, write_config(state, two_contexts, 0644), &err), 0);
	setenv("MLC_TEST_PROD_TOKEN", "tok-123", 1);
	assert_int_equal(config_context_token(config_context(&c, "prod"), &token, &err), 0);
	assert_string_equal(token, "tok-123");
	assert_int_equal(config_context_token(config_context(&c, "dev"), &token, &err), 0);
	assert_null(token);
	config_free(&c);
}

static void test_token_env_unset_is_an_error_naming_the_variable(void **state)
{
	struct mlc_error err = {0};
	struct config c;
	const char *token = "x";

	assert_int_equal(config_load(&c, write_config(state, two_contexts, 0644), &err), 0);
	unsetenv("MLC_TEST_PROD_TOKEN");
	assert_int_equal(config_context_token(config_context(&c, "prod"), &token, &err), -1);
	assert_null(token);
	assert_non_null(strstr(err.msg, "MLC_TEST_PROD_TOKEN is not set"));
	config_free(&c);
}

static const char literal_token[] = "[context prod]\n"
				    "uri = https://mlflow.example.com\n"
				    "token = s3cret-value\n";

static void test_literal_token_refused_in_a_readable_file(void **state)
{
	struct mlc_error err = {0};
	struct config c;

	assert_int_equal(config_load(&c, write_config(state, literal_token, 0644), &err), -1);
	assert_error_at(state, &err, 3, "token = refused");
	assert_non_null(strstr(err.msg, "0644"));
	assert_non_null(strstr(err.msg, "0600"));
	assert_null(strstr(err.msg, "s3cret"));
}

static void test_literal_token_accepted_at_0600(void **state)
{
	struct mlc_error err = {0};
	struct config c;
	const char *token = NULL;

	assert_int_equal(config_load(&c, write_config(state, literal_token, 0600), &err), 0);
	assert_int_equal(config_context_token(config_context(&c, "prod"), &token, &err), 0);
	assert_string_equal(token, "s3cret-value");
	config_free(&c);
}

static void test_literal_password_refused_when_owned_by_someone_else(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	struct config c;

	write_config(state, "[context p]\nuri = https://h\nusername = ann\npassword = hunter2\n",
		     0600);
	if (getuid() != 0)
		skip(); /* only root can give the file to another owner */
	assert_int_equal(chown(f->path, 65534, 65534), 0);
	assert_int_equal(config_load(&c, f->path, &err), -1);
	assert_error_at(state, &err, 4, "password = refused");
	assert_non_null(strstr(err.msg, "not owned by you"));
	assert_null(strstr(err.msg, "hunter2"));
}

static const char uri_password[] = "[context prod]\n"
				   "theme = dark\n"
				   "uri = https://ann:hunter2-pw@mlflow.example.com/p\n";

static void test_uri_with_a_password_refused_in_a_readable_file(void **state)
{
	struct mlc_error err = {0};
	struct config c;

	assert_int_equal(config_load(&c, write_config(state, uri_password, 0644), &err), -1);
	assert_int_equal(err.code, MLC_ERR_USAGE);
	assert_error_at(state, &err, 3, "uri = refused");
	assert_non_null(strstr(err.msg, "0644"));
	assert_non_null(strstr(err.msg, "0600"));
	assert_null(strstr(err.msg, "hunter2"));
	assert_null(strstr(err.msg, "mlflow.example.com"));
}

static void test_uri_with_a_password_accepted_at_0600(void **state)
{
	struct mlc_error err = {0};
	struct config c;

	assert_int_equal(config_load(&c, write_config(state, uri_password, 0600), &err), 0);
	assert_string_equal(config_context(&c, "prod")->uri,
			    "https://ann:hunter2-pw@mlflow.example.com/p");
	config_free(&c);
}

static void test_uri_with_a_password_refused_when_owned_by_someone_else(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	struct config c;

	write_config(state, uri_password, 0600);
	if (getuid() != 0)
		skip(); /* only root can give the file to another owner */
	assert_int_equal(chown(f->path, 65534, 65534), 0);
	assert_int_equal(config_load(&c, f->path, &err), -1);
	assert_error_at(state, &err, 3, "uri = refused");
	assert_non_null(strstr(err.msg, "not owned by you"));
	assert_null(strstr(err.msg, "hunter2"));
}

static void test_uri_without_a_password_is_not_a_secret(void **state)
{
	struct mlc_error err = {0};
	struct config c;

	/* a user name alone, an '@' in the path or query, and a plain path */
	assert_int_equal(config_load(&c,
				     write_config(state,
						  "[context a]\nuri = https://ann@h.example/p\n"
						  "[context b]\nuri = http://h:5000/p@x?q=a:b@c\n"
						  "[context c]\nuri = /srv/a:b@c.db\n",
						  0644),
				     &err),
			 0);
	assert_int_equal(c.n_contexts, 3);
	config_free(&c);
}

static const char hooks_text[] = "[context dev]\n"
				 "uri = dev.db\n"
				 "[context prod]\n"
				 "uri = prod.db\n"
				 "[hook staging]\n"
				 "command = ./smoke.sh\n"
				 "[hook production]\n"
				 "url = https://hooks.example.com/deployed\n"
				 "timeout = 5\n"
				 "[hook production @ prod]\n"
				 "command = ./page-oncall.sh\n"
				 "[hook canary @ prod]\n"
				 "command = ./canary.sh\n";

static void test_global_hooks_and_defaults(void **state)
{
	struct mlc_error err = {0};
	struct config c;
	const struct config_hook *h;

	assert_int_equal(config_load(&c, write_config(state, hooks_text, 0644), &err), 0);
	h = config_hook(&c, NULL, "staging");
	assert_non_null(h);
	assert_string_equal(h->command, "./smoke.sh");
	assert_null(h->url);
	assert_int_equal(h->timeout, 30);
	h = config_hook(&c, NULL, "production");
	assert_string_equal(h->url, "https://hooks.example.com/deployed");
	assert_int_equal(h->timeout, 5);
	assert_null(config_hook(&c, NULL, "canary"));
	config_free(&c);
}

/* [hook alert] (issue 16): the alert hook, and the models it may run for —
 * set only here; models = in an environment's hook is an unknown key. */
static void test_alert_hook_lists_its_models(void **state)
{
	struct mlc_error err = {0};
	struct config c;
	struct hooks hs;
	const char *path = write_config(state,
					"[hook alert]\ncommand = ./page.sh\nmodels = a, b-2\n"
					"[hook production]\ncommand = ./deployed.sh\n",
					0644);

	assert_int_equal(config_load(&c, path, &err), 0);
	assert_string_equal(config_hook(&c, NULL, "alert")->models, "a, b-2");
	assert_null(config_hook(&c, NULL, "production")->models);
	config_free(&c);
	assert_int_equal(hooks_load(&hs, path, &err), 0);
	assert_string_equal(hooks_find(&hs, HOOKS_ALERT)->models, "a, b-2");
	assert_string_equal(hooks_find(&hs, HOOKS_ALERT)->command, "./page.sh");
	hooks_free(&hs);
	load_fails(state, "[hook production]\ncommand = x\nmodels = a\n", &err);
	assert_error_at(state, &err, 3, "unknown hook setting 'models' (command, url, timeout)");
}

static void test_context_hook_overrides_the_global_one(void **state)
{
	struct mlc_error err = {0};
	struct config c;
	const struct config_hook *h;

	assert_int_equal(config_load(&c, write_config(state, hooks_text, 0644), &err), 0);
	h = config_hook(&c, "prod", "production");
	assert_string_equal(h->command, "./page-oncall.sh");
	assert_null(h->url); /* the whole section replaces the global one */
	assert_string_equal(config_hook(&c, "prod", "staging")->command, "./smoke.sh");
	assert_string_equal(config_hook(&c, "dev", "production")->url,
			    "https://hooks.example.com/deployed");
	assert_null(config_hook(&c, "dev", "canary"));
	config_free(&c);
}

static void test_hooks_load_context_picks_the_contexts_hooks(void **state)
{
	struct mlc_error err = {0};
	const char *path = write_config(state, hooks_text, 0644);
	struct hooks hs;

	assert_int_equal(hooks_load(&hs, path, &err), 0);
	assert_int_equal(hs.n, 2);
	assert_null(hooks_find(&hs, "canary"));
	assert_string_equal(hooks_find(&hs, "production")->url,
			    "https://hooks.example.com/deployed");
	hooks_free(&hs);
	assert_int_equal(hooks_load_context(&hs, path, "prod", &err), 0);
	assert_int_equal(hs.n, 3);
	assert_string_equal(hooks_find(&hs, "production")->command, "./page-oncall.sh");
	assert_null(hooks_find(&hs, "production")->url);
	assert_string_equal(hooks_find(&hs, "canary")->command, "./canary.sh");
	assert_string_equal(hooks_find(&hs, "staging")->command, "./smoke.sh");
	hooks_free(&hs);
}

static void test_bad_line_is_named(void **state)
{
	struct mlc_error err = {0};

	load_fails(state, "[hook dev]\nbogus line\n", &err);
	assert_error_at(state, &err, 2, "expected 'key = value'");
}

static void test_unknown_key_is_named(void **state)
{
	struct mlc_error err = {0};

	load_fails(state, "[context dev]\nuri = a.db\ncolour = red\n", &err);
	assert_error_at(state, &err, 3, "unknown key 'colour' in [context dev]");
	load_fails(state, "[general]\ndefault = dev\n", &err);
	assert_error_at(state, &err, 2, "unknown key 'default' in [general]");
	load_fails(state, "[hook dev]\ncmd = true\n", &err);
	assert_error_at(state, &err, 2, "unknown hook setting 'cmd'");
}

static void test_unknown_section_is_named(void **state)
{
	struct mlc_error err = {0};

	load_fails(state, "\n[contexts dev]\n", &err);
	assert_error_at(state, &err, 2, "unknown section [contexts dev]");
}

static void test_key_before_any_section_is_an_error(void **state)
{
	struct mlc_error err = {0};

	load_fails(state, "uri = a.db\n", &err);
	assert_error_at(state, &err, 1, "'uri' before any section");
}

static void test_bad_values_are_named(void **state)
{
	struct mlc_error err = {0};

	load_fails(state, "[context a]\nuri = a.db\nread_only = maybe\n", &err);
	assert_error_at(state, &err, 3, "read_only must be yes or no");
	load_fails(state, "[context a]\nuri = a.db\n\nstages = Production\n", &err);
	assert_error_at(state, &err, 4, "stages must be yes or no");
	load_fails(state, "[hook a]\ncommand = true\ntimeout = 0\n", &err);
	assert_error_at(state, &err, 3, "timeout must be 1 to 3600");
	load_fails(state, "[context a]\nuri = a.db\ntoken_env = not a name\n", &err);
	assert_error_at(state, &err, 3, "token_env must name an environment variable");
	load_fails(state, "[context a]\nuri =\n", &err);
	assert_error_at(state, &err, 2, "uri has no value");
	load_fails(state, "[context bad name]\nuri = a.db\n", &err);
	assert_error_at(state, &err, 1, "bad context name");
}

static void test_incomplete_sections_are_errors(void **state)
{
	struct mlc_error err = {0};

	load_fails(state, "[context a]\ntheme = mono\n", &err);
	assert_error_at(state, &err, 1, "[context a] has no uri");
	load_fails(state, "[context a]\nuri = a.db\n[hook dev]\ntimeout = 3\n", &err);
	assert_error_at(state, &err, 3, "needs a command = or a url =");
	load_fails(state, "[context a]\nuri = a.db\n[hook dev @ b]\ncommand = true\n", &err);
	assert_error_at(state, &err, 3, "no [context b]");
	load_fails(state, "[context a]\nuri = a.db\n[context a]\nuri = b.db\n", &err);
	assert_error_at(state, &err, 3, "first at line 1");
}

static void test_unknown_default_context_lists_the_known_ones(void **state)
{
	struct mlc_error err = {0};

	load_fails(state, "[general]\ndefault_context = prod\n[context dev]\nuri = a.db\n", &err);
	assert_non_null(strstr(err.msg, "default_context = prod: no such context (known: dev)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(test_missing_file_is_an_empty_config),
	    T(test_contexts_and_general_are_parsed),
	    T(test_stages_is_off_unless_a_context_says_yes),
	    T(test_no_general_section_means_no_default),
	    T(test_start_pulse_and_pulse_refresh),
	    T(test_token_env_reads_the_variable),
	    T(test_token_env_unset_is_an_error_naming_the_variable),
	    T(test_literal_token_refused_in_a_readable_file),
	    T(test_literal_token_accepted_at_0600),
	    T(test_literal_password_refused_when_owned_by_someone_else),
	    T(test_uri_with_a_password_refused_in_a_readable_file),
	    T(test_uri_with_a_password_accepted_at_0600),
	    T(test_uri_with_a_password_refused_when_owned_by_someone_else),
	    T(test_uri_without_a_password_is_not_a_secret),
	    T(test_global_hooks_and_defaults),
	    T(test_alert_hook_lists_its_models),
	    T(test_context_hook_overrides_the_global_one),
	    T(test_hooks_load_context_picks_the_contexts_hooks),
	    T(test_bad_line_is_named),
	    T(test_unknown_key_is_named),
	    T(test_unknown_section_is_named),
	    T(test_key_before_any_section_is_an_error),
	    T(test_bad_values_are_named),
	    T(test_incomplete_sections_are_errors),
	    T(test_unknown_default_context_lists_the_known_ones),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, tu_group_teardown);
}
