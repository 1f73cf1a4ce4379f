/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Object 5 state machine over a simulated slot whose writes are buffered
 * until flushed, and whose power can be cut at any operation (modelled on
 * MCUboot's sim/: fail at every flash operation, reboot, resume, check).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <ferry/update.h>

#include "ferry_test.h"
#include "support.h"

#define SLOT_SIZE (64 * 1024)
#define BLOCK 512
#define ALIGN 8192 /* erase page larger than the persist interval */

struct fake {
	uint8_t flash[SLOT_SIZE];   /* durable contents */
	uint8_t buffer[SLOT_SIZE];  /* written, not yet flushed */
	uint32_t dirty_from, dirty_to;
	uint8_t record[FERRY_UPDATE_RECORD_MAX_SIZE];
	size_t record_len;
	int persist_count;
	int ops_left;               /* power is cut when this reaches 0; <0: never */
	bool dead;
	bool upgrade_requested;
	int upgrade_rc;
	int notified_state, notified_result;
	uint32_t bytes_written;
};

static struct fake fake;

static int power(void)
{
	if (fake.dead) {
		return -EIO;
	}
	if (fake.ops_left > 0 && --fake.ops_left == 0) {
		fake.dead = true;
		return -EIO;
	}
	return 0;
}

static int slot_open(void *ctx, uint32_t offset)
{
	(void)ctx;
	if (power() < 0) {
		return -EIO;
	}
	/* Like stream_flash with erase: the page holding @offset is erased whole. */
	memset(fake.flash + offset - offset % ALIGN, 0xff, SLOT_SIZE - offset + offset % ALIGN);
	fake.dirty_from = fake.dirty_to = offset;
	return 0;
}

static int slot_write(void *ctx, uint32_t offset, const uint8_t *data, size_t len)
{
	(void)ctx;
	if (power() < 0) {
		return -EIO;
	}
	if (fake.dirty_from == fake.dirty_to) {
		fake.dirty_from = offset;
	}
	memcpy(fake.buffer + offset, data, len);
	fake.dirty_to = offset + (uint32_t)len;
	fake.bytes_written += (uint32_t)len;
	return 0;
}

static int slot_flush(void *ctx)
{
	(void)ctx;
	if (power() < 0) {
		return -EIO;
	}
	memcpy(fake.flash + fake.dirty_from, fake.buffer + fake.dirty_from,
	       fake.dirty_to - fake.dirty_from);
	fake.dirty_from = fake.dirty_to;
	return 0;
}

static int slot_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	(void)ctx;
	memcpy(buf, fake.flash + offset, len);
	return 0;
}

static int request_upgrade(void *ctx)
{
	(void)ctx;
	if (power() < 0) {
		return -EIO;
	}
	fake.upgrade_requested = fake.upgrade_rc == 0;
	return fake.upgrade_rc;
}

static int persist(void *ctx, const struct ferry_update_record *rec)
{
	(void)ctx;
	if (power() < 0) {
		return -EIO;
	}
	/* Like an NVS/settings write: the old record stays until the new one is whole. */
	if (ferry_update_record_encode(rec, fake.record, sizeof(fake.record), &fake.record_len)) {
		return -ENOSPC;
	}
	fake.persist_count++;
	return 0;
}

static void notify(void *ctx, enum ferry_fw_state state, enum ferry_fw_result result)
{
	(void)ctx;
	fake.notified_state = state;
	fake.notified_result = result;
}

static const struct ferry_update_ops ops = {
	.slot_open = slot_open,
	.slot_write = slot_write,
	.slot_flush = slot_flush,
	.slot_read = slot_read,
	.request_upgrade = request_upgrade,
	.persist = persist,
	.notify = notify,
};

static struct ferry_update u;
static uint8_t image[SLOT_SIZE];
static size_t image_len;
static const struct ferry_image_version v1 = {1, 0, 0, 0};
static const struct ferry_image_version v2 = {2, 0, 0, 0};

static void setup_keys(const struct ferry_image_key *keys, size_t count)
{
	struct ferry_update_config cfg = {
		.ops = &ops, .ctx = NULL, .slot_size = SLOT_SIZE, .keys = keys, .key_count = count};

	memset(&fake, 0, sizeof(fake));
	memset(fake.flash, 0xff, sizeof(fake.flash));
	fake.ops_left = -1;
	if (ferry_update_init(&u, &cfg) != 0) {
		abort();
	}
}

