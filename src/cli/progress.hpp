// Progress of a run on stderr. On a terminal: one line redrawn in place, with
// a bar, evaluations done/total, evaluations per second, elapsed time, ETA,
// failures and the best score so far. Elsewhere (a log, a pipe): a plain
// line at the first report, then at most every few seconds, and a last one.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

#include <btopt/btopt.h>
#include <optional>
#include <string_view>

namespace btopt::cli {

class Progress {
public:
    enum class Mode { Off, Terminal, Log };

    explicit Progress(Mode mode);

    // Matches btopt_progress_ex_fn; `user` is the Progress. Failures
    // (failed, crashed, timed out) come counted with each call.
    static void report(void *user, const btopt_progress *progress) noexcept;
    // Ends the display: the last counts (with `note`, e.g. "cancelled"), and
    // a newline after a terminal line.
    void finish(std::string_view note = {});

    static Mode mode_for(bool quiet);

private:
    void draw(bool last, std::string_view note = {});

    using Clock = std::chrono::steady_clock;
    Mode mode_;
    Clock::time_point start_ = Clock::now(), last_draw_{};
    bool drawn_ = false, final_drawn_ = false;
    std::uint64_t done_ = 0, total_ = 0, failures_ = 0;
    double best_ = 0.0;
    bool has_report_ = false;
};

} // namespace btopt::cli
