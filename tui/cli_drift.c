/* cli_drift.c: placeholder — `drift` is being written (issue 5). */
#include "config.h"
#include "cli.h"

int cli_drift(const struct cli_opts *o)
{
	cli_error(o, "drift: not built yet");
	return 1;
}