static void setup(void)
{
	setup_keys(NULL, 0);
	image_len = test_build_image(image, sizeof(image), 0x200, 20000, 2, 42);
}

/* Deliver image[from..] in BLOCK-sized blocks; returns the first error. */
static int deliver(uint32_t from)
{
	for (uint32_t off = from; off < image_len; off += BLOCK) {
		size_t n = image_len - off < BLOCK ? image_len - off : BLOCK;
		int rc = ferry_update_write_block(&u, off, image + off, n, off + n == image_len);

		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

static bool stored(struct ferry_update_record *rec)
{
	return fake.record_len > 0 &&
	       ferry_update_record_decode(fake.record, fake.record_len, rec) == 0;
}

/* Simulate a reboot: a new machine restored from what was persisted. */
static int reboot(const struct ferry_image_version *running, bool confirmed,
		  enum ferry_boot_action *action)
{
	struct ferry_update_record rec;
	bool have = stored(&rec);
	struct ferry_update_config cfg = u.cfg;

	fake.dead = false;
	fake.ops_left = -1;
	fake.dirty_from = fake.dirty_to = 0; /* RAM buffers are gone */
	ferry_update_init(&u, &cfg);
	return ferry_update_boot(&u, have ? &rec : NULL, running, confirmed, action);
}

static void push_download_verifies_and_updates(void)
{
	struct ferry_update_record rec;

	setup();
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_IDLE);
	CHECK_EQ(ferry_update_write_block(&u, 0, image, BLOCK, false), 0);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_DOWNLOADING);
	CHECK_EQ(fake.notified_state, FERRY_FW_STATE_DOWNLOADING);
	CHECK_EQ(deliver(BLOCK), 0);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_DOWNLOADED);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_INITIAL);
	CHECK(memcmp(fake.flash, image, image_len) == 0);

	CHECK_EQ(ferry_update_execute(&u), 0);
	CHECK(fake.upgrade_requested);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_UPDATING);
	CHECK(stored(&rec));
	CHECK_EQ(rec.state, FERRY_FW_STATE_UPDATING);
	CHECK_EQ(rec.target.major, 2);
}

static void trial_boot_then_confirm_reports_success(void)
{
	enum ferry_boot_action action;
	struct ferry_update_record rec;

	push_download_verifies_and_updates();
	CHECK_EQ(reboot(&v2, false, &action), 0);
	CHECK_EQ(action, FERRY_BOOT_TRIAL);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_UPDATING);
	CHECK_EQ(ferry_update_confirmed(&u), 0);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_IDLE);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_SUCCESS);
	CHECK(stored(&rec));
	CHECK_EQ(rec.result, FERRY_FW_RESULT_SUCCESS);

	/* The result survives further reboots until the next download. */
	CHECK_EQ(reboot(&v2, true, &action), 0);
	CHECK_EQ(action, FERRY_BOOT_NOTHING);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_SUCCESS);
}

static void failed_trial_is_reported_as_reverted_by_old_image(void)
{
	enum ferry_boot_action action;

	push_download_verifies_and_updates();
	CHECK_EQ(reboot(&v2, false, &action), 0);
	CHECK_EQ(action, FERRY_BOOT_TRIAL);
	CHECK_EQ(ferry_update_trial_failed(&u, FERRY_REASON_HEALTH_CHECK), 0);
	/* MCUboot reverts: the old, confirmed image boots. */
	CHECK_EQ(reboot(&v1, true, &action), 0);
	CHECK_EQ(action, FERRY_BOOT_NOTHING);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_IDLE);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_UPDATE_FAILED);
	CHECK_EQ(ferry_update_reason(&u), FERRY_REASON_HEALTH_CHECK);
}

static void image_that_never_booted_is_update_failed(void)
{
	enum ferry_boot_action action;

	push_download_verifies_and_updates();
	CHECK_EQ(reboot(&v1, true, &action), 0);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_UPDATE_FAILED);
	CHECK_EQ(ferry_update_reason(&u), FERRY_REASON_NOT_BOOTED);
}

static void confirm_persisted_late_still_reports_success(void)
{
	enum ferry_boot_action action;

	push_download_verifies_and_updates();
	/* Power was cut after boot_write_img_confirmed() but before the record. */
	CHECK_EQ(reboot(&v2, true, &action), 0);
	CHECK_EQ(action, FERRY_BOOT_NOTHING);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_SUCCESS);
}

