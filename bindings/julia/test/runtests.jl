# BTOpt's tests. Run where Julia exists (see README.md):
#   BTOPT_LIBRARY=/path/to/build/src/libbtopt.so.1 julia --project=bindings/julia -e 'using Pkg; Pkg.test()'
# The test plugins (faulty.so, c_quadratic.so) are looked for in
# BTOPT_TEST_PLUGIN_DIR, else in the build's tests/plugins next to the library.
using Test
using BTOpt

const LIBRARY = get(ENV, "BTOPT_LIBRARY", "")
const PLUGIN_DIR = get(ENV, "BTOPT_TEST_PLUGIN_DIR",
                       isempty(LIBRARY) ? "" : joinpath(dirname(dirname(realpath(LIBRARY))), "tests", "plugins"))
test_plugin(name) = joinpath(PLUGIN_DIR, name * ".so")

# A cheap deterministic stand-in for a backtest.
function sharpe_of(p)
    total = 0.0
    for (i, name) in enumerate(sort!(collect(keys(p))))
        v = p[name]
        v isa Real && (total += sin(0.37 * v + i) * i - 1e-4 * v^2)
    end
    return round(total; digits=12)
end

small_space(n=10) = ParameterSpace([DiscreteParameter("a", 0, n - 1)])
rows(r) = [(t.number, t.params, t.score, t.status, t.error, t.metrics) for t in r.trials]

@testset "BTOpt" begin

@testset "library" begin
    @test abi_version() == 1
    @test count(==('.'), library_version()) == 2
end

@testset "parameter spaces" begin
    space = ParameterSpace([DiscreteParameter("fast", 10, 50; step=5), DiscreteParameter("slow", 50, 200; step=25),
                            CategoricalParameter("mode", ["a", "b"])]; constraints=["fast < slow"])
    @test cardinality(space) == 9 * 7 * 2
    @test constraints(space) == ["fast < slow"]
    @test length(space) == 3
    @test cardinality(ParameterSpace([DiscreteParameter("x", 0, 10; step=3)])) == 4
    @test cardinality(ParameterSpace([ContinuousParameter("x", 0.0, 1.0; step=0.25)])) == 5
    @test cardinality(ParameterSpace([ContinuousParameter("x", 0.0, 1.0)])) == Inf
    @test cardinality(ParameterSpace(parameters=[DiscreteParameter("x", 1, 3)])) == 3

    e = try ParameterSpace([DiscreteParameter("x", 1, 2), DiscreteParameter("x", 1, 2)]); nothing catch err; err end
    @test e isa BTOptError && status(e) == BTOpt.ERR_INVALID_ARGUMENT && occursin("x", e.message)
    @test_throws BTOptError ParameterSpace([DiscreteParameter("x", 5, 1)])
    @test_throws BTOptError ParameterSpace([CategoricalParameter("m", String[])])
    @test_throws ArgumentError CategoricalParameter("m", [1, "1"])
    s = ParameterSpace([DiscreteParameter("fast", 1, 5)])
    e = try add_constraint!(s, "fast < nope"); nothing catch err; err end
    @test e isa BTOptError && occursin("nope", e.message)
    @test_throws ArgumentError add_constraint!(s, "fast\0 < 2")

    back = BTOpt.read_space(s.handle)
    @test parameters(back) == parameters(s) && constraints(back) == constraints(s)
    close(s)
    close(s)
    @test_throws ArgumentError cardinality(s)
end

