// Closures as objectives: determinism, failures, panics, progress,
// cancellation, error mapping, ownership, exports.
mod common;

use btopt::{Backend, Direction, Optimizer, Space, Status, TrialStatus};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn run_mixed(algorithm: &str, n_jobs: i64, backend: Backend) -> btopt::OptimizationResult {
    let mut opt = Optimizer::new(&common::mixed_space(), algorithm).unwrap();
    opt.n_jobs(n_jobs).unwrap().backend(backend).unwrap().random_seed(11).unwrap();
    opt.n_iterations(60).unwrap().population_size(12).unwrap().n_generations(4).unwrap();
    opt.objective(common::mixed_objective).unwrap();
    opt.run().unwrap()
}

#[test]
fn same_trials_for_every_n_jobs_and_backend() {
    for algorithm in ["grid", "random", "genetic"] {
        let reference = run_mixed(algorithm, 1, Backend::Inline);
        assert!(!reference.trials().is_empty());
        assert_eq!(reference.status_count(TrialStatus::Ok), reference.trials().len() as u64);
        for (n_jobs, backend) in [(2, Backend::Thread), (1, Backend::Thread), (2, Backend::Inline)] {
            let other = run_mixed(algorithm, n_jobs, backend);
            assert_eq!(
                common::fingerprint(&reference),
                common::fingerprint(&other),
                "{algorithm} {n_jobs} {backend:?}"
            );
            assert_eq!(reference.best_index(), other.best_index());
        }
    }
}

#[test]
fn grid_finds_the_best_point_and_reads_values() {
    let r = run_mixed("grid", 2, Backend::Thread);
    // a + b <= 15 removes 6+... points; every remaining one is evaluated once.
    assert_eq!(r.trials().len() as u64, r.evaluated_count());
    let best = r.best_params().unwrap();
    assert_eq!(best.int("a"), Some(7));
    assert_eq!(best.int("b"), Some(3));
    assert_eq!(best.float("x"), Some(1.0));
    assert_eq!(best.choice("mode"), Some("sq"));
    assert_eq!(r.best_score(), Some(1.5));
    assert_eq!(best.to_string(), "a=7, b=3, x=1.0, mode=sq");
    assert!(r.metric_names().is_empty());
    assert!(r.workers() == 2 && r.wall_seconds() >= 0.0 && r.speedup() >= 0.0);
}

fn quadratic_space() -> Space {
    Space::builder().int("a", 0, 9, 1).int("b", 0, 9, 1).build().unwrap()
}

#[test]
fn panics_and_errors_become_failed_trials() {
    for backend in [Backend::Inline, Backend::Thread] {
        let mut opt = Optimizer::new(&quadratic_space(), "grid").unwrap();
        opt.n_jobs(2).unwrap().backend(backend).unwrap().ignore_errors(true).unwrap();
        opt.objective(|p| {
            let (a, b) = (p.int("a").unwrap(), p.int("b").unwrap());
            if a == 3 {
                panic!("no a=3 please (b={b})");
            }
            if b == 5 {
                return Err("b=5 refused".to_string());
            }
            if a == 1 && b == 1 {
                return Ok(f64::NAN);
            }
            Ok(-((a - 7) * (a - 7) + (b - 3) * (b - 3)) as f64)
        })
        .unwrap();
        let r = opt.run().unwrap();
        assert_eq!(r.trials().len(), 100);
        for t in r.trials() {
            let (a, b) = (t.params.int("a").unwrap(), t.params.int("b").unwrap());
            if a == 3 {
                assert_eq!(t.status, TrialStatus::Failed);
                assert!(
                    t.error.contains("panicked") && t.error.contains(&format!("no a=3 please (b={b})")),
                    "{}",
                    t.error
                );
                assert_eq!(t.score, None);
            } else if b == 5 {
                assert_eq!(t.status, TrialStatus::Failed);
                assert_eq!(t.error, "b=5 refused");
            } else if a == 1 && b == 1 {
                assert_eq!(t.status, TrialStatus::Failed, "a NaN score fails the trial");
            } else {
                assert_eq!(t.status, TrialStatus::Ok, "{a} {b}: {}", t.error);
                assert!(t.error.is_empty());
            }
        }
        assert_eq!(r.status_count(TrialStatus::Failed), 10 + 9 + 1);
        assert_eq!(r.best_score(), Some(0.0));
    }
}

