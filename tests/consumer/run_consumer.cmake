# Installs the build into a fresh prefix and consumes it the two ways a user
# would: a separate CMake project with find_package(btopt CONFIG), and a C file
# compiled with `pkg-config --cflags --libs btopt`. Each consumer runs and must
# load libbtopt from the prefix, and the installed command and library must
# find the sample plugins in the prefix only.
#
#   cmake -DBUILD_DIR=... -DPROJECT_DIR=... -DWORK_DIR=... -DGENERATOR=...
#         [-DMAKE_PROGRAM=...] [-DC_COMPILER=...] [-DCXX_COMPILER=...] [-DCONFIG=...]
#         [-DPKG_CONFIG=...] [-DVERSION=...] [-DSANITIZE=address,undefined]
#         [-DPACKAGE=deb] -P run_consumer.cmake
#
# PACKAGE=deb: the prefix is made by `cpack -G DEB` instead, its three packages
# (libbtopt1, libbtopt-dev, btopt) unpacked with `dpkg -x` into a fresh root,
# as apt would place them (without running apt on this machine).
#
# SANITIZE: what the library was built with; the consumers are built with the
# same, since a sanitized libbtopt needs its runtime linked into the program.
cmake_minimum_required(VERSION 3.25)

foreach(var BUILD_DIR PROJECT_DIR WORK_DIR GENERATOR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer: -D${var}=... is required")
  endif()
endforeach()
if(NOT C_COMPILER)
  set(C_COMPILER cc)
endif()
if(NOT PKG_CONFIG)
  set(PKG_CONFIG pkg-config)
endif()
set(sanitize_flags "")
if(SANITIZE)
  set(sanitize_flags "-fsanitize=${SANITIZE}")
endif()

# Runs a command; on failure prints what it said and stops.
function(run_step what)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmdline)
    message(FATAL_ERROR "run_consumer: ${what} failed (${rc})\n  command: ${cmdline}\n"
      "--- stdout ---\n${out}\n--- stderr ---\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# The one file under `root` called `name`; fails unless there is exactly one.
function(find_one out_var root name)
  file(GLOB_RECURSE hits LIST_DIRECTORIES false "${root}/${name}")
  list(LENGTH hits n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "run_consumer: expected one ${name} under ${root}, found ${n}: ${hits}")
  endif()
  set(${out_var} "${hits}" PARENT_SCOPE)
endfunction()

# The consumer printed "libbtopt loaded from: <path>" with <path> under the prefix.
function(check_loaded_from_prefix output prefix)
  if(NOT output MATCHES "libbtopt loaded from: ([^\n]+)")
    message(FATAL_ERROR "run_consumer: the consumer did not say where libbtopt came from:\n${output}")
  endif()
  file(REAL_PATH "${CMAKE_MATCH_1}" loaded)
  string(FIND "${loaded}" "${prefix}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "run_consumer: libbtopt was loaded from ${loaded}, not from the prefix ${prefix}")
  endif()
  if(NOT output MATCHES "btopt consumer: ok")
    message(FATAL_ERROR "run_consumer: the consumer did not report success:\n${output}")
  endif()
endfunction()

# ---- A fresh prefix ---------------------------------------------------------------
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/prefix")
file(REAL_PATH "${WORK_DIR}/prefix" prefix)

set(config_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()

# The Debian packages: each exists, says what it depends on, and unpacks.
function(unpack_debian_packages root)
  file(MAKE_DIRECTORY "${WORK_DIR}/debs")
  set(cpack_config "")
  if(CONFIG)
    set(cpack_config -C "${CONFIG}")
  endif()
  run_step("cpack -G DEB" cpack -G DEB --config "${BUILD_DIR}/CPackConfig.cmake" -B "${WORK_DIR}/debs" ${cpack_config})
  foreach(package libbtopt1 libbtopt-dev btopt)
    file(GLOB deb "${WORK_DIR}/debs/${package}_*.deb") # cpack's own work folder holds copies further down
    list(LENGTH deb n)
    if(NOT n EQUAL 1)
      message(FATAL_ERROR "run_consumer: expected one ${package}_*.deb in ${WORK_DIR}/debs, found ${n}: ${deb}")
    endif()
    run_step("dpkg-deb -f ${package}" dpkg-deb -f "${deb}" Package Depends)
    message(STATUS "${package}: ${step_output}")
    set(depends "${step_output}")
    if(package STREQUAL "libbtopt1" AND (NOT depends MATCHES "libfmt[0-9]+" OR depends MATCHES "openmpi"))
      message(FATAL_ERROR "run_consumer: libbtopt1 must depend on {fmt}'s package (dpkg-shlibdeps) and not on "
        "OpenMPI (libbtopt-mpi's):\n${depends}")
    elseif(NOT package STREQUAL "libbtopt1" AND NOT depends MATCHES "libbtopt1")
      message(FATAL_ERROR "run_consumer: ${package} does not depend on libbtopt1:\n${depends}")
    endif()
    run_step("dpkg -x ${package}" dpkg -x "${deb}" "${root}")
  endforeach()
endfunction()

if(PACKAGE STREQUAL "deb")
  unpack_debian_packages("${WORK_DIR}/prefix")
  set(prefix "${prefix}/usr")
else()
  run_step("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}" ${config_args})
endif()

# What the install must contain.
foreach(header btopt.h btopt.hpp)
  if(NOT EXISTS "${prefix}/include/btopt/${header}")
    message(FATAL_ERROR "run_consumer: ${prefix}/include/btopt/${header} was not installed")
  endif()
endforeach()
find_one(soname_file "${prefix}" libbtopt.so.1)
get_filename_component(libdir "${soname_file}" DIRECTORY)
if(NOT EXISTS "${libdir}/libbtopt.so")
  message(FATAL_ERROR "run_consumer: no development link ${libdir}/libbtopt.so")
endif()
find_one(config_file "${prefix}" btoptConfig.cmake)
find_one(pc_file "${prefix}" btopt.pc)
get_filename_component(pc_dir "${pc_file}" DIRECTORY)
message(STATUS "installed: library in ${libdir}, package ${config_file}, pkg-config ${pc_file}")

# ---- find_package(btopt CONFIG) ---------------------------------------------------------
set(cmake_build "${WORK_DIR}/cmake-build")
set(configure_args
  -S "${PROJECT_DIR}" -B "${cmake_build}" -G "${GENERATOR}"
  -DCMAKE_BUILD_TYPE=Release
  "-DCMAKE_PREFIX_PATH=${prefix}"
  "-DBTOPT_EXPECTED_PREFIX=${prefix}"
  # Only the prefix under test: no package registries, no stray installs.
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF
  -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(C_COMPILER)
  list(APPEND configure_args "-DCMAKE_C_COMPILER=${C_COMPILER}")
endif()
if(CXX_COMPILER)
  list(APPEND configure_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(sanitize_flags)
  list(APPEND configure_args "-DCMAKE_C_FLAGS=${sanitize_flags}" "-DCMAKE_CXX_FLAGS=${sanitize_flags}"
    "-DCMAKE_EXE_LINKER_FLAGS=${sanitize_flags}")
endif()
run_step("configuring the consumer project" "${CMAKE_COMMAND}" ${configure_args})
run_step("building the consumer project" "${CMAKE_COMMAND}" --build "${cmake_build}")
# Run it without LD_LIBRARY_PATH: the imported target's location is its rpath.
run_step("running the find_package consumer" "${cmake_build}/btopt_consumer")
message(STATUS "find_package consumer:\n${step_output}")
check_loaded_from_prefix("${step_output}" "${prefix}")

# ---- plugins are found next to the installed library, never in the build tree ----------
if(NOT step_output MATCHES "plugin sma_crossover found at: ([^\n]+)")
  message(FATAL_ERROR "run_consumer: the installed sample plugin sma_crossover was not found by name:\n${step_output}")
endif()
file(REAL_PATH "${CMAKE_MATCH_1}" plugin_path)
if(NOT plugin_path STREQUAL "${libdir}/btopt/plugins/sma_crossover.so")
  message(FATAL_ERROR "run_consumer: sma_crossover was found at ${plugin_path}, not in ${libdir}/btopt/plugins")
endif()
# The installed command finds them there too (it runs with its rpath, no LD_LIBRARY_PATH).
run_step("btopt describe sma_crossover" "${prefix}/bin/btopt" describe sma_crossover)
if(NOT step_output MATCHES "${libdir}/btopt/plugins/sma_crossover.so")
  message(FATAL_ERROR "run_consumer: the installed btopt command did not find sma_crossover in "
    "${libdir}/btopt/plugins:\n${step_output}")
endif()
file(RENAME "${libdir}/btopt/plugins" "${WORK_DIR}/plugins-aside")
run_step("running the consumer without installed plugins" "${cmake_build}/btopt_consumer")
file(RENAME "${WORK_DIR}/plugins-aside" "${libdir}/btopt/plugins")
if(NOT step_output MATCHES "plugin sma_crossover: not found")
  message(FATAL_ERROR "run_consumer: with the installed plugins removed, an installed libbtopt still found "
    "sma_crossover (the build tree must not be searched once installed):\n${step_output}")
endif()

# ---- pkg-config ------------------------------------------------------------------------------
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
run_step("pkg-config --modversion btopt" "${PKG_CONFIG}" --modversion btopt)
string(STRIP "${step_output}" pc_version)
if(VERSION AND NOT pc_version STREQUAL VERSION)
  message(FATAL_ERROR "run_consumer: pkg-config says btopt ${pc_version}, the project is ${VERSION}")
endif()
run_step("pkg-config --cflags --libs btopt" "${PKG_CONFIG}" --cflags --libs btopt)
string(STRIP "${step_output}" pc_flags)
message(STATUS "pkg-config --cflags --libs btopt: ${pc_flags}")
separate_arguments(pc_flag_list UNIX_COMMAND "${pc_flags}")
set(pc_exe "${WORK_DIR}/pkg-config-consumer")
run_step("compiling with pkg-config's flags"
  "${C_COMPILER}" -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Werror ${sanitize_flags}
  "${PROJECT_DIR}/main.c" ${pc_flag_list} -o "${pc_exe}")
# pkg-config gives -L, no rpath: point the loader at the prefix's libdir.
run_step("running the pkg-config consumer"
  "${CMAKE_COMMAND}" -E env "LD_LIBRARY_PATH=${libdir}" "${pc_exe}")
message(STATUS "pkg-config consumer:\n${step_output}")
check_loaded_from_prefix("${step_output}" "${prefix}")

# ---- Go: the binding's README example, from a module outside the repository ----------
if(GO AND SOURCE_DIR)
  set(go_dir "${WORK_DIR}/go-consumer")
  file(MAKE_DIRECTORY "${go_dir}")
  file(WRITE "${go_dir}/go.mod" "module example.com/consumer\n\ngo 1.19\n\n"
    "require github.com/btopt/btopt/bindings/go v0.0.0\n\n"
    "replace github.com/btopt/btopt/bindings/go => ${SOURCE_DIR}/bindings/go\n")
  file(READ "${SOURCE_DIR}/bindings/go/README.md" go_readme)
  string(FIND "${go_readme}" "## Example" at)
  string(SUBSTRING "${go_readme}" ${at} -1 go_readme)
  string(FIND "${go_readme}" "```go\npackage main" at)
  if(at LESS 0)
    message(FATAL_ERROR "run_consumer: no Go program under '## Example' in bindings/go/README.md")
  endif()
  math(EXPR at "${at} + 6")
  string(SUBSTRING "${go_readme}" ${at} -1 go_program)
  string(FIND "${go_program}" "```" end)
  string(SUBSTRING "${go_program}" 0 ${end} go_program)
  file(WRITE "${go_dir}/main.go" "${go_program}")
  # Its own build cache: Go does not key a cached cgo package on what
  # pkg-config said, so sharing the user's cache would hand this prefix's
  # link flags to the repository's own Go builds (and theirs to this one).
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${pc_dir}" "LD_LIBRARY_PATH=${libdir}"
      GOFLAGS=-mod=mod GOPROXY=off "GOCACHE=${WORK_DIR}/go-cache" "${GO}" run .
    WORKING_DIRECTORY "${go_dir}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "best -?[0-9]")
    message(FATAL_ERROR "run_consumer: the Go README example failed against ${prefix} (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "Go README example against ${prefix}: ${out}")
endif()

# ---- Rust: the binding's README example, from a crate outside the repository ------------
# The crate finds the installed library through pkg-config (its build.rs) and
# runs with LD_LIBRARY_PATH, as its README says.
if(CARGO AND SOURCE_DIR)
  set(rust_dir "${WORK_DIR}/rust-consumer")
  file(MAKE_DIRECTORY "${rust_dir}/src")
  file(WRITE "${rust_dir}/Cargo.toml" "[package]\nname = \"consumer\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n"
    "[dependencies]\nbtopt = { path = \"${SOURCE_DIR}/bindings/rust\" }\n")
  file(READ "${SOURCE_DIR}/bindings/rust/README.md" rust_readme)
  string(FIND "${rust_readme}" "## Example" at)
  string(SUBSTRING "${rust_readme}" ${at} -1 rust_readme)
  string(FIND "${rust_readme}" "```rust\n" at)
  if(at LESS 0)
    message(FATAL_ERROR "run_consumer: no Rust program under '## Example' in bindings/rust/README.md")
  endif()
  math(EXPR at "${at} + 8")
  string(SUBSTRING "${rust_readme}" ${at} -1 rust_program)
  string(FIND "${rust_program}" "```" end)
  string(SUBSTRING "${rust_program}" 0 ${end} rust_program)
  file(WRITE "${rust_dir}/src/main.rs" "${rust_program}")
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env --unset=BTOPT_LIB_DIR "PKG_CONFIG_PATH=${pc_dir}"
      "LD_LIBRARY_PATH=${libdir}" "CARGO_TARGET_DIR=${WORK_DIR}/rust-target" "${CARGO}" run --offline -q
    WORKING_DIRECTORY "${rust_dir}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "best Some")
    message(FATAL_ERROR "run_consumer: the Rust README example failed against ${prefix} (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "Rust README example against ${prefix}: ${out}")
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
message(STATUS "run_consumer: both consumers built against ${prefix} and ran")
