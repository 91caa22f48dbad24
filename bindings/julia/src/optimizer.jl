# ParallelOptimizer and Optimizer: the Python original's API over btopt.
#
# Where a Julia objective runs: always "inline", on the calling task's
# thread, one point at a time, with the garbage collector running as usual.
# btopt's other backends are refused for it: "process" because the Julia
# runtime does not survive fork, "thread" because it would run Julia on
# btopt's own (adopted) threads while the calling thread waits inside C,
# where it cannot join a collection: the collector would have to be off for
# the whole run while every trial allocates (read_params' Dict). Strategy
# plugins (`plugin=`) and C-registered objectives run in btopt's workers and
# use every backend.

# What C calls back into during a run (through `user`): never an exception
# into C; the objective's becomes the trial's failure (btopt_fail), the
# callback's cancels the run and is thrown again by optimize.
mutable struct CallState
    objective::Any
    callback::Any
    decoders::Dict{String,CategoricalParameter}
    opt::Ptr{Cvoid}
    interrupted::Bool
    callback_error::Any
end

const OBJECTIVE_C = Ref{Ptr{Cvoid}}(C_NULL)
const PROGRESS_C = Ref{Ptr{Cvoid}}(C_NULL)

function to_score(value)
    value isa Real || throw(ArgumentError("the objective returned $(repr(value)): return a real number"))
    return Float64(value)
end

function describe(err)
    text = try
        sprint(showerror, err)
    catch
        "the objective threw an exception that cannot be shown"
    end
    return replace(text, '\0' => ' ')
end

function objective_trampoline(user::Ptr{Cvoid}, view::Ptr{Cvoid}, score::Ptr{Cdouble})::Cint
    try
        state = unsafe_pointer_to_objref(user)::CallState
        try
            unsafe_store!(score, to_score(state.objective(read_params(view, state.decoders))))
            return Cint(0)
        catch err
            if err isa InterruptException
                state.interrupted = true
                btopt_optimizer_cancel(state.opt)
            end
            return btopt_fail(describe(err))
        end
    catch
        return btopt_fail("the objective failed")
    end
end

function progress_trampoline(user::Ptr{Cvoid}, done::UInt64, total::UInt64, best::Cdouble)::Cvoid
    try
        state = unsafe_pointer_to_objref(user)::CallState
        try
            if state.callback !== nothing && state.callback_error === nothing
                state.callback(Int(done), Int(total), best)
            end
        catch err
            if err isa InterruptException
                state.interrupted = true
            else
                state.callback_error = err
            end
            btopt_optimizer_cancel(state.opt)
        end
    catch
    end
    return nothing
end

const BACKEND_ALIASES = Dict("multiprocessing" => "process", "threading" => "thread", "sequential" => "inline")

"""
    ParallelOptimizer(objective, space; algorithm="grid", n_jobs=-1, options...)
    ParallelOptimizer(; objective_function=nothing, parameter_space=nothing, plugin=nothing,
                      plugin_config=nothing, objective_metric=nothing, algorithm="grid",
                      callback=nothing, n_jobs=-1, backend=nothing, ignore_errors=nothing, options...)

Evaluates a parameter space in parallel with grid, random or genetic search.
The objective takes a `Dict{String,Any}` and returns a real score (higher
is better unless `direction="minimize"`); an exception it throws marks that
trial failed with its text. A strategy plugin may be the objective instead:
`plugin="sma_crossover"` (then `parameter_space` may be `nothing`, or narrow
the plugin's ranges), with `plugin_config` (a Dict, NamedTuple or pairs) and
`objective_metric`.

Options, by btopt's names: `n_iterations`, `random_seed`, `population_size`,
`n_generations`, `tournament_size`, `elite_count`, `crossover_rate`,
`mutation_rate`, `batch_q`, `patience`, `batch_size`, `keep_trials`, `progress_interval`, `pbo_blocks`, `robust_radius`, `select`, `eval_timeout`, `init_timeout`,
`max_memory_per_worker` ("2GB" or bytes), `threads_per_worker`, `direction`,
`start_method`, `study`, `study_mode`, `data_fingerprint`, `start` and `end`
(the bars a plugin's run trades: "YYYY-MM-DD" or a bar number), `max_seconds` (a
wall-clock budget: trials not started by then are not evaluated), `require` (a
condition over a trial's metrics and score, e.g. "trades >= 30 && max_drawdown < 0.3":
a trial that breaks it is infeasible, never the best), and any option a
newer btopt adds. `callback(iteration,
total, best_score)` runs on the calling thread as trials finish; it may call
`cancel!`. `deterministic` is accepted for the original's signature.
"""
mutable struct ParallelOptimizer
    handle::Ptr{Cvoid}
    state::CallState
    decoders::Dict{String,CategoricalParameter}
    backend::Union{Nothing,String}
    n_jobs::Int
    host::Bool
    julia_objective::Bool   # a Julia function (not a plugin, not a C-registered objective)
    running::Bool
    keepalive::Any
    last_partial::Union{Nothing,OptimizationResult}
