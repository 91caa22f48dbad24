//! Closures across the C boundary: the objective and progress trampolines
//! (which never unwind into C) and process-wide registered objectives.
use crate::error::{c_string, check, Result};
use crate::sys;
use crate::value::Params;
use std::any::Any;
use std::fmt::Display;
use std::os::raw::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A progress report, after evaluations finish.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub done: u64,
    /// May be an upper bound (genetic search, constrained grids).
    pub total: u64,
    /// `None` until a trial succeeds.
    pub best_score: Option<f64>,
}

/// A report per recorded trial, in trial order (or coalesced by
/// [`Optimizer::progress_interval`](crate::Optimizer::progress_interval)),
/// with the counts by status: `done == ok + failed + crashed + timeout + infeasible`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgressReport {
    pub done: u64,
    /// The planned number; once the run stops, the number that finished.
    pub total: u64,
    pub ok: u64,
    pub failed: u64,
    pub crashed: u64,
    pub timeout: u64,
    pub cancelled: u64,
    /// Of `done`: outcomes a study supplied.
    pub reused: u64,
    /// `None` until a trial succeeds.
    pub best_score: Option<f64>,
    pub evaluations_per_second: f64,
    pub elapsed_seconds: f64,
    /// The last trial recorded, when this report is the first to say so.
    pub trial: Option<u64>,
    /// Trials that ended ok but break the option `require`.
    pub infeasible: u64,
}

/// What an objective closure may return: a score, or a `Result` whose error
/// fails the trial with its `Display` text.
pub trait ObjectiveOutput {
    fn into_score(self) -> std::result::Result<f64, String>;
}

impl ObjectiveOutput for f64 {
    fn into_score(self) -> std::result::Result<f64, String> {
        Ok(self)
    }
}

impl<E: Display> ObjectiveOutput for std::result::Result<f64, E> {
    fn into_score(self) -> std::result::Result<f64, String> {
        self.map_err(|e| e.to_string())
    }
}

type DynObjective<'a> = dyn Fn(&Params<'_>) -> std::result::Result<f64, String> + Send + Sync + 'a;

/// A boxed objective behind a thin pointer (the C `user` payload). `'a` is
/// `'static` except for [`Optimizer::run_with`](crate::Optimizer::run_with)'s borrowed one.
pub(crate) struct ObjectiveBox<'a>(Box<DynObjective<'a>>);

