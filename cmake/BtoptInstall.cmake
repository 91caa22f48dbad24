# Install rules: headers, the library, a CMake package and a pkg-config file,
# in three components that are also the Debian packages (cmake/BtoptPackage.cmake):
#   libbtopt1    the library, btopt-worker, the sample plugins
#   libbtopt-mpi libbtopt-mpi.so (the MPI backend; its own package, so the library needs no OpenMPI)
#   libbtopt-dev headers, the libbtopt.so link, the CMake package, btopt.pc
#   btopt        the command
include(CMakePackageConfigHelpers)

install(TARGETS btopt EXPORT btoptTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT libbtopt1 NAMELINK_COMPONENT libbtopt-dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/btopt DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT libbtopt-dev)
install(EXPORT btoptTargets NAMESPACE btopt:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/btopt COMPONENT libbtopt-dev)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/btoptConfig.cmake.in
  ${PROJECT_BINARY_DIR}/btoptConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/btopt)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/btoptConfigVersion.cmake COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/btoptConfig.cmake ${PROJECT_BINARY_DIR}/btoptConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/btopt COMPONENT libbtopt-dev)

# The .pc file finds its prefix from where it lies, so an installed tree can move.
file(RELATIVE_PATH BTOPT_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
configure_file(${PROJECT_SOURCE_DIR}/cmake/btopt.pc.in ${PROJECT_BINARY_DIR}/btopt.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/btopt.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT libbtopt-dev)
# And one for the build in place (PKG_CONFIG_PATH=<build folder>): the Go binding's tests use it.
configure_file(${PROJECT_SOURCE_DIR}/cmake/btopt-uninstalled.pc.in ${PROJECT_BINARY_DIR}/btopt-uninstalled.pc @ONLY)

# libbtopt starts btopt-worker from its own folder.
install(TARGETS btopt-worker RUNTIME DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT libbtopt1)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/btopt COMPONENT libbtopt1)

include(${PROJECT_SOURCE_DIR}/cmake/BtoptPackage.cmake)
