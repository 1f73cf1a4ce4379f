/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Object 5 (Firmware Update) callbacks of Zephyr's LwM2M engine: pushed
 * package blocks (5/0/0), cancel, Update (5/0/2), and publishing State and
 * Update Result. The Package URI (5/0/1) is in ferry_obj_firmware_pull.c.
 */

#include <errno.h>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/logging/log_ctrl.h>
#include <zephyr/net/lwm2m.h>
#include <zephyr/sys/reboot.h>

#include "ferry_internal.h"

LOG_MODULE_DECLARE(ferry, CONFIG_FERRY_LOG_LEVEL);

/* Under ferry_lock(): inside Zephyr's package write, which sets State/Result itself. */
static bool zephyr_owns_transition;

void ferry_obj5_notify(void *ctx, enum ferry_fw_state state, enum ferry_fw_result result)
{
	ARG_UNUSED(ctx);
	LOG_INF("object 5: state %d, result %d", state, result);
	if (!zephyr_owns_transition) {
		ferry_publish_on_unlock();
	}
}

void ferry_obj5_publish(void)
{
	enum ferry_fw_state state;
	enum ferry_fw_result result;

	/*
	 * The engine's order: registry lock, then ferry_lock(). Reading the
	 * values inside the registry lock publishes the newest ones last even
	 * when two threads publish at once.
	 */
	lwm2m_registry_lock();
	ferry_lock();
	state = ferry_update_state(&ferry_fw);
	result = ferry_update_result(&ferry_fw);
	ferry_unlock();
	lwm2m_set_u8(&LWM2M_OBJ(LWM2M_OBJECT_FIRMWARE_ID, 0, FERRY_FW_RES_STATE), (uint8_t)state);
	lwm2m_set_u8(&LWM2M_OBJ(LWM2M_OBJECT_FIRMWARE_ID, 0, FERRY_FW_RES_RESULT), (uint8_t)result);
	lwm2m_registry_unlock();
}

/* Zephyr's object 5 turns these errnos into the same Update Result. */
static int zephyr_errno_for(enum ferry_fw_result result)
{
	switch (result) {
	case FERRY_FW_RESULT_NO_STORAGE:
		return -ENOSPC;
	case FERRY_FW_RESULT_OUT_OF_MEMORY:
		return -ENOMEM;
	case FERRY_FW_RESULT_INTEGRITY_FAILED:
		return -EFAULT;
	case FERRY_FW_RESULT_UNSUPPORTED_TYPE:
		return -ENOMSG;
	default:
		return -EIO;
	}
}

/*
 * Under ferry_lock(): one package block, pushed to 5/0/0 or pulled from
 * 5/0/1. On a push Zephyr's object 5 sets State and Update Result itself
 * from the errno returned here; a pull reports through ferry_obj5_notify().
 */
int ferry_obj5_deliver_block(uint32_t offset, const uint8_t *data, size_t len, bool last,
			     bool pushed)
{
	int rc;

	zephyr_owns_transition = pushed;
	rc = ferry_update_write_block(&ferry_fw, offset, data, len, last);
	zephyr_owns_transition = false;
	if (rc < 0) {
		LOG_ERR("%s block at %u refused: %d (%s)", pushed ? "pushed" : "pulled", offset,
			rc, ferry_image_verdict_str(ferry_fw.last_image.verdict));
		if (pushed) {
			rc = zephyr_errno_for(ferry_update_result(&ferry_fw));
		}
	}
	return rc;
}

static int package_pushed(uint32_t offset, const uint8_t *data, size_t len, bool last)
{
	int rc;

	ferry_lock();
	rc = ferry_obj5_deliver_block(offset, data, len, last, true);
	ferry_unlock();
	return rc;
}

/* Zephyr's write callback for both 5/0/0 (package) and 5/0/1 (package URI). */
static int object5_write_cb(uint16_t obj_inst_id, uint16_t res_id, uint16_t res_inst_id,
			    uint8_t *data, uint16_t data_len, bool last_block, size_t total_size,
			    size_t offset)
{
	ARG_UNUSED(obj_inst_id);
	ARG_UNUSED(res_inst_id);
	ARG_UNUSED(total_size);

	switch (res_id) {
	case FERRY_FW_RES_PACKAGE:
		return package_pushed((uint32_t)offset, data, data_len, last_block);
#if defined(CONFIG_FERRY_PULL)
	case FERRY_FW_RES_PACKAGE_URI:
		return ferry_obj5_package_uri_written((const char *)data, data_len);
#endif
	default:
		return -ENOENT;
	}
}

/* An empty package written in Downloaded: Zephyr already reset State and Update Result. */
static int cancel_cb(uint16_t obj_inst_id)
{
	ARG_UNUSED(obj_inst_id);
	ferry_lock();
	zephyr_owns_transition = true;
	(void)ferry_update_set_uri(&ferry_fw, "", 0);
	zephyr_owns_transition = false;
	ferry_obj5_pull_abandon();
	ferry_unlock();
	return 0;
}

static void reboot_work_handler(struct k_work *work)
{
	ARG_UNUSED(work);
	LOG_INF("rebooting into the new image for its trial");
	log_panic();
	sys_reboot(SYS_REBOOT_WARM);
}
static K_WORK_DELAYABLE_DEFINE(reboot_work, reboot_work_handler);

static int update_cb(uint16_t obj_inst_id, uint8_t *args, uint16_t args_len)
{
	int rc;

	ARG_UNUSED(obj_inst_id);
	ARG_UNUSED(args);
	ARG_UNUSED(args_len);

	ferry_lock();
	rc = ferry_update_execute(&ferry_fw);
	ferry_unlock();
	if (rc == 0) {
		k_work_schedule(&reboot_work, K_MSEC(CONFIG_FERRY_REBOOT_DELAY_MS));
	} else {
		LOG_ERR("update refused: %d", rc);
	}
	/* State and Update Result already tell the server what happened. */
	return 0;
}

int ferry_obj5_register(void)
{
	lwm2m_firmware_set_write_cb(object5_write_cb);
	lwm2m_firmware_set_update_cb(update_cb);
	lwm2m_firmware_set_cancel_cb(cancel_cb);
#if defined(CONFIG_FERRY_PULL)
	return lwm2m_register_post_write_callback(
		&LWM2M_OBJ(LWM2M_OBJECT_FIRMWARE_ID, 0, FERRY_FW_RES_PACKAGE_URI), object5_write_cb);
#else
	return 0;
#endif
}
