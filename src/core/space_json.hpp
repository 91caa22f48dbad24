// A space as JSON: how btopt-worker is told the ranges and choices of a run
// (serve) or of an equity curve's point (equity), and how a plugin's space is
// described back. Constraints never travel: they stay with the coordinator.
#pragma once

#include "space.hpp"

namespace btopt::internal {

std::string space_to_json(const Space &space);
Result<Space> space_from_json(const std::string &text);
// A point as [[i, f], ...].
std::string point_to_json(std::span<const Value> point);
Result<Point> point_from_json(const std::string &text);

} // namespace btopt::internal
