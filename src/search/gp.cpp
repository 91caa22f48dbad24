// Bayesian search with a Gaussian process (Rasmussen & Williams 2006,
// "Gaussian Processes for Machine Learning") and expected improvement, as in
// Snoek, Larochelle & Adams 2012 ("Practical Bayesian Optimization of Machine
// Learning Algorithms"): after startup_trials random points, a GP with a
// Matern 5/2 kernel (one length scale per parameter, fitted by the marginal
// likelihood) models the told fitness, and the next point is the candidate
// with the highest expected improvement over the best fitness so far. The
// candidates are random points and points near the best trials, the best few
// of them refined by a local random search.
//
// Every parameter is seen in coordinates (coordinates.hpp) scaled to [0, 1];
// a candidate is snapped to the point it stands for (ints and stepped floats
// rounded, as Garrido-Merchan & Hernandez-Lobato 2020 do inside the kernel)
// before the model scores it, so the model only sees points that can be
// evaluated. Choices have no order: two trials differ on one by a whole length
// scale, whatever the two choices are.
//
// Batches and determinism as in bayesian.cpp: batch_q points at a time, each
// proposed after the ones before it in the batch were added to the model with
// the worst fitness seen (the constant liar); the trials depend on the seed
// and batch_q only. Infeasible trials keep their order but are shifted below
// every feasible one, so the model learns to avoid them; a failed trial
// counts as the lowest of all.
//
// Fitting costs n^3 in the trials told, so the search refuses n_iterations
// above max_trials (use "bayesian", the TPE, for long runs), and refits the
// length scales only after refit_every trials, or a tenth more when that is more.
#include "coordinates.hpp"
#include "sampler.hpp"
#include "search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

namespace btopt::internal {
namespace {

constexpr std::size_t startup_trials = 10;
constexpr std::int64_t max_trials = 1000;
constexpr std::size_t random_candidates = 512;
constexpr std::size_t near_best_trials = 5;  // trials whose neighbourhoods are searched
constexpr std::size_t near_candidates = 32;  // per such trial
constexpr double near_spread = 0.1;          // in [0, 1] coordinates
constexpr std::size_t refined_candidates = 5;
constexpr int refine_steps = 40;
constexpr std::size_t refit_every = 5; // trials told between fits of the length scales, at least
constexpr double exploration = 0.01; // xi of EI, in standard deviations of the fitness
constexpr double worst = -std::numeric_limits<double>::infinity();

using Vector = std::vector<double>;

// The Matern 5/2 kernel at scaled distance r, unit signal variance.
double matern52(double r)
{
    const double s = std::sqrt(5.0) * r;
    return (1.0 + s + s * s / 3.0) * std::exp(-s);
}

double normal_pdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); }
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

// Kernel hyperparameters: a length scale per dimension and the noise
// variance, both relative to the standardised fitness.
struct Hyper {
    Vector length;
    double noise = 1e-6;
};

// A GP fitted to points u (in [0, 1] coordinates) with standardised targets.
class Gp {
public:
    Gp(const std::vector<Vector> &u, const Vector &y, const std::vector<bool> &choice, Hyper hyper)
        : u_(u), choice_(choice), hyper_(std::move(hyper))
    {
        standardise(y);
        ok_ = factorise();
    }

    bool ok() const { return ok_; }

    // log p(y | u, hyper), up to a constant.
    double log_likelihood() const
    {
        double fit = 0.0, log_det = 0.0;
        for (std::size_t i = 0; i < z_.size(); ++i)
            fit += z_[i] * alpha_[i], log_det += std::log(chol_[i][i]);
        return -0.5 * fit - log_det;
    }

    // Expected improvement over the best target, in standardised units.
    double expected_improvement(const Vector &x) const
    {
        const std::size_t n = u_.size();
        Vector k(n);
        for (std::size_t i = 0; i < n; ++i)
            k[i] = kernel(x, u_[i]);
        double mean = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            mean += k[i] * alpha_[i];
        solve_lower(k);
        double variance = 1.0;
        for (double v : k)
            variance -= v * v;
        const double sd = std::sqrt(std::max(variance, 1e-12));
        const double gain = mean - best_ - exploration;
        const double z = gain / sd;
        return gain * normal_cdf(z) + sd * normal_pdf(z);
    }

private:
    void standardise(const Vector &y)
    {
        const double n = static_cast<double>(y.size());
        const double mean = std::accumulate(y.begin(), y.end(), 0.0) / n;
        double ss = 0.0;
        for (double v : y)
            ss += (v - mean) * (v - mean);
        const double sd = ss > 0.0 ? std::sqrt(ss / n) : 1.0;
        z_.resize(y.size());
        for (std::size_t i = 0; i < y.size(); ++i)
            z_[i] = (y[i] - mean) / sd;
        best_ = *std::max_element(z_.begin(), z_.end());
    }

