/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The core's platform operations on the secondary slot (through
 * stream_flash) and the test swap request to MCUboot.
 */

#include <errno.h>

#include <zephyr/dfu/mcuboot.h>
#include <zephyr/drivers/flash.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/storage/flash_map.h>
#include <zephyr/storage/stream_flash.h>

#include "ferry_internal.h"

LOG_MODULE_DECLARE(ferry, CONFIG_FERRY_LOG_LEVEL);

#define SLOT1_ID FIXED_PARTITION_ID(slot1_partition)

/* Used by the core only, under ferry_lock(). */
static struct stream_flash_ctx stream;
static uint8_t stream_buf[CONFIG_FERRY_STREAM_BUF_SIZE];
static const struct flash_area *slot1;
static uint32_t stream_base;

int ferry_slot_init(uint32_t *size)
{
	int rc = flash_area_open(SLOT1_ID, &slot1);

	if (rc < 0) {
		LOG_ERR("cannot open the secondary slot: %d", rc);
		return rc;
	}
	*size = slot1->fa_size;
	return 0;
}

int ferry_slot_open(void *ctx, uint32_t offset)
{
	int rc;

	ARG_UNUSED(ctx);
	if (offset == 0) {
		/* A fresh download: no stale trailer may survive in the slot. */
		rc = boot_erase_img_bank(SLOT1_ID);
		if (rc < 0) {
			LOG_ERR("cannot erase the secondary slot: %d", rc);
			return rc;
		}
	}
	stream_base = offset;
	rc = stream_flash_init(&stream, flash_area_get_device(slot1), stream_buf,
			       sizeof(stream_buf), slot1->fa_off + offset, slot1->fa_size - offset,
			       NULL);
	if (rc < 0) {
		LOG_ERR("stream_flash_init at offset %u failed: %d", offset, rc);
	}
	return rc;
}

int ferry_slot_write(void *ctx, uint32_t offset, const uint8_t *data, size_t len)
{
	ARG_UNUSED(ctx);
	if (offset != stream_base + stream.buf_bytes +
			      stream_flash_bytes_written(&stream)) {
		return -EINVAL;
	}
	return stream_flash_buffered_write(&stream, data, len, false);
}

int ferry_slot_flush(void *ctx)
{
	ARG_UNUSED(ctx);
	return stream_flash_buffered_write(&stream, NULL, 0, true);
}

int ferry_slot_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	ARG_UNUSED(ctx);
	return flash_area_read(slot1, offset, buf, len);
}

int ferry_slot_request_upgrade(void *ctx)
{
	ARG_UNUSED(ctx);
	return boot_request_upgrade(BOOT_UPGRADE_TEST);
}

uint32_t ferry_slot_erase_unit(uint32_t min)
{
	struct flash_pages_info page;

	if (flash_get_page_info_by_offs(flash_area_get_device(slot1), slot1->fa_off, &page) == 0 &&
	    page.size > min) {
		return page.size;
	}
	return min;
}
