/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Resumable CoAP block-wise pull of a firmware package (RFC 7959 Block2).
 * Unlike Zephyr's pull context, the first request asks for the block at the
 * persisted offset, and the ETag guards against resuming a changed package.
 * Supports coap:// with a literal IPv4 address (coaps:// is refused with
 * Update Result 9 until DTLS pulls are added).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/net/coap.h>
#include <zephyr/net/socket.h>

#include <ferry/config.h>

#include "ferry_pull.h"

LOG_MODULE_DECLARE(ferry, CONFIG_FERRY_LOG_LEVEL);

#define COAP_DEFAULT_PORT 5683
#define MAX_PATH_SEGMENTS 8
#define REQUEST_SIZE (64 + CONFIG_FERRY_PACKAGE_URI_MAX_LEN)
#define RESPONSE_SIZE (64 + CONFIG_FERRY_PULL_BLOCK_SIZE)

BUILD_ASSERT((CONFIG_FERRY_PULL_BLOCK_SIZE & (CONFIG_FERRY_PULL_BLOCK_SIZE - 1)) == 0,
	     "CONFIG_FERRY_PULL_BLOCK_SIZE must be a power of two");

struct pull_job {
	struct ferry_pull_sink sink;
	char uri[CONFIG_FERRY_PACKAGE_URI_MAX_LEN + 1];
	uint32_t offset;
};

/*
 * pull_lock guards the three flags and next_job; it is never held while
 * the sink runs, so the sink may take its own locks in any order.
 * current_job belongs to the pull thread from the moment it takes the job:
 * pull() splits its URI in place, so a new job never writes there.
 */
static K_MUTEX_DEFINE(pull_lock);
static struct pull_job next_job;
static bool job_waiting;     /* next_job holds a job the thread has not taken yet. */
static bool job_running;     /* The thread runs current_job. */
static bool stop_requested;  /* current_job must stop at its next block. */
static struct pull_job current_job;
static K_SEM_DEFINE(job_ready, 0, 1);
static uint8_t request_buf[REQUEST_SIZE];
static uint8_t response_buf[RESPONSE_SIZE];

int ferry_pull_start(const struct ferry_pull_sink *sink, const char *uri, uint32_t offset)
{
	int rc = 0;

	if (sink == NULL || sink->etag == NULL || sink->deliver == NULL || sink->ended == NULL ||
	    uri == NULL || strlen(uri) >= sizeof(next_job.uri)) {
		return -EINVAL;
	}
	k_mutex_lock(&pull_lock, K_FOREVER);
	if (job_waiting || (job_running && !stop_requested)) {
		rc = -EBUSY;
		goto done;
	}
	next_job.sink = *sink;
	strcpy(next_job.uri, uri);
	next_job.offset = offset;
	job_waiting = true;
	k_sem_give(&job_ready);
done:
	k_mutex_unlock(&pull_lock);
	return rc;
}

int ferry_pull_cancel(void)
{
	int rc = -EALREADY;

	k_mutex_lock(&pull_lock, K_FOREVER);
	if (job_waiting) {
		/* Never taken: it calls no sink function at all. */
		job_waiting = false;
		rc = 0;
	}
	if (job_running && !stop_requested) {
		stop_requested = true;
		rc = 0;
	}
	k_mutex_unlock(&pull_lock);
	return rc;
}

static bool stopping(void)
{
	bool stop;

	k_mutex_lock(&pull_lock, K_FOREVER);
	stop = stop_requested;
	k_mutex_unlock(&pull_lock);
	return stop;
}

/* Takes the waiting job into current_job; false if it was cancelled meanwhile. */
static bool take_job(void)
{
	bool taken;

	k_mutex_lock(&pull_lock, K_FOREVER);
	taken = job_waiting;
	if (taken) {
		memcpy(&current_job, &next_job, sizeof(current_job));
		job_waiting = false;
		job_running = true;
		stop_requested = false;
	}
	k_mutex_unlock(&pull_lock);
	return taken;
}

