#include "control.hpp"

#include "wire.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace btopt::internal::control {
namespace {

bool read_exact(int fd, void *data, std::size_t size)
{
    char *p = static_cast<char *>(data);
    while (size > 0) {
        const ssize_t n = ::read(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace

bool send_int(int fd, std::int32_t value) { return wire::write_all(fd, &value, sizeof value); }

std::optional<std::int32_t> receive_int(int fd)
{
    std::int32_t value = 0;
    if (!read_exact(fd, &value, sizeof value))
        return std::nullopt;
    return value;
}

bool send_text(int fd, const std::string &text)
{
    return send_int(fd, static_cast<std::int32_t>(text.size())) && wire::write_all(fd, text.data(), text.size());
}

std::optional<std::string> receive_text(int fd)
{
    const auto size = receive_int(fd);
    if (!size || *size < 0)
        return std::nullopt;
    std::string text(static_cast<std::size_t>(*size), '\0');
    if (!read_exact(fd, text.data(), text.size()))
        return std::nullopt;
    return text;
}

bool send_texts(int fd, const std::vector<std::string> &texts)
{
    if (!send_int(fd, static_cast<std::int32_t>(texts.size())))
        return false;
    for (const std::string &text : texts)
        if (!send_text(fd, text))
            return false;
    return true;
}

std::optional<std::vector<std::string>> receive_texts(int fd)
{
    const auto count = receive_int(fd);
    if (!count || *count < 0)
        return std::nullopt;
    std::vector<std::string> texts;
    for (std::int32_t i = 0; i < *count; ++i) {
        auto text = receive_text(fd);
        if (!text)
            return std::nullopt;
        texts.push_back(std::move(*text));
    }
    return texts;
}

bool send_request(int fd, char request, std::int32_t argument)
{
    char message[1 + sizeof argument];
    message[0] = request;
    std::memcpy(message + 1, &argument, sizeof argument);
    return wire::write_all(fd, message, sizeof message);
}

bool receive_request(int fd, char &request, std::int32_t &argument)
{
    char message[1 + sizeof argument];
    if (!read_exact(fd, message, sizeof message))
        return false;
    request = message[0];
    std::memcpy(&argument, message + 1, sizeof argument);
    return true;
}

bool send_worker(int fd, pid_t pid, int worker_fd)
{
    std::int32_t payload = pid;
    iovec io{&payload, sizeof payload};
    alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    if (worker_fd >= 0) {
        msg.msg_control = space;
        msg.msg_controllen = sizeof space;
        cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &worker_fd, sizeof(int));
    }
    for (;;) {
        const ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        return n == static_cast<ssize_t>(sizeof payload);
    }
}

bool receive_worker(int fd, pid_t &pid, int &worker_fd)
{
    std::int32_t payload = -1;
    iovec io{&payload, sizeof payload};
    alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    msg.msg_control = space;
    msg.msg_controllen = sizeof space;
    ssize_t n;
    do
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof payload))
        return false;
    pid = payload;
    worker_fd = -1;
    if (const cmsghdr *c = CMSG_FIRSTHDR(&msg); c && c->cmsg_type == SCM_RIGHTS)
        std::memcpy(&worker_fd, CMSG_DATA(c), sizeof(int));
    return true;
}

} // namespace btopt::internal::control
