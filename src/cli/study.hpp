// Studies from the command line: `--study FILE`, `--study-mode`, `--keep` on
// `btopt run`, the study line of its summary, and `btopt export STUDY`.
#pragma once

#include "settings.hpp"

#include <btopt/btopt.h>

#include <CLI/CLI.hpp>

#include <cstdio>

namespace btopt::cli {

void add_study_flags(CLI::App &run, RunOptions &o);
void set_study_options(btopt_optimizer *opt, const RunOptions &o);
// Without a study (or --keep), warns when the trials the run plans would
// take more than a quarter of the machine's memory, and suggests --study.
void warn_about_memory(std::FILE *out, const RunSettings &s);
// "Study: FILE, run N: R trials reused, E evaluated" after a run with a study.
void print_study_summary(std::FILE *out, const RunOptions &o, const btopt_result *result);

struct ExportOptions {
    std::string study, json, csv;
    std::int64_t run = 0; // 0: the last
    bool list = false;
};
CLI::App *add_export_command(CLI::App &app, ExportOptions &o);
int export_command(const ExportOptions &o);

} // namespace btopt::cli
