// The ask/tell Search: a driver loop that tells in reverse order gives the
// trials of an Optimizer run with the same seed; misuse is an error.
mod common;

use btopt::{Backend, Optimizer, Point, Search, Status, TrialStatus};

fn objective(p: &Point) -> f64 {
    let (a, b, x) = (p.int("a").unwrap() as f64, p.int("b").unwrap() as f64, p.float("x").unwrap());
    let base = -(a - 7.0).powi(2) - (b - 3.0).powi(2) + x;
    if p.choice("mode") == Some("sq") {
        base * 1.5
    } else {
        base
    }
}

#[test]
fn a_driver_loop_gives_the_trials_of_a_run() {
    for algorithm in ["random", "genetic", "bayesian"] {
        let mut opt = Optimizer::new(&common::mixed_space(), algorithm).unwrap();
        opt.n_jobs(1).unwrap().backend(Backend::Inline).unwrap().random_seed(11).unwrap();
        opt.n_iterations(30).unwrap().population_size(8).unwrap().n_generations(3).unwrap();
        opt.objective(common::mixed_objective).unwrap();
        let run = opt.run().unwrap();

        let mut search = Search::new(&common::mixed_space(), algorithm).unwrap();
        search.set_int("random_seed", 11).unwrap().set_int("n_iterations", 30).unwrap();
        search.set_int("population_size", 8).unwrap().set_int("n_generations", 3).unwrap();
        let mut seen: Vec<(u64, String, u64)> = Vec::new();
        while !search.is_done() {
            let trials = search.ask(5).unwrap();
            assert!(!trials.is_empty(), "{algorithm}: nothing to ask, nothing in flight, not done");
            for trial in trials.iter().rev() {
                let score = objective(&trial.params);
                seen.push((trial.number, trial.params.to_string(), score.to_bits()));
                search.tell(trial.number, score).unwrap();
            }
        }
        seen.sort();
        let expected: Vec<(u64, String, u64)> =
            run.trials().iter().map(|t| (t.number, t.params.to_string(), t.score.unwrap().to_bits())).collect();
        assert_eq!(seen, expected, "{algorithm}");
        let (number, score, _) = search.best().unwrap().unwrap();
        assert_eq!(Some(score), run.best_score());
        assert_eq!(run.trials()[run.best_index().unwrap()].number, number);
    }
}

#[test]
fn misuse_is_an_error_and_state_restores() {
    let mut search = Search::new(&common::mixed_space(), "random").unwrap();
    assert_eq!(search.set_int("n_jobs", 2).unwrap_err().status(), Status::InvalidArgument);
    search.set_int("n_iterations", 4).unwrap();
    assert!(search.best().unwrap().is_none());
    let trials = search.ask(2).unwrap();
    assert_eq!(search.tell(9, 1.0).unwrap_err().status(), Status::NotFound);
    search.tell(trials[1].number, 1.0).unwrap();
    let twice = search.tell(trials[1].number, 1.0).unwrap_err();
    assert_eq!(twice.status(), Status::InvalidArgument);
    assert!(twice.to_string().contains("already told"), "{twice}");
    let state = search.state().unwrap();

    let mut restored = Search::new(&common::mixed_space(), "random").unwrap();
    restored.set_int("n_iterations", 4).unwrap();
    restored.restore(&state).unwrap();
    let again = restored.ask(1).unwrap();
    assert_eq!(again, vec![trials[0].clone()]); // proposed, never told: proposed again
    restored.tell_outcome(again[0].number, TrialStatus::Failed, 0.0, &[]).unwrap();
    assert_eq!(restored.best().unwrap().unwrap().0, trials[1].number);
}
