/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Confirmed boot: one handler per state, transitions only in poll().
 */

#include <errno.h>
#include <string.h>

#include <ferry/confirm.h>

int ferry_confirm_init(struct ferry_confirm *c, const struct ferry_confirm_ops *ops, void *ctx,
		       struct ferry_update *update)
{
	if (ops == NULL || ops->confirm == NULL || ops->reboot == NULL) {
		return -EINVAL;
	}
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->ctx = ctx;
	c->update = update;
	return 0;
}

int ferry_confirm_add_check(struct ferry_confirm *c, const struct ferry_health_check *check)
{
	if (check == NULL || check->run == NULL) {
		return -EINVAL;
	}
	if (c->check_count >= CONFIG_FERRY_HEALTH_CHECKS_MAX) {
		return -ENOSPC;
	}
	c->checks[c->check_count++] = check;
	return 0;
}

void ferry_confirm_start(struct ferry_confirm *c, bool image_confirmed, uint32_t now_ms,
			 uint32_t window_ms)
{
	c->state = image_confirmed ? FERRY_CONFIRM_NOT_PENDING : FERRY_CONFIRM_PENDING;
	c->deadline_ms = now_ms + window_ms;
	c->failed_check = NULL;
	c->failed_error = 0;
}

void ferry_confirm_registered(struct ferry_confirm *c, bool registered)
{
	c->registered = registered;
}

static bool deadline_passed(const struct ferry_confirm *c, uint32_t now_ms)
{
	return (int32_t)(now_ms - c->deadline_ms) >= 0;
}

static void revert(struct ferry_confirm *c, enum ferry_update_reason reason)
{
	c->state = FERRY_CONFIRM_REVERTING;
	if (c->update != NULL) {
		/* Best effort: the reverted image reports 8 even without the reason. */
		(void)ferry_update_trial_failed(c->update, reason);
	}
	c->ops->reboot(c->ctx);
}

/* 0: all healthy, -EAGAIN: not yet, other: failed (c->failed_* set). */
static int run_checks(struct ferry_confirm *c)
{
	int pending = 0;

	for (size_t i = 0; i < c->check_count; i++) {
		int rc = c->checks[i]->run(c->checks[i]->arg);

		if (rc == -EAGAIN) {
			pending = -EAGAIN;
		} else if (rc < 0) {
			c->failed_check = c->checks[i]->name;
			c->failed_error = rc;
			return rc;
		}
	}
	return pending;
}

static void poll_pending(struct ferry_confirm *c, uint32_t now_ms)
{
	int rc = -EAGAIN;

	if (c->registered) {
		rc = run_checks(c);
	}
	if (rc == 0) {
		rc = c->ops->confirm(c->ctx);
		if (rc == 0) {
			c->state = FERRY_CONFIRM_CONFIRMED;
			if (c->update != NULL) {
				(void)ferry_update_confirmed(c->update);
			}
			return;
		}
		c->failed_check = "confirm";
		c->failed_error = rc;
		revert(c, FERRY_REASON_HEALTH_CHECK);
	} else if (rc != -EAGAIN) {
		revert(c, FERRY_REASON_HEALTH_CHECK);
	} else if (deadline_passed(c, now_ms)) {
		c->failed_check = c->registered ? c->failed_check : "lwm2m-registered";
		c->failed_error = -ETIMEDOUT;
		revert(c, FERRY_REASON_DEADLINE);
	}
}

enum ferry_confirm_state ferry_confirm_poll(struct ferry_confirm *c, uint32_t now_ms)
{
	switch (c->state) {
	case FERRY_CONFIRM_PENDING:
		poll_pending(c, now_ms);
		break;
	case FERRY_CONFIRM_NOT_PENDING:
	case FERRY_CONFIRM_CONFIRMED:
	case FERRY_CONFIRM_REVERTING:
		break;
	}
	return c->state;
}

bool ferry_confirm_watchdog_may_feed(const struct ferry_confirm *c)
{
	return c->state == FERRY_CONFIRM_PENDING;
}
