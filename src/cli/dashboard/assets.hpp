// The dashboard's files, embedded in the binary (dashboard/assets.cmake).
#pragma once

#include <span>
#include <string_view>

namespace btopt::cli::dashboard {

struct Asset {
    const char *name; // as the page asks for it: "dashboard.js"
    const char *content_type; // all text, in UTF-8
    struct Bytes {
        const char *begin, *end;
    } bytes;
    std::string_view content() const { return {bytes.begin, bytes.end}; }
};

std::span<const Asset> assets();

} // namespace btopt::cli::dashboard
