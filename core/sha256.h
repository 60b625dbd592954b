/* sha256.h: SHA-256 (FIPS 180-4), for the audit log's hash chain. Small and
 * self-contained so the local registry needs no crypto library. */
#ifndef MLC_SHA256_H
#define MLC_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN 65 /* 64 hex digits and the NUL */

struct sha256 {
	uint32_t h[8];
	uint64_t bytes; /* message length so far */
	unsigned char block[64];
	size_t fill; /* bytes waiting in block */
};

/* Start a new digest. */
void sha256_init(struct sha256 *s);
/* Add n bytes of p to the digest. */
void sha256_update(struct sha256 *s, const void *p, size_t n);
/* Add the string p (NULL as "") as one length-prefixed field: its length as
 * 8 bytes big-endian, then its bytes; how the hash chains encode a record. */
void sha256_field(struct sha256 *s, const char *p);
/* The digest of the n fields f[] (each as sha256_field adds it), as 64 hex
 * digits into hex: one record of a hash chain. */
void sha256_fields_hex(const char *const *f, size_t n, char hex[SHA256_HEX_LEN]);
/* Finish the digest into out; s must be initialised again before reuse. */
void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN]);
/* The digest of n bytes of p, as 64 lower-case hex digits into hex. */
void sha256_hex(const void *p, size_t n, char hex[SHA256_HEX_LEN]);
/* Write digest d as 64 lower-case hex digits into hex. */
void sha256_to_hex(const unsigned char d[SHA256_LEN], char hex[SHA256_HEX_LEN]);
/* Read 64 hex digits (either case) into d: 0, or -1 when hex is not a digest. */
int sha256_from_hex(const char *hex, unsigned char d[SHA256_LEN]);

#endif
