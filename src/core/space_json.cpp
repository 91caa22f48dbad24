#include "space_json.hpp"

#include <nlohmann/json.hpp>

namespace btopt::internal {

std::string space_to_json(const Space &space)
{
    nlohmann::json params = nlohmann::json::array();
    for (const Parameter &p : space.parameters()) {
        switch (p.kind) {
        case Kind::Int:
            params.push_back({{"name", p.name}, {"kind", "int"}, {"lo", p.int_lo}, {"hi", p.int_hi}, {"step", p.int_step}});
            break;
        case Kind::Float:
            params.push_back(
                {{"name", p.name}, {"kind", "float"}, {"lo", p.float_lo}, {"hi", p.float_hi}, {"step", p.float_step}});
            break;
        case Kind::Choice:
            params.push_back({{"name", p.name}, {"kind", "choice"}, {"choices", p.choices}});
            break;
        }
    }
    return nlohmann::json{{"parameters", params}, {"constraints", space.constraints()}}.dump();
}

Result<Space> space_from_json(const std::string &text)
{
    try {
        const auto json = nlohmann::json::parse(text);
        Space space;
        for (const auto &p : json.at("parameters")) {
            const auto name = p.at("name").get<std::string>();
            const auto kind = p.at("kind").get<std::string>();
            Result<void> added = kind == "int" ? space.add_int(name, p.at("lo"), p.at("hi"), p.at("step"))
                                 : kind == "float"
                                     ? space.add_float(name, p.at("lo"), p.at("hi"), p.at("step"))
                                     : space.add_choice(name, p.at("choices").get<std::vector<std::string>>());
            if (!added)
                return tl::unexpected(added.error());
        }
        for (const auto &c : json.at("constraints"))
            if (auto ok = space.add_constraint(c.get<std::string>()); !ok)
                return tl::unexpected(ok.error());
        return space;
    } catch (const nlohmann::json::exception &e) {
        return fail(BTOPT_ERR_INTERNAL, "malformed space description: {}", e.what());
    }
}

std::string point_to_json(std::span<const Value> point)
{
    nlohmann::json values = nlohmann::json::array();
    for (const Value &v : point)
        values.push_back({v.i, v.f});
    return values.dump();
}

Result<Point> point_from_json(const std::string &text)
{
    try {
        Point point;
        for (const auto &v : nlohmann::json::parse(text))
            point.push_back(Value{v.at(0).get<std::int64_t>(), v.at(1).get<double>()});
        return point;
    } catch (const nlohmann::json::exception &e) {
        return fail(BTOPT_ERR_INTERNAL, "malformed point: {}", e.what());
    }
}

} // namespace btopt::internal
