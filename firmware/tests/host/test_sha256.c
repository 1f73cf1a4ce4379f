/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * SHA-256 against the FIPS 180-4 example vectors.
 */

#include <ferry/sha256.h>

#include "ferry_test.h"

static void digest_of(const void *data, size_t len, size_t split, uint8_t out[32])
{
	struct ferry_sha256 sha;

	ferry_sha256_init(&sha);
	ferry_sha256_update(&sha, data, split);
	ferry_sha256_update(&sha, (const uint8_t *)data + split, len - split);
	ferry_sha256_finish(&sha, out);
}

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < 32; i++) {
		sprintf(out + 2 * i, "%02x", d[i]);
	}
}

static void empty_message(void)
{
	uint8_t d[32];
	char h[65];

	digest_of("", 0, 0, d);
	hex(d, h);
	CHECK(strcmp(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);
}

static void abc(void)
{
	uint8_t d[32];
	char h[65];

	digest_of("abc", 3, 1, d);
	hex(d, h);
	CHECK(strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
}

static void two_blocks_at_every_split(void)
{
	const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t d[32];
	char h[65];

	for (size_t split = 0; split <= strlen(msg); split++) {
		digest_of(msg, strlen(msg), split, d);
		hex(d, h);
		CHECK(strcmp(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") ==
		      0);
	}
}

static void million_a(void)
{
	static uint8_t a[1000];
	struct ferry_sha256 sha;
	uint8_t d[32];
	char h[65];

	memset(a, 'a', sizeof(a));
	ferry_sha256_init(&sha);
	for (int i = 0; i < 1000; i++) {
		ferry_sha256_update(&sha, a, sizeof(a));
	}
	ferry_sha256_finish(&sha, d);
	hex(d, h);
	CHECK(strcmp(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);
}

FERRY_TEST_MAIN(T(empty_message), T(abc), T(two_blocks_at_every_split), T(million_a))
