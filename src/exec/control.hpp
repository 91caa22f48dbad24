// The control socket between the coordinator and the worker server: a
// handshake, then requests ('S' spawn a worker, 'R' reap one) and their
// answers. A new worker's socket travels back as SCM_RIGHTS ancillary data.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace btopt::internal::control {

constexpr char spawn_request = 'S';
constexpr char reap_request = 'R';

bool send_text(int fd, const std::string &text);
std::optional<std::string> receive_text(int fd);
// A count, then that many texts: how the server's setup travels, so nothing
// a user configured (a data path, an API key, a space of any size) is on
// btopt-worker's command line for every user to read.
bool send_texts(int fd, const std::vector<std::string> &texts);
std::optional<std::vector<std::string>> receive_texts(int fd);

// A worker's pid with its socket (or pid -1 and no descriptor when it failed).
bool send_worker(int fd, pid_t pid, int worker_fd);
bool receive_worker(int fd, pid_t &pid, int &worker_fd);

bool send_request(int fd, char request, std::int32_t argument);
bool receive_request(int fd, char &request, std::int32_t &argument);

bool send_int(int fd, std::int32_t value);
std::optional<std::int32_t> receive_int(int fd);

} // namespace btopt::internal::control
