//! Raw declarations of btopt's C ABI (`include/btopt/btopt.h`), one for one,
//! and the link to `libbtopt` (see `build.rs`: vendored, `BTOPT_LIB_DIR`,
//! pkg-config, or the repository's build folder).
//!
//! Everything here is `unsafe` to call and follows the header's rules on
//! ownership and lifetimes; the rest of the crate is the safe layer over it.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int, c_void};

/// `BTOPT_ABI_VERSION` of the header these declarations follow.
pub const BTOPT_ABI_VERSION: u32 = 1;

/// A `btopt_status`. Kept as a plain integer: the library may add codes, and
/// an unknown value in a Rust enum would be undefined behaviour.
pub type btopt_status = c_int;
pub const BTOPT_OK: btopt_status = 0;
pub const BTOPT_ERR_INVALID_ARGUMENT: btopt_status = 1;
pub const BTOPT_ERR_UNSUPPORTED: btopt_status = 2;
pub const BTOPT_ERR_NOT_FOUND: btopt_status = 3;
pub const BTOPT_ERR_PLUGIN: btopt_status = 4;
pub const BTOPT_ERR_OBJECTIVE: btopt_status = 5;
pub const BTOPT_ERR_CANCELLED: btopt_status = 6;
pub const BTOPT_ERR_IO: btopt_status = 7;
pub const BTOPT_ERR_INTERNAL: btopt_status = 8;

pub const BTOPT_TRIAL_OK: i32 = 0;
pub const BTOPT_TRIAL_FAILED: i32 = 1;
pub const BTOPT_TRIAL_CRASHED: i32 = 2;
pub const BTOPT_TRIAL_TIMEOUT: i32 = 3;
pub const BTOPT_TRIAL_CANCELLED: i32 = 4;
pub const BTOPT_TRIAL_INFEASIBLE: i32 = 5;

pub const BTOPT_PARAM_INT: i32 = 0;
pub const BTOPT_PARAM_FLOAT: i32 = 1;
pub const BTOPT_PARAM_CHOICE: i32 = 2;

macro_rules! opaque {
    ($($name:ident),*) => {$(
        #[repr(C)]
        pub struct $name {
            _private: [u8; 0],
            // Not Send, not Sync, not Unpin: the safe layer decides.
            _marker: std::marker::PhantomData<(*mut u8, std::marker::PhantomPinned)>,
        }
    )*};
}
opaque!(btopt_space, btopt_params, btopt_optimizer, btopt_result, btopt_plugin_info, btopt_series, btopt_walkforward);
opaque!(btopt_search);

#[repr(C)]
pub struct btopt_walkforward_spec {
    pub struct_size: u32,
    pub train: *const c_char,
    pub test: *const c_char,
    pub step: *const c_char,
    pub anchored: i32,
    pub validation: *const c_char,
}

pub type btopt_objective_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, params: *const btopt_params, score: *mut f64) -> btopt_status>;
pub type btopt_progress_fn = Option<unsafe extern "C" fn(user: *mut c_void, done: u64, total: u64, best_score: f64)>;

#[repr(C)]
pub struct btopt_progress {
    pub struct_size: usize,
    pub done: u64,
    pub total: u64,
    pub ok: u64,
    pub failed: u64,
    pub crashed: u64,
    pub timeout: u64,
    pub cancelled: u64,
    pub reused: u64,
    pub best_score: f64,
    pub evaluations_per_second: f64,
    pub elapsed_seconds: f64,
    pub trial: i64,
    /// Added later: read only when `struct_size` covers it.
    pub infeasible: u64,
}
pub type btopt_progress_ex_fn = Option<unsafe extern "C" fn(user: *mut c_void, progress: *const btopt_progress)>;

