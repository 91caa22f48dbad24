// Spaces and params views at the C ABI.
#include "handles.hpp"

#include <limits>

using namespace btopt::internal;
using btopt::internal::capi::guarded;
using btopt::internal::capi::set_error;
using btopt::internal::capi::status_of;

namespace {

// The parameter `name` of a view, or an error naming what is wrong.
Result<std::size_t> lookup(const btopt_params *params, const char *name, Kind wanted, bool ints_too)
{
    const auto k = params->space->find(name);
    if (!k)
        return fail(BTOPT_ERR_NOT_FOUND, "no parameter '{}' in this point", name);
    const Kind kind = params->space->parameters()[*k].kind;
    if (kind != wanted && !(ints_too && kind == Kind::Int)) {
        constexpr const char *kinds[] = {"an integer", "a float", "categorical"};
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "parameter '{}' is {}, not {}", name,
                    kinds[static_cast<int>(kind)], kinds[static_cast<int>(wanted)]);
    }
    return *k;
}

std::string describe_kind_error(const Space &space, std::size_t i, const char *wanted)
{
    if (i >= space.size())
        return fmt::format("parameter index {} is out of range: the space has {} parameters", i, space.size());
    return fmt::format("parameter '{}' is not {} parameter", space.parameters()[i].name, wanted);
}

} // namespace

