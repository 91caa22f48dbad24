package btopt

import (
	"errors"
	"math"
	"sort"
	"strings"
	"testing"
)

func pointObjective(p Point) float64 {
	a, _ := p.Int("a")
	b, _ := p.Int("b")
	x, _ := p.Float("x")
	mode, _ := p.Choice("mode")
	base := -math.Pow(float64(a)-7, 2) - math.Pow(float64(b)-3, 2) + x
	if mode == "sq" {
		base *= 1.5
	}
	return base
}

// A driver loop that tells each batch in reverse order gives the trials of
// a run with the same seed.
func TestSearchDriverGivesTheTrialsOfARun(t *testing.T) {
	for _, algorithm := range []string{"random", "genetic", "bayesian"} {
		run := runMixed(t, algorithm, 1, "inline")
		s := mixedSpace(t)
		search, err := NewSearch(s, algorithm)
		must(t, err)
		must(t, search.SetInt("random_seed", 11))
		must(t, search.SetInt("n_iterations", 60))
		must(t, search.SetInt("population_size", 12))
		must(t, search.SetInt("n_generations", 4))
		var seen []trialKey
		for !search.Done() {
			trials, err := search.Ask(5)
			must(t, err)
			if len(trials) == 0 {
				t.Fatalf("%s: nothing to ask, nothing in flight, not done", algorithm)
			}
			for i := len(trials) - 1; i >= 0; i-- {
				score := pointObjective(trials[i].Params)
				seen = append(seen, trialKey{trials[i].Number, trials[i].Params.String(), math.Float64bits(score), TrialOK})
				must(t, search.Tell(trials[i].Number, score))
			}
		}
		sort.Slice(seen, func(i, j int) bool { return seen[i].number < seen[j].number })
		want := fingerprint(run)
		if len(seen) != len(want) {
			t.Fatalf("%s: %d trials asked, the run has %d", algorithm, len(seen), len(want))
		}
		for i := range want {
			if seen[i] != want[i] {
				t.Fatalf("%s: trial %d: %+v, the run's %+v", algorithm, i, seen[i], want[i])
			}
		}
		number, score, _, ok, err := search.Best()
		must(t, err)
		if !ok || number != run.BestTrial().Number || score != run.BestScore {
			t.Fatalf("%s: best %d %v, the run's %d %v", algorithm, number, score, run.BestTrial().Number, run.BestScore)
		}
		search.Close()
		s.Close()
	}
}

func TestSearchMisuseAndRestore(t *testing.T) {
	s := mixedSpace(t)
	defer s.Close()
	search, err := NewSearch(s, "random")
	must(t, err)
	defer search.Close()
	if err := search.SetInt("n_jobs", 2); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("n_jobs on a search: %v", err)
	}
	must(t, search.SetInt("n_iterations", 4))
	trials, err := search.Ask(2)
	must(t, err)
	if err := search.Tell(9, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("tell of an unknown trial: %v", err)
	}
	must(t, search.Tell(trials[1].Number, 1))
	if err := search.Tell(trials[1].Number, 1); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "already told") {
		t.Fatalf("tell twice: %v", err)
	}
	state, err := search.State()
	must(t, err)
	restored, err := NewSearch(s, "random")
	must(t, err)
	defer restored.Close()
	must(t, restored.SetInt("n_iterations", 4))
	must(t, restored.Restore(state))
	again, err := restored.Ask(1)
	must(t, err)
	if len(again) != 1 || again[0].Number != trials[0].Number || again[0].Params.String() != trials[0].Params.String() {
		t.Fatalf("the trial never told comes back first: %+v, want %+v", again, trials[0])
	}
}
