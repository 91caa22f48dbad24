package btopt

/*
#include <btopt/btopt.h>
*/
import "C"

import (
	"math"
	"strconv"
	"strings"
)

// Value is one parameter's value: Int, Float or Choice according to Kind.
type Value struct {
	Kind   Kind
	Int    int64
	Float  float64
	Choice string
}

// String writes integers as integers, floats like Python's repr, choices as they are.
func (v Value) String() string {
	switch v.Kind {
	case KindInt:
		return strconv.FormatInt(v.Int, 10)
	case KindFloat:
		return ReprFloat(v.Float)
	}
	return v.Choice
}

// Param is a named value.
type Param struct {
	Name  string
	Value Value
}

// Point is an owned point: its parameters in declaration order.
type Point []Param

// Get finds a parameter by name.
func (p Point) Get(name string) (Value, bool) {
	for _, e := range p {
		if e.Name == name {
			return e.Value, true
		}
	}
	return Value{}, false
}

// Int is an integer parameter's value.
func (p Point) Int(name string) (int64, bool) {
	v, ok := p.Get(name)
	return v.Int, ok && v.Kind == KindInt
}

// Float is a float parameter's value (integers convert).
func (p Point) Float(name string) (float64, bool) {
	v, ok := p.Get(name)
	switch {
	case ok && v.Kind == KindFloat:
		return v.Float, true
	case ok && v.Kind == KindInt:
		return float64(v.Int), true
	}
	return 0, false
}

// Choice is a choice parameter's value.
func (p Point) Choice(name string) (string, bool) {
	v, ok := p.Get(name)
	return v.Choice, ok && v.Kind == KindChoice
}

// String is "fast=25, slow=100", as the library names points.
func (p Point) String() string {
	var b strings.Builder
	for i, e := range p {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.Name + "=" + e.Value.String())
	}
	return b.String()
}

// Params is the point an objective scores: a view valid only during that
// call. Do not keep it; after the call its methods return an error.
type Params struct {
	ptr *C.btopt_params
}

var errParamsGone = newError(StatusInvalidArgument, "the params view is used after its objective call returned")

// Len is the number of parameters.
func (p *Params) Len() int {
	if p.ptr == nil {
		return 0
	}
	return int(C.btopt_params_count(p.ptr))
}

// Name is the i-th parameter's name ("" out of range).
func (p *Params) Name(i int) string {
	if p.ptr == nil || i < 0 {
		return ""
	}
	return C.GoString(C.btopt_params_name(p.ptr, C.size_t(i)))
}

// Int reads an integer parameter: StatusNotFound for an unknown name,
// StatusInvalidArgument for a parameter of another kind.
func (p *Params) Int(name string) (int64, error) {
	if p.ptr == nil {
		return 0, errParamsGone
	}
	cname, err := cString(name, "parameter name")
	if err != nil {
		return 0, err
	}
	defer free(cname)
	var v C.int64_t
	err = call(func() C.btopt_status { return C.btopt_params_get_int(p.ptr, cname, &v) })
	return int64(v), err
}

// Float reads a float parameter (integers convert).
func (p *Params) Float(name string) (float64, error) {
	if p.ptr == nil {
		return 0, errParamsGone
	}
	cname, err := cString(name, "parameter name")
	if err != nil {
		return 0, err
	}
	defer free(cname)
	var v C.double
	err = call(func() C.btopt_status { return C.btopt_params_get_double(p.ptr, cname, &v) })
	return float64(v), err
}

// Choice reads a choice parameter.
func (p *Params) Choice(name string) (string, error) {
	if p.ptr == nil {
		return "", errParamsGone
	}
	cname, err := cString(name, "parameter name")
	if err != nil {
		return "", err
	}
	defer free(cname)
	var v *C.char
	if err := call(func() C.btopt_status { return C.btopt_params_get_string(p.ptr, cname, &v) }); err != nil {
		return "", err
	}
	return C.GoString(v), nil
}

// Get reads any parameter by name.
func (p *Params) Get(name string) (Value, error) {
	for i := 0; i < p.Len(); i++ {
		if p.Name(i) == name {
			return valueAt(p.ptr, i)
		}
	}
	if p.ptr == nil {
		return Value{}, errParamsGone
	}
	return Value{}, newError(StatusNotFound, "no parameter "+quote(name)+" in this point")
}

// Point copies the whole point.
func (p *Params) Point() (Point, error) {
	if p.ptr == nil {
		return nil, errParamsGone
	}
	return pointFrom(p.ptr)
}

func valueAt(p *C.btopt_params, i int) (Value, error) {
	name := C.btopt_params_name(p, C.size_t(i))
	switch kind := Kind(C.btopt_params_kind(p, C.size_t(i))); kind {
	case KindInt:
		var v C.int64_t
		err := call(func() C.btopt_status { return C.btopt_params_get_int(p, name, &v) })
		return Value{Kind: kind, Int: int64(v)}, err
	case KindFloat:
		var v C.double
		err := call(func() C.btopt_status { return C.btopt_params_get_double(p, name, &v) })
		return Value{Kind: kind, Float: float64(v)}, err
	case KindChoice:
		var v *C.char
		err := call(func() C.btopt_status { return C.btopt_params_get_string(p, name, &v) })
		return Value{Kind: kind, Choice: C.GoString(v)}, err
	default:
		return Value{}, newError(StatusInternal, "parameter "+strconv.Itoa(i)+" has an unknown kind")
	}
}

func pointFrom(p *C.btopt_params) (Point, error) {
	n := int(C.btopt_params_count(p))
	point := make(Point, 0, n)
	for i := 0; i < n; i++ {
		v, err := valueAt(p, i)
		if err != nil {
			return nil, err
		}
		point = append(point, Param{Name: C.GoString(C.btopt_params_name(p, C.size_t(i))), Value: v})
	}
	return point, nil
}

// ReprFloat writes x as Python's repr(float) does: the shortest text that
// reads back as the same float64, positional for 1e-4 <= |x| < 1e16 (with
// ".0" when integral), else d.ddde±XX with at least two exponent digits;
// "nan", "inf", "-inf". strconv's 'g' format differs (1e+06, 1 for 1.0), so
// this builds the text from the shortest 'e' digits.
func ReprFloat(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	text := strconv.FormatFloat(x, 'e', -1, 64) // "-1.2345e-05", "0e+00"
	cut := strings.IndexByte(text, 'e')
	mantissa, exp := text[:cut], text[cut+1:]
	exponent, _ := strconv.Atoi(exp)
	sign := ""
	if strings.HasPrefix(mantissa, "-") {
		sign, mantissa = "-", mantissa[1:]
	}
	digits := strings.Replace(mantissa, ".", "", 1)
	if exponent >= -4 && exponent < 16 {
		point := exponent + 1 // digits before the decimal point
		switch {
		case point <= 0:
			return sign + "0." + strings.Repeat("0", -point) + digits
		case point >= len(digits):
			return sign + digits + strings.Repeat("0", point-len(digits)) + ".0"
		default:
			return sign + digits[:point] + "." + digits[point:]
		}
	}
	if len(digits) > 1 {
		digits = digits[:1] + "." + digits[1:]
	}
	expSign := "+"
	if exponent < 0 {
		expSign, exponent = "-", -exponent
	}
	e := strconv.Itoa(exponent)
	if len(e) < 2 {
		e = "0" + e
	}
	return sign + digits + "e" + expSign + e
}
