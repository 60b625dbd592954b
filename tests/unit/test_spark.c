/* test_spark.c: sparklines and charts to the byte — the ramp and its rounding,
 * gaps for NaN and Inf, constant series, fixed scales, downsampling by means,
 * braille dot order, lines, thresholds and owners, and the ASCII fallbacks. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "spark.h"

#define N(a) (sizeof(a) / sizeof *(a))

/* ---- helpers ------------------------------------------------------------ */

/* Assert the sparkline of v[0..n) under o is want. */
static void assert_spark(const double *v, size_t n, const struct spark_opts *o, const char *want)
{
	char *s = spark_render(v, n, o);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

/* Assert the rows of c, top first, are want[0..c->h). */
static void assert_rows(const struct chart *c, const char *const *want, int h)
{
	assert_int_equal(c->h, h);
	for (int r = 0; r < h; r++)
		assert_string_equal(c->rows[r], want[r]);
}

/* Assert the owners of c, row-major top first, are want[0..w*h). */
static void assert_owners(const struct chart *c, const int *want)
{
	for (int i = 0; i < c->w * c->h; i++)
		assert_int_equal(c->owner[i], want[i]);
}

/* ---- sparklines ----------------------------------------------------------- */

static void test_spark_ramp_covers_all_eight_blocks(void **state)
{
	const double v[] = {0, 1, 2, 3, 4, 5, 6, 7};

	assert_spark(v, N(v), NULL, "▁▂▃▄▅▆▇█");
}

static void test_spark_ascii_ramp_covers_all_eight_levels(void **state)
{
	const double v[] = {0, 1, 2, 3, 4, 5, 6, 7};
	struct spark_opts o = {.ascii = 1};

	assert_spark(v, N(v), &o, ".:-=+*#@");
}

static void test_spark_descending_ramp(void **state)
{
	const double v[] = {70, 60, 50, 40, 30, 20, 10, 0};

	assert_spark(v, N(v), NULL, "█▇▆▅▄▃▂▁");
}

static void test_spark_level_rounds_to_nearest(void **state)
{
	/* 1/4 of the range is level 1.75: rounds to 2 (▃); truncating gives ▂. */
	const double v[] = {0, 1, 4};

	assert_spark(v, N(v), NULL, "▁▃█");
}

static void test_spark_level_half_rounds_up(void **state)
{
	/* the midpoint is level 3.5, which rounds up to 4 (▅) */
	const double v[] = {-1, 0, 1};

	assert_spark(v, N(v), NULL, "▁▅█");
}

static void test_spark_nan_is_a_gap_left_out_of_the_scale(void **state)
{
	const double v[] = {0, NAN, 7, NAN, 3.5};

	assert_spark(v, N(v), NULL, "▁ █ ▅");
}

static void test_spark_inf_is_a_gap_left_out_of_the_scale(void **state)
{
	const double v[] = {0, INFINITY, 7, -INFINITY};

	assert_spark(v, N(v), NULL, "▁ █ ");
}

static void test_spark_constant_series_is_middle_block(void **state)
{
	const double v[] = {3, 3, 3};

	assert_spark(v, N(v), NULL, "▅▅▅");
}

static void test_spark_constant_series_ascii_is_plus(void **state)
{
	const double v[] = {3, 3, 3};
	struct spark_opts o = {.ascii = 1};

	assert_spark(v, N(v), &o, "+++");
}

static void test_spark_single_point_is_middle_block(void **state)
{
	const double v[] = {42};

	assert_spark(v, N(v), NULL, "▅");
}

static void test_spark_single_finite_point_among_gaps_is_middle_block(void **state)
{
	const double v[] = {NAN, -2.5, NAN};

	assert_spark(v, N(v), NULL, " ▅ ");
}

static void test_spark_all_nan_is_all_gaps(void **state)
{
	const double v[] = {NAN, NAN, NAN};

	assert_spark(v, N(v), NULL, "   ");
}

static void test_spark_empty_series_is_empty_string(void **state)
{
	struct spark_opts o = {.width = 5};

	assert_spark(NULL, 0, NULL, "");
	assert_spark(NULL, 0, &o, "");
}

static void test_spark_fixed_scale_places_values_on_it(void **state)
{
	/* on 0..8: 2 is level 1.75 (▃), 4 is 3.5 (▅); the own range would give ▁█ */
	const double v[] = {2, 4};
	struct spark_opts o = {.fixed = 1, .lo = 0, .hi = 8};

	assert_spark(v, N(v), &o, "▃▅");
}

static void test_spark_fixed_scale_clamps_outside_values(void **state)
{
	const double v[] = {-5, 3, 100};
	struct spark_opts o = {.fixed = 1, .lo = 0, .hi = 7};

	assert_spark(v, N(v), &o, "▁▄█");
}

static void test_spark_fixed_scale_ascii(void **state)
{
	const double v[] = {-5, 1, 6, 100, NAN};
	struct spark_opts o = {.ascii = 1, .fixed = 1, .lo = 0, .hi = 7};

	assert_spark(v, N(v), &o, ".:#@ ");
}

static void test_spark_fixed_scale_empty_range_is_constant(void **state)
{
	const double v[] = {1, 9};
	struct spark_opts o = {.fixed = 1, .lo = 5, .hi = 5};
	struct spark_opts inverted = {.fixed = 1, .lo = 5, .hi = 1};

	assert_spark(v, N(v), &o, "▅▅");
	assert_spark(v, N(v), &inverted, "▅▅");
}

static void test_spark_width_shows_cell_means(void **state)
{
	/* cells {0,2} {3,5} {7,7}: means 1, 4, 7 */
	const double v[] = {0, 2, 3, 5, 7, 7};
	struct spark_opts o = {.width = 3};

	assert_spark(v, N(v), &o, "▂▅█");
}

static void test_spark_width_splits_uneven_counts_at_i_n_over_width(void **state)
{
	/* 5 values in 2 cells: [0,2) and [2,5), so the first cell is mean(0,7) = 3.5 */
	const double v[] = {0, 7, 7, 7, 7};
	struct spark_opts o = {.width = 2};

	assert_spark(v, N(v), &o, "▅█");
}

static void test_spark_width_scale_is_over_raw_values(void **state)
{
	/* means 1 and 6 on the raw 0..7 scale; scaling the means would give ▁█ */
	const double v[] = {0, 2, 5, 7};
	struct spark_opts o = {.width = 2};

	assert_spark(v, N(v), &o, "▂▇");
}

static void test_spark_width_mean_skips_nan(void **state)
{
	const double v[] = {0, NAN, 7, NAN};
	struct spark_opts o = {.width = 2};

	assert_spark(v, N(v), &o, "▁█");
}

static void test_spark_width_cell_without_finite_value_is_a_gap(void **state)
{
	const double v[] = {NAN, INFINITY, 0, 7, 3.5, 3.5};
	struct spark_opts o = {.width = 3};

	assert_spark(v, N(v), &o, " ▅▅");
}

static void test_spark_width_ascii(void **state)
{
	const double v[] = {0, 0, 7, 7};
	struct spark_opts o = {.ascii = 1, .width = 2};

	assert_spark(v, N(v), &o, ".@");
}

static void test_spark_width_wider_than_series_does_not_pad(void **state)
{
	const double v[] = {0, 7};
	struct spark_opts o = {.width = 5};

	assert_spark(v, N(v), &o, "▁█");
}

static void test_spark_width_equal_to_series_is_one_cell_per_value(void **state)
{
	const double v[] = {0, 7, 3.5};
	struct spark_opts o = {.width = 3};

	assert_spark(v, N(v), &o, "▁█▅");
}

/* ---- braille charts --------------------------------------------------------- */

static void test_chart_rising_line_sets_braille_dots_bottom_up(void **state)
{
	/* dots (col,row from bottom) (0,0) (1,1) | (2,2) (3,3):
	 * cell 0 = dot 7 + dot 6 = 0x60, cell 1 = dot 2 + dot 4 = 0x0A */
	const double x[] = {0, 1}, y[] = {0, 1};
	struct chart_series s = {x, y, 2};
	struct chart c;
	const char *want[] = {"⡠⠊"};
	const int owners[] = {0, 0};

	assert_int_equal(chart_render(&c, &s, 1, 2, 1, NULL), 0);
	assert_int_equal(c.w, 2);
	assert_rows(&c, want, 1);
	assert_owners(&c, owners);
	chart_free(&c);
}

static void test_chart_falling_line_over_two_rows(void **state)
{
	/* 2x8 dots, (0,7) to (1,0): dots 1,2,3,7 down the left column of the top
	 * cell (0x47), then 4,5,6,8 down the right column of the bottom one (0xB8) */
	const double x[] = {0, 1}, y[] = {1, 0};
	struct chart_series s = {x, y, 2};
	struct chart c;
	const char *want[] = {"⡇", "⢸"};

	assert_int_equal(chart_render(&c, &s, 1, 1, 2, NULL), 0);
	assert_rows(&c, want, 2);
	chart_free(&c);
}

static void test_chart_points_round_to_the_nearest_dot(void **state)
{
	/* lone points; x 0,2,4,6 of 0..6 go to dot columns 0,2,5,7 (of 8) and y
	 * 0, .2, .75, 1 to dot rows 0,1,2,3 from the bottom: dots 7 | 3 | 5 | 4 */
	const double x[] = {0, 1, 2, 3, 4, 5, 6}, y[] = {0, NAN, 0.2, NAN, 0.75, NAN, 1};
	struct chart_series s = {x, y, 7};
	struct chart c;
	const char *want[] = {"⡀⠄⠐⠈"};

	assert_int_equal(chart_render(&c, &s, 1, 4, 1, NULL), 0);
	assert_rows(&c, want, 1);
	chart_free(&c);
}

static void test_chart_flat_series_is_drawn_along_the_middle(void **state)
{
	const double x[] = {0, 1, 2, 3}, y[] = {3, 3, 3, 3};
	struct chart_series s = {x, y, 4};
	struct chart c;
	const char *want[] = {"⠒⠒"};

	assert_int_equal(chart_render(&c, &s, 1, 2, 1, NULL), 0);
	assert_rows(&c, want, 1);
	assert_true(c.ymin == 3 && c.ymax == 3);
	chart_free(&c);
}

static void test_chart_single_point_is_centred_and_empty_cells_are_spaces(void **state)
{
	const double x[] = {5}, y[] = {2};
	struct chart_series s = {x, y, 1};
	struct chart c;
	const char *want[] = {" ⠂"};
	const int owners[] = {-1, 0};

	assert_int_equal(chart_render(&c, &s, 1, 2, 1, NULL), 0);
	assert_rows(&c, want, 1);
	assert_owners(&c, owners);
	chart_free(&c);
}

static void test_chart_nan_breaks_the_line(void **state)
{
	/* (0,0)-(1,3) is joined: dots 7,3 | 5,4 = 0x5C; (3,3) stands alone: dot 4 */
	const double x[] = {0, 1, 2, 3}, y[] = {0, 3, NAN, 3};
	struct chart_series s = {x, y, 4};
	struct chart c;
	const char *want[] = {"⡜⠈"};

	assert_int_equal(chart_render(&c, &s, 1, 2, 1, NULL), 0);
	assert_rows(&c, want, 1);
	chart_free(&c);
}

static void test_chart_x_range_includes_points_with_nan_y(void **state)
{
	const double x[] = {0, 1, 2, 3}, y[] = {0, 0, NAN, NAN};
	struct chart_series s = {x, y, 4};
	struct chart c;

	assert_int_equal(chart_render(&c, &s, 1, 2, 1, NULL), 0);
	assert_string_equal(c.rows[0], "⠒ ");
	assert_true(c.xmin == 0 && c.xmax == 3);
	chart_free(&c);
}

static void test_chart_threshold_is_a_dotted_row_owned_minus_two(void **state)
{
	/* data on the bottom dot row of cell 0 only; threshold 1 on the top row */
	const double x[] = {0, 1, 2, 3}, y[] = {0, 0, NAN, NAN};
	struct chart_series s = {x, y, 4};
	struct chart_opts o = {.has_threshold = 1, .threshold = 1};
	struct chart c;
	const char *want[] = {"⣉⠉"};
	const int owners[] = {0, -2};

	assert_int_equal(chart_render(&c, &s, 1, 2, 1, &o), 0);
	assert_rows(&c, want, 1);
	assert_owners(&c, owners);
	chart_free(&c);
}

static void test_chart_threshold_widens_the_y_range(void **state)
{
	const double x[] = {0, 1}, y[] = {2, 4};
	struct chart_series s = {x, y, 2};
	struct chart_opts above = {.has_threshold = 1, .threshold = 10};
	struct chart_opts below = {.has_threshold = 1, .threshold = -6};
	struct chart c;

	assert_int_equal(chart_render(&c, &s, 1, 4, 2, &above), 0);
	assert_true(c.ymin == 2 && c.ymax == 10);
	chart_free(&c);
	assert_int_equal(chart_render(&c, &s, 1, 4, 2, &below), 0);
	assert_true(c.ymin == -6 && c.ymax == 4);
	chart_free(&c);
}

static void test_chart_threshold_only_cell_above_the_data_is_owned_minus_two(void **state)
{
	/* y 0..2 over 8 dot rows: threshold 2 is dot row 7 (top of the top cell) */
	const double x[] = {0, 1}, y[] = {0, 0};
	struct chart_series s = {x, y, 2};
	struct chart_opts o = {.has_threshold = 1, .threshold = 2};
	struct chart c;
	const char *want[] = {"⠉", "⣀"};
	const int owners[] = {-2, 0};

	assert_int_equal(chart_render(&c, &s, 1, 1, 2, &o), 0);
	assert_rows(&c, want, 2);
	assert_owners(&c, owners);
	chart_free(&c);
}

static void test_chart_later_series_owns_a_shared_cell(void **state)
{
	const double x0[] = {0, 3}, y0[] = {0, 0};
	const double x1[] = {2, 3}, y1[] = {1, 1};
	struct chart_series s[] = {{x0, y0, 2}, {x1, y1, 2}};
	struct chart c;
	const char *want[] = {"⣀⣉"};
	const int owners[] = {0, 1};

	assert_int_equal(chart_render(&c, s, 2, 2, 1, NULL), 0);
	assert_rows(&c, want, 1);
	assert_owners(&c, owners);
	assert_true(c.xmin == 0 && c.xmax == 3 && c.ymin == 0 && c.ymax == 1);
	chart_free(&c);
}

static void test_chart_fixed_y_range_clamps_points(void **state)
{
	/* on 0..1: -5 clamps to the bottom row, 9 to the top */
	const double x[] = {0, 1}, y[] = {-5, 9};
	struct chart_series s = {x, y, 2};
	struct chart_opts o = {.fixed_y = 1, .ymin = 0, .ymax = 1};
	struct chart c;

	assert_int_equal(chart_render(&c, &s, 1, 2, 1, &o), 0);
	assert_string_equal(c.rows[0], "⡠⠊");
	assert_true(c.ymin == 0 && c.ymax == 1);
	chart_free(&c);
}

static void test_chart_without_finite_values_is_blank_and_minus_one(void **state)
{
	const double x[] = {0, 1}, y[] = {NAN, INFINITY};
	struct chart_series s = {x, y, 2};
	struct chart_opts o = {.has_threshold = 1, .threshold = 1};
	struct chart c;
	const char *want[] = {"   ", "   "};
	const int owners[] = {-1, -1, -1, -1, -1, -1};

	assert_int_equal(chart_render(&c, &s, 1, 3, 2, &o), -1);
	assert_rows(&c, want, 2);
	assert_owners(&c, owners);
	assert_true(c.xmin == 0 && c.xmax == 0 && c.ymin == 0 && c.ymax == 0);
	chart_free(&c);
}

static void test_chart_without_series_is_minus_one(void **state)
{
	struct chart c;

	assert_int_equal(chart_render(&c, NULL, 0, 2, 1, NULL), -1);
	assert_string_equal(c.rows[0], "  ");
	chart_free(&c);
}

static void test_chart_free_zeroes_the_chart(void **state)
{
	const double x[] = {0, 1}, y[] = {0, 1};
	struct chart_series s = {x, y, 2};
	struct chart c;

	assert_int_equal(chart_render(&c, &s, 1, 2, 1, NULL), 0);
	chart_free(&c);
	assert_null(c.rows);
	assert_null(c.owner);
	assert_int_equal(c.w, 0);
	assert_int_equal(c.h, 0);
}

/* ---- ASCII charts ------------------------------------------------------------ */

static void test_chart_ascii_line_steps_at_cell_resolution(void **state)
{
	const double x[] = {0, 3}, y[] = {0, 1};
	struct chart_series s = {x, y, 2};
	struct chart_opts o = {.ascii = 1};
	struct chart c;
	const char *want[] = {"  **", "**  "};
	const int owners[] = {-1, -1, 0, 0, 0, 0, -1, -1};

	assert_int_equal(chart_render(&c, &s, 1, 4, 2, &o), 0);
	assert_rows(&c, want, 2);
	assert_owners(&c, owners);
	chart_free(&c);
}

static void test_chart_ascii_threshold_is_dashes(void **state)
{
	const double x[] = {0, 3}, y[] = {0, 0};
	struct chart_series s = {x, y, 2};
	struct chart_opts o = {.ascii = 1, .has_threshold = 1, .threshold = 2};
	struct chart c;
	const char *want[] = {"----", "    ", "****"};

	assert_int_equal(chart_render(&c, &s, 1, 4, 3, &o), 0);
	assert_rows(&c, want, 3);
	assert_int_equal(c.owner[0], -2);
	assert_int_equal(c.owner[4], -1);
	assert_int_equal(c.owner[8], 0);
	chart_free(&c);
}

static void test_chart_ascii_data_wins_over_threshold(void **state)
{
	const double x[] = {0, 3}, y[] = {0, 2};
	struct chart_series s = {x, y, 2};
	struct chart_opts o = {.ascii = 1, .has_threshold = 1, .threshold = 1};
	struct chart c;
	const char *want[] = {"   *", "-**-", "*   "};

	assert_int_equal(chart_render(&c, &s, 1, 4, 3, &o), 0);
	assert_rows(&c, want, 3);
	chart_free(&c);
}

static void test_chart_ascii_nan_breaks_the_line(void **state)
{
	const double x[] = {0, 1, 2, 3}, y[] = {0, 0, NAN, 0};
	struct chart_series s = {x, y, 4};
	struct chart_opts o = {.ascii = 1};
	struct chart c;

	assert_int_equal(chart_render(&c, &s, 1, 4, 1, &o), 0);
	assert_string_equal(c.rows[0], "** *");
	chart_free(&c);
}

static void test_chart_ascii_flat_series_is_in_the_middle_row(void **state)
{
	const double x[] = {0, 1, 2}, y[] = {7, 7, 7};
	struct chart_series s = {x, y, 3};
	struct chart_opts o = {.ascii = 1};
	struct chart c;
	const char *want[] = {"   ", "***", "   "};

	assert_int_equal(chart_render(&c, &s, 1, 3, 3, &o), 0);
	assert_rows(&c, want, 3);
	chart_free(&c);
}

/* Without colour each series draws its own shape, in UTF-8 and in ASCII. */
static void test_chart_series_shapes(void **state)
{
	static const char *const shapes[] = {"●", "○"};
	double x[] = {0, 1, 2, 3}, y1[] = {0, 0, 0, 0}, y2[] = {1, 1, 1, 1};
	struct chart_series s[2] = {{x, y1, 4}, {x, y2, 4}};
	struct chart c;
	int seen[2] = {0, 0};

	(void)state;
	for (int ascii = 0; ascii < 2; ascii++) {
		struct chart_opts o = {.ascii = ascii, .glyphs = shapes, .n_glyphs = 2};
		assert_int_equal(chart_render(&c, s, 2, 8, 4, &o), 0);
		seen[0] = seen[1] = 0;
		for (int r = 0; r < c.h; r++) {
			seen[0] += strstr(c.rows[r], "●") != NULL;
			seen[1] += strstr(c.rows[r], "○") != NULL;
			assert_null(strstr(c.rows[r], "*")); /* shapes replace the plain points */
		}
		assert_true(seen[0] > 0 && seen[1] > 0);
		assert_string_equal(c.rows[0], "○○○○○○○○"); /* the higher series, top row */
		chart_free(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spark_ramp_covers_all_eight_blocks),
	    cmocka_unit_test(test_spark_ascii_ramp_covers_all_eight_levels),
	    cmocka_unit_test(test_spark_descending_ramp),
	    cmocka_unit_test(test_spark_level_rounds_to_nearest),
	    cmocka_unit_test(test_spark_level_half_rounds_up),
	    cmocka_unit_test(test_spark_nan_is_a_gap_left_out_of_the_scale),
	    cmocka_unit_test(test_spark_inf_is_a_gap_left_out_of_the_scale),
	    cmocka_unit_test(test_spark_constant_series_is_middle_block),
	    cmocka_unit_test(test_spark_constant_series_ascii_is_plus),
	    cmocka_unit_test(test_spark_single_point_is_middle_block),
	    cmocka_unit_test(test_spark_single_finite_point_among_gaps_is_middle_block),
	    cmocka_unit_test(test_spark_all_nan_is_all_gaps),
	    cmocka_unit_test(test_spark_empty_series_is_empty_string),
	    cmocka_unit_test(test_spark_fixed_scale_places_values_on_it),
	    cmocka_unit_test(test_spark_fixed_scale_clamps_outside_values),
	    cmocka_unit_test(test_spark_fixed_scale_ascii),
	    cmocka_unit_test(test_spark_fixed_scale_empty_range_is_constant),
	    cmocka_unit_test(test_spark_width_shows_cell_means),
	    cmocka_unit_test(test_spark_width_splits_uneven_counts_at_i_n_over_width),
	    cmocka_unit_test(test_spark_width_scale_is_over_raw_values),
	    cmocka_unit_test(test_spark_width_mean_skips_nan),
	    cmocka_unit_test(test_spark_width_cell_without_finite_value_is_a_gap),
	    cmocka_unit_test(test_spark_width_ascii),
	    cmocka_unit_test(test_spark_width_wider_than_series_does_not_pad),
	    cmocka_unit_test(test_spark_width_equal_to_series_is_one_cell_per_value),
	    cmocka_unit_test(test_chart_rising_line_sets_braille_dots_bottom_up),
	    cmocka_unit_test(test_chart_falling_line_over_two_rows),
	    cmocka_unit_test(test_chart_points_round_to_the_nearest_dot),
	    cmocka_unit_test(test_chart_flat_series_is_drawn_along_the_middle),
	    cmocka_unit_test(test_chart_single_point_is_centred_and_empty_cells_are_spaces),
	    cmocka_unit_test(test_chart_nan_breaks_the_line),
	    cmocka_unit_test(test_chart_x_range_includes_points_with_nan_y),
	    cmocka_unit_test(test_chart_threshold_is_a_dotted_row_owned_minus_two),
	    cmocka_unit_test(test_chart_threshold_widens_the_y_range),
	    cmocka_unit_test(test_chart_threshold_only_cell_above_the_data_is_owned_minus_two),
	    cmocka_unit_test(test_chart_later_series_owns_a_shared_cell),
	    cmocka_unit_test(test_chart_fixed_y_range_clamps_points),
	    cmocka_unit_test(test_chart_without_finite_values_is_blank_and_minus_one),
	    cmocka_unit_test(test_chart_without_series_is_minus_one),
	    cmocka_unit_test(test_chart_free_zeroes_the_chart),
	    cmocka_unit_test(test_chart_ascii_line_steps_at_cell_resolution),
	    cmocka_unit_test(test_chart_ascii_threshold_is_dashes),
	    cmocka_unit_test(test_chart_ascii_data_wins_over_threshold),
	    cmocka_unit_test(test_chart_ascii_nan_breaks_the_line),
	    cmocka_unit_test(test_chart_ascii_flat_series_is_in_the_middle_row),
	    cmocka_unit_test(test_chart_series_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