// Linked by build.rs (cargo:rustc-link-lib=btopt).
extern "C" {
    // Library
    pub fn btopt_abi_version() -> u32;
    pub fn btopt_version() -> *const c_char;
    pub fn btopt_last_error() -> *const c_char;
    pub fn btopt_status_name(status: btopt_status) -> *const c_char;
    pub fn btopt_trial_status_name(trial_status: i32) -> *const c_char;
    pub fn btopt_fail(message: *const c_char) -> btopt_status;

    // Parameter spaces
    pub fn btopt_space_create(out: *mut *mut btopt_space) -> btopt_status;
    pub fn btopt_space_destroy(space: *mut btopt_space);
    pub fn btopt_space_add_int(
        space: *mut btopt_space,
        name: *const c_char,
        lo: i64,
        hi: i64,
        step: i64,
    ) -> btopt_status;
    pub fn btopt_space_add_float(
        space: *mut btopt_space,
        name: *const c_char,
        lo: f64,
        hi: f64,
        step: f64,
    ) -> btopt_status;
    pub fn btopt_space_add_choice(
        space: *mut btopt_space,
        name: *const c_char,
        choices: *const *const c_char,
        n: usize,
    ) -> btopt_status;
    pub fn btopt_space_add_constraint(space: *mut btopt_space, expression: *const c_char) -> btopt_status;
    pub fn btopt_space_cardinality(space: *const btopt_space, out: *mut u64) -> btopt_status;
    pub fn btopt_space_param_count(space: *const btopt_space) -> usize;
    pub fn btopt_space_param_name(space: *const btopt_space, i: usize) -> *const c_char;
    pub fn btopt_space_param_kind(space: *const btopt_space, i: usize) -> i32;
    pub fn btopt_space_param_int_range(
        space: *const btopt_space,
        i: usize,
        lo: *mut i64,
        hi: *mut i64,
        step: *mut i64,
    ) -> btopt_status;
    pub fn btopt_space_param_float_range(
        space: *const btopt_space,
        i: usize,
        lo: *mut f64,
        hi: *mut f64,
        step: *mut f64,
    ) -> btopt_status;
    pub fn btopt_space_param_choice_count(space: *const btopt_space, i: usize) -> usize;
    pub fn btopt_space_param_choice(space: *const btopt_space, i: usize, j: usize) -> *const c_char;
    pub fn btopt_space_constraint_count(space: *const btopt_space) -> usize;
    pub fn btopt_space_constraint(space: *const btopt_space, i: usize) -> *const c_char;

    // One point
    pub fn btopt_params_count(params: *const btopt_params) -> usize;
    pub fn btopt_params_name(params: *const btopt_params, i: usize) -> *const c_char;
    pub fn btopt_params_kind(params: *const btopt_params, i: usize) -> i32;
    pub fn btopt_params_get_int(params: *const btopt_params, name: *const c_char, out: *mut i64) -> btopt_status;
    pub fn btopt_params_get_double(params: *const btopt_params, name: *const c_char, out: *mut f64) -> btopt_status;
    pub fn btopt_params_get_string(
        params: *const btopt_params,
        name: *const c_char,
        out: *mut *const c_char,
    ) -> btopt_status;

    // Objectives and progress
    pub fn btopt_register_objective(name: *const c_char, f: btopt_objective_fn, user: *mut c_void) -> btopt_status;

    // Optimizers
    pub fn btopt_optimizer_create(
        out: *mut *mut btopt_optimizer,
        space: *const btopt_space,
        algorithm: *const c_char,
    ) -> btopt_status;
    pub fn btopt_optimizer_destroy(opt: *mut btopt_optimizer);
    pub fn btopt_optimizer_set_int(opt: *mut btopt_optimizer, option: *const c_char, value: i64) -> btopt_status;
    pub fn btopt_optimizer_set_double(opt: *mut btopt_optimizer, option: *const c_char, value: f64) -> btopt_status;
    pub fn btopt_optimizer_set_string(
        opt: *mut btopt_optimizer,
        option: *const c_char,
        value: *const c_char,
    ) -> btopt_status;
    pub fn btopt_optimizer_get_int(opt: *const btopt_optimizer, option: *const c_char, value: *mut i64)
        -> btopt_status;
    pub fn btopt_optimizer_get_double(
        opt: *const btopt_optimizer,
        option: *const c_char,
        value: *mut f64,
    ) -> btopt_status;
    pub fn btopt_optimizer_get_string(
        opt: *const btopt_optimizer,
        option: *const c_char,
        value: *mut *const c_char,
    ) -> btopt_status;
    pub fn btopt_optimizer_set_objective(
        opt: *mut btopt_optimizer,
        f: btopt_objective_fn,
        user: *mut c_void,
    ) -> btopt_status;
    pub fn btopt_optimizer_use_objective(opt: *mut btopt_optimizer, registered_name: *const c_char) -> btopt_status;
    pub fn btopt_optimizer_set_progress(
        opt: *mut btopt_optimizer,
        f: btopt_progress_fn,
        user: *mut c_void,
    ) -> btopt_status;
    pub fn btopt_optimizer_set_progress_ex(
        opt: *mut btopt_optimizer,
        f: btopt_progress_ex_fn,
        user: *mut c_void,
    ) -> btopt_status;
    pub fn btopt_optimizer_use_plugin(opt: *mut btopt_optimizer, path_or_name: *const c_char) -> btopt_status;
    pub fn btopt_optimizer_set_plugin_config(
        opt: *mut btopt_optimizer,
        key: *const c_char,
        value: *const c_char,
    ) -> btopt_status;
    pub fn btopt_optimizer_set_objective_metric(opt: *mut btopt_optimizer, metric: *const c_char) -> btopt_status;
    pub fn btopt_optimizer_run(opt: *mut btopt_optimizer, out: *mut *mut btopt_result) -> btopt_status;
    pub fn btopt_optimizer_cancel(opt: *mut btopt_optimizer);

    // Walk-forward
    pub fn btopt_optimizer_walkforward(
        opt: *mut btopt_optimizer,
        spec: *const btopt_walkforward_spec,
        out: *mut *mut btopt_walkforward,
    ) -> btopt_status;
    pub fn btopt_walkforward_destroy(wf: *mut btopt_walkforward);
    pub fn btopt_walkforward_json(wf: *const btopt_walkforward) -> *const c_char;
    pub fn btopt_walkforward_window_count(wf: *const btopt_walkforward) -> usize;

    // Plugins
    pub fn btopt_plugin_describe(out: *mut *mut btopt_plugin_info, path_or_name: *const c_char) -> btopt_status;
    pub fn btopt_plugin_info_destroy(info: *mut btopt_plugin_info);
    pub fn btopt_plugin_info_name(info: *const btopt_plugin_info) -> *const c_char;
    pub fn btopt_plugin_info_version(info: *const btopt_plugin_info) -> *const c_char;
    pub fn btopt_plugin_info_description(info: *const btopt_plugin_info) -> *const c_char;
    pub fn btopt_plugin_info_path(info: *const btopt_plugin_info) -> *const c_char;
    pub fn btopt_plugin_info_metric_count(info: *const btopt_plugin_info) -> usize;
    pub fn btopt_plugin_info_metric(info: *const btopt_plugin_info, i: usize) -> *const c_char;
    pub fn btopt_plugin_info_default_metric(info: *const btopt_plugin_info) -> usize;
    pub fn btopt_plugin_info_space(info: *const btopt_plugin_info) -> *const btopt_space;

    pub fn btopt_optimizer_equity_curve(
        out: *mut *mut btopt_series,
        opt: *const btopt_optimizer,
        point: *const btopt_params,
    ) -> btopt_status;
    pub fn btopt_series_destroy(series: *mut btopt_series);
    pub fn btopt_series_length(series: *const btopt_series) -> usize;
    pub fn btopt_series_equity(series: *const btopt_series) -> *const f64;
    pub fn btopt_series_buy_and_hold(series: *const btopt_series) -> *const f64;

    // Results
    pub fn btopt_result_destroy(result: *mut btopt_result);
    pub fn btopt_result_best_score(result: *const btopt_result) -> f64;
    pub fn btopt_result_best_params(result: *const btopt_result) -> *const btopt_params;
    pub fn btopt_result_best_index(result: *const btopt_result, out: *mut u64) -> btopt_status;
    pub fn btopt_result_trial_count(result: *const btopt_result) -> u64;
    pub fn btopt_result_trial(
        result: *const btopt_result,
        i: u64,
        params: *mut *const btopt_params,
        score: *mut f64,
        trial_status: *mut i32,
    ) -> btopt_status;
    pub fn btopt_result_trial_info(
        result: *const btopt_result,
        i: u64,
        number: *mut u64,
        error: *mut *const c_char,
        seconds: *mut f64,
    ) -> btopt_status;
    pub fn btopt_result_metric_count(result: *const btopt_result) -> usize;
    pub fn btopt_result_metric_name(result: *const btopt_result, m: usize) -> *const c_char;
    pub fn btopt_result_trial_metric(result: *const btopt_result, i: u64, m: usize, out: *mut f64) -> btopt_status;
    pub fn btopt_result_evaluated_count(result: *const btopt_result) -> u64;
    pub fn btopt_result_status_count(result: *const btopt_result, trial_status: i32) -> u64;
    pub fn btopt_result_wall_seconds(result: *const btopt_result) -> f64;
    pub fn btopt_result_eval_seconds(result: *const btopt_result) -> f64;
    pub fn btopt_result_speedup(result: *const btopt_result) -> f64;
    pub fn btopt_result_efficiency(result: *const btopt_result) -> f64;
    pub fn btopt_result_speedup_cpu_share(result: *const btopt_result) -> f64;
    pub fn btopt_result_workers(result: *const btopt_result) -> u32;
    pub fn btopt_result_write_json(result: *const btopt_result, path: *const c_char) -> btopt_status;
    pub fn btopt_result_write_csv(result: *const btopt_result, path: *const c_char) -> btopt_status;
    pub fn btopt_result_reused_count(result: *const btopt_result) -> u64;
    pub fn btopt_result_stopped_on_budget(result: *const btopt_result) -> c_int;
    pub fn btopt_result_provenance(result: *const btopt_result) -> *const c_char;

    pub fn btopt_study_open(out: *mut *mut btopt_result, path: *const c_char, run: i64) -> btopt_status;
    pub fn btopt_study_runs(path: *const c_char, ids: *mut i64, capacity: usize, count: *mut usize) -> btopt_status;
    pub fn btopt_study_export(
        path: *const c_char,
        run: i64,
        json_path: *const c_char,
        csv_path: *const c_char,
    ) -> btopt_status;
}

