package btopt

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestProgressReportsAndCancels(t *testing.T) {
	s, err := NewSpace(Int("a", 0, 999, 1))
	must(t, err)
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetNJobs(2))
	must(t, o.SetBatchSize(1))
	must(t, o.SetObjective(func(p *Params) (float64, error) {
		time.Sleep(200 * time.Microsecond)
		a, err := p.Int("a")
		return float64(a), err
	}))
	var seen []Progress
	must(t, o.SetProgress(func(p Progress) {
		seen = append(seen, p)
		if err := o.SetNJobs(1); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("a setter during Run must refuse: %v", err)
		}
		if p.Done >= 50 {
			o.Cancel()
		}
	}))
	_, err = o.Run()
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusCancelled || e.Partial == nil || e.Partial.Evaluated >= 1000 {
		t.Fatalf("want a cancelled run with a partial result, got %v", err)
	}
	// Until the cancel the total is the grid; the stopped run's last call says
	// how many evaluations finished (done == total), never 1000.
	last := seen[len(seen)-1]
	if seen[0].Total != 1000 || last.Done != e.Partial.Evaluated || last.Total != last.Done || math.IsNaN(last.BestScore) {
		t.Fatalf("progress %+v, %d evaluated", seen, e.Partial.Evaluated)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Done < seen[i-1].Done {
			t.Fatal("done never goes back")
		}
	}
	// It runs again from scratch, to the end, without progress.
	must(t, o.SetProgress(nil))
	r, err := o.Run()
	must(t, err)
	if len(r.Trials) != 1000 || r.BestScore != 999 {
		t.Fatalf("%d trials, best %v", len(r.Trials), r.BestScore)
	}
}

func TestCancelFromAnotherGoroutine(t *testing.T) {
	s, err := NewSpace(Int("a", 0, 100000, 1))
	must(t, err)
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetNJobs(2))
	must(t, o.SetBackend(BackendThread))
	var calls int64
	must(t, o.SetObjective(func(p *Params) (float64, error) {
		atomic.AddInt64(&calls, 1)
		time.Sleep(100 * time.Microsecond)
		a, err := p.Int("a")
		return float64(a), err
	}))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for atomic.LoadInt64(&calls) < 100 {
			time.Sleep(time.Millisecond)
		}
		o.Cancel()
	}()
	_, err = o.Run()
	wg.Wait()
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrCancelled) || e.Partial == nil {
		t.Fatalf("want cancelled, got %v", err)
	}
	for _, tr := range e.Partial.Trials {
		if tr.Status != TrialOK && tr.Status != TrialCancelled {
			t.Fatalf("status %v", tr.Status)
		}
	}
}

func TestProgressPanicCancelsAndIsRaisedAgain(t *testing.T) {
	s := quadraticSpace(t)
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetNJobs(1))
	must(t, o.SetBatchSize(1))
	must(t, o.SetObjective(func(*Params) (float64, error) { return 1, nil }))
	must(t, o.SetProgress(func(p Progress) {
		if p.Done >= 3 {
			panic("progress gave up")
		}
	}))
	defer func() {
		if r := recover(); r != "progress gave up" {
			t.Fatalf("recovered %v", r)
		}
		if err := o.SetNJobs(2); err != nil {
			t.Fatalf("the optimizer is usable after: %v", err)
		}
	}()
	o.Run()
	t.Fatal("Run should have panicked")
}

func TestCancelBeforeRunStopsTheNextRun(t *testing.T) {
	s, err := NewSpace(Int("a", 0, 999, 1))
	must(t, err)
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetNJobs(1))
	must(t, o.SetObjective(func(p *Params) (float64, error) { return 1, nil }))
	o.Cancel() // as btopt_optimizer_cancel: no run is going, so the next one stops at once
	_, err = o.Run()
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusCancelled || e.Partial == nil || e.Partial.Evaluated != 0 {
		t.Fatalf("want the next run cancelled before any evaluation, got %v", err)
	}
	result, err := o.Run() // the flag was spent: this run goes to the end
	must(t, err)
	if result.Evaluated != 1000 {
		t.Fatalf("the run after a cancelled one evaluated %d of 1000", result.Evaluated)
	}
}

func TestRunContextCancelsWhenTheContextIsDone(t *testing.T) {
	s, err := NewSpace(Int("a", 0, 100000, 1))
	must(t, err)
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetNJobs(2))
	must(t, o.SetBackend(BackendThread))
	must(t, o.SetObjective(func(p *Params) (float64, error) {
		time.Sleep(100 * time.Microsecond)
		return 1, nil
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = o.RunContext(ctx)
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusCancelled || e.Partial == nil || e.Partial.Evaluated == 0 ||
		e.Partial.Evaluated >= 100001 {
		t.Fatalf("want a run cancelled by its context with some trials, got %v", err)
	}
}

func TestRunContextAlreadyDoneRunsNothing(t *testing.T) {
	s, err := NewSpace(Int("a", 0, 99, 1))
	must(t, err)
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetNJobs(1))
	must(t, o.SetObjective(func(p *Params) (float64, error) { return 1, nil }))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = o.RunContext(ctx)
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("want cancelled, got %v", err)
	}
	result, err := o.RunContext(context.Background())
	must(t, err)
	if result.Evaluated != 100 {
		t.Fatalf("a later run with a live context evaluated %d of 100", result.Evaluated)
	}
}

func TestProgressReportCountsEachTrialInOrder(t *testing.T) {
	s, err := NewSpace(Int("x", 0, 59, 1))
	must(t, err)
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetNJobs(2))
	must(t, o.SetBackend(BackendThread))
	must(t, o.SetBatchSize(1))
	must(t, o.SetIgnoreErrors(true))
	must(t, o.SetObjective(func(p *Params) (float64, error) {
		x, err := p.Int("x")
		if x%10 == 3 {
			return 0, errors.New("x ends in 3")
		}
		return float64(x % 7), err
	}))
	var seen []ProgressReport
	must(t, o.SetProgressReport(func(p ProgressReport) { seen = append(seen, p) }))
	r, err := o.Run()
	must(t, err)
	defer r.Close()
	next := int64(0)
	for _, p := range seen {
		if p.Done != p.OK+p.Failed+p.Crashed+p.Timeout {
			t.Fatalf("counts do not add up: %+v", p)
		}
		if p.Trial >= 0 {
			if p.Trial != next || p.Failed != uint64((p.Trial+7)/10) {
				t.Fatalf("want trial %d with its failures counted, got %+v", next, p)
			}
			next++
		}
	}
	last := seen[len(seen)-1]
	if next != 60 || last.Done != 60 || last.Total != 60 || last.OK != 54 || last.Failed != 6 || last.BestScore != 6 {
		t.Fatalf("last report %+v after %d trials", last, next)
	}
}
