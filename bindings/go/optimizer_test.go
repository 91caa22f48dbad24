package btopt

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

func quadraticSpace(t *testing.T) *Space {
	t.Helper()
	s, err := NewSpace(Int("a", 0, 9, 1), Int("b", 0, 9, 1))
	must(t, err)
	return s
}

func runMixed(t *testing.T, algorithm string, nJobs int, backend string) *Result {
	t.Helper()
	s := mixedSpace(t)
	defer s.Close()
	o, err := NewOptimizer(s, algorithm)
	must(t, err)
	defer o.Close()
	must(t, o.SetNJobs(nJobs))
	must(t, o.SetBackend(backend))
	must(t, o.SetRandomSeed(11))
	must(t, o.SetNIterations(60))
	must(t, o.SetPopulationSize(12))
	must(t, o.SetNGenerations(4))
	must(t, o.SetObjective(mixedObjective))
	r, err := o.Run()
	must(t, err)
	return r
}

func TestSameTrialsForEveryNJobsAndBackend(t *testing.T) {
	for _, algorithm := range []string{"grid", "random", "genetic"} {
		ref := runMixed(t, algorithm, 1, BackendInline)
		if len(ref.Trials) == 0 || ref.StatusCount(TrialOK) != uint64(len(ref.Trials)) {
			t.Fatalf("%s: %d trials", algorithm, len(ref.Trials))
		}
		for _, c := range []struct {
			n       int
			backend string
		}{{2, BackendThread}, {1, BackendThread}, {2, BackendInline}} {
			sameTrials(t, fmt.Sprintf("%s %d %s", algorithm, c.n, c.backend), ref, runMixed(t, algorithm, c.n, c.backend))
		}
	}
}

func TestGridBestAndValues(t *testing.T) {
	r := runMixed(t, "grid", 2, BackendThread)
	if uint64(len(r.Trials)) != r.Evaluated {
		t.Fatal("every evaluated trial is kept")
	}
	best := r.BestParams
	if a, _ := best.Int("a"); a != 7 {
		t.Fatalf("best %v", best)
	}
	if x, _ := best.Float("x"); x != 1 {
		t.Fatalf("best %v", best)
	}
	if m, _ := best.Choice("mode"); m != "sq" {
		t.Fatalf("best %v", best)
	}
	if r.BestScore != 1.5 || best.String() != "a=7, b=3, x=1.0, mode=sq" || r.BestTrial().Score != 1.5 {
		t.Fatalf("best %v %v", r.BestScore, best)
	}
	if len(r.MetricNames) != 0 || r.Workers != 2 || r.Speedup < 0 {
		t.Fatalf("metrics %v workers %d", r.MetricNames, r.Workers)
	}
}

func TestPanicsAndErrorsBecomeFailedTrials(t *testing.T) {
	for _, backend := range []string{BackendInline, BackendThread} {
		s := quadraticSpace(t)
		o, err := NewOptimizer(s, "grid")
		must(t, err)
		s.Close()
		must(t, o.SetNJobs(2))
		must(t, o.SetBackend(backend))
		must(t, o.SetIgnoreErrors(true))
		must(t, o.SetObjective(func(p *Params) (float64, error) {
			a, _ := p.Int("a")
			b, _ := p.Int("b")
			switch {
			case a == 3:
				panic(fmt.Sprintf("no a=3 please (b=%d)", b))
			case b == 5:
				return 0, errors.New("b=5 refused")
			case a == 1 && b == 1:
				return math.NaN(), nil
			}
			return -float64((a-7)*(a-7) + (b-3)*(b-3)), nil
		}))
		r, err := o.Run()
		must(t, err)
		o.Close()
		if len(r.Trials) != 100 {
			t.Fatalf("%d trials", len(r.Trials))
		}
		for _, tr := range r.Trials {
			a, _ := tr.Params.Int("a")
			b, _ := tr.Params.Int("b")
			switch {
			case a == 3:
				if tr.Status != TrialFailed || !strings.Contains(tr.Error, "panicked") ||
					!strings.Contains(tr.Error, fmt.Sprintf("no a=3 please (b=%d)", b)) || !math.IsNaN(tr.Score) {
					t.Fatalf("%s: %v %q", tr.Params, tr.Status, tr.Error)
				}
			case b == 5:
				if tr.Status != TrialFailed || tr.Error != "b=5 refused" {
					t.Fatalf("%s: %v %q", tr.Params, tr.Status, tr.Error)
				}
			case a == 1 && b == 1:
				if tr.Status != TrialFailed {
					t.Fatalf("a NaN score fails the trial: %v", tr.Status)
				}
			default:
				if tr.Status != TrialOK || tr.Error != "" {
					t.Fatalf("%s: %v %q", tr.Params, tr.Status, tr.Error)
				}
			}
		}
		if r.StatusCount(TrialFailed) != 20 || r.BestScore != 0 {
			t.Fatalf("%s: failed %d best %v", backend, r.StatusCount(TrialFailed), r.BestScore)
		}
	}
}

