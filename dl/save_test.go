package dl_test

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
	"godl.dev/godl/dl/regularizers"
)

// cfgDense is a Dense layer that describes its configuration, registered as "TestDense",
// so that these tests do not depend on which built-in layers implement dl.ConfigLayer.
type cfgDense struct {
	*layers.DenseLayer
}

func (d cfgDense) ClassName() string { return "TestDense" }

func (d cfgDense) Config() map[string]any {
	return map[string]any{"name": d.Name(), "units": d.Units(), "activation": d.Activation().String()}
}

func newCfgDense(units int, act layers.Activation, name string) cfgDense {
	return cfgDense{layers.Dense(units, act, layers.Name(name))}
}

func init() {
	dl.RegisterLayer("TestDense", func(cfg map[string]any) (dl.Layer, error) {
		act, err := layers.ActivationByName(cfg["activation"].(string))
		if err != nil {
			return nil, err
		}
		return newCfgDense(int(cfg["units"].(float64)), act, cfg["name"].(string)), nil
	})
}

// toyData returns n samples of 6 features in 3 classes that a small MLP can learn.
func toyData(n int) (*dl.Tensor, *dl.Tensor) {
	x := make([]float32, n*6)
	y := make([]int, n)
	for i := 0; i < n; i++ {
		c := i % 3
		y[i] = c
		for j := 0; j < 6; j++ {
			x[i*6+j] = float32((i*7+j*3)%11)/11 + float32(c)*float32(j%3)*0.3
		}
	}
	return dl.FromFloat32(x, n, 6), dl.FromInts(y, n)
}

func toyModel() *dl.Sequential {
	m := dl.NewSequential(newCfgDense(16, layers.ReLU, "hidden"), newCfgDense(3, layers.Softmax, "out"))
	m.Build([]int{-1, 6})
	return m
}

func sameWeights(t *testing.T, what string, a, b []*dl.Tensor) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d weights and %d", what, len(a), len(b))
	}
	for i := range a {
		x, y := a[i].Data(), b[i].Data()
		if len(x) != len(y) {
			t.Fatalf("%s: weight %d has %d values and %d", what, i, len(x), len(y))
		}
		for j := range x {
			if x[j] != y[j] {
				t.Fatalf("%s: weight %d [%d] = %v, want %v", what, i, j, y[j], x[j])
			}
		}
	}
}

func differentWeights(a, b []*dl.Tensor) bool {
	for i := range a {
		x, y := a[i].Data(), b[i].Data()
		for j := range x {
			if x[j] != y[j] {
				return true
			}
		}
	}
	return false
}

