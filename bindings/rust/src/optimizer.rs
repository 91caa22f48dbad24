//! One configured run: options, an objective (a closure, a registered
//! objective or a strategy plugin), progress, cancellation.
use crate::callbacks::{
    ended_scope_trampoline, objective_trampoline, progress_report_trampoline, progress_trampoline, wrap_objective,
    ObjectiveBox, ObjectiveOutput, Progress, ProgressReport, ProgressReportState, ProgressState,
};
use crate::error::{c_string, check, last_error, Error, Result, Status};
use crate::plugin::Series;
use crate::result::OptimizationResult;
use crate::space::Space;
use crate::sys;
use crate::value::Params;
use std::os::raw::{c_char, c_void};
use std::ptr::NonNull;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// Where evaluations run (option `backend`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The calling thread.
    Inline,
    /// A pool of threads: the objective is called from several threads at once.
    Thread,
    /// Worker processes: crash isolation, timeouts, memory limits.
    Process,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Inline => "inline",
            Backend::Thread => "thread",
            Backend::Process => "process",
        }
    }
}

/// How process-backend workers start (option `start_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartMethod {
    /// btopt-worker loads the plugin once, then forks the workers (plugins).
    Server,
    /// Workers are forked from this process (closures).
    Fork,
}

impl StartMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            StartMethod::Server => "server",
            StartMethod::Fork => "fork",
        }
    }
}

/// Whether a higher or a lower score is better (option `direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Maximize,
    Minimize,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Maximize => "maximize",
            Direction::Minimize => "minimize",
        }
    }
}

struct Handle(NonNull<sys::btopt_optimizer>);

// SAFETY: an optimizer has no thread affinity. Shared use from several threads
// is limited to btopt_optimizer_cancel, which the header declares safe from
// any thread; every other call goes through `&mut Optimizer`.
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: owned; the Arc's last owner destroys it, exactly once.
        unsafe { sys::btopt_optimizer_destroy(self.0.as_ptr()) }
    }
}

/// Cancels a running [`Optimizer::run`] from any thread (or from the progress
/// callback). It does not keep the optimizer alive: once the optimizer is
/// dropped, `cancel` does nothing. A cancel that arrives while no run is
/// going stops the next `run` at once (as `btopt_optimizer_cancel` does), so a
/// cancel that lands just before `run` begins is not lost.
#[derive(Clone)]
pub struct CancelHandle(Weak<Handle>);

impl CancelHandle {
    pub fn cancel(&self) {
        if let Some(handle) = self.0.upgrade() {
            // SAFETY: the handle is alive while we hold the Arc; cancel is thread-safe.
            unsafe { sys::btopt_optimizer_cancel(handle.0.as_ptr()) }
        }
    }
}

impl std::fmt::Debug for CancelHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CancelHandle")
    }
}

/// Points the optimizer back at its own closure (or at one that says the
/// borrowed objective is gone) when [`Optimizer::run_with`] ends.
struct RestoreObjective {
    optimizer: *mut sys::btopt_optimizer,
    previous: Option<*mut c_void>,
}

impl Drop for RestoreObjective {
    fn drop(&mut self) {
        let user = self.previous.unwrap_or(std::ptr::null_mut());
        let trampoline: sys::btopt_objective_fn =
            if self.previous.is_some() { Some(objective_trampoline) } else { Some(ended_scope_trampoline) };
        // SAFETY: the optimizer outlives this guard (run_with holds both);
        // a non-NULL function is always accepted.
        unsafe { sys::btopt_optimizer_set_objective(self.optimizer, trampoline, user) };
    }
}

/// One configured run (`btopt_optimizer`).
///
/// `Send` (it may move to another thread) but not `Sync`: every call but
/// cancellation needs `&mut self`; use [`cancel_handle`](Self::cancel_handle)
/// to cancel from elsewhere. It may run again; each run starts afresh.
///
/// Objective closures must be `Send + Sync + 'static`: with the thread
/// backend (the default when `n_jobs` resolves to more than 1) the library
/// calls them from several threads at once. With the process backend they
/// run in worker processes forked from this one (start_method "fork"),
/// which the library supports only for hosts with no other busy threads
/// when `run` is called.
pub struct Optimizer {
    // Dropped first: the C optimizer goes before the closures it points to.
    handle: Arc<Handle>,
    objective: Option<Box<ObjectiveBox<'static>>>,
    progress: Option<Box<ProgressState>>,
    progress_report: Option<Box<ProgressReportState>>,
}

