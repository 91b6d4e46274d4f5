/* token.h — API tokens: 32 random bytes shown once as "setu_" + 64 hex digits; only their
 * SHA-256 is stored. Requests carry them as "Authorization: Bearer T" or as the password
 * of HTTP Basic (RFC 7617; the user name is not checked). */
#ifndef SETU_HUB_TOKEN_H
#define SETU_HUB_TOKEN_H

#include "hub/auth/acl.h"
#include "hub/store/store.h"

#include <stddef.h>
#include <stdint.h>

#define SETU_TOKEN_LEN 69 /* "setu_" + 64 hex */

/* A new token (NUL-terminated, size >= SETU_TOKEN_LEN + 1) and its hash. */
int setu_token_generate(char *token, size_t size, uint8_t hash[32]);
void setu_token_hash(const char *token, size_t len, uint8_t hash[32]);

/* Outcome of reading the Authorization header. */
typedef enum setu_auth_result {
	SETU_AUTH_NONE = 0, /* no credentials: anonymous */
	SETU_AUTH_OK = 1,   /* *p filled */
	SETU_AUTH_BAD = 2,  /* credentials given but wrong, revoked or malformed: 401 */
} setu_auth_result_t;

/* Resolve an Authorization header value (may be NULL) to a principal. Returns the
 * outcome, or a negative SETU_E* code on a store error. */
int setu_auth_header(setu_store_t *s, const char *authorization, setu_principal_t *p);

#endif
