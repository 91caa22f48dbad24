// CMA-ES, the covariance matrix adaptation evolution strategy, as in Hansen's
// tutorial ("The CMA Evolution Strategy: A Tutorial", arXiv:1604.00772),
// with its default population lambda = 4 + floor(3 ln n), positive recombination
// weights, cumulative step-size adaptation and rank-one plus rank-mu updates.
// It searches the int and float parameters in coordinates scaled to [0, 1]
// (see coordinates.hpp), starting at the centre with sigma 1/6 as Optuna's
// CmaEsSampler does; ints and stepped floats are the rounded coordinate.
// Choices have no order to adapt to: each is drawn at random, as Optuna does.
//
// A generation is one batch: its points are asked together and the strategy
// moves once all are told, so the trials depend only on the seed. A point is
// never evaluated twice: one met again keeps the fitness it had. Draws that
// leave the range or break a constraint are drawn again, then clipped, then
// replaced by a random valid point; the strategy learns from the point
// actually evaluated. Infeasible trials rank below every feasible one and
// failed ones below those (standing.hpp). When generations stop finding new points (a converged
// discrete search) or the step size collapses, the strategy restarts at a
// random mean; when restarts keep finding nothing new, the next unevaluated
// valid point of the random walk is proposed instead.
#include "coordinates.hpp"
#include "sampler.hpp"
#include "search.hpp"
#include "standing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

namespace btopt::internal {
namespace {

constexpr double initial_sigma = 1.0 / 6.0;
constexpr int redraws = 20;              // per member, before clipping
constexpr int stale_generations = 10;    // generations without a new point before a restart
constexpr double smallest_sigma = 1e-12; // below it the strategy has converged: restart
constexpr int fruitless_restarts = 10;    // restarts without a new point before a random one is proposed

using Vector = std::vector<double>;
using Matrix = std::vector<Vector>;

// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations:
// c = b diag(d) b^T. Small n only, which is what CMA-ES over parameters sees.
void eigen_symmetric(Matrix c, Matrix &b, Vector &d)
{
    const std::size_t n = c.size();
    b.assign(n, Vector(n, 0.0));
    for (std::size_t i = 0; i < n; ++i)
        b[i][i] = 1.0;
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0.0;
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t q = p + 1; q < n; ++q)
                off += c[p][q] * c[p][q];
        if (off < 1e-30)
            break;
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t q = p + 1; q < n; ++q) {
                if (std::abs(c[p][q]) < 1e-300)
                    continue;
                const double theta = (c[q][q] - c[p][p]) / (2.0 * c[p][q]);
                const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
                const double cs = 1.0 / std::sqrt(t * t + 1.0), sn = t * cs;
                for (std::size_t k = 0; k < n; ++k) { // c = J^T c J
                    const double ckp = c[k][p], ckq = c[k][q];
                    c[k][p] = cs * ckp - sn * ckq;
                    c[k][q] = sn * ckp + cs * ckq;
                }
                for (std::size_t k = 0; k < n; ++k) {
                    const double cpk = c[p][k], cqk = c[q][k];
                    c[p][k] = cs * cpk - sn * cqk;
                    c[q][k] = sn * cpk + cs * cqk;
                }
                for (std::size_t k = 0; k < n; ++k) {
                    const double bkp = b[k][p], bkq = b[k][q];
                    b[k][p] = cs * bkp - sn * bkq;
                    b[k][q] = sn * bkp + cs * bkq;
                }
            }
    }
    d.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        d[i] = std::sqrt(std::max(c[i][i], 1e-300));
}