impl Optimizer {
    /// An optimizer over `space` (copied) with `algorithm` "grid", "random",
    /// "genetic", "bayesian" or "cmaes". InvalidArgument for an unknown algorithm, an
    /// empty space or a grid over a continuous float.
    pub fn new(space: &Space, algorithm: &str) -> Result<Optimizer> {
        Optimizer::create(space.as_ptr(), algorithm)
    }

    /// An optimizer over a strategy plugin (a path, or a name looked up in
    /// `BTOPT_PLUGIN_PATH` and btopt's plugin folder). `space`, when given,
    /// narrows or replaces the plugin's ranges of the same names.
    pub fn with_plugin(plugin: &str, space: Option<&Space>, algorithm: &str) -> Result<Optimizer> {
        let mut opt = Optimizer::create(space.map_or(std::ptr::null(), Space::as_ptr), algorithm)?;
        opt.plugin(plugin)?;
        Ok(opt)
    }

    fn create(space: *const sys::btopt_space, algorithm: &str) -> Result<Optimizer> {
        let algorithm = c_string(algorithm, "algorithm")?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid out pointer; the space (or NULL) is copied.
        check(unsafe { sys::btopt_optimizer_create(&mut raw, space, algorithm.as_ptr()) })?;
        let raw = NonNull::new(raw).ok_or_else(|| Error::new(Status::Internal, "btopt_optimizer_create gave NULL"))?;
        Ok(Optimizer { handle: Arc::new(Handle(raw)), objective: None, progress: None, progress_report: None })
    }

    fn raw(&self) -> *mut sys::btopt_optimizer {
        self.handle.0.as_ptr()
    }

    // ---- Options by name ------------------------------------------------

    /// Any integer option (or a double option given as an integer).
    /// NotFound for an unknown option; InvalidArgument for a bad value or type.
    pub fn set_int(&mut self, option: &str, value: i64) -> Result<&mut Self> {
        let option = c_string(option, "option")?;
        // SAFETY: valid handle and string.
        check(unsafe { sys::btopt_optimizer_set_int(self.raw(), option.as_ptr(), value) })?;
        Ok(self)
    }

    pub fn set_double(&mut self, option: &str, value: f64) -> Result<&mut Self> {
        let option = c_string(option, "option")?;
        // SAFETY: valid handle and string.
        check(unsafe { sys::btopt_optimizer_set_double(self.raw(), option.as_ptr(), value) })?;
        Ok(self)
    }

    pub fn set_str(&mut self, option: &str, value: &str) -> Result<&mut Self> {
        let option = c_string(option, "option")?;
        let value = c_string(value, "option value")?;
        // SAFETY: valid handle and strings (copied).
        check(unsafe { sys::btopt_optimizer_set_string(self.raw(), option.as_ptr(), value.as_ptr()) })?;
        Ok(self)
    }

    /// Bounds a plugin's init (zero: none); past it the run fails.
    pub fn init_timeout(&mut self, timeout: Duration) -> Result<&mut Self> {
        self.set_double("init_timeout", timeout.as_secs_f64())
    }

    /// A study file (SQLite): every trial is written to it as it finishes, and a
    /// run on a matching study reuses its outcomes (docs/STUDIES.md).
    pub fn study(&mut self, path: &str) -> Result<&mut Self> {
        self.set_str("study", path)
    }
    /// "resume" (default: reuse what a matching study holds) or "new".
    pub fn study_mode(&mut self, mode: &str) -> Result<&mut Self> {
        self.set_str("study_mode", mode)
    }
    /// The first bar a plugin's run trades: a date "YYYY-MM-DD" or a bar
    /// number; earlier bars only warm indicators up.
    pub fn start(&mut self, bar: &str) -> Result<&mut Self> {
        self.set_str("start", bar)
    }
    /// The last bar a plugin's run trades (included): a date or a bar number.
    pub fn end(&mut self, bar: &str) -> Result<&mut Self> {
        self.set_str("end", bar)
    }
    /// A wall-clock budget: once spent, nothing more is proposed, trials not
    /// started are cancelled and the run ends ok
    /// ([`OptimizationResult::stopped_on_budget`](crate::OptimizationResult::stopped_on_budget)).
    pub fn max_seconds(&mut self, budget: Duration) -> Result<&mut Self> {
        self.set_double("max_seconds", budget.as_secs_f64())
    }
    /// A condition over a trial's metrics and score, e.g.
    /// `"trades >= 30 && max_drawdown < 0.3"`: a trial that breaks it is
    /// [`TrialStatus::Infeasible`](crate::TrialStatus::Infeasible), never the best.
    pub fn require(&mut self, condition: &str) -> Result<&mut Self> {
        self.set_str("require", condition)
    }
    /// What a host objective's data is, for a study's provenance.
    pub fn data_fingerprint(&mut self, text: &str) -> Result<&mut Self> {
        self.set_str("data_fingerprint", text)
    }

