/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file
 * @brief MCUboot image parsing and verification.
 *
 * Checks a downloaded image the way MCUboot will check it at boot, so that a
 * bad package is refused (LwM2M Update Result 5 or 6) before the device
 * reboots: header magic and bounds, the TLV areas, the SHA-256 over header,
 * body and protected TLVs, the key hash and the ECDSA-P256 signature.
 *
 * The image is read through @ref ferry_image_reader in chunks of
 * CONFIG_FERRY_IMAGE_VERIFY_CHUNK_SIZE bytes on the stack, so it can be
 * verified where it was written (the secondary slot) without any heap.
 *
 * @defgroup ferry_image MCUboot image verification
 * @ingroup ferry
 * @{
 */

#ifndef FERRY_IMAGE_H_
#define FERRY_IMAGE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/sha256.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The values below are MCUboot's on-flash image format
 * (boot/bootutil/include/bootutil/image.h). They are a fixed format shared
 * with every MCUboot and imgtool release: never change them.
 */
/** Image header magic. */
#define FERRY_IMAGE_MAGIC 0x96f3b83dU
/** Size of the fixed part of the image header. */
#define FERRY_IMAGE_HEADER_SIZE 32U
/** Magic of the unprotected TLV area. */
#define FERRY_IMAGE_TLV_INFO_MAGIC 0x6907U
/** Magic of the protected TLV area. */
#define FERRY_IMAGE_TLV_PROT_INFO_MAGIC 0x6908U
/** TLV: SHA-256 of the public key that signed the image. */
#define FERRY_IMAGE_TLV_KEYHASH 0x01U
/** TLV: SHA-256 of header, body and protected TLVs. */
#define FERRY_IMAGE_TLV_SHA256 0x10U
/** TLV: DER-encoded ECDSA signature of the SHA-256 digest. */
#define FERRY_IMAGE_TLV_ECDSA_SIG 0x22U
/** TLV (protected): security counter. */
#define FERRY_IMAGE_TLV_SEC_CNT 0x50U
/** Header flags Ferry cannot check before boot (encrypted, compressed, RAM-load). */
#define FERRY_IMAGE_F_UNSUPPORTED 0x00000e2cU
/** Longest DER ECDSA-P256 signature. */
#define FERRY_IMAGE_ECDSA_SIG_MAX 72U

/** Image version as MCUboot stores it. */
struct ferry_image_version {
	uint8_t major;      /**< Major. */
	uint8_t minor;      /**< Minor. */
	uint16_t revision;  /**< Revision. */
	uint32_t build_num; /**< Build number. */
};

/** Decoded fixed image header. */
struct ferry_image_header {
	uint32_t load_addr;              /**< Load address (RAM-load images only). */
	uint16_t hdr_size;               /**< Header size including padding. */
	uint16_t protect_tlv_size;       /**< Size of the protected TLV area, 0 if none. */
	uint32_t img_size;               /**< Size of the body after the header. */
	uint32_t flags;                  /**< IMAGE_F_* flags. */
	struct ferry_image_version version; /**< Image version. */
};

/** Why an image was refused; reported to the operator alongside Update Result. */
enum ferry_image_verdict {
	FERRY_IMAGE_OK = 0,            /**< Image is intact and signed by a trusted key. */
	FERRY_IMAGE_BAD_MAGIC,         /**< Not an MCUboot image. */
	FERRY_IMAGE_UNSUPPORTED_FLAGS, /**< Encrypted, compressed or RAM-load image. */
	FERRY_IMAGE_BAD_LAYOUT,        /**< Header or TLV sizes are inconsistent. */
	FERRY_IMAGE_TRUNCATED,         /**< Image is larger than the bytes available. */
	FERRY_IMAGE_NO_HASH,           /**< No SHA-256 TLV. */
	FERRY_IMAGE_HASH_MISMATCH,     /**< SHA-256 TLV does not match the contents. */
	FERRY_IMAGE_UNKNOWN_KEY,       /**< Signed by a key the device does not trust. */
	FERRY_IMAGE_NO_SIGNATURE,      /**< Keys are configured but the image is not signed. */
	FERRY_IMAGE_BAD_SIGNATURE,     /**< Signature does not verify. */
	FERRY_IMAGE_READ_ERROR,        /**< The storage could not be read. */
};

/** What verification found out about an image. */
struct ferry_image_info {
	struct ferry_image_header header;     /**< Decoded header. */
	uint8_t digest[FERRY_SHA256_LEN];     /**< Computed SHA-256. */
	uint32_t total_size;                  /**< Header, body and both TLV areas. */
	uint32_t security_counter;            /**< From the protected TLVs, 0 if absent. */
	int key_index;                        /**< Index of the signing key, -1 if unsigned. */
	enum ferry_image_verdict verdict;     /**< Outcome. */
};

/** Random-access reader over the bytes of an image (a flash slot, a RAM buffer). */
struct ferry_image_reader {
	/** Read @p len bytes at @p offset; return 0 or a negative errno. */
	int (*read)(void *ctx, uint32_t offset, void *buf, size_t len);
	void *ctx;     /**< Passed to @ref read. */
	uint32_t size; /**< Bytes that may be read (the slot or buffer size). */
};

/** A trusted public key: DER SubjectPublicKeyInfo, as MCUboot embeds it. */
struct ferry_image_key {
	const uint8_t *der; /**< Key bytes. */
	size_t der_len;     /**< Length of @ref der. */
};

/**
 * @brief Decode the fixed 32-byte image header.
 *
 * @retval 0 header decoded.
 * @retval -ENOEXEC wrong magic or unsupported flags (not a package Ferry can install).
 * @retval -EBADMSG header sizes are inconsistent.
 * @retval -EINVAL fewer than FERRY_IMAGE_HEADER_SIZE bytes given.
 */
int ferry_image_header_decode(const uint8_t *buf, size_t len, struct ferry_image_header *hdr);

/**
 * @brief Verify a complete image.
 *
 * With @p key_count zero only integrity is checked (SHA-256); otherwise the
 * image must carry a key hash of one of @p keys and a valid ECDSA-P256
 * signature by it.
 *
 * @retval 0 image is good; @p info is filled in.
 * @retval -ENOEXEC not an MCUboot image Ferry can install (Update Result 6).
 * @retval -EBADMSG integrity or signature failure (Update Result 5).
 * @retval -EFBIG image does not fit in the reader (Update Result 2).
 * @retval other negative errno from the reader or the crypto port.
 * In every case @p info->verdict says exactly what was wrong.
 */
int ferry_image_verify(const struct ferry_image_reader *reader, const struct ferry_image_key *keys,
		       size_t key_count, struct ferry_image_info *info);

/** Human-readable name of a verdict, for logs and diagnostics. */
const char *ferry_image_verdict_str(enum ferry_image_verdict verdict);

/**
 * @brief Compare two image versions the way MCUboot does (build number ignored).
 * @return negative, zero or positive as @p a is lower, equal or higher than @p b.
 */
int ferry_image_version_cmp(const struct ferry_image_version *a,
			    const struct ferry_image_version *b);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* FERRY_IMAGE_H_ */
