// Progress of a run on stderr. On a terminal: one line redrawn in place, with
// a bar, evaluations done/total, evaluations per second, elapsed time, ETA,
// failures and the best score so far. Elsewhere (a log, a pipe): a plain
// line at the first report, then at most every few seconds, and a last one.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string_view>

namespace btopt::cli {

class Progress {
public:
    enum class Mode { Off, Terminal, Log };

    // `failures_known`: without --ignore-errors the first failure stops the
    // run, so "0 failed" is exact while it runs; with it, the C ABI does not
    // say how many failed until the end and the line shows "?".
    Progress(Mode mode, bool failures_known);

    // Matches btopt_progress_fn; `user` is the Progress.
    static void report(void *user, std::uint64_t done, std::uint64_t total, double best_score) noexcept;
    // Ends the display: the last counts (with `note`, e.g. "cancelled", and
    // the failures the result counted, when there is a result), and a newline
    // after a terminal line.
    void finish(std::string_view note = {}, std::optional<std::uint64_t> failures = {});

    static Mode mode_for(bool quiet);

private:
    void draw(bool last, std::string_view note = {});

    using Clock = std::chrono::steady_clock;
    Mode mode_;
    bool failures_known_;
    Clock::time_point start_ = Clock::now(), last_draw_{};
    bool drawn_ = false, final_drawn_ = false;
    std::uint64_t done_ = 0, total_ = 0;
    double best_ = 0.0;
    bool has_report_ = false;
    std::optional<std::uint64_t> failures_; // known at the end from the result
};

} // namespace btopt::cli
