package layers

import (
	"godl.dev/godl/dl"
)

// FlattenLayer reshapes each sample into one axis, as keras.layers.Flatten: (batch, 28, 28)
// becomes (batch, 784). Make one with Flatten.
type FlattenLayer struct {
	base
	views inputViews // the flattened views of the last inputs
	dx    *dl.Tensor // view of the output gradient, re-pointed at each call
	in    []int      // the shape of the last input
	shape [2]int     // the output shape, scratch
}

var (
	_ dl.Layer  = (*FlattenLayer)(nil)
	_ dl.Kernel = (*FlattenLayer)(nil)
)

// Flatten returns a layer that flattens all axes but the batch axis. Options: Name,
// InputShape.
func Flatten(opts ...Option) *FlattenLayer {
	return &FlattenLayer{base: newBase("Flatten", newConfig(opts))}
}

// ClassName returns "Flatten".
func (l *FlattenLayer) ClassName() string { return "Flatten" }

// Build does nothing: the layer has no weights.
func (l *FlattenLayer) Build(inputShape []int) {}

// OutputShape returns (batch, product of the other axes).
func (l *FlattenLayer) OutputShape(inputShape []int) []int {
	n := 1
	for _, d := range inputShape[1:] {
		n *= d
	}
	return []int{inputShape[0], n}
}

// Call returns a flattened view of x.
func (l *FlattenLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	if x.Rank() < 1 {
		shapeErr(l.name, "Flatten", [][]int{x.Shape()}, "needs a batch axis")
	}
	return x.Reshape(x.Dim(0), -1)
}

// Forward returns a flattened view of x (see dl.Kernel).
func (l *FlattenLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	if x.Rank() < 1 {
		shapeErr(l.name, "Flatten", [][]int{x.Shape()}, "needs a batch axis")
	}
	b := x.Dim(0)
	n := 1
	if b > 0 {
		n = x.Size() / b
	} else {
		n = 0
	}
	l.shape = [2]int{b, n}
	y, in := l.views.get(x, l.shape[:])
	l.in = in
	return y
}

// Backward reshapes dy back to the input's shape.
func (l *FlattenLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	if !needDx {
		return nil
	}
	if l.dx == nil || !l.dx.HasShape(l.in...) || !sameData(l.dx, dy) {
		l.dx = dy.Detach().Reshape(l.in...)
	}
	return l.dx
}

// sameData reports whether a and b start at the same element of the same storage.
// inputViews keeps the reshaped views of the last two inputs of a Flatten or Reshape
// layer, with their input shapes. A training step finds its input's view without
// allocating; Fit, when it converts batches ahead on another core, alternates between two
// batch buffers, hence two.
type inputViews struct {
	v  [2]*dl.Tensor
	in [2][]int
}

// get returns the view of x with the given shape, and x's shape.
func (c *inputViews) get(x *dl.Tensor, shape []int) (*dl.Tensor, []int) {
	for i, v := range c.v {
		if v != nil && v.HasShape(shape...) && x.HasShape(c.in[i]...) && sameData(v, x) {
			return v, c.in[i]
		}
	}
	c.v[1], c.in[1] = c.v[0], c.in[0]
	c.v[0], c.in[0] = x.Detach().Reshape(shape...), x.Shape()
	return c.v[0], c.in[0]
}

func sameData(a, b *dl.Tensor) bool {
	da, db := a.Data(), b.Data()
	if len(da) == 0 || len(db) == 0 {
		return len(da) == len(db)
	}
	return &da[0] == &db[0] && len(da) == len(db)
}