static void finish_job(void)
{
	k_mutex_lock(&pull_lock, K_FOREVER);
	job_running = false;
	stop_requested = false;
	k_mutex_unlock(&pull_lock);
}

/* Split coap://a.b.c.d[:port]/p1/p2 into an address and path segments (in place). */
static int parse_uri(char *uri, struct sockaddr_in *addr, char **segments, int *count)
{
	char *host, *path, *port;

	if (strncmp(uri, "coaps://", 8) == 0 || strncmp(uri, "http", 4) == 0) {
		return -EPROTONOSUPPORT;
	}
	if (strncmp(uri, "coap://", 7) != 0) {
		return -EDESTADDRREQ;
	}
	host = uri + 7;
	path = strchr(host, '/');
	if (path != NULL) {
		*path++ = '\0';
	}
	port = strchr(host, ':');
	if (port != NULL) {
		*port++ = '\0';
	}
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_port = htons(port ? (uint16_t)strtoul(port, NULL, 10) : COAP_DEFAULT_PORT);
	if (zsock_inet_pton(AF_INET, host, &addr->sin_addr) != 1) {
		return -EDESTADDRREQ;
	}
	*count = 0;
	while (path != NULL && *path != '\0') {
		if (*count == MAX_PATH_SEGMENTS) {
			return -EDESTADDRREQ;
		}
		segments[(*count)++] = path;
		path = strchr(path, '/');
		if (path != NULL) {
			*path++ = '\0';
		}
	}
	return 0;
}

static int send_request(int sock, char **segments, int count, uint32_t num, bool ask_size,
			uint16_t *id)
{
	struct coap_packet req;
	int rc;

	*id = coap_next_id();
	rc = coap_packet_init(&req, request_buf, sizeof(request_buf), COAP_VERSION_1, COAP_TYPE_CON,
			      COAP_TOKEN_MAX_LEN, coap_next_token(), COAP_METHOD_GET, *id);
	for (int i = 0; rc == 0 && i < count; i++) {
		rc = coap_packet_append_option(&req, COAP_OPTION_URI_PATH, segments[i],
					       strlen(segments[i]));
	}
	if (rc == 0) {
		/* Block2: NUM | M=0 | SZX */
		rc = coap_append_option_int(
			&req, COAP_OPTION_BLOCK2,
			(num << 4) | (uint32_t)coap_bytes_to_block_size(CONFIG_FERRY_PULL_BLOCK_SIZE));
	}
	if (rc == 0 && ask_size) {
		/* Size2 = 0 asks for the package size (RFC 7959 section 4). */
		rc = coap_append_option_int(&req, COAP_OPTION_SIZE2, 0);
	}
	if (rc < 0) {
		return rc;
	}
	rc = zsock_send(sock, req.data, req.offset, 0);
	return rc < 0 ? -errno : 0;
}

/* Fetch one block; returns payload length or a negative errno. */
static int fetch_block(int sock, char **segments, int count, uint32_t num, bool ask_size,
		       struct coap_packet *resp)
{
	struct zsock_pollfd pfd = {.fd = sock, .events = ZSOCK_POLLIN};

	for (int attempt = 0; attempt <= CONFIG_FERRY_PULL_RETRIES; attempt++) {
		uint16_t id;
		int rc;

		if (stopping()) {
			return -ECANCELED;
		}
		rc = send_request(sock, segments, count, num, ask_size, &id);

		if (rc < 0) {
			return rc;
		}
		int64_t until = k_uptime_get() + CONFIG_FERRY_PULL_TIMEOUT_MS;

		while (k_uptime_get() < until) {
			rc = zsock_poll(&pfd, 1, (int)(until - k_uptime_get()));
			if (rc <= 0) {
				break;
			}
			rc = zsock_recv(sock, response_buf, sizeof(response_buf), 0);
			if (rc < 0) {
				return -errno;
			}
			if (coap_packet_parse(resp, response_buf, (uint16_t)rc, NULL, 0) == 0 &&
			    coap_header_get_id(resp) == id) {
				return 0;
			}
		}
		LOG_WRN("block %u: no answer, retrying (%d)", num, attempt + 1);
	}
	return -ETIMEDOUT;
}

