//! What a run found. Read into Rust values once; the C handle is kept (shared)
//! only for the JSON/CSV writers and equity curves, and lives independently
//! of the optimizer that made it.
use crate::error::{c_string, check, Error, Result, Status};
use crate::sys;
use crate::value::{point_from_raw, string_from, Point};
use std::fmt;
use std::path::Path;
use std::ptr::NonNull;
use std::sync::Arc;

/// How one trial ended (`btopt_trial_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrialStatus {
    Ok,
    /// The objective reported an error, panicked, or gave a NaN/infinite score.
    Failed,
    /// The worker process evaluating it died.
    Crashed,
    /// The evaluation ran past `eval_timeout`.
    Timeout,
    /// The run stopped before the evaluation finished.
    Cancelled,
    /// It ended ok but its metrics break the option `require`: its score is
    /// kept, it is never the best.
    Infeasible,
    /// A status this crate does not know yet.
    Unknown(i32),
}

impl TrialStatus {
    pub fn from_code(code: i32) -> TrialStatus {
        match code {
            sys::BTOPT_TRIAL_OK => TrialStatus::Ok,
            sys::BTOPT_TRIAL_FAILED => TrialStatus::Failed,
            sys::BTOPT_TRIAL_CRASHED => TrialStatus::Crashed,
            sys::BTOPT_TRIAL_TIMEOUT => TrialStatus::Timeout,
            sys::BTOPT_TRIAL_CANCELLED => TrialStatus::Cancelled,
            sys::BTOPT_TRIAL_INFEASIBLE => TrialStatus::Infeasible,
            other => TrialStatus::Unknown(other),
        }
    }

    /// The C value (`BTOPT_TRIAL_*`).
    pub fn code(self) -> i32 {
        match self {
            TrialStatus::Ok => sys::BTOPT_TRIAL_OK,
            TrialStatus::Failed => sys::BTOPT_TRIAL_FAILED,
            TrialStatus::Crashed => sys::BTOPT_TRIAL_CRASHED,
            TrialStatus::Timeout => sys::BTOPT_TRIAL_TIMEOUT,
            TrialStatus::Cancelled => sys::BTOPT_TRIAL_CANCELLED,
            TrialStatus::Infeasible => sys::BTOPT_TRIAL_INFEASIBLE,
            TrialStatus::Unknown(code) => code,
        }
    }

    /// "ok", "failed", "crashed", "timeout", "cancelled", "infeasible" or "unknown".
    pub fn name(self) -> String {
        // SAFETY: static storage for every input.
        unsafe { string_from(sys::btopt_trial_status_name(self.code())) }
    }
}

/// One evaluated point.
#[derive(Debug, Clone)]
pub struct Trial {
    /// Position in proposal order (differs from the index when `keep_trials` is set).
    pub number: u64,
    pub params: Point,
    /// `None` unless `status` is `Ok`.
    pub score: Option<f64>,
    pub status: TrialStatus,
    /// Why it did not end ok ("" when ok).
    pub error: String,
    pub seconds: f64,
    metrics: Vec<f64>,
    metric_names: Arc<[String]>,
}

impl Trial {
    /// A metric a plugin reported (`None` for an unknown name or one not reported).
    pub fn metric(&self, name: &str) -> Option<f64> {
        let m = self.metric_names.iter().position(|n| n == name)?;
        self.metrics.get(m).copied().filter(|v| !v.is_nan())
    }

    /// (name, value) of every metric the run reports, NaN where this trial did not.
    pub fn metrics(&self) -> impl Iterator<Item = (&str, f64)> {
        self.metric_names.iter().map(String::as_str).zip(self.metrics.iter().copied())
    }
}

pub(crate) struct ResultHandle(NonNull<sys::btopt_result>);

// SAFETY: a result is immutable once made; every function on it only reads,
// and it has no thread affinity.
unsafe impl Send for ResultHandle {}
unsafe impl Sync for ResultHandle {}

impl Drop for ResultHandle {
    fn drop(&mut self) {
        // SAFETY: owned; destroyed exactly once (the Arc's last owner).
        unsafe { sys::btopt_result_destroy(self.0.as_ptr()) }
    }
}

