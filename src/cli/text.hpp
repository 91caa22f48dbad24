// Small text helpers shared by the summary, the progress line and the report.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace btopt::cli {

// A metric or score for people: integers without decimals, "-" for NaN,
// 4 decimals for ordinary magnitudes, 4 significant digits for the rest.
std::string number_text(double value);
// Seconds as "4.2 µs", "350 µs", "2.35 ms", "84 ms", "1.84 s", "12.3 s", "4:05" or "1:02:03".
std::string duration_text(double seconds);
// Seconds as a clock, "0:07" or "1:02:03", for the progress line.
std::string clock_text(double seconds);
std::string join(const std::vector<std::string> &parts, std::string_view separator);
std::vector<std::string> split(std::string_view text, char separator);
// Integer and float parsing of a whole string (no trailing characters).
bool parse_int(std::string_view text, long long &out);
bool parse_double(std::string_view text, double &out);

} // namespace btopt::cli
