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

type objectiveState struct{ f ObjectiveFunc }

type progressState struct {
	f         func(Progress)
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
