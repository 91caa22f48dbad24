#include "dashboard/server.hpp"

#include "dashboard/assets.hpp"
#include "dashboard/equity.hpp"
#include "dashboard/mirror.hpp"
#include "dashboard/queries.hpp"
#include "errors.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <memory>
#include <thread>

namespace btopt::cli {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;
using dashboard::Mirror;

// How often the poller reads what the run committed (it commits every 200 ms):
// a trial reaches the page within about half a second.
constexpr auto poll_every = 200ms;
// A fixed pool, whatever the number of requests: a page holds one thread for
// its event stream and one per connection it keeps open (a browser opens up
// to six), and a redraw's five requests are answered in parallel under the
// mirror's shared lock, which on 2 cores means two at a time.
constexpr std::size_t http_threads = 16;

std::string random_token()
{
    unsigned char bytes[24];
    std::size_t got = 0;
    while (got < sizeof bytes) {
        const ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0)
            throw RunError("dashboard: cannot draw a random access token (getrandom failed)");
        got += static_cast<std::size_t>(n);
    }
    std::string hex;
    for (unsigned char b : bytes)
        hex += fmt::format("{:02x}", b);
    return hex;
}

// The same time for a right and a wrong token of the same length.
bool same_token(const std::string &given, const std::string &token)
{
    if (given.size() != token.size())
        return false;
    unsigned char differ = 0;
    for (std::size_t i = 0; i < token.size(); ++i)
        differ |= static_cast<unsigned char>(given[i] ^ token[i]);
    return differ == 0;
}

std::int64_t integer_param(const httplib::Request &req, const char *name, std::int64_t fallback)
{
    if (!req.has_param(name))
        return fallback;
    const std::string text = req.get_param_value(name);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw dashboard::BadQuery(fmt::format("'{}' is not a whole number: {}={}", name, name, text));
    return value;
}

std::string url_host(const std::string &host)
{
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// The dashboard's threads are named btopt-dashboard (top -H,
// /proc/PID/task/*/comm); the poller, which works all the time a run writes,
// runs at nice 10, so that on a busy machine the run gets the CPU first. The
// threads that answer the page keep the run's priority: at nice 10 behind
// every CPU's worker, a page took 24 s to load.
void name_thread(bool background)
{
    thread_local bool named = false;
    if (named)
        return;
    pthread_setname_np(pthread_self(), "btopt-dashboard");
    if (background)
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
    named = true;
}

// A body with its length, which cpp-httplib sends as it is: a body set with
// set_content it compresses on every request when the browser accepts brotli
// (Debian's build has it), at brotli's slowest setting — 6 s for ECharts'
// 1.1 MB on a loaded machine, and most of each JSON answer's time. On
// loopback, compression gains nothing.
void send_as_is(httplib::Response &res, std::string body, const std::string &content_type)
{
    auto shared = std::make_shared<const std::string>(std::move(body));
    res.set_content_provider(shared->size(), content_type,
                             [shared](std::size_t offset, std::size_t length, httplib::DataSink &sink) {
                                 return sink.write(shared->data() + offset, length);
                             });
}

std::atomic<int> stop_signal{0};
extern "C" void on_stop(int signal)
{
    stop_signal.store(signal);
}

} // namespace

struct Dashboard::State {
    Mirror mirror;
    std::string token, url;
    httplib::Server server;
    std::thread listener, poller;
    std::atomic<bool> stopping{false};

    explicit State(const std::string &study) : mirror(study), token(random_token()) {}

