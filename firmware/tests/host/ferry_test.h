/*
 * Copyright (c) 2025 Ferry contributors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Minimal test harness for the host build: each test is a function, a failed
 * check prints file:line and the expression and fails the test; main()
 * prints "N passed, N failed" and returns non-zero on any failure.
 */

#ifndef FERRY_TEST_H_
#define FERRY_TEST_H_

#include <stdio.h>
#include <string.h>

extern int ferry_test_failed_checks;

#define CHECK(expr)                                                                             \
	do {                                                                                    \
		if (!(expr)) {                                                                  \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #expr); \
			ferry_test_failed_checks++;                                             \
			return;                                                                 \
		}                                                                               \
	} while (0)

#define CHECK_EQ(a, b)                                                                          \
	do {                                                                                    \
		long long va_ = (long long)(a), vb_ = (long long)(b);                           \
		if (va_ != vb_) {                                                               \
			fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__,      \
				__LINE__, #a, #b, va_, vb_);                                    \
			ferry_test_failed_checks++;                                             \
			return;                                                                 \
		}                                                                               \
	} while (0)

struct ferry_test {
	const char *name;
	void (*fn)(void);
};

#define FERRY_TEST_MAIN(...)                                                                    \
	int ferry_test_failed_checks;                                                           \
	int main(void)                                                                          \
	{                                                                                       \
		static const struct ferry_test tests[] = {__VA_ARGS__};                         \
		int passed = 0, failed = 0;                                                     \
		for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {                \
			int before = ferry_test_failed_checks;                                  \
			tests[i].fn();                                                          \
			if (ferry_test_failed_checks == before) {                               \
				passed++;                                                       \
				printf("PASS %s\n", tests[i].name);                             \
			} else {                                                                \
				failed++;                                                       \
				printf("FAIL %s\n", tests[i].name);                             \
			}                                                                       \
		}                                                                               \
		printf("%d passed, %d failed\n", passed, failed);                               \
		return failed == 0 ? 0 : 1;                                                     \
	}

#define T(fn) {#fn, fn}

#endif /* FERRY_TEST_H_ */
