/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Image verification against images signed by MCUboot's imgtool (fixtures)
 * and against hand-built malformed images.
 */

#include <errno.h>
#include <stdbool.h>

#include <ferry/image.h>

#include "ferry_test.h"
#include "support.h"

static uint8_t img[TEST_IMAGE_MAX];
static size_t img_len;

static int verify(const uint8_t *data, size_t len, const struct ferry_image_key *keys,
		  size_t key_count, struct ferry_image_info *info)
{
	struct test_mem mem = {.data = data, .len = len};
	struct ferry_image_reader r = test_mem_reader(&mem);

	return ferry_image_verify(&r, keys, key_count, info);
}

/* Offset of the value of the first unprotected TLV of @p type, or 0. */
static size_t find_tlv(const uint8_t *data, size_t len, uint8_t type)
{
	struct ferry_image_header hdr;

	if (ferry_image_header_decode(data, len, &hdr) != 0) {
		return 0;
	}
	size_t off = hdr.hdr_size + hdr.img_size + hdr.protect_tlv_size;
	size_t end = off + (data[off + 2] | (data[off + 3] << 8));

	for (off += 4; off + 4 <= end; off += 4 + (data[off + 2] | (data[off + 3] << 8))) {
		if (data[off] == type) {
			return off + 4;
		}
	}
	return 0;
}

static bool skip_without_ecdsa(const char *test)
{
	if (!test_have_ecdsa()) {
		printf("SKIP %s: built without an ECDSA backend (install libmbedtls-dev)\n", test);
		return true;
	}
	return false;
}

static void load_signed(void)
{
	test_load_keys();
	img_len = test_load_fixture("signed-v1.2.3.bin", img, sizeof(img));
}

static void imgtool_signed_image_verifies(void)
{
	struct ferry_image_info info;

	if (skip_without_ecdsa(__func__)) {
		return;
	}
	load_signed();
	const struct ferry_image_key keys[] = {test_other_key, test_dev_key};

	CHECK_EQ(verify(img, img_len, keys, 2, &info), 0);
	CHECK_EQ(info.verdict, FERRY_IMAGE_OK);
	CHECK_EQ(info.key_index, 1);
	CHECK_EQ(info.header.version.major, 1);
	CHECK_EQ(info.header.version.minor, 2);
	CHECK_EQ(info.header.version.revision, 3);
	CHECK_EQ(info.header.version.build_num, 4);
	CHECK_EQ(info.security_counter, 7);
	CHECK_EQ(info.total_size, img_len);
}

static void image_in_a_larger_slot_verifies(void)
{
	static uint8_t slot[TEST_IMAGE_MAX];
	struct ferry_image_info info;

	if (skip_without_ecdsa(__func__)) {
		return;
	}
	load_signed();
	memset(slot, 0xff, sizeof(slot));
	memcpy(slot, img, img_len);
	CHECK_EQ(verify(slot, sizeof(slot), &test_dev_key, 1, &info), 0);
	CHECK_EQ(info.total_size, img_len);
}

static void flipped_body_byte_is_hash_mismatch(void)
{
	struct ferry_image_info info;

	load_signed();
	img[0x200 + 100] ^= 0x01;
	CHECK_EQ(verify(img, img_len, &test_dev_key, 1, &info), -EBADMSG);
	CHECK_EQ(info.verdict, FERRY_IMAGE_HASH_MISMATCH);
}

static void flipped_version_in_header_is_hash_mismatch(void)
{
	struct ferry_image_info info;

	load_signed();
	img[20] = 9; /* a downgrade/upgrade attack on the header must not pass */
	CHECK_EQ(verify(img, img_len, NULL, 0, &info), -EBADMSG);
	CHECK_EQ(info.verdict, FERRY_IMAGE_HASH_MISMATCH);
}

static void tampered_body_with_fixed_hash_is_bad_signature(void)
{
	struct ferry_image_info info;

	if (skip_without_ecdsa(__func__)) {
		return;
	}
	load_signed();
	img[0x200 + 5] ^= 0x80;
	test_fix_hash(img, img_len);
	CHECK_EQ(verify(img, img_len, &test_dev_key, 1, &info), -EBADMSG);
	CHECK_EQ(info.verdict, FERRY_IMAGE_BAD_SIGNATURE);
}

static void corrupted_signature_is_bad_signature(void)
{
	struct ferry_image_info info;

	if (skip_without_ecdsa(__func__)) {
		return;
	}
	load_signed();
	size_t sig = find_tlv(img, img_len, FERRY_IMAGE_TLV_ECDSA_SIG);

	CHECK(sig != 0);
	img[sig + 10] ^= 0x01;
	CHECK_EQ(verify(img, img_len, &test_dev_key, 1, &info), -EBADMSG);
	CHECK_EQ(info.verdict, FERRY_IMAGE_BAD_SIGNATURE);
}

static void unknown_key_is_refused(void)
{
	struct ferry_image_info info;

	load_signed();
	CHECK_EQ(verify(img, img_len, &test_other_key, 1, &info), -EBADMSG);
	CHECK_EQ(info.verdict, FERRY_IMAGE_UNKNOWN_KEY);
}