// The strategy's state and constants (the tutorial's Table 1), in n dimensions.
struct Strategy {
    explicit Strategy(std::size_t n_) : n(n_)
    {
        const double dn = static_cast<double>(n);
        lambda = 4 + static_cast<std::size_t>(std::floor(3.0 * std::log(dn)));
        mu = lambda / 2;
        for (std::size_t i = 0; i < mu; ++i)
            weights.push_back(std::log((static_cast<double>(lambda) + 1.0) / 2.0) - std::log(static_cast<double>(i) + 1.0));
        const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
        double squares = 0.0;
        for (double &w : weights) {
            w /= sum;
            squares += w * w;
        }
        mueff = 1.0 / squares;
        cc = (4.0 + mueff / dn) / (dn + 4.0 + 2.0 * mueff / dn);
        cs = (mueff + 2.0) / (dn + mueff + 5.0);
        c1 = 2.0 / ((dn + 1.3) * (dn + 1.3) + mueff);
        cmu = std::min(1.0 - c1, 2.0 * (mueff - 2.0 + 1.0 / mueff) / ((dn + 2.0) * (dn + 2.0) + mueff));
        damps = 1.0 + 2.0 * std::max(0.0, std::sqrt((mueff - 1.0) / (dn + 1.0)) - 1.0) + cs;
        chi_n = std::sqrt(dn) * (1.0 - 1.0 / (4.0 * dn) + 1.0 / (21.0 * dn * dn));
    }

    void restart(Vector start)
    {
        mean = std::move(start);
        sigma = initial_sigma;
        pc.assign(n, 0.0);
        ps.assign(n, 0.0);
        c.assign(n, Vector(n, 0.0));
        for (std::size_t i = 0; i < n; ++i)
            c[i][i] = 1.0;
        eigen_symmetric(c, b, d);
        generation = 0;
    }

    // m + sigma B D z for a standard normal z.
    Vector draw(Rng &rng) const
    {
        Vector z(n), x = mean;
        for (double &v : z)
            v = standard_normal(rng);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j)
                x[i] += sigma * b[i][j] * d[j] * z[j];
        return x;
    }

    // One generation's update from its members, best first.
    void update(const std::vector<const Vector *> &ranked)
    {
        const double dn = static_cast<double>(n);
        const Vector old = mean;
        mean.assign(n, 0.0);
        for (std::size_t k = 0; k < mu; ++k)
            for (std::size_t i = 0; i < n; ++i)
                mean[i] += weights[k] * (*ranked[k])[i];
        Vector step(n); // (m' - m) / sigma
        for (std::size_t i = 0; i < n; ++i)
            step[i] = (mean[i] - old[i]) / sigma;
        Vector whitened(n, 0.0); // C^(-1/2) step = B D^-1 B^T step
        for (std::size_t j = 0; j < n; ++j) {
            double bt = 0.0;
            for (std::size_t i = 0; i < n; ++i)
                bt += b[i][j] * step[i];
            for (std::size_t i = 0; i < n; ++i)
                whitened[i] += b[i][j] * bt / d[j];
        }
        double ps_norm = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            ps[i] = (1.0 - cs) * ps[i] + std::sqrt(cs * (2.0 - cs) * mueff) * whitened[i];
            ps_norm += ps[i] * ps[i];
        }
        ps_norm = std::sqrt(ps_norm);
        ++generation;
        const double decay = 1.0 - std::pow(1.0 - cs, 2.0 * static_cast<double>(generation));
        const bool hsig = ps_norm / std::sqrt(decay) / chi_n < 1.4 + 2.0 / (dn + 1.0);
        for (std::size_t i = 0; i < n; ++i)
            pc[i] = (1.0 - cc) * pc[i] + (hsig ? std::sqrt(cc * (2.0 - cc) * mueff) : 0.0) * step[i];
        const double lost = hsig ? 0.0 : c1 * cc * (2.0 - cc);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                double rank_mu = 0.0;
                for (std::size_t k = 0; k < mu; ++k)
                    rank_mu += weights[k] * ((*ranked[k])[i] - old[i]) * ((*ranked[k])[j] - old[j]) / (sigma * sigma);
                c[i][j] = (1.0 - c1 - cmu + lost) * c[i][j] + c1 * pc[i] * pc[j] + cmu * rank_mu;
            }
        sigma *= std::exp((cs / damps) * (ps_norm / chi_n - 1.0));
        eigen_symmetric(c, b, d);
    }

    bool collapsed() const
    {
        return !std::isfinite(sigma) || sigma * *std::max_element(d.begin(), d.end()) < smallest_sigma;
    }

    std::size_t n, lambda, mu;
    Vector weights;
    double mueff, cc, cs, c1, cmu, damps, chi_n;
    Vector mean, pc, ps, d;
    Matrix c, b;
    double sigma = initial_sigma;
    std::uint64_t generation = 0;
};