static void corrupted_download_fails_before_reboot(void)
{
	setup();
	image[0x200 + 7000] ^= 0x10;
	CHECK_EQ(deliver(0), -EBADMSG);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_IDLE);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_INTEGRITY_FAILED);
	CHECK(!fake.upgrade_requested);
	CHECK_EQ(ferry_update_execute(&u), -EPERM);
}

static void signed_download_with_unknown_key_fails(void)
{
	test_load_keys();
	setup_keys(&test_other_key, 1);
	image_len = test_load_fixture("signed-v1.2.3.bin", image, sizeof(image));
	CHECK_EQ(deliver(0), -EBADMSG);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_INTEGRITY_FAILED);
	CHECK_EQ(u.last_image.verdict, FERRY_IMAGE_UNKNOWN_KEY);
}

static void signed_download_with_trusted_key_is_downloaded(void)
{
	if (!test_have_ecdsa()) {
		printf("SKIP %s: built without an ECDSA backend\n", __func__);
		return;
	}
	setup_keys(&test_dev_key, 1);
	image_len = test_load_fixture("signed-v1.2.3.bin", image, sizeof(image));
	CHECK_EQ(deliver(0), 0);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_DOWNLOADED);
	CHECK_EQ(u.rec.target.minor, 2);
}

static void non_image_is_refused_on_first_block(void)
{
	setup();
	image[0] = 'E';
	CHECK_EQ(ferry_update_write_block(&u, 0, image, BLOCK, false), -ENOEXEC);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_IDLE);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_UNSUPPORTED_TYPE);
	CHECK_EQ(fake.bytes_written, 0);
}

static void oversized_image_is_refused_on_first_block(void)
{
	setup();
	image[14] = 0x10; /* img_size += 1 MiB */
	CHECK_EQ(ferry_update_write_block(&u, 0, image, BLOCK, false), -EFBIG);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_NO_STORAGE);
}

static void lost_block_is_update_failed(void)
{
	setup();
	CHECK_EQ(ferry_update_write_block(&u, 0, image, BLOCK, false), 0);
	CHECK_EQ(ferry_update_write_block(&u, 2 * BLOCK, image + 2 * BLOCK, BLOCK, false), -EINVAL);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_IDLE);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_UPDATE_FAILED);
}

static void retransmitted_blocks_are_ignored(void)
{
	setup();
	CHECK_EQ(ferry_update_write_block(&u, 0, image, BLOCK, false), 0);
	CHECK_EQ(ferry_update_write_block(&u, BLOCK, image + BLOCK, BLOCK, false), 0);
	CHECK_EQ(ferry_update_write_block(&u, BLOCK, image + BLOCK, BLOCK, false), 0);
	CHECK_EQ(fake.bytes_written, 2 * BLOCK);
	CHECK_EQ(deliver(2 * BLOCK), 0);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_DOWNLOADED);
}

static void interrupted_push_reports_connection_lost(void)
{
	enum ferry_boot_action action;

	setup();
	for (uint32_t off = 0; off < 10 * BLOCK; off += BLOCK) {
		CHECK_EQ(ferry_update_write_block(&u, off, image + off, BLOCK, false), 0);
	}
	CHECK_EQ(reboot(&v1, true, &action), 0);
	CHECK_EQ(action, FERRY_BOOT_NOTHING);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_IDLE);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_CONNECTION_LOST);
}

static void package_uri_rules(void)
{
	static char longuri[CONFIG_FERRY_PACKAGE_URI_MAX_LEN + 10];

	setup();
	CHECK_EQ(ferry_update_set_uri(&u, "firmware.bin", 12), -EDESTADDRREQ);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_IDLE);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_INVALID_URI);

	memset(longuri, 'a', sizeof(longuri));
	memcpy(longuri, "coap://", 7);
	CHECK_EQ(ferry_update_set_uri(&u, longuri, sizeof(longuri)), -EDESTADDRREQ);

	CHECK_EQ(ferry_update_set_uri(&u, "", 0), 0);
	CHECK_EQ(ferry_update_set_uri(&u, "coap://10.0.2.2/fw/2", 20), 1);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_DOWNLOADING);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_INITIAL);
	CHECK(strcmp(u.rec.uri, "coap://10.0.2.2/fw/2") == 0);
	CHECK_EQ(ferry_update_set_uri(&u, "coap://other/x", 14), -EPERM);

	/* An empty URI cancels the download. */
	CHECK_EQ(ferry_update_set_uri(&u, "\0", 1), 0);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_IDLE);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_INITIAL);
	CHECK_EQ(u.rec.uri[0], '\0');
}

