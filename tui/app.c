/* app.c: the console — start-up checks, the poll() loop over the terminal and
 * the worker's pipe, header/body/footer drawing, the view stack, and the
 * prompt for / filters and : commands (the set every file adds its own to,
 * with the few that belong to no view: ctx, filter, refresh, quit). */
#include "config.h"
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "app.h"
#include "changes.h"
#include "demo.h"
#include "filter.h"
#include "sanitize.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xmalloc.h"

#define MIN_COLS 40
#define MIN_ROWS 10

/* ---- views on the stack ------------------------------------------------- */

struct view *view_new(struct app *a, const struct view_ops *ops, const char *title)
{
	struct view *v = xcalloc(1, sizeof *v);

	v->ops = ops;
	if (ops->data_size)
		v->data = xcalloc(1, ops->data_size);
	v->id = ++a->next_view_id;
	v->title = sanitize_dup(title);
	return v;
}

void view_free(struct view *v)
{
	if (v == NULL)
		return;
	if (v->ops->free)
		v->ops->free(v);
	free(v->data);
	table_free(&v->table);
	free(v->title);
	free(v->subject);
	free(v->param);
	free(v->search);
	free(v->error);
	free(v);
}

struct view *view_job_done(struct app *a, const struct view_job *job)
{
	struct view *v = a ? app_find_view(a, job->view_id) : NULL;
	const struct mlc_error *err = &job->err;

	if (v == NULL)
		return NULL;
	v->loading = 0;
	free(v->error);
	v->error = NULL;
	if (job->rc < 0) {
		v->refreshing = 0;
		app_status(a, 1, "%s", err->msg);
		/* a view opened for something that is not there (:runs nope) has
		 * nothing to show: close it, the message says why */
		if (err->code == MLC_ERR_NOTFOUND && !v->loaded_once && v == app_top(a) &&
		    a->depth > 1) {
			app_pop(a);
			return NULL;
		}
		v->error = xstrdup(err->msg);
		return NULL;
	}
	v->loaded_once = 1;
	v->loaded_at_ms = timefmt_now_ms();
	if (v->refreshing)
		app_status(a, 0, "reloaded from the registry");
	v->refreshing = 0;
	return v;
}

void view_job_start(struct app *a, struct view *v, void (*run)(struct registry *, void *),
		    void (*done)(struct app *, void *), struct view_job *job)
{
	job->view_id = v->id;
	v->loading = 1;
	v->load_started_ms = timefmt_now_ms();
	v->changes_seen = a->changes;
	worker_submit(a->worker, run, done, job);
}

struct view *app_top(struct app *a)
{
	return a->depth ? a->stack[a->depth - 1] : NULL;
}

struct view *app_find_view(struct app *a, uint64_t id)
{
	for (int i = 0; i < a->depth; i++)
		if (a->stack[i]->id == id)
			return a->stack[i];
	return NULL;
}

void app_push(struct app *a, struct view *v)
{
	if (a->depth == APP_MAX_VIEWS) {
		/* Forget the oldest view but the first, as a browser history would. */
		view_free(a->stack[1]);
		memmove(&a->stack[1], &a->stack[2], (APP_MAX_VIEWS - 2) * sizeof a->stack[0]);
		a->depth--;
	}
	a->stack[a->depth++] = v;
	v->ops->load(a, v);
}

void app_pop(struct app *a)
{
	if (a->depth > 1)
		view_free(a->stack[--a->depth]);
}

void app_status(struct app *a, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status, sizeof a->status, fmt, ap);
	va_end(ap);
	a->status_error = error;
}

void app_prompt(struct app *a, const char *label, void (*done)(struct app *, const char *, void *),
		void (*discard)(void *), void *ctx)
{
	if (a->prompt_discard)
		a->prompt_discard(a->prompt_ctx);
	char *safe = sanitize_dup(label);
	snprintf(a->prompt_label, sizeof a->prompt_label, "%s", safe);
	free(safe);
	a->prompt_done = done;
	a->prompt_discard = discard;
	a->prompt_ctx = ctx;
	a->mode = MODE_PROMPT;
	input_start(&a->input, ' ', NULL);
	app_prompt_offer(a, NULL, 0);
}

void app_prompt_offer(struct app *a, const char *const *cands, size_t n)
{
	for (size_t i = 0; i < a->n_prompt_cands; i++)
		free(a->prompt_cands[i]);
	free(a->prompt_cands);
	a->prompt_cands = n ? xcalloc(n, sizeof *a->prompt_cands) : NULL;
	for (size_t i = 0; i < n; i++)
		a->prompt_cands[i] = xstrdup(cands[i]);
	a->n_prompt_cands = n;
}

/* Tab in a prompt that offers answers: an empty line or an offered answer
 * becomes the next offered one (from the first); a typed start completes. */
static void prompt_tab(struct app *a)
{
	size_t n = a->n_prompt_cands, next = 0;
	int offered = a->input.len == 0;

	for (size_t i = 0; i < n && !offered; i++)
		if (strcmp(a->input.buf, a->prompt_cands[i]) == 0) {
			next = i + 1 < n ? i + 1 : 0;
			offered = 1;
		}
	if (n == 0)
		app_status(a, 1, "no completion");
	else if (offered)
		input_start(&a->input, ' ', a->prompt_cands[next]);
	else if (input_complete(&a->input, (const char *const *)a->prompt_cands, n) == 0)
		app_status(a, 1, "no completion");
	else if (a->input.len && a->input.buf[a->input.len - 1] == ' ')
		a->input.buf[--a->input.len] = '\0'; /* an answer, not a word: no space */
}

void app_dialog(struct app *a, struct dialog *d)
{
	dialog_free(a->dialog);
	a->dialog = d;
}

void app_set_model_names(struct app *a, const char *const *names, size_t n)
{
	for (size_t i = 0; i < a->n_model_names; i++)
		free(a->model_names[i]);
	free(a->model_names);
	a->model_names = xcalloc(n + 1, sizeof *a->model_names);
	for (size_t i = 0; i < n; i++)
		a->model_names[i] = xstrdup(names[i]);
	a->n_model_names = n;
}

