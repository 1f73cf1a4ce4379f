/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Zephyr glue: object 5 callbacks, the secondary slot through stream_flash,
 * MCUboot requests, settings persistence and the confirmation window.
 * Decisions live in the portable core (src/core); this file only adapts.
 */

#include <errno.h>
#include <string.h>

#include <zephyr/dfu/mcuboot.h>
#include <zephyr/kernel.h>
#include <zephyr/drivers/flash.h>
#include <zephyr/logging/log.h>
#include <zephyr/logging/log_ctrl.h>
#include <zephyr/net/lwm2m.h>
#include <zephyr/settings/settings.h>
#include <zephyr/storage/flash_map.h>
#include <zephyr/storage/stream_flash.h>
#include <zephyr/sys/reboot.h>
#if defined(CONFIG_FERRY_WATCHDOG)
#include <zephyr/drivers/watchdog.h>
#endif

#include <ferry/ferry.h>

#include "ferry_pull.h"

LOG_MODULE_REGISTER(ferry, CONFIG_FERRY_LOG_LEVEL);

/*
 * Update (5/0/2) and the last pushed block verify the image (SHA-256 and
 * ECDSA-P256) on the LwM2M engine's thread: with the engine's own frames
 * that peaks at about 2.2 KiB on Cortex-M3, more than Zephyr's default.
 */
BUILD_ASSERT(CONFIG_LWM2M_ENGINE_STACK_SIZE >= 3072,
	     "Ferry verifies images on the LwM2M engine thread: set "
	     "CONFIG_LWM2M_ENGINE_STACK_SIZE to 3072 or more");

#define SLOT0_ID FIXED_PARTITION_ID(slot0_partition)
#define SLOT1_ID FIXED_PARTITION_ID(slot1_partition)
#define SETTINGS_KEY "ferry/update"

static K_MUTEX_DEFINE(ferry_lock);
static struct ferry_update update;
static struct ferry_confirm confirm;
static struct stream_flash_ctx stream;
static uint8_t stream_buf[CONFIG_FERRY_STREAM_BUF_SIZE];
static const struct flash_area *slot1;
static uint32_t stream_base;
static bool zephyr_owns_transition;
static bool resume_pending;

#if defined(CONFIG_FERRY_SIGNATURE_CHECK)
static const uint8_t trusted_key_der[] = {
#include "ferry_trusted_key.inc"
};
static const struct ferry_image_key trusted_keys[] = {
	{trusted_key_der, sizeof(trusted_key_der)},
};
#define TRUSTED_KEY_COUNT ARRAY_SIZE(trusted_keys)
#else
static const struct ferry_image_key *const trusted_keys;
#define TRUSTED_KEY_COUNT 0
#endif

/* ---- platform operations for the core ---------------------------------- */

static int slot_open(void *ctx, uint32_t offset)
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

static int slot_write(void *ctx, uint32_t offset, const uint8_t *data, size_t len)
{
	ARG_UNUSED(ctx);
	if (offset != stream_base + stream.buf_bytes +
			      stream_flash_bytes_written(&stream)) {
		return -EINVAL;
	}
	return stream_flash_buffered_write(&stream, data, len, false);
}

static int slot_flush(void *ctx)
{
	ARG_UNUSED(ctx);
	return stream_flash_buffered_write(&stream, NULL, 0, true);
}

static int slot_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	ARG_UNUSED(ctx);
	return flash_area_read(slot1, offset, buf, len);
}

static int request_upgrade(void *ctx)
{
	ARG_UNUSED(ctx);
	return boot_request_upgrade(BOOT_UPGRADE_TEST);
}

static int persist(void *ctx, const struct ferry_update_record *rec)
{
	uint8_t buf[FERRY_UPDATE_RECORD_MAX_SIZE];
	size_t len;
	int rc;

	ARG_UNUSED(ctx);
	rc = ferry_update_record_encode(rec, buf, sizeof(buf), &len);
	if (rc == 0) {
		rc = settings_save_one(SETTINGS_KEY, buf, len);
	}
	if (rc < 0) {
		LOG_ERR("cannot persist update progress: %d", rc);
	}
	return rc;
}