    double kernel(const Vector &a, const Vector &b) const
    {
        double r2 = 0.0;
        for (std::size_t d = 0; d < a.size(); ++d) {
            const double diff = choice_[d] ? (a[d] == b[d] ? 0.0 : 1.0) : a[d] - b[d];
            r2 += diff * diff / (hyper_.length[d] * hyper_.length[d]);
        }
        return matern52(std::sqrt(r2));
    }

    // Cholesky of K + noise I, then alpha = K^-1 z; false when K is not
    // positive definite (the caller then tries more noise).
    bool factorise()
    {
        const std::size_t n = u_.size();
        chol_.assign(n, Vector(n, 0.0));
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j <= i; ++j) {
                double sum = kernel(u_[i], u_[j]) + (i == j ? hyper_.noise : 0.0);
                for (std::size_t k = 0; k < j; ++k)
                    sum -= chol_[i][k] * chol_[j][k];
                if (i == j) {
                    if (!(sum > 0.0))
                        return false;
                    chol_[i][i] = std::sqrt(sum);
                } else {
                    chol_[i][j] = sum / chol_[j][j];
                }
            }
        alpha_ = z_;
        solve_lower(alpha_);
        solve_upper(alpha_);
        return true;
    }

    void solve_lower(Vector &b) const // b := L^-1 b
    {
        for (std::size_t i = 0; i < b.size(); ++i) {
            for (std::size_t k = 0; k < i; ++k)
                b[i] -= chol_[i][k] * b[k];
            b[i] /= chol_[i][i];
        }
    }

    void solve_upper(Vector &b) const // b := L^-T b
    {
        for (std::size_t i = b.size(); i-- > 0;) {
            for (std::size_t k = i + 1; k < b.size(); ++k)
                b[i] -= chol_[k][i] * b[k];
            b[i] /= chol_[i][i];
        }
    }

    const std::vector<Vector> &u_;
    const std::vector<bool> &choice_;
    Hyper hyper_;
    Vector z_, alpha_;
    std::vector<Vector> chol_;
    double best_ = 0.0;
    bool ok_ = false;
};

// The hyperparameters with the highest marginal likelihood on a coarse grid:
// first one length scale for every dimension (with the noise), then each
// dimension's own, scaled up and down from it.
Hyper fit_hyper(const std::vector<Vector> &u, const Vector &y, const std::vector<bool> &choice)
{
    const std::size_t dims = choice.size();
    Hyper best{.length = Vector(dims, 0.3)};
    double best_fit = -std::numeric_limits<double>::infinity();
    const auto consider = [&](const Hyper &h) {
        const Gp gp(u, y, choice, h);
        if (gp.ok() && gp.log_likelihood() > best_fit)
            best_fit = gp.log_likelihood(), best = h;
    };
    for (double length : {0.05, 0.1, 0.2, 0.35, 0.6, 1.0, 2.0})
        for (double noise : {1e-6, 1e-3, 1e-2, 1e-1})
            consider(Hyper{.length = Vector(dims, length), .noise = noise});
    for (int pass = 0; pass < 2 && dims > 1; ++pass)
        for (std::size_t d = 0; d < dims; ++d) {
            const Hyper base = best;
            for (double factor : {0.25, 0.5, 2.0, 4.0}) {
                Hyper h = base;
                h.length[d] = std::clamp(h.length[d] * factor, 0.01, 20.0);
                consider(h);
            }
        }
    return best;
}

struct Candidate {
    Vector u;
    double score;
};

class GpSearch final : public Search {
public:
    GpSearch(const Space &space, Constraints constraints, const Options &options)
        : space_(space), constraints_(std::move(constraints)),
          sampler_(space, constraints_, static_cast<std::uint64_t>(options.random_seed)),
          planned_(static_cast<std::uint64_t>(options.n_iterations)),
          batch_q_(static_cast<std::size_t>(options.batch_q)),
          patience_(static_cast<std::uint64_t>(options.patience))
    {
        if (const auto valid = count_valid(space, constraints_))
            planned_ = std::min(planned_, *valid);
        for (const Parameter &p : space.parameters())
            choice_.push_back(p.kind == Kind::Choice);
    }

    Result<void> ask(std::size_t max, std::vector<Point> &points) override
    {
        if (next_ask_ == proposed_.size() && told_ == proposed_.size() && !finished())
            propose_batch();
        for (std::size_t asked = 0; asked < max && next_ask_ < proposed_.size(); ++asked)
            points.push_back(proposed_[next_ask_++]);
        return {};
    }