#[test]
fn first_failure_stops_the_run_with_a_partial_result() {
    let mut opt = Optimizer::new(&quadratic_space(), "grid").unwrap();
    opt.n_jobs(1).unwrap();
    opt.objective(|p| {
        if p.int("a").unwrap() == 2 && p.int("b").unwrap() == 4 {
            panic!("boom");
        }
        1.0
    })
    .unwrap();
    let e = opt.run().unwrap_err();
    assert_eq!(e.status(), Status::Objective);
    assert!(e.message().contains("a=2") && e.message().contains("b=4"), "message names the point: {e}");
    let partial = e.partial().expect("a partial result");
    let failed: Vec<_> = partial.trials().iter().filter(|t| t.status == TrialStatus::Failed).collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].error.contains("boom"));
    assert_eq!(partial.best_score(), Some(1.0));
    let owned = e.into_partial().unwrap();
    assert!(owned.trials().len() >= 25);
}

#[test]
fn progress_reports_and_can_cancel() {
    let space = Space::builder().int("a", 0, 999, 1).build().unwrap();
    let mut opt = Optimizer::new(&space, "grid").unwrap();
    opt.n_jobs(2).unwrap().batch_size(1).unwrap();
    opt.objective(|p| {
        std::thread::sleep(Duration::from_micros(200));
        p.int("a").unwrap() as f64
    })
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let cancel = opt.cancel_handle();
    let log = seen.clone();
    opt.progress(move |p| {
        log.lock().unwrap().push(p);
        if p.done >= 50 {
            cancel.cancel();
        }
    })
    .unwrap();
    let e = opt.run().unwrap_err();
    assert_eq!(e.status(), Status::Cancelled, "{e}");
    let partial = e.partial().unwrap();
    assert!(partial.evaluated_count() < 1000);
    assert!(partial.trials().len() < 1000);
    let seen = seen.lock().unwrap();
    assert!(!seen.is_empty());
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done), "done never goes back");
    // Until the cancel the total is the grid; the stopped run's last call
    // says how many evaluations finished (done == total), never 1000.
    assert_eq!(seen[0].total, 1000);
    assert!(seen.iter().all(|p| p.total == 1000 || p.total == p.done));
    let last = seen.last().unwrap();
    assert_eq!((last.done, last.total), (partial.evaluated_count(), partial.evaluated_count()));
    assert!(last.best_score.is_some());

    // The same optimizer runs again from scratch, to the end, without progress.
    opt.clear_progress().unwrap();
    let r = opt.run().unwrap();
    assert_eq!(r.trials().len(), 1000);
    assert_eq!(r.best_score(), Some(999.0));
}

#[test]
fn a_cancel_before_run_stops_the_next_run_only() {
    let space = Space::builder().int("a", 0, 999, 1).build().unwrap();
    let mut opt = Optimizer::new(&space, "grid").unwrap();
    opt.n_jobs(1).unwrap();
    opt.objective(|_| 1.0).unwrap();
    opt.cancel_handle().cancel();
    let e = opt.run().unwrap_err();
    assert_eq!(e.status(), Status::Cancelled);
    assert_eq!(e.partial().unwrap().evaluated_count(), 0);
    // The cancel was spent by that run: the next one goes to the end.
    assert_eq!(opt.run().unwrap().evaluated_count(), 1000);
}

#[test]
fn cancel_from_another_thread() {
    let space = Space::builder().int("a", 0, 100_000, 1).build().unwrap();
    let mut opt = Optimizer::new(&space, "grid").unwrap();
    opt.n_jobs(2).unwrap().backend(Backend::Thread).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    opt.objective(move |p| {
        counter.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(Duration::from_micros(100));
        p.int("a").unwrap() as f64
    })
    .unwrap();
    let cancel = opt.cancel_handle();
    let started = calls.clone();
    let canceller = std::thread::spawn(move || {
        while started.load(Ordering::Relaxed) < 100 {
            std::thread::sleep(Duration::from_millis(1));
        }
        cancel.cancel();
    });
    let e = opt.run().unwrap_err();
    canceller.join().unwrap();
    assert_eq!(e.status(), Status::Cancelled);
    let partial = e.partial().unwrap();
    assert!(partial.evaluated_count() < 100_001);
    assert!(partial.trials().iter().all(|t| matches!(t.status, TrialStatus::Ok | TrialStatus::Cancelled)));
}

#[test]
fn a_panicking_progress_callback_cancels_and_resumes_the_panic() {
    let mut opt = Optimizer::new(&quadratic_space(), "grid").unwrap();
    opt.n_jobs(1).unwrap().batch_size(1).unwrap();
    opt.objective(|_| 1.0).unwrap();
    opt.progress(|p| {
        if p.done >= 3 {
            panic!("progress gave up");
        }
    })
    .unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| opt.run()));
    let payload = caught.expect_err("run resumes the callback's panic");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"progress gave up"));
}

