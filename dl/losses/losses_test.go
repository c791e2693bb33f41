package losses_test

import (
	"math"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/losses"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestCrossentropies(t *testing.T) {
	p := dl.FromRows([][]float64{{0.7, 0.2, 0.1}, {0.25, 0.25, 0.5}})
	labels := dl.FromInts([]int{0, 2})
	oneHot := dl.FromRows([][]float64{{1, 0, 0}, {0, 0, 1}})
	want := -(math.Log(0.7) + math.Log(0.5)) / 2
	for _, tc := range []struct {
		desc     string
		loss     dl.Loss
		yTrue, y *dl.Tensor
	}{
		{"sparse", losses.SparseCategoricalCrossentropy, labels, p},
		{"one-hot", losses.CategoricalCrossentropy, oneHot, p},
		// Rows that do not sum to 1 are normalised first, as Keras does.
		{"one-hot unnormalised", losses.CategoricalCrossentropy, oneHot, p.MulScalar(3)},
		{"one-hot from logits", losses.CategoricalCrossentropyFromLogits, oneHot, p.Log().AddScalar(100)},
		{"sparse from logits", losses.SparseCategoricalCrossentropyFromLogits, labels, p.Log().AddScalar(-50)},
	} {
		if got := tc.loss.Compute(tc.yTrue, tc.y).Item(); !near(got, want, 1e-6) {
			t.Errorf("%s: loss %.7f, want %.7f", tc.desc, got, want)
		}
	}
}

// TestCrossentropyFromLogitsGradient checks d loss/d logits = (softmax(z) - y)/batch.
func TestCrossentropyFromLogitsGradient(t *testing.T) {
	z := dl.FromRows([][]float64{{1, 2, 0.5}, {-1, 0, 3}}).RequireGrad()
	y := dl.FromRows([][]float64{{0, 1, 0}, {1, 0, 0}})
	losses.CategoricalCrossentropyFromLogits.Compute(y, z).Backward()
	s := z.Detach().Softmax().Float64s()
	g := z.Grad().Float64s()
	for i, yi := range y.Float64s() {
		if want := (s[i] - yi) / 2; !near(g[i], want, 1e-6) {
			t.Errorf("grad[%d] = %.6f, want %.6f", i, g[i], want)
		}
	}
}

func TestMeanSquaredError(t *testing.T) {
	pred := dl.FromRows([][]float64{{1}, {2}, {4}})
	got := losses.Get("mse").Compute(dl.FromFloat64([]float64{0, 2, 1}, 3), pred).Item()
	if want := (1.0 + 0 + 9) / 3; !near(got, want, 1e-6) {
		t.Errorf("mse = %v, want %v", got, want)
	}
	if err := dl.Maybe(func() { losses.MSE.Compute(dl.Zeros(2), pred) }); err == nil || !strings.Contains(err.Error(), "one target per output") {
		t.Errorf("mse with 2 targets for 3 outputs: error %v", err)
	}
}

func TestCategoricalNeedsOneHot(t *testing.T) {
	err := dl.Maybe(func() { losses.CategoricalCrossentropy.Compute(dl.FromInts([]int{0, 1}), dl.Ones(2, 3)) })
	if err == nil || !strings.Contains(err.Error(), "integer labels need sparse_categorical_crossentropy") {
		t.Errorf("error = %v", err)
	}
}

func TestGet(t *testing.T) {
	for _, n := range []string{"sparse_categorical_crossentropy", "categorical_crossentropy", "mse", "mean_squared_error"} {
		if got := losses.Get(n).Name(); got != n && !(n == "mse" && got == "mean_squared_error") {
			t.Errorf("Get(%q).Name() = %q", n, got)
		}
	}
	if err := dl.Maybe(func() { losses.Get("hinge") }); err == nil || !strings.Contains(err.Error(), `unknown loss "hinge"; known: categorical_crossentropy`) {
		t.Errorf("Get(hinge): %v", err)
	}
}

// TestPerSampleLosses checks the functional losses: one value per sample, whose mean is the
// loss object's value, and whose gradient is that of their sum.
func TestPerSampleLosses(t *testing.T) {
	p := dl.FromRows([][]float64{{0.7, 0.2, 0.1}, {0.25, 0.25, 0.5}})
	labels := dl.FromInts([]int{0, 2})
	oneHot := dl.FromRows([][]float64{{1, 0, 0}, {0, 0, 1}})
	want := []float64{-math.Log(0.7), -math.Log(0.5)}
	for _, tc := range []struct {
		desc string
		of   func(y, p *dl.Tensor) *dl.Tensor
		loss dl.Loss
		y    *dl.Tensor
	}{
		{"sparse", losses.SparseCategoricalCrossentropyOf, losses.SparseCategoricalCrossentropy, labels},
		{"one-hot", losses.CategoricalCrossentropyOf, losses.CategoricalCrossentropy, oneHot},
	} {
		v := tc.of(tc.y, p)
		if !v.HasShape(2) {
			t.Fatalf("%s: shape %v, want [2]", tc.desc, v.Shape())
		}
		for i, g := range v.Float64s() {
			if !near(g, want[i], 1e-6) {
				t.Errorf("%s: sample %d loss %.7f, want %.7f", tc.desc, i, g, want[i])
			}
		}
		if m, l := v.Mean().Item(), tc.loss.Compute(tc.y, p).Item(); !near(m, l, 1e-7) {
			t.Errorf("%s: mean of per-sample %.7f, loss object %.7f", tc.desc, m, l)
		}
		if tc.desc != "sparse" {
			continue // the one-hot form normalises rows first
		}
		// d Σ_i -log p_i[label_i] / d p = -1/p at each label.
		pv := p.Clone().RequireGrad()
		grads := dl.Gradients(tc.of(tc.y, pv), []*dl.Tensor{pv})
		g := grads[0].Float64s()
		if !near(g[0], -1/0.7, 1e-5) || !near(g[5], -1/0.5, 1e-5) || g[1] != 0 {
			t.Errorf("%s: gradient %v, want -1/p at the labels", tc.desc, g)
		}
	}
	pred := dl.FromRows([][]float64{{1, 2}, {3, 5}, {0, 0}})
	y := dl.FromRows([][]float64{{1, 0}, {3, 3}, {1, 1}})
	got := losses.MeanSquaredErrorOf(y, pred).Float64s()
	if len(got) != 3 || got[0] != 2 || got[1] != 2 || got[2] != 1 {
		t.Errorf("MeanSquaredErrorOf = %v, want [2 2 1]", got)
	}
	if m := losses.MSE.Compute(y, pred).Item(); !near(m, 5.0/3, 1e-6) {
		t.Errorf("mse = %v, want 5/3", m)
	}
	if got := losses.MeanSquaredErrorOf(dl.FromFloat64([]float64{1, 2}, 2), dl.FromFloat64([]float64{3, 2}, 2)).Float64s(); got[0] != 4 || got[1] != 0 {
		t.Errorf("MeanSquaredErrorOf on vectors = %v, want [4 0]", got)
	}
}

func TestNamesAreTheRegistry(t *testing.T) {
	got := strings.Join(losses.Names(), ",")
	if got != strings.Join(dl.LossNames(), ",") || !strings.Contains(got, "categorical_crossentropy,mean_squared_error,mse,sparse_categorical_crossentropy") {
		t.Errorf("Names() = %s", got)
	}
}
