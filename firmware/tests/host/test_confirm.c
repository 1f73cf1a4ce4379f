/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Confirmed boot: confirm only after registration and health, else revert.
 */

#include <errno.h>
#include <stdbool.h>

#include <ferry/confirm.h>

#include "ferry_test.h"

static int confirms, reboots, confirm_rc;
static int sensor_rc, radio_rc;

static int do_confirm(void *ctx)
{
	(void)ctx;
	confirms++;
	return confirm_rc;
}

static void do_reboot(void *ctx)
{
	(void)ctx;
	reboots++;
}

static int check_rc(void *arg)
{
	return *(int *)arg;
}

static const struct ferry_confirm_ops ops = {.confirm = do_confirm, .reboot = do_reboot};
static const struct ferry_health_check sensor = {"sensor", check_rc, &sensor_rc};
static const struct ferry_health_check radio = {"radio", check_rc, &radio_rc};
static struct ferry_confirm c;

static void setup(uint32_t now)
{
	confirms = reboots = confirm_rc = sensor_rc = radio_rc = 0;
	ferry_confirm_init(&c, &ops, NULL, NULL);
	ferry_confirm_add_check(&c, &sensor);
	ferry_confirm_add_check(&c, &radio);
	ferry_confirm_start(&c, false, now, 60000);
}

static void confirms_after_registration_and_health(void)
{
	setup(1000);
	CHECK(ferry_confirm_watchdog_may_feed(&c));
	CHECK_EQ(ferry_confirm_poll(&c, 2000), FERRY_CONFIRM_PENDING);
	CHECK_EQ(confirms, 0); /* healthy but not registered yet */
	ferry_confirm_registered(&c, true);
	CHECK_EQ(ferry_confirm_poll(&c, 3000), FERRY_CONFIRM_CONFIRMED);
	CHECK_EQ(confirms, 1);
	CHECK_EQ(reboots, 0);
	CHECK(!ferry_confirm_watchdog_may_feed(&c));
	CHECK_EQ(ferry_confirm_poll(&c, 999999), FERRY_CONFIRM_CONFIRMED);
	CHECK_EQ(confirms, 1);
}

static void waits_for_checks_that_cannot_tell_yet(void)
{
	setup(0);
	ferry_confirm_registered(&c, true);
	radio_rc = -EAGAIN;
	CHECK_EQ(ferry_confirm_poll(&c, 100), FERRY_CONFIRM_PENDING);
	radio_rc = 0;
	CHECK_EQ(ferry_confirm_poll(&c, 200), FERRY_CONFIRM_CONFIRMED);
}

static void failing_check_reverts_immediately(void)
{
	setup(0);
	ferry_confirm_registered(&c, true);
	sensor_rc = -EIO;
	CHECK_EQ(ferry_confirm_poll(&c, 10), FERRY_CONFIRM_REVERTING);
	CHECK_EQ(confirms, 0);
	CHECK_EQ(reboots, 1);
	CHECK(strcmp(c.failed_check, "sensor") == 0);
	CHECK_EQ(c.failed_error, -EIO);
	CHECK(!ferry_confirm_watchdog_may_feed(&c));
}

static void no_registration_before_deadline_reverts(void)
{
	setup(5000);
	CHECK_EQ(ferry_confirm_poll(&c, 64999), FERRY_CONFIRM_PENDING);
	CHECK_EQ(ferry_confirm_poll(&c, 65000), FERRY_CONFIRM_REVERTING);
	CHECK_EQ(reboots, 1);
	CHECK(strcmp(c.failed_check, "lwm2m-registered") == 0);
}

static void deadline_survives_counter_wrap(void)
{
	setup(0xffffff00U);
	CHECK_EQ(ferry_confirm_poll(&c, 0x100), FERRY_CONFIRM_PENDING);
	CHECK_EQ(ferry_confirm_poll(&c, 60000), FERRY_CONFIRM_REVERTING);
}

