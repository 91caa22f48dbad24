// C trampolines for the callbacks: the library calls these with the
// cgo.Handle as its `void *user`, and they call the exported Go functions
// (callbacks.go). Kept apart because a Go file with //export may only
// declare C, not define it.
#include <stdint.h>
#include <btopt/btopt.h>
#include "_cgo_export.h"

static btopt_status objective_shim(void *user, const btopt_params *params, double *score)
{
    return btoptGoObjective((uintptr_t)user, (btopt_params *)params, score);
}

static void progress_shim(void *user, uint64_t done, uint64_t total, double best_score)
{
    btoptGoProgress((uintptr_t)user, done, total, best_score);
}

static void progress_report_shim(void *user, const btopt_progress *p)
{
    btoptGoProgressReport((uintptr_t)user, (btopt_progress *)p);
}

btopt_status btopt_go_set_progress_report(btopt_optimizer *opt, uintptr_t handle)
{
    return btopt_optimizer_set_progress_ex(opt, handle ? progress_report_shim : NULL, (void *)handle);
}

btopt_status btopt_go_set_objective(btopt_optimizer *opt, uintptr_t handle)
{
    return btopt_optimizer_set_objective(opt, objective_shim, (void *)handle);
}

btopt_status btopt_go_set_progress(btopt_optimizer *opt, uintptr_t handle)
{
    return btopt_optimizer_set_progress(opt, handle ? progress_shim : NULL, (void *)handle);
}

btopt_status btopt_go_register_objective(const char *name, uintptr_t handle)
{
    return btopt_register_objective(name, objective_shim, (void *)handle);
}
