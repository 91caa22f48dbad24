package btopt

/*
#include <stdlib.h>
#include <btopt/btopt.h>
*/
import "C"

import (
	"errors"
	"runtime"
	"strings"
	"unsafe"
)

// Status is a btopt_status. Codes are never renumbered; the library may add
// new ones, which must be treated as failures like any other.
type Status int32

const (
	StatusOK              Status = 0
	StatusInvalidArgument Status = 1 // a bad handle, name, range or option value
	StatusUnsupported     Status = 2 // a valid request this build or combination cannot do
	StatusNotFound        Status = 3 // no such parameter, option, objective or trial
	StatusPlugin          Status = 4 // a strategy plugin could not be found, loaded or initialised
	StatusObjective       Status = 5 // an evaluation failed and ignore_errors is off
	StatusCancelled       Status = 6 // the run was cancelled
	StatusIO              Status = 7 // a file could not be written or read
	StatusInternal        Status = 8 // a bug in btopt
)

// String is the library's name for the code ("BTOPT_ERR_NOT_FOUND").
func (s Status) String() string {
	return C.GoString(C.btopt_status_name(C.btopt_status(s)))
}

// Sentinels for errors.Is: every *Error unwraps to the one of its status.
var (
	ErrInvalidArgument = errors.New("btopt: invalid argument")
	ErrUnsupported     = errors.New("btopt: unsupported")
	ErrNotFound        = errors.New("btopt: not found")
	ErrPlugin          = errors.New("btopt: plugin error")
	ErrObjective       = errors.New("btopt: objective failed")
	ErrCancelled       = errors.New("btopt: cancelled")
	ErrIO              = errors.New("btopt: i/o error")
	ErrInternal        = errors.New("btopt: internal error")
)

var sentinels = map[Status]error{
	StatusInvalidArgument: ErrInvalidArgument,
	StatusUnsupported:     ErrUnsupported,
	StatusNotFound:        ErrNotFound,
	StatusPlugin:          ErrPlugin,
	StatusObjective:       ErrObjective,
	StatusCancelled:       ErrCancelled,
	StatusIO:              ErrIO,
	StatusInternal:        ErrInternal,
}

// Error is a failed call: its status and the library's message
// (btopt_last_error, read on the same OS thread right after the call).
// When Run stops on a failed trial (StatusObjective) or a cancellation
// (StatusCancelled), Partial holds every trial started.
//
//	if errors.Is(err, btopt.ErrCancelled) { ... }
//	var e *btopt.Error
//	if errors.As(err, &e) && e.Partial != nil { ... }
type Error struct {
	Status  Status
	Message string // do not parse: texts may improve between versions
	Partial *Result
}

func (e *Error) Error() string { return e.Status.String() + ": " + e.Message }

// Unwrap gives the sentinel of the status (nil for a code this package does not know).
func (e *Error) Unwrap() error { return sentinels[e.Status] }

func newError(s Status, message string) *Error { return &Error{Status: s, Message: message} }

// call runs one C call and, on failure, reads the last error on the same OS
// thread: the library keeps it per thread, and a goroutine may otherwise
// move between the two cgo calls.
func call(f func() C.btopt_status) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if s := f(); s != C.BTOPT_OK {
		return newError(Status(s), C.GoString(C.btopt_last_error()))
	}
	return nil
}

// cString copies s for C (free it with C.free), refusing NUL bytes.
func cString(s, what string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, newError(StatusInvalidArgument, what+" "+quote(s)+" contains a NUL byte")
	}
	return C.CString(s), nil
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "\x00", `\0`) + "'" }

func free(p *C.char) { C.free(unsafe.Pointer(p)) }