@testset "grid, constraints, choices" begin
    space = ParameterSpace([DiscreteParameter("fast", 1, 5), DiscreteParameter("slow", 1, 5)];
                           constraints=["fast * 2 <= slow"])
    seen = Dict{String,Any}[]
    result = optimize(ParallelOptimizer(p -> (push!(seen, p); p["slow"] - p["fast"]), space; n_jobs=1))
    points = [t.params for t in result.trials]
    @test points == [Dict{String,Any}("fast" => f, "slow" => s) for f in 1:5 for s in 1:5 if 2f <= s]
    @test seen == points
    @test result.best_params == Dict("fast" => 1, "slow" => 5) && result.best_score == 4.0
    @test result.best_trial.params == result.best_params && result.n_trials == length(points)

    flags = ParameterSpace([CategoricalParameter("flag", [true, false]), CategoricalParameter("w", [10, 20])])
    r = optimize(ParallelOptimizer(p -> (p["flag"] ? 1 : 0) + p["w"] / 100, flags; n_jobs=1))
    @test r.best_params == Dict("flag" => true, "w" => 20)
    @test r.best_params["flag"] isa Bool && r.best_params["w"] isa Int
end

@testset "determinism across backends" begin
    space() = ParameterSpace([DiscreteParameter("fast", 5, 40; step=5), ContinuousParameter("x", 0.0, 1.0),
                              CategoricalParameter("mode", ["a", "b"])])
    objective(p) = sharpe_of(Dict(k => v for (k, v) in p if k != "mode")) + (p["mode"] == "b" ? 0.25 : 0.0)
    for (algorithm, extra) in (("random", (n_iterations=40, random_seed=11)),
                               ("genetic", (population_size=12, n_generations=4, random_seed=5)))
        runs = [rows(optimize(ParallelOptimizer(objective, space(); algorithm=algorithm, extra..., setup...)))
                for setup in ((n_jobs=1,), (n_jobs=2,), (n_jobs=2, backend="inline"), (n_jobs=4, batch_size=1))]
        @test all(==(runs[1]), runs)
        @test length(runs[1]) > 10
    end
end

@testset "a Julia objective runs inline, with the collector on" begin
    # Not on btopt's threads, and the collector is never turned off: a run
    # whose every trial allocates collects garbage while it runs.
    collections_before = Base.gc_num().pause
    allocate(p) = (sum(length(rand(10_000)) for _ in 1:20); p["a"])
    r = optimize(ParallelOptimizer(allocate, small_space(200); n_jobs=2))
    @test r.workers == 1 && r.status_counts[BTOpt.TRIAL_OK] == 200
    @test Base.gc_num().pause > collections_before
    @test GC.enable(true)  # it was on all along
    main_thread = Threads.threadid()
    on = optimize(ParallelOptimizer(p -> Threads.threadid() == main_thread ? 1 : 0, small_space(); n_jobs=4))
    @test all(t -> t.score == 1, on.trials)
    e = try ParallelOptimizer(p -> 1, small_space(); backend="thread"); nothing catch err; err end
    @test e isa BTOptError && status(e) == BTOpt.ERR_UNSUPPORTED && occursin("inline", e.message)
end

