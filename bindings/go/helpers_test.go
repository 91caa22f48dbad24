package btopt

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// testPlugin is a test plugin of the CMake build (tests/plugins), e.g. "faulty":
// in $BTOPT_TEST_PLUGIN_DIR, else $BTOPT_LIB_DIR/../tests/plugins, else
// ../../build/tests/plugins.
func testPlugin(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("BTOPT_TEST_PLUGIN_DIR")
	if dir == "" {
		if lib := os.Getenv("BTOPT_LIB_DIR"); lib != "" {
			dir = filepath.Join(lib, "..", "tests", "plugins")
		} else {
			dir = filepath.Join("..", "..", "build", "tests", "plugins")
		}
	}
	path, err := filepath.Abs(filepath.Join(dir, name+".so"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("test plugin %s not built (cmake --build ... --target %s): %v", path, name, err)
	}
	return path
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// mixedSpace: ints, a stepped float, a choice, a constraint.
func mixedSpace(t *testing.T) *Space {
	t.Helper()
	s, err := NewSpace(Int("a", 0, 9, 1), Int("b", 0, 9, 1), Float("x", 0, 1, 0.25), Choice("mode", "lin", "sq"),
		Constraint("a + b <= 15"))
	must(t, err)
	return s
}

func mixedObjective(p *Params) (float64, error) {
	a, err := p.Int("a")
	if err != nil {
		return 0, err
	}
	b, err := p.Int("b")
	if err != nil {
		return 0, err
	}
	x, err := p.Float("x")
	if err != nil {
		return 0, err
	}
	mode, err := p.Choice("mode")
	if err != nil {
		return 0, err
	}
	base := -math.Pow(float64(a)-7, 2) - math.Pow(float64(b)-3, 2) + x
	if mode == "sq" {
		base *= 1.5
	}
	return base, nil
}

type trialKey struct {
	number uint64
	point  string
	score  uint64
	status TrialStatus
}

// fingerprint is what must be identical between two runs.
func fingerprint(r *Result) []trialKey {
	out := make([]trialKey, 0, len(r.Trials))
	for _, t := range r.Trials {
		out = append(out, trialKey{t.Number, t.Params.String(), math.Float64bits(t.Score), t.Status})
	}
	return out
}

func sameTrials(t *testing.T, what string, a, b *Result) {
	t.Helper()
	fa, fb := fingerprint(a), fingerprint(b)
	if len(fa) != len(fb) {
		t.Fatalf("%s: %d trials vs %d", what, len(fa), len(fb))
	}
	for i := range fa {
		if fa[i] != fb[i] {
			t.Fatalf("%s: trial %d differs: %+v vs %+v", what, i, fa[i], fb[i])
		}
	}
	if a.BestIndex != b.BestIndex {
		t.Fatalf("%s: best %d vs %d", what, a.BestIndex, b.BestIndex)
	}
}
