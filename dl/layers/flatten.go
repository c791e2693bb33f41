package layers

import (
	"godl.dev/godl/dl"
)

// FlattenLayer reshapes each sample into one axis, as keras.layers.Flatten: (batch, 28, 28)
// becomes (batch, 784). Make one with Flatten.
type FlattenLayer struct {
	base
	views reshapeViews
	shape [2]int // the output shape, scratch
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
	return l.views.forward(x, l.shape[:])
}

// Backward reshapes dy back to the input's shape.
func (l *FlattenLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	if !needDx {
		return nil
	}
	return l.views.backward(dy)
}

// reshapeViews holds the views of a Flatten or Reshape layer: the reshaped views of its
// last two inputs, with their input shapes, and the view of the output gradient reshaped
// back. A training step finds its input's view without allocating; Fit, when it converts
// batches ahead on another core, alternates between two batch buffers, hence two.
type reshapeViews struct {
	v    [2]*dl.Tensor
	in   [2][]int
	last int        // which of v the last forward pass returned
	dx   *dl.Tensor // view of the output gradient, re-pointed when it changes
}

// forward returns the view of x with the given shape.
func (c *reshapeViews) forward(x *dl.Tensor, shape []int) *dl.Tensor {
	for i, v := range c.v {
		if v != nil && v.HasShape(shape...) && x.HasShape(c.in[i]...) && sameData(v, x) {
			c.last = i
			return v
		}
	}
	c.v[1], c.in[1] = c.v[0], c.in[0]
	c.v[0], c.in[0] = x.Detach().Reshape(shape...), x.Shape()
	c.last = 0
	return c.v[0]
}

// inShape returns the shape of the last forward pass's input, or nil before the first.
func (c *reshapeViews) inShape() []int { return c.in[c.last] }

// backward returns dy reshaped to the last forward pass's input shape.
func (c *reshapeViews) backward(dy *dl.Tensor) *dl.Tensor {
	in := c.inShape()
	if c.dx == nil || !c.dx.HasShape(in...) || !sameData(c.dx, dy) {
		c.dx = dy.Detach().Reshape(in...)
	}
	return c.dx
}

// sameData reports whether a and b start at the same element of the same storage.
func sameData(a, b *dl.Tensor) bool {
	da, db := a.Data(), b.Data()
	if len(da) == 0 || len(db) == 0 {
		return len(da) == len(db)
	}
	return &da[0] == &db[0] && len(da) == len(db)
}
