package layers

import (
	"godl.dev/godl/dl"
)

// ReshapeLayer gives each sample a new shape holding the same number of values, as
// keras.layers.Reshape. Make one with Reshape.
type ReshapeLayer struct {
	base
	target []int

	views reshapeViews
	shape []int // the batch's output shape, scratch
}

var (
	_ dl.Layer  = (*ReshapeLayer)(nil)
	_ dl.Kernel = (*ReshapeLayer)(nil)
)

// Reshape returns a layer reshaping each sample to targetShape (without the batch axis), as
// keras.layers.Reshape(target_shape); one dimension may be -1 and is then inferred. Options:
// Name, InputShape.
func Reshape(targetShape []int, opts ...Option) *ReshapeLayer {
	l := &ReshapeLayer{base: newBase("Reshape", newConfig(opts)), target: append([]int(nil), targetShape...)}
	unknown := 0
	for _, d := range targetShape {
		if d == -1 {
			unknown++
		} else if d < 1 {
			unknown = 2
		}
	}
	if len(targetShape) == 0 || unknown > 1 {
		panic(&dl.Error{Op: "Reshape", Layer: l.name, Shapes: [][]int{targetShape}, Msg: "the target shape needs positive dimensions, at most one of them -1"})
	}
	return l
}

// ClassName returns "Reshape".
func (l *ReshapeLayer) ClassName() string { return "Reshape" }

// TargetShape returns the per-sample output shape as given (with any -1).
func (l *ReshapeLayer) TargetShape() []int { return append([]int(nil), l.target...) }

// Build checks that the input's per-sample size fits the target shape; the layer has no
// weights.
func (l *ReshapeLayer) Build(inputShape []int) { l.OutputShape(inputShape) }

// OutputShape returns (batch, target shape), with a -1 in the target resolved.
func (l *ReshapeLayer) OutputShape(inputShape []int) []int {
	n := 1
	for _, d := range inputShape[1:] {
		n *= d
	}
	known, unknown := 1, -1
	for i, d := range l.target {
		if d == -1 {
			unknown = i
		} else {
			known *= d
		}
	}
	out := append([]int{inputShape[0]}, l.target...)
	switch {
	case unknown >= 0 && n%known == 0:
		out[unknown+1] = n / known
	case unknown < 0 && n == known:
	default:
		shapeErr(l.name, "Reshape", [][]int{inputShape, l.target}, "cannot reshape samples of the first shape into the second")
	}
	return out
}

// Call returns a reshaped view of x (gradients flow through it).
func (l *ReshapeLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	var y *dl.Tensor
	dl.InLayer(l.name, func() { y = x.Reshape(l.OutputShape(x.Shape())...) })
	return y
}

// Forward returns a reshaped view of x (see dl.Kernel).
func (l *ReshapeLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	if in := l.views.inShape(); in == nil || !x.HasShape(in...) {
		l.shape = l.OutputShape(x.Shape())
	}
	return l.views.forward(x, l.shape)
}

// Backward reshapes dy back to the input's shape.
func (l *ReshapeLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	if !needDx {
		return nil
	}
	return l.views.backward(dy)
}
