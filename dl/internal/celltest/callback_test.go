package celltest

import (
	"testing"

	"godl.dev/godl/dl"
)

// TestCellCallbacks declares callbacks in cells, as chapter 4's notebooks subclass Keras's
// Callback: a type embedding dl.CallbackBase that overrides three hooks and stops training
// through the model it was given, a function adapter, and a built-in callback from dl/callbacks, passed
// both as a slice and one at a time.
func TestCellCallbacks(t *testing.T) {
	defer dl.ClearSession() // other tests expect the first layer names
	got := Run(t,
		`import (
	"fmt"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/callbacks"
	"godl.dev/godl/dl/layers"
)`,
		`type logEvery struct {
	dl.CallbackBase
	every, seen int
	model       dl.Network
}
func (c *logEvery) SetModel(m dl.Network) { c.model = m }
func (c *logEvery) OnEpochEnd(epoch int, logs dl.Logs) {
	c.seen++
	if epoch%c.every == 0 {
		fmt.Printf("epoch %d loss ok %v acc key %v\n", epoch+1, logs["loss"] > 0, logs["accuracy"] >= 0)
	}
	if epoch == 2 {
		c.model.SetStopTraining(true)
	}
}
func (c *logEvery) OnTrainEnd(logs dl.Logs) { fmt.Println("train end after", c.seen) }`,
		`dl.SetSeed(1)
x := dl.RandomUniform(0, 1, 64, 4)
labels := make([]int, 64)
for k := range labels { labels[k] = k % 2 }
m := dl.NewSequential(layers.Dense(2, layers.Softmax, layers.InputShape(4)))
m.CompileNames("adam", "sparse_categorical_crossentropy", "accuracy")
cb := &logEvery{every: 2}
batches := 0
h := m.Fit(x, dl.FromInts(labels), dl.Epochs(10), dl.Verbose(0),
	dl.Callbacks([]dl.Callback{cb}),
	dl.WithCallback(&dl.LambdaCallback{BatchEnd: func(b int, logs dl.Logs) { batches++ }}),
	dl.WithCallback(dl.EpochEndFunc(func(e int, logs dl.Logs) { fmt.Println("func epoch", e) })),
	dl.WithCallback(callbacks.LearningRateScheduler(func(e int, lr float64) float64 { return 0.1 / float64(e+1) })))
fmt.Println("lr", h.Get("lr"))
fmt.Println("epochs", len(h.Epoch), "batches", batches, "stopped", m.StopTraining())`,
	)
	WantLines(t, got,
		"epoch 1 loss ok true acc key true\n",
		"epoch 3 loss ok true acc key true\n",
		"func epoch 2\n",
		"train end after 3\n",
		"epochs 3 batches 6 stopped true\n",
		"lr [0.1 0.05 0.03333333333333333]\n",
	)
}
