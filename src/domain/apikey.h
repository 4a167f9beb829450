/*
 * API keys: "cdk_<prefix>_<secret>". The prefix names the key in lists and
 * logs; the secret holds 256 random bits. Only a SHA-256 of the whole key
 * is stored.
 */
#ifndef CD_APIKEY_H
#define CD_APIKEY_H

#include <stdbool.h>
#include <stddef.h>

#define APIKEY_PREFIX_LEN 12 /* hex digits */
#define APIKEY_MAX	  80 /* bytes, with the terminating NUL */

/*
 * Makes a new random key into key (APIKEY_MAX bytes), its prefix into
 * prefix (APIKEY_PREFIX_LEN + 1 bytes) and its hash into hash.
 * Returns 0, or CD_ESTORE when no randomness is available.
 */
int apikey_generate(char *key, char *prefix, unsigned char hash[32]);

/*
 * Splits a presented key: copies its prefix into prefix and its hash into
 * hash. Returns 0, or CD_EINVAL when the key does not start with "cdk_",
 * twelve lowercase hex digits and "_" (the secret itself is checked by
 * comparing hashes).
 */
int apikey_parse(const char *key, char *prefix, unsigned char hash[32]);

/* Compares two hashes in constant time. */
bool apikey_hash_equal(const unsigned char a[32], const unsigned char b[32]);

/* Writes the SHA-256 of data into out. */
void apikey_sha256(const void *data, size_t len, unsigned char out[32]);

#endif
