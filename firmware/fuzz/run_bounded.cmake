# Bounded libFuzzer run for ctest: copies the seed corpus into the build tree
# (the fuzzer adds inputs to it) and runs a fixed number of executions.
file(MAKE_DIRECTORY ${WORK})
file(GLOB seeds ${SEEDS}/*.bin)
file(COPY ${seeds} DESTINATION ${WORK})
execute_process(COMMAND ${FUZZER} -runs=${RUNS} -max_len=8192 -timeout=10 ${WORK}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzzer found a failure (exit ${rc}); the crashing input is in the working directory")
endif()
