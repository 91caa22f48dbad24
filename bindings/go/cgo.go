package btopt

// Where the C side comes from: pkg-config's btopt, as for any C library. An
// installed btopt brings btopt.pc (lib/pkgconfig; point PKG_CONFIG_PATH at it
// for a prefix the system does not search). This repository's own build
// writes btopt-uninstalled.pc into its build folder, with the headers of this
// checkout and an rpath to the built library, and pkg-config prefers it when
// that folder is on PKG_CONFIG_PATH:
//
//	export PKG_CONFIG_PATH=/path/to/btopt/build
//	go test ./...

/*
#cgo pkg-config: btopt
#include <stdint.h>
#include <stdlib.h>
#include <btopt/btopt.h>

// shim.c: trampolines from the C callbacks to the exported Go functions.
btopt_status btopt_go_set_objective(btopt_optimizer *opt, uintptr_t handle);
btopt_status btopt_go_set_progress(btopt_optimizer *opt, uintptr_t handle);
btopt_status btopt_go_set_progress_report(btopt_optimizer *opt, uintptr_t handle);
btopt_status btopt_go_register_objective(const char *name, uintptr_t handle);
*/
import "C"