// TestSaveLoadResumesTraining trains 2 epochs, saves, loads and trains 1 more, and checks
// the weights equal those of 3 epochs straight, for optimizers with state, after reseeding
// as a new process would start: with shuffling, RestoreRandomState brings the random
// sequence back; without, the weights and optimizer state alone resume exactly.
func TestSaveLoadResumesTraining(t *testing.T) {
	x, y := toyData(96)
	opts := map[string]func() dl.Optimizer{
		"sgd-momentum": func() dl.Optimizer { return optimizers.SGDMomentum(0.9, true) },
		"adam":         func() dl.Optimizer { return optimizers.Adam() },
		"rmsprop":      func() dl.Optimizer { return optimizers.RMSprop() },
	}
	for name, newOpt := range opts {
		for _, shuffle := range []bool{true, false} {
			t.Run(name+map[bool]string{true: "-shuffled", false: "-in-order"}[shuffle], func(t *testing.T) {
				fit := func(m *dl.Sequential, from, to int) {
					m.Fit(x, y, dl.Epochs(to), dl.InitialEpoch(from), dl.BatchSize(16), dl.Verbose(0), dl.Shuffle(shuffle))
				}
				newModel := func() *dl.Sequential {
					m := toyModel()
					m.Compile(newOpt(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
					return m
				}
				dl.SetSeed(11)
				straight := newModel()
				fit(straight, 0, 3)

				dl.SetSeed(11)
				m := newModel()
				fit(m, 0, 2)
				path := filepath.Join(t.TempDir(), "model.godl")
				if err := dl.SaveCheckpoint(m, path, 2); err != nil {
					t.Fatal(err)
				}
				dl.SetSeed(12345) // as a new process: another random state
				loaded, err := dl.LoadSequential(path)
				if err != nil {
					t.Fatal(err)
				}
				if shuffle { // the next epoch's shuffle must be the one it would have been
					if err := dl.RestoreRandomState(path); err != nil {
						t.Fatal(err)
					}
				}
				sameWeights(t, "loaded", m.Weights(), loaded.Weights())
				info, err := dl.ReadSaveInfo(path)
				if err != nil {
					t.Fatal(err)
				}
				if info.Epochs != 2 || info.Kind != "model" || info.Optimizer != newOpt().Name() || info.Loss != "sparse_categorical_crossentropy" ||
					len(info.Metrics) != 1 || info.Metrics[0] != "accuracy" || info.Version != dl.SaveFormatVersion {
					t.Fatalf("ReadSaveInfo = %+v", info)
				}
				fit(loaded, info.Epochs, 3)
				sameWeights(t, "resumed after loading", straight.Weights(), loaded.Weights())
				if shuffle {
					// Without the random state, the next shuffle differs: the control that
					// shows RestoreRandomState is what makes the resume exact.
					dl.SetSeed(12345)
					again, err := dl.LoadSequential(path)
					if err != nil {
						t.Fatal(err)
					}
					fit(again, 2, 3)
					if !differentWeights(straight.Weights(), again.Weights()) {
						t.Fatal("resumed exactly without RestoreRandomState: the test cannot tell whether it works")
					}
					return
				}
				// Weights alone, with a fresh optimizer, do not resume exactly: this is
				// what the saved optimizer state is for.
				fresh := toyModel()
				if err := fresh.LoadWeights(path); err != nil {
					t.Fatal(err)
				}
				fresh.Compile(newOpt(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
				fit(fresh, 2, 3)
				if !differentWeights(straight.Weights(), fresh.Weights()) {
					t.Fatalf("weights alone with a fresh %s resumed exactly: the test cannot tell whether the optimizer state is restored", name)
				}
			})
		}
	}
}

func saveToy(t *testing.T) (string, []byte) {
	t.Helper()
	m := toyModel()
	m.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	x, y := toyData(32)
	m.Fit(x, y, dl.Verbose(0))
	path := filepath.Join(t.TempDir(), "toy.godl")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

func TestLoadDamagedFiles(t *testing.T) {
	path, data := saveToy(t)
	jsLen := int(binary.LittleEndian.Uint64(data[12:]))
	flip := func(i int) []byte {
		d := append([]byte(nil), data...)
		d[i] ^= 0x10
		return d
	}
	newer := append([]byte(nil), data...)
	binary.LittleEndian.PutUint32(newer[8:], dl.SaveFormatVersion+1)
	badJSON := append([]byte(nil), data...)
	badJSON[28] = '['
	binary.LittleEndian.PutUint32(badJSON[len(badJSON)-4:], crc32.Checksum(badJSON[:len(badJSON)-4], crc32.MakeTable(crc32.Castagnoli)))
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"cut in the magic", data[:5], "truncated"},
		{"cut in the header", data[:20], "truncated"},
		{"cut in the JSON", data[:40], "truncated"},
		{"cut in the weights", data[:len(data)/2+jsLen/2], "truncated"},
		{"last byte missing", data[:len(data)-1], "truncated"},
		{"trailing bytes", append(append([]byte(nil), data...), 0), "corrupt"},
		{"flipped byte in the JSON", flip(40), "checksum"},
		{"flipped byte in the weights", flip(len(data) - 30), "checksum"},
		{"flipped byte in a length", flip(13), "truncated"},
		{"wrong magic", append([]byte("PK\x03\x04"), data[4:]...), "not a godl save file"},
		{"HDF5", append([]byte("\x89HDF\r\n\x1a\n"), data[8:]...), "not a godl save file"},
		{"newer version", newer, "format version 2 is newer"},
		{"JSON that does not parse", badJSON, "JSON section does not parse"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".godl")
			if err := os.WriteFile(p, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := dl.LoadModel(p)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("LoadModel: %v; want an error naming %s and saying %q", err, p, c.want)
			}
			err = toyModel().LoadWeights(p)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("LoadWeights: %v; want an error naming %s and saying %q", err, p, c.want)
			}
		})
	}
	if _, err := dl.LoadModel(path); err != nil {
		t.Fatalf("the intact file: %v", err)
	}
	if _, err := dl.LoadModel(filepath.Join(dir, "missing.godl")); err == nil || !strings.Contains(err.Error(), "missing.godl") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestLoadWeightsIntoAnotherShape(t *testing.T) {
	path, _ := saveToy(t)
	m := dl.NewSequential(newCfgDense(16, layers.ReLU, "h"), newCfgDense(4, layers.Softmax, "wide_out"))
	m.Build([]int{-1, 6})
	before := dl.GetWeights(m)
	err := m.LoadWeights(path)
	want := "layer wide_out (saved as out): weight 0 (wide_out/kernel) has shape (16, 3) in the file, (16, 4) in the model"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v\nwant an error naming %s and saying %q", err, path, want)
	}
	sameWeights(t, "after a failed load", before, m.Weights())

	deeper := dl.NewSequential(newCfgDense(16, layers.ReLU, "a"), newCfgDense(16, layers.ReLU, "b"), newCfgDense(3, layers.Softmax, "c"))
	deeper.Build([]int{-1, 6})
	err = deeper.LoadWeights(path)
	if err == nil || !strings.Contains(err.Error(), "the file has weights for 2 layers (hidden, out), the model has 3 layers with weights (a, b, c)") {
		t.Fatalf("layer count: %v", err)
	}
}