/// What a run found: the best point and score, every kept trial, timings.
/// Cloning is cheap for the handle (shared) but copies the trials.
#[derive(Clone)]
pub struct OptimizationResult {
    handle: Arc<ResultHandle>,
    best_index: Option<usize>,
    trials: Vec<Trial>,
    metric_names: Arc<[String]>,
    evaluated: u64,
    status_counts: [u64; 6],
    wall_seconds: f64,
    eval_seconds: f64,
    speedup: f64,
    efficiency: f64,
    speedup_cpu_share: f64,
    workers: u32,
    reused: u64,
    stopped_on_budget: bool,
    provenance: String,
}

impl OptimizationResult {
    /// Takes ownership of `raw` (destroyed on error too).
    /// SAFETY: `raw` a valid result nobody else owns.
    pub(crate) unsafe fn from_raw(raw: *mut sys::btopt_result) -> Result<OptimizationResult> {
        let raw = NonNull::new(raw).ok_or_else(|| Error::new(Status::Internal, "NULL result"))?;
        let handle = Arc::new(ResultHandle(raw));
        let r = raw.as_ptr() as *const sys::btopt_result;
        let metric_names: Arc<[String]> =
            (0..sys::btopt_result_metric_count(r)).map(|m| string_from(sys::btopt_result_metric_name(r, m))).collect();
        let n = sys::btopt_result_trial_count(r);
        let mut trials = Vec::with_capacity(n as usize);
        for i in 0..n {
            let mut params: *const sys::btopt_params = std::ptr::null();
            let (mut score, mut status) = (f64::NAN, 0i32);
            check(sys::btopt_result_trial(r, i, &mut params, &mut score, &mut status))?;
            let (mut number, mut error, mut seconds) = (0u64, std::ptr::null(), 0f64);
            check(sys::btopt_result_trial_info(r, i, &mut number, &mut error, &mut seconds))?;
            let mut metrics = Vec::with_capacity(metric_names.len());
            for m in 0..metric_names.len() {
                let mut v = f64::NAN;
                check(sys::btopt_result_trial_metric(r, i, m, &mut v))?;
                metrics.push(v);
            }
            let status = TrialStatus::from_code(status);
            trials.push(Trial {
                number,
                params: point_from_raw(params)?,
                score: if status == TrialStatus::Ok { Some(score) } else { None },
                status,
                error: string_from(error),
                seconds,
                metrics,
                metric_names: metric_names.clone(),
            });
        }
        let mut best = 0u64;
        let best_index = (sys::btopt_result_best_index(r, &mut best) == sys::BTOPT_OK).then_some(best as usize);
        let mut status_counts = [0u64; 6];
        for (s, count) in status_counts.iter_mut().enumerate() {
            *count = sys::btopt_result_status_count(r, s as i32);
        }
        Ok(OptimizationResult {
            best_index,
            trials,
            metric_names,
            evaluated: sys::btopt_result_evaluated_count(r),
            status_counts,
            wall_seconds: sys::btopt_result_wall_seconds(r),
            eval_seconds: sys::btopt_result_eval_seconds(r),
            speedup: sys::btopt_result_speedup(r),
            efficiency: sys::btopt_result_efficiency(r),
            speedup_cpu_share: sys::btopt_result_speedup_cpu_share(r),
            workers: sys::btopt_result_workers(r),
            reused: sys::btopt_result_reused_count(r),
            stopped_on_budget: sys::btopt_result_stopped_on_budget(r) != 0,
            provenance: string_from(sys::btopt_result_provenance(r)),
            handle,
        })
    }

    pub(crate) fn as_ptr(&self) -> *const sys::btopt_result {
        self.handle.0.as_ptr()
    }

    /// The best trial (ties go to the lowest number); `None` when none succeeded.
    pub fn best_trial(&self) -> Option<&Trial> {
        self.best_index.map(|i| &self.trials[i])
    }

