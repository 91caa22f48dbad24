// A closure with the process backend: workers are forked from this test
// process (start_method "fork"). Its own test binary with a single test, so
// the host has no other busy threads when it forks, as the library asks.
mod common;

use btopt::{Backend, Optimizer, Space, TrialStatus};

#[test]
fn closures_run_in_forked_workers_with_the_same_trials() {
    let run = |backend: Backend, n_jobs: i64| {
        let mut opt = Optimizer::new(&common::mixed_space(), "genetic").unwrap();
        opt.random_seed(4).unwrap().population_size(10).unwrap().n_generations(3).unwrap();
        opt.n_jobs(n_jobs).unwrap().backend(backend).unwrap();
        opt.objective(common::mixed_objective).unwrap();
        opt.run().unwrap()
    };
    let inline = run(Backend::Inline, 1);
    let process = run(Backend::Process, 2);
    assert_eq!(common::fingerprint(&inline), common::fingerprint(&process));

    // run_with: a closure borrowing this frame's data, in forked workers
    // (each counts in its own copy of the counter).
    let offsets = vec![0.0; 10];
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let mut opt = Optimizer::new(&common::mixed_space(), "genetic").unwrap();
    opt.random_seed(4).unwrap().population_size(10).unwrap().n_generations(3).unwrap();
    opt.n_jobs(2).unwrap().backend(Backend::Process).unwrap();
    let borrowed = opt
        .run_with(|p| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // (Result::Ok: this function imports TrialStatus::Ok.)
            std::result::Result::<f64, btopt::Error>::Ok(common::mixed_objective(p)? + offsets[p.int("a")? as usize])
        })
        .unwrap();
    assert_eq!(common::fingerprint(&inline), common::fingerprint(&borrowed));
    assert_eq!(calls.into_inner(), 0);

    // A panic and a crash in a forked worker: a failed and a crashed trial.
    let space = Space::builder().int("a", 0, 5, 1).build().unwrap();
    let mut opt = Optimizer::new(&space, "grid").unwrap();
    opt.n_jobs(2).unwrap().backend(Backend::Process).unwrap().ignore_errors(true).unwrap();
    opt.objective(|p| match p.int("a").unwrap() {
        2 => panic!("panic in a worker"),
        4 => std::process::abort(),
        a => a as f64,
    })
    .unwrap();
    let r = opt.run().unwrap();
    let statuses: Vec<_> = r.trials().iter().map(|t| t.status).collect();
    use TrialStatus::*;
    assert_eq!(statuses, vec![Ok, Ok, Failed, Ok, Crashed, Ok]);
    assert!(r.trials()[2].error.contains("panic in a worker"), "{}", r.trials()[2].error);
    assert_eq!(r.best_score(), Some(5.0));
}