#[test]
fn errors_map_to_their_status_with_the_message() {
    let space = quadratic_space();
    let e = Optimizer::new(&space, "simplex").unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains("simplex"), "{e}");

    assert!(Optimizer::new(&space, "bayesian").is_ok()); // refused before issue 17

    let continuous = Space::builder().float("x", 0.0, 1.0, 0.0).build().unwrap();
    assert_eq!(Optimizer::new(&continuous, "grid").unwrap_err().status(), Status::InvalidArgument);

    let mut opt = Optimizer::new(&space, "random").unwrap();
    let e = opt.set_int("no_such_option", 1).unwrap_err();
    assert_eq!(e.status(), Status::NotFound);
    assert!(e.message().contains("no_such_option"), "{e}");
    let e = opt.n_jobs(0).unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains("n_jobs"), "{e}");
    let e = opt.set_str("n_jobs", "two").unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    let e = opt.set_str("backend", "gpu").unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains("gpu"));
    let e = opt.mutation_rate(1.5).unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    let e = opt.use_objective("never registered").unwrap_err();
    assert_eq!(e.status(), Status::NotFound);
    assert!(e.message().contains("never registered"));
    let e = opt.plugin("no_such_plugin_anywhere").unwrap_err();
    assert_eq!(e.status(), Status::Plugin);
    assert!(e.message().contains("no_such_plugin_anywhere"));
    let e = opt.objective_metric("sharpe").unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);

    // No objective yet: the run itself refuses, with no result.
    let e = opt.run().unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.partial().is_none());

    // A host objective with the worker server is unsupported.
    opt.objective(|_| 0.0).unwrap();
    opt.backend(Backend::Process).unwrap().start_method(btopt::StartMethod::Server).unwrap();
    assert_eq!(opt.run().unwrap_err().status(), Status::Unsupported);

    // Writing to a folder that does not exist.
    opt.backend(Backend::Inline).unwrap().n_iterations(5).unwrap();
    let r = opt.run().unwrap();
    let e = r.write_json("/nonexistent-dir/x/trials.json").unwrap_err();
    assert_eq!(e.status(), Status::Io);
    assert!(!e.message().is_empty());
}

