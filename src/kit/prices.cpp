#include "btopt/kit/prices.hpp"

#include "kernels.hpp"
#include "prefix_sum.hpp"

namespace btopt::kit {

Prices::Prices(std::span<const double> closes)
    : closes_(closes.begin(), closes.end()), changes_(closes.size(), 0.0) {
    if (closes.size() >= 2) detail::kernels().changes(closes.data(), closes.size() - 1, changes_.data() + 1);
}

WindowSums::WindowSums(std::span<const double> closes) : high_(closes.size() + 1), low_(closes.size() + 1) {
    detail::PrefixSum sum;
    for (std::size_t t = 0; t < closes.size(); ++t) {
        sum.add(closes[t]);
        high_[t + 1] = sum.high();
        low_[t + 1] = sum.low();
    }
}

}  // namespace btopt::kit
