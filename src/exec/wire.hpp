// The bytes between the coordinator and a worker process: batches of tasks
// one way, one outcome per task the other way. Plain data only: numbers, a
// point's coordinates, an error text. Both ends are the same build of btopt.
#pragma once

#include "../core/trial.hpp"

#include <span>
#include <string>
#include <vector>

namespace btopt::internal::wire {

void append_batch(std::string &out, std::span<const Task> tasks);
void append_outcome(std::string &out, const Outcome &outcome);

// Parses the first complete message in `in` and removes it; nullopt when
// `in` holds only part of one.
std::optional<std::vector<Task>> take_batch(std::string &in);
std::optional<Outcome> take_outcome(std::string &in);

// Writes all of `data`, retrying on EINTR and short writes. False on error.
bool write_all(int fd, const void *data, std::size_t size);
// Reads what is there (at least one byte, blocking if the fd blocks) and
// appends it. 0 on end of file, -1 on error.
long read_some(int fd, std::string &in);

} // namespace btopt::internal::wire
