/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Zephyr glue, start-up: restores the update state after a boot, reports
 * the running image, hooks object 5 and forwards RD client events.
 * Decisions live in the portable core (src/core); the glue only adapts.
 */

#include <errno.h>
#include <string.h>

#include <zephyr/dfu/mcuboot.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/net/lwm2m.h>
#include <zephyr/storage/flash_map.h>

#include <ferry/ferry.h>

#include "ferry_internal.h"

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

struct ferry_update ferry_fw;
struct ferry_confirm ferry_trial;

static K_MUTEX_DEFINE(ferry_mutex);
static bool publish_pending;
/* The last boot left a pull in Downloading: resume it once registered. */
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

static const struct ferry_update_ops update_ops = {
	.slot_open = ferry_slot_open,
	.slot_write = ferry_slot_write,
	.slot_flush = ferry_slot_flush,
	.slot_read = ferry_slot_read,
	.request_upgrade = ferry_slot_request_upgrade,
	.persist = ferry_settings_persist,
	.notify = ferry_obj5_notify,
};

void ferry_lock(void)
{
	k_mutex_lock(&ferry_mutex, K_FOREVER);
}

void ferry_publish_on_unlock(void)
{
	publish_pending = true;
}

void ferry_unlock(void)
{
	bool publish = publish_pending;

	publish_pending = false;
	k_mutex_unlock(&ferry_mutex);
	if (publish) {
		ferry_obj5_publish();
	}
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

const struct ferry_update *ferry_update_instance(void)
{
	return &ferry_fw;
}

int ferry_init(void)
{
	struct ferry_update_config cfg = {
		.ops = &update_ops,
		.keys = trusted_keys,
		.key_count = TRUSTED_KEY_COUNT,
	};
	static struct ferry_update_record stored;
	struct ferry_image_version running;
	enum ferry_boot_action action;
	bool found, confirmed;
	int rc;

	rc = ferry_slot_init(&cfg.slot_size);
	if (rc < 0) {
		goto done;
	}
	rc = ferry_update_init(&ferry_fw, &cfg);
	if (rc < 0) {
		goto done;
	}
	rc = ferry_confirm_boot_init();
	if (rc < 0) {
		goto done;
	}
	rc = ferry_settings_load(&stored, &found);
	if (rc < 0) {
		goto done;
	}

	if (running_image(&running, &confirmed)) {
		report_running_version(&running);
	}
	LOG_INF("running image %u.%u.%u+%u (%s)", running.major, running.minor, running.revision,
		running.build_num, confirmed ? "confirmed" : "on trial");

	ferry_lock();
	rc = ferry_update_boot(&ferry_fw, found ? &stored : NULL, &running, confirmed, &action);
	ferry_obj5_notify(NULL, ferry_update_state(&ferry_fw), ferry_update_result(&ferry_fw));
	if (ferry_update_reason(&ferry_fw) != FERRY_REASON_NONE) {
		LOG_WRN("last update failed, reason %d", ferry_update_reason(&ferry_fw));
	}
	ferry_unlock();
	if (rc < 0) {
		goto done;
	}

	rc = ferry_obj5_register();
	if (rc < 0) {
		goto done;
	}
	rc = ferry_obj5_pull_register();
	if (rc < 0) {
		goto done;
	}
	resume_pending = IS_ENABLED(CONFIG_FERRY_PULL) && action == FERRY_BOOT_RESUME_PULL;
	ferry_confirm_boot_start(action == FERRY_BOOT_TRIAL);
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
	ferry_confirm_boot_registered(registered);
#if defined(CONFIG_FERRY_PULL)
	if (registered && resume_pending) {
		resume_pending = false;
		ferry_obj5_pull_resume();
	}
#endif
}