    /// Reads an integer option back: the value set, or its default.
    /// NotFound for an unknown option; InvalidArgument for an option of another type.
    pub fn get_int(&self, option: &str) -> Result<i64> {
        let option = c_string(option, "option")?;
        let mut value = 0i64;
        // SAFETY: valid handle, string and out pointer.
        check(unsafe { sys::btopt_optimizer_get_int(self.raw(), option.as_ptr(), &mut value) })?;
        Ok(value)
    }

    /// Reads a double option back.
    pub fn get_double(&self, option: &str) -> Result<f64> {
        let option = c_string(option, "option")?;
        let mut value = 0f64;
        // SAFETY: valid handle, string and out pointer.
        check(unsafe { sys::btopt_optimizer_get_double(self.raw(), option.as_ptr(), &mut value) })?;
        Ok(value)
    }

    /// Reads a string option back (max_memory_per_worker as bytes in decimal).
    pub fn get_str(&self, option: &str) -> Result<String> {
        let option = c_string(option, "option")?;
        let mut value: *const c_char = std::ptr::null();
        // SAFETY: valid handle, string and out pointer; the text is copied
        // before any other call on this optimizer.
        check(unsafe { sys::btopt_optimizer_get_string(self.raw(), option.as_ptr(), &mut value) })?;
        // SAFETY: the library returned a NUL-terminated string on success.
        Ok(unsafe { std::ffi::CStr::from_ptr(value) }.to_string_lossy().into_owned())
    }

    // ---- Options, typed -------------------------------------------------

    /// Workers: positive, or -1 every CPU, -2 all but one, ... (default -1).
    pub fn n_jobs(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("n_jobs", n)
    }
    /// Points a random search evaluates (default 100).
    pub fn n_iterations(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("n_iterations", n)
    }
    pub fn random_seed(&mut self, seed: i64) -> Result<&mut Self> {
        self.set_int("random_seed", seed)
    }
    pub fn population_size(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("population_size", n)
    }
    pub fn n_generations(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("n_generations", n)
    }
    pub fn tournament_size(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("tournament_size", n)
    }
    pub fn elite_count(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("elite_count", n)
    }
    /// Points a bayesian search proposes before their results are known (default 1: sequential).
    pub fn batch_q(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("batch_q", n)
    }
    /// Stop a genetic, bayesian or cmaes search after n trials without improvement (default 0: never).
    pub fn patience(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("patience", n)
    }
    pub fn crossover_rate(&mut self, rate: f64) -> Result<&mut Self> {
        self.set_double("crossover_rate", rate)
    }
    pub fn mutation_rate(&mut self, rate: f64) -> Result<&mut Self> {
        self.set_double("mutation_rate", rate)
    }
    /// Points a worker takes at once (0 = automatic).
    pub fn batch_size(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("batch_size", n)
    }
    /// Keep only the best `n` trials in the result (0 = all).
    pub fn keep_trials(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("keep_trials", n)
    }
    /// Coalesce progress calls to at most one per `interval` (zero: a call per recorded trial).
    pub fn progress_interval(&mut self, interval: Duration) -> Result<&mut Self> {
        self.set_double("progress_interval", interval.as_secs_f64())
    }
    /// S, the blocks the probability of backtest overfitting cross-validates (docs/VALIDATION.md).
    pub fn pbo_blocks(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("pbo_blocks", n)
    }
    /// k, the grid steps a trial's neighbourhood score looks at (docs/VALIDATION.md).
    pub fn robust_radius(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("robust_radius", n)
    }
    /// The point a run carries forward: "best" or "robust".
    pub fn select(&mut self, how: &str) -> Result<&mut Self> {
        self.set_str("select", how)
    }
    /// Record failed trials and go on instead of stopping the run.
    pub fn ignore_errors(&mut self, on: bool) -> Result<&mut Self> {
        self.set_int("ignore_errors", i64::from(on))
    }
    pub fn backend(&mut self, backend: Backend) -> Result<&mut Self> {
        self.set_str("backend", backend.as_str())
    }
    pub fn start_method(&mut self, method: StartMethod) -> Result<&mut Self> {
        self.set_str("start_method", method.as_str())
    }
    pub fn direction(&mut self, direction: Direction) -> Result<&mut Self> {
        self.set_str("direction", direction.as_str())
    }
    /// OMP/OpenBLAS/MKL threads in each worker process (default 1; 0 leaves the environment alone).
    pub fn threads_per_worker(&mut self, n: i64) -> Result<&mut Self> {
        self.set_int("threads_per_worker", n)
    }
    /// Per-evaluation limit in worker processes (zero: none).
    pub fn eval_timeout(&mut self, timeout: Duration) -> Result<&mut Self> {
        self.set_double("eval_timeout", timeout.as_secs_f64())
    }
    /// "2GB", "512MB", "512MiB" (powers of 1024); "0" for none.
    pub fn max_memory_per_worker(&mut self, size: &str) -> Result<&mut Self> {
        self.set_str("max_memory_per_worker", size)
    }
    pub fn max_memory_per_worker_bytes(&mut self, bytes: i64) -> Result<&mut Self> {
        self.set_int("max_memory_per_worker", bytes)
    }