static void confirm_failure_reverts(void)
{
	setup(0);
	ferry_confirm_registered(&c, true);
	confirm_rc = -EIO;
	CHECK_EQ(ferry_confirm_poll(&c, 1), FERRY_CONFIRM_REVERTING);
	CHECK_EQ(reboots, 1);
}

static void confirmed_image_has_nothing_to_judge(void)
{
	setup(0);
	ferry_confirm_start(&c, true, 0, 1000);
	CHECK_EQ(ferry_confirm_poll(&c, 5000), FERRY_CONFIRM_NOT_PENDING);
	CHECK_EQ(reboots + confirms, 0);
	CHECK(!ferry_confirm_watchdog_may_feed(&c));
}

static void check_table_is_bounded(void)
{
	setup(0);
	for (int i = 2; i < CONFIG_FERRY_HEALTH_CHECKS_MAX; i++) {
		CHECK_EQ(ferry_confirm_add_check(&c, &sensor), 0);
	}
	CHECK_EQ(ferry_confirm_add_check(&c, &sensor), -ENOSPC);
}

/* Outcome reaches object 5: success, or the reason before the revert. */
static int persist_noop(void *ctx, const struct ferry_update_record *rec)
{
	(void)ctx;
	(void)rec;
	return 0;
}

static int op_open(void *ctx, uint32_t offset)
{
	(void)ctx;
	(void)offset;
	return 0;
}

static int op_write(void *ctx, uint32_t offset, const uint8_t *data, size_t len)
{
	(void)ctx;
	(void)offset;
	(void)data;
	(void)len;
	return 0;
}

static int op_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	(void)ctx;
	(void)offset;
	memset(buf, 0xff, len);
	return 0;
}

static int op_ctx(void *ctx)
{
	(void)ctx;
	return 0;
}

static void outcome_is_recorded_in_object_5(void)
{
	static const struct ferry_update_ops uops = {
		.slot_open = op_open,
		.slot_write = op_write,
		.slot_flush = op_ctx,
		.slot_read = op_read,
		.request_upgrade = op_ctx,
		.persist = persist_noop,
	};
	struct ferry_update_config cfg = {.ops = &uops, .slot_size = 4096};
	struct ferry_update_record rec = {.state = FERRY_FW_STATE_UPDATING, .target = {2, 0, 0, 0}};
	struct ferry_image_version v2 = {2, 0, 0, 0};
	enum ferry_boot_action action;
	static struct ferry_update u;

	CHECK_EQ(ferry_update_init(&u, &cfg), 0);
	CHECK_EQ(ferry_update_boot(&u, &rec, &v2, false, &action), 0);
	CHECK_EQ(action, FERRY_BOOT_TRIAL);

	setup(0);
	c.update = &u;
	sensor_rc = -EIO;
	ferry_confirm_registered(&c, true);
	CHECK_EQ(ferry_confirm_poll(&c, 1), FERRY_CONFIRM_REVERTING);
	CHECK_EQ(ferry_update_reason(&u), FERRY_REASON_HEALTH_CHECK);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_UPDATING);

	CHECK_EQ(ferry_update_boot(&u, &rec, &v2, false, &action), 0);
	setup(0);
	c.update = &u;
	ferry_confirm_registered(&c, true);
	CHECK_EQ(ferry_confirm_poll(&c, 1), FERRY_CONFIRM_CONFIRMED);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_SUCCESS);
}

FERRY_TEST_MAIN(T(confirms_after_registration_and_health), T(waits_for_checks_that_cannot_tell_yet),
		T(failing_check_reverts_immediately), T(no_registration_before_deadline_reverts),
		T(deadline_survives_counter_wrap), T(confirm_failure_reverts),
		T(confirmed_image_has_nothing_to_judge), T(check_table_is_bounded),
		T(outcome_is_recorded_in_object_5))
