/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target: the image parser must never read out of bounds, loop
 * forever or crash, whatever bytes a server (or an attacker) sends.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/image.h>
#include <ferry/update.h>

struct fuzz_reader {
	struct ferry_image_reader reader;
	const uint8_t *data;
};

static int fuzz_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	const struct fuzz_reader *fr = ctx;

	if (offset > fr->reader.size || len > fr->reader.size - offset) {
		abort(); /* the parser must never ask past the size it was given */
	}
	memcpy(buf, fr->data + offset, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Any 91-byte string works as a key: it is only hashed and compared. */
	static const uint8_t key_der[91] = {0x30, 0x59};
	const struct ferry_image_key key = {key_der, sizeof(key_der)};
	struct fuzz_reader fr = {{fuzz_read, &fr, (uint32_t)size}, data};
	struct ferry_image_info info;
	struct ferry_update_record rec;

	if (size > UINT32_MAX) {
		return 0;
	}
	(void)ferry_image_verify(&fr.reader, NULL, 0, &info);
	(void)ferry_image_verify(&fr.reader, &key, 1, &info);
	/* The persisted-record decoder faces flash contents after power loss. */
	(void)ferry_update_record_decode(data, size, &rec);
	return 0;
}
