/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The update record (struct ferry_update_record, in the core's fixed
 * format) in the settings subsystem, under "ferry/update".
 */

#include <errno.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/settings/settings.h>

#include "ferry_internal.h"

LOG_MODULE_DECLARE(ferry, CONFIG_FERRY_LOG_LEVEL);

#define SETTINGS_SUBTREE "ferry"
#define SETTINGS_NAME "update"
#define SETTINGS_KEY SETTINGS_SUBTREE "/" SETTINGS_NAME

struct record_load {
	struct ferry_update_record *rec;
	bool found;
};

int ferry_settings_persist(void *ctx, const struct ferry_update_record *rec)
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

static int record_loader(const char *key, size_t len, settings_read_cb read_cb, void *cb_arg,
			 void *param)
{
	struct record_load *load = param;
	uint8_t buf[FERRY_UPDATE_RECORD_MAX_SIZE];
	ssize_t n;

	if (key != NULL && strcmp(key, SETTINGS_NAME) != 0) {
		return 0;
	}
	if (len > sizeof(buf)) {
		LOG_WRN("stored update record too large (%zu), ignoring it", len);
		return 0;
	}
	n = read_cb(cb_arg, buf, len);
	if (n == (ssize_t)len && ferry_update_record_decode(buf, len, load->rec) == 0) {
		load->found = true;
	} else {
		LOG_WRN("stored update record is damaged, ignoring it");
	}
	return 0;
}

int ferry_settings_load(struct ferry_update_record *rec, bool *found)
{
	struct record_load load = {.rec = rec, .found = false};
	int rc;

	rc = settings_subsys_init();
	if (rc < 0) {
		LOG_ERR("settings unavailable: %d", rc);
		goto done;
	}
	rc = settings_load_subtree_direct(SETTINGS_SUBTREE, record_loader, &load);
done:
	*found = rc == 0 && load.found;
	return rc;
}