func TestLoadWeightsBuildsAndRenamedLayers(t *testing.T) {
	src := toyModel()
	path := filepath.Join(t.TempDir(), "w.godl")
	if err := src.SaveWeights(path); err != nil {
		t.Fatal(err)
	}
	if _, err := dl.LoadModel(path); err == nil || !strings.Contains(err.Error(), "weights only") {
		t.Fatalf("LoadModel of a weights file: %v", err)
	}
	// Unbuilt, other names, a layer without weights in between: matched by order.
	dst := dl.NewSequential(layers.Flatten(), newCfgDense(16, layers.ReLU, "x"), newCfgDense(3, layers.Softmax, "y"))
	if err := dst.LoadWeights(path); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "loaded weights", src.Weights(), dst.Weights())
}

func TestGetSetWeights(t *testing.T) {
	m := toyModel()
	ws := m.GetWeights()
	if len(ws) != 4 || !ws[0].HasShape(6, 16) || !ws[3].HasShape(3) {
		t.Fatalf("GetWeights shapes: %v", ws)
	}
	orig := ws[0].Data()[0]
	ws[0].Data()[0] = orig + 1
	if m.Weights()[0].Data()[0] != orig {
		t.Fatal("GetWeights returned the model's own tensors, not copies")
	}
	if err := m.SetWeights(ws); err != nil {
		t.Fatal(err)
	}
	if m.Weights()[0].Data()[0] != orig+1 {
		t.Fatal("SetWeights did not copy the values in")
	}
	ws[0].Data()[0] = orig + 2
	if m.Weights()[0].Data()[0] != orig+1 {
		t.Fatal("SetWeights kept the caller's tensor")
	}
	bad := m.GetWeights()
	bad[2] = dl.Zeros(16, 4)
	err := m.SetWeights(bad)
	if err == nil || !strings.Contains(err.Error(), "layer out: weight 0 (out/kernel) has shape (16, 3), got (16, 4)") {
		t.Fatalf("shape mismatch: %v", err)
	}
	if m.Weights()[0].Data()[0] != orig+1 {
		t.Fatal("a failed SetWeights changed a weight")
	}
	if err := m.SetWeights(bad[:3]); err == nil || !strings.Contains(err.Error(), "has 4 weights (hidden: 2, out: 2), got 3") {
		t.Fatalf("count mismatch: %v", err)
	}
}

