/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * RAM-backed flash for emulated boards whose code memory is RAM (QEMU's
 * mps2-an385 has no flash controller). The CPU executes in place from the
 * same memory, so MCUboot boots slots exactly as on a board with internal
 * flash. For simulation only: see ferry,ram-flash-controller.yaml.
 */

#define DT_DRV_COMPAT ferry_ram_flash_controller

#include <errno.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/flash.h>
#include <zephyr/linker/linker-defs.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/byteorder.h>
#include <zephyr/sys/util.h>

LOG_MODULE_REGISTER(ferry_ram_flash, CONFIG_FERRY_RAM_FLASH_LOG_LEVEL);

BUILD_ASSERT(DT_NUM_INST_STATUS_OKAY(DT_DRV_COMPAT) == 1,
	     "exactly one ferry,ram-flash-controller is supported");

#define CONTROLLER DT_DRV_INST(0)
#define FLASH_NODE DT_CHILD(CONTROLLER, flash_0)
#define FLASH_BASE DT_REG_ADDR(FLASH_NODE)
#define FLASH_SIZE DT_REG_SIZE(FLASH_NODE)
#define ERASE_BLOCK DT_PROP(FLASH_NODE, erase_block_size)
#define WRITE_BLOCK DT_PROP(FLASH_NODE, write_block_size)
#define ERASED_VALUE 0xffU

#define INITIAL_IMAGE_ADDR DT_PROP_BY_IDX(CONTROLLER, initial_image, 0)
#define INITIAL_IMAGE_SIZE DT_PROP_BY_IDX(CONTROLLER, initial_image, 1)
#define INITIAL_PARTITION DT_NODELABEL(slot0_partition)
#define FORMAT_MARKER_ADDR DT_PROP(CONTROLLER, format_marker)

BUILD_ASSERT(FLASH_SIZE % ERASE_BLOCK == 0, "flash size must be whole erase blocks");
BUILD_ASSERT(ERASE_BLOCK % WRITE_BLOCK == 0, "erase blocks must be whole write blocks");
BUILD_ASSERT(DT_NODE_EXISTS(INITIAL_PARTITION), "the initial image goes to slot0_partition: define it");

/* Stored at format-marker once the flash is formatted ("FRYf"). */
#define FORMAT_MAGIC 0x66595246U

/*
 * MCUboot image format (bootutil/image.h). Fixed on-flash format: these
 * offsets and magics must not change.
 */
#define IMAGE_MAGIC 0x96f3b83dU
#define IMAGE_HEADER_SIZE 32U
#define IMAGE_HDR_SIZE_OFF 8U
#define IMAGE_PROT_TLV_SIZE_OFF 10U
#define IMAGE_IMG_SIZE_OFF 12U
#define TLV_INFO_MAGIC 0x6907U
#define TLV_INFO_SIZE 4U

struct partition_area {
	uint32_t offset;
	uint32_t size;
};

#define PARTITION_AREA(node) {DT_REG_ADDR(node), DT_REG_SIZE(node)},

static const struct partition_area partitions[] = {
	DT_FOREACH_CHILD(DT_CHILD(FLASH_NODE, partitions), PARTITION_AREA)};

/* Integer arithmetic: the flash may start at address 0. */
static inline uint8_t *cell(uint32_t offset)
{
	return (uint8_t *)((uintptr_t)FLASH_BASE + offset);
}

static bool range_valid(off_t offset, size_t len)
{
	return offset >= 0 && (size_t)offset <= FLASH_SIZE && len <= FLASH_SIZE - (size_t)offset;
}

static int ram_flash_read(const struct device *dev, off_t offset, void *data, size_t len)
{
	ARG_UNUSED(dev);
	if (!range_valid(offset, len)) {
		return -EINVAL;
	}
	memcpy(data, cell((uint32_t)offset), len);
	return 0;
}

static int ram_flash_write(const struct device *dev, off_t offset, const void *data, size_t len)
{
	uint8_t *dst;

	ARG_UNUSED(dev);
	if (!range_valid(offset, len) || offset % WRITE_BLOCK != 0 || len % WRITE_BLOCK != 0) {
		return -EINVAL;
	}
	dst = cell((uint32_t)offset);
	for (size_t i = 0; i < len; i++) {
		if (dst[i] != ERASED_VALUE) {
			/* NOR flash cannot do this either: catch the bug here. */
			LOG_ERR("write to unerased flash at 0x%lx", (unsigned long)offset + i);
			return -EIO;
		}
	}
	memcpy(dst, data, len);
	return 0;
}

static int ram_flash_erase(const struct device *dev, off_t offset, size_t size)
{
	ARG_UNUSED(dev);
	if (!range_valid(offset, size) || offset % ERASE_BLOCK != 0 || size % ERASE_BLOCK != 0) {
		return -EINVAL;
	}
	memset(cell((uint32_t)offset), ERASED_VALUE, size);
	return 0;
}

