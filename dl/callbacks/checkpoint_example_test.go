package callbacks_test

import (
	"fmt"
	"os"
	"path/filepath"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/callbacks"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/optimizers"
)

// The book's ModelCheckpoint('weights-epoch{epoch:02d}-loss{val_loss:.2f}.h5', period=5),
// here every 2 epochs.
func ExampleModelCheckpoint() {
	dir, _ := os.MkdirTemp("", "godl")
	defer os.RemoveAll(dir)

	// Zero weights that stay zero (learning rate 0): the loss is ln 3 every epoch.
	model := dl.NewSequential(layers.Dense(3, layers.Softmax, layers.InputShape(4), layers.KernelInitializer(layers.Constant(0))))
	model.Compile(optimizers.SGDWithRate(0), losses.SparseCategoricalCrossentropy)
	x, y := dl.RandomUniform(0, 1, 20, 4), dl.FromInts(make([]int, 20), 20)

	ck := callbacks.ModelCheckpoint(filepath.Join(dir, "weights-epoch{epoch:02d}-loss{val_loss:.2f}.godl"))
	ck.Period = 2
	model.Fit(x, y, dl.Epochs(5), dl.Verbose(0), dl.ValidationData(x, y), dl.WithCallback(ck))
	for _, p := range ck.Saved {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// weights-epoch02-loss1.10.godl
	// weights-epoch04-loss1.10.godl
}
