/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Object 5 pull delivery: the Package URI (5/0/1) starts, resumes or
 * cancels the pull client, and the client's sink hands pulled blocks to
 * the same path as pushed ones.
 *
 * Writing an empty URI resets object 5 to Idle at once (LwM2M 1.1 E.6.1),
 * while the pull thread may still be inside a request. Each job therefore
 * carries a number in its sink's ctx, and object 5 takes blocks only from
 * the job it started last: a job it abandoned is stopped by
 * ferry_pull_cancel() and whatever it still delivers is refused, so a new
 * URI written right after the empty one starts a clean download.
 */

#include <errno.h>
#include <stdint.h>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/net/lwm2m.h>

#include "ferry_internal.h"
#include "ferry_pull.h"

LOG_MODULE_DECLARE(ferry, CONFIG_FERRY_LOG_LEVEL);

/* Delivery Method (5/0/9): pull and push. */
#define DELIVERY_PULL_AND_PUSH 2

/* What the sink answers a job object 5 no longer waits for. */
#define ABANDONED_JOB (-EINTR)

/* Under ferry_lock(): the job object 5 takes blocks from, 0 for none. */
static uint32_t current_job;
static uint32_t last_job;

static bool is_current(void *ctx)
{
	return current_job != 0 && (uint32_t)(uintptr_t)ctx == current_job;
}

static int pulled_etag(void *ctx, const uint8_t *etag, size_t len)
{
	int rc = ABANDONED_JOB;

	ferry_lock();
	if (is_current(ctx)) {
		rc = ferry_update_check_etag(&ferry_fw, etag, len);
	}
	ferry_unlock();
	return rc;
}

static int pulled_block(void *ctx, uint32_t offset, const uint8_t *data, size_t len, bool last)
{
	int rc = ABANDONED_JOB;

	ferry_lock();
	if (is_current(ctx)) {
		rc = ferry_obj5_deliver_block(offset, data, len, last, false);
	}
	ferry_unlock();
	return rc;
}

static void pull_ended(void *ctx, int err)
{
	ferry_lock();
	if (!is_current(ctx)) {
		LOG_INF("abandoned pull stopped (%d)", err);
	} else {
		current_job = 0;
		if (err < 0) {
			LOG_ERR("pull failed: %d", err);
			if (ferry_update_state(&ferry_fw) == FERRY_FW_STATE_DOWNLOADING) {
				(void)ferry_update_fail(&ferry_fw, err);
			}
		}
	}
	ferry_unlock();
}

void ferry_obj5_pull_abandon(void)
{
	current_job = 0;
	(void)ferry_pull_cancel();
}

/* Under ferry_lock(): pull ferry_fw's URI from @p offset, abandoning any older job. */
static int start_job(uint32_t offset)
{
	struct ferry_pull_sink sink = {
		.etag = pulled_etag,
		.deliver = pulled_block,
		.ended = pull_ended,
	};
	int rc;

	ferry_obj5_pull_abandon();
	last_job = last_job == UINT32_MAX ? 1 : last_job + 1;
	sink.ctx = (void *)(uintptr_t)last_job;
	rc = ferry_pull_start(&sink, ferry_fw.rec.uri, offset);
	if (rc == 0) {
		current_job = last_job;
	}
	return rc;
}

int ferry_obj5_package_uri_written(const char *uri, uint16_t len)
{
	int rc;

	ferry_lock();
	rc = ferry_update_set_uri(&ferry_fw, uri, len);
	if (rc == 1) {
		rc = start_job(0);
		if (rc < 0) {
			/* Reported as an Update Result, like an unusable URI. */
			LOG_ERR("cannot start the pull: %d", rc);
			(void)ferry_update_fail(&ferry_fw, rc);
			rc = 0;
		}
	} else if (ferry_update_state(&ferry_fw) == FERRY_FW_STATE_IDLE) {
		/* An empty URI cancelled the download, or an unusable one was refused. */
		ferry_obj5_pull_abandon();
	}
	ferry_unlock();
	/*
	 * An unusable URI is reported as Update Result 7, not as a write error.
	 * A URI while a package is downloading or downloaded is refused with
	 * -EPERM (4.05): the server writes an empty one first to reset.
	 */
	return rc == -EDESTADDRREQ ? 0 : rc;
}

void ferry_obj5_pull_resume(void)
{
	uint32_t align = ferry_slot_erase_unit(CONFIG_FERRY_PULL_BLOCK_SIZE);
	uint32_t offset;
	int rc = 0;

	ferry_lock();
	if (ferry_update_state(&ferry_fw) == FERRY_FW_STATE_DOWNLOADING && current_job == 0) {
		offset = ferry_update_resume_offset(&ferry_fw, align);
		LOG_INF("resuming the download of %s at byte %u", ferry_fw.rec.uri, offset);
		rc = start_job(offset);
		if (rc < 0) {
			LOG_ERR("cannot resume the pull: %d", rc);
			(void)ferry_update_fail(&ferry_fw, rc);
		}
	}
	ferry_unlock();
}

int ferry_obj5_pull_register(void)
{
	return lwm2m_set_u8(&LWM2M_OBJ(LWM2M_OBJECT_FIRMWARE_ID, 0, FERRY_FW_RES_DELIVERY_METHOD),
			    DELIVERY_PULL_AND_PUSH);
}
