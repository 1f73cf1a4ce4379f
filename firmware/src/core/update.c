/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Object 5 state machine (LwM2M 1.1 appendix E.6) with persisted progress.
 */

#include <errno.h>
#include <string.h>

#include <ferry/update.h>

/* Pin the record format: these values are stored on devices. */
#define RECORD_MAGIC 0x31595246U /* "FRY1" little-endian */
#define RECORD_FORMAT_VERSION 1U
#define RECORD_FIXED_SIZE 27U

enum ferry_fw_result ferry_update_result_from_errno(int err)
{
	switch (err) {
	case 0:
		return FERRY_FW_RESULT_INITIAL;
	case -ENOSPC:
	case -EFBIG:
		return FERRY_FW_RESULT_NO_STORAGE;
	case -ENOMEM:
	case -ENOBUFS:
		return FERRY_FW_RESULT_OUT_OF_MEMORY;
	case -ENOTCONN:
	case -ECONNRESET:
	case -ECONNABORTED:
	case -ECONNREFUSED:
	case -ETIMEDOUT:
	case -ENETUNREACH:
	case -EHOSTUNREACH:
		return FERRY_FW_RESULT_CONNECTION_LOST;
	case -EBADMSG:
		return FERRY_FW_RESULT_INTEGRITY_FAILED;
	case -ENOEXEC:
		return FERRY_FW_RESULT_UNSUPPORTED_TYPE;
	case -EDESTADDRREQ:
		return FERRY_FW_RESULT_INVALID_URI;
	case -EPROTONOSUPPORT:
		return FERRY_FW_RESULT_UNSUPPORTED_PROTOCOL;
	default:
		return FERRY_FW_RESULT_UPDATE_FAILED;
	}
}

bool ferry_update_transition_allowed(enum ferry_fw_state from, enum ferry_fw_state to)
{
	switch (from) {
	case FERRY_FW_STATE_IDLE:
		return to == FERRY_FW_STATE_IDLE || to == FERRY_FW_STATE_DOWNLOADING;
	case FERRY_FW_STATE_DOWNLOADING:
		return to == FERRY_FW_STATE_IDLE || to == FERRY_FW_STATE_DOWNLOADED;
	case FERRY_FW_STATE_DOWNLOADED:
		return to == FERRY_FW_STATE_IDLE || to == FERRY_FW_STATE_UPDATING;
	case FERRY_FW_STATE_UPDATING:
		return to == FERRY_FW_STATE_IDLE || to == FERRY_FW_STATE_DOWNLOADED;
	}
	return false;
}

static int persist(struct ferry_update *u)
{
	return u->cfg.ops->persist(u->cfg.ctx, &u->rec);
}

/* The only place State and Update Result change. */
static int enter(struct ferry_update *u, enum ferry_fw_state state, enum ferry_fw_result result)
{
	if (!ferry_update_transition_allowed((enum ferry_fw_state)u->rec.state, state)) {
		return -EPERM;
	}
	u->rec.state = (uint8_t)state;
	u->rec.result = (uint8_t)result;
	if (u->cfg.ops->notify != NULL) {
		u->cfg.ops->notify(u->cfg.ctx, state, result);
	}
	return persist(u);
}

static void forget_download(struct ferry_update *u)
{
	u->rec.offset = 0;
	u->rec.total_size = 0;
	u->rec.etag_len = 0;
	u->rec.uri[0] = '\0';
	u->written = 0;
	u->slot_opened = false;
}

int ferry_update_init(struct ferry_update *u, const struct ferry_update_config *cfg)
{
	const struct ferry_update_ops *ops = cfg->ops;

	if (ops == NULL || ops->slot_open == NULL || ops->slot_write == NULL ||
	    ops->slot_flush == NULL || ops->slot_read == NULL || ops->request_upgrade == NULL ||
	    ops->persist == NULL || cfg->slot_size < FERRY_IMAGE_HEADER_SIZE) {
		return -EINVAL;
	}
	memset(u, 0, sizeof(*u));
	u->cfg = *cfg;
	return 0;
}

enum ferry_fw_state ferry_update_state(const struct ferry_update *u)
{
	return (enum ferry_fw_state)u->rec.state;
}

enum ferry_fw_result ferry_update_result(const struct ferry_update *u)
{
	return (enum ferry_fw_result)u->rec.result;
}

enum ferry_update_reason ferry_update_reason(const struct ferry_update *u)
{
	return (enum ferry_update_reason)u->rec.reason;
}

int ferry_update_fail(struct ferry_update *u, int err)
{
	enum ferry_fw_result result = ferry_update_result_from_errno(err);

	if (u->rec.state == FERRY_FW_STATE_UPDATING) {
		/* The package is still in the slot: back to Downloaded (E.6.1). */
		return enter(u, FERRY_FW_STATE_DOWNLOADED, result);
	}
	forget_download(u);
	return enter(u, FERRY_FW_STATE_IDLE, result);
}

