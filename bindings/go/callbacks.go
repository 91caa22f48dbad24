package btopt

// The Go side of the callbacks. This file may only declare C in its
// preamble (it has //export); the trampolines are in shim.c.

/*
#include <stdint.h>
#include <stdlib.h>
#include <btopt/btopt.h>
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
)

// ObjectiveFunc scores one point. A non-nil error fails the trial with its
// text; so does a panic (recovered) and a NaN or infinite score. With the
// thread backend it is called from several goroutines at once and must be
// safe for concurrent use. Do not keep p after returning.
type ObjectiveFunc func(p *Params) (float64, error)

// Progress is a report after evaluations finish.
type Progress struct {
	Done, Total uint64  // Total may be an upper bound (genetic search, constrained grids)
	BestScore   float64 // NaN until a trial succeeds
}

// ProgressReport is a report per recorded trial, in trial order (or
// coalesced by SetProgressInterval), with the counts by status:
// Done == OK + Failed + Crashed + Timeout + Infeasible.
type ProgressReport struct {
	Done                 uint64
	Total                uint64 // the planned number; once the run stops, the number that finished
	OK                   uint64
	Failed               uint64
	Crashed              uint64
	Timeout              uint64
	Cancelled            uint64
	Reused               uint64  // of Done: outcomes a study supplied
	BestScore            float64 // NaN until a trial succeeds
	EvaluationsPerSecond float64
	ElapsedSeconds       float64
	Trial                int64  // the last trial recorded, when this report is the first to say so; else -1
	Infeasible           uint64 // ended ok but break the option require
}

type objectiveState struct{ f ObjectiveFunc }

type progressState struct {
	f         func(Progress)
	report    func(ProgressReport)
	optimizer *C.btopt_optimizer // to cancel the run when f panics
	panicked  bool
	panicVal  interface{}
}

// failTrial records message as the trial's error (this OS thread's last
// error) and returns BTOPT_ERR_OBJECTIVE.
func failTrial(message string) C.btopt_status {
	cs := C.CString(message) // a NUL byte would only shorten the text
	defer free(cs)
	return C.btopt_fail(cs)
}

//export btoptGoObjective
func btoptGoObjective(user C.uintptr_t, params *C.btopt_params, score *C.double) (status C.btopt_status) {
	// A cgo callback stays on the OS thread that called it, so btopt_fail
	// sets the last error the library reads for this trial.
	p := &Params{ptr: params}
	defer func() {
		p.ptr = nil // the view dies with this call
		if r := recover(); r != nil {
			status = failTrial(fmt.Sprintf("the objective panicked: %v", r))
		}
	}()
	state := cgo.Handle(user).Value().(*objectiveState)
	value, err := state.f(p)
	if err != nil {
		return failTrial(err.Error())
	}
	*score = C.double(value)
	return C.BTOPT_OK
}

//export btoptGoProgress
func btoptGoProgress(user C.uintptr_t, done, total C.uint64_t, best C.double) {
	state := cgo.Handle(user).Value().(*progressState)
	if state.panicked {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			state.panicked, state.panicVal = true, r
			C.btopt_optimizer_cancel(state.optimizer)
		}
	}()
	state.f(Progress{Done: uint64(done), Total: uint64(total), BestScore: float64(best)})
}

//export btoptGoProgressReport
func btoptGoProgressReport(user C.uintptr_t, p *C.btopt_progress) {
	state := cgo.Handle(user).Value().(*progressState)
	if state.panicked {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			state.panicked, state.panicVal = true, r
			C.btopt_optimizer_cancel(state.optimizer)
		}
	}()
	state.report(ProgressReport{
		Done: uint64(p.done), Total: uint64(p.total),
		OK: uint64(p.ok), Failed: uint64(p.failed), Crashed: uint64(p.crashed), Timeout: uint64(p.timeout),
		Cancelled: uint64(p.cancelled), Reused: uint64(p.reused), BestScore: float64(p.best_score),
		EvaluationsPerSecond: float64(p.evaluations_per_second), ElapsedSeconds: float64(p.elapsed_seconds),
		Trial: int64(p.trial), Infeasible: uint64(p.infeasible),
	})
}
