//! The cross-language check: sma_crossover (its default space), genetic,
//! seed 7, population 16, 5 generations, 2 process workers; one line per
//! trial: `{number} fast={fast} slow={slow} {score} {status}`, the score as
//! Python's repr(float) writes it (btopt::repr_f64), the status as its integer.
//!
//!     cargo run --offline --example crosslang
use btopt::{Backend, Optimizer};
use std::io::Write;

fn main() -> Result<(), btopt::Error> {
    let mut opt = Optimizer::with_plugin("sma_crossover", None, "genetic")?;
    opt.random_seed(7)?.population_size(16)?.n_generations(5)?.n_jobs(2)?.backend(Backend::Process)?;
    let result = opt.run()?;
    let mut out = std::io::stdout().lock();
    for t in result.trials() {
        let int = |name| t.params.int(name).map_or_else(|| "?".to_string(), |v| v.to_string());
        let score = btopt::repr_f64(t.score.unwrap_or(f64::NAN));
        writeln!(out, "{} fast={} slow={} {} {}", t.number, int("fast"), int("slow"), score, t.status.code())
            .expect("stdout");
    }
    Ok(())
}