/* ---- : commands --------------------------------------------------------- */

struct view *app_home(struct app *a)
{
	while (a->depth > 1)
		app_pop(a);
	return a->stack[0];
}

/* :filter EXPR — MLflow search syntax for the view on top (models or runs);
 * elsewhere it goes back to the models. */
static void cmd_filter(struct app *a, const char *arg)
{
	struct mlc_error err = {0};
	struct view *v = app_top(a);
	enum filter_target target = v->ops->search != FILTER_NONE ? v->ops->search : FILTER_MODELS;
	struct filter *f = filter_parse(arg, target, &err);

	/* Parsing is pure (no registry access): check before changing anything. */
	if (f == NULL) {
		app_status(a, 1, "%s", err.msg);
		return;
	}
	filter_free(f);
	if (v->ops->search == FILTER_NONE)
		v = app_home(a);
	free(v->search);
	v->search = *arg ? xstrdup(arg) : NULL;
	v->ops->load(a, v);
}

static void cmd_refresh(struct app *a, const char *arg)
{
	struct view *v = app_top(a);

	app_status(a, 0, "reloading from the registry");
	v->refreshing = 1;
	v->ops->load(a, v);
	if (!v->loading) { /* a view with nothing to fetch */
		v->refreshing = 0;
		app_status(a, 0, "reloaded");
	}
}

static void cmd_quit(struct app *a, const char *arg)
{
	a->quit = 1;
}

/* :ctx alone: the configured contexts, the current one marked. */
static void list_contexts(struct app *a)
{
	struct strbuf sb = {0};

	for (size_t i = 0; i < a->config.n_contexts; i++) {
		const struct config_context *x = &a->config.contexts[i];
		sb_printf(&sb, "%s%s%s", i ? "  " : "", x->name,
			  x == a->context ? " (current)" : "");
	}
	if (sb.len)
		app_status(a, 0, "contexts: %s", sb_str(&sb));
	else
		app_status(a, 1, "no contexts: add [context NAME] sections to %s",
			   a->config.path ? a->config.path : "the config file");
	sb_free(&sb);
}

static void cmd_ctx(struct app *a, const char *arg)
{
	const struct config_context *x;
	char *names;

	if (*arg == '\0') {
		list_contexts(a);
		return;
	}
	if ((x = config_context(&a->config, arg)) != NULL) {
		app_switch_context(a, x);
		return;
	}
	names = config_context_names(&a->config);
	app_status(a, 1, ":ctx %s: no such context (known: %s)", arg, names);
	free(names);
}

APP_COMMAND(cmd_ctx_info, .name = "ctx", .args = "[NAME]",
	    .help = "Switch to a context of the config file; alone, list them", .run = cmd_ctx,
	    .rank = 120);
APP_COMMAND(cmd_filter_info, .name = "filter", .args = "[EXPR]",
	    .help = "Filter models or runs with MLflow syntax: metrics.acc > 0.9", .run = cmd_filter,
	    .rank = 130);
APP_COMMAND(cmd_refresh_info, .name = "refresh", .args = "", .help = "Reload from the registry",
	    .run = cmd_refresh, .rank = 140);
APP_COMMAND(cmd_quit_info, .name = "quit", .args = "", .help = "Quit (also :q)", .run = cmd_quit,
	    .rank = 160);
APP_COMMAND(cmd_q_info, .name = "q", .args = "", .help = "Quit", .run = cmd_quit, .rank = 170);

MLC_SET_DECLARE(app_commands, const struct app_command_info);

static int by_rank(const void *x, const void *y)
{
	const struct app_command_info *a = *(const struct app_command_info *const *)x;
	const struct app_command_info *b = *(const struct app_command_info *const *)y;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return strcmp(a->name, b->name);
}

const struct app_command_info *const *app_commands(size_t *n)
{
	static const struct app_command_info **sorted;
	static size_t count;

	if (sorted == NULL) { /* once: the set does not change while the program runs */
		count = MLC_SET_COUNT(app_commands);
		sorted = xcalloc(count + 1, sizeof *sorted);
		for (size_t i = 0; i < count; i++)
			sorted[i] = MLC_SET_BEGIN(app_commands)[i];
		qsort(sorted, count, sizeof *sorted, by_rank);
	}
	*n = count;
	return sorted;
}

