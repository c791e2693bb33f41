package layers

import (
	"godl.dev/godl/dl"
)

// Merge layers: several inputs, one output. Functional models call their Many methods
// (dl.MergeLayer); the one-input Layer methods panic, since a merge needs its inputs
// together.

// mergeBase is what Add and Concatenate share.
type mergeBase struct {
	base
	class string
	dx    []outBuf // one gradient buffer per input
	out   []*dl.Tensor
}

func (m *mergeBase) single(op string) {
	panic(&dl.Error{Op: m.class + "." + op, Layer: m.name,
		Msg: m.class + " merges several inputs: call it on all of them at once (in a functional model), not on one"})
}

// Build panics: see BuildMany.
func (m *mergeBase) Build(inputShape []int) { m.single("Build") }

// Call panics: see CallMany.
func (m *mergeBase) Call(x *dl.Tensor, training bool) *dl.Tensor { m.single("Call"); return nil }

// OutputShape panics: see OutputShapeMany.
func (m *mergeBase) OutputShape(inputShape []int) []int { m.single("OutputShape"); return nil }

// grads returns the per-input gradient slice, sized for n inputs.
func (m *mergeBase) grads(n int) []*dl.Tensor {
	if len(m.dx) < n {
		m.dx = make([]outBuf, n)
	}
	if cap(m.out) < n {
		m.out = make([]*dl.Tensor, n)
	}
	m.out = m.out[:n]
	clear(m.out)
	return m.out
}

func (m *mergeBase) shapes(xs []*dl.Tensor) [][]int {
	s := make([][]int, len(xs))
	for i, x := range xs {
		s[i] = x.Shape()
	}
	return s
}

// AddLayer sums its inputs element-wise, as keras.layers.Add (layers.add([a, b]) in a
// functional model). Make one with Add.
type AddLayer struct {
	mergeBase
	y outBuf
}

var (
	_ dl.MergeLayer  = (*AddLayer)(nil)
	_ dl.MergeKernel = (*AddLayer)(nil)
)

// Add returns a layer summing two or more inputs of the same shape. Options: Name.
func Add(opts ...Option) *AddLayer {
	return &AddLayer{mergeBase: mergeBase{base: newBase("Add", newConfig(opts)), class: "Add"}}
}

// ClassName returns "Add".
func (l *AddLayer) ClassName() string { return "Add" }

// BuildMany checks that there are at least two inputs of one shape; the layer has no
// weights.
func (l *AddLayer) BuildMany(inputShapes [][]int) { l.OutputShapeMany(inputShapes) }

// OutputShapeMany returns the inputs' common shape (an unknown batch axis, -1, matches any).
func (l *AddLayer) OutputShapeMany(inputShapes [][]int) []int {
	if len(inputShapes) < 2 {
		shapeErr(l.name, "Add", inputShapes, "needs at least two inputs")
	}
	out := append([]int(nil), inputShapes[0]...)
	for _, s := range inputShapes[1:] {
		ok := len(s) == len(out) && len(s) > 0
		for d := 1; ok && d < len(s); d++ {
			ok = s[d] == out[d]
		}
		if ok && out[0] != s[0] && out[0] >= 0 && s[0] >= 0 {
			ok = false
		}
		if !ok {
			shapeErr(l.name, "Add", inputShapes, "inputs must have the same shape")
		}
		if out[0] < 0 {
			out[0] = s[0]
		}
	}
	return out
}

// CallMany sums xs with tensor operations.
func (l *AddLayer) CallMany(xs []*dl.Tensor, training bool) *dl.Tensor {
	l.OutputShapeMany(l.shapes(xs))
	y := xs[0]
	for _, x := range xs[1:] {
		y = y.Add(x)
	}
	return y
}

// ForwardMany is the compiled forward pass (see dl.MergeKernel).
func (l *AddLayer) ForwardMany(xs []*dl.Tensor, training bool) *dl.Tensor {
	if len(xs) < 2 {
		shapeErr(l.name, "Add", l.shapes(xs), "needs at least two inputs")
	}
	for _, x := range xs[1:] {
		if !sameShapeAs(x, xs[0]) {
			shapeErr(l.name, "Add", l.shapes(xs), "inputs must have the same shape")
		}
	}
	y := l.y.like(xs[0])
	yv := y.Data()
	a, b := xs[0].Data(), xs[1].Data()
	for i := range yv {
		yv[i] = a[i] + b[i]
	}
	for _, x := range xs[2:] {
		for i, v := range x.Data() {
			yv[i] += v
		}
	}
	return y
}

// BackwardMany passes dy to every input (as a copy each, owned by the layer).
func (l *AddLayer) BackwardMany(dy *dl.Tensor, needDx []bool) []*dl.Tensor {
	out := l.grads(len(needDx))
	for i, need := range needDx {
		if need {
			out[i] = l.dx[i].like(dy)
			copy(out[i].Data(), dy.Data())
		}
	}
	return out
}

// ConcatenateLayer joins its inputs along one axis, as keras.layers.Concatenate. Make one
// with Concatenate.
type ConcatenateLayer struct {
	mergeBase
	axis int // as given: negative counts from the end

	in    [][]int // input shapes of the last ForwardMany
	y     outBuf
	outer int
}