extern "C" {

btopt_status btopt_space_create(btopt_space **out)
{
    BTOPT_REQUIRE(out);
    *out = nullptr;
    return guarded([&] {
        *out = new btopt_space{};
        return BTOPT_OK;
    });
}

void btopt_space_destroy(btopt_space *space) { delete space; }

btopt_status btopt_space_add_int(btopt_space *space, const char *name, int64_t lo, int64_t hi, int64_t step)
{
    BTOPT_REQUIRE(space);
    BTOPT_REQUIRE(name);
    return guarded([&] { return status_of(space->space.add_int(name, lo, hi, step)); });
}

btopt_status btopt_space_add_float(btopt_space *space, const char *name, double lo, double hi, double step)
{
    BTOPT_REQUIRE(space);
    BTOPT_REQUIRE(name);
    return guarded([&] { return status_of(space->space.add_float(name, lo, hi, step)); });
}

btopt_status btopt_space_add_choice(btopt_space *space, const char *name, const char *const *choices, size_t n)
{
    BTOPT_REQUIRE(space);
    BTOPT_REQUIRE(name);
    if (n > 0)
        BTOPT_REQUIRE(choices);
    return guarded([&] {
        std::vector<std::string> copied;
        for (size_t i = 0; i < n; ++i) {
            if (choices[i] == nullptr)
                return set_error(BTOPT_ERR_INVALID_ARGUMENT,
                                 fmt::format("parameter '{}': choice {} is NULL", name, i));
            copied.emplace_back(choices[i]);
        }
        return status_of(space->space.add_choice(name, std::move(copied)));
    });
}

btopt_status btopt_space_add_constraint(btopt_space *space, const char *expression)
{
    BTOPT_REQUIRE(space);
    BTOPT_REQUIRE(expression);
    return guarded([&] { return status_of(space->space.add_constraint(expression)); });
}

btopt_status btopt_space_cardinality(const btopt_space *space, uint64_t *out)
{
    BTOPT_REQUIRE(space);
    BTOPT_REQUIRE(out);
    *out = space->space.cardinality().value_or(std::numeric_limits<uint64_t>::max());
    return BTOPT_OK;
}

size_t btopt_space_param_count(const btopt_space *space) { return space ? space->space.size() : 0; }

const char *btopt_space_param_name(const btopt_space *space, size_t i)
{
    return space && i < space->space.size() ? space->space.parameters()[i].name.c_str() : nullptr;
}

int32_t btopt_space_param_kind(const btopt_space *space, size_t i)
{
    return space && i < space->space.size() ? static_cast<int32_t>(space->space.parameters()[i].kind) : -1;
}

btopt_status btopt_space_param_int_range(const btopt_space *space, size_t i, int64_t *lo, int64_t *hi, int64_t *step)
{
    BTOPT_REQUIRE(space);
    if (i >= space->space.size() || space->space.parameters()[i].kind != Kind::Int)
        return set_error(BTOPT_ERR_INVALID_ARGUMENT, describe_kind_error(space->space, i, "an integer"));
    const Parameter &p = space->space.parameters()[i];
    if (lo)
        *lo = p.int_lo;
    if (hi)
        *hi = p.int_hi;
    if (step)
        *step = p.int_step;
    return BTOPT_OK;
}

btopt_status btopt_space_param_float_range(const btopt_space *space, size_t i, double *lo, double *hi, double *step)
{
    BTOPT_REQUIRE(space);
    if (i >= space->space.size() || space->space.parameters()[i].kind != Kind::Float)
        return set_error(BTOPT_ERR_INVALID_ARGUMENT, describe_kind_error(space->space, i, "a float"));
    const Parameter &p = space->space.parameters()[i];
    if (lo)
        *lo = p.float_lo;
    if (hi)
        *hi = p.float_hi;
    if (step)
        *step = p.float_step;
    return BTOPT_OK;
}

size_t btopt_space_param_choice_count(const btopt_space *space, size_t i)
{
    return space && i < space->space.size() ? space->space.parameters()[i].choices.size() : 0;
}

const char *btopt_space_param_choice(const btopt_space *space, size_t i, size_t j)
{
    if (!space || i >= space->space.size() || j >= space->space.parameters()[i].choices.size())
        return nullptr;
    return space->space.parameters()[i].choices[j].c_str();
}

size_t btopt_space_constraint_count(const btopt_space *space) { return space ? space->space.constraints().size() : 0; }

const char *btopt_space_constraint(const btopt_space *space, size_t i)
{
    return space && i < space->space.constraints().size() ? space->space.constraints()[i].c_str() : nullptr;
}

size_t btopt_params_count(const btopt_params *params) { return params ? params->space->size() : 0; }

const char *btopt_params_name(const btopt_params *params, size_t i)
{
    if (!params || i >= params->space->size())
        return nullptr;
    return params->space->parameters()[i].name.c_str();
}

int32_t btopt_params_kind(const btopt_params *params, size_t i)
{
    if (!params || i >= params->space->size())
        return -1;
    return static_cast<int32_t>(params->space->parameters()[i].kind);
}

btopt_status btopt_params_get_int(const btopt_params *params, const char *name, int64_t *out)
{
    BTOPT_REQUIRE(params);
    BTOPT_REQUIRE(name);
    BTOPT_REQUIRE(out);
    return guarded([&] {
        const auto k = lookup(params, name, Kind::Int, false);
        if (!k)
            return set_error(k.error());
        *out = params->values[*k].i;
        return BTOPT_OK;
    });
}

btopt_status btopt_params_get_double(const btopt_params *params, const char *name, double *out)
{
    BTOPT_REQUIRE(params);
    BTOPT_REQUIRE(name);
    BTOPT_REQUIRE(out);
    return guarded([&] {
        const auto k = lookup(params, name, Kind::Float, true);
        if (!k)
            return set_error(k.error());
        *out = params->space->parameters()[*k].as_double(params->values[*k]);
        return BTOPT_OK;
    });
}

btopt_status btopt_params_get_string(const btopt_params *params, const char *name, const char **out)
{
    BTOPT_REQUIRE(params);
    BTOPT_REQUIRE(name);
    BTOPT_REQUIRE(out);
    return guarded([&] {
        const auto k = lookup(params, name, Kind::Choice, false);
        if (!k)
            return set_error(k.error());
        *out = params->space->parameters()[*k].choices[static_cast<std::size_t>(params->values[*k].i)].c_str();
        return BTOPT_OK;
    });
}

btopt_status btopt_params_seed(const btopt_params *params, std::uint64_t *out)
{
    BTOPT_REQUIRE(params);
    BTOPT_REQUIRE(out);
    if (!params->seed)
        return set_error(BTOPT_ERR_NOT_FOUND,
                         "btopt_params_seed: only the params an objective is handed carry a seed, not a result's");
    *out = *params->seed;
    return BTOPT_OK;
}

} // extern "C"
