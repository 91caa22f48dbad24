package btopt

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestWalkForward(t *testing.T) {
	o, err := NewPluginOptimizer(testPlugin(t, "snooper"), nil, "grid")
	must(t, err)
	defer o.Close()
	must(t, o.SetInt("n_jobs", 2))
	text, err := o.WalkForward(WalkForwardWindows{Train: "500", Test: "250"})
	must(t, err)
	var out struct {
		Windows []struct {
			Train struct {
				FirstBar int `json:"first_bar"`
			}
			InSampleScore  float64 `json:"in_sample_score"`
			OutOfSampleRaw float64 `json:"out_of_sample_score"`
		}
	}
	must(t, json.Unmarshal([]byte(text), &out))
	if len(out.Windows) != 8 || out.Windows[1].Train.FirstBar != 250 || out.Windows[0].InSampleScore < 2 {
		t.Fatalf("%s", text)
	}
	_, err = o.WalkForward(WalkForwardWindows{Train: "2500", Test: "100"})
	if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "window 1 does not fit") {
		t.Fatalf("%v", err)
	}
}
