package btopt

/*
#include <stdlib.h>
#include <btopt/btopt.h>
*/
import "C"

import (
	"math"
	"runtime"
	"sync"
)

// TrialStatus is how one trial ended (btopt_trial_status).
type TrialStatus int32

const (
	TrialOK        TrialStatus = 0
	TrialFailed    TrialStatus = 1 // the objective reported an error, panicked, or gave a NaN/infinite score
	TrialCrashed   TrialStatus = 2 // the worker process evaluating it died
	TrialTimeout   TrialStatus = 3 // the evaluation ran past eval_timeout
	TrialCancelled TrialStatus = 4 // the run stopped before the evaluation finished
	// TrialInfeasible: it ended ok but its metrics break the option require
	// (SetRequire); its score is kept, it is never the best.
	TrialInfeasible TrialStatus = 5
)

// String is "ok", "failed", "crashed", "timeout", "cancelled", "infeasible" or "unknown".
func (s TrialStatus) String() string { return C.GoString(C.btopt_trial_status_name(C.int32_t(s))) }

// Trial is one evaluated point.
type Trial struct {
	Number  uint64 // position in proposal order (not the index when KeepTrials is set)
	Params  Point
	Score   float64 // NaN unless Status is TrialOK or TrialInfeasible
	Status  TrialStatus
	Error   string // why it did not end ok ("" when ok)
	Seconds float64
	Metrics []float64 // one per Result.MetricNames; NaN where not reported

	metricNames []string
}

// Metric is the value of a metric a plugin reported.
func (t *Trial) Metric(name string) (float64, bool) {
	for i, n := range t.metricNames {
		if n == name && i < len(t.Metrics) && !math.IsNaN(t.Metrics[i]) {
			return t.Metrics[i], true
		}
	}
	return 0, false
}

// Result is what a run found, copied into Go values. It keeps its C handle
// only for the JSON/CSV writers and equity curves, and stays valid after its
// optimizer is closed. Close releases the handle early (a finalizer does it
// otherwise); the copied fields stay readable.
type Result struct {
	BestIndex   int     // index in Trials of the best trial; -1 when none succeeded
	BestScore   float64 // NaN when none succeeded
	BestParams  Point   // nil when none succeeded
	Trials      []Trial // kept trials (all unless KeepTrials), in trial order
	MetricNames []string
	Evaluated   uint64 // trials evaluated, kept or not
	WallSeconds float64
	EvalSeconds float64 // sum of the evaluations' own seconds
	Speedup     float64 // one core's time for the evaluations (CPU time; wall time where they mostly wait) / WallSeconds
	Efficiency  float64 // Speedup / Workers
	// SpeedupCPUShare is the share of Speedup's basis that is CPU time.
	SpeedupCPUShare float64
	Workers         int    // NJobs resolved
	Reused          uint64 // trials a study supplied instead of an evaluation
	Provenance      string // JSON: what produced the run (docs/STUDIES.md); "" without a study
	// StoppedOnBudget: SetMaxSeconds ended the run; the trials not started by then are TrialCancelled.
	StoppedOnBudget bool

	statusCounts [6]uint64
	mu           sync.RWMutex
	ptr          *C.btopt_result
}

