// btopt.hpp's Search: ask/tell from C++, the same trials as an Optimizer run.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <btopt/btopt.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

namespace {

double score_of(const btopt::ParamMap &p)
{
    const auto a = static_cast<double>(std::get<std::int64_t>(p.at("a")));
    const double b = std::get<double>(p.at("b"));
    return -(a - 4) * (a - 4) - std::sin(b);
}

} // namespace

TEST_CASE("btopt::Search asked in batches and told backwards gives the trials of an Optimizer run")
{
    const btopt::ParameterSpace space{btopt::DiscreteParameter("a", 0, 9), btopt::ContinuousParameter("b", -2.0, 2.0)};
    btopt::Options options;
    options.n_jobs = 1;
    options.random_seed = 5;
    options.n_iterations = 30;
    btopt::Optimizer optimizer([](const btopt::Params &p) { return score_of(p.to_map()); }, space, "cmaes", options);
    const auto run = optimizer.optimize();

    btopt::Search search(space, "cmaes");
    search.set("random_seed", 5).set("n_iterations", 30);
    std::vector<std::pair<std::uint64_t, btopt::ParamMap>> seen;
    while (!search.done()) {
        auto trials = search.ask(4);
        REQUIRE(!trials.empty());
        std::reverse(trials.begin(), trials.end());
        for (const auto &t : trials) {
            seen.emplace_back(t.number, t.params);
            search.tell(t.number, score_of(t.params));
        }
    }
    std::sort(seen.begin(), seen.end(), [](const auto &x, const auto &y) { return x.first < y.first; });
    REQUIRE(seen.size() == run.trials.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
        CHECK(seen[i].first == run.trials[i].number);
        CHECK(seen[i].second == run.trials[i].params);
    }
    const auto best = search.best();
    REQUIRE(best);
    CHECK(best->score == run.best_score);
    CHECK(best->params == run.best_params);
    CHECK_THROWS_AS(search.tell(0, 1.0), btopt::Error); // told already
}
