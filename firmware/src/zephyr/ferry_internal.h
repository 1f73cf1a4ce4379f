/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the files of the Zephyr glue share. Each file has one role, named by
 * its prefix as in Zephyr's LwM2M subsystem:
 *   ferry_init.c              ferry_init(), the lock, RD client events
 *   ferry_slot.c              the secondary slot and MCUboot requests
 *   ferry_settings.c          the update record in the settings subsystem
 *   ferry_obj_firmware.c      object 5 callbacks: push, cancel, Update
 *   ferry_obj_firmware_pull.c object 5 Package URI and the pull's sink (FERRY_PULL)
 *   ferry_confirm_boot.c      confirmation window of a trial boot
 *   ferry_watchdog.c          watchdog during the trial (FERRY_WATCHDOG)
 *   ferry_pull.c              CoAP Block2 pull client (FERRY_PULL)
 */

#ifndef FERRY_INTERNAL_H_
#define FERRY_INTERNAL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/ferry.h>

/* Object 5 resources Ferry uses (LwM2M 1.1 appendix E.6). */
#define FERRY_FW_RES_PACKAGE 0
#define FERRY_FW_RES_PACKAGE_URI 1
#define FERRY_FW_RES_STATE 3
#define FERRY_FW_RES_RESULT 5
#define FERRY_FW_RES_DELIVERY_METHOD 9

/* The object 5 machine and the confirmation window; use under ferry_lock(). */
extern struct ferry_update ferry_fw;
extern struct ferry_confirm ferry_trial;

/* ---- ferry_init.c ---- */

/*
 * One lock guards ferry_fw and ferry_trial; never nest it. The LwM2M engine
 * calls object 5 callbacks with its registry lock held, so no thread may
 * take the registry lock while holding this one: ferry_unlock() publishes
 * State and Update Result only after releasing it (ferry_obj5_publish()).
 */
void ferry_lock(void);
void ferry_unlock(void);
/* Under ferry_lock(): State/Update Result changed, publish them at ferry_unlock(). */
void ferry_publish_on_unlock(void);

/* ---- ferry_slot.c ---- */

int ferry_slot_init(uint32_t *size);
int ferry_slot_open(void *ctx, uint32_t offset);
int ferry_slot_write(void *ctx, uint32_t offset, const uint8_t *data, size_t len);
int ferry_slot_flush(void *ctx);
int ferry_slot_read(void *ctx, uint32_t offset, void *buf, size_t len);
int ferry_slot_request_upgrade(void *ctx);
/* The flash erase unit of the slot, at least @p min (a power of two). */
uint32_t ferry_slot_erase_unit(uint32_t min);

/* ---- ferry_settings.c ---- */

int ferry_settings_persist(void *ctx, const struct ferry_update_record *rec);
/* Loads the stored record into @p rec; @p found tells whether there was one. */
int ferry_settings_load(struct ferry_update_record *rec, bool *found);

/* ---- ferry_obj_firmware.c ---- */

void ferry_obj5_notify(void *ctx, enum ferry_fw_state state, enum ferry_fw_result result);
/* Sets 5/0/3 and 5/0/5 from ferry_fw; call without ferry_lock() held. */
void ferry_obj5_publish(void);
/* Under ferry_lock(): a package block, pushed or pulled. */
int ferry_obj5_deliver_block(uint32_t offset, const uint8_t *data, size_t len, bool last,
			     bool pushed);
int ferry_obj5_register(void);

/* ---- ferry_obj_firmware_pull.c ---- */

#if defined(CONFIG_FERRY_PULL)
int ferry_obj5_pull_register(void);
int ferry_obj5_package_uri_written(const char *uri, uint16_t len);
/* Under ferry_lock(): object 5 left Downloading, stop whatever the pull does. */
void ferry_obj5_pull_abandon(void);
/* Resume the download the last boot left in Downloading. */
void ferry_obj5_pull_resume(void);
#else
static inline int ferry_obj5_pull_register(void)
{
	return 0;
}
static inline void ferry_obj5_pull_abandon(void)
{
}
#endif

/* ---- ferry_confirm_boot.c ---- */

int ferry_confirm_boot_init(void);
void ferry_confirm_boot_start(bool trial);
void ferry_confirm_boot_registered(bool registered);

/* ---- ferry_watchdog.c ---- */

#if defined(CONFIG_FERRY_WATCHDOG)
void ferry_watchdog_start(void);
/* Under ferry_lock(). */
void ferry_watchdog_feed(void);
#else
static inline void ferry_watchdog_start(void)
{
}
static inline void ferry_watchdog_feed(void)
{
}
#endif

#endif /* FERRY_INTERNAL_H_ */
