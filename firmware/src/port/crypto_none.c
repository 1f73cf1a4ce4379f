/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Signature backend for builds without a crypto library: every signed image
 * is refused with FERRY_IMAGE_BAD_SIGNATURE. Images are still checked for
 * integrity when no keys are configured.
 */

#include <errno.h>

#include <ferry/port.h>

int ferry_port_ecdsa_p256_verify(const uint8_t *key_der, size_t key_len,
				 const uint8_t digest[FERRY_SHA256_LEN], const uint8_t *sig,
				 size_t sig_len)
{
	(void)key_der;
	(void)key_len;
	(void)digest;
	(void)sig;
	(void)sig_len;
	return -ENOTSUP;
}
