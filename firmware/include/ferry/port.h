/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file
 * @brief The thin port layer the portable core needs from its platform.
 *
 * Everything else (flash, persistence, rebooting, MCUboot requests) reaches
 * the core as operation tables passed in by the caller; only the signature
 * primitive is a link-time dependency, implemented by one backend file under
 * firmware/src/port/ (mbed TLS on Zephyr and on the host).
 *
 * @defgroup ferry_port Port layer
 * @ingroup ferry
 * @{
 */

#ifndef FERRY_PORT_H_
#define FERRY_PORT_H_

#include <stddef.h>
#include <stdint.h>

#include <ferry/sha256.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Verify an ECDSA-P256 signature over a SHA-256 digest.
 *
 * @param key_der  public key, DER SubjectPublicKeyInfo.
 * @param key_len  length of @p key_der.
 * @param digest   the SHA-256 digest that was signed.
 * @param sig      DER-encoded signature (exact length, no padding).
 * @param sig_len  length of @p sig.
 *
 * @retval 0 the signature is valid.
 * @retval -EBADMSG the signature does not verify or is malformed.
 * @retval -EINVAL the key cannot be parsed.
 * @retval -ENOTSUP this build has no signature backend.
 */
int ferry_port_ecdsa_p256_verify(const uint8_t *key_der, size_t key_len,
				 const uint8_t digest[FERRY_SHA256_LEN], const uint8_t *sig,
				 size_t sig_len);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* FERRY_PORT_H_ */