func TestFirstFailureStopsWithPartialResult(t *testing.T) {
	s := quadraticSpace(t)
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetNJobs(1))
	must(t, o.SetObjective(func(p *Params) (float64, error) {
		a, _ := p.Int("a")
		b, _ := p.Int("b")
		if a == 2 && b == 4 {
			panic("boom")
		}
		return 1, nil
	}))
	r, err := o.Run()
	if r != nil || !errors.Is(err, ErrObjective) {
		t.Fatalf("want an objective error, got %v", err)
	}
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, "a=2") || !strings.Contains(e.Message, "b=4") {
		t.Fatalf("message names the point: %v", err)
	}
	if e.Partial == nil || len(e.Partial.Trials) < 25 || e.Partial.BestScore != 1 {
		t.Fatalf("partial %+v", e.Partial)
	}
	failed := 0
	for _, tr := range e.Partial.Trials {
		if tr.Status == TrialFailed {
			failed++
			if !strings.Contains(tr.Error, "boom") {
				t.Fatalf("error %q", tr.Error)
			}
		}
	}
	if failed != 1 {
		t.Fatalf("%d failed", failed)
	}
}

func TestProcessBackendRefusedForGoObjective(t *testing.T) {
	s := quadraticSpace(t)
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	var called int64
	must(t, o.SetObjective(func(*Params) (float64, error) { atomic.AddInt64(&called, 1); return 0, nil }))
	must(t, o.SetBackend(BackendProcess))
	_, err = o.Run()
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrUnsupported) || e.Partial != nil {
		t.Fatalf("want unsupported, got %v", err)
	}
	for _, word := range []string{"process", "thread", "plugin"} {
		if !strings.Contains(e.Message, word) {
			t.Fatalf("message %q should mention %q", e.Message, word)
		}
	}
	if atomic.LoadInt64(&called) != 0 {
		t.Fatal("nothing may run")
	}
	// The same through the generic setter and a registered Go objective.
	must(t, RegisterObjective("go-zero", func(*Params) (float64, error) { return 0, nil }))
	must(t, o.UseObjective("go-zero"))
	must(t, o.SetString("backend", "process"))
	if _, err := o.Run(); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("registered Go objective: %v", err)
	}
	// The thread backend runs it.
	must(t, o.SetBackend(BackendThread))
	_, err = o.Run()
	must(t, err)
}

