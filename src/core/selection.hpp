// The selection-bias statistics of a run (docs/VALIDATION.md), computed after
// the run by src/analysis from the trials' metrics: plain data, so the result,
// its files and the C ABI can hand them out without knowing how.
#pragma once

#include <cstdint>
#include <cstddef>
#include <string>
#include <vector>

namespace btopt::internal {

struct SharpeStats {
    std::uint64_t trials = 0;    // N: every evaluated trial, failed and infeasible ones too
    std::uint64_t returns = 0;   // T: returns of the best trial
    double sharpe = 0.0;         // the best trial's Sharpe ratio per return (not annualised)
    double skewness = 0.0;       // of the best trial's returns
    double kurtosis = 0.0;       // of the best trial's returns (3 for a normal law)
    double sharpe_variance = 0.0; // of the ok trials' Sharpe ratios per return
    double expected_max = 0.0;   // SR0: the expected best Sharpe of N trials without skill
    double psr = 0.0;            // Probabilistic Sharpe Ratio: P(true Sharpe > 0)
    double dsr = 0.0;            // Deflated Sharpe Ratio: P(true Sharpe > SR0)
};

struct OverfitStats {
    std::uint32_t blocks = 0;         // S
    std::uint64_t strategies = 0;     // trials compared (the ok ones)
    std::uint64_t combinations = 0;   // splits evaluated
    std::uint64_t all_combinations = 0; // C(S, S/2); more than combinations when they were sampled
    double pbo = 0.0;                 // the share of splits whose in-sample best ranks below the median out of sample
    double logit_mean = 0.0;          // the mean of the logits λ
};

// How the score varies along one parameter through the best point.
struct Sensitivity {
    double min_score = 0.0, max_score = 0.0;
    std::uint64_t points = 0; // successful trials on that line, the best included
};

// Robustness of the optimum (grid runs): a trial's neighbourhood score is the
// worst score of the successful trials within `radius` grid steps of it on
// every parameter, itself included.
struct RobustStats {
    std::uint32_t radius = 1;
    std::size_t robust_row = 0;      // row (in the result's trials) with the best neighbourhood score
    double robust_score = 0.0;       // that neighbourhood score
    double best_neighbourhood = 0.0; // the best trial's neighbourhood score
    std::vector<Sensitivity> sensitivity; // by parameter
};

struct SelectionStats {
    bool has_sharpe = false;
    SharpeStats sharpe;
    bool has_overfit = false;
    OverfitStats overfit;
    bool has_robust = false;
    RobustStats robust;
    std::size_t chosen_row = 0; // what option `select` picks: the best trial's row, or robust_row
    std::string note; // why a statistic is missing; empty when all are there
};

} // namespace btopt::internal
