// Shared by the integration tests (each tests/*.rs is its own crate).
#![allow(dead_code)]

use btopt::{OptimizationResult, Space, TrialStatus};
use std::path::PathBuf;

/// The folder of the libbtopt.so these tests linked (build.rs recorded it).
pub fn lib_dir() -> PathBuf {
    PathBuf::from(env!("BTOPT_LIB_DIR_AT_BUILD"))
}

/// A test plugin of the CMake build (tests/plugins), e.g. "faulty".
/// $BTOPT_TEST_PLUGIN_DIR overrides where they are.
pub fn test_plugin(name: &str) -> String {
    let dir = std::env::var_os("BTOPT_TEST_PLUGIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| lib_dir().join("../tests/plugins"));
    let path = dir.join(format!("{name}.so"));
    assert!(path.exists(), "test plugin {} not built (cmake --build ... --target {name})", path.display());
    path.to_string_lossy().into_owned()
}

/// A small mixed space: ints, a stepped float, a choice, a constraint.
pub fn mixed_space() -> Space {
    Space::builder()
        .int("a", 0, 9, 1)
        .int("b", 0, 9, 1)
        .float("x", 0.0, 1.0, 0.25)
        .choice("mode", &["lin", "sq"])
        .constraint("a + b <= 15")
        .build()
        .expect("valid space")
}

/// A deterministic objective over mixed_space.
pub fn mixed_objective(p: &btopt::Params<'_>) -> Result<f64, btopt::Error> {
    let (a, b, x) = (p.int("a")? as f64, p.int("b")? as f64, p.float("x")?);
    let base = -(a - 7.0).powi(2) - (b - 3.0).powi(2) + x;
    Ok(if p.choice("mode")? == "sq" { base * 1.5 } else { base })
}

/// What must be identical between two runs: (number, point, score bits, status).
pub fn fingerprint(r: &OptimizationResult) -> Vec<(u64, String, Option<u64>, TrialStatus)> {
    r.trials().iter().map(|t| (t.number, t.params.to_string(), t.score.map(f64::to_bits), t.status)).collect()
}
