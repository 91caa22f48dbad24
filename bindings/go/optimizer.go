package btopt

/*
#include <stdint.h>
#include <stdlib.h>
#include <btopt/btopt.h>

btopt_status btopt_go_set_objective(btopt_optimizer *opt, uintptr_t handle);
btopt_status btopt_go_set_progress(btopt_optimizer *opt, uintptr_t handle);
btopt_status btopt_go_set_progress_report(btopt_optimizer *opt, uintptr_t handle);
btopt_status btopt_go_register_objective(const char *name, uintptr_t handle);
*/
import "C"

import (
	"context"
	"runtime"
	"runtime/cgo"
	"strconv"
	"sync"
)

// Optimizer is one configured run (btopt_optimizer).
//
// Cancel is safe from any goroutine, including the progress callback.
// Every other method must not run concurrently with another on the same
// optimizer; while Run is in progress they return an error
// (StatusInvalidArgument, "the optimizer is running"). Close it when done;
// a finalizer does it otherwise.
type Optimizer struct {
	mu   sync.Mutex   // held by every method but Cancel (TryLock: never waits on Run)
	life sync.RWMutex // Cancel reads ptr, Close clears it
	ptr  *C.btopt_optimizer

	objective   cgo.Handle // 0 when none
	progress    cgo.Handle
	report      cgo.Handle // SetProgressReport's
	goObjective bool       // the objective is Go code (a func or a registered Go objective)
	backend     string     // the last backend set ("" = the library's default)
}

var (
	errOptimizerClosed  = newError(StatusInvalidArgument, "the optimizer is closed")
	errOptimizerRunning = newError(StatusInvalidArgument, "the optimizer is running: only Cancel may be called until Run returns")
)

// NewOptimizer makes an optimizer over space (copied; it may be closed
// after) with algorithm "grid", "random", "genetic", "bayesian" or "cmaes".
// StatusInvalidArgument for an unknown algorithm, an empty space or a grid
// over a continuous float.
func NewOptimizer(space *Space, algorithm string) (*Optimizer, error) {
	if space == nil {
		return nil, newError(StatusInvalidArgument, "no space: use NewPluginOptimizer to search a plugin's own space")
	}
	return newOptimizer(space, algorithm)
}

// NewPluginOptimizer makes an optimizer over a strategy plugin (a path, or
// a name on the plugin search path). space may be nil (the plugin's default
// space) or narrow ranges of the plugin's parameters.
func NewPluginOptimizer(plugin string, space *Space, algorithm string) (*Optimizer, error) {
	o, err := newOptimizer(space, algorithm)
	if err != nil {
		return nil, err
	}
	if err := o.UsePlugin(plugin); err != nil {
		o.Close()
		return nil, err
	}
	return o, nil
}

func newOptimizer(space *Space, algorithm string) (*Optimizer, error) {
	calg, err := cString(algorithm, "algorithm")
	if err != nil {
		return nil, err
	}
	defer free(calg)
	var ptr *C.btopt_optimizer
	create := func(sp *C.btopt_space) error {
		return call(func() C.btopt_status { return C.btopt_optimizer_create(&ptr, sp, calg) })
	}
	if space != nil {
		space.mu.RLock()
		if space.ptr == nil {
			err = errSpaceClosed
		} else {
			err = create(space.ptr)
		}
		space.mu.RUnlock()
	} else {
		err = create(nil)
	}
	if err != nil {
		return nil, err
	}
	o := &Optimizer{ptr: ptr}
	runtime.SetFinalizer(o, (*Optimizer).Close)
	return o, nil
}

// Close releases the optimizer and its callbacks. Results stay valid.
// Later calls do nothing. An error only while Run is in progress.
func (o *Optimizer) Close() error {
	if !o.mu.TryLock() {
		return errOptimizerRunning
	}
	defer o.mu.Unlock()
	o.life.Lock()
	if o.ptr != nil {
		C.btopt_optimizer_destroy(o.ptr)
		o.ptr = nil
	}
	o.life.Unlock()
	// The C side is gone, so nothing can call these any more.
	if o.objective != 0 {
		o.objective.Delete()
		o.objective = 0
	}
	if o.progress != 0 {
		o.progress.Delete()
		o.progress = 0
	}
	if o.report != 0 {
		o.report.Delete()
		o.report = 0
	}
	return nil
}

// with runs f with the optimizer locked and open.
func (o *Optimizer) with(f func(*C.btopt_optimizer) error) error {
	if !o.mu.TryLock() {
		return errOptimizerRunning
	}
	defer o.mu.Unlock()
	if o.ptr == nil {
		return errOptimizerClosed
	}
	return f(o.ptr)
}

// ---- The objective ---------------------------------------------------

