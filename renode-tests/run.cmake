# Copyright (c) 2025 Ferry contributors
# SPDX-License-Identifier: Apache-2.0
#
# ctest entry of the simulated-board tests (renode-tests/board_tests.py):
#   cmake -DSRC=<this dir> -DWORK=<build dir> -P run.cmake
# Without a configured Zephyr tree this prints one "SKIP:" line and ctest
# reports the test as skipped.
if(NOT DEFINED ENV{ZEPHYR_BASE} OR NOT DEFINED ENV{ZEPHYR_MODULES})
  message("SKIP: simulated-board tests need ZEPHYR_BASE and ZEPHYR_MODULES (see renode-tests/README.md)")
  return()
endif()
# Zephyr's build runs under this interpreter: it needs Zephyr's Python packages.
if(DEFINED ENV{FERRY_PYTHON})
  set(python $ENV{FERRY_PYTHON})
elseif(EXISTS /usr/bin/python3)
  set(python /usr/bin/python3)
else()
  find_program(python python3 REQUIRED)
endif()
execute_process(COMMAND ${python} ${SRC}/board_tests.py --work ${WORK} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "simulated-board tests failed (logs in ${WORK})")
endif()
