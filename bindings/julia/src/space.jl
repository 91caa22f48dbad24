# Parameters and parameter spaces, with the Python original's names.

"""
    Parameter

A named dimension of a space: `DiscreteParameter`, `ContinuousParameter`
or `CategoricalParameter`.
"""
abstract type Parameter end

"""
    DiscreteParameter(name, min_value, max_value; step=1)

Integers `min_value, min_value + step, ...` up to the last not above
`max_value`, both ends included: `DiscreteParameter("fast", 10, 50; step=5)`
is 10, 15, ..., 50.
"""
struct DiscreteParameter <: Parameter
    name::String
    min_value::Int64
    max_value::Int64
    step::Int64
end
DiscreteParameter(name::AbstractString, min_value::Integer, max_value::Integer; step::Integer=1) =
    DiscreteParameter(String(name), Int64(min_value), Int64(max_value), Int64(step))

"""
    ContinuousParameter(name, min_value, max_value; step=0.0)

Floats in `[min_value, max_value]`: continuous with `step == 0` (random and
genetic search only; a grid refuses it), else `min_value, min_value + step, ...`.
"""
struct ContinuousParameter <: Parameter
    name::String
    min_value::Float64
    max_value::Float64
    step::Float64
end
ContinuousParameter(name::AbstractString, min_value::Real, max_value::Real; step::Real=0.0) =
    ContinuousParameter(String(name), Float64(min_value), Float64(max_value), Float64(step))

"""
    CategoricalParameter(name, choices)

One of `choices`. btopt keeps choices as strings; any values may be given
(`[true, false]`, `[10, 20]`, symbols): the objective and the results get back
the values given, matched through `string(value)`, which must differ between
choices.
"""
struct CategoricalParameter <: Parameter
    name::String
    choices::Vector{Any}
    texts::Vector{String}
    function CategoricalParameter(name::AbstractString, choices::AbstractVector)
        texts = String[string(c) for c in choices]
        length(unique(texts)) == length(texts) ||
            throw(ArgumentError("choices of $(repr(name)) must differ as strings: $(repr(texts))"))
        new(String(name), Vector{Any}(choices), texts)
    end
end

Base.:(==)(a::CategoricalParameter, b::CategoricalParameter) = a.name == b.name && a.texts == b.texts

decode(p::CategoricalParameter, text::AbstractString) =
    (i = findfirst(==(text), p.texts); i === nothing ? String(text) : p.choices[i])

add_to!(h, p::DiscreteParameter) = check(btopt_space_add_int(h, p.name, p.min_value, p.max_value, p.step))
add_to!(h, p::ContinuousParameter) =
    check(btopt_space_add_float(h, p.name, p.min_value, p.max_value, p.step))
function add_to!(h, p::CategoricalParameter)
    any(t -> occursin('\0', t), p.texts) && throw(ArgumentError("a choice contains a NUL character"))
    texts = p.texts
    GC.@preserve texts begin
        pointers = Ptr{UInt8}[pointer(t) for t in texts]
        check(btopt_space_add_choice(h, p.name, pointers, length(pointers)))
    end
end

"""
    ParameterSpace(parameters; constraints=String[])
    ParameterSpace(; parameters=Parameter[], constraints=String[])

The parameters to search, in declaration order (the grid's order: the last
varies fastest), and constraints every evaluated point satisfies
(`"fast < slow"`, over numeric parameters). Bad parameters throw
`BTOptError` (`ERR_INVALID_ARGUMENT`) where they are declared. The C space is
freed by `close(space)` or by the garbage collector; optimizers copy it.
"""
mutable struct ParameterSpace
    handle::Ptr{Cvoid}
    parameters::Vector{Parameter}
    constraints::Vector{String}
    function ParameterSpace(parameters::AbstractVector; constraints=String[])
        out = Ref{Ptr{Cvoid}}(C_NULL)
        check(btopt_space_create(out))
        space = finalizer(destroy!, new(out[], Parameter[], String[]))
        for p in parameters
            add!(space, p)
        end
        for c in (constraints isa AbstractString ? [constraints] : constraints)
            add_constraint!(space, c)
        end
        return space
    end
end

ParameterSpace(; parameters=Parameter[], constraints=String[]) = ParameterSpace(parameters; constraints=constraints)

function destroy!(space::ParameterSpace)
    if space.handle != C_NULL
        btopt_space_destroy(space.handle)
        space.handle = C_NULL
    end
    return nothing
