// The bytes between the coordinator and a worker process: batches of tasks
// one way, one outcome per task the other way. Plain data only: numbers, a
// point's coordinates, an error text. Both ends are the same build of btopt.
#pragma once

#include "../core/trial.hpp"

#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace btopt::internal::wire {

// A batch is its task count, then each task.
void append_batch_size(std::string &out, std::size_t count);
void append_task(std::string &out, const Task &task);
template <class Iterator>
void append_batch(std::string &out, Iterator first, Iterator last)
{
    append_batch_size(out, static_cast<std::size_t>(std::distance(first, last)));
    for (; first != last; ++first)
        append_task(out, *first);
}
// The bars every task after it trades, until the next range: sent to a
// worker only when its tasks' range changes (a walk-forward window), so a
// task costs no more bytes than without ranges. Where a batch size would be.
void append_range(std::string &out, const BarRange &range);
// An outcome. An error text past max_error_bytes is cut there.
void append_outcome(std::string &out, const Outcome &outcome);

// What the reader accepts in an outcome; more is a broken worker, not a
// trial (64 bytes of garbage must not size the metrics).
inline constexpr std::uint32_t max_metrics = 1u << 16;
inline constexpr std::uint32_t max_error_bytes = 1u << 16;

// A worker's word about itself, sent where an outcome would be, under a
// number no trial has. The coordinator learns from it (not from an exit
// status, which the objective's own code can also produce) whether the
// worker sent every outcome it finished before it went.
inline constexpr std::uint64_t notice_number = ~std::uint64_t{0};
enum class Notice : std::int32_t {
    Crashing = 1,   // its crash handler ran: the first task not answered is the one that crashed
    Leaving = 2,    // it answered every task it started and leaves (out of memory): none is to blame
    Ready = 3,      // its first word: set up (a per-worker init done), evaluations start now
    InitFailed = 4, // its first word when a per-worker init refused; `why` is the plugin's
};
inline constexpr Notice last_notice = Notice::InitFailed;
void append_notice(std::string &out, Notice notice, std::string_view why = {});

// Parses the complete message at in[at...]: appends its tasks to `out` (or
// fills `out` with the outcome) and moves `at` past it. False, with `at` as
// it was, when only part of one is there (a batch leaves `out` as it was too). Reading by offset lets
// a caller parse everything one read brought before it drops those bytes once.
// A range message appends no task: it sets `range`, which every task read
// after it carries (the reader keeps it from call to call).
bool take_batch(std::string_view in, std::size_t &at, std::vector<Task> &out, BarRange &range);
enum class Parsed { Complete, Partial, Invalid };
// Invalid (with `at` as it was) when a field is out of bounds: a status
// that is not a TrialStatus, more than max_metrics metrics or
// max_error_bytes of error text. A notice is Complete with its Notice in status.
Parsed take_outcome(std::string_view in, std::size_t &at, Outcome &out);
// The trial number of the outcome (or notice) starting at in[at], once its
// first bytes are there: checked before the rest arrives.
std::optional<std::uint64_t> peek_number(std::string_view in, std::size_t at);

// Writes all of `data`, retrying on EINTR and short writes. False on error.
bool write_all(int fd, const void *data, std::size_t size);
// Reads what is there (at least one byte, blocking if the fd blocks) and
// appends it. 0 on end of file, -1 on error.
long read_some(int fd, std::string &in);

} // namespace btopt::internal::wire
