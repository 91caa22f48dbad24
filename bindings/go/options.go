package btopt

/*
#include <stdint.h>
#include <stdlib.h>
#include <btopt/btopt.h>
*/
import "C"

import "time"

// Values of the string options.
const (
	BackendInline  = "inline"  // the calling goroutine's thread
	BackendThread  = "thread"  // a pool of threads: the objective runs concurrently
	BackendProcess = "process" // worker processes: plugins only from Go (see Run)

	StartMethodServer = "server" // btopt-worker loads the plugin and forks the workers
	StartMethodFork   = "fork"   // workers forked from this process: never with Go code

	Maximize = "maximize"
	Minimize = "minimize"
)

// ---- Options by name -------------------------------------------------

// SetInt sets an integer option (or a double option to an integer).
// StatusNotFound for an unknown option, StatusInvalidArgument for a bad
// value or an option of another type.
func (o *Optimizer) SetInt(option string, value int64) error {
	copt, err := cString(option, "option")
	if err != nil {
		return err
	}
	defer free(copt)
	return o.with(func(p *C.btopt_optimizer) error {
		return call(func() C.btopt_status { return C.btopt_optimizer_set_int(p, copt, C.int64_t(value)) })
	})
}

// SetFloat sets a double option.
func (o *Optimizer) SetFloat(option string, value float64) error {
	copt, err := cString(option, "option")
	if err != nil {
		return err
	}
	defer free(copt)
	return o.with(func(p *C.btopt_optimizer) error {
		return call(func() C.btopt_status { return C.btopt_optimizer_set_double(p, copt, C.double(value)) })
	})
}

// SetString sets a string option.
func (o *Optimizer) SetString(option, value string) error {
	copt, err := cString(option, "option")
	if err != nil {
		return err
	}
	defer free(copt)
	cval, err := cString(value, "option value")
	if err != nil {
		return err
	}
	defer free(cval)
	return o.with(func(p *C.btopt_optimizer) error {
		err := call(func() C.btopt_status { return C.btopt_optimizer_set_string(p, copt, cval) })
		if err == nil && option == "backend" {
			o.backend = value
		}
		return err
	})
}

// SetInitTimeout bounds a plugin's init (0: none); past it the run fails.
func (o *Optimizer) SetInitTimeout(d time.Duration) error { return o.SetFloat("init_timeout", d.Seconds()) }

// SetStudy names a study file (SQLite): every trial is written to it as it
// finishes, and a run on a matching study reuses its outcomes (docs/STUDIES.md).
func (o *Optimizer) SetStudy(path string) error { return o.SetString("study", path) }

// SetStudyMode is "resume" (default: reuse what a matching study holds) or "new".
func (o *Optimizer) SetStudyMode(mode string) error { return o.SetString("study_mode", mode) }

// SetStart is the first bar a plugin's run trades: a date "YYYY-MM-DD" or a bar
// number; earlier bars only warm indicators up.
func (o *Optimizer) SetStart(bar string) error { return o.SetString("start", bar) }

// SetEnd is the last bar a plugin's run trades (included): a date or a bar number.
func (o *Optimizer) SetEnd(bar string) error { return o.SetString("end", bar) }

// SetMaxSeconds sets the run's wall-clock budget (0: none): once spent,
// nothing more is proposed, trials not started are cancelled and the run
// ends ok (Result.StoppedOnBudget).
func (o *Optimizer) SetMaxSeconds(d time.Duration) error { return o.SetFloat("max_seconds", d.Seconds()) }

// SetRequire sets a condition over a trial's metrics and score, e.g.
// "trades >= 30 && max_drawdown < 0.3": a trial that breaks it is
// TrialInfeasible, never the best. An unknown metric fails the run before
// its first evaluation.
func (o *Optimizer) SetRequire(condition string) error { return o.SetString("require", condition) }

// SetDataFingerprint names a host objective's data for a study's provenance.
func (o *Optimizer) SetDataFingerprint(text string) error { return o.SetString("data_fingerprint", text) }

// GetInt reads an integer option back: the value set, or its default.
// StatusNotFound for an unknown option, StatusInvalidArgument for an option
// of another type.
func (o *Optimizer) GetInt(option string) (int64, error) {
	copt, err := cString(option, "option")
	if err != nil {
		return 0, err
	}
	defer free(copt)
	var value C.int64_t
	err = o.with(func(p *C.btopt_optimizer) error {
		return call(func() C.btopt_status { return C.btopt_optimizer_get_int(p, copt, &value) })
	})
	return int64(value), err
}

// GetFloat reads a double option back.
func (o *Optimizer) GetFloat(option string) (float64, error) {
	copt, err := cString(option, "option")
	if err != nil {
		return 0, err
	}
	defer free(copt)
	var value C.double
	err = o.with(func(p *C.btopt_optimizer) error {
		return call(func() C.btopt_status { return C.btopt_optimizer_get_double(p, copt, &value) })
	})
	return float64(value), err
}