static void notify(void *ctx, enum ferry_fw_state state, enum ferry_fw_result result)
{
	ARG_UNUSED(ctx);
	LOG_INF("object 5: state %d, result %d", state, result);
	if (zephyr_owns_transition) {
		/* Inside Zephyr's package write: it sets State/Result itself. */
		return;
	}
	lwm2m_set_u8(&LWM2M_OBJ(LWM2M_OBJECT_FIRMWARE_ID, 0, 3), (uint8_t)state);
	lwm2m_set_u8(&LWM2M_OBJ(LWM2M_OBJECT_FIRMWARE_ID, 0, 5), (uint8_t)result);
}

static const struct ferry_update_ops update_ops = {
	.slot_open = slot_open,
	.slot_write = slot_write,
	.slot_flush = slot_flush,
	.slot_read = slot_read,
	.request_upgrade = request_upgrade,
	.persist = persist,
	.notify = notify,
};

static int confirm_image(void *ctx)
{
	ARG_UNUSED(ctx);
	LOG_INF("image proved healthy: confirming it");
	return boot_write_img_confirmed();
}

static void reboot_into_revert(void *ctx)
{
	ARG_UNUSED(ctx);
	LOG_ERR("image failed its trial (%s: %d): rebooting, MCUboot will revert",
		confirm.failed_check ? confirm.failed_check : "?", confirm.failed_error);
	log_panic();
	sys_reboot(SYS_REBOOT_WARM);
}

static const struct ferry_confirm_ops confirm_ops = {
	.confirm = confirm_image,
	.reboot = reboot_into_revert,
};

/* ---- watchdog ------------------------------------------------------------ */

#if defined(CONFIG_FERRY_WATCHDOG)
static const struct device *const wdt = DEVICE_DT_GET_OR_NULL(DT_ALIAS(watchdog0));
static int wdt_channel = -1;

static void watchdog_start(void)
{
	struct wdt_timeout_cfg cfg = {
		.window.max = 4 * CONFIG_FERRY_HEALTH_POLL_MS,
		.flags = WDT_FLAG_RESET_SOC,
	};

	if (wdt == NULL || !device_is_ready(wdt)) {
		return;
	}
	wdt_channel = wdt_install_timeout(wdt, &cfg);
	if (wdt_channel >= 0 && wdt_setup(wdt, WDT_OPT_PAUSE_HALTED_BY_DBG) < 0) {
		wdt_channel = -1;
	}
}

static void watchdog_feed(void)
{
	if (wdt_channel >= 0 && ferry_confirm_watchdog_may_feed(&confirm)) {
		wdt_feed(wdt, wdt_channel);
	}
}
#else
static void watchdog_start(void)
{
}

static void watchdog_feed(void)
{
}
#endif

/* ---- confirmation window ------------------------------------------------- */

static void health_work_handler(struct k_work *work);
static K_WORK_DELAYABLE_DEFINE(health_work, health_work_handler);

static void health_work_handler(struct k_work *work)
{
	enum ferry_confirm_state state;

	ARG_UNUSED(work);
	k_mutex_lock(&ferry_lock, K_FOREVER);
	state = ferry_confirm_poll(&confirm, k_uptime_get_32());
	watchdog_feed();
	k_mutex_unlock(&ferry_lock);
	if (state == FERRY_CONFIRM_PENDING) {
		k_work_schedule(&health_work, K_MSEC(CONFIG_FERRY_HEALTH_POLL_MS));
	}
}

/* ---- object 5 callbacks ------------------------------------------------- */

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

/* Object 5 resources Ferry writes through (LwM2M 1.1 appendix E.6). */
#define FW_RES_PACKAGE 0
#define FW_RES_PACKAGE_URI 1

/*
 * One package block, pushed to 5/0/0 or pulled from 5/0/1. On a push
 * Zephyr's object 5 sets State and Update Result itself from the errno
 * returned here; a pull reports through notify().
 */
