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
	 * The pull stopped with @p err (negative errno) before the last block
	 * was delivered: an unreachable server, a refused request, or an error
	 * etag() or deliver() returned.
	 */
	void (*failed)(void *ctx, int err);
	/* Passed to each function as is. */
	void *ctx;
};

/*
 * Start (or resume) pulling @p uri from byte @p offset into @p sink, in the
 * pull thread. @p sink must stay valid until its failed() ran or its last
 * block was delivered. Returns 0, -EINVAL without a URI or with a sink that
 * lacks a function, or -EBUSY while a job waits to be taken.
 */
int ferry_pull_start(const struct ferry_pull_sink *sink, const char *uri, uint32_t offset);

#endif
