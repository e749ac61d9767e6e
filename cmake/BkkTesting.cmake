# bkk_add_test(NAME <name> LABEL <unit|integration|e2e> SOURCES ... LIBS ...)
# Builds a GoogleTest binary and registers it with CTest under one label, so
# `ctest -L unit` runs only what needs no servers. Integration and e2e tests
# read BKK_PG_URL / BKK_REDIS_URL from the environment the harness sets.
function(bkk_add_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${T_NAME} PRIVATE BKK_DATA_DIR="${BKK_DATA_DIR}"
                             BKK_BINARY_DIR="${CMAKE_BINARY_DIR}")
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT})
endfunction()
