// The bytes between the coordinator and a worker process: batches of tasks
// one way, one outcome per task the other way. Plain data only: numbers, a
// point's coordinates, an error text. Both ends are the same build of btopt.
#pragma once

#include "../core/trial.hpp"

#include <iterator>
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
void append_outcome(std::string &out, const Outcome &outcome);

// Parses the complete message at in[at...]: appends its tasks to `out` (or
// fills `out` with the outcome) and moves `at` past it. False, with `at` as
// it was, when only part of one is there (a batch leaves `out` as it was too). Reading by offset lets
// a caller parse everything one read brought before it drops those bytes once.
bool take_batch(std::string_view in, std::size_t &at, std::vector<Task> &out);
bool take_outcome(std::string_view in, std::size_t &at, Outcome &out);

// Writes all of `data`, retrying on EINTR and short writes. False on error.
bool write_all(int fd, const void *data, std::size_t size);
// Reads what is there (at least one byte, blocking if the fd blocks) and
// appends it. 0 on end of file, -1 on error.
long read_some(int fd, std::string &in);

} // namespace btopt::internal::wire
