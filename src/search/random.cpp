// Random search: n_iterations distinct valid points from a seeded generator.
// When the space has fewer valid points, each is evaluated once and the run stops.
#include "sampler.hpp"
#include "search.hpp"

namespace btopt::internal {
namespace {

class RandomSearch final : public Search {
public:
    RandomSearch(const Space &space, Constraints constraints, const Options &options)
        : constraints_(std::move(constraints)),
          sampler_(space, constraints_, static_cast<std::uint64_t>(options.random_seed)),
          planned_(static_cast<std::uint64_t>(options.n_iterations))
    {
        if (const auto valid = count_valid(space, constraints_))
            planned_ = std::min(planned_, *valid);
    }

    Result<void> ask(std::size_t max, std::vector<Point> &points) override
    {
        for (std::size_t asked = 0; asked < max && !exhausted_ && proposed_ < planned_; ++asked) {
            auto point = sampler_.next();
            if (!point) {
                exhausted_ = true;
                planned_ = proposed_;
                break;
            }
            points.push_back(std::move(*point));
            ++proposed_;
        }
        return {};
    }

    void tell(std::optional<double>) override {}
    bool finished() const override { return exhausted_ || proposed_ >= planned_; }
    std::uint64_t planned() const override { return planned_; }

private:
    Constraints constraints_;
    Sampler sampler_;
    std::uint64_t planned_;
    std::uint64_t proposed_ = 0;
    bool exhausted_ = false;
};

} // namespace

Result<std::unique_ptr<Search>> make_random_search(const Space &space, Constraints constraints,
                                                   const Options &options)
{
    return std::make_unique<RandomSearch>(space, std::move(constraints), options);
}

} // namespace btopt::internal
