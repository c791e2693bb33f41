package dl_test

import (
	"fmt"

	"godl.dev/godl/dl"
)

// Affine is a custom layer as a notebook cell writes one: y = x·w + b, with an L2 penalty
// on w added as a layer loss.
type Affine struct {
	dl.LayerBase
	units int
	w, b  *dl.Tensor
}

func NewAffine(units int) *Affine {
	l := &Affine{units: units}
	l.Init(l, "Affine")
	return l
}

func (l *Affine) Build(inputShape []int) {
	l.w = l.AddWeight("w", []int{inputShape[len(inputShape)-1], l.units}, dl.GetInitializer("ones"), true)
	l.b = l.AddWeight("b", []int{l.units}, dl.GetInitializer("zeros"), true)
	l.AddLoss(func() *dl.Tensor { return l.w.Square().Sum().MulScalar(0.01) })
}

func (l *Affine) Call(x *dl.Tensor, training bool) *dl.Tensor {
	l.BuildOnce(x.Shape())
	return x.MatMul(l.w).Add(l.b)
}

func ExampleLayerBase() {
	dl.ClearSession()
	l := NewAffine(2)
	y := l.Call(dl.Ones(3, 4), false) // builds the layer for inputs of 4 features
	fmt.Println(l.Name(), l.ClassName(), y.Shape(), l.OutputShape([]int{-1, 4}))
	for _, w := range l.Weights() {
		fmt.Println(w.Name(), w.Shape())
	}
	fmt.Printf("L2 penalty %.2f\n", l.Losses()[0].Item())
	// Output:
	// affine Affine [3 2] [-1 2]
	// affine/w [4 2]
	// affine/b [2]
	// L2 penalty 0.08
}

func ExampleGradientTape() {
	w := dl.Variable(dl.FromFloat64([]float64{1, 2}, 2), "w")
	x := dl.FromFloat64([]float64{3, 4}, 2)
	tape := dl.NewGradientTape()
	perSample := w.Mul(x).Square() // a vector: its gradient is that of its sum, 2·w·x²
	grads := tape.Gradient(perSample, []*dl.Tensor{w})
	fmt.Println(grads[0].Float64s())
	// Output: [18 64]
}
