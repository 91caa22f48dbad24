// Optimizer::run_with: an objective that borrows from the caller's stack,
// on the inline and thread backends (the process one: process_closure.rs),
// and what is left once it returns.
mod common;

use btopt::{Backend, Optimizer, TrialStatus};
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn a_borrowing_objective_gives_the_static_ones_trials_and_shares_its_state() {
    let mut reference = Optimizer::new(&common::mixed_space(), "random").unwrap();
    reference.random_seed(5).unwrap().n_iterations(40).unwrap().backend(Backend::Inline).unwrap();
    reference.objective(common::mixed_objective).unwrap();
    let reference = reference.run().unwrap();

    // Not 'static: a table on this stack frame and a counter the closure shares.
    let offsets: Vec<f64> = vec![0.0; 10];
    for (backend, n_jobs) in [(Backend::Inline, 1), (Backend::Thread, 2)] {
        let calls = AtomicUsize::new(0);
        let mut opt = Optimizer::new(&common::mixed_space(), "random").unwrap();
        opt.random_seed(5).unwrap().n_iterations(40).unwrap().n_jobs(n_jobs).unwrap().backend(backend).unwrap();
        let result = opt
            .run_with(|p| {
                calls.fetch_add(1, Ordering::Relaxed);
                Ok::<f64, btopt::Error>(common::mixed_objective(p)? + offsets[p.int("a")? as usize])
            })
            .unwrap();
        assert_eq!(common::fingerprint(&result), common::fingerprint(&reference), "{backend:?}");
        // The closure's state is shared by reference with the threads.
        assert_eq!(calls.load(Ordering::Relaxed) as u64, result.evaluated_count(), "{backend:?}");
    }
}

#[test]
fn after_run_with_the_earlier_closure_is_the_objective_again_or_none_is() {
    let space = btopt::Space::builder().int("a", 0, 4, 1).build().unwrap();
    let mut opt = Optimizer::new(&space, "grid").unwrap();
    opt.ignore_errors(true).unwrap().backend(Backend::Inline).unwrap();
    let scale = 10.0;
    assert_eq!(opt.run_with(|p| Ok::<f64, btopt::Error>(scale * p.int("a")? as f64)).unwrap().best_score(), Some(40.0));

    // Nothing set before: the borrowed closure is gone and a run says so.
    let after = opt.run().unwrap();
    assert_eq!(after.status_count(TrialStatus::Failed), 5);
    assert!(after.trials()[0].error.contains("run_with"), "{}", after.trials()[0].error);

    // A closure set before comes back.
    opt.objective(|p| Ok::<f64, btopt::Error>(-(p.int("a")? as f64))).unwrap();
    assert_eq!(opt.run_with(|p| Ok::<f64, btopt::Error>(p.int("a")? as f64)).unwrap().best_score(), Some(4.0));
    assert_eq!(opt.run().unwrap().best_score(), Some(0.0));
}
