package btopt

/*
#include <stdint.h>
#include <stdlib.h>
#include <btopt/btopt.h>
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// AskedTrial is a trial a Search proposed: its number (0, 1, 2, ... in
// proposal order) and its point.
type AskedTrial struct {
	Number uint64
	Params Point
}

// Search is one of btopt's searches without a run (btopt_search): Ask for
// trials, evaluate them with your own goroutines or scheduler, Tell the
// outcomes in any order. The search hears them in trial order, so its trials
// are those an Optimizer run with the same options evaluates.
//
//	s, _ := btopt.NewSearch(space, "bayesian")
//	s.SetInt("random_seed", 1)
//	for !s.Done() {
//		trials, _ := s.Ask(8)
//		for _, t := range trials { go evaluate(t) } // then s.Tell(t.Number, score) as each ends
//	}
//
// Its methods may be called from several goroutines: they take turns.
type Search struct {
	mu  sync.Mutex
	ptr *C.btopt_search
}

var errSearchClosed = newError(StatusInvalidArgument, "the search is closed")

// NewSearch makes a search over space (copied) with algorithm "grid",
// "random", "genetic", "bayesian" or "cmaes"; the errors of NewOptimizer.
func NewSearch(space *Space, algorithm string) (*Search, error) {
	if space == nil {
		return nil, newError(StatusInvalidArgument, "no space: a search needs one")
	}
	calg, err := cString(algorithm, "algorithm")
	if err != nil {
		return nil, err
	}
	defer free(calg)
	var ptr *C.btopt_search
	space.mu.RLock()
	if space.ptr == nil {
		err = errSpaceClosed
	} else {
		err = call(func() C.btopt_status { return C.btopt_search_create(&ptr, space.ptr, calg) })
	}
	space.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	s := &Search{ptr: ptr}
	runtime.SetFinalizer(s, (*Search).Close)
	return s, nil
}

// Close releases the search; later calls do nothing.
func (s *Search) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ptr != nil {
		C.btopt_search_destroy(s.ptr)
		s.ptr = nil
	}
	return nil
}

func (s *Search) with(f func(*C.btopt_search) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ptr == nil {
		return errSearchClosed
	}
	return f(s.ptr)
}

func (s *Search) setOption(name string, set func(*C.btopt_search, *C.char) C.btopt_status) error {
	cname, err := cString(name, "option")
	if err != nil {
		return err
	}
	defer free(cname)
	return s.with(func(p *C.btopt_search) error {
		return call(func() C.btopt_status { return set(p, cname) })
	})
}

// SetInt sets an option a search reads (random_seed, n_iterations,
// population_size, batch_q, ...) before the first Ask. A run's options
// (n_jobs, backend, ...) are StatusInvalidArgument.
func (s *Search) SetInt(name string, value int64) error {
	return s.setOption(name, func(p *C.btopt_search, n *C.char) C.btopt_status {
		return C.btopt_search_set_int(p, n, C.int64_t(value))
	})
}

// SetFloat sets a number option (crossover_rate, mutation_rate).
func (s *Search) SetFloat(name string, value float64) error {
	return s.setOption(name, func(p *C.btopt_search, n *C.char) C.btopt_status {
		return C.btopt_search_set_double(p, n, C.double(value))
	})
}

// SetString sets a text option (direction).
func (s *Search) SetString(name, value string) error {
	cvalue, err := cString(value, "option value")
	if err != nil {
		return err
	}
	defer free(cvalue)
	return s.setOption(name, func(p *C.btopt_search, n *C.char) C.btopt_status {
		return C.btopt_search_set_string(p, n, cvalue)
	})
}

// Ask proposes up to max new trials; none while the search waits for the
// outcomes of trials in flight (tell them, ask again) or when it is Done.
func (s *Search) Ask(max int) ([]AskedTrial, error) {
	if max <= 0 {
		return nil, nil
	}
	var trials []AskedTrial
	err := s.with(func(p *C.btopt_search) error {
		numbers := (*C.uint64_t)(C.malloc(C.size_t(max) * C.size_t(unsafe.Sizeof(C.uint64_t(0)))))
		views := (**C.btopt_params)(C.malloc(C.size_t(max) * C.size_t(unsafe.Sizeof(uintptr(0)))))
		defer C.free(unsafe.Pointer(numbers))
		defer C.free(unsafe.Pointer(views))
		var count C.size_t
		if err := call(func() C.btopt_status { return C.btopt_search_ask(p, C.size_t(max), numbers, views, &count) }); err != nil {
			return err
		}
		ns := unsafe.Slice(numbers, max)
		vs := unsafe.Slice(views, max)
		for i := 0; i < int(count); i++ {
			point, err := pointFrom(vs[i])
			if err != nil {
				return err
			}
			trials = append(trials, AskedTrial{Number: uint64(ns[i]), Params: point})
		}
		return nil
	})
	return trials, err
}

// Tell says trial number succeeded with score (higher is better unless
// direction is "minimize").
func (s *Search) Tell(number uint64, score float64) error {
	return s.TellOutcome(number, TrialOK, score, nil)
}

// TellOutcome says how trial number ended (its score counts for TrialOK
// only), with its metrics. StatusNotFound for a number never proposed,
// StatusInvalidArgument for a trial told before.
func (s *Search) TellOutcome(number uint64, status TrialStatus, score float64, metrics []float64) error {
	return s.with(func(p *C.btopt_search) error {
		var cm *C.double
		if len(metrics) > 0 {
			cm = (*C.double)(C.malloc(C.size_t(len(metrics)) * C.size_t(unsafe.Sizeof(C.double(0)))))
			defer C.free(unsafe.Pointer(cm))
			copy(unsafe.Slice((*float64)(unsafe.Pointer(cm)), len(metrics)), metrics)
		}
		return call(func() C.btopt_status {
			return C.btopt_search_tell(p, C.uint64_t(number), C.int32_t(status), C.double(score), cm, C.size_t(len(metrics)))
		})
	})
}

// Done is true when the search proposes no more trials and every one
// proposed was told.
func (s *Search) Done() bool {
	done := false
	_ = s.with(func(p *C.btopt_search) error {
		done = C.btopt_search_done(p) != 0
		return nil
	})
	return done
}

// Best is the best successful trial heard so far; ok false while there is none.
func (s *Search) Best() (number uint64, score float64, params Point, ok bool, err error) {
	err = s.with(func(p *C.btopt_search) error {
		var n C.uint64_t
		var sc C.double
		var view *C.btopt_params
		st := C.btopt_search_best(p, &n, &sc, &view)
		if st == C.BTOPT_ERR_NOT_FOUND {
			return nil
		}
		if e := call(func() C.btopt_status { return st }); e != nil {
			return e
		}
		point, e := pointFrom(view)
		if e != nil {
			return e
		}
		number, score, params, ok = uint64(n), float64(sc), point, true
		return nil
	})
	return
}

// State is the search's state as JSON text, for Restore.
func (s *Search) State() (string, error) {
	var state string
	err := s.with(func(p *C.btopt_search) error {
		var text *C.char
		if err := call(func() C.btopt_status { return C.btopt_search_state(p, &text) }); err != nil {
			return err
		}
		state = C.GoString(text)
		return nil
	})
	return state, err
}

// Restore replays a state into this new search (same space, algorithm and
// options): it goes on as the saved one would; trials proposed but never
// told come back first from Ask.
func (s *Search) Restore(state string) error {
	cstate, err := cString(state, "state")
	if err != nil {
		return err
	}
	defer free(cstate)
	return s.with(func(p *C.btopt_search) error {
		return call(func() C.btopt_status { return C.btopt_search_restore(p, cstate) })
	})
}