static const struct flash_parameters ram_flash_parameters = {
	.write_block_size = WRITE_BLOCK,
	.erase_value = ERASED_VALUE,
};

static const struct flash_parameters *ram_flash_get_parameters(const struct device *dev)
{
	ARG_UNUSED(dev);
	return &ram_flash_parameters;
}

static int ram_flash_get_size(const struct device *dev, uint64_t *size)
{
	ARG_UNUSED(dev);
	*size = FLASH_SIZE;
	return 0;
}

#if defined(CONFIG_FLASH_PAGE_LAYOUT)
static const struct flash_pages_layout ram_flash_layout = {
	.pages_count = FLASH_SIZE / ERASE_BLOCK,
	.pages_size = ERASE_BLOCK,
};

static void ram_flash_page_layout(const struct device *dev,
				  const struct flash_pages_layout **layout, size_t *layout_size)
{
	ARG_UNUSED(dev);
	*layout = &ram_flash_layout;
	*layout_size = 1;
}
#endif

static DEVICE_API(flash, ram_flash_api) = {
	.read = ram_flash_read,
	.write = ram_flash_write,
	.erase = ram_flash_erase,
	.get_parameters = ram_flash_get_parameters,
	.get_size = ram_flash_get_size,
#if defined(CONFIG_FLASH_PAGE_LAYOUT)
	.page_layout = ram_flash_page_layout,
#endif
};

/* Whether [offset, offset + size) of the flash holds the code running now. */
static bool holds_running_code(uint32_t offset, uint32_t size)
{
	uintptr_t start = (uintptr_t)FLASH_BASE + offset;
	uintptr_t end = start + size;

	return start < (uintptr_t)__rom_region_end && (uintptr_t)__rom_region_start < end;
}

/* Length of the MCUboot image at @p img: header, body and both TLV areas. */
static int image_length(const uint8_t *img, uint32_t avail, uint32_t *len)
{
	uint32_t hdr_size, prot_tlv_size, img_size;
	uint64_t end;

	if (avail < IMAGE_HEADER_SIZE || sys_get_le32(img) != IMAGE_MAGIC) {
		return -ENOENT;
	}
	hdr_size = sys_get_le16(img + IMAGE_HDR_SIZE_OFF);
	prot_tlv_size = sys_get_le16(img + IMAGE_PROT_TLV_SIZE_OFF);
	img_size = sys_get_le32(img + IMAGE_IMG_SIZE_OFF);
	end = (uint64_t)hdr_size + img_size + prot_tlv_size;
	if (end + TLV_INFO_SIZE > avail || sys_get_le16(img + end) != TLV_INFO_MAGIC) {
		return -EBADMSG;
	}
	end += sys_get_le16(img + end + 2);
	if (end > avail) {
		return -EBADMSG;
	}
	*len = (uint32_t)end;
	return 0;
}

static int install_initial_image(void)
{
	const uint8_t *src = (const uint8_t *)(uintptr_t)INITIAL_IMAGE_ADDR;
	uint32_t offset = DT_REG_ADDR(INITIAL_PARTITION);
	uint32_t size = DT_REG_SIZE(INITIAL_PARTITION);
	uint32_t len;
	int rc;

	if (holds_running_code(offset, size)) {
		LOG_WRN("running from the initial image's partition: not installing");
		return 0;
	}
	rc = image_length(src, INITIAL_IMAGE_SIZE, &len);
	if (rc < 0) {
		LOG_WRN("no MCUboot image at 0x%08x (%d): %s left empty",
			(uint32_t)INITIAL_IMAGE_ADDR, rc, DT_NODE_FULL_NAME(INITIAL_PARTITION));
		return rc;
	}
	if (len > size) {
		LOG_ERR("initial image (%u B) does not fit %s (%u B)", len,
			DT_NODE_FULL_NAME(INITIAL_PARTITION), size);
		return -EFBIG;
	}
	memcpy(cell(offset), src, len);
	LOG_INF("installed the initial image (%u B) into %s", len,
		DT_NODE_FULL_NAME(INITIAL_PARTITION));
	return 0;
}

static int ram_flash_init(const struct device *dev)
{
	volatile uint32_t *marker = (volatile uint32_t *)(uintptr_t)FORMAT_MARKER_ADDR;

	ARG_UNUSED(dev);
	if (*marker == FORMAT_MAGIC) {
		return 0;
	}
	/* First power-on: RAM is zero, which is not erased flash. */
	for (size_t i = 0; i < ARRAY_SIZE(partitions); i++) {
		if (!holds_running_code(partitions[i].offset, partitions[i].size)) {
			memset(cell(partitions[i].offset), ERASED_VALUE, partitions[i].size);
		}
	}
	/* A missing image is not fatal: the flash is still usable. */
	(void)install_initial_image();
	*marker = FORMAT_MAGIC;
	return 0;
}

DEVICE_DT_INST_DEFINE(0, ram_flash_init, NULL, NULL, NULL, POST_KERNEL,
		      CONFIG_FLASH_INIT_PRIORITY, &ram_flash_api);
