/* cli_import.c: placeholder — `import` is being written (issue 4). */
#include "config.h"
#include "cli.h"

int cli_import(const struct cli_opts *o)
{
	cli_error(o, "import: not built yet");
	return 1;
}
