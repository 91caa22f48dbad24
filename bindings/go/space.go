package btopt

/*
#include <stdlib.h>
#include <btopt/btopt.h>
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// Kind is a parameter's kind (btopt_param_kind).
type Kind int32

const (
	KindInt    Kind = 0
	KindFloat  Kind = 1
	KindChoice Kind = 2
)

func (k Kind) String() string {
	switch k {
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindChoice:
		return "choice"
	}
	return "unknown"
}

// ParamSpec is one parameter as declared. Int uses IntLo/IntHi/IntStep
// (lo, lo+step, ... up to the last value not above hi), Float uses
// FloatLo/FloatHi/FloatStep (step 0: continuous), Choice uses Choices.
type ParamSpec struct {
	Name                        string
	Kind                        Kind
	IntLo, IntHi, IntStep       int64
	FloatLo, FloatHi, FloatStep float64
	Choices                     []string
}

// SpaceItem is what NewSpace takes: a ParamSpec or a Constraint.
type SpaceItem interface{ addTo(*Space) error }

// Int declares an integer parameter: Int("fast", 10, 50, 5) is 10, 15, ..., 50.
func Int(name string, lo, hi, step int64) ParamSpec {
	return ParamSpec{Name: name, Kind: KindInt, IntLo: lo, IntHi: hi, IntStep: step}
}

// Float declares a float parameter; step 0 is continuous (random and genetic only).
func Float(name string, lo, hi, step float64) ParamSpec {
	return ParamSpec{Name: name, Kind: KindFloat, FloatLo: lo, FloatHi: hi, FloatStep: step}
}

// Choice declares a categorical parameter.
func Choice(name string, choices ...string) ParamSpec {
	return ParamSpec{Name: name, Kind: KindChoice, Choices: append([]string(nil), choices...)}
}

// Constraint is a condition every evaluated point satisfies, over the numeric
// parameters declared before it, e.g. "fast * 2 <= slow && threshold > 1".
type Constraint string

func (p ParamSpec) addTo(s *Space) error {
	switch p.Kind {
	case KindInt:
		return s.AddInt(p.Name, p.IntLo, p.IntHi, p.IntStep)
	case KindFloat:
		return s.AddFloat(p.Name, p.FloatLo, p.FloatHi, p.FloatStep)
	case KindChoice:
		return s.AddChoice(p.Name, p.Choices...)
	}
	return newError(StatusInvalidArgument, "parameter "+quote(p.Name)+" has an unknown kind")
}

func (c Constraint) addTo(s *Space) error { return s.AddConstraint(string(c)) }

// Space is a parameter space (btopt_space). Parameters keep their
// declaration order, the grid's order (the last varies fastest). An
// optimizer copies the space, so it may be closed right after. Not safe for
// concurrent changes; reading from several goroutines is fine.
type Space struct {
	mu  sync.RWMutex
	ptr *C.btopt_space
}

// NewSpace makes a space from parameters and constraints, in order; the
// first error is returned (StatusInvalidArgument for an empty or duplicate
// name, lo > hi, a bad step, no choices or a constraint that does not parse).
func NewSpace(items ...SpaceItem) (*Space, error) {
	var ptr *C.btopt_space
	if err := call(func() C.btopt_status { return C.btopt_space_create(&ptr) }); err != nil {
		return nil, err
	}
	s := &Space{ptr: ptr}
	runtime.SetFinalizer(s, (*Space).Close)
	for _, item := range items {
		if err := item.addTo(s); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close releases the space; later calls do nothing. Always nil.
func (s *Space) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ptr != nil {
		C.btopt_space_destroy(s.ptr)
		s.ptr = nil
	}
	return nil
}

var errSpaceClosed = newError(StatusInvalidArgument, "the space is closed")

func (s *Space) change(f func(*C.btopt_space) C.btopt_status) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ptr == nil {
		return errSpaceClosed
	}
	return call(func() C.btopt_status { return f(s.ptr) })
}

func (s *Space) AddInt(name string, lo, hi, step int64) error {
	cname, err := cString(name, "parameter name")
	if err != nil {
		return err
	}
	defer free(cname)
	return s.change(func(p *C.btopt_space) C.btopt_status {
		return C.btopt_space_add_int(p, cname, C.int64_t(lo), C.int64_t(hi), C.int64_t(step))
	})
}

func (s *Space) AddFloat(name string, lo, hi, step float64) error {
	cname, err := cString(name, "parameter name")
	if err != nil {
		return err
	}
	defer free(cname)
	return s.change(func(p *C.btopt_space) C.btopt_status {
		return C.btopt_space_add_float(p, cname, C.double(lo), C.double(hi), C.double(step))
	})
}

func (s *Space) AddChoice(name string, choices ...string) error {
	cname, err := cString(name, "parameter name")
	if err != nil {
		return err
	}
	defer free(cname)
	// The array of pointers lives in C memory: cgo forbids passing Go memory
	// that holds pointers.
	n := len(choices)
	array := (**C.char)(C.malloc(C.size_t(n+1) * C.size_t(unsafe.Sizeof(uintptr(0)))))
	defer C.free(unsafe.Pointer(array))
	items := unsafe.Slice(array, n+1)
	for i, c := range choices {
		cs, err := cString(c, "choice")
		if err != nil {
			for _, done := range items[:i] {
				free(done)
			}
			return err
		}
		items[i] = cs
	}
	defer func() {
		for _, cs := range items[:n] {
			free(cs)
		}
	}()
	return s.change(func(p *C.btopt_space) C.btopt_status {
		return C.btopt_space_add_choice(p, cname, array, C.size_t(n))
	})
}

func (s *Space) AddConstraint(expression string) error {
	cexpr, err := cString(expression, "constraint")
	if err != nil {
		return err
	}
	defer free(cexpr)
	return s.change(func(p *C.btopt_space) C.btopt_status { return C.btopt_space_add_constraint(p, cexpr) })
}

// Cardinality is the size of the product space before constraints;
// math.MaxUint64 when infinite (a continuous float) or too large to count.
func (s *Space) Cardinality() (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ptr == nil {
		return 0, errSpaceClosed
	}
	var n C.uint64_t
	err := call(func() C.btopt_status { return C.btopt_space_cardinality(s.ptr, &n) })
	return uint64(n), err
}

// Len is the number of parameters.
func (s *Space) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ptr == nil {
		return 0
	}
	return int(C.btopt_space_param_count(s.ptr))
}

// Params reads the parameters back from the library.
func (s *Space) Params() []ParamSpec {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return readParams(s.ptr)
}

// Constraints reads the constraints back from the library.
func (s *Space) Constraints() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return readConstraints(s.ptr)
}

func readParams(p *C.btopt_space) []ParamSpec {
	if p == nil {
		return nil
	}
	n := int(C.btopt_space_param_count(p))
	specs := make([]ParamSpec, 0, n)
	for i := 0; i < n; i++ {
		ci := C.size_t(i)
		spec := ParamSpec{Name: C.GoString(C.btopt_space_param_name(p, ci)), Kind: Kind(C.btopt_space_param_kind(p, ci))}
		switch spec.Kind {
		case KindInt:
			var lo, hi, step C.int64_t
			C.btopt_space_param_int_range(p, ci, &lo, &hi, &step)
			spec.IntLo, spec.IntHi, spec.IntStep = int64(lo), int64(hi), int64(step)
		case KindFloat:
			var lo, hi, step C.double
			C.btopt_space_param_float_range(p, ci, &lo, &hi, &step)
			spec.FloatLo, spec.FloatHi, spec.FloatStep = float64(lo), float64(hi), float64(step)
		default:
			m := int(C.btopt_space_param_choice_count(p, ci))
			for j := 0; j < m; j++ {
				spec.Choices = append(spec.Choices, C.GoString(C.btopt_space_param_choice(p, ci, C.size_t(j))))
			}
		}
		specs = append(specs, spec)
	}
	return specs
}

func readConstraints(p *C.btopt_space) []string {
	if p == nil {
		return nil
	}
	n := int(C.btopt_space_constraint_count(p))
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, C.GoString(C.btopt_space_constraint(p, C.size_t(i))))
	}
	return out
}
