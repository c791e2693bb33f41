package dl_test

import (
	"math"
	"testing"

	"godl.dev/godl/dl"
)

// gradCheck compares the gradients Backward computes for f at inputs with central finite
// differences of L = Σ f(inputs) ⊙ R, R a fixed random tensor (so that every output element
// gets its own weight). Inputs are float32; the tolerance allows for float32 rounding.
func gradCheck(t *testing.T, desc string, f func(in []*dl.Tensor) *dl.Tensor, inputs ...*dl.Tensor) {
	t.Helper()
	for _, x := range inputs {
		x.RequireGrad()
		x.ZeroGrad()
	}
	out := f(inputs)
	dl.SetSeed(99)
	r := dl.RandomUniform(-1, 1, out.Shape()...)
	loss := func() float64 {
		var s float64
		var y *dl.Tensor
		dl.NoGrad(func() { y = f(inputs) })
		yv, rv := y.Float64s(), r.Float64s()
		for i := range yv {
			s += yv[i] * rv[i]
		}
		return s
	}
	out.Mul(r).Sum().Backward()
	const eps = 1e-2
	for k, x := range inputs {
		g := x.Grad()
		if g == nil {
			t.Errorf("%s: input %d got no gradient", desc, k)
			continue
		}
		d := x.Data()
		gv := g.Float64s()
		for i := range d {
			old := d[i]
			d[i] = old + eps
			lp := loss()
			d[i] = old - eps
			lm := loss()
			d[i] = old
			num := (lp - lm) / (2 * eps)
			if diff := math.Abs(num - gv[i]); diff > 2e-2*math.Max(1, math.Abs(num)) {
				t.Errorf("%s: input %d element %d: backward %.5f, finite difference %.5f", desc, k, i, gv[i], num)
				return
			}
		}
	}
}

// away returns a random tensor whose elements are at least 0.1 away from 0 (kinks of relu
// and abs) and from each other within rows of pooling windows (ties of max).
func away(shape ...int) *dl.Tensor {
	x := dl.RandomUniform(-1, 1, shape...)
	d := x.Data()
	for i, v := range d {
		if math.Abs(float64(v)) < 0.1 {
			d[i] = v + 0.2*float32(math.Copysign(1, float64(v)))
		}
		d[i] += float32(i%7) * 1e-3 // break ties
	}
	return x
}

// distinct returns a tensor of distinct values at least 0.05 apart, in random order, so that
// the finite differences of max pooling never cross a tie.
func distinct(shape ...int) *dl.Tensor {
	x := dl.Zeros(shape...)
	d := x.Data()
	for i, p := range dl.Permutation(len(d)) {
		d[i] = 0.05*float32(p) - 1
	}
	return x
}

func positive(shape ...int) *dl.Tensor { return dl.RandomUniform(0.5, 2, shape...) }

