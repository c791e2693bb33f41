package dl_test

import (
	"fmt"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)

// TestOptimizersThroughFit trains a small CNN with each optimizer, once with Sequential's
// fusions and once without, and requires the same weights: the fused SGD update must be
// taken only for plain SGD, and every optimizer must see every gradient.
func TestOptimizersThroughFit(t *testing.T) {
	dl.SetSeed(12)
	x := dl.RandomUniform(0, 1, 64, 6, 6, 1)
	labels := dl.Permutation(64)
	for i := range labels {
		labels[i] %= 4
	}
	y := dl.FromInts(labels)
	build := func(wrap bool, opt dl.Optimizer) *dl.Sequential {
		dl.SetSeed(11)
		m := dl.NewSequential()
		for _, l := range []dl.Layer{layers.Conv2D(3, 3, layers.Same, layers.ReLU), layers.MaxPooling2D(2),
			layers.Flatten(), layers.Dense(8, layers.ReLU), layers.Dense(4, layers.Softmax)} {
			if wrap {
				l = unfused{l, l.(dl.Kernel)}
			}
			m.Add(l)
		}
		m.Compile(opt, losses.SparseCategoricalCrossentropy, metrics.Accuracy)
		m.Build([]int{-1, 6, 6, 1})
		return m
	}
	for _, tc := range []struct {
		desc string
		opt  func() dl.Optimizer
	}{
		{"sgd", func() dl.Optimizer { return optimizers.SGD() }},
		{"momentum", func() dl.Optimizer { return optimizers.SGDMomentum(0.9, false) }},
		{"nesterov", func() dl.Optimizer { return optimizers.SGDMomentum(0.9, true) }},
		{"adam", func() dl.Optimizer { return optimizers.Adam() }},
		{"rmsprop", func() dl.Optimizer { return optimizers.RMSprop() }},
		{"adagrad", func() dl.Optimizer { return optimizers.Adagrad() }},
		{"adadelta", func() dl.Optimizer { return optimizers.Adadelta() }},
	} {
		fused, plain := build(false, tc.opt()), build(true, tc.opt())
		before := fused.Weights()[0].Clone()
		dl.SetSeed(13)
		fused.Fit(x, y, dl.Epochs(2), dl.Verbose(0))
		dl.SetSeed(13)
		plain.Fit(x, y, dl.Epochs(2), dl.Verbose(0))
		if closeTo(before.Float32s(), fused.Weights()[0].Float32s(), 0) {
			t.Errorf("%s: the first kernel did not change", tc.desc)
		}
		for i, w := range fused.Weights() {
			if !closeTo(w.Float32s(), plain.Weights()[i].Float32s(), 1e-4) {
				t.Errorf("%s: %s differs between the fused and the plain model", tc.desc, w.Name())
			}
		}
	}
}

func TestCompileNames(t *testing.T) {
	m := dl.NewSequential(layers.Dense(3, layers.Softmax, layers.InputShape(4)))
	m.CompileNames("adam", "sparse_categorical_crossentropy", "accuracy", "acc")
	if got := m.Optimizer().Name(); got != "Adam" {
		t.Errorf("optimizer %q, want Adam", got)
	}
	if got := m.Loss().Name(); got != "sparse_categorical_crossentropy" {
		t.Errorf("loss %q", got)
	}
	if got := strings.Join(m.MetricsNames(), " "); got != "loss accuracy acc" {
		t.Errorf("metrics names %q, want loss accuracy acc", got)
	}
	for _, bad := range [][2]string{{"adamw", "unknown optimizer \"adamw\"; known: adadelta, adagrad, adam, rmsprop, sgd"},
		{"sgd", "unknown loss \"hinge\""}} {
		err := dl.Maybe(func() { m.CompileNames(bad[0], "hinge") })
		if err == nil || !strings.Contains(err.Error(), bad[1]) {
			t.Errorf("CompileNames(%q, hinge) error = %v, want it to contain %q", bad[0], err, bad[1])
		}
	}
}

// TestDenseTargets trains with one-hot targets (categorical cross-entropy, named metrics)
// and with regression targets (mse).
func TestDenseTargets(t *testing.T) {
	dl.SetSeed(3)
	x := dl.RandomUniform(-1, 1, 256, 4)
	labels := make([]int, 256)
	oneHot := make([]float64, 256*2)
	reg := make([]float64, 256)
	for i, v := range x.Rows() {
		if v[0]+v[1] > 0 {
			labels[i] = 1
		}
		oneHot[i*2+labels[i]] = 1
		reg[i] = 2*v[0] - v[2]
	}
	m := dl.NewSequential(layers.Dense(2, layers.Softmax, layers.InputShape(4)))
	m.CompileNames("adam", "categorical_crossentropy", "accuracy")
	m.Optimizer().(dl.LearningRater).SetLearningRate(0.05)
	h := m.Fit(x, dl.FromFloat64(oneHot, 256, 2), dl.Epochs(10), dl.Verbose(0),
		dl.ValidationData(x, dl.FromFloat64(oneHot, 256, 2)))
	if h.Last("accuracy") < 0.9 || h.Last("val_accuracy") < 0.9 || h.Last("loss") >= h.Get("loss")[0] {
		t.Errorf("one-hot training: %v", h)
	}
	if got := m.Evaluate(x, dl.FromFloat64(oneHot, 256, 2), dl.Verbose(0)); len(got) != 2 || got[1] != h.Last("val_accuracy") {
		t.Errorf("Evaluate = %v, want [loss accuracy] with the last val_accuracy %v", got, h.Last("val_accuracy"))
	}
	hs := m.Fit(x, dl.FromFloat64(oneHot, 256, 2), dl.Verbose(0), dl.ValidationSplit(0.25))
	if v := hs.Get("val_accuracy"); len(v) != 1 || v[0] < 0.9 {
		t.Errorf("one-hot targets with a validation split: val_accuracy %v", v)
	}
	r := dl.NewSequential(layers.Dense(1, layers.InputShape(4)))
	r.Compile(optimizers.SGDWithRate(0.1), losses.MSE)
	hr := r.Fit(x, dl.FromFloat64(reg, 256), dl.Epochs(20), dl.Verbose(0))
	if hr.Last("loss") > 0.01 {
		t.Errorf("regression loss after 20 epochs %v, want < 0.01 (%v)", hr.Last("loss"), hr)
	}
	err := dl.Maybe(func() {
		s := dl.NewSequential(layers.Dense(2, layers.Softmax, layers.InputShape(4)))
		s.CompileNames("sgd", "sparse_categorical_crossentropy")
		s.Fit(x, dl.FromFloat64(oneHot, 256, 2), dl.Verbose(0))
	})
	if err == nil || !strings.Contains(err.Error(), "needs integer class labels") {
		t.Errorf("one-hot targets with the sparse loss: error %v", err)
	}
}

// model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
// metrics=['acc', 'sparse_top_k_categorical_accuracy']) in Keras.
func ExampleSequential_CompileNames() {
	m := dl.NewSequential(layers.Dense(10, layers.Softmax, layers.InputShape(4)))
	m.CompileNames("adam", "sparse_categorical_crossentropy", "acc", "sparse_top_k_categorical_accuracy")
	fmt.Println(m.Optimizer().Name(), m.Loss().Name())
	fmt.Println(m.MetricsNames())
	// Output:
	// Adam sparse_categorical_crossentropy
	// [loss acc sparse_top_k_categorical_accuracy]
}
