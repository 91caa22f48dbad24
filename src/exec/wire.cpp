#include "wire.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace btopt::internal::wire {
namespace {

template <class T>
void put(std::string &out, const T &value)
{
    out.append(reinterpret_cast<const char *>(&value), sizeof value);
}

// Reads fields from a buffer, remembering whether it ran out.
class Reader {
public:
    Reader(std::string_view in, std::size_t at) : in_(in), pos_(at) {}
    template <class T>
    T get()
    {
        T value{};
        if (pos_ + sizeof value > in_.size()) {
            short_ = true;
            return value;
        }
        std::memcpy(&value, in_.data() + pos_, sizeof value);
        pos_ += sizeof value;
        return value;
    }
    template <class T>
    void copy_to(T *out, std::size_t n)
    {
        if (pos_ + n * sizeof(T) > in_.size()) {
            short_ = true;
            return;
        }
        std::memcpy(out, in_.data() + pos_, n * sizeof(T));
        pos_ += n * sizeof(T);
    }
    void text(std::size_t n, std::string &out)
    {
        if (pos_ + n > in_.size()) {
            short_ = true;
            return;
        }
        out.assign(in_.data() + pos_, n);
        pos_ += n;
    }
    bool complete() const { return !short_; }
    std::size_t used() const { return pos_; }

private:
    std::string_view in_;
    std::size_t pos_;
    bool short_ = false;
};

} // namespace

namespace {
// A batch of this many tasks is a range message instead.
constexpr std::uint32_t range_marker = ~std::uint32_t{0};
} // namespace

void append_batch_size(std::string &out, std::size_t count) { put(out, static_cast<std::uint32_t>(count)); }

void append_range(std::string &out, const BarRange &range)
{
    put(out, range_marker);
    put(out, range.first);
    put(out, range.end);
}

void append_task(std::string &out, const Task &task)
{
    // One resize for the whole task: this runs once per trial on the coordinator.
    const auto dims = static_cast<std::uint32_t>(task.point.size());
    const std::size_t at = out.size();
    out.resize(at + 2 * sizeof(std::uint64_t) + sizeof dims + dims * (sizeof(std::int64_t) + sizeof(double)));
    char *p = out.data() + at;
    for (const auto &[field, size] : {std::pair<const void *, std::size_t>{&task.number, sizeof task.number},
                                      {&task.seed, sizeof task.seed},
                                      {&dims, sizeof dims}}) {
        std::memcpy(p, field, size);
        p += size;
    }
    for (const Value &v : task.point) {
        std::memcpy(p, &v.i, sizeof v.i);
        std::memcpy(p + sizeof v.i, &v.f, sizeof v.f);
        p += sizeof v.i + sizeof v.f;
    }
}

void append_outcome(std::string &out, const Outcome &o)
{
    put(out, o.number);
    put(out, static_cast<std::int32_t>(o.evaluation.status));
    put(out, o.evaluation.score);
    put(out, o.seconds);
    put(out, o.cpu_cost);
    put(out, static_cast<std::uint32_t>(o.evaluation.metrics.size()));
    out.append(reinterpret_cast<const char *>(o.evaluation.metrics.data()), o.evaluation.metrics.size() * sizeof(double));
    const std::string_view error = std::string_view(o.evaluation.error).substr(0, max_error_bytes);
    put(out, static_cast<std::uint32_t>(error.size()));
    out += error;
}

void append_notice(std::string &out, Notice notice, std::string_view why)
{
    Outcome o{.number = notice_number, .evaluation = {}, .seconds = 0.0};
    o.evaluation.status = static_cast<TrialStatus>(notice);
    o.evaluation.error = why;
    append_outcome(out, o);
}

bool take_batch(std::string_view in, std::size_t &at, std::vector<Task> &out, BarRange &range)
{
    Reader r(in, at);
    const std::size_t before = out.size();
    const auto count = r.get<std::uint32_t>();
    if (count == range_marker) {
        const BarRange next{r.get<std::uint64_t>(), r.get<std::uint64_t>()};
        if (!r.complete())
            return false;
        range = next;
        at = r.used();
        return true;
    }
    for (std::uint32_t t = 0; t < count && r.complete(); ++t) {
        Task &task = out.emplace_back();
        task.range = range;
        task.number = r.get<std::uint64_t>();
        task.seed = r.get<std::uint64_t>();
        const auto n = r.get<std::uint32_t>();
        for (std::uint32_t k = 0; k < n && r.complete(); ++k) {
            const auto i = r.get<std::int64_t>();
            const auto f = r.get<double>();
            task.point.push_back(Value{i, f});
        }
    }
    if (!r.complete()) {
        out.resize(before);
        return false;
    }
    at = r.used();
    return true;
}

Parsed take_outcome(std::string_view in, std::size_t &at, Outcome &o)
{
    Reader r(in, at);
    o.number = r.get<std::uint64_t>();
    const auto status = r.get<std::int32_t>();
    o.evaluation.status = static_cast<TrialStatus>(status);
    o.evaluation.score = r.get<double>();
    o.seconds = r.get<double>();
    o.cpu_cost = r.get<double>();
    const auto n = r.get<std::uint32_t>();
    if (!r.complete())
        return Parsed::Partial;
    const bool notice = o.number == notice_number;
    if (status < 0 || status > (notice ? static_cast<std::int32_t>(last_notice) : static_cast<std::int32_t>(last_executor_status)) ||
        n > max_metrics)
        return Parsed::Invalid;
    o.evaluation.metrics.resize(n);
    r.copy_to(o.evaluation.metrics.data(), o.evaluation.metrics.size());
    const auto error_size = r.get<std::uint32_t>();
    if (r.complete() && error_size > max_error_bytes)
        return Parsed::Invalid;
    o.evaluation.error.clear();
    r.text(error_size, o.evaluation.error);
    if (!r.complete())
        return Parsed::Partial;
    at = r.used();
    return Parsed::Complete;
}

std::optional<std::uint64_t> peek_number(std::string_view in, std::size_t at)
{
    std::uint64_t number = 0;
    if (at + sizeof number > in.size())
        return std::nullopt;
    std::memcpy(&number, in.data() + at, sizeof number);
    return number;
}

bool write_all(int fd, const void *data, std::size_t size)
{
    const char *p = static_cast<const char *>(data);
    while (size > 0) {
        // MSG_NOSIGNAL: a worker that died must show up as an error here, not
        // as a SIGPIPE that kills the host.
        ssize_t n = ::send(fd, p, size, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

long read_some(int fd, std::string &in)
{
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0)
            in.append(buffer, static_cast<std::size_t>(n));
        return static_cast<long>(n);
    }
}

} // namespace btopt::internal::wire