static void unsigned_image_passes_integrity_only(void)
{
	struct ferry_image_info info;

	test_load_keys();
	img_len = test_load_fixture("unsigned-v2.0.0.bin", img, sizeof(img));
	CHECK_EQ(verify(img, img_len, NULL, 0, &info), 0);
	CHECK_EQ(info.header.version.major, 2);
	CHECK_EQ(info.key_index, -1);
	CHECK_EQ(verify(img, img_len, &test_dev_key, 1, &info), -EBADMSG);
	CHECK_EQ(info.verdict, FERRY_IMAGE_NO_SIGNATURE);
}

static void bad_magic_is_unsupported_package(void)
{
	struct ferry_image_info info;

	load_signed();
	img[0] = 0x7f; /* e.g. an ELF file uploaded by mistake */
	CHECK_EQ(verify(img, img_len, &test_dev_key, 1, &info), -ENOEXEC);
	CHECK_EQ(info.verdict, FERRY_IMAGE_BAD_MAGIC);
}

static void encrypted_flag_is_unsupported(void)
{
	struct ferry_image_info info;

	img_len = test_build_image(img, sizeof(img), 32, 100, 1, 1);
	img[16] |= 0x04;
	CHECK_EQ(verify(img, img_len, NULL, 0, &info), -ENOEXEC);
	CHECK_EQ(info.verdict, FERRY_IMAGE_UNSUPPORTED_FLAGS);
}

static void truncated_image_is_refused(void)
{
	struct ferry_image_info info;

	load_signed();
	for (size_t cut = 0; cut < img_len; cut += 97) {
		int rc = verify(img, cut, &test_dev_key, 1, &info);

		CHECK(rc < 0);
		CHECK(info.verdict == FERRY_IMAGE_TRUNCATED || info.verdict == FERRY_IMAGE_BAD_LAYOUT);
	}
}

static void huge_sizes_do_not_wrap(void)
{
	struct ferry_image_info info;

	img_len = test_build_image(img, sizeof(img), 32, 64, 1, 2);
	img[12] = img[13] = img[14] = img[15] = 0xff; /* img_size = 4 GiB - 1 */
	CHECK_EQ(verify(img, img_len, NULL, 0, &info), -EFBIG);
	CHECK_EQ(info.verdict, FERRY_IMAGE_TRUNCATED);
}

static void tlv_length_past_end_is_bad_layout(void)
{
	struct ferry_image_info info;

	img_len = test_build_image(img, sizeof(img), 32, 64, 1, 3);
	img[32 + 64 + 4 + 2] = 200; /* SHA-256 TLV claims 200 bytes */
	CHECK_EQ(verify(img, img_len, NULL, 0, &info), -EBADMSG);
	CHECK_EQ(info.verdict, FERRY_IMAGE_BAD_LAYOUT);
}

static void missing_hash_tlv_is_refused(void)
{
	struct ferry_image_info info;

	img_len = test_build_image(img, sizeof(img), 32, 64, 1, 4);
	img[32 + 64 + 4] = 0xa0; /* turn the SHA-256 TLV into a vendor TLV */
	CHECK_EQ(verify(img, img_len, NULL, 0, &info), -EBADMSG);
	CHECK_EQ(info.verdict, FERRY_IMAGE_NO_HASH);
}

static void protected_area_size_mismatch_is_bad_layout(void)
{
	struct ferry_image_info info;

	load_signed();
	img[10] = (uint8_t)(img[10] + 4); /* protect_tlv_size no longer matches its info */
	CHECK_EQ(verify(img, img_len + 4, &test_dev_key, 1, &info), -EBADMSG);
	CHECK_EQ(info.verdict, FERRY_IMAGE_BAD_LAYOUT);
}

static void read_errors_are_reported(void)
{
	struct ferry_image_info info;
	struct test_mem mem = {.data = img, .len = 40};
	struct ferry_image_reader r;

	img_len = test_build_image(img, sizeof(img), 32, 64, 1, 5);
	r = test_mem_reader(&mem);
	r.size = (uint32_t)img_len; /* claims more than it can read */
	CHECK_EQ(ferry_image_verify(&r, NULL, 0, &info), -EIO);
	CHECK_EQ(info.verdict, FERRY_IMAGE_READ_ERROR);
}

static void built_image_versions_compare(void)
{
	struct ferry_image_version a = {1, 2, 3, 4}, b = {1, 2, 3, 99}, c = {1, 3, 0, 0};

	CHECK_EQ(ferry_image_version_cmp(&a, &b), 0);
	CHECK(ferry_image_version_cmp(&a, &c) < 0);
	CHECK(ferry_image_version_cmp(&c, &a) > 0);
	CHECK(strcmp(ferry_image_verdict_str(FERRY_IMAGE_UNKNOWN_KEY), "signed by an unknown key") ==
	      0);
}

FERRY_TEST_MAIN(T(imgtool_signed_image_verifies), T(image_in_a_larger_slot_verifies),
		T(flipped_body_byte_is_hash_mismatch), T(flipped_version_in_header_is_hash_mismatch),
		T(tampered_body_with_fixed_hash_is_bad_signature),
		T(corrupted_signature_is_bad_signature), T(unknown_key_is_refused),
		T(unsigned_image_passes_integrity_only), T(bad_magic_is_unsupported_package),
		T(encrypted_flag_is_unsupported), T(truncated_image_is_refused),
		T(huge_sizes_do_not_wrap), T(tlv_length_past_end_is_bad_layout),
		T(missing_hash_tlv_is_refused), T(protected_area_size_mismatch_is_bad_layout),
		T(read_errors_are_reported), T(built_image_versions_compare))