end

ParallelOptimizer(objective_function, parameter_space::ParameterSpace; kwargs...) =
    ParallelOptimizer(; objective_function=objective_function, parameter_space=parameter_space, kwargs...)

function ParallelOptimizer(; objective_function=nothing, parameter_space::Union{Nothing,ParameterSpace}=nothing,
                           algorithm::AbstractString="grid", plugin=nothing, plugin_config=nothing,
                           objective_metric=nothing, callback=nothing, n_jobs::Integer=-1, backend=nothing,
                           ignore_errors=nothing, deterministic::Bool=true, options...)
    (objective_function === nothing) == (plugin === nothing) &&
        throw(ArgumentError("give either objective_function or plugin (exactly one)"))
    parameter_space === nothing && plugin === nothing &&
        throw(ArgumentError("parameter_space is required with an objective_function"))
    host = objective_function !== nothing
    if backend !== nothing
        backend = get(BACKEND_ALIASES, String(backend), String(backend))
        backend in ("ray", "dask") &&
            throw(BTOptError(ERR_UNSUPPORTED, "backend \"$backend\": btopt runs on one machine (inline, thread or process)"))
    end
    decs = decoders(parameter_space)
    state = CallState(objective_function isa AbstractString ? nothing : objective_function, callback, decs,
                      C_NULL, false, nothing)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(btopt_optimizer_create(out, parameter_space === nothing ? C_NULL : parameter_space, algorithm))
    julia_objective = host && !(objective_function isa AbstractString && !haskey(REGISTRY, objective_function))
    opt = finalizer(destroy!, ParallelOptimizer(out[], state, decs, nothing, Int(n_jobs), host, julia_objective,
                                                false, nothing, nothing))
    state.opt = out[]
    set_option!(opt, :n_jobs, n_jobs)
    if backend !== nothing
        set_option!(opt, :backend, backend)
    elseif julia_objective
        set_option!(opt, :backend, "inline")  # whatever n_jobs says: see the top of this file
    end
    ignore_errors === nothing || set_option!(opt, :ignore_errors, ignore_errors ? 1 : 0)
    for (name, value) in options
        value === nothing && continue
        try
            set_option!(opt, name, value)
        catch err
            if err isa BTOptError && err.code == Int32(ERR_NOT_FOUND)
                throw(ArgumentError("unknown keyword argument $name (btopt has no option \"$name\")"))
            end
            rethrow()
        end
    end
    if objective_function isa AbstractString
        lock(REGISTRY_LOCK) do
            check(btopt_optimizer_use_objective(opt, objective_function))
            opt.keepalive = get(REGISTRY, String(objective_function), nothing)
        end
    elseif host
        check(btopt_optimizer_set_objective(opt, OBJECTIVE_C[], pointer_from_objref(state)))
    else
        check(btopt_optimizer_use_plugin(opt, string(plugin)))
        if plugin_config !== nothing
            for (key, value) in (plugin_config isa AbstractVector ? plugin_config : pairs(plugin_config))
                check(btopt_optimizer_set_plugin_config(opt, string(key), config_text(value)))
            end
        end
        objective_metric === nothing || check(btopt_optimizer_set_objective_metric(opt, String(objective_metric)))
    end
    check(btopt_optimizer_set_progress(opt, PROGRESS_C[], pointer_from_objref(state)))
    return opt
