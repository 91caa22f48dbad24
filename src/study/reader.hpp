// Reading a study: its runs, and one run as a RunResult, so every accessor,
// binding and writer of a live result works on a stored one. Reads see one
// consistent snapshot, also while a run is writing the study.
#pragma once

#include "../core/result.hpp"

#include <vector>

namespace btopt::internal {

// The ids of the study's runs, oldest first.
Result<std::vector<std::int64_t>> study_runs(const std::string &path);
// One run (0: the last one) with every trial it recorded.
Result<RunResult> load_study_run(const std::string &path, std::int64_t run);
// Writes a stored run (0: the last) as JSON and/or CSV (an empty path: not
// that one), streaming its trials from the study: memory stays flat however
// many trials it holds.
Result<void> export_study_run(const std::string &path, std::int64_t run, const std::string &json, const std::string &csv);

} // namespace btopt::internal