// Ask and tell.
extern "C" {
    pub fn btopt_search_create(
        out: *mut *mut btopt_search,
        space: *const btopt_space,
        algorithm: *const c_char,
    ) -> btopt_status;
    pub fn btopt_search_destroy(search: *mut btopt_search);
    pub fn btopt_search_set_int(search: *mut btopt_search, option: *const c_char, value: i64) -> btopt_status;
    pub fn btopt_search_set_double(search: *mut btopt_search, option: *const c_char, value: f64) -> btopt_status;
    pub fn btopt_search_set_string(
        search: *mut btopt_search,
        option: *const c_char,
        value: *const c_char,
    ) -> btopt_status;
    pub fn btopt_search_ask(
        search: *mut btopt_search,
        max: usize,
        numbers: *mut u64,
        params: *mut *const btopt_params,
        count: *mut usize,
    ) -> btopt_status;
    pub fn btopt_search_tell(
        search: *mut btopt_search,
        number: u64,
        status: i32,
        score: f64,
        metrics: *const f64,
        metric_count: usize,
    ) -> btopt_status;
    pub fn btopt_search_done(search: *const btopt_search) -> c_int;
    pub fn btopt_search_best(
        search: *const btopt_search,
        number: *mut u64,
        score: *mut f64,
        params: *mut *const btopt_params,
    ) -> btopt_status;
    pub fn btopt_search_state(search: *mut btopt_search, state: *mut *const c_char) -> btopt_status;
    pub fn btopt_search_restore(search: *mut btopt_search, state: *const c_char) -> btopt_status;
}
