# The cross-language check from Julia: the same lines as
# bindings/python/examples/crosslang.py, one per trial:
#   NUMBER fast=F slow=S SCORE STATUS
# SCORE as Python's repr(float) writes it (shortest round-trip digits, "nan"
# for a trial that did not end ok), STATUS the integer trial status.
#   BTOPT_LIBRARY=/path/to/libbtopt.so.1 julia --project=bindings/julia bindings/julia/examples/crosslang.jl
using BTOpt

# Python's repr of a Float64, from Julia's own shortest round-trip digits.
function py_repr(x::Float64)
    isnan(x) && return "nan"
    isinf(x) && return x > 0 ? "inf" : "-inf"
    x == 0 && return signbit(x) ? "-0.0" : "0.0"
    s = string(abs(x))                     # e.g. "0.0123", "12.5", "1.0e-5", "1.2345e20"
    m = match(r"^(\d+)\.(\d+)(?:e(-?\d+))?$", s)
    whole, frac = m.captures[1], m.captures[2]
    shift = m.captures[3] === nothing ? 0 : parse(Int, m.captures[3])
    digits = whole * frac
    point = length(whole) + shift          # digits before the decimal point
    lead = length(digits) - length(lstrip(digits, '0'))
    digits, point = rstrip(lstrip(digits, '0'), '0'), point - lead
    text = if point <= -4 || point > 16    # Python's switch to exponent notation
        mantissa = length(digits) == 1 ? digits : digits[1:1] * "." * digits[2:end]
        e = point - 1
        mantissa * "e" * (e < 0 ? "-" : "+") * lpad(string(abs(e)), 2, '0')
    elseif point <= 0
        "0." * "0"^(-point) * digits
    elseif point >= length(digits)
        digits * "0"^(point - length(digits)) * ".0"
    else
        digits[1:point] * "." * digits[point+1:end]
    end
    return (x < 0 ? "-" : "") * text
end

result = optimize(ParallelOptimizer(plugin="sma_crossover", parameter_space=nothing, algorithm="genetic",
                                    random_seed=7, population_size=16, n_generations=5, n_jobs=2,
                                    backend="process"))
for t in result.trials
    score = t.score === nothing ? NaN : t.score
    println(t.number, " fast=", t.params["fast"], " slow=", t.params["slow"], " ", py_repr(score), " ", Int(t.status))
end
