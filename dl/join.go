package dl

// Concat joins tensors along an existing axis (negative counts from the end), as tf.concat
// does; all other dimensions must agree. The result is a copy.
func Concat(axis int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panicf("Concat", nil, "needs at least one tensor")
	}
	first := ts[0]
	axis = first.axis("Concat", axis)
	shapes := make([][]int, len(ts))
	total := 0
	for i, t := range ts {
		t.mustFloat("Concat")
		shapes[i] = t.shape
		if len(t.shape) != len(first.shape) {
			panicf("Concat", shapes[:i+1], "tensors must have the same rank")
		}
		for d := range t.shape {
			if d != axis && t.shape[d] != first.shape[d] {
				panicf("Concat", shapes[:i+1], "dimension %d differs", d)
			}
		}
		total += t.shape[axis]
	}
	shape := cloneShape(first.shape)
	shape[axis] = total
	outer, _, inner := axisSplit(shape, axis)
	out := allocFloats("Concat", shape)
	off := 0 // offset along axis
	for _, t := range ts {
		v := t.floats("Concat")
		w := t.shape[axis] * inner
		for o := 0; o < outer; o++ {
			copy(out[o*total*inner+off*inner:], v[o*w:(o+1)*w])
		}
		off += t.shape[axis]
	}
	r := fromShape(out, shape)
	if needsGrad(ts...) {
		record(r, "Concat", ts, func(g *Tensor) {
			gv := g.floats("Concat")
			off := 0
			for _, t := range ts {
				w := t.shape[axis] * inner
				if t.requiresGrad {
					d := make([]float32, outer*w)
					for o := 0; o < outer; o++ {
						copy(d[o*w:(o+1)*w], gv[o*total*inner+off*inner:])
					}
					accumulate(t, fromShape(d, t.shape))
				}
				off += t.shape[axis]
			}
		})
	}
	return r
}

// Stack joins tensors of one shape along a new axis, as tf.stack does: stacking n tensors
// of shape (a, b) on axis 0 gives (n, a, b).
func Stack(axis int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panicf("Stack", nil, "needs at least one tensor")
	}
	ex := make([]*Tensor, len(ts))
	for i, t := range ts {
		if !sameShape(t.shape, ts[0].shape) {
			panicf("Stack", [][]int{ts[0].shape, t.shape}, "tensors must have the same shape")
		}
		ex[i] = t.ExpandDims(axis)
	}
	if axis < 0 {
		axis += len(ts[0].shape) + 1
	}
	return Concat(axis, ex...)
}

// Gradients returns the gradients of loss (the gradient of its sum if it has more than one
// element) with respect to each of vars, as tf.GradientTape.gradient does: nil for a
// variable loss does not depend on. The vars' own Grad is left as it was.
func Gradients(loss *Tensor, vars []*Tensor) []*Tensor {
	saved := make([]*Tensor, len(vars))
	for i, v := range vars {
		saved[i], v.grad = v.grad, nil
	}
	if loss.requiresGrad {
		loss.Backward()
	}
	grads := make([]*Tensor, len(vars))
	for i, v := range vars {
		grads[i], v.grad = v.grad, saved[i]
	}
	return grads
}
