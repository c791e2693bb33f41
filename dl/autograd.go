package dl

// Reverse-mode automatic differentiation, in the style of micrograd: every operation records
// a node on its result, and Backward walks the nodes from the result back to the variables.
//
// Glossary:
//
//	variable   a tensor that requires a gradient and has no node: a weight (Variable) or an
//	           input marked with RequireGrad. Its Grad accumulates across Backward calls
//	           until ZeroGrad.
//	node       the record an operation leaves on its result: the inputs and a backward
//	           function that maps the result's gradient to the inputs' gradients.
//	gradient   dL/dt for the tensor t that Backward started from (L), with t's shape.
//	accumulate add a gradient contribution into t.grad (a tensor used twice gets both).
//	grad mode  whether operations record nodes (on by default; off inside NoGrad, and in
//	           Predict and Evaluate).

// node records how a tensor was computed.
type node struct {
	op       string
	inputs   []*Tensor
	backward func(g *Tensor) // receives the gradient of the result; calls accumulate
}

// gradEnabled is the grad mode. It is not per goroutine: models train one at a time.
var gradEnabled = true

// NoGrad runs fn with gradient recording switched off, as tf.stop_gradient or
// torch.no_grad do for a block.
func NoGrad(fn func()) {
	prev := gradEnabled
	gradEnabled = false
	defer func() { gradEnabled = prev }()
	fn()
}

// needsGrad reports whether an operation on inputs must record a node.
func needsGrad(inputs ...*Tensor) bool {
	if !gradEnabled {
		return false
	}
	for _, t := range inputs {
		if t != nil && t.requiresGrad {
			return true
		}
	}
	return false
}

// record attaches a node to out, which then requires a gradient.
func record(out *Tensor, op string, inputs []*Tensor, backward func(g *Tensor)) {
	out.requiresGrad = true
	out.node = &node{op: op, inputs: inputs, backward: backward}
}

// accumulate adds g into t's gradient if t requires one. g must have t's shape (or as many
// elements); accumulate may keep g itself as the gradient, so callers pass a fresh tensor.
func accumulate(t *Tensor, g *Tensor) {
	if !t.requiresGrad {
		return
	}
	if g.Size() != t.Size() {
		panicf("Backward", [][]int{t.shape, g.shape}, "gradient of %s has the wrong size", opName(t))
	}
	if t.grad == nil {
		t.grad = g.Reshape(t.shape...)
		t.grad.requiresGrad, t.grad.node = false, nil
		return
	}
	dst, src := t.grad.Data(), g.floats("Backward")
	for i := range dst {
		dst[i] += src[i]
	}
}

func opName(t *Tensor) string {
	if t.node != nil {
		return "the result of " + t.node.op
	}
	if t.name != "" {
		return t.name
	}
	return "a variable"
}

// Variable returns a new trainable float32 tensor named name holding a copy of init's
// values, as tf.Variable does: a weight that optimizers update.
func Variable(init *Tensor, name string) *Tensor {
	v := init.AsFloat32().Clone()
	v.name, v.requiresGrad, v.trainable = name, true, true
	return v
}

// Trainable reports whether t is a variable that optimizers update.
func (t *Tensor) Trainable() bool { return t.trainable }

// SetTrainable marks a variable as updated (true) or frozen (false) by optimizers.
func (t *Tensor) SetTrainable(on bool) { t.trainable = on }

// RequireGrad marks t as a tensor whose gradient Backward computes, and returns t. Use it for
// inputs whose gradient you want (as tape.watch does in TensorFlow).
func (t *Tensor) RequireGrad() *Tensor {
	t.mustFloat("RequireGrad")
	t.requiresGrad = true
	return t
}

// RequiresGrad reports whether Backward computes a gradient for t.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// Grad returns the gradient accumulated by Backward, or nil if none was.
func (t *Tensor) Grad() *Tensor { return t.grad }

// SetGrad replaces t's gradient (nil clears it). Optimized training loops write gradients
// directly with it.
func (t *Tensor) SetGrad(g *Tensor) { t.grad = g }

// ZeroGrad clears t's gradient.
func (t *Tensor) ZeroGrad() { t.grad = nil }

// Detach returns a view of t's values that records no gradient.
func (t *Tensor) Detach() *Tensor {
	v := t.view(cloneShape(t.shape), 0, t.Size())
	return v
}

// Backward computes the gradient of t with respect to every tensor it was computed from, and
// accumulates it into their Grad. For a tensor of more than one element the gradient of its
// sum is computed, as tf.GradientTape does. Gradients of intermediate results are released
// afterwards; those of variables and of tensors marked with RequireGrad are kept.
func (t *Tensor) Backward() {
	t.mustFloat("Backward")
	t.BackwardWith(Ones(t.shape...))
}

// BackwardWith is Backward with an explicit gradient seed of t's shape: it computes the
// vector-Jacobian product seedᵀ·∂t/∂x for every input x.
func (t *Tensor) BackwardWith(seed *Tensor) {
	if !sameShape(seed.shape, t.shape) {
		panicf("Backward", [][]int{t.shape, seed.shape}, "seed must have the result's shape")
	}
	if !t.requiresGrad {
		panicf("Backward", [][]int{t.shape}, "the tensor does not depend on any variable")
	}
	order := topoOrder(t)
	accumulate(t, seed.Clone())
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		if n.node != nil && n.grad != nil {
			n.node.backward(n.grad)
			n.grad = nil // intermediate: release
		}
	}
}

// topoOrder returns the tensors t depends on (that require a gradient), inputs before
// results.
func topoOrder(t *Tensor) []*Tensor {
	var order []*Tensor
	seen := map[*Tensor]bool{}
	type frame struct {
		t    *Tensor
		next int
	}
	stack := []frame{{t, 0}}
	seen[t] = true
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.t.node != nil && f.next < len(f.t.node.inputs) {
			in := f.t.node.inputs[f.next]
			f.next++
			if in != nil && in.requiresGrad && !seen[in] {
				seen[in] = true
				stack = append(stack, frame{in, 0})
			}
			continue
		}
		order = append(order, f.t)
		stack = stack[:len(stack)-1]
	}
	return order
}