static void pull_failure_maps_errno(void)
{
	setup();
	CHECK_EQ(ferry_update_set_uri(&u, "https://x/y", 11), 1);
	CHECK_EQ(ferry_update_fail(&u, -EPROTONOSUPPORT), 0);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_IDLE);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_UNSUPPORTED_PROTOCOL);
}

static void execute_rules(void)
{
	setup();
	CHECK_EQ(ferry_update_execute(&u), -EPERM);
	CHECK_EQ(deliver(0), 0);

	/* The slot was damaged between download and Update. */
	fake.flash[0x200 + 10] ^= 1;
	CHECK_EQ(ferry_update_execute(&u), -EBADMSG);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_IDLE);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_INTEGRITY_FAILED);
	CHECK(!fake.upgrade_requested);

	setup();
	CHECK_EQ(deliver(0), 0);
	fake.upgrade_rc = -EIO;
	CHECK_EQ(ferry_update_execute(&u), -EIO);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_DOWNLOADED);
	CHECK_EQ(ferry_update_result(&u), FERRY_FW_RESULT_UPDATE_FAILED);
	CHECK_EQ(ferry_update_reason(&u), FERRY_REASON_REQUEST_FAILED);
	fake.upgrade_rc = 0;
	CHECK_EQ(ferry_update_execute(&u), 0);
	CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_UPDATING);
}

static void etag_change_restarts_download(void)
{
	const uint8_t tag1[] = {1, 2, 3, 4}, tag2[] = {9, 9};

	setup();
	CHECK_EQ(ferry_update_set_uri(&u, "coap://s/fw", 11), 1);
	CHECK_EQ(ferry_update_check_etag(&u, tag1, sizeof(tag1)), 0);
	CHECK_EQ(ferry_update_write_block(&u, 0, image, BLOCK, false), 0);
	CHECK_EQ(ferry_update_check_etag(&u, tag1, sizeof(tag1)), 0);
	CHECK_EQ(ferry_update_check_etag(&u, tag2, sizeof(tag2)), -ECANCELED);
	CHECK_EQ(u.written, 0);
	CHECK_EQ(u.rec.etag_len, 2);
	CHECK_EQ(ferry_update_check_etag(&u, tag1, 9), -EINVAL);
}

/*
 * Cut the power at every slot and storage operation of a pulled download;
 * after each cut reboot, resume from the persisted offset and finish. The
 * slot must end up with exactly the image, and late cuts must not restart
 * from zero.
 */
static void power_cut_at_every_operation_resumes(void)
{
	const uint8_t tag[] = {0xfe, 0xed};
	int cuts = 0, resumed_late = 0;

	for (int cut = 1;; cut++) {
		enum ferry_boot_action action;

		setup();
		fake.ops_left = cut;
		int rc = ferry_update_set_uri(&u, "coap://10.0.2.2/fw", 18);

		if (rc == 1) {
			rc = ferry_update_check_etag(&u, tag, sizeof(tag));
		}
		if (rc == 0) {
			rc = deliver(0);
		}
		if (!fake.dead) {
			/* The whole download fit before the cut: every point was tried. */
			CHECK_EQ(rc, 0);
			CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_DOWNLOADED);
			break;
		}
		cuts++;
		fake.bytes_written = 0;
		CHECK_EQ(reboot(&v1, true, &action), 0);
		if (action == FERRY_BOOT_NOTHING) {
			/* Cut before the URI was stored, or after the download completed. */
			if (ferry_update_state(&u) == FERRY_FW_STATE_IDLE) {
				CHECK_EQ(ferry_update_set_uri(&u, "coap://10.0.2.2/fw", 18), 1);
				CHECK_EQ(deliver(0), 0);
			}
		} else {
			CHECK_EQ(action, FERRY_BOOT_RESUME_PULL);
			CHECK(strcmp(u.rec.uri, "coap://10.0.2.2/fw") == 0);
			uint32_t from = ferry_update_resume_offset(&u, ALIGN);

			CHECK_EQ(from % ALIGN, 0);
			if (from > 0) {
				resumed_late++;
				CHECK_EQ(ferry_update_check_etag(&u, tag, sizeof(tag)), 0);
			}
			CHECK_EQ(deliver(from), 0);
			CHECK(fake.bytes_written <= image_len - from);
		}
		CHECK_EQ(ferry_update_state(&u), FERRY_FW_STATE_DOWNLOADED);
		CHECK(memcmp(fake.flash, image, image_len) == 0);
	}
	CHECK(cuts > 40);
	CHECK(resumed_late > cuts / 2);
}