static int slot_reader_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	struct ferry_update *u = ctx;

	return u->cfg.ops->slot_read(u->cfg.ctx, offset, buf, len);
}

static int verify_slot(struct ferry_update *u)
{
	struct ferry_image_reader reader = {
		.read = slot_reader_read,
		.ctx = u,
		.size = u->rec.offset,
	};
	int rc = ferry_image_verify(&reader, u->cfg.keys, u->cfg.key_count, &u->last_image);

	if (rc == -EFBIG) {
		/* Fits the slot (checked on the first block) but the package ended early. */
		rc = -EBADMSG;
	}
	return rc;
}

static int check_first_block(struct ferry_update *u, const uint8_t *data, size_t len)
{
	struct ferry_image_header hdr;
	int rc = ferry_image_header_decode(data, len, &hdr);

	if (rc == -EINVAL) {
		return 0; /* shorter than a header: the final verification decides */
	}
	if (rc < 0) {
		return rc;
	}
	if ((uint64_t)hdr.hdr_size + hdr.img_size + hdr.protect_tlv_size > u->cfg.slot_size) {
		return -EFBIG;
	}
	return 0;
}

static int finish_download(struct ferry_update *u)
{
	int rc = u->cfg.ops->slot_flush(u->cfg.ctx);

	if (rc < 0) {
		goto done;
	}
	u->rec.offset = u->written;
	rc = verify_slot(u);
	if (rc < 0) {
		goto done;
	}
	u->rec.target = u->last_image.header.version;
	u->rec.total_size = u->written;
	rc = enter(u, FERRY_FW_STATE_DOWNLOADED, FERRY_FW_RESULT_INITIAL);
done:
	return rc;
}

int ferry_update_write_block(struct ferry_update *u, uint32_t offset, const uint8_t *data,
			     size_t len, bool last)
{
	int rc = 0;

	if (u->rec.state == FERRY_FW_STATE_IDLE) {
		if (offset != 0) {
			return -EPERM;
		}
		forget_download(u);
		u->rec.reason = FERRY_REASON_NONE;
		rc = enter(u, FERRY_FW_STATE_DOWNLOADING, FERRY_FW_RESULT_INITIAL);
		if (rc < 0) {
			goto done;
		}
	} else if (u->rec.state != FERRY_FW_STATE_DOWNLOADING) {
		return -EPERM;
	}

	if (offset == 0 && u->written > 0 && u->rec.uri[0] == '\0') {
		/* The server restarted a push from the beginning. */
		u->written = 0;
		u->rec.offset = 0;
		u->slot_opened = false;
	}
	if (offset > u->written) {
		rc = -EINVAL; /* a gap: blocks were lost */
		goto done;
	}
	if (!u->slot_opened) {
		rc = u->cfg.ops->slot_open(u->cfg.ctx, u->written);
		if (rc < 0) {
			goto done;
		}
		u->slot_opened = true;
	}
	if (offset == 0) {
		rc = check_first_block(u, data, len);
		if (rc < 0) {
			goto done;
		}
	}

	size_t skip = u->written - offset;

	if (skip < len) {
		if ((uint64_t)u->written + (len - skip) > u->cfg.slot_size) {
			rc = -EFBIG;
			goto done;
		}
		rc = u->cfg.ops->slot_write(u->cfg.ctx, u->written, data + skip, len - skip);
		if (rc < 0) {
			goto done;
		}
		u->written += (uint32_t)(len - skip);
	}

	if (last) {
		rc = finish_download(u);
	} else if (u->written - u->rec.offset >= CONFIG_FERRY_PERSIST_INTERVAL) {
		rc = u->cfg.ops->slot_flush(u->cfg.ctx);
		if (rc == 0) {
			u->rec.offset = u->written;
			rc = persist(u);
		}
	}

done:
	if (rc < 0 && rc != -EPERM) {
		(void)ferry_update_fail(u, rc);
	}
	return rc;
}

static bool uri_is_plausible(const char *uri, size_t len)
{
	for (size_t i = 1; i + 2 < len; i++) {
		if (uri[i] == ':' && uri[i + 1] == '/' && uri[i + 2] == '/') {
			return i + 3 < len;
		}
	}
	return false;
}

