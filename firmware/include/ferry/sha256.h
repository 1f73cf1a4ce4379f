/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file
 * @brief Small portable SHA-256 (FIPS 180-4) used for image digests and key hashes.
 *
 * @defgroup ferry_sha256 SHA-256
 * @ingroup ferry
 * @{
 */

#ifndef FERRY_SHA256_H_
#define FERRY_SHA256_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Length of a SHA-256 digest in bytes. */
#define FERRY_SHA256_LEN 32

/** Running SHA-256 computation; lives on the caller's stack. */
struct ferry_sha256 {
	uint32_t state[8];   /**< Chaining value. */
	uint64_t length;     /**< Bytes hashed so far. */
	uint8_t block[64];   /**< Partial input block. */
	uint8_t block_len;   /**< Bytes used in @ref block. */
};

/** Start a new digest. */
void ferry_sha256_init(struct ferry_sha256 *ctx);

/** Add @p len bytes of input. */
void ferry_sha256_update(struct ferry_sha256 *ctx, const void *data, size_t len);

/** Finish and write the 32-byte digest to @p out. */
void ferry_sha256_finish(struct ferry_sha256 *ctx, uint8_t out[FERRY_SHA256_LEN]);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* FERRY_SHA256_H_ */