static int deliver_block(uint32_t offset, const uint8_t *data, size_t len, bool last,
			 bool pushed)
{
	int rc;

	k_mutex_lock(&ferry_lock, K_FOREVER);
	zephyr_owns_transition = pushed;
	rc = ferry_update_write_block(&update, offset, data, len, last);
	zephyr_owns_transition = false;
	if (rc < 0) {
		LOG_ERR("%s block at %u refused: %d (%s)", pushed ? "pushed" : "pulled", offset,
			rc, ferry_image_verdict_str(update.last_image.verdict));
		if (pushed) {
			rc = zephyr_errno_for(ferry_update_result(&update));
		}
	}
	k_mutex_unlock(&ferry_lock);
	return rc;
}

#if defined(CONFIG_FERRY_PULL)
/* ---- the pull client's sink: pulled blocks go where pushed ones go -------- */

static int pulled_block(void *ctx, uint32_t offset, const uint8_t *data, size_t len, bool last)
{
	ARG_UNUSED(ctx);
	return deliver_block(offset, data, len, last, false);
}

static int pulled_etag(void *ctx, const uint8_t *etag, size_t len)
{
	int rc;

	ARG_UNUSED(ctx);
	k_mutex_lock(&ferry_lock, K_FOREVER);
	rc = ferry_update_check_etag(&update, etag, len);
	k_mutex_unlock(&ferry_lock);
	return rc;
}

static void pull_failed(void *ctx, int err)
{
	ARG_UNUSED(ctx);
	LOG_ERR("pull failed: %d", err);
	k_mutex_lock(&ferry_lock, K_FOREVER);
	if (ferry_update_state(&update) == FERRY_FW_STATE_DOWNLOADING) {
		(void)ferry_update_fail(&update, err);
	}
	k_mutex_unlock(&ferry_lock);
}

static const struct ferry_pull_sink pull_sink = {
	.etag = pulled_etag,
	.deliver = pulled_block,
	.failed = pull_failed,
	.ctx = NULL,
};

static int package_uri_written(const char *uri, uint16_t len)
{
	int rc;

	k_mutex_lock(&ferry_lock, K_FOREVER);
	rc = ferry_update_set_uri(&update, uri, len);
	k_mutex_unlock(&ferry_lock);
	if (rc == 1) {
		rc = ferry_pull_start(&pull_sink, update.rec.uri, 0);
	}
	/* An invalid URI is reported as Update Result 7, not as a write error. */
	return rc < 0 && rc != -EDESTADDRREQ ? rc : 0;
}
#endif

/* Zephyr's write callback for both 5/0/0 (package) and 5/0/1 (package URI). */
static int object5_write_cb(uint16_t obj_inst_id, uint16_t res_id, uint16_t res_inst_id,
			    uint8_t *data, uint16_t data_len, bool last_block, size_t total_size,
			    size_t offset)
{
	ARG_UNUSED(obj_inst_id);
	ARG_UNUSED(res_inst_id);
	ARG_UNUSED(total_size);

	switch (res_id) {
	case FW_RES_PACKAGE:
		return deliver_block((uint32_t)offset, data, data_len, last_block, true);
#if defined(CONFIG_FERRY_PULL)
	case FW_RES_PACKAGE_URI:
		return package_uri_written((const char *)data, data_len);
#endif
	default:
		return -ENOENT;
	}
}

static int cancel_cb(uint16_t obj_inst_id)
{
	ARG_UNUSED(obj_inst_id);
	k_mutex_lock(&ferry_lock, K_FOREVER);
	zephyr_owns_transition = true;
	(void)ferry_update_set_uri(&update, "", 0);
	zephyr_owns_transition = false;
	k_mutex_unlock(&ferry_lock);
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

	k_mutex_lock(&ferry_lock, K_FOREVER);
	rc = ferry_update_execute(&update);
	k_mutex_unlock(&ferry_lock);
	if (rc == 0) {
		k_work_schedule(&reboot_work, K_MSEC(CONFIG_FERRY_REBOOT_DELAY_MS));
	} else {
		LOG_ERR("update refused: %d", rc);
	}
	/* State and Update Result already tell the server what happened. */
	return 0;
}

