/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef FERRY_TEST_SUPPORT_H_
#define FERRY_TEST_SUPPORT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/image.h>

/** Largest fixture or built image used by the tests. */
#define TEST_IMAGE_MAX 8192

/** Load firmware/tests/fixtures/@p name; returns its size, or exits on error. */
size_t test_load_fixture(const char *name, uint8_t *buf, size_t cap);

/** A reader over a RAM buffer. */
struct test_mem {
	const uint8_t *data;
	size_t len;
};
struct ferry_image_reader test_mem_reader(struct test_mem *mem);

/** The development public key and an unrelated one. */
extern struct ferry_image_key test_dev_key;
extern struct ferry_image_key test_other_key;
void test_load_keys(void);

/** Whether this build links a real ECDSA backend. */
bool test_have_ecdsa(void);

/**
 * Build an unsigned MCUboot image (SHA-256 TLV only) of @p payload_len
 * pseudo-random bytes seeded by @p seed; returns its length.
 */
size_t test_build_image(uint8_t *buf, size_t cap, uint16_t hdr_size, size_t payload_len,
			uint8_t major, uint32_t seed);

/** Recompute the SHA-256 TLV of an image after its contents were changed. */
void test_fix_hash(uint8_t *img, size_t len);

#endif
