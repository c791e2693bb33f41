package dl_test

import (
	"path/filepath"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/optimizers"
)

// BenchmarkSaveLoadModel saves and loads a model of ResNet-50's size (23.6 M parameters,
// with Adam's two slots: 283 MB of float32) through one file.
//
//	go test -run NONE -bench SaveLoad -benchtime 3x ./dl
func BenchmarkSaveLoadModel(b *testing.B) {
	m := dl.NewSequential(layers.Dense(4850, layers.InputShape(4850)), layers.Dense(10, layers.Softmax))
	opt := optimizers.Adam()
	m.Compile(opt, losses.SparseCategoricalCrossentropy)
	opt.ApplyGradients(m.Weights(), m.Weights()) // create the slots
	path := filepath.Join(b.TempDir(), "big.godl")
	b.SetBytes(int64(3 * 4 * m.CountParams()))
	for b.Loop() {
		if err := m.Save(path); err != nil {
			b.Fatal(err)
		}
		if _, err := dl.LoadModel(path); err != nil {
			b.Fatal(err)
		}
	}
}