func TestGradients(t *testing.T) {
	dl.SetSeed(1)
	tests := []struct {
		desc   string
		f      func(in []*dl.Tensor) *dl.Tensor
		inputs []*dl.Tensor
	}{
		{"Add same shape", func(in []*dl.Tensor) *dl.Tensor { return in[0].Add(in[1]) }, []*dl.Tensor{away(2, 3), away(2, 3)}},
		{"Add broadcast row", func(in []*dl.Tensor) *dl.Tensor { return in[0].Add(in[1]) }, []*dl.Tensor{away(4, 3), away(3)}},
		{"Add broadcast both", func(in []*dl.Tensor) *dl.Tensor { return in[0].Add(in[1]) }, []*dl.Tensor{away(4, 1), away(1, 3)}},
		{"Sub broadcast scalar", func(in []*dl.Tensor) *dl.Tensor { return in[0].Sub(in[1]) }, []*dl.Tensor{away(2, 3), away(1)}},
		{"Mul broadcast", func(in []*dl.Tensor) *dl.Tensor { return in[0].Mul(in[1]) }, []*dl.Tensor{away(2, 3, 2), away(3, 1)}},
		{"Div", func(in []*dl.Tensor) *dl.Tensor { return in[0].Div(in[1]) }, []*dl.Tensor{away(3, 2), positive(3, 2)}},
		{"Div broadcast", func(in []*dl.Tensor) *dl.Tensor { return in[0].Div(in[1]) }, []*dl.Tensor{away(3, 2), positive(2)}},
		{"AddScalar", func(in []*dl.Tensor) *dl.Tensor { return in[0].AddScalar(3) }, []*dl.Tensor{away(5)}},
		{"MulScalar", func(in []*dl.Tensor) *dl.Tensor { return in[0].MulScalar(-2) }, []*dl.Tensor{away(5)}},
		{"DivScalar", func(in []*dl.Tensor) *dl.Tensor { return in[0].DivScalar(4) }, []*dl.Tensor{away(5)}},
		{"PowScalar", func(in []*dl.Tensor) *dl.Tensor { return in[0].PowScalar(3) }, []*dl.Tensor{positive(5)}},
		{"Neg", func(in []*dl.Tensor) *dl.Tensor { return in[0].Neg() }, []*dl.Tensor{away(5)}},
		{"Square", func(in []*dl.Tensor) *dl.Tensor { return in[0].Square() }, []*dl.Tensor{away(5)}},
		{"Sqrt", func(in []*dl.Tensor) *dl.Tensor { return in[0].Sqrt() }, []*dl.Tensor{positive(5)}},
		{"Exp", func(in []*dl.Tensor) *dl.Tensor { return in[0].Exp() }, []*dl.Tensor{away(5)}},
		{"Log", func(in []*dl.Tensor) *dl.Tensor { return in[0].Log() }, []*dl.Tensor{positive(5)}},
		{"Abs", func(in []*dl.Tensor) *dl.Tensor { return in[0].Abs() }, []*dl.Tensor{away(6)}},
		{"Clip", func(in []*dl.Tensor) *dl.Tensor { return in[0].Clip(-0.5, 0.5) }, []*dl.Tensor{away(8)}},
		{"ReLU", func(in []*dl.Tensor) *dl.Tensor { return in[0].ReLU() }, []*dl.Tensor{away(3, 4)}},
		{"Sigmoid", func(in []*dl.Tensor) *dl.Tensor { return in[0].Sigmoid() }, []*dl.Tensor{away(3, 4)}},
		{"Tanh", func(in []*dl.Tensor) *dl.Tensor { return in[0].Tanh() }, []*dl.Tensor{away(3, 4)}},
		{"Softmax", func(in []*dl.Tensor) *dl.Tensor { return in[0].Softmax() }, []*dl.Tensor{away(3, 4)}},
		{"Sum", func(in []*dl.Tensor) *dl.Tensor { return in[0].Sum() }, []*dl.Tensor{away(3, 4)}},
		{"Mean", func(in []*dl.Tensor) *dl.Tensor { return in[0].Mean() }, []*dl.Tensor{away(3, 4)}},
		{"SumAxis 0", func(in []*dl.Tensor) *dl.Tensor { return in[0].SumAxis(0, false) }, []*dl.Tensor{away(3, 4, 2)}},
		{"SumAxis 1 keep", func(in []*dl.Tensor) *dl.Tensor { return in[0].SumAxis(1, true) }, []*dl.Tensor{away(3, 4, 2)}},
		{"MeanAxis -1", func(in []*dl.Tensor) *dl.Tensor { return in[0].MeanAxis(-1, false) }, []*dl.Tensor{away(3, 4)}},
		{"MatMul", func(in []*dl.Tensor) *dl.Tensor { return in[0].MatMul(in[1]) }, []*dl.Tensor{away(3, 5), away(5, 4)}},
		{"Transpose", func(in []*dl.Tensor) *dl.Tensor { return in[0].Transpose(2, 0, 1) }, []*dl.Tensor{away(2, 3, 4)}},
		{"Reshape", func(in []*dl.Tensor) *dl.Tensor { return in[0].Reshape(4, -1).Square() }, []*dl.Tensor{away(2, 3, 2)}},
		{"Slice", func(in []*dl.Tensor) *dl.Tensor { return in[0].Slice(1, 3).Square() }, []*dl.Tensor{away(4, 3)}},
		{"SliceAxis 1", func(in []*dl.Tensor) *dl.Tensor { return in[0].SliceAxis(1, 1, -1).Square() }, []*dl.Tensor{away(2, 4, 3)}},
		{"SliceAxis -1", func(in []*dl.Tensor) *dl.Tensor { return in[0].SliceAxis(-1, 0, 1).Square() }, []*dl.Tensor{away(2, 4, 3)}},
		{"Concat axis 1", func(in []*dl.Tensor) *dl.Tensor { return dl.Concat(1, in[0], in[1]).Square() }, []*dl.Tensor{away(2, 3, 2), away(2, 1, 2)}},
		{"Concat axis 0", func(in []*dl.Tensor) *dl.Tensor { return dl.Concat(0, in[0], in[1]) }, []*dl.Tensor{away(1, 3), away(2, 3)}},
		{"Stack axis -1", func(in []*dl.Tensor) *dl.Tensor { return dl.Stack(-1, in[0], in[1]).Square() }, []*dl.Tensor{away(2, 3), away(2, 3)}},
		{"Index", func(in []*dl.Tensor) *dl.Tensor { return in[0].Index(-1).Square() }, []*dl.Tensor{away(4, 3)}},
		{"reuse of one input", func(in []*dl.Tensor) *dl.Tensor { return in[0].Mul(in[0]).Add(in[0]) }, []*dl.Tensor{away(5)}},
		{"Conv2D same", func(in []*dl.Tensor) *dl.Tensor { return dl.Conv2D(in[0], in[1], 1, 1, dl.Same) },
			[]*dl.Tensor{away(2, 5, 6, 2), away(3, 3, 2, 3)}},
		{"Conv2D valid stride 2", func(in []*dl.Tensor) *dl.Tensor { return dl.Conv2D(in[0], in[1], 2, 2, dl.Valid) },
			[]*dl.Tensor{away(1, 7, 6, 2), away(3, 2, 2, 2)}},
		{"Conv2D same stride 2 even", func(in []*dl.Tensor) *dl.Tensor { return dl.Conv2D(in[0], in[1], 2, 1, "SAME") },
			[]*dl.Tensor{away(1, 6, 5, 1), away(4, 3, 1, 2)}},
		{"MaxPool2D valid", func(in []*dl.Tensor) *dl.Tensor { return dl.MaxPool2D(in[0], 2, 2, 2, 2, dl.Valid) },
			[]*dl.Tensor{distinct(2, 4, 5, 3)}},
		{"MaxPool2D same overlapping", func(in []*dl.Tensor) *dl.Tensor { return dl.MaxPool2D(in[0], 3, 3, 2, 2, dl.Same) },
			[]*dl.Tensor{distinct(1, 5, 5, 2)}},
		{"AvgPool2D same", func(in []*dl.Tensor) *dl.Tensor { return dl.AvgPool2D(in[0], 2, 2, 2, 2, dl.Same) },
			[]*dl.Tensor{away(1, 5, 3, 2)}},
		{"SparseCategoricalCrossentropy", func(in []*dl.Tensor) *dl.Tensor {
			return dl.SparseCategoricalCrossentropy(dl.FromInts([]int{2, 0, 1}), in[0], false)
		}, []*dl.Tensor{dl.RandomUniform(0.2, 0.9, 3, 4)}},
		{"SparseCategoricalCrossentropy from logits", func(in []*dl.Tensor) *dl.Tensor {
			return dl.SparseCategoricalCrossentropy(dl.FromInts([]int{2, 0, 3}), in[0], true)
		}, []*dl.Tensor{away(3, 4)}},
	}
	for _, tc := range tests {
		gradCheck(t, tc.desc, tc.f, tc.inputs...)
	}
}

