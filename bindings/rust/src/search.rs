//! A search without a run (`btopt_search_*`): ask for trials, evaluate them
//! with your own executor (threads, async tasks, a cluster), tell the outcomes
//! in any order. The search hears them in trial order, so the trials are those
//! an [`Optimizer`](crate::Optimizer) run with the same options evaluates.
use crate::error::{c_string, check, Error, Result, Status};
use crate::result::TrialStatus;
use crate::space::Space;
use crate::sys;
use crate::value::{point_from_raw, string_from, Point};
use std::os::raw::c_char;
use std::ptr::NonNull;

/// A trial the search proposed: its number (0, 1, 2, ... in proposal order) and its point.
#[derive(Debug, Clone, PartialEq)]
pub struct AskedTrial {
    pub number: u64,
    pub params: Point,
}

/// One of btopt's searches driven by ask/tell (`btopt_search`).
///
/// ```no_run
/// # fn backtest(_: &btopt::Point) -> f64 { 0.0 }
/// let space = btopt::Space::builder().int("fast", 5, 50, 5).build()?;
/// let mut search = btopt::Search::new(&space, "bayesian")?;
/// search.set_int("random_seed", 1)?.set_int("n_iterations", 40)?;
/// while !search.is_done() {
///     for trial in search.ask(4)? {
///         search.tell(trial.number, backtest(&trial.params))?;
///     }
/// }
/// let (number, score, params) = search.best()?.expect("a trial succeeded");
/// # Ok::<(), btopt::Error>(())
/// ```
pub struct Search {
    raw: NonNull<sys::btopt_search>,
}

// SAFETY: a search has no thread affinity; every call goes through `&mut self`
// or reads through `&self` without shared mutation on the C side.
unsafe impl Send for Search {}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Search")
    }
}

impl Drop for Search {
    fn drop(&mut self) {
        // SAFETY: owned, destroyed exactly once.
        unsafe { sys::btopt_search_destroy(self.raw.as_ptr()) }
    }
}

impl Search {
    /// A search over `space` (copied) with `algorithm` "grid", "random",
    /// "genetic", "bayesian" or "cmaes"; the errors of [`Optimizer::new`](crate::Optimizer::new).
    pub fn new(space: &Space, algorithm: &str) -> Result<Search> {
        let algorithm = c_string(algorithm, "algorithm")?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid space and string; out is written on success.
        check(unsafe { sys::btopt_search_create(&mut raw, space.as_ptr(), algorithm.as_ptr()) })?;
        let raw = NonNull::new(raw).ok_or_else(|| Error::new(Status::Internal, "btopt_search_create gave NULL"))?;
        Ok(Search { raw })
    }

    /// Options a search reads (random_seed, n_iterations, population_size, batch_q, ...), before the first ask.
    pub fn set_int(&mut self, option: &str, value: i64) -> Result<&mut Self> {
        let option = c_string(option, "option")?;
        // SAFETY: valid handle and string.
        check(unsafe { sys::btopt_search_set_int(self.raw.as_ptr(), option.as_ptr(), value) })?;
        Ok(self)
    }

    pub fn set_double(&mut self, option: &str, value: f64) -> Result<&mut Self> {
        let option = c_string(option, "option")?;
        // SAFETY: valid handle and string.
        check(unsafe { sys::btopt_search_set_double(self.raw.as_ptr(), option.as_ptr(), value) })?;
        Ok(self)
    }

    pub fn set_string(&mut self, option: &str, value: &str) -> Result<&mut Self> {
        let (option, value) = (c_string(option, "option")?, c_string(value, "option value")?);
        // SAFETY: valid handle and strings.
        check(unsafe { sys::btopt_search_set_string(self.raw.as_ptr(), option.as_ptr(), value.as_ptr()) })?;
        Ok(self)
    }

    /// Up to `max` new trials; empty while the search waits for the outcomes
    /// of trials in flight (tell them, ask again) or when it is done.
    pub fn ask(&mut self, max: usize) -> Result<Vec<AskedTrial>> {
        let mut numbers = vec![0u64; max];
        let mut views = vec![std::ptr::null::<sys::btopt_params>(); max];
        let mut count = 0usize;
        // SAFETY: both arrays hold `max` entries.
        check(unsafe {
            sys::btopt_search_ask(self.raw.as_ptr(), max, numbers.as_mut_ptr(), views.as_mut_ptr(), &mut count)
        })?;
        (0..count)
            .map(|i| {
                // SAFETY: the view lives until the trial is told, which needs `&mut self`.
                let params = unsafe { point_from_raw(views[i]) }?;
                Ok(AskedTrial { number: numbers[i], params })
            })
            .collect()
    }

    /// Trial `number` succeeded with `score` (higher is better unless direction is "minimize").
    pub fn tell(&mut self, number: u64, score: f64) -> Result<()> {
        self.tell_outcome(number, TrialStatus::Ok, score, &[])
    }

    /// Trial `number` ended with `status` (its score counts when `Ok` only), with its metrics.
    pub fn tell_outcome(&mut self, number: u64, status: TrialStatus, score: f64, metrics: &[f64]) -> Result<()> {
        let ptr = if metrics.is_empty() { std::ptr::null() } else { metrics.as_ptr() };
        // SAFETY: metrics holds metric_count values.
        check(unsafe { sys::btopt_search_tell(self.raw.as_ptr(), number, status.code(), score, ptr, metrics.len()) })
    }

    /// No trial left to propose and every one proposed told.
    pub fn is_done(&self) -> bool {
        // SAFETY: valid handle.
        unsafe { sys::btopt_search_done(self.raw.as_ptr()) != 0 }
    }

    /// (number, score, point) of the best successful trial heard so far.
    pub fn best(&self) -> Result<Option<(u64, f64, Point)>> {
        let (mut number, mut score, mut view) = (0u64, 0.0f64, std::ptr::null::<sys::btopt_params>());
        // SAFETY: valid handle and outs.
        let status = unsafe { sys::btopt_search_best(self.raw.as_ptr(), &mut number, &mut score, &mut view) };
        if status == sys::BTOPT_ERR_NOT_FOUND {
            return Ok(None);
        }
        check(status)?;
        // SAFETY: the view lives as long as the search.
        Ok(Some((number, score, unsafe { point_from_raw(view) }?)))
    }

    /// The search's state as JSON text, for [`restore`](Self::restore).
    pub fn state(&mut self) -> Result<String> {
        let mut text: *const c_char = std::ptr::null();
        // SAFETY: valid handle; the text lives until the next call, and is copied now.
        check(unsafe { sys::btopt_search_state(self.raw.as_ptr(), &mut text) })?;
        Ok(unsafe { string_from(text) })
    }

    /// Replays a state into this new search (same space, algorithm and options).
    pub fn restore(&mut self, state: &str) -> Result<()> {
        let state = c_string(state, "state")?;
        // SAFETY: valid handle and string.
        check(unsafe { sys::btopt_search_restore(self.raw.as_ptr(), state.as_ptr()) })
    }
}
