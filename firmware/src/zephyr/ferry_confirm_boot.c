/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The confirmation window of a trial boot: the portable confirm machine
 * polled on the system work queue, MCUboot's confirmation, and the reboot
 * into the revert when the new image does not prove itself.
 */

#include <errno.h>

#include <zephyr/dfu/mcuboot.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/logging/log_ctrl.h>
#include <zephyr/sys/reboot.h>

#include "ferry_internal.h"

LOG_MODULE_DECLARE(ferry, CONFIG_FERRY_LOG_LEVEL);

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
		ferry_trial.failed_check ? ferry_trial.failed_check : "?", ferry_trial.failed_error);
	log_panic();
	sys_reboot(SYS_REBOOT_WARM);
}

static const struct ferry_confirm_ops confirm_ops = {
	.confirm = confirm_image,
	.reboot = reboot_into_revert,
};

static void health_work_handler(struct k_work *work);
static K_WORK_DELAYABLE_DEFINE(health_work, health_work_handler);

static void health_work_handler(struct k_work *work)
{
	enum ferry_confirm_state state;

	ARG_UNUSED(work);
	ferry_lock();
	state = ferry_confirm_poll(&ferry_trial, k_uptime_get_32());
	ferry_watchdog_feed();
	ferry_unlock();
	if (state == FERRY_CONFIRM_PENDING) {
		k_work_schedule(&health_work, K_MSEC(CONFIG_FERRY_HEALTH_POLL_MS));
	}
}

/* Health checks may be registered before ferry_init(): set up on first use. */
int ferry_confirm_boot_init(void)
{
	return ferry_trial.ops != NULL
		       ? 0
		       : ferry_confirm_init(&ferry_trial, &confirm_ops, NULL, &ferry_fw);
}

int ferry_health_check_register(const struct ferry_health_check *check)
{
	int rc = ferry_confirm_boot_init();

	return rc < 0 ? rc : ferry_confirm_add_check(&ferry_trial, check);
}

bool ferry_is_trial_boot(void)
{
	return ferry_trial.state == FERRY_CONFIRM_PENDING;
}

void ferry_confirm_boot_start(bool trial)
{
	if (!trial) {
		ferry_confirm_start(&ferry_trial, true, k_uptime_get_32(), 0);
		return;
	}
	LOG_INF("trial boot: confirming only after registration and health checks "
		"within %d s",
		CONFIG_FERRY_CONFIRM_DEADLINE_SEC);
	ferry_watchdog_start();
	ferry_confirm_start(&ferry_trial, false, k_uptime_get_32(),
			    CONFIG_FERRY_CONFIRM_DEADLINE_SEC * MSEC_PER_SEC);
	k_work_schedule(&health_work, K_MSEC(CONFIG_FERRY_HEALTH_POLL_MS));
}

void ferry_confirm_boot_registered(bool registered)
{
	ferry_lock();
	ferry_confirm_registered(&ferry_trial, registered);
	ferry_unlock();
	if (registered && ferry_trial.state == FERRY_CONFIRM_PENDING) {
		k_work_reschedule(&health_work, K_NO_WAIT);
	}
}