int ferry_update_set_uri(struct ferry_update *u, const char *uri, size_t len)
{
	size_t n = 0;

	while (n < len && uri[n] != '\0') {
		n++;
	}

	if (n == 0) {
		if (u->rec.state == FERRY_FW_STATE_DOWNLOADING ||
		    u->rec.state == FERRY_FW_STATE_DOWNLOADED) {
			forget_download(u);
			return enter(u, FERRY_FW_STATE_IDLE, FERRY_FW_RESULT_INITIAL);
		}
		return 0;
	}
	if (u->rec.state != FERRY_FW_STATE_IDLE) {
		return -EPERM;
	}
	if (n > CONFIG_FERRY_PACKAGE_URI_MAX_LEN || !uri_is_plausible(uri, n)) {
		int rc = enter(u, FERRY_FW_STATE_IDLE,
			       ferry_update_result_from_errno(-EDESTADDRREQ));

		return rc < 0 ? rc : -EDESTADDRREQ;
	}

	forget_download(u);
	memcpy(u->rec.uri, uri, n);
	u->rec.uri[n] = '\0';
	u->rec.reason = FERRY_REASON_NONE;
	int rc = enter(u, FERRY_FW_STATE_DOWNLOADING, FERRY_FW_RESULT_INITIAL);

	return rc < 0 ? rc : 1;
}

int ferry_update_check_etag(struct ferry_update *u, const uint8_t *etag, size_t len)
{
	if (len > sizeof(u->rec.etag)) {
		return -EINVAL;
	}
	if (u->rec.etag_len == len && memcmp(u->rec.etag, etag, len) == 0) {
		return 0;
	}

	bool changed = u->rec.etag_len != 0 || u->written != 0;

	memcpy(u->rec.etag, etag, len);
	u->rec.etag_len = (uint8_t)len;
	if (changed) {
		u->written = 0;
		u->rec.offset = 0;
		u->slot_opened = false;
	}
	int rc = persist(u);

	if (rc < 0) {
		return rc;
	}
	return changed ? -ECANCELED : 0;
}

uint32_t ferry_update_resume_offset(struct ferry_update *u, uint32_t align)
{
	uint32_t aligned = u->rec.offset;

	if (align > 1) {
		aligned -= aligned % align;
	}
	u->rec.offset = aligned;
	u->written = aligned;
	u->slot_opened = false;
	return aligned;
}

int ferry_update_execute(struct ferry_update *u)
{
	int rc;

	if (u->rec.state != FERRY_FW_STATE_DOWNLOADED) {
		return -EPERM;
	}
	rc = verify_slot(u);
	if (rc < 0) {
		/* The slot changed under us since the download: the package is gone. */
		forget_download(u);
		(void)enter(u, FERRY_FW_STATE_IDLE, ferry_update_result_from_errno(rc));
		goto done;
	}
	u->rec.reason = FERRY_REASON_NONE;
	/* Persist Updating before asking for the swap: after the reboot it tells us to judge. */
	rc = enter(u, FERRY_FW_STATE_UPDATING, FERRY_FW_RESULT_INITIAL);
	if (rc < 0) {
		goto done;
	}
	rc = u->cfg.ops->request_upgrade(u->cfg.ctx);
	if (rc < 0) {
		u->rec.reason = FERRY_REASON_REQUEST_FAILED;
		(void)enter(u, FERRY_FW_STATE_DOWNLOADED, FERRY_FW_RESULT_UPDATE_FAILED);
	}
done:
	return rc;
}

static bool same_version(const struct ferry_image_version *a, const struct ferry_image_version *b)
{
	return ferry_image_version_cmp(a, b) == 0 && a->build_num == b->build_num;
}

int ferry_update_boot(struct ferry_update *u, const struct ferry_update_record *record,
		      const struct ferry_image_version *running, bool running_confirmed,
		      enum ferry_boot_action *action)
{
	int rc = 0;

	*action = FERRY_BOOT_NOTHING;
	if (record == NULL) {
		memset(&u->rec, 0, sizeof(u->rec));
		goto done;
	}
	u->rec = *record;
	u->rec.uri[sizeof(u->rec.uri) - 1] = '\0';
	u->written = u->rec.offset;
	u->slot_opened = false;

	switch ((enum ferry_fw_state)u->rec.state) {
	case FERRY_FW_STATE_IDLE:
	case FERRY_FW_STATE_DOWNLOADED:
		break;
	case FERRY_FW_STATE_DOWNLOADING:
		if (u->rec.uri[0] != '\0') {
			*action = FERRY_BOOT_RESUME_PULL;
		} else {
			/* A push cannot be resumed by the device: the server must send again. */
			rc = ferry_update_fail(u, -ECONNRESET);
		}
		break;
	case FERRY_FW_STATE_UPDATING:
		if (same_version(running, &u->rec.target)) {
			if (running_confirmed) {
				rc = ferry_update_confirmed(u);
			} else {
				*action = FERRY_BOOT_TRIAL;
			}
		} else {
			if (u->rec.reason == FERRY_REASON_NONE) {
				u->rec.reason = FERRY_REASON_NOT_BOOTED;
			}
			forget_download(u);
			rc = enter(u, FERRY_FW_STATE_IDLE, FERRY_FW_RESULT_UPDATE_FAILED);
		}
		break;
	default:
		/* A record from a newer format or corrupted beyond the CRC: start clean. */
		memset(&u->rec, 0, sizeof(u->rec));
		rc = persist(u);
		break;
	}
done:
	return rc;
}

