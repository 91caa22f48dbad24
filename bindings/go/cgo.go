package btopt

// Where the C side comes from: the headers of this repository and the
// library of its CMake build (build/src), with an rpath so that programs run
// without LD_LIBRARY_PATH. To use another build, put its folder first:
//
//	export BTOPT_LIB_DIR=/path/to/build/src
//	export CGO_LDFLAGS="-L$BTOPT_LIB_DIR -Wl,-rpath,$BTOPT_LIB_DIR"
//
// (CGO_LDFLAGS comes before these flags, so its -L and rpath win.)

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -L${SRCDIR}/../../build/src -Wl,-rpath,${SRCDIR}/../../build/src -lbtopt
#include <stdint.h>
#include <stdlib.h>
#include <btopt/btopt.h>

// shim.c: trampolines from the C callbacks to the exported Go functions.
btopt_status btopt_go_set_objective(btopt_optimizer *opt, uintptr_t handle);
btopt_status btopt_go_set_progress(btopt_optimizer *opt, uintptr_t handle);
btopt_status btopt_go_register_objective(const char *name, uintptr_t handle);
*/
import "C"
