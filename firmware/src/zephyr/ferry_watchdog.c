/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * A watchdog channel fed only while a new image is on trial
 * (CONFIG_FERRY_WATCHDOG), so an image that hangs is reset and reverted.
 */

#include <zephyr/device.h>
#include <zephyr/drivers/watchdog.h>
#include <zephyr/kernel.h>

#include "ferry_internal.h"

static const struct device *const wdt = DEVICE_DT_GET_OR_NULL(DT_ALIAS(watchdog0));
static int wdt_channel = -1;

void ferry_watchdog_start(void)
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

void ferry_watchdog_feed(void)
{
	if (wdt_channel >= 0 && ferry_confirm_watchdog_may_feed(&ferry_trial)) {
		wdt_feed(wdt, wdt_channel);
	}
}
