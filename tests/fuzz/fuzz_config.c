/* fuzz_config.c: the config file parser (core/settings.c). Input: a mode byte
 * (bit 0: the file is private, 0600, else 0644, so literal secrets are taken
 * or refused), then the file's bytes. What parses is looked up every way the
 * CLI does; a refused file must leave an empty config and a usage error. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"
#include "settings.h"

/* Every lookup the CLI makes on a loaded config. */
static void use_config(const struct config *c)
{
	struct mlc_error err = {0};
	const char *token;

	free(config_context_names(c));
	config_default_context(c);
	for (size_t i = 0; i < c->n_contexts; i++) {
		if (config_context(c, c->contexts[i].name) == NULL)
			fuzz_fail("context '%s' was loaded but is not found", c->contexts[i].name);
		config_context_token(&c->contexts[i], &token, &err);
	}
	for (size_t i = 0; i < c->n_hooks; i++) {
		const struct config_hook *h = &c->hooks[i];

		if (config_hook(c, h->context, h->env) == NULL)
			fuzz_fail("hook for '%s' was loaded but is not found", h->env);
		config_hook(c, NULL, h->env);
	}
}

/* One input: write the file, load it, use it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096];
	struct config c;
	struct mlc_error err = {0};
	int private = size > 0 && (data[0] & 1);

	snprintf(path, sizeof path, "%s/config", fuzz_tmpdir());
	if (fuzz_write_file(path, size ? data + 1 : data, size ? size - 1 : 0) < 0 ||
	    chmod(path, private ? 0600 : 0644) < 0)
		fuzz_fail("cannot write %s", path);
	if (config_load(&c, path, &err) == 0) {
		use_config(&c);
	} else {
		if (err.code != MLC_ERR_USAGE || err.msg[0] == '\0')
			fuzz_fail("config_load failed with code %d: %s", err.code, err.msg);
		if (c.n_contexts || c.n_hooks || c.default_context || c.theme)
			fuzz_fail("a refused config is not empty");
	}
	config_free(&c);
	return 0;
}
