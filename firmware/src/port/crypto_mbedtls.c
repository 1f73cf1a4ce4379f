/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * ECDSA-P256 signature backend on mbed TLS's ECP/ECDSA primitives, the same
 * ones MCUboot uses. Only public API that is identical in mbed TLS 2.28
 * (Debian, host tests) and 3.x (Zephyr's module) is used, and no PK/X.509
 * parser is needed: the key is the fixed-layout P-256 SubjectPublicKeyInfo
 * that imgtool and MCUboot use.
 */

#include <errno.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>

#include <ferry/port.h>

/*
 * mbed TLS allocates the big numbers of one verification from its heap: 4 KiB
 * is not enough for P-256 with Zephyr's mbed TLS configuration, 8 KiB is
 * (measured on mps2/an385). On Zephyr that heap is mbed TLS's own static
 * buffer (CONFIG_MBEDTLS_ENABLE_HEAP), never the system heap.
 */
#define FERRY_MBEDTLS_HEAP_MIN 8192
#if defined(CONFIG_MBEDTLS_HEAP_SIZE)
#if CONFIG_MBEDTLS_HEAP_SIZE < FERRY_MBEDTLS_HEAP_MIN
#error "Ferry's signature check needs CONFIG_MBEDTLS_HEAP_SIZE >= 8192"
#endif
#endif

/* DER SubjectPublicKeyInfo header of an uncompressed P-256 (prime256v1) key. */
static const uint8_t p256_spki_prefix[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};
#define P256_POINT_LEN 65U

int ferry_port_ecdsa_p256_verify(const uint8_t *key_der, size_t key_len,
				 const uint8_t digest[FERRY_SHA256_LEN], const uint8_t *sig,
				 size_t sig_len)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi r, s;
	unsigned char *p = (unsigned char *)sig;
	const unsigned char *end = sig + sig_len;
	size_t seq_len;
	int rc;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);

	if (key_len != sizeof(p256_spki_prefix) + P256_POINT_LEN ||
	    memcmp(key_der, p256_spki_prefix, sizeof(p256_spki_prefix)) != 0) {
		rc = -EINVAL;
		goto done;
	}
	if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
	    mbedtls_ecp_point_read_binary(&grp, &q, key_der + sizeof(p256_spki_prefix),
					  P256_POINT_LEN) != 0 ||
	    mbedtls_ecp_check_pubkey(&grp, &q) != 0) {
		rc = -EINVAL;
		goto done;
	}

	/* ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } */
	if (mbedtls_asn1_get_tag(&p, end, &seq_len,
				 MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0 ||
	    p + seq_len != end || mbedtls_asn1_get_mpi(&p, end, &r) != 0 ||
	    mbedtls_asn1_get_mpi(&p, end, &s) != 0 || p != end) {
		rc = -EBADMSG;
		goto done;
	}
	rc = mbedtls_ecdsa_verify(&grp, digest, FERRY_SHA256_LEN, &q, &r, &s) == 0 ? 0 : -EBADMSG;

done:
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return rc;
}