    /// Index of the best trial in [`trials`](Self::trials).
    pub fn best_index(&self) -> Option<usize> {
        self.best_index
    }

    pub fn best_params(&self) -> Option<&Point> {
        self.best_trial().map(|t| &t.params)
    }

    pub fn best_score(&self) -> Option<f64> {
        self.best_trial().and_then(|t| t.score)
    }

    /// Kept trials (all unless `keep_trials` was set), in trial order.
    pub fn trials(&self) -> &[Trial] {
        &self.trials
    }

    /// Metric names every trial carries (a plugin's; empty for a closure).
    pub fn metric_names(&self) -> &[String] {
        &self.metric_names
    }

    /// Trials evaluated in the run, kept or not.
    pub fn evaluated_count(&self) -> u64 {
        self.evaluated
    }

    /// Trials the run started, cancelled ones included (the JSON's `n_trials`).
    pub fn started_count(&self) -> u64 {
        self.status_counts.iter().sum()
    }

    /// How many evaluated trials ended with `status`.
    pub fn status_count(&self, status: TrialStatus) -> u64 {
        match status.code() {
            c @ 0..=5 => self.status_counts[c as usize],
            // SAFETY: valid handle; unknown codes are answered (0 or a newer count).
            c => unsafe { sys::btopt_result_status_count(self.as_ptr(), c) },
        }
    }

    pub fn wall_seconds(&self) -> f64 {
        self.wall_seconds
    }

    /// Sum of the evaluations' own seconds.
    pub fn eval_seconds(&self) -> f64 {
        self.eval_seconds
    }

    /// What the evaluations would have taken one after another on one core
    /// (CPU time; wall time where they mostly wait), over the wall time.
    pub fn speedup(&self) -> f64 {
        self.speedup
    }

    /// speedup / workers.
    pub fn efficiency(&self) -> f64 {
        self.efficiency
    }

    /// The share of the speedup's basis that is CPU time.
    pub fn speedup_cpu_share(&self) -> f64 {
        self.speedup_cpu_share
    }

    /// Workers the run used (n_jobs resolved).
    pub fn workers(&self) -> u32 {
        self.workers
    }

    /// Trials a study supplied instead of an evaluation.
    pub fn reused_count(&self) -> u64 {
        self.reused
    }

    /// Whether `max_seconds` ended the run: the trials not started by then are cancelled.
    pub fn stopped_on_budget(&self) -> bool {
        self.stopped_on_budget
    }

    /// What produced the run, as JSON (docs/STUDIES.md); empty without a study.
    pub fn provenance(&self) -> &str {
        &self.provenance
    }

    /// Writes the run and every kept trial as JSON (docs/RESULTS.md). Io when it cannot.
    pub fn write_json(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = c_string(&path.as_ref().to_string_lossy(), "path")?;
        // SAFETY: valid handle and path.
        check(unsafe { sys::btopt_result_write_json(self.as_ptr(), path.as_ptr()) })
    }

    /// Writes one CSV row per kept trial (docs/RESULTS.md). Io when it cannot.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = c_string(&path.as_ref().to_string_lossy(), "path")?;
        // SAFETY: valid handle and path.
        check(unsafe { sys::btopt_result_write_csv(self.as_ptr(), path.as_ptr()) })
    }

    /// The C params view of kept trial `i`, for `Optimizer::equity_curve`.
    pub(crate) fn params_ptr(&self, i: usize) -> Result<*const sys::btopt_params> {
        let mut params: *const sys::btopt_params = std::ptr::null();
        // SAFETY: valid handle; the view lives as long as the result.
        check(unsafe {
            sys::btopt_result_trial(self.as_ptr(), i as u64, &mut params, std::ptr::null_mut(), std::ptr::null_mut())
        })?;
        Ok(params)
    }
}

impl fmt::Debug for OptimizationResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OptimizationResult")
            .field("best_params", &self.best_params().map(ToString::to_string))
            .field("best_score", &self.best_score())
            .field("trials", &self.trials.len())
            .field("evaluated", &self.evaluated)
            .field("speedup", &self.speedup)
            .finish()
    }
}
