# What a run found: OptimizationResult and its Trial records.

"""
    TrialStatus

How a trial ended: `TRIAL_OK`, `TRIAL_FAILED` (the objective threw, or
returned NaN or an infinity), `TRIAL_CRASHED` (the worker process died),
`TRIAL_TIMEOUT` (past `eval_timeout`), `TRIAL_CANCELLED` (the run stopped first),
`TRIAL_INFEASIBLE` (it ended ok but breaks the option `require`; its score is kept).
"""
@enum TrialStatus::Int32 begin
    TRIAL_OK = 0
    TRIAL_FAILED = 1
    TRIAL_CRASHED = 2
    TRIAL_TIMEOUT = 3
    TRIAL_CANCELLED = 4
    TRIAL_INFEASIBLE = 5
end

"""The library's word for a trial status: "ok", "failed", "crashed", "timeout", "cancelled", "infeasible"."""
label(s::TrialStatus) = cstr(btopt_trial_status_name(Int32(s)))

trial_status(code::Integer) = 0 <= code <= 5 ? TrialStatus(code) : Int32(code)

"""
    OptimizationResult

The outcome of `optimize`. Fields read at once: `best_params`
(`Dict{String,Any}`, `nothing` when no trial succeeded), `best_score`
(`Float64` or `nothing`), `best_metrics`, `best_index` (its position in
`result.trials`, or `nothing`), `speedup`, `wall_seconds`, `eval_seconds`,
`workers`, `n_trials` (evaluated), `metric_names`, `status_counts`, `rank`.
`result.trials` (or `trials(result)`) reads the kept trials on first use.
The C result is freed by `close(result)` or by the garbage collector; a
result stays valid after its optimizer and space are gone.
"""
mutable struct OptimizationResult
    handle::Ptr{Cvoid}
    decoders::Dict{String,CategoricalParameter}
    best_params::Union{Nothing,Dict{String,Any}}
    best_score::Union{Nothing,Float64}
    best_metrics::Union{Nothing,Dict{String,Union{Nothing,Float64}}}
    best_index::Union{Nothing,Int}
    speedup::Float64
    wall_seconds::Float64
    eval_seconds::Float64
    workers::Int
    n_trials::Int
    rank::Int
    metric_names::Vector{String}
    status_counts::Dict{TrialStatus,Int}
    cached_trials::Any   # nothing, then the Vector{Trial}
end

"""
    Trial

One evaluated point: `number` (position in proposal order), `params`,
`score` (`nothing` unless ok), `status`, `error` ("" when ok), `metrics`
(a plugin's; empty for a Julia objective), `seconds`.
"""
struct Trial
    number::Int
    params::Dict{String,Any}
    score::Union{Nothing,Float64}
    status::Union{TrialStatus,Int32}
    error::String
    metrics::Dict{String,Union{Nothing,Float64}}
    seconds::Float64
    source::OptimizationResult   # keeps the C result for equity_curve
    cindex::Int                  # its index in the C result (from 0)
end

isok(t::Trial) = t.status == TRIAL_OK

function Base.show(io::IO, t::Trial)
    print(io, "Trial(", t.number, ", ", t.params, ", score=", t.score, ", ", t.status)
    isempty(t.error) || print(io, ", error=", repr(t.error))
    print(io, ")")
end

nan_to_nothing(x::Float64) = isnan(x) ? nothing : x

function OptimizationResult(h::Ptr{Cvoid}, decoders::Dict{String,CategoricalParameter})
    names = [cstr(btopt_result_metric_name(h, m)) for m in 0:(Int(btopt_result_metric_count(h)) - 1)]
    counts = Dict{TrialStatus,Int}(s => Int(btopt_result_status_count(h, Int32(s))) for s in instances(TrialStatus))
    rank = has_symbol(:btopt_result_rank) ? Int(btopt_result_rank(h)) : 0
    r = OptimizationResult(h, decoders, nothing, nothing, nothing, nothing,
                           btopt_result_speedup(h), btopt_result_wall_seconds(h), btopt_result_eval_seconds(h),
                           Int(btopt_result_workers(h)), Int(btopt_result_evaluated_count(h)), rank, names,
                           counts, nothing)
    finalizer(destroy!, r)
    best = btopt_result_best_params(h)
    if best != C_NULL
        r.best_params = read_params(best, decoders)
        r.best_score = nan_to_nothing(btopt_result_best_score(h))
        index = Ref{UInt64}(0)
        if btopt_result_best_index(h, index) == 0
            r.best_index = Int(index[]) + 1
            r.best_metrics = trial_metrics(r, Int(index[]))
        end
    end
    return r
