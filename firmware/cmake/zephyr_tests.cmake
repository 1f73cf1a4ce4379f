# Zephyr-side test of the Ferry module: builds the sample application for
# native_sim/native/64 against a configured Zephyr tree and boots it on a
# fresh simulated flash; Ferry must initialise (settings, slots, object 5)
# and report object 5's state. No package registry provides Zephyr, so
# without ZEPHYR_BASE and ZEPHYR_MODULES this prints one skip line and ctest
# reports the test as skipped.
if(NOT DEFINED ENV{ZEPHYR_BASE} OR NOT DEFINED ENV{ZEPHYR_MODULES})
  message("SKIP: Zephyr tests need ZEPHYR_BASE and ZEPHYR_MODULES (see README, Build the firmware)")
  return()
endif()
set(build ${WORK}/native_sim)
execute_process(
  COMMAND ${CMAKE_COMMAND} -G Ninja -S ${SRC}/app -B ${build} -DBOARD=native_sim/native/64
          -DPython3_EXECUTABLE=/usr/bin/python3
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the sample for native_sim failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${build} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the sample for native_sim failed")
endif()
file(REMOVE_RECURSE ${build}/run)
file(MAKE_DIRECTORY ${build}/run)
execute_process(COMMAND ${build}/zephyr/zephyr.exe -stop_at=2
                WORKING_DIRECTORY ${build}/run
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 60)
message("${out}${err}")
if(NOT out MATCHES "ferry: object 5: state 0, result 0" OR out MATCHES "setup failed")
  message(FATAL_ERROR "Ferry did not initialise on native_sim")
endif()
