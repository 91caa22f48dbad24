#include "progress.hpp"

#include "text.hpp"

#include <fmt/format.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace btopt::cli {

namespace {

constexpr auto terminal_interval = std::chrono::milliseconds(100);
constexpr auto log_interval = std::chrono::seconds(5);
constexpr int max_bar_width = 28;

std::string bar(double fraction, int width)
{
    const double cells = std::clamp(fraction, 0.0, 1.0) * width;
    const int full = static_cast<int>(cells);
    std::string out;
    for (int i = 0; i < width; ++i)
        out += i < full ? "\u2588" : (i == full && cells - full >= 0.5 ? "\u258c" : "\u2591");
    return out + ' ';
}

// Columns of the terminal on stderr (80 when it does not say).
int terminal_columns()
{
    winsize size{};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    return 80;
}

} // namespace

Progress::Mode Progress::mode_for(bool quiet)
{
    if (quiet)
        return Mode::Off;
    return isatty(STDERR_FILENO) ? Mode::Terminal : Mode::Log;
}

Progress::Progress(Mode mode) : mode_(mode) {}

void Progress::report(void *user, const btopt_progress *p) noexcept
{
    auto &self = *static_cast<Progress *>(user);
    const std::uint64_t done = p->done, total = p->total;
    self.done_ = done;
    self.total_ = total;
    self.failures_ = p->failed + p->crashed + p->timeout;
    self.best_ = p->best_score;
    self.has_report_ = true;
    const auto now = Clock::now();
    const auto interval = self.mode_ == Mode::Terminal ? Clock::duration(terminal_interval) : Clock::duration(log_interval);
    if (self.mode_ != Mode::Off && (!self.drawn_ || now - self.last_draw_ >= interval || done == total))
        try {
            self.draw(done == total);
        } catch (...) {
            // Progress is advisory: a formatting failure must not unwind into the library.
        }
}

void Progress::finish(std::string_view note)
{
    if (mode_ == Mode::Off || !has_report_)
        return;
    if (!final_drawn_ || !note.empty())
        draw(true, note);
    if (mode_ == Mode::Terminal)
        std::fputc('\n', stderr);
    std::fflush(stderr);
}

void Progress::draw(bool last, std::string_view note)
{
    last_draw_ = Clock::now();
    drawn_ = true;
    final_drawn_ = last;
    const double elapsed = std::chrono::duration<double>(last_draw_ - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total_ - std::min(done_, total_)) / rate : NAN;
    const double fraction = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 0.0;
    const std::string failed = std::to_string(failures_);
    const std::string best = std::isnan(best_) ? "-" : number_text(best_);
    if (mode_ == Mode::Terminal) {
        // One line that never wraps, or \r could not redraw it: the bar
        // shrinks first, then the text is cut.
        std::string text = fmt::format("{}/{} {:3.0f}%  {:.{}f} eval/s  {} elapsed  ETA {}  failed {}  best {}{}{}",
                                       done_, total_, fraction * 100, rate, rate < 10 ? 1 : 0, clock_text(elapsed),
                                       clock_text(eta), failed, best, note.empty() ? "" : "  ", note);
        const int columns = terminal_columns() - 1;
        const int room = std::min(max_bar_width, columns - static_cast<int>(text.size()) - 1);
        if (static_cast<int>(text.size()) > columns)
            text.resize(static_cast<std::size_t>(std::max(columns, 0)));
        fmt::print(stderr, "\r\x1b[K{}{}", room >= 8 ? bar(fraction, room) : std::string(), text);
    } else {
        fmt::print(stderr, "progress: {}/{} evaluations ({:.0f}%), {:.1f} eval/s, elapsed {}, ETA {}, failed {}, best {}{}{}\n",
                   done_, total_, fraction * 100, rate, clock_text(elapsed), clock_text(eta), failed, best,
                   note.empty() ? "" : ", ", note);
    }
    std::fflush(stderr);
}

} // namespace btopt::cli
