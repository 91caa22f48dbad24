package btopt

/*
#include <btopt/btopt.h>
#include <stdlib.h>
*/
import "C"

import "runtime"

// WalkForwardWindows are the windows of a walk-forward (docs/VALIDATION.md):
// lengths in bars ("500") or calendar periods ("30d", "4w", "6m", "2y").
// Step defaults to Test; Validation, when set, is the bars between train and
// test on which the 10 best train points are compared; Anchored starts every
// train window at the first bar.
type WalkForwardWindows struct {
	Train, Test, Step, Validation string
	Anchored                      bool
}

// WalkForward searches each window's train bars with this optimizer's plugin,
// algorithm and options (the plugin initialised once) and trades each
// window's best point on its test bars. It returns the outcome as JSON
// (btopt_walkforward_json: windows, out_of_sample, walk_forward_efficiency,
// parameter_stability). StatusUnsupported without a plugin with bar ranges;
// StatusInvalidArgument for windows that do not fit the data, naming the
// window. A cancelled or failed walk-forward returns the JSON of the windows
// done before with the error.
func (o *Optimizer) WalkForward(w WalkForwardWindows) (string, error) {
	var out string
	err := o.with(func(p *C.btopt_optimizer) error {
		texts := []string{w.Train, w.Test, w.Step, w.Validation}
		names := []string{"train length", "test length", "step", "validation length"}
		c := make([]*C.char, len(texts))
		for i, text := range texts {
			var err error
			if c[i], err = cString(text, names[i]); err != nil {
				return err
			}
			defer free(c[i])
		}
		anchored := C.int32_t(0)
		if w.Anchored {
			anchored = 1
		}
		spec := C.btopt_walkforward_spec{struct_size: C.uint32_t(C.sizeof_btopt_walkforward_spec), train: c[0],
			test: c[1], step: c[2], anchored: anchored, validation: c[3]}
		runtime.LockOSThread() // the last error is per OS thread
		defer runtime.UnlockOSThread()
		var raw *C.btopt_walkforward
		status := Status(C.btopt_optimizer_walkforward(p, &spec, &raw))
		message := ""
		if status != StatusOK {
			message = C.GoString(C.btopt_last_error())
		}
		if raw != nil {
			out = C.GoString(C.btopt_walkforward_json(raw))
			C.btopt_walkforward_destroy(raw)
		}
		if status != StatusOK {
			return newError(status, message)
		}
		return nil
	})
	return out, err
}
