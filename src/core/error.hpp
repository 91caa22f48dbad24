// Errors inside the library: a status code for the C ABI plus a sentence for
// the user. Every fallible internal function returns Result<T>; only
// src/capi turns them into status codes and the thread's last-error text.
#pragma once

#include <btopt/btopt.h>

#include <fmt/format.h>
#include <tl/expected.hpp>

#include <string>
#include <utility>

namespace btopt::internal {

struct Error {
    btopt_status code = BTOPT_ERR_INTERNAL;
    std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

template <class... Args>
tl::unexpected<Error> fail(btopt_status code, fmt::format_string<Args...> format, Args &&...args)
{
    return tl::unexpected<Error>(Error{code, fmt::format(format, std::forward<Args>(args)...)});
}

} // namespace btopt::internal
