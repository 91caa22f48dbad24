# The C ABI (include/btopt/btopt.h), one Julia function per C function, with
# the header's exact types. Nothing else in the package calls `ccall`.
# tests/bindings/julia_decls/check_julia_ccalls.py checks every call below
# against the header in the main test suite.
#
# Conventions: handles are Ptr{Cvoid}; strings passed in are Cstring (Julia
# refuses one with an embedded NUL); strings handed out are Ptr{UInt8} (they
# may be NULL); out parameters are Ref{T}; enums (btopt_status, ...) are Cint.

# The SONAME. When BTOPT_LIBRARY names a file, __init__ loads it first, and
# the loader then resolves this name to that already loaded library.
const libbtopt = "libbtopt.so.1"

# ---- Library
btopt_abi_version() = ccall((:btopt_abi_version, libbtopt), UInt32, ())
btopt_version() = ccall((:btopt_version, libbtopt), Ptr{UInt8}, ())
btopt_last_error() = ccall((:btopt_last_error, libbtopt), Ptr{UInt8}, ())
btopt_status_name(status) = ccall((:btopt_status_name, libbtopt), Ptr{UInt8}, (Cint,), status)
btopt_trial_status_name(status) = ccall((:btopt_trial_status_name, libbtopt), Ptr{UInt8}, (Int32,), status)
btopt_fail(message) = ccall((:btopt_fail, libbtopt), Cint, (Cstring,), message)

# ---- Parameter spaces
btopt_space_create(out) = ccall((:btopt_space_create, libbtopt), Cint, (Ref{Ptr{Cvoid}},), out)
btopt_space_destroy(space) = ccall((:btopt_space_destroy, libbtopt), Cvoid, (Ptr{Cvoid},), space)
btopt_space_add_int(space, name, lo, hi, step) =
    ccall((:btopt_space_add_int, libbtopt), Cint, (Ptr{Cvoid}, Cstring, Int64, Int64, Int64), space, name, lo, hi, step)
btopt_space_add_float(space, name, lo, hi, step) =
    ccall((:btopt_space_add_float, libbtopt), Cint, (Ptr{Cvoid}, Cstring, Cdouble, Cdouble, Cdouble),
          space, name, lo, hi, step)
btopt_space_add_choice(space, name, choices, n) =
    ccall((:btopt_space_add_choice, libbtopt), Cint, (Ptr{Cvoid}, Cstring, Ptr{Ptr{UInt8}}, Csize_t),
          space, name, choices, n)
btopt_space_add_constraint(space, expression) =
    ccall((:btopt_space_add_constraint, libbtopt), Cint, (Ptr{Cvoid}, Cstring), space, expression)
btopt_space_cardinality(space, out) =
    ccall((:btopt_space_cardinality, libbtopt), Cint, (Ptr{Cvoid}, Ref{UInt64}), space, out)
btopt_space_param_count(space) = ccall((:btopt_space_param_count, libbtopt), Csize_t, (Ptr{Cvoid},), space)
btopt_space_param_name(space, i) =
    ccall((:btopt_space_param_name, libbtopt), Ptr{UInt8}, (Ptr{Cvoid}, Csize_t), space, i)
btopt_space_param_kind(space, i) = ccall((:btopt_space_param_kind, libbtopt), Int32, (Ptr{Cvoid}, Csize_t), space, i)
btopt_space_param_int_range(space, i, lo, hi, step) =
    ccall((:btopt_space_param_int_range, libbtopt), Cint,
          (Ptr{Cvoid}, Csize_t, Ref{Int64}, Ref{Int64}, Ref{Int64}), space, i, lo, hi, step)
btopt_space_param_float_range(space, i, lo, hi, step) =
    ccall((:btopt_space_param_float_range, libbtopt), Cint,
          (Ptr{Cvoid}, Csize_t, Ref{Cdouble}, Ref{Cdouble}, Ref{Cdouble}), space, i, lo, hi, step)
