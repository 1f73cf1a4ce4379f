/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file
 * @brief Ferry on Zephyr: safe LwM2M firmware updates with MCUboot.
 *
 * Usage, in an application that runs Zephyr's LwM2M client:
 * -# register health checks with ferry_health_check_register();
 * -# call ferry_init() after setting up the LwM2M objects and before
 *    lwm2m_rd_client_start();
 * -# forward every RD client event to ferry_lwm2m_event().
 *
 * Ferry then owns object 5: pushed and pulled packages, verification,
 * the test swap, confirmation after the image proved healthy, revert
 * otherwise, and the outcome reported after every reboot. When MCUboot
 * booted the device, Ferry also sets Device 3/0/3 (Firmware Version) to
 * the running image's version as major.minor.revision+build, the form the
 * server compares with its firmware records; the application sets 3/0/3
 * only for boots without MCUboot.
 *
 * @defgroup ferry Ferry
 * @{
 */

#ifndef FERRY_FERRY_H_
#define FERRY_FERRY_H_

#include <stdbool.h>

#include <zephyr/net/lwm2m.h>

#include <ferry/confirm.h>
#include <ferry/update.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Restore the update state, hook object 5 and, on a trial boot,
 * open the health window.
 *
 * @retval 0 ready.
 * @retval negative errno if flash, settings or object 5 could not be set up.
 */
int ferry_init(void);

/** Forward an LwM2M RD client event (registration drives confirmation). */
void ferry_lwm2m_event(enum lwm2m_rd_client_event event);

/**
 * @brief Add an application health check; call before ferry_init().
 * @retval -ENOSPC CONFIG_FERRY_HEALTH_CHECKS_MAX are registered already.
 */
int ferry_health_check_register(const struct ferry_health_check *check);

/** Whether this boot runs a new image that is not confirmed yet. */
bool ferry_is_trial_boot(void);

/** The object 5 state machine (read-only use: state, result, reason). */
const struct ferry_update *ferry_update_instance(void);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* FERRY_FERRY_H_ */