func TestBackwardAccumulatesUntilZeroGrad(t *testing.T) {
	w := dl.Variable(dl.FromFloat32([]float32{1, 2, 3}), "w")
	for i := 0; i < 2; i++ {
		w.Mul(w).Sum().Backward() // d/dw Σw² = 2w
	}
	if got, want := w.Grad().Float32s(), []float32{4, 8, 12}; !equal(got, want) {
		t.Fatalf("accumulated grad = %v, want %v", got, want)
	}
	w.ZeroGrad()
	if w.Grad() != nil {
		t.Fatal("ZeroGrad left a gradient")
	}
}

func TestNoGradRecordsNothing(t *testing.T) {
	w := dl.Variable(dl.Ones(2), "w")
	var y *dl.Tensor
	dl.NoGrad(func() { y = w.MulScalar(2).Sum() })
	if y.RequiresGrad() {
		t.Fatal("an operation inside NoGrad recorded a gradient")
	}
	if err := dl.Maybe(func() { y.Backward() }); err == nil {
		t.Fatal("Backward of a constant did not fail")
	}
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGradientsLikeGradientTape(t *testing.T) {
	a := dl.Variable(dl.FromFloat32([]float32{1, 2}), "a")
	b := dl.Variable(dl.FromFloat32([]float32{3}), "b")
	unused := dl.Variable(dl.Ones(1), "unused")
	a.Sum().Backward()     // an earlier gradient that Gradients must leave alone
	loss := a.Mul(b).Sum() // ∂/∂a = b, ∂/∂b = Σa
	g := dl.Gradients(loss, []*dl.Tensor{a, b, unused})
	if !equal(g[0].Float32s(), []float32{3, 3}) || !equal(g[1].Float32s(), []float32{3}) || g[2] != nil {
		t.Fatalf("gradients %v %v %v", g[0], g[1], g[2])
	}
	if !equal(a.Grad().Float32s(), []float32{1, 1}) || b.Grad() != nil {
		t.Fatalf("Gradients changed the variables' Grad: %v %v", a.Grad(), b.Grad())
	}
	if got := dl.Stack(0, dl.Ones(2), dl.Zeros(2)).Shape(); !sameInts(got, []int{2, 2}) {
		t.Fatalf("Stack shape %v", got)
	}
}