const struct app_command_info *app_command_find(const char *name)
{
	size_t n;
	const struct app_command_info *const *all = app_commands(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

void app_command(struct app *a, const char *line)
{
	char name[64];
	size_t n = 0;

	while (*line == ' ')
		line++;
	while (line[n] && line[n] != ' ' && n + 1 < sizeof name) {
		name[n] = line[n];
		n++;
	}
	name[n] = '\0';
	line += n;
	while (*line == ' ')
		line++;
	if (n == 0)
		return;
	const struct app_command_info *c = app_command_find(name);
	if (c != NULL) {
		char why[512];
		if (app_command_refusal(a, c, 0, why, sizeof why)) {
			app_status(a, 1, "%s", why); /* and the view stays */
			return;
		}
		char *arg = xstrdup(line);
		size_t len = strlen(arg);
		while (len && arg[len - 1] == ' ')
			arg[--len] = '\0';
		c->run(a, arg);
		free(arg);
		return;
	}
	char *safe = sanitize_dup(name);
	app_status(a, 1, ":%s: unknown command (? lists them)", safe);
	free(safe);
}

/* Tab after ":ctx ": the configured context names. */
static int complete_context(struct app *a)
{
	const char **names = xcalloc(a->config.n_contexts + 1, sizeof *names);
	int n;

	for (size_t i = 0; i < a->config.n_contexts; i++)
		names[i] = a->config.contexts[i].name;
	n = input_complete(&a->input, names, a->config.n_contexts);
	free(names);
	return n;
}

/* Tab in command mode: command names, then model names for :versions and
 * context names for :ctx. */
static void complete_command(struct app *a)
{
	const char *sp = strchr(a->input.buf, ' ');
	int n;

	if (sp == NULL) {
		size_t nc;
		const struct app_command_info *const *all = app_commands(&nc);
		const char **names = xcalloc(nc, sizeof *names);
		for (size_t i = 0; i < nc; i++)
			names[i] = all[i]->name;
		n = input_complete(&a->input, names, nc);
		free(names);
	} else if (strncmp(a->input.buf, "versions ", 9) == 0) {
		n = input_complete(&a->input, (const char *const *)a->model_names,
				   a->n_model_names);
	} else if (strncmp(a->input.buf, "ctx ", 4) == 0) {
		n = complete_context(a);
	} else {
		n = -1;
	}
	if (n == 0)
		app_status(a, 1, "no completion");
}

/* ---- drawing ------------------------------------------------------------ */

/* The header: "mlconsole │ CONTEXT │ KIND:URI │ USER  READ-ONLY  HH:MM". When
 * it does not fit, the READ-ONLY badge (at the right edge) and the context
 * name come first; the URI, then the user, then the clock give way. */
static void draw_header(struct app *a)
{
	const struct draw_ctx *d = &a->draw;
	char clock[16], *where;
	time_t now = time(NULL);
	struct tm tm;
	int x = 1, w = a->cols, right = w - 1; /* the left part ends before right */

	strftime(clock, sizeof clock, "%H:%M", localtime_r(&now, &tm));
	draw_fill(d, 0, 0, w, THEME_HEADER);
	if (a->read_only && w >= 14) {
		draw_text(d, 0, w - 12, 11, " READ-ONLY ", THEME_BADGE, 0, 0);
		right = w - 13;
	}
	x += draw_text(d, 0, x, right - x, "mlconsole", THEME_HEADER, 0, 0) + 1;
	x += draw_text(d, 0, x, right - x, draw_glyph(d, GLYPH_SEP), THEME_HEADER, 0, 0) + 1;
	if (a->context) {
		x += draw_text(d, 0, x, right - x < 24 ? right - x : 24, a->context->name,
			       THEME_HEADER, 0, 0) +
		     1;
		x +=
		    draw_text(d, 0, x, right - x, draw_glyph(d, GLYPH_SEP), THEME_HEADER, 0, 0) + 1;
	}
	where = xasprintf("%s:%s", a->registry_kind, a->registry_display);
	x += draw_text(d, 0, x, right - x - 16, where, THEME_HEADER, 0, 0) + 1;
	free(where);
	x += draw_text(d, 0, x, right - x - 7, draw_glyph(d, GLYPH_SEP), THEME_HEADER, 0, 0) + 1;
	x += draw_text(d, 0, x, right - x - 7, a->user, THEME_HEADER, 0, 0) + 1;
	if (a->unauthenticated)
		x += draw_text(d, 0, x, right - x - 7, "(server: no auth)", THEME_HEADER, 0, 0) + 1;
	if (right - x >= 6)
		draw_text(d, 0, right - 5, 5, clock, THEME_HEADER, 1, 0);
}

static void draw_title(struct app *a, struct view *v)
{
	const struct draw_ctx *d = &a->draw;
	struct strbuf sb = {0};
	int x;

	draw_fill(d, 1, 0, a->cols, THEME_NORMAL);
	x = 1 + draw_text(d, 1, 1, a->cols - 2, v->title, THEME_TITLE, 0, 0) + 1;
	if (v->search) {
		char *safe = sanitize_dup(v->search);
		char *where = xasprintf("where %s", safe);
		x += draw_text(d, 1, x, a->cols - x - 1, where, THEME_FILTER, 0, 0) + 1;
		free(where);
		free(safe);
	}
	if (v->loaded_once && v->ops->count) {
		int64_t all, shown;
		if (v->ops->count(v, &all, &shown) < 0)
			sb_add(&sb, "(counting)");
		else if (shown != all)
			sb_printf(&sb, "(%lld of %lld)", (long long)shown, (long long)all);
		else
			sb_printf(&sb, "(%lld)", (long long)all);
	} else if (v->loaded_once && v->ops->counted) {
		size_t shown, all = table_count(&v->table, &shown);
		sb_printf(&sb, "(%zu", shown);
		if (shown != all)
			sb_printf(&sb, " of %zu", all);
		sb_add(&sb, ")");
	}
	if (v->loaded_once && v->loading)
		sb_printf(&sb, " %s %.1fs", draw_spinner(d, a->spin),
			  (double)(timefmt_now_ms() - v->load_started_ms) / 1000.0);
	if (v->loaded_once && v->error && !v->loading) {
		/* The refresh failed: the last good data stays, with its age. */
		char age[32];
		timefmt_ago(v->loaded_at_ms, timefmt_now_ms(), age, sizeof age);
		sb_printf(&sb, "  STALE: refresh failed, data from %s", age);
	}
	if (*v->table.filter) {
		char *safe = sanitize_dup(v->table.filter);
		sb_printf(&sb, "  /%s", safe);
		free(safe);
	}
	draw_text(d, 1, x, a->cols - x - 1, sb_str(&sb), THEME_DIM, 0, 0);
	sb_free(&sb);
}

/* Draw s wrapped in width columns from row y, at most h lines (2 columns in);
 * what does not fit ends in … on the last. */
static void draw_lines(const struct draw_ctx *d, const char *s, int y, int h, int width,
		       enum theme_role role)
{
	char *safe = sanitize_dup(s);
	size_t off = 0, next;

	for (int i = 0; i < h && (i == 0 || safe[off]); i++) {
		size_t len = draw_wrap_line(d, safe + off, width, &next);
		char *piece = i == h - 1 ? xstrdup(safe + off) : xstrndup(safe + off, len);
		draw_text(d, y + i, 2, width, piece, role, 0, 0);
		free(piece);
		off += next;
	}
	free(safe);
}

static void draw_body(struct app *a, struct view *v, int y, int h)
{
	const struct draw_ctx *d = &a->draw;

	if (!v->loaded_once) {
		char msg[128];
		int gap = h > 1; /* a blank line above it, when there is room */
		for (int i = 0; i < h; i++)
			draw_fill(d, y + i, 0, a->cols, THEME_NORMAL);
		if (v->error) {
			draw_lines(d, v->error, y + gap, h - gap, a->cols - 4, THEME_ERROR);
		} else {
			int64_t ms = timefmt_now_ms() - v->load_started_ms;
			snprintf(msg, sizeof msg, "%s Loading%s %.1fs", draw_spinner(d, a->spin),
				 draw_glyph(d, GLYPH_ELLIPSIS), (double)ms / 1000.0);
			draw_text(d, y + gap, 2, a->cols - 4, msg, THEME_DIM, 0, 0);
		}
		return;
	}
	if (v->ops->draw) {
		v->ops->draw(a, v, y, h);
		return;
	}
	table_draw(a, &v->table, y, h, a->cols);
	if (v->table.nvis == 0 && h > 2)
		draw_text(d, y + 2, 2, a->cols - 4,
			  v->table.nrows ? "No rows match the filter (Esc clears it)"
					 : "Nothing here yet",
			  THEME_DIM, 0, 0);
}

/* The actions that need something of the registry (registry_can): the
 * changes, and the drift view. */
static const struct {
	enum action act;
	unsigned need;
	const char *verb;
} gated_actions[] = {
    {ACT_DEPLOYMENTS, REG_CAP_DEPLOY, "show deployments"},
    {ACT_DEPLOY, REG_CAP_WRITE | REG_CAP_DEPLOY, "deploy"},
    {ACT_ROLLBACK, REG_CAP_WRITE | REG_CAP_DEPLOY, "roll back"},
    {ACT_HOOK_RETRY, REG_CAP_WRITE | REG_CAP_DEPLOY, "run a hook again"},
    {ACT_APPROVE, REG_CAP_WRITE | REG_CAP_DEPLOY, "approve"},
    {ACT_REJECT, REG_CAP_WRITE | REG_CAP_DEPLOY, "reject"},
    {ACT_DRIFT, REG_CAP_DRIFT, "show drift"},
};

/* 1 if what needs need of the registry is refused here, why into msg[len]
 * (app_refusal). A change on a registry opened read-only keeps that reason. */
static int refusal(const struct app *a, unsigned need, const char *verb, int brief, char *msg,
		   size_t len)
{
	struct mlc_error err = {0};
	const char *why = err.msg;

	/* read-only by the user's or the file's choice: that reason */
	if ((need & REG_CAP_WRITE) && a->read_only && a->read_only_why[0])
		snprintf(err.msg, sizeof err.msg, "read-only: changes are refused (%s)",
			 a->read_only_why);
	else if (need == 0 || a->reg == NULL || registry_can(a->reg, need, verb, &err) == 0)
		return 0;
	else if (brief && strncmp(why, a->reg->display, strlen(a->reg->display)) == 0 &&
		 strncmp(why + strlen(a->reg->display), ": ", 2) == 0)
		why += strlen(a->reg->display) + 2;
	if (msg)
		snprintf(msg, len, "%s", why);
	return 1;
}

int app_refusal(const struct app *a, enum action act, int brief, char *msg, size_t len)
{
	unsigned need = action_info(act)->flags & A_DANGER ? REG_CAP_WRITE : 0;
	const char *verb = "change anything";

	for (size_t i = 0; i < sizeof gated_actions / sizeof gated_actions[0]; i++)
		if (gated_actions[i].act == act) {
			need = gated_actions[i].need;
			verb = gated_actions[i].verb;
		}
	return refusal(a, need, verb, brief, msg, len);
}

int app_command_refusal(const struct app *a, const struct app_command_info *c, int brief, char *msg,
			size_t len)
{
	return refusal(a, c->need, c->verb, brief, msg, len);
}

/* Add "KEY word" to the footer's hints when it fits whole in room columns;
 * a hint that does not fit is left out (the ? screen lists every key), so
 * the footer never ends in a cut word. */
static void add_hint(struct app *a, struct strbuf *sb, int room, int key, const char *word)
{
	char label[16];
	char *item;

	action_key_label(key, a->utf8, label, sizeof label);
	item = xasprintf("%s%s %s", sb->len ? "  " : "", label, word);
	if (draw_width(&a->draw, sb_str(sb)) + draw_width(&a->draw, item) <= room)
		sb_add(sb, item);
	free(item);
}

/* The view's own keys for the footer (ops->hints), each with its word from
 * actions.def; refused ones left out. */
static void view_hints(struct app *a, struct view *v, struct strbuf *sb, int room)
{
	for (int i = 0; i < 8 && v->ops->hints[i] != ACT_NONE; i++) {
		const struct action_info *ai = action_info(v->ops->hints[i]);
		if (!*ai->hint || app_refusal(a, ai->id, 0, NULL, 0))
			continue;
		add_hint(a, sb, room, ai->keys[0], ai->hint);
	}
}

/* Footer hints from the actions flagged A_HINT (the ? screen's own table),
 * those that fit in room columns. */
static void footer_hints(struct app *a, struct view *v, struct strbuf *sb, int room)
{
	/* ? help first, as htop's F1: a narrow footer cuts the end, not it */
	for (int i = 0; i < ACT_N; i++) {
		int act = i == 0 ? ACT_HELP : i;
		const struct action_info *ai = action_info((enum action)act);
		if ((i > 0 && act == ACT_HELP) || !(ai->flags & A_HINT) ||
		    app_refusal(a, (enum action)act, 0, NULL, 0))
			continue;
		if (act == ACT_ENTER &&
		    (v->ops->enter_hint == NULL || (v->ops->enter_here && !v->ops->enter_here(v))))
			continue;
		if (act == ACT_BACK && a->depth < 2)
			continue;
		add_hint(a, sb, room, ai->keys[0],
			 act == ACT_ENTER ? v->ops->enter_hint : ai->hint);
		if (act == ACT_ENTER)
			view_hints(a, v, sb, room);
	}
}

/* Draw s (sanitised) on the bottom lines in role: one line when it fits,
 * else wrapped over as many as it takes (up to all but the header), above the
 * body until the next key clears it. */
static void draw_wrapped(struct app *a, const char *s, enum theme_role role)
{
	const struct draw_ctx *d = &a->draw;
	size_t off = 0, next, lens[64], offs[64];
	int n = 0, max = a->rows - 1 < 64 ? a->rows - 1 : 64;

	do {
		lens[n] = draw_wrap_line(d, s + off, a->cols - 2, &next);
		offs[n++] = off;
		off += next;
	} while (s[off] && n < max);
	for (int i = 0; i < n; i++) {
		char *piece = xstrndup(s + offs[i], lens[i]);
		int y = a->rows - n + i;
		draw_fill(d, y, 0, a->cols, THEME_FOOTER);
		/* what does not fit even so ends in … on the last line */
		draw_text(d, y, 1, a->cols - 2, i == n - 1 && s[off] ? s + offs[i] : piece, role, 0,
			  0);
		free(piece);
	}
}

static void draw_footer(struct app *a, struct view *v)
{
	const struct draw_ctx *d = &a->draw;
	int y = a->rows - 1;

	draw_fill(d, y, 0, a->cols, THEME_FOOTER);
	if (a->mode != MODE_NORMAL) {
		char *safe = sanitize_dup(a->input.buf);
		char *line = a->mode == MODE_PROMPT ? xasprintf("%s%s", a->prompt_label, safe)
						    : xasprintf("%c%s", a->input.prefix, safe);
		int w = draw_text(d, y, 0, a->cols - 1, line, THEME_FILTER, 0, 0);
		move(y, w < a->cols ? w : a->cols - 1);
		free(line);
		free(safe);
		return;
	}
	if (a->status[0]) {
		char *safe = sanitize_dup(a->status);
		draw_wrapped(a, safe, a->status_error ? THEME_ERROR : THEME_STATUS);
		free(safe);
		return;
	}
	struct strbuf sb = {0};
	char pending[32] = "";
	int pw = 0;
	if (a->pending > 0) {
		snprintf(pending, sizeof pending, " %lld pending ", (long long)a->pending);
		pw = draw_width(d, pending);
		draw_text(d, y, a->cols - pw - 1, pw, pending, THEME_BADGE, 0, 0);
	}
	footer_hints(a, v, &sb, a->cols - 3 - pw);
	draw_text(d, y, 1, a->cols - 3 - pw, sb_str(&sb), THEME_FOOTER, 0, 0);
	sb_free(&sb);
}

static void draw_too_small(struct app *a)
{
	char msg[96];

	erase();
	snprintf(msg, sizeof msg, "Terminal too small: %dx%d (need %dx%d)", a->cols, a->rows,
		 MIN_COLS, MIN_ROWS);
	draw_text(&a->draw, a->rows / 2, 0, a->cols, msg, THEME_ERROR, 0, 0);
	if (a->rows > 1)
		draw_text(&a->draw, a->rows / 2 + 1, 0, a->cols, "q quits", THEME_NORMAL, 0, 0);
}

/* Full repaint (ncdu's way: resize is then always right); curses sends only the diff. */
/* MLCONSOLE_TIMING=FILE, for tests/bench/bench_tui.sh: after each frame one
 * line — ms from the last key read to the frame on the terminal, the top
 * view's name, its rows, whether it is loading, the cursor's row key. */
static FILE *timing;
static int64_t key_read_us;

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void timing_frame(const struct view *v)
{
	const char *key = table_cursor_key(&v->table);

	if (timing == NULL || key_read_us == 0)
		return;
	fprintf(timing, "%.2f %s %zu %d %s\n", (double)(now_us() - key_read_us) / 1000.0,
		v->ops->name, v->table.nrows, v->loading, key ? key : "-");
	fflush(timing);
}

static void app_draw(struct app *a)
{
	struct view *v = app_top(a);

	/* A view under the one where a change was made shows what was true
	 * before it: reload it as it comes back on top. */
	if (v->loaded_once && !v->loading && v->changes_seen != a->changes && v->ops->load) {
		v->changes_seen = a->changes;
		v->ops->load(a, v);
	}

	getmaxyx(stdscr, a->rows, a->cols);
	if (a->rows < MIN_ROWS || a->cols < MIN_COLS) {
		draw_too_small(a);
		curs_set(0);
		refresh();
		return;
	}
	draw_header(a);
	draw_title(a, v);
	draw_body(a, v, 2, a->rows - 3);
	curs_set(a->mode != MODE_NORMAL && a->dialog == NULL);
	draw_footer(a, v);
	if (a->dialog)
		dialog_draw(a, a->dialog);
	refresh();
	timing_frame(v);
}

/* ---- keys --------------------------------------------------------------- */

/* A key in the / or : prompt. */
/* The / text of view v is now text: the table filters its rows, or the view
 * asks its registry (a window of many runs). */
static void set_text(struct app *a, struct view *v, const char *text)
{
	int same = strcmp(v->table.filter ? v->table.filter : "", text) == 0;

	table_set_filter(&v->table, text);
	if (!same && v->ops->text_changed)
		v->ops->text_changed(a, v);
}

static void prompt_key(struct app *a, int key, int is_wide)
{
	struct view *v = app_top(a);
	enum input_result r;

	if (a->mode == MODE_COMMAND && is_wide && key == '\t') {
		complete_command(a);
		return;
	}
	if (a->mode == MODE_PROMPT && is_wide && key == '\t') {
		prompt_tab(a);
		return;
	}
	r = input_key(&a->input, key, is_wide);
	if (a->mode == MODE_PROMPT) {
		if (r == INPUT_EDITING)
			return;
		a->mode = MODE_NORMAL;
		app_prompt_offer(a, NULL, 0);
		if (r == INPUT_ACCEPT && a->prompt_done)
			a->prompt_done(a, a->input.buf, a->prompt_ctx);
		if (a->prompt_discard)
			a->prompt_discard(a->prompt_ctx);
		a->prompt_done = NULL;
		a->prompt_discard = NULL;
		a->prompt_ctx = NULL;
		return;
	}
	if (a->mode == MODE_FILTER) {
		set_text(a, v, r == INPUT_CANCEL ? a->filter_before : a->input.buf);
		if (r != INPUT_EDITING)
			a->mode = MODE_NORMAL;
		return;
	}
	if (r == INPUT_EDITING)
		return;
	a->mode = MODE_NORMAL;
	if (r == INPUT_ACCEPT) {
		char *line = xstrdup(a->input.buf);
		app_command(a, line);
		free(line);
	}
}

/* The label of act's first key, as the footer shows it (two buffers: two
 * labels may go to one printf). */
static const char *act_key(const struct app *a, enum action act)
{
	static char buf[2][16];
	static int which;

	which = !which;
	action_key_label(action_info(act)->keys[0], a->utf8, buf[which], sizeof buf[which]);
	return buf[which];
}

/* dialog_add_field as a table_row_fields callback. */
static void add_field(void *d, const char *title, const char *value)
{
	dialog_add_field(d, title, value);
}

/* The cursor's row of v, every field whole, in a dialog. */
static void open_fields(struct app *a, struct view *v)
{
	char *title = xasprintf("%s: the row whole", v->title);
	struct dialog *d = dialog_fields_new(title);

	free(title);
	if (v->ops->draw || table_row_fields(&v->table, add_field, d) < 0 || d->nfields == 0) {
		dialog_free(d);
		app_status(a, 1, "no row here to show");
		return;
	}
	app_dialog(a, d);
}

/* The copy key in a fields dialog: the selected value to the clipboard with
 * OSC 52 when the config file allows it, else how to allow it. */
static void copy_field(struct app *a, const struct dialog *d)
{
	const char *title = NULL, *value = dialog_selected(d, &title);

	if (value == NULL)
		return;
	if (!a->config.clipboard_osc52) {
		app_status(a, 1,
			   "copy is off: add clipboard = osc52 under [general] in %s (the "
			   "terminal must accept OSC 52)",
			   a->config.path ? a->config.path : "~/.config/mlconsole/config");
		return;
	}
	if (draw_osc52(value) < 0)
		app_status(a, 1, "copy failed: the terminal could not be written");
	else
		app_status(a, 0, "copied %s (%zu bytes) to the clipboard with OSC 52", title,
			   strlen(value));
}

/* A key in normal mode: the view first, then the table, then the app. */
static void normal_key(struct app *a, enum action act)
{
	struct view *v = app_top(a);
	char why[512];

	a->status[0] = '\0';
	if (a->rows < MIN_ROWS || a->cols < MIN_COLS) {
		if (act == ACT_QUIT)
			a->quit = 1;
		return;
	}
	if (app_refusal(a, act, 0, why, sizeof why)) { /* and the view stays as it is */
		app_status(a, 1, "%s", why);
		return;
	}
	if (v->ops->action && v->ops->action(a, v, act) != V_IGNORED)
		return;
	if (table_move(&v->table, act, a->rows - 4) != V_IGNORED)
		return;
	switch (act) {
	case ACT_COL_RIGHT:
	case ACT_COL_LEFT:
		if (table_hscroll(&v->table, act) == V_IGNORED)
			app_status(a, 0, "no more columns on the %s",
				   act == ACT_COL_RIGHT ? "right" : "left");
		break;
	case ACT_FIELDS:
		open_fields(a, v);
		break;
	case ACT_COPY:
		app_status(a, 0, "%s opens the row's fields; %s there copies the selected one",
			   act_key(a, ACT_FIELDS), act_key(a, ACT_COPY));
		break;
	case ACT_BACK:
		if (v->loading)
			worker_interrupt(a->worker); /* Esc cancels a slow load */
		if (*v->table.filter)
			set_text(a, v, "");
		else
			app_pop(a);
		break;
	case ACT_FILTER: /* a new filter; Esc keeps the one there was */
		a->mode = MODE_FILTER;
		snprintf(a->filter_before, sizeof a->filter_before, "%s", v->table.filter);
		input_start(&a->input, '/', NULL);
		break;
	case ACT_COMMAND:
		a->mode = MODE_COMMAND;
		input_start(&a->input, ':', NULL);
		break;
	case ACT_REFRESH:
		cmd_refresh(a, "");
		break;
	case ACT_HELP:
		if (strcmp(v->ops->name, "help") != 0)
			app_push(a, view_help_new(a));
		break;
	case ACT_QUIT:
		a->quit = 1;
		break;
	default:
		break;
	}
}

/* Read every key waiting on the terminal. */
static void read_keys(struct app *a)
{
	wint_t ch;
	int rc;

	while (!a->quit && (rc = get_wch(&ch)) != ERR) {
		key_read_us = now_us();
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue; /* the next draw measures the screen again */
		if (a->dialog) {
			int res = dialog_key(a->dialog, (int)ch, rc == OK);
			if (a->dialog->nfields) /* a message stays until the next key */
				a->status[0] = '\0';
			if (res == DIALOG_COPY) {
				copy_field(a, a->dialog);
				continue;
			}
			if (res == DIALOG_CONFIRM && a->dialog->confirm) {
				a->dialog->confirm(a, a->dialog->ctx);
				a->dialog->ctx = NULL; /* confirm took it */
			}
			if (res != 0) {
				dialog_free(a->dialog);
				a->dialog = NULL;
			}
			continue;
		}
		if (a->mode != MODE_NORMAL)
			prompt_key(a, (int)ch, rc == OK);
		else
			normal_key(a, action_for_key((int)ch));
	}
}

/* ---- start-up ----------------------------------------------------------- */

/* Theme warnings go to the footer once the screen is up. */
static void theme_warning(void *ctx, const char *msg)
{
	struct strbuf *sb = ctx;
	if (sb->len == 0)
		sb_add(sb, msg);
	else if (!strstr(sb_str(sb), "(more"))
		sb_add(sb, " (more warnings)");
}

/* Read the config file once. When the registry choice does not depend on it
 * (-r, $MLFLOW_TRACKING_URI) a bad file is a warning for the footer. */
static int load_config(struct app *a, struct strbuf *warnings, struct mlc_error *err)
{
	char *path = config_path();
	int rc = config_load(&a->config, path, err);

	free(path);
	if (rc == 0 || cli_needs_config(a->opts))
		return rc;
	sb_printf(warnings, "%s%s", warnings->len ? "; " : "", err->msg);
	mlc_error_clear(err);
	return 0;
}

/* The registry to open: --demo (made on first use) or the CLI's choice, which
 * may be a context of the config file (then a->context). */
static char *pick_uri(struct app *a, struct mlc_error *err)
{
	const struct cli_opts *o = a->opts;
	struct stat st;
	char *path;

	if (!o->have_demo)
		return cli_registry_uri(o, &a->config, &a->context, err);
	path = *o->demo ? xstrdup(o->demo) : cli_demo_path();
	if (stat(path, &st) < 0) {
		struct demo_opts d = {.seed = 1};
		fprintf(stderr, "mlconsole: creating the demo registry at %s\n", path);
		for (char *p = path + 1; *p; p++) /* its folder may not exist yet */
			if (*p == '/') {
				*p = '\0';
				mkdir(path, 0700);
				*p = '/';
			}
		if (demo_create(path, &d, err) < 0) {
			free(path);
			return NULL;
		}
	}
	char *uri = xasprintf("sqlite:%s", path);
	free(path);
	return uri;
}

/* Keys that terminals send though their terminfo entry does not list them
 * (vt100 and screen lack PgUp/PgDn/Home/End; tmux and xterm send these): with
 * Esc quick, an unknown sequence would arrive as Esc and close the view. */
static void define_common_keys(void)
{
	static const struct {
		const char *seq;
		int key;
	} k[] = {
	    {"\033[5~", KEY_PPAGE}, {"\033[6~", KEY_NPAGE}, {"\033[1~", KEY_HOME},
	    {"\033[4~", KEY_END},   {"\033[7~", KEY_HOME},  {"\033[8~", KEY_END},
	    {"\033[H", KEY_HOME},   {"\033[F", KEY_END},    {"\033OH", KEY_HOME},
	    {"\033OF", KEY_END},    {"\033[A", KEY_UP},	    {"\033[B", KEY_DOWN},
	    {"\033[C", KEY_RIGHT},  {"\033[D", KEY_LEFT},   {"\033OA", KEY_UP},
	    {"\033OB", KEY_DOWN},   {"\033OC", KEY_RIGHT},  {"\033OD", KEY_LEFT},
	    {"\033[Z", KEY_BTAB},
	};

	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (key_defined(k[i].seq) == 0) /* the terminfo entry does not have it */
			define_key(k[i].seq, k[i].key);
}

/* Set up curses: locale-aware glyphs, colours by theme, quick Esc. */
static void screen_init(struct app *a)
{
	const char *nc = getenv("NO_COLOR");

	a->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	define_common_keys();
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	a->no_colour = (nc && *nc) || !has_colors();
	if (!a->no_colour) {
		start_color();
		use_default_colors();
	}
	theme_apply(&a->theme, a->no_colour);
	draw_init(&a->draw, a->utf8, &a->theme);
	bkgdset((chtype)a->theme.cattr[THEME_NORMAL]);
}

/* The view on top may act on time passing (ops->tick): not under a dialog
 * or a prompt, whose answer is about the rows as they are. */
static void tick(struct app *a)
{
	struct view *v = app_top(a);

	if (v && v->ops->tick && a->dialog == NULL && a->mode != MODE_PROMPT && a->worker)
		v->ops->tick(a, v);
}

/* The first view: the models, or the pulse ([general] start = pulse). */
static struct view *first_view(struct app *a)
{
	return a->config.start_pulse ? view_pulse_new(a, a->config.pulse_refresh)
				     : view_models_new(a);
}

/* The loop: draw, wait for the terminal or the worker, handle what came. */
static void app_loop(struct app *a)
{
	struct pollfd fds[2] = {{.fd = 0, .events = POLLIN},
				{.fd = worker_fd(a->worker), .events = POLLIN}};
	const char *tf = getenv("MLCONSOLE_TIMING");

	if (tf && *tf && timing == NULL)
		timing = fopen(tf, "ae"); /* not inherited by hooks */

	while (!a->quit) {
		fds[1].fd = worker_fd(a->worker); /* :ctx starts another worker */
		app_draw(a);
		int timeout = worker_busy(a->worker) ? 100 : 1000;
		int n = poll(fds, 2, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (worker_busy(a->worker))
			a->spin++;
		if (fds[1].revents & POLLIN)
			worker_drain(a->worker, a);
		read_keys(a);
		tick(a);
		/* The terminal went away. A hung-up tty polls POLLHUP with POLLIN
		 * (its read gives EOF), so POLLIN must not keep the loop going:
		 * with SIGHUP ignored (nohup) it would spin. */
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
	}
}

/* The theme: the context's own (a per-context skin outranks --theme, so
 * production always looks like production), else --theme, else [general]. */
static const char *theme_name(const struct app *a)
{
	if (a->context && a->context->theme)
		return a->context->theme;
	if (a->opts->theme)
		return a->opts->theme;
	return a->config.theme ? a->config.theme : "default";
}

/* Load the theme for the current context into a->theme (the built-in one
 * when it fails). */
static int load_theme(struct app *a, struct strbuf *warnings, struct mlc_error *err)
{
	char msg[sizeof err->msg];
	int rc = theme_load(&a->theme, theme_name(a), MLC_DATADIR, theme_warning, warnings, err);

	if (rc < 0 && a->context && a->context->theme) {
		snprintf(msg, sizeof msg, "%s", err->msg);
		mlc_error_set(err, err->code, "context %s: %s", a->context->name, msg);
	}
	return rc;
}

/* Load and apply the theme of the context just entered; a failure falls
 * back to the built-in theme with the message in the footer. */
static void restyle(struct app *a)
{
	struct strbuf warnings = {0};
	struct mlc_error err = {0};

	if (load_theme(a, &warnings, &err) < 0)
		app_status(a, 1, "%s", err.msg);
	else if (warnings.len)
		app_status(a, 1, "theme: %s", sb_str(&warnings));
	sb_free(&warnings);
	theme_apply(&a->theme, a->no_colour);
	draw_init(&a->draw, a->utf8, &a->theme);
	bkgdset((chtype)a->theme.cattr[THEME_NORMAL]);
}

/* Open uri for context x (NULL: none), exporting its secrets first; its
 * read_only = yes opens it read-only. */
static struct registry *open_registry(struct app *a, const struct config_context *x,
				      const char *uri, struct mlc_error *err)
{
	struct registry_open_opts ro = {
	    .read_only = a->opts->read_only || (x && x->read_only),
	    .read_only_why = a->opts->read_only ? "--read-only" : "the context's read_only = yes",
	    .stages = x && x->stages};

	if (cli_context_secrets(x, &a->secrets_owned, err) < 0)
		return NULL;
	return registry_open(uri, &ro, err);
}

/* The acting user as the server knows it (worker thread), for the header. */
struct auth_job {
	char user[128];
	int auth;
	struct mlc_error err;
};

static void auth_run(struct registry *r, void *arg)
{
	struct auth_job *j = arg;
	j->auth = registry_auth(r, j->user, sizeof j->user, &j->err);
}

/* Main thread: name the server's user, or say the server does not authenticate. */
static void auth_done(struct app *a, void *arg)
{
	struct auth_job *j = arg;

	if (a != NULL && j->auth == REG_AUTH_USER)
		snprintf(a->user, sizeof a->user, "%s", j->user);
	if (a != NULL)
		a->unauthenticated = j->auth == REG_AUTH_NONE;
	free(j);
}

/* Ask the registry who acts (after the first view's load, which a slow
 * server should not wait for); not with --as. */
static void ask_auth(struct app *a)
{
	if (a->opts->as_user == NULL)
		worker_submit(a->worker, auth_run, auth_done, xcalloc(1, sizeof(struct auth_job)));
}

/* Make reg (opened for x at uri) the console's: header, read-only badge,
 * hooks, and a worker thread that owns it from now on. */
static int adopt_registry(struct app *a, struct registry *reg, const struct config_context *x,
			  const char *uri, struct mlc_error *err)
{
	struct mlc_error herr = {0};

	free(a->registry_display);
	free(a->registry_kind);
	a->registry_display = xstrdup(reg->display);
	a->registry_kind = xstrdup(reg->ops->kind);
	cli_identity(a->opts, a->user, sizeof a->user);
	a->unauthenticated = 0;
	a->read_only = a->opts->read_only || reg->read_only || (x && x->read_only);
	snprintf(a->read_only_why, sizeof a->read_only_why, "%s",
		 a->opts->read_only   ? "--read-only"
		 : reg->read_only_why ? reg->read_only_why
		 : x && x->read_only  ? "the context's read_only = yes"
				      : ""); /* its capabilities say (app_refusal) */
	a->reg = reg;
	a->context = x;
	if (uri != a->uri) {
		free(a->uri);
		a->uri = xstrdup(uri);
	}
	hooks_free(&a->hooks);
	if (hooks_from_config(&a->hooks, &a->config, x ? x->name : NULL, &herr) < 0)
		app_status(a, 1, "%s", herr.msg);
	if ((a->worker = worker_start(reg)) == NULL) {
		a->reg = NULL;
		registry_close(reg);
		return mlc_error_set(err, MLC_ERR_FAILED,
				     "cannot start the registry worker thread");
	}
	return 0;
}

/* Start again at the models view of the registry just entered. */
static void reset_views(struct app *a)
{
	while (a->depth > 0)
		view_free(a->stack[--a->depth]);
	app_set_model_names(a, NULL, 0);
	a->pending = -1;
	app_push(a, first_view(a));
	app_refresh_pending(a);
	ask_auth(a);
}

void app_switch_context(struct app *a, const struct config_context *x)
{
	const struct config_context *old = a->context;
	struct mlc_error err = {0}, again = {0};
	struct registry *reg;

	worker_stop(a->worker); /* finishes the running job; closes the registry */
	a->worker = NULL;
	a->reg = NULL;
	if ((reg = open_registry(a, x, x->uri, &err)) != NULL &&
	    adopt_registry(a, reg, x, x->uri, &err) == 0) {
		app_status(a, 0, "context %s", x->name);
		reset_views(a);
		restyle(a);
		return;
	}
	if ((reg = open_registry(a, old, a->uri, &again)) == NULL ||
	    adopt_registry(a, reg, old, a->uri, &again) < 0) {
		app_status(a, 1, "%s; reopening the current registry failed too: %s", err.msg,
			   again.msg);
		a->quit = 1;
		return;
	}
	reset_views(a);
	app_status(a, 1, "%s", err.msg);
}

int app_main(const struct cli_opts *o)
{
	struct app *a = xcalloc(1, sizeof *a);
	struct mlc_error err = {0};
	struct strbuf warnings = {0};
	struct registry *reg = NULL;
	char *uri = NULL;
	int rc = 0;

	a->opts = o;
	a->read_only = o->read_only;
	if (load_config(a, &warnings, &err) < 0 || (uri = pick_uri(a, &err)) == NULL ||
	    load_theme(a, &warnings, &err) < 0 ||
	    (reg = open_registry(a, a->context, uri, &err)) == NULL ||
	    adopt_registry(a, reg, a->context, uri, &err) < 0) {
		cli_error(o, err.msg);
		free(uri);
		rc = mlc_error_exit_status(&err);
		goto out;
	}
	free(uri);
	screen_init(a);
	if (warnings.len)
		app_status(a, 1, "%s%s",
			   strstr(sb_str(&warnings), "config") ? "" : "theme: ", sb_str(&warnings));
	a->pending = -1;
	app_push(a, first_view(a));
	app_refresh_pending(a);
	ask_auth(a);
	app_loop(a);
	endwin();
	if (a->worker == NULL) { /* :ctx could not reopen the registry it left */
		cli_error(o, a->status);
		rc = 1;
	}
	worker_stop(a->worker);
	while (a->depth > 0)
		view_free(a->stack[--a->depth]);
	dialog_free(a->dialog);
	if (a->prompt_discard)
		a->prompt_discard(a->prompt_ctx);
	app_prompt_offer(a, NULL, 0);
out:
	app_set_model_names(a, NULL, 0);
	free(a->model_names);
	hooks_free(&a->hooks);
	config_free(&a->config);
	free(a->uri);
	free(a->registry_display);
	free(a->registry_kind);
	sb_free(&warnings);
	free(a);
	return rc;
}
