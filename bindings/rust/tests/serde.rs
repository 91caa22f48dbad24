// The `serde` feature: a result serialized through serde reads like the
// JSON file the library writes (docs/RESULTS.md), and points read back.
#![cfg(feature = "serde")]
mod common;

use btopt::{Backend, Optimizer, Point};
use serde_json::Value as Json;

#[test]
fn a_result_through_serde_matches_the_librarys_json_file() {
    let mut opt = Optimizer::new(&common::mixed_space(), "random").unwrap();
    opt.random_seed(3).unwrap().n_iterations(25).unwrap().n_jobs(2).unwrap().backend(Backend::Thread).unwrap();
    opt.objective(common::mixed_objective).unwrap();
    let result = opt.run().unwrap();

    let path = std::env::temp_dir().join(format!("btopt-serde-{}.json", std::process::id()));
    result.write_json(&path).unwrap();
    let file: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    std::fs::remove_file(&path).unwrap();
    let ours = serde_json::to_value(&result).unwrap();

    for key in ["best_params", "best_score", "n_trials", "n_jobs", "wall_seconds", "speedup", "efficiency"] {
        assert_eq!(ours[key], file[key], "{key}");
    }
    let (ours, file) = (ours["trials"].as_array().unwrap(), file["trials"].as_array().unwrap());
    assert_eq!(ours.len(), 25);
    assert_eq!(ours.len(), file.len());
    for (a, b) in ours.iter().zip(file) {
        for key in ["id", "params", "score", "status", "error", "seconds"] {
            assert_eq!(a[key], b[key], "trial {} {key}", a["id"]);
        }
    }
}

#[test]
fn a_point_reads_back_with_its_types_and_order() {
    let mut opt = Optimizer::new(&common::mixed_space(), "grid").unwrap();
    opt.objective(common::mixed_objective).unwrap();
    let best = opt.run().unwrap().best_params().unwrap().clone();
    let text = serde_json::to_string(&best).unwrap();
    assert_eq!(text, r#"{"a":7,"b":3,"x":1.0,"mode":"sq"}"#);
    let back: Point = serde_json::from_str(&text).unwrap();
    assert_eq!(back, best);
}
