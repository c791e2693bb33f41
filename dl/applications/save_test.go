package applications_test

import (
	"path/filepath"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/applications"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/optimizers"
)

// TestSavedResNetPredictsTheSame saves a trained narrow ResNet-18 (every layer class of the
// ResNets: convolutions, batch normalizations with moved statistics, activations, merges,
// pooling) and loads it back from the layers' configurations: the predictions are identical.
func TestSavedResNetPredictsTheSame(t *testing.T) {
	dl.SetSeed(1)
	m := applications.ResNet18Book([]int{28, 28, 1}, 10, 8, true)
	m.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy)
	x := dl.RandomUniform(0, 1, 4, 28, 28, 1)
	m.Fit(x, dl.FromInts([]int{1, 2, 3, 4}), dl.Epochs(2), dl.Verbose(0))
	path := filepath.Join(t.TempDir(), "resnet.godl")
	if err := dl.SaveModel(m, path); err != nil {
		t.Fatal(err)
	}
	loaded, err := dl.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	m2, ok := loaded.(*dl.Model)
	if !ok {
		t.Fatalf("loaded a %T, want a *dl.Model", loaded)
	}
	if len(m2.Layers()) != len(m.Layers()) {
		t.Fatalf("%d layers loaded, %d saved", len(m2.Layers()), len(m.Layers()))
	}
	a, b := m.Predict(x, dl.Verbose(0)).Float32s(), m2.Predict(x, dl.Verbose(0)).Float32s()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("prediction %d: %v saved, %v loaded", i, a[i], b[i])
		}
	}
}
