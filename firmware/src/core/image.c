/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * MCUboot image verification. Mirrors boot/bootutil/src/image_validate.c:
 * the digest covers header, body and protected TLVs; the unprotected TLVs
 * carry the digest, the signing key's hash and the signature.
 */

#include <errno.h>
#include <string.h>

#include <ferry/config.h>
#include <ferry/image.h>
#include <ferry/port.h>

#define TLV_INFO_SIZE 4U
#define TLV_HEADER_SIZE 4U

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

int ferry_image_header_decode(const uint8_t *buf, size_t len, struct ferry_image_header *hdr)
{
	if (len < FERRY_IMAGE_HEADER_SIZE) {
		return -EINVAL;
	}
	if (get_le32(buf) != FERRY_IMAGE_MAGIC) {
		return -ENOEXEC;
	}

	hdr->load_addr = get_le32(buf + 4);
	hdr->hdr_size = get_le16(buf + 8);
	hdr->protect_tlv_size = get_le16(buf + 10);
	hdr->img_size = get_le32(buf + 12);
	hdr->flags = get_le32(buf + 16);
	hdr->version.major = buf[20];
	hdr->version.minor = buf[21];
	hdr->version.revision = get_le16(buf + 22);
	hdr->version.build_num = get_le32(buf + 24);

	if (hdr->flags & FERRY_IMAGE_F_UNSUPPORTED) {
		return -ENOEXEC;
	}
	if (hdr->hdr_size < FERRY_IMAGE_HEADER_SIZE ||
	    (hdr->protect_tlv_size != 0 && hdr->protect_tlv_size < TLV_INFO_SIZE)) {
		return -EBADMSG;
	}
	return 0;
}

int ferry_image_version_cmp(const struct ferry_image_version *a,
			    const struct ferry_image_version *b)
{
	if (a->major != b->major) {
		return a->major < b->major ? -1 : 1;
	}
	if (a->minor != b->minor) {
		return a->minor < b->minor ? -1 : 1;
	}
	if (a->revision != b->revision) {
		return a->revision < b->revision ? -1 : 1;
	}
	return 0;
}

const char *ferry_image_verdict_str(enum ferry_image_verdict verdict)
{
	switch (verdict) {
	case FERRY_IMAGE_OK:
		return "ok";
	case FERRY_IMAGE_BAD_MAGIC:
		return "not an MCUboot image (bad magic)";
	case FERRY_IMAGE_UNSUPPORTED_FLAGS:
		return "encrypted, compressed or RAM-load image is not supported";
	case FERRY_IMAGE_BAD_LAYOUT:
		return "inconsistent header or TLV sizes";
	case FERRY_IMAGE_TRUNCATED:
		return "image larger than the data available";
	case FERRY_IMAGE_NO_HASH:
		return "no SHA-256 TLV";
	case FERRY_IMAGE_HASH_MISMATCH:
		return "SHA-256 mismatch (corrupted or tampered image)";
	case FERRY_IMAGE_UNKNOWN_KEY:
		return "signed by an unknown key";
	case FERRY_IMAGE_NO_SIGNATURE:
		return "image is not signed";
	case FERRY_IMAGE_BAD_SIGNATURE:
		return "signature does not verify";
	case FERRY_IMAGE_READ_ERROR:
		return "storage read error";
	}
	return "unknown";
}

/* Hash [0, len) of the image through a bounded stack buffer. */
static int hash_region(const struct ferry_image_reader *reader, uint32_t len,
		       uint8_t digest[FERRY_SHA256_LEN])
{
	uint8_t chunk[CONFIG_FERRY_IMAGE_VERIFY_CHUNK_SIZE];
	struct ferry_sha256 sha;
	uint32_t off = 0;
	int rc = 0;

	ferry_sha256_init(&sha);
	while (off < len) {
		uint32_t n = len - off;

		if (n > sizeof(chunk)) {
			n = sizeof(chunk);
		}
		rc = reader->read(reader->ctx, off, chunk, n);
		if (rc < 0) {
			goto done;
		}
		ferry_sha256_update(&sha, chunk, n);
		off += n;
	}
	ferry_sha256_finish(&sha, digest);
done:
	return rc;
}

static int find_key(const struct ferry_image_key *keys, size_t key_count,
		    const uint8_t *keyhash)
{
	uint8_t hash[FERRY_SHA256_LEN];
	struct ferry_sha256 sha;

	for (size_t i = 0; i < key_count; i++) {
		ferry_sha256_init(&sha);
		ferry_sha256_update(&sha, keys[i].der, keys[i].der_len);
		ferry_sha256_finish(&sha, hash);
		if (memcmp(hash, keyhash, sizeof(hash)) == 0) {
			return (int)i;
		}
	}
	return -1;
}

/* Length of a DER SEQUENCE at the start of @p sig, ignoring imgtool's zero padding. */
static size_t der_signature_len(const uint8_t *sig, size_t len)
{
	if (len < 8 || sig[0] != 0x30 || sig[1] >= 0x80 || (size_t)sig[1] + 2U > len) {
		return 0;
	}
	return (size_t)sig[1] + 2U;
}

