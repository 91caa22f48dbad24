#include "core/options.hpp"

#include <doctest/doctest.h>

using namespace btopt::internal;

TEST_CASE("n_jobs resolves against the CPUs this process may use")
{
    const auto cpus = static_cast<std::int64_t>(usable_cpus());
    REQUIRE(cpus >= 1);
    CHECK(resolve_jobs(3) == 3u);
    CHECK(resolve_jobs(-1) == static_cast<unsigned>(cpus));
    CHECK(resolve_jobs(-cpus) == 1u);
    CHECK(resolve_jobs(0).error().code == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(resolve_jobs(-cpus - 1).error().message.find("n_jobs") != std::string::npos);
}

TEST_CASE("options are set by name with their type and range checked")
{
    Options o;
    CHECK(o.set_int("n_iterations", 500));
    CHECK(o.n_iterations == 500);
    CHECK(o.set_int("crossover_rate", 1)); // an int is accepted for a double option
    CHECK(o.crossover_rate == 1.0);
    CHECK(o.set_double("mutation_rate", 0.05));
    CHECK(o.set_string("direction", "minimize"));
    CHECK(o.direction == Direction::Minimize);
    CHECK(o.set_int("ignore_errors", 1));
    CHECK(o.ignore_errors);

    CHECK(o.set_int("n_iteration", 5).error().code == BTOPT_ERR_NOT_FOUND);
    CHECK(o.set_string("n_jobs", "4").error().message.find("integer") != std::string::npos);
    CHECK(o.set_double("n_jobs", 4.0).error().code == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(o.set_int("backend", 1).error().message.find("string") != std::string::npos);
    CHECK(o.set_double("crossover_rate", 1.5).error().message.find("between 0 and 1") != std::string::npos);
    CHECK(o.crossover_rate == 1.0); // a refused value changes nothing
    CHECK(o.set_int("n_iterations", 0).error().code == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(o.set_int("population_size", 1).error().code == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(o.set_string("direction", "sideways").error().message.find("'sideways'") != std::string::npos);
    CHECK(o.set_string("backend", "quantum").error().code == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(o.set_int("ignore_errors", 2).error().code == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(o.set_int("n_jobs", 0).error().code == BTOPT_ERR_INVALID_ARGUMENT);
    CHECK(o.n_jobs == -1);
}

TEST_CASE("options read back through the catalogue, each with its own type")
{
    Options o;
    CHECK(o.get_int("n_iterations") == 100);
    CHECK(o.set_int("n_iterations", 7));
    CHECK(o.get_int("n_iterations") == 7);
    CHECK(o.get_double("eval_timeout") == 0.0);
    CHECK(o.get_string("backend") == std::string());
    CHECK(o.set_string("backend", "thread"));
    CHECK(o.get_string("backend") == std::string("thread"));
    CHECK(o.set_int("max_memory_per_worker", 4096));
    CHECK(o.get_string("max_memory_per_worker") == std::string("4096"));
    CHECK(o.get_int("nope").error().code == BTOPT_ERR_NOT_FOUND);
    CHECK(o.get_double("n_jobs").error().message.find("btopt_optimizer_get_int") != std::string::npos);
}

TEST_CASE("every catalogue entry sets and gets the field it names")
{
    for (const OptionSpec &spec : option_catalogue()) {
        CAPTURE(spec.name);
        CHECK(find_option(spec.name) == &spec);
        Options o;
        const OptionValue before = spec.get(o);
        CHECK(static_cast<OptionType>(before.index()) == spec.type);
        // Setting the default as text changes nothing.
        if (spec.type == OptionType::String && !spec.default_text.empty())
            CHECK(spec.set(o, spec.name, std::string(spec.default_text)));
        CHECK(spec.get(o) == before);
    }
    CHECK(find_option("no_such_option") == nullptr);
}
