/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Resumable CoAP Block2 pull client. It knows nothing of object 5 or the
 * slot: what it fetches goes to a sink handed over with each job, so the
 * glue depends on the client and never the other way round.
 */

#ifndef FERRY_PULL_H_
#define FERRY_PULL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Where a pull delivers. Every function runs on the pull thread, without
 * any lock of the client's: the sink serialises with its other users.
 */
struct ferry_pull_sink {
	/*
	 * The package's ETag, from the first answer of a job. Return 0 to go
	 * on, -ECANCELED when it names another package than the one being
	 * resumed (the client restarts from byte 0), another negative errno to
	 * stop the pull.
	 */
	int (*etag)(void *ctx, const uint8_t *etag, size_t len);
	/*
	 * @p len bytes of the package at @p offset; @p last on its final block.
	 * Return 0 to go on, a negative errno to stop the pull.
	 */
	int (*deliver)(void *ctx, uint32_t offset, const uint8_t *data, size_t len, bool last);
	/*
	 * The job ended, the last call it makes: @p err is 0 after the last
	 * block was delivered, -ECANCELED when ferry_pull_cancel() stopped it,
	 * another negative errno when it failed (an unreachable server, a
	 * refused request, or an error etag() or deliver() returned).
	 */
	void (*ended)(void *ctx, int err);
	/* Passed to each function as is; tells one job from another. */
	void *ctx;
};

/*
 * Start (or resume) pulling @p uri from byte @p offset into @p sink, in the
 * pull thread. @p sink and @p uri are copied. One job runs at a time: while
 * a job waits to be taken, or runs and was not cancelled, another is
 * refused; after ferry_pull_cancel() a new job waits until the cancelled
 * one ended.
 *
 * Returns 0, -EINVAL without a URI, with one longer than
 * CONFIG_FERRY_PACKAGE_URI_MAX_LEN or with a sink that lacks a function,
 * or -EBUSY.
 */
int ferry_pull_start(const struct ferry_pull_sink *sink, const char *uri, uint32_t offset);

/*
 * Cancel the jobs started so far: one not taken yet is dropped and calls no
 * sink function; a running one stops before its next request (between
 * requests, not inside one: a block being delivered completes) and then
 * calls its sink's ended() with -ECANCELED, or with the outcome it had
 * reached. Returns 0, or -EALREADY when there was nothing to cancel.
 */
int ferry_pull_cancel(void);

#endif
