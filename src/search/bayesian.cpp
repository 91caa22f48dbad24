// Bayesian search with a tree-structured Parzen estimator (TPE; Bergstra et
// al. 2011, "Algorithms for Hyper-Parameter Optimization"), in the
// multivariate form of Optuna's TPESampler (Falkner et al. 2018): after
// startup_trials random points, the trials told so far are split into the
// best gamma(n) ("below") and the rest ("above"); each group becomes a
// Parzen estimator (one kernel per trial plus a wide prior kernel); candidates
// are drawn from the good estimator l(x) and the one with the highest
// l(x)/g(x) is proposed. Ints, stepped floats and choices are indices (see
// coordinates.hpp); choices get categorical kernels.
//
// Batches: batch_q points are proposed at a time, each one after the ones
// before it in the batch were added to the model with the worst fitness seen
// (the constant liar), and the next batch waits for all their results. The
// coordinator tells results in trial order, so the trials depend only on the
// seed and batch_q, never on n_jobs or the backend. A point is never proposed
// twice; candidates that break a constraint are never proposed.
//
// Feasibility as Optuna's TPESampler with constraints_func models it (after
// c-TPE, Watanabe & Hutter 2023): trials rank feasible first, then infeasible
// (they break `require`), then failed (standing.hpp), so an infeasible trial
// joins the good group only while fewer trials than it holds are feasible,
// and the search is drawn to where the requirement holds. A pending point of
// the batch ranks as a failed one (the constant liar).
#include "coordinates.hpp"
#include "sampler.hpp"
#include "search.hpp"
#include "standing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

