// Studies at the C ABI: stored runs as results, and a study's runs.
#include "handles.hpp"

#include "../study/reader.hpp"

#include <algorithm>

using namespace btopt::internal;
using btopt::internal::capi::guarded;
using btopt::internal::capi::set_error;

extern "C" {

uint64_t btopt_result_reused_count(const btopt_result *result) { return result ? result->run.reused : 0; }

const char *btopt_result_provenance(const btopt_result *result)
{
    return result ? result->run.provenance.c_str() : "";
}

btopt_status btopt_study_open(btopt_result **out, const char *path, int64_t run)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    BTOPT_REQUIRE(path);
    return guarded([&] {
        if (run < 0)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             fmt::format("run {}: use a run id from btopt_study_runs, or 0 for the last run", run));
        auto loaded = load_study_run(path, run);
        if (!loaded)
            return set_error(loaded.error());
        *out = new btopt_result(std::move(*loaded));
        return BTOPT_OK;
    });
}

btopt_status btopt_study_runs(const char *path, int64_t *ids, size_t capacity, size_t *count)
{
    BTOPT_REQUIRE(path);
    BTOPT_REQUIRE(count);
    *count = 0;
    if (capacity > 0)
        BTOPT_REQUIRE(ids);
    return guarded([&] {
        auto runs = study_runs(path);
        if (!runs)
            return set_error(runs.error());
        std::copy_n(runs->begin(), std::min(capacity, runs->size()), ids);
        *count = runs->size();
        return BTOPT_OK;
    });
}

btopt_status btopt_study_export(const char *path, int64_t run, const char *json_path, const char *csv_path)
{
    BTOPT_REQUIRE(path);
    return guarded([&] {
        if (run < 0)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                             fmt::format("run {}: use a run id from btopt_study_runs, or 0 for the last run", run));
        if (!json_path && !csv_path)
            return set_error(BTOPT_ERR_INVALID_ARGUMENT, "btopt_study_export: give a JSON path, a CSV path or both");
        return capi::status_of(export_study_run(path, run, json_path ? json_path : "", csv_path ? csv_path : ""));
    });
}

} // extern "C"