class CmaesSearch final : public Search {
public:
    CmaesSearch(const Space &space, Constraints constraints, const Options &options, std::vector<std::size_t> dims)
        : space_(space), constraints_(std::move(constraints)),
          sampler_(space, constraints_, static_cast<std::uint64_t>(options.random_seed)), dims_(std::move(dims)),
          strategy_(dims_.size()), planned_(static_cast<std::uint64_t>(options.n_iterations)),
          patience_(static_cast<std::uint64_t>(options.patience))
    {
        if (const auto valid = count_valid(space, constraints_))
            planned_ = std::min(planned_, *valid);
        strategy_.restart(Vector(dims_.size(), 0.5));
    }

    Result<void> ask(std::size_t max, std::vector<Point> &points) override
    {
        if (next_ask_ == fresh_.size() && next_tell_ == fresh_.size() && !finished())
            next_generation();
        for (std::size_t asked = 0; asked < max && next_ask_ < fresh_.size(); ++asked)
            points.push_back(fresh_[next_ask_++]);
        return {};
    }

    void tell(std::optional<double> fitness) override { hear(Standing::told(fitness)); }
    void tell_infeasible(double fitness) override { hear(Standing::infeasible(fitness)); }

    bool finished() const override
    {
        return next_ask_ == fresh_.size() && (stopped_ || proposed_ >= planned_);
    }
    std::uint64_t planned() const override { return finished() ? proposed_ : planned_; }

private:
    void hear(Standing f)
    {
        memo_[fresh_[next_tell_++]] = f;
        ++told_;
        if (told_ == 1 || f > best_)
            best_ = f, since_best_ = 0;
        else
            ++since_best_;
        if (patience_ > 0 && since_best_ >= patience_)
            stopped_ = true;
    }

    // Moves the strategy by the last generation, then draws generations until
    // one holds a point never evaluated (restarting when they stop coming).
    void next_generation()
    {
        if (!members_.empty())
            learn();
        fresh_.clear();
        next_ask_ = next_tell_ = 0;
        int restarts = 0;
        for (int stale = 0; fresh_.empty() && proposed_ < planned_; ++stale) {
            if (stale > 0)
                learn();
            if (stale >= stale_generations || strategy_.collapsed()) {
                if (++restarts > fruitless_restarts) {
                    propose_random_point();
                    return;
                }
                strategy_.restart(random_start());
                stale = 0;
            }
            draw_generation();
        }
    }

    Vector random_start()
    {
        Vector x(dims_.size());
        for (double &v : x)
            v = sampler_.rng().unit();
        return x;
    }

    // When restarts keep finding nothing new (a nearly used-up finite space),
    // the random walk proposes the next unevaluated valid point, outside the
    // strategy; none left ends the search.
    void propose_random_point()
    {
        while (auto point = sampler_.next())
            if (!memo_.contains(*point)) {
                fresh_.push_back(std::move(*point));
                ++proposed_;
                return;
            }
        planned_ = proposed_;
    }

