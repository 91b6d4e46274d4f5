/* cert.c — X.509 v3 certificates (RFC 5280) for generated TLS servers, made with OpenSSL:
 * a root CA and one leaf per server name (CN and subjectAltName = the name), all with
 * Ed25519 keys (RFC 8410) derived from the seed. Ed25519 signatures are deterministic
 * (RFC 8032), so the DER bytes are reproducible. */
#include "gen/gen_int.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool derive(const gen_ctx_t *ctx, const char *label, const char *name,
                   uint8_t out[32])
{
	uint8_t seed[8];
	uint64_t s = ctx->cfg->seed;
	for (int i = 0; i < 8; i++)
		seed[i] = (uint8_t)(s >> (8 * i));
	unsigned int n = 32;
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	bool ok = h != NULL && EVP_DigestInit_ex(h, EVP_sha256(), NULL) &&
	          EVP_DigestUpdate(h, "setu-gen/", 9) &&
	          EVP_DigestUpdate(h, label, strlen(label)) &&
	          EVP_DigestUpdate(h, seed, sizeof(seed)) &&
	          EVP_DigestUpdate(h, name, strlen(name)) &&
	          EVP_DigestFinal_ex(h, out, &n);
	EVP_MD_CTX_free(h);
	return ok;
}

static EVP_PKEY *derive_key(const gen_ctx_t *ctx, const char *label, const char *name)
{
	uint8_t k[32];
	if (!derive(ctx, label, name, k))
		return NULL;
	return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, k, sizeof(k));
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL)
		return -1;
	int ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static X509 *make_cert(const gen_ctx_t *ctx, const char *cn, const char *org,
                       EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, bool ca)
{
	X509 *x = X509_new();
	if (x == NULL)
		return NULL;
	uint8_t ser[32];
	bool have_ser = derive(ctx, "serial", cn, ser);
	ser[0] &= 0x7f; /* positive */
	BIGNUM *bn = have_ser ? BN_bin2bn(ser, 16, NULL) : NULL;
	time_t start = (time_t)(ctx->cfg->start_us / 1000000u);
	X509_NAME *nm = X509_NAME_new();
	bool ok =
	    bn != NULL && nm != NULL && X509_set_version(x, 2) &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL &&
	    X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_ASC, (const unsigned char *)"JP",
	                               -1, -1, 0) &&
	    X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC, (const unsigned char *)org,
	                               -1, -1, 0) &&
	    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
	                               -1, -1, 0) &&
	    X509_set_subject_name(x, nm) &&
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : nm) &&
	    ASN1_TIME_set(X509_getm_notBefore(x), start - (ca ? 400 : 30) * 86400) &&
	    ASN1_TIME_set(X509_getm_notAfter(x), start + (ca ? 3650 : 60) * 86400) &&
	    X509_set_pubkey(x, key);
	BN_free(bn);
	X509_NAME_free(nm);
	X509 *is = issuer ? issuer : x;
	if (ok && ca) {
		ok = add_ext(x, is, NID_basic_constraints, "critical,CA:TRUE") == 0 &&
		     add_ext(x, is, NID_key_usage, "critical,keyCertSign,cRLSign") == 0 &&
		     add_ext(x, is, NID_subject_key_identifier, "hash") == 0;
	} else if (ok) {
		char san[300];
		snprintf(san, sizeof(san), "DNS:%s", cn);
		ok = add_ext(x, is, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
		     add_ext(x, is, NID_key_usage, "critical,digitalSignature") == 0 &&
		     add_ext(x, is, NID_ext_key_usage, "serverAuth") == 0 &&
		     add_ext(x, is, NID_subject_key_identifier, "hash") == 0 &&
		     add_ext(x, is, NID_authority_key_identifier, "keyid") == 0 &&
		     add_ext(x, is, NID_subject_alt_name, san) == 0;
	}
	/* Ed25519 signs the message itself: no digest. */
	if (ok && X509_sign(x, issuer_key, NULL) <= 0)
		ok = false;
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int to_der(X509 *x, uint8_t **out, size_t *len)
{
	unsigned char *p = NULL;
	int n = i2d_X509(x, &p);
	if (n <= 0)
		return SETU_ENOMEM;
	*out = malloc((size_t)n);
	if (*out == NULL) {
		OPENSSL_free(p);
		return SETU_ENOMEM;
	}
	memcpy(*out, p, (size_t)n);
	OPENSSL_free(p);
	*len = (size_t)n;
	return 0;
}

static int ensure_ca(gen_ctx_t *ctx)
{
	if (ctx->ca_cert != NULL)
		return 0;
	EVP_PKEY *k = derive_key(ctx, "ca", "");
	if (k == NULL)
		return SETU_ENOMEM;
	X509 *x = make_cert(ctx, "setu Generated Test Root CA", "setu test traffic", k,
	                    NULL, k, true);
	if (x == NULL || to_der(x, &ctx->ca_der, &ctx->ca_len) != 0) {
		X509_free(x);
		EVP_PKEY_free(k);
		return SETU_ENOMEM;
	}
	ctx->ca_key = k;
	ctx->ca_cert = x;
	return 0;
}

const uint8_t *gen_cert_for(gen_ctx_t *ctx, const char *name, size_t *len)
{
	for (size_t i = 0; i < ctx->n_certs; i++)
		if (strcmp(ctx->certs[i].name, name) == 0) {
			*len = ctx->certs[i].len;
			return ctx->certs[i].der;
		}
	int rc = ensure_ca(ctx);
	EVP_PKEY *k = rc == 0 ? derive_key(ctx, "leaf", name) : NULL;
	X509 *x = k ? make_cert(ctx, name, "Example Services", k, ctx->ca_cert,
	                        ctx->ca_key, false)
	            : NULL;
	gen_cert_t c;
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	if (x == NULL || to_der(x, &c.der, &c.len) != 0) {
		X509_free(x);
		EVP_PKEY_free(k);
		if (ctx->err == 0)
			ctx->err = SETU_ENOMEM;
		return NULL;
	}
	X509_free(x);
	EVP_PKEY_free(k);
	/* The cache holds SETU_GEN_CERT_CACHE names; past that a slot picked from the new
	 * DER's last byte is reused (deterministic, and names beyond 64 are rare). */
	size_t slot = ctx->n_certs < SETU_GEN_CERT_CACHE
	                  ? ctx->n_certs++
	                  : (size_t)(c.der[c.len - 1] % SETU_GEN_CERT_CACHE);
	free(ctx->certs[slot].der);
	ctx->certs[slot] = c;
	*len = c.len;
	return c.der;
}

const uint8_t *gen_ca_der(gen_ctx_t *ctx, size_t *len)
{
	if (ensure_ca(ctx) != 0)
		return NULL;
	*len = ctx->ca_len;
	return ctx->ca_der;
}

void gen_certs_free(gen_ctx_t *ctx)
{
	for (size_t i = 0; i < ctx->n_certs; i++)
		free(ctx->certs[i].der);
	ctx->n_certs = 0;
	free(ctx->ca_der);
	ctx->ca_der = NULL;
	X509_free(ctx->ca_cert);
	ctx->ca_cert = NULL;
	EVP_PKEY_free(ctx->ca_key);
	ctx->ca_key = NULL;
}
