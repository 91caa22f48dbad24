// What produced a run, as a study records it. The identity is the part that
// decides an outcome (plugin bytes, data content, config, objective): runs
// with equal identities may reuse each other's outcomes. The rest (space,
// algorithm, options, version, command line, host, times) is recorded only.
#pragma once

#include "../core/options.hpp"
#include "../core/space.hpp"
#include "../core/trial.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace btopt::internal {

// What a study is told about a run before it starts.
struct RunDescription {
    std::string plugin_path; // empty for a host objective
    std::string plugin_name, plugin_version;
    std::vector<std::pair<std::string, std::string>> config;
    std::string objective;
    std::vector<std::string> metric_names;
    const Space *space = nullptr;
    std::string algorithm;
    std::string backend;
    unsigned workers = 0;
    const Options *options = nullptr;
    BarRange bars{}; // the bars its trials trade (whole(): all of them); part of the reuse key, not the identity
};

struct Provenance {
    nlohmann::ordered_json identity; // compared between runs
    nlohmann::ordered_json record;   // everything, identity included
};

// Hashes the plugin file and every config value that names a regular file
// (XXH3-128 of the bytes). BTOPT_ERR_IO when one cannot be read.
Result<Provenance> describe_provenance(const RunDescription &run);

// "" when equal; else one sentence per difference, e.g. "the data changed:
// GOOG.csv hashes to …, the study has …".
std::string identity_differences(const nlohmann::ordered_json &now, const nlohmann::ordered_json &stored);

// XXH3-128 of a file's bytes, as 32 hex digits.
Result<std::string> hash_file(const std::string &path);
// The time now, as 2026-12-07T05:00:00Z.
std::string utc_now();
// XXH3-128 of a text, as 32 hex digits.
std::string hash_text(std::string_view text);

} // namespace btopt::internal
