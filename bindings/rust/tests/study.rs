use btopt::{export_study, open_study, study_runs, Optimizer, Space, Status};
use std::path::PathBuf;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("btopt-rust-study-{}-{}", name, std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(path: &std::path::Path) -> btopt::OptimizationResult {
    let space = Space::builder().int("a", 0, 9, 1).int("b", 0, 4, 1).build().unwrap();
    let mut opt = Optimizer::new(&space, "grid").unwrap();
    opt.n_jobs(1).unwrap().study(path.to_str().unwrap()).unwrap();
    opt.data_fingerprint("rust-study-test").unwrap();
    opt.objective(|p| (p.int("a").unwrap() * 10 - (p.int("b").unwrap() - 2).pow(2)) as f64).unwrap();
    opt.run().unwrap()
}

#[test]
fn a_study_reads_back_what_the_run_recorded() {
    let dir = temp_dir("readback");
    let path = dir.join("s.db");
    let live = run(&path);
    assert!(!live.provenance().is_empty());
    assert_eq!(live.reused_count(), 0);
    let stored = open_study(&path, 0).unwrap();
    assert_eq!(stored.trials().len(), 50);
    assert_eq!(stored.best_score(), live.best_score());
    for (s, l) in stored.trials().iter().zip(live.trials()) {
        assert_eq!((s.number, s.score), (l.number, l.score));
    }
    assert_eq!(run(&path).reused_count(), 50);
    let runs = study_runs(&path).unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs[0] < runs[1]);
    let (json, csv) = (dir.join("t.json"), dir.join("t.csv"));
    export_study(&path, runs[0], Some(&json), Some(&csv)).unwrap();
    assert!(std::fs::metadata(&json).unwrap().len() > 0);
    assert!(std::fs::metadata(&csv).unwrap().len() > 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn what_is_not_a_study_is_said_so() {
    let dir = temp_dir("missing");
    let missing = dir.join("missing.db");
    assert_eq!(open_study(&missing, 0).err().unwrap().status(), Status::NotFound);
    assert_eq!(study_runs(&missing).err().unwrap().status(), Status::NotFound);
    assert!(export_study(&missing, 0, None, None).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