static void errno_maps_to_one_result(void)
{
	static const struct {
		int err;
		enum ferry_fw_result result;
	} table[] = {
		{0, 0}, {-ENOSPC, 2}, {-EFBIG, 2}, {-ENOMEM, 3}, {-ENOBUFS, 3},
		{-ENOTCONN, 4}, {-ECONNRESET, 4}, {-ETIMEDOUT, 4}, {-ECONNREFUSED, 4},
		{-EBADMSG, 5}, {-ENOEXEC, 6}, {-EDESTADDRREQ, 7}, {-EIO, 8}, {-EINVAL, 8},
		{-EPROTONOSUPPORT, 9},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		CHECK_EQ(ferry_update_result_from_errno(table[i].err), table[i].result);
	}
}

static void transitions_follow_e61(void)
{
	/* allowed[from][to], LwM2M 1.1 appendix E.6.1 */
	static const bool allowed[4][4] = {
		{true, true, false, false},
		{true, false, true, false},
		{true, false, false, true},
		{true, false, true, false},
	};

	for (int from = 0; from < 4; from++) {
		for (int to = 0; to < 4; to++) {
			CHECK_EQ(ferry_update_transition_allowed(from, to), allowed[from][to]);
		}
	}
}

static void record_round_trips_and_detects_corruption(void)
{
	struct ferry_update_record rec = {0}, out;
	uint8_t buf[FERRY_UPDATE_RECORD_MAX_SIZE];
	size_t len;

	rec.state = FERRY_FW_STATE_DOWNLOADING;
	rec.result = 0;
	rec.offset = 123456;
	rec.total_size = 200000;
	rec.target = (struct ferry_image_version){3, 4, 500, 77};
	rec.etag_len = 3;
	memcpy(rec.etag, "\x01\x02\x03", 3);
	strcpy(rec.uri, "coaps://ferry.example/fw/abc");

	CHECK_EQ(ferry_update_record_encode(&rec, buf, 10, &len), -ENOSPC);
	CHECK_EQ(ferry_update_record_encode(&rec, buf, sizeof(buf), &len), 0);
	CHECK_EQ(ferry_update_record_decode(buf, len, &out), 0);
	CHECK_EQ(out.offset, 123456);
	CHECK_EQ(out.target.revision, 500);
	CHECK_EQ(out.target.build_num, 77);
	CHECK(memcmp(out.etag, "\x01\x02\x03", 3) == 0);
	CHECK(strcmp(out.uri, rec.uri) == 0);

	for (size_t i = 0; i < len; i++) {
		buf[i] ^= 0x20;
		int rc = ferry_update_record_decode(buf, len, &out);

		CHECK(rc == -EBADMSG || (i == 4 && rc == -ENOTSUP));
		buf[i] ^= 0x20;
	}
	CHECK_EQ(ferry_update_record_decode(buf, len - 1, &out), -EBADMSG);
}

static void init_rejects_missing_operations(void)
{
	struct ferry_update_ops partial = ops;
	struct ferry_update_config cfg = {.ops = &partial, .slot_size = SLOT_SIZE};

	partial.persist = NULL;
	CHECK_EQ(ferry_update_init(&u, &cfg), -EINVAL);
}

FERRY_TEST_MAIN(T(push_download_verifies_and_updates), T(trial_boot_then_confirm_reports_success),
		T(failed_trial_is_reported_as_reverted_by_old_image),
		T(image_that_never_booted_is_update_failed),
		T(confirm_persisted_late_still_reports_success),
		T(corrupted_download_fails_before_reboot), T(signed_download_with_unknown_key_fails),
		T(signed_download_with_trusted_key_is_downloaded),
		T(non_image_is_refused_on_first_block), T(oversized_image_is_refused_on_first_block),
		T(lost_block_is_update_failed), T(retransmitted_blocks_are_ignored),
		T(interrupted_push_reports_connection_lost), T(package_uri_rules),
		T(pull_failure_maps_errno), T(execute_rules), T(etag_change_restarts_download),
		T(power_cut_at_every_operation_resumes), T(errno_maps_to_one_result),
		T(transitions_follow_e61), T(record_round_trips_and_detects_corruption),
		T(init_rejects_missing_operations))
