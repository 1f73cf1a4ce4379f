/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * @file
 * @brief LwM2M Firmware Update (object 5) state machine, platform independent.
 *
 * Implements the state and result rules of the LwM2M 1.1 specification,
 * appendix E.6: State (5/0/3) is Idle, Downloading, Downloaded or Updating;
 * Update Result (5/0/5) is 0..9. On top of the specification it keeps the
 * progress that must survive a reboot or a power cut (a @ref
 * ferry_update_record): the package URI and ETag, the number of bytes durably
 * written to the secondary slot, and the version being installed, so that an
 * interrupted pull resumes from the last written block and the outcome of a
 * swap (success or revert) is reported after the reboot.
 *
 * The machine never touches hardware: it calls the @ref ferry_update_ops
 * table given at initialisation. Errors are negative errno values, and
 * @ref ferry_update_result_from_errno is the one place that turns them into
 * Update Result codes.
 *
 * @defgroup ferry_update Object 5 update state machine
 * @ingroup ferry
 * @{
 */

#ifndef FERRY_UPDATE_H_
#define FERRY_UPDATE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/config.h>
#include <ferry/image.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Object 5 State resource (5/0/3), LwM2M 1.1 E.6. */
enum ferry_fw_state {
	FERRY_FW_STATE_IDLE = 0,        /**< No package, or the last one was handled. */
	FERRY_FW_STATE_DOWNLOADING = 1, /**< Package being written to the secondary slot. */
	FERRY_FW_STATE_DOWNLOADED = 2,  /**< Package complete and verified. */
	FERRY_FW_STATE_UPDATING = 3,    /**< Swap requested; device is rebooting into it. */
};

/** Object 5 Update Result resource (5/0/5), LwM2M 1.1 E.6. */
enum ferry_fw_result {
	FERRY_FW_RESULT_INITIAL = 0,           /**< Initial value, or a new download started. */
	FERRY_FW_RESULT_SUCCESS = 1,           /**< New image runs and was confirmed. */
	FERRY_FW_RESULT_NO_STORAGE = 2,        /**< Package does not fit in the slot. */
	FERRY_FW_RESULT_OUT_OF_MEMORY = 3,     /**< Out of RAM while downloading. */
	FERRY_FW_RESULT_CONNECTION_LOST = 4,   /**< Download connection lost. */
	FERRY_FW_RESULT_INTEGRITY_FAILED = 5,  /**< Hash or signature check failed. */
	FERRY_FW_RESULT_UNSUPPORTED_TYPE = 6,  /**< Not an MCUboot image Ferry can install. */
	FERRY_FW_RESULT_INVALID_URI = 7,       /**< Package URI cannot be used. */
	FERRY_FW_RESULT_UPDATE_FAILED = 8,     /**< Swap failed or was reverted. */
	FERRY_FW_RESULT_UNSUPPORTED_PROTOCOL = 9, /**< URI scheme not supported. */
};

/** Why the last update failed, beyond what Update Result can say. */
enum ferry_update_reason {
	FERRY_REASON_NONE = 0,          /**< No failure recorded. */
	FERRY_REASON_HEALTH_CHECK = 1,  /**< New image failed a health check; reverted. */
	FERRY_REASON_DEADLINE = 2,      /**< New image was not healthy in time; reverted. */
	FERRY_REASON_NOT_BOOTED = 3,    /**< MCUboot did not boot the new image at all. */
	FERRY_REASON_REQUEST_FAILED = 4, /**< The swap could not be requested. */
};

/**
 * Progress that must survive a reboot. Written through
 * @ref ferry_update_ops::persist at every state change and every
 * CONFIG_FERRY_PERSIST_INTERVAL bytes of download.
 */
struct ferry_update_record {
	uint8_t state;        /**< enum ferry_fw_state. */
	uint8_t result;       /**< enum ferry_fw_result. */
	uint8_t reason;       /**< enum ferry_update_reason. */
	uint8_t etag_len;     /**< Bytes used in @ref etag, 0 if none. */
	uint32_t offset;      /**< Bytes durably written to the secondary slot. */
	uint32_t total_size;  /**< Package size if known, else 0. */
	struct ferry_image_version target; /**< Version of the downloaded image. */
	uint8_t etag[CONFIG_FERRY_ETAG_MAX_LEN];           /**< ETag of the package. */
	char uri[CONFIG_FERRY_PACKAGE_URI_MAX_LEN + 1];     /**< Package URI, "" for push. */
};

/** Largest encoded @ref ferry_update_record, for sizing storage buffers. */
#define FERRY_UPDATE_RECORD_MAX_SIZE                                                            \
	(27U + CONFIG_FERRY_ETAG_MAX_LEN + CONFIG_FERRY_PACKAGE_URI_MAX_LEN + 4U)

/** Platform operations; each returns 0 or a negative errno. */
struct ferry_update_ops {
	/** Prepare the secondary slot for writing from byte @p offset (0 = fresh download). */
	int (*slot_open)(void *ctx, uint32_t offset);
	/** Write @p len bytes at @p offset of the slot (may be buffered). */
	int (*slot_write)(void *ctx, uint32_t offset, const uint8_t *data, size_t len);
	/** Make every byte written so far durable. */
	int (*slot_flush)(void *ctx);
	/** Read back from the slot, for verification. */
	int (*slot_read)(void *ctx, uint32_t offset, void *buf, size_t len);
	/** Ask the bootloader for a test swap to the image in the slot. */
	int (*request_upgrade)(void *ctx);
	/** Store the record durably. */
	int (*persist)(void *ctx, const struct ferry_update_record *record);
	/** Optional: publish new State/Update Result values (e.g. to LwM2M resources). */
	void (*notify)(void *ctx, enum ferry_fw_state state, enum ferry_fw_result result);
};

/** Static configuration of an update machine. */
struct ferry_update_config {
	const struct ferry_update_ops *ops;  /**< Platform operations. */
	void *ctx;                           /**< Passed to every operation. */
	uint32_t slot_size;                  /**< Size of the secondary slot in bytes. */
	const struct ferry_image_key *keys;  /**< Trusted keys; none means hash-only check. */
	size_t key_count;                    /**< Number of @ref keys. */
};

/** An object 5 instance. Allocate statically; all fields are private. */
struct ferry_update {
	struct ferry_update_config cfg;      /**< Configuration. */
	struct ferry_update_record rec;      /**< Current (and persisted) progress. */
	uint32_t written;                    /**< Bytes handed to slot_write so far. */
	bool slot_opened;                    /**< slot_open was called for this download. */
	struct ferry_image_info last_image;  /**< Result of the last verification. */
};

/** What the caller must do after @ref ferry_update_boot. */
enum ferry_boot_action {
	FERRY_BOOT_NOTHING = 0,      /**< Normal boot; nothing pending. */
	FERRY_BOOT_RESUME_PULL = 1,  /**< Restart the pull from @ref ferry_update_resume_offset. */
	FERRY_BOOT_TRIAL = 2,        /**< Running a new, unconfirmed image: open the health window. */
};

/**
 * @brief Initialise a machine in state Idle with result 0.
 * @retval -EINVAL a required operation or the slot size is missing.
 */
int ferry_update_init(struct ferry_update *u, const struct ferry_update_config *cfg);

/**
 * @brief Restore progress after boot and decide what happens next.
 *
 * @param record   the record last persisted, or NULL if none was found.
 * @param running  version of the image now running.
 * @param running_confirmed whether MCUboot considers the running image confirmed.
 * @param action   what the caller must do now.
 *
 * A record in Updating tells the previous boot requested a swap: if the
 * running image is the target and unconfirmed this is the trial boot
 * (@ref FERRY_BOOT_TRIAL); if it is not the target, MCUboot reverted or never
 * swapped, and Update Result becomes 8. A record in Downloading with a URI
 * resumes the pull; one without a URI (a push) cannot be resumed and ends
 * with Update Result 4.
 */
int ferry_update_boot(struct ferry_update *u, const struct ferry_update_record *record,
		      const struct ferry_image_version *running, bool running_confirmed,
		      enum ferry_boot_action *action);

/**
 * @brief A block of the package arrived (push via 5/0/0 Block1, or a pulled block).
 *
 * Blocks must arrive in order; a block overlapping bytes already written
 * (a retransmission, or a resume from an aligned offset) is trimmed, a gap
 * is an error. On @p last the slot is flushed and the image verified; a bad
 * image leaves the machine in Idle with Update Result 5 or 6 right away.
 *
 * @retval 0 accepted (and, if last, verified: state is Downloaded).
 * @retval -EPERM the package cannot be written in the current state.
 * @retval other negative errno, already reflected in Update Result.
 */
int ferry_update_write_block(struct ferry_update *u, uint32_t offset, const uint8_t *data,
			     size_t len, bool last);

/**
 * @brief Package URI (5/0/1) was written.
 *
 * A non-empty URI in Idle starts a download (state Downloading, result 0);
 * the caller then starts its pull client. An empty URI cancels: state Idle,
 * result 0.
 *
 * @retval 1 the caller must start pulling @p uri from offset 0.
 * @retval 0 nothing to start (cancelled, or empty in Idle).
 * @retval -EDESTADDRREQ the URI does not fit (Update Result 7).
 * @retval -EPERM a download or update is already under way.
 */
int ferry_update_set_uri(struct ferry_update *u, const char *uri, size_t len);

/**
 * @brief Record the ETag the server sent with the first block of a pull.
 *
 * @retval 0 recorded, or it matches the recorded one.
 * @retval -ECANCELED a different ETag than the one recorded: the package changed
 *         on the server, so the download restarts from zero.
 * @retval -EINVAL longer than CONFIG_FERRY_ETAG_MAX_LEN.
 */
int ferry_update_check_etag(struct ferry_update *u, const uint8_t *etag, size_t len);

/**
 * @brief Where a resumed pull must start.
 *
 * Rounds the durable offset down to @p align (the larger of the flash erase
 * unit and the CoAP block size, a power of two), so that the slot page that
 * was being filled is erased and rewritten whole. Subsequent blocks from that
 * offset are accepted.
 */
uint32_t ferry_update_resume_offset(struct ferry_update *u, uint32_t align);

/**
 * @brief The download failed or was abandoned (connection lost, URI unusable...).
 *
 * Moves to Idle with the Update Result mapped from @p err.
 */
int ferry_update_fail(struct ferry_update *u, int err);

/**
 * @brief Update (5/0/2) was executed.
 *
 * Downloaded → Updating: re-verifies the slot, persists the record, then
 * requests a test swap. The caller reboots after answering the request.
 *
 * @retval 0 swap requested: reboot now.
 * @retval -EPERM not in Downloaded.
 * @retval other negative errno; state is back to Downloaded and Update Result
 *         reflects the error.
 */
int ferry_update_execute(struct ferry_update *u);

/**
 * @brief The trial image proved healthy and was confirmed: Update Result 1, Idle.
 */
int ferry_update_confirmed(struct ferry_update *u);

/**
 * @brief The trial image failed: record why before rebooting into the revert.
 *
 * The record keeps state Updating, so that the reverted image reports
 * Update Result 8 after the reboot.
 */
int ferry_update_trial_failed(struct ferry_update *u, enum ferry_update_reason reason);

/** Current State. */
enum ferry_fw_state ferry_update_state(const struct ferry_update *u);

/** Current Update Result. */
enum ferry_fw_result ferry_update_result(const struct ferry_update *u);

/** Reason recorded with the last failure. */
enum ferry_update_reason ferry_update_reason(const struct ferry_update *u);

/**
 * @brief The one mapping from negative errno to Update Result.
 *
 * | errno | Update Result |
 * |---|---|
 * | 0 | 0 Initial |
 * | -ENOSPC, -EFBIG | 2 Not enough flash |
 * | -ENOMEM, -ENOBUFS | 3 Out of RAM |
 * | -ENOTCONN, -ECONNRESET, -ECONNABORTED, -ECONNREFUSED, -ETIMEDOUT, -ENETUNREACH, -EHOSTUNREACH | 4 Connection lost |
 * | -EBADMSG | 5 Integrity check failure |
 * | -ENOEXEC | 6 Unsupported package type |
 * | -EDESTADDRREQ | 7 Invalid URI |
 * | -EPROTONOSUPPORT | 9 Unsupported protocol |
 * | anything else | 8 Firmware update failed |
 */
enum ferry_fw_result ferry_update_result_from_errno(int err);

/**
 * @brief Whether LwM2M 1.1 E.6.1 allows the state change @p from → @p to.
 */
bool ferry_update_transition_allowed(enum ferry_fw_state from, enum ferry_fw_state to);

/**
 * @brief Encode a record into its fixed little-endian storage format (with CRC-32).
 *
 * @retval 0 encoded; @p out_len is set.
 * @retval -ENOSPC @p buf is too small.
 */
int ferry_update_record_encode(const struct ferry_update_record *rec, uint8_t *buf,
			       size_t buf_size, size_t *out_len);

/**
 * @brief Decode a stored record.
 *
 * @retval 0 decoded.
 * @retval -EBADMSG wrong magic, bad CRC or inconsistent lengths.
 * @retval -ENOTSUP written by an incompatible format version.
 */
int ferry_update_record_decode(const uint8_t *buf, size_t len, struct ferry_update_record *rec);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* FERRY_UPDATE_H_ */
