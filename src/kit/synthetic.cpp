#include "btopt/kit/synthetic.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <gsl/assert>

#include "../core/rng.hpp"

namespace btopt::kit {
namespace {

// The search's engine (xoshiro256**) seeded with the splitmix64 stream of
// `seed` (the generator's outputs at seed, seed + step, ...), the seeding the
// synthetic bars always had, so their prices stay the same.
btopt::internal::Rng seeded_engine(std::uint64_t seed) {
    std::uint64_t words[4];
    for (auto& word : words) {
        word = btopt::internal::splitmix64(seed);
        seed += 0x9E3779B97F4A7C15ULL;
    }
    return btopt::internal::Rng(words);
}

constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln 2 split so k * kLn2Hi is exact
constexpr double kLn2Lo = 1.90821492927058770002e-10;

// e^x for |x| < 700: Cody–Waite reduction to |r| <= ln2/2, then Taylor to r^13
// (the next term is below 5e-18 relative). Accurate to a few ulp; deterministic.
double det_exp(double x) {
    Expects(std::abs(x) < 700.0);
    const double k = std::floor(x / 0.69314718055994530942 + 0.5);
    const double r = (x - k * kLn2Hi) - k * kLn2Lo;
    double poly = 1.0;
    for (int n = 13; n >= 1; --n) poly = 1.0 + poly * r / n;
    return std::ldexp(poly, static_cast<int>(k));
}

// ln x for x > 0: x = m * 2^e with m in [sqrt(1/2), sqrt(2)), then
// ln m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172, summed to s^25.
double det_log(double x) {
    Expects(x > 0.0);
    int e = 0;
    double m = std::frexp(x, &e);
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        --e;
    }
    const double s = (m - 1.0) / (m + 1.0);
    const double s2 = s * s;
    double series = 0.0;
    for (int k = 12; k >= 0; --k) series = 1.0 / (2 * k + 1) + series * s2;
    return (e * kLn2Hi + 2.0 * s * series) + e * kLn2Lo;
}

// Marsaglia's polar method: two normals per accepted pair, the second kept.
class NormalSource {
public:
    explicit NormalSource(std::uint64_t seed) : engine_(seeded_engine(seed)) {}
    double next() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u = 0.0, v = 0.0, s = 0.0;
        do {
            u = 2.0 * engine_.unit() - 1.0;
            v = 2.0 * engine_.unit() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double scale = std::sqrt(-2.0 * det_log(s) / s);
        spare_ = v * scale;
        has_spare_ = true;
        return u * scale;
    }

private:
    btopt::internal::Rng engine_;
    double spare_ = 0.0;
    bool has_spare_ = false;
};

constexpr std::int64_t kStart = 946684800;  // 2000-01-01 00:00:00 UTC

}  // namespace

Bars synthetic_gbm(std::size_t n_bars, std::uint64_t seed, double s0, double mu, double sigma,
                   double periods_per_year) {
    Expects(s0 > 0.0 && sigma >= 0.0 && periods_per_year > 0.0);
    const double dt = 1.0 / periods_per_year;
    const double drift = (mu - 0.5 * sigma * sigma) * dt;
    const double vol = sigma * std::sqrt(dt);

    std::vector<std::int64_t> ts(n_bars);
    Bars::DoubleColumns cols;
    for (const Column c : {Column::Open, Column::High, Column::Low, Column::Close, Column::Volume})
        cols[static_cast<std::size_t>(c)].resize(n_bars);
    auto& open = cols[static_cast<std::size_t>(Column::Open)];
    auto& high = cols[static_cast<std::size_t>(Column::High)];
    auto& low = cols[static_cast<std::size_t>(Column::Low)];
    auto& close = cols[static_cast<std::size_t>(Column::Close)];
    auto& volume = cols[static_cast<std::size_t>(Column::Volume)];

    NormalSource normal(seed);
    double price = s0;
    for (std::size_t t = 0; t < n_bars; ++t) {
        const double z = normal.next(), zh = normal.next(), zl = normal.next(), zv = normal.next();
        ts[t] = kStart + static_cast<std::int64_t>(t) * 86400;
        open[t] = price;
        close[t] = price * det_exp(drift + vol * z);
        high[t] = std::max(open[t], close[t]) * det_exp(0.5 * vol * std::abs(zh));
        low[t] = std::min(open[t], close[t]) * det_exp(-0.5 * vol * std::abs(zl));
        volume[t] = std::floor(1e6 * det_exp(0.25 * zv));
        price = close[t];
    }
    return Bars::from_vectors(std::move(ts), std::move(cols));
}

}  // namespace btopt::kit
