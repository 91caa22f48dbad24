//! Rust bindings to btopt: find the best parameters of a trading strategy by
//! evaluating it over many parameter combinations in parallel (grid, random
//! and genetic search), through btopt's C ABI (`include/btopt/btopt.h`).
//!
//! ```no_run
//! use btopt::{Optimizer, Space};
//!
//! let space = Space::builder()
//!     .int("fast", 10, 50, 5)
//!     .int("slow", 50, 200, 25)
//!     .constraint("fast < slow")
//!     .build()?;
//! let mut opt = Optimizer::new(&space, "genetic")?;
//! opt.n_jobs(4)?.random_seed(42)?;
//! opt.objective(|p| {
//!     let (fast, slow) = (p.int("fast")?, p.int("slow")?);
//!     Ok::<f64, btopt::Error>(-((fast - 20) as f64).powi(2) - ((slow - 100) as f64).powi(2))
//! })?;
//! let result = opt.run()?;
//! println!("best {} at {}", result.best_score().unwrap(), result.best_params().unwrap());
//! # Ok::<(), btopt::Error>(())
//! ```
//!
//! Every fallible call returns [`Result`]; the [`Error`] carries the
//! [`Status`] and the library's message. Handles are released exactly once on
//! drop, and an [`OptimizationResult`] stays valid after its optimizer is gone.
//! [`sys`] holds the raw declarations.

mod callbacks;
mod error;
mod optimizer;
mod plugin;
mod result;
mod search;
#[cfg(feature = "serde")]
mod serde_impl;
mod space;
mod study;
mod value;

/// The raw declarations of the C ABI (the `btopt-sys` crate).
pub use btopt_sys as sys;

pub use callbacks::{register_objective, ObjectiveOutput, Progress, ProgressReport};
pub use error::{Error, Result, Status};
pub use optimizer::{Backend, CancelHandle, Direction, Optimizer, StartMethod};
pub use plugin::{PluginInfo, Series};
pub use result::{OptimizationResult, Trial, TrialStatus};
pub use search::{AskedTrial, Search};
pub use space::{ParamSpec, Space, SpaceBuilder};
pub use study::{export_study, open_study, study_runs};
pub use value::{Params, Point, Value};

/// The library's version, e.g. "0.1.0".
pub fn version() -> String {
    // SAFETY: static storage.
    unsafe { value::string_from(sys::btopt_version()) }
}

/// The ABI version of the loaded library; equal to [`sys::BTOPT_ABI_VERSION`]
/// when it matches these declarations.
pub fn abi_version() -> u32 {
    // SAFETY: no arguments.
    unsafe { sys::btopt_abi_version() }
}

/// `x` as Python's `repr(float)` writes it: the shortest text that reads
/// back as the same f64, positional for 1e-4 <= |x| < 1e16 (with ".0" when
/// integral), else `d.ddde±XX` with at least two exponent digits; `nan`,
/// `inf`, `-inf`. Used to print scores the same way in every language.
pub fn repr_f64(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    // `{:e}` gives the shortest round-trip digits: "-1.2345e-5", "0e0".
    let text = format!("{x:e}");
    let (mantissa, exponent) = text.split_once('e').expect("{:e} always has an exponent");
    let exponent: i32 = exponent.parse().expect("{:e} exponent is an integer");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exponent) {
        let point = exponent + 1; // digits before the decimal point
        if point <= 0 {
            format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{sign}{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point as usize);
            format!("{sign}{int}.{frac}")
        }
    } else {
        let mantissa = if digits.len() == 1 { digits } else { format!("{}.{}", &digits[..1], &digits[1..]) };
        format!("{sign}{mantissa}e{}{:02}", if exponent < 0 { '-' } else { '+' }, exponent.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::repr_f64;

    #[test]
    fn repr_matches_python() {
        // Expected texts are Python 3's repr(float(...)).
        let cases: &[(f64, &str)] = &[
            (1.25, "1.25"),
            (-0.5, "-0.5"),
            (1e-05, "1e-05"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (1.5e-7, "1.5e-07"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (123456.789, "123456.789"),
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (1e16, "1e+16"),
            (1.2345e20, "1.2345e+20"),
            (1e100, "1e+100"),
            (-2.5e-300, "-2.5e-300"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, want) in cases {
            assert_eq!(repr_f64(*x), *want, "repr of {x:?}");
        }
    }
}
