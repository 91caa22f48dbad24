// Grid search: every valid point exactly once, in row-major order. The grid is
// never held in memory: an odometer of value indices steps through it (one
// increment per point, where decoding an index costs a division per parameter).
#include "search.hpp"

namespace btopt::internal {
namespace {

class GridSearch final : public Search {
public:
    GridSearch(const Space &space, Constraints constraints)
        : space_(space), constraints_(std::move(constraints)), size_(*space.cardinality()),
          planned_(count_valid(space, constraints_).value_or(size_)), digits_(space.size(), 0)
    {
        for (const Parameter &p : space.parameters())
            sizes_.push_back(*p.size());
        if (size_ > 0)
            current_ = space.decode(0);
    }

    Result<void> ask(std::size_t max, std::vector<Point> &points) override
    {
        for (std::size_t asked = 0; asked < max && next_ < size_; advance())
            if (constraints_.allow(current_)) {
                points.push_back(current_);
                ++asked;
            }
        return {};
    }

    void tell(std::optional<double>) override {}
    bool finished() const override { return next_ >= size_; }
    std::uint64_t planned() const override { return planned_; }

private:
    // The next point in row-major order: the last parameter moves fastest.
    void advance()
    {
        ++next_;
        const auto &params = space_.parameters();
        for (std::size_t k = digits_.size(); k-- > 0;) {
            if (++digits_[k] < sizes_[k]) {
                current_[k] = params[k].at(digits_[k]);
                return;
            }
            digits_[k] = 0;
            current_[k] = params[k].at(0);
        }
    }

    const Space &space_;
    Constraints constraints_;
    std::uint64_t size_;
    std::uint64_t planned_;
    std::uint64_t next_ = 0;          // index of current_ in the grid
    std::vector<std::uint64_t> digits_; // current_'s value index per parameter
    std::vector<std::uint64_t> sizes_;  // values per parameter
    Point current_;
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
