# Zephyr-side tests of the Ferry module. They need a Zephyr tree, which no
# package registry provides: without ZEPHYR_BASE and ZEPHYR_MODULES this
# prints one skip line and ctest reports the test as skipped.
if(NOT DEFINED ENV{ZEPHYR_BASE} OR NOT DEFINED ENV{ZEPHYR_MODULES})
  message("SKIP: Zephyr tests need ZEPHYR_BASE and ZEPHYR_MODULES (see README, Build the firmware)")
  return()
endif()
set(app ${SRC}/tests/zephyr)
execute_process(
  COMMAND ${CMAKE_COMMAND} -G Ninja -S ${app} -B ${WORK}/ztest -DBOARD=native_sim/native/64
          -DPython3_EXECUTABLE=/usr/bin/python3
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the Zephyr test application failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK}/ztest RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the Zephyr test application failed")
endif()
execute_process(COMMAND ${WORK}/ztest/zephyr/zephyr.exe -stop_at=60
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 120)
message("${out}${err}")
if(NOT rc EQUAL 0 OR NOT out MATCHES "PROJECT EXECUTION SUCCESSFUL")
  message(FATAL_ERROR "Zephyr tests failed")
endif()
