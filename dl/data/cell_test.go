package data_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
	yaegistdlib "github.com/traefik/yaegi/stdlib"

	"godl.dev/godl/stdlib"
)

// TestCellsUseData runs a pipeline from interpreted code, as a notebook cell does: a Map
// function written in the cell runs on four workers, its results come out in order, and a
// model trains on the pipeline with FitDataset.
func TestCellsUseData(t *testing.T) {
	var out bytes.Buffer
	i := interp.New(interp.Options{Stdout: &out})
	if err := i.Use(yaegistdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if err := i.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	cells := []string{
		`import (
	"fmt"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/data"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)`,
		`x := dl.RandomUniform(0, 1, 64, 3)
y := dl.FromInts(make([]int, 64), 64)`,
		`double := func(x, y *dl.Tensor) (*dl.Tensor, *dl.Tensor) { return x.MulScalar(2), y }`,
		`ds := data.FromTensorSlices(x, y).Map(double, 4).Batch(8, false).Prefetch(2)`,
		`bx, _ := ds.First()
fmt.Println(bx.Shape(), bx.At(5, 1) == 2*x.At(5, 1))`,
		`n := 0
it := ds.Iter()
for bx, _, ok := it.Next(); ok; bx, _, ok = it.Next() {
	if bx.At(7, 2) == 2*x.At(8*n+7, 2) { n++ }
}
fmt.Println(n)`,
		`m := dl.NewSequential(layers.Dense(2, layers.Softmax))
m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
h := m.FitDataset(ds, dl.Epochs(2), dl.Verbose(0))
fmt.Println(len(h.Epoch))`,
	}
	for _, c := range cells {
		if _, err := i.Eval(c); err != nil {
			t.Fatalf("cell %q: %v", c, err)
		}
	}
	want := "[8 3] true\n8\n2\n"
	if got := out.String(); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	if strings.Contains(out.String(), "panic") {
		t.Error(out.String())
	}
}