int ferry_update_confirmed(struct ferry_update *u)
{
	if (u->rec.state != FERRY_FW_STATE_UPDATING) {
		return -EPERM;
	}
	u->rec.reason = FERRY_REASON_NONE;
	forget_download(u);
	return enter(u, FERRY_FW_STATE_IDLE, FERRY_FW_RESULT_SUCCESS);
}

int ferry_update_trial_failed(struct ferry_update *u, enum ferry_update_reason reason)
{
	if (u->rec.state != FERRY_FW_STATE_UPDATING) {
		return -EPERM;
	}
	u->rec.reason = (uint8_t)reason;
	return persist(u);
}

/* ---- record storage format ---------------------------------------------- */

static uint32_t crc32(const uint8_t *data, size_t len)
{
	uint32_t crc = 0xffffffffU;

	for (size_t i = 0; i < len; i++) {
		crc ^= data[i];
		for (int bit = 0; bit < 8; bit++) {
			crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1U)));
		}
	}
	return ~crc;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)get_le16(p) | ((uint32_t)get_le16(p + 2) << 16);
}

int ferry_update_record_encode(const struct ferry_update_record *rec, uint8_t *buf,
			       size_t buf_size, size_t *out_len)
{
	size_t uri_len = 0;

	while (uri_len < sizeof(rec->uri) - 1 && rec->uri[uri_len] != '\0') {
		uri_len++;
	}
	size_t etag_len = rec->etag_len <= sizeof(rec->etag) ? rec->etag_len : sizeof(rec->etag);
	size_t len = RECORD_FIXED_SIZE + etag_len + uri_len + 4U;

	if (buf_size < len) {
		return -ENOSPC;
	}
	put_le32(buf, RECORD_MAGIC);
	buf[4] = RECORD_FORMAT_VERSION;
	buf[5] = rec->state;
	buf[6] = rec->result;
	buf[7] = rec->reason;
	buf[8] = (uint8_t)etag_len;
	put_le32(buf + 9, rec->offset);
	put_le32(buf + 13, rec->total_size);
	buf[17] = rec->target.major;
	buf[18] = rec->target.minor;
	put_le16(buf + 19, rec->target.revision);
	put_le32(buf + 21, rec->target.build_num);
	put_le16(buf + 25, (uint16_t)uri_len);
	memcpy(buf + RECORD_FIXED_SIZE, rec->etag, etag_len);
	memcpy(buf + RECORD_FIXED_SIZE + etag_len, rec->uri, uri_len);
	put_le32(buf + len - 4U, crc32(buf, len - 4U));
	*out_len = len;
	return 0;
}

int ferry_update_record_decode(const uint8_t *buf, size_t len, struct ferry_update_record *rec)
{
	if (len < RECORD_FIXED_SIZE + 4U || get_le32(buf) != RECORD_MAGIC) {
		return -EBADMSG;
	}
	if (buf[4] != RECORD_FORMAT_VERSION) {
		return -ENOTSUP;
	}

	size_t etag_len = buf[8];
	size_t uri_len = get_le16(buf + 25);

	if (etag_len > sizeof(rec->etag) || uri_len > sizeof(rec->uri) - 1 ||
	    len != RECORD_FIXED_SIZE + etag_len + uri_len + 4U ||
	    get_le32(buf + len - 4U) != crc32(buf, len - 4U) ||
	    buf[5] > FERRY_FW_STATE_UPDATING || buf[6] > FERRY_FW_RESULT_UNSUPPORTED_PROTOCOL) {
		return -EBADMSG;
	}

	memset(rec, 0, sizeof(*rec));
	rec->state = buf[5];
	rec->result = buf[6];
	rec->reason = buf[7];
	rec->etag_len = (uint8_t)etag_len;
	rec->offset = get_le32(buf + 9);
	rec->total_size = get_le32(buf + 13);
	rec->target.major = buf[17];
	rec->target.minor = buf[18];
	rec->target.revision = get_le16(buf + 19);
	rec->target.build_num = get_le32(buf + 21);
	memcpy(rec->etag, buf + RECORD_FIXED_SIZE, etag_len);
	memcpy(rec->uri, buf + RECORD_FIXED_SIZE + etag_len, uri_len);
	rec->uri[uri_len] = '\0';
	return 0;
}
