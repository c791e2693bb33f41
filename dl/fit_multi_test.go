package dl_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)

// twoInTwoOut is a model of two inputs (Dense branches, concatenated) and two Dense heads,
// and its layers, so that tests can compute it by hand with autodiff.
type twoInTwoOut struct {
	m              *dl.Model
	a, b, h1, h2   *layers.DenseLayer
	cat            dl.MergeLayer
	in1, in2       *dl.Tensor
	out1, out2     *dl.Tensor
	units1, units2 int
}

func newTwoInTwoOut(act1, act2 layers.Option, units1, units2 int) *twoInTwoOut {
	n := &twoInTwoOut{units1: units1, units2: units2}
	n.in1, n.in2 = dl.InputNamed("left", 4), dl.InputNamed("right", 3)
	n.a, n.b = layers.Dense(5, layers.Tanh), layers.Dense(5, layers.ReLU)
	n.cat = layers.Concatenate(-1)
	c := dl.Apply(n.cat, dl.Apply(n.a, n.in1), dl.Apply(n.b, n.in2))
	n.h1 = layers.Dense(units1, act1, layers.Name("first"))
	n.h2 = layers.Dense(units2, act2, layers.Name("second"))
	n.out1, n.out2 = dl.Apply(n.h1, c), dl.Apply(n.h2, c)
	n.m = dl.NewModel(ts(n.in1, n.in2), ts(n.out1, n.out2))
	return n
}

// call computes both outputs with the layers' Call (autodiff).
func (n *twoInTwoOut) call(x1, x2 *dl.Tensor) (*dl.Tensor, *dl.Tensor) {
	c := n.cat.CallMany(ts(n.a.Call(x1, true), n.b.Call(x2, true)), true)
	return n.h1.Call(c, true), n.h2.Call(c, true)
}

// TestFitManyStepMatchesAutodiff checks one FitMany step of SGD with rate 1 on a model of
// two inputs and two outputs against autodiff of the weighted sum of the output losses:
// the logged losses and each weight's update.
func TestFitManyStepMatchesAutodiff(t *testing.T) {
	dl.SetSeed(5)
	n := newTwoInTwoOut(layers.Linear, layers.Sigmoid, 2, 1)
	x1, x2 := dl.RandomUniform(-1, 1, 8, 4), dl.RandomUniform(-1, 1, 8, 3)
	y1, y2 := dl.RandomUniform(-1, 1, 8, 2), dl.RandomUniform(0, 1, 8, 1)
	ws := n.m.Weights()
	before := make([]*dl.Tensor, len(ws))
	for i, w := range ws {
		before[i] = w.Detach().Clone()
	}
	o1, o2 := n.call(x1, x2)
	l1, l2 := losses.MSE.Compute(y1, o1), losses.MSE.Compute(y2, o2)
	total := l1.Add(l2.MulScalar(0.5))
	ref := dl.Gradients(total, ws)

	n.m.Compile(optimizers.SGDWithRate(1), losses.MSE)
	n.m.SetLossWeights(1, 0.5)
	h := n.m.FitMany(ts(x1, x2), ts(y1, y2), dl.BatchSize(8), dl.Verbose(0), dl.Shuffle(false))
	for key, want := range map[string]float64{"loss": total.Item(), "first_loss": l1.Item(), "second_loss": l2.Item()} {
		if got := h.Get(key); len(got) != 1 || math.Abs(got[0]-want) > 1e-5 {
			t.Errorf("History[%q] = %v, autodiff %v", key, got, want)
		}
	}
	for i, w := range ws {
		got, b, r := w.Data(), before[i].Data(), ref[i].Data()
		for j := range got {
			if g := b[j] - got[j]; math.Abs(float64(g-r[j])) > 1e-5 {
				t.Fatalf("weight %s[%d]: FitMany's gradient %v, autodiff %v", w.Name(), j, g, r[j])
			}
		}
	}
}

