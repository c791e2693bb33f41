package dl_test

import (
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
)

// Pop removes the head of a built model; a new head is built at once, and the model
// predicts through it.
func TestSequentialPop(t *testing.T) {
	m := dl.NewSequential(layers.Flatten(layers.InputShape(4, 4)), layers.Dense(8, layers.ReLU), layers.Dense(3, layers.Softmax))
	head := m.Pop()
	if head.ClassName() != "Dense" || len(m.Layers()) != 2 {
		t.Fatalf("popped %s, %d layers left", head.ClassName(), len(m.Layers()))
	}
	if got := m.Predict(dl.Zeros(2, 4, 4)).Shape(); !sameInts(got, []int{2, 8}) {
		t.Errorf("output after Pop has shape %v, want [2 8]", got)
	}
	m.Add(layers.Dense(5, layers.Softmax))
	if got := m.Predict(dl.Zeros(2, 4, 4)).Shape(); !sameInts(got, []int{2, 5}) {
		t.Errorf("output with the new head has shape %v, want [2 5]", got)
	}
	if got, want := m.CountParams(), 16*8+8+8*5+5; got != want {
		t.Errorf("%d parameters, want %d", got, want)
	}
	m.Pop()
	m.Pop()
	m.Pop()
	if err := dl.Maybe(func() { m.Pop() }); err == nil {
		t.Error("Pop on an empty model did not fail")
	}
}
