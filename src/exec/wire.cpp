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
    explicit Reader(const std::string &in) : in_(in) {}
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
    std::string text(std::size_t n)
    {
        if (pos_ + n > in_.size()) {
            short_ = true;
            return {};
        }
        std::string s = in_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    bool complete() const { return !short_; }
    std::size_t used() const { return pos_; }

private:
    const std::string &in_;
    std::size_t pos_ = 0;
    bool short_ = false;
};

} // namespace

void append_batch(std::string &out, std::span<const Task> tasks)
{
    put(out, static_cast<std::uint32_t>(tasks.size()));
    for (const Task &task : tasks) {
        put(out, task.number);
        put(out, task.seed);
        put(out, static_cast<std::uint32_t>(task.point.size()));
        for (const Value &v : task.point) {
            put(out, v.i);
            put(out, v.f);
        }
    }
}

void append_outcome(std::string &out, const Outcome &o)
{
    put(out, o.number);
    put(out, static_cast<std::int32_t>(o.evaluation.status));
    put(out, o.evaluation.score);
    put(out, o.seconds);
    put(out, static_cast<std::uint32_t>(o.evaluation.metrics.size()));
    for (double m : o.evaluation.metrics)
        put(out, m);
    put(out, static_cast<std::uint32_t>(o.evaluation.error.size()));
    out += o.evaluation.error;
}

std::optional<std::vector<Task>> take_batch(std::string &in)
{
    Reader r(in);
    const auto count = r.get<std::uint32_t>();
    std::vector<Task> tasks;
    for (std::uint32_t t = 0; t < count && r.complete(); ++t) {
        Task task;
        task.number = r.get<std::uint64_t>();
        task.seed = r.get<std::uint64_t>();
        const auto n = r.get<std::uint32_t>();
        for (std::uint32_t k = 0; k < n && r.complete(); ++k) {
            const auto i = r.get<std::int64_t>();
            const auto f = r.get<double>();
            task.point.push_back(Value{i, f});
        }
        tasks.push_back(std::move(task));
    }
    if (!r.complete())
        return std::nullopt;
    in.erase(0, r.used());
    return tasks;
}

std::optional<Outcome> take_outcome(std::string &in)
{
    Reader r(in);
    Outcome o;
    o.number = r.get<std::uint64_t>();
    o.evaluation.status = static_cast<TrialStatus>(r.get<std::int32_t>());
    o.evaluation.score = r.get<double>();
    o.seconds = r.get<double>();
    const auto n = r.get<std::uint32_t>();
    for (std::uint32_t m = 0; m < n && r.complete(); ++m)
        o.evaluation.metrics.push_back(r.get<double>());
    o.evaluation.error = r.text(r.get<std::uint32_t>());
    if (!r.complete())
        return std::nullopt;
    in.erase(0, r.used());
    return o;
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
