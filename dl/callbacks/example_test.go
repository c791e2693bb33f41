package callbacks_test

import (
	"fmt"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/callbacks"
	"godl.dev/godl/dl/layers"
)

// The chapter 4 notebooks stop when val_acc has not improved for 8 epochs and keep the
// best epoch's weights; here a learning rate that is far too large after the first epoch
// makes the validation accuracy stall.
func ExampleEarlyStopping() {
	dl.SetSeed(5)
	x := dl.RandomUniform(-1, 1, 64, 4)
	labels := make([]int, 64)
	for i, r := range x.Rows() {
		if r[0] > 0 {
			labels[i] = 1
		}
	}
	y := dl.FromInts(labels)
	model := dl.NewSequential(layers.Dense(2, layers.Softmax, layers.InputShape(4)))
	model.CompileNames("sgd", "sparse_categorical_crossentropy", "acc")

	es := callbacks.EarlyStopping("val_acc", 3)
	es.RestoreBestWeights = true
	lr := callbacks.LearningRateScheduler(func(epoch int, lr float64) float64 {
		if epoch == 0 {
			return 0.5
		}
		return 1e-9
	})
	h := model.Fit(x, y, dl.Epochs(50), dl.Verbose(0), dl.ValidationData(x, y),
		dl.Callbacks([]dl.Callback{lr, es}))
	fmt.Println("epochs run:", len(h.Epoch))
	fmt.Println("keys:", h.Keys())
	fmt.Println("restored accuracy:", model.Evaluate(x, y, dl.Verbose(0))[1] == es.Best())
	// Output:
	// epochs run: 4
	// keys: [loss acc val_loss val_acc lr]
	// restored accuracy: true
}
