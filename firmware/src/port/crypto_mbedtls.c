/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * ECDSA-P256 signature backend on mbed TLS's public-key layer. The same file
 * serves Zephyr (its mbedtls module, 3.x) and the host (Debian's libmbedtls,
 * 2.28 or later): mbedtls_pk_parse_public_key() and mbedtls_pk_verify() have
 * the same signature in both.
 */

#include <errno.h>

#include <mbedtls/pk.h>

#include <ferry/port.h>

int ferry_port_ecdsa_p256_verify(const uint8_t *key_der, size_t key_len,
				 const uint8_t digest[FERRY_SHA256_LEN], const uint8_t *sig,
				 size_t sig_len)
{
	mbedtls_pk_context pk;
	int rc;

	mbedtls_pk_init(&pk);
	rc = mbedtls_pk_parse_public_key(&pk, key_der, key_len);
	if (rc != 0 || !mbedtls_pk_can_do(&pk, MBEDTLS_PK_ECDSA)) {
		rc = -EINVAL;
		goto done;
	}
	rc = mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, digest, FERRY_SHA256_LEN, sig, sig_len);
	rc = rc == 0 ? 0 : -EBADMSG;
done:
	mbedtls_pk_free(&pk);
	return rc;
}
