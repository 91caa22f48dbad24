# Debian packages from the install components (cmake/BtoptInstall.cmake):
#   cd build && cpack -G DEB   ->  libbtopt1_*.deb, libbtopt-dev_*.deb, btopt_*.deb
# dpkg-shlibdeps works out each package's library dependencies (libfmt9,
# libsqlite3-0, ...) from what the files link, so they stay true as the code
# changes. Only in a top-level build: a project that adds btopt as a
# subproject packages itself.
if(NOT BTOPT_MASTER_PROJECT)
  return()
endif()

set(CPACK_PACKAGE_NAME btopt)
set(CPACK_PACKAGE_VENDOR "the btopt authors")
set(CPACK_PACKAGE_CONTACT "btopt maintainers <btopt@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Parallel parameter optimisation for trading strategies")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON) # as Debian ships: debug information is not for the runtime packages
set(CPACK_COMPONENTS_ALL libbtopt1 libbtopt-dev btopt)
if(BTOPT_WITH_MPI)
  list(APPEND CPACK_COMPONENTS_ALL libbtopt-mpi) # its own package: libbtopt1 must not pull in OpenMPI
endif()

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The command links libbtopt.so.1 of the libbtopt1 package (a component
# dependency below); dpkg-shlibdeps is shown where the build put it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${BTOPT_LIB_DIR})
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_LIBBTOPT1_PACKAGE_NAME libbtopt${BTOPT_ABI_VERSION})
set(CPACK_DEBIAN_LIBBTOPT-DEV_PACKAGE_NAME libbtopt-dev)
set(CPACK_DEBIAN_LIBBTOPT-DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_BTOPT_PACKAGE_NAME btopt)
set(CPACK_DEBIAN_LIBBTOPT-MPI_PACKAGE_NAME libbtopt-mpi)
set(CPACK_DEBIAN_BTOPT_PACKAGE_SECTION utils)

include(CPack)
cpack_add_component(libbtopt1 DISPLAY_NAME "btopt library"
  DESCRIPTION "libbtopt, its worker and the sample strategy plugins")
cpack_add_component(libbtopt-mpi DISPLAY_NAME "btopt MPI backend"
  DESCRIPTION "libbtopt-mpi.so, which libbtopt loads for backend=mpi" DEPENDS libbtopt1)
cpack_add_component(libbtopt-dev DISPLAY_NAME "btopt development files"
  DESCRIPTION "C and C++ headers, the CMake package and btopt.pc" DEPENDS libbtopt1)
cpack_add_component(btopt DISPLAY_NAME "btopt command" DESCRIPTION "The btopt command line" DEPENDS libbtopt1)
