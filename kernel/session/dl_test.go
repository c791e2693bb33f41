package session

import (
	"strings"
	"testing"
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
