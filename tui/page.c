/* page.c: the rows of a detail page (page.h). */
#include "config.h"
#include <stdio.h>
#include "page.h"
#include "arena.h"
#include "timefmt.h"

/* The cells of one row: first and second as given, the rest empty. */
static void cells(const struct table *t, const char **c, const char *first, const char *second)
{
	for (int i = 0; i < t->ncols; i++)
		c[i] = i == 0 ? first : i == 1 ? second : "";
}

void page_field(struct table *t, enum theme_role role, const char *field, const char *value)
{
	const char *c[TABLE_MAX_COLS];
	char key[32];

	cells(t, c, field, value);
	snprintf(key, sizeof key, "#%zu", t->nrows);
	table_add(t, key, role, c);
}

void page_time(struct table *t, const char *field, int64_t ms)
{
	char buf[32];

	timefmt_minutes(ms, buf, sizeof buf);
	page_field(t, THEME_NORMAL, field, buf);
}

void page_heading(struct table *t, const char *title)
{
	const char *c[TABLE_MAX_COLS];

	cells(t, c, "", "");
	table_add_layout(t, THEME_NORMAL, c);
	c[0] = title;
	table_add_layout(t, THEME_TITLE, c);
}

void page_kv(struct table *t, const char *title, const struct mlc_kv *kv, size_t n)
{
	page_heading(t, title);
	for (size_t i = 0; i < n; i++)
		page_field(t, THEME_NORMAL, kv[i].key, kv[i].value);
	if (n == 0)
		page_field(t, THEME_DIM, "(none)", "");
}

void page_datasets(struct table *t, const char *title, const struct mlc_run *run)
{
	struct mlc_arena a = {0};

	page_heading(t, title);
	for (size_t i = 0; i < run->n_inputs; i++)
		page_field(t, THEME_NORMAL, mlc_input_label(&a, &run->inputs[i]),
			   mlc_input_summary(&a, &run->inputs[i]));
	if (run->n_inputs == 0)
		page_field(t, THEME_DIM, "(none logged)", "");
	arena_free(&a);
}
