package dl_test

import (
	"math"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
)

// scale is a custom layer as a cell writes one: a per-channel scale with an L2 penalty.
type scale struct {
	dl.LayerBase
	w      *dl.Tensor
	builds int
}

func newScale() *scale {
	l := &scale{}
	l.Init(l, "Scale")
	return l
}

func (l *scale) Build(inputShape []int) {
	l.builds++
	l.w = l.AddWeight("w", []int{inputShape[len(inputShape)-1]}, dl.GetInitializer("ones"), true)
	l.AddWeight("count", []int{1}, dl.GetInitializer("zeros"), false)
	l.AddLoss(func() *dl.Tensor { return l.w.Square().Sum().MulScalar(0.5) })
}

func (l *scale) Call(x *dl.Tensor, training bool) *dl.Tensor {
	l.BuildOnce(x.Shape())
	return x.Mul(l.w)
}

func TestLayerBaseNamesWeightsLosses(t *testing.T) {
	dl.ClearSession()
	defer dl.ClearSession()
	a, b := newScale(), newScale()
	if a.Name() != "scale" || b.Name() != "scale_1" || a.ClassName() != "Scale" {
		t.Errorf("names %q %q class %q", a.Name(), b.Name(), a.ClassName())
	}
	if a.Built() || a.Weights() != nil || len(a.Losses()) != 0 {
		t.Errorf("unbuilt layer: built %v, %d weights, %d losses", a.Built(), len(a.Weights()), len(a.Losses()))
	}
	y := a.Call(dl.Ones(2, 3), false)
	a.Call(dl.Ones(2, 3), false)
	if a.builds != 1 || !a.Built() || !y.HasShape(2, 3) {
		t.Fatalf("after two calls: %d builds, built %v, output %v", a.builds, a.Built(), y.Shape())
	}
	ws := a.Weights()
	if len(ws) != 2 || ws[0].Name() != "scale/w" || ws[1].Name() != "scale/count" || !ws[0].Trainable() || ws[1].Trainable() {
		t.Errorf("weights %v", ws)
	}
	if got := a.Losses()[0].Item(); got != 1.5 {
		t.Errorf("loss = %v, want 0.5·Σ1² over 3 = 1.5", got)
	}
	if got := a.OutputShape([]int{-1, 3}); len(got) != 2 || got[0] != -1 || got[1] != 3 {
		t.Errorf("default OutputShape = %v", got)
	}
	a.SetTrainable(false)
	if a.Trainable() || len(a.TrainableWeights()) != 0 || len(a.NonTrainableWeights()) != 2 {
		t.Errorf("frozen: trainable %v, %d trainable weights", a.Trainable(), len(a.TrainableWeights()))
	}
	a.SetTrainable(true)
	if len(a.TrainableWeights()) != 1 || ws[1].Trainable() {
		t.Errorf("unfrozen: %d trainable weights; the non-trainable count became trainable: %v", len(a.TrainableWeights()), ws[1].Trainable())
	}
	cfg := a.Config()
	if cfg["name"] != "scale" || cfg["trainable"] != true {
		t.Errorf("config %v", cfg)
	}
	// Used inside a Sequential: built once by the model, its loss gradient reaches w.
	m := dl.NewSequential()
	m.Add(b)
	m.Build([]int{-1, 4})
	if b.builds != 1 || len(b.Weights()) != 2 {
		t.Errorf("in a model: %d builds, %d weights", b.builds, len(b.Weights()))
	}
	var _ dl.LossLayer = b
	var _ dl.TrainableLayer = b
	var _ dl.ConfigLayer = b
}

func TestLayerBaseNeedsInit(t *testing.T) {
	var l scale
	err := dl.Maybe(func() { l.Name() })
	if err == nil || !strings.Contains(err.Error(), `must call l.Init(l, "ClassName")`) {
		t.Errorf("uninitialized layer: %v", err)
	}
}

