package dl_test

import (
	"path/filepath"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/applications"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)

// branchy returns a functional model with a residual branch (Add), a layer called twice
// (shared weights) and a nested Sequential, compiled with Adam.
func branchy() *dl.Model {
	in := dl.Input(6)
	h := dl.Apply(layers.Dense(8, layers.ReLU), in)
	shared := layers.Dense(8, layers.ReLU)
	a := dl.Apply(shared, h)
	b := dl.Apply(shared, a)
	sum := dl.Apply(layers.Add(), h, b)
	inner := dl.NewSequential(layers.Dense(8, layers.ReLU), layers.Dropout(0))
	z := dl.Apply(inner, sum)
	out := dl.Apply(layers.Dense(3, layers.Softmax), z)
	m := dl.NewModel([]*dl.Tensor{in}, []*dl.Tensor{out}, "branchy")
	m.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	return m
}

func TestSaveLoadFunctional(t *testing.T) {
	x, y := toyData(48)
	dl.SetSeed(21)
	straight := branchy()
	straight.Fit(x, y, dl.Epochs(3), dl.BatchSize(16), dl.Verbose(0), dl.Shuffle(false))

	dl.SetSeed(21)
	m := branchy()
	m.Fit(x, y, dl.Epochs(2), dl.BatchSize(16), dl.Verbose(0), dl.Shuffle(false))
	path := filepath.Join(t.TempDir(), "branchy.godl")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := dl.LoadFunctional(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name() != "branchy" || len(got.Layers()) != len(m.Layers()) {
		t.Fatalf("loaded %v, saved %v", got, m)
	}
	for i, l := range m.Layers() {
		if got.Layers()[i].Name() != l.Name() || got.Layers()[i].ClassName() != l.ClassName() {
			t.Fatalf("layer %d: loaded %s (%s), saved %s (%s)", i, got.Layers()[i].Name(), got.Layers()[i].ClassName(), l.Name(), l.ClassName())
		}
	}
	sameWeights(t, "weights", m.Weights(), got.Weights())
	sameWeights(t, "predictions", []*dl.Tensor{m.Predict(x)}, []*dl.Tensor{got.Predict(x)})
	if _, err := dl.LoadSequential(path); err == nil || !strings.Contains(err.Error(), "holds a Model model, not a Sequential") {
		t.Fatalf("LoadSequential of a functional model: %v", err)
	}
	got.Fit(x, y, dl.Epochs(3), dl.InitialEpoch(2), dl.BatchSize(16), dl.Verbose(0), dl.Shuffle(false))
	sameWeights(t, "resumed", straight.Weights(), got.Weights())

	// Weights only, into a model built in code.
	wpath := filepath.Join(t.TempDir(), "w.godl")
	if err := got.SaveWeights(wpath); err != nil {
		t.Fatal(err)
	}
	fresh := branchy()
	if err := fresh.LoadWeights(wpath); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "weights only", got.Weights(), fresh.Weights())
}

// TestGraftHeadOnLoadedBase loads a saved functional model, freezes it, and grafts a new
// head on its output (book ch4_nb4's feature extractor): training moves the head only.
func TestGraftHeadOnLoadedBase(t *testing.T) {
	dl.SetSeed(4)
	m := branchy()
	path := filepath.Join(t.TempDir(), "base.godl")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	base, err := dl.LoadFrozen(path)
	if err != nil {
		t.Fatal(err)
	}
	fb := base.(*dl.Model)
	head := layers.Dense(2, layers.Softmax, layers.Name("new_head"))
	g := dl.NewModel(fb.Inputs(), []*dl.Tensor{dl.Apply(head, fb.Output())})
	g.Compile(optimizers.SGDWithRate(0.1), losses.SparseCategoricalCrossentropy)
	x, _ := toyData(32)
	labels := make([]int, 32)
	for i := range labels {
		labels[i] = i % 2
	}
	before := dl.GetWeights(base)
	h0 := head.Kernel().Clone()
	g.Fit(x, dl.FromInts(labels, 32), dl.Epochs(2), dl.Verbose(0))
	sameWeights(t, "frozen base", before, base.Weights())
	if !differentWeights([]*dl.Tensor{h0}, []*dl.Tensor{head.Kernel()}) {
		t.Fatal("the head did not train")
	}
}

type twoDense struct {
	a, b dl.Layer
}

func (m *twoDense) Call(x *dl.Tensor, training bool) *dl.Tensor {
	return m.b.Call(m.a.Call(x, training), training)
}

func newTwoDense() *dl.Model {
	return dl.Subclass("TwoDense", &twoDense{a: layers.Dense(5, layers.ReLU), b: layers.Dense(3, layers.Softmax)})
}

// TestSaveSubclassed: a model written as code saves its weights only, and says so when
// asked to save whole.
func TestSaveSubclassed(t *testing.T) {
	m := newTwoDense()
	m.Build([]int{-1, 6})
	dir := t.TempDir()
	err := m.Save(filepath.Join(dir, "m.godl"))
	if err == nil || !strings.Contains(err.Error(), "subclassed model") || !strings.Contains(err.Error(), "SaveWeights") {
		t.Fatalf("SaveModel of a subclassed model: %v", err)
	}
	p := filepath.Join(dir, "w.godl")
	if err := m.SaveWeights(p); err != nil {
		t.Fatal(err)
	}
	other := newTwoDense()
	other.Build([]int{-1, 6})
	if err := other.LoadWeights(p); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "subclassed weights", m.Weights(), other.Weights())
	wide := dl.Subclass("TwoDense", &twoDense{a: layers.Dense(7, layers.ReLU), b: layers.Dense(3, layers.Softmax)})
	wide.Build([]int{-1, 6})
	err = wide.LoadWeights(p)
	if err == nil || !strings.Contains(err.Error(), "weight 0") || !strings.Contains(err.Error(), "(6, 5) in the file, (6, 7) in the model") {
		t.Fatalf("mismatch: %v", err)
	}
}

// TestSaveLoadSmallResNet round-trips a residual network of dl/applications (batch
// normalization, zero padding, projection shortcuts, Add): same summary, same weights.
func TestSaveLoadSmallResNet(t *testing.T) {
	dl.SetSeed(8)
	m := applications.ResNet18Book([]int{16, 16, 1}, 10, 8, true)
	p := filepath.Join(t.TempDir(), "resnet.godl")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	got, err := dl.LoadFunctional(p)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := m.SummaryString(), got.SummaryString(); a != b {
		t.Fatalf("summary after loading:\n%s\nbefore:\n%s", b, a)
	}
	sameWeights(t, "weights", m.Weights(), got.Weights())
	x := dl.RandomUniform(0, 1, 2, 16, 16, 1)
	sameWeights(t, "predictions", []*dl.Tensor{m.Predict(x)}, []*dl.Tensor{got.Predict(x)})
}
