// The HTML report: the dashboard's page frozen into one file, with one run of
// a study embedded (dashboard/frozen.hpp). `btopt run --report F` writes it
// from the run's study (a temporary one when --study is not given), and
// `btopt report STUDY --report F` from any study, also while a run writes it.
#pragma once

#include "dashboard/frozen.hpp"

#include <btopt/btopt.h>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace btopt::cli {

// The selection-bias statistics of a result, as the report shows them.
nlohmann::json selection_json(const btopt_result *result);

// Writes the report of run `run` (0: the last) of `study` to `path`: a
// temporary file in the same folder, renamed into place, so the file is
// either complete or as it was. RunError naming `flag` when it cannot.
void write_report(const std::string &study, std::int64_t run, const std::string &path, const std::string &flag,
                  const dashboard::ReportExtras &extras);

struct ReportOptions {
    std::string study, report;
    std::int64_t run = 0; // 0: the last
};
CLI::App *add_report_command(CLI::App &app, ReportOptions &o);
int report_command(const ReportOptions &o);

} // namespace btopt::cli