// SetObjective makes f the objective (replacing a plugin). Go functions run
// with the inline or thread backend only: Run refuses BackendProcess for
// them, because Go code must never run in a process forked from a Go
// program. With the thread backend f runs concurrently.
func (o *Optimizer) SetObjective(f ObjectiveFunc) error {
	if f == nil {
		return newError(StatusInvalidArgument, "the objective is nil")
	}
	return o.with(func(p *C.btopt_optimizer) error {
		h := cgo.NewHandle(&objectiveState{f: f})
		if err := call(func() C.btopt_status { return C.btopt_go_set_objective(p, C.uintptr_t(h)) }); err != nil {
			h.Delete()
			return err
		}
		if o.objective != 0 {
			o.objective.Delete() // the C side points to the new one now
		}
		o.objective, o.goObjective = h, true
		return nil
	})
}

// UseObjective makes the objective registered under name (RegisterObjective)
// the objective. StatusNotFound when none is.
func (o *Optimizer) UseObjective(name string) error {
	cname, err := cString(name, "objective name")
	if err != nil {
		return err
	}
	defer free(cname)
	return o.with(func(p *C.btopt_optimizer) error {
		err := call(func() C.btopt_status { return C.btopt_optimizer_use_objective(p, cname) })
		if err == nil {
			o.goObjective = true // every objective registered from Go runs Go code
		}
		return err
	})
}

// UsePlugin makes a strategy plugin (a path or a name) the objective; its
// parameters become the space. StatusPlugin when it cannot be found or loaded.
func (o *Optimizer) UsePlugin(pathOrName string) error {
	cname, err := cString(pathOrName, "plugin")
	if err != nil {
		return err
	}
	defer free(cname)
	return o.with(func(p *C.btopt_optimizer) error {
		err := call(func() C.btopt_status { return C.btopt_optimizer_use_plugin(p, cname) })
		if err == nil {
			o.goObjective = false
		}
		return err
	})
}

// SetPluginConfig sets a key=value the plugin's init receives (data path, commission, ...).
func (o *Optimizer) SetPluginConfig(key, value string) error {
	ckey, err := cString(key, "plugin config key")
	if err != nil {
		return err
	}
	defer free(ckey)
	cval, err := cString(value, "plugin config value")
	if err != nil {
		return err
	}
	defer free(cval)
	return o.with(func(p *C.btopt_optimizer) error {
		return call(func() C.btopt_status { return C.btopt_optimizer_set_plugin_config(p, ckey, cval) })
	})
}

// SetObjectiveMetric picks which of the plugin's metrics is the score.
// StatusInvalidArgument, listing the metrics, for an unknown one.
func (o *Optimizer) SetObjectiveMetric(metric string) error {
	cm, err := cString(metric, "metric")
	if err != nil {
		return err
	}
	defer free(cm)
	return o.with(func(p *C.btopt_optimizer) error {
		return call(func() C.btopt_status { return C.btopt_optimizer_set_objective_metric(p, cm) })
	})
}

// SetProgress sets the progress callback (nil removes it). It is called on
// the goroutine running Run, never concurrently, after evaluations finish;
// it may call Cancel. A panic in it cancels the run and is raised again
// when Run returns.
func (o *Optimizer) SetProgress(f func(Progress)) error {
	return o.with(func(p *C.btopt_optimizer) error {
		var h cgo.Handle
		if f != nil {
			h = cgo.NewHandle(&progressState{f: f, optimizer: p})
		}
		if err := call(func() C.btopt_status { return C.btopt_go_set_progress(p, C.uintptr_t(h)) }); err != nil {
			if h != 0 {
				h.Delete()
			}
			return err
		}
		if o.progress != 0 {
			o.progress.Delete()
		}
		o.progress = h
		return nil
	})
}

// SetProgressReport sets the progress callback with counts (nil removes
// it): called once per recorded trial in trial order (or at most every
// SetProgressInterval), on the goroutine running Run, never concurrently;
// it may call Cancel. A panic in it cancels the run and is raised again
// when Run returns. It and SetProgress's callback are independent.
func (o *Optimizer) SetProgressReport(f func(ProgressReport)) error {
	return o.with(func(p *C.btopt_optimizer) error {
		var h cgo.Handle
		if f != nil {
			h = cgo.NewHandle(&progressState{report: f, optimizer: p})
		}
		if err := call(func() C.btopt_status { return C.btopt_go_set_progress_report(p, C.uintptr_t(h)) }); err != nil {
			if h != 0 {
				h.Delete()
			}
			return err
		}
		if o.report != 0 {
			o.report.Delete()
		}
		o.report = h
		return nil
	})
}

// ---- Running ---------------------------------------------------------

// RunContext is Run, cancelled when ctx is done: the run stops as with Cancel
// and the error (ErrCancelled, with the partial result) is returned; a ctx
// already done cancels the run before its first evaluation. The watch ends
// when Run returns; a ctx done in the instant between the run's end and
// that return follows Cancel's rule and stops the next Run.
func (o *Optimizer) RunContext(ctx context.Context) (*Result, error) {
	if ctx.Done() == nil { // context.Background(): never done
		return o.Run()
	}
	if ctx.Err() != nil { // already done: the run stops before its first evaluation
		o.Cancel()
		return o.Run()
	}
	var mu sync.Mutex
	running := true
	finished := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-ctx.Done():
			mu.Lock()
			if running {
				o.Cancel()
			}
			mu.Unlock()
		case <-finished:
		}
	}()
	result, err := o.Run()
	mu.Lock()
	running = false
	mu.Unlock()
	close(finished)
	<-watched
	return result, err
}