var (
	_ dl.MergeLayer  = (*ConcatenateLayer)(nil)
	_ dl.MergeKernel = (*ConcatenateLayer)(nil)
)

// Concatenate returns a layer joining its inputs along axis (counted with the batch axis as
// 0; -1, Keras's default, is the last), as keras.layers.Concatenate(axis). All other
// dimensions must agree. Options: Name.
func Concatenate(axis int, opts ...Option) *ConcatenateLayer {
	l := &ConcatenateLayer{mergeBase: mergeBase{base: newBase("Concatenate", newConfig(opts)), class: "Concatenate"}, axis: axis}
	if axis == 0 {
		panic(&dl.Error{Op: "Concatenate", Layer: l.name, Msg: "cannot concatenate along the batch axis 0"})
	}
	return l
}

// ClassName returns "Concatenate".
func (l *ConcatenateLayer) ClassName() string { return "Concatenate" }

// Axis returns the axis as given to Concatenate.
func (l *ConcatenateLayer) Axis() int { return l.axis }

func (l *ConcatenateLayer) resolve(rank int, shapes [][]int) int {
	a := l.axis
	if a < 0 {
		a += rank
	}
	if a <= 0 || a >= rank {
		shapeErr(l.name, "Concatenate", shapes, "axis out of range (the batch axis 0 cannot be joined)")
	}
	return a
}

// BuildMany checks the input shapes; the layer has no weights.
func (l *ConcatenateLayer) BuildMany(inputShapes [][]int) { l.OutputShapeMany(inputShapes) }

// OutputShapeMany returns the shape of the joined inputs.
func (l *ConcatenateLayer) OutputShapeMany(inputShapes [][]int) []int {
	if len(inputShapes) < 2 {
		shapeErr(l.name, "Concatenate", inputShapes, "needs at least two inputs")
	}
	out := append([]int(nil), inputShapes[0]...)
	a := l.resolve(len(out), inputShapes)
	for _, s := range inputShapes[1:] {
		ok := len(s) == len(out)
		for d := 1; ok && d < len(s); d++ {
			ok = d == a || s[d] == out[d]
		}
		if !ok {
			shapeErr(l.name, "Concatenate", inputShapes, "inputs must agree on every axis but the joined one")
		}
		out[a] += s[a]
		if out[0] < 0 {
			out[0] = s[0]
		}
	}
	return out
}

// CallMany joins xs with tensor operations.
func (l *ConcatenateLayer) CallMany(xs []*dl.Tensor, training bool) *dl.Tensor {
	l.OutputShapeMany(l.shapes(xs))
	return dl.Concat(l.resolve(xs[0].Rank(), nil), xs...)
}

// ForwardMany is the compiled forward pass (see dl.MergeKernel).
func (l *ConcatenateLayer) ForwardMany(xs []*dl.Tensor, training bool) *dl.Tensor {
	if !l.sameInputs(xs) {
		l.plan(xs)
	}
	yv := l.y.t.Data()
	total := 0
	if l.outer > 0 {
		total = len(yv) / l.outer
	}
	off := 0
	for _, x := range xs {
		xv := x.Data()
		w := 0
		if l.outer > 0 {
			w = len(xv) / l.outer
		}
		for o := 0; o < l.outer; o++ {
			copy(yv[o*total+off:o*total+off+w], xv[o*w:(o+1)*w])
		}
		off += w
	}
	return l.y.t
}

// sameInputs reports whether xs have the shapes of the last plan.
func (l *ConcatenateLayer) sameInputs(xs []*dl.Tensor) bool {
	if l.y.t == nil || len(xs) != len(l.in) {
		return false
	}
	for i, x := range xs {
		if !x.HasShape(l.in[i]...) {
			return false
		}
	}
	return true
}

// plan checks the inputs' shapes and sizes the output for them.
func (l *ConcatenateLayer) plan(xs []*dl.Tensor) {
	shapes := l.shapes(xs)
	out := l.OutputShapeMany(shapes)
	for _, x := range xs[1:] {
		if x.Dim(0) != xs[0].Dim(0) {
			shapeErr(l.name, "Concatenate", shapes, "inputs must have the same batch size")
		}
	}
	l.in = shapes
	l.outer = 1
	for _, d := range out[:l.resolve(len(out), shapes)] {
		l.outer *= d
	}
	l.y.get(out...)
}

// BackwardMany slices dy back into one gradient per input.
func (l *ConcatenateLayer) BackwardMany(dy *dl.Tensor, needDx []bool) []*dl.Tensor {
	out := l.grads(len(needDx))
	gv := dy.Data()
	outer := l.outer
	total := 0
	if outer > 0 {
		total = len(gv) / outer
	}
	off := 0
	for i, s := range l.in {
		n := 1
		for _, d := range s {
			n *= d
		}
		w := 0
		if outer > 0 {
			w = n / outer
		}
		if i < len(needDx) && needDx[i] {
			dx := l.dx[i].get(s...)
			dv := dx.Data()
			for o := 0; o < outer; o++ {
				copy(dv[o*w:(o+1)*w], gv[o*total+off:o*total+off+w])
			}
			out[i] = dx
		}
		off += w
	}
	return out
}