btopt_space_param_choice_count(space, i) =
    ccall((:btopt_space_param_choice_count, libbtopt), Csize_t, (Ptr{Cvoid}, Csize_t), space, i)
btopt_space_param_choice(space, i, j) =
    ccall((:btopt_space_param_choice, libbtopt), Ptr{UInt8}, (Ptr{Cvoid}, Csize_t, Csize_t), space, i, j)
btopt_space_constraint_count(space) =
    ccall((:btopt_space_constraint_count, libbtopt), Csize_t, (Ptr{Cvoid},), space)
btopt_space_constraint(space, i) =
    ccall((:btopt_space_constraint, libbtopt), Ptr{UInt8}, (Ptr{Cvoid}, Csize_t), space, i)

# ---- One point
btopt_params_count(params) = ccall((:btopt_params_count, libbtopt), Csize_t, (Ptr{Cvoid},), params)
btopt_params_name(params, i) = ccall((:btopt_params_name, libbtopt), Ptr{UInt8}, (Ptr{Cvoid}, Csize_t), params, i)
btopt_params_kind(params, i) = ccall((:btopt_params_kind, libbtopt), Int32, (Ptr{Cvoid}, Csize_t), params, i)
btopt_params_get_int(params, name, out) =
    ccall((:btopt_params_get_int, libbtopt), Cint, (Ptr{Cvoid}, Cstring, Ref{Int64}), params, name, out)
btopt_params_get_double(params, name, out) =
    ccall((:btopt_params_get_double, libbtopt), Cint, (Ptr{Cvoid}, Cstring, Ref{Cdouble}), params, name, out)
btopt_params_get_string(params, name, out) =
    ccall((:btopt_params_get_string, libbtopt), Cint, (Ptr{Cvoid}, Cstring, Ref{Ptr{UInt8}}), params, name, out)

# ---- Objectives and progress (function pointers travel as Ptr{Cvoid})
btopt_register_objective(name, fn, user) =
    ccall((:btopt_register_objective, libbtopt), Cint, (Cstring, Ptr{Cvoid}, Ptr{Cvoid}), name, fn, user)
# Added after ABI 1.0 shipped: call only when has_symbol(:btopt_unregister_objective).
btopt_unregister_objective(name) = ccall((:btopt_unregister_objective, libbtopt), Cint, (Cstring,), name)

# ---- Optimizers
btopt_optimizer_create(out, space, algorithm) =
    ccall((:btopt_optimizer_create, libbtopt), Cint, (Ref{Ptr{Cvoid}}, Ptr{Cvoid}, Cstring), out, space, algorithm)
btopt_optimizer_destroy(opt) = ccall((:btopt_optimizer_destroy, libbtopt), Cvoid, (Ptr{Cvoid},), opt)
btopt_optimizer_set_int(opt, option, value) =
    ccall((:btopt_optimizer_set_int, libbtopt), Cint, (Ptr{Cvoid}, Cstring, Int64), opt, option, value)
btopt_optimizer_set_double(opt, option, value) =
    ccall((:btopt_optimizer_set_double, libbtopt), Cint, (Ptr{Cvoid}, Cstring, Cdouble), opt, option, value)
btopt_optimizer_set_string(opt, option, value) =
    ccall((:btopt_optimizer_set_string, libbtopt), Cint, (Ptr{Cvoid}, Cstring, Cstring), opt, option, value)
btopt_optimizer_set_objective(opt, fn, user) =
    ccall((:btopt_optimizer_set_objective, libbtopt), Cint, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}), opt, fn, user)
btopt_optimizer_use_objective(opt, name) =
    ccall((:btopt_optimizer_use_objective, libbtopt), Cint, (Ptr{Cvoid}, Cstring), opt, name)
btopt_optimizer_set_progress(opt, fn, user) =
    ccall((:btopt_optimizer_set_progress, libbtopt), Cint, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}), opt, fn, user)