namespace btopt::internal {
namespace {

// Optuna's defaults: n_startup_trials, n_ei_candidates, prior_weight and the
// bandwidth scale of its multivariate estimator.
constexpr std::size_t startup_trials = 10;
constexpr std::size_t candidates = 24;
constexpr double prior_weight = 1.0;
constexpr double bandwidth_scale = 0.2;
// Draws per wanted candidate before the constraints are taken to leave no room near the good points.
constexpr int draws_per_candidate = 50;

// gamma(n) of Optuna's TPE: the best 10 %, at least 1 and at most 25.
std::size_t below_count(std::size_t n)
{
    return std::clamp<std::size_t>((n + 9) / 10, 1, 25);
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

// Log of a floor, so that a point far out in a kernel's tail scores very
// low instead of minus infinity (which would make every ratio NaN).
constexpr double log_floor = -700.0;

double safe_log(double p) { return p > 0.0 ? std::max(std::log(p), log_floor) : log_floor; }

// The Parzen estimator of a group of observations, in coordinates: kernel j
// is the j-th observation (the last kernel is the prior), each with equal weight.
class Parzen {
public:
    Parzen(const Space &space, const std::vector<const Point *> &group) : space_(space)
    {
        const std::size_t dims = space.size();
        const double m = static_cast<double>(std::max<std::size_t>(group.size(), 1));
        for (std::size_t d = 0; d < dims; ++d) {
            const Parameter &p = space.parameters()[d];
            const auto [lo, hi] = coordinate_range(p);
            const double width = hi - lo;
            const double scott = bandwidth_scale * width * std::pow(m, -1.0 / (static_cast<double>(dims) + 4.0));
            const double smallest = width / std::min(100.0, 1.0 + m); // Optuna's "magic clip"
            sigma_.push_back(std::clamp(scott, smallest, width));
        }
        for (const Point *point : group) {
            std::vector<double> centre(dims);
            for (std::size_t d = 0; d < dims; ++d)
                centre[d] = to_coordinate(space.parameters()[d], (*point)[d]);
            centres_.push_back(std::move(centre));
        }
        choice_fill_ = prior_weight / static_cast<double>(group.size() + 1);
        for (std::size_t d = 0; d < dims; ++d)
            ranges_.push_back(coordinate_range(space.parameters()[d]));
        // A kernel's mass inside the range depends on the kernel only: computed
        // here once, not per candidate (it was most of the cost of an ask).
        log_mass_.resize(kernels() * dims);
        for (std::size_t j = 0; j < kernels(); ++j)
            for (std::size_t d = 0; d < dims; ++d) {
                const auto [lo, hi] = ranges_[d];
                const auto [mu, sigma] = mu_sigma(j, d);
                log_mass_[j * dims + d] = safe_log(normal_cdf((hi - mu) / sigma) - normal_cdf((lo - mu) / sigma));
            }
    }

    std::size_t kernels() const { return centres_.size() + 1; }

    // A point drawn from kernel j (j == kernels()-1: the prior).
    Point draw(std::size_t j, Rng &rng) const
    {
        Point point(space_.size());
        for (std::size_t d = 0; d < point.size(); ++d) {
            const Parameter &p = space_.parameters()[d];
            point[d] = p.kind == Kind::Choice ? draw_choice(j, d, rng) : from_coordinate(p, draw_number(j, d, rng));
        }
        return point;
    }

    // log l(x): the log of the mixture's density (a probability per value for
    // indexed parameters).
    double log_density(const Point &point) const
    {
        std::vector<double> logs(kernels());
        for (std::size_t j = 0; j < kernels(); ++j) {
            double sum = 0.0;
            for (std::size_t d = 0; d < point.size(); ++d)
                sum += log_kernel(j, d, point[d]);
            logs[j] = sum;
        }
        const double top = *std::max_element(logs.begin(), logs.end());
        double total = 0.0;
        for (double l : logs)
            total += std::exp(l - top);
        return top + std::log(total / static_cast<double>(kernels()));
    }

private:
    bool is_prior(std::size_t j) const { return j == centres_.size(); }

    std::pair<double, double> mu_sigma(std::size_t j, std::size_t d) const
    {
        const auto [lo, hi] = ranges_[d];
        if (is_prior(j))
            return {0.5 * (lo + hi), hi - lo};
        return {centres_[j][d], sigma_[d]};
    }

    // A truncated normal draw inside the coordinate range, by rejection;
    // the centre after many misses (only for degenerate widths).
    double draw_number(std::size_t j, std::size_t d, Rng &rng) const
    {
        const auto [lo, hi] = coordinate_range(space_.parameters()[d]);
        const auto [mu, sigma] = mu_sigma(j, d);
        for (int attempt = 0; attempt < 100; ++attempt) {
            const double x = mu + sigma * standard_normal(rng);
            if (x >= lo && x <= hi)
                return x;
        }
        return mu;
    }

    Value draw_choice(std::size_t j, std::size_t d, Rng &rng) const
    {
        const std::size_t n = space_.parameters()[d].choices.size();
        double u = rng.unit();
        for (std::size_t c = 0; c + 1 < n; ++c) {
            u -= choice_probability(j, d, c);
            if (u < 0.0)
                return Value{.i = static_cast<std::int64_t>(c)};
        }
        return Value{.i = static_cast<std::int64_t>(n - 1)};
    }

    // Optuna's categorical kernel: prior_weight/(kernels) on every choice,
    // plus 1 on the observed one, normalised; the prior kernel is uniform.
    double choice_probability(std::size_t j, std::size_t d, std::size_t c) const
    {
        const double n = static_cast<double>(space_.parameters()[d].choices.size());
        if (is_prior(j))
            return 1.0 / n;
        const bool observed = static_cast<std::size_t>(centres_[j][d]) == c;
        return (choice_fill_ + (observed ? 1.0 : 0.0)) / (n * choice_fill_ + 1.0);
    }

    double log_kernel(std::size_t j, std::size_t d, const Value &v) const
    {
        const Parameter &p = space_.parameters()[d];
        const double x = to_coordinate(p, v);
        if (p.kind == Kind::Choice)
            return std::log(choice_probability(j, d, static_cast<std::size_t>(x)));
        const auto [mu, sigma] = mu_sigma(j, d);
        const double log_mass = log_mass_[j * space_.size() + d];
        if (!is_continuous(p)) // the probability of the value's cell
            return safe_log(normal_cdf((x + 0.5 - mu) / sigma) - normal_cdf((x - 0.5 - mu) / sigma)) - log_mass;
        const double z = (x - mu) / sigma;
        return -0.5 * z * z - std::log(sigma * std::sqrt(2.0 * std::numbers::pi)) - log_mass;
    }

    const Space &space_;
    std::vector<double> sigma_;                // per dimension, for the observation kernels
    std::vector<std::vector<double>> centres_; // per observation, per dimension
    double choice_fill_ = 0.0;
    std::vector<std::pair<double, double>> ranges_; // per dimension: coordinate_range
    std::vector<double> log_mass_;                  // per kernel, per dimension: log of its mass in the range
};

class BayesianSearch final : public Search {
public:
    BayesianSearch(const Space &space, Constraints constraints, const Options &options)
        : space_(space), constraints_(std::move(constraints)),
          sampler_(space, constraints_, static_cast<std::uint64_t>(options.random_seed)),
          planned_(static_cast<std::uint64_t>(options.n_iterations)),
          batch_q_(static_cast<std::size_t>(options.batch_q)),
          patience_(static_cast<std::uint64_t>(options.patience))
    {
        if (const auto valid = count_valid(space, constraints_))
            planned_ = std::min(planned_, *valid);
    }

    Result<void> ask(std::size_t max, std::vector<Point> &points) override
    {
        if (next_ask_ == proposed_.size() && told_ == proposed_.size() && !finished())
            propose_batch();
        for (std::size_t asked = 0; asked < max && next_ask_ < proposed_.size(); ++asked)
            points.push_back(proposed_[next_ask_++]);
        return {};
    }

    void tell(std::optional<double> fitness) override { hear(Standing::told(fitness)); }
    void tell_infeasible(double fitness) override { hear(Standing::infeasible(fitness)); }

    bool finished() const override { return proposed_.size() >= planned_ && next_ask_ == proposed_.size(); }
    std::uint64_t planned() const override { return planned_; }

private:
    void hear(Standing standing)
    {
        fitness_.push_back(standing);
        ++told_;
        if (told_ == 1 || fitness_.back() > best_)
            best_ = fitness_.back(), since_best_ = 0;
        else
            ++since_best_;
        // Patience ends the search: the points in flight are still told, none is proposed after them.
        if (patience_ > 0 && since_best_ >= patience_)
            planned_ = std::max<std::uint64_t>(proposed_.size(), told_);
    }

    // The startup points all at once (they do not depend on any result),
    // then batch_q model points; stops the search when the space has no new
    // valid point left.
    void propose_batch()
    {
        const std::size_t left = planned_ - proposed_.size();
        const bool startup = proposed_.size() < startup_trials;
        const std::size_t count = std::min<std::size_t>(left, startup ? startup_trials - proposed_.size() : batch_q_);
        for (std::size_t k = 0; k < count; ++k) {
            auto point = startup ? random_new_point() : model_point();
            if (!point) {
                planned_ = proposed_.size();
                return;
            }
            seen_.insert(*point);
            proposed_.push_back(std::move(*point));
        }
    }

    std::optional<Point> random_new_point()
    {
        while (auto point = sampler_.next())
            if (!seen_.contains(*point))
                return point;
        return std::nullopt;
    }

    // The best new valid candidate by l(x)/g(x); the points of this batch not
    // yet told count as the worst (constant liar).
    std::optional<Point> model_point()
    {
        std::vector<std::size_t> order(proposed_.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return fitness_or_lie(a) > fitness_or_lie(b); });
        const std::size_t n_below = below_count(order.size());
        std::vector<const Point *> below, above;
        for (std::size_t r = 0; r < order.size(); ++r)
            (r < n_below ? below : above).push_back(&proposed_[order[r]]);
        const Parzen good(space_, below), bad(space_, above);

        std::optional<Point> best;
        double best_score = -std::numeric_limits<double>::infinity();
        std::size_t drawn = 0;
        for (int attempt = 0; drawn < candidates && attempt < draws_per_candidate * static_cast<int>(candidates);
             ++attempt) {
            Point candidate = good.draw(sampler_.rng().below(good.kernels()), sampler_.rng());
            if (!constraints_.allow(candidate))
                continue;
            ++drawn;
            if (seen_.contains(candidate))
                continue;
            const double score = good.log_density(candidate) - bad.log_density(candidate);
            if (!best || score > best_score) {
                best_score = score;
                best = std::move(candidate);
            }
        }
        return best ? best : random_new_point();
    }

    Standing fitness_or_lie(std::size_t i) const { return i < fitness_.size() ? fitness_[i] : Standing::failed(); }

    const Space &space_;
    Constraints constraints_;
    Sampler sampler_;
    std::uint64_t planned_;
    std::size_t batch_q_;
    std::uint64_t patience_;
    Standing best_;
    std::uint64_t since_best_ = 0; // trials told since the best one
    std::vector<Point> proposed_;   // every point, in trial order
    std::vector<Standing> fitness_; // of the first told_ points
    std::size_t next_ask_ = 0, told_ = 0;
    std::unordered_set<Point, PointHash> seen_;
};

} // namespace

Result<std::unique_ptr<Search>> make_bayesian_search(const Space &space, Constraints constraints,
                                                     const Options &options)
{
    return std::make_unique<BayesianSearch>(space, std::move(constraints), options);
}

} // namespace btopt::internal
