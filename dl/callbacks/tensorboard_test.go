package callbacks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"godl.dev/godl/dl/callbacks"
)

// The TensorBoard callback's files are read back in dl/tensorboard's tests
// (callback_test.go), by that package's independent test reader.

func TestTensorBoardReportsErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tb := callbacks.TensorBoard(file) // a file, not a folder
	drive(tb, model(), "val_loss", []float64{1, 0.5})
	if tb.Err == nil || !strings.HasPrefix(tb.Err.Error(), "tensorboard: ") {
		t.Errorf("log folder under a file: Err = %v", tb.Err)
	}
	tb = callbacks.TensorBoard(t.TempDir())
	tb.UpdateFreq = -1
	drive(tb, model(), "val_loss", []float64{1})
	if tb.Err == nil || !strings.Contains(tb.Err.Error(), "callbacks: TensorBoard: UpdateFreq") {
		t.Errorf("negative UpdateFreq: Err = %v", tb.Err)
	}
}