#[test]
fn result_outlives_optimizer_and_cancel_handle_outlives_nothing() {
    let (result, cancel) = {
        let mut opt = Optimizer::new(&quadratic_space(), "random").unwrap();
        opt.n_iterations(20).unwrap().random_seed(3).unwrap().n_jobs(2).unwrap();
        opt.objective(|p| p.float("a").unwrap() + p.float("b").unwrap()).unwrap();
        (opt.run().unwrap(), opt.cancel_handle())
    };
    cancel.cancel(); // the optimizer is gone: nothing happens
    assert_eq!(result.trials().len(), 20);
    let copy = result.clone();
    drop(result);
    let dir = std::env::temp_dir().join(format!("btopt-rs-outlive-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    copy.write_json(dir.join("r.json")).unwrap();
    assert!(copy.best_params().is_some());
    std::fs::remove_dir_all(&dir).unwrap();

    // A result can move to and be read from other threads.
    let shared = Arc::new(copy);
    let other = shared.clone();
    let n = std::thread::spawn(move || other.trials().len()).join().unwrap();
    assert_eq!(n, 20);
}

#[test]
fn json_and_csv_exports() {
    let mut opt = Optimizer::new(&common::mixed_space(), "random").unwrap();
    opt.n_iterations(15).unwrap().random_seed(5).unwrap().direction(Direction::Minimize).unwrap();
    opt.objective(common::mixed_objective).unwrap();
    let r = opt.run().unwrap();
    let worst = r.trials().iter().filter_map(|t| t.score).fold(f64::INFINITY, f64::min);
    assert_eq!(r.best_score(), Some(worst), "minimize picks the lowest score");

    let dir = std::env::temp_dir().join(format!("btopt-rs-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    r.write_json(dir.join("t.json")).unwrap();
    r.write_csv(dir.join("t.csv")).unwrap();
    let json = std::fs::read_to_string(dir.join("t.json")).unwrap();
    assert!(json.contains("\"algorithm\": \"random\"") || json.contains("\"algorithm\":\"random\""), "{json}");
    assert!(json.contains("\"direction\""));
    let csv = std::fs::read_to_string(dir.join("t.csv")).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("id,a,b,x,mode,score"), "{header}");
    assert_eq!(lines.count(), 15);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn keep_trials_keeps_the_best_with_their_numbers() {
    let mut opt = Optimizer::new(&quadratic_space(), "grid").unwrap();
    opt.keep_trials(5).unwrap();
    opt.objective(|p| -((p.int("a").unwrap() - 7).pow(2) + (p.int("b").unwrap() - 3).pow(2)) as f64).unwrap();
    let r = opt.run().unwrap();
    assert_eq!(r.trials().len(), 5);
    assert_eq!(r.evaluated_count(), 100);
    assert_eq!(r.best_trial().unwrap().number, 73);
    assert_eq!(r.best_params().unwrap().to_string(), "a=7, b=3");
}

#[test]
fn registered_objectives() {
    btopt::register_objective("rust-sum", |p| Ok::<_, btopt::Error>(p.float("a")? + p.float("b")?)).unwrap();
    let mut opt = Optimizer::new(&quadratic_space(), "grid").unwrap();
    opt.use_objective("rust-sum").unwrap().n_jobs(2).unwrap();
    let r = opt.run().unwrap();
    assert_eq!(r.best_score(), Some(18.0));
    assert_eq!(btopt::register_objective("", |_| 0.0).unwrap_err().status(), Status::InvalidArgument);
}

#[test]
fn params_view_errors() {
    let mut opt = Optimizer::new(&common::mixed_space(), "random").unwrap();
    opt.n_iterations(1).unwrap().n_jobs(1).unwrap();
    opt.objective(|p| {
        assert_eq!(p.len(), 4);
        assert_eq!(p.name(3), Some("mode"));
        assert_eq!(p.name(4), None);
        assert_eq!(p.int("nope").unwrap_err().status(), Status::NotFound);
        assert_eq!(p.int("x").unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(p.choice("a").unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(p.float("a").unwrap(), p.int("a").unwrap() as f64);
        assert_eq!(p.get("mode").unwrap(), btopt::Value::Choice(p.choice("mode").unwrap().into()));
        assert_eq!(p.to_point().unwrap().len(), 4);
        1.0
    })
    .unwrap();
    let r = opt.run().unwrap();
    assert_eq!(r.trials()[0].status, TrialStatus::Ok, "{}", r.trials()[0].error);
}

#[test]
fn options_read_back_what_was_set_or_their_default() {
    let mut opt = Optimizer::new(&common::mixed_space(), "genetic").unwrap();
    assert_eq!(opt.get_int("population_size").unwrap(), 20);
    opt.population_size(14).unwrap().mutation_rate(0.25).unwrap().direction(Direction::Minimize).unwrap();
    assert_eq!(opt.get_int("population_size").unwrap(), 14);
    assert_eq!(opt.get_double("mutation_rate").unwrap(), 0.25);
    assert_eq!(opt.get_str("direction").unwrap(), "minimize");
    assert_eq!(opt.get_int("no_such_option").unwrap_err().status(), Status::NotFound);
    assert_eq!(opt.get_str("n_jobs").unwrap_err().status(), Status::InvalidArgument);
}

#[test]
fn progress_report_counts_each_trial_in_order() {
    let space = Space::builder().int("x", 0, 59, 1).build().unwrap();
    let mut opt = Optimizer::new(&space, "grid").unwrap();
    opt.n_jobs(2).unwrap().backend(Backend::Thread).unwrap().batch_size(1).unwrap().ignore_errors(true).unwrap();
    opt.objective(|p| {
        let x = p.int("x").unwrap();
        if x % 10 == 3 {
            Err(format!("x = {x} ends in 3"))
        } else {
            Ok((x % 7) as f64)
        }
    })
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    opt.progress_report(move |p| log.lock().unwrap().push(*p)).unwrap();
    opt.run().unwrap();
    let seen = seen.lock().unwrap();
    let trials: Vec<u64> = seen.iter().filter_map(|p| p.trial).collect();
    assert_eq!(trials, (0..60).collect::<Vec<u64>>());
    for p in seen.iter() {
        assert_eq!(p.done, p.ok + p.failed + p.crashed + p.timeout);
        if let Some(t) = p.trial {
            assert_eq!(p.failed, (t + 7) / 10, "failures counted while the run goes on");
        }
    }
    let last = seen.last().unwrap();
    assert_eq!((last.done, last.total, last.ok, last.failed), (60, 60, 54, 6));
    assert_eq!(last.best_score, Some(6.0));
}
