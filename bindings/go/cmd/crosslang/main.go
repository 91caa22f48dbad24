// Command crosslang is the cross-language check: sma_crossover (its default
// space), genetic, seed 7, population 16, 5 generations, 2 process workers;
// one line per trial: "{number} fast={fast} slow={slow} {score} {status}",
// the score as Python's repr(float) writes it (btopt.ReprFloat), the status
// as its integer.
//
//	go run ./cmd/crosslang
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"

	btopt "github.com/btopt/btopt/bindings/go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "crosslang:", err)
		os.Exit(1)
	}
}

func run() error {
	o, err := btopt.NewPluginOptimizer("sma_crossover", nil, "genetic")
	if err != nil {
		return err
	}
	defer o.Close()
	for _, set := range []error{
		o.SetRandomSeed(7), o.SetPopulationSize(16), o.SetNGenerations(5), o.SetNJobs(2),
		o.SetBackend(btopt.BackendProcess),
	} {
		if set != nil {
			return set
		}
	}
	r, err := o.Run()
	if err != nil {
		return err
	}
	defer r.Close()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, t := range r.Trials {
		fmt.Fprintf(out, "%d fast=%s slow=%s %s %d\n", t.Number, intParam(t.Params, "fast"), intParam(t.Params, "slow"),
			btopt.ReprFloat(t.Score), int32(t.Status))
	}
	return nil
}

func intParam(p btopt.Point, name string) string {
	if v, ok := p.Int(name); ok {
		return strconv.FormatInt(v, 10)
	}
	return "?"
}