#if defined(CONFIG_FERRY_PULL)
static void resume_pull(void)
{
	uint32_t align = CONFIG_FERRY_PULL_BLOCK_SIZE;
	struct flash_pages_info page;
	uint32_t offset;

	if (flash_get_page_info_by_offs(flash_area_get_device(slot1), slot1->fa_off, &page) == 0 &&
	    page.size > align) {
		align = page.size;
	}
	k_mutex_lock(&ferry_lock, K_FOREVER);
	offset = ferry_update_resume_offset(&update, align);
	k_mutex_unlock(&ferry_lock);
	LOG_INF("resuming the download of %s at byte %u", update.rec.uri, offset);
	(void)ferry_pull_start(&pull_sink, update.rec.uri, offset);
}
#endif /* CONFIG_FERRY_PULL */

/* ---- boot ------------------------------------------------------------- */

struct record_load {
	struct ferry_update_record rec;
	bool found;
};

static int record_loader(const char *key, size_t len, settings_read_cb read_cb, void *cb_arg,
			 void *param)
{
	struct record_load *load = param;
	uint8_t buf[FERRY_UPDATE_RECORD_MAX_SIZE];
	ssize_t n;

	if (key != NULL && strcmp(key, "update") != 0) {
		return 0;
	}
	if (len > sizeof(buf)) {
		LOG_WRN("stored update record too large (%zu), ignoring it", len);
		return 0;
	}
	n = read_cb(cb_arg, buf, len);
	if (n == (ssize_t)len && ferry_update_record_decode(buf, len, &load->rec) == 0) {
		load->found = true;
	} else {
		LOG_WRN("stored update record is damaged, ignoring it");
	}
	return 0;
}

/* Whether MCUboot booted us; then @p version is the primary slot's header. */
static bool running_image(struct ferry_image_version *version, bool *confirmed)
{
	struct mcuboot_img_header hdr;

	memset(version, 0, sizeof(*version));
	*confirmed = true;
	if (boot_read_bank_header(SLOT0_ID, &hdr, sizeof(hdr)) != 0) {
		LOG_WRN("no MCUboot header in the primary slot: not booted by MCUboot");
		return false;
	}
	version->major = hdr.h.v1.sem_ver.major;
	version->minor = hdr.h.v1.sem_ver.minor;
	version->revision = hdr.h.v1.sem_ver.revision;
	version->build_num = hdr.h.v1.sem_ver.build_num;
	*confirmed = boot_is_img_confirmed();
	return true;
}

/*
 * Device 3/0/3 is the version of the image that actually runs, in the form
 * the server compares with its firmware records: major.minor.revision+build.
 * After a revert it is the old image's version again.
 */
static void report_running_version(const struct ferry_image_version *version)
{
	static char text[sizeof("255.255.65535+4294967295")];
	int rc;

	snprintk(text, sizeof(text), "%u.%u.%u+%u", version->major, version->minor,
		 version->revision, version->build_num);
	rc = lwm2m_set_res_buf(&LWM2M_OBJ(LWM2M_OBJECT_DEVICE_ID, 0, 3), text, sizeof(text),
			       strlen(text) + 1, LWM2M_RES_DATA_FLAG_RO);
	if (rc < 0) {
		LOG_WRN("cannot report the firmware version in 3/0/3: %d", rc);
	}
}

/* Health checks may be registered before ferry_init(): set up on first use. */
static int confirm_ready(void)
{
	return confirm.ops != NULL ? 0 : ferry_confirm_init(&confirm, &confirm_ops, NULL, &update);
}

int ferry_health_check_register(const struct ferry_health_check *check)
{
	int rc = confirm_ready();

	return rc < 0 ? rc : ferry_confirm_add_check(&confirm, check);
}

bool ferry_is_trial_boot(void)
{
	return confirm.state == FERRY_CONFIRM_PENDING;
}

const struct ferry_update *ferry_update_instance(void)
{
	return &update;
}

