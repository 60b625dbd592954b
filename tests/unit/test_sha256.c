/* test_sha256.c: core/sha256.c gives the digests of FIPS 180-4's examples
 * (NIST's "SHA256.pdf" and the one-million-'a' vector) and of messages that
 * end around the padding boundaries, fed whole or a byte at a time. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sha256.h"

/* The hex digest of s, fed in one piece. */
static void check(const char *s, size_t n, const char *want)
{
	char hex[SHA256_HEX_LEN];

	sha256_hex(s, n, hex);
	assert_string_equal(hex, want);
}

static void test_empty_message(void **state)
{
	(void)state;
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_fips_one_block_abc(void **state)
{
	(void)state;
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_fips_two_block_message(void **state)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	check(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_fips_896_bit_message(void **state)
{
	const char *m =
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
	    "klmnopqrlmnopqrsmnopqrstnopqrstu";

	(void)state;
	check(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_one_million_a_in_uneven_pieces(void **state)
{
	static char a[1000];
	struct sha256 s;
	unsigned char d[SHA256_LEN];
	char hex[SHA256_HEX_LEN];
	size_t left = 1000000;

	(void)state;
	memset(a, 'a', sizeof a);
	sha256_init(&s);
	for (size_t piece = 1; left; piece = piece % 997 + 1) {
		size_t n = piece < left ? piece : left;
		sha256_update(&s, a, n);
		left -= n;
	}
	sha256_final(&s, d);
	sha256_to_hex(d, hex);
	assert_string_equal(hex,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_lengths_around_the_padding_boundary(void **state)
{
	static const struct {
		size_t n;
		const char *want;
	} v[] = {
	    {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
	    {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
	    {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
	    {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
	    {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
	};
	char a[65];

	(void)state;
	memset(a, 'a', sizeof a);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		check(a, v[i].n, v[i].want);
}

static void test_byte_at_a_time_equals_whole(void **state)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	struct sha256 s;
	unsigned char d[SHA256_LEN];
	char hex[SHA256_HEX_LEN];

	(void)state;
	sha256_init(&s);
	for (size_t i = 0; m[i]; i++)
		sha256_update(&s, m + i, 1);
	sha256_final(&s, d);
	sha256_to_hex(d, hex);
	assert_string_equal(hex,
			    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_hex_round_trip_and_refusals(void **state)
{
	const char *h = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
	unsigned char d[SHA256_LEN];
	char back[SHA256_HEX_LEN];

	(void)state;
	assert_int_equal(sha256_from_hex(h, d), 0);
	sha256_to_hex(d, back);
	assert_string_equal(back,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(sha256_from_hex("abc", d), -1);
	assert_int_equal(
	    sha256_from_hex("zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", d),
	    -1);
	assert_int_equal(sha256_from_hex(NULL, d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_message),
	    cmocka_unit_test(test_fips_one_block_abc),
	    cmocka_unit_test(test_fips_two_block_message),
	    cmocka_unit_test(test_fips_896_bit_message),
	    cmocka_unit_test(test_one_million_a_in_uneven_pieces),
	    cmocka_unit_test(test_lengths_around_the_padding_boundary),
	    cmocka_unit_test(test_byte_at_a_time_equals_whole),
	    cmocka_unit_test(test_hex_round_trip_and_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