btopt_optimizer_use_plugin(opt, path_or_name) =
    ccall((:btopt_optimizer_use_plugin, libbtopt), Cint, (Ptr{Cvoid}, Cstring), opt, path_or_name)
btopt_optimizer_set_plugin_config(opt, key, value) =
    ccall((:btopt_optimizer_set_plugin_config, libbtopt), Cint, (Ptr{Cvoid}, Cstring, Cstring), opt, key, value)
btopt_optimizer_set_objective_metric(opt, metric) =
    ccall((:btopt_optimizer_set_objective_metric, libbtopt), Cint, (Ptr{Cvoid}, Cstring), opt, metric)
btopt_optimizer_run(opt, out) =
    ccall((:btopt_optimizer_run, libbtopt), Cint, (Ptr{Cvoid}, Ref{Ptr{Cvoid}}), opt, out)
btopt_optimizer_cancel(opt) = ccall((:btopt_optimizer_cancel, libbtopt), Cvoid, (Ptr{Cvoid},), opt)

# ---- Plugins
btopt_plugin_describe(out, path_or_name) =
    ccall((:btopt_plugin_describe, libbtopt), Cint, (Ref{Ptr{Cvoid}}, Cstring), out, path_or_name)
btopt_plugin_info_destroy(info) = ccall((:btopt_plugin_info_destroy, libbtopt), Cvoid, (Ptr{Cvoid},), info)
btopt_plugin_info_name(info) = ccall((:btopt_plugin_info_name, libbtopt), Ptr{UInt8}, (Ptr{Cvoid},), info)
btopt_plugin_info_version(info) = ccall((:btopt_plugin_info_version, libbtopt), Ptr{UInt8}, (Ptr{Cvoid},), info)
btopt_plugin_info_description(info) =
    ccall((:btopt_plugin_info_description, libbtopt), Ptr{UInt8}, (Ptr{Cvoid},), info)
btopt_plugin_info_path(info) = ccall((:btopt_plugin_info_path, libbtopt), Ptr{UInt8}, (Ptr{Cvoid},), info)
btopt_plugin_info_metric_count(info) =
    ccall((:btopt_plugin_info_metric_count, libbtopt), Csize_t, (Ptr{Cvoid},), info)
btopt_plugin_info_metric(info, i) =
    ccall((:btopt_plugin_info_metric, libbtopt), Ptr{UInt8}, (Ptr{Cvoid}, Csize_t), info, i)
btopt_plugin_info_default_metric(info) =
    ccall((:btopt_plugin_info_default_metric, libbtopt), Csize_t, (Ptr{Cvoid},), info)
btopt_plugin_info_space(info) = ccall((:btopt_plugin_info_space, libbtopt), Ptr{Cvoid}, (Ptr{Cvoid},), info)

btopt_optimizer_equity_curve(out, opt, point) =
    ccall((:btopt_optimizer_equity_curve, libbtopt), Cint, (Ref{Ptr{Cvoid}}, Ptr{Cvoid}, Ptr{Cvoid}), out, opt, point)
btopt_series_destroy(series) = ccall((:btopt_series_destroy, libbtopt), Cvoid, (Ptr{Cvoid},), series)
btopt_series_length(series) = ccall((:btopt_series_length, libbtopt), Csize_t, (Ptr{Cvoid},), series)
btopt_series_equity(series) = ccall((:btopt_series_equity, libbtopt), Ptr{Cdouble}, (Ptr{Cvoid},), series)
btopt_series_buy_and_hold(series) =
    ccall((:btopt_series_buy_and_hold, libbtopt), Ptr{Cdouble}, (Ptr{Cvoid},), series)