// TestFitManyTwoOutputs trains a two-input, two-output classifier: the loss falls, History
// has Keras 2.0's keys, EvaluateMany agrees with MetricsNames and PredictMany returns one
// tensor per output, as the model computes them.
func TestFitManyTwoOutputs(t *testing.T) {
	dl.SetSeed(2)
	n := newTwoInTwoOut(layers.Softmax, layers.Softmax, 3, 2)
	const N = 96
	x1, x2 := dl.RandomUniform(-1, 1, N, 4), dl.RandomUniform(-1, 1, N, 3)
	lab1, lab2 := make([]int, N), make([]int, N)
	for i := range N { // learnable labels: signs of the inputs
		if x1.Data()[i*4] > 0 {
			lab1[i] = 1
		}
		if x2.Data()[i*3+1] > 0 {
			lab1[i] += 1
			lab2[i] = 1
		}
	}
	y1, y2 := dl.FromInts(lab1), dl.FromInts(lab2)
	opt := optimizers.Adam()
	opt.LearningRate = 0.02
	n.m.Compile(opt, losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	vx1, vx2, vy1, vy2 := x1.Slice(0, 16), x2.Slice(0, 16), y1.Slice(0, 16), y2.Slice(0, 16)
	var log strings.Builder
	h := n.m.FitMany(ts(x1, x2), ts(y1, y2), dl.Epochs(25), dl.BatchSize(16), dl.Verbose(2), dl.LogTo(&log),
		dl.ValidationDataMany(ts(vx1, vx2), ts(vy1, vy2)))
	want := []string{"loss", "first_loss", "second_loss", "first_accuracy", "second_accuracy",
		"val_loss", "val_first_loss", "val_second_loss", "val_first_accuracy", "val_second_accuracy"}
	if !slices.Equal(h.Keys(), want) {
		t.Errorf("History keys %v, want %v", h.Keys(), want)
	}
	if !strings.Contains(log.String(), "first_accuracy: ") || !strings.Contains(log.String(), "validate on 16 samples") {
		t.Errorf("log lacks the per-output values:\n%s", log.String())
	}
	loss := h.Get("loss")
	if loss[len(loss)-1] > 0.6*loss[0] {
		t.Errorf("loss fell only from %v to %v", loss[0], loss[len(loss)-1])
	}
	if l, f, s := h.Last("loss"), h.Last("first_loss"), h.Last("second_loss"); math.Abs(l-f-s) > 1e-4 {
		t.Errorf("loss %v is not first_loss %v + second_loss %v", l, f, s)
	}
	if !slices.Equal(n.m.MetricsNames(), want[:5]) {
		t.Errorf("MetricsNames %v", n.m.MetricsNames())
	}
	ev := n.m.EvaluateMany(ts(vx1, vx2), ts(vy1, vy2), dl.Verbose(0))
	for i, k := range want[5:] {
		if math.Abs(ev[i]-h.Last(k)) > 1e-5 {
			t.Errorf("EvaluateMany %s = %v, History's last %s %v", want[i], ev[i], k, h.Last(k))
		}
	}
	ps := n.m.PredictMany(ts(vx1, vx2), dl.BatchSize(5))
	if len(ps) != 2 || !slices.Equal(ps[0].Shape(), []int{16, 3}) || !slices.Equal(ps[1].Shape(), []int{16, 2}) {
		t.Fatalf("PredictMany returned %d tensors, shapes %v", len(ps), shapesOf(ps))
	}
	var r1, r2 *dl.Tensor
	dl.NoGrad(func() { r1, r2 = n.call(vx1, vx2) })
	if d := max(maxDiff(ps[0], r1), maxDiff(ps[1], r2)); d > 1e-5 {
		t.Errorf("PredictMany differs from the layers' Call by %v", d)
	}
}

func shapesOf(ts []*dl.Tensor) [][]int {
	var s [][]int
	for _, t := range ts {
		s = append(s, t.Shape())
	}
	return s
}

// TestFitManyTwoInputsOneOutput trains a model of two inputs and one output (a regression
// of a function of both): the loss falls, the keys are those of one output, and
// EvaluateMany agrees with PredictMany.
func TestFitManyTwoInputsOneOutput(t *testing.T) {
	dl.SetSeed(4)
	in1, in2 := dl.Input(2), dl.Input(2)
	c := dl.Apply(layers.Concatenate(-1), dl.Apply(layers.Dense(8, layers.Tanh), in1), dl.Apply(layers.Dense(8, layers.Tanh), in2))
	m := dl.NewModel(ts(in1, in2), ts(dl.Apply(layers.Dense(1), c)))
	const N = 64
	x1, x2 := dl.RandomUniform(-1, 1, N, 2), dl.RandomUniform(-1, 1, N, 2)
	y := make([]float32, N)
	for i := range y {
		y[i] = x1.Data()[2*i]*x2.Data()[2*i+1] + x2.Data()[2*i]
	}
	yt := dl.FromFloat32(y, N, 1)
	opt := optimizers.Adam()
	opt.LearningRate = 0.02
	m.Compile(opt, losses.MSE)
	h := m.FitMany(ts(x1, x2), ts(yt), dl.Epochs(30), dl.BatchSize(16), dl.Verbose(0))
	if !slices.Equal(h.Keys(), []string{"loss"}) {
		t.Errorf("History keys %v", h.Keys())
	}
	loss := h.Get("loss")
	if loss[len(loss)-1] > 0.5*loss[0] {
		t.Errorf("loss fell only from %v to %v", loss[0], loss[len(loss)-1])
	}
	ev := m.EvaluateMany(ts(x1, x2), ts(yt), dl.Verbose(0))
	ps := m.PredictMany(ts(x1, x2))
	var mse float64
	for i, p := range ps[0].Data() {
		d := float64(p - y[i])
		mse += d * d / N
	}
	if len(ev) != 1 || math.Abs(ev[0]-mse) > 1e-5 {
		t.Errorf("EvaluateMany %v, mean squared error of PredictMany %v", ev, mse)
	}
}

// TestFitManyErrors checks that mismatched counts and lengths are reported with the names
// of the inputs and outputs, and that Fit points to FitMany.
func TestFitManyErrors(t *testing.T) {
	n := newTwoInTwoOut(layers.Linear, layers.Linear, 2, 1)
	n.m.Compile(optimizers.SGD(), losses.MSE)
	x1, x2 := dl.Zeros(8, 4), dl.Zeros(8, 3)
	y1, y2 := dl.Zeros(8, 2), dl.Zeros(8, 1)
	for _, c := range []struct {
		name string
		f    func()
		want []string
	}{
		{"one input", func() { n.m.FitMany(ts(x1), ts(y1, y2), dl.Verbose(0)) }, []string{"2 inputs (left, right)", "got 1"}},
		{"one target", func() { n.m.FitMany(ts(x1, x2), ts(y1), dl.Verbose(0)) }, []string{"2 outputs (first, second)", "got 1"}},
		{"lengths", func() { n.m.FitMany(ts(x1, dl.Zeros(7, 3)), ts(y1, y2), dl.Verbose(0)) }, []string{"input 1 (right) has 7 samples", "input 0 (left) has 8"}},
		{"target length", func() { n.m.EvaluateMany(ts(x1, x2), ts(y1, dl.Zeros(9, 1)), dl.Verbose(0)) }, []string{"output 1 (second) has 9 samples"}},
		{"shape", func() { n.m.PredictMany(ts(x1, dl.Zeros(8, 4))) }, []string{"input 1 (right)"}},
		{"validation", func() {
			n.m.FitMany(ts(x1, x2), ts(y1, y2), dl.Verbose(0), dl.ValidationDataMany(ts(x1, x2), ts(y1)))
		}, []string{"validation data", "2 outputs"}},
		{"Fit", func() { n.m.Fit(x1, y1, dl.Verbose(0)) }, []string{"FitMany"}},
		{"weights", func() { n.m.SetLossWeights(1) }, []string{"2 outputs", "1 loss weights"}},
	} {
		err := dl.Maybe(c.f)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

// TestFitManyOneInputMatchesFit trains two copies of a one-input, one-output softmax
// classifier (the fused softmax and cross-entropy path) with Fit and with FitMany: the
// losses, metrics and weights agree.
func TestFitManyOneInputMatchesFit(t *testing.T) {
	x, y := smallData(48, 6, 3)
	mk := func() *dl.Model {
		in := dl.Input(6)
		return dl.NewModel(ts(in), ts(dl.Apply(layers.Dense(3, layers.Softmax), dl.Apply(layers.Dense(8, layers.ReLU), in))))
	}
	a, b := mk(), mk()
	for i, w := range b.Weights() {
		w.CopyFrom(a.Weights()[i])
	}
	a.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	b.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	dl.SetSeed(9)
	ha := a.Fit(x, y, dl.Epochs(2), dl.BatchSize(16), dl.Verbose(0))
	dl.SetSeed(9)
	hb := b.FitMany(ts(x), ts(y), dl.Epochs(2), dl.BatchSize(16), dl.Verbose(0))
	for _, k := range []string{"loss", "accuracy"} {
		for e := range 2 {
			if d := math.Abs(ha.Get(k)[e] - hb.Get(k)[e]); d > 1e-6 {
				t.Errorf("%s epoch %d: Fit %v, FitMany %v", k, e, ha.Get(k)[e], hb.Get(k)[e])
			}
		}
	}
	for i, w := range b.Weights() {
		if d := maxDiff(a.Weights()[i], w); d > 1e-6 {
			t.Errorf("weight %d differs by %v", i, d)
		}
	}
	if d := maxDiff(a.Predict(x), b.PredictMany(ts(x))[0]); d > 1e-6 {
		t.Errorf("Predict and PredictMany differ by %v", d)
	}
}