struct tlv_findings {
	uint8_t hash[FERRY_SHA256_LEN];
	uint8_t sig[FERRY_IMAGE_ECDSA_SIG_MAX];
	size_t sig_len;
	int key_index;
	bool has_hash;
	bool has_keyhash;
	bool has_sig;
};

/* Walk the unprotected TLV area, collecting the digest, key hash and signature. */
static int scan_tlvs(const struct ferry_image_reader *reader, uint32_t start, uint32_t end,
		     const struct ferry_image_key *keys, size_t key_count,
		     struct tlv_findings *found, enum ferry_image_verdict *verdict)
{
	uint8_t tlv[TLV_HEADER_SIZE];
	uint8_t keyhash[FERRY_SHA256_LEN];
	uint32_t off = start;
	int rc = 0;

	while (off < end) {
		if (end - off < TLV_HEADER_SIZE) {
			*verdict = FERRY_IMAGE_BAD_LAYOUT;
			rc = -EBADMSG;
			goto done;
		}
		rc = reader->read(reader->ctx, off, tlv, sizeof(tlv));
		if (rc < 0) {
			*verdict = FERRY_IMAGE_READ_ERROR;
			goto done;
		}
		uint8_t type = tlv[0];
		uint16_t len = get_le16(tlv + 2);

		off += TLV_HEADER_SIZE;
		if (len > end - off) {
			*verdict = FERRY_IMAGE_BAD_LAYOUT;
			rc = -EBADMSG;
			goto done;
		}

		if (type == FERRY_IMAGE_TLV_SHA256) {
			if (len != FERRY_SHA256_LEN) {
				*verdict = FERRY_IMAGE_BAD_LAYOUT;
				rc = -EBADMSG;
				goto done;
			}
			rc = reader->read(reader->ctx, off, found->hash, len);
			found->has_hash = true;
		} else if (type == FERRY_IMAGE_TLV_KEYHASH) {
			if (len != FERRY_SHA256_LEN) {
				*verdict = FERRY_IMAGE_BAD_LAYOUT;
				rc = -EBADMSG;
				goto done;
			}
			rc = reader->read(reader->ctx, off, keyhash, len);
			found->has_keyhash = true;
			found->key_index = rc < 0 ? -1 : find_key(keys, key_count, keyhash);
		} else if (type == FERRY_IMAGE_TLV_ECDSA_SIG) {
			if (len > sizeof(found->sig)) {
				*verdict = FERRY_IMAGE_BAD_SIGNATURE;
				rc = -EBADMSG;
				goto done;
			}
			rc = reader->read(reader->ctx, off, found->sig, len);
			found->sig_len = len;
			found->has_sig = true;
		}
		if (rc < 0) {
			*verdict = FERRY_IMAGE_READ_ERROR;
			goto done;
		}
		off += len;
	}
done:
	return rc;
}

/* Read the security counter from the protected TLV area, if there is one. */
static int read_security_counter(const struct ferry_image_reader *reader, uint32_t start,
				 uint32_t end, uint32_t *counter)
{
	uint8_t tlv[TLV_HEADER_SIZE + 4];
	uint32_t off = start;
	int rc = 0;

	while (end - off >= TLV_HEADER_SIZE) {
		rc = reader->read(reader->ctx, off, tlv, TLV_HEADER_SIZE);
		if (rc < 0) {
			goto done;
		}
		uint16_t len = get_le16(tlv + 2);

		off += TLV_HEADER_SIZE;
		if (len > end - off) {
			rc = -EBADMSG;
			goto done;
		}
		if (tlv[0] == FERRY_IMAGE_TLV_SEC_CNT && len == 4) {
			rc = reader->read(reader->ctx, off, tlv + TLV_HEADER_SIZE, 4);
			if (rc < 0) {
				goto done;
			}
			*counter = get_le32(tlv + TLV_HEADER_SIZE);
		}
		off += len;
	}
	if (off != end) {
		rc = -EBADMSG;
	}
done:
	return rc;
}

static int read_tlv_info(const struct ferry_image_reader *reader, uint32_t off, uint16_t magic,
			 uint16_t *total)
{
	uint8_t info[TLV_INFO_SIZE];
	int rc = reader->read(reader->ctx, off, info, sizeof(info));

	if (rc < 0) {
		return rc;
	}
	if (get_le16(info) != magic) {
		return -EBADMSG;
	}
	*total = get_le16(info + 2);
	return 0;
}

