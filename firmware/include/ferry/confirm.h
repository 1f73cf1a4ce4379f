/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file
 * @brief Confirmed boot: keep a new image only after it has proven healthy.
 *
 * After MCUboot swapped in a new image for a test boot, the image is not
 * confirmed. This machine keeps it that way until the device has registered
 * with its LwM2M server again (a built-in check) and every application
 * health check passed, all within a deadline. Then it confirms the image;
 * if any check fails hard, or the deadline passes, it asks for a reboot and
 * MCUboot reverts to the previous image.
 *
 * Time is passed in by the caller as a millisecond counter (wrapping is
 * handled), so the machine runs the same on a device and in host tests.
 *
 * @defgroup ferry_confirm Confirmed boot
 * @ingroup ferry
 * @{
 */

#ifndef FERRY_CONFIRM_H_
#define FERRY_CONFIRM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/config.h>
#include <ferry/update.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A health check supplied by the application. */
struct ferry_health_check {
	/** Name for logs and for the failure report. */
	const char *name;
	/**
	 * Run the check. Return 0 when healthy, -EAGAIN when it cannot tell yet
	 * (it will be asked again), any other negative errno when the image is
	 * definitely unhealthy (revert immediately).
	 */
	int (*run)(void *arg);
	/** Passed to @ref run. */
	void *arg;
};

/** Where the confirmation stands. */
enum ferry_confirm_state {
	FERRY_CONFIRM_NOT_PENDING = 0, /**< Running a confirmed image; nothing to judge. */
	FERRY_CONFIRM_PENDING,         /**< Trial boot: health window open. */
	FERRY_CONFIRM_CONFIRMED,       /**< Image proved healthy and was confirmed. */
	FERRY_CONFIRM_REVERTING,       /**< Image failed; a reboot into the revert was requested. */
};

/** Platform operations. */
struct ferry_confirm_ops {
	/** Make the running image permanent (boot_write_img_confirmed()). */
	int (*confirm)(void *ctx);
	/** Reboot so that MCUboot reverts the unconfirmed image. */
	void (*reboot)(void *ctx);
};

/** A confirmation machine. Allocate statically; all fields are private. */
struct ferry_confirm {
	const struct ferry_confirm_ops *ops;  /**< Platform operations. */
	void *ctx;                            /**< Passed to the operations. */
	struct ferry_update *update;          /**< Object 5 machine told of the outcome, or NULL. */
	const struct ferry_health_check *checks[CONFIG_FERRY_HEALTH_CHECKS_MAX]; /**< Checks. */
	size_t check_count;                   /**< Checks registered. */
	enum ferry_confirm_state state;       /**< Current state. */
	uint32_t deadline_ms;                 /**< When the window closes. */
	bool registered;                      /**< The built-in "LwM2M registered" check. */
	const char *failed_check;             /**< Name of the check that failed, if any. */
	int failed_error;                     /**< Its error. */
};

/**
 * @brief Initialise.
 * @param update object 5 machine to record the outcome in, may be NULL.
 */
int ferry_confirm_init(struct ferry_confirm *c, const struct ferry_confirm_ops *ops, void *ctx,
		       struct ferry_update *update);

/**
 * @brief Register an application health check (before @ref ferry_confirm_start).
 * @retval -ENOSPC CONFIG_FERRY_HEALTH_CHECKS_MAX checks are already registered.
 */
int ferry_confirm_add_check(struct ferry_confirm *c, const struct ferry_health_check *check);

/**
 * @brief Start judging the running image.
 *
 * @param image_confirmed whether the running image is already confirmed
 *        (then there is nothing to judge).
 * @param now_ms current time.
 * @param window_ms how long the image has to prove itself.
 */
void ferry_confirm_start(struct ferry_confirm *c, bool image_confirmed, uint32_t now_ms,
			 uint32_t window_ms);

/** The LwM2M client registered (or updated its registration) with the server. */
void ferry_confirm_registered(struct ferry_confirm *c, bool registered);

/**
 * @brief Run the checks and act on the result; call periodically and on events.
 * @return the state after polling.
 */
enum ferry_confirm_state ferry_confirm_poll(struct ferry_confirm *c, uint32_t now_ms);

/**
 * @brief Whether the hardware watchdog may be fed: only while the window is open,
 * so that an image that hangs during its trial is reset and reverted.
 */
bool ferry_confirm_watchdog_may_feed(const struct ferry_confirm *c);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* FERRY_CONFIRM_H_ */
