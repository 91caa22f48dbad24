package btopt

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDescribeSmaCrossover(t *testing.T) {
	info, err := DescribePlugin("sma_crossover")
	must(t, err)
	if info.Name != "sma_crossover" || info.Version == "" || info.Description == "" ||
		!strings.HasSuffix(info.Path, "sma_crossover.so") || info.DefaultMetricName() != "sharpe" {
		t.Fatalf("%+v", info)
	}
	if !reflect.DeepEqual(info.Params[0], Int("fast", 10, 50, 5)) ||
		!reflect.DeepEqual(info.Constraints, []string{"fast < slow"}) {
		t.Fatalf("%+v", info)
	}
	s, err := info.Space()
	must(t, err)
	defer s.Close()
	if n, _ := s.Cardinality(); n != 9*7 {
		t.Fatalf("cardinality %d", n)
	}
	_, err = DescribePlugin("/no/such/plugin.so")
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrPlugin) || !strings.Contains(e.Message, "/no/such/plugin.so") {
		t.Fatalf("%v", err)
	}
}

func runSma(t *testing.T, backend string, nJobs int) *Result {
	t.Helper()
	o, err := NewPluginOptimizer("sma_crossover", nil, "genetic")
	must(t, err)
	defer o.Close()
	must(t, o.SetRandomSeed(7))
	must(t, o.SetPopulationSize(10))
	must(t, o.SetNGenerations(3))
	must(t, o.SetNJobs(nJobs))
	must(t, o.SetBackend(backend))
	must(t, o.SetPluginConfig("synthetic_bars", "1500"))
	r, err := o.Run()
	must(t, err)
	return r
}

func TestPluginRunMetricsAndDeterminism(t *testing.T) {
	ref := runSma(t, BackendProcess, 2)
	if ref.MetricNames[0] != "sharpe" {
		t.Fatalf("metrics %v", ref.MetricNames)
	}
	for _, tr := range ref.Trials {
		sharpe, ok := tr.Metric("sharpe")
		_, hasTrades := tr.Metric("trades")
		fast, _ := tr.Params.Int("fast")
		slow, _ := tr.Params.Int("slow")
		if tr.Status != TrialOK || !ok || sharpe != tr.Score || !hasTrades || fast >= slow ||
			len(tr.Metrics) != len(ref.MetricNames) {
			t.Fatalf("%+v", tr)
		}
	}
	for _, c := range []struct {
		backend string
		n       int
	}{{BackendInline, 1}, {BackendThread, 2}, {BackendProcess, 1}} {
		sameTrials(t, fmt.Sprintf("%s %d", c.backend, c.n), ref, runSma(t, c.backend, c.n))
	}
}

func TestObjectiveMetricNarrowSpaceEquityCurve(t *testing.T) {
	narrow, err := NewSpace(Int("fast", 10, 20, 5))
	must(t, err)
	o, err := NewPluginOptimizer("sma_crossover", narrow, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetObjectiveMetric("total_return"))
	must(t, o.SetNJobs(2))
	r, err := o.Run()
	must(t, err)
	if len(r.Trials) != 3*7 {
		t.Fatalf("%d trials", len(r.Trials))
	}
	for _, tr := range r.Trials {
		fast, _ := tr.Params.Int("fast")
		tot, _ := tr.Metric("total_return")
		if fast > 20 || tot != tr.Score {
			t.Fatalf("%+v", tr)
		}
	}
	err = o.SetObjectiveMetric("happiness")
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusInvalidArgument || !strings.Contains(e.Message, "sharpe") {
		t.Fatalf("lists the metrics: %v", err)
	}
	wide, _ := NewSpace(Int("nope", 1, 2, 1))
	if _, err := NewPluginOptimizer("sma_crossover", wide, "grid"); !errors.Is(err, ErrInvalidArgument) ||
		!strings.Contains(err.Error(), "nope") {
		t.Fatalf("%v", err)
	}
	series, err := o.EquityCurve(r, r.BestIndex)
	must(t, err)
	if len(series.Equity) != 2520 || len(series.BuyAndHold) != 2520 || series.Equity[0] != 1 || series.BuyAndHold[0] != 1 {
		t.Fatalf("series %d %d", len(series.Equity), len(series.BuyAndHold))
	}
	if _, err := o.EquityCurve(r, len(r.Trials)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("out of range: %v", err)
	}
}