end

Base.close(space::ParameterSpace) = destroy!(space)

function handle(space::ParameterSpace)
    space.handle == C_NULL && throw(ArgumentError("this ParameterSpace was closed"))
    return space.handle
end

# Passed to a ccall as itself, so the call keeps it alive.
Base.cconvert(::Type{Ptr{Cvoid}}, space::ParameterSpace) = space
Base.unsafe_convert(::Type{Ptr{Cvoid}}, space::ParameterSpace) = handle(space)

"""
    add!(space, parameter) -> space
"""
function add!(space::ParameterSpace, p::Parameter)
    add_to!(space, p)
    push!(space.parameters, p)
    return space
end

"""
    add_constraint!(space, expression) -> space

A condition over the numeric parameters declared so far, e.g.
`"fast * 2 <= slow && threshold_x100 > 1"`.
"""
function add_constraint!(space::ParameterSpace, expression::AbstractString)
    check(btopt_space_add_constraint(space, expression))
    push!(space.constraints, String(expression))
    return space
end

"""
    cardinality(space)

Number of points before constraints, or `Inf` when a parameter is continuous
or the count passes `typemax(UInt64) - 1`.
"""
function cardinality(space::ParameterSpace)
    n = Ref{UInt64}(0)
    check(btopt_space_cardinality(space, n))
    n[] == typemax(UInt64) && return Inf
    return n[] <= typemax(Int) ? Int(n[]) : n[]
end

parameters(space::ParameterSpace) = copy(space.parameters)
constraints(space::ParameterSpace) = copy(space.constraints)
Base.length(space::ParameterSpace) = length(space.parameters)

function Base.show(io::IO, space::ParameterSpace)
    print(io, "ParameterSpace(", space.parameters, "; constraints=", space.constraints, ")")
end

decoders(space::ParameterSpace) =
    Dict{String,CategoricalParameter}(p.name => p for p in space.parameters if p isa CategoricalParameter)
decoders(::Nothing) = Dict{String,CategoricalParameter}()

# A new space equal to a C space this binding does not own (a plugin's).
function read_space(h::Ptr{Cvoid})
    params = Parameter[]
    for i in 0:(Int(btopt_space_param_count(h)) - 1)
        name = cstr(btopt_space_param_name(h, i))
        kind = btopt_space_param_kind(h, i)
        if kind == PARAM_INT
            lo, hi, step = Ref{Int64}(0), Ref{Int64}(0), Ref{Int64}(0)
            check(btopt_space_param_int_range(h, i, lo, hi, step))
            push!(params, DiscreteParameter(name, lo[], hi[], step[]))
        elseif kind == PARAM_FLOAT
            lo, hi, step = Ref{Cdouble}(0), Ref{Cdouble}(0), Ref{Cdouble}(0)
            check(btopt_space_param_float_range(h, i, lo, hi, step))
            push!(params, ContinuousParameter(name, lo[], hi[], step[]))
        else
            n = Int(btopt_space_param_choice_count(h, i))
            push!(params, CategoricalParameter(name, [cstr(btopt_space_param_choice(h, i, j)) for j in 0:(n - 1)]))
        end
    end
    cs = [cstr(btopt_space_constraint(h, i)) for i in 0:(Int(btopt_space_constraint_count(h)) - 1)]
    return ParameterSpace(params; constraints=cs)
end

# A btopt_params view as a Dict: ints Int64, floats Float64, choices as declared.
function read_params(view::Ptr{Cvoid}, decoders::Dict{String,CategoricalParameter})
    values = Dict{String,Any}()
    for i in 0:(Int(btopt_params_count(view)) - 1)
        name = cstr(btopt_params_name(view, i))
        kind = btopt_params_kind(view, i)
        if kind == PARAM_INT
            x = Ref{Int64}(0)
            check(btopt_params_get_int(view, name, x))
            values[name] = x[]
        elseif kind == PARAM_FLOAT
            y = Ref{Cdouble}(0)
            check(btopt_params_get_double(view, name, y))
            values[name] = y[]
        else
            s = Ref{Ptr{UInt8}}(C_NULL)
            check(btopt_params_get_string(view, name, s))
            text = cstr(s[])
            d = get(decoders, name, nothing)
            values[name] = d === nothing ? text : decode(d, text)
        end
    end
    return values
end