end

function destroy!(r::OptimizationResult)
    if r.handle != C_NULL
        btopt_result_destroy(r.handle)
        r.handle = C_NULL
    end
    return nothing
end

Base.close(r::OptimizationResult) = destroy!(r)

function handle(r::OptimizationResult)
    r.handle == C_NULL && throw(ArgumentError("this OptimizationResult was closed"))
    return r.handle
end

# Passed to a ccall as itself, so the call keeps it alive.
Base.cconvert(::Type{Ptr{Cvoid}}, r::OptimizationResult) = r
Base.unsafe_convert(::Type{Ptr{Cvoid}}, r::OptimizationResult) = handle(r)

function trial_metrics(r::OptimizationResult, i::Integer)
    out = Dict{String,Union{Nothing,Float64}}()
    value = Ref{Cdouble}(0)
    for (m, name) in enumerate(r.metric_names)
        check(btopt_result_trial_metric(r, UInt64(i), m - 1, value))
        out[name] = nan_to_nothing(value[])
    end
    return out
end

function read_trial(r::OptimizationResult, i::Integer)
    view, score, st = Ref{Ptr{Cvoid}}(C_NULL), Ref{Cdouble}(0), Ref{Int32}(0)
    number, err, seconds = Ref{UInt64}(0), Ref{Ptr{UInt8}}(C_NULL), Ref{Cdouble}(0)
    check(btopt_result_trial(r, UInt64(i), view, score, st))
    check(btopt_result_trial_info(r, UInt64(i), number, err, seconds))
    return Trial(Int(number[]), read_params(view[], r.decoders), st[] == 0 ? score[] : nothing,
                 trial_status(st[]), cstr(err[]), trial_metrics(r, i), seconds[], r, Int(i))
end

"""
    trials(result) -> Vector{Trial}

The kept trials (all unless `keep_trials` was set), in trial order; read
from C on first use, then cached.
"""
function trials(r::OptimizationResult)
    if r.cached_trials === nothing
        n = Int(btopt_result_trial_count(r))
        r.cached_trials = Trial[read_trial(r, i) for i in 0:(n - 1)]
    end
    return r.cached_trials::Vector{Trial}
end

function Base.getproperty(r::OptimizationResult, name::Symbol)
    name === :trials && return trials(r)
    name === :best_trial && return (bi = getfield(r, :best_index); bi === nothing ? nothing : trials(r)[bi])
    return getfield(r, name)
end

Base.propertynames(r::OptimizationResult, private::Bool=false) =
    (fieldnames(OptimizationResult)..., :trials, :best_trial)

Base.length(r::OptimizationResult) = Int(btopt_result_trial_count(r))

function Base.show(io::IO, r::OptimizationResult)
    print(io, "OptimizationResult(best_params=", r.best_params, ", best_score=", r.best_score,
          ", n_trials=", r.n_trials, ", speedup=", round(r.speedup; digits=2), ")")
end

"""
    write_json(result, path)

Writes the run and every kept trial as JSON (docs/RESULTS.md); `BTOptError`
(`ERR_IO`) when the file cannot be written.
"""
write_json(r::OptimizationResult, path::AbstractString) = check(btopt_result_write_json(r, path))

"""
    write_csv(result, path)

One row per kept trial (docs/RESULTS.md).
"""
write_csv(r::OptimizationResult, path::AbstractString) = check(btopt_result_write_csv(r, path))

"""
    open_study(path; run=0) -> OptimizationResult

A stored run of a study (a SQLite file written by a run with the `study`
option; `run` 0: the last one) with every trial it recorded. Choices come back
as the strings the study stored.
"""
function open_study(path::AbstractString; run::Integer=0)
    has_symbol(:btopt_study_open) || throw(BTOptError(ERR_UNSUPPORTED, "this libbtopt has no studies: update it"))
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(btopt_study_open(out, path, Int64(run)))
    return OptimizationResult(out[], Dict{String,CategoricalParameter}())
end

"""
    study_runs(path) -> Vector{Int64}

The ids of a study's runs, oldest first.
"""
function study_runs(path::AbstractString)
    count = Ref{Csize_t}(0)
    while true
        check(btopt_study_runs(path, Ptr{Int64}(C_NULL), 0, count))
        ids = Vector{Int64}(undef, Int(count[]))
        capacity = count[]
        check(btopt_study_runs(path, ids, capacity, count))
        count[] <= capacity && return ids[1:Int(count[])]  # else a run began meanwhile: ask again
    end
end
