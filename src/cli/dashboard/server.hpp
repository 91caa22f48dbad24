// `btopt dashboard STUDY` and `btopt run --study F --dashboard`: an HTTP
// server (cpp-httplib) in the btopt process that shows a study in the
// browser while a run writes it, after it ended, or copied from elsewhere.
// Every request needs the random token printed with the URL (403 without);
// only GET; nothing but the embedded assets and the JSON API (404).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace btopt::cli {

struct DashboardOptions {
    std::string study;
    std::string host = "127.0.0.1";
    int port = 0; // 0: a free one
};

// A running dashboard: serves from construction to destruction.
class Dashboard {
public:
    // Binds (a usage error when it cannot) and prints "Dashboard: URL" on stderr.
    explicit Dashboard(const DashboardOptions &options);
    ~Dashboard();
    Dashboard(const Dashboard &) = delete;
    Dashboard &operator=(const Dashboard &) = delete;
    const std::string &url() const;
    // Blocks until SIGINT, SIGTERM or SIGHUP.
    void serve_until_signal();

private:
    struct State;
    std::unique_ptr<State> state_;
};

CLI::App *add_dashboard_command(CLI::App &app, DashboardOptions &o);
int dashboard_command(const DashboardOptions &o);

} // namespace btopt::cli