// GetString reads a string option back (max_memory_per_worker as bytes in decimal).
func (o *Optimizer) GetString(option string) (string, error) {
	copt, err := cString(option, "option")
	if err != nil {
		return "", err
	}
	defer free(copt)
	var text string
	err = o.with(func(p *C.btopt_optimizer) error {
		var value *C.char
		err := call(func() C.btopt_status { return C.btopt_optimizer_get_string(p, copt, &value) })
		if err == nil {
			text = C.GoString(value)
		}
		return err
	})
	return text, err
}

// ---- Options, typed --------------------------------------------------

// SetNJobs sets the workers: positive, or -1 every CPU, -2 all but one, ... (default -1).
func (o *Optimizer) SetNJobs(n int) error { return o.SetInt("n_jobs", int64(n)) }

// SetNIterations sets the points a random search evaluates (default 100).
func (o *Optimizer) SetNIterations(n int) error { return o.SetInt("n_iterations", int64(n)) }

func (o *Optimizer) SetRandomSeed(seed int64) error   { return o.SetInt("random_seed", seed) }
func (o *Optimizer) SetPopulationSize(n int) error    { return o.SetInt("population_size", int64(n)) }
func (o *Optimizer) SetNGenerations(n int) error      { return o.SetInt("n_generations", int64(n)) }
func (o *Optimizer) SetTournamentSize(n int) error    { return o.SetInt("tournament_size", int64(n)) }
func (o *Optimizer) SetEliteCount(n int) error        { return o.SetInt("elite_count", int64(n)) }
func (o *Optimizer) SetCrossoverRate(r float64) error { return o.SetFloat("crossover_rate", r) }
func (o *Optimizer) SetMutationRate(r float64) error  { return o.SetFloat("mutation_rate", r) }

// SetBatchQ sets the points a bayesian search proposes before their results are known (default 1: sequential).
func (o *Optimizer) SetBatchQ(n int) error { return o.SetInt("batch_q", int64(n)) }

// SetPatience stops a genetic, bayesian or cmaes search after n trials without improvement (default 0: never).
func (o *Optimizer) SetPatience(n int) error { return o.SetInt("patience", int64(n)) }

// SetBatchSize sets the points a worker takes at once (0 = automatic).
func (o *Optimizer) SetBatchSize(n int) error { return o.SetInt("batch_size", int64(n)) }

// SetKeepTrials keeps only the best n trials in the result (0 = all).
func (o *Optimizer) SetKeepTrials(n int) error { return o.SetInt("keep_trials", int64(n)) }

// SetProgressInterval coalesces progress calls to at most one per d (0 = a call per recorded trial).
func (o *Optimizer) SetProgressInterval(d time.Duration) error {
	return o.SetFloat("progress_interval", d.Seconds())
}

// SetPboBlocks sets S, the blocks the probability of backtest overfitting cross-validates (docs/VALIDATION.md).
func (o *Optimizer) SetPboBlocks(n int) error { return o.SetInt("pbo_blocks", int64(n)) }

// SetRobustRadius sets k, the grid steps a trial's neighbourhood score looks at (docs/VALIDATION.md).
func (o *Optimizer) SetRobustRadius(n int) error { return o.SetInt("robust_radius", int64(n)) }

// SetSelect sets the point a run carries forward: "best" or "robust".
func (o *Optimizer) SetSelect(how string) error { return o.SetString("select", how) }

// SetIgnoreErrors records failed trials and goes on instead of stopping the run.
func (o *Optimizer) SetIgnoreErrors(on bool) error {
	v := int64(0)
	if on {
		v = 1
	}
	return o.SetInt("ignore_errors", v)
}

// SetBackend sets BackendInline, BackendThread or BackendProcess.
func (o *Optimizer) SetBackend(backend string) error { return o.SetString("backend", backend) }

// SetStartMethod sets StartMethodServer or StartMethodFork (process backend).
func (o *Optimizer) SetStartMethod(method string) error { return o.SetString("start_method", method) }

// SetDirection sets Maximize (default) or Minimize.
func (o *Optimizer) SetDirection(direction string) error { return o.SetString("direction", direction) }

// SetThreadsPerWorker sets OMP/OpenBLAS/MKL threads per worker process (default 1; 0 leaves them alone).
func (o *Optimizer) SetThreadsPerWorker(n int) error { return o.SetInt("threads_per_worker", int64(n)) }

// SetEvalTimeout limits each evaluation in a worker process (0: none).
func (o *Optimizer) SetEvalTimeout(d time.Duration) error {
	return o.SetFloat("eval_timeout", d.Seconds())
}

// SetMaxMemoryPerWorker takes "2GB", "512MB", "512MiB" (powers of 1024) or "0" for none.
func (o *Optimizer) SetMaxMemoryPerWorker(size string) error {
	return o.SetString("max_memory_per_worker", size)
}

// SetMaxMemoryPerWorkerBytes is SetMaxMemoryPerWorker in bytes.
func (o *Optimizer) SetMaxMemoryPerWorkerBytes(bytes int64) error {
	return o.SetInt("max_memory_per_worker", bytes)
}