    void tell(std::optional<double> fitness) override { hear(fitness.value_or(worst), true); }
    void tell_infeasible(double fitness) override { hear(fitness, false); }

    bool finished() const override { return proposed_.size() >= planned_ && next_ask_ == proposed_.size(); }
    std::uint64_t planned() const override { return planned_; }

private:
    void hear(double fitness, bool feasible)
    {
        fitness_.push_back(fitness);
        feasible_.push_back(feasible);
        ++told_;
        const bool better = feasible && (!any_best_ || fitness > best_);
        if (better)
            best_ = fitness, any_best_ = true, since_best_ = 0;
        else
            ++since_best_;
        if (patience_ > 0 && since_best_ >= patience_)
            planned_ = std::max<std::uint64_t>(proposed_.size(), told_);
    }

    void propose_batch()
    {
        const std::size_t left = planned_ - proposed_.size();
        const bool startup = proposed_.size() < startup_trials;
        const std::size_t count = std::min<std::size_t>(left, startup ? startup_trials - proposed_.size() : batch_q_);
        prepare_model();
        for (std::size_t k = 0; k < count; ++k) {
            auto point = startup || targets_.empty() ? random_new_point() : model_point();
            if (!point) {
                planned_ = proposed_.size();
                return;
            }
            seen_.insert(*point);
            if (!startup && !targets_.empty())
                add_lie(*point);
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

    // The training set of the told trials (targets_), and the lie. Empty
    // when no trial gave a fitness (the search then proposes random points).
    void prepare_model()
    {
        inputs_.clear();
        targets_.clear();
        const Vector told = told_targets();
        if (told.empty())
            return;
        for (std::size_t i = 0; i < told_; ++i) {
            inputs_.push_back(to_unit(proposed_[i]));
            targets_.push_back(told[i]);
        }
        lie_ = *std::min_element(targets_.begin(), targets_.end());
        if (told_ >= next_refit_) {
            hyper_ = fit_hyper(inputs_, targets_, choice_);
            next_refit_ = told_ + std::max(refit_every, told_ / 10);
        }
    }

    // A feasible trial's target is its fitness; infeasible ones keep their
    // order but are shifted below the lowest feasible fitness by a tenth of
    // the spread (so the model learns where the requirement fails and still
    // tells better infeasible points from worse); a failed one is the lowest
    // target. Empty when no trial has a fitness.
    Vector told_targets() const
    {
        const double inf = std::numeric_limits<double>::infinity();
        double low = inf, high = -inf, feasible_low = inf, infeasible_high = -inf;
        for (std::size_t i = 0; i < told_; ++i) {
            const double f = fitness_[i];
            if (!std::isfinite(f))
                continue;
            low = std::min(low, f), high = std::max(high, f);
            if (feasible_[i])
                feasible_low = std::min(feasible_low, f);
            else
                infeasible_high = std::max(infeasible_high, f);
        }
        if (!std::isfinite(low))
            return {};
        const double margin = high > low ? 0.1 * (high - low) : 1.0;
        const double shift = margin + (std::isfinite(feasible_low) && std::isfinite(infeasible_high)
                                           ? std::max(0.0, infeasible_high - feasible_low)
                                           : 0.0);
        Vector targets(told_);
        double lowest = inf;
        for (std::size_t i = 0; i < told_; ++i) {
            targets[i] = feasible_[i] ? fitness_[i] : fitness_[i] - shift;
            if (std::isfinite(targets[i]))
                lowest = std::min(lowest, targets[i]);
        }
        for (double &t : targets)
            if (!std::isfinite(t))
                t = lowest;
        return targets;
    }

    // The constant liar: a proposed point joins the model at the lowest target.
    void add_lie(const Point &point)
    {
        inputs_.push_back(to_unit(point));
        targets_.push_back(lie_);
    }

    // The new valid point with the highest expected improvement; a random one
    // when the model cannot be fitted or no candidate is new.
    std::optional<Point> model_point()
    {
        std::optional<Gp> gp;
        for (double extra : {0.0, 1e-4, 1e-2}) {
            Hyper h = *hyper_;
            h.noise += extra;
            gp.emplace(inputs_, targets_, choice_, h);
            if (gp->ok())
                break;
        }
        if (!gp->ok())
            return random_new_point();
        std::vector<Candidate> candidates = draw_candidates(*gp);
        std::stable_sort(candidates.begin(), candidates.end(),
                         [](const Candidate &a, const Candidate &b) { return a.score > b.score; });
        refine(*gp, candidates);
        std::stable_sort(candidates.begin(), candidates.end(),
                         [](const Candidate &a, const Candidate &b) { return a.score > b.score; });
        for (const Candidate &c : candidates) {
            Point point = from_unit(c.u);
            if (!seen_.contains(point))
                return point;
        }
        return random_new_point();
    }

    std::vector<Candidate> draw_candidates(const Gp &gp)
    {
        std::vector<Candidate> out;
        const auto add = [&](Vector u) {
            if (auto snapped = snap(std::move(u)))
                out.push_back({*snapped, gp.expected_improvement(*snapped)});
        };
        for (std::size_t k = 0; k < random_candidates; ++k) {
            Vector u(choice_.size());
            for (double &x : u)
                x = sampler_.rng().unit();
            add(std::move(u));
        }
        for (std::size_t i : best_told(near_best_trials))
            for (std::size_t k = 0; k < near_candidates; ++k)
                add(perturb(inputs_[i], near_spread));
        return out;
    }

    // Local random search from the best few candidates: a move is kept when it
    // raises the expected improvement; the step shrinks after a miss.
    void refine(const Gp &gp, std::vector<Candidate> &candidates)
    {
        const std::size_t starts = std::min(refined_candidates, candidates.size());
        for (std::size_t s = 0; s < starts; ++s) {
            Candidate c = candidates[s];
            double step = near_spread;
            for (int i = 0; i < refine_steps; ++i) {
                auto moved = snap(perturb(c.u, step));
                const double score = moved ? gp.expected_improvement(*moved) : worst;
                if (moved && score > c.score)
                    c = {*moved, score};
                else
                    step *= 0.85;
            }
            candidates.push_back(std::move(c));
        }
    }

    // The told trials with the highest targets, best first.
    std::vector<std::size_t> best_told(std::size_t count) const
    {
        std::vector<std::size_t> order(told_);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return targets_[a] > targets_[b]; });
        order.resize(std::min(count, order.size()));
        return order;
    }