int ferry_image_verify(const struct ferry_image_reader *reader, const struct ferry_image_key *keys,
		       size_t key_count, struct ferry_image_info *info)
{
	struct tlv_findings found = {.key_index = -1};
	struct ferry_image_header *hdr = &info->header;
	enum ferry_image_verdict verdict = FERRY_IMAGE_BAD_LAYOUT;
	uint8_t raw[FERRY_IMAGE_HEADER_SIZE];
	uint16_t tlv_total = 0;
	uint32_t tlv_off;
	int rc;

	memset(info, 0, sizeof(*info));
	info->key_index = -1;

	if (reader->size < FERRY_IMAGE_HEADER_SIZE) {
		verdict = FERRY_IMAGE_TRUNCATED;
		rc = -EBADMSG;
		goto done;
	}
	rc = reader->read(reader->ctx, 0, raw, sizeof(raw));
	if (rc < 0) {
		verdict = FERRY_IMAGE_READ_ERROR;
		goto done;
	}
	rc = ferry_image_header_decode(raw, sizeof(raw), hdr);
	if (rc == -ENOEXEC) {
		verdict = get_le32(raw) == FERRY_IMAGE_MAGIC ? FERRY_IMAGE_UNSUPPORTED_FLAGS
							     : FERRY_IMAGE_BAD_MAGIC;
		goto done;
	} else if (rc < 0) {
		goto done;
	}

	/* 64-bit sums: a hostile header must not wrap the bounds checks. */
	uint64_t hashed_len = (uint64_t)hdr->hdr_size + hdr->img_size + hdr->protect_tlv_size;

	if (hashed_len + TLV_INFO_SIZE > reader->size) {
		verdict = FERRY_IMAGE_TRUNCATED;
		rc = -EFBIG;
		goto done;
	}

	if (hdr->protect_tlv_size != 0) {
		uint32_t prot_off = hdr->hdr_size + hdr->img_size;

		rc = read_tlv_info(reader, prot_off, FERRY_IMAGE_TLV_PROT_INFO_MAGIC, &tlv_total);
		if (rc < 0 || tlv_total != hdr->protect_tlv_size) {
			verdict = rc == -EBADMSG || rc == 0 ? FERRY_IMAGE_BAD_LAYOUT
							    : FERRY_IMAGE_READ_ERROR;
			rc = rc < 0 ? rc : -EBADMSG;
			goto done;
		}
		rc = read_security_counter(reader, prot_off + TLV_INFO_SIZE,
					   prot_off + hdr->protect_tlv_size,
					   &info->security_counter);
		if (rc < 0) {
			goto done;
		}
	}

	tlv_off = (uint32_t)hashed_len;
	rc = read_tlv_info(reader, tlv_off, FERRY_IMAGE_TLV_INFO_MAGIC, &tlv_total);
	if (rc < 0) {
		verdict = rc == -EBADMSG ? FERRY_IMAGE_BAD_LAYOUT : FERRY_IMAGE_READ_ERROR;
		goto done;
	}
	if (tlv_total < TLV_INFO_SIZE) {
		rc = -EBADMSG;
		goto done;
	}
	if ((uint64_t)tlv_off + tlv_total > reader->size) {
		verdict = FERRY_IMAGE_TRUNCATED;
		rc = -EFBIG;
		goto done;
	}
	info->total_size = tlv_off + tlv_total;

	rc = scan_tlvs(reader, tlv_off + TLV_INFO_SIZE, tlv_off + tlv_total, keys, key_count,
		       &found, &verdict);
	if (rc < 0) {
		goto done;
	}

	rc = hash_region(reader, (uint32_t)hashed_len, info->digest);
	if (rc < 0) {
		verdict = FERRY_IMAGE_READ_ERROR;
		goto done;
	}
	if (!found.has_hash) {
		verdict = FERRY_IMAGE_NO_HASH;
		rc = -EBADMSG;
		goto done;
	}
	if (memcmp(found.hash, info->digest, FERRY_SHA256_LEN) != 0) {
		verdict = FERRY_IMAGE_HASH_MISMATCH;
		rc = -EBADMSG;
		goto done;
	}

	if (key_count == 0) {
		verdict = FERRY_IMAGE_OK;
		goto done;
	}
	if (!found.has_keyhash || !found.has_sig) {
		verdict = FERRY_IMAGE_NO_SIGNATURE;
		rc = -EBADMSG;
		goto done;
	}
	if (found.key_index < 0) {
		verdict = FERRY_IMAGE_UNKNOWN_KEY;
		rc = -EBADMSG;
		goto done;
	}

	size_t sig_len = der_signature_len(found.sig, found.sig_len);

	if (sig_len == 0) {
		verdict = FERRY_IMAGE_BAD_SIGNATURE;
		rc = -EBADMSG;
		goto done;
	}
	const struct ferry_image_key *key = &keys[found.key_index];

	rc = ferry_port_ecdsa_p256_verify(key->der, key->der_len, info->digest, found.sig, sig_len);
	if (rc < 0) {
		verdict = FERRY_IMAGE_BAD_SIGNATURE;
		goto done;
	}
	info->key_index = found.key_index;
	verdict = FERRY_IMAGE_OK;

done:
	info->verdict = verdict;
	return rc;
}
