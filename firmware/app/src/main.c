/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Ferry sample: registers with a Ferry server over LwM2M and takes firmware
 * updates through object 5, with confirmed boot and automatic revert.
 */

#include <errno.h>
#include <string.h>

#include <zephyr/app_version.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/net/lwm2m.h>
#include <zephyr/sys/util.h>

#include <ferry/ferry.h>

LOG_MODULE_REGISTER(ferry_sample, LOG_LEVEL_INF);

#define SECURITY_MODE_PSK 0
#define SECURITY_MODE_NOSEC 3

static struct lwm2m_ctx client;

/* The application's own self-test: here, that the main loop runs. */
static atomic_t main_loop_ticks;

static int main_loop_alive(void *arg)
{
	ARG_UNUSED(arg);
	if (IS_ENABLED(CONFIG_FERRY_SAMPLE_FAIL_HEALTH)) {
		return -EIO;
	}
	return atomic_get(&main_loop_ticks) >= 3 ? 0 : -EAGAIN;
}

static const struct ferry_health_check main_loop_check = {
	.name = "main-loop",
	.run = main_loop_alive,
};

static void rd_event(struct lwm2m_ctx *ctx, enum lwm2m_rd_client_event event)
{
	ARG_UNUSED(ctx);
	if (event == LWM2M_RD_CLIENT_EVENT_REGISTRATION_COMPLETE) {
		LOG_INF("registered with the server");
	}
	ferry_lwm2m_event(event);
}

/*
 * The version as the server compares it (major.minor.revision+build). Ferry
 * replaces it with the running image's MCUboot header version when MCUboot
 * booted the device; this value is for boots without MCUboot (native_sim).
 */
#define FIRMWARE_VERSION                                                                   \
	STRINGIFY(APP_VERSION_MAJOR) "." STRINGIFY(APP_VERSION_MINOR) "."                  \
	STRINGIFY(APP_PATCHLEVEL) "+" STRINGIFY(APP_TWEAK)

static int setup_objects(void)
{
	static char firmware_version[] = FIRMWARE_VERSION;
	static char model[] = CONFIG_FERRY_SAMPLE_MODEL;
	bool psk = strncmp(CONFIG_FERRY_SAMPLE_SERVER_URI, "coaps://", 8) == 0;

	lwm2m_set_string(&LWM2M_OBJ(0, 0, 0), CONFIG_FERRY_SAMPLE_SERVER_URI);
	lwm2m_set_u8(&LWM2M_OBJ(0, 0, 2), psk ? SECURITY_MODE_PSK : SECURITY_MODE_NOSEC);
#if defined(CONFIG_LWM2M_DTLS_SUPPORT)
	if (psk) {
		uint8_t key[32];
		size_t len = hex2bin(CONFIG_FERRY_SAMPLE_PSK, strlen(CONFIG_FERRY_SAMPLE_PSK), key,
				     sizeof(key));

		if (len == 0) {
			LOG_ERR("CONFIG_FERRY_SAMPLE_PSK is not valid hex");
			return -EINVAL;
		}
		lwm2m_set_string(&LWM2M_OBJ(0, 0, 3), CONFIG_FERRY_SAMPLE_PSK_IDENTITY);
		lwm2m_set_opaque(&LWM2M_OBJ(0, 0, 5), key, len);
	}
#endif
	lwm2m_set_u16(&LWM2M_OBJ(0, 0, 10), CONFIG_LWM2M_SERVER_DEFAULT_SSID);
	lwm2m_set_u16(&LWM2M_OBJ(1, 0, 0), CONFIG_LWM2M_SERVER_DEFAULT_SSID);
	lwm2m_set_res_buf(&LWM2M_OBJ(3, 0, 1), model, sizeof(model), sizeof(model),
			  LWM2M_RES_DATA_FLAG_RO);
	lwm2m_set_res_buf(&LWM2M_OBJ(3, 0, 3), firmware_version, sizeof(firmware_version),
			  sizeof(firmware_version), LWM2M_RES_DATA_FLAG_RO);
	return 0;
}

int main(void)
{
	char version[sizeof("255.255.65535+4294967295")];
	int rc;

	rc = ferry_health_check_register(&main_loop_check);
	if (rc == 0) {
		rc = setup_objects();
	}
	if (rc == 0) {
		rc = ferry_init();
	}
	if (rc < 0) {
		LOG_ERR("setup failed: %d", rc);
		return rc;
	}
	/* What the server sees: the running image's version (see ferry.h). */
	if (lwm2m_get_string(&LWM2M_OBJ(3, 0, 3), version, sizeof(version)) == 0) {
		LOG_INF("Ferry sample %s on %s", version, CONFIG_BOARD);
	}
	if (ferry_is_trial_boot()) {
		LOG_INF("running a new image on trial");
	}

	rc = lwm2m_rd_client_start(&client, CONFIG_FERRY_SAMPLE_ENDPOINT, 0, rd_event, NULL);
	if (rc < 0) {
		LOG_ERR("cannot start the LwM2M client: %d", rc);
		return rc;
	}

	for (;;) {
		atomic_inc(&main_loop_ticks);
		k_sleep(K_SECONDS(1));
	}
	return 0;
}