func TestErrorsMapToStatusWithMessage(t *testing.T) {
	s := quadraticSpace(t)
	defer s.Close()
	check := func(err error, sentinel error, mention string) {
		t.Helper()
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, sentinel) {
			t.Fatalf("want %v, got %v", sentinel, err)
		}
		if e.Message == "" || !strings.Contains(e.Message, mention) {
			t.Fatalf("message %q should mention %q", e.Message, mention)
		}
	}
	_, err := NewOptimizer(s, "simplex")
	check(err, ErrInvalidArgument, "simplex")
	bayesian, err := NewOptimizer(s, "bayesian")
	if err != nil {
		t.Fatalf("bayesian: %v", err)
	}
	bayesian.Close()
	cont, _ := NewSpace(Float("x", 0, 1, 0))
	_, err = NewOptimizer(cont, "grid")
	check(err, ErrInvalidArgument, "")
	cont.Close()
	_, err = NewOptimizer(cont, "grid")
	check(err, ErrInvalidArgument, "closed")

	o, err := NewOptimizer(s, "random")
	must(t, err)
	check(o.SetInt("no_such_option", 1), ErrNotFound, "no_such_option")
	check(o.SetNJobs(0), ErrInvalidArgument, "n_jobs")
	check(o.SetString("n_jobs", "two"), ErrInvalidArgument, "n_jobs")
	check(o.SetBackend("gpu"), ErrInvalidArgument, "gpu")
	check(o.SetMutationRate(1.5), ErrInvalidArgument, "mutation_rate")
	check(o.UseObjective("never registered"), ErrNotFound, "never registered")
	check(o.UsePlugin("no_such_plugin_anywhere"), ErrPlugin, "no_such_plugin_anywhere")
	check(o.SetObjectiveMetric("sharpe"), ErrInvalidArgument, "plugin")
	_, err = o.Run()
	check(err, ErrInvalidArgument, "objective")

	must(t, o.SetObjective(func(*Params) (float64, error) { return 0, nil }))
	must(t, o.SetNIterations(5))
	r, err := o.Run()
	must(t, err)
	check(r.WriteJSON("/nonexistent-dir/x/trials.json"), ErrIO, "")
	must(t, o.Close())
	must(t, o.Close())
	check(o.SetNJobs(1), ErrInvalidArgument, "closed")
	o.Cancel() // after Close: nothing
	if _, err := o.Run(); !errors.Is(err, ErrInvalidArgument) {
		t.Fatal(err)
	}
	check(RegisterObjective("", func(*Params) (float64, error) { return 0, nil }), ErrInvalidArgument, "")
}

func TestResultOutlivesOptimizer(t *testing.T) {
	s := quadraticSpace(t)
	o, err := NewOptimizer(s, "random")
	must(t, err)
	s.Close()
	must(t, o.SetNIterations(20))
	must(t, o.SetRandomSeed(3))
	must(t, o.SetNJobs(2))
	must(t, o.SetObjective(func(p *Params) (float64, error) {
		a, _ := p.Float("a")
		b, _ := p.Float("b")
		return a + b, nil
	}))
	r, err := o.Run()
	must(t, err)
	must(t, o.Close())
	o = nil
	for i := 0; i < 3; i++ { // let finalizers run
		runtime.GC()
	}
	dir := t.TempDir()
	must(t, r.WriteJSON(filepath.Join(dir, "r.json")))
	if len(r.Trials) != 20 || r.BestParams == nil {
		t.Fatalf("%d trials", len(r.Trials))
	}
	must(t, r.Close())
	if err := r.WriteCSV(filepath.Join(dir, "r.csv")); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("closed result: %v", err)
	}
	if len(r.Trials) != 20 {
		t.Fatal("copied fields stay")
	}
}

func TestJSONAndCSV(t *testing.T) {
	s := mixedSpace(t)
	o, err := NewOptimizer(s, "random")
	must(t, err)
	defer o.Close()
	must(t, o.SetNIterations(15))
	must(t, o.SetRandomSeed(5))
	must(t, o.SetDirection(Minimize))
	must(t, o.SetObjective(mixedObjective))
	r, err := o.Run()
	must(t, err)
	lowest := math.Inf(1)
	for _, tr := range r.Trials {
		lowest = math.Min(lowest, tr.Score)
	}
	if r.BestScore != lowest {
		t.Fatalf("minimize picks the lowest: %v vs %v", r.BestScore, lowest)
	}
	dir := t.TempDir()
	must(t, r.WriteJSON(filepath.Join(dir, "t.json")))
	must(t, r.WriteCSV(filepath.Join(dir, "t.csv")))
	js, _ := os.ReadFile(filepath.Join(dir, "t.json"))
	if !strings.Contains(string(js), `"random"`) || !strings.Contains(string(js), `"direction"`) {
		t.Fatalf("json %s", js)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "t.csv"))
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if !strings.HasPrefix(lines[0], "id,a,b,x,mode,score") || len(lines) != 16 {
		t.Fatalf("csv %s", csv)
	}
}

