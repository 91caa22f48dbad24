# btopt added to another project with add_subdirectory builds only itself:
# the outer project gets the btopt library but none of btopt's tests or
# benchmarks and no -Werror (BTOPT_MASTER_PROJECT in the top CMakeLists.txt).
# Usage: cmake -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=... -DMAKE_PROGRAM=...
#              -DC_COMPILER=... -DCXX_COMPILER=... -P check_subproject.cmake
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/outer)
file(WRITE ${WORK_DIR}/outer/CMakeLists.txt "cmake_minimum_required(VERSION 3.25)
project(outer LANGUAGES C CXX)
add_subdirectory(\"${SOURCE_DIR}\" btopt)
")
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${WORK_DIR}/outer -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM} -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check_subproject: configuring btopt as a subproject failed:\n${out}")
endif()
file(READ ${WORK_DIR}/build/build.ninja ninja)
foreach(target btopt btopt-worker)
  if(NOT ninja MATCHES "build [^\n]*${target}")
    message(FATAL_ERROR "check_subproject: the subproject build lacks ${target}")
  endif()
endforeach()
foreach(unwanted unit_tests capi_abi_misuse btopt-bench -Werror)
  string(FIND "${ninja}" "${unwanted}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "check_subproject: a subproject build has '${unwanted}'")
  endif()
endforeach()
message(STATUS "check_subproject: btopt as a subproject builds only itself")