# ---- Results
btopt_result_destroy(result) = ccall((:btopt_result_destroy, libbtopt), Cvoid, (Ptr{Cvoid},), result)
btopt_result_best_score(result) = ccall((:btopt_result_best_score, libbtopt), Cdouble, (Ptr{Cvoid},), result)
btopt_result_best_params(result) = ccall((:btopt_result_best_params, libbtopt), Ptr{Cvoid}, (Ptr{Cvoid},), result)
btopt_result_best_index(result, out) =
    ccall((:btopt_result_best_index, libbtopt), Cint, (Ptr{Cvoid}, Ref{UInt64}), result, out)
btopt_result_trial_count(result) = ccall((:btopt_result_trial_count, libbtopt), UInt64, (Ptr{Cvoid},), result)
btopt_result_trial(result, i, params, score, status) =
    ccall((:btopt_result_trial, libbtopt), Cint, (Ptr{Cvoid}, UInt64, Ref{Ptr{Cvoid}}, Ref{Cdouble}, Ref{Int32}),
          result, i, params, score, status)
btopt_result_trial_info(result, i, number, error, seconds) =
    ccall((:btopt_result_trial_info, libbtopt), Cint,
          (Ptr{Cvoid}, UInt64, Ref{UInt64}, Ref{Ptr{UInt8}}, Ref{Cdouble}), result, i, number, error, seconds)
btopt_result_metric_count(result) = ccall((:btopt_result_metric_count, libbtopt), Csize_t, (Ptr{Cvoid},), result)
btopt_result_metric_name(result, m) =
    ccall((:btopt_result_metric_name, libbtopt), Ptr{UInt8}, (Ptr{Cvoid}, Csize_t), result, m)
btopt_result_trial_metric(result, i, m, out) =
    ccall((:btopt_result_trial_metric, libbtopt), Cint, (Ptr{Cvoid}, UInt64, Csize_t, Ref{Cdouble}), result, i, m, out)
btopt_result_evaluated_count(result) =
    ccall((:btopt_result_evaluated_count, libbtopt), UInt64, (Ptr{Cvoid},), result)
btopt_result_status_count(result, status) =
    ccall((:btopt_result_status_count, libbtopt), UInt64, (Ptr{Cvoid}, Int32), result, status)
btopt_result_wall_seconds(result) = ccall((:btopt_result_wall_seconds, libbtopt), Cdouble, (Ptr{Cvoid},), result)
btopt_result_eval_seconds(result) = ccall((:btopt_result_eval_seconds, libbtopt), Cdouble, (Ptr{Cvoid},), result)
btopt_result_speedup(result) = ccall((:btopt_result_speedup, libbtopt), Cdouble, (Ptr{Cvoid},), result)
# Added after ABI 1.0 shipped: call only when has_symbol(:btopt_result_rank).
btopt_result_rank(result) = ccall((:btopt_result_rank, libbtopt), Int32, (Ptr{Cvoid},), result)
btopt_result_workers(result) = ccall((:btopt_result_workers, libbtopt), UInt32, (Ptr{Cvoid},), result)
btopt_result_write_json(result, path) =
    ccall((:btopt_result_write_json, libbtopt), Cint, (Ptr{Cvoid}, Cstring), result, path)
btopt_result_write_csv(result, path) =
    ccall((:btopt_result_write_csv, libbtopt), Cint, (Ptr{Cvoid}, Cstring), result, path)

# Studies (added after ABI 1.0 shipped: call only when has_symbol(:btopt_study_open)).
btopt_study_open(out, path, run) =
    ccall((:btopt_study_open, libbtopt), Cint, (Ref{Ptr{Cvoid}}, Cstring, Int64), out, path, run)
btopt_study_runs(path, ids, capacity, count) =
    ccall((:btopt_study_runs, libbtopt), Cint, (Cstring, Ptr{Int64}, Csize_t, Ref{Csize_t}), path, ids, capacity, count)

# A C string handed out by btopt, as a String ("" for NULL).
cstr(p::Ptr{UInt8}) = p == C_NULL ? "" : unsafe_string(p)
