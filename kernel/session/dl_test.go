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