end

config_text(value::Bool) = value ? "1" : "0"
config_text(value) = string(value)

"""
    Optimizer(objective, space; options...)

The sequential optimizer of the original: a `ParallelOptimizer` with `n_jobs=1`.
"""
function Optimizer(objective_function, parameter_space::ParameterSpace; n_jobs::Integer=1, kwargs...)
    n_jobs == 1 || throw(ArgumentError("Optimizer is sequential (n_jobs=1); use ParallelOptimizer"))
    return ParallelOptimizer(objective_function, parameter_space; n_jobs=1, kwargs...)
end

function destroy!(opt::ParallelOptimizer)
    if opt.handle != C_NULL
        btopt_optimizer_destroy(opt.handle)
        opt.handle = C_NULL
    end
    return nothing
end

function Base.close(opt::ParallelOptimizer)
    opt.running && throw(ArgumentError("close during optimize"))
    return destroy!(opt)
end

function handle(opt::ParallelOptimizer)
    opt.handle == C_NULL && throw(ArgumentError("this ParallelOptimizer was closed"))
    return opt.handle
end

# Passed to a ccall as itself, so the call keeps it alive.
Base.cconvert(::Type{Ptr{Cvoid}}, opt::ParallelOptimizer) = opt
Base.unsafe_convert(::Type{Ptr{Cvoid}}, opt::ParallelOptimizer) = handle(opt)

"""
    set_option!(optimizer, name, value) -> optimizer

Sets a btopt option by name with the setter its type calls for (Integer or
Bool: set_int, other Real: set_double, String: set_string). `BTOptError`
with `ERR_NOT_FOUND` for an unknown option, `ERR_INVALID_ARGUMENT` for a bad
value.
"""
function set_option!(opt::ParallelOptimizer, name::Union{Symbol,AbstractString}, value)
    key = String(name)
    if key == "backend" && value isa AbstractString
        value = get(BACKEND_ALIASES, String(value), String(value))
    end
    if opt.julia_objective &&
       ((key == "backend" && value == "process") || (key == "start_method" && value == "fork"))
        throw(BTOptError(ERR_UNSUPPORTED, "a Julia objective cannot run in forked worker processes (the Julia " *
                                          "runtime does not survive fork): use backend \"inline\", " *
                                          "or a strategy plugin"))
    end
    if opt.julia_objective && key == "backend" && value == "thread"
        throw(BTOptError(ERR_UNSUPPORTED, "a Julia objective runs inline: on btopt's threads Julia's garbage " *
                                          "collector would have to be off for the whole run; use backend " *
                                          "\"inline\", or a strategy plugin for parallel runs"))
    end
    if value isa AbstractString
        check(btopt_optimizer_set_string(opt, key, value))
    elseif value isa Integer
        check(btopt_optimizer_set_int(opt, key, Int64(value)))
    elseif value isa Real
        check(btopt_optimizer_set_double(opt, key, Float64(value)))
    else
        throw(ArgumentError("option \"$key\": give an integer, a number or a string, not $(typeof(value))"))
    end
    key == "backend" && (opt.backend = String(value))
    return opt
end

"""
    optimize(optimizer) -> OptimizationResult

Runs the search. Throws `BTOptError` with `ERR_OBJECTIVE` (a trial failed and
`ignore_errors` is off) or `ERR_CANCELLED` (`cancel!`), each with
`partial_result`; `InterruptException` after Ctrl-C and whatever the callback
threw, each after cancelling the run (`partial_result(optimizer)` then
holds the trials run).
"""
function optimize(opt::ParallelOptimizer)
    opt.running && throw(ArgumentError("optimize is already running on this optimizer"))
    state = opt.state
    state.interrupted = false
    state.callback_error = nothing
    handle(opt)  # not closed
    out = Ref{Ptr{Cvoid}}(C_NULL)
    opt.running = true
    # A Julia objective runs inline (see the top of this file), so the
    # collector runs as usual: nothing here turns it off.
    code = GC.@preserve opt state begin
        try
            btopt_optimizer_run(opt, out)
        finally
            opt.running = false
        end
    end
    message = code == 0 ? "" : cstr(btopt_last_error())
    result = out[] == C_NULL ? nothing : OptimizationResult(out[], opt.decoders)
    opt.last_partial = code == 0 ? nothing : result
    state.interrupted && throw(InterruptException())
    if state.callback_error !== nothing
        err = state.callback_error
        state.callback_error = nothing
        throw(err)
    end
    code == 0 || throw(BTOptError(Int32(code), message, result))
    return result
