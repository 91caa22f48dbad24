// Strategy plugins: describe, runs with metrics and config, crash isolation.
mod common;

use btopt::{Backend, Optimizer, ParamSpec, PluginInfo, Space, Status, TrialStatus};
use std::time::Duration;

#[test]
fn describe_sma_crossover() {
    let info = PluginInfo::describe("sma_crossover").unwrap();
    assert_eq!(info.name, "sma_crossover");
    assert!(!info.version.is_empty() && !info.description.is_empty());
    assert!(info.path.ends_with("sma_crossover.so"), "{}", info.path);
    assert_eq!(info.default_metric_name(), Some("sharpe"));
    assert!(info.metrics.iter().any(|m| m == "max_drawdown"));
    assert_eq!(info.params[0], ParamSpec::Int { name: "fast".into(), lo: 10, hi: 50, step: 5 });
    assert_eq!(info.constraints, vec!["fast < slow".to_string()]);
    assert_eq!(info.space().unwrap().cardinality().unwrap(), 9 * 7);

    let e = PluginInfo::describe("/no/such/plugin.so").unwrap_err();
    assert_eq!(e.status(), Status::Plugin);
    assert!(e.message().contains("/no/such/plugin.so"), "{e}");
}

#[test]
fn plugin_run_reports_metrics_and_is_deterministic() {
    let run = |backend: Backend, n_jobs: i64| {
        let mut opt = Optimizer::with_plugin("sma_crossover", None, "genetic").unwrap();
        opt.random_seed(7).unwrap().population_size(10).unwrap().n_generations(3).unwrap();
        opt.n_jobs(n_jobs).unwrap().backend(backend).unwrap();
        opt.plugin_config("synthetic_bars", "1500").unwrap();
        opt.run().unwrap()
    };
    let reference = run(Backend::Process, 2);
    assert_eq!(reference.metric_names()[0], "sharpe");
    for t in reference.trials() {
        assert_eq!(t.status, TrialStatus::Ok, "{}", t.error);
        assert_eq!(t.metric("sharpe"), t.score, "the default metric is the score");
        assert!(t.metric("trades").is_some());
        assert!(t.params.int("fast").unwrap() < t.params.int("slow").unwrap());
        assert_eq!(t.metrics().count(), reference.metric_names().len());
    }
    for (backend, n_jobs) in [(Backend::Inline, 1), (Backend::Thread, 2), (Backend::Process, 1)] {
        let other = run(backend, n_jobs);
        assert_eq!(common::fingerprint(&reference), common::fingerprint(&other), "{backend:?} {n_jobs}");
    }
}

#[test]
fn objective_metric_narrowed_space_and_equity_curve() {
    let narrow = Space::builder().int("fast", 10, 20, 5).build().unwrap();
    let mut opt = Optimizer::with_plugin("sma_crossover", Some(&narrow), "grid").unwrap();
    opt.objective_metric("total_return").unwrap().n_jobs(2).unwrap();
    let r = opt.run().unwrap();
    assert_eq!(r.trials().len(), 3 * 7);
    for t in r.trials() {
        assert!(t.params.int("fast").unwrap() <= 20);
        assert_eq!(t.score, t.metric("total_return"));
    }
    let e = opt.objective_metric("happiness").unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains("sharpe"), "lists the metrics: {e}");

    let wide = Space::builder().int("nope", 1, 2, 1).build().unwrap();
    let e = Optimizer::with_plugin("sma_crossover", Some(&wide), "grid").unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains("nope"));

    let series = opt.equity_curve(&r, r.best_index().unwrap()).unwrap();
    assert_eq!(series.equity.len(), 2520, "the default synthetic series");
    assert_eq!(series.buy_and_hold.len(), 2520);
    assert_eq!((series.equity[0], series.buy_and_hold[0]), (1.0, 1.0));
    assert_eq!(opt.equity_curve(&r, r.trials().len()).unwrap_err().status(), Status::NotFound);
}

