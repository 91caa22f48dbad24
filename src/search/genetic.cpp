// Genetic search: a population evolves over n_generations by tournament
// selection, uniform crossover, per-gene mutation and elitism. Each
// generation's new points are asked as one batch (that is where the
// parallelism is). A point already evaluated is never evaluated again: its
// fitness is remembered, so the trial list holds each distinct point once.
// Offspring that break a constraint are bred again, then replaced by a fresh
// random point; they never become trials. Infeasible trials rank below
// every feasible one, failed ones below those (standing.hpp). With patience N, the run ends
// after the generation in which N trials in a row did not improve the best.
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

// Tries to breed a valid, new child before falling back to a fresh random point.
constexpr int breeding_attempts = 20;

class GeneticSearch final : public Search {
public:
    GeneticSearch(const Space &space, Constraints constraints, const Options &options)
        : constraints_(std::move(constraints)),
          sampler_(space, constraints_, static_cast<std::uint64_t>(options.random_seed)),
          population_size_(static_cast<std::size_t>(options.population_size)),
          generations_(static_cast<std::uint64_t>(options.n_generations)),
          tournament_(static_cast<std::size_t>(options.tournament_size)),
          elites_(std::min(static_cast<std::size_t>(options.elite_count), population_size_)),
          crossover_rate_(options.crossover_rate), mutation_rate_(options.mutation_rate),
          patience_(static_cast<std::uint64_t>(options.patience))
    {
        seed_population();
    }

    Result<void> ask(std::size_t max, std::vector<Point> &points) override
    {
        if (untold_ == 0 && next_ask_ == fresh_.size() && !finished())
            advance_generation();
        for (std::size_t asked = 0; asked < max && next_ask_ < fresh_.size(); ++asked) {
            points.push_back(fresh_[next_ask_++]);
            ++untold_;
        }
        return {};
    }

    void tell(std::optional<double> fitness) override { hear(Standing::told(fitness)); }
    void tell_infeasible(double fitness) override { hear(Standing::infeasible(fitness)); }

    void hear(Standing f)
    {
        memo_[fresh_[next_tell_++]] = f;
        --untold_;
        ++evaluated_;
        if (evaluated_ == 1 || f > best_)
            best_ = f, since_best_ = 0;
        else
            ++since_best_;
    }

    bool finished() const override
    {
        const bool generation_done = untold_ == 0 && next_ask_ == fresh_.size();
        const bool out_of_patience = patience_ > 0 && since_best_ >= patience_;
        return generation_done && (generation_ + 1 >= generations_ || stalled_ || out_of_patience);
    }

    std::uint64_t planned() const override
    {
        if (finished())
            return evaluated_;
        const std::uint64_t later = (generations_ - generation_ - 1) * population_size_;
        return evaluated_ + untold_ + (fresh_.size() - next_ask_) + later;
    }

private:
    void seed_population()
    {
        while (population_.size() < population_size_) {
            auto point = sampler_.next();
            if (!point)
                break;
            add_member(std::move(*point));
        }
        stalled_ = fresh_.empty();
    }

    // Puts a point in the next population; a point never seen becomes a trial.
    void add_member(Point point)
    {
        if (is_new(point)) {
            fresh_set_.insert(point);
            fresh_.push_back(point);
        }
        population_.push_back(std::move(point));
    }

    Standing fitness(const Point &point) const { return memo_.at(point); }

    void advance_generation()
    {
        ++generation_;
        const std::vector<Point> parents = std::move(population_);
        std::vector<std::size_t> ranked(parents.size());
        std::iota(ranked.begin(), ranked.end(), 0);
        std::stable_sort(ranked.begin(), ranked.end(),
                         [&](std::size_t a, std::size_t b) { return fitness(parents[a]) > fitness(parents[b]); });
        population_.clear();
        fresh_.clear();
        fresh_set_.clear();
        next_ask_ = next_tell_ = 0;
        for (std::size_t e = 0; e < elites_ && e < ranked.size(); ++e)
            population_.push_back(parents[ranked[e]]);
        while (population_.size() < population_size_) {
            auto child = breed(parents);
            if (!child)
                break;
            add_member(std::move(*child));
        }
        stalled_ = fresh_.empty();
    }

    // A valid child not evaluated before, or a fresh random point when
    // breeding keeps failing; nullopt when the space has nothing new left.
    std::optional<Point> breed(const std::vector<Point> &parents)
    {
        for (int attempt = 0; attempt < breeding_attempts; ++attempt) {
            const Point &a = select(parents);
            const Point &b = select(parents);
            Point child = crossover(a, b);
            mutate(child, attempt > 0);
            if (constraints_.allow(child) && is_new(child))
                return child;
        }
        while (auto point = sampler_.next())
            if (is_new(*point))
                return point;
        return std::nullopt;
    }

    bool is_new(const Point &point) const
    {
        return !memo_.contains(point) && !fresh_set_.contains(point);
    }

    // Tournament selection: the fittest of `tournament_` members drawn at
    // random; ties go to the member drawn first.
    const Point &select(const std::vector<Point> &parents)
    {
        const Point *best = &parents[sampler_.rng().below(parents.size())];
        for (std::size_t k = 1; k < tournament_; ++k) {
            const Point &other = parents[sampler_.rng().below(parents.size())];
            if (fitness(other) > fitness(*best))
                best = &other;
        }
        return *best;
    }

    Point crossover(const Point &a, const Point &b)
    {
        Point child = a;
        if (!sampler_.rng().chance(crossover_rate_))
            return child;
        for (std::size_t k = 0; k < child.size(); ++k)
            if (sampler_.rng().chance(0.5))
                child[k] = b[k];
        return child;
    }

    // Each gene is redrawn from its range with probability mutation_rate;
    // `force` redraws at least one, to get away from a duplicate.
    void mutate(Point &child, bool force)
    {
        bool changed = false;
        for (std::size_t k = 0; k < child.size(); ++k)
            if (sampler_.rng().chance(mutation_rate_)) {
                child[k] = sampler_.draw_value(k);
                changed = true;
            }
        if (force && !changed) {
            const auto k = static_cast<std::size_t>(sampler_.rng().below(child.size()));
            child[k] = sampler_.draw_value(k);
        }
    }

    Constraints constraints_;
    Sampler sampler_;
    std::size_t population_size_;
    std::uint64_t generations_;
    std::size_t tournament_;
    std::size_t elites_;
    double crossover_rate_;
    double mutation_rate_;
    std::uint64_t patience_; // 0: never stop early
    Standing best_;
    std::uint64_t since_best_ = 0; // trials told since the best one

    std::vector<Point> population_; // this generation, elites first
    std::vector<Point> fresh_;      // its points never evaluated before, in proposal order
    std::unordered_set<Point, PointHash> fresh_set_;
    std::size_t next_ask_ = 0, next_tell_ = 0, untold_ = 0;
    std::unordered_map<Point, Standing, PointHash> memo_;
    std::uint64_t generation_ = 0;
    std::uint64_t evaluated_ = 0;
    bool stalled_ = false; // the last generation found nothing new: the space is used up
};

} // namespace

Result<std::unique_ptr<Search>> make_genetic_search(const Space &space, Constraints constraints,
                                                    const Options &options)
{
    return std::make_unique<GeneticSearch>(space, std::move(constraints), options);
}

} // namespace btopt::internal