end

"""
    partial_result(optimizer)

The partial result of the last `optimize` that threw (`nothing` after a
successful one).
"""
partial_result(opt::ParallelOptimizer) = opt.last_partial

"""
    cancel!(optimizer)

Asks a running `optimize` to stop; safe from the callback and from other
tasks and threads. `optimize` then throws `BTOptError` (`ERR_CANCELLED`).
"""
cancel!(opt::ParallelOptimizer) = (btopt_optimizer_cancel(opt); nothing)

"""
    equity_curve(optimizer, trial_or_result) -> (equity=..., buy_and_hold=...)

The equity curve of a point (a `Trial`, or a result's best) under the
optimizer's plugin and config, with buy-and-hold over the same bars, both
starting at 1. `BTOptError` `ERR_UNSUPPORTED` when the plugin offers no
equity curves, `ERR_INVALID_ARGUMENT` without a plugin.
"""
function equity_curve(opt::ParallelOptimizer, r::OptimizationResult)
    view = btopt_result_best_params(r)
    view == C_NULL && throw(ArgumentError("the result has no successful trial"))
    return GC.@preserve r series_of(opt, view)
end

function equity_curve(opt::ParallelOptimizer, t::Trial)
    r = t.source
    view, score, st = Ref{Ptr{Cvoid}}(C_NULL), Ref{Cdouble}(0), Ref{Int32}(0)
    check(btopt_result_trial(r, UInt64(t.cindex), view, score, st))
    return GC.@preserve r series_of(opt, view[])
end

function series_of(opt::ParallelOptimizer, view::Ptr{Cvoid})
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(btopt_optimizer_equity_curve(out, opt, view))
    series = out[]
    try
        n = Int(btopt_series_length(series))
        n == 0 && return (equity=Float64[], buy_and_hold=Float64[])
        equity = copy(unsafe_wrap(Array, btopt_series_equity(series), n))
        hold = copy(unsafe_wrap(Array, btopt_series_buy_and_hold(series), n))
        return (equity=equity, buy_and_hold=hold)
    finally
        btopt_series_destroy(series)
    end
end

# name => the CallState of each objective this process registered. An
# optimizer using one holds it (keepalive), so replacing or unregistering a
# name never frees what C may still call.
const REGISTRY = Dict{String,CallState}()
const REGISTRY_LOCK = ReentrantLock()

"""
    register_objective(name, objective)

Registers a Julia objective process-wide under `name`, for
`ParallelOptimizer(name, space)`. Registering a name again replaces it;
optimizers already using the old one keep it.
"""
function register_objective(name::AbstractString, objective)
    state = CallState(objective, nothing, Dict{String,CategoricalParameter}(), C_NULL, false, nothing)
    lock(REGISTRY_LOCK) do
        check(btopt_register_objective(name, OBJECTIVE_C[], pointer_from_objref(state)))
        REGISTRY[String(name)] = state
    end
    return nothing
end

"""
    unregister_objective(name)

Forgets a registered objective; optimizers already using it keep it.
"""
function unregister_objective(name::AbstractString)
    has_symbol(:btopt_unregister_objective) ||
        throw(BTOptError(ERR_UNSUPPORTED, "this libbtopt has no btopt_unregister_objective"))
    lock(REGISTRY_LOCK) do
        check(btopt_unregister_objective(name))
        delete!(REGISTRY, String(name))
    end
    return nothing
end
