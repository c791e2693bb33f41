package data_test

import (
	"strings"
	"testing"

	"godl.dev/godl/dl/internal/celltest"
)

// TestCellsUseData runs a pipeline from interpreted code, as a notebook cell does: a Map
// function written in the cell runs on four workers, its results come out in order, and a
// model trains on the pipeline with FitDataset.
func TestCellsUseData(t *testing.T) {
	got := celltest.Run(t,
		`import (
	"fmt"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/data"
	"godl.dev/godl/dl/images"
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
		`flip := func(x, y *dl.Tensor, seed int64) (*dl.Tensor, *dl.Tensor) {
	return images.NewRandom(seed).FlipLeftRight(x.Reshape(1, 3, 1)).Reshape(3), y
}
a, _ := data.FromTensorSlices(x, y).MapSeeded(flip, 3, 7).Batch(64, false).First()
b, _ := data.FromTensorSlices(x, y).MapSeeded(flip, 1, 7).Batch(64, false).First()
same := 0
for i := 0; i < 64; i++ {
	if a.At(i, 0) == b.At(i, 0) && a.At(i, 2) == b.At(i, 2) { same++ }
}
fmt.Println(same)`,
		`m := dl.NewSequential(layers.Dense(2, layers.Softmax))
m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
h := m.FitDataset(ds, dl.Epochs(2), dl.Verbose(0))
fmt.Println(len(h.Epoch))`,
	)
	want := "[8 3] true\n8\n64\n2\n"
	if got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	if strings.Contains(got, "panic") {
		t.Error(got)
	}
}