// newResult takes ownership of raw and copies everything out of it.
func newResult(raw *C.btopt_result) (*Result, error) {
	r := &Result{ptr: raw, BestIndex: -1, BestScore: math.NaN()}
	runtime.SetFinalizer(r, (*Result).Close)
	m := int(C.btopt_result_metric_count(raw))
	for i := 0; i < m; i++ {
		r.MetricNames = append(r.MetricNames, C.GoString(C.btopt_result_metric_name(raw, C.size_t(i))))
	}
	n := uint64(C.btopt_result_trial_count(raw))
	r.Trials = make([]Trial, 0, n)
	for i := uint64(0); i < n; i++ {
		ci := C.uint64_t(i)
		var params *C.btopt_params
		var score C.double
		var status C.int32_t
		var number C.uint64_t
		var text *C.char
		var seconds C.double
		if err := call(func() C.btopt_status { return C.btopt_result_trial(raw, ci, &params, &score, &status) }); err != nil {
			return nil, err
		}
		if err := call(func() C.btopt_status { return C.btopt_result_trial_info(raw, ci, &number, &text, &seconds) }); err != nil {
			return nil, err
		}
		point, err := pointFrom(params)
		if err != nil {
			return nil, err
		}
		t := Trial{Number: uint64(number), Params: point, Score: float64(score), Status: TrialStatus(status),
			Error: C.GoString(text), Seconds: float64(seconds), metricNames: r.MetricNames}
		for j := 0; j < m; j++ {
			var v C.double
			if err := call(func() C.btopt_status { return C.btopt_result_trial_metric(raw, ci, C.size_t(j), &v) }); err != nil {
				return nil, err
			}
			t.Metrics = append(t.Metrics, float64(v))
		}
		r.Trials = append(r.Trials, t)
	}
	var best C.uint64_t
	if C.btopt_result_best_index(raw, &best) == C.BTOPT_OK {
		r.BestIndex = int(best)
		r.BestScore = r.Trials[r.BestIndex].Score
		r.BestParams = r.Trials[r.BestIndex].Params
	}
	for s := range r.statusCounts {
		r.statusCounts[s] = uint64(C.btopt_result_status_count(raw, C.int32_t(s)))
	}
	r.Evaluated = uint64(C.btopt_result_evaluated_count(raw))
	r.StoppedOnBudget = C.btopt_result_stopped_on_budget(raw) != 0
	r.WallSeconds = float64(C.btopt_result_wall_seconds(raw))
	r.EvalSeconds = float64(C.btopt_result_eval_seconds(raw))
	r.Speedup = float64(C.btopt_result_speedup(raw))
	r.Efficiency = float64(C.btopt_result_efficiency(raw))
	r.SpeedupCPUShare = float64(C.btopt_result_speedup_cpu_share(raw))
	r.Workers = int(C.btopt_result_workers(raw))
	r.Reused = uint64(C.btopt_result_reused_count(raw))
	r.Provenance = C.GoString(C.btopt_result_provenance(raw))
	return r, nil
}

// StatusCount is how many evaluated trials ended with status.
func (r *Result) StatusCount(status TrialStatus) uint64 {
	if status >= 0 && int(status) < len(r.statusCounts) {
		return r.statusCounts[status]
	}
	return 0
}

// BestTrial is the best trial (ties go to the lowest number), nil when none succeeded.
func (r *Result) BestTrial() *Trial {
	if r.BestIndex < 0 {
		return nil
	}
	return &r.Trials[r.BestIndex]
}

var errResultClosed = newError(StatusInvalidArgument, "the result is closed")

func (r *Result) write(path string, f func(*C.btopt_result, *C.char) C.btopt_status) error {
	cpath, err := cString(path, "path")
	if err != nil {
		return err
	}
	defer free(cpath)
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.ptr == nil {
		return errResultClosed
	}
	return call(func() C.btopt_status { return f(r.ptr, cpath) })
}

// WriteJSON writes the run and every kept trial (docs/RESULTS.md). StatusIO when it cannot.
func (r *Result) WriteJSON(path string) error {
	return r.write(path, func(p *C.btopt_result, c *C.char) C.btopt_status { return C.btopt_result_write_json(p, c) })
}

// WriteCSV writes one row per kept trial (docs/RESULTS.md). StatusIO when it cannot.
func (r *Result) WriteCSV(path string) error {
	return r.write(path, func(p *C.btopt_result, c *C.char) C.btopt_status { return C.btopt_result_write_csv(p, c) })
}

// Close releases the C result; the copied fields stay. Later calls do nothing. Always nil.
func (r *Result) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ptr != nil {
		C.btopt_result_destroy(r.ptr)
		r.ptr = nil
	}
	return nil
}