// Run runs the search. A failed trial (without SetIgnoreErrors) gives an
// *Error with StatusObjective and a cancellation one with StatusCancelled;
// both carry the partial result in Error.Partial.
//
// A Go objective with BackendProcess is refused (StatusUnsupported) before
// anything runs: its workers would be forked from this Go process, and Go
// code must never run in such a child. Use BackendThread, or a strategy
// plugin (which runs fully in worker processes).
func (o *Optimizer) Run() (*Result, error) {
	var result *Result
	var panicVal interface{}
	panicked := false
	err := o.with(func(p *C.btopt_optimizer) error {
		if o.goObjective && o.backend == BackendProcess {
			return newError(StatusUnsupported, "a Go function cannot be the objective with the \"process\" backend: "+
				"its workers are forked from this Go process, and Go code must never run in a forked child. "+
				"Use the \"thread\" backend (SetBackend(btopt.BackendThread)), or a strategy plugin, "+
				"which runs in worker processes")
		}
		var states []*progressState
		for _, h := range []cgo.Handle{o.progress, o.report} {
			if h != 0 {
				state := h.Value().(*progressState)
				state.panicked, state.panicVal = false, nil
				states = append(states, state)
			}
		}
		runtime.LockOSThread() // the last error is per OS thread
		defer runtime.UnlockOSThread()
		var raw *C.btopt_result
		status := Status(C.btopt_optimizer_run(p, &raw))
		message := ""
		if status != StatusOK {
			message = C.GoString(C.btopt_last_error())
		}
		var convErr error
		if raw != nil {
			result, convErr = newResult(raw)
		}
		for _, state := range states {
			if state.panicked {
				panicked, panicVal = true, state.panicVal
				return nil
			}
		}
		if convErr != nil {
			return convErr
		}
		if status != StatusOK {
			e := newError(status, message)
			e.Partial, result = result, nil
			return e
		}
		if result == nil {
			return newError(StatusInternal, "btopt_optimizer_run succeeded without a result")
		}
		return nil
	})
	if panicked {
		if result != nil {
			result.Close()
		}
		panic(panicVal)
	}
	if err != nil {
		return nil, err
	}
	return result, nil
}

// Cancel asks a running Run to stop. Safe from any goroutine and from the
// progress callback. Called while no run is in progress, it stops the next
// Run at once (as btopt_optimizer_cancel does), so a cancel that lands just
// before Run begins is not lost; after Close it does nothing.
func (o *Optimizer) Cancel() {
	o.life.RLock()
	defer o.life.RUnlock()
	if o.ptr != nil {
		C.btopt_optimizer_cancel(o.ptr)
	}
}

// EquityCurve is the equity curve of kept trial trialIndex of r under this
// optimizer's plugin and config, with buy-and-hold (both start at 1).
// StatusUnsupported when the plugin offers none; StatusInvalidArgument
// without a plugin or for a result of another space.
func (o *Optimizer) EquityCurve(r *Result, trialIndex int) (*Series, error) {
	var series *Series
	err := o.with(func(p *C.btopt_optimizer) error {
		r.mu.RLock()
		defer r.mu.RUnlock()
		if r.ptr == nil {
			return errResultClosed
		}
		if trialIndex < 0 {
			return newError(StatusNotFound, "trial index "+strconv.Itoa(trialIndex)+" is out of range")
		}
		var params *C.btopt_params
		if err := call(func() C.btopt_status {
			return C.btopt_result_trial(r.ptr, C.uint64_t(trialIndex), &params, nil, nil)
		}); err != nil {
			return err
		}
		var raw *C.btopt_series
		if err := call(func() C.btopt_status { return C.btopt_optimizer_equity_curve(&raw, p, params) }); err != nil {
			return err
		}
		series = seriesFrom(raw)
		return nil
	})
	return series, err
}

// RegisterObjective registers f process-wide under name, for UseObjective.
// It lives for the rest of the process (registering a name again replaces
// it; the old function is kept, since an optimizer may still use it). The
// same rule as SetObjective holds: never with BackendProcess.
func RegisterObjective(name string, f ObjectiveFunc) error {
	if f == nil {
		return newError(StatusInvalidArgument, "the objective is nil")
	}
	cname, err := cString(name, "objective name")
	if err != nil {
		return err
	}
	defer free(cname)
	h := cgo.NewHandle(&objectiveState{f: f})
	if err := call(func() C.btopt_status { return C.btopt_go_register_objective(cname, C.uintptr_t(h)) }); err != nil {
		h.Delete()
		return err
	}
	return nil
}

// Version is the library's version, e.g. "0.1.0".
func Version() string { return C.GoString(C.btopt_version()) }

// ABIVersion is the loaded library's ABI version; it equals HeaderABIVersion when they match.
func ABIVersion() uint32 { return uint32(C.btopt_abi_version()) }

// HeaderABIVersion is BTOPT_ABI_VERSION of the header this package was built with.
const HeaderABIVersion = uint32(C.BTOPT_ABI_VERSION)
