"""
    BTOpt

Parallel parameter optimisation for trading strategies (grid, random and
genetic search) over libbtopt's C ABI, with the Python original's names:

```julia
using BTOpt
space = ParameterSpace([DiscreteParameter("fast", 10, 50; step=5),
                        DiscreteParameter("slow", 50, 200; step=25)]; constraints=["fast < slow"])
result = optimize(ParallelOptimizer(p -> p["slow"] - 2p["fast"], space; algorithm="grid", n_jobs=1))
result.best_params, result.best_score
```

The library is found through `BTOPT_LIBRARY` (the full path of
libbtopt.so.1), else the loader's search path.
"""
module BTOpt

using Libdl

export ParameterSpace, Parameter, DiscreteParameter, ContinuousParameter, CategoricalParameter,
       ParallelOptimizer, Optimizer, OptimizationResult, Trial, TrialStatus, Status, BTOptError,
       optimize, cancel!, partial_result, set_option!, cardinality, add!, add_constraint!, parameters,
       constraints, trials, isok, label, describe_plugin, register_objective, unregister_objective,
       write_json, write_csv, equity_curve, library_version, abi_version, status, open_study, study_runs

const ABI_VERSION = 1
# btopt_param_kind
const PARAM_INT = Int32(0)
const PARAM_FLOAT = Int32(1)
const PARAM_CHOICE = Int32(2)

include("capi.jl")
include("errors.jl")
include("space.jl")
include("result.jl")
include("optimizer.jl")
include("plugins.jl")

const LIB_HANDLE = Ref{Ptr{Cvoid}}(C_NULL)

"""Whether the loaded libbtopt has a function (for those added after ABI 1.0 shipped)."""
has_symbol(name::Symbol) =
    LIB_HANDLE[] != C_NULL && Libdl.dlsym(LIB_HANDLE[], name; throw_error=false) !== nothing

"""The loaded libbtopt's version, e.g. "0.1.0"."""
library_version() = cstr(btopt_version())

"""The loaded libbtopt's ABI version (1)."""
abi_version() = Int(btopt_abi_version())

function __init__()
    path = get(ENV, "BTOPT_LIBRARY", "")
    # Loaded by its full path first, the library then answers to its SONAME
    # (`libbtopt` in capi.jl) for every ccall.
    h = Libdl.dlopen(isempty(path) ? libbtopt : path, Libdl.RTLD_NOW | Libdl.RTLD_GLOBAL; throw_error=false)
    if h === nothing
        @warn "BTOpt cannot load libbtopt: set BTOPT_LIBRARY to the full path of libbtopt.so.1"
    else
        LIB_HANDLE[] = h
        abi = btopt_abi_version()
        abi == ABI_VERSION || error("libbtopt at $(isempty(path) ? libbtopt : path) has ABI version $abi; " *
                                    "BTOpt needs $ABI_VERSION")
    end
    OBJECTIVE_C[] = @cfunction(objective_trampoline, Cint, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cdouble}))
    PROGRESS_C[] = @cfunction(progress_trampoline, Cvoid, (Ptr{Cvoid}, UInt64, UInt64, Cdouble))
    return nothing
end

end # module
