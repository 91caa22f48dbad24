package btopt

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestReprFloatMatchesPython(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables: Go constant arithmetic would be exact
	// Expected texts are Python 3's repr(float(...)).
	cases := []struct {
		x    float64
		want string
	}{
		{1.25, "1.25"}, {-0.5, "-0.5"}, {1e-05, "1e-05"}, {0.0001, "0.0001"}, {0.00012345, "0.00012345"},
		{1.5e-7, "1.5e-07"}, {0, "0.0"}, {math.Copysign(0, -1), "-0.0"}, {1, "1.0"}, {100, "100.0"},
		{123456.789, "123456.789"}, {1e15, "1000000000000000.0"}, {9999999999999998, "9999999999999998.0"},
		{1e16, "1e+16"}, {1.2345e20, "1.2345e+20"}, {1e100, "1e+100"}, {-2.5e-300, "-2.5e-300"},
		{tenth + fifth, "0.30000000000000004"}, {1.0 / 3, "0.3333333333333333"}, {5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"}, {math.NaN(), "nan"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"},
	}
	for _, c := range cases {
		if got := ReprFloat(c.x); got != c.want {
			t.Errorf("ReprFloat(%v) = %q, want %q", c.x, got, c.want)
		}
	}
}

func TestSpaceReadsBack(t *testing.T) {
	s := mixedSpace(t)
	defer s.Close()
	if s.Len() != 4 {
		t.Fatalf("len %d", s.Len())
	}
	n, err := s.Cardinality()
	must(t, err)
	if n != 10*10*5*2 {
		t.Fatalf("cardinality %d", n)
	}
	want := []ParamSpec{Int("a", 0, 9, 1), Int("b", 0, 9, 1), Float("x", 0, 1, 0.25), Choice("mode", "lin", "sq")}
	if got := s.Params(); !reflect.DeepEqual(got, want) {
		t.Fatalf("params %+v", got)
	}
	if got := s.Constraints(); !reflect.DeepEqual(got, []string{"a + b <= 15"}) {
		t.Fatalf("constraints %v", got)
	}
	cont, err := NewSpace(Float("x", 0, 1, 0))
	must(t, err)
	if n, _ := cont.Cardinality(); n != math.MaxUint64 {
		t.Fatalf("continuous cardinality %d", n)
	}
	cont.Close()
	cont.Close() // twice is fine
	if _, err := cont.Cardinality(); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("closed space: %v", err)
	}
}

func TestSpaceErrors(t *testing.T) {
	cases := []struct {
		items   []SpaceItem
		mention string
	}{
		{[]SpaceItem{Int("a", 0, 9, 1), Int("a", 0, 3, 1)}, "a"},
		{[]SpaceItem{Int("a", 5, 1, 1)}, ""},
		{[]SpaceItem{Int("a", 0, 9, 1), Constraint("a < nope")}, "nope"},
		{[]SpaceItem{Choice("c")}, ""},
		{[]SpaceItem{Int("bad\x00name", 0, 1, 1)}, "NUL"},
	}
	for _, c := range cases {
		_, err := NewSpace(c.items...)
		var e *Error
		if !errors.As(err, &e) || e.Status != StatusInvalidArgument || !errors.Is(err, ErrInvalidArgument) {
			t.Fatalf("%+v: want invalid argument, got %v", c.items, err)
		}
		if e.Message == "" || !strings.Contains(e.Message, c.mention) {
			t.Fatalf("%+v: message %q should mention %q", c.items, e.Message, c.mention)
		}
		if !strings.HasPrefix(err.Error(), "BTOPT_ERR_INVALID_ARGUMENT: ") {
			t.Fatalf("error text %q", err.Error())
		}
	}
}

func TestVersions(t *testing.T) {
	if ABIVersion() != HeaderABIVersion {
		t.Fatalf("abi %d vs header %d", ABIVersion(), HeaderABIVersion)
	}
	if Version() == "" || StatusNotFound.String() != "BTOPT_ERR_NOT_FOUND" || TrialCrashed.String() != "crashed" {
		t.Fatal("names")
	}
	if (&Error{Status: 42}).Unwrap() != nil {
		t.Fatal("an unknown status has no sentinel")
	}
}
