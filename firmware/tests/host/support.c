/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/port.h>
#include <ferry/sha256.h>

#include "support.h"

size_t test_load_fixture(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", FERRY_FIXTURE_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "cannot open fixture %s\n", path);
		exit(2);
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static int mem_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	struct test_mem *mem = ctx;

	if (offset > mem->len || len > mem->len - offset) {
		return -EIO;
	}
	memcpy(buf, mem->data + offset, len);
	return 0;
}

struct ferry_image_reader test_mem_reader(struct test_mem *mem)
{
	struct ferry_image_reader r = {.read = mem_read, .ctx = mem, .size = (uint32_t)mem->len};

	return r;
}

static uint8_t dev_key_der[128];
static uint8_t other_key_der[128];
struct ferry_image_key test_dev_key = {.der = dev_key_der};
struct ferry_image_key test_other_key = {.der = other_key_der};

void test_load_keys(void)
{
	test_dev_key.der_len = test_load_fixture("dev-key.pub.der", dev_key_der, sizeof(dev_key_der));
	test_other_key.der_len =
		test_load_fixture("other-key.pub.der", other_key_der, sizeof(other_key_der));
}

bool test_have_ecdsa(void)
{
	uint8_t digest[32] = {0};
	uint8_t sig[8] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};

	test_load_keys();
	return ferry_port_ecdsa_p256_verify(test_dev_key.der, test_dev_key.der_len, digest, sig,
					    sizeof(sig)) != -ENOTSUP;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

size_t test_build_image(uint8_t *buf, size_t cap, uint16_t hdr_size, size_t payload_len,
			uint8_t major, uint32_t seed)
{
	size_t len = hdr_size + payload_len + 4 + 4 + 32;

	if (len > cap) {
		abort();
	}
	memset(buf, 0, hdr_size);
	put32(buf, FERRY_IMAGE_MAGIC);
	buf[8] = (uint8_t)hdr_size;
	buf[9] = (uint8_t)(hdr_size >> 8);
	put32(buf + 12, (uint32_t)payload_len);
	buf[20] = major;
	for (size_t i = 0; i < payload_len; i++) {
		seed = seed * 1103515245U + 12345U;
		buf[hdr_size + i] = (uint8_t)(seed >> 16);
	}
	uint8_t *tlv = buf + hdr_size + payload_len;

	tlv[0] = 0x07;
	tlv[1] = 0x69;
	tlv[2] = 4 + 4 + 32;
	tlv[3] = 0;
	tlv[4] = FERRY_IMAGE_TLV_SHA256;
	tlv[5] = 0;
	tlv[6] = 32;
	tlv[7] = 0;
	test_fix_hash(buf, len);
	return len;
}

void test_fix_hash(uint8_t *img, size_t len)
{
	struct ferry_image_header hdr;
	struct ferry_sha256 sha;

	if (ferry_image_header_decode(img, len, &hdr) != 0) {
		abort();
	}
	size_t hashed = hdr.hdr_size + hdr.img_size + hdr.protect_tlv_size;
	size_t off = hashed + 4;
	size_t end = hashed + (img[hashed + 2] | (img[hashed + 3] << 8));

	while (off + 4 <= end) {
		size_t tlen = img[off + 2] | (img[off + 3] << 8);

		if (img[off] == FERRY_IMAGE_TLV_SHA256) {
			ferry_sha256_init(&sha);
			ferry_sha256_update(&sha, img, hashed);
			ferry_sha256_finish(&sha, img + off + 4);
			return;
		}
		off += 4 + tlen;
	}
	abort();
}
