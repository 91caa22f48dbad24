// Grid search: every valid point exactly once, in row-major order. Points are
// decoded from their index, so the grid is never held in memory.
#include "search.hpp"

namespace btopt::internal {
namespace {

class GridSearch final : public Search {
public:
    GridSearch(const Space &space, Constraints constraints)
        : space_(space), constraints_(std::move(constraints)), size_(*space.cardinality()),
          planned_(count_valid(space, constraints_).value_or(size_))
    {
    }

    Result<std::vector<Point>> ask(std::size_t max) override
    {
        std::vector<Point> points;
        while (points.size() < max && next_ < size_) {
            Point point = space_.decode(next_++);
            if (constraints_.allow(point))
                points.push_back(std::move(point));
        }
        return points;
    }

    void tell(std::optional<double>) override {}
    bool finished() const override { return next_ >= size_; }
    std::uint64_t planned() const override { return planned_; }

private:
    const Space &space_;
    Constraints constraints_;
    std::uint64_t size_;
    std::uint64_t planned_;
    std::uint64_t next_ = 0;
};

} // namespace

Result<std::unique_ptr<Search>> make_grid_search(const Space &space, Constraints constraints)
{
    for (const Parameter &p : space.parameters())
        if (!p.size())
            return fail(BTOPT_ERR_INVALID_ARGUMENT,
                        "grid search needs a step for float parameter '{}' (it is continuous): give it a step, or "
                        "use random or genetic search",
                        p.name);
    if (!space.cardinality())
        return fail(BTOPT_ERR_INVALID_ARGUMENT, "the grid has more than 2^64 points: narrow the ranges");
    return std::make_unique<GridSearch>(space, std::move(constraints));
}

} // namespace btopt::internal
