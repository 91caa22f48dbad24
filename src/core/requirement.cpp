#include "requirement.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace btopt::internal {
namespace {

// What muparser takes as a variable name.
bool is_identifier(const std::string &name)
{
    const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    return !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
           std::all_of(name.begin(), name.end(), word);
}

} // namespace

Requirement::Requirement() = default;
Requirement::Requirement(Requirement &&) noexcept = default;
Requirement &Requirement::operator=(Requirement &&) noexcept = default;
Requirement::~Requirement() = default;

Result<Requirement> Requirement::compile(const std::string &expression, const std::vector<std::string> &metric_names)
{
    Requirement r;
    if (expression.empty())
        return r;
    r.names_ = std::make_unique<Space>();
    std::string known;
    const auto add = [&](const std::string &name, std::optional<std::size_t> source) {
        if (!r.names_->add_float(name, 0.0, 0.0, 0.0))
            return;
        r.sources_.push_back(source);
        known += fmt::format("{}{}", known.empty() ? "" : ", ", name);
    };
    for (std::size_t m = 0; m < metric_names.size(); ++m)
        if (is_identifier(metric_names[m]))
            add(metric_names[m], m);
    if (!r.names_->find("score"))
        add("score", std::nullopt);
    auto compiled = Constraints::compile(*r.names_, {expression}, "metric");
    if (!compiled)
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "option 'require': {}; it may name {}", compiled.error().message,
                    known);
    r.constraints_ = std::move(*compiled);
    r.point_.resize(r.sources_.size());
    return r;
}

bool Requirement::met(double score, std::span<const double> metrics) const
{
    if (!constraints_)
        return true;
    for (std::size_t k = 0; k < sources_.size(); ++k) {
        const auto &source = sources_[k];
        point_[k].f = !source ? score : *source < metrics.size() ? metrics[*source] : std::nan("");
    }
    // muparser compares NaN as a number would ("x != 1" holds): a missing
    // metric breaks the requirement instead.
    for (std::size_t k : constraints_->used_parameters())
        if (std::isnan(point_[k].f))
            return false;
    return constraints_->allow(point_);
}

} // namespace btopt::internal
