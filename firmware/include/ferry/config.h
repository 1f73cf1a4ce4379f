/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file
 * @brief Build-time limits of the Ferry firmware library.
 *
 * On Zephyr every value comes from Kconfig (see firmware/Kconfig, which
 * documents each option and its range). Host builds and other ports get the
 * same defaults from here; the static assertions enforce the Kconfig ranges
 * so that a host build cannot drift outside what a device can be configured
 * with.
 */

#ifndef FERRY_CONFIG_H_
#define FERRY_CONFIG_H_

#include <assert.h>

#ifndef CONFIG_FERRY_PACKAGE_URI_MAX_LEN
#define CONFIG_FERRY_PACKAGE_URI_MAX_LEN 255
#endif

#ifndef CONFIG_FERRY_ETAG_MAX_LEN
#define CONFIG_FERRY_ETAG_MAX_LEN 8
#endif

#ifndef CONFIG_FERRY_IMAGE_VERIFY_CHUNK_SIZE
#define CONFIG_FERRY_IMAGE_VERIFY_CHUNK_SIZE 256
#endif

#ifndef CONFIG_FERRY_HEALTH_CHECKS_MAX
#define CONFIG_FERRY_HEALTH_CHECKS_MAX 4
#endif

#ifndef CONFIG_FERRY_PERSIST_INTERVAL
#define CONFIG_FERRY_PERSIST_INTERVAL 4096
#endif

#ifndef CONFIG_FERRY_CONFIRM_DEADLINE_SEC
#define CONFIG_FERRY_CONFIRM_DEADLINE_SEC 120
#endif

static_assert(CONFIG_FERRY_PACKAGE_URI_MAX_LEN >= 32 && CONFIG_FERRY_PACKAGE_URI_MAX_LEN <= 1024,
	      "CONFIG_FERRY_PACKAGE_URI_MAX_LEN must be in 32..1024");
static_assert(CONFIG_FERRY_ETAG_MAX_LEN >= 1 && CONFIG_FERRY_ETAG_MAX_LEN <= 8,
	      "CONFIG_FERRY_ETAG_MAX_LEN must be in 1..8 (CoAP ETag option length)");
static_assert(CONFIG_FERRY_IMAGE_VERIFY_CHUNK_SIZE >= 32 &&
		      CONFIG_FERRY_IMAGE_VERIFY_CHUNK_SIZE <= 4096,
	      "CONFIG_FERRY_IMAGE_VERIFY_CHUNK_SIZE must be in 32..4096");
static_assert(CONFIG_FERRY_HEALTH_CHECKS_MAX >= 1 && CONFIG_FERRY_HEALTH_CHECKS_MAX <= 16,
	      "CONFIG_FERRY_HEALTH_CHECKS_MAX must be in 1..16");
static_assert(CONFIG_FERRY_PERSIST_INTERVAL >= 256 && CONFIG_FERRY_PERSIST_INTERVAL <= 1048576,
	      "CONFIG_FERRY_PERSIST_INTERVAL must be in 256..1048576");
static_assert(CONFIG_FERRY_CONFIRM_DEADLINE_SEC >= 10 && CONFIG_FERRY_CONFIRM_DEADLINE_SEC <= 3600,
	      "CONFIG_FERRY_CONFIRM_DEADLINE_SEC must be in 10..3600");

#endif /* FERRY_CONFIG_H_ */
