#include "text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace btopt::cli {

std::string number_text(double value)
{
    if (std::isnan(value))
        return "-";
    if (std::isinf(value))
        return value > 0 ? "inf" : "-inf";
    const double magnitude = std::fabs(value);
    if (value == std::trunc(value) && magnitude < 1e9)
        return fmt::format("{}", static_cast<long long>(value));
    if (magnitude >= 1e5 || magnitude < 1e-3)
        return fmt::format("{:.4g}", value);
    return fmt::format("{:.4f}", value);
}

std::string clock_text(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "--:--";
    const auto total = static_cast<long long>(seconds + 0.5);
    const long long h = total / 3600, m = (total / 60) % 60, s = total % 60;
    return h > 0 ? fmt::format("{}:{:02}:{:02}", h, m, s) : fmt::format("{}:{:02}", m, s);
}

std::string duration_text(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "-";
    if (seconds < 1e-5)
        return fmt::format("{:.1f} µs", seconds * 1e6);
    if (seconds < 1e-3)
        return fmt::format("{:.0f} µs", seconds * 1e6);
    if (seconds < 0.01)
        return fmt::format("{:.2f} ms", seconds * 1e3);
    if (seconds < 1)
        return fmt::format("{:.0f} ms", seconds * 1e3);
    if (seconds < 10)
        return fmt::format("{:.2f} s", seconds);
    if (seconds < 60)
        return fmt::format("{:.1f} s", seconds);
    return clock_text(seconds);
}

std::string join(const std::vector<std::string> &parts, std::string_view separator)
{
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0)
            out += separator;
        out += parts[i];
    }
    return out;
}

std::vector<std::string> split(std::string_view text, char separator)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = text.find(separator, start);
        parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos)
            return parts;
        start = end + 1;
    }
}

bool parse_int(std::string_view text, long long &out)
{
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    const char *end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return !text.empty() && ec == std::errc() && ptr == end;
}

bool parse_double(std::string_view text, double &out)
{
    // strtod rather than from_chars: it accepts a leading '+' and "1e-3" alike.
    const std::string copy(text);
    if (copy.empty() || std::isspace(static_cast<unsigned char>(copy.front())))
        return false;
    char *end = nullptr;
    out = std::strtod(copy.c_str(), &end);
    return end == copy.c_str() + copy.size() && std::isfinite(out);
}

} // namespace btopt::cli