func TestKeepTrialsKeepsNumbers(t *testing.T) {
	s := quadraticSpace(t)
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetKeepTrials(5))
	must(t, o.SetObjective(func(p *Params) (float64, error) {
		a, _ := p.Int("a")
		b, _ := p.Int("b")
		return -float64((a-7)*(a-7) + (b-3)*(b-3)), nil
	}))
	r, err := o.Run()
	must(t, err)
	if len(r.Trials) != 5 || r.Evaluated != 100 || r.BestTrial().Number != 73 || r.BestParams.String() != "a=7, b=3" {
		t.Fatalf("%d kept, %d evaluated, best %+v", len(r.Trials), r.Evaluated, r.BestTrial())
	}
}

func TestRegisteredObjective(t *testing.T) {
	must(t, RegisterObjective("go-sum", func(p *Params) (float64, error) {
		a, _ := p.Float("a")
		b, _ := p.Float("b")
		return a + b, nil
	}))
	s := quadraticSpace(t)
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.UseObjective("go-sum"))
	must(t, o.SetNJobs(2))
	r, err := o.Run()
	must(t, err)
	if r.BestScore != 18 {
		t.Fatalf("best %v", r.BestScore)
	}
}

func TestParamsView(t *testing.T) {
	s := mixedSpace(t)
	o, err := NewOptimizer(s, "random")
	must(t, err)
	defer o.Close()
	must(t, o.SetNIterations(1))
	must(t, o.SetNJobs(1))
	var kept *Params
	must(t, o.SetObjective(func(p *Params) (float64, error) {
		kept = p
		if p.Len() != 4 || p.Name(3) != "mode" || p.Name(4) != "" {
			return 0, errors.New("names")
		}
		if _, err := p.Int("nope"); !errors.Is(err, ErrNotFound) {
			return 0, fmt.Errorf("unknown name: %v", err)
		}
		if _, err := p.Int("x"); !errors.Is(err, ErrInvalidArgument) {
			return 0, fmt.Errorf("wrong kind: %v", err)
		}
		if _, err := p.Choice("a"); !errors.Is(err, ErrInvalidArgument) {
			return 0, fmt.Errorf("wrong kind: %v", err)
		}
		a, _ := p.Int("a")
		af, _ := p.Float("a")
		v, err := p.Get("mode")
		m, _ := p.Choice("mode")
		pt, _ := p.Point()
		if af != float64(a) || err != nil || v.Choice != m || len(pt) != 4 {
			return 0, errors.New("values")
		}
		return 1, nil
	}))
	r, err := o.Run()
	must(t, err)
	if r.Trials[0].Status != TrialOK {
		t.Fatal(r.Trials[0].Error)
	}
	if _, err := kept.Int("a"); err == nil {
		t.Fatal("a view kept past its call must refuse")
	}
}

func TestOptionsReadBack(t *testing.T) {
	s := quadraticSpace(t)
	defer s.Close()
	o, err := NewOptimizer(s, "genetic")
	must(t, err)
	defer o.Close()
	if n, err := o.GetInt("population_size"); err != nil || n != 20 {
		t.Fatalf("default population_size: %d %v", n, err)
	}
	must(t, o.SetPopulationSize(14))
	must(t, o.SetMutationRate(0.25))
	must(t, o.SetDirection(Minimize))
	if n, err := o.GetInt("population_size"); err != nil || n != 14 {
		t.Fatalf("population_size: %d %v", n, err)
	}
	if r, err := o.GetFloat("mutation_rate"); err != nil || r != 0.25 {
		t.Fatalf("mutation_rate: %v %v", r, err)
	}
	if d, err := o.GetString("direction"); err != nil || d != Minimize {
		t.Fatalf("direction: %q %v", d, err)
	}
	if _, err := o.GetInt("no_such_option"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown option: %v", err)
	}
}
