/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#ifndef FERRY_INTERNAL_H_
#define FERRY_INTERNAL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Start (or resume) pulling @p uri from byte @p offset in the pull thread. */
int ferry_pull_start(const char *uri, uint32_t offset);

/* Called by the pull thread, under Ferry's lock. */
int ferry_pull_deliver(uint32_t offset, const uint8_t *data, size_t len, bool last);
int ferry_pull_etag(const uint8_t *etag, size_t len);
void ferry_pull_failed(int err);

#endif