pub(crate) fn wrap_objective<'a, F, R>(f: F) -> Box<ObjectiveBox<'a>>
where
    F: Fn(&Params<'_>) -> R + Send + Sync + 'a,
    R: ObjectiveOutput,
{
    Box::new(ObjectiveBox(Box::new(move |p: &Params<'_>| f(p).into_score())))
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// Marks the current trial failed with `message` (through btopt_fail, so the
/// trial records it).
fn fail_trial(message: &str) -> sys::btopt_status {
    let text = std::ffi::CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    // SAFETY: a valid string; btopt_fail copies it into this thread's last error.
    unsafe { sys::btopt_fail(text.as_ptr()) }
}

/// Called by the library, possibly from several threads at once. Never unwinds.
pub(crate) unsafe extern "C" fn objective_trampoline(
    user: *mut c_void,
    params: *const sys::btopt_params,
    score: *mut f64,
) -> sys::btopt_status {
    // SAFETY: `user` is the ObjectiveBox the owner keeps alive while the C
    // side may call it; `params` is valid for this call.
    let objective = &*(user as *const ObjectiveBox<'_>);
    let view = Params::from_raw(params);
    match catch_unwind(AssertUnwindSafe(|| (objective.0)(&view))) {
        Ok(Ok(value)) => {
            *score = value;
            sys::BTOPT_OK
        }
        Ok(Err(message)) => fail_trial(&message),
        Err(payload) => fail_trial(&format!("the objective panicked: {}", panic_text(&*payload))),
    }
}

/// The objective left in place when [`Optimizer::run_with`](crate::Optimizer::run_with) returns
/// and no closure was set before: the borrowed one is gone, so a later run
/// fails its trials with words that say why.
pub(crate) unsafe extern "C" fn ended_scope_trampoline(
    _user: *mut c_void,
    _params: *const sys::btopt_params,
    _score: *mut f64,
) -> sys::btopt_status {
    fail_trial(
        "the objective given to run_with lived for that run only: set one with objective() or call run_with again",
    )
}

pub(crate) struct ProgressState {
    pub(crate) callback: Box<dyn FnMut(Progress) + Send>,
    /// A panic caught in the callback, resumed when run returns.
    pub(crate) panic: Option<Box<dyn Any + Send>>,
    pub(crate) optimizer: *mut sys::btopt_optimizer,
}

/// Called on the thread running `run`, never concurrently. Never unwinds: a
/// panic cancels the run and is resumed by `run`.
pub(crate) unsafe extern "C" fn progress_trampoline(user: *mut c_void, done: u64, total: u64, best: f64) {
    // SAFETY: `user` is the ProgressState owned by the Optimizer, which `run`
    // borrows mutably for the whole run; nobody else touches it meanwhile.
    let state = &mut *(user as *mut ProgressState);
    if state.panic.is_some() {
        return;
    }
    let report = Progress { done, total, best_score: if best.is_nan() { None } else { Some(best) } };
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (state.callback)(report))) {
        state.panic = Some(payload);
        sys::btopt_optimizer_cancel(state.optimizer);
    }
}

pub(crate) struct ProgressReportState {
    pub(crate) callback: Box<dyn FnMut(&ProgressReport) + Send>,
    /// A panic caught in the callback, resumed when run returns.
    pub(crate) panic: Option<Box<dyn Any + Send>>,
    pub(crate) optimizer: *mut sys::btopt_optimizer,
}

/// As [`progress_trampoline`], for the report with counts.
pub(crate) unsafe extern "C" fn progress_report_trampoline(user: *mut c_void, p: *const sys::btopt_progress) {
    // SAFETY: as for progress_trampoline; `p` is valid during the call.
    let state = &mut *(user as *mut ProgressReportState);
    if state.panic.is_some() {
        return;
    }
    let p = &*p;
    let report = ProgressReport {
        done: p.done,
        total: p.total,
        ok: p.ok,
        failed: p.failed,
        crashed: p.crashed,
        timeout: p.timeout,
        cancelled: p.cancelled,
        reused: p.reused,
        best_score: if p.best_score.is_nan() { None } else { Some(p.best_score) },
        evaluations_per_second: p.evaluations_per_second,
        elapsed_seconds: p.elapsed_seconds,
        trial: u64::try_from(p.trial).ok(),
        infeasible: if p.struct_size >= std::mem::offset_of!(sys::btopt_progress, infeasible) + 8 {
            p.infeasible
        } else {
            0 // an older library
        },
    };
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (state.callback)(&report))) {
        state.panic = Some(payload);
        sys::btopt_optimizer_cancel(state.optimizer);
    }
}

/// Registers a process-wide objective under `name`, for
/// [`Optimizer::use_objective`](crate::Optimizer::use_objective). The closure lives for the rest of the
/// process (registering a name again replaces it but cannot free the old
/// one: an optimizer may still use it).
pub fn register_objective<F, R>(name: &str, f: F) -> Result<()>
where
    F: Fn(&Params<'_>) -> R + Send + Sync + 'static,
    R: ObjectiveOutput,
{
    let name = c_string(name, "objective name")?;
    let user = Box::into_raw(wrap_objective(f)) as *mut c_void;
    // SAFETY: the leaked box lives forever.
    let status = unsafe { sys::btopt_register_objective(name.as_ptr(), Some(objective_trampoline), user) };
    if status != sys::BTOPT_OK {
        let error = check(status);
        // SAFETY: not registered, so nobody points to it.
        drop(unsafe { Box::from_raw(user as *mut ObjectiveBox<'static>) });
        return error;
    }
    Ok(())
}