    void learn()
    {
        std::vector<std::size_t> order(members_.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return memo_.at(members_[a].point) > memo_.at(members_[b].point);
        });
        std::vector<const Vector *> ranked;
        for (std::size_t k : order)
            ranked.push_back(&members_[k].x);
        strategy_.update(ranked);
        members_.clear();
    }

    void draw_generation()
    {
        std::unordered_set<Point, PointHash> in_generation;
        for (std::size_t k = 0; k < strategy_.lambda; ++k) {
            auto drawn = draw_member();
            if (!drawn) { // no valid point left that the search could still evaluate
                planned_ = proposed_;
                return;
            }
            Member member = std::move(*drawn);
            const bool is_new = !memo_.contains(member.point) && in_generation.insert(member.point).second;
            if (is_new && proposed_ < planned_) {
                fresh_.push_back(member.point);
                ++proposed_;
            } else if (is_new) {
                return; // the budget is spent: this generation is never learnt from
            }
            members_.push_back(std::move(member));
        }
    }

    struct Member {
        Point point;
        Vector x; // its coordinates in [0, 1], what the strategy learns from
    };

    // A member that satisfies the constraints; nullopt when none is left.
    std::optional<Member> draw_member()
    {
        Vector x;
        for (int attempt = 0; attempt < redraws; ++attempt) {
            x = strategy_.draw(sampler_.rng());
            if (!inside(x))
                continue;
            Point point = to_point(x);
            if (constraints_.allow(point) && !memo_.contains(point))
                return Member{std::move(point), std::move(x)};
        }
        for (double &v : x)
            v = std::clamp(v, 0.0, 1.0);
        Point point = to_point(x);
        if (constraints_.allow(point))
            return Member{std::move(point), std::move(x)};
        while (auto random = sampler_.next())
            if (!memo_.contains(*random))
                return Member{*random, scaled(*random)};
        return std::nullopt;
    }

    static bool inside(const Vector &x)
    {
        return std::all_of(x.begin(), x.end(), [](double v) { return v >= 0.0 && v <= 1.0; });
    }

    // A point from scaled coordinates; choices drawn at random.
    Point to_point(const Vector &x)
    {
        Point point(space_.size());
        for (std::size_t k = 0; k < point.size(); ++k)
            if (space_.parameters()[k].kind == Kind::Choice)
                point[k] = sampler_.draw_value(k);
        for (std::size_t i = 0; i < dims_.size(); ++i) {
            const Parameter &p = space_.parameters()[dims_[i]];
            const auto [lo, hi] = coordinate_range(p);
            point[dims_[i]] = from_coordinate(p, lo + x[i] * (hi - lo));
        }
        return point;
    }

    Vector scaled(const Point &point) const
    {
        Vector x(dims_.size());
        for (std::size_t i = 0; i < dims_.size(); ++i) {
            const Parameter &p = space_.parameters()[dims_[i]];
            const auto [lo, hi] = coordinate_range(p);
            x[i] = hi > lo ? (to_coordinate(p, point[dims_[i]]) - lo) / (hi - lo) : 0.5;
        }
        return x;
    }

    const Space &space_;
    Constraints constraints_;
    Sampler sampler_;
    std::vector<std::size_t> dims_; // the int and float parameters
    Strategy strategy_;
    std::uint64_t planned_;
    std::uint64_t patience_;
    std::vector<Member> members_; // this generation
    std::vector<Point> fresh_;    // its points never evaluated before, in proposal order
    std::size_t next_ask_ = 0, next_tell_ = 0;
    std::unordered_map<Point, Standing, PointHash> memo_;
    std::uint64_t proposed_ = 0, told_ = 0;
    Standing best_;
    std::uint64_t since_best_ = 0;
    bool stopped_ = false;
};

} // namespace

Result<std::unique_ptr<Search>> make_cmaes_search(const Space &space, Constraints constraints, const Options &options)
{
    std::vector<std::size_t> dims;
    for (std::size_t k = 0; k < space.size(); ++k)
        if (space.parameters()[k].kind != Kind::Choice)
            dims.push_back(k);
    if (dims.empty())
        return fail(BTOPT_ERR_INVALID_ARGUMENT,
                    "cmaes needs at least one int or float parameter (choices alone have no order to adapt): use "
                    "'bayesian' or 'random'");
    return std::make_unique<CmaesSearch>(space, std::move(constraints), options, std::move(dims));
}

} // namespace btopt::internal
