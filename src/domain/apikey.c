/*
 * Generating, parsing and hashing API keys with OpenSSL's libcrypto.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/err.h"
#include "domain/apikey.h"

#define SECRET_BYTES 32
#define KEY_HEAD     "cdk_"

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/*
 * SHA-256, looked up once: EVP_sha256() makes OpenSSL 3 search its
 * providers on every call, a visible cost when each request hashes a key.
 */
static EVP_MD *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
fetch_sha256(void)
{
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void
apikey_sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;

	pthread_once(&sha256_once, fetch_sha256);
	EVP_Digest(data, len, out, &n, sha256 ? sha256 : EVP_sha256(), NULL);
}

bool
apikey_hash_equal(const unsigned char a[32], const unsigned char b[32])
{
	return CRYPTO_memcmp(a, b, 32) == 0;
}

/* Base64url without padding; out needs 4 * ceil(n / 3) + 1 bytes. */
static void
encode_b64url(const unsigned char *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
			     in[i + 2];
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
		out[o++] = b64url[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = b64url[v >> 6 & 63];
	}
	out[o] = '\0';
}

int
apikey_generate(char *key, char *prefix, unsigned char hash[32])
{
	unsigned char raw[APIKEY_PREFIX_LEN / 2 + SECRET_BYTES];
	char secret[48];
	int i;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return CD_ESTORE;
	for (i = 0; i < APIKEY_PREFIX_LEN / 2; i++)
		snprintf(prefix + 2 * i, 3, "%02x", raw[i]);
	encode_b64url(raw + APIKEY_PREFIX_LEN / 2, SECRET_BYTES, secret);
	snprintf(key, APIKEY_MAX, KEY_HEAD "%s_%s", prefix, secret);
	apikey_sha256(key, strlen(key), hash);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(secret, sizeof(secret));
	return 0;
}

static bool
is_hex_prefix(const char *p)
{
	for (int i = 0; i < APIKEY_PREFIX_LEN; i++)
		if (strchr("0123456789abcdef", p[i]) == NULL || p[i] == '\0')
			return false;
	return true;
}

int
apikey_parse(const char *key, char *prefix, unsigned char hash[32])
{
	size_t head = strlen(KEY_HEAD), len = strlen(key);

	if (len >= APIKEY_MAX || strncmp(key, KEY_HEAD, head) != 0 ||
	    len < head + APIKEY_PREFIX_LEN + 2 || !is_hex_prefix(key + head) ||
	    key[head + APIKEY_PREFIX_LEN] != '_')
		return CD_EINVAL;
	memcpy(prefix, key + head, APIKEY_PREFIX_LEN);
	prefix[APIKEY_PREFIX_LEN] = '\0';
	apikey_sha256(key, len, hash);
	return 0;
}