func TestCrashesAreIsolatedWithIgnoreErrors(t *testing.T) {
	o, err := NewPluginOptimizer(testPlugin(t, "faulty"), nil, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetPluginConfig("crash_mod", "7"))
	must(t, o.SetPluginConfig("fail_mod", "10"))
	must(t, o.SetNJobs(2))
	must(t, o.SetBackend(BackendProcess))
	must(t, o.SetIgnoreErrors(true))
	r, err := o.Run()
	must(t, err)
	if len(r.Trials) != 100 {
		t.Fatalf("%d trials", len(r.Trials))
	}
	for _, tr := range r.Trials {
		a, _ := tr.Params.Int("a")
		b, _ := tr.Params.Int("b")
		index := 10*a + b
		want := TrialOK
		if index%7 == 0 {
			want = TrialCrashed
		} else if index%10 == 0 {
			want = TrialFailed
		}
		if tr.Status != want || (want != TrialOK) == (tr.Error == "") {
			t.Fatalf("point %d: %v %q", index, tr.Status, tr.Error)
		}
		if want == TrialFailed && !strings.Contains(tr.Error, fmt.Sprintf("refused point %d", index)) {
			t.Fatalf("error %q", tr.Error)
		}
	}
	aPlusB, _ := r.BestTrial().Metric("a_plus_b")
	if r.StatusCount(TrialCrashed) != 15 || r.BestParams.String() != "a=7, b=3" || aPlusB != 10 {
		t.Fatalf("crashed %d best %v", r.StatusCount(TrialCrashed), r.BestParams)
	}
}

func TestCrashWithoutIgnoreErrorsStops(t *testing.T) {
	narrow, _ := NewSpace(Int("a", 2, 9, 1)) // the first crash in trial order is 23
	o, err := NewPluginOptimizer(testPlugin(t, "faulty"), narrow, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetPluginConfig("crash_mod", "23"))
	must(t, o.SetNJobs(2))
	_, err = o.Run()
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusObjective || !strings.Contains(e.Message, "a=2") ||
		!strings.Contains(e.Message, "b=3") || e.Partial == nil {
		t.Fatalf("%v", err)
	}
	if e.Partial.StatusCount(TrialCrashed) == 0 {
		t.Fatal("the crash is in the partial result")
	}
}

func TestTimeoutsKillHungWorkers(t *testing.T) {
	narrow, _ := NewSpace(Int("a", 0, 2, 1), Int("b", 0, 1, 1))
	o, err := NewPluginOptimizer(testPlugin(t, "faulty"), narrow, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetPluginConfig("hang_at", "1"))
	must(t, o.SetNJobs(2))
	must(t, o.SetIgnoreErrors(true))
	must(t, o.SetEvalTimeout(300*time.Millisecond))
	r, err := o.Run()
	must(t, err)
	for _, tr := range r.Trials {
		a, _ := tr.Params.Int("a")
		if (a == 1) != (tr.Status == TrialTimeout) {
			t.Fatalf("%v: %v", tr.Params, tr.Status)
		}
	}
}

func TestPluginConfigErrors(t *testing.T) {
	o, err := NewPluginOptimizer("sma_crossover", nil, "random")
	must(t, err)
	defer o.Close()
	// The plugin declares its config keys: a value out of range and an
	// unknown key are refused when set, naming the key, before any run.
	if err := o.SetPluginConfig("commission", "-1"); !errors.Is(err, ErrInvalidArgument) ||
		!strings.Contains(err.Error(), "'commission' = '-1'") {
		t.Fatalf("%v", err)
	}
	if err := o.SetPluginConfig("comission", "0.01"); !errors.Is(err, ErrInvalidArgument) ||
		!strings.Contains(err.Error(), "no config key 'comission'") || !strings.Contains(err.Error(), "commission") {
		t.Fatalf("%v", err)
	}
	must(t, o.SetNIterations(2))
	if err := o.SetPluginConfig("a=b", "1"); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("%v", err)
	}
	// A Go objective replaces the plugin; a plugin again replaces it, and the
	// process backend is fine then.
	must(t, o.SetObjective(func(*Params) (float64, error) { return 0, nil }))
	must(t, o.UsePlugin("sma_crossover"))
	must(t, o.SetBackend(BackendProcess))
	must(t, o.SetPluginConfig("commission", "0"))
	r, err := o.Run()
	must(t, err)
	if len(r.Trials) != 2 {
		t.Fatalf("%d trials", len(r.Trials))
	}
}