    void send_json(httplib::Response &res, const Json &body)
    {
        res.set_header("Cache-Control", "no-store");
        send_as_is(res, body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
    }
    // Answers f(run) for the request's run (?run=N; the last by default).
    template <class F> void answer(const httplib::Request &req, httplib::Response &res, F &&f)
    {
        try {
            const std::int64_t id = integer_param(req, "run", 0);
            std::optional<Json> body = mirror.with_run(id, [&](const dashboard::Run *run) -> std::optional<Json> {
                if (!run)
                    return std::nullopt;
                return f(*run);
            });
            if (!body) {
                res.status = 404;
                send_json(res, {{"error", id ? fmt::format("the study has no run {}", id) : "the study holds no run yet"}});
                return;
            }
            send_json(res, *body);
        } catch (const dashboard::BadQuery &e) {
            res.status = 400;
            send_json(res, {{"error", e.what()}});
        }
    }
    void routes();
    void events(const httplib::Request &req, httplib::Response &res);
};

void Dashboard::State::routes()
{
    // The token first, then the method: nothing answers a request without the token.
    server.set_pre_routing_handler([this](const httplib::Request &req, httplib::Response &res) {
        name_thread(false);
        if (!same_token(req.get_param_value("token"), token)) {
            res.status = 403;
            res.set_content("403: this dashboard needs the token printed with its URL\n", "text/plain");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (req.method != "GET" && req.method != "HEAD") {
            res.status = 405;
            res.set_header("Allow", "GET, HEAD");
            res.set_content("405: the dashboard only reads\n", "text/plain");
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                                {"Referrer-Policy", "no-referrer"},
                                {"Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                                            "img-src 'self' data:; frame-ancestors 'none'"}});
    for (const dashboard::Asset &asset : dashboard::assets()) {
        std::string pattern = std::string("/") + asset.name;
        for (std::size_t at = pattern.find('.'); at != std::string::npos; at = pattern.find('.', at + 2))
            pattern.insert(at, "\\");
        server.Get(pattern == "/index\\.html" ? "/" : pattern, [this, &asset](const httplib::Request &, httplib::Response &res) {
            std::string body(asset.content());
            if (std::string_view(asset.name) == "index.html")
                for (std::size_t at = body.find("{{token}}"); at != std::string::npos; at = body.find("{{token}}", at))
                    body.replace(at, 9, token);
            send_as_is(res, std::move(body), std::string(asset.content_type) + "; charset=utf-8");
        });
    }
    server.Get("/api/runs", [this](const httplib::Request &, httplib::Response &res) {
        send_json(res, {{"study", mirror.path()}, {"runs", mirror.runs()}});
    });
    server.Get("/api/summary", [this](const httplib::Request &req, httplib::Response &res) {
        const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        answer(req, res, [&](const dashboard::Run &run) { return dashboard::summary(run, now); });
    });
    server.Get("/api/trials", [this](const httplib::Request &req, httplib::Response &res) {
        answer(req, res, [&](const dashboard::Run &run) {
            return dashboard::trials_since(run, integer_param(req, "since", -1),
                                           static_cast<std::size_t>(std::max<std::int64_t>(0, integer_param(req, "limit", 500))));
        });
    });
    server.Get("/api/convergence", [this](const httplib::Request &req, httplib::Response &res) {
        answer(req, res, [&](const dashboard::Run &run) { return dashboard::convergence(run); });
    });
    server.Get("/api/heatmap", [this](const httplib::Request &req, httplib::Response &res) {
        answer(req, res, [&](const dashboard::Run &run) {
            return dashboard::heatmap(run, req.get_param_value("x"), req.get_param_value("y"),
                                      req.has_param("metric") ? req.get_param_value("metric") : "score");
        });
    });
    server.Get("/api/slices", [this](const httplib::Request &req, httplib::Response &res) {
        answer(req, res, [&](const dashboard::Run &run) {
            return dashboard::slices(run, req.has_param("metric") ? req.get_param_value("metric") : "score");
        });
    });
    server.Get("/api/best", [this](const httplib::Request &req, httplib::Response &res) {
        answer(req, res, [&](const dashboard::Run &run) {
            return dashboard::best_trials(run, static_cast<std::size_t>(std::max<std::int64_t>(1, integer_param(req, "limit", 500))));
        });
    });
    server.Get("/api/table", [this](const httplib::Request &req, httplib::Response &res) {
        answer(req, res, [&](const dashboard::Run &run) {
            dashboard::TableQuery q;
            q.filter = req.get_param_value("filter");
            if (req.has_param("sort"))
                q.sort = req.get_param_value("sort");
            q.descending = req.get_param_value("order") == "desc";
            q.offset = static_cast<std::size_t>(std::max<std::int64_t>(0, integer_param(req, "offset", 0)));
            q.limit = static_cast<std::size_t>(std::max<std::int64_t>(1, integer_param(req, "limit", 50)));
            return dashboard::table(run, q);
        });
    });
    server.Get("/api/trial", [this](const httplib::Request &req, httplib::Response &res) {
        answer(req, res, [&](const dashboard::Run &run) { return dashboard::trial_detail(run, integer_param(req, "number", -1)); });
    });
    server.Get("/api/provenance", [this](const httplib::Request &req, httplib::Response &res) {
        answer(req, res, [&](const dashboard::Run &run) { return dashboard::provenance(run); });
    });
    server.Get("/api/equity", [this](const httplib::Request &req, httplib::Response &res) {
        // What the curve needs is copied under the mirror's shared lock; the
        // plugin computes it (a worker process, some milliseconds) outside it.
        std::optional<dashboard::Run> one;
        answer(req, res, [&](const dashboard::Run &run) {
            const std::int64_t number = integer_param(req, "number", -1);
            const Json trial = dashboard::trial_detail(run, number); // a BadQuery when absent
            one = run.only(*run.index_of(number));
            return trial;
        });
        if (one)
            send_json(res, dashboard::trial_equity(*one, one->trials.front().number));
    });
    server.Get("/api/events", [this](const httplib::Request &req, httplib::Response &res) { events(req, res); });
}

// Server-sent events: "data: {version, last}" whenever the study changed,
// a comment line every 15 s otherwise (so a closed page is noticed).
void Dashboard::State::events(const httplib::Request &, httplib::Response &res)
{
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider("text/event-stream", [this, seen = std::uint64_t{0}, quiet = 0](
                                                              std::size_t, httplib::DataSink &sink) mutable {
        while (!stopping.load()) {
            const std::uint64_t now = mirror.wait_change(seen, 1s);
            std::string message;
            if (now != seen) {
                seen = now;
                quiet = 0;
                const std::int64_t last = mirror.with_run(0, [](const dashboard::Run *run) -> std::int64_t {
                    return run && !run->trials.empty() ? run->trials.back().number : -1;
                });
                message = fmt::format("data: {{\"version\": {}, \"last\": {}}}\n\n", now, last);
            } else if (++quiet == 15) {
                quiet = 0;
                message = ": still here\n\n";
            }
            if (!message.empty() && !sink.write(message.data(), message.size()))
                return false;
        }
        sink.done();
        return true;
    });
}

Dashboard::Dashboard(const DashboardOptions &o) : state_(std::make_unique<State>(o.study))
{
    State &s = *state_;
    s.routes();
    s.server.new_task_queue = [] { return new httplib::ThreadPool(http_threads); };
    const int port = o.port == 0 ? s.server.bind_to_any_port(o.host) : (s.server.bind_to_port(o.host, o.port) ? o.port : -1);
    if (port < 0)
        throw UsageError(fmt::format("dashboard: cannot listen on {}:{} (in use, or not an address of this machine)",
                                     o.host, o.port == 0 ? "a free port" : std::to_string(o.port)));
    s.url = fmt::format("http://{}:{}/?token={}", url_host(o.host), port, s.token);
    s.mirror.refresh(); // before the URL is printed: a request right after it finds the study read
    s.poller = std::thread([&s] {
        name_thread(true);
        while (!s.stopping.load()) {
            s.mirror.refresh();
            std::this_thread::sleep_for(poll_every);
        }
    });
    s.listener = std::thread([&s] {
        name_thread(false);
        s.server.listen_after_bind();
    });
    fmt::print(stderr, "Dashboard: {}\n", s.url);
    std::fflush(stderr);
}

Dashboard::~Dashboard()
{
    state_->stopping.store(true);
    state_->server.stop();
    state_->listener.join();
    state_->poller.join();
}

const std::string &Dashboard::url() const
{
    return state_->url;
}

void Dashboard::serve_until_signal()
{
    stop_signal.store(0);
    struct sigaction action {}, previous[3];
    action.sa_handler = on_stop;
    sigemptyset(&action.sa_mask);
    constexpr int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; ++i)
        sigaction(signals[i], &action, &previous[i]);
    while (stop_signal.load() == 0)
        std::this_thread::sleep_for(100ms);
    for (int i = 0; i < 3; ++i)
        sigaction(signals[i], &previous[i], nullptr);
    fmt::print(stderr, "\nbtopt: dashboard stopped\n");
}

CLI::App *add_dashboard_command(CLI::App &app, DashboardOptions &o)
{
    CLI::App *cmd = app.add_subcommand(
        "dashboard", "Show a study in the browser: live while a run writes it, or after (reads it, never writes it)");
    cmd->add_option("STUDY", o.study, "a study file written with btopt run --study")->required();
    cmd->add_option("--port", o.port, "the port to listen on (default: a free one)")->check(CLI::Range(0, 65535));
    cmd->add_option("--host", o.host,
                    "the address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the network, "
                    "guarded only by the token)")
        ->capture_default_str();
    return cmd;
}

int dashboard_command(const DashboardOptions &o)
{
    if (::access(o.study.c_str(), F_OK) != 0)
        throw RunError(fmt::format("study '{}' does not exist", o.study));
    {
        Mirror check(o.study);
        if (std::string error = check.refresh(); !error.empty())
            throw RunError(error);
    }
    Dashboard dashboard(o);
    fmt::print(stderr, "Open the URL in a browser; Ctrl-C stops the dashboard.\n");
    dashboard.serve_until_signal();
    return exit_ok;
}

} // namespace btopt::cli
