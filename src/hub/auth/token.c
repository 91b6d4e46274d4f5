/* token.c — API tokens (random, shown once, stored as SHA-256) and the Authorization
 * header: Bearer (RFC 6750) and Basic (RFC 7617) with the token as the password. */
#include "hub/auth/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void setu_token_hash(const char *token, size_t len, uint8_t hash[32])
{
	SHA256((const unsigned char *)token, len, hash);
}

int setu_token_generate(char *token, size_t size, uint8_t hash[32])
{
	uint8_t secret[32];
	if (size < SETU_TOKEN_LEN + 1)
		return SETU_EINVAL;
	if (RAND_bytes(secret, sizeof(secret)) != 1)
		return SETU_EIO;
	memcpy(token, "setu_", 5);
	for (size_t i = 0; i < sizeof(secret); i++)
		snprintf(token + 5 + 2 * i, 3, "%02x", secret[i]);
	OPENSSL_cleanse(secret, sizeof(secret));
	setu_token_hash(token, SETU_TOKEN_LEN, hash);
	return 0;
}

static int lookup(setu_store_t *s, const char *tok, size_t len, setu_principal_t *p)
{
	uint8_t hash[32];
	if (len == 0 || len > 256)
		return SETU_AUTH_BAD;
	setu_token_hash(tok, len, hash);
	setu_member_t m;
	int rc = s->ops->token_lookup(s, hash, &m);
	if (rc == SETU_ENOENT)
		return SETU_AUTH_BAD;
	if (rc)
		return rc;
	memset(p, 0, sizeof(*p));
	p->authenticated = true;
	p->member_id = m.id;
	p->org_id = m.org_id;
	p->role = m.role;
	snprintf(p->name, sizeof(p->name), "%s", m.name);
	snprintf(p->identity, sizeof(p->identity), "%s", m.identity);
	return SETU_AUTH_OK;
}

int setu_auth_header(setu_store_t *s, const char *h, setu_principal_t *p)
{
	memset(p, 0, sizeof(*p));
	if (h == NULL)
		return SETU_AUTH_NONE;
	while (*h == ' ')
		h++;
	if (strncasecmp(h, "Bearer ", 7) == 0) {
		const char *t = h + 7;
		while (*t == ' ')
			t++;
		size_t n = strlen(t);
		while (n > 0 && t[n - 1] == ' ')
			n--;
		return lookup(s, t, n, p);
	}
	if (strncasecmp(h, "Basic ", 6) == 0) {
		const char *b = h + 6;
		while (*b == ' ')
			b++;
		size_t n = strlen(b);
		while (n > 0 && b[n - 1] == ' ')
			n--;
		if (n == 0 || n > 1024 || n % 4 != 0)
			return SETU_AUTH_BAD;
		unsigned char dec[800];
		int dn = EVP_DecodeBlock(dec, (const unsigned char *)b, (int)n);
		if (dn < 0)
			return SETU_AUTH_BAD;
		/* EVP_DecodeBlock counts the padding as zero bytes: drop them. */
		if (n >= 1 && b[n - 1] == '=')
			dn--;
		if (n >= 2 && b[n - 2] == '=')
			dn--;
		const unsigned char *colon = memchr(dec, ':', (size_t)dn);
		if (colon == NULL)
			return SETU_AUTH_BAD;
		const char *pw = (const char *)colon + 1;
		size_t pwlen = (size_t)dn - (size_t)(colon + 1 - dec);
		int rc = lookup(s, pw, pwlen, p);
		OPENSSL_cleanse(dec, sizeof(dec));
		return rc;
	}
	return SETU_AUTH_BAD;
}
