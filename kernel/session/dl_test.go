package session

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestDLInCells builds a model from a cell with the preloaded, automatically imported dl
// packages.
func TestDLInCells(t *testing.T) {
	s := newSession(t)
	b, err, rec := run(t, s, "model := dl.NewSequential(\n\tlayers.Flatten(layers.InputShape(28, 28)),\n\tlayers.Dense(10),\n)\nlen(model.Weights())")
	if err != nil {
		t.Fatalf("%v\n%s", err, rec.stderr())
	}
	if text(b) != "2" {
		t.Errorf("weights: %s", text(b))
	}
	// A compiled value as the last expression renders (its own forms are dl's business).
	b, err, _ = run(t, s, "model")
	if err != nil || b == nil || strings.TrimSpace(text(b)) == "" {
		t.Errorf("model result: %v %v", b, err)
	}
}

// TestCellLayerInVariadicCall passes a layer type declared in a cell to dl.NewSequential,
// whose variadic parameter is an interface (yaegi alone panics on that).
func TestCellLayerInVariadicCall(t *testing.T) {
	s := newSession(t)
	runCells(t, s, []cellCase{
		{desc: "a layer type", src: `type Scale struct{ k float32 }
func (s *Scale) Name() string { return "scale" }
func (s *Scale) ClassName() string { return "Scale" }
func (s *Scale) Build(in []int) {}
func (s *Scale) Call(x *dl.Tensor, training bool) *dl.Tensor { return x }
func (s *Scale) OutputShape(in []int) []int { return in }
func (s *Scale) Weights() []*dl.Tensor { return nil }`},
		{desc: "in NewSequential", src: "m := dl.NewSequential(&Scale{2}, layers.Flatten())\nlen(m.Layers())", res: "2"},
		{desc: "inside a function", src: "func build() *dl.Sequential { return dl.NewSequential(&Scale{1}, &Scale{3}) }\nlen(build().Layers())", res: "2"},
		{desc: "spread still works", src: "ls := []dl.Layer{&Scale{2}}\nlen(dl.NewSequential(ls...).Layers())", res: "1"},
	})
	// Compiled code (the summary) calls the cell type's methods.
	b, err, _ := run(t, s, "m.Build([]int{-1, 4})\nm.SummaryString()")
	if err != nil || !strings.Contains(text(b), "(Scale)") {
		t.Errorf("summary: %v\n%s", err, text(b))
	}
}

// TestInterruptFit interrupts dl's Fit, a long compiled call: Execute returns at once, Fit
// notices interrupt.Requested between two steps, and the next cell runs soon after.
func TestInterruptFit(t *testing.T) {
	skipUnderRace(t)
	s := newSession(t)
	_, err, _ := run(t, s, "x := dl.Zeros(4096, 32)\ny := dl.FromInts(make([]int, 4096), 4096)\n"+
		"model := dl.NewSequential(layers.Dense(64, layers.ReLU, layers.InputShape(32)), layers.Dense(10, layers.Softmax))\n"+
		"model.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err = s.Execute(ctx, "model.Fit(x, y, dl.Epochs(100000), dl.Verbose(0))", newRecorder())
	if ce, ok := err.(*CellError); !ok || ce.Name != "Interrupted" {
		t.Fatalf("err %v, want Interrupted", err)
	}
	b, err, _ := run(t, s, "len(model.Weights())")
	if err != nil || text(b) != "4" {
		t.Errorf("after interrupting Fit: %s %v", text(b), err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the next cell ran %v after the start: Fit did not stop within a step or two", d)
	}
}

// TestHugeTensorInACell asks for a tensor far larger than any memory: Go would die of
// "out of memory", a fatal error; dl refuses with an error and the session goes on.
func TestHugeTensorInACell(t *testing.T) {
	s := newSession(t)
	_, err, _ := run(t, s, "x := dl.Zeros(1000000, 1000000, 3)")
	ce, ok := err.(*CellError)
	if !ok || ce.Name != "panic" || !strings.Contains(ce.Value, "Zeros") || !strings.Contains(ce.Value, "more than") {
		t.Fatalf("err %v, want dl's error naming Zeros and the memory", err)
	}
	if b, err, _ := run(t, s, "1 + 1"); err != nil || text(b) != "2" {
		t.Fatalf("after the refused tensor: %s %v", text(b), err)
	}
}