#[test]
fn crashes_are_isolated_with_ignore_errors() {
    let faulty = common::test_plugin("faulty");
    let mut opt = Optimizer::with_plugin(&faulty, None, "grid").unwrap();
    opt.plugin_config("crash_mod", "7").unwrap().plugin_config("fail_mod", "10").unwrap();
    opt.n_jobs(2).unwrap().backend(Backend::Process).unwrap().ignore_errors(true).unwrap();
    let r = opt.run().unwrap();
    assert_eq!(r.trials().len(), 100);
    for t in r.trials() {
        let index = 10 * t.params.int("a").unwrap() + t.params.int("b").unwrap();
        let expected = if index % 7 == 0 {
            TrialStatus::Crashed
        } else if index % 10 == 0 {
            TrialStatus::Failed
        } else {
            TrialStatus::Ok
        };
        assert_eq!(t.status, expected, "point {index}: {}", t.error);
        if expected == TrialStatus::Failed {
            assert!(t.error.contains(&format!("refused point {index}")), "{}", t.error);
        }
        if expected != TrialStatus::Ok {
            assert!(!t.error.is_empty());
        }
    }
    assert_eq!(r.status_count(TrialStatus::Crashed), 15);
    assert_eq!(r.best_params().unwrap().to_string(), "a=7, b=3");
    assert_eq!(r.best_trial().unwrap().metric("a_plus_b"), Some(10.0));
}

#[test]
fn a_crash_without_ignore_errors_stops_with_a_partial_result() {
    let faulty = common::test_plugin("faulty");
    // a from 2: the first point that crashes in trial order is 23.
    let narrow = Space::builder().int("a", 2, 9, 1).build().unwrap();
    let mut opt = Optimizer::with_plugin(&faulty, Some(&narrow), "grid").unwrap();
    opt.plugin_config("crash_mod", "23").unwrap().n_jobs(2).unwrap();
    let e = opt.run().unwrap_err();
    assert_eq!(e.status(), Status::Objective);
    assert!(e.message().contains("a=2") && e.message().contains("b=3"), "{e}");
    let partial = e.partial().unwrap();
    assert!(partial.trials().iter().any(|t| t.status == TrialStatus::Crashed));
}

#[test]
fn timeouts_kill_hung_workers() {
    let faulty = common::test_plugin("faulty");
    let narrow = Space::builder().int("a", 0, 2, 1).int("b", 0, 1, 1).build().unwrap();
    let mut opt = Optimizer::with_plugin(&faulty, Some(&narrow), "grid").unwrap();
    opt.plugin_config("hang_at", "1").unwrap().n_jobs(2).unwrap().ignore_errors(true).unwrap();
    opt.eval_timeout(Duration::from_millis(300)).unwrap();
    let r = opt.run().unwrap();
    for t in r.trials() {
        let expected = if t.params.int("a") == Some(1) { TrialStatus::Timeout } else { TrialStatus::Ok };
        assert_eq!(t.status, expected);
    }
}

#[test]
fn undeclared_or_out_of_range_plugin_config_is_refused_when_set() {
    // The plugin declares its config keys: refused at once, naming the key.
    let mut opt = Optimizer::with_plugin("sma_crossover", None, "random").unwrap();
    let e = opt.plugin_config("commission", "-1").unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument, "{e}");
    assert!(e.message().contains("'commission' = '-1'"), "{e}");
    let e = opt.plugin_config("comission", "0.01").unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument, "{e}");
    assert!(e.message().contains("no config key 'comission'") && e.message().contains("commission"), "{e}");
    let e = opt.plugin_config("a=b", "1").unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
}

#[test]
fn walk_forward_windows_and_a_window_that_does_not_fit() {
    let snooper = common::test_plugin("snooper");
    let mut opt = Optimizer::with_plugin(&snooper, None, "grid").unwrap();
    opt.n_jobs(2).unwrap();
    let json = opt.walk_forward("500", "250", "", "", false).unwrap();
    assert_eq!(json.matches("\"window\":").count(), 8, "{json}");
    assert!(json.contains("\"walk_forward_efficiency\""));
    let err = opt.walk_forward("2500", "100", "", "", false).unwrap_err();
    assert_eq!(err.status(), Status::InvalidArgument);
    assert!(err.to_string().contains("window 1 does not fit"), "{err}");
}
