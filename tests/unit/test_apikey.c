/*
 * Unit tests for API keys: the shape of generated keys, their hash,
 * parsing presented keys, and comparing hashes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "core/err.h"
#include "domain/apikey.h"

#define KEY_LEN	   60 /* "cdk_" + 12 + "_" + 43 */
#define SECRET_LEN 43 /* 32 bytes in unpadded base64url */

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Decodes unpadded base64url; returns the byte count or -1. */
static int
b64url_decode(const char *s, unsigned char *out, size_t cap)
{
	unsigned acc = 0;
	int bits = 0, n = 0;

	for (; *s != '\0'; s++) {
		const char *p = strchr(b64url, *s);

		if (p == NULL)
			return -1;
		acc = acc << 6 | (unsigned)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if ((size_t)n == cap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* Unpadded base64 leaves only zero bits over. */
	if ((acc & ((1u << bits) - 1)) != 0)
		return -1;
	return n;
}

static void
hex(const unsigned char *h, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void
test_sha256_vectors(void **state)
{
	unsigned char h[32];
	char text[65];

	(void)state;
	/* FIPS 180-2 test vectors. */
	apikey_sha256("abc", 3, h);
	hex(h, 32, text);
	assert_string_equal(text, "ba7816bf8f01cfea414140de5dae2223"
				  "b00361a396177a9cb410ff61f20015ad");
	apikey_sha256("", 0, h);
	hex(h, 32, text);
	assert_string_equal(text, "e3b0c44298fc1c149afbf4c8996fb924"
				  "27ae41e4649b934ca495991b7852b855");
}

static void
test_generate_shape(void **state)
{
	char key[APIKEY_MAX], prefix[APIKEY_PREFIX_LEN + 1];
	unsigned char hash[32], raw[40];

	(void)state;
	memset(key, 'x', sizeof(key));
	assert_int_equal(apikey_generate(key, prefix, hash), 0);
	assert_int_equal(strlen(key), KEY_LEN);
	assert_memory_equal(key, "cdk_", 4);
	assert_int_equal(strspn(key + 4, "0123456789abcdef"),
			 APIKEY_PREFIX_LEN);
	assert_int_equal(key[16], '_');
	assert_int_equal(strlen(prefix), APIKEY_PREFIX_LEN);
	assert_memory_equal(prefix, key + 4, APIKEY_PREFIX_LEN);
	assert_int_equal(strspn(key + 17, b64url), SECRET_LEN);
	/* The secret decodes to exactly 32 bytes. */
	assert_int_equal(b64url_decode(key + 17, raw, sizeof(raw)), 32);
}

static void
test_generate_hash(void **state)
{
	char key[APIKEY_MAX], prefix[APIKEY_PREFIX_LEN + 1];
	unsigned char hash[32], want[32];

	(void)state;
	assert_int_equal(apikey_generate(key, prefix, hash), 0);
	SHA256((const unsigned char *)key, strlen(key), want);
	assert_memory_equal(hash, want, 32);
}

static void
test_generate_differs(void **state)
{
	char a[APIKEY_MAX], b[APIKEY_MAX];
	char pa[APIKEY_PREFIX_LEN + 1], pb[APIKEY_PREFIX_LEN + 1];
	unsigned char ha[32], hb[32];

	(void)state;
	assert_int_equal(apikey_generate(a, pa, ha), 0);
	assert_int_equal(apikey_generate(b, pb, hb), 0);
	assert_string_not_equal(a, b);
	assert_string_not_equal(pa, pb);
	assert_string_not_equal(a + 17, b + 17);
	assert_memory_not_equal(ha, hb, 32);
}

static void
test_parse_generated(void **state)
{
	char key[APIKEY_MAX], prefix[APIKEY_PREFIX_LEN + 1];
	char got[APIKEY_PREFIX_LEN + 1];
	unsigned char hash[32], parsed[32];

	(void)state;
	for (int i = 0; i < 20; i++) {
		assert_int_equal(apikey_generate(key, prefix, hash), 0);
		memset(got, 0, sizeof(got));
		assert_int_equal(apikey_parse(key, got, parsed), 0);
		assert_string_equal(got, prefix);
		assert_memory_equal(parsed, hash, 32);
	}
}

/* A well-shaped key that was never issued still parses: its hash decides. */
static void
test_parse_hashes_whole_key(void **state)
{
	static const char key[] =
	    "cdk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	char prefix[APIKEY_PREFIX_LEN + 1];
	unsigned char h[32], want[32];

	(void)state;
	assert_int_equal(strlen(key), KEY_LEN);
	assert_int_equal(apikey_parse(key, prefix, h), 0);
	assert_string_equal(prefix, "0123456789ab");
	SHA256((const unsigned char *)key, strlen(key), want);
	assert_memory_equal(h, want, 32);
}

static void
test_parse_rejects(void **state)
{
	static const char secret[] =
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	static const char *const heads[] = {
	    "",
	    "cdk_",
	    "cdk",
	    "CDK_0123456789ab_",
	    "cdx_0123456789ab_",
	    "cdk-0123456789ab_",
	    "cdk_0123456789AB_",  /* upper-case hex */
	    "cdk_0123456789ag_",  /* not hex */
	    "cdk_0123456789a_",	  /* 11 digits */
	    "cdk_0123456789abc_", /* 13 digits */
	    "cdk_0123456789ab-",
	    "cdk_0123456789ab",
	    " cdk_0123456789ab_",
	    "Bearer cdk_0123456789ab_",
	    "cdk__0123456789ab_",
	};
	char key[128], prefix[APIKEY_PREFIX_LEN + 1] = "untouched";
	unsigned char h[32];

	(void)state;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		snprintf(key, sizeof(key), "%s%s", heads[i], secret);
		if (apikey_parse(key, prefix, h) != CD_EINVAL)
			fail_msg("accepted \"%s\"", key);
	}
	/* No secret at all. */
	assert_int_equal(apikey_parse("cdk_0123456789ab_", prefix, h),
			 CD_EINVAL);
	assert_int_equal(apikey_parse("cdk_0123456789ab", prefix, h),
			 CD_EINVAL);
	assert_string_equal(prefix, "untouched");
}

/* Keys of APIKEY_MAX bytes or more are refused before hashing. */
static void
test_parse_too_long(void **state)
{
	char key[200], prefix[APIKEY_PREFIX_LEN + 1];
	unsigned char h[32];

	(void)state;
	memset(key, 'A', sizeof(key));
	memcpy(key, "cdk_0123456789ab_", 17);
	key[APIKEY_MAX] = '\0';
	assert_int_equal(apikey_parse(key, prefix, h), CD_EINVAL);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(apikey_parse(key, prefix, h), CD_EINVAL);
}

static void
test_hash_equal(void **state)
{
	unsigned char a[32], b[32];

	(void)state;
	apikey_sha256("key one", 7, a);
	memcpy(b, a, 32);
	assert_true(apikey_hash_equal(a, b));
	b[0] ^= 1;
	assert_false(apikey_hash_equal(a, b));
	b[0] ^= 1;
	b[31] ^= 0x80;
	assert_false(apikey_hash_equal(a, b));
	apikey_sha256("key two", 7, b);
	assert_false(apikey_hash_equal(a, b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256_vectors),
	    cmocka_unit_test(test_generate_shape),
	    cmocka_unit_test(test_generate_hash),
	    cmocka_unit_test(test_generate_differs),
	    cmocka_unit_test(test_parse_generated),
	    cmocka_unit_test(test_parse_hashes_whole_key),
	    cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_parse_too_long),
	    cmocka_unit_test(test_hash_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