@testset "errors become failed trials or exceptions" begin
    objective(p) = p["a"] == 2 ? error("no bars for 2") : p["a"]
    e = try optimize(ParallelOptimizer(objective, small_space(); n_jobs=1)); nothing catch err; err end
    @test e isa BTOptError && status(e) == BTOpt.ERR_OBJECTIVE
    @test occursin("a=2", e.message) && occursin("no bars for 2", e.message)
    @test e.partial_result.trials[3].status == BTOpt.TRIAL_FAILED
    @test occursin("no bars for 2", e.partial_result.trials[3].error)

    r = optimize(ParallelOptimizer(objective, small_space(); n_jobs=2, ignore_errors=true))
    @test r.status_counts[BTOpt.TRIAL_FAILED] == 1 && r.best_params == Dict("a" => 9)
    for bad in (p -> nothing, p -> "1.5", p -> NaN, p -> -Inf)
        r = optimize(ParallelOptimizer(bad, small_space(2); n_jobs=1, ignore_errors=true))
        @test all(t -> t.status == BTOpt.TRIAL_FAILED && t.score === nothing, r.trials)
        @test r.best_params === nothing && r.best_score === nothing
    end
    @test optimize(ParallelOptimizer(p -> big(p["a"]) // 3, small_space(); n_jobs=1)).best_score ≈ 3.0

    f = p -> 0.0
    @test_throws BTOptError ParallelOptimizer(f, small_space(); algorithm="annealing")
    @test ParallelOptimizer(f, small_space(); algorithm="bayesian") isa ParallelOptimizer
    e = try ParallelOptimizer(f, small_space(); backend="process"); nothing catch err; err end
    @test status(e) == BTOpt.ERR_UNSUPPORTED   # a Julia objective cannot be forked
    @test_throws BTOptError ParallelOptimizer(f, small_space(); n_jobs=0)
    @test_throws BTOptError ParallelOptimizer(f, small_space(); direction="up")
    @test_throws ArgumentError ParallelOptimizer(f, small_space(); frobnicate=3)
    @test_throws ArgumentError ParallelOptimizer(objective_function=f)
    @test_throws ArgumentError Optimizer(f, small_space(); n_jobs=4)
    r = optimize(ParallelOptimizer(p -> p["a"], small_space(); n_jobs=1))
    mktempdir() do dir
        e = try write_json(r, joinpath(dir, "missing", "x.json")); nothing catch err; err end
        @test status(e) == BTOpt.ERR_IO
    end
end

@testset "results and files" begin
    r = optimize(ParallelOptimizer(p -> (p["a"] - 3)^2, small_space(); n_jobs=1, direction="minimize", keep_trials=3))
    @test r.best_params == Dict("a" => 3) && r.best_score == 0.0
    @test r.n_trials == 10 && length(r.trials) == 3
    @test r.status_counts[BTOpt.TRIAL_OK] == 10 && r.workers == 1 && r.rank == 0
    @test label(BTOpt.TRIAL_TIMEOUT) == "timeout" && isok(r.trials[1])
    mktempdir() do dir
        write_json(r, joinpath(dir, "r.json"))
        write_csv(r, joinpath(dir, "r.csv"))
        @test occursin("\"best_params\"", read(joinpath(dir, "r.json"), String))
        @test length(readlines(joinpath(dir, "r.csv"))) == 4
    end
end

@testset "callback, cancel" begin
    calls = Tuple{Int,Int,Float64}[]
    local opt
    opt = ParallelOptimizer(p -> p["a"], small_space(200); n_jobs=1,
                            callback=(i, n, best) -> (push!(calls, (i, n, best)); i >= 20 && cancel!(opt)))
    e = try optimize(opt); nothing catch err; err end
    @test e isa BTOptError && status(e) == BTOpt.ERR_CANCELLED
    @test 20 <= e.partial_result.status_counts[BTOpt.TRIAL_OK] < 200
    @test calls[1][2] == 200

    boom = ParallelOptimizer(p -> p["a"], small_space(200); n_jobs=1,
                             callback=(i, n, b) -> i >= 5 ? throw(DomainError(i, "from the callback")) : nothing)
    @test_throws DomainError optimize(boom)
    @test partial_result(boom) !== nothing && partial_result(boom).n_trials < 200
end

@testset "registered objectives" begin
    register_objective("jl_square", p -> -(p["a"] - 3)^2)
    old = ParallelOptimizer("jl_square", small_space(); n_jobs=1)
    register_objective("jl_square", p -> p["a"])
    @test optimize(ParallelOptimizer("jl_square", small_space(); n_jobs=1)).best_params == Dict("a" => 9)
    GC.gc()
    @test optimize(old).best_params == Dict("a" => 3)
    unregister_objective("jl_square")
    @test_throws BTOptError ParallelOptimizer("jl_square", small_space())
end

@testset "ownership" begin
    opt = ParallelOptimizer(p -> 1.5 * p["a"], small_space(5); n_jobs=1)
    r = optimize(opt)
    close(opt)
    close(opt)
    @test_throws ArgumentError optimize(opt)
    opt = nothing
    GC.gc()
    @test r.best_params == Dict("a" => 4) && length(r.trials) == 5
    ts = r.trials
    close(r)
    @test ts[1].params == Dict("a" => 0)
    @test_throws ArgumentError write_csv(r, tempname())
    for _ in 1:50  # finalizers release what is dropped
        optimize(ParallelOptimizer(p -> p["a"], small_space(3); n_jobs=1))
    end
    GC.gc()
end

@testset "plugins" begin
    info = describe_plugin("sma_crossover")
    @test info.name == "sma_crossover" && info.default_metric == "sharpe"
    @test info.metrics[1:9] == ["sharpe", "sortino", "total_return", "cagr", "max_drawdown", "trades", "exposure",
                                "skewness", "kurtosis"]
    @test length(info.metrics) == 9 + 1 + 2 * 16  # and what the selection-bias statistics read (docs/VALIDATION.md)
    @test info.constraints == ["fast < slow"] && cardinality(info.space) == 63
    @test_throws BTOptError describe_plugin("no_such_strategy")

    opt = ParallelOptimizer(plugin="sma_crossover", plugin_config=Dict("commission" => "0.001"),
                            objective_metric="sharpe", algorithm="grid", n_jobs=2)
    r = optimize(opt)
    @test length(r.trials) == 62 && r.metric_names == info.metrics
    @test all(t -> !isok(t) || t.score == t.metrics["sharpe"], r.trials)
    @test r.best_metrics["sharpe"] == r.best_score
    narrow = ParameterSpace([DiscreteParameter("fast", 10, 20; step=5)])
    r2 = optimize(ParallelOptimizer(plugin="sma_crossover", parameter_space=narrow, algorithm="grid", n_jobs=2))
    @test Set(t.params["fast"] for t in r2.trials) == Set([10, 15, 20])
    e = try ParallelOptimizer(plugin="sma_crossover", objective_metric="alpha"); nothing catch err; err end
    @test status(e) == BTOpt.ERR_INVALID_ARGUMENT && occursin("sharpe", e.message)
    curve = try equity_curve(opt, r) catch err; err end
    if curve isa BTOptError
        @test status(curve) == BTOpt.ERR_UNSUPPORTED
    else
        @test curve.equity[1] == 1.0 && length(curve.equity) == length(curve.buy_and_hold)
    end
end

@testset "crash isolation (faulty.so)" begin
    if isfile(test_plugin("faulty"))
        r = optimize(ParallelOptimizer(plugin=test_plugin("faulty"), plugin_config=(crash_mod=7,), algorithm="grid",
                                       n_jobs=2, ignore_errors=true))
        crashed = Set(10 * t.params["a"] + t.params["b"] for t in r.trials if t.status == BTOpt.TRIAL_CRASHED)
        @test crashed == Set(i for i in 0:99 if i % 7 == 0)
        @test r.best_params == Dict("a" => 7, "b" => 3)
        r = optimize(ParallelOptimizer(plugin=test_plugin("faulty"), plugin_config=Dict("hang_at" => 9),
                                       parameter_space=ParameterSpace([DiscreteParameter("b", 0, 1)]),
                                       algorithm="grid", n_jobs=2, ignore_errors=true, eval_timeout=0.5))
        @test count(t -> t.status == BTOpt.TRIAL_TIMEOUT, r.trials) == 2
    else
        @info "faulty.so not found in $(PLUGIN_DIR): crash isolation not tested"
    end
end

@testset "studies read back" begin
    dir = mktempdir()
    path = joinpath(dir, "s.db")
    space = ParameterSpace([DiscreteParameter("a", 0, 9), DiscreteParameter("b", 0, 4)])
    run() = optimize(ParallelOptimizer(objective_function=p -> p["a"] * 10 - (p["b"] - 2)^2, parameter_space=space,
                                       algorithm="grid", n_jobs=1, study=path, data_fingerprint="julia-study-test"))
    live = run()
    stored = open_study(path)
    @test length(trials(stored)) == 50
    @test stored.best_score == live.best_score
    run()
    @test length(study_runs(path)) == 2
    err = try open_study(joinpath(dir, "missing.db")) catch e; e end
    @test err isa BTOptError && status(err) == BTOpt.ERR_NOT_FOUND
end

end # @testset