// TestLoadedModelAsFrozenLayer loads a saved model and uses it as the frozen base of a new
// model (book ch4_nb3's feature extractor): training the new model changes only its head.
func TestLoadedModelAsFrozenLayer(t *testing.T) {
	path, _ := saveToy(t)
	if u, err := dl.LoadModelUncompiled(path); err != nil || u.Optimizer() != nil {
		t.Fatalf("LoadModelUncompiled: %v, optimizer %v", err, u.Optimizer())
	}
	base, err := dl.LoadFrozen(path)
	if err != nil {
		t.Fatal(err)
	}
	if base.Optimizer() != nil || len(base.TrainableWeights()) != 0 || len(base.NonTrainableWeights()) != 4 {
		t.Fatalf("LoadFrozen: optimizer %v, %d trainable weights", base.Optimizer(), len(base.TrainableWeights()))
	}
	before := dl.GetWeights(base)
	m := dl.NewSequential(base)
	m.Add(newCfgDense(2, layers.Softmax, "head"))
	m.Build([]int{-1, 6})
	m.Compile(optimizers.SGDWithRate(0.1), losses.SparseCategoricalCrossentropy)
	x, _ := toyData(32)
	labels := make([]int, 32)
	for i := range labels {
		labels[i] = i % 2
	}
	head := m.GetLayer("head").Weights()[0].Clone()
	m.Fit(x, dl.FromInts(labels, 32), dl.Epochs(2), dl.Verbose(0))
	sameWeights(t, "frozen base", before, base.Weights())
	if !differentWeights([]*dl.Tensor{head}, m.GetLayer("head").Weights()[:1]) {
		t.Fatal("the head did not train")
	}
	// The whole model, loaded model nested inside, saves and loads.
	p2 := filepath.Join(t.TempDir(), "nested.godl")
	if err := m.Save(p2); err != nil {
		t.Fatal(err)
	}
	m2, err := dl.LoadModel(p2)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "nested round trip", m.Weights(), m2.Weights())
	for i, w := range m2.Weights() {
		if w.Trainable() != m.Weights()[i].Trainable() {
			t.Fatalf("weight %d: trainable %v after loading, %v saved", i, w.Trainable(), m.Weights()[i].Trainable())
		}
	}
	if got := m2.Layers()[0].Name(); got != base.Name() {
		t.Fatalf("nested model named %q, want %q", got, base.Name())
	}
}

func TestSaveModelErrors(t *testing.T) {
	m := dl.NewSequential(layers.Dense(3))
	m.Build([]int{-1, 2})
	if _, ok := m.Layers()[0].(dl.ConfigLayer); !ok {
		err := m.Save(filepath.Join(t.TempDir(), "m.godl"))
		if err == nil || !strings.Contains(err.Error(), "has no Config method") {
			t.Fatalf("layer without Config: %v", err)
		}
	}
	unbuilt := dl.NewSequential(newCfgDense(3, layers.Softmax, "u"))
	if err := unbuilt.SaveWeights(filepath.Join(t.TempDir(), "u.godl")); err == nil || !strings.Contains(err.Error(), "no weights") {
		t.Fatalf("unbuilt SaveWeights: %v", err)
	}
}

// TestSaveModelBuiltInLayers saves a trained CNN made of the built-in layers (with batch
// normalization's moving statistics, a frozen layer and an L2 penalty) and checks that the
// loaded model predicts the same, prints the same summary, and, without dropout (whose
// generator is per-layer state that is not saved), trains on identically.
func TestSaveModelBuiltInLayers(t *testing.T) {
	for _, dropout := range []bool{false, true} {
		dl.SetSeed(5)
		frozen := layers.Dense(12, layers.ReLU)
		m := dl.NewSequential(
			layers.Conv2D(4, 3, layers.Same, layers.ReLU, layers.InputShape(8, 8, 1), layers.KernelRegularizer(regularizers.L2(0.01))),
			layers.BatchNormalization(),
			layers.MaxPooling2D(2),
		)
		if dropout {
			m.Add(layers.Dropout(0.25))
		}
		m.Add(layers.Flatten())
		m.Add(frozen)
		m.Add(layers.Dense(3, layers.Softmax))
		frozen.SetTrainable(false)
		m.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
		x := dl.RandomUniform(0, 1, 24, 8, 8, 1)
		labels := make([]int, 24)
		for i := range labels {
			labels[i] = i % 3
		}
		y := dl.FromInts(labels, 24)
		m.Fit(x, y, dl.Epochs(2), dl.Verbose(0), dl.BatchSize(8))
		path := filepath.Join(t.TempDir(), "cnn.godl")
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		got, err := dl.LoadSequential(path)
		if err != nil {
			t.Fatal(err)
		}
		sameWeights(t, "weights", m.Weights(), got.Weights())
		if a, b := m.SummaryString(), got.SummaryString(); a != b {
			t.Fatalf("summary after loading:\n%s\nbefore:\n%s", b, a)
		}
		sameWeights(t, "predictions", []*dl.Tensor{m.Predict(x)}, []*dl.Tensor{got.Predict(x)})
		if got.GetLayer(frozen.Name()).(dl.TrainableLayer).Trainable() {
			t.Fatal("the frozen layer is trainable after loading")
		}
		if len(got.Losses()) != 1 {
			t.Fatalf("%d extra losses after loading, want the L2 penalty", len(got.Losses()))
		}
		if dropout {
			continue
		}
		dl.SetSeed(6)
		m.Fit(x, y, dl.Epochs(1), dl.Verbose(0), dl.BatchSize(8))
		dl.SetSeed(6)
		got.Fit(x, y, dl.Epochs(1), dl.Verbose(0), dl.BatchSize(8))
		sameWeights(t, "after one more epoch", m.Weights(), got.Weights())
	}
}

