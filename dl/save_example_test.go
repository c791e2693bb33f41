package dl_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
)

// A model saved after two epochs is loaded back, compiled as it was, and its training
// resumes from epoch 3.
func ExampleSaveCheckpoint() {
	dir, _ := os.MkdirTemp("", "godl")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "mlp.godl")

	dl.SetSeed(1)
	model := dl.NewSequential(layers.Dense(8, layers.ReLU, layers.InputShape(4)), layers.Dense(3, layers.Softmax))
	model.CompileNames("adam", "sparse_categorical_crossentropy", "accuracy")
	x, y := dl.RandomUniform(0, 1, 30, 4), dl.FromInts(make([]int, 30), 30)
	model.Fit(x, y, dl.Epochs(2), dl.Verbose(0))
	if err := dl.SaveCheckpoint(model, path, 2); err != nil {
		fmt.Println(err)
		return
	}

	info, _ := dl.ReadSaveInfo(path)
	fmt.Println(info.Kind, info.Class, info.Epochs, info.Optimizer, info.Loss, info.Metrics)
	loaded, err := dl.LoadSequential(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := loaded.Fit(x, y, dl.Epochs(3), dl.InitialEpoch(info.Epochs), dl.Verbose(0))
	fmt.Println(len(h.Get("loss")), "more epoch")
	// Output:
	// model Sequential 2 Adam sparse_categorical_crossentropy [accuracy]
	// 1 more epoch
}

// Loading weights into a model of another architecture names the layer and both shapes.
func ExampleLoadWeights() {
	dir, _ := os.MkdirTemp("", "godl")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "w.godl")

	a := dl.NewSequential(layers.Dense(8, layers.InputShape(4), layers.Name("hidden")), layers.Dense(3, layers.Name("out")))
	if err := a.SaveWeights(path); err != nil {
		fmt.Println(err)
		return
	}
	b := dl.NewSequential(layers.Dense(16, layers.InputShape(4), layers.Name("hidden")), layers.Dense(3, layers.Name("out")))
	err := b.LoadWeights(path)
	fmt.Println(strings.ReplaceAll(err.Error(), dir, "models"))
	// Output:
	// dl: models/w.godl: layer hidden: weight 0 (hidden/kernel) has shape (4, 8) in the file, (4, 16) in the model
}
