# Status codes become exceptions carrying btopt_last_error()'s words.

"""
    Status

`btopt_status`: `OK`, `ERR_INVALID_ARGUMENT`, `ERR_UNSUPPORTED`, `ERR_NOT_FOUND`,
`ERR_PLUGIN`, `ERR_OBJECTIVE`, `ERR_CANCELLED`, `ERR_IO`, `ERR_INTERNAL`.
Never renumbered.
"""
@enum Status::Int32 begin
    OK = 0
    ERR_INVALID_ARGUMENT = 1
    ERR_UNSUPPORTED = 2
    ERR_NOT_FOUND = 3
    ERR_PLUGIN = 4
    ERR_OBJECTIVE = 5
    ERR_CANCELLED = 6
    ERR_IO = 7
    ERR_INTERNAL = 8
end

"""
    BTOptError(code, message, partial_result)

A btopt call failed. `code` is the `btopt_status` (an `Int32`; `status(e)`
gives the `Status`, or `nothing` for a code newer than this binding),
`message` what `btopt_last_error()` said. When a run stopped on a failed
trial (`ERR_OBJECTIVE`) or a cancellation (`ERR_CANCELLED`),
`partial_result` holds the trials started so far; else `nothing`.
"""
struct BTOptError <: Exception
    code::Int32
    message::String
    partial_result::Any
end

BTOptError(code::Integer, message::AbstractString) = BTOptError(Int32(code), String(message), nothing)
BTOptError(status::Status, message::AbstractString) = BTOptError(Int32(status), String(message), nothing)

status(e::BTOptError) = 0 <= e.code <= 8 ? Status(e.code) : nothing

function Base.showerror(io::IO, e::BTOptError)
    print(io, "BTOptError(", cstr(btopt_status_name(e.code)), "): ", e.message)
end

# Throws for a failed call. Call right after it, on the same thread: the
# message is thread-local and lasts until the next failure.
function check(code::Integer)
    code == 0 && return nothing
    throw(BTOptError(Int32(code), cstr(btopt_last_error()), nothing))
end
