package btopt

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func studyRun(t *testing.T, path string) *Result {
	t.Helper()
	s, err := NewSpace(Int("a", 0, 9, 1), Int("b", 0, 4, 1))
	must(t, err)
	defer s.Close()
	o, err := NewOptimizer(s, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetNJobs(1))
	must(t, o.SetStudy(path))
	must(t, o.SetDataFingerprint("go-study-test"))
	must(t, o.SetObjective(func(p *Params) (float64, error) {
		a, _ := p.Int("a")
		b, _ := p.Int("b")
		return float64(a*10 - (b-2)*(b-2)), nil
	}))
	r, err := o.Run()
	must(t, err)
	return r
}

func TestAStudyReadsBackWhatTheRunRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	live := studyRun(t, path)
	if live.Provenance == "" || live.Reused != 0 {
		t.Fatalf("a first run with a study: provenance %q, reused %d", live.Provenance, live.Reused)
	}
	stored, err := OpenStudy(path, 0)
	must(t, err)
	if len(stored.Trials) != 50 || stored.BestScore != live.BestScore || stored.BestIndex != live.BestIndex {
		t.Fatalf("stored run: %d trials, best %v at %d; live: best %v at %d", len(stored.Trials),
			stored.BestScore, stored.BestIndex, live.BestScore, live.BestIndex)
	}
	for i := range live.Trials {
		if stored.Trials[i].Number != live.Trials[i].Number || stored.Trials[i].Score != live.Trials[i].Score {
			t.Fatalf("trial %d differs: %+v vs %+v", i, stored.Trials[i], live.Trials[i])
		}
	}

	again := studyRun(t, path) // the same setup: every outcome comes from the study
	if again.Reused != 50 {
		t.Fatalf("a second run reused %d of 50 trials", again.Reused)
	}
	runs, err := StudyRuns(path)
	must(t, err)
	if len(runs) != 2 || runs[0] >= runs[1] {
		t.Fatalf("runs %v, want two ids oldest first", runs)
	}

	jsonPath := filepath.Join(t.TempDir(), "t.json")
	csvPath := filepath.Join(t.TempDir(), "t.csv")
	must(t, ExportStudy(path, runs[0], jsonPath, csvPath))
	for _, p := range []string{jsonPath, csvPath} {
		if info, err := os.Stat(p); err != nil || info.Size() == 0 {
			t.Fatalf("export wrote nothing to %s: %v", p, err)
		}
	}
}

func TestOpeningWhatIsNotAStudySaysSo(t *testing.T) {
	_, err := OpenStudy(filepath.Join(t.TempDir(), "missing.db"), 0)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("a missing study: %v", err)
	}
	if _, err := StudyRuns(filepath.Join(t.TempDir(), "missing.db")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("runs of a missing study: %v", err)
	}
	if err := ExportStudy(filepath.Join(t.TempDir(), "missing.db"), 0, "", ""); err == nil {
		t.Fatal("an export with neither path must be refused")
	}
}
