package celltest

import "testing"

// TestCellsUseDL runs chapter 2's steps as cells: load MNIST, build the MLP, compile, fit
// on a slice, read the History, print a tensor and the summary, then add a layer type
// declared in a cell (Add, not the variadic NewSequential: an interpreter limit) and train
// through it.
func TestCellsUseDL(t *testing.T) {
	got := Run(t,
		`import (
	"fmt"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/datasets"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)`,
		`train, test := datasets.MNIST()`,
		`x, xTest := train.X.Slice(0, 2000).DivScalar(255), test.X.Slice(0, 500).DivScalar(255)`,
		`dl.SetSeed(1)`,
		`model := dl.NewSequential(
	layers.Flatten(),
	layers.Dense(128, layers.ReLU),
	layers.Dense(10, layers.Softmax),
)`,
		`model.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)`,
		`history := model.Fit(x, train.Y.Slice(0, 2000), dl.Epochs(2), dl.Verbose(0),
	dl.ValidationData(xTest, test.Y.Slice(0, 500)))`,
		`fmt.Println(len(history.History["val_accuracy"]), history.Last("val_accuracy") > 0.5)`,
		`fmt.Println(model.SummaryString())`,
		`fmt.Println(x.Index(0).Slice(12, 13))`,
		`type Scale struct{ f float64 }
func (s *Scale) Name() string                                 { return "scale" }
func (s *Scale) ClassName() string                            { return "Scale" }
func (s *Scale) Build(shape []int)                            {}
func (s *Scale) Call(x *dl.Tensor, training bool) *dl.Tensor { return x.MulScalar(s.f) }
func (s *Scale) OutputShape(shape []int) []int                { return shape }
func (s *Scale) Weights() []*dl.Tensor                        { return nil }`,
		`m2 := dl.NewSequential()
m2.Add(layers.Flatten())
m2.Add(&Scale{f: 2})
m2.Add(layers.Dense(10, layers.Softmax))
m2.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
h2 := m2.Fit(x, train.Y.Slice(0, 2000), dl.Epochs(2), dl.Verbose(0))
fmt.Println("custom", h2.Last("loss") < h2.Get("loss")[0])`,
		`fmt.Println(dl.Maybe(func() { dl.Zeros(2, 3).Add(dl.Zeros(4)) }))`,
		// An optimizer and a metric declared in cells.
		`type halfSGD struct{ steps int }
func (o *halfSGD) Name() string { return "half" }
func (o *halfSGD) ApplyGradients(grads, vars []*dl.Tensor) {
	o.steps++
	for i, v := range vars {
		v.CopyFrom(v.Sub(grads[i].MulScalar(0.05)))
	}
}
type seen struct{}
func (seen) Name() string { return "seen" }
func (seen) Batch(yTrue, yPred *dl.Tensor) (float64, float64) { return float64(yTrue.Size()), 1 }`,
		`opt := &halfSGD{}
m3 := dl.NewSequential(layers.Dense(10, layers.Softmax, layers.InputShape(784)))
m3.Compile(opt, losses.SparseCategoricalCrossentropy)
m3.AddMetric(seen{})
h3 := m3.Fit(x.Slice(0, 320).Reshape(-1, 784), train.Y.Slice(0, 320), dl.Verbose(0))
fmt.Println("optimizer", opt.steps, h3.Last("seen"))`,
	)
	WantLines(t, got,
		"2 true\n",
		"dense (Dense)                (None, 128)               100480",
		"Total params: 101,770",
		"[[0.         0.         0.",
		"custom true\n",
		"optimizer 10 32\n",
		"dl: Add: shapes are not broadcastable (shapes (2, 3) and (4,))",
	)
}