int ferry_init(void)
{
	struct ferry_update_config cfg = {
		.ops = &update_ops,
		.keys = trusted_keys,
		.key_count = TRUSTED_KEY_COUNT,
	};
	static struct record_load load;
	struct ferry_image_version running;
	enum ferry_boot_action action;
	bool confirmed;
	int rc;

	rc = flash_area_open(SLOT1_ID, &slot1);
	if (rc < 0) {
		LOG_ERR("cannot open the secondary slot: %d", rc);
		goto done;
	}
	cfg.slot_size = slot1->fa_size;
	rc = ferry_update_init(&update, &cfg);
	if (rc < 0) {
		goto done;
	}
	rc = confirm_ready();
	if (rc < 0) {
		goto done;
	}

	rc = settings_subsys_init();
	if (rc < 0) {
		LOG_ERR("settings unavailable: %d", rc);
		goto done;
	}
	rc = settings_load_subtree_direct("ferry", record_loader, &load);
	if (rc < 0) {
		goto done;
	}

	if (running_image(&running, &confirmed)) {
		report_running_version(&running);
	}
	LOG_INF("running image %u.%u.%u+%u (%s)", running.major, running.minor, running.revision,
		running.build_num, confirmed ? "confirmed" : "on trial");

	k_mutex_lock(&ferry_lock, K_FOREVER);
	rc = ferry_update_boot(&update, load.found ? &load.rec : NULL, &running, confirmed,
			       &action);
	notify(NULL, ferry_update_state(&update), ferry_update_result(&update));
	if (ferry_update_reason(&update) != FERRY_REASON_NONE) {
		LOG_WRN("last update failed, reason %d", ferry_update_reason(&update));
	}
	k_mutex_unlock(&ferry_lock);
	if (rc < 0) {
		goto done;
	}

	lwm2m_firmware_set_write_cb(object5_write_cb);
	lwm2m_firmware_set_update_cb(update_cb);
	lwm2m_firmware_set_cancel_cb(cancel_cb);
#if defined(CONFIG_FERRY_PULL)
	rc = lwm2m_register_post_write_callback(
		&LWM2M_OBJ(LWM2M_OBJECT_FIRMWARE_ID, 0, FW_RES_PACKAGE_URI), object5_write_cb);
	if (rc < 0) {
		goto done;
	}
	/* Delivery method: pull and push. */
	lwm2m_set_u8(&LWM2M_OBJ(LWM2M_OBJECT_FIRMWARE_ID, 0, 9), 2);
	resume_pending = action == FERRY_BOOT_RESUME_PULL;
#endif

	if (action == FERRY_BOOT_TRIAL) {
		LOG_INF("trial boot: confirming only after registration and health checks "
			"within %d s",
			CONFIG_FERRY_CONFIRM_DEADLINE_SEC);
		watchdog_start();
		ferry_confirm_start(&confirm, false, k_uptime_get_32(),
				    CONFIG_FERRY_CONFIRM_DEADLINE_SEC * MSEC_PER_SEC);
		k_work_schedule(&health_work, K_MSEC(CONFIG_FERRY_HEALTH_POLL_MS));
	} else {
		ferry_confirm_start(&confirm, true, k_uptime_get_32(), 0);
	}
done:
	return rc;
}

void ferry_lwm2m_event(enum lwm2m_rd_client_event event)
{
	bool registered;

	switch (event) {
	case LWM2M_RD_CLIENT_EVENT_REGISTRATION_COMPLETE:
	case LWM2M_RD_CLIENT_EVENT_REG_UPDATE_COMPLETE:
		registered = true;
		break;
	case LWM2M_RD_CLIENT_EVENT_REGISTRATION_FAILURE:
	case LWM2M_RD_CLIENT_EVENT_REG_TIMEOUT:
	case LWM2M_RD_CLIENT_EVENT_DISCONNECT:
	case LWM2M_RD_CLIENT_EVENT_NETWORK_ERROR:
	case LWM2M_RD_CLIENT_EVENT_DEREGISTER:
		registered = false;
		break;
	default:
		return;
	}
	k_mutex_lock(&ferry_lock, K_FOREVER);
	ferry_confirm_registered(&confirm, registered);
	k_mutex_unlock(&ferry_lock);
	if (registered && confirm.state == FERRY_CONFIRM_PENDING) {
		k_work_reschedule(&health_work, K_NO_WAIT);
	}
#if defined(CONFIG_FERRY_PULL)
	if (registered && resume_pending) {
		resume_pending = false;
		resume_pull();
	}
#endif
}
