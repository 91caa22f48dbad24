// Where btopt's own files are (btopt-worker, libbtopt-mpi.so, btopt/plugins/):
// the folder of the image this code runs in (libbtopt, btopt-worker or
// libbtopt-mpi.so; the unit tests add the build folder). One
// home, so finding plugins (src/plugin), workers (src/exec) and the MPI
// module (src/run) never makes one folder depend on another for it.
#pragma once

#include <string>
#include <vector>

namespace btopt::internal {

std::vector<std::string> library_dirs();

} // namespace btopt::internal
