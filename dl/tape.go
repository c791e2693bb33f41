package dl

// GradientTape computes gradients for a custom training loop, in the shape of TensorFlow's
// tf.GradientTape. dl records every operation on tensors that require a gradient (weights
// and tensors marked with Watch or RequireGrad) whenever grad mode is on (outside NoGrad),
// so the tape has nothing to start or stop: make one where the Python code opens its
// `with tf.GradientTape() as tape:` block, compute the loss, then ask for the gradients:
//
//	tape := dl.NewGradientTape()
//	y := model.Call(x, true)
//	loss := losses.SparseCategoricalCrossentropyOf(labels, y).Add(dl.AddN(model.Losses()))
//	grads := tape.Gradient(loss, model.TrainableWeights())
//	optimizer.ApplyGradients(grads, model.TrainableWeights())
//
// Gradient of a target with more than one element is the gradient of its sum, as in
// TensorFlow. It is Gradients with the tape's vocabulary.
type GradientTape struct {
	watched []*Tensor
}

// NewGradientTape returns a tape, as `with tf.GradientTape() as tape:` opens one.
func NewGradientTape() *GradientTape { return &GradientTape{} }

// Watch marks tensors that are not variables (inputs, say) as tensors whose gradient
// Gradient may be asked for, as tape.watch does. Variables are always watched.
func (t *GradientTape) Watch(ts ...*Tensor) {
	for _, x := range ts {
		x.RequireGrad()
		t.watched = append(t.watched, x)
	}
}

// Watched returns the tensors given to Watch, in order.
func (t *GradientTape) Watched() []*Tensor { return append([]*Tensor(nil), t.watched...) }

// Gradient returns the gradient of target with respect to each of sources, as
// tape.gradient(target, sources): the gradient of target's sum when it has more than one
// element (a per-sample loss vector gives the gradient of the batch's total loss), and nil
// for a source target does not depend on. The sources' own Grad is left as it was, so
// Gradient may be called again, for other targets of the same computation.
func (t *GradientTape) Gradient(target *Tensor, sources []*Tensor) []*Tensor {
	if target == nil {
		panicf("GradientTape.Gradient", nil, "the target is nil")
	}
	for i, s := range sources {
		if s == nil {
			panicf("GradientTape.Gradient", nil, "source %d is nil", i)
		}
	}
	return Gradients(target, sources)
}

// AddN returns the sum of tensors of one shape (scalars, usually), as tf.add_n does and as
// Python's sum(model.losses) is used: a scalar 0 for none. Gradients flow to every term.
func AddN(ts []*Tensor) *Tensor {
	if len(ts) == 0 {
		return Scalar(0)
	}
	sum := ts[0]
	for i, x := range ts[1:] {
		if !sameShape(x.shape, ts[0].shape) {
			panicf("AddN", [][]int{ts[0].shape, x.shape}, "term %d differs in shape from term 0", i+1)
		}
		sum = sum.Add(x)
	}
	return sum
}