// plainOpt is an optimizer without saveable state.
type plainOpt struct{}

func (plainOpt) Name() string { return "plain" }
func (plainOpt) ApplyGradients(grads, vars []*dl.Tensor) {
	for i, v := range vars {
		if grads[i] != nil {
			v.CopyFrom(v.Sub(grads[i].MulScalar(0.1)))
		}
	}
}

func TestSaveLoadCompileSettingsErrors(t *testing.T) {
	dir := t.TempDir()
	m := toyModel()
	m.Compile(plainOpt{}, losses.SparseCategoricalCrossentropy)
	err := m.Save(filepath.Join(dir, "plain.godl"))
	if err == nil || !strings.Contains(err.Error(), "optimizer plain") || !strings.Contains(err.Error(), "StatefulOptimizer") {
		t.Fatalf("SaveModel with an optimizer without state: %v", err)
	}
	if err := m.SaveWeights(filepath.Join(dir, "plain-w.godl")); err != nil {
		t.Fatalf("SaveWeights needs no optimizer: %v", err)
	}

	// A metric made with its own name (ch4's top5_acc) is not registered by that name:
	// LoadModel says how to proceed, LoadModelUncompiled loads the rest.
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.SparseTopKCategoricalAccuracy(2, "top2_acc"))
	p := filepath.Join(dir, "top2.godl")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	_, err = dl.LoadModel(p)
	if err == nil || !strings.Contains(err.Error(), `metric "top2_acc" is not registered`) || !strings.Contains(err.Error(), p) {
		t.Fatalf("unregistered metric: %v", err)
	}
	u, err := dl.LoadModelUncompiled(p)
	if err != nil || u.Optimizer() != nil {
		t.Fatalf("LoadModelUncompiled: %v", err)
	}
	sameWeights(t, "uncompiled", m.Weights(), u.Weights())
	dl.RegisterMetric("top2_acc", metrics.SparseTopKCategoricalAccuracy(2, "top2_acc"))
	got, err := dl.LoadModel(p)
	if err != nil {
		t.Fatal(err)
	}
	if names := got.MetricsNames(); len(names) != 2 || names[1] != "top2_acc" {
		t.Fatalf("metrics after registering: %v", names)
	}
}

// FuzzLoadModel loads arbitrary bytes: every outcome must be a model or an error, never a
// panic. (Damage that keeps the checksum valid is not fuzzed: a config may then ask for a
// layer of any size, as a crafted Keras file can.)
func FuzzLoadModel(f *testing.F) {
	dir := f.TempDir()
	for i, m := range []dl.Network{toyModel(), branchy()} {
		p := filepath.Join(dir, fmt.Sprintf("seed%d.godl", i))
		if err := dl.SaveModel(m, p); err != nil {
			f.Fatal(err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:40])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.godl")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := dl.Maybe(func() { dl.LoadModel(p) }); err != nil {
			t.Fatalf("LoadModel panicked: %v", err)
		}
		if err := dl.Maybe(func() { toyModel().LoadWeights(p) }); err != nil {
			t.Fatalf("LoadWeights panicked: %v", err)
		}
	})
}

// TestLoadKeepsAutomaticNames: loading a model takes no automatic name, so the models and
// layers made afterwards are named as if the load had not happened.
func TestLoadKeepsAutomaticNames(t *testing.T) {
	dl.ClearSession()
	m := dl.NewSequential(layers.Dense(3, layers.InputShape(4)))
	path := filepath.Join(t.TempDir(), "m.godl")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := dl.LoadSequential(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name() != "sequential" || got.Layers()[0].Name() != "dense" {
		t.Fatalf("loaded %s with layer %s", got.Name(), got.Layers()[0].Name())
	}
	next := dl.NewSequential(layers.Dense(2))
	if next.Name() != "sequential_1" || next.Layers()[0].Name() != "dense_1" {
		t.Fatalf("the next model is %s with layer %s, want sequential_1 and dense_1", next.Name(), next.Layers()[0].Name())
	}
}