// TestInitializersMatchLayers checks that dl's named initializers draw what dl/layers' do
// for the same seed.
func TestInitializersMatchLayers(t *testing.T) {
	for _, tc := range []struct {
		name string
		ref  layers.Initializer
	}{
		{"glorot_uniform", layers.GlorotUniform},
		{"he_normal", layers.HeNormal},
		{"random_normal", layers.RandomNormal(0, 0.05)},
		{"zeros", layers.Zeros},
		{"ones", layers.Ones},
	} {
		a, b := dl.Zeros(3, 3, 2, 4), dl.Zeros(3, 3, 2, 4)
		dl.SetSeed(7)
		dl.GetInitializer(tc.name).Initialize(a)
		dl.SetSeed(7)
		tc.ref.Initialize(b)
		for i, v := range a.Data() {
			if v != b.Data()[i] {
				t.Errorf("%s differs from dl/layers' at %d: %v vs %v", tc.name, i, v, b.Data()[i])
				break
			}
		}
	}
	w := dl.Zeros(100, 100)
	dl.GetInitializer("GLOROT_UNIFORM").Initialize(w)
	if lim := math.Sqrt(6.0 / 200); w.Max() > lim || w.Min() < -lim || w.Max() < 0.9*lim {
		t.Errorf("glorot_uniform range [%v, %v], limit %v", w.Min(), w.Max(), lim)
	}
	if err := dl.Maybe(func() { dl.GetInitializer("orthogonal") }); err == nil || !strings.Contains(err.Error(), `unknown initializer "orthogonal"; known: glorot_uniform, he_normal`) {
		t.Errorf("unknown initializer: %v", err)
	}
}

// TestGradientTapeOfVector checks that the gradient of a non-scalar target is the gradient
// of its sum, and that a source the target does not depend on gets nil.
func TestGradientTapeOfVector(t *testing.T) {
	w := dl.Variable(dl.FromFloat64([]float64{1, 2, 3}, 3), "w")
	unused := dl.Variable(dl.Ones(2), "unused")
	x := dl.FromFloat64([]float64{4, 5, 6}, 3)
	tape := dl.NewGradientTape()
	tape.Watch(x)
	y := w.Mul(x).Square() // y_i = (w_i x_i)², dy_i/dw_i = 2 w_i x_i², dy_i/dx_i = 2 w_i² x_i
	g := tape.Gradient(y, []*dl.Tensor{w, x, unused})
	wantW := []float64{2 * 1 * 16, 2 * 2 * 25, 2 * 3 * 36}
	wantX := []float64{2 * 1 * 4, 2 * 4 * 5, 2 * 9 * 6}
	for i := range wantW {
		if g[0].Float64s()[i] != wantW[i] || g[1].Float64s()[i] != wantX[i] {
			t.Fatalf("gradients %v %v, want %v %v", g[0], g[1], wantW, wantX)
		}
	}
	if g[2] != nil {
		t.Errorf("gradient for an unused source = %v, want nil", g[2])
	}
	// Same as the scalar sum, and the sources' Grad is left alone.
	s := tape.Gradient(w.Mul(x).Square().Sum(), []*dl.Tensor{w})
	if s[0].Float64s()[2] != wantW[2] || w.Grad() != nil {
		t.Errorf("sum's gradient %v; w.Grad %v", s[0], w.Grad())
	}
	if len(tape.Watched()) != 1 {
		t.Errorf("watched %d tensors", len(tape.Watched()))
	}
}

func TestAddN(t *testing.T) {
	a := dl.Variable(dl.Scalar(2), "a")
	b := dl.Variable(dl.Scalar(3), "b")
	sum := dl.AddN([]*dl.Tensor{a, b, a.Mul(b)})
	if sum.Item() != 11 {
		t.Errorf("2 + 3 + 6 = %v", sum.Item())
	}
	g := dl.Gradients(sum, []*dl.Tensor{a, b})
	if g[0].Item() != 4 || g[1].Item() != 3 {
		t.Errorf("gradients %v %v, want 4 3", g[0].Item(), g[1].Item())
	}
	if dl.AddN(nil).Item() != 0 {
		t.Errorf("AddN of nothing is not 0")
	}
	if err := dl.Maybe(func() { dl.AddN([]*dl.Tensor{dl.Ones(2), dl.Ones(3)}) }); err == nil {
		t.Errorf("AddN of shapes 2 and 3 did not panic")
	}
}

func TestRegistryLookups(t *testing.T) {
	if err := dl.Maybe(func() { dl.GetLoss("hinge") }); err == nil || !strings.Contains(err.Error(), `GetLoss: unknown loss "hinge"`) {
		t.Errorf("GetLoss(hinge): %v", err)
	}
	if dl.GetLoss("MSE").Name() != "mean_squared_error" || dl.GetMetric("acc").Name() != "acc" {
		t.Errorf("lookups by name failed")
	}
	if a, b := dl.GetOptimizer("sgd"), dl.GetOptimizer("sgd"); a == b {
		t.Errorf("GetOptimizer returned one optimizer twice")
	}
	if n := dl.OptimizerNames(); len(n) == 0 || len(dl.MetricNames()) == 0 {
		t.Errorf("names %v", n)
	}
}