    // A Gaussian step in each number; each choice redrawn with probability 1/dims.
    Vector perturb(Vector u, double spread)
    {
        const double redraw = 1.0 / static_cast<double>(u.size());
        for (std::size_t d = 0; d < u.size(); ++d)
            if (!choice_[d])
                u[d] = std::clamp(u[d] + spread * standard_normal(sampler_.rng()), 0.0, 1.0);
            else if (sampler_.rng().unit() < redraw)
                u[d] = sampler_.rng().unit();
        return u;
    }

    // The coordinates of the valid point u stands for; nullopt when that
    // point breaks a constraint.
    std::optional<Vector> snap(Vector u) const
    {
        const Point point = from_unit(u);
        if (!constraints_.allow(point))
            return std::nullopt;
        return to_unit(point);
    }

    Vector to_unit(const Point &point) const
    {
        Vector u(point.size());
        for (std::size_t d = 0; d < point.size(); ++d) {
            const Parameter &p = space_.parameters()[d];
            const auto [lo, hi] = coordinate_range(p);
            u[d] = hi > lo ? (to_coordinate(p, point[d]) - lo) / (hi - lo) : 0.5;
        }
        return u;
    }

    Point from_unit(const Vector &u) const
    {
        Point point(u.size());
        for (std::size_t d = 0; d < u.size(); ++d) {
            const Parameter &p = space_.parameters()[d];
            const auto [lo, hi] = coordinate_range(p);
            point[d] = from_coordinate(p, lo + std::clamp(u[d], 0.0, 1.0) * (hi - lo));
        }
        return point;
    }

    const Space &space_;
    Constraints constraints_;
    Sampler sampler_;
    std::uint64_t planned_;
    std::size_t batch_q_;
    std::uint64_t patience_;
    std::vector<bool> choice_; // per dimension: a choice (compared, not measured)
    double best_ = worst;
    bool any_best_ = false;
    std::uint64_t since_best_ = 0;
    std::vector<Point> proposed_; // every point, in trial order
    Vector fitness_;              // of the first told_ points; -inf: failed
    std::vector<bool> feasible_;  // of the first told_ points
    std::size_t next_ask_ = 0, told_ = 0;
    std::unordered_set<Point, PointHash> seen_;
    // The model of the batch being proposed.
    std::vector<Vector> inputs_;
    Vector targets_;
    double lie_ = 0.0;
    std::optional<Hyper> hyper_;
    std::size_t next_refit_ = 0;
};

} // namespace

Result<std::unique_ptr<Search>> make_gp_search(const Space &space, Constraints constraints, const Options &options)
{
    if (options.n_iterations > max_trials)
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "gp: n_iterations = {} is more than it can model ({} at most: fitting costs the cube of the "
                    "trials); lower it or use 'bayesian' (TPE), which scales to long runs",
                    options.n_iterations, max_trials);
    return std::make_unique<GpSearch>(space, std::move(constraints), options);
}

} // namespace btopt::internal