    // ---- The objective --------------------------------------------------

    /// A closure as the objective; it replaces a plugin. It returns a score
    /// (`f64`) or a `Result<f64, E: Display>`; an `Err` or a panic fails the
    /// trial with that text, and so does a NaN or infinite score.
    ///
    /// A panic is caught (`catch_unwind`), so it never crosses into C; the
    /// panic hook still prints it. Under `panic = "abort"` a panic aborts.
    pub fn objective<F, R>(&mut self, f: F) -> Result<&mut Self>
    where
        F: Fn(&Params<'_>) -> R + Send + Sync + 'static,
        R: ObjectiveOutput,
    {
        let boxed = wrap_objective(f);
        let user = &*boxed as *const ObjectiveBox as *mut c_void;
        // SAFETY: the box lives in self until replaced or dropped, after the
        // C side stops pointing to it.
        check(unsafe { sys::btopt_optimizer_set_objective(self.raw(), Some(objective_trampoline), user) })?;
        self.objective = Some(boxed); // the previous box (if any) goes only now
        Ok(self)
    }

    /// Runs the search with an objective borrowed for this run only: unlike
    /// [`objective`](Self::objective), the closure need not be `'static`, so
    /// it may borrow data loaded on the caller's stack, as with
    /// [`std::thread::scope`]. Every evaluation ends before `run_with`
    /// returns (the thread backend's workers are done with it, forked worker
    /// processes have exited), on every backend.
    ///
    /// It replaces a plugin or registered objective, as
    /// [`objective`](Self::objective) does. Afterwards the closure set with
    /// `objective` before, if any, is the objective again; without one a
    /// later [`run`](Self::run) fails its trials saying why.
    ///
    /// ```no_run
    /// # use btopt::{Optimizer, Space};
    /// # let space = Space::builder().int("n", 1, 10, 1).build()?;
    /// let prices: Vec<f64> = vec![1.0, 1.5, 1.2]; // loaded once, not 'static
    /// let mut opt = Optimizer::new(&space, "grid")?;
    /// let result = opt.run_with(|p| Ok::<f64, btopt::Error>(prices.iter().sum::<f64>() * p.int("n")? as f64))?;
    /// # Ok::<(), btopt::Error>(())
    /// ```
    pub fn run_with<'env, F, R>(&mut self, objective: F) -> Result<OptimizationResult>
    where
        F: Fn(&Params<'_>) -> R + Send + Sync + 'env,
        R: ObjectiveOutput,
    {
        let scoped = wrap_objective(objective);
        let user = &*scoped as *const ObjectiveBox<'_> as *mut c_void;
        // SAFETY: `scoped` outlives the run; `_restore` points the C side
        // away from it before it is dropped, even when `run` unwinds.
        check(unsafe { sys::btopt_optimizer_set_objective(self.raw(), Some(objective_trampoline), user) })?;
        let _restore = RestoreObjective {
            optimizer: self.raw(),
            previous: self.objective.as_deref().map(|b| b as *const ObjectiveBox<'static> as *mut c_void),
        };
        self.run()
    }

    /// An objective registered with [`register_objective`](crate::register_objective) under `name`.
    /// NotFound when there is none.
    pub fn use_objective(&mut self, name: &str) -> Result<&mut Self> {
        let name = c_string(name, "objective name")?;
        // SAFETY: valid handle and string.
        check(unsafe { sys::btopt_optimizer_use_objective(self.raw(), name.as_ptr()) })?;
        Ok(self)
    }

    /// A strategy plugin as the objective (path or name); its parameters
    /// become the space. Plugin when it cannot be found or loaded.
    pub fn plugin(&mut self, path_or_name: &str) -> Result<&mut Self> {
        let name = c_string(path_or_name, "plugin")?;
        // SAFETY: valid handle and string.
        check(unsafe { sys::btopt_optimizer_use_plugin(self.raw(), name.as_ptr()) })?;
        Ok(self)
    }

    /// A key=value the plugin's init receives (data path, commission, ...).
    pub fn plugin_config(&mut self, key: &str, value: &str) -> Result<&mut Self> {
        let key = c_string(key, "plugin config key")?;
        let value = c_string(value, "plugin config value")?;
        // SAFETY: valid handle and strings.
        check(unsafe { sys::btopt_optimizer_set_plugin_config(self.raw(), key.as_ptr(), value.as_ptr()) })?;
        Ok(self)
    }

    /// Which of the plugin's metrics is the score. InvalidArgument for an unknown one.
    pub fn objective_metric(&mut self, metric: &str) -> Result<&mut Self> {
        let metric = c_string(metric, "metric")?;
        // SAFETY: valid handle and string.
        check(unsafe { sys::btopt_optimizer_set_objective_metric(self.raw(), metric.as_ptr()) })?;
        Ok(self)
    }

    /// Called on the thread running [`run`](Self::run), never concurrently,
    /// after evaluations finish. To stop the run from it, capture a
    /// [`CancelHandle`]. A panic in it cancels the run and is resumed when
    /// `run` returns.
    pub fn progress<F>(&mut self, f: F) -> Result<&mut Self>
    where
        F: FnMut(Progress) + Send + 'static,
    {
        let mut state = Box::new(ProgressState { callback: Box::new(f), panic: None, optimizer: self.raw() });
        let user = &mut *state as *mut ProgressState as *mut c_void;
        // SAFETY: as for the objective box.
        check(unsafe { sys::btopt_optimizer_set_progress(self.raw(), Some(progress_trampoline), user) })?;
        self.progress = Some(state);
        Ok(self)
    }

    /// Called with a [`ProgressReport`] (counts by status, best score,
    /// evaluations per second) once per recorded trial in trial order, or at
    /// most every [`progress_interval`](Self::progress_interval); on the
    /// thread running [`run`](Self::run), never concurrently. A panic in it
    /// cancels the run and is resumed when `run` returns.
    pub fn progress_report<F>(&mut self, f: F) -> Result<&mut Self>
    where
        F: FnMut(&ProgressReport) + Send + 'static,
    {
        let mut state = Box::new(ProgressReportState { callback: Box::new(f), panic: None, optimizer: self.raw() });
        let user = &mut *state as *mut ProgressReportState as *mut c_void;
        // SAFETY: as for the objective box.
        check(unsafe { sys::btopt_optimizer_set_progress_ex(self.raw(), Some(progress_report_trampoline), user) })?;
        self.progress_report = Some(state);
        Ok(self)
    }

    /// Removes the progress callback.
    pub fn clear_progress(&mut self) -> Result<&mut Self> {
        // SAFETY: valid handle; NULL fn is allowed.
        check(unsafe { sys::btopt_optimizer_set_progress(self.raw(), None, std::ptr::null_mut()) })?;
        self.progress = None;
        Ok(self)
    }

    // ---- Running --------------------------------------------------------

    /// Runs the search. On a failed trial (without `ignore_errors`) the error
    /// is [`Status::Objective`] and on a cancellation [`Status::Cancelled`];
    /// both carry the partial result ([`Error::partial`]).
    pub fn run(&mut self) -> Result<OptimizationResult> {
        if let Some(p) = self.progress.as_mut() {
            p.panic = None;
        }
        if let Some(p) = self.progress_report.as_mut() {
            p.panic = None;
        }
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid handle and out pointer; the closures it calls live in
        // self, borrowed mutably for the whole run.
        let status = unsafe { sys::btopt_optimizer_run(self.raw(), &mut raw) };
        let message = if status == sys::BTOPT_OK { String::new() } else { last_error() };
        let result = if raw.is_null() { None } else { Some(unsafe { OptimizationResult::from_raw(raw) }) }.transpose();
        let panicked = self.progress.as_mut().and_then(|p| p.panic.take());
        if let Some(payload) = panicked.or_else(|| self.progress_report.as_mut().and_then(|p| p.panic.take())) {
            drop(result);
            std::panic::resume_unwind(payload);
        }
        let result = result?;
        if status == sys::BTOPT_OK {
            result.ok_or_else(|| Error::new(Status::Internal, "btopt_optimizer_run succeeded without a result"))
        } else {
            Err(Error::with_partial(Status::from_code(status), message, result))
        }
    }

    /// A walk-forward with this optimizer's plugin, algorithm and options
    /// (docs/VALIDATION.md): lengths in bars ("500") or periods ("30d", "4w",
    /// "6m", "2y"); `step` and `validation` may be empty (step: the test
    /// length; validation: none). Returns the outcome as JSON (windows,
    /// out_of_sample, walk_forward_efficiency, parameter_stability).
    /// Unsupported without a plugin with bar ranges; InvalidArgument for
    /// windows that do not fit the data, naming the window.
    pub fn walk_forward(
        &mut self,
        train: &str,
        test: &str,
        step: &str,
        validation: &str,
        anchored: bool,
    ) -> Result<String> {
        let texts = [
            c_string(train, "train length")?,
            c_string(test, "test length")?,
            c_string(step, "step")?,
            c_string(validation, "validation length")?,
        ];
        let spec = sys::btopt_walkforward_spec {
            struct_size: std::mem::size_of::<sys::btopt_walkforward_spec>() as u32,
            train: texts[0].as_ptr(),
            test: texts[1].as_ptr(),
            step: texts[2].as_ptr(),
            anchored: i32::from(anchored),
            validation: texts[3].as_ptr(),
        };
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid handle, spec and out pointer; the strings outlive the call.
        let status = unsafe { sys::btopt_optimizer_walkforward(self.raw(), &spec, &mut raw) };
        let message = if status == sys::BTOPT_OK { String::new() } else { last_error() };
        let json = if raw.is_null() {
            String::new()
        } else {
            // SAFETY: a walk-forward we own; its text lives until destroy.
            let text =
                unsafe { std::ffi::CStr::from_ptr(sys::btopt_walkforward_json(raw)) }.to_string_lossy().into_owned();
            unsafe { sys::btopt_walkforward_destroy(raw) };
            text
        };
        if status == sys::BTOPT_OK {
            Ok(json)
        } else {
            Err(Error::new(Status::from_code(status), message))
        }
    }

    /// Asks a running `run` to stop (from another thread: use [`cancel_handle`](Self::cancel_handle));
    /// called while no run is going, it stops the next `run` at once.
    pub fn cancel(&self) {
        // SAFETY: valid handle; cancel is thread-safe.
        unsafe { sys::btopt_optimizer_cancel(self.raw()) }
    }

    /// A `Send + Sync` handle that cancels this optimizer's run.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle(Arc::downgrade(&self.handle))
    }

    /// The equity curve of kept trial `trial_index` of `result` under this
    /// optimizer's plugin and config, with buy-and-hold (both start at 1).
    /// Unsupported when the plugin offers none; InvalidArgument without a
    /// plugin or for a result of another space.
    pub fn equity_curve(&self, result: &OptimizationResult, trial_index: usize) -> Result<Series> {
        let point = result.params_ptr(trial_index)?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid handles; the view lives as long as `result`, borrowed here.
        check(unsafe { sys::btopt_optimizer_equity_curve(&mut raw, self.raw(), point) })?;
        // SAFETY: a fresh series we now own.
        unsafe { Series::from_raw(raw) }
    }
}

impl std::fmt::Debug for Optimizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Optimizer")
            .field("objective", &self.objective.is_some())
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

// SAFETY: the handle is Send; the objective box is Send + Sync and the
// progress state's closure is Send (its raw pointer is our own handle's).
unsafe impl Send for Optimizer {}
