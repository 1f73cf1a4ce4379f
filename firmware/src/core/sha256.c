/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Compact SHA-256 after FIPS 180-4, written for small code size rather than
 * speed: one round function, no unrolling.
 */

#include <string.h>

#include <ferry/sha256.h>

static const uint32_t round_constants[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32U - n));
}

static void compress(struct ferry_sha256 *ctx, const uint8_t *block)
{
	uint32_t w[16];
	uint32_t v[8];
	unsigned int i;

	for (i = 0; i < 8; i++) {
		v[i] = ctx->state[i];
	}

	for (i = 0; i < 64; i++) {
		uint32_t wi;

		if (i < 16) {
			wi = ((uint32_t)block[4 * i] << 24) | ((uint32_t)block[4 * i + 1] << 16) |
			     ((uint32_t)block[4 * i + 2] << 8) | (uint32_t)block[4 * i + 3];
		} else {
			uint32_t w15 = w[(i - 15) & 15];
			uint32_t w2 = w[(i - 2) & 15];
			uint32_t s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3);
			uint32_t s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10);

			wi = w[i & 15] + s0 + w[(i - 7) & 15] + s1;
		}
		w[i & 15] = wi;

		uint32_t e = v[4];
		uint32_t a = v[0];
		uint32_t t1 = v[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
			      ((e & v[5]) ^ (~e & v[6])) + round_constants[i] + wi;
		uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) +
			      ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));

		memmove(&v[1], &v[0], 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}

	for (i = 0; i < 8; i++) {
		ctx->state[i] += v[i];
	}
}

void ferry_sha256_init(struct ferry_sha256 *ctx)
{
	static const uint32_t initial[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(ctx->state, initial, sizeof(initial));
	ctx->length = 0;
	ctx->block_len = 0;
}

void ferry_sha256_update(struct ferry_sha256 *ctx, const void *data, size_t len)
{
	const uint8_t *in = data;

	ctx->length += len;
	while (len > 0) {
		size_t take = sizeof(ctx->block) - ctx->block_len;

		if (take > len) {
			take = len;
		}
		memcpy(&ctx->block[ctx->block_len], in, take);
		ctx->block_len += (uint8_t)take;
		in += take;
		len -= take;
		if (ctx->block_len == sizeof(ctx->block)) {
			compress(ctx, ctx->block);
			ctx->block_len = 0;
		}
	}
}

void ferry_sha256_finish(struct ferry_sha256 *ctx, uint8_t out[FERRY_SHA256_LEN])
{
	uint64_t bits = ctx->length * 8U;
	unsigned int i;

	ctx->block[ctx->block_len++] = 0x80;
	if (ctx->block_len > 56) {
		memset(&ctx->block[ctx->block_len], 0, sizeof(ctx->block) - ctx->block_len);
		compress(ctx, ctx->block);
		ctx->block_len = 0;
	}
	memset(&ctx->block[ctx->block_len], 0, 56U - ctx->block_len);
	for (i = 0; i < 8; i++) {
		ctx->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	}
	compress(ctx, ctx->block);

	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(ctx->state[i] >> 24);
		out[4 * i + 1] = (uint8_t)(ctx->state[i] >> 16);
		out[4 * i + 2] = (uint8_t)(ctx->state[i] >> 8);
		out[4 * i + 3] = (uint8_t)ctx->state[i];
	}
	memset(ctx, 0, sizeof(*ctx));
}
