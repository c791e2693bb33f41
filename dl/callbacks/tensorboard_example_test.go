package callbacks_test

import (
	"fmt"
	"os"
	"path/filepath"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/callbacks"
)

// The TensorBoard callback writes one event file per run in logs/train and, with
// validation data, logs/validation: `tensorboard --logdir logs` then shows both curves.
func ExampleTensorBoard() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	logs := filepath.Join(dir, "logs")

	x := dl.RandomUniform(0, 1, 64, 4)
	y := dl.FromInts(make([]int, 64))
	m := model()
	tb := callbacks.TensorBoard(logs)
	tb.HistogramFreq = 1 // weight histograms every epoch
	m.Fit(x, y, dl.Epochs(2), dl.Verbose(0), dl.ValidationData(x, y), dl.WithCallback(tb))

	for _, run := range []string{"train", "validation"} {
		files, _ := filepath.Glob(filepath.Join(logs, run, "events.out.tfevents.*"))
		fmt.Println(run, len(files), tb.Err)
	}
	// Output:
	// train 1 <nil>
	// validation 1 <nil>
}
