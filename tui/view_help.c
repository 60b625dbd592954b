/* view_help.c: the ? screen, generated from actions.def — the same table that
 * binds the keys and builds the footer hints — plus the : commands. What this
 * registry does not offer (app_refusal) is dimmed, with the reason. */
#include "config.h"
#include <stdio.h>
#include "app.h"

static void help_load(struct app *a, struct view *v)
{
	char keys[64], id[32], why[512], help[700];

	table_clear(&v->table);
	for (int act = 1; act < ACT_N; act++) {
		const struct action_info *ai = action_info((enum action)act);
		int refused = app_refusal(a, (enum action)act, 1, why, sizeof why);
		action_keys_label((enum action)act, a->utf8, keys, sizeof keys);
		snprintf(id, sizeof id, "a%d", act);
		snprintf(help, sizeof help, refused ? "%s (not here: %s)" : "%s", ai->help, why);
		table_add(&v->table, id, refused ? THEME_DIM : THEME_NORMAL,
			  (const char *[]){keys, help});
	}
	size_t nc;
	const struct app_command_info *const *cmds = app_commands(&nc);
	for (size_t i = 0; i < nc; i++) {
		char cmd[64];
		int refused = app_command_refusal(a, cmds[i], 1, why, sizeof why);
		snprintf(id, sizeof id, "c%zu", i);
		snprintf(cmd, sizeof cmd, ":%s%s%s", cmds[i]->name, *cmds[i]->args ? " " : "",
			 cmds[i]->args);
		snprintf(help, sizeof help, refused ? "%s (not here: %s)" : "%s", cmds[i]->help,
			 why);
		table_add(&v->table, id, refused ? THEME_DIM : THEME_NORMAL,
			  (const char *[]){cmd, help});
	}
	table_done(&v->table);
	v->loaded_once = 1;
}

static const struct view_ops help_ops = {
	.name = "help",
	.load = help_load,
};

static const struct table_col help_cols[] = {
	{"KEYS", 24, 0, 0, 0},
	{"ACTION", 0, 0, 1, 0},
};

struct view *view_help_new(struct app *a)
{
	struct view *v = view_new(a, &help_ops, "Help");
	table_init(&v->table, help_cols, 2);
	return v;
}

static void cmd_help(struct app *a, const char *arg)
{
	app_push(a, view_help_new(a));
}

APP_COMMAND(cmd_help_info, .name = "help", .args = "",
	    .help = "Keys and commands",
	    .run = cmd_help,
	    .rank = 150);
