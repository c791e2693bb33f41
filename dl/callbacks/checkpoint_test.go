package callbacks_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/callbacks"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/optimizers"
)

func TestModelCheckpointTemplateAndPeriod(t *testing.T) {
	dir := t.TempDir()
	dl.SetSeed(3)
	m := model()
	x := dl.FromFloat32([]float32{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, 4, 4)
	y := dl.FromInts([]int{0, 1, 0, 1}, 4)
	ck := callbacks.ModelCheckpoint(filepath.Join(dir, "run", "weights-epoch{epoch:02d}-loss{val_loss:.2f}.godl"))
	ck.Period = 2
	h := m.Fit(x, y, dl.Epochs(5), dl.Verbose(0), dl.ValidationData(x, y), dl.WithCallback(ck))
	vl := h.History["val_loss"]
	var want []string
	for _, e := range []int{2, 4} {
		want = append(want, filepath.Join(dir, "run", fmt.Sprintf("weights-epoch%02d-loss%.2f.godl", e, vl[e-1])))
	}
	if strings.Join(ck.Saved, "\n") != strings.Join(want, "\n") {
		t.Fatalf("saved %q, want %q", ck.Saved, want)
	}
	for i, p := range want {
		info, err := dl.ReadSaveInfo(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Kind != "model" || info.Epochs != 2*(i+1) || !info.Compiled {
			t.Fatalf("%s: %+v", p, info)
		}
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "run"))
	if len(ents) != 2 {
		t.Fatalf("%d files in the folder, want 2", len(ents))
	}
	// The last save holds the model as it was after epoch 4: load it.
	if _, err := dl.LoadModel(want[1]); err != nil {
		t.Fatal(err)
	}
}

func TestModelCheckpointSaveBestOnly(t *testing.T) {
	dir := t.TempDir()
	m := model()
	var out bytes.Buffer
	ck := callbacks.ModelCheckpoint(filepath.Join(dir, "best-{epoch}-{val_acc:.1f}.godl"))
	ck.SaveBestOnly, ck.Monitor, ck.Verbose, ck.Out = true, "val_acc", 1, &out
	ck.SaveWeightsOnly = true
	drive(ck, m, "val_acc", []float64{0.5, 0.7, 0.6, 0.7, 0.9})
	want := []string{"best-1-0.5.godl", "best-2-0.7.godl", "best-5-0.9.godl"}
	if len(ck.Saved) != len(want) {
		t.Fatalf("saved %q, want %q", ck.Saved, want)
	}
	for i, p := range ck.Saved {
		if p != filepath.Join(dir, want[i]) {
			t.Fatalf("saved %q, want %q", ck.Saved, want)
		}
		info, err := dl.ReadSaveInfo(p)
		if err != nil || info.Kind != "weights" {
			t.Fatalf("%s: %+v, %v", p, info, err)
		}
	}
	if ck.Best() != 0.9 {
		t.Fatalf("best %v", ck.Best())
	}
	log := out.String()
	for _, line := range []string{
		"Epoch 00001: val_acc improved from -inf to 0.50000, saving model to " + filepath.Join(dir, want[0]),
		"Epoch 00003: val_acc did not improve from 0.70000",
		"Epoch 00004: val_acc did not improve from 0.70000",
	} {
		if !strings.Contains(log, line) {
			t.Errorf("log lacks %q:\n%s", line, log)
		}
	}

	// val_loss falls; a missing monitored key is skipped with Keras's warning.
	out.Reset()
	ck = callbacks.ModelCheckpoint(filepath.Join(dir, "min-{epoch}.godl"))
	ck.SaveBestOnly, ck.Out = true, &out
	drive(ck, m, "val_loss", []float64{1, 0.8, 0.9, 0.7})
	if len(ck.Saved) != 3 || !strings.HasSuffix(ck.Saved[2], "min-4.godl") {
		t.Fatalf("min mode saved %q", ck.Saved)
	}
	ck = callbacks.ModelCheckpoint(filepath.Join(dir, "x-{epoch}.godl"))
	ck.SaveBestOnly, ck.Out = true, &out
	drive(ck, m, "loss_only", []float64{1})
	if len(ck.Saved) != 0 || !strings.Contains(out.String(), "Can save best model only with val_loss available, skipping.") {
		t.Fatalf("missing monitor: saved %q, log %q", ck.Saved, out.String())
	}
}

func TestModelCheckpointErrors(t *testing.T) {
	dir := t.TempDir()
	m := model()
	for tmpl, want := range map[string]string{
		"w-{val_top5_acc:.2f}.godl": "no value for {val_top5_acc}",
		"w-{loss:d}.godl":           "unknown format code 'd' for a float",
	} {
		ck := callbacks.ModelCheckpoint(filepath.Join(dir, tmpl))
		err := dl.Maybe(func() { drive(ck, m, "val_loss", []float64{1}) })
		if err == nil || !strings.Contains(err.Error(), "ModelCheckpoint") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error saying %q", tmpl, err, want)
		}
	}
	// A file where a folder should be: the save fails, naming the file.
	blocker := filepath.Join(dir, "blocker")
	os.WriteFile(blocker, nil, 0o644)
	ck := callbacks.ModelCheckpoint(filepath.Join(blocker, "m.godl"))
	err := dl.Maybe(func() { drive(ck, m, "val_loss", []float64{1}) })
	if err == nil || !strings.Contains(err.Error(), filepath.Join(blocker, "m.godl")) {
		t.Errorf("unwritable folder: %v", err)
	}
}

type oneDense struct{ d dl.Layer }

func (m *oneDense) Call(x *dl.Tensor, training bool) *dl.Tensor { return m.d.Call(x, training) }

// TestModelCheckpointSubclassed: a model written as code is checkpointed with
// SaveWeightsOnly; without it the error says so.
func TestModelCheckpointSubclassed(t *testing.T) {
	dir := t.TempDir()
	m := dl.Subclass("OneDense", &oneDense{layers.Dense(2, layers.Softmax)})
	m.Build([]int{-1, 4})
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy)
	ck := callbacks.ModelCheckpoint(filepath.Join(dir, "m-{epoch}.godl"))
	ck.SetModel(m)
	err := dl.Maybe(func() { ck.OnEpochEnd(0, dl.Logs{"val_loss": 1}) })
	if err == nil || !strings.Contains(err.Error(), "subclassed") || !strings.Contains(err.Error(), "set SaveWeightsOnly") {
		t.Fatalf("got %v", err)
	}
	ck.SaveWeightsOnly = true
	ck.OnEpochEnd(1, dl.Logs{"val_loss": 1})
	if len(ck.Saved) != 1 {
		t.Fatalf("saved %v", ck.Saved)
	}
}
