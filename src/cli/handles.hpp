// Owning handles for the C ABI's objects: each released by its own destroy.
#pragma once

#include <btopt/btopt.h>

#include <memory>

namespace btopt::cli {

template <auto Destroy>
struct Destroyer {
    template <class T>
    void operator()(T *handle) const noexcept
    {
        Destroy(handle);
    }
};

using SpaceHandle = std::unique_ptr<btopt_space, Destroyer<&btopt_space_destroy>>;
using OptimizerHandle = std::unique_ptr<btopt_optimizer, Destroyer<&btopt_optimizer_destroy>>;
using ResultHandle = std::unique_ptr<btopt_result, Destroyer<&btopt_result_destroy>>;
using PluginInfoHandle = std::unique_ptr<btopt_plugin_info, Destroyer<&btopt_plugin_info_destroy>>;
using SeriesHandle = std::unique_ptr<btopt_series, Destroyer<&btopt_series_destroy>>;

} // namespace btopt::cli
