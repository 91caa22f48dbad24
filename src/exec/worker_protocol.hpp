// btopt-worker's protocol, one home for both ends: the commands libbtopt
// starts it with (server_spawner.cpp, capi/plugin.cpp) and the setups it
// sends on the worker's descriptor 3 (control::send_texts), which
// btopt-worker reads back (worker_main.cpp). Nothing a user configured goes
// on the command line, where every user could read it in `ps`.
//
//   btopt-worker describe PLUGIN   prints the plugin's description as JSON
//   btopt-worker serve             a ServeSetup on descriptor 3, then requests
//   btopt-worker equity NAME       an EquitySetup on descriptor 3 (NAME, the
//                                  plugin's name, is only for ps); prints the
//                                  curves as JSON
//
// Its exit codes are exit_code:: (worker.hpp).
#pragma once

#include "worker.hpp"

#include "../plugin/plugin.hpp"

#include <optional>
#include <string>
#include <vector>

namespace btopt::internal::worker_protocol {

inline constexpr const char *describe_command = "describe";
inline constexpr const char *serve_command = "serve";
inline constexpr const char *equity_command = "equity";
inline constexpr int setup_fd = 3;

struct ServeSetup {
    std::string plugin; // its path
    std::size_t metric = 0;
    WorkerLimits limits;
    std::string space_json; // the run's space (the plugin's, narrowed by the user)
    PluginConfig config;
};

struct EquitySetup {
    std::string plugin; // its path
    std::string space_json, point_json;
    PluginConfig config;
};

std::vector<std::string> to_texts(const ServeSetup &setup);
std::vector<std::string> to_texts(const EquitySetup &setup);
// nullopt when the texts are not such a setup (a host of another version).
std::optional<ServeSetup> serve_setup_of(const std::vector<std::string> &texts);
std::optional<EquitySetup> equity_setup_of(const std::vector<std::string> &texts);

} // namespace btopt::internal::worker_protocol