static int pull(struct pull_job *j)
{
	struct sockaddr_in addr;
	char *segments[MAX_PATH_SEGMENTS];
	struct coap_packet resp;
	struct coap_option opt;
	int count, sock = -1, rc;
	uint32_t offset = j->offset;
	uint32_t total = 0;
	unsigned int quarters_reported = 0;
	bool first = true;

	rc = parse_uri(j->uri, &addr, segments, &count);
	if (rc < 0) {
		goto done;
	}
	sock = zsock_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	if (sock < 0 || zsock_connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		rc = -errno;
		goto done;
	}

	for (;;) {
		uint32_t num = offset / CONFIG_FERRY_PULL_BLOCK_SIZE;

		rc = fetch_block(sock, segments, count, num, first, &resp);
		if (rc < 0) {
			goto done;
		}
		uint8_t code = coap_header_get_code(&resp);

		if (code == COAP_RESPONSE_CODE_NOT_FOUND) {
			rc = -EDESTADDRREQ;
			goto done;
		}
		if (code != COAP_RESPONSE_CODE_CONTENT) {
			LOG_ERR("server answered %u.%02u", code >> 5, code & 0x1f);
			rc = -EIO;
			goto done;
		}
		if (first) {
			int size2 = coap_get_option_int(&resp, COAP_OPTION_SIZE2);

			total = size2 > 0 ? (uint32_t)size2 : 0;
			quarters_reported = total > 0 ? (unsigned int)((uint64_t)offset * 4 / total) : 0;
		}
		if (first && coap_find_options(&resp, COAP_OPTION_ETAG, &opt, 1) == 1) {
			rc = j->sink.etag(j->sink.ctx, opt.value, opt.len);
			if (rc == -ECANCELED) {
				LOG_WRN("package changed on the server: restarting from zero");
				offset = 0;
				first = false;
				continue;
			}
			if (rc < 0) {
				goto done;
			}
		}
		first = false;

		int block2 = coap_get_option_int(&resp, COAP_OPTION_BLOCK2);
		bool more = block2 >= 0 && (block2 & 0x08) != 0;
		uint32_t size = block2 >= 0 ? coap_block_size_to_bytes(block2 & 0x07)
					    : CONFIG_FERRY_PULL_BLOCK_SIZE;
		uint32_t got_offset = block2 >= 0 ? ((uint32_t)block2 >> 4) * size : 0;
		uint16_t len;
		const uint8_t *payload = coap_packet_get_payload(&resp, &len);

		if (payload == NULL) {
			len = 0;
		}
		rc = j->sink.deliver(j->sink.ctx, got_offset, payload, len, !more);
		if (rc < 0 || !more) {
			goto done;
		}
		offset = got_offset + len;
		if (total > 0 && (uint64_t)offset * 4 / total > quarters_reported) {
			quarters_reported = (unsigned int)((uint64_t)offset * 4 / total);
			LOG_INF("downloaded %u%% (%u of %u bytes)", quarters_reported * 25U, offset,
				total);
		}
	}
done:
	if (sock >= 0) {
		zsock_close(sock);
	}
	return rc;
}

static void pull_thread(void *a, void *b, void *c)
{
	ARG_UNUSED(a);
	ARG_UNUSED(b);
	ARG_UNUSED(c);
	for (;;) {
		k_sem_take(&job_ready, K_FOREVER);
		if (!take_job()) {
			continue;
		}
		LOG_INF("pulling %s from byte %u", current_job.uri, current_job.offset);
		int rc = pull(&current_job);

		if (rc == 0) {
			LOG_INF("pull complete");
		} else if (rc == -ECANCELED && stopping()) {
			LOG_INF("pull cancelled");
		}
		current_job.sink.ended(current_job.sink.ctx, rc);
		finish_job();
	}
}

K_THREAD_DEFINE(ferry_pull_tid, CONFIG_FERRY_PULL_STACK_SIZE, pull_thread, NULL, NULL, NULL,
		K_LOWEST_APPLICATION_THREAD_PRIO, 0, 0);
